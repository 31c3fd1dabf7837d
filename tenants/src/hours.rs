//! Business hours and the automatic replies that depend on them.
//!
//! A schedule is a set of weekly periods in an IANA time zone (several a day; a period whose end
//! is at or before its start runs past midnight into the next day) plus holidays (closed the whole
//! local date). The business has one schedule and a number may have its own, which wins.
//!
//! After a customer writes, ingest enqueues one `auto_reply` job per conversation (only when the
//! business has a greeting or an away message switched on). The job sends, through the normal
//! queue and send path, the greeting to a new conversation that arrives inside hours, or the away
//! message outside hours, at most once per conversation per cooldown (12 h by default). Both are
//! outbound messages with `sender_type: system` and `content.automatic` naming which, so the
//! timeline shows them as automatic; neither counts as an answer (the customer still waits).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{business_hours as bh, conversations as c};

/// The job that sends a greeting or away message after a customer wrote.
pub const AUTO_REPLY: &str = "auto_reply";

/// One opening period of a weekday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// mon, tue, wed, thu, fri, sat or sun
    pub day: String,
    /// "HH:MM" local time.
    pub start: String,
    /// "HH:MM"; at or before `start` means the period ends the next day.
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// "YYYY-MM-DD" local date.
    pub date: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A checked schedule, ready to answer "open at this instant?".
#[derive(Debug, Clone)]
pub struct Schedule {
    pub zone: Tz,
    periods: Vec<(Weekday, NaiveTime, NaiveTime)>,
    holidays: Vec<NaiveDate>,
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

fn time(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl Schedule {
    pub fn parse(zone: &str, periods: &[Period], holidays: &[Holiday]) -> Result<Self> {
        let zone: Tz = zone.parse().map_err(|_| {
            Error::invalid("time_zone", "Use an IANA time zone like Europe/Madrid.")
        })?;
        if periods.len() > 70 {
            return Err(Error::invalid("periods", "At most 70 periods."));
        }
        if holidays.len() > 366 {
            return Err(Error::invalid("holidays", "At most 366 holidays."));
        }
        let mut out = Vec::new();
        for p in periods {
            let day = weekday(&p.day).ok_or_else(|| {
                Error::invalid(
                    "periods",
                    "A period's day is mon, tue, wed, thu, fri, sat or sun.",
                )
            })?;
            let (Some(start), Some(end)) = (time(&p.start), time(&p.end)) else {
                return Err(Error::invalid("periods", "Times are HH:MM, like 09:00."));
            };
            if start == end && start != NaiveTime::MIN {
                return Err(Error::invalid(
                    "periods",
                    "A period needs different start and end times (00:00 to 00:00 is the whole day).",
                ));
            }
            out.push((day, start, end));
        }
        let mut days = Vec::new();
        for h in holidays {
            let d = NaiveDate::parse_from_str(&h.date, "%Y-%m-%d")
                .map_err(|_| Error::invalid("holidays", "Holiday dates are YYYY-MM-DD."))?;
            days.push(d);
        }
        Ok(Self {
            zone,
            periods: out,
            holidays: days,
        })
    }

    /// Is the business open at this instant?
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone);
        let date = local.date_naive();
        if self.holidays.contains(&date) {
            return false;
        }
        let t = NaiveTime::from_hms_opt(local.hour(), local.minute(), local.second())
            .unwrap_or(NaiveTime::MIN);
        let today = local.weekday();
        let yesterday = today.pred();
        self.periods.iter().any(|&(day, start, end)| {
            let wraps = end <= start;
            if day == today {
                // Today's period: from its start to its end (or to midnight when it wraps).
                t >= start && (wraps || t < end)
            } else if day == yesterday && wraps {
                // Yesterday's period running past midnight, unless today is a holiday (above).
                t < end
            } else {
                false
            }
        })
    }
}

/// A local wall-clock time as an instant; a time that a DST jump skips counts from the jump.
fn instant(zone: Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    use chrono::TimeZone;
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&Utc)
        }
        chrono::LocalResult::None => instant(zone, local + Duration::hours(1)),
    }
}

