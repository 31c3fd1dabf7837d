//! The store and its two doors.
//!
//! Every query a request makes goes through [`Store::tenant`]: a transaction on a connection that
//! runs as the `chorus_app` role (no BYPASSRLS, not the owner of any table) with
//! `app.tenant_id` set by `set_config(.., true)`, so Row-Level Security confines it to one
//! business and the setting dies with the transaction. Work whose job is to cross businesses
//! (logging in, resolving a token to its person, claiming jobs, operator views) goes through
//! [`Store::system`], a separate pool running as `chorus_system` (BYPASSRLS). Both are named
//! doors so that review can find every crossing: `grep -rn "\.system(" `.
//!
//! Migrations run as `chorus_owner`; see [`bootstrap`].

pub mod bootstrap;
pub mod cluster;
pub mod statistics;

use std::time::Duration;

use diesel::sql_types::{Bool, Text};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_async::{TransactionManager, pooled_connection::RecyclingMethod};
use futures_util::FutureExt;

use crate::error::{Error, Result};
use crate::ids::TenantId;

pub use bootstrap::{APP_ROLE, OWNER_ROLE, SYSTEM_ROLE};

diesel::define_sql_function! {
    /// `set_config(name, value, is_local)`; with `is_local` the value ends with the transaction.
    fn set_config(name: Text, value: Text, is_local: Bool) -> Text;
}

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct DbConfig {
    pub url: String,
    /// Connections per pool (the app pool; the system pool gets a quarter, at least 2).
    pub pool_size: usize,
    pub statement_timeout: Duration,
    pub application_name: String,
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            pool_size: 16,
            statement_timeout: Duration::from_secs(30),
            application_name: "chorus".into(),
        }
    }
}

/// Both doors into the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    app: Pool<AsyncPgConnection>,
    system: Pool<AsyncPgConnection>,
}

/// A transaction confined to one business by RLS. Domain functions that take `&mut TenantTx`
/// can only ever see that business's rows.
pub struct TenantTx {
    conn: Object<AsyncPgConnection>,
    tenant: TenantId,
}

