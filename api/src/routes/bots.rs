//! Bots: triage flows per number (settings), their containment stats (reports), and suggested
//! replies from the optional LLM provider.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Serialize;
use uuid::Uuid;

use chorus_tenants::bots::{self, Bot, BotChanges, BotList, BotStats, NewBot};
use chorus_tenants::db::TenantTx;
use chorus_tenants::knowledge::{self, KbMatch};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// Every bot of the business (`settings:manage` or `reports:view`).
#[utoipa::path(tag = "bots", security(("bearer" = [])),
    responses((status = 200, body = BotList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/bots")]
pub async fn list(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let list = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                bots::list(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Create a bot for a number, or the business default without `number_id` (`settings:manage`).
#[utoipa::path(tag = "bots", request_body = NewBot, security(("bearer" = [])),
    responses((status = 201, body = Bot), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/bots")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewBot>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let created = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                bots::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "bots", security(("bearer" = [])),
    responses((status = 200, body = Bot), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/bots/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let bot = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                bots::get(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(bot))
}

/// Change a bot; switching it off hands its live conversations to people (`settings:manage`).
#[utoipa::path(tag = "bots", request_body = BotChanges, security(("bearer" = [])),
    responses((status = 200, body = Bot), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/bots/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<BotChanges>,
) -> ApiResult<HttpResponse> {
    let (id, changes) = (id.into_inner(), body.into_inner());
    let updated = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                bots::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(tag = "bots", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/bots/{id}")]
pub async fn delete(
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
                bots::delete(tx, &actor, id).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::NoContent().finish())
}

/// Sessions, containment and handover reasons of a bot (`settings:manage` or `reports:view`).
#[utoipa::path(tag = "bots", security(("bearer" = [])),
    responses((status = 200, body = BotStats), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/bots/{id}/stats")]
pub async fn stats(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let stats = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                bots::stats(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(stats))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestedReply {
    /// A reply the agent may edit and send; nothing is sent.
    pub text: String,
    /// The knowledge-base entries it was written from.
    pub kb: Vec<KbMatch>,
}

/// A reply suggested by the LLM provider from the last messages and the knowledge base
/// (`conversations:reply`). 409 `llm_not_configured` when no provider is set up.
#[utoipa::path(tag = "inbox", security(("bearer" = [])),
    responses((status = 200, body = SuggestedReply), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 502, body = crate::error::ErrorBody)))]
#[post("/conversations/{id}/suggested-reply")]
pub async fn suggested_reply(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    // Permission and visibility first (a 404 for another business's id, whatever the config).
    let context = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                knowledge::reply_context(tx, &actor, id).await
            },
        )
        .await?;
    let Some(llm) = &state.llm else {
        return Err(chorus_tenants::Error::conflict(
            "llm_not_configured",
            "Suggested replies need an LLM provider: set CHORUS_LLM_BASE_URL, CHORUS_LLM_API_KEY and CHORUS_LLM_MODEL.",
        )
        .into());
    };
    // The call runs between transactions: no connection or lock is held while it thinks.
    let text = llm.chat(&context.messages, 400).await.map_err(|e| {
        tracing::warn!(error = %e, "suggested reply failed");
        crate::error::ApiError::new(
            actix_web::http::StatusCode::BAD_GATEWAY,
            "llm_failed",
            "The LLM provider did not answer; try again.",
        )
    })?;
    Ok(HttpResponse::Ok().json(SuggestedReply {
        text,
        kb: context.kb,
    }))
}
