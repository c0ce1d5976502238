//! Expression indexes derived from the schema registry: every field marked `indexed` gets a
//! partial index per kind, so filters and sorts on it stay fast at 100k+ entities. Created
//! (idempotently) after migrations, so adding `indexed` to a field is all a change needs.

use maestro_model::schema;

use crate::sql::Dialect;

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
