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

use crate::content::MediaProblem;
use crate::queue::Claimed;
use crate::registry::Environment;

pub async fn send_message(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("send_message is a business job")?);
    let id: Uuid = serde_json::from_value(job.data["message_id"].clone()).context("message_id")?;
    // Both records go through the process's batcher: one tenant transaction for the attempts
    // (and acceptances) of many concurrent sends of this business.
    let outgoing = env.sends.begin(&env.store, tenant, id).await?;
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
        env.sends.accepted(&env.store, tenant, id, &wamid).await?;
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
    let mut content = match chorus_tenants::outbound::content_of(&out.message) {
        Ok(c) => c,
        Err(e) => return fail(None, format!("This message cannot be sent: {e}")).await,
    };
    match crate::content::resolve_media(
        &env,
        tenant,
        out.number_id,
        &out.phone_number_id,
        &token,
        &mut content,
    )
    .await
    {
        Ok(()) => {}
        Err(MediaProblem::Permanent(why)) => return fail(None, why).await,
        Err(MediaProblem::Transient(e)) if job.attempts < job.max_attempts => {
            return Err(e.context("preparing the message's file (will retry)"));
        }
        Err(MediaProblem::Transient(e)) => {
            return fail(None, format!("The file could not be prepared: {e}")).await;
        }
        Err(MediaProblem::TokenInvalid(why)) => {
            env.store
                .tenant(tenant, async |tx: &mut TenantTx| {
                    chorus_tenants::numbers::mark_needs_reconnect(
                        tx,
                        out.number_id,
                        &env.public_url,
                    )
                    .await
                })
                .await?;
            return fail(Some(190), why).await;
        }
    }
    let mut message = OutboundMessage::new(to, content).callback_data(id.to_string());
    if let Some(w) = &out.message.reply_to_wamid {
        message = message.reply_to(w.clone());
    }
    if let Err(why) = message.validate() {
        return fail(None, format!("WhatsApp would refuse this message: {why}")).await;
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
            env.sends
                .accepted(&env.store, tenant, id, &sent.wamid)
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
                            chorus_tenants::numbers::mark_needs_reconnect(
                                tx,
                                out.number_id,
                                &env.public_url,
                            )
                            .await
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
