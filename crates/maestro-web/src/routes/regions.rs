//! The regions and zones editor: per provider, rows of region name, label and zones (the
//! `regions` setting), saved through `Core::put_setting`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maestro_core::CoreError;
use serde_json::{Map, Value, json};

use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::forms::build::TEMPLATE_INDEX;
use crate::forms::decode::indices;
use crate::forms::{Control, FieldView, Row, Rows, TextInput, dom_id};
use crate::session::{self, Flash, Form, FormData};

pub struct Provider {
    pub name: String,
    pub count: usize,
    pub widget: FieldView,
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    chrome: Chrome,
    admin: bool,
    providers: Vec<Provider>,
    message: Option<String>,
    history: Vec<crate::routes::entity::Entry>,
    history_total: u64,
}

fn input(name: String, label: &str, value: String) -> FieldView {
    FieldView {
        id: dom_id(&name),
        name,
        label: label.to_owned(),
        help: "",
        required: false,
        error: None,
        engine: None,
        hidden: false,
        control: Control::Text(TextInput {
            kind: "text",
            value,
            ..TextInput::default()
        }),
    }
}

fn region_row(base: &str, index: &str, r: Option<&Value>) -> Row {
    let get = |k: &str| r.and_then(|r| r[k].as_str()).unwrap_or("").to_owned();
    let zones = r
        .and_then(|r| r["zones"].as_array())
        .map(|z| {
            z.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let p = format!("{base}[{index}]");
    Row {
        index: index.to_owned(),
        fields: vec![
            input(format!("{p}.name"), "Region", get("name")),
            input(format!("{p}.label"), "Label", get("label")),
            input(format!("{p}.zones"), "Zones (comma-separated)", zones),
        ],
        more: Vec::new(),
        orig: None,
        orig_name: String::new(),
        error: None,
    }
}

fn providers(value: &Value) -> Vec<Provider> {
    let mut out = Vec::new();
    for (name, list) in value.as_object().into_iter().flatten() {
        let base = format!("r.{name}");
        let items = list.as_array().cloned().unwrap_or_default();
        let rows = items
            .iter()
            .enumerate()
            .map(|(i, r)| region_row(&base, &i.to_string(), Some(r)))
            .collect();
        out.push(Provider {
            name: name.clone(),
            count: items.len(),
            widget: FieldView {
                id: dom_id(&base),
                name: base.clone(),
                label: format!("{name} regions"),
                help: "",
                required: false,
                error: None,
                engine: None,
                hidden: false,
                control: Control::Rows(Rows {
                    rows,
                    template: Box::new(region_row(&base, TEMPLATE_INDEX, None)),
                    noun: "region".into(),
                }),
            },
        });
    }
    out
}

fn rebuild(old: &Value, form: &FormData) -> Value {
    let mut out = Map::new();
    for (name, list) in old.as_object().into_iter().flatten() {
        let base = format!("r.{name}");
        if !form.has(&format!("{base}[]")) {
            out.insert(name.clone(), list.clone());
            continue;
        }
        let mut regions = Vec::new();
        for i in indices(form, &base) {
            let f = |k: &str| form.get(&format!("{base}[{i}].{k}")).trim().to_owned();
            let region = f("name");
            if region.is_empty() {
                continue;
            }
            let zones: Vec<String> = f("zones")
                .split(',')
                .map(|z| z.trim().to_owned())
                .filter(|z| !z.is_empty())
                .collect();
            let label = if f("label").is_empty() {
                region.clone()
            } else {
                f("label")
            };
            regions.push(json!({"name": region, "label": label, "zones": zones}));
        }
        out.insert(name.clone(), Value::Array(regions));
    }
    let added = form.get("new_provider").trim();
    if !added.is_empty() && !out.contains_key(added) {
        out.insert(added.to_owned(), json!([]));
    }
    Value::Object(out)
}

async fn page(
    core: &maestro_core::Core,
    auth: &Authed,
    value: &Value,
    message: Option<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let (history, history_total) = super::settings::recent_history(core, "regions").await?;
    let mut res = render(&RegionsPage {
        chrome: auth
            .chrome
            .clone()
            .with_title("Regions and zones", "regions"),
        admin: auth.caller.admin,
        providers: providers(value),
        message,
        history,
        history_total,
    })?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /settings/regions`.
pub async fn regions_page(State(state): State<WebState>, auth: Authed) -> WebResult<Response> {
    let s = state.core.get_setting("regions").await?;
    page(&state.core, &auth, &s["value"], None, StatusCode::OK).await
}

/// `POST /settings/regions`.
pub async fn regions_save(
    State(state): State<WebState>,
    auth: Authed,
    Form(form): Form,
) -> WebResult<Response> {
    let old = state.core.get_setting("regions").await?["value"].clone();
    let value = rebuild(&old, &form);
    match state
        .core
        .put_setting(&auth.caller, "regions", &json!({"value": value}))
        .await
    {
        Ok(_) => {
            let flash = session::flash_cookie(
                &[Flash::ok("Regions and zones saved.")],
                state.secure_cookies,
            );
            Ok(session::redirect_with("/settings/regions", vec![flash]))
        }
        Err(CoreError::Invalid(e)) => {
            let msg = e
                .iter()
                .map(|x| format!("{}: {}", x.field, x.message))
                .collect::<Vec<_>>()
                .join("; ");
            page(
                &state.core,
                &auth,
                &value,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
