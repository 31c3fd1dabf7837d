//! The audit log: who did what to which thing, when, with the state before and after.
//! Rows are append-only for the app role (UPDATE and DELETE are revoked in the migration).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::Result;
use crate::ids::{AuditId, MembershipId};
use crate::pagination::{Page, PageRequest};
use crate::schema::{audit_log, memberships, users};

/// One admin action to record.
pub struct Entry<'a> {
    pub actor: Option<MembershipId>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(tx: &mut TenantTx, entry: Entry<'_>) -> Result<()> {
    let tenant = tx.tenant_id();
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::tenant_id.eq(tenant),
            audit_log::id.eq(AuditId::new()),
            audit_log::actor_membership_id.eq(entry.actor),
            audit_log::action.eq(entry.action),
            audit_log::target_type.eq(entry.target_type),
            audit_log::target_id.eq(entry.target_id),
            audit_log::before.eq(entry.before),
            audit_log::after.eq(entry.after),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// Serialise a value for the log (never fails: falls back to null).
pub fn snapshot(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditActor {
    pub membership_id: MembershipId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: AuditId,
    pub actor: Option<AuditActor>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// Newest first.
pub async fn list(tx: &mut TenantTx, page: PageRequest) -> Result<Page<AuditRecord>> {
    let mut q = audit_log::table
        .left_join(
            memberships::table.on(memberships::tenant_id.eq(audit_log::tenant_id).and(
                memberships::id
                    .nullable()
                    .eq(audit_log::actor_membership_id),
            )),
        )
        .left_join(users::table.on(users::id.eq(memberships::user_id)))
        .select((
            audit_log::id,
            audit_log::actor_membership_id,
            users::name.nullable(),
            audit_log::action,
            audit_log::target_type,
            audit_log::target_id,
            audit_log::before,
            audit_log::after,
            audit_log::created_at,
        ))
        .order(audit_log::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(audit_log::id.lt(after));
    }
    let rows: Vec<(
        AuditId,
        Option<MembershipId>,
        Option<String>,
        String,
        String,
        Option<Uuid>,
        Option<serde_json::Value>,
        Option<serde_json::Value>,
        DateTime<Utc>,
    )> = q.load(tx.pg()).await?;
    let records = rows
        .into_iter()
        .map(
            |(id, mid, name, action, target_type, target_id, before, after, created_at)| {
                AuditRecord {
                    id,
                    actor: mid.map(|membership_id| AuditActor {
                        membership_id,
                        name: name.unwrap_or_default(),
                    }),
                    action,
                    target_type,
                    target_id,
                    before,
                    after,
                    created_at,
                }
            },
        )
        .collect();
    Ok(Page::from_rows(records, page, |r| r.id.0))
}
