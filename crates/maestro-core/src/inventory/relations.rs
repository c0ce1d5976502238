//! An entity's relations as `GET /{collection}/{id}/relations` reads them: the first entries of
//! each relation with its total, or the pages of one side (and relation). Neither answers more
//! than a page, so a datacenter that thousands of discovered servers point at costs a count and
//! a page, not every row (`docs/benchmarks.md`, "Relations of a crowded entity").

use maestro_model::query::{MAX_LIMIT, PageRequest};
use maestro_model::schema::{self, Collection};
use maestro_model::{EntityId, FieldError};
use serde_json::{Map, Value, json};

use crate::caller::Caller;
use crate::ports::{RelationRow, RelationSide, RelationTotal};
use crate::views::{relation_item, relations_view};
use crate::{Core, CoreError, CoreResult};

/// What a relations request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RelationsQuery {
    /// The first `per_rel` entries of every relation on both sides and collection at the other
    /// end, with totals.
    Firsts { per_rel: u32 },
    /// A page of one side, of one relation or all of that side's.
    Page {
        side: RelationSide,
        rel: Option<String>,
        page: PageRequest,
    },
}

impl RelationsQuery {
    /// Reads `limit`, and `side`, `rel` and `page` for one side's pages, from URL pairs. Without
    /// `side` each relation answers its first `limit` entries of each collection at the other
    /// end (at most, and by default, 500).
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut side = None;
        let mut rel = None;
        for (k, v) in pairs {
            match k.as_str() {
                "side" => match RelationSide::parse(v) {
                    Some(s) => side = Some(s),
                    None => errors.push(FieldError::new("side", "must be outgoing or incoming")),
                },
                "rel" if known_rels().contains(&v.as_str()) => rel = Some(v.clone()),
                "rel" => errors.push(FieldError::new(
                    "rel",
                    format!("is not a relation; one of {}", known_rels().join(", ")),
                )),
                "page" | "limit" => {}
                other => errors.push(FieldError::new(
                    other,
                    "is not a parameter of relations (side, rel, page, limit)",
                )),
            }
        }
        let has_limit = pairs.iter().any(|(k, _)| k == "limit");
        let mut page = PageRequest::parse(pairs, &mut errors);
        if side.is_none() {
            if rel.is_some() {
                errors.push(FieldError::new("rel", "needs side (outgoing or incoming)"));
            }
            if pairs.iter().any(|(k, _)| k == "page") {
                errors.push(FieldError::new("page", "needs side (outgoing or incoming)"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(match side {
            Some(side) => Self::Page { side, rel, page },
            None => {
                if !has_limit {
                    page.limit = MAX_LIMIT;
                }
                Self::Firsts {
                    per_rel: page.limit,
                }
            }
        })
    }
}

/// Every relation name of the schema, sorted.
fn known_rels() -> Vec<&'static str> {
    let mut rels: Vec<&'static str> = schema::all()
        .flat_map(|k| k.ref_fields().into_iter().map(|(_, spec)| spec.rel))
        .collect();
    rels.sort_unstable();
    rels.dedup();
    rels
}

/// `{side: {rel: {collection: total}}}` for both sides, empty ones included: how many entries
/// each relation has, by the collection of the entity at the other end.
fn totals_json(totals: &[RelationTotal]) -> Value {
    let mut out = Map::new();
    for side in RelationSide::BOTH {
        let mut of_side = Map::new();
        for t in totals.iter().filter(|t| t.side == side) {
            let segment = Collection::of(t.kind, t.family.as_deref()).segment();
            let by_collection = of_side.entry(t.rel.clone()).or_insert_with(|| json!({}));
            let n = by_collection[segment].as_u64().unwrap_or(0) + t.total;
            by_collection[segment] = json!(n);
        }
        out.insert(side.as_str().into(), Value::Object(of_side));
    }
    Value::Object(out)
}

impl Core {
    /// `GET /{collection}/{id}/relations`: `{outgoing, incoming, totals}` with each relation's
    /// first entries, or with `side` the list envelope of that side's entries.
    pub async fn entity_relations(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        pairs: &[(String, String)],
    ) -> CoreResult<Value> {
        let query = RelationsQuery::parse(pairs).map_err(CoreError::Invalid)?;
        match query {
            RelationsQuery::Firsts { per_rel } => {
                let (rows, totals) = self.relation_firsts(caller, coll, id, per_rel).await?;
                let mut view = relations_view(id, &rows);
                view["totals"] = totals_json(&totals);
                Ok(view)
            }
            RelationsQuery::Page { side, rel, page } => {
                self.readable(caller, coll, id).await?;
                let (rows, total) = self
                    .store
                    .relation_page(&caller.access(), id, side, rel.as_deref(), page)
                    .await?;
                let items: Vec<Value> = rows.iter().map(relation_item).collect();
                Ok(json!({"items": items, "total": total, "page": page.page, "limit": page.limit}))
            }
        }
    }

    /// The first `per_rel` readable entries of each relation of an entity the caller may read,
    /// and each relation's readable total.
    pub async fn relation_firsts(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        per_rel: u32,
    ) -> CoreResult<(Vec<RelationRow>, Vec<RelationTotal>)> {
        self.readable(caller, coll, id).await?;
        Ok(self
            .store
            .relation_firsts(&caller.access(), id, per_rel.max(1))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn without_a_side_every_relation_answers_its_first_entries() {
        let q = RelationsQuery::parse(&[]).unwrap();
        assert_eq!(q, RelationsQuery::Firsts { per_rel: MAX_LIMIT });
        let q = RelationsQuery::parse(&pairs(&[("limit", "20")])).unwrap();
        assert_eq!(q, RelationsQuery::Firsts { per_rel: 20 });
    }

    #[test]
    fn a_side_pages_through_its_entries() {
        let q = RelationsQuery::parse(&pairs(&[
            ("side", "incoming"),
            ("rel", "located_in"),
            ("page", "3"),
            ("limit", "10"),
        ]))
        .unwrap();
        assert_eq!(
            q,
            RelationsQuery::Page {
                side: RelationSide::Incoming,
                rel: Some("located_in".into()),
                page: PageRequest { page: 3, limit: 10 },
            }
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let fields = |p: &[(&str, &str)]| -> Vec<String> {
            RelationsQuery::parse(&pairs(p))
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(&[("side", "up")]), ["side"]);
        assert_eq!(fields(&[("side", "incoming"), ("rel", "likes")]), ["rel"]);
        assert_eq!(fields(&[("rel", "located_in")]), ["rel"]);
        assert_eq!(fields(&[("page", "2")]), ["page"]);
        assert_eq!(fields(&[("limit", "0")]), ["limit"]);
        assert_eq!(fields(&[("sort", "name")]), ["sort"]);
    }
}
