//! Webhook bodies in Meta's exact shapes (sheet §3, §4), and a sender that signs and POSTs them.
//!
//! A [`WebhookBatch`] groups what it is given the way Meta does: one `entry` per WABA, one
//! `change` per business number and kind (`messages`+`contacts`, or `statuses`), in the order
//! first seen, so a batch with two WABAs and two numbers has several entries and changes.
//! [`WebhookSender`] serialises a batch once, signs those exact bytes (`X-Hub-Signature-256`)
//! and sends the same bytes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::codes::webhook_error;

static INBOUND_SEQ: AtomicU64 = AtomicU64::new(1);

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A fresh inbound wamid, unique in this process.
fn inbound_wamid() -> String {
    let seq = INBOUND_SEQ.fetch_add(1, Ordering::Relaxed);
    format!("wamid.HBgLIN{:010X}{seq:010X}", now_secs())
}

/// `sha256=<hex>` of HMAC-SHA256(app secret, body): the `X-Hub-Signature-256` value.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length; the fallback is unreachable.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(app_secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A business number: where webhooks say a message arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessNumber {
    pub waba_id: String,
    pub phone_number_id: String,
    /// Digits only, as webhooks write it.
    pub display_phone_number: String,
}

impl BusinessNumber {
    pub fn new(waba_id: &str, phone_number_id: &str, display_phone_number: &str) -> Self {
        Self {
            waba_id: waba_id.to_owned(),
            phone_number_id: phone_number_id.to_owned(),
            display_phone_number: display_phone_number.to_owned(),
        }
    }
}

/// A WhatsApp user writing to a business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub wa_id: Option<String>,
    /// BSUID (2026), e.g. `US.13491208655302741918`.
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub username: Option<String>,
}

impl Customer {
    /// A classic user with a phone number (digits, no `+`).
    pub fn phone(wa_id: &str, name: &str) -> Self {
        Self {
            wa_id: Some(wa_id.to_owned()),
            user_id: None,
            name: Some(name.to_owned()),
            username: None,
        }
    }

    /// A username user known only by BSUID: no `wa_id`, no `from` (sheet §3.4).
    pub fn bsuid(user_id: &str, name: &str, username: &str) -> Self {
        Self {
            wa_id: None,
            user_id: Some(user_id.to_owned()),
            name: Some(name.to_owned()),
            username: Some(username.to_owned()),
        }
    }

    /// What a status webhook would carry as `recipient_id` for this user.
    pub fn recipient_id(&self) -> String {
        self.wa_id
            .clone()
            .or_else(|| self.user_id.clone())
            .unwrap_or_default()
    }

    fn contact_json(&self) -> Value {
        let mut profile = json!({});
        if let Some(name) = &self.name {
            profile["name"] = json!(name);
        }
        if let Some(username) = &self.username {
            profile["username"] = json!(username);
        }
        let mut contact = json!({ "profile": profile });
        if let Some(wa_id) = &self.wa_id {
            contact["wa_id"] = json!(wa_id);
        }
        if let Some(user_id) = &self.user_id {
            contact["user_id"] = json!(user_id);
        }
        contact
    }
}

/// An inbound message body: one constructor per type in sheet §3.2, plus modifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    message_type: String,
    body: Option<Value>,
    extra: Vec<(String, Value)>,
    timestamp: Option<i64>,
    wamid: Option<String>,
}

impl Inbound {
    fn new(message_type: &str, body: Value) -> Self {
        Self {
            message_type: message_type.to_owned(),
            body: Some(body),
            extra: Vec::new(),
            timestamp: None,
            wamid: None,
        }
    }

    pub fn text(body: &str) -> Self {
        Self::new("text", json!({ "body": body }))
    }

    pub fn image(media_id: &str, mime_type: &str, caption: Option<&str>) -> Self {
        Self::new("image", media(media_id, mime_type, caption))
    }

    pub fn video(media_id: &str, caption: Option<&str>) -> Self {
        Self::new("video", media(media_id, "video/mp4", caption))
    }

    /// A voice note when `voice` (Opus in Ogg, as WhatsApp records them).
    pub fn audio(media_id: &str, voice: bool) -> Self {
        let mime = if voice {
            "audio/ogg; codecs=opus"
        } else {
            "audio/mpeg"
        };
        let mut body = media(media_id, mime, None);
        body["voice"] = json!(voice);
        Self::new("audio", body)
    }

