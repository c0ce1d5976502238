//! Schedules: interval webhooks against a local HTTP server fire on time and count their runs,
//! `max_executions` caps them, cron fires at the right minute (injected clock, time zones,
//! daylight saving), a failing webhook is retried then its schedule disabled with the error,
//! validation lists every bad field, and access follows ownership.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use maestro_core::Clock;
use maestro_core::jobs::scheduler::Scheduler;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::hooks::{Hook, eventually, get_ok};
use crate::support::error_fields;
use crate::{backends, backends_by_name};

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {v}"))
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, s) = app.post(token, "/api/v1/schedules", body).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    s
}

async fn schedule(app: &TestApp, token: &str, id: &str) -> Value {
    get_ok(app, token, &format!("/api/v1/schedules/{id}")).await
}

/// The jobs of a schedule, oldest first.
async fn jobs_of(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let list = get_ok(app, token, &format!("/api/v1/jobs?schedule={id}&limit=500")).await;
    let mut items = list["items"].as_array().unwrap().clone();
    items.reverse();
    items
}

async fn quick(backend: &str) -> Option<TestApp> {
    TestApp::with_settings(backend, |s| s.job_poll = "200ms".into()).await
}

async fn interval_webhook_fires_on_time_and_counts_runs(backend: &str) {
    let Some(app) = quick(backend).await else {
        return;
    };
    let hook = Hook::ok().await;
    let u = app.user("Ada").await;
    let s = create(
        &app,
        &u.token,
        json!({
        "name": "ping every second", "method": "POST", "url": format!("{}/ping", hook.url),
        "headers": {"X-Token": "t0ps3cret"}, "body": {"hello": "world"},
        "interval": {"every": 1, "period": "seconds"}}),
    )
    .await;
    let id = s["id"].as_str().unwrap().to_owned();
    assert_eq!(s["enabled"], true);
    assert_eq!(s["run_count"], 0);
    assert_eq!(s["max_executions"], 0);
    let created = time(&s["created_at"]);
    assert_eq!(
        time(&s["next_run_at"]),
        created + chrono::Duration::seconds(1)
    );

    let hits = hook.wait_for(3, Duration::from_secs(10)).await;
    let (status, _) = app
        .patch(
            &u.token,
            &format!("/api/v1/schedules/{id}"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The k-th call comes k seconds after creation: never early, well under a second late.
    for (k, hit) in hits.iter().take(3).enumerate() {
        let due = created + chrono::Duration::seconds(k as i64 + 1);
        let late = (hit.at - due).num_milliseconds();
        assert!(
            (-5..900).contains(&late),
            "call {k} is {late} ms off its time"
        );
        assert_eq!(hit.method, "POST");
        assert_eq!(hit.path, "/ping");
        assert_eq!(hit.headers["x-token"], "t0ps3cret");
        assert_eq!(hit.headers["content-type"], "application/json");
        assert_eq!(
            serde_json::from_str::<Value>(&hit.body).unwrap(),
            json!({"hello": "world"})
        );
    }
    // Once every queued run is done, runs, jobs and calls agree exactly.
    let jobs = eventually(Duration::from_secs(10), "jobs done", || async {
        let jobs = jobs_of(&app, &u.token, &id).await;
        jobs.iter()
            .all(|j| j["status"] == "succeeded")
            .then_some(jobs)
    })
    .await;
    let s = schedule(&app, &u.token, &id).await;
    let runs = s["run_count"].as_u64().unwrap() as usize;
    assert!(runs >= 3);
    assert_eq!(jobs.len(), runs);
    assert_eq!(hook.count(), runs);
    assert_eq!(s["last_status"], "succeeded");
    assert_eq!(s["enabled"], false);
    assert_eq!(
        s["next_run_at"],
        Value::Null,
        "a disabled schedule has no next run"
    );
    let last = jobs.last().unwrap();
    assert_eq!(s["last_run_at"], last["scheduled_for"]);
    assert_eq!(last["result"]["status"], 200);
    assert_eq!(last["progress"], 100);
    for (k, j) in jobs.iter().enumerate() {
        assert_eq!(
            time(&j["scheduled_for"]),
            created + chrono::Duration::seconds(k as i64 + 1)
        );
    }
    // Each call names its job: every run delivered once.
    let mut delivered: Vec<String> = hook.hits().iter().map(|h| h.job()).collect();
    delivered.sort();
    let mut ids: Vec<String> = jobs
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    assert_eq!(delivered, ids);
    let detail = get_ok(&app, &u.token, &format!("/api/v1/jobs/{}", ids[0])).await;
    assert!(
        detail["logs"][0]["message"]
            .as_str()
            .unwrap()
            .contains("→ 200 OK"),
        "{detail}"
    );
}

async fn max_executions_caps_runs(backend: &str) {
    let Some(app) = quick(backend).await else {
        return;
    };
    let hook = Hook::ok().await;
    let u = app.user("Ada").await;
    let s = create(
        &app,
        &u.token,
        json!({"name": "twice", "url": hook.url,
        "interval": {"every": 1, "period": "seconds"}, "max_executions": 2}),
    )
    .await;
    let id = s["id"].as_str().unwrap();
    hook.wait_for(2, Duration::from_secs(10)).await;
    let s = eventually(Duration::from_secs(5), "schedule settled", || async {
        let s = schedule(&app, &u.token, id).await;
        (s["last_status"] == "succeeded" && s["run_count"] == 2).then_some(s)
    })
    .await;
    assert_eq!(s["next_run_at"], Value::Null);
    // Two more periods: nothing else runs.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(hook.count(), 2);
    assert_eq!(jobs_of(&app, &u.token, id).await.len(), 2);
    assert_eq!(schedule(&app, &u.token, id).await["run_count"], 2);
    // Raising the cap resumes it.
    let (status, s) = app
        .patch(
            &u.token,
            &format!("/api/v1/schedules/{id}"),
            json!({"max_executions": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert!(s["next_run_at"].is_string());
    hook.wait_for(3, Duration::from_secs(5)).await;
}

async fn failing_webhook_is_retried_then_disabled(backend: &str) {
    let Some(app) = quick(backend).await else {
        return;
    };
    let hook = Hook::start(Arc::new(|_| (500, Duration::ZERO))).await;
    let u = app.user("Ada").await;
    let s = create(
        &app,
        &u.token,
        json!({"name": "broken", "url": format!("{}/fail", hook.url),
        "interval": {"every": 1, "period": "hours"}, "run_immediately": true,
        "max_attempts": 3, "backoff_seconds": 1}),
    )
    .await;
    let id = s["id"].as_str().unwrap();
    let s = eventually(Duration::from_secs(15), "schedule disabled", || async {
        let s = schedule(&app, &u.token, id).await;
        (s["enabled"] == false).then_some(s)
    })
    .await;
    assert_eq!(s["last_status"], "failed");
    assert!(s["last_error"].as_str().unwrap().contains("500"), "{s}");
    let hits = hook.hits();
    assert_eq!(hits.len(), 3, "three attempts");
    // Backoff: 1 s, then 2 s.
    let gaps: Vec<i64> = hits
        .windows(2)
        .map(|w| (w[1].at - w[0].at).num_milliseconds())
        .collect();
    assert!(gaps[0] >= 1000 && gaps[1] >= 2000, "gaps {gaps:?}");
    let jobs = jobs_of(&app, &u.token, id).await;
    assert_eq!(jobs.len(), 1);
    let job = get_ok(
        &app,
        &u.token,
        &format!("/api/v1/jobs/{}", jobs[0]["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(job["status"], "failed");
    assert_eq!(job["attempt"], 3);
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("500 Internal Server Error")
    );
    let retries = job["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["message"].as_str().unwrap().contains("retrying"))
        .count();
    assert_eq!(retries, 2, "{job}");
    // The disabling is in the schedule's history, by Maestro.
    let history = get_ok(&app, &u.token, &format!("/api/v1/schedules/{id}/history")).await;
    assert_eq!(history["items"][0]["source"], "job");
    assert_eq!(history["items"][0]["changes"][0]["path"], "enabled");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hook.count(), 3, "nothing runs once disabled");
}

async fn validation_lists_every_bad_field(app: &TestApp) {
    let u = app.user("Ada").await;
    let (status, p) = app.post(&u.token, "/api/v1/schedules", json!({
        "name": "x", "method": "FETCH", "url": "ftp://example.com", "headers": {"bad header": "v"},
        "timeout_seconds": 0, "interval": {"every": 0, "period": "fortnights"}, "max_executions": -1,
        "chain": [{"schedule": "nope"}], "frobnicate": true})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(
        fields,
        [
            "chain[0].schedule",
            "frobnicate",
            "headers.bad header",
            "interval.every",
            "interval.period",
            "max_executions",
            "method",
            "name",
            "timeout_seconds",
            "url"
        ]
    );
    for (body, field) in [
        (
            json!({"name": "both", "url": "http://x.test", "interval": {"every": 1}, "cron": "* * * * *"}),
            "cron",
        ),
        (json!({"name": "none", "url": "http://x.test"}), "interval"),
        (
            json!({"name": "zone", "url": "http://x.test", "cron": "0 3 * * *", "timezone": "Mars/Base"}),
            "timezone",
        ),
        (
            json!({"name": "cron", "url": "http://x.test", "cron": "61 * * * *"}),
            "cron",
        ),
        (
            json!({"name": "module", "module": "teleport", "interval": {"every": 1}}),
            "module",
        ),
        (
            json!({"name": "noop", "module": "noop", "url": "http://x.test", "interval": {"every": 1}}),
            "url",
        ),
    ] {
        let (status, p) = app.post(&u.token, "/api/v1/schedules", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {p}");
        assert_eq!(error_fields(&p), [field], "{body}: {p}");
    }
    let (status, _) = app.post(&u.token, "/api/v1/schedules", json!([1])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let ok = create(
        app,
        &u.token,
        json!({"name": "fine", "url": "http://127.0.0.1:9/x",
        "interval": {"every": 5, "period": "minutes"}}),
    )
    .await;
    let path = format!("/api/v1/schedules/{}", ok["id"].as_str().unwrap());
    // What GET returns can be sent back; a patch switches the trigger kind.
    let (status, back) = app.patch(&u.token, &path, ok.clone()).await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["updated_at"], ok["updated_at"], "nothing changed");
    let (status, s) = app
        .patch(
            &u.token,
            &path,
            json!({"cron": "0 6 * * 1", "timezone": "Europe/Paris"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["interval"], Value::Null);
    assert_eq!(s["cron"], "0 6 * * 1");
    let (status, p) = app
        .patch(
            &u.token,
            &path,
            json!({"timeout_seconds": 999, "team": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["team", "timeout_seconds"]);
    let (status, p) = app
        .patch(&u.token, &path, json!({"chain": [{"schedule": ok["id"]}]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_fields(&p), ["chain[0].schedule"]);
    for bad in [
        "/api/v1/schedules/not-an-id",
        "/api/v1/jobs/not-an-id",
        "/api/v1/schedules?frob=1",
        "/api/v1/jobs?status=done",
    ] {
        let (status, p) = app.get(&u.token, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {p}");
    }
    // An administrator may restrict webhook targets (the first account is one).
    let mut options =
        get_ok(app, &u.token, "/api/v1/settings/scheduler_options").await["value"].clone();
    options["webhook_targets"] = json!(["*.example.com", "127.0.0.1:9"]);
    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/settings/scheduler_options",
            Some(&u.token),
            Some(&json!({"value": options})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (url, allowed) in [
        ("http://hooks.example.com/x", true),
        ("http://127.0.0.1:9/x", true),
        ("http://127.0.0.1:8080/x", false),
        ("http://example.com.evil.test/x", false),
    ] {
        let (status, p) = app
            .post(
                &u.token,
                "/api/v1/schedules",
                json!({"name": "target", "url": url, "interval": {"every": 1}}),
            )
            .await;
        if allowed {
            assert_eq!(status, StatusCode::CREATED, "{url}: {p}");
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {p}");
            assert_eq!(error_fields(&p), ["url"]);
        }
    }
    let (status, _) = app.delete(&u.token, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&u.token, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn schedules_follow_ownership(app: &TestApp) {
    let admin = app.user("Root").await;
    let (a, b) = (app.user("Ada").await, app.user("Bob").await);
    let s = create(
        app,
        &a.token,
        json!({"name": "mine", "url": "http://127.0.0.1:9/",
        "interval": {"every": 1, "period": "days"}}),
    )
    .await;
    let path = format!("/api/v1/schedules/{}", s["id"].as_str().unwrap());
    assert_eq!(s["owner"]["id"], a.id);
    for (status, _) in [
        app.get(&b.token, &path).await,
        app.patch(&b.token, &path, json!({"name": "theirs"})).await,
        app.delete(&b.token, &path).await,
        app.post(&b.token, &format!("{path}/run"), json!({})).await,
        app.get(&b.token, &format!("{path}/history")).await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(get_ok(app, &b.token, "/api/v1/schedules").await["total"], 0);
    assert_eq!(
        get_ok(app, &admin.token, "/api/v1/schedules").await["total"],
        1
    );
    // A team's schedule: its readers see it, only writers change it.
    let team = app
        .post(&a.token, "/api/v1/teams", json!({"name": "Ops"}))
        .await
        .1;
    let team_id = team["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &a.token,
            &format!("/api/v1/teams/{team_id}/members"),
            json!({"user": b.id, "role": "read"}),
        )
        .await;
    assert!(status.is_success());
    let t = create(
        app,
        &a.token,
        json!({"name": "team job", "team": team_id, "url": "http://127.0.0.1:9/",
        "interval": {"every": 1, "period": "days"}}),
    )
    .await;
    let tpath = format!("/api/v1/schedules/{}", t["id"].as_str().unwrap());
    assert_eq!(t["owner"]["kind"], "team");
    assert_eq!(get_ok(app, &b.token, &tpath).await["name"], "team job");
    let (status, _) = app
        .patch(&b.token, &tpath, json!({"name": "renamed"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, p) = app
        .post(
            &b.token,
            "/api/v1/schedules",
            json!({"name": "sneaky", "team": team_id,
        "url": "http://127.0.0.1:9/", "interval": {"every": 1}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_fields(&p), ["team"]);
}

backends!(validation_lists_every_bad_field, schedules_follow_ownership);

backends_by_name!(
    interval_webhook_fires_on_time_and_counts_runs,
    max_executions_caps_runs,
    failing_webhook_is_retried_then_disabled,
    cron_fires_at_the_right_minute,
    webhook_header_values_are_write_only,
);

/// Header values (often credentials) are sealed: every view and the history show `***`, sending
/// `***` back keeps them, and only the request carries them.
async fn webhook_header_values_are_write_only(backend: &str) {
    let Some(app) = quick(backend).await else {
        return;
    };
    let hook = Hook::ok().await;
    let u = app.user("Ada").await;
    let s = create(
        &app,
        &u.token,
        json!({"name": "secret ping", "url": format!("{}/ping", hook.url),
        "headers": {"Authorization": "Bearer s3cret", "Accept": "text/plain"},
        "interval": {"every": 1, "period": "days"}}),
    )
    .await;
    assert_eq!(
        s["headers"],
        json!({"Authorization": "***", "Accept": "***"})
    );
    let path = format!("/api/v1/schedules/{}", s["id"].as_str().unwrap());
    let history_len = |h: &Value| h["items"].as_array().unwrap().len();
    let (_, history) = app.get(&u.token, &format!("{path}/history")).await;
    assert_eq!(history_len(&history), 1);
    // Sending back what a view shows, or the same value again, changes nothing.
    for headers in [
        json!({"Authorization": "***", "Accept": "***"}),
        json!({"Authorization": "Bearer s3cret"}),
    ] {
        let (status, body) = app
            .patch(&u.token, &path, json!({"headers": headers}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["updated_at"], s["updated_at"]);
    }
    let (status, body) = app
        .patch(
            &u.token,
            &path,
            json!({"headers": {"Authorization": "Bearer n3w"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, history) = app.get(&u.token, &format!("{path}/history")).await;
    assert_eq!(history_len(&history), 2);
    assert_eq!(
        history["items"][0]["changes"],
        json!([{"path": "headers.Authorization", "old": "***", "new": "***"}])
    );
    // A mask with no stored value behind it means nothing.
    let (status, problem) = app
        .patch(&u.token, &path, json!({"headers": {"X-New": "***"}}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_fields(&problem), ["headers.X-New"]);
    // The request carries the real values; the job shows masks.
    let (status, job) = app.post(&u.token, &format!("{path}/run"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let hits = hook.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(hits[0].headers["authorization"], "Bearer n3w");
    assert_eq!(hits[0].headers["accept"], "text/plain");
    let job = get_ok(
        &app,
        &u.token,
        &format!("/api/v1/jobs/{}", job["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(job["params"]["headers"]["Authorization"], "***");
    for seen in [
        get_ok(&app, &u.token, &path).await,
        get_ok(&app, &u.token, &format!("{path}/history")).await,
        get_ok(&app, &u.token, "/api/v1/jobs").await,
    ] {
        let text = seen.to_string();
        assert!(!text.contains("s3cret") && !text.contains("n3w"), "{text}");
    }
    // Pointing the request at another host takes the secrets again, and a URL holds none.
    let (status, problem) = app
        .patch(
            &u.token,
            &path,
            json!({"url": "http://127.0.0.1:9/elsewhere"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(error_fields(&problem), ["headers"]);
    let (status, body) = app
        .patch(
            &u.token,
            &path,
            json!({"url": "http://127.0.0.1:9/elsewhere",
                   "headers": {"Authorization": "Bearer other", "Accept": "text/plain"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, problem) = app
        .patch(
            &u.token,
            &path,
            json!({"url": "http://user:pw@127.0.0.1:9/"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_fields(&problem), ["url"]);
}

/// A clock the test moves by hand.
struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

async fn cron_fires_at_the_right_minute(backend: &str) {
    // Tokens are checked against the real time too: the test's time is in the future.
    let start = Utc.with_ymd_and_hms(2027, 3, 13, 9, 58, 30).unwrap();
    let clock = Arc::new(ManualClock(Mutex::new(start)));
    let Some(app) = TestApp::with_clock(backend, clock.clone(), |s| {
        s.scheduler = false;
        s.workers = 0;
        s.session_ttl = "60d".into();
    })
    .await
    else {
        return;
    };
    let u = app.user("Ada").await;
    // 11:00 in Paris: 10:00 UTC in winter.
    let s = create(
        &app,
        &u.token,
        json!({"name": "daily report", "url": "http://127.0.0.1:9/",
        "cron": "0 11 * * *", "timezone": "Europe/Paris"}),
    )
    .await;
    let id = s["id"].as_str().unwrap();
    assert_eq!(s["next_run_at"], "2027-03-13T10:00:00Z");
    let scheduler = Scheduler::new(app.jobs.clone());
    clock.set(Utc.with_ymd_and_hms(2027, 3, 13, 9, 59, 59).unwrap());
    assert_eq!(scheduler.tick().await.unwrap(), 0, "not a second early");
    clock.set(Utc.with_ymd_and_hms(2027, 3, 13, 10, 0, 0).unwrap());
    assert_eq!(scheduler.tick().await.unwrap(), 1, "on the minute");
    assert_eq!(scheduler.tick().await.unwrap(), 0, "once");
    let s = schedule(&app, &u.token, id).await;
    assert_eq!(s["run_count"], 1);
    assert_eq!(s["last_run_at"], "2027-03-13T10:00:00Z");
    assert_eq!(s["next_run_at"], "2027-03-14T10:00:00Z");
    let jobs = jobs_of(&app, &u.token, id).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["scheduled_for"], "2027-03-13T10:00:00Z");
    assert_eq!(jobs[0]["status"], "queued");
    // Two weeks without a scheduler: one catch-up run, then 11:00 summer time (09:00 UTC).
    clock.set(Utc.with_ymd_and_hms(2027, 3, 28, 8, 59, 59).unwrap());
    assert_eq!(scheduler.tick().await.unwrap(), 1);
    assert_eq!(scheduler.tick().await.unwrap(), 0);
    let s = schedule(&app, &u.token, id).await;
    assert_eq!(s["run_count"], 2);
    assert_eq!(s["last_run_at"], "2027-03-14T10:00:00Z");
    assert_eq!(s["next_run_at"], "2027-03-28T09:00:00Z");
    clock.set(Utc.with_ymd_and_hms(2027, 3, 28, 9, 0, 0).unwrap());
    assert_eq!(scheduler.tick().await.unwrap(), 1);
    assert_eq!(jobs_of(&app, &u.token, id).await.len(), 3);
}
