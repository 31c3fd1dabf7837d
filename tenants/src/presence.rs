//! Presence and collision protection, kept in the database so that every `chorus serve` process
//! sees the same state.
//!
//! - **Presence**: a member is *online* while one of their realtime sockets is alive (each
//!   socket renews `last_seen_at`), *away* when they chose so or did nothing for
//!   [`IDLE_AWAY_MINUTES`], *offline* when no socket renewed it for [`SOCKET_TTL_SECS`].
//! - **Viewers**: who has a conversation open on screen (a heartbeat renews a 30 s row).
//! - **Composer lease**: who is typing a reply. One holder per conversation; a second agent's
//!   attempt to type or send gets 409 naming the holder. Taken with one conditional upsert, so
//!   of two agents starting at once exactly one holds it.
//! - **Last-seen guard**: a reply names the newest message its author saw; if another agent
//!   replied after it, the send is refused (409) unless forced.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::realtime::{self, Publish};
use crate::schema::{composer_leases as cl, conversation_viewers as cv, memberships, users};

pub const SOCKET_TTL_SECS: i64 = 60;
pub const IDLE_AWAY_MINUTES: i64 = 10;
pub const VIEWER_TTL_SECS: i64 = 30;
pub const LEASE_TTL_SECS: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Online,
    Away,
    Offline,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Online => "online",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }
}

/// The effective presence from what is stored.
pub fn status_of(
    availability: &str,
    last_seen: Option<DateTime<Utc>>,
    last_active: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Presence {
    let connected = last_seen.is_some_and(|t| now - t < Duration::seconds(SOCKET_TTL_SECS));
    if !connected {
        return Presence::Offline;
    }
    let idle = last_active.is_none_or(|t| now - t > Duration::minutes(IDLE_AWAY_MINUTES));
    if availability == "away" || idle {
        Presence::Away
    } else {
        Presence::Online
    }
}

type PresenceRow = (Uuid, String, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Presence of some members (all active members when `ids` is `None`).
pub async fn of_members(
    tx: &mut TenantTx,
    ids: Option<&[Uuid]>,
) -> Result<HashMap<Uuid, Presence>> {
    let mut q = memberships::table
        .select((
            memberships::id,
            memberships::availability,
            memberships::last_seen_at,
            memberships::last_active_at,
        ))
        .into_boxed();
    if let Some(ids) = ids {
        q = q.filter(memberships::id.eq_any(ids.to_vec()));
    }
    let rows: Vec<PresenceRow> = q.load(tx.pg()).await?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|(id, a, seen, active)| (id, status_of(&a, seen, active, now)))
        .collect())
}

async fn presence_of(tx: &mut TenantTx, membership: Uuid) -> Result<Presence> {
    Ok(of_members(tx, Some(&[membership]))
        .await?
        .get(&membership)
        .copied()
        .unwrap_or(Presence::Offline))
}

#[derive(QueryableByName)]
struct Beat {
    #[diesel(sql_type = Text)]
    availability: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
    seen_before: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
    active_before: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
    active_after: Option<DateTime<Utc>>,
}

/// A socket of this member is alive (and, with `active`, the person did something). Tells
/// everyone when the member's presence changed.
///
/// One statement: the row is locked, renewed and its previous values returned together, so a
/// heartbeat is one round trip inside the tenant transaction (2,000 sockets send 100 a second).
pub async fn heartbeat(tx: &mut TenantTx, membership: Uuid, active: bool) -> Result<Presence> {
    let now = Utc::now();
    let beat: Option<Beat> = diesel::sql_query(
        "WITH before AS (SELECT id, last_seen_at, last_active_at FROM memberships \
                          WHERE id = $1 FOR UPDATE) \
         UPDATE memberships m \
            SET last_seen_at = $2, \
                last_active_at = CASE WHEN $3 THEN $2 ELSE m.last_active_at END \
           FROM before WHERE m.id = before.id \
         RETURNING m.availability, before.last_seen_at AS seen_before, \
                   before.last_active_at AS active_before, m.last_active_at AS active_after",
    )
    .bind::<SqlUuid, _>(membership)
    .bind::<Timestamptz, _>(now)
    .bind::<diesel::sql_types::Bool, _>(active)
    .get_result(tx.pg())
    .await
    .optional()?;
    let Some(beat) = beat else {
        return Ok(Presence::Offline);
    };
    let before = status_of(
        &beat.availability,
        beat.seen_before,
        beat.active_before,
        now,
    );
    let after = status_of(&beat.availability, Some(now), beat.active_after, now);
    if after != before {
        announce(tx, membership, after).await?;
        if after == Presence::Online {
            // Someone came online: their teams' waiting conversations may go to them.
            crate::routing::schedule_member_teams(tx, membership).await?;
        }
    }
    Ok(after)
}

