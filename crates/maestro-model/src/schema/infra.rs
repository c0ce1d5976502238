//! Systems, clients, datacenters, volumes, snapshots, images, flavors, the services catalog and
//! connections (reference §1.4–§1.9).

use super::common::{APPLICATION_FAMILIES, AUTH, DATACENTERS, DESCRIPTION, TAGS, UNIQUE_ID};
use super::ty::{Field, RefSpec, Ty, any, boolean, num, obj, s, strings};
use super::{Kind, KindSchema};

const ID: Field = Field::new("id", Ty::Str { min: 0, max: 36 });

const fn name(min: usize, max: usize) -> Field {
    Field::new("name", Ty::Str { min, max })
        .required()
        .indexed()
        .search()
}

const fn refs(rel: &'static str, target: Kind, inverse: bool) -> RefSpec {
    RefSpec {
        rel,
        target,
        many: true,
        inverse,
        attrs: &[],
        attrs_with_id: &[ID],
    }
}

const SERVES: RefSpec = refs("serves", Kind::Client, false);
const SERVED_BY: RefSpec = refs("serves", Kind::System, true);
const CONTAINS: RefSpec = refs("contains", Kind::Application, false);
const ENTRY: RefSpec = refs("entry", Kind::Application, false);
const ATTACHED_TO: RefSpec = refs("attached_to", Kind::Server, false);
const CONNECTS: RefSpec = RefSpec {
    rel: "discovers",
    target: Kind::Datacenter,
    many: false,
    inverse: false,
    attrs: &[],
    attrs_with_id: &[ID],
};

pub static SYSTEM: KindSchema = KindSchema {
    kind: Kind::System,
    name: "system",
    label: "System",
    global: false,
    doc: "A group of applications, databases and load balancers that together make one system.",
    fields: &[
        name(3, 30),
        DESCRIPTION,
        Field::new("clients", Ty::Ref(&SERVES)).doc("Clients that own or use this system."),
        Field::new("applications", Ty::Ref(&CONTAINS)).doc("Applications of the system."),
        Field::new("entry", Ty::Ref(&ENTRY))
            .doc("Entry-point applications (graphs start there); they join the system too."),
        Field::new(
            "links",
            Ty::List {
                item: &Ty::Object {
                    fields: &[s("type", 60), s("url", 500).required(), s("name", 100)],
                    open: false,
                },
                max: 50,
                unique_by: None,
            },
        )
        .doc("Useful links: public/private URL, admin, health check…"),
        TAGS,
    ],
};

pub static CLIENT: KindSchema = KindSchema {
    kind: Kind::Client,
    name: "client",
    label: "Client",
    global: false,
    doc: "An owner or customer of systems (SLA owner).",
    fields: &[
        name(3, 30),
        DESCRIPTION,
        Field::new(
            "contacts",
            Ty::List {
                item: &Ty::Object {
                    fields: &[s("channel", 250), s("value", 250).search()],
                    open: false,
                },
                max: 50,
                unique_by: None,
            },
        )
        .doc("How to reach the client: Email, Slack, MS Teams, Phone, …"),
        Field::new("systems", Ty::Ref(&SERVED_BY)).doc("Systems this client owns."),
        TAGS,
    ],
};

pub static DATACENTER: KindSchema = KindSchema {
    kind: Kind::Datacenter,
    name: "datacenter",
    label: "Datacenter",
    global: false,
    doc: "A cloud account or an on-premises site, with its regions and zones.",
    fields: &[
        name(3, 30),
        s("provider", 60).required().indexed().search(),
        strings("regions"),
        strings("zones"),
        s("role", 60),
        obj("metas"),
        AUTH,
        TAGS,
    ],
};

pub static VOLUME: KindSchema = KindSchema {
    kind: Kind::Volume,
    name: "volume",
    label: "Volume",
    global: false,
    doc: "A block volume (EBS, Cinder, disk).",
    fields: &[
        name(3, 80),
        Field::new(
            "size",
            Ty::Num {
                min: 0.0,
                max: 1e9,
                above_min: false,
            },
        )
        .required()
        .indexed()
        .doc("Size in GB."),
        UNIQUE_ID.required(),
        Field::new(
            "status",
            Ty::Enum(&["Active", "Avaliable", "Stopped", "Deleted", "Error"]),
        )
        .indexed(),
        Field::new(
            "iops",
            Ty::Int {
                min: 0,
                max: 10_000_000,
            },
        ),
        boolean("encrypted"),
        s("kms_key_id", 250),
        s("volume_id", 100),
        s("volume_type", 60).indexed(),
        s("attach_time", 40),
        s("state", 60),
        s("snapshot_id", 100),
        s("source_volume_id", 100),
        DATACENTERS,
        s("fftype", 60),
        any("sectors"),
        any("sectorsize"),
        any("support_discard"),
        s("model", 100),
        s("host", 250),
        any("holders"),
        s("migration_id", 100),
        s("image_id", 100),
        s("project_id", 100),
        s("service", 100),
        any("droplets_ids"),
        s("storage_account_type", 100),
        boolean("write_accelerator_enabled"),
        any("vhd"),
        any("diff_disk_settings"),
        s("create_option", 100),
        any("attachments"),
        Field::new("servers", Ty::Ref(&ATTACHED_TO)).doc("Servers the volume is attached to."),
        TAGS,
    ],
};

