//! Placement relations: load balancer `targets`, volume `servers` and `datacenters.id`, which
//! only the forward side's document shows (the rest see them as incoming relations).

use reqwest::StatusCode;
use serde_json::json;

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{history, pairs, peers, relations};

backends!(targets_volumes_and_datacenters);

async fn targets_volumes_and_datacenters(app: &TestApp) {
    let u = app.user("Placer").await;
    let t = &u.token;
    let dc = id(&app
        .create(
            t,
            "datacenters",
            json!({"name": "aws-prod", "provider": "AWS"}),
        )
        .await);
    let body = json!({"name": "node-1", "datacenters": {"id": dc, "region": "us-east-1", "name": "stale"}});
    let s1 = app.create(t, "servers", body).await;
    assert_eq!(
        s1["datacenters"],
        json!({"id": dc, "name": "aws-prod", "region": "us-east-1"})
    );
    let s1 = id(&s1);
    let lb = app
        .create(
            t,
            "loadbalancers",
            json!({"name": "front", "targets": [s1]}),
        )
        .await;
    let body = json!({"name": "data-vol", "size": 100, "unique_id": "vol-1", "servers": [s1]});
    let vol = app.create(t, "volumes", body).await;
    assert_eq!(
        vol["servers"],
        json!([{"id": s1, "name": "node-1", "kind": "server", "collection": "servers"}])
    );
    let cdn = json!({"name": "assets", "family": "CDN", "datacenters": {"id": dc}});
    app.create(t, "resources", cdn).await;
    let rel = relations(app, t, "servers", &s1).await;
    assert_eq!(
        peers(&rel["outgoing"]),
        pairs(&[("aws-prod", "located_in")])
    );
    assert_eq!(
        peers(&rel["incoming"]),
        pairs(&[("data-vol", "attached_to"), ("front", "targets")])
    );
    let front = rel["incoming"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "front");
    assert_eq!(
        front.unwrap(),
        &json!({"id": id(&lb), "name": "front", "kind": "application", "collection": "loadbalancers",
                "family": "Loadbalance", "rel": "targets"})
    );
    let rel = relations(app, t, "datacenters", &dc).await;
    assert_eq!(
        peers(&rel["incoming"]),
        pairs(&[("assets", "located_in"), ("node-1", "located_in")])
    );
    // The server's document has no field for targets or volumes: no history entry for them.
    assert_eq!(history(app, t, "servers", &s1).await.len(), 1);
    // The datacenter's name is read live; removing the id removes the relation, not the rest.
    let (status, _) = app
        .patch(
            t,
            &format!("/api/v1/datacenters/{dc}"),
            json!({"name": "aws-main"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let path = format!("/api/v1/servers/{s1}");
    let (_, got) = app.get(t, &path).await;
    assert_eq!(got["datacenters"]["name"], "aws-main");
    let (_, got) = app
        .patch(t, &path, json!({"datacenters": {"id": null}}))
        .await;
    assert_eq!(
        got["datacenters"],
        json!({"region": "us-east-1", "name": "stale"})
    );
    let rel = relations(app, t, "datacenters", &dc).await;
    assert_eq!(peers(&rel["incoming"]), pairs(&[("assets", "located_in")]));
    // Deleting the datacenter unplaces what was in it, recorded on each.
    let (_, assets) = app.get(t, "/api/v1/resources?name=assets").await;
    let assets = id(&assets["items"][0]);
    let (status, _) = app.delete(t, &format!("/api/v1/datacenters/{dc}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, got) = app.get(t, &format!("/api/v1/resources/{assets}")).await;
    assert!(got.get("datacenters").is_none(), "{got}");
    let h = history(app, t, "resources", &assets).await;
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "datacenters.id", "old": dc, "new": null}])
    );
    let (_, got) = app.get(t, &path).await;
    assert_eq!(
        got["datacenters"],
        json!({"region": "us-east-1", "name": "stale"})
    );
}
