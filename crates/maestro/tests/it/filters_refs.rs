//! List filters on references (`deps.id`, `applications.id`, `datacenters.id`, both directions)
//! and on the time columns (`created_at`, `updated_at`).

use serde_json::json;

use crate::backends;
use crate::filters::NONE;
use crate::harness::{TestApp, id};
use crate::listing::seed_servers;
use crate::support::{bad_request, error_fields, names};

backends!(reference_filters, time_filters);

async fn reference_filters(app: &TestApp) {
    let u = app.user("Linker").await;
    let servers = seed_servers(app, &u).await;
    let web = id(&app
        .create(&u.token, "applications", json!({"name": "web"}))
        .await);
    let api = app
        .create(
            &u.token,
            "applications",
            json!({"name": "api", "deps": [{"id": web, "endpoint": "rest"}]}),
        )
        .await;
    let api = id(&api);
    let body = json!({"name": "worker", "deps": [api, web]});
    app.create(&u.token, "applications", body).await;
    let db = id(&app
        .create(&u.token, "databases", json!({"name": "pg-main"}))
        .await);
    let dc1 = id(&app
        .create(
            &u.token,
            "datacenters",
            json!({"name": "dc-one", "provider": "AWS"}),
        )
        .await);
    let dc2 = id(&app
        .create(
            &u.token,
            "datacenters",
            json!({"name": "dc-two", "provider": "Own"}),
        )
        .await);
    for (server, patch) in [
        ("alpha", json!({"applications": [web, api]})),
        (
            "bravo",
            json!({"applications": [db], "datacenters": {"id": dc2}}),
        ),
        (
            "delta",
            json!({"datacenters": {"id": dc1, "zone": "us-east-1a"}}),
        ),
    ] {
        let path = format!("/api/v1/servers/{}", servers[server]);
        let (status, body) = app.patch(&u.token, &path, patch).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    }
    let s = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(s(&format!("applications.id={web}")).await, ["alpha"]);
    assert_eq!(s(&format!("applications={api}")).await, ["alpha"]);
    assert_eq!(
        s(&format!("applications.id={web}&applications.id={db}")).await,
        ["alpha", "bravo"]
    );
    assert_eq!(
        s(&format!("applications.id[in]={db},{api}")).await,
        ["alpha", "bravo"]
    );
    assert_eq!(
        s(&format!("applications.id[ne]={web}")).await,
        ["bravo", "charlie", "delta", "echo"]
    );
    assert_eq!(
        s("applications[exists]=false").await,
        ["charlie", "delta", "echo"]
    );
    assert_eq!(s(&format!("datacenters.id={dc1}")).await, ["delta"]);
    assert_eq!(
        s(&format!("datacenters.id={dc1}&datacenters.id={dc2}")).await,
        ["bravo", "delta"]
    );
    assert_eq!(s("datacenters.id[exists]=true").await, ["bravo", "delta"]);
    assert_eq!(s(&format!("datacenters.id={web}")).await, NONE);
    // The datacenter's name, as the server's view shows it (not stored with the server).
    assert_eq!(s("datacenters.name=dc-one").await, ["delta"]);
    assert_eq!(
        s("datacenters.name[contains]=DC-").await,
        ["bravo", "delta"]
    );
    assert_eq!(s("datacenters.name[in]=dc-two,dc-three").await, ["bravo"]);
    assert_eq!(
        s("datacenters.name[ne]=dc-one").await,
        ["alpha", "bravo", "charlie", "echo"]
    );
    assert_eq!(
        s("datacenters.name[exists]=false").await,
        ["alpha", "charlie", "echo"]
    );
    // A datacenter the caller cannot read names nothing for them.
    let other = app.user("Stranger").await;
    assert_eq!(
        names(
            app,
            &other.token,
            "servers",
            "datacenters.name=dc-one".into()
        )
        .await,
        NONE
    );
    let a = |text: &str| names(app, &u.token, "applications", text.to_owned());
    assert_eq!(a(&format!("deps.id={web}")).await, ["api", "worker"]);
    assert_eq!(a(&format!("deps.id={api}")).await, ["worker"]);
    assert_eq!(
        a(&format!("deps={api}&deps={web}")).await,
        ["api", "worker"]
    );
    assert_eq!(a("deps[exists]=false").await, ["web"]);
    assert_eq!(
        a(&format!("servers.id={}", servers["alpha"])).await,
        ["api", "web"]
    );
    assert_eq!(a(&format!("servers.id={}", servers["bravo"])).await, NONE);
    let d = names(
        app,
        &u.token,
        "databases",
        format!("servers.id={}", servers["bravo"]),
    )
    .await;
    assert_eq!(d, ["pg-main"]);
    // Systems, clients and volumes, from either side.
    let t = u.token.as_str();
    let acme = id(&app.create(t, "clients", json!({"name": "acme"})).await);
    let body = json!({"name": "shop", "clients": [acme], "entry": [web]});
    let shop = id(&app.create(t, "systems", body).await);
    app.create(t, "systems", json!({"name": "empty"})).await;
    let body =
        json!({"name": "data-vol", "size": 10, "unique_id": "v-1", "servers": [servers["echo"]]});
    app.create(t, "volumes", body).await;
    let by = |coll: &'static str, q: String| names(app, t, coll, q);
    assert_eq!(by("systems", format!("clients.id={acme}")).await, ["shop"]);
    assert_eq!(by("systems", format!("entry.id={web}")).await, ["shop"]);
    assert_eq!(
        by("systems", format!("applications.id={web}")).await,
        ["shop"]
    );
    assert_eq!(
        by("systems", "clients[exists]=false".into()).await,
        ["empty"]
    );
    assert_eq!(by("clients", format!("systems.id={shop}")).await, ["acme"]);
    assert_eq!(
        by("applications", format!("system.id={shop}")).await,
        ["web"]
    );
    let echo = &servers["echo"];
    assert_eq!(
        by("volumes", format!("servers.id={echo}")).await,
        ["data-vol"]
    );
    assert_eq!(
        by("volumes", format!("servers.id={}", servers["alpha"])).await,
        NONE
    );
    for bad in [
        "deps.id=web",
        "deps.id[gt]=0190a000-0000-7000-8000-000000000000",
        "deps.name=web",
    ] {
        let p = bad_request(app, &u.token, &format!("/api/v1/applications?{bad}")).await;
        assert_eq!(
            error_fields(&p),
            [bad.split('=').next().unwrap()],
            "{bad}: {p}"
        );
    }
}

