//! Roles: built-in and custom.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::RoleId;
use chorus_tenants::people::roles::{self, NewRole, Role, RoleChanges};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "people", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Role>), (status = 401, body = crate::error::ErrorBody)))]
#[get("/roles")]
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
                roles::list(tx, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(tag = "people", request_body = NewRole, security(("bearer" = [])),
    responses((status = 201, body = Role), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/roles")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewRole>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let created = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                roles::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "people", request_body = RoleChanges, security(("bearer" = [])),
    responses((status = 200, body = Role), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/roles/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<RoleId>,
    body: Json<RoleChanges>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let changes = body.into_inner();
    let updated = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                roles::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(tag = "people", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[delete("/roles/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<RoleId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                roles::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
