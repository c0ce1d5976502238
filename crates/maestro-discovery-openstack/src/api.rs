//! Authenticated GETs against the catalog's endpoints: throttling (429/503) backs off and
//! retries, a refused token is renewed once, and failures are classified — 401 `Auth`, 403
//! `Permission` naming the API policy, anything else `Other`.

use std::sync::Mutex;
use std::time::Duration;

use maestro_discovery::{Account, ProviderError, backoff};
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::auth::Login;
use crate::catalog::{Catalog, Service};

/// Retries of a throttled call before giving up.
pub const MAX_RETRIES: u32 = 5;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// A logged-in session for one run in one region.
pub struct Api {
    http: reqwest::Client,
    login: Login,
    token: Mutex<String>,
    catalog: Catalog,
    region: String,
    endpoint_url: Option<String>,
}

impl Api {
    /// Logs in and keeps the catalog. An empty `region` means the catalog's first one.
    pub async fn connect(
        http: reqwest::Client,
        account: &Account,
        region: &str,
    ) -> Result<Self, ProviderError> {
        let login = Login::from_account(account)?;
        let token = login.token(&http).await?;
        let region = match region.trim() {
            "" => token
                .catalog
                .regions()
                .into_iter()
                .next()
                .unwrap_or_default(),
            r => r.to_owned(),
        };
        Ok(Api {
            http,
            login,
            token: Mutex::new(token.id),
            catalog: token.catalog,
            region,
            endpoint_url: account.endpoint_url.clone(),
        })
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The versioned base URL of a service (ends with `/`).
    pub fn endpoint(&self, service: Service) -> Result<Url, ProviderError> {
        self.catalog
            .endpoint(service, &self.region, self.endpoint_url.as_deref())
    }

    fn current_token(&self) -> String {
        self.token.lock().map(|t| t.clone()).unwrap_or_default()
    }

    async fn renew(&self) -> Result<(), ProviderError> {
        let fresh = self.login.token(&self.http).await?;
        if let Ok(mut t) = self.token.lock() {
            *t = fresh.id;
        }
        Ok(())
    }

    /// GETs `url` as JSON. `action` names the API policy for permission errors.
    pub async fn get(
        &self,
        url: &Url,
        headers: &[(&str, &str)],
        action: &str,
    ) -> Result<Value, ProviderError> {
        match self.get_opt(url, headers, action).await? {
            Some(v) => Ok(v),
            None => Err(ProviderError::Other(format!(
                "{action}: HTTP 404 Not Found at {}",
                redact(url)
            ))),
        }
    }

    /// Like [`Api::get`], with `None` for a 404 (a flavor deleted since a server used it).
    pub async fn get_opt(
        &self,
        url: &Url,
        headers: &[(&str, &str)],
        action: &str,
    ) -> Result<Option<Value>, ProviderError> {
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            let mut req = self
                .http
                .get(url.clone())
                .header("x-auth-token", self.current_token())
                .header("accept", "application/json");
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let rsp = req
                .send()
                .await
                .map_err(|e| unreachable(&redact(url), &e))?;
            let status = rsp.status();
            if let Some(delay) = retry_delay(status, rsp.headers(), attempt) {
                tracing::debug!(url = %redact(url), %status, attempt, "throttled; retrying");
                attempt += 1;
                tokio::time::sleep(delay).await;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED && !renewed {
                renewed = true;
                self.renew().await?;
                continue;
            }
            if status == StatusCode::NOT_FOUND {
                return Ok(None);
            }
            let body = rsp.text().await.map_err(|e| {
                ProviderError::Other(format!("reading {} failed: {e}", redact(url)))
            })?;
            if !status.is_success() {
                return Err(classify(status, &body, action, attempt));
            }
            return serde_json::from_str(&body).map(Some).map_err(|e| {
                ProviderError::Other(format!("{} answered invalid JSON: {e}", redact(url)))
            });
        }
    }
}

/// The URL without its query (markers and filters are noise in messages).
fn redact(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

/// How long to wait before retrying a throttled answer, or `None` when it is not throttled or
/// the retries are spent.
pub fn retry_delay(status: StatusCode, headers: &HeaderMap, attempt: u32) -> Option<Duration> {
    let throttled = matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    );
    if !throttled || attempt >= MAX_RETRIES {
        return None;
    }
    let asked = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or_default()
        .min(MAX_RETRY_AFTER);
    Some(asked.max(backoff(attempt)))
}

/// Turns a failed answer into a [`ProviderError`].
pub fn classify(status: StatusCode, body: &str, action: &str, retries: u32) -> ProviderError {
    let msg = message(body);
    match status {
        StatusCode::UNAUTHORIZED => ProviderError::Auth(format!("token refused: {msg}")),
        StatusCode::FORBIDDEN => ProviderError::Permission {
            action: action.to_owned(),
            message: msg,
        },
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            ProviderError::Throttled(format!("{status} after {retries} retries: {msg}"))
        }
        _ => ProviderError::Other(format!("{action}: HTTP {status}: {msg}")),
    }
}

