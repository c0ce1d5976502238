//! Discovery pages: the connections list, a connection's task table (switches, states,
//! permissions, the IAM policy to copy), a switch that changes `enabled`, the first sync queued
//! at creation, "Sync now" queuing a job the page follows, the datacenter's "Connected" badge,
//! and a discovered entity's origin with its AWS console link.

use std::sync::Arc;

use async_trait::async_trait;
use maestro_core::discovery::{Discovery, SyncReporter};
use maestro_discovery::{
    Account, Observation, ObservationSink, Provider, ProviderError, TaskInfo, TaskStats,
};
use maestro_model::schema::Collection;
use reqwest::StatusCode;
use serde_json::json;

use super::client::signed_in;
use crate::harness::{TestApp, id};
use crate::quiet_backends;
use crate::support::task_status;

quiet_backends!(
    the_task_table_switches_tasks_and_syncs_now,
    discovered_entities_show_where_they_come_from
);

/// An AWS connection pointing at a closed local port: nothing reaches the internet.
async fn aws_connection(app: &TestApp, token: &str) -> (String, String) {
    let dc = app
        .create(
            token,
            "datacenters",
            json!({"name": "AWS lab", "provider": "AWS"}),
        )
        .await;
    let conn = app
        .create(
            token,
            "connections",
            json!({"name": "lab", "provider": "aws", "datacenter": id(&dc),
            "regions": ["us-east-1"], "endpoint_url": "http://127.0.0.1:9",
            "credentials": {"access_key_id": "AKIALAB", "secret_access_key": "lab-secret"}}),
        )
        .await;
    (id(&dc), id(&conn))
}

