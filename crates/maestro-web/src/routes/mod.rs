//! Page handlers, one module per page or resource. Each handler extracts the caller, calls the
//! domain services (`maestro_core::Core`) and renders a template; none holds a business rule.

pub mod account;
pub mod dashboard;
pub mod edit;
pub mod entity;
pub mod filters;
pub mod list;
pub mod partials;
pub mod regions;
pub mod relations;
pub mod setting_values;
pub mod settings;

use maestro_model::EntityId;
use maestro_model::schema::Collection;

use crate::error::{WebError, WebResult};

/// The collection of a URL segment, or an HTML 404.
pub fn collection(segment: &str) -> WebResult<Collection> {
    Collection::parse(segment)
        .ok_or_else(|| WebError::NotFound("There is no page at this address.".into()))
}

/// An entity id from the URL, or an HTML 404.
pub fn entity_id(raw: &str) -> WebResult<EntityId> {
    raw.parse()
        .map_err(|_| WebError::NotFound("There is no such entity.".into()))
}