/// How far ahead the business-time walk looks before giving up (a schedule that never opens).
const WALK_DAYS: i64 = 400;

impl Schedule {
    /// Does the schedule open at all (some period, not every day a holiday)?
    pub fn ever_open(&self) -> bool {
        !self.periods.is_empty()
    }

    /// The open intervals (UTC, sorted, merged) of local dates `from ..= to`, with the
    /// same rules as [`Schedule::is_open`]: a holiday closes its whole local date, including the
    /// tail of the previous day's period that runs past midnight.
    fn intervals(&self, from: NaiveDate, to: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            let Some(next) = d.succ_opt() else { break };
            for &(day, start, end) in &self.periods {
                if day != d.weekday() {
                    continue;
                }
                let wraps = end <= start;
                if !self.holidays.contains(&d) {
                    let until = if wraps {
                        next.and_time(NaiveTime::MIN)
                    } else {
                        d.and_time(end)
                    };
                    out.push((d.and_time(start), until));
                }
                if wraps && end > NaiveTime::MIN && !self.holidays.contains(&next) {
                    out.push((next.and_time(NaiveTime::MIN), next.and_time(end)));
                }
            }
            d = next;
        }
        let mut utc: Vec<(DateTime<Utc>, DateTime<Utc>)> = out
            .into_iter()
            .map(|(a, b)| (instant(self.zone, a), instant(self.zone, b)))
            .filter(|(a, b)| b > a)
            .collect();
        utc.sort();
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for (a, b) in utc {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        merged
    }

    /// The instant `secs` seconds of open time after `start` (counting only while open).
    /// `None` when the schedule does not open in the next 400 days.
    pub fn add_open_secs(&self, start: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
        let mut left = secs.max(0);
        let mut date = start.with_timezone(&self.zone).date_naive().pred_opt()?;
        let last = date + Duration::days(WALK_DAYS);
        while date <= last {
            let until = date + Duration::days(13);
            for (a, b) in self.intervals(date, until) {
                if b <= start {
                    continue;
                }
                let from = a.max(start);
                let span = (b - from).num_seconds();
                if span >= left {
                    return Some(from + Duration::seconds(left));
                }
                left -= span;
            }
            date = until.succ_opt()?;
        }
        None
    }

    /// Seconds of open time between `a` and `b` (0 when `b` is not after `a`).
    pub fn open_secs_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b <= a {
            return 0;
        }
        let from = a.with_timezone(&self.zone).date_naive().pred_opt();
        let to = b.with_timezone(&self.zone).date_naive().succ_opt();
        let (Some(from), Some(to)) = (from, to) else {
            return 0;
        };
        self.intervals(from, to)
            .into_iter()
            .map(|(x, y)| (y.min(b) - x.max(a)).num_seconds().max(0))
            .sum()
    }
}

/// The schedule that applies to a number (its own, else the business's), if one is set.
pub async fn schedule_for_number(tx: &mut TenantTx, number: Uuid) -> Result<Option<Schedule>> {
    let Some(row) = for_number(tx, number).await? else {
        return Ok(None);
    };
    let settings = to_settings(&row);
    Ok(Schedule::parse(&row.1, &settings.periods, &settings.holidays).ok())
}

/// A schedule with its automatic replies, as set in Settings.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursSettings {
    /// The number this schedule is for; absent for the business's own.
    #[serde(default)]
    pub number_id: Option<Uuid>,
    /// IANA time zone; the business's when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub periods: Vec<Period>,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    #[serde(default)]
    pub greeting_enabled: bool,
    #[serde(default)]
    pub greeting_text: Option<String>,
    #[serde(default)]
    pub away_enabled: bool,
    #[serde(default)]
    pub away_text: Option<String>,
    /// At most one away message per conversation in this many hours (1 to 168; 12 by default).
    #[serde(default)]
    pub away_cooldown_hours: Option<i32>,
}

