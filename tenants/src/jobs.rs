//! The enqueue side of the job queue (the runner lives in `chorus-worker`).
//!
//! A job is inserted in the same transaction as the business write that calls for it, so either
//! both happen or neither does. The app role may only INSERT into `jobs`; claiming and running is
//! the worker's, through the system door.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use crate::db::{Store, SystemTx, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{JobId, TenantId};
use crate::schema::jobs;

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub job_type: &'static str,
    pub data: serde_json::Value,
    pub priority: i16,
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    /// At most one queued, unclaimed job per (type, key).
    pub dedupe_key: Option<String>,
}

impl NewJob {
    pub fn new(job_type: &'static str, data: &impl Serialize) -> Result<Self> {
        Ok(Self {
            job_type,
            data: serde_json::to_value(data)
                .map_err(|e| Error::Internal(anyhow::anyhow!("serialising a job: {e}")))?,
            priority: 0,
            run_at: None,
            max_attempts: 10,
            dedupe_key: None,
        })
    }

    pub fn priority(mut self, priority: i16) -> Self {
        self.priority = priority;
        self
    }

    /// Not before this time.
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }
}

/// Enqueue a job of this business inside its transaction.
pub async fn enqueue(tx: &mut TenantTx, job: NewJob) -> Result<JobId> {
    let tenant = tx.tenant_id();
    insert(tx.pg(), Some(tenant), job).await
}

/// Enqueue a job that belongs to no business (account mail, platform tasks).
pub async fn enqueue_system(
    tx: &mut SystemTx,
    tenant: Option<TenantId>,
    job: NewJob,
) -> Result<JobId> {
    insert(tx.pg(), tenant, job).await
}

async fn insert(
    conn: &mut AsyncPgConnection,
    tenant: Option<TenantId>,
    job: NewJob,
) -> Result<JobId> {
    let id = JobId::new();
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(id),
            jobs::tenant_id.eq(tenant.map(|t| t.0)),
            jobs::job_type.eq(job.job_type),
            jobs::data.eq(job.data),
            jobs::priority.eq(job.priority),
            jobs::run_at.eq(job.run_at.unwrap_or_else(Utc::now)),
            jobs::max_attempts.eq(job.max_attempts),
            jobs::dedupe_key.eq(job.dedupe_key),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(id)
}

/// The channel on which processes announce that jobs are ready (after the enqueuing
/// transaction committed; the worker's `wakeups` module says why not from a trigger); workers
/// LISTEN on it.
pub const WAKEUP_CHANNEL: &str = "chorus_jobs";

/// Tell listening workers that jobs are ready: one NOTIFY in its own statement.
pub async fn announce(store: &Store) -> Result<()> {
    let mut conn = store.system_connection().await?;
    diesel::sql_query(format!("NOTIFY {WAKEUP_CHANNEL}"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A connection that LISTENs on [`WAKEUP_CHANNEL`] (not from a pool: it stays open).
pub async fn listen(url: &str) -> Result<AsyncPgConnection> {
    use diesel_async::AsyncConnection;
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    diesel::sql_query(format!("LISTEN {WAKEUP_CHANNEL}"))
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// The job type that sends one rendered [`crate::mail::Email`].
pub const SEND_EMAIL: &str = "send_email";
