//! Conversations and their messages.

use actix_web::{HttpResponse, get, patch, post, put, web};
use uuid::Uuid;

use chorus_tenants::conversations::{self, Conversation, ConversationPage, ListFilter};
use chorus_tenants::db::TenantTx;
use chorus_tenants::messages::{self, Message};
use chorus_tenants::outbound::{self, NewMessage};
use chorus_tenants::presence::SendGuard;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::{ListQuery, TagIds};
use crate::state::AppState;

#[utoipa::path(tag = "inbox", params(ListFilter), security(("bearer" = [])),
    responses((status = 200, body = ConversationPage), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/conversations")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ListFilter>,
) -> ApiResult<HttpResponse> {
    let filter = q.into_inner();
    let page = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                conversations::list(tx, &actor, &filter).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 200, body = Conversation), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/conversations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let conversation = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                conversations::get_with_viewers(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(conversation))
}

#[utoipa::path(tag = "inbox", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Message>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/conversations/{id}/messages")]
pub async fn messages_list(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let page = q.page()?;
    let result = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                messages::list(tx, &actor, id, page).await
            },
        )
        .await?;
    let mut result = result;
    for m in &mut result.items {
        m.sign_media(&state.media, auth.tenant);
    }
    Ok(HttpResponse::Ok().json(result))
}

/// Send a message: text (the default `type`), a file, a template, reply buttons, a list, a
/// reaction or a location. Anything but a template is refused with 422 `window_closed` once the
/// 24-hour window has closed; template values that do not fit the template are 422
/// `template_parameters`.
#[utoipa::path(tag = "inbox", request_body = NewMessage, security(("bearer" = [])),
    responses((status = 202, body = Message), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/conversations/{id}/messages")]
pub async fn send(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (guard, body) = send_guard(body.into_inner())?;
    let input = NewMessage::from_json(body)?;
    let mut message = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                outbound::queue(tx, &actor, id, input, &guard).await
            },
        )
        .await?;
    message.sign_media(&state.media, auth.tenant);
    state.jobs_enqueued();
    Ok(HttpResponse::Accepted().json(message))
}

/// Take the collision guard's fields (`last_seen_message_id`, `force`) off a send's body; the
/// rest is the message.
fn send_guard(
    mut body: serde_json::Value,
) -> chorus_tenants::Result<(SendGuard, serde_json::Value)> {
    let mut guard = SendGuard::default();
    if let Some(obj) = body.as_object_mut() {
        match obj.remove("last_seen_message_id") {
            None | Some(serde_json::Value::Null) => {}
            Some(v) => {
                guard.last_seen_message_id = Some(serde_json::from_value(v).map_err(|_| {
                    chorus_tenants::Error::invalid(
                        "last_seen_message_id",
                        "last_seen_message_id is a message id.",
                    )
                })?)
            }
        }
        match obj.remove("force") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::Bool(b)) => guard.force = b,
            Some(_) => {
                return Err(chorus_tenants::Error::invalid(
                    "force",
                    "force is true or false.",
                ));
            }
        }
    }
    Ok((guard, body))
}

/// Replace the conversation's tags.
#[utoipa::path(tag = "inbox", request_body = TagIds, security(("bearer" = [])),
    responses((status = 200, body = Conversation), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/conversations/{id}/tags")]
pub async fn set_tags(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<TagIds>,
) -> ApiResult<HttpResponse> {
    let (id, tags) = (id.into_inner(), body.into_inner().tag_ids);
    let conversation = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                conversations::set_tags(tx, &actor, id, tags).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(conversation))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    /// Also show the customer the typing indicator (needs conversations:reply).
    #[serde(default)]
    pub typing: bool,
}

/// The agent opened (or is typing in) the conversation: the customer sees blue ticks (and the
/// typing indicator). Sent by the worker; 202 whether or not there was anything to mark.
#[utoipa::path(tag = "inbox", request_body = ReadBody, security(("bearer" = [])),
    responses((status = 202), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/conversations/{id}/read")]
pub async fn read(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<ReadBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let typing = body.typing;
    let queued = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                messages::queue_read(tx, &actor, id, typing).await
            },
        )
        .await?;
    if queued {
        state.jobs_enqueued();
    }
    Ok(HttpResponse::Accepted().finish())
}

/// Resolve, reopen, set pending; claim, assign, transfer or unassign.
#[utoipa::path(tag = "inbox", request_body = conversations::ConversationChanges, security(("bearer" = [])),
    responses((status = 200, body = Conversation), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/conversations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<conversations::ConversationChanges>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let changes = body.into_inner();
    let conversation = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                conversations::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(conversation))
}
