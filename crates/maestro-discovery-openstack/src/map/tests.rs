//! Unit tests of the mappings: the official samples mapped directly, every observation validated
//! against the schema registry, and the rules the samples do not exercise.

use maestro_discovery::Observation;
use maestro_model::schema::{Collection, Kind};
use maestro_model::validate::validate;
use serde_json::{Value, json};

use super::compute::{FlavorSize, NovaServer, server_status};
use super::flavor::observe_flavor;
use super::loadbalancer::{Lb, Part, PoolView, server_of_member};
use super::network::{NetKind, observe as observe_net};
use super::storage::{observe_image, observe_snapshot, observe_volume, volume_status};
use super::{fit_name, tags};

type MapFn = fn(Value, &str) -> Result<Observation, maestro_discovery::ProviderError>;

fn sample(raw: &str, key: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(raw).unwrap();
    v[key].as_array().unwrap().clone()
}

/// Validates an observation as the core will: its kind's schema, its family, its collection.
pub fn check(o: &Observation) {
    let kind = o.collection.kind();
    let family = o.fields.get("family").and_then(Value::as_str);
    if let Err(errors) = validate(kind.schema(), family, &o.fields) {
        panic!("{} {} is invalid: {errors:?}", kind, o.provider_id);
    }
    assert_eq!(
        Collection::of(kind, family),
        o.collection,
        "{}",
        o.provider_id
    );
    assert_eq!(o.fields["unique_id"], json!(o.provider_id));
}

#[test]
fn every_sample_maps_to_a_valid_observation() {
    let mut all = Vec::new();
    for s in sample(
        include_str!("../../fixtures/compute-servers-detail.json"),
        "servers",
    ) {
        let server = NovaServer::parse(s).unwrap();
        all.push(server.observe("RegionOne", FlavorSize::from_value(&server.flavor).as_ref()));
    }
    let fixtures: [(&str, &str, MapFn); 4] = [
        (
            include_str!("../../fixtures/compute-flavors-detail.json"),
            "flavors",
            observe_flavor,
        ),
        (
            include_str!("../../fixtures/volume-volumes-detail.json"),
            "volumes",
            observe_volume,
        ),
        (
            include_str!("../../fixtures/volume-snapshots-detail.json"),
            "snapshots",
            observe_snapshot,
        ),
        (
            include_str!("../../fixtures/image-images.json"),
            "images",
            observe_image,
        ),
    ];
    for (raw, key, map) in fixtures {
        for item in sample(raw, key) {
            all.push(map(item, "RegionOne").unwrap());
        }
    }
    for (raw, key, kind) in [
        (
            include_str!("../../fixtures/network-networks.json"),
            "networks",
            NetKind::Network,
        ),
        (
            include_str!("../../fixtures/network-subnets.json"),
            "subnets",
            NetKind::Subnet,
        ),
        (
            include_str!("../../fixtures/network-ports.json"),
            "ports",
            NetKind::Port,
        ),
        (
            include_str!("../../fixtures/network-routers.json"),
            "routers",
            NetKind::Router,
        ),
        (
            include_str!("../../fixtures/network-security-groups.json"),
            "security_groups",
            NetKind::SecurityGroup,
        ),
    ] {
        for item in sample(raw, key) {
            all.push(observe_net(kind, item, "RegionOne").unwrap());
        }
    }
    let lb = sample(
        include_str!("../../fixtures/loadbalancer-loadbalancers.json"),
        "loadbalancers",
    );
    let lb = Lb::parse(lb[0].clone()).unwrap();
    let pools = sample(
        include_str!("../../fixtures/loadbalancer-pools.json"),
        "pools",
    )
    .into_iter()
    .map(|p| PoolView {
        pool: Part::parse("pool", p).unwrap(),
        members: vec![],
    })
    .collect::<Vec<_>>();
    let listeners = sample(
        include_str!("../../fixtures/loadbalancer-listeners.json"),
        "listeners",
    )
    .into_iter()
    .map(|l| Part::parse("listener", l).unwrap())
    .collect::<Vec<_>>();
    all.push(lb.observe("RegionOne", &listeners, &pools, &[]));
    assert_eq!(all.len(), 1 + 7 + 1 + 1 + 2 + 2 + 2 + 2 + 2 + 1 + 1);
    all.iter().for_each(check);
}

