//! The history timelines of teams and accounts (membership, roles, profile, promotions), shown
//! like an entity's: who, when, from where, each field's old → new value.

use std::collections::HashMap;

use maestro_core::Page;
use serde_json::Value;

use crate::routes::entity::{Entry, entry};

/// The entries of a history page; `members.<id>` paths read as `member <name>` when known.
pub fn timeline(page: &Page<Value>, names: &HashMap<String, String>) -> Vec<Entry> {
    page.items
        .iter()
        .map(|v| {
            let mut e = entry(v);
            for c in &mut e.changes {
                if let Some(id) = c.path.strip_prefix("members.") {
                    let who = names.get(id).map_or(id, String::as_str);
                    c.path = format!("member {who}");
                }
            }
            e
        })
        .collect()
}

/// The query of one history page (50 entries, newest first).
pub fn page_query(page: u32) -> Vec<(String, String)> {
    vec![
        ("limit".into(), "50".into()),
        ("page".into(), page.max(1).to_string()),
    ]
}
