//! The storage port: everything the domain services need from a database, as one object-safe
//! trait. `maestro-store` implements it for SQLite and PostgreSQL; the services never see SQL.
//! Every read of inventory takes the caller's [`Access`], so scoping is never an afterthought.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use maestro_model::query::{ListQuery, PageRequest};
use maestro_model::schema::FamilyScope;
use maestro_model::{EntityId, Kind, Role, TeamId, UserId};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::caller::{Access, Principal};

/// Storage failures the services react to; anything else is `Other`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Someone else changed the row first (optimistic concurrency); the service retries.
    #[error("concurrent update of {0}")]
    Conflict(String),
    /// A unique value is already taken (an e-mail, a name).
    #[error("{0} already exists")]
    Duplicate(String),
    /// A referenced entity vanished (or was deleted) before the write committed.
    #[error("referenced entity {0} does not exist or is inactive")]
    MissingTarget(EntityId),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A stored entity.
#[derive(Debug, Clone)]
pub struct EntityRecord {
    pub id: EntityId,
    pub kind: Kind,
    pub family: Option<String>,
    pub name: String,
    pub active: bool,
    pub owner: Principal,
    /// Filled on reads: the owner's display name.
    pub owner_name: Option<String>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The document without its reference fields.
    pub data: Map<String, Value>,
    /// Lower-cased text that `q` searches.
    pub search: String,
    /// Set on entities discovered from a cloud account.
    pub discovery: Option<Discovered>,
}

/// Where a discovered entity comes from and when discovery last saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovered {
    /// `<connection id>:<provider id>`: the identity discovery matches on (never an IP).
    pub key: String,
    /// `<connection id>:<region>:<task>`: the listing that reports it.
    pub scope: String,
    /// The sync run that last saw it.
    pub run: String,
    pub seen_at: DateTime<Utc>,
}

/// The status of one discovery task of one connection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TaskStatus {
    pub task: String,
    pub enabled: bool,
    /// `never`, `running`, `success`, `warning` (empty result), `error`.
    pub state: String,
    pub message: Option<String>,
    /// The permission a failed task needs (e.g. `ec2:DescribeInstances`).
    pub permission: Option<String>,
    pub counts: Value,
    pub run_id: Option<String>,
    /// The schedule that runs this task periodically.
    pub schedule_id: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
}

impl TaskStatus {
    /// A task that has never run, switched on.
    pub fn never(task: &str) -> Self {
        Self {
            task: task.to_owned(),
            enabled: true,
            state: "never".into(),
            message: None,
            permission: None,
            counts: Value::Object(Map::new()),
            run_id: None,
            schedule_id: None,
            started_at: None,
            finished_at: None,
            duration_ms: None,
        }
    }
}

/// The few columns needed to show or check a related entity.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySummary {
    pub id: EntityId,
    pub kind: Kind,
    pub family: Option<String>,
    pub name: String,
    pub active: bool,
}

/// A relation row seen from one entity, with the entity on the other end.
#[derive(Debug, Clone)]
pub struct RelationRow {
    /// The entity the rows were asked for (`src` or `dst`).
    pub anchor: EntityId,
    pub src: EntityId,
    pub rel: String,
    pub dst: EntityId,
    pub attrs: Map<String, Value>,
    pub position: i64,
    /// The entity on the other end (relative to the anchor the rows were asked for).
    pub peer: EntitySummary,
    /// Whether the caller may read the peer.
    pub peer_visible: bool,
}

/// The side of an entity a relation row is on: it points at the peer, or the peer points at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationSide {
    Outgoing,
    Incoming,
}

impl RelationSide {
    pub const BOTH: [RelationSide; 2] = [RelationSide::Outgoing, RelationSide::Incoming];

    pub fn as_str(self) -> &'static str {
        match self {
            RelationSide::Outgoing => "outgoing",
            RelationSide::Incoming => "incoming",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::BOTH.into_iter().find(|side| side.as_str() == s)
    }
}

/// How many rows of one relation on one side of an entity, with entities of one kind and
/// family at the other end, the caller may read.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationTotal {
    pub side: RelationSide,
    pub rel: String,
    pub kind: Kind,
    pub family: Option<String>,
    pub total: u64,
}

/// One access-control row: a principal's role on an entity.
#[derive(Debug, Clone, PartialEq)]
pub struct AclRow {
    pub principal: Principal,
    pub role: Role,
    /// The owner's row: always admin, never removed by a grants update.
    pub owner: bool,
}

