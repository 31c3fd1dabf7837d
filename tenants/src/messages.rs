//! Messages of a conversation: inbound ones recorded from webhooks (exactly once per wamid),
//! outbound ones queued by agents and sent by the worker, and delivery statuses that only ever
//! move forward.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::conversations::{self, window_after};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::jobs::{self, NewJob};
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{contacts, conversations as c, message_statuses, messages as m};

/// The job that sends one queued outbound message.
pub const SEND_MESSAGE: &str = "send_message";

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// inbound or outbound
    pub direction: String,
    /// text, image, video, audio, document, sticker, location, contacts, interactive, button,
    /// reaction, order, system, template, unsupported, ...
    pub kind: String,
    pub body: Option<String>,
    pub content: serde_json::Value,
    pub wamid: Option<String>,
    pub reply_to_wamid: Option<String>,
    /// received (inbound); queued, sending, sent, delivered, read, played or failed (outbound)
    pub status: String,
    pub error_code: Option<i32>,
    /// Meta's title of the error.
    pub error_title: Option<String>,
    /// Why it failed, in words an agent understands.
    pub error_explanation: Option<String>,
    /// contact, agent, bot or system
    pub sender_type: String,
    pub sender_id: Option<Uuid>,
    /// The agent's name (agent messages), the bot's (bot messages) or the customer's profile
    /// name (inbound).
    pub sender_name: Option<String>,
    /// The file of an image, video, audio, document or sticker message.
    pub media: Option<MediaRef>,
    pub sent_at: DateTime<Utc>,
    pub status_at: DateTime<Utc>,
    #[serde(skip)]
    pub media_id: Option<Uuid>,
}

/// A message's file. `url` is a short-lived signed link, set once the file is `ready`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MediaRef {
    pub id: Uuid,
    /// pending (being fetched from WhatsApp), ready or failed.
    pub status: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub size_bytes: Option<i64>,
    pub url: Option<String>,
    pub error: Option<String>,
}

impl Message {
    /// Fill in the signed URL of a ready file (the API layer holds the signing key).
    pub fn sign_media(&mut self, store: &crate::media::MediaStore, tenant: crate::ids::TenantId) {
        if let Some(media) = self.media.as_mut()
            && media.status == "ready"
        {
            media.url = Some(store.signed_url(tenant, media.id));
        }
    }
}

/// Sender names and media descriptions of loaded messages.
pub(crate) async fn enrich(tx: &mut TenantTx, items: &mut [Message]) -> Result<()> {
    use std::collections::HashMap;
    let mut agents: Vec<Uuid> = items
        .iter()
        .filter(|m| m.sender_type == "agent")
        .filter_map(|m| m.sender_id)
        .collect();
    agents.sort();
    agents.dedup();
    let agent_names = conversations::member_names(tx, &agents).await?;
    let mut contact_ids: Vec<Uuid> = items
        .iter()
        .filter(|m| m.sender_type == "contact")
        .filter_map(|m| m.sender_id)
        .collect();
    contact_ids.sort();
    contact_ids.dedup();
    let contact_names: HashMap<Uuid, Option<String>> = if contact_ids.is_empty() {
        HashMap::new()
    } else {
        contacts::table
            .filter(contacts::id.eq_any(&contact_ids))
            .select((
                contacts::id,
                diesel::dsl::sql::<Nullable<Text>>(
                    "coalesce(contacts.name, contacts.profile_name)",
                ),
            ))
            .load::<(Uuid, Option<String>)>(tx.pg())
            .await?
            .into_iter()
            .collect()
    };
    let media_ids: Vec<Uuid> = items.iter().filter_map(|m| m.media_id).collect();
    let media: HashMap<Uuid, crate::media::MediaRow> = crate::media::get_many(tx, &media_ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    for m in items {
        m.sender_name = match (m.sender_type.as_str(), m.sender_id) {
            ("agent", Some(id)) => agent_names.get(&id).cloned(),
            ("contact", Some(id)) => contact_names.get(&id).cloned().flatten(),
            // A bot's messages carry its name (outbound::queue_bot).
            ("bot", _) => m.content["bot"]["name"].as_str().map(str::to_owned),
            _ => None,
        };
        m.media = m.media_id.and_then(|id| media.get(&id)).map(|r| MediaRef {
            id: r.id,
            status: r.status.clone(),
            mime_type: r.mime_type.clone(),
            filename: r.filename.clone(),
            size_bytes: r.size_bytes,
            url: None,
            error: r.error.clone(),
        });
    }
    Ok(())
}

type Row = (
    Uuid,
    Uuid,
    String,
    String,
    Option<String>,
    serde_json::Value,
    Option<String>,
    Option<String>,
    String,
    Option<i32>,
    Option<String>,
    String,
    Option<Uuid>,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<Uuid>,
);

fn to_message(r: Row) -> Message {
    Message {
        id: r.0,
        conversation_id: r.1,
        direction: r.2,
        kind: r.3,
        body: r.4,
        content: r.5,
        wamid: r.6,
        reply_to_wamid: r.7,
        status: r.8,
        error_code: r.9,
        error_explanation: r.9.map(|code| {
            crate::whatsapp::errors::explain(
                i64::from(code),
                r.10.as_deref(),
                crate::whatsapp::errors::Lang::En,
            )
        }),
        error_title: r.10,
        sender_type: r.11,
        sender_id: r.12,
        sender_name: None,
        media: None,
        sent_at: r.13,
        status_at: r.14,
        media_id: r.15,
    }
}

macro_rules! columns {
    () => {
        (
            m::id,
            m::conversation_id,
            m::direction,
            m::kind,
            m::body,
            m::content,
            m::wamid,
            m::reply_to_wamid,
            m::status,
            m::error_code,
            m::error_title,
            m::sender_type,
            m::sender_id,
            m::sent_at,
            m::status_at,
            m::media_id,
        )
    };
}

/// Oldest first, paged by id.
pub async fn list(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
    page: PageRequest,
) -> Result<Page<Message>> {
    conversations::get(tx, actor, conversation).await?;
    let mut q = m::table
        .filter(m::conversation_id.eq(conversation))
        .select(columns!())
        .order(m::id)
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(m::id.gt(after));
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    let lang = crate::whatsapp::errors::Lang::from_tag(&actor.locale);
    let mut items: Vec<Message> = rows
        .into_iter()
        .map(to_message)
        .map(|mut m| {
            // Explanations in the reader's language.
            if let Some(code) = m.error_code {
                m.error_explanation = Some(crate::whatsapp::errors::explain(
                    i64::from(code),
                    m.error_title.as_deref(),
                    lang,
                ));
            }
            m
        })
        .collect();
    enrich(tx, &mut items).await?;
    Ok(Page::from_rows(items, page, |x| x.id))
}

pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Message> {
    let mut one = [get_plain(tx, id).await?];
    enrich(tx, &mut one).await?;
    let [message] = one;
    Ok(message)
}

/// A message without its sender's name and file description (the hot paths need neither).
pub(crate) async fn get_plain(tx: &mut TenantTx, id: Uuid) -> Result<Message> {
    let row: Option<Row> = m::table
        .filter(m::id.eq(id))
        .select(columns!())
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_message).ok_or(Error::NotFound("message"))
}

