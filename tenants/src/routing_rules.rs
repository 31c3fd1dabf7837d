//! Routing rules: a business's ordered list of "when a new conversation matches ALL of these
//! conditions, do these actions". Rules run at ingest, for new conversations only, in the same
//! transaction that opened the conversation and before the number's default team: the FIRST
//! enabled rule (by position) whose conditions all hold wins and no later rule is looked at. A
//! rule with no conditions matches every new conversation (a catch-all at the end of the list).
//!
//! Conditions look at the conversation's first inbound message (`keywords`: any of the words or
//! phrases, case- and accent-insensitive, whole words; `regex`: the pattern, case-insensitive;
//! `language`: en or es by a stop-word count, see [`detect_language`]), the contact (`contact_tag`,
//! `contact_attribute` equal to a value), the `number` it arrived on, whether it came from a
//! click-to-WhatsApp ad (`ad_referral`, optionally one ad's `source_id`) and `business_hours`
//! (inside or outside the schedule that applies to the number; no schedule counts as inside).
//!
//! Actions: `set_team` (overrides the number's default team), `add_tag`, `set_priority`,
//! `assign` (an active member, regardless of presence or capacity: the admin chose them), and
//! `bot` (the conversation's handler becomes the bot, which keeps automatic assignment away).
//! Every applied action writes a timeline item naming the rule ("Routing rule “VIP” set the team
//! to Billing"). Ids inside rules are checked against the business on write (another business's
//! ids are simply unknown: 422); a team, tag or member deleted later makes ingest skip that
//! action rather than fail, so a stale rule can never lose a customer's message.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use crate::activity::{Activity, RuleChange};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{
    contact_tags as ct, contacts as k, conversation_tags as cvt, conversations as c, memberships,
    messages as m, routing_rules as r, tags, teams, whatsapp_numbers as n,
};

/// Most rules a business may have.
pub const MAX_RULES: i64 = 100;
/// Longest regex pattern accepted.
const MAX_PATTERN: usize = 500;
/// Compiled-program size limit for a regex (a pattern that blows up is refused on write).
const REGEX_SIZE_LIMIT: usize = 256 * 1024;
const PRIORITIES: [&str; 5] = ["none", "low", "medium", "high", "urgent"];

/// One condition of a rule (all of a rule's conditions must hold).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The first message contains any of these words or phrases (case/accent-insensitive).
    Keywords { keywords: Vec<String> },
    /// The first message matches this regular expression (case-insensitive).
    Regex { pattern: String },
    /// The first message is in this language: `en` or `es`.
    Language { language: String },
    /// The contact has this contact tag.
    ContactTag { tag_id: Uuid },
    /// The contact's custom attribute `key` equals `value` (a string, number or boolean;
    /// strings compare case-insensitively).
    ContactAttribute {
        key: String,
        #[schema(value_type = Object)]
        value: Value,
    },
    /// The conversation arrived on this number.
    Number { number_id: Uuid },
    /// The conversation came from a click-to-WhatsApp ad (with `source_id`: that ad only).
    AdReferral {
        #[serde(default)]
        source_id: Option<String>,
    },
    /// The conversation started `inside` or `outside` business hours.
    BusinessHours { when: String },
}

