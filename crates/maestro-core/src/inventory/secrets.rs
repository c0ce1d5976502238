//! Write-only fields on the write path: sealing what a request sends, recording only that it
//! changed (`***`), removing on `null`, and the per-provider shape of connection credentials.

use maestro_model::schema::Kind;
use maestro_model::{EntityId, FieldError};
use serde_json::{Map, Value, json};

use super::regions;
use crate::{Core, CoreError, CoreResult};

/// What to store and what to record for the secret fields of one write.
#[derive(Default)]
pub struct SecretWrite {
    pub sealed: Vec<(EntityId, Option<String>)>,
    pub changes: Vec<Value>,
}

/// Fields of OpenStack connections (Keystone's), refused on AWS ones rather than kept unused.
const OPENSTACK_ONLY: [&str; 4] = ["auth_url", "project_id", "user_domain_id", "api_version"];

/// Where a connection's stored credentials go: they were given for this provider and these
/// endpoints, and are sent nowhere else.
const CREDENTIALS_BOUND_TO: [&str; 3] = ["provider", "endpoint_url", "auth_url"];

/// Why an update of a connection must send its credentials again, if it must: they are bound to
/// the provider and the endpoints they were given for — anyone who may edit the connection
/// could otherwise point it at a server of their own and have Maestro send them there. Removing
/// them is refused: a connection has nothing to sync with without them.
pub fn credentials_needed(
    kind: Kind,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    removed: &[String],
) -> CoreResult<Option<&'static str>> {
    if kind != Kind::Connection {
        return Ok(None);
    }
    if removed.iter().any(|f| f == "credentials") {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "credentials",
            "cannot be removed: a connection needs them (send new ones to replace them)",
        )]));
    }
    let moved = CREDENTIALS_BOUND_TO
        .iter()
        .any(|f| before.get(*f) != after.get(*f));
    Ok(moved.then_some(
        "are required again when the provider, the endpoint URL or the Keystone URL changes: stored credentials are not sent to another endpoint",
    ))
}

