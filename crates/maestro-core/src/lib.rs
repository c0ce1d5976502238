//! Maestro's domain services. [`Core`] holds the storage port, the clock and the signing keys,
//! and its methods are the only way the API, the UI, jobs and discovery change the inventory:
//! they validate against the schema registry, enforce access, and record history in the same
//! write as the change.

pub mod accounts;
pub mod caller;
pub mod clock;
pub mod dashboard;
pub mod demo;
pub mod discovery;
pub mod error;
pub mod events;
pub mod inventory;
pub mod jobs;
pub mod ports;
pub mod secrets;
pub mod seed;
pub mod settings;
pub mod teams;
pub mod views;

use std::sync::Arc;

pub use caller::{Access, Caller, Principal, PrincipalKind, Source};
pub use clock::{Clock, SystemClock};
pub use error::{CoreError, CoreResult};
pub use ports::Store;

/// Configuration the domain needs (everything else is the binary's business).
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// How long a login session lasts.
    pub session_ttl: chrono::Duration,
    /// Whether anyone may register (the first account can always be created).
    pub registration_open: bool,
    /// Maestro's own public URL: links in e-mails are built from it, never from a request.
    pub public_url: String,
}

impl Default for CoreConfig {
    fn default() -> Self {
        Self {
            session_ttl: chrono::Duration::hours(24),
            registration_open: true,
            public_url: "http://127.0.0.1:8888".into(),
        }
    }
}

/// The domain services.
#[derive(Clone)]
pub struct Core {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: CoreConfig,
    keys: Arc<accounts::tokens::Keys>,
    mailer: Option<Arc<dyn ports::Mailer>>,
    blobs: Option<Arc<dyn ports::BlobStore>>,
    events: Option<Arc<dyn events::EventSink>>,
    /// Shared by every clone, so hooks added after services were built still run.
    hooks: Arc<std::sync::RwLock<Vec<Arc<dyn events::WriteHook>>>>,
    secrets: Option<Arc<secrets::SecretBox>>,
}

impl Core {
    /// Builds the services, loading (or creating once) the token signing key from the database
    /// so every process sharing it accepts the same sessions.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: CoreConfig,
    ) -> CoreResult<Self> {
        let keys = accounts::tokens::Keys::load(store.as_ref()).await?;
        Ok(Self {
            store,
            clock,
            config,
            keys: Arc::new(keys),
            mailer: None,
            blobs: None,
            events: None,
            hooks: Arc::default(),
            secrets: None,
        })
    }

    /// Seals secret fields with `secret_box`. The key's fingerprint is recorded in the database
    /// the first time; a different key afterwards is refused (its secrets could not be read).
    pub async fn with_secrets(mut self, secret_box: secrets::SecretBox) -> CoreResult<Self> {
        let stored = self
            .store
            .secret_get_or_insert("secret_key_fingerprint", secret_box.fingerprint())
            .await?;
        if stored != secret_box.fingerprint() {
            return Err(CoreError::Internal(
                "MAESTRO_SECRET_KEY is not the key this database's secrets were encrypted with \
                 (set the same key on every process sharing the database)"
                    .into(),
            ));
        }
        self.secrets = Some(Arc::new(secret_box));
        Ok(self)
    }

    /// Publishes domain events to `sink` after each committed write.
    pub fn with_events(mut self, sink: Arc<dyn events::EventSink>) -> Self {
        self.events = Some(sink);
        self
    }

    /// Adds a hook run after every committed entity write (in this process).
    pub fn add_hook(&self, hook: Arc<dyn events::WriteHook>) {
        if let Ok(mut hooks) = self.hooks.write() {
            hooks.push(hook);
        }
    }

    /// Publishes an event (no-op without a sink).
    pub fn publish(&self, event: events::Event) {
        if let Some(sink) = &self.events {
            sink.publish(event);
        }
    }

    /// Whether e-mail can be sent (an SMTP server is configured): pages that promise an e-mail
    /// say otherwise when it cannot.
    pub fn sends_mail(&self) -> bool {
        self.mailer.is_some()
    }

    /// Sends e-mail through `mailer` (without one, reset links cannot be delivered).
    pub fn with_mailer(mut self, mailer: Arc<dyn ports::Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Keeps uploads in `blobs`.
    pub fn with_blobs(mut self, blobs: Arc<dyn ports::BlobStore>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// One page of results in the API's list envelope.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub limit: u32,
}
