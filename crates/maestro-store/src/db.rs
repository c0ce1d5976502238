//! Connections: one pool per backend (SQLite gets a single-connection writer pool so writes
//! never contend, plus a reader pool), argument binding, and a transaction type that hides which
//! backend runs it.

use std::str::FromStr;
use std::time::Duration;

use maestro_core::ports::{StoreError, StoreResult};
use serde_json::value::RawValue;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::sql::{Arg, Dialect, Sql};

/// Rows decodable from both backends.
pub trait AnyRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> AnyRow for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

#[derive(Debug, Clone)]
pub(crate) enum Pools {
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
        _checkpointer: std::sync::Arc<crate::checkpoint::Checkpointer>,
    },
    Postgres(PgPool),
}

/// Maps a driver error to the store's error kinds.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Duplicate(d.message().to_owned())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

macro_rules! bind_all {
    ($query:expr, $args:expr, $json:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                // Borrowed: the arguments outlive the query, so nothing is copied.
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
                Arg::Float(f) => q.bind(*f),
                Arg::Bool(b) => q.bind(*b),
                Arg::Json(v) => q.bind($json(v)),
                Arg::OptText(v) => q.bind(v.as_deref()),
                Arg::OptInt(v) => q.bind(*v),
                Arg::OptJson(v) => q.bind(v.as_deref().map($json)),
            };
        }
        q
    }};
}

fn sqlite_json(v: &RawValue) -> &str {
    v.get()
}

fn pg_json(v: &RawValue) -> sqlx::types::Json<&RawValue> {
    sqlx::types::Json(v)
}

/// How long a SQLite statement waits for a lock another connection holds.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl Pools {
    pub(crate) async fn connect_sqlite(path: &std::path::Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // `REGEXP`, for case-insensitive matching beyond ASCII (`Sql::push_contains`).
            .with_regexp()
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("cache_size", "-32000")
            .pragma("temp_store", "memory")
            .pragma(
                "wal_autocheckpoint",
                crate::checkpoint::BACKSTOP_PAGES.to_string(),
            )
            .pragma(
                "journal_size_limit",
                crate::checkpoint::WAL_KEPT_BYTES.to_string(),
            );
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(db_err)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(0)
            .connect_with(options.read_only(false))
            .await
            .map_err(db_err)?;
        let checkpointer = crate::checkpoint::Checkpointer::start(reader.clone());
        Ok(Pools::Sqlite {
            writer,
            reader,
            _checkpointer: std::sync::Arc::new(checkpointer),
        })
    }

    pub(crate) async fn connect_postgres(url: &str, max: u32) -> StoreResult<Self> {
        // JIT compilation pays off for long analytical queries, not for ours: a count over
        // 100k rows crossed its cost threshold and spent 235 ms compiling to run in 90 ms.
        // A random page read costs about a sequential one on SSDs and cached databases (the
        // default of 4 assumes spinning disks and made counts scan the table, 80 ms, instead
        // of the owner index, 30 ms).
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .options([("jit", "off"), ("random_page_cost", "1.1")]);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(db_err)?;
        Ok(Pools::Postgres(pool))
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Pools::Sqlite { .. } => Dialect::Sqlite,
            Pools::Postgres(_) => Dialect::Postgres,
        }
    }

    pub(crate) async fn fetch_all<T: AnyRow>(&self, sql: &Sql) -> StoreResult<Vec<T>> {
        let text = sql.render(self.dialect());
        match self {
            Pools::Sqlite { reader, .. } => {
                let q = bind_all!(
                    sqlx::query_as::<Sqlite, T>(AssertSqlSafe(text)),
                    &sql.args,
                    sqlite_json
                );
                q.fetch_all(reader).await.map_err(db_err)
            }
            Pools::Postgres(pool) => {
                let q = bind_all!(
                    sqlx::query_as::<Postgres, T>(AssertSqlSafe(text)),
                    &sql.args,
                    pg_json
                );
                q.fetch_all(pool).await.map_err(db_err)
            }
        }
    }

    pub(crate) async fn fetch_optional<T: AnyRow>(&self, sql: &Sql) -> StoreResult<Option<T>> {
        Ok(self.fetch_all(sql).await?.into_iter().next())
    }

    /// One `BIGINT` value (counts).
    pub(crate) async fn fetch_i64(&self, sql: &Sql) -> StoreResult<i64> {
        let row: Option<(i64,)> = self.fetch_optional(sql).await?;
        Ok(row.map_or(0, |r| r.0))
    }

    pub(crate) async fn execute(&self, sql: &Sql) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let n = tx.execute(sql).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A maintenance statement that may not run in a transaction (`VACUUM`), with no arguments.
    pub(crate) async fn run_outside_transaction(&self, statement: &str) -> StoreResult<()> {
        let statement = AssertSqlSafe(statement.to_owned());
        match self {
            Pools::Sqlite { writer, .. } => {
                sqlx::raw_sql(statement).execute(writer).await.map(drop)
            }
            Pools::Postgres(pool) => sqlx::raw_sql(statement).execute(pool).await.map(drop),
        }
        .map_err(db_err)
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// waiting for it under the busy timeout: a deferred transaction that read first and then
    /// found the lock held — by the background checkpoint's WAL restart (`checkpoint.rs`) —
    /// failed at once with "database is locked", as SQLite never waits on behalf of a
    /// transaction that already holds a read snapshot. (A third sync of 100,000 discovered
    /// servers failed so.)
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        match self {
            Pools::Sqlite { writer, .. } => writer
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map(Tx::Sqlite)
                .map_err(db_err),
            Pools::Postgres(pool) => pool.begin().await.map(Tx::Postgres).map_err(db_err),
        }
    }
}

