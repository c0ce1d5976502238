//! Applying a write batch in one transaction: entities (with optimistic revision checks),
//! touched counterparts, ACL rows, relation rows (both ends must be active) and history.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use maestro_core::ports::{EntityWrite, RelationEdit, StoreError, StoreResult, WriteBatch};
use maestro_model::EntityId;

use crate::db::Tx;
use crate::rows::micros;
use crate::sql;
use crate::sql::{Arg, Dialect, Sql};

/// Rows per multi-row `INSERT` (well under SQLite's limit of bound parameters).
const ROWS_PER_INSERT: usize = 100;

pub(crate) async fn apply(tx: &mut Tx, batch: &WriteBatch) -> StoreResult<()> {
    apply_all(tx, &[batch]).await
}

/// Applies several batches as one: their rows share the multi-row statements (group commit).
/// The batches must not write the same entity (see `group.rs`).
pub(crate) async fn apply_all(tx: &mut Tx, batches: &[&WriteBatch]) -> StoreResult<()> {
    let d = tx.dialect();
    let (new, updates): (Vec<&EntityWrite>, Vec<&EntityWrite>) = batches
        .iter()
        .flat_map(|b| &b.entities)
        .partition(|w| w.expected_revision.is_none());
    for chunk in new.chunks(ROWS_PER_INSERT) {
        tx.execute(&insert_entities(d, chunk)).await?;
    }
    for w in &updates {
        write_entity(tx, w).await?;
    }
    let records: Vec<_> = new.iter().map(|w| &w.record).collect();
    crate::keys::replace(tx, &records, true).await?;
    let records: Vec<_> = updates.iter().map(|w| &w.record).collect();
    crate::keys::replace(tx, &records, false).await?;
    let greatest = d.greatest();
    // A counterpart touched by many entities of the batch (the datacenter of 500 discovered
    // servers) is updated once, to the latest time.
    let mut touched = BTreeMap::new();
    for (id, at) in batches.iter().flat_map(|b| &b.touched) {
        let latest = touched.entry(*id).or_insert(*at);
        *latest = (*latest).max(*at);
    }
    for (id, at) in &touched {
        let s = sql!(
            &format!(
                "UPDATE entities SET updated_at = {greatest}(updated_at, ?), revision = revision + 1 WHERE id = ?"
            ),
            micros(*at),
            id.to_string()
        );
        tx.execute(&s).await?;
    }
    // New entities have no ACL rows yet: only replaced ACLs need a delete first.
    let new_ids: HashSet<_> = new.iter().map(|w| w.record.id).collect();
    let acl: Vec<_> = batches.iter().flat_map(|b| &b.acl).collect();
    for (id, _) in &acl {
        if !new_ids.contains(id) {
            tx.execute(&sql!("DELETE FROM acl WHERE entity_id = ?", id.to_string()))
                .await?;
        }
    }
    let acl_rows: Vec<_> = acl
        .iter()
        .flat_map(|(id, rows)| rows.iter().map(move |r| (id, r)))
        .collect();
    for chunk in acl_rows.chunks(ROWS_PER_INSERT) {
        let mut s = Sql::new(
            "INSERT INTO acl (entity_id, principal_kind, principal_id, role, owner) VALUES ",
        );
        for (i, (id, row)) in chunk.iter().enumerate() {
            let row: [Arg; 5] = [
                id.to_string().into(),
                row.principal.kind.as_str().into(),
                row.principal.id.to_string().into(),
                row.role.level().into(),
                row.owner.into(),
            ];
            s.push_row(i == 0, row);
        }
        tx.execute(&s).await?;
    }
    // Consecutive upserts (a page of discovered servers, each placed in its datacenter) are
    // checked and written together; removals keep their place in the order.
    let mut upserts = Vec::new();
    for edit in batches.iter().flat_map(|b| &b.relations) {
        if matches!(edit, RelationEdit::Upsert { .. }) {
            upserts.push(edit);
            continue;
        }
        upsert_relations(tx, &std::mem::take(&mut upserts)).await?;
        relation(tx, edit).await?;
    }
    upsert_relations(tx, &upserts).await?;
    for (id, refs) in batches.iter().flat_map(|b| &b.pending) {
        tx.execute(&sql!(
            "DELETE FROM pending_refs WHERE src_id = ?",
            id.to_string()
        ))
        .await?;
        for chunk in refs.chunks(ROWS_PER_INSERT) {
            let mut s = Sql::new("INSERT INTO pending_refs (src_id, field, target_key) VALUES ");
            for (i, (field, key)) in chunk.iter().enumerate() {
                s.push_row(i == 0, [id.to_string(), field.clone(), key.clone()]);
            }
            s.push(" ON CONFLICT (src_id, field, target_key) DO NOTHING");
            tx.execute(&s).await?;
        }
    }
    for (src, field, key) in batches.iter().flat_map(|b| &b.resolved) {
        let s = sql!(
            "DELETE FROM pending_refs WHERE src_id = ? AND field = ? AND target_key = ?",
            src.to_string(),
            field.as_str(),
            key.as_str()
        );
        tx.execute(&s).await?;
    }
    for (id, sealed) in batches.iter().flat_map(|b| &b.secrets) {
        let s = match sealed {
            Some(sealed) => sql!(
                "INSERT INTO secrets (entity_id, sealed, updated_at) VALUES (?, ?, ?) \
                 ON CONFLICT (entity_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
                id.to_string(),
                sealed.as_str(),
                micros(chrono::Utc::now())
            ),
            None => sql!("DELETE FROM secrets WHERE entity_id = ?", id.to_string()),
        };
        tx.execute(&s).await?;
    }
    let changes: Vec<_> = batches.iter().flat_map(|b| &b.changes).collect();
    for chunk in changes.chunks(ROWS_PER_INSERT) {
        let mut s = Sql::new(
            "INSERT INTO changes (id, subject_kind, subject_id, at, actor_id, actor_name, source, op, changes, context) VALUES ",
        );
        for (i, c) in chunk.iter().enumerate() {
            s.push(if i == 0 { "(" } else { ", (" });
            s.bind(c.id.to_string())
                .push(", ")
                .bind(c.subject_kind.as_str())
                .push(", ");
            s.bind(c.subject_id.as_str())
                .push(", ")
                .bind(micros(c.at))
                .push(", ");
            s.bind(c.actor_id.map(|u| u.to_string()))
                .push(", ")
                .bind(c.actor_name.as_str())
                .push(", ");
            s.bind(c.source.as_str())
                .push(", ")
                .bind(c.op.as_str())
                .push(", ");
            s.bind(c.changes.clone())
                .push(", ")
                .bind(crate::sql::Arg::OptJson(c.context.clone()));
            s.push(")");
        }
        tx.execute(&s).await?;
    }
    Ok(())
}