/// One action of a rule, applied in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    SetTeam {
        team_id: Uuid,
    },
    AddTag {
        tag_id: Uuid,
    },
    /// none, low, medium, high or urgent
    SetPriority {
        priority: String,
    },
    /// An active member (membership id).
    Assign {
        membership_id: Uuid,
    },
    /// The number's bot handles the conversation (no automatic assignment until it hands over).
    Bot,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rule {
    pub id: Uuid,
    pub name: String,
    /// 1-based order; the first matching enabled rule wins.
    pub position: i32,
    pub enabled: bool,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleList {
    pub items: Vec<Rule>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    /// 1 to 80 characters.
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// All must hold; none matches every new conversation. At most 20.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// 1 to 10.
    pub actions: Vec<Action>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleChanges {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub conditions: Option<Vec<Condition>>,
    pub actions: Option<Vec<Action>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleOrder {
    /// Every rule's id, in the new order.
    pub ids: Vec<Uuid>,
}

type Row = (
    Uuid,
    String,
    i32,
    bool,
    Value,
    Value,
    DateTime<Utc>,
    DateTime<Utc>,
);

macro_rules! rule_columns {
    () => {
        (
            r::id,
            r::name,
            r::position,
            r::enabled,
            r::conditions,
            r::actions,
            r::created_at,
            r::updated_at,
        )
    };
}

/// Stored rules were validated on write; anything unreadable (a newer version's condition)
/// reads as an empty list of actions, so the rule does nothing rather than fail ingest.
fn to_rule(row: Row) -> Rule {
    Rule {
        id: row.0,
        name: row.1,
        position: row.2,
        enabled: row.3,
        conditions: serde_json::from_value(row.4).unwrap_or_default(),
        actions: serde_json::from_value(row.5).unwrap_or_default(),
        created_at: row.6,
        updated_at: row.7,
    }
}

fn require(actor: &Actor) -> Result<()> {
    actor.require(Permission::SettingsManage)
}

/// Lowercase, strip accents (NFD, then drop combining marks) and split into words.
pub fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|ch| !unicode_normalization::char::is_combining_mark(*ch))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Does `text` contain `phrase` as whole words (case- and accent-insensitive)?
fn contains_phrase(text: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase)
}

/// A contact attribute against a rule's wanted value: strings compare trimmed and
/// case-insensitively; a string against a number or boolean compares with its JSON text, so an
/// attribute imported from CSV as `"5"` still matches a rule that wants `5`.
fn attribute_matches(actual: &Value, wanted: &Value) -> bool {
    match (actual, wanted) {
        (Value::String(a), Value::String(b)) => a.trim().to_lowercase() == b.trim().to_lowercase(),
        (Value::String(text), other) | (other, Value::String(text)) => {
            let rendered = other.to_string();
            text.trim() == rendered
        }
        (a, b) => a == b,
    }
}

const EN_STOP: &[&str] = &[
    "the", "and", "is", "are", "you", "your", "my", "i", "to", "of", "for", "with", "have", "do",
    "does", "can", "what", "how", "hello", "hi", "please", "thanks", "thank", "want", "need",
    "order", "this", "that", "it", "in", "on", "be", "was", "not", "would", "like", "there",
];
const ES_STOP: &[&str] = &[
    "el", "la", "los", "las", "y", "es", "son", "que", "de", "del", "por", "para", "con", "un",
    "una", "mi", "tu", "su", "hola", "gracias", "quiero", "necesito", "como", "donde", "cuando",
    "pedido", "esto", "eso", "en", "no", "si", "hay", "tengo", "puedo", "buenos", "buenas", "dias",
    "tardes", "favor", "precio", "esta", "estoy",
];

/// `en` or `es` from a small stop-word count over the (accent-folded) words: the language with
/// more hits wins, `¿`/`¡`/`ñ` count for Spanish; no hits or a tie is unknown (`None`). Good
/// enough for the first line of a chat, which is what routing needs; no model, no network.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let ws = words(text);
    let en = ws.iter().filter(|w| EN_STOP.contains(&w.as_str())).count();
    let mut es = ws.iter().filter(|w| ES_STOP.contains(&w.as_str())).count();
    if text.contains(['¿', '¡', 'ñ', 'Ñ']) {
        es += 1;
    }
    match en.cmp(&es) {
        std::cmp::Ordering::Greater => Some("en"),
        std::cmp::Ordering::Less => Some("es"),
        std::cmp::Ordering::Equal => None,
    }
}

fn build_regex(pattern: &str) -> std::result::Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

