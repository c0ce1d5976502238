//! The fake's listings: query filters (`loadbalancer_id`, `fixed_ips=ip_address=…`, plain
//! equality), `limit` clamped to the fake's page size, `marker` (an unknown one is a 400, as in
//! Nova) and the `next` links each service writes.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::FakeState;
use super::routes::json_response;

/// How a service links its next page.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Links {
    /// Nova, Cinder: `<key>_links` whenever a page is full (the last full page too).
    WhenFull,
    /// Neutron, Octavia: `<key>_links` only when more items follow.
    WhenMore,
    /// Glance: a relative `next` whenever a page is full.
    Glance,
}

/// Whether `item` passes one query filter.
fn matches(item: &Value, key: &str, value: &str) -> bool {
    match key {
        "loadbalancer_id" => {
            item["loadbalancer_id"] == value
                || item["loadbalancers"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|lb| lb["id"] == value))
        }
        "fixed_ips" => {
            let (k, v) = value.split_once('=').unwrap_or(("ip_address", value));
            item["fixed_ips"]
                .as_array()
                .is_some_and(|ips| ips.iter().any(|ip| ip[k] == v))
        }
        _ => match &item[key] {
            Value::String(s) => s == value,
            Value::Null => false,
            other => serde_json::from_str::<Value>(value).ok().as_ref() == Some(other),
        },
    }
}

pub(super) fn list(
    st: &FakeState,
    path: &str,
    query: &str,
    collection: &str,
    key: &str,
    links: Links,
) -> Response {
    let pairs: Vec<(String, String)> = url_pairs(query);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let data = st.data.lock().expect("data");
    let all = data.get(collection).cloned().unwrap_or_default();
    drop(data);
    let ignored = [
        "limit",
        "marker",
        "page_reverse",
        "is_public",
        "sort_key",
        "sort_dir",
        "fields",
    ];
    let items: Vec<Value> = all
        .into_iter()
        .filter(|i| {
            pairs
                .iter()
                .filter(|(k, _)| !ignored.contains(&k.as_str()))
                .all(|(k, v)| matches(i, k, v))
        })
        .collect();
    let limit = get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(st.page_size)
        .clamp(1, st.page_size);
    let start = match get("marker") {
        None => 0,
        Some(m) => match items.iter().position(|i| i["id"] == m.as_str()) {
            Some(p) => p + 1,
            None => {
                let msg = format!("marker [{m}] not found");
                return json_response(
                    StatusCode::BAD_REQUEST,
                    json!({"badRequest": {"code": 400, "message": msg}}),
                );
            }
        },
    };
    let page: Vec<Value> = items.iter().skip(start).take(limit).cloned().collect();
    let more = start + page.len() < items.len();
    let full = page.len() == limit;
    let last = page
        .last()
        .and_then(|i| i["id"].as_str())
        .map(str::to_owned);
    let mut body = json!({ key: page });
    let next = |prefix: &str| {
        last.as_ref()
            .map(|m| format!("{prefix}{path}?limit={limit}&marker={m}"))
    };
    match links {
        Links::WhenFull if full => {
            body[format!("{key}_links")] = json!([{"rel": "next", "href": next(&st.base)}]);
        }
        Links::WhenMore if more => {
            body[format!("{key}_links")] = json!([{"rel": "next", "href": next(&st.base)}]);
        }
        Links::Glance => {
            let rel = path.strip_prefix("/image").unwrap_or(path);
            body["first"] = json!(rel);
            body["schema"] = json!("/v2/schemas/images");
            if full && let Some(m) = &last {
                body["next"] = json!(format!("{rel}?limit={limit}&marker={m}"));
            }
        }
        _ => {}
    }
    json_response(StatusCode::OK, body)
}

/// Decoded `k=v` pairs of a query string.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://q.invalid/?{query}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}
