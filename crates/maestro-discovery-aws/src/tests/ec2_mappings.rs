//! EC2 mappings: instances, volumes, snapshots, images, security groups, network families.

use aws_sdk_ec2::types as ec2;
use aws_smithy_types::DateTime;
use maestro_model::schema::Collection;
use serde_json::json;

use super::{tag, valid};
use crate::instance_types::InstanceTypes;

fn instance(id: &str, state: ec2::InstanceStateName, itype: &str) -> ec2::Instance {
    ec2::Instance::builder()
        .instance_id(id)
        .instance_type(ec2::InstanceType::from(itype))
        .state(ec2::InstanceState::builder().name(state).build())
        .private_ip_address("10.0.1.5")
        .public_ip_address("54.1.2.3")
        .private_dns_name("ip-10-0-1-5.ec2.internal")
        .public_dns_name("ec2-54-1-2-3.compute-1.amazonaws.com")
        .placement(
            ec2::Placement::builder()
                .availability_zone("us-east-1a")
                .build(),
        )
        .subnet_id("subnet-1")
        .vpc_id("vpc-1")
        .image_id("ami-1")
        .key_name("deploy")
        .root_device_name("/dev/xvda")
        .block_device_mappings(
            ec2::InstanceBlockDeviceMapping::builder()
                .device_name("/dev/xvda")
                .ebs(
                    ec2::EbsInstanceBlockDevice::builder()
                        .volume_id("vol-1")
                        .delete_on_termination(true)
                        .attach_time(DateTime::from_secs(1_700_000_000))
                        .status(ec2::AttachmentStatus::Attached)
                        .build(),
                )
                .build(),
        )
        .security_groups(
            ec2::GroupIdentifier::builder()
                .group_id("sg-1")
                .group_name("web")
                .build(),
        )
        .tags(tag("Name", "web-01"))
        .tags(tag("Environment", "Production"))
        .tags(tag("role", "Application"))
        .tags(tag("owner", &"x".repeat(200)))
        .build()
}

#[test]
fn instances_become_servers() {
    let o = valid(
        crate::servers::map(
            &instance("i-1", ec2::InstanceStateName::Running, "t3.micro"),
            "us-east-1",
            &InstanceTypes::default(),
        )
        .unwrap(),
    );
    assert_eq!(o.collection, Collection::Servers);
    assert_eq!(o.provider_id, "i-1");
    assert!(o.active);
    let f = &o.fields;
    assert_eq!(f["name"], "web-01", "tag values are kept as written");
    assert_eq!(f["hostname"], "ip-10-0-1-5.ec2.internal");
    assert_eq!(f["ipv4_private"], "10.0.1.5");
    assert_eq!(f["ipv4_public"], "54.1.2.3");
    assert_eq!(f["os"], json!({"base": "Linux"}));
    assert_eq!(
        (f["cpu"].as_f64(), f["memory"].as_f64()),
        (Some(2.0), Some(1.0))
    );
    assert_eq!(f["status"], "Active");
    assert_eq!(f["environment"], "Production");
    assert_eq!(f["role"], "Application");
    assert_eq!(f["auth"], json!([{"name": "deploy", "type": "PKI"}]));
    assert_eq!(f["storage"][0]["volume_id"], "vol-1");
    assert_eq!(f["storage"][0]["root"], true);
    assert_eq!(f["storage"][0]["delete_termination"], true);
    assert_eq!(f["storage"][0]["attach_time"], "2023-11-14T22:13:20Z");
    assert_eq!(f["datacenters"]["provider"], "AWS");
    assert_eq!(f["datacenters"]["zone"], "us-east-1a");
    assert_eq!(f["datacenters"]["instance"], "t3.micro");
    assert_eq!(f["datacenters"]["instance_id"], "i-1");
    assert_eq!(f["metas"]["security_groups"][0]["id"], "sg-1");
    assert_eq!(f["tags"][3]["value"].as_str().unwrap().len(), 100);
}

#[test]
fn terminated_and_windows_instances() {
    let mut i = instance("i-2", ec2::InstanceStateName::Terminated, "u-24tb1.metal");
    i = ec2::Instance::builder()
        .set_instance_id(i.instance_id().map(Into::into))
        .set_state(i.state().cloned())
        .set_instance_type(i.instance_type().cloned())
        .platform(ec2::PlatformValues::Windows)
        .private_ip_address("not-an-ip")
        .build();
    let o = valid(crate::servers::map(&i, "eu-west-1", &InstanceTypes::default()).unwrap());
    assert!(!o.active, "terminated instances are inactive");
    assert_eq!(o.fields["status"], "Stopped");
    assert_eq!(o.fields["name"], "i-2", "no Name tag: the instance id");
    assert_eq!(o.fields["os"]["base"], "Windows");
    assert!(!o.fields.contains_key("ipv4_private"));
    assert!(!o.fields.contains_key("cpu"), "unknown type: no guess");
    let stopping = ec2::Instance::builder()
        .instance_id("i-3")
        .state(
            ec2::InstanceState::builder()
                .name(ec2::InstanceStateName::Stopped)
                .build(),
        )
        .build();
    let o = valid(crate::servers::map(&stopping, "eu-west-1", &InstanceTypes::default()).unwrap());
    assert!(o.active && o.fields["status"] == "Stopped");
}

