//! Test helpers: a sink that keeps what it receives and validates every observation against the
//! schema registry, and a one-call task runner against the fake.

#![allow(dead_code)]

use async_trait::async_trait;
use maestro_discovery::{
    Account, Observation, ObservationSink, Provider, ProviderError, TaskStats,
};
use maestro_discovery_openstack::OpenStackProvider;
use maestro_discovery_openstack::fake::{FakeHandle, FakeOpenStack};
use maestro_model::schema::Collection;
use maestro_model::validate::validate;
use serde_json::Value;

/// Keeps every page; panics on an observation the core would reject.
#[derive(Default)]
pub struct Collect {
    pub pages: Vec<Vec<Observation>>,
}

impl Collect {
    pub fn all(&self) -> Vec<Observation> {
        self.pages.iter().flatten().cloned().collect()
    }
}

/// Validates an observation as the core will: its kind's schema with its family, and the
/// collection that kind and family are shown in.
pub fn check(o: &Observation) {
    let kind = o.collection.kind();
    let family = o.fields.get("family").and_then(Value::as_str);
    if let Err(errors) = validate(kind.schema(), family, &o.fields) {
        panic!("{kind} {} is invalid: {errors:?}", o.provider_id);
    }
    assert_eq!(
        Collection::of(kind, family),
        o.collection,
        "{}",
        o.provider_id
    );
    assert_eq!(o.fields["unique_id"], Value::from(o.provider_id.clone()));
}

#[async_trait]
impl ObservationSink for Collect {
    async fn accept(&mut self, page: Vec<Observation>) -> Result<(), String> {
        assert!(!page.is_empty(), "empty pages are not sent");
        page.iter().for_each(check);
        self.pages.push(page);
        Ok(())
    }
}

pub async fn fake() -> FakeHandle {
    FakeOpenStack::start().await.1
}

/// Runs `task` for `account` in RegionOne; returns the stats (or error) and what was observed.
pub async fn run_with(
    account: &Account,
    task: &str,
) -> (Result<TaskStats, ProviderError>, Collect) {
    let mut sink = Collect::default();
    let result = OpenStackProvider::new()
        .run(account, "RegionOne", task, &mut sink)
        .await;
    (result, sink)
}

/// Runs `task` against `fake` and expects success.
pub async fn run(fake: &FakeHandle, task: &str) -> (TaskStats, Vec<Observation>) {
    let (result, sink) = run_with(&fake.account("conn-1"), task).await;
    let stats = result.unwrap_or_else(|e| panic!("{task} failed: {e}"));
    assert_eq!(stats.pages as usize, sink.pages.len());
    assert_eq!(stats.observed as usize, sink.all().len());
    (stats, sink.all())
}

/// The observation with `id`.
pub fn by_id<'a>(all: &'a [Observation], id: &str) -> &'a Observation {
    all.iter()
        .find(|o| o.provider_id == id)
        .unwrap_or_else(|| panic!("{id} was not observed"))
}

/// Requests whose path contains `fragment`.
pub fn requests(fake: &FakeHandle, fragment: &str) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.contains(fragment))
        .collect()
}
