//! Password recovery through the pages, with a real SMTP server (aiosmtpd): the e-mailed link
//! opens the reset page, sets the password once, and sign-in works with the new one. With an
//! https public URL the session cookie is `Secure`.

use reqwest::StatusCode;

use super::client::Browser;
use crate::harness::{PASSWORD, TestApp};
use crate::peers::SmtpSink;

fn link_in(message: &str, public_url: &str) -> String {
    let text = message
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = text
        .find(&format!("{public_url}/reset-password?token="))
        .expect("a reset link in the e-mail");
    text[start + public_url.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-?=_".contains(*c))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_and_reset_password_pages() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let public = "https://maestro.example.test";
    let app = TestApp::with_settings("sqlite", |s| {
        s.smtp_host = Some("127.0.0.1".into());
        s.smtp_port = sink.port;
        s.smtp_ignore = true;
        s.public_url = public.into();
    })
    .await
    .expect("app");
    let user = app.user("Rosa Reset").await;
    let mut b = Browser::new(&app);
    let login = b.get("/login").await;
    assert!(login.body.contains(r#"href="/forgot""#));
    let before = sink.messages().len();
    let unknown = b.post("/forgot", &[("email", "nobody@example.com")]).await;
    let known = b.post("/forgot", &[("email", user.email.as_str())]).await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.status, StatusCode::OK);
    assert!(known.body.contains("If an account uses this address"));
    assert_eq!(
        unknown.body.replace("nobody@example.com", ""),
        known.body.replace(user.email.as_str(), ""),
        "the same page whether or not the account exists"
    );
    let mut message = None;
    for _ in 0..50 {
        if let Some(m) = sink.messages().get(before) {
            message = Some(m.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let link = link_in(&message.expect("the reset e-mail"), public);
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let page = b.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!(r#"value="{token}""#)));
    let mismatch = b
        .post(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "new-long-passphrase"),
                ("password_again", "other"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("does not match"));
    let done = b
        .post(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "new-long-passphrase"),
                ("password_again", "new-long-passphrase"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location, "/login");
    let again = b
        .post(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "third-long-passphrase"),
                ("password_again", "third-long-passphrase"),
            ],
        )
        .await;
    assert!(
        again.body.contains("is invalid, expired or already used"),
        "single use"
    );
    let old = b
        .post(
            "/login",
            &[("email", user.email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = b
        .post(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", "new-long-passphrase"),
            ],
        )
        .await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
    let cookie = new
        .set_cookies
        .iter()
        .find(|c| c.starts_with("maestro_session="))
        .expect("session cookie");
    assert!(cookie.contains("Secure"), "https public URL: {cookie}");
}

/// Without an SMTP server nothing can be e-mailed: the page says whom to ask instead of
/// promising a link, the same whether or not the account exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_the_page_sends_people_to_an_administrator() {
    let app = TestApp::sqlite().await;
    let user = app.user("Nora Nomail").await;
    let mut b = Browser::new(&app);
    let page = b.get("/forgot").await;
    assert!(
        page.body.contains("not set up to send e-mail"),
        "{}",
        page.body
    );
    let known = b.post("/forgot", &[("email", user.email.as_str())]).await;
    let unknown = b.post("/forgot", &[("email", "nobody@example.com")]).await;
    assert_eq!(known.status, StatusCode::OK);
    assert!(known.body.contains("maestro admin reset-password"));
    assert!(!known.body.contains("is on its way"));
    assert_eq!(
        unknown.body.replace("nobody@example.com", ""),
        known.body.replace(user.email.as_str(), ""),
    );
}
