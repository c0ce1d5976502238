//! Signing in and out: redirects, the session cookie, wrong credentials, CSRF.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};

use super::client::{Browser, signed_in};
use crate::harness::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_are_sent_to_sign_in_and_come_back() {
    let app = TestApp::sqlite().await;
    let mut b = Browser::new(&app);
    let root = b.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location, "/login");
    let list = b.get("/servers?environment=Production").await;
    assert_eq!(list.status, StatusCode::SEE_OTHER);
    assert_eq!(
        list.location,
        "/login?next=%2Fservers%3Fenvironment%3DProduction"
    );
    let login = b.get(&list.location.clone()).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.content_type.starts_with("text/html"));
    assert!(
        login
            .body
            .contains(r#"name="next" value="/servers?environment=Production""#)
    );
    let user = app.user("Vera Visitor").await;
    let page = b
        .post(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", PASSWORD),
                ("next", "/servers?environment=Production"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/servers?environment=Production");
    let session = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("maestro_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http: no Secure flag");
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Overview") && home.body.contains("Vera Visitor"));
    // Never an open redirect.
    let evil = b
        .post(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(evil.location, "/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_stay_on_the_form() {
    let app = TestApp::sqlite().await;
    let user = app.user("Walt Wrong").await;
    let mut b = Browser::new(&app);
    let page = b
        .post(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", "not-the-password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.body.contains("invalid e-mail or password"),
        "{}",
        page.body
    );
    assert!(b.cookie("maestro_session").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_need_the_csrf_token() {
    let app = TestApp::sqlite().await;
    let (mut b, user) = signed_in(&app, "Cora Csrf").await;
    // No token, a wrong token, and no CSRF cookie at all: each refused, nothing created.
    let none = b
        .send(Method::POST, "/servers", Some(&[("name", "csrf-none")]))
        .await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    assert!(none.content_type.starts_with("text/html"));
    let wrong = "0".repeat(64);
    let bad = b
        .send(
            Method::POST,
            "/servers",
            Some(&[("_csrf", wrong.as_str()), ("name", "csrf-bad")]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    let mut stranger = Browser::new(&app);
    stranger.sign_in(&user).await;
    stranger.cookies.retain(|(k, _)| k != "maestro_csrf");
    let token = b.cookie("maestro_csrf").unwrap_or_default().to_owned();
    let cross = stranger
        .send(Method::POST, "/logout", Some(&[("_csrf", token.as_str())]))
        .await;
    assert_eq!(
        cross.status,
        StatusCode::FORBIDDEN,
        "a token without its cookie is refused"
    );
    let (_, list) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 0);
    // The header works for htmx requests.
    let header = b
        .client
        .post(app.url("/theme"))
        .header("cookie", format!("maestro_csrf={token}"))
        .header("x-csrf-token", token.as_str())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("theme=blue")
        .send()
        .await
        .expect("request");
    assert_eq!(header.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_revokes_the_session() {
    let app = TestApp::sqlite().await;
    let (mut b, _) = signed_in(&app, "Otto Out").await;
    let token = b.cookie("maestro_session").expect("session").to_owned();
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the cookie holds a real session token"
    );
    // The cookie reads through the API but changes nothing there, and the answer says why.
    let write = app
        .client
        .post(app.url("/api/v1/servers"))
        .header("cookie", format!("maestro_session={token}"))
        .json(&serde_json::json!({"name": "via-cookie"}))
        .send()
        .await
        .expect("request");
    assert_eq!(write.status(), StatusCode::UNAUTHORIZED);
    let problem: serde_json::Value = write.json().await.expect("problem");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("session cookie only reads")),
        "{problem}"
    );
    let out = b.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location, "/login");
    assert!(
        b.cookie("maestro_session").is_none(),
        "the cookie is cleared"
    );
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the session is revoked in the core"
    );
    b.cookies.push(("maestro_session".into(), token));
    assert_eq!(b.get("/").await.location, "/login");
}
