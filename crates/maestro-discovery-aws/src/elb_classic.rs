//! `loadbalance-list`, part 2: classic load balancers (ELB) → Loadbalancers, with their
//! registered instances as `targets` references. Classic names are unique per region only, so
//! the provider id is `<region>/<name>`.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancing::Client;
use aws_sdk_elasticloadbalancing::types::{LoadBalancerDescription, Tag};
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::elbv2::VENDOR;
use crate::emit::{Cursor, Emitter, J, Obs, list, placement};
use crate::error::call;

pub(crate) async fn run(
    client: &Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
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
        let lbs = page.load_balancer_descriptions();
        let names: Vec<String> = lbs
            .iter()
            .filter_map(|l| l.load_balancer_name().map(str::to_owned))
            .collect();
        let tags = tags(client, &names).await?;
        let no_tags = Vec::new();
        let obs = lbs
            .iter()
            .filter_map(|lb| {
                let name = lb.load_balancer_name()?;
                Some(map(lb, region, tags.get(name).unwrap_or(&no_tags)))
            })
            .collect();
        out.send(obs).await?;
        if !cursor.advance(page.next_marker())? {
            return Ok(());
        }
    }
}

/// Tags of up to 20 load balancers per request.
async fn tags(
    client: &Client,
    names: &[String],
) -> Result<HashMap<String, Vec<Tag>>, ProviderError> {
    let mut out = HashMap::new();
    for chunk in names.chunks(20) {
        let res = call("elasticloadbalancing:DescribeTags", || {
            client
                .describe_tags()
                .set_load_balancer_names(Some(chunk.to_vec()))
                .send()
        })
        .await?;
        for d in res.tag_descriptions() {
            if let Some(name) = d.load_balancer_name() {
                out.insert(name.to_owned(), d.tags().to_vec());
            }
        }
    }
    Ok(out)
}

/// The provider id of a classic load balancer.
pub(crate) fn provider_id(region: &str, name: &str) -> String {
    format!("{region}/{name}")
}

/// Maps one classic load balancer.
pub(crate) fn map(lb: &LoadBalancerDescription, region: &str, tags: &[Tag]) -> Observation {
    let name = lb.load_balancer_name().unwrap_or_default();
    let health = lb.health_check();
    let role = J::new()
        .put("endpoint", lb.dns_name())
        .put("type", "classic")
        .put("scheme", lb.scheme())
        .put("vpc_id", lb.vpc_id())
        .put(
            "canonical_hosted_zone_name",
            lb.canonical_hosted_zone_name(),
        )
        .put(
            "canonical_hosted_zone_name_id",
            lb.canonical_hosted_zone_name_id(),
        )
        .put("healthcheck", health.map(|h| h.target()))
        .put(
            "health_check_classic",
            health.map(|h| {
                J::new()
                    .put("target", h.target())
                    .put("interval", h.interval())
                    .put("timeout", h.timeout())
                    .put("healthy_threshold", h.healthy_threshold())
                    .put("unhealthy_threshold", h.unhealthy_threshold())
                    .done()
            }),
        )
        .put(
            "listeners",
            list(lb.listener_descriptions(), |d| {
                let l = d.listener();
                J::new()
                    .put("protocol", l.map(|l| l.protocol()))
                    .put("load_balancer_port", l.map(|l| l.load_balancer_port()))
                    .put("instance_protocol", l.and_then(|l| l.instance_protocol()))
                    .put("instance_port", l.map(|l| l.instance_port()))
                    .put("ssl_certificate_id", l.and_then(|l| l.ssl_certificate_id()))
                    .done()
            }),
        )
        .put(
            "backend_server_descriptions",
            list(lb.backend_server_descriptions(), |b| {
                J::new()
                    .put("instance_port", b.instance_port())
                    .put("policy_names", b.policy_names())
                    .done()
            }),
        )
        .put("security_groups", lb.security_groups())
        .put("subnets", lb.subnets())
        .put(
            "source_security_group",
            lb.source_security_group().map(|g| {
                J::new()
                    .put("owner_alias", g.owner_alias())
                    .put("group_name", g.group_name())
                    .done()
            }),
        )
        .put("created_time", lb.created_time())
        .done();
    let zones: Vec<Value> = lb
        .availability_zones()
        .iter()
        .map(|z| Value::String(z.clone()))
        .collect();
    let datacenters = placement(region)
        .put("zone", Value::Array(zones))
        .put("vpc_id", lb.vpc_id())
        .put("security_groups", lb.security_groups())
        .done();
    let mut obs = Obs::app(
        Collection::Loadbalancers,
        &provider_id(region, name),
        "Loadbalance",
        VENDOR,
    )
    .name(Some(name), 3, 150)
    .put("status", "Active")
    .put("role", role)
    .put("datacenters", datacenters)
    .tags(tags.iter().map(|t| (t.key(), t.value())));
    for instance in lb.instances() {
        if let Some(id) = instance.instance_id() {
            obs = obs.refer("targets", id);
        }
    }
    obs.done()
}
