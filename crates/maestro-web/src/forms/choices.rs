//! The values forms and filters offer, loaded once per page from the core: option lists from
//! settings, names from the services catalog, and regions and zones.

use maestro_core::{Caller, Core, CoreResult};
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::hints::Source;

/// Settings and catalog names, ready to answer [`Source`]s.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    settings: serde_json::Map<String, Value>,
    /// `(name, families)` of every catalog service.
    catalog: Vec<(String, Vec<String>)>,
}

impl Choices {
    /// Reads every setting and the services catalog (at most 1000 names).
    pub async fn load(core: &Core, caller: &Caller) -> CoreResult<Self> {
        let Choices { settings, .. } = Self::settings(core).await?;
        let mut catalog = Vec::new();
        for page in 1..=2 {
            let pairs = vec![
                ("limit".to_owned(), "500".to_owned()),
                ("page".to_owned(), page.to_string()),
                ("sort".to_owned(), "name".to_owned()),
            ];
            let found = core
                .list_entities(caller, Collection::Services, &pairs)
                .await?;
            let n = found.items.len();
            for s in found.items {
                let name = s["name"].as_str().unwrap_or_default().to_owned();
                let families = s["family"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                catalog.push((name, families));
            }
            if n < 500 {
                break;
            }
        }
        Ok(Choices { settings, catalog })
    }

    /// Only the settings (list filters need no catalog).
    pub async fn settings(core: &Core) -> CoreResult<Self> {
        let mut settings = serde_json::Map::new();
        let all = core.list_settings().await?;
        for item in all["items"].as_array().into_iter().flatten() {
            if let Some(key) = item["key"].as_str() {
                settings.insert(key.to_owned(), item["value"].clone());
            }
        }
        Ok(Choices {
            settings,
            catalog: Vec::new(),
        })
    }

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Option<&Value> {
        self.settings.get(key)
    }

    /// The values a source offers, in order, without duplicates.
    pub fn values(&self, source: Source) -> Vec<String> {
        let mut out: Vec<String> = match source {
            Source::Setting(key, path) => {
                let mut v = self.settings.get(key);
                for seg in path {
                    v = v.and_then(|x| x.get(seg));
                }
                strings(v)
            }
            Source::Catalog(family) => self
                .catalog
                .iter()
                .filter(|(_, fams)| family.is_none_or(|f| fams.iter().any(|x| x == f)))
                .map(|(n, _)| n.clone())
                .collect(),
            Source::Regions => self
                .regions()
                .into_iter()
                .map(|(_, name, _, _)| name)
                .collect(),
            Source::Zones => self
                .regions()
                .into_iter()
                .flat_map(|(_, _, _, zones)| zones)
                .collect(),
        };
        let mut seen = std::collections::HashSet::new();
        out.retain(|v| seen.insert(v.clone()));
        out
    }

    /// `(provider, region name, label, zones)` of the `regions` setting.
    pub fn regions(&self) -> Vec<(String, String, String, Vec<String>)> {
        let mut out = Vec::new();
        if let Some(Value::Object(map)) = self.settings.get("regions") {
            for (provider, list) in map {
                for r in list.as_array().into_iter().flatten() {
                    let name = r["name"].as_str().unwrap_or_default().to_owned();
                    let label = r["label"].as_str().unwrap_or(&name).to_owned();
                    out.push((provider.clone(), name, label, strings(r.get("zones"))));
                }
            }
        }
        out
    }
}

/// The strings of a JSON list (other items skipped).
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect()
}
