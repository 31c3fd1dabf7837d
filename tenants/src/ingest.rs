//! Applying a webhook delivery: route each event to its business by `phone_number_id`, then in
//! ONE tenant transaction per business record every message (exactly once per wamid) and status.
//! Stored first, answered second: the caller answers Meta's POST with 200 only after this
//! returns. If the database is unreachable this fails and the caller answers 503, so Meta retries.
//! If a business's events fail for any other reason (a bug, a constraint), the raw delivery is
//! kept as a `failed` webhook event for the worker to retry and Meta still gets 200: a bug never
//! makes Meta retry forever, and no data is lost. Unknown numbers are kept as `orphan` events.

use std::collections::{BTreeMap, HashMap};

use diesel::ExpressionMethods;
use uuid::Uuid;

use crate::db::{Store, SystemTx, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::messages::{self, Inbound, StatusReport};
use crate::numbers::{self, Route};
use crate::schema::webhook_events;
use crate::whatsapp::webhook::Contact;
use crate::whatsapp::webhook::{Event, InboundMessage, MessageKind};

/// What a delivery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub messages: usize,
    pub duplicates: usize,
    pub statuses: usize,
    pub orphans: usize,
    pub failed: usize,
    pub other: usize,
    /// Conversations that changed, per business, for realtime fan-out after commit.
    pub touched: Vec<(TenantId, Uuid)>,
}

/// The job that retries failed deliveries.
pub const RETRY_FAILED: &str = "retry_webhook_events";
/// A failed delivery is retried this many times, then left for operators.
pub const MAX_RETRIES: i32 = 10;

/// Apply the parsed events of one delivery (`raw` is kept for orphan and failed events, and a
/// retry is scheduled for failed ones).
pub async fn apply(store: &Store, raw: &serde_json::Value, events: Vec<Event>) -> Result<Report> {
    apply_with(store, raw, events, true, None).await
}

/// Apply a delivery that came through one business's own webhook path (its own Meta app):
/// events about other businesses' numbers or WABAs are kept as orphans, never applied.
pub async fn apply_for(
    store: &Store,
    tenant: TenantId,
    raw: &serde_json::Value,
    events: Vec<Event>,
) -> Result<Report> {
    apply_with(store, raw, events, true, Some(tenant)).await
}

