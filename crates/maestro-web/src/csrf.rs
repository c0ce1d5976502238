//! The UI's request middleware: CSRF protection (double submit: a random token in a cookie that
//! every state-changing request must repeat in the `_csrf` form field or the `X-CSRF-Token`
//! header, compared in constant time), security headers, themed error pages, and clearing
//! flash messages once shown.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::body::{BodyError, read_within};
use crate::chrome::Chrome;
use crate::error::ErrorInfo;
use crate::session::{self, FormData};
use crate::{BODY_LIMIT, WebState};

/// The cookie holding the CSRF token.
pub const COOKIE: &str = "maestro_csrf";
/// The header htmx requests carry the token in.
pub const HEADER: &str = "x-csrf-token";
/// The form field forms carry the token in.
pub const FIELD: &str = "_csrf";

/// The request's CSRF token, for templates.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; \
                   object-src 'none'";

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn well_formed(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Compares two strings in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    info: ErrorInfo,
    status: u16,
}

/// Runs around every UI request.
pub async fn layer(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let existing = session::cookie_value(req.headers(), COOKIE).filter(|t| well_formed(t));
    let token = existing.clone().unwrap_or_else(new_token);
    let had_flash = session::cookie_value(req.headers(), session::FLASH_COOKIE).is_some();
    let headers = req.headers().clone();
    let here = req.uri().path().to_owned();
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = if safe {
        req
    } else {
        match check(req, existing.as_deref()).await {
            Ok(req) => req,
            Err(refusal) => {
                let info = ErrorInfo {
                    title: refusal.title.into(),
                    message: refusal.message,
                };
                let chrome = error_chrome(&headers, &token, &state, &here).await;
                return finish(
                    error_page(chrome, info, refusal.status),
                    &state,
                    existing.is_none().then_some(&token),
                    false,
                );
            }
        }
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.run(req).await;
    if let Some(info) = res.extensions_mut().remove::<ErrorInfo>() {
        let chrome = error_chrome(&headers, &token, &state, &here).await;
        let status = res.status();
        let retry = res.headers().get(header::RETRY_AFTER).cloned();
        res = error_page(chrome, info, status);
        if let Some(r) = retry {
            res.headers_mut().insert(header::RETRY_AFTER, r);
        }
    }
    let clear_flash = had_flash && !res.status().is_redirection() && !session::is_htmx(&headers);
    finish(
        res,
        &state,
        existing.is_none().then_some(&token),
        clear_flash,
    )
}

/// Why a state-changing request was not let through.
struct Refusal {
    status: StatusCode,
    title: &'static str,
    message: String,
}

impl Refusal {
    fn expired(message: &str) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            title: "Form expired",
            message: message.to_owned(),
        }
    }

    fn too_large(message: String) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            title: "Too large",
            message,
        }
    }
}

/// Checks the token of a state-changing request: the header when sent (the body is then left
/// unread), else the `_csrf` field of a urlencoded or multipart body; gives the request back.
async fn check(req: Request, cookie: Option<&str>) -> Result<Request, Refusal> {
    const EXPIRED: &str = "This form has expired or was sent from another site. Go back, reload \
                           the page and try again.";
    let cookie = cookie.ok_or_else(|| Refusal::expired(EXPIRED))?;
    let header = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(sent) = header {
        return if same(&sent, cookie) {
            Ok(req)
        } else {
            Err(Refusal::expired(EXPIRED))
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let multipart = crate::identity::upload::boundary(&content_type);
    let limit = if multipart.is_some() {
        crate::identity::upload::UPLOAD_LIMIT
    } else {
        BODY_LIMIT
    };
    let (parts, body) = req.into_parts();
    let bytes = read_within(body, limit).await.map_err(|e| match e {
        BodyError::TooLarge if multipart.is_some() => Refusal::too_large(format!(
            "The file is too large: a picture may be at most {} MiB.",
            maestro_core::accounts::avatar::MAX_UPLOAD_MIB
        )),
        BodyError::TooLarge => Refusal::too_large("The form is too large.".into()),
        // The browser stopped sending (it rarely reads the answer).
        BodyError::Broken => Refusal {
            status: StatusCode::BAD_REQUEST,
            title: "Incomplete form",
            message: "The form did not arrive whole. Try again.".into(),
        },
    })?;
    let sent = if content_type.starts_with("application/x-www-form-urlencoded") {
        FormData::parse(&bytes)
            .ok()
            .map(|f| f.get(FIELD).to_owned())
    } else if let Some(b) = multipart {
        crate::identity::upload::field(&bytes, &b, FIELD)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    } else {
        None
    };
    if !same(&sent.unwrap_or_default(), cookie) {
        return Err(Refusal::expired(EXPIRED));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The page frame of an error page: with the navigation and account menu when the request
/// comes from someone signed in (a refused change should not look like being signed out).
async fn error_chrome(headers: &HeaderMap, token: &str, state: &WebState, here: &str) -> Chrome {
    let chrome = Chrome::from_headers(headers, token, state, here);
    match session::Session::from_headers(headers, state).await {
        Some(s) => chrome.with_caller(&s.caller),
        None => chrome,
    }
}

fn error_page(chrome: Chrome, info: ErrorInfo, status: StatusCode) -> Response {
    let chrome = chrome.with_title(info.title.clone(), "");
    let page = ErrorPage {
        chrome,
        info,
        status: status.as_u16(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}

fn finish(
    mut res: Response,
    state: &WebState,
    new_token: Option<&String>,
    clear_flash: bool,
) -> Response {
    let h = res.headers_mut();
    if let Some(t) = new_token {
        h.append(
            header::SET_COOKIE,
            session::cookie(COOKIE, t, None, true, state.secure_cookies),
        );
    }
    if clear_flash {
        h.append(
            header::SET_COOKIE,
            session::cookie(
                session::FLASH_COOKIE,
                "",
                Some(0),
                true,
                state.secure_cookies,
            ),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
