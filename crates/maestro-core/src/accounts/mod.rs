//! Accounts: registration, login, token verification and the caller's own profile.

pub mod admin;
pub mod api_tokens;
pub mod avatar;
pub mod password;
pub mod profile;
pub mod recovery;
pub mod throttle;
pub mod tokens;

use maestro_model::{FieldError, Role, TeamId, UserId};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::ports::{ChangeRecord, SessionRecord, StoreError, UserRecord};
use crate::{Caller, Core, CoreError, CoreResult, Source};

/// The answer to a successful login.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoginToken {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user: Value,
}

/// Reads a required string field from a JSON body, collecting errors.
pub(crate) fn required_str<'a>(
    body: &'a Map<String, Value>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> &'a str {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        Some(Value::String(_)) | None | Some(Value::Null) => {
            errors.push(FieldError::new(field, "is required"));
            ""
        }
        Some(_) => {
            errors.push(FieldError::new(field, "must be a string"));
            ""
        }
    }
}

/// Rejects keys outside `allowed`.
pub(crate) fn reject_unknown(
    body: &Map<String, Value>,
    allowed: &[&str],
    errors: &mut Vec<FieldError>,
) {
    for key in body.keys() {
        if !allowed.contains(&key.as_str()) {
            errors.push(FieldError::new(key, "unknown field"));
        }
    }
}

pub(crate) fn as_object(body: &Value) -> CoreResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| CoreError::invalid("body", "must be a JSON object"))
}

fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn check_email(email: &str, errors: &mut Vec<FieldError>) {
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.ends_with('.') && !d.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if !email.is_empty() && !ok {
        errors.push(FieldError::new("email", "must be an e-mail address"));
    }
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    let n = name.trim().chars().count();
    if !maestro_model::validate::is_one_line(name) {
        errors.push(FieldError::new(
            "name",
            maestro_model::validate::NOT_ONE_LINE,
        ));
    } else if !name.is_empty() && !(2..=100).contains(&n) {
        errors.push(FieldError::new("name", "must be 2 to 100 characters"));
    }
}

/// The public view of an account (never the password hash).
pub fn user_view(u: &UserRecord) -> Value {
    let mut v = json!({
        "id": u.id,
        "name": u.name,
        "email": u.email,
        "admin": u.admin,
        "active": u.active,
    });
    if let Value::Object(map) = &mut v {
        for (k, val) in &u.profile {
            map.insert(k.clone(), val.clone());
        }
        map.insert("created_at".into(), json!(u.created_at));
        map.insert("updated_at".into(), json!(u.updated_at));
    }
    v
}

impl Core {
    /// Registers an account. The first account of an installation becomes an administrator.
    pub async fn register(&self, body: &Value) -> CoreResult<Value> {
        // Closed registration still lets the very first account in.
        if !self.config.registration_open && self.store.count_users().await? > 0 {
            as_object(body)?;
            return Err(CoreError::Forbidden(
                "registration is closed; ask an administrator".into(),
            ));
        }
        self.register_unchecked(body).await
    }

