//! Demo data for newcomers (`maestro demo`): the example inventory of the original's
//! documentation — servers, applications with dependencies, systems, a client and datacenters —
//! created through the same services as everything else, so it is validated and has history.

use std::collections::HashMap;

use maestro_model::EntityId;
use maestro_model::schema::{Collection, Kind};
use serde_json::{Value, json};

use crate::{Caller, Core, CoreError, CoreResult, Source};

const DEMO: &str = include_str!("demo.json");

/// Inventory kinds whose presence means "not a new installation" (the seeded catalog does not count).
const INVENTORY: &[Kind] = &[
    Kind::Server,
    Kind::Application,
    Kind::System,
    Kind::Client,
    Kind::Datacenter,
    Kind::Volume,
    Kind::Snapshot,
    Kind::Image,
    Kind::Network,
    Kind::Flavor,
    Kind::Connection,
];

/// Replaces `"@name"` strings by the id of the demo entity with that name.
fn resolve(value: &Value, ids: &HashMap<String, EntityId>) -> CoreResult<Value> {
    Ok(match value {
        Value::String(s) if s.starts_with('@') => {
            let id = ids
                .get(&s[1..])
                .ok_or_else(|| CoreError::Internal(format!("demo data refers to unknown {s}")))?;
            json!(id)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve(v, ids))
                .collect::<CoreResult<_>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), resolve(v, ids)?)))
                .collect::<CoreResult<_>>()?,
        ),
        other => other.clone(),
    })
}

impl Core {
    /// Whether the installation holds no inventory yet.
    pub async fn inventory_is_empty(&self) -> CoreResult<bool> {
        Ok(self.store.count_entities(INVENTORY).await? == 0)
    }

    /// Loads the demo inventory, owned by Maestro (administrators see it). Refuses when the
    /// installation already has inventory. Returns how many entities were created.
    pub async fn load_demo(&self) -> CoreResult<usize> {
        if !self.inventory_is_empty().await? {
            return Err(CoreError::Conflict(
                "the installation already has inventory; demo data is only loaded into an empty one".into(),
            ));
        }
        let demo: Value =
            serde_json::from_str(DEMO).map_err(|e| CoreError::Internal(e.to_string()))?;
        let caller = Caller::system(Source::System);
        let mut ids: HashMap<String, EntityId> = HashMap::new();
        let mut created = 0;
        let remember = |written: &Value, ids: &mut HashMap<String, EntityId>| {
            if let (Some(name), Some(id)) = (
                written["name"].as_str(),
                written["id"].as_str().and_then(|s| s.parse().ok()),
            ) {
                ids.insert(name.to_owned(), id);
            }
        };
        let plain = [
            ("datacenters", Collection::Datacenters),
            ("clients", Collection::Clients),
            ("servers", Collection::Servers),
        ];
        for (key, coll) in plain {
            for item in demo[key].as_array().into_iter().flatten() {
                let w = self
                    .create_entity(&caller, coll, &resolve(item, &ids)?)
                    .await?;
                remember(&w.entity, &mut ids);
                created += 1;
            }
        }
        // Applications first without dependencies (they refer to each other), then the links.
        let apps = demo["applications"].as_array().cloned().unwrap_or_default();
        for app in &apps {
            let mut body = app.clone();
            if let Value::Object(m) = &mut body {
                m.remove("deps");
            }
            let coll = Collection::of(Kind::Application, body["family"].as_str());
            let w = self
                .create_entity(&caller, coll, &resolve(&body, &ids)?)
                .await?;
            remember(&w.entity, &mut ids);
            created += 1;
        }
        for app in apps.iter().filter(|a| a.get("deps").is_some()) {
            let name = app["name"].as_str().unwrap_or_default();
            let id = ids[name];
            let coll = Collection::of(Kind::Application, app["family"].as_str());
            let patch = resolve(&json!({"deps": app["deps"]}), &ids)?;
            self.patch_entity(&caller, coll, id, &patch).await?;
        }
        for system in demo["systems"].as_array().into_iter().flatten() {
            let w = self
                .create_entity(&caller, Collection::Systems, &resolve(system, &ids)?)
                .await?;
            remember(&w.entity, &mut ids);
            created += 1;
        }
        tracing::info!(created, "loaded the demo inventory");
        Ok(created)
    }
}
