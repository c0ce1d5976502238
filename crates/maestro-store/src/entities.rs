//! Inventory reads: one entity, summaries, relation rows and filtered, sorted, counted lists.
//! Every statement carries the caller's access clause; JSON paths go through the dialect.

use maestro_core::Access;
use maestro_model::query::{ActiveFilter, Column, Filter, ListQuery, Op, Scalar, Sort, Target};
use maestro_model::schema::{FamilyScope, Kind};
use maestro_model::{EntityId, Role};

use crate::facet_columns::FacetColumn;
use crate::sql::{Arg, Dialect, Sql, like_pattern};

/// Kinds every account may read (the services catalog), as a SQL list.
fn global_kinds() -> String {
    let kinds: Vec<String> = Kind::ALL
        .iter()
        .filter(|k| k.schema().global)
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    if kinds.is_empty() {
        "''".into()
    } else {
        kinds.join(", ")
    }
}

/// `(alias.kind IN (global) OR EXISTS (acl row for one of the caller's principals))`, or TRUE.
pub fn access_clause(access: &Access, alias: &str) -> Sql {
    match access.principals_for(Role::Read) {
        None => Sql::new("TRUE"),
        Some(ids) => {
            // The owner column answers most rows without touching the ACL table.
            let ids: Vec<String> = ids.iter().map(|u| u.to_string()).collect();
            let mut s = Sql::new(&format!(
                "({alias}.kind IN ({}) OR {alias}.owner_id IN (",
                global_kinds()
            ));
            s.bind_list(ids.clone());
            s.push(&format!(") OR EXISTS (SELECT 1 FROM acl a WHERE a.entity_id = {alias}.id AND a.principal_id IN ("));
            s.bind_list(ids);
            s.push(")))");
            s
        }
    }
}

fn id_strings(ids: &[EntityId]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

pub fn summaries(access: &Access, ids: &[EntityId]) -> Sql {
    let mut s =
        Sql::new("SELECT e.id, e.kind, e.family, e.name, e.active FROM entities e WHERE e.id IN (");
    s.bind_list(id_strings(ids));
    s.push(") AND ");
    s.append(access_clause(access, "e"));
    s
}

/// Where-clause of a list: kind, family scope, active flag, access, filters and search terms.
pub fn list_where(
    d: Dialect,
    access: &Access,
    kind: Kind,
    scope: FamilyScope,
    q: &ListQuery,
) -> Sql {
    // The kind is inlined (it comes from an enum) so partial expression indexes apply.
    let mut s = Sql::new(&format!(" WHERE e.kind = '{}'", kind.as_str()));
    match scope {
        FamilyScope::None => {}
        FamilyScope::One(f) => {
            s.push(" AND e.family = ").bind(f);
        }
        FamilyScope::Resources => {
            s.push(" AND e.family IN (")
                .bind_list(scope.families().iter().copied())
                .push(")");
        }
    }
    match q.active {
        ActiveFilter::Active => s.push(" AND e.active = TRUE"),
        ActiveFilter::Inactive => s.push(" AND e.active = FALSE"),
        ActiveFilter::All => &mut s,
    };
    if !matches!(access, Access::All) && !kind.schema().global {
        s.push(" AND ");
        s.append(access_clause(access, "e"));
    }
    for f in &q.filters {
        s.push(" AND ");
        s.append(filter(d, access, f));
    }
    for term in &q.terms {
        s.push(" AND e.search LIKE ")
            .bind(like_pattern(term))
            .push(" ESCAPE '\\'");
    }
    s
}

fn column(c: Column) -> &'static str {
    match c {
        Column::Id => "e.id",
        Column::Name => "e.name",
        Column::Family => "e.family",
        Column::CreatedAt => "e.created_at",
        Column::UpdatedAt => "e.updated_at",
        Column::Owner => "e.owner_id",
    }
}

/// A document path as text, from a facet's generated column where there is one.
pub(crate) fn json_text(d: Dialect, path: &[String]) -> String {
    match facet_column(path) {
        Some(c) if holds(d, c, false) => format!("e.{}", c.name()),
        _ => d.json_text("e.data", path),
    }
}

