//! Maestro's web UI: server-rendered HTML pages (askama templates, htmx for partial updates)
//! over the same domain services as the REST API. Every asset is embedded in the binary.
//!
//! The UI owns every path the API does not (`/api/v1/*`, `/healthz`, `/readyz`): sign-in,
//! dashboard, inventory lists, detail pages, forms, settings, and an HTML 404 for the rest.
//! Sessions are the API's login tokens kept in an HttpOnly cookie; every state-changing request
//! carries a CSRF token checked by [`csrf`].

pub mod assets;
pub mod body;
pub mod chrome;
pub mod csrf;
pub mod discovery;
pub mod error;
pub mod forms;
pub mod hints;
pub mod identity;
pub mod jobs;
pub mod pager;
pub mod routes;
pub mod session;
pub mod theme;
pub mod view;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use maestro_core::Core;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use theme::Theme;

/// Largest accepted form body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What the UI needs: the domain services and its presentation settings.
#[derive(Clone)]
pub struct WebState {
    pub core: Core,
    /// Shown in the footer.
    pub version: &'static str,
    /// The installation's default theme (`MAESTRO_THEME`); each user may pick another.
    pub theme: Theme,
    /// The logo served at `/logo` (`MAESTRO_LOGO`, or the embedded one).
    pub logo: Arc<assets::Logo>,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

/// The UI's configuration (`MAESTRO_THEME`, `MAESTRO_LOGO`, and whether the public URL is https).
#[derive(Debug, Clone, Default)]
pub struct UiOptions {
    pub theme: Theme,
    pub logo: Option<std::path::PathBuf>,
    pub secure_cookies: bool,
}

impl WebState {
    /// A state with the default theme, the embedded logo and non-secure cookies.
    pub fn new(core: Core, version: &'static str) -> Self {
        Self {
            core,
            version,
            theme: Theme::default(),
            logo: Arc::new(assets::Logo::embedded()),
            secure_cookies: false,
        }
    }

    /// A state configured by `options`; fails when the logo file cannot be used.
    pub fn with_options(
        core: Core,
        version: &'static str,
        options: &UiOptions,
    ) -> Result<Self, String> {
        let logo = match &options.logo {
            Some(path) => assets::Logo::from_file(path)?,
            None => assets::Logo::embedded(),
        };
        Ok(Self {
            core,
            version,
            theme: options.theme,
            logo: Arc::new(logo),
            secure_cookies: options.secure_cookies,
        })
    }
}

/// The UI router: everything outside the API, with an HTML 404 fallback.
pub fn router(state: WebState) -> Router {
    use routes::{account, dashboard, edit, entity, list, partials, relations, settings};
    Router::new()
        .route("/", get(dashboard::home))
        .route("/login", get(account::login_page).post(account::login))
        .route(
            "/register",
            get(account::register_page).post(account::register),
        )
        .route("/logout", post(account::logout))
        .route("/theme", post(theme::switch))
        .route("/assets/{*path}", get(assets::serve))
        .route("/logo", get(assets::logo))
        .route("/favicon.ico", get(assets::favicon))
        .route("/settings", get(settings::index))
        .route(
            "/settings/regions",
            get(settings::regions_page).post(settings::regions_save),
        )
        .route(
            "/settings/options/{key}",
            get(settings::option_page).post(settings::option_save),
        )
        .route("/ui/refs/{kind}", get(partials::ref_search))
        .route("/ui/duplicates/{collection}", get(partials::duplicates))
        .route("/{collection}", get(list::page).post(edit::create))
        .route("/{collection}/new", get(edit::new_page))
        .route("/{collection}/{id}", get(entity::page).post(edit::update))
        .route("/{collection}/{id}/edit", get(edit::edit_page))
        .route("/{collection}/{id}/related", get(relations::page))
        .route("/{collection}/{id}/delete", post(edit::delete))
        .route("/{collection}/{id}/restore", post(edit::restore))
        .merge(identity::routes())
        .merge(jobs::routes())
        .merge(discovery::routes())
        .fallback(error::not_found)
        .layer(CatchPanicLayer::custom(|_| {
            error::WebError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::layer,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
