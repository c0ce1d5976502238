//! Mapping tests: provider records built with the SDK's own builders, mapped, and every
//! observation run through Maestro's validation for its kind and family.

mod app_mappings;
mod ec2_mappings;

use aws_sdk_ec2::types as ec2;
use maestro_discovery::Observation;

use crate::check_observation;

pub(super) fn valid(o: Observation) -> Observation {
    if let Err(errors) = check_observation(&o) {
        panic!(
            "{} {} is invalid: {errors:?}",
            o.collection.segment(),
            o.provider_id
        );
    }
    o
}

pub(super) fn tag(k: &str, v: &str) -> ec2::Tag {
    ec2::Tag::builder().key(k).value(v).build()
}
