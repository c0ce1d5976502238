//! Layout hints: the only per-kind knowledge of the UI besides the schema registry — which fields
//! go in which tab, which list columns come first, which option list (from settings or the
//! services catalog) a field offers, and a few labels. Fields the hints do not name still
//! appear: simple ones in "General", lists and references in a tab of their own.

use maestro_model::schema::{Collection, Kind};

/// A tab of a detail page or form: its label and the top-level fields it shows.
pub struct Tab {
    pub label: &'static str,
    pub fields: &'static [&'static str],
}

macro_rules! tab {
    ($label:expr, $fields:expr $(,)?) => {
        Tab {
            label: $label,
            fields: $fields,
        }
    };
}

const APP_GENERAL: &[&str] = &[
    "name",
    "family",
    "description",
    "environment",
    "status",
    "provider",
    "own",
    "language",
    "cluster",
    "size",
    "engine",
    "type",
    "modal",
    "unique_id",
];

/// The tabs of `coll`, in order.
pub fn tabs(coll: Collection) -> &'static [Tab] {
    use Collection::*;
    match coll {
        Servers => &[
            tab!(
                "General",
                &[
                    "name",
                    "hostname",
                    "ipv4_private",
                    "ipv4_public",
                    "os",
                    "cpu",
                    "memory",
                    "role",
                    "environment",
                    "status",
                    "dns_private",
                    "dns_public",
                    "unique_id",
                ],
            ),
            tab!("Datacenter", &["datacenters"]),
            tab!("Storage", &["storage"]),
            tab!("Auth", &["auth"]),
            tab!("Services", &["services"]),
            tab!("Applications", &["applications"]),
            tab!("Tags", &["tags"]),
        ],
        Applications => &[
            tab!("General", APP_GENERAL),
            tab!("Spec", &["role"]),
            tab!("Dependencies", &["deps"]),
            tab!("Servers", &["servers"]),
            tab!("System", &["system"]),
            tab!("Deploy", &["deploy"]),
            tab!("Datacenter", &["datacenters"]),
            tab!("Tags", &["tags"]),
        ],
        Databases => &[
            tab!(
                "General",
                &[
                    "name",
                    "description",
                    "environment",
                    "status",
                    "provider",
                    "own",
                    "size",
                    "unique_id"
                ],
            ),
            tab!(
                "Database",
                &[
                    "engine",
                    "type",
                    "cluster",
                    "crs_version",
                    "storage_types",
                    "asm_groups",
                    "pdbs"
                ],
            ),
            tab!("Spec", &["role"]),
            tab!("Servers", &["servers"]),
            tab!("Dependencies", &["deps"]),
            tab!("System", &["system"]),
            tab!("Datacenter", &["datacenters"]),
            tab!("Tags", &["tags"]),
        ],
        Loadbalancers => &[
            tab!("General", APP_GENERAL),
            tab!("Spec", &["role"]),
            tab!("Targets", &["targets"]),
            tab!("Servers", &["servers"]),
            tab!("Dependencies", &["deps"]),
            tab!("System", &["system"]),
            tab!("Datacenter", &["datacenters"]),
            tab!("Tags", &["tags"]),
        ],
        Resources => &[
            tab!("General", APP_GENERAL),
            tab!("Spec", &["role"]),
            tab!("Servers", &["servers"]),
            tab!("Dependencies", &["deps"]),
            tab!("System", &["system"]),
            tab!("Datacenter", &["datacenters"]),
            tab!("Tags", &["tags"]),
        ],
        Systems => &[
            tab!("General", &["name", "description"]),
            tab!("Clients", &["clients"]),
            tab!("Applications", &["applications", "entry"]),
            tab!("Links", &["links"]),
            tab!("Tags", &["tags"]),
        ],
        Clients => &[
            tab!("General", &["name", "description"]),
            tab!("Contacts", &["contacts"]),
            tab!("Systems", &["systems"]),
            tab!("Tags", &["tags"]),
        ],
        Datacenters => &[
            tab!("General", &["name", "provider", "role"]),
            tab!("Regions", &["regions", "zones"]),
            tab!("Auth", &["auth"]),
            tab!("Tags", &["tags"]),
        ],
        _ => &[tab!("General", &["name"])],
    }
}

/// The first list columns of `coll` (after the name); None = its first indexed fields.
pub fn list_columns(coll: Collection) -> Option<&'static [&'static str]> {
    use Collection::*;
    Some(match coll {
        Servers => &[
            "hostname",
            "ipv4_private",
            "os.base",
            "role",
            "environment",
            "datacenters.provider",
        ],
        Applications | Loadbalancers | Databases => {
            &["environment", "provider", "cluster", "language", "status"]
        }
        Resources => &["family", "environment", "provider", "status"],
        Datacenters => &["provider", "regions", "zones"],
        Systems => &["description", "clients", "entry"],
        Clients => &["description", "systems"],
        Services => &["family", "tags"],
        _ => return None,
    })
}

/// Sub-fields of list items shown in the row itself; the rest sit under "More".
pub fn row_fields(list: &str) -> Option<&'static [&'static str]> {
    Some(match list {
        "storage" => &[
            "name", "size", "mount", "ftype", "root", "attached", "lvm", "pv", "vg",
        ],
        "services" => &["name", "version", "status"],
        _ => return None,
    })
}

