//! SQLite WAL checkpoints off the write path. By default SQLite checkpoints inside the commit
//! that crosses 1,000 WAL pages — copying the pages into the database and syncing it while the
//! writer waits (a third of the time of a 500-entity write). A background task checkpoints
//! instead, on a reader connection, so commits only append to the WAL; the writer's own
//! automatic checkpoint stays as a backstop for a WAL that grows past `BACKSTOP_PAGES`.
//!
//! A passive checkpoint copies pages but cannot rewind the WAL while readers keep reading, and
//! during a long load they always are (a discovery sync reads every page it writes): the WAL
//! grew past the old 64 MB backstop a second into a 20,000-server sync, and from then on
//! *every* commit checkpointed and synced the database — the writer's thread waited a third of
//! the time. So when the WAL passes `RESTART_PAGES` the task asks for a restarting checkpoint
//! instead, which holds new writes back (briefly: one copy and sync of what the passive rounds
//! left) until readers leave the WAL, so the next commit writes it from the start again; and
//! SQLite shrinks the file back to `WAL_KEPT_BYTES` when it does. It waits for readers at most
//! `RESTART_WAIT` (a long report must not hold writes back): a restart that cannot finish
//! gives up and the next round tries again.

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::task::JoinHandle;

/// Pages after which a commit checkpoints by itself (about 256 MB of WAL).
pub(crate) const BACKSTOP_PAGES: u32 = 65_536;

/// Pages after which the background task restarts the WAL (about 64 MB).
const RESTART_PAGES: i64 = 16_384;

/// The longest a restart waits for readers to leave the WAL, new writes waiting meanwhile.
const RESTART_WAIT: Duration = Duration::from_millis(100);

/// Bytes of WAL file kept once the WAL rewinds (`journal_size_limit`).
pub(crate) const WAL_KEPT_BYTES: u64 = 64 << 20;

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
                let restart = match passive(&pool).await {
                    Ok(frames) => frames >= RESTART_PAGES,
                    Err(_) if pool.is_closed() => return,
                    Err(e) => {
                        tracing::debug!(error = %e, "WAL checkpoint failed");
                        false
                    }
                };
                if restart && let Err(e) = restart_wal(&pool).await {
                    tracing::debug!(error = %e, "WAL restart failed");
                }
            }
        }))
    }
}

/// Runs a passive checkpoint; answers the frames in the WAL.
async fn passive(pool: &SqlitePool) -> sqlx::Result<i64> {
    let (_busy, frames, _copied): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(pool)
            .await?;
    Ok(frames)
}

/// Copies the rest of the WAL and has the next commit write it from the start, waiting at
/// most `RESTART_WAIT` for readers (the connection's own busy timeout is put back after).
async fn restart_wal(pool: &SqlitePool) -> sqlx::Result<()> {
    let mut conn = pool.acquire().await?;
    let wait = |ms: u128| sqlx::AssertSqlSafe(format!("PRAGMA busy_timeout = {ms}"));
    sqlx::query(wait(RESTART_WAIT.as_millis()))
        .execute(&mut *conn)
        .await?;
    let restarted = sqlx::query("PRAGMA wal_checkpoint(RESTART)")
        .execute(&mut *conn)
        .await;
    if let Err(e) = sqlx::query(wait(crate::db::BUSY_TIMEOUT.as_millis()))
        .execute(&mut *conn)
        .await
    {
        // Not back in the pool with the short timeout.
        conn.close_on_drop();
        return Err(e);
    }
    restarted.map(drop)
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}
