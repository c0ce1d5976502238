//! Running a connection's tasks: credentials opened for the run only, regions in parallel with
//! bounded concurrency, pages reconciled as they arrive, scopes closed only after a complete
//! listing, and each task's status (counts, the permission it lacks, duration) recorded.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use futures::StreamExt;
use maestro_discovery::{Account, Observation, ObservationSink, Provider, ProviderError, TaskInfo};
use maestro_model::EntityId;
use maestro_model::schema::Kind;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{PageOutcome, ReconcileStats, SyncRun};
use crate::caller::Access;
use crate::ports::TaskStatus;
use crate::{Caller, Core, CoreError, CoreResult, Source};

/// Regions listed at the same time per task.
const REGION_CONCURRENCY: usize = 4;

/// Where a sync reports progress and log lines (a job, a test).
#[async_trait]
pub trait SyncReporter: Send + Sync {
    async fn progress(&self, percent: u8);
    async fn log(&self, level: &str, message: String);
}

/// What a sync did, per task.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncReport {
    pub run: String,
    pub tasks: Vec<TaskStatus>,
}

/// The discovery service: the domain plus the registered providers.
#[derive(Clone)]
pub struct Discovery {
    pub core: Core,
    providers: Arc<HashMap<&'static str, Arc<dyn Provider>>>,
}

/// Marks the tasks a sync left running as interrupted when the sync is dropped before its end
/// (its job cancelled or timed out).
struct Interrupted {
    core: Core,
    connection: EntityId,
    run_id: String,
    done: bool,
}

impl Drop for Interrupted {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (core, connection, run_id) = (self.core.clone(), self.connection, self.run_id.clone());
        runtime.spawn(async move {
            let Ok(statuses) = core.store.task_statuses(connection).await else {
                return;
            };
            let now = core.now();
            for mut status in statuses {
                if status.state != "running" || status.run_id.as_deref() != Some(run_id.as_str()) {
                    continue;
                }
                status.state = "error".into();
                status.message = Some("interrupted: the sync was cancelled or timed out".into());
                status.duration_ms = status.started_at.map(|s| (now - s).num_milliseconds());
                status.finished_at = Some(now);
                if let Err(e) = core.store.put_task_status(connection, &status).await {
                    tracing::warn!(%connection, error = %e, "cannot mark an interrupted task");
                }
            }
        });
    }
}

/// Why a connection does not sync, if it does not: deleted, or switched off (`status`).
pub(crate) fn not_syncing(rec: &crate::ports::EntityRecord) -> Option<&'static str> {
    if !rec.active {
        Some("the connection is deleted: restore it to sync it")
    } else if rec.data.get("status").and_then(Value::as_str) == Some("disabled") {
        Some("the connection is disabled: set its status to enabled to sync it")
    } else {
        None
    }
}

/// Pages of one listing reconciled at once: the next page is mapped and read while the previous
/// one is written (and a provider with real latency fetches the one after).
const PAGES_IN_FLIGHT: usize = 4;

/// Receives a listing's pages and reconciles them, at most [`PAGES_IN_FLIGHT`] at a time.
struct Sink<'a> {
    core: &'a Core,
    run: Arc<SyncRun>,
    scope: Arc<str>,
    stats: ReconcileStats,
    observed: u64,
    reporter: &'a dyn SyncReporter,
    /// Pages under way; dropping the sink (a failed or cancelled listing) aborts them.
    in_flight: tokio::task::JoinSet<CoreResult<PageOutcome>>,
}

/// A task's status as a run starts it, under that run. A task run on request while switched off
/// stays off.
fn started_status(
    run: &SyncRun,
    info: &TaskInfo,
    previous: Option<&TaskStatus>,
    at: chrono::DateTime<chrono::Utc>,
) -> TaskStatus {
    TaskStatus {
        enabled: previous.is_none_or(|s| s.enabled),
        state: "running".into(),
        run_id: Some(run.run_id.clone()),
        schedule_id: previous.and_then(|s| s.schedule_id.clone()),
        started_at: Some(at),
        ..TaskStatus::never(info.name)
    }
}