/// An inbound message, already normalised from Meta's wire format.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub number_id: Uuid,
    pub wamid: String,
    pub wa_id: Option<String>,
    pub bsuid: Option<String>,
    pub profile_name: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub kind: String,
    pub body: Option<String>,
    pub content: serde_json::Value,
    pub reply_to_wamid: Option<String>,
    pub referral: Option<serde_json::Value>,
}

/// What recording an inbound message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
    pub new_conversation: bool,
    pub wamid: String,
    /// Stored quietly (a blocked customer, an answer to a satisfaction survey): nothing else
    /// follows (no reopening, routing, notification or automatic reply).
    pub blocked: bool,
}

/// Record an inbound message: upsert the contact, find or open the conversation, insert the
/// message (a wamid seen before is a duplicate delivery: `None`), move the window.
pub async fn record_inbound(tx: &mut TenantTx, input: &Inbound) -> Result<Option<Recorded>> {
    let tenant = tx.tenant_id();
    let duplicate: Option<Uuid> = m::table
        .filter(m::wamid.eq(&input.wamid))
        .select(m::id)
        .first(tx.pg())
        .await
        .optional()?;
    if duplicate.is_some() {
        return Ok(None);
    }
    let contact_id = upsert_contact(tx, input).await?;
    let blocked: Option<DateTime<Utc>> = contacts::table
        .filter(contacts::id.eq(contact_id))
        .select(contacts::blocked_at)
        .first(tx.pg())
        .await?;
    if blocked.is_some() {
        return record_blocked(tx, input, contact_id).await;
    }
    if let Some(answer) = crate::csat::answer_of(
        tx,
        contact_id,
        input.number_id,
        &input.kind,
        input.body.as_deref(),
        &input.content,
    )
    .await?
    {
        return record_survey_answer(tx, input, contact_id, answer).await;
    }
    let open: Option<Uuid> = c::table
        .filter(c::number_id.eq(input.number_id))
        .filter(c::contact_id.eq(contact_id))
        .filter(c::status.ne("resolved"))
        .select(c::id)
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let from_ad = input
        .referral
        .as_ref()
        .and_then(|r| r.get("source_type"))
        .and_then(|t| t.as_str())
        .is_some_and(|t| t == "ad");
    let window = window_after(input.sent_at, from_ad);
    let preview = preview(&input.kind, input.body.as_deref());
    let (conversation_id, new_conversation) =
        match open {
            Some(id) => {
                diesel::update(c::table.filter(c::id.eq(id)))
                .set((
                    c::last_inbound_at.eq(diesel::dsl::sql::<
                        Nullable<diesel::sql_types::Timestamptz>,
                    >("greatest(last_inbound_at, ")
                    .bind::<diesel::sql_types::Timestamptz, _>(input.sent_at)
                    .sql(")")),
                    c::window_expires_at.eq(diesel::dsl::sql::<
                        Nullable<diesel::sql_types::Timestamptz>,
                    >("greatest(window_expires_at, ")
                    .bind::<diesel::sql_types::Timestamptz, _>(window)
                    .sql(")")),
                    c::last_message_at.eq(Utc::now()),
                    c::last_message_preview.eq(&preview),
                    c::status.eq(diesel::dsl::sql::<Text>(
                        "CASE WHEN status IN ('snoozed', 'pending') THEN 'open' ELSE status END",
                    )),
                    c::snoozed_until.eq(None::<DateTime<Utc>>),
                    c::waiting_since.eq(diesel::dsl::sql::<
                        Nullable<diesel::sql_types::Timestamptz>,
                    >("coalesce(waiting_since, now())")),
                    c::updated_at.eq(Utc::now()),
                ))
                .execute(tx.pg())
                .await?;
                (id, false)
            }
            None => {
                let id = Uuid::now_v7();
                diesel::insert_into(c::table)
                    .values((
                        c::tenant_id.eq(tenant),
                        c::id.eq(id),
                        c::number_id.eq(input.number_id),
                        c::contact_id.eq(contact_id),
                        c::last_inbound_at.eq(input.sent_at),
                        c::window_expires_at.eq(window),
                        c::last_message_preview.eq(&preview),
                        c::referral.eq(&input.referral),
                        c::waiting_since.eq(Some(Utc::now())),
                    ))
                    .execute(tx.pg())
                    .await?;
                (id, true)
            }
        };
    let message_id = Uuid::now_v7();
    let inserted = diesel::insert_into(m::table)
        .values((
            m::tenant_id.eq(tenant),
            m::id.eq(message_id),
            m::conversation_id.eq(conversation_id),
            m::direction.eq("inbound"),
            m::kind.eq(&input.kind),
            m::body.eq(&input.body),
            m::content.eq(&input.content),
            m::wamid.eq(&input.wamid),
            m::reply_to_wamid.eq(&input.reply_to_wamid),
            m::status.eq("received"),
            m::sender_type.eq("contact"),
            m::sender_id.eq(contact_id),
            m::sent_at.eq(input.sent_at),
        ))
        .on_conflict_do_nothing()
        .execute(tx.pg())
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    diesel::update(c::table.filter(c::id.eq(conversation_id)))
        .set(c::unread_count.eq(c::unread_count + 1))
        .execute(tx.pg())
        .await?;
    Ok(Some(Recorded {
        conversation_id,
        message_id,
        new_conversation,
        wamid: input.wamid.clone(),
        blocked: false,
    }))
}

