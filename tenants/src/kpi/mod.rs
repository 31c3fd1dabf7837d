//! KPIs and reports for supervisors: how many conversations came and were solved, how fast
//! people answered and solved them (calendar time and business hours), messages in and out,
//! what the bot handled and contained, SLA compliance, satisfaction (CSAT), the backlog, a weekday × hour heatmap
//! and a per-agent table, for a date range in the business's time zone, filtered by number,
//! team or agent.
//!
//! The figures come from the roll-ups ([`rollup`]): `kpi_daily` (per local day, with the
//! opened and received counts of each local hour for the heatmap), filled from raw facts: raw facts are captured by triggers in the
//! transaction that makes them true (migration `..._kpis`) and added up every
//! [`rollup::EVERY_SECS`]. Reports therefore lag the inbox by at most that (the answer says when
//! the last roll-up ran). Hours are UTC hours shown in the business's zone, so for zones with a
//! half-hour offset an hour straddles two local hours and is shown in the one it starts in.
//! Medians and p90s come from histograms ([`histogram`]) and are exact to within one bucket;
//! counts, sums and means are exact.
//!
//! Who counts: an event belongs to the number, team and assignee of its conversation at that
//! moment (a resolution to whoever held it when it was resolved).

pub mod histogram;
pub mod live;
pub mod rollup;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use histogram::Histogram;

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;

/// The nil uuid stands for "no team" and "no agent" in roll-up rows.
const NONE: Uuid = Uuid::nil();

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// First day (YYYY-MM-DD, the business's zone); default: 6 days before `to`.
    pub from: Option<String>,
    /// Last day, included; default: today.
    pub to: Option<String>,
    pub number_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
}

/// Mean, median and p90 of some durations, in seconds (`None` when there were none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Stat {
    pub mean_secs: Option<f64>,
    pub median_secs: Option<f64>,
    pub p90_secs: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DurationStats {
    pub count: i64,
    pub calendar: Stat,
    pub business_hours: Stat,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub opened: i64,
    pub reopened: i64,
    pub resolved: i64,
    pub messages_in: i64,
    pub messages_out: i64,
    pub bot_handled: i64,
    pub bot_contained: i64,
    /// Contained ÷ handled.
    pub bot_containment_rate: Option<f64>,
    pub sla_met: i64,
    pub sla_breached: i64,
    /// Met ÷ (met + breached).
    pub sla_compliance: Option<f64>,
    pub first_response: DurationStats,
    pub resolution: DurationStats,
    pub csat: Csat,
}

/// Satisfaction answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Csat {
    pub count: i64,
    /// Mean score, 1 to 5.
    pub mean: Option<f64>,
    /// How many answered 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
}

/// CSAT being added up for a report cell.
#[derive(Debug, Default, Clone)]
struct CsatAcc {
    count: i64,
    sum: i64,
    dist: [i64; 5],
}

impl CsatAcc {
    fn add(&mut self, count: i64, sum: i64, dist: &[i32]) {
        self.count += count;
        self.sum += sum;
        for (a, b) in self.dist.iter_mut().zip(dist) {
            *a += i64::from(*b);
        }
    }

    fn view(&self) -> Csat {
        Csat {
            count: self.count,
            mean: ratio(self.sum, self.count),
            distribution: self.dist,
        }
    }
}

/// One day of the range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Day {
    pub date: NaiveDate,
    pub opened: i64,
    pub reopened: i64,
    pub resolved: i64,
    pub messages_in: i64,
    pub messages_out: i64,
    pub first_response_median_secs: Option<f64>,
    pub resolution_median_secs: Option<f64>,
    /// Open conversations at the end of the day (`None` for days still to come).
    pub backlog: Option<i64>,
}

