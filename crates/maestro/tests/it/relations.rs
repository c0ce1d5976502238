//! Every relation of the README's table, read from both sides: the reference fields of each
//! entity, `GET /{collection}/{id}/relations`, and the history of the entity at the other end.

use reqwest::StatusCode;
use serde_json::json;

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{history, ops, pairs, peers, ref_ids, relations};

backends!(
    restoring_brings_back_what_the_entity_referenced,
    dependencies_in_both_directions,
    servers_and_applications_mirror_each_other,
    systems_clients_and_entry_points,
);

async fn dependencies_in_both_directions(app: &TestApp) {
    let u = app.user("Mapper").await;
    let t = &u.token;
    let web = id(&app.create(t, "applications", json!({"name": "web"})).await);
    let db = id(&app.create(t, "databases", json!({"name": "pg-main"})).await);
    let body = json!({"name": "api", "deps": [{"id": web, "endpoint": "rest"}, {"id": db, "endpoint": "tcp/ip"}]});
    let api = app.create(t, "applications", body).await;
    assert_eq!(
        api["deps"],
        json!([
            {"id": web, "name": "web", "kind": "application", "collection": "applications", "family": "Application", "endpoint": "rest"},
            {"id": db, "name": "pg-main", "kind": "application", "collection": "databases", "family": "Database", "endpoint": "tcp/ip"},
        ])
    );
    let api = id(&api);
    let body = json!({"name": "worker", "deps": [api, {"id": web, "endpoint": "amqp"}]});
    let worker = id(&app.create(t, "applications", body).await);
    let rel = relations(app, t, "applications", &api).await;
    assert_eq!(
        rel["outgoing"][0],
        json!({"id": web, "name": "web", "kind": "application", "collection": "applications",
               "family": "Application", "rel": "depends_on", "attrs": {"endpoint": "rest"}})
    );
    assert_eq!(
        peers(&rel["outgoing"]),
        pairs(&[("pg-main", "depends_on"), ("web", "depends_on")])
    );
    assert_eq!(
        rel["incoming"],
        json!([{"id": worker, "name": "worker", "kind": "application", "collection": "applications",
                "family": "Application", "rel": "depends_on"}])
    );
    // Directed: the dependency lists nothing itself, and sees its dependents as incoming.
    let (_, got) = app.get(t, &format!("/api/v1/applications/{web}")).await;
    assert_eq!(got["deps"], json!([]));
    let rel = relations(app, t, "applications", &web).await;
    assert_eq!(rel["outgoing"], json!([]));
    assert_eq!(
        peers(&rel["incoming"]),
        pairs(&[("api", "depends_on"), ("worker", "depends_on")])
    );
    let amqp = rel["incoming"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "worker");
    assert_eq!(amqp.unwrap()["attrs"], json!({"endpoint": "amqp"}));
    let rel = relations(app, t, "databases", &db).await;
    assert_eq!(peers(&rel["incoming"]), pairs(&[("api", "depends_on")]));
    // A dependent is not changed by being depended on: no history on the dependency.
    assert_eq!(history(app, t, "applications", &web).await.len(), 1);
}