/// A survey answer: kept in the surveyed conversation (left resolved) and on the survey.
async fn record_survey_answer(
    tx: &mut TenantTx,
    input: &Inbound,
    contact_id: Uuid,
    answer: crate::csat::Answer,
) -> Result<Option<Recorded>> {
    let conversation = match answer {
        crate::csat::Answer::Score { conversation, .. }
        | crate::csat::Answer::Comment { conversation, .. } => conversation,
    };
    let recorded = store_quietly(tx, input, contact_id, conversation).await?;
    if recorded.is_some() {
        crate::csat::record(tx, answer, input.body.as_deref()).await?;
    }
    Ok(recorded)
}

/// Store a blocked customer's message without waking anything: in the open conversation on
/// that number if there is one, else in the latest one (left resolved), else in a new
/// conversation created resolved. The status, waiting time, unread count and ordering of the
/// conversation stay as they were; only the window moves (it is WhatsApp's fact).
async fn record_blocked(
    tx: &mut TenantTx,
    input: &Inbound,
    contact_id: Uuid,
) -> Result<Option<Recorded>> {
    let tenant = tx.tenant_id();
    let existing: Option<Uuid> = c::table
        .filter(c::number_id.eq(input.number_id))
        .filter(c::contact_id.eq(contact_id))
        .order((
            diesel::dsl::sql::<diesel::sql_types::Bool>("status = 'resolved'"),
            c::opened_at.desc(),
        ))
        .select(c::id)
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let window = window_after(input.sent_at, false);
    let conversation_id = match existing {
        Some(id) => return store_quietly(tx, input, contact_id, id).await,
        None => {
            let id = Uuid::now_v7();
            let now = Utc::now();
            diesel::insert_into(c::table)
                .values((
                    c::tenant_id.eq(tenant),
                    c::id.eq(id),
                    c::number_id.eq(input.number_id),
                    c::contact_id.eq(contact_id),
                    c::status.eq("resolved"),
                    c::resolved_at.eq(now),
                    c::last_inbound_at.eq(input.sent_at),
                    c::window_expires_at.eq(window),
                    c::last_message_preview.eq(preview(&input.kind, input.body.as_deref())),
                    c::referral.eq(&input.referral),
                ))
                .execute(tx.pg())
                .await?;
            id
        }
    };
    insert_quiet(tx, input, contact_id, conversation_id).await
}

/// Store an inbound message in an existing conversation without waking anything (its status,
/// waiting time, unread count and order stay; only the window moves, WhatsApp's fact): a
/// blocked customer's message, an answer to a satisfaction survey.
async fn store_quietly(
    tx: &mut TenantTx,
    input: &Inbound,
    contact_id: Uuid,
    conversation_id: Uuid,
) -> Result<Option<Recorded>> {
    let window = window_after(input.sent_at, false);
    diesel::update(c::table.filter(c::id.eq(conversation_id)))
        .set((
            c::last_inbound_at.eq(
                diesel::dsl::sql::<Nullable<diesel::sql_types::Timestamptz>>(
                    "greatest(last_inbound_at, ",
                )
                .bind::<diesel::sql_types::Timestamptz, _>(input.sent_at)
                .sql(")"),
            ),
            c::window_expires_at.eq(
                diesel::dsl::sql::<Nullable<diesel::sql_types::Timestamptz>>(
                    "greatest(window_expires_at, ",
                )
                .bind::<diesel::sql_types::Timestamptz, _>(window)
                .sql(")"),
            ),
        ))
        .execute(tx.pg())
        .await?;
    insert_quiet(tx, input, contact_id, conversation_id).await
}

async fn insert_quiet(
    tx: &mut TenantTx,
    input: &Inbound,
    contact_id: Uuid,
    conversation_id: Uuid,
) -> Result<Option<Recorded>> {
    let tenant = tx.tenant_id();
    let message_id = Uuid::now_v7();
    let inserted = diesel::insert_into(m::table)
        .values((
            m::tenant_id.eq(tenant),
            m::id.eq(message_id),
            m::conversation_id.eq(conversation_id),
            m::direction.eq("inbound"),
            m::kind.eq(&input.kind),
            m::body.eq(&input.body),
            m::content.eq(&input.content),
            m::wamid.eq(&input.wamid),
            m::reply_to_wamid.eq(&input.reply_to_wamid),
            m::status.eq("received"),
            m::sender_type.eq("contact"),
            m::sender_id.eq(contact_id),
            m::sent_at.eq(input.sent_at),
        ))
        .on_conflict_do_nothing()
        .execute(tx.pg())
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    Ok(Some(Recorded {
        conversation_id,
        message_id,
        new_conversation: false,
        wamid: input.wamid.clone(),
        blocked: true,
    }))
}

pub(crate) fn preview(kind: &str, body: Option<&str>) -> String {
    match body {
        Some(b) if !b.is_empty() => b.chars().take(140).collect(),
        _ => format!("[{kind}]"),
    }
}

