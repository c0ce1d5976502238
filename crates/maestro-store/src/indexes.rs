//! Expression indexes derived from the schema registry: every field marked `indexed` gets a
//! partial index per kind, so filters and sorts on it stay fast at 100k+ entities. Created
//! (idempotently) after migrations, so adding `indexed` to a field is all a change needs; on
//! SQLite an index whose stored definition differs from this version's is dropped and built
//! again (see `redefined`).
//!
//! Each facet — an indexed field that describes rather than identifies (environment, role,
//! status, OS, CPU, memory…) — is a generated column of `entities` (`facet_columns.rs`), and
//! its index is built on those columns. On SQLite the facet indexes are composite: the facet,
//! then `active`, the family, the creation time, every other facet of the kind, the owner and
//! the sort columns. A list filtered on facets is then counted, filtered and sorted inside one
//! index, without reading the (large) rows; identifiers (hostname, IPs, provider ids) are
//! selective enough alone, as expression indexes. On PostgreSQL a facet index is the facet and
//! `active`, carrying the other facets' columns (`INCLUDE`) for index-only scans.

use maestro_model::schema::{self, Kind, Ty};

use crate::sql::Dialect;

/// Most facets one composite index carries (the rest are checked on the row).
const MAX_FACETS: usize = 12;

/// Indexes of earlier versions, dropped when found.
const OBSOLETE: &[&str] = &["ix_filter_"];

/// The facets of a kind: indexed JSON paths that are neither free-text-searched identifiers nor
/// real columns, in schema order.
pub fn facets(kind: Kind) -> Vec<String> {
    kind.schema()
        .indexed_paths()
        .into_iter()
        .filter(|(p, f)| p != "name" && p != "family" && !f.search && is_facet_type(&f.ty))
        .map(|(p, _)| p)
        .take(MAX_FACETS)
        .collect()
}

fn is_facet_type(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Enum(_) | Ty::Bool | Ty::Int { .. } | Ty::Num { .. } | Ty::Str { .. }
    )
}

/// The name of the index on `path` of `kind`.
pub fn index_name(kind: Kind, path: &str) -> String {
    let prefix = if facets(kind).iter().any(|f| f == path) {
        "ix_facet"
    } else {
        "ix_json"
    };
    format!("{prefix}_{}_{}", kind.as_str(), path.replace('.', "_"))
}

/// A document path as the dialect reads it: a comparable value for numbers, text otherwise.
pub(crate) fn json_expr(d: Dialect, path: &str, numeric: bool) -> String {
    let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
    if numeric {
        d.json_value("data", &segments)
    } else {
        d.json_text("data", &segments)
    }
}

/// A facet as an index column: its generated column (`facet_columns.rs`), or `expr` on the
/// document for a path without one.
fn facet_column(d: Dialect, path: &str, expr: String) -> String {
    match (d, crate::facet_columns::of(path)) {
        (Dialect::Sqlite, Some(c)) => c.name(),
        _ => expr,
    }
}

/// `CREATE INDEX IF NOT EXISTS` statements for every indexed JSON path of every kind (and the
/// `DROP`s of indexes this version no longer makes).
pub fn statements(d: Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for ks in schema::all() {
        let facets = facets(ks.kind);
        let paths = ks.indexed_paths();
        for (path, field) in &paths {
            let path = path.clone();
            if path == "name" || path == "family" {
                continue; // real columns
            }
            let expr = json_expr(d, &path, field.ty.is_numeric());
            let facet = facets.contains(&path);
            let name = index_name(ks.kind, &path);
            let pg_facet = match d {
                Dialect::Postgres if facet => pg_facet_columns(ks.kind, &path, &facets),
                _ => None,
            };
            let (name, cols) = match (d, pg_facet) {
                (Dialect::Postgres, Some(cols)) => {
                    // The expression index of earlier versions.
                    out.push(format!("DROP INDEX IF EXISTS {name}"));
                    (pg_facet_index_name(ks.kind, &path), cols)
                }
                (Dialect::Postgres, None) => (name, format!("({expr})")),
                (Dialect::Sqlite, _) if facet => {
                    let mut cols = vec![facet_column(d, &path, expr), "active".to_owned()];
                    if ks.kind.has_family() {
                        cols.push("family".into());
                    }
                    // Creation time next: a new entity's entry goes to the end of its facet
                    // value's range, beside the last write's, instead of a random page of the
                    // index (each a 4 KB page written to the WAL). The other facets only
                    // filter inside the range, which they do from any position.
                    cols.push("created_at".into());
                    for other in facets.iter().filter(|f| **f != path) {
                        let numeric = paths.iter().any(|(p, f)| p == other && f.ty.is_numeric());
                        cols.push(facet_column(d, other, json_expr(d, other, numeric)));
                    }
                    cols.extend(["owner_id", "name", "updated_at"].map(String::from));
                    (name, cols.join(", "))
                }
                (Dialect::Sqlite, _) => (name, expr),
            };
            if facet {
                // The single-column index of earlier versions.
                out.push(format!(
                    "DROP INDEX IF EXISTS ix_json_{}_{}",
                    ks.name,
                    path.replace('.', "_")
                ));
            }
            out.push(format!(
                "CREATE INDEX IF NOT EXISTS {name} ON entities ({cols}) WHERE kind = '{}'",
                ks.name
            ));
        }
        for prefix in OBSOLETE {
            out.push(format!("DROP INDEX IF EXISTS {prefix}{}", ks.name));
        }
    }
    out
}