/// One multi-row `INSERT` of new entities.
fn insert_entities(d: Dialect, chunk: &[&EntityWrite]) -> Sql {
    let mut s = Sql::new(
        "INSERT INTO entities (id, kind, family, name, active, owner_kind, owner_id, revision, created_at, updated_at, search, \
         discovery_key, discovery_scope, seen_run, seen_at, data) VALUES ",
    );
    for (i, w) in chunk.iter().enumerate() {
        let r = &w.record;
        s.push(if i == 0 { "(" } else { ", (" });
        s.bind(r.id.to_string())
            .push(", ")
            .bind(r.kind.as_str())
            .push(", ")
            .bind(r.family.clone())
            .push(", ");
        s.bind(r.name.as_str())
            .push(", ")
            .bind(r.active)
            .push(", ")
            .bind(r.owner.kind.as_str())
            .push(", ");
        s.bind(r.owner.id.to_string())
            .push(", ")
            .bind(r.revision)
            .push(", ")
            .bind(micros(r.created_at))
            .push(", ");
        s.bind(micros(r.updated_at))
            .push(", ")
            .bind(r.search.as_str())
            .push(", ");
        let found = r.discovery.as_ref();
        s.bind(found.map(|x| x.key.clone())).push(", ");
        s.bind(found.map(|x| x.scope.clone())).push(", ");
        s.bind(found.map(|x| x.run.clone())).push(", ");
        s.bind(found.map(|x| micros(x.seen_at))).push(", ");
        let doc = serde_json::Value::Object(r.data.clone());
        match d {
            Dialect::Sqlite => s.push("jsonb(").bind(doc).push(")"),
            Dialect::Postgres => s.bind(doc),
        };
        s.push(")");
    }
    s
}

