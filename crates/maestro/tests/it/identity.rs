//! Profiles, password changes, API tokens, session renewal, administrators' tools and login
//! throttling.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{PASSWORD, TestApp};
use crate::support::error_fields;

backends!(
    profile_and_password,
    api_tokens_are_shown_once_and_revocable,
    sessions_renew,
    administrators_manage_accounts,
    repeated_login_failures_are_throttled,
);

async fn profile_and_password(app: &TestApp) {
    let u = app.user("Paula").await;
    let (status, me) = app
        .patch(&u.token, "/api/v1/me", json!({"fullname": "Paula Pereira", "phone": "+55 11 5555", "city": "Recife", "theme": "dark", "name": "Paula P"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["fullname"], "Paula Pereira");
    assert_eq!(me["theme"], "dark");
    assert_eq!(me["name"], "Paula P");
    let (status, body) = app
        .patch(
            &u.token,
            "/api/v1/me",
            json!({"theme": "neon", "salary": 1, "city": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"].as_array().unwrap().len(), 3);
    let (_, me) = app
        .patch(&u.token, "/api/v1/me", json!({"city": null}))
        .await;
    assert!(me.get("city").is_none());
    // The profile as read goes back as it is; a new e-mail or role is refused, not dropped.
    let (status, again) = app.patch(&u.token, "/api/v1/me", me.clone()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let (status, body) = app
        .patch(
            &u.token,
            "/api/v1/me",
            json!({"email": "new@example.com", "admin": me["admin"] != true, "name": "Paula Q"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_fields(&body), ["email", "admin"], "{body}");
    assert_eq!(app.get(&u.token, "/api/v1/me").await.1["name"], "Paula P");

    // A second session, to see it end when the password changes.
    let (_, other) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": u.email, "password": PASSWORD})),
        )
        .await;
    let other = other["token"].as_str().unwrap().to_owned();
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&u.token),
            Some(&change("wrong-one!", "a-new-passphrase")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&u.token),
            Some(&change(PASSWORD, "short")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&u.token),
            Some(&change(PASSWORD, "a-new-passphrase")),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&u.token, "/api/v1/me").await.0,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        app.get(&other, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "others end"
    );
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": u.email, "password": "a-new-passphrase"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, history) = app
        .get(&u.token, &format!("/api/v1/users/{}/history", u.id))
        .await;
    let last = &history["items"][0];
    assert_eq!(last["changes"][0]["path"], "password");
    assert!(
        !last.to_string().contains("argon2"),
        "hashes never reach the history"
    );
}

async fn api_tokens_are_shown_once_and_revocable(app: &TestApp) {
    let u = app.user("Scripter").await;
    let (status, created) = app
        .post(
            &u.token,
            "/api/v1/me/tokens",
            json!({"name": "ci pipeline"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("mt_"));
    let (_, list) = app.get(&u.token, "/api/v1/me/tokens").await;
    assert_eq!(list["total"], 1);
    assert!(
        list["items"][0].get("token").is_none(),
        "the secret is shown once"
    );
    assert!(list["items"][0]["last_used_at"].is_null());
    // Unsaid, a token lasts 90 days.
    let expires =
        chrono::DateTime::parse_from_rfc3339(list["items"][0]["expires_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
    let days = (expires - chrono::Utc::now()).num_days();
    assert!((89..=90).contains(&days), "{days}");
    // The token acts as its owner.
    let mine = app
        .create(&u.token, "servers", json!({"name": "scripted"}))
        .await;
    let (status, got) = app
        .get(
            &secret,
            &format!("/api/v1/servers/{}", mine["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    let (_, me) = app.get(&secret, "/api/v1/me").await;
    assert_eq!(me["id"], u.id);
    // A token mints no tokens (they would outlive its revocation).
    let (status, problem) = app
        .post(&secret, "/api/v1/me/tokens", json!({"name": "child"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("sign in"));
    let (_, list) = app.get(&u.token, "/api/v1/me/tokens").await;
    assert!(list["items"][0]["last_used_at"].is_string());
    // A wrong secret with the right id is refused.
    let forged = format!("{}{}", &secret[..secret.len() - 4], "beef");
    assert_eq!(
        app.get(&forged, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Other users cannot revoke it; its owner can.
    let other = app.user("Other").await;
    let tid = created["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&other.token, &format!("/api/v1/me/tokens/{tid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&u.token, &format!("/api/v1/me/tokens/{tid}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&secret, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = app
        .post(
            &u.token,
            "/api/v1/me/tokens",
            json!({"name": "old", "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Live tokens are bounded; a revoked one frees its place.
    let mut last = None;
    for i in 0.. {
        let (status, body) = app
            .post(
                &u.token,
                "/api/v1/me/tokens",
                json!({"name": format!("t{i}")}),
            )
            .await;
        if status != StatusCode::CREATED {
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert!(
                body["detail"].as_str().unwrap().contains("revoke one"),
                "{body}"
            );
            break;
        }
        assert!(i < 100, "no bound on live tokens");
        last = body["id"].as_str().map(str::to_owned);
    }
    let (_, list) = app.get(&u.token, "/api/v1/me/tokens").await;
    let live = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["revoked_at"].is_null())
        .count();
    assert_eq!(live, 50);
    let last = last.unwrap();
    app.delete(&u.token, &format!("/api/v1/me/tokens/{last}"))
        .await;
    let (status, _) = app
        .post(&u.token, "/api/v1/me/tokens", json!({"name": "again"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn sessions_renew(app: &TestApp) {
    let u = app.user("Renewer").await;
    let (status, renewed) = app.post(&u.token, "/api/v1/auth/renew", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let fresh = renewed["token"].as_str().unwrap();
    assert_eq!(app.get(fresh, "/api/v1/me").await.0, StatusCode::OK);
    let (_, token) = app
        .post(&u.token, "/api/v1/me/tokens", json!({"name": "t"}))
        .await;
    let (status, _) = app
        .post(
            token["token"].as_str().unwrap(),
            "/api/v1/auth/renew",
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "API tokens are not renewed"
    );
}

async fn administrators_manage_accounts(app: &TestApp) {
    let admin = app.user("Admin").await;
    let bob = app.user("Bob").await;
    let carol = app.user("Carol").await;
    // Non-administrators cannot list accounts, only look one up by exact e-mail.
    assert_eq!(
        app.get(&bob.token, "/api/v1/users").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, found) = app
        .get(&bob.token, &format!("/api/v1/users?email={}", carol.email))
        .await;
    assert_eq!(found["items"], json!([{"id": carol.id, "name": "Carol"}]));
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, all) = app.get(&admin.token, "/api/v1/users").await;
    assert_eq!(names(&all), vec!["Admin", "Bob", "Carol"]);
    let (_, some) = app.get(&admin.token, "/api/v1/users?q=BOB").await;
    assert_eq!(names(&some), vec!["Bob"]);
    assert_eq!(
        app.patch(
            &bob.token,
            &format!("/api/v1/users/{}", carol.id),
            json!({"admin": true})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Promote Bob: he now sees everything.
    let carols = app
        .create(&carol.token, "servers", json!({"name": "carols"}))
        .await;
    let (status, promoted) = app
        .patch(
            &admin.token,
            &format!("/api/v1/users/{}", bob.id),
            json!({"admin": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{promoted}");
    assert_eq!(
        app.get(
            &bob.token,
            &format!("/api/v1/servers/{}", carols["id"].as_str().unwrap())
        )
        .await
        .0,
        StatusCode::OK
    );
    // Disable Carol: her sessions end and she cannot log in.
    app.patch(
        &admin.token,
        &format!("/api/v1/users/{}", carol.id),
        json!({"active": false}),
    )
    .await;
    assert_eq!(
        app.get(&carol.token, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let login = json!({"email": carol.email, "password": PASSWORD});
    assert_eq!(
        app.call(Method::POST, "/api/v1/auth/login", None, Some(&login))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // Reset Carol's password (re-enabled first).
    app.patch(
        &admin.token,
        &format!("/api/v1/users/{}", carol.id),
        json!({"active": true}),
    )
    .await;
    let (status, _) = app
        .post(
            &admin.token,
            &format!("/api/v1/users/{}/password", carol.id),
            json!({"password": "set-by-the-admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let login = json!({"email": carol.email, "password": "set-by-the-admin"});
    let (status, session) = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(&login))
        .await;
    assert_eq!(status, StatusCode::OK);
    let carol_token = session["token"].as_str().unwrap().to_owned();
    // The last administrator cannot demote themself.
    app.patch(
        &admin.token,
        &format!("/api/v1/users/{}", bob.id),
        json!({"admin": false}),
    )
    .await;
    let (status, _) = app
        .patch(
            &admin.token,
            &format!("/api/v1/users/{}", admin.id),
            json!({"admin": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Promotion is in the history.
    let (_, history) = app
        .get(&admin.token, &format!("/api/v1/users/{}/history", bob.id))
        .await;
    let admin_changes: Vec<&Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["changes"][0]["path"] == "admin")
        .collect();
    assert_eq!(admin_changes.len(), 2);
    assert_eq!(admin_changes[1]["actor"]["name"], "Admin");
    assert_eq!(
        app.get(&carol_token, &format!("/api/v1/users/{}/history", bob.id))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

async fn repeated_login_failures_are_throttled(app: &TestApp) {
    let u = app.user("Target").await;
    let attempt = |pw: &str| {
        let body = json!({"email": u.email, "password": pw});
        async move {
            let res = app
                .client
                .post(app.url("/api/v1/auth/login"))
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                res.status(),
                res.headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned()),
            )
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong-password").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, retry) = attempt("wrong-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let secs: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=900).contains(&secs));
    // Even the right password waits until the lock expires.
    assert_eq!(attempt(PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are unaffected.
    let other = app.user("Bystander").await;
    let body = json!({"email": other.email, "password": PASSWORD});
    assert_eq!(
        app.call(Method::POST, "/api/v1/auth/login", None, Some(&body))
            .await
            .0,
        StatusCode::OK
    );
}
