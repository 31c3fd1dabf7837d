//! Bots: a triage flow per number (or one business default) that talks to a customer before a
//! person does, then hands over with what it learned.
//!
//! A flow is a list of typed [`Step`]s, checked when it is saved (patterns compile, targets
//! exist, texts fit WhatsApp's limits), stored as JSON. Each run of a flow in a conversation is a
//! `bot_sessions` row: the step it is at, what it waits for, and at the end its outcome
//! (`contained`: the flow finished without a person; `handed_over` with a reason code).
//!
//! The engine runs inside the ingest transaction (stored first, answered second: the bot's
//! replies are queued with the customer's message, through the normal send path, marked
//! `sender_type: bot`). It handles conversations whose `handler` is `bot` and new conversations
//! of a number with an enabled bot (which it marks `handler = 'bot'`, keeping assignment away).
//! A message that asks for a person ("agente", "asesor", "human", ...; any case or accent) hands
//! over at any step. A knowledge-base miss is decided in the `bot_intent` job, because it may ask
//! the optional LLM provider whether the customer wants a person, and outside calls never run
//! inside a transaction; without a provider the job decides at once by the step's `on_miss`.
//!
//! Handing over sets `handler = 'human'` (and the team of a `route_to_team` step), ends the
//! session, writes the reason in the timeline, notifies the team's members (the business's
//! owners and admins when there is no team) and schedules the team's automatic assignment.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::activity::{self, Activity};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::messages::{Inbound, Recorded};
use crate::outbound::{self, NewMessage};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{
    bot_sessions as bs, bots as b, conversations as c, memberships, roles, tags,
    team_members as tm, teams, whatsapp_numbers as n,
};
use crate::whatsapp::graph::{ListRow, ListSection, ReplyButton};

/// The job that decides a knowledge-base miss (asking the LLM provider when there is one).
pub const BOT_INTENT: &str = "bot_intent";

/// Words that always mean "let me talk to a person", compared without case or accents.
const HANDOVER_WORDS: [&str; 22] = [
    "agent",
    "agents",
    "agente",
    "agentes",
    "human",
    "humano",
    "humana",
    "asesor",
    "asesora",
    "asesores",
    "persona",
    "person",
    "operator",
    "operador",
    "operadora",
    "representative",
    "representante",
    "advisor",
    "adviser",
    "someone",
    "alguien",
    "atendente",
];

fn default_retries() -> u32 {
    2
}

