//! Number quality jobs (`chorus_tenants::quality`): `quality_alert` emails a number's admins;
//! `quality_check` (every 6 hours) reads every connected number's rating and limit from Meta,
//! which alerts on drops like the webhooks do.

use anyhow::Context;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TenantId;
use chorus_tenants::quality::{self, Alert};

use crate::{Claimed, Environment};

pub async fn alert(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("a business job")?);
    let number: Uuid =
        serde_json::from_value(job.data["number_id"].clone()).context("number_id in job data")?;
    let alert: Alert =
        serde_json::from_value(job.data["alert"].clone()).context("alert in job data")?;
    let url = env.public_url.clone();
    env.store
        .tenant(tenant, async |tx: &mut TenantTx| {
            quality::send_alert(tx, number, &alert, &url).await
        })
        .await?;
    Ok(())
}

pub async fn check(env: Environment) -> anyhow::Result<()> {
    let numbers = quality::numbers_to_check(&env.store).await?;
    let mut checked = 0usize;
    for n in numbers {
        let token = match env.secrets.open(&n.token) {
            Ok(t) => String::from_utf8_lossy(&t).into_owned(),
            Err(e) => {
                tracing::warn!(number = %n.number_id, error = %e, "quality check: cannot open the token");
                continue;
            }
        };
        match env.graph.get_phone_number(&n.phone_number_id, &token).await {
            Ok(profile) => {
                env.store
                    .tenant(TenantId(n.tenant_id), async |tx: &mut TenantTx| {
                        quality::apply_reading(
                            tx,
                            n.number_id,
                            profile.quality_rating.as_deref(),
                            profile.messaging_limit.as_deref(),
                        )
                        .await
                    })
                    .await?;
                checked += 1;
            }
            // One number's trouble (a revoked token, Meta down) never stops the others; the
            // send path marks numbers needing reconnection.
            Err(e) => {
                tracing::warn!(number = %n.number_id, error = %e, "quality check: Meta did not answer")
            }
        }
    }
    if checked > 0 {
        tracing::info!(checked, "quality check");
    }
    quality::schedule_check(&env.store, quality::CHECK_EVERY_SECS).await?;
    Ok(())
}