/// A document path as a comparable value, from a facet's generated column where there is one.
fn json_value(d: Dialect, path: &[String]) -> String {
    match facet_column(path) {
        Some(c) if holds(d, c, true) => format!("e.{}", c.name()),
        _ => d.json_value("e.data", path),
    }
}

fn facet_column(path: &[String]) -> Option<&'static FacetColumn> {
    crate::facet_columns::of(&path.join("."))
}

/// Whether a facet's column holds the path as a comparable value (`numeric`) or as text:
/// SQLite's extracts one value that is both; PostgreSQL's is `jsonb` or `text`, by the
/// facet's type.
fn holds(d: Dialect, c: &FacetColumn, numeric: bool) -> bool {
    d == Dialect::Sqlite || c.numeric == numeric
}

/// The SQL argument for a typed value compared with a JSON value (`json_value`).
fn json_arg(d: Dialect, v: &Scalar) -> Arg {
    match (d, v) {
        (Dialect::Sqlite, Scalar::Num(n)) => Arg::Float(*n),
        (Dialect::Sqlite, Scalar::Bool(b)) => Arg::Bool(*b),
        (Dialect::Postgres, Scalar::Num(n)) => Arg::json(n),
        (Dialect::Postgres, Scalar::Bool(b)) => Arg::json(b),
        (_, other) => text_arg(other),
    }
}

fn text_arg(v: &Scalar) -> Arg {
    match v {
        Scalar::Str(s) => Arg::Text(s.clone()),
        Scalar::Num(n) => Arg::Text(n.to_string()),
        Scalar::Bool(b) => Arg::Text(b.to_string()),
        Scalar::Time(t) => Arg::Int(*t),
        Scalar::Id(id) => Arg::Text(id.to_string()),
    }
}

/// Numbers and booleans compare as JSON values; text compares as text.
fn is_typed(v: &Scalar) -> bool {
    matches!(v, Scalar::Num(_) | Scalar::Bool(_))
}

/// `expr = v` or `expr IN (v, …)`, each value against the expression of its type. A mix (a
/// provider id may be text or a number) becomes `(value IN (…) OR text IN (…))`.
fn any_of(d: Dialect, expr_text: &str, expr_value: &str, values: &[Scalar]) -> Sql {
    let (typed, text): (Vec<&Scalar>, Vec<&Scalar>) = values.iter().partition(|v| is_typed(v));
    let mut parts = Vec::new();
    for (expr, group, is_json) in [(expr_value, typed, true), (expr_text, text, false)] {
        let mut s = Sql::default();
        match group.as_slice() {
            [] => continue,
            [one] => {
                s.push(&format!("{expr} = "));
                s.bind(if is_json {
                    json_arg(d, one)
                } else {
                    text_arg(one)
                });
            }
            many => {
                s.push(&format!("{expr} IN ("));
                s.bind_list(
                    many.iter()
                        .map(|v| if is_json { json_arg(d, v) } else { text_arg(v) }),
                );
                s.push(")");
            }
        }
        parts.push(s);
    }
    let mut out = Sql::new("(");
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(" OR ");
        }
        out.append(p);
    }
    out.push(")");
    out
}

/// `expr <op> value(s)`. `ne` also matches entities without the field: they do not have that
/// value.
fn compare(d: Dialect, expr_text: &str, expr_value: &str, f: &Filter) -> Sql {
    let mut s = Sql::default();
    let first = &f.values[0];
    let typed = is_typed(first);
    let expr = if typed { expr_value } else { expr_text };
    let arg = |v: &Scalar| if typed { json_arg(d, v) } else { text_arg(v) };
    match f.op {
        Op::Exists => {
            let want = matches!(first, Scalar::Bool(true));
            s.push(&format!(
                "{expr_value} IS {}NULL",
                if want { "NOT " } else { "" }
            ));
        }
        Op::Contains => {
            let Scalar::Str(term) = first else {
                return Sql::new("FALSE");
            };
            s.push_contains(d, expr_text, term);
        }
        Op::Eq | Op::In => return any_of(d, expr_text, expr_value, &f.values),
        Op::Ne => {
            s.push(&format!("({expr} IS NULL OR {expr} <> "))
                .bind(arg(first))
                .push(")");
        }
        op => {
            let sym = match op {
                Op::Gt => ">",
                Op::Gte => ">=",
                Op::Lt => "<",
                _ => "<=",
            };
            s.push(&format!("{expr} {sym} ")).bind(arg(first));
        }
    }
    s
}

