//! Discovery connections: credentials are write-only — validated per provider, sealed at rest,
//! never returned, recorded in history only as `***` — and a connection marks its datacenter
//! connected.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, id};
use crate::support::{aws_connection, error_fields};

backends!(
    credentials_are_write_only_and_sealed,
    credentials_are_checked_per_provider,
    only_who_may_change_a_connection_schedules_its_syncs,
    two_connections_to_one_account_are_flagged
);
crate::quiet_backends!(administrators_choose_the_interval_of_new_task_schedules);

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

async fn credentials_are_write_only_and_sealed(app: &TestApp) {
    let u = app.user("Cloud Admin").await;
    let dc = app
        .create(
            &u.token,
            "datacenters",
            json!({"name": "AWS Prod", "provider": "AWS", "regions": ["us-east-1"]}),
        )
        .await;
    assert_eq!(dc["connected"], false);
    let body = json!({"name": "prod account", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"],
        "credentials": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET}});
    let (status, conn) = app.post(&u.token, "/api/v1/connections", body).await;
    assert_eq!(status, StatusCode::CREATED, "{conn}");
    let cid = id(&conn);
    let path = format!("/api/v1/connections/{cid}");
    let no_secret = |v: &Value| {
        let text = v.to_string();
        assert!(
            !text.contains(SECRET) && !text.contains("AKIAEXAMPLE"),
            "leaked: {text}"
        );
    };
    no_secret(&conn);
    assert!(conn.get("credentials").is_none());
    let (_, got) = app.get(&u.token, &path).await;
    no_secret(&got);
    let (_, list) = app.get(&u.token, "/api/v1/connections").await;
    no_secret(&list);
    let (_, history) = app.get(&u.token, &format!("{path}/history")).await;
    no_secret(&history);
    let masked: Vec<&Value> = history["items"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["new"] == "***")
        .collect();
    assert_eq!(masked.len(), 1, "{history}");
    // Sealed in the database; opened only by the domain for discovery.
    let cid_typed = cid.parse().unwrap();
    let sealed = app
        .core
        .store
        .secret(cid_typed)
        .await
        .unwrap()
        .expect("sealed");
    assert!(sealed.starts_with("v1:") && !sealed.contains(SECRET));
    let opened = app.core.open_secrets(cid_typed).await.unwrap();
    assert_eq!(
        opened
            .get("credentials")
            .and_then(|c| c.get("secret_access_key")),
        Some(&json!(SECRET))
    );
    if app.backend == "sqlite" {
        let raw = std::fs::read(app.data_dir().join("maestro.db")).unwrap();
        let wal = std::fs::read(app.data_dir().join("maestro.db-wal")).unwrap_or_default();
        let needle = SECRET.as_bytes();
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle)
                && !wal.windows(needle.len()).any(|w| w == needle)
        );
    }
    // The datacenter is connected while the connection exists.
    let (_, dc_now) = app
        .get(&u.token, &format!("/api/v1/datacenters/{}", id(&dc)))
        .await;
    assert_eq!(dc_now["connected"], true);

    // Same credentials again: no change; new ones: one masked change; null removes them.
    let same =
        json!({"credentials": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET}});
    let (_, after) = app.patch(&u.token, &path, same).await;
    assert_eq!(after["updated_at"], conn["updated_at"]);
    let (status, _) = app
        .patch(
            &u.token,
            &path,
            json!({"credentials": {"access_key_id": "AKIAOTHER", "secret_access_key": "another"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, history) = app.get(&u.token, &format!("{path}/history")).await;
    assert_eq!(history["total"], 2);
    assert_eq!(
        history["items"][0]["changes"],
        json!([{"path": "credentials", "old": "***", "new": "***"}])
    );
    no_secret(&history);

    assert_eq!(app.delete(&u.token, &path).await.0, StatusCode::NO_CONTENT);
    let (_, dc_after) = app
        .get(&u.token, &format!("/api/v1/datacenters/{}", id(&dc)))
        .await;
    assert_eq!(dc_after["connected"], false);
}

async fn credentials_are_checked_per_provider(app: &TestApp) {
    let u = app.user("Cloud Admin").await;
    let dc = app
        .create(
            &u.token,
            "datacenters",
            json!({"name": "Cloud", "provider": "OpenStack"}),
        )
        .await;
    let token = u.token.as_str();
    let post = |body: Value| async move { app.post(token, "/api/v1/connections", body).await };
    let (status, body) = post(
        json!({"name": "a", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_fields(&body), ["credentials"]);
    // The schema's errors and the credentials' come in one answer.
    let (status, body) = post(json!({"provider": "aws"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields = error_fields(&body);
    assert!(
        fields.iter().any(|f| f == "name") && fields.iter().any(|f| f == "credentials"),
        "{body}"
    );
    let (status, body) = post(json!({"name": "a", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"], "credentials": {"access_key_id": "x", "token": "y"}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["credentials.token", "credentials.secret_access_key"]
    );
    let field_names = |body: &Value| -> Vec<String> {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    // A blank key is no key; an unknown provider is the one error, not one more per
    // credential.
    let creds = json!({"access_key_id": "  ", "secret_access_key": "s"});
    let (status, body) = post(json!({"name": "a", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"], "credentials": creds})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(field_names(&body), ["credentials.access_key_id"], "{body}");
    let creds = json!({"access_key_id": "AKIA1", "secret_access_key": "s"});
    let (status, body) = post(json!({"name": "a", "provider": "Azure", "datacenter": id(&dc), "regions": ["us-east-1"], "credentials": creds})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(field_names(&body), ["provider"], "{body}");
    let (status, body) = post(json!({"name": "os", "provider": "openstack", "datacenter": id(&dc), "regions": ["RegionOne"], "credentials": {"username": "demo", "password": "pw"}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["field"], "auth_url");
    // Regions: at least one, each once, AWS's shaped like AWS's; a role to assume is an ARN.
    let (status, body) = post(json!({"name": "a", "provider": "aws", "datacenter": id(&dc), "regions": ["Not A Region!", "us-east-1", "us-east-1"],
        "credentials": {"access_key_id": "x", "secret_access_key": "y", "role_arn": "not-an-arn"}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        error_fields(&body),
        ["regions[0]", "regions[2]", "credentials.role_arn"]
    );
    let (status, body) = post(
        json!({"name": "a", "provider": "aws", "datacenter": id(&dc), "regions": [],
        "credentials": {"access_key_id": "x", "secret_access_key": "y"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_fields(&body), ["regions"]);
    let (status, body) = post(json!({"name": "os", "provider": "openstack", "datacenter": id(&dc), "auth_url": "http://127.0.0.1:5000/v3",
        "project_id": "p1", "user_domain_id": "default", "regions": ["RegionOne"], "credentials": {"username": "demo", "password": "pw"}})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Another provider needs its own credentials (the stored ones are OpenStack's) and none of
    // Keystone's fields: all of it said in one answer.
    let path = format!("/api/v1/connections/{}", id(&body));
    let (status, refused) = app.patch(token, &path, json!({"provider": "aws"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(
        error_fields(&refused),
        [
            "regions[0]",
            "auth_url",
            "project_id",
            "user_domain_id",
            "credentials"
        ]
    );
    let (status, moved) = app
        .patch(
            token,
            &path,
            json!({"provider": "aws", "auth_url": null, "project_id": null, "user_domain_id": null, "regions": ["eu-west-1"], "credentials": {"access_key_id": "AKIA1", "secret_access_key": "s"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["provider"], "aws");
    // The stored credentials go to no other endpoint than the one they were given for: whoever
    // may edit the connection cannot point it at a server of theirs without sending new ones.
    let (_, before) = app.get(token, &format!("{path}/history")).await;
    let (status, refused) = app
        .patch(token, &path, json!({"endpoint_url": "http://127.0.0.1:9"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(error_fields(&refused), ["credentials"]);
    assert!(
        refused.to_string().contains("not sent to another endpoint"),
        "{refused}"
    );
    // A Keystone URL on an AWS connection is the error to show first, before the credentials
    // it would take again.
    let (status, refused) = app
        .patch(token, &path, json!({"auth_url": "http://127.0.0.1:9/v3"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(error_fields(&refused), ["auth_url", "credentials"]);
    assert!(refused.to_string().contains("OpenStack connections only"));
    // Nor can they be removed: a connection without them would have nothing to sync with.
    let (status, refused) = app.patch(token, &path, json!({"credentials": null})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(error_fields(&refused), ["credentials"]);
    let (_, after) = app.get(token, &format!("{path}/history")).await;
    assert_eq!(
        after["total"], before["total"],
        "a refused change changed nothing"
    );
    let (status, _) = app
        .patch(
            token,
            &path,
            json!({"endpoint_url": "http://127.0.0.1:9", "credentials": {"access_key_id": "AKIA2", "secret_access_key": "s2"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        post(json!({"name": "x", "provider": "azure", "datacenter": id(&dc), "credentials": {}}))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The provider as a datacenter spells it is the same provider.
    let (status, spelled) = post(json!({"name": "spelled", "provider": "AWS", "datacenter": id(&dc),
        "regions": ["eu-west-1"], "credentials": {"access_key_id": "AKIA3", "secret_access_key": "s3"}}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{spelled}");
    assert_eq!(spelled["provider"], "aws");
    // Keystone's fields on an AWS connection, a key too long, regions that are not a list
    // (said once) and thousands of duplicates (a bounded answer).
    let (status, body) = post(
        json!({"name": "x", "provider": "aws", "datacenter": id(&dc),
        "regions": "us-east-1", "auth_url": "http://127.0.0.1:5000/v3",
        "credentials": {"access_key_id": "A".repeat(5000), "secret_access_key": "s"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields = error_fields(&body);
    assert_eq!(
        fields.iter().filter(|f| *f == "regions").count(),
        1,
        "{body}"
    );
    assert!(fields.contains(&"auth_url".to_owned()), "{body}");
    assert!(
        body.to_string().contains("at most 4096 characters"),
        "{body}"
    );
    let (status, body) = post(
        json!({"name": "x", "provider": "aws", "datacenter": id(&dc),
        "regions": vec!["us-east-1"; 3000],
        "credentials": {"access_key_id": "AKIA3", "secret_access_key": "s"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(error_fields(&body).len() <= 11, "{body}");
    // A password inside a URL would be shown wherever the URL is; Keystone v2 cannot sync.
    let (status, body) = post(
        json!({"name": "x", "provider": "aws", "datacenter": id(&dc),
        "regions": ["us-east-1"], "endpoint_url": "http://user:pw@127.0.0.1:1",
        "credentials": {"access_key_id": "AKIA3", "secret_access_key": "s"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_fields(&body), ["endpoint_url"]);
    let (status, body) = post(json!({"name": "os2", "provider": "openstack", "datacenter": id(&dc), "auth_url": "http://127.0.0.1:5000/v3",
        "api_version": "v2", "regions": ["RegionOne"], "credentials": {"username": "demo", "password": "pw"}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_fields(&body), ["api_version"]);
}

mod sync_now_answers_with_a_sync_of_the_same_tasks {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::sync_now_answers_with_a_sync_of_the_same_tasks("sqlite").await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::sync_now_answers_with_a_sync_of_the_same_tasks("postgres").await;
    }
}

/// Creating a connection queues one sync of every task (its schedules start one interval
/// later); "sync now" while a sync is queued answers with it only when it lists what was asked:
/// a queued run of one task does not stand in for a whole sync.
async fn sync_now_answers_with_a_sync_of_the_same_tasks(backend: &str) {
    // No workers: every job stays queued.
    let Some(app) = TestApp::with_settings(backend, |s| s.workers = 0).await else {
        return;
    };
    let u = app.user("Cloud Admin").await;
    let (dc, conn) = aws_connection(&app, &u.token).await;
    assert!(dc["id"].is_string(), "the datacenter was created: {dc}");
    let (_, jobs) = app.get(&u.token, "/api/v1/jobs?limit=100").await;
    let names: Vec<&str> = jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sync prod"], "one first sync, not a job per task");
    let first = jobs["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, schedules) = app.get(&u.token, "/api/v1/schedules?limit=100").await;
    let now = chrono::Utc::now();
    let ours: Vec<&Value> = schedules["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["connection"] == conn["id"])
        .collect();
    let (_, tasks) = app
        .get(
            &u.token,
            &format!("/api/v1/connections/{}/tasks", id(&conn)),
        )
        .await;
    assert_eq!(ours.len(), tasks["items"].as_array().unwrap().len());
    for s in ours {
        let next: chrono::DateTime<chrono::Utc> =
            s["next_run_at"].as_str().unwrap().parse().unwrap();
        assert!(next > now, "{} runs at once: {s}", s["name"]);
    }
    let path = format!("/api/v1/connections/{}/sync", id(&conn));
    let sync = |body: Value| {
        let (app, token, path) = (&app, u.token.clone(), path.clone());
        async move {
            let (status, answer) = app.post(&token, &path, body).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
            (
                answer["job"]["id"].as_str().unwrap().to_owned(),
                answer["job"]["name"].as_str().unwrap().to_owned(),
            )
        }
    };
    assert_eq!(sync(json!({"task": "dbs-list"})).await.0, first);
    // A misspelt key must not sync everything; a body is a JSON object, sent as JSON.
    let (status, problem) = app
        .post(&u.token, &path, json!({"tasks": ["server-list"]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(error_fields(&problem), ["tasks"]);
    let (status, _) = app.post(&u.token, &path, json!([])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let plain = app
        .client
        .post(app.url(&path))
        .bearer_auth(&u.token)
        .header("content-type", "text/plain")
        .body(r#"{"task": "server-list"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let empty = app
        .client
        .post(app.url(&path))
        .bearer_auth(&u.token)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::ACCEPTED, "no body: every task");
    let (status, _) = app
        .post(&u.token, &format!("/api/v1/jobs/{first}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (one, name) = sync(json!({"task": "server-list"})).await;
    assert_eq!(name, "sync prod (server-list)");
    let (whole, name) = sync(json!({})).await;
    assert_ne!(whole, one, "a one-task sync answered for a whole sync");
    assert_eq!(name, "sync prod");
    assert_eq!(
        sync(json!({})).await.0,
        whole,
        "the whole sync is already queued"
    );
    assert_eq!(
        sync(json!({"task": "dbs-list"})).await.0,
        whole,
        "the queued whole sync lists dbs-list too"
    );

    // Deleted, its schedules stop; restored, they start again and it syncs at once (the queued
    // one-task run does not stand in) — once: restored again, the queued sync stands.
    let (status, _) = app
        .post(&u.token, &format!("/api/v1/jobs/{whole}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let path = format!("/api/v1/connections/{}", id(&conn));
    let queued = || async {
        let (_, jobs) = app
            .get(&u.token, "/api/v1/jobs?status=queued&limit=100")
            .await;
        let mut ids: Vec<String> = jobs["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort_unstable();
        ids
    };
    let mut restored = None;
    for _ in 0..2 {
        assert_eq!(app.delete(&u.token, &path).await.0, StatusCode::NO_CONTENT);
        let (status, _) = app
            .post(&u.token, &format!("{path}/restore"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, back) = app.get(&u.token, &path).await;
        assert_eq!(
            back["datacenter"]["id"], dc["id"],
            "its datacenter again: {back}"
        );
        let now = queued().await;
        assert_eq!(now.len(), 2, "{now:?}");
        assert!(now.contains(&one) && !now.contains(&whole), "{now:?}");
        let new = now.into_iter().find(|j| *j != one);
        assert!(
            restored.is_none() || restored == new,
            "a second sync was queued"
        );
        restored = new;
    }
    let (_, schedules) = app.get(&u.token, "/api/v1/schedules?limit=100").await;
    for s in schedules["items"].as_array().unwrap() {
        assert_eq!(s["enabled"], true, "{s}");
    }
}

/// A discovery schedule syncs as its connection: creating or changing one needs the write role
/// on that connection, and its task must be one of the connection's provider's.
async fn only_who_may_change_a_connection_schedules_its_syncs(app: &TestApp) {
    let admin = app.user("Cloud Admin").await;
    let carol = app.user("Carol Curious").await;
    let dc = app
        .create(
            &admin.token,
            "datacenters",
            json!({"name": "AWS", "provider": "AWS"}),
        )
        .await;
    let conn = app.create(&admin.token, "connections", json!({"name": "private", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"],
        "credentials": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET}})).await;
    let cid = id(&conn);
    let schedule = |connection: &str, task: &str| {
        json!({"name": "probe", "module": "discovery", "connection": connection, "task": task,
               "interval": {"every": 1, "period": "hours"}})
    };
    let (_, before) = app.get(&carol.token, "/api/v1/schedules").await;
    // Someone else's connection, and one that does not exist, read alike.
    let unknown = "01939a3c-0000-7000-8000-000000000000";
    let mut messages = Vec::new();
    for target in [cid.as_str(), unknown] {
        let (status, body) = app
            .post(
                &carol.token,
                "/api/v1/schedules",
                schedule(target, "server-list"),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_fields(&body), ["connection"]);
        messages.push(body["errors"][0]["message"].clone());
    }
    assert_eq!(messages[0], messages[1], "nothing tells which ids exist");
    let (_, after) = app.get(&carol.token, "/api/v1/schedules").await;
    assert_eq!(after["total"], before["total"]);
    // The owner may, with a task of the provider only.
    let (status, body) = app
        .post(
            &admin.token,
            "/api/v1/schedules",
            schedule(&cid, "bogus-task"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_fields(&body), ["task"]);
    let (status, own) = app
        .post(
            &admin.token,
            "/api/v1/schedules",
            schedule(&cid, "cdns-list"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    // Carol's own schedule cannot be turned onto the connection either.
    let (status, hers) = app
        .post(
            &carol.token,
            "/api/v1/schedules",
            json!({"name": "mine", "module": "noop", "interval": {"every": 1, "period": "hours"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hers}");
    let (status, body) = app
        .patch(
            &carol.token,
            &format!("/api/v1/schedules/{}", id(&hers)),
            json!({"module": "discovery", "connection": cid, "task": "server-list"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_fields(&body), ["connection"]);

    // Renamed, the connection's schedules follow — cut to a schedule name's length — except
    // one a person named.
    let long = "x".repeat(200);
    let (status, _) = app
        .patch(
            &admin.token,
            &format!("/api/v1/connections/{cid}"),
            json!({"name": long}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, schedules) = app.get(&admin.token, "/api/v1/schedules?limit=100").await;
    let names: Vec<&str> = schedules["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["connection"] == cid.as_str())
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"probe"), "{names:?}");
    let server_list = names
        .iter()
        .find(|n| n.ends_with(" — server-list"))
        .unwrap();
    assert!(server_list.starts_with("discovery: xxxx"), "{server_list}");
    assert_eq!(server_list.chars().count(), 120);
}

mod a_teams_members_follow_every_sync_of_its_connection {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_teams_members_follow_every_sync_of_its_connection("sqlite").await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_teams_members_follow_every_sync_of_its_connection("postgres").await;
    }
}

/// A sync belongs to its connection's owner, as its schedules do: a team's members follow the
/// syncs of the team's connection whoever asked for them (an administrator, here).
async fn a_teams_members_follow_every_sync_of_its_connection(backend: &str) {
    let Some(app) = TestApp::with_settings(backend, |s| s.workers = 0).await else {
        return;
    };
    let admin = app.user("Cloud Admin").await;
    let lead = app.user("Lead").await;
    let bob = app.user("Bob").await;
    let outsider = app.user("Outsider").await;
    let (_, team) = app
        .post(&lead.token, "/api/v1/teams", json!({"name": "Ops"}))
        .await;
    let tid = id(&team);
    let (status, _) = app
        .post(
            &lead.token,
            &format!("/api/v1/teams/{tid}/members"),
            json!({"user": bob.id, "role": "write"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let dc = app
        .create(
            &lead.token,
            "datacenters",
            json!({"name": "AWS", "provider": "AWS"}),
        )
        .await;
    let (status, conn) = app
        .post(
            &lead.token,
            &format!("/api/v1/teams/{tid}/connections"),
            json!({"name": "team account", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"],
                   "credentials": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{conn}");
    let cid = id(&conn);
    let (status, started) = app
        .post(
            &admin.token,
            &format!("/api/v1/connections/{cid}/sync"),
            json!({"task": "dbs-list"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let job = started["job"]["id"].as_str().unwrap();
    assert_eq!(started["job"]["owner"]["id"], tid, "{started}");
    let (status, seen) = app.get(&bob.token, &format!("/api/v1/jobs/{job}")).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let (_, listed) = app.get(&bob.token, "/api/v1/jobs?module=discovery").await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"] == job),
        "{listed}"
    );
    let (status, _) = app
        .get(&outsider.token, &format!("/api/v1/jobs/{job}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A schedule Bob makes for the team's connection is the team's, as its syncs are: it stays
    // with the team, not with Bob, if he leaves.
    let (status, schedule) = app
        .post(
            &bob.token,
            "/api/v1/schedules",
            json!({"name": "bob's probe", "module": "discovery", "connection": cid, "task": "dbs-list",
                   "interval": {"every": 1, "period": "hours"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{schedule}");
    assert_eq!(schedule["owner"]["id"], tid, "{schedule}");

    // A disabled connection does not sync: refused now, its schedules off until enabled again.
    let path = format!("/api/v1/connections/{cid}");
    let schedules_on = || async {
        let (_, all) = app.get(&lead.token, "/api/v1/schedules?limit=100").await;
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["connection"] == cid.as_str() && s["name"] != "bob's probe")
            .filter(|s| s["enabled"] == true)
            .count()
    };
    assert_eq!(schedules_on().await, 10);
    let (status, _) = app
        .patch(&lead.token, &path, json!({"status": "disabled"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(schedules_on().await, 0);
    let (status, refused) = app
        .post(&lead.token, &format!("{path}/sync"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    app.patch(&lead.token, &path, json!({"status": "enabled"}))
        .await;
    assert_eq!(schedules_on().await, 10);
}

/// `scheduler_options.discovery_intervals` is the interval a new connection's task schedules
/// start with (shown as each task's default); a value no schedule would accept is refused.
async fn administrators_choose_the_interval_of_new_task_schedules(app: &TestApp) {
    let u = app.user("Cloud Admin").await;
    let path = "/api/v1/settings/scheduler_options";
    let (_, setting) = app.get(&u.token, path).await;
    let mut options = setting["value"].clone();
    options["discovery_intervals"]["server-list"] = json!({"every": 0, "period": "minutes"});
    let put = |value: Value| {
        let token = u.token.clone();
        async move {
            let body = json!({ "value": value });
            app.call(reqwest::Method::PUT, path, Some(&token), Some(&body))
                .await
        }
    };
    let (status, problem) = put(options.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(
        error_fields(&problem),
        ["value.discovery_intervals.server-list.every"],
        "{problem}"
    );
    options["discovery_intervals"]["server-list"] = json!({"every": 2, "period": "fortnights"});
    let (status, problem) = put(options.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    options["discovery_intervals"]["server-list"] = json!({"every": 4_294_967_296_u64});
    let (_, problem) = put(options.clone()).await;
    assert!(problem.to_string().contains("at most a year"), "{problem}");
    options["discovery_intervals"]["server-list"] = json!({"every": 5, "period": "minutes"});
    options["discovery_intervals"]["server_list"] = json!({"every": 5, "period": "minutes"});
    let (status, problem) = put(options.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(
        error_fields(&problem),
        ["value.discovery_intervals.server_list"],
        "a misspelt task: {problem}"
    );
    options["discovery_intervals"]
        .as_object_mut()
        .unwrap()
        .remove("server_list");
    let mut partial = json!({"discovery_intervals": options["discovery_intervals"].clone()});
    let (status, problem) = put(partial.take()).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a partial setting: {problem}"
    );
    assert!(
        error_fields(&problem).contains(&"value.webhook_targets".to_owned()),
        "{problem}"
    );
    let (_, unchanged) = app.get(&u.token, path).await;
    assert_eq!(unchanged, setting, "a refused value changes nothing");

    // A period left out means minutes, as for any schedule, and is shown.
    options["discovery_intervals"]["server-list"] = json!({"every": 2, "period": "hours"});
    options["discovery_intervals"]["dbs-list"] = json!({"every": 45});
    let (status, saved) = put(options).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, conn) = aws_connection(app, &u.token).await;
    let (_, tasks) = app
        .get(
            &u.token,
            &format!("/api/v1/connections/{}/tasks", id(&conn)),
        )
        .await;
    let task = |name: &str| {
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["task"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {tasks}"))
    };
    let servers = task("server-list");
    assert_eq!(
        servers["default_interval"],
        json!({"every": 2, "period": "hours"})
    );
    let (_, schedule) = app
        .get(
            &u.token,
            &format!(
                "/api/v1/schedules/{}",
                servers["schedule"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        schedule["interval"],
        json!({"every": 2, "period": "hours"}),
        "{schedule}"
    );
    assert_eq!(
        task("dbs-list")["default_interval"],
        json!({"every": 45, "period": "minutes"})
    );
    // The other tasks keep the seeded intervals (volumes every 6 hours, as the original).
    let (_, volumes) = app
        .get(
            &u.token,
            &format!(
                "/api/v1/schedules/{}",
                task("volumes-list")["schedule"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        volumes["interval"], setting["value"]["discovery_intervals"]["volumes-list"],
        "{volumes}"
    );

    // The providers' catalogue shows the same intervals beside the built-in defaults.
    let (status, providers) = app.get(&u.token, "/api/v1/discovery/providers").await;
    assert_eq!(status, StatusCode::OK, "{providers}");
    let catalogue = |provider: &str, name: &str| {
        providers["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["provider"] == provider)
            .and_then(|p| {
                p["tasks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["name"] == name)
            })
            .cloned()
            .unwrap_or_else(|| panic!("{provider} {name} in {providers}"))
    };
    let servers = catalogue("aws", "server-list");
    assert_eq!(
        servers["default_interval"],
        json!({"every": 2, "period": "hours"})
    );
    assert!(servers["default_every_seconds"].as_u64().unwrap() > 0);
    assert!(
        servers["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("ec2:DescribeInstances"))
    );
    assert_eq!(
        catalogue("openstack", "volumes-list")["default_interval"],
        setting["value"]["discovery_intervals"]["volumes-list"]
    );
    let aws = providers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == "aws")
        .unwrap();
    assert!(
        aws["iam_policy"]
            .to_string()
            .contains("ec2:DescribeInstances"),
        "{aws}"
    );
}

/// A second connection to an account another already discovers is written, with a warning:
/// each connection keeps its own copy of what it finds.
async fn two_connections_to_one_account_are_flagged(app: &TestApp) {
    let u = app.user("Twice").await;
    let dc = app
        .create(
            &u.token,
            "datacenters",
            json!({"name": "AWS", "provider": "AWS"}),
        )
        .await;
    let body = |name: &str, key: &str| {
        json!({"name": name, "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"],
            "credentials": {"access_key_id": key, "secret_access_key": SECRET}})
    };
    let warned = |v: &Value| -> Vec<String> {
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["field"] == "credentials")
            .map(|w| w["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, first) = app
        .post(&u.token, "/api/v1/connections", body("first", "AKIAONE"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(warned(&first).is_empty(), "{first}");
    let (status, second) = app
        .post(&u.token, "/api/v1/connections", body("second", "AKIAONE"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let messages = warned(&second);
    assert_eq!(messages.len(), 1, "{second}");
    assert!(
        messages[0].starts_with("connection first already discovers this account"),
        "{messages:?}"
    );
    assert!(!second.to_string().contains("AKIAONE"), "{second}");
    let (_, other) = app
        .post(&u.token, "/api/v1/connections", body("other", "AKIATWO"))
        .await;
    assert!(warned(&other).is_empty(), "{other}");
    // Updates are checked too: with new credentials, and with the stored ones.
    let path = format!("/api/v1/connections/{}", id(&other));
    let creds = json!({"credentials": {"access_key_id": "AKIAONE", "secret_access_key": SECRET}});
    let (status, patched) = app.patch(&u.token, &path, creds).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(warned(&patched).len(), 1, "{patched}");
    let (_, renamed) = app.patch(&u.token, &path, json!({"name": "renamed"})).await;
    let names: Vec<&str> = renamed["warnings"][0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["first", "second"], "{renamed}");
    // Another endpoint is another account.
    let private = json!({"endpoint_url": "https://aws.internal.example.com",
        "credentials": {"access_key_id": "AKIAONE", "secret_access_key": SECRET}});
    let (status, elsewhere) = app.patch(&u.token, &path, private).await;
    assert_eq!(status, StatusCode::OK, "{elsewhere}");
    assert!(warned(&elsewhere).is_empty(), "{elsewhere}");
}
