//! The relations tab of a detail page and the pages of one relation. The tab shows each
//! relation's first [`SHOWN`] entries per collection at the other end (a datacenter that
//! discovery fills holds thousands of servers, volumes and subnets); the rest is one link to the
//! relation's own pages and, where the entities at the other end hold the reference in a field,
//! one link per collection to its list filtered on it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_core::ports::{RelationSide, RelationTotal};
use maestro_model::Kind;
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::hints;
use crate::pager::Pager;

/// Entries a group shows before the links to the rest.
pub const SHOWN: usize = 50;

/// Entries per page of one relation.
const PER_PAGE: u32 = 100;

pub struct RelItem {
    pub href: String,
    pub name: String,
    pub what: String,
}

pub struct RelGroup {
    pub label: &'static str,
    pub items: Vec<RelItem>,
    /// Entries not shown.
    pub more: u64,
    /// Where the rest is: the relation's pages, then the lists holding its entries, per
    /// collection: (label, href).
    pub lists: Vec<(String, String)>,
}

fn item(r: &Value) -> RelItem {
    RelItem {
        href: format!(
            "/{}/{}",
            r["collection"].as_str().unwrap_or("servers"),
            r["id"].as_str().unwrap_or("")
        ),
        name: r["name"].as_str().unwrap_or("?").to_owned(),
        what: r["family"]
            .as_str()
            .or(r["kind"].as_str())
            .unwrap_or("")
            .to_owned(),
    }
}

/// Groups `items` (one side of `GET /{collection}/{id}/relations`, each relation's first entries
/// per collection) of the entity `id` in `coll`: what it points at (`outgoing`), or what points
/// at it. `totals` are the readable entries per side, relation and collection.
pub fn groups(
    items: &[Value],
    totals: &[RelationTotal],
    side: RelationSide,
    coll: Collection,
    id: &str,
) -> Vec<RelGroup> {
    let outgoing = side == RelationSide::Outgoing;
    // Per group: the group, and its rels with the entries of each received.
    let mut out: Vec<(RelGroup, Vec<(&str, u64)>)> = Vec::new();
    for r in items {
        let rel = r["rel"].as_str().unwrap_or("");
        let (o, i) = hints::relation_label(rel);
        let label = if outgoing { o } else { i };
        let index = match out.iter().position(|(g, _)| g.label == label) {
            Some(i) => i,
            None => {
                let group = RelGroup {
                    label,
                    items: Vec::new(),
                    more: 0,
                    lists: Vec::new(),
                };
                out.push((group, Vec::new()));
                out.len() - 1
            }
        };
        let (group, rels) = &mut out[index];
        if group.items.len() < SHOWN {
            group.items.push(item(r));
            match rels.iter_mut().find(|(x, _)| *x == rel) {
                Some((_, n)) => *n += 1,
                None => rels.push((rel, 1)),
            }
        } else if !rels.iter().any(|(x, _)| *x == rel) {
            rels.push((rel, 0));
        }
    }
    let segment = coll.segment();
    out.into_iter()
        .map(|(mut group, rels)| {
            let mut lists = Vec::new();
            for (rel, shown) in rels {
                let of_rel: Vec<&RelationTotal> = totals
                    .iter()
                    .filter(|t| t.side == side && t.rel == rel)
                    .collect();
                let total: u64 = of_rel.iter().map(|t| t.total).sum();
                if total <= shown {
                    continue;
                }
                group.more += total - shown;
                lists.push((
                    format!("see all {total}"),
                    format!("/{segment}/{id}/related?side={}&rel={rel}", side.as_str()),
                ));
                if outgoing {
                    continue;
                }
                for t in of_rel {
                    let from = Collection::of(t.kind, t.family.as_deref());
                    if let Some(href) = list_href(from, rel, coll.kind(), id) {
                        lists.push((format!("{} ({})", from.label(), t.total), href));
                    }
                }
            }
            group.lists = lists;
            group
        })
        .collect()
}

/// The list of `from` filtered on its field that references the entity `id` of `kind` by
/// `rel` (`/servers?datacenters.id=…`), if it has one.
fn list_href(from: Collection, rel: &str, kind: Kind, id: &str) -> Option<String> {
    let (path, spec) = from
        .kind()
        .schema()
        .ref_fields()
        .into_iter()
        .find(|(_, s)| s.rel == rel && s.target == kind && !s.inverse)?;
    let path = if path.ends_with(".id") || !spec.many {
        path
    } else {
        format!("{path}.id")
    };
    Some(format!("/{}?{path}={id}", from.segment()))
}

