//! Reconciling observations into the inventory. Observations match stored entities by the
//! provider's own id (never by IP), are created, updated or left alone, and every change is in
//! the history attributed to the connection and the sync run. After a *complete* listing of a
//! scope, what no listing has seen since it started becomes inactive (with its last-seen time
//! kept); a failed or partial listing deactivates nothing. A second sync with no changes writes
//! no history.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use maestro_discovery::Observation;
use maestro_model::diff::{created_value, diff_value};
use maestro_model::schema::Kind;
use maestro_model::search::search_text;
use maestro_model::validate::{RefTarget, RefWrite, compose};
use maestro_model::{EntityId, Role};
use serde_json::{Map, Value, json};

use super::SyncRun;
use super::mapping::{created, map, merge};
use crate::caller::Access;
use crate::inventory::refs::{counterpart_changes, current_refs, detach_all, plan_edits};
use crate::inventory::{change, summary, write_error};
use crate::ports::{
    AclRow, Discovered, EntityRecord, EntitySummary, EntityWrite, RelationEdit, RelationRow,
    StoreError, WriteBatch,
};
use crate::{Core, CoreError, CoreResult};

/// What one page (or one scope's closing) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct ReconcileStats {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub reactivated: u64,
    pub deactivated: u64,
    /// Observations that could not be stored (no usable identity or family).
    pub skipped: u64,
}

impl ReconcileStats {
    pub fn add(&mut self, o: ReconcileStats) {
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.reactivated += o.reactivated;
        self.deactivated += o.deactivated;
        self.skipped += o.skipped;
    }
}

/// Outcome of a page: stats, plus problems worth a log line.
pub struct PageOutcome {
    pub stats: ReconcileStats,
    pub notes: Vec<String>,
}

fn key(run: &SyncRun, provider_id: &str) -> String {
    format!("{}:{provider_id}", run.connection_id)
}

/// The desired references of an entity: what the provider reports for the fields it knows,
/// plus whatever a person linked that discovery does not manage (targets without a discovery
/// key of this connection).
fn desired_refs(
    kind: Kind,
    family: Option<&str>,
    id: EntityId,
    rows: &[RelationRow],
    observed: &HashMap<&str, Vec<EntityId>>,
    managed: &dyn Fn(EntityId) -> bool,
) -> Vec<RefWrite> {
    let mut refs = current_refs(kind, family, id, rows);
    for r in &mut refs {
        let Some(ids) = observed.get(r.path.as_str()) else {
            continue;
        };
        r.targets.retain(|t| !managed(t.id));
        for tid in ids {
            if !r.targets.iter().any(|t| t.id == *tid) {
                r.targets.push(RefTarget {
                    id: *tid,
                    attrs: Map::new(),
                });
            }
        }
    }
    refs
}

impl Core {
    /// Reconciles one page of a listing of `scope` (`<connection>:<region>:<task>`).
    pub async fn reconcile_page(
        &self,
        run: &SyncRun,
        scope: &str,
        page: &[Observation],
    ) -> CoreResult<PageOutcome> {
        for _ in 0..3 {
            match self.try_reconcile_page(run, scope, page).await {
                // Another page or task wrote one of these entities first (a provider id listed
                // on two pages at once is created by one of them): read again and reconcile.
                Err(CoreError::Store(StoreError::Conflict(_) | StoreError::Duplicate(_))) => {
                    continue;
                }
                other => return other,
            }
        }
        Err(CoreError::Conflict(
            "entities changed during the sync; the next run will catch up".into(),
        ))
    }

