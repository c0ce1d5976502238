//! Settings pages: the config option lists (environments, roles, OS bases, …) and the regions
//! and zones per provider, read by everyone and edited by administrators through
//! `Core::put_setting` (which checks the shape and records the change in the history). The
//! services catalog is an ordinary collection (`/services`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::{BTreeMap, HashMap};

use maestro_core::{Core, CoreError};
use serde_json::{Value, json};

use super::setting_values::{Part, parts, rebuild};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::identity::history::{page_query, timeline};
use crate::routes::entity::Entry;
use crate::session::{self, Flash, Form};

/// What each seeded setting is for.
fn describe(key: &str) -> &'static str {
    match key {
        "application_options" => {
            "Applications: families, roles, deploy methods, clusters, languages, sizes"
        }
        "clients_options" => "Clients: contact channels",
        "database_options" => "Databases: types, roles, clusters, Oracle and MySQL specifics",
        "datacenter_options" => "Datacenters: providers",
        "deps_options" => "Dependencies: endpoint protocols",
        "env_options" => "Environments and sizes",
        "network_options" => "Networks: families",
        "server_options" => "Servers: types, status, auth types, roles, operating systems",
        "services_options" => "Services: managers",
        "status_volume_options" => "Volumes: status",
        "system_options" => "Systems: link types",
        "scheduler_options" => "Scheduler: periods, methods, modules, discovery intervals",
        "regions" => "Regions and zones per provider",
        _ => "",
    }
}

pub struct SettingRow {
    pub key: String,
    pub about: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct IndexPage {
    chrome: Chrome,
    rows: Vec<SettingRow>,
}

#[derive(Template)]
#[template(path = "settings_edit.html")]
struct EditPage {
    chrome: Chrome,
    heading: String,
    about: &'static str,
    action: String,
    admin: bool,
    parts: Vec<Part>,
    message: Option<String>,
    history: Vec<Entry>,
    history_total: u64,
}

/// The latest changes of a setting (who changed what, when), shown under its editor.
pub(super) async fn recent_history(core: &Core, key: &str) -> WebResult<(Vec<Entry>, u64)> {
    let page = core.setting_history(key, &page_query(1)).await?;
    Ok((timeline(&page, &HashMap::new()), page.total))
}

/// `GET /settings`.
pub async fn index(State(state): State<WebState>, auth: Authed) -> WebResult<Response> {
    let all = state.core.list_settings().await?;
    let rows = all["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["key"].as_str())
        .map(|key| SettingRow {
            key: key.to_owned(),
            about: describe(key),
            href: if key == "regions" {
                "/settings/regions".into()
            } else {
                format!("/settings/options/{}", session::encode(key))
            },
        })
        .collect();
    render(&IndexPage {
        chrome: auth.chrome.clone().with_title("Config options", "settings"),
        rows,
    })
}

/// A refused save, shown again as it was sent.
struct Sent<'a> {
    value: &'a Value,
    raw: &'a BTreeMap<String, String>,
}

/// The editor of `stored`; after a refused save, with what was `sent` and why it was refused
/// (`errors`: setting path and message), each reason shown at its part and all of them above.
async fn edit_page(
    core: &Core,
    auth: &Authed,
    key: &str,
    stored: &Value,
    sent: Option<Sent<'_>>,
    errors: &[(String, String)],
    status: StatusCode,
) -> WebResult<Response> {
    let mut list = Vec::new();
    let no_raw = BTreeMap::new();
    if let Some(shape) = stored.as_object() {
        let shown = sent
            .as_ref()
            .and_then(|s| s.value.as_object())
            .unwrap_or(shape);
        let raw = sent.as_ref().map_or(&no_raw, |s| s.raw);
        parts("", shape, shown, raw, &mut list);
    }
    Part::place_errors(&mut list, errors);
    let message = (!errors.is_empty()).then(|| {
        let all: Vec<String> = errors.iter().map(|(p, m)| format!("{p}: {m}")).collect();
        format!("Not saved: {}", all.join("; "))
    });
    let (history, history_total) = recent_history(core, key).await?;
    let mut res = render(&EditPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(format!("Setting {key}"), "settings"),
        heading: key.to_owned(),
        about: describe(key),
        action: format!("/settings/options/{}", session::encode(key)),
        admin: auth.caller.admin,
        parts: list,
        message,
        history,
        history_total,
    })?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /settings/options/{key}`.
pub async fn option_page(
    State(state): State<WebState>,
    auth: Authed,
    Path(key): Path<String>,
) -> WebResult<Response> {
    if key == "regions" {
        return Ok(session::redirect("/settings/regions"));
    }
    let s = state.core.get_setting(&key).await?;
    edit_page(
        &state.core,
        &auth,
        &key,
        &s["value"],
        None,
        &[],
        StatusCode::OK,
    )
    .await
}

/// `POST /settings/options/{key}`.
pub async fn option_save(
    State(state): State<WebState>,
    auth: Authed,
    Path(key): Path<String>,
    Form(form): Form,
) -> WebResult<Response> {
    let current = state.core.get_setting(&key).await?["value"].clone();
    let Some(old) = current.as_object() else {
        return Err(crate::error::WebError::BadRequest(
            "this setting is not a set of lists".into(),
        ));
    };
    let mut errors = Vec::new();
    let mut raw = BTreeMap::new();
    let value = Value::Object(rebuild("", old, &form, &mut errors, &mut raw));
    let sent = || Sent {
        value: &value,
        raw: &raw,
    };
    if !errors.is_empty() {
        return edit_page(
            &state.core,
            &auth,
            &key,
            &current,
            Some(sent()),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state
        .core
        .put_setting(&auth.caller, &key, &json!({"value": value}))
        .await
    {
        Ok(_) => {
            let flash =
                session::flash_cookie(&[Flash::ok(format!("{key} saved."))], state.secure_cookies);
            Ok(session::redirect_with(
                &format!("/settings/options/{}", session::encode(&key)),
                vec![flash],
            ))
        }
        Err(CoreError::Invalid(e)) => {
            // The service names fields from the request body (`value.…`).
            let errors: Vec<(String, String)> = e
                .iter()
                .map(|x| {
                    let path = x.field.strip_prefix("value.").unwrap_or(&x.field);
                    (path.to_owned(), x.message.clone())
                })
                .collect();
            edit_page(
                &state.core,
                &auth,
                &key,
                &current,
                Some(sent()),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub use super::regions::{regions_page, regions_save};
