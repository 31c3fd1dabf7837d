//! Automatic assignment. A team's mode decides what happens to its unassigned conversations:
//! `manual` leaves them in the team's queue; `round_robin` gives each to the online member under
//! their capacity who was assigned least recently; `balanced` to the one with the fewest open.
//! A number may send its new conversations to a team (`default_team_id`).
//!
//! Assignment runs in the `assign_team` job (deduplicated per team), enqueued whenever the answer
//! may have changed: a conversation reached the team (new, or transferred), capacity freed up
//! (resolved, unassigned), or a member came online. The job locks the team's row, so two
//! workers never hand out the same capacity twice, and assigns with a conditional update (a
//! conversation someone claimed meanwhile is left alone). Every decision is written to the
//! timeline with its reason: "Chorus assigned the conversation to Ana by round-robin in Billing:
//! 2 of 5 open".

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::presence::{self, Presence};
use crate::schema::{
    conversations as c, memberships, team_members as tm, teams, users, whatsapp_numbers as n,
};

/// The job that assigns a team's waiting conversations.
pub const ASSIGN_TEAM: &str = "assign_team";

const MODES: [&str; 3] = ["manual", "round_robin", "balanced"];

/// Ask for the team's queue to be looked at (after the current transaction commits).
pub async fn schedule(tx: &mut TenantTx, team: Uuid) -> Result<()> {
    let mut job = crate::jobs::NewJob::new(ASSIGN_TEAM, &json!({ "team_id": team }))?.priority(18);
    job.dedupe_key = Some(format!("{ASSIGN_TEAM}:{team}"));
    crate::jobs::enqueue(tx, job).await?;
    Ok(())
}

/// Schedule every automatic team of a member (they came online, or freed capacity).
pub async fn schedule_member_teams(tx: &mut TenantTx, membership: Uuid) -> Result<()> {
    let auto: Vec<Uuid> = tm::table
        .inner_join(
            teams::table.on(teams::tenant_id
                .eq(tm::tenant_id)
                .and(teams::id.eq(tm::team_id))),
        )
        .filter(tm::membership_id.eq(membership))
        .filter(teams::assignment.ne("manual"))
        .select(tm::team_id)
        .load(tx.pg())
        .await?;
    for t in auto {
        schedule(tx, t).await?;
    }
    Ok(())
}

/// New conversations (ingest, same transaction): the business's routing rules run first (the
/// first matching rule wins, see `routing_rules`); then those still without a team join their
/// number's default team. A rule that sets a team therefore overrides the default team.
pub async fn after_inbound(tx: &mut TenantTx, new_conversations: &[Uuid]) -> Result<()> {
    if new_conversations.is_empty() {
        return Ok(());
    }
    let ruled = crate::routing_rules::apply(tx, new_conversations).await?;
    for t in &ruled.teams {
        schedule(tx, *t).await?;
    }
    #[derive(QueryableByName)]
    struct Routed {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        team_id: Uuid,
    }
    let routed: Vec<Routed> = diesel::sql_query(
        "UPDATE conversations c SET team_id = n.default_team_id, updated_at = now()
           FROM whatsapp_numbers n
          WHERE c.tenant_id = n.tenant_id AND n.id = c.number_id
            AND c.id = ANY($1) AND c.team_id IS NULL AND n.default_team_id IS NOT NULL
          RETURNING n.default_team_id AS team_id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(new_conversations)
    .load(tx.pg())
    .await?;
    let mut teams: Vec<Uuid> = routed.into_iter().map(|r| r.team_id).collect();
    teams.sort();
    teams.dedup();
    for t in teams {
        schedule(tx, t).await?;
    }
    Ok(())
}

/// Unresolved conversations assigned to each of these members (absent: none).
async fn open_counts(tx: &mut TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, i64>> {
    let rows: Vec<(Option<Uuid>, i64)> = c::table
        .filter(c::assignee_id.eq_any(ids))
        .filter(c::status.ne("resolved"))
        .group_by(c::assignee_id)
        .select((c::assignee_id, diesel::dsl::count_star()))
        .load(tx.pg())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, n)| a.map(|a| (a, n)))
        .collect())
}

