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
use crate::schema::{contacts, conversations as c, teams};

pub const SERVICE_WINDOW_HOURS: i64 = 24;
pub const FREE_ENTRY_POINT_HOURS: i64 = 72;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactRef {
    pub id: Uuid,
    pub wa_id: Option<String>,
    pub name: Option<String>,
}

/// A tag as it appears on a conversation or contact.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct TagRef {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`
    pub colour: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: Uuid,
    pub number_id: Uuid,
    pub contact: ContactRef,
    /// open, pending, snoozed or resolved
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
    pub team_id: Option<Uuid>,
    pub team_name: Option<String>,
    /// none, low, medium, high or urgent
    pub priority: String,
    /// When a snoozed conversation wakes up.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The oldest customer message not answered yet (none once we replied).
    pub waiting_since: Option<DateTime<Utc>>,
    pub tags: Vec<TagRef>,
    /// Other members who have it open now (filled in by `GET /conversations/{id}` only).
    pub viewers: Vec<crate::presence::Viewer>,
    /// The SLA in force, if a policy applies.
    pub sla: Option<crate::sla::SlaView>,
}

type Row = (
    (
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
    ),
    (
        Option<Uuid>,
        Option<String>,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    ),
    (
        String,
        Option<Uuid>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Vec<String>,
    ),
);

fn to_conversation(row: Row) -> Conversation {
    let (r, x, sla) = row;
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
        team_id: x.0,
        team_name: x.1,
        priority: x.2,
        snoozed_until: x.3,
        waiting_since: x.4,
        tags: Vec::new(),
        viewers: Vec::new(),
        sla: crate::sla::view(sla.0, sla.1, sla.2, sla.3, sla.4, sla.5),
    }
}

/// The select list of a conversation row (with its contact and team).
macro_rules! conversation_columns {
    () => {
        (
            (
                c::id,
                c::number_id,
                contacts::id,
                contacts::wa_id,
                // The agent-set name wins over the WhatsApp profile name.
                diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                    "coalesce(contacts.name, contacts.profile_name)",
                ),
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
            ),
            (
                c::team_id,
                teams::name.nullable(),
                c::priority,
                c::snoozed_until,
                c::waiting_since,
            ),
            (
                c::sla_status,
                c::sla_policy_id,
                c::sla_first_due_at,
                c::sla_next_due_at,
                c::sla_resolve_due_at,
                c::sla_breaches,
            ),
        )
    };
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

/// Assignee names and tags of loaded conversations (two queries for a whole page).
async fn complete(tx: &mut TenantTx, items: &mut [Conversation]) -> Result<()> {
    use crate::schema::{conversation_tags as ct, tags};
    let mut ids: Vec<Uuid> = items.iter().filter_map(|c| c.assignee_id).collect();
    ids.sort();
    ids.dedup();
    let names = member_names(tx, &ids).await?;
    let conv_ids: Vec<Uuid> = items.iter().map(|c| c.id).collect();
    let tag_rows: Vec<(Uuid, Uuid, String, String)> = if conv_ids.is_empty() {
        Vec::new()
    } else {
        ct::table
            .inner_join(
                tags::table.on(tags::tenant_id
                    .eq(ct::tenant_id)
                    .and(tags::id.eq(ct::tag_id))),
            )
            .filter(ct::conversation_id.eq_any(&conv_ids))
            .order(tags::name)
            .select((ct::conversation_id, tags::id, tags::name, tags::colour))
            .load(tx.pg())
            .await?
    };
    let mut by_conv: std::collections::HashMap<Uuid, Vec<TagRef>> = Default::default();
    for (conv, id, name, colour) in tag_rows {
        by_conv
            .entry(conv)
            .or_default()
            .push(TagRef { id, name, colour });
    }
    for c in items {
        c.assignee_name = c.assignee_id.and_then(|a| names.get(&a).cloned());
        c.tags = by_conv.remove(&c.id).unwrap_or_default();
    }
    Ok(())
}

