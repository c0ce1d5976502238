//! Registration, login, tokens and the caller's account.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::backends;
use crate::harness::{PASSWORD, TestApp};

backends!(
    first_account_is_admin_and_others_are_not,
    registration_rejects_bad_input_and_duplicates,
    login_checks_credentials,
    inventory_requires_a_valid_token,
    logout_revokes_the_session,
);

async fn first_account_is_admin_and_others_are_not(app: &TestApp) {
    let first = app.user("Ada Admin").await;
    let second = app.user("Bob Builder").await;
    assert!(first.admin);
    assert!(!second.admin);
    let (status, me) = app.get(&second.token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], second.id);
    assert_eq!(me["email"], second.email);
    assert_eq!(me["admin"], false);
    assert!(me.get("password_hash").is_none() && me.get("password").is_none());
}

async fn registration_rejects_bad_input_and_duplicates(app: &TestApp) {
    let reg = |body| async move {
        app.call(Method::POST, "/api/v1/auth/register", None, Some(&body))
            .await
    };
    let (status, body) =
        reg(json!({"name": "", "email": "not-an-email", "password": "short", "extra": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["name", "email", "password", "extra"] {
        assert!(fields.contains(&f), "{f} in {body}");
    }
    let (status, _) =
        reg(json!({"name": "Carla", "email": "carla@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) =
        reg(json!({"name": "Carla 2", "email": "CARLA@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = reg(json!(["not", "an", "object"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn login_checks_credentials(app: &TestApp) {
    let u = app.user("Dora").await;
    let login = |email: &str, pw: &str| {
        let body = json!({"email": email, "password": pw});
        async move {
            app.call(Method::POST, "/api/v1/auth/login", None, Some(&body))
                .await
        }
    };
    let (status, body) = login(&u.email, "wrong-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["status"], 401);
    let (status, _) = login("nobody@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = login(&u.email.to_uppercase(), PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["expires_at"].as_str().is_some());
    assert_eq!(body["user"]["id"], u.id);
}

async fn inventory_requires_a_valid_token(app: &TestApp) {
    let u = app.user("Eve").await;
    let (status, _) = app.call(Method::GET, "/api/v1/servers", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("garbage", "/api/v1/servers").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A token with its signature altered.
    let mut tampered = u.token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let (status, _) = app.get(&tampered, "/api/v1/servers").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // alg: none with the same claims.
    let claims = u.token.split('.').nth(1).unwrap();
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{claims}.");
    let (status, _) = app.get(&none, "/api/v1/servers").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get(&u.token, "/api/v1/servers").await;
    assert_eq!(status, StatusCode::OK);
}

async fn logout_revokes_the_session(app: &TestApp) {
    let u = app.user("Finn").await;
    let (status, _) = app.post(&u.token, "/api/v1/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&u.token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