/// Conversations opened and messages received in one weekday-hour of the range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HeatCell {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    /// 0-23, local.
    pub hour: u32,
    pub opened: i64,
    pub messages_in: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AgentRow {
    pub agent_id: Uuid,
    pub name: String,
    pub resolved: i64,
    pub messages_out: i64,
    pub first_response: DurationStats,
    pub resolution: DurationStats,
    pub csat: Csat,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    pub totals: Totals,
    pub days: Vec<Day>,
    pub heatmap: Vec<HeatCell>,
    /// People who resolved, answered or wrote in the range, busiest first.
    pub agents: Vec<AgentRow>,
    /// Open conversations now (matching the number and team filters).
    pub open_now: i64,
    /// When the figures were last brought up to date.
    pub rolled_up_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = SqlUuid)]
    agent_id: Uuid,
    #[diesel(sql_type = BigInt)]
    opened: i64,
    #[diesel(sql_type = BigInt)]
    reopened: i64,
    #[diesel(sql_type = BigInt)]
    resolved: i64,
    #[diesel(sql_type = BigInt)]
    messages_in: i64,
    #[diesel(sql_type = BigInt)]
    messages_out: i64,
    #[diesel(sql_type = BigInt)]
    bot_handled: i64,
    #[diesel(sql_type = BigInt)]
    bot_contained: i64,
    #[diesel(sql_type = BigInt)]
    sla_met: i64,
    #[diesel(sql_type = BigInt)]
    sla_breached: i64,
    #[diesel(sql_type = BigInt)]
    frt_count: i64,
    #[diesel(sql_type = BigInt)]
    frt_secs: i64,
    #[diesel(sql_type = BigInt)]
    frt_bh_secs: i64,
    #[diesel(sql_type = Array<Int4>)]
    frt_hist: Vec<i32>,
    #[diesel(sql_type = Array<Int4>)]
    frt_bh_hist: Vec<i32>,
    #[diesel(sql_type = BigInt)]
    res_count: i64,
    #[diesel(sql_type = BigInt)]
    res_secs: i64,
    #[diesel(sql_type = BigInt)]
    res_bh_secs: i64,
    #[diesel(sql_type = Array<Int4>)]
    res_hist: Vec<i32>,
    #[diesel(sql_type = Array<Int4>)]
    res_bh_hist: Vec<i32>,
    #[diesel(sql_type = BigInt)]
    csat_count: i64,
    #[diesel(sql_type = BigInt)]
    csat_sum: i64,
    #[diesel(sql_type = Array<Int4>)]
    csat_dist: Vec<i32>,
    #[diesel(sql_type = Array<Int4>)]
    opened_by_hour: Vec<i32>,
    #[diesel(sql_type = Array<Int4>)]
    messages_in_by_hour: Vec<i32>,
}

/// Durations being added up for a report cell.
#[derive(Debug, Default, Clone)]
struct Acc {
    count: i64,
    secs: i64,
    bh_secs: i64,
    hist: Histogram,
    bh_hist: Histogram,
}

impl Acc {
    fn add(&mut self, count: i64, secs: i64, bh_secs: i64, hist: &[i32], bh_hist: &[i32]) {
        self.count += count;
        self.secs += secs;
        self.bh_secs += bh_secs;
        let widen = |h: &[i32]| h.iter().map(|&v| v as i64).collect::<Vec<_>>();
        self.hist.merge(&widen(hist));
        self.bh_hist.merge(&widen(bh_hist));
    }

    fn stats(&self) -> DurationStats {
        stats_of(
            self.count,
            self.secs,
            &self.hist,
            self.bh_secs,
            &self.bh_hist,
        )
    }
}

/// The figures of `count` durations from their sums and histograms.
pub fn stats_of(
    count: i64,
    secs: i64,
    hist: &Histogram,
    bh_secs: i64,
    bh_hist: &Histogram,
) -> DurationStats {
    let mean = |sum: i64| (count > 0).then(|| sum as f64 / count as f64);
    DurationStats {
        count,
        calendar: Stat {
            mean_secs: mean(secs),
            median_secs: hist.percentile(0.5),
            p90_secs: hist.percentile(0.9),
        },
        business_hours: Stat {
            mean_secs: mean(bh_secs),
            median_secs: bh_hist.percentile(0.5),
            p90_secs: bh_hist.percentile(0.9),
        },
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn parse_day(field: &str, v: Option<&str>) -> Result<Option<NaiveDate>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::invalid(field, "Give the day as YYYY-MM-DD.")),
    }
}

