//! `cdns-list`: CloudFront distributions → Resources (family CDN, provider "CloudFront (AWS)").
//! CloudFront is global, so the task lists once per run, for the account's first region.
//! RTMP (streaming) distributions were retired by AWS in 2020 and are not listed.

use aws_sdk_cloudfront::types::DistributionSummary;
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;

use crate::emit::{Cursor, Emitter, J, Obs, list, placement};
use crate::error::call;

pub(crate) async fn run(
    client: &aws_sdk_cloudfront::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    let mut cursor = Cursor::default();
    loop {
        let page = call("cloudfront:ListDistributions", || {
            client
                .list_distributions()
                .set_marker(cursor.token())
                .max_items(page_size.clamp(1, 1000))
                .send()
        })
        .await?;
        let Some(dists) = page.distribution_list() else {
            return Ok(());
        };
        out.send(dists.items().iter().map(|d| map(d, region)).collect())
            .await?;
        let next = dists.is_truncated().then(|| dists.next_marker()).flatten();
        if !cursor.advance(next)? {
            return Ok(());
        }
    }
}

/// Maps one distribution.
pub(crate) fn map(d: &DistributionSummary, region: &str) -> Observation {
    let behavior = d.default_cache_behavior().map(|b| {
        J::new()
            .put("target_origin_id", b.target_origin_id())
            .put(
                "viewer_protocol_policy",
                b.viewer_protocol_policy().as_str(),
            )
            .put("compress", b.compress())
            .put("cache_policy_id", b.cache_policy_id())
            .done()
    });
    let origins = d.origins().map(|o| {
        list(o.items(), |o| {
            J::new()
                .put("id", o.id())
                .put("domain_name", o.domain_name())
                .put("origin_path", o.origin_path())
                .done()
        })
    });
    let aliases = d.aliases().map(|a| a.items());
    let role = J::new()
        .put("endpoint", d.domain_name())
        .put("arn", d.arn())
        .put("enabled", d.enabled())
        .put("comment", d.comment())
        .put("aliases", aliases)
        .put("price_class", d.price_class().as_str())
        .put("http_version", d.http_version().as_str())
        .put("is_ipv6_enabled", d.is_ipv6_enabled())
        .put("web_acl_id", d.web_acl_id())
        .put("staging", d.staging())
        .put("last_modified_time", d.last_modified_time())
        .done();
    Obs::app(Collection::Resources, d.id(), "CDN", "CloudFront (AWS)")
        .name(Some(d.domain_name()), 3, 150)
        .put("type", "Web")
        .text("status", Some(d.status()), 60)
        .put("role", role)
        .put("origins", origins)
        .put("cache_behavior", behavior)
        .put("datacenters", placement(region).put("global", true).done())
        .done()
}
