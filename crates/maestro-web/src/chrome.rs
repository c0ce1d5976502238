//! The frame around every page: title, theme, CSRF token, navigation, the signed-in user,
//! flash messages and the version in the footer — and the extractors that build it.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use maestro_core::Caller;
use maestro_model::schema::Collection;
use uuid::Uuid;

use crate::csrf::CsrfToken;
use crate::error::{WebError, WebResult};
use crate::session::{self, Flash, Session};
use crate::{Theme, WebState};

/// One navigation link.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub key: &'static str,
}

/// Everything the page layout (`base.html`) shows besides the page itself.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub theme: Theme,
    pub themes: &'static [Theme],
    pub csrf: String,
    pub version: &'static str,
    pub user_name: Option<String>,
    pub admin: bool,
    /// The nav key of the current section (`dashboard`, a collection segment, `settings`).
    pub section: String,
    pub flash: Vec<Flash>,
    /// The current path and query, to come back to after switching theme.
    pub here: String,
}

/// Inventory links, in the original's order: main kinds, provider resources, the rest.
pub fn nav_groups() -> Vec<(&'static str, Vec<NavItem>)> {
    let item = |c: Collection| NavItem {
        href: format!("/{}", c.segment()),
        label: c.label(),
        key: c.segment(),
    };
    use Collection::*;
    vec![
        (
            "Inventory",
            [
                Servers,
                Applications,
                Loadbalancers,
                Databases,
                Resources,
                Systems,
                Datacenters,
                Clients,
            ]
            .into_iter()
            .map(item)
            .collect(),
        ),
        (
            "Provider resources",
            [Volumes, Snapshots, Images, Networks, Flavors]
                .into_iter()
                .map(item)
                .collect(),
        ),
        ("Discovery", vec![item(Connections)]),
        (
            "Automation",
            vec![
                NavItem {
                    href: "/schedules".into(),
                    label: "Schedules",
                    key: "schedules",
                },
                NavItem {
                    href: "/jobs".into(),
                    label: "Jobs",
                    key: "jobs",
                },
            ],
        ),
    ]
}

impl Chrome {
    pub fn with_title(mut self, title: impl Into<String>, section: &str) -> Self {
        self.title = title.into();
        self.section = section.to_owned();
        self
    }

    pub fn nav(&self) -> Vec<(&'static str, Vec<NavItem>)> {
        nav_groups()
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }

    /// Builds the frame from request headers (no user).
    pub fn from_headers(headers: &HeaderMap, csrf: &str, state: &WebState, here: &str) -> Self {
        let theme = session::cookie_value(headers, crate::theme::COOKIE)
            .and_then(|t| Theme::parse(&t))
            .unwrap_or(state.theme);
        Chrome {
            title: "Maestro".into(),
            theme,
            themes: &Theme::ALL,
            csrf: csrf.to_owned(),
            version: state.version,
            user_name: None,
            admin: false,
            section: String::new(),
            flash: session::read_flash(headers),
            here: here.to_owned(),
        }
    }

    fn for_request(parts: &Parts, state: &WebState) -> Self {
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let here = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        Self::from_headers(&parts.headers, &csrf, state, &here)
    }

    pub(crate) fn with_caller(mut self, caller: &Caller) -> Self {
        self.user_name = Some(caller.name.clone());
        self.admin = caller.admin;
        self
    }
}

/// The frame and, when signed in, the session.
pub struct Ctx {
    pub chrome: Chrome,
    pub session: Option<Session>,
}

impl FromRequestParts<WebState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let chrome = Chrome::for_request(parts, state);
        let session = Session::from_headers(&parts.headers, state).await;
        let chrome = match &session {
            Some(s) => chrome.with_caller(&s.caller),
            None => chrome,
        };
        Ok(Ctx { chrome, session })
    }
}

/// A signed-in request: the frame, the caller and its session id. Others go to sign in.
pub struct Authed {
    pub chrome: Chrome,
    pub caller: Caller,
    pub session: Uuid,
    pub htmx: bool,
}

impl FromRequestParts<WebState> for Authed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let s = Session::from_request_parts(parts, state).await?;
        let chrome = Chrome::for_request(parts, state).with_caller(&s.caller);
        Ok(Authed {
            chrome,
            caller: s.caller,
            session: s.id,
            htmx: session::is_htmx(&parts.headers),
        })
    }
}

/// Renders a template as an HTML response.
pub fn render<T: Template>(t: &T) -> WebResult<Response> {
    Ok(Html(t.render()?).into_response())
}
