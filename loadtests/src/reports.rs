//! Background work at scale: the 90-day KPI report of a business with 1,000,000 conversations,
//! and the SLA sweep's search for due conversations among 1,000,000 open ones.
//!
//! - **Report**: the roll-up table is seeded as such a business fills it in 90 days (every hour,
//!   3 teams × 10 agents with activity, 1,000,000 conversations opened in all, with duration
//!   histograms and CSAT), and the daily roll-ups folded from it, straight into PostgreSQL; then `GET /api/v1/reports/overview` for the
//!   whole 90 days is requested at a fixed rate, unfiltered and filtered by team and by agent.
//!   The report reads only roll-ups (plus two small live counts), so the raw facts behind them
//!   need not exist for the measurement.
//! - **SLA sweep**: 1,000,000 open conversations are seeded with SLA due times spread over the
//!   next 30 days (1,000 of them already due), and the sweep's query (`sla::sweep`: due rows
//!   through the partial index `conversations_sla_check`, at most 1,000) is timed in
//!   PostgreSQL, as the worker runs it.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::inbox::psql;
use crate::open_loop::{self, Outcome};
use crate::server;

const CONVERSATIONS: i64 = 1_000_000;
const DAYS: i64 = 90;
const TEAMS: i64 = 3;
const AGENTS_PER_TEAM: i64 = 10;

/// Seed `kpi_hourly` for the demo business; returns (rows, seconds).
fn seed_rollups(port: u16) -> anyhow::Result<(String, Duration)> {
    let started = Instant::now();
    let hours = DAYS * 24;
    let combos = TEAMS * AGENTS_PER_TEAM;
    // Conversations per (hour, team, agent) row, so the 90 days hold 1,000,000.
    let per_row = (CONVERSATIONS as f64 / (hours * combos) as f64).ceil() as i64;
    psql(
        port,
        &format!(
            "WITH t AS (SELECT id AS tenant_id FROM tenants ORDER BY created_at LIMIT 1), \
                  n AS (SELECT n.id AS number_id FROM whatsapp_numbers n, t WHERE n.tenant_id = t.tenant_id LIMIT 1), \
                  teams AS (SELECT gen_random_uuid() AS team_id, g AS team_no FROM generate_series(1, {TEAMS}) g), \
                  agents AS (SELECT team_id, gen_random_uuid() AS agent_id FROM teams, generate_series(1, {AGENTS_PER_TEAM})) \
             INSERT INTO kpi_hourly (tenant_id, hour, number_id, team_id, agent_id, opened, reopened, resolved, \
                  messages_in, messages_out, bot_handled, bot_contained, sla_met, sla_breached, \
                  frt_count, frt_secs, frt_bh_secs, frt_hist, frt_bh_hist, \
                  res_count, res_secs, res_bh_secs, res_hist, res_bh_hist, csat_count, csat_sum, csat_dist) \
             SELECT t.tenant_id, h, n.number_id, a.team_id, a.agent_id, {per_row}, 1, {per_row}, \
                  {per_row} * 6, {per_row} * 5, {per_row} / 2, {per_row} / 4, {per_row} - 1, 1, \
                  {per_row}, {per_row} * 300, {per_row} * 200, \
                  ARRAY(SELECT CASE WHEN b BETWEEN 10 AND 20 THEN 1 + (b % 3) ELSE 0 END FROM generate_series(1, 48) b), \
                  ARRAY(SELECT CASE WHEN b BETWEEN 8 AND 18 THEN 1 + (b % 2) ELSE 0 END FROM generate_series(1, 48) b), \
                  {per_row}, {per_row} * 7200, {per_row} * 3600, \
                  ARRAY(SELECT CASE WHEN b BETWEEN 20 AND 35 THEN 1 ELSE 0 END FROM generate_series(1, 48) b), \
                  ARRAY(SELECT CASE WHEN b BETWEEN 18 AND 30 THEN 1 ELSE 0 END FROM generate_series(1, 48) b), \
                  2, 9, '{{0,0,0,1,1}}' \
               FROM t, n, agents a, \
                    generate_series(date_trunc('hour', now()) - interval '{hours} hours', \
                                    date_trunc('hour', now()), interval '1 hour') h; \
             INSERT INTO kpi_daily (tenant_id, day, number_id, team_id, agent_id, opened, reopened, resolved, \
                  messages_in, messages_out, bot_handled, bot_contained, sla_met, sla_breached, \
                  frt_count, frt_secs, frt_bh_secs, frt_hist, frt_bh_hist, \
                  res_count, res_secs, res_bh_secs, res_hist, res_bh_hist, csat_count, csat_sum, csat_dist, \
                  opened_by_hour, messages_in_by_hour) \
             SELECT g.tenant_id, g.day, g.number_id, g.team_id, g.agent_id, g.opened, g.reopened, g.resolved, \
                  g.messages_in, g.messages_out, g.bot_handled, g.bot_contained, g.sla_met, g.sla_breached, \
                  g.frt_count, g.frt_secs, g.frt_bh_secs, \
                  ARRAY(SELECT g.n * CASE WHEN b BETWEEN 10 AND 20 THEN 1 + (b % 3) ELSE 0 END FROM generate_series(1, 48) b), \
                  ARRAY(SELECT g.n * CASE WHEN b BETWEEN 8 AND 18 THEN 1 + (b % 2) ELSE 0 END FROM generate_series(1, 48) b), \
                  g.res_count, g.res_secs, g.res_bh_secs, \
                  ARRAY(SELECT g.n * CASE WHEN b BETWEEN 20 AND 35 THEN 1 ELSE 0 END FROM generate_series(1, 48) b), \
                  ARRAY(SELECT g.n * CASE WHEN b BETWEEN 18 AND 30 THEN 1 ELSE 0 END FROM generate_series(1, 48) b), \
                  g.csat_count, g.csat_sum, ARRAY[0, 0, 0, g.n, g.n], \
                  ARRAY(SELECT (g.opened / 24)::int FROM generate_series(0, 23)), \
                  ARRAY(SELECT (g.messages_in / 24)::int FROM generate_series(0, 23)) \
               FROM (SELECT tenant_id, (hour AT TIME ZONE (SELECT time_zone FROM tenants WHERE id = h.tenant_id))::date AS day, \
                            number_id, team_id, agent_id, sum(opened) AS opened, sum(reopened) AS reopened, \
                            sum(resolved) AS resolved, sum(messages_in) AS messages_in, sum(messages_out) AS messages_out, \
                            sum(bot_handled) AS bot_handled, sum(bot_contained) AS bot_contained, sum(sla_met) AS sla_met, \
                            sum(sla_breached) AS sla_breached, sum(frt_count) AS frt_count, sum(frt_secs) AS frt_secs, \
                            sum(frt_bh_secs) AS frt_bh_secs, sum(res_count) AS res_count, sum(res_secs) AS res_secs, \
                            sum(res_bh_secs) AS res_bh_secs, sum(csat_count) AS csat_count, sum(csat_sum) AS csat_sum, \
                            count(*)::int AS n \
                       FROM kpi_hourly h GROUP BY 1, 2, 3, 4, 5) g; \
             ANALYZE kpi_hourly; ANALYZE kpi_daily"
        ),
    )?;
    let rows = psql(
        port,
        "SELECT (SELECT count(*) FROM kpi_hourly) || ' hourly and ' || (SELECT count(*) FROM kpi_daily) || ' daily'",
    )?;
    Ok((rows, started.elapsed()))
}

