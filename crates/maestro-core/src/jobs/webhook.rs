//! The webhook module: an HTTP request to any http(s) URL — loopback included — unless an
//! administrator restricts the targets (`scheduler_options.webhook_targets`: host names,
//! `*.domain` wildcards, optionally with `:port`). A 2xx answer succeeds; anything else, a
//! network error or a timeout fails the attempt (and is retried). Requests carry
//! `X-Maestro-Job` (and `X-Maestro-Schedule`) so receivers can drop repeated deliveries.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use maestro_model::FieldError;
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value, json};

use super::registry::{JobContext, JobError, JobModule};
use super::sealed;
use crate::{Caller, Core};

pub const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const FIELDS: &[&str] = &["method", "url", "headers", "body", "timeout_seconds"];
const DEFAULT_TIMEOUT: u64 = 30;
/// Response text kept in the job's result.
const KEPT_BODY: usize = 4096;
const MAX_BODY: usize = 64 * 1024;

pub struct Webhook;

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("maestro/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// The hosts webhooks may call, from the settings (empty: any).
async fn allowed_targets(core: &Core) -> Vec<String> {
    match core.store.setting("scheduler_options").await {
        Ok(Some(v)) => v["webhook_targets"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .map(|t| t.trim().to_ascii_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Whether `url` is among `targets` (`host`, `host:port`, `*.domain`, `*.domain:port`).
pub fn target_allowed(url: &Url, targets: &[String]) -> bool {
    if targets.is_empty() {
        return true;
    }
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default();
    targets.iter().any(|t| {
        let (pattern, want_port) = match t.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(':') && p.parse::<u16>().is_ok() => (h, p.parse().ok()),
            _ => (t.as_str(), None),
        };
        let pattern = pattern.trim_start_matches('[').trim_end_matches(']');
        let host_ok = match pattern.strip_prefix("*.") {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => host == pattern,
        };
        host_ok && want_port.is_none_or(|p| Some(p) == port)
    })
}

/// Checks the headers and seals their values (they often carry credentials: views and the
/// history show `"***"`). A value sealed before is kept as it is.
fn check_headers(core: &Core, v: &Value, errors: &mut Vec<FieldError>) -> Map<String, Value> {
    let mut out = Map::new();
    match v {
        Value::Null => {}
        Value::Object(m) if m.len() <= 50 => {
            for (k, val) in m {
                let path = format!("headers.{k}");
                let name_ok = HeaderName::from_bytes(k.as_bytes()).is_ok();
                let plain = match core.open_value(val) {
                    Ok(Value::String(s)) => Some(s),
                    _ => None,
                };
                match plain {
                    Some(s) if s == sealed::MASK && !sealed::is_sealed(val) => {
                        errors.push(FieldError::new(
                            path,
                            "\"***\" stands for a stored value, and this header has none: give its value",
                        ));
                    }
                    Some(s) if name_ok && HeaderValue::from_str(&s).is_ok() => {
                        let kept = if sealed::is_sealed(val) {
                            Ok(val.clone())
                        } else {
                            core.seal_value(&Value::String(s))
                        };
                        match kept {
                            Ok(v) => drop(out.insert(k.clone(), v)),
                            Err(e) => errors.push(FieldError::new(path, e.to_string())),
                        }
                    }
                    _ => errors.push(FieldError::new(
                        path,
                        "must be a valid header name with a text value",
                    )),
                }
            }
        }
        _ => errors.push(FieldError::new(
            "headers",
            "must be an object of at most 50 header names and text values",
        )),
    }
    out
}

#[async_trait]
impl JobModule for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn about(&self) -> &'static str {
        "Calls a URL (method, url, headers, body); a 2xx answer succeeds"
    }

    fn fields(&self) -> &'static [&'static str] {
        FIELDS
    }

    async fn prepare(
        &self,
        core: &Core,
        _caller: &Caller,
        fields: &Map<String, Value>,
        errors: &mut Vec<FieldError>,
    ) -> Value {
        let method = match fields.get("method") {
            None | Some(Value::Null) => "GET".to_owned(),
            Some(Value::String(m)) if METHODS.contains(&m.to_ascii_uppercase().as_str()) => {
                m.to_ascii_uppercase()
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "method",
                    format!("must be one of {}", METHODS.join(", ")),
                ));
                String::new()
            }
        };
        let url = match fields.get("url") {
            Some(Value::String(u)) if u.len() <= 2000 => match Url::parse(u.trim()) {
                // Credentials in a URL would be shown by every view: they go in a header,
                // whose value is sealed (`Authorization: Basic …`).
                Ok(url) if !url.username().is_empty() || url.password().is_some() => {
                    errors.push(FieldError::new(
                        "url",
                        "must not hold a user or password: send them in an Authorization header \
                         (its value is kept secret)",
                    ));
                    String::new()
                }
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    if !target_allowed(&url, &allowed_targets(core).await) {
                        errors.push(FieldError::new(
                            "url",
                            "this host is not among the webhook targets an administrator allows",
                        ));
                    }
                    url.to_string()
                }
                _ => {
                    errors.push(FieldError::new("url", "must be an http(s) URL with a host"));
                    String::new()
                }
            },
            None | Some(Value::Null) => {
                errors.push(FieldError::new("url", "is required"));
                String::new()
            }
            Some(_) => {
                errors.push(FieldError::new("url", "must be an http(s) URL"));
                String::new()
            }
        };
        let headers = check_headers(core, fields.get("headers").unwrap_or(&Value::Null), errors);
        let body = fields.get("body").cloned().unwrap_or(Value::Null);
        if serde_json::to_string(&body).map_or(0, |s| s.len()) > MAX_BODY {
            errors.push(FieldError::new("body", "must be at most 64 KiB"));
        }
        let timeout = match fields.get("timeout_seconds") {
            None | Some(Value::Null) => DEFAULT_TIMEOUT,
            Some(v) => match v.as_u64() {
                Some(n @ 1..=300) => n,
                _ => {
                    errors.push(FieldError::new(
                        "timeout_seconds",
                        "must be a whole number of seconds from 1 to 300",
                    ));
                    DEFAULT_TIMEOUT
                }
            },
        };
        let mut params = json!({"method": method, "url": url, "timeout_seconds": timeout});
        if !headers.is_empty() {
            params["headers"] = Value::Object(headers);
        }
        if !body.is_null() {
            params["body"] = body;
        }
        params
    }

    fn timeout(&self, params: &Value) -> Duration {
        // The request's own limit, plus time to read the answer.
        Duration::from_secs(
            params["timeout_seconds"]
                .as_u64()
                .unwrap_or(DEFAULT_TIMEOUT)
                + 5,
        )
    }

    async fn run(&self, ctx: &JobContext) -> Result<Value, JobError> {
        let p = ctx.params();
        let url = Url::parse(p["url"].as_str().unwrap_or_default())
            .map_err(|e| JobError::fatal(format!("bad URL: {e}")))?;
        if !target_allowed(&url, &allowed_targets(ctx.core()).await) {
            return Err(JobError::fatal(
                "the URL's host is not among the webhook targets an administrator allows",
            ));
        }
        let method = reqwest::Method::from_bytes(p["method"].as_str().unwrap_or("GET").as_bytes())
            .map_err(|_| JobError::fatal("bad method"))?;
        let timeout = p["timeout_seconds"].as_u64().unwrap_or(DEFAULT_TIMEOUT);
        // The job id lets receivers drop repeats (delivery is at least once).
        let mut req = client()
            .request(method.clone(), url.clone())
            .timeout(Duration::from_secs(timeout))
            .header("x-maestro-job", ctx.job.id.to_string());
        if let Some(s) = ctx.job.schedule {
            req = req.header("x-maestro-schedule", s.to_string());
        }
        let mut has_type = false;
        if let Some(h) = p["headers"].as_object() {
            for (k, v) in h {
                has_type |= k.eq_ignore_ascii_case("content-type");
                let value = ctx.core().open_value(v).map_err(|e| {
                    JobError::fatal(format!("the value of header {k} cannot be read: {e}"))
                })?;
                req = req.header(k.as_str(), value.as_str().unwrap_or_default());
            }
        }
        req = match &p["body"] {
            Value::Null => req,
            Value::String(s) => req.body(s.clone()),
            other if has_type => req.body(other.to_string()),
            other => req.json(other),
        };
        let started = Instant::now();
        let mut res = req
            .send()
            .await
            .map_err(|e| JobError::new(format!("{method} {url} failed: {}", error_chain(&e))))?;
        let status = res.status();
        let mut body = Vec::new();
        while let Ok(Some(chunk)) = res.chunk().await {
            body.extend_from_slice(&chunk);
            if body.len() >= MAX_BODY {
                break;
            }
        }
        let ms = started.elapsed().as_millis();
        let mut text = String::from_utf8_lossy(&body).into_owned();
        if text.len() > KEPT_BODY {
            let mut end = KEPT_BODY;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        let line = format!("{method} {url} → {status} in {ms} ms");
        if status.is_success() {
            ctx.log("info", line).await;
            Ok(json!({"status": status.as_u16(), "body": text}))
        } else {
            ctx.log("error", line).await;
            Err(JobError::new(format!("{method} {url} answered {status}")))
        }
    }
}

/// An error with its causes (reqwest hides the interesting part in `source`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(url: &str, targets: &[&str]) -> bool {
        let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
        target_allowed(&Url::parse(url).unwrap(), &targets)
    }

    #[test]
    fn targets() {
        assert!(allowed("http://127.0.0.1:9/x", &[]));
        assert!(allowed("https://hooks.example.com/x", &["*.example.com"]));
        assert!(!allowed(
            "https://example.com.evil.net/x",
            &["*.example.com"]
        ));
        assert!(allowed("http://127.0.0.1:8080/x", &["127.0.0.1:8080"]));
        assert!(!allowed("http://127.0.0.1:8081/x", &["127.0.0.1:8080"]));
        assert!(allowed("https://ci.internal/x", &["ci.internal:443"]));
        assert!(allowed("http://[::1]:80/", &["::1"]));
    }
}
