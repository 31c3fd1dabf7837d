//! Canned responses: saved replies an agent inserts with `/shortcut`. Shared ones (everyone
//! sees them; `canned:manage` writes them) and personal ones (only their owner sees and writes
//! them). Bodies may hold `{{contact.name}}`, `{{agent.name}}` and `{{business.name}}`, filled in
//! for a given conversation; anything else between braces is left as written.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::canned_responses as cr;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CannedResponse {
    pub id: Uuid,
    pub shortcut: String,
    pub title: Option<String>,
    pub body: String,
    /// Everyone's (true) or the owner's own (false).
    pub shared: bool,
    pub owner_id: Option<Uuid>,
    /// The body filled in for the conversation asked about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCanned {
    /// a-z, 0-9, `_` and `-`; 1 to 32 characters.
    pub shortcut: String,
    pub title: Option<String>,
    /// 1 to 4096 characters.
    pub body: String,
    /// Shared with the whole business (needs canned:manage); personal otherwise.
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedChanges {
    pub shortcut: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CannedFilter {
    /// The start of a shortcut, or words of a title.
    pub q: Option<String>,
    /// Fill in the bodies for this conversation (`rendered`).
    pub conversation_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CannedList {
    pub items: Vec<CannedResponse>,
}

type Row = (
    Uuid,
    String,
    Option<String>,
    String,
    Option<Uuid>,
    DateTime<Utc>,
);

fn to_canned(r: Row) -> CannedResponse {
    CannedResponse {
        id: r.0,
        shortcut: r.1,
        title: r.2,
        body: r.3,
        shared: r.4.is_none(),
        owner_id: r.4,
        rendered: None,
        updated_at: r.5,
    }
}

fn check_shortcut(s: &str) -> Result<String> {
    let s = s.trim().trim_start_matches('/').to_ascii_lowercase();
    let ok = (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(s)
    } else {
        Err(Error::invalid(
            "shortcut",
            "A shortcut has 1 to 32 letters a-z, digits, - or _.",
        ))
    }
}

fn check_body(s: &str) -> Result<String> {
    let n = s.trim().chars().count();
    if n == 0 || n > 4096 {
        return Err(Error::invalid("body", "A reply has 1 to 4096 characters."));
    }
    Ok(s.trim().to_owned())
}

fn check_title(s: Option<&str>) -> Result<Option<String>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > 120 => Err(Error::invalid(
            "title",
            "A title has at most 120 characters.",
        )),
        Some(t) => Ok(Some(t.to_owned())),
    }
}

