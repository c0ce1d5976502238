//! Writing references: every kind of bad reference is a 400 naming the item, deleting an entity
//! removes every relation to it (with history on the other side), restoring brings none back,
//! and a forward list keeps its order.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{error_fields, history, names, ops, peers, ref_ids, relations};

backends!(
    bad_references_name_the_item,
    deleting_removes_every_relation,
    forward_references_keep_their_order,
);

const UNKNOWN: &str = "01a21c27-b045-72bc-b9cf-3aab55a0b0aa";

async fn bad_references_name_the_item(app: &TestApp) {
    let _admin = app.user("Admin").await;
    let u = app.user("Writer").await;
    let t = &u.token;
    let other = app.user("Stranger").await;
    let theirs = id(&app
        .create(&other.token, "applications", json!({"name": "theirs"}))
        .await);
    let good = id(&app.create(t, "applications", json!({"name": "good"})).await);
    let server = id(&app.create(t, "servers", json!({"name": "box"})).await);
    let gone = id(&app.create(t, "applications", json!({"name": "gone"})).await);
    let (status, _) = app.delete(t, &format!("/api/v1/applications/{gone}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let me = app.create(t, "applications", json!({"name": "mine"})).await;
    let path = format!("/api/v1/applications/{}", id(&me));
    let bad = |deps: Value| {
        let path = path.clone();
        async move {
            let (status, p) = app.patch(t, &path, json!({"deps": deps})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
            p
        }
    };
    let one = |p: &Value| {
        (
            error_fields(p),
            p["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    assert_eq!(
        one(&bad(json!([UNKNOWN])).await),
        (
            vec!["deps[0]".to_owned()],
            format!("no application with id {UNKNOWN}")
        )
    );
    // Another user's entity looks exactly like one that does not exist.
    assert_eq!(
        one(&bad(json!([good, theirs])).await),
        (
            vec!["deps[1]".to_owned()],
            format!("no application with id {theirs}")
        )
    );
    assert_eq!(one(&bad(json!([server])).await).0, ["deps[0]"]);
    assert_eq!(one(&bad(json!([{"id": gone}])).await).0, ["deps[0]"]);
    assert_eq!(
        one(&bad(json!([id(&me)])).await),
        (
            vec!["deps[0]".to_owned()],
            "cannot refer to itself".to_owned()
        )
    );
    assert_eq!(one(&bad(json!(["not-an-id"])).await).0, ["deps[0]"]);
    assert_eq!(one(&bad(json!([{"name": "good"}])).await).0, ["deps[0]"]);
    assert_eq!(one(&bad(json!([42])).await).0, ["deps[0]"]);
    assert_eq!(one(&bad(json!([good, {"id": good}])).await).0, ["deps[1]"]);
    assert_eq!(
        one(&bad(json!([{"id": good, "colour": "red"}])).await).0,
        ["deps[0].colour"]
    );
    assert_eq!(
        one(&bad(json!([{"id": good, "endpoint": "x".repeat(61)}])).await).0,
        ["deps[0].endpoint"]
    );
    assert_eq!(one(&bad(json!({"id": good})).await).0, ["deps"]);
    // Every bad item is reported at once.
    let p = bad(json!([good, UNKNOWN, server, gone, theirs])).await;
    assert_eq!(
        error_fields(&p),
        ["deps[1]", "deps[2]", "deps[3]", "deps[4]"]
    );
    let body = json!({"name": "placed", "datacenters": {"id": server}});
    let (status, p) = app.post(t, "/api/v1/servers", body).await;
    assert_eq!(
        (status, error_fields(&p)),
        (StatusCode::BAD_REQUEST, vec!["datacenters.id".to_owned()])
    );
    let body = json!({"name": "new-app", "deps": [good, gone], "servers": [good]});
    let (status, p) = app.post(t, "/api/v1/applications", body).await;
    assert_eq!(
        (status, error_fields(&p)),
        (
            StatusCode::BAD_REQUEST,
            vec!["deps[1]".to_owned(), "servers[0]".to_owned()]
        )
    );
    // Nothing was written.
    let (_, got) = app.get(t, &path).await;
    assert_eq!(
        (got["deps"].clone(), &got["updated_at"]),
        (json!([]), &me["updated_at"])
    );
    assert_eq!(history(app, t, "applications", &id(&me)).await.len(), 1);
    assert_eq!(names(app, t, "servers", String::new()).await, ["box"]);
    let rel = relations(app, &other.token, "applications", &theirs).await;
    assert_eq!(
        rel,
        json!({"outgoing": [], "incoming": [], "totals": {"outgoing": {}, "incoming": {}}})
    );
}

async fn deleting_removes_every_relation(app: &TestApp) {
    let u = app.user("Remover").await;
    let t = &u.token;
    let web = id(&app.create(t, "applications", json!({"name": "web"})).await);
    let api = id(&app
        .create(
            t,
            "applications",
            json!({"name": "api", "deps": [{"id": web, "endpoint": "rest"}]}),
        )
        .await);
    let node = id(&app
        .create(t, "servers", json!({"name": "node", "applications": [web]}))
        .await);
    let body = json!({"name": "shop", "applications": [api], "entry": [web]});
    let sys = id(&app.create(t, "systems", body).await);
    let web_path = format!("/api/v1/applications/{web}");
    let (status, _) = app.delete(t, &web_path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (_, got) = app.get(t, &format!("/api/v1/applications/{api}")).await;
    assert_eq!(got["deps"], json!([]));
    assert_eq!(
        relations(app, t, "applications", &api).await["outgoing"],
        json!([])
    );
    let (_, got) = app.get(t, &format!("/api/v1/servers/{node}")).await;
    assert_eq!(got["applications"], json!([]));
    let (_, got) = app.get(t, &format!("/api/v1/systems/{sys}")).await;
    assert_eq!(
        (ref_ids(&got["applications"]), got["entry"].clone()),
        (vec![api.clone()], json!([]))
    );
    assert_eq!(
        relations(app, t, "applications", &web).await,
        json!({"outgoing": [], "incoming": [], "totals": {"outgoing": {}, "incoming": {}}})
    );
    assert_eq!(
        names(app, t, "applications", format!("deps.id={web}")).await,
        Vec::<String>::new()
    );
    assert_eq!(
        names(app, t, "servers", format!("applications.id={web}")).await,
        Vec::<String>::new()
    );
    // The deleted entity's history shows what it lost; the others' show what they lost.
    let h = history(app, t, "applications", &web).await;
    assert_eq!(ops(&h), ["delete", "update", "update", "create"]);
    assert_eq!(
        h[0]["changes"],
        json!([
            {"path": "active", "old": true, "new": false},
            {"path": "system", "old": [{"id": sys}], "new": null},
            {"path": "servers", "old": [{"id": node}], "new": null},
        ])
    );
    let h = history(app, t, "applications", &api).await;
    assert_eq!(ops(&h), ["update", "update", "create"]);
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "deps", "old": [{"id": web, "endpoint": "rest"}], "new": null}])
    );
    assert_eq!(h[0]["actor"]["id"], u.id);
    let h = history(app, t, "servers", &node).await;
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "applications", "old": [{"id": web}], "new": null}])
    );
    // One entry per entity, even when two of its fields lost the deleted one.
    let h = history(app, t, "systems", &sys).await;
    assert_eq!(ops(&h), ["update", "create"]);
    assert_eq!(
        h[0]["changes"],
        json!([
            {"path": "applications", "old": [{"id": api}, {"id": web}], "new": [{"id": api}]},
            {"path": "entry", "old": [{"id": web}], "new": null},
        ])
    );

    // Restoring brings back what its own fields referenced (its servers, its system); what
    // others' fields held (api's deps) stays removed.
    let (status, restored) = app.post(t, &format!("{web_path}/restore"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (ref_ids(&restored["servers"]), ref_ids(&restored["system"])),
        (vec![node.clone()], vec![sys.clone()])
    );
    let (_, got) = app.get(t, &format!("/api/v1/applications/{api}")).await;
    assert_eq!(got["deps"], json!([]));
    let h = history(app, t, "applications", &web).await;
    assert_eq!(
        ops(&h),
        ["update", "restore", "delete", "update", "update", "create"]
    );
    assert_eq!(
        h[1]["changes"],
        json!([{"path": "active", "old": false, "new": true}])
    );
    // Once restored it can be referenced again.
    let (status, got) = app
        .patch(
            t,
            &format!("/api/v1/applications/{api}"),
            json!({"deps": [web]}),
        )
        .await;
    assert_eq!(
        (status, ref_ids(&got["deps"])),
        (StatusCode::OK, vec![web.clone()])
    );
    let rel = relations(app, t, "applications", &web).await;
    assert_eq!(
        peers(&rel["incoming"]),
        [
            ("api".to_owned(), "depends_on".to_owned()),
            ("shop".to_owned(), "contains".to_owned())
        ]
    );
}

