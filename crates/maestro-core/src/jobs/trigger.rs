//! When a schedule fires: a fixed interval (`{"every": 30, "period": "seconds"}`, down to one
//! second) or a cron expression (five fields, or six with seconds) evaluated in a time zone.
//! Runs missed while no scheduler was running are coalesced into one: the next run after a
//! firing is always in the future.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use croner::Cron;
use maestro_model::FieldError;
use serde_json::{Map, Value, json};

/// The unit of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
}

impl Period {
    pub const ALL: [Period; 5] = [
        Period::Seconds,
        Period::Minutes,
        Period::Hours,
        Period::Days,
        Period::Weeks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Seconds => "seconds",
            Period::Minutes => "minutes",
            Period::Hours => "hours",
            Period::Days => "days",
            Period::Weeks => "weeks",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    fn seconds(self) -> i64 {
        match self {
            Period::Seconds => 1,
            Period::Minutes => 60,
            Period::Hours => 3600,
            Period::Days => 86_400,
            Period::Weeks => 604_800,
        }
    }
}

/// The longest interval accepted (a year).
const MAX_INTERVAL_SECONDS: i64 = 366 * 86_400;

/// A schedule's trigger.
#[derive(Debug, Clone)]
pub enum Trigger {
    Interval { every: u32, period: Period },
    Cron { cron: Box<Cron>, tz: Tz },
}

impl Trigger {
    /// Reads `interval`, or `cron` with an optional `timezone` (default UTC), from a schedule's
    /// fields; exactly one of the two. Problems are added to `errors`.
    pub fn parse(spec: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<Trigger> {
        let interval = spec.get("interval").filter(|v| !v.is_null());
        let cron = spec.get("cron").filter(|v| !v.is_null());
        let tz = spec.get("timezone").filter(|v| !v.is_null());
        match (interval, cron) {
            (Some(interval), Some(cron)) => {
                errors.push(FieldError::new(
                    "cron",
                    "give either interval or cron, not both",
                ));
                // What else is wrong with either is said in the same answer.
                parse_interval(interval, errors);
                parse_cron(cron, tz, errors);
                None
            }
            (None, None) => {
                errors.push(FieldError::new(
                    "interval",
                    "is required (or cron): {\"every\": 5, \"period\": \"minutes\"}",
                ));
                None
            }
            (Some(v), None) => {
                if tz.is_some() {
                    errors.push(FieldError::new(
                        "timezone",
                        "only applies to cron schedules",
                    ));
                }
                parse_interval(v, errors)
            }
            (None, Some(v)) => parse_cron(v, tz, errors),
        }
    }

    /// The first run of a schedule created (or re-enabled) at `now`.
    pub fn first_run(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Trigger::Interval { every, period } => Some(now + step(*every, *period)),
            Trigger::Cron { cron, tz } => next_cron(cron, *tz, now),
        }
    }

    /// The run after one scheduled for `prev`, later than `now` (missed runs are coalesced).
    pub fn next_after(&self, prev: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Trigger::Interval { every, period } => {
                let step = step(*every, *period);
                let mut next = prev + step;
                if next <= now {
                    let behind = (now - prev).num_microseconds().unwrap_or(i64::MAX);
                    let k = behind / step.num_microseconds().unwrap_or(1).max(1) + 1;
                    next =
                        prev + Duration::microseconds(k.saturating_mul(step.num_microseconds()?));
                }
                Some(next)
            }
            Trigger::Cron { cron, tz } => next_cron(cron, *tz, prev.max(now)),
        }
    }

    /// How the trigger reads in a list (`every 30 seconds`, `cron 0 11 * * * (Europe/Paris)`).
    pub fn describe(&self) -> String {
        match self {
            Trigger::Interval { every, period } => interval_text(*every, period.as_str()),
            Trigger::Cron { cron, tz } => format!("cron {} ({tz})", cron.as_str()),
        }
    }

    /// The fields this trigger is written as.
    pub fn to_fields(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match self {
            Trigger::Interval { every, period } => {
                m.insert(
                    "interval".into(),
                    json!({"every": every, "period": period.as_str()}),
                );
            }
            Trigger::Cron { cron, tz } => {
                m.insert("cron".into(), json!(cron.as_str()));
                m.insert("timezone".into(), json!(tz.name()));
            }
        }
        m
    }
}

fn step(every: u32, period: Period) -> Duration {
    Duration::seconds(i64::from(every) * period.seconds())
}