    pub fn document(
        media_id: &str,
        mime_type: &str,
        filename: &str,
        caption: Option<&str>,
    ) -> Self {
        let mut body = media(media_id, mime_type, caption);
        body["filename"] = json!(filename);
        Self::new("document", body)
    }

    pub fn sticker(media_id: &str, animated: bool) -> Self {
        let mut body = media(media_id, "image/webp", None);
        body["animated"] = json!(animated);
        Self::new("sticker", body)
    }

    pub fn location(latitude: f64, longitude: f64, place: Option<(&str, &str)>) -> Self {
        let mut body = json!({ "latitude": latitude, "longitude": longitude });
        if let Some((name, address)) = place {
            body["name"] = json!(name);
            body["address"] = json!(address);
        }
        Self::new("location", body)
    }

    /// A shared contact card with one phone (on WhatsApp when `wa_id` is given).
    pub fn contact_card(formatted_name: &str, phone: &str, wa_id: Option<&str>) -> Self {
        let mut phone = json!({ "phone": phone, "type": "CELL" });
        if let Some(wa_id) = wa_id {
            phone["wa_id"] = json!(wa_id);
        }
        let first = formatted_name.split(' ').next().unwrap_or(formatted_name);
        Self::new(
            "contacts",
            json!([{ "name": { "formatted_name": formatted_name, "first_name": first },
                     "phones": [phone] }]),
        )
    }

    pub fn button_reply(id: &str, title: &str) -> Self {
        Self::new(
            "interactive",
            json!({ "type": "button_reply", "button_reply": { "id": id, "title": title } }),
        )
    }

    pub fn list_reply(id: &str, title: &str, description: Option<&str>) -> Self {
        let mut reply = json!({ "id": id, "title": title });
        if let Some(d) = description {
            reply["description"] = json!(d);
        }
        Self::new(
            "interactive",
            json!({ "type": "list_reply", "list_reply": reply }),
        )
    }

    /// A quick-reply tap on a template; Meta sets `context` to the template message.
    pub fn template_button(
        payload: &str,
        text: &str,
        template_wamid: &str,
        business_display: &str,
    ) -> Self {
        Self::new("button", json!({ "payload": payload, "text": text }))
            .reply_to(template_wamid, business_display)
    }

    pub fn reaction(message_id: &str, emoji: &str) -> Self {
        Self::new(
            "reaction",
            json!({ "message_id": message_id, "emoji": emoji }),
        )
    }

    /// A removed reaction. `empty_string`: `emoji: ""`; otherwise no `emoji` at all (both occur).
    pub fn reaction_removed(message_id: &str, empty_string: bool) -> Self {
        let body = if empty_string {
            json!({ "message_id": message_id, "emoji": "" })
        } else {
            json!({ "message_id": message_id })
        };
        Self::new("reaction", body)
    }

    /// A cart: (product_retailer_id, quantity, item_price) in `currency`.
    pub fn order(catalog_id: &str, items: &[(&str, u32, f64)], currency: &str) -> Self {
        let items: Vec<Value> = items
            .iter()
            .map(|(id, quantity, price)| {
                json!({ "product_retailer_id": id, "quantity": quantity, "item_price": price, "currency": currency })
            })
            .collect();
        Self::new(
            "order",
            json!({ "catalog_id": catalog_id, "text": "", "product_items": items }),
        )
    }

    pub fn changed_number(new_wa_id: &str) -> Self {
        Self::new(
            "system",
            json!({ "body": format!("User changed number to {new_wa_id}"),
                    "type": "user_changed_number", "wa_id": new_wa_id }),
        )
    }

    pub fn identity_changed(hash: &str) -> Self {
        let created = now_secs();
        Self::new(
            "system",
            json!({ "body": "User's security code changed", "type": "customer_identity_changed" }),
        )
        .with_field(
            "identity",
            json!({ "acknowledged": true, "created_timestamp": created, "hash": hash }),
        )
    }