async fn upsert_contact(tx: &mut TenantTx, input: &Inbound) -> Result<Uuid> {
    let tenant = tx.tenant_id();
    let existing: Option<Uuid> = match (&input.wa_id, &input.bsuid) {
        (Some(wa), _) => contacts::table
            .filter(contacts::wa_id.eq(wa))
            .select(contacts::id)
            .first(tx.pg())
            .await
            .optional()?,
        (None, Some(b)) => contacts::table
            .filter(contacts::bsuid.eq(b))
            .select(contacts::id)
            .first(tx.pg())
            .await
            .optional()?,
        (None, None) => {
            return Err(Error::invalid(
                "from",
                "An inbound message names no sender.",
            ));
        }
    };
    match existing {
        Some(id) => {
            diesel::update(contacts::table.filter(contacts::id.eq(id)))
                .set((
                    input
                        .profile_name
                        .as_ref()
                        .map(|p| contacts::profile_name.eq(p)),
                    input.bsuid.as_ref().map(|b| contacts::bsuid.eq(b)),
                    contacts::updated_at.eq(Utc::now()),
                ))
                .execute(tx.pg())
                .await?;
            Ok(id)
        }
        None => {
            let id = Uuid::now_v7();
            diesel::insert_into(contacts::table)
                .values((
                    contacts::tenant_id.eq(tenant),
                    contacts::id.eq(id),
                    contacts::wa_id.eq(&input.wa_id),
                    contacts::bsuid.eq(&input.bsuid),
                    contacts::profile_name.eq(&input.profile_name),
                ))
                .execute(tx.pg())
                .await?;
            Ok(id)
        }
    }
}

/// A delivery status from Meta, normalised.
#[derive(Debug, Clone)]
pub struct StatusReport {
    pub wamid: String,
    /// sent, delivered, read, played, failed
    pub status: String,
    pub occurred_at: DateTime<Utc>,
    pub error_code: Option<i32>,
    pub error_title: Option<String>,
    pub pricing: Option<serde_json::Value>,
}

/// How far along a status is; a message only ever moves to a higher rank.
pub fn rank(status: &str) -> i32 {
    match status {
        "queued" => 0,
        "sending" => 1,
        "sent" => 2,
        "delivered" => 3,
        "read" => 4,
        "played" => 5,
        _ => -1,
    }
}

/// Apply a status: kept once per (wamid, status); the message moves forward only (a late
/// `delivered` after `read` changes nothing; `failed` ends a message not yet read).
/// Returns the message id when the message changed.
pub async fn apply_status(tx: &mut TenantTx, s: &StatusReport) -> Result<Option<Uuid>> {
    let tenant = tx.tenant_id();
    let fresh = diesel::insert_into(message_statuses::table)
        .values((
            message_statuses::tenant_id.eq(tenant),
            message_statuses::wamid.eq(&s.wamid),
            message_statuses::status.eq(&s.status),
            message_statuses::occurred_at.eq(s.occurred_at),
            message_statuses::error_code.eq(s.error_code),
            message_statuses::error_title.eq(&s.error_title),
            message_statuses::pricing.eq(&s.pricing),
        ))
        .on_conflict_do_nothing()
        .execute(tx.pg())
        .await?;
    if fresh == 0 {
        return Ok(None);
    }
    let current: Option<(Uuid, String)> = m::table
        .filter(m::wamid.eq(&s.wamid))
        .filter(m::direction.eq("outbound"))
        .select((m::id, m::status))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let Some((id, current)) = current else {
        return Ok(None);
    };
    let moves = if s.status == "failed" {
        // Meta can report a failure after `delivered` (never after `read`).
        rank(&current) >= 0 && rank(&current) < rank("read")
    } else {
        current != "failed" && rank(&s.status) > rank(&current)
    };
    if !moves {
        // Pricing may come with a status that does not move the message.
        if s.pricing.is_some() {
            diesel::update(m::table.filter(m::id.eq(id)).filter(m::pricing.is_null()))
                .set(m::pricing.eq(&s.pricing))
                .execute(tx.pg())
                .await?;
        }
        return Ok(None);
    }
    diesel::update(m::table.filter(m::id.eq(id)))
        .set((
            m::status.eq(&s.status),
            m::status_at.eq(s.occurred_at),
            s.error_code.map(|code| m::error_code.eq(code)),
            s.error_title.as_ref().map(|t| m::error_title.eq(t)),
            s.pricing.as_ref().map(|p| m::pricing.eq(p)),
        ))
        .execute(tx.pg())
        .await?;
    Ok(Some(id))
}

/// Everything the sender needs about one queued message.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub message: Message,
    pub number_id: Uuid,
    pub phone_number_id: String,
    pub sandbox: bool,
    pub token_enc: Option<Vec<u8>>,
    pub to_wa_id: Option<String>,
    pub to_bsuid: Option<String>,
    /// Messages per second Meta allows this number.
    pub throughput_per_second: i32,
}

/// Load a message for sending and mark the attempt (`sending`) before any call to Meta, so a
/// crash after Meta accepted it leaves a visible trace instead of a silent resend.
/// Returns `None` when there is nothing to send (already sent or failed).
pub async fn begin_send(tx: &mut TenantTx, id: Uuid) -> Result<Option<Outgoing>> {
    begin_sends(tx, &[id])
        .await?
        .remove(&id)
        .ok_or(Error::NotFound("message"))
}

