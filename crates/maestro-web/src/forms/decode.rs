//! Turns a submitted form back into a JSON document, guided by the schema: numbers become
//! numbers, rows become lists in the order the page shows them, emptied fields become `null`
//! (a merge patch removes them) — only fields the form carried are touched. Values that do not
//! convert are passed on as text, so the core reports them like any API client's mistake.

use maestro_model::schema::{Collection, Field, Ty};
use serde_json::{Map, Number, Value};

use super::{layout, simple};
use crate::session::FormData;

/// The family a form of `coll` edits (resources pick theirs in the form).
pub fn family_of(
    coll: Collection,
    form: Option<&FormData>,
    original: Option<&Map<String, Value>>,
) -> Option<String> {
    use maestro_model::schema::FamilyScope;
    match coll.family_scope() {
        FamilyScope::One(f) => Some(f.to_owned()),
        FamilyScope::Resources => form
            .map(|f| f.get("family").to_owned())
            .filter(|f| !f.is_empty())
            .or_else(|| original.and_then(|o| o.get("family")?.as_str().map(str::to_owned))),
        FamilyScope::None => original.and_then(|o| o.get("family")?.as_str().map(str::to_owned)),
    }
}

/// The document a form describes. With `original` (an edit) the result is a merge patch:
/// emptied fields are `null`; without it (a create) empty values are left out.
pub fn decode(
    coll: Collection,
    family: Option<&str>,
    form: &FormData,
    original: Option<&Map<String, Value>>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (_, fields) in layout(coll, family, false) {
        for f in fields {
            let Some(value) = field(form, f, f.name, original.and_then(|o| o.get(f.name))) else {
                continue;
            };
            let was_empty = original.and_then(|o| o.get(f.name)).is_none_or(is_empty);
            if is_empty(&value) && (original.is_none() || was_empty) {
                continue;
            }
            let value = if original.is_none() {
                strip_nulls(value)
            } else {
                value
            };
            out.insert(f.name.to_owned(), value);
        }
    }
    out
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k, strip_nulls(x)))
                .collect(),
        ),
        other => other,
    }
}