    /// `type: "unsupported"` with Meta's 131051 error (and pywa's `unsupported.type`).
    pub fn unsupported(what: &str) -> Self {
        Self::new("unsupported", json!({ "type": what })).with_field(
            "errors",
            json!([{ "code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                     "error_data": { "details": "Message type is currently not supported." } }]),
        )
    }

    pub fn revoke(original_message_id: &str) -> Self {
        Self::new(
            "revoke",
            json!({ "original_message_id": original_message_id }),
        )
    }

    pub fn edit(original_message_id: &str, new_text: &str) -> Self {
        Self::new(
            "edit",
            json!({ "original_message_id": original_message_id,
                    "message": { "type": "text", "text": { "body": new_text } } }),
        )
    }

    /// Any type, e.g. one Meta has not documented yet.
    pub fn other(message_type: &str, body: Value) -> Self {
        Self::new(message_type, body)
    }

    /// A reply (quote) to `wamid`, sent by the business number `business_display`.
    pub fn reply_to(self, wamid: &str, business_display: &str) -> Self {
        self.with_field("context", json!({ "from": business_display, "id": wamid }))
    }

    pub fn forwarded(self, frequently: bool) -> Self {
        let key = if frequently {
            "frequently_forwarded"
        } else {
            "forwarded"
        };
        self.with_field("context", json!({ key: true }))
    }

    /// Arrived through a Click-to-WhatsApp ad.
    pub fn from_ad(self, source_id: &str, headline: &str) -> Self {
        self.with_field(
            "referral",
            json!({
                "source_url": format!("https://fb.me/{source_id}"),
                "source_id": source_id,
                "source_type": "ad",
                "body": "Escríbenos por WhatsApp",
                "headline": headline,
                "media_type": "image",
                "image_url": "https://scontent.example.test/ad.jpg",
                "ctwa_clid": format!("ctwa{source_id}"),
                "welcome_message": { "text": "¡Hola! ¿En qué podemos ayudarte?" }
            }),
        )
    }

    /// Set any message-level field (replaces an earlier one of the same name).
    pub fn with_field(mut self, key: &str, value: Value) -> Self {
        self.extra.retain(|(k, _)| k != key);
        self.extra.push((key.to_owned(), value));
        self
    }

    /// Unix seconds; default now.
    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.timestamp = Some(unix_seconds);
        self
    }

    /// Use this wamid instead of a fresh one (e.g. to send a duplicate inside one batch).
    pub fn with_wamid(mut self, wamid: &str) -> Self {
        self.wamid = Some(wamid.to_owned());
        self
    }

    fn to_json(&self, customer: &Customer, wamid: &str) -> Value {
        let mut message = json!({
            "id": wamid,
            "timestamp": self.timestamp.unwrap_or_else(now_secs).to_string(),
            "type": self.message_type,
        });
        if let Some(wa_id) = &customer.wa_id {
            message["from"] = json!(wa_id);
        }
        if let Some(user_id) = &customer.user_id {
            message["from_user_id"] = json!(user_id);
        }
        if let Some(body) = &self.body {
            message[self.message_type.as_str()] = body.clone();
        }
        for (key, value) in &self.extra {
            message[key.as_str()] = value.clone();
        }
        message
    }
}

fn media(media_id: &str, mime_type: &str, caption: Option<&str>) -> Value {
    let mut body = json!({
        "id": media_id,
        "mime_type": mime_type,
        // Meta's example writes the webhook sha256 in base64.
        "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=",
    });
    if let Some(caption) = caption {
        body["caption"] = json!(caption);
    }
    body
}

/// `pricing` on a status (sheet §3.3, §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pricing {
    pub billable: bool,
    pub pricing_type: String,
    pub category: String,
}

impl Pricing {
    /// A charged template message of `category` (`utility`, `marketing`, `authentication`).
    pub fn regular(category: &str) -> Self {
        Self {
            billable: true,
            pricing_type: "regular".into(),
            category: category.to_owned(),
        }
    }

    /// A free reply inside the customer service window.
    pub fn free_service() -> Self {
        Self {
            billable: false,
            pricing_type: "free_customer_service".into(),
            category: "service".into(),
        }
    }

    /// Inside a free entry point window (after a Click-to-WhatsApp ad).
    pub fn free_entry_point() -> Self {
        Self {
            billable: false,
            pricing_type: "free_entry_point".into(),
            category: "referral_conversion".into(),
        }
    }

    fn to_json(&self) -> Value {
        json!({ "billable": self.billable, "pricing_model": "PMP",
                "type": self.pricing_type, "category": self.category })
    }
}

/// One status webhook entry.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusSpec {
    pub wamid: String,
    /// `sent`, `delivered`, `read`, `played`, `failed` (or anything, to test unknown values).
    pub status: String,
    pub recipient_id: String,
    pub timestamp: Option<i64>,
    pub pricing: Option<Pricing>,
    pub error_code: Option<i64>,
    pub callback_data: Option<String>,
    /// Legacy / free-entry-point `conversation` object.
    pub conversation: Option<Value>,
}

