//! `network-list`: VPCs, subnets, peerings, VPN gateways, VPC endpoints, route tables, network
//! interfaces, NAT gateways and network ACLs → Networks, each with its own family (the original
//! labelled peerings `Vpc` and VPN gateways `VpcPeering`; here each has its right label).

mod gateways;
mod vpc;

pub(crate) use gateways::{endpoint, interface, nat, peering, vpn};
pub(crate) use vpc::{acl, route_table, subnet, vpc};

use maestro_discovery::ProviderError;

use crate::emit::Emitter;
use crate::pages::{listing, next};

/// Lists every network family in turn; any failure leaves the whole task incomplete.
pub(crate) async fn run(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    let n = page_size.clamp(5, 1000);
    let small = page_size.clamp(5, 100);
    let map = |items: Vec<Option<maestro_discovery::Observation>>| -> Vec<_> {
        items.into_iter().flatten().collect()
    };
    listing(
        "ec2:DescribeVpcs",
        |t| ec2.describe_vpcs().set_next_token(t).max_results(n).send(),
        |p| {
            (
                map(p.vpcs().iter().map(|x| vpc(x, region)).collect()),
                next(p.next_token()),
            )
        },
        out,
    )
    .await?;
    listing(
        "ec2:DescribeSubnets",
        |t| {
            ec2.describe_subnets()
                .set_next_token(t)
                .max_results(n)
                .send()
        },
        |p| {
            (
                map(p.subnets().iter().map(|x| subnet(x, region)).collect()),
                next(p.next_token()),
            )
        },
        out,
    )
    .await?;
    listing(
        "ec2:DescribeVpcPeeringConnections",
        |t| {
            ec2.describe_vpc_peering_connections()
                .set_next_token(t)
                .max_results(n)
                .send()
        },
        |p| {
            let items = p
                .vpc_peering_connections()
                .iter()
                .map(|x| peering(x, region));
            (map(items.collect()), next(p.next_token()))
        },
        out,
    )
    .await?;
    // DescribeVpnGateways has no pagination: one answer holds them all.
    listing(
        "ec2:DescribeVpnGateways",
        |_| ec2.describe_vpn_gateways().send(),
        |p| {
            (
                map(p.vpn_gateways().iter().map(|x| vpn(x, region)).collect()),
                None,
            )
        },
        out,
    )
    .await?;
    listing(
        "ec2:DescribeVpcEndpoints",
        |t| {
            ec2.describe_vpc_endpoints()
                .set_next_token(t)
                .max_results(n)
                .send()
        },
        |p| {
            (
                map(p
                    .vpc_endpoints()
                    .iter()
                    .map(|x| endpoint(x, region))
                    .collect()),
                next(p.next_token()),
            )
        },
        out,
    )
    .await?;
    listing(
        "ec2:DescribeRouteTables",
        |t| {
            ec2.describe_route_tables()
                .set_next_token(t)
                .max_results(small)
                .send()
        },
        |p| {
            (
                map(p
                    .route_tables()
                    .iter()
                    .map(|x| route_table(x, region))
                    .collect()),
                next(p.next_token()),
            )
        },
        out,
    )
    .await?;
    listing(
        "ec2:DescribeNetworkInterfaces",
        |t| {
            ec2.describe_network_interfaces()
                .set_next_token(t)
                .max_results(n)
                .send()
        },
        |p| {
            let items = p.network_interfaces().iter().map(|x| interface(x, region));
            (map(items.collect()), next(p.next_token()))
        },
        out,
    )
    .await?;
    listing(
        "ec2:DescribeNatGateways",
        |t| {
            ec2.describe_nat_gateways()
                .set_next_token(t)
                .max_results(n)
                .send()
        },
        |p| {
            (
                map(p.nat_gateways().iter().map(|x| nat(x, region)).collect()),
                next(p.next_token()),
            )
        },
        out,
    )
    .await?;
    listing(
        "ec2:DescribeNetworkAcls",
        |t| {
            ec2.describe_network_acls()
                .set_next_token(t)
                .max_results(small)
                .send()
        },
        |p| {
            (
                map(p.network_acls().iter().map(|x| acl(x, region)).collect()),
                next(p.next_token()),
            )
        },
        out,
    )
    .await
}
