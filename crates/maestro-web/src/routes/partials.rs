//! htmx fragments used inside forms: the reference search (find entities to link, e.g. load
//! balancer targets by hostname or private IP) and the duplicate check that warns, as the
//! original did, when a hostname or IP is already in the inventory.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_model::schema::{Collection, Kind};
use serde_json::Value;

use crate::WebState;
use crate::chrome::{Authed, render};
use crate::error::{WebError, WebResult};
use crate::hints;
use crate::view::{at, scalar_text};

pub struct Found {
    pub id: String,
    pub name: String,
    pub href: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "partials/ref_results.html")]
struct RefResults {
    query: String,
    found: Vec<Found>,
}

#[derive(Template)]
#[template(path = "partials/duplicates.html")]
struct Duplicates {
    field: String,
    value: String,
    found: Vec<Found>,
    noun: String,
}

/// The collections that hold entities of `kind` (the application model spans four).
fn collections_of(kind: Kind) -> Vec<Collection> {
    Collection::ALL
        .into_iter()
        .filter(|c| c.kind() == kind)
        .collect()
}

fn describe(kind: Kind, v: &Value) -> String {
    let paths: &[&str] = match kind {
        Kind::Server => &[
            "hostname",
            "ipv4_private",
            "environment",
            "datacenters.name",
        ],
        Kind::Application => &["family", "environment", "provider"],
        Kind::Datacenter => &["provider"],
        _ => &["description"],
    };
    paths
        .iter()
        .filter_map(|p| at(v, p).map(scalar_text))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn found(kind: Kind, v: &Value) -> Found {
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    let coll = Collection::of(kind, v["family"].as_str());
    Found {
        href: format!("/{}/{id}", coll.segment()),
        name: v["name"].as_str().unwrap_or("?").to_owned(),
        detail: describe(kind, v),
        id,
    }
}

/// `GET /ui/refs/{kind}?_q=…&_by=hostname`: up to 10 matches per collection.
pub async fn ref_search(
    State(state): State<WebState>,
    auth: Authed,
    Path(kind): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let kind = Kind::parse(&kind).ok_or_else(|| WebError::NotFound("no such kind".into()))?;
    let query = q.get("_q").map(|s| s.trim().to_owned()).unwrap_or_default();
    let by = q.get("_by").map(String::as_str).unwrap_or("");
    let mut pairs = vec![
        ("limit".to_owned(), "10".to_owned()),
        ("sort".to_owned(), "name".to_owned()),
    ];
    if !query.is_empty() {
        match hints::search_by(kind)
            .iter()
            .find(|(f, _)| !f.is_empty() && *f == by)
        {
            Some((field, _)) => pairs.push((format!("{field}[contains]"), query.clone())),
            None => pairs.push(("q".to_owned(), query.clone())),
        }
    }
    let mut list = Vec::new();
    for coll in collections_of(kind) {
        let page = state.core.list_entities(&auth.caller, coll, &pairs).await?;
        list.extend(page.items.iter().map(|v| found(kind, v)));
    }
    list.sort_by_key(|f| f.name.to_lowercase());
    list.truncate(20);
    render(&RefResults { query, found: list })
}

/// `GET /ui/duplicates/{collection}?field=hostname&exclude=<id>&hostname=…`.
pub async fn duplicates(
    State(state): State<WebState>,
    auth: Authed,
    Path(seg): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let kind = coll.kind();
    let field = q.get("field").cloned().unwrap_or_default();
    let spec = kind
        .schema()
        .field(&field)
        .filter(|f| f.warn_duplicate)
        .ok_or_else(|| WebError::BadRequest("not a checked field".into()))?;
    let value = q
        .get(spec.name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default();
    let exclude = q.get("exclude").cloned().unwrap_or_default();
    let mut list = Vec::new();
    if !value.is_empty() {
        let pairs = vec![
            (spec.name.to_owned(), value.clone()),
            ("limit".to_owned(), "5".to_owned()),
        ];
        for c in collections_of(kind) {
            if let Ok(page) = state.core.list_entities(&auth.caller, c, &pairs).await {
                list.extend(
                    page.items
                        .iter()
                        .filter(|v| v["id"].as_str() != Some(exclude.as_str()))
                        .map(|v| found(kind, v)),
                );
            }
        }
    }
    render(&Duplicates {
        field: hints::label(spec.name),
        value,
        noun: kind.schema().label.to_lowercase(),
        found: list,
    })
}
