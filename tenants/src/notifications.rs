//! A member's notifications: mentions in notes and conversations assigned to them. Each one is
//! a row (with read state) and a realtime event meant for that member only. A mention also
//! schedules an email: if the person is still offline [`MENTION_EMAIL_AFTER_MINUTES`] later and
//! has not read it, they get one mail.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::jobs::{self, NewJob};
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::realtime::{self, Publish};
use crate::schema::{memberships, notifications as n, users};

/// How long someone must have been offline before a mention is emailed to them.
pub const MENTION_EMAIL_AFTER_MINUTES: i64 = 10;
/// The job that emails a mention to someone who stayed offline.
pub const MENTION_EMAIL: &str = "mention_email";

/// What to tell whom.
#[derive(Debug, Clone)]
pub struct Notice {
    pub recipient: Uuid,
    /// mention or assigned
    pub kind: &'static str,
    pub conversation_id: Uuid,
    pub message_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    /// mention or assigned
    pub kind: String,
    pub conversation_id: Uuid,
    pub message_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
    /// Unread notifications in all.
    pub unread_count: i64,
}

/// Store a notification and tell its recipient's sockets (at commit).
pub async fn notify(tx: &mut TenantTx, notice: Notice) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let body: String = notice.body.chars().take(300).collect();
    diesel::insert_into(n::table)
        .values((
            n::tenant_id.eq(tx.tenant_id()),
            n::id.eq(id),
            n::membership_id.eq(notice.recipient),
            n::kind.eq(notice.kind),
            n::conversation_id.eq(notice.conversation_id),
            n::message_id.eq(notice.message_id),
            n::actor_id.eq(notice.actor_id),
            n::body.eq(&body),
        ))
        .execute(tx.pg())
        .await?;
    realtime::publish(
        tx,
        Publish {
            kind: "notification.created",
            conversation_id: Some(notice.conversation_id),
            recipient_id: Some(notice.recipient),
            data: Some(json!({ "notification_id": id, "kind": notice.kind })),
        },
    )
    .await?;
    if notice.kind == "mention" {
        let job = NewJob::new(MENTION_EMAIL, &json!({ "notification_id": id }))?
            .run_at(Utc::now() + Duration::minutes(MENTION_EMAIL_AFTER_MINUTES));
        jobs::enqueue(tx, job).await?;
    }
    Ok(id)
}