pub static SNAPSHOT: KindSchema = KindSchema {
    kind: Kind::Snapshot,
    name: "snapshot",
    label: "Snapshot",
    global: false,
    doc: "A volume snapshot.",
    fields: &[
        name(3, 30),
        s("volume_id", 100),
        num("volume_size"),
        num("size").indexed(),
        s("snapshot_id", 100),
        s("state", 60),
        s("status", 60).indexed(),
        s("progress", 20),
        boolean("encrypted"),
        s("kms_key_id", 250),
        s("description", 300),
        s("data_encryption_key_id", 250),
        s("owner_id", 100),
        s("owner_alias", 100),
        s("start_time", 40),
        s("state_message", 500),
        s("project_id", 100),
        s("service", 100),
        num("min_disk_size"),
        boolean("public"),
        s("type", 60),
        DATACENTERS,
        UNIQUE_ID,
        TAGS,
    ],
};

pub static IMAGE: KindSchema = KindSchema {
    kind: Kind::Image,
    name: "image",
    label: "Image",
    global: false,
    doc: "A machine image (AMI, Glance image).",
    fields: &[
        name(3, 120),
        s("image_type", 60),
        s("image_location", 500),
        s("plataform", 60).doc("Platform (spelling kept from the original)."),
        any("storage"),
        s("state", 60),
        s("status", 60).indexed(),
        s("hypervisor", 60),
        s("root_device_type", 60),
        s("distribution", 100),
        s("slug", 100),
        s("region", 100),
        boolean("public"),
        num("min_disk_size"),
        s("type", 60),
        num("size"),
        DATACENTERS,
        UNIQUE_ID,
        TAGS,
    ],
};

pub static FLAVOR: KindSchema = KindSchema {
    kind: Kind::Flavor,
    name: "flavor",
    label: "Flavor",
    global: false,
    doc: "An instance type or flavor with its CPU and memory.",
    fields: &[
        name(3, 30),
        s("api_name", 100).indexed().search(),
        s("provider", 60).indexed(),
        DATACENTERS,
        UNIQUE_ID,
        num("memory").indexed().doc("Memory in GB."),
        num("vcpus").indexed(),
        num("disk"),
        num("ephemeral"),
        num("swap"),
        num("rxtx_factor"),
        boolean("is_public"),
        s("service", 100),
        any("linux_on_demand_cost"),
        any("linux_reserved_cost"),
        any("windows_on_demand_cost"),
        any("windows_reserved_cost"),
        any("network_performance"),
        any("storage"),
        TAGS,
    ],
};

pub static SERVICE: KindSchema = KindSchema {
    kind: Kind::Service,
    name: "service",
    label: "Service",
    global: true,
    doc: "An entry of the services catalog: software or a managed service, with its families.",
    fields: &[
        Field::new("name", Ty::Str { min: 1, max: 180 })
            .required()
            .indexed()
            .search(),
        Field::new(
            "family",
            Ty::List {
                item: &Ty::Enum(APPLICATION_FAMILIES),
                max: 26,
                unique_by: Some(""),
            },
        )
        .required(),
        DESCRIPTION,
        Field::new(
            "tags",
            Ty::List {
                item: &Ty::Str { min: 1, max: 32 },
                max: 50,
                unique_by: None,
            },
        )
        .search(),
        boolean("owner").doc("Managed by a cloud vendor."),
    ],
};

pub static CONNECTION: KindSchema = KindSchema {
    kind: Kind::Connection,
    name: "connection",
    label: "Connection",
    global: false,
    doc: "Access to a cloud account that discovery crawls (credentials are never returned).",
    fields: &[
        Field::new("name", Ty::Str { min: 1, max: 250 })
            .required()
            .indexed()
            .search(),
        Field::new("provider", Ty::Enum(&["aws", "openstack"]))
            .required()
            .indexed(),
        Field::new("datacenter", Ty::Ref(&CONNECTS)).required(),
        Field::new("credentials", Ty::AnyObject)
            .secret()
            .doc("AWS: access_key_id, secret_access_key, optional session_token or role_arn (with external_id); OpenStack: username, password (and domain_name), or application_credential_id and application_credential_secret. Encrypted at rest, never returned."),
        strings("regions"),
        Field::new("auth_url", Ty::Url).doc("OpenStack Keystone URL."),
        s("project_id", 100),
        s("user_domain_id", 100),
        s("api_version", 5),
        Field::new("endpoint_url", Ty::Url).doc("Override of the provider endpoint."),
        Field::new("status", Ty::Enum(&["enabled", "disabled"])).default("enabled"),
        TAGS,
    ],
};
