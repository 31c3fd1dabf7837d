//! `chorus`: one binary, several roles (serve, worker, migrate, demo, admin).

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use chorus_api::config::Config;
use chorus_api::startup::{Application, database};
use chorus_api::{demo, telemetry};
use chorus_tenants::db::bootstrap;

#[derive(Parser)]
#[command(
    name = "chorus",
    version,
    about = "Chorus: one WhatsApp number, a whole team inbox."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the portal, with the job worker in the same process.
    Serve {
        /// Do not run the job worker in this process (run `chorus worker` separately).
        #[arg(long)]
        no_worker: bool,
        /// Create the demo business on first start.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the job worker.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo business (if missing) and print its logins.
    Demo,
    /// Administrative commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create (or promote) a platform operator.
    CreateOperator {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Password; generated and printed when omitted.
        #[arg(long, env = "CHORUS_OPERATOR_PASSWORD")]
        password: Option<String>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    chorus_tenants::install_tls_provider();
    telemetry::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chorus: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chorus: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let db = database(&config).await?;
    let outcome = command(cli.command, config, &db.url).await;
    if let Some(cluster) = db.cluster {
        tracing::info!("stopping the private PostgreSQL");
        if let Err(e) = tokio::task::spawn_blocking(move || cluster.stop()).await? {
            tracing::warn!(error = %e, "stopping the private PostgreSQL failed");
        }
    }
    outcome
}

async fn command(command: Command, config: Config, url: &str) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            no_worker,
            demo: with_demo,
        } => {
            let started = std::time::Instant::now();
            let public_url = config.public_url.clone();
            let app = Application::build(config, url).await?;
            if with_demo && demo::seed(&app.state.store).await? {
                tracing::info!("demo business created");
            }
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "Chorus is ready at {public_url}"
            );
            if with_demo {
                println!("{}", demo::logins_text(&public_url));
            }
            let stop = CancellationToken::new();
            let signal = stop.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                tracing::info!("shutdown signal received: draining requests and jobs");
                signal.cancel();
            });
            app.run(!no_worker, stop).await
        }
        Command::Worker => {
            let mut config = config;
            config.listen = "127.0.0.1:0".parse()?;
            let app = Application::build(config, url).await?;
            let stop = CancellationToken::new();
            let signal = stop.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                signal.cancel();
            });
            app.runner.run(stop).await;
            Ok(())
        }
        Command::Migrate => {
            let n = bootstrap::migrate(url).await?;
            println!(
                "{n} migration(s) applied; schema at {}",
                bootstrap::newest_embedded()
            );
            Ok(())
        }
        Command::Demo => {
            bootstrap::migrate(url).await?;
            let mut config = config;
            let public_url = config.public_url.clone();
            config.listen = "127.0.0.1:0".parse()?;
            let app = Application::build_migrated(config, url)?;
            demo::seed(&app.state.store).await?;
            print!("{}", demo::logins_text(&public_url));
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::CreateOperator {
                    email,
                    name,
                    password,
                },
        } => {
            bootstrap::migrate(url).await?;
            let mut config = config;
            config.listen = "127.0.0.1:0".parse()?;
            let app = Application::build_migrated(config, url)?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(chorus_tenants::accounts::generate_password);
            let user =
                chorus_tenants::accounts::provision(&app.state.store, &email, &name, &password)
                    .await?;
            chorus_tenants::accounts::make_operator(&app.state.store, user).await?;
            println!(
                "operator {email} ready{}",
                if generated {
                    format!(" (password: {password})")
                } else {
                    String::new()
                }
            );
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = ctrl_c.await;
}
