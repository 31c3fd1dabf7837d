//! Test databases (feature `testing`): one real PostgreSQL per test run, a template database
//! migrated once, and a fresh database cloned from it for every test.
//!
//! The server: `TEST_DATABASE_URL` or `DATABASE_URL` when reachable, else the machine's
//! `postgres://postgres@127.0.0.1:5432`, else a private throwaway cluster started for the run
//! under `target/chorus-test-pg` (fsync off). The template is named after a fingerprint of the
//! migrations, built under an advisory lock (so parallel test binaries share it) and renamed into
//! place only when complete. Each [`TestDatabase`] is `CREATE DATABASE .. TEMPLATE ..` (~15 ms)
//! and is dropped when the value is.
//!
//! [`s3`]: a local S3 (moto's `moto_server`) for the media store's S3 path.

pub mod s3;

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tokio::sync::OnceCell;

use crate::db::bootstrap;
use crate::db::cluster::{ClusterOptions, PrivateCluster};

const FINGERPRINT: &str = env!("CHORUS_MIGRATIONS_HASH");

/// Replace the database name of a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

async fn reachable(url: &str) -> bool {
    matches!(
        tokio::time::timeout(
            std::time::Duration::from_secs(3),
            AsyncPgConnection::establish(url)
        )
        .await,
        Ok(Ok(_))
    )
}

/// The admin URL (database `postgres`) of the server tests use.
async fn server() -> &'static str {
    static SERVER: OnceCell<String> = OnceCell::const_new();
    SERVER
        .get_or_init(|| async {
            for var in ["TEST_DATABASE_URL", "DATABASE_URL"] {
                if let Ok(url) = std::env::var(var)
                    && !url.is_empty()
                {
                    let admin = with_database(&url, "postgres");
                    if reachable(&admin).await {
                        return admin;
                    }
                    eprintln!("chorus tests: {var} is set but not reachable; looking further");
                }
            }
            let local = "postgres://postgres@127.0.0.1:5432/postgres".to_owned();
            if reachable(&local).await {
                return local;
            }
            let dir =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/chorus-test-pg");
            eprintln!(
                "chorus tests: no PostgreSQL reachable; starting a private cluster in {}",
                dir.display()
            );
            let cluster = tokio::task::spawn_blocking(move || {
                PrivateCluster::ensure(&dir, ClusterOptions { ephemeral: true })
            })
            .await
            .unwrap_or_else(|e| panic!("cluster task: {e}"))
            .unwrap_or_else(|e| panic!("{e:#}"));
            cluster.url("postgres")
        })
        .await
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Count>(conn)
        .await
        .map(|c| c.n > 0)
        .unwrap_or(false)
}

/// The migrated template's name, built once per run (and shared by parallel test processes).
async fn template() -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let admin = server().await;
            let name = format!("chorus_tmpl_{FINGERPRINT}");
            let mut conn = AsyncPgConnection::establish(admin)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            conn.batch_execute("SELECT pg_advisory_lock(7226157092)")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            if !database_exists(&mut conn, &name).await {
                let building = format!("{name}_building");
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                conn.batch_execute(&format!("CREATE DATABASE {building}"))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                bootstrap::migrate(&with_database(admin, &building))
                    .await
                    .unwrap_or_else(|e| panic!("migrating the template: {e}"));
                conn.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            conn.batch_execute("SELECT pg_advisory_unlock(7226157092)")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            name
        })
        .await
}

/// A database of one's own for one test, dropped with this value.
pub struct TestDatabase {
    pub url: String,
    name: String,
    admin: String,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let template = template().await;
        let admin = server().await.to_owned();
        let name = format!("chorus_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = AsyncPgConnection::establish(&admin)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // A template can be cloned only while nobody is connected to it; other clones racing us
        // are fine, so retry briefly on "being accessed by other users".
        let mut tries = 0;
        loop {
            match conn
                .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .await
            {
                Ok(()) => break,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("creating a test database: {e}"),
            }
        }
        Self {
            url: with_database(&admin, &name),
            name,
            admin,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A superuser connection to this test's database (for assertions that need to see past RLS).
    pub async fn superuser(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Drop on a thread of its own: Drop cannot await, and we may be inside a runtime.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut conn) = AsyncPgConnection::establish(&admin).await {
                    let _ = conn
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        });
        let _ = handle.join();
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_database_names() {
        assert_eq!(
            with_database("postgres://u@h:5432/a", "b"),
            "postgres://u@h:5432/b"
        );
        assert_eq!(
            with_database("postgres://u@h:5432/a?sslmode=disable", "b"),
            "postgres://u@h:5432/b?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "b"),
            "postgres://u@h:5432/b"
        );
    }
}
