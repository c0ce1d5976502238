//! Identifier keys: the values of an active entity's `warn_duplicate` fields (hostname, private
//! IP, provider id, application name), kept in `entity_keys` beside the entity so duplicates are
//! found in a small index instead of by grouping every document. `key_counts` holds how many
//! active entities hold each value; each write adjusts it with one aggregated upsert (a trigger
//! per key row cost PostgreSQL half its discovery throughput).

use std::collections::BTreeMap;

use maestro_core::ports::{EntityRecord, StoreResult};
use maestro_model::schema::{self, Kind};
use serde_json::Value;

use crate::db::Tx;
use crate::sql::{Arg, Dialect, Sql};

/// Rows per multi-row `INSERT`.
const ROWS_PER_INSERT: usize = 200;

/// Updated entities whose stale keys one `DELETE` removes (well under the bound-parameter limit).
const ENTITIES_PER_DELETE: usize = 100;

/// `meta` key holding the identifier fields `entity_keys` was built for.
const META_KEY: &str = "entity_keys.fields";

/// The identifier fields of a kind.
fn fields(kind: Kind) -> impl Iterator<Item = &'static str> {
    kind.schema().identifier_fields().map(|f| f.name)
}

/// The stored text of an identifier value: text as it is, numbers in their JSON form; other
/// values are not identifiers.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The identifier values of `r`: none while it is inactive; empty values are not identifiers.
fn of(r: &EntityRecord) -> Vec<(&'static str, String)> {
    if !r.active {
        return Vec::new();
    }
    fields(r.kind)
        .filter_map(|field| {
            let value = match r.data.get(field) {
                None if field == "name" => r.name.clone(),
                value => text(value?)?,
            };
            (!value.is_empty()).then_some((field, value))
        })
        .collect()
}

/// A key as `key_counts` counts it: kind, field, value.
type CountKey = (String, String, String);

/// Replaces the stored keys of the entities of `records` by their current ones: keys no longer
/// held are removed, new ones added (unchanged keys are left alone, so their counts are not
/// touched), and the holders' counts adjusted. Statements cover many entities each; rows are
/// written in value order, so concurrent writers lock counts in one order.
pub(crate) async fn replace(tx: &mut Tx, records: &[&EntityRecord], new: bool) -> StoreResult<()> {
    let mut delta: BTreeMap<CountKey, i64> = BTreeMap::new();
    let mut rows: Vec<(&EntityRecord, &'static str, String)> = Vec::new();
    for chunk in records.chunks(ENTITIES_PER_DELETE) {
        let start = rows.len();
        for r in chunk {
            rows.extend(of(r).into_iter().map(|(field, value)| (*r, field, value)));
        }
        if !new {
            let mut s = delete_others(chunk, &rows[start..]);
            s.push(" RETURNING kind, field, value");
            for key in tx.fetch_all::<CountKey>(&s).await? {
                *delta.entry(key).or_default() -= 1;
            }
        }
    }
    rows.sort_by(|a, b| (a.0.kind.as_str(), a.1, &a.2).cmp(&(b.0.kind.as_str(), b.1, &b.2)));
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut s = Sql::new("INSERT INTO entity_keys (entity_id, kind, field, value) VALUES ");
        for (i, (r, field, value)) in chunk.iter().enumerate() {
            s.push_row(
                i == 0,
                [
                    r.id.to_string(),
                    r.kind.as_str().into(),
                    (*field).into(),
                    value.clone(),
                ],
            );
        }
        if new {
            tx.execute(&s).await?;
            for (r, field, value) in chunk {
                let key = (
                    r.kind.as_str().to_owned(),
                    (*field).to_owned(),
                    value.clone(),
                );
                *delta.entry(key).or_default() += 1;
            }
        } else {
            // Only the keys actually added count (unchanged ones are already there).
            s.push(
                " ON CONFLICT (entity_id, field, value) DO NOTHING RETURNING kind, field, value",
            );
            for key in tx.fetch_all::<CountKey>(&s).await? {
                *delta.entry(key).or_default() += 1;
            }
        }
    }
    count(tx, delta).await
}

