//! Reconciling discovery into the inventory with an in-memory provider: matching by provider id,
//! history attributed to the connection and run, nothing written when nothing changed, complete
//! listings deactivate what vanished, failed listings deactivate nothing, returning resources are
//! reactivated, fields people set are kept, provider relations become Maestro relations.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use maestro_core::discovery::{Discovery, SyncReporter};
use maestro_discovery::{
    Account, Observation, ObservationSink, ObservedRef, Provider, ProviderError, TaskInfo,
    TaskStats,
};
use maestro_model::schema::Collection;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::harness::{TestApp, id};
use crate::hooks::SseReader;
use crate::quiet_backends;
use crate::support::aws_connection;

/// A provider whose inventory the test edits between syncs.
#[derive(Default)]
struct Fake {
    servers: Mutex<Vec<(String, Value, bool)>>,
    fail: Mutex<Option<ProviderError>>,
    /// Holds the next listing after its last page: tells the first, waits for the second.
    gate: Mutex<Option<(Arc<Notify>, Arc<Notify>)>>,
}

static TASKS: &[TaskInfo] = &[
    TaskInfo {
        name: "server-list",
        label: "Servers",
        permissions: &["ec2:DescribeInstances"],
        default_every_seconds: 300,
    },
    TaskInfo {
        name: "loadbalance-list",
        label: "Load balancers",
        permissions: &["elasticloadbalancing:DescribeLoadBalancers"],
        default_every_seconds: 21600,
    },
];

#[async_trait]
impl Provider for Fake {
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
        task: &str,
        sink: &mut dyn ObservationSink,
    ) -> Result<TaskStats, ProviderError> {
        let servers = self.servers.lock().unwrap().clone();
        let obs: Vec<Observation> = match task {
            "server-list" => servers
                .iter()
                .map(|(pid, fields, active)| Observation {
                    collection: Collection::Servers,
                    provider_id: pid.clone(),
                    fields: fields.as_object().cloned().unwrap(),
                    refs: vec![],
                    active: *active,
                })
                .collect(),
            _ => vec![Observation {
                collection: Collection::Loadbalancers,
                provider_id: "arn:lb/web".into(),
                fields: json!({"name": "web-lb", "provider": "ELB (AWS)", "datacenters": {"region": region}}).as_object().cloned().unwrap(),
                refs: servers.iter().filter(|s| s.2).map(|s| ObservedRef { field: "targets".into(), provider_id: s.0.clone() }).collect(),
                active: true,
            }],
        };
        // Two pages, then maybe a failure (an incomplete listing).
        let half = obs.len() / 2;
        sink.accept(obs[..half].to_vec())
            .await
            .map_err(ProviderError::Other)?;
        if let Some(e) = self.fail.lock().unwrap().clone() {
            return Err(e);
        }
        sink.accept(obs[half..].to_vec())
            .await
            .map_err(ProviderError::Other)?;
        let gate = self.gate.lock().unwrap().take();
        if let Some((listed, resume)) = gate {
            listed.notify_one();
            resume.notified().await;
        }
        Ok(TaskStats {
            observed: obs.len() as u64,
            pages: 2,
        })
    }
}

struct Quiet;
#[async_trait]
impl SyncReporter for Quiet {
    async fn progress(&self, _: u8) {}
    async fn log(&self, _: &str, _: String) {}
}

fn server(n: u32) -> (String, Value, bool) {
    (
        format!("i-{n:04}"),
        json!({"name": format!("web-{n}"), "hostname": format!("web-{n}.internal"), "ipv4_private": format!("10.0.0.{n}"), "cpu": 2}),
        true,
    )
}

// The app's workers would run each new connection's first sync with the real AWS provider
// beside the fake one; the tests sync themselves.
quiet_backends!(
    sync_reconciles_and_attributes,
    overlapping_listings_deactivate_nothing_either_saw,
    the_connections_grants_reach_what_it_discovered,
    what_a_dropped_region_held_becomes_inactive,
    switched_off_or_interrupted_tasks_do_not_pass_for_running
);

