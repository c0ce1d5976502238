//! The dashboard's totals and duplicate warnings: scoped to what the caller reads, and kept in
//! step with creates, edits, deletes and restores (duplicates come from the identifier keys
//! written beside each entity, not from a scan).

use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, User};

backends!(dashboard_duplicates_follow_writes_and_access);

fn server(name: &str, hostname: &str, ip: &str) -> Value {
    json!({"name": name, "hostname": hostname, "ipv4_private": ip})
}

/// `(field, value, count)` of each duplicate group the caller's dashboard shows.
async fn duplicates(app: &TestApp, user: &User) -> Vec<(String, String, u64)> {
    let (status, body) = app.get(&user.token, "/api/v1/dashboard").await;
    assert!(status.is_success(), "{body}");
    let mut out: Vec<_> = body["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["kind"], "server");
            (
                d["field"].as_str().unwrap().to_owned(),
                d["value"].as_str().unwrap().to_owned(),
                d["count"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn dup(field: &str, value: &str, n: u64) -> (String, String, u64) {
    (field.to_owned(), value.to_owned(), n)
}

/// Bob's first server and Carol's share a hostname; Bob's second and Carol's an IP.
fn both_shared() -> Vec<(String, String, u64)> {
    vec![
        dup("hostname", "web.prod", 2),
        dup("ipv4_private", "10.0.0.2", 2),
    ]
}

async fn dashboard_duplicates_follow_writes_and_access(app: &TestApp) {
    let admin = app.user("Ada Admin").await;
    let bob = app.user("Bob Builder").await;
    let carol = app.user("Carol Cloud").await;
    let b1 = app
        .create(&bob.token, "servers", server("b-1", "web.prod", "10.0.0.1"))
        .await;
    let b2 = app
        .create(&bob.token, "servers", server("b-2", "web.prod", "10.0.0.2"))
        .await;
    app.create(
        &carol.token,
        "servers",
        server("c-1", "web.prod", "10.0.0.2"),
    )
    .await;

    // Each sees the duplicates among what they read; the administrator sees all of them.
    assert_eq!(
        duplicates(app, &bob).await,
        vec![dup("hostname", "web.prod", 2)]
    );
    assert_eq!(duplicates(app, &carol).await, vec![]);
    assert_eq!(
        duplicates(app, &admin).await,
        vec![
            dup("hostname", "web.prod", 3),
            dup("ipv4_private", "10.0.0.2", 2)
        ]
    );
    let (_, dash) = app.get(&bob.token, "/api/v1/dashboard").await;
    assert_eq!(dash["totals"]["servers"], 2);
    let (_, dash) = app.get(&admin.token, "/api/v1/dashboard").await;
    assert_eq!(dash["totals"]["servers"], 3);

    // An edit moves the value; a deleted server holds none; a restored one holds it again.
    let path = |s: &Value| format!("/api/v1/servers/{}", s["id"].as_str().unwrap());
    let (status, body) = app
        .patch(&bob.token, &path(&b2), json!({"hostname": "api.prod"}))
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(duplicates(app, &bob).await, vec![]);
    assert_eq!(duplicates(app, &admin).await, both_shared());
    let (status, body) = app.delete(&bob.token, &path(&b1)).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(
        duplicates(app, &admin).await,
        vec![dup("ipv4_private", "10.0.0.2", 2)]
    );
    let (_, dash) = app.get(&bob.token, "/api/v1/dashboard").await;
    assert_eq!(
        dash["totals"]["servers"], 1,
        "a deleted server is not counted"
    );
    let (status, body) = app
        .post(&bob.token, &format!("{}/restore", path(&b1)), json!({}))
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(duplicates(app, &admin).await, both_shared());

    // An edit that leaves the identifiers alone keeps their counts.
    let (status, body) = app.patch(&bob.token, &path(&b1), json!({"cpu": 8})).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(duplicates(app, &admin).await, both_shared());
}
