//! Time-driven conversation work a business configures (`workflow_settings`):
//!
//! - **Window warnings**: when a customer is still waiting for our reply and the 24-hour window
//!   closes within `window_warning_minutes` (default 60), the assignee gets a `window_closing`
//!   notification, once per window (`window_warned_for` keeps the window end it was warned about;
//!   a customer message extends the window and so allows the next warning). After the window closes the
//!   composer offers templates only (the send path refuses free-form text with `window_closed`).
//! - **Auto-resolve**: a conversation we answered (`waiting_since` is null) whose customer has
//!   been silent for `auto_resolve_after_hours` is resolved by Chorus, with the optional closing
//!   message sent first through the normal send path (only while the window is open). A
//!   conversation still waiting for us is never auto-resolved: that would drop a customer.
//!
//! Both run in `idle_sweep` (every minute), which finds candidates through partial indexes
//! (`conversations_window_waiting`, `conversations_answered_idle`) and changes each business in
//! its own tenant door.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::activity::{self, Activity};
use crate::db::{Store, SystemTx, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{conversations as c, workflow_settings as ws};

/// The periodic job.
pub const SWEEP: &str = "idle_sweep";
pub const SWEEP_EVERY_SECS: i64 = 60;
/// The warning's default lead time.
pub const DEFAULT_WINDOW_WARNING_MINUTES: i32 = 60;
/// Most conversations one sweep changes per kind of work.
const BATCH: i64 = 500;

/// The business's settings (what `GET` answers and `PUT` takes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSettings {
    /// Warn the assignee this many minutes (5-720) before the window closes on a waiting
    /// customer; null: no warning.
    pub window_warning_minutes: Option<i32>,
    /// Resolve a conversation after this many hours (1-720) of customer silence after our
    /// reply; null: never.
    pub auto_resolve_after_hours: Option<i32>,
    /// Sent before auto-resolving, while the window is open (1-1024 characters); null: none.
    pub auto_resolve_message: Option<String>,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        Self {
            window_warning_minutes: Some(DEFAULT_WINDOW_WARNING_MINUTES),
            auto_resolve_after_hours: None,
            auto_resolve_message: None,
        }
    }
}

pub async fn get(tx: &mut TenantTx, actor: &Actor) -> Result<WorkflowSettings> {
    actor.require(Permission::SettingsManage)?;
    load(tx).await
}