impl StatusSpec {
    pub fn new(wamid: &str, status: &str, recipient_id: &str) -> Self {
        Self {
            wamid: wamid.to_owned(),
            status: status.to_owned(),
            recipient_id: recipient_id.to_owned(),
            timestamp: None,
            pricing: None,
            error_code: None,
            callback_data: None,
            conversation: None,
        }
    }

    pub fn sent(wamid: &str, recipient_id: &str) -> Self {
        Self::new(wamid, "sent", recipient_id)
    }

    pub fn delivered(wamid: &str, recipient_id: &str) -> Self {
        Self::new(wamid, "delivered", recipient_id)
    }

    pub fn read(wamid: &str, recipient_id: &str) -> Self {
        Self::new(wamid, "read", recipient_id)
    }

    pub fn played(wamid: &str, recipient_id: &str) -> Self {
        Self::new(wamid, "played", recipient_id)
    }

    /// `failed` with Meta's error object for `code` (e.g. 131047, 131026, 131049).
    pub fn failed(wamid: &str, recipient_id: &str, code: i64) -> Self {
        Self {
            error_code: Some(code),
            ..Self::new(wamid, "failed", recipient_id)
        }
    }

    pub fn with_pricing(mut self, pricing: Pricing) -> Self {
        self.pricing = Some(pricing);
        self
    }

    pub fn callback_data(mut self, data: &str) -> Self {
        self.callback_data = Some(data.to_owned());
        self
    }

    /// Add the pre-v24 `conversation` object (with an expiry, as on `sent`).
    pub fn with_conversation(mut self, id: &str, origin: &str) -> Self {
        let expires = self.timestamp.unwrap_or_else(now_secs) + 24 * 3600;
        self.conversation = Some(json!({
            "id": id, "expiration_timestamp": expires.to_string(), "origin": { "type": origin }
        }));
        self
    }

    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.timestamp = Some(unix_seconds);
        self
    }

    fn to_json(&self) -> Value {
        let mut status = json!({
            "id": self.wamid,
            "status": self.status,
            "timestamp": self.timestamp.unwrap_or_else(now_secs).to_string(),
            "recipient_id": self.recipient_id,
        });
        if let Some(pricing) = &self.pricing {
            status["pricing"] = pricing.to_json();
        }
        if let Some(code) = self.error_code {
            status["errors"] = json!([webhook_error(code)]);
        }
        if let Some(data) = &self.callback_data {
            status["biz_opaque_callback_data"] = json!(data);
        }
        if let Some(conversation) = &self.conversation {
            status["conversation"] = conversation.clone();
        }
        status
    }
}

/// How [`status_sequence`] orders a message's statuses (sheet §3.3, §12.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOrder {
    /// sent, delivered, read.
    InOrder,
    /// sent, read, delivered: Meta delivers concurrently.
    ReadBeforeDelivered,
    /// sent, read: delivered and read at the same moment.
    DeliveredSkipped,
    /// sent, delivered, delivered, read, read: retries.
    WithDuplicates,
}

/// The statuses of one outbound message, with `pricing` on `sent` only (it appears once).
pub fn status_sequence(
    wamid: &str,
    recipient_id: &str,
    order: StatusOrder,
    pricing: Pricing,
) -> Vec<StatusSpec> {
    let base = now_secs();
    let sent = StatusSpec::sent(wamid, recipient_id)
        .with_pricing(pricing)
        .at(base);
    let delivered = StatusSpec::delivered(wamid, recipient_id).at(base + 1);
    let read = StatusSpec::read(wamid, recipient_id).at(base + 2);
    match order {
        StatusOrder::InOrder => vec![sent, delivered, read],
        StatusOrder::ReadBeforeDelivered => vec![sent, read, delivered],
        StatusOrder::DeliveredSkipped => vec![sent, read],
        StatusOrder::WithDuplicates => {
            vec![sent, delivered.clone(), delivered, read.clone(), read]
        }
    }
}

#[derive(Debug, Clone)]
struct Change {
    phone_number_id: Option<String>,
    /// `messages`, `statuses`, or a non-`messages` field name.
    slot: String,
    field: String,
    value: Value,
}

