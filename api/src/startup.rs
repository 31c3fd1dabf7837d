//! Building and running the application: the database (private cluster when `DATABASE_URL` is
//! unset), migrations, the HTTP server and the in-process worker, and graceful shutdown.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Service;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context;
use futures_util::FutureExt;
use tokio_util::sync::CancellationToken;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use chorus_tenants::access::AccessTokens;
use chorus_tenants::crypto::SecretBox;
use chorus_tenants::db::cluster::{ClusterOptions, PrivateCluster};
use chorus_tenants::db::{DbConfig, Store, bootstrap};
use chorus_tenants::mail::Mailer;
use chorus_tenants::media::MediaStore;
use chorus_tenants::whatsapp::{GraphClient, GraphConfig};
use chorus_worker::{Environment, Registry, Runner};

use crate::config::Config;
use crate::error::{path_error, query_error};
use crate::ratelimit::AccountLimits;
use crate::routes;
use crate::state::AppState;
use crate::telemetry::Metrics;

/// The database the process uses, and the private cluster behind it if we started one.
pub struct Database {
    pub url: String,
    pub cluster: Option<PrivateCluster>,
}

/// `DATABASE_URL`, or a private cluster under `$CHORUS_HOME/pg` with a `chorus` database.
pub async fn database(config: &Config) -> anyhow::Result<Database> {
    if let Some(url) = &config.database_url {
        return Ok(Database {
            url: url.clone(),
            cluster: None,
        });
    }
    let dir = config.home.join("pg");
    let cluster = tokio::task::spawn_blocking(move || {
        PrivateCluster::ensure(&dir, ClusterOptions::default())
    })
    .await
    .context("starting the private PostgreSQL")??;
    let url = cluster.url("chorus");
    create_database_if_missing(&cluster.url("postgres"), "chorus").await?;
    tracing::info!(
        port = cluster.port(),
        "using the private PostgreSQL cluster in {}",
        config.home.join("pg").display()
    );
    Ok(Database {
        url,
        cluster: Some(cluster),
    })
}

/// `CREATE DATABASE name` unless it exists.
pub async fn create_database_if_missing(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use diesel::QueryableByName;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let found: N = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(&mut conn)
        .await?;
    if found.n == 0 {
        conn.batch_execute(&format!("CREATE DATABASE \"{}\"", name.replace('"', "")))
            .await?;
    }
    Ok(())
}

/// Everything a running Chorus needs, built from configuration and a database URL.
pub struct Application {
    pub state: AppState,
    database_url: String,
    pub runner: Runner,
    pub metrics: Metrics,
    listener: TcpListener,
}

impl Application {
    /// Migrate, connect, bind. Does not start serving yet.
    pub async fn build(config: Config, database_url: &str) -> anyhow::Result<Self> {
        let migrated = bootstrap::migrate(database_url)
            .await
            .context("running migrations")?;
        if migrated > 0 {
            tracing::info!(migrated, "migrations applied");
        }
        Self::build_migrated(config, database_url)
    }

