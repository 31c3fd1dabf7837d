//! The `table_statistics` job against real PostgreSQL: a table that grew from nothing is
//! analysed, and once analysed it is no longer a candidate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use chorus_tenants::db::statistics;
use chorus_tenants::db::{DbConfig, Store};
use chorus_tenants::testing::TestDatabase;

#[derive(QueryableByName, Debug)]
struct Analysed {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    analysed: bool,
    #[diesel(sql_type = diesel::sql_types::Double)]
    reltuples: f64,
}

async fn stale_within(store: &Store, table: &str, want: bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let stale = statistics::stale(store).await.unwrap();
        if stale.iter().any(|t| t == table) == want {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_table_that_grew_from_nothing_is_analysed_once() {
    let db = TestDatabase::new().await;
    let store = Store::connect(&DbConfig::new(db.url.clone())).unwrap();
    let mut admin = AsyncPgConnection::establish(&db.url).await.unwrap();
    // Autovacuum must not get there first (it would make the job's work invisible).
    admin
        .batch_execute("ALTER TABLE jobs SET (autovacuum_enabled = false)")
        .await
        .unwrap();
    assert!(
        stale_within(&store, "jobs", false).await,
        "an empty table is not a candidate"
    );

    admin
        .batch_execute(
            "INSERT INTO jobs (id, job_type, data, run_at)
             SELECT chorus_uuid_v7(), 'statistics_probe', '{}', now() + interval '1 day'
               FROM generate_series(1, 1200)",
        )
        .await
        .unwrap();
    // Statistics counters reach shared memory when a backend goes idle; do not wait for it.
    admin
        .batch_execute("SELECT pg_stat_force_next_flush()")
        .await
        .unwrap();
    admin.batch_execute("SELECT 1").await.unwrap();
    assert!(
        stale_within(&store, "jobs", true).await,
        "1,200 new rows in a table analysed as empty make it a candidate"
    );

    let analysed = statistics::refresh(&store).await.unwrap();
    assert!(analysed.iter().any(|t| t == "jobs"), "{analysed:?}");
    let row: Analysed = diesel::sql_query(
        "SELECT s.last_analyze IS NOT NULL AS analysed, c.reltuples::float8 AS reltuples
           FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
          WHERE s.relname = 'jobs'",
    )
    .get_result(&mut admin)
    .await
    .unwrap();
    assert!(row.analysed, "{row:?}");
    assert!(row.reltuples >= 1200.0, "the planner now knows: {row:?}");
    assert!(
        stale_within(&store, "jobs", false).await,
        "an analysed table is not a candidate again"
    );
    // Nothing left to do: a second run analyses nothing of ours.
    let again = statistics::refresh(&store).await.unwrap();
    assert!(!again.iter().any(|t| t == "jobs"), "{again:?}");
}
