//! The "Edit access" dialog of every entity: its owner and who else may read, write or
//! administer it (`Core::get_grants`). Someone with the admin role on it adds people by exact
//! e-mail and their own teams, changes roles, removes rows and saves (`Core::put_grants`);
//! others see the same list read-only. Opened in a `<dialog>` by htmx on the detail page, or as
//! a page of its own without script; both post the same form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maestro_core::inventory::effective_role;
use maestro_model::schema::Collection;
use maestro_model::{EntityId, Role};
use serde_json::Value;

use super::grants::{self, GrantRow, Owner};
use super::inline::Inline;
use super::members::account_by_email;
use super::team_page::ROLES;
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::routes::{collection, entity_id};
use crate::session::{self, Flash, Form, FormData};
use crate::view::noun;

/// Everything the dialog shows.
pub struct AccessView {
    pub action: String,
    pub back: String,
    pub name: String,
    pub noun: String,
    pub owner: Owner,
    pub rows: Vec<GrantRow>,
    /// The caller has the admin role on the entity.
    pub can_admin: bool,
    /// Shared with every account (the services catalog): no grants.
    pub global: bool,
    /// The caller's teams not listed yet: (id, name).
    pub teams: Vec<(String, String)>,
    /// Whom the caller may hand it to: (`user:<id>` or `team:<id>`, label).
    pub owners: Vec<(String, String)>,
    pub roles: [&'static str; 3],
    pub add_email: String,
    pub add_user_role: String,
    pub add_team_role: String,
    /// Rows changed and not saved yet.
    pub dirty: bool,
    pub csrf: String,
    pub inline: Inline,
}

#[derive(Template)]
#[template(path = "identity/access.html")]
struct AccessPage {
    chrome: Chrome,
    v: AccessView,
}

#[derive(Template)]
#[template(path = "identity/access_fragment.html")]
struct AccessFragment {
    v: AccessView,
}

/// The caller's role on an entity, by the core's rule, from `Core::get_grants`.
pub fn role_on(auth: &Authed, coll: Collection, grants: &Value) -> Option<Role> {
    let (owner, rows) = grants::from_core(grants);
    effective_role(&auth.caller, coll.kind(), &grants::acl(&owner, &rows))
}

async fn load(
    state: &WebState,
    auth: &Authed,
    coll: Collection,
    id: EntityId,
) -> WebResult<(AccessView, Vec<GrantRow>)> {
    let doc = state.core.get_entity(&auth.caller, coll, id).await?;
    let current = state.core.get_grants(&auth.caller, coll, id).await?;
    let (owner, rows) = grants::from_core(&current);
    let teams: Vec<(String, String)> = state
        .core
        .list_teams(
            &auth.caller,
            &[
                ("mine".into(), "true".into()),
                ("limit".into(), "200".into()),
            ],
        )
        .await?
        .items
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap_or_default().to_owned(),
                t["name"].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect();
    // Yourself, and the teams you can write to (`Core::put_owner`'s rule), but the owner.
    let mut owners = Vec::new();
    if let Some(me) = auth.caller.user.map(|u| u.to_string())
        && me != owner.id
    {
        owners.push((format!("user:{me}"), "Yourself".to_owned()));
    }
    owners.extend(
        teams
            .iter()
            .filter(|(tid, _)| *tid != owner.id)
            .filter(|(tid, _)| {
                tid.parse()
                    .is_ok_and(|t| auth.caller.team_role(t) >= Some(Role::Write))
            })
            .map(|(tid, name)| (format!("team:{tid}"), format!("Team {name}"))),
    );
    let base = format!("/{}/{id}", coll.segment());
    let view = AccessView {
        action: format!("{base}/access"),
        back: base,
        name: doc["name"].as_str().unwrap_or("?").to_owned(),
        noun: noun(coll, doc["family"].as_str()).to_lowercase(),
        can_admin: role_on(auth, coll, &current) >= Some(Role::Admin),
        global: coll.kind().schema().global,
        owner,
        rows: Vec::new(),
        teams,
        owners,
        roles: ROLES,
        add_email: String::new(),
        add_user_role: "read".into(),
        add_team_role: "read".into(),
        dirty: false,
        csrf: auth.chrome.csrf.clone(),
        inline: Inline::none(),
    };
    Ok((view, rows))
}

fn show(auth: &Authed, mut v: AccessView) -> WebResult<Response> {
    v.teams
        .retain(|(id, _)| !v.rows.iter().any(|r| r.kind == "team" && &r.id == id));
    let status = v.inline.status;
    if auth.htmx {
        return render(&AccessFragment { v });
    }
    let title = format!("Access to {}", v.name);
    let mut res = render(&AccessPage {
        chrome: auth.chrome.clone().with_title(title, ""),
        v,
    })?;
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    Ok(res)
}

/// `GET /{collection}/{id}/access`: the dialog's content (htmx) or a page.
pub async fn page(
    State(state): State<WebState>,
    auth: Authed,
    Path((seg, raw_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let (coll, id) = (collection(&seg)?, entity_id(&raw_id)?);
    let (mut v, rows) = load(&state, &auth, coll, id).await?;
    v.rows = rows;
    show(&auth, v)
}

/// `POST /{collection}/{id}/access`: `_action` = `add_user`, `add_team`, `remove:<row>` (the
/// list is shown again, not saved) or `save`.
pub async fn post(
    State(state): State<WebState>,
    auth: Authed,
    Path((seg, raw_id)): Path<(String, String)>,
    Form(form): Form,
) -> WebResult<Response> {
    let (coll, id) = (collection(&seg)?, entity_id(&raw_id)?);
    let (mut v, saved_rows) = load(&state, &auth, coll, id).await?;
    let action = form.get("_action").to_owned();
    if !v.can_admin && action != "save" {
        v.rows = saved_rows;
        v.inline = Inline::message(
            format!(
                "Only someone with the admin role on this {} changes who it is shared with.",
                v.noun
            ),
            StatusCode::FORBIDDEN,
        );
        return show(&auth, v);
    }
    v.rows = grants::from_form(&form);
    v.add_user_role = role_of(&form, "add_user_role");
    v.add_team_role = role_of(&form, "add_team_role");
    if action == "save" {
        return save(&state, &auth, coll, id, v).await;
    }
    if action == "transfer" {
        v.rows = saved_rows;
        return transfer(&state, &auth, coll, id, form.get("new_owner"), v).await;
    }
    v.dirty = true;
    if action == "add_user" {
        add_user(&state, &auth, &form, &mut v).await?;
    } else if action == "add_team" {
        let team = form.get("add_team");
        match v.teams.iter().find(|(t, _)| t == team).cloned() {
            Some((tid, name)) => {
                grants::upsert(&mut v.rows, "team", &tid, &name, &v.add_team_role.clone())
            }
            None => v.inline = Inline::field("add_team", "choose one of your teams"),
        }
    } else if let Some(i) = action
        .strip_prefix("remove:")
        .and_then(|i| i.parse::<usize>().ok())
        && i < v.rows.len()
    {
        v.rows.remove(i);
    }
    show(&auth, v)
}

fn role_of(form: &FormData, name: &str) -> String {
    let r = form.get(name);
    if ROLES.contains(&r) { r } else { "read" }.to_owned()
}

async fn add_user(
    state: &WebState,
    auth: &Authed,
    form: &FormData,
    v: &mut AccessView,
) -> WebResult<()> {
    let email = form.get("add_email").trim().to_owned();
    match account_by_email(state, auth, &email, "add_email").await? {
        Ok((uid, _)) if v.owner.id == uid => {
            v.add_email = email;
            v.inline = Inline::field("add_email", "owns it and always keeps the admin role");
        }
        Ok((uid, name)) => {
            let role = v.add_user_role.clone();
            grants::upsert(&mut v.rows, "user", &uid, &name, &role);
        }
        Err(inline) => {
            v.add_email = email;
            v.inline = inline;
        }
    }
    Ok(())
}

async fn save(
    state: &WebState,
    auth: &Authed,
    coll: Collection,
    id: EntityId,
    mut v: AccessView,
) -> WebResult<Response> {
    match state
        .core
        .put_grants(&auth.caller, coll, id, &grants::body(&v.rows))
        .await
    {
        Ok(_) => Ok(back(
            state,
            auth,
            &v,
            format!("Access to {} saved.", v.name),
        )),
        Err(e) => {
            let mut inline = Inline::from_core(e)?;
            for (i, row) in v.rows.iter_mut().enumerate() {
                let key = format!("grants[{i}]");
                row.error = inline
                    .errors
                    .iter()
                    .filter(|(k, _)| **k == key || k.starts_with(&format!("{key}.")))
                    .map(|(_, m)| m.clone())
                    .next();
                inline
                    .errors
                    .retain(|k, _| !(*k == key || k.starts_with(&format!("{key}."))));
            }
            v.dirty = true;
            v.inline = inline.fold_unknown(&[]);
            if !v.can_admin {
                v.rows = grants::from_core(&state.core.get_grants(&auth.caller, coll, id).await?).1;
                v.dirty = false;
            }
            show(auth, v)
        }
    }
}

/// `_action=transfer`: hands the entity to `new_owner` (`user:<id>` or `team:<id>`) through
/// `Core::put_owner`, then back to the entity.
async fn transfer(
    state: &WebState,
    auth: &Authed,
    coll: Collection,
    id: EntityId,
    new_owner: &str,
    mut v: AccessView,
) -> WebResult<Response> {
    let body = match new_owner.split_once(':') {
        Some((kind @ ("user" | "team"), who)) => serde_json::json!({ kind: who }),
        _ => serde_json::json!({}),
    };
    match state.core.put_owner(&auth.caller, coll, id, &body).await {
        Ok(_) => Ok(back(
            state,
            auth,
            &v,
            format!("{} has a new owner.", v.name),
        )),
        Err(e) => {
            v.inline = Inline::from_core(e)?;
            show(auth, v)
        }
    }
}

/// Back to the entity's page with `message` (htmx follows `HX-Redirect`; otherwise a 303).
fn back(state: &WebState, auth: &Authed, v: &AccessView, message: String) -> Response {
    let cookie = session::flash_cookie(&[Flash::ok(message)], state.secure_cookies);
    if !auth.htmx {
        return session::redirect_with(&v.back, vec![cookie]);
    }
    let mut res = StatusCode::OK.into_response();
    res.headers_mut()
        .append(axum::http::header::SET_COOKIE, cookie);
    if let Ok(to) = HeaderValue::from_str(&v.back) {
        res.headers_mut().insert("hx-redirect", to);
    }
    res
}