#[test]
fn volumes_snapshots_and_images() {
    let v = ec2::Volume::builder()
        .volume_id("vol-1")
        .size(8)
        .iops(3000)
        .encrypted(true)
        .kms_key_id("arn:aws:kms:us-east-1:1:key/k")
        .volume_type(ec2::VolumeType::Gp3)
        .snapshot_id("snap-1")
        .availability_zone("us-east-1a")
        .state(ec2::VolumeState::Available)
        .attachments(
            ec2::VolumeAttachment::builder()
                .instance_id("i-1")
                .device("/dev/sdf")
                .state(ec2::VolumeAttachmentState::Attached)
                .build(),
        )
        .build();
    let o = valid(crate::volumes::map(&v, "us-east-1").unwrap());
    assert_eq!(o.fields["status"], "Avaliable");
    assert_eq!(o.fields["size"], 8);
    assert_eq!(o.fields["name"], "vol-1");
    assert_eq!(o.refs[0].field, "servers");
    assert_eq!(o.refs[0].provider_id, "i-1");

    let s = ec2::Snapshot::builder()
        .snapshot_id("snap-0123456789abcdef0")
        .volume_id("vol-1")
        .volume_size(8)
        .state(ec2::SnapshotState::Completed)
        .progress("100%")
        .owner_id("123456789012")
        .start_time(DateTime::from_secs(0))
        .tags(tag("Name", "a nightly backup of the database volume"))
        .build();
    let o = valid(crate::snapshots::map(&s, "us-east-1").unwrap());
    assert_eq!(o.fields["status"], "Completed");
    assert_eq!(o.fields["name"].as_str().unwrap().chars().count(), 30);

    let i = ec2::Image::builder()
        .image_id("ami-1")
        .name("golden")
        .state(ec2::ImageState::Deregistered)
        .image_type(ec2::ImageTypeValues::Machine)
        .public(false)
        .block_device_mappings(
            ec2::BlockDeviceMapping::builder()
                .device_name("/dev/xvda")
                .ebs(
                    ec2::EbsBlockDevice::builder()
                        .snapshot_id("snap-1")
                        .volume_size(8)
                        .build(),
                )
                .build(),
        )
        .build();
    let o = valid(crate::images::map(&i, "us-east-1").unwrap());
    assert!(!o.active);
    assert_eq!(o.fields["name"], "golden");
    assert_eq!(o.fields["storage"][0]["snapshot_id"], "snap-1");
}

#[test]
fn security_groups_and_networks_have_their_families() {
    let g = ec2::SecurityGroup::builder()
        .group_id("sg-1")
        .group_name("db")
        .description("database")
        .vpc_id("vpc-1")
        .ip_permissions(
            ec2::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(5432)
                .to_port(5432)
                .ip_ranges(ec2::IpRange::builder().cidr_ip("10.0.0.0/16").build())
                .build(),
        )
        .build();
    let o = valid(crate::security::map(&g, "us-east-1").unwrap());
    assert_eq!(o.fields["family"], "SecurityGroup");
    assert_eq!(
        o.fields["name"], "sg-1",
        "names under 3 characters fall back to the id"
    );
    assert_eq!(o.fields["group_name"], "db");
    assert_eq!(
        o.fields["ip_permissions"][0]["ip_ranges"][0]["cidr_ip"],
        "10.0.0.0/16"
    );

    use crate::network as n;
    let r = "us-east-1";
    let all = [
        n::vpc(
            &ec2::Vpc::builder()
                .vpc_id("vpc-1")
                .cidr_block("10.0.0.0/16")
                .is_default(false)
                .build(),
            r,
        ),
        n::subnet(
            &ec2::Subnet::builder()
                .subnet_id("subnet-1")
                .vpc_id("vpc-1")
                .build(),
            r,
        ),
        n::peering(
            &ec2::VpcPeeringConnection::builder()
                .vpc_peering_connection_id("pcx-1")
                .status(
                    ec2::VpcPeeringConnectionStateReason::builder()
                        .code(ec2::VpcPeeringConnectionStateReasonCode::Deleted)
                        .build(),
                )
                .build(),
            r,
        ),
        n::vpn(
            &ec2::VpnGateway::builder()
                .vpn_gateway_id("vgw-1")
                .state(ec2::VpnState::Available)
                .build(),
            r,
        ),
        n::endpoint(
            &ec2::VpcEndpoint::builder()
                .vpc_endpoint_id("vpce-1")
                .policy_document("{\"Statement\": []}")
                .build(),
            r,
        ),
        n::route_table(
            &ec2::RouteTable::builder().route_table_id("rtb-1").build(),
            r,
        ),
        n::interface(
            &ec2::NetworkInterface::builder()
                .network_interface_id("eni-1")
                .build(),
            r,
        ),
        n::nat(
            &ec2::NatGateway::builder().nat_gateway_id("nat-1").build(),
            r,
        ),
        n::acl(
            &ec2::NetworkAcl::builder().network_acl_id("acl-1").build(),
            r,
        ),
    ];
    let families: Vec<String> = all
        .into_iter()
        .map(|o| valid(o.unwrap()))
        .map(|o| {
            if o.provider_id == "pcx-1" {
                assert!(!o.active, "a deleted peering is inactive");
            }
            if o.provider_id == "vpce-1" {
                assert_eq!(o.fields["policy_document"], json!({"Statement": []}));
            }
            o.fields["family"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        families,
        [
            "Vpc",
            "Subnet",
            "VpcPeering",
            "VpnGateways",
            "VpcEndpoint",
            "RouteTable",
            "NetworkInterfaces",
            "NatGateway",
            "NetworkAcl"
        ]
    );
}
