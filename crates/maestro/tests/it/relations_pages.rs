//! A relation with many entries is read a part at a time: `GET /{collection}/{id}/relations`
//! answers each relation's first entries per collection with the totals, `?side=…&rel=…` pages
//! through one, counts and pages hold only what the caller may read, and bad parameters are a
//! 400 naming them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{bad_request, error_fields};

backends!(a_crowded_datacenter_is_read_a_part_at_a_time);

fn names(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_crowded_datacenter_is_read_a_part_at_a_time(app: &TestApp) {
    let u = app.user("Crowd").await;
    let t = &u.token;
    let dc = id(&app
        .create(
            t,
            "datacenters",
            json!({"name": "aws-prod", "provider": "AWS"}),
        )
        .await);
    for i in (0..30).rev() {
        let body = json!({"name": format!("node-{i:02}"), "datacenters": {"id": dc}});
        app.create(t, "servers", body).await;
    }
    for name in ["vol-b", "vol-a"] {
        let body = json!({"name": name, "size": 10, "unique_id": name, "datacenters": {"id": dc}});
        app.create(t, "volumes", body).await;
    }
    // Someone who may read the datacenter places a server of their own there.
    let other = app.user("Neighbour").await;
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/v1/datacenters/{dc}/grants"),
            Some(t),
            Some(&json!({"grants": [{"user": other.id, "role": "read"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let body = json!({"name": "theirs", "datacenters": {"id": dc}});
    app.create(&other.token, "servers", body).await;

    let base = format!("/api/v1/datacenters/{dc}/relations");
    // Each relation's first entries per collection, by name, with what the caller can read.
    let (status, rel) = app.get(t, &format!("{base}?limit=10")).await;
    assert_eq!(status, StatusCode::OK, "{rel}");
    let first: Vec<String> = (0..10).map(|i| format!("node-{i:02}")).collect();
    let mut expected = first.clone();
    expected.extend(["vol-a".to_owned(), "vol-b".to_owned()]);
    assert_eq!(names(&rel["incoming"]), expected);
    // (The first account is an administrator: it reads the neighbour's server too.)
    assert_eq!(
        rel["totals"],
        json!({"outgoing": {}, "incoming": {"located_in": {"servers": 31, "volumes": 2}}})
    );
    assert_eq!(rel["incoming"][0]["rel"], "located_in");
    let (_, all) = app.get(t, &base).await;
    assert_eq!(all["incoming"].as_array().unwrap().len(), 33);
    let (_, theirs) = app.get(&other.token, &base).await;
    assert_eq!(names(&theirs["incoming"]), ["theirs"]);
    assert_eq!(
        theirs["totals"]["incoming"]["located_in"],
        json!({"servers": 1})
    );

    // One side's pages, by name across collections.
    let (status, page) = app
        .get(
            t,
            &format!("{base}?side=incoming&rel=located_in&limit=12&page=3"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        (
            page["total"].as_u64(),
            page["page"].as_u64(),
            page["limit"].as_u64()
        ),
        (Some(33), Some(3), Some(12))
    );
    assert_eq!(
        names(&page["items"]),
        [
            "node-24", "node-25", "node-26", "node-27", "node-28", "node-29", "theirs", "vol-a",
            "vol-b"
        ]
    );
    assert_eq!(page["items"][7]["collection"], "volumes");
    let (_, out) = app.get(t, &format!("{base}?side=outgoing")).await;
    assert_eq!(
        (out["total"].as_u64(), out["items"].clone()),
        (Some(0), json!([]))
    );
    let (_, server) = app.get(t, "/api/v1/servers?name=node-03").await;
    let s3 = id(&server["items"][0]);
    let (_, out) = app
        .get(t, &format!("/api/v1/servers/{s3}/relations?side=outgoing"))
        .await;
    assert_eq!(names(&out["items"]), ["aws-prod"]);

    // The datacenter's own document is unchanged by what points at it.
    let (status, doc) = app.get(t, &format!("/api/v1/datacenters/{dc}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["name"], "aws-prod");

    for (query, field) in [
        ("side=up", "side"),
        ("rel=located_in", "rel"),
        ("page=2", "page"),
        ("side=incoming&rel=likes", "rel"),
        ("limit=0", "limit"),
        ("sort=name", "sort"),
    ] {
        let problem = bad_request(app, t, &format!("{base}?{query}")).await;
        assert_eq!(error_fields(&problem), [field], "{query}: {problem}");
    }
}