#[derive(Template)]
#[template(path = "related.html")]
struct RelatedPage {
    chrome: Chrome,
    seg: &'static str,
    id: String,
    name: String,
    list_label: &'static str,
    label: &'static str,
    side: &'static str,
    items: Vec<RelItem>,
    total: u64,
    pager: Pager,
}

/// `GET /{collection}/{id}/related?side=…&rel=…&page=N`: every entry of one relation (or of one
/// side), a page at a time, by name.
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
    let side = q
        .get("side")
        .and_then(|s| RelationSide::parse(s))
        .unwrap_or(RelationSide::Incoming);
    let rel = q.get("rel").filter(|r| !r.is_empty());
    let number = crate::pager::requested(&q);
    let mut pairs = vec![
        ("side".to_owned(), side.as_str().to_owned()),
        ("page".to_owned(), number.to_string()),
        ("limit".to_owned(), PER_PAGE.to_string()),
    ];
    if let Some(rel) = rel {
        pairs.push(("rel".into(), rel.clone()));
    }
    let answer = core
        .entity_relations(&auth.caller, coll, id, &pairs)
        .await?;
    let total = answer["total"].as_u64().unwrap_or(0);
    let filter = match rel {
        Some(rel) => format!("side={}&rel={rel}", side.as_str()),
        None => format!("side={}", side.as_str()),
    };
    let pager = Pager::new(number, total, PER_PAGE, |n| {
        format!("/{}/{id}/related?{filter}&page={n}", coll.segment())
    });
    let label = match (rel, side) {
        (Some(rel), RelationSide::Outgoing) => hints::relation_label(rel).0,
        (Some(rel), RelationSide::Incoming) => hints::relation_label(rel).1,
        (None, RelationSide::Outgoing) => "What it points at",
        (None, RelationSide::Incoming) => "What points at it",
    };
    let name = doc["name"].as_str().unwrap_or("?").to_owned();
    render(&RelatedPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(format!("{label} of {name}"), coll.segment()),
        seg: coll.segment(),
        id: id.to_string(),
        name,
        list_label: coll.label(),
        label,
        side: side.as_str(),
        items: answer["items"]
            .as_array()
            .map(|a| a.iter().map(item).collect())
            .unwrap_or_default(),
        total,
        pager,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn total(kind: Kind, total: u64) -> RelationTotal {
        RelationTotal {
            side: RelationSide::Incoming,
            rel: "located_in".into(),
            kind,
            family: None,
            total,
        }
    }

    #[test]
    fn a_large_group_shows_its_first_entries_and_links_the_rest() {
        let items: Vec<Value> = (0..SHOWN)
            .map(|i| json!({"rel": "located_in", "collection": "servers", "id": format!("s{i}"), "name": format!("web-{i}"), "kind": "server"}))
            .chain([json!({"rel": "located_in", "collection": "volumes", "id": "v1", "name": "data", "kind": "volume"})])
            .collect();
        let totals = [total(Kind::Server, 120), total(Kind::Volume, 1)];
        let dc = Collection::Datacenters;
        let hosts = groups(&items, &totals, RelationSide::Incoming, dc, "dc1");
        assert_eq!(hosts.len(), 1);
        let g = &hosts[0];
        assert_eq!((g.label, g.items.len(), g.more), ("Hosts", SHOWN, 71));
        assert_eq!(g.items[0].href, "/servers/s0");
        let lists: Vec<(&str, &str)> = g
            .lists
            .iter()
            .map(|(l, h)| (l.as_str(), h.as_str()))
            .collect();
        assert_eq!(
            lists,
            [
                (
                    "see all 121",
                    "/datacenters/dc1/related?side=incoming&rel=located_in"
                ),
                ("Servers (120)", "/servers?datacenters.id=dc1"),
                ("Volumes (1)", "/volumes?datacenters.id=dc1"),
            ]
        );
        let few = [total(Kind::Server, 3)];
        let small = groups(&items[..3], &few, RelationSide::Incoming, dc, "dc1");
        assert_eq!((small[0].more, small[0].lists.len()), (0, 0));
    }
}
