//! Nova flavors: vCPUs, memory in GB (RAM / 1024), disk, ephemeral disk and swap.

use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::{Collection, Kind};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{as_f64, datacenters, fit_name, observation, parse, put_num, put_str};

/// A Nova flavor (`GET /flavors/detail`).
pub fn observe_flavor(item: Value, region: &str) -> Result<Observation, ProviderError> {
    #[derive(Deserialize)]
    struct Flavor {
        id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        vcpus: Value,
        #[serde(default)]
        ram: Value,
        #[serde(default)]
        disk: Value,
        #[serde(default)]
        swap: Value,
        #[serde(default, rename = "OS-FLV-EXT-DATA:ephemeral")]
        ephemeral: Value,
        #[serde(default)]
        rxtx_factor: Value,
        #[serde(default, rename = "os-flavor-access:is_public")]
        is_public: Option<bool>,
    }
    let fl: Flavor = parse("flavor", item)?;
    let mut f = Map::new();
    f.insert(
        "name".into(),
        fit_name(Kind::Flavor, fl.name.as_deref(), &fl.id, "flavor").into(),
    );
    put_str(&mut f, "api_name", fl.name.as_deref(), 100);
    f.insert("provider".into(), super::PROVIDER.into());
    put_num(&mut f, "vcpus", as_f64(&fl.vcpus));
    put_num(&mut f, "memory", as_f64(&fl.ram).map(|mb| mb / 1024.0));
    put_num(&mut f, "disk", as_f64(&fl.disk));
    put_num(&mut f, "ephemeral", as_f64(&fl.ephemeral));
    // Nova reports "no swap" as "" before microversion 2.75.
    put_num(&mut f, "swap", as_f64(&fl.swap).or(Some(0.0)));
    put_num(&mut f, "rxtx_factor", as_f64(&fl.rxtx_factor));
    if let Some(p) = fl.is_public {
        f.insert("is_public".into(), p.into());
    }
    let instance = fl
        .name
        .as_deref()
        .map(|n| n.chars().take(100).collect::<String>());
    f.insert(
        "datacenters".into(),
        datacenters(region, json!({ "instance": instance })),
    );
    Ok(observation(Collection::Flavors, &fl.id, f))
}
