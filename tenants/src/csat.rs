//! CSAT: after a conversation is resolved, the customer is asked how we did, 1 to 5.
//!
//! - **Asking** (`csat_request` job, queued by a trigger when a conversation is resolved and the
//!   business switched CSAT on): inside the 24-hour window a list message with five rows (reply
//!   buttons stop at three); outside it the business's configured utility template, whose
//!   quick-reply buttons answer with a payload `1`…`5` (no template: no survey). Never to a
//!   customer who opted out or is blocked, never twice for one resolution, and not when the
//!   conversation was reopened meanwhile.
//! - **Answering**: a list choice `csat:N`, a template button with payload `N` or `csat:N`, or a
//!   message that is exactly a digit 1-5, from the customer of a survey sent in the last 24 hours
//!   that has no score yet. The answer is stored in the surveyed (resolved) conversation without
//!   reopening it, the score on the survey, and the customer is thanked and invited to add a
//!   comment; a text in the next [`COMMENT_MINUTES`] is kept as the comment the same way. Any
//!   other message opens a new conversation as usual, so a customer with a new problem is never
//!   swallowed by the survey.
//! - **Counting**: a score is a KPI fact (`kpi_events.kind = 'csat'`, trigger), credited to the
//!   agent and team that held the conversation when it was resolved.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::outbound::NewMessage;
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{contacts, conversations as c, csat_surveys as cs, workflow_settings as ws};
use crate::whatsapp::graph::{ListRow, ListSection};

/// The job that sends a survey for a resolved conversation.
pub const REQUEST: &str = "csat_request";
/// A survey can be answered this long after it was sent.
pub const ANSWER_HOURS: i64 = 24;
/// After a score, a text within this many minutes is the comment.
pub const COMMENT_MINUTES: i64 = 15;

/// The business's CSAT settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CsatSettings {
    pub enabled: bool,
    /// The question (1 to 1024 characters); a default in the business's language when null.
    #[serde(default)]
    pub question: Option<String>,
    /// An approved utility template to ask with after the window closed; null: no survey then.
    #[serde(default)]
    pub template_id: Option<Uuid>,
}

pub async fn get(tx: &mut TenantTx, actor: &Actor) -> Result<CsatSettings> {
    actor.require(Permission::SettingsManage)?;
    load(tx).await
}

async fn load(tx: &mut TenantTx) -> Result<CsatSettings> {
    let row: Option<(bool, Option<String>, Option<Uuid>)> = ws::table
        .select((ws::csat_enabled, ws::csat_question, ws::csat_template_id))
        .first(tx.pg())
        .await
        .optional()?;
    Ok(row
        .map(|(enabled, question, template_id)| CsatSettings {
            enabled,
            question,
            template_id,
        })
        .unwrap_or_default())
}

pub async fn save(tx: &mut TenantTx, actor: &Actor, input: CsatSettings) -> Result<CsatSettings> {
    actor.require(Permission::SettingsManage)?;
    let question = match input.question.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(q) if q.chars().count() > 1024 => {
            return Err(Error::invalid(
                "question",
                "The question has at most 1,024 characters.",
            ));
        }
        Some(q) => Some(q.to_owned()),
    };
    if let Some(t) = input.template_id {
        let status: Option<String> = crate::schema::templates::table
            .filter(crate::schema::templates::id.eq(t))
            .select(crate::schema::templates::status)
            .first(tx.pg())
            .await
            .optional()?;
        match status.as_deref() {
            None => return Err(Error::invalid("template_id", "No such template.")),
            Some("APPROVED") => {}
            Some(_) => {
                return Err(Error::invalid(
                    "template_id",
                    "Choose an approved template.",
                ));
            }
        }
    }
    diesel::insert_into(ws::table)
        .values((
            ws::tenant_id.eq(tx.tenant_id()),
            ws::csat_enabled.eq(input.enabled),
            ws::csat_question.eq(&question),
            ws::csat_template_id.eq(input.template_id),
        ))
        .on_conflict(ws::tenant_id)
        .do_update()
        .set((
            ws::csat_enabled.eq(input.enabled),
            ws::csat_question.eq(&question),
            ws::csat_template_id.eq(input.template_id),
            ws::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    load(tx).await
}

fn spanish(locale: &str) -> bool {
    locale.starts_with("es")
}

fn default_question(es: bool) -> &'static str {
    if es {
        "¿Cómo valorarías la ayuda que recibiste?"
    } else {
        "How would you rate the help you got?"
    }
}

/// The five rows of the list, best first.
fn rows(es: bool) -> Vec<ListRow> {
    let words: [&str; 5] = if es {
        ["Excelente", "Buena", "Regular", "Mala", "Muy mala"]
    } else {
        ["Excellent", "Good", "Okay", "Poor", "Very poor"]
    };
    (1..=5)
        .rev()
        .zip(words)
        .map(|(n, w)| ListRow {
            id: format!("csat:{n}"),
            title: format!("{} {n}", "★".repeat(n)),
            description: Some(w.to_owned()),
        })
        .collect()
}

