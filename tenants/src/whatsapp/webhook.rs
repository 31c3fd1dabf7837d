//! Meta's webhook POST bodies (sheet §3, §4), turned into a flat list of typed [`Event`]s.
//!
//! One POST may batch up to 1000 updates: several `entry` (one per WABA), several `changes`
//! per entry, several `messages` and `statuses` per change, and may mix tenants. [`parse`]
//! walks every one of them, in order, and yields one [`Event`] per message, status, error or
//! account-level update, each carrying the ids the caller routes on (`phone_number_id` for
//! `messages`, the WABA id for the other fields).
//!
//! Only a body that is not JSON, or not a `whatsapp_business_account` envelope, is an error
//! ([`ParseError`]); the API answers that with 400. Anything smaller that this parser does not
//! understand is kept instead of dropped or fatal:
//! - a message of an unknown type, or of a known type with an unexpected body, becomes
//!   [`MessageKind::Unknown`] with its raw JSON;
//! - a message or status without the fields an event needs (an id, a timestamp), a `messages`
//!   change without `metadata`, or an entry without `changes`, becomes [`Event::Unparsed`] with
//!   the raw JSON and the reason, so the caller can store it as a failed event;
//! - fields with no typed event here (`user_preferences`, `business_capability_update`,
//!   `smb_message_echoes`, ...) become [`Event::Other`] with the raw `value`.
//!
//! Extra fields are ignored everywhere (and kept in `raw` where it matters), so Meta adding a
//! field never breaks ingestion. Timestamps are Unix seconds sent as strings in `messages` and
//! `statuses` and as integers elsewhere; both spellings are accepted in both places.

use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::errors::MetaError;

/// The `object` of every WhatsApp Business Account webhook.
pub const OBJECT: &str = "whatsapp_business_account";

/// Why a webhook body was refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the webhook body is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the webhook body is not a WhatsApp Business Account envelope: {0}")]
    NotWhatsApp(String),
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// One thing that happened, out of a webhook batch. (Variants differ in size; events are
/// built once per update and moved, so boxing would only add indirection.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A customer wrote (or reacted, tapped a button, shared a location, ...).
    Message {
        waba_id: String,
        /// The business number that received it: the routing key to a tenant and inbox.
        phone_number_id: String,
        /// The business number's digits, no `+`.
        display_phone_number: String,
        /// The sender's profile from the same change, when Meta sent one.
        contact: Option<Contact>,
        message: InboundMessage,
    },
    /// What happened to a message the business sent.
    Status {
        waba_id: String,
        phone_number_id: String,
        display_phone_number: String,
        status: StatusUpdate,
    },
    /// A value-level error (a system or account problem, sheet §3.5), one event per error.
    Error {
        waba_id: String,
        /// Present when the error came in a `messages` change with `metadata`.
        phone_number_id: Option<String>,
        error: MetaError,
    },
    /// `message_template_status_update`: a template was approved, rejected, paused, ...
    TemplateStatus {
        waba_id: String,
        time: Option<DateTime<Utc>>,
        update: TemplateStatusUpdate,
    },
    /// `message_template_quality_update`.
    TemplateQuality {
        waba_id: String,
        time: Option<DateTime<Utc>>,
        update: TemplateQualityUpdate,
    },
    /// `phone_number_quality_update`: a number's limit or throughput changed.
    Quality {
        waba_id: String,
        time: Option<DateTime<Utc>>,
        update: QualityUpdate,
    },
    /// `account_update`: restrictions, bans, the app being uninstalled, ...
    AccountUpdate {
        waba_id: String,
        time: Option<DateTime<Utc>>,
        update: AccountUpdate,
    },
    /// A field without a typed event here, kept as Meta sent it.
    Other {
        waba_id: String,
        time: Option<DateTime<Utc>>,
        field: String,
        value: Value,
    },
    /// Part of the batch that could not be read as the event it should be. Store it as a failed
    /// event; the rest of the batch is unaffected.
    Unparsed {
        waba_id: Option<String>,
        field: Option<String>,
        reason: String,
        raw: Value,
    },
}

impl Event {
    /// The WhatsApp Business Account the event belongs to (absent only on some `Unparsed`).
    pub fn waba_id(&self) -> Option<&str> {
        match self {
            Event::Message { waba_id, .. }
            | Event::Status { waba_id, .. }
            | Event::Error { waba_id, .. }
            | Event::TemplateStatus { waba_id, .. }
            | Event::TemplateQuality { waba_id, .. }
            | Event::Quality { waba_id, .. }
            | Event::AccountUpdate { waba_id, .. }
            | Event::Other { waba_id, .. } => Some(waba_id),
            Event::Unparsed { waba_id, .. } => waba_id.as_deref(),
        }
    }

