//! Settings: the option lists the forms offer (environments, OS bases, roles, families…) and the
//! regions and zones per provider. Readable by every account, editable by administrators, and
//! every edit is in the history.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::ports::ChangeRecord;
use crate::{Caller, Core, CoreError, CoreResult};

impl Core {
    /// Every setting: `{items: [{key, value, updated_at}]}`.
    pub async fn list_settings(&self) -> CoreResult<Value> {
        let items: Vec<Value> = self
            .store
            .settings()
            .await?
            .into_iter()
            .map(|(key, value, at)| json!({"key": key, "value": value, "updated_at": at}))
            .collect();
        let total = items.len();
        Ok(json!({"items": items, "total": total, "page": 1, "limit": total.max(1)}))
    }

    pub async fn get_setting(&self, key: &str) -> CoreResult<Value> {
        let value = self
            .store
            .setting(key)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("setting {key:?}")))?;
        Ok(json!({"key": key, "value": value}))
    }

    /// Replaces a setting's value (administrators only). The shape must stay an object whose
    /// values are lists of strings, objects or lists, as seeded.
    pub async fn put_setting(&self, caller: &Caller, key: &str, body: &Value) -> CoreResult<Value> {
        if !caller.admin {
            return Err(CoreError::Forbidden(
                "only administrators can change settings".into(),
            ));
        }
        let old = self
            .store
            .setting(key)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("setting {key:?}")))?;
        let value = match body.as_object() {
            Some(m) if m.len() == 1 && m.contains_key("value") => body["value"].clone(),
            _ => {
                return Err(CoreError::invalid(
                    "value",
                    "send {\"value\": …} with the new value",
                ));
            }
        };
        if std::mem::discriminant(&value) != std::mem::discriminant(&old) {
            return Err(CoreError::invalid(
                "value",
                "must keep the shape of the current value",
            ));
        }
        if serde_json::to_vec(&value)
            .map(|v| v.len())
            .unwrap_or(usize::MAX)
            > 512 * 1024
        {
            return Err(CoreError::invalid("value", "is too large"));
        }
        if value == old {
            return Ok(json!({"key": key, "value": value}));
        }
        let now = self.now();
        let changes = maestro_model::diff::diff(
            &json!({ "value": old })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            &json!({ "value": value })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let change = ChangeRecord {
            id: Uuid::now_v7(),
            subject_kind: "setting".into(),
            subject_id: key.into(),
            at: now,
            actor_id: caller.user.map(|u| u.uuid()),
            actor_name: caller.name.clone(),
            source: caller.source.as_str().into(),
            op: "update".into(),
            changes: serde_json::to_value(changes).unwrap_or_default(),
            context: None,
        };
        self.store
            .put_setting(key, &value, now, false, Some(&change))
            .await?;
        Ok(json!({"key": key, "value": value}))
    }
}
