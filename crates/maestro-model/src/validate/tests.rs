use serde_json::{Value, json};

use super::*;
use crate::schema::Kind;

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn errors(kind: Kind, family: Option<&str>, v: Value) -> Vec<String> {
    match validate(kind.schema(), family, &obj(v)) {
        Ok(_) => vec![],
        Err(e) => e
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
    }
}

#[test]
fn a_full_server_is_valid_and_its_references_are_split_out() {
    let dc = EntityId::new();
    let app = EntityId::new();
    let v = validate(
        Kind::Server.schema(),
        None,
        &obj(json!({
            "name": "web-01", "hostname": "web-01.prod", "ipv4_private": "10.0.0.1",
            "os": {"base": "Linux", "dist": "Ubuntu", "version": "24.04"},
            "cpu": 4, "memory": 15.5, "environment": "Production",
            "storage": [{"name": "/dev/xvda", "size": 100, "mount": "/", "ftype": "ext4", "lvm": true, "pv": "pv0", "vg": "vg0"}],
            "auth": [{"type": "PKI", "name": "master.pem", "username": "ec2-user"}],
            "services": [{"name": "Nginx", "version": "1.25"}],
            "tags": [{"key": "team", "value": "web"}],
            "datacenters": {"id": dc.to_string(), "region": "us-east-1", "zone": "us-east-1a", "state_reason": "x"},
            "applications": [{"id": app.to_string(), "name": "ignored"}],
            "id": "ignored", "created_at": "ignored"
        })),
    )
    .unwrap();
    assert!(v.data.get("applications").is_none());
    assert!(v.data["datacenters"].get("id").is_none());
    assert_eq!(v.data["datacenters"]["state_reason"], "x");
    let apps = v.refs.iter().find(|r| r.path == "applications").unwrap();
    assert_eq!(apps.targets[0].id, app);
    let dcs = v.refs.iter().find(|r| r.path == "datacenters.id").unwrap();
    assert_eq!(dcs.targets[0].id, dc);
    let back = compose(&v.data, &v.refs);
    assert_eq!(back["datacenters"]["id"], dc.to_string());
    assert_eq!(back["applications"][0]["id"], app.to_string());
}

#[test]
fn every_bad_field_is_reported() {
    let errs = errors(
        Kind::Server,
        None,
        json!({
            "hostname": 5, "ipv4_private": "10.0.0.300", "cpu": 0, "memory": 2048,
            "status": "Running", "colour": "red", "os": {"base": "x".repeat(41)},
            "storage": [{"name": "a"}, {"name": "a"}],
        }),
    );
    for expected in [
        "name: is required",
        "hostname: must be a string",
        "ipv4_private: must be an IPv4 or IPv6 address",
        "cpu: must be greater than 0 and at most 1024",
        "memory: must be greater than 0 and at most 1024",
        "status: must be one of: Active, Avaliable, Stopped",
        "colour: unknown field",
        "os.base: must be at most 40 characters",
        "storage[1]: duplicate name \"a\"",
    ] {
        assert!(
            errs.iter().any(|e| e == expected),
            "missing {expected:?} in {errs:#?}"
        );
    }
}

#[test]
fn family_specific_fields_are_checked() {
    let errs = errors(
        Kind::Application,
        Some("Application"),
        json!({"name": "ap", "pdbs": []}),
    );
    assert_eq!(
        errs,
        vec![
            "name: must be at least 3 characters",
            "pdbs: not available for family Application"
        ]
    );
    assert!(
        errors(
            Kind::Application,
            Some("Database"),
            json!({"name": "orcl", "pdbs": [{"name": "p1"}]})
        )
        .is_empty()
    );
}

#[test]
fn references_must_be_ids() {
    let errs = errors(
        Kind::Application,
        Some("Application"),
        json!({"name": "web", "deps": [{"id": "nope"}, "also-bad", {"name": "x"}, 3]}),
    );
    assert_eq!(errs.len(), 4, "{errs:?}");
    let id = EntityId::new().to_string();
    let errs = errors(
        Kind::Application,
        Some("Application"),
        json!({"name": "web", "deps": [id, {"id": id}]}),
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
    let errs = errors(
        Kind::Application,
        Some("Application"),
        json!({"name": "web", "deps": [{"id": id, "endpoint": "rest", "bogus": 1}]}),
    );
    assert_eq!(errs, vec!["deps[0].bogus: unknown field"]);
}

#[test]
fn defaults_fill_only_absent_fields() {
    let mut doc = obj(json!({"name": "web"}));
    apply_defaults(Kind::Application.schema(), Some("Application"), &mut doc);
    assert_eq!(doc["family"], "Application");
    assert_eq!(doc["status"], "Active");
    let mut doc = obj(json!({"name": "web", "status": "Stopped"}));
    apply_defaults(Kind::Application.schema(), Some("Application"), &mut doc);
    assert_eq!(doc["status"], "Stopped");
}

#[test]
fn urls_and_emails() {
    assert!(is_http_url("https://keystone.example:5000/v3"));
    assert!(!is_http_url("ftp://x"));
    assert!(!is_http_url("https:///x"));
    assert!(is_email("a@b.io"));
    assert!(!is_email("a@b"));
    assert!(!is_email("a b@c.io"));
}

#[test]
fn integral_numbers_are_stored_as_integers() {
    let v = validate(
        Kind::Server.schema(),
        None,
        &obj(json!({"name": "n", "cpu": 4.0, "memory": 15.5, "storage": [{"name": "a", "size": 100.0}]})),
    )
    .unwrap();
    assert_eq!(v.data["cpu"], json!(4));
    assert!(v.data["cpu"].is_i64());
    assert_eq!(v.data["memory"], json!(15.5));
    assert!(v.data["storage"][0]["size"].is_i64());
}

#[test]
fn text_refuses_control_characters_but_keeps_line_breaks() {
    assert_eq!(
        errors(
            Kind::Server,
            None,
            json!({"name": "web", "hostname": "web\u{0}01"})
        ),
        ["hostname: must be one line, without tabs or other control characters"]
    );
    assert_eq!(
        errors(Kind::Server, None, json!({"name": "x\u{2028}y"})),
        ["name: must be one line, without tabs or other control characters"]
    );
    assert_eq!(
        errors(Kind::Server, None, json!({"name": "web\u{1b}[31m"})),
        ["name: must be one line, without tabs or other control characters"]
    );
    let multi_line = json!({"name": "web", "description": "line one\r\nline two\ttabbed"});
    assert!(errors(Kind::Application, None, multi_line).is_empty());
    // Short fields are one line.
    assert_eq!(
        errors(
            Kind::Server,
            None,
            json!({"name": "web", "hostname": "line\nbreak\tx"})
        ),
        ["hostname: must be one line, without tabs or other control characters"]
    );
}
