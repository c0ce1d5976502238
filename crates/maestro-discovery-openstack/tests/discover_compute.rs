//! Nova and storage samples (servers, flavors, Cinder volumes and snapshots, Glance images)
//! discovered through the fake with marker pagination, every field checked against the samples.

mod common;

use common::{by_id, fake, requests, run};
use maestro_discovery::ObservedRef;
use maestro_model::schema::Collection;
use serde_json::json;

const SERVER: &str = "f5dc173b-6804-445a-a6d8-c705dad5b5eb";

#[tokio::test]
async fn servers_are_mapped_and_paged_to_the_empty_last_page() {
    let fake = fake().await;
    let (stats, all) = run(&fake, "server-list").await;
    assert_eq!((stats.observed, stats.pages), (1, 1));
    let s = by_id(&all, SERVER);
    assert_eq!(s.collection, Collection::Servers);
    assert!(s.active && s.refs.is_empty());
    let f = &s.fields;
    assert_eq!(f["name"], "new-server-test");
    assert_eq!(f["hostname"], "new-server-test");
    assert_eq!(f["unique_id"], SERVER);
    assert_eq!(f["ipv4_private"], "192.168.1.30");
    assert_eq!(
        f["ipv4_public"], "1.2.3.4",
        "accessIPv4: no floating or public-network address"
    );
    assert_eq!(f["ipv4_all"], json!(["192.168.1.30"]));
    assert_eq!(f["cpu"], json!(1));
    assert_eq!(f["memory"], json!(0.5), "512 MB of RAM");
    assert_eq!(f["status"], "Active");
    assert_eq!(
        f["tags"],
        json!([{"key": "My Server Name", "value": "Apache1"}])
    );
    assert!(f.get("auth").is_none(), "key_name is null");
    assert!(f.get("environment").is_none() && f.get("role").is_none());
    assert_eq!(
        f["storage"],
        json!([
            {"name": "volume_id1", "volume_id": "volume_id1", "unique_id": "volume_id1", "attached": true, "delete_termination": false},
            {"name": "volume_id2", "volume_id": "volume_id2", "unique_id": "volume_id2", "attached": true, "delete_termination": false}
        ])
    );
    assert_eq!(
        f["image"],
        json!({"id": "70a599e0-31e7-49b7-b260-868f441e862b"})
    );
    assert_eq!(
        f["datacenters"],
        json!({
            "provider": "OpenStack", "region": "RegionOne", "zone": "us-west", "type": "Virtual",
            "instance": "m1.tiny", "instance_id": SERVER,
            "host_id": "bcf92836fc9ed4203a75cb0337afc7f917d2be504164b995c2334b25",
            "image_id": "70a599e0-31e7-49b7-b260-868f441e862b",
            "project_id": "6f70656e737461636b20342065766572", "vm_state": "active",
            "security_groups": ["default"]
        })
    );
    assert_eq!(
        f["metas"],
        json!({"security_groups": ["default"], "user_id": "fake", "created": "2013-09-03T04:01:32Z",
               "launched_at": "2013-09-23T13:53:12.774549", "status": "ACTIVE"})
    );
    // Nova links a next page whenever a page is full: the second request, by marker, is empty.
    let reqs = requests(&fake, "/servers/detail");
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert!(reqs[1].contains(&format!("marker={SERVER}")), "{reqs:?}");
}

#[tokio::test]
async fn flavors_cross_seven_pages() {
    let fake = fake().await;
    let (stats, all) = run(&fake, "flavor-list").await;
    assert_eq!((stats.observed, stats.pages), (7, 7));
    assert_eq!(requests(&fake, "/flavors/detail").len(), 8);
    let tiny = &by_id(&all, "1").fields;
    assert_eq!(
        serde_json::Value::Object(tiny.clone()),
        json!({
            "name": "m1.tiny", "api_name": "m1.tiny", "provider": "OpenStack", "vcpus": 1,
            "memory": 0.5, "disk": 1, "ephemeral": 0, "swap": 0, "is_public": true,
            "datacenters": {"provider": "OpenStack", "region": "RegionOne", "instance": "m1.tiny"},
            "unique_id": "1"
        })
    );
    let xl = &by_id(&all, "5").fields;
    assert_eq!(
        (&xl["vcpus"], &xl["memory"], &xl["disk"]),
        (&json!(8), &json!(16), &json!(160))
    );
    assert_eq!(by_id(&all, "7").fields["name"], "m1.small.description");
    let names: Vec<_> = all
        .iter()
        .map(|o| o.fields["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "m1.tiny",
            "m1.small",
            "m1.medium",
            "m1.large",
            "m1.xlarge",
            "m1.tiny.specs",
            "m1.small.description"
        ]
    );
}

