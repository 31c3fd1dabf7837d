//! A business's own Meta app: its app secret and verify token, and the webhook path Meta must
//! call for its numbers.

use actix_web::{HttpResponse, delete, get, put, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::meta_apps::{self, MetaApp, MetaAppInput};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

/// The app in use (Chorus's own when `configured` is false) and the webhook URL to give Meta.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MetaAppView {
    #[serde(flatten)]
    pub app: MetaApp,
    /// The full callback URL for the Meta App Dashboard.
    pub webhook_url: String,
}

fn view(state: &AppState, app: MetaApp) -> MetaAppView {
    MetaAppView {
        webhook_url: format!("{}{}", state.public_url(), app.webhook_path),
        app,
    }
}

#[utoipa::path(tag = "numbers", security(("bearer" = [])),
    responses((status = 200, body = MetaAppView), (status = 403, body = crate::error::ErrorBody)))]
#[get("/meta-app")]
pub async fn get(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let app = state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            auth.actor(tx)
                .await?
                .require(chorus_tenants::permissions::Permission::NumbersManage)?;
            meta_apps::get(tx).await
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&state, app)))
}

/// Use the business's own Meta app: webhooks for its numbers then arrive at its own path,
/// signed with its own app secret.
#[utoipa::path(tag = "numbers", request_body = MetaAppInput, security(("bearer" = [])),
    responses((status = 200, body = MetaAppView), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/meta-app")]
pub async fn set(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<MetaAppInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    input.check()?;
    let seal = |s: &str| {
        state
            .secrets
            .seal(s.trim().as_bytes())
            .map_err(chorus_tenants::Error::Internal)
    };
    let (secret, verify) = (seal(&input.app_secret)?, seal(&input.verify_token)?);
    let app = state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            let actor = auth.actor(tx).await?;
            meta_apps::put(tx, &actor, &input.app_id, secret, verify).await
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&state, app)))
}

/// Back to Chorus's own app and the shared webhook path.
#[utoipa::path(tag = "numbers", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/meta-app")]
pub async fn remove(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            let actor = auth.actor(tx).await?;
            meta_apps::delete(tx, &actor).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
