//! The roll-up: adds new `kpi_events` into `kpi_hourly`, exactly once.
//!
//! Events are read by transaction id, from the stored floor up to the oldest transaction still
//! running (`pg_snapshot_xmin`): everything below it has committed or rolled back for good, so
//! no event of the window can appear later, and none above it is read early. The sums and the
//! new floor are written in one transaction that holds the state row's lock, so two workers
//! running the job at once add nothing twice (the second waits, then finds an empty window).
//!
//! Durations are measured here: a first response or a resolution from its period's start, in
//! calendar seconds and in the open seconds of the number's business hours (a number without
//! hours counts every second as open).

use std::collections::HashMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::json;
use uuid::Uuid;

use super::histogram::Histogram;
use crate::db::{Store, SystemTx, TenantTx};
use crate::error::Result;
use crate::hours::Schedule;
use crate::ids::TenantId;

/// The job that runs [`roll_up`] and queues its next run.
pub const ROLLUP: &str = "kpi_rollup";
/// Seconds between roll-ups: how far reports may lag behind the inbox.
pub const EVERY_SECS: i64 = 30;

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    hour: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    number_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    team_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    agent_id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Timed {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    started_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = SqlUuid)]
    number_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    team_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    agent_id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
}

#[derive(QueryableByName)]
struct Scored {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    hour: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    number_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    team_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    agent_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Int4)]
    score: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Window {
    #[diesel(sql_type = Text)]
    floor: String,
    #[diesel(sql_type = Text)]
    horizon: String,
}

/// One roll-up row's additions.
#[derive(Debug, Default, Clone)]
pub struct Sums {
    pub counts: HashMap<&'static str, i64>,
    pub frt: Durations,
    pub res: Durations,
    /// CSAT answers: how many, the sum of scores, and how many gave 1 … 5.
    pub csat_count: i64,
    pub csat_sum: i64,
    pub csat_dist: [i64; 5],
    /// Daily rows only: opened and messages in per local hour (the heatmap).
    pub opened_by_hour: [i64; 24],
    pub messages_in_by_hour: [i64; 24],
}

/// Durations of one kind: count, sums and histograms, calendar and business time.
#[derive(Debug, Default, Clone)]
pub struct Durations {
    pub count: i64,
    pub secs: i64,
    pub bh_secs: i64,
    pub hist: Histogram,
    pub bh_hist: Histogram,
}

impl Durations {
    pub fn add(&mut self, secs: i64, bh_secs: i64) {
        self.count += 1;
        self.secs += secs;
        self.bh_secs += bh_secs;
        self.hist.add(secs);
        self.bh_hist.add(bh_secs);
    }
}

/// The counted kinds, as stored in `kpi_hourly` columns of the same name (plural forms where
/// the column says so).
pub const COUNTED: [(&str, &str); 9] = [
    ("opened", "opened"),
    ("reopened", "reopened"),
    ("resolved", "resolved"),
    ("message_in", "messages_in"),
    ("message_out", "messages_out"),
    ("bot_handled", "bot_handled"),
    ("bot_contained", "bot_contained"),
    ("sla_met", "sla_met"),
    ("sla_breached", "sla_breached"),
];

type Key = (Uuid, DateTime<Utc>, Uuid, Uuid, Uuid);

/// The hour a time falls in (UTC).
pub fn hour_of(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::hours(1)).unwrap_or(t)
}

/// A period's length in calendar and business seconds.
pub fn measure(schedule: Option<&Schedule>, from: DateTime<Utc>, to: DateTime<Utc>) -> (i64, i64) {
    let secs = (to - from).num_seconds().max(0);
    let bh = match schedule {
        Some(s) if s.ever_open() && to > from => s.open_secs_between(from, to),
        _ => secs,
    };
    (secs, bh)
}

