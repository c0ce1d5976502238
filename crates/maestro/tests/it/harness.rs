//! The test harness: a real Maestro on a random port over a fresh database — a temporary SQLite
//! file, or a new PostgreSQL database (dropped afterwards) — and a small HTTP client.
//!
//! PostgreSQL comes from `MAESTRO_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). If it is unreachable the PostgreSQL variant of
//! each test is skipped with a message — unless `MAESTRO_TEST_REQUIRE_POSTGRES=1` (CI), which
//! makes it a failure.

use std::sync::Arc;

use maestro::Settings;
use maestro::config::{LogFormat, Registration};
use maestro_core::{Clock, Core, SystemClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;

pub const PASSWORD: &str = "correct-horse-battery";

pub struct TestApp {
    pub base: String,
    pub core: Core,
    pub jobs: maestro_core::jobs::Jobs,
    /// The database URL (a fresh PostgreSQL database or the SQLite file).
    pub database_url: String,
    pub client: reqwest::Client,
    pub backend: &'static str,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
}

/// A throwaway PostgreSQL database, dropped with the test.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside async context: use a short-lived runtime on its own thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut c)
                        .await;
                    }
                });
            }
        })
        .join();
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("MAESTRO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn pg_required() -> bool {
    std::env::var("MAESTRO_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// Creates a fresh PostgreSQL database; None (with a message) when PostgreSQL is unreachable.
pub async fn create_pg_database() -> Option<(String, PgDatabase)> {
    let admin_url = pg_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => {
            assert!(
                !pg_required(),
                "PostgreSQL is required (MAESTRO_TEST_REQUIRE_POSTGRES=1) but unreachable at {admin_url}: {e}"
            );
            eprintln!(
                "PostgreSQL unreachable at {admin_url} ({e}): skipping the PostgreSQL variant"
            );
            return None;
        }
    };
    let name = format!("maestro_test_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b)
        .to_owned();
    let url = format!("{base}/{name}");
    Some((url, PgDatabase { admin_url, name }))
}

pub fn settings(dir: &std::path::Path, database_url: Option<String>) -> Settings {
    let mut s = Settings::parse_args([
        "maestro",
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--log",
        "warn",
    ])
    .expect("default settings");
    s.data_dir = dir.to_path_buf();
    s.database_url = database_url;
    s.db_pool_size = 5;
    s.session_ttl = "1h".into();
    s.registration = Registration::Open;
    s.log_format = LogFormat::Text;
    s
}

impl TestApp {
    pub async fn sqlite() -> Self {
        Self::start(None, |_| {}).await.expect("sqlite app")
    }

    pub async fn postgres() -> Option<Self> {
        let (url, db) = create_pg_database().await?;
        let mut app = Self::start(Some(url), |_| {}).await.expect("postgres app");
        app.pg = Some(db);
        Some(app)
    }

    /// Starts an app on `backend` ("sqlite" or "postgres") with adjusted settings.
    pub async fn with_settings(backend: &str, tweak: impl FnOnce(&mut Settings)) -> Option<Self> {
        Self::with_clock(backend, Arc::new(SystemClock), tweak).await
    }

    /// [`TestApp::with_settings`] on a given clock.
    pub async fn with_clock(
        backend: &str,
        clock: Arc<dyn Clock>,
        tweak: impl FnOnce(&mut Settings),
    ) -> Option<Self> {
        if backend == "postgres" {
            let (url, db) = create_pg_database().await?;
            let mut app = Self::start_on(Some(url), clock, tweak)
                .await
                .expect("postgres app");
            app.pg = Some(db);
            Some(app)
        } else {
            Some(
                Self::start_on(None, clock, tweak)
                    .await
                    .expect("sqlite app"),
            )
        }
    }

    async fn start(
        database_url: Option<String>,
        tweak: impl FnOnce(&mut Settings),
    ) -> anyhow::Result<Self> {
        Self::start_on(database_url, Arc::new(SystemClock), tweak).await
    }

    async fn start_on(
        database_url: Option<String>,
        clock: Arc<dyn Clock>,
        tweak: impl FnOnce(&mut Settings),
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let backend = if database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        };
        let mut s = settings(dir.path(), database_url);
        tweak(&mut s);
        let services = maestro::open_services(&s, clock).await?;
        let (core, jobs) = (services.core.clone(), services.jobs.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let running = maestro::serve_with(services, s.listen_addr()?, &s, async {
            let _ = rx.await;
        })
        .await?;
        Ok(Self {
            base: format!("http://{}", running.addr),
            core,
            jobs,
            database_url: s.database_url(),
            client: reqwest::Client::new(),
            backend,
            shutdown: Some(tx),
            _dir: dir,
            pg: None,
        })
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request; returns the status and the JSON body (Null when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(&body))
            .await
    }
    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(&body))
            .await
    }
    pub async fn delete(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Registers and logs in a user; returns (token, user id).
    pub async fn user(&self, name: &str) -> User {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/register",
                None,
                Some(&json!({"name": name, "email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "register {name}: {body}");
        let id = body["id"].as_str().expect("id").to_owned();
        let admin = body["admin"].as_bool().unwrap_or(false);
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {name}: {body}");
        User {
            token: body["token"].as_str().expect("token").to_owned(),
            id,
            email,
            admin,
        }
    }

    /// Creates an entity and returns its JSON (asserting 201).
    pub async fn create(&self, token: &str, collection: &str, body: Value) -> Value {
        let (status, json) = self
            .post(token, &format!("/api/v1/{collection}"), body)
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "create in {collection}: {json}"
        );
        json
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub token: String,
    pub id: String,
    pub email: String,
    pub admin: bool,
}

/// The id string of an entity JSON.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("entity id").to_owned()
}

/// Runs a test body against both backends: `backends!(name, …)` makes `name::sqlite` and
/// `name::postgres` tests calling `name(&TestApp)`.
#[macro_export]
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::harness::TestApp::sqlite().await;
                    super::$name(&app).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::harness::TestApp::postgres().await {
                        super::$name(&app).await;
                    }
                }
            }
        )*
    };
}

/// [`backends!`] on apps without the scheduler or job workers: whatever is queued (the first
/// sync of a new connection) stays queued, so a test drives discovery itself.
#[macro_export]
macro_rules! quiet_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                fn quiet(s: &mut maestro::Settings) {
                    s.scheduler = false;
                    s.workers = 0;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::harness::TestApp::with_settings("sqlite", quiet)
                        .await
                        .expect("sqlite app");
                    super::$name(&app).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::harness::TestApp::with_settings("postgres", quiet).await {
                        super::$name(&app).await;
                    }
                }
            }
        )*
    };
}
