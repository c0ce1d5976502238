//! How SQLite reads a filtered, sorted page of a list. SQLite's planner only chooses well with
//! fresh statistics, and a page sorted by a JSON field drags every matching row (several KB of
//! document each) through its sorter; here the store picks the index itself and reads a page in
//! two steps — the row ids of the page from an index, then those rows.
//!
//! * An equality on an identifier (hostname, IP…) narrows the most; then an equality on a
//!   facet (environment, role…), then a facet range (`cpu[gte]`). Facet indexes carry the other
//!   facets, the owner and the sort columns, so such lists are counted and sorted inside them.
//! * A large result sorted by one indexed field is read by walking that field's index in order
//!   and stopping after the page, instead of sorting every match.

use maestro_core::ports::{StoreError, StoreResult};
use maestro_model::query::{ActiveFilter, Column, ListQuery, Op, Sort, Target};
use maestro_model::schema::Kind;

use crate::db::Pools;
use crate::entities;
use crate::indexes;
use crate::rows::{self, ENTITY_JOINS, EntityRow};
use crate::sql::{Arg, Dialect, Sql};

/// A result at least this large is walked in sort order rather than sorted.
pub const WALK_MIN: u64 = 5_000;

/// The index that narrows `q` best, with whether it is a facet index.
pub fn filter_index(kind: Kind, q: &ListQuery) -> Option<(String, bool)> {
    let facets = indexes::facets(kind);
    let indexed = kind.schema().indexed_paths();
    let mut best: Option<(u8, String, bool)> = None;
    for f in &q.filters {
        let Target::Json {
            path, array: None, ..
        } = &f.target
        else {
            continue;
        };
        let path = path.join(".");
        if !indexed.iter().any(|(p, _)| *p == path) {
            continue;
        }
        let facet = facets.contains(&path);
        let score = match (f.op, facet) {
            (Op::Eq | Op::In, false) => 4,
            (Op::Eq | Op::In, true) => 3,
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, true) => 2,
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, false) => 1,
            _ => continue,
        };
        if best.as_ref().is_none_or(|(s, ..)| score > *s) {
            best = Some((score, indexes::index_name(kind, &path), facet));
        }
    }
    best.map(|(_, name, facet)| (name, facet))
}

/// The index to walk for a page of `total` results sorted by `sort`, if walking beats sorting.
pub fn walk_index(kind: Kind, q: &ListQuery, total: u64) -> Option<Walk> {
    let [key] = q.sort.as_slice() else {
        return None; // several keys: no single index has that order
    };
    let narrowed = filter_index(kind, q);
    // A facet index already holds the columns and facets it sorts by.
    let sorted_inside = |key: &Sort| match &key.target {
        Target::Column(c) => matches!(c, Column::Name | Column::CreatedAt | Column::UpdatedAt),
        Target::Json { path, .. } => indexes::facets(kind).contains(&path.join(".")),
        Target::Ref { .. } | Target::RefName { .. } | Target::DiscoveredBy => false,
    };
    if let Some((_, facet)) = &narrowed
        && (total < WALK_MIN || (*facet && sorted_inside(key)))
    {
        return None;
    }
    match &key.target {
        // Column indexes are (kind, active, column): in order only for one `active` value.
        Target::Column(_) if q.active == ActiveFilter::All => None,
        Target::Column(Column::Name) => Some(Walk::column("name", key.desc)),
        Target::Column(Column::UpdatedAt) => Some(Walk::column("updated", key.desc)),
        Target::Column(Column::CreatedAt) => Some(Walk::column("created", key.desc)),
        Target::Json {
            path, array: None, ..
        } => {
            let path = path.join(".");
            kind.schema()
                .indexed_paths()
                .iter()
                .any(|(p, _)| *p == path)
                .then(|| Walk {
                    index: indexes::index_name(kind, &path),
                    nullable: true,
                    desc: key.desc,
                })
        }
        _ => None,
    }
}

/// Reading a page by walking one index in sort order.
#[derive(Debug, Clone, PartialEq)]
pub struct Walk {
    pub index: String,
    /// JSON fields may be missing: ascending, those come after the others (NULLs last), which
    /// an index walk reads as a second range.
    pub nullable: bool,
    pub desc: bool,
}

impl Walk {
    fn column(col: &str, desc: bool) -> Self {
        Self {
            index: format!("ix_entities_kind_{col}"),
            nullable: false,
            desc,
        }
    }
}

/// A page of a SQLite list and the number of matches: counted in the index that narrows
/// best, the page's row ids read from that index (or by walking the sort order), then the rows.
pub(crate) async fn sqlite_list(
    pools: &Pools,
    kind: Kind,
    q: &ListQuery,
    filter: Sql,
) -> StoreResult<(Vec<EntityRow>, u64)> {
    let narrow = filter_index(kind, q).map(|(name, _)| name);
    let count = |index: Option<&str>, extra: &str| count_sql(&filter, index, extra);
    let total = sqlite_count(pools, kind, q, &filter).await?;
    let (limit, offset) = (u64::from(q.page.limit), q.page.offset());
    if total == 0 || offset >= total {
        return Ok((Vec::new(), total));
    }
    let order = entities::order_by(Dialect::Sqlite, &q.sort);
    let ids = match walk_index(kind, q, total) {
        Some(walk) if walk.nullable && !walk.desc => {
            // NULLs sort first in an ascending index: read the values, then the missing ones.
            let key = sort_expr(q);
            let present = format!(" AND {key} IS NOT NULL");
            let mut ids = page_ids(
                pools,
                Some(&walk.index),
                &filter,
                &format!("{present}{order}"),
                limit,
                offset,
            )
            .await?;
            if (ids.len() as u64) < limit {
                let skip = if ids.is_empty() {
                    let before = pools.fetch_i64(&count(None, &present)).await?.max(0) as u64;
                    offset.saturating_sub(before)
                } else {
                    0
                };
                let missing = format!(" AND {key} IS NULL ORDER BY e.rowid");
                let rest = limit - ids.len() as u64;
                ids.extend(
                    page_ids(pools, Some(&walk.index), &filter, &missing, rest, skip).await?,
                );
            }
            ids
        }
        Some(walk) => page_ids(pools, Some(&walk.index), &filter, &order, limit, offset).await?,
        None => page_ids(pools, narrow.as_deref(), &filter, &order, limit, offset).await?,
    };
    let cols = rows::entity_columns(Dialect::Sqlite);
    let mut s = Sql::new(&format!("SELECT {cols} FROM json_each("));
    s.bind(Arg::Text(serde_json::to_string(&ids).unwrap_or_default()));
    s.push(&format!(
        ") j CROSS JOIN entities e ON e.rowid = j.value{ENTITY_JOINS} ORDER BY j.key"
    ));
    Ok((pools.fetch_all(&s).await?, total))
}

