//! The application model: applications and every resource family (databases, load balancers,
//! brokers, caches, CDNs, …) share one kind, told apart by `family` (reference §1.3).

use super::common::{APPLICATION_FAMILIES, DATACENTERS, DESCRIPTION, SIZES, TAGS, UNIQUE_ID};
use super::ty::{Field, RefSpec, Ty, any, obj, s};
use super::{Kind, KindSchema};

const ID: Field = Field::new("id", Ty::Str { min: 0, max: 36 });
const DB: &[&str] = &["Database"];
const LB: &[&str] = &["Loadbalance"];

const DEPENDS_ON: RefSpec = RefSpec {
    rel: "depends_on",
    target: Kind::Application,
    many: true,
    inverse: false,
    attrs: &[s("endpoint", 60).doc("Protocol of the dependency (rest, gRPC, amqp, tcp/ip, …).")],
    attrs_with_id: &[ID, s("endpoint", 60)],
};

const HOSTED_ON: RefSpec = RefSpec {
    rel: "hosted_on",
    target: Kind::Server,
    many: true,
    inverse: false,
    attrs: &[],
    attrs_with_id: &[ID],
};

const TARGETS: RefSpec = RefSpec {
    rel: "targets",
    target: Kind::Server,
    many: true,
    inverse: false,
    attrs: &[],
    attrs_with_id: &[ID],
};

const IN_SYSTEM: RefSpec = RefSpec {
    rel: "contains",
    target: Kind::System,
    many: true,
    inverse: true,
    attrs: &[],
    attrs_with_id: &[ID],
};

pub static APPLICATION: KindSchema = KindSchema {
    kind: Kind::Application,
    name: "application",
    label: "Application",
    global: false,
    doc: "An application or a resource of one of the 26 families.",
    fields: &[
        Field::new("name", Ty::Str { min: 3, max: 150 })
            .required()
            .indexed()
            .search()
            .warn_duplicate(),
        DESCRIPTION,
        Field::new("family", Ty::Enum(APPLICATION_FAMILIES))
            .indexed()
            .default("Application"),
        s("environment", 60).indexed(),
        s("status", 60).indexed().default("Active"),
        Field::new("provider", Ty::Str { min: 0, max: 80 })
            .indexed()
            .doc("Service or vendor, e.g. \"RDS (AWS)\", \"Nginx\"."),
        Field::new("own", Ty::Int { min: 0, max: 1 }).doc("1 when managed by a cloud provider."),
        Field::new("language", Ty::Str { min: 0, max: 80 }).indexed(),
        s("cluster", 100)
            .indexed()
            .doc("No, Master/Slave, Master/Master, 12 Factor, ZooKeeper, Leader election."),
        obj("role").doc("Specification: role, endpoint, path, command, healthcheck, port…"),
        Field::new("size", Ty::Enum(SIZES)),
        s("engine", 100).indexed(),
        s("type", 100),
        s("modal", 100),
        Field::new(
            "deploy",
            Ty::List {
                item: &Ty::Object {
                    fields: &[s("type", 60), s("provider", 60), s("notes", 600)],
                    open: false,
                },
                max: 50,
                unique_by: None,
            },
        ),
        Field::new("deps", Ty::Ref(&DEPENDS_ON)).doc("Applications this one depends on."),
        Field::new("system", Ty::Ref(&IN_SYSTEM)).doc("Systems this application belongs to."),
        Field::new("servers", Ty::Ref(&HOSTED_ON)).doc("Servers it is deployed on."),
        Field::new("targets", Ty::Ref(&TARGETS))
            .families(LB)
            .doc("Servers behind the load balancer."),
        DATACENTERS,
        UNIQUE_ID,
        TAGS,
        // Database specifics (Oracle / MySQL forms).
        any("dataguard").families(DB),
        s("storage_types", 100)
            .families(DB)
            .doc("Default Disk, ASM, ACFS, Thirty Party."),
        Field::new(
            "asm_groups",
            Ty::List {
                item: &Ty::Object {
                    fields: &[
                        s("name", 100),
                        Field::new(
                            "size",
                            Ty::Num {
                                min: 0.0,
                                max: 1e9,
                                above_min: false,
                            },
                        ),
                    ],
                    open: false,
                },
                max: 100,
                unique_by: None,
            },
        )
        .families(DB),
        Field::new(
            "pdbs",
            Ty::List {
                item: &Ty::Object {
                    fields: &[s("name", 100).required()],
                    open: false,
                },
                max: 500,
                unique_by: Some("name"),
            },
        )
        .families(DB)
        .doc("Oracle pluggable databases (CDB/PDB)."),
        s("crs_version", 60).families(DB),
        // Discovery extras.
        any("queues"),
        any("urls"),
        any("cache_behavior"),
        any("cache_nodes"),
        any("domain"),
        any("loadbalance_names"),
        any("instances"),
        any("tables"),
        any("read_status"),
        any("state"),
        any("origins"),
    ],
};
