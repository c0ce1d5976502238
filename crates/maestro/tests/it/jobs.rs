//! Jobs: progress and cancellation (queued and running), access, and a `maestro worker`
//! process killed with SIGKILL in the middle of a job whose lease then expires, so another
//! worker process runs it to the end.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backends_by_name;
use crate::harness::TestApp;
use crate::hooks::{Hook, Proc, eventually, get_ok, job_in};

async fn run_now(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, s) = app.post(token, "/api/v1/schedules", body).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let (status, job) = app
        .post(
            token,
            &format!("/api/v1/schedules/{}/run", s["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    job
}

fn slow_noop(ms: u64) -> Value {
    json!({"name": "slow noop", "module": "noop", "sleep_ms": ms, "interval": {"every": 1, "period": "days"}})
}

async fn running_jobs_report_progress_and_cancel(backend: &str) {
    let Some(app) = TestApp::with_settings(backend, |s| s.job_poll = "200ms".into()).await else {
        return;
    };
    let u = app.user("Ada").await;
    let job = run_now(&app, &u.token, slow_noop(8000)).await;
    let id = job["id"].as_str().unwrap();
    assert_eq!(job["status"], "queued");
    let running = eventually(Duration::from_secs(10), "progress", || async {
        let j = get_ok(&app, &u.token, &format!("/api/v1/jobs/{id}")).await;
        (j["status"] == "running" && j["progress"].as_u64().unwrap() >= 25).then_some(j)
    })
    .await;
    assert_eq!(running["attempt"], 1);
    assert!(running["lease_until"].is_string());
    let (status, j) = app
        .post(&u.token, &format!("/api/v1/jobs/{id}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{j}");
    assert_eq!(j["cancel_requested"], true);
    // The worker hears of it at once, not at its next heartbeat.
    let done = job_in(&app, &u.token, id, "cancelled", Duration::from_secs(3)).await;
    assert_eq!(done["error"], "cancelled");
    assert!(done["finished_at"].is_string());
    let (status, p) = app
        .post(&u.token, &format!("/api/v1/jobs/{id}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    // A finished job: succeeded with 100 %.
    let job = run_now(&app, &u.token, slow_noop(200)).await;
    let done = job_in(
        &app,
        &u.token,
        job["id"].as_str().unwrap(),
        "succeeded",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(done["progress"], 100);
    assert_eq!(done["result"], json!({"ok": true}));
}

async fn queued_jobs_cancel_at_once_and_stay_private(backend: &str) {
    let Some(app) = TestApp::with_settings(backend, |s| s.workers = 0).await else {
        return;
    };
    let admin = app.user("Root").await;
    let (a, b) = (app.user("Ada").await, app.user("Bob").await);
    let job = run_now(&app, &a.token, slow_noop(10)).await;
    let path = format!("/api/v1/jobs/{}", job["id"].as_str().unwrap());
    for (status, _) in [
        app.get(&b.token, &path).await,
        app.post(&b.token, &format!("{path}/cancel"), json!({}))
            .await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(get_ok(&app, &b.token, "/api/v1/jobs").await["total"], 0);
    assert_eq!(get_ok(&app, &admin.token, "/api/v1/jobs").await["total"], 1);
    assert_eq!(
        get_ok(&app, &a.token, "/api/v1/jobs?status=queued,running").await["total"],
        1
    );
    assert_eq!(
        get_ok(&app, &a.token, "/api/v1/jobs?status=succeeded").await["total"],
        0
    );
    assert_eq!(
        get_ok(&app, &a.token, "/api/v1/jobs?module=noop").await["total"],
        1
    );
    let (status, j) = app
        .post(&a.token, &format!("{path}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(j["status"], "cancelled");
    assert_eq!(get_ok(&app, &a.token, &path).await["status"], "cancelled");
}

/// The settings of a `maestro worker` process on the app's database.
fn worker_env(app: &TestApp) -> Vec<(&'static str, String)> {
    vec![
        ("MAESTRO_DATABASE_URL", app.database_url.clone()),
        ("MAESTRO_DATA_DIR", app.data_dir().display().to_string()),
        ("MAESTRO_JOB_LEASE", "2s".into()),
        ("MAESTRO_JOB_POLL", "200ms".into()),
        ("MAESTRO_SCHEDULER", "false".into()),
        ("MAESTRO_WORKERS", "1".into()),
    ]
}

async fn killed_worker_leaves_a_job_another_completes(backend: &str) {
    let Some(app) = TestApp::with_settings(backend, |s| {
        s.workers = 0;
        s.scheduler = false;
    })
    .await
    else {
        return;
    };
    // The first call hangs (its worker is killed meanwhile); later ones answer at once.
    let hook = Hook::start(Arc::new(|n| {
        (
            200,
            if n == 0 {
                Duration::from_secs(60)
            } else {
                Duration::ZERO
            },
        )
    }))
    .await;
    let u = app.user("Ada").await;
    let job = run_now(
        &app,
        &u.token,
        json!({"name": "slow hook", "url": format!("{}/slow", hook.url),
        "timeout_seconds": 120, "interval": {"every": 1, "period": "days"}}),
    )
    .await;
    let id = job["id"].as_str().unwrap().to_owned();

    let mut first = Proc::start("worker", &worker_env(&app));
    hook.wait_for(1, Duration::from_secs(30)).await;
    let j = get_ok(&app, &u.token, &format!("/api/v1/jobs/{id}")).await;
    assert_eq!(
        (j["status"].as_str(), j["attempt"].as_u64()),
        (Some("running"), Some(1))
    );
    first.kill();
    let killed = chrono::Utc::now();

    let _second = Proc::start("worker", &worker_env(&app));
    let done = job_in(&app, &u.token, &id, "succeeded", Duration::from_secs(30)).await;
    assert_eq!(done["attempt"], 2, "{done}");
    let hits = hook.hits();
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.job() == id));
    // Taken over only once the dead worker's lease (2 s, renewed every ~0.7 s) ran out.
    let waited = (hits[1].at - killed).num_milliseconds();
    assert!(
        (1000..10_000).contains(&waited),
        "taken over after {waited} ms"
    );
}

backends_by_name!(
    running_jobs_report_progress_and_cancel,
    queued_jobs_cancel_at_once_and_stay_private,
    killed_worker_leaves_a_job_another_completes,
);
