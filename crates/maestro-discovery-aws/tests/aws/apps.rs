//! Load balancers (ELBv2 and classic, with their targets), RDS, and the global S3 and
//! CloudFront listings against moto.

use std::collections::BTreeSet;

use maestro_discovery_aws::AwsProvider;
use maestro_model::schema::Collection;
use serde_json::json;

use crate::support::{Moto, created, expected, run};

fn targets(o: &maestro_discovery::Observation) -> BTreeSet<&str> {
    o.refs
        .iter()
        .inspect(|r| assert_eq!(r.field, "targets"))
        .map(|r| r.provider_id.as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn load_balancers_and_databases() {
    let Some(moto) = Moto::start() else { return };
    let region = "eu-west-1";
    let seed = moto.seed(region, "apps");
    let account = moto.account(&[region]);
    let provider = AwsProvider::new().with_page_size(1);
    let instances: Vec<&str> = seed["created"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();

    let (res, lbs) = run(&provider, &account, region, "loadbalance-list").await;
    let stats = res.expect("loadbalance-list");
    assert_eq!(lbs.all().len(), expected(&seed, "loadbalance-list"));
    assert_eq!(lbs.all().len(), 3);
    assert_eq!(
        stats.pages, 3,
        "two ELBv2 pages of one, then the classic page"
    );
    for o in lbs.all() {
        assert_eq!(o.collection, Collection::Loadbalancers);
        assert_eq!(o.fields["family"], "Loadbalance");
        assert_eq!(o.fields["provider"], "ELB (AWS)");
    }
    let alb = lbs.get(created(&seed, "alb"));
    assert_eq!(alb.fields["name"], "maestro-web");
    assert_eq!(alb.fields["role"]["endpoint"], created(&seed, "alb_dns"));
    assert_eq!(alb.fields["role"]["type"], "application");
    assert_eq!(alb.fields["status"], "Active");
    assert_eq!(alb.fields["tags"][0]["key"], "team");
    assert_eq!(targets(alb), BTreeSet::from([instances[0], instances[1]]));
    let nlb = lbs.get(created(&seed, "nlb"));
    assert!(targets(nlb).is_empty());
    let classic = lbs.get(&format!("{region}/maestro-classic"));
    assert_eq!(classic.fields["name"], "maestro-classic");
    assert_eq!(classic.fields["role"]["type"], "classic");
    assert_eq!(
        classic.fields["role"]["listeners"][0]["instance_port"],
        8080
    );
    assert_eq!(classic.fields["tags"][0]["value"], "legacy");
    assert_eq!(
        targets(classic),
        BTreeSet::from([instances[1], instances[2]])
    );

    let (res, dbs) = run(&provider, &account, region, "dbs-list").await;
    let stats = res.expect("dbs-list");
    assert_eq!(dbs.all().len(), expected(&seed, "dbs-list"));
    assert_eq!(dbs.all().len(), 22);
    assert_eq!(stats.pages, 2, "RDS pages hold 20 at least: 20 + 2");
    let by_name = |n: &str| {
        dbs.all()
            .into_iter()
            .find(|o| o.fields["name"] == n)
            .unwrap_or_else(|| panic!("{n} not observed"))
    };
    let orders = by_name("orders");
    assert!(orders.provider_id.starts_with("arn:aws:rds:"));
    assert_eq!(orders.collection, Collection::Databases);
    assert_eq!(orders.fields["provider"], "RDS (AWS)");
    assert_eq!(orders.fields["engine"], "postgres");
    assert_eq!(orders.fields["status"], "Available");
    assert_eq!(orders.fields["role"]["class"], "db.t3.micro");
    assert_eq!(orders.fields["role"]["allocated_storage"], 20);
    assert!(
        orders.fields["role"]["endpoint"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(orders.active);
    let billing = by_name("billing");
    assert_eq!(billing.fields["engine"], "mysql");
    assert_eq!(billing.fields["status"], "Stopped");
    assert!(billing.active, "a stopped database is still there");
}

#[tokio::test(flavor = "multi_thread")]
async fn buckets_and_distributions_are_listed_once() {
    let Some(moto) = Moto::start() else { return };
    let seed = moto.seed("us-east-1", "global");
    let account = moto.account(&["us-east-1", "eu-central-1"]);
    let provider = AwsProvider::new().with_page_size(2);

    let (res, buckets) = run(&provider, &account, "us-east-1", "storage-object-list").await;
    let stats = res.expect("storage-object-list");
    assert_eq!(buckets.all().len(), expected(&seed, "storage-object-list"));
    assert_eq!(
        stats.pages, 1,
        "S3 asks 1000 buckets per page whatever the page size"
    );
    for name in seed["created"]["buckets"].as_array().unwrap() {
        let b = buckets.get(name.as_str().unwrap());
        assert_eq!(b.collection, Collection::Resources);
        assert_eq!(b.fields["family"], "ObjectStorage");
        assert_eq!(b.fields["provider"], "S3 (AWS)");
        assert_eq!(b.fields["name"], *name);
    }
    // Tags are read per bucket; a bucket without any has an empty list (its tags were removed).
    let tagged = buckets.get("maestro-bucket-0");
    assert_eq!(
        tagged.fields["tags"],
        json!([{"key": "env", "value": "Production"}, {"key": "team", "value": "data"}])
    );
    assert_eq!(buckets.get("maestro-bucket-1").fields["tags"], json!([]));

    let (res, cdns) = run(&provider, &account, "us-east-1", "cdns-list").await;
    let stats = res.expect("cdns-list");
    assert_eq!(cdns.all().len(), expected(&seed, "cdns-list"));
    // moto ignores MaxItems: one page.
    assert_eq!(stats.pages, 1);
    // moto's ListDistributions summaries carry no origins, comment or cache behaviour (AWS's
    // do): those mappings are covered by the unit tests.
    for id in seed["created"]["distributions"].as_array().unwrap() {
        let d = cdns.get(id.as_str().unwrap());
        assert_eq!(d.fields["family"], "CDN");
        assert_eq!(d.fields["provider"], "CloudFront (AWS)");
        assert_eq!(d.fields["type"], "Web");
        assert_eq!(d.fields["status"], "Deployed");
        assert!(
            d.fields["name"]
                .as_str()
                .unwrap()
                .ends_with(".cloudfront.net")
        );
        assert_eq!(d.fields["role"]["endpoint"], d.fields["name"]);
        assert!(
            d.fields["role"]["arn"]
                .as_str()
                .unwrap()
                .ends_with(id.as_str().unwrap())
        );
    }

    // Global APIs list once: the account's other regions get a complete, empty listing.
    for task in ["storage-object-list", "cdns-list"] {
        let (res, other) = run(&provider, &account, "eu-central-1", task).await;
        assert_eq!(res.expect(task).observed, 0);
        assert!(other.pages.is_empty());
    }
}