/// Where the offered values of a field come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A list in a setting: key, then the path inside its value.
    Setting(&'static str, &'static [&'static str]),
    /// Names from the services catalog, optionally of one family.
    Catalog(Option<&'static str>),
    /// Every region name of the `regions` setting.
    Regions,
    /// Every zone of the `regions` setting.
    Zones,
}

/// The option list of a field, by collection and index-free path (`deps.endpoint`).
pub fn options(coll: Collection, path: &str) -> Option<Source> {
    use Collection::*;
    use Source::*;
    Some(match (coll, path) {
        (_, "environment") => Setting("env_options", &["environment"]),
        (Servers, "role") => Setting("server_options", &["role"]),
        (Servers, "os.base") => Setting("server_options", &["os"]),
        (_, "services.name") => Catalog(None),
        (Datacenters, "provider") | (_, "datacenters.provider") => {
            Setting("datacenter_options", &["providers"])
        }
        (_, "datacenters.region") | (Datacenters, "regions") => Regions,
        (_, "datacenters.zone") | (Datacenters, "zones") => Zones,
        (_, "language") => Setting("application_options", &["languages"]),
        (Databases, "cluster") => Setting("database_options", &["cluster"]),
        (_, "cluster") => Setting("application_options", &["clusters"]),
        (_, "deploy.type") => Setting("application_options", &["deploy"]),
        (_, "deps.endpoint") => Setting("deps_options", &["endpoints"]),
        (Databases, "type") => Setting("database_options", &["types"]),
        (Databases, "storage_types") => Setting("database_options", &["oracle", "storage_types"]),
        (Databases, "provider" | "engine") => Catalog(Some("Database")),
        (Loadbalancers, "provider") => Catalog(Some("Loadbalance")),
        (Applications | Resources, "provider") => Catalog(None),
        (Clients, "contacts.channel") => Setting("clients_options", &["channels"]),
        (Systems, "links.type") => Setting("system_options", &["check"]),
        _ => return None,
    })
}

/// Engine-specific option lists of a database field: (engine, source) pairs.
pub fn engine_options(coll: Collection, path: &str) -> &'static [(&'static str, Source)] {
    match (coll, path) {
        (Collection::Databases, "cluster") => &[
            (
                "oracle",
                Source::Setting("database_options", &["oracle", "cluster"]),
            ),
            (
                "mysql",
                Source::Setting("database_options", &["mysql", "cluster"]),
            ),
        ],
        (Collection::Databases, "type") => &[(
            "oracle",
            Source::Setting("database_options", &["oracle", "type"]),
        )],
        _ => &[],
    }
}

/// Database fields shown only for one engine (Oracle specifics).
pub fn engine_only(coll: Collection, field: &str) -> Option<&'static str> {
    match (coll, field) {
        (Collection::Databases, "storage_types" | "crs_version" | "asm_groups" | "pdbs") => {
            Some("oracle")
        }
        _ => None,
    }
}

/// The engine family a database engine or service name belongs to.
pub fn engine_of(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    if n.contains("oracle") {
        "oracle"
    } else if ["mysql", "maria", "aurora", "percona"]
        .iter()
        .any(|m| n.contains(m))
    {
        "mysql"
    } else {
        ""
    }
}

/// Keys offered in free-form objects (an application's `role` spec).
pub fn object_keys(path: &str) -> &'static [&'static str] {
    match path {
        "role" => &["role", "endpoint", "healthcheck", "port", "path", "command"],
        _ => &[],
    }
}

/// Fields a reference search can match on, for a target kind (the default is `q`).
pub fn search_by(target: Kind) -> &'static [(&'static str, &'static str)] {
    match target {
        Kind::Server => &[
            ("", "Anything"),
            ("hostname", "Hostname"),
            ("ipv4_private", "Private IP"),
        ],
        _ => &[],
    }
}

/// A field or path segment as people read it.
pub fn label(name: &str) -> String {
    let fixed = match name {
        "os.base" => "OS",
        "os.dist" => "Distribution",
        "datacenters.provider" => "Provider",
        "datacenters.region" => "Region",
        "datacenters.instance" => "Instance type",
        "ipv4_private" => "Private IPv4",
        "ipv4_public" => "Public IPv4",
        "os" => "Operating system",
        "cpu" => "CPU",
        "memory" => "Memory (GB)",
        "size" => "Size",
        "ftype" => "File system",
        "lvm" => "LVM",
        "pv" => "LVM physical volume",
        "vg" => "LVM volume group",
        "dns_public" => "Public DNS",
        "dns_private" => "Private DNS",
        "unique_id" => "Unique id",
        "crs_version" => "CRS version",
        "asm_groups" => "ASM groups",
        "pdbs" => "PDBs (pluggable databases)",
        "deps" => "Depends on",
        "own" => "Managed by provider (1)",
        "datacenters" => "Datacenter",
        "id" => "Id",
        "vcpus" => "vCPUs",
        "api_name" => "API name",
        "kms_key_id" => "KMS key id",
        "iops" => "IOPS",
        "url" => "URL",
        "auth_url" => "Auth URL",
        "endpoint_url" => "Endpoint URL",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a relation reads from one side: (outgoing, incoming).
pub fn relation_label(rel: &str) -> (&'static str, &'static str) {
    match rel {
        "depends_on" => ("Depends on", "Depended on by"),
        "hosted_on" => ("Deployed on", "Runs"),
        "targets" => ("Sends traffic to", "Load balanced by"),
        "contains" => ("Contains", "Member of"),
        "entry" => ("Entry points", "Entry point of"),
        "serves" => ("Serves", "Served by"),
        "attached_to" => ("Attached to", "Has volumes"),
        "located_in" => ("Located in", "Hosts"),
        "discovers" => ("Discovers", "Discovered by"),
        _ => ("Related to", "Related from"),
    }
}
