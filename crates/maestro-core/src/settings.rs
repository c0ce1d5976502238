//! Settings: the option lists the forms offer (environments, OS bases, roles, families…) and the
//! regions and zones per provider. Readable by every account, editable by administrators, and
//! every edit is in the history.

use serde_json::{Value, json};
use uuid::Uuid;

use maestro_model::FieldError;

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

    /// A setting's history, newest first (every account can read settings, so their history).
    pub async fn setting_history(
        &self,
        key: &str,
        pairs: &[(String, String)],
    ) -> CoreResult<crate::Page<Value>> {
        self.get_setting(key).await?;
        self.subject_history("setting", key, pairs).await
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
        // The seeded value is the template: the current one may have been emptied.
        let template = crate::seed::seeded_setting(key).unwrap_or_else(|| old.clone());
        same_sections(key, &template, &value)?;
        if let Err((path, message)) = same_shape(&template, &value, "value") {
            return Err(CoreError::invalid(path, message));
        }
        check_values(key, &value, &template)?;
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

/// A setting is replaced whole: every section it was seeded with must be sent, and no other
/// (a partial value would drop the rest — the allowed webhook targets with it). The regions
/// are the exception: a map of providers, which may be added or removed.
fn same_sections(key: &str, template: &Value, value: &Value) -> CoreResult<()> {
    let (Some(seeded), Some(sent)) = (template.as_object(), value.as_object()) else {
        return Ok(());
    };
    if key == "regions" {
        return Ok(());
    }
    let mut errors: Vec<FieldError> = seeded
        .keys()
        .filter(|k| !sent.contains_key(*k))
        .map(|k| {
            FieldError::new(
                format!("value.{k}"),
                "is missing: a setting is replaced whole, send it as GET returns it",
            )
        })
        .collect();
    errors.extend(
        sent.keys()
            .filter(|k| !seeded.contains_key(*k))
            .map(|k| FieldError::new(format!("value.{k}"), "is not a section of this setting")),
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// What a shape cannot tell: each of `scheduler_options.discovery_intervals` names a discovery
/// task (those the setting was seeded with) and holds an interval a schedule would accept (a
/// task's schedule is created with it).
fn check_values(key: &str, value: &Value, template: &Value) -> CoreResult<()> {
    if key != "scheduler_options" {
        return Ok(());
    }
    let mut errors = Vec::new();
    let tasks = template
        .get("discovery_intervals")
        .and_then(Value::as_object);
    if let Some(intervals) = value.get("discovery_intervals").and_then(Value::as_object) {
        for (task, interval) in intervals {
            if tasks.is_some_and(|t| !t.contains_key(task)) {
                errors.push(FieldError::new(
                    format!("value.discovery_intervals.{task}"),
                    "is not a discovery task (server-list, dbs-list, volumes-list…)",
                ));
                continue;
            }
            let mut found = Vec::new();
            crate::jobs::trigger::parse_interval(interval, &mut found);
            let at = format!("value.discovery_intervals.{task}");
            errors.extend(found.into_iter().map(|mut e| {
                e.field = e.field.replacen("interval", &at, 1);
                e
            }));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// Whether `new` has the shape of `old`, the current value: the same JSON types, lists whose
/// items look like the current ones, and objects whose entries do — an entry under a key the
/// current value lacks (a new provider's regions) looks like the others. `Err` names the first
/// path that does not, and what it should be.
fn same_shape(old: &Value, new: &Value, path: &str) -> Result<(), (String, String)> {
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    if std::mem::discriminant(old) != std::mem::discriminant(new) {
        return Err((path.to_owned(), format!("must be {}, as before", kind(old))));
    }
    match (old, new) {
        (Value::Array(o), Value::Array(n)) => {
            // A list seeded empty (allowed webhook targets) is a list of text, as the others.
            let text = Value::String(String::new());
            let template = o.first().unwrap_or(&text);
            n.iter()
                .enumerate()
                .try_for_each(|(i, item)| same_shape(template, item, &format!("{path}[{i}]")))
        }
        (Value::Object(o), Value::Object(n)) => n.iter().try_for_each(|(k, v)| {
            // The entry under the same key, unless it is an empty list or object (a provider
            // seeded without regions): then a sibling that shows what an entry holds.
            let telling = |t: &&Value| match t {
                Value::Array(a) => !a.is_empty(),
                Value::Object(m) => !m.is_empty(),
                _ => true,
            };
            let same = o.get(k);
            let like_it = |t: &&Value| {
                same.is_none_or(|s| std::mem::discriminant(s) == std::mem::discriminant(*t))
            };
            let template = same
                .filter(telling)
                .or_else(|| o.values().find(|t| telling(t) && like_it(t)))
                .or(same);
            match template {
                Some(template) => same_shape(template, v, &format!("{path}.{k}")),
                None => Ok(()),
            }
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_value_keeps_the_shape_of_the_seeded_one() {
        let regions = json!({"AWS": [{"name": "us-east-1", "zones": ["us-east-1a"]}], "Azure": []});
        let ok = json!({"AWS": [], "OVH": [{"name": "gra", "zones": []}]});
        assert_eq!(same_shape(&regions, &ok, "value"), Ok(()));
        let err = |v: Value| same_shape(&regions, &v, "value").unwrap_err();
        assert_eq!(
            err(json!({"x": 1})),
            ("value.x".into(), "must be a list, as before".into())
        );
        assert_eq!(err(json!({"AWS": "x"})).0, "value.AWS");
        assert_eq!(
            err(json!({"AWS": [{"name": "a", "zones": "z"}]})),
            (
                "value.AWS[0].zones".into(),
                "must be a list, as before".into()
            )
        );
        assert_eq!(err(json!(["AWS"])).1, "must be an object, as before");
        // A provider seeded without regions takes them shaped like the others'.
        let seeded = json!({"AWS": [{"name": "a", "zones": ["a1"]}], "OpenStack": []});
        let openstack = json!({"OpenStack": [{"name": "RegionOne", "zones": []}]});
        assert_eq!(same_shape(&seeded, &openstack, "value"), Ok(()));
        // A record's empty list stays a list of text (not shaped like its text siblings).
        let record = json!({"DO": [{"name": "nyc1", "zones": []}]});
        assert_eq!(same_shape(&record, &record, "value"), Ok(()));
        // An empty list's items are text.
        assert!(same_shape(&json!({"targets": []}), &json!({"targets": [1]}), "value").is_err());
        assert!(same_shape(&json!({"targets": []}), &json!({"targets": ["a"]}), "value").is_ok());
    }
}
