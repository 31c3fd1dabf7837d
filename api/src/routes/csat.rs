//! CSAT settings and a conversation's surveys (see `chorus_tenants::csat`).

use actix_web::{HttpResponse, get, put, web};
use uuid::Uuid;

use chorus_tenants::csat::{self, CsatSettings, SurveyList};
use chorus_tenants::db::TenantTx;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// Whether resolved conversations ask for a rating, with which question and template.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = CsatSettings), (status = 403, body = crate::error::ErrorBody)))]
#[get("/settings/csat")]
pub async fn get(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                csat::get(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[utoipa::path(tag = "settings", request_body = CsatSettings, security(("bearer" = [])),
    responses((status = 200, body = CsatSettings), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/settings/csat")]
pub async fn put(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<CsatSettings>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                csat::save(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The conversation's satisfaction surveys and their answers, newest first.
#[utoipa::path(tag = "conversations", security(("bearer" = [])),
    responses((status = 200, body = SurveyList), (status = 404, body = crate::error::ErrorBody)))]
#[get("/conversations/{id}/csat")]
pub async fn of_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                csat::of_conversation(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
