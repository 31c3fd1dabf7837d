//! Conversations: one thread between a business number and a contact. At most one unresolved
//! conversation exists per (number, contact); a message that arrives after the conversation was
//! resolved opens a new one, so each conversation has a clean start, end and SLA history while the
//! contact keeps the whole past. The 24-hour customer service window is kept on the row
//! (`window_expires_at`): last inbound + 24 h, or 72 h after a click-to-WhatsApp ad referral.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{contacts, conversations as c};

pub const SERVICE_WINDOW_HOURS: i64 = 24;
pub const FREE_ENTRY_POINT_HOURS: i64 = 72;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactRef {
    pub id: Uuid,
    pub wa_id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: Uuid,
    pub number_id: Uuid,
    pub contact: ContactRef,
    pub status: String,
    pub assignee_id: Option<Uuid>,
    pub last_message_at: DateTime<Utc>,
    pub last_message_preview: Option<String>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// When free-form messages stop being allowed (templates still pass).
    pub window_expires_at: Option<DateTime<Utc>>,
    pub window_open: bool,
    pub referral: Option<serde_json::Value>,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Inbound messages since an agent last opened the conversation.
    pub unread_count: i32,
    pub assignee_name: Option<String>,
}

type Row = (
    Uuid,
    Uuid,
    Uuid,
    Option<String>,
    Option<String>,
    String,
    Option<Uuid>,
    DateTime<Utc>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<serde_json::Value>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    i32,
);

fn to_conversation(r: Row) -> Conversation {
    let now = Utc::now();
    Conversation {
        id: r.0,
        number_id: r.1,
        contact: ContactRef {
            id: r.2,
            wa_id: r.3,
            name: r.4,
        },
        status: r.5,
        assignee_id: r.6,
        last_message_at: r.7,
        last_message_preview: r.8,
        last_inbound_at: r.9,
        window_expires_at: r.10,
        window_open: r.10.is_some_and(|t| t > now),
        referral: r.11,
        opened_at: r.12,
        resolved_at: r.13,
        unread_count: r.14,
        assignee_name: None,
    }
}

/// Display names of members of this business.
pub(crate) async fn member_names(
    tx: &mut TenantTx,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>> {
    use crate::schema::{memberships as ms, users as u};
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(Uuid, String)> = ms::table
        .inner_join(u::table.on(u::id.eq(ms::user_id)))
        .filter(ms::id.eq_any(ids))
        .select((ms::id, u::name))
        .load(tx.pg())
        .await?;
    Ok(rows.into_iter().collect())
}

async fn name_assignees(tx: &mut TenantTx, items: &mut [Conversation]) -> Result<()> {
    let mut ids: Vec<Uuid> = items.iter().filter_map(|c| c.assignee_id).collect();
    ids.sort();
    ids.dedup();
    let names = member_names(tx, &ids).await?;
    for c in items {
        c.assignee_name = c.assignee_id.and_then(|a| names.get(&a).cloned());
    }
    Ok(())
}

/// Filters of the conversation list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ListFilter {
    /// open, pending, snoozed, resolved; all unresolved when absent.
    pub status: Option<String>,
    pub number_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConversationPage {
    pub items: Vec<Conversation>,
    pub next_cursor: Option<String>,
}

fn require_read(actor: &Actor) -> Result<bool> {
    actor.require_any(&[
        Permission::ConversationsReadAll,
        Permission::ConversationsReadAssigned,
    ])?;
    Ok(actor.permissions.contains(Permission::ConversationsReadAll))
}

/// Most recent activity first. Agents who may read only assigned conversations see theirs and
/// the unassigned ones.
pub async fn list(
    tx: &mut TenantTx,
    actor: &Actor,
    filter: &ListFilter,
) -> Result<ConversationPage> {
    let all = require_read(actor)?;
    let limit = filter.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit", "limit must be between 1 and 200"));
    }
    let after = match filter.cursor.as_deref() {
        None | Some("") => None,
        Some(cur) => Some(
            decode_cursor(cur)
                .ok_or_else(|| Error::invalid("cursor", "The cursor is not valid."))?,
        ),
    };
    let mut q = c::table
        .inner_join(
            contacts::table.on(contacts::tenant_id
                .eq(c::tenant_id)
                .and(contacts::id.eq(c::contact_id))),
        )
        .select((
            c::id,
            c::number_id,
            contacts::id,
            contacts::wa_id,
            contacts::profile_name,
            c::status,
            c::assignee_id,
            c::last_message_at,
            c::last_message_preview,
            c::last_inbound_at,
            c::window_expires_at,
            c::referral,
            c::opened_at,
            c::resolved_at,
            c::unread_count,
        ))
        .order((c::last_message_at.desc(), c::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    match filter.status.as_deref() {
        None | Some("") => q = q.filter(c::status.ne("resolved")),
        Some(s @ ("open" | "pending" | "snoozed" | "resolved")) => {
            q = q.filter(c::status.eq(s.to_owned()))
        }
        Some(_) => {
            return Err(Error::invalid(
                "status",
                "status is one of open, pending, snoozed, resolved",
            ));
        }
    }
    if let Some(nid) = filter.number_id {
        q = q.filter(c::number_id.eq(nid));
    }
    if !all {
        q = q.filter(
            c::assignee_id
                .eq(actor.membership_id.0)
                .or(c::assignee_id.is_null()),
        );
    }
    if let Some((at, id)) = after {
        q = q.filter(
            c::last_message_at
                .lt(at)
                .or(c::last_message_at.eq(at).and(c::id.lt(id))),
        );
    }
    let mut rows: Vec<Row> = q.load(tx.pg()).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode_cursor(r.7, r.0))
    } else {
        None
    };
    let mut items: Vec<Conversation> = rows.into_iter().map(to_conversation).collect();
    name_assignees(tx, &mut items).await?;
    Ok(ConversationPage { items, next_cursor })
}

pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Conversation> {
    let all = require_read(actor)?;
    let conv = fetch(tx, id).await?;
    if !all && conv.assignee_id.is_some_and(|a| a != actor.membership_id.0) {
        // Someone else's conversation is, for this agent, not there at all.
        return Err(Error::NotFound("conversation"));
    }
    Ok(conv)
}

/// The number of a conversation: its id and its WABA.
pub async fn number_of(tx: &mut TenantTx, id: Uuid) -> Result<(Uuid, String)> {
    use crate::schema::whatsapp_numbers as n;
    c::table
        .inner_join(n::table.on(n::tenant_id.eq(c::tenant_id).and(n::id.eq(c::number_id))))
        .filter(c::id.eq(id))
        .select((n::id, n::waba_id))
        .first(tx.pg())
        .await
        .optional()?
        .ok_or(Error::NotFound("conversation"))
}

/// A conversation of this business, whoever may see it.
async fn fetch(tx: &mut TenantTx, id: Uuid) -> Result<Conversation> {
    let row: Option<Row> = c::table
        .inner_join(
            contacts::table.on(contacts::tenant_id
                .eq(c::tenant_id)
                .and(contacts::id.eq(c::contact_id))),
        )
        .filter(c::id.eq(id))
        .select((
            c::id,
            c::number_id,
            contacts::id,
            contacts::wa_id,
            contacts::profile_name,
            c::status,
            c::assignee_id,
            c::last_message_at,
            c::last_message_preview,
            c::last_inbound_at,
            c::window_expires_at,
            c::referral,
            c::opened_at,
            c::resolved_at,
            c::unread_count,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let mut conv = [row
        .map(to_conversation)
        .ok_or(Error::NotFound("conversation"))?];
    name_assignees(tx, &mut conv).await?;
    let [conv] = conv;
    Ok(conv)
}

fn encode_cursor(at: DateTime<Utc>, id: Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "{}|{}",
        at.timestamp_micros(),
        id
    ))
}

fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, Uuid)> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (micros, id) = text.split_once('|')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        Uuid::parse_str(id).ok()?,
    ))
}

/// The window after an inbound message at `at` (72 h when it came from an ad).
pub fn window_after(at: DateTime<Utc>, from_ad: bool) -> DateTime<Utc> {
    at + Duration::hours(if from_ad {
        FREE_ENTRY_POINT_HOURS
    } else {
        SERVICE_WINDOW_HOURS
    })
}

