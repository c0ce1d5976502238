//! Connection forms: an AWS connection created from the form (regions from the setting, the
//! endpoint, credentials, tags), credentials that never appear in any page — not even a form
//! re-shown with errors — edits that keep or replace them, a provider switch that asks for new
//! ones, an OpenStack connection with an application credential, and CSRF on the new forms.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::client::{Browser, signed_in};
use crate::harness::{TestApp, id};
use crate::quiet_backends;

const KEY_ID: &str = "AKIAWEBFORMEXAMPLE";
const SECRET: &str = "web-form-secret-never-shown";
const OS_SECRET: &str = "openstack-app-secret-never-shown";

quiet_backends!(
    the_form_creates_a_connection_whose_credentials_are_never_shown,
    openstack_connections_and_csrf_on_the_new_forms
);

/// The stored credentials, opened as discovery does.
async fn credentials(app: &TestApp, cid: &str) -> Value {
    let opened = app.core.open_secrets(cid.parse().unwrap()).await.unwrap();
    opened["credentials"].clone()
}

/// Every page that shows a connection (or could) must not carry its credentials.
async fn assert_no_credentials(b: &mut Browser<'_>, paths: &[String]) {
    for p in paths {
        let page = b.get(p).await;
        assert_eq!(page.status, StatusCode::OK, "{p}");
        for needle in [SECRET, KEY_ID, OS_SECRET] {
            assert!(!page.body.contains(needle), "{p} shows a credential");
        }
    }
}