async fn servers_and_applications_mirror_each_other(app: &TestApp) {
    let u = app.user("Mirror").await;
    let t = &u.token;
    let s1 = id(&app.create(t, "servers", json!({"name": "node-1"})).await);
    let s2 = id(&app.create(t, "servers", json!({"name": "node-2"})).await);
    let db = id(&app.create(t, "databases", json!({"name": "pg-main"})).await);
    // Written from the application's side…
    let a1 = app
        .create(t, "applications", json!({"name": "shop", "servers": [s1]}))
        .await;
    assert_eq!(
        a1["servers"],
        json!([{"id": s1, "name": "node-1", "kind": "server", "collection": "servers"}])
    );
    let a1 = id(&a1);
    let (_, node1) = app.get(t, &format!("/api/v1/servers/{s1}")).await;
    assert_eq!(
        node1["applications"],
        json!([{"id": a1, "name": "shop", "kind": "application", "collection": "applications", "family": "Application"}])
    );
    let h = history(app, t, "servers", &s1).await;
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["op"], "update");
    assert_eq!(h[0]["actor"]["id"], u.id);
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "applications", "old": null, "new": [{"id": a1}]}])
    );
    // …and from the server's side.
    let (status, node2) = app
        .patch(
            t,
            &format!("/api/v1/servers/{s2}"),
            json!({"applications": [a1, {"id": db}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{node2}");
    // An inverse field lists its peers by id (creation order), whatever order was sent…
    assert_eq!(ref_ids(&node2["applications"]), [db.as_str(), a1.as_str()]);
    let (_, got) = app.get(t, &format!("/api/v1/servers/{s2}")).await;
    assert_eq!(got["applications"], node2["applications"]);
    // …so sending the same set in another order changes nothing and writes nothing.
    let (status, same) = app
        .patch(
            t,
            &format!("/api/v1/servers/{s2}"),
            json!({"applications": [a1, db]}),
        )
        .await;
    assert_eq!(
        (status, &same["updated_at"]),
        (StatusCode::OK, &got["updated_at"])
    );
    assert_eq!(history(app, t, "servers", &s2).await.len(), 2);
    let (_, shop) = app.get(t, &format!("/api/v1/applications/{a1}")).await;
    assert_eq!(ref_ids(&shop["servers"]), [s1.as_str(), s2.as_str()]);
    let (_, pg) = app.get(t, &format!("/api/v1/databases/{db}")).await;
    assert_eq!(ref_ids(&pg["servers"]), [s2.as_str()]);
    let h = history(app, t, "applications", &a1).await;
    assert_eq!(h.len(), 2);
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "servers", "old": [{"id": s1}], "new": [{"id": s1}, {"id": s2}]}])
    );
    assert_eq!(
        history(app, t, "databases", &db).await[0]["changes"][0]["path"],
        "servers"
    );
    let rel = relations(app, t, "applications", &a1).await;
    assert_eq!(
        peers(&rel["outgoing"]),
        pairs(&[("node-1", "hosted_on"), ("node-2", "hosted_on")])
    );
    assert_eq!(rel["incoming"], json!([]));
    let rel = relations(app, t, "servers", &s2).await;
    assert_eq!(
        peers(&rel["incoming"]),
        pairs(&[("pg-main", "hosted_on"), ("shop", "hosted_on")])
    );
    assert_eq!(rel["outgoing"], json!([]));
    // Removing from one side shows on the other.
    let (status, _) = app
        .patch(
            t,
            &format!("/api/v1/servers/{s1}"),
            json!({"applications": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, shop) = app.get(t, &format!("/api/v1/applications/{a1}")).await;
    assert_eq!(ref_ids(&shop["servers"]), [s2.as_str()]);
    let path = format!("/api/v1/applications/{a1}");
    let (_, shop) = app.patch(t, &path, json!({"servers": null})).await;
    assert_eq!(shop["servers"], json!([]));
    let (_, node2) = app.get(t, &format!("/api/v1/servers/{s2}")).await;
    assert_eq!(ref_ids(&node2["applications"]), [db]);
}

async fn systems_clients_and_entry_points(app: &TestApp) {
    let u = app.user("Owner").await;
    let t = &u.token;
    let c1 = id(&app.create(t, "clients", json!({"name": "acme"})).await);
    let a1 = id(&app
        .create(t, "applications", json!({"name": "checkout"}))
        .await);
    let a2 = id(&app
        .create(t, "applications", json!({"name": "gateway"}))
        .await);
    let body = json!({"name": "shop", "clients": [c1], "applications": [a1], "entry": [a2]});
    let sys = app.create(t, "systems", body).await;
    assert_eq!(ref_ids(&sys["clients"]), [c1.as_str()]);
    assert_eq!(ref_ids(&sys["applications"]), [a1.as_str(), a2.as_str()]);
    assert_eq!(ref_ids(&sys["entry"]), [a2.as_str()]);
    let sys = id(&sys);
    let (_, acme) = app.get(t, &format!("/api/v1/clients/{c1}")).await;
    assert_eq!(
        acme["systems"],
        json!([{"id": sys, "name": "shop", "kind": "system", "collection": "systems"}])
    );
    for a in [&a1, &a2] {
        let (_, got) = app.get(t, &format!("/api/v1/applications/{a}")).await;
        assert_eq!(ref_ids(&got["system"]), [sys.as_str()]);
        let h = history(app, t, "applications", a).await;
        assert_eq!(
            h[0]["changes"],
            json!([{"path": "system", "old": null, "new": [{"id": sys}]}])
        );
    }
    // Written from the client's and the application's side.
    let c2 = id(&app
        .create(t, "clients", json!({"name": "globex", "systems": [sys]}))
        .await);
    let body = json!({"name": "search", "system": [{"id": sys}]});
    let a3 = id(&app.create(t, "applications", body).await);
    let (_, got) = app.get(t, &format!("/api/v1/systems/{sys}")).await;
    assert_eq!(ref_ids(&got["clients"]), [c1.as_str(), c2.as_str()]);
    assert_eq!(
        ref_ids(&got["applications"]),
        [a1.clone(), a2.clone(), a3.clone()]
    );
    let h = history(app, t, "systems", &sys).await;
    assert_eq!(h.len(), 3);
    assert_eq!(h[0]["changes"][0]["path"], "applications");
    assert_eq!(
        h[1]["changes"],
        json!([{"path": "clients", "old": [{"id": c1}], "new": [{"id": c1}, {"id": c2}]}])
    );
    let rel = relations(app, t, "systems", &sys).await;
    assert_eq!(
        peers(&rel["outgoing"]),
        pairs(&[
            ("acme", "serves"),
            ("checkout", "contains"),
            ("gateway", "contains"),
            ("gateway", "entry"),
            ("globex", "serves"),
            ("search", "contains"),
        ])
    );
    assert_eq!(rel["incoming"], json!([]));
    let rel = relations(app, t, "applications", &a2).await;
    assert_eq!(
        peers(&rel["incoming"]),
        pairs(&[("shop", "contains"), ("shop", "entry")])
    );
    // Leaving the entry points keeps the membership.
    let path = format!("/api/v1/systems/{sys}");
    let (_, got) = app.patch(t, &path, json!({"entry": []})).await;
    assert_eq!(got["entry"], json!([]));
    assert_eq!(
        ref_ids(&got["applications"]),
        [a1.as_str(), a2.as_str(), a3.as_str()]
    );
    let rel = relations(app, t, "applications", &a2).await;
    assert_eq!(peers(&rel["incoming"]), pairs(&[("shop", "contains")]));
    // An application that leaves the system leaves its entry points too, and stays out.
    app.patch(t, &path, json!({"entry": [a2]})).await;
    let (status, _) = app
        .patch(
            t,
            &format!("/api/v1/applications/{a2}"),
            json!({"system": []}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let (_, got) = app.patch(t, &path, json!({"name": "shop-2"})).await;
    assert_eq!(got["entry"], json!([]), "{got}");
    assert_eq!(ref_ids(&got["applications"]), [a1.as_str(), a3.as_str()]);
    // Setting the members without naming the entry points drops those no longer members.
    app.patch(t, &path, json!({"entry": [a3]})).await;
    let (_, got) = app.patch(t, &path, json!({"applications": [a1]})).await;
    assert_eq!(got["entry"], json!([]), "{got}");
    assert_eq!(ref_ids(&got["applications"]), [a1.as_str()]);
}

/// Deleting removes an entity's relations; restoring writes back the references it held (read
/// from the deletion's history) where their targets are still there, and drops the others.
async fn restoring_brings_back_what_the_entity_referenced(app: &TestApp) {
    let u = app.user("Restorer").await;
    let t = &u.token;
    let dc = app
        .create(
            t,
            "datacenters",
            json!({"name": "DC one", "provider": "AWS"}),
        )
        .await;
    let db = app
        .create(t, "applications", json!({"name": "orders-db"}))
        .await;
    let gone = app
        .create(t, "applications", json!({"name": "legacy"}))
        .await;
    let server = app
        .create(
            t,
            "servers",
            json!({"hostname": "web-1", "datacenters": {"id": id(&dc), "zone": "a"},
                "applications": [id(&db), id(&gone)]}),
        )
        .await;
    let path = format!("/api/v1/servers/{}", id(&server));
    assert_eq!(app.delete(t, &path).await.0, StatusCode::NO_CONTENT);
    let (_, deleted) = app.get(t, &path).await;
    assert!(deleted["datacenters"]["id"].is_null(), "{deleted}");
    // One of its targets goes meanwhile.
    let gone_path = format!("/api/v1/applications/{}", id(&gone));
    assert_eq!(app.delete(t, &gone_path).await.0, StatusCode::NO_CONTENT);

    let (status, restored) = app.post(t, &format!("{path}/restore"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["active"], true);
    assert_eq!(restored["datacenters"]["id"], id(&dc));
    assert_eq!(restored["datacenters"]["zone"], "a");
    let apps: Vec<&str> = restored["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        apps,
        [id(&db)],
        "the deleted target is left out: {restored}"
    );
    let h = history(app, t, "servers", &id(&server)).await;
    assert_eq!(ops(&h)[..3], ["update", "restore", "delete"]);
    // Restoring what is not deleted changes nothing.
    let (status, again) = app.post(t, &format!("{path}/restore"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["updated_at"], restored["updated_at"]);
}
