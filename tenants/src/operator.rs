//! The platform operator's tools. Operators (`platform_operators`, made with `chorus admin
//! create-operator`) work across businesses, so everything here goes through the system door
//! after checking the caller is one; a business member who is not gets 403.
//!
//! Failed jobs: a job whose attempts are spent is `dead` (kept with its last error, never run
//! again by itself). The operator lists them and retries one: it is queued again with its
//! attempts reset, as if new.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::{Store, SystemTx};
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::schema::{jobs as j, platform_operators as po};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FailedJob {
    pub id: Uuid,
    /// The business the job works for (none for platform work).
    pub tenant_id: Option<Uuid>,
    pub job_type: String,
    /// queued (after a retry) or dead
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub run_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FailedJobList {
    pub items: Vec<FailedJob>,
    /// Dead jobs in all (the list shows the newest 100, or those of one type).
    pub total: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct FailedJobFilter {
    /// Only jobs of this type (e.g. send_message).
    pub job_type: Option<String>,
}

type Row = (
    Uuid,
    Option<Uuid>,
    String,
    String,
    i32,
    i32,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
);

fn to_job(r: Row) -> FailedJob {
    FailedJob {
        id: r.0,
        tenant_id: r.1,
        job_type: r.2,
        state: r.3,
        attempts: r.4,
        max_attempts: r.5,
        last_error: r.6,
        run_at: r.7,
        created_at: r.8,
    }
}

macro_rules! job_columns {
    () => {
        (
            j::id,
            j::tenant_id,
            j::job_type,
            j::state,
            j::attempts,
            j::max_attempts,
            j::last_error,
            j::run_at,
            j::created_at,
        )
    };
}

async fn require_operator(tx: &mut SystemTx, user: UserId) -> Result<()> {
    let found: i64 = po::table
        .filter(po::user_id.eq(user))
        .count()
        .get_result(tx.pg())
        .await?;
    if found == 0 {
        return Err(Error::forbidden(
            "Only platform operators may see this (chorus admin create-operator).",
        ));
    }
    Ok(())
}

/// Dead jobs, newest first (at most 100).
pub async fn failed_jobs(
    store: &Store,
    user: UserId,
    filter: FailedJobFilter,
) -> Result<FailedJobList> {
    store
        .system(async |tx: &mut SystemTx| -> Result<FailedJobList> {
            require_operator(tx, user).await?;
            let mut q = j::table
                .filter(j::state.eq("dead"))
                .order((j::created_at.desc(), j::id.desc()))
                .select(job_columns!())
                .limit(100)
                .into_boxed();
            if let Some(t) = filter.job_type.as_deref().filter(|t| !t.is_empty()) {
                q = q.filter(j::job_type.eq(t.to_owned()));
            }
            let rows: Vec<Row> = q.load(tx.pg()).await?;
            let total: i64 = j::table
                .filter(j::state.eq("dead"))
                .count()
                .get_result(tx.pg())
                .await?;
            Ok(FailedJobList {
                items: rows.into_iter().map(to_job).collect(),
                total,
            })
        })
        .await
}

/// Queue a dead job again, attempts reset. 404 when there is no dead job with this id.
pub async fn retry(store: &Store, user: UserId, id: Uuid) -> Result<FailedJob> {
    store
        .system(async |tx: &mut SystemTx| -> Result<FailedJob> {
            require_operator(tx, user).await?;
            let row: Option<Row> =
                diesel::update(j::table.filter(j::id.eq(id)).filter(j::state.eq("dead")))
                    .set((
                        j::state.eq("queued"),
                        j::attempts.eq(0),
                        j::run_at.eq(Utc::now()),
                        j::locked_until.eq(None::<DateTime<Utc>>),
                        j::locked_by.eq(None::<String>),
                    ))
                    .returning(job_columns!())
                    .get_result(tx.pg())
                    .await
                    .optional()?;
            row.map(to_job).ok_or(Error::NotFound("failed job"))
        })
        .await
}
