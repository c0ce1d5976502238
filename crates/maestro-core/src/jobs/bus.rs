//! The event bus behind live notifications: an in-process broadcast that every subscriber (an
//! SSE stream, an idle worker) reads from, plus an optional [`Relay`] that carries events to
//! other processes sharing the database (PostgreSQL `LISTEN/NOTIFY`). Publishing never blocks:
//! a subscriber that falls behind loses the oldest events and is told how many.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::events::{Audience, Event, EventSink};

/// Events kept for subscribers that have not read them yet.
pub const DEFAULT_CAPACITY: usize = 4096;
/// Largest relayed event (PostgreSQL's NOTIFY payloads stop at 8000 bytes).
const MAX_WIRE: usize = 7800;

/// Carries encoded events to the other processes; implemented in `maestro-store`.
pub trait Relay: Send + Sync + 'static {
    /// Sends without waiting (dropping the event if the relay is overwhelmed).
    fn send(&self, payload: String);
}

struct Inner {
    tx: broadcast::Sender<Arc<Event>>,
    /// Identifies this process, so it ignores its own events coming back from the relay.
    origin: Uuid,
    relay: OnceLock<Arc<dyn Relay>>,
}

/// The bus; cheap to clone.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("origin", &self.inner.origin)
            .field("subscribers", &self.inner.tx.receiver_count())
            .finish()
    }
}

impl Default for Bus {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

/// An event as it crosses processes: the event, who may see it, and where it came from.
#[derive(Serialize, Deserialize)]
struct Wire {
    o: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
    #[serde(rename = "type")]
    kind: String,
    data: Value,
    /// None: everyone; Some: administrators plus these principals.
    to: Option<Vec<Uuid>>,
}

impl Bus {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(16));
        Self {
            inner: Arc::new(Inner {
                tx,
                origin: Uuid::now_v7(),
                relay: OnceLock::new(),
            }),
        }
    }

    /// Receives every event published from now on (filter by [`Audience::admits`]).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.inner.tx.subscribe()
    }

    /// Also sends every event to other processes through `relay` (set once).
    pub fn set_relay(&self, relay: Arc<dyn Relay>) {
        let _ = self.inner.relay.set(relay);
    }

    /// Delivers an event relayed from another process (own events are skipped).
    pub fn receive_remote(&self, payload: &str) {
        match serde_json::from_str::<Wire>(payload) {
            Ok(w) if w.o == self.inner.origin => {}
            Ok(w) => {
                let audience = match w.to {
                    None => Audience::Everyone,
                    Some(ids) => Audience::Principals(ids),
                };
                let _ = self.inner.tx.send(Arc::new(Event {
                    id: w.id,
                    at: w.at,
                    kind: w.kind,
                    data: w.data,
                    audience,
                }));
            }
            Err(e) => tracing::warn!(error = %e, "malformed relayed event ignored"),
        }
    }

    /// A weak handle, for tasks that must not keep the bus alive.
    pub fn downgrade(&self) -> WeakBus {
        WeakBus(Arc::downgrade(&self.inner))
    }

    fn encode(&self, e: &Event) -> String {
        let mut wire = Wire {
            o: self.inner.origin,
            id: e.id,
            at: e.at,
            kind: e.kind.clone(),
            data: e.data.clone(),
            to: match &e.audience {
                Audience::Everyone => None,
                Audience::Principals(ids) => Some(ids.clone()),
            },
        };
        let mut text = serde_json::to_string(&wire).unwrap_or_default();
        if text.len() > MAX_WIRE {
            // Too large to relay whole: keep what identifies it, so clients can fetch it.
            let id = wire.data.get("id").cloned().unwrap_or(Value::Null);
            wire.data = serde_json::json!({"id": id, "truncated": true});
            text = serde_json::to_string(&wire).unwrap_or_default();
        }
        text
    }
}

impl EventSink for Bus {
    fn publish(&self, event: Event) {
        if let Some(relay) = self.inner.relay.get() {
            relay.send(self.encode(&event));
        }
        // No subscriber is not an error.
        let _ = self.inner.tx.send(Arc::new(event));
    }
}

/// A [`Bus`] that may have been dropped.
#[derive(Clone)]
pub struct WeakBus(std::sync::Weak<Inner>);

impl WeakBus {
    pub fn upgrade(&self) -> Option<Bus> {
        self.0.upgrade().map(|inner| Bus { inner })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Capture(Mutex<Vec<String>>);
    impl Relay for Capture {
        fn send(&self, payload: String) {
            self.0.lock().unwrap().push(payload);
        }
    }

    fn event(kind: &str, audience: Audience) -> Event {
        Event {
            id: Uuid::now_v7(),
            at: Utc::now(),
            kind: kind.into(),
            data: serde_json::json!({"id": "x", "big": "y".repeat(10_000)}),
            audience,
        }
    }

    #[tokio::test]
    async fn relays_across_buses_and_skips_its_own() {
        let (a, b) = (Bus::default(), Bus::default());
        let capture = Arc::new(Capture(Mutex::new(Vec::new())));
        a.set_relay(capture.clone());
        let mut ra = a.subscribe();
        let mut rb = b.subscribe();
        let owner = Uuid::now_v7();
        a.publish(event("job.status", Audience::Principals(vec![owner])));
        assert_eq!(ra.recv().await.unwrap().kind, "job.status");
        let sent = capture.0.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        assert!(sent[0].len() <= MAX_WIRE, "large payloads are truncated");
        // Its own event coming back is ignored; another bus delivers it.
        a.receive_remote(&sent[0]);
        assert!(ra.try_recv().is_err());
        b.receive_remote(&sent[0]);
        let got = rb.recv().await.unwrap();
        assert_eq!(got.data["truncated"], true);
        assert!(got.audience.admits(Some(&[owner])));
        assert!(!got.audience.admits(Some(&[Uuid::now_v7()])));
    }

    #[tokio::test]
    async fn slow_subscribers_lag_instead_of_blocking() {
        let bus = Bus::new(16);
        let mut r = bus.subscribe();
        for _ in 0..100 {
            bus.publish(event("entity.created", Audience::Everyone));
        }
        assert!(matches!(
            r.recv().await,
            Err(broadcast::error::RecvError::Lagged(84))
        ));
    }
}
