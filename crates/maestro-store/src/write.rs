//! Applying a write batch in one transaction: entities (with optimistic revision checks),
//! touched counterparts, ACL rows, relation rows (both ends must be active) and history.

use maestro_core::ports::{EntityWrite, RelationEdit, StoreError, StoreResult, WriteBatch};

use crate::db::Tx;
use crate::rows::micros;
use crate::sql;
use crate::sql::{Dialect, Sql};

pub(crate) async fn apply(tx: &mut Tx, batch: &WriteBatch) -> StoreResult<()> {
    for w in &batch.entities {
        write_entity(tx, w).await?;
    }
    let greatest = tx.dialect().greatest();
    for (id, at) in &batch.touched {
        let s = sql!(
            &format!(
                "UPDATE entities SET updated_at = {greatest}(updated_at, ?), revision = revision + 1 WHERE id = ?"
            ),
            micros(*at),
            id.to_string()
        );
        tx.execute(&s).await?;
    }
    for (id, rows) in &batch.acl {
        tx.execute(&sql!("DELETE FROM acl WHERE entity_id = ?", id.to_string()))
            .await?;
        for row in rows {
            let s = sql!(
                "INSERT INTO acl (entity_id, principal_kind, principal_id, role, owner) VALUES (?, ?, ?, ?, ?)",
                id.to_string(),
                row.principal.kind.as_str(),
                row.principal.id.to_string(),
                row.role.level(),
                row.owner
            );
            tx.execute(&s).await?;
        }
    }
    for edit in &batch.relations {
        relation(tx, edit).await?;
    }
    for c in &batch.changes {
        let s = sql!(
            "INSERT INTO changes (id, subject_kind, subject_id, at, actor_id, actor_name, source, op, changes, context) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.id.to_string(),
            c.subject_kind.as_str(),
            c.subject_id.as_str(),
            micros(c.at),
            c.actor_id.map(|u| u.to_string()),
            c.actor_name.as_str(),
            c.source.as_str(),
            c.op.as_str(),
            c.changes.clone(),
            crate::sql::Arg::OptJson(c.context.clone())
        );
        tx.execute(&s).await?;
    }
    Ok(())
}

async fn write_entity(tx: &mut Tx, w: &EntityWrite) -> StoreResult<()> {
    let r = &w.record;
    let data = serde_json::Value::Object(r.data.clone());
    let doc = tx.dialect().doc_in();
    match w.expected_revision {
        None => {
            let s = sql!(
                &format!(
                    "INSERT INTO entities (id, kind, family, name, active, owner_kind, owner_id, revision, created_at, updated_at, search, data) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {})",
                    doc
                ),
                r.id.to_string(),
                r.kind.as_str(),
                r.family.clone(),
                r.name.as_str(),
                r.active,
                r.owner.kind.as_str(),
                r.owner.id.to_string(),
                r.revision,
                micros(r.created_at),
                micros(r.updated_at),
                r.search.as_str(),
                data
            );
            tx.execute(&s).await?;
        }
        Some(expected) => {
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
        }
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
