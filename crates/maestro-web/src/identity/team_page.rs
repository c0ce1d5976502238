//! One team's page: its avatar and contact fields, the members with their roles (team
//! administrators add people by exact e-mail, change roles and remove members; any member may
//! leave), the forms to rename or delete it, and its history.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_model::TeamId;
use serde_json::Value;

use super::avatars::AvatarBox;
use super::history::{page_query, timeline};
use super::inline::Inline;
use super::teams::team_id;
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::routes::entity::Entry;
use crate::session::{self, Flash};

/// The roles a member (or a grant) can have, lowest first.
pub const ROLES: [&str; 3] = ["read", "write", "admin"];

/// The values of a team form (kept when the core refuses them).
#[derive(Debug, Clone, Default)]
pub struct TeamForm {
    pub name: String,
    pub email: String,
    pub url: String,
}

pub struct MemberRow {
    pub user: String,
    pub name: String,
    pub email: String,
    pub role: String,
    /// The signed-in user.
    pub me: bool,
}

#[derive(Template)]
#[template(path = "identity/team.html")]
struct TeamPage {
    chrome: Chrome,
    id: String,
    name: String,
    email: String,
    url: String,
    avatar_box: AvatarBox,
    /// The caller's role in the team (`admin` for administrators of the installation).
    role: String,
    /// The caller manages the team.
    manage: bool,
    /// The caller is a member (and may leave).
    member: bool,
    me_id: String,
    members: Vec<MemberRow>,
    roles: [&'static str; 3],
    form: TeamForm,
    add_email: String,
    add_role: String,
    history: Vec<Entry>,
    history_total: u64,
    history_prev: Option<String>,
    history_next: Option<String>,
    inline: Inline,
}

/// The avatar box of a team (`team` as the core returns it).
pub fn avatar_box(id: TeamId, team: &Value) -> AvatarBox {
    let name = team["name"].as_str().unwrap_or("?");
    AvatarBox::new(
        format!("/teams/{id}/avatar"),
        team["avatar"].as_str().map(str::to_owned),
        format!("Avatar of team {name}"),
        name,
    )
}

/// After a change: back to the team page with a message.
pub fn saved(state: &WebState, id: TeamId, message: &str) -> Response {
    session::redirect_with(
        &format!("/teams/{id}"),
        vec![session::flash_cookie(
            &[Flash::ok(message)],
            state.secure_cookies,
        )],
    )
}

/// What the add-member form sent, to show again with its error.
#[derive(Debug, Clone, Default)]
pub struct Adding {
    pub email: String,
    pub role: String,
}

/// Renders the team page, with a refused form's values and errors.
pub async fn show(
    state: &WebState,
    auth: &Authed,
    id: TeamId,
    hpage: u32,
    form: Option<TeamForm>,
    inline: Inline,
) -> WebResult<Response> {
    show_adding(state, auth, id, hpage, form, Adding::default(), inline).await
}

pub async fn show_adding(
    state: &WebState,
    auth: &Authed,
    id: TeamId,
    hpage: u32,
    form: Option<TeamForm>,
    adding: Adding,
    inline: Inline,
) -> WebResult<Response> {
    let core = &state.core;
    let team = core.get_team(&auth.caller, id).await?;
    let history = core
        .team_history(&auth.caller, id, &page_query(hpage))
        .await?;
    let me = auth.caller.user.map(|u| u.to_string()).unwrap_or_default();
    let members: Vec<MemberRow> = team["members"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let user = m["user"].as_str().unwrap_or_default().to_owned();
            MemberRow {
                me: user == me,
                name: m["name"].as_str().unwrap_or("?").to_owned(),
                email: m["email"].as_str().unwrap_or("").to_owned(),
                role: m["role"].as_str().unwrap_or("read").to_owned(),
                user,
            }
        })
        .collect();
    let names: HashMap<String, String> = members
        .iter()
        .map(|m| (m.user.clone(), m.name.clone()))
        .collect();
    let text = |k: &str| team[k].as_str().unwrap_or("").to_owned();
    let name = text("name");
    let form = form.unwrap_or_else(|| TeamForm {
        name: name.clone(),
        email: text("email"),
        url: text("url"),
    });
    let role = text("role");
    let pages = history.total.div_ceil(50).max(1);
    let link = |p: u32| format!("/teams/{id}?hpage={p}#history");
    let status = inline.status;
    let mut res = render(&TeamPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(format!("Team {name}"), "teams"),
        id: id.to_string(),
        email: text("email"),
        url: text("url"),
        avatar_box: {
            let mut b = avatar_box(id, &team);
            b.can_change = role == "admin";
            b.csrf = auth.chrome.csrf.clone();
            if let Some(e) = inline.get("avatar") {
                b.error = Some(e.clone());
            }
            b
        },
        manage: role == "admin",
        member: members.iter().any(|m| m.me),
        me_id: me,
        role,
        roles: ROLES,
        form,
        add_email: adding.email,
        add_role: if adding.role.is_empty() {
            "read".into()
        } else {
            adding.role
        },
        history: timeline(&history, &names),
        history_total: history.total,
        history_prev: (hpage > 1).then(|| link(hpage - 1)),
        history_next: (u64::from(hpage) < pages).then(|| link(hpage + 1)),
        members,
        inline: inline.fold_unknown(&[
            "team_name",
            "team_email",
            "team_url",
            "member_email",
            "avatar",
        ]),
        name,
    })?;
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    Ok(res)
}

/// `GET /teams/{id}` (`?hpage=` pages the history).
pub async fn page(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let id = team_id(&raw)?;
    let hpage = q.get("hpage").and_then(|p| p.parse().ok()).unwrap_or(1);
    show(&state, &auth, id, hpage, None, Inline::none()).await
}
