//! Network mappings, part 1: VPCs, subnets, route tables and network ACLs.

use aws_sdk_ec2::types::{NetworkAcl, RouteTable, Subnet, Tag, Vpc};
use maestro_discovery::Observation;

use crate::emit::{J, Obs, list, placement, tag};

/// Tags as `(key, value)` pairs.
pub(super) fn pairs(tags: &[Tag]) -> impl Iterator<Item = (&str, Option<&str>)> + Clone {
    tags.iter().map(|t| (t.key().unwrap_or(""), t.value()))
}

/// A network observation named by its `Name` tag, else by its id.
pub(super) fn base(id: &str, family: &str, tags: &[Tag]) -> Obs {
    Obs::network(id, family)
        .name(tag(pairs(tags), "name"), 3, 100)
        .tags(pairs(tags))
}

fn id(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

pub(crate) fn vpc(v: &Vpc, region: &str) -> Option<Observation> {
    let vid = id(v.vpc_id())?;
    Some(
        base(vid, "Vpc", v.tags())
            .put("vpc_id", vid)
            .text("cidr_block", v.cidr_block(), 100)
            .text("state", v.state().map(|s| s.as_str()), 60)
            .text("dhcp_options_id", v.dhcp_options_id(), 100)
            .text(
                "instance_tenancy",
                v.instance_tenancy().map(|t| t.as_str()),
                60,
            )
            .put("is_default", v.is_default())
            .text("owner_id", v.owner_id(), 100)
            .put(
                "cidr_block_association_set",
                list(v.cidr_block_association_set(), |a| {
                    J::new()
                        .put("association_id", a.association_id())
                        .put("cidr_block", a.cidr_block())
                        .put(
                            "state",
                            a.cidr_block_state()
                                .and_then(|s| s.state())
                                .map(|s| s.as_str()),
                        )
                        .done()
                }),
            )
            .put(
                "ipv6_cidr_block_association_set",
                list(v.ipv6_cidr_block_association_set(), |a| {
                    J::new()
                        .put("association_id", a.association_id())
                        .put("ipv6_cidr_block", a.ipv6_cidr_block())
                        .put("network_border_group", a.network_border_group())
                        .done()
                }),
            )
            .put("datacenters", placement(region).done())
            .done(),
    )
}

pub(crate) fn subnet(s: &Subnet, region: &str) -> Option<Observation> {
    let sid = id(s.subnet_id())?;
    Some(
        base(sid, "Subnet", s.tags())
            .put("subnet_id", sid)
            .text("vpc_id", s.vpc_id(), 100)
            .text("cidr_block", s.cidr_block(), 100)
            .text("availability_zone", s.availability_zone(), 100)
            .put("available_ip_address_count", s.available_ip_address_count())
            .put("default_for_az", s.default_for_az())
            .put("map_public_ip_on_launch", s.map_public_ip_on_launch())
            .text("state", s.state().map(|x| x.as_str()), 60)
            .text("owner_id", s.owner_id(), 100)
            .put(
                "ipv6_cidr_block_association_set",
                list(s.ipv6_cidr_block_association_set(), |a| {
                    J::new()
                        .put("association_id", a.association_id())
                        .put("ipv6_cidr_block", a.ipv6_cidr_block())
                        .done()
                }),
            )
            .put(
                "datacenters",
                placement(region)
                    .put("zone", s.availability_zone())
                    .put("arn", s.subnet_arn())
                    .done(),
            )
            .done(),
    )
}

pub(crate) fn route_table(r: &RouteTable, region: &str) -> Option<Observation> {
    let rid = id(r.route_table_id())?;
    let routes = list(r.routes(), |x| {
        J::new()
            .put("destination_cidr_block", x.destination_cidr_block())
            .put(
                "destination_ipv6_cidr_block",
                x.destination_ipv6_cidr_block(),
            )
            .put("destination_prefix_list_id", x.destination_prefix_list_id())
            .put("gateway_id", x.gateway_id())
            .put("nat_gateway_id", x.nat_gateway_id())
            .put("instance_id", x.instance_id())
            .put("network_interface_id", x.network_interface_id())
            .put("transit_gateway_id", x.transit_gateway_id())
            .put("vpc_peering_connection_id", x.vpc_peering_connection_id())
            .put("origin", x.origin().map(|o| o.as_str()))
            .put("state", x.state().map(|s| s.as_str()))
            .done()
    });
    let associations = list(r.associations(), |a| {
        J::new()
            .put("route_table_association_id", a.route_table_association_id())
            .put("main", a.main())
            .put("subnet_id", a.subnet_id())
            .put("gateway_id", a.gateway_id())
            .done()
    });
    Some(
        base(rid, "RouteTable", r.tags())
            .text("vpc_id", r.vpc_id(), 100)
            .text("owner_id", r.owner_id(), 100)
            .put("routes", routes)
            .put("associations", associations)
            .put(
                "propagating_vgws",
                list(r.propagating_vgws(), |g| {
                    J::new().put("gateway_id", g.gateway_id()).done()
                }),
            )
            .put("datacenters", placement(region).done())
            .done(),
    )
}

pub(crate) fn acl(a: &NetworkAcl, region: &str) -> Option<Observation> {
    let aid = id(a.network_acl_id())?;
    let entries = list(a.entries(), |e| {
        J::new()
            .put("rule_number", e.rule_number())
            .put("protocol", e.protocol())
            .put("rule_action", e.rule_action().map(|r| r.as_str()))
            .put("egress", e.egress())
            .put("cidr_block", e.cidr_block())
            .put("ipv6_cidr_block", e.ipv6_cidr_block())
            .put(
                "port_range",
                e.port_range()
                    .map(|p| J::new().put("from", p.from()).put("to", p.to()).done()),
            )
            .put(
                "icmp_type_code",
                e.icmp_type_code().map(|c| {
                    J::new()
                        .put("type", c.r#type())
                        .put("code", c.code())
                        .done()
                }),
            )
            .done()
    });
    let associations = list(a.associations(), |x| {
        J::new()
            .put("network_acl_association_id", x.network_acl_association_id())
            .put("subnet_id", x.subnet_id())
            .done()
    });
    Some(
        base(aid, "NetworkAcl", a.tags())
            .put("network_acl_id", aid)
            .text("vpc_id", a.vpc_id(), 100)
            .put("is_default", a.is_default())
            .text("owner_id", a.owner_id(), 100)
            .put("entries", entries)
            .put("associations", associations)
            .put("datacenters", placement(region).done())
            .done(),
    )
}
