//! Failures against the fake: permission errors name the policy, bad credentials are `Auth`,
//! throttling is retried, a failure mid-listing is an error (so nothing gets deactivated), and
//! pagination honours the client's own page size.

mod common;

use std::time::Instant;

use common::{fake, requests, run, run_with};
use maestro_discovery::{Provider, ProviderError};
use maestro_discovery_openstack::OpenStackProvider;
use maestro_discovery_openstack::fake::{APP_CRED_ID, APP_CRED_SECRET, FakeOpenStack, PASSWORD};
use serde_json::json;

fn permission(e: ProviderError) -> (String, String) {
    match e {
        ProviderError::Permission { action, message } => (action, message),
        other => panic!("expected a permission error, got {other:?}"),
    }
}

#[tokio::test]
async fn forbidden_listings_are_permission_errors_naming_the_policy() {
    let fake = fake().await;
    let account = fake.account("c");
    for (fragment, task, want) in [
        (
            "/servers/detail",
            "server-list",
            "compute: os_compute_api:servers:detail",
        ),
        (
            "/security-groups",
            "security-list",
            "network: get_security_group",
        ),
        (
            "/lbaas/pools",
            "loadbalance-list",
            "load-balancer: os_load-balancer_api:pool:get_all",
        ),
        ("/image/v2/images", "images-list", "image: get_images"),
        (
            "/snapshots/detail",
            "snapshot-list",
            "volume: volume:get_all_snapshots",
        ),
        ("/v2.0/routers", "network-list", "network: get_router"),
    ] {
        fake.clear_faults();
        fake.fail(fragment, 403, None);
        let (result, _) = run_with(&account, task).await;
        let (action, message) = permission(result.unwrap_err());
        assert_eq!(action, want, "{task}");
        assert!(
            message.contains("Policy doesn't allow"),
            "{task}: {message}"
        );
    }
    // The other tasks still work.
    fake.clear_faults();
    run(&fake, "flavor-list").await;
}

#[tokio::test]
async fn a_failure_after_some_pages_fails_the_listing() {
    let fake = fake().await;
    fake.fail("limit=200&marker=3", 403, None);
    let (result, sink) = run_with(&fake.account("c"), "flavor-list").await;
    assert!(
        matches!(result, Err(ProviderError::Permission { .. })),
        "{result:?}"
    );
    assert_eq!(
        sink.all().len(),
        3,
        "pages before the failure were handed over"
    );
    fake.clear_faults();
    fake.fail("/v2.0/ports", 500, None);
    let (result, _) = run_with(&fake.account("c"), "network-list").await;
    assert!(
        matches!(result, Err(ProviderError::Other(ref m)) if m.contains("500")),
        "{result:?}"
    );
}

#[tokio::test]
async fn bad_credentials_are_auth_errors() {
    let fake = fake().await;
    let mut wrong = fake.account("c");
    wrong
        .credentials
        .insert("password".into(), json!("not-the-password"));
    let (result, sink) = run_with(&wrong, "server-list").await;
    assert!(matches!(result, Err(ProviderError::Auth(_))), "{result:?}");
    assert!(sink.pages.is_empty());
    let msg = result.unwrap_err().to_string();
    assert!(
        !msg.contains("not-the-password") && !msg.contains(PASSWORD),
        "{msg}"
    );

    let mut other_project = fake.account("c");
    other_project.project_id = Some("someone-elses-project".into());
    let (result, _) = run_with(&other_project, "server-list").await;
    assert!(matches!(result, Err(ProviderError::Auth(_))), "{result:?}");

    let mut no_password = fake.account("c");
    no_password.credentials.remove("password");
    let (result, _) = run_with(&no_password, "server-list").await;
    assert!(
        matches!(result, Err(ProviderError::Auth(ref m)) if m.contains("password")),
        "{result:?}"
    );
    assert!(!format!("{no_password:?}").contains(PASSWORD));
}

#[tokio::test]
async fn application_credentials_log_in() {
    let fake = fake().await;
    let mut account = fake.account("c");
    account.credentials.clear();
    account
        .credentials
        .insert("application_credential_id".into(), json!(APP_CRED_ID));
    account.credentials.insert(
        "application_credential_secret".into(),
        json!(APP_CRED_SECRET),
    );
    account.project_id = None;
    let (result, sink) = run_with(&account, "security-list").await;
    assert_eq!(result.unwrap().observed, 1);
    assert_eq!(sink.all().len(), 1);
}

#[tokio::test]
async fn throttling_backs_off_and_retries() {
    let fake = fake().await;
    fake.fail("/servers/detail", 429, Some(2));
    fake.fail("/auth/tokens", 503, Some(1));
    let (stats, _) = run(&fake, "server-list").await;
    assert_eq!(stats.observed, 1);
    assert_eq!(requests(&fake, "/auth/tokens").len(), 2);
    assert_eq!(
        requests(&fake, "/servers/detail").len(),
        4,
        "two 429s, two pages"
    );

    fake.fail("/v2.0/networks", 429, None);
    let started = Instant::now();
    let (result, _) = run_with(&fake.account("c"), "network-list").await;
    assert!(
        matches!(result, Err(ProviderError::Throttled(_))),
        "{result:?}"
    );
    assert!(started.elapsed().as_millis() >= 200 + 400 + 800 + 1600 + 3200);
}

#[tokio::test]
async fn the_clients_page_size_is_honoured_too() {
    let (_, fake) = FakeOpenStack::builder().page_size(100).start().await;
    let mut sink = common::Collect::default();
    let stats = OpenStackProvider::new()
        .with_page_limit(3)
        .run(&fake.account("c"), "RegionOne", "flavor-list", &mut sink)
        .await
        .unwrap();
    assert_eq!((stats.observed, stats.pages), (7, 3));
    let reqs = requests(&fake, "/flavors/detail");
    assert_eq!(
        reqs.len(),
        3,
        "7 flavors in pages of 3, 3 and 1 (no next link on the last)"
    );
    assert!(reqs.iter().all(|r| r.contains("limit=3")), "{reqs:?}");
}

#[tokio::test]
async fn unknown_tasks_and_regions_are_errors() {
    let fake = fake().await;
    let provider = OpenStackProvider::new();
    assert_eq!(provider.name(), "openstack");
    assert_eq!(provider.tasks().len(), 8);
    let mut sink = common::Collect::default();
    let err = provider
        .run(&fake.account("c"), "RegionOne", "dbs-list", &mut sink)
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Other(_)));
    let err = provider
        .run(&fake.account("c"), "RegionTwo", "server-list", &mut sink)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("RegionOne"), "{err}");
    fake.stop();
    let err = provider
        .run(&fake.account("c"), "RegionOne", "server-list", &mut sink)
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Other(_)), "{err:?}");
}

#[tokio::test]
async fn a_refused_token_is_renewed_once() {
    let fake = fake().await;
    fake.fail("/servers/detail", 401, Some(1));
    let (stats, _) = run(&fake, "server-list").await;
    assert_eq!(stats.observed, 1);
    assert_eq!(requests(&fake, "/auth/tokens").len(), 2, "logged in again");
    fake.fail("/v2.0/networks", 401, None);
    let (result, _) = run_with(&fake.account("c"), "network-list").await;
    assert!(matches!(result, Err(ProviderError::Auth(_))), "{result:?}");
}