/// Every schedule of the business, and whether it is open now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HoursView {
    pub settings: HoursSettings,
    pub open_now: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HoursList {
    pub items: Vec<HoursView>,
}

type Row = (
    Option<Uuid>,
    String,
    serde_json::Value,
    serde_json::Value,
    bool,
    Option<String>,
    bool,
    Option<String>,
    i32,
    DateTime<Utc>,
);

macro_rules! hours_columns {
    () => {
        (
            bh::number_id,
            bh::time_zone,
            bh::periods,
            bh::holidays,
            bh::greeting_enabled,
            bh::greeting_text,
            bh::away_enabled,
            bh::away_text,
            bh::away_cooldown_hours,
            bh::updated_at,
        )
    };
}

fn to_settings(r: &Row) -> HoursSettings {
    HoursSettings {
        number_id: r.0,
        time_zone: Some(r.1.clone()),
        periods: serde_json::from_value(r.2.clone()).unwrap_or_default(),
        holidays: serde_json::from_value(r.3.clone()).unwrap_or_default(),
        greeting_enabled: r.4,
        greeting_text: r.5.clone(),
        away_enabled: r.6,
        away_text: r.7.clone(),
        away_cooldown_hours: Some(r.8),
    }
}

fn view(r: Row) -> HoursView {
    let settings = to_settings(&r);
    let open_now = Schedule::parse(&r.1, &settings.periods, &settings.holidays)
        .map(|s| s.is_open(Utc::now()))
        .unwrap_or(false);
    HoursView {
        settings,
        open_now,
        updated_at: r.9,
    }
}

pub async fn list(tx: &mut TenantTx, actor: &Actor) -> Result<HoursList> {
    actor.require_any(&[
        Permission::SettingsManage,
        Permission::ConversationsReadAll,
        Permission::ConversationsReadAssigned,
    ])?;
    let rows: Vec<Row> = bh::table
        .select(hours_columns!())
        .order(bh::number_id.asc().nulls_first())
        .load(tx.pg())
        .await?;
    Ok(HoursList {
        items: rows.into_iter().map(view).collect(),
    })
}

fn text(field: &str, v: &Option<String>, required: bool) -> Result<Option<String>> {
    match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => {
            if t.chars().count() > 1024 {
                Err(Error::invalid(field, "At most 1024 characters."))
            } else {
                Ok(Some(t.to_owned()))
            }
        }
        _ if required => Err(Error::invalid(field, "Write the message to send.")),
        _ => Ok(None),
    }
}

