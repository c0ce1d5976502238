//! Warns when a connection reaches an account that another active connection already
//! discovers. Discovered resources are keyed per connection (a connection owns what it found),
//! so two connections to one account record everything both list twice — buckets and CDNs,
//! which AWS lists globally, even when their regions differ.

use maestro_model::query::{ListQuery, PageRequest};
use maestro_model::schema::Collection;
use maestro_model::{EntityId, Kind};
use serde_json::{Map, Value, json};

use super::secrets::credentials;
use crate::caller::Access;
use crate::ports::EntityRecord;
use crate::{Core, CoreResult};

/// Connections looked at (an installation has a handful).
const MAX_CONNECTIONS: u32 = 500;

/// What identifies the account a connection reaches: its provider, endpoint and the key or role
/// (AWS) or project (OpenStack) it signs in with. `None` when its credentials do not say.
fn account(data: &Map<String, Value>, creds: &Map<String, Value>) -> Option<String> {
    let text =
        |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let endpoint = text(data, "endpoint_url");
    match data.get("provider").and_then(Value::as_str)? {
        "aws" => {
            // A role names the account it is in; the same keys may assume roles in several.
            let who = Some(text(creds, "role_arn"))
                .filter(|r| !r.is_empty())
                .or_else(|| Some(text(creds, "access_key_id")).filter(|k| !k.is_empty()))?;
            Some(format!("aws|{endpoint}|{who}"))
        }
        "openstack" => {
            let auth = text(data, "auth_url");
            let project = Some(text(data, "project_id"))
                .filter(|p| !p.is_empty())
                .or_else(|| Some(text(creds, "username")).filter(|u| !u.is_empty()))?;
            Some(format!("openstack|{auth}|{endpoint}|{project}"))
        }
        _ => None,
    }
}

/// The warnings of writing the connection `rec` along with `sealed` (the write's secrets:
/// none means its stored credentials stay). Nothing for other kinds.
pub async fn warnings(
    core: &Core,
    access: &Access,
    rec: &EntityRecord,
    sealed: &[(EntityId, Option<String>)],
) -> CoreResult<Vec<Value>> {
    if rec.kind != Kind::Connection || !rec.active {
        return Ok(Vec::new());
    }
    let creds = match sealed.iter().find(|(id, _)| *id == rec.id) {
        Some((_, Some(s))) => match &core.secrets {
            Some(b) => credentials(b.open(s)?.as_object().unwrap_or(&Map::new())),
            None => Map::new(),
        },
        Some((_, None)) => Map::new(),
        None => core.open_credentials(rec.id).await.unwrap_or_default(),
    };
    let Some(mine) = account(&rec.data, &creds) else {
        return Ok(Vec::new());
    };
    let mut query = ListQuery::new();
    query.page = PageRequest {
        page: 1,
        limit: MAX_CONNECTIONS,
    };
    let scope = Collection::Connections.family_scope();
    let (others, _) = core
        .store
        .list_entities(access, Kind::Connection, scope, &query)
        .await?;
    let mut matches = Vec::new();
    for other in others.iter().filter(|o| o.id != rec.id) {
        // A connection whose secrets cannot be opened (another key) cannot be compared.
        let Ok(theirs) = core.open_credentials(other.id).await else {
            continue;
        };
        if account(&other.data, &theirs).as_deref() == Some(mine.as_str()) {
            matches.push(json!({"id": other.id, "name": other.name}));
        }
    }
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    matches.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let names: Vec<&str> = matches.iter().filter_map(|m| m["name"].as_str()).collect();
    let who = match names.as_slice() {
        [one] => format!("connection {one} already discovers"),
        _ => format!("connections {} already discover", names.join(", ")),
    };
    Ok(vec![json!({
        "field": "credentials",
        "message": format!(
            "{who} this account (same credentials and endpoint): what they list is recorded \
             again, once for each connection"
        ),
        "matches": matches,
    })])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn accounts_are_told_apart_by_endpoint_key_role_and_project() {
        let aws = map(json!({"provider": "aws"}));
        let key = |k: &str| map(json!({"access_key_id": k, "secret_access_key": "s"}));
        assert_eq!(account(&aws, &key("AKIA1")), account(&aws, &key("AKIA1")));
        assert_ne!(account(&aws, &key("AKIA1")), account(&aws, &key("AKIA2")));
        let moto = map(json!({"provider": "aws", "endpoint_url": "http://127.0.0.1:5055"}));
        assert_ne!(account(&aws, &key("AKIA1")), account(&moto, &key("AKIA1")));
        let role = |r: &str| map(json!({"access_key_id": "AKIA1", "role_arn": r}));
        assert_ne!(
            account(&aws, &role("arn:aws:iam::111111111111:role/a")),
            account(&aws, &role("arn:aws:iam::222222222222:role/a"))
        );
        let os = |p: &str| {
            map(json!({"provider": "openstack", "auth_url": "https://k/v3", "project_id": p}))
        };
        let user = map(json!({"username": "u", "password": "p"}));
        assert_eq!(
            account(&os("p1"), &user),
            account(&os("p1"), &map(json!({"username": "v"})))
        );
        assert_ne!(account(&os("p1"), &user), account(&os("p2"), &user));
        assert_eq!(account(&aws, &Map::new()), None);
    }
}