/// A change to a conversation's workflow state.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationChanges {
    /// open, pending or resolved.
    pub status: Option<String>,
    /// Who handles it; `null` returns it to the queue. Absent: unchanged.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<Uuid>>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// Change status and/or assignee. Taking an unassigned conversation for oneself needs
/// `conversations:reply` and is one conditional update: of two agents claiming at once exactly
/// one wins and the other gets 409 naming the winner. Assigning someone else, or taking a
/// conversation from someone, needs `conversations:assign`.
pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    changes: ConversationChanges,
) -> Result<Conversation> {
    use crate::schema::{memberships, users};
    let claiming = changes.assignee_id == Some(Some(actor.membership_id.0));
    if claiming {
        // A claim race: the loser must hear who won (409), even though an agent who reads only
        // their own conversations can no longer see it. Same business only, by the door.
        require_read(actor)?;
        fetch(tx, id).await?;
    } else {
        get(tx, actor, id).await?;
    }
    let now = Utc::now();
    if let Some(assignee) = changes.assignee_id {
        let taking_for_self = assignee == Some(actor.membership_id.0);
        if taking_for_self && !actor.permissions.contains(Permission::ConversationsAssign) {
            actor.require(Permission::ConversationsReply)?;
            let claimed = diesel::update(
                c::table.filter(c::id.eq(id)).filter(
                    c::assignee_id
                        .is_null()
                        .or(c::assignee_id.eq(actor.membership_id.0)),
                ),
            )
            .set((c::assignee_id.eq(assignee), c::updated_at.eq(now)))
            .execute(tx.pg())
            .await?;
            if claimed == 0 {
                let holder: Option<String> = c::table
                    .inner_join(
                        memberships::table.on(memberships::tenant_id
                            .eq(c::tenant_id)
                            .and(memberships::id.nullable().eq(c::assignee_id))),
                    )
                    .inner_join(users::table.on(users::id.eq(memberships::user_id)))
                    .filter(c::id.eq(id))
                    .select(users::name)
                    .first(tx.pg())
                    .await
                    .optional()?;
                return Err(Error::conflict(
                    "already_assigned",
                    format!(
                        "{} is already handling this conversation.",
                        holder.unwrap_or_else(|| "Someone else".into())
                    ),
                ));
            }
        } else {
            actor.require(Permission::ConversationsAssign)?;
            if let Some(member) = assignee {
                let active: i64 = memberships::table
                    .filter(memberships::id.eq(member))
                    .filter(memberships::status.eq("active"))
                    .count()
                    .get_result(tx.pg())
                    .await?;
                if active == 0 {
                    return Err(Error::invalid(
                        "assignee_id",
                        "Assign the conversation to an active agent of this business.",
                    ));
                }
            }
            diesel::update(c::table.filter(c::id.eq(id)))
                .set((c::assignee_id.eq(assignee), c::updated_at.eq(now)))
                .execute(tx.pg())
                .await?;
        }
    }
    if let Some(status) = changes.status.as_deref() {
        actor.require(Permission::ConversationsReply)?;
        match status {
            "open" | "pending" => {
                let reopened = diesel::update(c::table.filter(c::id.eq(id)))
                    .set((
                        c::status.eq(status),
                        c::resolved_at.eq(None::<DateTime<Utc>>),
                        c::updated_at.eq(now),
                    ))
                    .execute(tx.pg())
                    .await;
                if let Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) = reopened
                {
                    return Err(Error::conflict(
                        "conversation_open_elsewhere",
                        "The customer has a newer open conversation on this number; continue there.",
                    ));
                }
                reopened?;
            }
            "resolved" => {
                diesel::update(c::table.filter(c::id.eq(id)))
                    .set((
                        c::status.eq("resolved"),
                        c::resolved_at.eq(Some(now)),
                        c::updated_at.eq(now),
                    ))
                    .execute(tx.pg())
                    .await?;
            }
            _ => {
                return Err(Error::invalid(
                    "status",
                    "status is one of open, pending, resolved",
                ));
            }
        }
    }
    fetch(tx, id).await
}