fn next_cron(cron: &Cron, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.find_next_occurrence(&after.with_timezone(&tz), false)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads an interval (`{"every": 5, "period": "minutes"}`; the period defaults to minutes);
/// problems are added to `errors` under `interval.…`.
pub(crate) fn parse_interval(v: &Value, errors: &mut Vec<FieldError>) -> Option<Trigger> {
    let Some(m) = v.as_object() else {
        errors.push(FieldError::new(
            "interval",
            "must be an object: {\"every\": 5, \"period\": \"minutes\"}",
        ));
        return None;
    };
    let before = errors.len();
    for k in m.keys() {
        if k != "every" && k != "period" {
            errors.push(FieldError::new(format!("interval.{k}"), "unknown field"));
        }
    }
    let every = match m.get("every").and_then(Value::as_u64) {
        Some(n) if n >= 1 && n <= u64::from(u32::MAX) => Some(n as u32),
        Some(n) if n > 0 => {
            errors.push(FieldError::new(
                "interval.every",
                "the interval must be at most a year",
            ));
            None
        }
        _ => {
            errors.push(FieldError::new(
                "interval.every",
                "must be a whole number of at least 1",
            ));
            None
        }
    };
    let period = match m.get("period") {
        None | Some(Value::Null) => Some(Period::Minutes),
        Some(Value::String(s)) => Period::parse(s).or_else(|| {
            errors.push(FieldError::new(
                "interval.period",
                "must be one of seconds, minutes, hours, days, weeks",
            ));
            None
        }),
        Some(_) => {
            errors.push(FieldError::new("interval.period", "must be a string"));
            None
        }
    };
    let (every, period) = (every?, period?);
    if i64::from(every) * period.seconds() > MAX_INTERVAL_SECONDS {
        errors.push(FieldError::new(
            "interval.every",
            "the interval must be at most a year",
        ));
    }
    (errors.len() == before).then_some(Trigger::Interval { every, period })
}

fn parse_cron(v: &Value, tz: Option<&Value>, errors: &mut Vec<FieldError>) -> Option<Trigger> {
    let tz = match tz {
        None => Some(Tz::UTC),
        Some(Value::String(name)) => Tz::from_str(name.trim()).ok().or_else(|| {
            errors.push(FieldError::new(
                "timezone",
                "must be an IANA time zone such as Europe/Paris or UTC",
            ));
            None
        }),
        Some(_) => {
            errors.push(FieldError::new("timezone", "must be a string"));
            None
        }
    };
    let cron = match v {
        Value::String(expr) if expr.len() <= 200 => match Cron::from_str(expr.trim()) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(FieldError::new(
                    "cron",
                    super::cron_error::explain(expr.trim(), &e),
                ));
                None
            }
        },
        _ => {
            errors.push(FieldError::new(
                "cron",
                "must be a cron expression such as \"0 11 * * *\"",
            ));
            None
        }
    };
    let (cron, tz) = (cron?, tz?);
    if next_cron(&cron, tz, Utc::now()).is_none() {
        errors.push(FieldError::new("cron", "never fires"));
        return None;
    }
    Some(Trigger::Cron {
        cron: Box::new(cron),
        tz,
    })
}

/// How an interval reads: `every 30 seconds`, `every hour` (not `every 1 hours`).
pub fn interval_text(every: impl std::fmt::Display, period: &str) -> String {
    let every = every.to_string();
    match (every.as_str(), period.strip_suffix('s')) {
        ("1", Some(one)) => format!("every {one}"),
        _ => format!("every {every} {period}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn trigger(spec: Value) -> Result<Trigger, Vec<FieldError>> {
        let mut errors = Vec::new();
        let t = Trigger::parse(spec.as_object().unwrap(), &mut errors);
        t.filter(|_| errors.is_empty()).ok_or(errors)
    }

    #[test]
    fn intervals_read_as_people_say_them() {
        assert_eq!(interval_text(30, "seconds"), "every 30 seconds");
        assert_eq!(interval_text(1, "days"), "every day");
        let hourly = trigger(json!({"interval": {"every": 1, "period": "hours"}})).unwrap();
        assert_eq!(hourly.describe(), "every hour");
    }

    #[test]
    fn both_triggers_given_says_all_that_is_wrong() {
        let errors = trigger(
            json!({"interval": {"every": 0, "period": "fortnights"}, "cron": "61 * * * *"}),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields.first(), Some(&"cron"), "{errors:?}");
        assert!(
            fields.iter().any(|f| f.starts_with("interval")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.message.contains("minute field")),
            "{errors:?}"
        );
    }

    #[test]
    fn intervals_step_and_coalesce_missed_runs() {
        let t = trigger(json!({"interval": {"every": 30, "period": "seconds"}})).unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(t.first_run(t0), Some(t0 + Duration::seconds(30)));
        // On time: the next run is one step later.
        assert_eq!(
            t.next_after(t0, t0 + Duration::seconds(1)),
            Some(t0 + Duration::seconds(30))
        );
        // Ten minutes late: one run, then back on the grid in the future.
        assert_eq!(
            t.next_after(t0, t0 + Duration::seconds(600)),
            Some(t0 + Duration::seconds(630))
        );
    }

    #[test]
    fn cron_in_a_time_zone() {
        let t = trigger(json!({"cron": "0 11 * * *", "timezone": "Europe/Paris"})).unwrap();
        // 1 July: Paris is UTC+2, so 11:00 there is 09:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 8, 59, 30).unwrap();
        let first = t.first_run(now).unwrap();
        assert_eq!(first, Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap());
        assert_eq!(
            t.next_after(first, first),
            Some(Utc.with_ymd_and_hms(2026, 7, 2, 9, 0, 0).unwrap())
        );
        // Seconds are allowed as a sixth field.
        let s = trigger(json!({"cron": "*/10 * * * * *"})).unwrap();
        assert_eq!(
            s.first_run(now),
            Some(Utc.with_ymd_and_hms(2026, 7, 1, 8, 59, 40).unwrap())
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let e =
            trigger(json!({"interval": {"every": 0, "period": "fortnights", "x": 1}})).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["interval.x", "interval.every", "interval.period"]);
        let e = trigger(json!({"cron": "61 * * * *", "timezone": "Mars/Olympus"})).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["timezone", "cron"]);
        assert_eq!(trigger(json!({})).unwrap_err()[0].field, "interval");
        assert_eq!(
            trigger(json!({"interval": {"every": 1}, "cron": "* * * * *"})).unwrap_err()[0].field,
            "cron"
        );
    }
}
