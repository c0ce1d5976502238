//! The filters of list pages (environment, role, family, OS, datacenter, tag, active) with
//! their option lists, and the translation of the page's query into the REST API's pairs.

use maestro_model::schema::{Collection, FamilyScope, Kind, NETWORK_FAMILIES, Ty};

use crate::WebState;
use crate::chrome::Authed;
use crate::error::WebResult;
use crate::forms::Choices;
use crate::hints::Source;

pub struct Filter {
    pub id: String,
    pub name: String,
    pub label: &'static str,
    /// (value, label); empty = a text input.
    pub options: Vec<(String, String)>,
    pub value: String,
}

/// The last value of `key`.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// The pairs sent to the core: empty values dropped, `tag=key=value` expanded.
pub fn core_pairs(coll: Collection, pairs: &[(String, String)]) -> Vec<(String, String)> {
    let string_tags = matches!(
        coll.kind().schema().field("tags").map(|f| &f.ty),
        Some(Ty::List {
            item: Ty::Str { .. },
            ..
        })
    );
    let mut out = Vec::new();
    for (k, v) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
        if k == "tag" {
            let (key, value) = v.split_once('=').unwrap_or((v, ""));
            if string_tags {
                out.push(("tags".into(), key.trim().into()));
            } else {
                out.push(("tags.key".into(), key.trim().into()));
                if !value.trim().is_empty() {
                    out.push(("tags.value".into(), value.trim().into()));
                }
            }
        } else {
            out.push((k.clone(), v.trim().to_owned()));
        }
    }
    out
}

fn options(values: Vec<String>) -> Vec<(String, String)> {
    values.into_iter().map(|v| (v.clone(), v)).collect()
}

/// The filters that apply to `coll`, with the values chosen in `pairs`.
pub async fn filters(
    state: &WebState,
    auth: &Authed,
    coll: Collection,
    pairs: &[(String, String)],
) -> WebResult<Vec<Filter>> {
    let schema = coll.kind().schema();
    let choices = Choices::settings(&state.core).await?;
    let mut out = Vec::new();
    let mut add = |name: &str, label: &'static str, opts: Vec<(String, String)>| {
        out.push(Filter {
            id: crate::forms::dom_id(name),
            name: name.to_owned(),
            label,
            options: opts,
            value: get(pairs, name).to_owned(),
        });
    };
    if schema.field("environment").is_some() {
        add(
            "environment",
            "Environment",
            options(choices.values(Source::Setting("env_options", &["environment"]))),
        );
    }
    if coll == Collection::Servers {
        add(
            "role",
            "Role",
            options(choices.values(Source::Setting("server_options", &["role"]))),
        );
        add(
            "os.base",
            "OS",
            options(choices.values(Source::Setting("server_options", &["os"]))),
        );
    }
    let families: Vec<String> = match (coll.family_scope(), coll.kind()) {
        (FamilyScope::Resources, _) => coll
            .family_scope()
            .families()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        (_, Kind::Network) => NETWORK_FAMILIES.iter().map(|s| s.to_string()).collect(),
        (_, Kind::Service) => maestro_model::schema::APPLICATION_FAMILIES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        _ => Vec::new(),
    };
    if !families.is_empty() {
        add("family", "Family", options(families));
    }
    if schema.field("datacenters").is_some() {
        let dcs = state
            .core
            .list_entities(
                &auth.caller,
                Collection::Datacenters,
                &[
                    ("limit".into(), "200".into()),
                    ("sort".into(), "name".into()),
                ],
            )
            .await?;
        let opts: Vec<(String, String)> = dcs
            .items
            .iter()
            .filter_map(|d| {
                Some((
                    d["id"].as_str()?.to_owned(),
                    d["name"].as_str().unwrap_or("?").to_owned(),
                ))
            })
            .collect();
        if !opts.is_empty() {
            add("datacenters.id", "Datacenter", opts);
        }
    }
    if schema.field("tags").is_some() {
        add("tag", "Tag (key or key=value)", Vec::new());
    }
    add(
        "active",
        // Not "Status": servers and databases have a run status (Active, Stopped…) of their own.
        "Shown",
        vec![
            ("".into(), "In the inventory".into()),
            ("false".into(), "Deleted or gone".into()),
            ("all".into(), "All".into()),
        ],
    );
    Ok(out)
}