async fn the_task_table_switches_tasks_and_syncs_now(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Tess Tasks").await;
    let (dcid, cid) = aws_connection(app, &user.token).await;
    let page = b.get(&format!("/connections/{cid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for part in [
        r#"data-task="server-list""#,
        r#"data-task="network-list""#,
        "ec2:DescribeInstances",
        // A permission in the task table breaks after its service, not mid-word.
        "<code>ec2:<wbr>DescribeInstances</code>",
        r#"role="switch" aria-checked="true""#,
        "Never",
        "Read-only IAM policy",
        "MaestroReadOnly",
        r#"data-copy="iam-policy""#,
        "Sync now",
        &format!(r#"href="/datacenters/{dcid}""#),
        r#"href="/schedules/"#,
    ] {
        assert!(page.body.contains(part), "the page has {part}");
    }
    // Its history names its datacenter rather than showing the id.
    let history = &page.body[page.body.find(r#"id="history""#).unwrap()..];
    assert!(
        history.contains("AWS lab") && !history.contains(&dcid),
        "{history}"
    );
    let list = b.get("/connections").await;
    assert!(list.body.contains("lab") && list.body.contains("Never synced"));

    // A task's schedule is edited on the schedule form: its connection and task stay.
    let sid = task_status(app, &user.token, &cid, "server-list").await["schedule"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = b.get(&format!("/schedules/{sid}")).await;
    assert!(form.body.contains("data-discovery-target"), "{}", form.body);
    assert!(
        form.body
            .contains(&format!(r#"href="/connections/{cid}">lab</a>"#)),
        "the form names the connection"
    );
    let saved = b
        .post(
            &format!("/schedules/{sid}"),
            &[
                ("name", "discovery: lab — server-list"),
                ("enabled", "on"),
                ("module", "discovery"),
                ("connection", cid.as_str()),
                ("task", "server-list"),
                ("trigger", "interval"),
                ("every", "10"),
                ("period", "minutes"),
                ("max_executions", "0"),
                ("max_attempts", "3"),
                ("backoff_seconds", "30"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, schedule) = app
        .get(&user.token, &format!("/api/v1/schedules/{sid}"))
        .await;
    assert_eq!(
        schedule["interval"],
        json!({"every": 10, "period": "minutes"})
    );
    assert_eq!(
        (schedule["connection"].as_str(), schedule["task"].as_str()),
        (Some(cid.as_str()), Some("server-list"))
    );
    assert!(list.body.contains("AWS lab") && list.body.contains("us-east-1"));

    // A switch changes `enabled` (and shows it).
    let off = b
        .post(
            &format!("/connections/{cid}/tasks/server-list"),
            &[("enabled", "false")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(off.location, format!("/connections/{cid}"));
    let server_list = task_status(app, &user.token, &cid, "server-list").await;
    assert_eq!(server_list["enabled"], false);
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains("server-list disabled"), "flash");
    let row = &page.body[page.body.find(r#"data-task="server-list""#).unwrap()..];
    assert!(
        row[..900].contains(r#"aria-checked="false""#),
        "{}",
        &row[..900]
    );
    // Switched off, it does not sync, not even asked for alone.
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("disabled title=\"Switched off"), "{row}");
    let (status, refused) = app
        .post(
            &user.token,
            &format!("/api/v1/connections/{cid}/sync"),
            json!({"task": "server-list"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    // A schedule change sent to the task is named, not taken for a bad switch.
    let (status, refused) = app
        .patch(
            &user.token,
            &format!("/api/v1/connections/{cid}/tasks/server-list"),
            json!({"interval": {"every": 10, "period": "minutes"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(crate::support::error_fields(&refused), ["interval"]);
    let on = b
        .post(
            &format!("/connections/{cid}/tasks/server-list"),
            &[("enabled", "true")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    let server_list = task_status(app, &user.token, &cid, "server-list").await;
    assert_eq!(server_list["enabled"], true);
    let unknown = b
        .post(
            &format!("/connections/{cid}/tasks/no-such-task"),
            &[("enabled", "false")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Creating it queued its first sync (nothing runs here): the page follows that job, and
    // "Sync now" answers with it.
    let (_, jobs) = app.get(&user.token, "/api/v1/jobs?module=discovery").await;
    assert_eq!(jobs["total"], 1, "{jobs}");
    let first = jobs["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(jobs["items"][0]["params"]["connection"], cid);
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains("Sync in progress"));
    assert!(page.body.contains(&format!(r#"data-job="{first}""#)));
    let sync = b.post(&format!("/connections/{cid}/sync"), &[]).await;
    assert_eq!(sync.status, StatusCode::SEE_OTHER);
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains("already queued or running"), "flash");
    let (_, jobs) = app.get(&user.token, "/api/v1/jobs?module=discovery").await;
    assert_eq!(jobs["total"], 1, "{jobs}");

    // Once it is cancelled, "Sync now" queues a job, and the page follows it.
    let (status, _) = app
        .post(
            &user.token,
            &format!("/api/v1/jobs/{first}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let sync = b.post(&format!("/connections/{cid}/sync"), &[]).await;
    assert_eq!(sync.status, StatusCode::SEE_OTHER);
    let (_, jobs) = app.get(&user.token, "/api/v1/jobs?module=discovery").await;
    assert_eq!(jobs["total"], 2, "{jobs}");
    let job = jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] != first.as_str())
        .unwrap();
    assert_eq!(job["params"]["connection"], cid);
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains("Sync queued"), "flash");
    let jid = job["id"].as_str().unwrap();
    assert!(page.body.contains(&format!(r#"href="/jobs/{jid}""#)));
    assert!(page.body.contains(&format!(r#"data-job="{jid}""#)));
    // The sync's job page leads back to the connection; its tasks appear when it ends.
    let job_page = b.get(&format!("/jobs/{jid}")).await;
    assert!(
        job_page.body.contains(&format!(
            r#"<a href="/connections/{cid}">The connection</a>"#
        )),
        "{}",
        job_page.body
    );
    assert!(
        job_page
            .body
            .contains("Task results appear here when the sync ends.")
    );
    let running = &page.body[page.body.find("sync-running-title").unwrap()..];
    let running = &running[..running.find("</section>").unwrap()];
    assert!(
        running.contains(jid) && !running.contains(&first),
        "{running}"
    );
    // Asked again while it is queued: the same job, said so.
    let again = b
        .post(
            &format!("/connections/{cid}/sync"),
            &[("task", "server-list")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains("already queued or running"));
    let (_, jobs) = app.get(&user.token, "/api/v1/jobs?module=discovery").await;
    assert_eq!(jobs["total"], 2, "{jobs}");

    // The datacenter is connected: a badge on its list and its page.
    let dcs = b.get("/datacenters").await;
    assert!(
        dcs.body
            .contains(r#"<span class="badge badge-ok">Connected</span>"#)
    );
    let dc_page = b.get(&format!("/datacenters/{dcid}")).await;
    assert!(
        dc_page
            .body
            .contains(&format!(r#"href="/connections?datacenter.id={dcid}""#))
    );
    assert!(dc_page.body.contains(">Connected</a>"));
    let filtered = b.get(&format!("/connections?datacenter.id={dcid}")).await;
    assert!(filtered.body.contains("1 connection") && filtered.body.contains("Datacenter AWS lab"));

    // Deleted from its page (the generic route): restorable, the datacenter no longer connected.
    let deleted = b.post(&format!("/connections/{cid}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains(">Deleted</span>") && page.body.contains(">Restore</button>"));
    assert!(!page.body.contains(">Sync now</button>"));
    let dc_page = b.get(&format!("/datacenters/{dcid}")).await;
    assert!(!dc_page.body.contains(">Connected</a>"));
}

/// A provider that finds one instance.
struct OneOfEach;

static TASKS: &[TaskInfo] = &[TaskInfo {
    name: "server-list",
    label: "EC2 instances",
    permissions: &["ec2:DescribeInstances"],
    default_every_seconds: 300,
}];

#[async_trait]
impl Provider for OneOfEach {
    fn name(&self) -> &'static str {
        "aws"
    }
    fn tasks(&self) -> &'static [TaskInfo] {
        TASKS
    }
    async fn run(
        &self,
        _account: &Account,
        region: &str,
        _task: &str,
        sink: &mut dyn ObservationSink,
    ) -> Result<TaskStats, ProviderError> {
        let fields = |v: serde_json::Value| v.as_object().cloned().unwrap();
        let found = vec![Observation {
            collection: Collection::Servers,
            provider_id: "i-0abc123".into(),
            fields: fields(json!({"name": "web-found", "hostname": "web-found",
                "datacenters": {"provider": "AWS", "region": region}})),
            refs: vec![],
            active: true,
        }];
        sink.accept(found).await.map_err(ProviderError::Other)?;
        Ok(TaskStats {
            observed: 1,
            pages: 1,
        })
    }
}

struct Quiet;
#[async_trait]
impl SyncReporter for Quiet {
    async fn progress(&self, _: u8) {}
    async fn log(&self, _: &str, _: String) {}
}

async fn discovered_entities_show_where_they_come_from(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Dora Disco").await;
    let (_, cid) = aws_connection(app, &user.token).await;
    let discovery = Discovery::new(app.core.clone(), vec![Arc::new(OneOfEach)]);
    discovery
        .sync(cid.parse().unwrap(), Some("server-list"), &Quiet)
        .await
        .unwrap();
    let (_, servers) = app.get(&user.token, "/api/v1/servers").await;
    let sid = id(&servers["items"][0]);
    let page = b.get(&format!("/servers/{sid}")).await;
    assert!(page.body.contains("Discovered"));
    assert!(
        page.body
            .contains(&format!(r#"<a href="/connections/{cid}">lab</a>"#))
    );
    assert!(page.body.contains("<code>i-0abc123</code>"));
    // Deleting it by hand warns that discovery brings it back.
    assert!(
        page.body
            .contains("Discovery brings it back at its connection")
    );
    // Its history names the connection that created it, linked.
    let timeline = &page.body[page.body.find(r#"id="tab-history""#).unwrap()..];
    assert!(
        timeline.contains(&format!(r#"by <a href="/connections/{cid}">"#)),
        "{timeline}"
    );
    // The connection points at another endpoint: the AWS console does not hold this record.
    let console = "https://console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-0abc123";
    assert!(!page.body.contains(console));
    let (status, _) = app
        .patch(
            &user.token,
            &format!("/api/v1/connections/{cid}"),
            json!({"endpoint_url": null, "credentials": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": "s"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = b.get(&format!("/servers/{sid}")).await;
    assert!(page.body.contains(console));
    // The task table tells how the run went.
    let conn = b.get(&format!("/connections/{cid}")).await;
    let row = &conn.body[conn.body.find(r#"data-task="server-list""#).unwrap()..];
    assert!(row[..2000].contains("Success") && row[..2000].contains("1 seen · 1 new"));
    // Entities people created show no origin.
    let own = app
        .create(&user.token, "servers", json!({"name": "hand-made"}))
        .await;
    let page = b.get(&format!("/servers/{}", id(&own))).await;
    assert!(!page.body.contains("discovered-title"));
    // What one connection found is a filter away, linked from its page.
    let token = user.token.clone();
    let total = |q: String| {
        let token = token.clone();
        async move {
            let (status, body) = app.get(&token, &format!("/api/v1/servers?{q}")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["total"].as_u64().unwrap()
        }
    };
    assert_eq!(total(format!("discovery.connection={cid}")).await, 1);
    assert_eq!(total(format!("discovery.connection[ne]={cid}")).await, 1);
    let other = "01939a3c-0000-7000-8000-000000000000";
    assert_eq!(total(format!("discovery.connection={other}")).await, 0);
    assert_eq!(
        total(format!("discovery.connection[in]={other},{cid}")).await,
        1
    );
    let (status, _) = app
        .get(&user.token, "/api/v1/servers?discovery.connection=nope")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        conn.body
            .contains(&format!(r#"href="/servers?discovery.connection={cid}""#))
    );
    let list = b.get(&format!("/servers?discovery.connection={cid}")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("1 found") && list.body.contains("web-found"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("hand-made"));
    // Its edit form warns that syncs set the provider's fields again; a hand-made one's does not.
    let form = b.get(&format!("/servers/{sid}/edit")).await;
    assert!(form.body.contains("data-discovered"), "{}", form.body);
    let form = b.get(&format!("/servers/{}/edit", id(&own))).await;
    assert!(!form.body.contains("data-discovered"));
    // Inactive, a discovered entity's page says the provider may have dropped it, and that a
    // sync finding it again brings it back; one made by hand reads as deleted.
    for server in [sid.clone(), id(&own)] {
        let (status, _) = app
            .delete(&user.token, &format!("/api/v1/servers/{server}"))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let gone = b.get(&format!("/servers/{sid}")).await;
    assert!(
        gone.body.contains("last seen by discovery")
            && gone
                .body
                .contains("A sync that finds it at the provider again brings it back"),
        "{}",
        gone.body
    );
    let gone = b.get(&format!("/servers/{}", id(&own))).await;
    assert!(gone.body.contains("data-deleted>Deleted (last change"));
}
