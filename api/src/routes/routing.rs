//! Routing settings: each team's assignment mode, the team each number routes to, and each
//! agent's capacity.

use actix_web::{HttpResponse, get, put, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::routing::{self, Capacity, NumberTeam, RoutingView, TeamAssignment};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/routing")]
pub async fn view(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::view(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A team's assignment: manual, round_robin or balanced.
#[utoipa::path(tag = "settings", request_body = TeamAssignment, security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/routing/teams/{id}")]
pub async fn set_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<TeamAssignment>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::set_team(tx, &actor, id, input).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Ok().json(v))
}

/// The team a number's new conversations join.
#[utoipa::path(tag = "settings", request_body = NumberTeam, security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/routing/numbers/{id}")]
pub async fn set_number(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<NumberTeam>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::set_number(tx, &actor, id, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// An agent's capacity (most open conversations given automatically).
#[utoipa::path(tag = "settings", request_body = Capacity, security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/routing/agents/{id}")]
pub async fn set_capacity(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<Capacity>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::set_capacity(tx, &actor, id, input).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Ok().json(v))
}
