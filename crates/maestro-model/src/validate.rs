//! Validation of a document against its kind's schema. A valid document is split into the data
//! that is stored as JSON and the references that are stored as relation rows. Every bad field is
//! reported, not just the first.

use std::collections::HashSet;
use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::schema::{Field, KindSchema, RefSpec, Ty};
use crate::{EntityId, FieldError};

/// Keys the server owns. They may appear in a body (clients send back what they read) and are ignored.
/// Text fields up to this many characters are one line (the forms show them as inputs,
/// longer ones as text areas).
pub const ONE_LINE_MAX: usize = 250;

/// Whether `s` is one line of text: no control characters (line breaks and tabs included) and
/// no Unicode line or paragraph separators. Names of every kind — entities, teams, accounts,
/// schedules, tokens — are one line.
pub fn is_one_line(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
}

/// The message for text that is not [`is_one_line`].
pub const NOT_ONE_LINE: &str = "must be one line, without tabs or other control characters";

pub const READ_ONLY: &[&str] = &[
    "id",
    "kind",
    "collection",
    "active",
    "owner",
    "created_at",
    "updated_at",
    "deleted_at",
    "warnings",
    "connected",
    "discovery",
    "_links",
];

/// Keys of a reference item filled from the referenced entity, ignored on input.
const REF_READ_ONLY: &[&str] = &["name", "kind", "family", "collection", "active"];

/// One referenced entity and the attributes the reference carries.
#[derive(Debug, Clone, PartialEq)]
pub struct RefTarget {
    pub id: EntityId,
    pub attrs: Map<String, Value>,
}

/// The complete desired state of one reference field.
#[derive(Debug, Clone)]
pub struct RefWrite {
    /// Dotted path of the field (`deps`, `datacenters.id`).
    pub path: String,
    pub spec: &'static RefSpec,
    pub targets: Vec<RefTarget>,
}

/// A valid document: stored data, every reference field's desired targets, and the secret
/// (write-only) fields that were sent.
#[derive(Debug, Clone)]
pub struct Validated {
    pub data: Map<String, Value>,
    pub refs: Vec<RefWrite>,
    pub secrets: Map<String, Value>,
}

/// Validates `doc` as an entity of `schema` (and `family`, for the application model).
pub fn validate(
    schema: &KindSchema,
    family: Option<&str>,
    doc: &Map<String, Value>,
) -> Result<Validated, Vec<FieldError>> {
    validate_with_hidden(schema, family, doc, &[])
}

/// Like [`validate`], with reference paths that already hold targets the caller cannot see:
/// they satisfy `required` even though the document (as the caller sees it) lacks them.
pub fn validate_with_hidden(
    schema: &KindSchema,
    family: Option<&str>,
    doc: &Map<String, Value>,
    hidden_refs: &[String],
) -> Result<Validated, Vec<FieldError>> {
    let mut v = Validator {
        errors: Vec::new(),
        refs: Vec::new(),
        hidden: hidden_refs.to_vec(),
    };
    let mut data = v.object(schema.fields, false, doc, "", family);
    if !v.errors.is_empty() {
        return Err(v.errors);
    }
    let mut secrets = Map::new();
    for f in schema.fields.iter().filter(|f| f.secret) {
        if let Some(value) = data.remove(f.name) {
            secrets.insert(f.name.to_owned(), value);
        }
    }
    // Every reference field is part of the desired state, empty when absent.
    let mut refs = v.refs;
    for (path, spec) in schema.ref_fields() {
        let allowed = path
            .split('.')
            .next()
            .and_then(|top| schema.field(top))
            .is_some_and(|f| f.allowed_for(family));
        if allowed && !refs.iter().any(|r| r.path == path) {
            refs.push(RefWrite {
                path,
                spec,
                targets: Vec::new(),
            });
        }
    }
    Ok(Validated {
        data,
        refs,
        secrets,
    })
}

/// Fills absent fields that have a default (creation only: a patch never resets fields).
pub fn apply_defaults(schema: &KindSchema, family: Option<&str>, doc: &mut Map<String, Value>) {
    for f in schema.fields {
        if let Some(default) = f.default
            && f.allowed_for(family)
            && doc.get(f.name).is_none_or(Value::is_null)
        {
            doc.insert(f.name.to_owned(), Value::String(default.to_owned()));
        }
    }
}

