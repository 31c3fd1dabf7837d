//! Business hours, the greeting and the away message.

use actix_web::{HttpResponse, delete, get, put, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::hours::{self, HoursList, HoursSettings, HoursView};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// The business's schedule and the numbers' own, each with `open_now`.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = HoursList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/business-hours")]
pub async fn list(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let list = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hours::list(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Set the business's schedule (no `number_id`) or a number's own.
#[utoipa::path(tag = "settings", request_body = HoursSettings, security(("bearer" = [])),
    responses((status = 200, body = HoursView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/business-hours")]
pub async fn save(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<HoursSettings>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let saved = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hours::save(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// A number follows the business's schedule again.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/business-hours/numbers/{number_id}")]
pub async fn remove_number(
    state: web::Data<AppState>,
    auth: Authenticated,
    number: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let number = number.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hours::remove_number(tx, &actor, number).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