/// A filter on a time column (microseconds since the epoch; never NULL).
fn time_filter(col: &str, f: &Filter) -> Sql {
    let times: Vec<i64> = f
        .values
        .iter()
        .filter_map(|v| match v {
            Scalar::Time(t) => Some(*t),
            _ => None,
        })
        .collect();
    let mut s = Sql::default();
    match (f.op, times.first()) {
        (Op::Exists, _) => {
            s.push(if matches!(f.values.first(), Some(Scalar::Bool(true))) {
                "TRUE"
            } else {
                "FALSE"
            });
        }
        (_, None) => {
            s.push("FALSE");
        }
        (Op::In | Op::Eq, _) => {
            s.push(&format!("{col} IN (")).bind_list(times).push(")");
        }
        (op, Some(t)) => {
            let sym = match op {
                Op::Gt => ">",
                Op::Gte => ">=",
                Op::Lt => "<",
                Op::Lte => "<=",
                _ => "<>",
            };
            s.push(&format!("{col} {sym} ")).bind(*t);
        }
    }
    s
}

fn filter(d: Dialect, access: &Access, f: &Filter) -> Sql {
    match &f.target {
        Target::Column(c) => {
            let col = column(*c);
            // Columns are plain SQL values: compare as text, times as integers.
            if c.is_time() {
                return time_filter(col, f);
            }
            if f.op == Op::Exists {
                return Sql::new(if matches!(f.values[0], Scalar::Bool(true)) {
                    "TRUE"
                } else {
                    "FALSE"
                });
            }
            let mut f2 = f.clone();
            f2.values = f
                .values
                .iter()
                .map(|v| {
                    Scalar::Str(match v {
                        Scalar::Str(s) => s.clone(),
                        Scalar::Id(id) => id.to_string(),
                        other => format!("{other:?}"),
                    })
                })
                .collect();
            compare(d, col, col, &f2)
        }
        Target::Json {
            path, array: None, ..
        } => {
            let (t, v) = (json_text(d, path), json_value(d, path));
            let mut s = Sql::new("(");
            s.append(compare(d, &t, &v, f));
            s.push(")");
            s
        }
        Target::Json {
            path,
            array: Some(inner),
            ..
        } => {
            let (from, item) = d.json_each("e.data", path);
            let (t, v) = if inner.is_empty() {
                match d {
                    Dialect::Sqlite => (item.to_owned(), item.to_owned()),
                    Dialect::Postgres => (format!("({item} #>> '{{}}')"), item.to_owned()),
                }
            } else {
                (d.json_text(item, inner), d.json_value(item, inner))
            };
            let negate = f.op == Op::Ne;
            let mut f2 = f.clone();
            if negate {
                f2.op = Op::Eq;
            }
            if f.op == Op::Exists {
                let want = matches!(f.values[0], Scalar::Bool(true));
                let mut s = Sql::new(if want {
                    "EXISTS (SELECT 1 FROM "
                } else {
                    "NOT EXISTS (SELECT 1 FROM "
                });
                s.push(&from).push(&format!(" WHERE {v} IS NOT NULL)"));
                return s;
            }
            let mut s = Sql::new(if negate {
                "NOT EXISTS (SELECT 1 FROM "
            } else {
                "EXISTS (SELECT 1 FROM "
            });
            s.push(&from).push(" WHERE ");
            s.append(compare(d, &t, &v, &f2));
            s.push(")");
            s
        }
        Target::DiscoveredBy => {
            // One range of the unique discovery-key index per connection. Entities nobody
            // discovered have no key: `ne` keeps them.
            let mut s = Sql::new(if f.op == Op::Ne {
                "NOT COALESCE(("
            } else {
                "(("
            });
            for (i, v) in f.values.iter().enumerate() {
                if i > 0 {
                    s.push(" OR ");
                }
                let id = match v {
                    Scalar::Id(id) => id.to_string(),
                    Scalar::Str(s) => s.clone(),
                    other => format!("{other:?}"),
                };
                let (from, to) = crate::discovery::connection_range(&id);
                s.push("(e.discovery_key > ")
                    .bind(from)
                    .push(" AND e.discovery_key < ")
                    .bind(to)
                    .push(")");
            }
            s.push(if f.op == Op::Ne { "), FALSE)" } else { "))" });
            s
        }
        Target::RefName { rel, inverse } => {
            // `ne` and a missing name both mean: related to no readable entity so named.
            let (mut s, _) = related(access, rel, *inverse, f);
            if f.op != Op::Exists {
                let mut positive = f.clone();
                if f.op == Op::Ne {
                    positive.op = Op::Eq;
                }
                s.push(" AND ")
                    .append(compare(d, "p.name", "p.name", &positive));
            }
            s.push(")");
            s
        }
        Target::Ref { rel, inverse } => {
            let (mut s, other) = related(access, rel, *inverse, f);
            if f.op != Op::Exists {
                s.push(&format!(" AND r.{other} IN ("));
                s.bind_list(f.values.iter().map(text_arg));
                s.push(")");
            }
            s.push(")");
            s
        }
    }
}

