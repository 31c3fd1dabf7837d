//! Contacts: the customers of a business, one per WhatsApp identity (phone number and/or
//! business-scoped user id), with an agent-kept profile (display name over WhatsApp's profile
//! name, email, notes, custom attributes), marketing opt-in state, blocking, tags and past
//! conversations.
//!
//! Who may do what: a member sees a contact when they may read one of its conversations (the
//! conversations listed follow their scope), and edits the profile and tags of the contacts
//! they see with `contacts:manage`. Business-wide work (the directory list, creating by hand,
//! blocking, merging, duplicates, CSV import and export) needs `contacts:manage` together with
//! `conversations:read_all`: it touches customers and conversations the member might otherwise
//! not see.
//!
//! Attributes are a flat object of string keys (`[a-z0-9_]{1,40}`, at most 50) to JSON strings,
//! numbers or booleans (at most 500 characters as text), because routing rules match on
//! `contacts.attributes ->> key`.
//!
//! Blocking keeps data: a blocked customer's messages are still stored (in their latest
//! conversation on that number, which is not reopened; or in a new conversation created
//! resolved), but they never reopen, notify, assign or auto-reply, and sends to them are
//! refused with 422 `contact_blocked` (see `messages::record_inbound_batch` and `outbound`).
//!
//! Merging (`merge`) folds a duplicate into a target in one transaction; see its doc.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::activity::{self, Activity};
use crate::audit;
use crate::conversations::{Scope, TagRef};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{contact_tags as kt, contacts as k, conversations as c, tags};

/// At most this many custom attributes per contact.
pub const MAX_ATTRIBUTES: usize = 50;
/// An attribute value's longest text form.
pub const MAX_ATTRIBUTE_CHARS: usize = 500;
/// The opt-in states.
pub const OPT_IN_STATES: [&str; 3] = ["unknown", "opted_in", "opted_out"];

/// One past or current conversation of a contact.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub number_id: Uuid,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub last_message_at: DateTime<Utc>,
    pub last_message_preview: Option<String>,
}

/// Marketing consent: `unknown`, `opted_in` or `opted_out`, when and where it last changed
/// (`agent`, `import`, `api`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OptIn {
    pub state: String,
    pub changed_at: Option<DateTime<Utc>>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: Uuid,
    pub wa_id: Option<String>,
    pub bsuid: Option<String>,
    /// What agents see: the agent-set name, else WhatsApp's profile name.
    pub name: Option<String>,
    /// The name an agent set (none: the profile name is shown).
    pub custom_name: Option<String>,
    /// The customer's own WhatsApp profile name.
    pub profile_name: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    /// String keys to strings, numbers or booleans.
    #[schema(value_type = Object)]
    pub attributes: Value,
    pub opt_in: OptIn,
    pub blocked: bool,
    pub blocked_at: Option<DateTime<Utc>>,
    pub blocked_by: Option<Uuid>,
    pub tags: Vec<TagRef>,
    /// Newest first, at most 50 (those the caller may see).
    pub conversations: Vec<ConversationSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact in the directory list (no conversations).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactSummary {
    pub id: Uuid,
    pub wa_id: Option<String>,
    pub bsuid: Option<String>,
    pub name: Option<String>,
    pub profile_name: Option<String>,
    pub email: Option<String>,
    pub opt_in: String,
    pub blocked: bool,
    pub tags: Vec<TagRef>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable)]
