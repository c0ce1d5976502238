//! Turning a request body into a valid document: the family a collection imposes, kind-specific
//! conveniences, defaults on creation, and schema validation.

use maestro_model::schema::{Collection, FamilyScope, Kind, RESOURCE_FAMILIES};
use maestro_model::validate::{RefWrite, Validated, apply_defaults, validate_with_hidden};
use serde_json::{Map, Value};

use crate::{CoreError, CoreResult};

/// Settles the family of a new entity in `coll` and writes it into the document.
pub fn family_for_create(
    coll: Collection,
    doc: &mut Map<String, Value>,
) -> CoreResult<Option<String>> {
    match coll.family_scope() {
        FamilyScope::None => Ok(doc.get("family").and_then(Value::as_str).map(str::to_owned)),
        FamilyScope::One(f) => match doc.get("family") {
            None | Some(Value::Null) => {
                doc.insert("family".into(), Value::String(f.into()));
                Ok(Some(f.into()))
            }
            Some(Value::String(g)) if g == f => Ok(Some(f.into())),
            Some(_) => Err(wrong_family(coll)),
        },
        FamilyScope::Resources => match doc.get("family").and_then(Value::as_str) {
            Some(f) if RESOURCE_FAMILIES.contains(&f) => Ok(Some(f.into())),
            _ => Err(wrong_family(coll)),
        },
    }
}

/// Checks that a patched document keeps a family the collection shows.
pub fn family_for_update(coll: Collection, doc: &Map<String, Value>) -> CoreResult<Option<String>> {
    let family = doc.get("family").and_then(Value::as_str).map(str::to_owned);
    let scope = coll.family_scope();
    if scope != FamilyScope::None && !scope.contains(family.as_deref()) {
        return Err(wrong_family(coll));
    }
    Ok(family)
}

fn wrong_family(coll: Collection) -> CoreError {
    let msg = match coll.family_scope() {
        FamilyScope::One(f) => format!("must be {f} in /{}", coll.segment()),
        _ => format!(
            "is required in /{} and must be one of: {}",
            coll.segment(),
            RESOURCE_FAMILIES.join(", ")
        ),
    };
    CoreError::invalid("family", msg)
}

/// Conveniences applied before validation.
pub fn fixups(kind: Kind, doc: &mut Map<String, Value>) {
    // A server named by its hostname needs no separate name.
    if kind == Kind::Server
        && doc.get("name").is_none_or(Value::is_null)
        && let Some(h) = doc
            .get("hostname")
            .filter(|h| h.as_str().is_some_and(|s| !s.is_empty()))
    {
        let h = h.clone();
        doc.insert("name".into(), h);
    }
    // A connection's provider spelled as datacenters spell it ("AWS", "OpenStack") is that
    // provider.
    if kind == Kind::Connection
        && let Some(Value::String(p)) = doc.get_mut("provider")
    {
        let lower = p.to_ascii_lowercase();
        if matches!(lower.as_str(), "aws" | "openstack") {
            *p = lower;
        }
    }
}

/// Validates a document for creation (defaults applied first).
pub fn validate_new(
    kind: Kind,
    family: Option<&str>,
    mut doc: Map<String, Value>,
) -> CoreResult<Validated> {
    fixups(kind, &mut doc);
    apply_defaults(kind.schema(), family, &mut doc);
    validate_doc(kind, family, &doc, &[])
}

/// Validates a complete document and applies the rules that span fields. `hidden_refs` are
/// reference paths holding targets the caller cannot see (they count as present).
pub fn validate_doc(
    kind: Kind,
    family: Option<&str>,
    doc: &Map<String, Value>,
    hidden_refs: &[String],
) -> CoreResult<Validated> {
    let mut v =
        validate_with_hidden(kind.schema(), family, doc, hidden_refs).map_err(|mut e| {
            if kind == Kind::Server {
                // A hostname alone names a server (see `fixups`): say so where the name is missing.
                for f in e.iter_mut().filter(|f| f.field == "name") {
                    if matches!(f.message.as_str(), "is required" | "must not be empty") {
                        f.message =
                            "is required, or give a hostname (the name defaults to it)".into();
                    }
                }
            }
            CoreError::Invalid(e)
        })?;
    if kind == Kind::System {
        entry_apps_join_the_system(&mut v.refs);
    }
    // Inverse fields are listed by id (see `views::rows_for`): the order a client sends them in
    // is not kept, so it must not count as a change either.
    for r in v.refs.iter_mut().filter(|r| r.spec.inverse) {
        r.targets.sort_by_key(|t| t.id);
    }
    Ok(v)
}

/// A system's entry points are among its applications: a patch that sets the applications
/// without naming the entry points drops those no longer listed (otherwise the next write would
/// bring them back as members, see `entry_apps_join_the_system`).
pub fn entry_follows_applications(kind: Kind, patch: &Value, merged: &mut Map<String, Value>) {
    if kind != Kind::System || patch.get("applications").is_none() || patch.get("entry").is_some() {
        return;
    }
    let id_of = |v: &Value| v.as_str().or_else(|| v["id"].as_str()).map(str::to_owned);
    let members: Vec<String> = merged
        .get("applications")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(id_of).collect())
        .unwrap_or_default();
    if let Some(Value::Array(entry)) = merged.get_mut("entry") {
        entry.retain(|e| id_of(e).is_some_and(|id| members.contains(&id)));
    }
}

/// A system's entry applications are members of the system too (as the original's hook did).
fn entry_apps_join_the_system(refs: &mut [RefWrite]) {
    let entry: Vec<_> = refs
        .iter()
        .find(|r| r.path == "entry")
        .map(|r| r.targets.clone())
        .unwrap_or_default();
    if let Some(apps) = refs.iter_mut().find(|r| r.path == "applications") {
        for t in entry {
            if !apps.targets.iter().any(|a| a.id == t.id) {
                apps.targets.push(t);
            }
        }
    }
}
