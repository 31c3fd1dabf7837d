//! Teams and their members.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TeamId;
use chorus_tenants::people::teams::{self, NewTeam, Team, TeamChanges};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "people", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Team>), (status = 401, body = crate::error::ErrorBody)))]
#[get("/teams")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let page = q.page()?;
    let result = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                auth.actor(tx).await?;
                teams::list(tx, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(tag = "people", request_body = NewTeam, security(("bearer" = [])),
    responses((status = 201, body = Team), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/teams")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewTeam>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let created = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                teams::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "people", request_body = TeamChanges, security(("bearer" = [])),
    responses((status = 200, body = Team), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/teams/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<TeamId>,
    body: Json<TeamChanges>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let changes = body.into_inner();
    let updated = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                teams::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(tag = "people", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[delete("/teams/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<TeamId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                teams::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
