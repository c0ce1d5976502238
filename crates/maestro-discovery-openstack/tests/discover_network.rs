//! Neutron and Octavia samples (security groups, networks, subnets, ports, routers, load
//! balancers) discovered through the fake with marker pagination, every field checked against the
//! samples.

mod common;

use common::{by_id, fake, requests, run};
use maestro_discovery::ObservedRef;
use maestro_model::schema::Collection;
use serde_json::json;

const SERVER: &str = "f5dc173b-6804-445a-a6d8-c705dad5b5eb";

#[tokio::test]
async fn security_groups() {
    let fake = fake().await;
    let (_, all) = run(&fake, "security-list").await;
    assert_eq!(all.len(), 1);
    let f = &by_id(&all, "85cc3048-abc3-43cc-89b3-377341426ac5").fields;
    assert_eq!(
        (&f["family"], &f["name"], &f["group_name"]),
        (
            &json!("SecurityGroup"),
            &json!("default"),
            &json!("default")
        )
    );
    assert_eq!(
        (&f["group_id"], &f["description"]),
        (
            &json!("85cc3048-abc3-43cc-89b3-377341426ac5"),
            &json!("default")
        )
    );
    assert_eq!(f["project_id"], "e4f50856753b4dc6afee5fa6b9b6c550");
    assert_eq!(f["security_group_rules"].as_array().unwrap().len(), 4);
    assert_eq!(
        f["security_group_rules"][2]["remote_group_id"],
        "85cc3048-abc3-43cc-89b3-377341426ac5"
    );
    assert_eq!(
        (&f["stateful"], &f["shared"], &f["revision_number"]),
        (&json!(true), &json!(false), &json!(8))
    );
    assert_eq!(f["tags"], json!([{"key": "tag1,tag2"}]));
}

#[tokio::test]
async fn networks_subnets_ports_and_routers() {
    let fake = fake().await;
    let (stats, all) = run(&fake, "network-list").await;
    assert_eq!((stats.observed, stats.pages), (8, 8));
    let family = |id: &str| by_id(&all, id).fields["family"].clone();
    let net1 = &by_id(&all, "d32019d3-bc6e-4319-9c1d-6722fc136a22").fields;
    assert_eq!(
        (&net1["name"], &net1["family"], &net1["status"]),
        (&json!("net1"), &json!("Network"), &json!("ACTIVE"))
    );
    assert_eq!(
        (&net1["mtu"], &net1["external"], &net1["availability_zone"]),
        (&json!(1500), &json!(false), &json!("nova"))
    );
    assert_eq!(
        net1["subnets"],
        json!(["54d6f61d-db07-451c-9ab3-b9609b6b6f0b"])
    );
    assert_eq!(
        by_id(&all, "db193ab3-96e3-4cb3-8fc5-05f4296d0324").fields["name"],
        "net2"
    );
    let sn = &by_id(&all, "08eae331-0402-425a-923c-34f7cfe39c1b").fields;
    assert_eq!(
        (&sn["name"], &sn["family"], &sn["cidr_block"]),
        (
            &json!("private-subnet"),
            &json!("Subnet"),
            &json!("10.0.0.0/24")
        )
    );
    assert_eq!(
        (&sn["gateway_ip"], &sn["network_id"], &sn["ip_version"]),
        (
            &json!("10.0.0.1"),
            &json!("db193ab3-96e3-4cb3-8fc5-05f4296d0324"),
            &json!(4)
        )
    );
    assert_eq!(
        by_id(&all, "54d6f61d-db07-451c-9ab3-b9609b6b6f0b").fields["external"],
        true
    );
    let port = &by_id(&all, "d80b1a3b-4fc1-49f3-952e-1e2ab7081d8b").fields;
    assert_eq!(
        port["name"], "d80b1a3b-4fc1-49f3-952e-1e2ab7081d8b",
        "unnamed: the id"
    );
    assert_eq!(
        (&port["family"], &port["private_ip_address"]),
        (&json!("Ports"), &json!("172.24.4.2"))
    );
    assert_eq!(
        (&port["device_owner"], &port["mac_address"]),
        (
            &json!("network:router_gateway"),
            &json!("fa:16:3e:58:42:ed")
        )
    );
    assert_eq!(port["subnet_id"], "008ba151-0b8c-4a67-98b5-0d2b87666062");
    assert!(port.get("project_id").is_none(), "empty in the sample");
    assert_eq!(
        by_id(&all, "f71a6703-d6de-4be1-a91a-a570ede1d159").fields["private_ip_address"],
        "10.0.0.1"
    );
    let r2 = &by_id(&all, "915a14a6-867b-4af7-83d1-70efceb146f9").fields;
    assert_eq!(
        (&r2["name"], &r2["family"]),
        (&json!("router2"), &json!("Router"))
    );
    assert_eq!(
        r2["routes"],
        json!([{"destination": "179.24.1.0/24", "nexthop": "172.24.3.99"}])
    );
    assert_eq!(
        r2["external_gateway_info"]["network_id"],
        "ae34051f-aa6c-4c75-abf5-50dc9ac99ef3"
    );
    assert_eq!(family("f8a44de0-fc8e-45df-93c7-f79bf3b01c95"), "Router");
    // Neutron links a next page only while items remain: two requests per listing.
    for path in [
        "/v2.0/networks",
        "/v2.0/subnets",
        "/v2.0/ports",
        "/v2.0/routers",
    ] {
        assert_eq!(requests(&fake, path).len(), 2, "{path}");
    }
}

