//! PostgreSQL upkeep after bulk inserts: bulk loads and first discovery syncs grow tables
//! faster than autovacuum notices. Stale row estimates turn index lookups into scans, and pages
//! not yet marked all-visible make every count read the rows its index already answers.
//!
//! The two are refreshed on different schedules. `VACUUM` of an insert-only table visits only
//! the pages written since the last one, so it is due every few thousand new entities. `ANALYZE`
//! costs the same at any size — it samples 30,000 rows and checks each against the predicate of
//! every partial index (66 on `entities`), 0.6 s at 60k servers — so it is due when the entities
//! doubled since the last one (the planner scales its row estimates to a table's current size
//! anyway; what it must not miss is a table that grew from nearly empty).
//!
//! `VACUUM` runs as soon as it is due: it is cheap, and without it a list read during a load
//! visits every row its index already answers. The first `ANALYZE` (at a thousand entities,
//! what a table grown from empty needs) runs at once too; later ones wait for the inserts to
//! pause (`SETTLE`), or at most `MAX_DELAY` during a load that does not pause, instead of taking
//! the CPU from the load that made them due: run in the middle of a first discovery sync they
//! cost it about a tenth of its rate on two cores.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::db::Pools;
use crate::sql::{Dialect, Sql};

/// Vacuum after this many new entities (and once at the first thousand).
const EVERY: u64 = 5_000;

/// A due `ANALYZE` waits until no entity was inserted for this long…
const SETTLE: Duration = Duration::from_secs(1);
/// …or this long during a load that does not pause.
const MAX_DELAY: Duration = Duration::from_secs(30);

/// The tables whose visibility maps the inventory's counts read (index-only scans).
const VACUUMED: &str = "entities, acl, relations, key_counts";

/// The tables whose statistics the inventory's plans depend on: the history too, which no
/// index-only scan reads (autovacuum sets its visibility in its own time).
const ANALYZED: &str = "entities, acl, relations, changes, key_counts";

#[derive(Debug, Default)]
pub(crate) struct Upkeep {
    /// Entities inserted since the process started.
    inserted: AtomicU64,
    /// `inserted` when statistics were last refreshed.
    analyzed_at: AtomicU64,
    /// The entities the last refresh counted.
    analyzed_rows: AtomicU64,
    /// A `VACUUM` is running: the next one waits for a later threshold instead of queueing.
    vacuuming: AtomicBool,
    /// An `ANALYZE` is waiting for its moment or running.
    analyzing: AtomicBool,
}

impl Upkeep {
    /// Counts inserts; on PostgreSQL now and then runs `VACUUM` in the background (the
    /// visibility map, so counts are index-only scans), and `ANALYZE` when the tables grew
    /// enough for the planner's statistics to matter.
    pub(crate) fn note_inserts(self: &Arc<Self>, pools: &Pools, n: u64) {
        if n == 0 || pools.dialect() != Dialect::Postgres {
            return;
        }
        let before = self.inserted.fetch_add(n, Ordering::Relaxed);
        let now = before + n;
        let first = before < 1_000 && now >= 1_000;
        if before / EVERY == now / EVERY && !first {
            return;
        }
        if !self.vacuuming.swap(true, Ordering::AcqRel) {
            let (this, pools) = (self.clone(), pools.clone());
            tokio::spawn(async move {
                // VACUUM cannot run inside a transaction block.
                let vacuum = format!("VACUUM {VACUUMED}");
                if let Err(e) = pools.run_outside_transaction(&vacuum).await {
                    tracing::warn!(error = %e, "vacuum after bulk inserts failed");
                }
                this.vacuuming.store(false, Ordering::Release);
            });
        }
        if self.wants_analyze(now) && !self.analyzing.swap(true, Ordering::AcqRel) {
            let (this, pools) = (self.clone(), pools.clone());
            tokio::spawn(async move {
                if !first {
                    settled(&this.inserted, SETTLE, MAX_DELAY).await;
                }
                if let Err(e) = this.analyze(&pools).await {
                    tracing::warn!(error = %e, "statistics after bulk inserts failed");
                }
                this.analyzing.store(false, Ordering::Release);
            });
        }
    }

    /// Whether the entities grew enough since the last `ANALYZE` (always true for the first).
    fn wants_analyze(&self, inserted: u64) -> bool {
        let at = self.analyzed_at.load(Ordering::Relaxed);
        let rows = self.analyzed_rows.load(Ordering::Relaxed);
        at == 0 || inserted - at >= EVERY.max(rows)
    }

    async fn analyze(&self, pools: &Pools) -> maestro_core::ports::StoreResult<()> {
        let inserted = self.inserted.load(Ordering::Relaxed);
        pools
            .run_outside_transaction(&format!("ANALYZE {ANALYZED}"))
            .await?;
        let rows = pools
            .fetch_i64(&Sql::new(
                "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = 'entities'::regclass",
            ))
            .await?;
        self.analyzed_rows
            .store(u64::try_from(rows).unwrap_or(0), Ordering::Relaxed);
        self.analyzed_at.store(inserted, Ordering::Relaxed);
        Ok(())
    }
}

/// Returns once no insert was counted in `inserted` for `settle`, or after `max`.
async fn settled(inserted: &AtomicU64, settle: Duration, max: Duration) {
    let start = Instant::now();
    loop {
        let seen = inserted.load(Ordering::Relaxed);
        tokio::time::sleep(settle).await;
        if inserted.load(Ordering::Relaxed) == seen || start.elapsed() >= max {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_refresh_waits_for_inserts_to_pause_or_at_most_max_delay() {
        let start = Instant::now();
        let quiet = AtomicU64::new(0);
        settled(&quiet, SETTLE, MAX_DELAY).await;
        assert_eq!(start.elapsed(), SETTLE, "nothing inserted: one pause");

        let busy = Arc::new(AtomicU64::new(0));
        let load = tokio::spawn({
            let busy = busy.clone();
            async move {
                for _ in 0..(5 * 60 * 10) {
                    busy.fetch_add(500, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        });
        let start = Instant::now();
        settled(&busy, SETTLE, MAX_DELAY).await;
        assert!(start.elapsed() >= MAX_DELAY && start.elapsed() < MAX_DELAY + SETTLE * 2);
        load.abort();

        let start = Instant::now();
        let paused = Arc::new(AtomicU64::new(0));
        let burst = tokio::spawn({
            let paused = paused.clone();
            async move {
                for _ in 0..25 {
                    paused.fetch_add(500, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        });
        settled(&paused, SETTLE, MAX_DELAY).await;
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_secs(5) && waited < Duration::from_secs(7),
            "a five-second burst, then a pause: {waited:?}"
        );
        burst.await.unwrap();
    }

    #[test]
    fn statistics_are_refreshed_as_the_entities_double() {
        let u = Upkeep::default();
        assert!(u.wants_analyze(1_000), "the first refresh");
        u.analyzed_at.store(1_000, Ordering::Relaxed);
        u.analyzed_rows.store(1_000, Ordering::Relaxed);
        assert!(!u.wants_analyze(5_000));
        assert!(u.wants_analyze(6_000), "at least every 5,000 while small");
        u.analyzed_at.store(100_000, Ordering::Relaxed);
        u.analyzed_rows.store(100_000, Ordering::Relaxed);
        assert!(!u.wants_analyze(195_000));
        assert!(u.wants_analyze(200_000), "twice as many");
    }
}
