//! The connections list: name, provider, datacenter, regions and the last sync state (the
//! worst state of the enabled tasks, or "Running"), with a search, a provider filter, the
//! datacenter filter the datacenter pages link to (`datacenter.id`), and pages.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use maestro_model::schema::Collection;
use serde_json::Value;

use super::tasks::summary;
use super::{Discovery, provider_label};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::pager::Pager;
use crate::routes::list::url;

/// Query keys this page passes on to the inventory.
const KEPT: [&str; 5] = ["q", "provider", "datacenter.id", "page", "active"];

pub struct Row {
    pub href: String,
    pub name: String,
    pub provider: &'static str,
    pub datacenter: Option<(String, String)>,
    pub regions: String,
    pub state: String,
    pub class: &'static str,
    pub last: String,
    pub active: bool,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "connections.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    q: String,
    provider: String,
    /// The datacenter the list is narrowed to: (its name, the URL without that filter).
    datacenter: Option<(String, String)>,
    total: u64,
    pager: Pager,
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

fn with_page(pairs: &[(String, String)], page: u64) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "page").cloned().collect();
    out.push(("page".into(), page.to_string()));
    out
}

/// `GET /connections?q=&provider=&datacenter.id=&page=`.
pub async fn index(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let all: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let pairs: Vec<(String, String)> = all
        .into_iter()
        .filter(|(k, v)| KEPT.contains(&k.as_str()) && !v.trim().is_empty())
        .collect();
    let mut query = pairs.clone();
    query.push(("sort".into(), "name".into()));
    let found = state
        .core
        .list_entities(&auth.caller, Collection::Connections, &query)
        .await?;
    let mut rows = Vec::with_capacity(found.items.len());
    let mut dc_name = None;
    for c in &found.items {
        let id = c["id"].as_str().unwrap_or_default();
        let tasks = match id.parse() {
            Ok(cid) => discovery
                .tasks(&auth.caller, cid)
                .await
                .map(|t| t["items"].as_array().cloned().unwrap_or_default())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let (state_text, class, last) = summary(&tasks);
        let dc = &c["datacenter"];
        let datacenter = dc["id"].as_str().map(|dcid| {
            let name = dc["name"].as_str().unwrap_or(dcid).to_owned();
            if get(&pairs, "datacenter.id") == dcid {
                dc_name = Some(name.clone());
            }
            (format!("/datacenters/{dcid}"), name)
        });
        rows.push(Row {
            href: format!("/connections/{id}"),
            name: c["name"].as_str().unwrap_or(id).to_owned(),
            provider: provider_label(c["provider"].as_str().unwrap_or_default()),
            datacenter,
            regions: c["regions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            state: state_text,
            class,
            last,
            active: c["active"] != false,
            disabled: c["status"] == "disabled",
        });
    }
    let seg = Collection::Connections.segment();
    let pager = Pager::new(found.page, found.total, found.limit, |n| {
        url(seg, &with_page(&pairs, n))
    });
    let datacenter = (!get(&pairs, "datacenter.id").is_empty()).then(|| {
        let rest: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "datacenter.id" && k != "page")
            .cloned()
            .collect();
        (
            dc_name.unwrap_or_else(|| "one datacenter".into()),
            url(seg, &rest),
        )
    });
    render(&ListPage {
        chrome: auth.chrome.clone().with_title("Connections", seg),
        q: get(&pairs, "q").to_owned(),
        provider: get(&pairs, "provider").to_owned(),
        datacenter,
        total: found.total,
        pager,
        rows,
    })
}
