"""Seeds a moto server for the AWS provider's tests and prints what it made as JSON.

usage: seed.py ENDPOINT REGION SCENARIO   (SCENARIO: ec2 | apps | global)

"created" holds the ids the tests look for; "expect" holds, per task, how many resources an
independent boto3 listing of the same region finds (moto adds defaults: the default VPC, its
subnets, security group, route table, ACL, root volumes, instance ENIs…).
"""

import json
import sys

import boto3

endpoint, region, scenario = sys.argv[1:4]


def client(service, region_name=region):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region_name,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def tags(**kv):
    return [{"Key": k, "Value": v} for k, v in kv.items()]


def count(c, op, key, **kwargs):
    """Counts every item of a listing, following the pages."""
    if c.can_paginate(op):
        return sum(len(p[key]) for p in c.get_paginator(op).paginate(**kwargs))
    return len(getattr(c, op)(**kwargs)[key])


def seed_ec2():
    ec2 = client("ec2")
    az = f"{region}a"
    vpc = ec2.create_vpc(
        CidrBlock="10.10.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": tags(Name="maestro-vpc")}],
    )["Vpc"]["VpcId"]
    peer = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24", AvailabilityZone=az)[
        "Subnet"
    ]["SubnetId"]
    subnet2 = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.10.2.0/24", AvailabilityZone=f"{region}b"
    )["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(
        GroupName="maestro-web", Description="web servers", VpcId=vpc
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.create_key_pair(KeyName="deploy")
    instances = []
    # One reservation per instance: moto pages DescribeInstances by reservation.
    for n in range(7):
        r = ec2.run_instances(
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro" if n % 2 == 0 else "m5.large",
            KeyName="deploy",
            SubnetId=subnet,
            SecurityGroupIds=[sg],
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": tags(Name=f"web-{n:02}", Environment="Production", Role="Application"),
                }
            ],
        )
        instances.append(r["Instances"][0]["InstanceId"])
    gone = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)[
        "Instances"
    ][0]["InstanceId"]
    ec2.terminate_instances(InstanceIds=[gone])

    data = ec2.create_volume(
        AvailabilityZone=az,
        Size=20,
        VolumeType="gp3",
        Iops=3000,
        Encrypted=True,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags(Name="data-volume")}],
    )["VolumeId"]
    spare = ec2.create_volume(AvailabilityZone=az, Size=5)["VolumeId"]
    ec2.attach_volume(VolumeId=data, InstanceId=instances[0], Device="/dev/sdf")
    snap = ec2.create_snapshot(
        VolumeId=data,
        Description="nightly",
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags(Name="nightly")}],
    )["SnapshotId"]
    image = ec2.create_image(InstanceId=instances[0], Name="maestro-golden")["ImageId"]

    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet2)
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    vpce = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3", RouteTableIds=[rtb]
    )["VpcEndpoint"]["VpcEndpointId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Description="maestro eni")[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 443, "To": 443},
    )

    network = {
        "Vpc": count(ec2, "describe_vpcs", "Vpcs"),
        "Subnet": count(ec2, "describe_subnets", "Subnets"),
        "VpcPeering": count(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections"),
        "VpnGateways": count(ec2, "describe_vpn_gateways", "VpnGateways"),
        "VpcEndpoint": count(ec2, "describe_vpc_endpoints", "VpcEndpoints"),
        "RouteTable": count(ec2, "describe_route_tables", "RouteTables"),
        "NetworkInterfaces": count(ec2, "describe_network_interfaces", "NetworkInterfaces"),
        "NatGateway": count(ec2, "describe_nat_gateways", "NatGateways"),
        "NetworkAcl": count(ec2, "describe_network_acls", "NetworkAcls"),
    }
    reservations = ec2.describe_instances()["Reservations"]
    return {
        "created": {
            "instances": instances,
            "terminated": gone,
            "vpc": vpc,
            "peer_vpc": peer,
            "subnets": [subnet, subnet2],
            "security_group": sg,
            "volume": data,
            "spare_volume": spare,
            "snapshot": snap,
            "image": image,
            "nat": nat,
            "route_table": rtb,
            "peering": pcx,
            "vpn_gateway": vgw,
            "endpoint": vpce,
            "eni": eni,
            "acl": acl,
        },
        "expect": {
            "server-list": sum(len(r["Instances"]) for r in reservations),
            "volumes-list": count(ec2, "describe_volumes", "Volumes"),
            "snapshot-list": count(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"]),
            "images-list": len(ec2.describe_images(Owners=["self"])["Images"]),
            "security-list": count(ec2, "describe_security_groups", "SecurityGroups"),
            "network-list": network,
        },
    }


def seed_apps():
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{n}.0/24", AvailabilityZone=f"{region}{z}")[
            "Subnet"
        ]["SubnetId"]
        for n, z in ((1, "a"), (2, "b"))
    ]
    instances = [
        i["InstanceId"]
        for i in ec2.run_instances(
            ImageId="ami-12345678", MinCount=3, MaxCount=3, SubnetId=subnets[0]
        )["Instances"]
    ]
    elbv2 = client("elbv2")
    alb = elbv2.create_load_balancer(
        Name="maestro-web", Subnets=subnets, Type="application", Tags=tags(team="web")
    )["LoadBalancers"][0]
    nlb = elbv2.create_load_balancer(Name="maestro-net", Subnets=subnets, Type="network")[
        "LoadBalancers"
    ][0]
    tg = elbv2.create_target_group(Name="web-tg", Protocol="HTTP", Port=80, VpcId=vpc)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": instances[0]}, {"Id": instances[1]}])
    elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    elb = client("elb")
    elb.create_load_balancer(
        LoadBalancerName="maestro-classic",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=[f"{region}a"],
        Tags=tags(team="legacy"),
    )
    elb.register_instances_with_load_balancer(
        LoadBalancerName="maestro-classic",
        Instances=[{"InstanceId": instances[1]}, {"InstanceId": instances[2]}],
    )
    rds = client("rds")
    for ident, engine in (("orders", "postgres"), ("billing", "mysql")):
        rds.create_db_instance(
            DBInstanceIdentifier=ident,
            Engine=engine,
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword="not-a-real-password",
            Tags=tags(Environment="Production"),
        )
    rds.stop_db_instance(DBInstanceIdentifier="billing")
    # 20 more: RDS pages hold at least 20 records, so 22 databases take two pages.
    for n in range(20):
        rds.create_db_instance(
            DBInstanceIdentifier=f"replica-{n:02}",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword="not-a-real-password",
        )
    return {
        "created": {
            "instances": instances,
            "alb": alb["LoadBalancerArn"],
            "alb_dns": alb["DNSName"],
            "nlb": nlb["LoadBalancerArn"],
            "classic": "maestro-classic",
        },
        "expect": {
            "loadbalance-list": count(elbv2, "describe_load_balancers", "LoadBalancers")
            + count(elb, "describe_load_balancers", "LoadBalancerDescriptions"),
            "dbs-list": count(rds, "describe_db_instances", "DBInstances"),
        },
    }


