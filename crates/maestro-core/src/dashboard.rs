//! The dashboard's numbers: totals per collection, the newest servers and applications, and
//! duplicate hostnames and IPs that need attention — all scoped to what the caller may read.

use maestro_model::query::{Column, ListQuery, Sort, Target};
use maestro_model::schema::{Collection, Kind};
use serde_json::{Value, json};

use crate::{Caller, Core, CoreResult};

impl Core {
    /// Totals per collection, the 5 newest servers and applications, and duplicate groups.
    pub async fn dashboard(&self, caller: &Caller) -> CoreResult<Value> {
        let access = caller.access();
        let mut totals = serde_json::Map::new();
        let mut count_query = ListQuery::new();
        count_query.page.limit = 1;
        for coll in Collection::ALL {
            let (_, total) = self
                .store
                .list_entities(&access, coll.kind(), coll.family_scope(), &count_query)
                .await?;
            totals.insert(coll.segment().into(), json!(total));
        }
        let mut newest = ListQuery::new();
        newest.page.limit = 5;
        newest.sort = vec![Sort {
            target: Target::Column(Column::UpdatedAt),
            desc: true,
        }];
        let servers = self
            .query_entities(caller, Collection::Servers, &newest)
            .await?
            .items;
        let mut apps_query = newest.clone();
        apps_query.page.limit = 5;
        let (apps, _) = self
            .store
            .list_entities(
                &access,
                Kind::Application,
                maestro_model::schema::FamilyScope::None,
                &apps_query,
            )
            .await?;
        let apps: Vec<Value> = apps
            .iter()
            .map(|r| crate::views::entity_view(r, &[]))
            .collect();
        let mut duplicates = Vec::new();
        for field in ["hostname", "ipv4_private"] {
            for (value, count) in self
                .store
                .duplicate_values(&access, Kind::Server, field, 20)
                .await?
            {
                duplicates.push(
                    json!({"kind": "server", "field": field, "value": value, "count": count}),
                );
            }
        }
        Ok(json!({
            "totals": totals,
            "servers": servers,
            "applications": apps,
            "duplicates": duplicates,
        }))
    }
}
