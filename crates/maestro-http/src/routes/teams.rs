//! Teams over HTTP: CRUD, members, avatar, history, and creating entities owned by a team.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maestro_model::{TeamId, UserId};
use serde_json::Value;

use super::auth::png;
use super::inventory;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, PathParams, QueryPairs, Upload};
use crate::routes::page_json;

fn team_id(p: &PathParams) -> ApiResult<TeamId> {
    p.get(0)
        .parse()
        .map_err(|_| ApiError::bad_request("not a valid team id"))
}

pub async fn list(
    State(s): State<AppState>,
    auth: Auth,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(page_json(s.core.list_teams(&auth.caller, &q).await?))
}

pub async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let team = s.core.create_team(&auth.caller, &body).await?;
    Ok((StatusCode::CREATED, Json(team)).into_response())
}

pub async fn get(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.get_team(&auth.caller, team_id(&p)?).await?))
}

pub async fn update(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        s.core
            .update_team(&auth.caller, team_id(&p)?, &body)
            .await?,
    ))
}

pub async fn delete(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<StatusCode> {
    s.core.delete_team(&auth.caller, team_id(&p)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn members(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(page_json(
        s.core.team_members(&auth.caller, team_id(&p)?, &q).await?,
    ))
}

pub async fn add_member(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        s.core.put_member(&auth.caller, team_id(&p)?, &body).await?,
    ))
}

pub async fn remove_member(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
) -> ApiResult<StatusCode> {
    let user: UserId = p
        .get(1)
        .parse()
        .map_err(|_| ApiError::bad_request("not a valid account id"))?;
    s.core
        .remove_member(&auth.caller, team_id(&p)?, user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn history(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(page_json(
        s.core.team_history(&auth.caller, team_id(&p)?, &q).await?,
    ))
}

pub async fn put_avatar(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    Upload(bytes): Upload,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        s.core
            .set_team_avatar(&auth.caller, team_id(&p)?, &bytes)
            .await?,
    ))
}

pub async fn avatar(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Response> {
    Ok(png(s.core.team_avatar(&auth.caller, team_id(&p)?).await?))
}

/// `POST /teams/{id}/{collection}`: creates an entity owned by the team (write role in it).
pub async fn create_entity(
    State(s): State<AppState>,
    mut auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let team = team_id(&p)?;
    let coll = inventory::collection(p.get(1))?;
    auth.caller.acting_team = Some(team);
    inventory::created(coll, s.core.create_entity(&auth.caller, coll, &body).await?)
}
