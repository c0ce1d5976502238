//! Row types read from either backend, and their conversion into the port's records.

use chrono::{DateTime, TimeZone, Utc};
use maestro_core::ports::{
    ChangeRecord, EntityRecord, EntitySummary, SessionRecord, StoreError, StoreResult, UserRecord,
};
use maestro_core::{Principal, PrincipalKind};
use maestro_model::{Kind, UserId};
use serde_json::{Map, Value};
use sqlx::types::Json;
use uuid::Uuid;

/// Microseconds since the epoch, as stored.
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn time(us: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(us).single().unwrap_or_default()
}

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("corrupt row: bad {what} {value:?}"))
}

pub fn parse_uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| bad("id", s))
}

pub(crate) fn parse_kind(s: &str) -> StoreResult<Kind> {
    Kind::parse(s).ok_or_else(|| bad("kind", s))
}

pub(crate) fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[derive(sqlx::FromRow)]
pub struct EntityRow {
    pub id: String,
    pub kind: String,
    pub family: Option<String>,
    pub name: String,
    pub active: bool,
    pub owner_kind: String,
    pub owner_id: String,
    pub owner_name: Option<String>,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub search: String,
    pub data: Json<Value>,
    pub discovery_key: Option<String>,
    pub discovery_scope: Option<String>,
    pub seen_run: Option<String>,
    pub seen_at: Option<i64>,
}

/// The columns [`EntityRow`] reads, for `SELECT … FROM entities e`.
pub fn entity_columns(d: crate::sql::Dialect) -> String {
    format!(
        "e.id, e.kind, e.family, e.name, e.active, e.owner_kind, e.owner_id, \
         COALESCE(ou.name, ot.name) AS owner_name, e.revision, e.created_at, e.updated_at, e.search, {} AS data, \
         e.discovery_key, e.discovery_scope, ds.run AS seen_run, ds.seen_at",
        d.doc_out("e.data")
    )
}

/// Joins that fill `owner_name` and the discovery marks (`seen_run`, `seen_at`).
pub const ENTITY_JOINS: &str = " LEFT JOIN users ou ON e.owner_kind = 'user' AND ou.id = e.owner_id \
     LEFT JOIN teams ot ON e.owner_kind = 'team' AND ot.id = e.owner_id \
     LEFT JOIN discovery_seen ds ON ds.discovery_key = e.discovery_key";

impl TryFrom<EntityRow> for EntityRecord {
    type Error = StoreError;
    fn try_from(r: EntityRow) -> StoreResult<Self> {
        let owner_kind =
            PrincipalKind::parse(&r.owner_kind).ok_or_else(|| bad("owner kind", &r.owner_kind))?;
        let owner_name = match owner_kind {
            PrincipalKind::System => Some("Maestro".to_owned()),
            _ => r.owner_name,
        };
        Ok(EntityRecord {
            id: r.id.parse().map_err(|_| bad("id", &r.id))?,
            kind: parse_kind(&r.kind)?,
            family: r.family,
            name: r.name,
            active: r.active,
            owner: Principal {
                kind: owner_kind,
                id: parse_uuid(&r.owner_id)?,
            },
            owner_name,
            revision: r.revision,
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
            data: object(r.data.0),
            search: r.search,
            discovery: match (r.discovery_key, r.discovery_scope) {
                (Some(key), Some(scope)) => Some(maestro_core::ports::Discovered {
                    key,
                    scope,
                    run: r.seen_run.unwrap_or_default(),
                    seen_at: time(r.seen_at.unwrap_or_default()),
                }),
                _ => None,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SummaryRow {
    pub id: String,
    pub kind: String,
    pub family: Option<String>,
    pub name: String,
    pub active: bool,
}

impl TryFrom<SummaryRow> for EntitySummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> StoreResult<Self> {
        Ok(EntitySummary {
            id: r.id.parse().map_err(|_| bad("id", &r.id))?,
            kind: parse_kind(&r.kind)?,
            family: r.family,
            name: r.name,
            active: r.active,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct RelationDbRow {
    pub anchor: String,
    pub src_id: String,
    pub rel: String,
    pub dst_id: String,
    pub attrs: Json<Value>,
    pub position: i64,
    pub id: String,
    pub kind: String,
    pub family: Option<String>,
    pub name: String,
    pub active: bool,
    pub visible: bool,
}

impl TryFrom<RelationDbRow> for maestro_core::ports::RelationRow {
    type Error = StoreError;
    fn try_from(r: RelationDbRow) -> StoreResult<Self> {
        Ok(Self {
            anchor: r.anchor.parse().map_err(|_| bad("id", &r.anchor))?,
            src: r.src_id.parse().map_err(|_| bad("id", &r.src_id))?,
            rel: r.rel,
            dst: r.dst_id.parse().map_err(|_| bad("id", &r.dst_id))?,
            attrs: object(r.attrs.0),
            position: r.position,
            peer: SummaryRow {
                id: r.id,
                kind: r.kind,
                family: r.family,
                name: r.name,
                active: r.active,
            }
            .try_into()?,
            peer_visible: r.visible,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ChangeRow {
    pub id: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub source: String,
    pub op: String,
    pub changes: Json<Value>,
    pub context: Option<Json<Value>>,
}

impl TryFrom<ChangeRow> for ChangeRecord {
    type Error = StoreError;
    fn try_from(r: ChangeRow) -> StoreResult<Self> {
        Ok(ChangeRecord {
            id: parse_uuid(&r.id)?,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            at: time(r.at),
            actor_id: r.actor_id.as_deref().map(parse_uuid).transpose()?,
            actor_name: r.actor_name,
            source: r.source,
            op: r.op,
            changes: r.changes.0,
            context: r.context.map(|c| c.0),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub admin: bool,
    pub active: bool,
    pub profile: Json<Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<UserRow> for UserRecord {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<Self> {
        Ok(UserRecord {
            id: UserId::from_uuid(parse_uuid(&r.id)?),
            email: r.email,
            name: r.name,
            password_hash: r.password_hash,
            admin: r.admin,
            active: r.active,
            profile: object(r.profile.0),
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub name: Option<String>,
    pub token_hash: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> StoreResult<Self> {
        Ok(SessionRecord {
            id: parse_uuid(&r.id)?,
            user_id: UserId::from_uuid(parse_uuid(&r.user_id)?),
            kind: r.kind,
            name: r.name,
            token_hash: r.token_hash,
            created_at: time(r.created_at),
            expires_at: r.expires_at.map(time),
            revoked_at: r.revoked_at.map(time),
            last_used_at: r.last_used_at.map(time),
        })
    }
}
