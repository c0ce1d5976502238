//! `volumes-list`: EBS volumes → Volumes, with the instances they are attached to as `servers`
//! references.

use aws_sdk_ec2::types::{Volume, VolumeState};
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;

use crate::emit::{Emitter, J, Obs, list, placement, tag};
use crate::pages::{listing, next};

pub(crate) async fn run(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    listing(
        "ec2:DescribeVolumes",
        |token| {
            ec2.describe_volumes()
                .set_next_token(token)
                .max_results(page_size.clamp(5, 500))
                .send()
        },
        |page| {
            let obs = page.volumes().iter().filter_map(|v| map(v, region));
            (obs.collect(), next(page.next_token()))
        },
        out,
    )
    .await
}

/// creating/in-use → Active, available → Avaliable (the schema keeps the original's spelling),
/// deleting/deleted → Deleted, error → Error.
fn status(state: &VolumeState) -> Option<&'static str> {
    Some(match state {
        VolumeState::Creating | VolumeState::InUse => "Active",
        VolumeState::Available => "Avaliable",
        VolumeState::Deleting | VolumeState::Deleted => "Deleted",
        VolumeState::Error => "Error",
        _ => return None,
    })
}

/// Maps one volume; `None` without an id.
pub(crate) fn map(v: &Volume, region: &str) -> Option<Observation> {
    let id = v.volume_id().filter(|s| !s.is_empty())?;
    let tags = || v.tags().iter().map(|t| (t.key().unwrap_or(""), t.value()));
    let state = v.state();
    let attachments = list(v.attachments(), |a| {
        J::new()
            .put("instance_id", a.instance_id())
            .put("device", a.device())
            .put("state", a.state().map(|s| s.as_str()))
            .put("attach_time", a.attach_time())
            .put("delete_on_termination", a.delete_on_termination())
            .done()
    });
    let datacenters = placement(region)
        .put("zone", v.availability_zone())
        .put("multi_attach_enabled", v.multi_attach_enabled())
        .put("throughput", v.throughput())
        .put("create_time", v.create_time())
        .put("owner_id", v.owner_id())
        .done();
    let mut obs = Obs::new(Collection::Volumes, id)
        .name(tag(tags(), "name"), 3, 80)
        .put("volume_id", id)
        .put("size", v.size().unwrap_or(0).max(0))
        .put("iops", v.iops().filter(|i| *i >= 0))
        .put("encrypted", v.encrypted())
        .text("kms_key_id", v.kms_key_id(), 250)
        .text("volume_type", v.volume_type().map(|t| t.as_str()), 60)
        .text("snapshot_id", v.snapshot_id(), 100)
        .text("source_volume_id", v.source_volume_id(), 100)
        .text("state", state.map(|s| s.as_str()), 60)
        .put("status", state.and_then(status))
        .active(!matches!(
            state,
            Some(VolumeState::Deleting | VolumeState::Deleted)
        ))
        .put(
            "attach_time",
            v.attachments().first().and_then(|a| a.attach_time()),
        )
        .put("attachments", attachments)
        .put("datacenters", datacenters)
        .tags(tags());
    for a in v.attachments() {
        if let Some(instance) = a.instance_id() {
            obs = obs.refer("servers", instance);
        }
    }
    Some(obs.done())
}