async fn announce(tx: &mut TenantTx, membership: Uuid, status: Presence) -> Result<()> {
    realtime::publish(
        tx,
        Publish {
            kind: "presence",
            data: Some(json!({ "membership_id": membership, "status": status })),
            ..Default::default()
        },
    )
    .await
}

/// The member's own availability toggle.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityChange {
    /// online or away
    pub availability: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PresenceView {
    pub availability: String,
    pub status: Presence,
}

pub async fn set_availability(
    tx: &mut TenantTx,
    actor: &Actor,
    change: AvailabilityChange,
) -> Result<PresenceView> {
    let availability = match change.availability.as_str() {
        a @ ("online" | "away") => a.to_owned(),
        _ => {
            return Err(Error::invalid(
                "availability",
                "availability is online or away",
            ));
        }
    };
    let me = actor.membership_id.0;
    let before = presence_of(tx, me).await?;
    let now = Utc::now();
    diesel::update(memberships::table.filter(memberships::id.eq(me)))
        .set((
            memberships::availability.eq(&availability),
            memberships::last_active_at.eq(now),
        ))
        .execute(tx.pg())
        .await?;
    let status = presence_of(tx, me).await?;
    if status != before {
        announce(tx, me, status).await?;
        if status == Presence::Online {
            crate::routing::schedule_member_teams(tx, me).await?;
        }
    }
    Ok(PresenceView {
        availability,
        status,
    })
}

/// Someone looking at a conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Viewer {
    pub membership_id: Uuid,
    pub name: String,
}

/// Who views a conversation now, except `except`.
pub async fn viewers(
    tx: &mut TenantTx,
    conversation: Uuid,
    except: Option<Uuid>,
) -> Result<Vec<Viewer>> {
    let rows: Vec<(Uuid, String)> = cv::table
        .inner_join(
            memberships::table.on(memberships::tenant_id
                .eq(cv::tenant_id)
                .and(memberships::id.eq(cv::membership_id))),
        )
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(cv::conversation_id.eq(conversation))
        .filter(cv::expires_at.gt(Utc::now()))
        .order(users::name)
        .select((cv::membership_id, users::name))
        .load(tx.pg())
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(id, _)| Some(*id) != except)
        .map(|(membership_id, name)| Viewer {
            membership_id,
            name,
        })
        .collect())
}

async fn announce_viewers(tx: &mut TenantTx, conversation: Uuid) -> Result<()> {
    let list = viewers(tx, conversation, None).await?;
    realtime::publish(
        tx,
        Publish {
            kind: "viewers",
            conversation_id: Some(conversation),
            data: Some(json!({ "viewers": list })),
            ..Default::default()
        },
    )
    .await
}

#[derive(QueryableByName)]
struct Fresh {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    fresh: bool,
}

