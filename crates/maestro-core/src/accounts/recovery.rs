//! Forgotten passwords: a single-use, one-hour token e-mailed as a link built from Maestro's own
//! public URL (never one from the request), and the reset that consumes it.

use chrono::Duration;
use serde_json::Value;

use super::api_tokens::{random_secret, sha256_hex};
use super::{as_object, required_str};
use crate::{Caller, Core, CoreError, CoreResult, Source};

/// How long a reset link works.
pub const RESET_TTL_MINUTES: i64 = 60;

impl Core {
    /// `POST /auth/forgot {email}`: always succeeds (no account enumeration); when the account
    /// exists a reset link is e-mailed in the background. Other fields are ignored.
    pub async fn forgot_password(&self, body: &Value) -> CoreResult<()> {
        let email = body
            .as_object()
            .and_then(|m| m.get("email"))
            .and_then(Value::as_str)
            .map(|e| e.trim().to_lowercase())
            .unwrap_or_default();
        if email.is_empty() {
            return Err(CoreError::invalid("email", "is required"));
        }
        let Some(user) = self.store.user_by_email(&email).await?.filter(|u| u.active) else {
            return Ok(());
        };
        let Some(mailer) = self.mailer.clone() else {
            tracing::warn!("password reset requested but no SMTP server is configured (SMTP_HOST)");
            return Ok(());
        };
        let secret = random_secret();
        let now = self.now();
        self.store
            .insert_password_reset(
                &sha256_hex(&secret),
                user.id,
                now,
                now + Duration::minutes(RESET_TTL_MINUTES),
            )
            .await?;
        let link = format!(
            "{}/reset-password?token={secret}",
            self.config.public_url.trim_end_matches('/')
        );
        let text = format!(
            "Hello {},\n\nSomeone (hopefully you) asked to reset your Maestro password.\n\
             Open this link within {RESET_TTL_MINUTES} minutes to choose a new one:\n\n{link}\n\n\
             The link works once. If you did not ask for it, ignore this e-mail: your password is unchanged.\n",
            user.name
        );
        let to = user.email.clone();
        // Sent in the background so the answer takes the same time whether the account exists.
        tokio_spawn(async move {
            if let Err(e) = mailer.send(&to, "Maestro - password reset", &text).await {
                tracing::error!(error = %e, "could not send the password reset e-mail");
            }
        });
        Ok(())
    }

    /// `POST /auth/reset {token, password}`: sets the password once per token; all sessions end.
    pub async fn reset_password(&self, body: &Value) -> CoreResult<()> {
        let body = as_object(body)?;
        let mut errors = Vec::new();
        super::reject_unknown(body, &["token", "password"], &mut errors);
        let token = required_str(body, "token", &mut errors).to_owned();
        let password = required_str(body, "password", &mut errors).to_owned();
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        super::password::check_strength(&password)?;
        let user = self
            .store
            .consume_password_reset(&sha256_hex(token.trim()), self.now())
            .await?
            .ok_or_else(|| CoreError::invalid("token", "is invalid, expired or already used"))?;
        let mut caller = Caller::system(Source::Api);
        caller.name = "password reset".into();
        self.set_password(&caller, user, &password).await
    }
}

/// Spawns on the current runtime when there is one (services are always called inside tokio).
fn tokio_spawn<F>(fut: F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(fut);
    }
}
