//! Where offered values come from (settings, the services catalog, regions), database engine
//! specifics, suggested keys of free-form objects, and reference search fields.

use maestro_model::schema::{Collection, Kind};

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
