//! Settings pages, themes, the logo, assets and the HTML 404.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::client::{Browser, signed_in};
use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_pages_edit_option_lists() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = signed_in(&app, "Ada Admin").await;
    let page = admin.get("/settings/options/env_options").await;
    assert!(page.body.contains(r#"value="Production""#));
    let saved = admin
        .post(
            "/settings/options/env_options",
            &[
                ("v.environment[]", ""),
                ("v.environment[0]", "Production"),
                ("v.environment[1]", "Qualification"),
                ("v.size[]", ""),
                ("v.size[0]", "small"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let s = app.core.get_setting("env_options").await.unwrap();
    assert_eq!(
        s["value"]["environment"],
        json!(["Production", "Qualification"])
    );
    let (mut other, _) = signed_in(&app, "Ned Normal").await;
    let refused = other
        .post(
            "/settings/options/env_options",
            &[("v.environment[]", ""), ("v.environment[0]", "X")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let regions = admin.get("/settings/regions").await;
    assert!(regions.body.contains("us-east-1"));
    assert!(regions.body.contains("History (0)"));
    // Who changed a setting, and what, is under its editor for everyone.
    let page = other.get("/settings/options/env_options").await;
    assert!(page.body.contains("History (1)"), "{}", page.body);
    assert!(page.body.contains("Qualification"));
}

/// A refused save comes back as it was typed, in the same kind of field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_setting_keeps_what_was_typed() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = signed_in(&app, "Ada Admin").await;
    let path = "/settings/options/scheduler_options";
    let before = app.core.get_setting("scheduler_options").await.unwrap();
    for typed in ["{ server-list: oops }", "[]"] {
        let page = admin.post(path, &[("j.discovery_intervals", typed)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(
            page.body.contains(&format!(">{typed}</textarea>")),
            "{typed} is shown as typed: {}",
            page.body
        );
        assert!(
            !page.body.contains(r#"name="v.discovery_intervals[]""#),
            "still a JSON field"
        );
        assert!(
            page.body.contains(r#"aria-invalid="true""#),
            "the field is marked: {}",
            page.body
        );
    }
    // A value the service refuses is shown at the field it is about, with the reason.
    let typed = r#"{"server-list": {"every": 0, "period": "minutes"}}"#;
    let page = admin.post(path, &[("j.discovery_intervals", typed)]).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let field = page
        .body
        .find(r#"name="j.discovery_intervals""#)
        .expect("the JSON field");
    let after = &page.body[field..];
    let end = after.find("</section>").unwrap_or(after.len());
    assert!(
        after[..end].contains(r#"<p class="error""#)
            && after[..end].contains("discovery_intervals.server-list.every"),
        "the reason is beside the field: {}",
        &after[..end]
    );
    assert_eq!(
        app.core.get_setting("scheduler_options").await.unwrap(),
        before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn themes_logo_assets_and_not_found() {
    let app = TestApp::with_settings("sqlite", |s| s.theme = maestro_web::Theme::Gold)
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    let login = b.get("/login").await;
    assert!(
        login.body.contains(r#"data-theme="gold""#),
        "MAESTRO_THEME sets the default"
    );
    assert!(
        login
            .body
            .contains(concat!("Maestro ", env!("CARGO_PKG_VERSION"))),
        "version in the footer"
    );
    let switched = b
        .post("/theme", &[("theme", "dark"), ("back", "/login")])
        .await;
    assert_eq!(switched.location, "/login");
    assert!(b.get("/login").await.body.contains(r#"data-theme="dark""#));
    let htmx = b.get("/assets/htmx.min.js").await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert!(htmx.content_type.starts_with("text/javascript"));
    assert!(htmx.body.contains("htmx"));
    let logo = b.get("/logo").await;
    assert_eq!(logo.content_type, "image/svg+xml");
    let missing = b.get("/no/such/page/here").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.content_type.starts_with("text/html") && missing.body.contains("Not found"));
    let (status, body) = app
        .call(Method::GET, "/api/v1/no/such/deep/path", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["status"], 404, "the API keeps problem+json");
    let health = b.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logo.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\nnot-really").unwrap();
    let custom = TestApp::with_settings("sqlite", |s| s.logo = Some(file.clone()))
        .await
        .unwrap();
    let mut c = Browser::new(&custom);
    let logo = c.get("/logo").await;
    assert_eq!(logo.content_type, "image/png");
    assert!(logo.body.contains("not-really"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_theme_follows_them_to_another_browser() {
    let app = TestApp::sqlite().await;
    let (mut first, user) = signed_in(&app, "Theo Theme").await;
    assert!(first.get("/").await.body.contains(r#"data-theme="lotus""#));
    let switched = first
        .post("/theme", &[("theme", "wine"), ("back", "/servers")])
        .await;
    assert_eq!(switched.location, "/servers");
    assert!(first.get("/").await.body.contains(r#"data-theme="wine""#));
    let (_, me) = app.get(&user.token, "/api/v1/me").await;
    assert_eq!(me["theme"], "wine", "kept in the profile");
    let mut second = Browser::new(&app);
    second.sign_in(&user).await;
    assert!(second.get("/").await.body.contains(r#"data-theme="wine""#));
}
