//! WhatsApp numbers of the business.

use actix_web::{HttpResponse, delete, get, post, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::numbers::{self, Number};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "numbers", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Number>), (status = 401, body = crate::error::ErrorBody)))]
#[get("/numbers")]
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
                auth.actor(tx).await?;
                numbers::list(tx, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Connect a number by hand: Meta is asked about it (`GET /{phone-number-id}` with the token)
/// before anything is saved; the token is stored encrypted.
#[utoipa::path(tag = "numbers", request_body = numbers::ManualConnection, security(("bearer" = [])),
    responses((status = 201, body = Number), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/numbers")]
pub async fn connect(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::json::Json<numbers::ManualConnection>,
) -> ApiResult<HttpResponse> {
    use chorus_tenants::permissions::Permission;
    let input = body.into_inner();
    input.check()?;
    // Only people who may manage numbers make us call Meta.
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<()> {
                auth.actor(tx).await?.require(Permission::NumbersManage)
            },
        )
        .await?;
    let profile = state
        .graph
        .get_phone_number(input.phone_number_id.trim(), input.access_token.trim())
        .await
        .map_err(|e| {
            chorus_tenants::Error::invalid(
                "access_token",
                format!(
                    "Meta did not confirm this number with this token: {}",
                    e.explain(chorus_tenants::whatsapp::Lang::En)
                ),
            )
        })?;
    let sealed = state
        .secrets
        .seal(input.access_token.trim().as_bytes())
        .map_err(chorus_tenants::Error::Internal)?;
    let number = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                numbers::connect(tx, &actor, &input, &profile, sealed).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Created().json(number))
}

/// Disconnect a number; its history stays.
#[utoipa::path(tag = "numbers", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[delete("/numbers/{id}")]
pub async fn disconnect(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                numbers::disconnect(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Whether Embedded Signup ("Connect with Facebook") is available, and what the portal needs to
/// start it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmbeddedSignupConfig {
    pub enabled: bool,
    pub app_id: Option<String>,
    pub config_id: Option<String>,
    pub graph_version: String,
}

#[utoipa::path(tag = "numbers", security(("bearer" = [])),
    responses((status = 200, body = EmbeddedSignupConfig), (status = 401, body = crate::error::ErrorBody)))]
#[get("/numbers/embedded-signup")]
pub async fn embedded_signup_config(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> ApiResult<HttpResponse> {
    state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            auth.actor(tx).await.map(|_| ())
        })
        .await?;
    let c = &state.config;
    Ok(HttpResponse::Ok().json(EmbeddedSignupConfig {
        enabled: c.meta_app_id.is_some() && c.meta_app_secret.is_some(),
        app_id: c.meta_app_id.clone(),
        config_id: c.meta_config_id.clone(),
        graph_version: c.graph_api_version.clone(),
    }))
}

/// What the portal gets back from Meta's Embedded Signup popup.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedSignup {
    /// The code from `FB.login` (valid for a few minutes, single use).
    pub code: String,
    pub waba_id: String,
    pub phone_number_id: String,
    /// The number's 6-digit two-step verification PIN (set here if it has none).
    pub pin: String,
}

/// Finish Embedded Signup: exchange the code for the business's token, subscribe Chorus's app to
/// the WABA's webhooks, register the number with its PIN, read it back, save it (token
/// encrypted). Any refusal from Meta is a 422 that says which step failed and why.
#[utoipa::path(tag = "numbers", request_body = EmbeddedSignup, security(("bearer" = [])),
    responses((status = 201, body = Number), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/numbers/embedded-signup")]
pub async fn embedded_signup(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::json::Json<EmbeddedSignup>,
) -> ApiResult<HttpResponse> {
    use chorus_tenants::Error;
    use chorus_tenants::permissions::Permission;
    use chorus_tenants::whatsapp::Lang;
    let input = body.into_inner();
    let (Some(app_id), Some(app_secret)) = (
        state.config.meta_app_id.as_deref(),
        state.config.meta_app_secret.as_deref(),
    ) else {
        return Err(Error::Unprocessable {
            code: "embedded_signup_disabled",
            message: "Embedded Signup is not configured on this server (CHORUS_META_APP_ID and CHORUS_META_APP_SECRET). Connect the number by hand instead.".into(),
        }
        .into());
    };
    let manual = numbers::ManualConnection {
        phone_number_id: input.phone_number_id.trim().to_owned(),
        waba_id: input.waba_id.trim().to_owned(),
        // Checked below once Meta gives it; the shape check needs a placeholder.
        access_token: "x".repeat(32),
    };
    manual.check()?;
    let pin = input.pin.trim();
    if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("pin", "The PIN has 6 digits.").into());
    }
    if input.code.trim().is_empty() || input.code.len() > 2048 {
        return Err(Error::invalid("code", "The code from Facebook is missing.").into());
    }
    state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            auth.actor(tx).await?.require(Permission::NumbersManage)
        })
        .await?;
    let step = |what: &'static str| {
        move |e: chorus_tenants::whatsapp::graph::GraphError| Error::Unprocessable {
            code: "embedded_signup_failed",
            message: format!("{what}: {}", e.explain(Lang::En)),
        }
    };
    let token = state
        .graph
        .exchange_code(app_id, app_secret, input.code.trim())
        .await
        .map_err(step(
            "Facebook did not accept the signup code (it lasts a few minutes; start again)",
        ))?;
    state
        .graph
        .subscribe_app(&manual.waba_id, &token.access_token, None)
        .await
        .map_err(step(
            "Subscribing Chorus to the WhatsApp Business Account failed",
        ))?;
    state
        .graph
        .register(&manual.phone_number_id, &token.access_token, pin)
        .await
        .map_err(step("Registering the number failed"))?;
    let profile = state
        .graph
        .get_phone_number(&manual.phone_number_id, &token.access_token)
        .await
        .map_err(step("Meta did not confirm the number"))?;
    let sealed = state
        .secrets
        .seal(token.access_token.as_bytes())
        .map_err(Error::Internal)?;
    let number = state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            let actor = auth.actor(tx).await?;
            numbers::connect(tx, &actor, &manual, &profile, sealed).await
        })
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Created().json(number))
}

/// The number's quality rating and messaging limit, and its failed sends by error code over the
/// last `hours` (24 by default).
#[utoipa::path(tag = "numbers", params(chorus_tenants::quality::QualityQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::quality::NumberQuality), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/numbers/{id}/quality")]
pub async fn quality(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<uuid::Uuid>,
    q: web::Query<chorus_tenants::quality::QualityQuery>,
) -> ApiResult<HttpResponse> {
    let (id, q) = (id.into_inner(), q.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                chorus_tenants::quality::report(tx, &actor, id, q).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
