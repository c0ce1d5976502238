//! Duplicate warnings: a hostname, private IP, name or provider id already used by another
//! entity the caller can see does not block the write, it is reported back (as the original did).

use maestro_model::schema::Ty;
use serde_json::{Value, json};

use crate::caller::Access;
use crate::ports::EntityRecord;
use crate::{Core, CoreResult};

/// Warnings for `rec`'s fields marked `warn_duplicate` (only those that changed, on update).
pub async fn duplicates(
    core: &Core,
    access: &Access,
    rec: &EntityRecord,
    before: Option<&EntityRecord>,
) -> CoreResult<Vec<Value>> {
    let schema = rec.kind.schema();
    let mut out = Vec::new();
    for field in schema.fields.iter().filter(|f| f.warn_duplicate) {
        let Some(value) = rec.data.get(field.name) else {
            continue;
        };
        let empty = matches!(value, Value::String(s) if s.is_empty()) || value.is_null();
        if empty || matches!(field.ty, Ty::Ref(_)) {
            continue;
        }
        if before.is_some_and(|b| b.data.get(field.name) == Some(value)) {
            continue;
        }
        let matches = core
            .store
            .find_equal(access, rec.kind, field.name, value, Some(rec.id))
            .await?;
        if matches.is_empty() {
            continue;
        }
        let label = schema.label.to_lowercase();
        let shown = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let n = matches.len();
        let message = if n == 1 {
            format!("another {label} already has {} {shown}", field.name)
        } else {
            format!("{n} other {label}s already have {} {shown}", field.name)
        };
        out.push(json!({
            "field": field.name,
            "value": value,
            "message": message,
            "matches": matches.iter().map(|m| json!({"id": m.id, "name": m.name})).collect::<Vec<_>>(),
        }));
    }
    Ok(out)
}
