//! Agents: the memberships of a business, seen from its settings. Deactivating one ends that
//! person's sessions in this business at once (refresh tokens revoked here; access tokens are
//! refused because every request re-reads the membership).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::audit::{self, Entry};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::ids::{MembershipId, RoleId, TeamId, UserId};
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{memberships, refresh_tokens, roles, team_members, users};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoleRef {
    pub id: RoleId,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Active,
    Deactivated,
}

impl AgentStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deactivated => "deactivated",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "active" {
            Self::Active
        } else {
            Self::Deactivated
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Agent {
    /// The membership id.
    pub id: MembershipId,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: RoleRef,
    pub status: AgentStatus,
    pub team_ids: Vec<TeamId>,
    /// online, away or offline
    pub presence: crate::presence::Presence,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentChanges {
    pub role_id: Option<RoleId>,
    pub status: Option<AgentStatus>,
}

type Row = (
    MembershipId,
    UserId,
    String,
    String,
    RoleId,
    String,
    String,
    DateTime<Utc>,
);

async fn load(
    tx: &mut TenantTx,
    only: Option<MembershipId>,
    page: PageRequest,
) -> Result<Vec<Agent>> {
    let mut q = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .inner_join(
            roles::table.on(roles::tenant_id
                .eq(memberships::tenant_id)
                .and(roles::id.eq(memberships::role_id))),
        )
        .select((
            memberships::id,
            users::id,
            users::name,
            users::email,
            roles::id,
            roles::name,
            memberships::status,
            memberships::created_at,
        ))
        .order(memberships::id)
        .limit(page.fetch())
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(memberships::id.eq(id));
    }
    if let Some(after) = page.after {
        q = q.filter(memberships::id.gt(after));
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    let ids: Vec<MembershipId> = rows.iter().map(|r| r.0).collect();
    let teams: Vec<(MembershipId, TeamId)> = team_members::table
        .filter(team_members::membership_id.eq_any(&ids))
        .select((team_members::membership_id, team_members::team_id))
        .order(team_members::team_id)
        .load(tx.pg())
        .await?;
    let raw_ids: Vec<uuid::Uuid> = ids.iter().map(|m| m.0).collect();
    let presence = crate::presence::of_members(tx, Some(&raw_ids)).await?;
    let mut by_member: HashMap<MembershipId, Vec<TeamId>> = HashMap::new();
    for (m, t) in teams {
        by_member.entry(m).or_default().push(t);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, user_id, name, email, role_id, role_name, status, created_at)| Agent {
                id,
                user_id,
                name,
                email,
                role: RoleRef {
                    id: role_id,
                    name: role_name,
                },
                status: AgentStatus::parse(&status),
                team_ids: by_member.remove(&id).unwrap_or_default(),
                presence: presence
                    .get(&id.0)
                    .copied()
                    .unwrap_or(crate::presence::Presence::Offline),
                created_at,
            },
        )
        .collect())
}

pub async fn list(tx: &mut TenantTx, actor: &Actor, page: PageRequest) -> Result<Page<Agent>> {
    actor.require_any(&[
        Permission::AgentsManage,
        Permission::TeamsManage,
        Permission::ConversationsAssign,
    ])?;
    let rows = load(tx, None, page).await?;
    Ok(Page::from_rows(rows, page, |a| a.id.0))
}

pub async fn get(tx: &mut TenantTx, id: MembershipId) -> Result<Agent> {
    load(
        tx,
        Some(id),
        PageRequest {
            after: None,
            limit: 1,
        },
    )
    .await?
    .into_iter()
    .next()
    .ok_or(Error::NotFound("agent"))
}

/// The active owners, locked until the end of the transaction: two owners demoting each other
/// at once serialise here, and the second one sees that only one owner is left.
async fn lock_active_owners(tx: &mut TenantTx, owner_role: RoleId) -> Result<i64> {
    let ids: Vec<MembershipId> = memberships::table
        .filter(memberships::role_id.eq(owner_role))
        .filter(memberships::status.eq("active"))
        .select(memberships::id)
        .for_update()
        .load(tx.pg())
        .await?;
    Ok(ids.len() as i64)
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: MembershipId,
    changes: AgentChanges,
) -> Result<Agent> {
    actor.require(Permission::AgentsManage)?;
    let owner_role = super::roles::builtin_id(tx, crate::permissions::BuiltinRole::Owner).await?;
    let current_role: Option<RoleId> = memberships::table
        .filter(memberships::id.eq(id))
        .select(memberships::role_id)
        .first(tx.pg())
        .await
        .optional()?;
    // Changing an owner takes the owners' lock before reading the state it checks.
    let owners = if current_role == Some(owner_role) {
        lock_active_owners(tx, owner_role).await?
    } else {
        0
    };
    let before = get(tx, id).await?;
    if let Some(role_id) = changes.role_id {
        let role = super::roles::lock_existing(tx, role_id)
            .await
            .map_err(|_| Error::invalid("role_id", "No such role in this business."))?;
        // Assigning a role is granting its permissions: never more than the actor holds.
        let missing: Vec<&str> = role
            .permissions
            .iter()
            .filter(|p| !actor.permissions.contains(**p))
            .map(|p| p.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::forbidden(format!(
                "You cannot give a role with permissions you do not hold: {}.",
                missing.join(", ")
            )));
        }
    }
    let demoting_owner = before.role.id == owner_role
        && (changes.role_id.is_some_and(|r| r != owner_role)
            || changes.status == Some(AgentStatus::Deactivated));
    if demoting_owner && before.status == AgentStatus::Active && owners <= 1 {
        return Err(Error::conflict(
            "last_owner",
            "A business needs at least one active owner.",
        ));
    }
    if before.role.id == owner_role
        && !actor.permissions.contains(Permission::BillingManage)
        && demoting_owner
    {
        return Err(Error::forbidden("Only an owner can change another owner."));
    }
    let now = Utc::now();
    let deactivating =
        changes.status == Some(AgentStatus::Deactivated) && before.status == AgentStatus::Active;
    diesel::update(memberships::table.filter(memberships::id.eq(id)))
        .set((
            changes.role_id.map(|r| memberships::role_id.eq(r)),
            changes.status.map(|s| memberships::status.eq(s.as_str())),
            changes.status.map(|s| {
                memberships::deactivated_at.eq(if s == AgentStatus::Deactivated {
                    Some(now)
                } else {
                    None
                })
            }),
            memberships::updated_at.eq(now),
        ))
        .execute(tx.pg())
        .await?;
    if deactivating {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::membership_id.eq(id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(now))
        .execute(tx.pg())
        .await?;
    }
    let after = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: if deactivating {
                "agent.deactivated"
            } else {
                "agent.updated"
            },
            target_type: "membership",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: audit::snapshot(&after),
        },
    )
    .await?;
    Ok(after)
}