/// Query of the notification list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct NotificationFilter {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The caller's notifications, newest first.
pub async fn list(
    tx: &mut TenantTx,
    actor: &Actor,
    filter: &NotificationFilter,
) -> Result<NotificationPage> {
    let page = PageRequest::parse(filter.cursor.as_deref(), filter.limit)?;
    let me = actor.membership_id.0;
    let mut q = n::table
        .left_join(
            memberships::table.on(memberships::tenant_id
                .eq(n::tenant_id)
                .and(memberships::id.nullable().eq(n::actor_id))),
        )
        .left_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(n::membership_id.eq(me))
        .select((
            n::id,
            n::kind,
            n::conversation_id,
            n::message_id,
            users::name.nullable(),
            n::body,
            n::created_at,
            n::read_at,
        ))
        .order(n::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if filter.unread {
        q = q.filter(n::read_at.is_null());
    }
    if let Some(after) = page.after {
        q = q.filter(n::id.lt(after));
    }
    let rows: Vec<(
        Uuid,
        String,
        Uuid,
        Option<Uuid>,
        Option<String>,
        String,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    )> = q.load(tx.pg()).await?;
    let items: Vec<Notification> = rows
        .into_iter()
        .map(|r| Notification {
            id: r.0,
            kind: r.1,
            conversation_id: r.2,
            message_id: r.3,
            actor_name: r.4,
            body: r.5,
            created_at: r.6,
            read_at: r.7,
        })
        .collect();
    let unread_count: i64 = n::table
        .filter(n::membership_id.eq(me))
        .filter(n::read_at.is_null())
        .count()
        .get_result(tx.pg())
        .await?;
    let page = Page::from_rows(items, page, |x| x.id);
    Ok(NotificationPage {
        items: page.items,
        next_cursor: page.next_cursor,
        unread_count,
    })
}

/// Mark one of the caller's notifications read (another member's is not found).
pub async fn mark_read(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<()> {
    let found: Option<Option<DateTime<Utc>>> = n::table
        .filter(n::id.eq(id))
        .filter(n::membership_id.eq(actor.membership_id.0))
        .select(n::read_at)
        .first(tx.pg())
        .await
        .optional()?;
    match found {
        None => Err(Error::NotFound("notification")),
        Some(Some(_)) => Ok(()),
        Some(None) => {
            diesel::update(n::table.filter(n::id.eq(id)))
                .set(n::read_at.eq(Some(Utc::now())))
                .execute(tx.pg())
                .await?;
            Ok(())
        }
    }
}

pub async fn mark_all_read(tx: &mut TenantTx, actor: &Actor) -> Result<usize> {
    Ok(diesel::update(
        n::table
            .filter(n::membership_id.eq(actor.membership_id.0))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(Some(Utc::now())))
    .execute(tx.pg())
    .await?)
}

/// The `mention_email` job: mail the mention when its recipient is still offline and has not
/// read it; at most once. Returns whether a mail was queued.
pub async fn email_if_offline(tx: &mut TenantTx, id: Uuid, public_url: &str) -> Result<bool> {
    let row: Option<(
        Uuid,
        Uuid,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<Uuid>,
        Option<Uuid>,
    )> = n::table
        .filter(n::id.eq(id))
        .select((
            n::membership_id,
            n::conversation_id,
            n::body,
            n::read_at,
            n::emailed_at,
            n::actor_id,
            n::message_id,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let Some((recipient, conversation, summary, read_at, emailed_at, actor, message)) = row else {
        return Ok(false);
    };
    if read_at.is_some() || emailed_at.is_some() {
        return Ok(false);
    }
    let (name, email, locale, status, last_seen): (
        String,
        String,
        String,
        String,
        Option<DateTime<Utc>>,
    ) = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(memberships::id.eq(recipient))
        .select((
            users::name,
            users::email,
            users::locale,
            memberships::status,
            memberships::last_seen_at,
        ))
        .first(tx.pg())
        .await?;
    let offline_since = Utc::now() - Duration::minutes(MENTION_EMAIL_AFTER_MINUTES);
    if status != "active" || last_seen.is_some_and(|t| t > offline_since) {
        return Ok(false);
    }
    let author = match actor {
        Some(a) => crate::conversations::member_names(tx, &[a])
            .await?
            .remove(&a)
            .unwrap_or_else(|| "Someone".into()),
        None => "Chorus".into(),
    };
    // The note's own words (the notification's text already says who wrote it).
    let note: Option<Option<String>> = match message {
        Some(m) => crate::schema::messages::table
            .filter(crate::schema::messages::id.eq(m))
            .select(crate::schema::messages::body)
            .first(tx.pg())
            .await
            .optional()?,
        None => None,
    };
    let body: String = note
        .flatten()
        .map(|b| b.chars().take(280).collect())
        .unwrap_or(summary);
    let business = crate::businesses::current(tx).await?.name;
    let link = format!("{}/inbox/{conversation}", public_url.trim_end_matches('/'));
    let mail = crate::mail::mentioned(
        crate::mail::Lang::parse(&locale),
        &email,
        &name,
        &author,
        &business,
        &body,
        &link,
    );
    jobs::enqueue(tx, NewJob::new(jobs::SEND_EMAIL, &mail)?.priority(10)).await?;
    diesel::update(n::table.filter(n::id.eq(id)))
        .set(n::emailed_at.eq(Some(Utc::now())))
        .execute(tx.pg())
        .await?;
    Ok(true)
}
