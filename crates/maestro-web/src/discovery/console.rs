//! Links from a discovered entity to its record in the AWS console, built from its provider id
//! (an instance id, an ARN, a bucket name…) and region. OpenStack has no public console URL, so
//! its entities show the provider id only.

use maestro_model::schema::Collection;

const EC2: &str = "https://console.aws.amazon.com/ec2/home";
const VPC: &str = "https://console.aws.amazon.com/vpcconsole/home";

/// EC2-console records by id prefix: (prefix, console, fragment before the id).
const BY_PREFIX: &[(&str, &str, &str)] = &[
    ("i-", EC2, "InstanceDetails:instanceId="),
    ("vol-", EC2, "VolumeDetails:volumeId="),
    ("snap-", EC2, "SnapshotDetails:snapshotId="),
    ("ami-", EC2, "ImageDetails:imageId="),
    ("sg-", EC2, "SecurityGroup:groupId="),
    ("eni-", EC2, "NetworkInterface:networkInterfaceId="),
    ("vpc-", VPC, "VpcDetails:VpcId="),
    ("subnet-", VPC, "SubnetDetails:subnetId="),
    ("rtb-", VPC, "RouteTableDetails:RouteTableId="),
    ("nat-", VPC, "NatGatewayDetails:natGatewayId="),
    ("acl-", VPC, "NetworkAclDetails:networkAclId="),
    ("vpce-", VPC, "EndpointDetails:vpcEndpointId="),
    (
        "pcx-",
        VPC,
        "PeeringConnectionDetails:VpcPeeringConnectionId=",
    ),
    ("vgw-", VPC, "VpnGatewayDetails:VpnGatewayId="),
    ("igw-", VPC, "InternetGatewayDetails:internetGatewayId="),
];

/// Keeps what a console URL may carry as is; percent-encodes the rest.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn valid_region(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 40
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `arn:aws:service:region:account:resource` → (service, region, resource).
fn arn(id: &str) -> Option<(&str, &str, &str)> {
    let mut parts = id.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let _account = parts.next()?;
    Some((service, region, parts.next()?))
}

/// The AWS console page of a discovered record of `coll` (`family` for resources), or None when
/// none can be built. `region` is where discovery saw it (`datacenters.region`).
pub fn console_url(
    coll: Collection,
    family: Option<&str>,
    provider_id: &str,
    region: Option<&str>,
) -> Option<String> {
    let id = provider_id.trim();
    if id.is_empty() {
        return None;
    }
    let parsed = arn(id);
    let region = parsed
        .map(|(_, r, _)| r)
        .filter(|r| !r.is_empty())
        .or(region)
        .filter(|r| valid_region(r));
    match (coll, family) {
        (Collection::Resources, Some("CDN")) => {
            let dist = match parsed {
                Some((_, _, res)) => res.strip_prefix("distribution/")?,
                None => id,
            };
            Some(format!(
                "https://console.aws.amazon.com/cloudfront/v4/home#/distributions/{}",
                clean(dist)
            ))
        }
        (Collection::Resources, Some("ObjectStorage")) => {
            let bucket = match parsed {
                Some((_, _, res)) => res,
                None => id,
            };
            let mut url = format!(
                "https://s3.console.aws.amazon.com/s3/buckets/{}",
                clean(bucket)
            );
            if let Some(r) = region {
                url.push_str(&format!("?region={r}"));
            }
            Some(url)
        }
        (Collection::Databases, _) => {
            let name = match parsed {
                Some(("rds", _, res)) => res.strip_prefix("db:")?,
                Some(_) => return None,
                None => id,
            };
            Some(format!(
                "https://console.aws.amazon.com/rds/home?region={}#database:id={};is-cluster=false",
                region?,
                clean(name)
            ))
        }
        (Collection::Loadbalancers, _) => match parsed {
            Some(("elasticloadbalancing", _, _)) => Some(format!(
                "{EC2}?region={}#LoadBalancer:loadBalancerArn={}",
                region?,
                clean(id)
            )),
            Some(_) => None,
            // A classic load balancer: `region/name`.
            None => {
                let (r, name) = id.split_once('/')?;
                valid_region(r)
                    .then(|| format!("{EC2}?region={r}#LoadBalancers:search={}", clean(name)))
            }
        },
        _ => {
            let (prefix, console, fragment) =
                BY_PREFIX.iter().find(|(p, _, _)| id.starts_with(p))?;
            let rest = &id[prefix.len()..];
            if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            Some(format!("{console}?region={}#{fragment}{id}", region?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Collection::*;

    #[test]
    fn ec2_and_vpc_records_link_by_id_and_region() {
        assert_eq!(
            console_url(Servers, None, "i-0abc123", Some("us-east-1")).as_deref(),
            Some(
                "https://console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-0abc123"
            )
        );
        assert_eq!(
            console_url(Volumes, None, "vol-1", Some("eu-west-1")).as_deref(),
            Some(
                "https://console.aws.amazon.com/ec2/home?region=eu-west-1#VolumeDetails:volumeId=vol-1"
            )
        );
        assert!(
            console_url(Networks, Some("Vpc"), "vpc-9", Some("us-east-1"))
                .unwrap()
                .contains("vpcconsole/home?region=us-east-1#VpcDetails:VpcId=vpc-9")
        );
        assert!(
            console_url(Networks, Some("Subnet"), "subnet-2", Some("us-east-1"))
                .unwrap()
                .ends_with("#SubnetDetails:subnetId=subnet-2")
        );
        assert!(
            console_url(Networks, None, "sg-7", Some("us-east-1"))
                .unwrap()
                .ends_with("#SecurityGroup:groupId=sg-7")
        );
        // Without a region, or with an unknown id shape, there is no link.
        assert_eq!(console_url(Servers, None, "i-0abc123", None), None);
        assert_eq!(console_url(Servers, None, "web-1", Some("us-east-1")), None);
        assert_eq!(console_url(Servers, None, "i-<x>", Some("us-east-1")), None);
        assert_eq!(console_url(Servers, None, "i-1", Some("us east")), None);
    }

    #[test]
    fn arns_carry_their_region() {
        let rds = "arn:aws:rds:eu-west-1:123456789012:db:orders";
        assert_eq!(
            console_url(Databases, Some("Database"), rds, None).as_deref(),
            Some(
                "https://console.aws.amazon.com/rds/home?region=eu-west-1#database:id=orders;is-cluster=false"
            )
        );
        let lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        assert_eq!(
            console_url(Loadbalancers, None, lb, None).unwrap(),
            format!(
                "https://console.aws.amazon.com/ec2/home?region=us-east-1#LoadBalancer:loadBalancerArn={lb}"
            )
        );
        assert!(
            console_url(Loadbalancers, None, "us-east-1/old-lb", None)
                .unwrap()
                .ends_with("?region=us-east-1#LoadBalancers:search=old-lb")
        );
    }

    #[test]
    fn buckets_and_distributions() {
        assert_eq!(
            console_url(
                Resources,
                Some("ObjectStorage"),
                "my-bucket",
                Some("us-east-1")
            )
            .as_deref(),
            Some("https://s3.console.aws.amazon.com/s3/buckets/my-bucket?region=us-east-1")
        );
        assert_eq!(
            console_url(Resources, Some("CDN"), "E123ABC", Some("us-east-1")).as_deref(),
            Some("https://console.aws.amazon.com/cloudfront/v4/home#/distributions/E123ABC")
        );
        assert_eq!(
            console_url(Resources, Some("Cache"), "c-1", Some("us-east-1")),
            None
        );
    }
}
