//! Creating and editing a connection: one form for both providers (the provider choice shows
//! its fields), a datacenter to place what is discovered, AWS regions from the `regions`
//! setting, write-only credentials (a "Replace credentials" section on edit), tags, and the
//! create forms' "Owner" choice. The inventory checks everything; its field errors come back
//! next to their inputs.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maestro_core::CoreError;
use maestro_model::FieldError;
use maestro_model::schema::Collection;
use serde_json::{Map, Value, json};

use super::form::ConnectionForm;
use super::options::{datacenters, regions};
use super::{Discovery, iam_policy};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::forms::decode::decode;
use crate::forms::{Choices, Control, build};
use crate::identity::owner::{self, OwnerChoice};
use crate::routes::entity_id;
use crate::session::{self, Form, FormData};

const COLL: Collection = Collection::Connections;

#[derive(Template)]
#[template(path = "connection_form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    /// The provider stored (edit): choosing another asks for its credentials.
    stored_provider: String,
    editing: bool,
    form: ConnectionForm,
    /// (id, "name · provider") of the datacenters the user can read.
    datacenters: Vec<(String, String)>,
    /// (name, label) of AWS regions: the setting's, then chosen ones it lacks.
    aws_regions: Vec<(String, String)>,
    /// OpenStack region names of the setting (suggestions).
    os_regions: Vec<String>,
    owners: Vec<OwnerChoice>,
    owner_error: Option<String>,
    /// The tags rows, built by the schema-driven forms.
    tags: String,
    /// The read-only IAM policy for AWS.
    policy: String,
}

struct Ctx<'a> {
    state: &'a WebState,
    auth: &'a Authed,
    /// The connection being edited: (id, stored JSON).
    current: Option<(&'a str, &'a Value)>,
    /// The read-only IAM policy of the AWS tasks, to set up before saving.
    policy: String,
}

