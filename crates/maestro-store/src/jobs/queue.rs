//! The job queue in SQL. A job is "due" (`due_at`) at its run time while queued and at its
//! lease expiry while running, so one indexed column answers "what should a worker take now",
//! including jobs whose worker died. Claims lock rows with `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; on SQLite the single writer makes the `UPDATE … RETURNING` atomic.

use chrono::{DateTime, Utc};
use maestro_core::jobs::model::{JobFilter, JobId, JobOutcome, JobRecord, JobStatus, LogLine};
use maestro_core::jobs::ports::Held;
use maestro_core::ports::{StoreResult, WriteBatch};
use maestro_model::query::PageRequest;
use uuid::Uuid;

use super::rows::{JOB_COLUMNS, JobRow, LogRow};
use crate::db::Tx;
use crate::rows::{micros, parse_uuid};
use crate::sql::{Arg, Dialect, Sql};
use crate::{Db, records, sql, write};

/// Rows per multi-row `INSERT` (25 arguments each).
const ROWS_PER_INSERT: usize = 100;

fn ids(list: &[JobId]) -> Vec<String> {
    list.iter().map(JobId::to_string).collect()
}

/// Inserts queued jobs inside a transaction.
pub(super) async fn insert(tx: &mut Tx, jobs: &[JobRecord]) -> StoreResult<()> {
    for chunk in jobs.chunks(ROWS_PER_INSERT) {
        let mut s = Sql::new(&format!("INSERT INTO jobs ({JOB_COLUMNS}, due_at) VALUES "));
        for (i, j) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            let args: Vec<Arg> = vec![
                j.id.to_string().into(),
                j.name.clone().into(),
                j.module.clone().into(),
                j.owner.kind.as_str().into(),
                j.owner.id.to_string().into(),
                j.schedule.map(|s| s.to_string()).into(),
                Arg::json(&j.params),
                j.status.as_str().into(),
                i64::from(j.progress).into(),
                i64::from(j.attempt).into(),
                i64::from(j.max_attempts).into(),
                i64::from(j.backoff_seconds).into(),
                i64::from(j.timeout_seconds).into(),
                Arg::opt_json(j.result.as_ref()),
                j.error.clone().into(),
                j.cancel_requested.into(),
                j.worker.clone().into(),
                j.lease_until.map(micros).into(),
                micros(j.run_at).into(),
                j.scheduled_for.map(micros).into(),
                micros(j.created_at).into(),
                j.started_at.map(micros).into(),
                j.finished_at.map(micros).into(),
                micros(j.updated_at).into(),
                (!j.status.is_final()).then(|| micros(j.run_at)).into(),
            ];
            s.push("(").bind_list(args).push(")");
        }
        tx.execute(&s).await?;
    }
    Ok(())
}

impl Db {
    pub(super) async fn insert_jobs_impl(&self, jobs: &[JobRecord]) -> StoreResult<()> {
        let mut tx = self.pools.begin().await?;
        insert(&mut tx, jobs).await?;
        tx.commit().await
    }

    pub(super) async fn job_impl(&self, id: JobId) -> StoreResult<Option<JobRecord>> {
        let row: Option<JobRow> = self
            .pools
            .fetch_optional(&sql!(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?"),
                id.to_string()
            ))
            .await?;
        row.map(JobRecord::try_from).transpose()
    }

    pub(super) async fn list_jobs_impl(
        &self,
        filter: &JobFilter,
        page: PageRequest,
    ) -> StoreResult<(Vec<JobRecord>, u64)> {
        let mut w = Sql::new(" WHERE TRUE");
        if let Some(owners) = &filter.owners {
            if owners.is_empty() {
                return Ok((Vec::new(), 0));
            }
            w.push(" AND owner_id IN (")
                .bind_list(owners.iter().map(Uuid::to_string))
                .push(")");
        }
        if !filter.statuses.is_empty() {
            w.push(" AND status IN (")
                .bind_list(filter.statuses.iter().map(|s| s.as_str()))
                .push(")");
        }
        if let Some(m) = &filter.module {
            w.push(" AND module = ").bind(m.clone());
        }
        if let Some(s) = filter.schedule {
            w.push(" AND schedule_id = ").bind(s.to_string());
        }
        let mut count = Sql::new("SELECT COUNT(*) FROM jobs");
        count.append(w.clone());
        let total = self.pools.fetch_i64(&count).await?.max(0) as u64;
        if total == 0 || page.offset() >= total {
            return Ok((Vec::new(), total));
        }
        let mut s = Sql::new(&format!("SELECT {JOB_COLUMNS} FROM jobs"));
        s.append(w);
        s.push(" ORDER BY id DESC LIMIT ")
            .bind(i64::from(page.limit));
        s.push(" OFFSET ").bind(page.offset() as i64);
        let rows: Vec<JobRow> = self.pools.fetch_all(&s).await?;
        Ok((records(rows)?, total))
    }

    pub(super) async fn job_logs_impl(&self, id: JobId, limit: u32) -> StoreResult<Vec<LogLine>> {
        let rows: Vec<LogRow> = self
            .pools
            .fetch_all(&sql!(
                "SELECT at, level, message FROM job_logs WHERE job_id = ? ORDER BY id DESC LIMIT ?",
                id.to_string(),
                i64::from(limit)
            ))
            .await?;
        Ok(rows.into_iter().rev().map(LogLine::from).collect())
    }

