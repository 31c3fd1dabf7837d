//! Teams: named groups of agents that conversations are routed to.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::audit::{self, Entry};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::ids::{MembershipId, TeamId};
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{memberships, team_members, teams};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub member_ids: Vec<MembershipId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
    #[serde(default)]
    pub member_ids: Vec<MembershipId>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamChanges {
    pub name: Option<String>,
    pub member_ids: Option<Vec<MembershipId>>,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid(
            "name",
            "A team name has 1 to 60 characters.",
        ));
    }
    Ok(name.to_owned())
}

async fn load(tx: &mut TenantTx, only: Option<TeamId>, page: PageRequest) -> Result<Vec<Team>> {
    let mut q = teams::table
        .select((teams::id, teams::name, teams::created_at))
        .order(teams::id)
        .limit(page.fetch())
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(teams::id.eq(id));
    }
    if let Some(after) = page.after {
        q = q.filter(teams::id.gt(after));
    }
    let rows: Vec<(TeamId, String, DateTime<Utc>)> = q.load(tx.pg()).await?;
    let ids: Vec<TeamId> = rows.iter().map(|r| r.0).collect();
    let members: Vec<(TeamId, MembershipId)> = team_members::table
        .filter(team_members::team_id.eq_any(&ids))
        .select((team_members::team_id, team_members::membership_id))
        .order(team_members::membership_id)
        .load(tx.pg())
        .await?;
    let mut by_team: HashMap<TeamId, Vec<MembershipId>> = HashMap::new();
    for (t, m) in members {
        by_team.entry(t).or_default().push(m);
    }
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at)| Team {
            id,
            name,
            member_ids: by_team.remove(&id).unwrap_or_default(),
            created_at,
        })
        .collect())
}

pub async fn list(tx: &mut TenantTx, page: PageRequest) -> Result<Page<Team>> {
    let rows = load(tx, None, page).await?;
    Ok(Page::from_rows(rows, page, |t| t.id.0))
}

pub async fn get(tx: &mut TenantTx, id: TeamId) -> Result<Team> {
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
    .ok_or(Error::NotFound("team"))
}

/// Replace a team's members; every id must be a membership of this business.
async fn set_members(tx: &mut TenantTx, team: TeamId, members: &[MembershipId]) -> Result<()> {
    let mut wanted = members.to_vec();
    wanted.sort();
    wanted.dedup();
    let found: i64 = memberships::table
        .filter(memberships::id.eq_any(&wanted))
        .count()
        .get_result(tx.pg())
        .await?;
    if found != wanted.len() as i64 {
        return Err(Error::invalid(
            "member_ids",
            "Some members are not agents of this business.",
        ));
    }
    let tenant = tx.tenant_id();
    diesel::delete(team_members::table.filter(team_members::team_id.eq(team)))
        .execute(tx.pg())
        .await?;
    let rows: Vec<_> = wanted
        .iter()
        .map(|m| {
            (
                team_members::tenant_id.eq(tenant),
                team_members::team_id.eq(team),
                team_members::membership_id.eq(*m),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(team_members::table)
            .values(rows)
            .execute(tx.pg())
            .await?;
    }
    Ok(())
}

/// Lock a team row for the rest of the transaction, so an update and a delete serialise.
async fn lock(tx: &mut TenantTx, id: TeamId) -> Result<()> {
    teams::table
        .filter(teams::id.eq(id))
        .select(teams::id)
        .for_update()
        .first::<TeamId>(tx.pg())
        .await
        .optional()?
        .map(|_| ())
        .ok_or(Error::NotFound("team"))
}

pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewTeam) -> Result<Team> {
    actor.require(Permission::TeamsManage)?;
    let name = check_name(&input.name)?;
    let id = TeamId::new();
    let tenant = tx.tenant_id();
    diesel::insert_into(teams::table)
        .values((
            teams::tenant_id.eq(tenant),
            teams::id.eq(id),
            teams::name.eq(&name),
        ))
        .execute(tx.pg())
        .await
        .map_err(|e| {
            Error::from(e).on_unique(
                "teams_name_key",
                "team_exists",
                "A team with this name already exists.",
            )
        })?;
    set_members(tx, id, &input.member_ids).await?;
    let team = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "team.created",
            target_type: "team",
            target_id: Some(id.0),
            before: None,
            after: audit::snapshot(&team),
        },
    )
    .await?;
    Ok(team)
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: TeamId,
    changes: TeamChanges,
) -> Result<Team> {
    actor.require(Permission::TeamsManage)?;
    lock(tx, id).await?;
    let before = get(tx, id).await?;
    if let Some(name) = changes.name.as_deref() {
        let name = check_name(name)?;
        diesel::update(teams::table.filter(teams::id.eq(id)))
            .set((teams::name.eq(name), teams::updated_at.eq(Utc::now())))
            .execute(tx.pg())
            .await
            .map_err(|e| {
                Error::from(e).on_unique(
                    "teams_name_key",
                    "team_exists",
                    "A team with this name already exists.",
                )
            })?;
    }
    if let Some(members) = changes.member_ids.as_deref() {
        set_members(tx, id, members).await?;
    }
    let after = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "team.updated",
            target_type: "team",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: audit::snapshot(&after),
        },
    )
    .await?;
    Ok(after)
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: TeamId) -> Result<()> {
    actor.require(Permission::TeamsManage)?;
    lock(tx, id).await?;
    let before = get(tx, id).await?;
    diesel::delete(teams::table.filter(teams::id.eq(id)))
        .execute(tx.pg())
        .await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "team.deleted",
            target_type: "team",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// The teams a member belongs to (what decides which unassigned conversations an agent who
/// reads only assigned ones may see).
pub async fn of_member(tx: &mut TenantTx, membership: uuid::Uuid) -> Result<Vec<uuid::Uuid>> {
    use crate::schema::team_members as tm;
    Ok(tm::table
        .filter(tm::membership_id.eq(membership))
        .select(tm::team_id)
        .load(tx.pg())
        .await?)
}