/// A write transaction on either backend.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Tx::Sqlite(_) => Dialect::Sqlite,
            Tx::Postgres(_) => Dialect::Postgres,
        }
    }

    pub(crate) async fn execute(&mut self, sql: &Sql) -> StoreResult<u64> {
        let text = sql.render(self.dialect());
        match self {
            Tx::Sqlite(tx) => {
                let q = bind_all!(
                    sqlx::query::<Sqlite>(AssertSqlSafe(text)),
                    &sql.args,
                    sqlite_json
                );
                q.execute(&mut **tx)
                    .await
                    .map(|r| r.rows_affected())
                    .map_err(db_err)
            }
            Tx::Postgres(tx) => {
                let q = bind_all!(
                    sqlx::query::<Postgres>(AssertSqlSafe(text)),
                    &sql.args,
                    pg_json
                );
                q.execute(&mut **tx)
                    .await
                    .map(|r| r.rows_affected())
                    .map_err(db_err)
            }
        }
    }

    pub(crate) async fn fetch_all<T: AnyRow>(&mut self, sql: &Sql) -> StoreResult<Vec<T>> {
        let text = sql.render(self.dialect());
        match self {
            Tx::Sqlite(tx) => {
                let q = bind_all!(
                    sqlx::query_as::<Sqlite, T>(AssertSqlSafe(text)),
                    &sql.args,
                    sqlite_json
                );
                q.fetch_all(&mut **tx).await.map_err(db_err)
            }
            Tx::Postgres(tx) => {
                let q = bind_all!(
                    sqlx::query_as::<Postgres, T>(AssertSqlSafe(text)),
                    &sql.args,
                    pg_json
                );
                q.fetch_all(&mut **tx).await.map_err(db_err)
            }
        }
    }

    pub(crate) async fn fetch_i64(&mut self, sql: &Sql) -> StoreResult<i64> {
        let rows: Vec<(i64,)> = self.fetch_all(sql).await?;
        Ok(rows.first().map_or(0, |r| r.0))
    }

    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await.map_err(db_err),
            Tx::Postgres(tx) => tx.commit().await.map_err(db_err),
        }
    }

    /// Rolls back now. Dropping a transaction only queues its rollback for the connection's
    /// next use, and until then its locks stay held.
    pub(crate) async fn rollback(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await.map_err(db_err),
            Tx::Postgres(tx) => tx.rollback().await.map_err(db_err),
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    use super::*;

    /// A write transaction that reads before it writes waits for a lock another connection
    /// holds (here as the checkpoint's WAL restart does) instead of failing at once.
    #[tokio::test]
    async fn a_sqlite_write_that_reads_first_waits_for_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let pools = Pools::connect_sqlite(&path).await.unwrap();
        let url = format!("sqlite://{}", path.display());
        let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (n INTEGER); BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap();
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
        });
        let mut tx = pools.begin().await.unwrap();
        let n = tx
            .fetch_i64(&Sql::new("SELECT COUNT(*) FROM t"))
            .await
            .unwrap();
        tx.execute(&Sql::new("INSERT INTO t (n) VALUES (1)"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        release.await.unwrap();
        assert_eq!(n, 0);
    }
}
