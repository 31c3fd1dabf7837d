//! Tenant isolation at the database: the catalog rules every tenant table must follow, and what
//! the app role can see inside and outside the tenant door.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{email, spawn_app};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use reqwest::StatusCode;
use serde_json::json;

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TenantId;
use chorus_tenants::schema::{tags, tenants};

/// System tables that carry a `tenant_id` but are not owned by one business. Each entry says why.
const SYSTEM_TABLES: &[(&str, &str)] = &[(
    "jobs",
    "the job queue: nullable tenant_id for platform jobs; the app role may only INSERT, the worker reads it through the system door",
)];

#[derive(QueryableByName, Debug)]
struct TableRules {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Bool)]
    rls_enabled: bool,
    #[diesel(sql_type = Bool)]
    rls_forced: bool,
    #[diesel(sql_type = BigInt)]
    policies: i64,
    #[diesel(sql_type = Bool)]
    policy_uses_setting: bool,
    #[diesel(sql_type = Bool)]
    tenant_id_leads_pk: bool,
    #[diesel(sql_type = Bool)]
    tenant_id_not_null: bool,
}

#[tokio::test]
async fn every_tenant_table_is_isolated() {
    let app = spawn_app().await;
    let mut conn = app.db.superuser().await;
    let rows: Vec<TableRules> = diesel::sql_query(
        "SELECT c.relname::text AS table_name,
                c.relrowsecurity AS rls_enabled,
                c.relforcerowsecurity AS rls_forced,
                (SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) AS policies,
                coalesce((SELECT bool_and(p.qual LIKE '%current_setting(''app.tenant_id''::text, true)%'
                                  AND p.with_check LIKE '%current_setting(''app.tenant_id''::text, true)%')
                            FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname), false) AS policy_uses_setting,
                coalesce((SELECT a.attname = 'tenant_id'
                            FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                           WHERE i.indrelid = c.oid AND i.indisprimary), false) AS tenant_id_leads_pk,
                (SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id') AS tenant_id_not_null
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r'
            AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        rows.len() >= 8,
        "expected the tenant tables, found {rows:?}"
    );
    let mut failures = vec![];
    for t in &rows {
        if SYSTEM_TABLES.iter().any(|(name, _)| *name == t.table_name) {
            continue;
        }
        if !(t.rls_enabled
            && t.rls_forced
            && t.policies > 0
            && t.policy_uses_setting
            && t.tenant_id_leads_pk
            && t.tenant_id_not_null)
        {
            failures.push(format!("{t:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "tables breaking the isolation rules:\n{}",
        failures.join("\n")
    );
    // The root and global tables are protected too.
    for table in ["tenants", "users"] {
        let r: Vec<TableRules> = diesel::sql_query(format!(
            "SELECT relname::text AS table_name, relrowsecurity AS rls_enabled, relforcerowsecurity AS rls_forced,
                    0::bigint AS policies, true AS policy_uses_setting, true AS tenant_id_leads_pk, true AS tenant_id_not_null
               FROM pg_class WHERE relname = '{table}'"
        ))
        .load(&mut conn)
        .await
        .unwrap();
        assert!(
            r[0].rls_enabled && r[0].rls_forced,
            "{table} must have forced RLS"
        );
    }
}

#[derive(QueryableByName)]
struct RoleFacts {
    #[diesel(sql_type = Bool)]
    rolsuper: bool,
    #[diesel(sql_type = Bool)]
    rolbypassrls: bool,
    #[diesel(sql_type = BigInt)]
    owned_tables: i64,
}

#[tokio::test]
async fn the_app_role_is_plain() {
    let app = spawn_app().await;
    let mut conn = app.db.superuser().await;
    let f: RoleFacts = diesel::sql_query(
        "SELECT r.rolsuper, r.rolbypassrls,
                (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = 'chorus_app') AS owned_tables
           FROM pg_roles r WHERE r.rolname = 'chorus_app'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(!f.rolsuper && !f.rolbypassrls);
    assert_eq!(f.owned_tables, 0);
    // The pooled connections really run as chorus_app.
    #[derive(QueryableByName)]
    struct Who {
        #[diesel(sql_type = Text)]
        current_user: String,
    }
    let mut c = app.state.store.app_connection().await.unwrap();
    let who: Who = diesel::sql_query("SELECT current_user::text AS current_user")
        .get_result(&mut *c)
        .await
        .unwrap();
    assert_eq!(who.current_user, "chorus_app");
}

#[tokio::test]
async fn the_tenant_door_confines_queries() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    for (s, name) in [(&a, "alpha-tag"), (&b, "beta-tag")] {
        let res = app
            .post(
                "/api/v1/tags",
                Some(&s.access_token),
                json!({"name": name, "colour": "#112233"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let ta: TenantId = a.tenant_id.parse().unwrap();
    let tb: TenantId = b.tenant_id.parse().unwrap();
    let store = &app.state.store;

    // Inside A's door, a query with no tenant filter sees only A's rows.
    let (names, businesses) = store
        .tenant(
            ta,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<(Vec<String>, i64)> {
                let names = tags::table
                    .select(tags::name)
                    .load::<String>(tx.pg())
                    .await?;
                let n = tenants::table.count().get_result::<i64>(tx.pg()).await?;
                Ok((names, n))
            },
        )
        .await
        .unwrap();
    assert_eq!(names, vec!["alpha-tag".to_owned()]);
    assert_eq!(businesses, 1);

    // Outside any door the app role sees nothing at all.
    let mut raw = store.app_connection().await.unwrap();
    assert_eq!(
        tags::table
            .count()
            .get_result::<i64>(&mut *raw)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        tenants::table
            .count()
            .get_result::<i64>(&mut *raw)
            .await
            .unwrap(),
        0
    );

    // Inside A's door, writing a row that carries B's tenant_id is rejected by the policy.
    let err = store
        .tenant(
            ta,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<usize> {
                Ok(diesel::insert_into(tags::table)
                    .values((
                        tags::tenant_id.eq(tb),
                        tags::id.eq(uuid::Uuid::now_v7()),
                        tags::name.eq("smuggled"),
                        tags::colour.eq("#000000"),
                    ))
                    .execute(tx.pg())
                    .await?)
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    // Nor can A's door update B's rows (they are invisible: zero rows touched).
    let touched = store
        .tenant(
            ta,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<usize> {
                Ok(diesel::update(tags::table.filter(tags::tenant_id.eq(tb)))
                    .set(tags::name.eq("pwned"))
                    .execute(tx.pg())
                    .await?)
            },
        )
        .await
        .unwrap();
    assert_eq!(touched, 0);

    // The setting does not survive the transaction on a pooled connection.
    let mut raw = store.app_connection().await.unwrap();
    raw.batch_execute("SELECT 1").await.unwrap();
    assert_eq!(
        tags::table
            .count()
            .get_result::<i64>(&mut *raw)
            .await
            .unwrap(),
        0
    );
}
