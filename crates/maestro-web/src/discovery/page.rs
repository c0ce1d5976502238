//! A connection's page: its provider fields, the task table (switch, state, permissions,
//! counts, duration, schedule, "Sync"), the sync in progress (live, linked to its job), recent
//! syncs, the read-only IAM policy to copy (AWS) or the Keystone fields explained (OpenStack),
//! and the history. Delete, restore and the access dialog are the generic entity routes.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_model::Role;
use maestro_model::schema::Collection;
use serde_json::Value;

use super::tasks::{TaskRow, rows, summary};
use super::{Discovery, iam_policy, provider_label};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::identity::history::page_query;
use crate::jobs::status_class;
use crate::routes::entity::{Entry, entry_named};
use crate::routes::entity_id;
use crate::view::when;

const COLL: Collection = Collection::Connections;

/// A sync job of this connection.
pub struct Sync {
    pub id: String,
    pub name: String,
    pub status: String,
    pub class: &'static str,
    pub progress: u64,
    pub when: String,
    pub error: String,
    /// A queued job with an error waits to be retried: which attempt failed, and why (short).
    pub retry: String,
}

#[derive(Template)]
#[template(path = "connection.html")]
struct ConnectionPage {
    chrome: Chrome,
    id: String,
    name: String,
    provider: String,
    provider_label: &'static str,
    active: bool,
    disabled: bool,
    can_edit: bool,
    can_admin: bool,
    datacenter: Option<(String, String)>,
    owner: String,
    created: String,
    updated: String,
    /// (label, value) of the provider's fields.
    facts: Vec<(&'static str, String)>,
    tags: Vec<String>,
    /// The lists of what this connection discovered: (label, URL).
    found: Vec<(&'static str, String)>,
    tasks: Vec<TaskRow>,
    state: String,
    state_class: &'static str,
    /// Syncs queued or running now; the page refreshes its sync panel as each ends.
    running: Vec<Sync>,
    recent: Vec<Sync>,
    policy: String,
    history: Vec<Entry>,
    history_prev: Option<String>,
    history_next: Option<String>,
    history_total: u64,
}

/// The lists holding what a connection of `provider` discovers, filtered to it.
fn found(provider: &str, id: &str) -> Vec<(&'static str, String)> {
    let collections: &[(&str, &str)] = match provider {
        "openstack" => &[
            ("Servers", "servers"),
            ("Load balancers", "loadbalancers"),
            ("Volumes", "volumes"),
            ("Snapshots", "snapshots"),
            ("Images", "images"),
            ("Flavors", "flavors"),
            ("Networks", "networks"),
        ],
        _ => &[
            ("Servers", "servers"),
            ("Load balancers", "loadbalancers"),
            ("Databases", "databases"),
            ("Buckets and CDNs", "resources"),
            ("Volumes", "volumes"),
            ("Snapshots", "snapshots"),
            ("Images", "images"),
            ("Networks", "networks"),
        ],
    };
    collections
        .iter()
        .map(|(label, seg)| (*label, format!("/{seg}?discovery.connection={id}")))
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn sync_of(j: &Value) -> Sync {
    let status = text(&j["status"]);
    Sync {
        id: text(&j["id"]),
        name: text(&j["name"]),
        class: status_class(&status),
        progress: j["progress"].as_u64().unwrap_or(0),
        when: when(&j["created_at"]),
        error: text(&j["error"]),
        retry: match j["error"].as_str() {
            Some(e) if status == "queued" && !e.is_empty() => format!(
                "attempt {} failed, to be retried: {}",
                crate::jobs::attempts(j),
                crate::jobs::short(e, 120)
            ),
            _ => String::new(),
        },
        status,
    }
}

/// The provider's fields, in the order people fill them.
fn facts(c: &Value) -> Vec<(&'static str, String)> {
    let regions = c["regions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let or = |v: String, default: &str| if v.is_empty() { default.to_owned() } else { v };
    let mut out = vec![("Regions", or(regions, "none chosen: nothing is listed"))];
    if c["provider"] == "openstack" {
        out.push(("Keystone auth URL", text(&c["auth_url"])));
        out.push(("Project id", or(text(&c["project_id"]), "—")));
        out.push(("User domain id", or(text(&c["user_domain_id"]), "—")));
        out.push(("Identity API version", or(text(&c["api_version"]), "3")));
        out.push((
            "Endpoint override",
            or(text(&c["endpoint_url"]), "none: endpoints from the catalog"),
        ));
    } else {
        out.push((
            "Endpoint URL",
            or(
                text(&c["endpoint_url"]),
                "AWS (the SDK's standard endpoints)",
            ),
        ));
    }
    out.push(("Credentials", "stored encrypted, never shown".into()));
    out.push(("Status", or(text(&c["status"]), "enabled")));
    out
}

/// `GET /connections/{id}` (`?hpage=` pages the history).
pub async fn show(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let id = entity_id(&raw)?;
    let core = &state.core;
    let c = core.get_entity(&auth.caller, COLL, id).await?;
    let grants = core.get_grants(&auth.caller, COLL, id).await?;
    let role = crate::identity::access::role_on(&auth, COLL, &grants);
    let tasks = discovery.tasks(&auth.caller, id).await?;
    let items = tasks["items"].as_array().cloned().unwrap_or_default();
    let (state_text, state_class, _) = summary(&items);
    let jobs = &discovery.jobs;
    let key = id.to_string();
    let pairs = [
        ("module".to_owned(), "discovery".to_owned()),
        ("limit".to_owned(), "200".to_owned()),
    ];
    let mine: Vec<Value> = jobs
        .list_jobs(&auth.caller, &pairs)
        .await?
        .items
        .into_iter()
        .filter(|j| j["params"]["connection"].as_str() == Some(key.as_str()))
        .collect();
    let running: Vec<Sync> = mine
        .iter()
        .filter(|j| matches!(j["status"].as_str(), Some("queued" | "running")))
        .map(sync_of)
        .collect();
    let hpage: u32 = q.get("hpage").and_then(|p| p.parse().ok()).unwrap_or(1);
    let history = core
        .entity_history(&auth.caller, COLL, id, &page_query(hpage))
        .await?;
    let hpages = history.total.div_ceil(50).max(1);
    let hlink = |p: u32| format!("/connections/{id}?hpage={p}#history");
    let name = text(&c["name"]);
    let provider = text(&c["provider"]);
    render(&ConnectionPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(format!("Connection {name}"), COLL.segment()),
        id: id.to_string(),
        found: found(&provider, &id.to_string()),
        provider_label: provider_label(&provider),
        active: c["active"] != false,
        disabled: c["status"] == "disabled",
        can_edit: role >= Some(Role::Write),
        can_admin: role >= Some(Role::Admin),
        datacenter: c["datacenter"]["id"].as_str().map(|d| {
            (
                format!("/datacenters/{d}"),
                c["datacenter"]["name"].as_str().unwrap_or(d).to_owned(),
            )
        }),
        owner: text(&c["owner"]["name"]),
        created: when(&c["created_at"]),
        updated: when(&c["updated_at"]),
        facts: facts(&c),
        tags: c["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| match t["value"].as_str() {
                Some(v) if !v.is_empty() => format!("{}={v}", text(&t["key"])),
                _ => text(&t["key"]),
            })
            .collect(),
        tasks: rows(jobs, &auth.caller, &items).await,
        state: state_text,
        state_class,
        running,
        recent: mine
            .iter()
            .filter(|j| !matches!(j["status"].as_str(), Some("queued" | "running")))
            .take(5)
            .map(sync_of)
            .collect(),
        policy: if provider == "aws" {
            iam_policy(&discovery, "aws")
        } else {
            String::new()
        },
        // Its datacenter by name in the history, as on any entity's page.
        history: {
            let dc = &c["datacenter"];
            let names: std::collections::HashMap<String, String> =
                match (dc["id"].as_str(), dc["name"].as_str()) {
                    (Some(i), Some(n)) => [(i.to_owned(), n.to_owned())].into(),
                    _ => Default::default(),
                };
            history
                .items
                .iter()
                .map(|e| entry_named(e, &names))
                .collect()
        },
        history_prev: (hpage > 1).then(|| hlink(hpage - 1)),
        history_next: (u64::from(hpage) < hpages).then(|| hlink(hpage + 1)),
        history_total: history.total,
        provider,
        name,
    })
}
