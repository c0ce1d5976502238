//! The schedule form: its fields as text (from a stored schedule, or as submitted), turned into
//! the JSON body the jobs service checks. Errors come back from the service by field name
//! (`interval.every`, `headers.X-Token`, `chain[0].schedule`) and are shown next to the fields.

use maestro_model::FieldError;
use serde_json::{Map, Value, json};

use crate::session::FormData;

/// Every field of the form, as text.
#[derive(Debug, Clone, Default)]
pub struct ScheduleForm {
    pub name: String,
    pub enabled: bool,
    pub module: String,
    /// `interval` or `cron`.
    pub trigger: String,
    pub every: String,
    pub period: String,
    pub cron: String,
    pub timezone: String,
    pub max_executions: String,
    pub max_attempts: String,
    pub backoff_seconds: String,
    pub method: String,
    pub url: String,
    /// `Name: value` lines.
    pub headers: String,
    /// JSON, or plain text.
    pub body: String,
    pub timeout_seconds: String,
    pub sleep_ms: String,
    /// A discovery schedule's connection and task (set by the connection, kept as they are).
    pub connection: String,
    pub task: String,
    pub chain: Vec<String>,
    pub chain_delay: String,
    pub errors: Vec<FieldError>,
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A number when the text is one; otherwise the text itself, for the service to refuse.
fn number(s: &str) -> Option<Value> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Some(s.parse::<i64>().map_or_else(|_| json!(s), |n| json!(n)))
}

impl ScheduleForm {
    /// A new schedule's defaults.
    pub fn blank() -> Self {
        Self {
            enabled: true,
            module: "webhook".into(),
            trigger: "interval".into(),
            every: "5".into(),
            period: "minutes".into(),
            max_executions: "0".into(),
            max_attempts: "3".into(),
            backoff_seconds: "5".into(),
            method: "GET".into(),
            timeout_seconds: "30".into(),
            ..Self::default()
        }
    }

    /// The form of a stored schedule (its `GET` JSON).
    pub fn from_json(s: &Value) -> Self {
        let cron = text(&s["cron"]);
        let headers = s["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| format!("{k}: {}", text(v)))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        let body = match &s["body"] {
            Value::Null => String::new(),
            Value::String(t) => t.clone(),
            other => serde_json::to_string_pretty(other).unwrap_or_default(),
        };
        let chain: Vec<&Value> = s["chain"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        Self {
            name: text(&s["name"]),
            enabled: s["enabled"] == true,
            module: text(&s["module"]),
            trigger: if cron.is_empty() { "interval" } else { "cron" }.into(),
            every: text(&s["interval"]["every"]),
            period: text(&s["interval"]["period"]),
            cron,
            timezone: text(&s["timezone"]),
            max_executions: text(&s["max_executions"]),
            max_attempts: text(&s["max_attempts"]),
            backoff_seconds: text(&s["backoff_seconds"]),
            method: text(&s["method"]),
            url: text(&s["url"]),
            headers,
            body,
            timeout_seconds: text(&s["timeout_seconds"]),
            sleep_ms: text(&s["sleep_ms"]),
            connection: text(&s["connection"]),
            task: text(&s["task"]),
            chain: chain.iter().map(|c| text(&c["schedule"])).collect(),
            chain_delay: chain
                .first()
                .map(|c| text(&c["delay_seconds"]))
                .unwrap_or_default(),
            errors: Vec::new(),
        }
    }

    /// The form as submitted.
    pub fn from_form(f: &FormData) -> Self {
        let g = |k: &str| f.get(k).trim().to_owned();
        Self {
            name: g("name"),
            enabled: f.has("enabled"),
            module: g("module"),
            trigger: g("trigger"),
            every: g("every"),
            period: g("period"),
            cron: g("cron"),
            timezone: g("timezone"),
            max_executions: g("max_executions"),
            max_attempts: g("max_attempts"),
            backoff_seconds: g("backoff_seconds"),
            method: g("method"),
            url: g("url"),
            headers: f.get("headers").to_owned(),
            body: f.get("body").to_owned(),
            timeout_seconds: g("timeout_seconds"),
            sleep_ms: g("sleep_ms"),
            connection: g("connection"),
            task: g("task"),
            chain: f
                .all("chain")
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            chain_delay: g("chain_delay"),
            errors: Vec::new(),
        }
    }

    /// The JSON body; problems only the form can see (a header line without `:`) are errors.
    pub fn to_json(&self) -> Result<Value, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("enabled".into(), json!(self.enabled));
        m.insert("module".into(), json!(self.module));
        if self.trigger == "cron" {
            m.insert("cron".into(), json!(self.cron));
            if !self.timezone.is_empty() {
                m.insert("timezone".into(), json!(self.timezone));
            }
        } else {
            let mut i = Map::new();
            if let Some(n) = number(&self.every) {
                i.insert("every".into(), n);
            }
            i.insert("period".into(), json!(self.period));
            m.insert("interval".into(), Value::Object(i));
        }
        for (k, v) in [
            ("max_executions", &self.max_executions),
            ("max_attempts", &self.max_attempts),
            ("backoff_seconds", &self.backoff_seconds),
        ] {
            if let Some(n) = number(v) {
                m.insert(k.into(), n);
            }
        }
        match self.module.as_str() {
            "webhook" => {
                m.insert("method".into(), json!(self.method));
                m.insert("url".into(), json!(self.url));
                let mut h = Map::new();
                for line in self
                    .headers
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                {
                    match line.split_once(':') {
                        Some((k, v)) if !k.trim().is_empty() => {
                            h.insert(k.trim().to_owned(), json!(v.trim()));
                        }
                        _ => errors.push(FieldError::new(
                            "headers",
                            format!("{line:?} is not a \"Name: value\" line"),
                        )),
                    }
                }
                if !h.is_empty() {
                    m.insert("headers".into(), Value::Object(h));
                }
                let body = self.body.trim();
                if !body.is_empty() {
                    let v =
                        serde_json::from_str::<Value>(body).unwrap_or_else(|_| json!(self.body));
                    m.insert("body".into(), v);
                }
                if let Some(n) = number(&self.timeout_seconds) {
                    m.insert("timeout_seconds".into(), n);
                }
            }
            "noop" => {
                if let Some(n) = number(&self.sleep_ms) {
                    m.insert("sleep_ms".into(), n);
                }
            }
            "discovery" => {
                m.insert("connection".into(), json!(self.connection));
                if !self.task.is_empty() {
                    m.insert("task".into(), json!(self.task));
                }
            }
            _ => {}
        }
        if !self.chain.is_empty() {
            let delay = number(&self.chain_delay).unwrap_or(json!(0));
            m.insert(
                "chain".into(),
                json!(
                    self.chain
                        .iter()
                        .map(|c| json!({"schedule": c, "delay_seconds": delay}))
                        .collect::<Vec<_>>()
                ),
            );
        }
        if errors.is_empty() {
            Ok(Value::Object(m))
        } else {
            Err(errors)
        }
    }

