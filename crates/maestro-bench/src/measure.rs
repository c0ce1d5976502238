//! The measurements: loading, latency percentiles over HTTP, throughput, idle memory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::StreamExt;
use maestro_core::{Caller, Core};
use maestro_model::EntityId;
use maestro_model::schema::Collection;

use crate::dataset::{Rng, list_query, server};

pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

fn percentiles(mut ms: Vec<f64>) -> Percentiles {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    Percentiles {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

/// Loads servers `from..from + n` through the domain services in batches of `batch` (one
/// write each), with `callers` writes under way at once; returns their ids.
pub async fn load(
    core: &Core,
    caller: &Caller,
    from: u64,
    n: u64,
    batch: u64,
    callers: usize,
) -> anyhow::Result<Vec<EntityId>> {
    let batch = batch.max(1);
    let done = Arc::new(AtomicU64::new(0));
    let starts = (from..from + n).step_by(batch as usize);
    let written = futures::stream::iter(starts)
        .map(|start| {
            let done = done.clone();
            async move {
                let end = (start + batch).min(from + n);
                let bodies: Vec<_> = (start..end)
                    .map(|i| server(i, &mut Rng::new(i * 7919 + 17)))
                    .collect();
                let ids: Vec<EntityId> = core
                    .create_entities(caller, Collection::Servers, &bodies)
                    .await?
                    .into_iter()
                    .map(|created| created.id)
                    .collect();
                let before = done.fetch_add(end - start, Ordering::Relaxed);
                if (before + end - start) / 20_000 != before / 20_000 {
                    eprintln!("  … {} loaded", before + end - start);
                }
                anyhow::Ok(ids)
            }
        })
        .buffer_unordered(callers.max(1))
        .collect::<Vec<_>>()
        .await;
    let mut ids = Vec::with_capacity(n as usize);
    for chunk in written {
        ids.extend(chunk?);
    }
    Ok(ids)
}

/// Creates `n` servers one by one through the domain services with `concurrency` callers;
/// returns entities per second.
pub async fn single_creates(
    core: &Core,
    caller: &Caller,
    n: u64,
    concurrency: usize,
) -> anyhow::Result<f64> {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let results = futures::stream::iter(0..n)
        .map(|i| {
            let (core, caller, done) = (core.clone(), caller.clone(), done.clone());
            async move {
                let body = server(20_000_000 + i, &mut Rng::new(i + 77));
                core.create_entity(&caller, Collection::Servers, &body)
                    .await?;
                done.fetch_add(1, Ordering::Relaxed);
                anyhow::Ok(())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    results.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// Serves the API and the web UI in-process on a random port.
pub async fn serve(core: Core) -> anyhow::Result<SocketAddr> {
    let router = maestro_http::router(maestro_http::AppState {
        core: core.clone(),
        version: "bench",
        jobs: None,
        discovery: None,
    })
    .merge(maestro_web::router(maestro_web::WebState::new(
        core, "bench",
    )));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Ok(addr)
}

async fn timed_get(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<f64> {
    let start = Instant::now();
    let res = client.get(url).bearer_auth(token).send().await?;
    anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
    res.bytes().await?;
    Ok(start.elapsed().as_secs_f64() * 1000.0)
}

pub async fn get_by_id(
    client: &reqwest::Client,
    addr: &SocketAddr,
    token: &str,
    ids: &[EntityId],
    samples: usize,
) -> anyhow::Result<Percentiles> {
    let mut rng = Rng::new(42);
    let mut ms = Vec::with_capacity(samples);
    for _ in 0..samples {
        let id = rng.pick(ids);
        ms.push(timed_get(client, &format!("http://{addr}/api/v1/servers/{id}"), token).await?);
    }
    Ok(percentiles(ms))
}

pub async fn list_pages(
    client: &reqwest::Client,
    addr: &SocketAddr,
    token: &str,
    samples: usize,
) -> anyhow::Result<Percentiles> {
    let mut rng = Rng::new(4242);
    let mut ms = Vec::with_capacity(samples);
    for _ in 0..samples {
        ms.push(
            timed_get(
                client,
                &format!("http://{addr}/api/v1/servers?{}", list_query(&mut rng)),
                token,
            )
            .await?,
        );
    }
    Ok(percentiles(ms))
}

/// Server-rendered web pages, signed in by the session cookie: the servers list filtered and
/// sorted as in `list_pages` (`list`), a server's page (`detail`) and the dashboard.
pub async fn ui_pages(
    client: &reqwest::Client,
    addr: &SocketAddr,
    token: &str,
    ids: &[EntityId],
    samples: usize,
) -> anyhow::Result<[Percentiles; 3]> {
    let mut rng = Rng::new(977);
    let cookie = format!("maestro_session={token}");
    let mut out: [Vec<f64>; 3] = Default::default();
    for i in 0..samples {
        let id = ids[(rng.next() % ids.len() as u64) as usize];
        let urls = [
            format!("http://{addr}/servers?{}", list_query(&mut rng)),
            format!("http://{addr}/servers/{id}"),
            format!("http://{addr}/"),
        ];
        for (k, url) in urls.iter().enumerate() {
            // The dashboard is sampled a tenth as often: it is one page among many.
            if k == 2 && i % 10 != 0 {
                continue;
            }
            let start = Instant::now();
            let res = client
                .get(url)
                .header(reqwest::header::COOKIE, &cookie)
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
            let body = res.text().await?;
            anyhow::ensure!(body.contains("</html>"), "{url}: not a whole page");
            out[k].push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(out.map(percentiles))
}

/// Creates `n` servers over HTTP with `concurrency` clients; returns entities per second.
pub async fn http_creates(
    client: &reqwest::Client,
    addr: &SocketAddr,
    token: &str,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<f64> {
    let start = Instant::now();
    let results = futures::stream::iter(0..n as u64)
        .map(|i| {
            let client = client.clone();
            async move {
                let mut rng = Rng::new(i + 1_000_003);
                let body = server(10_000_000 + i, &mut rng);
                let res = client
                    .post(format!("http://{addr}/api/v1/servers"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await?;
                anyhow::ensure!(
                    res.status() == reqwest::StatusCode::CREATED,
                    "create: {}",
                    res.status()
                );
                anyhow::Ok(())
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
    results.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// Starts `maestro serve` on the database, waits until ready and idle, and reads its RSS (KiB).
pub async fn idle_rss(bin: &str, url: &str, data_dir: &std::path::Path) -> Option<u64> {
    if !std::path::Path::new(bin).exists() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let mut child = tokio::process::Command::new(bin)
        .arg("serve")
        .env("MAESTRO_DATABASE_URL", url)
        .env("MAESTRO_DATA_DIR", data_dir)
        .env("MAESTRO_PORT", port.to_string())
        .env("MAESTRO_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .ok()?;
    let ready = format!("http://127.0.0.1:{port}/readyz");
    for _ in 0..200 {
        if reqwest::get(&ready)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = child.id()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let _ = child.kill().await;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
}

pub async fn create_pg_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let admin = maestro_store::admin::PgAdmin::connect(admin_url)
        .await
        .map_err(anyhow::Error::msg)
        .context("PostgreSQL")?;
    admin
        .create_database(name)
        .await
        .map_err(anyhow::Error::msg)
}

pub async fn drop_pg_database(admin_url: &str, name: &str) {
    if let Ok(admin) = maestro_store::admin::PgAdmin::connect(admin_url).await {
        let _ = admin.drop_database(name).await;
    }
}
