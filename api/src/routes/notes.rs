//! Internal notes with @mentions, and who can be mentioned.

use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::messages::Message;
use chorus_tenants::notes::{self, Mentionables, NewNote};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// Add an internal note (never sent to the customer). Mentioned agents, and the members of
/// mentioned teams, are notified.
#[utoipa::path(tag = "inbox", request_body = NewNote, security(("bearer" = [])),
    responses((status = 201, body = Message), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/conversations/{id}/notes")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<NewNote>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let note = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                notes::create(tx, &actor, id, input).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Created().json(note))
}

/// Agents and teams a note can mention.
#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 200, body = Mentionables), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/mentionables")]
pub async fn mentionables(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> ApiResult<HttpResponse> {
    let list = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                notes::mentionables(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
