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
    }
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
    Ok(ConversationPage {
        items: rows.into_iter().map(to_conversation).collect(),
        next_cursor,
    })
}

pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Conversation> {
    let all = require_read(actor)?;
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
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let conv = row
        .map(to_conversation)
        .ok_or(Error::NotFound("conversation"))?;
    if !all && conv.assignee_id.is_some_and(|a| a != actor.membership_id.0) {
        // Someone else's conversation is, for this agent, not there at all.
        return Err(Error::NotFound("conversation"));
    }
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
