//! Collision protection: who is viewing a conversation, and the composer lease (who is typing a
//! reply). Both are heartbeats with a short life, kept in the database so every server agrees.

use actix_web::{HttpResponse, delete, post, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::presence;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

/// I have this conversation open (renew every 10 s; it lapses after 30 s).
#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/conversations/{id}/viewing")]
pub async fn view(
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
                presence::view(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/conversations/{id}/viewing")]
pub async fn leave(
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
                presence::leave(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// I am typing a reply: take or renew the composer lease (15 s; renew every 5 s). 409
/// `composer_locked` names the agent who holds it.
#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[post("/conversations/{id}/typing")]
pub async fn type_reply(
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
                presence::take_lease(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/conversations/{id}/typing")]
pub async fn stop_typing(
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
                presence::release_lease(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