/// A page's failure as a task's message: a refused write names its fields (the provider sent
/// something the schema does not take, or the write broke a rule), not only that it was refused.
fn describe(e: &CoreError) -> String {
    match e {
        CoreError::Invalid(fields) => {
            let listed: Vec<String> = fields
                .iter()
                .take(5)
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect();
            let more = fields.len().saturating_sub(listed.len());
            let more = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            format!("the inventory refused a page: {}{more}", listed.join("; "))
        }
        e => e.to_string(),
    }
}

impl Sink<'_> {
    /// Waits for one page under way and adds what it did.
    async fn collect_one(&mut self) -> Result<(), String> {
        let Some(done) = self.in_flight.join_next().await else {
            return Ok(());
        };
        let out = done.map_err(|e| e.to_string())?.map_err(|e| describe(&e))?;
        self.stats.add(out.stats);
        for note in out.notes.into_iter().take(20) {
            self.reporter.log("warn", note).await;
        }
        Ok(())
    }

    /// Waits for every page under way: a listing is complete only once all of it is written.
    async fn finish(&mut self) -> Result<(), String> {
        while !self.in_flight.is_empty() {
            self.collect_one().await?;
        }
        Ok(())
    }
}

#[async_trait]
impl ObservationSink for Sink<'_> {
    async fn accept(&mut self, page: Vec<Observation>) -> Result<(), String> {
        self.observed += page.len() as u64;
        while self.in_flight.len() >= PAGES_IN_FLIGHT {
            self.collect_one().await?;
        }
        let (core, run, scope) = (self.core.clone(), self.run.clone(), self.scope.clone());
        self.in_flight
            .spawn(async move { core.reconcile_page(&run, &scope, &page).await });
        Ok(())
    }
}

impl Discovery {
    pub fn new(core: Core, providers: Vec<Arc<dyn Provider>>) -> Self {
        let providers = providers.into_iter().map(|p| (p.name(), p)).collect();
        Self {
            core,
            providers: Arc::new(providers),
        }
    }

    pub fn provider(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.providers.get(name)
    }

