//! Route handlers, one module per resource.

pub mod auth;
pub mod inventory;
pub mod meta;
pub mod openapi;
pub mod openapi_identity;
pub mod settings;
pub mod teams;
pub mod users;