/// Add every event that became final since the last run. Returns how many events it read.
pub async fn roll_up(store: &Store) -> Result<usize> {
    store
        .system(async |tx: &mut SystemTx| -> Result<usize> {
            let w: Window = diesel::sql_query(
                "SELECT floor::text AS floor, pg_snapshot_xmin(pg_current_snapshot())::text AS horizon \
                   FROM kpi_rollup_state WHERE singleton FOR UPDATE",
            )
            .get_result(tx.pg())
            .await?;
            let nil = "'00000000-0000-0000-0000-000000000000'::uuid";
            let counted: Vec<Counted> = diesel::sql_query(format!(
                "SELECT tenant_id, date_trunc('hour', at) AS hour, number_id, \
                        coalesce(team_id, {nil}) AS team_id, coalesce(agent_id, {nil}) AS agent_id, \
                        kind, count(*) AS n \
                   FROM kpi_events WHERE xid >= $1::text::xid8 AND xid < $2::text::xid8 \
                  GROUP BY 1, 2, 3, 4, 5, 6"
            ))
            .bind::<Text, _>(&w.floor)
            .bind::<Text, _>(&w.horizon)
            .load(tx.pg())
            .await?;
            let timed: Vec<Timed> = diesel::sql_query(format!(
                "SELECT tenant_id, at, started_at, number_id, coalesce(team_id, {nil}) AS team_id, \
                        coalesce(agent_id, {nil}) AS agent_id, kind \
                   FROM kpi_events WHERE xid >= $1::text::xid8 AND xid < $2::text::xid8 \
                    AND kind IN ('first_response', 'resolved')"
            ))
            .bind::<Text, _>(&w.floor)
            .bind::<Text, _>(&w.horizon)
            .load(tx.pg())
            .await?;
            let scored: Vec<Scored> = diesel::sql_query(format!(
                "SELECT tenant_id, date_trunc('hour', at) AS hour, number_id, \
                        coalesce(team_id, {nil}) AS team_id, coalesce(agent_id, {nil}) AS agent_id, \
                        score::int AS score, count(*) AS n \
                   FROM kpi_events WHERE xid >= $1::text::xid8 AND xid < $2::text::xid8 \
                    AND kind = 'csat' AND score BETWEEN 1 AND 5 \
                  GROUP BY 1, 2, 3, 4, 5, 6"
            ))
            .bind::<Text, _>(&w.floor)
            .bind::<Text, _>(&w.horizon)
            .load(tx.pg())
            .await?;
            let events: i64 = counted.iter().map(|c| c.n).sum();
            let mut sums: HashMap<Key, Sums> = HashMap::new();
            for c in &counted {
                let key = (c.tenant_id, c.hour, c.number_id, c.team_id, c.agent_id);
                if let Some((kind, _)) = COUNTED.iter().find(|(k, _)| *k == c.kind) {
                    *sums.entry(key).or_default().counts.entry(kind).or_default() += c.n;
                }
            }
            for c in &scored {
                let key = (c.tenant_id, c.hour, c.number_id, c.team_id, c.agent_id);
                let s = sums.entry(key).or_default();
                s.csat_count += c.n;
                s.csat_sum += c.n * i64::from(c.score);
                s.csat_dist[(c.score - 1) as usize] += c.n;
            }
            let schedules = schedules(store, &timed).await?;
            for t in &timed {
                let Some(start) = t.started_at else { continue };
                let schedule = schedules.get(&(t.tenant_id, t.number_id)).and_then(|s| s.as_ref());
                let (secs, bh) = measure(schedule, start, t.at);
                let key = (t.tenant_id, hour_of(t.at), t.number_id, t.team_id, t.agent_id);
                let s = sums.entry(key).or_default();
                if t.kind == "first_response" {
                    s.frt.add(secs, bh);
                } else {
                    s.res.add(secs, bh);
                }
            }
            if !sums.is_empty() {
                write(tx, &sums).await?;
            }
            diesel::sql_query(
                "UPDATE kpi_rollup_state SET floor = $1::text::xid8, rolled_up_at = now() WHERE singleton",
            )
            .bind::<Text, _>(&w.horizon)
            .execute(tx.pg())
            .await?;
            Ok(events as usize)
        })
        .await
}

