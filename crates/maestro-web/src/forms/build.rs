//! Builds the widget tree of a form from the schema registry, a document (the entity, or what
//! was just submitted) and the errors the core reported.

use std::collections::HashMap;

use maestro_model::FieldError;
use maestro_model::schema::{Collection, Field, Kind, Ty};
use serde_json::{Map, Value};

use super::{
    Choices, Control, DataList, ErrorLink, FieldView, FormView, TabView, TextInput, dom_id, layout,
    tab_id,
};
use crate::hints::{self, Source};

/// The placeholder index of template rows, replaced in the browser.
pub const TEMPLATE_INDEX: &str = "__i__";

mod refs;
mod rows;

struct Builder<'a> {
    coll: Collection,
    choices: &'a Choices,
    errors: HashMap<String, String>,
    datalists: Vec<DataList>,
    entity_id: Option<String>,
    engine: &'static str,
}

/// The form of `coll` for `doc`, with `errors` placed next to their fields.
pub fn build(
    coll: Collection,
    family: Option<&str>,
    doc: &Map<String, Value>,
    errors: &[FieldError],
    choices: &Choices,
    entity_id: Option<&str>,
) -> FormView {
    let engine = hints::engine_of(doc.get("engine").and_then(Value::as_str).unwrap_or(""));
    let mut b = Builder {
        coll,
        choices,
        errors: errors
            .iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect(),
        datalists: Vec::new(),
        entity_id: entity_id.map(str::to_owned),
        engine,
    };
    let mut tabs = Vec::new();
    for (label, fields) in layout(coll, family, false) {
        let views: Vec<FieldView> = fields
            .iter()
            .filter_map(|f| b.field(f, f.name.to_owned(), f.name, doc.get(f.name)))
            .collect();
        tabs.push(TabView {
            id: tab_id(&label),
            has_error: views.iter().any(has_error),
            label,
            fields: views,
        });
    }
    let mut summary: Vec<ErrorLink> = errors
        .iter()
        .map(|e| ErrorLink {
            target: dom_id(&e.field),
            label: crate::hints::path_label(&e.field),
            message: e.message.clone(),
        })
        .collect();
    summary.dedup_by(|a, b| a.label == b.label && a.message == b.message);
    FormView {
        tabs,
        datalists: b.datalists,
        errors: summary,
    }
}

fn has_error(f: &FieldView) -> bool {
    if f.error.is_some() {
        return true;
    }
    match &f.control {
        Control::Group { fields } => fields.iter().any(has_error),
        Control::Rows(r) => r
            .rows
            .iter()
            .any(|row| row.error.is_some() || row.fields.iter().chain(&row.more).any(has_error)),
        Control::Refs(r) => r.items.iter().any(|i| i.attrs.iter().any(has_error)),
        _ => false,
    }
}

