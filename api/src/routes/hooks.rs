//! Outgoing webhook endpoints and their delivery logs (see `chorus_tenants::hooks`). All of it
//! needs settings:manage. URLs are checked (public addresses only) before the transaction opens,
//! since checking resolves the host name.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::hooks::{
    self, CheckedUrl, Delivery, DeliveryFilter, Endpoint, EndpointChanges, EndpointInput,
    EndpointList, EndpointWithSecret,
};
use chorus_tenants::permissions::Permission;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// Checked before a URL is resolved, so a person who may not manage settings learns nothing
/// about hosts.
async fn may_manage(state: &AppState, auth: &Authenticated) -> ApiResult<()> {
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<()> {
                auth.actor(tx).await?.require(Permission::SettingsManage)
            },
        )
        .await?;
    Ok(())
}

/// The business's webhook endpoints, and the events they may subscribe to.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = EndpointList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/webhook-endpoints")]
pub async fn list(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::list(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Register a URL. The answer carries the signing secret, shown only now.
#[utoipa::path(tag = "settings", request_body = EndpointInput, security(("bearer" = [])),
    responses((status = 201, body = EndpointWithSecret), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/webhook-endpoints")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<EndpointInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    may_manage(&state, &auth).await?;
    let url = CheckedUrl::check(state.hooks.policy(), &input.url).await?;
    let secrets = state.secrets.clone();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::create(tx, &actor, &secrets, url, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(v))
}

#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Endpoint), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/webhook-endpoints/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::get(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Change the URL, description, events or on/off.
#[utoipa::path(tag = "settings", request_body = EndpointChanges, security(("bearer" = [])),
    responses((status = 200, body = Endpoint), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/webhook-endpoints/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<EndpointChanges>,
) -> ApiResult<HttpResponse> {
    let (id, changes) = (id.into_inner(), body.into_inner());
    may_manage(&state, &auth).await?;
    let url = match changes.url.as_deref() {
        Some(u) => Some(CheckedUrl::check(state.hooks.policy(), u).await?),
        None => None,
    };
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::update(tx, &actor, id, url, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Remove the endpoint and its delivery log.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/webhook-endpoints/{id}")]
pub async fn remove(
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
                hooks::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret (the old one stops working at once).
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = EndpointWithSecret), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/webhook-endpoints/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let secrets = state.secrets.clone();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::rotate_secret(tx, &actor, &secrets, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Send a `ping` event now.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 202, body = Delivery), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/webhook-endpoints/{id}/ping")]
pub async fn ping(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::ping(tx, &actor, id).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Accepted().json(v))
}

/// The endpoint's deliveries, newest first (cursor pagination; `?state=` filters).
#[utoipa::path(tag = "settings", params(DeliveryFilter), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Delivery>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/webhook-endpoints/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    filter: web::Query<DeliveryFilter>,
) -> ApiResult<HttpResponse> {
    let (id, filter) = (id.into_inner(), filter.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::deliveries(tx, &actor, id, filter).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Send a delivery's event again (a new delivery with the same event id and data).
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 202, body = Delivery), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                hooks::redeliver(tx, &actor, id, delivery).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Accepted().json(v))
}
