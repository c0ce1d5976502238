//! A schedule as a user writes it, checked field by field: name, enabled, module, trigger
//! (`interval` or `cron` + `timezone`), `max_executions`, retry policy, chain, and the module's
//! own top-level fields (a webhook's `method`, `url`, `headers`, `body`, `timeout_seconds`).
//! Every bad field is reported at once; read-only fields from a `GET` are ignored.

use maestro_model::{FieldError, TeamId};
use serde_json::{Map, Value, json};

use super::Jobs;
use super::model::ScheduleId;
use super::policy::RetryPolicy;
use super::trigger::Trigger;
use crate::Caller;

/// Fields every schedule has, whatever its module.
const COMMON: &[&str] = &[
    "name",
    "enabled",
    "module",
    "interval",
    "cron",
    "timezone",
    "max_executions",
    "max_attempts",
    "backoff_seconds",
    "chain",
    "run_immediately",
    "team",
];

/// Fields shown by `GET` that a write ignores.
const READ_ONLY: &[&str] = &[
    "id",
    "run_count",
    "last_run_at",
    "last_status",
    "last_error",
    "last_job",
    "next_run_at",
    "owner",
    "created_at",
    "updated_at",
];

/// The longest chain and the longest delay in it.
const MAX_CHAIN: usize = 20;
const MAX_DELAY: u64 = 86_400;

/// A schedule to run after another succeeds.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainLink {
    pub schedule: ScheduleId,
    pub delay_seconds: u32,
}

/// A validated schedule.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub enabled: bool,
    pub module: String,
    pub trigger: Trigger,
    pub max_executions: u64,
    pub policy: RetryPolicy,
    pub chain: Vec<ChainLink>,
    /// The module's parameters (its own fields, normalised).
    pub params: Value,
    pub timeout_seconds: u32,
    pub run_immediately: bool,
    pub team: Option<TeamId>,
}

impl Spec {
    /// What is kept in the schedule's `spec` column.
    pub fn stored(&self) -> Map<String, Value> {
        let mut m = self.trigger.to_fields();
        m.insert("max_attempts".into(), json!(self.policy.max_attempts));
        m.insert("backoff_seconds".into(), json!(self.policy.backoff_seconds));
        m.insert(
            "chain".into(),
            json!(
                self.chain
                    .iter()
                    .map(|l| json!({"schedule": l.schedule, "delay_seconds": l.delay_seconds}))
                    .collect::<Vec<_>>()
            ),
        );
        m.insert("params".into(), self.params.clone());
        m
    }
}

/// The chain stored in a schedule's spec.
pub fn chain_of(spec: &Map<String, Value>) -> Vec<ChainLink> {
    let mut errors = Vec::new();
    parse_chain(spec.get("chain").unwrap_or(&Value::Null), &mut errors)
}

/// The retry policy stored in a schedule's spec.
pub fn policy_of(spec: &Map<String, Value>) -> RetryPolicy {
    RetryPolicy::parse(spec, &mut Vec::new())
}

fn parse_chain(v: &Value, errors: &mut Vec<FieldError>) -> Vec<ChainLink> {
    let mut out = Vec::new();
    let items = match v {
        Value::Null => return out,
        Value::Array(a) if a.len() <= MAX_CHAIN => a,
        _ => {
            errors.push(FieldError::new(
                "chain",
                format!("must be a list of at most {MAX_CHAIN} {{\"schedule\": id, \"delay_seconds\": n}}"),
            ));
            return out;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let Some(m) = item.as_object() else {
            errors.push(FieldError::new(format!("chain[{i}]"), "must be an object"));
            continue;
        };
        for k in m
            .keys()
            .filter(|k| *k != "schedule" && *k != "delay_seconds")
        {
            errors.push(FieldError::new(format!("chain[{i}].{k}"), "unknown field"));
        }
        let schedule = m
            .get("schedule")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<ScheduleId>().ok());
        let delay = match m.get("delay_seconds") {
            None | Some(Value::Null) => Some(0),
            Some(d) => d.as_u64().filter(|d| *d <= MAX_DELAY),
        };
        if schedule.is_none() {
            errors.push(FieldError::new(
                format!("chain[{i}].schedule"),
                "must be a schedule id",
            ));
        }
        if delay.is_none() {
            errors.push(FieldError::new(
                format!("chain[{i}].delay_seconds"),
                "must be a whole number of seconds up to 86400",
            ));
        }
        if let (Some(schedule), Some(delay)) = (schedule, delay) {
            out.push(ChainLink {
                schedule,
                delay_seconds: delay as u32,
            });
        }
    }
    out
}

