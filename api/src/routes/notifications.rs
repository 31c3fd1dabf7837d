//! The signed-in member's notifications (mentions, assignments) and their read state.

use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::notifications::{self, NotificationFilter, NotificationPage};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

#[utoipa::path(tag = "inbox", params(NotificationFilter), security(("bearer" = [])),
    responses((status = 200, body = NotificationPage), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/notifications")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<NotificationFilter>,
) -> ApiResult<HttpResponse> {
    let filter = q.into_inner();
    let page = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                notifications::list(tx, &actor, &filter).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/notifications/{id}/read")]
pub async fn read(
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
                notifications::mark_read(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody)))]
#[post("/notifications/read-all")]
pub async fn read_all(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                notifications::mark_all_read(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
