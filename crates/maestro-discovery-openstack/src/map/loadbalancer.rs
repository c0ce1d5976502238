//! Octavia load balancers → `loadbalancers` (family Loadbalance) with their listeners, pools and
//! members in `role`, and the servers behind the members as `targets` references.

use maestro_discovery::{Observation, ObservedRef, ProviderError};
use maestro_model::schema::{Collection, Kind};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{capitalize, datacenters, fit_name, observation, parse, put, put_str, tags};

/// An Octavia load balancer (`GET /v2/lbaas/loadbalancers`).
#[derive(Debug, Deserialize)]
pub struct Lb {
    pub id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    provisioning_status: Option<String>,
    #[serde(default)]
    operating_status: Option<String>,
    #[serde(default)]
    vip_address: Option<String>,
    #[serde(default)]
    vip_port_id: Option<String>,
    #[serde(default)]
    vip_subnet_id: Option<String>,
    #[serde(default)]
    vip_network_id: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    flavor_id: Option<String>,
    #[serde(default)]
    availability_zone: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    tags: Value,
}

/// A listener, pool or member: the attributes shown in `role`.
#[derive(Debug, Deserialize)]
pub struct Part {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub protocol_port: Option<u64>,
    #[serde(default)]
    pub lb_algorithm: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub operating_status: Option<String>,
    #[serde(default)]
    pub weight: Option<u64>,
}

impl Part {
    pub fn parse(what: &str, item: Value) -> Result<Self, ProviderError> {
        parse(what, item)
    }

    fn describe(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone().into());
        for (k, v) in [
            ("name", self.name.as_ref().map(|s| json!(s))),
            ("protocol", self.protocol.as_ref().map(|s| json!(s))),
            ("protocol_port", self.protocol_port.map(|p| json!(p))),
            ("lb_algorithm", self.lb_algorithm.as_ref().map(|s| json!(s))),
            ("address", self.address.as_ref().map(|s| json!(s))),
            ("subnet_id", self.subnet_id.as_ref().map(|s| json!(s))),
            (
                "operating_status",
                self.operating_status.as_ref().map(|s| json!(s)),
            ),
            ("weight", self.weight.map(|w| json!(w))),
        ] {
            if let Some(v) = v.filter(|v| v.as_str() != Some("")) {
                m.insert(k.into(), v);
            }
        }
        Value::Object(m)
    }
}

/// A pool with its members.
pub struct PoolView {
    pub pool: Part,
    pub members: Vec<Part>,
}

impl Lb {
    pub fn parse(item: Value) -> Result<Self, ProviderError> {
        parse("load balancer", item)
    }

    /// The observation; `targets` are the provider ids of the servers behind the members.
    pub fn observe(
        &self,
        region: &str,
        listeners: &[Part],
        pools: &[PoolView],
        targets: &[String],
    ) -> Observation {
        let mut f = Map::new();
        f.insert(
            "name".into(),
            fit_name(
                Kind::Application,
                self.name.as_deref(),
                &self.id,
                "load balancer",
            )
            .into(),
        );
        f.insert("family".into(), "Loadbalance".into());
        let driver = self.provider.as_deref().unwrap_or("octavia");
        let provider = match driver {
            "octavia" | "amphora" | "amphorav2" => "OpenStack (HaProxy)".to_owned(),
            other => format!("OpenStack ({other})"),
        };
        put_str(&mut f, "provider", Some(&provider), 80);
        f.insert("own".into(), 1.into());
        put_str(&mut f, "description", self.description.as_deref(), 800);
        let provisioning = self.provisioning_status.as_deref().unwrap_or("ACTIVE");
        let status = if provisioning.starts_with("PENDING") {
            "Pending".to_owned()
        } else {
            capitalize(provisioning)
        };
        put_str(&mut f, "status", Some(&status), 60);
        let pools: Vec<Value> = pools
            .iter()
            .map(|p| {
                let mut v = p.pool.describe();
                v["members"] = Value::Array(p.members.iter().map(Part::describe).collect());
                v
            })
            .collect();
        f.insert(
            "role".into(),
            json!({
                "endpoint": self.vip_address, "vip_port_id": self.vip_port_id,
                "vip_subnet_id": self.vip_subnet_id, "vip_network_id": self.vip_network_id,
                "provisioning_status": self.provisioning_status,
                "operating_status": self.operating_status, "provider": driver,
                "flavor_id": self.flavor_id.as_deref().filter(|s| !s.is_empty()),
                "listeners": listeners.iter().map(Part::describe).collect::<Vec<_>>(),
                "pools": pools,
            }),
        );
        if let Some(Value::Object(role)) = f.get_mut("role") {
            role.retain(|_, v| !v.is_null());
        }
        put(
            &mut f,
            "tags",
            tags(&self.tags, &Map::new()).unwrap_or(Value::Null),
        );
        f.insert(
            "datacenters".into(),
            datacenters(
                region,
                json!({ "zone": self.availability_zone, "project_id": self.project_id }),
            ),
        );
        let mut obs = observation(Collection::Loadbalancers, &self.id, f);
        for t in targets {
            if !obs.refs.iter().any(|r| &r.provider_id == t) {
                obs.refs.push(ObservedRef {
                    field: "targets".into(),
                    provider_id: t.clone(),
                });
            }
        }
        obs.active = !matches!(provisioning, "DELETED" | "PENDING_DELETE");
        obs
    }
}

/// The server behind a member: a port holding the member's address (on its subnet, when the
/// member names one) and owned by Nova (`device_owner` `compute:*`).
pub fn server_of_member(member: &Part, ports: &[Value]) -> Option<String> {
    let addr = member.address.as_deref()?;
    ports.iter().find_map(|p| {
        let owner = p.get("device_owner").and_then(Value::as_str).unwrap_or("");
        let holds = p
            .get("fixed_ips")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|ip| {
                ip.get("ip_address").and_then(Value::as_str) == Some(addr)
                    && member
                        .subnet_id
                        .as_deref()
                        .is_none_or(|s| ip.get("subnet_id").and_then(Value::as_str) == Some(s))
            });
        let device = p
            .get("device_id")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty());
        (owner.starts_with("compute:") && holds)
            .then_some(device)
            .flatten()
            .map(str::to_owned)
    })
}