/// Create or replace a schedule (`settings:manage`).
pub async fn save(tx: &mut TenantTx, actor: &Actor, input: HoursSettings) -> Result<HoursView> {
    use crate::schema::whatsapp_numbers as n;
    actor.require(Permission::SettingsManage)?;
    let zone = match input.time_zone.as_deref() {
        Some(z) if !z.trim().is_empty() => z.trim().to_owned(),
        _ => crate::businesses::current(tx).await?.time_zone,
    };
    Schedule::parse(&zone, &input.periods, &input.holidays)?;
    let greeting = text(
        "greeting_text",
        &input.greeting_text,
        input.greeting_enabled,
    )?;
    let away = text("away_text", &input.away_text, input.away_enabled)?;
    let cooldown = input.away_cooldown_hours.unwrap_or(12);
    if !(1..=168).contains(&cooldown) {
        return Err(Error::invalid(
            "away_cooldown_hours",
            "Between 1 and 168 hours.",
        ));
    }
    if let Some(number) = input.number_id {
        let known: i64 = n::table
            .filter(n::id.eq(number))
            .count()
            .get_result(tx.pg())
            .await?;
        if known == 0 {
            return Err(Error::NotFound("number"));
        }
    }
    let periods = serde_json::to_value(&input.periods)
        .map_err(|e| Error::Internal(anyhow::anyhow!("periods: {e}")))?;
    let holidays = serde_json::to_value(&input.holidays)
        .map_err(|e| Error::Internal(anyhow::anyhow!("holidays: {e}")))?;
    let existing: Option<Uuid> = match input.number_id {
        Some(nid) => bh::table
            .filter(bh::number_id.eq(nid))
            .select(bh::id)
            .first(tx.pg())
            .await
            .optional()?,
        None => bh::table
            .filter(bh::number_id.is_null())
            .select(bh::id)
            .first(tx.pg())
            .await
            .optional()?,
    };
    let now = Utc::now();
    match existing {
        Some(id) => {
            diesel::update(bh::table.filter(bh::id.eq(id)))
                .set((
                    bh::time_zone.eq(&zone),
                    bh::periods.eq(&periods),
                    bh::holidays.eq(&holidays),
                    bh::greeting_enabled.eq(input.greeting_enabled),
                    bh::greeting_text.eq(&greeting),
                    bh::away_enabled.eq(input.away_enabled),
                    bh::away_text.eq(&away),
                    bh::away_cooldown_hours.eq(cooldown),
                    bh::updated_at.eq(now),
                ))
                .execute(tx.pg())
                .await?;
        }
        None => {
            diesel::insert_into(bh::table)
                .values((
                    bh::tenant_id.eq(tx.tenant_id()),
                    bh::id.eq(Uuid::now_v7()),
                    bh::number_id.eq(input.number_id),
                    bh::time_zone.eq(&zone),
                    bh::periods.eq(&periods),
                    bh::holidays.eq(&holidays),
                    bh::greeting_enabled.eq(input.greeting_enabled),
                    bh::greeting_text.eq(&greeting),
                    bh::away_enabled.eq(input.away_enabled),
                    bh::away_text.eq(&away),
                    bh::away_cooldown_hours.eq(cooldown),
                ))
                .execute(tx.pg())
                .await?;
        }
    }
    let mut q = bh::table.select(hours_columns!()).into_boxed();
    q = match input.number_id {
        Some(nid) => q.filter(bh::number_id.eq(nid)),
        None => q.filter(bh::number_id.is_null()),
    };
    let row: Row = q.first(tx.pg()).await?;
    Ok(view(row))
}

/// Remove a number's own schedule (it follows the business's again).
pub async fn remove_number(tx: &mut TenantTx, actor: &Actor, number: Uuid) -> Result<()> {
    actor.require(Permission::SettingsManage)?;
    let gone = diesel::delete(bh::table.filter(bh::number_id.eq(number)))
        .execute(tx.pg())
        .await?;
    if gone == 0 {
        return Err(Error::NotFound("business hours"));
    }
    Ok(())
}

/// The schedule that applies to a number: its own, else the business's.
async fn for_number(tx: &mut TenantTx, number: Uuid) -> Result<Option<Row>> {
    let rows: Vec<Row> = bh::table
        .filter(bh::number_id.eq(number).or(bh::number_id.is_null()))
        .select(hours_columns!())
        .load(tx.pg())
        .await?;
    Ok(rows
        .iter()
        .find(|r| r.0 == Some(number))
        .or_else(|| rows.iter().find(|r| r.0.is_none()))
        .cloned())
}

/// Is the schedule that applies to a number open at `at`? `None` when neither the number nor
/// the business has a schedule (routing rules count that as open).
pub async fn open_at(tx: &mut TenantTx, number: Uuid, at: DateTime<Utc>) -> Result<Option<bool>> {
    let Some(row) = for_number(tx, number).await? else {
        return Ok(None);
    };
    let settings = to_settings(&row);
    Ok(Some(
        Schedule::parse(&row.1, &settings.periods, &settings.holidays)
            .map(|s| s.is_open(at))
            .unwrap_or(false),
    ))
}

