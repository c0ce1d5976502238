//! Maestro's storage adapters. [`Db`] implements the domain's `Store` port for SQLite (the
//! default: one file, no setup) and PostgreSQL (several processes sharing one database), chosen
//! at runtime from the database URL. SQL is written once; the few dialect differences live in
//! [`sql::Dialect`].

pub mod admin;
mod checkpoint;
mod db;
mod discovery;
mod entities;
mod facet_columns;
mod group;
mod identity;
mod indexes;
mod jobs;
mod keys;
mod plan;
mod relations;
mod rows;
pub mod sql;
mod upkeep;
mod write;

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use maestro_core::Access;
use maestro_core::ports::{
    AclRow, ChangeRecord, EntityRecord, EntitySummary, MemberRecord, PrincipalSummary, RelationRow,
    RelationSide, RelationTotal, SessionRecord, Store, StoreError, StoreResult, TeamRecord,
    UserRecord, WriteBatch,
};
use maestro_core::{Principal, PrincipalKind};
use maestro_model::query::{ListQuery, PageRequest};
use maestro_model::schema::{FamilyScope, Kind};
use maestro_model::{EntityId, Role, TeamId, UserId};
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use crate::db::Pools;
use crate::rows::{
    ChangeRow, ENTITY_JOINS, EntityRow, RelationDbRow, SessionRow, SummaryRow, UserRow, micros,
    parse_uuid, time,
};
use crate::sql::{Dialect, Sql};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database, on either backend.
#[derive(Debug, Clone)]
pub struct Db {
    pools: Pools,
    /// Applies inventory writes, several concurrent ones per transaction.
    writer: group::GroupWriter,
    /// PostgreSQL's statistics and visibility map, refreshed after bulk inserts.
    upkeep: std::sync::Arc<upkeep::Upkeep>,
}

impl Db {
    /// Opens the database named by `url`: `postgres://…`, `sqlite://path` or `sqlite:path`.
    pub async fn connect(url: &str, pg_pool_size: u32) -> StoreResult<Self> {
        let pools = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pools::connect_postgres(url, pg_pool_size).await?
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(parent) = Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Unavailable(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            Pools::connect_sqlite(Path::new(path)).await?
        } else {
            return Err(StoreError::Unavailable(format!(
                "unsupported database URL (use sqlite://… or postgres://…): {}",
                url.split('@').next_back().unwrap_or_default()
            )));
        };
        // SQLite has one writer connection; on PostgreSQL a few writes run side by side.
        let workers = match pools.dialect() {
            Dialect::Sqlite => 1,
            Dialect::Postgres => 3,
        };
        Ok(Self {
            writer: group::GroupWriter::start(pools.clone(), workers),
            pools,
            upkeep: Default::default(),
        })
    }

    /// Applies pending migrations and the schema-derived indexes.
    pub async fn migrate(&self) -> StoreResult<()> {
        let mig_err =
            |e: sqlx::migrate::MigrateError| StoreError::Other(format!("migration failed: {e}"));
        match &self.pools {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await.map_err(mig_err)?,
            Pools::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await.map_err(mig_err)?,
        }
        // Facet columns before the indexes built on them.
        let columns = match self.dialect() {
            Dialect::Postgres => {
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = 'entities'"
            }
            // `table_info` leaves generated columns out.
            Dialect::Sqlite => "SELECT name FROM pragma_table_xinfo('entities')",
        };
        let existing: Vec<(String,)> = self.pools.fetch_all(&Sql::new(columns)).await?;
        let existing: Vec<String> = existing.into_iter().map(|(c,)| c).collect();
        let alters = facet_columns::add_missing(self.dialect(), &existing);
        if !alters.is_empty() && self.dialect() == Dialect::Postgres {
            tracing::info!("adding facet columns to entities (rewrites the table once)");
        }
        for alter in alters {
            self.pools.execute(&Sql::new(&alter)).await?;
        }
        let statements = indexes::statements(self.dialect());
        if self.dialect() == Dialect::Sqlite {
            let existing: Vec<(String, String)> = self
                .pools
                .fetch_all(&Sql::new(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
                ))
                .await?;
            for name in indexes::redefined(&statements, &existing) {
                tracing::info!(index = %name, "rebuilding an index whose definition changed");
                self.pools
                    .execute(&Sql::new(&format!("DROP INDEX {name}")))
                    .await?;
            }
        }
        for stmt in statements {
            self.pools.execute(&Sql::new(&stmt)).await?;
        }
        let mut tx = self.pools.begin().await?;
        if keys::rebuild_if_stale(&mut tx).await? {
            tracing::info!("identifier keys rebuilt");
        }
        tx.commit().await
    }