/// A connection of the user of `token` whose servers (`n` of them) a fake provider lists,
/// synced once: (connection id, the provider, the discovery service).
async fn synced(app: &TestApp, token: &str, n: u32) -> (String, Arc<Fake>, Discovery) {
    let cid = id(&aws_connection(app, token).await.1);
    let fake = Arc::new(Fake::default());
    *fake.servers.lock().unwrap() = (1..=n).map(server).collect();
    let discovery = Discovery::new(app.core.clone(), vec![fake.clone()]);
    discovery
        .sync(cid.parse().unwrap(), Some("server-list"), &Quiet)
        .await
        .unwrap();
    (cid, fake, discovery)
}

async fn sync_reconciles_and_attributes(app: &TestApp) {
    let admin = app.user("Admin").await;
    let owner = app.user("Owner").await;
    let friend = app.user("Friend").await;
    let (dc, conn) = aws_connection(app, &owner.token).await;
    let cid = id(&conn);
    // The ACL template: what the connection is shared with, discovered entities are too.
    app.call(
        reqwest::Method::PUT,
        &format!("/api/v1/connections/{cid}/grants"),
        Some(&owner.token),
        Some(&json!({"grants": [{"user": friend.id, "role": "read"}]})),
    )
    .await;
    let stranger = app.user("Stranger").await;
    let mut friend_events = SseReader::open(app, &friend.token, "?types=entity.").await;
    let mut stranger_events = SseReader::open(app, &stranger.token, "?types=entity.").await;
    let fake = Arc::new(Fake::default());
    *fake.servers.lock().unwrap() = (1..=4).map(server).collect();
    let discovery = Discovery::new(app.core.clone(), vec![fake.clone()]);
    let cid_t = cid.parse().unwrap();
    let report = discovery.sync(cid_t, None, &Quiet).await.unwrap();
    assert_eq!(report.tasks[0].state, "success", "{report:?}");
    assert_eq!(report.tasks[0].counts["created"], 4);
    // What was discovered is announced to whom the template shares it with, and nobody else.
    friend_events
        .until(Duration::from_secs(5), "a discovered server", |n, d| {
            n == "entity.created" && d["data"]["collection"] == "servers"
        })
        .await;
    let got = stranger_events.drain(Duration::from_millis(300)).await;
    assert!(
        got.iter()
            .all(|(_, d)| d["data"]["collection"] != "servers"),
        "the stranger received {got:?}"
    );

    let (_, servers) = app.get(&owner.token, "/api/v1/servers?sort=name").await;
    assert_eq!(servers["total"], 4);
    let first = &servers["items"][0];
    assert_eq!(first["owner"]["id"], owner.id);
    assert_eq!(first["unique_id"], "i-0001");
    assert_eq!(first["discovery"]["provider_id"], "i-0001");
    assert_eq!(first["discovery"]["connection"], cid);
    assert_eq!(
        first["datacenters"]["id"],
        id(&dc),
        "placed in the connection's datacenter"
    );
    assert_eq!(first["datacenters"]["name"], "AWS");
    let (_, seen) = app.get(&friend.token, "/api/v1/servers").await;
    assert_eq!(seen["total"], 4, "grants are copied from the connection");
    let sid = id(first);
    let (_, history) = app
        .get(&owner.token, &format!("/api/v1/servers/{sid}/history"))
        .await;
    assert_eq!(history["total"], 1);
    let entry = &history["items"][0];
    assert_eq!(entry["source"], "discovery");
    assert_eq!(entry["actor"]["id"], cid);
    assert_eq!(entry["context"]["run"], report.run);
    // Relations the provider knows: the load balancer targets the four servers.
    let (_, lbs) = app.get(&owner.token, "/api/v1/loadbalancers").await;
    assert_eq!(lbs["items"][0]["targets"].as_array().unwrap().len(), 4);

    // A person adds what the provider does not know; it survives syncs.
    app.patch(
        &owner.token,
        &format!("/api/v1/servers/{sid}"),
        json!({"environment": "Production", "datacenters": {"rack": "r1"}}),
    )
    .await;
    // Nothing changed in the cloud: no history at all.
    let before = count_changes(app, &admin.token).await;
    let again = discovery.sync(cid_t, None, &Quiet).await.unwrap();
    assert_eq!(again.tasks[0].counts["unchanged"], 4, "{again:?}");
    assert_eq!(count_changes(app, &admin.token).await, before);
    let (_, kept) = app
        .get(&owner.token, &format!("/api/v1/servers/{sid}"))
        .await;
    assert_eq!(kept["environment"], "Production");
    assert_eq!(kept["datacenters"]["rack"], "r1");

    // A failed (partial) listing deactivates nothing even though servers are missing.
    fake.servers.lock().unwrap().truncate(2);
    *fake.fail.lock().unwrap() = Some(ProviderError::Permission {
        action: "ec2:DescribeInstances".into(),
        message: "403".into(),
    });
    let failed = discovery
        .sync(cid_t, Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(failed.tasks[0].state, "error");
    assert_eq!(
        failed.tasks[0].permission.as_deref(),
        Some("ec2:DescribeInstances")
    );
    let (_, still) = app.get(&owner.token, "/api/v1/servers").await;
    assert_eq!(still["total"], 4);

    // A complete listing deactivates what vanished, keeping its last-seen time.
    *fake.fail.lock().unwrap() = None;
    fake.servers.lock().unwrap()[1].2 = false; // i-0002 terminated
    let done = discovery
        .sync(cid_t, Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(done.tasks[0].counts["deactivated"], 3, "{done:?}");
    let (_, active) = app.get(&owner.token, "/api/v1/servers").await;
    assert_eq!(active["total"], 1);
    let (_, gone) = app
        .get(&owner.token, "/api/v1/servers?active=false&sort=name")
        .await;
    assert_eq!(gone["total"], 3);
    assert!(gone["items"][0]["discovery"]["last_seen_at"].is_string());
    // Listed again as terminated, it stays as it is (it was linked to the datacenter again,
    // which an inactive entity cannot be, and the whole listing failed).
    let before = count_changes(app, &admin.token).await;
    let still = discovery
        .sync(cid_t, Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(still.tasks[0].state, "success", "{still:?}");
    assert_eq!(still.tasks[0].counts["unchanged"], 2, "{still:?}");
    assert_eq!(count_changes(app, &admin.token).await, before);

    // A resource that returns is reactivated.
    *fake.servers.lock().unwrap() = (1..=4).map(server).collect();
    let back = discovery
        .sync(cid_t, Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(back.tasks[0].counts["reactivated"], 3, "{back:?}");
    let (_, all) = app.get(&owner.token, "/api/v1/servers").await;
    assert_eq!(all["total"], 4);
    let (status, _) = app.get(&owner.token, "/api/v1/servers").await;
    assert_eq!(status, StatusCode::OK);

    // The provider out of reach: the first task says so, the others are not tried.
    *fake.fail.lock().unwrap() = Some(ProviderError::Unreachable("connection refused".into()));
    let out = discovery.sync(cid_t, None, &Quiet).await.unwrap();
    let messages: Vec<&str> = out
        .tasks
        .iter()
        .map(|t| t.message.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(
        messages,
        [
            "us-east-1: cannot reach the provider: connection refused",
            "not tried: server-list could not reach the provider"
        ]
    );
    assert!(out.tasks.iter().all(|t| t.state == "error"));
    let (_, all) = app.get(&owner.token, "/api/v1/servers").await;
    assert_eq!(
        all["total"], 4,
        "an unreachable listing deactivates nothing"
    );
}

/// A schedule firing during "sync now" lists the same scope twice at once: each listing's
/// closing must see what the other marked as seen, and deactivate only what neither saw.
async fn overlapping_listings_deactivate_nothing_either_saw(app: &TestApp) {
    let owner = app.user("Owner").await;
    let cid = id(&aws_connection(app, &owner.token).await.1)
        .parse()
        .unwrap();
    let fake = Arc::new(Fake::default());
    *fake.servers.lock().unwrap() = (1..=3).map(server).collect();
    let discovery = Discovery::new(app.core.clone(), vec![fake.clone()]);
    discovery
        .sync(cid, Some("server-list"), &Quiet)
        .await
        .unwrap();

    // Listing A sees everything, then pauses before closing its scope.
    let (listed, resume) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    *fake.gate.lock().unwrap() = Some((listed.clone(), resume.clone()));
    let first = {
        let discovery = discovery.clone();
        tokio::spawn(async move { discovery.sync(cid, Some("server-list"), &Quiet).await })
    };
    listed.notified().await;
    // Listing B runs whole meanwhile: every server it saw is now marked with its run.
    let second = discovery
        .sync(cid, Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(second.tasks[0].counts["deactivated"], 0, "{second:?}");
    resume.notify_one();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.tasks[0].state, "success", "{first:?}");
    assert_eq!(
        first.tasks[0].counts["deactivated"], 0,
        "A's closing deactivated what B saw: {first:?}"
    );
    let (_, servers) = app.get(&owner.token, "/api/v1/servers").await;
    assert_eq!(servers["total"], 3);

    // What no listing sees any more still goes.
    fake.servers.lock().unwrap().pop();
    let after = discovery
        .sync(cid, Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(after.tasks[0].counts["deactivated"], 1, "{after:?}");
    let (_, servers) = app.get(&owner.token, "/api/v1/servers").await;
    assert_eq!(servers["total"], 2);

    // A page reconciled late (its time taken before the last listing started) does not move
    // the marks back: what that listing saw stays seen for it.
    let keys: Vec<String> = (1..=2).map(|n| format!("{cid}:i-{n:04}")).collect();
    let started = after.tasks[0].started_at.unwrap();
    let late = started - chrono::Duration::minutes(5);
    app.core.store.mark_seen(&keys, "late", late).await.unwrap();
    let scope = format!("{cid}:us-east-1:server-list");
    let unseen = app.core.store.unseen(&scope, started, 10).await.unwrap();
    assert!(unseen.is_empty(), "{unseen:?}");
}

async fn count_changes(app: &TestApp, token: &str) -> u64 {
    let mut total = 0;
    for coll in ["servers", "loadbalancers"] {
        let (_, list) = app
            .get(token, &format!("/api/v1/{coll}?active=all&limit=500"))
            .await;
        for item in list["items"].as_array().unwrap() {
            let (_, h) = app
                .get(token, &format!("/api/v1/{coll}/{}/history", id(item)))
                .await;
            total += h["total"].as_u64().unwrap();
        }
    }
    total
}

/// Sharing a connection shares what it found, including what it found before; unsharing it
/// takes that back — but a grant a person made on one entity stays.
async fn the_connections_grants_reach_what_it_discovered(app: &TestApp) {
    let _admin = app.user("Admin").await;
    let owner = app.user("Owner").await;
    let dave = app.user("Dave").await;
    let erin = app.user("Erin").await;
    let (cid, fake, discovery) = synced(app, &owner.token, 3).await;
    let visible = |token: String| async move {
        app.get(&token, "/api/v1/servers").await.1["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(visible(dave.token.clone()).await, 0);
    let grants = |body: Value| {
        let (cid, token) = (cid.clone(), owner.token.clone());
        async move {
            let (status, answer) = app
                .call(
                    reqwest::Method::PUT,
                    &format!("/api/v1/connections/{cid}/grants"),
                    Some(&token),
                    Some(&body),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
        }
    };
    grants(
        json!({"grants": [{"user": dave.id, "role": "read"}, {"user": erin.id, "role": "read"}]}),
    )
    .await;
    assert_eq!(
        visible(dave.token.clone()).await,
        3,
        "shared afterwards, still reaches them"
    );
    let (_, servers) = app.get(&owner.token, "/api/v1/servers?sort=name").await;
    let sid = id(&servers["items"][0]);
    let (_, history) = app
        .get(&owner.token, &format!("/api/v1/servers/{sid}/history"))
        .await;
    assert_eq!(history["items"][0]["op"], "grant", "{history}");
    assert_eq!(history["items"][0]["context"]["connection"], cid);
    // Erin is given write on one server by hand: unsharing the connection leaves that grant.
    app.call(
        reqwest::Method::PUT,
        &format!("/api/v1/servers/{sid}/grants"),
        Some(&owner.token),
        Some(&json!({"grants": [{"user": dave.id, "role": "read"}, {"user": erin.id, "role": "write"}]})),
    )
    .await;
    grants(json!({"grants": []})).await;
    assert_eq!(visible(dave.token.clone()).await, 0, "unshared, taken back");
    assert_eq!(
        visible(erin.token.clone()).await,
        1,
        "the hand-made grant stays"
    );
    // New resources follow the template as it is now.
    fake.servers.lock().unwrap().push(server(4));
    discovery
        .sync(cid.parse().unwrap(), Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(visible(dave.token.clone()).await, 0);
}

/// Removing a region from a connection stops tracking it: what was found there becomes inactive
/// at the next sync of each task, saying why, instead of staying active and stale.
async fn what_a_dropped_region_held_becomes_inactive(app: &TestApp) {
    let owner = app.user("Owner").await;
    let (cid, fake, discovery) = synced(app, &owner.token, 3).await;
    let active = || async {
        app.get(&owner.token, "/api/v1/servers").await.1["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(active().await, 3);
    let (status, _) = app
        .patch(
            &owner.token,
            &format!("/api/v1/connections/{cid}"),
            json!({"regions": ["eu-west-1"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    fake.servers.lock().unwrap().clear();
    let report = discovery
        .sync(cid.parse().unwrap(), Some("server-list"), &Quiet)
        .await
        .unwrap();
    assert_eq!(report.tasks[0].counts["deactivated"], 3, "{report:?}");
    assert_eq!(active().await, 0);
    let (_, gone) = app
        .get(&owner.token, "/api/v1/servers?active=false&limit=1")
        .await;
    let sid = id(&gone["items"][0]);
    let (_, history) = app
        .get(&owner.token, &format!("/api/v1/servers/{sid}/history"))
        .await;
    assert_eq!(
        history["items"][0]["context"]["reason"],
        "its region is no longer synced by the connection"
    );
}

/// A task switched off does not run even when named (a schedule someone enabled again); a sync
/// dropped mid-task (its job cancelled) leaves that task interrupted, not "running" for good.
async fn switched_off_or_interrupted_tasks_do_not_pass_for_running(app: &TestApp) {
    let owner = app.user("Owner").await;
    let cid = id(&aws_connection(app, &owner.token).await.1);
    let fake = Arc::new(Fake::default());
    *fake.servers.lock().unwrap() = (1..=2).map(server).collect();
    let discovery = Discovery::new(app.core.clone(), vec![fake.clone()]);
    let conn: maestro_model::EntityId = cid.parse().unwrap();
    let (status, _) = app
        .patch(
            &owner.token,
            &format!("/api/v1/connections/{cid}/tasks/server-list"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Its schedule went off with it, recorded as the owner's change (not Maestro's).
    let task = crate::support::task_status(app, &owner.token, &cid, "server-list").await;
    let schedule = task["schedule"].as_str().expect("a schedule");
    let (_, history) = app
        .get(
            &owner.token,
            &format!("/api/v1/schedules/{schedule}/history"),
        )
        .await;
    let newest = &history["items"][0];
    assert_eq!(newest["changes"][0]["path"], "enabled", "{history}");
    assert_eq!(newest["actor"]["id"], owner.id, "{history}");
    assert_eq!(newest["actor"]["name"], "Owner", "{history}");
    assert_eq!(newest["source"], "api", "{history}");
    let refused = discovery.sync(conn, Some("server-list"), &Quiet).await;
    assert!(
        matches!(&refused, Err(maestro_core::CoreError::Conflict(m)) if m.contains("switched off")),
        "{refused:?}"
    );
    app.patch(
        &owner.token,
        &format!("/api/v1/connections/{cid}/tasks/server-list"),
        json!({"enabled": true}),
    )
    .await;

    let (listed, resume) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    *fake.gate.lock().unwrap() = Some((listed.clone(), resume.clone()));
    let running = {
        let discovery = discovery.clone();
        tokio::spawn(async move { discovery.sync(conn, Some("server-list"), &Quiet).await })
    };
    listed.notified().await;
    running.abort();
    let _ = running.await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let task = loop {
        let task = crate::support::task_status(app, &owner.token, &cid, "server-list").await;
        if task["state"] != "running" || std::time::Instant::now() > deadline {
            break task;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(task["state"], "error", "{task}");
    assert!(
        task["message"].as_str().unwrap().starts_with("interrupted"),
        "{task}"
    );
}
