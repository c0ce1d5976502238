//! Applying a write batch in one transaction: entities (with optimistic revision checks),
//! touched counterparts, ACL rows, relation rows (both ends must be active) and history.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use maestro_core::ports::{EntityWrite, RelationEdit, StoreError, StoreResult, WriteBatch};
use maestro_model::EntityId;

use crate::db::Tx;
use crate::rows::micros;
use crate::sql;
use crate::sql::{Arg, Dialect, Sql};

mod inserts;

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
    // Updates first: they read back which rows they wrote, so nothing is built ahead of them.
    let updated: Vec<_> = updates.iter().map(|w| &w.record).collect();
    let mut keys = crate::keys::Delta::default();
    crate::keys::before_update(tx, &mut keys, &updated).await?;
    update_entities(tx, &updates).await?;
    let seen: Vec<_> = new
        .iter()
        .chain(&updates)
        .filter_map(|w| w.record.discovery.as_ref())
        .collect();
    let inserts = new.chunks(ROWS_PER_INSERT).map(|c| insert_entities(d, c));
    let seen = seen.chunks(ROWS_PER_INSERT).map(inserts::seen);
    execute_all(tx, inserts.chain(seen)).await?;
    let created: Vec<_> = new.iter().map(|w| &w.record).collect();
    crate::keys::created(&mut keys, &created);
    crate::keys::after_update(&mut keys, &updated);
    crate::keys::count(tx, keys).await?;
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
    // Consecutive upserts (a page of discovered servers, each placed in its datacenter) are
    // checked and written together; removals keep their place in the order.
    // Entities this transaction inserted active need no check as relation ends: nobody else
    // sees them before it commits.
    let fresh: HashSet<EntityId> = new
        .iter()
        .filter(|w| w.record.active)
        .map(|w| w.record.id)
        .collect();
    let mut upserts = Vec::new();
    for edit in batches.iter().flat_map(|b| &b.relations) {
        if matches!(edit, RelationEdit::Upsert { .. }) {
            upserts.push(edit);
            continue;
        }
        upsert_relations(tx, &std::mem::take(&mut upserts), &fresh).await?;
        relation(tx, edit, &fresh).await?;
    }
    upsert_relations(tx, &upserts, &fresh).await?;
    let new_ids: HashSet<_> = new.iter().map(|w| w.record.id).collect();
    let pending: Vec<_> = batches.iter().flat_map(|b| &b.pending).collect();
    replace_pending(tx, &pending, &new_ids).await?;
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
        tx.execute(&inserts::secret(*id, sealed.as_deref())).await?;
    }
    // ACL rows and history last, in one run of statements built one ahead. New entities have
    // no ACL rows yet: only replaced ACLs need a delete first.
    let acl: Vec<_> = batches.iter().flat_map(|b| &b.acl).collect();
    let deletes = acl
        .iter()
        .filter(|(id, _)| !new_ids.contains(id))
        .map(|(id, _)| sql!("DELETE FROM acl WHERE entity_id = ?", id.to_string()));
    // The owner's row is the entity's owner columns (`acls` reads it from there): two index
    // entries and a row fewer for every entity, a tenth of a first discovery sync on PostgreSQL.
    let acl_rows: Vec<_> = acl
        .iter()
        .flat_map(|(id, rows)| rows.iter().map(move |r| (*id, r)))
        .filter(|(_, r)| !r.owner)
        .collect();
    let grants = acl_rows.chunks(ROWS_PER_INSERT).map(inserts::acl);
    let changes: Vec<_> = batches.iter().flat_map(|b| &b.changes).collect();
    let history = changes
        .chunks(ROWS_PER_INSERT)
        .map(|c| inserts::history(d, c));
    execute_all(tx, deletes.chain(grants).chain(history)).await
}

/// Runs statements in order, building each while the database runs the one before: SQLite's
/// connection works on a thread of its own, and serializing a hundred documents into the next
/// statement took a quarter of a discovered page's write, that thread waiting.
async fn execute_all(tx: &mut Tx, mut statements: impl Iterator<Item = Sql>) -> StoreResult<()> {
    let mut next = statements.next();
    while let Some(statement) = next {
        let (done, built) = tokio::join!(tx.execute(&statement), async { statements.next() });
        done?;
        next = built;
    }
    Ok(())
}

/// One multi-row `INSERT` of new entities.
fn insert_entities(d: Dialect, chunk: &[&EntityWrite]) -> Sql {
    let mut s = Sql::new(
        "INSERT INTO entities (id, kind, family, name, active, owner_kind, owner_id, revision, created_at, updated_at, search, \
         discovery_key, discovery_scope, data) VALUES ",
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
        let doc = Arg::json(&r.data);
        match d {
            Dialect::Sqlite => s.push("jsonb(").bind(doc).push(")"),
            Dialect::Postgres => s.bind(doc),
        };
        s.push(")");
    }
    s
}