/// Rebuilds the writable form of a document: data with reference fields put back as
/// `[{"id": …, attrs}]` (or `"id"` for a single reference).
pub fn compose(data: &Map<String, Value>, refs: &[RefWrite]) -> Map<String, Value> {
    let mut doc = data.clone();
    for r in refs {
        let value = ref_value(r.spec, &r.targets);
        let mut parts = r.path.split('.');
        let (Some(first), second) = (parts.next(), parts.next()) else {
            continue;
        };
        match second {
            None => {
                if !is_empty_ref(&value) {
                    doc.insert(first.to_owned(), value);
                }
            }
            Some(inner) => {
                if is_empty_ref(&value) {
                    continue;
                }
                let slot = doc
                    .entry(first.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(obj) = slot {
                    obj.insert(inner.to_owned(), value);
                }
            }
        }
    }
    doc
}

fn is_empty_ref(v: &Value) -> bool {
    matches!(v, Value::Null) || matches!(v, Value::Array(a) if a.is_empty())
}

fn ref_value(spec: &RefSpec, targets: &[RefTarget]) -> Value {
    if spec.many {
        Value::Array(
            targets
                .iter()
                .map(|t| {
                    let mut item = Map::new();
                    item.insert("id".into(), Value::String(t.id.to_string()));
                    item.extend(t.attrs.clone());
                    Value::Object(item)
                })
                .collect(),
        )
    } else {
        targets
            .first()
            .map_or(Value::Null, |t| Value::String(t.id.to_string()))
    }
}

struct Validator {
    errors: Vec<FieldError>,
    refs: Vec<RefWrite>,
    hidden: Vec<String>,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Validator {
    fn err(&mut self, path: &str, msg: impl Into<String>) {
        self.errors.push(FieldError::new(path, msg));
    }

    fn object(
        &mut self,
        fields: &'static [Field],
        open: bool,
        doc: &Map<String, Value>,
        prefix: &str,
        family: Option<&str>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, value) in doc {
            let path = join(prefix, key);
            if prefix.is_empty() && READ_ONLY.contains(&key.as_str()) {
                continue;
            }
            let Some(field) = fields.iter().find(|f| f.name == key) else {
                if open {
                    out.insert(key.clone(), value.clone());
                } else {
                    self.err(&path, "unknown field");
                }
                continue;
            };
            if !field.allowed_for(family) {
                let fam = family.unwrap_or("none");
                self.err(&path, format!("not available for family {fam}"));
                continue;
            }
            if value.is_null() {
                continue;
            }
            if let Ty::Ref(spec) = field.ty {
                self.reference(spec, value, &path);
                continue;
            }
            if let Some(clean) = self.value(&field.ty, value, &path, family) {
                out.insert(key.clone(), clean);
            }
        }
        for f in fields
            .iter()
            .filter(|f| f.required && f.allowed_for(family))
        {
            let present = match f.ty {
                Ty::Ref(_) => {
                    let path = join(prefix, f.name);
                    self.hidden.contains(&path)
                        || self
                            .refs
                            .iter()
                            .any(|r| r.path == path && !r.targets.is_empty())
                }
                _ => out.get(f.name).is_some_and(|v| !v.is_null()),
            };
            if !present && !self.errors.iter().any(|e| e.field == join(prefix, f.name)) {
                self.err(&join(prefix, f.name), "is required");
            }
        }
        out
    }

    fn value(&mut self, ty: &Ty, value: &Value, path: &str, family: Option<&str>) -> Option<Value> {
        let ok = |v: &Value| Some(v.clone());
        match ty {
            Ty::Str { min, max } => {
                let Some(s) = value.as_str() else {
                    self.err(path, "must be a string");
                    return None;
                };
                let n = s.chars().count();
                if n < *min {
                    if *min == 1 {
                        self.err(path, "must not be empty");
                    } else {
                        self.err(path, format!("must be at least {min} characters"));
                    }
                    return None;
                }
                if n > *max {
                    self.err(path, format!("must be at most {max} characters"));
                    return None;
                }
                // NUL and other control characters break exports, terminals and other tools.
                // Line breaks and tabs are text in long fields (descriptions, notes); short
                // ones — names, hostnames, tags — are one line, as the forms show them.
                let one_line = *max <= ONE_LINE_MAX;
                let allowed = |c: char| matches!(c, '\n' | '\r' | '\t');
                if one_line && !is_one_line(s) {
                    self.err(path, NOT_ONE_LINE);
                    return None;
                }
                if s.chars().any(|c| c.is_control() && !allowed(c)) {
                    self.err(path, "must not contain control characters");
                    return None;
                }
                ok(value)
            }
            Ty::Ip => match value.as_str().map(str::parse::<IpAddr>) {
                Some(Ok(ip)) => Some(Value::String(ip.to_string())),
                _ => {
                    self.err(path, "must be an IPv4 or IPv6 address");
                    None
                }
            },
            Ty::Email => match value.as_str() {
                Some(s) if is_email(s) => ok(value),
                _ => {
                    self.err(path, "must be an e-mail address");
                    None
                }
            },
            Ty::Url => match value.as_str() {
                Some(s) if is_http_url(s) => ok(value),
                _ => {
                    self.err(path, "must be an http(s) URL");
                    None
                }
            },
            Ty::DateTime => match value.as_str().map(chrono::DateTime::parse_from_rfc3339) {
                Some(Ok(_)) => ok(value),
                _ => {
                    self.err(path, "must be an RFC 3339 timestamp");
                    None
                }
            },
            Ty::Int { min, max } => match value.as_i64() {
                Some(i) if i >= *min && i <= *max => ok(value),
                Some(_) => {
                    self.err(path, format!("must be between {min} and {max}"));
                    None
                }
                None => {
                    self.err(path, "must be an integer");
                    None
                }
            },
            Ty::Num {
                min,
                max,
                above_min,
            } => match value.as_f64() {
                Some(x) if x.is_finite() => {
                    let low_ok = if *above_min { x > *min } else { x >= *min };
                    if !low_ok || x > *max {
                        let low = if *above_min {
                            "greater than"
                        } else {
                            "at least"
                        };
                        self.err(path, format!("must be {low} {min} and at most {max}"));
                        return None;
                    }
                    Some(canonical_number(x, value))
                }
                _ => {
                    self.err(path, "must be a number");
                    None
                }
            },
            Ty::Bool => {
                if value.is_boolean() {
                    ok(value)
                } else {
                    self.err(path, "must be true or false");
                    None
                }
            }
            Ty::Enum(options) => match value.as_str() {
                Some(s) if options.contains(&s) => ok(value),
                _ => {
                    self.err(path, format!("must be one of: {}", options.join(", ")));
                    None
                }
            },
            Ty::Scalar => match value {
                Value::String(s) if s.chars().count() <= 250 => ok(value),
                Value::Number(_) => ok(value),
                _ => {
                    self.err(
                        path,
                        "must be a string (at most 250 characters) or a number",
                    );
                    None
                }
            },
            Ty::Object { fields, open } => match value.as_object() {
                Some(obj) => {
                    let before = self.errors.len();
                    let clean = self.object(fields, *open, obj, path, family);
                    (self.errors.len() == before).then_some(Value::Object(clean))
                }
                None => {
                    self.err(path, "must be an object");
                    None
                }
            },
            Ty::AnyObject => {
                if value.is_object() {
                    ok(value)
                } else {
                    self.err(path, "must be an object");
                    None
                }
            }
            Ty::Any => ok(value),
            Ty::List {
                item,
                max,
                unique_by,
            } => {
                let Some(items) = value.as_array() else {
                    self.err(path, "must be a list");
                    return None;
                };
                if items.len() > *max {
                    self.err(path, format!("must have at most {max} items"));
                    return None;
                }
                let before = self.errors.len();
                let mut out = Vec::with_capacity(items.len());
                for (i, it) in items.iter().enumerate() {
                    if let Some(v) = self.value(item, it, &format!("{path}[{i}]"), family) {
                        out.push(v);
                    }
                }
                if let Some(key) = unique_by {
                    let mut seen = HashSet::new();
                    for (i, it) in out.iter().enumerate() {
                        let k = if key.is_empty() {
                            Some(it)
                        } else {
                            it.get(*key)
                        };
                        if let Some(k) = k.filter(|k| !k.is_null())
                            && !seen.insert(k.to_string())
                        {
                            let what = if key.is_empty() { "value" } else { key };
                            self.err(&format!("{path}[{i}]"), format!("duplicate {what} {k}"));
                        }
                    }
                }
                (self.errors.len() == before).then_some(Value::Array(out))
            }
            Ty::Ref(spec) => {
                self.reference(spec, value, path);
                None
            }
        }
    }

    fn reference(&mut self, spec: &'static RefSpec, value: &Value, path: &str) {
        let mut targets = Vec::new();
        let items: Vec<(String, &Value)> = if spec.many {
            match value.as_array() {
                Some(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{path}[{i}]"), v))
                    .collect(),
                None => {
                    self.err(path, "must be a list of references like [{\"id\": \"…\"}]");
                    return;
                }
            }
        } else {
            vec![(path.to_owned(), value)]
        };
        let mut seen = HashSet::new();
        for (p, item) in items {
            let (id_value, attrs) = match item {
                Value::String(_) => (item, Map::new()),
                Value::Object(obj) => {
                    let Some(id) = obj.get("id") else {
                        self.err(&p, "a reference needs an \"id\"");
                        continue;
                    };
                    let mut extra = Map::new();
                    for (k, v) in obj {
                        if k == "id" || REF_READ_ONLY.contains(&k.as_str()) {
                            continue;
                        }
                        extra.insert(k.clone(), v.clone());
                    }
                    let before = self.errors.len();
                    let clean = self.object(spec.attrs, false, &extra, &p, None);
                    if self.errors.len() != before {
                        continue;
                    }
                    (id, clean)
                }
                _ => {
                    self.err(&p, "must be an id or an object with an \"id\"");
                    continue;
                }
            };
            match id_value.as_str().map(str::parse::<EntityId>) {
                Some(Ok(id)) => {
                    if !seen.insert(id) {
                        self.err(&p, format!("{id} is listed twice"));
                        continue;
                    }
                    targets.push(RefTarget { id, attrs });
                }
                _ => self.err(&p, "is not a valid id"),
            }
        }
        self.refs.retain(|r| r.path != path);
        self.refs.push(RefWrite {
            path: path.to_owned(),
            spec,
            targets,
        });
    }
}

/// `4.0` and `4` are the same number: integral values are stored as integers, so sending a
/// value back in another notation is not a change.
fn canonical_number(x: f64, original: &Value) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact in f64
    if x.fract() == 0.0 && x.abs() < EXACT && !original.is_i64() && !original.is_u64() {
        Value::from(x as i64)
    } else {
        original.clone()
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/'))
        && s.len() <= 2000
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests;
