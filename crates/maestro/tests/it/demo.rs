//! The demo inventory: created through the services, visible to administrators only.

use reqwest::StatusCode;

use crate::backends;
use crate::harness::TestApp;

backends!(demo_inventory_is_loaded_for_administrators);

async fn demo_inventory_is_loaded_for_administrators(app: &TestApp) {
    let admin = app.user("Admin").await;
    let n = app.core.load_demo().await.expect("demo loads");
    assert!(n >= 20);
    assert!(
        app.core.load_demo().await.is_err(),
        "a second load is refused"
    );
    let (_, servers) = app.get(&admin.token, "/api/v1/servers?limit=100").await;
    let names: Vec<&str> = servers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for n in [
        "landing-dev",
        "db-mongo.master",
        "db-mongo.slave",
        "db-mongo.arbiter",
        "rabbit.prn",
        "jenkins.project.prn",
        "prd.k8s.master",
        "maestrox",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let (_, apps) = app.get(&admin.token, "/api/v1/applications?q=webapp").await;
    assert!(apps["total"].as_u64().unwrap() >= 3);
    let (_, dbs) = app.get(&admin.token, "/api/v1/databases").await;
    assert_eq!(dbs["total"], 2);
    let (_, lbs) = app.get(&admin.token, "/api/v1/loadbalancers").await;
    let lb = &lbs["items"][0];
    assert_eq!(lb["name"], "lb-external");
    assert_eq!(lb["deps"].as_array().unwrap().len(), 2);
    assert_eq!(lb["targets"].as_array().unwrap().len(), 3);
    let (_, systems) = app.get(&admin.token, "/api/v1/systems?q=maestro").await;
    assert_eq!(systems["items"][0]["clients"][0]["name"], "Maestro Team");
    // Demo entities have history (created through the domain services).
    let id = lb["id"].as_str().unwrap();
    let (_, h) = app
        .get(&admin.token, &format!("/api/v1/loadbalancers/{id}/history"))
        .await;
    assert!(h["total"].as_u64().unwrap() >= 2);
    assert_eq!(h["items"][0]["source"], "system");
    // A regular user does not see them.
    let user = app.user("Regular").await;
    let (status, _) = app
        .get(&user.token, &format!("/api/v1/loadbalancers/{id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mine) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(mine["total"], 0);
}
