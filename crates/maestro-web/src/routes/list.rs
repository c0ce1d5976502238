//! Inventory list pages, one handler for every collection: free-text search, filters, sortable
//! columns and pagination. The URL takes the REST API's query parameters, which go to
//! `Core::list_entities` unchanged, so a list page and `GET /api/v1/{collection}` agree.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use maestro_core::CoreError;
use maestro_model::schema::{Collection, FamilyScope, Kind, NETWORK_FAMILIES, Ty};
use serde_json::Value;

use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::forms::Choices;
use crate::hints::{self, Source};
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
}

pub struct Filter {
    pub id: String,
    pub name: String,
    pub label: &'static str,
    /// (value, label); empty = a text input.
    pub options: Vec<(String, String)>,
    pub value: String,
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
    chips: Vec<Chip>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    total: u64,
    page: u32,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
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

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// The pairs sent to the core: empty values dropped, `tag=key=value` expanded.
fn core_pairs(coll: Collection, pairs: &[(String, String)]) -> Vec<(String, String)> {
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

fn options(values: Vec<String>) -> Vec<(String, String)> {
    values.into_iter().map(|v| (v.clone(), v)).collect()
}

async fn filters(
    state: &WebState,
    auth: &Authed,
    coll: Collection,
    pairs: &[(String, String)],
) -> WebResult<Vec<Filter>> {
    let schema = coll.kind().schema();
    let choices = Choices::load(&state.core, &auth.caller).await?;
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
        let opts = dcs
            .items
            .iter()
            .filter_map(|d| {
                Some((
                    d["id"].as_str()?.to_owned(),
                    d["name"].as_str().unwrap_or("?").to_owned(),
                ))
            })
            .collect();
        add("datacenters.id", "Datacenter", opts);
    }
    if schema.field("tags").is_some() {
        add("tag", "Tag (key or key=value)", Vec::new());
    }
    add(
        "active",
        "Status",
        vec![
            ("".into(), "Active".into()),
            ("false".into(), "Deleted".into()),
            ("all".into(), "All".into()),
        ],
    );
    Ok(out)
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
    let rows = items.iter().map(|item| row(coll, item, &cols)).collect();
    let pages = total.div_ceil(u64::from(limit.max(1))).max(1);
    let prev = (page > 1).then(|| url(seg, &with(&pairs, "page", &(page - 1).to_string())));
    let next =
        (u64::from(page) < pages).then(|| url(seg, &with(&pairs, "page", &(page + 1).to_string())));
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
        noun: if coll == Collection::Resources {
            "resource".into()
        } else {
            schema.label.to_lowercase()
        },
        q: get(&pairs, "q").to_owned(),
        sort,
        filters,
        chips,
        columns,
        rows,
        total,
        page,
        pages,
        prev,
        next,
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
    cells.push(crate::view::when(&item["updated_at"]));
    Row {
        href: format!("/{seg}/{id}"),
        name: item["name"].as_str().unwrap_or(id).to_owned(),
        cells,
        active: item["active"].as_bool().unwrap_or(true),
    }
}