    /// The message for `field` (or anything under it: `interval.every` for `every`).
    pub fn error(&self, field: &str) -> Option<String> {
        let msgs: Vec<String> = self
            .errors
            .iter()
            .filter(|e| {
                e.field == field
                    || e.field.starts_with(&format!("{field}."))
                    || e.field.starts_with(&format!("{field}["))
            })
            .map(|e| match e.field.strip_prefix(field) {
                Some("") | None => e.message.clone(),
                Some(rest) => format!("{}: {}", rest.trim_start_matches('.'), e.message),
            })
            .collect();
        (!msgs.is_empty()).then(|| msgs.join("; "))
    }

    pub fn chained(&self, id: &str) -> bool {
        self.chain.iter().any(|c| c == id)
    }
}

/// A merge patch turning `current` into `desired` (fields absent from `desired` become null).
pub fn merge_diff(current: &Value, desired: &Value) -> Value {
    match (current, desired) {
        (Value::Object(c), Value::Object(d)) => {
            let mut out = Map::new();
            for (k, v) in d {
                match c.get(k) {
                    Some(old) if old == v => {}
                    Some(old) if old.is_object() && v.is_object() => {
                        out.insert(k.clone(), merge_diff(old, v));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            for k in c.keys().filter(|k| !d.contains_key(*k)) {
                out.insert(k.clone(), Value::Null);
            }
            Value::Object(out)
        }
        _ => desired.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_webhook_schedule() {
        let stored = json!({"name": "ping", "enabled": true, "module": "webhook", "method": "POST",
            "url": "http://x.test/h", "headers": {"X-A": "1"}, "body": {"k": [1]}, "timeout_seconds": 30,
            "interval": {"every": 30, "period": "seconds"}, "max_executions": 0, "max_attempts": 3,
            "backoff_seconds": 5, "chain": []});
        let form = ScheduleForm::from_json(&stored);
        assert_eq!(form.headers, "X-A: 1");
        let back = form.to_json().unwrap();
        for k in [
            "name",
            "method",
            "url",
            "headers",
            "body",
            "interval",
            "max_attempts",
        ] {
            assert_eq!(back[k], stored[k], "{k}");
        }
        let mut bad = form.clone();
        bad.headers = "no colon here".into();
        assert_eq!(bad.to_json().unwrap_err()[0].field, "headers");
    }

    #[test]
    fn merge_diff_removes_what_is_gone() {
        let current = json!({"headers": {"A": "1", "B": "2"}, "cron": "* * * * *", "name": "x"});
        let desired = json!({"headers": {"A": "1"}, "interval": {"every": 1}, "name": "x"});
        assert_eq!(
            merge_diff(&current, &desired),
            json!({"headers": {"B": null}, "interval": {"every": 1}, "cron": null})
        );
    }
}
