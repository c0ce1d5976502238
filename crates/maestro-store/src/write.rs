//! Applying a write batch in one transaction: entities (with optimistic revision checks),
//! touched counterparts, ACL rows, relation rows (both ends must be active) and history.

use std::collections::BTreeMap;

use maestro_core::ports::{EntityWrite, RelationEdit, StoreError, StoreResult, WriteBatch};

use crate::db::Tx;
use crate::rows::micros;
use crate::sql;
use crate::sql::{Arg, Dialect, Sql};

/// Rows per multi-row `INSERT` (well under SQLite's limit of bound parameters).
const ROWS_PER_INSERT: usize = 100;

pub(crate) async fn apply(tx: &mut Tx, batch: &WriteBatch) -> StoreResult<()> {
    let d = tx.dialect();
    let (new, updates): (Vec<&EntityWrite>, Vec<&EntityWrite>) = batch
        .entities
        .iter()
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
    for (id, at) in &batch.touched {
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
    for (id, _) in &batch.acl {
        if !new.iter().any(|w| w.record.id == *id) {
            tx.execute(&sql!("DELETE FROM acl WHERE entity_id = ?", id.to_string()))
                .await?;
        }
    }
    let acl_rows: Vec<_> = batch
        .acl
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
    for edit in &batch.relations {
        relation(tx, edit).await?;
    }
    for (id, refs) in &batch.pending {
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
    for (src, field, key) in &batch.resolved {
        let s = sql!(
            "DELETE FROM pending_refs WHERE src_id = ? AND field = ? AND target_key = ?",
            src.to_string(),
            field.as_str(),
            key.as_str()
        );
        tx.execute(&s).await?;
    }
    for (id, sealed) in &batch.secrets {
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
    for chunk in batch.changes.chunks(ROWS_PER_INSERT) {
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
        RelationEdit::Upsert {
            src,
            rel,
            dst,
            attrs,
            position,
        } => {
            // Both ends must be active; on PostgreSQL the rows are share-locked so a concurrent
            // delete waits for this write (and then removes the new row too).
            let lock = if tx.dialect() == Dialect::Postgres {
                " FOR SHARE"
            } else {
                ""
            };
            let mut check = Sql::new("SELECT COUNT(*) FROM (SELECT id FROM entities WHERE id IN (");
            check.bind(src.to_string()).push(", ").bind(dst.to_string());
            check.push(&format!(") AND active = TRUE{lock}) t"));
            if tx.fetch_i64(&check).await? < 2 {
                let missing = if tx
                    .fetch_i64(&sql!(
                        "SELECT COUNT(*) FROM entities WHERE id = ? AND active = TRUE",
                        dst.to_string()
                    ))
                    .await?
                    == 0
                {
                    *dst
                } else {
                    *src
                };
                return Err(StoreError::MissingTarget(missing));
            }
            let s = sql!(
                "INSERT INTO relations (src_id, rel, dst_id, attrs, position) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (src_id, rel, dst_id) DO UPDATE SET attrs = excluded.attrs, position = excluded.position",
                src.to_string(),
                *rel,
                dst.to_string(),
                serde_json::Value::Object(attrs.clone()),
                *position
            );
            tx.execute(&s).await?;
        }
    }
    Ok(())
}