    fn dialect(&self) -> Dialect {
        self.pools.dialect()
    }
}

/// PostgreSQL's count of a list's matches (SQLite's goes through `plan::sqlite_count`).
fn pg_count(filter: Sql) -> Sql {
    let mut count = Sql::new("SELECT COUNT(*) FROM entities e");
    count.append(filter);
    count
}

pub(crate) fn records<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

#[async_trait]
impl Store for Db {
    fn backend(&self) -> &'static str {
        match self.dialect() {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    async fn ping(&self) -> StoreResult<()> {
        self.pools
            .fetch_i64(&Sql::new("SELECT CAST(1 AS BIGINT)"))
            .await
            .map(|_| ())
    }

    async fn entity(&self, access: &Access, id: EntityId) -> StoreResult<Option<EntityRecord>> {
        let cols = rows::entity_columns(self.dialect());
        let mut s = Sql::new(&format!(
            "SELECT {cols} FROM entities e{ENTITY_JOINS} WHERE e.id = "
        ));
        s.bind(id.to_string()).push(" AND ");
        s.append(entities::access_clause(access, "e"));
        let row: Option<EntityRow> = self.pools.fetch_optional(&s).await?;
        row.map(EntityRecord::try_from).transpose()
    }

    async fn count_matching(
        &self,
        access: &Access,
        kind: Kind,
        scope: FamilyScope,
        query: &ListQuery,
    ) -> StoreResult<u64> {
        let d = self.dialect();
        let filter = entities::list_where(d, access, kind, scope, query);
        if d == Dialect::Sqlite {
            return plan::sqlite_count(&self.pools, kind, query, &filter).await;
        }
        Ok(self.pools.fetch_i64(&pg_count(filter)).await?.max(0) as u64)
    }

    async fn list_entities(
        &self,
        access: &Access,
        kind: Kind,
        scope: FamilyScope,
        query: &ListQuery,
    ) -> StoreResult<(Vec<EntityRecord>, u64)> {
        let d = self.dialect();
        let filter = entities::list_where(d, access, kind, scope, query);
        if d == Dialect::Sqlite {
            let (rows, total) = plan::sqlite_list(&self.pools, kind, query, filter).await?;
            return Ok((records(rows)?, total));
        }
        // PostgreSQL: the count and the page run side by side on two connections. The page's
        // ids are chosen first (from a facet index alone, where one covers the query), then
        // only those rows are read.
        let count = pg_count(filter.clone());
        let cols = rows::entity_columns(d);
        let order = entities::order_by(d, &query.sort);
        let mut s = Sql::new(&format!(
            "SELECT {cols} FROM entities e{ENTITY_JOINS} WHERE e.id IN (SELECT e.id FROM entities e"
        ));
        s.append(filter);
        s.push(&order);
        s.push(" LIMIT ").bind(i64::from(query.page.limit));
        s.push(" OFFSET ").bind(query.page.offset() as i64);
        s.push(")").push(&order);
        let (total, rows) = tokio::try_join!(
            self.pools.fetch_i64(&count),
            self.pools.fetch_all::<EntityRow>(&s)
        )?;
        let total = total.max(0) as u64;
        Ok((records(rows)?, total))
    }

    async fn summaries(
        &self,
        access: &Access,
        ids: &[EntityId],
    ) -> StoreResult<Vec<EntitySummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<SummaryRow> = self
            .pools
            .fetch_all(&entities::summaries(access, ids))
            .await?;
        records(rows)
    }