/// Applies net changes to `key_counts`: one upsert per chunk adds each key's delta (keys are in
/// sorted order), then the keys nobody holds any more are dropped.
async fn count(tx: &mut Tx, delta: BTreeMap<CountKey, i64>) -> StoreResult<()> {
    let changed: Vec<_> = delta.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in changed.chunks(ROWS_PER_INSERT) {
        let mut s = Sql::new("INSERT INTO key_counts (kind, field, value, n) VALUES ");
        for (i, ((kind, field, value), n)) in chunk.iter().enumerate() {
            let row: [Arg; 4] = [
                kind.as_str().into(),
                field.as_str().into(),
                value.as_str().into(),
                (*n).into(),
            ];
            s.push_row(i == 0, row);
        }
        s.push(" ON CONFLICT (kind, field, value) DO UPDATE SET n = key_counts.n + excluded.n");
        tx.execute(&s).await?;
    }
    let dropped: Vec<_> = changed.iter().filter(|(_, n)| *n < 0).collect();
    for chunk in dropped.chunks(ROWS_PER_INSERT) {
        let mut s =
            Sql::new("DELETE FROM key_counts WHERE n <= 0 AND (kind, field, value) IN (VALUES ");
        for (i, ((kind, field, value), _)) in chunk.iter().enumerate() {
            s.push_row(i == 0, [kind.as_str(), field.as_str(), value.as_str()]);
        }
        s.push(")");
        tx.execute(&s).await?;
    }
    Ok(())
}

/// Deletes the stored keys of `entities` that are not among `keep`.
fn delete_others(
    entities: &[&EntityRecord],
    keep: &[(&EntityRecord, &'static str, String)],
) -> Sql {
    let mut s = Sql::new("DELETE FROM entity_keys WHERE entity_id IN (");
    s.bind_list(entities.iter().map(|r| r.id.to_string()));
    s.push(")");
    if !keep.is_empty() {
        s.push(" AND (entity_id, field, value) NOT IN (VALUES ");
        for (i, (r, field, value)) in keep.iter().enumerate() {
            s.push_row(i == 0, [r.id.to_string(), (*field).into(), value.clone()]);
        }
        s.push(")");
    }
    s
}

/// Rebuilds `entity_keys` and `key_counts` from the documents when the
/// identifier fields differ from those it was built for: on the first start after the upgrade
/// that added it, and whenever a field gains or loses `warn_duplicate`.
pub(crate) async fn rebuild_if_stale(tx: &mut Tx) -> StoreResult<bool> {
    let d = tx.dialect();
    let wanted: Vec<String> = schema::all()
        .flat_map(|ks| fields(ks.kind).map(move |f| format!("{}.{f}", ks.kind.as_str())))
        .collect();
    let wanted = wanted.join(",");
    let mut read = Sql::new("SELECT value FROM meta WHERE key = ");
    read.bind(META_KEY);
    if d == Dialect::Postgres {
        // Several processes may start at once: one rebuilds, the others wait and see it done.
        tx.execute(&Sql::new("LOCK TABLE entity_keys IN EXCLUSIVE MODE"))
            .await?;
    }
    let stored: Vec<(String,)> = tx.fetch_all(&read).await?;
    if stored.first().is_some_and(|(v,)| *v == wanted) {
        return Ok(false);
    }
    tx.execute(&Sql::new("DELETE FROM entity_keys")).await?;
    tx.execute(&Sql::new("DELETE FROM key_counts")).await?;
    for ks in schema::all() {
        for field in fields(ks.kind) {
            let expr = if field == "name" {
                format!(
                    "COALESCE({}, e.name)",
                    d.json_text("e.data", &[field.into()])
                )
            } else {
                d.json_text("e.data", &[field.into()])
            };
            // Text affinity turns a SQLite JSON number into its text, as `of` does.
            let mut s = Sql::new(
                "INSERT INTO entity_keys (entity_id, kind, field, value) SELECT e.id, e.kind, ",
            );
            s.bind(field);
            s.push(&format!(
                ", {expr} FROM entities e WHERE e.kind = '{}' AND e.active = TRUE AND {expr} IS NOT NULL AND {expr} <> '' \
                 ORDER BY 4 ON CONFLICT (entity_id, field, value) DO NOTHING",
                ks.kind.as_str()
            ));
            tx.execute(&s).await?;
        }
    }
    tx.execute(&Sql::new(
        "INSERT INTO key_counts (kind, field, value, n) \
         SELECT kind, field, value, COUNT(*) FROM entity_keys GROUP BY kind, field, value",
    ))
    .await?;
    let mut s = Sql::new("INSERT INTO meta (key, value) VALUES (");
    s.bind(META_KEY).push(", ").bind(wanted);
    s.push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    tx.execute(&s).await?;
    Ok(true)
}