async fn time_filters(app: &TestApp) {
    let u = app.user("Timer").await;
    let ids = seed_servers(app, &u).await;
    let token = &u.token;
    let get = |name: &str| {
        let path = format!("/api/v1/servers/{}", ids[name]);
        async move { app.get(token, &path).await.1 }
    };
    let enc = |t: &serde_json::Value| t.as_str().unwrap().replace('+', "%2B");
    let (alpha, bravo) = (get("alpha").await, get("bravo").await);
    let (ta, tb) = (enc(&alpha["created_at"]), enc(&bravo["created_at"]));
    let q = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(q(&format!("created_at={tb}")).await, ["bravo"]);
    assert_eq!(
        q(&format!("created_at[gte]={tb}")).await,
        ["bravo", "charlie", "delta", "echo"]
    );
    assert_eq!(
        q(&format!("created_at[gt]={tb}")).await,
        ["charlie", "delta", "echo"]
    );
    assert_eq!(q(&format!("created_at[lt]={tb}")).await, ["alpha"]);
    assert_eq!(
        q(&format!("created_at[lte]={tb}")).await,
        ["alpha", "bravo"]
    );
    assert_eq!(
        q(&format!("created_at[ne]={ta}")).await,
        ["bravo", "charlie", "delta", "echo"]
    );
    assert_eq!(
        q(&format!("created_at[in]={ta},{tb}")).await,
        ["alpha", "bravo"]
    );
    assert_eq!(
        q(&format!("created_at={ta}&created_at={tb}")).await,
        ["alpha", "bravo"]
    );
    assert_eq!(q("updated_at[exists]=true").await.len(), 5);
    assert_eq!(q("updated_at[exists]=false").await, NONE);
    assert_eq!(q("created_at[gte]=2000-01-01T00:00:00Z").await.len(), 5);
    assert_eq!(q("created_at[lt]=2000-01-01T00:00:00%2B02:00").await, NONE);
    let path = format!("/api/v1/servers/{}", ids["charlie"]);
    let (_, patched) = app.patch(&u.token, &path, json!({"memory": 48})).await;
    let tc = enc(&patched["updated_at"]);
    assert_eq!(q(&format!("updated_at[gte]={tc}")).await, ["charlie"]);
    assert_eq!(
        q(&format!("updated_at[lt]={tc}")).await,
        ["alpha", "bravo", "delta", "echo"]
    );
    for bad in [
        "updated_at[gte]=yesterday",
        "updated_at[gte]=2026-01-01",
        "updated_at[contains]=2026",
    ] {
        let p = bad_request(app, &u.token, &format!("/api/v1/servers?{bad}")).await;
        assert_eq!(
            error_fields(&p),
            [bad.split('=').next().unwrap()],
            "{bad}: {p}"
        );
    }
}
