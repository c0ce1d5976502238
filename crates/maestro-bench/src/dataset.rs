//! A deterministic, realistic server dataset: unique hostnames and private IPs, a spread of
//! environments, roles, OS bases, CPU and memory, storage, services, tags and placement.

use serde_json::{Value, json};

const ENVIRONMENTS: &[&str] = &[
    "Production",
    "Staging",
    "Development",
    "UTA",
    "Training",
    "SandBox",
];
const ROLES: &[&str] = &[
    "Application",
    "Cache",
    "Container",
    "Database",
    "File",
    "Loadbalance",
    "Monitoring",
    "NAT",
    "Proxy",
    "SMTP",
    "VPN",
    "Standard",
];
const OS: &[(&str, &str)] = &[
    ("Linux", "Ubuntu"),
    ("Linux", "Debian"),
    ("Linux", "RHEL"),
    ("Windows", "Windows Server"),
    ("FreeBSD", "FreeBSD"),
];
const CPUS: &[u32] = &[1, 2, 4, 8, 16, 32, 64];
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
];
const SERVICES: &[&str] = &[
    "Nginx",
    "PostgreSQL",
    "Redis",
    "Docker",
    "NodeJS",
    "Java",
    "MongoDB",
    "RabbitMq",
];

/// A small xorshift generator: same seed, same dataset.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// The `i`-th server of the dataset.
pub fn server(i: u64, rng: &mut Rng) -> Value {
    let env = rng.pick(ENVIRONMENTS);
    let (base, dist) = rng.pick(OS);
    let cpu = rng.pick(CPUS);
    let region = rng.pick(REGIONS);
    let disks = 1 + rng.next() % 3;
    let storage: Vec<Value> = (0..disks)
        .map(|d| json!({"name": format!("/dev/xvd{}", (b'a' + d as u8) as char), "size": 20 + rng.next() % 980, "mount": if d == 0 { "/".to_owned() } else { format!("/data{d}") }, "ftype": "ext4"}))
        .collect();
    let services: Vec<Value> = (0..1 + rng.next() % 3).map(|_| json!({"name": rng.pick(SERVICES), "version": format!("{}.{}", rng.next() % 20, rng.next() % 10)})).collect();
    json!({
        "name": format!("srv-{i:06}"),
        "hostname": format!("srv-{i:06}.{}.example.com", region),
        "ipv4_private": format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255),
        "os": {"base": base, "dist": dist, "version": format!("{}", 8 + rng.next() % 16)},
        "cpu": cpu,
        "memory": cpu * (2 + (rng.next() % 4) as u32),
        "role": rng.pick(ROLES),
        "environment": env,
        "storage": storage,
        "services": services,
        "auth": [{"type": "PKI", "name": "deploy.pem", "username": "ops"}],
        "tags": [{"key": "team", "value": format!("team-{}", rng.next() % 40)}, {"key": "cost-center", "value": format!("cc-{}", rng.next() % 200)}],
        "datacenters": {"provider": "AWS", "region": region, "zone": format!("{region}a"), "instance": format!("m5.{}", if *cpu > 8 { "4xlarge" } else { "large" }), "instance_id": format!("i-{:017x}", rng.next() & 0xfffffffffffff)},
    })
}

/// Filters of a "two filters + sort" list page, varied per request.
pub fn list_query(rng: &mut Rng) -> String {
    let env = rng.pick(ENVIRONMENTS);
    let cpu = rng.pick(&[4u32, 8, 16]);
    let sort = rng.pick(&["name", "-cpu", "-updated_at", "hostname"]);
    format!("environment={env}&cpu[gte]={cpu}&sort={sort}&limit=50")
}