/// Updates an entity if nobody changed it since it was read (optimistic concurrency).
async fn write_entity(tx: &mut Tx, w: &EntityWrite) -> StoreResult<()> {
    let r = &w.record;
    let data = serde_json::Value::Object(r.data.clone());
    let doc = tx.dialect().doc_in();
    let expected = w.expected_revision.unwrap_or_default();
    let s = sql!(
        &format!(
            "UPDATE entities SET family = ?, name = ?, active = ?, owner_kind = ?, owner_id = ?, revision = ?, \
             updated_at = ?, search = ?, data = {doc} WHERE id = ? AND revision = ?"
        ),
        r.family.clone(),
        r.name.as_str(),
        r.active,
        r.owner.kind.as_str(),
        r.owner.id.to_string(),
        r.revision,
        micros(r.updated_at),
        r.search.as_str(),
        data,
        r.id.to_string(),
        expected
    );
    if tx.execute(&s).await? == 0 {
        return Err(StoreError::Conflict(r.id.to_string()));
    }
    if let Some(found) = &r.discovery {
        let s = sql!(
            "UPDATE entities SET discovery_key = ?, discovery_scope = ?, seen_run = ?, seen_at = ? WHERE id = ?",
            found.key.as_str(),
            found.scope.as_str(),
            found.run.as_str(),
            micros(found.seen_at),
            r.id.to_string()
        );
        tx.execute(&s).await?;
    }
    Ok(())
}

async fn relation(tx: &mut Tx, edit: &RelationEdit) -> StoreResult<()> {
    match edit {
        RelationEdit::Remove { src, rel, dst } => {
            let s = sql!(
                "DELETE FROM relations WHERE src_id = ? AND rel = ? AND dst_id = ?",
                src.to_string(),
                rel.as_str(),
                dst.to_string()
            );
            tx.execute(&s).await?;
        }
        RelationEdit::DetachAll { entity } => {
            let s = sql!(
                "DELETE FROM relations WHERE src_id = ? OR dst_id = ?",
                entity.to_string(),
                entity.to_string()
            );
            tx.execute(&s).await?;
        }
        RelationEdit::Upsert { .. } => upsert_relations(tx, &[edit]).await?,
    }
    Ok(())
}

/// Adds or updates relation rows. Every end must be active; on PostgreSQL the ends are
/// share-locked so a concurrent delete waits for this write (and then removes the new rows too).
async fn upsert_relations(tx: &mut Tx, edits: &[&RelationEdit]) -> StoreResult<()> {
    // The last edit of a row wins, as it would applied one by one (and one statement may not
    // update a row twice).
    let mut rows = BTreeMap::new();
    let mut ends = BTreeSet::new();
    for edit in edits {
        if let RelationEdit::Upsert {
            src,
            rel,
            dst,
            attrs,
            position,
        } = edit
        {
            rows.insert((*src, *rel, *dst), (attrs, *position));
            ends.extend([*src, *dst]);
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let lock = if tx.dialect() == Dialect::Postgres {
        " FOR SHARE"
    } else {
        ""
    };
    let ends: Vec<EntityId> = ends.into_iter().collect();
    let mut active = HashSet::new();
    for chunk in ends.chunks(ROWS_PER_INSERT * 2) {
        let mut check = Sql::new("SELECT id FROM entities WHERE id IN (");
        check.bind_list(chunk.iter().map(ToString::to_string));
        check.push(&format!(") AND active = TRUE{lock}"));
        let found: Vec<(String,)> = tx.fetch_all(&check).await?;
        active.extend(found.into_iter().map(|(id,)| id));
    }
    if active.len() < ends.len() {
        // The first edit, in order, with an end missing or inactive (its target first).
        for edit in edits {
            if let RelationEdit::Upsert { src, dst, .. } = edit {
                for end in [dst, src] {
                    if !active.contains(&end.to_string()) {
                        return Err(StoreError::MissingTarget(*end));
                    }
                }
            }
        }
    }
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut s =
            Sql::new("INSERT INTO relations (src_id, rel, dst_id, attrs, position) VALUES ");
        for (i, ((src, rel, dst), (attrs, position))) in chunk.iter().enumerate() {
            let row: [Arg; 5] = [
                src.to_string().into(),
                (*rel).into(),
                dst.to_string().into(),
                serde_json::Value::Object((*attrs).clone()).into(),
                (*position).into(),
            ];
            s.push_row(i == 0, row);
        }
        s.push(
            " ON CONFLICT (src_id, rel, dst_id) DO UPDATE SET attrs = excluded.attrs, position = excluded.position",
        );
        tx.execute(&s).await?;
    }
    Ok(())
}