/// How many entities match a list's filter, counted through the index that narrows it most.
pub(crate) async fn sqlite_count(
    pools: &Pools,
    kind: Kind,
    q: &ListQuery,
    filter: &Sql,
) -> StoreResult<u64> {
    let narrow = filter_index(kind, q).map(|(name, _)| name);
    let total = match pools
        .fetch_i64(&count_sql(filter, narrow.as_deref(), ""))
        .await
    {
        Err(e) if no_plan(&e) => pools.fetch_i64(&count_sql(filter, None, "")).await?,
        other => other?,
    };
    Ok(total.max(0) as u64)
}

fn count_sql(filter: &Sql, index: Option<&str>, extra: &str) -> Sql {
    let mut s = Sql::new("SELECT COUNT(*) FROM entities e");
    s.push(&indexed_by(index));
    s.append(filter.clone());
    s.push(extra);
    s
}

/// Row ids of one page, read through `index` when it can answer the query.
async fn page_ids(
    pools: &Pools,
    index: Option<&str>,
    filter: &Sql,
    tail: &str,
    limit: u64,
    offset: u64,
) -> StoreResult<Vec<i64>> {
    let query = |index: Option<&str>| {
        let mut s = Sql::new("SELECT e.rowid FROM entities e");
        s.push(&indexed_by(index));
        s.append(filter.clone());
        s.push(tail);
        s.push(" LIMIT ").bind(limit as i64);
        s.push(" OFFSET ").bind(offset as i64);
        s
    };
    let rows: Vec<(i64,)> = match pools.fetch_all(&query(index)).await {
        Err(e) if no_plan(&e) => pools.fetch_all(&query(None)).await?,
        other => other?,
    };
    Ok(rows.into_iter().map(|r| r.0).collect())
}

fn indexed_by(index: Option<&str>) -> String {
    index.map_or_else(String::new, |i| format!(" INDEXED BY {i}"))
}

/// SQLite refuses an `INDEXED BY` it cannot use for the query (an `OR` over several fields,
/// say); the query then runs as the planner likes.
fn no_plan(e: &StoreError) -> bool {
    e.to_string().contains("no query solution")
}

/// The expression of the (single) sort key.
fn sort_expr(q: &ListQuery) -> String {
    match q.sort.first().map(|k| &k.target) {
        Some(Target::Json { path, .. }) => entities::json_text(Dialect::Sqlite, path),
        _ => "NULL".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_model::query::ListQuery;

    fn query(q: &str) -> ListQuery {
        let pairs: Vec<(String, String)> = url_pairs(q);
        ListQuery::parse(Kind::Server.schema(), &pairs).expect("valid query")
    }

    fn url_pairs(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }

    #[test]
    fn identifiers_narrow_more_than_facets() {
        let q = query("environment=Production&cpu[gte]=4&hostname=web-1");
        assert_eq!(
            filter_index(Kind::Server, &q),
            Some(("ix_json_server_hostname".into(), false))
        );
        let q = query("cpu[gte]=4&environment=Production");
        assert_eq!(
            filter_index(Kind::Server, &q),
            Some(("ix_facet_server_environment".into(), true))
        );
        let q = query("cpu[gte]=4");
        assert_eq!(
            filter_index(Kind::Server, &q),
            Some(("ix_facet_server_cpu".into(), true))
        );
        assert_eq!(filter_index(Kind::Server, &query("q=web")), None);
    }

    #[test]
    fn walks_only_when_sorting_would_read_more() {
        // Sorted inside the facet index that filters.
        let q = query("environment=Production&sort=-cpu");
        assert_eq!(walk_index(Kind::Server, &q, 50_000), None);
        let q = query("environment=Production&sort=name");
        assert_eq!(walk_index(Kind::Server, &q, 50_000), None);
        // A hostname order is not in the facet index: walk it when there is much to sort.
        let q = query("environment=Production&sort=hostname");
        assert_eq!(walk_index(Kind::Server, &q, 100), None);
        let walk = walk_index(Kind::Server, &q, 50_000).unwrap();
        assert_eq!(walk.index, "ix_json_server_hostname");
        assert!(walk.nullable && !walk.desc);
        // Nothing narrows: walk the sort order.
        let walk = walk_index(Kind::Server, &query("sort=-updated_at"), 10).unwrap();
        assert_eq!(walk.index, "ix_entities_kind_updated");
        assert!(!walk.nullable && walk.desc);
        assert_eq!(
            walk_index(Kind::Server, &query("sort=cpu,name"), 50_000),
            None
        );
    }
}
