//! Tags.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TagId;
use chorus_tenants::tags::{self, NewTag, Tag, TagChanges};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "tags", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Tag>), (status = 401, body = crate::error::ErrorBody)))]
#[get("/tags")]
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
                tags::list(tx, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(tag = "tags", request_body = NewTag, security(("bearer" = [])),
    responses((status = 201, body = Tag), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/tags")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewTag>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let created = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                tags::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "tags", request_body = TagChanges, security(("bearer" = [])),
    responses((status = 200, body = Tag), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/tags/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<TagId>,
    body: Json<TagChanges>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let changes = body.into_inner();
    let updated = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                tags::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(tag = "tags", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[delete("/tags/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<TagId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                tags::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
