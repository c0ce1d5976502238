//! Servers: hosts with their operating system, storage, access methods, running services and
//! placement (reference §1.2).

use super::common::{AUTH, DATACENTERS, RUN_STATUS, TAGS, UNIQUE_ID};
use super::ty::{Field, RefSpec, Ty, any, boolean, obj, s, strings};
use super::{Kind, KindSchema};

const CPU_MEM: Ty = Ty::Num {
    min: 0.0,
    max: 1024.0,
    above_min: true,
};

const STORAGE: Field = Field::new(
    "storage",
    Ty::List {
        item: &Ty::Object {
            fields: &[
                s("name", 100),
                s("device_name", 100),
                Field::new(
                    "size",
                    Ty::Num {
                        min: 0.0,
                        max: 99924.0,
                        above_min: true,
                    },
                )
                .doc("Size in GB."),
                boolean("root").doc("The root device."),
                s("status", 30),
                s("volume_id", 100),
                Field::new("unique_id", Ty::Scalar),
                s("attach_time", 40),
                s("mount", 100).doc("Mount path."),
                s("ftype", 100).doc("File system type (ext4, xfs, ntfs…)."),
                boolean("lvm").doc("Managed by LVM."),
                s("pv", 100).doc("LVM physical volume."),
                s("vg", 100).doc("LVM volume group."),
                s("storage_account_type", 100),
                boolean("write_accelerator_enabled"),
                s("create_option", 100),
                any("vhd"),
                any("diff_disk_settings"),
                boolean("delete_termination"),
                any("partitions"),
                any("mounts"),
                boolean("attached").doc("Network-attached (true) or built-in (false)."),
            ],
            open: false,
        },
        max: 256,
        unique_by: Some("name"),
    },
)
.doc("Volumes and disks with mount path, file system and LVM details.");

const SERVICES: Field = Field::new(
    "services",
    Ty::List {
        item: &Ty::Object {
            fields: &[
                s("name", 180).required().search(),
                Field::new("status", Ty::Enum(RUN_STATUS)),
                s("version", 60),
                obj("configs"),
                obj("setup"),
            ],
            open: false,
        },
        max: 256,
        unique_by: None,
    },
)
.doc("Software running on the server (names from the services catalog).");

const HOSTED_APPS: RefSpec = RefSpec {
    rel: "hosted_on",
    target: Kind::Application,
    many: true,
    inverse: true,
    attrs: &[],
    attrs_with_id: &[Field::new("id", Ty::Str { min: 0, max: 36 })],
};

pub static SERVER: KindSchema = KindSchema {
    kind: Kind::Server,
    name: "server",
    label: "Server",
    global: false,
    doc: "A physical or virtual host.",
    fields: &[
        Field::new("name", Ty::Str { min: 1, max: 100 })
            .required()
            .indexed()
            .search()
            .doc("Display name; defaults to the hostname."),
        s("hostname", 100).indexed().search().warn_duplicate(),
        Field::new("ipv4_private", Ty::Ip)
            .indexed()
            .search()
            .warn_duplicate(),
        Field::new("ipv4_public", Ty::Ip).indexed().search(),
        Field::new(
            "os",
            Ty::Object {
                fields: &[
                    s("base", 40)
                        .indexed()
                        .doc("Linux, Windows, Solaris, FreeBSD, MacOS."),
                    s("dist", 40).indexed(),
                    s("version", 40),
                    s("file_path", 250),
                    s("variety", 60),
                    s("major_version", 40),
                ],
                open: false,
            },
        ),
        Field::new("cpu", CPU_MEM).indexed().doc("vCPUs."),
        Field::new("memory", CPU_MEM).indexed().doc("Memory in GB."),
        s("role", 60)
            .indexed()
            .doc("Application, Cache, Container, Database, File, Loadbalance, …"),
        s("environment", 60)
            .indexed()
            .doc("Production, Staging, Development, UTA, Training, SandBox."),
        Field::new("status", Ty::Enum(RUN_STATUS))
            .indexed()
            .default("Active"),
        STORAGE,
        SERVICES,
        AUTH,
        TAGS,
        Field::new("applications", Ty::Ref(&HOSTED_APPS))
            .doc("Applications, databases and other services deployed on this server."),
        DATACENTERS,
        UNIQUE_ID,
        s("dns_public", 250).search(),
        s("dns_private", 250).search(),
        obj("image"),
        strings("backup_ids"),
        s("next_backup_window", 100),
        strings("snapshot_ids"),
        any("network_interface"),
        any("devices"),
        any("env_vars"),
        any("dns"),
        any("network_lo"),
        any("ipv4_all"),
        any("ipv6_all"),
        s("service_mgr", 60),
        s("pkg_mgr", 60),
        obj("metas").doc("Provider details such as security groups and instance profile."),
        s("checksum", 100),
        boolean("ebs_optimized"),
    ],
};
