//! Teams: the list of the caller's teams (administrators see every team) with a form to create
//! one, and renaming, contact fields and deletion for the team's administrators. The team page
//! itself (members, avatar, history) is in [`super::team_page`].

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_model::TeamId;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

use super::inline::Inline;
use super::team_page::{self, TeamForm};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::{WebError, WebResult};
use crate::session::{self, Flash, Form, FormData};

pub struct TeamRow {
    pub href: String,
    pub name: String,
    pub role: String,
    pub email: String,
    pub avatar: Option<String>,
}

#[derive(Template)]
#[template(path = "identity/teams.html")]
struct TeamsPage {
    chrome: Chrome,
    rows: Vec<TeamRow>,
    total: u64,
    q: String,
    /// The caller is an administrator: the list holds every team.
    all: bool,
    form: TeamForm,
    inline: Inline,
}

/// A team id from the URL, or an HTML 404.
pub fn team_id(raw: &str) -> WebResult<TeamId> {
    raw.parse()
        .map_err(|_| WebError::NotFound("There is no such team.".into()))
}

/// The team fields of a form (`name`, `email`, `url`); emptied contact fields become `null`.
pub fn team_body(form: &FormData) -> (TeamForm, Value) {
    let values = TeamForm {
        name: form.get("name").trim().to_owned(),
        email: form.get("email").trim().to_owned(),
        url: form.get("url").trim().to_owned(),
    };
    let mut body = Map::new();
    body.insert("name".into(), json!(values.name));
    for (k, v) in [("email", &values.email), ("url", &values.url)] {
        body.insert(k.into(), if v.is_empty() { Value::Null } else { json!(v) });
    }
    (values, Value::Object(body))
}

async fn list_page(
    state: &WebState,
    auth: &Authed,
    q: &str,
    form: TeamForm,
    inline: Inline,
) -> WebResult<Response> {
    let mut pairs = vec![("limit".to_owned(), "200".to_owned())];
    if !q.is_empty() {
        pairs.push(("q".into(), q.to_owned()));
    }
    let page = state.core.list_teams(&auth.caller, &pairs).await?;
    let rows = page
        .items
        .iter()
        .map(|t| TeamRow {
            href: format!("/teams/{}", t["id"].as_str().unwrap_or_default()),
            name: t["name"].as_str().unwrap_or("?").to_owned(),
            role: t["role"].as_str().unwrap_or("").to_owned(),
            email: t["email"].as_str().unwrap_or("").to_owned(),
            avatar: t["avatar"].as_str().map(str::to_owned),
        })
        .collect();
    let status = inline.status;
    let mut res = render(&TeamsPage {
        chrome: auth.chrome.clone().with_title("Teams", "teams"),
        rows,
        total: page.total,
        q: q.to_owned(),
        all: auth.caller.admin,
        form,
        inline: inline.fold_unknown(&["name", "email", "url"]),
    })?;
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    Ok(res)
}

/// `GET /teams` (`?q=` searches by name).
pub async fn index(
    State(state): State<WebState>,
    auth: Authed,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let q = q.get("q").map(|s| s.trim().to_owned()).unwrap_or_default();
    list_page(&state, &auth, &q, TeamForm::default(), Inline::none()).await
}

/// `POST /teams`: creates a team (its creator becomes its administrator).
pub async fn create(
    State(state): State<WebState>,
    auth: Authed,
    Form(form): Form,
) -> WebResult<Response> {
    let (values, mut body) = team_body(&form);
    if let Some(o) = body.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    match state.core.create_team(&auth.caller, &body).await {
        Ok(team) => {
            let id = team["id"].as_str().unwrap_or_default();
            let flash = Flash::ok(format!("Team {} created.", values.name));
            Ok(session::redirect_with(
                &format!("/teams/{id}"),
                vec![session::flash_cookie(&[flash], state.secure_cookies)],
            ))
        }
        Err(e) => list_page(&state, &auth, "", values, Inline::from_core(e)?).await,
    }
}

/// `POST /teams/{id}`: renames the team or changes its contact fields (team administrators).
pub async fn update(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Form(form): Form,
) -> WebResult<Response> {
    let id = team_id(&raw)?;
    let (values, body) = team_body(&form);
    match state.core.update_team(&auth.caller, id, &body).await {
        Ok(_) => Ok(team_page::saved(&state, id, "Team saved.")),
        Err(e) => {
            let inline = Inline::from_core(e)?.renamed(&[
                ("name", "team_name"),
                ("email", "team_email"),
                ("url", "team_url"),
            ]);
            team_page::show(&state, &auth, id, 1, Some(values), inline).await
        }
    }
}

/// `POST /teams/{id}/delete` (team administrators): its grants stop giving access.
pub async fn delete(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Form(_): Form,
) -> WebResult<Response> {
    let id = team_id(&raw)?;
    match state.core.delete_team(&auth.caller, id).await {
        Ok(()) => {
            let flash = Flash::ok("The team is deleted; the access it gave has ended.");
            Ok(session::redirect_with(
                "/teams",
                vec![session::flash_cookie(&[flash], state.secure_cookies)],
            ))
        }
        Err(e) => {
            let inline = Inline::from_core(e)?;
            team_page::show(&state, &auth, id, 1, None, inline).await
        }
    }
}
