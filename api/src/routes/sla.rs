//! SLA policies: the business's ordered response and resolution targets (see
//! `chorus_tenants::sla`). Supervisors may read them; changing them needs settings:manage.

use actix_web::{HttpResponse, delete, get, post, put, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::sla::{self, Policy, PolicyInput, PolicyList, PolicyOrder};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// The SLA policies, in order (the first enabled policy that matches a conversation applies).
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = PolicyList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/sla-policies")]
pub async fn list(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                sla::list(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Add a policy at the end of the list.
#[utoipa::path(tag = "settings", request_body = PolicyInput, security(("bearer" = [])),
    responses((status = 201, body = Policy), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/sla-policies")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<PolicyInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                sla::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// Put the policies in a new order (`ids` names every policy once).
#[utoipa::path(tag = "settings", request_body = PolicyOrder, security(("bearer" = [])),
    responses((status = 200, body = PolicyList), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/sla-policies/order")]
pub async fn order(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<PolicyOrder>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                sla::reorder(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Replace a policy's settings.
#[utoipa::path(tag = "settings", request_body = PolicyInput, security(("bearer" = [])),
    responses((status = 200, body = Policy), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/sla-policies/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<PolicyInput>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                sla::replace(tx, &actor, id, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/sla-policies/{id}")]
pub async fn remove(
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
                sla::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