/// Filters of the conversation list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ListFilter {
    /// open, pending, snoozed, resolved; all unresolved when absent.
    pub status: Option<String>,
    pub number_id: Option<Uuid>,
    /// me (assigned to the caller), unassigned, or all (default: all the caller may see).
    pub assignee: Option<String>,
    pub team_id: Option<Uuid>,
    pub tag_id: Option<Uuid>,
    /// none, low, medium, high, urgent
    pub priority: Option<String>,
    /// `closing`: the 24-hour window closes within the hour.
    pub window: Option<String>,
    /// The SLA state: on_track, at_risk, breached or met.
    pub sla: Option<String>,
    /// `activity` (newest activity first, the default) or `waiting` (conversations awaiting our
    /// reply, longest waiting first).
    pub sort: Option<String>,
    /// Words said in the conversation (English and Spanish full-text search), or the contact's
    /// name or number.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConversationPage {
    pub items: Vec<Conversation>,
    pub next_cursor: Option<String>,
}

/// What conversations the actor may read: every one, or (read_assigned) their own plus the
/// unassigned ones of no team or of one of their teams.
#[derive(Debug, Clone)]
pub enum Scope {
    All,
    Assigned { me: Uuid, teams: Vec<Uuid> },
}

impl Scope {
    pub fn allows(&self, assignee: Option<Uuid>, team: Option<Uuid>) -> bool {
        match self {
            Scope::All => true,
            Scope::Assigned { me, teams } => match assignee {
                Some(a) => a == *me,
                None => team.is_none_or(|t| teams.contains(&t)),
            },
        }
    }
}

pub async fn scope(tx: &mut TenantTx, actor: &Actor) -> Result<Scope> {
    actor.require_any(&[
        Permission::ConversationsReadAll,
        Permission::ConversationsReadAssigned,
    ])?;
    if actor.permissions.contains(Permission::ConversationsReadAll) {
        return Ok(Scope::All);
    }
    Ok(Scope::Assigned {
        me: actor.membership_id.0,
        teams: crate::people::teams::of_member(tx, actor.membership_id.0).await?,
    })
}

const PRIORITIES: [&str; 5] = ["none", "low", "medium", "high", "urgent"];

fn check_priority(p: &str) -> Result<String> {
    if PRIORITIES.contains(&p) {
        Ok(p.to_owned())
    } else {
        Err(Error::invalid(
            "priority",
            "priority is one of none, low, medium, high, urgent",
        ))
    }
}