/// The business hours of every (business, number) that has durations to measure.
async fn schedules(
    store: &Store,
    timed: &[Timed],
) -> Result<HashMap<(Uuid, Uuid), Option<Schedule>>> {
    let mut by_tenant: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for t in timed {
        let numbers = by_tenant.entry(t.tenant_id).or_default();
        if !numbers.contains(&t.number_id) {
            numbers.push(t.number_id);
        }
    }
    let mut out = HashMap::new();
    for (tenant, numbers) in by_tenant {
        let found = store
            .tenant(TenantId(tenant), async |tx: &mut TenantTx| -> Result<_> {
                let mut v = Vec::new();
                for n in &numbers {
                    v.push((*n, crate::hours::schedule_for_number(tx, *n).await?));
                }
                Ok(v)
            })
            .await?;
        for (n, s) in found {
            out.insert((tenant, n), s);
        }
    }
    Ok(out)
}

/// Where a row's sums go: an hour of `kpi_hourly` or a local day of `kpi_daily`.
#[derive(Debug, Clone, Copy)]
enum Bucket {
    Hour(DateTime<Utc>),
    Day(chrono::NaiveDate),
}

impl Sums {
    fn merge(&mut self, o: &Sums) {
        for (k, v) in &o.counts {
            *self.counts.entry(k).or_default() += v;
        }
        for (a, b) in [(&mut self.frt, &o.frt), (&mut self.res, &o.res)] {
            a.count += b.count;
            a.secs += b.secs;
            a.bh_secs += b.bh_secs;
            a.hist.merge(&b.hist.0);
            a.bh_hist.merge(&b.bh_hist.0);
        }
        self.csat_count += o.csat_count;
        self.csat_sum += o.csat_sum;
        for (a, b) in self.csat_dist.iter_mut().zip(o.csat_dist) {
            *a += b;
        }
        for (a, b) in self.opened_by_hour.iter_mut().zip(o.opened_by_hour) {
            *a += b;
        }
        for (a, b) in self
            .messages_in_by_hour
            .iter_mut()
            .zip(o.messages_in_by_hour)
        {
            *a += b;
        }
    }
}

/// The hours' sums folded into the local days of their businesses.
async fn by_day(
    tx: &mut SystemTx,
    sums: &HashMap<Key, Sums>,
) -> Result<HashMap<(Uuid, chrono::NaiveDate, Uuid, Uuid, Uuid), Sums>> {
    #[derive(QueryableByName)]
    struct Zone {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        time_zone: String,
    }
    let tenants: Vec<Uuid> = {
        let mut v: Vec<Uuid> = sums.keys().map(|k| k.0).collect();
        v.sort();
        v.dedup();
        v
    };
    let zones: HashMap<Uuid, chrono_tz::Tz> =
        diesel::sql_query("SELECT id, time_zone FROM tenants WHERE id = ANY($1)")
            .bind::<diesel::sql_types::Array<SqlUuid>, _>(&tenants)
            .load::<Zone>(tx.pg())
            .await?
            .into_iter()
            .map(|z| (z.id, z.time_zone.parse().unwrap_or(chrono_tz::UTC)))
            .collect();
    let mut out: HashMap<(Uuid, chrono::NaiveDate, Uuid, Uuid, Uuid), Sums> = HashMap::new();
    for ((tenant, hour, number, team, agent), s) in sums {
        let zone = zones.get(tenant).copied().unwrap_or(chrono_tz::UTC);
        let local = hour.with_timezone(&zone);
        let day = local.date_naive();
        let slot = out
            .entry((*tenant, day, *number, *team, *agent))
            .or_default();
        slot.merge(s);
        let h = chrono::Timelike::hour(&local) as usize;
        slot.opened_by_hour[h] += s.counts.get("opened").copied().unwrap_or(0);
        slot.messages_in_by_hour[h] += s.counts.get("message_in").copied().unwrap_or(0);
    }
    Ok(out)
}