fn check_name(name: &str) -> Result<String> {
    let t = name.trim();
    if t.is_empty() || t.chars().count() > 80 {
        return Err(Error::invalid(
            "name",
            "A rule's name has 1 to 80 characters.",
        ));
    }
    Ok(t.to_owned())
}

/// Is there at least one row? (`$q` is a filtered table.)
macro_rules! exists {
    ($tx:expr, $q:expr) => {{
        let found: i64 = $q.count().get_result($tx.pg()).await?;
        found > 0
    }};
}

/// Check every condition (normalising what is kept) and say which field is wrong.
async fn check_conditions(tx: &mut TenantTx, conds: Vec<Condition>) -> Result<Vec<Condition>> {
    if conds.len() > 20 {
        return Err(Error::invalid(
            "conditions",
            "A rule has at most 20 conditions.",
        ));
    }
    let mut out = Vec::with_capacity(conds.len());
    for (i, cond) in conds.into_iter().enumerate() {
        let field = |f: &str| format!("conditions[{i}].{f}");
        let cond = match cond {
            Condition::Keywords { keywords } => {
                let kept: Vec<String> = keywords
                    .iter()
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .collect();
                if kept.is_empty() || kept.len() > 50 {
                    return Err(Error::invalid(&field("keywords"), "List 1 to 50 keywords."));
                }
                if kept
                    .iter()
                    .any(|k| k.chars().count() > 100 || words(k).is_empty())
                {
                    return Err(Error::invalid(
                        &field("keywords"),
                        "Each keyword has 1 to 100 characters and at least one letter or digit.",
                    ));
                }
                Condition::Keywords { keywords: kept }
            }
            Condition::Regex { pattern } => {
                if pattern.is_empty() || pattern.len() > MAX_PATTERN {
                    return Err(Error::invalid(
                        &field("pattern"),
                        format!("A pattern has 1 to {MAX_PATTERN} characters."),
                    ));
                }
                if let Err(e) = build_regex(&pattern) {
                    let why = match e {
                        regex::Error::CompiledTooBig(_) => "the pattern is too complex".to_owned(),
                        other => other.to_string(),
                    };
                    return Err(Error::invalid(
                        &field("pattern"),
                        format!("This is not a valid regular expression: {why}"),
                    ));
                }
                Condition::Regex { pattern }
            }
            Condition::Language { language } => {
                let l = language.trim().to_ascii_lowercase();
                if l != "en" && l != "es" {
                    return Err(Error::invalid(
                        &field("language"),
                        "The language is en or es.",
                    ));
                }
                Condition::Language { language: l }
            }
            Condition::ContactTag { tag_id } => {
                if !exists!(tx, tags::table.filter(tags::id.eq(tag_id))) {
                    return Err(Error::invalid(&field("tag_id"), "There is no such tag."));
                }
                Condition::ContactTag { tag_id }
            }
            Condition::ContactAttribute { key, value } => {
                let key = key.trim().to_owned();
                if key.is_empty() || key.chars().count() > 64 {
                    return Err(Error::invalid(
                        &field("key"),
                        "An attribute key has 1 to 64 characters.",
                    ));
                }
                let ok = match &value {
                    Value::String(s) => s.chars().count() <= 500,
                    Value::Number(_) | Value::Bool(_) => true,
                    _ => false,
                };
                if !ok {
                    return Err(Error::invalid(
                        &field("value"),
                        "The value is a string (at most 500 characters), a number or a boolean.",
                    ));
                }
                Condition::ContactAttribute { key, value }
            }
            Condition::Number { number_id } => {
                if !exists!(tx, n::table.filter(n::id.eq(number_id))) {
                    return Err(Error::invalid(
                        &field("number_id"),
                        "There is no such number.",
                    ));
                }
                Condition::Number { number_id }
            }
            Condition::AdReferral { source_id } => {
                let source_id = source_id
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty());
                if source_id.as_ref().is_some_and(|s| s.len() > 100) {
                    return Err(Error::invalid(
                        &field("source_id"),
                        "An ad id has at most 100 characters.",
                    ));
                }
                Condition::AdReferral { source_id }
            }
            Condition::BusinessHours { when } => {
                if when != "inside" && when != "outside" {
                    return Err(Error::invalid(&field("when"), "Say inside or outside."));
                }
                Condition::BusinessHours { when }
            }
        };
        out.push(cond);
    }
    Ok(out)
}

