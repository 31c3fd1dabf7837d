//! Canned responses: shared and personal saved replies.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use chorus_tenants::canned::{
    self, CannedChanges, CannedFilter, CannedList, CannedResponse, NewCanned,
};
use chorus_tenants::db::TenantTx;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// Shared replies and the caller's own; with `conversation_id`, each is filled in for it.
#[utoipa::path(tag = "inbox", params(CannedFilter), security(("bearer" = [])),
    responses((status = 200, body = CannedList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/canned-responses")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<CannedFilter>,
) -> ApiResult<HttpResponse> {
    let filter = q.into_inner();
    let list = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                canned::list(tx, &actor, &filter).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(tag = "inbox", request_body = NewCanned, security(("bearer" = [])),
    responses((status = 201, body = CannedResponse), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/canned-responses")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewCanned>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let created = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                canned::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "inbox", request_body = CannedChanges, security(("bearer" = [])),
    responses((status = 200, body = CannedResponse), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/canned-responses/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<CannedChanges>,
) -> ApiResult<HttpResponse> {
    let (id, changes) = (id.into_inner(), body.into_inner());
    let updated = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                canned::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/canned-responses/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                canned::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
