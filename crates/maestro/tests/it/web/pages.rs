//! Inventory pages: lists with filters, forms (create, errors, edit, delete, restore) and
//! references, on both backends.

use reqwest::StatusCode;
use serde_json::json;

use super::client::signed_in;
use crate::backends;
use crate::harness::{TestApp, id};

async fn list_page_filters_and_sorts(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Lena Lister").await;
    for (name, env, os) in [
        ("web-prod-1", "Production", "Linux"),
        ("web-prod-2", "Production", "Windows"),
        ("web-stage-1", "Staging", "Linux"),
    ] {
        app.create(
            &user.token,
            "servers",
            json!({"name": name, "hostname": name, "environment": env, "os": {"base": os},
                   "tags": [{"key": "tier", "value": "web"}]}),
        )
        .await;
    }
    let all = b.get("/servers").await;
    assert_eq!(all.status, StatusCode::OK);
    for filter in [
        "name=\"q\"",
        "name=\"environment\"",
        "name=\"os.base\"",
        "name=\"role\"",
        "name=\"tag\"",
        "name=\"active\"",
    ] {
        assert!(all.body.contains(filter), "missing filter {filter}");
    }
    assert!(all.body.contains("3 found"));
    let prod = b.get("/servers?environment=Production&os.base=Linux").await;
    assert!(
        prod.body.contains("web-prod-1")
            && !prod.body.contains("web-prod-2")
            && !prod.body.contains("web-stage-1")
    );
    assert!(
        prod.body
            .contains(r#"<option value="Production" selected>"#)
    );
    let search = b.get("/servers?q=stage").await;
    assert!(search.body.contains("web-stage-1") && search.body.contains("1 found"));
    let tagged = b.get("/servers?tag=tier%3Dweb").await;
    assert!(tagged.body.contains("3 found"));
    let sorted = b.get("/servers?sort=-name").await;
    let (a, c) = (
        sorted.body.find("web-stage-1").unwrap(),
        sorted.body.find("web-prod-1").unwrap(),
    );
    assert!(a < c, "descending by name");
    assert!(sorted.body.contains(r#"aria-sort="descending""#));
    let paged = b.get("/servers?limit=2").await;
    assert!(paged.body.contains("page 1 of 2") && paged.body.contains("page=2"));
    assert!(paged.body.contains(r#"rel="next">Next →</a>"#));
    assert!(
        !paged.body.contains(r#"rel="prev""#),
        "no page before the first"
    );
    let bad = b.get("/servers?cpu%5Bgte%5D=many").await;
    assert_eq!(
        bad.status,
        StatusCode::OK,
        "a bad filter is explained, not a 500"
    );
    assert!(bad.body.contains("These filters cannot be used"));
    let extra = b.get("/servers?hostname=web-prod-2").await;
    assert!(extra.body.contains("hostname = web-prod-2") && extra.body.contains("1 found"));
    assert_eq!(b.get("/nothing-here").await.status, StatusCode::NOT_FOUND);
}

async fn forms_create_validate_edit_and_delete(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Fred Former").await;
    let new = b.get("/servers/new").await;
    assert_eq!(new.status, StatusCode::OK);
    for input in [
        "name=\"hostname\"",
        "name=\"os.base\"",
        "data-add-row",
        "name=\"storage[]\"",
        "data-refs",
    ] {
        assert!(new.body.contains(input), "the form has {input}");
    }
    // Invalid input: the core's errors come back next to their fields, nothing is created.
    let bad = b
        .post(
            "/servers",
            &[
                ("name", "form-1"),
                ("cpu", "lots"),
                ("storage[]", ""),
                ("storage[7].name", "/dev/sda"),
                ("storage[7].size", "-5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(r#"id="f-cpu-error""#), "cpu error inline");
    // The summary names fields as the form labels them, not by their API paths.
    assert!(bad.body.contains("data-error-link>CPU: "), "{}", bad.body);
    assert!(bad.body.contains("data-error-link>Storage 1 › Size: "));
    assert!(
        bad.body.contains(r#"id="f-storage-0-size-error""#),
        "storage[0].size error inline"
    );
    assert!(
        bad.body.contains(r#"value="/dev/sda""#),
        "what was typed is kept"
    );
    let (_, list) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 0);
    // A valid server with rows.
    let ok = b
        .post(
            "/servers",
            &[
                ("name", "form-1"),
                ("hostname", "form-1.example"),
                ("cpu", "4"),
                ("memory", "7.5"),
                ("os.base", "Linux"),
                ("storage[]", ""),
                ("storage[3].name", "/dev/sda"),
                ("storage[3].size", "50"),
                ("storage[3].root", ""),
                ("storage[3].root", "true"),
                ("storage[9].name", "/dev/sdb"),
                ("storage[9].lvm", ""),
                ("auth[]", ""),
                ("auth[1].type", "PKI"),
                ("auth[1].username", "ops"),
                ("tags[]", ""),
                ("tags[0].key", "tier"),
                ("tags[0].value", "web"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let server_id = ok.location.rsplit('/').next().unwrap().to_owned();
    let (_, server) = app
        .get(&user.token, &format!("/api/v1/servers/{server_id}"))
        .await;
    assert_eq!(server["cpu"], 4);
    assert_eq!(server["memory"], 7.5);
    assert_eq!(
        server["storage"],
        json!([{"name": "/dev/sda", "size": 50, "root": true}, {"name": "/dev/sdb"}])
    );
    assert_eq!(server["auth"], json!([{"type": "PKI", "username": "ops"}]));
    let detail = b.get(&ok.location.clone()).await;
    assert!(detail.body.contains("form-1 created."), "flash shown once");
    assert!(detail.body.contains("/dev/sdb"));
    assert!(
        !b.get(&ok.location.clone())
            .await
            .body
            .contains("form-1 created.")
    );
    // Edit: only what changed is written, and the history says it came from the UI.
    let edit = b.get(&format!("/servers/{server_id}/edit")).await;
    assert!(edit.body.contains(r#"value="form-1.example""#));
    let saved = b
        .post(
            &format!("/servers/{server_id}"),
            &[
                ("name", "form-1"),
                ("hostname", "form-1.example"),
                ("cpu", "8"),
                ("memory", "7.5"),
                ("os.base", "Linux"),
                ("os.dist", ""),
                ("storage[]", ""),
                ("storage[0].name", "/dev/sda"),
                ("storage[0].size", "50"),
                ("storage[0].root", "false"),
                ("storage[0].root", "true"),
                ("auth[]", ""),
                ("auth[0].type", "PKI"),
                ("auth[0].username", "ops"),
                ("tags[]", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, history) = app
        .get(&user.token, &format!("/api/v1/servers/{server_id}/history"))
        .await;
    let latest = &history["items"][0];
    assert_eq!(latest["source"], "ui");
    assert_eq!(latest["op"], "update");
    let paths: Vec<&str> = latest["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["cpu", "storage", "tags"], "{latest}");
    let page = b.get(&format!("/servers/{server_id}")).await;
    assert!(page.body.contains("by Fred Former") && page.body.contains(">ui<"));
    // Delete and restore.
    let del = b.post(&format!("/servers/{server_id}/delete"), &[]).await;
    assert_eq!(del.status, StatusCode::SEE_OTHER);
    let (_, gone) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(gone["total"], 0);
    let deleted = b.get(&format!("/servers/{server_id}")).await;
    assert!(deleted.body.contains("Restore"));
    assert!(
        deleted.body.contains("data-deleted")
            && deleted
                .body
                .contains("linked again to what its fields referenced"),
        "a deleted entity's page says what deletion did"
    );
    let back = b.post(&format!("/servers/{server_id}/restore"), &[]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let (_, again) = app.get(&user.token, "/api/v1/servers").await;
    assert_eq!(again["total"], 1);
    assert!(
        !b.get(&format!("/servers/{server_id}"))
            .await
            .body
            .contains("data-deleted")
    );
}

async fn references_are_searched_and_kept(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Rita Refs").await;
    let web = app
        .create(
            &user.token,
            "servers",
            json!({"name": "lb-target-1", "hostname": "lb-target-1", "ipv4_private": "10.9.8.7"}),
        )
        .await;
    let found = b.get("/ui/refs/server?_q=10.9.8&_by=ipv4_private").await;
    assert!(found.body.contains("lb-target-1") && found.body.contains(&id(&web)));
    let none = b.get("/ui/refs/server?_q=10.9.8&_by=hostname").await;
    assert!(none.body.contains("Nothing found"));
    // A page past the end says so and leads back, instead of "Nothing found".
    let past = b.get("/servers?page=99").await;
    assert!(
        past.body
            .contains("Page 99 is past the end: 1 found on 1 page.")
            && past.body.contains(r#"href="/servers?page=1""#),
        "{}",
        past.body
    );
    let lb = b
        .post(
            "/loadbalancers",
            &[
                ("name", "lb-front"),
                ("targets[]", ""),
                ("targets[0].id", id(&web).as_str()),
                ("targets[0].name", "lb-target-1"),
            ],
        )
        .await;
    assert_eq!(lb.status, StatusCode::SEE_OTHER, "{}", lb.body);
    let page = b.get(&lb.location.clone()).await;
    assert!(
        page.body.contains(&format!("/servers/{}", id(&web))),
        "the target links to the server"
    );
    // The history names the target instead of showing its id.
    assert!(
        page.body
            .contains(r#"<span class="line">name: lb-target-1"#),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(&format!(r#"<span class="line">id: {}"#, id(&web)))
    );
    let server = b.get(&format!("/servers/{}", id(&web))).await;
    assert!(server.body.contains("Load balanced by") && server.body.contains("lb-front"));
    // A server's datacenter reads as its name, linked (not an id link beside a plain name).
    let dc = app
        .create(
            &user.token,
            "datacenters",
            json!({"name": "DC One", "provider": "AWS"}),
        )
        .await;
    let placed = app
        .create(
            &user.token,
            "servers",
            json!({"name": "placed-1", "datacenters": {"id": id(&dc), "region": "r1"}}),
        )
        .await;
    let page = b.get(&format!("/servers/{}", id(&placed))).await;
    assert!(
        page.body.contains(&format!(
            r#"<dt>Name</dt><dd><a href="/datacenters/{}">DC One</a></dd>"#,
            id(&dc)
        )),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!(">{}</a>", id(&dc))));
    let dup = b
        .get("/ui/duplicates/servers?field=hostname&hostname=lb-target-1&exclude=")
        .await;
    assert!(dup.body.contains("Found 1 server"), "{}", dup.body);
}

backends!(
    list_page_filters_and_sorts,
    forms_create_validate_edit_and_delete,
    references_are_searched_and_kept
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_collection_has_its_pages() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = signed_in(&app, "Alma Admin").await;
    for coll in maestro_model::schema::Collection::ALL {
        let seg = coll.segment();
        let list = admin.get(&format!("/{seg}")).await;
        assert_eq!(list.status, StatusCode::OK, "/{seg}: {}", list.body);
        let new = admin.get(&format!("/{seg}/new")).await;
        assert_eq!(new.status, StatusCode::OK, "/{seg}/new: {}", new.body);
        assert!(
            new.body.contains(r#"name="name""#),
            "/{seg}/new has a name field"
        );
    }
    // A client, and a system that serves it with an entry application, all through forms.
    let client = admin
        .post(
            "/clients",
            &[
                ("name", "ACME Corp"),
                ("contacts[]", ""),
                ("contacts[0].channel", "Email"),
                ("contacts[0].value", "ops@acme.example"),
            ],
        )
        .await;
    assert_eq!(client.status, StatusCode::SEE_OTHER, "{}", client.body);
    let client_id = client.location.rsplit('/').next().unwrap().to_owned();
    let app_page = admin.post("/applications", &[("name", "storefront")]).await;
    let app_id = app_page.location.rsplit('/').next().unwrap().to_owned();
    let system = admin
        .post(
            "/systems",
            &[
                ("name", "Shop"),
                ("clients[]", ""),
                ("clients[0].id", &client_id),
                ("entry[]", ""),
                ("entry[0].id", &app_id),
                ("links[]", ""),
                ("links[0].type", "Public URL"),
                ("links[0].url", "https://shop.example"),
            ],
        )
        .await;
    assert_eq!(system.status, StatusCode::SEE_OTHER, "{}", system.body);
    let page = admin.get(&system.location).await;
    assert!(page.body.contains("ACME Corp") && page.body.contains("storefront"));
    assert!(page.body.contains("https://shop.example"));
    let client_page = admin.get(&format!("/clients/{client_id}")).await;
    assert!(client_page.body.contains("Served by") && client_page.body.contains("Shop"));
    // The services catalog: families are checkboxes; only administrators may write it.
    let service = admin
        .post(
            "/services",
            &[
                ("name", "Valkey"),
                ("family[]", ""),
                ("family", "Cache"),
                ("family", "Database"),
            ],
        )
        .await;
    assert_eq!(service.status, StatusCode::SEE_OTHER, "{}", service.body);
    let (mut user, _) = signed_in(&app, "Uma User").await;
    let catalog = user.get("/services").await;
    assert!(
        !catalog.body.contains("New service"),
        "no create button for non-administrators"
    );
    let refused = user
        .post(
            "/services",
            &[("name", "Nope"), ("family[]", ""), ("family", "Cache")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
