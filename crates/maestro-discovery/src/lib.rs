//! The discovery contract. A [`Provider`] (AWS, OpenStack, …) lists one task's resources in one
//! region and hands them over page by page as [`Observation`]s already shaped like Maestro
//! entities. Providers only observe: reconciling observations into the inventory (matching by
//! provider id, history, deactivating what vanished from a *complete* listing) is the domain's
//! job, so every provider gets it right the same way.

use std::time::Duration;

use async_trait::async_trait;
use maestro_model::schema::Collection;
use serde::Serialize;
use serde_json::{Map, Value};

/// One cloud resource as Maestro will store it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Where it belongs: `Servers`, `Loadbalancers`, `Databases`, `Resources` (with a `family`
    /// field), `Volumes`, `Snapshots`, `Images`, `Networks` (with a `family`), `Flavors`.
    pub collection: Collection,
    /// The provider's own id (instance id, ARN, UUID): the identity discovery matches on.
    pub provider_id: String,
    /// Fields by their Maestro names (`name`, `hostname`, `ipv4_private`, `datacenters`, …).
    /// A record without a name gets its provider id as name.
    pub fields: Map<String, Value>,
    /// References to other resources of the same connection, by provider id.
    pub refs: Vec<ObservedRef>,
    /// False for resources the provider reports as going away (terminated instances…).
    pub active: bool,
}

/// A relation the provider knows, e.g. a load balancer's `targets` → an instance id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedRef {
    /// The reference field of the observing entity (`targets`, `servers`, `applications`).
    pub field: String,
    /// The provider id of the related resource.
    pub provider_id: String,
}

/// What a provider needs to reach an account (credentials opened for this run only).
#[derive(Clone)]
pub struct Account {
    pub connection_id: String,
    pub provider: String,
    pub regions: Vec<String>,
    /// AWS: access_key_id, secret_access_key, session_token, role_arn, external_id.
    /// OpenStack: username, password (or application credential), domain_name.
    pub credentials: Map<String, Value>,
    pub auth_url: Option<String>,
    pub project_id: Option<String>,
    pub user_domain_id: Option<String>,
    pub api_version: Option<String>,
    /// Endpoint override (an AWS-compatible endpoint, a private cloud).
    pub endpoint_url: Option<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials are never printed.
        f.debug_struct("Account")
            .field("connection_id", &self.connection_id)
            .field("provider", &self.provider)
            .field("regions", &self.regions)
            .field("auth_url", &self.auth_url)
            .field("project_id", &self.project_id)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

/// A task a provider offers (`server-list`, `network-list`, …).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TaskInfo {
    pub name: &'static str,
    pub label: &'static str,
    /// The read permissions it needs (e.g. `ec2:DescribeInstances`), shown to users.
    pub permissions: &'static [&'static str],
    /// The original's default interval between runs.
    pub default_every_seconds: u64,
}

/// Why a listing failed. Any failure means the listing is incomplete: nothing is deactivated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The credentials lack a permission (HTTP 403, AccessDenied…).
    #[error("permission denied: {action} is needed ({message})")]
    Permission { action: String, message: String },
    /// The credentials were refused.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Still throttled after retries.
    #[error("throttled by the provider: {0}")]
    Throttled(String),
    /// The provider could not be reached (connection refused, DNS, timeout) after retries:
    /// the other tasks of the sync would wait as long for the same answer.
    #[error("cannot reach the provider: {0}")]
    Unreachable(String),
    /// Answered something unexpected, or failed otherwise.
    #[error("{0}")]
    Other(String),
}

/// Receives observations page by page while a task runs, so memory stays flat.
#[async_trait]
pub trait ObservationSink: Send {
    async fn accept(&mut self, page: Vec<Observation>) -> Result<(), String>;
}

/// Counts from one task run in one region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TaskStats {
    pub observed: u64,
    pub pages: u64,
}

/// A cloud provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// `aws`, `openstack` — the `provider` of a connection.
    fn name(&self) -> &'static str;
    fn tasks(&self) -> &'static [TaskInfo];
    /// Lists `task` in `region` to the end (every page), retrying throttling with backoff.
    /// Returning `Ok` means the listing was complete.
    async fn run(
        &self,
        account: &Account,
        region: &str,
        task: &str,
        sink: &mut dyn ObservationSink,
    ) -> Result<TaskStats, ProviderError>;
}

/// Backoff before retry `attempt` (0-based) of a throttled call: 200 ms doubling, capped at 10 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((200u64 << attempt.min(6)).min(10_000))
}
