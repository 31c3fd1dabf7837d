//! Team-inbox jobs: snoozed conversations waking at their time, mentions emailed to people
//! who stayed offline, automatic replies, assignment, bots' knowledge-base misses, and contact
//! CSV imports.

use anyhow::Context;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TenantId;

use crate::queue::Claimed;
use crate::registry::Environment;

fn tenant_of(job: &Claimed) -> anyhow::Result<TenantId> {
    Ok(TenantId(job.tenant_id.context("a business job")?))
}

fn id_in(job: &Claimed, key: &str) -> anyhow::Result<Uuid> {
    serde_json::from_value(job.data[key].clone()).with_context(|| format!("{key} in job data"))
}

/// `wake_snoozed`: reopen the conversation if it is still snoozed and its time has come.
pub async fn wake_snoozed(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = tenant_of(&job)?;
    let id = id_in(&job, "conversation_id")?;
    env.store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::conversations::wake_snoozed(tx, id).await
        })
        .await?;
    Ok(())
}

/// `mention_email`: mail a mention to its recipient if they are still offline and have not
/// read it.
pub async fn mention_email(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = tenant_of(&job)?;
    let id = id_in(&job, "notification_id")?;
    let url = env.public_url.clone();
    env.store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::notifications::email_if_offline(tx, id, &url).await
        })
        .await?;
    Ok(())
}

/// `auto_reply`: the greeting or the away message after a customer wrote (see
/// `chorus_tenants::hours`). A closed window is not an error: nothing is sent.
pub async fn auto_reply(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = tenant_of(&job)?;
    let id = id_in(&job, "conversation_id")?;
    let new = job.data["new_conversation"].as_bool().unwrap_or(false);
    let outcome = env
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::hours::auto_reply(tx, id, new, chrono::Utc::now()).await
        })
        .await;
    match outcome {
        Ok(what) => {
            tracing::debug!(conversation = %id, ?what, "automatic reply");
            Ok(())
        }
        Err(chorus_tenants::Error::Unprocessable { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `assign_team`: hand a team's waiting conversations to its available members.
pub async fn assign_team(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = tenant_of(&job)?;
    let team = id_in(&job, "team_id")?;
    let done = env
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::routing::assign_team(tx, team).await
        })
        .await?;
    if !done.is_empty() {
        tracing::info!(%team, assigned = done.len(), "automatic assignment");
    }
    Ok(())
}

/// `routing_sweep` (every minute): offline assignees' conversations in automatic teams go back to
/// the queue, and conversations whose assignee has not answered within the team's
/// `reassign_after_minutes` go to another available member. It queues its own next run, so one
/// waits at any time.
pub async fn routing_sweep(env: Environment) -> anyhow::Result<()> {
    let returned = chorus_tenants::routing::return_from_offline(&env.store).await?;
    if returned > 0 {
        tracing::info!(
            returned,
            "conversations of offline assignees returned to their queues"
        );
    }
    let reassigned = chorus_tenants::routing::reassign_stale(&env.store).await?;
    if reassigned > 0 {
        tracing::info!(
            reassigned,
            "conversations reassigned after their assignee did not reply in time"
        );
    }
    chorus_tenants::routing::schedule_sweep(&env.store, chorus_tenants::routing::SWEEP_EVERY_SECS)
        .await?;
    Ok(())
}

/// `sla_sweep` (every 15 s): conversations whose SLA clock has a warning or a due time that has
/// come (an index range, never a scan of open conversations). Queues its own next run; when a
/// full batch was found, the next run comes at once.
pub async fn sla_sweep(env: Environment) -> anyhow::Result<()> {
    const BATCH: i64 = 1000;
    let looked = chorus_tenants::sla::sweep(&env.store, BATCH).await?;
    if looked > 0 {
        tracing::info!(looked, "SLA sweep");
    }
    let next = if looked as i64 >= BATCH {
        0
    } else {
        chorus_tenants::sla::SWEEP_EVERY_SECS
    };
    chorus_tenants::sla::schedule_sweep(&env.store, next).await?;
    Ok(())
}

/// `idle_sweep` (every minute): warn assignees before the window closes on a waiting customer,
/// and auto-resolve conversations whose customer went silent after our reply (see
/// `chorus_tenants::idle`). Queues its own next run.
pub async fn idle_sweep(env: Environment) -> anyhow::Result<()> {
    let warned = chorus_tenants::idle::warn_closing_windows(&env.store).await?;
    let resolved = chorus_tenants::idle::auto_resolve(&env.store).await?;
    if warned + resolved > 0 {
        tracing::info!(warned, resolved, "idle sweep");
    }
    chorus_tenants::idle::schedule_sweep(&env.store, chorus_tenants::idle::SWEEP_EVERY_SECS)
        .await?;
    Ok(())
}

/// `sla_breach_email`: tell the business's supervisors about a breach by email.
pub async fn sla_breach_email(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = tenant_of(&job)?;
    let id = id_in(&job, "conversation_id")?;
    let policy = job.data["policy"].as_str().unwrap_or("SLA").to_owned();
    let target = job.data["target"].as_str().unwrap_or("").to_owned();
    let url = env.public_url.clone();
    env.store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::sla::email_breach(tx, id, &policy, &target, &url).await
        })
        .await?;
    Ok(())
}

/// `import_contacts`: apply a contact CSV import batch by batch (see
/// `chorus_tenants::contact_imports`).
pub async fn import_contacts(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = tenant_of(&job)?;
    let id = id_in(&job, "import_id")?;
    chorus_tenants::contact_imports::run(&env.store, tenant, id).await?;
    Ok(())
}

/// `bot_intent`: a bot found no confident knowledge-base answer. Ask the LLM provider (when one
/// is configured; outside any transaction) whether the customer wants a person, then let the bot
/// decide. A failing provider is logged and treated as "no opinion", so the customer is never
/// left waiting on it.
pub async fn bot_intent(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = tenant_of(&job)?;
    let session = id_in(&job, "session_id")?;
    let text = job.data["text"].as_str().map(str::to_owned);
    let wants_person = match (&env.llm, text.as_deref()) {
        (Some(llm), Some(t)) => match llm.intent(t).await {
            Ok(intent) => Some(intent == chorus_tenants::llm::Intent::Handover),
            Err(e) => {
                tracing::warn!(error = %e, "LLM intent check failed; the bot decides without it");
                None
            }
        },
        _ => None,
    };
    env.store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::bots::resolve_miss(tx, session, wants_person).await
        })
        .await?;
    Ok(())
}
