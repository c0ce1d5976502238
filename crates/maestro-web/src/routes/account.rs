//! Signing in, registering and signing out. The login token of the core becomes an HttpOnly,
//! SameSite=Lax cookie; signing out revokes the session in the core and clears the cookie.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maestro_core::CoreError;
use maestro_core::accounts::LoginToken;
use serde_json::json;

use crate::WebState;
use crate::chrome::{Chrome, Ctx, render};
use crate::error::WebResult;
use crate::session::{self, ClientAddr, Flash, Form, SESSION_COOKIE, Session};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    message: Option<String>,
    errors: HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    name: String,
    email: String,
    message: Option<String>,
    errors: HashMap<String, String>,
}

fn next_of(raw: Option<&String>) -> String {
    raw.and_then(|n| session::safe_path(n))
        .filter(|n| !n.starts_with("/login") && !n.starts_with("/register"))
        .unwrap_or_else(|| "/".into())
}

/// `GET /login`.
pub async fn login_page(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> WebResult<Response> {
    let next = next_of(q.get("next"));
    if ctx.session.is_some() {
        return Ok(session::redirect(&next));
    }
    render(&LoginPage {
        chrome: ctx.chrome.with_title("Sign in", "login"),
        email: String::new(),
        next,
        message: None,
        errors: HashMap::new(),
    })
}

/// Signs in: sets the session cookie and goes on to `next`.
fn signed_in(state: &WebState, t: &LoginToken, next: &str, flash: Option<Flash>) -> Response {
    let age = (t.expires_at - state.core.now()).num_seconds().max(1);
    let mut cookies = vec![session::cookie(
        SESSION_COOKIE,
        &t.token,
        Some(age),
        true,
        state.secure_cookies,
    )];
    if let Some(f) = flash {
        cookies.push(session::flash_cookie(&[f], state.secure_cookies));
    }
    if let Some(theme) = t.user["theme"].as_str().and_then(crate::Theme::parse) {
        cookies.push(crate::theme::cookie(theme, state.secure_cookies));
    }
    session::redirect_with(next, cookies)
}

fn field_errors(e: &CoreError) -> HashMap<String, String> {
    match e {
        CoreError::Invalid(list) => list
            .iter()
            .map(|f| (f.field.clone(), f.message.clone()))
            .collect(),
        _ => HashMap::new(),
    }
}

fn message_of(e: &CoreError) -> Option<String> {
    match e {
        CoreError::Invalid(_) => None,
        CoreError::TooManyRequests(s) => {
            Some(format!("Too many attempts; try again in {s} seconds."))
        }
        other => Some(other.to_string()),
    }
}

/// `POST /login`.
pub async fn login(
    State(state): State<WebState>,
    ctx: Ctx,
    ClientAddr(client): ClientAddr,
    Form(form): Form,
) -> WebResult<Response> {
    let next = next_of(Some(&form.get("next").to_owned()));
    let email = form.get("email").trim().to_owned();
    let body = json!({"email": email, "password": form.get("password")});
    match state.core.login_from(&body, client).await {
        Ok(t) => Ok(signed_in(&state, &t, &next, None)),
        Err(e) if matches!(e, CoreError::Store(_) | CoreError::Internal(_)) => Err(e.into()),
        Err(e) => {
            let mut res = render(&LoginPage {
                chrome: ctx.chrome.with_title("Sign in", "login"),
                email,
                next,
                message: message_of(&e),
                errors: field_errors(&e),
            })?;
            *res.status_mut() = match e {
                CoreError::TooManyRequests(_) => axum::http::StatusCode::TOO_MANY_REQUESTS,
                CoreError::Invalid(_) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                _ => axum::http::StatusCode::UNAUTHORIZED,
            };
            Ok(res)
        }
    }
}

/// `GET /register`.
pub async fn register_page(ctx: Ctx) -> WebResult<Response> {
    if ctx.session.is_some() {
        return Ok(session::redirect("/"));
    }
    render(&RegisterPage {
        chrome: ctx.chrome.with_title("Create an account", "register"),
        name: String::new(),
        email: String::new(),
        message: None,
        errors: HashMap::new(),
    })
}

/// `POST /register`: creates the account and signs in.
pub async fn register(
    State(state): State<WebState>,
    ctx: Ctx,
    Form(form): Form,
) -> WebResult<Response> {
    let name = form.get("name").trim().to_owned();
    let email = form.get("email").trim().to_owned();
    let password = form.get("password").to_owned();
    let again_ok = form.get("password_again") == password;
    let body = json!({"name": name, "email": email, "password": password});
    let result = if again_ok {
        state.core.register(&body).await.map(|_| ())
    } else {
        Err(CoreError::invalid(
            "password_again",
            "does not match the password",
        ))
    };
    let error = match result {
        Ok(()) => {
            let t = state
                .core
                .login(&json!({"email": email, "password": password}))
                .await?;
            let welcome = Flash::ok(format!("Welcome to Maestro, {name}."));
            return Ok(signed_in(&state, &t, "/", Some(welcome)));
        }
        Err(e) if matches!(e, CoreError::Store(_) | CoreError::Internal(_)) => return Err(e.into()),
        Err(e) => e,
    };
    let mut res = render(&RegisterPage {
        chrome: ctx.chrome.with_title("Create an account", "register"),
        name,
        email,
        message: message_of(&error),
        errors: field_errors(&error),
    })?;
    *res.status_mut() = match error {
        CoreError::Forbidden(_) => axum::http::StatusCode::FORBIDDEN,
        CoreError::Conflict(_) => axum::http::StatusCode::CONFLICT,
        _ => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok(res)
}

/// `POST /logout`: revokes the session and clears the cookie.
pub async fn logout(State(state): State<WebState>, ctx: Ctx) -> WebResult<Response> {
    if let Some(Session { id, .. }) = ctx.session {
        state.core.logout(id).await?;
    }
    let clear = session::cookie(SESSION_COOKIE, "", Some(0), true, state.secure_cookies);
    let bye = session::flash_cookie(&[Flash::ok("You are signed out.")], state.secure_cookies);
    Ok(session::redirect_with("/login", vec![clear, bye]).into_response())
}
