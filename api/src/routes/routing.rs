//! Routing settings: each team's assignment mode (and reassignment time), the team each number
//! routes to, each agent's capacity, and the business's ordered routing rules.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::routing::{self, Capacity, NumberTeam, RoutingView, TeamAssignment};
use chorus_tenants::routing_rules::{
    self as rules, NewRule, Rule, RuleChanges, RuleList, RuleOrder,
};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;

#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/routing")]
pub async fn view(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::view(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A team's assignment: manual, round_robin or balanced.
#[utoipa::path(tag = "settings", request_body = TeamAssignment, security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/routing/teams/{id}")]
pub async fn set_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<TeamAssignment>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::set_team(tx, &actor, id, input).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Ok().json(v))
}

/// The team a number's new conversations join.
#[utoipa::path(tag = "settings", request_body = NumberTeam, security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/routing/numbers/{id}")]
pub async fn set_number(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<NumberTeam>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::set_number(tx, &actor, id, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// An agent's capacity (most open conversations given automatically).
#[utoipa::path(tag = "settings", request_body = Capacity, security(("bearer" = [])),
    responses((status = 200, body = RoutingView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/routing/agents/{id}")]
pub async fn set_capacity(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<Capacity>,
) -> ApiResult<HttpResponse> {
    let (id, input) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                routing::set_capacity(tx, &actor, id, input).await
            },
        )
        .await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Ok().json(v))
}

/// The routing rules, in order (the first enabled rule that matches a new conversation wins).
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = RuleList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/routing/rules")]
pub async fn list_rules(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> ApiResult<HttpResponse> {
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                rules::list(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Add a rule at the end of the list.
#[utoipa::path(tag = "settings", request_body = NewRule, security(("bearer" = [])),
    responses((status = 201, body = Rule), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/routing/rules")]
pub async fn create_rule(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewRule>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                rules::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// Put the rules in a new order (`ids` names every rule once).
#[utoipa::path(tag = "settings", request_body = RuleOrder, security(("bearer" = [])),
    responses((status = 200, body = RuleList), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/routing/rules/order")]
pub async fn order_rules(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<RuleOrder>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                rules::reorder(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Change a rule (name, enabled, conditions, actions).
#[utoipa::path(tag = "settings", request_body = RuleChanges, security(("bearer" = [])),
    responses((status = 200, body = Rule), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/routing/rules/{id}")]
pub async fn update_rule(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<RuleChanges>,
) -> ApiResult<HttpResponse> {
    let (id, changes) = (id.into_inner(), body.into_inner());
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                rules::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/routing/rules/{id}")]
pub async fn delete_rule(
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
                rules::delete(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