    async fn try_reconcile_page(
        &self,
        run: &SyncRun,
        scope: &str,
        page: &[Observation],
    ) -> CoreResult<PageOutcome> {
        let mut stats = ReconcileStats::default();
        let mut notes = Vec::new();
        let now = self.now();
        // The last observation of a provider id wins within a page.
        let mut by_key: Vec<(String, &Observation)> = Vec::with_capacity(page.len());
        let mut slot: HashMap<String, usize> = HashMap::with_capacity(page.len());
        for obs in page {
            let k = key(run, &obs.provider_id);
            match slot.get(&k) {
                Some(&i) => by_key[i].1 = obs,
                None => {
                    slot.insert(k.clone(), by_key.len());
                    by_key.push((k, obs));
                }
            }
        }
        let keys: Vec<String> = by_key.iter().map(|(k, _)| k.clone()).collect();
        let stored: HashMap<String, EntityRecord> = self
            .store
            .discovered(&keys)
            .await?
            .into_iter()
            .filter_map(|r| r.discovery.clone().map(|d| (d.key, r)))
            .collect();
        // Ids for references: entities this connection already discovered, and the new ones.
        let ref_keys: Vec<String> = page
            .iter()
            .flat_map(|o| o.refs.iter().map(|r| key(run, &r.provider_id)))
            .collect();
        let mut ids_by_key: HashMap<String, (EntityId, bool)> = self
            .store
            .discovered(&ref_keys)
            .await?
            .into_iter()
            .filter_map(|r| {
                r.discovery
                    .as_ref()
                    .map(|d| (d.key.clone(), (r.id, r.active)))
            })
            .collect();
        for (k, _) in &by_key {
            let id = stored.get(k).map_or_else(EntityId::new, |r| r.id);
            ids_by_key.entry(k.clone()).or_insert((id, true));
        }
        let existing_ids: Vec<EntityId> = stored.values().map(|r| r.id).collect();
        let rows = self.store.relations(&Access::All, &existing_ids).await?;
        let mut batch = WriteBatch::default();
        let mut peers: HashMap<EntityId, EntitySummary> = HashMap::new();
        let mut unchanged = Vec::new();
        // What each entity of the batch announces once written, in the batch's order.
        let mut announce: Vec<&str> = Vec::new();
        // Entities this connection's discovery manages, among those the page names.
        let managed_ids: HashSet<EntityId> = ids_by_key.values().map(|(i, _)| *i).collect();
        let managed = |t: EntityId| managed_ids.contains(&t);
        for (k, obs) in &by_key {
            let mapped = match map(obs) {
                Ok(m) => m,
                Err(why) => {
                    stats.skipped += 1;
                    notes.push(why);
                    continue;
                }
            };
            for d in &mapped.dropped {
                notes.push(format!(
                    "{}: dropped {} ({})",
                    obs.provider_id, d.field, d.message
                ));
            }
            let (id, _) = ids_by_key[k];
            let mut observed: HashMap<&str, Vec<EntityId>> = HashMap::new();
            let mut pending = Vec::new();
            for r in &obs.refs {
                let target = key(run, &r.provider_id);
                match ids_by_key.get(&target) {
                    Some((tid, true)) if *tid != id => {
                        observed.entry(r.field.as_str()).or_default().push(*tid)
                    }
                    Some(_) => {}
                    // Not discovered yet (another task lists it): linked when it appears.
                    None => pending.push((r.field.clone(), target)),
                }
            }
            if let Some(dc) = run.datacenter
                && mapped
                    .kind
                    .schema()
                    .ref_fields()
                    .iter()
                    .any(|(p, _)| p == "datacenters.id")
            {
                observed.entry("datacenters.id").or_default().push(dc);
            }
            let found = Discovered {
                key: k.clone(),
                scope: scope.to_owned(),
                run: run.run_id.clone(),
                seen_at: now,
            };
            match stored.get(k) {
                Some(old) => {
                    let data = merge(&old.data, &mapped.validated.data);
                    let mut refs = desired_refs(
                        mapped.kind,
                        mapped.family.as_deref(),
                        id,
                        &rows,
                        &observed,
                        &managed,
                    );
                    if !obs.active {
                        // An inactive entity holds no relations (deactivating removes them):
                        // one still listed as terminated must not be linked again.
                        refs.iter_mut().for_each(|r| r.targets.clear());
                        pending.clear();
                    }
                    let before = compose(
                        &old.data,
                        &current_refs(mapped.kind, old.family.as_deref(), id, &rows),
                    );
                    let after = compose(&data, &refs);
                    let mut changes = diff_value(&before, &after);
                    let reactivated = !old.active && obs.active;
                    let deactivated = old.active && !obs.active;
                    if (reactivated || deactivated)
                        && let Value::Array(list) = &mut changes
                    {
                        list.push(json!({"path": "active", "old": old.active, "new": obs.active}));
                    }
                    if changes.as_array().is_none_or(Vec::is_empty) {
                        stats.unchanged += 1;
                        unchanged.push(k.clone());
                        continue;
                    }
                    let record = EntityRecord {
                        family: mapped.family.clone(),
                        name: data
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or(&old.name)
                            .to_owned(),
                        search: search_text(mapped.kind.schema(), &data),
                        data,
                        active: obs.active,
                        updated_at: now.max(old.updated_at),
                        revision: old.revision + 1,
                        discovery: Some(found),
                        ..old.clone()
                    };
                    peers.insert(id, summary(&record));
                    let mut edits = plan_edits(id, &rows, &refs);
                    if deactivated {
                        edits = detach_all(id, &rows);
                    }
                    let op = if reactivated {
                        "restore"
                    } else if deactivated {
                        "delete"
                    } else {
                        "update"
                    };
                    batch
                        .changes
                        .push(self.discovery_change(run, &record, op, changes));
                    batch.entities.push(EntityWrite {
                        record,
                        expected_revision: Some(old.revision),
                    });
                    batch.relations.extend(edits);
                    batch.pending.push((id, pending));
                    stats.updated += u64::from(!reactivated && !deactivated);
                    stats.reactivated += u64::from(reactivated);
                    stats.deactivated += u64::from(deactivated);
                    announce.push(op);
                }
                None if !obs.active => {
                    stats.skipped += 1; // never seen alive: nothing to record
                }
                None => {
                    let data = created(mapped.validated.data);
                    let record = EntityRecord {
                        id,
                        kind: mapped.kind,
                        family: mapped.family.clone(),
                        name: data
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        active: true,
                        owner: run.owner.clone(),
                        owner_name: None,
                        revision: 1,
                        created_at: now,
                        updated_at: now,
                        search: search_text(mapped.kind.schema(), &data),
                        data,
                        discovery: Some(found),
                    };
                    peers.insert(id, summary(&record));
                    let refs = desired_refs(
                        mapped.kind,
                        mapped.family.as_deref(),
                        id,
                        &[],
                        &observed,
                        &managed,
                    );
                    let changes = created_value(compose(&record.data, &refs));
                    batch
                        .changes
                        .push(self.discovery_change(run, &record, "create", changes));
                    let mut acl = vec![AclRow {
                        principal: run.owner.clone(),
                        role: Role::Admin,
                        owner: true,
                    }];
                    acl.extend(
                        run.grants
                            .iter()
                            .filter(|g| g.principal != run.owner)
                            .cloned(),
                    );
                    batch.acl.push((id, acl));
                    batch.relations.extend(plan_edits(id, &[], &refs));
                    batch.entities.push(EntityWrite {
                        record,
                        expected_revision: None,
                    });
                    batch.pending.push((id, pending));
                    stats.created += 1;
                    announce.push("create");
                }
            }
        }
        // Targets of new relations need summaries for the other side's history.
        let target_ids: Vec<EntityId> = batch
            .relations
            .iter()
            .filter_map(|e| match e {
                RelationEdit::Upsert { src, dst, .. } => Some([*src, *dst]),
                _ => None,
            })
            .flatten()
            .filter(|i| !peers.contains_key(i))
            .collect();
        for s in self.store.summaries(&Access::All, &target_ids).await? {
            peers.insert(s.id, s);
        }
        let anchors: Vec<EntityId> = batch.entities.iter().map(|w| w.record.id).collect();
        // Counterparts written in this same batch record their own change already.
        let in_batch: HashSet<String> = anchors.iter().map(ToString::to_string).collect();
        // Each anchor's relation edits (an edit between two anchors belongs to both).
        let mut edits_of: HashMap<EntityId, Vec<RelationEdit>> = HashMap::new();
        for e in &batch.relations {
            let (one, other) = match e {
                RelationEdit::Upsert { src, dst, .. } | RelationEdit::Remove { src, dst, .. } => {
                    (*src, Some(*dst).filter(|d| d != src))
                }
                RelationEdit::DetachAll { entity } => (*entity, None),
            };
            for end in std::iter::once(one).chain(other) {
                edits_of.entry(end).or_default().push(e.clone());
            }
        }
        for anchor in anchors {
            let Some(own) = edits_of.remove(&anchor) else {
                continue;
            };
            let (records, touched) =
                counterpart_changes(self, &run.caller, anchor, &own, &peers, now).await?;
            let records: Vec<_> = records
                .into_iter()
                .filter(|r| !in_batch.contains(&r.subject_id))
                .map(|r| self.attribute(run, r))
                .collect();
            batch.changes.extend(records);
            batch.touched.extend(
                touched
                    .into_iter()
                    .filter(|(i, _)| !in_batch.contains(&i.to_string())),
            );
        }
        // Pending references this page wrote, and the keys it created: both are checked again
        // after the write, so concurrent tasks of one connection still link up.
        let pending: Vec<(EntityId, String, String)> = batch
            .pending
            .iter()
            .flat_map(|(src, refs)| refs.iter().map(|(f, k)| (*src, f.clone(), k.clone())))
            .collect();
        let new_ids: HashSet<EntityId> = batch
            .entities
            .iter()
            .filter(|w| w.expected_revision.is_none())
            .map(|w| w.record.id)
            .collect();
        let created: Vec<String> = by_key
            .iter()
            .filter(|(k, _)| ids_by_key.get(k).is_some_and(|(i, _)| new_ids.contains(i)))
            .map(|(k, _)| k.clone())
            .collect();
        let written = if batch.entities.is_empty() {
            WriteBatch::default()
        } else {
            self.store.write(batch).await.map_err(write_error)?
        };
        self.link_pending(run, pending, &created).await?;
        self.store.mark_seen(&unchanged, &run.run_id, now).await?;
        let announce: Vec<_> = announce
            .iter()
            .zip(&written.entities)
            .map(|(op, w)| {
                let op = match *op {
                    "create" => "created",
                    "delete" => "deleted",
                    "restore" => "restored",
                    _ => "updated",
                };
                (op, &w.record)
            })
            .collect();
        self.announce_all(&announce, Some(&written)).await;
        Ok(PageOutcome { stats, notes })
    }