    /// The business number the event is about, for events that name one.
    pub fn phone_number_id(&self) -> Option<&str> {
        match self {
            Event::Message {
                phone_number_id, ..
            }
            | Event::Status {
                phone_number_id, ..
            } => Some(phone_number_id),
            Event::Error {
                phone_number_id, ..
            } => phone_number_id.as_deref(),
            _ => None,
        }
    }
}

/// The sender of inbound messages, from `value.contacts[]`. Either id may be missing: users with
/// a WhatsApp username may come with a BSUID (`user_id`) and no phone (`wa_id`) (sheet §3.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The user's WhatsApp id, normally their phone digits (no `+`).
    pub wa_id: Option<String>,
    /// Business-scoped user id, e.g. `US.13491208655302741918`.
    pub user_id: Option<String>,
    pub parent_user_id: Option<String>,
    /// `profile.name`: the display name the user chose.
    pub name: Option<String>,
    /// `profile.username`.
    pub username: Option<String>,
    pub identity_key_hash: Option<String>,
}

/// One inbound message (`value.messages[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// `id`: the `wamid.…`, Meta's idempotency key for the message.
    pub wamid: String,
    /// The sender's phone digits; `None` for BSUID-only users (also when sent empty).
    pub from: Option<String>,
    /// The sender's BSUID (2026).
    pub from_user_id: Option<String>,
    pub timestamp: DateTime<Utc>,
    pub context: Option<MessageContext>,
    /// Click-to-WhatsApp ad or post referral; can come on any type.
    pub referral: Option<Referral>,
    /// Message-level errors (e.g. 131051 on `unsupported`, 131052 on a too-large file).
    pub errors: Vec<MetaError>,
    pub kind: MessageKind,
    /// The message object as received, for storage and for fields not modelled here.
    pub raw: Value,
}

/// `context` on an inbound message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageContext {
    /// The wamid of the message the customer replied to (quoted), if this is a reply.
    pub message_id: Option<String>,
    /// Who sent the quoted message (the business number's digits, for replies to the business).
    pub from: Option<String>,
    pub forwarded: bool,
    /// Forwarded more than 5 times.
    pub frequently_forwarded: bool,
    /// A product inquiry (unconfirmed in Meta's docs, read when present).
    pub referred_product: Option<ReferredProduct>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferredProduct {
    #[serde(default, deserialize_with = "lenient_string")]
    pub catalog_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub product_retailer_id: Option<String>,
}

/// `referral`: the ad or post that brought the customer (sheet §3.2). Every field is kept:
/// the known ones by name, anything else in `other`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// `ad` or `post`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// `image` or `video`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// Click id; absent for ads placed in WhatsApp Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_message: Option<WelcomeMessage>,
    /// Fields Meta added that are not named above.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeMessage {
    #[serde(default)]
    pub text: Option<String>,
}

/// What an inbound message is, one variant per `type` (sheet §3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageKind {
    Text {
        body: String,
    },
    Image(Media),
    Video(Media),
    /// `voice` is true for voice notes.
    Audio(Media),
    /// `filename` is set for documents.
    Document(Media),
    /// `animated` is set for stickers.
    Sticker(Media),
    Location(Location),
    /// Shared contact cards.
    Contacts {
        contacts: Vec<SharedContact>,
    },
    /// A tap on an interactive reply button the business sent.
    ButtonReply {
        id: String,
        title: String,
    },
    /// A choice from an interactive list the business sent.
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// Another interactive reply (e.g. `nfm_reply` from Flows), kept raw.
    Interactive {
        interactive_type: String,
        raw: Value,
    },
    /// A quick-reply button tap on a template (`type: "button"`).
    Button {
        payload: Option<String>,
        text: String,
    },
    /// A reaction to `message_id`. `emoji` is `None` when the reaction was removed (Meta sends
    /// an empty string or no `emoji` at all).
    Reaction {
        message_id: String,
        emoji: Option<String>,
    },
    Order(Order),
    /// A system notice: the user changed number, or their identity (security code) changed.
    System(SystemNotice),
    /// The customer deleted a message for everyone (2026; unconfirmed in Meta's docs).
    Revoke {
        original_message_id: String,
    },
    /// The customer edited a message (2026; unconfirmed in Meta's docs). `message` is the new
    /// content, parsed like any message body.
    Edit {
        original_message_id: String,
        message: Box<MessageKind>,
    },
    /// Meta could not show this message to the API (`type: "unsupported"`); the reason is in
    /// the message's `errors` (131051). `unsupported_type` is e.g. `poll` when Meta says.
    Unsupported {
        unsupported_type: Option<String>,
    },
    /// A type this parser does not know, or a known type whose body did not have the expected
    /// shape. `raw` is the whole message object.
    Unknown {
        message_type: String,
        raw: Value,
    },
}

