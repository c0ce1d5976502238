//! Discovery end to end through the API, the jobs and real peers: AWS emulated by moto (seeded
//! with boto3) and OpenStack replayed from the official API samples. Creating a connection
//! syncs it at once; a second sync writes no history; a terminated instance becomes inactive; a
//! listing refused with 403 leaves everything discovered active; credentials appear nowhere.

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, User, id};
use crate::peers::Moto;

const SECRET: &str = "testing-secret-never-shown";

fn seed(moto: &Moto, scenario: &str) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../maestro-discovery-aws/tests/aws/seed.py"
    );
    let out = Command::new("python3")
        .args([script, &moto.endpoint, "us-east-1", scenario])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "seed {scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("seed output")
}

/// Waits until every task of the connection has finished a run.
async fn wait_tasks(app: &TestApp, user: &User, cid: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let (_, tasks) = app
            .get(&user.token, &format!("/api/v1/connections/{cid}/tasks"))
            .await;
        let done = tasks["items"].as_array().is_some_and(|t| {
            t.iter()
                .all(|t| t["state"] != "never" && t["state"] != "running")
        });
        if done || Instant::now() > deadline {
            return tasks;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn wait_job(app: &TestApp, user: &User, job: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let (_, j) = app.get(&user.token, &format!("/api/v1/jobs/{job}")).await;
        let st = j["status"].as_str().unwrap_or_default();
        if matches!(st, "succeeded" | "failed" | "cancelled") || Instant::now() > deadline {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Syncs one task of a connection and waits for the job.
async fn sync_task(app: &TestApp, user: &User, cid: &str, task: &str) -> Value {
    let (_, started) = app
        .post(
            &user.token,
            &format!("/api/v1/connections/{cid}/sync"),
            json!({"task": task}),
        )
        .await;
    wait_job(app, user, started["job"]["id"].as_str().unwrap()).await
}

async fn total(app: &TestApp, user: &User, path: &str) -> u64 {
    app.get(&user.token, path).await.1["total"]
        .as_u64()
        .unwrap_or(0)
}

async fn history_total(app: &TestApp, user: &User) -> u64 {
    let mut n = 0;
    for coll in [
        "servers",
        "loadbalancers",
        "databases",
        "resources",
        "volumes",
        "snapshots",
        "images",
        "networks",
    ] {
        let (_, list) = app
            .get(&user.token, &format!("/api/v1/{coll}?active=all&limit=500"))
            .await;
        for item in list["items"].as_array().unwrap() {
            n += app
                .get(&user.token, &format!("/api/v1/{coll}/{}/history", id(item)))
                .await
                .1["total"]
                .as_u64()
                .unwrap();
        }
    }
    n
}

/// An endpoint that refuses every AWS call with 403.
async fn refusing_endpoint() -> String {
    let app = axum::Router::new().fallback(|| async {
        (
            StatusCode::FORBIDDEN,
            [("content-type", "text/xml")],
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized</Message></Error></Errors><RequestID>1</RequestID></Response>",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn no_secret(v: &Value) {
    assert!(!v.to_string().contains(SECRET), "credentials leaked: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_through_moto() {
    let Some(moto) = Moto::start() else { return };
    let ec2 = seed(&moto, "ec2");
    let apps = seed(&moto, "apps");
    let global = seed(&moto, "global");
    // moto is shared by both backends: each terminates one more instance.
    for (round, backend) in ["sqlite", "postgres"].into_iter().enumerate() {
        let Some(app) = TestApp::with_settings(backend, |_| {}).await else {
            continue;
        };
        let user = app.user("Cloud Owner").await;
        let dc = app
            .create(
                &user.token,
                "datacenters",
                json!({"name": "AWS moto", "provider": "AWS", "regions": ["us-east-1"]}),
            )
            .await;
        let conn = app
            .create(&user.token, "connections", json!({"name": "moto", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"],
                "endpoint_url": moto.endpoint, "credentials": {"access_key_id": "testing", "secret_access_key": SECRET}}))
            .await;
        let cid = id(&conn);
        // Creating the connection started a sync of every task.
        let tasks = wait_tasks(&app, &user, &cid).await;
        no_secret(&tasks);
        for t in tasks["items"].as_array().unwrap() {
            assert_eq!(t["state"], "success", "{backend}: {t}");
            assert!(t["schedule"].is_string());
        }
        let created = &ec2["created"];
        let instances = (created["instances"].as_array().unwrap().len()
            + apps["created"]["instances"].as_array().unwrap().len()
            - round) as u64;
        assert_eq!(
            total(&app, &user, "/api/v1/servers").await,
            instances,
            "{backend}"
        );
        let servers = app.get(&user.token, "/api/v1/servers?limit=100").await.1;
        assert!(
            servers["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["datacenters"]["id"] == id(&dc))
        );
        assert_eq!(
            total(&app, &user, "/api/v1/loadbalancers").await,
            apps["expect"]["loadbalance-list"].as_u64().unwrap()
        );
        let lbs = app
            .get(&user.token, "/api/v1/loadbalancers?limit=100")
            .await
            .1;
        assert!(
            lbs["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|lb| !lb["targets"].as_array().unwrap().is_empty())
        );
        // The stopped database is recorded too (status Stopped).
        assert_eq!(
            total(&app, &user, "/api/v1/databases").await,
            apps["expect"]["dbs-list"].as_u64().unwrap()
        );
        assert_eq!(
            total(&app, &user, "/api/v1/resources?family=ObjectStorage").await,
            global["expect"]["storage-object-list"].as_u64().unwrap()
        );
        assert_eq!(
            total(&app, &user, "/api/v1/resources?family=CDN").await,
            global["expect"]["cdns-list"].as_u64().unwrap()
        );
        assert_eq!(
            total(&app, &user, "/api/v1/snapshots").await,
            ec2["expect"]["snapshot-list"].as_u64().unwrap()
        );
        assert_eq!(
            total(&app, &user, "/api/v1/images").await,
            ec2["expect"]["images-list"].as_u64().unwrap()
        );
        assert!(total(&app, &user, "/api/v1/volumes").await >= 2);
        assert!(total(&app, &user, "/api/v1/networks?family=Vpc").await >= 2);
        assert!(total(&app, &user, "/api/v1/networks?family=SecurityGroup").await >= 1);

        // A second sync with no changes writes no history.
        let before = history_total(&app, &user).await;
        let (status, started) = app
            .post(
                &user.token,
                &format!("/api/v1/connections/{cid}/sync"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let job = wait_job(&app, &user, started["job"]["id"].as_str().unwrap()).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        no_secret(&job);
        let after = history_total(&app, &user).await;
        assert_eq!(after, before, "{backend}: an unchanged sync wrote history");

        // A terminated instance becomes inactive.
        let victim = created["instances"][round].as_str().unwrap();
        let script = format!(
            "import boto3; boto3.client('ec2', endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing').terminate_instances(InstanceIds=['{victim}'])",
            moto.endpoint
        );
        assert!(
            Command::new("python3")
                .args(["-c", &script])
                .status()
                .unwrap()
                .success()
        );
        sync_task(&app, &user, &cid, "server-list").await;
        let inactive = app
            .get(
                &user.token,
                &format!("/api/v1/servers?active=false&unique_id={victim}"),
            )
            .await
            .1;
        assert_eq!(inactive["total"], 1, "{backend}: {inactive}");
        let active_now = total(&app, &user, "/api/v1/servers").await;
        assert_eq!(active_now, instances - 1);
        // Still listed as terminated, it stays as it is: the sync succeeds and writes nothing
        // (it was re-linked to its datacenter, which an inactive entity cannot be, and failed).
        let before = history_total(&app, &user).await;
        let job = sync_task(&app, &user, &cid, "server-list").await;
        assert_eq!(job["status"], "succeeded", "{backend}: {job}");
        assert_eq!(history_total(&app, &user).await, before);

        // A listing refused with 403 deactivates nothing; the task says which permission.
        let refusing = refusing_endpoint().await;
        app.patch(
            &user.token,
            &format!("/api/v1/connections/{cid}"),
            json!({"endpoint_url": refusing, "credentials": {"access_key_id": "testing", "secret_access_key": SECRET}}),
        )
        .await;
        let job = sync_task(&app, &user, &cid, "server-list").await;
        assert_eq!(job["status"], "failed", "{job}");
        // The failed job keeps what each task did, as a successful one does.
        assert_eq!(job["result"]["tasks"][0]["task"], "server-list", "{job}");
        assert_eq!(job["result"]["tasks"][0]["state"], "error", "{job}");
        assert_eq!(total(&app, &user, "/api/v1/servers").await, active_now);
        let servers_task =
            crate::support::task_status(&app, &user.token, &cid, "server-list").await;
        assert_eq!(servers_task["state"], "error");
        assert_eq!(servers_task["permission"], "ec2:DescribeInstances");
        no_secret(
            &app.get(&user.token, &format!("/api/v1/connections/{cid}"))
                .await
                .1,
        );
        no_secret(&app.get(&user.token, "/api/v1/jobs?limit=100").await.1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openstack_through_the_api_samples() {
    use maestro_discovery_openstack::fake::{self, FakeOpenStack};
    let (_base, handle) = FakeOpenStack::start().await;
    let account = handle.account("x");
    for backend in ["sqlite", "postgres"] {
        let Some(app) = TestApp::with_settings(backend, |_| {}).await else {
            continue;
        };
        let user = app.user("Stack Owner").await;
        let dc = app
            .create(
                &user.token,
                "datacenters",
                json!({"name": "Private cloud", "provider": "OpenStack"}),
            )
            .await;
        let conn = app
            .create(&user.token, "connections", json!({"name": "devstack", "provider": "openstack", "datacenter": id(&dc),
                "regions": [fake::REGION], "auth_url": account.auth_url, "project_id": fake::PROJECT_ID,
                "user_domain_id": fake::USER_DOMAIN_ID, "api_version": "3",
                "credentials": {"username": fake::USERNAME, "password": fake::PASSWORD}}))
            .await;
        let cid = id(&conn);
        let tasks = wait_tasks(&app, &user, &cid).await;
        for t in tasks["items"].as_array().unwrap() {
            assert!(
                t["state"] == "success" || t["state"] == "warning",
                "{backend}: {t}"
            );
        }
        let n = |c: &str| handle.items(c).len() as u64;
        assert_eq!(
            total(&app, &user, "/api/v1/servers?active=all").await,
            n("servers")
        );
        assert_eq!(total(&app, &user, "/api/v1/flavors").await, n("flavors"));
        assert_eq!(
            total(&app, &user, "/api/v1/images?active=all").await,
            n("images")
        );
        assert_eq!(
            total(&app, &user, "/api/v1/volumes?active=all").await,
            n("volumes")
        );
        assert_eq!(
            total(&app, &user, "/api/v1/snapshots?active=all").await,
            n("snapshots")
        );
        assert_eq!(
            total(&app, &user, "/api/v1/loadbalancers?active=all").await,
            n("loadbalancers")
        );
        assert_eq!(
            total(
                &app,
                &user,
                "/api/v1/networks?family=SecurityGroup&active=all"
            )
            .await,
            n("security_groups")
        );
        assert_eq!(
            total(&app, &user, "/api/v1/networks?family=Network&active=all").await,
            n("networks")
        );
        assert_eq!(
            total(&app, &user, "/api/v1/networks?family=Subnet&active=all").await,
            n("subnets")
        );
        assert_eq!(
            total(&app, &user, "/api/v1/networks?family=Ports&active=all").await,
            n("ports")
        );
        assert_eq!(
            total(&app, &user, "/api/v1/networks?family=Router&active=all").await,
            n("routers")
        );
        let server = &app.get(&user.token, "/api/v1/servers?active=all").await.1["items"][0];
        assert_eq!(server["datacenters"]["provider"], "OpenStack");
        assert!(server["discovery"]["provider_id"].is_string());
    }
}
