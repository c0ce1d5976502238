//! Team membership from the team page: adding someone by their exact e-mail (the only way a
//! non-administrator can find an account — there is no search by name, on purpose), changing a
//! member's role, removing a member, and leaving the team.

use axum::extract::{Path, State};
use axum::response::Response;
use maestro_core::CoreError;
use maestro_model::UserId;
use serde_json::json;

use super::inline::Inline;
use super::team_page::{self, Adding};
use super::teams::team_id;
use crate::WebState;
use crate::chrome::Authed;
use crate::error::{WebError, WebResult};
use crate::session::{self, Flash, Form};

/// The account with exactly this e-mail: (id, name), or an inline error for `input`.
pub async fn account_by_email(
    state: &WebState,
    auth: &Authed,
    email: &str,
    input: &str,
) -> WebResult<Result<(String, String), Inline>> {
    if email.is_empty() {
        return Ok(Err(Inline::field(
            input,
            "give the e-mail address of an account",
        )));
    }
    let found = state
        .core
        .list_users(&auth.caller, &[("email".into(), email.to_owned())])
        .await;
    let page = match found {
        Ok(p) => p,
        Err(CoreError::Invalid(_)) => {
            return Ok(Err(Inline::field(input, "is not an e-mail address")));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(match page.items.first() {
        Some(u) => Ok((
            u["id"].as_str().unwrap_or_default().to_owned(),
            u["name"].as_str().unwrap_or("?").to_owned(),
        )),
        None => Err(Inline::field(input, "no account uses this address")),
    })
}

fn user_id(raw: &str) -> WebResult<UserId> {
    raw.parse()
        .map_err(|_| WebError::NotFound("There is no such member.".into()))
}

/// `POST /teams/{id}/members`: adds the account with this e-mail (or changes its role).
pub async fn add(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Form(form): Form,
) -> WebResult<Response> {
    let id = team_id(&raw)?;
    let adding = Adding {
        email: form.get("email").trim().to_owned(),
        role: form.get("role").to_owned(),
    };
    let inline = match account_by_email(&state, &auth, &adding.email, "member_email").await? {
        Ok((user, name)) => {
            let body = json!({"user": user, "role": adding.role});
            match state.core.put_member(&auth.caller, id, &body).await {
                Ok(m) => {
                    let role = m["role"].as_str().unwrap_or("");
                    let msg = format!("{name} is a member with the {role} role.");
                    return Ok(team_page::saved(&state, id, &msg));
                }
                Err(e) => Inline::from_core(e)?.renamed(&[("user", "member_email")]),
            }
        }
        Err(inline) => inline,
    };
    team_page::show_adding(&state, &auth, id, 1, None, adding, inline).await
}

/// `POST /teams/{id}/members/{user}`: changes a member's role.
pub async fn set_role(
    State(state): State<WebState>,
    auth: Authed,
    Path((raw, raw_user)): Path<(String, String)>,
    Form(form): Form,
) -> WebResult<Response> {
    let id = team_id(&raw)?;
    let user = user_id(&raw_user)?;
    let body = json!({"user": user, "role": form.get("role")});
    match state.core.put_member(&auth.caller, id, &body).await {
        Ok(m) => {
            let msg = format!(
                "{} now has the {} role.",
                m["name"].as_str().unwrap_or("The member"),
                m["role"].as_str().unwrap_or("")
            );
            Ok(team_page::saved(&state, id, &msg))
        }
        Err(e) => {
            let inline = Inline::from_core(e)?;
            team_page::show(&state, &auth, id, 1, None, inline).await
        }
    }
}

/// `POST /teams/{id}/members/{user}/remove`: removes a member — or leaves, for oneself.
pub async fn remove(
    State(state): State<WebState>,
    auth: Authed,
    Path((raw, raw_user)): Path<(String, String)>,
    Form(_): Form,
) -> WebResult<Response> {
    let id = team_id(&raw)?;
    let user = user_id(&raw_user)?;
    let leaving = auth.caller.user == Some(user);
    match state.core.remove_member(&auth.caller, id, user).await {
        Ok(()) if leaving && !auth.caller.admin => {
            let flash = Flash::ok("You left the team.");
            Ok(session::redirect_with(
                "/teams",
                vec![session::flash_cookie(&[flash], state.secure_cookies)],
            ))
        }
        Ok(()) => Ok(team_page::saved(&state, id, "The member is removed.")),
        Err(e) => {
            let inline = Inline::from_core(e)?;
            team_page::show(&state, &auth, id, 1, None, inline).await
        }
    }
}
