//! Workflow settings: the window warning's lead time and auto-resolve after customer silence
//! (see `chorus_tenants::idle`), and the opt-out keywords (`chorus_tenants::consent`).

use actix_web::{HttpResponse, get, put, web};

use chorus_tenants::consent::{self, OptOutKeywords};
use chorus_tenants::db::TenantTx;
use chorus_tenants::idle::{self, WorkflowSettings};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = WorkflowSettings), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/settings/workflow")]
pub async fn view(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                idle::get(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[utoipa::path(tag = "settings", request_body = WorkflowSettings, security(("bearer" = [])),
    responses((status = 200, body = WorkflowSettings), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/settings/workflow")]
pub async fn save(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<WorkflowSettings>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                idle::save(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The opt-out keywords in force (a message that is exactly one of them opts the customer out).
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = OptOutKeywords), (status = 403, body = crate::error::ErrorBody)))]
#[get("/settings/opt-out-keywords")]
pub async fn keywords(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                consent::get_keywords(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Replace the opt-out keywords (`null` restores STOP, BAJA, CANCELAR, UNSUBSCRIBE; `[]` turns
/// keyword opt-outs off).
#[utoipa::path(tag = "settings", request_body = OptOutKeywords, security(("bearer" = [])),
    responses((status = 200, body = OptOutKeywords), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/settings/opt-out-keywords")]
pub async fn set_keywords(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<OptOutKeywords>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                consent::set_keywords(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
