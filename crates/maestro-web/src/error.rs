//! Errors of UI handlers and how they are shown: a redirect to sign in, or a status with an
//! [`ErrorInfo`] that the page middleware renders as a themed HTML error page.

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maestro_core::CoreError;

use crate::session;

/// What went wrong, for the HTML error page (rendered by [`crate::csrf::layer`]).
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub title: String,
    pub message: String,
}

#[derive(Debug)]
pub enum WebError {
    /// Not signed in: go to the sign-in page, then back to `next`.
    SignIn {
        next: String,
        htmx: bool,
    },
    BadRequest(String),
    Forbidden(String),
    NotFound(String),
    Conflict(String),
    TooMany(u64),
    Internal(String),
}

pub type WebResult<T> = Result<T, WebError>;

impl WebError {
    /// A redirect to sign in that comes back to the requested page (GET) or the referring one.
    pub fn sign_in(parts: &Parts) -> Self {
        let next = if parts.method == axum::http::Method::GET {
            parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into())
        } else {
            "/".into()
        };
        WebError::SignIn {
            next,
            htmx: session::is_htmx(&parts.headers),
        }
    }

    fn status_title(&self) -> (StatusCode, &'static str) {
        match self {
            WebError::SignIn { .. } => (StatusCode::UNAUTHORIZED, "Sign in"),
            WebError::BadRequest(_) => (StatusCode::BAD_REQUEST, "Bad request"),
            WebError::Forbidden(_) => (StatusCode::FORBIDDEN, "Not allowed"),
            WebError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
            WebError::Conflict(_) => (StatusCode::CONFLICT, "Conflict"),
            WebError::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts"),
            WebError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong"),
        }
    }

    fn message(&self) -> String {
        match self {
            WebError::SignIn { .. } => "Sign in to continue.".into(),
            WebError::BadRequest(m)
            | WebError::Forbidden(m)
            | WebError::NotFound(m)
            | WebError::Conflict(m) => m.clone(),
            WebError::TooMany(s) => format!("Too many attempts; try again in {s} seconds."),
            WebError::Internal(_) => "An internal error occurred; it has been logged.".into(),
        }
    }
}

impl From<CoreError> for WebError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid(errors) => WebError::BadRequest(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            CoreError::BadRequest(m) => WebError::BadRequest(m),
            CoreError::Unauthenticated(_) => WebError::SignIn {
                next: "/".into(),
                htmx: false,
            },
            CoreError::Forbidden(m) => WebError::Forbidden(m),
            CoreError::NotFound(m) => WebError::NotFound(m),
            CoreError::Conflict(m) => WebError::Conflict(m),
            CoreError::TooManyRequests(s) => WebError::TooMany(s),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::SignIn { next, htmx } = &self {
            let to = format!("/login?next={}", session::encode(next));
            if *htmx {
                let mut res = StatusCode::NO_CONTENT.into_response();
                if let Ok(v) = HeaderValue::from_str(&to) {
                    res.headers_mut().insert("hx-redirect", v);
                }
                return res;
            }
            return session::redirect(&to);
        }
        if let WebError::Internal(m) = &self {
            tracing::error!(error = %m, "UI request failed");
        }
        let (status, title) = self.status_title();
        let mut res = (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            self.message(),
        )
            .into_response();
        res.extensions_mut().insert(ErrorInfo {
            title: title.into(),
            message: self.message(),
        });
        if let WebError::TooMany(s) = self
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// The HTML 404 for every path nobody owns.
pub async fn not_found() -> WebError {
    WebError::NotFound("There is no page at this address.".into())
}