async fn form_page(
    cx: &Ctx<'_>,
    mut form: ConnectionForm,
    tags: Option<&Value>,
    owner_chosen: &str,
    status: StatusCode,
) -> WebResult<Response> {
    let (state, auth) = (cx.state, cx.auth);
    let choices = Choices::settings(&state.core).await?;
    let (aws_regions, os_regions) = regions(&choices, &form.aws_regions);
    let current_dc = cx
        .current
        .and_then(|(_, c)| c["datacenter"]["name"].as_str());
    let datacenters = datacenters(state, auth, &form.datacenter, current_dc).await?;
    // A blank form with a single datacenter to choose starts on it.
    if let [(only, _)] = datacenters.as_slice()
        && cx.current.is_none()
        && form.datacenter.is_empty()
        && form.errors.is_empty()
    {
        form.datacenter = only.clone();
    }
    let mut doc = Map::new();
    if let Some(t) = tags {
        doc.insert("tags".into(), t.clone());
    }
    let id = cx.current.map(|(id, _)| id);
    let built = build(COLL, None, &doc, &form.errors, &choices, id);
    let tags = built
        .tabs
        .iter()
        .flat_map(|t| &t.fields)
        .find(|f| f.name == "tags" && matches!(f.control, Control::Rows(_)))
        .map(|f| f.html())
        .unwrap_or_default();
    let owners = match cx.current {
        None => owner::choices(&state.core, &auth.caller, owner_chosen).await?,
        Some(_) => Vec::new(),
    };
    let owner_error = form
        .errors
        .iter()
        .find(|e| e.field == owner::FIELD)
        .map(|e| e.message.clone());
    let (heading, action, cancel) = match cx.current {
        Some((id, c)) => (
            format!("Edit {}", c["name"].as_str().unwrap_or("?")),
            format!("/connections/{id}"),
            format!("/connections/{id}"),
        ),
        None => (
            "New connection".to_owned(),
            "/connections".to_owned(),
            "/connections".to_owned(),
        ),
    };
    let mut res = render(&FormPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(heading.clone(), "connections"),
        heading,
        action,
        cancel,
        stored_provider: cx
            .current
            .and_then(|(_, c)| c["provider"].as_str())
            .unwrap_or_default()
            .to_owned(),
        editing: cx.current.is_some(),
        form,
        datacenters,
        aws_regions,
        os_regions,
        owners,
        owner_error,
        tags,
        policy: cx.policy.clone(),
    })?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /connections/new` (`?datacenter=` preselects one).
pub async fn new_page(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let dc = q.get("datacenter").map_or("", String::as_str);
    let cx = Ctx {
        state: &state,
        auth: &auth,
        current: None,
        policy: iam_policy(&discovery, "aws"),
    };
    form_page(&cx, ConnectionForm::blank(dc), None, "", StatusCode::OK).await
}

/// The tags the form sent, as the schema-driven decoder reads them (`null` when emptied).
fn tags_of(form: &FormData, original: Option<&Value>) -> Option<Value> {
    decode(COLL, None, form, original.and_then(Value::as_object)).remove("tags")
}

/// To the connection's page, saying what was done and any warning (another connection to
/// the same account).
fn done(state: &WebState, id: &str, text: String, warnings: &[Value]) -> Response {
    session::redirect_with(
        &format!("/connections/{id}"),
        crate::routes::edit::warnings_flash(state, warnings, text),
    )
}

/// The regions `after` lists that `before` did not.
fn added_regions(before: &Value, after: &Value) -> Vec<String> {
    let names = |v: &Value| -> Vec<String> {
        v["regions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let old = names(before);
    names(after)
        .into_iter()
        .filter(|r| !old.contains(r))
        .collect()
}

/// `POST /connections`.
pub async fn create(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    Form(data): Form,
) -> WebResult<Response> {
    let mut form = ConnectionForm::from_form(&data);
    let mut body = form.desired();
    if let Some(creds) = form.credentials(&data) {
        body.insert("credentials".into(), creds);
    }
    let tags = tags_of(&data, None);
    if let Some(t) = &tags {
        body.insert("tags".into(), t.clone());
    }
    let chosen = data.get(owner::FIELD).trim().to_owned();
    let errors = match owner::acting(&auth.caller, &data) {
        Ok(caller) => match state
            .core
            .create_entity(&caller, COLL, &Value::Object(body))
            .await
        {
            Ok(w) => {
                let id = w.entity["id"].as_str().unwrap_or_default();
                let name = w.entity["name"].as_str().unwrap_or_default();
                let text = format!("{name} created: its tasks run now, then on their schedules.");
                return Ok(done(&state, id, text, &w.warnings));
            }
            Err(CoreError::NotFound(_)) if caller.acting_team.is_some() => vec![FieldError::new(
                owner::FIELD,
                "you cannot create for this team",
            )],
            Err(CoreError::Invalid(errors)) => errors,
            Err(e) => return Err(e.into()),
        },
        Err(e) => vec![e],
    };
    form.errors = errors;
    let cx = Ctx {
        state: &state,
        auth: &auth,
        current: None,
        policy: iam_policy(&discovery, "aws"),
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    form_page(&cx, form, tags.as_ref(), &chosen, status).await
}

/// `GET /connections/{id}/edit`.
pub async fn edit_page(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    Path(raw): Path<String>,
) -> WebResult<Response> {
    let id = entity_id(&raw)?;
    let current = state.core.get_entity(&auth.caller, COLL, id).await?;
    let key = id.to_string();
    let cx = Ctx {
        state: &state,
        auth: &auth,
        current: Some((&key, &current)),
        policy: iam_policy(&discovery, "aws"),
    };
    let form = ConnectionForm::from_json(&current);
    form_page(&cx, form, current.get("tags"), "", StatusCode::OK).await
}

/// `POST /connections/{id}`: the form as a merge patch; credentials only when typed.
pub async fn update(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    Path(raw): Path<String>,
    Form(data): Form,
) -> WebResult<Response> {
    let id = entity_id(&raw)?;
    let current = state.core.get_entity(&auth.caller, COLL, id).await?;
    let mut form = ConnectionForm::from_form(&data);
    let mut patch = form.patch(&current);
    let creds = form.credentials(&data);
    let replaced = creds.is_some();
    let tags = tags_of(&data, Some(&current));
    if let Some(t) = &tags {
        patch.insert("tags".into(), t.clone());
    }
    let key = id.to_string();
    let moved = current["provider"].as_str() != Some(form.provider.as_str());
    form.errors = match creds {
        // The stored credentials belong to the other provider.
        None if moved => vec![FieldError::new(
            "credentials",
            "enter the credentials for the new provider",
        )],
        creds => {
            if let Some(c) = creds {
                patch.insert("credentials".into(), c);
            }
            let patch = Value::Object(patch);
            match state
                .core
                .patch_entity(&auth.caller, COLL, id, &patch)
                .await
            {
                Ok(w) => {
                    let name = w.entity["name"].as_str().unwrap_or_default();
                    let mut text = if replaced {
                        format!("{name} saved; its credentials were replaced.")
                    } else {
                        format!("{name} saved.")
                    };
                    // Regions just added are listed now, not at each task's next run (a day
                    // away for some).
                    let added = added_regions(&current, &w.entity);
                    if !added.is_empty()
                        && let Ok((_, queued)) =
                            discovery.sync_now(&auth.caller, id, &json!({})).await
                    {
                        text.push_str(&format!(
                            " {} {}: a sync is {}.",
                            if added.len() == 1 {
                                "New region"
                            } else {
                                "New regions"
                            },
                            added.join(", "),
                            if queued {
                                "queued"
                            } else {
                                "already under way"
                            }
                        ));
                    }
                    return Ok(done(&state, &key, text, &w.warnings));
                }
                Err(CoreError::Invalid(errors)) => errors,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let cx = Ctx {
        state: &state,
        auth: &auth,
        current: Some((&key, &current)),
        policy: iam_policy(&discovery, "aws"),
    };
    let tags = tags.or_else(|| current.get("tags").cloned());
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    form_page(&cx, form, tags.as_ref(), "", status).await
}
