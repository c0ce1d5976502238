//! Fields only some families have (Oracle details on databases, `targets` on load balancers)
//! and networks, which need a family of their own.

use reqwest::StatusCode;
use serde_json::json;

use crate::backends;
use crate::families::NONE;
use crate::harness::{TestApp, id};
use crate::support::{error_fields, names, ref_ids};

backends!(
    database_and_load_balancer_fields,
    networks_need_a_network_family,
);

async fn database_and_load_balancer_fields(app: &TestApp) {
    let u = app.user("Specialist").await;
    let t = &u.token;
    let oracle = json!({
        "name": "erp-oracle", "crs_version": "19.3", "storage_types": "ASM",
        "asm_groups": [{"name": "DATA", "size": 500}, {"name": "FRA", "size": 100}],
        "pdbs": [{"name": "ERP"}, {"name": "HR"}], "dataguard": {"mode": "MaxAvailability"}
    });
    let db = app.create(t, "databases", oracle.clone()).await;
    for key in [
        "crs_version",
        "storage_types",
        "asm_groups",
        "pdbs",
        "dataguard",
    ] {
        assert_eq!(db[key], oracle[key], "{key}");
    }
    assert!(db.get("targets").is_none(), "{db}");
    let mut as_app = oracle.clone();
    as_app["name"] = json!("erp-app");
    let (status, p) = app.post(t, "/api/v1/applications", as_app).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(
        fields,
        [
            "asm_groups",
            "crs_version",
            "dataguard",
            "pdbs",
            "storage_types"
        ]
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not available for family Application")
    );
    let cache = json!({"name": "redis", "family": "Cache", "pdbs": [{"name": "A"}]});
    let (status, p) = app.post(t, "/api/v1/resources", cache).await;
    assert_eq!(
        (status, error_fields(&p)),
        (StatusCode::BAD_REQUEST, vec!["pdbs".to_owned()])
    );
    let plain = app
        .create(t, "applications", json!({"name": "erp-web"}))
        .await;
    let plain_path = format!("/api/v1/applications/{}", id(&plain));
    let (status, p) = app
        .patch(t, &plain_path, json!({"crs_version": "19"}))
        .await;
    assert_eq!(
        (status, error_fields(&p)),
        (StatusCode::BAD_REQUEST, vec!["crs_version".to_owned()])
    );
    let bad_pdbs = json!({"pdbs": [{"name": "ERP"}, {"name": "ERP"}, {}]});
    let (status, p) = app
        .patch(t, &format!("/api/v1/databases/{}", id(&db)), bad_pdbs)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["pdbs[1]", "pdbs[2].name"], "{p}");

    // Load balancer targets are servers, and only load balancers have them.
    let s1 = id(&app.create(t, "servers", json!({"name": "node-1"})).await);
    let s2 = id(&app.create(t, "servers", json!({"name": "node-2"})).await);
    let lb = app
        .create(
            t,
            "loadbalancers",
            json!({"name": "front-lb", "targets": [s1, {"id": s2}]}),
        )
        .await;
    assert_eq!(ref_ids(&lb["targets"]), [s1.as_str(), s2.as_str()]);
    assert_eq!(
        lb["targets"][1],
        json!({"id": s2, "name": "node-2", "kind": "server", "collection": "servers"})
    );
    let (_, got) = app
        .get(t, &format!("/api/v1/loadbalancers/{}", id(&lb)))
        .await;
    assert_eq!(got["targets"], lb["targets"]);
    assert!(plain.get("targets").is_none());
    for coll in ["applications", "databases"] {
        let body = json!({"name": "not-a-lb", "targets": [s1]});
        let (status, p) = app.post(t, &format!("/api/v1/{coll}"), body).await;
        assert_eq!(
            (status, error_fields(&p)),
            (StatusCode::BAD_REQUEST, vec!["targets".to_owned()]),
            "{coll}"
        );
    }
    let body = json!({"name": "odd-lb", "targets": [id(&plain)]});
    let (status, p) = app.post(t, "/api/v1/loadbalancers", body).await;
    assert_eq!(
        (status, error_fields(&p)),
        (StatusCode::BAD_REQUEST, vec!["targets[0]".to_owned()])
    );
}

async fn networks_need_a_network_family(app: &TestApp) {
    let u = app.user("Netter").await;
    let t = &u.token;
    for body in [
        json!({"name": "no-family"}),
        json!({"name": "app-family", "family": "Cache"}),
        json!({"name": "lower-case", "family": "vpc"}),
        json!({"name": "numbered", "family": 3}),
    ] {
        let (status, p) = app.post(t, "/api/v1/networks", body.clone()).await;
        assert_eq!(
            (status, error_fields(&p)),
            (StatusCode::BAD_REQUEST, vec!["family".to_owned()]),
            "{body}"
        );
    }
    let vpc = json!({"name": "main-vpc", "family": "Vpc", "cidr_block": "10.0.0.0/16"});
    let vpc = app.create(t, "networks", vpc).await;
    assert_eq!(
        (vpc["kind"].clone(), vpc["family"].clone()),
        (json!("network"), json!("Vpc"))
    );
    app.create(
        t,
        "networks",
        json!({"name": "subnet-a", "family": "Subnet"}),
    )
    .await;
    app.create(
        t,
        "networks",
        json!({"name": "web-sg", "family": "SecurityGroup"}),
    )
    .await;
    let q = |text: &'static str| names(app, t, "networks", text.to_owned());
    assert_eq!(q("family=Subnet").await, ["subnet-a"]);
    assert_eq!(
        q("family[in]=Vpc,SecurityGroup").await,
        ["main-vpc", "web-sg"]
    );
    assert_eq!(q("cidr_block=10.0.0.0/16").await, ["main-vpc"]);
    let path = format!("/api/v1/networks/{}", id(&vpc));
    for family in [json!(null), json!("CDN")] {
        let (status, p) = app.patch(t, &path, json!({"family": family})).await;
        assert_eq!(
            (status, error_fields(&p)),
            (StatusCode::BAD_REQUEST, vec!["family".to_owned()])
        );
    }
    let (status, p) = app
        .patch(t, &path, json!({"family": "VirtualNetwork"}))
        .await;
    assert_eq!(
        (status, p["family"].clone()),
        (StatusCode::OK, json!("VirtualNetwork"))
    );
    assert_eq!(q("family=VirtualNetwork").await, ["main-vpc"]);
    assert_eq!(q("family=Vpc").await, NONE);
}
