//! How values read on pages: list cells, detail values (text, links, tables of list items), time
//! stamps and history values — all derived from the schema, never per kind.

use maestro_model::schema::{Collection, Field, Kind, Ty};
use serde_json::Value;

use crate::hints;

/// A value on a detail page.
#[derive(Debug, Clone)]
pub enum Disp {
    Empty,
    Text(String),
    /// Links to related entities: (href, name).
    Links(Vec<(String, String)>),
    /// An object's fields: (label, text, href when it is a reference).
    Pairs(Vec<(String, String, String)>),
    /// A list of objects: column labels and rows of cells.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Raw JSON (provider details).
    Json(String),
}

/// A labelled value on a detail page.
#[derive(Debug, Clone)]
pub struct DispField {
    pub label: String,
    pub value: Disp,
}

/// The collection that shows entities of `kind` (applications for the application model).
pub fn collection_for(kind: Kind) -> Collection {
    match kind {
        Kind::Application => Collection::Applications,
        k => Collection::of(k, None),
    }
}

/// What one entity of `coll` is called ("Database", "Load balancer", a resource's family).
pub fn noun(coll: Collection, family: Option<&str>) -> String {
    match (coll, family) {
        (Collection::Databases, _) => "Database".into(),
        (Collection::Loadbalancers, _) => "Load balancer".into(),
        (Collection::Services, _) => "Service".into(),
        (Collection::Resources, Some(f)) => f.to_owned(),
        (Collection::Resources, None) => "Resource".into(),
        _ => coll.kind().schema().label.to_owned(),
    }
}

/// "Tags" → "tag": the noun of one row.
pub fn singular(label: &str) -> String {
    let l = label.to_lowercase();
    let fixed = match l.as_str() {
        "auth" => "auth method",
        "depends on" => "dependency",
        "pdbs (pluggable databases)" => "PDB",
        "asm groups" => "ASM group",
        "storage" => "volume",
        "deploy" => "deploy method",
        "links" => "link",
        "services" => "service",
        "entry" => "entry application",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    match l.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.ends_with('u') => stem.to_owned(),
        _ => l,
    }
}

/// `2026-11-27T10:32:05.123Z` → `2026-11-27 10:32 UTC`.
pub fn when(v: &Value) -> String {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|| scalar_text(v))
}

/// The day of a timestamp (`2026-12-05`): list columns stay narrow; pages show the time.
pub fn day(v: &Value) -> String {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| scalar_text(v))
}

/// A scalar as text (JSON for anything else).
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// The value at a dotted path (`os.base`).
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, seg| cur.get(seg))
}

/// A short text for a list cell.
pub fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Array(items)) => {
            let names: Vec<String> = items.iter().map(item_name).collect();
            let shown = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            if names.len() > 3 {
                format!("{shown} +{}", names.len() - 3)
            } else {
                shown
            }
        }
        Some(Value::Object(o)) => o
            .values()
            .filter(|x| !x.is_object() && !x.is_array() && !x.is_null())
            .map(scalar_text)
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => scalar_text(other),
    }
}

/// How one item of a list is named: its name, key=value, or id.
fn item_name(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            if let Some(n) = o.get("name").and_then(Value::as_str) {
                n.to_owned()
            } else if let Some(k) = o.get("key").and_then(Value::as_str) {
                match o.get("value").map(scalar_text) {
                    Some(val) if !val.is_empty() => format!("{k}={val}"),
                    _ => k.to_owned(),
                }
            } else if let Some(val) = o.get("value") {
                scalar_text(val)
            } else {
                o.values().next().map(scalar_text).unwrap_or_default()
            }
        }
        other => scalar_text(other),
    }
}

fn ref_links(v: Option<&Value>, target: Kind) -> Vec<(String, String)> {
    let items: Vec<&Value> = match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(x) => vec![x],
    };
    items
        .into_iter()
        .filter_map(|r| {
            let id = r.get("id").and_then(Value::as_str)?;
            let name = r.get("name").and_then(Value::as_str).unwrap_or(id);
            let coll = r
                .get("collection")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| collection_for(target).segment().to_owned());
            let extra = r
                .get("endpoint")
                .and_then(Value::as_str)
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            Some((format!("/{coll}/{id}"), format!("{name}{extra}")))
        })
        .collect()
}

