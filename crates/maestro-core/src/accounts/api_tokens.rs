//! Personal API tokens for scripts and integrations: named, shown once, stored as a SHA-256
//! hash, scoped to the owner's access, revocable, with a last-used time.
//! Format: `mt_<token id>_<secret>`.

use chrono::{DateTime, Utc};
use maestro_model::FieldError;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{as_object, reject_unknown, required_str};
use crate::ports::SessionRecord;
use crate::{Caller, Core, CoreError, CoreResult, Source};

const PREFIX: &str = "mt_";
/// Last-used times are refreshed at most this often (seconds), to spare a write per request.
const TOUCH_EVERY: i64 = 60;
/// Tokens an account may hold at once (neither revoked nor expired): enough for every script
/// and integration, and a bound on what a leaked session can mint.
pub const MAX_LIVE_TOKENS: usize = 50;
/// How long a token lasts when its creation does not say.
const DEFAULT_DAYS: i64 = 90;

pub(crate) fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a bearer token is an API token (rather than a session JWT).
pub fn is_api_token(token: &str) -> bool {
    token.starts_with(PREFIX)
}

fn token_view(s: &SessionRecord) -> Value {
    json!({
        "id": s.id,
        "name": s.name,
        "created_at": s.created_at,
        "expires_at": s.expires_at,
        "last_used_at": s.last_used_at,
        "revoked_at": s.revoked_at,
    })
}

impl Core {
    /// Creates an API token for the caller signed in as `session`; the secret is in this
    /// answer only. A token cannot mint others: one that leaked would otherwise leave tokens
    /// behind that outlive its revocation.
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        session: Uuid,
        body: &Value,
    ) -> CoreResult<Value> {
        let user = caller
            .user
            .ok_or_else(|| CoreError::Forbidden("only accounts have tokens".into()))?;
        if self
            .store
            .session(session)
            .await?
            .is_some_and(|s| s.kind == "api")
        {
            return Err(CoreError::Forbidden(
                "an API token cannot create API tokens: sign in (POST /api/v1/auth/login) and \
                 create it with that session"
                    .into(),
            ));
        }
        let body = as_object(body)?;
        let mut errors = Vec::new();
        reject_unknown(body, &["name", "expires_at"], &mut errors);
        let name = required_str(body, "name", &mut errors).trim().to_owned();
        if name.chars().count() > 100 {
            errors.push(FieldError::new("name", "must be at most 100 characters"));
        } else if !maestro_model::validate::is_one_line(&name) {
            errors.push(FieldError::new(
                "name",
                maestro_model::validate::NOT_ONE_LINE,
            ));
        }
        let now = self.now();
        let expires_at = match body.get("expires_at") {
            // Unsaid, a token lasts 90 days; one that never expires is asked for (`null`).
            None => Some(now + chrono::Duration::days(DEFAULT_DAYS)),
            Some(Value::Null) => None,
            Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) if t.with_timezone(&Utc) > now => Some(t.with_timezone(&Utc)),
                Ok(_) => {
                    errors.push(FieldError::new("expires_at", "must be in the future"));
                    None
                }
                Err(_) => {
                    errors.push(FieldError::new(
                        "expires_at",
                        "must be an RFC 3339 timestamp",
                    ));
                    None
                }
            },
            Some(_) => {
                errors.push(FieldError::new(
                    "expires_at",
                    "must be an RFC 3339 timestamp",
                ));
                None
            }
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let live = self.store.api_tokens(user).await?;
        let live = live.iter().filter(|t| t.is_live(now)).count();
        if live >= MAX_LIVE_TOKENS {
            return Err(CoreError::Conflict(format!(
                "an account holds at most {MAX_LIVE_TOKENS} live API tokens: revoke one first"
            )));
        }
        let secret = random_secret();
        let record = SessionRecord {
            id: Uuid::now_v7(),
            user_id: user,
            kind: "api".into(),
            name: Some(name),
            token_hash: Some(sha256_hex(&secret)),
            created_at: now,
            expires_at,
            revoked_at: None,
            last_used_at: None,
        };
        self.store.insert_session(&record).await?;
        let mut view = token_view(&record);
        view["token"] = json!(format!("{PREFIX}{}_{secret}", record.id.simple()));
        Ok(view)
    }

    /// The caller's API tokens (never their secrets).
    pub async fn list_api_tokens(&self, caller: &Caller) -> CoreResult<Value> {
        let user = caller
            .user
            .ok_or_else(|| CoreError::Forbidden("only accounts have tokens".into()))?;
        let tokens: Vec<Value> = self
            .store
            .api_tokens(user)
            .await?
            .iter()
            .map(token_view)
            .collect();
        let total = tokens.len();
        Ok(json!({"items": tokens, "total": total, "page": 1, "limit": total.max(1)}))
    }

    /// Revokes one of the caller's API tokens.
    pub async fn revoke_api_token(&self, caller: &Caller, id: Uuid) -> CoreResult<()> {
        let session = self.store.session(id).await?;
        match session {
            Some(s) if s.kind == "api" && Some(s.user_id) == caller.user => {
                self.store.revoke_session(id, self.now()).await?;
                Ok(())
            }
            _ => Err(CoreError::not_found("token")),
        }
    }

    /// Authenticates `mt_<id>_<secret>`.
    pub(crate) async fn authenticate_api_token(
        &self,
        token: &str,
        source: Source,
    ) -> CoreResult<(Caller, Uuid)> {
        let invalid = || CoreError::Unauthenticated("invalid API token".into());
        let rest = token.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let (id, secret) = rest.split_once('_').ok_or_else(invalid)?;
        let id = Uuid::try_parse(id).map_err(|_| invalid())?;
        let session = self.store.session(id).await?.ok_or_else(invalid)?;
        let now = self.now();
        let expected = session.token_hash.as_deref().unwrap_or_default();
        if session.kind != "api"
            || !constant_time_eq(expected.as_bytes(), sha256_hex(secret).as_bytes())
        {
            return Err(invalid());
        }
        if !session.is_live(now) {
            return Err(CoreError::Unauthenticated(
                "the API token was revoked or has expired".into(),
            ));
        }
        if session
            .last_used_at
            .is_none_or(|t| (now - t).num_seconds() >= TOUCH_EVERY)
        {
            self.store.touch_session(id, now).await?;
        }
        let caller = self.caller_for(session.user_id, source).await?;
        Ok((caller, session.id))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
