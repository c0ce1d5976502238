//! The identity pages (issue 3), kept apart from the inventory pages: teams with members and
//! roles, the "Edit access" dialog of every entity, the profile with avatar, password and theme,
//! API tokens, administrators' pages for accounts, and forgot / reset password.
//!
//! Each page follows the pattern of `routes/`: an askama template, a handler that extracts
//! [`crate::chrome::Authed`] (or [`crate::chrome::Ctx`] for forgot/reset), calls `Core` and
//! renders; forms carry the CSRF token, and what the core refuses is shown next to the form
//! ([`inline`]).
//!
//! | Route | Core |
//! |---|---|
//! | `GET/POST /profile`, `POST /profile/password`, `POST /profile/avatar` | `me`, `update_me`, `change_password`, `set_my_avatar` |
//! | `GET/POST /tokens`, `POST /tokens/{id}/revoke` | `list_api_tokens`, `create_api_token`, `revoke_api_token` |
//! | `GET/POST /teams`, `GET/POST /teams/{id}`, `…/delete`, `…/avatar` | `list_teams`, `create_team`, `get_team`, `team_history`, `update_team`, `delete_team`, `set_team_avatar` |
//! | `POST /teams/{id}/members`, `…/members/{user}`, `…/members/{user}/remove` | `list_users` (exact e-mail), `put_member`, `remove_member` |
//! | `GET/POST /{collection}/{id}/access` (the dialog) | `get_grants`, `put_grants` |
//! | `GET /admin/users`, `GET/POST /admin/users/{id}`, `…/password` | `list_users`, `get_user`, `user_history`, `update_user`, `admin_reset_password` |
//! | `/forgot`, `/reset-password?token=` | `forgot_password`, `reset_password` |
//!
//! Creating an entity for a team is the "Owner" choice of the create forms (`routes/edit.rs`,
//! [`owner`]). Uploads (avatars) are multipart ([`upload`]): htmx sends them with the
//! `X-CSRF-Token` header, a plain form with a `_csrf` part; [`crate::csrf`] accepts both.

pub mod access;
pub mod admin;
pub mod avatars;
pub mod grants;
pub mod history;
pub mod inline;
pub mod members;
pub mod owner;
pub mod profile;
pub mod recovery;
pub mod team_page;
pub mod teams;
pub mod tokens;
pub mod upload;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

/// Identity routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/forgot", get(recovery::forgot_page).post(recovery::forgot))
        .route(
            "/reset-password",
            get(recovery::reset_page).post(recovery::reset),
        )
        .route("/profile", get(profile::page).post(profile::save))
        .route("/profile/password", post(profile::password))
        .route("/profile/avatar", post(avatars::profile_avatar))
        .route("/tokens", get(tokens::page).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route("/teams", get(teams::index).post(teams::create))
        .route("/teams/{id}", get(team_page::page).post(teams::update))
        .route("/teams/{id}/delete", post(teams::delete))
        .route("/teams/{id}/avatar", post(avatars::team_avatar))
        .route("/teams/{id}/members", post(members::add))
        .route("/teams/{id}/members/{user}", post(members::set_role))
        .route("/teams/{id}/members/{user}/remove", post(members::remove))
        .route(
            "/{collection}/{id}/access",
            get(access::page).post(access::post),
        )
        .route("/admin/users", get(admin::index))
        .route("/admin/users/{id}", get(admin::page).post(admin::update))
        .route("/admin/users/{id}/password", post(admin::password))
}
