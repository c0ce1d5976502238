//! `/applications`, `/databases`, `/loadbalancers` and `/resources` are views of one kind told
//! apart by `family` (family-only fields and networks are in `family_fields`).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{error_fields, history, names};

backends!(collections_are_family_views, family_mismatches_are_refused,);

pub const NONE: [&str; 0] = [];

async fn collections_are_family_views(app: &TestApp) {
    let u = app.user("Viewer").await;
    let t = &u.token;
    let plain = app
        .create(t, "applications", json!({"name": "storefront"}))
        .await;
    let db = app
        .create(t, "databases", json!({"name": "orders-db"}))
        .await;
    let explicit = json!({"name": "billing-db", "family": "Database"});
    let db2 = app.create(t, "databases", explicit).await;
    let lb = app
        .create(t, "loadbalancers", json!({"name": "edge-lb"}))
        .await;
    let cdn = json!({"name": "assets-cdn", "family": "CDN"});
    let cdn = app.create(t, "resources", cdn).await;
    let cache = json!({"name": "sessions", "family": "Cache"});
    app.create(t, "resources", cache).await;
    for (entity, family) in [
        (&plain, "Application"),
        (&db, "Database"),
        (&db2, "Database"),
        (&lb, "Loadbalance"),
        (&cdn, "CDN"),
    ] {
        assert_eq!(
            (entity["kind"].as_str(), entity["family"].as_str()),
            (Some("application"), Some(family))
        );
    }
    let res = app
        .client
        .post(app.url("/api/v1/databases"))
        .bearer_auth(t)
        .json(&json!({"name": "ledger-db"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let ledger: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/databases/{}", id(&ledger)));

    let list = |coll: &'static str, q: &'static str| names(app, t, coll, q.to_owned());
    assert_eq!(list("applications", "").await, ["storefront"]);
    assert_eq!(
        list("databases", "").await,
        ["billing-db", "ledger-db", "orders-db"]
    );
    assert_eq!(list("loadbalancers", "").await, ["edge-lb"]);
    assert_eq!(list("resources", "").await, ["assets-cdn", "sessions"]);
    assert_eq!(list("resources", "family=CDN").await, ["assets-cdn"]);
    assert_eq!(
        list("resources", "family=CDN&family=Cache").await,
        ["assets-cdn", "sessions"]
    );
    assert_eq!(list("resources", "family[ne]=CDN").await, ["sessions"]);
    assert_eq!(list("resources", "family=Database").await, NONE);
    assert_eq!(list("applications", "family=Database").await, NONE);
    assert_eq!(list("resources", "q=orders").await, NONE);

    // An entity is reachable only through the collection that shows its family.
    let db_id = id(&db);
    for coll in ["applications", "loadbalancers", "resources", "servers"] {
        for suffix in ["", "/history", "/relations"] {
            let (status, _) = app.get(t, &format!("/api/v1/{coll}/{db_id}{suffix}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{coll}{suffix}");
        }
        let path = format!("/api/v1/{coll}/{db_id}");
        let (status, _) = app.patch(t, &path, json!({"description": "x"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "PATCH {coll}");
        let (status, _) = app.delete(t, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "DELETE {coll}");
    }
    let (status, got) = app.get(t, &format!("/api/v1/databases/{db_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (got["active"].clone(), got.get("description")),
        (json!(true), None)
    );
    assert_eq!(history(app, t, "databases", &db_id).await.len(), 1);
}

async fn family_mismatches_are_refused(app: &TestApp) {
    let u = app.user("Mismatch").await;
    let t = &u.token;
    for (coll, body) in [
        ("databases", json!({"name": "x-cache", "family": "Cache"})),
        ("databases", json!({"name": "x-number", "family": 5})),
        (
            "applications",
            json!({"name": "x-db", "family": "Database"}),
        ),
        (
            "loadbalancers",
            json!({"name": "x-app", "family": "Application"}),
        ),
        ("resources", json!({"name": "x-none"})),
        ("resources", json!({"name": "x-null", "family": null})),
        (
            "resources",
            json!({"name": "x-app", "family": "Application"}),
        ),
        ("resources", json!({"name": "x-db", "family": "Database"})),
        (
            "resources",
            json!({"name": "x-lb", "family": "Loadbalance"}),
        ),
        ("resources", json!({"name": "x-bad", "family": "Mainframe"})),
        ("resources", json!({"name": "x-case", "family": "cdn"})),
    ] {
        let (status, p) = app.post(t, &format!("/api/v1/{coll}"), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{coll} {body}: {p}");
        assert_eq!(error_fields(&p), ["family"], "{coll} {body}");
    }
    for coll in ["applications", "databases", "loadbalancers", "resources"] {
        assert_eq!(
            names(app, t, coll, "active=all".into()).await,
            NONE,
            "{coll}"
        );
    }
    // A null family in a fixed-family collection is the same as none.
    let db = app
        .create(t, "databases", json!({"name": "main-db", "family": null}))
        .await;
    assert_eq!(db["family"], "Database");
    let cdn = app
        .create(t, "resources", json!({"name": "cdn-1", "family": "CDN"}))
        .await;
    let (db_path, cdn_path) = (
        format!("/api/v1/databases/{}", id(&db)),
        format!("/api/v1/resources/{}", id(&cdn)),
    );
    for (path, family) in [
        (&db_path, json!("Cache")),
        (&db_path, json!("Application")),
        (&db_path, json!(null)),
        (&cdn_path, json!("Database")),
        (&cdn_path, json!("Application")),
        (&cdn_path, json!(null)),
        (&cdn_path, json!("Nope")),
    ] {
        let (status, p) = app
            .patch(t, path, json!({"family": family, "description": "moved"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {family}: {p}");
        assert_eq!(error_fields(&p), ["family"], "{path} {family}");
    }
    let (_, got) = app.get(t, &db_path).await;
    assert_eq!(
        (got["family"].clone(), got.get("description")),
        (json!("Database"), None)
    );
    assert_eq!(history(app, t, "databases", &id(&db)).await.len(), 1);
    // Moving between resource families stays in /resources, and is recorded.
    let (status, moved) = app
        .patch(t, &cdn_path, json!({"family": "ObjectStorage"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["family"], "ObjectStorage");
    assert_eq!(
        names(app, t, "resources", "family=ObjectStorage".into()).await,
        ["cdn-1"]
    );
    assert_eq!(names(app, t, "resources", "family=CDN".into()).await, NONE);
    let h = history(app, t, "resources", &id(&cdn)).await;
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "family", "old": "CDN", "new": "ObjectStorage"}])
    );
}