/// Seed 1,000,000 open conversations with SLA due times; 1,000 are due now.
fn seed_open_conversations(port: u16) -> anyhow::Result<Duration> {
    let started = Instant::now();
    psql(
        port,
        &format!(
            "SET session_replication_role = replica; \
             WITH t AS (SELECT id AS tenant_id FROM tenants ORDER BY created_at LIMIT 1), \
                  n AS (SELECT n.id AS number_id FROM whatsapp_numbers n, t WHERE n.tenant_id = t.tenant_id LIMIT 1), \
                  k AS (INSERT INTO contacts (tenant_id, id, wa_id, profile_name) \
                        SELECT t.tenant_id, gen_random_uuid(), (70000000000 + g)::text, 'SLA ' || g \
                          FROM t, generate_series(1, {CONVERSATIONS}) g RETURNING tenant_id, id, wa_id) \
             INSERT INTO conversations (tenant_id, id, number_id, contact_id, status, last_message_at, \
                  waiting_since, sla_status, sla_first_due_at, sla_check_at) \
             SELECT k.tenant_id, gen_random_uuid(), n.number_id, k.id, 'open', now(), now(), 'on_track', \
                    due, due \
               FROM k, n, LATERAL (SELECT CASE WHEN k.wa_id::bigint % 1000 = 0 \
                                           THEN now() - interval '1 minute' \
                                           ELSE now() + (k.wa_id::bigint % 43200) * interval '1 minute' END AS due) d; \
             SET session_replication_role = origin; \
             ANALYZE conversations"
        ),
    )?;
    Ok(started.elapsed())
}