    /// Registers an account whatever the registration setting (administrator tools).
    pub(crate) async fn register_unchecked(&self, body: &Value) -> CoreResult<Value> {
        let body = as_object(body)?;
        let mut errors = Vec::new();
        reject_unknown(body, &["name", "email", "password"], &mut errors);
        let name = required_str(body, "name", &mut errors).trim().to_owned();
        let email = normalize_email(required_str(body, "email", &mut errors));
        let password = required_str(body, "password", &mut errors).to_owned();
        check_name(&name, &mut errors);
        check_email(&email, &mut errors);
        if !password.is_empty()
            && let Err(CoreError::Invalid(e)) = password::check_strength(&password)
        {
            errors.extend(e);
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        // Closed registration still lets the very first account in.
        if !self.config.registration_open && self.store.count_users().await? > 0 {
            return Err(CoreError::Forbidden(
                "registration is closed; ask an administrator".into(),
            ));
        }
        let now = self.now();
        let user = UserRecord {
            id: UserId::new(),
            email,
            name,
            password_hash: password::hash(&password)?,
            admin: false,
            active: true,
            profile: Map::new(),
            created_at: now,
            updated_at: now,
        };
        let change = ChangeRecord {
            id: Uuid::now_v7(),
            subject_kind: "user".into(),
            subject_id: user.id.to_string(),
            at: now,
            actor_id: Some(user.id.uuid()),
            actor_name: user.name.clone(),
            source: Source::Api.as_str().into(),
            op: "create".into(),
            changes: json!([
                {"path": "name", "old": null, "new": user.name},
                {"path": "email", "old": null, "new": user.email},
            ]),
            context: None,
        };
        let admin = match self.store.insert_user(&user, &change).await {
            Ok(admin) => admin,
            Err(StoreError::Duplicate(_)) => {
                return Err(CoreError::Conflict(
                    "an account with this e-mail already exists".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(user_view(&UserRecord { admin, ..user }))
    }

    /// Checks credentials and opens a session. Wrong e-mail or password: the same 401.
    pub async fn login(&self, body: &Value) -> CoreResult<LoginToken> {
        self.login_from(body, None).await
    }

    /// [`Core::login`] from a client address: failures are throttled per account and per address.
    pub async fn login_from(
        &self,
        body: &Value,
        client: Option<std::net::IpAddr>,
    ) -> CoreResult<LoginToken> {
        let body = as_object(body)?;
        let mut errors = Vec::new();
        reject_unknown(body, &["email", "password"], &mut errors);
        let email = normalize_email(required_str(body, "email", &mut errors));
        let password = required_str(body, "password", &mut errors).to_owned();
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let keys = throttle::keys(&email, client);
        self.check_login_lock(&keys).await?;
        let user = self.store.user_by_email(&email).await?;
        let user = match user {
            Some(u) if u.active && password::verify(&password, &u.password_hash) => u,
            Some(_) => {
                self.login_failed(&keys).await?;
                return Err(bad_credentials());
            }
            None => {
                password::verify_dummy(&password);
                self.login_failed(&keys).await?;
                return Err(bad_credentials());
            }
        };
        self.login_succeeded(&keys).await?;
        self.open_session(&user).await
    }

    /// Creates a session row and its signed token.
    pub async fn open_session(&self, user: &UserRecord) -> CoreResult<LoginToken> {
        let now = self.now();
        let expires_at = now + self.config.session_ttl;
        let session = SessionRecord {
            id: Uuid::now_v7(),
            user_id: user.id,
            kind: "session".into(),
            name: None,
            token_hash: None,
            created_at: now,
            expires_at: Some(expires_at),
            revoked_at: None,
            last_used_at: None,
        };
        self.store.insert_session(&session).await?;
        let token = self
            .keys
            .sign(user.id.uuid(), session.id, now, expires_at)?;
        Ok(LoginToken {
            token,
            expires_at,
            user: user_view(user),
        })
    }

    /// Turns a bearer token into a caller: valid signature, not expired, session not revoked,
    /// account active.
    pub async fn authenticate(&self, token: &str, source: Source) -> CoreResult<(Caller, Uuid)> {
        if api_tokens::is_api_token(token) {
            return self.authenticate_api_token(token, source).await;
        }
        let claims = self.keys.verify(token)?;
        let session_id: Uuid = claims
            .sid
            .parse()
            .map_err(|_| CoreError::Unauthenticated("invalid token".into()))?;
        let session = self
            .store
            .session(session_id)
            .await?
            .ok_or_else(|| CoreError::Unauthenticated("unknown session".into()))?;
        let now = self.now();
        if !session.is_live(now) {
            return Err(CoreError::Unauthenticated(
                "the session has ended; sign in again".into(),
            ));
        }
        if session.user_id.to_string() != claims.sub {
            return Err(CoreError::Unauthenticated("invalid token".into()));
        }
        let caller = self.caller_for(session.user_id, source).await?;
        Ok((caller, session.id))
    }

    /// Loads a user's caller identity: admin flag and team memberships.
    pub async fn caller_for(&self, user_id: UserId, source: Source) -> CoreResult<Caller> {
        let user = self
            .store
            .user(user_id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| CoreError::Unauthenticated("the account is disabled or gone".into()))?;
        let teams = self
            .store
            .memberships(user.id)
            .await?
            .into_iter()
            .map(|(t, r)| (TeamId::from_uuid(t), r))
            .collect::<Vec<(TeamId, Role)>>();
        Ok(Caller {
            user: Some(user.id),
            name: user.name,
            admin: user.admin,
            teams,
            source,
            context: None,
            acting_team: None,
        })
    }

    /// Extends a login session and returns a fresh token with the new expiry.
    pub async fn renew_session(&self, caller: &Caller, session: Uuid) -> CoreResult<LoginToken> {
        let record = self
            .store
            .session(session)
            .await?
            .filter(|s| s.kind == "session")
            .ok_or_else(|| {
                CoreError::BadRequest("only login sessions can be renewed, not API tokens".into())
            })?;
        let user = self
            .store
            .user(record.user_id)
            .await?
            .filter(|u| Some(u.id) == caller.user)
            .ok_or_else(|| CoreError::Unauthenticated("unknown session".into()))?;
        let now = self.now();
        let expires_at = now + self.config.session_ttl;
        self.store.extend_session(session, expires_at).await?;
        let token = self.keys.sign(user.id.uuid(), session, now, expires_at)?;
        Ok(LoginToken {
            token,
            expires_at,
            user: user_view(&user),
        })
    }

    /// Ends a session.
    pub async fn logout(&self, session: Uuid) -> CoreResult<()> {
        self.store.revoke_session(session, self.now()).await?;
        Ok(())
    }

    /// The caller's own account.
    pub async fn me(&self, caller: &Caller) -> CoreResult<Value> {
        let id = caller
            .user
            .ok_or_else(|| CoreError::Unauthenticated("no account".into()))?;
        let user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| CoreError::not_found("account"))?;
        let mut view = user_view(&user);
        if let Value::Object(map) = &mut view {
            let teams: Vec<Value> = caller
                .teams
                .iter()
                .map(|(t, r)| json!({"id": t, "role": r}))
                .collect();
            map.insert("teams".into(), Value::Array(teams));
        }
        Ok(view)
    }
}

fn bad_credentials() -> CoreError {
    CoreError::Unauthenticated("invalid e-mail or password".into())
}
