//! The optional LLM provider: any service speaking OpenAI's chat completions
//! (`POST {base}/chat/completions` with a bearer key), configured by `CHORUS_LLM_BASE_URL`,
//! `CHORUS_LLM_API_KEY` and `CHORUS_LLM_MODEL` and off when they are unset.
//!
//! It is used for two things only: a bot's intent check when the knowledge base had no confident
//! answer (does the customer want a person?), and suggested replies for agents. Calls take
//! seconds and may fail, so they never run inside a database transaction: the bot's check runs in
//! the `bot_intent` job (bots.rs), suggested replies between two transactions of the request.
//! Only the customer's recent messages and knowledge-base answers are sent.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};

/// Where the provider is.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// e.g. `https://api.openai.com/v1` (without `/chat/completions`).
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    pub timeout: Duration,
}

impl LlmConfig {
    /// `Some` only when base URL, key and model are all set.
    pub fn from_parts(
        base_url: Option<String>,
        api_key: Option<String>,
        model: Option<String>,
    ) -> Option<Self> {
        Some(Self {
            base_url: base_url?.trim_end_matches('/').to_owned(),
            api_key: api_key?,
            model: model?,
            timeout: Duration::from_secs(20),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChatMessage {
    /// system, user or assistant
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: &str, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
        }
    }
}

/// What the customer wants, as far as a bot needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Wants a person: hand over.
    Handover,
    /// Anything else: the flow goes on.
    Other,
}

/// A client of the configured provider (cheap to clone).
#[derive(Debug, Clone)]
pub struct LlmClient {
    http: reqwest::Client,
    config: std::sync::Arc<LlmConfig>,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChatMessage,
}

fn unavailable(what: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("LLM provider: {what}"))
}

impl LlmClient {
    pub fn new(config: LlmConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(unavailable)?;
        Ok(Self {
            http,
            config: std::sync::Arc::new(config),
        })
    }

    /// One chat completion; the first choice's text.
    pub async fn chat(&self, messages: &[ChatMessage], max_tokens: u32) -> Result<String> {
        let res = self
            .http
            .post(format!("{}/chat/completions", self.config.base_url))
            .bearer_auth(&self.config.api_key)
            .json(&json!({
                "model": self.config.model,
                "messages": messages,
                "max_tokens": max_tokens,
                "temperature": 0.2,
            }))
            .send()
            .await
            .map_err(unavailable)?;
        let status = res.status();
        if !status.is_success() {
            return Err(unavailable(format_args!("answered {status}")));
        }
        let body: Completion = res.json().await.map_err(unavailable)?;
        body.choices
            .into_iter()
            .next()
            .map(|c| c.message.content.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unavailable("no answer"))
    }

    /// Does this customer text ask for a person?
    pub async fn intent(&self, text: &str) -> Result<Intent> {
        let answer = self
            .chat(
                &[
                    ChatMessage::new(
                        "system",
                        "You classify a customer's WhatsApp message to a business. Answer with one \
                         word: handover if the customer wants to talk to a person (an agent, a \
                         human, an advisor) or is upset and needs one, otherwise other.",
                    ),
                    ChatMessage::new("user", text.chars().take(2000).collect::<String>()),
                ],
                5,
            )
            .await?;
        Ok(parse_intent(&answer))
    }
}

/// The provider's word for an intent (tolerant of case, punctuation and chatter).
pub fn parse_intent(answer: &str) -> Intent {
    let a = answer.trim().to_ascii_lowercase();
    if a.starts_with("handover") || a.starts_with("\"handover") || a.contains("intent: handover") {
        Intent::Handover
    } else {
        Intent::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_are_read_tolerantly() {
        assert_eq!(parse_intent("handover"), Intent::Handover);
        assert_eq!(parse_intent(" Handover."), Intent::Handover);
        assert_eq!(parse_intent("other"), Intent::Other);
        assert_eq!(parse_intent("I think so"), Intent::Other);
    }

    #[test]
    fn configured_only_when_complete() {
        assert!(
            LlmConfig::from_parts(Some("http://x/v1/".into()), None, Some("m".into())).is_none()
        );
        let c = LlmConfig::from_parts(
            Some("http://x/v1/".into()),
            Some("k".into()),
            Some("m".into()),
        );
        assert_eq!(c.map(|c| c.base_url).as_deref(), Some("http://x/v1"));
    }
}
