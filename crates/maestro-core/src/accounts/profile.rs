//! The caller's own profile: name and contact fields, theme, and password change.

use maestro_model::FieldError;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{as_object, password, user_view};
use crate::ports::ChangeRecord;
use crate::{Caller, Core, CoreError, CoreResult};

/// Profile fields a user edits, with their maximum length.
pub const PROFILE_FIELDS: &[(&str, usize)] = &[
    ("fullname", 200),
    ("phone", 50),
    ("company", 200),
    ("job", 200),
    ("country", 100),
    ("city", 100),
    ("address", 500),
];

/// The UI themes (the original's seven).
pub const THEMES: &[&str] = &["lotus", "gold", "wine", "blue", "dark", "green", "orange"];

impl Core {
    /// `PATCH /me`: merge of name, contact fields and theme (`null` clears a field).
    pub async fn update_me(&self, caller: &Caller, body: &Value) -> CoreResult<Value> {
        let id = caller
            .user
            .ok_or_else(|| CoreError::Forbidden("no account".into()))?;
        let body = as_object(body)?;
        let mut user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| CoreError::not_found("account"))?;
        let before = user_view(&user);
        let mut errors = Vec::new();
        for (key, value) in body {
            match (key.as_str(), value) {
                ("name", Value::String(n)) => {
                    let n = n.trim();
                    if !maestro_model::validate::is_one_line(n) {
                        errors.push(FieldError::new(
                            "name",
                            maestro_model::validate::NOT_ONE_LINE,
                        ));
                    } else if (2..=100).contains(&n.chars().count()) {
                        user.name = n.to_owned();
                    } else {
                        errors.push(FieldError::new("name", "must be 2 to 100 characters"));
                    }
                }
                ("theme", Value::Null) => {
                    user.profile.remove("theme");
                }
                ("theme", Value::String(t)) if THEMES.contains(&t.as_str()) => {
                    user.profile.insert("theme".into(), json!(t));
                }
                ("theme", _) => errors.push(FieldError::new(
                    "theme",
                    format!("must be one of: {}", THEMES.join(", ")),
                )),
                (k, v) => match PROFILE_FIELDS.iter().find(|(f, _)| *f == k) {
                    Some((_, max)) => match v {
                        Value::Null => {
                            user.profile.remove(k);
                        }
                        Value::String(s) if s.chars().count() <= *max => {
                            user.profile.insert(k.to_owned(), json!(s));
                        }
                        Value::String(_) => errors.push(FieldError::new(
                            k,
                            format!("must be at most {max} characters"),
                        )),
                        _ => errors.push(FieldError::new(k, "must be a string")),
                    },
                    None if matches!(
                        k,
                        "id" | "email"
                            | "admin"
                            | "active"
                            | "created_at"
                            | "updated_at"
                            | "avatar"
                            | "teams"
                    ) =>
                    {
                        // Read-only: a profile sent back as read is fine (timestamps and teams
                        // included), but a new e-mail or role is refused rather than dropped
                        // without a word.
                        if matches!(k, "email" | "admin" | "active") && before.get(k) != Some(v) {
                            errors.push(FieldError::new(k, read_only(k)));
                        }
                    }
                    None => errors.push(FieldError::new(k, "unknown field")),
                },
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let after = user_view(&user);
        let changes = maestro_model::diff::diff(
            before
                .as_object()
                .cloned()
                .as_ref()
                .unwrap_or(&Default::default()),
            after
                .as_object()
                .cloned()
                .as_ref()
                .unwrap_or(&Default::default()),
        );
        if changes.is_empty() {
            return self.me(caller).await;
        }
        user.updated_at = self.now();
        let change = self.user_change(
            caller,
            &user,
            "update",
            serde_json::to_value(changes).unwrap_or_default(),
        );
        self.store.update_user(&user, Some(&change)).await?;
        self.me(caller).await
    }

    /// `PUT /me/password`: needs the current password; other sessions are signed out.
    pub async fn change_password(
        &self,
        caller: &Caller,
        session: Option<Uuid>,
        body: &Value,
    ) -> CoreResult<()> {
        let id = caller
            .user
            .ok_or_else(|| CoreError::Forbidden("no account".into()))?;
        let body = as_object(body)?;
        let mut errors = Vec::new();
        super::reject_unknown(body, &["current_password", "new_password"], &mut errors);
        let current = super::required_str(body, "current_password", &mut errors).to_owned();
        let new = super::required_str(body, "new_password", &mut errors).to_owned();
        if !new.is_empty()
            && let Err(CoreError::Invalid(e)) = password::check_strength(&new)
        {
            errors.extend(
                e.into_iter()
                    .map(|e| FieldError::new("new_password", e.message)),
            );
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let mut user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| CoreError::not_found("account"))?;
        if !password::verify(&current, &user.password_hash) {
            return Err(CoreError::invalid(
                "current_password",
                "is not your current password",
            ));
        }
        user.password_hash = password::hash(&new)?;
        user.updated_at = self.now();
        let change = self.user_change(
            caller,
            &user,
            "update",
            json!([{"path": "password", "old": "***", "new": "***"}]),
        );
        self.store.update_user(&user, Some(&change)).await?;
        self.store
            .revoke_user_sessions(id, user.updated_at, session, false)
            .await?;
        Ok(())
    }

    /// A history record about an account.
    pub(crate) fn user_change(
        &self,
        caller: &Caller,
        user: &crate::ports::UserRecord,
        op: &str,
        changes: Value,
    ) -> ChangeRecord {
        ChangeRecord {
            id: Uuid::now_v7(),
            subject_kind: "user".into(),
            subject_id: user.id.to_string(),
            at: self.now(),
            actor_id: caller.user.map(|u| u.uuid()),
            actor_name: caller.name.clone(),
            source: caller.source.as_str().into(),
            op: op.into(),
            changes,
            context: None,
        }
    }
}

/// Why a field of the account view cannot be changed through the profile.
fn read_only(field: &str) -> &'static str {
    match field {
        "email" => "cannot be changed here: it identifies the account (an administrator can help)",
        "admin" | "active" => "is set by an administrator",
        _ => "is read-only",
    }
}
