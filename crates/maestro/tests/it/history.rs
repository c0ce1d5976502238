//! Change history: field-level paths, one entry per write, attribution, newest first in the
//! list envelope, privacy, and writes that change nothing recording nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{bad_request, error_fields, history, list, ops};

backends!(
    changes_are_field_level,
    entries_are_attributed_newest_first_and_paged,
    history_is_as_private_as_the_entity,
    writes_that_change_nothing_record_nothing,
    a_deletion_records_each_detached_reference_at_its_path,
);

fn server() -> Value {
    json!({
        "name": "db-01", "hostname": "db-01.prod", "cpu": 4,
        "os": {"base": "Linux", "dist": "Ubuntu", "version": "22.04"},
        "storage": [{"name": "/dev/sda", "size": 100}, {"name": "/dev/sdb", "size": 500}],
        "tags": [{"key": "team", "value": "data"}]
    })
}

async fn changes_are_field_level(app: &TestApp) {
    let u = app.user("Auditor").await;
    let t = &u.token;
    let s = app.create(t, "servers", server()).await;
    let (sid, path) = (id(&s), format!("/api/v1/servers/{}", id(&s)));
    let h = history(app, t, "servers", &sid).await;
    // A creation is one entry: every leaf of objects, lists whole, defaults included.
    assert_eq!(ops(&h), ["create"]);
    assert_eq!(h[0]["at"], s["created_at"]);
    let n = Value::Null;
    assert_eq!(
        h[0]["changes"],
        json!([
            {"path": "cpu", "old": n, "new": 4},
            {"path": "hostname", "old": n, "new": "db-01.prod"},
            {"path": "name", "old": n, "new": "db-01"},
            {"path": "os.base", "old": n, "new": "Linux"},
            {"path": "os.dist", "old": n, "new": "Ubuntu"},
            {"path": "os.version", "old": n, "new": "22.04"},
            {"path": "status", "old": n, "new": "Active"},
            {"path": "storage", "old": n, "new": server()["storage"]},
            {"path": "tags", "old": n, "new": server()["tags"]},
        ])
    );
    let step = |patch: Value| {
        let path = path.clone();
        let sid = sid.clone();
        async move {
            let (status, got) = app.patch(t, &path, patch).await;
            assert_eq!(status, StatusCode::OK, "{got}");
            let h = history(app, t, "servers", &sid).await;
            assert_eq!(
                (&h[0]["op"], &h[0]["at"]),
                (&json!("update"), &got["updated_at"])
            );
            h[0]["changes"].clone()
        }
    };
    assert_eq!(
        step(json!({"os": {"version": "24.04"}})).await,
        json!([{"path": "os.version", "old": "22.04", "new": "24.04"}])
    );
    let storage = json!([{"name": "/dev/sda", "size": 200}, {"name": "/dev/sdb", "size": 500}]);
    assert_eq!(
        step(json!({"storage": storage})).await,
        json!([{"path": "storage", "old": server()["storage"], "new": storage}])
    );
    // Several fields in one write: one entry, paths in order.
    assert_eq!(
        step(json!({"tags": null, "os": {"variety": "server"}, "cpu": 8, "memory": 32})).await,
        json!([
            {"path": "cpu", "old": 4, "new": 8},
            {"path": "memory", "old": n, "new": 32},
            {"path": "os.variety", "old": n, "new": "server"},
            {"path": "tags", "old": server()["tags"], "new": n},
        ])
    );
    assert_eq!(
        step(json!({"os": null})).await,
        json!([
            {"path": "os.base", "old": "Linux", "new": n},
            {"path": "os.dist", "old": "Ubuntu", "new": n},
            {"path": "os.variety", "old": "server", "new": n},
            {"path": "os.version", "old": "24.04", "new": n},
        ])
    );
    assert_eq!(history(app, t, "servers", &sid).await.len(), 5);
}