/// Updates entities that nobody changed since they were read (optimistic concurrency): one
/// `UPDATE … FROM (VALUES …)` per chunk, and a stale revision fails the write. The discovery
/// identity is set in the same statement (a second `UPDATE` would write each row twice).
async fn update_entities(tx: &mut Tx, updates: &[&EntityWrite]) -> StoreResult<()> {
    let doc = tx.dialect().doc_in().replace('?', "v.data");
    // One statement may not update a row twice: an entity written twice starts a new chunk.
    let mut chunks: Vec<Vec<&EntityWrite>> = Vec::new();
    let mut ids = HashSet::new();
    for w in updates {
        if chunks.last().is_none_or(|c| c.len() == ROWS_PER_INSERT) || !ids.insert(w.record.id) {
            chunks.push(Vec::new());
            ids = HashSet::from([w.record.id]);
        }
        chunks.last_mut().expect("a chunk was pushed").push(w);
    }
    for chunk in chunks {
        let mut s = Sql::new(
            "WITH v (id, family, name, active, owner_kind, owner_id, revision, updated_at, search, data, \
             expected, discovery_key, discovery_scope) AS (VALUES ",
        );
        for (i, w) in chunk.iter().enumerate() {
            let r = &w.record;
            let found = r.discovery.as_ref();
            let row: [Arg; 13] = [
                r.id.to_string().into(),
                r.family.clone().into(),
                r.name.as_str().into(),
                r.active.into(),
                r.owner.kind.as_str().into(),
                r.owner.id.to_string().into(),
                r.revision.into(),
                micros(r.updated_at).into(),
                r.search.as_str().into(),
                Arg::json(&r.data),
                w.expected_revision.unwrap_or_default().into(),
                found.map(|x| x.key.clone()).into(),
                found.map(|x| x.scope.clone()).into(),
            ];
            s.push_row(i == 0, row);
        }
        s.push(&format!(
            ") UPDATE entities SET family = v.family, name = v.name, active = v.active, \
             owner_kind = v.owner_kind, owner_id = v.owner_id, revision = v.revision, \
             updated_at = v.updated_at, search = v.search, data = {doc}, \
             discovery_key = COALESCE(v.discovery_key, entities.discovery_key), \
             discovery_scope = COALESCE(v.discovery_scope, entities.discovery_scope) \
             FROM v WHERE entities.id = v.id AND entities.revision = v.expected RETURNING entities.id"
        ));
        let written: HashSet<String> = tx
            .fetch_all::<(String,)>(&s)
            .await?
            .into_iter()
            .map(|(id,)| id)
            .collect();
        if let Some(stale) = chunk
            .iter()
            .find(|w| !written.contains(&w.record.id.to_string()))
        {
            return Err(StoreError::Conflict(stale.record.id.to_string()));
        }
    }
    Ok(())
}

/// Replaces the pending references of the entities in `pending` (the last list of an entity
/// wins): new entities have none to delete.
async fn replace_pending(
    tx: &mut Tx,
    pending: &[&(EntityId, Vec<(String, String)>)],
    new_ids: &HashSet<EntityId>,
) -> StoreResult<()> {
    let latest: BTreeMap<EntityId, &Vec<(String, String)>> =
        pending.iter().map(|(id, refs)| (*id, refs)).collect();
    let existing: Vec<String> = latest
        .keys()
        .filter(|id| !new_ids.contains(id))
        .map(ToString::to_string)
        .collect();
    for chunk in existing.chunks(ROWS_PER_INSERT * 2) {
        let mut s = Sql::new("DELETE FROM pending_refs WHERE src_id IN (");
        s.bind_list(chunk.iter().cloned()).push(")");
        tx.execute(&s).await?;
    }
    let rows: BTreeSet<(EntityId, &String, &String)> = latest
        .iter()
        .flat_map(|(id, refs)| refs.iter().map(move |(field, key)| (*id, field, key)))
        .collect();
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut s = Sql::new("INSERT INTO pending_refs (src_id, field, target_key) VALUES ");
        for (i, (id, field, key)) in chunk.iter().enumerate() {
            s.push_row(i == 0, [id.to_string(), (*field).clone(), (*key).clone()]);
        }
        s.push(" ON CONFLICT (src_id, field, target_key) DO NOTHING");
        tx.execute(&s).await?;
    }
    Ok(())
}

async fn relation(tx: &mut Tx, edit: &RelationEdit, fresh: &HashSet<EntityId>) -> StoreResult<()> {
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
        RelationEdit::Upsert { .. } => upsert_relations(tx, &[edit], fresh).await?,
    }
    Ok(())
}

/// Adds or updates relation rows. Every end must be active; on PostgreSQL the ends are
/// share-locked so a concurrent delete waits for this write (and then removes the new rows too).
/// Ends in `fresh` (inserted active by this transaction) are neither read nor locked: locking a
/// row writes it again (500 servers placed in their datacenter were 500 row locks).
async fn upsert_relations(
    tx: &mut Tx,
    edits: &[&RelationEdit],
    fresh: &HashSet<EntityId>,
) -> StoreResult<()> {
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
    let ends: Vec<EntityId> = ends.into_iter().filter(|e| !fresh.contains(e)).collect();
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
                    if !fresh.contains(end) && !active.contains(&end.to_string()) {
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
                Arg::json(*attrs),
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
