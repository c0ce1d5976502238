//! Discovery over HTTP: "sync now" on a connection, its tasks with their status and switches,
//! and what each provider offers (tasks, the permissions they need, AWS's read-only policy).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maestro_core::discovery::DiscoveryService;
use maestro_model::schema::Collection;
use serde_json::{Value, json};

use super::inventory::{collection, entity_id};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, OptionalJsonBody, PathParams};

fn service(s: &AppState) -> ApiResult<&DiscoveryService> {
    s.discovery
        .as_ref()
        .ok_or_else(|| ApiError::not_found("discovery is not available in this process"))
}

/// Only connections have tasks and syncs.
fn connection(p: &PathParams) -> ApiResult<maestro_model::EntityId> {
    if collection(p.get(0))? != Collection::Connections {
        return Err(ApiError::not_found("no such route"));
    }
    entity_id(p.get(1))
}

/// `POST /connections/{id}/sync` → 202 `{"job": …, "queued": true|false}` (false: the sync
/// already queued or running for this connection).
pub async fn sync(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    OptionalJsonBody(body): OptionalJsonBody,
) -> ApiResult<Response> {
    let id = connection(&p)?;
    let (job, queued) = service(&s)?.sync_now(&auth.caller, id, &body).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"job": job, "queued": queued})),
    )
        .into_response())
}

pub async fn tasks(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Json<Value>> {
    let id = connection(&p)?;
    Ok(Json(service(&s)?.tasks(&auth.caller, id).await?))
}

pub async fn update_task(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let id = connection(&p)?;
    Ok(Json(
        service(&s)?
            .update_task(&auth.caller, id, p.get(2), &body)
            .await?,
    ))
}

/// `GET /discovery/providers`: each provider's tasks, and for AWS the read-only IAM policy.
pub async fn providers(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<Value>> {
    let items = service(&s)?.providers().await?;
    let total = items.len();
    Ok(Json(
        json!({"items": items, "total": total, "page": 1, "limit": total.max(1)}),
    ))
}