pub(crate) struct Row {
    pub id: Uuid,
    pub wa_id: Option<String>,
    pub bsuid: Option<String>,
    pub name: Option<String>,
    pub profile_name: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    pub attributes: Value,
    pub opt_in: String,
    pub opt_in_changed_at: Option<DateTime<Utc>>,
    pub opt_in_source: Option<String>,
    pub blocked_at: Option<DateTime<Utc>>,
    pub blocked_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! row_columns {
    () => {
        (
            k::id,
            k::wa_id,
            k::bsuid,
            k::name,
            k::profile_name,
            k::email,
            k::notes,
            k::attributes,
            k::opt_in,
            k::opt_in_changed_at,
            k::opt_in_source,
            k::blocked_at,
            k::blocked_by,
            k::created_at,
            k::updated_at,
        )
    };
}

pub(crate) async fn row(tx: &mut TenantTx, id: Uuid) -> Result<Row> {
    k::table
        .filter(k::id.eq(id))
        .select(row_columns!())
        .first::<Row>(tx.pg())
        .await
        .optional()?
        .ok_or(Error::NotFound("contact"))
}

/// Business-wide contact work (see the module doc).
pub fn require_directory(actor: &Actor) -> Result<()> {
    actor.require(Permission::ContactsManage)?;
    actor.require(Permission::ConversationsReadAll)
}

async fn tags_of(tx: &mut TenantTx, ids: &[Uuid]) -> Result<BTreeMap<Uuid, Vec<TagRef>>> {
    let mut out: BTreeMap<Uuid, Vec<TagRef>> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Uuid, Uuid, String, String)> = kt::table
        .inner_join(
            tags::table.on(tags::tenant_id
                .eq(kt::tenant_id)
                .and(tags::id.eq(kt::tag_id))),
        )
        .filter(kt::contact_id.eq_any(ids))
        .order(tags::name)
        .select((kt::contact_id, tags::id, tags::name, tags::colour))
        .load(tx.pg())
        .await?;
    for (contact, id, name, colour) in rows {
        out.entry(contact)
            .or_default()
            .push(TagRef { id, name, colour });
    }
    Ok(out)
}

pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Contact> {
    let scope = crate::conversations::scope(tx, actor).await?;
    let r = row(tx, id).await?;
    let convs: Vec<(
        Uuid,
        Uuid,
        String,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        DateTime<Utc>,
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
            c::last_message_at,
            c::last_message_preview,
            c::assignee_id,
            c::team_id,
        ))
        .load(tx.pg())
        .await?;
    let visible: Vec<ConversationSummary> = convs
        .into_iter()
        .filter(|r| scope.allows(r.7, r.8))
        .map(|r| ConversationSummary {
            id: r.0,
            number_id: r.1,
            status: r.2,
            opened_at: r.3,
            resolved_at: r.4,
            last_message_at: r.5,
            last_message_preview: r.6,
        })
        .collect();
    if visible.is_empty() && matches!(scope, Scope::Assigned { .. }) {
        // An agent who may see none of this customer's conversations does not see them either.
        return Err(Error::NotFound("contact"));
    }
    let tags = tags_of(tx, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Contact {
        id: r.id,
        wa_id: r.wa_id,
        bsuid: r.bsuid,
        name: r.name.clone().or_else(|| r.profile_name.clone()),
        custom_name: r.name,
        profile_name: r.profile_name,
        email: r.email,
        notes: r.notes,
        attributes: r.attributes,
        opt_in: OptIn {
            state: r.opt_in,
            changed_at: r.opt_in_changed_at,
            source: r.opt_in_source,
        },
        blocked: r.blocked_at.is_some(),
        blocked_at: r.blocked_at,
        blocked_by: r.blocked_by,
        tags,
        conversations: visible,
        created_at: r.created_at,
        updated_at: r.updated_at,
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
    add_tags(tx, id, &wanted).await?;
    diesel::update(k::table.filter(k::id.eq(id)))
        .set(k::updated_at.eq(Utc::now()))
        .execute(tx.pg())
        .await?;
    get(tx, actor, id).await
}

pub(crate) async fn add_tags(tx: &mut TenantTx, contact: Uuid, tag_ids: &[Uuid]) -> Result<()> {
    let rows: Vec<_> = tag_ids
        .iter()
        .map(|t| {
            (
                kt::tenant_id.eq(tx.tenant_id()),
                kt::contact_id.eq(contact),
                kt::tag_id.eq(*t),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(kt::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(tx.pg())
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Validation

/// A phone number in E.164 as WhatsApp ids carry it: 8 to 15 digits, no leading zero. Spaces,
/// dashes, dots, brackets and a leading `+` are allowed on input.
pub fn parse_phone(input: &str) -> Result<String> {
    let trimmed = input.trim();
    let rest = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let mut digits = String::with_capacity(rest.len());
    for ch in rest.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err(Error::invalid(
                    "phone",
                    "A phone number has only digits, in international format (+34 600 111 222).",
                ));
            }
        }
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(Error::invalid(
            "phone",
            "A phone number has 8 to 15 digits with its country code (+34 600 111 222).",
        ));
    }
    Ok(digits)
}

/// An optional text field: `""` clears it.
fn check_text(field: &str, value: &str, max: usize) -> Result<Option<String>> {
    let t = value.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(Error::invalid(field, format!("At most {max} characters.")));
    }
    Ok(Some(t.to_owned()))
}

pub fn check_email(value: &str) -> Result<Option<String>> {
    let e = value.trim().to_lowercase();
    if e.is_empty() {
        return Ok(None);
    }
    let ok = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(Some(e))
    } else {
        Err(Error::invalid("email", "That is not an email address."))
    }
}

pub fn check_opt_in(value: &str) -> Result<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "unknown" | "" => Ok("unknown"),
        "opted_in" | "opt_in" | "yes" | "true" | "1" => Ok("opted_in"),
        "opted_out" | "opt_out" | "no" | "false" | "0" => Ok("opted_out"),
        _ => Err(Error::invalid(
            "opt_in",
            "opt_in is unknown, opted_in or opted_out.",
        )),
    }
}

