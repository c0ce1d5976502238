//! Relation reads: every row of some entities (which edits that remove them need), and the
//! reads that stay small however many relations an entity has: the rows its document shows,
//! each relation's first entries with its total, and one relation's pages. A
//! datacenter that discovery fills is the far end of tens of thousands of `located_in` rows: its
//! document reads none of them, its detail page and the relations API count them and return a
//! page.

use maestro_core::Access;
use maestro_core::ports::{RelationSide, RelationTotal, StoreError, StoreResult};
use maestro_core::views::view_rels;
use maestro_model::EntityId;
use maestro_model::query::PageRequest;
use maestro_model::schema::Kind;

use crate::entities::access_clause;
use crate::rows::parse_kind;
use crate::sql::Sql;

/// The columns of a relation row seen from `side`: the anchor, the row, the peer. Every row
/// these reads answer is one the caller may read (`visible`).
fn columns(side: RelationSide) -> &'static str {
    match side {
        RelationSide::Outgoing => {
            "r.src_id AS anchor, r.src_id, r.rel, r.dst_id, r.attrs, r.position, \
             p.id, p.kind, p.family, p.name, p.active"
        }
        RelationSide::Incoming => {
            "r.dst_id AS anchor, r.src_id, r.rel, r.dst_id, r.attrs, r.position, \
             p.id, p.kind, p.family, p.name, p.active"
        }
    }
}

/// `FROM relations r JOIN entities p … WHERE <anchor column>` (the caller binds the anchor next).
fn from(side: RelationSide) -> &'static str {
    match side {
        RelationSide::Outgoing => {
            " FROM relations r JOIN entities p ON p.id = r.dst_id WHERE r.src_id"
        }
        RelationSide::Incoming => {
            " FROM relations r JOIN entities p ON p.id = r.src_id WHERE r.dst_id"
        }
    }
}

/// The order of a relation's entries: a field's own order first on the side that holds it
/// (an application's `deps` as written), then the peer's name.
fn order(side: RelationSide) -> &'static str {
    match side {
        RelationSide::Outgoing => "r.position, p.name, p.id",
        RelationSide::Incoming => "p.name, p.id",
    }
}

/// Relation rows touching `ids`, once per anchor, with the peer and whether the caller reads
/// it (`visible`): every row (`Store::relations`).
pub fn all(access: &Access, ids: &[EntityId]) -> Sql {
    anchored(access, ids, None).unwrap_or_default()
}

/// The rows the documents of entities `ids` of `kind` show (`views::view_rels`): those of
/// [`all`] without the relations no document reads (the servers placed in a datacenter, for
/// the datacenter). `None` when the kind's documents show none.
pub fn of_fields(access: &Access, kind: Kind, ids: &[EntityId]) -> Option<Sql> {
    anchored(access, ids, Some(kind))
}

/// Both sides' rows anchored at `ids`; with `kind`, only the rels its documents read.
fn anchored(access: &Access, ids: &[EntityId], kind: Option<Kind>) -> Option<Sql> {
    let mut s = Sql::default();
    for side in RelationSide::BOTH {
        let rels = kind.map(|k| view_rels(k, side));
        if rels.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        if !s.text.is_empty() {
            s.push(" UNION ALL ");
        }
        s.push(&format!("SELECT {}, ", columns(side)));
        s.append(access_clause(access, "p"));
        s.push(" AS visible").push(from(side)).push(" IN (");
        s.bind_list(ids.iter().map(ToString::to_string));
        s.push(")");
        if let Some(rels) = rels {
            s.push(" AND r.rel IN (").bind_list(rels).push(")");
        }
    }
    (!s.text.is_empty()).then_some(s)
}

/// The readable totals of each relation on both sides of `id` and each collection (kind and
/// family) at the other end: grouped by a hash, not sorted, however many rows there are.
pub fn totals(access: &Access, id: EntityId) -> Sql {
    let mut s = Sql::default();
    for side in RelationSide::BOTH {
        if !s.text.is_empty() {
            s.push(" UNION ALL ");
        }
        s.push(&format!(
            "SELECT '{}' AS side, r.rel, p.kind, p.family, COUNT(*) AS total",
            side.as_str()
        ));
        s.append(one_side(access, id, side, None));
        s.push(" GROUP BY r.rel, p.kind, p.family");
    }
    s.push(" ORDER BY side DESC, rel, kind, family");
    s
}

