//! The knowledge base: questions and answers bots answer from, with a "try it" search.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::knowledge::{self, KbChanges, KbEntry, KbList, KbQuery, KbSearch, NewKbEntry};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// Every entry (readable by anyone who reads conversations, and by `settings:manage`).
#[utoipa::path(tag = "bots", security(("bearer" = [])),
    responses((status = 200, body = KbList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/knowledge")]
pub async fn list(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let list = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                knowledge::list(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The best entries for a text, each with a confidence in 0..1 (see docs/architecture.md).
#[utoipa::path(tag = "bots", params(KbQuery), security(("bearer" = [])),
    responses((status = 200, body = KbSearch), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/knowledge/search")]
pub async fn search(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<KbQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let found = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                knowledge::search_for(tx, &actor, &q).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(tag = "bots", request_body = NewKbEntry, security(("bearer" = [])),
    responses((status = 201, body = KbEntry), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/knowledge")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewKbEntry>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let created = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                knowledge::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "bots", request_body = KbChanges, security(("bearer" = [])),
    responses((status = 200, body = KbEntry), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/knowledge/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<KbChanges>,
) -> ApiResult<HttpResponse> {
    let (id, changes) = (id.into_inner(), body.into_inner());
    let updated = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                knowledge::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(tag = "bots", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/knowledge/{id}")]
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
                knowledge::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
