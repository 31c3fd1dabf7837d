//! Marketing consent and opt-outs. A contact's state (`unknown`, `opted_in`, `opted_out`) lives
//! on the contact; every change is also a `consent_events` row with its time and source, so a
//! campaign can show why it skipped someone.
//!
//! Customers opt out by writing a message that is exactly one of the business's opt-out
//! keywords (STOP, BAJA, CANCELAR, UNSUBSCRIBE by default; case, accents and trailing
//! punctuation do not matter), checked at ingest in the same transaction; and Meta reports that
//! a customer stopped marketing messages with error 131050 on a failed status. Both write an
//! activity item on the conversation. Agents and imports change the state through the contact
//! APIs (`source` agent / import).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::activity::{self, Activity};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::messages::{Inbound, Recorded, StatusReport};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{
    consent_events as ce, contacts as k, conversations as c, messages as m, workflow_settings as ws,
};

/// What opts a customer out when no list is set.
pub const DEFAULT_OPT_OUT_KEYWORDS: [&str; 4] = ["STOP", "BAJA", "CANCELAR", "UNSUBSCRIBE"];
/// Meta: "the user has stopped marketing messages from your business".
pub const META_STOPPED_MARKETING: i32 = 131_050;
/// Longer messages are never a keyword (keeps the check off the ingest hot path).
const MAX_KEYWORD_CHARS: usize = 30;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsentEvent {
    pub id: Uuid,
    /// unknown, opted_in or opted_out
    pub state: String,
    /// keyword:STOP, meta:131050, agent, import
    pub source: String,
    pub message_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsentHistory {
    pub items: Vec<ConsentEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptOutKeywords {
    /// Up to 20 words or short phrases (1-30 characters); an empty list switches keyword
    /// opt-outs off. `null` on write restores the defaults.
    pub keywords: Option<Vec<String>>,
}

/// Upper case, accents and surrounding punctuation and spaces removed.
pub fn normalise(text: &str) -> String {
    let folded: String = crate::routing_rules::words(text).join(" ");
    folded.to_uppercase()
}

/// Is this message an opt-out? Returns the keyword it matched.
pub fn matched_keyword<'a>(text: &str, keywords: &'a [String]) -> Option<&'a str> {
    if text.chars().count() > MAX_KEYWORD_CHARS {
        return None;
    }
    let said = normalise(text);
    if said.is_empty() {
        return None;
    }
    keywords
        .iter()
        .find(|k| normalise(k) == said)
        .map(String::as_str)
}

/// Set a contact's state and record the change. Returns whether the state changed.
pub async fn set(
    tx: &mut TenantTx,
    contact: Uuid,
    state: &str,
    source: &str,
    message: Option<Uuid>,
) -> Result<bool> {
    let changed = diesel::update(
        k::table
            .filter(k::id.eq(contact))
            .filter(k::opt_in.ne(state)),
    )
    .set((
        k::opt_in.eq(state),
        k::opt_in_changed_at.eq(Some(Utc::now())),
        k::opt_in_source.eq(Some(source)),
        k::updated_at.eq(Utc::now()),
    ))
    .execute(tx.pg())
    .await?;
    if changed > 0 {
        record(tx, contact, state, source, message).await?;
    }
    Ok(changed > 0)
}

