//! The actor of a request: a person acting through an active membership of one business, with
//! the permissions of their role as they are *now* (read on every request, so a role change or a
//! deactivation takes effect at once, whatever access token the person still holds).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::ids::{MembershipId, RoleId, TenantId, UserId};
use crate::permissions::{Permission, PermissionSet};
use crate::schema::{memberships, roles, users};

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub membership_id: MembershipId,
    pub role_id: RoleId,
    pub role_name: String,
    pub name: String,
    pub email: String,
    pub locale: String,
    pub permissions: PermissionSet,
}

impl Actor {
    /// Fail with 403 unless the actor holds `p`.
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.permissions.contains(p) {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "Your role does not allow this (it needs the {p} permission)."
            )))
        }
    }

    /// Fail with 403 unless the actor holds at least one of `ps`.
    pub fn require_any(&self, ps: &[Permission]) -> Result<()> {
        if ps.iter().any(|p| self.permissions.contains(*p)) {
            Ok(())
        } else {
            let names: Vec<&str> = ps.iter().map(|p| p.as_str()).collect();
            Err(Error::forbidden(format!(
                "Your role does not allow this (it needs one of: {}).",
                names.join(", ")
            )))
        }
    }
}

/// Load the actor for a verified access token inside its tenant door. A membership that is
/// missing, deactivated or not this user's answers 401.
pub async fn load(tx: &mut TenantTx, user: UserId, membership: MembershipId) -> Result<Actor> {
    let tenant = tx.tenant_id();
    let row: Option<(String, RoleId, String, Vec<String>, String, String, String)> =
        memberships::table
            .inner_join(
                roles::table.on(roles::tenant_id
                    .eq(memberships::tenant_id)
                    .and(roles::id.eq(memberships::role_id))),
            )
            .inner_join(users::table.on(users::id.eq(memberships::user_id)))
            .filter(memberships::id.eq(membership))
            .filter(memberships::user_id.eq(user))
            .select((
                memberships::status,
                roles::id,
                roles::name,
                roles::permissions,
                users::name,
                users::email,
                users::locale,
            ))
            .first(tx.pg())
            .await
            .optional()?;
    match row {
        Some((status, role_id, role_name, perms, name, email, locale)) if status == "active" => {
            Ok(Actor {
                user_id: user,
                tenant_id: tenant,
                membership_id: membership,
                role_id,
                role_name,
                name,
                email,
                locale,
                permissions: PermissionSet::from_db(&perms),
            })
        }
        Some(_) => Err(Error::unauthorized(
            "membership_deactivated",
            "Your access to this business has been removed.",
        )),
        None => Err(Error::unauthorized(
            "unauthorized",
            "The access token is not valid.",
        )),
    }
}
