//! What agents send: text, files, templates, reply buttons, lists, reactions and locations.
//!
//! Queuing checks everything that can be checked here (permission, the conversation, the
//! 24-hour window, Meta's length and count limits, template parameters, that a file exists and
//! WhatsApp carries it) and stores the message with the exact Graph API content to send
//! (`content.outbound`), plus the send job, in one transaction. Files are referred to as
//! `chorus:<media id>`; the sender swaps in Meta's media id (uploading the file first) when it
//! sends, so a retry never uploads twice within Meta's 30 days.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::conversations;
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::jobs::{self, NewJob};
use crate::media::{self, MediaKind};
use crate::messages::{self, Message, SEND_MESSAGE};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{conversations as c, messages as m};
use crate::templates::{self, TemplateValues};
use crate::whatsapp::graph::{
    ButtonsMessage, ListMessage, ListSection, MediaSource, OutboundContent, OutboundMessage,
    Recipient, ReplyButton,
};

/// One message from an agent, by `type` (`text` when absent).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewMessage {
    Text {
        /// 1 to 4096 characters.
        text: String,
        /// The message being answered (its id in Chorus).
        #[serde(default)]
        reply_to: Option<Uuid>,
        /// Show a preview of the first link.
        #[serde(default)]
        preview_url: bool,
    },
    /// A file uploaded with `POST /media`; its type decides image, video, audio, document or
    /// sticker.
    Media {
        media_id: Uuid,
        /// Images, videos and documents only; at most 1024 characters.
        #[serde(default)]
        caption: Option<String>,
        #[serde(default)]
        reply_to: Option<Uuid>,
    },
    /// An approved template; allowed when the window is closed.
    Template {
        template_id: Uuid,
        /// Values of a text header's variables, by name (`"1"` or `"first_name"`).
        #[serde(default)]
        #[schema(value_type = Object)]
        header: std::collections::BTreeMap<String, String>,
        /// The file of an IMAGE, VIDEO or DOCUMENT header (`POST /media`).
        #[serde(default)]
        header_media_id: Option<Uuid>,
        /// Values of the body's variables, by name.
        #[serde(default)]
        #[schema(value_type = Object)]
        body: std::collections::BTreeMap<String, String>,
        /// Values of URL and copy-code buttons, by the button's index.
        #[serde(default)]
        #[schema(value_type = Object)]
        buttons: std::collections::BTreeMap<String, String>,
    },
    /// Up to three reply buttons.
    Buttons {
        body: String,
        /// `[{id, title}]`: 1 to 3, titles of at most 20 characters.
        #[schema(value_type = Vec<Object>)]
        buttons: Vec<ReplyButton>,
        #[serde(default)]
        header: Option<String>,
        #[serde(default)]
        footer: Option<String>,
        #[serde(default)]
        reply_to: Option<Uuid>,
    },
    /// A list of up to ten rows.
    List {
        body: String,
        /// The label of the button that opens the list (at most 20 characters).
        button: String,
        /// `[{title?, rows: [{id, title, description?}]}]`.
        #[schema(value_type = Vec<Object>)]
        sections: Vec<ListSection>,
        #[serde(default)]
        header: Option<String>,
        #[serde(default)]
        footer: Option<String>,
        #[serde(default)]
        reply_to: Option<Uuid>,
    },
    /// React to a message of the conversation; an empty emoji removes the reaction.
    Reaction { message_id: Uuid, emoji: String },
    Location {
        latitude: f64,
        longitude: f64,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        address: Option<String>,
        #[serde(default)]
        reply_to: Option<Uuid>,
    },
}

impl NewMessage {
    /// Read a request body: a missing `type` means text, so `{"text": "hi"}` works.
    pub fn from_json(mut value: Value) -> Result<Self> {
        if let Some(obj) = value.as_object_mut()
            && !obj.contains_key("type")
        {
            obj.insert("type".into(), json!("text"));
        }
        serde_json::from_value(value).map_err(|e| Error::invalid("body", e.to_string()))
    }
}

fn validation(field: &str, message: impl Into<String>) -> Error {
    Error::invalid(field, message)
}

