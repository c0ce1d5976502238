//! The `maestro` application: configuration, wiring of storage, domain and HTTP, and the
//! server lifecycle. `main.rs` parses the command line; tests start the same app in-process.

pub mod config;
pub mod runtime;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use maestro_core::{Clock, Core, SystemClock};
use maestro_store::Db;

pub use config::Settings;
pub use runtime::{Background, Services, open_services};

/// Opens the database, runs migrations and seeds, and builds the domain services.
pub async fn open(settings: &Settings) -> anyhow::Result<Core> {
    Ok(open_db(settings, Arc::new(SystemClock)).await?.0)
}

/// [`open`] on a given clock, also returning the database (the jobs service's store).
pub async fn open_db(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<(Core, Db)> {
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
    let mut core = Core::new(Arc::new(db.clone()), clock, settings.core_config()?)
        .await
        .context("cannot start the domain services")?
        .with_blobs(Arc::new(settings.blobs()?));
    let (key, unsaved) = settings.secret_key()?;
    let secret_box = maestro_core::secrets::SecretBox::from_hex(&key).map_err(|_| {
        anyhow::anyhow!(
            "the secret key (MAESTRO_SECRET_KEY or secret.key in MAESTRO_DATA_DIR) must be 64 \
             hexadecimal characters"
        )
    })?;
    core = match core.with_secrets(secret_box).await {
        Ok(core) => core,
        Err(_) if unsaved.is_some() => anyhow::bail!(
            "this database's secrets were sealed with a key that is not here: put its \
             secret.key back into {} (or set MAESTRO_SECRET_KEY to it)",
            settings.data_dir.display()
        ),
        Err(e) => return Err(e).context("cannot use the secret key"),
    };
    if let Some(path) = unsaved {
        Settings::save_secret_key(&path, &key)?;
    }
    if let Some(smtp) = settings.smtp() {
        let mailer =
            maestro_adapters::mail::SmtpMailer::new(&smtp).map_err(|e| anyhow::anyhow!(e))?;
        core = core.with_mailer(Arc::new(mailer));
    }
    core.seed().await.context("cannot seed settings")?;
    Ok((core, db))
}

/// The HTTP application with the web UI's default options.
pub fn app(services: &Services) -> axum::Router {
    app_with(services, &maestro_web::UiOptions::default()).expect("default UI options are valid")
}

/// The HTTP application: the REST API owns `/api/v1/*`, `/healthz` and `/readyz`; the web UI
/// every other path (with an HTML 404).
pub fn app_with(services: &Services, ui: &maestro_web::UiOptions) -> anyhow::Result<axum::Router> {
    let version = env!("CARGO_PKG_VERSION");
    let core = services.core.clone();
    let jobs = services.jobs.clone();
    let web = maestro_web::WebState::with_options(core.clone(), version, ui)
        .map_err(|e| anyhow::anyhow!("MAESTRO_LOGO: {e}"))?;
    let api = maestro_http::router(maestro_http::AppState {
        core,
        version,
        jobs: Some(jobs.clone()),
        discovery: Some(services.discovery.clone()),
    });
    let web = maestro_web::router(web)
        .layer(axum::Extension(jobs))
        .layer(axum::Extension(services.discovery.clone()));
    Ok(api.merge(web))
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub core: Core,
    pub jobs: maestro_core::jobs::Jobs,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Binds `addr` and serves until `shutdown` resolves, finishing in-flight requests, with the
/// default settings (the web UI's defaults, one worker, a scheduler candidate).
pub async fn serve(
    services: Services,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let settings = Settings::parse_args(["maestro"])?;
    serve_with(services, addr, &settings, shutdown).await
}

/// [`serve`] with `settings`: the web UI's options (theme, logo, secure cookies), the workers
/// (`MAESTRO_WORKERS`) and the scheduler candidate (`MAESTRO_SCHEDULER`) run beside the HTTP
/// server. On shutdown, live event streams end, workers finish or give back their jobs, and
/// in-flight requests complete.
pub async fn serve_with(
    services: Services,
    addr: SocketAddr,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let router = app_with(&services, &settings.ui())?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let background = Background::start(&services.jobs, settings.workers, settings.scheduler);
    let jobs = services.jobs.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            jobs.shut_down();
        })
        .await;
        background.stop().await;
        served.context("server error")
    });
    Ok(Running {
        addr,
        core: services.core,
        jobs: services.jobs,
        task,
    })
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
