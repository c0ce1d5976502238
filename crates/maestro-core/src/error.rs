//! Errors of the domain services. The HTTP layer maps each variant to one status code, in one place.

use maestro_model::FieldError;

use crate::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input that breaks the schema: every bad field is listed.
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    /// Input that is wrong as a whole (a family that does not belong to the collection, …).
    #[error("{0}")]
    BadRequest(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller may read the target but not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Absent, or not readable by the caller (the two are indistinguishable on purpose).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with current state (an e-mail already registered, …).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts, retry in {0} s")]
    TooManyRequests(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        CoreError::NotFound(format!("{what} not found"))
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
