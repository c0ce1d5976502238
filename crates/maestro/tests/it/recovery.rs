//! Forgotten passwords against a real SMTP server (aiosmtpd): the link comes from
//! MAESTRO_PUBLIC_URL, works once, and nothing reveals whether an account exists.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{PASSWORD, TestApp};
use crate::peers::SmtpSink;

/// Decodes quoted-printable soft breaks and `=3D` so the link can be read.
fn unfold(message: &str) -> String {
    message
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

fn reset_token(message: &str, public_url: &str) -> String {
    let text = unfold(message);
    let start = text
        .find(&format!("{public_url}/reset-password?token="))
        .expect("link in the e-mail");
    let rest = &text[start..];
    let token = rest.split("token=").nth(1).unwrap();
    token.chars().take_while(char::is_ascii_hexdigit).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_link_is_mailed_and_works_once() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    for backend in ["sqlite", "postgres"] {
        let public = "https://maestro.example.test";
        let Some(app) = TestApp::with_settings(backend, |s| {
            s.smtp_host = Some("127.0.0.1".into());
            s.smtp_port = sink.port;
            s.smtp_ignore = true;
            s.smtp_sender = "Maestro <maestro@example.test>".into();
            s.public_url = public.into();
        })
        .await
        else {
            continue;
        };
        let app = &app;
        let before = sink.messages().len();
        let user = app.user(&format!("Forgetful {backend}")).await;
        let user = &user;
        let forgot = |body| async move {
            app.call(Method::POST, "/api/v1/auth/forgot", None, Some(&body))
                .await
        };
        // Unknown accounts get the same answer and no e-mail.
        assert_eq!(
            forgot(json!({"email": "nobody@example.com"})).await.0,
            StatusCode::ACCEPTED
        );
        // A caller-chosen callback URL is ignored.
        let (status, _) =
            forgot(json!({"email": user.email, "callback_url": "https://evil.example/steal"}))
                .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let mail = sink.wait_for(before + 1).await;
        assert_eq!(mail.len(), before + 1, "exactly one e-mail ({backend})");
        let message = mail
            .iter()
            .find(|m| unfold(m).contains(&user.email))
            .expect("mail to the user");
        assert!(!message.contains("evil.example"));
        let token = reset_token(message, public);
        assert_eq!(token.len(), 64);

        let reset = |token: String, password: &str| {
            let body = json!({"token": token, "password": password});
            async move {
                app.call(Method::POST, "/api/v1/auth/reset", None, Some(&body))
                    .await
            }
        };
        assert_eq!(
            reset(token.clone(), "short").await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            reset(token.clone(), "a-brand-new-passphrase").await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            reset(token.clone(), "another-new-passphrase").await.0,
            StatusCode::BAD_REQUEST,
            "single use"
        );
        assert_eq!(
            reset("0".repeat(64), "another-new-passphrase").await.0,
            StatusCode::BAD_REQUEST
        );
        // The old session ended; the old password no longer works; the new one does.
        assert_eq!(
            app.get(&user.token, "/api/v1/me").await.0,
            StatusCode::UNAUTHORIZED
        );
        let login = |pw: &str| {
            let body = json!({"email": user.email, "password": pw});
            async move {
                app.call(Method::POST, "/api/v1/auth/login", None, Some(&body))
                    .await
            }
        };
        assert_eq!(login(PASSWORD).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(login("a-brand-new-passphrase").await.0, StatusCode::OK);
    }
}
