//! Reading realtime events. Triggers write one row per change (migration `..._realtime`) in the
//! transaction that made it, so an event exists exactly when its change commits. They do not
//! NOTIFY (that would serialise every writer's commit on PostgreSQL's notify lock); each server
//! reads the next window every 50 ms. Readers never advance by event id (ids are taken before commit, so a later commit
//! can hold a smaller id): they read by transaction id, up to the oldest transaction still
//! running (`pg_snapshot_xmin`). Everything below that horizon has committed or rolled back for
//! good, so a window `[floor, horizon)` is final and the next one starts at `horizon`.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::{Store, SystemTx};
use crate::error::Result;
use crate::ids::TenantId;

/// The channel the triggers notify.
pub const CHANNEL: &str = "chorus_realtime";
/// Events are kept this long for clients resuming after a reconnect.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(24);

/// One change, as clients are told about it.
#[derive(Debug, Clone, QueryableByName)]
pub struct Event {
    #[diesel(sql_type = SqlUuid)]
    pub tenant_id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// The writing transaction's id (the resume cursor).
    #[diesel(sql_type = Text)]
    pub xid: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// NULL for events about no conversation (presence).
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub conversation_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub message_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub assignee_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub previous_assignee_id: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// Meant for this member only (notifications).
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub recipient_id: Option<Uuid>,
    /// The conversation's team now and before the change.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub team_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub previous_team_id: Option<Uuid>,
    /// What ephemeral events carry (typing, viewers, presence).
    #[diesel(sql_type = Nullable<diesel::sql_types::Jsonb>)]
    pub data: Option<serde_json::Value>,
}

/// Who is looking: what decides whether an event reaches a socket.
#[derive(Debug, Clone)]
pub struct Audience {
    pub membership: Uuid,
    /// Holds `conversations:read_all`.
    pub read_all: bool,
    /// The member's teams (for read_assigned members: their teams' unassigned conversations).
    pub teams: Vec<Uuid>,
}

impl Event {
    pub fn tenant(&self) -> TenantId {
        TenantId(self.tenant_id)
    }

    /// May this member see it? Events for one member go to that member only; events about no
    /// conversation (presence) go to everyone; others follow conversation visibility: members
    /// who read only assigned conversations see theirs, and unassigned ones with no team or one
    /// of their teams, now or just before the change.
    pub fn visible_to(&self, who: &Audience) -> bool {
        if let Some(r) = self.recipient_id {
            return r == who.membership;
        }
        if self.conversation_id.is_none() || who.read_all {
            return true;
        }
        let may_see = |assignee: Option<Uuid>, team: Option<Uuid>| match assignee {
            Some(a) => a == who.membership,
            None => team.is_none_or(|t| who.teams.contains(&t)),
        };
        may_see(self.assignee_id, self.team_id)
            || may_see(self.previous_assignee_id, self.previous_team_id)
    }
}

/// An event the application writes itself (the triggers write the others), in the caller's
/// transaction: it exists, and is announced, exactly when that transaction commits.
#[derive(Debug, Clone, Default)]
pub struct Publish {
    pub kind: &'static str,
    pub conversation_id: Option<Uuid>,
    pub recipient_id: Option<Uuid>,
    pub data: Option<serde_json::Value>,
}

pub async fn publish(tx: &mut crate::db::TenantTx, event: Publish) -> Result<()> {
    // The conversation's assignee and team decide who sees it, as for trigger-written events.
    diesel::sql_query(
        "INSERT INTO realtime_events (tenant_id, kind, conversation_id, recipient_id, data,
                                      assignee_id, previous_assignee_id, team_id, previous_team_id)
         SELECT $1, $2, $3, $4, $5, c.assignee_id, c.assignee_id, c.team_id, c.team_id
           FROM (SELECT 1) one
           LEFT JOIN conversations c ON c.tenant_id = $1 AND c.id = $3",
    )
    .bind::<SqlUuid, _>(tx.tenant_id().0)
    .bind::<Text, _>(event.kind)
    .bind::<Nullable<SqlUuid>, _>(event.conversation_id)
    .bind::<Nullable<SqlUuid>, _>(event.recipient_id)
    .bind::<Nullable<diesel::sql_types::Jsonb>, _>(event.data)
    .execute(tx.pg())
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = Text)]
    xmin: String,
}

