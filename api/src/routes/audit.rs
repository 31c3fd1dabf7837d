//! The audit log (read-only).

use actix_web::{HttpResponse, get, web};

use chorus_tenants::audit::{self, AuditRecord};
use chorus_tenants::db::TenantTx;
use chorus_tenants::permissions::Permission;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "audit", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<AuditRecord>), (status = 403, body = crate::error::ErrorBody)))]
#[get("/audit-log")]
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
                let actor = auth.actor(tx).await?;
                actor.require(Permission::AuditView)?;
                audit::list(tx, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
