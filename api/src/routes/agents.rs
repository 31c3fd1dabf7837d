//! Agents of the business (memberships).

use actix_web::{HttpResponse, get, patch, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::MembershipId;
use chorus_tenants::people::agents::{self, Agent, AgentChanges};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::ListQuery;
use crate::state::AppState;

#[utoipa::path(tag = "people", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Agent>), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/agents")]
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
                agents::list(tx, &actor, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[utoipa::path(tag = "people", request_body = AgentChanges, security(("bearer" = [])),
    responses((status = 200, body = Agent), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
#[patch("/agents/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<MembershipId>,
    body: Json<AgentChanges>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let changes = body.into_inner();
    let agent = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                agents::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(agent))
}
