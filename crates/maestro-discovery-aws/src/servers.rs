//! `server-list`: EC2 instances → Servers (reference §3.3, "AWS server"), page by page.

use aws_sdk_ec2::types::{Instance, InstanceStateName, PlatformValues};
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::emit::{Cursor, Emitter, J, Obs, list, placement, tag};
use crate::error::call;
use crate::instance_types::InstanceTypes;

/// Largest value the schema takes for `cpu` and `memory`.
const CPU_MEM_MAX: f64 = 1024.0;

pub(crate) async fn run(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    let mut types = InstanceTypes::default();
    let mut cursor = Cursor::default();
    loop {
        let page = call("ec2:DescribeInstances", || {
            ec2.describe_instances()
                .set_next_token(cursor.token())
                .max_results(page_size.clamp(5, 1000))
                .send()
        })
        .await?;
        let instances: Vec<&Instance> = page
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .collect();
        types
            .learn(
                ec2,
                instances
                    .iter()
                    .filter_map(|i| i.instance_type().map(|t| t.as_str())),
            )
            .await;
        out.send(
            instances
                .iter()
                .filter_map(|i| map(i, region, &types))
                .collect(),
        )
        .await?;
        if !cursor.advance(page.next_token())? {
            return Ok(());
        }
    }
}

/// Maps one instance; `None` when it has no id.
pub(crate) fn map(i: &Instance, region: &str, types: &InstanceTypes) -> Option<Observation> {
    let id = i.instance_id().filter(|s| !s.is_empty())?;
    let tags = || i.tags().iter().map(|t| (t.key().unwrap_or(""), t.value()));
    let state = i.state().and_then(|s| s.name());
    let instance_type = i.instance_type().map(|t| t.as_str());
    let size = instance_type.and_then(|t| types.get(t));
    let in_range = |x: f64| (x > 0.0 && x <= CPU_MEM_MAX).then_some(x);
    let os = if matches!(i.platform(), Some(PlatformValues::Windows)) {
        "Windows"
    } else {
        "Linux"
    };
    let root = i.root_device_name();
    let storage: Vec<Value> = i
        .block_device_mappings()
        .iter()
        .filter_map(|b| {
            let device = b.device_name().filter(|d| !d.is_empty())?;
            let ebs = b.ebs();
            let volume = ebs.and_then(|e| e.volume_id());
            Some(
                J::new()
                    .put("name", crate::emit::truncate(device, 100))
                    .put("device_name", crate::emit::truncate(device, 100))
                    .put("volume_id", volume)
                    .put("unique_id", volume)
                    .put("root", root.map(|r| r == device))
                    .put(
                        "delete_termination",
                        ebs.and_then(|e| e.delete_on_termination()),
                    )
                    .put("attach_time", ebs.and_then(|e| e.attach_time()))
                    .put("status", ebs.and_then(|e| e.status()).map(|s| s.as_str()))
                    .put("attached", true)
                    .done(),
            )
        })
        .take(256)
        .collect();
    let auth = i.key_name().filter(|k| !k.is_empty()).map(|k| {
        Value::Array(vec![
            J::new()
                .put("name", crate::emit::truncate(k, 100))
                .put("type", "PKI")
                .done(),
        ])
    });
    let datacenters = placement(region)
        .put("zone", i.placement().and_then(|p| p.availability_zone()))
        .put("type", "Virtual")
        .put("instance", instance_type)
        .put("instance_id", id)
        .put("subnet_id", i.subnet_id())
        .put("vpc_id", i.vpc_id())
        .put("image_id", i.image_id())
        .put("architecture", i.architecture().map(|a| a.as_str()))
        .put(
            "virtualization_type",
            i.virtualization_type().map(|v| v.as_str()),
        )
        .put("hypervisor", i.hypervisor().map(|h| h.as_str()))
        .put("root_device_type", i.root_device_type().map(|r| r.as_str()))
        .put("root_device_name", root)
        .put("platform_details", i.platform_details())
        .put(
            "tenancy",
            i.placement().and_then(|p| p.tenancy()).map(|t| t.as_str()),
        )
        .put("lifecycle", i.instance_lifecycle().map(|l| l.as_str()))
        .put("state", state.map(|s| s.as_str()))
        .put("state_reason", i.state_reason().and_then(|r| r.message()))
        .put(
            "cloudwatch_monitoring",
            i.monitoring().and_then(|m| m.state()).map(|s| s.as_str()),
        )
        .put("launch_time", i.launch_time())
        .done();
    let metas = J::new()
        .put(
            "security_groups",
            list(i.security_groups(), |g| {
                J::new()
                    .put("id", g.group_id())
                    .put("name", g.group_name())
                    .done()
            }),
        )
        .put(
            "iam_instance_profile",
            i.iam_instance_profile().and_then(|p| p.arn()),
        )
        .done();
    Some(
        Obs::new(Collection::Servers, id)
            .name(tag(tags(), "name"), 1, 100)
            .text("hostname", i.private_dns_name(), 100)
            .ip("ipv4_private", i.private_ip_address())
            .ip("ipv4_public", i.public_ip_address())
            .text("dns_private", i.private_dns_name(), 250)
            .text("dns_public", i.public_dns_name(), 250)
            .put("os", J::new().put("base", os).done())
            .put("cpu", size.and_then(|s| in_range(s.0)))
            .put("memory", size.and_then(|s| in_range(s.1)))
            .put("storage", Value::Array(storage))
            .put("auth", auth)
            .put("status", state.map(status))
            .active(!matches!(
                state,
                Some(InstanceStateName::ShuttingDown | InstanceStateName::Terminated)
            ))
            .text("environment", tag(tags(), "environment"), 60)
            .text("role", tag(tags(), "role"), 60)
            .put("ebs_optimized", i.ebs_optimized())
            .put("datacenters", datacenters)
            .put("metas", metas)
            .tags(tags())
            .done(),
    )
}

/// running/pending → Active; everything else (stopping, stopped, shutting-down, terminated) →
/// Stopped (`active` tells the last two apart).
fn status(state: &InstanceStateName) -> &'static str {
    match state {
        InstanceStateName::Running | InstanceStateName::Pending => "Active",
        _ => "Stopped",
    }
}