/// Most recent activity first (or longest waiting first). Agents who may read only assigned
/// conversations see theirs and their teams' unassigned ones.
pub async fn list(
    tx: &mut TenantTx,
    actor: &Actor,
    filter: &ListFilter,
) -> Result<ConversationPage> {
    use diesel::sql_types::{Bool, Text as SqlText};
    let scope = scope(tx, actor).await?;
    let limit = filter.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit", "limit must be between 1 and 200"));
    }
    let waiting = match filter.sort.as_deref() {
        None | Some("") | Some("activity") => false,
        Some("waiting") => true,
        Some(_) => return Err(Error::invalid("sort", "sort is activity or waiting")),
    };
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
        .left_join(
            teams::table.on(teams::tenant_id
                .eq(c::tenant_id)
                .and(teams::id.nullable().eq(c::team_id))),
        )
        .select(conversation_columns!())
        .limit(limit + 1)
        .into_boxed();
    q = if waiting {
        q.filter(c::waiting_since.is_not_null())
            .order((c::waiting_since.asc(), c::id.asc()))
    } else {
        q.order((c::last_message_at.desc(), c::id.desc()))
    };
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
    match filter.sla.as_deref() {
        None | Some("") => {}
        Some(v @ ("on_track" | "at_risk" | "breached" | "met")) => {
            q = q.filter(c::sla_status.eq(v.to_owned()))
        }
        Some(_) => {
            return Err(Error::invalid(
                "sla",
                "sla is one of on_track, at_risk, breached, met",
            ));
        }
    }
    match filter.assignee.as_deref() {
        None | Some("") | Some("all") => {}
        Some("me") => q = q.filter(c::assignee_id.eq(actor.membership_id.0)),
        Some("unassigned") => q = q.filter(c::assignee_id.is_null()),
        Some(_) => {
            return Err(Error::invalid(
                "assignee",
                "assignee is one of me, unassigned, all",
            ));
        }
    }
    if let Some(team) = filter.team_id {
        q = q.filter(c::team_id.eq(team));
    }
    if let Some(tag) = filter.tag_id {
        use crate::schema::conversation_tags as ct;
        q = q.filter(
            c::id.eq_any(
                ct::table
                    .filter(ct::tag_id.eq(tag))
                    .select(ct::conversation_id),
            ),
        );
    }
    if let Some(p) = filter.priority.as_deref().filter(|p| !p.is_empty()) {
        q = q.filter(c::priority.eq(check_priority(p)?));
    }
    match filter.window.as_deref() {
        None | Some("") => {}
        Some("closing") => {
            let now = Utc::now();
            q = q
                .filter(c::window_expires_at.gt(now))
                .filter(c::window_expires_at.le(now + Duration::hours(1)));
        }
        Some(_) => return Err(Error::invalid("window", "window is closing")),
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 200 {
            return Err(Error::invalid("q", "Search for at most 200 characters."));
        }
        let like = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        // One uncorrelated set of candidates, computed first (`= ANY(ARRAY(..))` is an InitPlan),
        // so the conversations are then fetched by primary key: contacts by either name or phone
        // digits (trigram indexes), messages by full-text search (the GIN index). With `IN (..)`
        // the planner trusted the full-text estimate (200,000 rows for 1 match at 20M messages)
        // and scanned every resolved conversation (1.5 s). RLS keeps both inside the business.
        q = q.filter(
            diesel::dsl::sql::<Bool>(
                "conversations.id = ANY(ARRAY(SELECT k2.id FROM conversations k2 WHERE k2.contact_id IN \
                 (SELECT k.id FROM contacts k WHERE k.name ILIKE ",
            )
            .bind::<SqlText, _>(like.clone())
            .sql(" OR k.profile_name ILIKE ")
            .bind::<SqlText, _>(like)
            .sql(" OR (")
            .bind::<SqlText, _>(digits.clone())
            .sql(" <> '' AND k.wa_id LIKE '%' || ")
            .bind::<SqlText, _>(digits)
            .sql(" || '%')) UNION SELECT m.conversation_id FROM messages m WHERE (to_tsvector('english', m.body) || to_tsvector('spanish', m.body)) @@ (websearch_to_tsquery('english', ")
            .bind::<SqlText, _>(text.to_owned())
            .sql(") || websearch_to_tsquery('spanish', ")
            .bind::<SqlText, _>(text.to_owned())
            .sql("))))"),
        );
    }
    if let Scope::Assigned {
        me,
        teams: my_teams,
    } = &scope
    {
        q = q.filter(
            c::assignee_id.eq(*me).or(c::assignee_id
                .is_null()
                .and(c::team_id.is_null().or(c::team_id.eq_any(my_teams.clone())))),
        );
    }
    if let Some((at, id)) = after {
        q = if waiting {
            q.filter(
                c::waiting_since
                    .gt(at)
                    .or(c::waiting_since.eq(at).and(c::id.gt(id))),
            )
        } else {
            q.filter(
                c::last_message_at
                    .lt(at)
                    .or(c::last_message_at.eq(at).and(c::id.lt(id))),
            )
        };
    }
    let mut rows: Vec<Row> = q.load(tx.pg()).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| {
            let at = if waiting {
                r.1.4.unwrap_or(r.0.7)
            } else {
                r.0.7
            };
            encode_cursor(at, r.0.0)
        })
    } else {
        None
    };
    let mut items: Vec<Conversation> = rows.into_iter().map(to_conversation).collect();
    complete(tx, &mut items).await?;
    Ok(ConversationPage { items, next_cursor })
}

/// One conversation the actor may see (the visibility check of every conversation action).
pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Conversation> {
    let scope = scope(tx, actor).await?;
    let conv = fetch(tx, id).await?;
    if !scope.allows(conv.assignee_id, conv.team_id) {
        // Someone else's conversation is, for this agent, not there at all.
        return Err(Error::NotFound("conversation"));
    }
    Ok(conv)
}

