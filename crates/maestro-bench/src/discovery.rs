//! Discovery benchmarks: reconcile throughput (history included) with a zero-latency in-memory
//! provider, memory while syncing, and — against moto — a full sync compared with only paging
//! through the same API responses.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use maestro_core::discovery::{Discovery, SyncReporter};
use maestro_core::secrets::SecretBox;
use maestro_core::{Caller, Core, CoreConfig, Source, SystemClock};
use maestro_discovery::{
    Account, Observation, ObservationSink, Provider, ProviderError, TaskInfo, TaskStats,
};
use maestro_model::schema::Collection;
use maestro_store::Db;
use serde_json::json;

use crate::cpu::Cpu;

const PAGE: u64 = 500;

/// Lists `n` servers from memory; `generation` changes a tenth of them.
struct MemProvider {
    n: u64,
    generation: AtomicU64,
}

static TASKS: &[TaskInfo] = &[TaskInfo {
    name: "server-list",
    label: "Servers",
    permissions: &[],
    default_every_seconds: 300,
}];

#[async_trait]
impl Provider for MemProvider {
    fn name(&self) -> &'static str {
        "aws"
    }
    fn tasks(&self) -> &'static [TaskInfo] {
        TASKS
    }
    async fn run(
        &self,
        _: &Account,
        region: &str,
        _: &str,
        sink: &mut dyn ObservationSink,
    ) -> Result<TaskStats, ProviderError> {
        let generation = self.generation.load(Ordering::Relaxed);
        let mut stats = TaskStats::default();
        let mut start = 0;
        while start < self.n {
            let page: Vec<Observation> = (start..(start + PAGE).min(self.n))
                .map(|i| {
                    let cpu = if generation > 0 && i % 10 == 0 { 8 } else { 2 + (i % 3) * 2 };
                    Observation {
                        collection: Collection::Servers,
                        provider_id: format!("i-{i:017x}"),
                        fields: json!({
                            "name": format!("node-{i}"), "hostname": format!("ip-10-{}-{}-{}.ec2.internal", (i >> 16) & 255, (i >> 8) & 255, i & 255),
                            "ipv4_private": format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255),
                            "cpu": cpu, "memory": cpu * 4, "status": "Active", "os": {"base": "Linux"},
                            "datacenters": {"provider": "AWS", "region": region, "zone": format!("{region}a"), "instance": "m5.large", "instance_id": format!("i-{i:017x}")},
                            "tags": [{"key": "team", "value": format!("t{}", i % 20)}],
                        })
                        .as_object_mut()
                        .map(std::mem::take)
                        .unwrap_or_default(),
                        refs: Vec::new(),
                        active: true,
                    }
                })
                .collect();
            stats.observed += page.len() as u64;
            stats.pages += 1;
            sink.accept(page).await.map_err(ProviderError::Other)?;
            start += PAGE;
        }
        Ok(stats)
    }
}

