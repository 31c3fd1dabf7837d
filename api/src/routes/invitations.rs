//! Invitations (the accept side is public: see `accounts`).

use actix_web::{HttpResponse, delete, get, post, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::InvitationId;
use chorus_tenants::people::invitations::{self, Invitation, NewInvitation};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "people", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Invitation>), (status = 403, body = crate::error::ErrorBody)))]
#[get("/invitations")]
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
                invitations::list(tx, &actor, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(tag = "people", request_body = NewInvitation, security(("bearer" = [])),
    responses((status = 201, body = Invitation), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/invitations")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewInvitation>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let public_url = state.public_url().to_owned();
    let invitation = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                invitations::create(tx, &actor, input, &public_url).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Created().json(invitation))
}

#[utoipa::path(tag = "people", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[delete("/invitations/{id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<InvitationId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                invitations::revoke(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