/// A webhook body under construction. Updates keep their order within each change.
#[derive(Debug, Clone, Default)]
pub struct WebhookBatch {
    /// (WABA id, entry time, changes), in first-seen order.
    entries: Vec<(String, Option<i64>, Vec<Change>)>,
    updates: usize,
}

impl WebhookBatch {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many updates (messages, statuses, errors, account events) the batch holds.
    pub fn len(&self) -> usize {
        self.updates
    }

    pub fn is_empty(&self) -> bool {
        self.updates == 0
    }

    fn entry(&mut self, waba_id: &str, time: Option<i64>) -> &mut Vec<Change> {
        let index = match self.entries.iter().position(|(id, _, _)| id == waba_id) {
            Some(i) => i,
            None => {
                self.entries.push((waba_id.to_owned(), time, Vec::new()));
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[index];
        if entry.1.is_none() {
            entry.1 = time;
        }
        &mut entry.2
    }

    /// The `messages` change of `number` holding `slot` (`messages` or `statuses`).
    fn messages_change(&mut self, number: &BusinessNumber, slot: &str) -> &mut Value {
        let changes = self.entry(&number.waba_id, None);
        let index = match changes.iter().position(|c| {
            c.slot == slot && c.phone_number_id.as_deref() == Some(&number.phone_number_id)
        }) {
            Some(i) => i,
            None => {
                changes.push(Change {
                    phone_number_id: Some(number.phone_number_id.clone()),
                    slot: slot.to_owned(),
                    field: "messages".to_owned(),
                    value: json!({
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": number.display_phone_number,
                            "phone_number_id": number.phone_number_id,
                        },
                    }),
                });
                changes.len() - 1
            }
        };
        &mut changes[index].value
    }

    /// An inbound message from `customer`; returns its wamid.
    pub fn message(
        &mut self,
        number: &BusinessNumber,
        customer: &Customer,
        inbound: Inbound,
    ) -> String {
        let wamid = inbound.wamid.clone().unwrap_or_else(inbound_wamid);
        let message = inbound.to_json(customer, &wamid);
        let value = self.messages_change(number, "messages");
        push(value, "contacts", None);
        let contact = customer.contact_json();
        let known = value["contacts"]
            .as_array()
            .is_some_and(|cs| cs.contains(&contact));
        if !known {
            push(value, "contacts", Some(contact));
        }
        push(value, "messages", Some(message));
        self.updates += 1;
        wamid
    }

    pub fn status(&mut self, number: &BusinessNumber, status: StatusSpec) {
        let value = self.messages_change(number, "statuses");
        push(value, "statuses", Some(status.to_json()));
        self.updates += 1;
    }

    pub fn statuses(
        &mut self,
        number: &BusinessNumber,
        statuses: impl IntoIterator<Item = StatusSpec>,
    ) {
        for status in statuses {
            self.status(number, status);
        }
    }

    /// A value-level error (sheet §3.5) for `number`.
    pub fn value_error(&mut self, number: &BusinessNumber, code: i64) {
        let value = self.messages_change(number, "errors");
        push(value, "errors", Some(webhook_error(code)));
        self.updates += 1;
    }

    /// Any non-`messages` field, with integer `entry.time` and no metadata (§4.1).
    pub fn field(&mut self, waba_id: &str, field: &str, value: Value) {
        let changes = self.entry(waba_id, Some(now_secs()));
        changes.push(Change {
            phone_number_id: None,
            slot: field.to_owned(),
            field: field.to_owned(),
            value,
        });
        self.updates += 1;
    }

    /// `message_template_status_update` (§4.2). `reason` `None` is sent as JSON `null`.
    pub fn template_status(
        &mut self,
        waba_id: &str,
        template_id: u64,
        name: &str,
        language: &str,
        event: &str,
        reason: Option<&str>,
    ) {
        let mut value = json!({
            "event": event,
            "message_template_id": template_id,
            "message_template_name": name,
            "message_template_language": language,
            "reason": reason,
        });
        if event == "REJECTED" {
            value["rejection_info"] = json!({
                "reason": "Two variables are adjacent with no text between them.",
                "recommendation": "Put words or punctuation between variables."
            });
        }
        self.field(waba_id, "message_template_status_update", value);
    }

    /// `phone_number_quality_update` (§4.3).
    pub fn quality_update(
        &mut self,
        waba_id: &str,
        display_phone_number: &str,
        event: &str,
        limit: &str,
    ) {
        self.field(
            waba_id,
            "phone_number_quality_update",
            json!({ "display_phone_number": display_phone_number, "event": event,
                    "current_limit": limit, "max_daily_conversations_per_business": limit }),
        );
    }

    /// `account_update` (§4.4); `ACCOUNT_RESTRICTION` gets a restriction for a week.
    pub fn account_update(&mut self, waba_id: &str, event: &str) {
        let mut value = json!({ "event": event });
        if event == "ACCOUNT_RESTRICTION" {
            value["restriction_info"] = json!([{
                "restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING",
                "expiration": now_secs() + 7 * 24 * 3600
            }]);
        }
        self.field(waba_id, "account_update", value);
    }

    pub fn to_json(&self) -> Value {
        let entries: Vec<Value> = self
            .entries
            .iter()
            .map(|(id, time, changes)| {
                let changes: Vec<Value> = changes
                    .iter()
                    .map(|c| json!({ "field": c.field, "value": c.value }))
                    .collect();
                let mut entry = json!({ "id": id, "changes": changes });
                if let Some(time) = time {
                    entry["time"] = json!(time);
                }
                entry
            })
            .collect();
        json!({ "object": "whatsapp_business_account", "entry": entries })
    }

    /// The body bytes, serialised once (sign these exact bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising a `Value` cannot fail.
        serde_json::to_vec(&self.to_json()).unwrap_or_default()
    }
}