fn flag(body: &Map<String, Value>, key: &str, default: bool, errors: &mut Vec<FieldError>) -> bool {
    match body.get(key) {
        None | Some(Value::Null) => default,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.push(FieldError::new(key, "must be true or false"));
            default
        }
    }
}

impl Jobs {
    /// Checks a whole schedule body (a creation, or the merge of a patch onto the current
    /// fields) for `caller`. `creating` allows `team`.
    pub(super) async fn read_spec(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
        creating: bool,
    ) -> Result<Spec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = match body.get("name") {
            Some(Value::String(n)) if !maestro_model::validate::is_one_line(n) => {
                errors.push(FieldError::new(
                    "name",
                    maestro_model::validate::NOT_ONE_LINE,
                ));
                String::new()
            }
            Some(Value::String(n)) if (3..=120).contains(&n.trim().chars().count()) => {
                n.trim().to_owned()
            }
            None | Some(Value::Null) => {
                errors.push(FieldError::new("name", "is required"));
                String::new()
            }
            Some(_) => {
                errors.push(FieldError::new("name", "must be 3 to 120 characters"));
                String::new()
            }
        };
        let enabled = flag(body, "enabled", true, &mut errors);
        let run_immediately = flag(body, "run_immediately", false, &mut errors);
        let module_name = match body.get("module") {
            None | Some(Value::Null) => "webhook".to_owned(),
            Some(Value::String(m)) => m.trim().to_owned(),
            Some(_) => String::new(),
        };
        let module = self.registry.get(&module_name);
        if module.is_none() {
            let names: Vec<_> = self.registry.list().into_iter().map(|(n, _)| n).collect();
            errors.push(FieldError::new(
                "module",
                format!("must be one of {}", names.join(", ")),
            ));
        }
        let module_fields = module.as_ref().map_or(&[][..], |m| m.fields());
        for key in body.keys() {
            let k = key.as_str();
            let known = COMMON.contains(&k) || READ_ONLY.contains(&k) || module_fields.contains(&k);
            // Without a known module its fields cannot be told apart: only `module` is reported.
            if !known && module.is_some() {
                errors.push(FieldError::new(k, "unknown field"));
            }
        }
        let trigger = Trigger::parse(body, &mut errors);
        let max_executions = match body.get("max_executions") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_u64()
                .filter(|n| *n <= u64::from(u32::MAX))
                .unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        "max_executions",
                        "must be a whole number (0 = unlimited)",
                    ));
                    0
                }),
        };
        let policy = RetryPolicy::parse(body, &mut errors);
        let chain = parse_chain(body.get("chain").unwrap_or(&Value::Null), &mut errors);
        let team = match body.get("team") {
            None | Some(Value::Null) => None,
            Some(_) if !creating => {
                errors.push(FieldError::new("team", "can only be set at creation"));
                None
            }
            Some(v) => match v.as_str().and_then(|s| s.parse::<TeamId>().ok()) {
                Some(t) => Some(t),
                None => {
                    errors.push(FieldError::new("team", "must be a team id"));
                    None
                }
            },
        };
        let (params, timeout_seconds) = match &module {
            Some(m) => {
                let fields: Map<String, Value> = body
                    .iter()
                    .filter(|(k, _)| m.fields().contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let params = m.prepare(&self.core, caller, &fields, &mut errors).await;
                let secs = m.timeout(&params).as_secs().clamp(1, u64::from(u32::MAX)) as u32;
                (params, secs)
            }
            None => (Value::Null, 0),
        };
        match trigger {
            Some(trigger) if errors.is_empty() => Ok(Spec {
                name,
                enabled,
                module: module_name,
                trigger,
                max_executions,
                policy,
                chain,
                params,
                timeout_seconds,
                run_immediately,
                team,
            }),
            _ => Err(errors),
        }
    }
}