/// Add `sums` to their rows in one statement per table.
async fn write(tx: &mut SystemTx, sums: &HashMap<Key, Sums>) -> Result<()> {
    let hourly: Vec<(Uuid, Bucket, Uuid, Uuid, Uuid, &Sums)> = sums
        .iter()
        .map(|((t, h, n, tm, a), s)| (*t, Bucket::Hour(*h), *n, *tm, *a, s))
        .collect();
    upsert(tx, "kpi_hourly", &hourly).await?;
    let days = by_day(tx, sums).await?;
    let daily: Vec<(Uuid, Bucket, Uuid, Uuid, Uuid, &Sums)> = days
        .iter()
        .map(|((t, d, n, tm, a), s)| (*t, Bucket::Day(*d), *n, *tm, *a, s))
        .collect();
    upsert(tx, "kpi_daily", &daily).await
}

async fn upsert(
    tx: &mut SystemTx,
    table: &str,
    rows: &[(Uuid, Bucket, Uuid, Uuid, Uuid, &Sums)],
) -> Result<()> {
    let (bucket, bucket_type) = match rows.first().map(|r| r.1) {
        None => return Ok(()),
        Some(Bucket::Hour(_)) => ("hour", "timestamptz"),
        Some(Bucket::Day(_)) => ("day", "date"),
    };
    let daily = bucket == "day";
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|(tenant, at, number, team, agent, s)| {
            let at = match at {
                Bucket::Hour(h) => json!(h),
                Bucket::Day(d) => json!(d),
            };
            let mut row = json!({
                "tenant_id": tenant, "bucket": at, "number_id": number, "team_id": team,
                "agent_id": agent,
                "frt_count": s.frt.count, "frt_secs": s.frt.secs, "frt_bh_secs": s.frt.bh_secs,
                "frt_hist": s.frt.hist.0, "frt_bh_hist": s.frt.bh_hist.0,
                "res_count": s.res.count, "res_secs": s.res.secs, "res_bh_secs": s.res.bh_secs,
                "res_hist": s.res.hist.0, "res_bh_hist": s.res.bh_hist.0,
                "csat_count": s.csat_count, "csat_sum": s.csat_sum, "csat_dist": s.csat_dist,
            });
            for (kind, column) in COUNTED {
                row[column] = json!(s.counts.get(kind).copied().unwrap_or(0));
            }
            row["opened_by_hour"] = json!(s.opened_by_hour);
            row["messages_in_by_hour"] = json!(s.messages_in_by_hour);
            row
        })
        .collect();
    let counts: Vec<&str> = COUNTED.iter().map(|(_, c)| *c).collect();
    let mut arrays = vec![
        "frt_hist",
        "frt_bh_hist",
        "res_hist",
        "res_bh_hist",
        "csat_dist",
    ];
    if daily {
        arrays.extend(["opened_by_hour", "messages_in_by_hour"]);
    }
    let by_hour_columns = if daily {
        ", opened_by_hour, messages_in_by_hour"
    } else {
        ""
    };
    let by_hour_values = if daily {
        ", ARRAY(SELECT jsonb_array_elements_text(opened_by_hour)::int), \
           ARRAY(SELECT jsonb_array_elements_text(messages_in_by_hour)::int)"
    } else {
        ""
    };
    let typed = counts
        .iter()
        .map(|c| format!("{c} integer"))
        .collect::<Vec<_>>()
        .join(", ");
    let plain = counts.join(", ");
    let added = counts
        .iter()
        .chain(
            [
                "frt_count",
                "frt_secs",
                "frt_bh_secs",
                "res_count",
                "res_secs",
                "res_bh_secs",
                "csat_count",
                "csat_sum",
            ]
            .iter(),
        )
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let hist_sums = [
        "frt_hist",
        "frt_bh_hist",
        "res_hist",
        "res_bh_hist",
        "csat_dist",
    ]
    .iter()
    .map(|c| {
        format!(
            "{c} = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) \
                               FROM unnest({table}.{c}, excluded.{c}) AS t(a, b))"
        )
    })
    .collect::<Vec<_>>()
    .join(", ");
    let sql = format!(
        "INSERT INTO {table} (tenant_id, {bucket}, number_id, team_id, agent_id, {plain}, \
             frt_count, frt_secs, frt_bh_secs, frt_hist, frt_bh_hist, \
             res_count, res_secs, res_bh_secs, res_hist, res_bh_hist, \
             csat_count, csat_sum, csat_dist{by_hour_columns}) \
         SELECT tenant_id, bucket, number_id, team_id, agent_id, {plain}, \
             frt_count, frt_secs, frt_bh_secs, \
             ARRAY(SELECT jsonb_array_elements_text(frt_hist)::int), \
             ARRAY(SELECT jsonb_array_elements_text(frt_bh_hist)::int), \
             res_count, res_secs, res_bh_secs, \
             ARRAY(SELECT jsonb_array_elements_text(res_hist)::int), \
             ARRAY(SELECT jsonb_array_elements_text(res_bh_hist)::int), \
             csat_count, csat_sum, ARRAY(SELECT jsonb_array_elements_text(csat_dist)::int){by_hour_values} \
           FROM jsonb_to_recordset($1) AS r(tenant_id uuid, bucket {bucket_type}, number_id uuid, \
                team_id uuid, agent_id uuid, {typed}, frt_count integer, frt_secs bigint, \
                frt_bh_secs bigint, frt_hist jsonb, frt_bh_hist jsonb, res_count integer, \
                res_secs bigint, res_bh_secs bigint, res_hist jsonb, res_bh_hist jsonb, \
                csat_count integer, csat_sum integer, csat_dist jsonb, opened_by_hour jsonb, \
                messages_in_by_hour jsonb) \
         ON CONFLICT (tenant_id, {bucket}, number_id, team_id, agent_id) DO UPDATE SET {added}, {hist_sums}"
    );
    diesel::sql_query(sql)
        .bind::<Jsonb, _>(serde_json::Value::Array(rows))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// Queue the next roll-up `after_secs` from now (one at a time: the dedupe key).
