//! `security-list`: security groups → Networks (family SecurityGroup), with their rules.

use aws_sdk_ec2::types::{IpPermission, SecurityGroup};
use maestro_discovery::{Observation, ProviderError};
use serde_json::Value;

use crate::emit::{Emitter, J, Obs, list, placement};
use crate::pages::{listing, next};

pub(crate) async fn run(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    listing(
        "ec2:DescribeSecurityGroups",
        |token| {
            ec2.describe_security_groups()
                .set_next_token(token)
                .max_results(page_size.clamp(5, 1000))
                .send()
        },
        |page| {
            let obs = page.security_groups().iter().filter_map(|g| map(g, region));
            (obs.collect(), next(page.next_token()))
        },
        out,
    )
    .await
}

/// A rule as `{ip_protocol, from_port, to_port, ip_ranges, ipv6_ranges, groups, prefix_lists}`.
pub(crate) fn permission(p: &IpPermission) -> Value {
    J::new()
        .put("ip_protocol", p.ip_protocol())
        .put("from_port", p.from_port())
        .put("to_port", p.to_port())
        .put(
            "ip_ranges",
            list(p.ip_ranges(), |r| {
                J::new()
                    .put("cidr_ip", r.cidr_ip())
                    .put("description", r.description())
                    .done()
            }),
        )
        .put(
            "ipv6_ranges",
            list(p.ipv6_ranges(), |r| {
                J::new()
                    .put("cidr_ipv6", r.cidr_ipv6())
                    .put("description", r.description())
                    .done()
            }),
        )
        .put(
            "groups",
            list(p.user_id_group_pairs(), |g| {
                J::new()
                    .put("group_id", g.group_id())
                    .put("group_name", g.group_name())
                    .put("user_id", g.user_id())
                    .put("vpc_id", g.vpc_id())
                    .put("description", g.description())
                    .done()
            }),
        )
        .put(
            "prefix_lists",
            list(p.prefix_list_ids(), |l| {
                J::new()
                    .put("prefix_list_id", l.prefix_list_id())
                    .put("description", l.description())
                    .done()
            }),
        )
        .done()
}

/// Maps one security group; `None` without an id.
pub(crate) fn map(g: &SecurityGroup, region: &str) -> Option<Observation> {
    let id = g.group_id().filter(|x| !x.is_empty())?;
    Some(
        Obs::network(id, "SecurityGroup")
            .name(g.group_name(), 3, 100)
            .text("group_name", g.group_name(), 250)
            .put("group_id", id)
            .text("description", g.description(), 800)
            .text("vpc_id", g.vpc_id(), 100)
            .text("owner_id", g.owner_id(), 100)
            .put("ip_permissions", list(g.ip_permissions(), permission))
            .put(
                "ip_permissions_egress",
                list(g.ip_permissions_egress(), permission),
            )
            .put(
                "datacenters",
                placement(region).put("arn", g.security_group_arn()).done(),
            )
            .tags(g.tags().iter().map(|t| (t.key().unwrap_or(""), t.value())))
            .done(),
    )
}
