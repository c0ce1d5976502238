//! EC2-backed tasks against moto: servers (paged by reservation, a terminated instance
//! inactive), volumes, snapshots, images, security groups and every network family.

use std::collections::BTreeMap;

use maestro_discovery_aws::AwsProvider;
use serde_json::json;

use crate::support::{Moto, created, expected, run};

#[tokio::test(flavor = "multi_thread")]
async fn ec2_tasks_return_what_was_created() {
    let Some(moto) = Moto::start() else { return };
    let region = "us-east-2";
    let seed = moto.seed(region, "ec2");
    let account = moto.account(&[region]);
    let provider = AwsProvider::new().with_page_size(5);

    // Servers: 8 instances in 8 reservations, 5 per page.
    let (stats, servers) = run(&provider, &account, region, "server-list").await;
    let stats = stats.expect("server-list");
    assert_eq!(servers.all().len(), expected(&seed, "server-list"));
    assert_eq!(servers.all().len(), 8);
    assert_eq!(stats.pages, 2, "8 reservations at 5 per page");
    assert!(servers.pages.iter().all(|p| p.len() <= 5));
    let instances: Vec<&str> = seed["created"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for (n, id) in instances.iter().enumerate() {
        let o = servers.get(id);
        let f = &o.fields;
        assert!(o.active);
        assert_eq!(f["name"], format!("web-{n:02}"));
        assert_eq!(f["status"], "Active");
        assert_eq!(f["environment"], "Production");
        assert_eq!(f["role"], "Application");
        assert_eq!(f["os"]["base"], "Linux");
        assert_eq!(f["auth"], json!([{"name": "deploy", "type": "PKI"}]));
        let (cpu, memory) = if n % 2 == 0 { (2.0, 1.0) } else { (2.0, 8.0) };
        assert_eq!(f["cpu"].as_f64(), Some(cpu), "{id}");
        assert_eq!(f["memory"].as_f64(), Some(memory), "{id}");
        assert!(f["ipv4_private"].as_str().unwrap().starts_with("10.10.1."));
        assert!(f["hostname"].as_str().is_some_and(|h| !h.is_empty()));
        let dc = &f["datacenters"];
        assert_eq!(dc["provider"], "AWS");
        assert_eq!(dc["region"], region);
        assert_eq!(dc["instance_id"], *id);
        assert_eq!(dc["subnet_id"], seed["created"]["subnets"][0]);
        assert_eq!(
            f["metas"]["security_groups"][0]["id"],
            created(&seed, "security_group")
        );
    }
    let gone = servers.get(created(&seed, "terminated"));
    assert!(!gone.active, "a terminated instance is inactive");
    assert_eq!(gone.fields["status"], "Stopped");

    // Volumes: the data volume attached to the first instance, a spare one, root volumes.
    let (res, volumes) = run(&provider, &account, region, "volumes-list").await;
    res.expect("volumes-list");
    assert_eq!(volumes.all().len(), expected(&seed, "volumes-list"));
    let data = volumes.get(created(&seed, "volume"));
    assert_eq!(data.fields["name"], "data-volume");
    assert_eq!(data.fields["size"], 20);
    assert_eq!(data.fields["iops"], 3000);
    assert_eq!(data.fields["encrypted"], true);
    assert_eq!(data.fields["volume_type"], "gp3");
    assert_eq!(data.fields["status"], "Active");
    assert_eq!(data.refs.len(), 1);
    assert_eq!(
        (
            data.refs[0].field.as_str(),
            data.refs[0].provider_id.as_str()
        ),
        ("servers", instances[0])
    );
    assert_eq!(
        volumes.get(created(&seed, "spare_volume")).fields["status"],
        "Avaliable"
    );

    // Own snapshots and images only.
    let (res, snaps) = run(&provider, &account, region, "snapshot-list").await;
    res.expect("snapshot-list");
    assert_eq!(snaps.all().len(), expected(&seed, "snapshot-list"));
    let snap = snaps.get(created(&seed, "snapshot"));
    assert_eq!(snap.fields["name"], "nightly");
    assert_eq!(snap.fields["volume_id"], created(&seed, "volume"));
    assert_eq!(snap.fields["size"], 20);
    let (res, images) = run(&provider, &account, region, "images-list").await;
    res.expect("images-list");
    assert_eq!(images.all().len(), expected(&seed, "images-list"));
    assert_eq!(
        images.get(created(&seed, "image")).fields["name"],
        "maestro-golden"
    );

    // Security groups with their rules.
    let (res, groups) = run(&provider, &account, region, "security-list").await;
    res.expect("security-list");
    assert_eq!(groups.all().len(), expected(&seed, "security-list"));
    let sg = groups.get(created(&seed, "security_group"));
    assert_eq!(sg.fields["family"], "SecurityGroup");
    assert_eq!(sg.fields["name"], "maestro-web");
    assert_eq!(sg.fields["vpc_id"], created(&seed, "vpc"));
    assert_eq!(sg.fields["ip_permissions"][0]["from_port"], 443);

    // Networks: every family counted like boto3 counts it.
    let (res, nets) = run(&provider, &account, region, "network-list").await;
    res.expect("network-list");
    let want: BTreeMap<String, usize> = seed["expect"]["network-list"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap() as usize))
        .collect();
    assert_eq!(nets.by_family(), want);
    let family = |key: &str| nets.get(created(&seed, key)).fields["family"].clone();
    for (key, fam) in [
        ("vpc", "Vpc"),
        ("peering", "VpcPeering"),
        ("vpn_gateway", "VpnGateways"),
        ("endpoint", "VpcEndpoint"),
        ("route_table", "RouteTable"),
        ("eni", "NetworkInterfaces"),
        ("nat", "NatGateway"),
        ("acl", "NetworkAcl"),
    ] {
        assert_eq!(family(key), fam, "{key}");
    }
    assert_eq!(
        nets.get(created(&seed, "vpc")).fields["name"],
        "maestro-vpc"
    );
    assert_eq!(
        nets.get(created(&seed, "vpc")).fields["cidr_block"],
        "10.10.0.0/16"
    );
    let rtb = &nets.get(created(&seed, "route_table")).fields;
    let to_nat = rtb["routes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["nat_gateway_id"] == created(&seed, "nat"));
    assert!(to_nat, "the route to the NAT gateway: {}", rtb["routes"]);
    let acl = &nets.get(created(&seed, "acl")).fields;
    assert!(
        acl["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["port_range"]["from"] == 443)
    );
    let nat = &nets.get(created(&seed, "nat")).fields;
    assert_eq!(nat["subnet_id"], seed["created"]["subnets"][0]);
    assert!(
        nat["nat_gateway_addresses"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assumed_role_lists_like_its_keys() {
    let Some(moto) = Moto::start() else { return };
    let region = "ap-southeast-2";
    let seed = moto.seed(region, "ec2");
    let mut account = moto.account(&[region]);
    account.credentials.insert(
        "role_arn".into(),
        json!("arn:aws:iam::123456789012:role/maestro-read"),
    );
    account
        .credentials
        .insert("external_id".into(), json!("maestro"));
    let (res, servers) = run(&AwsProvider::new(), &account, region, "server-list").await;
    let stats = res.expect("server-list through an assumed role");
    assert_eq!(servers.all().len(), expected(&seed, "server-list"));
    assert_eq!(stats.pages, 1, "200 per page: one page");
}