/// One step of a flow, by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Send a text (skipped when the conversation already had a bot session).
    Greet { text: String },
    /// Ask for a free text; with `pattern` (a regular expression) the answer must contain a
    /// match, which is what is stored in `attribute`.
    AskText {
        prompt: String,
        #[serde(default)]
        pattern: Option<String>,
        /// A contact attribute key (a-z, 0-9, `_`) to store the answer in.
        #[serde(default)]
        attribute: Option<String>,
        /// Sent when the answer does not match (a default otherwise).
        #[serde(default)]
        retry_message: Option<String>,
        /// Wrong answers allowed before handing over (0 to 5; 2 by default).
        #[serde(default = "default_retries")]
        max_retries: u32,
    },
    /// Ask to choose: up to 3 options are reply buttons, up to 10 a list.
    AskChoice {
        prompt: String,
        options: Vec<ChoiceOption>,
        #[serde(default)]
        attribute: Option<String>,
        /// The label of the list's button (lists only; at most 20 characters).
        #[serde(default)]
        button: Option<String>,
        #[serde(default)]
        retry_message: Option<String>,
        #[serde(default = "default_retries")]
        max_retries: u32,
    },
    /// Set a contact attribute to a string, number or boolean.
    SetAttribute {
        key: String,
        #[schema(value_type = Object)]
        value: Value,
    },
    /// Tag the conversation.
    AddTag { tag_id: Uuid },
    /// Hand over to a team.
    RouteToTeam {
        team_id: Uuid,
        #[serde(default)]
        message: Option<String>,
    },
    /// Hand over to people (the conversation's team, if any).
    Handover {
        #[serde(default)]
        message: Option<String>,
    },
    /// Answer the customer's last message from the knowledge base when confident enough.
    AnswerFromKb {
        /// What a miss does: `handover` (default) or `continue` with the next step.
        #[serde(default)]
        on_miss: OnMiss,
        /// Sent on a miss (before handing over or continuing).
        #[serde(default)]
        miss_message: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// What the customer sees (at most 20 characters for buttons, 24 for lists).
    pub title: String,
    /// What is stored in the attribute (the title when absent).
    #[serde(default)]
    pub value: Option<String>,
    /// Jump to this step (0-based) instead of the next one.
    #[serde(default)]
    pub next_step: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMiss {
    #[default]
    Handover,
    Continue,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bot {
    pub id: Uuid,
    /// The number it runs on; absent for the business default (numbers without a bot of their own).
    pub number_id: Option<Uuid>,
    pub name: String,
    pub enabled: bool,
    pub steps: Vec<Step>,
    /// The knowledge-base confidence (0..1) needed to answer.
    pub kb_threshold: f64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBot {
    /// 1 to 80 characters.
    pub name: String,
    #[serde(default)]
    pub number_id: Option<Uuid>,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub kb_threshold: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BotChanges {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub steps: Option<Vec<Step>>,
    pub kb_threshold: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BotList {
    pub items: Vec<Bot>,
}

/// Containment of one bot, for reports.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BotStats {
    pub bot_id: Uuid,
    pub sessions: i64,
    pub active: i64,
    pub contained: i64,
    pub handed_over: i64,
    pub abandoned: i64,
    /// contained / ended sessions; absent before any ended.
    pub containment_rate: Option<f64>,
    /// Handed-over sessions by reason code.
    #[schema(value_type = Object)]
    pub handover_reasons: BTreeMap<String, i64>,
}

// ---------------------------------------------------------------------------------------------
// Pure step logic.

/// Lowercase, accents folded, split into words.
fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|ch| match ch {
            'á' | 'à' | 'ä' | 'â' | 'ã' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect();
    folded
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Does this text ask for a person?
pub fn wants_human(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| HANDOVER_WORDS.contains(&w.as_str()))
}

fn compile(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .ok()
}

/// How the bot takes an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Accepted: the value to store, and the step to jump to (the next when `None`).
    Accept {
        value: Option<String>,
        next: Option<usize>,
    },
    /// Not an answer to this step: ask again.
    Retry,
}

/// A free-text answer: with a pattern, its first match; without, the whole text.
pub fn text_reply(pattern: Option<&str>, text: Option<&str>) -> Reply {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Reply::Retry;
    };
    match pattern {
        None => Reply::Accept {
            value: Some(text.to_owned()),
            next: None,
        },
        Some(p) => match compile(p).and_then(|re| re.find(text).map(|m| m.as_str().to_owned())) {
            Some(found) => Reply::Accept {
                value: Some(found),
                next: None,
            },
            None => Reply::Retry,
        },
    }
}

/// The id of option `i` in the buttons or list the bot sends.
fn option_id(i: usize) -> String {
    format!("opt_{}", i + 1)
}

/// A choice: the tapped button or row, or a typed title or option number.
pub fn choice_reply(
    options: &[ChoiceOption],
    text: Option<&str>,
    choice_id: Option<&str>,
) -> Reply {
    let by_id = choice_id.and_then(|id| (0..options.len()).find(|i| option_id(*i) == id));
    let by_text = || {
        let typed = words(text.unwrap_or(""));
        if typed.is_empty() {
            return None;
        }
        options
            .iter()
            .position(|o| words(&o.title) == typed)
            .or_else(|| {
                let n: usize = typed.join("").parse().ok()?;
                (1..=options.len()).contains(&n).then(|| n - 1)
            })
    };
    match by_id.or_else(by_text) {
        Some(i) => Reply::Accept {
            value: Some(
                options[i]
                    .value
                    .clone()
                    .unwrap_or_else(|| options[i].title.clone()),
            ),
            next: options[i].next_step,
        },
        None => Reply::Retry,
    }
}

/// The message asking a choice: reply buttons for up to 3 options, a list for more.
pub fn choice_message(prompt: &str, options: &[ChoiceOption], button: Option<&str>) -> NewMessage {
    if options.len() <= 3 {
        NewMessage::Buttons {
            body: prompt.to_owned(),
            buttons: options
                .iter()
                .enumerate()
                .map(|(i, o)| ReplyButton {
                    id: option_id(i),
                    title: o.title.clone(),
                })
                .collect(),
            header: None,
            footer: None,
            reply_to: None,
        }
    } else {
        NewMessage::List {
            body: prompt.to_owned(),
            button: button.unwrap_or("Options").to_owned(),
            sections: vec![ListSection {
                title: None,
                rows: options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| ListRow {
                        id: option_id(i),
                        title: o.title.clone(),
                        description: None,
                    })
                    .collect(),
            }],
            header: None,
            footer: None,
            reply_to: None,
        }
    }
}

fn text_message(text: &str) -> NewMessage {
    NewMessage::Text {
        text: text.to_owned(),
        reply_to: None,
        preview_url: false,
    }
}

/// Reason codes of a handover, in words for the timeline.
pub fn reason_words(code: &str, es: bool) -> &'static str {
    match (code, es) {
        ("asked_for_person", false) => "the customer asked for a person",
        ("asked_for_person", true) => "el cliente pidió hablar con una persona",
        ("route_to_team", false) => "the flow routes here",
        ("route_to_team", true) => "el flujo lo envía aquí",
        ("handover_step", false) => "the flow hands over here",
        ("handover_step", true) => "el flujo pasa a una persona aquí",
        ("no_kb_answer", false) => "no confident answer in the knowledge base",
        ("no_kb_answer", true) => "la base de conocimiento no tenía una respuesta segura",
        ("llm_intent", false) => "the assistant understood the customer wants a person",
        ("llm_intent", true) => "el asistente entendió que el cliente quiere una persona",
        ("no_valid_answer", false) => "no valid answer after several tries",
        ("no_valid_answer", true) => "sin una respuesta válida tras varios intentos",
        ("bot_disabled", false) => "the bot was switched off",
        ("bot_disabled", true) => "el bot se desactivó",
        ("agent_took_over", false) => "an agent took the conversation",
        ("agent_took_over", true) => "un agente tomó la conversación",
        (_, false) => "the flow could not go on",
        (_, true) => "el flujo no pudo continuar",
    }
}

fn check_key(field: &str, key: &str) -> Result<()> {
    let ok = (1..=40).contains(&key.len())
        && key.starts_with(|ch: char| ch.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            "An attribute key has 1 to 40 characters a-z, 0-9 or _, starting with a letter.",
        ))
    }
}

fn check_len(field: &str, s: &str, max: usize) -> Result<()> {
    let n = s.trim().chars().count();
    if n == 0 || n > max {
        return Err(Error::invalid(
            field,
            format!("Write 1 to {max} characters."),
        ));
    }
    Ok(())
}

fn check_opt(field: &str, s: &Option<String>, max: usize) -> Result<()> {
    match s {
        Some(s) => check_len(field, s, max),
        None => Ok(()),
    }
}

