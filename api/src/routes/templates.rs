//! Message templates: listed for the picker, written and submitted from the app, re-read from
//! Meta on demand.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::permissions::Permission;
use chorus_tenants::templates::{self, NewTemplate, Template, TemplateFilter};
use chorus_tenants::whatsapp::Lang;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TemplateList {
    pub items: Vec<Template>,
    /// Always null: every template is in one page.
    pub next_cursor: Option<String>,
}

/// Templates of the business's WABAs (of one number's WABA with `number_id`).
#[utoipa::path(tag = "templates", params(TemplateFilter), security(("bearer" = [])),
    responses((status = 200, body = TemplateList), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/templates")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<TemplateFilter>,
) -> ApiResult<HttpResponse> {
    let filter = q.into_inner();
    let items = state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            auth.actor(tx).await?;
            templates::list(tx, &filter).await
        })
        .await?;
    Ok(HttpResponse::Ok().json(TemplateList {
        items,
        next_cursor: None,
    }))
}

/// Write a template and submit it to Meta for review (the sandbox number approves at once).
#[utoipa::path(tag = "templates", request_body = NewTemplate, security(("bearer" = [])),
    responses((status = 201, body = Template), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/templates")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewTemplate>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let (name, language, category, format) = input.check()?;
    let number_id = input.number_id;
    let (number, sealed) = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                auth.actor(tx).await?.require(Permission::NumbersManage)?;
                let number = chorus_tenants::numbers::get(tx, number_id).await?;
                if templates::exists(tx, &number.waba_id, &name, &language).await? {
                    return Err(chorus_tenants::Error::conflict(
                        "conflict",
                        "A template with this name and language already exists.",
                    ));
                }
                let sealed = chorus_tenants::numbers::sealed_token(tx, number_id).await?;
                Ok((number, sealed))
            },
        )
        .await?;
    let (meta_id, status) = if number.sandbox {
        (
            format!("sandbox-{}", Uuid::now_v7().simple()),
            "APPROVED".to_owned(),
        )
    } else {
        let Some(sealed) = sealed else {
            return Err(chorus_tenants::Error::Unprocessable {
                code: "number_not_connected",
                message: "This number has no access token: reconnect it first.".into(),
            }
            .into());
        };
        let token = state
            .secrets
            .open(&sealed)
            .and_then(|t| Ok(String::from_utf8(t)?))
            .map_err(chorus_tenants::Error::Internal)?;
        let created = state
            .graph
            .create_template(
                &number.waba_id,
                &token,
                &input.meta_body(&name, &language, &category, format),
            )
            .await
            .map_err(|e| chorus_tenants::Error::Unprocessable {
                code: "template_refused",
                message: format!("Meta did not accept the template: {}", e.explain(Lang::En)),
            })?;
        (
            created.id,
            created.status.unwrap_or_else(|| "PENDING".into()),
        )
    };
    let template = state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            let actor = auth.actor(tx).await?;
            templates::insert_created(
                tx,
                &actor,
                &number.waba_id,
                &meta_id,
                &status,
                &category,
                &input,
                (&name, &language, format),
            )
            .await
        })
        .await?;
    Ok(HttpResponse::Created().json(template))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBody {
    pub number_id: Uuid,
}

/// Re-read a number's templates from Meta now (also done on connect, every 6 hours and when
/// Meta reports a change).
#[utoipa::path(tag = "templates", request_body = SyncBody, security(("bearer" = [])),
    responses((status = 202), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/templates/sync")]
pub async fn sync(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<SyncBody>,
) -> ApiResult<HttpResponse> {
    let number_id = body.number_id;
    state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<()> {
                auth.actor(tx).await?.require(Permission::NumbersManage)?;
                chorus_tenants::numbers::get(tx, number_id).await?;
                templates::queue_sync(tx, number_id, None).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Accepted().finish())
}
