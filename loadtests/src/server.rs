//! Starting and stopping the real `chorus serve` for a scenario.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// The Meta app secret the benchmark's server trusts and its webhooks are signed with.
pub const APP_SECRET: &str = "chorus-bench-app-secret";

pub struct Chorus {
    child: Child,
    pub base_url: String,
    pub ready_after: Duration,
    /// The private cluster's port (for pgbench).
    pub pg_port: Option<u16>,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Chorus {
    /// Start `chorus serve --demo` with `home` as CHORUS_HOME and no DATABASE_URL (a private
    /// cluster), and wait for `/readyz`.
    pub async fn start(bin: &Path, home: &Path) -> anyhow::Result<Self> {
        Self::start_with(bin, home, &[], &[]).await
    }

    /// [`Chorus::start`] with extra environment variables and `serve` arguments.
    pub async fn start_with(
        bin: &Path,
        home: &Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let child = Command::new(bin)
            .arg("serve")
            .arg("--demo")
            .args(args)
            .env_remove("DATABASE_URL")
            .env("CHORUS_HOME", home)
            .env("CHORUS_LISTEN", format!("127.0.0.1:{port}"))
            .env("CHORUS_RATE_LOGIN_PER_IP", "1000000")
            .env("CHORUS_META_APP_SECRET", APP_SECRET)
            .env("CHORUS_RATE_LOGIN_PER_ACCOUNT", "1000000")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let client = reqwest::Client::new();
        let ready_url = format!("{base_url}/readyz");
        loop {
            if let Ok(r) = client.get(&ready_url).send().await
                && r.status().is_success()
            {
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("chorus did not become ready in 120 s");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let pg_port = std::fs::read_to_string(home.join("pg/port"))
            .ok()
            .and_then(|p| p.trim().parse().ok());
        Ok(Self {
            child,
            base_url,
            ready_after: started.elapsed(),
            pg_port,
        })
    }

    /// The server's process id (for its memory).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// SIGTERM and wait: the server drains and stops its private cluster.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await??;
        if !status.success() {
            bail!("chorus exited with {status}");
        }
        Ok(())
    }
}

/// A separate `chorus worker` process on the same home and database.
pub struct Worker {
    child: Child,
}

impl Worker {
    pub fn start(
        bin: &Path,
        home: &Path,
        pg_port: u16,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let child = Command::new(bin)
            .arg("worker")
            .env(
                "DATABASE_URL",
                format!("postgres://postgres@127.0.0.1:{pg_port}/chorus"),
            )
            .env("CHORUS_HOME", home)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} worker", bin.display()))?;
        Ok(Self { child })
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await??;
        Ok(())
    }
}

pub fn pg_version() -> String {
    let bin: Option<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|d| {
        d.filter_map(|e| e.ok())
            .map(|e| e.path().join("bin/postgres"))
            .find(|p| p.exists())
    });
    bin.and_then(|b| std::process::Command::new(b).arg("--version").output().ok())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .replace("postgres (PostgreSQL) ", "")
        })
        .unwrap_or_else(|| "?".into())
}
