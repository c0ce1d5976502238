//! Field-level differences between two versions of a document, as stored in the change history.
//! Objects are compared key by key down to their leaves; lists are compared whole, so a changed
//! storage list shows its old and new items side by side.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One changed path with its old and new values (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub old: Value,
    pub new: Value,
}

/// Every path whose value differs between `old` and `new`, in a stable order.
pub fn diff(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}

/// [`diff`] as the history stores it: a JSON list of `{path, old, new}`, built by moving each
/// change's values into place (serializing the list would copy every value once more).
pub fn diff_value(old: &Map<String, Value>, new: &Map<String, Value>) -> Value {
    Value::Array(
        diff(old, new)
            .into_iter()
            .map(|c| {
                let mut m = Map::with_capacity(3);
                m.insert("path".into(), Value::String(c.path));
                m.insert("old".into(), c.old);
                m.insert("new".into(), c.new);
                Value::Object(m)
            })
            .collect(),
    )
}

/// [`diff_value`] from nothing to `new` (a creation), moving `new`'s leaves into the list
/// instead of copying them.
pub fn created_value(new: Map<String, Value>) -> Value {
    let mut out = Vec::new();
    take_leaves("", new, &mut out);
    Value::Array(out)
}

fn take_leaves(prefix: &str, map: Map<String, Value>, out: &mut Vec<Value>) {
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (key, value) in entries {
        let path = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) => take_leaves(&path, inner, out),
            value => {
                let mut m = Map::with_capacity(3);
                m.insert("path".into(), Value::String(path));
                m.insert("old".into(), Value::Null);
                m.insert("new".into(), value);
                out.push(Value::Object(m));
            }
        }
    }
}

fn walk(
    prefix: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    out: &mut Vec<FieldChange>,
) {
    let empty = Map::new();
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let (a, b) = (old.get(key), new.get(key));
        if a == b {
            continue;
        }
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => walk(&path, x, y, out),
            (Some(Value::Object(x)), None) => walk(&path, x, &empty, out),
            (None, Some(Value::Object(y))) => walk(&path, &empty, y, out),
            _ => out.push(FieldChange {
                path,
                old: a.cloned().unwrap_or(Value::Null),
                new: b.cloned().unwrap_or(Value::Null),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn the_stored_list_is_the_serialized_diff() {
        let old = m(json!({"cpu": 2, "os": {"base": "Linux"}, "gone": [1]}));
        let new = m(json!({"cpu": 4, "os": {"base": "BSD", "dist": "Free"}}));
        let stored = diff_value(&old, &new);
        assert_eq!(stored, serde_json::to_value(diff(&old, &new)).unwrap());
        assert_eq!(
            serde_json::to_string(&stored).unwrap(),
            serde_json::to_string(&diff(&old, &new)).unwrap(),
            "same keys in the same order"
        );
    }

    #[test]
    fn reports_leaf_changes_with_dotted_paths() {
        let old = m(
            json!({"cpu": 2, "os": {"base": "Linux", "dist": "Debian"}, "tags": [1], "gone": "x"}),
        );
        let new = m(
            json!({"cpu": 4, "os": {"base": "Linux", "dist": "Ubuntu"}, "tags": [1, 2], "new": {"a": 1}}),
        );
        let paths: Vec<_> = diff(&old, &new)
            .into_iter()
            .map(|c| (c.path, c.old, c.new))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("cpu".into(), json!(2), json!(4)),
                ("gone".into(), json!("x"), Value::Null),
                ("new.a".into(), Value::Null, json!(1)),
                ("os.dist".into(), json!("Debian"), json!("Ubuntu")),
                ("tags".into(), json!([1]), json!([1, 2])),
            ]
        );
    }

    #[test]
    fn a_creation_lists_every_leaf_as_the_diff_from_nothing_does() {
        let new = m(json!({
            "name": "a", "os": {"dist": "Debian", "base": "Linux", "none": {}},
            "cpu": 2, "tags": [{"k": "v"}], "gone": null, "empty": {}
        }));
        let expected = diff_value(&Map::new(), &new);
        assert_eq!(created_value(new), expected);
        assert_eq!(expected.as_array().unwrap().len(), 6);
    }

    #[test]
    fn identical_documents_have_no_changes() {
        let a = m(json!({"x": {"y": [1, {"z": 2}]}}));
        assert!(diff(&a, &a.clone()).is_empty());
    }
}