/// The open `[NOT] EXISTS (SELECT 1 FROM relations r JOIN entities p …` of a filter on what an
/// entity is related to through `rel` (`ne` and `exists=false` negate it), and the column of
/// the other end. Only related entities the caller may read count, as in the entity's own view.
fn related(access: &Access, rel: &'static str, inverse: bool, f: &Filter) -> (Sql, &'static str) {
    let (me, other) = if inverse {
        ("dst_id", "src_id")
    } else {
        ("src_id", "dst_id")
    };
    let negate =
        f.op == Op::Ne || (f.op == Op::Exists && matches!(f.values[0], Scalar::Bool(false)));
    let mut s = Sql::new(if negate { "NOT EXISTS" } else { "EXISTS" });
    s.push(&format!(
        " (SELECT 1 FROM relations r JOIN entities p ON p.id = r.{other} WHERE r.{me} = e.id AND "
    ));
    s.append(access_clause(access, "p"));
    s.push(" AND r.rel = ").bind(rel);
    (s, other)
}

/// `ORDER BY` for the sort keys (NULLs last either way), with the id as tiebreaker.
pub fn order_by(d: Dialect, sort: &[Sort]) -> String {
    let mut parts = Vec::new();
    for key in sort {
        let expr = match &key.target {
            Target::Column(c) => column(*c).to_owned(),
            Target::Json {
                path,
                numeric: true,
                ..
            } => json_value(d, path),
            Target::Json { path, .. } => json_text(d, path),
            Target::Ref { .. } | Target::RefName { .. } | Target::DiscoveredBy => continue,
        };
        // Missing values last either way. SQLite puts NULLs first ascending and last
        // descending, and only walks an index in an order it would produce itself.
        let nulls = match (d, &key.target, key.desc) {
            (_, Target::Column(_), _) | (Dialect::Sqlite, _, true) => "",
            _ => " NULLS LAST",
        };
        let dir = if key.desc { "DESC" } else { "ASC" };
        parts.push(format!("{expr} {dir}{nulls}"));
    }
    let last_desc = sort.last().is_some_and(|s| s.desc);
    // The tiebreak keeps pages stable; SQLite's rowid is in every index, so it costs nothing.
    let tiebreak = match d {
        Dialect::Sqlite => "e.rowid",
        Dialect::Postgres => "e.id",
    };
    parts.push(format!(
        "{tiebreak} {}",
        if last_desc { "DESC" } else { "ASC" }
    ));
    format!(" ORDER BY {}", parts.join(", "))
}
