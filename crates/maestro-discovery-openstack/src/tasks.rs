//! The tasks the OpenStack provider offers: names, labels, the original's default intervals and
//! the policies (API permissions) each one needs.

use maestro_discovery::TaskInfo;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Every task, in the order the original listed them.
pub static TASKS: &[TaskInfo] = &[
    TaskInfo {
        name: "server-list",
        label: "Servers (Nova)",
        permissions: &[
            "keystone: a project-scoped token (reader or member role)",
            "compute: os_compute_api:servers:detail",
            "compute: GET /flavors/{id} (only for servers without embedded flavor details)",
        ],
        default_every_seconds: 5 * MINUTE,
    },
    TaskInfo {
        name: "loadbalance-list",
        label: "Load balancers (Octavia)",
        permissions: &[
            "load-balancer: os_load-balancer_api:loadbalancer:get_all",
            "load-balancer: os_load-balancer_api:listener:get_all",
            "load-balancer: os_load-balancer_api:pool:get_all",
            "load-balancer: os_load-balancer_api:member:get_all",
            "network: get_port (to find the servers behind pool members)",
        ],
        default_every_seconds: 6 * HOUR,
    },
    TaskInfo {
        name: "volumes-list",
        label: "Volumes (Cinder)",
        permissions: &["volume: volume:get_all"],
        default_every_seconds: 6 * HOUR,
    },
    TaskInfo {
        name: "snapshot-list",
        label: "Volume snapshots (Cinder)",
        permissions: &["volume: volume:get_all_snapshots"],
        default_every_seconds: 14 * DAY,
    },
    TaskInfo {
        name: "images-list",
        label: "Images (Glance)",
        permissions: &["image: get_images"],
        default_every_seconds: 14 * DAY,
    },
    TaskInfo {
        name: "security-list",
        label: "Security groups (Neutron)",
        permissions: &["network: get_security_group"],
        default_every_seconds: 6 * HOUR,
    },
    TaskInfo {
        name: "flavor-list",
        label: "Flavors (Nova)",
        permissions: &["compute: GET /flavors/detail (any project member)"],
        default_every_seconds: 14 * DAY,
    },
    TaskInfo {
        name: "network-list",
        label: "Networks, subnets, ports and routers (Neutron)",
        permissions: &[
            "network: get_network",
            "network: get_subnet",
            "network: get_port",
            "network: get_router",
        ],
        default_every_seconds: 7 * DAY,
    },
];

/// A task, parsed from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Servers,
    Loadbalancers,
    Volumes,
    Snapshots,
    Images,
    SecurityGroups,
    Flavors,
    Networks,
}

impl Task {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "server-list" => Task::Servers,
            "loadbalance-list" => Task::Loadbalancers,
            "volumes-list" => Task::Volumes,
            "snapshot-list" => Task::Snapshots,
            "images-list" => Task::Images,
            "security-list" => Task::SecurityGroups,
            "flavor-list" => Task::Flavors,
            "network-list" => Task::Networks,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_parses_and_has_permissions() {
        assert_eq!(TASKS.len(), 8);
        for t in TASKS {
            assert!(Task::parse(t.name).is_some(), "{}", t.name);
            assert!(!t.permissions.is_empty());
            assert!(t.default_every_seconds >= 300);
        }
        assert_eq!(Task::parse("dbs-list"), None);
    }
}
