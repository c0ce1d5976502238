//! `images-list`: the account's own AMIs (`Owners=self`) → Images.

use aws_sdk_ec2::types::{Image, ImageState};
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;

use crate::emit::{Emitter, J, Obs, capitalize, list, placement};
use crate::pages::{listing, next};

pub(crate) async fn run(
    ec2: &aws_sdk_ec2::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    listing(
        "ec2:DescribeImages",
        |token| {
            ec2.describe_images()
                .owners("self")
                .set_next_token(token)
                .max_results(page_size.clamp(5, 1000))
                .send()
        },
        |page| {
            let obs = page.images().iter().filter_map(|i| map(i, region));
            (obs.collect(), next(page.next_token()))
        },
        out,
    )
    .await
}

/// Maps one image; `None` without an id. Deregistered, invalid, transient, failed and error
/// images are inactive.
pub(crate) fn map(i: &Image, region: &str) -> Option<Observation> {
    let id = i.image_id().filter(|x| !x.is_empty())?;
    let state = i.state();
    let storage = list(i.block_device_mappings(), |b| {
        let ebs = b.ebs();
        J::new()
            .put("device_name", b.device_name())
            .put("virtual_name", b.virtual_name())
            .put("snapshot_id", ebs.and_then(|e| e.snapshot_id()))
            .put("volume_size", ebs.and_then(|e| e.volume_size()))
            .put(
                "volume_type",
                ebs.and_then(|e| e.volume_type()).map(|t| t.as_str()),
            )
            .put(
                "delete_on_termination",
                ebs.and_then(|e| e.delete_on_termination()),
            )
            .put("encrypted", ebs.and_then(|e| e.encrypted()))
            .done()
    });
    let platform = i.platform_details().or(i.platform().map(|p| p.as_str()));
    let datacenters = placement(region)
        .put("architecture", i.architecture().map(|a| a.as_str()))
        .put("root_device_name", i.root_device_name())
        .put(
            "virtualization_type",
            i.virtualization_type().map(|v| v.as_str()),
        )
        .put("ena_support", i.ena_support())
        .put("creation_date", i.creation_date())
        .put("owner_id", i.owner_id())
        .put("description", i.description())
        .done();
    Some(
        Obs::new(Collection::Images, id)
            .name(i.name(), 3, 120)
            .text("image_type", i.image_type().map(|t| t.as_str()), 60)
            .text("image_location", i.image_location(), 500)
            .text("plataform", platform, 60)
            .put("storage", storage)
            .text("state", state.map(|s| s.as_str()), 60)
            .text(
                "status",
                state.map(|s| capitalize(s.as_str())).as_deref(),
                60,
            )
            .active(!matches!(
                state,
                Some(
                    ImageState::Deregistered
                        | ImageState::Invalid
                        | ImageState::Transient
                        | ImageState::Failed
                        | ImageState::Error
                )
            ))
            .text("hypervisor", i.hypervisor().map(|h| h.as_str()), 60)
            .text(
                "root_device_type",
                i.root_device_type().map(|r| r.as_str()),
                60,
            )
            .put("public", i.public())
            .put("datacenters", datacenters)
            .tags(i.tags().iter().map(|t| (t.key().unwrap_or(""), t.value())))
            .done(),
    )
}