/// Median and max of the sweep query's execution time over `n` runs, in ms (from EXPLAIN
/// ANALYZE, so it is the database's own time for the statement).
fn time_sweep_query(port: u16, n: usize) -> anyhow::Result<(f64, f64, String)> {
    let mut times = Vec::with_capacity(n);
    let mut found = String::new();
    for _ in 0..n {
        let plan = psql(
            port,
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT tenant_id, id FROM conversations \
              WHERE sla_check_at IS NOT NULL AND sla_check_at <= now() \
              ORDER BY sla_check_at LIMIT 1000",
        )?;
        let v: Value = serde_json::from_str(&plan).context("EXPLAIN JSON")?;
        let ms = v[0]["Execution Time"].as_f64().unwrap_or(f64::NAN);
        found = v[0]["Plan"]["Actual Rows"].to_string();
        times.push(ms);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok((times[times.len() / 2], times[times.len() - 1], found))
}

pub async fn scenario(bin: &Path, home: &Path, rate: u32, seconds: u64) -> anyhow::Result<String> {
    let _ = std::fs::remove_dir_all(home);
    std::fs::create_dir_all(home)?;
    let chorus = server::Chorus::start_with(bin, home, &[], &["--no-worker"]).await?;
    let port = chorus.pg_port.context("the private cluster's port")?;
    let (rows, seed_rollups_took) = seed_rollups(port)?;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(32)
        .build()?;
    let base = chorus.base_url.clone();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "owner@demo.chorus.test", "password": "chorus-demo-2026"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .context("no access token")?
        .to_owned();
    let team = psql(port, "SELECT team_id FROM kpi_hourly LIMIT 1")?;
    let agent = psql(port, "SELECT agent_id FROM kpi_hourly LIMIT 1")?;
    let today = psql(
        port,
        "SELECT (now() AT TIME ZONE (SELECT time_zone FROM tenants ORDER BY created_at LIMIT 1))::date",
    )?;
    let from = psql(
        port,
        &format!("SELECT ('{today}'::date - {})::date", DAYS - 1),
    )?;
    let overview = format!("{base}/api/v1/reports/overview?from={from}&to={today}");
    let check: Value = client
        .get(&overview)
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let opened = check["totals"]["opened"].as_i64().unwrap_or(0);
    let variants = [
        ("90 days, the whole business", overview.clone()),
        ("90 days, one team", format!("{overview}&team_id={team}")),
        ("90 days, one agent", format!("{overview}&agent_id={agent}")),
    ];
    let mut table = String::from(
        "| report | requests/s | errors | p50 | p95 | p99 |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    let mut worst_p95: f64 = 0.0;
    for (label, url) in &variants {
        let _warm = open_loop::fixed_rate(&client, rate, Duration::from_secs(2), |c| {
            c.get(url).bearer_auth(&token)
        })
        .await;
        let out: Outcome =
            open_loop::fixed_rate(&client, rate, Duration::from_secs(seconds), |c| {
                c.get(url).bearer_auth(&token)
            })
            .await;
        worst_p95 = worst_p95.max(out.pct(0.95));
        table.push_str(&format!(
            "| {label} | {:.0} | {} | {:.1} ms | {:.1} ms | {:.1} ms |\n",
            out.latencies.len() as f64 / out.elapsed.as_secs_f64().max(0.001),
            out.errors,
            out.pct(0.50),
            out.pct(0.95),
            out.pct(0.99),
        ));
    }
    // The SLA part after the report: its million open conversations would make the report's
    // live "open now" count the thing measured.
    let seed_open_took = seed_open_conversations(port)?;
    let open = psql(
        port,
        "SELECT count(*) FROM conversations WHERE status = 'open'",
    )?;
    let (sweep_p50, sweep_max, due) = time_sweep_query(port, 21)?;
    chorus.stop().await?;
    let _ = std::fs::remove_dir_all(home);
    Ok(format!(
        concat!(
            "## KPI report and SLA sweep at scale\n\n",
            "**KPI report** (`GET /api/v1/reports/overview`, 90 days). The roll-up table seeded as a business with ",
            "{conv} conversations fills it in {days} days: {rows} rows (3 teams × 10 agents every hour, ",
            "48-bucket duration histograms, CSAT), seeded in {seed_r:.0} s; the report summed {opened} opened ",
            "conversations. Open loop at {rate} requests/s for {secs} s each after a 2 s warm-up. Target: p95 ≤ 100 ms.\n\n",
            "{table}\nWorst p95: **{p95:.1} ms**.\n\n",
            "**SLA sweep**: {open} open conversations with SLA due times over the next 30 days, {due} of them due ",
            "now (seeded in {seed_o:.0} s). The sweep's query (due rows through the partial index ",
            "`conversations_sla_check`, oldest first, at most 1,000) takes **{sweep_p50:.2} ms** (median of 21, ",
            "max {sweep_max:.2} ms, PostgreSQL's execution time). Target: ≤ 50 ms.\n"
        ),
        conv = CONVERSATIONS,
        days = DAYS,
        rows = rows,
        seed_r = seed_rollups_took.as_secs_f64(),
        opened = opened,
        rate = rate,
        secs = seconds,
        table = table,
        p95 = worst_p95,
        open = open,
        due = due,
        seed_o = seed_open_took.as_secs_f64(),
        sweep_p50 = sweep_p50,
        sweep_max = sweep_max,
    ))
}
