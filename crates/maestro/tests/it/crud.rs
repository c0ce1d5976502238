//! Create, read, merge-patch, delete and restore; history of each; bad input changes nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, id};

backends!(
    server_lifecycle_with_history,
    patch_changes_only_what_is_sent,
    merge_patch_content_type_and_null_removal,
    noop_update_writes_no_history,
    bad_input_is_rejected_and_changes_nothing,
    duplicate_hostname_and_ip_warn,
);

fn web01() -> Value {
    json!({
        "name": "web-01", "hostname": "web-01.prod", "ipv4_private": "10.0.0.1", "ipv4_public": "200.1.1.1",
        "os": {"base": "Linux", "dist": "Ubuntu", "version": "24.04"},
        "cpu": 4, "memory": 16, "role": "Application", "environment": "Production", "status": "Stopped",
        "storage": [{"name": "/dev/xvda", "size": 100, "mount": "/", "ftype": "ext4", "lvm": true, "pv": "pv0", "vg": "vg0"}],
        "auth": [{"type": "PKI", "name": "master.pem", "username": "ec2-user"}],
        "services": [{"name": "Nginx", "version": "1.25"}],
        "tags": [{"key": "team", "value": "web"}]
    })
}

async fn server_lifecycle_with_history(app: &TestApp) {
    let u = app.user("Owner").await;
    let (status, created) = app.post(&u.token, "/api/v1/servers", web01()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let sid = id(&created);
    assert_eq!(created["owner"]["id"], u.id);
    assert_eq!(created["active"], true);
    assert_eq!(created["warnings"], json!([]));
    let (status, got) = app.get(&u.token, &format!("/api/v1/servers/{sid}")).await;
    assert_eq!(status, StatusCode::OK);
    for key in [
        "hostname", "os", "storage", "auth", "services", "tags", "cpu",
    ] {
        assert_eq!(got[key], web01()[key], "{key}");
    }
    // The list item carries the same fields as GET.
    let (_, list) = app.get(&u.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0], got);

    let (status, patched) = app
        .patch(
            &u.token,
            &format!("/api/v1/servers/{sid}"),
            json!({"cpu": 8}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["cpu"], 8);

    let (status, _) = app
        .delete(&u.token, &format!("/api/v1/servers/{sid}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&u.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 0);
    let (_, inactive) = app.get(&u.token, "/api/v1/servers?active=false").await;
    assert_eq!(inactive["total"], 1);
    assert_eq!(inactive["items"][0]["active"], false);
    let (status, one) = app.get(&u.token, &format!("/api/v1/servers/{sid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["active"], false);

    let (status, restored) = app
        .post(
            &u.token,
            &format!("/api/v1/servers/{sid}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["active"], true);

    let (status, history) = app
        .get(&u.token, &format!("/api/v1/servers/{sid}/history"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let ops: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, vec!["restore", "delete", "update", "create"]);
    assert_eq!(history["total"], 4);
    assert_eq!(history["page"], 1);
    let update = &history["items"][2];
    assert_eq!(
        update["changes"],
        json!([{"path": "cpu", "old": 4, "new": 8}])
    );
    assert_eq!(update["actor"]["id"], u.id);
    assert_eq!(update["actor"]["name"], "Owner");
    assert_eq!(update["source"], "api");
    let create = &history["items"][3];
    let paths: Vec<&str> = create["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"hostname") && paths.contains(&"os.base") && paths.contains(&"storage")
    );
    let (_, page2) = app
        .get(
            &u.token,
            &format!("/api/v1/servers/{sid}/history?limit=1&page=2"),
        )
        .await;
    assert_eq!(page2["items"][0]["op"], "delete");
}

async fn patch_changes_only_what_is_sent(app: &TestApp) {
    let u = app.user("Patcher").await;
    let s = app.create(&u.token, "servers", web01()).await;
    let (_, patched) = app
        .patch(
            &u.token,
            &format!("/api/v1/servers/{}", id(&s)),
            json!({"environment": "Staging", "os": {"version": "24.10"}}),
        )
        .await;
    // Fields not sent keep their values (the original reset status to Active here).
    assert_eq!(patched["status"], "Stopped");
    assert_eq!(
        patched["os"],
        json!({"base": "Linux", "dist": "Ubuntu", "version": "24.10"})
    );
    assert_eq!(patched["environment"], "Staging");
    assert_eq!(patched["storage"], web01()["storage"]);
    let app_body = json!({"name": "billing", "size": "large", "language": "Go"});
    let a = app.create(&u.token, "applications", app_body).await;
    assert_eq!(a["family"], "Application");
    let (_, p) = app
        .patch(
            &u.token,
            &format!("/api/v1/applications/{}", id(&a)),
            json!({"language": "Rust"}),
        )
        .await;
    assert_eq!(p["size"], "large");
    assert_eq!(p["family"], "Application");
}

async fn merge_patch_content_type_and_null_removal(app: &TestApp) {
    let u = app.user("Merger").await;
    let s = app.create(&u.token, "servers", web01()).await;
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/servers/{}", id(&s))))
        .bearer_auth(&u.token)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"ipv4_public": null, "tags": [{"key": "team", "value": "platform"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert!(v.get("ipv4_public").is_none());
    assert_eq!(v["tags"][0]["value"], "platform");
    // Removing the name of a server with a hostname falls back to it, as on creation.
    let named = app
        .create(
            &u.token,
            "servers",
            json!({"name": "custom", "hostname": "h-01.prod"}),
        )
        .await;
    let (status, renamed) = app
        .patch(
            &u.token,
            &format!("/api/v1/servers/{}", id(&named)),
            json!({"name": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "h-01.prod");
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/servers/{}", id(&s))))
        .bearer_auth(&u.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A key named twice has no single meaning: refused, nothing changed.
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/servers/{}", id(&s))))
        .bearer_auth(&u.token)
        .header("content-type", "application/json")
        .body(r#"{"os": {"base": "Linux", "base": "Windows"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("duplicate key \"base\""),
        "{problem}"
    );
    let (_, after) = app
        .get(&u.token, &format!("/api/v1/servers/{}", id(&s)))
        .await;
    assert_eq!(after["updated_at"], v["updated_at"]);
}

async fn noop_update_writes_no_history(app: &TestApp) {
    let u = app.user("Idle").await;
    let s = app.create(&u.token, "servers", web01()).await;
    let path = format!("/api/v1/servers/{}", id(&s));
    let (status, same) = app
        .patch(
            &u.token,
            &path,
            json!({"cpu": 4, "hostname": "web-01.prod"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same["updated_at"], s["updated_at"]);
    // Sending back what GET returned (read-only fields included) changes nothing either.
    let (_, got) = app.get(&u.token, &path).await;
    let (status, _) = app.patch(&u.token, &path, got).await;
    assert_eq!(status, StatusCode::OK);
    let (_, history) = app.get(&u.token, &format!("{path}/history")).await;
    assert_eq!(history["total"], 1, "{history}");
}

async fn bad_input_is_rejected_and_changes_nothing(app: &TestApp) {
    let u = app.user("Careful").await;
    let s = app.create(&u.token, "servers", web01()).await;
    let path = format!("/api/v1/servers/{}", id(&s));
    let (status, body) = app
        .post(&u.token, "/api/v1/servers", json!({"name": "x", "ipv4_private": "300.1.1.1", "cpu": -1, "colour": "red", "memory": "a lot"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["title"], "Invalid input");
    // Neither a name nor a hostname: the error says a hostname would do.
    let (status, nameless) = app
        .post(&u.token, "/api/v1/servers", json!({"cpu": 2}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        nameless["errors"][0]["message"],
        "is required, or give a hostname (the name defaults to it)",
        "{nameless}"
    );
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 4, "{body}");
    for f in ["ipv4_private", "cpu", "colour", "memory"] {
        assert!(fields.contains(&f), "{f}");
    }
    let (status, _) = app.patch(&u.token, &path, json!({"cpu": 2000})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .patch(
            &u.token,
            &path,
            json!({"storage": [{"name": "a"}, {"name": "a"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.patch(&u.token, &path, json!("string")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Malformed JSON, oversized body, bad ids.
    let res = app
        .client
        .post(app.url("/api/v1/servers"))
        .bearer_auth(&u.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let huge = json!({"name": "big", "metas": {"blob": "x".repeat(2 * 1024 * 1024)}});
    let (status, _) = app.post(&u.token, "/api/v1/servers", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = app.get(&u.token, "/api/v1/servers/not-an-id").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .get(
            &u.token,
            "/api/v1/servers/01a21c27-b045-72bc-b9cf-3aab55a0b0aa",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing changed.
    let (_, after) = app.get(&u.token, &path).await;
    assert_eq!(after["cpu"], 4);
    assert_eq!(after["updated_at"], s["updated_at"]);
    let (_, list) = app.get(&u.token, "/api/v1/servers?active=all").await;
    assert_eq!(list["total"], 1);
}

async fn duplicate_hostname_and_ip_warn(app: &TestApp) {
    let u = app.user("Dup").await;
    let first = app.create(&u.token, "servers", web01()).await;
    let mut second = web01();
    second["name"] = json!("web-01-copy");
    let created = app.create(&u.token, "servers", second).await;
    let warnings = created["warnings"].as_array().unwrap();
    let fields: Vec<&str> = warnings
        .iter()
        .map(|w| w["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["hostname", "ipv4_private"]);
    assert_eq!(warnings[0]["matches"][0]["id"], first["id"]);
    // Another user's servers are not theirs to see: no warning leaks them.
    let other = app.user("Other").await;
    let theirs = app.create(&other.token, "servers", web01()).await;
    assert_eq!(theirs["warnings"], json!([]));
    // A patch onto a duplicate value warns too.
    let third = app
        .create(
            &u.token,
            "servers",
            json!({"name": "lonely", "hostname": "lonely"}),
        )
        .await;
    let (_, p) = app
        .patch(
            &u.token,
            &format!("/api/v1/servers/{}", id(&third)),
            json!({"ipv4_private": "10.0.0.1"}),
        )
        .await;
    assert_eq!(p["warnings"].as_array().unwrap().len(), 1);
}
