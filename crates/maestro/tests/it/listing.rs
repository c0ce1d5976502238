//! Lists: paging (clamped limit, bad page/limit), sorting, free-text `q` and the `active` flag.
//! Filters are in `filters`; both share the servers of [`seed_servers`].

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, User, id};
use crate::support::{bad_request, error_fields, list, names, names_of};

backends!(
    pages_cover_every_item_once,
    limit_is_clamped_and_bad_paging_is_a_problem,
    sort_keys_and_directions,
    unknown_sort_keys_are_refused,
    free_text_search,
    active_flag_selects_deleted_entities,
);

/// Five servers with distinct values; `echo` has almost nothing set. Returns name → id.
pub async fn seed_servers(app: &TestApp, u: &User) -> HashMap<String, String> {
    let bodies = [
        json!({"name": "alpha", "hostname": "alpha.prod", "ipv4_private": "10.0.0.1", "cpu": 2, "memory": 4,
               "environment": "Production", "role": "Application",
               "os": {"base": "Linux", "dist": "Ubuntu", "version": "22.04"},
               "storage": [{"name": "/dev/sda", "size": 50, "lvm": true}],
               "tags": [{"key": "team", "value": "payments"}], "unique_id": "i-0aaa"}),
        json!({"name": "bravo", "hostname": "bravo.prod", "ipv4_private": "10.0.0.2", "cpu": 4, "memory": 8,
               "environment": "Production", "role": "Database",
               "os": {"base": "Linux", "dist": "Debian", "version": "12"},
               "storage": [{"name": "/dev/sda", "size": 200}, {"name": "/dev/sdb", "size": 20}],
               "tags": [{"key": "team", "value": "search"}, {"key": "tier", "value": "gold"}],
               "unique_id": 42}),
        json!({"name": "charlie", "hostname": "charlie.stage", "ipv4_private": "10.0.1.3", "cpu": 8, "memory": 32,
               "environment": "Staging", "role": "Application",
               "os": {"base": "Windows", "dist": "Server", "version": "2022"},
               "storage": [{"name": "C:", "size": 100}],
               "tags": [{"key": "owner", "value": "Payments-Team"}]}),
        json!({"name": "delta", "hostname": "delta.dev", "ipv4_private": "192.168.1.4", "cpu": 16, "memory": 64,
               "environment": "Development", "os": {"base": "Linux", "dist": "Rocky"},
               "datacenters": {"provider": "AWS", "region": "us-east-1", "instance_id": "i-0ddd"}}),
        json!({"name": "echo"}),
    ];
    let mut out = HashMap::new();
    for b in bodies {
        let s = app.create(&u.token, "servers", b).await;
        out.insert(s["name"].as_str().unwrap().to_owned(), id(&s));
    }
    out
}

async fn pages_cover_every_item_once(app: &TestApp) {
    let u = app.user("Pager").await;
    seed_servers(app, &u).await;
    let all = ["alpha", "bravo", "charlie", "delta", "echo"];
    for (page, want) in [
        (1, &all[0..2]),
        (2, &all[2..4]),
        (3, &all[4..5]),
        (4, &all[0..0]),
    ] {
        let body = list(
            app,
            &u.token,
            &format!("/api/v1/servers?sort=name&limit=2&page={page}"),
        )
        .await;
        assert_eq!(names_of(&body), want, "page {page}");
        assert_eq!(body["total"], 5);
        assert_eq!(body["page"], page);
        assert_eq!(body["limit"], 2);
    }
    // Ties on the sort key still page deterministically: every item exactly once.
    let mut seen = Vec::new();
    for page in 1..=5 {
        let body = list(
            app,
            &u.token,
            &format!("/api/v1/servers?sort=environment&limit=1&page={page}"),
        )
        .await;
        seen.extend(names_of(&body));
    }
    seen.sort();
    assert_eq!(seen, all);
    let body = list(app, &u.token, "/api/v1/servers").await;
    assert_eq!(
        (body["page"].clone(), body["limit"].clone()),
        (json!(1), json!(50))
    );
}