impl TenantTx {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    /// The connection, for diesel queries inside this transaction.
    pub fn pg(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

/// A transaction that crosses businesses. Only for work whose purpose is to cross them.
pub struct SystemTx {
    conn: Object<AsyncPgConnection>,
}

impl SystemTx {
    pub fn pg(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

/// The bound `Store::tenant` needs so that the transaction's future stays `Send` (the same
/// trick diesel-async uses for its own `transaction`; its trait is private).
pub trait TxFn<T, R>: AsyncFnOnce(T) -> R + FnOnce(T) -> <Self as TxFn<T, R>>::Fut {
    type Fut: Future<Output = R>;
}

impl<F, T, Fut, R> TxFn<T, R> for F
where
    F: AsyncFnOnce(T) -> R + FnOnce(T) -> Fut,
    Fut: Future<Output = R>,
{
    type Fut = Fut;
}

type Tm = <AsyncPgConnection as AsyncConnection>::TransactionManager;

impl Store {
    /// Connect both pools. Does not touch the schema; run [`bootstrap::migrate`] first.
    pub fn connect(config: &DbConfig) -> Result<Self> {
        let app = build_pool(config, APP_ROLE, config.pool_size.max(2))?;
        let system = build_pool(config, SYSTEM_ROLE, (config.pool_size / 4).max(2))?;
        Ok(Self { app, system })
    }

    /// The tenant door: run `f` in one transaction where RLS shows only `tenant`'s rows.
    /// Commits when `f` returns `Ok`, rolls back otherwise.
    pub async fn tenant<R, E, F>(&self, tenant: TenantId, f: F) -> std::result::Result<R, E>
    where
        for<'r> F: AsyncFnOnce(&'r mut TenantTx) -> std::result::Result<R, E>
            + TxFn<&'r mut TenantTx, std::result::Result<R, E>, Fut: Send>
            + Send,
        E: From<Error> + Send,
        R: Send,
    {
        let conn = self.app.get().await.map_err(Error::from)?;
        let mut tx = TenantTx { conn, tenant };
        Tm::begin_transaction(&mut *tx.conn)
            .await
            .map_err(Error::from)?;
        // In the same statement: JIT off for this transaction. Under RLS the planner's estimates
        // for search can be off by 10^5 rows, and the cost that follows switches on JIT
        // compilation, which took 0.3-0.5 s of a 60 ms query at 20M messages. The app's queries
        // are short index lookups that JIT never pays back.
        let set = diesel::select((
            set_config("app.tenant_id", tenant.to_string(), true),
            set_config("jit", "off", true),
        ))
        .execute(&mut *tx.conn)
        .await;
        if let Err(e) = set {
            let _ = Tm::rollback_transaction(&mut *tx.conn).await;
            return Err(Error::from(e).into());
        }
        let outcome = f(&mut tx).await;
        finish(&mut tx.conn, outcome).await
    }

    /// The system door: one transaction that is not confined by RLS. Use only where crossing
    /// businesses is the job (authentication, token resolution, jobs, operator views).
    pub async fn system<R, E, F>(&self, f: F) -> std::result::Result<R, E>
    where
        for<'r> F: AsyncFnOnce(&'r mut SystemTx) -> std::result::Result<R, E>
            + TxFn<&'r mut SystemTx, std::result::Result<R, E>, Fut: Send>
            + Send,
        E: From<Error> + Send,
        R: Send,
    {
        let conn = self.system.get().await.map_err(Error::from)?;
        let mut tx = SystemTx { conn };
        Tm::begin_transaction(&mut *tx.conn)
            .await
            .map_err(Error::from)?;
        let outcome = f(&mut tx).await;
        finish(&mut tx.conn, outcome).await
    }

    /// A plain connection of the app role outside any door: sees no tenant rows at all.
    /// Used by health checks and by tests that prove it.
    pub async fn app_connection(&self) -> Result<Object<AsyncPgConnection>> {
        Ok(self.app.get().await?)
    }

    /// A plain system-role connection outside a transaction (the job listener, readiness).
    pub async fn system_connection(&self) -> Result<Object<AsyncPgConnection>> {
        Ok(self.system.get().await?)
    }

    /// Database reachable and the newest migration applied.
    pub async fn ready(&self) -> Result<()> {
        let mut conn = self.app.get().await?;
        let applied = bootstrap::newest_applied(&mut conn).await?;
        if applied.as_deref() != Some(bootstrap::newest_embedded().as_str()) {
            return Err(Error::Unavailable(format!(
                "migrations not current: database at {applied:?}, binary expects {}",
                bootstrap::newest_embedded()
            )));
        }
        Ok(())
    }

    pub fn app_pool_status(&self) -> deadpool_status::Status {
        let s = self.app.status();
        deadpool_status::Status {
            size: s.size,
            available: s.available,
            waiting: s.waiting,
        }
    }
}

/// A tiny copy of the pool status for metrics, so callers need no deadpool dependency.
pub mod deadpool_status {
    #[derive(Debug, Clone, Copy)]
    pub struct Status {
        pub size: usize,
        pub available: usize,
        pub waiting: usize,
    }
}

async fn finish<R, E>(
    conn: &mut AsyncPgConnection,
    outcome: std::result::Result<R, E>,
) -> std::result::Result<R, E>
where
    E: From<Error>,
{
    match outcome {
        Ok(value) => {
            Tm::commit_transaction(conn).await.map_err(Error::from)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rb) = Tm::rollback_transaction(conn).await {
                tracing::warn!(error = %rb, "rollback failed; the connection will be discarded");
            }
            Err(e)
        }
    }
}

fn build_pool(
    config: &DbConfig,
    role: &'static str,
    size: usize,
) -> Result<Pool<AsyncPgConnection>> {
    let timeout_ms = config.statement_timeout.as_millis();
    let app_name = config.application_name.clone();
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    manager_config.recycling_method = RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(move |url| {
        let setup = format!(
            "SET ROLE {role}; SET application_name = '{}'; SET statement_timeout = {timeout_ms}",
            app_name.replace('\'', "")
        );
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            conn.batch_execute(&setup)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        config.url.clone(),
        manager_config,
    );
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .runtime(deadpool_runtime())
        .build()
        .map_err(|e| Error::Internal(anyhow::anyhow!("building the {role} pool: {e}")))
}

fn deadpool_runtime() -> deadpool::Runtime {
    deadpool::Runtime::Tokio1
}
