//! List filters: equality on columns and dotted paths, "any of", every operator on numbers,
//! strings and booleans, list paths, and the 400s for bad filters (references and times are in
//! `filters_refs`).

use serde_json::json;

use crate::backends;
use crate::harness::TestApp;
use crate::listing::seed_servers;
use crate::support::{bad_request, error_fields, names};

backends!(
    equality_and_any_of,
    operators_on_numbers_and_strings,
    contains_ignores_case_beyond_ascii,
    filters_into_lists,
    bad_filters_are_refused,
);

pub const NONE: [&str; 0] = [];

async fn equality_and_any_of(app: &TestApp) {
    let u = app.user("Equal").await;
    let ids = seed_servers(app, &u).await;
    let q = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(q("environment=Production").await, ["alpha", "bravo"]);
    assert_eq!(q("environment[eq]=Staging").await, ["charlie"]);
    assert_eq!(q("environment=production").await, NONE);
    assert_eq!(q("os.base=Linux").await, ["alpha", "bravo", "delta"]);
    assert_eq!(
        q("os.base=Linux&environment=Production").await,
        ["alpha", "bravo"]
    );
    assert_eq!(q("os.dist=Debian").await, ["bravo"]);
    assert_eq!(
        q("environment=Production&environment=Staging").await,
        ["alpha", "bravo", "charlie"]
    );
    assert_eq!(q("name=charlie").await, ["charlie"]);
    assert_eq!(q("name=charlie&name=echo").await, ["charlie", "echo"]);
    assert_eq!(q("hostname=delta.dev").await, ["delta"]);
    assert_eq!(q("ipv4_private=10.0.0.2").await, ["bravo"]);
    assert_eq!(q("datacenters.region=us-east-1").await, ["delta"]);
    assert_eq!(q("status=Active").await.len(), 5);
    assert_eq!(q("cpu=4").await, ["bravo"]);
    assert_eq!(q("cpu=4.0").await, ["bravo"]);
    assert_eq!(q(&format!("id={}", ids["delta"])).await, ["delta"]);
    assert_eq!(
        q(&format!("id[in]={},{}", ids["alpha"], ids["echo"])).await,
        ["alpha", "echo"]
    );
    // Provider ids may be text or numbers.
    assert_eq!(q("unique_id=i-0aaa").await, ["alpha"]);
    assert_eq!(q("unique_id=42").await, ["bravo"]);
    assert_eq!(q("unique_id[in]=i-0aaa,42").await, ["alpha", "bravo"]);
    assert_eq!(q("unique_id=i-0aaa&unique_id=42").await, ["alpha", "bravo"]);
}

async fn operators_on_numbers_and_strings(app: &TestApp) {
    let u = app.user("Operator").await;
    seed_servers(app, &u).await;
    let q = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(q("cpu[gt]=4").await, ["charlie", "delta"]);
    assert_eq!(q("cpu[gte]=4").await, ["bravo", "charlie", "delta"]);
    assert_eq!(q("cpu[lt]=4").await, ["alpha"]);
    assert_eq!(q("cpu[lte]=4").await, ["alpha", "bravo"]);
    assert_eq!(q("cpu[gte]=10").await, ["delta"]);
    // `ne` keeps entities that do not have the field at all.
    assert_eq!(q("cpu[ne]=4").await, ["alpha", "charlie", "delta", "echo"]);
    assert_eq!(q("cpu[in]=2,16").await, ["alpha", "delta"]);
    assert_eq!(
        q("cpu[exists]=true").await,
        ["alpha", "bravo", "charlie", "delta"]
    );
    assert_eq!(q("cpu[exists]=false").await, ["echo"]);
    assert_eq!(
        q("memory[gte]=8&memory[lte]=32").await,
        ["bravo", "charlie"]
    );
    assert_eq!(q("memory[gt]=7.5").await, ["bravo", "charlie", "delta"]);
    assert_eq!(q("environment[contains]=PROD").await, ["alpha", "bravo"]);
    assert_eq!(q("hostname[contains]=.PROD").await, ["alpha", "bravo"]);
    assert_eq!(q("name[contains]=LT").await, ["delta"]);
    assert_eq!(q("environment[contains]=%25").await, NONE);
    assert_eq!(
        q("environment[in]=Staging,Development").await,
        ["charlie", "delta"]
    );
    assert_eq!(
        q("environment[ne]=Production").await,
        ["charlie", "delta", "echo"]
    );
    assert_eq!(q("role[ne]=Application").await, ["bravo", "delta", "echo"]);
    assert_eq!(
        q("name[ne]=alpha").await,
        ["bravo", "charlie", "delta", "echo"]
    );
    assert_eq!(q("name[gt]=charlie").await, ["delta", "echo"]);
    assert_eq!(q("name[lte]=bravo").await, ["alpha", "bravo"]);
    assert_eq!(q("hostname[gte]=c").await, ["charlie", "delta"]);
    assert_eq!(q("name[in]=alpha,echo,zulu").await, ["alpha", "echo"]);
    assert_eq!(
        q("os[exists]=true").await,
        ["alpha", "bravo", "charlie", "delta"]
    );
    assert_eq!(q("os.version[exists]=false").await, ["delta", "echo"]);
    assert_eq!(q("datacenters[exists]=true").await, ["delta"]);
    // Whole lists of objects can be tested for presence.
    assert_eq!(q("storage[exists]=false").await, ["delta", "echo"]);
    assert_eq!(q("tags[exists]=true").await, ["alpha", "bravo", "charlie"]);
}