/// The actor has the conversation open (a heartbeat). Everyone is told when the set of viewers
/// changes, not on every renewal.
pub async fn view(tx: &mut TenantTx, actor: &Actor, conversation: Uuid) -> Result<()> {
    crate::conversations::get(tx, actor, conversation).await?;
    let row: Fresh = diesel::sql_query(
        "WITH before AS (
             SELECT expires_at > now() AS live FROM conversation_viewers
              WHERE tenant_id = $1 AND conversation_id = $2 AND membership_id = $3)
         , up AS (
             INSERT INTO conversation_viewers (tenant_id, conversation_id, membership_id, expires_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, conversation_id, membership_id) DO UPDATE SET expires_at = excluded.expires_at
             RETURNING 1)
         SELECT NOT coalesce((SELECT live FROM before), false) AS fresh FROM up",
    )
    .bind::<SqlUuid, _>(tx.tenant_id().0)
    .bind::<SqlUuid, _>(conversation)
    .bind::<SqlUuid, _>(actor.membership_id.0)
    .bind::<Timestamptz, _>(Utc::now() + Duration::seconds(VIEWER_TTL_SECS))
    .get_result(tx.pg())
    .await?;
    if row.fresh {
        announce_viewers(tx, conversation).await?;
    }
    Ok(())
}

/// The actor closed the conversation.
pub async fn leave(tx: &mut TenantTx, actor: &Actor, conversation: Uuid) -> Result<()> {
    crate::conversations::get(tx, actor, conversation).await?;
    let gone = diesel::delete(
        cv::table
            .filter(cv::conversation_id.eq(conversation))
            .filter(cv::membership_id.eq(actor.membership_id.0)),
    )
    .execute(tx.pg())
    .await?;
    if gone > 0 {
        announce_viewers(tx, conversation).await?;
    }
    Ok(())
}

/// Who holds the composer of a conversation now (id, name), if anyone.
pub async fn lease_holder(tx: &mut TenantTx, conversation: Uuid) -> Result<Option<(Uuid, String)>> {
    Ok(cl::table
        .inner_join(
            memberships::table.on(memberships::tenant_id
                .eq(cl::tenant_id)
                .and(memberships::id.eq(cl::holder_id))),
        )
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(cl::conversation_id.eq(conversation))
        .filter(cl::expires_at.gt(Utc::now()))
        .select((cl::holder_id, users::name))
        .first(tx.pg())
        .await
        .optional()?)
}

fn locked(name: &str) -> Error {
    Error::conflict(
        "composer_locked",
        format!("{name} is typing a reply to this conversation."),
    )
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    renewed: bool,
}

/// Take or renew the composer lease. 409 `composer_locked` while another agent holds it.
pub async fn take_lease(tx: &mut TenantTx, actor: &Actor, conversation: Uuid) -> Result<()> {
    actor.require(crate::permissions::Permission::ConversationsReply)?;
    crate::conversations::get(tx, actor, conversation).await?;
    let me = actor.membership_id.0;
    // One conditional upsert: it takes a free or expired lease, renews our own, and changes
    // nothing (no row returned) when someone else holds it.
    let taken: Option<Taken> = diesel::sql_query(
        "WITH before AS (
             SELECT holder_id = $3 AND expires_at > now() AS ours FROM composer_leases
              WHERE tenant_id = $1 AND conversation_id = $2)
         INSERT INTO composer_leases (tenant_id, conversation_id, holder_id, expires_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, conversation_id) DO UPDATE
            SET holder_id = excluded.holder_id, expires_at = excluded.expires_at
          WHERE composer_leases.holder_id = excluded.holder_id OR composer_leases.expires_at <= now()
         RETURNING coalesce((SELECT ours FROM before), false) AS renewed",
    )
    .bind::<SqlUuid, _>(tx.tenant_id().0)
    .bind::<SqlUuid, _>(conversation)
    .bind::<SqlUuid, _>(me)
    .bind::<Timestamptz, _>(Utc::now() + Duration::seconds(LEASE_TTL_SECS))
    .get_result(tx.pg())
    .await
    .optional()?;
    match taken {
        None => {
            let holder = lease_holder(tx, conversation).await?;
            Err(locked(
                holder
                    .as_ref()
                    .map(|h| h.1.as_str())
                    .unwrap_or("Another agent"),
            ))
        }
        Some(t) => {
            if !t.renewed {
                announce_typing(tx, actor, conversation, true).await?;
            }
            Ok(())
        }
    }
}

