//! The live event stream: job and entity events reach their owner (by bearer token or the UI's
//! session cookie) and administrators, and nothing reaches a user without access; on
//! PostgreSQL they cross processes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, create_pg_database, id};
use crate::hooks::{Proc, SseReader, eventually, get_ok};
use crate::{backends, backends_by_name};

fn server(name: &str) -> Value {
    json!({"name": name, "hostname": format!("{name}.prod"), "environment": "Production"})
}

async fn events_reach_owners_and_nobody_else(app: &TestApp) {
    let admin = app.user("Root").await;
    let (a, b) = (app.user("Ada").await, app.user("Bob").await);
    let mut ea = SseReader::open(app, &a.token, "").await;
    let mut eb = SseReader::open(app, &b.token, "").await;
    let mut eadmin = SseReader::open(app, &admin.token, "?types=entity.").await;

    let srv = id(&app.create(&a.token, "servers", server("web-01")).await);
    let (status, s) = app
        .post(
            &a.token,
            "/api/v1/schedules",
            json!({"name": "noop", "module": "noop",
        "sleep_ms": 400, "interval": {"every": 1, "period": "days"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let job = app
        .post(
            &a.token,
            &format!("/api/v1/schedules/{}/run", id(&s)),
            json!({}),
        )
        .await
        .1;
    let job_id = id(&job);

    let created = ea
        .until(Duration::from_secs(5), "entity.created", |n, d| {
            n == "entity.created" && d["data"]["id"] == srv
        })
        .await;
    assert_eq!(created["data"]["collection"], "servers");
    assert_eq!(created["type"], "entity.created");
    ea.until(Duration::from_secs(10), "job progress", |n, d| {
        n == "job.progress" && d["data"]["id"] == job_id
    })
    .await;
    let last = ea
        .until(Duration::from_secs(10), "job succeeded", |n, d| {
            n == "job.status" && d["data"]["id"] == job_id && d["data"]["status"] == "succeeded"
        })
        .await;
    assert_eq!(last["data"]["progress"], 100);
    eadmin
        .until(Duration::from_secs(5), "admin sees it", |n, d| {
            n == "entity.created" && d["data"]["id"] == srv
        })
        .await;

    // Bob saw none of it.
    let got = eb.drain(Duration::from_millis(300)).await;
    assert!(got.is_empty(), "Bob received {got:?}");
    // Bob's own server reaches Bob, not Ada.
    let mine = id(&app.create(&b.token, "servers", server("db-01")).await);
    eb.until(Duration::from_secs(5), "Bob's server", |n, d| {
        n == "entity.created" && d["data"]["id"] == mine
    })
    .await;
    let got = ea.drain(Duration::from_millis(300)).await;
    assert!(
        got.iter().all(|(_, d)| d["data"]["id"] != mine),
        "Ada received {got:?}"
    );
    let got = eadmin.drain(Duration::from_millis(300)).await;
    assert!(got.iter().all(|(n, _)| n.starts_with("entity.")), "{got:?}");
    assert!(got.iter().any(|(_, d)| d["data"]["id"] == mine));

    // The UI's session cookie opens the stream too; nothing does without credentials.
    let res = app
        .client
        .get(app.url("/api/v1/events"))
        .header("cookie", format!("maestro_session={}", a.token))
        .send()
        .await
        .unwrap();
    let mut ec = SseReader::from_response(res).await;
    app.patch(
        &a.token,
        &format!("/api/v1/servers/{srv}"),
        json!({"cpu": 8}),
    )
    .await;
    ec.until(Duration::from_secs(5), "entity.updated", |n, d| {
        n == "entity.updated" && d["data"]["id"] == srv
    })
    .await;
    let res = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = app.get(&a.token, "/api/v1/events?frob=1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // After a logout the stream delivers nothing more, even what the account's API token does.
    let (_, token) = app
        .post(&b.token, "/api/v1/me/tokens", json!({"name": "script"}))
        .await;
    let script = token["token"].as_str().unwrap().to_owned();
    let mut eb2 = SseReader::open(app, &b.token, "").await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let (status, _) = app.post(&b.token, "/api/v1/auth/logout", json!({})).await;
    assert!(status.is_success(), "{status}");
    let late = id(&app.create(&script, "servers", server("late-01")).await);
    let got = eb2.drain(Duration::from_millis(1500)).await;
    assert!(
        got.iter().all(|(_, d)| d["data"]["id"] != late),
        "delivered after logout: {got:?}"
    );
}

backends!(events_reach_owners_and_nobody_else);

/// On PostgreSQL a `maestro serve` process streams what another process wrote.
async fn events_cross_processes(backend: &str) {
    if backend != "postgres" {
        return;
    }
    let Some((url, _db)) = create_pg_database().await else {
        return;
    };
    let Some(app) = TestApp::with_settings("sqlite", |s| s.database_url = Some(url.clone())).await
    else {
        return;
    };
    let other = Proc::start(
        "serve",
        &[
            ("MAESTRO_DATABASE_URL", url.clone()),
            ("MAESTRO_DATA_DIR", app.data_dir().display().to_string()),
            ("MAESTRO_WORKERS", "0".into()),
        ],
    );
    let a = app.user("Ada").await;
    let base = format!("http://{}", other.addr.clone().unwrap());
    let res = app
        .client
        .get(format!("{base}/api/v1/events"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    let mut remote = SseReader::from_response(res).await;
    let srv = id(&app.create(&a.token, "servers", server("web-01")).await);
    let got = remote
        .until(Duration::from_secs(5), "relayed entity.created", |n, d| {
            n == "entity.created" && d["data"]["id"] == srv
        })
        .await;
    assert_eq!(got["data"]["name"], "web-01");
    // And the other way: a job run by this process, queued through the other one.
    let (status, s) = app
        .post(
            &a.token,
            "/api/v1/schedules",
            json!({"name": "noop", "module": "noop",
        "interval": {"every": 1, "period": "days"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut local = SseReader::open(&app, &a.token, "?types=job.").await;
    let res = app
        .client
        .post(format!("{base}/api/v1/schedules/{}/run", id(&s)))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    let job: Value = res.json().await.unwrap();
    local
        .until(Duration::from_secs(10), "job done", |n, d| {
            n == "job.status" && d["data"]["id"] == job["id"] && d["data"]["status"] == "succeeded"
        })
        .await;
    eventually(Duration::from_secs(5), "job visible", || async {
        let j = get_ok(&app, &a.token, &format!("/api/v1/jobs/{}", id(&job))).await;
        (j["status"] == "succeeded").then_some(())
    })
    .await;
}

backends_by_name!(events_cross_processes);
