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
    let mut core = Core::new(Arc::new(db), Arc::new(SystemClock), settings.core_config()?)
        .await
        .context("cannot start the domain services")?
        .with_blobs(Arc::new(settings.blobs()?));
    if let Some(smtp) = settings.smtp() {
        let mailer =
            maestro_adapters::mail::SmtpMailer::new(&smtp).map_err(|e| anyhow::anyhow!(e))?;
        core = core.with_mailer(Arc::new(mailer));
    }
    core.seed().await.context("cannot seed settings")?;
    Ok(core)
}

/// The HTTP application for `core` with the web UI's default options.
pub fn app(core: Core) -> axum::Router {
    app_with(core, &maestro_web::UiOptions::default()).expect("default UI options are valid")
}

/// The HTTP application: the REST API owns `/api/v1/*`, `/healthz` and `/readyz`; the web UI
/// every other path (with an HTML 404).
pub fn app_with(core: Core, ui: &maestro_web::UiOptions) -> anyhow::Result<axum::Router> {
    let version = env!("CARGO_PKG_VERSION");
    let web = maestro_web::WebState::with_options(core.clone(), version, ui)
        .map_err(|e| anyhow::anyhow!("MAESTRO_LOGO: {e}"))?;
    let api = maestro_http::router(maestro_http::AppState { core, version });
    Ok(api.merge(maestro_web::router(web)))
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
    serve_with(core, addr, &maestro_web::UiOptions::default(), shutdown).await
}

/// [`serve`] with the web UI's options (theme, logo, secure cookies).
pub async fn serve_with(
    core: Core,
    addr: SocketAddr,
    ui: &maestro_web::UiOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let router = app_with(core.clone(), ui)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
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