/// One decision of the assigner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub conversation_id: Uuid,
    pub membership_id: Uuid,
}

struct Candidate {
    id: Uuid,
    name: String,
    open: i64,
    max_open: i64,
    last_assigned: Option<DateTime<Utc>>,
}

/// A team's automatic assignment state: name, mode and its members who can take more now.
struct Pool {
    team_name: String,
    mode: String,
    candidates: Vec<Candidate>,
}

/// Lock the team and find who can be given conversations (`None`: manual, gone, or nobody).
async fn pool(tx: &mut TenantTx, team: Uuid) -> Result<Option<Pool>> {
    let found: Option<(String, String)> = teams::table
        .filter(teams::id.eq(team))
        .select((teams::name, teams::assignment))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let Some((team_name, mode)) = found else {
        return Ok(None);
    };
    if mode == "manual" {
        return Ok(None);
    }
    let members: Vec<(Uuid, String, i32, Option<DateTime<Utc>>)> = tm::table
        .inner_join(
            memberships::table.on(memberships::tenant_id
                .eq(tm::tenant_id)
                .and(memberships::id.eq(tm::membership_id))),
        )
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(tm::team_id.eq(team))
        .filter(memberships::status.eq("active"))
        .select((
            tm::membership_id,
            users::name,
            memberships::max_open,
            tm::last_assigned_at,
        ))
        .load(tx.pg())
        .await?;
    let ids: Vec<Uuid> = members.iter().map(|m| m.0).collect();
    let presence = presence::of_members(tx, Some(&ids)).await?;
    let open = open_counts(tx, &ids).await?;
    let mut candidates: Vec<Candidate> = members
        .into_iter()
        .filter(|m| presence.get(&m.0) == Some(&Presence::Online))
        .map(|m| Candidate {
            id: m.0,
            name: m.1,
            open: open.get(&m.0).copied().unwrap_or(0),
            max_open: i64::from(m.2),
            last_assigned: m.3,
        })
        .collect();
    candidates.retain(|c| c.open < c.max_open);
    if candidates.is_empty() {
        return Ok(None);
    }
    Ok(Some(Pool {
        team_name,
        mode,
        candidates,
    }))
}

impl Pool {
    /// The next member other than `exclude`: least recently assigned (round-robin) or fewest
    /// open (balanced).
    fn pick(&mut self, exclude: Option<Uuid>) -> Option<&mut Candidate> {
        let free = self
            .candidates
            .iter_mut()
            .filter(|c| c.open < c.max_open && Some(c.id) != exclude);
        match self.mode.as_str() {
            "balanced" => {
                free.min_by(|a, b| (a.open, a.last_assigned).cmp(&(b.open, b.last_assigned)))
            }
            _ => free.min_by(|a, b| (a.last_assigned, a.open).cmp(&(b.last_assigned, b.open))),
        }
    }

    fn how(&self) -> &'static str {
        if self.mode == "balanced" {
            "balanced"
        } else {
            "round-robin"
        }
    }
}

/// Give `conversation` to `who` if its assignee is still `from` (a conditional update: someone
/// who claimed it meanwhile keeps it). Records the reason and notifies the member.
async fn give(
    tx: &mut TenantTx,
    team: Uuid,
    team_name: &str,
    how: &str,
    conversation: Uuid,
    from: Option<Uuid>,
    who: &mut Candidate,
) -> Result<bool> {
    let now = Utc::now();
    let taken = diesel::update(
        c::table
            .filter(c::id.eq(conversation))
            .filter(c::assignee_id.is_not_distinct_from(from)),
    )
    .set((c::assignee_id.eq(Some(who.id)), c::updated_at.eq(now)))
    .execute(tx.pg())
    .await?;
    if taken == 0 {
        return Ok(false);
    }
    who.open += 1;
    who.last_assigned = Some(now);
    diesel::update(
        tm::table
            .filter(tm::team_id.eq(team))
            .filter(tm::membership_id.eq(who.id)),
    )
    .set(tm::last_assigned_at.eq(Some(now)))
    .execute(tx.pg())
    .await?;
    let item = crate::activity::record(
        tx,
        conversation,
        None,
        crate::activity::Activity::AutoAssigned {
            to: who.name.clone(),
            how: how.into(),
            team: team_name.to_owned(),
            open: who.open,
            max_open: who.max_open,
        },
    )
    .await?;
    crate::notifications::notify(
        tx,
        crate::notifications::Notice {
            recipient: who.id,
            kind: "assigned",
            conversation_id: conversation,
            message_id: Some(item),
            actor_id: None,
            body: format!("A conversation in {team_name} was assigned to you ({how})."),
        },
    )
    .await?;
    Ok(true)
}

