//! Layout hints: the only per-kind knowledge of the UI besides the schema registry — which fields
//! go in which tab, which list columns come first, which option list (from settings or the
//! services catalog) a field offers, and a few labels. Fields the hints do not name still
//! appear: simple ones in "General", lists and references in a tab of their own.

use maestro_model::schema::Collection;

mod labels;
mod options;

pub use labels::{label, path_label, relation_label};
pub use options::{
    Source, engine_of, engine_only, engine_options, object_keys, options, search_by,
};

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
            "datacenters.name",
        ],
        Applications | Loadbalancers | Databases => {
            &["environment", "provider", "cluster", "language", "status"]
        }
        Resources => &["family", "environment", "provider", "status"],
        Datacenters => &["provider", "regions", "zones"],
        Systems => &["description", "clients", "entry"],
        Clients => &["description", "systems"],
        Services => &["family", "tags"],
        // Discovered kinds: what tells them apart, and where (an instance type means nothing
        // for a snapshot, an image or a network).
        Volumes => &["size", "volume_type", "status", "datacenters.region"],
        Snapshots => &["size", "status", "datacenters.region"],
        Images => &["status", "datacenters.provider", "datacenters.region"],
        Networks => &["family", "cidr_block", "vpc_id", "datacenters.region"],
        Flavors => &["vcpus", "memory", "datacenters.provider"],
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

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_model::schema::Ty;

    /// A misspelt column would show an empty column on every row.
    #[test]
    fn list_columns_name_fields_of_their_kind() {
        for coll in Collection::ALL {
            let schema = coll.kind().schema();
            for path in list_columns(coll).unwrap_or_default() {
                let mut parts = path.split('.');
                let top = parts.next().unwrap_or_default();
                let Some(field) = schema.field(top) else {
                    panic!("{}: {path} is not a field", coll.segment());
                };
                if let Some(sub) = parts.next() {
                    let Ty::Object { fields, .. } = &field.ty else {
                        panic!("{}: {top} has no fields", coll.segment());
                    };
                    assert!(
                        fields.iter().any(|f| f.name == sub),
                        "{}: {path}",
                        coll.segment()
                    );
                }
            }
        }
    }
}
