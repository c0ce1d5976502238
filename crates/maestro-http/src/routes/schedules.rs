//! Schedules over HTTP: CRUD (PATCH is a JSON merge patch), run now, history. Thin handlers
//! over [`maestro_core::jobs::Jobs`].

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maestro_core::jobs::ScheduleId;
use serde_json::Value;

use super::jobs::{path_id, service};
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, PathParams, QueryPairs};
use crate::routes::page_json;

pub async fn list(
    State(s): State<AppState>,
    auth: Auth,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(page_json(
        service(&s)?.list_schedules(&auth.caller, &q).await?,
    ))
}

pub async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let schedule = service(&s)?.create_schedule(&auth.caller, &body).await?;
    let mut res = (StatusCode::CREATED, Json(schedule.clone())).into_response();
    if let Some(id) = schedule["id"].as_str()
        && let Ok(v) = HeaderValue::from_str(&format!("/api/v1/schedules/{id}"))
    {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

pub async fn get(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Json<Value>> {
    let id: ScheduleId = path_id(p.get(0))?;
    Ok(Json(service(&s)?.get_schedule(&auth.caller, id).await?))
}

pub async fn patch(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let id: ScheduleId = path_id(p.get(0))?;
    Ok(Json(
        service(&s)?
            .update_schedule(&auth.caller, id, &body)
            .await?,
    ))
}

pub async fn delete(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<StatusCode> {
    let id: ScheduleId = path_id(p.get(0))?;
    service(&s)?.delete_schedule(&auth.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /schedules/{id}/run`: 202 with the queued job.
pub async fn run(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Response> {
    let id: ScheduleId = path_id(p.get(0))?;
    let job = service(&s)?.run_schedule(&auth.caller, id).await?;
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

pub async fn history(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    let id: ScheduleId = path_id(p.get(0))?;
    Ok(page_json(
        service(&s)?.schedule_history(&auth.caller, id, &q).await?,
    ))
}