/// After customers wrote (ingest, same transaction): one `auto_reply` job per conversation, if
/// this business has a greeting or an away message switched on. One cheap read otherwise.
pub async fn after_inbound(tx: &mut TenantTx, conversations: &[(Uuid, bool)]) -> Result<()> {
    if conversations.is_empty() {
        return Ok(());
    }
    let enabled: i64 = bh::table
        .filter(bh::greeting_enabled.or(bh::away_enabled))
        .count()
        .get_result(tx.pg())
        .await?;
    if enabled == 0 {
        return Ok(());
    }
    let mut seen = std::collections::BTreeMap::new();
    for (conv, new) in conversations {
        *seen.entry(*conv).or_insert(false) |= *new;
    }
    for (conv, new) in seen {
        let mut job = crate::jobs::NewJob::new(
            AUTO_REPLY,
            &json!({ "conversation_id": conv, "new_conversation": new }),
        )?
        .priority(15);
        job.dedupe_key = Some(format!("{AUTO_REPLY}:{conv}"));
        crate::jobs::enqueue(tx, job).await?;
    }
    Ok(())
}

/// What an `auto_reply` job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoReply {
    Greeting,
    Away,
    Nothing,
}

/// The `auto_reply` job: greet a new conversation inside hours, or send the away message outside
/// hours (once per cooldown). Queued like any reply, so it respects the window and the send path.
pub async fn auto_reply(
    tx: &mut TenantTx,
    conversation: Uuid,
    new_conversation: bool,
    now: DateTime<Utc>,
) -> Result<AutoReply> {
    let row: Option<(
        Uuid,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    )> = c::table
        .filter(c::id.eq(conversation))
        // A bot is talking with the customer: it greets, and people are not away yet.
        .filter(c::handler.eq("human"))
        .select((
            c::number_id,
            c::status,
            c::window_expires_at,
            c::greeted_at,
            c::away_sent_at,
        ))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let Some((number, status, window, greeted, away_sent)) = row else {
        return Ok(AutoReply::Nothing);
    };
    if status == "resolved" || window.is_none_or(|w| w <= now) {
        return Ok(AutoReply::Nothing);
    }
    let Some(s) = for_number(tx, number).await? else {
        return Ok(AutoReply::Nothing);
    };
    let settings = to_settings(&s);
    let schedule = Schedule::parse(&s.1, &settings.periods, &settings.holidays)?;
    let open = schedule.is_open(now);
    let (what, body) = if open {
        match (&settings.greeting_text, settings.greeting_enabled) {
            (Some(t), true) if new_conversation && greeted.is_none() => {
                (AutoReply::Greeting, t.clone())
            }
            _ => return Ok(AutoReply::Nothing),
        }
    } else {
        let cooldown = Duration::hours(i64::from(s.8));
        match (&settings.away_text, settings.away_enabled) {
            (Some(t), true) if away_sent.is_none_or(|at| now - at >= cooldown) => {
                (AutoReply::Away, t.clone())
            }
            _ => return Ok(AutoReply::Nothing),
        }
    };
    let kind = match what {
        AutoReply::Greeting => "greeting",
        _ => "away",
    };
    crate::outbound::queue_automatic(tx, conversation, &body, kind).await?;
    let q = diesel::update(c::table.filter(c::id.eq(conversation)));
    if what == AutoReply::Greeting {
        q.set(c::greeted_at.eq(Some(now))).execute(tx.pg()).await?;
    } else {
        q.set(c::away_sent_at.eq(Some(now)))
            .execute(tx.pg())
            .await?;
    }
    Ok(what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn p(day: &str, start: &str, end: &str) -> Period {
        Period {
            day: day.into(),
            start: start.into(),
            end: end.into(),
        }
    }

    fn madrid(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Madrid
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn weekdays_with_lunch() -> Schedule {
        let mut periods = Vec::new();
        for d in ["mon", "tue", "wed", "thu", "fri"] {
            periods.push(p(d, "09:00", "14:00"));
            periods.push(p(d, "16:00", "19:30"));
        }
        let holidays = vec![Holiday {
            date: "2026-12-08".into(),
            name: Some("Inmaculada".into()),
        }];
        Schedule::parse("Europe/Madrid", &periods, &holidays).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn several_periods_a_day_and_a_weekend() {
        let s = weekdays_with_lunch();
        // Friday 4 December 2026.
        assert!(s.is_open(madrid(2026, 12, 4, 9, 0)));
        assert!(s.is_open(madrid(2026, 12, 4, 13, 59)));
        assert!(!s.is_open(madrid(2026, 12, 4, 14, 0)), "lunch");
        assert!(s.is_open(madrid(2026, 12, 4, 16, 30)));
        assert!(!s.is_open(madrid(2026, 12, 4, 19, 30)));
        // Saturday and Sunday: closed; Monday morning: open.
        assert!(!s.is_open(madrid(2026, 12, 5, 11, 0)));
        assert!(!s.is_open(madrid(2026, 12, 6, 11, 0)));
        assert!(s.is_open(madrid(2026, 12, 7, 11, 0)));
    }

    #[test]
    fn holidays_close_the_whole_day() {
        let s = weekdays_with_lunch();
        // Tuesday 8 December 2026 is a holiday; Wednesday is not.
        assert!(!s.is_open(madrid(2026, 12, 8, 10, 0)));
        assert!(s.is_open(madrid(2026, 12, 9, 10, 0)));
    }

    #[test]
    fn periods_past_midnight() {
        let s = Schedule::parse("Europe/Madrid", &[p("fri", "20:00", "02:00")], &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.is_open(madrid(2026, 12, 4, 19, 59)));
        assert!(s.is_open(madrid(2026, 12, 4, 23, 30)));
        assert!(
            s.is_open(madrid(2026, 12, 5, 1, 59)),
            "Saturday early morning"
        );
        assert!(!s.is_open(madrid(2026, 12, 5, 2, 0)));
        assert!(!s.is_open(madrid(2026, 12, 5, 21, 0)), "not Saturday night");
        let all_day = Schedule::parse("UTC", &[p("sun", "00:00", "00:00")], &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(all_day.is_open(Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap()));
        assert!(all_day.is_open(Utc.with_ymd_and_hms(2026, 12, 6, 23, 59, 0).unwrap()));
        assert!(!all_day.is_open(Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap()));
    }

    #[test]
    fn local_time_follows_daylight_saving() {
        // 09:00 in Madrid is 08:00 UTC in winter and 07:00 UTC in summer.
        let s = Schedule::parse("Europe/Madrid", &[p("mon", "09:00", "10:00")], &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.is_open(Utc.with_ymd_and_hms(2026, 12, 7, 8, 30, 0).unwrap()));
        assert!(!s.is_open(Utc.with_ymd_and_hms(2026, 12, 7, 7, 30, 0).unwrap()));
        assert!(s.is_open(Utc.with_ymd_and_hms(2026, 6, 1, 7, 30, 0).unwrap()));
        assert!(!s.is_open(Utc.with_ymd_and_hms(2026, 6, 1, 8, 30, 0).unwrap()));
        // The night the clocks go back (25 October 2026) a Sunday 01:00-04:00 period lasts 4 h.
        let night = Schedule::parse("Europe/Madrid", &[p("sun", "01:00", "04:00")], &[])
            .unwrap_or_else(|e| panic!("{e}"));
        let open_minutes = (0..24 * 60)
            .filter(|m| {
                night.is_open(
                    Utc.with_ymd_and_hms(2026, 10, 24, 22, 0, 0).unwrap() + Duration::minutes(*m),
                )
            })
            .count();
        assert_eq!(open_minutes, 4 * 60);
    }

    #[test]
    fn bad_schedules_are_refused() {
        assert!(Schedule::parse("Mars/Olympus", &[], &[]).is_err());
        assert!(Schedule::parse("UTC", &[p("monday", "09:00", "10:00")], &[]).is_err());
        assert!(Schedule::parse("UTC", &[p("mon", "9:00", "10:00")], &[]).is_err());
        assert!(Schedule::parse("UTC", &[p("mon", "25:00", "10:00")], &[]).is_err());
        assert!(Schedule::parse("UTC", &[p("mon", "10:00", "10:00")], &[]).is_err());
        let bad_day = Holiday {
            date: "2026-13-01".into(),
            name: None,
        };
        assert!(Schedule::parse("UTC", &[], &[bad_day]).is_err());
    }

    #[test]
    fn business_time_skips_lunch_the_weekend_and_a_holiday() {
        let s = weekdays_with_lunch();
        let hour = 3600;
        // Friday 4 Dec 13:00 + 2 h of open time: 1 h before lunch, 1 h after → 17:00.
        assert_eq!(
            s.add_open_secs(madrid(2026, 12, 4, 13, 0), 2 * hour),
            Some(madrid(2026, 12, 4, 17, 0))
        );
        // Friday 19:00 + 1 h: 30 min on Friday, the weekend is closed → Monday 09:30.
        assert_eq!(
            s.add_open_secs(madrid(2026, 12, 4, 19, 0), hour),
            Some(madrid(2026, 12, 7, 9, 30))
        );
        // Saturday (closed) + 1 min → Monday 09:01.
        assert_eq!(
            s.add_open_secs(madrid(2026, 12, 5, 12, 0), 60),
            Some(madrid(2026, 12, 7, 9, 1))
        );
        // Monday 19:00 + 1 h: Tuesday 8 Dec is a holiday → Wednesday 09:30.
        assert_eq!(
            s.add_open_secs(madrid(2026, 12, 7, 19, 0), hour),
            Some(madrid(2026, 12, 9, 9, 30))
        );
        // And back: open time between those instants is what was added.
        assert_eq!(
            s.open_secs_between(madrid(2026, 12, 7, 19, 0), madrid(2026, 12, 9, 9, 30)),
            hour
        );
        assert_eq!(
            s.open_secs_between(madrid(2026, 12, 4, 8, 0), madrid(2026, 12, 4, 20, 0)),
            5 * hour + 3 * hour + 30 * 60
        );
        assert_eq!(
            s.open_secs_between(madrid(2026, 12, 5, 8, 0), madrid(2026, 12, 6, 20, 0)),
            0
        );
    }

    #[test]
    fn business_time_past_midnight_and_across_a_time_change() {
        let night = Schedule::parse("Europe/Madrid", &[p("fri", "22:00", "02:00")], &[])
            .unwrap_or_else(|e| panic!("{e}"));
        // Friday 23:00 + 2 h → Saturday 01:00 (the period runs past midnight).
        assert_eq!(
            night.add_open_secs(madrid(2026, 12, 4, 23, 0), 2 * 3600),
            Some(madrid(2026, 12, 5, 1, 0))
        );
        // Saturday 01:30 + 1 h: 30 min tonight, then next Friday 22:30.
        assert_eq!(
            night.add_open_secs(madrid(2026, 12, 5, 1, 30), 3600),
            Some(madrid(2026, 12, 11, 22, 30))
        );
        // Madrid moves to summer time on Sunday 29 March 2026 (02:00 → 03:00): a Sunday
        // schedule 00:00-12:00 has 11 real hours that day.
        let sunday = Schedule::parse("Europe/Madrid", &[p("sun", "00:00", "12:00")], &[])
            .unwrap_or_else(|e| panic!("{e}"));
        let start = madrid(2026, 3, 29, 0, 0);
        assert_eq!(
            sunday.open_secs_between(start, start + Duration::hours(24)),
            11 * 3600
        );
        // 10 open hours from Sunday 00:00 local end at 11:00 local (09:00 UTC, summer time).
        assert_eq!(
            sunday.add_open_secs(start, 10 * 3600),
            Some(Utc.with_ymd_and_hms(2026, 3, 29, 9, 0, 0).unwrap())
        );
        // A schedule that never opens gives no due time.
        let never = Schedule::parse("UTC", &[], &[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!never.ever_open());
        assert_eq!(never.add_open_secs(start, 60), None);
    }
}
