//! `chorus-loadtests`: benchmarks of Chorus's hot paths, run by `make bench`. Each scenario
//! starts the real `chorus serve` (release build) on a private PostgreSQL cluster in a temporary
//! `CHORUS_HOME`, drives it over HTTP only, and the results are written to `docs/performance.md`.
//!
//! Load is open-loop: requests are scheduled at a fixed rate and latency is measured from the
//! scheduled start, so a slow server cannot hide its queueing (no coordinated omission).
//! The load generator runs on the same machine as the server and the database; the report says so.

mod open_loop;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// The chorus binary to benchmark.
    #[arg(long, default_value = "target/release/chorus")]
    chorus: PathBuf,
    /// Where to write the report (Markdown).
    #[arg(long, default_value = "docs/performance.md")]
    report: PathBuf,
    /// Seconds per steady-rate scenario.
    #[arg(long, default_value_t = 15)]
    duration: u64,
    /// Target request rate for `GET /api/v1/me`.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let home = tempfile_dir()?;
    let mut sections = Vec::new();

    // 1. Start-up: first start creates the cluster; the second start reuses it.
    let first = server::Chorus::start(&args.chorus, &home).await?;
    let first_ready = first.ready_after;
    first.stop().await?;
    let mut startups = Vec::new();
    for _ in 0..3 {
        let s = server::Chorus::start(&args.chorus, &home).await?;
        startups.push(s.ready_after);
        s.stop().await?;
    }
    startups.sort();
    sections.push(format!(
        "## Start-up: `chorus serve` to `/readyz` = 200\n\n\
         | case | time |\n| --- | --- |\n\
         | first start (creates the private cluster, migrates, seeds the demo) | {:.2} s |\n\
         | start with an existing cluster, median of 3 | {:.2} s (min {:.2} s, max {:.2} s) |\n",
        first_ready.as_secs_f64(),
        startups[1].as_secs_f64(),
        startups[0].as_secs_f64(),
        startups[2].as_secs_f64()
    ));

    let chorus = server::Chorus::start(&args.chorus, &home).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let base = chorus.base_url.clone();

    // 2. Login throughput with the real argon2id parameters.
    let login_url = format!("{base}/api/v1/auth/login");
    let body = json!({"email": "owner@demo.chorus.test", "password": "chorus-demo-2026"});
    let login = open_loop::closed_loop(
        &client,
        4,
        Duration::from_secs(args.duration.min(10)),
        |c| c.post(&login_url).json(&body),
    )
    .await;
    sections.push(format!(
        "## Login (`POST /api/v1/auth/login`, argon2id m=19 MiB t=2 p=1)\n\n\
         4 concurrent clients for {} s, closed loop.\n\n{}\n",
        args.duration.min(10),
        login.table("logins")
    ));

    // 3. Token-authenticated GET /api/v1/me at a fixed rate.
    let res: serde_json::Value = client
        .post(&login_url)
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    let token = res["access_token"]
        .as_str()
        .context("no access token")?
        .to_owned();
    let me_url = format!("{base}/api/v1/me");
    let warm = open_loop::fixed_rate(&client, args.rate / 2, Duration::from_secs(3), |c| {
        c.get(&me_url).bearer_auth(&token)
    })
    .await;
    let _ = warm;
    let me = open_loop::fixed_rate(
        &client,
        args.rate,
        Duration::from_secs(args.duration),
        |c| c.get(&me_url).bearer_auth(&token),
    )
    .await;
    sections.push(format!(
        "## `GET /api/v1/me` with a bearer token\n\n\
         Open loop at {} requests/s for {} s (after a 3 s warm-up at half rate). Each request verifies the JWT, \
         opens a tenant transaction to load the member and their permissions and business, then a system \
         transaction for the person's businesses. Target: p99 under 5 ms.\n\n{}\n",
        args.rate,
        args.duration,
        me.table("requests")
    ));
    chorus.stop().await?;

    let report = format!(
        "# Performance\n\n\
         Written by `make bench` (`loadtests/`), {date}. Machine: {cpus} cores, {mem}. The load generator, \
         the server (release build) and PostgreSQL {pg} (a private cluster, default settings, fsync on) share \
         this machine, so these are conservative numbers.\n\n{body}",
        date = chrono_like_now(),
        cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        mem = mem_total(),
        pg = server::pg_version(),
        body = sections.join("\n")
    );
    if let Some(dir) = args.report.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.report, &report)?;
    println!("{report}");
    let _ = std::fs::remove_dir_all(&home);
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("chorus-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn chrono_like_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn mem_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| format!("{:.0} GiB memory", kb / 1024.0 / 1024.0))
        .unwrap_or_default()
}
