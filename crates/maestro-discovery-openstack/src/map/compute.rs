//! Nova servers, with their flavor's CPU and memory.

use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::{Collection, Kind};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use std::net::IpAddr;

use super::{as_f64, datacenters, fit_name, observation, parse, put, put_num, put_str, tags};

/// A Nova server (`GET /servers/detail`, microversion 2.47 or later for embedded flavors).
#[derive(Debug, Deserialize)]
pub struct NovaServer {
    pub id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    addresses: Map<String, Value>,
    /// Embedded details (`vcpus`, `ram`, `original_name`) or just `{id, links}` before 2.47.
    #[serde(default)]
    pub flavor: Value,
    /// `{id, links}`, or `""` for a server booted from a volume.
    #[serde(default)]
    image: Value,
    #[serde(default)]
    key_name: Option<String>,
    #[serde(default)]
    metadata: Map<String, Value>,
    #[serde(default)]
    tags: Value,
    #[serde(default, rename = "hostId")]
    host_id: Option<String>,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default, rename = "accessIPv4")]
    access_ipv4: Option<String>,
    #[serde(default, rename = "OS-EXT-AZ:availability_zone")]
    zone: Option<String>,
    #[serde(default, rename = "OS-EXT-SRV-ATTR:hostname")]
    hostname: Option<String>,
    #[serde(default, rename = "OS-EXT-SRV-ATTR:hypervisor_hostname")]
    hypervisor_hostname: Option<String>,
    #[serde(default, rename = "OS-EXT-STS:vm_state")]
    vm_state: Option<String>,
    #[serde(default, rename = "os-extended-volumes:volumes_attached")]
    volumes: Vec<AttachedVolume>,
    #[serde(default)]
    security_groups: Vec<Named>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default, rename = "OS-SRV-USG:launched_at")]
    launched_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AttachedVolume {
    id: String,
    #[serde(default)]
    delete_on_termination: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Named {
    #[serde(default)]
    name: Option<String>,
}

/// CPU and memory of a flavor, from the server's embedded details or the flavor itself.
#[derive(Debug, Clone, PartialEq)]
pub struct FlavorSize {
    pub name: Option<String>,
    pub vcpus: Option<f64>,
    pub ram_mb: Option<f64>,
}

impl FlavorSize {
    /// From an embedded flavor or a flavor record; `None` without `vcpus` (only `{id, links}`).
    pub fn from_value(flavor: &Value) -> Option<Self> {
        let vcpus = flavor.get("vcpus").and_then(as_f64)?;
        Some(FlavorSize {
            name: flavor
                .get("original_name")
                .or_else(|| flavor.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            vcpus: Some(vcpus),
            ram_mb: flavor.get("ram").and_then(as_f64),
        })
    }
}

impl NovaServer {
    pub fn parse(item: Value) -> Result<Self, ProviderError> {
        parse("server", item)
    }

    /// The flavor id when the server only references its flavor (before microversion 2.47).
    pub fn flavor_id(&self) -> Option<&str> {
        self.flavor.get("id").and_then(Value::as_str)
    }

    /// Addresses of `kind` (`fixed`, `floating`) and IP `version`, with their network names.
    fn addresses(&self, kind: &str, version: u64) -> impl Iterator<Item = (&str, &str)> {
        self.addresses.iter().flat_map(move |(net, list)| {
            list.as_array().into_iter().flatten().filter_map(move |a| {
                let t = a
                    .get("OS-EXT-IPS:type")
                    .and_then(Value::as_str)
                    .unwrap_or("fixed");
                let v = a.get("version").and_then(Value::as_u64).unwrap_or(4);
                let addr = a.get("addr").and_then(Value::as_str)?;
                (t == kind && v == version).then_some((net.as_str(), addr))
            })
        })
    }

    fn public_ip(&self) -> Option<&str> {
        let public_net = |n: &str| {
            let n = n.to_lowercase();
            ["public", "internet", "external"]
                .iter()
                .any(|p| n.contains(p))
        };
        self.addresses("floating", 4)
            .next()
            .or_else(|| self.addresses("fixed", 4).find(|(n, _)| public_net(n)))
            .map(|(_, a)| a)
            .or(self.access_ipv4.as_deref().filter(|a| !a.is_empty()))
    }

    fn private_ip(&self) -> Option<&str> {
        let public_net = |n: &str| {
            let n = n.to_lowercase();
            ["public", "internet", "external"]
                .iter()
                .any(|p| n.contains(p))
        };
        self.addresses("fixed", 4)
            .find(|(n, _)| !public_net(n))
            .or_else(|| self.addresses("fixed", 4).next())
            .or_else(|| self.addresses("fixed", 6).next())
            .map(|(_, a)| a)
    }

    /// The observation; `flavor` is the resolved size when known.
    pub fn observe(&self, region: &str, flavor: Option<&FlavorSize>) -> Observation {
        let mut f = Map::new();
        f.insert(
            "name".into(),
            fit_name(Kind::Server, self.name.as_deref(), &self.id, "server").into(),
        );
        put_str(&mut f, "hostname", self.hostname.as_deref(), 100);
        put_str(&mut f, "ipv4_private", valid_ip(self.private_ip()), 64);
        put_str(&mut f, "ipv4_public", valid_ip(self.public_ip()), 64);
        let all = |v| {
            let mut seen: Vec<&str> = Vec::new();
            for kind in ["fixed", "floating"] {
                for (_, a) in self.addresses(kind, v) {
                    if !seen.contains(&a) {
                        seen.push(a);
                    }
                }
            }
            (!seen.is_empty()).then(|| json!(seen))
        };
        put(&mut f, "ipv4_all", all(4).unwrap_or(Value::Null));
        put(&mut f, "ipv6_all", all(6).unwrap_or(Value::Null));
        let meta = |key: &str| {
            self.metadata
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str())
                .filter(|v| v.chars().count() <= 60)
        };
        put_str(
            &mut f,
            "environment",
            meta("environment").or(meta("env")),
            60,
        );
        put_str(&mut f, "role", meta("role"), 60);
        let status = self.status.as_deref().unwrap_or("").to_uppercase();
        f.insert("status".into(), server_status(&status).into());
        if let Some(size) = flavor {
            put_num(
                &mut f,
                "cpu",
                size.vcpus.filter(|c| *c > 0.0 && *c <= 1024.0),
            );
            let gb = size.ram_mb.map(|mb| mb / 1024.0);
            put_num(&mut f, "memory", gb.filter(|m| *m > 0.0 && *m <= 1024.0));
        }
        if let Some(key) = self.key_name.as_deref().filter(|k| !k.is_empty()) {
            let name: String = key.chars().take(100).collect();
            f.insert("auth".into(), json!([{ "name": name, "type": "PKI" }]));
        }
        let storage: Vec<Value> = self
            .volumes
            .iter()
            .take(256)
            .map(|v| {
                let id: String = v.id.chars().take(100).collect();
                let mut item =
                    json!({ "name": id, "volume_id": id, "unique_id": id, "attached": true });
                if let Some(d) = v.delete_on_termination {
                    item["delete_termination"] = d.into();
                }
                item
            })
            .collect();
        if !storage.is_empty() {
            f.insert("storage".into(), Value::Array(storage));
        }
        put(
            &mut f,
            "tags",
            tags(&self.tags, &self.metadata).unwrap_or(Value::Null),
        );
        let image_id = self.image.get("id").and_then(Value::as_str);
        if let Some(id) = image_id {
            f.insert("image".into(), json!({ "id": id }));
        }
        let groups: Vec<&str> = self
            .security_groups
            .iter()
            .filter_map(|g| g.name.as_deref())
            .collect();
        let instance = flavor
            .and_then(|s| s.name.as_deref())
            .or(self.flavor_id())
            .map(|s| s.chars().take(100).collect::<String>());
        f.insert(
            "datacenters".into(),
            datacenters(
                region,
                json!({
                    "zone": self.zone, "type": "Virtual", "instance": instance, "instance_id": self.id,
                    "host_id": self.host_id, "hypervisor_hostname": self.hypervisor_hostname,
                    "image_id": image_id, "project_id": self.tenant_id, "vm_state": self.vm_state,
                    "security_groups": groups,
                }),
            ),
        );
        let mut metas = json!({ "security_groups": groups, "key_name": self.key_name,
            "user_id": self.user_id, "created": self.created, "launched_at": self.launched_at,
            "status": self.status });
        if let Some(m) = metas.as_object_mut() {
            m.retain(|_, v| !v.is_null());
        }
        f.insert("metas".into(), metas);
        let mut obs = observation(Collection::Servers, &self.id, f);
        obs.active = !matches!(
            status.as_str(),
            "DELETED" | "ERROR" | "SOFT_DELETED" | "UNKNOWN"
        );
        obs
    }
}

fn valid_ip(addr: Option<&str>) -> Option<&str> {
    addr.filter(|a| a.parse::<IpAddr>().is_ok())
}

/// Nova status → Maestro run status (spelling `Avaliable` kept from the original's enum).
pub fn server_status(status: &str) -> &'static str {
    match status {
        "REBOOT" | "HARD_REBOOT" => "Avaliable",
        "STOPPED" | "SHUTOFF" | "SUSPENDED" | "PAUSED" | "SHELVED" | "SHELVED_OFFLOADED" => {
            "Stopped"
        }
        _ => "Active",
    }
}
