//! `storage-object-list`: S3 buckets → Resources (family ObjectStorage, provider "S3 (AWS)").
//! `ListBuckets` is global, so the task lists once per run, for the account's first region.

use aws_sdk_s3::types::Bucket;
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;

use crate::emit::{Cursor, Emitter, J, Obs, placement};
use crate::error::call;

/// Buckets per page. Not the provider's page size: moto truncates `ListBuckets` to
/// `MaxBuckets` without a continuation token, so small pages would silently lose buckets there.
const PAGE: i32 = 1000;

pub(crate) async fn run(
    client: &aws_sdk_s3::Client,
    region: &str,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    let mut cursor = Cursor::default();
    loop {
        let page = call("s3:ListAllMyBuckets", || {
            client
                .list_buckets()
                .set_continuation_token(cursor.token())
                .max_buckets(PAGE)
                .send()
        })
        .await?;
        out.send(
            page.buckets()
                .iter()
                .filter_map(|b| map(b, region))
                .collect(),
        )
        .await?;
        if !cursor.advance(page.continuation_token())? {
            return Ok(());
        }
    }
}

/// Maps one bucket; `None` without a name.
pub(crate) fn map(bucket: &Bucket, region: &str) -> Option<Observation> {
    let name = bucket.name().filter(|n| !n.is_empty())?;
    let role = J::new()
        .put("endpoint", format!("s3://{name}"))
        .put("arn", bucket.bucket_arn())
        .put("bucket_region", bucket.bucket_region())
        .put("created_time", bucket.creation_date())
        .done();
    // Placed in the bucket's own region, which `ListBuckets` gives when the request has a
    // parameter (`MaxBuckets` above); else the region the listing ran in.
    let datacenters = placement(bucket.bucket_region().unwrap_or(region))
        .put("bucket_region", bucket.bucket_region())
        .put("global", true)
        .done();
    Some(
        Obs::app(Collection::Resources, name, "ObjectStorage", "S3 (AWS)")
            .name(Some(name), 3, 150)
            .put("status", "Active")
            .put("role", role)
            .put("datacenters", datacenters)
            .done(),
    )
}
