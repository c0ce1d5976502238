//! The "Edit access" dialog: its owner adds a person by e-mail and a team, saves, and the grants
//! are the core's; a reader sees the list read-only and cannot save; strangers get 404; the
//! owner hands it to a team.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::client::{Browser, signed_in};
use crate::backends;
use crate::harness::{TestApp, id};

/// The grant rows of an access form: (kind, id, name, role) as hidden inputs and a select.
fn rows<'a>(list: &[(&'a str, &'a str, &'a str, &'a str)]) -> Vec<(&'static str, &'a str)> {
    let mut out = Vec::new();
    for (kind, id, name, role) in list {
        out.extend([
            ("grant_kind", *kind),
            ("grant_id", *id),
            ("grant_name", *name),
            ("grant_role", *role),
        ]);
    }
    out
}

async fn access_dialog_saves_grants(app: &TestApp) {
    let (mut owner, alice) = signed_in(app, "Olga Owner").await;
    let bob = app.user("Bert Reader").await;
    let server = app
        .create(&alice.token, "servers", json!({"name": "shared-1"}))
        .await;
    let sid = id(&server);
    let (_, team) = app
        .post(
            &alice.token,
            "/api/v1/teams",
            json!({"name": "Night shift"}),
        )
        .await;
    let tid = id(&team);
    let path = format!("/servers/{sid}/access");

    let detail = owner.get(&format!("/servers/{sid}")).await;
    assert!(detail.body.contains(r#"data-dialog-open="access-dialog""#));
    assert!(detail.body.contains("Edit access"));
    // The dialog's content for htmx; a whole page without it.
    let fragment = owner
        .send_with(Method::GET, &path, None, &[("hx-request", "true")])
        .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.body.contains("<html") && fragment.body.contains("Add person"));
    assert!(fragment.body.contains("Olga Owner") && fragment.body.contains("Night shift"));
    let page = owner.get(&path).await;
    assert!(page.body.contains("<html") && page.body.contains("Access to shared-1"));

    // An unknown address is an inline error; nothing is saved.
    let unknown = owner
        .post(
            &path,
            &[("_action", "add_user"), ("add_email", "nobody@example.com")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("no account uses this address"));
    // Adding stages the row (not saved yet).
    let staged = owner
        .post(
            &path,
            &[
                ("_action", "add_user"),
                ("add_email", bob.email.as_str()),
                ("add_user_role", "write"),
            ],
        )
        .await;
    assert_eq!(staged.status, StatusCode::OK);
    assert!(staged.body.contains("Bert Reader") && staged.body.contains("Not saved yet"));
    let (_, grants) = app
        .get(&alice.token, &format!("/api/v1/servers/{sid}/grants"))
        .await;
    assert_eq!(grants["grants"], json!([]), "staging saves nothing");
    // The owner cannot be added: they always have admin.
    let own = owner
        .post(
            &path,
            &[("_action", "add_user"), ("add_email", alice.email.as_str())],
        )
        .await;
    assert!(own.body.contains("always keeps the admin role"));

    // Save: a person and a team.
    let mut form = rows(&[
        ("user", &bob.id, "Bert Reader", "read"),
        ("team", &tid, "Night shift", "write"),
    ]);
    form.push(("_action", "save"));
    let saved = owner.post(&path, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, format!("/servers/{sid}"));
    let (_, grants) = app
        .get(&alice.token, &format!("/api/v1/servers/{sid}/grants"))
        .await;
    let list = grants["grants"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{grants}");
    assert!(list.contains(&json!({"user": bob.id, "name": "Bert Reader", "role": "read"})));
    assert!(list.contains(&json!({"team": tid, "name": "Night shift", "role": "write"})));
    let (_, history) = app
        .get(&alice.token, &format!("/api/v1/servers/{sid}/history"))
        .await;
    assert_eq!(history["items"][0]["op"], "grant");
    assert_eq!(history["items"][0]["source"], "ui");
    // With htmx the answer sends the browser back to the page.
    let token = owner.cookie("maestro_csrf").unwrap_or_default().to_owned();
    let again = owner
        .send_with(
            Method::POST,
            &path,
            Some(&[("_csrf", token.as_str()), ("_action", "save")]),
            &[("hx-request", "true")],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.location, format!("/servers/{sid}"));
    let (_, grants) = app
        .get(&alice.token, &format!("/api/v1/servers/{sid}/grants"))
        .await;
    assert_eq!(
        grants["grants"],
        json!([]),
        "saving an empty list removes them"
    );

    // A reader sees the list read-only and cannot change it.
    let mut restore = rows(&[("user", &bob.id, "Bert Reader", "read")]);
    restore.push(("_action", "save"));
    owner.post(&path, &restore).await;
    let mut reader = Browser::new(app);
    reader.sign_in(&bob).await;
    let seen = reader.get(&format!("/servers/{sid}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("Edit access") && !seen.body.contains(">Edit</a>"));
    let ro = reader.get(&path).await;
    assert_eq!(ro.status, StatusCode::OK);
    assert!(
        !ro.body.contains("Save access") && ro.body.contains("Only someone with the admin role")
    );
    let mut grab = rows(&[("user", &bob.id, "Bert Reader", "admin")]);
    grab.push(("_action", "save"));
    let refused = reader.post(&path, &grab).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("admin role"), "{}", refused.body);
    let staging = reader
        .post(
            &path,
            &[("_action", "add_user"), ("add_email", alice.email.as_str())],
        )
        .await;
    assert_eq!(staging.status, StatusCode::FORBIDDEN);
    let (_, grants) = app
        .get(&alice.token, &format!("/api/v1/servers/{sid}/grants"))
        .await;
    assert_eq!(
        grants["grants"],
        json!([{"user": bob.id, "name": "Bert Reader", "role": "read"}])
    );

    // A stranger: 404 on the page and the dialog.
    let (mut stranger, _) = signed_in(app, "Sid Stranger").await;
    assert_eq!(
        stranger.get(&format!("/servers/{sid}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stranger.get(&path).await.status, StatusCode::NOT_FOUND);
    // CSRF: without the token nothing is saved.
    let forged = owner.send(Method::POST, &path, Some(&grab)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (_, after) = app
        .get(&alice.token, &format!("/api/v1/servers/{sid}/grants"))
        .await;
    assert_eq!(after["grants"][0]["role"], "read");

    // Handing it to a team its owner can write to: the team owns it, the reader cannot.
    let page = owner.get(&path).await;
    assert!(page.body.contains("Hand it over") && page.body.contains("Team Night shift"));
    let team_key = format!("team:{tid}");
    let handed = owner
        .post(
            &path,
            &[("_action", "transfer"), ("new_owner", team_key.as_str())],
        )
        .await;
    assert_eq!(handed.status, StatusCode::SEE_OTHER, "{}", handed.body);
    let (_, after) = app
        .get(&alice.token, &format!("/api/v1/servers/{sid}/grants"))
        .await;
    assert_eq!(after["owner"]["id"], tid.as_str());
    let refused = reader
        .post(
            &path,
            &[("_action", "transfer"), ("new_owner", "user:whoever")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

backends!(access_dialog_saves_grants);
