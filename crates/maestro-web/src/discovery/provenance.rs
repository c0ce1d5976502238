//! Where a discovered entity comes from, for its detail page: the connection that found it (a
//! link when the viewer may read it), the provider's id, when it was last seen, and for AWS a
//! link to the record in the console (not for a connection to another endpoint).

use maestro_core::{Caller, Core};
use maestro_model::schema::Collection;
use serde_json::Value;

use super::{console_url, provider_label};
use crate::view::when;

/// The "Discovered" panel of an entity page.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// `/connections/{id}` when the viewer can read the connection.
    pub connection_href: Option<String>,
    pub connection_name: String,
    pub provider: &'static str,
    pub provider_id: String,
    pub last_seen: String,
    pub console: Option<String>,
}

/// The provider of a discovered entity when its connection cannot be read: its placement's.
fn provider_of_placement(doc: &Value) -> &'static str {
    match doc["datacenters"]["provider"]
        .as_str()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("aws") => "aws",
        Some("openstack") => "openstack",
        _ => "",
    }
}

/// The panel for `doc` of `coll`, when discovery found it.
pub async fn provenance(
    core: &Core,
    caller: &Caller,
    coll: Collection,
    doc: &Value,
) -> Option<Provenance> {
    let found = doc.get("discovery")?.as_object()?;
    let provider_id = found.get("provider_id")?.as_str()?.to_owned();
    let cid = found
        .get("connection")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let connection = match cid.parse() {
        Ok(id) => core
            .get_entity(caller, Collection::Connections, id)
            .await
            .ok(),
        Err(_) => None,
    };
    let provider = match connection.as_ref().and_then(|c| c["provider"].as_str()) {
        Some("aws") => "aws",
        Some("openstack") => "openstack",
        Some(_) => "",
        None => provider_of_placement(doc),
    };
    let placement = &doc["datacenters"];
    let region = placement["bucket_region"]
        .as_str()
        .or(placement["region"].as_str());
    // A connection to another endpoint (a private cloud, an emulator) has no AWS console —
    // nor has one whose calls the host's SDK settings send elsewhere (`AWS_ENDPOINT_URL…`).
    let elsewhere = connection
        .as_ref()
        .and_then(|c| c["endpoint_url"].as_str())
        .is_some_and(|u| !u.is_empty())
        || host_endpoint_overridden();
    let console = (provider == "aws" && !elsewhere)
        .then(|| console_url(coll, doc["family"].as_str(), &provider_id, region))
        .flatten();
    Some(Provenance {
        connection_href: connection.as_ref().map(|_| format!("/connections/{cid}")),
        connection_name: connection
            .as_ref()
            .and_then(|c| c["name"].as_str())
            .unwrap_or("a connection you cannot see")
            .to_owned(),
        provider: provider_label(provider),
        provider_id,
        last_seen: when(&found.get("last_seen_at").cloned().unwrap_or_default()),
        console,
    })
}

/// [`endpoint_overridden`] for this process's environment, read once (it does not change
/// while the server runs).
fn host_endpoint_overridden() -> bool {
    static OVERRIDDEN: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OVERRIDDEN.get_or_init(|| endpoint_overridden(std::env::vars()))
}

/// Whether the AWS SDK's standard settings send this host's calls to another endpoint: a
/// non-empty `AWS_ENDPOINT_URL` or `AWS_ENDPOINT_URL_<SERVICE>` (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`).
fn endpoint_overridden(vars: impl Iterator<Item = (String, String)>) -> bool {
    let mut overridden = false;
    for (k, v) in vars {
        if k == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" && v.eq_ignore_ascii_case("true") {
            return false;
        }
        overridden |= k.starts_with("AWS_ENDPOINT_URL") && !v.trim().is_empty();
    }
    overridden
}

#[cfg(test)]
mod endpoint_tests {
    use super::endpoint_overridden;

    fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_hosts_sdk_settings_can_send_calls_elsewhere() {
        assert!(!endpoint_overridden(vars(&[("HOME", "/root")])));
        assert!(endpoint_overridden(vars(&[(
            "AWS_ENDPOINT_URL",
            "http://moto:5000"
        )])));
        assert!(endpoint_overridden(vars(&[(
            "AWS_ENDPOINT_URL_EC2",
            "http://x"
        )])));
        assert!(!endpoint_overridden(vars(&[("AWS_ENDPOINT_URL", " ")])));
        assert!(!endpoint_overridden(vars(&[
            ("AWS_ENDPOINT_URL", "http://x"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
        ])));
    }
}
