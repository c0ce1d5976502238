//! Unauthenticated operational routes and the OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::backends;
use crate::harness::TestApp;

backends!(
    operational_routes_need_no_token,
    openapi_covers_every_route,
    unknown_routes_are_problems
);

async fn operational_routes_need_no_token(app: &TestApp) {
    for path in [
        "/healthz",
        "/readyz",
        "/api/v1/version",
        "/api/v1/openapi.json",
    ] {
        let (status, body) = app.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, v) = app.call(Method::GET, "/api/v1/version", None, None).await;
    assert_eq!(v["backend"], app.backend);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    let (_, r) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r["status"], "ready");
}

async fn openapi_covers_every_route(app: &TestApp) {
    // The API's root answers as the API does, and says where the routes are.
    for root in ["/api/v1", "/api/v1/"] {
        let (status, problem) = app.call(Method::GET, root, None, None).await;
        assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{root}");
        assert!(problem["detail"].as_str().unwrap().contains("openapi.json"));
    }
    let (_, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/servers",
        "/api/v1/servers/{id}",
        "/api/v1/servers/{id}/history",
        "/api/v1/servers/{id}/relations",
        "/api/v1/databases",
        "/api/v1/settings/{key}",
        "/api/v1/settings/{key}/history",
        "/api/v1/servers/{id}/owner",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    // Every operation documents its error responses as problem+json.
    let create = &doc["paths"]["/api/v1/servers"]["post"]["responses"];
    assert!(create["400"]["content"]["application/problem+json"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["ServerInput"]["required"],
        serde_json::json!(["name"])
    );
}

async fn unknown_routes_are_problems(app: &TestApp) {
    let (status, body) = app
        .call(Method::GET, "/api/v1/nope/x/y/z", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["status"], 404);
    let user = app.user("Route Tester").await;
    let (status, body) = app.get(&user.token, "/api/v1/widgets").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("widgets"));
    let (status, _) = app
        .call(Method::PUT, "/api/v1/servers", Some(&user.token), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let res = app
        .client
        .get(app.url("/api/v1/widgets"))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let _: Value = res.json().await.unwrap();
}
