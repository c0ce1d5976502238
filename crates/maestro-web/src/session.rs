//! Cookies and requests: reading and writing cookies (the session token, the CSRF token, the
//! theme, one-shot flash messages), form bodies, redirects, and the signed-in caller.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use maestro_core::{Caller, Source};
use uuid::Uuid;

use crate::WebState;
use crate::error::WebError;

/// The cookie holding the login token.
pub const SESSION_COOKIE: &str = "maestro_session";
/// The cookie holding one-shot messages for the next page.
pub const FLASH_COOKIE: &str = "maestro_flash";

/// The value of cookie `name` in `headers`.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// A `Set-Cookie` header value. `max_age: Some(0)` deletes the cookie.
pub fn cookie(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// A 303 redirect to a local path, setting `cookies`.
pub fn redirect_with(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response();
    for c in cookies {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

pub fn redirect(to: &str) -> Response {
    redirect_with(to, Vec::new())
}

/// Only local absolute paths are followed (never `//host` or a scheme): no open redirects.
pub fn safe_path(raw: &str) -> Option<String> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.chars().any(|c| c.is_control())
        && raw.len() <= 2000;
    ok.then(|| raw.to_owned())
}

/// Where to go back to: an explicit local path, else the local Referer, else the dashboard.
pub fn safe_back(explicit: &str, headers: &HeaderMap) -> String {
    if let Some(p) = safe_path(explicit) {
        return p;
    }
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            let host = headers.get(header::HOST)?.to_str().ok()?;
            let rest = r
                .strip_prefix("http://")
                .or_else(|| r.strip_prefix("https://"))?;
            let path = rest.strip_prefix(host)?;
            safe_path(path)
        })
        .unwrap_or_else(|| "/".to_owned())
}

/// Percent-encodes everything but unreserved characters (for cookie values and query strings).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`encode`] (and `+` as space).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A message shown once on the next page.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    /// `ok`, `warn` or `error`.
    pub kind: String,
    pub text: String,
}

impl Flash {
    pub fn ok(text: impl Into<String>) -> Self {
        Self {
            kind: "ok".into(),
            text: text.into(),
        }
    }
    pub fn warn(text: impl Into<String>) -> Self {
        Self {
            kind: "warn".into(),
            text: text.into(),
        }
    }
}

/// The cookie carrying `messages` to the next page (kept small).
pub fn flash_cookie(messages: &[Flash], secure: bool) -> HeaderValue {
    let mut list: Vec<Flash> = messages.to_vec();
    let mut json = serde_json::to_string(&list).unwrap_or_default();
    while encode(&json).len() > 3000 && !list.is_empty() {
        list.pop();
        json = serde_json::to_string(&list).unwrap_or_default();
    }
    cookie(FLASH_COOKIE, &encode(&json), Some(60), true, secure)
}

/// Messages left by the previous request.
pub fn read_flash(headers: &HeaderMap) -> Vec<Flash> {
    cookie_value(headers, FLASH_COOKIE)
        .and_then(|raw| serde_json::from_str(&decode(&raw)).ok())
        .unwrap_or_default()
}

/// Whether htmx sent the request.
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// A signed-in caller, from the session cookie.
pub struct Session {
    pub caller: Caller,
    pub id: Uuid,
}

impl Session {
    /// The session of the request, if its cookie holds a valid token.
    pub async fn from_headers(headers: &HeaderMap, state: &WebState) -> Option<Session> {
        let token = cookie_value(headers, SESSION_COOKIE)?;
        if token.is_empty() {
            return None;
        }
        let (caller, id) = state.core.authenticate(&token, Source::Ui).await.ok()?;
        Some(Session { caller, id })
    }
}

impl FromRequestParts<WebState> for Session {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        match Session::from_headers(&parts.headers, state).await {
            Some(s) => Ok(s),
            None => Err(WebError::sign_in(parts)),
        }
    }
}

/// The client's IP address, when the server knows it (sign-in failures are throttled per address).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, WebError> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A submitted form (`application/x-www-form-urlencoded`) as ordered pairs.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pub pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(|pairs| FormData { pairs })
            .map_err(|e| format!("malformed form: {e}"))
    }

    /// The last value sent for `name` ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Extracts a [`FormData`] body.
pub struct Form(pub FormData);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(format!("cannot read the form: {e}")))?;
        FormData::parse(&bytes)
            .map(Form)
            .map_err(WebError::BadRequest)
    }
}