impl MessageKind {
    /// The wire `type` this kind came from (`"interactive"` for button and list replies).
    pub fn wire_type(&self) -> &str {
        match self {
            MessageKind::Text { .. } => "text",
            MessageKind::Image(_) => "image",
            MessageKind::Video(_) => "video",
            MessageKind::Audio(_) => "audio",
            MessageKind::Document(_) => "document",
            MessageKind::Sticker(_) => "sticker",
            MessageKind::Location(_) => "location",
            MessageKind::Contacts { .. } => "contacts",
            MessageKind::ButtonReply { .. }
            | MessageKind::ListReply { .. }
            | MessageKind::Interactive { .. } => "interactive",
            MessageKind::Button { .. } => "button",
            MessageKind::Reaction { .. } => "reaction",
            MessageKind::Order(_) => "order",
            MessageKind::System(_) => "system",
            MessageKind::Revoke { .. } => "revoke",
            MessageKind::Edit { .. } => "edit",
            MessageKind::Unsupported { .. } => "unsupported",
            MessageKind::Unknown { message_type, .. } => message_type,
        }
    }

    /// The attached media, for the kinds that carry one.
    pub fn media(&self) -> Option<&Media> {
        match self {
            MessageKind::Image(m)
            | MessageKind::Video(m)
            | MessageKind::Audio(m)
            | MessageKind::Document(m)
            | MessageKind::Sticker(m) => Some(m),
            _ => None,
        }
    }
}

/// An inbound file. Download it with `GraphClient::media_url` + `download_media` within 7 days;
/// `url`, when present (rolled out from 2025-11), skips the first call but still needs the
/// bearer token and expires after 5 minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    #[serde(deserialize_with = "required_string")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Opaque: base64 in Meta's webhook example, hex-looking elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Documents only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Audio only: a voice note (`audio/ogg; codecs=opus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<bool>,
    /// Stickers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(deserialize_with = "lenient_f64")]
    pub latitude: f64,
    #[serde(deserialize_with = "lenient_f64")]
    pub longitude: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One shared contact card. The commonly shown parts are typed; `raw` keeps all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedContact {
    pub formatted_name: Option<String>,
    pub phones: Vec<SharedPhone>,
    pub emails: Vec<String>,
    pub organisation: Option<String>,
    pub raw: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPhone {
    pub phone: Option<String>,
    /// Set when the number is on WhatsApp.
    pub wa_id: Option<String>,
    /// `CELL`, `MAIN`, `HOME`, `WORK`, ...
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Order {
    #[serde(default, deserialize_with = "lenient_string")]
    pub catalog_id: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub product_items: Vec<ProductItem>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductItem {
    #[serde(deserialize_with = "required_string")]
    pub product_retailer_id: String,
    #[serde(deserialize_with = "lenient_f64")]
    pub quantity: f64,
    /// As Meta sends it: a JSON number in the item's currency.
    #[serde(deserialize_with = "lenient_f64")]
    pub item_price: f64,
    pub currency: String,
}

/// `type: "system"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemNotice {
    /// `user_changed_number`, `customer_identity_changed`, ...
    pub system_type: Option<String>,
    pub body: Option<String>,
    /// For `user_changed_number`: the user's new WhatsApp id (`wa_id`, or `new_wa_id` in older
    /// payloads).
    pub new_wa_id: Option<String>,
    /// For `customer_identity_changed`: the message's `identity` object.
    pub identity: Option<Identity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    #[serde(default)]
    pub acknowledged: Option<bool>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub created_timestamp: Option<String>,
    #[serde(default)]
    pub hash: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Statuses
// ---------------------------------------------------------------------------------------------

/// One `value.statuses[]` entry: what happened to an outbound message (sheet §3.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// The wamid `/messages` returned for the send.
    pub wamid: String,
    pub status: DeliveryStatus,
    pub timestamp: DateTime<Utc>,
    /// The user's phone digits (or a group id); may be absent for BSUID-only users.
    pub recipient_id: Option<String>,
    /// The user's BSUID, if Meta sends one (field name unconfirmed; read when present).
    pub recipient_user_id: Option<String>,
    /// `group` for group messages.
    pub recipient_type: Option<String>,
    pub recipient_participant_id: Option<String>,
    /// Echo of what the sender set on the send (Chorus can put its own message id there).
    pub biz_opaque_callback_data: Option<String>,
    /// Why it failed, on `failed`.
    pub errors: Vec<MetaError>,
    /// Present on one of `sent`/`delivered` per message; store it (billing).
    pub pricing: Option<Pricing>,
    /// Gone since v24 except inside free entry point windows.
    pub conversation: Option<ConversationInfo>,
    /// The status object as received.
    pub raw: Value,
}

/// The `status` of a [`StatusUpdate`]. Meta may add values; those are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    /// A voice message was played.
    Played,
    Failed,
    Other(String),
}

impl DeliveryStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "played" => Self::Played,
            "failed" => Self::Failed,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Played => "played",
            Self::Failed => "failed",
            Self::Other(s) => s,
        }
    }

    /// Progress order, for making status moves monotonic under Meta's unordered, duplicated
    /// delivery: `sent` 1 < `delivered` 2 < `failed` 3 < `read` 4 < `played` 5; unknown 0.
    ///
    /// `failed` outranks `sent` and `delivered` (a send can fail after either), but not `read`
    /// or `played`: a late `failed` for a message the customer read is contradictory and the
    /// read is kept. Use [`DeliveryStatus::supersedes`], which also makes `failed` terminal.
    /// In SQL: `UPDATE ... SET status = $new WHERE status_rank < $rank AND status <> 'failed'`.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Other(_) => 0,
            Self::Sent => 1,
            Self::Delivered => 2,
            Self::Failed => 3,
            Self::Read => 4,
            Self::Played => 5,
        }
    }

    /// Whether a message now in `current` should move to `self`. Duplicates, regressions
    /// (`delivered` after `read`) and anything after `failed` are ignored; unknown statuses
    /// never move a message.
    pub fn supersedes(&self, current: &DeliveryStatus) -> bool {
        if *current == Self::Failed || matches!(self, Self::Other(_)) {
            return false;
        }
        self.rank() > current.rank()
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Failed | Self::Played)
    }
}

