//! What a connection lists: its regions (at least one, each once, AWS names shaped like AWS's)
//! and, for AWS, the role it may assume. A typo here would otherwise only show at the first
//! sync, as a provider's parse error under a region named after the typo's first word.

use maestro_model::FieldError;
use serde_json::Value;

/// Problems reported one by one, at most (a pasted list of thousands is not answered with
/// thousands of errors).
const MAX_ERRORS: usize = 10;

/// The problems of a connection's `regions` for `provider`. A region may carry a label after
/// a space (`us-east-1 N. Virginia`); its first word is the name.
pub fn check(provider: &str, regions: Option<&Value>) -> Vec<FieldError> {
    let names = names(regions);
    if names.is_empty() {
        return vec![FieldError::new(
            "regions",
            "need at least one region: discovery lists each one",
        )];
    }
    let mut errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if errors.len() == MAX_ERRORS {
            errors.push(FieldError::new(
                "regions",
                "has more problems than these: fix these first",
            ));
            break;
        }
        if names[..i].contains(name) {
            errors.push(FieldError::new(
                format!("regions[{i}]"),
                format!("{name} is listed twice"),
            ));
        } else if provider == "aws" && !is_aws_region(name) {
            errors.push(FieldError::new(
                format!("regions[{i}]"),
                format!("{name:?} is not an AWS region name (like us-east-1 or eu-west-3)"),
            ));
        }
    }
    errors
}

/// The names of a connection's `regions`: the first word of each.
pub(crate) fn names(regions: Option<&Value>) -> Vec<&str> {
    regions
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|r| r.split_whitespace().next().unwrap_or(""))
        .collect()
}

/// `us-east-1`, `us-gov-west-1`, `ap-southeast-4`: two letters, words, a number.
fn is_aws_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let lower = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    // The word before the number is a direction in every region AWS has opened (`us-moon-9`,
    // accepted before, spent minutes in retries at its first sync).
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(lower)
        && AWS_DIRECTIONS.contains(&parts[parts.len() - 2])
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

const AWS_DIRECTIONS: &[&str] = &[
    "east",
    "west",
    "north",
    "south",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];

/// `arn:<partition>:iam::<12-digit account>:role/<path and name>`.
pub fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws")
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(provider: &str, regions: Value) -> Vec<String> {
        check(provider, Some(&regions))
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn regions_are_named_once_and_shaped_by_provider() {
        assert!(
            fields(
                "aws",
                json!(["us-east-1", "us-gov-west-1 GovCloud", "eu-west-3"])
            )
            .is_empty()
        );
        assert_eq!(fields("aws", json!([])), ["regions"]);
        assert_eq!(check("aws", None).len(), 1);
        assert_eq!(
            fields("aws", json!(["Not A Region!", "us-east-1", "us-east-1"])),
            ["regions[0]", "regions[2]"]
        );
        assert_eq!(
            fields(
                "aws",
                json!(["us-east", "US-EAST-1", "useast-1", "us-moon-9"])
            )
            .len(),
            4
        );
        assert!(
            fields(
                "aws",
                json!(["ap-southeast-7", "il-central-1", "mx-central-1"])
            )
            .is_empty()
        );
        assert!(fields("openstack", json!(["RegionOne", "RegionTwo"])).is_empty());
        assert_eq!(
            fields("openstack", json!(["RegionOne", "RegionOne"])),
            ["regions[1]"]
        );
    }

    #[test]
    fn every_seeded_aws_region_is_accepted() {
        let seeded = crate::seed::seeded_setting("regions").expect("seeded regions");
        let names: Vec<&str> = seeded["AWS"]
            .as_array()
            .expect("AWS regions")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert!(names.len() > 30);
        let refused: Vec<&&str> = names.iter().filter(|n| !is_aws_region(n)).collect();
        assert!(refused.is_empty(), "{refused:?}");
    }

    #[test]
    fn role_arns() {
        assert!(is_role_arn(
            "arn:aws:iam::123456789012:role/MaestroReadOnly"
        ));
        assert!(is_role_arn(
            "arn:aws-us-gov:iam::123456789012:role/path/Name"
        ));
        for bad in [
            "not-an-arn",
            "arn:aws:iam::123:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(!is_role_arn(bad), "{bad}");
        }
    }
}
