//! Create and edit forms, delete and restore. A submitted form is decoded against the schema
//! and handed to `Core::create_entity` / `Core::patch_entity` (a merge patch); the core's field
//! errors come back next to their fields, its duplicate warnings as messages on the next page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maestro_core::CoreError;
use maestro_model::FieldError;
use maestro_model::schema::Collection;
use serde_json::{Map, Value};

use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::WebResult;
use crate::forms::decode::{decode, family_of};
use crate::forms::{Choices, FormView, build};
use crate::identity::owner::{self, OwnerChoice};
use crate::session::{self, Flash, Form};
use crate::view::noun;

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    /// The entity edited (none on a create form): reference searches do not offer it.
    self_id: String,
    form: FormView,
    /// Who the new entity belongs to (create forms, when the user has teams to choose).
    owners: Vec<OwnerChoice>,
    owner_error: Option<String>,
    /// The entity edited was found by discovery, whose syncs set again what its provider reports.
    discovered: bool,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &WebState,
    auth: &Authed,
    coll: Collection,
    doc: &Map<String, Value>,
    errors: &[FieldError],
    id: Option<&str>,
    heading: String,
    status: StatusCode,
    owner: &str,
) -> WebResult<Response> {
    let choices = Choices::load(&state.core, &auth.caller).await?;
    let owners = if id.is_none() && !coll.kind().schema().global {
        owner::choices(&state.core, &auth.caller, owner).await?
    } else {
        Vec::new()
    };
    let owner_error = errors
        .iter()
        .find(|e| e.field == owner::FIELD)
        .map(|e| e.message.clone());
    let family = family_of(coll, None, Some(doc));
    let form = build(coll, family.as_deref(), doc, errors, &choices, id);
    let (action, cancel) = match id {
        Some(id) => (
            format!("/{}/{id}", coll.segment()),
            format!("/{}/{id}", coll.segment()),
        ),
        None => (
            format!("/{}", coll.segment()),
            format!("/{}", coll.segment()),
        ),
    };
    let mut res = render(&FormPage {
        chrome: auth
            .chrome
            .clone()
            .with_title(heading.clone(), coll.segment()),
        heading,
        action,
        cancel,
        self_id: id.unwrap_or_default().to_owned(),
        form,
        owners,
        owner_error,
        discovered: doc.get("discovery").is_some_and(Value::is_object),
    })?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /{collection}/new` (`?family=` preselects a resource family).
pub async fn new_page(
    State(state): State<WebState>,
    auth: Authed,
    Path(seg): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let mut doc = Map::new();
    if let Some(f) = q
        .get("family")
        .filter(|f| coll.family_scope().contains(Some(f)))
    {
        doc.insert("family".into(), Value::String(f.clone()));
    }
    let family = family_of(coll, None, Some(&doc));
    let heading = format!("New {}", noun(coll, family.as_deref()).to_lowercase());
    form_page(
        &state,
        &auth,
        coll,
        &doc,
        &[],
        None,
        heading,
        StatusCode::OK,
        "",
    )
    .await
}

pub(crate) fn warnings_flash(
    state: &WebState,
    warnings: &[Value],
    done: String,
) -> Vec<axum::http::HeaderValue> {
    let mut messages = vec![Flash::ok(done)];
    for w in warnings {
        let text = w["message"].as_str().unwrap_or("possible duplicate");
        messages.push(Flash::warn(format!(
            "{}: {} — saved anyway.",
            crate::hints::label(w["field"].as_str().unwrap_or("")),
            text
        )));
    }
    vec![session::flash_cookie(&messages, state.secure_cookies)]
}

/// The collection an entity is shown in after a write (a resource may have become a database).
fn home_of(coll: Collection, entity: &Value) -> Collection {
    match coll.kind() {
        maestro_model::schema::Kind::Application => {
            Collection::of(coll.kind(), entity["family"].as_str())
        }
        _ => coll,
    }
}

/// `POST /{collection}`: creates — for the user, or for the team the "Owner" choice names.
pub async fn create(
    State(state): State<WebState>,
    auth: Authed,
    Path(seg): Path<String>,
    Form(form): Form,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let family = family_of(coll, Some(&form), None);
    let doc = decode(coll, family.as_deref(), &form, None);
    let chosen = form.get(owner::FIELD).trim().to_owned();
    let result = match owner::acting(&auth.caller, &form) {
        Ok(caller) => match state
            .core
            .create_entity(&caller, coll, &Value::Object(doc.clone()))
            .await
        {
            Err(CoreError::NotFound(_)) if caller.acting_team.is_some() => {
                Err(vec![FieldError::new(
                    owner::FIELD,
                    "you cannot create for this team",
                )])
            }
            Err(CoreError::Invalid(errors)) => Err(errors),
            Err(e) => return Err(e.into()),
            Ok(w) => Ok(w),
        },
        Err(e) => Err(vec![e]),
    };
    match result {
        Ok(w) => {
            let id = w.entity["id"].as_str().unwrap_or_default();
            let name = w.entity["name"].as_str().unwrap_or_default();
            let home = home_of(coll, &w.entity);
            let cookies = warnings_flash(&state, &w.warnings, format!("{name} created."));
            Ok(session::redirect_with(
                &format!("/{}/{id}", home.segment()),
                cookies,
            ))
        }
        Err(errors) => {
            let heading = format!("New {}", noun(coll, family.as_deref()).to_lowercase());
            form_page(
                &state,
                &auth,
                coll,
                &doc,
                &errors,
                None,
                heading,
                StatusCode::UNPROCESSABLE_ENTITY,
                &chosen,
            )
            .await
        }
    }
}

/// `GET /{collection}/{id}/edit`.
pub async fn edit_page(
    State(state): State<WebState>,
    auth: Authed,
    Path((seg, raw_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let id = super::entity_id(&raw_id)?;
    let entity = state.core.get_entity(&auth.caller, coll, id).await?;
    let doc = entity.as_object().cloned().unwrap_or_default();
    let heading = format!("Edit {}", entity["name"].as_str().unwrap_or("?"));
    form_page(
        &state,
        &auth,
        coll,
        &doc,
        &[],
        Some(&id.to_string()),
        heading,
        StatusCode::OK,
        "",
    )
    .await
}

/// `POST /{collection}/{id}`: applies the form as a merge patch.
pub async fn update(
    State(state): State<WebState>,
    auth: Authed,
    Path((seg, raw_id)): Path<(String, String)>,
    Form(form): Form,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let id = super::entity_id(&raw_id)?;
    let entity = state.core.get_entity(&auth.caller, coll, id).await?;
    let original = entity.as_object().cloned().unwrap_or_default();
    let family = family_of(coll, Some(&form), Some(&original));
    let patch = decode(coll, family.as_deref(), &form, Some(&original));
    let patch = Value::Object(patch);
    match state
        .core
        .patch_entity(&auth.caller, coll, id, &patch)
        .await
    {
        Ok(w) => {
            let name = w.entity["name"].as_str().unwrap_or_default();
            let home = home_of(coll, &w.entity);
            let cookies = warnings_flash(&state, &w.warnings, format!("{name} saved."));
            Ok(session::redirect_with(
                &format!("/{}/{id}", home.segment()),
                cookies,
            ))
        }
        Err(CoreError::Invalid(errors)) => {
            let mut shown = entity.clone();
            maestro_model::patch::merge_patch(&mut shown, &patch);
            let doc = shown.as_object().cloned().unwrap_or_default();
            let heading = format!("Edit {}", entity["name"].as_str().unwrap_or("?"));
            form_page(
                &state,
                &auth,
                coll,
                &doc,
                &errors,
                Some(&id.to_string()),
                heading,
                StatusCode::UNPROCESSABLE_ENTITY,
                "",
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /{collection}/{id}/delete`.
pub async fn delete(
    State(state): State<WebState>,
    auth: Authed,
    Path((seg, raw_id)): Path<(String, String)>,
    Form(_): Form,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let id = super::entity_id(&raw_id)?;
    state.core.delete_entity(&auth.caller, coll, id).await?;
    let flash = session::flash_cookie(
        &[Flash::ok("Deleted. You can restore it from this page.")],
        state.secure_cookies,
    );
    Ok(session::redirect_with(
        &format!("/{}/{id}", coll.segment()),
        vec![flash],
    ))
}

/// `POST /{collection}/{id}/restore`.
pub async fn restore(
    State(state): State<WebState>,
    auth: Authed,
    Path((seg, raw_id)): Path<(String, String)>,
    Form(_): Form,
) -> WebResult<Response> {
    let coll = super::collection(&seg)?;
    let id = super::entity_id(&raw_id)?;
    let w = state.core.restore_entity(&auth.caller, coll, id).await?;
    let cookies = warnings_flash(&state, &w.warnings, "Restored.".into());
    Ok(session::redirect_with(
        &format!("/{}/{id}", coll.segment()),
        cookies,
    ))
}
