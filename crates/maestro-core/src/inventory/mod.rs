//! The inventory services: create, read, list, patch, delete and restore entities of every
//! kind, their relations and their history. Each write validates against the schema, checks the
//! caller's role, and stores the entity, its relation rows and its history in one batch.

mod create;
pub use create::Created;
mod grants;
mod history;
mod owner;
pub(crate) use grants::{grants_json, same_grants};
mod prepare;
pub(crate) mod refs;
mod relations;
pub use relations::RelationsQuery;
pub(crate) mod regions;
mod restore;
mod same_account;
mod secrets;
mod warnings;

use std::collections::{HashMap, HashSet};

use maestro_model::diff::diff_value;
use maestro_model::patch::merge_patch;
use maestro_model::query::{ListQuery, PageRequest};
use maestro_model::schema::{Collection, Kind};
use maestro_model::search::search_text;
use maestro_model::validate::compose;
use maestro_model::{EntityId, Role};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::accounts::as_object;
use crate::caller::{Access, Caller};
use crate::ports::{
    AclRow, ChangeRecord, EntityRecord, EntitySummary, EntityWrite, RelationEdit, RelationRow,
    StoreError, WriteBatch,
};
use crate::views::{change_view, entity_view};
use crate::{Core, CoreError, CoreResult, Page};

/// How many times a write is retried when another write changed the entity first.
const WRITE_ATTEMPTS: usize = 5;

/// The result of a write: the entity as now stored, plus warnings (duplicate hostnames, IPs…).
#[derive(Debug, Clone)]
pub struct Written {
    pub entity: Value,
    pub warnings: Vec<Value>,
}

impl Written {
    /// The entity with its `warnings` list, as write endpoints answer.
    pub fn into_json(self) -> Value {
        let mut v = self.entity;
        if let Value::Object(m) = &mut v {
            m.insert("warnings".into(), Value::Array(self.warnings));
        }
        v
    }
}

/// The caller's role on an entity, from its ACL rows.
pub fn effective_role(caller: &Caller, kind: Kind, acl: &[AclRow]) -> Option<Role> {
    if caller.admin {
        return Some(Role::Admin);
    }
    let mut best = kind.schema().global.then_some(Role::Read);
    for row in acl {
        let role = if caller.user.is_some_and(|u| u.uuid() == row.principal.id) {
            Some(row.role)
        } else {
            caller
                .teams
                .iter()
                .find(|(t, _)| t.uuid() == row.principal.id)
                .map(|(_, member)| row.role.min(*member))
        };
        best = best.max(role);
    }
    best
}

pub(crate) fn summary(rec: &EntityRecord) -> EntitySummary {
    EntitySummary {
        id: rec.id,
        kind: rec.kind,
        family: rec.family.clone(),
        name: rec.name.clone(),
        active: rec.active,
    }
}

pub(crate) fn change(
    caller: &Caller,
    rec: &EntityRecord,
    op: &str,
    changes: Value,
) -> ChangeRecord {
    ChangeRecord {
        id: Uuid::now_v7(),
        subject_kind: rec.kind.as_str().into(),
        subject_id: rec.id.to_string(),
        at: rec.updated_at,
        actor_id: caller.user.map(|u| u.uuid()),
        actor_name: caller.name.clone(),
        source: caller.source.as_str().into(),
        op: op.into(),
        changes,
        context: caller.context.clone(),
    }
}

