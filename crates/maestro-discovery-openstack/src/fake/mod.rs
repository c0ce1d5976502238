//! A fake OpenStack for tests (feature `fake`): Keystone v3 tokens whose catalog points back at
//! the fake, version-discovery documents, and Nova, Neutron, Cinder, Glance and Octavia listings
//! replaying the official API samples in `fixtures/`, split into pages with `limit`/`marker` and
//! each service's own `next` links. Tests can change the data, inject failures (403, 429…) and
//! read the request log.
//!
//! ```no_run
//! # async fn demo() {
//! use maestro_discovery_openstack::fake::FakeOpenStack;
//! let (base_url, fake) = FakeOpenStack::start().await;
//! let account = fake.account("connection-1"); // auth_url, project, user and password set
//! fake.fail("/servers/detail", 403, None);     // every server listing is forbidden
//! # let _ = (base_url, account);
//! # }
//! ```

mod data;
mod listing;
mod routes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use maestro_discovery::Account;
use serde_json::{Map, Value, json};

pub use data::COLLECTIONS;

/// The fixture user (Keystone's sample): name `admin` in domain `default`, or this id.
pub const USERNAME: &str = "admin";
pub const USER_ID: &str = "ee4dfb6e5540447cb3741905149d9b6e";
pub const PASSWORD: &str = "devstacker";
pub const USER_DOMAIN_ID: &str = "default";
/// The project the fixture token is scoped to.
pub const PROJECT_ID: &str = "a6944d763bf64ee6a275f1263fae0352";
/// The catalog's only region.
pub const REGION: &str = "RegionOne";
/// An application credential the fake accepts.
pub const APP_CRED_ID: &str = "fake-application-credential";
pub const APP_CRED_SECRET: &str = "fake-application-credential-secret";

/// Starts fakes.
pub struct FakeOpenStack;

impl FakeOpenStack {
    /// Starts a fake on a free loopback port with pages of one item. Returns its base URL and
    /// the handle that controls it (the server stops when the last clone is dropped).
    pub async fn start() -> (String, FakeHandle) {
        Self::builder().start().await
    }

    pub fn builder() -> FakeBuilder {
        FakeBuilder { page_size: 1 }
    }
}

/// Options of a fake.
pub struct FakeBuilder {
    page_size: usize,
}

impl FakeBuilder {
    /// The largest page the fake returns, whatever `limit` asks (default 1, so every sample list
    /// with more than one item spans several pages).
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n.max(1);
        self
    }

    pub async fn start(self) -> (String, FakeHandle) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let state = Arc::new(FakeState {
            base: base.clone(),
            token: "fake-token-ffe47524401e4d61adc7310f7e5b6191".into(),
            page_size: self.page_size,
            data: Mutex::new(data::load()),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
        });
        let app = routes::router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let handle = FakeHandle {
            state,
            server: Arc::new(Server(task)),
        };
        (base, handle)
    }
}

struct Server(tokio::task::JoinHandle<()>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An injected failure: requests whose path and query contain `fragment` get `status`.
#[derive(Debug, Clone)]
struct Fault {
    fragment: String,
    status: u16,
    remaining: Option<u32>,
}

pub(crate) struct FakeState {
    base: String,
    token: String,
    page_size: usize,
    data: Mutex<HashMap<String, Vec<Value>>>,
    faults: Mutex<Vec<Fault>>,
    log: Mutex<Vec<String>>,
}

/// Controls a running fake. Cloning shares it.
#[derive(Clone)]
pub struct FakeHandle {
    state: Arc<FakeState>,
    server: Arc<Server>,
}

impl FakeHandle {
    pub fn base_url(&self) -> &str {
        &self.state.base
    }

    /// The Keystone v3 URL to put in a connection's `auth_url`.
    pub fn auth_url(&self) -> String {
        format!("{}/identity/v3", self.state.base)
    }

    /// An account that logs in as the fixture user (password) scoped to the fixture project,
    /// in [`REGION`].
    pub fn account(&self, connection_id: &str) -> Account {
        let mut credentials = Map::new();
        credentials.insert("username".into(), json!(USERNAME));
        credentials.insert("password".into(), json!(PASSWORD));
        Account {
            connection_id: connection_id.into(),
            provider: "openstack".into(),
            regions: vec![REGION.into()],
            credentials,
            auth_url: Some(self.auth_url()),
            project_id: Some(PROJECT_ID.into()),
            user_domain_id: Some(USER_DOMAIN_ID.into()),
            api_version: Some("3".into()),
            endpoint_url: None,
        }
    }

    /// The items of a collection (one of [`COLLECTIONS`]).
    pub fn items(&self, collection: &str) -> Vec<Value> {
        let data = self.state.data.lock().expect("fake data");
        data.get(collection).cloned().unwrap_or_default()
    }

    /// Replaces a collection's items.
    pub fn set_items(&self, collection: &str, items: Vec<Value>) {
        let mut data = self.state.data.lock().expect("fake data");
        data.insert(collection.to_owned(), items);
    }

    /// Appends an item (it needs an `"id"`; Octavia members also a `"pool_id"`).
    pub fn push_item(&self, collection: &str, item: Value) {
        let mut data = self.state.data.lock().expect("fake data");
        data.entry(collection.to_owned()).or_default().push(item);
    }

    /// Removes the item with `id`; false when there was none.
    pub fn remove_item(&self, collection: &str, id: &str) -> bool {
        let mut data = self.state.data.lock().expect("fake data");
        let Some(items) = data.get_mut(collection) else {
            return false;
        };
        let before = items.len();
        items.retain(|i| i.get("id").and_then(Value::as_str) != Some(id));
        items.len() != before
    }

    /// Answers `status` (403, 429, 503, 500…) to requests whose path and query contain `fragment`,
    /// `times` times or forever. 403 bodies name a policy in the service's own error format;
    /// 429 and 503 carry `Retry-After: 0`.
    pub fn fail(&self, fragment: &str, status: u16, times: Option<u32>) {
        self.state.faults.lock().expect("faults").push(Fault {
            fragment: fragment.to_owned(),
            status,
            remaining: times,
        });
    }

    pub fn clear_faults(&self) {
        self.state.faults.lock().expect("faults").clear();
    }

    /// Every request so far, as `METHOD /path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.state.log.lock().expect("log").clone()
    }

    pub fn clear_requests(&self) {
        self.state.log.lock().expect("log").clear();
    }

    /// Stops serving (also done when the last handle is dropped).
    pub fn stop(&self) {
        self.server.0.abort();
    }
}
