//! A detail page with more related entities than its relations tab shows: the first of each
//! relation, "and N more" with links to the relation's own pages and to the filtered lists, and
//! those pages.

use reqwest::StatusCode;
use serde_json::json;

use super::client::signed_in;
use crate::backends;
use crate::harness::{TestApp, id};

backends!(a_crowded_relation_links_its_pages);

async fn a_crowded_relation_links_its_pages(app: &TestApp) {
    let (mut b, user) = signed_in(app, "Rita Racks").await;
    let t = &user.token;
    let dc = id(&app
        .create(
            t,
            "datacenters",
            json!({"name": "site-one", "provider": "On premise"}),
        )
        .await);
    for i in 0..55 {
        let body = json!({"name": format!("rack-{i:02}"), "datacenters": {"id": dc}});
        app.create(t, "servers", body).await;
    }
    let page = b.get(&format!("/datacenters/{dc}?tab=relations")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("rack-49") && !page.body.contains("rack-50"));
    assert!(page.body.contains("and 5 more"), "{}", page.body);
    let related = format!("/datacenters/{dc}/related?side=incoming&#38;rel=located_in");
    let at = page.body.find("and 5 more").unwrap();
    let more = &page.body[at..(at + 400).min(page.body.len())];
    assert!(
        more.contains(&format!(r#"<a href="{related}">see all 55</a>"#)),
        "{more}"
    );
    let list = format!(r#"<a href="/servers?datacenters.id={dc}">Servers (55)</a>"#);
    assert!(page.body.contains(&list), "{}", page.body);

    let all = b
        .get(&format!(
            "/datacenters/{dc}/related?side=incoming&rel=located_in"
        ))
        .await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("55 entries you can read"), "{}", all.body);
    assert!(all.body.contains("rack-00") && all.body.contains("rack-54"));
    assert!(
        all.body
            .contains(&format!(r#"href="/datacenters/{dc}?tab=relations""#))
    );
    let bad = b
        .get(&format!(
            "/datacenters/{dc}/related?side=incoming&rel=likes"
        ))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
