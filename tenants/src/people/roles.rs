//! Roles: the four built-in ones every business starts with, and custom roles. A custom role can
//! never grant a permission its creator does not hold, and built-in roles cannot be changed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::ids::{RoleId, TenantId};
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::permissions::{BuiltinRole, Permission, PermissionSet};
use crate::schema::{invitations, memberships, roles};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Role {
    pub id: RoleId,
    pub name: String,
    pub builtin: bool,
    pub permissions: Vec<Permission>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub name: String,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChanges {
    pub name: Option<String>,
    pub permissions: Option<Vec<Permission>>,
}

type Row = (RoleId, String, Option<String>, Vec<String>, DateTime<Utc>);

fn to_role((id, name, builtin, perms, created_at): Row) -> Role {
    Role {
        id,
        name,
        builtin: builtin.is_some(),
        permissions: PermissionSet::from_db(&perms).iter().collect(),
        created_at,
    }
}

const COLUMNS: (
    roles::id,
    roles::name,
    roles::builtin,
    roles::permissions,
    roles::created_at,
) = (
    roles::id,
    roles::name,
    roles::builtin,
    roles::permissions,
    roles::created_at,
);

/// Create the built-in roles of a new business. Returns the owner role's id.
pub(crate) async fn seed_builtin(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
) -> Result<Vec<(BuiltinRole, RoleId)>> {
    let mut ids = Vec::new();
    for r in BuiltinRole::ALL {
        let id = RoleId::new();
        let name = {
            let k = r.key();
            let mut c = k.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        diesel::insert_into(roles::table)
            .values((
                roles::tenant_id.eq(tenant),
                roles::id.eq(id),
                roles::name.eq(name),
                roles::builtin.eq(r.key()),
                roles::permissions.eq(r.permissions().to_db()),
            ))
            .execute(conn)
            .await?;
        ids.push((r, id));
    }
    Ok(ids)
}

/// Oldest first: the built-in roles, then custom roles in creation order.
pub async fn list(tx: &mut TenantTx, page: PageRequest) -> Result<Page<Role>> {
    let mut q = roles::table
        .select(COLUMNS)
        .order(roles::id)
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(roles::id.gt(after));
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    Ok(Page::from_rows(
        rows.into_iter().map(to_role).collect(),
        page,
        |r| r.id.0,
    ))
}

/// Lock a role against change and deletion for the rest of this transaction (FOR SHARE), so
/// giving the role to someone serialises with deleting it.
pub async fn lock_existing(tx: &mut TenantTx, id: RoleId) -> Result<Role> {
    let row: Option<Row> = roles::table
        .filter(roles::id.eq(id))
        .select(COLUMNS)
        .for_share()
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_role).ok_or(Error::NotFound("role"))
}

async fn lock_for_change(tx: &mut TenantTx, id: RoleId) -> Result<Role> {
    let row: Option<Row> = roles::table
        .filter(roles::id.eq(id))
        .select(COLUMNS)
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_role).ok_or(Error::NotFound("role"))
}

pub async fn get(tx: &mut TenantTx, id: RoleId) -> Result<Role> {
    let row: Option<Row> = roles::table
        .filter(roles::id.eq(id))
        .select(COLUMNS)
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_role).ok_or(Error::NotFound("role"))
}

/// The id of a built-in role.
pub async fn builtin_id(tx: &mut TenantTx, role: BuiltinRole) -> Result<RoleId> {
    roles::table
        .filter(roles::builtin.eq(role.key()))
        .select(roles::id)
        .first(tx.pg())
        .await
        .optional()?
        .ok_or(Error::NotFound("role"))
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid(
            "name",
            "A role name has 1 to 60 characters.",
        ));
    }
    Ok(name.to_owned())
}

fn check_grant(actor: &Actor, wanted: &PermissionSet) -> Result<()> {
    let missing = wanted.missing_from(&actor.permissions);
    if missing.is_empty() {
        Ok(())
    } else {
        let names: Vec<&str> = missing.iter().map(|p| p.as_str()).collect();
        Err(Error::forbidden(format!(
            "A role cannot grant permissions you do not hold: {}.",
            names.join(", ")
        )))
    }
}

pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewRole) -> Result<Role> {
    actor.require(Permission::RolesManage)?;
    let name = check_name(&input.name)?;
    let perms: PermissionSet = input.permissions.into_iter().collect();
    check_grant(actor, &perms)?;
    let id = RoleId::new();
    let tenant = tx.tenant_id();
    diesel::insert_into(roles::table)
        .values((
            roles::tenant_id.eq(tenant),
            roles::id.eq(id),
            roles::name.eq(&name),
            roles::permissions.eq(perms.to_db()),
        ))
        .execute(tx.pg())
        .await
        .map_err(|e| {
            Error::from(e).on_unique(
                "roles_name_key",
                "role_exists",
                "A role with this name already exists.",
            )
        })?;
    let role = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "role.created",
            target_type: "role",
            target_id: Some(id.0),
            before: None,
            after: audit::snapshot(&role),
        },
    )
    .await?;
    Ok(role)
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: RoleId,
    changes: RoleChanges,
) -> Result<Role> {
    actor.require(Permission::RolesManage)?;
    let before = lock_for_change(tx, id).await?;
    if before.builtin {
        return Err(Error::conflict(
            "role_builtin",
            "Built-in roles cannot be changed; create a custom role instead.",
        ));
    }
    let name = changes.name.as_deref().map(check_name).transpose()?;
    let perms = changes
        .permissions
        .map(|p| p.into_iter().collect::<PermissionSet>());
    if let Some(p) = &perms {
        check_grant(actor, p)?;
    }
    diesel::update(roles::table.filter(roles::id.eq(id)))
        .set((
            name.map(|n| roles::name.eq(n)),
            perms.map(|p| roles::permissions.eq(p.to_db())),
            roles::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await
        .map_err(|e| {
            Error::from(e).on_unique(
                "roles_name_key",
                "role_exists",
                "A role with this name already exists.",
            )
        })?;
    let after = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "role.updated",
            target_type: "role",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: audit::snapshot(&after),
        },
    )
    .await?;
    Ok(after)
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: RoleId) -> Result<()> {
    actor.require(Permission::RolesManage)?;
    let before = lock_for_change(tx, id).await?;
    if before.builtin {
        return Err(Error::conflict(
            "role_builtin",
            "Built-in roles cannot be deleted.",
        ));
    }
    let in_use: i64 = memberships::table
        .filter(memberships::role_id.eq(id))
        .count()
        .get_result(tx.pg())
        .await?;
    if in_use > 0 {
        return Err(Error::conflict(
            "role_in_use",
            format!("{in_use} people still have this role; give them another role first."),
        ));
    }
    let pending: i64 = invitations::table
        .filter(invitations::role_id.eq(id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(Utc::now()))
        .count()
        .get_result(tx.pg())
        .await?;
    if pending > 0 {
        return Err(Error::conflict(
            "role_in_use",
            format!("{pending} pending invitation(s) use this role; revoke them first."),
        ));
    }
    // Finished invitations (accepted, revoked, expired) are history: they go with the role, and
    // the audit log keeps the record of them.
    diesel::delete(invitations::table.filter(invitations::role_id.eq(id)))
        .execute(tx.pg())
        .await?;
    diesel::delete(roles::table.filter(roles::id.eq(id)))
        .execute(tx.pg())
        .await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "role.deleted",
            target_type: "role",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: None,
        },
    )
    .await?;
    Ok(())
}