/// Send the survey of a resolved conversation (the [`REQUEST`] job). Returns whether it asked.
pub async fn request(tx: &mut TenantTx, conversation: Uuid) -> Result<bool> {
    let settings = load(tx).await?;
    if !settings.enabled {
        return Ok(false);
    }
    type Row = (
        String,
        Uuid,
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let row: Option<Row> = c::table
        .filter(c::id.eq(conversation))
        .select((
            c::status,
            c::contact_id,
            c::number_id,
            c::assignee_id,
            c::team_id,
            c::window_expires_at,
            c::resolved_at,
        ))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let Some((status, contact, number, agent, team, window, resolved_at)) = row else {
        return Ok(false);
    };
    if status != "resolved" {
        return Ok(false);
    }
    let (opt_in, blocked): (String, Option<DateTime<Utc>>) = contacts::table
        .filter(contacts::id.eq(contact))
        .select((contacts::opt_in, contacts::blocked_at))
        .first(tx.pg())
        .await?;
    if opt_in == "opted_out" || blocked.is_some() {
        return Ok(false);
    }
    // One survey per resolution.
    let asked: i64 = cs::table
        .filter(cs::conversation_id.eq(conversation))
        .filter(cs::sent_at.ge(resolved_at.unwrap_or_else(Utc::now) - Duration::seconds(5)))
        .count()
        .get_result(tx.pg())
        .await?;
    if asked > 0 {
        return Ok(false);
    }
    let locale: String = crate::schema::tenants::table
        .select(crate::schema::tenants::locale)
        .first(tx.pg())
        .await?;
    let es = spanish(&locale);
    let open = window.is_some_and(|w| w > Utc::now());
    let (input, channel) = if open {
        let body = settings
            .question
            .clone()
            .unwrap_or_else(|| default_question(es).to_owned());
        (
            NewMessage::List {
                body,
                button: if es { "Valorar" } else { "Rate us" }.to_owned(),
                sections: vec![ListSection {
                    title: None,
                    rows: rows(es),
                }],
                header: None,
                footer: None,
                reply_to: None,
            },
            "list",
        )
    } else if let Some(template_id) = settings.template_id {
        (
            NewMessage::Template {
                template_id,
                header: Default::default(),
                header_media_id: None,
                body: Default::default(),
                buttons: Default::default(),
            },
            "template",
        )
    } else {
        return Ok(false);
    };
    let message = crate::outbound::queue_system(tx, conversation, input, "csat").await?;
    diesel::insert_into(cs::table)
        .values((
            cs::tenant_id.eq(tx.tenant_id()),
            cs::id.eq(Uuid::now_v7()),
            cs::conversation_id.eq(conversation),
            cs::contact_id.eq(contact),
            cs::number_id.eq(number),
            cs::agent_id.eq(agent),
            cs::team_id.eq(team),
            cs::message_id.eq(message),
            cs::channel.eq(channel),
        ))
        .execute(tx.pg())
        .await?;
    Ok(true)
}

/// A score in an inbound message, if it is a survey answer's shape.
pub fn score_of(kind: &str, body: Option<&str>, content: &serde_json::Value) -> Option<i16> {
    let parse = |s: &str| {
        let s = s.trim();
        let s = s.strip_prefix("csat:").unwrap_or(s);
        s.parse::<i16>().ok().filter(|n| (1..=5).contains(n))
    };
    match (kind, content["type"].as_str()) {
        ("interactive", Some("list_reply" | "button_reply")) => content["id"]
            .as_str()
            .filter(|id| id.starts_with("csat:"))
            .and_then(parse),
        ("button", _) => content["payload"].as_str().and_then(parse),
        ("text", _) => body.filter(|b| b.trim().len() == 1).and_then(parse),
        _ => None,
    }
}

/// Which of `contacts` were surveyed in the last [`ANSWER_HOURS`].
pub async fn surveyed_lately(
    tx: &mut TenantTx,
    contacts: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>> {
    if contacts.is_empty() {
        return Ok(Default::default());
    }
    let ids: Vec<Uuid> = cs::table
        .filter(cs::contact_id.eq_any(contacts))
        .filter(cs::sent_at.gt(Utc::now() - Duration::hours(ANSWER_HOURS)))
        .select(cs::contact_id)
        .distinct()
        .load(tx.pg())
        .await?;
    Ok(ids.into_iter().collect())
}

/// What an inbound message is to an open survey of its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Score {
        survey: Uuid,
        conversation: Uuid,
        score: i16,
    },
    Comment {
        survey: Uuid,
        conversation: Uuid,
    },
}

