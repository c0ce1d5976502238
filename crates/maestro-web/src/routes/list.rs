//! Inventory list pages, one handler for every collection: free-text search, filters, sortable
//! columns and pagination. The URL takes the REST API's query parameters, which go to
//! `Core::list_entities` unchanged, so a list page and `GET /api/v1/{collection}` agree.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use maestro_core::CoreError;
use maestro_model::schema::{Collection, Kind};
use serde_json::Value;

use super::filters::{Filter, core_pairs, filters, get};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::hints;
use crate::pager::Pager;
use crate::session::encode;
use crate::view::{at, cell};

/// Query keys the page itself understands; others are shown as removable extra filters.
const KNOWN: &[&str] = &[
    "q",
    "sort",
    "page",
    "limit",
    "active",
    "tag",
    "environment",
    "role",
    "family",
    "os.base",
    "datacenters.id",
];

pub struct Column {
    pub label: String,
    pub href: Option<String>,
    /// `ascending` / `descending` when the list is sorted by this column.
    pub sorted: &'static str,
}

pub struct Row {
    pub href: String,
    pub name: String,
    pub cells: Vec<String>,
    pub active: bool,
    /// A datacenter a discovery connection points at.
    pub connected: bool,
}

pub struct Chip {
    pub text: String,
    pub remove: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    seg: &'static str,
    can_create: bool,
    noun: String,
    q: String,
    sort: String,
    filters: Vec<Filter>,
    /// Some filter is set (narrow screens then show the filters open).
    filtered: bool,
    chips: Vec<Chip>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    /// The last page, when this one is past it.
    past_end: Option<String>,
    error: Option<String>,
}

/// `/{segment}?pairs`.
pub fn url(seg: &str, pairs: &[(String, String)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    if q.is_empty() {
        format!("/{seg}")
    } else {
        format!("/{seg}?{}", q.join("&"))
    }
}

fn with(pairs: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != key && k != "page")
        .cloned()
        .collect();
    out.push((key.to_owned(), value.to_owned()));
    out
}

fn columns_of(coll: Collection) -> Vec<String> {
    let schema = coll.kind().schema();
    match hints::list_columns(coll) {
        Some(cols) => cols.iter().map(|c| (*c).to_owned()).collect(),
        None => schema
            .indexed_paths()
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| p != "name")
            .take(6)
            .collect(),
    }
}

fn sortable(coll: Collection, path: &str) -> bool {
    let kind = coll.kind();
    matches!(path, "name" | "created_at" | "updated_at")
        || (path == "family" && kind.has_family())
        || kind.schema().indexed_paths().iter().any(|(p, _)| p == path)
}

/// `GET /{collection}`.
pub async fn page(
    State(state): State<WebState>,
    auth: Authed,
    Path(seg): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let filters = filters(&state, &auth, coll, &pairs).await?;
    let (items, total, page, limit, error) = match state
        .core
        .list_entities(&auth.caller, coll, &core_pairs(coll, &pairs))
        .await
    {
        Ok(p) => (p.items, p.total, p.page, p.limit, None),
        Err(CoreError::Invalid(errors)) => {
            let msg = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            (
                Vec::new(),
                0,
                1,
                50,
                Some(format!("These filters cannot be used: {msg}")),
            )
        }
        Err(e) => return Err(e.into()),
    };
    let seg = coll.segment();
    let sort = get(&pairs, "sort").to_owned();
    let cols = columns_of(coll);
    let mut columns = vec![column(coll, seg, &pairs, &sort, "name", "Name".into())];
    for c in &cols {
        let label = match hints::label(c) {
            l if l.contains('.') => c.split('.').map(hints::label).collect::<Vec<_>>().join(" "),
            l => l,
        };
        columns.push(column(coll, seg, &pairs, &sort, c, label));
    }
    columns.push(column(
        coll,
        seg,
        &pairs,
        &sort,
        "updated_at",
        "Updated".into(),
    ));
    let rows: Vec<_> = items.iter().map(|item| row(coll, item, &cols)).collect();
    let pager = Pager::new(page, total, limit, |n| {
        url(seg, &with(&pairs, "page", &n.to_string()))
    });
    // A page after the last (an old link, a shrunk list): say so, and lead back.
    let past_end = (rows.is_empty() && total > 0)
        .then(|| url(seg, &with(&pairs, "page", &pager.pages.to_string())));
    let chips = pairs
        .iter()
        .filter(|(k, v)| !KNOWN.contains(&k.as_str()) && !v.is_empty())
        .map(|(k, v)| Chip {
            text: format!("{k} = {v}"),
            remove: url(
                seg,
                &pairs
                    .iter()
                    .filter(|(k2, v2)| !(k2 == k && v2 == v))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
        })
        .collect();
    let schema = coll.kind().schema();
    render(&ListPage {
        chrome: auth.chrome.clone().with_title(coll.label(), seg),
        seg,
        can_create: !schema.global || auth.caller.admin,
        noun: crate::view::noun(coll, None).to_lowercase(),
        q: get(&pairs, "q").to_owned(),
        sort,
        filtered: filters.iter().any(|f| !f.value.is_empty()),
        filters,
        chips,
        columns,
        rows,
        total,
        pager,
        past_end,
        error,
    })
}

fn column(
    coll: Collection,
    seg: &str,
    pairs: &[(String, String)],
    sort: &str,
    path: &str,
    label: String,
) -> Column {
    if !sortable(coll, path) {
        return Column {
            label,
            href: None,
            sorted: "",
        };
    }
    let (sorted, next) = if sort == path {
        ("ascending", format!("-{path}"))
    } else if sort == format!("-{path}") {
        ("descending", path.to_owned())
    } else {
        ("", path.to_owned())
    };
    Column {
        label,
        href: Some(url(seg, &with(pairs, "sort", &next))),
        sorted,
    }
}

fn row(coll: Collection, item: &Value, cols: &[String]) -> Row {
    let id = item["id"].as_str().unwrap_or_default();
    let seg = match coll.kind() {
        Kind::Application => Collection::of(Kind::Application, item["family"].as_str()).segment(),
        _ => coll.segment(),
    };
    let mut cells: Vec<String> = cols.iter().map(|c| cell(at(item, c))).collect();
    cells.push(crate::view::day(&item["updated_at"]));
    Row {
        href: format!("/{seg}/{id}"),
        name: item["name"].as_str().unwrap_or(id).to_owned(),
        cells,
        active: item["active"].as_bool().unwrap_or(true),
        connected: item["connected"] == true,
    }
}