async fn limit_is_clamped_and_bad_paging_is_a_problem(app: &TestApp) {
    let u = app.user("Clamp").await;
    seed_servers(app, &u).await;
    for big in ["501", "1000", "99999999999999999999999"] {
        let body = list(app, &u.token, &format!("/api/v1/servers?limit={big}")).await;
        assert_eq!(body["limit"], 500, "limit={big}");
        assert_eq!(body["items"].as_array().unwrap().len(), 5);
    }
    let body = list(app, &u.token, "/api/v1/servers?limit=500").await;
    assert_eq!(body["limit"], 500);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=-3", "limit"),
        ("limit=abc", "limit"),
        ("limit=2.5", "limit"),
        ("limit=", "limit"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=first", "page"),
        ("active=maybe", "active"),
    ] {
        let p = bad_request(app, &u.token, &format!("/api/v1/servers?{query}")).await;
        assert_eq!(error_fields(&p), [field], "{query}: {p}");
        assert_eq!(p["title"], "Invalid input");
    }
    // Every bad parameter is reported at once.
    let p = bad_request(app, &u.token, "/api/v1/servers?page=0&limit=0&sort=colour").await;
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, ["limit", "page", "sort"]);
}

async fn sort_keys_and_directions(app: &TestApp) {
    let u = app.user("Sorter").await;
    seed_servers(app, &u).await;
    let order = |q: &'static str| {
        let token = u.token.clone();
        async move { names_of(&list(app, &token, &format!("/api/v1/servers?{q}")).await) }
    };
    assert_eq!(
        order("sort=name").await,
        ["alpha", "bravo", "charlie", "delta", "echo"]
    );
    assert_eq!(
        order("sort=-name").await,
        ["echo", "delta", "charlie", "bravo", "alpha"]
    );
    assert_eq!(
        order("sort=+name").await,
        ["alpha", "bravo", "charlie", "delta", "echo"]
    );
    // Numbers sort numerically (16 after 8); entities without the field come last either way.
    assert_eq!(
        order("sort=cpu").await,
        ["alpha", "bravo", "charlie", "delta", "echo"]
    );
    assert_eq!(
        order("sort=-cpu").await,
        ["delta", "charlie", "bravo", "alpha", "echo"]
    );
    assert_eq!(
        order("sort=-memory").await,
        ["delta", "charlie", "bravo", "alpha", "echo"]
    );
    // Several keys: ties on the first are ordered by the second.
    assert_eq!(
        order("sort=environment,-name").await,
        ["delta", "bravo", "alpha", "charlie", "echo"]
    );
    assert_eq!(
        order("sort=-environment,name").await,
        ["charlie", "alpha", "bravo", "delta", "echo"]
    );
    assert_eq!(
        order("sort=os.base,-cpu").await,
        ["delta", "bravo", "alpha", "charlie", "echo"]
    );
    assert_eq!(
        order("sort=created_at").await,
        ["alpha", "bravo", "charlie", "delta", "echo"]
    );
    // The default is the most recently updated first.
    assert_eq!(
        order("").await,
        ["echo", "delta", "charlie", "bravo", "alpha"]
    );
    let (_, first) = app.get(&u.token, "/api/v1/servers?sort=name&limit=1").await;
    let alpha = id(&first["items"][0]);
    let (status, _) = app
        .patch(
            &u.token,
            &format!("/api/v1/servers/{alpha}"),
            json!({"cpu": 3}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(
        order("").await,
        ["alpha", "echo", "delta", "charlie", "bravo"]
    );
    assert_eq!(order("sort=-updated_at").await[0], "alpha");
    assert_eq!(order("sort=updated_at").await[4], "alpha");
}

async fn unknown_sort_keys_are_refused(app: &TestApp) {
    let u = app.user("Strict").await;
    for key in [
        "colour",
        "-colour",
        "dns_public",
        "storage",
        "tags.key",
        ",",
        "family",
    ] {
        let p = bad_request(app, &u.token, &format!("/api/v1/servers?sort={key}")).await;
        assert_eq!(error_fields(&p), ["sort"], "sort={key}: {p}");
    }
    let p = bad_request(app, &u.token, "/api/v1/servers?sort=colour").await;
    let msg = p["errors"][0]["message"].as_str().unwrap();
    for sortable in [
        "name",
        "created_at",
        "updated_at",
        "cpu",
        "os.base",
        "environment",
    ] {
        assert!(msg.contains(sortable), "{sortable} in {msg}");
    }
    // `family` sorts the application model.
    let body = list(app, &u.token, "/api/v1/resources?sort=-family").await;
    assert_eq!(body["total"], 0);
}

async fn free_text_search(app: &TestApp) {
    let u = app.user("Seeker").await;
    seed_servers(app, &u).await;
    let q = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(q("q=alpha").await, ["alpha"]);
    assert_eq!(q("q=ALPHA").await, ["alpha"]);
    assert_eq!(q("q=.prod").await, ["alpha", "bravo"]);
    assert_eq!(q("q=10.0.0.2").await, ["bravo"]);
    assert_eq!(q("q=10.0.").await, ["alpha", "bravo", "charlie"]);
    assert_eq!(q("q=192.168").await, ["delta"]);
    // Tag keys and values, case-insensitively.
    assert_eq!(q("q=payments").await, ["alpha", "charlie"]);
    assert_eq!(q("q=GOLD").await, ["bravo"]);
    assert_eq!(q("q=tier").await, ["bravo"]);
    // Provider ids.
    assert_eq!(q("q=i-0aaa").await, ["alpha"]);
    assert_eq!(q("q=i-0ddd").await, ["delta"]);
    // Every word must match, in any field.
    assert_eq!(q("q=payments%20alpha").await, ["alpha"]);
    assert_eq!(q("q=payments+stage").await, ["charlie"]);
    assert_eq!(q("q=payments%20bravo").await, Vec::<String>::new());
    // Fields outside the search text do not match, and LIKE wildcards are literal.
    assert_eq!(q("q=Staging").await, Vec::<String>::new());
    assert_eq!(q("q=ubuntu").await, Vec::<String>::new());
    assert_eq!(q("q=%25").await, Vec::<String>::new());
    assert_eq!(q("q=_").await, Vec::<String>::new());
    assert_eq!(q("q=").await.len(), 5);
    // Combined with filters and paging.
    assert_eq!(q("q=payments&environment=Staging").await, ["charlie"]);
    let body = list(app, &u.token, "/api/v1/servers?q=prod&limit=1&sort=-name").await;
    assert_eq!(
        (names_of(&body), body["total"].clone()),
        (vec!["bravo".to_owned()], json!(2))
    );
}

async fn active_flag_selects_deleted_entities(app: &TestApp) {
    let u = app.user("Sweeper").await;
    let ids = seed_servers(app, &u).await;
    for gone in ["bravo", "delta"] {
        let (status, _) = app
            .delete(&u.token, &format!("/api/v1/servers/{}", ids[gone]))
            .await;
        assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
    }
    let q = |text: &str| names(app, &u.token, "servers", text.to_owned());
    assert_eq!(q("").await, ["alpha", "charlie", "echo"]);
    assert_eq!(q("active=true").await, ["alpha", "charlie", "echo"]);
    assert_eq!(q("active=false").await, ["bravo", "delta"]);
    assert_eq!(
        q("active=all").await,
        ["alpha", "bravo", "charlie", "delta", "echo"]
    );
    // The flag combines with filters and search.
    assert_eq!(q("active=false&environment=Production").await, ["bravo"]);
    assert_eq!(q("active=all&q=.prod").await, ["alpha", "bravo"]);
    assert_eq!(q("q=.prod").await, ["alpha"]);
    let body = list(app, &u.token, "/api/v1/servers?active=false").await;
    let flags: Vec<Value> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["active"].clone())
        .collect();
    assert_eq!(flags, [json!(false), json!(false)]);
}