    async fn relations(&self, access: &Access, ids: &[EntityId]) -> StoreResult<Vec<RelationRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<RelationDbRow> = self.pools.fetch_all(&relations::all(access, ids)).await?;
        records(rows)
    }

    async fn field_relations(
        &self,
        access: &Access,
        kind: Kind,
        ids: &[EntityId],
    ) -> StoreResult<Vec<RelationRow>> {
        match relations::of_fields(access, kind, ids) {
            Some(s) if !ids.is_empty() => records(self.pools.fetch_all::<RelationDbRow>(&s).await?),
            _ => Ok(Vec::new()),
        }
    }

    async fn relation_firsts(
        &self,
        access: &Access,
        id: EntityId,
        per_rel: u32,
    ) -> StoreResult<(Vec<RelationRow>, Vec<RelationTotal>)> {
        let totals: Vec<relations::TotalRow> =
            self.pools.fetch_all(&relations::totals(access, id)).await?;
        let totals: Vec<RelationTotal> = records(totals)?;
        let rows: Vec<RelationDbRow> = match relations::firsts(access, id, &totals, per_rel) {
            Some(s) => self.pools.fetch_all(&s).await?,
            None => Vec::new(),
        };
        Ok((records(rows)?, totals))
    }

    async fn relation_page(
        &self,
        access: &Access,
        id: EntityId,
        side: RelationSide,
        rel: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<RelationRow>, u64)> {
        let count = relations::count(access, id, side, rel);
        let total = self.pools.fetch_i64(&count).await?.max(0) as u64;
        let s = relations::page(access, id, side, rel, page);
        let rows: Vec<RelationDbRow> = self.pools.fetch_all(&s).await?;
        Ok((records(rows)?, total))
    }

    async fn find_equal(
        &self,
        access: &Access,
        kind: Kind,
        fields: &[(&str, &Value)],
        exclude: Option<EntityId>,
    ) -> StoreResult<Vec<(String, EntitySummary)>> {
        // One statement for every field: a write asks once, whatever it checks. Each field's
        // own index answers (`keys::holders`), not the documents.
        let d = self.dialect();
        let mut s = Sql::default();
        for (i, (field, value)) in fields.iter().enumerate() {
            // Any other value is no identifier: nobody holds it.
            let Some(value) = keys::text(value).filter(|v| !v.is_empty()) else {
                continue;
            };
            if !keys::is_identifier(kind, field) {
                continue;
            }
            if !s.text.is_empty() {
                s.push(" UNION ALL ");
            }
            s.push("SELECT * FROM (SELECT ").bind(*field);
            s.push(", e.id, e.kind, e.family, e.name, e.active");
            s.append(keys::holders(d, kind, field, [value.as_str()]));
            if let Some(id) = exclude {
                s.push(" AND e.id <> ").bind(id.to_string());
            }
            s.push(" AND ").append(entities::access_clause(access, "e"));
            s.push(&format!(" LIMIT 20) t{i}"));
        }
        if s.text.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, String, String, Option<String>, String, bool)> =
            self.pools.fetch_all(&s).await?;
        rows.into_iter()
            .map(|(field, id, kind, family, name, active)| {
                let summary = SummaryRow {
                    id,
                    kind,
                    family,
                    name,
                    active,
                }
                .try_into()?;
                Ok((field, summary))
            })
            .collect()
    }

    async fn find_any(
        &self,
        access: &Access,
        kind: Kind,
        field: &str,
        values: &[String],
    ) -> StoreResult<Vec<(String, EntitySummary)>> {
        let mut out = Vec::new();
        if !keys::is_identifier(kind, field) {
            return Ok(out);
        }
        let d = self.dialect();
        for chunk in values.chunks(500) {
            let mut s = Sql::new(&format!(
                "SELECT {}, e.id, e.kind, e.family, e.name, e.active",
                keys::holder_text(d, field, "e"),
            ));
            s.append(keys::holders(
                d,
                kind,
                field,
                chunk.iter().map(String::as_str),
            ));
            s.push(" AND ").append(entities::access_clause(access, "e"));
            let rows: Vec<(String, String, String, Option<String>, String, bool)> =
                self.pools.fetch_all(&s).await?;
            for (v, id, kind, family, name, active) in rows {
                out.push((
                    v,
                    SummaryRow {
                        id,
                        kind,
                        family,
                        name,
                        active,
                    }
                    .try_into()?,
                ));
            }
        }
        Ok(out)
    }

    async fn duplicate_values(
        &self,
        access: &Access,
        kind: Kind,
        field: &str,
        limit: u32,
    ) -> StoreResult<Vec<(Value, u64)>> {
        // Values shared by several active entities come from the small partial index of
        // `key_counts`; only their holders, found by the field's own index, are then checked
        // against the caller's access. `CROSS JOIN` keeps SQLite's join order (starting anywhere
        // else reads every entity); PostgreSQL plans it as an inner join.
        if !keys::is_identifier(kind, field) {
            return Ok(Vec::new());
        }
        let d = self.dialect();
        let mut s = Sql::new(&format!(
            "SELECT c.value, COUNT(*) AS n FROM key_counts c{} CROSS JOIN {} \
             WHERE c.n > 1 AND c.kind = '{}' AND c.field = ",
            // SQLite's planner, without statistics, read every count of the field by the
            // primary key instead.
            match d {
                Dialect::Sqlite => " INDEXED BY ix_key_counts_shared",
                Dialect::Postgres => "",
            },
            keys::holders_from(d, kind, field),
            kind.as_str()
        ));
        s.bind(field);
        // The values are counted keys (never empty), so a holder's value is one.
        s.push(&format!(
            " AND e.kind = '{}' AND e.active = TRUE AND {} AND ",
            kind.as_str(),
            keys::holder_matches_column(d, field, "e", "c.value"),
        ));
        s.append(entities::access_clause(access, "e"));
        s.push(" GROUP BY c.value HAVING COUNT(*) > 1 ORDER BY n DESC, c.value LIMIT ");
        s.bind(i64::from(limit));
        let rows: Vec<(String, i64)> = self.pools.fetch_all(&s).await?;
        Ok(rows
            .into_iter()
            .map(|(v, n)| (Value::String(v), n.max(0) as u64))
            .collect())
    }

    async fn secret(&self, id: EntityId) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = self
            .pools
            .fetch_optional(&sql!(
                "SELECT sealed FROM secrets WHERE entity_id = ?",
                id.to_string()
            ))
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn discovered(&self, keys: &[String]) -> StoreResult<Vec<EntityRecord>> {
        self.discovered_impl(keys).await
    }

    async fn mark_seen(&self, keys: &[String], run: &str, at: DateTime<Utc>) -> StoreResult<()> {
        self.mark_seen_impl(keys, run, at).await
    }

    async fn owned_count(&self, owner: Uuid) -> StoreResult<(u64, u64)> {
        // Every kind named, so the (kind, active, owner) index answers.
        let mut s = Sql::new("SELECT COUNT(*) FROM entities WHERE kind IN (");
        s.bind_list(maestro_model::schema::all().map(|k| k.kind.as_str().to_owned()));
        s.push(") AND active = TRUE AND owner_id = ")
            .bind(owner.to_string());
        let entities = self.pools.fetch_i64(&s).await?;
        let schedules = self
            .pools
            .fetch_i64(&sql!(
                "SELECT COUNT(*) FROM schedules WHERE owner_id = ?",
                owner.to_string()
            ))
            .await?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok((n(entities), n(schedules)))
    }

    async fn discovered_by(
        &self,
        connection: EntityId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<(String, EntityId)>> {
        self.discovered_by_impl(connection, after, limit).await
    }

    async fn active_scopes(&self, connection: EntityId) -> StoreResult<Vec<String>> {
        self.active_scopes_impl(connection).await
    }

    async fn unseen(
        &self,
        scope: &str,
        since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<EntityRecord>> {
        self.unseen_impl(scope, since, limit).await
    }

    async fn pending_refs(&self, keys: &[String]) -> StoreResult<Vec<(EntityId, String, String)>> {
        self.pending_refs_impl(keys).await
    }

    async fn task_statuses(
        &self,
        connection: EntityId,
    ) -> StoreResult<Vec<maestro_core::ports::TaskStatus>> {
        self.task_statuses_impl(connection).await
    }

    async fn put_task_status(
        &self,
        connection: EntityId,
        status: &maestro_core::ports::TaskStatus,
    ) -> StoreResult<()> {
        self.put_task_status_impl(connection, status, false).await
    }

    async fn put_task_schedule(
        &self,
        connection: EntityId,
        status: &maestro_core::ports::TaskStatus,
    ) -> StoreResult<()> {
        self.put_task_status_impl(connection, status, true).await
    }

    async fn acl(&self, id: EntityId) -> StoreResult<Vec<AclRow>> {
        Ok(self
            .acls(&[id])
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    async fn acls(&self, ids: &[EntityId]) -> StoreResult<Vec<(EntityId, AclRow)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            // The owner's row comes from the entity's owner columns (it is not stored, `write.rs`),
            // the grants from `acl`.
            let ids = || chunk.iter().map(ToString::to_string);
            let mut s = Sql::new(&format!(
                "SELECT id, owner_kind, owner_id, CAST({} AS SMALLINT), TRUE FROM entities WHERE id IN (",
                Role::Admin.level()
            ));
            s.bind_list(ids());
            s.push(
                ") UNION ALL SELECT entity_id, principal_kind, principal_id, role, owner FROM acl \
                 WHERE owner = FALSE AND entity_id IN (",
            );
            s.bind_list(ids()).push(")");
            let rows: Vec<(String, String, String, i16, bool)> = self.pools.fetch_all(&s).await?;
            for (entity, kind, pid, role, owner) in rows {
                let row = AclRow {
                    principal: Principal {
                        kind: PrincipalKind::parse(&kind).unwrap_or(PrincipalKind::User),
                        id: parse_uuid(&pid)?,
                    },
                    role: Role::from_level(role).unwrap_or(Role::Read),
                    owner,
                };
                out.push((EntityId::from_uuid(parse_uuid(&entity)?), row));
            }
        }
        Ok(out)
    }

    async fn count_entities(&self, kinds: &[Kind]) -> StoreResult<u64> {
        let mut s = Sql::new("SELECT COUNT(*) FROM entities");
        if !kinds.is_empty() {
            s.push(" WHERE kind IN (")
                .bind_list(kinds.iter().map(|k| k.as_str()))
                .push(")");
        }
        Ok(self.pools.fetch_i64(&s).await?.max(0) as u64)
    }

    async fn write(&self, batch: WriteBatch) -> StoreResult<WriteBatch> {
        let new = batch
            .entities
            .iter()
            .filter(|w| w.expected_revision.is_none())
            .count() as u64;
        let batch = self.writer.write(&self.pools, batch).await?;
        self.upkeep.note_inserts(&self.pools, new);
        Ok(batch)
    }

    async fn history(
        &self,
        subject_kind: &str,
        subject_id: &str,
        page: PageRequest,
    ) -> StoreResult<(Vec<ChangeRecord>, u64)> {
        let total = self
            .pools
            .fetch_i64(&sql!(
                "SELECT COUNT(*) FROM changes WHERE subject_kind = ? AND subject_id = ?",
                subject_kind,
                subject_id
            ))
            .await?;
        let s = sql!(
            "SELECT id, subject_kind, subject_id, at, actor_id, actor_name, source, op, changes, context FROM changes \
             WHERE subject_kind = ? AND subject_id = ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
            subject_kind,
            subject_id,
            i64::from(page.limit),
            page.offset() as i64
        );
        let rows: Vec<ChangeRow> = self.pools.fetch_all(&s).await?;
        Ok((records(rows)?, total.max(0) as u64))
    }

    async fn insert_user(&self, user: &UserRecord, change: &ChangeRecord) -> StoreResult<bool> {
        let mut tx = self.pools.begin().await?;
        // The first account ever created is the administrator: claimed atomically.
        let claimed = tx
            .execute(&sql!(
                "INSERT INTO meta (key, value) VALUES ('first_admin', ?) ON CONFLICT (key) DO NOTHING",
                user.id.to_string()
            ))
            .await?
            == 1;
        let admin = user.admin || claimed;
        tx.execute(&sql!(
            "INSERT INTO users (id, email, name, password_hash, admin, active, profile, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            user.id.to_string(),
            user.email.as_str(),
            user.name.as_str(),
            user.password_hash.as_str(),
            admin,
            user.active,
            Value::Object(user.profile.clone()),
            micros(user.created_at),
            micros(user.updated_at)
        ))
        .await?;
        write::apply(
            &mut tx,
            &WriteBatch {
                changes: vec![change.clone()],
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(admin)
    }

    async fn count_users(&self) -> StoreResult<u64> {
        Ok(self
            .pools
            .fetch_i64(&Sql::new("SELECT COUNT(*) FROM users"))
            .await?
            .max(0) as u64)
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        let row: Option<UserRow> = self
            .pools
            .fetch_optional(&sql!("SELECT * FROM users WHERE id = ?", id.to_string()))
            .await?;
        row.map(UserRecord::try_from).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let row: Option<UserRow> = self
            .pools
            .fetch_optional(&sql!("SELECT * FROM users WHERE email = ?", email))
            .await?;
        row.map(UserRecord::try_from).transpose()
    }

    async fn update_user(
        &self,
        user: &UserRecord,
        change: Option<&ChangeRecord>,
    ) -> StoreResult<()> {
        let mut tx = self.pools.begin().await?;
        tx.execute(&sql!(
            "UPDATE users SET email = ?, name = ?, password_hash = ?, admin = ?, active = ?, profile = ?, updated_at = ? WHERE id = ?",
            user.email.as_str(),
            user.name.as_str(),
            user.password_hash.as_str(),
            user.admin,
            user.active,
            Value::Object(user.profile.clone()),
            micros(user.updated_at),
            user.id.to_string()
        ))
        .await?;
        if let Some(c) = change {
            write::apply(
                &mut tx,
                &WriteBatch {
                    changes: vec![c.clone()],
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await
    }

    async fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "INSERT INTO sessions (id, user_id, kind, name, token_hash, created_at, expires_at, revoked_at, last_used_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                s.id.to_string(),
                s.user_id.to_string(),
                s.kind.as_str(),
                s.name.clone(),
                s.token_hash.clone(),
                micros(s.created_at),
                s.expires_at.map(micros),
                s.revoked_at.map(micros),
                s.last_used_at.map(micros)
            ))
            .await
            .map(|_| ())
    }

    async fn session(&self, id: Uuid) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = self
            .pools
            .fetch_optional(&sql!("SELECT * FROM sessions WHERE id = ?", id.to_string()))
            .await?;
        row.map(SessionRecord::try_from).transpose()
    }

    async fn revoke_session(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                micros(at),
                id.to_string()
            ))
            .await
            .map(|_| ())
    }

    async fn memberships(&self, user: UserId) -> StoreResult<Vec<(Uuid, Role)>> {
        let rows: Vec<(String, i16)> = self
            .pools
            .fetch_all(&sql!(
                "SELECT m.team_id, m.role FROM team_members m JOIN teams t ON t.id = m.team_id AND t.active = TRUE WHERE m.user_id = ?",
                user.to_string()
            ))
            .await?;
        rows.into_iter()
            .map(|(t, r)| Ok((parse_uuid(&t)?, Role::from_level(r).unwrap_or(Role::Read))))
            .collect()
    }

    async fn secret_get_or_insert(&self, name: &str, candidate: &str) -> StoreResult<String> {
        self.pools
            .execute(&sql!(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                name,
                candidate
            ))
            .await?;
        let row: Option<(String,)> = self
            .pools
            .fetch_optional(&sql!("SELECT value FROM meta WHERE key = ?", name))
            .await?;
        row.map(|r| r.0)
            .ok_or_else(|| StoreError::Other(format!("secret {name} vanished")))
    }

    async fn settings(&self) -> StoreResult<Vec<(String, Value, DateTime<Utc>)>> {
        let rows: Vec<(String, Json<Value>, i64)> = self
            .pools
            .fetch_all(&Sql::new(
                "SELECT key, value, updated_at FROM settings ORDER BY key",
            ))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(k, v, t)| (k, v.0, time(t)))
            .collect())
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<Value>> {
        let row: Option<(Json<Value>,)> = self
            .pools
            .fetch_optional(&sql!("SELECT value FROM settings WHERE key = ?", key))
            .await?;
        Ok(row.map(|r| r.0.0))
    }

    async fn put_setting(
        &self,
        key: &str,
        value: &Value,
        at: DateTime<Utc>,
        insert_only: bool,
        change: Option<&ChangeRecord>,
    ) -> StoreResult<bool> {
        let mut tx = self.pools.begin().await?;
        let conflict = if insert_only {
            "DO NOTHING"
        } else {
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        };
        let n = tx
            .execute(&sql!(
                &format!("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) {conflict}"),
                key,
                value.clone(),
                micros(at)
            ))
            .await?;
        if let Some(c) = change {
            write::apply(
                &mut tx,
                &WriteBatch {
                    changes: vec![c.clone()],
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn list_users(
        &self,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<UserRecord>, u64)> {
        self.list_users_impl(q, page).await
    }

    async fn count_admins(&self) -> StoreResult<u64> {
        let n = self
            .pools
            .fetch_i64(&Sql::new(
                "SELECT COUNT(*) FROM users WHERE admin = TRUE AND active = TRUE",
            ))
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn principals(&self, ids: &[Uuid]) -> StoreResult<Vec<PrincipalSummary>> {
        self.principals_impl(ids).await
    }

    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        self.api_tokens_impl(user).await
    }

    async fn touch_session(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "UPDATE sessions SET last_used_at = ? WHERE id = ?",
                micros(at),
                id.to_string()
            ))
            .await
            .map(|_| ())
    }

    async fn extend_session(&self, id: Uuid, expires_at: DateTime<Utc>) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "UPDATE sessions SET expires_at = ? WHERE id = ?",
                micros(expires_at),
                id.to_string()
            ))
            .await
            .map(|_| ())
    }

    async fn revoke_user_sessions(
        &self,
        user: UserId,
        at: DateTime<Utc>,
        except: Option<Uuid>,
        tokens: bool,
    ) -> StoreResult<()> {
        let mut s = sql!(
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            micros(at),
            user.to_string()
        );
        if let Some(keep) = except {
            s.push(" AND id <> ").bind(keep.to_string());
        }
        if !tokens {
            s.push(" AND kind = 'session'");
        }
        self.pools.execute(&s).await.map(|_| ())
    }

    async fn insert_password_reset(
        &self,
        token_hash: &str,
        user: UserId,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                token_hash,
                user.to_string(),
                micros(created_at),
                micros(expires_at)
            ))
            .await
            .map(|_| ())
    }

    async fn consume_password_reset(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>> {
        self.consume_reset_impl(token_hash, now).await
    }

    async fn login_locked_until(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        self.locked_until_impl(keys, now).await
    }

    async fn record_login_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StoreResult<u32> {
        self.record_failure_impl(key, now, window).await
    }

    async fn lock_login(&self, key: &str, until: DateTime<Utc>) -> StoreResult<()> {
        self.pools
            .execute(&sql!(
                "UPDATE login_attempts SET locked_until = ? WHERE key = ?",
                micros(until),
                key
            ))
            .await
            .map(|_| ())
    }

    async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
        self.pools
            .execute(&sql!("DELETE FROM login_attempts WHERE key = ?", key))
            .await
            .map(|_| ())
    }

    async fn insert_team(
        &self,
        team: &TeamRecord,
        owner: UserId,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        self.insert_team_impl(team, owner, change).await
    }

    async fn team(&self, id: TeamId) -> StoreResult<Option<TeamRecord>> {
        self.team_impl(id).await
    }

    async fn list_teams(
        &self,
        member: Option<UserId>,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<TeamRecord>, u64)> {
        self.list_teams_impl(member, q, page).await
    }

    async fn update_team(&self, team: &TeamRecord, change: &ChangeRecord) -> StoreResult<()> {
        self.update_team_impl(team, change).await
    }

    async fn members(&self, team: TeamId) -> StoreResult<Vec<MemberRecord>> {
        self.members_impl(team).await
    }

    async fn set_member(
        &self,
        team: TeamId,
        user: UserId,
        role: Option<Role>,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        self.set_member_impl(team, user, role, change).await
    }
}
