//! Test support: a moto server per test on a free port (skipped with a message when moto is
//! missing, unless `MAESTRO_TEST_REQUIRE_PEERS=1`), seeding through `seed.py` (boto3), an
//! account pointing at it, and a sink that keeps every page and validates every observation.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use maestro_discovery::{
    Account, Observation, ObservationSink, Provider, ProviderError, TaskStats,
};
use maestro_discovery_aws::{AwsProvider, check_observation};
use serde_json::{Map, Value, json};

/// A running `moto_server`, stopped when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
}

fn peers_required() -> bool {
    std::env::var("MAESTRO_TEST_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// Skips (returns `None`) when moto or boto3 is missing, unless peers are required.
fn missing(what: &str) -> Option<Moto> {
    assert!(
        !peers_required(),
        "{what} is required (MAESTRO_TEST_REQUIRE_PEERS=1): pip install 'moto[server]'"
    );
    eprintln!("skipped: {what} is not installed (pip install 'moto[server]')");
    None
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Moto {
    /// Starts moto on a free port and waits until it answers.
    pub fn start() -> Option<Moto> {
        let boto = Command::new("python3")
            .args(["-c", "import boto3"])
            .stderr(Stdio::null())
            .status();
        if !boto.is_ok_and(|s| s.success()) {
            return missing("python3 with boto3");
        }
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // No stock AMIs and their ~1300 snapshots: "own" listings stay exact.
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return missing("moto_server"),
            Err(e) => panic!("moto_server did not start: {e}"),
        };
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer in 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    /// Runs `seed.py` for a scenario in a region; returns its JSON (`created`, `expect`).
    pub fn seed(&self, region: &str, scenario: &str) -> Value {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed.py");
        let out = Command::new("python3")
            .arg(script)
            .args([&self.url, region, scenario])
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "seed.py {scenario} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("seed.py prints JSON")
    }

    /// An account on this moto server, with static test credentials.
    pub fn account(&self, regions: &[&str]) -> Account {
        account(
            &self.url,
            regions,
            json!({"access_key_id": "testing", "secret_access_key": "testing"}),
        )
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn account(endpoint: &str, regions: &[&str], credentials: Value) -> Account {
    let credentials: Map<String, Value> = credentials.as_object().cloned().unwrap_or_default();
    Account {
        connection_id: "conn-test".into(),
        provider: "aws".into(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        credentials,
        auth_url: None,
        project_id: None,
        user_domain_id: None,
        api_version: None,
        endpoint_url: Some(endpoint.to_owned()),
    }
}

/// Keeps every page; fails the test on an observation Maestro would reject.
#[derive(Default)]
pub struct Collect {
    pub pages: Vec<Vec<Observation>>,
}

#[async_trait]
impl ObservationSink for Collect {
    async fn accept(&mut self, page: Vec<Observation>) -> Result<(), String> {
        for o in &page {
            if let Err(errors) = check_observation(o) {
                panic!(
                    "{} {} is invalid: {errors:?}\n{:#?}",
                    o.collection.segment(),
                    o.provider_id,
                    o.fields
                );
            }
        }
        self.pages.push(page);
        Ok(())
    }
}

impl Collect {
    pub fn all(&self) -> Vec<&Observation> {
        self.pages.iter().flatten().collect()
    }

    /// The observation with this provider id.
    pub fn get(&self, provider_id: &str) -> &Observation {
        self.all()
            .into_iter()
            .find(|o| o.provider_id == provider_id)
            .unwrap_or_else(|| panic!("{provider_id} was not observed"))
    }

    /// Observations per `family` field (or per collection when there is none).
    pub fn by_family(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for o in self.all() {
            let key = o
                .fields
                .get("family")
                .and_then(Value::as_str)
                .map_or_else(|| o.collection.segment().to_owned(), str::to_owned);
            *out.entry(key).or_default() += 1;
        }
        out
    }
}

/// Runs one task and returns its stats and what reached the sink.
pub async fn run(
    provider: &AwsProvider,
    account: &Account,
    region: &str,
    task: &str,
) -> (Result<TaskStats, ProviderError>, Collect) {
    let mut sink = Collect::default();
    let result = provider.run(account, region, task, &mut sink).await;
    if let Ok(stats) = &result {
        assert_eq!(
            stats.observed as usize,
            sink.all().len(),
            "{task}: observed count"
        );
        assert_eq!(stats.pages as usize, sink.pages.len(), "{task}: page count");
    }
    (result, sink)
}

/// `seed["expect"][task]` as a count.
pub fn expected(seed: &Value, task: &str) -> usize {
    seed["expect"][task]
        .as_u64()
        .unwrap_or_else(|| panic!("no expectation for {task}")) as usize
}

pub fn created<'a>(seed: &'a Value, key: &str) -> &'a str {
    seed["created"][key]
        .as_str()
        .unwrap_or_else(|| panic!("seed created no {key}"))
}
