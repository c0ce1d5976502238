//! Maestro's inventory model, free of I/O: typed ids, the schema registry that describes every
//! kind once, validation of documents against it, field-level diffs, JSON merge patch and the
//! parsed form of list queries. Storage, HTTP and the UI are all driven from this crate.

pub mod diff;
pub mod error;
pub mod ids;
pub mod patch;
pub mod query;
pub mod role;
pub mod schema;
pub mod search;
pub mod validate;

pub use error::FieldError;
pub use ids::{EntityId, Id, SessionId, TeamId, UserId};
pub use role::Role;
pub use schema::{Collection, Field, Kind, KindSchema, RefSpec, Ty};
