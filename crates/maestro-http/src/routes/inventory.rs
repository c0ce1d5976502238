//! The inventory collections (`/api/v1/{collection}`): list, create, read, patch, delete,
//! restore, history and relations — one set of thin handlers for every kind.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maestro_model::EntityId;
use maestro_model::schema::Collection;
use serde_json::Value;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, PathParams, QueryPairs};

pub(crate) fn collection(segment: &str) -> ApiResult<Collection> {
    Collection::parse(segment)
        .ok_or_else(|| ApiError::not_found(format!("no collection named {segment:?}")))
}

pub(crate) fn entity_id(raw: &str) -> ApiResult<EntityId> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "{:?} is not a valid id",
            raw.chars().take(64).collect::<String>()
        ))
    })
}

fn target(p: &PathParams) -> ApiResult<(Collection, EntityId)> {
    Ok((collection(p.get(0))?, entity_id(p.get(1))?))
}

pub async fn list(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    let coll = collection(p.get(0))?;
    let page = s.core.list_entities(&auth.caller, coll, &q).await?;
    Ok(Json(serde_json::to_value(page).unwrap_or_default()))
}

pub async fn create(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let coll = collection(p.get(0))?;
    created(coll, s.core.create_entity(&auth.caller, coll, &body).await?)
}

/// 201 with the entity (and its warnings) and a `Location` header.
pub(crate) fn created(
    coll: Collection,
    written: maestro_core::inventory::Written,
) -> ApiResult<Response> {
    let id = written.entity["id"].as_str().unwrap_or_default().to_owned();
    let mut res = (StatusCode::CREATED, Json(written.into_json())).into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/{}/{id}", coll.segment())) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(res)
}

pub async fn get(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    Ok(Json(s.core.get_entity(&auth.caller, coll, id).await?))
}

pub async fn patch(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    Ok(Json(
        s.core
            .patch_entity(&auth.caller, coll, id, &body)
            .await?
            .into_json(),
    ))
}

pub async fn delete(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<StatusCode> {
    let (coll, id) = target(&p)?;
    s.core.delete_entity(&auth.caller, coll, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn restore(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    Ok(Json(
        s.core
            .restore_entity(&auth.caller, coll, id)
            .await?
            .into_json(),
    ))
}

pub async fn history(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    let page = s.core.entity_history(&auth.caller, coll, id, &q).await?;
    Ok(Json(serde_json::to_value(page).unwrap_or_default()))
}

pub async fn relations(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    Ok(Json(
        s.core.entity_relations(&auth.caller, coll, id, &q).await?,
    ))
}

pub async fn grants(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    Ok(Json(s.core.get_grants(&auth.caller, coll, id).await?))
}

pub async fn put_grants(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    Ok(Json(
        s.core.put_grants(&auth.caller, coll, id, &body).await?,
    ))
}

pub async fn put_owner(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (coll, id) = target(&p)?;
    Ok(Json(s.core.put_owner(&auth.caller, coll, id, &body).await?))
}
