//! What the connection form offers: the datacenters the user can read, and regions from the
//! `regions` setting (AWS regions to pick, OpenStack region names to suggest).

use maestro_model::schema::Collection;

use crate::WebState;
use crate::chrome::Authed;
use crate::error::WebResult;
use crate::forms::Choices;

/// (name, label) of AWS regions — the setting's, then chosen ones it lacks — and OpenStack
/// region names.
pub fn regions(choices: &Choices, chosen: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let mut aws = Vec::new();
    let mut openstack = Vec::new();
    for (provider, name, label, _) in choices.regions() {
        match provider.as_str() {
            "AWS" => aws.push((name, label)),
            "OpenStack" => openstack.push(name),
            _ => {}
        }
    }
    for r in chosen {
        if !aws.iter().any(|(n, _)| n == r) {
            aws.push((r.clone(), r.clone()));
        }
    }
    (aws, openstack)
}

/// (id, "name · provider") of the datacenters the user can read, by name; the chosen one
/// first when the list lacks it (`current_name` is how the connection names it).
pub async fn datacenters(
    state: &WebState,
    auth: &Authed,
    chosen: &str,
    current_name: Option<&str>,
) -> WebResult<Vec<(String, String)>> {
    let pairs = [
        ("limit".to_owned(), "500".to_owned()),
        ("sort".to_owned(), "name".to_owned()),
    ];
    let mut out: Vec<(String, String)> = state
        .core
        .list_entities(&auth.caller, Collection::Datacenters, &pairs)
        .await?
        .items
        .iter()
        .map(|d| {
            let name = d["name"].as_str().unwrap_or("?");
            let provider = d["provider"].as_str().unwrap_or_default();
            (
                d["id"].as_str().unwrap_or_default().to_owned(),
                format!("{name} · {provider}"),
            )
        })
        .collect();
    if !chosen.is_empty() && !out.iter().any(|(id, _)| id == chosen) {
        let name = current_name.unwrap_or("the current datacenter");
        out.insert(0, (chosen.to_owned(), name.to_owned()));
    }
    Ok(out)
}
