//! Schedules and leases in SQL. A firing is a compare-and-set on `next_run_at` in the same
//! transaction as its job's insert, so two schedulers (or a scheduler and an edit) can never
//! both fire one run. Leases are upserts that succeed only for their holder or once expired.

use chrono::{DateTime, Utc};
use maestro_core::jobs::model::{Fire, ScheduleId, ScheduleRecord};
use maestro_core::ports::{ChangeRecord, StoreError, StoreResult, WriteBatch};
use maestro_model::query::PageRequest;
use uuid::Uuid;

use super::queue::insert;
use super::rows::{OWNER_JOINS, SCHEDULE_COLUMNS, ScheduleRow};
use crate::db::Tx;
use crate::rows::micros;
use crate::sql::{Arg, Sql};
use crate::{Db, records, sql, write};

async fn record_change(tx: &mut Tx, change: &ChangeRecord) -> StoreResult<()> {
    let batch = WriteBatch {
        changes: vec![change.clone()],
        ..WriteBatch::default()
    };
    write::apply(tx, &batch).await
}

fn select() -> String {
    format!("SELECT {SCHEDULE_COLUMNS} FROM schedules s{OWNER_JOINS}")
}

impl Db {
    pub(super) async fn insert_schedule_impl(
        &self,
        s: &ScheduleRecord,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        let mut tx = self.pools.begin().await?;
        tx.execute(&sql!(
            "INSERT INTO schedules (id, name, enabled, module, owner_kind, owner_id, spec, max_executions, \
             run_count, next_run_at, last_run_at, last_status, last_error, last_job_id, revision, created_at, \
             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            s.id.to_string(),
            s.name.clone(),
            s.enabled,
            s.module.clone(),
            s.owner.kind.as_str(),
            s.owner.id.to_string(),
            Arg::json(&s.spec),
            s.max_executions as i64,
            s.run_count as i64,
            s.next_run_at.map(micros),
            s.last_run_at.map(micros),
            s.last_status.clone(),
            s.last_error.clone(),
            s.last_job.map(|j| j.to_string()),
            s.revision,
            micros(s.created_at),
            micros(s.updated_at)
        ))
        .await?;
        record_change(&mut tx, change).await?;
        tx.commit().await
    }

    pub(super) async fn schedule_impl(
        &self,
        id: ScheduleId,
    ) -> StoreResult<Option<ScheduleRecord>> {
        let mut s = Sql::new(&select());
        s.push(" WHERE s.id = ").bind(id.to_string());
        let row: Option<ScheduleRow> = self.pools.fetch_optional(&s).await?;
        row.map(ScheduleRecord::try_from).transpose()
    }

    pub(super) async fn list_schedules_impl(
        &self,
        owners: Option<&[Uuid]>,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<ScheduleRecord>, u64)> {
        let mut w = Sql::new(" WHERE TRUE");
        if let Some(owners) = owners {
            if owners.is_empty() {
                return Ok((Vec::new(), 0));
            }
            w.push(" AND s.owner_id IN (")
                .bind_list(owners.iter().map(Uuid::to_string))
                .push(")");
        }
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            w.push(" AND ").push_contains(self.dialect(), "s.name", q);
        }
        let mut count = Sql::new("SELECT COUNT(*) FROM schedules s");
        count.append(w.clone());
        let total = self.pools.fetch_i64(&count).await?.max(0) as u64;
        if total == 0 || page.offset() >= total {
            return Ok((Vec::new(), total));
        }
        let mut s = Sql::new(&select());
        s.append(w);
        s.push(" ORDER BY s.name, s.id LIMIT ")
            .bind(i64::from(page.limit));
        s.push(" OFFSET ").bind(page.offset() as i64);
        let rows: Vec<ScheduleRow> = self.pools.fetch_all(&s).await?;
        Ok((records(rows)?, total))
    }

    pub(super) async fn update_schedule_impl(
        &self,
        s: &ScheduleRecord,
        reschedule: bool,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        let mut tx = self.pools.begin().await?;
        let n = tx
            .execute(&sql!(
                "UPDATE schedules SET name = ?, enabled = ?, module = ?, spec = ?, max_executions = ?, \
                 next_run_at = CASE WHEN ? THEN ? ELSE next_run_at END, revision = ?, updated_at = ? \
                 WHERE id = ? AND revision = ?",
                s.name.clone(),
                s.enabled,
                s.module.clone(),
                Arg::json(&s.spec),
                s.max_executions as i64,
                reschedule,
                s.next_run_at.map(micros),
                s.revision,
                micros(s.updated_at),
                s.id.to_string(),
                s.revision - 1
            ))
            .await?;
        if n != 1 {
            return Err(StoreError::Conflict(format!("schedule {}", s.id)));
        }
        record_change(&mut tx, change).await?;
        tx.commit().await
    }

    pub(super) async fn delete_schedule_impl(
        &self,
        id: ScheduleId,
        change: &ChangeRecord,
    ) -> StoreResult<bool> {
        let mut tx = self.pools.begin().await?;
        let n = tx
            .execute(&sql!("DELETE FROM schedules WHERE id = ?", id.to_string()))
            .await?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute(&sql!(
            "UPDATE jobs SET status = 'cancelled', error = 'the schedule was deleted', due_at = NULL, \
             finished_at = ?, updated_at = ? WHERE schedule_id = ? AND status = 'queued'",
            micros(change.at),
            micros(change.at),
            id.to_string()
        ))
        .await?;
        record_change(&mut tx, change).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn due_schedules_impl(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ScheduleRecord>> {
        let mut s = Sql::new(&select());
        s.push(" WHERE s.enabled = TRUE AND s.next_run_at <= ")
            .bind(micros(now))
            .push(" ORDER BY s.next_run_at LIMIT ")
            .bind(i64::from(limit));
        let rows: Vec<ScheduleRow> = self.pools.fetch_all(&s).await?;
        records(rows)
    }

    pub(super) async fn next_due_impl(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let row: Option<(Option<i64>,)> = self
            .pools
            .fetch_optional(&Sql::new(
                "SELECT MIN(next_run_at) FROM schedules WHERE enabled = TRUE",
            ))
            .await?;
        Ok(row.and_then(|r| r.0).map(crate::rows::time))
    }

    pub(super) async fn fire_schedule_impl(&self, fire: &Fire) -> StoreResult<bool> {
        let mut tx = self.pools.begin().await?;
        let n = tx
            .execute(&sql!(
                "UPDATE schedules SET run_count = ?, next_run_at = ?, last_run_at = ?, last_status = 'queued', \
                 last_job_id = ? WHERE id = ? AND enabled = TRUE AND next_run_at = ?",
                fire.run_count as i64,
                fire.next_run_at.map(micros),
                micros(fire.expected_next),
                fire.job.id.to_string(),
                fire.schedule.to_string(),
                micros(fire.expected_next)
            ))
            .await?;
        if n != 1 {
            return Ok(false);
        }
        insert(&mut tx, std::slice::from_ref(&fire.job)).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn acquire_lease_impl(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.pools.begin().await?;
        let rows: Vec<(String,)> = tx
            .fetch_all(&sql!(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) \
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
                 WHERE leases.holder = excluded.holder OR leases.expires_at < ? RETURNING holder",
                name,
                holder,
                micros(until),
                micros(now)
            ))
            .await?;
        tx.commit().await?;
        Ok(rows.iter().any(|(h,)| h == holder))
    }

    pub(super) async fn release_lease_impl(&self, name: &str, holder: &str) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "DELETE FROM leases WHERE name = ? AND holder = ?",
                name,
                holder
            ))
            .await
            .map(|_| ())
    }
}