/// Write the event only (the caller changed the contact row itself).
pub(crate) async fn record(
    tx: &mut TenantTx,
    contact: Uuid,
    state: &str,
    source: &str,
    message: Option<Uuid>,
) -> Result<()> {
    diesel::insert_into(ce::table)
        .values((
            ce::tenant_id.eq(tx.tenant_id()),
            ce::id.eq(Uuid::now_v7()),
            ce::contact_id.eq(contact),
            ce::state.eq(state),
            ce::source.eq(source),
            ce::message_id.eq(message),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

async fn keywords(tx: &mut TenantTx) -> Result<Vec<String>> {
    let stored: Option<Option<Vec<String>>> = ws::table
        .select(ws::opt_out_keywords)
        .first(tx.pg())
        .await
        .optional()?;
    Ok(match stored.flatten() {
        Some(list) => list,
        None => DEFAULT_OPT_OUT_KEYWORDS
            .iter()
            .map(|k| (*k).to_owned())
            .collect(),
    })
}

/// After customers wrote (ingest, same transaction): opt out those whose message is a keyword.
/// No query unless some message is short enough to be one.
pub async fn after_inbound(
    tx: &mut TenantTx,
    recorded: &[Recorded],
    inputs: &[Inbound],
) -> Result<()> {
    let short: Vec<(&Recorded, &str)> = recorded
        .iter()
        .filter_map(|r| {
            let input = inputs.iter().find(|i| i.wamid == r.wamid)?;
            let body = input.body.as_deref()?;
            (input.kind == "text" && body.chars().count() <= MAX_KEYWORD_CHARS).then_some((r, body))
        })
        .collect();
    if short.is_empty() {
        return Ok(());
    }
    let words = keywords(tx).await?;
    for (r, body) in short {
        let Some(word) = matched_keyword(body, &words) else {
            continue;
        };
        let contact: Uuid = c::table
            .filter(c::id.eq(r.conversation_id))
            .select(c::contact_id)
            .first(tx.pg())
            .await?;
        let source = format!("keyword:{}", normalise(word));
        if set(tx, contact, "opted_out", &source, Some(r.message_id)).await? {
            activity::record(tx, r.conversation_id, None, Activity::OptedOut { source }).await?;
        }
    }
    Ok(())
}

/// After a status (ingest): Meta's 131050 means the customer stopped marketing messages.
pub async fn after_status(tx: &mut TenantTx, s: &StatusReport) -> Result<()> {
    if s.status != "failed" || s.error_code != Some(META_STOPPED_MARKETING) {
        return Ok(());
    }
    let found: Option<(Uuid, Uuid, Uuid)> = m::table
        .inner_join(
            c::table.on(c::tenant_id
                .eq(m::tenant_id)
                .and(c::id.eq(m::conversation_id))),
        )
        .filter(m::wamid.eq(&s.wamid))
        .filter(m::direction.eq("outbound"))
        .select((m::id, c::id, c::contact_id))
        .first(tx.pg())
        .await
        .optional()?;
    let Some((message, conversation, contact)) = found else {
        return Ok(());
    };
    let source = format!("meta:{META_STOPPED_MARKETING}");
    if set(tx, contact, "opted_out", &source, Some(message)).await? {
        activity::record(tx, conversation, None, Activity::OptedOut { source }).await?;
    }
    Ok(())
}

/// A contact's consent history, newest first (`GET /contacts/{id}/consent`).
pub async fn history(tx: &mut TenantTx, actor: &Actor, contact: Uuid) -> Result<ConsentHistory> {
    crate::contacts::get(tx, actor, contact).await?;
    let rows: Vec<(Uuid, String, String, Option<Uuid>, DateTime<Utc>)> = ce::table
        .filter(ce::contact_id.eq(contact))
        .order((ce::created_at.desc(), ce::id.desc()))
        .select((
            ce::id,
            ce::state,
            ce::source,
            ce::message_id,
            ce::created_at,
        ))
        .limit(200)
        .load(tx.pg())
        .await?;
    Ok(ConsentHistory {
        items: rows
            .into_iter()
            .map(|(id, state, source, message_id, created_at)| ConsentEvent {
                id,
                state,
                source,
                message_id,
                created_at,
            })
            .collect(),
    })
}

/// The opt-out keywords in force.
pub async fn get_keywords(tx: &mut TenantTx, actor: &Actor) -> Result<OptOutKeywords> {
    actor.require(Permission::SettingsManage)?;
    Ok(OptOutKeywords {
        keywords: Some(keywords(tx).await?),
    })
}

pub async fn set_keywords(
    tx: &mut TenantTx,
    actor: &Actor,
    input: OptOutKeywords,
) -> Result<OptOutKeywords> {
    actor.require(Permission::SettingsManage)?;
    let list = match input.keywords {
        None => None,
        Some(list) => {
            if list.len() > 20 {
                return Err(Error::invalid("keywords", "At most 20 opt-out keywords."));
            }
            let mut out: Vec<String> = Vec::new();
            for k in list {
                let k = k.trim().to_owned();
                let n = k.chars().count();
                if n == 0 || n > MAX_KEYWORD_CHARS || normalise(&k).is_empty() {
                    return Err(Error::invalid(
                        "keywords",
                        "A keyword has 1 to 30 characters with at least one letter or digit.",
                    ));
                }
                if !out.iter().any(|o| normalise(o) == normalise(&k)) {
                    out.push(k);
                }
            }
            Some(out)
        }
    };
    diesel::insert_into(ws::table)
        .values((
            ws::tenant_id.eq(tx.tenant_id()),
            ws::opt_out_keywords.eq(&list),
        ))
        .on_conflict(ws::tenant_id)
        .do_update()
        .set((
            ws::opt_out_keywords.eq(&list),
            ws::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    get_keywords(tx, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_messages_in_any_case_and_accent() {
        let words: Vec<String> = DEFAULT_OPT_OUT_KEYWORDS
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(matched_keyword("stop", &words), Some("STOP"));
        assert_eq!(matched_keyword("  Baja. ", &words), Some("BAJA"));
        assert_eq!(matched_keyword("¡CANCELAR!", &words), Some("CANCELAR"));
        assert_eq!(matched_keyword("Unsubscribe", &words), Some("UNSUBSCRIBE"));
        assert_eq!(matched_keyword("don't stop", &words), None);
        assert_eq!(matched_keyword("quiero darme de baja", &words), None);
        assert_eq!(matched_keyword("", &words), None);
        let custom = vec!["No más".to_string()];
        assert_eq!(matched_keyword("NO MAS", &custom), Some("No más"));
    }
}
