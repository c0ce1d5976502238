//! Several processes on one PostgreSQL: two `maestro serve` processes run each scheduled
//! execution exactly once, and when the scheduler's leader is killed (SIGKILL) the other
//! takes over within a lease period.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::Connection;

use crate::harness::{PASSWORD, create_pg_database};
use crate::hooks::{Hook, Proc, eventually};

/// The pid in a lease holder's name (`scheduler-<host>-<pid>-<suffix>`).
async fn leader_pid(url: &str) -> Option<u32> {
    let mut c = sqlx::PgConnection::connect(url).await.ok()?;
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT holder, expires_at FROM leases WHERE name = 'scheduler'")
            .fetch_optional(&mut c)
            .await
            .ok()?;
    let (holder, expires) = row?;
    (expires > Utc::now().timestamp_micros()).then_some(())?;
    holder.rsplit('-').nth(1)?.parse().ok()
}

struct Api {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap_or(Value::Null)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_run_each_execution_once_and_fail_over() {
    let Some((url, _db)) = create_pg_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let env = |extra: &[(&'static str, &str)]| {
        let mut e = vec![
            ("MAESTRO_DATABASE_URL", url.clone()),
            ("MAESTRO_DATA_DIR", dir.path().display().to_string()),
            ("MAESTRO_SCHEDULER_LEASE", "2s".to_owned()),
            ("MAESTRO_JOB_LEASE", "2s".to_owned()),
            ("MAESTRO_JOB_POLL", "200ms".to_owned()),
        ];
        e.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        e
    };
    // Two API servers competing for the scheduler, and one worker process running the jobs.
    let mut s1 = Proc::start("serve", &env(&[("MAESTRO_WORKERS", "0")]));
    let mut s2 = Proc::start("serve", &env(&[("MAESTRO_WORKERS", "0")]));
    let _w = Proc::start("worker", &env(&[("MAESTRO_SCHEDULER", "false")]));
    let hook = Hook::ok().await;
    let client = reqwest::Client::new();
    let base1 = format!("http://{}", s1.addr.clone().unwrap());
    let base2 = format!("http://{}", s2.addr.clone().unwrap());
    let login = json!({"email": "ada@example.com", "password": PASSWORD});
    client
        .post(format!("{base1}/api/v1/auth/register"))
        .json(&json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let token: Value = client
        .post(format!("{base1}/api/v1/auth/login"))
        .json(&login)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let api1 = Api {
        base: base1,
        token: token.clone(),
        client: client.clone(),
    };
    let api2 = Api {
        base: base2,
        token,
        client,
    };
    let s = api1
        .call(
            reqwest::Method::POST,
            "/api/v1/schedules",
            Some(json!({"name": "every second",
            "url": hook.url, "interval": {"every": 1, "period": "seconds"}})),
        )
        .await;
    let id = s["id"].as_str().unwrap().to_owned();

    hook.wait_for(4, Duration::from_secs(20)).await;
    let leader = eventually(Duration::from_secs(5), "a leader", || leader_pid(&url)).await;
    let (survivor, killed) = if leader == s1.pid() {
        s1.kill();
        (&api2, s2.pid())
    } else {
        assert_eq!(leader, s2.pid(), "the leader is one of the servers");
        s2.kill();
        (&api1, s1.pid())
    };
    let at_kill = hook.count();
    // The other server takes over and the runs go on.
    hook.wait_for(at_kill + 4, Duration::from_secs(20)).await;
    assert_eq!(leader_pid(&url).await, Some(killed), "the survivor leads");
    survivor
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/schedules/{id}"),
            Some(json!({"enabled": false})),
        )
        .await;
    let jobs = eventually(Duration::from_secs(10), "every run done", || async {
        let list = survivor
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/jobs?schedule={id}&limit=500"),
                None,
            )
            .await;
        let items = list["items"].as_array().unwrap().clone();
        items
            .iter()
            .all(|j| j["status"] == "succeeded")
            .then_some(items)
    })
    .await;
    let s = survivor
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/schedules/{id}"),
            None,
        )
        .await;
    // Exactly once: one job per run, one scheduled time per job, one call per job.
    assert_eq!(jobs.len() as u64, s["run_count"].as_u64().unwrap());
    let mut times: Vec<DateTime<Utc>> = jobs
        .iter()
        .map(|j| j["scheduled_for"].as_str().unwrap().parse().unwrap())
        .collect();
    times.sort();
    let distinct: BTreeSet<_> = times.iter().collect();
    assert_eq!(distinct.len(), jobs.len(), "a run fired twice");
    let ids: BTreeSet<String> = jobs
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_owned())
        .collect();
    let hits: Vec<String> = hook.hits().iter().map(|h| h.job()).collect();
    assert_eq!(hits.len(), ids.len(), "one call per run");
    assert_eq!(hits.into_iter().collect::<BTreeSet<_>>(), ids);
    // The takeover left at most a lease period (2 s) and a retry without runs.
    let gap = times
        .windows(2)
        .map(|w| (w[1] - w[0]).num_milliseconds())
        .max()
        .unwrap();
    assert!(gap <= 4000, "runs stopped for {gap} ms");
}
