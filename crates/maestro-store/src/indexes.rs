//! Expression indexes derived from the schema registry: every field marked `indexed` gets a
//! partial index per kind, so filters and sorts on it stay fast at 100k+ entities. Created
//! (idempotently) after migrations, so adding `indexed` to a field is all a change needs.

use maestro_model::schema::{self, Kind, Ty};

use crate::sql::Dialect;

/// Name of a kind's wide filter index (SQLite).
pub fn filter_index(kind: Kind) -> String {
    format!("ix_filter_{}", kind.as_str())
}

/// The JSON paths a kind's wide filter index covers, low-cardinality fields first (so the
/// common equality filters are index ranges, the rest index-only checks).
pub fn filter_paths(kind: Kind) -> Vec<String> {
    let rank = |ty: &Ty| match ty {
        Ty::Enum(_) => 0,
        Ty::Str { max, .. } if *max <= 60 => 1,
        Ty::Int { .. } | Ty::Num { .. } => 2,
        _ => 3,
    };
    let mut paths: Vec<(u8, String)> = kind
        .schema()
        .indexed_paths()
        .into_iter()
        .filter(|(p, _)| p != "name" && p != "family")
        .map(|(p, f)| (rank(&f.ty), p))
        .collect();
    paths.sort_by_key(|(r, _)| *r);
    paths.into_iter().map(|(_, p)| p).collect()
}

/// SQLite: one covering index per kind over every indexed field plus the owner and id, for
/// active entities. Counting a filtered list then never reads the (large) rows; only `COUNT`
/// uses it explicitly, when every filter is on a covered field.
fn filter_index_statement(kind: Kind) -> Option<String> {
    let paths = filter_paths(kind);
    if paths.is_empty() {
        return None;
    }
    let mut cols: Vec<String> = paths
        .iter()
        .map(|p| {
            Dialect::Sqlite.json_text("data", &p.split('.').map(str::to_owned).collect::<Vec<_>>())
        })
        .collect();
    if kind.has_family() {
        cols.push("family".into());
    }
    cols.extend(["name".into(), "owner_id".into(), "id".into()]);
    Some(format!(
        "CREATE INDEX IF NOT EXISTS {} ON entities ({}) WHERE kind = '{}' AND active = TRUE",
        filter_index(kind),
        cols.join(", "),
        kind.as_str()
    ))
}

/// `CREATE INDEX IF NOT EXISTS` statements for every indexed JSON path of every kind.
pub fn statements(d: Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for ks in schema::all() {
        for (path, field) in ks.indexed_paths() {
            if path == "name" || path == "family" {
                continue; // real columns
            }
            let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
            let expr = if field.ty.is_numeric() {
                d.json_value("data", &segments)
            } else {
                d.json_text("data", &segments)
            };
            let expr = match d {
                Dialect::Sqlite => expr,
                Dialect::Postgres => format!("({expr})"),
            };
            let name = format!("ix_json_{}_{}", ks.name, path.replace('.', "_"));
            out.push(format!(
                "CREATE INDEX IF NOT EXISTS {name} ON entities ({expr}) WHERE kind = '{}'",
                ks.name
            ));
        }
        if d == Dialect::Sqlite
            && let Some(stmt) = filter_index_statement(ks.kind)
        {
            out.push(stmt);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_index_per_indexed_path() {
        let s = statements(Dialect::Postgres);
        assert!(
            s.iter()
                .any(|x| x.contains("ix_json_server_os_base")
                    && x.contains("(data #>> '{os,base}')"))
        );
        assert!(
            s.iter()
                .any(|x| x.contains("ix_json_server_cpu") && x.contains("(data #> '{cpu}')"))
        );
        let s = statements(Dialect::Sqlite);
        assert!(
            s.iter()
                .any(|x| x.contains("json_extract(data, '$.environment')")
                    && x.contains("kind = 'server'"))
        );
    }
}
