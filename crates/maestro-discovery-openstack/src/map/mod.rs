//! Mapping OpenStack records to Maestro observations. Each submodule deserialises one service's
//! records into lenient typed structs (every field optional, variable shapes kept as JSON) and
//! shapes them with the field names of Maestro's schema registry; helpers here keep names and
//! strings inside the registry's limits, so an odd record is trimmed, never rejected.

pub mod compute;
pub mod flavor;
pub mod loadbalancer;
pub mod network;
pub mod storage;

use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::{Collection, Kind, Ty};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// `datacenters.provider` of everything this provider observes.
pub const PROVIDER: &str = "OpenStack";

/// Deserialises one record, naming it in the error.
pub fn parse<T: DeserializeOwned>(what: &str, item: Value) -> Result<T, ProviderError> {
    let id = item
        .get("id")
        .map(|v| v.to_string())
        .unwrap_or_else(|| "without id".into());
    serde_json::from_value(item)
        .map_err(|e| ProviderError::Other(format!("unexpected {what} record {id}: {e}")))
}

/// A new observation with `unique_id` set to the provider id.
pub fn observation(
    collection: Collection,
    id: &str,
    mut fields: Map<String, Value>,
) -> Observation {
    fields.insert("unique_id".into(), Value::String(id.to_owned()));
    Observation {
        collection,
        provider_id: id.to_owned(),
        fields,
        refs: Vec::new(),
        active: true,
    }
}

/// A name the registry accepts for `kind`: the provider's name cut to the maximum length, or,
/// when it is missing or too short, the provider id (prefixed with `noun` if even that is short).
pub fn fit_name(kind: Kind, name: Option<&str>, id: &str, noun: &str) -> String {
    let (min, max) = match kind.schema().field("name").map(|f| f.ty) {
        Some(Ty::Str { min, max }) => (min.max(1), max),
        _ => (1, 100),
    };
    let pick = |s: &str| {
        let s = s.trim();
        (s.chars().count() >= min).then(|| s.chars().take(max).collect::<String>())
    };
    name.and_then(pick)
        .or_else(|| pick(id))
        .or_else(|| pick(&format!("{noun} {id}")))
        .unwrap_or_else(|| format!("{noun} {id}").chars().take(max).collect())
}

/// Inserts a string cut to `max` characters, unless it is missing or blank.
pub fn put_str(fields: &mut Map<String, Value>, key: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        fields.insert(key.to_owned(), Value::String(v.chars().take(max).collect()));
    }
}

/// Inserts a raw value unless it is null.
pub fn put(fields: &mut Map<String, Value>, key: &str, value: Value) {
    if !value.is_null() {
        fields.insert(key.to_owned(), value);
    }
}

/// Inserts a number unless it is missing or not finite.
pub fn put_num(fields: &mut Map<String, Value>, key: &str, value: Option<f64>) {
    if let Some(n) = value.filter(|n| n.is_finite() && *n >= 0.0) {
        fields.insert(key.to_owned(), number(n));
    }
}

/// A JSON number, integral when it can be.
pub fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// A number from a JSON number or a numeric string (`swap` is `""` in old Nova answers).
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `datacenters`: provider, region and provider-specific placement details (nulls dropped).
pub fn datacenters(region: &str, extra: Value) -> Value {
    let mut dc = Map::new();
    dc.insert("provider".into(), PROVIDER.into());
    if !region.is_empty() {
        dc.insert("region".into(), region.into());
    }
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            let empty = v.is_null() || v.as_str().is_some_and(str::is_empty);
            if !empty {
                dc.insert(k, v);
            }
        }
    }
    Value::Object(dc)
}

/// `tags` from a list of strings (`[{"key": tag}]`) and a metadata map (`[{"key", "value"}]`),
/// cut to the registry's limits (keys and values of at most 100 characters, 200 tags).
pub fn tags(list: &Value, metadata: &Map<String, Value>) -> Option<Value> {
    let cut = |s: &str| s.chars().take(100).collect::<String>();
    let mut out = Vec::new();
    for t in list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !t.trim().is_empty() {
            out.push(json!({ "key": cut(t) }));
        }
    }
    for (k, v) in metadata {
        if k.trim().is_empty() {
            continue;
        }
        let value = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        out.push(json!({ "key": cut(k), "value": cut(&value) }));
    }
    out.truncate(200);
    (!out.is_empty()).then_some(Value::Array(out))
}

/// `ACTIVE` → `Active`, `PENDING_UPDATE` → `Pending_update`.
pub fn capitalize(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
