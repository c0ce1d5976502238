//! Restoring a deleted entity with what deleting took from it: the references it held (its
//! datacenter, its targets…), read back from the deletion's history entry and written again
//! where their targets are still there and readable. Relations other entities held to it are
//! theirs: they stay removed.

use maestro_model::query::PageRequest;
use maestro_model::schema::{Collection, Kind};
use maestro_model::{EntityId, FieldError};
use serde_json::{Map, Value};

use super::Written;
use crate::{Caller, Core, CoreError, CoreResult};

/// History entries searched for the deletion (an entity changes no more once deleted).
const LOOK_BACK: u32 = 20;

impl Core {
    /// The references `id` held when it was last deleted, as a merge patch of their fields;
    /// empty when its last deletion or restoration was a restoration.
    pub(super) async fn references_at_deletion(
        &self,
        kind: Kind,
        id: EntityId,
    ) -> CoreResult<Map<String, Value>> {
        let page = PageRequest {
            page: 1,
            limit: LOOK_BACK,
        };
        let (items, _) = self
            .store
            .history(kind.as_str(), &id.to_string(), page)
            .await?;
        let last = items.iter().find(|c| c.op == "delete" || c.op == "restore");
        let Some(deletion) = last.filter(|c| c.op == "delete") else {
            return Ok(Map::new());
        };
        let mut references = Map::new();
        for c in deletion.changes.as_array().into_iter().flatten() {
            if c["path"] == "active" || !c["new"].is_null() || c["old"].is_null() {
                continue;
            }
            if let Some(path) = c["path"].as_str() {
                insert_at(&mut references, path, c["old"].clone());
            }
        }
        Ok(references)
    }

    /// Writes `references` back onto a restored entity; a reference whose target is gone or
    /// unreadable is left out (the write names it, and is tried once more without it).
    pub(super) async fn relink(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        mut references: Map<String, Value>,
    ) -> CoreResult<Option<Written>> {
        for _ in 0..2 {
            if references.is_empty() {
                break;
            }
            let patch = Value::Object(references.clone());
            match self.patch_entity(caller, coll, id, &patch).await {
                Ok(written) => return Ok(Some(written)),
                Err(CoreError::Invalid(errors)) => drop_refused(&mut references, &errors),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}

/// Puts `value` at a dotted `path` (`datacenters.id`) of `map`, as a merge patch reads it.
fn insert_at(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => drop(map.insert(path.to_owned(), value)),
        Some((head, rest)) => {
            let inner = map.entry(head).or_insert_with(|| Value::Object(Map::new()));
            if !inner.is_object() {
                *inner = Value::Object(Map::new());
            }
            if let Value::Object(m) = inner {
                insert_at(m, rest, value);
            }
        }
    }
}

/// Removes what a write refused from `references`: the element of a list of targets
/// (`applications[1]`), or the whole field.
fn drop_refused(references: &mut Map<String, Value>, errors: &[FieldError]) {
    let mut elements: Vec<(String, usize)> = Vec::new();
    for e in errors {
        let top = e.field.split(['.', '[']).next().unwrap_or_default();
        let index = e.field[top.len()..]
            .strip_prefix('[')
            .and_then(|rest| rest.split(']').next())
            .and_then(|i| i.parse::<usize>().ok());
        match (index, references.get(top)) {
            (Some(i), Some(Value::Array(_))) => elements.push((top.to_owned(), i)),
            _ => drop(references.remove(top)),
        }
    }
    // From the last, so the indexes of the others stay right.
    elements.sort_unstable_by_key(|(top, i)| std::cmp::Reverse((*i, top.clone())));
    elements.dedup();
    for (top, i) in elements {
        if let Some(Value::Array(list)) = references.get_mut(&top)
            && i < list.len()
        {
            list.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_become_nested_patches() {
        let mut refs = Map::new();
        insert_at(&mut refs, "datacenters.id", json!("d"));
        insert_at(&mut refs, "applications", json!([{"id": "a"}]));
        assert_eq!(
            Value::Object(refs),
            json!({"datacenters": {"id": "d"}, "applications": [{"id": "a"}]})
        );
    }

    #[test]
    fn a_refused_target_goes_alone() {
        let mut refs = json!({"applications": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "datacenters": {"id": "d"}, "cluster": {"id": "x"}})
        .as_object()
        .cloned()
        .unwrap();
        let errors = [
            FieldError::new("applications[2]", "not found"),
            FieldError::new("applications[0]", "not found"),
            FieldError::new("cluster.id", "not found"),
        ];
        drop_refused(&mut refs, &errors);
        assert_eq!(
            Value::Object(refs),
            json!({"applications": [{"id": "b"}], "datacenters": {"id": "d"}})
        );
    }
}