/// The display of field `f` with value `v`.
pub fn display(f: &Field, v: Option<&Value>) -> Disp {
    if v.is_none_or(Value::is_null) && !matches!(f.ty, Ty::Ref(_)) {
        return Disp::Empty;
    }
    match &f.ty {
        Ty::Ref(spec) => {
            let links = ref_links(v, spec.target);
            if links.is_empty() {
                Disp::Empty
            } else {
                Disp::Links(links)
            }
        }
        Ty::Object { fields, .. } => {
            let Some(obj) = v.and_then(Value::as_object) else {
                return Disp::Text(cell(v));
            };
            // A reference with its target's name beside it (a server's datacenter) reads as
            // the name, linked, rather than as an id link next to a plain name.
            let name = obj.get("name").and_then(Value::as_str);
            let mut pairs = Vec::new();
            let mut named_link = false;
            for (k, val) in obj {
                if val.is_null() {
                    continue;
                }
                let sub = fields.iter().find(|s| s.name == k);
                let href = match sub.map(|s| &s.ty) {
                    Some(Ty::Ref(spec)) => val
                        .as_str()
                        .map(|id| format!("/{}/{id}", collection_for(spec.target).segment()))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                match name {
                    Some(name) if !href.is_empty() => {
                        pairs.push((hints::label("name"), name.to_owned(), href));
                        named_link = true;
                    }
                    _ => pairs.push((hints::label(k), cell(Some(val)), href)),
                }
            }
            if named_link {
                pairs.retain(|(label, _, href)| !(label == "Name" && href.is_empty()));
            }
            Disp::Pairs(pairs)
        }
        Ty::List { item, .. } => match item {
            Ty::Object { fields, .. } => table(fields, v),
            _ => Disp::Text(
                v.and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(scalar_text)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        },
        Ty::AnyObject => match v.and_then(Value::as_object) {
            Some(o) => Disp::Pairs(
                o.iter()
                    .map(|(k, x)| (k.clone(), cell(Some(x)), String::new()))
                    .collect(),
            ),
            None => Disp::Text(cell(v)),
        },
        Ty::Any => {
            Disp::Json(serde_json::to_string_pretty(v.unwrap_or(&Value::Null)).unwrap_or_default())
        }
        Ty::DateTime => Disp::Text(when(v.unwrap_or(&Value::Null))),
        _ => Disp::Text(cell(v)),
    }
}

fn table(fields: &'static [Field], v: Option<&Value>) -> Disp {
    let items: Vec<&serde_json::Map<String, Value>> = v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    if items.is_empty() {
        return Disp::Empty;
    }
    let cols: Vec<&Field> = fields
        .iter()
        .filter(|f| {
            items
                .iter()
                .any(|i| i.get(f.name).is_some_and(|x| !x.is_null()))
        })
        .filter(|f| !matches!(f.ty, Ty::Any))
        .collect();
    let rows = items
        .iter()
        .map(|i| cols.iter().map(|c| cell(i.get(c.name))).collect())
        .collect();
    Disp::Table(cols.iter().map(|c| hints::label(c.name)).collect(), rows)
}

/// A history value as lines: scalars as text, each object of a list on its own line as
/// `key: value` pairs, other values as compact JSON.
pub fn history_value(v: &Value) -> Vec<String> {
    let pairs = |o: &serde_json::Map<String, Value>| {
        // A grant (`{user|team: id, name, role}`) reads as who and what, not as ids.
        let who = ["user", "team"].into_iter().find(|k| o.contains_key(*k));
        if let (Some(kind), Some(role)) = (who, o.get("role").and_then(Value::as_str)) {
            let name = o
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| scalar_text(&o[kind]), str::to_owned);
            return format!("{name} ({kind}): {role}");
        }
        o.iter()
            .filter(|(_, x)| !x.is_null())
            .map(|(k, x)| match x {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    format!("{k}: {}", scalar_text(x))
                }
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v {
        Value::Null => vec!["—".into()],
        Value::String(_) | Value::Number(_) | Value::Bool(_) => vec![scalar_text(v)],
        Value::Array(items) if items.is_empty() => vec!["(none)".into()],
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Object(o) => pairs(o),
                other => scalar_text(other),
            })
            .collect(),
        Value::Object(o) => vec![pairs(o)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_reads_as_who_and_what() {
        let v = serde_json::json!([{"user": "0193", "name": "Dave", "role": "read"}, {"team": "0194", "role": "write"}]);
        assert_eq!(
            history_value(&v),
            ["Dave (user): read", "0194 (team): write"]
        );
    }

    #[test]
    fn a_reference_with_a_name_reads_as_the_name() {
        let schema = maestro_model::schema::Kind::Server.schema();
        let f = schema
            .fields
            .iter()
            .find(|f| f.name == "datacenters")
            .unwrap();
        let v = serde_json::json!({"region": "r1", "id": "01a2", "name": "DC One"});
        match display(f, Some(&v)) {
            Disp::Pairs(p) => assert_eq!(
                p,
                vec![
                    ("Region".to_owned(), "r1".to_owned(), String::new()),
                    (
                        "Name".to_owned(),
                        "DC One".to_owned(),
                        "/datacenters/01a2".to_owned()
                    )
                ]
            ),
            _ => panic!("pairs"),
        }
    }
}
