//! PostgreSQL keeps every facet path (environment, role, CPU…; see `indexes::facets`) also as a
//! stored generated column `f_<path>` of `entities`, computed once per write. Its facet indexes
//! are built on those columns and carry the kind's other facets, so a faceted list is counted
//! by an index-only scan: PostgreSQL cannot answer a query from an expression index alone, and
//! visiting 10k rows to check their visibility and second filter cost 20–60 ms at 100k servers.

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

    /// `ADD COLUMN` clause: the same expression the filters use on the document. Text compares
    /// byte by byte, like the other columns of `entities` (migration 0012).
    pub fn add_clause(&self) -> String {
        let ty = if self.numeric {
            "jsonb"
        } else {
            "text COLLATE \"C\""
        };
        let expr = indexes::json_expr(Dialect::Postgres, &self.path, self.numeric);
        format!(
            "ADD COLUMN IF NOT EXISTS {} {ty} GENERATED ALWAYS AS ({expr}) STORED",
            self.name()
        )
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

/// The `ALTER TABLE` adding the columns not in `existing` (column names), if any.
pub fn add_missing(existing: &[String]) -> Option<String> {
    let clauses: Vec<String> = all()
        .iter()
        .filter(|c| !existing.contains(&c.name()))
        .map(FacetColumn::add_clause)
        .collect();
    (!clauses.is_empty()).then(|| format!("ALTER TABLE entities {}", clauses.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_become_typed_generated_columns() {
        let env = of("environment").unwrap();
        assert!(!env.numeric);
        assert_eq!(
            env.add_clause(),
            "ADD COLUMN IF NOT EXISTS f_environment text COLLATE \"C\" GENERATED ALWAYS AS ((data #>> '{environment}')) STORED"
        );
        let cpu = of("cpu").unwrap();
        assert!(cpu.numeric);
        assert!(
            cpu.add_clause()
                .contains("f_cpu jsonb GENERATED ALWAYS AS ((data #> '{cpu}'))")
        );
        assert_eq!(of("os.base").unwrap().name(), "f_os_base");
        assert!(of("hostname").is_none(), "identifiers are not facets");
    }

    #[test]
    fn only_missing_columns_are_added() {
        let names: Vec<String> = all().iter().map(FacetColumn::name).collect();
        assert_eq!(add_missing(&names), None);
        let sql = add_missing(&names[1..]).unwrap();
        assert_eq!(
            sql,
            format!("ALTER TABLE entities {}", all()[0].add_clause())
        );
    }
}