async fn load(tx: &mut TenantTx) -> Result<WorkflowSettings> {
    let row: Option<(Option<i32>, Option<i32>, Option<String>)> = ws::table
        .select((
            ws::window_warning_minutes,
            ws::auto_resolve_after_hours,
            ws::auto_resolve_message,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    Ok(match row {
        Some((w, h, m)) => WorkflowSettings {
            window_warning_minutes: w,
            auto_resolve_after_hours: h,
            auto_resolve_message: m,
        },
        None => WorkflowSettings::default(),
    })
}

pub async fn save(
    tx: &mut TenantTx,
    actor: &Actor,
    input: WorkflowSettings,
) -> Result<WorkflowSettings> {
    actor.require(Permission::SettingsManage)?;
    if input
        .window_warning_minutes
        .is_some_and(|m| !(5..=720).contains(&m))
    {
        return Err(Error::invalid(
            "window_warning_minutes",
            "Warn 5 to 720 minutes before the window closes, or not at all (null).",
        ));
    }
    if input
        .auto_resolve_after_hours
        .is_some_and(|h| !(1..=720).contains(&h))
    {
        return Err(Error::invalid(
            "auto_resolve_after_hours",
            "Auto-resolve after 1 to 720 hours of silence, or never (null).",
        ));
    }
    let message = match input.auto_resolve_message.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) if m.chars().count() > 1024 => {
            return Err(Error::invalid(
                "auto_resolve_message",
                "The closing message has at most 1,024 characters.",
            ));
        }
        Some(m) => Some(m.to_owned()),
    };
    diesel::insert_into(ws::table)
        .values((
            ws::tenant_id.eq(tx.tenant_id()),
            ws::window_warning_minutes.eq(input.window_warning_minutes),
            ws::auto_resolve_after_hours.eq(input.auto_resolve_after_hours),
            ws::auto_resolve_message.eq(&message),
        ))
        .on_conflict(ws::tenant_id)
        .do_update()
        .set((
            ws::window_warning_minutes.eq(input.window_warning_minutes),
            ws::auto_resolve_after_hours.eq(input.auto_resolve_after_hours),
            ws::auto_resolve_message.eq(&message),
            ws::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    load(tx).await
}

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    tenant_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Warn assignees whose waiting customer's window closes soon. Returns how many were warned.
pub async fn warn_closing_windows(store: &Store) -> Result<usize> {
    let due: Vec<Candidate> = store
        .system(async |tx: &mut SystemTx| -> Result<Vec<Candidate>> {
            Ok(diesel::sql_query(
                "SELECT c.tenant_id, c.id FROM conversations c
                   LEFT JOIN workflow_settings s ON s.tenant_id = c.tenant_id
                  WHERE c.status <> 'resolved' AND c.waiting_since IS NOT NULL
                    AND c.window_expires_at > now()
                    AND c.window_expires_at <= now() + interval '720 minutes'
                    AND c.assignee_id IS NOT NULL
                    AND c.window_expires_at <= now() + make_interval(mins =>
                        CASE WHEN s.tenant_id IS NULL THEN $1 ELSE s.window_warning_minutes END)
                    AND c.window_warned_for IS DISTINCT FROM c.window_expires_at
                  ORDER BY c.window_expires_at LIMIT $2",
            )
            .bind::<diesel::sql_types::Integer, _>(DEFAULT_WINDOW_WARNING_MINUTES)
            .bind::<diesel::sql_types::BigInt, _>(BATCH)
            .load(tx.pg())
            .await?)
        })
        .await?;
    let mut warned = 0;
    for (tenant, ids) in by_tenant(due) {
        warned += store
            .tenant(tenant, async |tx: &mut TenantTx| -> Result<usize> {
                let mut n = 0;
                for id in &ids {
                    if warn_one(tx, *id).await? {
                        n += 1;
                    }
                }
                Ok(n)
            })
            .await?;
    }
    Ok(warned)
}

fn by_tenant(rows: Vec<Candidate>) -> Vec<(TenantId, Vec<Uuid>)> {
    let mut map: std::collections::BTreeMap<Uuid, Vec<Uuid>> = Default::default();
    for r in rows {
        map.entry(r.tenant_id).or_default().push(r.id);
    }
    map.into_iter().map(|(t, ids)| (TenantId(t), ids)).collect()
}

async fn warn_one(tx: &mut TenantTx, id: Uuid) -> Result<bool> {
    // Claim the warning with one conditional update, so two sweeps never warn twice.
    let claimed: Option<(Option<Uuid>, Option<DateTime<Utc>>)> = diesel::update(
        c::table
            .filter(c::id.eq(id))
            .filter(c::window_warned_for.is_distinct_from(c::window_expires_at)),
    )
    .set(c::window_warned_for.eq(c::window_expires_at))
    .returning((c::assignee_id, c::window_expires_at))
    .get_result(tx.pg())
    .await
    .optional()?;
    let Some((Some(assignee), Some(closes))) = claimed else {
        return Ok(false);
    };
    let minutes = (closes - Utc::now()).num_minutes().max(1);
    let who = crate::sla::contact_label(tx, id).await?;
    crate::notifications::notify(
        tx,
        crate::notifications::Notice {
            recipient: assignee,
            kind: "window_closing",
            conversation_id: id,
            message_id: None,
            actor_id: None,
            body: format!(
                "The 24-hour window with {who} closes in {minutes} min; reply now or use a template after it closes"
            ),
        },
    )
    .await?;
    Ok(true)
}

/// Resolve conversations whose customer went silent after our reply, in businesses that
/// switched auto-resolve on. Returns how many were resolved.
pub async fn auto_resolve(store: &Store) -> Result<usize> {
    let due: Vec<Candidate> = store
        .system(async |tx: &mut SystemTx| -> Result<Vec<Candidate>> {
            Ok(diesel::sql_query(
                "SELECT c.tenant_id, c.id
                   FROM workflow_settings s
                   CROSS JOIN LATERAL (
                        SELECT c.tenant_id, c.id FROM conversations c
                         WHERE c.tenant_id = s.tenant_id
                           AND c.status IN ('open', 'pending') AND c.waiting_since IS NULL
                           AND c.last_message_at < now() - make_interval(hours => s.auto_resolve_after_hours)
                         ORDER BY c.last_message_at LIMIT $1) c
                  WHERE s.auto_resolve_after_hours IS NOT NULL",
            )
            .bind::<diesel::sql_types::BigInt, _>(BATCH)
            .load(tx.pg())
            .await?)
        })
        .await?;
    let mut resolved = 0;
    for (tenant, ids) in by_tenant(due) {
        resolved += store
            .tenant(tenant, async |tx: &mut TenantTx| -> Result<usize> {
                let settings = load(tx).await?;
                let Some(hours) = settings.auto_resolve_after_hours else {
                    return Ok(0);
                };
                let mut n = 0;
                for id in &ids {
                    if resolve_one(tx, *id, hours, settings.auto_resolve_message.as_deref()).await?
                    {
                        n += 1;
                    }
                }
                Ok(n)
            })
            .await?;
    }
    Ok(resolved)
}

async fn resolve_one(
    tx: &mut TenantTx,
    id: Uuid,
    hours: i32,
    message: Option<&str>,
) -> Result<bool> {
    let cutoff = Utc::now() - Duration::hours(i64::from(hours));
    // Still idle, still answered (the customer may have written since the sweep looked).
    let row: Option<(Option<DateTime<Utc>>, Option<Uuid>)> = c::table
        .filter(c::id.eq(id))
        .filter(c::status.eq_any(["open", "pending"]))
        .filter(c::waiting_since.is_null())
        .filter(c::last_message_at.lt(cutoff))
        .select((c::window_expires_at, c::assignee_id))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let Some((window, assignee)) = row else {
        return Ok(false);
    };
    if let Some(text) = message
        && window.is_some_and(|w| w > Utc::now())
    {
        crate::outbound::queue_automatic(tx, id, text, "closing").await?;
    }
    diesel::update(c::table.filter(c::id.eq(id)))
        .set((
            c::status.eq("resolved"),
            c::resolved_at.eq(Some(Utc::now())),
            c::snoozed_until.eq(None::<DateTime<Utc>>),
            c::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    activity::record(tx, id, None, Activity::AutoResolved { hours }).await?;
    crate::bots::resolved(tx, id).await?;
    crate::sla::refresh(tx, &[id]).await?;
    if let Some(former) = assignee {
        crate::routing::schedule_member_teams(tx, former).await?;
    }
    Ok(true)
}

/// Queue the next sweep (at most one waits at a time).
pub async fn schedule_sweep(store: &Store, after_secs: i64) -> Result<()> {
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            let mut job = crate::jobs::NewJob::new(SWEEP, &json!({}))?
                .run_at(Utc::now() + Duration::seconds(after_secs));
            job.dedupe_key = Some(SWEEP.into());
            crate::jobs::enqueue_system(tx, None, job).await?;
            Ok(())
        })
        .await
}
