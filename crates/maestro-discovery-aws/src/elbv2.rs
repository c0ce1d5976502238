//! `loadbalance-list`, part 1: application, network and gateway load balancers (ELBv2) →
//! Loadbalancers, with their target instances as `targets` references.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    LoadBalancer, LoadBalancerStateEnum, Tag, TargetGroup,
};
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::emit::{Cursor, Emitter, J, Obs, capitalize, list, placement};
use crate::error::{call, call_or_absent};

pub(crate) const VENDOR: &str = "ELB (AWS)";

/// Error codes meaning "no such target group": nothing to list rather than a failure.
const GONE: &[&str] = &["TargetGroupNotFound"];

/// Target groups of a load balancer, each with the instance ids registered in it.
pub(crate) type Groups = Vec<(TargetGroup, Vec<String>)>;

pub(crate) async fn run(
    client: &Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    // Target group → instance ids, for groups shared by several load balancers.
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    let mut cursor = Cursor::default();
    loop {
        let page = call("elasticloadbalancing:DescribeLoadBalancers", || {
            client
                .describe_load_balancers()
                .set_marker(cursor.token())
                .page_size(page_size.clamp(1, 400))
                .send()
        })
        .await?;
        let lbs = page.load_balancers();
        let arns: Vec<String> = lbs
            .iter()
            .filter_map(|l| l.load_balancer_arn().map(str::to_owned))
            .collect();
        let tags = tags(client, &arns).await?;
        let mut obs = Vec::with_capacity(lbs.len());
        for lb in lbs {
            let Some(arn) = lb.load_balancer_arn() else {
                continue;
            };
            let groups = target_groups(client, arn, &mut seen).await?;
            let no_tags = Vec::new();
            obs.push(map(lb, region, &groups, tags.get(arn).unwrap_or(&no_tags)));
        }
        out.send(obs).await?;
        if !cursor.advance(page.next_marker())? {
            return Ok(());
        }
    }
}

/// Tags of up to 20 load balancers per request.
async fn tags(
    client: &Client,
    arns: &[String],
) -> Result<HashMap<String, Vec<Tag>>, ProviderError> {
    let mut out = HashMap::new();
    for chunk in arns.chunks(20) {
        let res = call("elasticloadbalancing:DescribeTags", || {
            client
                .describe_tags()
                .set_resource_arns(Some(chunk.to_vec()))
                .send()
        })
        .await?;
        for d in res.tag_descriptions() {
            if let Some(arn) = d.resource_arn() {
                out.insert(arn.to_owned(), d.tags().to_vec());
            }
        }
    }
    Ok(out)
}

/// The target groups of one load balancer and the instances registered in each.
async fn target_groups(
    client: &Client,
    lb_arn: &str,
    seen: &mut HashMap<String, Vec<String>>,
) -> Result<Groups, ProviderError> {
    let mut groups = Vec::new();
    let mut cursor = Cursor::default();
    loop {
        // A load balancer without target groups may answer TargetGroupNotFound.
        let page = call_or_absent("elasticloadbalancing:DescribeTargetGroups", GONE, || {
            client
                .describe_target_groups()
                .load_balancer_arn(lb_arn)
                .set_marker(cursor.token())
                .send()
        })
        .await?;
        let Some(page) = page else { return Ok(groups) };
        for tg in page.target_groups() {
            let Some(tg_arn) = tg.target_group_arn() else {
                continue;
            };
            if !seen.contains_key(tg_arn) {
                let health = call("elasticloadbalancing:DescribeTargetHealth", || {
                    client
                        .describe_target_health()
                        .target_group_arn(tg_arn)
                        .send()
                })
                .await?;
                let ids = health
                    .target_health_descriptions()
                    .iter()
                    .filter_map(|d| d.target().and_then(|t| t.id()))
                    .filter(|id| id.starts_with("i-"))
                    .map(str::to_owned)
                    .collect();
                seen.insert(tg_arn.to_owned(), ids);
            }
            groups.push((tg.clone(), seen[tg_arn].clone()));
        }
        if !cursor.advance(page.next_marker())? {
            return Ok(groups);
        }
    }
}

/// Maps one ELBv2 load balancer.
pub(crate) fn map(lb: &LoadBalancer, region: &str, groups: &Groups, tags: &[Tag]) -> Observation {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let state = lb.state().and_then(|s| s.code());
    let zones: Vec<Value> = lb
        .availability_zones()
        .iter()
        .filter_map(|z| z.zone_name().map(|n| Value::String(n.to_owned())))
        .collect();
    let role = J::new()
        .put("endpoint", lb.dns_name())
        .put("arn", arn)
        .put("type", lb.r#type().map(|t| t.as_str()))
        .put("scheme", lb.scheme().map(|s| s.as_str()))
        .put("vpc_id", lb.vpc_id())
        .put("ip_address_type", lb.ip_address_type().map(|t| t.as_str()))
        .put("canonical_hosted_zone_id", lb.canonical_hosted_zone_id())
        .put("state_reason", lb.state().and_then(|s| s.reason()))
        .put("created_time", lb.created_time())
        .put("security_groups", lb.security_groups())
        .put(
            "availability_zones",
            list(lb.availability_zones(), |z| {
                J::new()
                    .put("zone", z.zone_name())
                    .put("subnet_id", z.subnet_id())
                    .done()
            }),
        )
        .put(
            "target_groups",
            list(groups, |(tg, _)| {
                J::new()
                    .put("arn", tg.target_group_arn())
                    .put("name", tg.target_group_name())
                    .put("protocol", tg.protocol().map(|p| p.as_str()))
                    .put("port", tg.port())
                    .put("target_type", tg.target_type().map(|t| t.as_str()))
                    .put("healthcheck", tg.health_check_path())
                    .done()
            }),
        )
        .done();
    let datacenters = placement(region)
        .put("zone", Value::Array(zones))
        .put("vpc_id", lb.vpc_id())
        .put("security_groups", lb.security_groups())
        .done();
    let mut obs = Obs::app(Collection::Loadbalancers, arn, "Loadbalance", VENDOR)
        .name(lb.load_balancer_name(), 3, 150)
        .text(
            "status",
            state.map(|s| capitalize(s.as_str())).as_deref(),
            60,
        )
        .active(!matches!(state, Some(LoadBalancerStateEnum::Failed)))
        .put("role", role)
        .put("datacenters", datacenters)
        .tags(tags.iter().map(|t| (t.key().unwrap_or(""), t.value())));
    for (_, ids) in groups {
        for id in ids {
            obs = obs.refer("targets", id);
        }
    }
    obs.done()
}