/// `contains` folds case as Unicode does on both backends (SQLite's own `LIKE` folds ASCII
/// only), and its term is literal text, never a pattern.
async fn contains_ignores_case_beyond_ascii(app: &TestApp) {
    let u = app.user("Unicode").await;
    for (name, team) in [("Zürich-01", "Équipe Paiements"), ("zurich-02", "equipe")] {
        let body = json!({"name": name, "tags": [{"key": "team", "value": team}]});
        app.create(&u.token, "servers", body).await;
    }
    let q = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(q("name[contains]=ZÜR").await, ["Zürich-01"]);
    assert_eq!(q("name[contains]=zur").await, ["zurich-02"]);
    assert_eq!(q("tags.value[contains]=éQUIPE").await, ["Zürich-01"]);
    assert_eq!(q("tags.value[contains]=PAIEMENTS").await, ["Zürich-01"]);
    assert_eq!(q("name[contains]=.*").await, NONE);
    assert_eq!(q("name[contains]=-0(").await, NONE);
    assert_eq!(q("name[contains]=H-0").await, ["Zürich-01", "zurich-02"]);
}

async fn filters_into_lists(app: &TestApp) {
    let u = app.user("Lister").await;
    seed_servers(app, &u).await;
    let q = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(q("tags.key=team").await, ["alpha", "bravo"]);
    assert_eq!(q("tags.value=gold").await, ["bravo"]);
    assert_eq!(q("tags.value[contains]=PAY").await, ["alpha", "charlie"]);
    assert_eq!(q("tags.key[in]=owner,tier").await, ["bravo", "charlie"]);
    assert_eq!(
        q("tags.key=owner&tags.key=tier").await,
        ["bravo", "charlie"]
    );
    // `ne` on a list: no item has the value.
    assert_eq!(q("tags.key[ne]=team").await, ["charlie", "delta", "echo"]);
    assert_eq!(
        q("tags.key[exists]=true").await,
        ["alpha", "bravo", "charlie"]
    );
    assert_eq!(q("tags.key[exists]=false").await, ["delta", "echo"]);
    assert_eq!(q("tags.key=team&tags.value=gold").await, ["bravo"]);
    assert_eq!(q("storage.size[gte]=100").await, ["bravo", "charlie"]);
    assert_eq!(q("storage.size[lt]=30").await, ["bravo"]);
    assert_eq!(q("storage.size=50").await, ["alpha"]);
    assert_eq!(q("storage.size[gt]=1000").await, NONE);
    assert_eq!(q("storage.name=/dev/sdb").await, ["bravo"]);
    assert_eq!(q("storage.name=C:").await, ["charlie"]);
    assert_eq!(q("storage.lvm=true").await, ["alpha"]);
    // Lists of plain strings: a datacenter's regions.
    for (name, regions) in [
        ("aws-east", json!(["us-east-1", "us-east-2"])),
        ("azure-west", json!(["westeurope"])),
        ("on-premises", json!(null)),
    ] {
        app.create(
            &u.token,
            "datacenters",
            json!({"name": name, "provider": "Own", "regions": regions}),
        )
        .await;
    }
    let dc = |text: &str| names(app, &u.token, "datacenters", text.to_owned());
    assert_eq!(dc("regions=us-east-1").await, ["aws-east"]);
    assert_eq!(
        dc("regions=us-east-2&regions=westeurope").await,
        ["aws-east", "azure-west"]
    );
    assert_eq!(
        dc("regions[in]=us-east-2,westeurope").await,
        ["aws-east", "azure-west"]
    );
    assert_eq!(dc("regions[contains]=WEST").await, ["azure-west"]);
    assert_eq!(
        dc("regions[ne]=westeurope").await,
        ["aws-east", "on-premises"]
    );
    assert_eq!(dc("regions[exists]=false").await, ["on-premises"]);
    assert_eq!(dc("regions=us-east").await, NONE);
}

async fn bad_filters_are_refused(app: &TestApp) {
    let u = app.user("Refused").await;
    seed_servers(app, &u).await;
    for bad in [
        "colour=red",
        "os.colour=x",
        "cpu.value=1",
        "storage=x",
        "tags=x",
        "os=Linux",
        "datacenters[ne]=x",
        "storage[contains]=sda",
        "metas.groups=x",
        "family=CDN",
        "cpu[gte]=lots",
        "cpu[gte]=NaN",
        "cpu[gte]=inf",
        "cpu=",
        "cpu[near]=3",
        "cpu[gte=3",
        "cpu[contains]=4",
        "cpu[exists]=maybe",
        "cpu[in]=1,two",
        "storage.lvm=perhaps",
        "storage.lvm[gt]=true",
        "datacenters.id=abc",
        "applications.id=abc",
    ] {
        let p = bad_request(app, &u.token, &format!("/api/v1/servers?{bad}")).await;
        let field = bad.split_once('=').unwrap().0;
        assert_eq!(error_fields(&p), [field], "{bad}: {p}");
        assert_eq!(p["title"], "Invalid input");
    }
    // Every bad filter is reported, and good ones do not hide them.
    let p = bad_request(
        app,
        &u.token,
        "/api/v1/servers?colour=red&cpu[gte]=x&environment=Production",
    )
    .await;
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["colour", "cpu[gte]"]);
}