/// Checks a connection's credentials and regions against its provider. `required` says why
/// credentials must be sent (on creation; see [`credentials_needed`] for updates).
pub fn check_credentials(
    kind: Kind,
    data: &Map<String, Value>,
    secrets: &Map<String, Value>,
    required: Option<&str>,
) -> CoreResult<()> {
    if kind != Kind::Connection {
        return Ok(());
    }
    let provider = data
        .get("provider")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if provider != "aws" && provider != "openstack" {
        // The schema refuses the provider itself; its credentials cannot be judged (an
        // unknown provider drew an error for every key as well).
        return Ok(());
    }
    let mut errors = regions::check(provider, data.get("regions"));
    // The connection's own fields first: what is wrong there is the real error, whatever the
    // credentials say.
    if provider == "aws" {
        for field in OPENSTACK_ONLY
            .iter()
            .filter(|f| data.get(**f).is_some_and(|v| !v.is_null()))
        {
            errors.push(FieldError::new(*field, "is for OpenStack connections only"));
        }
    }
    if provider == "openstack"
        && let Some(v) = data.get("api_version").and_then(Value::as_str)
        && !matches!(v.trim(), "3" | "v3")
    {
        errors.push(FieldError::new(
            "api_version",
            "must be 3: Maestro speaks Keystone v3",
        ));
    }
    // A URL's user and password would be shown wherever the URL is: credentials go in
    // `credentials`, which is sealed.
    for field in ["endpoint_url", "auth_url"] {
        if data
            .get(field)
            .and_then(Value::as_str)
            .and_then(|u| u.split_once("://"))
            .is_some_and(|(_, rest)| {
                rest.split(['/', '?', '#'])
                    .next()
                    .unwrap_or("")
                    .contains('@')
            })
        {
            errors.push(FieldError::new(
                field,
                "must not hold a user or password: put them in credentials, which are sealed",
            ));
        }
    }
    if provider == "openstack" {
        for field in ["auth_url"] {
            if data.get(field).is_none() {
                errors.push(FieldError::new(field, "is required for OpenStack"));
            }
        }
    }
    match secrets.get("credentials") {
        Some(creds) => credential_keys(provider, creds, &mut errors),
        None => {
            if let Some(why) = required {
                errors.push(FieldError::new("credentials", why));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// Checks the keys of a connection's `credentials` against its provider (`aws` or `openstack`).
fn credential_keys(provider: &str, creds: &Value, errors: &mut Vec<FieldError>) {
    let (allowed, needed): (&[&str], &[&str]) = match provider {
        "openstack" => (
            &[
                "username",
                "password",
                "domain_name",
                "application_credential_id",
                "application_credential_secret",
            ],
            &[],
        ),
        // "aws", the only other provider that reaches this point.
        _ => (
            &[
                "access_key_id",
                "secret_access_key",
                "session_token",
                "role_arn",
                "external_id",
            ],
            &["access_key_id", "secret_access_key"],
        ),
    };
    let obj = creds.as_object().cloned().unwrap_or_default();
    for (k, v) in &obj {
        if !allowed.contains(&k.as_str()) {
            errors.push(FieldError::new(
                format!("credentials.{k}"),
                format!("unknown for provider {provider}"),
            ));
        } else if v.as_str().is_none_or(|s| s.trim().is_empty()) {
            errors.push(FieldError::new(
                format!("credentials.{k}"),
                "must be a non-empty string",
            ));
        } else if v.as_str().is_some_and(|s| s.len() > 4096) {
            errors.push(FieldError::new(
                format!("credentials.{k}"),
                "must be at most 4096 characters",
            ));
        }
    }
    for k in needed {
        if !obj.contains_key(*k) {
            errors.push(FieldError::new(format!("credentials.{k}"), "is required"));
        }
    }
    if provider == "aws"
        && let Some(arn) = obj.get("role_arn").and_then(Value::as_str)
        && !regions::is_role_arn(arn)
    {
        errors.push(FieldError::new(
            "credentials.role_arn",
            "must be an IAM role ARN, like arn:aws:iam::123456789012:role/MaestroReadOnly",
        ));
    }
    if provider == "openstack" {
        let has_password = obj.contains_key("username") && obj.contains_key("password");
        let has_app = obj.contains_key("application_credential_id")
            && obj.contains_key("application_credential_secret");
        if !has_password && !has_app {
            errors.push(FieldError::new(
                "credentials",
                "need username and password (or an application credential)",
            ));
        }
    }
}

impl Core {
    /// Seals the secret fields a write sends. `removed` lists secret fields set to `null`.
    pub(crate) async fn seal_secrets(
        &self,
        id: EntityId,
        sent: &Map<String, Value>,
        removed: &[String],
        creating: bool,
    ) -> CoreResult<SecretWrite> {
        let mut out = SecretWrite::default();
        if sent.is_empty() && removed.is_empty() {
            return Ok(out);
        }
        let secret_box = self.secrets.as_ref().ok_or_else(|| {
            CoreError::Internal("no secret key is configured (MAESTRO_SECRET_KEY)".into())
        })?;
        let mut current: Map<String, Value> = Map::new();
        if !creating && let Some(sealed) = self.store.secret(id).await? {
            current = secret_box
                .open(&sealed)?
                .as_object()
                .cloned()
                .unwrap_or_default();
        }
        let mut next = current.clone();
        for (k, v) in sent {
            next.insert(k.clone(), v.clone());
        }
        for k in removed {
            next.remove(k);
        }
        let mut keys: Vec<&String> = current.keys().chain(next.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            if current.get(k) != next.get(k) {
                let mask = |v: Option<&Value>| {
                    if v.is_some() {
                        json!("***")
                    } else {
                        Value::Null
                    }
                };
                out.changes.push(
                    json!({"path": k, "old": mask(current.get(k)), "new": mask(next.get(k))}),
                );
            }
        }
        if !out.changes.is_empty() {
            let sealed = if next.is_empty() {
                None
            } else {
                Some(secret_box.seal(&Value::Object(next))?)
            };
            out.sealed.push((id, sealed));
        }
        Ok(out)
    }

    /// Opens a connection's `credentials` (for discovery; never exposed through the API).
    pub(crate) async fn open_credentials(&self, id: EntityId) -> CoreResult<Map<String, Value>> {
        Ok(credentials(&self.open_secrets(id).await?))
    }

    /// Opens an entity's secret fields (for discovery; never exposed through the API).
    pub async fn open_secrets(&self, id: EntityId) -> CoreResult<Map<String, Value>> {
        let Some(sealed) = self.store.secret(id).await? else {
            return Ok(Map::new());
        };
        let secret_box = self.secrets.as_ref().ok_or_else(|| {
            CoreError::Internal("no secret key is configured (MAESTRO_SECRET_KEY)".into())
        })?;
        Ok(secret_box
            .open(&sealed)?
            .as_object()
            .cloned()
            .unwrap_or_default())
    }
}

/// The `credentials` among an entity's open secret fields (a connection's).
pub(super) fn credentials(secrets: &Map<String, Value>) -> Map<String, Value> {
    secrets
        .get("credentials")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}
