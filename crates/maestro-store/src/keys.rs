//! Identifier keys: the values of an active entity's `warn_duplicate` fields (hostname, private
//! IP, provider id, application name). Who holds a value is answered by the field's own index on
//! `entities` (its expression index, or the `name` column); `key_counts` holds how many active
//! entities hold each value, so the dashboard lists duplicates from a small partial index instead
//! of grouping every document. Each write adjusts the counts with one aggregated upsert: the keys
//! of what it creates, and for what it updates the keys after less the keys before, read in its
//! transaction. (Until migration 0013 each key was also a row of `entity_keys`: two more index
//! entries per value, a tenth of a first discovery sync on PostgreSQL.)

use std::collections::{BTreeMap, BTreeSet};

use maestro_core::ports::{EntityRecord, StoreResult};
use maestro_model::EntityId;
use maestro_model::schema::{self, Kind};
use serde_json::{Map, Value};
use sqlx::types::Json;

use crate::db::Tx;
use crate::sql::{Arg, Dialect, Sql};

/// Rows per multi-row `INSERT`.
const ROWS_PER_INSERT: usize = 200;

/// Updated entities whose keys one read returns (well under the bound-parameter limit).
const ENTITIES_PER_READ: usize = 100;

/// `meta` key holding the identifier fields `key_counts` was counted for.
const META_KEY: &str = "key_counts.fields";

/// The identifier fields of a kind.
fn fields(kind: Kind) -> impl Iterator<Item = &'static str> {
    kind.schema().identifier_fields().map(|f| f.name)
}

/// Whether `field` is an identifier field of `kind` (only those are counted, and only their
/// names reach SQL text).
pub(crate) fn is_identifier(kind: Kind, field: &str) -> bool {
    fields(kind).any(|f| f == field)
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

/// The identifier values of `r`: none while it is inactive.
fn of(r: &EntityRecord) -> Vec<(&'static str, String)> {
    if !r.active {
        return Vec::new();
    }
    values(r.kind, &r.name, &r.data)
}

/// The identifier values of an entity's document; empty values are not identifiers. A name is
/// the entity's `name` column, as `holder_expr` reads it.
fn values(kind: Kind, name: &str, data: &Map<String, Value>) -> Vec<(&'static str, String)> {
    fields(kind)
        .filter_map(|field| {
            let value = match field {
                "name" => name.to_owned(),
                _ => text(data.get(field)?)?,
            };
            (!value.is_empty()).then_some((field, value))
        })
        .collect()
}

/// A key as `key_counts` counts it: kind, field, value.
type CountKey = (String, String, String);

/// Net changes to `key_counts`, gathered over a write.
#[derive(Debug, Default)]
pub(crate) struct Delta(BTreeMap<CountKey, i64>);

impl Delta {
    fn add(&mut self, kind: Kind, field: &str, value: String, n: i64) {
        *self
            .0
            .entry((kind.as_str().to_owned(), field.to_owned(), value))
            .or_default() += n;
    }
}

/// Where an entity holds `field` in SQL (`alias` names `entities`): the `name` column, else the
/// expression of the field's index (`indexes.rs`), so a lookup is one probe of that index.
fn holder_expr(d: Dialect, field: &str, alias: &str) -> String {
    if field == "name" {
        format!("{alias}.name")
    } else {
        d.json_text(&format!("{alias}.data"), &[field.to_owned()])
    }
}

/// `entities e` for a lookup of `field`'s holders, naming the field's index on SQLite: without
/// statistics its planner took the access clause's owner index or a facet index and read every
/// entity of the kind (bulk creation checks each write's values: 12,600 → 5,300 servers/s).
pub(crate) fn holders_from(d: Dialect, kind: Kind, field: &str) -> String {
    match d {
        Dialect::Postgres => "entities e".to_owned(),
        Dialect::Sqlite if field == "name" => {
            "entities e INDEXED BY ix_entities_kind_name".to_owned()
        }
        Dialect::Sqlite => format!(
            "entities e INDEXED BY {}",
            crate::indexes::index_name(kind, field)
        ),
    }
}

/// ` FROM entities e … WHERE …`: the active entities of `kind` holding one of `values` (key
/// texts) in `field`, found by the field's own index. Callers add their columns before it and
/// the caller's access after it.
pub(crate) fn holders<'v>(
    d: Dialect,
    kind: Kind,
    field: &str,
    values: impl IntoIterator<Item = &'v str>,
) -> Sql {
    let mut s = Sql::new(&format!(
        " FROM {} WHERE e.kind = '{}' AND e.active = TRUE AND {} IN (",
        holders_from(d, kind, field),
        kind.as_str(),
        holder_expr(d, field, "e"),
    ));
    s.bind_list(values.into_iter().flat_map(|v| key_args(d, field, v)));
    s.push(") AND ").push(&holder_is_key(d, field, "e"));
    s
}

