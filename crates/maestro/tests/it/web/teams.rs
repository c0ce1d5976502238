//! Team pages: create, add a member by e-mail, change a role, create an entity for the team,
//! rename, leave, remove, delete — with the core's refusals shown next to the forms.

use reqwest::{Method, StatusCode};

use super::client::{Browser, signed_in};
use crate::backends;
use crate::harness::TestApp;

async fn teams_and_membership(app: &TestApp) {
    let (mut lead, lena) = signed_in(app, "Lena Lead").await;
    let mark = app.user("Mark Member").await;
    let mut member = Browser::new(app);
    member.sign_in(&mark).await;

    let empty = lead.post("/teams", &[("name", "x")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("must be 2 to 100 characters"));
    let created = lead
        .post(
            "/teams",
            &[
                ("name", "Platform"),
                ("email", "platform@example.com"),
                ("url", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let team_path = created.location.clone();
    let tid = team_path.trim_start_matches("/teams/").to_owned();
    let page = lead.get(&team_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Platform") && page.body.contains("Team Platform created."));
    assert!(page.body.contains("Add member") && page.body.contains("Lena Lead"));
    assert!(lead.get("/teams").await.body.contains(&team_path));

    // Members are added by exact e-mail only.
    let members = format!("{team_path}/members");
    let unknown = lead
        .post(&members, &[("email", "mark@example.org"), ("role", "read")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("no account uses this address"));
    assert!(
        unknown.body.contains(r#"value="mark@example.org""#),
        "the address is kept"
    );
    let added = lead
        .post(
            &members,
            &[("email", mark.email.as_str()), ("role", "read")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let (_, team) = app.get(&lena.token, &format!("/api/v1/teams/{tid}")).await;
    assert_eq!(team["members"].as_array().unwrap().len(), 2);
    // A read member sees the team without its management forms.
    let seen = member.get(&team_path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("Leave") && !seen.body.contains("Add member"));
    let refused = member
        .post(
            &format!("{team_path}/members/{}", lena.id),
            &[("role", "read")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("administrators can do that"),
        "{}",
        refused.body
    );
    // An error page keeps the signed-in frame: navigation and account menu.
    assert!(refused.body.contains(r#"id="nav""#) && refused.body.contains("Mark Member"));
    // Change the role; then the member can create for the team.
    let promoted = lead
        .post(
            &format!("{team_path}/members/{}", mark.id),
            &[("role", "write")],
        )
        .await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    let form = member.get("/servers/new").await;
    assert!(form.body.contains(r#"name="owner""#) && form.body.contains("Team Platform"));
    let made = member
        .post("/servers", &[("name", "team-box"), ("owner", tid.as_str())])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let (status, server) = app
        .get(&lena.token, &format!("/api/v1{}", made.location))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "team members see what the team owns"
    );
    assert_eq!(server["owner"]["name"], "Platform");
    let bad_owner = member
        .post("/servers", &[("name", "x-box"), ("owner", "not-a-team")])
        .await;
    assert_eq!(bad_owner.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_owner
            .body
            .contains("choose yourself or one of your teams")
    );
    let (mut o, _) = signed_in(app, "Otto Outsider").await;
    let foreign = o
        .post("/servers", &[("name", "y-box"), ("owner", tid.as_str())])
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(foreign.body.contains("you cannot create for this team"));
    assert_eq!(o.get(&team_path).await.status, StatusCode::NOT_FOUND);

    // Rename with a bad URL: inline; then a good one.
    let bad = lead
        .post(&team_path, &[("name", "Platform"), ("url", "ftp://x")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("must be an http(s) URL"));
    let renamed = lead
        .post(
            &team_path,
            &[
                ("name", "Platform team"),
                ("url", "https://platform.example"),
            ],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let history = lead.get(&team_path).await;
    assert!(history.body.contains("Platform team") && history.body.contains("member Mark Member"));
    // The last administrator cannot leave; a member can.
    let last = lead
        .post(&format!("{team_path}/members/{}/remove", lena.id), &[])
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT);
    assert!(last.body.contains("at least one administrator"));
    let left = member
        .post(&format!("{team_path}/members/{}/remove", mark.id), &[])
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);
    assert_eq!(left.location, "/teams");
    assert_eq!(member.get(&team_path).await.status, StatusCode::NOT_FOUND);
    // Delete, and CSRF on the team forms.
    for path in [
        "/teams".to_owned(),
        team_path.clone(),
        members.clone(),
        format!("{team_path}/delete"),
    ] {
        let forged = lead
            .send(
                Method::POST,
                &path,
                Some(&[("name", "Forged"), ("email", mark.email.as_str())]),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{path}");
    }
    // The team still owns team-box: refused, with what to do.
    let refused = lead.post(&format!("{team_path}/delete"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.body.contains("still owns 1 entity"),
        "{}",
        refused.body
    );
    let (status, _) = app
        .delete(&lena.token, &format!("/api/v1{}", made.location))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let deleted = lead.post(&format!("{team_path}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(lead.get(&team_path).await.status, StatusCode::NOT_FOUND);
    let (_, teams) = app.get(&lena.token, "/api/v1/teams").await;
    assert_eq!(teams["total"], 0);
}

backends!(teams_and_membership);
