//! The JSON shapes the services return: an entity with its references filled in (id, name, kind
//! of each related entity the caller may read), a history entry, and the relations of an entity.

use maestro_model::EntityId;
use maestro_model::schema::{Collection, Kind, KindSchema, RefSpec, Ty};
use serde_json::{Map, Value, json};

use crate::ports::{ChangeRecord, EntityRecord, EntitySummary, RelationRow, RelationSide};

/// Rows of `rows` that fill `spec` for `anchor`, visible peers only. A forward field keeps the
/// order it was written in (`position`); an inverse field (a server's `applications`) has no
/// order of its own and lists its peers by id, i.e. in creation order.
pub fn rows_for<'a>(
    rows: &'a [RelationRow],
    anchor: EntityId,
    spec: &RefSpec,
) -> Vec<&'a RelationRow> {
    let mut out: Vec<&RelationRow> = rows
        .iter()
        .filter(|r| {
            r.anchor == anchor
                && r.rel == spec.rel
                && r.peer.kind == spec.target
                && if spec.inverse {
                    r.dst == anchor
                } else {
                    r.src == anchor
                }
        })
        .collect();
    if spec.inverse {
        out.sort_by_key(|r| r.peer.id);
    } else {
        out.sort_by_key(|r| (r.position, r.peer.id));
    }
    out
}

fn summary_json(s: &EntitySummary) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert("name".into(), json!(s.name));
    m.insert("kind".into(), json!(s.kind.as_str()));
    m.insert(
        "collection".into(),
        json!(Collection::of(s.kind, s.family.as_deref()).segment()),
    );
    if let Some(f) = &s.family {
        m.insert("family".into(), json!(f));
    }
    m
}

/// The value of one reference field as clients read it.
fn ref_field_value(rows: &[&RelationRow], spec: &RefSpec) -> Value {
    let items: Vec<Value> = rows
        .iter()
        .filter(|r| r.peer_visible)
        .map(|r| {
            let mut m = summary_json(&r.peer);
            for (k, v) in &r.attrs {
                m.insert(k.clone(), v.clone());
            }
            Value::Object(m)
        })
        .collect();
    if spec.many {
        Value::Array(items)
    } else {
        items.into_iter().next().unwrap_or(Value::Null)
    }
}

/// An entity as the API returns it: the document in schema order, references filled in, and
/// the server-owned fields.
pub fn entity_view(rec: &EntityRecord, rows: &[RelationRow]) -> Value {
    let schema: &KindSchema = rec.kind.schema();
    let mut out = Map::new();
    out.insert("id".into(), json!(rec.id));
    out.insert("kind".into(), json!(rec.kind.as_str()));
    for field in schema.fields {
        match &field.ty {
            Ty::Ref(spec) => {
                if !field.allowed_for(rec.family.as_deref()) {
                    continue;
                }
                let value = ref_field_value(&rows_for(rows, rec.id, spec), spec);
                out.insert(field.name.into(), value);
            }
            Ty::Object { fields, .. } if fields.iter().any(|f| matches!(f.ty, Ty::Ref(_))) => {
                let mut obj = rec
                    .data
                    .get(field.name)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                for sub in fields.iter() {
                    if let Ty::Ref(spec) = sub.ty {
                        let matched = rows_for(rows, rec.id, spec);
                        if let Some(row) = matched.iter().find(|r| r.peer_visible) {
                            obj.insert(sub.name.into(), json!(row.peer.id));
                            obj.insert("name".into(), json!(row.peer.name));
                        }
                    }
                }
                if !obj.is_empty() {
                    out.insert(field.name.into(), Value::Object(obj));
                }
            }
            _ => {
                if let Some(v) = rec.data.get(field.name) {
                    out.insert(field.name.into(), v.clone());
                }
            }
        }
    }
    if rec.kind == Kind::Datacenter {
        // "Connected": a discovery connection points at this datacenter (see `view_rels`).
        let connected = rows.iter().any(|r| {
            r.anchor == rec.id && r.rel == "discovers" && r.dst == rec.id && r.peer.active
        });
        out.insert("connected".into(), json!(connected));
    }
    if let Some(found) = &rec.discovery {
        let (connection, provider_id) = found
            .key
            .split_once(':')
            .unwrap_or(("", found.key.as_str()));
        out.insert(
            "discovery".into(),
            json!({"connection": connection, "provider_id": provider_id, "last_seen_at": found.seen_at}),
        );
    }
    out.insert("active".into(), json!(rec.active));
    let mut owner = Map::new();
    owner.insert("kind".into(), json!(rec.owner.kind.as_str()));
    owner.insert("id".into(), json!(rec.owner.id));
    if let Some(name) = &rec.owner_name {
        owner.insert("name".into(), json!(name));
    }
    out.insert("owner".into(), Value::Object(owner));
    out.insert("created_at".into(), json!(rec.created_at));
    out.insert("updated_at".into(), json!(rec.updated_at));
    Value::Object(out)
}

/// A history entry: `{id, at, actor, source, op, changes}`.
pub fn change_view(c: &ChangeRecord) -> Value {
    let mut v = json!({
        "id": c.id,
        "at": c.at,
        "actor": {"id": c.actor_id, "name": c.actor_name},
        "source": c.source,
        "op": c.op,
        "changes": c.changes,
    });
    if let (Some(ctx), Value::Object(m)) = (&c.context, &mut v) {
        m.insert("context".into(), ctx.clone());
    }
    v
}

/// The relations an entity's document reads, on `side`: those of its reference fields (the
/// `inverse` ones seen from the other side); for a datacenter, the connections that discover
/// it (`connected`); for an application, the systems naming it an entry point, which an edit
/// taking it out of a system removes too (`refs::leaving_a_system_leaves_its_entry`). The
/// store reads no other relation to compose or edit a document.
pub fn view_rels(kind: Kind, side: RelationSide) -> Vec<&'static str> {
    let incoming = side == RelationSide::Incoming;
    let mut rels: Vec<&'static str> = kind
        .schema()
        .ref_fields()
        .into_iter()
        .filter(|(_, spec)| spec.inverse == incoming)
        .map(|(_, spec)| spec.rel)
        .collect();
    if kind == Kind::Datacenter && incoming {
        rels.push("discovers");
    }
    if kind == Kind::Application && incoming {
        rels.push("entry");
    }
    rels.sort_unstable();
    rels.dedup();
    rels
}

/// `{outgoing, incoming}` of an entity: each related entity the caller may read, with the
/// relation name and the field that holds it.
pub fn relations_view(anchor: EntityId, rows: &[RelationRow]) -> Value {
    let mut outgoing = Vec::new();
    let mut incoming = Vec::new();
    for r in rows.iter().filter(|r| r.anchor == anchor && r.peer_visible) {
        if r.src == anchor {
            outgoing.push(relation_item(r));
        } else {
            incoming.push(relation_item(r));
        }
    }
    json!({"outgoing": outgoing, "incoming": incoming})
}

/// One entry of an entity's relations: the entity at the other end, the relation and its
/// attributes.
pub fn relation_item(r: &RelationRow) -> Value {
    let mut m = summary_json(&r.peer);
    m.insert("rel".into(), json!(r.rel));
    if !r.attrs.is_empty() {
        m.insert("attrs".into(), Value::Object(r.attrs.clone()));
    }
    Value::Object(m)
}
