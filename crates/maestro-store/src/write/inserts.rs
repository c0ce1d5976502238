//! The statements that add a write's rows beside its entities — seen marks, ACL rows, history
//! entries, sealed secrets — built from borrowed rows so `apply_all` can build the next one
//! while the database runs the current.

use maestro_core::ports::{AclRow, ChangeRecord, Discovered};
use maestro_model::EntityId;

use crate::rows::micros;
use crate::sql;
use crate::sql::{Arg, Dialect, Sql};

/// Records the run and time that last saw discovered entities (`discovery_seen`); a mark only
/// moves forward (see `Store::mark_seen`).
pub(super) fn seen(chunk: &[&Discovered]) -> Sql {
    let mut s = Sql::new("INSERT INTO discovery_seen (discovery_key, run, seen_at) VALUES ");
    for (i, found) in chunk.iter().enumerate() {
        let row: [Arg; 3] = [
            found.key.as_str().into(),
            found.run.as_str().into(),
            micros(found.seen_at).into(),
        ];
        s.push_row(i == 0, row);
    }
    s.push(
        " ON CONFLICT (discovery_key) DO UPDATE SET run = excluded.run, seen_at = excluded.seen_at \
         WHERE discovery_seen.seen_at < excluded.seen_at",
    );
    s
}

/// ACL rows of entities.
pub(super) fn acl(chunk: &[(EntityId, &AclRow)]) -> Sql {
    let mut s =
        Sql::new("INSERT INTO acl (entity_id, principal_kind, principal_id, role, owner) VALUES ");
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
    s
}

/// History entries. Their documents are bound as text: PostgreSQL stores them as `json`, which
/// only checks the text (migration 0015), SQLite as text.
pub(super) fn history(d: Dialect, chunk: &[&ChangeRecord]) -> Sql {
    let mut s = Sql::new(
        "INSERT INTO changes (id, subject_kind, subject_id, at, actor_id, actor_name, source, op, changes, context) VALUES ",
    );
    let (open, close) = match d {
        Dialect::Sqlite => ("", ""),
        Dialect::Postgres => ("CAST(", " AS json)"),
    };
    for (i, c) in chunk.iter().enumerate() {
        let row: [Arg; 8] = [
            c.id.to_string().into(),
            c.subject_kind.as_str().into(),
            c.subject_id.as_str().into(),
            micros(c.at).into(),
            c.actor_id.map(|u| u.to_string()).into(),
            c.actor_name.as_str().into(),
            c.source.as_str().into(),
            c.op.as_str().into(),
        ];
        s.push(if i == 0 { "(" } else { ", (" });
        s.bind_list(row);
        s.push(", ")
            .push(open)
            .bind(sql::json_text(&c.changes))
            .push(close);
        let context = c.context.as_ref().map(sql::json_text);
        s.push(", ").push(open).bind(context).push(close).push(")");
    }
    s
}

/// Stores an entity's sealed secret, or removes it (`None`).
pub(super) fn secret(id: EntityId, sealed: Option<&str>) -> Sql {
    match sealed {
        Some(sealed) => sql!(
            "INSERT INTO secrets (entity_id, sealed, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (entity_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
            id.to_string(),
            sealed,
            micros(chrono::Utc::now())
        ),
        None => sql!("DELETE FROM secrets WHERE entity_id = ?", id.to_string()),
    }
}