/// The report for `query`. Needs reports:view.
pub async fn report(tx: &mut TenantTx, actor: &Actor, query: ReportQuery) -> Result<Report> {
    actor.require(Permission::ReportsView)?;
    let zone = crate::businesses::time_zone(tx).await?;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let to = parse_day("to", query.to.as_deref())?.unwrap_or(today);
    let from =
        parse_day("from", query.from.as_deref())?.unwrap_or_else(|| to - chrono::Duration::days(6));
    if from > to {
        return Err(Error::invalid("from", "The range starts after it ends."));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(Error::invalid(
            "from",
            format!("A report covers at most {MAX_DAYS} days."),
        ));
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT day, agent_id, \
                opened::bigint, reopened::bigint, resolved::bigint, messages_in::bigint, \
                messages_out::bigint, bot_handled::bigint, bot_contained::bigint, sla_met::bigint, \
                sla_breached::bigint, frt_count::bigint, frt_secs, frt_bh_secs, frt_hist, frt_bh_hist, \
                res_count::bigint, res_secs, res_bh_secs, res_hist, res_bh_hist, \
                csat_count::bigint, csat_sum::bigint, csat_dist, opened_by_hour, \
                messages_in_by_hour \
           FROM kpi_daily \
          WHERE day >= $1 AND day <= $2 \
            AND ($3::uuid IS NULL OR number_id = $3) \
            AND ($4::uuid IS NULL OR team_id = $4) \
            AND ($5::uuid IS NULL OR agent_id = $5)",
    )
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Nullable<SqlUuid>, _>(query.number_id)
    .bind::<Nullable<SqlUuid>, _>(query.team_id)
    .bind::<Nullable<SqlUuid>, _>(query.agent_id)
    .load(tx.pg())
    .await?;

    let mut totals = Totals::default();
    let (mut frt, mut res) = (Acc::default(), Acc::default());
    let mut csat = CsatAcc::default();
    let mut heat: BTreeMap<(u32, u32), HeatCell> = BTreeMap::new();
    let mut days: BTreeMap<NaiveDate, (Day, Acc, Acc)> = BTreeMap::new();
    let mut agents: BTreeMap<Uuid, (i64, i64, Acc, Acc, CsatAcc)> = BTreeMap::new();
    let mut d = from;
    while d <= to {
        days.insert(
            d,
            (
                Day {
                    date: d,
                    opened: 0,
                    reopened: 0,
                    resolved: 0,
                    messages_in: 0,
                    messages_out: 0,
                    first_response_median_secs: None,
                    resolution_median_secs: None,
                    backlog: None,
                },
                Acc::default(),
                Acc::default(),
            ),
        );
        d += chrono::Duration::days(1);
    }
    for r in &rows {
        totals.opened += r.opened;
        totals.reopened += r.reopened;
        totals.resolved += r.resolved;
        totals.messages_in += r.messages_in;
        totals.messages_out += r.messages_out;
        totals.bot_handled += r.bot_handled;
        totals.bot_contained += r.bot_contained;
        totals.sla_met += r.sla_met;
        totals.sla_breached += r.sla_breached;
        frt.add(
            r.frt_count,
            r.frt_secs,
            r.frt_bh_secs,
            &r.frt_hist,
            &r.frt_bh_hist,
        );
        res.add(
            r.res_count,
            r.res_secs,
            r.res_bh_secs,
            &r.res_hist,
            &r.res_bh_hist,
        );
        csat.add(r.csat_count, r.csat_sum, &r.csat_dist);
        let weekday = chrono::Datelike::weekday(&r.day).number_from_monday();
        for (h, (o, m)) in r
            .opened_by_hour
            .iter()
            .zip(r.messages_in_by_hour.iter())
            .enumerate()
        {
            let cell = heat.entry((weekday, h as u32)).or_insert(HeatCell {
                weekday,
                hour: h as u32,
                opened: 0,
                messages_in: 0,
            });
            cell.opened += i64::from(*o);
            cell.messages_in += i64::from(*m);
        }
        if let Some((day, dfrt, dres)) = days.get_mut(&r.day) {
            day.opened += r.opened;
            day.reopened += r.reopened;
            day.resolved += r.resolved;
            day.messages_in += r.messages_in;
            day.messages_out += r.messages_out;
            dfrt.add(
                r.frt_count,
                r.frt_secs,
                r.frt_bh_secs,
                &r.frt_hist,
                &r.frt_bh_hist,
            );
            dres.add(
                r.res_count,
                r.res_secs,
                r.res_bh_secs,
                &r.res_hist,
                &r.res_bh_hist,
            );
        }
        if r.agent_id != NONE {
            let a = agents.entry(r.agent_id).or_default();
            a.0 += r.resolved;
            a.1 += r.messages_out;
            a.2.add(
                r.frt_count,
                r.frt_secs,
                r.frt_bh_secs,
                &r.frt_hist,
                &r.frt_bh_hist,
            );
            a.3.add(
                r.res_count,
                r.res_secs,
                r.res_bh_secs,
                &r.res_hist,
                &r.res_bh_hist,
            );
            a.4.add(r.csat_count, r.csat_sum, &r.csat_dist);
        }
    }
    totals.bot_containment_rate = ratio(totals.bot_contained, totals.bot_handled);
    totals.sla_compliance = ratio(totals.sla_met, totals.sla_met + totals.sla_breached);
    totals.first_response = frt.stats();
    totals.resolution = res.stats();
    totals.csat = csat.view();

    let open_now = open_now(tx, &query).await?;
    // The backlog at the end of each day: what is open now, less what opened since, plus what
    // was resolved since (net changes after that day, counted from the roll-ups).
    let after = net_changes_after(tx, &query, from, zone).await?;
    let mut later_net = after.beyond;
    let days: Vec<Day> = days
        .into_values()
        .rev()
        .map(|(mut day, dfrt, dres)| {
            day.first_response_median_secs = dfrt.hist.percentile(0.5);
            day.resolution_median_secs = dres.hist.percentile(0.5);
            if day.date <= today {
                day.backlog = Some((open_now - later_net).max(0));
            }
            later_net += after.by_day.get(&day.date).copied().unwrap_or(0);
            day
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();

    let names = agent_names(tx, agents.keys().copied().collect()).await?;
    let mut agents: Vec<AgentRow> = agents
        .into_iter()
        .map(|(id, (resolved, messages_out, f, r, c))| AgentRow {
            agent_id: id,
            name: names.get(&id).cloned().unwrap_or_else(|| "—".into()),
            resolved,
            messages_out,
            first_response: f.stats(),
            resolution: r.stats(),
            csat: c.view(),
        })
        .collect();
    agents.sort_by(|a, b| {
        (b.resolved, b.messages_out)
            .cmp(&(a.resolved, a.messages_out))
            .then_with(|| a.name.cmp(&b.name))
    });

    Ok(Report {
        from,
        to,
        time_zone: zone.name().to_owned(),
        totals,
        days,
        heatmap: heat
            .into_values()
            .filter(|c| c.opened > 0 || c.messages_in > 0)
            .collect(),
        agents,
        open_now,
        rolled_up_at: rolled_up_at(tx).await?,
    })
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn open_now(tx: &mut TenantTx, q: &ReportQuery) -> Result<i64> {
    let c: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM conversations WHERE status <> 'resolved' \
            AND ($1::uuid IS NULL OR number_id = $1) AND ($2::uuid IS NULL OR team_id = $2) \
            AND ($3::uuid IS NULL OR assignee_id = $3)",
    )
    .bind::<Nullable<SqlUuid>, _>(q.number_id)
    .bind::<Nullable<SqlUuid>, _>(q.team_id)
    .bind::<Nullable<SqlUuid>, _>(q.agent_id)
    .get_result(tx.pg())
    .await?;
    Ok(c.n)
}

struct NetChanges {
    /// (opened + reopened − resolved) per local day of the range and after.
    by_day: BTreeMap<NaiveDate, i64>,
    /// The same for everything after the range (to now).
    beyond: i64,
}

async fn net_changes_after(
    tx: &mut TenantTx,
    q: &ReportQuery,
    since: NaiveDate,
    zone: chrono_tz::Tz,
) -> Result<NetChanges> {
    #[derive(QueryableByName)]
    struct Net {
        #[diesel(sql_type = Date)]
        day: NaiveDate,
        #[diesel(sql_type = BigInt)]
        net: i64,
    }
    let rows: Vec<Net> = diesel::sql_query(
        "SELECT day, sum(opened + reopened - resolved)::bigint AS net \
           FROM kpi_daily WHERE day >= $1 \
            AND ($2::uuid IS NULL OR number_id = $2) AND ($3::uuid IS NULL OR team_id = $3) \
            AND ($4::uuid IS NULL OR agent_id = $4) \
          GROUP BY 1",
    )
    .bind::<Date, _>(since)
    .bind::<Nullable<SqlUuid>, _>(q.number_id)
    .bind::<Nullable<SqlUuid>, _>(q.team_id)
    .bind::<Nullable<SqlUuid>, _>(q.agent_id)
    .load(tx.pg())
    .await?;
    let last = parse_day("to", q.to.as_deref())?
        .unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive());
    let mut out = NetChanges {
        by_day: BTreeMap::new(),
        beyond: 0,
    };
    for r in rows {
        if r.day > last {
            out.beyond += r.net;
        } else {
            out.by_day.insert(r.day, r.net);
        }
    }
    Ok(out)
}

async fn agent_names(tx: &mut TenantTx, ids: Vec<Uuid>) -> Result<BTreeMap<Uuid, String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        name: String,
    }
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<Name> = diesel::sql_query(
        "SELECT m.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id \
          WHERE m.id = ANY($1)",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .load(tx.pg())
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

async fn rolled_up_at(tx: &mut TenantTx) -> Result<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct At {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        at: Option<DateTime<Utc>>,
    }
    // The state row is platform data the app role may not read; the function tells only the time.
    let at: Option<At> = diesel::sql_query("SELECT kpi_rolled_up_at() AS at")
        .get_result(tx.pg())
        .await
        .ok();
    Ok(at.and_then(|a| a.at))
}

