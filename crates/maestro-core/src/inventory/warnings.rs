//! Duplicate warnings: a hostname, private IP, name or provider id already used by another
//! entity the caller can see does not block the write, it is reported back (as the original did).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::caller::Access;
use crate::ports::{EntityRecord, EntitySummary};
use crate::{Core, CoreResult};

/// Warnings for `rec`'s fields marked `warn_duplicate` (only those that changed, on update).
pub async fn duplicates(
    core: &Core,
    access: &Access,
    rec: &EntityRecord,
    before: Option<&EntityRecord>,
) -> CoreResult<Vec<Value>> {
    let schema = rec.kind.schema();
    let mut checks: Vec<(&str, &Value)> = Vec::new();
    for field in schema.identifier_fields() {
        let Some(value) = rec.data.get(field.name) else {
            continue;
        };
        let empty = matches!(value, Value::String(s) if s.is_empty()) || value.is_null();
        let unchanged = before.is_some_and(|b| b.data.get(field.name) == Some(value));
        if !empty && !unchanged {
            checks.push((field.name, value));
        }
    }
    let found = core
        .store
        .find_equal(access, rec.kind, &checks, Some(rec.id))
        .await?;
    let label = schema.label.to_lowercase();
    let mut out = Vec::new();
    for (field, value) in checks {
        let matches: Vec<_> = found
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m)
            .collect();
        if matches.is_empty() {
            continue;
        }
        let shown = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let n = matches.len();
        let message = if n == 1 {
            format!("another {label} already has {field} {shown}")
        } else {
            format!("{n} other {label}s already have {field} {shown}")
        };
        out.push(json!({
            "field": field,
            "value": value,
            "message": message,
            "matches": matches.iter().map(|m| json!({"id": m.id, "name": m.name})).collect::<Vec<_>>(),
        }));
    }
    Ok(out)
}

/// Duplicate warnings for many new entities of one kind at once: one query per checked field,
/// plus duplicates within the batch itself. `out[i]` are the warnings of `records[i]`.
pub async fn duplicates_many(
    core: &Core,
    access: &Access,
    records: &[&EntityRecord],
) -> CoreResult<Vec<Vec<Value>>> {
    let mut out = vec![Vec::new(); records.len()];
    let Some(first) = records.first() else {
        return Ok(out);
    };
    let schema = first.kind.schema();
    let label = schema.label.to_lowercase();
    for field in schema.identifier_fields() {
        // Text values only (numbers are rare here); each record's value, if any.
        let values: Vec<Option<String>> = records
            .iter()
            .map(|r| {
                r.data
                    .get(field.name)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
            .collect();
        let mut wanted: Vec<String> = values.iter().flatten().cloned().collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            continue;
        }
        let found = core
            .store
            .find_any(access, first.kind, field.name, &wanted)
            .await?;
        // Who holds each value, in the store and in this batch (by index, in batch order).
        let mut stored: HashMap<&str, Vec<&EntitySummary>> = HashMap::new();
        for (v, m) in &found {
            stored.entry(v.as_str()).or_default().push(m);
        }
        let mut in_batch: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, value) in values.iter().enumerate() {
            if let Some(v) = value {
                in_batch.entry(v.as_str()).or_default().push(i);
            }
        }
        for (i, value) in values.iter().enumerate() {
            let Some(value) = value else { continue };
            let mut matches: Vec<Value> = stored
                .get(value.as_str())
                .into_iter()
                .flatten()
                .filter(|m| m.id != records[i].id)
                .map(|m| json!({"id": m.id, "name": m.name}))
                .collect();
            matches.extend(
                in_batch[value.as_str()]
                    .iter()
                    .filter(|j| **j != i)
                    .map(|j| json!({"id": records[*j].id, "name": records[*j].name})),
            );
            if matches.is_empty() {
                continue;
            }
            let n = matches.len();
            let message = if n == 1 {
                format!("another {label} already has {} {value}", field.name)
            } else {
                format!("{n} other {label}s already have {} {value}", field.name)
            };
            matches.truncate(20);
            out[i].push(json!({"field": field.name, "value": value, "message": message, "matches": matches}));
        }
    }
    Ok(out)
}
