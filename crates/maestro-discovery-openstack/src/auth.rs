//! Keystone v3 authentication: a project-scoped password token (user by name and domain, or by
//! id) or an application credential, and the service catalog that comes with it. Credentials stay
//! in memory for the run (a refused token is renewed once) and are never logged.

use maestro_discovery::{Account, ProviderError};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::{classify, retry_delay};
use crate::catalog::{Catalog, CatalogService};

/// How to ask Keystone for a token (built from an [`Account`], holds the secret).
#[derive(Clone)]
pub struct Login {
    tokens_url: Url,
    body: Value,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body holds the password: never printed.
        f.debug_struct("Login")
            .field("tokens_url", &self.tokens_url.as_str())
            .finish_non_exhaustive()
    }
}

/// A token and what came with it.
pub struct Token {
    pub id: String,
    pub catalog: Catalog,
}

fn cred<'a>(c: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    c.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn missing(what: &str) -> ProviderError {
    ProviderError::Auth(format!("the connection has no {what}"))
}

/// `{"id": …}` or `{"name": …}` of a domain; Keystone's `default` domain when none is given.
fn domain(id: Option<&str>, name: Option<&str>) -> Value {
    match (id, name) {
        (Some(id), _) => json!({ "id": id }),
        (None, Some(name)) => json!({ "name": name }),
        (None, None) => json!({ "id": "default" }),
    }
}

/// The Keystone v3 tokens URL for an auth URL given with or without its version.
pub fn tokens_url(auth_url: &str) -> Result<Url, ProviderError> {
    let bad = |e: String| ProviderError::Other(format!("invalid auth_url {auth_url:?}: {e}"));
    let mut url = Url::parse(auth_url.trim()).map_err(|e| bad(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("not an http(s) URL".into()));
    }
    url.set_query(None);
    let mut path: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    match path.last().map(String::as_str) {
        Some("v3") => {}
        Some("v2.0") => *path.last_mut().expect("last") = "v3".into(),
        _ => path.push("v3".into()),
    }
    path.extend(["auth".into(), "tokens".into()]);
    url.set_path(&path.join("/"));
    Ok(url)
}

impl Login {
    /// Reads the connection: `credentials.username` (or `user_id`) and `password` with the user's
    /// domain from `user_domain_id` (or `credentials.domain_name`), scoped to `project_id`; or
    /// `credentials.application_credential_id` and `application_credential_secret`.
    pub fn from_account(account: &Account) -> Result<Self, ProviderError> {
        if let Some(v) = account.api_version.as_deref().map(str::trim)
            && !matches!(v, "" | "3" | "v3")
        {
            return Err(ProviderError::Other(format!(
                "Keystone API version {v} is not supported: use 3"
            )));
        }
        let auth_url = account
            .auth_url
            .as_deref()
            .ok_or_else(|| missing("auth_url"))?;
        let c = &account.credentials;
        let identity = if let Some(secret) = cred(c, "application_credential_secret") {
            let mut app = Map::new();
            app.insert("secret".into(), secret.into());
            if let Some(id) = cred(c, "application_credential_id") {
                app.insert("id".into(), id.into());
            } else {
                let name = cred(c, "application_credential_name")
                    .ok_or_else(|| missing("application_credential_id"))?;
                app.insert("name".into(), name.into());
                app.insert("user".into(), user(account)?);
            }
            json!({ "methods": ["application_credential"], "application_credential": app })
        } else {
            let mut u = user(account)?;
            let password = cred(c, "password").ok_or_else(|| missing("password"))?;
            u["password"] = password.into();
            json!({ "methods": ["password"], "password": { "user": u } })
        };
        let mut auth = json!({ "identity": identity });
        if cred(c, "application_credential_secret").is_none() {
            auth["scope"] = scope(account)?;
        }
        Ok(Login {
            tokens_url: tokens_url(auth_url)?,
            body: json!({ "auth": auth }),
        })
    }