/// The id-less recipient used only to run [`OutboundMessage::validate`] on the content.
fn check_content(content: &OutboundContent) -> Result<()> {
    OutboundMessage::new(Recipient::Phone("10000000000".into()), content.clone())
        .validate()
        .map_err(|e| validation("body", format!("{}{}", e[..1].to_uppercase(), &e[1..])))
}

async fn reply_wamid(
    tx: &mut TenantTx,
    conversation: Uuid,
    reply_to: Option<Uuid>,
) -> Result<Option<String>> {
    let Some(r) = reply_to else { return Ok(None) };
    let replied = messages::get(tx, r)
        .await
        .map_err(|_| validation("reply_to", "No such message."))?;
    if replied.conversation_id != conversation {
        return Err(validation(
            "reply_to",
            "That message is in another conversation.",
        ));
    }
    match replied.wamid {
        Some(w) => Ok(Some(w)),
        None => Err(validation(
            "reply_to",
            "That message has not reached WhatsApp yet, so it cannot be quoted.",
        )),
    }
}

/// What is stored for a queued message.
struct Draft {
    kind: String,
    body: Option<String>,
    content: Value,
    media_id: Option<Uuid>,
    reply_to_wamid: Option<String>,
}

fn text_opt(field: &str, v: &Option<String>, max: usize) -> Result<Option<String>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > max => {
            Err(validation(field, format!("At most {max} characters.")))
        }
        Some(s) => Ok(Some(s.to_owned())),
    }
}

