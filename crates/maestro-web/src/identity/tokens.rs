//! Personal API tokens: the list (name, created, expiry, last use, revoked), a form to create
//! one — its secret is shown once, on the page that answers the creation, never again — and
//! revoking. Tokens act with the owner's access.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::inline::Inline;
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::{WebError, WebResult};
use crate::session::{self, Flash, Form};
use crate::view::when;

/// Lifetimes offered for a new token: (days, label); 0 = until revoked.
pub const LIFETIMES: [(u32, &str); 4] = [
    (0, "Until revoked"),
    (30, "30 days"),
    (90, "90 days"),
    (365, "One year"),
];

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    /// `active`, `revoked` or `expired`.
    pub status: &'static str,
}

/// A token just created: its secret, shown this once.
pub struct NewToken {
    pub name: String,
    pub secret: String,
}

#[derive(Template)]
#[template(path = "identity/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    rows: Vec<TokenRow>,
    created: Option<NewToken>,
    lifetimes: [(u32, &'static str); 4],
    name: String,
    days: u32,
    inline: Inline,
}

fn row(t: &Value, now: chrono::DateTime<chrono::Utc>) -> TokenRow {
    let time = |k: &str| {
        if t[k].is_null() {
            String::new()
        } else {
            when(&t[k])
        }
    };
    let expired = t["expires_at"]
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .is_some_and(|e| e < now);
    TokenRow {
        id: t["id"].as_str().unwrap_or_default().to_owned(),
        name: t["name"].as_str().unwrap_or("?").to_owned(),
        created: time("created_at"),
        expires: time("expires_at"),
        last_used: time("last_used_at"),
        status: if !t["revoked_at"].is_null() {
            "revoked"
        } else if expired {
            "expired"
        } else {
            "active"
        },
    }
}

async fn show(
    state: &WebState,
    auth: &Authed,
    created: Option<NewToken>,
    (name, days): (String, u32),
    inline: Inline,
) -> WebResult<Response> {
    let list = state.core.list_api_tokens(&auth.caller).await?;
    let now = state.core.now();
    let mut rows: Vec<TokenRow> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| row(t, now))
        .collect();
    rows.sort_by_key(|r| r.status != "active");
    let status = inline.status;
    let mut res = render(&TokensPage {
        chrome: auth.chrome.clone().with_title("API tokens", "tokens"),
        rows,
        created,
        lifetimes: LIFETIMES,
        name,
        days,
        inline: inline.fold_unknown(&["name", "expires_at"]),
    })?;
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    Ok(res)
}

/// `GET /tokens`.
pub async fn page(State(state): State<WebState>, auth: Authed) -> WebResult<Response> {
    show(&state, &auth, None, (String::new(), 0), Inline::none()).await
}

/// `POST /tokens`: creates a token and shows its secret once.
pub async fn create(
    State(state): State<WebState>,
    auth: Authed,
    Form(form): Form,
) -> WebResult<Response> {
    let name = form.get("name").trim().to_owned();
    let days: u32 = form.get("days").parse().unwrap_or(0);
    // "Until revoked" (0) is asked for explicitly: the core's default is 90 days.
    let mut body = json!({"name": name, "expires_at": null});
    if LIFETIMES.iter().any(|(d, _)| *d == days && days > 0) {
        let at = state.core.now() + chrono::Duration::days(i64::from(days));
        body["expires_at"] = json!(at.to_rfc3339());
    }
    match state
        .core
        .create_api_token(&auth.caller, auth.session, &body)
        .await
    {
        Ok(t) => {
            let created = NewToken {
                name: t["name"].as_str().unwrap_or(&name).to_owned(),
                secret: t["token"].as_str().unwrap_or_default().to_owned(),
            };
            show(
                &state,
                &auth,
                Some(created),
                (String::new(), 0),
                Inline::none(),
            )
            .await
        }
        Err(e) => show(&state, &auth, None, (name, days), Inline::from_core(e)?).await,
    }
}

/// `POST /tokens/{id}/revoke`.
pub async fn revoke(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Form(_): Form,
) -> WebResult<Response> {
    let id =
        Uuid::try_parse(&raw).map_err(|_| WebError::NotFound("There is no such token.".into()))?;
    state.core.revoke_api_token(&auth.caller, id).await?;
    let flash = Flash::ok("The token is revoked: scripts using it are refused from now on.");
    Ok(session::redirect_with(
        "/tokens",
        vec![session::flash_cookie(&[flash], state.secure_cookies)],
    ))
}
