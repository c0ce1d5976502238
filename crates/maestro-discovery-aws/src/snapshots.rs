//! `snapshot-list`: the account's own EBS snapshots (`OwnerIds=self`) → Snapshots.

use aws_sdk_ec2::types::Snapshot;
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;

use crate::emit::{Emitter, Obs, capitalize, placement, tag};
use crate::pages::{listing, next};

pub(crate) async fn run(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    listing(
        "ec2:DescribeSnapshots",
        |token| {
            ec2.describe_snapshots()
                .owner_ids("self")
                .set_next_token(token)
                .max_results(page_size.clamp(5, 1000))
                .send()
        },
        |page| {
            let obs = page.snapshots().iter().filter_map(|s| map(s, region));
            (obs.collect(), next(page.next_token()))
        },
        out,
    )
    .await
}

/// Maps one snapshot; `None` without an id.
pub(crate) fn map(s: &Snapshot, region: &str) -> Option<Observation> {
    let id = s.snapshot_id().filter(|x| !x.is_empty())?;
    let tags = || s.tags().iter().map(|t| (t.key().unwrap_or(""), t.value()));
    let state = s.state().map(|x| x.as_str());
    let size = s.volume_size().filter(|n| *n >= 0);
    Some(
        Obs::new(Collection::Snapshots, id)
            .name(tag(tags(), "name"), 3, 30)
            .put("snapshot_id", id)
            .text("volume_id", s.volume_id(), 100)
            .put("volume_size", size)
            .put("size", size)
            .text("state", state, 60)
            .text("status", state.map(capitalize).as_deref(), 60)
            .text("progress", s.progress(), 20)
            .put("encrypted", s.encrypted())
            .text("kms_key_id", s.kms_key_id(), 250)
            .text("description", s.description(), 300)
            .text("data_encryption_key_id", s.data_encryption_key_id(), 250)
            .text("owner_id", s.owner_id(), 100)
            .text("owner_alias", s.owner_alias(), 100)
            .put("start_time", s.start_time())
            .text("state_message", s.state_message(), 500)
            .put(
                "datacenters",
                placement(region)
                    .put("storage_tier", s.storage_tier().map(|t| t.as_str()))
                    .done(),
            )
            .tags(tags())
            .done(),
    )
}