/// The `assign_team` job: hand the team's waiting conversations to its available members.
/// Conversations a bot handles (`handler = 'bot'`) are left alone until it hands over.
pub async fn assign_team(tx: &mut TenantTx, team: Uuid) -> Result<Vec<Assignment>> {
    let Some(mut pool) = pool(tx, team).await? else {
        return Ok(Vec::new());
    };
    let free: i64 = pool.candidates.iter().map(|c| c.max_open - c.open).sum();
    let waiting: Vec<Uuid> = c::table
        .filter(c::team_id.eq(team))
        .filter(c::assignee_id.is_null())
        .filter(c::handler.eq("human"))
        .filter(c::status.eq_any(["open", "pending"]))
        // A bot holds it until it hands over (bots.rs).
        .filter(c::handler.eq("human"))
        .order((c::waiting_since.asc().nulls_last(), c::opened_at.asc()))
        .select(c::id)
        .limit(free.min(500))
        .load(tx.pg())
        .await?;
    let mut out = Vec::new();
    let (team_name, how) = (pool.team_name.clone(), pool.how());
    for conversation in waiting {
        let Some(who) = pool.pick(None) else { break };
        if give(tx, team, &team_name, how, conversation, None, who).await? {
            out.push(Assignment {
                conversation_id: conversation,
                membership_id: who.id,
            });
        }
    }
    Ok(out)
}

/// Reassignment: in automatic teams with `reassign_after_minutes`, an open conversation whose
/// customer has waited that long since it was assigned (no agent reply since: `waiting_since`
/// is set, and the clock starts at the later of the wait and the assignment) goes to another
/// available member, with the reason in the timeline. When nobody else can take it, it stays
/// with its assignee and the next sweep tries again. Returns how many moved.
pub async fn reassign_team(tx: &mut TenantTx, team: Uuid) -> Result<Vec<Assignment>> {
    let minutes: Option<Option<i32>> = teams::table
        .filter(teams::id.eq(team))
        .filter(teams::assignment.ne("manual"))
        .select(teams::reassign_after_minutes)
        .first(tx.pg())
        .await
        .optional()?;
    let Some(Some(minutes)) = minutes else {
        return Ok(Vec::new());
    };
    #[derive(QueryableByName)]
    struct Stale {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        assignee_id: Uuid,
    }
    let stale: Vec<Stale> = diesel::sql_query(
        "SELECT id, assignee_id FROM conversations
          WHERE team_id = $1 AND assignee_id IS NOT NULL AND handler = 'human'
            AND status IN ('open', 'pending') AND waiting_since IS NOT NULL
            AND greatest(waiting_since, coalesce(assigned_at, waiting_since))
                < now() - make_interval(mins => $2)
          ORDER BY waiting_since LIMIT 500",
    )
    .bind::<diesel::sql_types::Uuid, _>(team)
    .bind::<diesel::sql_types::Integer, _>(minutes)
    .load(tx.pg())
    .await?;
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    let Some(mut pool) = pool(tx, team).await? else {
        return Ok(Vec::new());
    };
    let previous: Vec<Uuid> = stale.iter().map(|s| s.assignee_id).collect();
    let names = crate::conversations::member_names(tx, &previous).await?;
    let (team_name, how) = (pool.team_name.clone(), pool.how());
    let mut out = Vec::new();
    for s in stale {
        let Some(who) = pool.pick(Some(s.assignee_id)) else {
            continue;
        };
        let name = names
            .get(&s.assignee_id)
            .cloned()
            .unwrap_or_else(|| "The assignee".into());
        crate::activity::record(
            tx,
            s.id,
            None,
            crate::activity::Activity::Reassigned { who: name, minutes },
        )
        .await?;
        if give(tx, team, &team_name, how, s.id, Some(s.assignee_id), who).await? {
            out.push(Assignment {
                conversation_id: s.id,
                membership_id: who.id,
            });
        }
    }
    Ok(out)
}

