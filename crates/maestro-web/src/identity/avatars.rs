//! Avatar uploads for the profile and for teams. The form is multipart; with htmx it swaps the
//! avatar box in place (the CSRF token travels in the `X-CSRF-Token` header), without script
//! it is an ordinary post (the token in the `_csrf` part) answered by the whole page. The core
//! sniffs the image, shrinks it and serves it back under `/api/v1/users|teams/{id}/avatar`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::inline::Inline;
use super::teams::team_id;
use super::upload::Upload;
use super::{profile, team_page};
use crate::WebState;
use crate::chrome::{Authed, render};
use crate::error::WebResult;
use crate::session::{self, Flash};

/// The avatar and its upload form, on the profile and team pages.
#[derive(Debug, Clone)]
pub struct AvatarBox {
    pub action: String,
    pub src: Option<String>,
    /// What the picture shows ("Your avatar", "Avatar of team Ops").
    pub label: String,
    /// Shown when there is no picture.
    pub initials: String,
    pub can_change: bool,
    pub csrf: String,
    pub error: Option<String>,
    pub saved: bool,
}

impl AvatarBox {
    pub fn new(action: String, src: Option<String>, label: String, name: &str) -> Self {
        let initials: String = name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect();
        Self {
            action,
            src,
            label,
            initials,
            can_change: true,
            csrf: String::new(),
            error: None,
            saved: false,
        }
    }
}

#[derive(Template)]
#[template(path = "identity/avatar_fragment.html")]
struct Fragment {
    avatar_box: AvatarBox,
}

/// The answer to an htmx upload: the avatar box again.
fn fragment(auth: &Authed, mut b: AvatarBox) -> WebResult<Response> {
    b.csrf = auth.chrome.csrf.clone();
    render(&Fragment { avatar_box: b })
}

fn done(state: &WebState, to: &str) -> Response {
    session::redirect_with(
        to,
        vec![session::flash_cookie(
            &[Flash::ok("The picture is saved.")],
            state.secure_cookies,
        )],
    )
}

/// `POST /profile/avatar`.
pub async fn profile_avatar(
    State(state): State<WebState>,
    auth: Authed,
    Upload(file): Upload,
) -> WebResult<Response> {
    let result = match file {
        Ok(bytes) => state
            .core
            .set_my_avatar(&auth.caller, &bytes)
            .await
            .map(|me| me["avatar"].as_str().map(str::to_owned))
            .map_err(|e| Inline::from_core(e).map(|i| i.renamed(&[("body", "avatar")]))),
        Err(why) => Err(Ok(Inline::field("avatar", why))),
    };
    let inline = match result {
        Ok(src) if auth.htmx => {
            let mut b = profile::avatar_box(&auth, src);
            b.saved = true;
            return fragment(&auth, b);
        }
        Ok(_) => return Ok(done(&state, "/profile")),
        Err(inline) => inline?,
    };
    if auth.htmx {
        let me = state.core.me(&auth.caller).await?;
        let mut b = profile::avatar_box(&auth, me["avatar"].as_str().map(str::to_owned));
        b.error = Some(error_text(&inline));
        return fragment(&auth, b);
    }
    profile::show(&state, &auth, None, inline).await
}

/// `POST /teams/{id}/avatar` (team administrators).
pub async fn team_avatar(
    State(state): State<WebState>,
    auth: Authed,
    Path(raw): Path<String>,
    Upload(file): Upload,
) -> WebResult<Response> {
    let id = team_id(&raw)?;
    let result = match file {
        Ok(bytes) => state
            .core
            .set_team_avatar(&auth.caller, id, &bytes)
            .await
            .map_err(Inline::from_core),
        Err(why) => Err(Ok(Inline::field("avatar", why))),
    };
    let inline = match result {
        Ok(team) if auth.htmx => {
            let mut b = team_page::avatar_box(id, &team);
            b.saved = true;
            return fragment(&auth, b);
        }
        Ok(_) => return Ok(done(&state, &format!("/teams/{id}"))),
        Err(inline) => inline?,
    };
    if auth.htmx {
        let team = state.core.get_team(&auth.caller, id).await?;
        let mut b = team_page::avatar_box(id, &team);
        b.error = Some(error_text(&inline));
        return fragment(&auth, b);
    }
    team_page::show(&state, &auth, id, 1, None, inline).await
}

fn error_text(inline: &Inline) -> String {
    inline
        .get("avatar")
        .cloned()
        .or_else(|| inline.message.clone())
        .or_else(|| inline.errors.values().next().cloned())
        .unwrap_or_else(|| "cannot use this file".into())
}
