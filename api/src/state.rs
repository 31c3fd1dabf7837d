//! What every handler can reach.

use std::sync::Arc;

use chorus_tenants::access::AccessTokens;
use chorus_tenants::crypto::SecretBox;
use chorus_tenants::db::Store;
use chorus_tenants::whatsapp::GraphClient;

use crate::config::Config;
use crate::ratelimit::AccountLimits;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub access: AccessTokens,
    pub config: Arc<Config>,
    pub limits: AccountLimits,
    /// Rung after a transaction that enqueued jobs commits: wakes the in-process worker and
    /// announces the jobs to other worker processes.
    pub jobs_bell: chorus_worker::wakeups::Bell,
    pub graph: GraphClient,
    pub secrets: SecretBox,
    pub media: chorus_tenants::media::MediaStore,
    /// Live realtime sockets of this process.
    pub hub: crate::realtime::Hub,
    /// The optional LLM provider (suggested replies); `None` when not configured.
    pub llm: Option<chorus_tenants::llm::LlmClient>,
    /// Outgoing webhooks: its policy checks URLs as they are saved.
    pub hooks: chorus_tenants::hooks::sender::HookSender,
}

impl AppState {
    pub fn public_url(&self) -> &str {
        &self.config.public_url
    }

    /// Call after committing a transaction that enqueued jobs.
    pub fn jobs_enqueued(&self) {
        self.jobs_bell.ring();
    }
}