/// A row of [`totals`].
#[derive(sqlx::FromRow)]
pub struct TotalRow {
    pub side: String,
    pub rel: String,
    pub kind: String,
    pub family: Option<String>,
    pub total: i64,
}

impl TryFrom<TotalRow> for RelationTotal {
    type Error = StoreError;
    fn try_from(r: TotalRow) -> StoreResult<Self> {
        Ok(RelationTotal {
            side: RelationSide::parse(&r.side).unwrap_or(RelationSide::Incoming),
            rel: r.rel,
            kind: parse_kind(&r.kind)?,
            family: r.family,
            total: r.total.max(0) as u64,
        })
    }
}

/// The first `per_group` readable entries of each group of `totals`, in [`order`]: one
/// top-N per group (a bounded heap, where sorting the 20,000 servers of a datacenter by name
/// took most of a window function's 100 ms), in one statement. `None` without groups.
pub fn firsts(
    access: &Access,
    id: EntityId,
    totals: &[RelationTotal],
    per_group: u32,
) -> Option<Sql> {
    let mut s = Sql::default();
    for (i, t) in totals.iter().enumerate() {
        if i > 0 {
            s.push(" UNION ALL ");
        }
        s.push(&format!(
            "SELECT * FROM (SELECT {}, TRUE AS visible",
            columns(t.side)
        ));
        s.append(one_side(access, id, t.side, Some(&t.rel)));
        s.push(" AND p.kind = ").bind(t.kind.as_str());
        match &t.family {
            Some(f) => s.push(" AND p.family = ").bind(f.as_str()),
            None => s.push(" AND p.family IS NULL"),
        };
        s.push(&format!(" ORDER BY {} LIMIT ", order(t.side)))
            .bind(i64::from(per_group));
        s.push(&format!(") g{i}"));
    }
    (!totals.is_empty()).then_some(s)
}

/// The `WHERE` of one side's readable rows of `id`, of relation `rel` if given.
fn one_side(access: &Access, id: EntityId, side: RelationSide, rel: Option<&str>) -> Sql {
    let mut s = Sql::new(from(side));
    s.push(" = ").bind(id.to_string());
    if let Some(rel) = rel {
        s.push(" AND r.rel = ").bind(rel);
    }
    s.push(" AND ").append(access_clause(access, "p"));
    s
}

/// A page of one side's readable rows of `id` (of `rel`), in [`order`].
pub fn page(
    access: &Access,
    id: EntityId,
    side: RelationSide,
    rel: Option<&str>,
    page: PageRequest,
) -> Sql {
    let mut s = Sql::new(&format!("SELECT {}, TRUE AS visible", columns(side)));
    s.append(one_side(access, id, side, rel));
    let order = match rel {
        Some(_) => order(side).to_owned(),
        None => format!("r.rel, {}", order(side)),
    };
    s.push(&format!(" ORDER BY {order} LIMIT "))
        .bind(i64::from(page.limit));
    s.push(" OFFSET ").bind(page.offset() as i64);
    s
}

/// How many readable rows [`page`] pages through.
pub fn count(access: &Access, id: EntityId, side: RelationSide, rel: Option<&str>) -> Sql {
    let mut s = Sql::new("SELECT COUNT(*)");
    s.append(one_side(access, id, side, rel));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_read_their_own_relations_only() {
        // A datacenter's document reads the connections discovering it, not what is in it.
        let dc_in = view_rels(Kind::Datacenter, RelationSide::Incoming);
        assert_eq!(dc_in, ["discovers"]);
        let server_out = view_rels(Kind::Server, RelationSide::Outgoing);
        assert!(server_out.contains(&"located_in"), "{server_out:?}");
        // An application's edits read the systems that name it an entry point.
        let app_in = view_rels(Kind::Application, RelationSide::Incoming);
        assert!(app_in.contains(&"entry"), "{app_in:?}");
        let access = Access::All;
        let id = EntityId::new();
        let s = of_fields(&access, Kind::Server, &[id]).unwrap();
        assert!(s.text.contains("r.rel IN ("), "{}", s.text);
        // Every row, on both sides, for the edits that remove them.
        let every = all(&access, &[id]);
        assert!(!every.text.contains("r.rel IN ("), "{}", every.text);
        assert_eq!(
            every.text.matches(" UNION ALL ").count(),
            1,
            "{}",
            every.text
        );
    }
}