/// `holder_expr` as text, as `text` writes a value (SQLite extracts a JSON number as a number).
pub(crate) fn holder_text(d: Dialect, field: &str, alias: &str) -> String {
    match d {
        Dialect::Sqlite if field != "name" => {
            format!("CAST({} AS TEXT)", holder_expr(d, field, alias))
        }
        _ => holder_expr(d, field, alias),
    }
}

/// Whether the entity `alias` holds `field` as a key: a non-empty text or number, as `of` reads
/// it.
fn holder_is_key(d: Dialect, field: &str, alias: &str) -> String {
    if field == "name" {
        return format!("{alias}.name <> ''");
    }
    let typed = match d {
        Dialect::Sqlite => {
            format!("json_type({alias}.data, '$.{field}') IN ('text', 'integer', 'real')")
        }
        Dialect::Postgres => {
            format!("jsonb_typeof({alias}.data -> '{field}') IN ('string', 'number')")
        }
    };
    format!("{typed} AND {} <> ''", holder_text(d, field, alias))
}

/// The arguments a stored key text matches in `holder_expr`: the text, and on SQLite an integer
/// key's number too (a JSON number is extracted as one, and compares unequal to its text).
fn key_args(d: Dialect, field: &str, value: &str) -> Vec<Arg> {
    let mut args = vec![Arg::Text(value.to_owned())];
    if d == Dialect::Sqlite
        && field != "name"
        && let Ok(n) = value.parse::<i64>()
        && n.to_string() == value
    {
        args.push(Arg::Int(n));
    }
    args
}

/// `holder_expr` equal to the key text in column `column` (of `key_counts`), in a form the
/// field's index answers. On PostgreSQL the column's byte-order collation (`"C"`) would leave the
/// comparison without one, which no index can serve: the column is compared in the database's
/// (the expression index's). On SQLite the column's text affinity would convert the extracted
/// value before comparing, which no index on the raw value can serve: the column is compared
/// without it (`+`) and, for an integer key, as its number too.
pub(crate) fn holder_matches_column(d: Dialect, field: &str, alias: &str, column: &str) -> String {
    let expr = holder_expr(d, field, alias);
    match d {
        _ if field == "name" => format!("{expr} = {column}"),
        Dialect::Postgres => format!("{expr} = {column} COLLATE \"default\""),
        Dialect::Sqlite => format!(
            "{expr} IN (+{column}, CASE WHEN CAST(CAST({column} AS INTEGER) AS TEXT) = {column} \
             THEN CAST({column} AS INTEGER) END)"
        ),
    }
}

/// Adds to `delta` the keys of the entities a write creates.
pub(crate) fn created(delta: &mut Delta, records: &[&EntityRecord]) {
    for r in records {
        for (field, value) in of(r) {
            delta.add(r.kind, field, value, 1);
        }
    }
}

/// Subtracts from `delta` the keys the entities a write updates hold now, read before the update
/// in its transaction. The update then checks each entity's revision: once it succeeds, what was
/// read is what the revision the writer started from held. The documents are read whole, by one
/// statement per hundred entities: planning a read of `entities` (its 66 partial indexes) costs
/// more than the read.
pub(crate) async fn before_update(
    tx: &mut Tx,
    delta: &mut Delta,
    records: &[&EntityRecord],
) -> StoreResult<()> {
    let ids: BTreeSet<String> = records.iter().map(|r| r.id.to_string()).collect();
    let ids: Vec<String> = ids.into_iter().collect();
    let doc = tx.dialect().doc_out("e.data");
    for chunk in ids.chunks(ENTITIES_PER_READ) {
        let mut s = Sql::new(&format!(
            "SELECT e.kind, e.name, {doc} FROM entities e WHERE e.active = TRUE AND e.id IN ("
        ));
        s.bind_list(chunk.iter().map(String::as_str)).push(")");
        for (kind, name, Json(data)) in tx.fetch_all::<(String, String, Json<Value>)>(&s).await? {
            let kind = crate::rows::parse_kind(&kind)?;
            let data = crate::rows::object(data);
            for (field, value) in values(kind, &name, &data) {
                delta.add(kind, field, value, -1);
            }
        }
    }
    Ok(())
}

