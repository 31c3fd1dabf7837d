//! Contacts: the customers of a business, one per WhatsApp identity (phone number and/or
//! business-scoped user id), with their tags and past conversations. A member sees a contact
//! when they may read conversations; the conversations listed follow their scope.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use crate::conversations::{Scope, TagRef};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{contact_tags as kt, contacts as k, conversations as c, tags};

/// One past or current conversation of a contact.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub number_id: Uuid,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub last_message_preview: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: Uuid,
    pub wa_id: Option<String>,
    pub bsuid: Option<String>,
    pub name: Option<String>,
    pub tags: Vec<TagRef>,
    /// Newest first, at most 50 (those the caller may see).
    pub conversations: Vec<ConversationSummary>,
    pub created_at: DateTime<Utc>,
}

pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Contact> {
    let scope = crate::conversations::scope(tx, actor).await?;
    let row: Option<(
        Uuid,
        Option<String>,
        Option<String>,
        Option<String>,
        DateTime<Utc>,
    )> = k::table
        .filter(k::id.eq(id))
        .select((k::id, k::wa_id, k::bsuid, k::profile_name, k::created_at))
        .first(tx.pg())
        .await
        .optional()?;
    let (id, wa_id, bsuid, name, created_at) = row.ok_or(Error::NotFound("contact"))?;
    let convs: Vec<(
        Uuid,
        Uuid,
        String,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<String>,
        Option<Uuid>,
        Option<Uuid>,
    )> = c::table
        .filter(c::contact_id.eq(id))
        .order(c::opened_at.desc())
        .limit(50)
        .select((
            c::id,
            c::number_id,
            c::status,
            c::opened_at,
            c::resolved_at,
            c::last_message_preview,
            c::assignee_id,
            c::team_id,
        ))
        .load(tx.pg())
        .await?;
    let visible: Vec<ConversationSummary> = convs
        .into_iter()
        .filter(|r| scope.allows(r.6, r.7))
        .map(|r| ConversationSummary {
            id: r.0,
            number_id: r.1,
            status: r.2,
            opened_at: r.3,
            resolved_at: r.4,
            last_message_preview: r.5,
        })
        .collect();
    if visible.is_empty() && matches!(scope, Scope::Assigned { .. }) {
        // An agent who may see none of this customer's conversations does not see them either.
        return Err(Error::NotFound("contact"));
    }
    let tag_rows: Vec<(Uuid, String, String)> = kt::table
        .inner_join(
            tags::table.on(tags::tenant_id
                .eq(kt::tenant_id)
                .and(tags::id.eq(kt::tag_id))),
        )
        .filter(kt::contact_id.eq(id))
        .order(tags::name)
        .select((tags::id, tags::name, tags::colour))
        .load(tx.pg())
        .await?;
    Ok(Contact {
        id,
        wa_id,
        bsuid,
        name,
        tags: tag_rows
            .into_iter()
            .map(|(id, name, colour)| TagRef { id, name, colour })
            .collect(),
        conversations: visible,
        created_at,
    })
}

/// Replace a contact's tags (`contacts:manage`, or `conversations:reply` for agents tagging
/// the customer they talk to).
pub async fn set_tags(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    tag_ids: Vec<Uuid>,
) -> Result<Contact> {
    actor.require_any(&[Permission::ContactsManage, Permission::ConversationsReply])?;
    get(tx, actor, id).await?;
    let wanted: Vec<Uuid> = crate::tags::resolve_ids(tx, tag_ids)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    diesel::delete(kt::table.filter(kt::contact_id.eq(id)))
        .execute(tx.pg())
        .await?;
    let rows: Vec<_> = wanted
        .iter()
        .map(|t| {
            (
                kt::tenant_id.eq(tx.tenant_id()),
                kt::contact_id.eq(id),
                kt::tag_id.eq(*t),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(kt::table)
            .values(rows)
            .execute(tx.pg())
            .await?;
    }
    diesel::update(k::table.filter(k::id.eq(id)))
        .set(k::updated_at.eq(Utc::now()))
        .execute(tx.pg())
        .await?;
    get(tx, actor, id).await
}