/// Append `item` to the array `key` of `value` (creating it; `None` only creates it).
fn push(value: &mut Value, key: &str, item: Option<Value>) {
    if !value[key].is_array() {
        value[key] = json!([]);
    }
    if let (Some(items), Some(item)) = (value[key].as_array_mut(), item) {
        items.push(item);
    }
}

/// How a POST went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub status: u16,
    pub body: String,
    pub elapsed: Duration,
}

/// POSTs signed webhooks to one callback URL, as Meta does.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    http: reqwest::Client,
    callback_url: String,
    app_secret: Vec<u8>,
}

impl WebhookSender {
    pub fn new(callback_url: &str, app_secret: &[u8]) -> Self {
        // reqwest is built without a default TLS provider in this workspace.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            http: reqwest::Client::new(),
            callback_url: callback_url.to_owned(),
            app_secret: app_secret.to_vec(),
        }
    }

    pub fn callback_url(&self) -> &str {
        &self.callback_url
    }

    pub fn sign(&self, body: &[u8]) -> String {
        sign(&self.app_secret, body)
    }

    pub async fn post(&self, batch: &WebhookBatch) -> Result<Delivery, reqwest::Error> {
        self.post_bytes(batch.to_bytes()).await
    }

    /// Send the same batch `copies` times (Meta retries and fans out).
    pub async fn post_duplicated(
        &self,
        batch: &WebhookBatch,
        copies: usize,
    ) -> Result<Vec<Delivery>, reqwest::Error> {
        let body = batch.to_bytes();
        let mut deliveries = Vec::with_capacity(copies);
        for _ in 0..copies {
            deliveries.push(self.post_bytes(body.clone()).await?);
        }
        Ok(deliveries)
    }

    /// Sign and send these bytes.
    pub async fn post_bytes(&self, body: Vec<u8>) -> Result<Delivery, reqwest::Error> {
        let signature = self.sign(&body);
        self.post_with_signature(body, Some(&signature)).await
    }

    /// Send with any signature header value, or none (for negative tests).
    pub async fn post_with_signature(
        &self,
        body: Vec<u8>,
        signature: Option<&str>,
    ) -> Result<Delivery, reqwest::Error> {
        let started = Instant::now();
        let mut request = self
            .http
            .post(&self.callback_url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("x-hub-signature-256", signature);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let body = response.text().await?;
        Ok(Delivery {
            status,
            body,
            elapsed: started.elapsed(),
        })
    }

    /// The verification probe Meta sends when the callback is configured (sheet §1). A
    /// correct endpoint answers 200 with exactly `challenge`.
    pub async fn verify(
        &self,
        verify_token: &str,
        challenge: &str,
    ) -> Result<Delivery, reqwest::Error> {
        let started = Instant::now();
        let response = self
            .http
            .get(&self.callback_url)
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.challenge", challenge),
                ("hub.verify_token", verify_token),
            ])
            .send()
            .await?;
        let status = response.status().as_u16();
        let body = response.text().await?;
        Ok(Delivery {
            status,
            body,
            elapsed: started.elapsed(),
        })
    }
}