/// The human message of an OpenStack error body: Nova/Cinder `{"forbidden": {"message"}}`,
/// Neutron `{"NeutronError": {"message"}}`, Keystone `{"error": {"message"}}`, Octavia
/// `{"faultstring"}`, or the text itself (Glance answers plain text).
pub fn message(body: &str) -> String {
    let from_json = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        let obj = v.as_object()?;
        if let Some(s) = obj.get("faultstring").and_then(Value::as_str) {
            return Some(s.to_owned());
        }
        if let Some(s) = obj.get("message").and_then(Value::as_str) {
            return Some(s.to_owned());
        }
        obj.values()
            .find_map(|inner| inner.get("message").and_then(Value::as_str))
            .map(str::to_owned)
    });
    let text = from_json.unwrap_or_else(|| body.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut out: String = text.chars().take(300).collect();
    if out.is_empty() {
        out.push_str("no details");
    }
    out
}

/// A request that got no answer from `what`: unreachable (connect, timeout) or failed otherwise.
pub(crate) fn unreachable(what: &str, e: &reqwest::Error) -> ProviderError {
    if e.is_connect() || e.is_timeout() {
        ProviderError::Unreachable(format!("{what}: {e}"))
    } else {
        ProviderError::Other(format!("{what} unreachable: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_each_service_style() {
        let nova = r#"{"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:servers:detail to be performed."}}"#;
        assert!(message(nova).starts_with("Policy doesn't allow os_compute_api"));
        let neutron =
            r#"{"NeutronError": {"type": "HTTPForbidden", "message": "no", "detail": ""}}"#;
        assert_eq!(message(neutron), "no");
        assert_eq!(
            message(r#"{"faultstring": "Policy does not allow", "debuginfo": null}"#),
            "Policy does not allow"
        );
        assert_eq!(message("403 Forbidden\n\n  denied"), "403 Forbidden denied");
        assert_eq!(message(""), "no details");
    }

    #[test]
    fn classification_and_retry_policy() {
        let e = classify(StatusCode::FORBIDDEN, "{}", "compute: x", 0);
        assert!(
            matches!(e, ProviderError::Permission { ref action, .. } if action == "compute: x")
        );
        assert!(matches!(
            classify(StatusCode::UNAUTHORIZED, "", "a", 0),
            ProviderError::Auth(_)
        ));
        assert!(matches!(
            classify(StatusCode::NOT_FOUND, "", "a", 0),
            ProviderError::Other(_)
        ));
        let h = HeaderMap::new();
        assert!(retry_delay(StatusCode::TOO_MANY_REQUESTS, &h, 0).is_some());
        assert!(retry_delay(StatusCode::SERVICE_UNAVAILABLE, &h, MAX_RETRIES).is_none());
        assert!(retry_delay(StatusCode::INTERNAL_SERVER_ERROR, &h, 0).is_none());
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(
            retry_delay(StatusCode::TOO_MANY_REQUESTS, &h, 0),
            Some(Duration::from_secs(2))
        );
    }
}
