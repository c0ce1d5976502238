//! Reference widgets: the chosen entities (with their attributes, e.g. a dependency's
//! endpoint) and the search that adds more.

use maestro_model::schema::RefSpec;
use serde_json::Value;

use super::{Builder, TEMPLATE_INDEX, search_segment};
use crate::forms::{RefItem, Refs};
use crate::hints;
use crate::view;

impl Builder<'_> {
    pub(super) fn ref_item(
        &mut self,
        spec: &RefSpec,
        base: &str,
        many: bool,
        index: &str,
        item: Option<&Value>,
    ) -> RefItem {
        let prefix = if many {
            format!("{base}[{index}]")
        } else {
            base.to_owned()
        };
        let obj = item.and_then(Value::as_object);
        let id = obj
            .and_then(|o| o.get("id"))
            .or(item.filter(|v| v.is_string()))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let name = obj
            .and_then(|o| o.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_owned();
        let collection = obj
            .and_then(|o| o.get("collection"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| view::collection_for(spec.target).segment().to_owned());
        let mut attrs = Vec::new();
        if many {
            for a in spec.attrs {
                let key = format!("{base}.{}", a.name);
                if let Some(v) = self.field(
                    a,
                    format!("{prefix}.{}", a.name),
                    &key,
                    obj.and_then(|o| o.get(a.name)),
                ) {
                    attrs.push(v);
                }
            }
        }
        RefItem {
            index: index.to_owned(),
            id_field: if many {
                format!("{prefix}.id")
            } else {
                prefix.clone()
            },
            name_field: if many {
                format!("{prefix}.name")
            } else {
                String::new()
            },
            href: if id.is_empty() {
                String::new()
            } else {
                format!("/{collection}/{id}")
            },
            id,
            name,
            attrs,
        }
    }

    pub(super) fn refs(&mut self, spec: &'static RefSpec, path: &str, v: Option<&Value>) -> Refs {
        let items: Vec<Value> = match v {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        };
        let list = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.ref_item(spec, path, spec.many, &i.to_string(), Some(item)))
            .collect();
        let template = self.ref_item(spec, path, spec.many, TEMPLATE_INDEX, None);
        Refs {
            items: list,
            template: Box::new(template),
            many: spec.many,
            target: search_segment(spec.target),
            by: hints::search_by(spec.target),
        }
    }

    pub(super) fn single_ref(
        &mut self,
        spec: &'static RefSpec,
        path: &str,
        current: Option<(String, String)>,
    ) -> Refs {
        let item = current.map(|(id, name)| serde_json::json!({"id": id, "name": name}));
        let mut refs = self.refs(spec, path, item.as_ref());
        refs.many = false;
        refs
    }
}
