//! `storage-object-list`: S3 buckets → Resources (family ObjectStorage, provider "S3 (AWS)"),
//! with their tags. `ListBuckets` is global, so the task lists once per run, for the account's
//! first region; each bucket's tags are read from its own region, a few buckets at a time.

use std::collections::HashMap;

use aws_sdk_s3::config::Region;
use aws_sdk_s3::types::Bucket;
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;
use tokio::task::JoinSet;

use crate::emit::{Cursor, Emitter, J, Obs, placement};
use crate::error::{call, call_or_absent};

/// Buckets per page. Not the provider's page size: moto truncates `ListBuckets` to
/// `MaxBuckets` without a continuation token, so small pages would silently lose buckets there.
const PAGE: i32 = 1000;

/// `GetBucketTagging` requests under way at once.
const TAG_READS: usize = 8;

/// A bucket's tags: `None` when they could not be read (the stored ones are kept).
pub(crate) type Tags = Option<Vec<(String, Option<String>)>>;

pub(crate) async fn run(
    client: &aws_sdk_s3::Client,
    region: &str,
    custom_endpoint: bool,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    let mut tags = TagReader {
        home: client.clone(),
        region: region.to_owned(),
        custom_endpoint,
        regional: HashMap::new(),
        denied: false,
    };
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
        let buckets = page.buckets();
        let tag_sets = tags.read(buckets).await?;
        let observations = buckets
            .iter()
            .zip(tag_sets)
            .filter_map(|(b, tags)| map(b, region, tags))
            .collect();
        out.send(observations).await?;
        if !cursor.advance(page.continuation_token())? {
            return Ok(());
        }
    }
}

/// Maps one bucket with its tags when they were read; without them `tags` is left out, so a
/// sync that could not read them keeps what is stored. `None` without a name.
pub(crate) fn map(bucket: &Bucket, region: &str, tags: Tags) -> Option<Observation> {
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
    let obs = Obs::app(Collection::Resources, name, "ObjectStorage", "S3 (AWS)")
        .name(Some(name), 3, 150)
        .put("status", "Active")
        .put("role", role)
        .put("datacenters", datacenters);
    let obs = match &tags {
        Some(tags) => obs.tags(tags.iter().map(|(k, v)| (k.as_str(), v.as_deref()))),
        None => obs,
    };
    Some(obs.done())
}

/// Reads buckets' tags, each from its own region (AWS answers a request for a bucket of
/// another region with a redirect); an AWS-compatible endpoint is asked as it is.
struct TagReader {
    home: aws_sdk_s3::Client,
    region: String,
    custom_endpoint: bool,
    regional: HashMap<String, aws_sdk_s3::Client>,
    /// `s3:GetBucketTagging` was refused: not asked again this run.
    denied: bool,
}

impl TagReader {
    fn client_for(&mut self, bucket_region: Option<&str>) -> aws_sdk_s3::Client {
        match bucket_region {
            Some(r) if !self.custom_endpoint && r != self.region => {
                let home = &self.home;
                self.regional
                    .entry(r.to_owned())
                    .or_insert_with(|| {
                        let conf = home.config().to_builder().region(Region::new(r.to_owned()));
                        aws_sdk_s3::Client::from_conf(conf.build())
                    })
                    .clone()
            }
            _ => self.home.clone(),
        }
    }

    /// The tags of `buckets`, in their order. A refused permission stops the reading for the
    /// run (the buckets are still listed, with their stored tags); a bucket whose tags cannot
    /// be read otherwise (deleted meanwhile, still throttled) keeps its stored ones; an
    /// endpoint that cannot be reached fails the listing, as the listing itself would.
    async fn read(&mut self, buckets: &[Bucket]) -> Result<Vec<Tags>, ProviderError> {
        let mut out: Vec<Tags> = vec![None; buckets.len()];
        for (start, chunk) in buckets.chunks(TAG_READS).enumerate() {
            if self.denied {
                break;
            }
            let mut reads = JoinSet::new();
            for (i, bucket) in chunk.iter().enumerate() {
                let Some(name) = bucket.name().map(str::to_owned) else {
                    continue;
                };
                let client = self.client_for(bucket.bucket_region());
                reads.spawn(async move {
                    let answer = call_or_absent("s3:GetBucketTagging", &["NoSuchTagSet"], || {
                        client.get_bucket_tagging().bucket(&name).send()
                    })
                    .await;
                    (start * TAG_READS + i, name, answer)
                });
            }
            while let Some(done) = reads.join_next().await {
                let (index, name, answer) =
                    done.map_err(|e| ProviderError::Other(format!("reading bucket tags: {e}")))?;
                match answer {
                    Ok(Some(tagging)) => {
                        let tags = tagging.tag_set().iter();
                        out[index] = Some(
                            tags.map(|t| (t.key.clone(), Some(t.value.clone())))
                                .collect(),
                        );
                    }
                    Ok(None) => out[index] = Some(Vec::new()),
                    Err(ProviderError::Permission { action, message }) => {
                        if !self.denied {
                            tracing::warn!(%action, %message, "bucket tags are not read: the permission is refused");
                        }
                        self.denied = true;
                    }
                    Err(e @ (ProviderError::Unreachable(_) | ProviderError::Auth(_))) => {
                        return Err(e);
                    }
                    Err(e) => tracing::debug!(bucket = %name, error = %e, "bucket tags not read"),
                }
            }
        }
        Ok(out)
    }
}