pub async fn schedule(store: &Store, after_secs: i64) -> Result<()> {
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            let mut job = crate::jobs::NewJob::new(ROLLUP, &json!({}))?
                .run_at(Utc::now() + TimeDelta::seconds(after_secs));
            job.dedupe_key = Some(ROLLUP.into());
            crate::jobs::enqueue_system(tx, None, job).await?;
            Ok(())
        })
        .await
}

/// Roll up until every transaction committed before this call is counted (waiting for older
/// transactions still running anywhere in the cluster, which hold the horizon back), or until
/// `timeout`. Returns whether it caught up. For tests and one-off catch-ups.
pub async fn roll_up_until_now(store: &Store, timeout: std::time::Duration) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Xid {
        #[diesel(sql_type = Text)]
        xid: String,
    }
    #[derive(QueryableByName)]
    struct Passed {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        passed: bool,
    }
    let mark: Xid = store
        .system(async |tx: &mut SystemTx| -> Result<Xid> {
            Ok(
                diesel::sql_query("SELECT pg_current_xact_id()::text AS xid")
                    .get_result(tx.pg())
                    .await?,
            )
        })
        .await?;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        roll_up(store).await?;
        let done: Passed = store
            .system(async |tx: &mut SystemTx| -> Result<Passed> {
                Ok(diesel::sql_query(
                    "SELECT floor > $1::text::xid8 AS passed FROM kpi_rollup_state WHERE singleton",
                )
                .bind::<Text, _>(&mark.xid)
                .get_result(tx.pg())
                .await?)
            })
            .await?;
        if done.passed {
            return Ok(true);
        }
        if std::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
