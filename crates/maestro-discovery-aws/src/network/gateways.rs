//! Network mappings, part 2: VPC peerings, VPN gateways, VPC endpoints, network interfaces and
//! NAT gateways. Those the provider reports as going away are inactive.

use aws_sdk_ec2::types::{
    NatGateway, NatGatewayState, NetworkInterface, State, VpcEndpoint, VpcPeeringConnection,
    VpcPeeringConnectionStateReasonCode as PeeringState, VpcPeeringConnectionVpcInfo, VpnGateway,
    VpnState,
};
use maestro_discovery::Observation;
use serde_json::Value;

use super::vpc::base;
use crate::emit::{J, list, placement};

fn id(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

fn side(info: Option<&VpcPeeringConnectionVpcInfo>) -> Option<Value> {
    info.map(|i| {
        J::new()
            .put("vpc_id", i.vpc_id())
            .put("owner_id", i.owner_id())
            .put("cidr_block", i.cidr_block())
            .put("region", i.region())
            .done()
    })
}

pub(crate) fn peering(p: &VpcPeeringConnection, region: &str) -> Option<Observation> {
    let pid = id(p.vpc_peering_connection_id())?;
    let code = p.status().and_then(|s| s.code());
    let gone = matches!(
        code,
        Some(
            PeeringState::Deleted
                | PeeringState::Rejected
                | PeeringState::Expired
                | PeeringState::Failed
        )
    );
    Some(
        base(pid, "VpcPeering", p.tags())
            .text(
                "vpc_id",
                p.requester_vpc_info().and_then(|i| i.vpc_id()),
                100,
            )
            .text("status", code.map(|c| c.as_str()), 60)
            .put("accepter_vpc_info", side(p.accepter_vpc_info()))
            .put("requester_vpc_info", side(p.requester_vpc_info()))
            .put("datacenters", placement(region).done())
            .active(!gone)
            .done(),
    )
}

pub(crate) fn vpn(g: &VpnGateway, region: &str) -> Option<Observation> {
    let gid = id(g.vpn_gateway_id())?;
    let state = g.state();
    Some(
        base(gid, "VpnGateways", g.tags())
            .put("vpn_gateway_id", gid)
            .text("state", state.map(|s| s.as_str()), 60)
            .text("type", g.r#type().map(|t| t.as_str()), 60)
            .put("amazon_side_asn", g.amazon_side_asn())
            .text("availability_zone", g.availability_zone(), 100)
            .text(
                "vpc_id",
                g.vpc_attachments().first().and_then(|a| a.vpc_id()),
                100,
            )
            .put(
                "vpc_attachments",
                list(g.vpc_attachments(), |a| {
                    J::new()
                        .put("vpc_id", a.vpc_id())
                        .put("state", a.state().map(|s| s.as_str()))
                        .done()
                }),
            )
            .put("datacenters", placement(region).done())
            .active(!matches!(
                state,
                Some(VpnState::Deleting | VpnState::Deleted)
            ))
            .done(),
    )
}

pub(crate) fn endpoint(e: &VpcEndpoint, region: &str) -> Option<Observation> {
    let eid = id(e.vpc_endpoint_id())?;
    let state = e.state();
    // The policy is a JSON document in a string: kept as JSON when it parses.
    let policy = e
        .policy_document()
        .map(|p| serde_json::from_str::<Value>(p).unwrap_or_else(|_| Value::String(p.to_owned())));
    Some(
        base(eid, "VpcEndpoint", e.tags())
            .text("vpc_id", e.vpc_id(), 100)
            .text(
                "vpc_endpoint_type",
                e.vpc_endpoint_type().map(|t| t.as_str()),
                60,
            )
            .text("service_name", e.service_name(), 250)
            .text("state", state.map(|s| s.as_str()), 60)
            .text("owner_id", e.owner_id(), 100)
            .put("route_table_ids", e.route_table_ids())
            .put("subnet_ids", e.subnet_ids())
            .put("policy_document", policy)
            .put(
                "security_groups",
                list(e.groups(), |g| {
                    J::new()
                        .put("group_id", g.group_id())
                        .put("group_name", g.group_name())
                        .done()
                }),
            )
            .put("datacenters", placement(region).done())
            .active(!matches!(
                state,
                Some(
                    State::Deleted
                        | State::Deleting
                        | State::Failed
                        | State::Rejected
                        | State::Expired
                )
            ))
            .done(),
    )
}

pub(crate) fn interface(n: &NetworkInterface, region: &str) -> Option<Observation> {
    let nid = id(n.network_interface_id())?;
    let attachment = n.attachment().map(|a| {
        J::new()
            .put("attachment_id", a.attachment_id())
            .put("instance_id", a.instance_id())
            .put("device_index", a.device_index())
            .put("status", a.status().map(|s| s.as_str()))
            .put("attach_time", a.attach_time())
            .put("delete_on_termination", a.delete_on_termination())
            .done()
    });
    Some(
        base(nid, "NetworkInterfaces", n.tag_set())
            .put("network_interface_id", nid)
            .text("subnet_id", n.subnet_id(), 100)
            .text("vpc_id", n.vpc_id(), 100)
            .text("availability_zone", n.availability_zone(), 100)
            .text("description", n.description(), 800)
            .text("interface_type", n.interface_type().map(|t| t.as_str()), 60)
            .text("mac_address", n.mac_address(), 60)
            .text("private_ip_address", n.private_ip_address(), 60)
            .put(
                "private_ip_addresses",
                list(n.private_ip_addresses(), |p| {
                    J::new()
                        .put("private_ip_address", p.private_ip_address())
                        .put("primary", p.primary())
                        .put("public_ip", p.association().and_then(|a| a.public_ip()))
                        .done()
                }),
            )
            .text("status", n.status().map(|s| s.as_str()), 60)
            .put("attachment", attachment)
            .put(
                "security_groups",
                list(n.groups(), |g| {
                    J::new()
                        .put("group_id", g.group_id())
                        .put("group_name", g.group_name())
                        .done()
                }),
            )
            .put("source_dest_check", n.source_dest_check())
            .text("owner_id", n.owner_id(), 100)
            .put("requester_id", n.requester_id())
            .put("public_ip", n.association().and_then(|a| a.public_ip()))
            .put(
                "ipv6_addresses",
                list(n.ipv6_addresses(), |a| {
                    Value::from(a.ipv6_address().unwrap_or_default())
                }),
            )
            .put(
                "datacenters",
                placement(region).put("zone", n.availability_zone()).done(),
            )
            .done(),
    )
}

pub(crate) fn nat(g: &NatGateway, region: &str) -> Option<Observation> {
    let gid = id(g.nat_gateway_id())?;
    let state = g.state();
    Some(
        base(gid, "NatGateway", g.tags())
            .put("nat_gateway_id", gid)
            .text("vpc_id", g.vpc_id(), 100)
            .text("subnet_id", g.subnet_id(), 100)
            .text("state", state.map(|s| s.as_str()), 60)
            .text(
                "connectivity_type",
                g.connectivity_type().map(|c| c.as_str()),
                60,
            )
            .put(
                "nat_gateway_addresses",
                list(g.nat_gateway_addresses(), |a| {
                    J::new()
                        .put("allocation_id", a.allocation_id())
                        .put("network_interface_id", a.network_interface_id())
                        .put("private_ip", a.private_ip())
                        .put("public_ip", a.public_ip())
                        .done()
                }),
            )
            .put(
                "datacenters",
                placement(region).put("create_time", g.create_time()).done(),
            )
            .active(!matches!(
                state,
                Some(
                    NatGatewayState::Deleting | NatGatewayState::Deleted | NatGatewayState::Failed
                )
            ))
            .done(),
    )
}