async fn forward_references_keep_their_order(app: &TestApp) {
    let u = app.user("Orderly").await;
    let t = &u.token;
    let mut ids = Vec::new();
    for name in ["aaa", "bbb", "ccc", "ddd"] {
        ids.push(id(&app
            .create(t, "applications", json!({"name": name}))
            .await));
    }
    let (a, b, c, d) = (
        ids[0].as_str(),
        ids[1].as_str(),
        ids[2].as_str(),
        ids[3].as_str(),
    );
    let x = app
        .create(
            t,
            "applications",
            json!({"name": "xxx", "deps": [c, a, d, b]}),
        )
        .await;
    assert_eq!(ref_ids(&x["deps"]), [c, a, d, b]);
    let path = format!("/api/v1/applications/{}", id(&x));
    let (_, got) = app.get(t, &path).await;
    assert_eq!(ref_ids(&got["deps"]), [c, a, d, b]);
    let (_, got) = app.patch(t, &path, json!({"deps": [b, c]})).await;
    assert_eq!(ref_ids(&got["deps"]), [b, c]);
    let (_, got) = app.patch(t, &path, json!({"deps": [c, b]})).await;
    assert_eq!(ref_ids(&got["deps"]), [c, b]);
    let (_, got) = app.get(t, &path).await;
    assert_eq!(ref_ids(&got["deps"]), [c, b]);
    let h = history(app, t, "applications", &id(&x)).await;
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "deps", "old": [{"id": b}, {"id": c}], "new": [{"id": c}, {"id": b}]}])
    );
    // Sending back what GET returned (names, kinds, collections included) changes nothing.
    let (status, same) = app.patch(t, &path, json!({"deps": got["deps"]})).await;
    assert_eq!(
        (status, &same["updated_at"]),
        (StatusCode::OK, &got["updated_at"])
    );
    // An attribute change on one item is a change.
    let (_, got) = app
        .patch(
            t,
            &path,
            json!({"deps": [{"id": c, "endpoint": "grpc"}, b]}),
        )
        .await;
    assert_eq!(got["deps"][0]["endpoint"], "grpc");
    assert_eq!(history(app, t, "applications", &id(&x)).await.len(), 4);
    // An empty list (or null) clears.
    let (_, got) = app.patch(t, &path, json!({"deps": []})).await;
    assert_eq!(got["deps"], json!([]));
    assert_eq!(
        relations(app, t, "applications", &id(&x)).await["outgoing"],
        json!([])
    );
    assert_eq!(
        relations(app, t, "applications", c).await["incoming"],
        json!([])
    );
    app.patch(t, &path, json!({"deps": [a]})).await;
    let (_, got) = app.patch(t, &path, json!({"deps": null})).await;
    assert_eq!(got["deps"], json!([]));
    let h = history(app, t, "applications", &id(&x)).await;
    assert_eq!(
        h[0]["changes"],
        json!([{"path": "deps", "old": [{"id": a}], "new": null}])
    );
}
