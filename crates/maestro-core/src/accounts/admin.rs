//! Administration of accounts: listing and finding users, promoting, disabling, resetting a
//! password — plus the command-line paths for a locked-out installation.

use maestro_model::query::PageRequest;
use maestro_model::{FieldError, UserId};
use serde_json::{Map, Value, json};

use super::{as_object, password, user_view};
use crate::ports::UserRecord;
use crate::{Caller, Core, CoreError, CoreResult, Page};

fn require_admin(caller: &Caller) -> CoreResult<()> {
    if caller.admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only administrators can do that".into(),
        ))
    }
}

/// What any account may learn about another: enough to share with it.
fn public_view(u: &UserRecord) -> Value {
    json!({"id": u.id, "name": u.name})
}

impl Core {
    /// Administrators list and search every account (`q`, `page`, `limit`). Others may only look
    /// an account up by its exact e-mail (`?email=`), to share with it — no enumeration.
    pub async fn list_users(
        &self,
        caller: &Caller,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let mut errors = Vec::new();
        let page = PageRequest::parse(pairs, &mut errors);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        for (k, _) in pairs {
            if !matches!(k.as_str(), "page" | "limit" | "q" | "email") {
                errors.push(FieldError::new(
                    k,
                    "unknown parameter; use q, email, page or limit",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        if let Some(email) = get("email") {
            let found = self
                .store
                .user_by_email(&email.trim().to_lowercase())
                .await?
                .filter(|u| u.active);
            let items: Vec<Value> = found
                .iter()
                .map(|u| {
                    if caller.admin {
                        user_view(u)
                    } else {
                        public_view(u)
                    }
                })
                .collect();
            return Ok(Page {
                total: items.len() as u64,
                items,
                page: 1,
                limit: page.limit,
            });
        }
        require_admin(caller)?;
        let (users, total) = self.store.list_users(get("q"), page).await?;
        Ok(Page {
            items: users.iter().map(user_view).collect(),
            total,
            page: page.page,
            limit: page.limit,
        })
    }

    /// One account: the full view for administrators and oneself, id and name for others.
    pub async fn get_user(&self, caller: &Caller, id: UserId) -> CoreResult<Value> {
        let user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| CoreError::not_found("account"))?;
        if caller.admin || caller.user == Some(id) {
            Ok(user_view(&user))
        } else if user.active {
            Ok(public_view(&user))
        } else {
            Err(CoreError::not_found("account"))
        }
    }

    /// Administrators promote, demote, disable and re-enable accounts (`admin`, `active`) and
    /// rename them. The last active administrator cannot be demoted or disabled.
    pub async fn update_user(
        &self,
        caller: &Caller,
        id: UserId,
        body: &Value,
    ) -> CoreResult<Value> {
        require_admin(caller)?;
        let body = as_object(body)?;
        let mut user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| CoreError::not_found("account"))?;
        let before = user_view(&user);
        let mut errors = Vec::new();
        for (k, v) in body {
            match (k.as_str(), v) {
                ("admin", Value::Bool(b)) => user.admin = *b,
                ("active", Value::Bool(b)) => user.active = *b,
                ("name", Value::String(n)) if !maestro_model::validate::is_one_line(n) => errors
                    .push(FieldError::new(
                        "name",
                        maestro_model::validate::NOT_ONE_LINE,
                    )),
                ("name", Value::String(n)) if (2..=100).contains(&n.trim().chars().count()) => {
                    user.name = n.trim().to_owned()
                }
                ("name", _) => errors.push(FieldError::new("name", "must be 2 to 100 characters")),
                ("admin" | "active", _) => errors.push(FieldError::new(k, "must be true or false")),
                _ => errors.push(FieldError::new(
                    k,
                    "unknown field; administrators change admin, active and name",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let was_admin = before["admin"] == json!(true) && before["active"] == json!(true);
        if was_admin && !(user.admin && user.active) && self.store.count_admins().await? <= 1 {
            return Err(CoreError::Conflict(
                "this is the last administrator: promote another account first".into(),
            ));
        }
        let after = user_view(&user);
        let changes = maestro_model::diff::diff(
            before.as_object().unwrap_or(&Map::new()),
            after.as_object().unwrap_or(&Map::new()),
        );
        if changes.is_empty() {
            return Ok(after);
        }
        user.updated_at = self.now();
        let change = self.user_change(
            caller,
            &user,
            "update",
            serde_json::to_value(changes).unwrap_or_default(),
        );
        self.store.update_user(&user, Some(&change)).await?;
        if !user.active {
            self.store
                .revoke_user_sessions(id, user.updated_at, None, true)
                .await?;
        }
        Ok(user_view(&user))
    }

    /// An administrator sets a new password for an account; its sessions end.
    pub async fn admin_reset_password(
        &self,
        caller: &Caller,
        id: UserId,
        body: &Value,
    ) -> CoreResult<()> {
        require_admin(caller)?;
        let body = as_object(body)?;
        let mut errors = Vec::new();
        super::reject_unknown(body, &["password"], &mut errors);
        let new = super::required_str(body, "password", &mut errors).to_owned();
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        self.set_password(caller, id, &new).await
    }

    /// Sets a password (strength checked), records it and ends the account's sessions.
    pub(crate) async fn set_password(
        &self,
        caller: &Caller,
        id: UserId,
        new: &str,
    ) -> CoreResult<()> {
        password::check_strength(new)?;
        let mut user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| CoreError::not_found("account"))?;
        user.password_hash = password::hash(new)?;
        user.updated_at = self.now();
        let change = self.user_change(
            caller,
            &user,
            "update",
            json!([{"path": "password", "old": "***", "new": "***"}]),
        );
        self.store.update_user(&user, Some(&change)).await?;
        self.store
            .revoke_user_sessions(id, user.updated_at, None, true)
            .await?;
        Ok(())
    }

    /// `maestro admin create-user`: creates an account (optionally an administrator).
    pub async fn cli_create_user(
        &self,
        name: &str,
        email: &str,
        password: &str,
        admin: bool,
    ) -> CoreResult<Value> {
        let body = json!({"name": name, "email": email, "password": password});
        let created = self.register_unchecked(&body).await?;
        let id: UserId = created["id"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .map_err(|_| CoreError::Internal("bad id".into()))?;
        if admin && created["admin"] != json!(true) {
            let system = Caller::system(crate::Source::System);
            return self.update_user(&system, id, &json!({"admin": true})).await;
        }
        Ok(created)
    }

    /// `maestro admin reset-password`: sets the password of the account with this e-mail.
    pub async fn cli_reset_password(&self, email: &str, password: &str) -> CoreResult<()> {
        let user = self
            .store
            .user_by_email(&email.trim().to_lowercase())
            .await?
            .ok_or_else(|| CoreError::not_found(format!("account {email}")))?;
        self.set_password(&Caller::system(crate::Source::System), user.id, password)
            .await
    }
}

impl Core {
    /// An account's history (profile, promotion, password events): administrators and oneself.
    pub async fn user_history(
        &self,
        caller: &Caller,
        id: UserId,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        if !caller.admin && caller.user != Some(id) {
            return Err(CoreError::not_found("account"));
        }
        self.subject_history("user", &id.to_string(), pairs).await
    }

    /// One page of history for any subject, newest first.
    pub(crate) async fn subject_history(
        &self,
        kind: &str,
        id: &str,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let mut errors = Vec::new();
        let page = PageRequest::parse(pairs, &mut errors);
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let (items, total) = self.store.history(kind, id, page).await?;
        Ok(Page {
            items: items.iter().map(crate::views::change_view).collect(),
            total,
            page: page.page,
            limit: page.limit,
        })
    }
}
