//! `GET /api/v1/events`: live events as Server-Sent Events — job status and progress, schedule
//! runs and changes, entity creations, updates, deletions and restorations — each delivered
//! only to callers allowed to read what it is about (administrators get everything).
//! Authenticated by the bearer token or the UI's session cookie; the stream ends when the
//! session does. `?types=job.,entity.` keeps only events whose type starts with one of the
//! prefixes. A slow client never holds up Maestro: it misses the oldest events and receives a
//! `lagged` event saying how many.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use maestro_core::Core;
use maestro_core::events::Event;
use maestro_core::jobs::Stop;
use maestro_model::{FieldError, Role};
use tokio::sync::broadcast::{Receiver, error::RecvError};
use tokio::time::Instant;
use uuid::Uuid;

use super::jobs::service;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, QueryPairs};

/// Comment lines sent when nothing else is, so proxies keep the connection open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often an idle stream checks its session again (revoked or expired: the stream ends).
const SESSION_CHECK: Duration = Duration::from_secs(10);

/// An event is delivered only under a session checked this recently: after a logout, a
/// revoked token or a disabled account, nothing more arrives (one read per burst of events).
const SESSION_FRESH: Duration = Duration::from_secs(2);

struct Feed {
    rx: Receiver<Arc<Event>>,
    /// The caller's principals (None: administrator).
    who: Option<Vec<Uuid>>,
    types: Vec<String>,
    core: Core,
    session: Uuid,
    check_at: Instant,
    /// When the session was last found alive.
    checked: Instant,
    greeted: bool,
    /// The server is shutting down.
    closed: Stop,
}

impl Feed {
    fn wants(&self, e: &Event) -> bool {
        e.audience.admits(self.who.as_deref())
            && (self.types.is_empty() || self.types.iter().any(|t| e.kind.starts_with(t.as_str())))
    }

    async fn session_alive(&self) -> bool {
        match self.core.store.session(self.session).await {
            Ok(Some(s)) => s.is_live(self.core.now()),
            Ok(None) => false,
            // A database hiccup does not end the stream.
            Err(_) => true,
        }
    }
}

fn sse(e: &Event) -> SseEvent {
    SseEvent::default()
        .event(e.kind.as_str())
        .id(e.id.to_string())
        .json_data(e)
        .unwrap_or_else(|_| SseEvent::default().comment("unencodable event"))
}

async fn next(mut f: Feed) -> Option<(Result<SseEvent, Infallible>, Feed)> {
    if !f.greeted {
        f.greeted = true;
        return Some((Ok(SseEvent::default().event("ready").data("{}")), f));
    }
    loop {
        tokio::select! {
            r = f.rx.recv() => match r {
                Ok(e) if f.wants(&e) => {
                    if f.checked.elapsed() > SESSION_FRESH {
                        if !f.session_alive().await {
                            return None;
                        }
                        f.checked = Instant::now();
                    }
                    return Some((Ok(sse(&e)), f));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(n)) => {
                    let missed = SseEvent::default().event("lagged").data(format!("{{\"missed\":{n}}}"));
                    return Some((Ok(missed), f));
                }
                Err(RecvError::Closed) => return None,
            },
            () = f.closed.wait() => return None,
            () = tokio::time::sleep_until(f.check_at) => {
                if !f.session_alive().await {
                    return None;
                }
                f.checked = Instant::now();
                f.check_at = f.checked + SESSION_CHECK;
            }
        }
    }
}

pub async fn stream(
    State(s): State<AppState>,
    auth: Auth,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let jobs = service(&s)?;
    let mut types = Vec::new();
    let mut errors = Vec::new();
    for (k, v) in &q {
        match k.as_str() {
            "types" => types.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            ),
            other => errors.push(FieldError::new(other, "unknown parameter (use types)")),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let feed = Feed {
        rx: jobs.bus.subscribe(),
        who: auth.caller.access().principals_for(Role::Read),
        types,
        core: s.core.clone(),
        session: auth.session,
        check_at: Instant::now() + SESSION_CHECK,
        checked: Instant::now(),
        greeted: false,
        closed: jobs.closed(),
    };
    Ok(Sse::new(futures::stream::unfold(feed, next))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")))
}
