//! Schedule and job pages: the list with its enabled toggle, the form (inline errors, create,
//! edit that removes a header and switches to cron), run now, the job page with its log.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use super::client::signed_in;
use crate::harness::TestApp;
use crate::hooks::{Hook, get_ok};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_pages_create_edit_toggle_run_and_show_jobs() {
    let app = TestApp::with_settings("sqlite", |s| s.job_poll = "200ms".into())
        .await
        .unwrap();
    let hook = Hook::ok().await;
    let (mut b, user) = signed_in(&app, "Ada").await;
    let page = b.get("/schedules").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No schedules yet"));
    assert!(page.body.contains(r#"href="/jobs""#), "navigation");
    let page = b.get("/schedules/new").await;
    assert!(page.body.contains(r#"name="url""#) && page.body.contains(r#"name="cron""#));

    // The service's errors come back next to their fields.
    let bad = b
        .post(
            "/schedules",
            &[
                ("name", "x"),
                ("module", "webhook"),
                ("trigger", "interval"),
                ("every", "0"),
                ("period", "seconds"),
                ("method", "GET"),
                ("url", "ftp://nope"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("The schedule has 3 problems"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("must be an http(s) URL with a host"));

    let url = format!("{}/ping", hook.url);
    let fields = |trigger: &str, headers: &str| {
        vec![
            ("name", "Ping hook".to_owned()),
            ("enabled", "on".into()),
            ("module", "webhook".into()),
            ("trigger", trigger.into()),
            ("every", "1".into()),
            ("period", "hours".into()),
            ("cron", "0 6 * * *".into()),
            ("timezone", "Europe/Paris".into()),
            ("max_executions", "0".into()),
            ("max_attempts", "3".into()),
            ("backoff_seconds", "5".into()),
            ("method", "POST".into()),
            ("url", url.clone()),
            ("headers", headers.into()),
            ("body", r#"{"a": 1}"#.into()),
            ("timeout_seconds", "30".into()),
        ]
    };
    let form = fields("interval", "X-Token: abc");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = b.post("/schedules", &pairs).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = created
        .location
        .trim_start_matches("/schedules/")
        .to_owned();
    let s = get_ok(&app, &user.token, &format!("/api/v1/schedules/{id}")).await;
    assert_eq!(
        s["headers"],
        json!({"X-Token": "***"}),
        "header values are write-only"
    );
    assert_eq!(s["body"], json!({"a": 1}));
    assert_eq!(s["interval"], json!({"every": 1, "period": "hours"}));
    let list = b.get("/schedules").await;
    assert!(list.body.contains("Ping hook") && list.body.contains("every hour"));
    assert!(list.body.contains(&url));

    // Editing: the header removed, cron instead of the interval; the history says `ui`.
    let form = fields("cron", "");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = b.post(&format!("/schedules/{id}"), &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let s = get_ok(&app, &user.token, &format!("/api/v1/schedules/{id}")).await;
    assert_eq!(s["headers"], serde_json::Value::Null);
    assert_eq!(
        (s["cron"].as_str(), s["timezone"].as_str()),
        (Some("0 6 * * *"), Some("Europe/Paris"))
    );
    assert_eq!(s["interval"], serde_json::Value::Null);
    let history = get_ok(
        &app,
        &user.token,
        &format!("/api/v1/schedules/{id}/history"),
    )
    .await;
    assert_eq!(history["items"][0]["source"], "ui");

    let toggled = b
        .post(
            &format!("/schedules/{id}/toggle"),
            &[("back", "/schedules")],
        )
        .await;
    assert_eq!(
        (toggled.status, toggled.location.as_str()),
        (StatusCode::SEE_OTHER, "/schedules")
    );
    assert_eq!(
        get_ok(&app, &user.token, &format!("/api/v1/schedules/{id}")).await["enabled"],
        false
    );

    // Run now: the job page shows it finish, with its log line.
    let run = b.post(&format!("/schedules/{id}/run"), &[]).await;
    assert_eq!(run.status, StatusCode::SEE_OTHER);
    assert!(run.location.starts_with("/jobs/"));
    hook.wait_for(1, Duration::from_secs(10)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    // The log line is written while the job runs; its outcome is recorded just after.
    loop {
        let page = b.get(&run.location).await;
        if page.body.contains("→ 200 OK") && page.body.contains("succeeded") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "job page: {}",
            page.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let jobs = b.get("/jobs?status=succeeded").await;
    assert!(jobs.body.contains("Ping hook") && jobs.body.contains("<progress"));
    let deleted = b.post(&format!("/schedules/{id}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get(&format!("/schedules/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// A team's read member sees its schedule without controls they could not use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_sees_a_schedule_without_its_controls() {
    let app = TestApp::sqlite().await;
    let (mut lead, lead_user) = signed_in(&app, "Lead").await;
    let (mut reader, reader_user) = signed_in(&app, "Reader").await;
    let (_, team) = app
        .post(&lead_user.token, "/api/v1/teams", json!({"name": "Ops"}))
        .await;
    let tid = team["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &lead_user.token,
            &format!("/api/v1/teams/{tid}/members"),
            json!({"user": reader_user.id, "role": "read"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, s) = app
        .post(
            &lead_user.token,
            "/api/v1/schedules",
            json!({"name": "team ping", "url": "http://127.0.0.1:9/", "team": tid,
                   "interval": {"every": 1, "period": "days"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let path = format!("/schedules/{}", s["id"].as_str().unwrap());
    let page = reader.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("You can read this schedule"));
    assert!(page.body.contains(r#"<fieldset class="bare" disabled>"#));
    assert!(!page.body.contains("Run now") && !page.body.contains(">Save<"));
    let page = lead.get(&path).await;
    assert!(page.body.contains("Run now") && page.body.contains(">Save<"));
    assert!(!page.body.contains("You can read this schedule"));
}

/// The jobs list pages, newest first, keeping its status filter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_list_pages() {
    let app = TestApp::sqlite().await;
    let (mut b, user) = signed_in(&app, "Pat Pager").await;
    let (status, s) = app
        .post(
            &user.token,
            "/api/v1/schedules",
            json!({"name": "many", "module": "noop", "interval": {"every": 1, "period": "days"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let run = format!("/api/v1/schedules/{}/run", s["id"].as_str().unwrap());
    for _ in 0..101 {
        let (status, _) = app.post(&user.token, &run, json!({})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let first = b.get("/jobs").await;
    assert!(first.body.contains("page 1 of 2") && first.body.contains(r#"href="/jobs?page=2""#));
    // The newest come first: the link onwards leads to older jobs.
    assert!(
        first.body.contains(r#"rel="next">Older →</a>"#),
        "{}",
        first.body
    );
    let second = b.get("/jobs?page=2").await;
    assert!(
        second
            .body
            .contains(r#"href="/jobs?page=1" rel="prev">← Newer</a>"#)
    );
    assert_eq!(
        second.body.matches("data-job=").count(),
        1,
        "one job on page 2"
    );
    let filtered = b.get("/jobs?status=queued&page=1").await;
    assert_eq!(filtered.status, StatusCode::OK);
}
