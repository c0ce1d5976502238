//! Forgot and reset password: the pages around `Core::forgot_password` (always the same answer,
//! so nobody learns which addresses have accounts) and `Core::reset_password` (the single-use
//! link the core e-mails, built from `MAESTRO_PUBLIC_URL`: `/reset-password?token=…`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maestro_core::CoreError;
use serde_json::json;

use crate::WebState;
use crate::chrome::{Chrome, Ctx, render};
use crate::error::WebResult;
use crate::session::{self, Flash, Form};

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    sent: bool,
    /// E-mail can be sent; without it the page says whom to ask instead of promising a link.
    mail: bool,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    chrome: Chrome,
    token: String,
    errors: HashMap<String, String>,
}

/// `GET /forgot`.
pub async fn forgot_page(State(state): State<WebState>, ctx: Ctx) -> WebResult<Response> {
    render(&ForgotPage {
        chrome: ctx.chrome.with_title("Forgot your password?", "login"),
        sent: false,
        mail: state.core.sends_mail(),
    })
}

/// `POST /forgot`: asks the core to e-mail a link; the page says the same whatever happened.
pub async fn forgot(
    State(state): State<WebState>,
    ctx: Ctx,
    Form(form): Form,
) -> WebResult<Response> {
    match state
        .core
        .forgot_password(&json!({"email": form.get("email").trim()}))
        .await
    {
        Ok(()) | Err(CoreError::Invalid(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let mail = state.core.sends_mail();
    render(&ForgotPage {
        chrome: ctx.chrome.with_title(
            if mail {
                "Check your e-mail"
            } else {
                "Ask an administrator"
            },
            "login",
        ),
        sent: true,
        mail,
    })
}

/// `GET /reset-password?token=…`.
pub async fn reset_page(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> WebResult<Response> {
    render(&ResetPage {
        chrome: ctx.chrome.with_title("Choose a new password", "login"),
        token: q.get("token").cloned().unwrap_or_default(),
        errors: HashMap::new(),
    })
}

/// `POST /reset-password`: sets the new password, then sends to sign in.
pub async fn reset(
    State(state): State<WebState>,
    ctx: Ctx,
    Form(form): Form,
) -> WebResult<Response> {
    let token = form.get("token").to_owned();
    let password = form.get("password").to_owned();
    let result = if form.get("password_again") != password {
        Err(CoreError::invalid(
            "password_again",
            "does not match the password",
        ))
    } else {
        state
            .core
            .reset_password(&json!({"token": token, "password": password}))
            .await
    };
    match result {
        Ok(()) => {
            let flash = Flash::ok("Your password is changed; sign in with it.");
            Ok(session::redirect_with(
                "/login",
                vec![session::flash_cookie(&[flash], state.secure_cookies)],
            ))
        }
        Err(CoreError::Invalid(list)) => {
            let mut res = render(&ResetPage {
                chrome: ctx.chrome.with_title("Choose a new password", "login"),
                token,
                errors: list.into_iter().map(|e| (e.field, e.message)).collect(),
            })?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
