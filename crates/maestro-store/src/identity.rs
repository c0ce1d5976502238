//! Accounts beyond the basics: user lists, teams and memberships, API tokens, password reset
//! tokens and login throttling.

use chrono::{DateTime, Utc};
use maestro_core::PrincipalKind;
use maestro_core::ports::{
    ChangeRecord, MemberRecord, PrincipalSummary, SessionRecord, StoreResult, TeamRecord,
    UserRecord, WriteBatch,
};
use maestro_model::query::PageRequest;
use maestro_model::{Role, TeamId, UserId};
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use crate::rows::{SessionRow, UserRow, micros, parse_uuid, time};
use crate::sql::Sql;
use crate::{Db, records, sql, write};

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: String,
    name: String,
    profile: Json<Value>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TeamRow> for TeamRecord {
    type Error = maestro_core::ports::StoreError;
    fn try_from(r: TeamRow) -> StoreResult<Self> {
        Ok(TeamRecord {
            id: TeamId::from_uuid(parse_uuid(&r.id)?),
            name: r.name,
            profile: match r.profile.0 {
                Value::Object(m) => m,
                _ => Default::default(),
            },
            active: r.active,
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
        })
    }
}

fn search_clause(s: &mut Sql, d: crate::sql::Dialect, q: Option<&str>, columns: &[&str]) {
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        s.push(" AND (");
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                s.push(" OR ");
            }
            s.push_contains(d, c, q);
        }
        s.push(")");
    }
}

impl Db {
    pub(crate) async fn list_users_impl(
        &self,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<UserRecord>, u64)> {
        let mut filter = Sql::new(" WHERE TRUE");
        search_clause(&mut filter, self.dialect(), q, &["name", "email"]);
        let mut count = Sql::new("SELECT COUNT(*) FROM users");
        count.append(filter.clone());
        let total = self.pools.fetch_i64(&count).await?;
        let mut s = Sql::new("SELECT * FROM users");
        s.append(filter);
        s.push(" ORDER BY name, id LIMIT ")
            .bind(i64::from(page.limit));
        s.push(" OFFSET ").bind(page.offset() as i64);
        let rows: Vec<UserRow> = self.pools.fetch_all(&s).await?;
        Ok((records(rows)?, total.max(0) as u64))
    }

