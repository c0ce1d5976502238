//! The AWS tasks: names, labels, the IAM read permissions each needs and the original's default
//! intervals (reference §3.2 and §6.4).

use maestro_discovery::TaskInfo;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Every task this provider offers, in the original's order.
pub static TASKS: &[TaskInfo] = &[
    TaskInfo {
        name: "server-list",
        label: "EC2 instances",
        permissions: &["ec2:DescribeInstances", "ec2:DescribeInstanceTypes"],
        default_every_seconds: 5 * MINUTE,
    },
    TaskInfo {
        name: "loadbalance-list",
        label: "Load balancers (ELB and ELBv2)",
        permissions: &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeTags",
        ],
        default_every_seconds: 6 * HOUR,
    },
    TaskInfo {
        name: "dbs-list",
        label: "RDS databases",
        permissions: &["rds:DescribeDBInstances"],
        default_every_seconds: DAY,
    },
    TaskInfo {
        name: "storage-object-list",
        label: "S3 buckets",
        permissions: &["s3:ListAllMyBuckets", "s3:GetBucketTagging"],
        default_every_seconds: DAY,
    },
    TaskInfo {
        name: "volumes-list",
        label: "EBS volumes",
        permissions: &["ec2:DescribeVolumes"],
        default_every_seconds: 6 * HOUR,
    },
    TaskInfo {
        name: "cdns-list",
        label: "CloudFront distributions",
        permissions: &["cloudfront:ListDistributions"],
        default_every_seconds: 5 * DAY,
    },
    TaskInfo {
        name: "snapshot-list",
        label: "EBS snapshots (own)",
        permissions: &["ec2:DescribeSnapshots"],
        default_every_seconds: 14 * DAY,
    },
    TaskInfo {
        name: "images-list",
        label: "AMIs (own)",
        permissions: &["ec2:DescribeImages"],
        default_every_seconds: 14 * DAY,
    },
    TaskInfo {
        name: "security-list",
        label: "Security groups",
        permissions: &["ec2:DescribeSecurityGroups"],
        default_every_seconds: 6 * HOUR,
    },
    TaskInfo {
        name: "network-list",
        label: "VPC networking",
        permissions: &[
            "ec2:DescribeVpcs",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeVpnGateways",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeRouteTables",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeNatGateways",
            "ec2:DescribeNetworkAcls",
        ],
        default_every_seconds: 7 * DAY,
    },
];

/// Tasks whose API is global (not per region): they list once, for the account's first region.
pub const GLOBAL_TASKS: &[&str] = &["storage-object-list", "cdns-list"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_is_named_once_and_needs_permissions() {
        let mut names: Vec<_> = TASKS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TASKS.len());
        assert_eq!(TASKS.len(), 10);
        for t in TASKS {
            assert!(!t.permissions.is_empty(), "{}", t.name);
            assert!(t.default_every_seconds > 0, "{}", t.name);
            for p in t.permissions {
                assert!(p.contains(':'), "{p} is an IAM action");
            }
        }
        for g in GLOBAL_TASKS {
            assert!(TASKS.iter().any(|t| t.name == *g));
        }
    }

    #[test]
    fn intervals_are_the_originals() {
        let every = |n: &str| {
            TASKS
                .iter()
                .find(|t| t.name == n)
                .unwrap()
                .default_every_seconds
        };
        assert_eq!(every("server-list"), 300);
        assert_eq!(every("snapshot-list"), 14 * 86_400);
        assert_eq!(every("network-list"), 7 * 86_400);
        assert_eq!(every("cdns-list"), 5 * 86_400);
    }
}
