//! WhatsApp numbers of the business.

use actix_web::{HttpResponse, delete, get, post, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::numbers::{self, Number};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "numbers", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Number>), (status = 401, body = crate::error::ErrorBody)))]
#[get("/numbers")]
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
                numbers::list(tx, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Connect a number by hand: Meta is asked about it (`GET /{phone-number-id}` with the token)
/// before anything is saved; the token is stored encrypted.
#[utoipa::path(tag = "numbers", request_body = numbers::ManualConnection, security(("bearer" = [])),
    responses((status = 201, body = Number), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/numbers")]
pub async fn connect(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::json::Json<numbers::ManualConnection>,
) -> ApiResult<HttpResponse> {
    use chorus_tenants::permissions::Permission;
    let input = body.into_inner();
    input.check()?;
    // Only people who may manage numbers make us call Meta.
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<()> {
                auth.actor(tx).await?.require(Permission::NumbersManage)
            },
        )
        .await?;
    let profile = state
        .graph
        .get_phone_number(input.phone_number_id.trim(), input.access_token.trim())
        .await
        .map_err(|e| {
            chorus_tenants::Error::invalid(
                "access_token",
                format!(
                    "Meta did not confirm this number with this token: {}",
                    e.explain(chorus_tenants::whatsapp::Lang::En)
                ),
            )
        })?;
    let sealed = state
        .secrets
        .seal(input.access_token.trim().as_bytes())
        .map_err(chorus_tenants::Error::Internal)?;
    let number = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                numbers::connect(tx, &actor, &input, &profile, sealed).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(number))
}

/// Disconnect a number; its history stays.
#[utoipa::path(tag = "numbers", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[delete("/numbers/{id}")]
pub async fn disconnect(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                numbers::disconnect(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
