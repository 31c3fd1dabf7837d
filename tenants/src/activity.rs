//! The conversation timeline's activity items: assignments, transfers, status and priority
//! changes, and every automatic decision with its reason. They are messages with direction
//! `internal` and kind `activity`, so they sort, page and reach sockets like any message, and
//! never leave Chorus (the send path only ever takes `outbound` rows it queued itself).
//!
//! The sentence is written once, in the business's language, and the structured `content`
//! (`action` plus its details) lets clients render their own words.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::Result;
use crate::people::Actor;
use crate::schema::{messages as m, tenants};
use crate::whatsapp::errors::Lang;

/// What happened, in words for both languages.
#[derive(Debug, Clone)]
pub enum Activity {
    Claimed,
    Assigned {
        to: String,
    },
    Unassigned,
    Transferred {
        team: Option<String>,
        note: Option<String>,
    },
    Resolved,
    Reopened,
    Pending,
    Snoozed {
        until: DateTime<Utc>,
    },
    Woke,
    Priority {
        priority: String,
    },
    Tagged {
        tags: Vec<String>,
    },
    /// The assignee went offline; back to the team's queue.
    ReturnedOffline {
        who: String,
    },
    /// The assignee did not answer the waiting customer in time; the team took it back.
    Reassigned {
        who: String,
        minutes: i32,
    },
    /// A routing rule changed a new conversation.
    RuleApplied {
        rule: String,
        change: RuleChange,
    },
    /// A bot handed the conversation to people (`reason` is a code of `bots::reason_words`).
    BotHandedOver {
        bot: String,
        reason: String,
        team: Option<String>,
    },
    /// An automatic assignment, with its reason.
    AutoAssigned {
        to: String,
        how: String,
        team: String,
        open: i64,
        max_open: i64,
    },
    /// The customer was blocked (their messages are kept but open nothing).
    ContactBlocked,
    ContactUnblocked,
    /// A duplicate contact was merged into this conversation's customer.
    ContactMerged {
        from: String,
    },
    /// Resolved because a merge left two open conversations on one number (the older goes).
    ResolvedByMerge {
        from: String,
    },
    /// The customer opted out of marketing messages (`source`: keyword:BAJA or meta:131050).
    OptedOut {
        source: String,
    },
    /// Resolved because the customer stayed silent after our reply for `hours`.
    AutoResolved {
        hours: i32,
    },
    /// An SLA target was missed (`target`: first_response, next_response or resolution).
    SlaBreached {
        policy: String,
        target: String,
    },
    /// The breach's escalation: what it changed ("priority urgent", "team Billing", a person).
    SlaEscalated {
        policy: String,
        change: String,
    },
}

/// What a routing rule did.
#[derive(Debug, Clone)]
pub enum RuleChange {
    Team { team: String },
    Tag { tag: String },
    Priority { priority: String },
    Assignee { to: String },
    Bot,
}

fn priority_word(p: &str, lang: Lang) -> String {
    match (lang, p) {
        (Lang::Es, "none") => "ninguna".into(),
        (Lang::Es, "low") => "baja".into(),
        (Lang::Es, "medium") => "media".into(),
        (Lang::Es, "high") => "alta".into(),
        (Lang::Es, "urgent") => "urgente".into(),
        (_, other) => other.into(),
    }
}