/// [`begin_send`] for many messages of this business at once: one read and one update for all
/// of them (the worker's batcher writes the attempts of concurrently running sends together).
/// The answer has an entry for every message found: `Some` to send, `None` when there is nothing
/// to send. A message that does not exist has no entry. An id given twice is sent once (the
/// second copy answers `None`), so one batch never sends a message twice.
pub async fn begin_sends(
    tx: &mut TenantTx,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Option<Outgoing>>> {
    use diesel::sql_types::{Array, Binary, Bool, Int4, Uuid as SqlUuid};
    use std::collections::HashMap;
    /// Where one conversation's messages go: its number and its customer.
    #[derive(QueryableByName)]
    struct Target {
        #[diesel(sql_type = SqlUuid)]
        conversation_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        number_id: Uuid,
        #[diesel(sql_type = Text)]
        phone_number_id: String,
        #[diesel(sql_type = Bool)]
        sandbox: bool,
        #[diesel(sql_type = Nullable<Binary>)]
        token_enc: Option<Vec<u8>>,
        #[diesel(sql_type = Nullable<Text>)]
        wa_id: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        bsuid: Option<String>,
        #[diesel(sql_type = Int4)]
        throughput_per_second: i32,
    }
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    // Two reads that leave the planner little to get wrong: the messages by primary key, then
    // one key lookup per conversation (`OFFSET 0` keeps each LATERAL a lookup instead of letting
    // the planner flatten it into a join). The single four-way join this replaces was planned,
    // on statistics from before a backlog grew the tables, as nested loops over every
    // conversation × contact: 190-260 ms per batch of 64 against 3 ms (see also `statistics`).
    let rows: Vec<Row> = m::table
        .filter(m::id.eq_any(&unique))
        .select(columns!())
        .load(tx.pg())
        .await?;
    let mut conversation_ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    conversation_ids.sort();
    conversation_ids.dedup();
    let targets: HashMap<Uuid, Target> = if conversation_ids.is_empty() {
        HashMap::new()
    } else {
        diesel::sql_query(
            "SELECT c.id AS conversation_id, n.id AS number_id, n.phone_number_id, n.sandbox,
                    n.access_token_enc AS token_enc, ct.wa_id, ct.bsuid, n.throughput_per_second
               FROM unnest($1::uuid[]) AS want (id)
              CROSS JOIN LATERAL (SELECT c.id, c.number_id, c.contact_id FROM conversations c
                                   WHERE c.tenant_id = $2 AND c.id = want.id OFFSET 0) c
              CROSS JOIN LATERAL (SELECT n.id, n.phone_number_id, n.sandbox, n.access_token_enc,
                                         n.throughput_per_second FROM whatsapp_numbers n
                                   WHERE n.tenant_id = $2 AND n.id = c.number_id OFFSET 0) n
              CROSS JOIN LATERAL (SELECT ct.wa_id, ct.bsuid FROM contacts ct
                                   WHERE ct.tenant_id = $2 AND ct.id = c.contact_id OFFSET 0) ct",
        )
        .bind::<Array<SqlUuid>, _>(&conversation_ids)
        .bind::<SqlUuid, _>(tx.tenant_id().0)
        .load::<Target>(tx.pg())
        .await?
        .into_iter()
        .map(|t| (t.conversation_id, t))
        .collect()
    };
    let found: Vec<(Row, &Target)> = rows
        .into_iter()
        .filter_map(|r| targets.get(&r.1).map(|t| (r, t)))
        .collect();
    let mut answers: HashMap<Uuid, Option<Outgoing>> = HashMap::with_capacity(found.len());
    let mut sending = Vec::with_capacity(found.len());
    for (row, target) in found {
        let message = to_message(row);
        let id = message.id;
        if !matches!(message.status.as_str(), "queued" | "sending") || message.wamid.is_some() {
            answers.insert(id, None);
            continue;
        }
        sending.push(id);
        answers.insert(
            id,
            Some(Outgoing {
                message,
                number_id: target.number_id,
                phone_number_id: target.phone_number_id.clone(),
                sandbox: target.sandbox,
                token_enc: target.token_enc.clone(),
                to_wa_id: target.wa_id.clone(),
                to_bsuid: target.bsuid.clone(),
                throughput_per_second: target.throughput_per_second,
            }),
        );
    }
    if !sending.is_empty() {
        diesel::update(m::table.filter(m::id.eq_any(&sending)))
            .set((m::status.eq("sending"), m::status_at.eq(Utc::now())))
            .execute(tx.pg())
            .await?;
    }
    Ok(answers)
}

/// Meta accepted the message.
pub async fn mark_accepted(tx: &mut TenantTx, id: Uuid, wamid: &str) -> Result<()> {
    mark_accepted_many(tx, &[(id, wamid.to_owned())]).await
}

/// Meta accepted these messages (id, wamid): one statement for all of them.
pub async fn mark_accepted_many(tx: &mut TenantTx, accepted: &[(Uuid, String)]) -> Result<()> {
    if accepted.is_empty() {
        return Ok(());
    }
    let (ids, wamids): (Vec<Uuid>, Vec<String>) = accepted.iter().cloned().unzip();
    diesel::sql_query(
        "UPDATE messages AS m SET wamid = a.wamid, status = 'sent', status_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS a (id, wamid)
          WHERE m.tenant_id = $3 AND m.id = a.id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&ids)
    .bind::<diesel::sql_types::Array<Text>, _>(&wamids)
    .bind::<diesel::sql_types::Uuid, _>(tx.tenant_id().0)
    .execute(tx.pg())
    .await?;
    Ok(())
}

/// The send failed for good, with Meta's code and title (or our own words when Meta gave none).
pub async fn mark_failed(
    tx: &mut TenantTx,
    id: Uuid,
    code: Option<i32>,
    title: &str,
) -> Result<()> {
    diesel::update(m::table.filter(m::id.eq(id)))
        .set((
            m::status.eq("failed"),
            m::error_code.eq(code),
            m::error_title.eq(title),
            m::status_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// The whole thread between the sandbox number and one customer (`wa_id`), oldest first: what
/// the in-app test phone shows. Newest 200 messages.
pub async fn sandbox_thread(tx: &mut TenantTx, wa_id: &str) -> Result<Vec<Message>> {
    use crate::schema::whatsapp_numbers as n;
    let mut rows: Vec<Row> = m::table
        .inner_join(
            c::table.on(c::tenant_id
                .eq(m::tenant_id)
                .and(c::id.eq(m::conversation_id))),
        )
        .inner_join(n::table.on(n::tenant_id.eq(c::tenant_id).and(n::id.eq(c::number_id))))
        .inner_join(
            contacts::table.on(contacts::tenant_id
                .eq(c::tenant_id)
                .and(contacts::id.eq(c::contact_id))),
        )
        .filter(n::sandbox.eq(true))
        .filter(contacts::wa_id.eq(wa_id))
        // Notes and activity stay inside the business.
        .filter(m::direction.ne("internal"))
        .select(columns!())
        .order(m::id.desc())
        .limit(200)
        .load(tx.pg())
        .await?;
    rows.reverse();
    let mut items: Vec<Message> = rows.into_iter().map(to_message).collect();
    enrich(tx, &mut items).await?;
    Ok(items)
}

/// Record many inbound messages of one business in a handful of statements, whatever their
/// number: the webhook hot path. Same rules as [`record_inbound`] (which handles the rare
/// customers known only by a business-scoped id): duplicates are skipped, contacts upserted,
/// one unresolved conversation per (number, contact), the window moved, messages inserted once.
/// Rows are touched in a fixed order (by wa_id) so concurrent batches cannot deadlock.
pub async fn record_inbound_batch(tx: &mut TenantTx, inputs: &[Inbound]) -> Result<Vec<Recorded>> {
    use diesel::sql_types::{Array, Bool, Jsonb, Timestamptz, Uuid as SqlUuid};
    use std::collections::{BTreeMap, HashMap, HashSet};

    #[derive(diesel::QueryableByName)]
    struct WamidRow {
        #[diesel(sql_type = Text)]
        wamid: String,
    }
    #[derive(diesel::QueryableByName)]
    struct ContactRow {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        wa_id: String,
        #[diesel(sql_type = Bool)]
        blocked: bool,
    }
    #[derive(diesel::QueryableByName)]
    struct ConvRow {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        number_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        contact_id: Uuid,
    }

    let tenant = tx.tenant_id();
    let mut out = Vec::new();
    // 1. Skip wamids seen before (in the database or earlier in this batch).
    let wamids: Vec<String> = inputs.iter().map(|i| i.wamid.clone()).collect();
    let seen: HashSet<String> =
        diesel::sql_query("SELECT wamid FROM messages WHERE wamid = ANY($1)")
            .bind::<Array<Text>, _>(&wamids)
            .load::<WamidRow>(tx.pg())
            .await?
            .into_iter()
            .map(|r| r.wamid)
            .collect();
    let mut fresh: Vec<&Inbound> = Vec::new();
    let mut in_batch = HashSet::new();
    for i in inputs {
        if !seen.contains(&i.wamid) && in_batch.insert(i.wamid.clone()) {
            if i.wa_id.is_some() {
                fresh.push(i);
            } else if let Some(r) = record_inbound(tx, i).await? {
                out.push(r);
            }
        }
    }
    if fresh.is_empty() {
        return Ok(out);
    }
    // 2. Contacts: one upsert, newest profile name wins.
    let mut profiles: BTreeMap<String, Option<String>> = BTreeMap::new();
    for i in &fresh {
        let slot = profiles
            .entry(i.wa_id.clone().unwrap_or_default())
            .or_default();
        if i.profile_name.is_some() {
            *slot = i.profile_name.clone();
        }
    }
    let wa_ids: Vec<String> = profiles.keys().cloned().collect();
    let names: Vec<Option<String>> = profiles.values().cloned().collect();
    let new_ids: Vec<Uuid> = wa_ids.iter().map(|_| Uuid::now_v7()).collect();
    let contact_rows: Vec<ContactRow> = diesel::sql_query(
        "INSERT INTO contacts (tenant_id, id, wa_id, profile_name)
         SELECT $1, x.id, x.wa_id, x.name FROM unnest($2::uuid[], $3::text[], $4::text[]) AS x(id, wa_id, name)
         ON CONFLICT (tenant_id, wa_id) WHERE wa_id IS NOT NULL
         DO UPDATE SET profile_name = coalesce(EXCLUDED.profile_name, contacts.profile_name), updated_at = now()
         RETURNING id, wa_id, blocked_at IS NOT NULL AS blocked",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<SqlUuid>, _>(&new_ids)
    .bind::<Array<Text>, _>(&wa_ids)
    .bind::<Array<Nullable<Text>>, _>(&names)
    .load::<ContactRow>(tx.pg())
    .await?;
    let contacts_by_wa: HashMap<String, Uuid> = contact_rows
        .iter()
        .map(|r| (r.wa_id.clone(), r.id))
        .collect();
    // Blocked customers' messages take the quiet path (rare: one at a time).
    let blocked: HashSet<&str> = contact_rows
        .iter()
        .filter(|r| r.blocked)
        .map(|r| r.wa_id.as_str())
        .collect();
    if !blocked.is_empty() {
        let (quiet, rest): (Vec<&Inbound>, Vec<&Inbound>) = fresh
            .into_iter()
            .partition(|i| blocked.contains(i.wa_id.as_deref().unwrap_or_default()));
        fresh = rest;
        for i in quiet {
            let contact = contacts_by_wa[i.wa_id.as_deref().unwrap_or_default()];
            if let Some(r) = record_blocked(tx, i, contact).await? {
                out.push(r);
            }
        }
        if fresh.is_empty() {
            return Ok(out);
        }
    }
    // Answers to a satisfaction survey take the quiet path too (only customers surveyed lately
    // are looked at: one query for the batch).
    let batch_contacts: Vec<Uuid> = contacts_by_wa.values().copied().collect();
    let surveyed = crate::csat::surveyed_lately(tx, &batch_contacts).await?;
    if !surveyed.is_empty() {
        let mut rest = Vec::with_capacity(fresh.len());
        for i in fresh {
            let contact = contacts_by_wa[i.wa_id.as_deref().unwrap_or_default()];
            if surveyed.contains(&contact)
                && let Some(answer) = crate::csat::answer_of(
                    tx,
                    contact,
                    i.number_id,
                    &i.kind,
                    i.body.as_deref(),
                    &i.content,
                )
                .await?
            {
                if let Some(r) = record_survey_answer(tx, i, contact, answer).await? {
                    out.push(r);
                }
                continue;
            }
            rest.push(i);
        }
        fresh = rest;
        if fresh.is_empty() {
            return Ok(out);
        }
    }
    // 3. Conversations: the open one per (number, contact), or a new one.
    let mut pairs: BTreeMap<(Uuid, Uuid), ()> = BTreeMap::new();
    for i in &fresh {
        let contact = *contacts_by_wa
            .get(i.wa_id.as_deref().unwrap_or_default())
            .ok_or(Error::NotFound("contact"))?;
        pairs.insert((i.number_id, contact), ());
    }
    let numbers: Vec<Uuid> = pairs.keys().map(|p| p.0).collect();
    let contacts_of: Vec<Uuid> = pairs.keys().map(|p| p.1).collect();
    let open_sql = "SELECT c.id, c.number_id, c.contact_id FROM conversations c
         JOIN unnest($1::uuid[], $2::uuid[]) AS p(number_id, contact_id)
           ON c.number_id = p.number_id AND c.contact_id = p.contact_id
        WHERE c.status <> 'resolved' ORDER BY c.id FOR UPDATE OF c";
    let mut conv_of: HashMap<(Uuid, Uuid), Uuid> = diesel::sql_query(open_sql)
        .bind::<Array<SqlUuid>, _>(&numbers)
        .bind::<Array<SqlUuid>, _>(&contacts_of)
        .load::<ConvRow>(tx.pg())
        .await?
        .into_iter()
        .map(|r| ((r.number_id, r.contact_id), r.id))
        .collect();
    let missing: Vec<(Uuid, Uuid)> = pairs
        .keys()
        .filter(|p| !conv_of.contains_key(p))
        .copied()
        .collect();
    let mut created: HashSet<Uuid> = HashSet::new();
    if !missing.is_empty() {
        // The first message of each new conversation sets its referral.
        let mut referral_of: HashMap<(Uuid, Uuid), Option<serde_json::Value>> = HashMap::new();
        for i in &fresh {
            let contact = contacts_by_wa[i.wa_id.as_deref().unwrap_or_default()];
            referral_of
                .entry((i.number_id, contact))
                .or_insert_with(|| i.referral.clone());
        }
        let ids: Vec<Uuid> = missing.iter().map(|_| Uuid::now_v7()).collect();
        let m_numbers: Vec<Uuid> = missing.iter().map(|p| p.0).collect();
        let m_contacts: Vec<Uuid> = missing.iter().map(|p| p.1).collect();
        let referrals: Vec<Option<serde_json::Value>> = missing
            .iter()
            .map(|p| referral_of.get(p).cloned().flatten())
            .collect();
        let inserted = diesel::sql_query(
            "INSERT INTO conversations (tenant_id, id, number_id, contact_id, referral, waiting_since)
             SELECT $1, x.id, x.number_id, x.contact_id, x.referral, now()
               FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::jsonb[]) AS x(id, number_id, contact_id, referral)
             ON CONFLICT (tenant_id, number_id, contact_id) WHERE status <> 'resolved' DO NOTHING
             RETURNING id, number_id, contact_id",
        )
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<SqlUuid>, _>(&m_numbers)
        .bind::<Array<SqlUuid>, _>(&m_contacts)
        .bind::<Array<Nullable<Jsonb>>, _>(&referrals)
        .load::<ConvRow>(tx.pg())
        .await?;
        for r in inserted {
            created.insert(r.id);
            conv_of.insert((r.number_id, r.contact_id), r.id);
        }
        // Lost a race with another delivery that opened the same conversation: read it now.
        if conv_of.len() < pairs.len() {
            for r in diesel::sql_query(open_sql)
                .bind::<Array<SqlUuid>, _>(&numbers)
                .bind::<Array<SqlUuid>, _>(&contacts_of)
                .load::<ConvRow>(tx.pg())
                .await?
            {
                conv_of.insert((r.number_id, r.contact_id), r.id);
            }
        }
    }
    // 4. Messages: one insert; duplicates racing in from a concurrent delivery are skipped.
    let mut m_ids = Vec::new();
    let mut m_convs = Vec::new();
    let (mut kinds, mut bodies, mut contents, mut m_wamids, mut replies, mut senders, mut sent) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    // Per conversation: the newest inbound time, window, preview.
    let mut touch: BTreeMap<Uuid, (DateTime<Utc>, DateTime<Utc>, String)> = BTreeMap::new();
    for i in &fresh {
        let contact = contacts_by_wa[i.wa_id.as_deref().unwrap_or_default()];
        let conv = *conv_of
            .get(&(i.number_id, contact))
            .ok_or(Error::NotFound("conversation"))?;
        m_ids.push(Uuid::now_v7());
        m_convs.push(conv);
        kinds.push(i.kind.clone());
        bodies.push(i.body.clone());
        contents.push(i.content.clone());
        m_wamids.push(i.wamid.clone());
        replies.push(i.reply_to_wamid.clone());
        senders.push(contact);
        sent.push(i.sent_at);
        let from_ad = i
            .referral
            .as_ref()
            .and_then(|r| r.get("source_type"))
            .and_then(|t| t.as_str())
            == Some("ad");
        let window = window_after(i.sent_at, from_ad);
        let entry = touch
            .entry(conv)
            .or_insert((i.sent_at, window, String::new()));
        entry.0 = entry.0.max(i.sent_at);
        entry.1 = entry.1.max(window);
        entry.2 = preview(&i.kind, i.body.as_deref());
    }
    let inserted: Vec<WamidRow> = diesel::sql_query(
        "INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, content, wamid, reply_to_wamid,
                               status, sender_type, sender_id, sent_at)
         SELECT $1, x.id, x.conversation_id, 'inbound', x.kind, x.body, x.content, x.wamid, x.reply_to,
                'received', 'contact', x.sender_id, x.sent_at
           FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[], $9::uuid[], $10::timestamptz[])
             AS x(id, conversation_id, kind, body, content, wamid, reply_to, sender_id, sent_at)
         ON CONFLICT (tenant_id, wamid) WHERE wamid IS NOT NULL DO NOTHING
         RETURNING wamid",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<SqlUuid>, _>(&m_ids)
    .bind::<Array<SqlUuid>, _>(&m_convs)
    .bind::<Array<Text>, _>(&kinds)
    .bind::<Array<Nullable<Text>>, _>(&bodies)
    .bind::<Array<Jsonb>, _>(&contents)
    .bind::<Array<Text>, _>(&m_wamids)
    .bind::<Array<Nullable<Text>>, _>(&replies)
    .bind::<Array<SqlUuid>, _>(&senders)
    .bind::<Array<Timestamptz>, _>(&sent)
    .load(tx.pg())
    .await?;
    let stored: HashSet<String> = inserted.into_iter().map(|r| r.wamid).collect();
    // 5. Conversations move: newest inbound, window, preview, unread count, snoozed ones wake up.
    let mut unread: BTreeMap<Uuid, i32> = BTreeMap::new();
    for (idx, w) in m_wamids.iter().enumerate() {
        if stored.contains(w) {
            *unread.entry(m_convs[idx]).or_default() += 1;
        }
    }
    let t_unread: Vec<i32> = touch
        .keys()
        .map(|c| unread.get(c).copied().unwrap_or(0))
        .collect();
    let t_ids: Vec<Uuid> = touch.keys().copied().collect();
    let t_last: Vec<DateTime<Utc>> = touch.values().map(|v| v.0).collect();
    let t_window: Vec<DateTime<Utc>> = touch.values().map(|v| v.1).collect();
    let t_preview: Vec<String> = touch.values().map(|v| v.2.clone()).collect();
    diesel::sql_query(
        "UPDATE conversations c SET
            last_inbound_at = greatest(c.last_inbound_at, x.last_inbound_at),
            window_expires_at = greatest(c.window_expires_at, x.window_expires_at),
            last_message_at = now(), last_message_preview = x.preview, updated_at = now(),
            unread_count = c.unread_count + x.unread,
            status = CASE WHEN c.status IN ('snoozed', 'pending') THEN 'open' ELSE c.status END,
            snoozed_until = NULL,
            waiting_since = coalesce(c.waiting_since, now())
           FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::int4[])
             AS x(id, last_inbound_at, window_expires_at, preview, unread)
          WHERE c.id = x.id",
    )
    .bind::<Array<SqlUuid>, _>(&t_ids)
    .bind::<Array<Timestamptz>, _>(&t_last)
    .bind::<Array<Timestamptz>, _>(&t_window)
    .bind::<Array<Text>, _>(&t_preview)
    .bind::<Array<diesel::sql_types::Int4>, _>(&t_unread)
    .execute(tx.pg())
    .await?;
    for (idx, w) in m_wamids.iter().enumerate() {
        if stored.contains(w) {
            out.push(Recorded {
                conversation_id: m_convs[idx],
                message_id: m_ids[idx],
                new_conversation: created.contains(&m_convs[idx]),
                wamid: w.clone(),
                blocked: false,
            });
        }
    }
    Ok(out)
}

/// The job that tells Meta an agent read a conversation (blue ticks for the customer), optionally
/// with the typing indicator.
pub const MARK_READ: &str = "mark_read";

/// Queue a read receipt (and typing indicator) for the newest inbound message of a conversation
/// the actor can see. At most one is queued per conversation at a time.
pub async fn queue_read(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
    typing: bool,
) -> Result<bool> {
    conversations::get(tx, actor, conversation).await?;
    if typing {
        actor.require(Permission::ConversationsReply)?;
    }
    // The team has seen it: the unread badge goes.
    diesel::update(c::table.filter(c::id.eq(conversation)))
        .set((c::unread_count.eq(0), c::last_read_at.eq(Utc::now())))
        .execute(tx.pg())
        .await?;
    let newest: Option<String> = m::table
        .filter(m::conversation_id.eq(conversation))
        .filter(m::direction.eq("inbound"))
        .filter(m::wamid.is_not_null())
        .order(m::id.desc())
        .select(m::wamid.assume_not_null())
        .first(tx.pg())
        .await
        .optional()?;
    let Some(wamid) = newest else {
        return Ok(false);
    };
    let mut job = NewJob::new(
        MARK_READ,
        &serde_json::json!({"conversation_id": conversation, "wamid": wamid, "typing": typing}),
    )?
    .priority(15);
    job.max_attempts = 3;
    job.dedupe_key = Some(format!("{conversation}:{typing}"));
    jobs::enqueue(tx, job).await?;
    Ok(true)
}

/// The number and recipient details the read-receipt sender needs.
pub async fn read_target(
    tx: &mut TenantTx,
    conversation: Uuid,
) -> Result<(String, bool, Option<Vec<u8>>)> {
    use crate::schema::whatsapp_numbers as n;
    Ok(c::table
        .inner_join(n::table.on(n::tenant_id.eq(c::tenant_id).and(n::id.eq(c::number_id))))
        .filter(c::id.eq(conversation))
        .select((n::phone_number_id, n::sandbox, n::access_token_enc))
        .first(tx.pg())
        .await?)
}