/// Fill in the placeholders.
pub fn render(body: &str, contact: &str, agent: &str, business: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let value = match after[..end].trim() {
                    "contact.name" => Some(contact),
                    "agent.name" => Some(agent),
                    "business.name" => Some(business),
                    _ => None,
                };
                match value {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn uniqueness(e: diesel::result::Error) -> Error {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => Error::conflict(
            "shortcut_taken",
            "There is already a reply with that shortcut.",
        ),
        other => other.into(),
    }
}

/// Shared replies and the caller's own, by shortcut.
pub async fn list(tx: &mut TenantTx, actor: &Actor, filter: &CannedFilter) -> Result<CannedList> {
    actor.require_any(&[
        Permission::ConversationsReadAll,
        Permission::ConversationsReadAssigned,
    ])?;
    let mut q = cr::table
        .filter(
            cr::owner_id
                .is_null()
                .or(cr::owner_id.eq(actor.membership_id.0)),
        )
        .select((
            cr::id,
            cr::shortcut,
            cr::title,
            cr::body,
            cr::owner_id,
            cr::updated_at,
        ))
        .order((cr::shortcut, cr::owner_id.is_null()))
        .limit(500)
        .into_boxed();
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 100 {
            return Err(Error::invalid("q", "Search for at most 100 characters."));
        }
        let escaped = text
            .trim_start_matches('/')
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.filter(
            cr::shortcut
                .like(format!("{}%", escaped.to_ascii_lowercase()))
                .or(cr::title.ilike(format!("%{escaped}%"))),
        );
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    let mut items: Vec<CannedResponse> = rows.into_iter().map(to_canned).collect();
    if let Some(conversation) = filter.conversation_id {
        let conv = crate::conversations::get(tx, actor, conversation).await?;
        let contact = conv
            .contact
            .name
            .clone()
            .unwrap_or_else(|| conv.contact_label());
        let business = crate::businesses::current(tx).await?.name;
        for item in &mut items {
            item.rendered = Some(render(&item.body, &contact, &actor.name, &business));
        }
    }
    Ok(CannedList { items })
}

async fn fetch(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<CannedResponse> {
    let row: Option<Row> = cr::table
        .filter(cr::id.eq(id))
        .filter(
            cr::owner_id
                .is_null()
                .or(cr::owner_id.eq(actor.membership_id.0)),
        )
        .select((
            cr::id,
            cr::shortcut,
            cr::title,
            cr::body,
            cr::owner_id,
            cr::updated_at,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_canned).ok_or(Error::NotFound("canned response"))
}

/// Shared replies need canned:manage; personal ones need conversations:reply.
fn require_write(actor: &Actor, shared: bool) -> Result<()> {
    if shared {
        actor.require(Permission::CannedManage)
    } else {
        actor.require(Permission::ConversationsReply)
    }
}

pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewCanned) -> Result<CannedResponse> {
    require_write(actor, input.shared)?;
    let shortcut = check_shortcut(&input.shortcut)?;
    let body = check_body(&input.body)?;
    let title = check_title(input.title.as_deref())?;
    let id = Uuid::now_v7();
    diesel::insert_into(cr::table)
        .values((
            cr::tenant_id.eq(tx.tenant_id()),
            cr::id.eq(id),
            cr::shortcut.eq(&shortcut),
            cr::title.eq(&title),
            cr::body.eq(&body),
            cr::owner_id.eq((!input.shared).then_some(actor.membership_id.0)),
            cr::created_by.eq(actor.membership_id.0),
        ))
        .execute(tx.pg())
        .await
        .map_err(uniqueness)?;
    fetch(tx, actor, id).await
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    changes: CannedChanges,
) -> Result<CannedResponse> {
    let current = fetch(tx, actor, id).await?;
    require_write(actor, current.shared)?;
    let shortcut = match changes.shortcut.as_deref() {
        Some(s) => check_shortcut(s)?,
        None => current.shortcut,
    };
    let body = match changes.body.as_deref() {
        Some(b) => check_body(b)?,
        None => current.body,
    };
    let title = match changes.title.as_deref() {
        Some(t) => check_title(Some(t))?,
        None => current.title,
    };
    diesel::update(cr::table.filter(cr::id.eq(id)))
        .set((
            cr::shortcut.eq(&shortcut),
            cr::body.eq(&body),
            cr::title.eq(&title),
            cr::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await
        .map_err(uniqueness)?;
    fetch(tx, actor, id).await
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<()> {
    let current = fetch(tx, actor, id).await?;
    require_write(actor, current.shared)?;
    diesel::delete(cr::table.filter(cr::id.eq(id)))
        .execute(tx.pg())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_others_kept() {
        assert_eq!(
            render(
                "Hi {{contact.name}}, {{ agent.name }} from {{business.name}} here. {{order}} {{",
                "María",
                "Ana",
                "Acme"
            ),
            "Hi María, Ana from Acme here. {{order}} {{"
        );
    }

    #[test]
    fn shortcuts_are_checked() {
        assert_eq!(check_shortcut("/Thanks").ok().as_deref(), Some("thanks"));
        assert!(check_shortcut("two words").is_err());
        assert!(check_shortcut("").is_err());
        assert!(check_shortcut(&"x".repeat(33)).is_err());
    }
}