impl Activity {
    pub fn action(&self) -> &'static str {
        match self {
            Activity::Claimed => "claimed",
            Activity::Assigned { .. } => "assigned",
            Activity::Unassigned => "unassigned",
            Activity::Transferred { .. } => "transferred",
            Activity::Resolved => "resolved",
            Activity::Reopened => "reopened",
            Activity::Pending => "pending",
            Activity::Snoozed { .. } => "snoozed",
            Activity::Woke => "woke",
            Activity::Priority { .. } => "priority",
            Activity::Tagged { .. } => "tagged",
            Activity::AutoAssigned { .. } => "auto_assigned",
            Activity::ReturnedOffline { .. } => "returned_offline",
            Activity::Reassigned { .. } => "reassigned",
            Activity::RuleApplied { .. } => "routing_rule",
            Activity::ContactBlocked => "contact_blocked",
            Activity::ContactUnblocked => "contact_unblocked",
            Activity::ContactMerged { .. } => "contact_merged",
            Activity::ResolvedByMerge { .. } => "resolved_by_merge",
            Activity::BotHandedOver { .. } => "bot_handed_over",
            Activity::AutoResolved { .. } => "auto_resolved",
            Activity::OptedOut { .. } => "opted_out",
            Activity::SlaBreached { .. } => "sla_breached",
            Activity::SlaEscalated { .. } => "sla_escalated",
        }
    }

    /// The sentence, with `who` as its subject ("Ana" or, for automatic work, "Chorus").
    pub fn sentence(&self, who: &str, lang: Lang, zone: chrono_tz::Tz) -> String {
        let es = lang == Lang::Es;
        match self {
            Activity::Claimed if es => format!("{who} tomó la conversación"),
            Activity::Claimed => format!("{who} took the conversation"),
            Activity::Assigned { to } if es => format!("{who} asignó la conversación a {to}"),
            Activity::Assigned { to } => format!("{who} assigned the conversation to {to}"),
            Activity::Unassigned if es => format!("{who} devolvió la conversación a la cola"),
            Activity::Unassigned => format!("{who} returned the conversation to the queue"),
            Activity::Transferred { team, note } => {
                let base = match (team, es) {
                    (Some(t), true) => format!("{who} transfirió la conversación a {t}"),
                    (Some(t), false) => format!("{who} transferred the conversation to {t}"),
                    (None, true) => format!("{who} quitó el equipo de la conversación"),
                    (None, false) => format!("{who} removed the conversation's team"),
                };
                match note {
                    Some(n) => format!("{base}: “{n}”"),
                    None => base,
                }
            }
            Activity::Resolved if es => format!("{who} resolvió la conversación"),
            Activity::Resolved => format!("{who} resolved the conversation"),
            Activity::Reopened if es => format!("{who} reabrió la conversación"),
            Activity::Reopened => format!("{who} reopened the conversation"),
            Activity::Pending if es => format!("{who} marcó la conversación como pendiente"),
            Activity::Pending => format!("{who} marked the conversation pending"),
            Activity::Snoozed { until } => {
                let at = until.with_timezone(&zone).format("%Y-%m-%d %H:%M");
                if es {
                    format!("{who} pospuso la conversación hasta {at}")
                } else {
                    format!("{who} snoozed the conversation until {at}")
                }
            }
            Activity::Woke if es => {
                "La pausa terminó: la conversación vuelve a estar abierta".into()
            }
            Activity::Woke => "The snooze ended: the conversation is open again".into(),
            Activity::Priority { priority } if es => format!(
                "{who} cambió la prioridad a {}",
                priority_word(priority, lang)
            ),
            Activity::Priority { priority } => format!("{who} set the priority to {priority}"),
            Activity::Tagged { tags } if tags.is_empty() => {
                if es {
                    format!("{who} quitó las etiquetas")
                } else {
                    format!("{who} removed the tags")
                }
            }
            Activity::Tagged { tags } if es => {
                format!("{who} etiquetó la conversación: {}", tags.join(", "))
            }
            Activity::Tagged { tags } => {
                format!("{who} tagged the conversation: {}", tags.join(", "))
            }
            Activity::ReturnedOffline { who: person } if es => {
                format!("{who} devolvió la conversación a la cola: {person} se desconectó")
            }
            Activity::ReturnedOffline { who: person } => {
                format!("{who} returned the conversation to the queue: {person} went offline")
            }
            Activity::Reassigned {
                who: person,
                minutes,
            } if es => format!(
                "{who} reasignó la conversación: {person} no respondió en {minutes} {}",
                if *minutes == 1 { "minuto" } else { "minutos" }
            ),
            Activity::Reassigned {
                who: person,
                minutes,
            } => format!(
                "{who} reassigned the conversation: {person} did not reply within {minutes} {}",
                if *minutes == 1 { "minute" } else { "minutes" }
            ),
            Activity::RuleApplied { rule, change } if es => match change {
                RuleChange::Team { team } => {
                    format!("La regla de enrutamiento “{rule}” puso el equipo {team}")
                }
                RuleChange::Tag { tag } => {
                    format!("La regla de enrutamiento “{rule}” añadió la etiqueta {tag}")
                }
                RuleChange::Priority { priority } => format!(
                    "La regla de enrutamiento “{rule}” cambió la prioridad a {}",
                    priority_word(priority, lang)
                ),
                RuleChange::Assignee { to } => {
                    format!("La regla de enrutamiento “{rule}” asignó la conversación a {to}")
                }
                RuleChange::Bot => {
                    format!("La regla de enrutamiento “{rule}” pasó la conversación al bot")
                }
            },
            Activity::RuleApplied { rule, change } => match change {
                RuleChange::Team { team } => {
                    format!("Routing rule “{rule}” set the team to {team}")
                }
                RuleChange::Tag { tag } => format!("Routing rule “{rule}” added the tag {tag}"),
                RuleChange::Priority { priority } => {
                    format!("Routing rule “{rule}” set the priority to {priority}")
                }
                RuleChange::Assignee { to } => {
                    format!("Routing rule “{rule}” assigned the conversation to {to}")
                }
                RuleChange::Bot => {
                    format!("Routing rule “{rule}” handed the conversation to the bot")
                }
            },
            Activity::ContactBlocked if es => format!("{who} bloqueó a este cliente"),
            Activity::ContactBlocked => format!("{who} blocked this customer"),
            Activity::ContactUnblocked if es => format!("{who} desbloqueó a este cliente"),
            Activity::ContactUnblocked => format!("{who} unblocked this customer"),
            Activity::ContactMerged { from } if es => {
                format!("{who} fusionó el contacto duplicado {from} con este cliente")
            }
            Activity::ContactMerged { from } => {
                format!("{who} merged the duplicate contact {from} into this customer")
            }
            Activity::ResolvedByMerge { from } if es => format!(
                "{who} fusionó {from} con este cliente; esta conversación, la más antigua de las dos abiertas, se resolvió"
            ),
            Activity::ResolvedByMerge { from } => format!(
                "{who} merged {from} into this customer; this conversation, the older of two open ones, was resolved"
            ),
            Activity::BotHandedOver { bot, reason, team } => {
                let why = crate::bots::reason_words(reason, es);
                match (team, es) {
                    (Some(t), true) => {
                        format!("El bot {bot} pasó la conversación al equipo {t}: {why}")
                    }
                    (Some(t), false) => format!("Bot {bot} handed the conversation to {t}: {why}"),
                    (None, true) => {
                        format!("El bot {bot} pasó la conversación a una persona: {why}")
                    }
                    (None, false) => {
                        format!("Bot {bot} handed the conversation to a person: {why}")
                    }
                }
            }
            Activity::OptedOut { source } => match (source.strip_prefix("keyword:"), es) {
                (Some(word), true) => format!(
                    "El cliente se dio de baja de los mensajes de marketing escribiendo “{word}”"
                ),
                (Some(word), false) => format!(
                    "The customer opted out of marketing messages by writing “{word}”"
                ),
                (None, true) => {
                    "WhatsApp informa de que el cliente dejó de recibir mensajes de marketing (131050)"
                        .into()
                }
                (None, false) => {
                    "WhatsApp reports that the customer stopped marketing messages (131050)".into()
                }
            },
            Activity::AutoResolved { hours } if es => format!(
                "{who} resolvió la conversación: el cliente no respondió en {hours} {}",
                if *hours == 1 { "hora" } else { "horas" }
            ),
            Activity::AutoResolved { hours } => format!(
                "{who} resolved the conversation: no reply from the customer in {hours} {}",
                if *hours == 1 { "hour" } else { "hours" }
            ),
            Activity::SlaBreached { policy, target } if es => format!(
                "SLA “{policy}” incumplido: {}",
                crate::sla::target_words(target, true)
            ),
            Activity::SlaBreached { policy, target } => format!(
                "SLA “{policy}” breached: {}",
                crate::sla::target_words(target, false)
            ),
            Activity::SlaEscalated { policy, change } if es => {
                format!("{who} escaló la conversación por el SLA “{policy}”: {change}")
            }
            Activity::SlaEscalated { policy, change } => {
                format!("{who} escalated the conversation for SLA “{policy}”: {change}")
            }
            Activity::AutoAssigned {
                to,
                how,
                team,
                open,
                max_open,
            } if es => {
                let how = if how == "balanced" {
                    "reparto equilibrado"
                } else {
                    "turno rotativo"
                };
                format!(
                    "{who} asignó la conversación a {to} por {how} en {team}: {open} de {max_open} abiertas"
                )
            }
            Activity::AutoAssigned {
                to,
                how,
                team,
                open,
                max_open,
            } => format!(
                "{who} assigned the conversation to {to} by {how} in {team}: {open} of {max_open} open"
            ),
        }
    }

    fn detail(&self) -> Value {
        match self {
            Activity::Assigned { to } => json!({ "to": to }),
            Activity::Transferred { team, note } => json!({ "team": team, "note": note }),
            Activity::Snoozed { until } => json!({ "until": until }),
            Activity::Priority { priority } => json!({ "priority": priority }),
            Activity::Tagged { tags } => json!({ "tags": tags }),
            Activity::ReturnedOffline { who } => json!({ "assignee": who }),
            Activity::Reassigned { who, minutes } => json!({ "assignee": who, "minutes": minutes }),
            Activity::RuleApplied { rule, change } => {
                let (what, value) = match change {
                    RuleChange::Team { team } => ("set_team", json!(team)),
                    RuleChange::Tag { tag } => ("add_tag", json!(tag)),
                    RuleChange::Priority { priority } => ("set_priority", json!(priority)),
                    RuleChange::Assignee { to } => ("assign", json!(to)),
                    RuleChange::Bot => ("bot", Value::Null),
                };
                json!({ "rule": rule, "change": what, "value": value })
            }
            Activity::ContactMerged { from } | Activity::ResolvedByMerge { from } => {
                json!({ "from": from })
            }
            Activity::BotHandedOver { bot, reason, team } => {
                json!({ "bot": bot, "reason": reason, "team": team })
            }
            Activity::SlaBreached { policy, target } => {
                json!({ "policy": policy, "target": target })
            }
            Activity::AutoResolved { hours } => json!({ "hours": hours }),
            Activity::OptedOut { source } => json!({ "source": source }),
            Activity::SlaEscalated { policy, change } => {
                json!({ "policy": policy, "change": change })
            }
            Activity::AutoAssigned {
                to,
                how,
                team,
                open,
                max_open,
            } => json!({ "to": to, "how": how, "team": team, "open": open, "max_open": max_open }),
            _ => json!({}),
        }
    }
}