struct Quiet;
#[async_trait]
impl SyncReporter for Quiet {
    async fn progress(&self, _: u8) {}
    async fn log(&self, _: &str, _: String) {}
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn open(url: &str) -> anyhow::Result<Core> {
    let db = Db::connect(url, 16).await?;
    db.migrate().await?;
    // Live events wired as `maestro serve` wires them: every change is announced.
    let bus = maestro_core::jobs::Bus::default();
    db.relay_events(&bus).await?;
    let core = Core::new(Arc::new(db), Arc::new(SystemClock), CoreConfig::default())
        .await?
        .with_events(Arc::new(bus))
        .with_secrets(SecretBox::from_hex(&SecretBox::generate_key())?)
        .await?;
    core.seed().await?;
    Ok(core)
}

async fn connection(
    core: &Core,
    endpoint: Option<&str>,
) -> anyhow::Result<maestro_model::EntityId> {
    let admin = Caller::system(Source::Api);
    let dc = core
        .create_entity(
            &admin,
            Collection::Datacenters,
            &json!({"name": "bench dc", "provider": "AWS"}),
        )
        .await?;
    let conn = core
        .create_entity(&admin, Collection::Connections, &json!({"name": "bench", "provider": "aws", "datacenter": dc.entity["id"],
            "regions": ["us-east-1"], "endpoint_url": endpoint, "credentials": {"access_key_id": "testing", "secret_access_key": "testing"}}))
        .await?;
    Ok(conn.entity["id"].as_str().unwrap_or_default().parse()?)
}

/// Reconcile throughput and memory with the in-memory provider.
pub async fn run(url: &str, resources: u64) -> anyhow::Result<()> {
    let core = open(url).await?;
    let conn = connection(&core, None).await?;
    let provider = Arc::new(MemProvider {
        n: resources,
        generation: AtomicU64::new(0),
    });
    let discovery = Discovery::new(core.clone(), vec![provider.clone()]);
    println!("# discovery reconcile: {resources} servers, pages of {PAGE}");
    println!();
    let postgres = url.starts_with("postgres");
    println!("| sync | time | resources/s | CPU of this process | CPU of PostgreSQL | RSS after |");
    println!("|---|---|---|---|---|---|");
    let rss0 = rss_mb();
    for (label, generation) in [
        ("first (all created, with history)", 0),
        ("second (nothing changed)", 0),
        ("third (10 % changed)", 1),
    ] {
        provider.generation.store(generation, Ordering::Relaxed);
        let cpu = Cpu::now();
        let start = Instant::now();
        let report = discovery.sync(conn, None, &Quiet).await?;
        let secs = start.elapsed().as_secs_f64();
        anyhow::ensure!(
            report.tasks[0].state == "success",
            "sync failed: {:?}",
            report.tasks[0]
        );
        let used = Cpu::now().since(cpu);
        // Per resource, so machines and runs compare; PostgreSQL's only when it is local.
        let per = |secs: f64| format!("{secs:.2} s, {:.0} µs each", secs * 1e6 / resources as f64);
        let database = match postgres {
            true if used.postgres > 0.0 => per(used.postgres),
            true => "not measured (not on this machine)".into(),
            false => "(in this process)".into(),
        };
        println!(
            "| {label} | {secs:.2} s | {:.0} | {} | {database} | {:.0} MB |",
            resources as f64 / secs,
            per(used.own),
            rss_mb()
        );
    }
    println!();
    println!("RSS before the first sync: {rss0:.0} MB");
    Ok(())
}

struct Counting(u64);
#[async_trait]
impl ObservationSink for Counting {
    async fn accept(&mut self, page: Vec<Observation>) -> Result<(), String> {
        self.0 += page.len() as u64;
        Ok(())
    }
}

/// Against moto: paging only vs a full sync of `server-list`.
pub async fn moto(url: &str, endpoint: &str) -> anyhow::Result<()> {
    let core = open(url).await?;
    let conn = connection(&core, Some(endpoint)).await?;
    let provider = Arc::new(maestro_discovery_aws::AwsProvider::new());
    let account = Account {
        connection_id: conn.to_string(),
        provider: "aws".into(),
        regions: vec!["us-east-1".into()],
        credentials: json!({"access_key_id": "testing", "secret_access_key": "testing"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        auth_url: None,
        project_id: None,
        user_domain_id: None,
        api_version: None,
        endpoint_url: Some(endpoint.to_owned()),
    };
    let mut paging = Vec::new();
    let mut counted = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let mut sink = Counting(0);
        provider
            .run(&account, "us-east-1", "server-list", &mut sink)
            .await?;
        paging.push(start.elapsed().as_secs_f64());
        counted = sink.0;
    }
    let discovery = Discovery::new(core.clone(), vec![provider]);
    let mut syncs = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        discovery.sync(conn, Some("server-list"), &Quiet).await?;
        syncs.push(start.elapsed().as_secs_f64());
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!("# discovery against moto ({endpoint}): server-list, {counted} instances");
    println!();
    println!("| measure | best of 3 |");
    println!("|---|---|");
    println!(
        "| paging through the API responses only | {:.3} s |",
        best(&paging)
    );
    println!(
        "| full sync (first run creates, later runs compare) | first {:.3} s, best {:.3} s |",
        syncs[0],
        best(&syncs[1..])
    );
    println!(
        "| ratio (best sync / best paging) | {:.2} |",
        best(&syncs[1..]) / best(&paging)
    );
    Ok(())
}