/// Whether the message answers a survey of this customer on this number.
pub async fn answer_of(
    tx: &mut TenantTx,
    contact: Uuid,
    number: Uuid,
    kind: &str,
    body: Option<&str>,
    content: &serde_json::Value,
) -> Result<Option<Answer>> {
    type Row = (
        Uuid,
        Uuid,
        Option<i16>,
        Option<DateTime<Utc>>,
        Option<String>,
    );
    let latest: Option<Row> = cs::table
        .filter(cs::contact_id.eq(contact))
        .filter(cs::number_id.eq(number))
        .filter(cs::sent_at.gt(Utc::now() - Duration::hours(ANSWER_HOURS)))
        .order(cs::sent_at.desc())
        .select((
            cs::id,
            cs::conversation_id,
            cs::score,
            cs::answered_at,
            cs::comment,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let Some((survey, conversation, score, answered_at, comment)) = latest else {
        return Ok(None);
    };
    // Only while the surveyed conversation stays resolved: a reopened one takes messages itself.
    let status: String = c::table
        .filter(c::id.eq(conversation))
        .select(c::status)
        .first(tx.pg())
        .await?;
    if status != "resolved" {
        return Ok(None);
    }
    match (score, score_of(kind, body, content)) {
        (None, Some(s)) => Ok(Some(Answer::Score {
            survey,
            conversation,
            score: s,
        })),
        (Some(_), _)
            if kind == "text"
                && comment.is_none()
                && answered_at
                    .is_some_and(|t| Utc::now() - t < Duration::minutes(COMMENT_MINUTES)) =>
        {
            Ok(Some(Answer::Comment {
                survey,
                conversation,
            }))
        }
        _ => Ok(None),
    }
}

/// Record an answer (the message is already stored in the surveyed conversation) and reply.
pub async fn record(tx: &mut TenantTx, answer: Answer, text: Option<&str>) -> Result<()> {
    let locale: String = crate::schema::tenants::table
        .select(crate::schema::tenants::locale)
        .first(tx.pg())
        .await?;
    let es = spanish(&locale);
    let (conversation, thanks) = match answer {
        Answer::Score {
            survey,
            conversation,
            score,
        } => {
            diesel::update(
                cs::table
                    .filter(cs::id.eq(survey))
                    .filter(cs::score.is_null()),
            )
            .set((cs::score.eq(score), cs::answered_at.eq(Utc::now())))
            .execute(tx.pg())
            .await?;
            let thanks = if es {
                "¡Gracias por tu valoración! Si quieres contarnos algo más, escríbelo aquí."
            } else {
                "Thank you for your rating! If you'd like to tell us more, write it here."
            };
            (conversation, thanks)
        }
        Answer::Comment {
            survey,
            conversation,
        } => {
            let comment: String = text.unwrap_or_default().chars().take(4096).collect();
            diesel::update(
                cs::table
                    .filter(cs::id.eq(survey))
                    .filter(cs::comment.is_null()),
            )
            .set((cs::comment.eq(comment), cs::commented_at.eq(Utc::now())))
            .execute(tx.pg())
            .await?;
            let thanks = if es {
                "Gracias, se lo haremos llegar al equipo."
            } else {
                "Thanks, we'll pass it on to the team."
            };
            (conversation, thanks)
        }
    };
    // The customer just wrote, so the window is open; a failure to thank is not worth losing
    // the answer over.
    if let Err(e) = crate::outbound::queue_automatic(tx, conversation, thanks, "csat").await {
        tracing::debug!(error = %e, "csat: no thank-you sent");
    }
    Ok(())
}

/// The survey of a conversation, for the panel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Survey {
    pub id: Uuid,
    pub channel: String,
    pub sent_at: DateTime<Utc>,
    pub score: Option<i16>,
    pub answered_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyList {
    pub items: Vec<Survey>,
}

/// A conversation's surveys, newest first (needs to see the conversation).
pub async fn of_conversation(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
) -> Result<SurveyList> {
    crate::conversations::get(tx, actor, conversation).await?;
    let rows: Vec<(
        Uuid,
        String,
        DateTime<Utc>,
        Option<i16>,
        Option<DateTime<Utc>>,
        Option<String>,
    )> = cs::table
        .filter(cs::conversation_id.eq(conversation))
        .order(cs::sent_at.desc())
        .select((
            cs::id,
            cs::channel,
            cs::sent_at,
            cs::score,
            cs::answered_at,
            cs::comment,
        ))
        .load(tx.pg())
        .await?;
    Ok(SurveyList {
        items: rows
            .into_iter()
            .map(
                |(id, channel, sent_at, score, answered_at, comment)| Survey {
                    id,
                    channel,
                    sent_at,
                    score,
                    answered_at,
                    comment,
                },
            )
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_recognised_by_shape() {
        let list = json!({"type": "list_reply", "id": "csat:4", "title": "★★★★ 4"});
        assert_eq!(score_of("interactive", Some("★★★★ 4"), &list), Some(4));
        let other = json!({"type": "list_reply", "id": "size:4"});
        assert_eq!(score_of("interactive", None, &other), None, "another list");
        let button = json!({"type": "button", "payload": "5", "text": "Excelente"});
        assert_eq!(score_of("button", Some("Excelente"), &button), Some(5));
        assert_eq!(score_of("text", Some(" 3 "), &json!({})), Some(3));
        assert_eq!(score_of("text", Some("3 días"), &json!({})), None);
        assert_eq!(score_of("text", Some("7"), &json!({})), None);
        assert_eq!(rows(false).len(), 5);
        assert_eq!(rows(false)[0].id, "csat:5");
    }
}
