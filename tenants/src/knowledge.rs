//! The knowledge base: a business's questions and answers, which its bots answer customers from
//! and which feed suggested replies.
//!
//! Search is Postgres full-text search over a generated `tsvector` (English || Spanish, like
//! message search; question and keywords weigh A, the answer C). A customer writes sentences,
//! not queries, so the words of the text are OR-ed (any may match) and each match gets a
//! **confidence** in 0..1:
//!
//! ```text
//! confidence = coverage × rank / (rank + 1)
//! rank     = ts_rank_cd(search, any-word query)          (cover density, weights A=1, C=0.4)
//! coverage = query lexemes found in the entry / query lexemes
//! ```
//!
//! `rank / (rank + 1)` is `ts_rank_cd`'s own normalisation 32, which maps any rank into 0..1;
//! multiplying by coverage keeps one shared common word from looking like an answer: the same
//! question scores about 0.8, half its words about 0.35, an unrelated text 0. Bots answer only
//! at or above their `kb_threshold` (0.5 by default).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Double, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::kb_entries as kb;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KbEntry {
    pub id: Uuid,
    pub question: String,
    pub answer: String,
    /// Other words customers use for this question (they weigh like the question).
    pub keywords: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKbEntry {
    /// 1 to 500 characters.
    pub question: String,
    /// 1 to 4096 characters: what the bot sends.
    pub answer: String,
    /// At most 30 keywords of at most 40 characters each.
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KbChanges {
    pub question: Option<String>,
    pub answer: Option<String>,
    pub keywords: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KbList {
    pub items: Vec<KbEntry>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct KbQuery {
    /// What a customer might write (1 to 500 characters).
    pub q: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KbMatch {
    pub entry: KbEntry,
    /// 0..1; see the module documentation.
    pub confidence: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KbSearch {
    pub items: Vec<KbMatch>,
}

type Row = (Uuid, String, String, String, DateTime<Utc>);

fn split_keywords(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

fn to_entry(r: Row) -> KbEntry {
    KbEntry {
        id: r.0,
        question: r.1,
        answer: r.2,
        keywords: split_keywords(&r.3),
        updated_at: r.4,
    }
}

fn check_text(field: &str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > max {
        return Err(Error::invalid(
            field,
            format!("Write 1 to {max} characters."),
        ));
    }
    Ok(t.to_owned())
}

fn check_keywords(keywords: &[String]) -> Result<String> {
    if keywords.len() > 30 {
        return Err(Error::invalid("keywords", "At most 30 keywords."));
    }
    let mut out: Vec<String> = Vec::new();
    for k in keywords {
        let k = k.trim();
        if k.is_empty() {
            continue;
        }
        if k.chars().count() > 40 || k.contains(',') {
            return Err(Error::invalid(
                "keywords",
                "A keyword has at most 40 characters and no commas.",
            ));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(k)) {
            out.push(k.to_owned());
        }
    }
    Ok(out.join(", "))
}

fn require_read(actor: &Actor) -> Result<()> {
    actor.require_any(&[
        Permission::SettingsManage,
        Permission::ConversationsReadAll,
        Permission::ConversationsReadAssigned,
    ])
}

macro_rules! kb_columns {
    () => {
        (
            kb::id,
            kb::question,
            kb::answer,
            kb::keywords,
            kb::updated_at,
        )
    };
}

pub async fn list(tx: &mut TenantTx, actor: &Actor) -> Result<KbList> {
    require_read(actor)?;
    let rows: Vec<Row> = kb::table
        .select(kb_columns!())
        .order(kb::question)
        .limit(1000)
        .load(tx.pg())
        .await?;
    Ok(KbList {
        items: rows.into_iter().map(to_entry).collect(),
    })
}

async fn fetch(tx: &mut TenantTx, id: Uuid) -> Result<KbEntry> {
    let row: Option<Row> = kb::table
        .filter(kb::id.eq(id))
        .select(kb_columns!())
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_entry)
        .ok_or(Error::NotFound("knowledge base entry"))
}

pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewKbEntry) -> Result<KbEntry> {
    actor.require(Permission::SettingsManage)?;
    let question = check_text("question", &input.question, 500)?;
    let answer = check_text("answer", &input.answer, 4096)?;
    let keywords = check_keywords(&input.keywords)?;
    let id = Uuid::now_v7();
    diesel::insert_into(kb::table)
        .values((
            kb::tenant_id.eq(tx.tenant_id()),
            kb::id.eq(id),
            kb::question.eq(&question),
            kb::answer.eq(&answer),
            kb::keywords.eq(&keywords),
        ))
        .execute(tx.pg())
        .await?;
    fetch(tx, id).await
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    changes: KbChanges,
) -> Result<KbEntry> {
    actor.require(Permission::SettingsManage)?;
    let current = fetch(tx, id).await?;
    let question = match changes.question.as_deref() {
        Some(q) => check_text("question", q, 500)?,
        None => current.question,
    };
    let answer = match changes.answer.as_deref() {
        Some(a) => check_text("answer", a, 4096)?,
        None => current.answer,
    };
    let keywords = check_keywords(changes.keywords.as_deref().unwrap_or(&current.keywords))?;
    diesel::update(kb::table.filter(kb::id.eq(id)))
        .set((
            kb::question.eq(&question),
            kb::answer.eq(&answer),
            kb::keywords.eq(&keywords),
            kb::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    fetch(tx, id).await
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(Permission::SettingsManage)?;
    let gone = diesel::delete(kb::table.filter(kb::id.eq(id)))
        .execute(tx.pg())
        .await?;
    if gone == 0 {
        return Err(Error::NotFound("knowledge base entry"));
    }
    Ok(())
}

/// The "try it" search of the settings page (and of agents looking for an answer).
pub async fn search_for(tx: &mut TenantTx, actor: &Actor, q: &KbQuery) -> Result<KbSearch> {
    require_read(actor)?;
    let text = q.q.as_deref().map(str::trim).unwrap_or("");
    if text.is_empty() || text.chars().count() > 500 {
        return Err(Error::invalid("q", "Search for 1 to 500 characters."));
    }
    Ok(KbSearch {
        items: search(tx, text, 5).await?,
    })
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    question: String,
    #[diesel(sql_type = Text)]
    answer: String,
    #[diesel(sql_type = Text)]
    keywords: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = Double)]
    confidence: f64,
}

/// The best entries for a customer's text, most confident first (no permission: the bot and the
/// suggested-reply helper call it for a conversation already checked).
pub async fn search(tx: &mut TenantTx, text: &str, limit: i64) -> Result<Vec<KbMatch>> {
    let text: String = text.chars().take(1000).collect();
    let hits: Vec<Hit> = diesel::sql_query(
        "WITH terms AS (
             SELECT tsvector_to_array(to_tsvector('english', $1) || to_tsvector('spanish', $1)) AS lex
         ), query AS (
             SELECT lex, array_to_string(ARRAY(SELECT quote_literal(l) FROM unnest(lex) l), ' | ')::tsquery AS tq
               FROM terms WHERE cardinality(lex) > 0
         )
         SELECT e.id, e.question, e.answer, e.keywords, e.updated_at,
                (ts_rank_cd(e.search, query.tq, 32)
                 * (SELECT count(*) FROM unnest(query.lex) l WHERE l = ANY (tsvector_to_array(e.search)))
                 / cardinality(query.lex))::float8 AS confidence
           FROM kb_entries e, query
          WHERE e.search @@ query.tq
          ORDER BY confidence DESC, e.id
          LIMIT $2",
    )
    .bind::<Text, _>(&text)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(tx.pg())
    .await?;
    Ok(hits
        .into_iter()
        .map(|h| KbMatch {
            confidence: (h.confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
            entry: KbEntry {
                id: h.id,
                question: h.question,
                answer: h.answer,
                keywords: split_keywords(&h.keywords),
                updated_at: h.updated_at,
            },
        })
        .collect())
}

/// What a suggested reply is written from.
#[derive(Debug, Clone)]
pub struct ReplyContext {
    /// The prompt for the LLM provider: instructions, KB answers, then the conversation.
    pub messages: Vec<crate::llm::ChatMessage>,
    /// The knowledge-base entries given to it.
    pub kb: Vec<KbMatch>,
}

/// The last 20 messages of a conversation the agent may reply in, with the knowledge-base
/// entries that best match what the customer last wrote (`conversations:reply`).
pub async fn reply_context(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
) -> Result<ReplyContext> {
    use crate::llm::ChatMessage;
    use crate::schema::messages as m;
    actor.require(Permission::ConversationsReply)?;
    let conv = crate::conversations::get(tx, actor, conversation).await?;
    let mut recent: Vec<(String, Option<String>, String)> = m::table
        .filter(m::conversation_id.eq(conversation))
        .filter(m::direction.ne("internal"))
        .filter(m::body.is_not_null())
        .order(m::id.desc())
        .limit(20)
        .select((m::direction, m::body, m::sender_type))
        .load(tx.pg())
        .await?;
    recent.reverse();
    let last_customer = recent
        .iter()
        .rev()
        .find(|(d, _, _)| d == "inbound")
        .and_then(|(_, b, _)| b.clone());
    let kb = match last_customer.as_deref() {
        Some(t) => search(tx, t, 3).await?,
        None => Vec::new(),
    };
    let business = crate::businesses::current(tx).await?;
    let mut system = format!(
        "You help an agent of {} answer a customer on WhatsApp. Write only the reply the agent \
         could send: short, friendly, in the customer's language, no placeholders. Use the \
         knowledge base when it answers the question; never invent facts, prices or dates.",
        business.name
    );
    if !kb.is_empty() {
        system.push_str("\n\nKnowledge base:");
        for hit in &kb {
            system.push_str(&format!(
                "\nQ: {}\nA: {}",
                hit.entry.question, hit.entry.answer
            ));
        }
    }
    let mut messages = vec![ChatMessage::new("system", system)];
    let customer = conv.contact_label();
    for (direction, body, sender) in recent {
        let Some(body) = body else { continue };
        let role = if direction == "inbound" {
            "user"
        } else {
            "assistant"
        };
        let text = if direction == "inbound" {
            format!("{customer}: {body}")
        } else {
            format!("({sender}) {body}")
        };
        messages.push(ChatMessage::new(role, text));
    }
    Ok(ReplyContext { messages, kb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_trimmed_deduplicated_and_checked() {
        assert_eq!(
            check_keywords(&[
                " pedido ".into(),
                "Pedido".into(),
                "".into(),
                "envío".into()
            ])
            .ok()
            .as_deref(),
            Some("pedido, envío")
        );
        assert!(check_keywords(&["a,b".into()]).is_err());
        assert!(check_keywords(&vec!["k".to_owned(); 31]).is_err());
        assert_eq!(split_keywords("pedido, envío"), vec!["pedido", "envío"]);
        assert!(split_keywords("").is_empty());
    }
}