/// Apply events; with `keep_failures` false (a retry), failed events are only counted.
async fn apply_with(
    store: &Store,
    raw: &serde_json::Value,
    events: Vec<Event>,
    keep_failures: bool,
    only: Option<TenantId>,
) -> Result<Report> {
    let mut report = Report::default();
    let mut ids: Vec<String> = events
        .iter()
        .filter_map(|e| e.phone_number_id().map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    let routes: HashMap<String, Route> = numbers::routes(store, &ids)
        .await?
        .into_iter()
        .filter(|(_, r)| only.is_none_or(|t| t == r.tenant))
        .collect();

    let mut per_tenant: BTreeMap<TenantId, Vec<(Route, Event)>> = BTreeMap::new();
    let mut orphan_ids = Vec::new();
    let mut unrouted = Vec::new();
    for event in events {
        match event.phone_number_id().map(|p| routes.get(p)) {
            Some(Some(route)) => per_tenant
                .entry(route.tenant)
                .or_default()
                .push((*route, event)),
            Some(None) => {
                report.orphans += 1;
                orphan_ids.extend(event.phone_number_id().map(str::to_owned));
            }
            None => unrouted.push(event),
        }
    }
    for (tenant, batch) in per_tenant {
        let outcome = store
            .tenant(
                tenant,
                async |tx: &mut TenantTx| -> Result<(usize, usize, usize, Vec<Uuid>)> {
                    let mut inbound_messages = Vec::new();
                    let mut statuses = 0;
                    for (route, event) in &batch {
                        if let Event::Message {
                            contact, message, ..
                        } = event
                        {
                            inbound_messages.push(inbound(
                                route.number_id,
                                contact.as_ref(),
                                message,
                            ));
                        }
                    }
                    // Messages first, in one go; then statuses, which may refer to them.
                    let recorded = messages::record_inbound_batch(tx, &inbound_messages).await?;
                    let sandboxes: Vec<Uuid> = batch
                        .iter()
                        .filter(|(r, _)| r.sandbox)
                        .map(|(r, _)| r.number_id)
                        .collect();
                    attach_media(tx, &inbound_messages, &recorded, &sandboxes).await?;
                    // A blocked customer's messages are stored and nothing more.
                    let conversations: Vec<(Uuid, bool)> = recorded
                        .iter()
                        .filter(|r| !r.blocked)
                        .map(|r| (r.conversation_id, r.new_conversation))
                        .collect();
                    let fresh: Vec<Uuid> = recorded
                        .iter()
                        .filter(|r| r.new_conversation)
                        .map(|r| r.conversation_id)
                        .collect();
                    crate::routing::after_inbound(tx, &fresh).await?;
                    let touched: Vec<Uuid> = conversations.iter().map(|c| c.0).collect();
                    crate::sla::refresh(tx, &touched).await?;
                    crate::hours::after_inbound(tx, &conversations).await?;
                    crate::consent::after_inbound(tx, &recorded, &inbound_messages).await?;
                    crate::bots::after_inbound(tx, &recorded, &inbound_messages).await?;
                    for (_, event) in &batch {
                        if let Event::Status { status, .. } = event {
                            statuses += 1;
                            let report = status_report(status);
                            messages::apply_status(tx, &report).await?;
                            crate::consent::after_status(tx, &report).await?;
                            crate::quality::after_status(tx, &report).await?;
                        }
                    }
                    let new = recorded.len();
                    let touched = recorded.iter().map(|r| r.conversation_id).collect();
                    Ok((new, inbound_messages.len() - new, statuses, touched))
                },
            )
            .await;
        match outcome {
            Ok((new, dup, statuses, touched)) => {
                report.messages += new;
                report.duplicates += dup;
                report.statuses += statuses;
                report
                    .touched
                    .extend(touched.into_iter().map(|c| (tenant, c)));
            }
            Err(Error::Unavailable(e)) => return Err(Error::Unavailable(e)),
            Err(e) => {
                tracing::error!(%tenant, error = %e, "webhook events failed; kept for retry");
                report.failed += batch.len();
                if keep_failures {
                    keep(store, raw, None, "failed", Some(&e.to_string())).await?;
                }
            }
        }
    }
    if !orphan_ids.is_empty() {
        orphan_ids.sort();
        orphan_ids.dedup();
        tracing::warn!(phone_number_ids = ?orphan_ids, "webhook for unknown numbers kept as orphan");
        keep(
            store,
            raw,
            orphan_ids.first().map(String::as_str),
            "orphan",
            None,
        )
        .await?;
    }
    for event in unrouted {
        match event {
            Event::Unparsed { reason, .. } => {
                report.failed += 1;
                if keep_failures {
                    keep(store, raw, None, "failed", Some(&reason)).await?;
                }
            }
            Event::Quality {
                waba_id, update, ..
            } => {
                report.other += 1;
                if owned(store, only, &waba_id).await? {
                    numbers::apply_quality(store, &waba_id, &update).await?;
                }
                if keep_failures {
                    keep(store, raw, None, "processed", None).await?;
                }
            }
            Event::AccountUpdate {
                waba_id, update, ..
            } => {
                report.other += 1;
                if update.revokes_access() && owned(store, only, &waba_id).await? {
                    let n = numbers::revoke_waba(store, &waba_id).await?;
                    tracing::warn!(%waba_id, numbers = n, event = %update.event, "Meta says our access to this WABA was removed");
                }
                if keep_failures {
                    keep(store, raw, None, "processed", None).await?;
                }
            }
            Event::TemplateStatus {
                waba_id, update, ..
            } => {
                report.other += 1;
                template_status(store, only, &waba_id, &update).await?;
                if keep_failures {
                    keep(store, raw, None, "processed", None).await?;
                }
            }
            Event::TemplateQuality {
                waba_id, update, ..
            } => {
                report.other += 1;
                if let (Some(id), Some(score)) = (&update.template_id, &update.new_quality_score) {
                    for (tenant, _) in owners(store, only, &waba_id).await? {
                        store
                            .tenant(tenant, async |tx: &mut TenantTx| {
                                crate::templates::apply_quality(tx, &waba_id, id, score).await
                            })
                            .await?;
                    }
                }
                if keep_failures {
                    keep(store, raw, None, "processed", None).await?;
                }
            }
            // Other fields are kept for operators.
            _ => {
                report.other += 1;
                if keep_failures {
                    keep(store, raw, None, "processed", None).await?;
                }
            }
        }
    }
    Ok(report)
}

/// The businesses holding a WABA (only `only`, on a business's own webhook path).
async fn owners(
    store: &Store,
    only: Option<TenantId>,
    waba_id: &str,
) -> Result<Vec<(TenantId, Uuid)>> {
    Ok(numbers::waba_owners(store, waba_id)
        .await?
        .into_iter()
        .filter(|(t, _)| only.is_none_or(|o| o == *t))
        .collect())
}

async fn owned(store: &Store, only: Option<TenantId>, waba_id: &str) -> Result<bool> {
    Ok(only.is_none() || !owners(store, only, waba_id).await?.is_empty())
}

/// A template was approved, rejected, paused, ...: update it, or re-read the WABA's templates
/// when it is not known here yet (created in WhatsApp Manager, say).
async fn template_status(
    store: &Store,
    only: Option<TenantId>,
    waba_id: &str,
    update: &crate::whatsapp::webhook::TemplateStatusUpdate,
) -> Result<()> {
    let reason = update
        .rejection_reason
        .as_deref()
        .or(update.reason.as_deref());
    for (tenant, number_id) in owners(store, only, waba_id).await? {
        store
            .tenant(tenant, async |tx: &mut TenantTx| -> Result<()> {
                let known = crate::templates::apply_status(
                    tx,
                    waba_id,
                    update.template_id.as_deref(),
                    update.template_name.as_deref(),
                    update.language.as_deref(),
                    &update.event,
                    reason,
                )
                .await?;
                if !known {
                    crate::templates::queue_sync(tx, number_id, None).await?;
                }
                Ok(())
            })
            .await?;
    }
    Ok(())
}

/// Newly stored media messages get their media rows and download jobs.
async fn attach_media(
    tx: &mut TenantTx,
    inputs: &[Inbound],
    recorded: &[messages::Recorded],
    sandboxes: &[Uuid],
) -> Result<()> {
    const MEDIA: [&str; 5] = ["image", "video", "audio", "document", "sticker"];
    if !inputs.iter().any(|i| MEDIA.contains(&i.kind.as_str())) {
        return Ok(());
    }
    let by_wamid: HashMap<&str, &Inbound> = inputs
        .iter()
        .filter(|i| MEDIA.contains(&i.kind.as_str()))
        .map(|i| (i.wamid.as_str(), i))
        .collect();
    let mut items = Vec::new();
    for r in recorded {
        if let Some(i) = by_wamid.get(r.wamid.as_str()) {
            let sandbox = sandboxes.contains(&i.number_id);
            items.push((r.message_id, i.number_id, sandbox, &i.content));
        }
    }
    crate::media::attach_inbound(tx, &items).await
}

/// Retry failed deliveries (the `retry_webhook_events` job): each is applied again (messages and
/// statuses already stored are no-ops), marked processed when it goes through, and given up after
/// [`MAX_RETRIES`]. Returns how many went through.
pub async fn retry_failed(store: &Store) -> Result<usize> {
    use diesel::QueryDsl;
    use diesel_async::RunQueryDsl;
    let failed: Vec<(Uuid, serde_json::Value)> = store
        .system(async |tx: &mut SystemTx| -> Result<_> {
            Ok(webhook_events::table
                .filter(webhook_events::outcome.eq("failed"))
                .filter(webhook_events::attempts.lt(MAX_RETRIES))
                .select((webhook_events::id, webhook_events::payload))
                .order(webhook_events::received_at)
                .limit(100)
                .load(tx.pg())
                .await?)
        })
        .await?;
    let mut done = 0;
    for (id, payload) in failed {
        let bytes = serde_json::to_vec(&payload).unwrap_or_default();
        let outcome = match crate::whatsapp::webhook::parse(&bytes) {
            Ok(events) => apply_with(store, &payload, events, false, None)
                .await
                .map(|r| r.failed == 0),
            Err(_) => Ok(false),
        };
        let ok = match outcome {
            Ok(ok) => ok,
            Err(Error::Unavailable(e)) => return Err(Error::Unavailable(e)),
            Err(_) => false,
        };
        store
            .system(async |tx: &mut SystemTx| -> Result<()> {
                let target = webhook_events::table.filter(webhook_events::id.eq(id));
                if ok {
                    diesel::update(target)
                        .set(webhook_events::outcome.eq("processed"))
                        .execute(tx.pg())
                        .await?;
                } else {
                    diesel::update(target)
                        .set(webhook_events::attempts.eq(webhook_events::attempts + 1))
                        .execute(tx.pg())
                        .await?;
                }
                Ok(())
            })
            .await?;
        done += usize::from(ok);
    }
    Ok(done)
}

/// Keep a raw delivery (system door: it may concern no business, or several).
async fn keep(
    store: &Store,
    raw: &serde_json::Value,
    phone_number_id: Option<&str>,
    outcome: &str,
    error: Option<&str>,
) -> Result<()> {
    use diesel_async::RunQueryDsl;
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            diesel::insert_into(webhook_events::table)
                .values((
                    webhook_events::id.eq(Uuid::now_v7()),
                    webhook_events::source.eq("whatsapp"),
                    webhook_events::phone_number_id.eq(phone_number_id),
                    webhook_events::payload.eq(raw),
                    webhook_events::outcome.eq(outcome),
                    webhook_events::error.eq(error),
                ))
                .execute(tx.pg())
                .await?;
            if outcome == "failed" {
                // One retry job at a time is enough: it works through every failed delivery.
                let mut job = crate::jobs::NewJob::new(RETRY_FAILED, &serde_json::json!({}))?;
                job.run_at = Some(chrono::Utc::now() + chrono::Duration::seconds(30));
                job.dedupe_key = Some(RETRY_FAILED.into());
                crate::jobs::enqueue_system(tx, None, job).await?;
            }
            Ok(())
        })
        .await
}

