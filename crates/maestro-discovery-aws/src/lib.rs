//! The AWS discovery provider: lists EC2 instances, load balancers, RDS, S3, EBS, CloudFront,
//! snapshots, images, security groups and VPC networking with the official AWS SDK for Rust and
//! hands them to the core page by page as [`Observation`](maestro_discovery::Observation)s.
//! It only observes: matching, history and deactivation are the core's.
//!
//! Credentials come only from the connection (`access_key_id`/`secret_access_key`/
//! `session_token`, optionally a `role_arn` + `external_id` assumed through STS) — never the
//! SDK's default chain (the host's environment or instance profile). The endpoint is the connection's
//! `endpoint_url`, else the SDK's standard settings (`AWS_ENDPOINT_URL`, …).

mod cdn;
mod check;
mod client;
mod databases;
mod elb_classic;
mod elbv2;
mod emit;
mod error;
mod images;
mod instance_types;
mod json;
mod network;
mod pages;
mod security;
mod servers;
mod snapshots;
mod storage;
mod tasks;
mod volumes;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use maestro_discovery::{Account, ObservationSink, Provider, ProviderError, TaskInfo, TaskStats};

pub use check::check_observation;
pub use tasks::{GLOBAL_TASKS, TASKS};

/// The original's page size (`MaxResults=200`), clamped to each API's own limits.
const DEFAULT_PAGE_SIZE: i32 = 200;

/// The AWS provider. Holds no per-run state: regions may run in parallel.
#[derive(Debug, Clone)]
pub struct AwsProvider {
    page_size: i32,
}

impl Default for AwsProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl AwsProvider {
    pub fn new() -> Self {
        Self {
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Items asked per page (clamped to what each API accepts); smaller pages mean more
    /// requests. Tests use it to cross page boundaries with few resources.
    pub fn with_page_size(mut self, page_size: i32) -> Self {
        self.page_size = page_size.max(1);
        self
    }
}

/// `us-east-1 (N. Virginia)` → `us-east-1`, as the original cut region labels.
fn region_code(region: &str) -> &str {
    region.split_whitespace().next().unwrap_or_default()
}

/// Whether a global task (S3, CloudFront) lists in this region: only the account's first.
fn lists_globals_in(account: &Account, region: &str) -> bool {
    account
        .regions
        .first()
        .is_none_or(|first| region_code(first) == region)
}

#[async_trait]
impl Provider for AwsProvider {
    fn name(&self) -> &'static str {
        "aws"
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
        let region = region_code(region);
        if region.is_empty() {
            return Err(ProviderError::Other("no region given".into()));
        }
        if !TASKS.iter().any(|t| t.name == task) {
            return Err(ProviderError::Other(format!("unknown AWS task {task:?}")));
        }
        let mut out = emit::Emitter::new(sink);
        if GLOBAL_TASKS.contains(&task) && !lists_globals_in(account, region) {
            // Listed once, under the first region: a complete, empty listing here.
            return Ok(out.stats);
        }
        let config = client::sdk_config(account, region).await?;
        let n = self.page_size;
        let started = std::time::Instant::now();
        match task {
            "server-list" => servers::run(&client::ec2(&config), region, n, &mut out).await?,
            "loadbalance-list" => {
                elbv2::run(&client::elbv2(&config), region, n, &mut out).await?;
                elb_classic::run(&client::elb(&config), region, n, &mut out).await?;
            }
            "dbs-list" => databases::run(&client::rds(&config), region, n, &mut out).await?,
            "storage-object-list" => {
                let custom = client::custom_endpoint(account, &config);
                storage::run(&client::s3(account, &config), region, custom, &mut out).await?
            }
            "volumes-list" => volumes::run(&client::ec2(&config), region, n, &mut out).await?,
            "cdns-list" => cdn::run(&client::cloudfront(&config), region, n, &mut out).await?,
            "snapshot-list" => snapshots::run(&client::ec2(&config), region, n, &mut out).await?,
            "images-list" => images::run(&client::ec2(&config), region, n, &mut out).await?,
            "security-list" => security::run(&client::ec2(&config), region, n, &mut out).await?,
            "network-list" => network::run(&client::ec2(&config), region, n, &mut out).await?,
            other => return Err(ProviderError::Other(format!("unknown AWS task {other:?}"))),
        }
        tracing::debug!(
            connection = %account.connection_id,
            region,
            task,
            observed = out.stats.observed,
            pages = out.stats.pages,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "AWS listing complete"
        );
        Ok(out.stats)
    }
}
