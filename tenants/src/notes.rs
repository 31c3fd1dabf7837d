//! Internal notes: what agents tell each other about a conversation. A note is a timeline item
//! (a message with direction `internal`, kind `note`) that no code path ever sends: the send
//! job only takes `outbound` rows queued by [`crate::outbound::queue`], and notes enqueue no job.
//! Mentions of agents and teams notify each person once (a team mention reaches its members),
//! never the author.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::messages::{self, Message};
use crate::notifications::{self, Notice};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{memberships, messages as m, team_members, teams, users};

/// Whom a note mentions.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentionInput {
    /// agent or team
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Uuid,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// 1 to 4096 characters.
    pub body: String,
    #[serde(default)]
    pub mentions: Vec<MentionInput>,
}

/// A mention as stored on the note.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mention {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Uuid,
    pub name: String,
}

/// Add a note to a conversation the actor may see (`notes:write`).
pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    conversation: Uuid,
    input: NewNote,
) -> Result<Message> {
    actor.require(Permission::NotesWrite)?;
    let conv = crate::conversations::get(tx, actor, conversation).await?;
    let body = input.body.trim();
    if body.is_empty() || body.chars().count() > 4096 {
        return Err(Error::invalid("body", "A note has 1 to 4096 characters."));
    }
    if input.mentions.len() > 50 {
        return Err(Error::invalid("mentions", "At most 50 mentions."));
    }
    let mut mentions = Vec::new();
    let mut recipients: BTreeSet<Uuid> = BTreeSet::new();
    for mention in &input.mentions {
        match mention.kind.as_str() {
            "agent" => {
                let name: Option<String> = memberships::table
                    .inner_join(users::table.on(users::id.eq(memberships::user_id)))
                    .filter(memberships::id.eq(mention.id))
                    .filter(memberships::status.eq("active"))
                    .select(users::name)
                    .first(tx.pg())
                    .await
                    .optional()?;
                let name = name.ok_or_else(|| {
                    Error::invalid("mentions", "A mentioned agent is not in this business.")
                })?;
                recipients.insert(mention.id);
                mentions.push(Mention {
                    kind: "agent".into(),
                    id: mention.id,
                    name,
                });
            }
            "team" => {
                let name: Option<String> = teams::table
                    .filter(teams::id.eq(mention.id))
                    .select(teams::name)
                    .first(tx.pg())
                    .await
                    .optional()?;
                let name = name.ok_or_else(|| {
                    Error::invalid("mentions", "A mentioned team is not in this business.")
                })?;
                let members: Vec<Uuid> = team_members::table
                    .inner_join(
                        memberships::table.on(memberships::tenant_id
                            .eq(team_members::tenant_id)
                            .and(memberships::id.eq(team_members::membership_id))),
                    )
                    .filter(team_members::team_id.eq(mention.id))
                    .filter(memberships::status.eq("active"))
                    .select(team_members::membership_id)
                    .load(tx.pg())
                    .await?;
                recipients.extend(members);
                mentions.push(Mention {
                    kind: "team".into(),
                    id: mention.id,
                    name,
                });
            }
            _ => {
                return Err(Error::invalid(
                    "mentions",
                    "A mention's type is agent or team.",
                ));
            }
        }
    }
    recipients.remove(&actor.membership_id.0);
    let id = Uuid::now_v7();
    diesel::insert_into(m::table)
        .values((
            m::tenant_id.eq(tx.tenant_id()),
            m::id.eq(id),
            m::conversation_id.eq(conversation),
            m::direction.eq("internal"),
            m::kind.eq("note"),
            m::body.eq(body),
            m::content.eq(json!({ "mentions": mentions })),
            m::status.eq("received"),
            m::sender_type.eq("agent"),
            m::sender_id.eq(actor.membership_id.0),
        ))
        .execute(tx.pg())
        .await?;
    let excerpt: String = body.chars().take(140).collect();
    for recipient in recipients {
        notifications::notify(
            tx,
            Notice {
                recipient,
                kind: "mention",
                conversation_id: conversation,
                message_id: Some(id),
                actor_id: Some(actor.membership_id.0),
                body: format!(
                    "{} mentioned you ({}): {excerpt}",
                    actor.name,
                    conv.contact_label()
                ),
            },
        )
        .await?;
    }
    let mut note = messages::get_plain(tx, id).await?;
    note.sender_name = Some(actor.name.clone());
    Ok(note)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mentionable {
    pub id: Uuid,
    pub name: String,
}

/// Who can be mentioned: active agents and teams.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mentionables {
    pub agents: Vec<Mentionable>,
    pub teams: Vec<Mentionable>,
}

pub async fn mentionables(tx: &mut TenantTx, actor: &Actor) -> Result<Mentionables> {
    actor.require_any(&[
        Permission::ConversationsReadAll,
        Permission::ConversationsReadAssigned,
    ])?;
    let agents: Vec<(Uuid, String)> = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(memberships::status.eq("active"))
        .order(users::name)
        .select((memberships::id, users::name))
        .limit(1000)
        .load(tx.pg())
        .await?;
    let team_rows: Vec<(Uuid, String)> = teams::table
        .order(teams::name)
        .select((teams::id, teams::name))
        .limit(1000)
        .load(tx.pg())
        .await?;
    let to = |rows: Vec<(Uuid, String)>| {
        rows.into_iter()
            .map(|(id, name)| Mentionable { id, name })
            .collect()
    };
    Ok(Mentionables {
        agents: to(agents),
        teams: to(team_rows),
    })
}