def seed_global():
    s3 = client("s3", "us-east-1")
    buckets = [f"maestro-bucket-{n}" for n in range(3)]
    for b in buckets:
        s3.create_bucket(Bucket=b)
    s3.put_bucket_tagging(
        Bucket=buckets[0],
        Tagging={"TagSet": [{"Key": "env", "Value": "Production"}, {"Key": "team", "Value": "data"}]},
    )
    cf = client("cloudfront", "us-east-1")
    ids = []
    for n in range(2):
        origin = f"{buckets[n]}.s3.amazonaws.com"
        d = cf.create_distribution(
            DistributionConfig={
                "CallerReference": f"maestro-{n}",
                "Comment": f"maestro cdn {n}",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": f"origin-{n}",
                            "DomainName": origin,
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": f"origin-{n}",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                    "MinTTL": 0,
                },
            }
        )["Distribution"]
        ids.append(d["Id"])
    return {
        "created": {"buckets": buckets, "distributions": ids},
        "expect": {
            "storage-object-list": len(s3.list_buckets()["Buckets"]),
            "cdns-list": cf.list_distributions()["DistributionList"].get("Quantity", 0),
        },
    }


print(json.dumps({"ec2": seed_ec2, "apps": seed_apps, "global": seed_global}[scenario]()))
