//! An entity's history as its reader sees it: references recorded in a change name entities by
//! id, and the id of one the reader cannot read is shown as `"(hidden)"` — an entity you cannot
//! read does not exist for you, not even as an id (the entity's own view leaves it out too).

use std::collections::HashSet;

use maestro_model::EntityId;
use serde_json::Value;

use crate::caller::{Access, Caller};
use crate::{Core, CoreResult};

/// What a hidden entity's id reads as.
pub const HIDDEN: &str = "(hidden)";

/// Every string of `v` that is an entity id (references are recorded as ids, alone or as the
/// `id` of an object).
fn ids_in(v: &Value, out: &mut HashSet<EntityId>) {
    match v {
        Value::String(s) => {
            if let Ok(id) = s.parse::<EntityId>() {
                out.insert(id);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| ids_in(x, out)),
        Value::Object(m) => m.values().for_each(|x| ids_in(x, out)),
        _ => {}
    }
}

fn redact(v: &mut Value, hidden: &HashSet<String>) {
    match v {
        Value::String(s) if hidden.contains(s.as_str()) => *s = HIDDEN.to_owned(),
        Value::Array(a) => a.iter_mut().for_each(|x| redact(x, hidden)),
        Value::Object(m) => m.values_mut().for_each(|x| redact(x, hidden)),
        _ => {}
    }
}

impl Core {
    /// Replaces, in history entries (as `change_view` shows them), the ids of entities that
    /// exist but that `caller` cannot read. Other strings, ids of nothing included, stay.
    pub(super) async fn hide_unreadable_ids(
        &self,
        caller: &Caller,
        entries: &mut [Value],
    ) -> CoreResult<()> {
        let access = caller.access();
        if matches!(access, Access::All) {
            return Ok(());
        }
        let mut ids = HashSet::new();
        for e in entries.iter() {
            for c in e["changes"].as_array().into_iter().flatten() {
                ids_in(&c["old"], &mut ids);
                ids_in(&c["new"], &mut ids);
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<EntityId> = ids.into_iter().collect();
        let readable: HashSet<EntityId> = self
            .store
            .summaries(&access, &ids)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let unreadable: Vec<EntityId> = ids
            .into_iter()
            .filter(|id| !readable.contains(id))
            .collect();
        if unreadable.is_empty() {
            return Ok(());
        }
        let hidden: HashSet<String> = self
            .store
            .summaries(&Access::All, &unreadable)
            .await?
            .into_iter()
            .map(|s| s.id.to_string())
            .collect();
        for e in entries.iter_mut() {
            if let Some(changes) = e.get_mut("changes") {
                redact(changes, &hidden);
            }
        }
        Ok(())
    }
}