#[tokio::test]
async fn volumes_and_their_attachments() {
    let fake = fake().await;
    let (_, all) = run(&fake, "volumes-list").await;
    assert_eq!(all.len(), 1);
    let v = by_id(&all, "cb49b381-9012-40cb-b8ee-80c19a4801b5");
    let f = &v.fields;
    assert_eq!(
        f["name"], "cb49b381-9012-40cb-b8ee-80c19a4801b5",
        "unnamed: the id"
    );
    assert_eq!(
        (&f["size"], &f["status"], &f["state"]),
        (&json!(10), &json!("Active"), &json!("creating"))
    );
    assert_eq!(
        (&f["encrypted"], &f["volume_type"]),
        (&json!(false), &json!("__DEFAULT__"))
    );
    assert_eq!(f["project_id"], "89afd400-b646-4bbc-b12b-c0a4d63e5bd3");
    assert_eq!(f["attachments"], json!([]));
    assert_eq!(f["datacenters"]["zone"], "nova");
    assert_eq!(f["datacenters"]["bootable"], false);
    assert!(v.refs.is_empty());
    // The sample has no attachment: an attached copy shows the server reference.
    let mut attached = fake.items("volumes")[0].clone();
    attached["id"] = json!("vol-attached-0001");
    attached["status"] = json!("in-use");
    attached["attachments"] = json!([{"server_id": SERVER, "attachment_id": "att-1",
        "device": "/dev/vdb", "attached_at": "2026-01-02T03:04:05.000000"}]);
    fake.push_item("volumes", attached);
    let (stats, all) = run(&fake, "volumes-list").await;
    assert_eq!(stats.pages, 2);
    let v = by_id(&all, "vol-attached-0001");
    assert_eq!(
        v.refs,
        vec![ObservedRef {
            field: "servers".into(),
            provider_id: SERVER.into()
        }]
    );
    assert_eq!(v.fields["attach_time"], "2026-01-02T03:04:05.000000");
}

#[tokio::test]
async fn snapshots_and_images() {
    let fake = fake().await;
    let (_, all) = run(&fake, "snapshot-list").await;
    let f = &by_id(&all, "d0083dc5-8795-4c1a-bc9c-74f70006c205").fields;
    assert_eq!(f["name"], "snap-001");
    assert_eq!(f["volume_id"], "7acd675e-4e06-4653-af9f-2ecd546342d6");
    assert_eq!(
        (&f["size"], &f["status"], &f["progress"]),
        (&json!(10), &json!("creating"), &json!("0%"))
    );
    assert_eq!(f["description"], "Daily backup");
    assert_eq!(f["project_id"], "89afd400-b646-4bbc-b12b-c0a4d63e5bd3");
    assert_eq!(f["start_time"], "2019-03-11T16:24:36.464445");
    assert_eq!(f["tags"], json!([{"key": "key", "value": "v3"}]));

    let (stats, all) = run(&fake, "images-list").await;
    assert_eq!((stats.observed, stats.pages), (2, 2));
    // Glance's relative `next` link is followed until a page comes back empty.
    assert_eq!(requests(&fake, "/image/v2/images").len(), 3);
    let cirros = &by_id(&all, "1bea47ed-f6a9-463b-b423-14b9cca9ad27").fields;
    assert_eq!(cirros["name"], "cirros-0.3.2-x86_64-disk");
    assert_eq!(
        (&cirros["status"], &cirros["image_type"], &cirros["type"]),
        (&json!("active"), &json!("qcow2"), &json!("bare"))
    );
    assert_eq!(
        (&cirros["public"], &cirros["min_disk_size"], &cirros["size"]),
        (&json!(true), &json!(0), &json!(0.012))
    );
    assert_eq!(
        cirros["datacenters"]["owner"],
        "5ef70662f8b34079a6eddb8da9d75fe8"
    );
    assert_eq!(cirros["datacenters"]["size_bytes"], 13167616);
    let f17 = &by_id(&all, "781b3762-9469-4cec-b58d-3349e5de4e9c").fields;
    assert_eq!(
        (&f17["name"], &f17["size"]),
        (&json!("F17-x86_64-cfntools"), &json!(0.444))
    );
}
