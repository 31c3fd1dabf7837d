//! The `send_message` job: one queued outbound message to Meta's Graph API.
//!
//! The attempt is recorded (`sending`, committed) before the call. Meta has no idempotency key,
//! so one window remains: if this process dies after Meta accepted the message but before the
//! wamid is committed, the retry sends it again. The window is the length of one HTTP response
//! plus one commit; the message carries its Chorus id as `biz_opaque_callback_data`, so the status
//! webhooks of both copies name it and an operator can see it happened.

use anyhow::Context;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TenantId;
use chorus_tenants::messages;
use chorus_tenants::whatsapp::graph::Recipient;
use chorus_tenants::whatsapp::{ErrorClass, Lang, OutboundMessage};

use crate::queue::Claimed;
use crate::registry::Environment;

pub async fn send_message(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("send_message is a business job")?);
    let id: Uuid = serde_json::from_value(job.data["message_id"].clone()).context("message_id")?;
    let outgoing = env
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            messages::begin_send(tx, id).await
        })
        .await?;
    let Some(out) = outgoing else { return Ok(()) };

    let fail = async |code: Option<i32>, title: String| -> anyhow::Result<()> {
        env.store
            .tenant(tenant, async |tx: &mut TenantTx| {
                messages::mark_failed(tx, id, code, &title).await
            })
            .await?;
        Ok(())
    };

    if out.sandbox {
        // The sandbox number has no Meta behind it: the in-app test phone is the customer.
        let wamid = format!("wamid.sandbox.{}", Uuid::now_v7().simple());
        env.store
            .tenant(tenant, async |tx: &mut TenantTx| {
                messages::mark_accepted(tx, id, &wamid).await
            })
            .await?;
        return Ok(());
    }
    let Some(sealed) = out.token_enc.as_deref() else {
        return fail(
            None,
            "This number has no access token: reconnect it in Settings → Numbers.".into(),
        )
        .await;
    };
    let token = String::from_utf8(env.secrets.open(sealed)?)?;
    let to = match (&out.to_wa_id, &out.to_bsuid) {
        (Some(wa), _) => Recipient::Phone(wa.clone()),
        (None, Some(b)) => Recipient::UserId(b.clone()),
        (None, None) => {
            return fail(None, "The contact has no WhatsApp id to send to.".into()).await;
        }
    };
    let mut message = OutboundMessage::text(to, out.message.body.clone().unwrap_or_default())
        .callback_data(id.to_string());
    if let Some(w) = &out.message.reply_to_wamid {
        message = message.reply_to(w.clone());
    }
    let recipient = out
        .to_wa_id
        .clone()
        .or_else(|| out.to_bsuid.clone())
        .unwrap_or_default();
    let per_second = u32::try_from(out.throughput_per_second).unwrap_or(80);
    if let Err(wait) = env
        .limits
        .acquire(&out.phone_number_id, per_second, &recipient)
        .await
    {
        // Over Meta's limits for now: try again later (the message stays `sending`).
        return Err(anyhow::anyhow!(
            "rate limited for {} s by the number's or the customer's limit",
            wait.as_secs()
        ));
    }
    match env
        .graph
        .send_message(&out.phone_number_id, &token, &message)
        .await
    {
        Ok(sent) => {
            env.store
                .tenant(tenant, async |tx: &mut TenantTx| {
                    messages::mark_accepted(tx, id, &sent.wamid).await
                })
                .await?;
            Ok(())
        }
        Err(e) => {
            let code = e.code().and_then(|c| i32::try_from(c).ok());
            let title = e
                .api_error()
                .and_then(|a| a.title.clone().or_else(|| a.message.clone()))
                .unwrap_or_else(|| e.explain(Lang::En));
            match e.class() {
                ErrorClass::Retryable { .. } if job.attempts < job.max_attempts => {
                    Err(anyhow::anyhow!("Graph API: {e} (will retry)"))
                }
                ErrorClass::TokenInvalid => {
                    env.store
                        .tenant(tenant, async |tx: &mut TenantTx| {
                            chorus_tenants::numbers::mark_needs_reconnect(tx, out.number_id).await
                        })
                        .await?;
                    fail(code, title).await
                }
                _ => fail(code, title).await,
            }
        }
    }
}

/// The `mark_read` job: blue ticks (and the typing indicator) for the customer. Best effort:
/// a failure is retried a few times and never affects the conversation.
pub async fn mark_read(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("mark_read is a business job")?);
    let conversation: Uuid =
        serde_json::from_value(job.data["conversation_id"].clone()).context("conversation_id")?;
    let wamid = job.data["wamid"].as_str().context("wamid")?.to_owned();
    let typing = job.data["typing"].as_bool().unwrap_or(false);
    let (phone_number_id, sandbox, sealed) = env
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            messages::read_target(tx, conversation).await
        })
        .await?;
    if sandbox {
        return Ok(());
    }
    let Some(sealed) = sealed else { return Ok(()) };
    let token = String::from_utf8(env.secrets.open(&sealed)?)?;
    env.graph
        .mark_read(&phone_number_id, &token, &wamid, typing)
        .await
        .map_err(|e| anyhow::anyhow!("mark as read: {e}"))
}