    pub(crate) async fn principals_impl(&self, ids: &[Uuid]) -> StoreResult<Vec<PrincipalSummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let mut s =
            Sql::new("SELECT 'user' AS k, id, name, email, active FROM users WHERE id IN (");
        s.bind_list(ids.clone());
        s.push(") UNION ALL SELECT 'team' AS k, id, name, NULL AS email, active FROM teams WHERE id IN (");
        s.bind_list(ids);
        s.push(")");
        let rows: Vec<(String, String, String, Option<String>, bool)> =
            self.pools.fetch_all(&s).await?;
        rows.into_iter()
            .map(|(k, id, name, email, active)| {
                Ok(PrincipalSummary {
                    kind: if k == "team" {
                        PrincipalKind::Team
                    } else {
                        PrincipalKind::User
                    },
                    id: parse_uuid(&id)?,
                    name,
                    email,
                    active,
                })
            })
            .collect()
    }

    pub(crate) async fn api_tokens_impl(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        let rows: Vec<SessionRow> = self
            .pools
            .fetch_all(&sql!(
                "SELECT * FROM sessions WHERE user_id = ? AND kind = 'api' ORDER BY created_at DESC, id DESC",
                user.to_string()
            ))
            .await?;
        records(rows)
    }

    pub(crate) async fn consume_reset_impl(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>> {
        let mut tx = self.pools.begin().await?;
        let rows: Vec<(String,)> = tx
            .fetch_all(&sql!(
                "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id",
                micros(now),
                token_hash,
                micros(now)
            ))
            .await?;
        tx.commit().await?;
        rows.first()
            .map(|(u,)| parse_uuid(u).map(UserId::from_uuid))
            .transpose()
    }

    pub(crate) async fn locked_until_impl(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        if keys.is_empty() {
            return Ok(None);
        }
        let mut s = Sql::new("SELECT MAX(locked_until) FROM login_attempts WHERE key IN (");
        s.bind_list(keys.iter().cloned())
            .push(") AND locked_until > ")
            .bind(micros(now));
        let row: Option<(Option<i64>,)> = self.pools.fetch_optional(&s).await?;
        Ok(row.and_then(|r| r.0).map(time))
    }

    pub(crate) async fn record_failure_impl(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StoreResult<u32> {
        let mut tx = self.pools.begin().await?;
        // A failure outside the window starts a new count.
        let start = micros(now - window);
        tx.execute(&sql!(
            "INSERT INTO login_attempts (key, failures, first_at, locked_until) VALUES (?, 1, ?, NULL) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_attempts.first_at < ? THEN 1 ELSE login_attempts.failures + 1 END, \
               first_at = CASE WHEN login_attempts.first_at < ? THEN excluded.first_at ELSE login_attempts.first_at END",
            key,
            micros(now),
            start,
            start
        ))
        .await?;
        let n = tx
            .fetch_i64(&sql!(
                "SELECT CAST(failures AS BIGINT) FROM login_attempts WHERE key = ?",
                key
            ))
            .await?;
        tx.commit().await?;
        Ok(n.clamp(0, i64::from(u32::MAX)) as u32)
    }

    pub(crate) async fn insert_team_impl(
        &self,
        team: &TeamRecord,
        owner: UserId,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        let mut tx = self.pools.begin().await?;
        tx.execute(&sql!(
            "INSERT INTO teams (id, name, profile, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            team.id.to_string(),
            team.name.as_str(),
            Value::Object(team.profile.clone()),
            team.active,
            micros(team.created_at),
            micros(team.updated_at)
        ))
        .await?;
        tx.execute(&sql!(
            "INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, ?)",
            team.id.to_string(),
            owner.to_string(),
            Role::Admin.level()
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
        tx.commit().await
    }

    pub(crate) async fn team_impl(&self, id: TeamId) -> StoreResult<Option<TeamRecord>> {
        let row: Option<TeamRow> = self
            .pools
            .fetch_optional(&sql!("SELECT * FROM teams WHERE id = ?", id.to_string()))
            .await?;
        row.map(TeamRecord::try_from).transpose()
    }

    pub(crate) async fn list_teams_impl(
        &self,
        member: Option<UserId>,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<TeamRecord>, u64)> {
        let mut filter = Sql::new(" WHERE t.active = TRUE");
        if let Some(u) = member {
            filter.push(
                " AND EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = ",
            );
            filter.bind(u.to_string()).push(")");
        }
        search_clause(&mut filter, self.dialect(), q, &["t.name"]);
        let mut count = Sql::new("SELECT COUNT(*) FROM teams t");
        count.append(filter.clone());
        let total = self.pools.fetch_i64(&count).await?;
        let mut s = Sql::new("SELECT t.* FROM teams t");
        s.append(filter);
        s.push(" ORDER BY t.name, t.id LIMIT ")
            .bind(i64::from(page.limit));
        s.push(" OFFSET ").bind(page.offset() as i64);
        let rows: Vec<TeamRow> = self.pools.fetch_all(&s).await?;
        Ok((records(rows)?, total.max(0) as u64))
    }

    pub(crate) async fn update_team_impl(
        &self,
        team: &TeamRecord,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        let mut tx = self.pools.begin().await?;
        tx.execute(&sql!(
            "UPDATE teams SET name = ?, profile = ?, active = ?, updated_at = ? WHERE id = ?",
            team.name.as_str(),
            Value::Object(team.profile.clone()),
            team.active,
            micros(team.updated_at),
            team.id.to_string()
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
        tx.commit().await
    }

    pub(crate) async fn members_impl(&self, team: TeamId) -> StoreResult<Vec<MemberRecord>> {
        let rows: Vec<(String, String, String, i16)> = self
            .pools
            .fetch_all(&sql!(
                "SELECT u.id, u.name, u.email, m.role FROM team_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.team_id = ? ORDER BY u.name, u.id",
                team.to_string()
            ))
            .await?;
        rows.into_iter()
            .map(|(id, name, email, role)| {
                Ok(MemberRecord {
                    user: UserId::from_uuid(parse_uuid(&id)?),
                    name,
                    email,
                    role: Role::from_level(role).unwrap_or(Role::Read),
                })
            })
            .collect()
    }

    pub(crate) async fn set_member_impl(
        &self,
        team: TeamId,
        user: UserId,
        role: Option<Role>,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        let mut tx = self.pools.begin().await?;
        match role {
            Some(r) => {
                tx.execute(&sql!(
                    "INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, ?) \
                     ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role",
                    team.to_string(),
                    user.to_string(),
                    r.level()
                ))
                .await?;
            }
            None => {
                tx.execute(&sql!(
                    "DELETE FROM team_members WHERE team_id = ? AND user_id = ?",
                    team.to_string(),
                    user.to_string()
                ))
                .await?;
            }
        }
        write::apply(
            &mut tx,
            &WriteBatch {
                changes: vec![change.clone()],
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await
    }
}
