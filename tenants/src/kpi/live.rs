//! The supervisor floor: what is happening now, read live from the inbox (not from roll-ups):
//! who is online, away or offline with how many open conversations each holds, how many
//! conversations are open, unassigned, waiting for our reply (and the longest wait), pending,
//! snoozed, and how many SLA targets are at risk or breached. Two queries; the portal refreshes
//! it on realtime events.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::Result;
use crate::people::Actor;
use crate::permissions::Permission;
use crate::presence::{self, Presence};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FloorAgent {
    pub membership_id: Uuid,
    pub name: String,
    pub status: Presence,
    /// Conversations assigned to them and not resolved.
    pub open: i64,
    /// Of those, waiting for our reply.
    pub waiting: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Floor {
    pub open: i64,
    pub unassigned: i64,
    /// Open conversations whose customer waits for our reply.
    pub waiting: i64,
    /// Since when the longest-waiting customer waits.
    pub oldest_waiting_since: Option<DateTime<Utc>>,
    pub pending: i64,
    pub snoozed: i64,
    pub sla_at_risk: i64,
    pub sla_breached: i64,
    pub online: i64,
    pub away: i64,
    pub offline: i64,
    pub agents: Vec<FloorAgent>,
    pub at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    open: i64,
    #[diesel(sql_type = BigInt)]
    unassigned: i64,
    #[diesel(sql_type = BigInt)]
    waiting: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    oldest_waiting_since: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    pending: i64,
    #[diesel(sql_type = BigInt)]
    snoozed: i64,
    #[diesel(sql_type = BigInt)]
    sla_at_risk: i64,
    #[diesel(sql_type = BigInt)]
    sla_breached: i64,
}

#[derive(QueryableByName)]
struct AgentLoad {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    open: i64,
    #[diesel(sql_type = BigInt)]
    waiting: i64,
}

/// The floor now, optionally for one team. Needs reports:view.
pub async fn floor(tx: &mut TenantTx, actor: &Actor, team: Option<Uuid>) -> Result<Floor> {
    actor.require(Permission::ReportsView)?;
    let c: Counts = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE status = 'open') AS open, \
                count(*) FILTER (WHERE status = 'open' AND assignee_id IS NULL) AS unassigned, \
                count(*) FILTER (WHERE status = 'open' AND waiting_since IS NOT NULL) AS waiting, \
                min(waiting_since) FILTER (WHERE status = 'open') AS oldest_waiting_since, \
                count(*) FILTER (WHERE status = 'pending') AS pending, \
                count(*) FILTER (WHERE status = 'snoozed') AS snoozed, \
                count(*) FILTER (WHERE sla_status = 'at_risk') AS sla_at_risk, \
                count(*) FILTER (WHERE sla_status = 'breached') AS sla_breached \
           FROM conversations WHERE status <> 'resolved' \
            AND ($1::uuid IS NULL OR team_id = $1)",
    )
    .bind::<Nullable<SqlUuid>, _>(team)
    .get_result(tx.pg())
    .await?;
    // Active members (of the team, when asked) with their open load.
    let loads: Vec<AgentLoad> = diesel::sql_query(
        "SELECT m.id, u.name, \
                count(c.id) FILTER (WHERE c.id IS NOT NULL) AS open, \
                count(c.id) FILTER (WHERE c.waiting_since IS NOT NULL AND c.status = 'open') AS waiting \
           FROM memberships m JOIN users u ON u.id = m.user_id \
           LEFT JOIN conversations c ON c.tenant_id = m.tenant_id AND c.assignee_id = m.id \
                AND c.status <> 'resolved' \
          WHERE m.status = 'active' \
            AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM team_members t \
                                             WHERE t.team_id = $1 AND t.membership_id = m.id)) \
          GROUP BY m.id, u.name",
    )
    .bind::<Nullable<SqlUuid>, _>(team)
    .load(tx.pg())
    .await?;
    let ids: Vec<Uuid> = loads.iter().map(|l| l.id).collect();
    let statuses = presence::of_members(tx, Some(&ids)).await?;
    let mut agents: Vec<FloorAgent> = loads
        .into_iter()
        .map(|l| FloorAgent {
            status: statuses.get(&l.id).copied().unwrap_or(Presence::Offline),
            membership_id: l.id,
            name: l.name,
            open: l.open,
            waiting: l.waiting,
        })
        .collect();
    let rank = |p: Presence| match p {
        Presence::Online => 0,
        Presence::Away => 1,
        Presence::Offline => 2,
    };
    agents.sort_by(|a, b| {
        (rank(a.status), std::cmp::Reverse(a.open), &a.name).cmp(&(
            rank(b.status),
            std::cmp::Reverse(b.open),
            &b.name,
        ))
    });
    let by = |p: Presence| agents.iter().filter(|a| a.status == p).count() as i64;
    Ok(Floor {
        open: c.open,
        unassigned: c.unassigned,
        waiting: c.waiting,
        oldest_waiting_since: c.oldest_waiting_since,
        pending: c.pending,
        snoozed: c.snoozed,
        sla_at_risk: c.sla_at_risk,
        sla_breached: c.sla_breached,
        online: by(Presence::Online),
        away: by(Presence::Away),
        offline: by(Presence::Offline),
        agents,
        at: Utc::now(),
    })
}
