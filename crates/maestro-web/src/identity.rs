//! The place for identity pages (issue 3), kept apart from the inventory pages so they can land
//! without touching them: teams with members and roles, the "Edit access" dialog on every
//! entity, the profile with avatar, change password and theme, API tokens, administrators'
//! user pages, and forgot / reset password.
//!
//! Each page follows the same pattern as `routes/`: an askama template, a handler that extracts
//! [`crate::chrome::Authed`] (or [`crate::chrome::Ctx`] for forgot/reset), calls one `Core`
//! method and renders; forms carry the CSRF token. Planned routes, to be merged here:
//!
//! Done: forgot / reset password (`/forgot`, `/reset-password?token=` — the link the core e-mails),
//! in [`recovery`]. Still to come, with the `Core` methods issue 3 provides:
//!
//! | Route | Core method |
//! |---|---|
//! | `GET/POST /profile`, `POST /profile/password`, `POST /profile/avatar` | `patch_me`, `change_password`, `put_avatar` |
//! | `GET/POST /tokens`, `POST /tokens/{id}/revoke` | `list_tokens`, `create_token`, `revoke_token` |
//! | `GET /teams`, `GET/POST /teams/{id}`, members | `list_teams`, `create_team`, `team_members`, … |
//! | `GET/POST /{collection}/{id}/access` (dialog) | `entity_grants`, `put_entity_grants` |
//! | `GET /admin/users`, promote, disable, reset | `list_users`, `update_user`, `admin_reset_password` |
//!
//! Uploads (avatars) are multipart: [`crate::csrf`] reads the token from urlencoded bodies only,
//! so send those forms with htmx (`hx-encoding="multipart/form-data"`), which adds the
//! `X-CSRF-Token` header from `<body hx-headers>`.
//!
//! Templates mark where their links go (`Issue 3 (identity)` comments in `base.html` and
//! `entity.html`).

pub mod recovery;

use axum::Router;
use axum::routing::get;

use crate::WebState;

/// Identity routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/forgot", get(recovery::forgot_page).post(recovery::forgot))
        .route(
            "/reset-password",
            get(recovery::reset_page).post(recovery::reset),
        )
}
