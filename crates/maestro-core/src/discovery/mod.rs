//! Discovery on the domain side: connections' accounts are listed by providers (AWS, OpenStack)
//! and the observations reconciled into the inventory, task by task and region by region, with
//! each task's status kept for the user to see.

mod mapping;
mod module;
mod reconcile;
mod service;
mod sync;

use maestro_model::EntityId;

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
