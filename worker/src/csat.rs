//! `csat_request`: ask the customer of a resolved conversation to rate the help
//! (`chorus_tenants::csat`). A survey that cannot be sent (the template needs values, the
//! window closed meanwhile) is dropped, not retried: it would not become sendable later.

use anyhow::Context;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TenantId;

use crate::{Claimed, Environment};

pub async fn request(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("a business job")?);
    let conversation: Uuid = serde_json::from_value(job.data["conversation_id"].clone())
        .context("conversation_id in job data")?;
    let outcome = env
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::csat::request(tx, conversation).await
        })
        .await;
    match outcome {
        Ok(_) => Ok(()),
        Err(
            e @ (chorus_tenants::Error::Unprocessable { .. }
            | chorus_tenants::Error::Invalid { .. }),
        ) => {
            tracing::info!(%conversation, error = %e, "CSAT survey not sent");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
