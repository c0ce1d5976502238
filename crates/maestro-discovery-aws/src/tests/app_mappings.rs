//! Application-model mappings: load balancers, databases, buckets and CDNs.

use aws_smithy_types::DateTime;
use maestro_model::schema::Collection;
use serde_json::json;

use super::valid;

#[test]
fn load_balancers_databases_buckets_and_cdns() {
    use aws_sdk_elasticloadbalancingv2::types as v2;
    let lb = v2::LoadBalancer::builder()
        .load_balancer_arn("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/1")
        .load_balancer_name("web")
        .dns_name("web-1.us-east-1.elb.amazonaws.com")
        .r#type(v2::LoadBalancerTypeEnum::Application)
        .scheme(v2::LoadBalancerSchemeEnum::InternetFacing)
        .state(
            v2::LoadBalancerState::builder()
                .code(v2::LoadBalancerStateEnum::Active)
                .build(),
        )
        .availability_zones(
            v2::AvailabilityZone::builder()
                .zone_name("us-east-1a")
                .build(),
        )
        .build();
    let tg = v2::TargetGroup::builder()
        .target_group_arn("tg")
        .port(80)
        .build();
    let groups = vec![(tg, vec!["i-1".to_owned(), "i-2".to_owned()])];
    let o = valid(crate::elbv2::map(&lb, "us-east-1", &groups, &[]));
    assert_eq!(o.collection, Collection::Loadbalancers);
    assert_eq!(
        o.fields["role"]["endpoint"],
        "web-1.us-east-1.elb.amazonaws.com"
    );
    assert_eq!(o.fields["status"], "Active");
    assert_eq!(o.refs.len(), 2);

    use aws_sdk_elasticloadbalancing::types as v1;
    let classic = v1::LoadBalancerDescription::builder()
        .load_balancer_name("old")
        .dns_name("old-1.us-east-1.elb.amazonaws.com")
        .instances(v1::Instance::builder().instance_id("i-1").build())
        .health_check(
            v1::HealthCheck::builder()
                .target("HTTP:80/")
                .interval(30)
                .timeout(5)
                .healthy_threshold(2)
                .unhealthy_threshold(2)
                .build()
                .unwrap(),
        )
        .build();
    let o = valid(crate::elb_classic::map(&classic, "us-east-1", &[]));
    assert_eq!(o.provider_id, "us-east-1/old");
    assert_eq!(o.fields["role"]["healthcheck"], "HTTP:80/");
    assert_eq!(o.refs[0].provider_id, "i-1");

    use aws_sdk_rds::types as rds;
    let db = rds::DbInstance::builder()
        .db_instance_identifier("orders")
        .db_instance_arn("arn:aws:rds:us-east-1:1:db:orders")
        .engine("postgres")
        .db_instance_status("stopped")
        .endpoint(
            rds::Endpoint::builder()
                .address("orders.x.rds.amazonaws.com")
                .port(5432)
                .build(),
        )
        .build();
    let o = valid(crate::databases::map(&db, "us-east-1").unwrap());
    assert!(o.active, "a stopped database is still there");
    assert_eq!(o.fields["status"], "Stopped");
    let deleting = rds::DbInstance::builder()
        .db_instance_identifier("old")
        .db_instance_status("deleting")
        .build();
    let gone = valid(crate::databases::map(&deleting, "us-east-1").unwrap());
    assert!(!gone.active, "a database being deleted is inactive");
    assert_eq!(o.fields["role"]["port"], 5432);

    let b = aws_sdk_s3::types::Bucket::builder()
        .name("logs-bucket")
        .build();
    let o = valid(crate::storage::map(&b, "us-east-1", None).unwrap());
    assert_eq!(o.fields["family"], "ObjectStorage");
    assert!(
        o.fields.get("tags").is_none(),
        "unread tags are left as stored"
    );
    let tags = Some(vec![("env".to_owned(), Some("Staging".to_owned()))]);
    let o = valid(crate::storage::map(&b, "us-east-1", tags).unwrap());
    assert_eq!(
        o.fields["tags"],
        json!([{"key": "env", "value": "Staging"}])
    );
    let o = valid(crate::storage::map(&b, "us-east-1", Some(Vec::new())).unwrap());
    assert_eq!(
        o.fields["tags"],
        json!([]),
        "tags read and none left: cleared"
    );
    assert_eq!(o.collection, Collection::Resources);
    assert_eq!(o.fields["datacenters"]["region"], "us-east-1");
    // A bucket elsewhere is placed in its own region, not the one the global listing ran in.
    let b = aws_sdk_s3::types::Bucket::builder()
        .name("eu-logs")
        .bucket_region("eu-west-1")
        .build();
    let o = valid(crate::storage::map(&b, "us-east-1", None).unwrap());
    assert_eq!(o.fields["datacenters"]["region"], "eu-west-1");
}

#[test]
fn distributions_become_cdns() {
    use aws_sdk_cloudfront::types as cf;
    let origin = cf::Origin::builder()
        .id("origin-0")
        .domain_name("bucket.s3.amazonaws.com")
        .build()
        .unwrap();
    let d = cf::DistributionSummary::builder()
        .id("E123")
        .arn("arn:aws:cloudfront::1:distribution/E123")
        .status("Deployed")
        .last_modified_time(DateTime::from_secs(0))
        .domain_name("d111.cloudfront.net")
        .comment("static site")
        .price_class(cf::PriceClass::PriceClassAll)
        .enabled(true)
        .web_acl_id("")
        .http_version(cf::HttpVersion::Http2)
        .is_ipv6_enabled(true)
        .staging(false)
        .aliases(
            cf::Aliases::builder()
                .quantity(1)
                .items("cdn.example.com")
                .build()
                .unwrap(),
        )
        .origins(
            cf::Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .unwrap(),
        )
        .default_cache_behavior(
            cf::DefaultCacheBehavior::builder()
                .target_origin_id("origin-0")
                .viewer_protocol_policy(cf::ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let o = valid(crate::cdn::map(&d, "us-east-1"));
    assert_eq!(o.provider_id, "E123");
    assert_eq!(o.fields["name"], "d111.cloudfront.net");
    assert_eq!(o.fields["family"], "CDN");
    assert_eq!(
        o.fields["origins"][0]["domain_name"],
        "bucket.s3.amazonaws.com"
    );
    assert_eq!(
        o.fields["cache_behavior"]["viewer_protocol_policy"],
        "redirect-to-https"
    );
    assert_eq!(o.fields["role"]["aliases"], json!(["cdn.example.com"]));
    assert_eq!(o.fields["role"]["comment"], "static site");
}
