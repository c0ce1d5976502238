//! `maestro-bench`: loads a realistic inventory and measures Maestro's core paths on SQLite or
//! PostgreSQL — GET by id, a filtered and sorted list page, creation through the domain services
//! (with history) and over HTTP, the web UI's pages — plus the idle memory of `maestro serve`.
//!
//! ```sh
//! cargo run --release -p maestro-bench -- --backend sqlite --servers 100000
//! cargo run --release -p maestro-bench -- --backend postgres --servers 100000
//! ```

mod cpu;
mod dataset;
mod discovery;
mod jobs;
mod measure;

/// The same allocator as `maestro` itself, so the numbers match production.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use maestro_core::{Caller, Core, CoreConfig, Source, SystemClock};
use maestro_store::Db;

#[derive(Clone, Copy, ValueEnum, Debug, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Parser, Debug)]
#[command(about = "Benchmarks of Maestro's core paths")]
struct Args {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// PostgreSQL server (a fresh database is created in it and dropped afterwards).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Servers to load.
    #[arg(long, default_value_t = 100_000)]
    servers: u64,
    /// Servers per write while loading (the bulk path of the domain services).
    #[arg(long, default_value_t = 500)]
    batch: u64,
    /// Bulk writes under way at once while loading (one per core keeps both busy: the
    /// services prepare one write while the database applies another).
    #[arg(long, default_value_t = 2)]
    load_callers: usize,
    /// Servers created afterwards in writes of `batch` by a single caller, for that figure.
    #[arg(long, default_value_t = 20_000)]
    serial_creates: u64,
    /// Servers created one at a time through the domain services (4 concurrent callers).
    #[arg(long, default_value_t = 5000)]
    single_creates: u64,
    /// Requests per latency measurement.
    #[arg(long, default_value_t = 1000)]
    samples: usize,
    /// Entities created over HTTP for the HTTP throughput figure.
    #[arg(long, default_value_t = 5000)]
    http_creates: usize,
    /// Keep the SQLite database in this directory instead of a temporary one.
    #[arg(long)]
    keep_dir: Option<std::path::PathBuf>,
    /// Keep the PostgreSQL database afterwards (its name is printed) instead of dropping it.
    #[arg(long)]
    keep_db: bool,
    /// Measure jobs and live events instead (throughput with two workers, scheduling delay,
    /// event delivery latency); see `jobs.rs`.
    #[arg(long)]
    jobs: bool,
    /// Trivial jobs queued for the throughput figure of `--jobs`.
    #[arg(long, default_value_t = 20_000)]
    job_count: u64,
    /// Measure discovery instead: reconcile throughput and memory for this many resources.
    #[arg(long)]
    discovery: Option<u64>,
    /// With --discovery: also compare a full sync with paging only, against this moto endpoint.
    #[arg(long)]
    moto: Option<String>,
    /// The `maestro` binary whose idle memory is measured (skipped when absent).
    #[arg(long, default_value = "target/release/maestro")]
    maestro_bin: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let data_dir = args
        .keep_dir
        .clone()
        .unwrap_or_else(|| dir.path().to_path_buf());
    let (url, pg) = match args.backend {
        Backend::Sqlite => (
            format!("sqlite://{}", data_dir.join("bench.db").display()),
            None,
        ),
        Backend::Postgres => {
            let name = format!("maestro_bench_{}", uuid::Uuid::now_v7().simple());
            measure::create_pg_database(&args.postgres_url, &name).await?;
            let base = args
                .postgres_url
                .rsplit_once('/')
                .map_or(args.postgres_url.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), Some(name))
        }
    };
    let result = if let Some(n) = args.discovery {
        match &args.moto {
            Some(endpoint) => discovery::moto(&url, endpoint).await,
            None => discovery::run(&url, n).await,
        }
    } else if args.jobs {
        jobs::run(&url, args.job_count, args.samples).await
    } else {
        run(&args, &url, &data_dir).await
    };
    match pg {
        Some(name) if args.keep_db => println!("kept PostgreSQL database {name}"),
        Some(name) => measure::drop_pg_database(&args.postgres_url, &name).await,
        None => {}
    }
    result
}

