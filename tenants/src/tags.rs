//! Tags: short coloured labels for conversations and contacts. Names are unique per business,
//! case-insensitively.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::ids::TagId;
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::tags;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    /// `#rrggbb`
    pub colour: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTag {
    pub name: String,
    pub colour: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagChanges {
    pub name: Option<String>,
    pub colour: Option<String>,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(Error::invalid("name", "A tag name has 1 to 50 characters."));
    }
    Ok(name.to_owned())
}

/// Accept `#rgb`/`#rrggbb` in any case; store `#rrggbb` lower-case.
pub fn check_colour(colour: &str) -> Result<String> {
    let c = colour.trim().to_ascii_lowercase();
    let hex = c.strip_prefix('#').unwrap_or("");
    let ok = hex.chars().all(|ch| ch.is_ascii_hexdigit());
    match (ok, hex.len()) {
        (true, 6) => Ok(c),
        (true, 3) => Ok(format!(
            "#{}",
            hex.chars().flat_map(|ch| [ch, ch]).collect::<String>()
        )),
        _ => Err(Error::invalid("colour", "Use a colour like #1e88e5.")),
    }
}

type Row = (TagId, String, String, DateTime<Utc>);

fn to_tag((id, name, colour, created_at): Row) -> Tag {
    Tag {
        id,
        name,
        colour,
        created_at,
    }
}

pub async fn list(tx: &mut TenantTx, page: PageRequest) -> Result<Page<Tag>> {
    let mut q = tags::table
        .select((tags::id, tags::name, tags::colour, tags::created_at))
        .order(tags::id)
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(tags::id.gt(after));
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    Ok(Page::from_rows(
        rows.into_iter().map(to_tag).collect(),
        page,
        |t| t.id.0,
    ))
}

pub async fn get(tx: &mut TenantTx, id: TagId) -> Result<Tag> {
    let row: Option<Row> = tags::table
        .filter(tags::id.eq(id))
        .select((tags::id, tags::name, tags::colour, tags::created_at))
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_tag).ok_or(Error::NotFound("tag"))
}

fn duplicate(e: diesel::result::Error) -> Error {
    Error::from(e).on_unique(
        "tags_name_key",
        "tag_exists",
        "A tag with this name already exists.",
    )
}

pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewTag) -> Result<Tag> {
    actor.require(Permission::TagsManage)?;
    let name = check_name(&input.name)?;
    let colour = check_colour(&input.colour)?;
    let id = TagId::new();
    let tenant = tx.tenant_id();
    diesel::insert_into(tags::table)
        .values((
            tags::tenant_id.eq(tenant),
            tags::id.eq(id),
            tags::name.eq(name),
            tags::colour.eq(colour),
        ))
        .execute(tx.pg())
        .await
        .map_err(duplicate)?;
    let tag = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "tag.created",
            target_type: "tag",
            target_id: Some(id.0),
            before: None,
            after: audit::snapshot(&tag),
        },
    )
    .await?;
    Ok(tag)
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: TagId,
    changes: TagChanges,
) -> Result<Tag> {
    actor.require(Permission::TagsManage)?;
    let before = get(tx, id).await?;
    let name = changes.name.as_deref().map(check_name).transpose()?;
    let colour = changes.colour.as_deref().map(check_colour).transpose()?;
    diesel::update(tags::table.filter(tags::id.eq(id)))
        .set((
            name.map(|n| tags::name.eq(n)),
            colour.map(|c| tags::colour.eq(c)),
            tags::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await
        .map_err(duplicate)?;
    let after = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "tag.updated",
            target_type: "tag",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: audit::snapshot(&after),
        },
    )
    .await?;
    Ok(after)
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: TagId) -> Result<()> {
    actor.require(Permission::TagsManage)?;
    let before = get(tx, id).await?;
    diesel::delete(tags::table.filter(tags::id.eq(id)))
        .execute(tx.pg())
        .await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "tag.deleted",
            target_type: "tag",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// Tags to put on a conversation or contact: de-duplicated, at most 50, all of this business.
/// Returns (id, name) sorted by id.
pub async fn resolve_ids(
    tx: &mut TenantTx,
    ids: Vec<uuid::Uuid>,
) -> Result<Vec<(uuid::Uuid, String)>> {
    let mut wanted = ids;
    wanted.sort();
    wanted.dedup();
    if wanted.len() > 50 {
        return Err(Error::invalid("tag_ids", "At most 50 tags."));
    }
    let mut found: Vec<(uuid::Uuid, String)> = tags::table
        .filter(tags::id.eq_any(&wanted))
        .select((tags::id, tags::name))
        .load(tx.pg())
        .await?;
    if found.len() != wanted.len() {
        return Err(Error::invalid(
            "tag_ids",
            "Some of those tags do not exist.",
        ));
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::check_colour;

    #[test]
    fn colours() {
        assert_eq!(check_colour("#ABCDEF").unwrap(), "#abcdef");
        assert_eq!(check_colour("#abc").unwrap(), "#aabbcc");
        assert!(check_colour("red").is_err());
        assert!(check_colour("#12345g").is_err());
    }
}
