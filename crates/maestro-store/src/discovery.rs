//! Discovery bookkeeping: finding discovered entities by provider identity, marking what a run
//! saw, listing what a complete listing did not see, and each task's status.

use chrono::{DateTime, Utc};
use maestro_core::ports::{EntityRecord, StoreResult, TaskStatus};
use maestro_model::EntityId;
use serde_json::Value;
use sqlx::types::Json;

use crate::rows::{ENTITY_JOINS, EntityRow, entity_columns, micros, time};
use crate::sql::Sql;
use crate::{Db, records, sql};

#[derive(sqlx::FromRow)]
struct TaskRow {
    task: String,
    enabled: bool,
    state: String,
    message: Option<String>,
    permission: Option<String>,
    counts: Json<Value>,
    run_id: Option<String>,
    schedule_id: Option<String>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    duration_ms: Option<i64>,
}

/// The bounds (exclusive) of a connection's discovery keys and scopes, which start with
/// `<connection>:` — one range of their indexes (`;` follows `:` in byte order).
pub(crate) fn connection_range(connection: &str) -> (String, String) {
    (format!("{connection}:"), format!("{connection};"))
}

impl Db {
    pub(crate) async fn discovered_impl(&self, keys: &[String]) -> StoreResult<Vec<EntityRecord>> {
        let mut out = Vec::with_capacity(keys.len());
        let cols = entity_columns(self.dialect());
        for chunk in keys.chunks(500) {
            let mut s = Sql::new(&format!(
                "SELECT {cols} FROM entities e{ENTITY_JOINS} WHERE e.discovery_key IN ("
            ));
            s.bind_list(chunk.iter().cloned()).push(")");
            let rows: Vec<EntityRow> = self.pools.fetch_all(&s).await?;
            out.extend(records::<_, EntityRecord>(rows)?);
        }
        Ok(out)
    }

    pub(crate) async fn mark_seen_impl(
        &self,
        keys: &[String],
        run: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut tx = self.pools.begin().await?;
        for chunk in keys.chunks(500) {
            // Marks only move forward: a page reconciled late (its time taken before another
            // listing started) must not make what that listing saw look unseen to it.
            let mut s = sql!(
                "UPDATE discovery_seen SET run = ?, seen_at = ? WHERE seen_at < ? AND discovery_key IN (",
                run,
                micros(at),
                micros(at)
            );
            s.bind_list(chunk.iter().cloned()).push(")");
            tx.execute(&s).await?;
        }
        tx.commit().await
    }

    pub(crate) async fn discovered_by_impl(
        &self,
        connection: EntityId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<(String, EntityId)>> {
        let (from, to) = connection_range(&connection.to_string());
        let mut s = Sql::new("SELECT discovery_key, id FROM entities WHERE discovery_key > ");
        s.bind(after.map_or(from, str::to_owned))
            .push(" AND discovery_key < ")
            .bind(to)
            .push(" ORDER BY discovery_key LIMIT ")
            .bind(i64::from(limit));
        let rows: Vec<(String, String)> = self.pools.fetch_all(&s).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(key, id)| Some((key, id.parse().ok()?)))
            .collect())
    }

    pub(crate) async fn active_scopes_impl(
        &self,
        connection: EntityId,
    ) -> StoreResult<Vec<String>> {
        let (from, to) = connection_range(&connection.to_string());
        let mut s =
            Sql::new("SELECT DISTINCT discovery_scope FROM entities WHERE discovery_scope > ");
        s.bind(from)
            .push(" AND discovery_scope < ")
            .bind(to)
            .push(" AND active = TRUE");
        let rows: Vec<(String,)> = self.pools.fetch_all(&s).await?;
        Ok(rows.into_iter().map(|(scope,)| scope).collect())
    }

    pub(crate) async fn unseen_impl(
        &self,
        scope: &str,
        since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<EntityRecord>> {
        let cols = entity_columns(self.dialect());
        let mut s = Sql::new(&format!(
            "SELECT {cols} FROM entities e{ENTITY_JOINS} WHERE e.discovery_scope = "
        ));
        // By time, not by run: a listing of the same scope running alongside (a schedule firing
        // during "sync now") marks what it sees with its own run, and that must not look unseen.
        s.bind(scope)
            .push(" AND e.active = TRUE AND (ds.seen_at IS NULL OR ds.seen_at < ")
            .bind(micros(since));
        s.push(") ORDER BY e.id LIMIT ").bind(i64::from(limit));
        let rows: Vec<EntityRow> = self.pools.fetch_all(&s).await?;
        records(rows)
    }

    pub(crate) async fn pending_refs_impl(
        &self,
        keys: &[String],
    ) -> StoreResult<Vec<(EntityId, String, String)>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(500) {
            let mut s = Sql::new(
                "SELECT src_id, field, target_key FROM pending_refs WHERE target_key IN (",
            );
            s.bind_list(chunk.iter().cloned()).push(")");
            let rows: Vec<(String, String, String)> = self.pools.fetch_all(&s).await?;
            for (src, field, key) in rows {
                if let Ok(id) = src.parse() {
                    out.push((id, field, key));
                }
            }
        }
        Ok(out)
    }

    pub(crate) async fn task_statuses_impl(
        &self,
        connection: EntityId,
    ) -> StoreResult<Vec<TaskStatus>> {
        let rows: Vec<TaskRow> = self
            .pools
            .fetch_all(&sql!(
                "SELECT task, enabled, state, message, permission, counts, run_id, schedule_id, started_at, finished_at, duration_ms \
                 FROM discovery_tasks WHERE connection_id = ? ORDER BY task",
                connection.to_string()
            ))
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| TaskStatus {
                task: r.task,
                enabled: r.enabled,
                state: r.state,
                message: r.message,
                permission: r.permission,
                counts: r.counts.0,
                run_id: r.run_id,
                schedule_id: r.schedule_id,
                started_at: r.started_at.map(time),
                finished_at: r.finished_at.map(time),
                duration_ms: r.duration_ms,
            })
            .collect())
    }

    /// Writes a task's status; with `schedule_only`, an existing row only takes the schedule.
    pub(crate) async fn put_task_status_impl(
        &self,
        connection: EntityId,
        t: &TaskStatus,
        schedule_only: bool,
    ) -> StoreResult<()> {
        // A run's status never clears the task's schedule, and recording the schedule never
        // undoes a run's status: the first run may start before its schedule's id is written.
        let update = if schedule_only {
            "schedule_id = excluded.schedule_id"
        } else {
            "enabled = excluded.enabled, state = excluded.state, message = excluded.message, \
             permission = excluded.permission, counts = excluded.counts, run_id = excluded.run_id, \
             schedule_id = COALESCE(excluded.schedule_id, discovery_tasks.schedule_id), \
             started_at = excluded.started_at, finished_at = excluded.finished_at, \
             duration_ms = excluded.duration_ms"
        };
        let text = format!(
            "INSERT INTO discovery_tasks (connection_id, task, enabled, state, message, permission, counts, run_id, schedule_id, started_at, finished_at, duration_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, task) DO UPDATE SET {update}"
        );
        self.pools
            .execute(&sql!(
                &text,
                connection.to_string(),
                t.task.as_str(),
                t.enabled,
                t.state.as_str(),
                t.message.clone(),
                t.permission.clone(),
                t.counts.clone(),
                t.run_id.clone(),
                t.schedule_id.clone(),
                t.started_at.map(micros),
                t.finished_at.map(micros),
                t.duration_ms
            ))
            .await
            .map(|_| ())
    }
}
