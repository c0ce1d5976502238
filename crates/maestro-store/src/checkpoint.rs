//! SQLite WAL checkpoints off the write path. By default SQLite checkpoints inside the commit
//! that crosses 1,000 WAL pages — copying the pages into the database and syncing it while the
//! writer waits (a third of the time of a 500-entity write). A background task checkpoints
//! instead, on a reader connection, so commits only append to the WAL; the writer's own
//! automatic checkpoint stays as a backstop for a WAL that grows past `BACKSTOP_PAGES`.

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::task::JoinHandle;

/// Pages after which a commit checkpoints by itself (about 64 MB of WAL).
pub(crate) const BACKSTOP_PAGES: u32 = 16_384;

/// How often the background task checkpoints what was committed.
const EVERY: Duration = Duration::from_millis(250);

/// The background checkpoint task; stops when the last handle to the pools is dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer(JoinHandle<()>);

impl Checkpointer {
    pub(crate) fn start(pool: SqlitePool) -> Self {
        Self(tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // PASSIVE never blocks readers or the writer; what it cannot copy yet (pages
                // a reader still needs) the next round copies.
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::debug!(error = %e, "WAL checkpoint failed");
                }
            }
        }))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}