#[test]
fn servers_without_embedded_flavor_or_image_still_map() {
    let server = NovaServer::parse(json!({
        "id": "s1", "name": "", "status": "SHUTOFF", "image": "",
        "flavor": {"id": "42", "links": []}, "key_name": "ops",
        "addresses": {
            "public": [{"addr": "2001:db8::5", "version": 6, "OS-EXT-IPS:type": "fixed"},
                       {"addr": "203.0.113.9", "version": 4, "OS-EXT-IPS:type": "fixed"}],
            "lan": [{"addr": "10.0.0.4", "version": 4, "OS-EXT-IPS:type": "fixed"},
                    {"addr": "198.51.100.7", "version": 4, "OS-EXT-IPS:type": "floating"}]
        },
        "metadata": {"Environment": "Production", "role": "Web"}
    }))
    .unwrap();
    assert_eq!(server.flavor_id(), Some("42"));
    assert_eq!(FlavorSize::from_value(&server.flavor), None);
    let size = FlavorSize {
        name: Some("m1.large".into()),
        vcpus: Some(4.0),
        ram_mb: Some(8192.0),
    };
    let o = server.observe("R", Some(&size));
    check(&o);
    let f = &o.fields;
    assert_eq!(f["name"], "s1");
    assert_eq!(f["ipv4_private"], "10.0.0.4");
    assert_eq!(f["ipv4_public"], "198.51.100.7");
    assert_eq!(f["ipv6_all"], json!(["2001:db8::5"]));
    assert_eq!((&f["cpu"], &f["memory"]), (&json!(4), &json!(8)));
    assert_eq!(
        (&f["environment"], &f["role"]),
        (&json!("Production"), &json!("Web"))
    );
    assert_eq!(f["auth"], json!([{"name": "ops", "type": "PKI"}]));
    assert_eq!(f["status"], "Stopped");
    assert_eq!(f["datacenters"]["instance"], "m1.large");
    assert!(f.get("image").is_none());
    assert!(o.active);
}

#[test]
fn statuses_and_activity() {
    assert_eq!(server_status("REBOOT"), "Avaliable");
    assert_eq!(server_status("PAUSED"), "Stopped");
    assert_eq!(server_status("BUILD"), "Active");
    for s in ["DELETED", "ERROR", "SOFT_DELETED", "UNKNOWN"] {
        let o = NovaServer::parse(json!({"id": "x1", "status": s}))
            .unwrap()
            .observe("R", None);
        assert!(!o.active, "{s}");
        check(&o);
    }
    assert_eq!(volume_status("in-use"), "Active");
    assert_eq!(volume_status("available"), "Avaliable");
    assert_eq!(volume_status("error_deleting"), "Error");
    assert_eq!(volume_status("deleting"), "Deleted");
}

#[test]
fn volume_attachments_are_server_references() {
    let o = observe_volume(
        json!({"id": "v1", "size": 1, "status": "in-use", "attachments": [
            {"server_id": "s1", "attachment_id": "a1", "device": "/dev/vdb", "attached_at": "2026-01-01T00:00:00"},
            {"server_id": "s1", "attachment_id": "a2"}]}),
        "R",
    )
    .unwrap();
    check(&o);
    assert_eq!(o.refs.len(), 1);
    assert_eq!(
        (o.refs[0].field.as_str(), o.refs[0].provider_id.as_str()),
        ("servers", "s1")
    );
    assert_eq!(o.fields["attach_time"], "2026-01-01T00:00:00");
}

#[test]
fn members_map_to_the_compute_port_holding_their_address() {
    let member = Part::parse(
        "member",
        json!({"id": "m1", "address": "10.0.0.4", "subnet_id": "sn1"}),
    )
    .unwrap();
    let ports = vec![
        json!({"device_owner": "network:dhcp", "device_id": "d", "fixed_ips": [{"ip_address": "10.0.0.4", "subnet_id": "sn1"}]}),
        json!({"device_owner": "compute:nova", "device_id": "s9", "fixed_ips": [{"ip_address": "10.0.0.4", "subnet_id": "other"}]}),
        json!({"device_owner": "compute:nova", "device_id": "s1", "fixed_ips": [{"ip_address": "10.0.0.4", "subnet_id": "sn1"}]}),
    ];
    assert_eq!(server_of_member(&member, &ports).as_deref(), Some("s1"));
    assert_eq!(server_of_member(&member, &ports[..2]), None);
}

#[test]
fn names_fit_the_registry_limits() {
    assert_eq!(
        fit_name(Kind::Flavor, Some("m1"), "1", "flavor"),
        "flavor 1"
    );
    assert_eq!(fit_name(Kind::Flavor, None, "abcd", "flavor"), "abcd");
    assert_eq!(
        fit_name(Kind::Snapshot, Some(&"x".repeat(40)), "id", "snapshot").len(),
        30
    );
    assert_eq!(fit_name(Kind::Server, Some(" web "), "id", "server"), "web");
    let t = tags(
        &json!(["a", ""]),
        &serde_json::Map::from_iter([("k".to_owned(), json!(3))]),
    );
    assert_eq!(t, Some(json!([{"key": "a"}, {"key": "k", "value": "3"}])));
}
