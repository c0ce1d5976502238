//! Domain events (entity created/updated/deleted/restored, job progress and status, schedule
//! runs) published after a write commits, for live notifications. Each event names who may see
//! it, so delivery never needs to re-read access rules.

use chrono::{DateTime, Utc};
use maestro_model::EntityId;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// Who may receive an event.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ids")]
pub enum Audience {
    /// Every signed-in account (the services catalog, settings).
    Everyone,
    /// Administrators, plus these principals (users or teams) — an entity's owner and grantees.
    Principals(Vec<Uuid>),
}

impl Audience {
    /// Whether a subscriber with these principal ids (None = administrator) may see the event.
    pub fn admits(&self, subscriber: Option<&[Uuid]>) -> bool {
        match (self, subscriber) {
            (Audience::Everyone, _) | (_, None) => true,
            (Audience::Principals(ids), Some(mine)) => ids.iter().any(|i| mine.contains(i)),
        }
    }
}

/// Something that happened, as sent to live subscribers.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// `entity.created`, `entity.updated`, `entity.deleted`, `entity.restored`, `job.progress`,
    /// `job.status`, `schedule.run`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub data: Value,
    #[serde(skip)]
    pub audience: Audience,
}

/// Receives events after their write committed (in-process bus, PostgreSQL NOTIFY, …).
pub trait EventSink: Send + Sync + 'static {
    fn publish(&self, event: Event);
}

/// An entity event's payload.
pub fn entity_event(
    op: &str,
    kind: &str,
    id: EntityId,
    name: &str,
    family: Option<&str>,
    at: DateTime<Utc>,
    audience: Audience,
) -> Event {
    Event {
        id: Uuid::now_v7(),
        at,
        kind: format!("entity.{op}"),
        data: serde_json::json!({"id": id, "kind": kind, "name": name, "family": family,
            "collection": maestro_model::schema::Collection::of(
                maestro_model::Kind::parse(kind).unwrap_or(maestro_model::Kind::Server), family).segment()}),
        audience,
    }
}

/// Reacts to committed entity writes inside the process (e.g. discovery creating a
/// connection's schedules). `op` is `created`, `updated`, `deleted` or `restored`.
#[async_trait::async_trait]
pub trait WriteHook: Send + Sync + 'static {
    async fn after(&self, op: &str, record: &crate::ports::EntityRecord);
}