async fn draft(tx: &mut TenantTx, conversation: Uuid, input: NewMessage) -> Result<Draft> {
    Ok(match input {
        NewMessage::Text {
            text,
            reply_to,
            preview_url,
        } => {
            let text = text.trim().to_owned();
            if text.is_empty() || text.chars().count() > 4096 {
                return Err(validation("text", "A message has 1 to 4096 characters."));
            }
            let outbound = OutboundContent::Text {
                body: text.clone(),
                preview_url,
            };
            Draft {
                kind: "text".into(),
                body: Some(text),
                content: json!({ "outbound": outbound }),
                media_id: None,
                reply_to_wamid: reply_wamid(tx, conversation, reply_to).await?,
            }
        }
        NewMessage::Media {
            media_id,
            caption,
            reply_to,
        } => {
            let row = media::get(tx, media_id)
                .await
                .map_err(|_| validation("media_id", "No such file: upload it first."))?;
            if row.status != "ready" {
                return Err(validation("media_id", "That file is not ready."));
            }
            let kind = row
                .mime_type
                .as_deref()
                .and_then(media::kind_of)
                .ok_or_else(|| {
                    Error::UnsupportedMedia("WhatsApp cannot send this type of file.".into())
                })?;
            if row.size_bytes.unwrap_or(0) > i64::try_from(kind.limit()).unwrap_or(i64::MAX) {
                return Err(media::too_large(kind));
            }
            let caption = text_opt("caption", &caption, 1024)?;
            if caption.is_some() && matches!(kind, MediaKind::Audio | MediaKind::Sticker) {
                return Err(validation(
                    "caption",
                    "WhatsApp shows no caption on audio or stickers.",
                ));
            }
            let source = MediaSource::Id(format!("chorus:{media_id}"));
            let outbound = match kind {
                MediaKind::Image => OutboundContent::Image {
                    media: source,
                    caption: caption.clone(),
                },
                MediaKind::Video => OutboundContent::Video {
                    media: source,
                    caption: caption.clone(),
                },
                MediaKind::Audio => OutboundContent::Audio { media: source },
                MediaKind::Sticker => OutboundContent::Sticker { media: source },
                MediaKind::Document => OutboundContent::Document {
                    media: source,
                    caption: caption.clone(),
                    filename: row.filename.clone(),
                },
            };
            Draft {
                kind: kind.as_str().into(),
                body: caption.or_else(|| row.filename.clone()),
                content: json!({ "outbound": outbound, "mime_type": row.mime_type, "filename": row.filename }),
                media_id: Some(media_id),
                reply_to_wamid: reply_wamid(tx, conversation, reply_to).await?,
            }
        }
        NewMessage::Template {
            template_id,
            header,
            header_media_id,
            body,
            buttons,
        } => {
            let template = templates::get(tx, template_id)
                .await
                .map_err(|_| validation("template_id", "No such template."))?;
            let number = conversations::number_of(tx, conversation).await?;
            if template.waba_id != number.1 {
                return Err(validation(
                    "template_id",
                    "That template belongs to another WhatsApp Business Account than this conversation's number.",
                ));
            }
            if let Some(h) = header_media_id {
                let row = media::get(tx, h)
                    .await
                    .map_err(|_| validation("header_media_id", "No such file: upload it first."))?;
                if row.status != "ready" {
                    return Err(validation("header_media_id", "That file is not ready."));
                }
                // The file must be what the header shows, or Meta refuses the send later.
                let kind = row.mime_type.as_deref().and_then(media::kind_of);
                let wanted = template.variables.header_format.as_deref();
                let fits = matches!(
                    (wanted, kind),
                    (Some("IMAGE"), Some(MediaKind::Image))
                        | (Some("VIDEO"), Some(MediaKind::Video))
                        | (Some("DOCUMENT"), Some(MediaKind::Document))
                );
                if !fits && matches!(wanted, Some("IMAGE" | "VIDEO" | "DOCUMENT")) {
                    return Err(Error::Unprocessable {
                        code: "template_parameters",
                        message: format!(
                            "This template's header shows a {}; the attached file is {}.",
                            wanted.unwrap_or_default().to_ascii_lowercase(),
                            row.mime_type.as_deref().unwrap_or("of an unknown type")
                        ),
                    });
                }
            }
            let values = TemplateValues {
                header,
                header_media_id,
                body,
                buttons,
            };
            let prepared = templates::prepare(&template, &values)?;
            let outbound = OutboundContent::Template(prepared.message);
            Draft {
                kind: "template".into(),
                body: Some(prepared.rendered_body),
                content: json!({
                    "outbound": outbound,
                    "template": {"id": template.id, "name": template.name, "language": template.language},
                    "parameters": values,
                    "components": template.components,
                }),
                media_id: header_media_id,
                reply_to_wamid: None,
            }
        }
        NewMessage::Buttons {
            body,
            buttons,
            header,
            footer,
            reply_to,
        } => {
            let outbound = OutboundContent::Buttons(ButtonsMessage {
                header: text_opt("header", &header, 60)?
                    .map(crate::whatsapp::graph::InteractiveHeader::Text),
                body: body.trim().to_owned(),
                footer: text_opt("footer", &footer, 60)?,
                buttons,
            });
            check_content(&outbound)?;
            Draft {
                kind: "interactive".into(),
                body: Some(body.trim().to_owned()),
                content: json!({ "outbound": outbound }),
                media_id: None,
                reply_to_wamid: reply_wamid(tx, conversation, reply_to).await?,
            }
        }
        NewMessage::List {
            body,
            button,
            sections,
            header,
            footer,
            reply_to,
        } => {
            let outbound = OutboundContent::List(ListMessage {
                header: text_opt("header", &header, 60)?,
                body: body.trim().to_owned(),
                footer: text_opt("footer", &footer, 60)?,
                button: button.trim().to_owned(),
                sections,
            });
            check_content(&outbound)?;
            Draft {
                kind: "interactive".into(),
                body: Some(body.trim().to_owned()),
                content: json!({ "outbound": outbound }),
                media_id: None,
                reply_to_wamid: reply_wamid(tx, conversation, reply_to).await?,
            }
        }
        NewMessage::Reaction { message_id, emoji } => {
            let target = messages::get(tx, message_id)
                .await
                .map_err(|_| validation("message_id", "No such message."))?;
            if target.conversation_id != conversation {
                return Err(validation(
                    "message_id",
                    "That message is in another conversation.",
                ));
            }
            let Some(wamid) = target.wamid else {
                return Err(validation(
                    "message_id",
                    "That message has not reached WhatsApp yet.",
                ));
            };
            let emoji = emoji.trim().to_owned();
            if emoji.chars().count() > 10 || emoji.chars().any(|c| c.is_ascii_alphanumeric()) {
                return Err(validation("emoji", "A reaction is one emoji."));
            }
            let outbound = OutboundContent::Reaction {
                message_id: wamid.clone(),
                emoji: emoji.clone(),
            };
            Draft {
                kind: "reaction".into(),
                body: (!emoji.is_empty()).then(|| emoji.clone()),
                // Shaped like an inbound reaction, so clients show both the same way.
                content: json!({ "outbound": outbound, "type": "reaction", "message_id": wamid, "emoji": (!emoji.is_empty()).then_some(emoji) }),
                media_id: None,
                reply_to_wamid: None,
            }
        }
        NewMessage::Location {
            latitude,
            longitude,
            name,
            address,
            reply_to,
        } => {
            if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
                return Err(validation(
                    "latitude",
                    "Latitude is -90 to 90 and longitude -180 to 180.",
                ));
            }
            let name = text_opt("name", &name, 1000)?;
            let address = text_opt("address", &address, 1000)?;
            let outbound = OutboundContent::Location {
                latitude,
                longitude,
                name: name.clone(),
                address: address.clone(),
            };
            Draft {
                kind: "location".into(),
                body: name.clone().or_else(|| address.clone()),
                content: json!({ "outbound": outbound, "type": "location", "latitude": latitude, "longitude": longitude, "name": name, "address": address }),
                media_id: None,
                reply_to_wamid: reply_wamid(tx, conversation, reply_to).await?,
            }
        }
    })
}