    /// Asks Keystone for a token, retrying while it is throttled.
    pub async fn token(&self, http: &reqwest::Client) -> Result<Token, ProviderError> {
        let action = "identity: POST /v3/auth/tokens";
        let mut attempt = 0;
        loop {
            let rsp = http
                .post(self.tokens_url.clone())
                .json(&self.body)
                .send()
                .await
                .map_err(|e| {
                    crate::api::unreachable(&format!("Keystone at {}", self.tokens_url), &e)
                })?;
            let status = rsp.status();
            if let Some(delay) = retry_delay(status, rsp.headers(), attempt) {
                attempt += 1;
                tokio::time::sleep(delay).await;
                continue;
            }
            let header = rsp
                .headers()
                .get("x-subject-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = rsp.text().await.unwrap_or_default();
            if !status.is_success() {
                return Err(match status {
                    StatusCode::UNAUTHORIZED => ProviderError::Auth(format!(
                        "Keystone refused the credentials: {}",
                        crate::api::message(&body)
                    )),
                    _ => classify(status, &body, action, attempt),
                });
            }
            let id = header.ok_or_else(|| {
                ProviderError::Other("Keystone answered without an X-Subject-Token".into())
            })?;
            let parsed: TokenBody = serde_json::from_str(&body).map_err(|e| {
                ProviderError::Other(format!("unexpected Keystone token answer: {e}"))
            })?;
            return Ok(Token {
                id,
                catalog: Catalog::new(parsed.token.catalog),
            });
        }
    }
}

fn user(account: &Account) -> Result<Value, ProviderError> {
    let c = &account.credentials;
    if let Some(id) = cred(c, "user_id") {
        return Ok(json!({ "id": id }));
    }
    let name = cred(c, "username").ok_or_else(|| missing("username"))?;
    let domain_id = account
        .user_domain_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| cred(c, "user_domain_id"));
    let domain_name = cred(c, "domain_name").or_else(|| cred(c, "user_domain_name"));
    Ok(json!({ "name": name, "domain": domain(domain_id, domain_name) }))
}

fn scope(account: &Account) -> Result<Value, ProviderError> {
    let c = &account.credentials;
    let id = account
        .project_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| cred(c, "project_id"));
    if let Some(id) = id {
        return Ok(json!({ "project": { "id": id } }));
    }
    let name = cred(c, "project_name").ok_or_else(|| missing("project_id"))?;
    let d = domain(cred(c, "project_domain_id"), cred(c, "project_domain_name"));
    Ok(json!({ "project": { "name": name, "domain": d } }))
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInner,
}

#[derive(Deserialize)]
struct TokenInner {
    #[serde(default)]
    catalog: Vec<CatalogService>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_url_accepts_versioned_and_bare_auth_urls() {
        for (given, want) in [
            ("http://k:5000", "http://k:5000/v3/auth/tokens"),
            ("http://k:5000/v3/", "http://k:5000/v3/auth/tokens"),
            ("https://k/identity", "https://k/identity/v3/auth/tokens"),
            (
                "https://k/identity/v2.0",
                "https://k/identity/v3/auth/tokens",
            ),
        ] {
            assert_eq!(tokens_url(given).unwrap().as_str(), want);
        }
        assert!(tokens_url("ftp://k").is_err());
    }

    fn account(creds: Value) -> Account {
        Account {
            connection_id: "c".into(),
            provider: "openstack".into(),
            regions: vec![],
            credentials: creds.as_object().unwrap().clone(),
            auth_url: Some("http://k/v3".into()),
            project_id: Some("p1".into()),
            user_domain_id: None,
            api_version: Some("3".into()),
            endpoint_url: None,
        }
    }

    #[test]
    fn password_login_is_project_scoped_and_never_printed() {
        let login = Login::from_account(&account(
            json!({"username": "ada", "password": "s3cret", "domain_name": "Corp"}),
        ))
        .unwrap();
        assert_eq!(
            login.body["auth"]["identity"]["password"]["user"],
            json!({"name": "ada", "domain": {"name": "Corp"}, "password": "s3cret"})
        );
        assert_eq!(
            login.body["auth"]["scope"],
            json!({"project": {"id": "p1"}})
        );
        assert!(!format!("{login:?}").contains("s3cret"));
    }

    #[test]
    fn application_credentials_are_not_scoped() {
        let login = Login::from_account(&account(json!({
            "application_credential_id": "ac", "application_credential_secret": "x"
        })))
        .unwrap();
        assert_eq!(
            login.body["auth"]["identity"]["methods"],
            json!(["application_credential"])
        );
        assert!(login.body["auth"].get("scope").is_none());
        let err = Login::from_account(&account(json!({"username": "ada"}))).unwrap_err();
        assert!(matches!(err, ProviderError::Auth(_)));
    }
}