/// Normalise Meta's inbound message for the store.
pub fn inbound(number_id: Uuid, contact: Option<&Contact>, m: &InboundMessage) -> Inbound {
    let body = match &m.kind {
        MessageKind::Text { body } => Some(body.clone()),
        MessageKind::Image(media)
        | MessageKind::Video(media)
        | MessageKind::Audio(media)
        | MessageKind::Document(media)
        | MessageKind::Sticker(media) => media.caption.clone().or_else(|| media.filename.clone()),
        MessageKind::Location(l) => l.name.clone().or_else(|| l.address.clone()),
        MessageKind::ButtonReply { title, .. } | MessageKind::ListReply { title, .. } => {
            Some(title.clone())
        }
        MessageKind::Button { text, .. } => Some(text.clone()),
        MessageKind::Reaction { emoji, .. } => emoji.clone(),
        MessageKind::Edit { message, .. } => match message.as_ref() {
            MessageKind::Text { body } => Some(body.clone()),
            _ => None,
        },
        _ => None,
    };
    let mut content = serde_json::to_value(&m.kind).unwrap_or_default();
    if !m.errors.is_empty()
        && let Some(obj) = content.as_object_mut()
    {
        obj.insert(
            "errors".into(),
            serde_json::to_value(&m.errors).unwrap_or_default(),
        );
    }
    Inbound {
        number_id,
        wamid: m.wamid.clone(),
        wa_id: m
            .from
            .clone()
            .or_else(|| contact.and_then(|c| c.wa_id.clone()))
            .filter(|s| !s.is_empty()),
        bsuid: m
            .from_user_id
            .clone()
            .or_else(|| contact.and_then(|c| c.user_id.clone()))
            .filter(|s| !s.is_empty()),
        profile_name: contact.and_then(|c| c.name.clone()),
        sent_at: m.timestamp,
        kind: m.kind.wire_type().to_owned(),
        body,
        content,
        reply_to_wamid: m.context.as_ref().and_then(|c| c.message_id.clone()),
        referral: m
            .referral
            .as_ref()
            .and_then(|r| serde_json::to_value(r).ok()),
    }
}

fn status_report(s: &crate::whatsapp::StatusUpdate) -> StatusReport {
    let error = s.errors.first();
    StatusReport {
        wamid: s.wamid.clone(),
        status: s.status.as_str().to_owned(),
        occurred_at: s.timestamp,
        error_code: error.and_then(|e| i32::try_from(e.code).ok()),
        error_title: error.and_then(|e| e.title.clone().or_else(|| e.message.clone())),
        pricing: s
            .pricing
            .as_ref()
            .and_then(|p| serde_json::to_value(p).ok()),
    }
}