/// A change-history record.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub id: Uuid,
    /// `server`, `application`, … or `setting`, `user`, `team`.
    pub subject_kind: String,
    pub subject_id: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub source: String,
    /// `create`, `update`, `delete`, `restore`, `grant`.
    pub op: String,
    /// `[{path, old, new}]`
    pub changes: Value,
    pub context: Option<Value>,
}

/// One entity insert or update inside a [`WriteBatch`].
#[derive(Debug, Clone)]
pub struct EntityWrite {
    pub record: EntityRecord,
    /// `None` inserts; `Some(r)` updates only if the stored revision is still `r`.
    pub expected_revision: Option<i64>,
}

/// A relation change inside a [`WriteBatch`].
#[derive(Debug, Clone)]
pub enum RelationEdit {
    /// Adds (or updates the attributes and position of) a row. Fails with
    /// [`StoreError::MissingTarget`] if either end is missing or inactive.
    Upsert {
        src: EntityId,
        rel: &'static str,
        dst: EntityId,
        attrs: Map<String, Value>,
        position: i64,
    },
    Remove {
        src: EntityId,
        rel: String,
        dst: EntityId,
    },
    /// Removes every row touching `entity`, including rows added concurrently (deletion).
    DetachAll { entity: EntityId },
}

/// Everything one service operation writes, applied atomically.
#[derive(Debug, Clone, Default)]
pub struct WriteBatch {
    pub entities: Vec<EntityWrite>,
    /// Entities whose relations changed from the other side: `updated_at` set, revision bumped.
    pub touched: Vec<(EntityId, DateTime<Utc>)>,
    pub relations: Vec<RelationEdit>,
    /// Replaces the ACL rows of an entity (owner row included).
    pub acl: Vec<(EntityId, Vec<AclRow>)>,
    pub changes: Vec<ChangeRecord>,
    /// Sealed secret fields per entity (`None` removes them).
    pub secrets: Vec<(EntityId, Option<String>)>,
    /// Replaces an entity's pending references: `(field, target discovery key)`.
    pub pending: Vec<(EntityId, Vec<(String, String)>)>,
    /// Pending references now resolved: `(source, field, target key)`.
    pub resolved: Vec<(EntityId, String, String)>,
}

impl WriteBatch {
    /// Adds `other`'s writes after this batch's.
    pub fn append(&mut self, other: WriteBatch) {
        self.entities.extend(other.entities);
        self.touched.extend(other.touched);
        self.relations.extend(other.relations);
        self.acl.extend(other.acl);
        self.changes.extend(other.changes);
        self.secrets.extend(other.secrets);
        self.pending.extend(other.pending);
        self.resolved.extend(other.resolved);
    }
}