/// Check a flow's shape (what needs no database). Field names point at the step: `steps[2].pattern`.
pub fn check_steps(steps: &[Step]) -> Result<()> {
    if steps.len() > 50 {
        return Err(Error::invalid("steps", "A flow has at most 50 steps."));
    }
    for (i, step) in steps.iter().enumerate() {
        let f = |name: &str| format!("steps[{i}].{name}");
        match step {
            Step::Greet { text } => check_len(&f("text"), text, 4096)?,
            Step::AskText {
                prompt,
                pattern,
                attribute,
                retry_message,
                max_retries,
            } => {
                check_len(&f("prompt"), prompt, 4096)?;
                if let Some(p) = pattern
                    && (p.is_empty() || p.chars().count() > 200 || compile(p).is_none())
                {
                    return Err(Error::invalid(
                        &f("pattern"),
                        "A pattern is a valid regular expression of at most 200 characters, like [0-9]{6}.",
                    ));
                }
                if let Some(a) = attribute {
                    check_key(&f("attribute"), a)?;
                }
                check_opt(&f("retry_message"), retry_message, 1024)?;
                if *max_retries > 5 {
                    return Err(Error::invalid(&f("max_retries"), "At most 5 retries."));
                }
            }
            Step::AskChoice {
                prompt,
                options,
                attribute,
                button,
                retry_message,
                max_retries,
            } => {
                check_len(&f("prompt"), prompt, 1024)?;
                if options.is_empty() || options.len() > 10 {
                    return Err(Error::invalid(&f("options"), "Give 1 to 10 options."));
                }
                let max_title = if options.len() <= 3 { 20 } else { 24 };
                let mut seen: Vec<Vec<String>> = Vec::new();
                for (j, o) in options.iter().enumerate() {
                    check_len(
                        &format!("steps[{i}].options[{j}].title"),
                        &o.title,
                        max_title,
                    )?;
                    let w = words(&o.title);
                    if seen.contains(&w) {
                        return Err(Error::invalid(
                            &format!("steps[{i}].options[{j}].title"),
                            "Two options have the same title.",
                        ));
                    }
                    seen.push(w);
                    check_opt(&format!("steps[{i}].options[{j}].value"), &o.value, 500)?;
                    if o.next_step.is_some_and(|s| s >= steps.len()) {
                        return Err(Error::invalid(
                            &format!("steps[{i}].options[{j}].next_step"),
                            "There is no such step.",
                        ));
                    }
                }
                if let Some(a) = attribute {
                    check_key(&f("attribute"), a)?;
                }
                check_opt(&f("button"), button, 20)?;
                check_opt(&f("retry_message"), retry_message, 1024)?;
                if *max_retries > 5 {
                    return Err(Error::invalid(&f("max_retries"), "At most 5 retries."));
                }
            }
            Step::SetAttribute { key, value } => {
                check_key(&f("key"), key)?;
                let ok = match value {
                    Value::String(s) => s.chars().count() <= 500,
                    Value::Number(_) | Value::Bool(_) => true,
                    _ => false,
                };
                if !ok {
                    return Err(Error::invalid(
                        &f("value"),
                        "A value is a string (at most 500 characters), a number or true/false.",
                    ));
                }
            }
            Step::AddTag { .. } => {}
            Step::RouteToTeam { message, .. } | Step::Handover { message } => {
                check_opt(&f("message"), message, 4096)?;
            }
            Step::AnswerFromKb { miss_message, .. } => {
                check_opt(&f("miss_message"), miss_message, 4096)?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bots: reading and writing.

type BotRow = (Uuid, Option<Uuid>, String, bool, Value, f64, DateTime<Utc>);

macro_rules! bot_columns {
    () => {
        (
            b::id,
            b::number_id,
            b::name,
            b::enabled,
            b::steps,
            b::kb_threshold,
            b::updated_at,
        )
    };
}

fn to_bot(r: BotRow) -> Bot {
    Bot {
        id: r.0,
        number_id: r.1,
        name: r.2,
        enabled: r.3,
        // Flows are checked on write; an unreadable one (a future step type) reads as empty.
        steps: serde_json::from_value(r.4).unwrap_or_default(),
        kb_threshold: r.5,
        updated_at: r.6,
    }
}

fn require_read(actor: &Actor) -> Result<()> {
    actor.require_any(&[Permission::SettingsManage, Permission::ReportsView])
}

pub async fn list(tx: &mut TenantTx, actor: &Actor) -> Result<BotList> {
    require_read(actor)?;
    let rows: Vec<BotRow> = b::table
        .select(bot_columns!())
        .order((b::number_id.asc().nulls_first(), b::id))
        .load(tx.pg())
        .await?;
    Ok(BotList {
        items: rows.into_iter().map(to_bot).collect(),
    })
}

async fn fetch(tx: &mut TenantTx, id: Uuid) -> Result<Bot> {
    let row: Option<BotRow> = b::table
        .filter(b::id.eq(id))
        .select(bot_columns!())
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_bot).ok_or(Error::NotFound("bot"))
}

pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Bot> {
    require_read(actor)?;
    fetch(tx, id).await
}

/// Everything a flow names exists in this business.
async fn check_targets(tx: &mut TenantTx, steps: &[Step]) -> Result<()> {
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::AddTag { tag_id } => {
                let known: i64 = tags::table
                    .filter(tags::id.eq(tag_id))
                    .count()
                    .get_result(tx.pg())
                    .await?;
                if known == 0 {
                    return Err(Error::invalid(
                        &format!("steps[{i}].tag_id"),
                        "No such tag.",
                    ));
                }
            }
            Step::RouteToTeam { team_id, .. } => {
                let known: i64 = teams::table
                    .filter(teams::id.eq(team_id))
                    .count()
                    .get_result(tx.pg())
                    .await?;
                if known == 0 {
                    return Err(Error::invalid(
                        &format!("steps[{i}].team_id"),
                        "No such team.",
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_threshold(t: Option<f64>) -> Result<f64> {
    let t = t.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&t) {
        return Err(Error::invalid("kb_threshold", "Between 0 and 1."));
    }
    Ok(t)
}

fn check_enabled(enabled: bool, steps: &[Step]) -> Result<()> {
    if enabled && steps.is_empty() {
        return Err(Error::invalid(
            "steps",
            "An enabled bot needs at least one step.",
        ));
    }
    Ok(())
}

fn uniqueness(e: diesel::result::Error) -> Error {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => Error::conflict(
            "bot_exists",
            "This number (or the business default) already has a bot: edit that one.",
        ),
        other => other.into(),
    }
}

fn steps_json(steps: &[Step]) -> Result<Value> {
    serde_json::to_value(steps).map_err(|e| Error::Internal(anyhow::anyhow!("steps: {e}")))
}

pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewBot) -> Result<Bot> {
    actor.require(Permission::SettingsManage)?;
    check_len("name", &input.name, 80)?;
    check_steps(&input.steps)?;
    check_enabled(input.enabled, &input.steps)?;
    let threshold = check_threshold(input.kb_threshold)?;
    if let Some(number) = input.number_id {
        let known: i64 = n::table
            .filter(n::id.eq(number))
            .count()
            .get_result(tx.pg())
            .await?;
        if known == 0 {
            return Err(Error::invalid("number_id", "No such number."));
        }
    }
    check_targets(tx, &input.steps).await?;
    let id = Uuid::now_v7();
    diesel::insert_into(b::table)
        .values((
            b::tenant_id.eq(tx.tenant_id()),
            b::id.eq(id),
            b::number_id.eq(input.number_id),
            b::name.eq(input.name.trim()),
            b::enabled.eq(input.enabled),
            b::steps.eq(steps_json(&input.steps)?),
            b::kb_threshold.eq(threshold),
        ))
        .execute(tx.pg())
        .await
        .map_err(uniqueness)?;
    fetch(tx, id).await
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    changes: BotChanges,
) -> Result<Bot> {
    actor.require(Permission::SettingsManage)?;
    let current = fetch(tx, id).await?;
    let name = match changes.name.as_deref() {
        Some(n) => {
            check_len("name", n, 80)?;
            n.trim().to_owned()
        }
        None => current.name.clone(),
    };
    let steps = changes.steps.unwrap_or_else(|| current.steps.clone());
    check_steps(&steps)?;
    let enabled = changes.enabled.unwrap_or(current.enabled);
    check_enabled(enabled, &steps)?;
    let threshold = check_threshold(changes.kb_threshold.or(Some(current.kb_threshold)))?;
    check_targets(tx, &steps).await?;
    diesel::update(b::table.filter(b::id.eq(id)))
        .set((
            b::name.eq(&name),
            b::enabled.eq(enabled),
            b::steps.eq(steps_json(&steps)?),
            b::kb_threshold.eq(threshold),
            b::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    if current.enabled && !enabled {
        release_all(tx, id).await?;
    }
    fetch(tx, id).await
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(Permission::SettingsManage)?;
    fetch(tx, id).await?;
    release_all(tx, id).await?;
    diesel::delete(b::table.filter(b::id.eq(id)))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// A bot switched off or removed hands its live conversations to people at once (they would
/// otherwise wait, invisible to assignment, until the customer writes again).
async fn release_all(tx: &mut TenantTx, bot_id: Uuid) -> Result<()> {
    let live: Vec<Uuid> = bs::table
        .filter(bs::bot_id.eq(bot_id))
        .filter(bs::ended_at.is_null())
        .select(bs::id)
        .load(tx.pg())
        .await?;
    let bot = fetch(tx, bot_id).await?;
    for session in live {
        if let Some(mut s) = load_session(tx, session).await?
            && let Some(conv) = load_conversation(tx, s.conversation_id).await?
        {
            handover(tx, &bot, &mut s, &conv, None, "bot_disabled", None).await?;
        }
    }
    Ok(())
}

pub async fn stats(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<BotStats> {
    require_read(actor)?;
    fetch(tx, id).await?;
    let rows: Vec<(Option<String>, Option<String>, i64)> = bs::table
        .filter(bs::bot_id.eq(id))
        .group_by((bs::outcome, bs::reason))
        .select((bs::outcome, bs::reason, diesel::dsl::count_star()))
        .load(tx.pg())
        .await?;
    let mut out = BotStats {
        bot_id: id,
        sessions: 0,
        active: 0,
        contained: 0,
        handed_over: 0,
        abandoned: 0,
        containment_rate: None,
        handover_reasons: BTreeMap::new(),
    };
    for (outcome, reason, count) in rows {
        out.sessions += count;
        match outcome.as_deref() {
            None => out.active += count,
            Some("contained") => out.contained += count,
            Some("handed_over") => {
                out.handed_over += count;
                *out.handover_reasons
                    .entry(reason.unwrap_or_else(|| "other".into()))
                    .or_default() += count;
            }
            Some(_) => out.abandoned += count,
        }
    }
    let ended = out.contained + out.handed_over + out.abandoned;
    if ended > 0 {
        out.containment_rate =
            Some(((out.contained as f64 / ended as f64) * 1000.0).round() / 1000.0);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The engine.

/// A conversation as the engine sees it.
#[derive(Debug, Clone)]
struct Conv {
    id: Uuid,
    number_id: Uuid,
    contact_id: Uuid,
    handler: String,
    assignee_id: Option<Uuid>,
    team_id: Option<Uuid>,
}

/// A live session.
#[derive(Debug, Clone)]
struct Session {
    id: Uuid,
    bot_id: Uuid,
    conversation_id: Uuid,
    step: usize,
    waiting: Option<String>,
    retries: u32,
    /// Greetings are skipped when the conversation had a session before.
    greeted_before: bool,
}

/// What the customer just sent.
#[derive(Debug, Clone, Default)]
struct Incoming {
    text: Option<String>,
    choice_id: Option<String>,
}

async fn load_conversation(tx: &mut TenantTx, id: Uuid) -> Result<Option<Conv>> {
    let row: Option<(Uuid, Uuid, Uuid, String, Option<Uuid>, Option<Uuid>)> = c::table
        .filter(c::id.eq(id))
        .select((
            c::id,
            c::number_id,
            c::contact_id,
            c::handler,
            c::assignee_id,
            c::team_id,
        ))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    Ok(row.map(|r| Conv {
        id: r.0,
        number_id: r.1,
        contact_id: r.2,
        handler: r.3,
        assignee_id: r.4,
        team_id: r.5,
    }))
}

type SessionRow = (Uuid, Uuid, Uuid, i32, Option<String>, i32);

async fn to_session(tx: &mut TenantTx, r: SessionRow) -> Result<Session> {
    let earlier: i64 = bs::table
        .filter(bs::conversation_id.eq(r.2))
        .filter(bs::id.ne(r.0))
        .count()
        .get_result(tx.pg())
        .await?;
    Ok(Session {
        id: r.0,
        bot_id: r.1,
        conversation_id: r.2,
        step: usize::try_from(r.3).unwrap_or(0),
        waiting: r.4,
        retries: u32::try_from(r.5).unwrap_or(0),
        greeted_before: earlier > 0,
    })
}

macro_rules! session_columns {
    () => {
        (
            bs::id,
            bs::bot_id,
            bs::conversation_id,
            bs::step,
            bs::waiting,
            bs::retries,
        )
    };
}

async fn load_session(tx: &mut TenantTx, id: Uuid) -> Result<Option<Session>> {
    let row: Option<SessionRow> = bs::table
        .filter(bs::id.eq(id))
        .filter(bs::ended_at.is_null())
        .select(session_columns!())
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    match row {
        Some(r) => Ok(Some(to_session(tx, r).await?)),
        None => Ok(None),
    }
}

async fn active_session(tx: &mut TenantTx, conversation: Uuid) -> Result<Option<Session>> {
    let row: Option<SessionRow> = bs::table
        .filter(bs::conversation_id.eq(conversation))
        .filter(bs::ended_at.is_null())
        .select(session_columns!())
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    match row {
        Some(r) => Ok(Some(to_session(tx, r).await?)),
        None => Ok(None),
    }
}

/// The enabled bot of a number: its own, else the business default.
async fn bot_for_number(tx: &mut TenantTx, number: Uuid) -> Result<Option<Bot>> {
    let rows: Vec<BotRow> = b::table
        .filter(b::enabled.eq(true))
        .filter(b::number_id.eq(number).or(b::number_id.is_null()))
        .select(bot_columns!())
        .load(tx.pg())
        .await?;
    let mut bots: Vec<Bot> = rows.into_iter().map(to_bot).collect();
    bots.sort_by_key(|b| b.number_id.is_none());
    Ok(bots.into_iter().next())
}

async fn start_session(tx: &mut TenantTx, bot: &Bot, conv: &Conv) -> Result<Session> {
    let id = Uuid::now_v7();
    diesel::insert_into(bs::table)
        .values((
            bs::tenant_id.eq(tx.tenant_id()),
            bs::id.eq(id),
            bs::bot_id.eq(bot.id),
            bs::conversation_id.eq(conv.id),
        ))
        .execute(tx.pg())
        .await?;
    load_session(tx, id)
        .await?
        .ok_or(Error::NotFound("bot session"))
}

async fn save(tx: &mut TenantTx, s: &Session) -> Result<()> {
    diesel::update(bs::table.filter(bs::id.eq(s.id)))
        .set((
            bs::step.eq(i32::try_from(s.step).unwrap_or(i32::MAX)),
            bs::waiting.eq(&s.waiting),
            bs::retries.eq(i32::try_from(s.retries).unwrap_or(i32::MAX)),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

async fn end(tx: &mut TenantTx, s: &Session, outcome: &str, reason: Option<&str>) -> Result<()> {
    diesel::update(bs::table.filter(bs::id.eq(s.id)))
        .set((
            bs::ended_at.eq(Some(Utc::now())),
            bs::outcome.eq(Some(outcome)),
            bs::reason.eq(reason),
            bs::waiting.eq(None::<String>),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

async fn say(tx: &mut TenantTx, bot: &Bot, conv: &Conv, message: NewMessage) -> Result<()> {
    match outbound::queue_bot(tx, conv.id, message, bot.id, &bot.name).await {
        // The customer just wrote, so the window is open; if not, the bot stays silent.
        Err(Error::Unprocessable {
            code: "window_closed",
            ..
        }) => Ok(()),
        other => other.map(|_| ()),
    }
}

async fn set_attribute(tx: &mut TenantTx, conv: &Conv, key: &str, value: &Value) -> Result<()> {
    use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
    diesel::sql_query(
        "UPDATE contacts SET attributes = attributes || jsonb_build_object($1::text, $2::jsonb),
                updated_at = now()
          WHERE id = $3",
    )
    .bind::<Text, _>(key)
    .bind::<Jsonb, _>(value)
    .bind::<SqlUuid, _>(conv.contact_id)
    .execute(tx.pg())
    .await?;
    Ok(())
}

async fn add_tag(tx: &mut TenantTx, conv: &Conv, tag: Uuid) -> Result<()> {
    use crate::schema::conversation_tags as ct;
    let known: i64 = tags::table
        .filter(tags::id.eq(tag))
        .count()
        .get_result(tx.pg())
        .await?;
    if known == 0 {
        // Deleted since the flow was saved: skip rather than fail the customer's message.
        return Ok(());
    }
    diesel::insert_into(ct::table)
        .values((
            ct::tenant_id.eq(tx.tenant_id()),
            ct::conversation_id.eq(conv.id),
            ct::tag_id.eq(tag),
        ))
        .on_conflict_do_nothing()
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// Hand the conversation to people: see the module documentation.
async fn handover(
    tx: &mut TenantTx,
    bot: &Bot,
    s: &mut Session,
    conv: &Conv,
    team: Option<Uuid>,
    reason: &str,
    message: Option<&str>,
) -> Result<()> {
    if let Some(m) = message {
        say(tx, bot, conv, text_message(m)).await?;
    }
    let team = match team {
        Some(t) => teams::table
            .filter(teams::id.eq(t))
            .select(teams::id)
            .first::<Uuid>(tx.pg())
            .await
            .optional()?
            .or(conv.team_id),
        None => conv.team_id,
    };
    diesel::update(c::table.filter(c::id.eq(conv.id)))
        .set((
            c::handler.eq("human"),
            c::team_id.eq(team),
            c::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    end(tx, s, "handed_over", Some(reason)).await?;
    let team_name: Option<String> = match team {
        Some(t) => teams::table
            .filter(teams::id.eq(t))
            .select(teams::name)
            .first(tx.pg())
            .await
            .optional()?,
        None => None,
    };
    activity::record(
        tx,
        conv.id,
        None,
        Activity::BotHandedOver {
            bot: bot.name.clone(),
            reason: reason.to_owned(),
            team: team_name.clone(),
        },
    )
    .await?;
    let recipients: Vec<Uuid> = match team {
        Some(t) => {
            tm::table
                .inner_join(
                    memberships::table.on(memberships::tenant_id
                        .eq(tm::tenant_id)
                        .and(memberships::id.eq(tm::membership_id))),
                )
                .filter(tm::team_id.eq(t))
                .filter(memberships::status.eq("active"))
                .select(tm::membership_id)
                .load(tx.pg())
                .await?
        }
        None => {
            memberships::table
                .inner_join(
                    roles::table.on(roles::tenant_id
                        .eq(memberships::tenant_id)
                        .and(roles::id.eq(memberships::role_id))),
                )
                .filter(memberships::status.eq("active"))
                .filter(roles::builtin.eq_any(["owner", "admin"]))
                .select(memberships::id)
                .load(tx.pg())
                .await?
        }
    };
    let es = crate::businesses::current(tx)
        .await?
        .locale
        .starts_with("es");
    let body = match (&team_name, es) {
        (Some(t), true) => format!(
            "{} pasó una conversación a {t}: {}",
            bot.name,
            reason_words(reason, true)
        ),
        (Some(t), false) => format!(
            "{} handed a conversation to {t}: {}",
            bot.name,
            reason_words(reason, false)
        ),
        (None, true) => format!(
            "{} necesita una persona: {}",
            bot.name,
            reason_words(reason, true)
        ),
        (None, false) => format!(
            "{} needs a person: {}",
            bot.name,
            reason_words(reason, false)
        ),
    };
    for recipient in recipients {
        crate::notifications::notify(
            tx,
            crate::notifications::Notice {
                recipient,
                kind: "handover",
                conversation_id: conv.id,
                message_id: None,
                actor_id: None,
                body: body.clone(),
            },
        )
        .await?;
    }
    if let Some(t) = team {
        crate::routing::schedule(tx, t).await?;
    }
    Ok(())
}

/// After customers wrote (ingest, same transaction, after routing): run the bots.
pub async fn after_inbound(
    tx: &mut TenantTx,
    recorded: &[Recorded],
    inputs: &[Inbound],
) -> Result<()> {
    if recorded.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = recorded.iter().map(|r| r.conversation_id).collect();
    ids.sort();
    ids.dedup();
    let handled: Vec<Uuid> = c::table
        .filter(c::id.eq_any(&ids))
        .filter(c::handler.eq("bot"))
        .select(c::id)
        .load(tx.pg())
        .await?;
    let any_enabled = recorded.iter().any(|r| r.new_conversation)
        && b::table
            .filter(b::enabled.eq(true))
            .count()
            .get_result::<i64>(tx.pg())
            .await?
            > 0;
    if handled.is_empty() && !any_enabled {
        return Ok(());
    }
    for r in recorded {
        if !(handled.contains(&r.conversation_id) || (any_enabled && r.new_conversation)) {
            continue;
        }
        let input = inputs.iter().find(|i| i.wamid == r.wamid);
        let incoming = Incoming {
            text: input.and_then(|i| i.body.clone()),
            choice_id: input.and_then(|i| {
                matches!(
                    i.content["type"].as_str(),
                    Some("button_reply" | "list_reply")
                )
                .then(|| i.content["id"].as_str().map(str::to_owned))
                .flatten()
            }),
        };
        on_message(tx, r.conversation_id, r.new_conversation, incoming).await?;
    }
    Ok(())
}

async fn on_message(
    tx: &mut TenantTx,
    conversation: Uuid,
    new: bool,
    input: Incoming,
) -> Result<()> {
    let Some(conv) = load_conversation(tx, conversation).await? else {
        return Ok(());
    };
    let active = active_session(tx, conv.id).await?;
    if conv.handler != "bot" {
        // A new conversation that nobody holds yet goes to the number's bot, if it has one.
        if !new || conv.assignee_id.is_some() || active.is_some() {
            return Ok(());
        }
        let Some(bot) = bot_for_number(tx, conv.number_id).await? else {
            return Ok(());
        };
        diesel::update(c::table.filter(c::id.eq(conv.id)))
            .set(c::handler.eq("bot"))
            .execute(tx.pg())
            .await?;
        let s = start_session(tx, &bot, &conv).await?;
        return run(tx, &bot, s, &conv, &input).await;
    }
    let bot = match &active {
        Some(s) => fetch(tx, s.bot_id).await.ok().filter(|b| b.enabled),
        None => bot_for_number(tx, conv.number_id).await?,
    };
    let mut s = match active {
        Some(s) => s,
        None => match &bot {
            Some(bot) => start_session(tx, bot, &conv).await?,
            None => {
                // Marked for a bot (a routing rule, say) but no bot is on: people take it.
                diesel::update(c::table.filter(c::id.eq(conv.id)))
                    .set(c::handler.eq("human"))
                    .execute(tx.pg())
                    .await?;
                if let Some(t) = conv.team_id {
                    crate::routing::schedule(tx, t).await?;
                }
                return Ok(());
            }
        },
    };
    match bot {
        Some(bot) => run(tx, &bot, s, &conv, &input).await,
        None => {
            let bot = fetch(tx, s.bot_id).await?;
            handover(tx, &bot, &mut s, &conv, None, "bot_disabled", None).await
        }
    }
}

/// Take the customer's message at the current step, then walk the flow.
async fn run(
    tx: &mut TenantTx,
    bot: &Bot,
    mut s: Session,
    conv: &Conv,
    input: &Incoming,
) -> Result<()> {
    if input.text.as_deref().is_some_and(wants_human) {
        return handover(tx, bot, &mut s, conv, None, "asked_for_person", None).await;
    }
    match s.waiting.as_deref() {
        // The `bot_intent` job decides; meanwhile only a request for a person counts.
        Some("intent") => return Ok(()),
        Some(_) => {
            let step = bot.steps.get(s.step).cloned();
            let (reply, attribute, max_retries, retry_message) = match &step {
                Some(Step::AskText {
                    pattern,
                    attribute,
                    max_retries,
                    retry_message,
                    ..
                }) => (
                    text_reply(pattern.as_deref(), input.text.as_deref()),
                    attribute.clone(),
                    *max_retries,
                    retry_message.clone(),
                ),
                Some(Step::AskChoice {
                    options,
                    attribute,
                    max_retries,
                    retry_message,
                    ..
                }) => (
                    choice_reply(options, input.text.as_deref(), input.choice_id.as_deref()),
                    attribute.clone(),
                    *max_retries,
                    retry_message.clone(),
                ),
                // The flow changed under the session: go on from here.
                _ => (
                    Reply::Accept {
                        value: None,
                        next: None,
                    },
                    None,
                    0,
                    None,
                ),
            };
            match reply {
                Reply::Accept { value, next } => {
                    if let (Some(key), Some(v)) = (attribute, value) {
                        set_attribute(tx, conv, &key, &Value::String(v)).await?;
                    }
                    s.step = next.unwrap_or(s.step + 1);
                    s.waiting = None;
                    s.retries = 0;
                }
                Reply::Retry => {
                    if s.retries >= max_retries {
                        return handover(tx, bot, &mut s, conv, None, "no_valid_answer", None)
                            .await;
                    }
                    s.retries += 1;
                    let es = crate::businesses::current(tx)
                        .await?
                        .locale
                        .starts_with("es");
                    let default = match (&step, es) {
                        (Some(Step::AskChoice { .. }), true) => {
                            "Elige una de las opciones, por favor."
                        }
                        (Some(Step::AskChoice { .. }), false) => {
                            "Please choose one of the options."
                        }
                        (_, true) => "No lo he entendido. ¿Puedes escribirlo de nuevo?",
                        (_, false) => "Sorry, I did not get that. Could you write it again?",
                    };
                    say(
                        tx,
                        bot,
                        conv,
                        text_message(retry_message.as_deref().unwrap_or(default)),
                    )
                    .await?;
                    if let Some(Step::AskChoice {
                        prompt,
                        options,
                        button,
                        ..
                    }) = &step
                    {
                        say(
                            tx,
                            bot,
                            conv,
                            choice_message(prompt, options, button.as_deref()),
                        )
                        .await?;
                    }
                    return save(tx, &s).await;
                }
            }
        }
        None => {}
    }
    proceed(tx, bot, s, conv, input.text.as_deref()).await
}

/// Walk the flow from the session's step until it waits, hands over or ends.
async fn proceed(
    tx: &mut TenantTx,
    bot: &Bot,
    mut s: Session,
    conv: &Conv,
    text: Option<&str>,
) -> Result<()> {
    // Jumps may loop; a flow that runs this long without waiting is broken.
    for _ in 0..100 {
        let Some(step) = bot.steps.get(s.step).cloned() else {
            end(tx, &s, "contained", None).await?;
            return Ok(());
        };
        match step {
            Step::Greet { text } => {
                if !s.greeted_before {
                    say(tx, bot, conv, text_message(&text)).await?;
                }
                s.step += 1;
            }
            Step::AskText { prompt, .. } => {
                say(tx, bot, conv, text_message(&prompt)).await?;
                s.waiting = Some("text".into());
                return save(tx, &s).await;
            }
            Step::AskChoice {
                prompt,
                options,
                button,
                ..
            } => {
                say(
                    tx,
                    bot,
                    conv,
                    choice_message(&prompt, &options, button.as_deref()),
                )
                .await?;
                s.waiting = Some("choice".into());
                return save(tx, &s).await;
            }
            Step::SetAttribute { key, value } => {
                set_attribute(tx, conv, &key, &value).await?;
                s.step += 1;
            }
            Step::AddTag { tag_id } => {
                add_tag(tx, conv, tag_id).await?;
                s.step += 1;
            }
            Step::RouteToTeam { team_id, message } => {
                return handover(
                    tx,
                    bot,
                    &mut s,
                    conv,
                    Some(team_id),
                    "route_to_team",
                    message.as_deref(),
                )
                .await;
            }
            Step::Handover { message } => {
                return handover(
                    tx,
                    bot,
                    &mut s,
                    conv,
                    None,
                    "handover_step",
                    message.as_deref(),
                )
                .await;
            }
            Step::AnswerFromKb { .. } => {
                let question = text.map(str::trim).filter(|t| !t.is_empty());
                let hit = match question {
                    Some(q) => crate::knowledge::search(tx, q, 1)
                        .await?
                        .into_iter()
                        .next()
                        .filter(|m| m.confidence >= bot.kb_threshold),
                    None => None,
                };
                match hit {
                    Some(m) => {
                        say(tx, bot, conv, text_message(&m.entry.answer)).await?;
                        s.step += 1;
                    }
                    None => {
                        // A miss: the job asks the LLM provider (if any) and decides.
                        s.waiting = Some("intent".into());
                        save(tx, &s).await?;
                        let job = crate::jobs::NewJob::new(
                            BOT_INTENT,
                            &json!({ "session_id": s.id, "text": question }),
                        )?
                        .priority(15);
                        crate::jobs::enqueue(tx, job).await?;
                        return Ok(());
                    }
                }
            }
        }
    }
    handover(tx, bot, &mut s, conv, None, "flow_error", None).await
}

/// The `bot_intent` job's decision about a knowledge-base miss (`wants_person`: what the LLM
/// provider said; `None` without one or when it failed).
pub async fn resolve_miss(
    tx: &mut TenantTx,
    session: Uuid,
    wants_person: Option<bool>,
) -> Result<()> {
    let Some(mut s) = load_session(tx, session).await? else {
        return Ok(());
    };
    if s.waiting.as_deref() != Some("intent") {
        return Ok(());
    }
    let Some(conv) = load_conversation(tx, s.conversation_id).await? else {
        return Ok(());
    };
    let bot = fetch(tx, s.bot_id).await?;
    if wants_person == Some(true) {
        return handover(tx, &bot, &mut s, &conv, None, "llm_intent", None).await;
    }
    let (on_miss, miss_message) = match bot.steps.get(s.step) {
        Some(Step::AnswerFromKb {
            on_miss,
            miss_message,
        }) => (*on_miss, miss_message.clone()),
        _ => (OnMiss::Continue, None),
    };
    match on_miss {
        OnMiss::Handover => {
            handover(
                tx,
                &bot,
                &mut s,
                &conv,
                None,
                "no_kb_answer",
                miss_message.as_deref(),
            )
            .await
        }
        OnMiss::Continue => {
            if let Some(m) = &miss_message {
                say(tx, &bot, &conv, text_message(m)).await?;
            }
            s.waiting = None;
            s.step += 1;
            proceed(tx, &bot, s, &conv, None).await
        }
    }
}

/// A person took the conversation (an agent replied or it was assigned to someone): the bot
/// stops at once, so it never talks over them (`handed_over`, reason `agent_took_over`).
pub async fn person_took_over(tx: &mut TenantTx, conversation: Uuid) -> Result<()> {
    let Some(s) = active_session(tx, conversation).await? else {
        return Ok(());
    };
    end(tx, &s, "handed_over", Some("agent_took_over")).await?;
    diesel::update(c::table.filter(c::id.eq(conversation)))
        .set(c::handler.eq("human"))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// The conversation was resolved while its bot held it: `contained` (nobody had to step in), or
/// `abandoned` when the bot was still waiting for the customer's answer.
pub async fn resolved(tx: &mut TenantTx, conversation: Uuid) -> Result<()> {
    let Some(s) = active_session(tx, conversation).await? else {
        return Ok(());
    };
    let outcome = match s.waiting.as_deref() {
        Some("text" | "choice") => "abandoned",
        _ => "contained",
    };
    end(tx, &s, outcome, None).await?;
    diesel::update(c::table.filter(c::id.eq(conversation)))
        .set(c::handler.eq("human"))
        .execute(tx.pg())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(titles: &[&str]) -> Vec<ChoiceOption> {
        titles
            .iter()
            .map(|t| ChoiceOption {
                title: (*t).into(),
                value: None,
                next_step: None,
            })
            .collect()
    }

    #[test]
    fn handover_words_ignore_case_and_accents() {
        assert!(wants_human("Quiero hablar con un ASESOR"));
        assert!(wants_human("agent please"));
        assert!(wants_human("¿Hay algún humano?"));
        assert!(wants_human("Húmano!"));
        assert!(wants_human("OPERADORA"));
        assert!(!wants_human("mi pedido 123456"));
        assert!(!wants_human("personal data"));
        assert!(!wants_human(""));
    }

    #[test]
    fn text_answers_are_checked_against_the_pattern() {
        assert_eq!(
            text_reply(Some(r"\d{6}"), Some("es el 123456, gracias")),
            Reply::Accept {
                value: Some("123456".into()),
                next: None
            }
        );
        assert_eq!(text_reply(Some(r"\d{6}"), Some("no lo sé")), Reply::Retry);
        assert_eq!(text_reply(None, Some("  ")), Reply::Retry);
        assert_eq!(
            text_reply(None, Some(" anything ")),
            Reply::Accept {
                value: Some("anything".into()),
                next: None
            }
        );
    }

    #[test]
    fn choices_by_button_title_or_number() {
        let mut o = opts(&["Billing", "Soporte técnico", "Sales"]);
        o[1].value = Some("tech".into());
        o[2].next_step = Some(4);
        assert_eq!(
            choice_reply(&o, Some("whatever"), Some("opt_1")),
            Reply::Accept {
                value: Some("Billing".into()),
                next: None
            }
        );
        assert_eq!(
            choice_reply(&o, Some("soporte TECNICO"), None),
            Reply::Accept {
                value: Some("tech".into()),
                next: None
            }
        );
        assert_eq!(
            choice_reply(&o, Some("3"), None),
            Reply::Accept {
                value: Some("Sales".into()),
                next: Some(4)
            }
        );
        assert_eq!(choice_reply(&o, Some("7"), None), Reply::Retry);
        assert_eq!(choice_reply(&o, Some("hmm"), Some("opt_9")), Reply::Retry);
    }

    #[test]
    fn few_options_are_buttons_and_many_a_list() {
        assert!(matches!(
            choice_message("Pick", &opts(&["a", "b", "c"]), None),
            NewMessage::Buttons { .. }
        ));
        let NewMessage::List {
            sections, button, ..
        } = choice_message("Pick", &opts(&["a", "b", "c", "d"]), Some("Ver"))
        else {
            panic!("a list")
        };
        assert_eq!(button, "Ver");
        assert_eq!(sections[0].rows.len(), 4);
        assert_eq!(sections[0].rows[3].id, "opt_4");
    }

    #[test]
    fn flows_are_checked() {
        let ok: Vec<Step> = serde_json::from_value(json!([
            {"type": "greet", "text": "Hola"},
            {"type": "ask_text", "prompt": "Order number?", "pattern": "[0-9]{6}", "attribute": "order_number"},
            {"type": "ask_choice", "prompt": "Topic?", "options": [{"title": "Billing", "next_step": 3}, {"title": "Other"}]},
            {"type": "set_attribute", "key": "vip", "value": true},
            {"type": "answer_from_kb", "on_miss": "continue"},
            {"type": "handover", "message": "A person will answer"}
        ]))
        .unwrap();
        assert!(check_steps(&ok).is_ok());
        let bad = |v: Value| check_steps(&serde_json::from_value::<Vec<Step>>(v).unwrap());
        let field = |r: Result<()>| match r {
            Err(Error::Invalid { fields, .. }) => fields.keys().next().cloned().unwrap_or_default(),
            _ => String::new(),
        };
        assert_eq!(
            field(bad(
                json!([{"type": "ask_text", "prompt": "x", "pattern": "(["}])
            )),
            "steps[0].pattern"
        );
        assert_eq!(
            field(bad(
                json!([{"type": "ask_choice", "prompt": "x", "options": [{"title": "a", "next_step": 5}]}])
            )),
            "steps[0].options[0].next_step"
        );
        assert_eq!(
            field(bad(
                json!([{"type": "ask_choice", "prompt": "x", "options": [{"title": "a very long button title"}]}])
            )),
            "steps[0].options[0].title"
        );
        assert_eq!(
            field(bad(
                json!([{"type": "set_attribute", "key": "Bad Key", "value": 1}])
            )),
            "steps[0].key"
        );
        assert_eq!(
            field(bad(
                json!([{"type": "set_attribute", "key": "k", "value": {"a": 1}}])
            )),
            "steps[0].value"
        );
        assert_eq!(
            field(bad(json!([{"type": "greet", "text": " "}]))),
            "steps[0].text"
        );
        assert!(serde_json::from_value::<Vec<Step>>(json!([{"type": "dance"}])).is_err());
        assert!(
            serde_json::from_value::<Vec<Step>>(
                json!([{"type": "greet", "text": "x", "extra": 1}])
            )
            .is_err()
        );
    }

    #[test]
    fn reasons_have_words_in_both_languages() {
        for code in [
            "asked_for_person",
            "route_to_team",
            "handover_step",
            "no_kb_answer",
            "llm_intent",
            "no_valid_answer",
            "bot_disabled",
            "agent_took_over",
        ] {
            assert_ne!(reason_words(code, false), reason_words("?", false));
            assert_ne!(reason_words(code, true), reason_words("?", true));
        }
    }
}