/// Find automatic teams with reassignment on and a conversation past its time (system door,
/// across businesses), then reassign in each business's own door.
pub async fn reassign_stale(store: &crate::db::Store) -> Result<usize> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        team_id: Uuid,
    }
    let due: Vec<Due> = store
        .system(async |tx: &mut crate::db::SystemTx| -> Result<Vec<Due>> {
            Ok(diesel::sql_query(
                "SELECT DISTINCT c.tenant_id, c.team_id
                   FROM conversations c
                   JOIN teams t ON t.tenant_id = c.tenant_id AND t.id = c.team_id
                  WHERE t.assignment <> 'manual' AND t.reassign_after_minutes IS NOT NULL
                    AND c.assignee_id IS NOT NULL AND c.handler = 'human'
                    AND c.status IN ('open', 'pending') AND c.waiting_since IS NOT NULL
                    AND greatest(c.waiting_since, coalesce(c.assigned_at, c.waiting_since))
                        < now() - make_interval(mins => t.reassign_after_minutes)",
            )
            .load(tx.pg())
            .await?)
        })
        .await?;
    let mut moved = 0;
    for d in due {
        let tenant = crate::ids::TenantId(d.tenant_id);
        moved += store
            .tenant(tenant, async |tx: &mut TenantTx| {
                reassign_team(tx, d.team_id).await.map(|v| v.len())
            })
            .await?;
    }
    Ok(moved)
}