/// Queue a message: permission, conversation visible, window open (templates always pass), the
/// content checked; the send job is enqueued in the same transaction.
pub async fn queue(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
    input: NewMessage,
    guard: &crate::presence::SendGuard,
) -> Result<Message> {
    actor.require(Permission::ConversationsReply)?;
    let conv = conversations::get(tx, actor, conversation).await?;
    crate::contacts::ensure_sendable(tx, conversation).await?;
    crate::presence::check_send(tx, actor, conversation, guard).await?;
    let is_template = matches!(input, NewMessage::Template { .. });
    if !conv.window_open && !is_template {
        return Err(Error::Unprocessable {
            code: "window_closed",
            message: "The 24-hour window with this customer has closed: WhatsApp only allows template messages until they write again. Send a template instead.".into(),
        });
    }
    let draft = draft(tx, conversation, input).await?;
    let tenant = tx.tenant_id();
    let id = Uuid::now_v7();
    diesel::insert_into(m::table)
        .values((
            m::tenant_id.eq(tenant),
            m::id.eq(id),
            m::conversation_id.eq(conversation),
            m::direction.eq("outbound"),
            m::kind.eq(&draft.kind),
            m::body.eq(&draft.body),
            m::content.eq(&draft.content),
            m::media_id.eq(draft.media_id),
            m::reply_to_wamid.eq(&draft.reply_to_wamid),
            m::status.eq("queued"),
            m::sender_type.eq("agent"),
            m::sender_id.eq(actor.membership_id.0),
        ))
        .execute(tx.pg())
        .await?;
    diesel::update(c::table.filter(c::id.eq(conversation)))
        .set((
            c::last_message_at.eq(Utc::now()),
            c::last_message_preview.eq(messages::preview(&draft.kind, draft.body.as_deref())),
            // The customer has been answered.
            c::waiting_since.eq(None::<chrono::DateTime<Utc>>),
            c::first_reply_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("coalesce(first_reply_at, now())")),
            c::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    crate::sla::refresh(tx, &[conversation]).await?;
    // An agent answered: a bot still talking to the customer stops.
    crate::bots::person_took_over(tx, conversation).await?;
    // Sent: the composer is free again.
    diesel::delete(
        crate::schema::composer_leases::table
            .filter(crate::schema::composer_leases::conversation_id.eq(conversation))
            .filter(crate::schema::composer_leases::holder_id.eq(actor.membership_id.0)),
    )
    .execute(tx.pg())
    .await?;
    let mut job = NewJob::new(SEND_MESSAGE, &json!({ "message_id": id }))?.priority(20);
    job.max_attempts = 8;
    jobs::enqueue(tx, job).await?;
    if draft.media_id.is_some() {
        return messages::get(tx, id).await;
    }
    let mut message = messages::get_plain(tx, id).await?;
    message.sender_name = Some(actor.name.clone());
    Ok(message)
}

/// The Graph API content of a queued message: `content.outbound`, or a plain text for messages
/// queued before contents were stored.
pub fn content_of(message: &Message) -> Result<OutboundContent> {
    match message.content.get("outbound") {
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            Error::Internal(anyhow::anyhow!(
                "message {} has unreadable content: {e}",
                message.id
            ))
        }),
        None => Ok(OutboundContent::Text {
            body: message.body.clone().unwrap_or_default(),
            preview_url: false,
        }),
    }
}

