//! Job types and their handlers, and the environment handlers run in.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use chorus_tenants::crypto::SecretBox;
use chorus_tenants::db::Store;
use chorus_tenants::jobs::SEND_EMAIL;
use chorus_tenants::mail::{Email, Mailer};
use chorus_tenants::messages::SEND_MESSAGE;
use chorus_tenants::whatsapp::GraphClient;

use crate::queue::Claimed;

/// What job handlers may use.
#[derive(Clone)]
pub struct Environment {
    pub store: Store,
    pub mailer: Mailer,
    pub graph: GraphClient,
    pub secrets: SecretBox,
    /// Meta's throughput and pair limits, shared by every job of this process.
    pub limits: std::sync::Arc<crate::limits::SendLimits>,
    /// Writes the send path's records of concurrent jobs together (one process-wide batcher).
    pub sends: std::sync::Arc<crate::send_records::SendRecords>,
    /// Where media files live.
    pub media: chorus_tenants::media::MediaStore,
    /// The portal's address, for links in mail.
    pub public_url: String,
    /// The optional LLM provider (bots' intent check); `None` when not configured.
    pub llm: Option<chorus_tenants::llm::LlmClient>,
    /// Sends outgoing webhook deliveries (to public addresses only).
    pub hooks: chorus_tenants::hooks::sender::HookSender,
}

pub type Handler =
    Arc<dyn Fn(Environment, Claimed) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// Job type name → handler.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<String, Handler>,
}

impl Registry {
    /// Every job type Chorus knows.
    pub fn standard() -> Self {
        let mut r = Self::default();
        r.register(SEND_EMAIL, |env, job| Box::pin(send_email(env, job)));
        r.register(SEND_MESSAGE, |env, job| {
            Box::pin(crate::sending::send_message(env, job))
        });
        r.register(chorus_tenants::messages::MARK_READ, |env, job| {
            Box::pin(crate::sending::mark_read(env, job))
        });
        r.register(chorus_tenants::media::DOWNLOAD_MEDIA, |env, job| {
            Box::pin(crate::content::download_media(env, job))
        });
        r.register(chorus_tenants::templates::SYNC_TEMPLATES, |env, job| {
            Box::pin(crate::content::sync_templates(env, job))
        });
        r.register(chorus_tenants::conversations::WAKE_SNOOZED, |env, job| {
            Box::pin(crate::inbox::wake_snoozed(env, job))
        });
        r.register(chorus_tenants::routing::SWEEP, |env, _job| {
            Box::pin(crate::inbox::routing_sweep(env))
        });
        r.register(chorus_tenants::idle::SWEEP, |env, _job| {
            Box::pin(crate::inbox::idle_sweep(env))
        });
        r.register(chorus_tenants::sla::SWEEP, |env, _job| {
            Box::pin(crate::inbox::sla_sweep(env))
        });
        r.register(chorus_tenants::csat::REQUEST, |env, job| {
            Box::pin(crate::csat::request(env, job))
        });
        r.register(chorus_tenants::quality::ALERT, |env, job| {
            Box::pin(crate::quality::alert(env, job))
        });
        r.register(chorus_tenants::quality::CHECK, |env, _job| {
            Box::pin(crate::quality::check(env))
        });
        r.register(chorus_tenants::kpi::rollup::ROLLUP, |env, _job| {
            Box::pin(crate::kpi::roll_up(env))
        });
        r.register(chorus_tenants::db::statistics::JOB, |env, _job| {
            Box::pin(async move {
                use chorus_tenants::db::statistics;
                let analysed = statistics::refresh(&env.store).await?;
                if !analysed.is_empty() {
                    tracing::info!(tables = ?analysed, "refreshed planner statistics");
                    metrics::counter!("chorus_tables_analysed_total")
                        .increment(analysed.len() as u64);
                }
                statistics::schedule(&env.store, statistics::EVERY_SECS).await?;
                Ok(())
            })
        });
        r.register(chorus_tenants::retention::JOB, |env, _job| {
            Box::pin(async move {
                use chorus_tenants::retention;
                let pruned = retention::prune(&env.store).await?;
                for (table, n) in &pruned.deleted {
                    metrics::counter!("chorus_rows_pruned_total", "table" => *table)
                        .increment(*n as u64);
                }
                if !pruned.deleted.is_empty() {
                    tracing::info!(deleted = ?pruned.deleted, more = pruned.more, "pruned expired rows");
                }
                let next = if pruned.more {
                    retention::BACKLOG_SECS
                } else {
                    retention::EVERY_SECS
                };
                retention::schedule(&env.store, next).await?;
                Ok(())
            })
        });
        r.register(chorus_tenants::hooks::DELIVER, |env, job| {
            Box::pin(crate::hooks::deliver(env, job))
        });
        r.register(chorus_tenants::sla::BREACH_EMAIL, |env, job| {
            Box::pin(crate::inbox::sla_breach_email(env, job))
        });
        r.register(chorus_tenants::routing::ASSIGN_TEAM, |env, job| {
            Box::pin(crate::inbox::assign_team(env, job))
        });
        r.register(chorus_tenants::hours::AUTO_REPLY, |env, job| {
            Box::pin(crate::inbox::auto_reply(env, job))
        });
        r.register(
            chorus_tenants::contact_imports::IMPORT_CONTACTS,
            |env, job| Box::pin(crate::inbox::import_contacts(env, job)),
        );
        r.register(chorus_tenants::bots::BOT_INTENT, |env, job| {
            Box::pin(crate::inbox::bot_intent(env, job))
        });
        r.register(chorus_tenants::notifications::MENTION_EMAIL, |env, job| {
            Box::pin(crate::inbox::mention_email(env, job))
        });
        r.register(chorus_tenants::ingest::RETRY_FAILED, |env, _job| {
            Box::pin(async move {
                let n = chorus_tenants::ingest::retry_failed(&env.store).await?;
                tracing::info!(recovered = n, "retried failed webhook deliveries");
                Ok(())
            })
        });
        r
    }

    pub fn register<F>(&mut self, job_type: &str, handler: F)
    where
        F: Fn(Environment, Claimed) -> BoxFuture<'static, anyhow::Result<()>>
            + Send
            + Sync
            + 'static,
    {
        self.handlers.insert(job_type.to_owned(), Arc::new(handler));
    }

    pub fn handler(&self, job_type: &str) -> Option<Handler> {
        self.handlers.get(job_type).cloned()
    }

    pub fn job_types(&self) -> Vec<String> {
        self.handlers.keys().cloned().collect()
    }
}

async fn send_email(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let email: Email = serde_json::from_value(job.data)?;
    env.mailer.send(&email).await?;
    tracing::info!(to = %email.to, subject = %email.subject, "mail sent");
    Ok(())
}
