//! Who to tell: the active members whose role holds a permission (supervisors of a breach, the
//! admins of a number), with what a notification or an email needs.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::Result;
use crate::permissions::{Permission, PermissionSet};
use crate::schema::{memberships as ms, roles, users};

#[derive(Debug, Clone)]
pub struct Recipient {
    pub membership_id: Uuid,
    pub email: String,
    pub name: String,
    pub locale: String,
}

/// Active members of this business whose role holds `permission`.
pub async fn with_permission(tx: &mut TenantTx, permission: Permission) -> Result<Vec<Recipient>> {
    let rows: Vec<(Uuid, String, String, String, Vec<String>)> = ms::table
        .inner_join(
            roles::table.on(roles::tenant_id
                .eq(ms::tenant_id)
                .and(roles::id.eq(ms::role_id))),
        )
        .inner_join(users::table.on(users::id.eq(ms::user_id)))
        .filter(ms::status.eq("active"))
        .select((
            ms::id,
            users::email,
            users::name,
            users::locale,
            roles::permissions,
        ))
        .load(tx.pg())
        .await?;
    Ok(rows
        .into_iter()
        .filter(|r| PermissionSet::from_db(&r.4).contains(permission))
        .map(|(membership_id, email, name, locale, _)| Recipient {
            membership_id,
            email,
            name,
            locale,
        })
        .collect())
}
