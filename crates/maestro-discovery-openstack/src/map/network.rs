//! Neutron networks, subnets, ports, routers and security groups → `networks` with their family.

use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::{Collection, Kind};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{datacenters, fit_name, observation, parse, put, put_str, tags};

/// A Neutron resource type and the Maestro network family it is stored as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetKind {
    Network,
    Subnet,
    Port,
    Router,
    SecurityGroup,
}

impl NetKind {
    pub fn family(self) -> &'static str {
        match self {
            NetKind::Network => "Network",
            NetKind::Subnet => "Subnet",
            NetKind::Port => "Ports",
            NetKind::Router => "Router",
            NetKind::SecurityGroup => "SecurityGroup",
        }
    }

    /// `(path under /v2.0/, body key, policy)`.
    pub fn listing(self) -> (&'static str, &'static str, &'static str) {
        match self {
            NetKind::Network => ("networks", "networks", "get_network"),
            NetKind::Subnet => ("subnets", "subnets", "get_subnet"),
            NetKind::Port => ("ports", "ports", "get_port"),
            NetKind::Router => ("routers", "routers", "get_router"),
            NetKind::SecurityGroup => ("security-groups", "security_groups", "get_security_group"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            NetKind::Network => "network",
            NetKind::Subnet => "subnet",
            NetKind::Port => "port",
            NetKind::Router => "router",
            NetKind::SecurityGroup => "security group",
        }
    }

    /// Raw attributes copied as they are: `(Neutron key, Maestro field)`.
    fn passthrough(self) -> &'static [(&'static str, &'static str)] {
        match self {
            NetKind::Network => &[
                ("admin_state_up", "admin_state_up"),
                ("mtu", "mtu"),
                ("shared", "shared"),
                ("router:external", "external"),
                ("subnets", "subnets"),
                ("port_security_enabled", "port_security_enabled"),
                ("provider:network_type", "provider_network_type"),
                ("provider:physical_network", "provider_physical_network"),
                ("provider:segmentation_id", "provider_segmentation_id"),
                ("is_default", "is_default"),
                ("revision_number", "revision_number"),
            ],
            NetKind::Subnet => &[
                ("ip_version", "ip_version"),
                ("allocation_pools", "allocation_pools"),
                ("dns_nameservers", "dns_nameservers"),
                ("enable_dhcp", "enable_dhcp"),
                ("host_routes", "host_routes"),
                ("router:external", "external"),
                ("revision_number", "revision_number"),
            ],
            NetKind::Port => &[
                ("admin_state_up", "admin_state_up"),
                ("fixed_ips", "fixed_ips"),
                ("security_groups", "security_groups"),
                ("port_security_enabled", "port_security_enabled"),
                ("binding:host_id", "binding_host_id"),
                ("revision_number", "revision_number"),
            ],
            NetKind::Router => &[
                ("admin_state_up", "admin_state_up"),
                ("external_gateway_info", "external_gateway_info"),
                ("routes", "routes"),
                ("revision_number", "revision_number"),
            ],
            NetKind::SecurityGroup => &[
                ("security_group_rules", "security_group_rules"),
                ("stateful", "stateful"),
                ("shared", "shared"),
                ("revision_number", "revision_number"),
            ],
        }
    }
}

#[derive(Deserialize)]
struct Common {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    tags: Value,
    #[serde(default)]
    availability_zones: Vec<String>,
    // Subnets
    #[serde(default)]
    network_id: Option<String>,
    #[serde(default)]
    cidr: Option<String>,
    #[serde(default)]
    gateway_ip: Option<String>,
    // Ports
    #[serde(default)]
    device_id: Option<String>,
    #[serde(default)]
    device_owner: Option<String>,
    #[serde(default)]
    mac_address: Option<String>,
    #[serde(default)]
    fixed_ips: Vec<FixedIp>,
}

#[derive(Deserialize)]
struct FixedIp {
    #[serde(default)]
    ip_address: Option<String>,
    #[serde(default)]
    subnet_id: Option<String>,
}

/// One Neutron record as a `networks` observation of `kind`'s family.
pub fn observe(kind: NetKind, item: Value, region: &str) -> Result<Observation, ProviderError> {
    let raw = item.as_object().cloned().unwrap_or_default();
    let c: Common = parse(kind.noun(), item)?;
    let mut f = Map::new();
    f.insert(
        "name".into(),
        fit_name(Kind::Network, c.name.as_deref(), &c.id, kind.noun()).into(),
    );
    f.insert("family".into(), kind.family().into());
    put_str(&mut f, "description", c.description.as_deref(), 800);
    put_str(&mut f, "status", c.status.as_deref(), 60);
    put_str(&mut f, "project_id", c.project_id.as_deref(), 100);
    put_str(&mut f, "tenant_id", c.tenant_id.as_deref(), 100);
    let zones = c.availability_zones.join(",");
    put_str(&mut f, "availability_zone", Some(&zones), 100);
    match kind {
        NetKind::Subnet => {
            put_str(&mut f, "network_id", c.network_id.as_deref(), 100);
            put_str(&mut f, "subnet_id", Some(&c.id), 100);
            put_str(&mut f, "cidr_block", c.cidr.as_deref(), 100);
            put_str(&mut f, "gateway_ip", c.gateway_ip.as_deref(), 60);
        }
        NetKind::Port => {
            put_str(&mut f, "network_id", c.network_id.as_deref(), 100);
            put_str(&mut f, "device_id", c.device_id.as_deref(), 100);
            put_str(&mut f, "device_owner", c.device_owner.as_deref(), 100);
            put_str(&mut f, "mac_address", c.mac_address.as_deref(), 60);
            let first = c.fixed_ips.first();
            put_str(
                &mut f,
                "private_ip_address",
                first.and_then(|i| i.ip_address.as_deref()),
                60,
            );
            put_str(
                &mut f,
                "subnet_id",
                first.and_then(|i| i.subnet_id.as_deref()),
                100,
            );
        }
        NetKind::SecurityGroup => {
            put_str(&mut f, "group_name", c.name.as_deref(), 250);
            put_str(&mut f, "group_id", Some(&c.id), 100);
        }
        NetKind::Network | NetKind::Router => {}
    }
    for (from, to) in kind.passthrough() {
        if let Some(v) = raw.get(*from) {
            put(&mut f, to, v.clone());
        }
    }
    put(
        &mut f,
        "tags",
        tags(&c.tags, &Map::new()).unwrap_or(Value::Null),
    );
    let zone = (!c.availability_zones.is_empty()).then(|| json!(c.availability_zones));
    f.insert(
        "datacenters".into(),
        datacenters(region, json!({ "zone": zone })),
    );
    let mut obs = observation(Collection::Networks, &c.id, f);
    obs.active = c.status.as_deref() != Some("DELETED");
    Ok(obs)
}