/// The text of a scalar for an input.
fn text_of(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

impl Builder<'_> {
    /// A server's name may be left out: it defaults to the hostname (`prepare::fixups`).
    fn named_by_hostname(&self, path: &str) -> bool {
        path == "name" && self.coll == Collection::Servers
    }

    fn datalist(&mut self, source: Source) -> String {
        let id = dom_id(&format!("dl {source:?}")).replacen("f-", "dl-", 1);
        if !self.datalists.iter().any(|d| d.id == id) {
            let values = self.choices.values(source);
            self.datalists.push(DataList {
                id: id.clone(),
                values,
            });
        }
        id
    }

    fn view(&self, f: &Field, path: &str, control: Control) -> FieldView {
        let engine = if path.contains('.') || path.contains('[') {
            None
        } else {
            hints::engine_only(self.coll, f.name)
        };
        FieldView {
            name: path.to_owned(),
            id: dom_id(path),
            label: hints::label(f.name),
            help: if self.named_by_hostname(path) {
                "Defaults to the hostname."
            } else {
                f.doc
            },
            required: f.required && !self.named_by_hostname(path),
            error: self.errors.get(path).cloned(),
            hidden: engine.is_some_and(|e| e != self.engine),
            engine,
            control,
        }
    }

    /// The widget of field `f` at input name `path` (`key` is the path without indices).
    fn field(
        &mut self,
        f: &Field,
        path: String,
        key: &str,
        v: Option<&Value>,
    ) -> Option<FieldView> {
        let control = match &f.ty {
            Ty::Str { max, .. } if *max > maestro_model::validate::ONE_LINE_MAX => Control::Area {
                value: text_of(v),
                max: *max,
            },
            Ty::Str { .. } | Ty::Ip | Ty::Email | Ty::Url | Ty::DateTime | Ty::Scalar => {
                Control::Text(self.text(f, &path, key, v))
            }
            Ty::Int { .. } | Ty::Num { .. } => {
                let int = matches!(f.ty, Ty::Int { .. });
                Control::Text(TextInput {
                    kind: "number",
                    value: text_of(v),
                    step: Some(if int { "1" } else { "any" }),
                    inputmode: Some(if int { "numeric" } else { "decimal" }),
                    ..TextInput::default()
                })
            }
            Ty::Bool => Control::Check {
                checked: v.and_then(Value::as_bool).unwrap_or(false),
                set: v.is_some_and(|x| !x.is_null()),
            },
            Ty::Enum(values) => {
                let options: Vec<String> =
                    if f.name == "family" && self.coll == Collection::Resources {
                        maestro_model::schema::RESOURCE_FAMILIES
                            .iter()
                            .map(|s| s.to_string())
                            .collect()
                    } else {
                        values.iter().map(|s| s.to_string()).collect()
                    };
                Control::Select {
                    options,
                    value: text_of(v),
                    empty: !f.required,
                }
            }
            Ty::Object { fields, .. } => {
                let obj = v.and_then(Value::as_object);
                // With a referenced entity chosen, its `name` is shown from the entity, not typed.
                let linked = fields.iter().any(|s| {
                    matches!(s.ty, Ty::Ref(_))
                        && obj
                            .and_then(|o| o.get(s.name))
                            .is_some_and(|x| !x.is_null())
                });
                let mut children = Vec::new();
                for sub in fields.iter().filter(|s| !(linked && s.name == "name")) {
                    let sub_path = format!("{path}.{}", sub.name);
                    let sub_key = format!("{key}.{}", sub.name);
                    let value = obj.and_then(|o| o.get(sub.name));
                    if let Some(view) = self.sub_field(sub, sub_path, &sub_key, value, obj) {
                        children.push(view);
                    }
                }
                Control::Group { fields: children }
            }
            Ty::AnyObject => Control::Rows(self.pairs(&path, v)),
            Ty::List { item, .. } => match item {
                Ty::Object { fields, .. } => {
                    Control::Rows(self.object_rows(f, fields, &path, key, v))
                }
                Ty::Enum(values) => {
                    let chosen: Vec<&str> = v
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    Control::Multi {
                        options: values
                            .iter()
                            .map(|o| (o.to_string(), chosen.contains(o)))
                            .collect(),
                    }
                }
                Ty::Any | Ty::AnyObject | Ty::List { .. } | Ty::Ref(_) => return None,
                scalar => Control::Rows(self.value_rows(f, scalar, &path, key, v)),
            },
            Ty::Ref(spec) => Control::Refs(self.refs(spec, &path, v)),
            Ty::Any => return None,
        };
        Some(self.view(f, &path, control))
    }

    /// A field inside an object: references and loose values get special widgets.
    fn sub_field(
        &mut self,
        sub: &Field,
        path: String,
        key: &str,
        v: Option<&Value>,
        parent: Option<&Map<String, Value>>,
    ) -> Option<FieldView> {
        match &sub.ty {
            Ty::Ref(spec) if !spec.many => {
                // A single reference inside an object (a datacenter): the object's `name`
                // shows which one.
                let name = parent
                    .and_then(|o| o.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let current = v
                    .and_then(Value::as_str)
                    .map(|id| (id.to_owned(), name.to_owned()));
                let refs = self.single_ref(spec, &path, current);
                let mut view = self.view(sub, &path, Control::Refs(refs));
                view.label = hints::label(spec.target.as_str());
                Some(view)
            }
            Ty::Any => {
                // Loose values with offered options (a zone or a list of zones): text, and
                // comma-separated lists. Other raw values are kept as they are.
                let src = hints::options(self.coll, key)?;
                let value = match v {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    Some(_) => return None,
                };
                let input = TextInput {
                    kind: "text",
                    value,
                    list: Some(self.datalist(src)),
                    ..TextInput::default()
                };
                Some(self.view(sub, &path, Control::Text(input)))
            }
            _ => self.field(sub, path, key, v),
        }
    }

    fn text(&mut self, f: &Field, path: &str, key: &str, v: Option<&Value>) -> TextInput {
        let mut input = TextInput {
            kind: match f.ty {
                Ty::Email => "email",
                Ty::Url => "url",
                _ => "text",
            },
            value: text_of(v),
            max: match f.ty {
                Ty::Str { max, .. } => Some(max),
                _ => None,
            },
            inputmode: matches!(f.ty, Ty::Ip).then_some("decimal"),
            ..TextInput::default()
        };
        if let Some(src) = hints::options(self.coll, key) {
            input.list = Some(self.datalist(src));
        }
        let per_engine = hints::engine_options(self.coll, key);
        if !per_engine.is_empty() {
            let mut parts = Vec::new();
            for (engine, src) in per_engine {
                parts.push(format!("{engine}:{}", self.datalist(*src)));
            }
            if let Some(default) = &input.list {
                parts.push(format!("*:{default}"));
            }
            if let Some((_, id)) = parts
                .iter()
                .filter_map(|p| p.split_once(':'))
                .find(|(e, _)| *e == self.engine)
            {
                input.list = Some(id.to_owned());
            }
            input.engine_lists = parts.join(" ");
        }
        if f.warn_duplicate && !path.contains('.') {
            input.duplicate_check = Some(format!(
                "/ui/duplicates/{}?field={}&exclude={}",
                self.coll.segment(),
                f.name,
                self.entity_id.as_deref().unwrap_or("")
            ));
        }
        input.engine_source = self.coll == Collection::Databases && path == "engine";
        input
    }
}

/// The URL segment the reference search uses for a kind (`application` covers every family).
pub fn search_segment(kind: Kind) -> &'static str {
    kind.as_str()
}