/// Record an activity item in a conversation's timeline. `actor` is `None` for automatic work.
pub async fn record(
    tx: &mut TenantTx,
    conversation: Uuid,
    actor: Option<&Actor>,
    activity: Activity,
) -> Result<Uuid> {
    let (locale, zone_name): (String, String) = tenants::table
        .select((tenants::locale, tenants::time_zone))
        .first(tx.pg())
        .await?;
    let lang = Lang::from_tag(&locale);
    let zone = zone_name.parse().unwrap_or(chrono_tz::UTC);
    let who = actor.map(|a| a.name.as_str()).unwrap_or("Chorus");
    let body = activity.sentence(who, lang, zone);
    let mut content = activity.detail();
    if let Some(obj) = content.as_object_mut() {
        obj.insert("action".into(), json!(activity.action()));
        obj.insert("actor_id".into(), json!(actor.map(|a| a.membership_id.0)));
        obj.insert("actor_name".into(), json!(actor.map(|a| a.name.clone())));
    }
    let id = Uuid::now_v7();
    diesel::insert_into(m::table)
        .values((
            m::tenant_id.eq(tx.tenant_id()),
            m::id.eq(id),
            m::conversation_id.eq(conversation),
            m::direction.eq("internal"),
            m::kind.eq("activity"),
            m::body.eq(body),
            m::content.eq(content),
            m::status.eq("received"),
            m::sender_type.eq("system"),
            m::sender_id.eq(actor.map(|a| a.membership_id.0)),
        ))
        .execute(tx.pg())
        .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_in_both_languages() {
        let z = chrono_tz::UTC;
        assert_eq!(
            Activity::Assigned { to: "Luis".into() }.sentence("Ana", Lang::En, z),
            "Ana assigned the conversation to Luis"
        );
        assert_eq!(
            Activity::Assigned { to: "Luis".into() }.sentence("Ana", Lang::Es, z),
            "Ana asignó la conversación a Luis"
        );
        assert_eq!(
            Activity::Transferred {
                team: Some("Billing".into()),
                note: Some("refund".into())
            }
            .sentence("Ana", Lang::En, z),
            "Ana transferred the conversation to Billing: “refund”"
        );
        assert_eq!(
            Activity::Priority {
                priority: "urgent".into()
            }
            .sentence("Ana", Lang::Es, z),
            "Ana cambió la prioridad a urgente"
        );
    }
}