#[tokio::test]
async fn load_balancer_with_listener_pool_and_member_targets() {
    let fake = fake().await;
    let (_, all) = run(&fake, "loadbalance-list").await;
    let lb = by_id(&all, "607226db-27ef-4d41-ae89-f2a800e9c2db");
    assert_eq!(lb.collection, Collection::Loadbalancers);
    let f = &lb.fields;
    assert_eq!(
        (&f["name"], &f["family"]),
        (&json!("best_load_balancer"), &json!("Loadbalance"))
    );
    assert_eq!(
        (&f["provider"], &f["own"], &f["status"]),
        (&json!("OpenStack (HaProxy)"), &json!(1), &json!("Active"))
    );
    assert_eq!(f["description"], "My favorite load balancer");
    assert_eq!(
        f["role"],
        json!({
            "endpoint": "203.0.113.50", "vip_port_id": "b4ca07d1-a31e-43e2-891a-7d14f419f342",
            "vip_subnet_id": "d4af86e1-0051-488c-b7a0-527f97490c9a",
            "vip_network_id": "d0d217df-3958-4fbf-a3c2-8dad2908c709",
            "provisioning_status": "ACTIVE", "operating_status": "ONLINE", "provider": "octavia",
            "listeners": [{"id": "023f2e34-7806-443b-bfae-16c324569a3d", "name": "great_tls_listener",
                           "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "operating_status": "ONLINE"}],
            "pools": [{"id": "ddb2b28f-89e9-45d3-a329-a359c3e39e4a", "name": "round_robin_pool",
                       "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "operating_status": "ONLINE",
                       "members": []}]
        })
    );
    assert_eq!(
        f["datacenters"],
        json!({"provider": "OpenStack", "region": "RegionOne",
        "zone": "my_az", "project_id": "e3cd678b11784734bc366148aa37580e"})
    );
    assert!(lb.refs.is_empty(), "the samples have no member listing");
    // A member on the sample server's address, and the server's Nova port holding it.
    fake.push_item(
        "members",
        json!({"id": "member-1", "pool_id": "ddb2b28f-89e9-45d3-a329-a359c3e39e4a",
        "address": "192.168.1.30", "protocol_port": 80, "operating_status": "ONLINE"}),
    );
    fake.push_item("ports", json!({"id": "port-of-server", "name": "", "device_owner": "compute:us-west",
        "device_id": SERVER, "network_id": "net", "fixed_ips": [{"ip_address": "192.168.1.30", "subnet_id": "s"}]}));
    fake.clear_requests();
    let (_, all) = run(&fake, "loadbalance-list").await;
    let lb = by_id(&all, "607226db-27ef-4d41-ae89-f2a800e9c2db");
    assert_eq!(
        lb.refs,
        vec![ObservedRef {
            field: "targets".into(),
            provider_id: SERVER.into()
        }]
    );
    assert_eq!(
        lb.fields["role"]["pools"][0]["members"][0]["address"],
        "192.168.1.30"
    );
    let reqs = fake.requests();
    assert!(
        reqs.iter()
            .any(|r| r.contains("/lbaas/listeners?loadbalancer_id=607226db")),
        "{reqs:?}"
    );
    assert!(
        reqs.iter()
            .any(|r| r.contains("/v2.0/ports?fixed_ips=ip_address%3D192.168.1.30")),
        "{reqs:?}"
    );
}