const COLUMNS: &str = "tenant_id, id, xid::text AS xid, kind, conversation_id, message_id, \
                       assignee_id, previous_assignee_id, created_at, recipient_id, team_id, \
                       previous_team_id, data";

/// The current horizon: transactions below it are finished.
pub async fn horizon(store: &Store) -> Result<String> {
    store
        .system(async |tx: &mut SystemTx| -> Result<String> {
            let h: Horizon =
                diesel::sql_query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin")
                    .get_result(tx.pg())
                    .await?;
            Ok(h.xmin)
        })
        .await
}

/// Every final event with `floor <= xid < horizon`, in commit-safe order, and the new floor.
pub async fn read_window(store: &Store, floor: &str) -> Result<(Vec<Event>, String)> {
    let floor = floor.to_owned();
    store
        .system(async |tx: &mut SystemTx| -> Result<(Vec<Event>, String)> {
            let h: Horizon =
                diesel::sql_query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin")
                    .get_result(tx.pg())
                    .await?;
            let events: Vec<Event> = diesel::sql_query(format!(
                "SELECT {COLUMNS} FROM realtime_events
                  WHERE xid >= $1::text::xid8 AND xid < $2::text::xid8
                  ORDER BY xid, id"
            ))
            .bind::<Text, _>(&floor)
            .bind::<Text, _>(&h.xmin)
            .load(tx.pg())
            .await?;
            Ok((events, h.xmin))
        })
        .await
}

/// What a reconnecting client missed: one business's final events from `after` on (a cursor
/// it was given: a `hello`'s horizon, or one past an event's transaction). `None` when there
/// are more than `limit` (the client should refetch instead).
pub async fn replay(
    store: &Store,
    tenant: TenantId,
    after: &str,
    limit: i64,
) -> Result<Option<Vec<Event>>> {
    let after = after.to_owned();
    store
        .system(async |tx: &mut SystemTx| -> Result<Option<Vec<Event>>> {
            let events: Vec<Event> = diesel::sql_query(format!(
                "SELECT {COLUMNS} FROM realtime_events
                  WHERE tenant_id = $1 AND xid >= $2::text::xid8
                    AND xid < pg_snapshot_xmin(pg_current_snapshot())
                  ORDER BY xid, id LIMIT $3"
            ))
            .bind::<SqlUuid, _>(tenant.0)
            .bind::<Text, _>(&after)
            .bind::<BigInt, _>(limit + 1)
            .load(tx.pg())
            .await?;
            Ok((events.len() as i64 <= limit).then_some(events))
        })
        .await
}

/// Is `s` a cursor (a transaction id)?
pub fn is_cursor(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Forget events older than [`RETENTION`].
pub async fn prune(store: &Store) -> Result<usize> {
    store
        .system(async |tx: &mut SystemTx| -> Result<usize> {
            Ok(
                diesel::sql_query("DELETE FROM realtime_events WHERE created_at < $1")
                    .bind::<Timestamptz, _>(Utc::now() - RETENTION)
                    .execute(tx.pg())
                    .await?,
            )
        })
        .await
}

/// A connection that LISTENs on [`CHANNEL`] (not from a pool: it stays open).
pub async fn listen(url: &str) -> Result<AsyncPgConnection> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| crate::Error::Unavailable(e.to_string()))?;
    diesel::sql_query(format!("LISTEN {CHANNEL}"))
        .execute(&mut conn)
        .await?;
    Ok(conn)
}