/// Give the composer lease back (stopped typing, or sent).
pub async fn release_lease(tx: &mut TenantTx, actor: &Actor, conversation: Uuid) -> Result<()> {
    crate::conversations::get(tx, actor, conversation).await?;
    let gone = diesel::delete(
        cl::table
            .filter(cl::conversation_id.eq(conversation))
            .filter(cl::holder_id.eq(actor.membership_id.0)),
    )
    .execute(tx.pg())
    .await?;
    if gone > 0 {
        announce_typing(tx, actor, conversation, false).await?;
    }
    Ok(())
}

async fn announce_typing(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
    typing: bool,
) -> Result<()> {
    realtime::publish(
        tx,
        Publish {
            kind: "typing",
            conversation_id: Some(conversation),
            data: Some(json!({
                "membership_id": actor.membership_id.0,
                "name": actor.name,
                "typing": typing,
            })),
            ..Default::default()
        },
    )
    .await
}

/// What a reply says about what its author saw.
#[derive(Debug, Clone, Default)]
pub struct SendGuard {
    /// The newest message the author saw.
    pub last_seen_message_id: Option<Uuid>,
    /// Send even though another agent holds the composer or replied meanwhile.
    pub force: bool,
}

#[derive(QueryableByName)]
struct Newer {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Timestamptz)]
    sent_at: DateTime<Utc>,
}

/// Refuse a reply that would collide: another agent holds the composer (`composer_locked`),
/// or replied after the message the author last saw (`conversation_changed`). The time is
/// shown in the business's time zone.
pub async fn check_send(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
    guard: &SendGuard,
) -> Result<()> {
    if guard.force {
        return Ok(());
    }
    if let Some((holder, name)) = lease_holder(tx, conversation).await?
        && holder != actor.membership_id.0
    {
        return Err(locked(&name));
    }
    let Some(seen) = guard.last_seen_message_id else {
        return Ok(());
    };
    // Message ids are UUIDv7: later messages have greater ids.
    let newer: Option<Newer> = diesel::sql_query(
        "SELECT u.name, m.sent_at FROM messages m
           JOIN memberships ms ON ms.tenant_id = m.tenant_id AND ms.id = m.sender_id
           JOIN users u ON u.id = ms.user_id
          WHERE m.conversation_id = $1 AND m.direction = 'outbound' AND m.sender_type = 'agent'
            AND m.sender_id <> $2 AND m.id > $3
          ORDER BY m.id DESC LIMIT 1",
    )
    .bind::<SqlUuid, _>(conversation)
    .bind::<SqlUuid, _>(actor.membership_id.0)
    .bind::<SqlUuid, _>(seen)
    .get_result(tx.pg())
    .await
    .optional()?;
    if let Some(n) = newer {
        let zone = crate::businesses::time_zone(tx).await?;
        let at = n.sent_at.with_timezone(&zone).format("%H:%M");
        return Err(Error::conflict(
            "conversation_changed",
            format!(
                "{} replied at {at} after the last message you saw. Read it, then send again (or send anyway).",
                n.name
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_follows_sockets_activity_and_choice() {
        let now = Utc::now();
        let recent = Some(now - Duration::seconds(5));
        assert_eq!(status_of("online", None, recent, now), Presence::Offline);
        assert_eq!(
            status_of("online", Some(now - Duration::seconds(90)), recent, now),
            Presence::Offline
        );
        assert_eq!(status_of("online", recent, recent, now), Presence::Online);
        assert_eq!(status_of("away", recent, recent, now), Presence::Away);
        assert_eq!(
            status_of("online", recent, Some(now - Duration::minutes(11)), now),
            Presence::Away
        );
        assert_eq!(status_of("online", recent, None, now), Presence::Away);
    }
}