fn entity_name(data: &Map<String, Value>) -> String {
    match data.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

impl Core {
    /// Reads an entity the caller may read and that belongs to `coll`.
    pub(crate) async fn readable(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
    ) -> CoreResult<EntityRecord> {
        let rec = self
            .store
            .entity(&caller.access(), id)
            .await?
            .filter(|r| r.kind == coll.kind() && coll.family_scope().contains(r.family.as_deref()))
            .ok_or_else(|| {
                CoreError::not_found(format!(
                    "{} {id}",
                    coll.kind().schema().label.to_lowercase()
                ))
            })?;
        Ok(rec)
    }

    /// Reads an entity and checks the caller holds `needed` on it (403 when readable but not enough).
    pub(crate) async fn writable(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        needed: Role,
    ) -> CoreResult<EntityRecord> {
        let rec = self.readable(caller, coll, id).await?;
        let acl = self.store.acl(id).await?;
        let role = effective_role(caller, rec.kind, &acl);
        if role < Some(needed) {
            return Err(CoreError::Forbidden(format!(
                "you need the {needed} role on this {} to do that",
                rec.kind.schema().label.to_lowercase()
            )));
        }
        Ok(rec)
    }

    pub async fn get_entity(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
    ) -> CoreResult<Value> {
        let rec = self.readable(caller, coll, id).await?;
        let rows = self
            .store
            .field_relations(&caller.access(), rec.kind, &[id])
            .await?;
        Ok(entity_view(&rec, &rows))
    }

    /// Lists entities of `coll` matching URL query pairs.
    pub async fn list_entities(
        &self,
        caller: &Caller,
        coll: Collection,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let kind = coll.kind();
        let query = ListQuery::parse(kind.schema(), pairs).map_err(CoreError::Invalid)?;
        self.query_entities(caller, coll, &query).await
    }

    /// Lists entities of `coll` matching a parsed query.
    pub async fn query_entities(
        &self,
        caller: &Caller,
        coll: Collection,
        query: &ListQuery,
    ) -> CoreResult<Page<Value>> {
        let access = caller.access();
        let (records, total) = self
            .store
            .list_entities(&access, coll.kind(), coll.family_scope(), query)
            .await?;
        let ids: Vec<EntityId> = records.iter().map(|r| r.id).collect();
        let rows = if ids.is_empty() {
            Vec::new()
        } else {
            self.store
                .field_relations(&access, coll.kind(), &ids)
                .await?
        };
        Ok(Page {
            items: records.iter().map(|r| entity_view(r, &rows)).collect(),
            total,
            page: query.page.page,
            limit: query.page.limit,
        })
    }

    /// Applies a JSON merge patch: only the fields sent change; `null` removes a field.
    pub async fn patch_entity(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        patch: &Value,
    ) -> CoreResult<Written> {
        as_object(patch)?;
        for _ in 0..WRITE_ATTEMPTS {
            match self.try_patch(caller, coll, id, patch).await {
                Err(CoreError::Store(StoreError::Conflict(_))) => continue,
                other => return other,
            }
        }
        Err(CoreError::Conflict(
            "the entity is being changed by others; try again".into(),
        ))
    }

    async fn try_patch(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        patch: &Value,
    ) -> CoreResult<Written> {
        let rec = self.writable(caller, coll, id, Role::Write).await?;
        if !rec.active {
            // Its relations were removed when it was deleted: a change would be checked against
            // what it no longer holds (a connection's required datacenter).
            return Err(CoreError::Conflict(format!(
                "this {} is deleted: restore it before changing it",
                rec.kind.schema().label.to_lowercase()
            )));
        }
        let access = caller.access();
        // The rows its fields hold, not every row pointing at it (a datacenter's thousands of
        // servers).
        let rows = self.store.field_relations(&access, rec.kind, &[id]).await?;
        let current_refs = refs::current_refs(rec.kind, rec.family.as_deref(), id, &rows);
        let current = compose(&rec.data, &current_refs);
        let mut merged = Value::Object(current.clone());
        merge_patch(&mut merged, patch);
        let mut merged = merged.as_object().cloned().unwrap_or_default();
        // A server's name removed falls back to its hostname, as on creation.
        prepare::fixups(rec.kind, &mut merged);
        prepare::entry_follows_applications(rec.kind, patch, &mut merged);
        let family = prepare::family_for_update(coll, &merged)?;
        let validated = prepare::validate_doc(
            rec.kind,
            family.as_deref(),
            &merged,
            &refs::hidden_ref_paths(rec.kind, id, &rows),
        )?;
        let mut peers = refs::check_targets(self, &access, id, &validated.refs).await?;
        let removed: Vec<String> = rec
            .kind
            .schema()
            .fields
            .iter()
            .filter(|f| f.secret && patch.get(f.name).is_some_and(Value::is_null))
            .map(|f| f.name.to_owned())
            .collect();
        let needed = secrets::credentials_needed(rec.kind, &rec.data, &validated.data, &removed)?;
        secrets::check_credentials(rec.kind, &validated.data, &validated.secrets, needed)?;
        let secret_write = self
            .seal_secrets(id, &validated.secrets, &removed, false)
            .await?;
        let mut edits = refs::plan_edits(id, &rows, &validated.refs);
        refs::leaving_a_system_leaves_its_entry(rec.kind, id, &rows, &mut edits);
        // The history diffs every link, the caller's and those they cannot see (kept as they
        // are), so it records what the entity became, not what this caller sees of it.
        let before = compose(
            &rec.data,
            &refs::all_refs(rec.kind, rec.family.as_deref(), id, &rows),
        );
        let rows_after = refs::rows_after(id, &rows, &edits, &peers);
        let after_all = compose(
            &validated.data,
            &refs::all_refs(rec.kind, family.as_deref(), id, &rows_after),
        );
        let mut changes = diff_value(&before, &after_all);
        if let Value::Array(list) = &mut changes {
            list.extend(secret_write.changes);
        }
        if changes.as_array().is_none_or(Vec::is_empty) {
            return Ok(Written {
                entity: entity_view(&rec, &rows),
                warnings: Vec::new(),
            });
        }
        let now = self.now().max(rec.updated_at);
        let record = EntityRecord {
            family,
            name: entity_name(&validated.data),
            search: search_text(rec.kind.schema(), &validated.data),
            data: validated.data.clone(),
            updated_at: now,
            revision: rec.revision + 1,
            ..rec.clone()
        };
        peers.insert(id, summary(&record));
        let (peer_changes, touched) =
            refs::counterpart_changes(self, caller, id, &edits, &peers, now).await?;
        refs::require_write_on_peers(self, caller, &peer_changes).await?;
        let mut warnings = warnings::duplicates(self, &access, &record, Some(&rec)).await?;
        warnings
            .extend(same_account::warnings(self, &access, &record, &secret_write.sealed).await?);
        let after = rows_after;
        let mut batch = WriteBatch {
            entities: vec![EntityWrite {
                record: record.clone(),
                expected_revision: Some(rec.revision),
            }],
            touched,
            relations: edits,
            acl: Vec::new(),
            changes: vec![change(caller, &record, "update", changes)],
            secrets: secret_write.sealed,
            pending: Vec::new(),
            resolved: Vec::new(),
        };
        batch.changes.extend(peer_changes);
        self.store.write(batch).await.map_err(write_error)?;
        self.announce("updated", &record).await;
        Ok(Written {
            entity: entity_view(&record, &after),
            warnings,
        })
    }

    /// Soft-deletes an entity (admin role): it becomes inactive, leaves default lists, and its
    /// relations are removed so nothing points at it.
    pub async fn delete_entity(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
    ) -> CoreResult<()> {
        for _ in 0..WRITE_ATTEMPTS {
            match self.try_set_active(caller, coll, id, false).await {
                Err(CoreError::Store(StoreError::Conflict(_))) => continue,
                other => return other.map(|_| ()),
            }
        }
        Err(CoreError::Conflict(
            "the entity is being changed by others; try again".into(),
        ))
    }

    /// Brings a deleted entity back (admin role) with the references it held, where their
    /// targets are still there (`restore.rs`); relations others held to it stay removed.
    pub async fn restore_entity(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
    ) -> CoreResult<Written> {
        let rec = self.writable(caller, coll, id, Role::Admin).await?;
        let references = if rec.active {
            Map::new()
        } else {
            self.references_at_deletion(rec.kind, id).await?
        };
        for _ in 0..WRITE_ATTEMPTS {
            match self.try_set_active(caller, coll, id, true).await {
                Err(CoreError::Store(StoreError::Conflict(_))) => continue,
                Err(e) => return Err(e),
                Ok(restored) => {
                    // The restore is committed: a failure to link again leaves it unlinked
                    // (as the history shows) rather than answering an error for it.
                    return Ok(match self.relink(caller, coll, id, references).await {
                        Ok(relinked) => relinked.unwrap_or(restored),
                        Err(e) => {
                            tracing::warn!(entity = %id, error = %e, "restored without its references");
                            restored
                        }
                    });
                }
            }
        }
        Err(CoreError::Conflict(
            "the entity is being changed by others; try again".into(),
        ))
    }

    async fn try_set_active(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        active: bool,
    ) -> CoreResult<Written> {
        let rec = self.writable(caller, coll, id, Role::Admin).await?;
        let access = caller.access();
        if rec.active == active {
            let rows = self.store.field_relations(&access, rec.kind, &[id]).await?;
            return Ok(Written {
                entity: entity_view(&rec, &rows),
                warnings: Vec::new(),
            });
        }
        let now = self.now().max(rec.updated_at);
        let record = EntityRecord {
            active,
            updated_at: now,
            revision: rec.revision + 1,
            ..rec.clone()
        };
        let mut changes = vec![json!({"path": "active", "old": !active, "new": active})];
        let (edits, peer_changes, touched) = if active {
            (Vec::new(), Vec::new(), Vec::new())
        } else {
            let all_rows = self.store.relations(&Access::All, &[id]).await?;
            let visible = self.store.field_relations(&access, rec.kind, &[id]).await?;
            for r in refs::current_refs(rec.kind, rec.family.as_deref(), id, &visible) {
                if !r.targets.is_empty() {
                    // At the reference's own path (`datacenters.id`): the rest of an object
                    // holding it (`datacenters.region`) stays in the document.
                    let old = Value::Object(compose(&Map::new(), std::slice::from_ref(&r)));
                    let old_value = r
                        .path
                        .split('.')
                        .try_fold(&old, |v, seg| v.get(seg))
                        .cloned()
                        .unwrap_or(Value::Null);
                    changes.push(json!({"path": r.path, "old": old_value, "new": null}));
                }
            }
            let edits = refs::detach_all(id, &all_rows);
            let peers: HashMap<EntityId, EntitySummary> = HashMap::from([(id, summary(&record))]);
            let (pc, t) = refs::counterpart_changes(self, caller, id, &edits, &peers, now).await?;
            // Detach everything inside the write too, so a relation added meanwhile goes as well.
            (vec![RelationEdit::DetachAll { entity: id }], pc, t)
        };
        let warnings = if active {
            warnings::duplicates(self, &access, &record, None).await?
        } else {
            Vec::new()
        };
        let op = if active { "restore" } else { "delete" };
        let mut batch = WriteBatch {
            entities: vec![EntityWrite {
                record: record.clone(),
                expected_revision: Some(rec.revision),
            }],
            touched,
            relations: edits,
            acl: Vec::new(),
            changes: vec![change(caller, &record, op, Value::Array(changes))],
            secrets: Vec::new(),
            pending: Vec::new(),
            resolved: Vec::new(),
        };
        batch.changes.extend(peer_changes);
        self.store.write(batch).await.map_err(write_error)?;
        self.announce(if active { "restored" } else { "deleted" }, &record)
            .await;
        let rows: Vec<RelationRow> = if active {
            self.store
                .field_relations(&access, record.kind, &[id])
                .await?
        } else {
            Vec::new()
        };
        Ok(Written {
            entity: entity_view(&record, &rows),
            warnings,
        })
    }

    /// An entity's history, newest first.
    pub async fn entity_history(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let rec = self.readable(caller, coll, id).await?;
        let mut errors = Vec::new();
        let page = PageRequest::parse(pairs, &mut errors);
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let (items, total) = self
            .store
            .history(rec.kind.as_str(), &id.to_string(), page)
            .await?;
        let mut items: Vec<Value> = items.iter().map(change_view).collect();
        self.hide_unreadable_ids(caller, &mut items).await?;
        Ok(Page {
            items,
            total,
            page: page.page,
            limit: page.limit,
        })
    }
}

impl Core {
    /// Tells live subscribers about a committed change, addressed to whoever may read it.
    pub(crate) async fn announce(&self, op: &str, rec: &EntityRecord) {
        self.announce_all(&[(op, rec)], None).await;
    }

    /// [`Core::announce`] for many changes: the readers of all of them are read at once —
    /// except those of the entities `written` (the batch just committed) created, whose ACL is
    /// the rows it wrote (a query per discovered page saved).
    pub(crate) async fn announce_all(
        &self,
        changes: &[(&str, &EntityRecord)],
        written: Option<&WriteBatch>,
    ) {
        let hooks: Vec<_> = self.hooks.read().map(|h| h.clone()).unwrap_or_default();
        for hook in hooks {
            for (op, rec) in changes {
                hook.after(op, rec).await;
            }
        }
        if self.events.is_none() || changes.is_empty() {
            return;
        }
        let mut readers: HashMap<EntityId, Vec<Uuid>> = HashMap::new();
        let created: HashSet<EntityId> = written
            .iter()
            .flat_map(|w| &w.entities)
            .filter(|w| w.expected_revision.is_none())
            .map(|w| w.record.id)
            .collect();
        for (id, rows) in written.iter().flat_map(|w| &w.acl) {
            if created.contains(id) {
                let ids = rows.iter().map(|r| r.principal.id);
                readers.entry(*id).or_default().extend(ids);
            }
        }
        let private: Vec<EntityId> = changes
            .iter()
            .filter(|(_, r)| !r.kind.schema().global && !created.contains(&r.id))
            .map(|(_, r)| r.id)
            .collect();
        if !private.is_empty() {
            for (id, row) in self.store.acls(&private).await.unwrap_or_default() {
                readers.entry(id).or_default().push(row.principal.id);
            }
        }
        for (op, rec) in changes {
            let audience = if rec.kind.schema().global {
                crate::events::Audience::Everyone
            } else {
                let mut ids = readers.remove(&rec.id).unwrap_or_default();
                ids.push(rec.owner.id);
                ids.sort();
                ids.dedup();
                crate::events::Audience::Principals(ids)
            };
            self.publish(crate::events::entity_event(
                op,
                rec.kind.as_str(),
                rec.id,
                &rec.name,
                rec.family.as_deref(),
                rec.updated_at,
                audience,
            ));
        }
    }
}

/// A referenced entity deleted between the check and the write is the client's problem (4xx).
pub(crate) fn write_error(e: StoreError) -> CoreError {
    match e {
        StoreError::MissingTarget(id) => CoreError::invalid(
            "references",
            format!("entity {id} does not exist or was deleted"),
        ),
        other => CoreError::Store(other),
    }
}
