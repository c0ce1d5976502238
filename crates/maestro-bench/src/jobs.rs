//! The jobs and events benchmark (`--jobs`): job throughput with two workers, scheduling delay
//! of schedules firing every second, and the delivery latency of live events to an SSE client —
//! on PostgreSQL across two "processes" (two pools and buses relayed by LISTEN/NOTIFY).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use maestro_core::caller::Principal;
use maestro_core::events::{Audience, Event, EventSink};
use maestro_core::jobs::model::{JobFilter, JobStatus};
use maestro_core::jobs::scheduler::Scheduler;
use maestro_core::jobs::worker::Worker;
use maestro_core::jobs::{Bus, Jobs, JobsConfig, NewJob, RetryPolicy};
use maestro_core::{Caller, Core, CoreConfig, Source, SystemClock};
use maestro_model::query::PageRequest;
use maestro_store::Db;
use serde_json::json;

use crate::measure::Percentiles;

fn percentiles(mut ms: Vec<f64>) -> Percentiles {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    Percentiles {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

/// One "process": a pool, a bus (relayed on PostgreSQL) and the services over them.
async fn node(url: &str) -> anyhow::Result<Jobs> {
    let db = Db::connect(url, 16).await?;
    db.migrate().await?;
    let bus = Bus::default();
    db.relay_events(&bus).await?;
    let core = Core::new(
        Arc::new(db.clone()),
        Arc::new(SystemClock),
        CoreConfig::default(),
    )
    .await?
    .with_events(Arc::new(bus.clone()));
    Ok(Jobs::new(core, Arc::new(db), bus, JobsConfig::default()))
}

async fn count(jobs: &Jobs, status: JobStatus) -> anyhow::Result<u64> {
    let filter = JobFilter {
        statuses: vec![status],
        ..JobFilter::default()
    };
    let page = PageRequest { page: 1, limit: 1 };
    Ok(jobs.store.list_jobs(&filter, page).await?.1)
}

fn start_workers(jobs: &Jobs, n: usize) -> Vec<tokio::task::JoinHandle<()>> {
    (0..n)
        .map(|_| tokio::spawn(Worker::new(jobs.clone()).run(jobs.closed())))
        .collect()
}

/// Queues `n` trivial jobs, then times two workers draining them; returns (enqueue/s, jobs/s).
async fn throughput(jobs: &Jobs, owner: &Principal, n: u64) -> anyhow::Result<(f64, f64)> {
    let started = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let now = jobs.now();
        let batch = chunk
            .iter()
            .map(|i| {
                let new = NewJob {
                    name: format!("noop {i}"),
                    module: "noop".into(),
                    owner: owner.clone(),
                    params: json!({}),
                    policy: RetryPolicy::default(),
                };
                jobs.job_record(new, None, now, None)
            })
            .collect();
        jobs.enqueue(batch).await?;
    }
    let enqueue_rate = n as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let workers = start_workers(jobs, 2);
    while count(jobs, JobStatus::Succeeded).await? < n {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    jobs.shut_down();
    for w in workers {
        let _ = w.await;
    }
    Ok((enqueue_rate, rate))
}

/// `schedules` schedules firing every second for `secs`: start time minus scheduled time.
async fn scheduling_delay(
    url: &str,
    caller: &Caller,
    schedules: usize,
    secs: u64,
) -> anyhow::Result<Percentiles> {
    let jobs = node(url).await?;
    for i in 0..schedules {
        jobs.create_schedule(
            caller,
            &json!({"name": format!("every second {i}"), "module": "noop",
            "interval": {"every": 1, "period": "seconds"}}),
        )
        .await?;
    }
    let mut tasks = start_workers(&jobs, 2);
    tasks.push(tokio::spawn(
        Scheduler::new(jobs.clone()).run(jobs.closed()),
    ));
    tokio::time::sleep(Duration::from_secs(secs)).await;
    jobs.shut_down();
    for t in tasks {
        let _ = t.await;
    }
    let filter = JobFilter {
        statuses: vec![JobStatus::Succeeded],
        ..JobFilter::default()
    };
    let mut delays = Vec::new();
    let mut page = 1;
    loop {
        let (items, _) = jobs
            .store
            .list_jobs(&filter, PageRequest { page, limit: 500 })
            .await?;
        if items.is_empty() {
            break;
        }
        for j in items {
            if let (Some(due), Some(start)) = (j.scheduled_for, j.started_at) {
                delays.push((start - due).num_microseconds().unwrap_or(0) as f64 / 1000.0);
            }
        }
        page += 1;
    }
    anyhow::ensure!(!delays.is_empty(), "no scheduled run finished");
    println!("  {} scheduled runs measured", delays.len());
    Ok(percentiles(delays))
}

/// Events published on one node, read over SSE from another node's HTTP server.
async fn event_latency(
    url: &str,
    core: &Core,
    user: &Caller,
    samples: usize,
) -> anyhow::Result<Percentiles> {
    // On SQLite (one process) the stream is served by the publishing node itself.
    let sender = node(url).await?;
    let receiver = if url.starts_with("postgres") {
        node(url).await?
    } else {
        sender.clone()
    };
    let router = maestro_http::router(maestro_http::AppState {
        core: receiver.core.clone(),
        version: "bench",
        jobs: Some(receiver.clone()),
        discovery: None,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let token = core
        .login(&json!({"email": "user@bench.test", "password": "bench-password-1"}))
        .await?
        .token;
    let mut res = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/events?types=bench."))
        .bearer_auth(token)
        .send()
        .await?;
    let mut buf = String::new();
    let owner = user.user.context("user")?.uuid();
    let mut ms = Vec::with_capacity(samples);
    // The stream starts with `ready`; every sample waits for its own event.
    for i in 0..=samples {
        let sent = Instant::now();
        if i > 0 {
            sender.bus.publish(Event {
                id: uuid::Uuid::now_v7(),
                at: chrono::Utc::now(),
                kind: "bench.ping".into(),
                data: json!({"seq": i}),
                audience: Audience::Principals(vec![owner]),
            });
        }
        let want = if i == 0 {
            "event: ready".to_owned()
        } else {
            format!("\"seq\":{i}}}")
        };
        while !buf.contains(&want) {
            let chunk = tokio::time::timeout(Duration::from_secs(5), res.chunk())
                .await
                .context("event not delivered within 5 s")??
                .context("stream ended")?;
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
        if i > 0 {
            ms.push(sent.elapsed().as_secs_f64() * 1000.0);
        }
        buf.clear();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    sender.shut_down();
    receiver.shut_down();
    Ok(percentiles(ms))
}

/// Runs the three measurements and prints their table.
pub async fn run(url: &str, n: u64, samples: usize) -> anyhow::Result<()> {
    let jobs = node(url).await?;
    let core = jobs.core.clone();
    core.seed().await?;
    core.register(&json!({"name": "Bench Admin", "email": "admin@bench.test", "password": "bench-password-1"})).await?;
    let user = core.register(&json!({"name": "Bench User", "email": "user@bench.test", "password": "bench-password-1"})).await?;
    let caller = core
        .caller_for(
            user["id"].as_str().context("user id")?.parse()?,
            Source::Api,
        )
        .await?;
    let owner = caller.owner();
    println!(
        "# maestro-bench --jobs on {}",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let (enqueue, rate) = throughput(&jobs, &owner, n).await?;
    println!("  {n} jobs: queued at {enqueue:.0}/s, run at {rate:.0}/s");
    let delay = scheduling_delay(url, &caller, 50, 20).await?;
    let latency = event_latency(url, &core, &caller, samples).await?;
    println!();
    println!("| measure | result | target |");
    println!("|---|---|---|");
    println!(
        "| job throughput, 2 workers × {} jobs at once, {n} trivial jobs | {rate:.0} jobs/s (queued at {enqueue:.0}/s) | ≥ 1,000 jobs/s |",
        JobsConfig::default().concurrency
    );
    println!(
        "| scheduling delay, 50 schedules every second for 20 s (start − scheduled time) | p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms | p95 ≤ 1 s |",
        delay.p50, delay.p95, delay.p99
    );
    println!(
        "| event delivery latency, publish → SSE client ({samples} events{}) | p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms | p95 ≤ 100 ms |",
        if url.starts_with("postgres") {
            ", relayed by NOTIFY to another pool"
        } else {
            ""
        },
        latency.p50,
        latency.p95,
        latency.p99
    );
    Ok(())
}
