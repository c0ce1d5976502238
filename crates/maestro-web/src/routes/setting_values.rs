//! The option-list editor's parts (lists of values as rows, other shapes as JSON) and how a
//! submitted form becomes a setting value again, following the shape of the current value.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::forms::decode::indices;
use crate::forms::{Control, FieldView, Row, Rows, TextInput, dom_id};
use crate::hints;
use crate::session::FormData;
use crate::view::singular;

/// One editable part of a setting: a list of values, or JSON for other shapes.
pub enum Part {
    List(Box<FieldView>),
    Json {
        name: String,
        id: String,
        label: String,
        text: String,
        error: Option<String>,
    },
}

impl Part {
    /// Puts each of `errors` (setting path, message) on the part it is about — the part whose
    /// path is the error's or holds it. The page lists every error above the form as well, so
    /// one no part is about is still shown.
    pub fn place_errors(parts: &mut [Part], errors: &[(String, String)]) {
        for (path, message) in errors {
            let about = |name: &str| {
                let own = &name[2..]; // `v.` or `j.`
                path.strip_prefix(own)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            };
            let slot = parts.iter_mut().find_map(|p| match p {
                Part::List(w) if about(&w.name) => Some(&mut w.error),
                Part::Json { name, error, .. } if about(name) => Some(error),
                _ => None,
            });
            let text = format!("{path}: {message}");
            match slot {
                Some(Some(e)) => {
                    e.push_str("; ");
                    e.push_str(&text);
                }
                Some(slot) => *slot = Some(text),
                None => {}
            }
        }
    }
}

fn text_field(name: String, label: String, value: &str) -> FieldView {
    FieldView {
        id: dom_id(&name),
        name,
        label,
        help: "",
        required: false,
        error: None,
        engine: None,
        hidden: false,
        control: Control::Text(TextInput {
            kind: "text",
            value: value.to_owned(),
            ..TextInput::default()
        }),
    }
}

/// A list of strings as rows of text inputs named `{name}[i]`.
pub fn list_widget(name: &str, label: String, values: &[String]) -> FieldView {
    let noun = singular(&label);
    let row = |index: &str, value: &str| Row {
        index: index.to_owned(),
        fields: vec![text_field(format!("{name}[{index}]"), noun.clone(), value)],
        more: Vec::new(),
        orig: None,
        orig_name: String::new(),
        error: None,
    };
    let rows = values
        .iter()
        .enumerate()
        .map(|(i, v)| row(&i.to_string(), v))
        .collect();
    FieldView {
        id: dom_id(name),
        name: name.to_owned(),
        label,
        help: "",
        required: false,
        error: None,
        engine: None,
        hidden: false,
        control: Control::Rows(Rows {
            rows,
            template: Box::new(row(crate::forms::build::TEMPLATE_INDEX, "")),
            noun,
        }),
    }
}

/// The editable parts of a setting: their kinds follow `shape` (the stored value), their
/// contents `shown` (what was sent, after a refused save) or, for JSON, the text as typed
/// (`raw`, by input name) — a refused edit comes back as the person left it.
pub fn parts(
    prefix: &str,
    shape: &Map<String, Value>,
    shown: &Map<String, Value>,
    raw: &BTreeMap<String, String>,
    out: &mut Vec<Part>,
) {
    for (k, stored) in shape {
        let v = shown.get(k).unwrap_or(stored);
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let label = path
            .split('.')
            .map(hints::label)
            .collect::<Vec<_>>()
            .join(" › ");
        match stored {
            Value::Array(stored) if stored.iter().all(Value::is_string) => {
                let items = v.as_array().unwrap_or(stored);
                let values: Vec<String> = items
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect();
                out.push(Part::List(Box::new(list_widget(
                    &format!("v.{path}"),
                    label,
                    &values,
                ))));
            }
            Value::Object(inner) if inner.values().all(|x| x.is_array()) => {
                parts(&path, inner, v.as_object().unwrap_or(inner), raw, out)
            }
            _ => {
                let name = format!("j.{path}");
                let text = raw
                    .get(&name)
                    .cloned()
                    .unwrap_or_else(|| serde_json::to_string_pretty(v).unwrap_or_default());
                out.push(Part::Json {
                    id: dom_id(&name),
                    name,
                    label,
                    text,
                    error: None,
                })
            }
        }
    }
}

/// Rebuilds a setting's value from the form, following the shape of `old`; the JSON parts'
/// texts as typed go to `raw`.
pub fn rebuild(
    prefix: &str,
    old: &Map<String, Value>,
    form: &FormData,
    errors: &mut Vec<(String, String)>,
    raw: &mut BTreeMap<String, String>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in old {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let new = match v {
            Value::Array(items) if items.iter().all(Value::is_string) => {
                let name = format!("v.{path}");
                if !form.has(&format!("{name}[]")) {
                    v.clone()
                } else {
                    let mut seen = Vec::new();
                    for i in indices(form, &name) {
                        let s = form.get(&format!("{name}[{i}]")).trim().to_owned();
                        if !s.is_empty() && !seen.contains(&s) {
                            seen.push(s);
                        }
                    }
                    json!(seen)
                }
            }
            Value::Object(inner) if inner.values().all(|x| x.is_array()) => {
                Value::Object(rebuild(&path, inner, form, errors, raw))
            }
            other => {
                let name = format!("j.{path}");
                if form.has(&name) {
                    raw.insert(name.clone(), form.get(&name).to_owned());
                    serde_json::from_str(form.get(&name)).unwrap_or_else(|e| {
                        errors.push((path.clone(), format!("not valid JSON ({e})")));
                        other.clone()
                    })
                } else {
                    other.clone()
                }
            }
        };
        out.insert(k.clone(), new);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_to_the_part_they_are_about() {
        let mut parts = vec![
            Part::List(Box::new(list_widget(
                "v.environments",
                "Environments".into(),
                &["Production".into()],
            ))),
            Part::List(Box::new(list_widget("v.env", "Env".into(), &["x".into()]))),
            Part::Json {
                name: "j.discovery_intervals".into(),
                id: "j-discovery_intervals".into(),
                label: "Discovery intervals".into(),
                text: "{}".into(),
                error: None,
            },
        ];
        let errors = [
            ("environments[3]".to_owned(), "too long".to_owned()),
            (
                "discovery_intervals.server-list.every".to_owned(),
                "must be at least 1".to_owned(),
            ),
            ("webhook_targets".to_owned(), "required".to_owned()),
        ];
        Part::place_errors(&mut parts, &errors);
        let placed = |p: &Part| match p {
            Part::List(w) => w.error.clone(),
            Part::Json { error, .. } => error.clone(),
        };
        assert!(
            parts
                .iter()
                .all(|p| !placed(p).unwrap_or_default().contains("webhook_targets")),
            "an error no part is about goes to none"
        );
        let Part::List(environments) = &parts[0] else {
            unreachable!()
        };
        assert_eq!(
            environments.error.as_deref(),
            Some("environments[3]: too long")
        );
        let Part::List(env) = &parts[1] else {
            unreachable!()
        };
        assert_eq!(env.error, None, "a shared prefix is not the same part");
        let Part::Json { error, .. } = &parts[2] else {
            unreachable!()
        };
        assert!(error.as_deref().unwrap().contains("must be at least 1"));
    }
}
