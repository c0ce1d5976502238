//! The connection form's decoding: per-provider fields and credentials, edits as patches.

use super::*;

fn form(pairs: &[(&str, &str)]) -> FormData {
    FormData {
        pairs: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

#[test]
fn aws_form_becomes_a_connection_with_credentials() {
    let f = form(&[
        ("name", "prod"),
        ("provider", "aws"),
        ("datacenter", "dc-1"),
        ("aws_regions", "us-east-1"),
        ("aws_regions", "eu-west-1"),
        ("auth_url", "http://ignored"),
        ("aws.access_key_id", "AKIA"),
        ("aws.secret_access_key", "s3cret"),
        ("aws.session_token", ""),
        ("os.username", "ignored"),
    ]);
    let c = ConnectionForm::from_form(&f);
    let d = c.desired();
    assert_eq!(d["regions"], json!(["us-east-1", "eu-west-1"]));
    assert!(d.get("auth_url").is_none(), "OpenStack fields are not sent");
    assert_eq!(
        c.credentials(&f),
        Some(json!({"access_key_id": "AKIA", "secret_access_key": "s3cret"}))
    );
}

#[test]
fn openstack_application_credentials_and_empty_means_unchanged() {
    let f = form(&[
        ("provider", "openstack"),
        ("os_regions", "RegionOne, RegionTwo"),
        ("os_auth", "application"),
        ("os.username", "not-sent"),
        ("os.application_credential_id", "id1"),
        ("os.application_credential_secret", "sec"),
    ]);
    let c = ConnectionForm::from_form(&f);
    assert_eq!(c.desired()["regions"], json!(["RegionOne", "RegionTwo"]));
    assert_eq!(
        c.credentials(&f),
        Some(json!({"application_credential_id": "id1", "application_credential_secret": "sec"}))
    );
    let empty = form(&[("provider", "openstack"), ("os.password", " ")]);
    assert_eq!(ConnectionForm::from_form(&empty).credentials(&empty), None);
}

#[test]
fn an_edit_patches_what_changed_and_drops_other_provider_fields() {
    let current = json!({"name": "os", "provider": "openstack", "datacenter": {"id": "dc-1", "name": "DC"},
        "regions": ["RegionOne"], "auth_url": "http://k/v3", "status": "enabled"});
    let mut c = ConnectionForm::from_json(&current);
    assert_eq!(c.datacenter, "dc-1");
    assert_eq!(c.os_regions, "RegionOne");
    assert!(c.patch(&current).is_empty(), "nothing changed");
    c.provider = "aws".into();
    c.aws_regions = vec!["us-east-1".into()];
    let p = c.patch(&current);
    assert_eq!(
        Value::Object(p),
        json!({"provider": "aws", "regions": ["us-east-1"], "auth_url": null})
    );
}
