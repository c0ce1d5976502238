//! The profile (fields, theme, avatar, password) and API tokens (shown once, revoked).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::{Method, StatusCode};

use super::client::{Browser, signed_in};
use crate::harness::{PASSWORD, TestApp};

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 40, image::Rgb([30, 90, 200])))
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_avatar_and_password() {
    let app = TestApp::sqlite().await;
    let (mut b, user) = signed_in(&app, "Pia Profile").await;
    let page = b.get("/profile").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&user.email) && page.body.contains(r#"name="fullname""#));
    let bad = b.post("/profile", &[("name", "P")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("must be 2 to 100 characters"));
    let saved = b
        .post(
            "/profile",
            &[
                ("name", "Pia Profile"),
                ("fullname", "Pia P. Profile"),
                ("city", "Lisbon"),
                ("phone", ""),
                ("theme", "green"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(
        saved
            .set_cookies
            .iter()
            .any(|c| c.starts_with("maestro_theme=green"))
    );
    let (_, me) = app.get(&user.token, "/api/v1/me").await;
    assert_eq!(me["fullname"], "Pia P. Profile");
    assert_eq!(me["city"], "Lisbon");
    assert_eq!(me["theme"], "green");
    assert!(me.get("phone").is_none(), "an emptied field is removed");
    let (_, history) = app
        .get(&user.token, &format!("/api/v1/users/{}/history", user.id))
        .await;
    assert_eq!(history["items"][0]["source"], "ui");

    // Avatar: with htmx the box comes back; without, a redirect. Not an image: inline.
    let up = b.post_file("/profile/avatar", &png(), true).await;
    assert_eq!(up.status, StatusCode::OK);
    assert!(up.body.contains("The picture is saved") && !up.body.contains("<html"));
    assert!(
        up.body
            .contains(&format!("/api/v1/users/{}/avatar?v=", user.id))
    );
    let plain = b.post_file("/profile/avatar", &png(), false).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER, "{}", plain.body);
    let junk = b.post_file("/profile/avatar", b"not an image", true).await;
    assert_eq!(junk.status, StatusCode::OK);
    assert!(
        junk.body.contains("must be a PNG, JPEG or WebP image"),
        "{}",
        junk.body
    );
    let junk_page = b.post_file("/profile/avatar", b"not an image", false).await;
    assert_eq!(junk_page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Too large (7 MiB): said in the box with htmx, on a page without — after the whole body
    // was read, so the answer arrives instead of a reset connection.
    let big = vec![0u8; 7 * 1024 * 1024];
    let big_box = b.post_file("/profile/avatar", &big, true).await;
    assert_eq!(big_box.status, StatusCode::OK);
    assert!(
        big_box.body.contains("must be at most 5 MiB"),
        "{}",
        big_box.body
    );
    let big_page = b.post_file("/profile/avatar", &big, false).await;
    assert_eq!(big_page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        big_page.body.contains("a picture may be at most 5 MiB"),
        "{}",
        big_page.body
    );
    let (status, _) = app
        .get(&user.token, &format!("/api/v1/users/{}/avatar", user.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    let forged = b
        .send(Method::POST, "/profile/avatar", Some(&[("file", "x")]))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Password: current one checked, the two new ones must match; this session stays.
    let mut other = Browser::new(&app);
    other.sign_in(&user).await;
    let wrong = b
        .post(
            "/profile/password",
            &[
                ("current_password", "nope-nope-nope"),
                ("new_password", "a-brand-new-passphrase"),
                ("new_password_again", "a-brand-new-passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("is not your current password"));
    let mismatch = b
        .post(
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a-brand-new-passphrase"),
                ("new_password_again", "another"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("does not match the new password"));
    let changed = b
        .post(
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a-brand-new-passphrase"),
                ("new_password_again", "a-brand-new-passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/profile").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        other.get("/profile").await.status,
        StatusCode::SEE_OTHER,
        "the other session is signed out"
    );
    let old = Browser::new(&app)
        .post(
            "/login",
            &[("email", user.email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    for path in ["/profile", "/profile/password"] {
        let forged = b
            .send(Method::POST, path, Some(&[("name", "Forged")]))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_are_shown_once() {
    let app = TestApp::sqlite().await;
    let (mut b, _) = signed_in(&app, "Tom Token").await;
    assert!(b.get("/tokens").await.body.contains("No token yet"));
    let nameless = b.post("/tokens", &[("name", " "), ("days", "0")]).await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nameless.body.contains("is required"));
    let created = b
        .post("/tokens", &[("name", "deploy"), ("days", "30")])
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert!(created.body.contains("shown only this once"));
    let start = created.body.find("value=\"mt_").expect("the secret") + 7;
    let secret: String = created.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let (status, me) = app.get(&secret, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "the token works");
    assert_eq!(me["name"], "Tom Token");
    let list = b.get("/tokens").await;
    assert!(
        list.body.contains("deploy") && !list.body.contains(&secret),
        "shown once"
    );
    assert!(list.body.contains("active"));
    let (_, tokens) = app.get(&secret, "/api/v1/me/tokens").await;
    let tid = tokens["items"][0]["id"].as_str().unwrap().to_owned();
    assert!(!tokens["items"][0]["expires_at"].is_null(), "30 days");
    let forged = b
        .send(Method::POST, &format!("/tokens/{tid}/revoke"), Some(&[]))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let forged = b
        .send(Method::POST, "/tokens", Some(&[("name", "x")]))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let revoked = b.post(&format!("/tokens/{tid}/revoke"), &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let (status, _) = app.get(&secret, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked");
    assert!(b.get("/tokens").await.body.contains("revoked"));
}
