//! The relations tab of a detail page: relations grouped by what they mean, each group cut to
//! its first [`SHOWN`] entries. A datacenter that discovery fills holds thousands of servers,
//! volumes and subnets; the rest of a group is one link per collection to its list, filtered
//! on the reference to this entity.

use maestro_model::Kind;
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::hints;

/// Entries a group shows before the links to the rest.
pub const SHOWN: usize = 50;

pub struct RelItem {
    pub href: String,
    pub name: String,
    pub what: String,
}

pub struct RelGroup {
    pub label: &'static str,
    pub items: Vec<RelItem>,
    /// Entries not shown.
    pub more: usize,
    /// Lists holding every entry of the group, per collection: (label, href).
    pub lists: Vec<(&'static str, String)>,
}

/// Groups `items` (one side of `GET /{collection}/{id}/relations`) of the entity `id` of
/// `kind`: what it points at (`outgoing`), or what points at it.
pub fn groups(items: &[Value], outgoing: bool, kind: Kind, id: &str) -> Vec<RelGroup> {
    let mut out: Vec<(RelGroup, Vec<Collection>, &str)> = Vec::new();
    for r in items {
        let rel = r["rel"].as_str().unwrap_or("");
        let (o, i) = hints::relation_label(rel);
        let label = if outgoing { o } else { i };
        let segment = r["collection"].as_str().unwrap_or("servers");
        let item = RelItem {
            href: format!("/{segment}/{}", r["id"].as_str().unwrap_or("")),
            name: r["name"].as_str().unwrap_or("?").to_owned(),
            what: r["family"]
                .as_str()
                .or(r["kind"].as_str())
                .unwrap_or("")
                .to_owned(),
        };
        let index = match out.iter().position(|(g, _, _)| g.label == label) {
            Some(i) => i,
            None => {
                let group = RelGroup {
                    label,
                    items: Vec::new(),
                    more: 0,
                    lists: Vec::new(),
                };
                out.push((group, Vec::new(), rel));
                out.len() - 1
            }
        };
        let (group, collections, _) = &mut out[index];
        if group.items.len() < SHOWN {
            group.items.push(item);
        } else {
            group.more += 1;
        }
        if let Some(c) = Collection::parse(segment).filter(|c| !collections.contains(c)) {
            collections.push(c);
        }
    }
    out.into_iter()
        .map(|(mut group, collections, rel)| {
            if group.more > 0 && !outgoing {
                group.lists = collections
                    .into_iter()
                    .filter_map(|c| Some((c.label(), list_href(c, rel, kind, id)?)))
                    .collect();
            }
            group
        })
        .collect()
}

/// The list of `from` filtered on its field that references the entity `id` of `kind` by
/// `rel` (`/servers?datacenters.id=…`), if it has one.
fn list_href(from: Collection, rel: &str, kind: Kind, id: &str) -> Option<String> {
    let (path, spec) = from
        .kind()
        .schema()
        .ref_fields()
        .into_iter()
        .find(|(_, s)| s.rel == rel && s.target == kind && !s.inverse)?;
    let path = if path.ends_with(".id") || !spec.many {
        path
    } else {
        format!("{path}.id")
    };
    Some(format!("/{}?{path}={id}", from.segment()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_large_group_shows_its_first_entries_and_links_the_lists() {
        let items: Vec<Value> = (0..SHOWN + 7)
            .map(|i| json!({"rel": "located_in", "collection": "servers", "id": format!("s{i}"), "name": format!("web-{i}"), "kind": "server"}))
            .chain([json!({"rel": "located_in", "collection": "volumes", "id": "v1", "name": "data", "kind": "volume"})])
            .collect();
        let hosts = groups(&items, false, Kind::Datacenter, "dc1");
        assert_eq!(hosts.len(), 1);
        let g = &hosts[0];
        assert_eq!((g.label, g.items.len(), g.more), ("Hosts", SHOWN, 8));
        assert_eq!(g.items[0].href, "/servers/s0");
        assert_eq!(g.lists[0].1, "/servers?datacenters.id=dc1");
        assert_eq!(g.lists.len(), 2, "{:?}", g.lists);
        let small = groups(&items[..3], false, Kind::Datacenter, "dc1");
        assert_eq!((small[0].more, small[0].lists.len()), (0, 0));
    }
}
