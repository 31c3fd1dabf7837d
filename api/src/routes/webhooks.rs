//! Meta's WhatsApp webhooks: `GET /webhooks/whatsapp` (subscription check) and
//! `POST /webhooks/whatsapp` (events). A POST is checked against `X-Hub-Signature-256` over the
//! raw body (401 when missing or wrong), parsed (400 when malformed, 413 over 3 MB), applied
//! (see `chorus_tenants::ingest`) and only then answered 200; 503 when the database is down so
//! that Meta retries.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};

use chorus_tenants::ingest;
use chorus_tenants::whatsapp::{signature, webhook};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Meta batches up to 1,000 updates per POST; 3 MB is far above that.
pub const BODY_LIMIT: usize = 3 * 1024 * 1024;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Verify {
    #[serde(rename = "hub.mode")]
    pub mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

/// Meta's subscription check: echo `hub.challenge` when the verify token matches.
#[utoipa::path(path = "/webhooks/whatsapp", tag = "webhooks", params(Verify), responses((status = 200, description = "the challenge, as text"), (status = 403, body = crate::error::ErrorBody)))]
#[get("/whatsapp")]
pub async fn verify(state: web::Data<AppState>, q: web::Query<Verify>) -> ApiResult<HttpResponse> {
    let expected = state.config.meta_verify_token.as_deref();
    let ok = q.mode.as_deref() == Some("subscribe")
        && expected.is_some()
        && q.verify_token
            .as_deref()
            .map(str::as_bytes)
            .zip(expected.map(str::as_bytes))
            .is_some_and(|(a, b)| chorus_tenants::crypto::constant_time_eq(a, b));
    match (ok, &q.challenge) {
        (true, Some(challenge)) => Ok(HttpResponse::Ok()
            .content_type("text/plain")
            .body(challenge.clone())),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The verify token does not match.",
        )),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Received {
    pub messages: usize,
    pub duplicates: usize,
    pub statuses: usize,
}

/// Events from Meta.
#[utoipa::path(path = "/webhooks/whatsapp", tag = "webhooks", request_body(content = String, description = "Meta's webhook envelope"),
    responses((status = 200, body = Received), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
#[post("/whatsapp")]
pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_limited(&req, payload, BODY_LIMIT).await?;
    let Some(secret) = state.config.meta_app_secret.as_deref() else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "webhook_not_configured",
            "CHORUS_META_APP_SECRET is not set, so no webhook can be authenticated.",
        ));
    };
    let header = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    signature::verify(secret.as_bytes(), &body, header).map_err(|e| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            format!("{e}"),
        )
    })?;
    deliver(&state, &body).await
}

fn secret_of(state: &AppState, sealed: &[u8]) -> ApiResult<Vec<u8>> {
    Ok(state
        .secrets
        .open(sealed)
        .map_err(chorus_tenants::Error::Internal)?)
}

fn unknown_path() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No business uses this webhook path.",
    )
}

/// Subscription check for a business's own Meta app.
#[utoipa::path(path = "/webhooks/whatsapp/{key}", tag = "webhooks", params(Verify), responses((status = 200, description = "the challenge, as text"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/whatsapp/{key}")]
pub async fn verify_own(
    state: web::Data<AppState>,
    key: web::Path<String>,
    q: web::Query<Verify>,
) -> ApiResult<HttpResponse> {
    let app = chorus_tenants::meta_apps::by_key(&state.store, &key)
        .await?
        .ok_or_else(unknown_path)?;
    let expected = secret_of(&state, &app.verify_token_enc)?;
    let ok = q.mode.as_deref() == Some("subscribe")
        && q.verify_token
            .as_deref()
            .is_some_and(|t| chorus_tenants::crypto::constant_time_eq(t.as_bytes(), &expected));
    match (ok, &q.challenge) {
        (true, Some(challenge)) => Ok(HttpResponse::Ok()
            .content_type("text/plain")
            .body(challenge.clone())),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The verify token does not match.",
        )),
    }
}

/// Events from a business's own Meta app: signed with its app secret, and only ever applied to
/// its own numbers.
#[utoipa::path(path = "/webhooks/whatsapp/{key}", tag = "webhooks", request_body(content = String, description = "Meta's webhook envelope"),
    responses((status = 200, body = Received), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
#[post("/whatsapp/{key}")]
pub async fn receive_own(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_limited(&req, payload, BODY_LIMIT).await?;
    let app = chorus_tenants::meta_apps::by_key(&state.store, &key)
        .await?
        .ok_or_else(unknown_path)?;
    let secret = secret_of(&state, &app.app_secret_enc)?;
    let header = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    signature::verify(&secret, &body, header).map_err(|e| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            format!("{e}"),
        )
    })?;
    deliver_with(&state, &body, Some(app.tenant)).await
}

/// Read a body of at most `limit` bytes (413 in our error shape beyond it).
pub async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> ApiResult<web::Bytes> {
    use futures_util::StreamExt;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is too large.",
        )
    };
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(8192).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "The request body could not be read.",
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parse and apply a verified delivery (also used by the sandbox test phone).
pub async fn deliver(state: &AppState, body: &[u8]) -> ApiResult<HttpResponse> {
    deliver_with(state, body, None).await
}

async fn deliver_with(
    state: &AppState,
    body: &[u8],
    only: Option<chorus_tenants::ids::TenantId>,
) -> ApiResult<HttpResponse> {
    let events = webhook::parse(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_webhook", e.to_string()))?;
    let raw: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let report = match only {
        Some(tenant) => ingest::apply_for(&state.store, tenant, &raw, events).await?,
        None => ingest::apply(&state.store, &raw, events).await?,
    };
    if report.messages > 0 || report.statuses > 0 || report.other > 0 {
        // Media downloads and template syncs wait in the queue.
        state.jobs_enqueued();
    }
    metrics::counter!("chorus_webhook_messages_total").increment(report.messages as u64);
    metrics::counter!("chorus_webhook_duplicates_total").increment(report.duplicates as u64);
    metrics::counter!("chorus_webhook_statuses_total").increment(report.statuses as u64);
    if report.orphans > 0 {
        metrics::counter!("chorus_webhook_orphan_events_total").increment(report.orphans as u64);
    }
    if report.failed > 0 {
        metrics::counter!("chorus_webhook_failed_events_total").increment(report.failed as u64);
    }
    Ok(HttpResponse::Ok().json(Received {
        messages: report.messages,
        duplicates: report.duplicates,
        statuses: report.statuses,
    }))
}
