//! A private PostgreSQL cluster for development and tests, used when no `DATABASE_URL` is given.
//!
//! It lives in a folder of its own (`./.chorus/pg` for `chorus serve`), is created with `initdb`
//! on first use, started with `pg_ctl` and reused next time. Binaries come from `PATH` or the
//! newest `/usr/lib/postgresql/*/bin`. PostgreSQL refuses to run as root, so as root the commands
//! run through `runuser -u postgres` and the folder is handed to that user. The server listens on
//! 127.0.0.1 only, on a port chosen once and remembered in the folder, with trust authentication.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// What to install when no server binaries are found; printed as the one line of the error.
pub const INSTALL_HINT: &str = "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them with `apt-get install postgresql` (Debian/Ubuntu) or set DATABASE_URL to a running server";

#[derive(Debug, Clone)]
pub struct PrivateCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// Options for a new cluster.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterOptions {
    /// Skip fsync (throwaway test clusters only).
    pub ephemeral: bool,
}

impl PrivateCluster {
    /// Find the server binaries: a folder holding both `initdb` and `pg_ctl`.
    pub fn find_binaries() -> anyhow::Result<PathBuf> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(path) = std::env::var_os("PATH") {
            candidates.extend(std::env::split_paths(&path));
        }
        if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
            let mut versions: Vec<(u32, PathBuf)> = entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                    Some((v, e.path().join("bin")))
                })
                .collect();
            versions.sort_by_key(|v| std::cmp::Reverse(v.0));
            candidates.extend(versions.into_iter().map(|(_, p)| p));
        }
        candidates
            .into_iter()
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
            .ok_or_else(|| anyhow::anyhow!(INSTALL_HINT))
    }

    /// Create (first time) and start (if not running) the cluster in `dir`.
    pub fn ensure(dir: &Path, options: ClusterOptions) -> anyhow::Result<Self> {
        let bin = Self::find_binaries()?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let dir = dir
            .canonicalize()
            .with_context(|| format!("resolving {}", dir.display()))?;
        let as_postgres = is_root();
        let port_file = dir.join("port");
        let port = match std::fs::read_to_string(&port_file) {
            Ok(s) => s
                .trim()
                .parse::<u16>()
                .context("reading the cluster's port file")?,
            Err(_) => {
                let port = free_port()?;
                std::fs::write(&port_file, port.to_string())?;
                port
            }
        };
        let cluster = Self {
            dir,
            bin,
            port,
            as_postgres,
        };
        let data = cluster.data_dir();
        if !data.join("PG_VERSION").exists() {
            if as_postgres {
                let status = Command::new("chown")
                    .args(["-R", "postgres:"])
                    .arg(&cluster.dir)
                    .status()
                    .context("running chown")?;
                if !status.success() {
                    bail!(
                        "could not hand {} to the postgres user (is the `postgres` user missing? install the postgresql package)",
                        cluster.dir.display()
                    );
                }
            }
            cluster.run(
                "initdb",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
            )?;
        }
        if !cluster.is_running() {
            let mut server_opts = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' -c max_connections=300"
            );
            if options.ephemeral {
                server_opts
                    .push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            }
            cluster.run(
                "pg_ctl",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-l",
                    &cluster.dir.join("server.log").to_string_lossy(),
                    "-o",
                    &server_opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            )?;
        }
        Ok(cluster)
    }

    /// A superuser URL for this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .args(["-D", &self.data_dir().to_string_lossy(), "status"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// Stop the server (fast shutdown: running transactions are rolled back).
    pub fn stop(&self) -> anyhow::Result<()> {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().to_string_lossy(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        )
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let out = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        Ok(())
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
