//! Typed identifiers. Every id is a UUIDv7 (time-ordered) shown to clients as an opaque string;
//! the type parameter stops a team id from being passed where an entity id is expected.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// A UUIDv7 tagged with what it identifies.
pub struct Id<T> {
    uuid: Uuid,
    _tag: PhantomData<fn() -> T>,
}

/// Tags for [`Id`].
pub mod tag {
    pub enum Entity {}
    pub enum User {}
    pub enum Team {}
    pub enum Session {}
    pub enum Change {}
}

pub type EntityId = Id<tag::Entity>;
pub type UserId = Id<tag::User>;
pub type TeamId = Id<tag::Team>;
pub type SessionId = Id<tag::Session>;
pub type ChangeId = Id<tag::Change>;

impl<T> Id<T> {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        Self::from_uuid(Uuid::now_v7())
    }

    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self {
            uuid,
            _tag: PhantomData,
        }
    }

    pub fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// Reinterprets the id under another tag (e.g. a principal id that is a user or a team).
    pub fn cast<U>(self) -> Id<U> {
        Id::from_uuid(self.uuid)
    }
}

impl<T> Default for Id<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}
impl<T> Eq for Id<T> {}
impl<T> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.uuid.hash(state)
    }
}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.uuid.cmp(&other.uuid)
    }
}

impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.uuid.as_hyphenated().fmt(f)
    }
}
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.uuid.as_hyphenated())
    }
}

/// The error for a string that is not an id.
#[derive(Debug, Clone, thiserror::Error)]
#[error("not a valid id: {0:?}")]
pub struct BadId(pub String);

impl<T> FromStr for Id<T> {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Only the canonical hyphenated form: ids are compared as strings in SQL.
        if s.len() != 36 {
            return Err(BadId(s.chars().take(64).collect()));
        }
        Uuid::parse_str(s)
            .map(Self::from_uuid)
            .map_err(|_| BadId(s.to_owned()))
    }
}

impl<T> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de, T> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let id = EntityId::new();
        let back: EntityId = id.to_string().parse().unwrap();
        assert_eq!(id, back);
        assert!("abc".parse::<EntityId>().is_err());
        assert!("5f1b2c3d4e5f6a7b8c9d0e1f".parse::<EntityId>().is_err());
        let simple = id.uuid().simple().to_string();
        assert!(simple.parse::<EntityId>().is_err());
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let a = EntityId::new();
        let b = EntityId::new();
        assert!(a < b);
    }
}
