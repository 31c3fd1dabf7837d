//! Roles and migrations.
//!
//! Three roles, created once per cluster when the configured user may create them (a superuser in
//! development and tests; in production a DBA creates them and grants them to the login user):
//! - `chorus_owner` owns the schema and runs migrations;
//! - `chorus_app` runs every request: DML only, no BYPASSRLS, owner of nothing, so FORCEd RLS binds it;
//! - `chorus_system` (BYPASSRLS) is the system door.
//!
//! The pools `SET ROLE` at connection setup, which works whatever user the URL names as long as
//! that user is a member of the role.

use diesel::{Connection, QueryableByName, sql_types::Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{Error, Result};

pub const OWNER_ROLE: &str = "chorus_owner";
pub const APP_ROLE: &str = "chorus_app";
pub const SYSTEM_ROLE: &str = "chorus_system";

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Create the roles if missing and allow the owner to create in `public` of this database; add
/// `pg_trgm` (contact search by any part of a name or number uses its indexes; without it,
/// migration 000014 skips them and search scans).
///
/// Search under Row-Level Security: PostgreSQL applies a policy's condition before any condition
/// of the query that calls a function not marked LEAKPROOF, and such a condition cannot then be
/// an index condition, so full-text and LIKE searches scanned every row of the business. The
/// functions those searches call on row values (`to_tsvector`, `||` of tsvectors, `@@`, LIKE and
/// ILIKE) are marked LEAKPROOF in this database: their errors depend on the pattern or the text
/// search configuration the query passes, never on a row's contents, and no tenant writes SQL.
/// This needs a superuser, like creating the roles; without it search is correct but scans.
/// Safe to run concurrently (an advisory lock serialises it) and repeatedly.
pub async fn ensure_roles(conn: &mut AsyncPgConnection) -> Result<()> {
    #[derive(QueryableByName)]
    struct Super {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        rolsuper: bool,
    }
    let me: Super = diesel::sql_query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        .get_result(conn)
        .await?;
    if !me.rolsuper {
        // Not allowed to create roles: they must already exist and be granted to us.
        return Ok(());
    }
    conn.batch_execute(&format!(
        r#"BEGIN;
        SELECT pg_advisory_xact_lock(7226157091);
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
                CREATE ROLE {OWNER_ROLE} NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN NOBYPASSRLS;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SYSTEM_ROLE}') THEN
                CREATE ROLE {SYSTEM_ROLE} NOLOGIN BYPASSRLS;
            END IF;
        END $$;
        GRANT CREATE, USAGE ON SCHEMA public TO {OWNER_ROLE};
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        ALTER FUNCTION pg_catalog.to_tsvector(regconfig, text) LEAKPROOF;
        ALTER FUNCTION pg_catalog.tsvector_concat(tsvector, tsvector) LEAKPROOF;
        ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
        ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
        ALTER FUNCTION pg_catalog.texticlike(text, text) LEAKPROOF;
        COMMIT;"#
    ))
    .await?;
    Ok(())
}

/// Run pending migrations as the owner role. Returns how many ran.
pub async fn migrate(url: &str) -> Result<usize> {
    {
        let mut conn = AsyncPgConnection::establish(url)
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        ensure_roles(&mut conn).await?;
    }
    let url = url.to_owned();
    // The sync migration harness blocks; give it a thread of its own (outside any runtime, so
    // the wrapper drives the connection on a small runtime of its own).
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let run = || -> Result<usize> {
            let mut conn =
                <AsyncConnectionWrapper<AsyncPgConnection> as Connection>::establish(&url)
                    .map_err(|e| Error::Unavailable(e.to_string()))?;
            diesel::connection::SimpleConnection::batch_execute(
                &mut conn,
                &format!("SET ROLE {OWNER_ROLE}"),
            )?;
            let done = conn
                .run_pending_migrations(MIGRATIONS)
                .map_err(|e| Error::Internal(anyhow::anyhow!("migration failed: {e}")))?;
            Ok(done.len())
        };
        let _ = tx.send(run());
    });
    rx.await
        .map_err(|_| Error::Internal(anyhow::anyhow!("migration thread died")))?
}

/// The newest migration compiled into this binary, as diesel records it (digits only).
pub fn newest_embedded() -> String {
    use diesel::migration::MigrationSource;
    let migrations: Vec<_> =
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).unwrap_or_default();
    migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .max()
        .unwrap_or_default()
}

/// The newest migration applied to the database, if any.
pub async fn newest_applied(conn: &mut AsyncPgConnection) -> Result<Option<String>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        version: Option<String>,
    }
    let row: Row =
        diesel::sql_query("SELECT max(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)
            .await?;
    Ok(row.version)
}