async fn the_form_creates_a_connection_whose_credentials_are_never_shown(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Connie Cloud").await;
    let dc = app
        .create(
            &user.token,
            "datacenters",
            json!({"name": "AWS prod", "provider": "AWS"}),
        )
        .await;
    let new = b
        .get(&format!("/connections/new?datacenter={}", id(&dc)))
        .await;
    assert_eq!(new.status, StatusCode::OK);
    // The only datacenter there is starts chosen, even when the link did not name it.
    let blank = b.get("/connections/new").await;
    assert!(
        blank
            .body
            .contains(&format!(r#"<option value="{}" selected>"#, id(&dc))),
        "{}",
        blank.body
    );
    for part in [
        r#"name="aws.secret_access_key" type="password" value="""#,
        r#"name="aws_regions" value="us-east-1""#,
        r#"name="aws_endpoint_url""#,
        r#"data-provider="openstack""#,
        r#"name="auth_url""#,
        r#"name="os_auth" value="application""#,
        &format!(r#"<option value="{}" selected>"#, id(&dc)),
        // The IAM policy to set up before the first sync.
        r#"data-copy="iam-policy""#,
        "MaestroReadOnly",
        "ec2:DescribeInstances",
    ] {
        assert!(new.body.contains(part), "the form has {part}");
    }
    let mut form = vec![
        ("name", "prod account"),
        ("provider", "aws"),
        ("datacenter", ""),
        ("status", "enabled"),
        ("aws_regions", "us-east-1"),
        ("aws_regions", "eu-west-1"),
        ("aws_endpoint_url", "http://127.0.0.1:9"),
        ("aws.access_key_id", KEY_ID),
        ("aws.secret_access_key", SECRET),
        ("aws.session_token", ""),
        ("tags[]", ""),
        ("tags[0].key", "team"),
        ("tags[0].value", "cloud"),
    ];
    // Refused (no datacenter): the form comes back with the error, without the credentials.
    let bad = b.post("/connections", &form).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("The connection has 1 problem"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains(r#"value="prod account""#),
        "typed fields are kept"
    );
    assert!(!bad.body.contains(SECRET) && !bad.body.contains(KEY_ID));
    let dcid = id(&dc);
    form[2] = ("datacenter", dcid.as_str());
    let created = b.post("/connections", &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let cid = created
        .location
        .trim_start_matches("/connections/")
        .to_owned();
    let (_, conn) = app
        .get(&user.token, &format!("/api/v1/connections/{cid}"))
        .await;
    assert_eq!(conn["provider"], "aws");
    assert_eq!(conn["regions"], json!(["us-east-1", "eu-west-1"]));
    assert_eq!(conn["endpoint_url"], "http://127.0.0.1:9");
    assert_eq!(conn["datacenter"]["id"], dcid);
    assert_eq!(conn["tags"], json!([{"key": "team", "value": "cloud"}]));
    assert_eq!(
        credentials(app, &cid).await,
        json!({"access_key_id": KEY_ID, "secret_access_key": SECRET})
    );
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains("created: its tasks run now"), "flash");
    assert!(page.body.contains("stored encrypted, never shown"));
    // A second connection with the same keys and endpoint is created with a warning.
    let mut twin = form.clone();
    twin[0] = ("name", "prod twin");
    let created = b.post("/connections", &twin).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let twin_page = b.get(&created.location).await;
    assert!(
        twin_page
            .body
            .contains("connection prod account already discovers this account"),
        "{}",
        twin_page.body
    );
    assert!(!twin_page.body.contains(KEY_ID));
    let twin_id = created.location.trim_start_matches("/connections/");
    let (status, _) = app
        .delete(&user.token, &format!("/api/v1/connections/{twin_id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // An edit with empty credential inputs keeps them; filled ones replace them all.
    let edit = b.get(&format!("/connections/{cid}/edit")).await;
    assert!(edit.body.contains("Replace credentials"));
    assert!(
        edit.body
            .contains(r#"name="aws_regions" value="eu-west-1" checked"#)
    );
    let mut change = form.clone();
    change[0] = ("name", "prod account (eu)");
    change[7] = ("aws.access_key_id", "");
    change[8] = ("aws.secret_access_key", "");
    let saved = b.post(&format!("/connections/{cid}"), &change).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        credentials(app, &cid).await["secret_access_key"],
        SECRET,
        "kept"
    );
    let (_, history) = app
        .get(&user.token, &format!("/api/v1/connections/{cid}/history"))
        .await;
    assert_eq!(history["items"][0]["source"], "ui");
    assert_eq!(
        history["items"][0]["changes"],
        json!([{"path": "name", "old": "prod account", "new": "prod account (eu)"}])
    );
    change[7] = ("aws.access_key_id", "AKIANEWKEY");
    change[8] = ("aws.secret_access_key", "another-secret");
    let replaced = b.post(&format!("/connections/{cid}"), &change).await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER);
    assert_eq!(
        credentials(app, &cid).await,
        json!({"access_key_id": "AKIANEWKEY", "secret_access_key": "another-secret"})
    );
    // A region added is synced at once, not at each task's next run.
    change.push(("aws_regions", "eu-west-3"));
    let widened = b.post(&format!("/connections/{cid}"), &change).await;
    assert_eq!(widened.status, StatusCode::SEE_OTHER, "{}", widened.body);
    let page = b.get(&widened.location).await;
    assert!(
        page.body.contains("New region eu-west-3: a sync is"),
        "{}",
        page.body
    );
    // Another provider needs its own credentials.
    let switch = [
        ("name", "prod account (eu)"),
        ("provider", "openstack"),
        ("datacenter", dcid.as_str()),
        ("auth_url", "http://127.0.0.1:9/v3"),
        ("os_auth", "password"),
        ("os.username", ""),
        ("os.password", ""),
    ];
    let refused = b.post(&format!("/connections/{cid}"), &switch).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("enter the credentials for the new provider")
    );
    assert!(
        refused.body.contains("data-credentials open"),
        "the credentials section opens"
    );
    let paths = [
        "/connections".to_owned(),
        format!("/connections/{cid}"),
        format!("/connections/{cid}/edit"),
        format!("/connections/{cid}/access"),
        format!("/datacenters/{dcid}"),
        "/jobs".to_owned(),
        "/schedules".to_owned(),
    ];
    assert_no_credentials(&mut b, &paths).await;
}

async fn openstack_connections_and_csrf_on_the_new_forms(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Otto Stack").await;
    let dc = app
        .create(
            &user.token,
            "datacenters",
            json!({"name": "Private cloud", "provider": "OpenStack"}),
        )
        .await;
    let dcid = id(&dc);
    let form = [
        ("name", "private cloud"),
        ("provider", "openstack"),
        ("datacenter", dcid.as_str()),
        ("auth_url", "http://127.0.0.1:9/v3"),
        ("project_id", "p-123"),
        ("user_domain_id", "default"),
        ("api_version", "3"),
        ("os_regions", "RegionOne, RegionTwo"),
        ("os_endpoint_url", ""),
        ("aws_regions", "us-east-1"),
        ("os_auth", "application"),
        ("os.username", "ignored"),
        ("os.application_credential_id", "app-cred-1"),
        ("os.application_credential_secret", OS_SECRET),
    ];
    // Without the CSRF token nothing is created.
    let mut fields = vec![("_csrf", "0".repeat(64))];
    fields.extend(form.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let forged = b.send(Method::POST, "/connections", Some(&pairs)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (_, list) = app.get(&user.token, "/api/v1/connections").await;
    assert_eq!(list["total"], 0);

    let created = b.post("/connections", &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let cid = created
        .location
        .trim_start_matches("/connections/")
        .to_owned();
    let (_, conn) = app
        .get(&user.token, &format!("/api/v1/connections/{cid}"))
        .await;
    assert_eq!(conn["regions"], json!(["RegionOne", "RegionTwo"]));
    assert_eq!(conn["project_id"], "p-123");
    assert_eq!(conn["auth_url"], "http://127.0.0.1:9/v3");
    assert_eq!(
        credentials(app, &cid).await,
        json!({"application_credential_id": "app-cred-1", "application_credential_secret": OS_SECRET})
    );
    let page = b.get(&format!("/connections/{cid}")).await;
    assert!(page.body.contains("Keystone (OpenStack identity)"));
    assert!(page.body.contains("Keystone auth URL") && page.body.contains("p-123"));
    assert!(!page.body.contains("Read-only IAM policy"));
    assert!(page.body.contains(r#"data-task="flavor-list""#));

    // The edit form, a sync and a task switch refuse requests without the token.
    for path in [
        format!("/connections/{cid}"),
        format!("/connections/{cid}/sync"),
        format!("/connections/{cid}/tasks/server-list"),
    ] {
        let forged = b
            .send(
                Method::POST,
                &path,
                Some(&[("name", "hijacked"), ("enabled", "false")]),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{path}");
    }
    let (_, after) = app
        .get(&user.token, &format!("/api/v1/connections/{cid}"))
        .await;
    assert_eq!(after["name"], "private cloud");
    let (_, tasks) = app
        .get(&user.token, &format!("/api/v1/connections/{cid}/tasks"))
        .await;
    assert!(
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["enabled"] == true)
    );
    let (_, jobs) = app.get(&user.token, "/api/v1/jobs?module=discovery").await;
    assert_eq!(jobs["total"], 1, "only the first sync was queued: {jobs}");
    assert_eq!(jobs["items"][0]["name"], "sync private cloud");
    let paths = [
        format!("/connections/{cid}"),
        format!("/connections/{cid}/edit"),
    ];
    assert_no_credentials(&mut b, &paths).await;
}