/// [`get`], plus who else is viewing it (what a screen opening the conversation shows; kept
/// off the send path and the other checks that only need visibility).
pub async fn get_with_viewers(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Conversation> {
    let mut conv = get(tx, actor, id).await?;
    conv.viewers = crate::presence::viewers(tx, id, Some(actor.membership_id.0)).await?;
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
pub(crate) async fn fetch(tx: &mut TenantTx, id: Uuid) -> Result<Conversation> {
    let row: Option<Row> = c::table
        .inner_join(
            contacts::table.on(contacts::tenant_id
                .eq(c::tenant_id)
                .and(contacts::id.eq(c::contact_id))),
        )
        .left_join(
            teams::table.on(teams::tenant_id
                .eq(c::tenant_id)
                .and(teams::id.nullable().eq(c::team_id))),
        )
        .filter(c::id.eq(id))
        .select(conversation_columns!())
        .first(tx.pg())
        .await
        .optional()?;
    let mut conv = [row
        .map(to_conversation)
        .ok_or(Error::NotFound("conversation"))?];
    complete(tx, &mut conv).await?;
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
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationChanges {
    /// open, pending, snoozed (with `snoozed_until`) or resolved.
    pub status: Option<String>,
    /// When a snoozed conversation opens again (a future time).
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Who handles it; `null` returns it to the queue. Absent: unchanged.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<Uuid>>,
    /// The team it belongs to (a transfer); `null` for none. Absent: unchanged.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub team_id: Option<Option<Uuid>>,
    /// none, low, medium, high or urgent.
    pub priority: Option<String>,
    /// Why (kept with the assignment or transfer in the timeline).
    pub note: Option<String>,
}

pub(crate) fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// The job that wakes a snoozed conversation at its time.
pub const WAKE_SNOOZED: &str = "wake_snoozed";

/// Change status, assignee, team and/or priority. Taking an unassigned conversation for oneself
/// needs `conversations:reply` and is one conditional update: of two agents claiming at once
/// exactly one wins and the other gets 409 naming the winner. Assigning someone else, taking a
/// conversation from someone, or moving it to a team needs `conversations:assign`. Each change
/// is written to the timeline.
pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    changes: ConversationChanges,
) -> Result<Conversation> {
    use crate::activity::{self, Activity};
    use crate::schema::{memberships, users};
    let claiming = changes.assignee_id == Some(Some(actor.membership_id.0));
    let before = if claiming {
        // A claim race: the loser must hear who won (409), even though an agent who reads only
        // their own conversations can no longer see it. Same business only, by the door.
        scope(tx, actor).await?;
        fetch(tx, id).await?
    } else {
        get(tx, actor, id).await?
    };
    let note = match changes.note.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) if n.chars().count() > 500 => {
            return Err(Error::invalid("note", "A note has at most 500 characters."));
        }
        Some(n) => Some(n.to_owned()),
    };
    let now = Utc::now();
    if let Some(team) = changes.team_id {
        actor.require(Permission::ConversationsAssign)?;
        let team_name = match team {
            Some(t) => Some(
                teams::table
                    .filter(teams::id.eq(t))
                    .select(teams::name)
                    .first::<String>(tx.pg())
                    .await
                    .optional()?
                    .ok_or_else(|| Error::invalid("team_id", "There is no such team."))?,
            ),
            None => None,
        };
        if team != before.team_id {
            diesel::update(c::table.filter(c::id.eq(id)))
                .set((c::team_id.eq(team), c::updated_at.eq(now)))
                .execute(tx.pg())
                .await?;
            activity::record(
                tx,
                id,
                Some(actor),
                Activity::Transferred {
                    team: team_name,
                    note: note.clone(),
                },
            )
            .await?;
        }
    }
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
            if before.assignee_id != assignee {
                activity::record(tx, id, Some(actor), Activity::Claimed).await?;
            }
        } else {
            actor.require(Permission::ConversationsAssign)?;
            let mut assignee_name = None;
            if let Some(member) = assignee {
                let active: Option<String> = memberships::table
                    .inner_join(users::table.on(users::id.eq(memberships::user_id)))
                    .filter(memberships::id.eq(member))
                    .filter(memberships::status.eq("active"))
                    .select(users::name)
                    .first(tx.pg())
                    .await
                    .optional()?;
                let Some(name) = active else {
                    return Err(Error::invalid(
                        "assignee_id",
                        "Assign the conversation to an active agent of this business.",
                    ));
                };
                assignee_name = Some(name);
            }
            diesel::update(c::table.filter(c::id.eq(id)))
                .set((c::assignee_id.eq(assignee), c::updated_at.eq(now)))
                .execute(tx.pg())
                .await?;
            if before.assignee_id != assignee {
                if assignee.is_some() {
                    // A person has it now: its bot stops.
                    crate::bots::person_took_over(tx, id).await?;
                }
                let what = match (assignee, assignee_name) {
                    (Some(a), _) if a == actor.membership_id.0 => Activity::Claimed,
                    (Some(_), Some(to)) => Activity::Assigned { to },
                    _ => Activity::Unassigned,
                };
                let item = activity::record(tx, id, Some(actor), what).await?;
                if let Some(member) = assignee.filter(|a| *a != actor.membership_id.0) {
                    crate::notifications::notify(
                        tx,
                        crate::notifications::Notice {
                            recipient: member,
                            kind: "assigned",
                            conversation_id: id,
                            message_id: Some(item),
                            actor_id: Some(actor.membership_id.0),
                            body: match &note {
                                Some(n) => format!(
                                    "{} assigned you a conversation with {}: “{n}”",
                                    actor.name,
                                    before.contact_label()
                                ),
                                None => format!(
                                    "{} assigned you a conversation with {}",
                                    actor.name,
                                    before.contact_label()
                                ),
                            },
                        },
                    )
                    .await?;
                }
            }
        }
    }
    if let Some(p) = changes.priority.as_deref() {
        actor.require(Permission::ConversationsReply)?;
        let p = check_priority(p)?;
        if p != before.priority {
            diesel::update(c::table.filter(c::id.eq(id)))
                .set((c::priority.eq(&p), c::updated_at.eq(now)))
                .execute(tx.pg())
                .await?;
            activity::record(tx, id, Some(actor), Activity::Priority { priority: p }).await?;
        }
    }
    if changes.snoozed_until.is_some() && changes.status.as_deref() != Some("snoozed") {
        return Err(Error::invalid(
            "snoozed_until",
            "snoozed_until goes with status snoozed.",
        ));
    }
    if let Some(status) = changes.status.as_deref() {
        actor.require(Permission::ConversationsReply)?;
        match status {
            "open" | "pending" => {
                let reopened = diesel::update(c::table.filter(c::id.eq(id)))
                    .set((
                        c::status.eq(status),
                        c::resolved_at.eq(None::<DateTime<Utc>>),
                        c::snoozed_until.eq(None::<DateTime<Utc>>),
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
                if before.status == "resolved" {
                    crate::sla::restart(tx, id).await?;
                }
                if before.status != status {
                    let what = if status == "pending" {
                        Activity::Pending
                    } else {
                        Activity::Reopened
                    };
                    activity::record(tx, id, Some(actor), what).await?;
                }
            }
            "snoozed" => {
                let Some(until) = changes.snoozed_until else {
                    return Err(Error::invalid(
                        "snoozed_until",
                        "Say until when to snooze the conversation.",
                    ));
                };
                if until <= now || until > now + Duration::days(365) {
                    return Err(Error::invalid(
                        "snoozed_until",
                        "Snooze until a time in the next 365 days.",
                    ));
                }
                if before.status == "resolved" {
                    return Err(Error::conflict(
                        "conversation_resolved",
                        "A resolved conversation cannot be snoozed; reopen it first.",
                    ));
                }
                diesel::update(c::table.filter(c::id.eq(id)))
                    .set((
                        c::status.eq("snoozed"),
                        c::snoozed_until.eq(Some(until)),
                        c::updated_at.eq(now),
                    ))
                    .execute(tx.pg())
                    .await?;
                let mut job = crate::jobs::NewJob::new(
                    WAKE_SNOOZED,
                    &serde_json::json!({ "conversation_id": id }),
                )?
                .run_at(until);
                job.dedupe_key = Some(format!("{WAKE_SNOOZED}:{id}:{}", until.timestamp()));
                crate::jobs::enqueue(tx, job).await?;
                activity::record(tx, id, Some(actor), Activity::Snoozed { until }).await?;
            }
            "resolved" => {
                diesel::update(c::table.filter(c::id.eq(id)))
                    .set((
                        c::status.eq("resolved"),
                        c::resolved_at.eq(Some(now)),
                        c::snoozed_until.eq(None::<DateTime<Utc>>),
                        c::updated_at.eq(now),
                    ))
                    .execute(tx.pg())
                    .await?;
                if before.status != "resolved" {
                    activity::record(tx, id, Some(actor), Activity::Resolved).await?;
                    crate::bots::resolved(tx, id).await?;
                }
            }
            _ => {
                return Err(Error::invalid(
                    "status",
                    "status is one of open, pending, snoozed, resolved",
                ));
            }
        }
    }
    crate::sla::refresh(tx, &[id]).await?;
    let after = fetch(tx, id).await?;
    // Automatic assignment may have work: the conversation joined a team's queue, or its
    // assignee's capacity freed up.
    if let Some(team) = after.team_id
        && after.assignee_id.is_none()
        && after.status != "resolved"
    {
        crate::routing::schedule(tx, team).await?;
    }
    if let Some(former) = before.assignee_id
        && (after.assignee_id != Some(former) || after.status == "resolved")
    {
        crate::routing::schedule_member_teams(tx, former).await?;
    }
    Ok(after)
}

/// A snoozed conversation's time came: open it again (unless it changed meanwhile).
pub async fn wake_snoozed(tx: &mut TenantTx, id: Uuid) -> Result<bool> {
    let woke = diesel::update(
        c::table
            .filter(c::id.eq(id))
            .filter(c::status.eq("snoozed"))
            .filter(c::snoozed_until.le(Utc::now())),
    )
    .set((
        c::status.eq("open"),
        c::snoozed_until.eq(None::<DateTime<Utc>>),
        c::updated_at.eq(Utc::now()),
    ))
    .execute(tx.pg())
    .await?;
    if woke > 0 {
        crate::activity::record(tx, id, None, crate::activity::Activity::Woke).await?;
        crate::sla::refresh(tx, &[id]).await?;
    }
    Ok(woke > 0)
}

impl Conversation {
    /// How people call the customer: their name, else their number.
    pub fn contact_label(&self) -> String {
        self.contact
            .name
            .clone()
            .or_else(|| self.contact.wa_id.as_ref().map(|w| format!("+{w}")))
            .unwrap_or_else(|| "a customer".into())
    }
}

/// Replace a conversation's tags (`tags:manage` or `conversations:reply`).
pub async fn set_tags(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    tag_ids: Vec<Uuid>,
) -> Result<Conversation> {
    use crate::schema::conversation_tags as ct;
    actor.require_any(&[Permission::ConversationsReply, Permission::TagsManage])?;
    let before = get(tx, actor, id).await?;
    let names = crate::tags::resolve_ids(tx, tag_ids).await?;
    let wanted: Vec<Uuid> = names.iter().map(|(id, _)| *id).collect();
    let mut old: Vec<Uuid> = before.tags.iter().map(|t| t.id).collect();
    old.sort();
    if old == wanted {
        return Ok(before);
    }
    diesel::delete(ct::table.filter(ct::conversation_id.eq(id)))
        .execute(tx.pg())
        .await?;
    let rows: Vec<_> = wanted
        .iter()
        .map(|t| {
            (
                ct::tenant_id.eq(tx.tenant_id()),
                ct::conversation_id.eq(id),
                ct::tag_id.eq(*t),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(ct::table)
            .values(rows)
            .execute(tx.pg())
            .await?;
    }
    diesel::update(c::table.filter(c::id.eq(id)))
        .set(c::updated_at.eq(Utc::now()))
        .execute(tx.pg())
        .await?;
    let mut tag_names: Vec<String> = names.into_iter().map(|(_, n)| n).collect();
    tag_names.sort();
    crate::activity::record(
        tx,
        id,
        Some(actor),
        crate::activity::Activity::Tagged { tags: tag_names },
    )
    .await?;
    crate::sla::refresh(tx, &[id]).await?;
    fetch(tx, id).await
}