async fn entries_are_attributed_newest_first_and_paged(app: &TestApp) {
    let _admin = app.user("Admin").await;
    let u = app.user("Alice").await;
    let t = &u.token;
    let sid = id(&app.create(t, "servers", server()).await);
    let path = format!("/api/v1/servers/{sid}");
    for cpu in 1..=5 {
        assert_eq!(
            app.patch(t, &path, json!({"cpu": cpu})).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(app.delete(t, &path).await.0, StatusCode::NO_CONTENT);
    let (status, _) = app.post(t, &format!("{path}/restore"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let h = history(app, t, "servers", &sid).await;
    let expected = [
        "restore", "delete", "update", "update", "update", "update", "update", "create",
    ];
    assert_eq!(ops(&h), expected);
    let news: Vec<Value> = h[2..7]
        .iter()
        .map(|e| e["changes"][0]["new"].clone())
        .collect();
    assert_eq!(news, [5, 4, 3, 2, 1].map(|n| json!(n)));
    let at = |e: &Value| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap();
    for pair in h.windows(2) {
        assert!(at(&pair[0]) >= at(&pair[1]), "{pair:?}");
    }
    for e in &h {
        assert_eq!(e["actor"], json!({"id": u.id, "name": "Alice"}));
        assert_eq!(e["source"], "api");
        assert!(e["id"].as_str().is_some_and(|i| !i.is_empty()));
    }
    assert_eq!(
        h[1]["changes"],
        json!([{"path": "active", "old": true, "new": false}])
    );
    // Paging: the list envelope of every list.
    let page = |q: &'static str| {
        let path = format!("{path}/history?{q}");
        async move { list(app, t, &path).await }
    };
    for (q, want, p, l) in [
        ("limit=3", &expected[0..3], 1, 3),
        ("limit=3&page=2", &expected[3..6], 2, 3),
        ("limit=3&page=3", &expected[6..8], 3, 3),
        ("limit=3&page=4", &expected[0..0], 4, 3),
        ("limit=1000", &expected[..], 1, 500),
        ("", &expected[..], 1, 50),
    ] {
        let body = page(q).await;
        let items = body["items"].as_array().unwrap().clone();
        assert_eq!(ops(&items), want, "{q}");
        assert_eq!(
            (
                body["total"].clone(),
                body["page"].clone(),
                body["limit"].clone()
            ),
            (json!(8), json!(p), json!(l)),
            "{q}"
        );
    }
    for q in ["limit=0", "page=0", "limit=x"] {
        let p = bad_request(app, t, &format!("{path}/history?{q}")).await;
        assert_eq!(error_fields(&p), [q.split('=').next().unwrap()]);
    }
}

async fn history_is_as_private_as_the_entity(app: &TestApp) {
    let admin = app.user("Admin").await;
    let (a, b) = (app.user("Alice").await, app.user("Bob").await);
    let sid = id(&app.create(&a.token, "servers", server()).await);
    let path = format!("/api/v1/servers/{sid}/history");
    assert_eq!(app.get(&b.token, &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(list(app, &admin.token, &path).await["total"], 1);
    // Through another collection, an unknown id or a malformed one.
    assert_eq!(
        app.get(&a.token, &format!("/api/v1/applications/{sid}/history"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let unknown = "/api/v1/servers/01a21c27-b045-72bc-b9cf-3aab55a0b0aa/history";
    assert_eq!(app.get(&a.token, unknown).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&a.token, "/api/v1/servers/nope/history").await.0,
        StatusCode::BAD_REQUEST
    );
    // A deleted entity's history stays readable by those who could read it.
    assert_eq!(
        app.delete(&a.token, &format!("/api/v1/servers/{sid}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ops(&history(app, &a.token, "servers", &sid).await),
        ["delete", "create"]
    );
    assert_eq!(app.get(&b.token, &path).await.0, StatusCode::NOT_FOUND);
}

async fn writes_that_change_nothing_record_nothing(app: &TestApp) {
    let u = app.user("Quiet").await;
    let t = &u.token;
    let s = app.create(t, "servers", server()).await;
    let (sid, path) = (id(&s), format!("/api/v1/servers/{}", id(&s)));
    for patch in [
        json!({}),
        json!({"cpu": 4}),
        json!({"cpu": 4.0}),
        json!({"ipv4_public": null}),
        json!({"os": {"base": "Linux"}}),
        json!({"storage": server()["storage"], "tags": server()["tags"]}),
        json!({"applications": [], "datacenters": null}),
        json!({"id": sid, "kind": "server", "active": true, "created_at": "2000-01-01T00:00:00Z"}),
    ] {
        let (status, got) = app.patch(t, &path, patch.clone()).await;
        assert_eq!(status, StatusCode::OK, "{patch}: {got}");
        assert_eq!(got["updated_at"], s["updated_at"], "{patch}");
    }
    // Restoring an active entity and deleting a deleted one are no-ops too.
    let (status, _) = app.post(t, &format!("{path}/restore"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ops(&history(app, t, "servers", &sid).await), ["create"]);
    assert_eq!(app.delete(t, &path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(t, &path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        ops(&history(app, t, "servers", &sid).await),
        ["delete", "create"]
    );
}

async fn a_deletion_records_each_detached_reference_at_its_path(app: &TestApp) {
    let u = app.user("Alice").await;
    let t = &u.token;
    let dc = id(&app
        .create(
            t,
            "datacenters",
            json!({"name": "dc-paris", "provider": "Own"}),
        )
        .await);
    let mut body = server();
    body["datacenters"] = json!({"id": dc, "region": "eu-west-3"});
    let sid = id(&app.create(t, "servers", body).await);
    let app_id = id(&app
        .create(t, "applications", json!({"name": "shop", "servers": [sid]}))
        .await);
    let path = format!("/api/v1/servers/{sid}");
    assert_eq!(app.delete(t, &path).await.0, StatusCode::NO_CONTENT);
    let h = history(app, t, "servers", &sid).await;
    let deletion = h[0]["changes"].as_array().unwrap();
    let at = |p: &str| deletion.iter().find(|c| c["path"] == p).cloned();
    assert_eq!(at("active").unwrap()["new"], false);
    assert_eq!(
        at("datacenters.id"),
        Some(json!({"path": "datacenters.id", "old": dc, "new": null}))
    );
    assert!(
        at("datacenters").is_none(),
        "the region stays: {deletion:?}"
    );
    assert_eq!(at("applications").unwrap()["old"][0]["id"], app_id.as_str());
    let (_, deleted) = app.get(t, &path).await;
    assert_eq!(deleted["datacenters"]["region"], "eu-west-3");
}