/// A scalar from its text: `""` is null, numbers parse, the rest is text.
pub fn scalar(ty: &Ty, raw: &str) -> Value {
    let text = raw.trim();
    if text.is_empty() {
        return Value::Null;
    }
    match ty {
        Ty::Int { .. } | Ty::Num { .. } => {
            if let Ok(i) = text.parse::<i64>() {
                return Value::Number(i.into());
            }
            if matches!(ty, Ty::Num { .. })
                && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
            {
                return Value::Number(n);
            }
            Value::String(text.to_owned())
        }
        Ty::Bool => match text {
            "true" | "on" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
        Ty::Str { max, .. } if *max > maestro_model::validate::ONE_LINE_MAX => {
            Value::String(raw.trim_end().to_owned())
        }
        _ => Value::String(text.to_owned()),
    }
}

/// Row indices under `path` (`path[3].x` → `3`), in the order the page sent them.
pub fn indices(form: &FormData, path: &str) -> Vec<String> {
    let prefix = format!("{path}[");
    let mut out: Vec<String> = Vec::new();
    for (k, _) in &form.pairs {
        let Some(rest) = k.strip_prefix(&prefix) else {
            continue;
        };
        let Some((index, tail)) = rest.split_once(']') else {
            continue;
        };
        if index.is_empty() || !(tail.is_empty() || tail.starts_with('.')) {
            continue;
        }
        if !out.iter().any(|i| i == index) {
            out.push(index.to_owned());
        }
    }
    out
}

fn marker(form: &FormData, path: &str) -> bool {
    form.has(&format!("{path}[]"))
}

/// The value of field `f` at `path`, or None when the form did not carry it.
fn field(form: &FormData, f: &Field, path: &str, original: Option<&Value>) -> Option<Value> {
    match &f.ty {
        Ty::Object { fields, .. } => {
            let mut obj = Map::new();
            for sub in fields.iter() {
                let sub_path = format!("{path}.{}", sub.name);
                let sub_orig = original.and_then(|o| o.get(sub.name));
                let value = match &sub.ty {
                    Ty::Ref(spec) if !spec.many => form
                        .has(&sub_path)
                        .then(|| scalar(&Ty::Str { min: 0, max: 36 }, form.get(&sub_path))),
                    Ty::Any => form.has(&sub_path).then(|| loose(form.get(&sub_path))),
                    _ => field(form, sub, &sub_path, sub_orig),
                };
                if let Some(v) = value {
                    obj.insert(sub.name.to_owned(), v);
                }
            }
            (!obj.is_empty()).then_some(Value::Object(obj))
        }
        Ty::AnyObject => marker(form, path).then(|| pairs(form, path, original)),
        Ty::List { item, .. } => {
            if !marker(form, path) {
                return None;
            }
            Some(Value::Array(match item {
                Ty::Object { fields, .. } => object_rows(form, fields, path),
                Ty::Enum(_) => form
                    .all(path)
                    .filter(|v| !v.is_empty())
                    .map(|v| Value::String(v.to_owned()))
                    .collect(),
                scalar_ty => indices(form, path)
                    .iter()
                    .map(|i| scalar(scalar_ty, form.get(&format!("{path}[{i}]"))))
                    .filter(|v| !v.is_null())
                    .collect(),
            }))
        }
        Ty::Ref(spec) if spec.many => {
            if !marker(form, path) {
                return None;
            }
            let mut items = Vec::new();
            for i in indices(form, path) {
                let base = format!("{path}[{i}]");
                let id = form.get(&format!("{base}.id")).trim();
                if id.is_empty() {
                    continue;
                }
                let mut item = Map::new();
                item.insert("id".into(), Value::String(id.to_owned()));
                let name = form.get(&format!("{base}.name")).trim();
                if !name.is_empty() {
                    item.insert("name".into(), Value::String(name.to_owned()));
                }
                for a in spec.attrs {
                    let p = format!("{base}.{}", a.name);
                    if form.has(&p) {
                        let v = scalar(&a.ty, form.get(&p));
                        if !v.is_null() {
                            item.insert(a.name.to_owned(), v);
                        }
                    }
                }
                items.push(Value::Object(item));
            }
            Some(Value::Array(items))
        }
        Ty::Ref(_) => form
            .has(path)
            .then(|| scalar(&Ty::Str { min: 0, max: 36 }, form.get(path))),
        Ty::Any => None,
        ty => form.has(path).then(|| scalar(ty, form.get(path))),
    }
}

/// A loose value: text, or a comma-separated list.
fn loose(raw: &str) -> Value {
    let text = raw.trim();
    if text.is_empty() {
        Value::Null
    } else if text.contains(',') {
        Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )
    } else {
        Value::String(text.to_owned())
    }
}

/// Key/value rows into an object; keys the original had and the form dropped become null.
fn pairs(form: &FormData, path: &str, original: Option<&Value>) -> Value {
    let mut obj = Map::new();
    for i in indices(form, path) {
        let k = form.get(&format!("{path}[{i}]._k")).trim();
        let raw = form.get(&format!("{path}[{i}]._v"));
        let text = raw.trim();
        if k.is_empty() || text.is_empty() {
            continue;
        }
        let value = if text.starts_with('{') || text.starts_with('[') {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
        } else {
            Value::String(text.to_owned())
        };
        obj.insert(k.to_owned(), value);
    }
    if let Some(Value::Object(orig)) = original {
        for k in orig.keys() {
            if !obj.contains_key(k) {
                obj.insert(k.clone(), Value::Null);
            }
        }
    }
    Value::Object(obj)
}

fn object_rows(form: &FormData, fields: &'static [Field], path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for i in indices(form, path) {
        let base = format!("{path}[{i}]");
        let mut item: Map<String, Value> =
            match serde_json::from_str::<Value>(form.get(&format!("{base}._orig"))) {
                Ok(Value::Object(o)) => o,
                _ => Map::new(),
            };
        for sub in fields
            .iter()
            .filter(|s| simple(s) || matches!(s.ty, Ty::Any))
        {
            let p = format!("{base}.{}", sub.name);
            if !form.has(&p) {
                continue;
            }
            let v = if matches!(sub.ty, Ty::Any) {
                loose(form.get(&p))
            } else {
                scalar(&sub.ty, form.get(&p))
            };
            if v.is_null() {
                item.remove(sub.name);
            } else {
                item.insert(sub.name.to_owned(), v);
            }
        }
        if !item.is_empty() {
            out.push(Value::Object(item));
        }
    }
    out
}

#[cfg(test)]
mod tests;