    pub(super) async fn append_log_impl(&self, id: JobId, line: &LogLine) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "INSERT INTO job_logs (id, job_id, at, level, message) VALUES (?, ?, ?, ?, ?)",
                Uuid::now_v7().to_string(),
                id.to_string(),
                micros(line.at),
                line.level.clone(),
                line.message.clone()
            ))
            .await
            .map(|_| ())
    }

    pub(super) async fn claim_jobs_impl(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<JobRecord>> {
        let lock = match self.dialect() {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let s = sql!(
            &format!(
                "UPDATE jobs SET status = 'running', worker = ?, lease_until = ?, due_at = ?, \
                 attempt = attempt + 1, started_at = ?, updated_at = ? \
                 WHERE id IN (SELECT id FROM jobs WHERE due_at <= ? ORDER BY due_at LIMIT ?{lock}) \
                 RETURNING {JOB_COLUMNS}"
            ),
            worker,
            micros(lease_until),
            micros(lease_until),
            micros(now),
            micros(now),
            micros(now),
            i64::from(limit)
        );
        let mut tx = self.pools.begin().await?;
        let rows: Vec<JobRow> = tx.fetch_all(&s).await?;
        tx.commit().await?;
        records(rows)
    }

    pub(super) async fn heartbeat_impl(
        &self,
        worker: &str,
        list: &[JobId],
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Vec<Held>> {
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let mut s = sql!(
            "UPDATE jobs SET lease_until = ?, due_at = ? WHERE worker = ? AND status = 'running' AND id IN (",
            micros(lease_until),
            micros(lease_until),
            worker
        );
        s.bind_list(ids(list))
            .push(") RETURNING id, cancel_requested");
        let mut tx = self.pools.begin().await?;
        let rows: Vec<(String, bool)> = tx.fetch_all(&s).await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|(id, cancel_requested)| {
                Ok(Held {
                    id: JobId::from_uuid(parse_uuid(&id)?),
                    cancel_requested,
                })
            })
            .collect()
    }

    pub(super) async fn set_progress_impl(
        &self,
        id: JobId,
        worker: &str,
        progress: u8,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .pools
            .execute(&sql!(
                "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND worker = ? AND status = 'running'",
                i64::from(progress),
                micros(at),
                id.to_string(),
                worker
            ))
            .await?;
        Ok(n == 1)
    }

    pub(super) async fn finish_jobs_impl(
        &self,
        worker: &str,
        outcomes: &[JobOutcome],
    ) -> StoreResult<Vec<JobId>> {
        let mut applied = Vec::new();
        let mut tx = self.pools.begin().await?;
        for o in outcomes {
            let done = o.status.is_final();
            let n = tx
                .execute(&sql!(
                    "UPDATE jobs SET status = ?, progress = ?, result = ?, error = ?, run_at = ?, due_at = ?, \
                     worker = NULL, lease_until = NULL, finished_at = ?, updated_at = ? \
                     WHERE id = ? AND worker = ? AND status = 'running'",
                    o.status.as_str(),
                    i64::from(o.progress),
                    Arg::opt_json(o.result.as_ref()),
                    o.error.clone(),
                    micros(o.run_at),
                    (!done).then(|| micros(o.run_at)),
                    done.then(|| micros(o.at)),
                    micros(o.at),
                    o.id.to_string(),
                    worker
                ))
                .await?;
            if n != 1 {
                continue;
            }
            applied.push(o.id);
            if let Some(so) = &o.schedule {
                tx.execute(&sql!(
                    "UPDATE schedules SET last_status = ?, last_error = ?, last_job_id = ?, \
                     enabled = CASE WHEN ? THEN FALSE ELSE enabled END WHERE id = ?",
                    so.status.as_str(),
                    so.error.clone(),
                    so.job.to_string(),
                    so.disable,
                    so.schedule.to_string()
                ))
                .await?;
                if let Some(change) = &so.change {
                    let batch = WriteBatch {
                        changes: vec![change.clone()],
                        ..WriteBatch::default()
                    };
                    write::apply(&mut tx, &batch).await?;
                }
            }
            insert(&mut tx, &o.enqueue).await?;
        }
        tx.commit().await?;
        Ok(applied)
    }

    pub(super) async fn cancel_job_impl(
        &self,
        id: JobId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<JobRecord>> {
        let mut tx = self.pools.begin().await?;
        let n = tx
            .execute(&sql!(
                "UPDATE jobs SET status = 'cancelled', error = 'cancelled', due_at = NULL, finished_at = ?, \
                 updated_at = ? WHERE id = ? AND status = 'queued'",
                micros(at),
                micros(at),
                id.to_string()
            ))
            .await?;
        if n == 0 {
            tx.execute(&sql!(
                "UPDATE jobs SET cancel_requested = TRUE, updated_at = ? WHERE id = ? AND status = 'running'",
                micros(at),
                id.to_string()
            ))
            .await?;
        }
        let rows: Vec<JobRow> = tx
            .fetch_all(&sql!(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?"),
                id.to_string()
            ))
            .await?;
        tx.commit().await?;
        records(rows).map(|mut v: Vec<JobRecord>| v.pop())
    }

    pub(super) async fn release_jobs_impl(
        &self,
        worker: &str,
        list: &[JobId],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        if list.is_empty() {
            return Ok(());
        }
        let mut s = sql!(
            "UPDATE jobs SET status = ?, worker = NULL, lease_until = NULL, due_at = ?, run_at = ?, \
             attempt = attempt - 1, updated_at = ? WHERE worker = ? AND status = 'running' AND id IN (",
            JobStatus::Queued.as_str(),
            micros(at),
            micros(at),
            micros(at),
            worker
        );
        s.bind_list(ids(list)).push(")");
        self.pools.execute(&s).await.map(|_| ())
    }
}
