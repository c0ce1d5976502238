//! First-start seed data (reference §8): option lists, regions and zones per provider, and the
//! services catalog. Seeding only adds what is missing, so it runs at every start.

use maestro_model::schema::{Collection, Kind};
use serde_json::Value;

use crate::{Caller, Core, CoreError, CoreResult, Source};

const OPTIONS: &str = include_str!("data/options.json");
const REGIONS: &str = include_str!("data/regions.json");
const SERVICES: &str = include_str!("data/services.json");

fn parse(name: &str, text: &str) -> CoreResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| CoreError::Internal(format!("bad seed file {name}: {e}")))
}

/// The value a setting was seeded with (`None` for a key Maestro never seeded): the shape
/// every later value keeps.
pub fn seeded_setting(key: &str) -> Option<Value> {
    if key == "regions" {
        return parse("regions.json", REGIONS).ok();
    }
    parse("options.json", OPTIONS).ok()?.get(key).cloned()
}

impl Core {
    /// Seeds settings and the services catalog where absent.
    pub async fn seed(&self) -> CoreResult<()> {
        let now = self.now();
        if let Value::Object(options) = parse("options.json", OPTIONS)? {
            for (key, value) in options {
                self.store
                    .put_setting(&key, &value, now, true, None)
                    .await?;
            }
        }
        self.store
            .put_setting("regions", &parse("regions.json", REGIONS)?, now, true, None)
            .await?;
        if self.store.count_entities(&[Kind::Service]).await? == 0 {
            let system = Caller::system(Source::System);
            let Value::Array(services) = parse("services.json", SERVICES)? else {
                return Err(CoreError::Internal("services.json must be a list".into()));
            };
            self.create_entities(&system, Collection::Services, &services)
                .await?;
            tracing::info!(count = services.len(), "seeded the services catalog");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_model::validate::validate;

    #[test]
    fn seed_files_parse_and_services_are_valid() {
        assert!(parse("options.json", OPTIONS).unwrap().is_object());
        assert!(parse("regions.json", REGIONS).unwrap()["AWS"].is_array());
        let services = parse("services.json", SERVICES).unwrap();
        for s in services.as_array().unwrap() {
            validate(Kind::Service.schema(), None, s.as_object().unwrap()).unwrap();
        }
    }
}
