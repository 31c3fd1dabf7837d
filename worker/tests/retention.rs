//! The `retention` job against real PostgreSQL: expired rows go, in batches; everything else
//! stays.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use chorus_tenants::db::{DbConfig, Store};
use chorus_tenants::retention;
use chorus_tenants::testing::TestDatabase;

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

#[tokio::test]
async fn expired_rows_go_in_batches_and_records_stay() {
    let db = TestDatabase::new().await;
    let store = Store::connect(&DbConfig::new(db.url.clone())).unwrap();
    let mut admin = AsyncPgConnection::establish(&db.url).await.unwrap();
    admin
        .batch_execute(
            "INSERT INTO tenants (id, name) VALUES ('00000000-0000-7000-8000-000000000001', 'Retention');
             INSERT INTO webhook_endpoints (tenant_id, id, url, events, secret_encrypted)
             VALUES ('00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-000000000002',
                     'https://hooks.example.com/in', '{message.created}', '\\x00');
             -- Raw webhook bodies: more old processed ones than one batch holds.
             INSERT INTO webhook_events (id, source, received_at, payload, outcome)
             SELECT chorus_uuid_v7(), 'meta', now() - interval '15 days', '{}', 'processed'
               FROM generate_series(1, 12000);
             INSERT INTO webhook_events (id, source, received_at, payload, outcome) VALUES
               (chorus_uuid_v7(), 'meta', now() - interval '15 days', '{}', 'orphan'),
               (chorus_uuid_v7(), 'meta', now() - interval '13 days', '{}', 'processed'),
               (chorus_uuid_v7(), 'meta', now() - interval '20 days', '{}', 'failed'),
               (chorus_uuid_v7(), 'meta', now() - interval '31 days', '{}', 'failed');
             -- Outgoing webhook log: finished and old, pending and old, finished and recent.
             INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event, payload, state, created_at)
             SELECT '00000000-0000-7000-8000-000000000001', chorus_uuid_v7(), '00000000-0000-7000-8000-000000000002',
                    chorus_uuid_v7(), 'message.created', '{}', s, now() - d
               FROM (VALUES ('delivered', interval '31 days'), ('failed', interval '40 days'),
                            ('pending', interval '40 days'), ('delivered', interval '29 days')) AS v (s, d);
             -- KPI facts: rolled up and old, rolled up and recent.
             INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id)
             VALUES ('00000000-0000-7000-8000-000000000001', 'message_in', now() - interval '8 days', chorus_uuid_v7(), chorus_uuid_v7()),
                    ('00000000-0000-7000-8000-000000000001', 'message_in', now() - interval '6 days', chorus_uuid_v7(), chorus_uuid_v7());",
        )
        .await
        .unwrap();
    // The roll-up has passed those two; a later old fact is not rolled up yet.
    admin
        .batch_execute("UPDATE kpi_rollup_state SET floor = pg_current_xact_id()")
        .await
        .unwrap();
    admin
        .batch_execute(
            "INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id)
             VALUES ('00000000-0000-7000-8000-000000000001', 'message_in', now() - interval '9 days', chorus_uuid_v7(), chorus_uuid_v7());
             INSERT INTO users (id, email, name, password_hash)
             VALUES ('00000000-0000-7000-8000-000000000003', 'r@example.com', 'R', 'x');
             INSERT INTO email_tokens (id, user_id, purpose, token_hash, expires_at) VALUES
               (chorus_uuid_v7(), '00000000-0000-7000-8000-000000000003', 'reset_password', '\\x01', now() - interval '8 days'),
               (chorus_uuid_v7(), '00000000-0000-7000-8000-000000000003', 'reset_password', '\\x02', now() - interval '1 day');",
        )
        .await
        .unwrap();

    let pruned = retention::prune(&store).await.unwrap();
    assert!(!pruned.more, "{pruned:?}");
    let deleted: std::collections::HashMap<&str, usize> = pruned.deleted.iter().copied().collect();
    assert_eq!(deleted.get("webhook_events"), Some(&12_002), "{pruned:?}");
    assert_eq!(deleted.get("webhook_deliveries"), Some(&2), "{pruned:?}");
    assert_eq!(deleted.get("kpi_events"), Some(&1), "{pruned:?}");
    assert_eq!(deleted.get("email_tokens"), Some(&1), "{pruned:?}");

    // What stays: the recent processed body and the failed one still within 30 days.
    assert_eq!(
        count(&mut admin, "SELECT count(*) AS n FROM webhook_events").await,
        2
    );
    assert_eq!(
        count(
            &mut admin,
            "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'pending' OR created_at > now() - interval '30 days'"
        )
        .await,
        2
    );
    assert_eq!(
        count(&mut admin, "SELECT count(*) AS n FROM webhook_deliveries").await,
        2
    );
    // The recent fact and the old one the roll-up has not reached.
    assert_eq!(
        count(&mut admin, "SELECT count(*) AS n FROM kpi_events").await,
        2
    );
    assert_eq!(
        count(&mut admin, "SELECT count(*) AS n FROM email_tokens").await,
        1
    );
    // A second run finds nothing.
    let again = retention::prune(&store).await.unwrap();
    assert!(again.deleted.is_empty(), "{again:?}");
}
