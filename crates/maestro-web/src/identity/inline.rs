//! Errors shown where they happened: the core's field errors next to their inputs and its other
//! refusals (not allowed, conflict) as a message above the form — never a separate error page
//! for something the user can fix. Failures of the installation itself still become error pages.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use maestro_core::CoreError;

use crate::error::WebResult;

/// What went wrong with a submitted form, to render with it.
#[derive(Debug, Default)]
pub struct Inline {
    /// Input name → message.
    pub errors: HashMap<String, String>,
    /// A message about the whole form.
    pub message: Option<String>,
    pub status: Option<StatusCode>,
}

impl Inline {
    pub fn none() -> Self {
        Self::default()
    }

    /// An error on one input.
    pub fn field(name: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = HashMap::new();
        errors.insert(name.into(), message.into());
        Self {
            errors,
            message: None,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        }
    }

    /// A message about the whole form.
    pub fn message(message: impl Into<String>, status: StatusCode) -> Self {
        Self {
            errors: HashMap::new(),
            message: Some(message.into()),
            status: Some(status),
        }
    }

    /// The core's refusal as an inline error; failures that are not the user's to fix (storage,
    /// internal errors, a session gone, something not found) stay errors.
    pub fn from_core(e: CoreError) -> WebResult<Self> {
        Ok(match e {
            CoreError::Invalid(list) => Self {
                errors: list.into_iter().map(|f| (f.field, f.message)).collect(),
                message: None,
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            },
            CoreError::BadRequest(m) => Self::message(m, StatusCode::BAD_REQUEST),
            CoreError::Forbidden(m) => Self::message(m, StatusCode::FORBIDDEN),
            CoreError::Conflict(m) => Self::message(m, StatusCode::CONFLICT),
            CoreError::TooManyRequests(s) => Self::message(
                format!("Too many attempts; try again in {s} seconds."),
                StatusCode::TOO_MANY_REQUESTS,
            ),
            other => return Err(other.into()),
        })
    }

    /// Renames input names (`name` of a team form → `team_name` on a page with several forms).
    pub fn renamed(mut self, map: &[(&str, &str)]) -> Self {
        self.errors = self
            .errors
            .into_iter()
            .map(|(k, v)| {
                let k = map
                    .iter()
                    .find(|(from, _)| *from == k)
                    .map_or(k.clone(), |(_, to)| (*to).to_owned());
                (k, v)
            })
            .collect();
        self
    }

    /// Field errors whose input is not on the page, folded into the message.
    pub fn fold_unknown(mut self, shown: &[&str]) -> Self {
        let (keep, other): (HashMap<_, _>, HashMap<_, _>) = self
            .errors
            .into_iter()
            .partition(|(k, _)| shown.contains(&k.as_str()));
        self.errors = keep;
        if !other.is_empty() {
            let mut extra: Vec<String> = other.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            extra.sort();
            let text = extra.join("; ");
            self.message = Some(match self.message.take() {
                Some(m) => format!("{m} {text}"),
                None => text,
            });
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.message.is_none()
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        self.errors.get(name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }

    /// Sets the response status: the error's for full pages; 200 for htmx fragments, which
    /// htmx only swaps in on success.
    pub fn apply(&self, mut res: Response, htmx: bool) -> Response {
        if let Some(s) = self.status
            && !htmx
        {
            *res.status_mut() = s;
        }
        res
    }
}

/// A rendered page with the inline error's status.
pub fn with_status(res: WebResult<Response>, inline: &Inline, htmx: bool) -> WebResult<Response> {
    res.map(|r| inline.apply(r, htmx))
}
