//! PostgreSQL upkeep after bulk inserts: bulk loads and first discovery syncs grow tables
//! faster than autovacuum notices. Stale row estimates turn index lookups into scans, and pages
//! not yet marked all-visible make every count read the rows its index already answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::db::Pools;
use crate::sql::Dialect;

/// Refresh after this many new entities (and once at the first thousand).
const EVERY: u64 = 5_000;

/// The tables whose statistics and visibility the inventory reads depend on.
const TABLES: &str = "entities, acl, relations, changes, entity_keys, key_counts";

#[derive(Debug, Default)]
pub(crate) struct Upkeep {
    /// Entities inserted since the process started.
    inserted: AtomicU64,
    /// A refresh is running: the next one waits for a later threshold instead of queueing.
    running: Arc<AtomicBool>,
}

impl Upkeep {
    /// Counts inserts; on PostgreSQL now and then runs `VACUUM (ANALYZE)` in the background:
    /// statistics for the planner, and the visibility map, so counts are index-only scans.
    pub(crate) fn note_inserts(&self, pools: &Pools, n: u64) {
        if n == 0 || pools.dialect() != Dialect::Postgres {
            return;
        }
        let before = self.inserted.fetch_add(n, Ordering::Relaxed);
        let crossed =
            before / EVERY != (before + n) / EVERY || (before < 1_000 && before + n >= 1_000);
        if !crossed || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let (pools, running) = (pools.clone(), self.running.clone());
        tokio::spawn(async move {
            // VACUUM cannot run inside a transaction block.
            if let Err(e) = pools
                .run_outside_transaction(&format!("VACUUM (ANALYZE) {TABLES}"))
                .await
            {
                tracing::warn!(error = %e, "statistics refresh failed");
            }
            running.store(false, Ordering::Release);
        });
    }
}
