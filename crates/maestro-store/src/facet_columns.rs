//! Every facet path (environment, role, CPU…; see `indexes::facets`) is also a generated column
//! `f_<path>` of `entities`, and the facet indexes are built on those columns.
//!
//! * PostgreSQL stores them, computed once per write: its facet indexes carry the kind's other
//!   facets, so a faceted list is counted by an index-only scan (PostgreSQL cannot answer a
//!   query from an expression index alone, and visiting 10k rows to check their visibility and
//!   second filter cost 20–60 ms at 100k servers).
//! * SQLite's are virtual (nothing stored in the row): an insert computes each once for all the
//!   indexes that hold it. A server's ten composite facet indexes each hold every facet, and as
//!   expressions each index extracted its own copies from the document — a hundred JSON lookups
//!   per inserted row instead of ten.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use maestro_model::schema;

use crate::indexes;
use crate::sql::Dialect;

/// A generated column for one facet path.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetColumn {
    /// Dotted path in the document.
    pub path: String,
    /// Compared as a JSON value (numbers) rather than as text.
    pub numeric: bool,
}

impl FacetColumn {
    /// The column name: `f_` and the path with dots as underscores.
    pub fn name(&self) -> String {
        format!("f_{}", self.path.replace('.', "_"))
    }

    /// `ADD COLUMN` clause: the same expression the filters use on the document. On
    /// PostgreSQL text compares byte by byte, like the other columns of `entities` (migration
    /// 0012); SQLite's column has no type, so it holds what `json_extract` gives (a number, a
    /// text) exactly as the expression did.
    pub fn add_clause(&self, d: Dialect) -> String {
        let expr = indexes::json_expr(d, &self.path, self.numeric);
        match d {
            Dialect::Postgres => {
                let ty = if self.numeric {
                    "jsonb"
                } else {
                    "text COLLATE \"C\""
                };
                format!(
                    "ADD COLUMN IF NOT EXISTS {} {ty} GENERATED ALWAYS AS ({expr}) STORED",
                    self.name()
                )
            }
            Dialect::Sqlite => format!(
                "ADD COLUMN {} GENERATED ALWAYS AS ({expr}) VIRTUAL",
                self.name()
            ),
        }
    }
}

/// Every facet path of every kind, once. A path that is numeric in one kind and text in
/// another gets no column (its filters read the document).
pub fn all() -> &'static [FacetColumn] {
    static ALL: OnceLock<Vec<FacetColumn>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut by_path: BTreeMap<String, Option<bool>> = BTreeMap::new();
        for ks in schema::all() {
            let paths = ks.indexed_paths();
            for facet in indexes::facets(ks.kind) {
                let numeric = paths.iter().any(|(p, f)| *p == facet && f.ty.is_numeric());
                by_path
                    .entry(facet)
                    .and_modify(|n| {
                        if *n != Some(numeric) {
                            *n = None;
                        }
                    })
                    .or_insert(Some(numeric));
            }
        }
        by_path
            .into_iter()
            .filter_map(|(path, numeric)| {
                Some(FacetColumn {
                    path,
                    numeric: numeric?,
                })
            })
            .collect()
    })
}

/// The column holding `path`, if it has one.
pub fn of(path: &str) -> Option<&'static FacetColumn> {
    all().iter().find(|c| c.path == path)
}

/// The `ALTER TABLE` statements adding the columns not in `existing` (column names): one on
/// PostgreSQL (which rewrites the table once for stored columns), one per column on SQLite
/// (which adds one column per statement, a virtual one without touching the rows).
pub fn add_missing(d: Dialect, existing: &[String]) -> Vec<String> {
    let clauses: Vec<String> = all()
        .iter()
        .filter(|c| !existing.contains(&c.name()))
        .map(|c| c.add_clause(d))
        .collect();
    match d {
        _ if clauses.is_empty() => Vec::new(),
        Dialect::Postgres => vec![format!("ALTER TABLE entities {}", clauses.join(", "))],
        Dialect::Sqlite => clauses
            .iter()
            .map(|c| format!("ALTER TABLE entities {c}"))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_become_typed_generated_columns() {
        let env = of("environment").unwrap();
        assert!(!env.numeric);
        assert_eq!(
            env.add_clause(Dialect::Postgres),
            "ADD COLUMN IF NOT EXISTS f_environment text COLLATE \"C\" GENERATED ALWAYS AS ((data #>> '{environment}')) STORED"
        );
        assert_eq!(
            env.add_clause(Dialect::Sqlite),
            "ADD COLUMN f_environment GENERATED ALWAYS AS (json_extract(data, '$.environment')) VIRTUAL"
        );
        let cpu = of("cpu").unwrap();
        assert!(cpu.numeric);
        assert!(
            cpu.add_clause(Dialect::Postgres)
                .contains("f_cpu jsonb GENERATED ALWAYS AS ((data #> '{cpu}'))")
        );
        assert_eq!(of("os.base").unwrap().name(), "f_os_base");
        assert!(of("hostname").is_none(), "identifiers are not facets");
    }

    #[test]
    fn only_missing_columns_are_added() {
        let names: Vec<String> = all().iter().map(FacetColumn::name).collect();
        for d in [Dialect::Postgres, Dialect::Sqlite] {
            assert!(add_missing(d, &names).is_empty());
            assert_eq!(
                add_missing(d, &names[1..]),
                vec![format!("ALTER TABLE entities {}", all()[0].add_clause(d))]
            );
        }
        let pg = add_missing(Dialect::Postgres, &names[2..]);
        assert_eq!(pg.len(), 1, "one rewrite: {pg:?}");
        assert_eq!(add_missing(Dialect::Sqlite, &names[2..]).len(), 2);
    }
}