/// Routing settings as an admin sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoutingView {
    pub teams: Vec<TeamRouting>,
    pub numbers: Vec<NumberRouting>,
    pub agents: Vec<AgentCapacity>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeamRouting {
    pub team_id: Uuid,
    pub name: String,
    /// manual, round_robin or balanced
    pub assignment: String,
    /// Take a conversation back from an assignee who has not answered within this many
    /// minutes (automatic teams only; `null`: never).
    pub reassign_after_minutes: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NumberRouting {
    pub number_id: Uuid,
    pub display_phone_number: String,
    pub team_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentCapacity {
    pub membership_id: Uuid,
    pub name: String,
    pub max_open: i32,
    pub open: i64,
    pub presence: Presence,
}

fn require_manage(actor: &Actor) -> Result<()> {
    actor.require_any(&[Permission::SettingsManage, Permission::TeamsManage])
}

pub async fn view(tx: &mut TenantTx, actor: &Actor) -> Result<RoutingView> {
    require_manage(actor)?;
    let team_rows: Vec<(Uuid, String, String, Option<i32>)> = teams::table
        .order(teams::name)
        .select((
            teams::id,
            teams::name,
            teams::assignment,
            teams::reassign_after_minutes,
        ))
        .load(tx.pg())
        .await?;
    let number_rows: Vec<(Uuid, String, Option<Uuid>)> = n::table
        .filter(n::status.ne("disconnected"))
        .order(n::created_at)
        .select((n::id, n::display_phone_number, n::default_team_id))
        .load(tx.pg())
        .await?;
    let agent_rows: Vec<(Uuid, String, i32)> = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(memberships::status.eq("active"))
        .order(users::name)
        .select((memberships::id, users::name, memberships::max_open))
        .load(tx.pg())
        .await?;
    let ids: Vec<Uuid> = agent_rows.iter().map(|a| a.0).collect();
    let presence = presence::of_members(tx, Some(&ids)).await?;
    let open = open_counts(tx, &ids).await?;
    Ok(RoutingView {
        teams: team_rows
            .into_iter()
            .map(
                |(team_id, name, assignment, reassign_after_minutes)| TeamRouting {
                    team_id,
                    name,
                    assignment,
                    reassign_after_minutes,
                },
            )
            .collect(),
        numbers: number_rows
            .into_iter()
            .map(|(number_id, display_phone_number, team_id)| NumberRouting {
                number_id,
                display_phone_number,
                team_id,
            })
            .collect(),
        agents: agent_rows
            .into_iter()
            .map(|(id, name, max_open)| AgentCapacity {
                membership_id: id,
                name,
                max_open,
                open: open.get(&id).copied().unwrap_or(0),
                presence: presence.get(&id).copied().unwrap_or(Presence::Offline),
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamAssignment {
    /// manual, round_robin or balanced
    pub assignment: String,
    /// 1 to 1440 minutes, or `null` for no reassignment; absent: unchanged.
    #[serde(default, deserialize_with = "minutes_option")]
    #[schema(value_type = Option<i32>)]
    pub reassign_after_minutes: Option<Option<i32>>,
}

fn minutes_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<i32>>, D::Error> {
    Option::<i32>::deserialize(d).map(Some)
}

pub async fn set_team(
    tx: &mut TenantTx,
    actor: &Actor,
    team: Uuid,
    input: TeamAssignment,
) -> Result<RoutingView> {
    require_manage(actor)?;
    if !MODES.contains(&input.assignment.as_str()) {
        return Err(Error::invalid(
            "assignment",
            "assignment is manual, round_robin or balanced",
        ));
    }
    if let Some(Some(m)) = input.reassign_after_minutes
        && !(1..=1440).contains(&m)
    {
        return Err(Error::invalid(
            "reassign_after_minutes",
            "Between 1 and 1440 minutes, or null for never.",
        ));
    }
    let changed = diesel::update(teams::table.filter(teams::id.eq(team)))
        .set((
            teams::assignment.eq(&input.assignment),
            teams::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    if changed == 0 {
        return Err(Error::NotFound("team"));
    }
    if let Some(minutes) = input.reassign_after_minutes {
        diesel::update(teams::table.filter(teams::id.eq(team)))
            .set(teams::reassign_after_minutes.eq(minutes))
            .execute(tx.pg())
            .await?;
    }
    if input.assignment != "manual" {
        schedule(tx, team).await?;
    }
    view(tx, actor).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberTeam {
    /// The team new conversations of this number join; `null` for none.
    pub team_id: Option<Uuid>,
}

pub async fn set_number(
    tx: &mut TenantTx,
    actor: &Actor,
    number: Uuid,
    input: NumberTeam,
) -> Result<RoutingView> {
    require_manage(actor)?;
    if let Some(t) = input.team_id {
        let known: i64 = teams::table
            .filter(teams::id.eq(t))
            .count()
            .get_result(tx.pg())
            .await?;
        if known == 0 {
            return Err(Error::invalid("team_id", "There is no such team."));
        }
    }
    let changed = diesel::update(n::table.filter(n::id.eq(number)))
        .set((
            n::default_team_id.eq(input.team_id),
            n::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    if changed == 0 {
        return Err(Error::NotFound("number"));
    }
    view(tx, actor).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Most open conversations the member is given automatically (1 to 500).
    pub max_open: i32,
}

pub async fn set_capacity(
    tx: &mut TenantTx,
    actor: &Actor,
    membership: Uuid,
    input: Capacity,
) -> Result<RoutingView> {
    require_manage(actor)?;
    if !(1..=500).contains(&input.max_open) {
        return Err(Error::invalid("max_open", "Between 1 and 500."));
    }
    let changed = diesel::update(memberships::table.filter(memberships::id.eq(membership)))
        .set(memberships::max_open.eq(input.max_open))
        .execute(tx.pg())
        .await?;
    if changed == 0 {
        return Err(Error::NotFound("agent"));
    }
    schedule_member_teams(tx, membership).await?;
    view(tx, actor).await
}

/// The periodic job that returns offline members' conversations to their team's queue.
pub const SWEEP: &str = "routing_sweep";
/// How often the sweep runs.
pub const SWEEP_EVERY_SECS: i64 = 60;

/// Queue the next sweep (at most one waits at a time).
pub async fn schedule_sweep(store: &crate::db::Store, after_secs: i64) -> Result<()> {
    store
        .system(async |tx: &mut crate::db::SystemTx| -> Result<()> {
            let mut job = crate::jobs::NewJob::new(SWEEP, &json!({}))?
                .run_at(Utc::now() + chrono::Duration::seconds(after_secs));
            job.dedupe_key = Some(SWEEP.into());
            crate::jobs::enqueue_system(tx, None, job).await?;
            Ok(())
        })
        .await
}

/// Conversations of automatic teams whose assignee went offline go back to the team's queue
/// (and on to whoever is available). Finding them crosses businesses (system door); changing
/// them happens in each business's own door. Returns how many were returned.
pub async fn return_from_offline(store: &crate::db::Store) -> Result<usize> {
    #[derive(QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        assignee_id: Uuid,
    }
    let held: Vec<Held> = store
        .system(async |tx: &mut crate::db::SystemTx| -> Result<Vec<Held>> {
            Ok(diesel::sql_query(
                "SELECT DISTINCT c.tenant_id, c.assignee_id
                   FROM conversations c
                   JOIN teams t ON t.tenant_id = c.tenant_id AND t.id = c.team_id
                   JOIN memberships m ON m.tenant_id = c.tenant_id AND m.id = c.assignee_id
                  WHERE c.status IN ('open', 'pending') AND t.assignment <> 'manual'
                    AND (m.last_seen_at IS NULL
                         OR m.last_seen_at < now() - make_interval(secs => $1))",
            )
            .bind::<diesel::sql_types::Double, _>(presence::SOCKET_TTL_SECS as f64)
            .load(tx.pg())
            .await?)
        })
        .await?;
    let mut returned = 0;
    for h in held {
        let tenant = crate::ids::TenantId(h.tenant_id);
        returned += store
            .tenant(tenant, async |tx: &mut TenantTx| {
                return_member(tx, h.assignee_id).await
            })
            .await?;
    }
    Ok(returned)
}

/// Return one member's conversations in automatic teams to the queue, if they are offline.
pub async fn return_member(tx: &mut TenantTx, membership: Uuid) -> Result<usize> {
    if presence::of_members(tx, Some(&[membership]))
        .await?
        .get(&membership)
        != Some(&Presence::Offline)
    {
        return Ok(0);
    }
    let name = crate::conversations::member_names(tx, &[membership])
        .await?
        .remove(&membership)
        .unwrap_or_else(|| "The assignee".into());
    let auto_teams = teams::table
        .filter(teams::assignment.ne("manual"))
        .select(teams::id);
    let convs: Vec<(Uuid, Option<Uuid>)> = diesel::update(
        c::table
            .filter(c::assignee_id.eq(membership))
            .filter(c::status.eq_any(["open", "pending"]))
            .filter(c::team_id.eq_any(auto_teams.nullable())),
    )
    .set((
        c::assignee_id.eq(None::<Uuid>),
        c::updated_at.eq(Utc::now()),
    ))
    .returning((c::id, c::team_id))
    .get_results(tx.pg())
    .await?;
    let mut teams_touched: Vec<Uuid> = Vec::new();
    for (conv, team) in &convs {
        crate::activity::record(
            tx,
            *conv,
            None,
            crate::activity::Activity::ReturnedOffline { who: name.clone() },
        )
        .await?;
        teams_touched.extend(*team);
    }
    teams_touched.sort();
    teams_touched.dedup();
    for t in teams_touched {
        schedule(tx, t).await?;
    }
    Ok(convs.len())
}