async fn run(args: &Args, url: &str, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let db = Db::connect(url, 16).await?;
    db.migrate().await?;
    // Live events wired as `maestro serve` wires them: every change is announced.
    let bus = maestro_core::jobs::Bus::default();
    db.relay_events(&bus).await?;
    let core = Core::new(Arc::new(db), Arc::new(SystemClock), CoreConfig::default())
        .await?
        .with_events(Arc::new(bus));
    core.seed().await?;
    core.register(&serde_json::json!({"name": "Bench Admin", "email": "admin@bench.test", "password": "bench-password-1"})).await?;
    let user = core.register(&serde_json::json!({"name": "Bench User", "email": "user@bench.test", "password": "bench-password-1"})).await?;
    let uid = user["id"].as_str().context("user id")?.parse()?;
    let caller: Caller = core.caller_for(uid, Source::Api).await?;

    println!(
        "# maestro-bench: {} servers on {:?}",
        args.servers, args.backend
    );
    let started = Instant::now();
    let ids = measure::load(
        &core,
        &caller,
        0,
        args.servers,
        args.batch,
        args.load_callers,
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    let domain_rate = args.servers as f64 / secs;
    println!(
        "loaded {} servers through the domain services (with history, {} callers) in {secs:.1} s: {domain_rate:.0}/s",
        ids.len(),
        args.load_callers
    );
    let single_rate = measure::single_creates(&core, &caller, args.single_creates, 4).await?;

    let server = measure::serve(core.clone()).await?;
    let token = core
        .login(&serde_json::json!({"email": "user@bench.test", "password": "bench-password-1"}))
        .await?
        .token;
    let client = reqwest::Client::new();
    let get = measure::get_by_id(&client, &server, &token, &ids, args.samples).await?;
    let list = measure::list_pages(&client, &server, &token, args.samples).await?;
    let [ui_list, ui_detail, ui_home] =
        measure::ui_pages(&client, &server, &token, &ids, args.samples).await?;
    let http_rate = measure::http_creates(&client, &server, &token, args.http_creates, 16).await?;
    let started = Instant::now();
    measure::load(
        &core,
        &caller,
        30_000_000,
        args.serial_creates,
        args.batch,
        1,
    )
    .await?;
    let serial_rate = args.serial_creates as f64 / started.elapsed().as_secs_f64();
    let rss = measure::idle_rss(&args.maestro_bin, url, data_dir).await;

    println!();
    println!("| measure | result | target |");
    println!("|---|---|---|");
    println!(
        "| GET /servers/{{id}} (HTTP, {} samples) | p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms | p95 ≤ 5 ms |",
        args.samples, get.p50, get.p95, get.p99
    );
    println!(
        "| list page of 50, two filters + sort (HTTP) | p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms | p95 ≤ 25 ms |",
        list.p50, list.p95, list.p99
    );
    for (what, p) in [
        ("web page: servers list, two filters + sort", &ui_list),
        ("web page: a server", &ui_detail),
        ("web page: dashboard", &ui_home),
    ] {
        println!(
            "| {what} | p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms | p95 ≤ 50 ms |",
            p.p50, p.p95, p.p99
        );
    }
    println!(
        "| create through the domain services, with history, {} per write, {} callers | {domain_rate:.0}/s | ≥ 5,000/s |",
        args.batch, args.load_callers
    );
    println!(
        "| create through the domain services, with history, {} per write, one caller | {serial_rate:.0}/s | |",
        args.batch
    );
    println!(
        "| create through the domain services, one per write (4 concurrent callers) | {single_rate:.0}/s | |"
    );
    println!("| create over HTTP (16 concurrent clients) | {http_rate:.0}/s | ≥ 1,000/s |");
    match rss {
        Some(kb) => println!(
            "| idle RSS of `maestro serve` | {:.1} MB | ≤ 50 MB |",
            kb as f64 / 1024.0
        ),
        None => println!(
            "| idle RSS of `maestro serve` | not measured ({} missing) | ≤ 50 MB |",
            args.maestro_bin
        ),
    }
    Ok(())
}
