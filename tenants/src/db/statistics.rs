//! Planner statistics for tables that grew faster than autovacuum looks.
//!
//! Autovacuum re-analyses a table after 10% of it changed, but it visits each database only once
//! a minute (`autovacuum_naptime`), and a table that went from nothing to thousands of rows
//! inside that minute keeps the statistics of when it was empty. This is every new install's
//! first minute, every new business's first backlog on a quiet cluster, and every benchmark. On
//! such statistics PostgreSQL believes a business has about one conversation, so two indexes
//! that start with `tenant_id` look equally good: measured in the ingest benchmark, it then
//! answered the foreign-key check `conversations (tenant_id, id) = ($1, $2)` by walking the
//! `(tenant_id, contact_id)` index and filtering on `id`, 10 ms a row instead of 0.02 ms, and
//! the statement triggers' lookups the same way: 50-130 ms per 50-message batch. The send
//! worker's batch read fell into the same hole (190-260 ms per batch against 3 ms).
//!
//! No query can be written around this (the foreign-key checks are PostgreSQL's own), so a
//! periodic job (`table_statistics`, every [`EVERY_SECS`]) analyses the tables whose rows
//! changed since their last ANALYZE by at least as many as they held then. On a settled table
//! that never happens before autovacuum has been there (it comes at 10%), so the job costs one
//! catalogue query per run on a steady system and an ANALYZE of a small table (milliseconds)
//! while one is growing from nothing.
//!
//! ANALYZE needs the table's owner: the job switches to `chorus_owner` for that statement only
//! (`SET LOCAL ROLE`; the login user is a member of every Chorus role, see [`super::bootstrap`]).

use chrono::{TimeDelta, Utc};
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::json;

use super::{OWNER_ROLE, Store, SystemTx};
use crate::error::Result;

/// The job type.
pub const JOB: &str = "table_statistics";
/// Seconds between runs.
pub const EVERY_SECS: i64 = 10;
/// Changes since the last ANALYZE below which a table is never a candidate (a handful of rows
/// in an empty table changes no plan).
const MIN_CHANGES: i64 = 500;
/// Tables analysed per run, at most (the most changed first; the rest wait for the next run).
const PER_RUN: i64 = 8;

/// Queue the next run (one at a time: the job is deduplicated).
pub async fn schedule(store: &Store, after_secs: i64) -> Result<()> {
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            let mut job = crate::jobs::NewJob::new(JOB, &json!({}))?
                .run_at(Utc::now() + TimeDelta::seconds(after_secs));
            job.dedupe_key = Some(JOB.into());
            crate::jobs::enqueue_system(tx, None, job).await?;
            Ok(())
        })
        .await
}

/// The tables of the `public` schema whose statistics are out of date by the rule above, most
/// changed first.
pub async fn stale(store: &Store) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Stale {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let rows: Vec<Stale> = store
        .system(async |tx: &mut SystemTx| -> Result<Vec<Stale>> {
            Ok(diesel::sql_query(
                "SELECT s.relname::text AS name
                   FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                  WHERE s.schemaname = 'public'
                    AND s.n_mod_since_analyze >= greatest($1, c.reltuples::bigint)
                  ORDER BY s.n_mod_since_analyze DESC
                  LIMIT $2",
            )
            .bind::<diesel::sql_types::BigInt, _>(MIN_CHANGES)
            .bind::<diesel::sql_types::BigInt, _>(PER_RUN)
            .load(tx.pg())
            .await?)
        })
        .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// Analyse every stale table, each in a transaction of its own. Returns the tables analysed. A
/// table whose lock is busy (autovacuum got there first) is skipped until the next run.
pub async fn refresh(store: &Store) -> Result<Vec<String>> {
    let mut analysed = Vec::new();
    for table in stale(store).await? {
        // The name comes from the catalogue, but it is spliced into SQL: only plain names.
        if table.is_empty()
            || !table
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            continue;
        }
        let done = store
            .system(async |tx: &mut SystemTx| -> Result<()> {
                tx.pg()
                    .batch_execute(&format!(
                        "SET LOCAL ROLE {OWNER_ROLE}; SET LOCAL lock_timeout = '1s'; ANALYZE public.{table}"
                    ))
                    .await?;
                Ok(())
            })
            .await;
        match done {
            Ok(()) => analysed.push(table),
            Err(e) => tracing::warn!(error = %e, table = %table, "could not analyse a table"),
        }
    }
    Ok(analysed)
}
