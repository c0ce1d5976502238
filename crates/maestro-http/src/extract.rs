//! Request extractors that answer bad input with problem+json: the authenticated caller, JSON
//! bodies (content type, size, syntax) and raw query pairs.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use maestro_core::{Caller, Source};
use serde_json::Value;

use crate::AppState;
use crate::error::ApiError;

mod strict_json;

/// The authenticated caller, from `Authorization: Bearer <token>`.
pub struct Auth {
    pub caller: Caller,
    pub session: uuid::Uuid,
}

/// The cookie the web UI keeps its session token in.
pub const SESSION_COOKIE: &str = "maestro_session";

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The UI's session cookie — accepted for safe methods only (GET/HEAD), so a cross-site form
/// can never change anything through the API with it.
fn session_cookie(parts: &Parts) -> Option<&str> {
    if !matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        return None;
    }
    sent_session_cookie(parts)
}

/// The UI's session cookie as sent, whatever the method.
fn sent_session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.trim())
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .or_else(|| session_cookie(parts))
            .ok_or_else(|| {
                // A session cookie sent with a change: say why it is not enough.
                ApiError::unauthorized(if sent_session_cookie(parts).is_some() {
                    "the web UI's session cookie only reads through the API (so no other site can \
                     change anything with it); send a token: Authorization: Bearer <token> \
                     (POST /api/v1/auth/login or an API token from /tokens)"
                } else {
                    "send a token: Authorization: Bearer <token> (POST /api/v1/auth/login)"
                })
            })?;
        let (caller, session) = state.core.authenticate(token, Source::Api).await?;
        Ok(Auth { caller, session })
    }
}

/// A JSON body: `application/json` (or `application/merge-patch+json`), within the size
/// limit, syntactically valid.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        json_content_type(req.headers())?;
        let bytes = read_body(req, state).await?;
        Ok(JsonBody(parse_json(&bytes)?))
    }
}

/// An optional JSON body: nothing (or blank) reads as `{}`; anything else is a [`JsonBody`].
pub struct OptionalJsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for OptionalJsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let typed = json_content_type(req.headers());
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(Value::Object(Default::default())));
        }
        typed?;
        Ok(OptionalJsonBody(parse_json(&bytes)?))
    }
}

/// 415 unless the body is declared `application/json` or `application/merge-patch+json`.
fn json_content_type(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if content_type != "application/json" && content_type != "application/merge-patch+json" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            "send the body as application/json (or application/merge-patch+json)",
        ));
    }
    Ok(())
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                "the body is larger than the limit",
            )
        } else {
            ApiError::bad_request(format!("cannot read the body: {e}"))
        }
    })
}

fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice::<strict_json::Strict>(bytes)
        .map(|v| v.0)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))
}

/// The query string as ordered `(key, value)` pairs.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map(QueryPairs)
            .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))
    }
}

/// Path parameters in route order, percent-decoded.
pub struct PathParams(Vec<String>);

impl PathParams {
    pub fn get(&self, i: usize) -> &str {
        self.0.get(i).map_or("", String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("bad path: {e}")))?;
        Ok(PathParams(raw.iter().map(|(_, v)| v.to_owned()).collect()))
    }
}

/// The client's IP address, when the server knows it (used to throttle logins).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let info = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(info))
    }
}

/// A raw upload body (avatars), within the upload limit.
pub struct Upload(pub Bytes);

/// Bytes of an oversized upload read, and dropped, before it is refused. Answering while the
/// client still sends, then closing, resets the connection: the client sees a broken pipe
/// instead of the 413 (and the test suite saw it now and then).
const DRAINED: usize = 4 * crate::UPLOAD_LIMIT;

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        // A form upload wraps the image in multipart framing: say what to send instead of
        // "not an image".
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                t.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/")
            });
        if form {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "send the image itself as the request body (e.g. curl --data-binary @me.png \
                 -H 'content-type: image/png'), not as a multipart form",
            ));
        }
        let mut body = req.into_body().into_data_stream();
        let mut kept = BytesMut::new();
        let mut read = 0;
        while let Some(chunk) = body.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::bad_request(format!("cannot read the body: {e}")))?;
            read += chunk.len();
            if read <= crate::UPLOAD_LIMIT {
                kept.extend_from_slice(&chunk);
            } else if read > DRAINED {
                break;
            }
        }
        if read > crate::UPLOAD_LIMIT {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                "the upload is larger than the limit",
            ));
        }
        Ok(Upload(kept.freeze()))
    }
}
