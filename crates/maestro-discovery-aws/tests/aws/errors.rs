//! Faults injected at the HTTP layer: a refused permission is a `Permission` error naming the
//! IAM action (even after pages were handed over: the listing is then incomplete), refused
//! credentials are `Auth`, throttling is retried with backoff, a closed port is `Unreachable`,
//! and no secret leaks into errors. A refused `s3:GetBucketTagging` still lists the buckets.

use maestro_discovery::ProviderError;
use maestro_discovery_aws::AwsProvider;
use serde_json::json;

use crate::fault::{Fault, ec2_error, instances_page, query_error, s3_reply};
use crate::support::{account, run};

const SECRET: &str = "wJalrXUtnFEMI-not-a-real-secret";

fn creds() -> serde_json::Value {
    json!({"access_key_id": "AKIAFAULTTEST", "secret_access_key": SECRET})
}

fn assert_permission(err: ProviderError, want: &str) {
    match err {
        ProviderError::Permission { action, message } => {
            assert_eq!(action, want);
            assert!(!message.contains(SECRET));
        }
        other => panic!("expected a permission error for {want}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_403_names_the_missing_permission() {
    let fault = Fault::start(vec![
        ec2_error("DescribeInstances", 403, "UnauthorizedOperation"),
        query_error("DescribeDBInstances", 403, "AccessDenied"),
        query_error("DescribeLoadBalancers", 403, "AccessDenied"),
    ])
    .await;
    let acct = account(&fault.url, &["us-east-1"], creds());
    let provider = AwsProvider::new();
    let (res, sink) = run(&provider, &acct, "us-east-1", "server-list").await;
    assert_permission(res.unwrap_err(), "ec2:DescribeInstances");
    assert!(sink.pages.is_empty());
    let (res, _) = run(&provider, &acct, "us-east-1", "dbs-list").await;
    assert_permission(res.unwrap_err(), "rds:DescribeDBInstances");
    let (res, _) = run(&provider, &acct, "us-east-1", "loadbalance-list").await;
    assert_permission(
        res.unwrap_err(),
        "elasticloadbalancing:DescribeLoadBalancers",
    );
    assert!(!fault.actions().is_empty());
}

#[tokio::test]
async fn refused_bucket_tags_still_list_the_buckets() {
    let buckets = "<ListAllMyBucketsResult><Owner><ID>1</ID></Owner><Buckets>\
        <Bucket><Name>logs-one</Name></Bucket><Bucket><Name>logs-two</Name></Bucket>\
        </Buckets></ListAllMyBucketsResult>";
    let denied = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message>\
        <RequestId>req-1</RequestId></Error>";
    let fault = Fault::start(vec![
        s3_reply("ListBuckets", 200, buckets),
        s3_reply("GetBucketTagging", 403, denied),
    ])
    .await;
    let acct = account(&fault.url, &["us-east-1"], creds());
    let (res, sink) = run(
        &AwsProvider::new(),
        &acct,
        "us-east-1",
        "storage-object-list",
    )
    .await;
    res.expect("the listing itself was complete");
    let all = sink.all();
    assert_eq!(all.len(), 2);
    // Listed without `tags`: what is stored stays.
    assert!(
        all.iter().all(|o| !o.fields.contains_key("tags")),
        "{all:?}"
    );
    let actions = fault.actions();
    assert_eq!(actions[0], "ListBuckets");
    assert!(
        actions.iter().any(|a| a == "GetBucketTagging"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_403_after_the_first_page_still_fails_the_listing() {
    let fault = Fault::start(vec![
        instances_page("i-0000000000000001", Some("page-2")),
        ec2_error("DescribeInstances", 403, "UnauthorizedOperation"),
    ])
    .await;
    let acct = account(&fault.url, &["us-east-1"], creds());
    let (res, sink) = run(&AwsProvider::new(), &acct, "us-east-1", "server-list").await;
    assert_permission(res.unwrap_err(), "ec2:DescribeInstances");
    assert_eq!(
        sink.pages.len(),
        1,
        "the first page was handed over as it arrived"
    );
    assert_eq!(sink.pages[0][0].provider_id, "i-0000000000000001");
}

#[tokio::test]
async fn throttling_is_retried_with_backoff() {
    let fault = Fault::start(vec![
        ec2_error("DescribeInstances", 503, "RequestLimitExceeded"),
        ec2_error("DescribeInstances", 503, "RequestLimitExceeded"),
        instances_page("i-0000000000000002", None),
    ])
    .await;
    let acct = account(&fault.url, &["us-east-1"], creds());
    let started = std::time::Instant::now();
    let (res, sink) = run(&AwsProvider::new(), &acct, "us-east-1", "server-list").await;
    let stats = res.expect("succeeds after two throttled attempts");
    assert_eq!(stats.observed, 1);
    assert_eq!(
        sink.get("i-0000000000000002").fields["ipv4_private"],
        "10.0.0.1"
    );
    assert_eq!(
        fault
            .actions()
            .iter()
            .filter(|a| *a == "DescribeInstances")
            .count(),
        3
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(600),
        "200 + 400 ms backoff"
    );
}

#[tokio::test]
async fn refused_credentials_are_auth_errors() {
    let fault = Fault::start(vec![ec2_error("DescribeVolumes", 401, "AuthFailure")]).await;
    let acct = account(&fault.url, &["us-east-1"], creds());
    let (res, _) = run(&AwsProvider::new(), &acct, "us-east-1", "volumes-list").await;
    match res.unwrap_err() {
        ProviderError::Auth(msg) => assert!(!msg.contains(SECRET)),
        other => panic!("expected an auth error, got {other:?}"),
    }

    // A refused key on a query-protocol service, in the body moto sends (EC2's `<Errors>`
    // wrapper, which the SDK's parser does not read): still a refused key, not a permission.
    let mut moto_style = ec2_error("DescribeDBInstances", 403, "InvalidClientTokenId");
    moto_style.body = moto_style
        .body
        .replace("<Response>", "<ErrorResponse>")
        .replace(
            "<RequestID>req-1</RequestID></Response>",
            "</ErrorResponse>",
        );
    let fault = Fault::start(vec![moto_style]).await;
    let acct = account(&fault.url, &["us-east-1"], creds());
    let (res, _) = run(&AwsProvider::new(), &acct, "us-east-1", "dbs-list").await;
    match res.unwrap_err() {
        ProviderError::Auth(msg) => {
            assert!(msg.contains("InvalidClientTokenId"), "{msg}");
            assert!(
                !msg.contains("unhandled error"),
                "the SDK's debug form: {msg}"
            );
        }
        other => panic!("expected an auth error, got {other:?}"),
    }

    // A role that cannot be assumed: the credentials cannot be obtained.
    let fault = Fault::start(vec![query_error("AssumeRole", 403, "AccessDenied")]).await;
    let mut c = creds();
    c["role_arn"] = json!("arn:aws:iam::123456789012:role/nope");
    let acct = account(&fault.url, &["us-east-1"], c);
    let (res, _) = run(&AwsProvider::new(), &acct, "us-east-1", "security-list").await;
    let err = res.unwrap_err();
    assert!(matches!(err, ProviderError::Auth(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("AccessDenied") && text.len() < 600, "{text}");
    assert!(!text.contains(SECRET));
    assert_eq!(fault.actions(), ["AssumeRole"]);
}

#[tokio::test]
async fn half_credentials_and_unknown_tasks_are_refused_before_any_call() {
    let fault = Fault::start(vec![]).await;
    let acct = account(&fault.url, &["us-east-1"], json!({"access_key_id": "AKIA"}));
    let (res, _) = run(&AwsProvider::new(), &acct, "us-east-1", "server-list").await;
    assert!(matches!(res.unwrap_err(), ProviderError::Auth(_)));
    let acct = account(&fault.url, &["us-east-1"], creds());
    let (res, _) = run(&AwsProvider::new(), &acct, "us-east-1", "autoscaling-list").await;
    assert!(matches!(res.unwrap_err(), ProviderError::Other(_)));
    assert!(fault.actions().is_empty());
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    // A port nothing listens on: refused at once, retried, then reported as out of reach.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let acct = account(&format!("http://127.0.0.1:{port}"), &["us-east-1"], creds());
    let (res, _) = run(&AwsProvider::new(), &acct, "us-east-1", "server-list").await;
    match res.unwrap_err() {
        ProviderError::Unreachable(m) => {
            assert!(m.starts_with("ec2:DescribeInstances"), "{m}");
            assert!(!m.contains(SECRET));
        }
        other => panic!("expected an unreachable error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_connection_without_keys_never_uses_the_hosts_credentials() {
    // The host has credentials of its own (here in the environment the SDK's default chain
    // reads): a connection without keys must not borrow them, nor call anyone.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let acct = account(&url, &["us-east-1"], serde_json::json!({}));
    let (res, _) = run(&AwsProvider::new(), &acct, "us-east-1", "server-list").await;
    match res.unwrap_err() {
        ProviderError::Auth(m) => assert!(m.contains("no access key"), "{m}"),
        other => panic!("expected an auth error, got {other:?}"),
    }
    let accepted =
        tokio::time::timeout(std::time::Duration::from_millis(200), listener.accept()).await;
    assert!(
        accepted.is_err(),
        "the provider called the endpoint without keys"
    );
}
