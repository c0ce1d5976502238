//! The dashboard's numbers: totals per collection, the newest servers and applications, and
//! duplicate hostnames and IPs that need attention — all scoped to what the caller may read.

use futures::future::try_join_all;
use maestro_model::query::{Column, ListQuery, Sort, Target};
use maestro_model::schema::{Collection, FamilyScope, Kind};
use serde_json::{Value, json};

use crate::{Caller, Core, CoreResult};

/// Identifier fields whose shared values the dashboard lists.
const DUPLICATE_FIELDS: [&str; 2] = ["hostname", "ipv4_private"];

impl Core {
    /// Totals per collection, the 5 newest servers and applications, and duplicate groups.
    /// The parts are independent reads, run side by side.
    pub async fn dashboard(&self, caller: &Caller) -> CoreResult<Value> {
        let access = caller.access();
        let count_query = ListQuery::new();
        let totals = try_join_all(Collection::ALL.into_iter().map(|coll| {
            let (access, q) = (&access, &count_query);
            async move {
                let total = self
                    .store
                    .count_matching(access, coll.kind(), coll.family_scope(), q)
                    .await?;
                CoreResult::Ok((coll.segment().to_owned(), json!(total)))
            }
        }));
        let mut newest = ListQuery::new();
        newest.page.limit = 5;
        newest.sort = vec![Sort {
            target: Target::Column(Column::UpdatedAt),
            desc: true,
        }];
        let servers = self.query_entities(caller, Collection::Servers, &newest);
        let apps = self
            .store
            .list_entities(&access, Kind::Application, FamilyScope::None, &newest);
        let duplicates = try_join_all(DUPLICATE_FIELDS.into_iter().map(|field| {
            let access = &access;
            async move {
                let groups = self
                    .store
                    .duplicate_values(access, Kind::Server, field, 20)
                    .await?;
                CoreResult::Ok(groups.into_iter().map(move |(value, count)| {
                    json!({"kind": "server", "field": field, "value": value, "count": count})
                }))
            }
        }));
        let (totals, servers, (apps, _), duplicates) =
            tokio::try_join!(totals, servers, async { Ok(apps.await?) }, duplicates)?;
        let apps: Vec<Value> = apps
            .iter()
            .map(|r| crate::views::entity_view(r, &[]))
            .collect();
        Ok(json!({
            "totals": serde_json::Map::from_iter(totals),
            "servers": servers.items,
            "applications": apps,
            "duplicates": duplicates.into_iter().flatten().collect::<Vec<_>>(),
        }))
    }
}
