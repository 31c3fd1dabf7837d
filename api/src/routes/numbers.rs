//! WhatsApp numbers of the business.

use actix_web::{HttpResponse, get, web};

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
