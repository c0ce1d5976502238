//! From an observation to a valid document. Discovered records are validated like everything
//! else but never rejected for what only a person would fill: a missing or too-short name falls
//! back to the provider id, and any other field the schema refuses is dropped (and reported).

use maestro_discovery::Observation;
use maestro_model::FieldError;
use maestro_model::schema::{FamilyScope, Kind, Ty};
use maestro_model::validate::{Validated, validate};
use serde_json::{Map, Value};

/// A document ready to store, and what had to be dropped from the observation.
pub struct Mapped {
    pub kind: Kind,
    pub family: Option<String>,
    pub validated: Validated,
    pub dropped: Vec<FieldError>,
}

fn max_name(kind: Kind) -> usize {
    match kind.schema().field("name").map(|f| f.ty) {
        Some(Ty::Str { max, .. }) => max,
        _ => 100,
    }
}

fn fits_name(kind: Kind, name: &str) -> bool {
    match kind.schema().field("name").map(|f| f.ty) {
        Some(Ty::Str { min, max }) => (min..=max).contains(&name.chars().count()),
        _ => !name.is_empty(),
    }
}

/// Maps an observation into a valid document of its collection's kind.
pub fn map(obs: &Observation) -> Result<Mapped, String> {
    let coll = obs.collection;
    let kind = coll.kind();
    let mut doc: Map<String, Value> = obs.fields.clone();
    // The family a view implies, unless the provider gave one that fits the view.
    match coll.family_scope() {
        FamilyScope::One(f) => {
            doc.insert("family".into(), Value::String(f.into()));
        }
        FamilyScope::Resources => {
            let ok = doc
                .get("family")
                .and_then(Value::as_str)
                .is_some_and(|f| coll.family_scope().contains(Some(f)));
            if !ok {
                return Err(format!(
                    "{} observed without a resource family",
                    obs.provider_id
                ));
            }
        }
        FamilyScope::None => {}
    }
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| fits_name(kind, n))
        .map(str::to_owned);
    let fallback: String = obs.provider_id.chars().take(max_name(kind)).collect();
    doc.insert("name".into(), Value::String(name.unwrap_or(fallback)));
    if kind.schema().field("unique_id").is_some() {
        doc.insert(
            "unique_id".into(),
            Value::String(obs.provider_id.chars().take(250).collect()),
        );
    }
    let family = doc.get("family").and_then(Value::as_str).map(str::to_owned);
    let mut dropped = Vec::new();
    for _ in 0..4 {
        match validate(kind.schema(), family.as_deref(), &doc) {
            Ok(validated) => {
                return Ok(Mapped {
                    kind,
                    family,
                    validated,
                    dropped,
                });
            }
            Err(errors) => {
                for e in errors {
                    let top = e
                        .field
                        .split(['.', '['])
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    if top == "name" || top == "family" {
                        return Err(format!("{}: {} {}", obs.provider_id, e.field, e.message));
                    }
                    doc.remove(&top);
                    dropped.push(e);
                }
            }
        }
    }
    Err(format!(
        "{}: the observation cannot be made valid",
        obs.provider_id
    ))
}

/// Merges observed data over stored data: observed fields replace stored ones, objects
/// (placement, OS, provider details) merge key by key at every depth, and fields only a person
/// set stay as they are — an OS version typed by hand survives the provider reporting the OS
/// family. Lists (tags, block devices) are the provider's: it reports them whole, and an empty
/// one clears what is stored (tags removed at the provider) but is not added where nothing is
/// (empty and absent say the same; no history entry for it).
pub fn merge(stored: &Map<String, Value>, observed: &Map<String, Value>) -> Map<String, Value> {
    let mut out = stored.clone();
    merge_into(&mut out, observed);
    out
}

/// A new entity's observed data as it is stored: without empty lists, as [`merge`] would not
/// add them.
pub fn created(mut observed: Map<String, Value>) -> Map<String, Value> {
    observed.retain(|_, v| !matches!(v, Value::Array(a) if a.is_empty()));
    observed
}

fn merge_into(out: &mut Map<String, Value>, observed: &Map<String, Value>) {
    for (k, v) in observed {
        match (out.get_mut(k), v) {
            (Some(Value::Object(old)), Value::Object(new)) => merge_into(old, new),
            (None, Value::Array(list)) if list.is_empty() => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_model::schema::Collection;
    use serde_json::json;

    fn obs(coll: Collection, fields: Value) -> Observation {
        Observation {
            collection: coll,
            provider_id: "i-0123456789abcdef0".into(),
            fields: fields.as_object().cloned().unwrap(),
            refs: vec![],
            active: true,
        }
    }

    #[test]
    fn names_fall_back_to_the_provider_id_and_bad_fields_are_dropped() {
        let m = map(&obs(
            Collection::Servers,
            json!({"cpu": 0, "ipv4_private": "10.0.0.1", "bogus": 1}),
        ))
        .unwrap();
        assert_eq!(m.validated.data["name"], "i-0123456789abcdef0");
        assert_eq!(m.validated.data["unique_id"], "i-0123456789abcdef0");
        assert!(m.validated.data.get("cpu").is_none());
        assert_eq!(m.dropped.len(), 2);
        let m = map(&obs(Collection::Databases, json!({"name": "db"}))).unwrap();
        assert_eq!(
            m.validated.data["name"], "i-0123456789abcdef0",
            "names shorter than 3 fall back"
        );
        assert_eq!(m.family.as_deref(), Some("Database"));
        assert!(map(&obs(Collection::Resources, json!({"name": "bucket"}))).is_err());
    }

    #[test]
    fn merging_keeps_what_people_set() {
        let stored = json!({"name": "web", "environment": "Production", "datacenters": {"region": "us-east-1", "rack": "r12"}, "cpu": 2});
        let observed = json!({"name": "web", "datacenters": {"region": "us-east-1", "zone": "us-east-1a"}, "cpu": 4});
        let merged = merge(stored.as_object().unwrap(), observed.as_object().unwrap());
        assert_eq!(merged["environment"], "Production");
        assert_eq!(
            merged["datacenters"],
            json!({"region": "us-east-1", "rack": "r12", "zone": "us-east-1a"})
        );
        assert_eq!(merged["cpu"], 4);
        // A closed object too, at any depth: the provider knows the OS family, not its version.
        let stored = json!({"os": {"base": "Linux", "dist": "Debian", "version": "12"}});
        let observed = json!({"os": {"base": "Linux"}, "tags": [{"key": "team", "value": "a"}]});
        let merged = merge(stored.as_object().unwrap(), observed.as_object().unwrap());
        assert_eq!(
            merged["os"],
            json!({"base": "Linux", "dist": "Debian", "version": "12"})
        );
        assert_eq!(merged["tags"], observed["tags"]);
        // Tags removed at the provider are cleared; none reported where none are stored adds
        // nothing.
        let none = json!({"tags": []});
        let merged = merge(stored.as_object().unwrap(), none.as_object().unwrap());
        assert!(!merged.contains_key("tags"));
        let merged_again = merge(&merged_with_tags(), none.as_object().unwrap());
        assert_eq!(merged_again["tags"], json!([]));
        let new = created(
            json!({"name": "web", "tags": [], "storage": []})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(Value::Object(new), json!({"name": "web"}));
    }

    fn merged_with_tags() -> Map<String, Value> {
        json!({"tags": [{"key": "team", "value": "a"}]})
            .as_object()
            .unwrap()
            .clone()
    }
}