    /// The tasks a provider offers.
    pub fn tasks(&self, provider: &str) -> &'static [TaskInfo] {
        self.providers.get(provider).map_or(&[], |p| p.tasks())
    }

    /// Loads a connection's account (credentials opened here, for this run only).
    async fn account(&self, id: EntityId) -> CoreResult<(crate::ports::EntityRecord, Account)> {
        let rec = self
            .core
            .store
            .entity(&Access::All, id)
            .await?
            .filter(|r| r.kind == Kind::Connection)
            .ok_or_else(|| CoreError::not_found(format!("connection {id}")))?;
        let credentials = self.core.open_credentials(id).await?;
        let text = |k: &str| rec.data.get(k).and_then(Value::as_str).map(str::to_owned);
        let regions: Vec<String> = crate::inventory::regions::names(rec.data.get("regions"))
            .into_iter()
            .map(str::to_owned)
            .collect();
        let account = Account {
            connection_id: id.to_string(),
            provider: text("provider").unwrap_or_default(),
            regions,
            credentials,
            auth_url: text("auth_url"),
            project_id: text("project_id"),
            user_domain_id: text("user_domain_id"),
            api_version: text("api_version"),
            endpoint_url: text("endpoint_url"),
        };
        Ok((rec, account))
    }

    /// Runs `task` (or every enabled task) of a connection to the end.
    pub async fn sync(
        &self,
        connection: EntityId,
        task: Option<&str>,
        reporter: &dyn SyncReporter,
    ) -> CoreResult<SyncReport> {
        let (rec, account) = self.account(connection).await?;
        if let Some(why) = not_syncing(&rec) {
            return Err(CoreError::Conflict(why.into()));
        }
        let provider = self
            .providers
            .get(account.provider.as_str())
            .cloned()
            .ok_or_else(|| {
                CoreError::BadRequest(format!("no provider {:?} is available", account.provider))
            })?;
        let statuses = self.core.store.task_statuses(connection).await?;
        let enabled = |name: &str| {
            statuses
                .iter()
                .find(|s| s.task == name)
                .is_none_or(|s| s.enabled)
        };
        let tasks: Vec<&TaskInfo> = match task {
            // Asked for by name (a schedule someone enabled again, "run now"): a switched-off
            // task still does not run.
            Some(t) if !enabled(t) => {
                return Err(CoreError::Conflict(format!(
                    "the task {t} is switched off: switch it on to sync it"
                )));
            }
            Some(t) => vec![
                provider
                    .tasks()
                    .iter()
                    .find(|i| i.name == t)
                    .ok_or_else(|| {
                        CoreError::invalid("task", format!("{} has no task {t:?}", provider.name()))
                    })?,
            ],
            None => provider
                .tasks()
                .iter()
                .filter(|t| enabled(t.name))
                .collect(),
        };
        let acl = self.core.store.acl(connection).await?;
        let run_id = Uuid::now_v7().to_string();
        let mut caller = Caller::system(Source::Discovery);
        caller.name = format!("Discovery: {}", rec.name);
        caller.context = Some(json!({"connection": connection, "run": run_id}));
        let datacenter = self
            .core
            .store
            .relations(&Access::All, &[connection])
            .await?
            .into_iter()
            .find(|r| r.rel == "discovers" && r.src == connection && r.peer.active)
            .map(|r| r.dst);
        let run = SyncRun {
            connection_id: connection,
            run_id: run_id.clone(),
            owner: rec.owner.clone(),
            grants: acl.into_iter().filter(|r| !r.owner).collect(),
            caller,
            datacenter,
        };
        let mut report = SyncReport {
            run: run_id,
            tasks: Vec::new(),
        };
        // A cancelled job drops this future mid-task: the task it was running must not stay
        // "running" for good.
        let mut interrupted = Interrupted {
            core: self.core.clone(),
            connection,
            run_id: run.run_id.clone(),
            done: false,
        };
        // Set when a task could not reach the provider: the others are not tried (each would
        // wait as long for the same answer — ten tasks against a closed port took minutes).
        let mut unreachable: Option<String> = None;
        for (i, info) in tasks.iter().enumerate() {
            let previous = statuses.iter().find(|s| s.task == info.name);
            let status = match &unreachable {
                Some(reason) => self.not_tried(&run, info, previous, reason).await?,
                None => {
                    let (status, cut_off) = self
                        .run_task(&run, provider.as_ref(), &account, info, previous, reporter)
                        .await?;
                    if cut_off {
                        unreachable = Some(format!(
                            "not tried: {} could not reach the provider",
                            info.name
                        ));
                    }
                    status
                }
            };
            reporter
                .progress((((i + 1) * 100) / tasks.len().max(1)) as u8)
                .await;
            report.tasks.push(status);
        }
        interrupted.done = true;
        Ok(report)
    }

    async fn run_task(
        &self,
        run: &SyncRun,
        provider: &dyn Provider,
        account: &Account,
        info: &TaskInfo,
        previous: Option<&TaskStatus>,
        reporter: &dyn SyncReporter,
    ) -> CoreResult<(TaskStatus, bool)> {
        let started = self.core.now();
        let clock = Instant::now();
        let mut status = started_status(run, info, previous, started);
        self.core
            .store
            .put_task_status(run.connection_id, &status)
            .await?;
        reporter
            .log(
                "info",
                format!("{}: listing {} region(s)", info.name, account.regions.len()),
            )
            .await;
        let shared = Arc::new(run.clone());
        let results = futures::stream::iter(account.regions.clone())
            .map(|region| {
                let shared = shared.clone();
                async move {
                    let scope = format!("{}:{region}:{}", run.connection_id, info.name);
                    let mut sink = Sink {
                        core: &self.core,
                        run: shared,
                        scope: scope.as_str().into(),
                        stats: ReconcileStats::default(),
                        observed: 0,
                        reporter,
                        in_flight: tokio::task::JoinSet::new(),
                    };
                    let mut listed = provider.run(account, &region, info.name, &mut sink).await;
                    // A page that failed to be written leaves the listing incomplete.
                    if let Err(e) = sink.finish().await
                        && listed.is_ok()
                    {
                        listed = Err(ProviderError::Other(e));
                    }
                    // Only a complete listing may deactivate what it did not see.
                    let closed = match &listed {
                        Ok(_) => self
                            .core
                            .finish_scope(run, &scope, started, "missing from a complete listing")
                            .await
                            .map_err(|e| ProviderError::Other(e.to_string())),
                        Err(_) => Ok(0),
                    };
                    (region, listed, closed, sink.stats, sink.observed)
                }
            })
            .buffer_unordered(REGION_CONCURRENCY)
            .collect::<Vec<_>>()
            .await;
        let mut stats = ReconcileStats::default();
        let mut observed = 0;
        let mut errors = Vec::new();
        for (region, listed, closed, s, n) in results {
            stats.add(s);
            observed += n;
            match closed {
                Ok(d) => stats.deactivated += d,
                Err(e) => errors.push((region.clone(), e)),
            }
            if let Err(e) = listed {
                errors.push((region, e));
            }
        }
        for (region, e) in &errors {
            // The server's log too, for whoever watches it rather than the job pages.
            tracing::warn!(connection = %run.connection_id, task = info.name, %region, error = %e,
                "discovery task failed");
            reporter
                .log("error", format!("{} in {region}: {e}", info.name))
                .await;
        }
        stats.deactivated += self
            .close_dropped_regions(run, account, info, reporter)
            .await?;
        status.counts = json!({"observed": observed, "created": stats.created, "updated": stats.updated, "unchanged": stats.unchanged,
            "reactivated": stats.reactivated, "deactivated": stats.deactivated, "skipped": stats.skipped, "regions": account.regions.len()});
        (status.state, status.message, status.permission) = match errors.first() {
            Some((region, ProviderError::Permission { action, .. })) => (
                "error".into(),
                Some(format!(
                    "permission denied in {region}: grant {action} (read-only)"
                )),
                Some(action.clone()),
            ),
            Some((region, e)) => ("error".into(), Some(format!("{region}: {e}")), None),
            None if observed == 0 => ("warning".into(), Some("Empty result".into()), None),
            None => (
                "success".into(),
                Some(if observed == 1 {
                    "1 resource".to_owned()
                } else {
                    format!("{observed} resources")
                }),
                None,
            ),
        };
        let finished = self.core.now();
        status.finished_at = Some(finished);
        status.duration_ms = Some(clock.elapsed().as_millis() as i64);
        self.core
            .store
            .put_task_status(run.connection_id, &status)
            .await?;
        // Every region ended unreachable: the provider is out of reach.
        let unreachable: std::collections::HashSet<&String> = errors
            .iter()
            .filter(|(_, e)| matches!(e, ProviderError::Unreachable(_)))
            .map(|(region, _)| region)
            .collect();
        let cut_off = !unreachable.is_empty() && unreachable.len() >= account.regions.len();
        Ok((status, cut_off))
    }

    /// What the task found in regions the connection no longer lists becomes inactive: nothing
    /// keeps it true any more (removing a region is how a person says so).
    async fn close_dropped_regions(
        &self,
        run: &SyncRun,
        account: &Account,
        info: &TaskInfo,
        reporter: &dyn SyncReporter,
    ) -> CoreResult<u64> {
        let prefix = format!("{}:", run.connection_id);
        let suffix = format!(":{}", info.name);
        let mut total = 0;
        for scope in self.core.store.active_scopes(run.connection_id).await? {
            let Some(region) = scope
                .strip_prefix(&prefix)
                .and_then(|s| s.strip_suffix(&suffix))
            else {
                continue;
            };
            if account.regions.iter().any(|r| r == region) {
                continue;
            }
            let n = self
                .core
                .finish_scope(
                    run,
                    &scope,
                    self.core.now(),
                    "its region is no longer synced by the connection",
                )
                .await?;
            reporter
                .log(
                    "info",
                    format!(
                        "{}: {n} resource(s) of {region}, no longer synced, are now inactive",
                        info.name
                    ),
                )
                .await;
            total += n;
        }
        Ok(total)
    }

    /// The status of a task the sync did not run, and why.
    async fn not_tried(
        &self,
        run: &SyncRun,
        info: &TaskInfo,
        previous: Option<&TaskStatus>,
        reason: &str,
    ) -> CoreResult<TaskStatus> {
        let now = self.core.now();
        let status = TaskStatus {
            state: "error".into(),
            message: Some(reason.to_owned()),
            finished_at: Some(now),
            duration_ms: Some(0),
            ..started_status(run, info, previous, now)
        };
        self.core
            .store
            .put_task_status(run.connection_id, &status)
            .await?;
        Ok(status)
    }
}
