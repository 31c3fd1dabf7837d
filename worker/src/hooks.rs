//! `webhook_deliver`: one attempt at one outgoing webhook delivery (`chorus_tenants::hooks`).
//!
//! The delivery is read in one short transaction, sent with no transaction open, and the
//! attempt recorded in another. A refused or failed attempt returns an error so the queue
//! retries it with backoff; the last one marks the delivery failed. A delivery already
//! delivered (a job re-run after a lost lease) is not sent again.

use anyhow::Context;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::hooks::{self, PING};
use chorus_tenants::ids::TenantId;

use crate::{Claimed, Environment};

pub async fn deliver(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("a business job")?);
    let id: Uuid = serde_json::from_value(job.data["delivery_id"].clone())
        .context("delivery_id in job data")?;
    let secrets = env.secrets.clone();
    let Some(out) = env
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            hooks::outgoing(tx, &secrets, id).await
        })
        .await?
    else {
        // The endpoint was removed with its deliveries.
        return Ok(());
    };
    if out.state == "delivered" {
        return Ok(());
    }
    if !out.enabled && out.event != PING {
        env.store
            .tenant(tenant, async |tx: &mut TenantTx| {
                hooks::drop_delivery(tx, id, "Not sent: the endpoint is switched off.").await
            })
            .await?;
        return Ok(());
    }
    let last = job.attempts >= job.max_attempts;
    let attempt = env.hooks.send(&out, last).await;
    let outcome = match (attempt.delivered, attempt.status) {
        (true, _) => "delivered",
        (false, Some(_)) => "rejected",
        (false, None) => "unreachable",
    };
    metrics::counter!("chorus_webhook_deliveries_total", "outcome" => outcome).increment(1);
    env.store
        .tenant(tenant, async |tx: &mut TenantTx| {
            hooks::record(tx, &out, &attempt).await
        })
        .await?;
    if attempt.delivered {
        Ok(())
    } else {
        anyhow::bail!(
            "webhook delivery {id} to endpoint {}: {}",
            out.endpoint_id,
            attempt.excerpt
        )
    }
}
