//! The signed-in person, their business, role and permissions, and their other businesses.

use actix_web::{HttpResponse, get, put, web};
use serde::Serialize;

use chorus_tenants::accounts::{self, MembershipSummary};
use chorus_tenants::businesses;
use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::{MembershipId, RoleId, TenantId, UserId};
use chorus_tenants::permissions::Permission;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub locale: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeTenant {
    pub id: TenantId,
    pub name: String,
    pub time_zone: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeRole {
    pub id: RoleId,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeMembership {
    pub id: MembershipId,
    pub role: MeRole,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: MeUser,
    pub tenant: MeTenant,
    pub membership: MeMembership,
    pub memberships: Vec<MembershipSummary>,
}

#[utoipa::path(tag = "people", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let (actor, business) = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                let business = businesses::current(tx).await?;
                Ok((actor, business))
            },
        )
        .await?;
    let memberships = accounts::memberships_of(&state.store, auth.user).await?;
    Ok(HttpResponse::Ok().json(Me {
        user: MeUser {
            id: actor.user_id,
            email: actor.email,
            name: actor.name,
            locale: actor.locale,
        },
        tenant: MeTenant {
            id: business.id,
            name: business.name,
            time_zone: business.time_zone,
        },
        membership: MeMembership {
            id: actor.membership_id,
            role: MeRole {
                id: actor.role_id,
                name: actor.role_name,
            },
            permissions: actor.permissions.iter().collect(),
        },
        memberships,
    }))
}

/// My availability: `away` keeps me out of automatic assignment while I stay signed in.
#[utoipa::path(tag = "people", request_body = chorus_tenants::presence::AvailabilityChange, security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::presence::PresenceView), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/me/presence")]
pub async fn set_presence(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::json::Json<chorus_tenants::presence::AvailabilityChange>,
) -> ApiResult<HttpResponse> {
    let change = body.into_inner();
    let view = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                chorus_tenants::presence::set_availability(tx, &actor, change).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
