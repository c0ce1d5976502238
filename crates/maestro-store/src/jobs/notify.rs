//! Events across processes on PostgreSQL: every event published on this process's bus is sent
//! with `NOTIFY` (batched: one statement carries up to a few hundred), and a dedicated
//! `LISTEN` connection hands other processes' events to the local bus. Both tasks end when the
//! bus is dropped. PostgreSQL-only, so this file talks to sqlx directly.

use std::sync::Arc;
use std::time::Duration;

use maestro_core::jobs::bus::{Bus, Relay, WeakBus};
use maestro_core::ports::StoreResult;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{mpsc, oneshot};

use crate::Db;
use crate::db::{Pools, db_err};

/// The channel events travel on.
pub const CHANNEL: &str = "maestro_events";
/// Events waiting to be sent before new ones are dropped.
const QUEUE: usize = 16_384;
/// Events per `NOTIFY` statement.
const BATCH: usize = 256;

/// Sends this process's events (owned by the bus; dropping it ends both tasks).
struct PgRelay {
    tx: mpsc::Sender<String>,
    _stop: oneshot::Sender<()>,
}

impl Relay for PgRelay {
    fn send(&self, payload: String) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(payload) {
            tracing::warn!("event relay overloaded: an event was not sent to other processes");
        }
    }
}

impl Db {
    /// On PostgreSQL, relays `bus` to and from the other processes sharing the database and
    /// returns true; on SQLite (one process) does nothing and returns false.
    pub async fn relay_events(&self, bus: &Bus) -> StoreResult<bool> {
        let Pools::Postgres(pool) = &self.pools else {
            return Ok(false);
        };
        let mut listener = PgListener::connect_with(pool).await.map_err(db_err)?;
        listener.listen(CHANNEL).await.map_err(db_err)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let (stop_tx, stop_rx) = oneshot::channel();
        tokio::spawn(send_loop(pool.clone(), rx));
        tokio::spawn(listen_loop(listener, bus.downgrade(), stop_rx));
        bus.set_relay(Arc::new(PgRelay { tx, _stop: stop_tx }));
        Ok(true)
    }
}

async fn send_loop(pool: PgPool, mut rx: mpsc::Receiver<String>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let payloads = std::mem::take(&mut batch);
        let sent = sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
            .bind(CHANNEL)
            .bind(&payloads)
            .execute(&pool)
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, events = payloads.len(), "cannot send events to other processes");
            if pool.is_closed() {
                return;
            }
        }
    }
}

async fn listen_loop(mut listener: PgListener, bus: WeakBus, mut stop: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            _ = &mut stop => return,
            n = listener.try_recv() => match n {
                Ok(Some(n)) => match bus.upgrade() {
                    Some(bus) => bus.receive_remote(n.payload()),
                    None => return,
                },
                // Reconnected: events sent meanwhile are lost (workers also poll).
                Ok(None) => tracing::warn!("event listener reconnected"),
                Err(e) => {
                    tracing::warn!(error = %e, "event listener failed; retrying");
                    tokio::select! {
                        _ = &mut stop => return,
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            },
        }
    }
}
