//! Access without grants: an entity exists only for its owner and the administrators — every
//! route, list, search, filter and reference of anyone else behaves as if it did not exist —
//! and every change is attributed to the account that made it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, User};
use crate::support::{create_id, error_fields, history, names, ref_ids};

backends!(
    others_entities_do_not_exist,
    others_entities_cannot_be_referenced,
    administrators_see_and_change_everything,
);

const NONE: [&str; 0] = [];
const UNKNOWN: &str = "01a21c27-b045-72bc-b9cf-3aab55a0b0aa";

/// Three accounts: the administrator (first) and two ordinary users.
async fn accounts(app: &TestApp) -> (User, User, User) {
    let admin = app.user("Admin").await;
    assert!(admin.admin);
    let (a, b) = (app.user("Alice").await, app.user("Bob").await);
    assert!(!a.admin && !b.admin);
    (admin, a, b)
}

/// A JSON answer with an id replaced, to compare answers about different ids.
fn without_id(answer: &Value, eid: &str) -> Value {
    serde_json::from_str(&answer.to_string().replace(eid, "ID")).expect("json")
}

async fn others_entities_do_not_exist(app: &TestApp) {
    let (_, a, b) = accounts(app).await;
    let body = json!({"name": "alice-web", "hostname": "alice-web.prod", "ipv4_private": "10.9.9.9",
                      "environment": "Production", "tags": [{"key": "team", "value": "alice"}]});
    let sid = create_id(app, &a.token, "servers", body).await;
    let body = json!({"name": "alice-app", "servers": [sid]});
    let web = create_id(app, &a.token, "applications", body).await;
    let gone = create_id(app, &a.token, "servers", json!({"name": "alice-old"})).await;
    let (status, _) = app
        .delete(&a.token, &format!("/api/v1/servers/{gone}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, before) = app.get(&a.token, &format!("/api/v1/servers/{sid}")).await;
    let body = json!({"name": "bob-box", "environment": "Production"});
    create_id(app, &b.token, "servers", body).await;

    // Every route on Alice's server answers Bob exactly as for an id that does not exist.
    for target in [&sid, &gone] {
        for (method, suffix, body) in [
            (Method::GET, "", None),
            (Method::PATCH, "", Some(json!({"cpu": 64}))),
            (Method::DELETE, "", None),
            (Method::GET, "/history", None),
            (Method::GET, "/relations", None),
            (Method::POST, "/restore", Some(json!({}))),
        ] {
            let call = |eid: &str| {
                let path = format!("/api/v1/servers/{eid}{suffix}");
                let (method, body) = (method.clone(), body.clone());
                let token = b.token.as_str();
                async move { app.call(method, &path, Some(token), body.as_ref()).await }
            };
            let ((status, p), (_, q)) = (call(target).await, call(UNKNOWN).await);
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {suffix}: {p}");
            assert_eq!(
                without_id(&p, target),
                without_id(&q, UNKNOWN),
                "{method} {suffix}"
            );
        }
    }
    // Lists, counts, search and filters of every kind leave Alice's entities out.
    let bob = |coll: &'static str, q: String| names(app, &b.token, coll, q);
    assert_eq!(bob("servers", String::new()).await, ["bob-box"]);
    assert_eq!(bob("servers", "active=all".into()).await, ["bob-box"]);
    assert_eq!(
        bob("servers", "environment=Production".into()).await,
        ["bob-box"]
    );
    for (coll, q) in [
        ("servers", "active=false".to_owned()),
        ("servers", "q=alice".into()),
        ("servers", "q=10.9.9.9".into()),
        ("servers", "hostname=alice-web.prod".into()),
        ("servers", "tags.value=alice".into()),
        ("servers", "name[contains]=alice".into()),
        ("servers", format!("id={sid}")),
        ("servers", format!("applications.id={web}")),
        ("applications", "active=all".into()),
        ("applications", format!("servers.id={sid}")),
    ] {
        assert_eq!(bob(coll, q.clone()).await, NONE, "{coll}?{q}");
    }
    // Alice still sees her own, unchanged by Bob's attempts.
    let alice = |q: &'static str| names(app, &a.token, "servers", q.to_owned());
    assert_eq!(alice("active=all").await, ["alice-old", "alice-web"]);
    assert_eq!(alice("q=alice").await, ["alice-web"]);
    let (_, got) = app.get(&a.token, &format!("/api/v1/servers/{sid}")).await;
    assert_eq!(
        (got.get("cpu"), &got["updated_at"]),
        (None, &before["updated_at"])
    );
    assert_eq!(history(app, &a.token, "servers", &gone).await.len(), 2);
}

async fn others_entities_cannot_be_referenced(app: &TestApp) {
    let (_, a, b) = accounts(app).await;
    let alice = |coll: &'static str, body: Value| create_id(app, &a.token, coll, body);
    let aapp = alice("applications", json!({"name": "alice-app"})).await;
    let srv = alice("servers", json!({"name": "alice-srv"})).await;
    let sys = alice("systems", json!({"name": "alice-sys"})).await;
    let dc = alice(
        "datacenters",
        json!({"name": "alice-dc", "provider": "AWS"}),
    )
    .await;
    // Each body names the hidden entity as "ID".
    for (coll, field, hidden, body) in [
        (
            "applications",
            "deps[0]",
            &aapp,
            json!({"name": "bob-app", "deps": ["ID"]}),
        ),
        (
            "applications",
            "servers[0]",
            &srv,
            json!({"name": "bob-app", "servers": ["ID"]}),
        ),
        (
            "applications",
            "system[0]",
            &sys,
            json!({"name": "bob-app", "system": ["ID"]}),
        ),
        (
            "servers",
            "applications[0]",
            &aapp,
            json!({"name": "bob", "applications": ["ID"]}),
        ),
        (
            "servers",
            "datacenters.id",
            &dc,
            json!({"name": "bob", "datacenters": {"id": "ID"}}),
        ),
        (
            "clients",
            "systems[0]",
            &sys,
            json!({"name": "bob-client", "systems": ["ID"]}),
        ),
        (
            "volumes",
            "servers[0]",
            &srv,
            json!({"name": "bob-vol", "size": 1, "unique_id": "v-1", "servers": ["ID"]}),
        ),
    ] {
        let path = format!("/api/v1/{coll}");
        let with = |eid: &str| {
            serde_json::from_str::<Value>(&body.to_string().replace("ID", eid)).unwrap()
        };
        let (status, p) = app.post(&b.token, &path, with(hidden)).await;
        assert_eq!(
            (status, error_fields(&p)),
            (StatusCode::BAD_REQUEST, vec![field.to_owned()]),
            "{coll}"
        );
        // Exactly the answer for an id that exists nowhere.
        let (_, q) = app.post(&b.token, &path, with(UNKNOWN)).await;
        assert_eq!(
            without_id(&p, hidden),
            without_id(&q, UNKNOWN),
            "{coll} {field}"
        );
    }
    for coll in [
        "applications",
        "servers",
        "systems",
        "clients",
        "datacenters",
        "volumes",
    ] {
        assert_eq!(
            names(app, &b.token, coll, "active=all".into()).await,
            NONE,
            "{coll}"
        );
    }
    let (_, rel) = app
        .get(&a.token, &format!("/api/v1/applications/{aapp}/relations"))
        .await;
    assert_eq!(
        rel,
        json!({"outgoing": [], "incoming": [], "totals": {"outgoing": {}, "incoming": {}}})
    );
}

async fn administrators_see_and_change_everything(app: &TestApp) {
    let (admin, a, b) = accounts(app).await;
    let sa = create_id(
        app,
        &a.token,
        "servers",
        json!({"name": "alice-srv", "cpu": 2}),
    )
    .await;
    let sb = create_id(
        app,
        &b.token,
        "servers",
        json!({"name": "bob-srv", "cpu": 4}),
    )
    .await;
    let ab = create_id(app, &b.token, "applications", json!({"name": "bob-app"})).await;
    let root = |coll: &'static str, q: &'static str| names(app, &admin.token, coll, q.to_owned());
    assert_eq!(root("servers", "").await, ["alice-srv", "bob-srv"]);
    assert_eq!(
        root("servers", "cpu[gte]=2").await,
        ["alice-srv", "bob-srv"]
    );
    assert_eq!(root("servers", "q=srv").await, ["alice-srv", "bob-srv"]);
    // The administrator edits Alice's server and links it to Bob's application.
    let path = format!("/api/v1/servers/{sa}");
    let (status, got) = app
        .patch(&admin.token, &path, json!({"cpu": 8, "applications": [ab]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(
        (got["cpu"].clone(), ref_ids(&got["applications"])),
        (json!(8), vec![ab.clone()])
    );
    assert_eq!(got["owner"]["id"], a.id, "ownership does not move");
    let (status, _) = app
        .delete(&admin.token, &format!("/api/v1/servers/{sb}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post(
            &admin.token,
            &format!("/api/v1/servers/{sb}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Every entry names the account that acted, with the source.
    let actors = |h: Vec<Value>| -> Vec<(String, String, String, String)> {
        h.iter()
            .map(|e| {
                let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                (
                    s(&e["op"]),
                    s(&e["actor"]["id"]),
                    s(&e["actor"]["name"]),
                    s(&e["source"]),
                )
            })
            .collect()
    };
    let entry = |op: &str, u: &User, name: &str| {
        (
            op.to_owned(),
            u.id.clone(),
            name.to_owned(),
            "api".to_owned(),
        )
    };
    let h = history(app, &a.token, "servers", &sa).await;
    assert_eq!(
        actors(h),
        [
            entry("update", &admin, "Admin"),
            entry("create", &a, "Alice")
        ]
    );
    let h = history(app, &b.token, "applications", &ab).await;
    assert_eq!(
        actors(h.clone()),
        [entry("update", &admin, "Admin"), entry("create", &b, "Bob")]
    );
    // Alice's server is not Bob's to see, not even as an id.
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "servers", "old": null, "new": [{"id": "(hidden)"}]}])
    );
    let h = history(app, &b.token, "servers", &sb).await;
    assert_eq!(
        actors(h),
        [
            entry("restore", &admin, "Admin"),
            entry("delete", &admin, "Admin"),
            entry("create", &b, "Bob")
        ]
    );
    // Neither owner sees the other's side of the link the administrator made, not even
    // through filters.
    for (who, query, want) in [
        (&a, "applications[exists]=true".to_owned(), NONE.as_slice()),
        (&a, format!("applications.id={ab}"), &[]),
        (&a, "applications[exists]=false".to_owned(), &["alice-srv"]),
        (&admin, format!("applications.id={ab}"), &["alice-srv"]),
        (
            &admin,
            "applications[exists]=true".to_owned(),
            &["alice-srv"],
        ),
    ] {
        assert_eq!(
            names(app, &who.token, "servers", query.clone()).await,
            want,
            "{query}"
        );
    }
    let (bob_apps, q) = (&b.token, format!("servers.id={sa}"));
    assert_eq!(names(app, bob_apps, "applications", q).await, NONE);
    let (_, mine) = app.get(&a.token, &path).await;
    assert_eq!(mine["applications"], json!([]));
    let (_, theirs) = app
        .get(&b.token, &format!("/api/v1/applications/{ab}"))
        .await;
    assert_eq!(theirs["servers"], json!([]));
    let (_, full) = app
        .get(&admin.token, &format!("/api/v1/applications/{ab}"))
        .await;
    assert_eq!(ref_ids(&full["servers"]), [sa.as_str()]);
}