    /// Connect and bind to an already migrated database.
    pub fn build_migrated(config: Config, database_url: &str) -> anyhow::Result<Self> {
        let mut db = DbConfig::new(database_url);
        db.pool_size = config.pool_size;
        let store = Store::connect(&db)?;
        let mailer = match &config.smtp_url {
            Some(url) => Mailer::smtp(url, &config.mail_from)?,
            None => Mailer::files(config.mail_dir.clone(), &config.mail_from)?,
        };
        let graph = GraphClient::new(GraphConfig {
            base_url: config.graph_api_url.clone(),
            api_version: config.graph_api_version.clone(),
            ..GraphConfig::default()
        })?;
        let media = MediaStore::open_with(&config.media_url, &config.secret_key, &config.media_s3)
            .with_context(|| format!("opening the media store at {}", config.media_url))?;
        let llm = config
            .llm
            .clone()
            .map(chorus_tenants::llm::LlmClient::new)
            .transpose()?;
        let hooks = chorus_tenants::hooks::sender::HookSender::new(
            chorus_tenants::hooks::guard::TargetPolicy {
                allow_loopback: config.webhooks_allow_loopback,
            },
        )?;
        let runner = Runner::new(
            Environment {
                store: store.clone(),
                mailer,
                graph: graph.clone(),
                secrets: SecretBox::new(&config.secret_key),
                limits: Default::default(),
                sends: Default::default(),
                media: media.clone(),
                public_url: config.public_url.clone(),
                llm: llm.clone(),
                hooks: hooks.clone(),
            },
            Registry::standard(),
        )
        .concurrency(config.worker_concurrency)
        .listen_to(database_url);
        let listener = TcpListener::bind(config.listen)
            .with_context(|| format!("binding {}", config.listen))?;
        let state = AppState {
            store,
            access: AccessTokens::new(&config.secret_key),
            limits: AccountLimits::new(&config.rate_limits),
            jobs_bell: runner.bell(),
            graph,
            secrets: SecretBox::new(&config.secret_key),
            media,
            hub: Default::default(),
            llm,
            hooks,
            config: Arc::new(config),
        };
        Ok(Self {
            state,
            database_url: database_url.to_owned(),
            runner,
            metrics: Metrics::install()?,
            listener,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serve until `shutdown` fires (the binary fires it on SIGINT and SIGTERM): stop accepting,
    /// drain in-flight requests (up to 30 s), let running jobs finish, return.
    pub async fn run(self, with_worker: bool, shutdown: CancellationToken) -> anyhow::Result<()> {
        let worker_stop = CancellationToken::new();
        let worker = with_worker.then(|| {
            let runner = self.runner.clone();
            let stop = worker_stop.clone();
            tokio::spawn(async move { runner.run(stop).await })
        });
        let announcer = tokio::spawn(chorus_worker::wakeups::announce(
            self.state.store.clone(),
            self.state.jobs_bell.clone(),
            worker_stop.clone(),
        ));
        let listener_task = tokio::spawn(crate::realtime::listen(
            self.state.hub.clone(),
            self.state.store.clone(),
            self.database_url.clone(),
            worker_stop.clone(),
        ));
        let sweeper = {
            let limits = self.state.limits.clone();
            let stop = worker_stop.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(60)) => limits.sweep(),
                        _ = stop.cancelled() => break,
                    }
                }
            })
        };
        let server = server(self.state.clone(), self.metrics.clone(), self.listener)?;
        let handle = server.handle();
        let external = shutdown.clone();
        tokio::spawn(async move {
            external.cancelled().await;
            handle.stop(true).await;
        });
        let result = server.await;
        tracing::info!("HTTP server stopped; stopping the worker");
        worker_stop.cancel();
        if let Some(w) = worker {
            let _ = w.await;
        }
        let _ = sweeper.await;
        let _ = announcer.await;
        let _ = listener_task.await;
        result.context("HTTP server")
    }
}

fn server(
    state: AppState,
    metrics: Metrics,
    listener: TcpListener,
) -> anyhow::Result<actix_web::dev::Server> {
    let openapi = crate::openapi::ApiDoc::openapi();
    let state = web::Data::new(state);
    let metrics = web::Data::new(metrics);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PayloadConfig::default().limit(crate::json::LIMIT))
            .wrap(security_headers())
            .wrap(Compress::default())
            .wrap_fn(move |req, srv| {
                let started = std::time::Instant::now();
                let hub = req.app_data::<web::Data<AppState>>().map(|s| s.hub.clone());
                let changes = req.method() != actix_web::http::Method::GET;
                let method = req.method().to_string();
                let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                srv.call(req).map(move |res| {
                    res.map(|mut res| {
                        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
                        // A change committed here: this process's sockets hear of it now.
                        if changes && res.status().is_success() && let Some(hub) = &hub {
                            hub.wake();
                        }
                        let status = res.status().as_u16().to_string();
                        metrics::counter!("chorus_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
                        metrics::histogram!("chorus_http_request_duration_seconds", "method" => method, "route" => route)
                            .record(started.elapsed().as_secs_f64());
                        if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                            res.headers_mut().insert(HeaderName::from_static("x-request-id"), id);
                        }
                        res
                    })
                })
            })
            .wrap(TracingLogger::default())
            .service(routes::ops::healthz)
            .service(routes::ops::readyz)
            .service(routes::ops::metrics)
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", openapi.clone()))
            .service(web::redirect("/api/docs", "/api/docs/"))
            .service(
                web::scope("/webhooks")
                    .service(routes::webhooks::verify)
                    .service(routes::webhooks::receive)
                    .service(routes::webhooks::verify_own)
                    .service(routes::webhooks::receive_own),
            )
            .service(web::scope("/api/v1").configure(routes::configure))
            .default_service(web::to(routes::portal::serve))
    })
    .listen(listener)?
    // Signals are ours (see `Application::run`): actix would treat SIGINT as a forced stop.
    .disable_signals()
    .shutdown_timeout(30)
    .run();
    Ok(server)
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ))
}
