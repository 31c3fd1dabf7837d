//! Contacts: a customer's profile, tags and conversations.

use actix_web::{HttpResponse, get, put, web};
use uuid::Uuid;

use chorus_tenants::contacts::{self, Contact};
use chorus_tenants::db::TenantTx;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::TagIds;
use crate::state::AppState;

#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/contacts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::get(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

/// Replace the contact's tags.
#[utoipa::path(tag = "inbox", request_body = TagIds, security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/contacts/{id}/tags")]
pub async fn set_tags(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<TagIds>,
) -> ApiResult<HttpResponse> {
    let (id, tags) = (id.into_inner(), body.into_inner().tag_ids);
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::set_tags(tx, &actor, id, tags).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}
