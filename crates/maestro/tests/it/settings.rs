//! Seeded settings and services catalog; who may change them; closed registration.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::backends;
use crate::harness::{PASSWORD, TestApp};

backends!(
    settings_are_seeded_and_admins_edit_them,
    services_catalog_is_seeded_and_admin_only
);

async fn settings_are_seeded_and_admins_edit_them(app: &TestApp) {
    let admin = app.user("Admin").await;
    let user = app.user("User").await;
    let (status, all) = app.get(&user.token, "/api/v1/settings").await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    for k in [
        "server_options",
        "env_options",
        "application_options",
        "datacenter_options",
        "regions",
    ] {
        assert!(keys.contains(&k), "{k} in {keys:?}");
    }
    let (_, regions) = app.get(&user.token, "/api/v1/settings/regions").await;
    let aws = regions["value"]["AWS"].as_array().unwrap();
    let east = aws.iter().find(|r| r["name"] == "us-east-1").unwrap();
    assert_eq!(east["zones"].as_array().unwrap().len(), 6);
    let (_, env) = app.get(&user.token, "/api/v1/settings/env_options").await;
    assert!(
        env["value"]["environment"]
            .as_array()
            .unwrap()
            .contains(&json!("Production"))
    );
    assert_eq!(
        app.get(&user.token, "/api/v1/application_options").await.0,
        StatusCode::NOT_FOUND,
        "settings live under /settings"
    );

    let new = json!({"value": {"environment": ["Production", "Staging", "QA"], "size": ["small"]}});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/settings/env_options",
            Some(&user.token),
            Some(&new),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings/env_options",
            Some(&admin.token),
            Some(&new),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, env) = app.get(&user.token, "/api/v1/settings/env_options").await;
    assert_eq!(env["value"], new["value"]);
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/settings/env_options",
            Some(&admin.token),
            Some(&json!({"value": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A setting is replaced whole: a partial value would silently drop its other sections.
    for (bad, field) in [
        (
            json!({"value": {"environment": ["Production"]}}),
            "value.size",
        ),
        (json!({"value": {}}), "value.environment"),
        (
            json!({"value": {"environment": [], "size": [], "foo": []}}),
            "value.foo",
        ),
    ] {
        let (status, problem) = app
            .call(
                Method::PUT,
                "/api/v1/settings/env_options",
                Some(&admin.token),
                Some(&bad),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (_, unchanged) = app.get(&user.token, "/api/v1/settings/env_options").await;
    assert_eq!(unchanged["value"], new["value"]);
    // Each entry keeps the shape of the current ones: the regions cannot be wiped by a typo.
    for (bad, field) in [
        (json!({"value": {"x": 1}}), "value.x"),
        (json!({"value": {"AWS": "x"}}), "value.AWS"),
        (
            json!({"value": {"AWS": [{"name": "a", "zones": "a1"}]}}),
            "value.AWS[0].zones",
        ),
    ] {
        let (status, problem) = app
            .call(
                Method::PUT,
                "/api/v1/settings/regions",
                Some(&admin.token),
                Some(&bad),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (_, after) = app.get(&user.token, "/api/v1/settings/regions").await;
    assert_eq!(after, regions, "refused changes change nothing");
    // Emptied, the regions can be filled again, and still only with regions.
    for (body, want) in [
        (json!({"value": {}}), StatusCode::OK),
        (
            json!({"value": {"NewCloud": [{"bogus": 1}]}}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"value": regions["value"]}), StatusCode::OK),
    ] {
        let (status, answer) = app
            .call(
                Method::PUT,
                "/api/v1/settings/regions",
                Some(&admin.token),
                Some(&body),
            )
            .await;
        assert_eq!(status, want, "{body}: {answer}");
    }
    // Every change is in the setting's history, readable by every account.
    let (status, history) = app
        .get(&user.token, "/api/v1/settings/env_options/history")
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["total"], 1);
    assert_eq!(history["items"][0]["actor"]["name"], "Admin");
    let (_, history) = app
        .get(&user.token, "/api/v1/settings/regions/history")
        .await;
    assert_eq!(history["total"], 2, "emptied, then filled again");
    assert_eq!(history["items"][0]["op"], "update");
    assert_eq!(
        app.get(&user.token, "/api/v1/settings/nope/history")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/settings/nope",
            Some(&admin.token),
            Some(&new),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn services_catalog_is_seeded_and_admin_only(app: &TestApp) {
    let admin = app.user("Admin").await;
    let user = app.user("User").await;
    let (_, page) = app.get(&user.token, "/api/v1/services?q=nginx").await;
    assert!(page["total"].as_u64().unwrap() >= 1, "{page}");
    let (_, all) = app.get(&user.token, "/api/v1/services?limit=1").await;
    assert!(all["total"].as_u64().unwrap() > 300);
    let (_, caches) = app
        .get(&user.token, "/api/v1/services?family=Cache&limit=500")
        .await;
    assert!(
        caches["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "Redis"),
        "{caches}"
    );
    let body = json!({"name": "Valkey", "family": ["Cache", "Database"], "tags": ["kv"]});
    let (status, _) = app
        .post(&user.token, "/api/v1/services", body.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let created = app.create(&admin.token, "services", body).await;
    let (status, got) = app
        .get(
            &user.token,
            &format!("/api/v1/services/{}", created["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["name"], "Valkey");
}

#[tokio::test]
async fn closed_registration_lets_only_the_first_account_in() {
    for backend in ["sqlite", "postgres"] {
        let Some(app) = TestApp::with_settings(backend, |s| {
            s.registration = maestro::config::Registration::Closed
        })
        .await
        else {
            continue;
        };
        app.user("First").await;
        let body = json!({"name": "Second", "email": "second@example.com", "password": PASSWORD});
        let (status, _) = app
            .call(Method::POST, "/api/v1/auth/register", None, Some(&body))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend}");
    }
}