/// The report as CSV: one line per day, then the totals.
pub fn to_csv(r: &Report) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let secs = |v: Option<f64>| v.map(|s| format!("{s:.0}")).unwrap_or_default();
    w.write_record([
        "date",
        "opened",
        "reopened",
        "resolved",
        "messages_in",
        "messages_out",
        "first_response_median_secs",
        "resolution_median_secs",
        "backlog_end_of_day",
    ])
    .map_err(anyhow::Error::from)?;
    for d in &r.days {
        w.write_record([
            d.date.to_string(),
            d.opened.to_string(),
            d.reopened.to_string(),
            d.resolved.to_string(),
            d.messages_in.to_string(),
            d.messages_out.to_string(),
            secs(d.first_response_median_secs),
            secs(d.resolution_median_secs),
            d.backlog.map(|b| b.to_string()).unwrap_or_default(),
        ])
        .map_err(anyhow::Error::from)?;
    }
    let t = &r.totals;
    w.write_record([
        "total".to_owned(),
        t.opened.to_string(),
        t.reopened.to_string(),
        t.resolved.to_string(),
        t.messages_in.to_string(),
        t.messages_out.to_string(),
        secs(t.first_response.calendar.median_secs),
        secs(t.resolution.calendar.median_secs),
        r.open_now.to_string(),
    ])
    .map_err(anyhow::Error::from)?;
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