/// The indexes among `statements` that exist under their name with another definition, given
/// SQLite's `(name, sql)` of every index: they must be dropped before the statements run.
/// SQLite keeps each `CREATE INDEX` as written, minus its `IF NOT EXISTS`.
pub fn redefined(statements: &[String], existing: &[(String, String)]) -> Vec<String> {
    statements
        .iter()
        .filter_map(|stmt| {
            let rest = stmt.strip_prefix("CREATE INDEX IF NOT EXISTS ")?;
            let name = rest.split_once(' ')?.0;
            let (_, stored) = existing.iter().find(|(n, _)| n == name)?;
            (*stored != format!("CREATE INDEX {rest}")).then(|| name.to_owned())
        })
        .collect()
}

/// The name of PostgreSQL's index on the facet column of `path`.
fn pg_facet_index_name(kind: Kind, path: &str) -> String {
    format!("ix_fcol_{}_{}", kind.as_str(), path.replace('.', "_"))
}

/// PostgreSQL's facet index: the facet's column and `active`, carrying (`INCLUDE`) what a
/// faceted list reads besides — the kind's other facet columns, the access columns and the sort
/// columns — so it is counted and sorted by an index-only scan. `None` when the facet has no
/// column.
fn pg_facet_columns(kind: Kind, path: &str, facets: &[String]) -> Option<String> {
    let column = crate::facet_columns::of(path)?.name();
    let mut carried = vec!["kind".to_owned()];
    if kind.has_family() {
        carried.push("family".into());
    }
    carried.extend(
        facets
            .iter()
            .filter(|f| *f != path)
            .filter_map(|f| crate::facet_columns::of(f))
            .map(|c| c.name()),
    );
    carried.extend(["owner_id", "id", "name", "updated_at", "created_at"].map(String::from));
    Some(format!("{column}, active) INCLUDE ({}", carried.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_index_per_indexed_path() {
        let s = statements(Dialect::Postgres);
        let os = s
            .iter()
            .find(|x| x.contains("ix_fcol_server_os_base ON"))
            .unwrap();
        assert!(os.starts_with(
            "CREATE INDEX IF NOT EXISTS ix_fcol_server_os_base ON entities (f_os_base, active) INCLUDE (kind, "
        ));
        assert!(
            os.contains(", f_cpu, ") && os.contains("owner_id, id, name, updated_at, created_at)")
        );
        assert!(
            s.iter()
                .any(|x| x == "DROP INDEX IF EXISTS ix_facet_server_cpu")
        );
        assert!(s.iter().any(|x| {
            x.contains("ix_json_server_hostname ON entities (((data #>> '{hostname}')))")
        }));
    }

    #[test]
    fn sqlite_facet_indexes_carry_the_other_facets() {
        let facets = facets(Kind::Server);
        for f in ["environment", "role", "cpu", "os.base", "status"] {
            assert!(facets.iter().any(|x| x == f), "{f} in {facets:?}");
        }
        for id in ["hostname", "ipv4_private"] {
            assert!(!facets.iter().any(|x| x == id), "{id} is an identifier");
        }
        let s = statements(Dialect::Sqlite);
        let env = s
            .iter()
            .find(|x| x.contains("ix_facet_server_environment ON"))
            .unwrap();
        assert!(env.starts_with(
            "CREATE INDEX IF NOT EXISTS ix_facet_server_environment ON entities (f_environment, active, created_at, "
        ));
        assert!(env.contains(", f_cpu, ") && !env.contains("json_extract"));
        assert!(env.ends_with("owner_id, name, updated_at) WHERE kind = 'server'"));
        let host = s
            .iter()
            .find(|x| x.contains("ix_json_server_hostname ON"))
            .unwrap();
        assert!(host.contains("(json_extract(data, '$.hostname')) WHERE kind = 'server'"));
    }

    #[test]
    fn an_index_stored_with_another_definition_is_rebuilt() {
        let s = vec![
            "CREATE INDEX IF NOT EXISTS ix_a ON entities (x, y) WHERE kind = 'server'".to_owned(),
            "CREATE INDEX IF NOT EXISTS ix_b ON entities (z) WHERE kind = 'server'".to_owned(),
            "CREATE INDEX IF NOT EXISTS ix_c ON entities (w) WHERE kind = 'server'".to_owned(),
            "DROP INDEX IF EXISTS ix_d".to_owned(),
        ];
        let existing = vec![
            (
                "ix_a".to_owned(),
                "CREATE INDEX ix_a ON entities (x, y) WHERE kind = 'server'".to_owned(),
            ),
            (
                "ix_b".to_owned(),
                "CREATE INDEX ix_b ON entities (y, z) WHERE kind = 'server'".to_owned(),
            ),
        ];
        assert_eq!(redefined(&s, &existing), vec!["ix_b".to_owned()]);
    }
}