/// An attribute key: `[a-z0-9_]{1,40}`.
pub fn check_attribute_key(key: &str) -> Result<()> {
    let ok = (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "attributes",
            format!("The attribute key {key:?} must be 1 to 40 characters of a-z, 0-9 and _."),
        ))
    }
}

/// One attribute value: a string, number or boolean of at most 500 characters.
pub fn check_attribute_value(key: &str, value: &Value) -> Result<()> {
    let text_len = match value {
        Value::String(s) => s.chars().count(),
        Value::Number(n) => n.to_string().len(),
        Value::Bool(_) => 0,
        _ => {
            return Err(Error::invalid(
                "attributes",
                format!("The attribute {key:?} must be a string, a number or true/false."),
            ));
        }
    };
    if text_len > MAX_ATTRIBUTE_CHARS {
        return Err(Error::invalid(
            "attributes",
            format!("The attribute {key:?} has more than {MAX_ATTRIBUTE_CHARS} characters."),
        ));
    }
    Ok(())
}

/// A whole attributes object.
pub fn check_attributes(value: &Value) -> Result<()> {
    let Some(obj) = value.as_object() else {
        return Err(Error::invalid(
            "attributes",
            "Attributes are an object of keys to values.",
        ));
    };
    if obj.len() > MAX_ATTRIBUTES {
        return Err(Error::invalid(
            "attributes",
            format!("At most {MAX_ATTRIBUTES} attributes."),
        ));
    }
    for (key, v) in obj {
        check_attribute_key(key)?;
        check_attribute_value(key, v)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Directory: list, create, edit

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ContactFilter {
    /// Words of the name or email, or digits of the phone number.
    pub q: Option<String>,
    /// Only contacts with this tag.
    pub tag_id: Option<Uuid>,
    /// Only blocked (true) or not blocked (false) contacts.
    pub blocked: Option<bool>,
}

fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// The directory, newest first.
pub async fn list(
    tx: &mut TenantTx,
    actor: &Actor,
    filter: &ContactFilter,
    page: PageRequest,
) -> Result<Page<ContactSummary>> {
    use diesel::sql_types::Bool;
    require_directory(actor)?;
    let mut q = k::table
        .select(row_columns!())
        .order(k::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(k::id.lt(after));
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 200 {
            return Err(Error::invalid("q", "At most 200 characters."));
        }
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        q = q.filter(
            // Each column on its own (not coalesce()), so the trigram indexes apply.
            diesel::dsl::sql::<Bool>("(contacts.name ILIKE ")
                .bind::<Text, _>(like_pattern(text))
                .sql(" OR contacts.profile_name ILIKE ")
                .bind::<Text, _>(like_pattern(text))
                .sql(" OR contacts.email ILIKE ")
                .bind::<Text, _>(like_pattern(text))
                .sql(" OR (")
                .bind::<Text, _>(digits.clone())
                .sql(" <> '' AND contacts.wa_id LIKE '%' || ")
                .bind::<Text, _>(digits)
                .sql(" || '%'))"),
        );
    }
    if let Some(tag) = filter.tag_id {
        q = q.filter(k::id.eq_any(kt::table.filter(kt::tag_id.eq(tag)).select(kt::contact_id)));
    }
    match filter.blocked {
        Some(true) => q = q.filter(k::blocked_at.is_not_null()),
        Some(false) => q = q.filter(k::blocked_at.is_null()),
        None => {}
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut tags = tags_of(tx, &ids).await?;
    let items: Vec<ContactSummary> = rows
        .into_iter()
        .map(|r| ContactSummary {
            id: r.id,
            tags: tags.remove(&r.id).unwrap_or_default(),
            wa_id: r.wa_id,
            bsuid: r.bsuid,
            name: r.name.or_else(|| r.profile_name.clone()),
            profile_name: r.profile_name,
            email: r.email,
            opt_in: r.opt_in,
            blocked: r.blocked_at.is_some(),
            created_at: r.created_at,
        })
        .collect();
    Ok(Page::from_rows(items, page, |x| x.id))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// In international format: `+34 600 111 222` or `34600111222`.
    pub phone: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Value>,
    /// unknown (default), opted_in or opted_out
    pub opt_in: Option<String>,
    #[serde(default)]
    pub tag_ids: Vec<Uuid>,
}

/// Create a contact by hand. A number the business already has is 409 `contact_exists`.
pub async fn create(tx: &mut TenantTx, actor: &Actor, input: NewContact) -> Result<Contact> {
    require_directory(actor)?;
    let wa_id = parse_phone(&input.phone)?;
    let name = match &input.name {
        Some(n) => check_text("name", n, 200)?,
        None => None,
    };
    let email = match &input.email {
        Some(e) => check_email(e)?,
        None => None,
    };
    let notes = match &input.notes {
        Some(n) => check_text("notes", n, 10_000)?,
        None => None,
    };
    let attributes = input.attributes.unwrap_or_else(|| json!({}));
    check_attributes(&attributes)?;
    let opt_in = match &input.opt_in {
        Some(o) => check_opt_in(o)?,
        None => "unknown",
    };
    let tag_ids: Vec<Uuid> = crate::tags::resolve_ids(tx, input.tag_ids)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let id = Uuid::now_v7();
    let now = Utc::now();
    diesel::insert_into(k::table)
        .values((
            k::tenant_id.eq(tx.tenant_id()),
            k::id.eq(id),
            k::wa_id.eq(&wa_id),
            k::name.eq(&name),
            k::email.eq(&email),
            k::notes.eq(&notes),
            k::attributes.eq(&attributes),
            k::opt_in.eq(opt_in),
            (opt_in != "unknown").then(|| k::opt_in_changed_at.eq(now)),
            (opt_in != "unknown").then(|| k::opt_in_source.eq("agent")),
        ))
        .execute(tx.pg())
        .await
        .map_err(|e| {
            Error::from(e).on_unique(
                "contacts_wa_id",
                "contact_exists",
                "A contact with this phone number already exists.",
            )
        })?;
    add_tags(tx, id, &tag_ids).await?;
    if opt_in != "unknown" {
        crate::consent::record(tx, id, opt_in, "agent", None).await?;
    }
    get(tx, actor, id).await
}

/// Profile changes; every field is optional and `""` clears a text field. `attributes`
/// replaces the whole object.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Value>,
    /// unknown, opted_in or opted_out
    pub opt_in: Option<String>,
}

/// Edit a contact the caller sees (`contacts:manage`).
pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    changes: ContactChanges,
) -> Result<Contact> {
    actor.require(Permission::ContactsManage)?;
    get(tx, actor, id).await?;
    apply_changes(tx, id, &changes, "agent").await?;
    get(tx, actor, id).await
}

/// Validate and write profile changes (shared with imports). Returns whether anything changed.
pub(crate) async fn apply_changes(
    tx: &mut TenantTx,
    id: Uuid,
    changes: &ContactChanges,
    source: &str,
) -> Result<()> {
    let name = changes
        .name
        .as_deref()
        .map(|n| check_text("name", n, 200))
        .transpose()?;
    let email = changes.email.as_deref().map(check_email).transpose()?;
    let notes = changes
        .notes
        .as_deref()
        .map(|n| check_text("notes", n, 10_000))
        .transpose()?;
    if let Some(a) = &changes.attributes {
        check_attributes(a)?;
    }
    let opt_in = changes.opt_in.as_deref().map(check_opt_in).transpose()?;
    let current: String = k::table
        .filter(k::id.eq(id))
        .select(k::opt_in)
        .for_update()
        .first(tx.pg())
        .await?;
    let opt_change = opt_in.filter(|o| *o != current);
    let now = Utc::now();
    diesel::update(k::table.filter(k::id.eq(id)))
        .set((
            name.map(|n| k::name.eq(n)),
            email.map(|e| k::email.eq(e)),
            notes.map(|n| k::notes.eq(n)),
            changes.attributes.as_ref().map(|a| k::attributes.eq(a)),
            opt_change.map(|o| k::opt_in.eq(o)),
            opt_change.map(|_| k::opt_in_changed_at.eq(now)),
            opt_change.map(|_| k::opt_in_source.eq(source)),
            k::updated_at.eq(now),
        ))
        .execute(tx.pg())
        .await?;
    if let Some(state) = opt_change {
        crate::consent::record(tx, id, state, source, None).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Blocking

/// Whether the customer of this conversation is blocked.
pub async fn conversation_blocked(tx: &mut TenantTx, conversation: Uuid) -> Result<bool> {
    let blocked: Option<Option<DateTime<Utc>>> = c::table
        .inner_join(k::table.on(k::tenant_id.eq(c::tenant_id).and(k::id.eq(c::contact_id))))
        .filter(c::id.eq(conversation))
        .select(k::blocked_at)
        .first(tx.pg())
        .await
        .optional()?;
    Ok(blocked.flatten().is_some())
}

/// Refuse a send to a blocked customer (422 `contact_blocked`).
pub async fn ensure_sendable(tx: &mut TenantTx, conversation: Uuid) -> Result<()> {
    if conversation_blocked(tx, conversation).await? {
        return Err(Error::Unprocessable {
            code: "contact_blocked",
            message: "This customer is blocked: unblock them before sending.".into(),
        });
    }
    Ok(())
}

async fn unresolved_conversations(tx: &mut TenantTx, contact: Uuid) -> Result<Vec<Uuid>> {
    Ok(c::table
        .filter(c::contact_id.eq(contact))
        .filter(c::status.ne("resolved"))
        .select(c::id)
        .load(tx.pg())
        .await?)
}

/// Block (`true`) or unblock a customer. Repeating it changes nothing. Recorded in the audit
/// log and in the timeline of the customer's unresolved conversations.
pub async fn set_blocked(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    blocked: bool,
) -> Result<Contact> {
    require_directory(actor)?;
    let r = row(tx, id).await?;
    if r.blocked_at.is_some() != blocked {
        let now = Utc::now();
        diesel::update(k::table.filter(k::id.eq(id)))
            .set((
                k::blocked_at.eq(blocked.then_some(now)),
                k::blocked_by.eq(blocked.then_some(actor.membership_id.0)),
                k::updated_at.eq(now),
            ))
            .execute(tx.pg())
            .await?;
        audit::record(
            tx,
            audit::Entry {
                actor: Some(actor.membership_id),
                action: if blocked {
                    "contact.blocked"
                } else {
                    "contact.unblocked"
                },
                target_type: "contact",
                target_id: Some(id),
                before: Some(json!({"blocked_at": r.blocked_at})),
                after: Some(json!({"blocked_at": blocked.then_some(now)})),
            },
        )
        .await?;
        let activity = if blocked {
            Activity::ContactBlocked
        } else {
            Activity::ContactUnblocked
        };
        for conv in unresolved_conversations(tx, id).await? {
            activity::record(tx, conv, Some(actor), activity.clone()).await?;
        }
    }
    get(tx, actor, id).await
}

// ---------------------------------------------------------------------------------------------
// Merging

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The duplicate, folded into the contact of the path and then deleted.
    pub from: Uuid,
}

/// Merge `from` into `target` in one transaction:
/// - its conversations move to the target (their messages stay with them; the customer's own
///   messages name the target as sender);
/// - when both have an unresolved conversation on the same number (only one may exist per
///   number and contact), the older of the two is resolved, with a note in its timeline;
/// - tags are united; attributes are united with the target winning on conflicts;
/// - the target keeps its own name, email, notes (the duplicate's notes are appended), wa_id and
///   bsuid, taking the duplicate's where it has none; an unknown opt-in takes the duplicate's;
///   a blocked duplicate leaves the target blocked;
/// - the duplicate is deleted; the audit log keeps both as they were.
///
/// Merging a contact into itself is 422 `merge_same_contact`; another business's contact is 404.
pub async fn merge(tx: &mut TenantTx, actor: &Actor, target: Uuid, from: Uuid) -> Result<Contact> {
    require_directory(actor)?;
    // Lock both rows in id order so two merges of the same pair cannot deadlock.
    let mut both = [target, from];
    both.sort();
    let locked: Vec<Uuid> = k::table
        .filter(k::id.eq_any(both))
        .order(k::id)
        .select(k::id)
        .for_update()
        .load(tx.pg())
        .await?;
    if !locked.contains(&target) {
        return Err(Error::NotFound("contact"));
    }
    if target == from {
        return Err(Error::Unprocessable {
            code: "merge_same_contact",
            message: "A contact cannot be merged into itself.".into(),
        });
    }
    if !locked.contains(&from) {
        return Err(Error::NotFound("contact"));
    }
    let t = row(tx, target).await?;
    let f = row(tx, from).await?;
    let before_t = audit::snapshot(&snapshot_of(&t));
    let before_f = audit::snapshot(&snapshot_of(&f));

    // 1. One unresolved conversation per number and contact: resolve the older of a clash.
    #[derive(QueryableByName)]
    struct Clash {
        #[diesel(sql_type = SqlUuid)]
        older: Uuid,
    }
    let clashes: Vec<Clash> = diesel::sql_query(
        "SELECT CASE WHEN a.opened_at <= b.opened_at THEN a.id ELSE b.id END AS older
           FROM conversations a
           JOIN conversations b ON b.tenant_id = a.tenant_id AND b.number_id = a.number_id
          WHERE a.contact_id = $1 AND b.contact_id = $2
            AND a.status <> 'resolved' AND b.status <> 'resolved'",
    )
    .bind::<SqlUuid, _>(target)
    .bind::<SqlUuid, _>(from)
    .load(tx.pg())
    .await?;
    let now = Utc::now();
    for clash in &clashes {
        diesel::update(c::table.filter(c::id.eq(clash.older)))
            .set((
                c::status.eq("resolved"),
                c::resolved_at.eq(now),
                c::snoozed_until.eq(None::<DateTime<Utc>>),
                c::waiting_since.eq(None::<DateTime<Utc>>),
                c::updated_at.eq(now),
            ))
            .execute(tx.pg())
            .await?;
    }
    // 2. Conversations move; the customer's messages name the target.
    let moved: Vec<Uuid> = diesel::update(c::table.filter(c::contact_id.eq(from)))
        .set((c::contact_id.eq(target), c::updated_at.eq(now)))
        .returning(c::id)
        .get_results(tx.pg())
        .await?;
    if !moved.is_empty() {
        use crate::schema::messages as m;
        diesel::update(
            m::table
                .filter(m::conversation_id.eq_any(&moved))
                .filter(m::sender_type.eq("contact"))
                .filter(m::sender_id.eq(from)),
        )
        .set(m::sender_id.eq(target))
        .execute(tx.pg())
        .await?;
    }
    // 3. Tags.
    let from_tags: Vec<Uuid> = kt::table
        .filter(kt::contact_id.eq(from))
        .select(kt::tag_id)
        .load(tx.pg())
        .await?;
    add_tags(tx, target, &from_tags).await?;
    // 4. The duplicate goes (its tags with it), then the target takes what it lacked.
    diesel::delete(k::table.filter(k::id.eq(from)))
        .execute(tx.pg())
        .await?;
    let mut attributes = f.attributes.as_object().cloned().unwrap_or_default();
    if let Some(own) = t.attributes.as_object() {
        for (key, v) in own {
            attributes.insert(key.clone(), v.clone());
        }
    }
    let notes = match (&t.notes, &f.notes) {
        (Some(a), Some(b)) if a != b => {
            let joined = format!("{a}\n\n{b}");
            Some(joined.chars().take(10_000).collect::<String>())
        }
        (Some(a), _) => Some(a.clone()),
        (None, b) => b.clone(),
    };
    let (opt_in, opt_at, opt_source) = if t.opt_in == "unknown" && f.opt_in != "unknown" {
        (
            f.opt_in.clone(),
            f.opt_in_changed_at,
            f.opt_in_source.clone(),
        )
    } else {
        (
            t.opt_in.clone(),
            t.opt_in_changed_at,
            t.opt_in_source.clone(),
        )
    };
    let (blocked_at, blocked_by) = if t.blocked_at.is_none() && f.blocked_at.is_some() {
        (f.blocked_at, f.blocked_by)
    } else {
        (t.blocked_at, t.blocked_by)
    };
    diesel::update(k::table.filter(k::id.eq(target)))
        .set((
            k::wa_id.eq(t.wa_id.clone().or(f.wa_id.clone())),
            k::bsuid.eq(t.bsuid.clone().or(f.bsuid.clone())),
            k::name.eq(t.name.clone().or(f.name.clone())),
            k::profile_name.eq(t.profile_name.clone().or(f.profile_name.clone())),
            k::email.eq(t.email.clone().or(f.email.clone())),
            k::notes.eq(notes),
            k::attributes.eq(Value::Object(attributes)),
            k::opt_in.eq(opt_in),
            k::opt_in_changed_at.eq(opt_at),
            k::opt_in_source.eq(opt_source),
            k::blocked_at.eq(blocked_at),
            k::blocked_by.eq(blocked_by),
            k::updated_at.eq(now),
        ))
        .execute(tx.pg())
        .await?;
    let merged = row(tx, target).await?;
    audit::record(
        tx,
        audit::Entry {
            actor: Some(actor.membership_id),
            action: "contact.merged",
            target_type: "contact",
            target_id: Some(target),
            before: Some(json!({"target": before_t, "from": before_f})),
            after: audit::snapshot(&snapshot_of(&merged)),
        },
    )
    .await?;
    let from_name = f
        .name
        .clone()
        .or(f.profile_name.clone())
        .or(f.wa_id.clone())
        .unwrap_or_else(|| from.to_string());
    for conv in &clashes {
        activity::record(
            tx,
            conv.older,
            Some(actor),
            Activity::ResolvedByMerge {
                from: from_name.clone(),
            },
        )
        .await?;
    }
    for conv in moved
        .iter()
        .filter(|m| !clashes.iter().any(|c| c.older == **m))
    {
        activity::record(
            tx,
            *conv,
            Some(actor),
            Activity::ContactMerged {
                from: from_name.clone(),
            },
        )
        .await?;
    }
    get(tx, actor, target).await
}

fn snapshot_of(r: &Row) -> Value {
    json!({
        "id": r.id,
        "wa_id": r.wa_id,
        "bsuid": r.bsuid,
        "name": r.name,
        "profile_name": r.profile_name,
        "email": r.email,
        "notes": r.notes,
        "attributes": r.attributes,
        "opt_in": r.opt_in,
        "blocked_at": r.blocked_at,
    })
}

/// Contacts that look like the same customer: the same display name (case and spaces aside),
/// or the same last nine digits of the phone number (the number without its country code).
pub async fn duplicates(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Vec<ContactSummary>> {
    require_directory(actor)?;
    let r = row(tx, id).await?;
    let display = r
        .name
        .clone()
        .or(r.profile_name.clone())
        .map(|n| n.trim().to_lowercase())
        .unwrap_or_default();
    let digits = r.wa_id.clone().unwrap_or_default();
    let tail: String = if digits.len() >= 9 {
        digits[digits.len() - 9..].to_owned()
    } else {
        String::new()
    };
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let ids: Vec<Uuid> = diesel::sql_query(
        "SELECT id FROM contacts
          WHERE id <> $1
            AND (($2 <> '' AND lower(coalesce(name, profile_name)) = $2)
              OR ($3 <> '' AND right(wa_id, 9) = $3))
          ORDER BY id DESC LIMIT 20",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(&display)
    .bind::<Text, _>(&tail)
    .load::<Id>(tx.pg())
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let rows: Vec<Row> = k::table
        .filter(k::id.eq_any(&ids))
        .order(k::id.desc())
        .select(row_columns!())
        .load(tx.pg())
        .await?;
    let mut tags = tags_of(tx, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| ContactSummary {
            id: r.id,
            tags: tags.remove(&r.id).unwrap_or_default(),
            wa_id: r.wa_id,
            bsuid: r.bsuid,
            name: r.name.or_else(|| r.profile_name.clone()),
            profile_name: r.profile_name,
            email: r.email,
            opt_in: r.opt_in,
            blocked: r.blocked_at.is_some(),
            created_at: r.created_at,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Export

/// The most contacts one export carries (the file is built in memory, inside the tenant
/// transaction; larger directories are refused with 422 `export_too_large`).
pub const EXPORT_LIMIT: i64 = 100_000;

/// The business's contacts as CSV, oldest first, with the import's columns: `phone`, `name`,
/// `email`, `tags` (names joined by `|`), `opt_in`, `notes`, then one `attr:<key>` column per
/// attribute key in use. Contacts known only by their business-scoped id have an empty phone.
pub async fn export_csv(tx: &mut TenantTx, actor: &Actor) -> Result<Vec<u8>> {
    require_directory(actor)?;
    let count: i64 = k::table.count().get_result(tx.pg()).await?;
    if count > EXPORT_LIMIT {
        return Err(Error::Unprocessable {
            code: "export_too_large",
            message: format!("An export carries at most {EXPORT_LIMIT} contacts."),
        });
    }
    let rows: Vec<Row> = k::table
        .order(k::id)
        .select(row_columns!())
        .load(tx.pg())
        .await?;
    let tag_rows: Vec<(Uuid, String)> = kt::table
        .inner_join(
            tags::table.on(tags::tenant_id
                .eq(kt::tenant_id)
                .and(tags::id.eq(kt::tag_id))),
        )
        .order(tags::name)
        .select((kt::contact_id, tags::name))
        .load(tx.pg())
        .await?;
    let mut tag_names: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for (contact, name) in tag_rows {
        tag_names.entry(contact).or_default().push(name);
    }
    let mut keys: Vec<String> = rows
        .iter()
        .filter_map(|r| r.attributes.as_object())
        .flat_map(|o| o.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["phone", "name", "email", "tags", "opt_in", "notes"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    header.extend(keys.iter().map(|k| format!("attr:{k}")));
    out.write_record(&header).map_err(csv_error)?;
    for r in &rows {
        let mut record: Vec<String> = vec![
            r.wa_id.clone().unwrap_or_default(),
            r.name
                .clone()
                .or(r.profile_name.clone())
                .unwrap_or_default(),
            r.email.clone().unwrap_or_default(),
            tag_names
                .get(&r.id)
                .map(|t| t.join("|"))
                .unwrap_or_default(),
            r.opt_in.clone(),
            r.notes.clone().unwrap_or_default(),
        ];
        for key in &keys {
            record.push(match r.attributes.get(key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            });
        }
        out.write_record(&record).map_err(csv_error)?;
    }
    out.into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("writing the export: {e}")))
}

fn csv_error(e: csv::Error) -> Error {
    Error::Internal(anyhow::anyhow!("writing the export: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(parse_phone("+34 600 111 222").unwrap(), "34600111222");
        assert_eq!(parse_phone("1 (415) 555-0100").unwrap(), "14155550100");
        assert!(parse_phone("0034600111222").is_err());
        assert!(parse_phone("12345").is_err());
        assert!(parse_phone("+34 600 abc").is_err());
        assert!(parse_phone("1234567890123456").is_err());
    }

    #[test]
    fn attributes() {
        assert!(check_attributes(&json!({"plan": "gold", "seats": 4, "vip": true})).is_ok());
        assert!(check_attributes(&json!({"Plan": "gold"})).is_err());
        assert!(check_attributes(&json!({"a-b": "x"})).is_err());
        assert!(check_attributes(&json!({"": "x"})).is_err());
        assert!(check_attributes(&json!({"k": null})).is_err());
        assert!(check_attributes(&json!({"k": [1]})).is_err());
        assert!(check_attributes(&json!({"k": {"x": 1}})).is_err());
        assert!(check_attributes(&json!({"k": "x".repeat(501)})).is_err());
        assert!(check_attributes(&json!({"k": "x".repeat(500)})).is_ok());
        assert!(check_attributes(&json!([])).is_err());
        let many: serde_json::Map<String, Value> =
            (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(check_attributes(&Value::Object(many)).is_err());
        assert!(check_attribute_key(&"a".repeat(41)).is_err());
    }

    #[test]
    fn emails_and_opt_in() {
        assert_eq!(
            check_email(" Ana@Example.com ").unwrap().as_deref(),
            Some("ana@example.com")
        );
        assert_eq!(check_email("").unwrap(), None);
        assert!(check_email("ana").is_err());
        assert!(check_email("ana@example").is_err());
        assert!(check_email("a b@example.com").is_err());
        assert_eq!(check_opt_in("YES").unwrap(), "opted_in");
        assert_eq!(check_opt_in("opted_out").unwrap(), "opted_out");
        assert!(check_opt_in("maybe").is_err());
    }
}
