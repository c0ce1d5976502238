//! The fake's data: the embedded official samples split into collections, the Keystone token
//! with its catalog pointed back at the fake, and version-discovery documents.

use std::collections::HashMap;

use serde_json::{Value, json};

/// `(collection, sample file, list key)`. Octavia members have no sample: empty until a test
/// adds some.
const SAMPLES: &[(&str, &str, &str)] = &[
    (
        "servers",
        include_str!("../../fixtures/compute-servers-detail.json"),
        "servers",
    ),
    (
        "flavors",
        include_str!("../../fixtures/compute-flavors-detail.json"),
        "flavors",
    ),
    (
        "images",
        include_str!("../../fixtures/image-images.json"),
        "images",
    ),
    (
        "volumes",
        include_str!("../../fixtures/volume-volumes-detail.json"),
        "volumes",
    ),
    (
        "snapshots",
        include_str!("../../fixtures/volume-snapshots-detail.json"),
        "snapshots",
    ),
    (
        "networks",
        include_str!("../../fixtures/network-networks.json"),
        "networks",
    ),
    (
        "subnets",
        include_str!("../../fixtures/network-subnets.json"),
        "subnets",
    ),
    (
        "ports",
        include_str!("../../fixtures/network-ports.json"),
        "ports",
    ),
    (
        "routers",
        include_str!("../../fixtures/network-routers.json"),
        "routers",
    ),
    (
        "security_groups",
        include_str!("../../fixtures/network-security-groups.json"),
        "security_groups",
    ),
    (
        "loadbalancers",
        include_str!("../../fixtures/loadbalancer-loadbalancers.json"),
        "loadbalancers",
    ),
    (
        "listeners",
        include_str!("../../fixtures/loadbalancer-listeners.json"),
        "listeners",
    ),
    (
        "pools",
        include_str!("../../fixtures/loadbalancer-pools.json"),
        "pools",
    ),
];

const TOKEN: &str = include_str!("../../fixtures/keystone-token-full-catalog.json");

/// Every collection the fake serves.
pub const COLLECTIONS: &[&str] = &[
    "servers",
    "flavors",
    "images",
    "volumes",
    "snapshots",
    "networks",
    "subnets",
    "ports",
    "routers",
    "security_groups",
    "loadbalancers",
    "listeners",
    "pools",
    "members",
];

pub fn load() -> HashMap<String, Vec<Value>> {
    let mut out: HashMap<String, Vec<Value>> = SAMPLES
        .iter()
        .map(|(name, raw, key)| {
            let mut v: Value = serde_json::from_str(raw).expect("embedded sample is JSON");
            let items = match v.get_mut(*key).map(Value::take) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            ((*name).to_owned(), items)
        })
        .collect();
    out.insert("members".into(), Vec::new());
    out
}

/// The catalog path prefix of each sample port (`http://23.253.248.171:<port>`).
fn prefix_of_port(port: &str) -> String {
    match port {
        "8774" => "/compute".into(),
        "9696" => "/network".into(),
        "9292" => "/image".into(),
        "8776" => "/volume".into(),
        "9876" => "/load-balancer".into(),
        other => format!("/p{other}"),
    }
}

fn rewrite_url(url: &str, base: &str) -> String {
    if let Some(rest) = url.strip_prefix("http://23.253.248.171:") {
        let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let path = path.trim_end_matches('/');
        return format!("{base}{}{path}", prefix_of_port(port));
    }
    if let Some(rest) = url.strip_prefix("http://example.com") {
        return format!("{base}{rest}");
    }
    url.to_owned()
}

/// The sample token with a catalog pointing at `base` and an expiry in the future (the sample's
/// is in 2015).
pub fn token(base: &str) -> Value {
    let mut t: Value = serde_json::from_str(TOKEN).expect("embedded token is JSON");
    t["token"]["expires_at"] = json!("2099-12-31T23:59:59.000000Z");
    if let Some(services) = t["token"]["catalog"].as_array_mut() {
        for ep in services
            .iter_mut()
            .filter_map(|s| s.get_mut("endpoints").and_then(Value::as_array_mut))
            .flatten()
        {
            if let Some(url) = ep.get("url").and_then(Value::as_str) {
                ep["url"] = json!(rewrite_url(url, base));
            }
        }
    }
    t
}

/// `(prefix, version id, path of the version, max microversion)` of each service.
const VERSIONS: &[(&str, &str, &str, &str)] = &[
    ("/identity", "v3.14", "v3", ""),
    ("/compute", "v2.1", "v2.1", "2.100"),
    ("/network", "v2.0", "v2.0", ""),
    ("/image", "v2.16", "v2", ""),
    ("/volume", "v3.0", "v3", "3.71"),
    ("/load-balancer", "v2.0", "v2", ""),
];

fn version(base: &str, prefix: &str) -> Option<Value> {
    let (_, id, path, max) = VERSIONS.iter().find(|v| v.0 == prefix)?;
    let mut v = json!({
        "id": id, "status": if prefix == "/identity" { "stable" } else { "CURRENT" },
        "updated": "2026-01-01T00:00:00Z",
        "links": [{ "rel": "self", "href": format!("{base}{prefix}/{path}/") }],
        "media-types": [{ "base": "application/json", "type": "application/json" }],
    });
    if !max.is_empty() {
        v["version"] = json!(max);
        v["min_version"] = json!(if prefix == "/compute" { "2.1" } else { "3.0" });
    }
    Some(v)
}

/// The version document for a service root (`{"versions": …}`) or a version (`{"version": …}`).
pub fn discovery(base: &str, prefix: &str, rest: &str) -> Option<Value> {
    let (_, _, path, _) = VERSIONS.iter().find(|v| v.0 == prefix)?;
    let doc = version(base, prefix)?;
    match rest.trim_matches('/') {
        "" if prefix == "/identity" => Some(json!({ "versions": { "values": [doc] } })),
        "" => Some(json!({ "versions": [doc] })),
        r if r == *path => Some(json!({ "version": doc })),
        _ => None,
    }
}
