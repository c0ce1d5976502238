//! Administrators' pages for accounts: the list with a search (`Core::list_users`), and one
//! account's page (`get_user`, `user_history`) where an administrator promotes or demotes it,
//! disables or re-enables it (`update_user`; its sessions end) and sets its password
//! (`admin_reset_password`). Everyone else is refused (403), whatever link they followed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_core::CoreError;
use maestro_model::UserId;
use serde_json::json;

use super::history::{page_query, timeline};
use super::inline::Inline;
use super::profile::FIELDS;
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::{WebError, WebResult};
use crate::routes::entity::Entry;
use crate::session::{self, Flash, Form, encode};
use crate::view::when;

pub struct UserRow {
    pub href: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub active: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "identity/admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    q: String,
    rows: Vec<UserRow>,
    total: u64,
    pager: crate::pager::Pager,
}

#[derive(Template)]
#[template(path = "identity/admin_user.html")]
struct UserPage {
    chrome: Chrome,
    id: String,
    name: String,
    email: String,
    admin: bool,
    active: bool,
    me: bool,
    created: String,
    avatar: Option<String>,
    details: Vec<(&'static str, String)>,
    history: Vec<Entry>,
    history_total: u64,
    inline: Inline,
}

fn require_admin(auth: &Authed) -> WebResult<()> {
    if auth.caller.admin {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Only administrators manage accounts.".into(),
        ))
    }
}

fn user_id(raw: &str) -> WebResult<UserId> {
    raw.parse()
        .map_err(|_| WebError::NotFound("There is no such account.".into()))
}

/// `GET /admin/users` (`?q=` searches names and e-mails, `?page=`).
pub async fn index(
    State(state): State<WebState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    require_admin(&auth)?;
    let search = q.get("q").map(|s| s.trim().to_owned()).unwrap_or_default();
    let page = crate::pager::requested(&q);
    let mut pairs = vec![
        ("limit".to_owned(), "50".to_owned()),
        ("page".to_owned(), page.to_string()),
    ];
    if !search.is_empty() {
        pairs.push(("q".into(), search.clone()));
    }
    let list = state.core.list_users(&auth.caller, &pairs).await?;
    let rows = list
        .items
        .iter()
        .map(|u| UserRow {
            href: format!("/admin/users/{}", u["id"].as_str().unwrap_or_default()),
            name: u["name"].as_str().unwrap_or("?").to_owned(),
            email: u["email"].as_str().unwrap_or("").to_owned(),
            admin: u["admin"].as_bool().unwrap_or(false),
            active: u["active"].as_bool().unwrap_or(true),
            created: when(&u["created_at"]),
        })
        .collect();
    let pager = crate::pager::Pager::new(page, list.total, 50, |p| {
        format!("/admin/users?q={}&page={p}", encode(&search))
    });
    render(&UsersPage {
        chrome: auth.chrome.clone().with_title("Users", "users"),
        q: search.clone(),
        rows,
        total: list.total,
        pager,
    })
}

async fn show(state: &WebState, auth: &Authed, id: UserId, inline: Inline) -> WebResult<Response> {
    require_admin(auth)?;
    let user = state.core.get_user(&auth.caller, id).await?;
    let history = state
        .core
        .user_history(&auth.caller, id, &page_query(1))
        .await?;
    let text = |k: &str| user[k].as_str().unwrap_or("").to_owned();
    let details = FIELDS
        .iter()
        .skip(1)
        .map(|(k, label)| (*label, text(k)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let status = inline.status;
    let mut res = render(&UserPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(format!("Account {}", text("name")), "users"),
        id: id.to_string(),
        name: text("name"),
        email: text("email"),
        admin: user["admin"].as_bool().unwrap_or(false),
        active: user["active"].as_bool().unwrap_or(true),
        me: auth.caller.user == Some(id),
        created: when(&user["created_at"]),
        avatar: user["avatar"].as_str().map(str::to_owned),
        details,
        history: timeline(&history, &HashMap::new()),
        history_total: history.total,
        inline: inline.fold_unknown(&["password", "password_again"]),
    })?;
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    Ok(res)
}

/// `GET /admin/users/{id}`.
pub async fn page(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
) -> WebResult<Response> {
    require_admin(&auth)?;
    show(&state, &auth, user_id(&raw)?, Inline::none()).await
}

/// `POST /admin/users/{id}`: `action` = promote, demote, disable or enable.
pub async fn update(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Form(form): Form,
) -> WebResult<Response> {
    require_admin(&auth)?;
    let id = user_id(&raw)?;
    let (body, done) = match form.get("action") {
        "promote" => (json!({"admin": true}), "is an administrator now"),
        "demote" => (json!({"admin": false}), "is no longer an administrator"),
        "disable" => (
            json!({"active": false}),
            "is disabled; their sessions have ended",
        ),
        "enable" => (json!({"active": true}), "can sign in again"),
        _ => return Err(WebError::BadRequest("unknown action".into())),
    };
    match state.core.update_user(&auth.caller, id, &body).await {
        Ok(u) => {
            let name = u["name"].as_str().unwrap_or("The account");
            let flash = Flash::ok(format!("{name} {done}."));
            Ok(session::redirect_with(
                &format!("/admin/users/{id}"),
                vec![session::flash_cookie(&[flash], state.secure_cookies)],
            ))
        }
        Err(e) => show(&state, &auth, id, Inline::from_core(e)?).await,
    }
}

/// `POST /admin/users/{id}/password`: sets a new password; the account's sessions end.
pub async fn password(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Form(form): Form,
) -> WebResult<Response> {
    require_admin(&auth)?;
    let id = user_id(&raw)?;
    let password = form.get("password");
    let result = if form.get("password_again") != password {
        Err(CoreError::invalid(
            "password_again",
            "does not match the password",
        ))
    } else {
        state
            .core
            .admin_reset_password(&auth.caller, id, &json!({"password": password}))
            .await
    };
    match result {
        Ok(()) => {
            let flash = Flash::ok("The password is set; the account's sessions have ended.");
            Ok(session::redirect_with(
                &format!("/admin/users/{id}"),
                vec![session::flash_cookie(&[flash], state.secure_cookies)],
            ))
        }
        Err(e) => show(&state, &auth, id, Inline::from_core(e)?).await,
    }
}
