//! Who is calling. [`Authenticated`] checks the bearer JWT (signature, algorithm, issuer,
//! audience, expiry) without touching the database; handlers then load the [`Actor`] inside the
//! same tenant transaction as their work, so the membership's status and permissions are read
//! fresh on every request.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::{MembershipId, TenantId, UserId};
use chorus_tenants::people::{Actor, actor};

use crate::error::ApiError;
use crate::state::AppState;

/// A caller with a valid access token.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated {
    pub user: UserId,
    pub tenant: TenantId,
    pub membership: MembershipId,
}

impl Authenticated {
    /// The actor, read inside the caller's tenant door.
    pub async fn actor(&self, tx: &mut TenantTx) -> chorus_tenants::Result<Actor> {
        actor::load(tx, self.user, self.membership).await
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Authenticated, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::unauthorized("Not configured."))?;
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("Send an access token: Authorization: Bearer <token>.")
        })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| {
            ApiError::unauthorized("Send an access token: Authorization: Bearer <token>.")
        })?;
    let claims = state.access.verify(token.trim())?;
    Ok(Authenticated {
        user: claims.sub,
        tenant: claims.tid,
        membership: claims.mid,
    })
}