/// Queue an automatic text (greeting, away message) from the business itself: the same checks
/// of content and window as an agent's reply, the same send job; `sender_type: system` and
/// `content.automatic` mark it. It does not count as an answer to the customer.
pub async fn queue_automatic(
    tx: &mut TenantTx,
    conversation: Uuid,
    text: &str,
    automatic: &str,
) -> Result<Uuid> {
    let input = NewMessage::Text {
        text: text.to_owned(),
        reply_to: None,
        preview_url: false,
    };
    queue_unattended(
        tx,
        conversation,
        input,
        "system",
        None,
        json!({ "automatic": automatic }),
    )
    .await
}

/// Queue a message of any kind from the business itself (a CSAT survey, its thanks):
/// `sender_type: system`, `content.automatic` names why. Free-form content needs the window;
/// a template is sent whatever the window.
pub async fn queue_system(
    tx: &mut TenantTx,
    conversation: Uuid,
    input: NewMessage,
    automatic: &str,
) -> Result<Uuid> {
    queue_unattended(
        tx,
        conversation,
        input,
        "system",
        None,
        json!({ "automatic": automatic }),
    )
    .await
}

/// Queue a bot's message (text, reply buttons or a list): the send path of every reply, with
/// `sender_type: bot`, `sender_id` the bot and `content.bot` naming it, so every screen can mark
/// it as the bot's. Like automatic replies, it does not count as an answer.
pub async fn queue_bot(
    tx: &mut TenantTx,
    conversation: Uuid,
    input: NewMessage,
    bot_id: Uuid,
    bot_name: &str,
) -> Result<Uuid> {
    queue_unattended(
        tx,
        conversation,
        input,
        "bot",
        Some(bot_id),
        json!({ "bot": { "id": bot_id, "name": bot_name } }),
    )
    .await
}

/// What automatic replies and bots share: window check, content check, the message row with
/// `marks` merged into its content, the send job.
async fn queue_unattended(
    tx: &mut TenantTx,
    conversation: Uuid,
    input: NewMessage,
    sender_type: &str,
    sender_id: Option<Uuid>,
    marks: Value,
) -> Result<Uuid> {
    let window_open: Option<Option<chrono::DateTime<Utc>>> = c::table
        .filter(c::id.eq(conversation))
        .select(c::window_expires_at)
        .first(tx.pg())
        .await
        .optional()?;
    crate::contacts::ensure_sendable(tx, conversation).await?;
    let open = window_open.flatten().is_some_and(|w| w > Utc::now());
    if !open && !matches!(input, NewMessage::Template { .. }) {
        return Err(Error::Unprocessable {
            code: "window_closed",
            message: "The 24-hour window is closed; automatic replies are not sent.".into(),
        });
    }
    let mut draft = draft(tx, conversation, input).await?;
    if let (Some(obj), Some(extra)) = (draft.content.as_object_mut(), marks.as_object()) {
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
    let id = Uuid::now_v7();
    diesel::insert_into(m::table)
        .values((
            m::tenant_id.eq(tx.tenant_id()),
            m::id.eq(id),
            m::conversation_id.eq(conversation),
            m::direction.eq("outbound"),
            m::kind.eq(&draft.kind),
            m::body.eq(&draft.body),
            m::content.eq(&draft.content),
            m::status.eq("queued"),
            m::sender_type.eq(sender_type),
            m::sender_id.eq(sender_id),
        ))
        .execute(tx.pg())
        .await?;
    diesel::update(c::table.filter(c::id.eq(conversation)))
        .set((
            c::last_message_at.eq(Utc::now()),
            c::last_message_preview.eq(messages::preview(&draft.kind, draft.body.as_deref())),
            c::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    let mut job = NewJob::new(SEND_MESSAGE, &json!({ "message_id": id }))?.priority(20);
    job.max_attempts = 8;
    jobs::enqueue(tx, job).await?;
    Ok(id)
}
