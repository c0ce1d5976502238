//! The `maestro` application: configuration, wiring of storage, domain and HTTP, and the
//! server lifecycle. `main.rs` parses the command line; tests start the same app in-process.

pub mod config;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use maestro_core::{Core, SystemClock};
use maestro_store::Db;

pub use config::Settings;

/// Opens the database, runs migrations and seeds, and builds the domain services.
pub async fn open(settings: &Settings) -> anyhow::Result<Core> {
    let url = settings.database_url();
    let db = Db::connect(&url, settings.db_pool_size)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                settings.database_url_redacted()
            )
        })?;
    db.migrate().await.context("cannot migrate the database")?;
    let core = Core::new(Arc::new(db), Arc::new(SystemClock), settings.core_config()?)
        .await
        .context("cannot start the domain services")?;
    core.seed().await.context("cannot seed settings")?;
    Ok(core)
}

/// The HTTP application for `core`.
pub fn app(core: Core) -> axum::Router {
    maestro_http::router(maestro_http::AppState {
        core,
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub core: Core,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Binds `addr` and serves until `shutdown` resolves, finishing in-flight requests.
pub async fn serve(
    core: Core,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let router = app(core.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("server error")
    });
    Ok(Running { addr, core, task })
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