async fn check_actions(tx: &mut TenantTx, actions: Vec<Action>) -> Result<Vec<Action>> {
    if actions.is_empty() || actions.len() > 10 {
        return Err(Error::invalid("actions", "A rule has 1 to 10 actions."));
    }
    for (i, action) in actions.iter().enumerate() {
        let field = |f: &str| format!("actions[{i}].{f}");
        match action {
            Action::SetTeam { team_id } => {
                if !exists!(tx, teams::table.filter(teams::id.eq(*team_id))) {
                    return Err(Error::invalid(&field("team_id"), "There is no such team."));
                }
            }
            Action::AddTag { tag_id } => {
                if !exists!(tx, tags::table.filter(tags::id.eq(*tag_id))) {
                    return Err(Error::invalid(&field("tag_id"), "There is no such tag."));
                }
            }
            Action::SetPriority { priority } => {
                if !PRIORITIES.contains(&priority.as_str()) {
                    return Err(Error::invalid(
                        &field("priority"),
                        "The priority is none, low, medium, high or urgent.",
                    ));
                }
            }
            Action::Assign { membership_id } => {
                let q = memberships::table
                    .filter(memberships::id.eq(*membership_id))
                    .filter(memberships::status.eq("active"));
                if !exists!(tx, q) {
                    return Err(Error::invalid(
                        &field("membership_id"),
                        "There is no such active agent.",
                    ));
                }
            }
            Action::Bot => {}
        }
    }
    Ok(actions)
}

fn json_of<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(e.into()))
}

/// Every rule, in order.
pub async fn list(tx: &mut TenantTx, actor: &Actor) -> Result<RuleList> {
    require(actor)?;
    let rows: Vec<Row> = r::table
        .order((r::position, r::created_at))
        .select(rule_columns!())
        .load(tx.pg())
        .await?;
    Ok(RuleList {
        items: rows.into_iter().map(to_rule).collect(),
    })
}

async fn fetch(tx: &mut TenantTx, id: Uuid) -> Result<Rule> {
    let row: Option<Row> = r::table
        .filter(r::id.eq(id))
        .select(rule_columns!())
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_rule).ok_or(Error::NotFound("routing rule"))
}

