//! Detail pages: one entity in tabs (the layout hints' tabs, then relations both ways and the
//! history timeline with who, when, where from and each field's old → new value).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_model::Role;
use maestro_model::schema::Collection;
use serde_json::Value;

use super::relations::{RelGroup, SHOWN, groups};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::discovery::{Provenance, provenance};
use crate::error::WebResult;
use crate::forms::{decode::family_of, layout, tab_id};
use crate::hints;
use crate::view::{self, Disp, DispField, history_value, when};
use maestro_core::ports::RelationSide;

pub struct DetailTab {
    pub id: String,
    pub label: String,
    pub fields: Vec<DispField>,
}

pub struct Change {
    pub path: String,
    pub old: Vec<String>,
    pub new: Vec<String>,
}

pub struct Entry {
    pub at: String,
    pub actor: String,
    /// Where the actor is shown: a discovery change links its connection.
    pub actor_href: Option<String>,
    /// Why the change was made, when its author said (discovery: "missing from a complete
    /// listing").
    pub reason: String,
    pub source: String,
    pub op: String,
    pub changes: Vec<Change>,
}

#[derive(Template)]
#[template(path = "entity.html")]
struct DetailPage {
    chrome: Chrome,
    seg: &'static str,
    id: String,
    name: String,
    kind_label: String,
    list_label: &'static str,
    active: bool,
    /// The caller's role on it allows changing it (write) / deleting and sharing it (admin).
    can_edit: bool,
    can_admin: bool,
    /// Shared one by one (not the services catalog, which every account reads).
    shared: bool,
    tabs: Vec<DetailTab>,
    outgoing: Vec<RelGroup>,
    incoming: Vec<RelGroup>,
    history: Vec<Entry>,
    history_total: u64,
    history_prev: Option<String>,
    history_next: Option<String>,
    owner: String,
    created: String,
    updated: String,
    open_tab: String,
    /// A datacenter a discovery connection points at.
    connected: bool,
    /// Where discovery found it.
    discovered: Option<Provenance>,
}

/// One history record as shown in a timeline.
pub fn entry(v: &Value) -> Entry {
    entry_named(v, &HashMap::new())
}

/// [`entry`], with the ids of entities in `names` (id → name) shown as their names.
pub fn entry_named(v: &Value, names: &HashMap<String, String>) -> Entry {
    let changes = v["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| Change {
            path: c["path"].as_str().unwrap_or("").to_owned(),
            old: history_value(&named(&c["old"], names)),
            new: history_value(&named(&c["new"], names)),
        })
        .collect();
    Entry {
        at: when(&v["at"]),
        actor: v["actor"]["name"].as_str().unwrap_or("Maestro").to_owned(),
        actor_href: v["context"]["connection"]
            .as_str()
            .map(|c| format!("/connections/{c}")),
        reason: v["context"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        source: v["source"].as_str().unwrap_or("").to_owned(),
        op: v["op"].as_str().unwrap_or("").to_owned(),
        changes,
    }
}

/// A history value with known entity ids read as names: a reference (`datacenters.id`) shows
/// the name, a reference item (`{id, …}`) shows `name: …` instead of `id: …`.
fn named(v: &Value, names: &HashMap<String, String>) -> Value {
    let known = |x: &Value| x.as_str().and_then(|s| names.get(s)).cloned();
    match v {
        Value::String(_) => known(v).map_or_else(|| v.clone(), Value::String),
        Value::Array(items) => Value::Array(items.iter().map(|i| named(i, names)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| match known(x) {
                    Some(name) if k == "id" && !o.contains_key("name") => {
                        ("name".to_owned(), Value::String(name))
                    }
                    _ => (k.clone(), named(x, names)),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The tabs of an entity's detail page.
pub fn detail_tabs(coll: Collection, doc: &Value) -> Vec<DetailTab> {
    let family = family_of(coll, None, doc.as_object());
    layout(coll, family.as_deref(), true)
        .into_iter()
        .map(|(label, fields)| DetailTab {
            id: tab_id(&label),
            fields: fields
                .iter()
                .map(|f| DispField {
                    label: hints::label(f.name),
                    value: view::display(f, doc.get(f.name)),
                })
                .filter(|d| !(label == "Details" && matches!(d.value, Disp::Empty)))
                .collect(),
            label,
        })
        .filter(|t| !t.fields.is_empty())
        .collect()
}

/// `GET /{collection}/{id}`.
pub async fn page(
    State(state): State<WebState>,
    auth: Authed,
    Path((seg, raw_id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let id = super::entity_id(&raw_id)?;
    let core = &state.core;
    let doc = core.get_entity(&auth.caller, coll, id).await?;
    let (rows, totals) = core
        .relation_firsts(&auth.caller, coll, id, SHOWN as u32)
        .await?;
    let relations = maestro_core::views::relations_view(id, &rows);
    let grants = core.get_grants(&auth.caller, coll, id).await?;
    let role = crate::identity::access::role_on(&auth, coll, &grants);
    let hpage: u32 = q
        .get("hpage")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let history = core
        .entity_history(
            &auth.caller,
            coll,
            id,
            &[
                ("limit".into(), "50".into()),
                ("page".into(), hpage.to_string()),
            ],
        )
        .await?;
    // Entities the page links to, so the history names them instead of showing their ids.
    let names: HashMap<String, String> = ["outgoing", "incoming"]
        .iter()
        .flat_map(|side| relations[side].as_array().into_iter().flatten())
        .filter_map(|r| Some((r["id"].as_str()?.to_owned(), r["name"].as_str()?.to_owned())))
        .collect();
    let pages = history.total.div_ceil(50).max(1);
    let hlink = |p: u32| format!("/{}/{id}?tab=history&hpage={p}#history", coll.segment());
    let name = doc["name"].as_str().unwrap_or("?").to_owned();
    let schema = coll.kind().schema();
    let family = doc["family"].as_str().map(str::to_owned);
    let kind_label = view::noun(coll, family.as_deref());
    let open_tab = q.get("tab").map(|t| tab_id(t)).unwrap_or_default();
    let discovered = provenance(core, &auth.caller, coll, &doc).await;
    render(&DetailPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(format!("{kind_label} {name}"), coll.segment()),
        seg: coll.segment(),
        id: id.to_string(),
        kind_label,
        list_label: coll.label(),
        active: doc["active"].as_bool().unwrap_or(true),
        can_edit: role >= Some(Role::Write),
        can_admin: role >= Some(Role::Admin),
        shared: !schema.global,
        tabs: detail_tabs(coll, &doc),
        outgoing: groups(
            relations["outgoing"].as_array().map_or(&[][..], |v| v),
            &totals,
            RelationSide::Outgoing,
            coll,
            &id.to_string(),
        ),
        incoming: groups(
            relations["incoming"].as_array().map_or(&[][..], |v| v),
            &totals,
            RelationSide::Incoming,
            coll,
            &id.to_string(),
        ),
        history: history
            .items
            .iter()
            .map(|e| entry_named(e, &names))
            .collect(),
        history_total: history.total,
        history_prev: (hpage > 1).then(|| hlink(hpage - 1)),
        history_next: (u64::from(hpage) < pages).then(|| hlink(hpage + 1)),
        owner: doc["owner"]["name"].as_str().unwrap_or("").to_owned(),
        created: when(&doc["created_at"]),
        updated: when(&doc["updated_at"]),
        open_tab,
        connected: doc["connected"] == true,
        discovered,
        name,
    })
}