impl Serialize for DeliveryStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DeliveryStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self::parse(&s))
    }
}

/// `pricing` on a status. All strings are open sets; keep them as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    /// To be deprecated by Meta; prefer [`Pricing::is_charged`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
    /// `PMP` (per-message, from 2025-07-01) or `CBP` (conversation-based, before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing_model: Option<String>,
    /// `regular`, `free_customer_service`, `free_entry_point`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub pricing_type: Option<String>,
    /// `service`, `utility`, `marketing`, `marketing_lite`, `authentication`,
    /// `authentication-international`, `referral_conversion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl Pricing {
    /// Whether Meta charges for the message: from `type` (`regular` is charged, `free_*` is
    /// not), falling back to `billable` when `type` is missing or new.
    pub fn is_charged(&self) -> bool {
        match self.pricing_type.as_deref() {
            Some("regular") => true,
            Some(t) if t.starts_with("free") => false,
            _ => self.billable.unwrap_or(false),
        }
    }
}

/// `conversation` on a status (pre-v24, or inside a free entry point window).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationInfo {
    pub id: Option<String>,
    /// `origin.type`: the conversation category.
    pub origin_type: Option<String>,
    /// Only on `sent`.
    pub expiration: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------------
// Account-level fields
// ---------------------------------------------------------------------------------------------

/// `message_template_status_update` (sheet §4.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    /// `APPROVED`, `REJECTED`, `PAUSED`, `DISABLED`, ... (open set).
    pub event: String,
    /// Meta sends an integer; kept as a string to match the ids of the Graph API.
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    /// Opaque: `en_US` and `en-US` both occur.
    pub language: Option<String>,
    /// `INVALID_FORMAT`, `NONE`, ...; `None` also when Meta sends `null`.
    pub reason: Option<String>,
    pub category: Option<String>,
    pub rejection_reason: Option<String>,
    pub rejection_recommendation: Option<String>,
    /// `other_info.title`, e.g. `FIRST_PAUSE`, `UNPAUSE`.
    pub other_title: Option<String>,
    pub other_description: Option<String>,
    /// `disable_info.disable_date`, as sent.
    pub disable_date: Option<String>,
}

