//! Discovery on the domain side: connections' accounts are listed by providers (AWS, OpenStack)
//! and the observations reconciled into the inventory, task by task and region by region, with
//! each task's status kept for the user to see.

mod acl;
mod mapping;
mod module;
mod reconcile;
mod service;
mod sync;

use maestro_discovery::TaskInfo;
use maestro_model::EntityId;
use serde_json::{Value, json};

pub use reconcile::{PageOutcome, ReconcileStats};
pub use service::DiscoveryService;
pub use sync::{Discovery, SyncReport, SyncReporter};

use crate::caller::{Caller, Principal};
use crate::ports::AclRow;

/// One sync run of one connection: who the entities belong to and how changes are attributed.
#[derive(Debug, Clone)]
pub struct SyncRun {
    pub connection_id: EntityId,
    pub run_id: String,
    /// The owner of what discovery creates: the connection's owner (a user or a team).
    pub owner: Principal,
    /// The connection's grants, copied onto what discovery creates (the "ACL template").
    pub grants: Vec<AclRow>,
    /// Acts with full visibility, source `discovery`, named after the connection.
    pub caller: Caller,
    /// The connection's datacenter: discovered entities are placed in it (`datacenters.id`).
    pub datacenter: Option<EntityId>,
}

/// The read-only IAM policy `tasks` need: every permission once, sorted.
pub fn iam_policy(tasks: &[TaskInfo]) -> Value {
    let mut actions: Vec<&str> = tasks
        .iter()
        .flat_map(|t| t.permissions.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "MaestroReadOnly",
        "Effect": "Allow", "Action": actions, "Resource": "*"}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lists_each_permission_once() {
        let task = |name, permissions| TaskInfo {
            name,
            label: name,
            permissions,
            default_every_seconds: 60,
        };
        let tasks = [
            task("a", &["ec2:DescribeInstances", "ec2:DescribeImages"][..]),
            task("b", &["ec2:DescribeInstances"][..]),
        ];
        let p = iam_policy(&tasks);
        assert_eq!(
            p["Statement"][0]["Action"],
            json!(["ec2:DescribeImages", "ec2:DescribeInstances"])
        );
        assert_eq!(p["Statement"][0]["Effect"], "Allow");
    }
}
