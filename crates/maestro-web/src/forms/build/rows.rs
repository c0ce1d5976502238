//! Rows of a form: lists of objects (storage, auth, services, tags), lists of values, and
//! free-form objects as key/value pairs. New rows come from a template row in the page.

use maestro_model::schema::{Field, Ty};
use serde_json::Value;

use super::{Builder, TEMPLATE_INDEX};
use crate::forms::{Control, Row, Rows, TextInput};
use crate::hints;
use crate::view;

impl Builder<'_> {
    pub(super) fn object_rows(
        &mut self,
        f: &Field,
        fields: &'static [Field],
        path: &str,
        key: &str,
        v: Option<&Value>,
    ) -> Rows {
        let primary = hints::row_fields(f.name);
        let items: Vec<Value> = v.and_then(Value::as_array).cloned().unwrap_or_default();
        let mut rows = Vec::new();
        for (i, item) in items.iter().enumerate() {
            rows.push(self.object_row(fields, primary, path, key, &i.to_string(), Some(item)));
        }
        let saved = std::mem::take(&mut self.errors);
        let template = self.object_row(fields, primary, path, key, TEMPLATE_INDEX, None);
        self.errors = saved;
        Rows {
            rows,
            template: Box::new(template),
            noun: view::singular(&hints::label(f.name)),
        }
    }

    pub(super) fn object_row(
        &mut self,
        fields: &'static [Field],
        primary: Option<&[&str]>,
        path: &str,
        key: &str,
        index: &str,
        item: Option<&Value>,
    ) -> Row {
        let obj = item.and_then(Value::as_object);
        let base = format!("{path}[{index}]");
        let mut row = Row {
            index: index.to_owned(),
            fields: Vec::new(),
            more: Vec::new(),
            orig: None,
            orig_name: format!("{base}._orig"),
            error: self.errors.get(&base).cloned(),
        };
        let mut shown_keys = Vec::new();
        for sub in fields.iter() {
            if matches!(sub.ty, Ty::AnyObject | Ty::List { .. } | Ty::Object { .. }) {
                continue; // kept through `_orig`
            }
            let value = obj.and_then(|o| o.get(sub.name));
            let sub_key = format!("{key}.{}", sub.name);
            let Some(view) =
                self.sub_field(sub, format!("{base}.{}", sub.name), &sub_key, value, obj)
            else {
                continue;
            };
            shown_keys.push(sub.name);
            if primary.is_none_or(|p| p.contains(&sub.name)) {
                row.fields.push(view);
            } else {
                row.more.push(view);
            }
        }
        if let Some(o) = obj
            && o.keys().any(|k| !shown_keys.contains(&k.as_str()))
        {
            row.orig = serde_json::to_string(o).ok();
        }
        row
    }

    pub(super) fn value_rows(
        &mut self,
        f: &Field,
        item: &Ty,
        path: &str,
        key: &str,
        v: Option<&Value>,
    ) -> Rows {
        let leaf = Field::new("value", *item);
        let items: Vec<Value> = v.and_then(Value::as_array).cloned().unwrap_or_default();
        let make = |b: &mut Self, index: &str, value: Option<&Value>| {
            let p = format!("{path}[{index}]");
            let mut view = b.field(&leaf, p.clone(), key, value);
            if let Some(view) = &mut view {
                view.label = view::singular(&hints::label(f.name));
                view.help = "";
            }
            Row {
                index: index.to_owned(),
                fields: view.into_iter().collect(),
                more: Vec::new(),
                orig: None,
                orig_name: String::new(),
                error: None,
            }
        };
        let rows = items
            .iter()
            .enumerate()
            .map(|(i, x)| make(self, &i.to_string(), Some(x)))
            .collect();
        let template = make(self, TEMPLATE_INDEX, None);
        Rows {
            rows,
            template: Box::new(template),
            noun: view::singular(&hints::label(f.name)),
        }
    }

    /// Free-form objects as key/value rows (values are text; JSON stays JSON).
    pub(super) fn pairs(&mut self, path: &str, v: Option<&Value>) -> Rows {
        let mut entries: Vec<(String, Option<Value>)> = v
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, x)| (k.clone(), Some(x.clone())))
                    .collect()
            })
            .unwrap_or_default();
        for k in hints::object_keys(path) {
            if !entries.iter().any(|(e, _)| e == k) {
                entries.push(((*k).to_owned(), None));
            }
        }
        let k_field = Field::new("key", Ty::Str { min: 0, max: 100 });
        let v_field = Field::new("value", Ty::Str { min: 0, max: 250 });
        let make = |b: &Self, index: &str, k: &str, val: Option<&Value>| {
            let base = format!("{path}[{index}]");
            let text = match val {
                Some(Value::String(s)) => s.clone(),
                None | Some(Value::Null) => String::new(),
                Some(other) => other.to_string(),
            };
            let kv = |f: &Field, name: &str, value: String| {
                b.view(
                    f,
                    &format!("{base}.{name}"),
                    Control::Text(TextInput {
                        kind: "text",
                        value,
                        ..TextInput::default()
                    }),
                )
            };
            let mut key_view = kv(&k_field, "_k", k.to_owned());
            key_view.error = b.errors.get(&format!("{path}.{k}")).cloned();
            Row {
                index: index.to_owned(),
                fields: vec![key_view, kv(&v_field, "_v", text)],
                more: Vec::new(),
                orig: None,
                orig_name: String::new(),
                error: None,
            }
        };
        let rows = entries
            .iter()
            .enumerate()
            .map(|(i, (k, x))| make(self, &i.to_string(), k, x.as_ref()))
            .collect();
        let template = make(self, TEMPLATE_INDEX, "", None);
        Rows {
            rows,
            template: Box::new(template),
            noun: "entry".into(),
        }
    }
}
