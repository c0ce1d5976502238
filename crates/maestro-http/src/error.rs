//! The one place errors become HTTP responses: RFC 9457 `application/problem+json` with a
//! status, a title, a detail and, for invalid input, every bad field. Internal details are
//! logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maestro_core::CoreError;
use maestro_core::ports::StoreError;
use maestro_model::FieldError;
use serde_json::json;

/// An error answered as problem+json.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", detail)
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self {
            errors,
            ..Self::new(StatusCode::BAD_REQUEST, "Invalid input", detail)
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", detail)
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid(errors) => ApiError::invalid(errors),
            CoreError::BadRequest(d) => ApiError::bad_request(d),
            CoreError::Unauthenticated(d) => ApiError::unauthorized(d),
            CoreError::Forbidden(d) => ApiError::new(StatusCode::FORBIDDEN, "Forbidden", d),
            CoreError::NotFound(d) => ApiError::not_found(d),
            CoreError::Conflict(d) => ApiError::new(StatusCode::CONFLICT, "Conflict", d),
            CoreError::TooManyRequests(secs) => ApiError {
                retry_after: Some(secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests",
                    format!("too many attempts; retry in {secs} seconds"),
                )
            },
            CoreError::Store(StoreError::Duplicate(_)) => ApiError::new(
                StatusCode::CONFLICT,
                "Conflict",
                "a unique value is already taken",
            ),
            CoreError::Store(StoreError::Conflict(_)) => ApiError::new(
                StatusCode::CONFLICT,
                "Conflict",
                "the entity was changed by someone else; try again",
            ),
            CoreError::Store(StoreError::MissingTarget(id)) => {
                ApiError::invalid(vec![FieldError::new(
                    "references",
                    format!("entity {id} does not exist"),
                )])
            }
            CoreError::Store(StoreError::Unavailable(msg)) => {
                tracing::error!(error = %msg, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service unavailable",
                    "the database is unavailable",
                )
            }
            CoreError::Store(StoreError::Other(msg)) | CoreError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error",
                    "an internal error occurred",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if !self.errors.is_empty() {
            body["errors"] = json!(self.errors);
        }
        let mut res = (self.status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body was never read: the connection cannot carry another request.
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