/// Adds to `delta` the keys of updated entities after the write: the last write of each.
pub(crate) fn after_update(delta: &mut Delta, records: &[&EntityRecord]) {
    let mut last: BTreeMap<EntityId, &EntityRecord> = BTreeMap::new();
    for r in records {
        last.insert(r.id, r);
    }
    created(delta, &last.into_values().collect::<Vec<_>>());
}

/// Applies net changes to `key_counts`: one upsert per chunk adds each key's delta (keys are in
/// sorted order, so concurrent writers lock counts in one order), then the keys nobody holds any
/// more are dropped.
pub(crate) async fn count(tx: &mut Tx, delta: Delta) -> StoreResult<()> {
    let changed: Vec<_> = delta.0.into_iter().filter(|(_, n)| *n != 0).collect();
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

/// Counts the keys again from the documents when the identifier fields differ from those
/// `key_counts` was counted for: on the first start after an upgrade that changed how keys are
/// kept, and whenever a field gains or loses `warn_duplicate`.
pub(crate) async fn rebuild_if_stale(tx: &mut Tx) -> StoreResult<bool> {
    let d = tx.dialect();
    let wanted: Vec<String> = schema::all()
        .flat_map(|ks| fields(ks.kind).map(move |f| format!("{}.{f}", ks.kind.as_str())))
        .collect();
    let wanted = wanted.join(",");
    let mut read = Sql::new("SELECT value FROM meta WHERE key = ");
    read.bind(META_KEY);
    if d == Dialect::Postgres {
        // Several processes may start at once: one counts, the others wait and see it done.
        tx.execute(&Sql::new("LOCK TABLE key_counts IN EXCLUSIVE MODE"))
            .await?;
    }
    let stored: Vec<(String,)> = tx.fetch_all(&read).await?;
    if stored.first().is_some_and(|(v,)| *v == wanted) {
        return Ok(false);
    }
    tx.execute(&Sql::new("DELETE FROM key_counts")).await?;
    for ks in schema::all() {
        for field in fields(ks.kind) {
            let text = holder_text(d, field, "e");
            let mut s = Sql::new("INSERT INTO key_counts (kind, field, value, n) SELECT e.kind, ");
            s.bind(field);
            s.push(&format!(
                ", {text}, COUNT(*) FROM entities e WHERE e.kind = '{}' AND e.active = TRUE AND {} \
                 GROUP BY e.kind, {text}",
                ks.kind.as_str(),
                holder_is_key(d, field, "e"),
            ));
            tx.execute(&s).await?;
        }
    }
    let mut s = Sql::new("INSERT INTO meta (key, value) VALUES (");
    s.bind(META_KEY).push(", ").bind(wanted);
    s.push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    tx.execute(&s).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_identifier_field_is_answered_by_an_index_of_its_own() {
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            let statements = crate::indexes::statements(d);
            for ks in schema::all() {
                for field in fields(ks.kind).filter(|f| *f != "name") {
                    let facets = crate::indexes::facets(ks.kind);
                    assert!(!facets.iter().any(|f| f == field), "{field} is a facet");
                    let name = crate::indexes::index_name(ks.kind, field);
                    let expr = d.json_text("data", &[field.to_owned()]);
                    let expected =
                        format!("{name} ON entities ({expr}) WHERE kind = '{}'", ks.name);
                    let wrapped =
                        format!("{name} ON entities (({expr})) WHERE kind = '{}'", ks.name);
                    assert!(
                        statements
                            .iter()
                            .any(|s| s.ends_with(&expected) || s.ends_with(&wrapped)),
                        "no index of {} {field} on {d:?}",
                        ks.name
                    );
                }
            }
        }
    }

    #[test]
    fn sqlite_matches_an_integer_key_as_its_number_too() {
        let texts = |d, v| {
            key_args(d, "unique_id", v)
                .into_iter()
                .map(|a| format!("{a:?}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(Dialect::Sqlite, "42"), ["Text(\"42\")", "Int(42)"]);
        assert_eq!(texts(Dialect::Sqlite, "042"), ["Text(\"042\")"]);
        assert_eq!(texts(Dialect::Postgres, "42"), ["Text(\"42\")"]);
        assert_eq!(key_args(Dialect::Sqlite, "name", "42").len(), 1);
    }
}