/// A stored account.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub admin: bool,
    pub active: bool,
    pub profile: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A login session or API token; the bearer token refers to it so it can be revoked.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: Uuid,
    pub user_id: UserId,
    /// `session` (JWT) or `api` (personal token).
    pub kind: String,
    pub name: Option<String>,
    /// SHA-256 of an API token; empty for JWT sessions.
    pub token_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl SessionRecord {
    /// Neither revoked nor expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A stored team.
#[derive(Debug, Clone)]
pub struct TeamRecord {
    pub id: TeamId,
    pub name: String,
    /// `email`, `url`, `avatar`, …
    pub profile: Map<String, Value>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A member of a team.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRecord {
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// A user or team seen from a grant.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalSummary {
    pub kind: crate::caller::PrincipalKind,
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub active: bool,
}

/// The storage port.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Backend name for logs and `/readyz` (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> StoreResult<()>;

    // --- inventory reads (scoped by `access`)
    async fn entity(&self, access: &Access, id: EntityId) -> StoreResult<Option<EntityRecord>>;
    /// How many entities `list_entities` would count for `query`, without reading any.
    async fn count_matching(
        &self,
        access: &Access,
        kind: Kind,
        scope: FamilyScope,
        query: &ListQuery,
    ) -> StoreResult<u64>;
    async fn list_entities(
        &self,
        access: &Access,
        kind: Kind,
        scope: FamilyScope,
        query: &ListQuery,
    ) -> StoreResult<(Vec<EntityRecord>, u64)>;
    /// Summaries of the given ids that the caller may read (any state).
    async fn summaries(&self, access: &Access, ids: &[EntityId])
    -> StoreResult<Vec<EntitySummary>>;
    /// Relation rows where any of `ids` is the source or the destination, once per anchor.
    async fn relations(&self, access: &Access, ids: &[EntityId]) -> StoreResult<Vec<RelationRow>>;
    /// The rows of [`Store::relations`] that the documents of `ids` (entities of `kind`) show
    /// (`views::view_rels`): not the thousands of servers pointing at a datacenter.
    async fn field_relations(
        &self,
        access: &Access,
        kind: Kind,
        ids: &[EntityId],
    ) -> StoreResult<Vec<RelationRow>>;
    /// The first `per_rel` rows the caller may read of each relation on each side of `id` and
    /// each kind and family at the other end (outgoing in their field's order, then by name;
    /// incoming by name), and the readable total of each.
    async fn relation_firsts(
        &self,
        access: &Access,
        id: EntityId,
        per_rel: u32,
    ) -> StoreResult<(Vec<RelationRow>, Vec<RelationTotal>)>;
    /// A page of the rows the caller may read on one side of `id` (of one relation, or all of
    /// that side's by relation), in the order of [`Store::relation_firsts`], and their number.
    async fn relation_page(
        &self,
        access: &Access,
        id: EntityId,
        side: RelationSide,
        rel: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<RelationRow>, u64)>;
    /// Active entities of `kind` (other than `exclude`) whose identifier field (one of
    /// `KindSchema::identifier_fields`) equals the value, for each `(field, value)`:
    /// `(field, entity)` pairs, at most 20 per field.
    async fn find_equal(
        &self,
        access: &Access,
        kind: Kind,
        fields: &[(&str, &Value)],
        exclude: Option<EntityId>,
    ) -> StoreResult<Vec<(String, EntitySummary)>>;
    /// Active entities of `kind` whose identifier `field` is one of `values` (bulk duplicate
    /// checks): `(value, entity)` pairs.
    async fn find_any(
        &self,
        access: &Access,
        kind: Kind,
        field: &str,
        values: &[String],
    ) -> StoreResult<Vec<(String, EntitySummary)>>;
    /// Values of a top-level `field` shared by more than one active entity of `kind` that the
    /// caller may read, with how many share each (most shared first).
    async fn duplicate_values(
        &self,
        access: &Access,
        kind: Kind,
        field: &str,
        limit: u32,
    ) -> StoreResult<Vec<(Value, u64)>>;
    async fn acl(&self, id: EntityId) -> StoreResult<Vec<AclRow>>;
    /// The ACL rows of many entities, each with its entity.
    async fn acls(&self, ids: &[EntityId]) -> StoreResult<Vec<(EntityId, AclRow)>>;
    /// The sealed secrets of an entity, if any.
    async fn secret(&self, id: EntityId) -> StoreResult<Option<String>>;

    // --- discovery
    /// Entities (any state) with these discovery keys.
    async fn discovered(&self, keys: &[String]) -> StoreResult<Vec<EntityRecord>>;
    /// What `owner` (a user or a team) owns: active entities, and schedules.
    async fn owned_count(&self, owner: Uuid) -> StoreResult<(u64, u64)>;
    /// The ids of entities (any state) a connection discovered, in discovery-key order after
    /// `after` (a key), at most `limit`: `(key, id)`.
    async fn discovered_by(
        &self,
        connection: EntityId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<(String, EntityId)>>;
    /// The listing scopes (`<connection>:<region>:<task>`) holding active entities of a connection.
    async fn active_scopes(&self, connection: EntityId) -> StoreResult<Vec<String>>;
    /// Records that a run saw these (unchanged) entities.
    async fn mark_seen(&self, keys: &[String], run: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Active entities of a listing scope that no run has seen since `since`, at most `limit`.
    async fn unseen(
        &self,
        scope: &str,
        since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<EntityRecord>>;
    /// Pending references waiting for entities with these discovery keys:
    /// `(source entity, field, target key)`.
    async fn pending_refs(&self, keys: &[String]) -> StoreResult<Vec<(EntityId, String, String)>>;
    async fn task_statuses(&self, connection: EntityId) -> StoreResult<Vec<TaskStatus>>;
    /// Creates or replaces a task's status row.
    async fn put_task_status(&self, connection: EntityId, status: &TaskStatus) -> StoreResult<()>;
    /// Records a task's `schedule_id`: the whole row when the task has none yet, else only that.
    async fn put_task_schedule(&self, connection: EntityId, status: &TaskStatus)
    -> StoreResult<()>;
    /// Number of entities (any state, any owner) — to tell an empty installation.
    async fn count_entities(&self, kinds: &[Kind]) -> StoreResult<u64>;

    // --- writes
    /// Applies `batch` atomically and hands it back, so its records can be announced without
    /// a copy.
    async fn write(&self, batch: WriteBatch) -> StoreResult<WriteBatch>;

    // --- history
    async fn history(
        &self,
        subject_kind: &str,
        subject_id: &str,
        page: PageRequest,
    ) -> StoreResult<(Vec<ChangeRecord>, u64)>;

    // --- accounts
    /// Inserts a user; the first user ever inserted is made an administrator atomically.
    /// Returns whether the user became the administrator. `Duplicate` when the e-mail exists.
    async fn insert_user(&self, user: &UserRecord, change: &ChangeRecord) -> StoreResult<bool>;
    async fn count_users(&self) -> StoreResult<u64>;
    async fn user(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    async fn update_user(
        &self,
        user: &UserRecord,
        change: Option<&ChangeRecord>,
    ) -> StoreResult<()>;
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, id: Uuid) -> StoreResult<Option<SessionRecord>>;
    async fn revoke_session(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;
    /// Team memberships of a user: (team id, role).
    async fn memberships(&self, user: UserId) -> StoreResult<Vec<(Uuid, Role)>>;
    /// Accounts matching `q` (name or e-mail contains), by name.
    async fn list_users(
        &self,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<UserRecord>, u64)>;
    /// Active administrators.
    async fn count_admins(&self) -> StoreResult<u64>;
    /// Users and teams by id (any state).
    async fn principals(&self, ids: &[Uuid]) -> StoreResult<Vec<PrincipalSummary>>;
    /// API tokens of a user, newest first (revoked ones included).
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<SessionRecord>>;
    /// Records a use of a session or token.
    async fn touch_session(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;
    async fn extend_session(&self, id: Uuid, expires_at: DateTime<Utc>) -> StoreResult<()>;
    /// Ends the sessions of a user but `except`; API tokens too when `tokens` is set.
    async fn revoke_user_sessions(
        &self,
        user: UserId,
        at: DateTime<Utc>,
        except: Option<Uuid>,
        tokens: bool,
    ) -> StoreResult<()>;

    // --- password reset and login throttling
    async fn insert_password_reset(
        &self,
        token_hash: &str,
        user: UserId,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Marks a reset token used, once: returns its user if it was unused and unexpired.
    async fn consume_password_reset(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>>;
    /// The latest lock among `keys` still in force at `now`.
    async fn login_locked_until(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>>;
    /// Counts a failure for `key` within `window`; returns the failures counted so far.
    async fn record_login_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StoreResult<u32>;
    async fn lock_login(&self, key: &str, until: DateTime<Utc>) -> StoreResult<()>;
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;

    // --- teams
    /// Inserts a team with `owner` as its first administrator member.
    async fn insert_team(
        &self,
        team: &TeamRecord,
        owner: UserId,
        change: &ChangeRecord,
    ) -> StoreResult<()>;
    async fn team(&self, id: TeamId) -> StoreResult<Option<TeamRecord>>;
    /// Active teams, all or those `member` belongs to, matching `q`.
    async fn list_teams(
        &self,
        member: Option<UserId>,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<TeamRecord>, u64)>;
    async fn update_team(&self, team: &TeamRecord, change: &ChangeRecord) -> StoreResult<()>;
    async fn members(&self, team: TeamId) -> StoreResult<Vec<MemberRecord>>;
    /// Sets (`Some`) or removes (`None`) a membership, with its history record.
    async fn set_member(
        &self,
        team: TeamId,
        user: UserId,
        role: Option<Role>,
        change: &ChangeRecord,
    ) -> StoreResult<()>;

    // --- settings and secrets
    /// Returns the stored secret `name`, storing `candidate` first if there is none (race-safe).
    async fn secret_get_or_insert(&self, name: &str, candidate: &str) -> StoreResult<String>;
    async fn settings(&self) -> StoreResult<Vec<(String, Value, DateTime<Utc>)>>;
    async fn setting(&self, key: &str) -> StoreResult<Option<Value>>;
    /// Writes a setting; `insert_only` leaves an existing value alone (seeding).
    async fn put_setting(
        &self,
        key: &str,
        value: &Value,
        at: DateTime<Utc>,
        insert_only: bool,
        change: Option<&ChangeRecord>,
    ) -> StoreResult<bool>;
}

/// Sends e-mail (password reset links). Implemented over SMTP in `maestro-adapters`.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), String>;
}

/// Stores uploaded files (avatars): local disk or S3, in `maestro-adapters`.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), String>;
    /// The bytes and content type, or None when absent.
    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, String>;
    async fn delete(&self, key: &str) -> Result<(), String>;
}
