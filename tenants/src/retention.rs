//! How long the platform keeps what it only needs for a while, and the job that forgets the rest.
//!
//! | rows | kept |
//! | --- | --- |
//! | `webhook_events` (Meta's raw webhook bodies) processed or orphaned | 14 days |
//! | `webhook_events` that failed to apply (retried by `ingest::retry_failed`) | 30 days |
//! | `webhook_deliveries` (our outgoing webhook log) once delivered or failed | 30 days |
//! | `kpi_events` (raw KPI facts) once rolled up into `kpi_hourly` / `kpi_daily` | 7 days |
//! | `refresh_tokens`, `email_tokens` after they expired | 7 days |
//!
//! Conversations, messages, contacts, the audit log and the roll-ups are the businesses' records
//! and are never pruned here. Realtime events are pruned by the API process after 24 hours
//! (`realtime::prune`).
//!
//! The job (`retention`, hourly) deletes at most [`BATCH`] rows per statement, each batch in its
//! own short transaction: one large DELETE would hold a transaction id for its whole run, and
//! every realtime reader waits for the oldest running transaction (`pg_snapshot_xmin`), so a
//! long delete would stall every agent's live updates. A run stops after [`MAX_BATCHES`] batches
//! per table and asks to run again soon when it stopped early.

use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::db::{Store, SystemTx};
use crate::error::Result;

/// The job type.
pub const JOB: &str = "retention";
/// Seconds between runs when there is no backlog.
pub const EVERY_SECS: i64 = 3600;
/// Seconds to the next run when a table still had rows to forget.
pub const BACKLOG_SECS: i64 = 60;
/// Rows deleted per statement (and transaction), at most.
pub const BATCH: i64 = 5_000;
/// Batches per table per run, at most.
pub const MAX_BATCHES: usize = 40;

/// One rule: a table and the rows of it that may go.
pub struct Rule {
    pub table: &'static str,
    /// A `WHERE` condition on the table's rows.
    pub expired: &'static str,
}

/// Every rule, as documented above.
pub const RULES: &[Rule] = &[
    Rule {
        table: "webhook_events",
        expired: "(outcome IN ('processed', 'orphan') AND received_at < now() - interval '14 days')
               OR (outcome = 'failed' AND received_at < now() - interval '30 days')",
    },
    Rule {
        table: "webhook_deliveries",
        expired: "state IN ('delivered', 'failed') AND created_at < now() - interval '30 days'",
    },
    Rule {
        table: "kpi_events",
        // Below the roll-up's floor a fact has been added to the sums, exactly once, for good.
        expired: "xid < (SELECT floor FROM kpi_rollup_state) AND at < now() - interval '7 days'",
    },
    Rule {
        table: "refresh_tokens",
        expired: "expires_at < now() - interval '7 days'",
    },
    Rule {
        table: "email_tokens",
        expired: "expires_at < now() - interval '7 days'",
    },
];

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Rows deleted, per table (tables with none are left out).
    pub deleted: Vec<(&'static str, usize)>,
    /// Some table still has expired rows (the run stopped at [`MAX_BATCHES`]).
    pub more: bool,
}

/// Queue the next run (one at a time: the job is deduplicated).
pub async fn schedule(store: &Store, after_secs: i64) -> Result<()> {
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            let mut job = crate::jobs::NewJob::new(JOB, &json!({}))?
                .run_at(chrono::Utc::now() + chrono::TimeDelta::seconds(after_secs));
            job.dedupe_key = Some(JOB.into());
            crate::jobs::enqueue_system(tx, None, job).await?;
            Ok(())
        })
        .await
}

/// Apply every rule once.
pub async fn prune(store: &Store) -> Result<Pruned> {
    let mut out = Pruned::default();
    for rule in RULES {
        let mut total = 0usize;
        let mut batches = 0usize;
        loop {
            let sql = format!(
                "DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {expired} LIMIT {BATCH})",
                table = rule.table,
                expired = rule.expired,
            );
            let n = store
                .system(async |tx: &mut SystemTx| -> Result<usize> {
                    Ok(diesel::sql_query(&sql).execute(tx.pg()).await?)
                })
                .await?;
            total += n;
            batches += 1;
            if n < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                break;
            }
            if batches >= MAX_BATCHES {
                out.more = true;
                break;
            }
        }
        if total > 0 {
            out.deleted.push((rule.table, total));
        }
    }
    Ok(out)
}