    /// Links waiting references whose targets now exist: those this page left pending, and
    /// those waiting for what it created.
    async fn link_pending(
        &self,
        run: &SyncRun,
        written: Vec<(EntityId, String, String)>,
        created: &[String],
    ) -> CoreResult<()> {
        let mut waiting = if created.is_empty() {
            Vec::new()
        } else {
            self.store.pending_refs(created).await?
        };
        waiting.extend(written);
        waiting.sort();
        waiting.dedup();
        if waiting.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = waiting.iter().map(|(_, _, k)| k.clone()).collect();
        let targets: HashMap<String, EntityId> = self
            .store
            .discovered(&keys)
            .await?
            .into_iter()
            .filter(|r| r.active)
            .filter_map(|r| r.discovery.as_ref().map(|d| (d.key.clone(), r.id)))
            .collect();
        let mut ids: Vec<EntityId> = waiting.iter().map(|(s, _, _)| *s).collect();
        ids.extend(targets.values().copied());
        let peers: HashMap<EntityId, EntitySummary> = self
            .store
            .summaries(&Access::All, &ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut batch = WriteBatch::default();
        for (src, field, key) in waiting {
            let (Some(target), Some(source)) = (targets.get(&key), peers.get(&src)) else {
                continue;
            };
            if !source.active {
                continue;
            }
            let Some(spec) = source.kind.schema().field(&field).and_then(|f| match f.ty {
                maestro_model::Ty::Ref(spec) => Some(spec),
                _ => None,
            }) else {
                continue;
            };
            let (s, d) = if spec.inverse {
                (*target, src)
            } else {
                (src, *target)
            };
            batch.relations.push(RelationEdit::Upsert {
                src: s,
                rel: spec.rel,
                dst: d,
                attrs: Map::new(),
                position: 10_000,
            });
            batch.resolved.push((src, field, key));
        }
        if batch.relations.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let mut by_target: HashMap<EntityId, Vec<RelationEdit>> = HashMap::new();
        for e in &batch.relations {
            if let RelationEdit::Upsert { src, dst, .. } = e {
                let target = if targets.values().any(|t| t == dst) {
                    *dst
                } else {
                    *src
                };
                by_target.entry(target).or_default().push(e.clone());
            }
        }
        for (target, edits) in by_target {
            let (records, touched) =
                counterpart_changes(self, &run.caller, target, &edits, &peers, now).await?;
            batch
                .changes
                .extend(records.into_iter().map(|r| self.attribute(run, r)));
            batch.touched.extend(touched);
        }
        match self.store.write(batch).await {
            // Something vanished meanwhile: the next run links what remains.
            Err(StoreError::MissingTarget(_)) => Ok(()),
            other => other.map(drop).map_err(write_error),
        }
    }

    /// Closes a complete listing of `scope` that started at `started`: what no listing has
    /// seen since then becomes inactive, for `reason` (recorded in the history).
    pub async fn finish_scope(
        &self,
        run: &SyncRun,
        scope: &str,
        started: DateTime<Utc>,
        reason: &str,
    ) -> CoreResult<u64> {
        let mut total = 0;
        loop {
            let missing = self.store.unseen(scope, started, 200).await?;
            if missing.is_empty() {
                return Ok(total);
            }
            let now = self.now();
            let ids: Vec<EntityId> = missing.iter().map(|r| r.id).collect();
            let rows = self.store.relations(&Access::All, &ids).await?;
            let mut batch = WriteBatch::default();
            let mut peers: HashMap<EntityId, EntitySummary> = HashMap::new();
            let mut records = Vec::new();
            for old in &missing {
                let record = EntityRecord {
                    active: false,
                    updated_at: now.max(old.updated_at),
                    revision: old.revision + 1,
                    ..old.clone()
                };
                peers.insert(record.id, summary(&record));
                let changes = json!([{"path": "active", "old": true, "new": false}]);
                let mut rec_change = self.discovery_change(run, &record, "delete", changes);
                rec_change.context = Some(
                    json!({"connection": run.connection_id, "run": run.run_id, "reason": reason}),
                );
                batch.changes.push(rec_change);
                batch.entities.push(EntityWrite {
                    record: record.clone(),
                    expected_revision: Some(old.revision),
                });
                batch
                    .relations
                    .push(RelationEdit::DetachAll { entity: record.id });
                let (pc, touched) = counterpart_changes(
                    self,
                    &run.caller,
                    record.id,
                    &detach_all(record.id, &rows),
                    &peers,
                    now,
                )
                .await?;
                batch
                    .changes
                    .extend(pc.into_iter().map(|r| self.attribute(run, r)));
                batch.touched.extend(touched);
                records.push(record);
            }
            match self.store.write(batch).await {
                Ok(_) => {}
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(write_error(e)),
            }
            total += records.len() as u64;
            for r in &records {
                self.announce("deleted", r).await;
            }
        }
    }

    fn attribute(
        &self,
        run: &SyncRun,
        mut c: crate::ports::ChangeRecord,
    ) -> crate::ports::ChangeRecord {
        c.actor_id = Some(run.connection_id.uuid());
        c.actor_name = run.caller.name.clone();
        c.context = Some(json!({"connection": run.connection_id, "run": run.run_id}));
        c
    }

    fn discovery_change(
        &self,
        run: &SyncRun,
        record: &EntityRecord,
        op: &str,
        changes: Value,
    ) -> crate::ports::ChangeRecord {
        self.attribute(run, change(&run.caller, record, op, changes))
    }
}