/// `message_template_quality_update` (sheet §4.5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateQualityUpdate {
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub language: Option<String>,
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN`.
    pub previous_quality_score: Option<String>,
    pub new_quality_score: Option<String>,
}

/// `phone_number_quality_update` (sheet §4.3). Route it by WABA id + `display_phone_number`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityUpdate {
    pub display_phone_number: Option<String>,
    /// `ONBOARDING`, `THROUGHPUT_UPGRADE`; legacy `FLAGGED`, `UNFLAGGED`, `UPGRADE`, `DOWNGRADE`.
    pub event: String,
    /// `max_daily_conversations_per_business`, e.g. `TIER_2K`, `TIER_UNLIMITED`.
    pub limit: Option<String>,
    /// `current_limit` (deprecated by Meta in 2026, still read).
    pub current_limit: Option<String>,
    pub old_limit: Option<String>,
}

/// `account_update` (sheet §4.4). Only the parts Chorus acts on are typed; `raw` has the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUpdate {
    /// `ACCOUNT_RESTRICTION`, `ACCOUNT_VIOLATION`, `DISABLED_UPDATE`,
    /// `PARTNER_APP_UNINSTALLED`, `PARTNER_REMOVED`, ... (open set).
    pub event: String,
    pub restrictions: Vec<Restriction>,
    pub raw: Value,
}

impl AccountUpdate {
    /// The business disconnected Chorus's app (or removed the partner): treat the tenant's
    /// connection as revoked.
    pub fn revokes_access(&self) -> bool {
        matches!(
            self.event.as_str(),
            "PARTNER_APP_UNINSTALLED"
                | "PARTNER_REMOVED"
                | "ACCOUNT_DELETED"
                | "ACCOUNT_OFFBOARDED"
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    /// e.g. `RESTRICTED_BIZ_INITIATED_MESSAGING`.
    pub restriction_type: Option<String>,
    pub expiration: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------------
// The envelope (wire types)
// ---------------------------------------------------------------------------------------------

/// The outer shape of every webhook body. `entry` elements are read one by one so that one
/// odd entry cannot fail the others.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    pub object: String,
    pub entry: Vec<Value>,
}

/// One `entry[]`: a WABA and its changes.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    /// The WhatsApp Business Account id.
    #[serde(deserialize_with = "required_string")]
    pub id: String,
    /// Integer seconds; present mostly on non-`messages` fields.
    #[serde(default)]
    pub time: Option<Value>,
    pub changes: Vec<Value>,
}

/// One `changes[]`: which field changed, and its value.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub field: String,
    pub value: Value,
}

/// The `value` of a `messages` change.
#[derive(Debug, Clone, Deserialize)]
pub struct MessagesValue {
    #[serde(default)]
    pub messaging_product: Option<String>,
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub contacts: Vec<Value>,
    #[serde(default)]
    pub messages: Vec<Value>,
    #[serde(default)]
    pub statuses: Vec<Value>,
    #[serde(default)]
    pub errors: Vec<Value>,
}

/// `value.metadata`: which business number the change is about.
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    #[serde(default, deserialize_with = "lenient_string")]
    pub display_phone_number: Option<String>,
    #[serde(deserialize_with = "required_string")]
    pub phone_number_id: String,
}

// ---------------------------------------------------------------------------------------------
// The normaliser
// ---------------------------------------------------------------------------------------------

/// Read a webhook body into its events, in the order they appear. See the module docs for what
/// is an error and what is kept as [`Event::Unparsed`] or [`MessageKind::Unknown`].
pub fn parse(body: &[u8]) -> Result<Vec<Event>, ParseError> {
    let root: Value = serde_json::from_slice(body)?;
    let envelope =
        Envelope::deserialize(&root).map_err(|e| ParseError::NotWhatsApp(e.to_string()))?;
    if envelope.object != OBJECT {
        return Err(ParseError::NotWhatsApp(format!(
            "object is {:?}, not {OBJECT:?}",
            envelope.object
        )));
    }
    let mut events = Vec::new();
    for raw_entry in &envelope.entry {
        parse_entry(raw_entry, &mut events);
    }
    Ok(events)
}

fn parse_entry(raw: &Value, out: &mut Vec<Event>) {
    let entry = match Entry::deserialize(raw) {
        Ok(entry) => entry,
        Err(e) => {
            out.push(Event::Unparsed {
                waba_id: raw.get("id").and_then(as_string),
                field: None,
                reason: format!("entry: {e}"),
                raw: raw.clone(),
            });
            return;
        }
    };
    let time = entry.time.as_ref().and_then(unix_seconds);
    for raw_change in &entry.changes {
        let change = match Change::deserialize(raw_change) {
            Ok(change) => change,
            Err(e) => {
                out.push(unparsed(
                    &entry.id,
                    None,
                    format!("change: {e}"),
                    raw_change,
                ));
                continue;
            }
        };
        let waba_id = entry.id.clone();
        let field = change.field.as_str();
        let value = &change.value;
        match field {
            "messages" => parse_messages_value(&entry.id, value, out),
            "message_template_status_update" => out.push(Event::TemplateStatus {
                waba_id,
                time,
                update: template_status(value),
            }),
            "message_template_quality_update" => out.push(Event::TemplateQuality {
                waba_id,
                time,
                update: template_quality(value),
            }),
            "phone_number_quality_update" => out.push(Event::Quality {
                waba_id,
                time,
                update: quality(value),
            }),
            "account_update" => out.push(Event::AccountUpdate {
                waba_id,
                time,
                update: account_update(value),
            }),
            _ => out.push(Event::Other {
                waba_id,
                time,
                field: change.field,
                value: change.value,
            }),
        }
    }
}

fn unparsed(waba_id: &str, field: Option<&str>, reason: String, raw: &Value) -> Event {
    Event::Unparsed {
        waba_id: Some(waba_id.to_owned()),
        field: field.map(str::to_owned),
        reason,
        raw: raw.clone(),
    }
}

fn parse_messages_value(waba_id: &str, raw: &Value, out: &mut Vec<Event>) {
    const FIELD: Option<&str> = Some("messages");
    let value = match MessagesValue::deserialize(raw) {
        Ok(v) => v,
        Err(e) => {
            out.push(unparsed(waba_id, FIELD, format!("value: {e}"), raw));
            return;
        }
    };
    let phone_number_id = value.metadata.as_ref().map(|m| m.phone_number_id.clone());
    // Value-level errors can come without metadata; everything else needs the number.
    for raw_error in &value.errors {
        match MetaError::deserialize(raw_error) {
            Ok(error) => out.push(Event::Error {
                waba_id: waba_id.to_owned(),
                phone_number_id: phone_number_id.clone(),
                error,
            }),
            Err(e) => out.push(unparsed(waba_id, FIELD, format!("error: {e}"), raw_error)),
        }
    }
    let Some(metadata) = value.metadata else {
        if !value.messages.is_empty() || !value.statuses.is_empty() {
            out.push(unparsed(
                waba_id,
                FIELD,
                "value has messages or statuses but no metadata.phone_number_id".into(),
                raw,
            ));
        }
        return;
    };
    let display = metadata.display_phone_number.unwrap_or_default();
    let contacts: Vec<Contact> = value.contacts.iter().filter_map(contact).collect();

    for raw_message in &value.messages {
        match inbound_message(raw_message) {
            Ok(message) => out.push(Event::Message {
                waba_id: waba_id.to_owned(),
                phone_number_id: metadata.phone_number_id.clone(),
                display_phone_number: display.clone(),
                contact: sender_of(&contacts, &message),
                message,
            }),
            Err(reason) => out.push(unparsed(
                waba_id,
                FIELD,
                format!("message: {reason}"),
                raw_message,
            )),
        }
    }
    for raw_status in &value.statuses {
        match status_update(raw_status) {
            Ok(status) => out.push(Event::Status {
                waba_id: waba_id.to_owned(),
                phone_number_id: metadata.phone_number_id.clone(),
                display_phone_number: display.clone(),
                status,
            }),
            Err(reason) => out.push(unparsed(
                waba_id,
                FIELD,
                format!("status: {reason}"),
                raw_status,
            )),
        }
    }
}

/// The contact whose id matches the message's sender; the only contact when ids cannot decide.
fn sender_of(contacts: &[Contact], message: &InboundMessage) -> Option<Contact> {
    let matches = |c: &&Contact| {
        (message.from.is_some() && c.wa_id == message.from)
            || (message.from_user_id.is_some() && c.user_id == message.from_user_id)
    };
    contacts
        .iter()
        .find(matches)
        .or(match contacts {
            [only] => Some(only),
            _ => None,
        })
        .cloned()
}

#[derive(Deserialize)]
struct WireContact {
    #[serde(default, deserialize_with = "lenient_string")]
    wa_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    parent_user_id: Option<String>,
    #[serde(default)]
    profile: Option<WireProfile>,
    #[serde(default, deserialize_with = "lenient_string")]
    identity_key_hash: Option<String>,
}

#[derive(Deserialize)]
struct WireProfile {
    #[serde(default, deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    username: Option<String>,
}

fn contact(raw: &Value) -> Option<Contact> {
    let c = WireContact::deserialize(raw).ok()?;
    let (name, username) = c.profile.map(|p| (p.name, p.username)).unwrap_or_default();
    Some(Contact {
        wa_id: non_empty(c.wa_id),
        user_id: non_empty(c.user_id),
        parent_user_id: non_empty(c.parent_user_id),
        name: non_empty(name),
        username: non_empty(username),
        identity_key_hash: non_empty(c.identity_key_hash),
    })
}

#[derive(Deserialize)]
struct WireMessage {
    #[serde(deserialize_with = "required_string")]
    id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    from: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    from_user_id: Option<String>,
    timestamp: Value,
    #[serde(rename = "type", default)]
    message_type: Option<String>,
    #[serde(default)]
    context: Option<WireContext>,
    #[serde(default)]
    referral: Option<Value>,
    #[serde(default)]
    errors: Vec<Value>,
}

#[derive(Deserialize)]
struct WireContext {
    #[serde(default, deserialize_with = "lenient_string")]
    from: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(default)]
    forwarded: Option<bool>,
    #[serde(default)]
    frequently_forwarded: Option<bool>,
    #[serde(default)]
    referred_product: Option<ReferredProduct>,
}

fn inbound_message(raw: &Value) -> Result<InboundMessage, String> {
    let m = WireMessage::deserialize(raw).map_err(|e| e.to_string())?;
    let timestamp = unix_seconds(&m.timestamp)
        .ok_or_else(|| format!("timestamp {} is not Unix seconds", m.timestamp))?;
    let message_type = m.message_type.unwrap_or_default();
    Ok(InboundMessage {
        wamid: m.id,
        from: non_empty(m.from),
        from_user_id: non_empty(m.from_user_id),
        timestamp,
        context: m.context.map(|c| MessageContext {
            message_id: non_empty(c.id),
            from: non_empty(c.from),
            forwarded: c.forwarded.unwrap_or(false),
            frequently_forwarded: c.frequently_forwarded.unwrap_or(false),
            referred_product: c.referred_product,
        }),
        // A referral that is not an object is dropped rather than failing the message; it
        // stays in `raw`.
        referral: m.referral.and_then(|r| Referral::deserialize(&r).ok()),
        errors: m
            .errors
            .iter()
            .filter_map(|e| MetaError::deserialize(e).ok())
            .collect(),
        kind: message_kind(&message_type, raw),
        raw: raw.clone(),
    })
}

/// Read the body of `message` (a message object, or an edit's inner `message`) by its type.
fn message_kind(message_type: &str, message: &Value) -> MessageKind {
    let body = message.get(message_type).unwrap_or(&Value::Null);
    let kind = match message_type {
        "text" => body_as::<WireText>(body).map(|t| MessageKind::Text { body: t.body }),
        "image" => body_as(body).map(MessageKind::Image),
        "video" => body_as(body).map(MessageKind::Video),
        "audio" => body_as(body).map(MessageKind::Audio),
        "document" => body_as(body).map(MessageKind::Document),
        "sticker" => body_as(body).map(MessageKind::Sticker),
        "location" => body_as(body).map(MessageKind::Location),
        "contacts" => body.as_array().map(|cards| MessageKind::Contacts {
            contacts: cards.iter().map(shared_contact).collect(),
        }),
        "interactive" => interactive(body),
        "button" => body_as::<WireButton>(body).map(|b| MessageKind::Button {
            payload: b.payload,
            text: b.text.unwrap_or_default(),
        }),
        "reaction" => body_as::<WireReaction>(body).map(|r| MessageKind::Reaction {
            message_id: r.message_id,
            emoji: non_empty(r.emoji),
        }),
        "order" => body_as(body).map(MessageKind::Order),
        "system" => body_as::<WireSystem>(body).map(|s| {
            MessageKind::System(SystemNotice {
                system_type: s.system_type,
                body: s.body,
                new_wa_id: non_empty(s.wa_id).or(non_empty(s.new_wa_id)),
                identity: message
                    .get("identity")
                    .and_then(|i| Identity::deserialize(i).ok()),
            })
        }),
        "revoke" => body_as::<WireOriginal>(body).map(|r| MessageKind::Revoke {
            original_message_id: r.original_message_id,
        }),
        "edit" => body_as::<WireOriginal>(body).and_then(|e| {
            let inner = body.get("message")?;
            let inner_type = inner
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Some(MessageKind::Edit {
                original_message_id: e.original_message_id,
                message: Box::new(message_kind(inner_type, inner)),
            })
        }),
        "unsupported" => Some(MessageKind::Unsupported {
            unsupported_type: body.get("type").and_then(as_string),
        }),
        _ => None,
    };
    kind.unwrap_or_else(|| MessageKind::Unknown {
        message_type: message_type.to_owned(),
        raw: message.clone(),
    })
}

fn body_as<T: for<'de> Deserialize<'de>>(body: &Value) -> Option<T> {
    T::deserialize(body).ok()
}

#[derive(Deserialize)]
struct WireText {
    body: String,
}

#[derive(Deserialize)]
struct WireButton {
    #[serde(default, deserialize_with = "lenient_string")]
    payload: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct WireReaction {
    #[serde(deserialize_with = "required_string")]
    message_id: String,
    #[serde(default)]
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct WireSystem {
    #[serde(rename = "type", default)]
    system_type: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    wa_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    new_wa_id: Option<String>,
}

#[derive(Deserialize)]
struct WireOriginal {
    #[serde(deserialize_with = "required_string")]
    original_message_id: String,
}

#[derive(Deserialize)]
struct WireReply {
    #[serde(deserialize_with = "required_string")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: Option<String>,
}

fn interactive(body: &Value) -> Option<MessageKind> {
    let interactive_type = body.get("type").and_then(Value::as_str)?;
    Some(match interactive_type {
        "button_reply" => {
            let r: WireReply = body_as(body.get("button_reply")?)?;
            MessageKind::ButtonReply {
                id: r.id,
                title: r.title,
            }
        }
        "list_reply" => {
            let r: WireReply = body_as(body.get("list_reply")?)?;
            MessageKind::ListReply {
                id: r.id,
                title: r.title,
                description: non_empty(r.description),
            }
        }
        other => MessageKind::Interactive {
            interactive_type: other.to_owned(),
            raw: body.clone(),
        },
    })
}

fn shared_contact(card: &Value) -> SharedContact {
    let text = |v: Option<&Value>, key: &str| v.and_then(|v| v.get(key)).and_then(as_string);
    let list = |key: &str| {
        card.get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    SharedContact {
        formatted_name: text(card.get("name"), "formatted_name"),
        phones: list("phones")
            .iter()
            .map(|p| SharedPhone {
                phone: text(Some(p), "phone"),
                wa_id: text(Some(p), "wa_id"),
                label: text(Some(p), "type"),
            })
            .collect(),
        emails: list("emails")
            .iter()
            .filter_map(|e| text(Some(e), "email"))
            .collect(),
        organisation: text(card.get("org"), "company"),
        raw: card.clone(),
    }
}

#[derive(Deserialize)]
struct WireStatus {
    #[serde(deserialize_with = "required_string")]
    id: String,
    status: DeliveryStatus,
    timestamp: Value,
    #[serde(default, deserialize_with = "lenient_string")]
    recipient_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    recipient_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    recipient_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    recipient_participant_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    errors: Vec<Value>,
    #[serde(default)]
    pricing: Option<Value>,
    #[serde(default)]
    conversation: Option<WireConversation>,
}

#[derive(Deserialize)]
struct WireConversation {
    #[serde(default, deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(default)]
    expiration_timestamp: Option<Value>,
    #[serde(default)]
    origin: Option<WireOrigin>,
}

#[derive(Deserialize)]
struct WireOrigin {
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    origin_type: Option<String>,
}

fn status_update(raw: &Value) -> Result<StatusUpdate, String> {
    let s = WireStatus::deserialize(raw).map_err(|e| e.to_string())?;
    let timestamp = unix_seconds(&s.timestamp)
        .ok_or_else(|| format!("timestamp {} is not Unix seconds", s.timestamp))?;
    Ok(StatusUpdate {
        wamid: s.id,
        status: s.status,
        timestamp,
        recipient_id: non_empty(s.recipient_id),
        recipient_user_id: non_empty(s.recipient_user_id),
        recipient_type: s.recipient_type,
        recipient_participant_id: s.recipient_participant_id,
        biz_opaque_callback_data: s.biz_opaque_callback_data,
        errors: s
            .errors
            .iter()
            .filter_map(|e| MetaError::deserialize(e).ok())
            .collect(),
        pricing: s.pricing.and_then(|p| Pricing::deserialize(&p).ok()),
        conversation: s.conversation.map(|c| ConversationInfo {
            id: c.id,
            origin_type: c.origin.and_then(|o| o.origin_type),
            expiration: c.expiration_timestamp.as_ref().and_then(unix_seconds),
        }),
        raw: raw.clone(),
    })
}

fn template_status(v: &Value) -> TemplateStatusUpdate {
    let s = |key: &str| v.get(key).and_then(as_string);
    let nested = |outer: &str, key: &str| v.get(outer).and_then(|o| o.get(key)).and_then(as_string);
    TemplateStatusUpdate {
        event: s("event").unwrap_or_default(),
        template_id: s("message_template_id"),
        template_name: s("message_template_name"),
        language: s("message_template_language"),
        reason: s("reason"),
        category: s("message_template_category"),
        rejection_reason: nested("rejection_info", "reason"),
        rejection_recommendation: nested("rejection_info", "recommendation"),
        other_title: nested("other_info", "title"),
        other_description: nested("other_info", "description"),
        disable_date: nested("disable_info", "disable_date"),
    }
}

fn template_quality(v: &Value) -> TemplateQualityUpdate {
    let s = |key: &str| v.get(key).and_then(as_string);
    TemplateQualityUpdate {
        template_id: s("message_template_id"),
        template_name: s("message_template_name"),
        language: s("message_template_language"),
        previous_quality_score: s("previous_quality_score"),
        new_quality_score: s("new_quality_score"),
    }
}

fn quality(v: &Value) -> QualityUpdate {
    let s = |key: &str| v.get(key).and_then(as_string);
    QualityUpdate {
        display_phone_number: s("display_phone_number"),
        event: s("event").unwrap_or_default(),
        limit: s("max_daily_conversations_per_business"),
        current_limit: s("current_limit"),
        old_limit: s("old_limit"),
    }
}

fn account_update(v: &Value) -> AccountUpdate {
    let restrictions = v
        .get("restriction_info")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|r| Restriction {
                    restriction_type: r.get("restriction_type").and_then(as_string),
                    expiration: r.get("expiration").and_then(unix_seconds),
                })
                .collect()
        })
        .unwrap_or_default();
    AccountUpdate {
        event: v.get("event").and_then(as_string).unwrap_or_default(),
        restrictions,
        raw: v.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lenient scalars: Meta's ids are strings but some fields are integers in some payloads.
// ---------------------------------------------------------------------------------------------

/// A string, or a number written as a string; `None` for anything else.
fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// Unix seconds, as a string (`"1761200000"`) or an integer.
fn unix_seconds(v: &Value) -> Option<DateTime<Utc>> {
    let secs = match v {
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    DateTime::from_timestamp(secs, 0)
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .as_ref()
        .and_then(as_string))
}

fn required_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Value::deserialize(d)?;
    as_string(&v).ok_or_else(|| de::Error::custom(format!("expected a string, got {v}")))
}

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| de::Error::custom(format!("expected a number, got {v}")))
}

#[cfg(test)]
mod tests;
