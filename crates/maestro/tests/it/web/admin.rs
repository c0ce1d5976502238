//! Administrators' account pages: list and search, promote and demote, disable and enable, set a
//! password — refused to everyone else, and absent from their menu.

use reqwest::{Method, StatusCode};

use super::client::{Browser, signed_in};
use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_are_for_administrators() {
    let app = TestApp::sqlite().await;
    let (mut admin, ada) = signed_in(&app, "Ada Admin").await;
    assert!(ada.admin, "the first account is the administrator");
    let (mut user, ulf) = signed_in(&app, "Ulf User").await;
    let user_page = format!("/admin/users/{}", ulf.id);

    // Not for users: no menu entry, 403 on every page and form.
    let home = user.get("/").await;
    assert!(
        home.body.contains(r#"href="/profile""#) && !home.body.contains(r#"href="/admin/users""#)
    );
    assert!(admin.get("/").await.body.contains(r#"href="/admin/users""#));
    for path in ["/admin/users", "/admin/users?q=ada", user_page.as_str()] {
        let page = user.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("Only administrators"));
    }
    let own = user
        .post(
            &format!("/admin/users/{}", ulf.id),
            &[("action", "promote")],
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let reset = user
        .post(
            &format!("/admin/users/{}/password", ada.id),
            &[
                ("password", "hijacked-passphrase"),
                ("password_again", "hijacked-passphrase"),
            ],
        )
        .await;
    assert_eq!(reset.status, StatusCode::FORBIDDEN);
    let (_, me) = app.get(&ulf.token, "/api/v1/me").await;
    assert_eq!(me["admin"], false);

    // The list and its search.
    let list = admin.get("/admin/users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Ada Admin")
            && list.body.contains("Ulf User")
            && list.body.contains("2 accounts")
    );
    let found = admin.get("/admin/users?q=ulf").await;
    assert!(found.body.contains("Ulf User") && !found.body.contains("Ada Admin</a>"));
    let page = admin.get(&user_page).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&ulf.email) && page.body.contains("Make administrator"));

    // Promote, demote; the last administrator stays.
    let promoted = admin.post(&user_page, &[("action", "promote")]).await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    let (_, u) = app
        .get(&ada.token, &format!("/api/v1/users/{}", ulf.id))
        .await;
    assert_eq!(u["admin"], true);
    let demoted = admin.post(&user_page, &[("action", "demote")]).await;
    assert_eq!(demoted.status, StatusCode::SEE_OTHER);
    let last = admin
        .post(&format!("/admin/users/{}", ada.id), &[("action", "demote")])
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT);
    assert!(last.body.contains("last administrator"));
    let history = admin.get(&user_page).await;
    assert!(
        history.body.contains(r#"<th scope="row">admin</th>"#)
            && history.body.contains("Make administrator"),
        "the promotion and demotion are in the history"
    );

    // Disable ends the sessions; enable; set a password.
    let disabled = admin.post(&user_page, &[("action", "disable")]).await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(user.get("/").await.location, "/login");
    admin.post(&user_page, &[("action", "enable")]).await;
    let mismatch = admin
        .post(
            &format!("{user_page}/password"),
            &[
                ("password", "a-fresh-passphrase"),
                ("password_again", "other"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("does not match the password"));
    let short = admin
        .post(
            &format!("{user_page}/password"),
            &[("password", "short"), ("password_again", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = admin
        .post(
            &format!("{user_page}/password"),
            &[
                ("password", "a-fresh-passphrase"),
                ("password_again", "a-fresh-passphrase"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let mut again = Browser::new(&app);
    let login = again
        .post(
            "/login",
            &[
                ("email", ulf.email.as_str()),
                ("password", "a-fresh-passphrase"),
            ],
        )
        .await;
    assert_eq!(
        login.status,
        StatusCode::SEE_OTHER,
        "the new password works"
    );
    for (path, form) in [
        (user_page.clone(), vec![("action", "promote")]),
        (format!("{user_page}/password"), vec![("password", "x")]),
    ] {
        let forged = admin.send(Method::POST, &path, Some(&form)).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{path}");
    }
    let (_, u) = app
        .get(&ada.token, &format!("/api/v1/users/{}", ulf.id))
        .await;
    assert_eq!(u["admin"], false);
}