/// Add a rule at the end of the list.
pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewRule) -> Result<Rule> {
    require(actor)?;
    let name = check_name(&input.name)?;
    let conditions = check_conditions(tx, input.conditions).await?;
    let actions = check_actions(tx, input.actions).await?;
    let (count, last): (i64, Option<i32>) = r::table
        .select((diesel::dsl::count_star(), diesel::dsl::max(r::position)))
        .first(tx.pg())
        .await?;
    if count >= MAX_RULES {
        return Err(Error::conflict(
            "too_many_rules",
            format!("A business has at most {MAX_RULES} routing rules."),
        ));
    }
    let id = Uuid::now_v7();
    diesel::insert_into(r::table)
        .values((
            r::tenant_id.eq(tx.tenant_id()),
            r::id.eq(id),
            r::name.eq(&name),
            r::position.eq(last.unwrap_or(0) + 1),
            r::enabled.eq(input.enabled),
            r::conditions.eq(json_of(&conditions)?),
            r::actions.eq(json_of(&actions)?),
        ))
        .execute(tx.pg())
        .await?;
    fetch(tx, id).await
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    changes: RuleChanges,
) -> Result<Rule> {
    require(actor)?;
    let current = fetch(tx, id).await?;
    let name = match changes.name.as_deref() {
        Some(n) => check_name(n)?,
        None => current.name,
    };
    let conditions = match changes.conditions {
        Some(cs) => check_conditions(tx, cs).await?,
        None => current.conditions,
    };
    let actions = match changes.actions {
        Some(a) => check_actions(tx, a).await?,
        None => current.actions,
    };
    diesel::update(r::table.filter(r::id.eq(id)))
        .set((
            r::name.eq(&name),
            r::enabled.eq(changes.enabled.unwrap_or(current.enabled)),
            r::conditions.eq(json_of(&conditions)?),
            r::actions.eq(json_of(&actions)?),
            r::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    fetch(tx, id).await
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<()> {
    require(actor)?;
    let gone = diesel::delete(r::table.filter(r::id.eq(id)))
        .execute(tx.pg())
        .await?;
    if gone == 0 {
        return Err(Error::NotFound("routing rule"));
    }
    Ok(())
}

/// Put the rules in this order; `ids` must name every rule exactly once.
pub async fn reorder(tx: &mut TenantTx, actor: &Actor, order: RuleOrder) -> Result<RuleList> {
    require(actor)?;
    let existing: Vec<Uuid> = r::table.select(r::id).for_update().load(tx.pg()).await?;
    let have: HashSet<Uuid> = existing.iter().copied().collect();
    let given: HashSet<Uuid> = order.ids.iter().copied().collect();
    if given.len() != order.ids.len() || given != have {
        return Err(Error::invalid(
            "ids",
            "List every rule's id exactly once, in the new order.",
        ));
    }
    for (i, id) in order.ids.iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        diesel::update(r::table.filter(r::id.eq(*id)))
            .set(r::position.eq(position))
            .execute(tx.pg())
            .await?;
    }
    list(tx, actor).await
}

/// What the conditions look at, for one new conversation.
struct Facts {
    number_id: Uuid,
    first_message: String,
    referral: Option<Value>,
    attributes: Value,
    contact_tags: HashSet<Uuid>,
    open_now: bool,
}

impl Facts {
    fn matches(&self, cond: &Condition, compiled: &HashMap<String, regex::Regex>) -> bool {
        match cond {
            Condition::Keywords { keywords } => {
                let text = words(&self.first_message);
                keywords.iter().any(|k| contains_phrase(&text, &words(k)))
            }
            Condition::Regex { pattern } => compiled
                .get(pattern)
                .is_some_and(|re| re.is_match(&self.first_message)),
            Condition::Language { language } => {
                detect_language(&self.first_message) == Some(language.as_str())
            }
            Condition::ContactTag { tag_id } => self.contact_tags.contains(tag_id),
            Condition::ContactAttribute { key, value } => self
                .attributes
                .get(key)
                .is_some_and(|actual| attribute_matches(actual, value)),
            Condition::Number { number_id } => self.number_id == *number_id,
            Condition::AdReferral { source_id } => {
                let Some(r) = self.referral.as_ref() else {
                    return false;
                };
                let from_ad = r.get("source_type").and_then(Value::as_str) == Some("ad");
                from_ad
                    && source_id.as_ref().is_none_or(|want| {
                        r.get("source_id").and_then(Value::as_str) == Some(want.as_str())
                    })
            }
            Condition::BusinessHours { when } => (when == "inside") == self.open_now,
        }
    }
}

async fn facts(
    tx: &mut TenantTx,
    conversation: Uuid,
    hours: &mut HashMap<Uuid, bool>,
) -> Result<Option<Facts>> {
    let row: Option<(Uuid, Uuid, Option<Value>, Value)> = c::table
        .inner_join(k::table.on(k::tenant_id.eq(c::tenant_id).and(k::id.eq(c::contact_id))))
        .filter(c::id.eq(conversation))
        .select((c::number_id, c::contact_id, c::referral, k::attributes))
        .first(tx.pg())
        .await
        .optional()?;
    let Some((number_id, contact_id, referral, attributes)) = row else {
        return Ok(None);
    };
    let first: Option<Option<String>> = m::table
        .filter(m::conversation_id.eq(conversation))
        .filter(m::direction.eq("inbound"))
        .order((m::sent_at.asc(), m::id.asc()))
        .select(m::body)
        .first(tx.pg())
        .await
        .optional()?;
    let contact_tags: HashSet<Uuid> = ct::table
        .filter(ct::contact_id.eq(contact_id))
        .select(ct::tag_id)
        .load::<Uuid>(tx.pg())
        .await?
        .into_iter()
        .collect();
    let open_now = match hours.get(&number_id) {
        Some(o) => *o,
        None => {
            let o = crate::hours::open_at(tx, number_id, Utc::now())
                .await?
                .unwrap_or(true);
            hours.insert(number_id, o);
            o
        }
    };
    Ok(Some(Facts {
        number_id,
        first_message: first.flatten().unwrap_or_default(),
        referral,
        attributes,
        contact_tags,
        open_now,
    }))
}

/// What running the rules on new conversations did.
#[derive(Debug, Default, Clone)]
pub struct Applied {
    /// Conversation -> the rule that matched it.
    pub matched: HashMap<Uuid, Uuid>,
    /// Teams whose queue should be looked at.
    pub teams: Vec<Uuid>,
}

/// Run the business's enabled rules on these new conversations (ingest, same transaction,
/// before the number's default team). One cheap read when the business has no rules.
pub async fn apply(tx: &mut TenantTx, new_conversations: &[Uuid]) -> Result<Applied> {
    let mut out = Applied::default();
    if new_conversations.is_empty() {
        return Ok(out);
    }
    let rows: Vec<Row> = r::table
        .filter(r::enabled.eq(true))
        .order((r::position, r::created_at))
        .select(rule_columns!())
        .load(tx.pg())
        .await?;
    if rows.is_empty() {
        return Ok(out);
    }
    let rules: Vec<Rule> = rows.into_iter().map(to_rule).collect();
    let mut compiled: HashMap<String, regex::Regex> = HashMap::new();
    for rule in &rules {
        for cond in &rule.conditions {
            if let Condition::Regex { pattern } = cond
                && !compiled.contains_key(pattern)
                && let Ok(re) = build_regex(pattern)
            {
                compiled.insert(pattern.clone(), re);
            }
        }
    }
    let mut hours = HashMap::new();
    for conv in new_conversations {
        let Some(f) = facts(tx, *conv, &mut hours).await? else {
            continue;
        };
        let Some(rule) = rules
            .iter()
            .find(|rule| rule.conditions.iter().all(|cd| f.matches(cd, &compiled)))
        else {
            continue;
        };
        out.matched.insert(*conv, rule.id);
        for action in &rule.actions {
            if let Some(team) = act(tx, *conv, &rule.name, action).await? {
                out.teams.push(team);
            }
        }
    }
    out.teams.sort();
    out.teams.dedup();
    Ok(out)
}

/// Apply one action (skipped when its target is gone); returns a team to schedule.
async fn act(tx: &mut TenantTx, conv: Uuid, rule: &str, action: &Action) -> Result<Option<Uuid>> {
    let now = Utc::now();
    let mut team_to_schedule = None;
    let change = match action {
        Action::SetTeam { team_id } => {
            let name: Option<String> = teams::table
                .filter(teams::id.eq(*team_id))
                .select(teams::name)
                .first(tx.pg())
                .await
                .optional()?;
            let Some(name) = name else { return Ok(None) };
            diesel::update(c::table.filter(c::id.eq(conv)))
                .set((c::team_id.eq(Some(*team_id)), c::updated_at.eq(now)))
                .execute(tx.pg())
                .await?;
            team_to_schedule = Some(*team_id);
            RuleChange::Team { team: name }
        }
        Action::AddTag { tag_id } => {
            let name: Option<String> = tags::table
                .filter(tags::id.eq(*tag_id))
                .select(tags::name)
                .first(tx.pg())
                .await
                .optional()?;
            let Some(name) = name else { return Ok(None) };
            diesel::insert_into(cvt::table)
                .values((
                    cvt::tenant_id.eq(tx.tenant_id()),
                    cvt::conversation_id.eq(conv),
                    cvt::tag_id.eq(*tag_id),
                ))
                .on_conflict_do_nothing()
                .execute(tx.pg())
                .await?;
            RuleChange::Tag { tag: name }
        }
        Action::SetPriority { priority } => {
            if !PRIORITIES.contains(&priority.as_str()) {
                return Ok(None);
            }
            diesel::update(c::table.filter(c::id.eq(conv)))
                .set((c::priority.eq(priority), c::updated_at.eq(now)))
                .execute(tx.pg())
                .await?;
            RuleChange::Priority {
                priority: priority.clone(),
            }
        }
        Action::Assign { membership_id } => {
            let active = memberships::table
                .filter(memberships::id.eq(*membership_id))
                .filter(memberships::status.eq("active"));
            if !exists!(tx, active) {
                return Ok(None);
            }
            let name = crate::conversations::member_names(tx, &[*membership_id])
                .await?
                .remove(membership_id)
                .unwrap_or_default();
            diesel::update(c::table.filter(c::id.eq(conv)))
                .set((
                    c::assignee_id.eq(Some(*membership_id)),
                    c::updated_at.eq(now),
                ))
                .execute(tx.pg())
                .await?;
            let item = crate::activity::record(
                tx,
                conv,
                None,
                Activity::RuleApplied {
                    rule: rule.to_owned(),
                    change: RuleChange::Assignee { to: name },
                },
            )
            .await?;
            crate::notifications::notify(
                tx,
                crate::notifications::Notice {
                    recipient: *membership_id,
                    kind: "assigned",
                    conversation_id: conv,
                    message_id: Some(item),
                    actor_id: None,
                    body: format!("Routing rule “{rule}” assigned a conversation to you."),
                },
            )
            .await?;
            return Ok(None);
        }
        Action::Bot => {
            diesel::update(c::table.filter(c::id.eq(conv)))
                .set((c::handler.eq("bot"), c::updated_at.eq(now)))
                .execute(tx.pg())
                .await?;
            RuleChange::Bot
        }
    };
    crate::activity::record(
        tx,
        conv,
        None,
        Activity::RuleApplied {
            rule: rule.to_owned(),
            change,
        },
    )
    .await?;
    Ok(team_to_schedule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_accents() {
        assert_eq!(words("¡Hola! ¿Envío GRATIS?"), ["hola", "envio", "gratis"]);
        let text = words("I need a Refund, please");
        assert!(contains_phrase(&text, &words("refund")));
        assert!(contains_phrase(&text, &words("A REFUND")));
        assert!(!contains_phrase(&text, &words("fund")));
    }

    #[test]
    fn languages_by_stop_words() {
        assert_eq!(detect_language("Hola, quiero saber el precio"), Some("es"));
        assert_eq!(
            detect_language("Hi, I want to know the price of this"),
            Some("en")
        );
        assert_eq!(detect_language("¿Precio?"), Some("es"));
        assert_eq!(detect_language("12345"), None);
    }

    #[test]
    fn conditions_and_actions_parse_tagged() {
        let c: Condition =
            serde_json::from_str(r#"{"type": "business_hours", "when": "outside"}"#).unwrap();
        assert_eq!(
            c,
            Condition::BusinessHours {
                when: "outside".into()
            }
        );
        let a: Action = serde_json::from_str(r#"{"type": "bot"}"#).unwrap();
        assert_eq!(a, Action::Bot);
        assert!(serde_json::from_str::<Condition>(r#"{"type": "regex", "x": 1}"#).is_err());
        assert!(build_regex("(unclosed").is_err());
        assert!(build_regex(r"\w{1000}{1000}").is_err());
    }
}
