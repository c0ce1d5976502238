//! The OpenStack discovery provider. It logs in to Keystone v3 (password or application
//! credential, project-scoped), takes each service's public endpoint for the run's region from
//! the token's catalog, pages through Nova, Neutron, Cinder, Glance and Octavia listings with
//! `limit`/`marker`, and hands Maestro-shaped [`Observation`](maestro_discovery::Observation)s to
//! the sink page by page. It only observes: reconciling is the core's job.
//!
//! Built on plain `reqwest` with typed, lenient serde records (see `docs/ARCHITECTURE.md`).
//! With the `fake` feature, [`fake::FakeOpenStack`] serves the official API samples for tests.

mod api;
mod auth;
mod catalog;
pub mod map;
mod pager;
mod run;
mod tasks;

#[cfg(feature = "fake")]
pub mod fake;

use std::time::Duration;

use async_trait::async_trait;
use maestro_discovery::{Account, ObservationSink, Provider, ProviderError, TaskInfo, TaskStats};

pub use tasks::TASKS;

/// Items asked per page (the original's 200; services clamp it to their own maximum).
pub const PAGE_LIMIT: u32 = 200;

/// The `openstack` provider.
#[derive(Debug, Clone)]
pub struct OpenStackProvider {
    http: reqwest::Client,
    page_limit: u32,
}

impl OpenStackProvider {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!(
                "maestro-discovery-openstack/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .unwrap_or_default();
        OpenStackProvider {
            http,
            page_limit: PAGE_LIMIT,
        }
    }

    /// Asks `limit` items per page instead of [`PAGE_LIMIT`] (at least 1).
    pub fn with_page_limit(mut self, limit: u32) -> Self {
        self.page_limit = limit.max(1);
        self
    }
}

impl Default for OpenStackProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Provider for OpenStackProvider {
    fn name(&self) -> &'static str {
        "openstack"
    }

    fn tasks(&self) -> &'static [TaskInfo] {
        TASKS
    }

    async fn run(
        &self,
        account: &Account,
        region: &str,
        task: &str,
        sink: &mut dyn ObservationSink,
    ) -> Result<TaskStats, ProviderError> {
        let Some(parsed) = tasks::Task::parse(task) else {
            return Err(ProviderError::Other(format!(
                "the openstack provider has no task {task:?}"
            )));
        };
        let api = api::Api::connect(self.http.clone(), account, region).await?;
        let mut run = run::Run {
            api: &api,
            sink,
            limit: self.page_limit,
            stats: TaskStats::default(),
        };
        let result = run.task(parsed).await;
        let stats = run.stats;
        match &result {
            Ok(()) => tracing::debug!(
                connection = %account.connection_id, region = api.region(), task,
                observed = stats.observed, pages = stats.pages, "openstack listing complete"
            ),
            Err(e) => tracing::warn!(
                connection = %account.connection_id, region = api.region(), task,
                error = %e, "openstack listing failed"
            ),
        }
        result.map(|()| stats)
    }
}
