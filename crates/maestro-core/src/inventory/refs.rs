//! References: checking that every referenced entity exists, is of the right kind and is
//! readable; turning a document's desired references into relation row edits; and working out
//! how the entities on the other end see the change (their mirror fields and history).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use maestro_model::diff::FieldChange;
use maestro_model::schema::Kind;
use maestro_model::validate::{RefTarget, RefWrite};
use maestro_model::{EntityId, FieldError, Role};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::caller::{Access, Caller};
use crate::ports::{ChangeRecord, EntitySummary, RelationEdit, RelationRow};
use crate::views::rows_for;
use crate::{Core, CoreError, CoreResult};

/// Checks every target of `refs`: it must exist, be readable, active and of the field's kind.
pub async fn check_targets(
    core: &Core,
    access: &Access,
    anchor: EntityId,
    refs: &[RefWrite],
) -> CoreResult<HashMap<EntityId, EntitySummary>> {
    let ids: Vec<EntityId> = refs
        .iter()
        .flat_map(|r| r.targets.iter().map(|t| t.id))
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: HashMap<EntityId, EntitySummary> = core
        .store
        .summaries(access, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut errors = Vec::new();
    for r in refs {
        for (i, t) in r.targets.iter().enumerate() {
            let path = if r.spec.many {
                format!("{}[{i}]", r.path)
            } else {
                r.path.clone()
            };
            let label = r.spec.target.schema().label.to_lowercase();
            match found.get(&t.id) {
                _ if t.id == anchor => errors.push(FieldError::new(path, "cannot refer to itself")),
                None => errors.push(FieldError::new(
                    path,
                    format!("no {label} with id {}", t.id),
                )),
                Some(s) if s.kind != r.spec.target => errors.push(FieldError::new(
                    path,
                    format!(
                        "{} is {}, not {}",
                        t.id,
                        with_article(s.kind.schema().label.to_lowercase()),
                        with_article(label.clone())
                    ),
                )),
                Some(s) if !s.active => errors.push(FieldError::new(
                    path,
                    format!("{label} {} is deleted", t.id),
                )),
                Some(_) => {}
            }
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// The references of `anchor` as stored, visible peers only (the writable form clients see).
pub fn current_refs(
    kind: Kind,
    family: Option<&str>,
    anchor: EntityId,
    rows: &[RelationRow],
) -> Vec<RefWrite> {
    refs_of(kind, family, anchor, rows, false)
}

/// [`current_refs`] with the peers the caller cannot read too: what the history records, so a
/// change made by someone who sees part of the links is recorded as it happened to all of them
/// (reading the history names the peers a reader cannot see "(hidden)").
pub fn all_refs(
    kind: Kind,
    family: Option<&str>,
    anchor: EntityId,
    rows: &[RelationRow],
) -> Vec<RefWrite> {
    refs_of(kind, family, anchor, rows, true)
}

fn refs_of(
    kind: Kind,
    family: Option<&str>,
    anchor: EntityId,
    rows: &[RelationRow],
    hidden_too: bool,
) -> Vec<RefWrite> {
    let schema = kind.schema();
    schema
        .ref_fields()
        .into_iter()
        .filter(|(path, _)| {
            let top = path.split('.').next().unwrap_or_default();
            schema.field(top).is_some_and(|f| f.allowed_for(family))
        })
        .map(|(path, spec)| RefWrite {
            path,
            spec,
            targets: rows_for(rows, anchor, spec)
                .into_iter()
                .filter(|r| hidden_too || r.peer_visible)
                .map(|r| RefTarget {
                    id: r.peer.id,
                    attrs: r.attrs.clone(),
                })
                .collect(),
        })
        .collect()
}

/// Relation edits that take `anchor` from its current rows to the desired references. Rows to
/// peers the caller cannot read are left alone: nobody removes what they cannot see.
pub fn plan_edits(
    anchor: EntityId,
    rows: &[RelationRow],
    desired: &[RefWrite],
) -> Vec<RelationEdit> {
    let mut edits = Vec::new();
    for want in desired {
        let spec = want.spec;
        let current = rows_for(rows, anchor, spec);
        // A single reference is replaced whole, even when its old target is hidden.
        let replace_hidden = !spec.many && !want.targets.is_empty();
        for cur in &current {
            if (cur.peer_visible || replace_hidden)
                && !want.targets.iter().any(|t| t.id == cur.peer.id)
            {
                edits.push(RelationEdit::Remove {
                    src: cur.src,
                    rel: cur.rel.clone(),
                    dst: cur.dst,
                });
            }
        }
        for (i, t) in want.targets.iter().enumerate() {
            let position = i as i64;
            let (src, dst) = if spec.inverse {
                (t.id, anchor)
            } else {
                (anchor, t.id)
            };
            let existing = current.iter().find(|c| c.peer.id == t.id);
            let needed = match existing {
                None => true,
                // Order and attributes belong to the forward side.
                Some(c) => !spec.inverse && (c.attrs != t.attrs || c.position != position),
            };
            if needed {
                edits.push(RelationEdit::Upsert {
                    src,
                    rel: spec.rel,
                    dst,
                    attrs: t.attrs.clone(),
                    position: if spec.inverse {
                        i64::from(u16::MAX)
                    } else {
                        position
                    },
                });
            }
        }
    }
    edits
}

/// Edits removing every row that touches `anchor` (deleting an entity leaves no dangling reference).
pub fn detach_all(anchor: EntityId, rows: &[RelationRow]) -> Vec<RelationEdit> {
    rows.iter()
        .filter(|r| r.anchor == anchor)
        .map(|r| RelationEdit::Remove {
            src: r.src,
            rel: r.rel.clone(),
            dst: r.dst,
        })
        .collect()
}

/// The relation rows of `anchor` after `edits`, given the summaries of new peers.
pub fn rows_after(
    anchor: EntityId,
    rows: &[RelationRow],
    edits: &[RelationEdit],
    peers: &HashMap<EntityId, EntitySummary>,
) -> Vec<RelationRow> {
    let mut out: Vec<RelationRow> = rows
        .iter()
        .filter(|r| r.anchor == anchor)
        .cloned()
        .collect();
    for e in edits {
        match e {
            RelationEdit::Remove { src, rel, dst } => {
                out.retain(|r| !(r.src == *src && r.rel == *rel && r.dst == *dst));
            }
            RelationEdit::DetachAll { entity } => {
                out.retain(|r| r.src != *entity && r.dst != *entity)
            }
            RelationEdit::Upsert {
                src,
                rel,
                dst,
                attrs,
                position,
            } => {
                let peer_id = if *src == anchor { *dst } else { *src };
                if let Some(r) = out
                    .iter_mut()
                    .find(|r| r.src == *src && r.rel == *rel && r.dst == *dst)
                {
                    r.attrs = attrs.clone();
                    r.position = *position;
                } else if let Some(peer) = peers.get(&peer_id) {
                    out.push(RelationRow {
                        anchor,
                        src: *src,
                        rel: (*rel).to_owned(),
                        dst: *dst,
                        attrs: attrs.clone(),
                        position: *position,
                        peer: peer.clone(),
                        peer_visible: true,
                    });
                }
            }
        }
    }
    out
}

/// History records (and `updated_at` touches) for the entities on the other end of `edits`
/// whose own documents show the relation (e.g. a server's `applications` when an application's
/// `servers` changed): one entry per entity, with every field of it that changed.
pub async fn counterpart_changes(
    core: &Core,
    caller: &Caller,
    anchor: EntityId,
    edits: &[RelationEdit],
    peers: &HashMap<EntityId, EntitySummary>,
    at: DateTime<Utc>,
) -> CoreResult<(Vec<ChangeRecord>, Vec<(EntityId, DateTime<Utc>)>)> {
    // (peer, rel, peer is the source) for every edit.
    let mut touched: BTreeMap<(EntityId, String, bool), ()> = BTreeMap::new();
    for e in edits {
        let (src, rel, dst) = match e {
            RelationEdit::Upsert { src, rel, dst, .. } => (*src, (*rel).to_owned(), *dst),
            RelationEdit::Remove { src, rel, dst } => (*src, rel.clone(), *dst),
            RelationEdit::DetachAll { .. } => continue,
        };
        let peer = if src == anchor { dst } else { src };
        touched.insert((peer, rel, src == peer), ());
    }
    if touched.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut peer_ids: Vec<EntityId> = touched.keys().map(|(p, _, _)| *p).collect();
    peer_ids.dedup();
    // Peers the caller already read (a discovered page's datacenter) are not read again.
    let mut kinds: HashMap<EntityId, Kind> = peer_ids
        .iter()
        .filter_map(|id| Some((*id, peers.get(id)?.kind)))
        .collect();
    let unknown: Vec<EntityId> = peer_ids
        .iter()
        .filter(|id| !kinds.contains_key(id))
        .copied()
        .collect();
    if !unknown.is_empty() {
        let found = core.store.summaries(&Access::All, &unknown).await?;
        kinds.extend(found.into_iter().map(|s| (s.id, s.kind)));
    }
    // Only peers whose document shows the relation change; the others (a datacenter and its
    // thousands of servers) are not even read.
    let shown: Vec<_> = touched
        .keys()
        .filter_map(|(peer, rel, peer_is_src)| {
            let kind = *kinds.get(peer)?;
            // The peer's field for this relation: forward if it is the source, inverse otherwise.
            let (path, spec) = kind
                .schema()
                .ref_fields()
                .into_iter()
                .find(|(_, s)| s.rel == *rel && s.inverse != *peer_is_src)?;
            Some((*peer, kind, path, spec))
        })
        .collect();
    if shown.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut shown_ids: Vec<EntityId> = shown.iter().map(|(p, ..)| *p).collect();
    shown_ids.dedup();
    let peer_rows = core.store.relations(&Access::All, &shown_ids).await?;
    let mut known: HashMap<EntityId, EntitySummary> = peers.clone();
    for r in &peer_rows {
        known.entry(r.peer.id).or_insert_with(|| r.peer.clone());
    }
    // Every changed field of one peer goes into one history entry, paths in diff order.
    let mut by_peer: BTreeMap<EntityId, (Kind, Vec<FieldChange>)> = BTreeMap::new();
    for (peer, kind, path, spec) in shown {
        let peer = &peer;
        let kind = &kind;
        let before = rows_for(&peer_rows, *peer, spec);
        let after_rows = rows_after(*peer, &peer_rows, edits, &known);
        let after = rows_for(&after_rows, *peer, spec);
        // As the peer's own diff would show it: an empty reference field is absent (null).
        let render = |rows: &[&RelationRow]| -> Value {
            let mut items = rows.iter().map(|r| {
                let mut m = Map::new();
                m.insert("id".into(), json!(r.peer.id));
                m.extend(r.attrs.clone());
                Value::Object(m)
            });
            if !spec.many {
                items.next().map_or(Value::Null, |v| v["id"].clone())
            } else if rows.is_empty() {
                Value::Null
            } else {
                Value::Array(items.collect())
            }
        };
        let (old, new) = (render(&before), render(&after));
        if old != new {
            let entry = by_peer.entry(*peer).or_insert_with(|| (*kind, Vec::new()));
            entry.1.push(FieldChange { path, old, new });
        }
    }
    let mut records = Vec::new();
    let mut touches = Vec::new();
    for (peer, (kind, mut changes)) in by_peer {
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        records.push(ChangeRecord {
            id: Uuid::now_v7(),
            subject_kind: kind.as_str().into(),
            subject_id: peer.to_string(),
            at,
            actor_id: caller.user.map(|u| u.uuid()),
            actor_name: caller.name.clone(),
            source: caller.source.as_str().into(),
            op: "update".into(),
            changes: serde_json::to_value(changes).unwrap_or_default(),
            context: caller.context.clone(),
        });
        touches.push((peer, at));
    }
    Ok((records, touches))
}

/// Reference paths of `anchor` holding targets the caller cannot see.
pub fn hidden_ref_paths(kind: Kind, anchor: EntityId, rows: &[RelationRow]) -> Vec<String> {
    kind.schema()
        .ref_fields()
        .into_iter()
        .filter(|(_, spec)| rows_for(rows, anchor, spec).iter().any(|r| !r.peer_visible))
        .map(|(path, _)| path)
        .collect()
}

/// "a server", "an application".
fn with_article(noun: String) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// Linking to an entity whose own document shows the link (a server's `applications`, when an
/// application names it among its `servers`) changes that entity's fields too, which takes the
/// write role on it, as editing the field there would. `peer_changes` are those entities'
/// entries from [`counterpart_changes`]. Links that only the writer's document shows (a
/// server's datacenter) need read on the target, nothing more.
pub async fn require_write_on_peers(
    core: &Core,
    caller: &Caller,
    peer_changes: &[ChangeRecord],
) -> CoreResult<()> {
    if caller.admin {
        return Ok(());
    }
    for change in peer_changes {
        let (Ok(id), Some(kind)) = (
            change.subject_id.parse::<EntityId>(),
            Kind::parse(&change.subject_kind),
        ) else {
            continue;
        };
        let acl = core.store.acl(id).await?;
        if super::effective_role(caller, kind, &acl) >= Some(Role::Write) {
            continue;
        }
        let name = core
            .store
            .summaries(&caller.access(), &[id])
            .await?
            .into_iter()
            .next()
            .map_or_else(|| id.to_string(), |s| s.name);
        let fields: Vec<&str> = change
            .changes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["path"].as_str())
            .collect();
        return Err(CoreError::Forbidden(format!(
            "this changes the {} of {} {name}: you need the write role on it",
            fields.join(" and "),
            kind.schema().label.to_lowercase()
        )));
    }
    Ok(())
}

/// An application that leaves a system (its `system` no longer lists it) is no longer one of
/// the system's entry points either: the system's `entry` would otherwise keep it, and bring it
/// back as a member at the system's next write.
pub fn leaving_a_system_leaves_its_entry(
    kind: Kind,
    anchor: EntityId,
    rows: &[RelationRow],
    edits: &mut Vec<RelationEdit>,
) {
    if kind != Kind::Application {
        return;
    }
    let left: Vec<EntityId> = edits
        .iter()
        .filter_map(|e| match e {
            RelationEdit::Remove { src, rel, dst } if rel == "contains" && *dst == anchor => {
                Some(*src)
            }
            _ => None,
        })
        .collect();
    for system in left {
        let is_entry = rows
            .iter()
            .any(|r| r.src == system && r.dst == anchor && r.rel == "entry");
        if is_entry {
            edits.push(RelationEdit::Remove {
                src: system,
                rel: "entry".into(),
                dst: anchor,
            });
        }
    }
}
