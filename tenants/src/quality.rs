//! Number quality: Meta's quality rating and messaging limit of each number, kept from its
//! webhooks (`numbers::apply_quality`) and a periodic check of `GET /{phone-number-id}`
//! ([`CHECK`]); how many sends failed and why, by error code; and alerts, by email to the
//! people who may manage numbers, when the rating drops, the limit is lowered, or failures
//! spike. The portal shows a banner while a number is not GREEN.
//!
//! Failed sends are counted per number, hour and error code as their statuses arrive
//! (`number_failures`; a healthy number writes nothing), and sends come from the KPI roll-ups
//! (`kpi_hourly.messages_out`), so neither the report nor the spike check scans messages. Both
//! count whole UTC hours: "the last hour" is the current hour and the one before it.

use chrono::{DateTime, Duration, Utc};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::db::{Store, SystemTx, TenantTx};
use crate::error::{Error, Result};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::whatsapp_numbers as n;

/// The job that emails an [`Alert`] (the link in it needs the portal's address).
pub const ALERT: &str = "quality_alert";

/// Why the admins of a number are told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    Drops { drops: Vec<Drop> },
    Spike { failed: i64, sent: i64 },
}

/// The periodic check of every connected number's profile.
pub const CHECK: &str = "quality_check";
pub const CHECK_EVERY_SECS: i64 = 6 * 3600;

/// A failure spike: at least this many failed sends in the last hour...
pub const SPIKE_MIN_FAILED: i64 = 10;
/// ...making at least this share of the hour's sends.
pub const SPIKE_SHARE: f64 = 0.2;
/// One spike alert per number in this many hours.
pub const SPIKE_QUIET_HOURS: i64 = 6;

/// Higher is better; 0 for no rating (`UNKNOWN`, none).
pub fn rank(rating: Option<&str>) -> u8 {
    match rating {
        Some("GREEN") => 3,
        Some("YELLOW") => 2,
        Some("RED") => 1,
        _ => 0,
    }
}

/// Meta's messaging tiers, smallest first (`TIER_50` … `TIER_UNLIMITED`).
pub fn tier_rank(limit: Option<&str>) -> u32 {
    match limit {
        Some("TIER_50") => 1,
        Some("TIER_250") => 2,
        Some("TIER_1K") => 3,
        Some("TIER_2K") => 4,
        Some("TIER_10K") => 5,
        Some("TIER_100K") => 6,
        Some("TIER_UNLIMITED") => 7,
        _ => 0,
    }
}

/// What got worse, if anything, between two readings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Drop {
    Rating { from: String, to: String },
    Limit { from: String, to: String },
}

pub fn drops(
    old_rating: Option<&str>,
    new_rating: Option<&str>,
    old_limit: Option<&str>,
    new_limit: Option<&str>,
) -> Vec<Drop> {
    let mut out = Vec::new();
    if rank(new_rating) > 0 && rank(new_rating) < rank(old_rating) {
        out.push(Drop::Rating {
            from: old_rating.unwrap_or_default().to_owned(),
            to: new_rating.unwrap_or_default().to_owned(),
        });
    }
    if tier_rank(new_limit) > 0 && tier_rank(new_limit) < tier_rank(old_limit) {
        out.push(Drop::Limit {
            from: old_limit.unwrap_or_default().to_owned(),
            to: new_limit.unwrap_or_default().to_owned(),
        });
    }
    out
}

/// Failed sends with one error code.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FailureCode {
    pub code: Option<i32>,
    /// Meta's title.
    pub title: Option<String>,
    /// Ours, in the reader's language.
    pub explanation: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NumberQuality {
    pub number_id: Uuid,
    pub display_phone_number: String,
    /// GREEN, YELLOW, RED or UNKNOWN (none before Meta says).
    pub quality_rating: Option<String>,
    pub messaging_limit: Option<String>,
    pub status: String,
    /// The window counted: from `since` to now.
    pub since: DateTime<Utc>,
    /// Sends Meta answered (accepted or refused) in the window.
    pub sent: i64,
    pub failed: i64,
    pub failure_rate: Option<f64>,
    /// Most frequent first.
    pub by_code: Vec<FailureCode>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct QualityQuery {
    /// Hours back to count (1 to 720; 24 by default).
    pub hours: Option<i64>,
}

#[derive(QueryableByName)]
struct Sent {
    #[diesel(sql_type = BigInt)]
    sent: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
}

#[derive(QueryableByName)]
struct ByCode {
    #[diesel(sql_type = Nullable<Int4>)]
    code: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    title: Option<String>,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Sends and failures of the number in the hours from the one holding `since` to now.
async fn counts(tx: &mut TenantTx, number: Uuid, since: DateTime<Utc>) -> Result<Sent> {
    Ok(diesel::sql_query(
        "SELECT coalesce((SELECT sum(messages_out) FROM kpi_hourly \
                           WHERE number_id = $1 AND hour >= date_trunc('hour', $2::timestamptz)), 0)::bigint AS sent, \
                coalesce((SELECT sum(count) FROM number_failures \
                           WHERE number_id = $1 AND hour >= date_trunc('hour', $2::timestamptz)), 0)::bigint AS failed",
    )
    .bind::<SqlUuid, _>(number)
    .bind::<Timestamptz, _>(since)
    .get_result(tx.pg())
    .await?)
}

/// After a status (ingest): count a failure against its number, and look for a spike.
pub async fn after_status(tx: &mut TenantTx, s: &crate::messages::StatusReport) -> Result<()> {
    if s.status != "failed" {
        return Ok(());
    }
    #[derive(QueryableByName)]
    struct Num {
        #[diesel(sql_type = SqlUuid)]
        number_id: Uuid,
    }
    let found: Option<Num> = diesel::sql_query(
        "SELECT c.number_id FROM messages m \
           JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id \
          WHERE m.wamid = $1 AND m.direction = 'outbound'",
    )
    .bind::<Text, _>(&s.wamid)
    .get_result(tx.pg())
    .await
    .optional()?;
    let Some(Num { number_id }) = found else {
        return Ok(());
    };
    diesel::sql_query(
        "INSERT INTO number_failures (tenant_id, number_id, hour, error_code, title, count) \
         VALUES ($1, $2, date_trunc('hour', now()), coalesce($3, 0), $4, 1) \
         ON CONFLICT (tenant_id, number_id, hour, error_code) \
         DO UPDATE SET count = number_failures.count + 1, title = coalesce(excluded.title, number_failures.title)",
    )
    .bind::<SqlUuid, _>(tx.tenant_id().0)
    .bind::<SqlUuid, _>(number_id)
    .bind::<Nullable<Int4>, _>(s.error_code)
    .bind::<Nullable<Text>, _>(s.error_title.as_deref())
    .execute(tx.pg())
    .await?;
    check_failure_spike(tx, number_id).await?;
    Ok(())
}

/// The number's rating, limit and failures in the last `hours`. Needs numbers:manage or
/// reports:view.
pub async fn report(
    tx: &mut TenantTx,
    actor: &Actor,
    number: Uuid,
    query: QualityQuery,
) -> Result<NumberQuality> {
    actor.require_any(&[Permission::NumbersManage, Permission::ReportsView])?;
    let hours = query.hours.unwrap_or(24);
    if !(1..=720).contains(&hours) {
        return Err(Error::invalid("hours", "Count 1 to 720 hours back."));
    }
    let row: Option<(String, Option<String>, Option<String>, String)> = n::table
        .filter(n::id.eq(number))
        .select((
            n::display_phone_number,
            n::quality_rating,
            n::messaging_limit,
            n::status,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let Some((display, rating, limit, status)) = row else {
        return Err(Error::NotFound("number"));
    };
    let since = crate::kpi::rollup::hour_of(Utc::now() - Duration::hours(hours - 1));
    let totals = counts(tx, number, since).await?;
    let codes: Vec<ByCode> = diesel::sql_query(
        "SELECT nullif(error_code, 0) AS code, max(title) AS title, sum(count)::bigint AS count \
           FROM number_failures WHERE number_id = $1 AND hour >= date_trunc('hour', $2::timestamptz) \
          GROUP BY error_code ORDER BY 3 DESC, error_code",
    )
    .bind::<SqlUuid, _>(number)
    .bind::<Timestamptz, _>(since)
    .load(tx.pg())
    .await?;
    let lang = crate::whatsapp::errors::Lang::from_tag(&actor.locale);
    Ok(NumberQuality {
        number_id: number,
        display_phone_number: display,
        quality_rating: rating,
        messaging_limit: limit,
        status,
        since,
        sent: totals.sent,
        failed: totals.failed,
        failure_rate: (totals.sent > 0).then(|| totals.failed as f64 / totals.sent as f64),
        by_code: codes
            .into_iter()
            .map(|c| FailureCode {
                explanation: crate::whatsapp::errors::explain(
                    c.code.map(i64::from).unwrap_or(0),
                    c.title.as_deref(),
                    lang,
                ),
                code: c.code,
                title: c.title,
                count: c.count,
            })
            .collect(),
    })
}

async fn queue_alert(tx: &mut TenantTx, number: Uuid, alert: &Alert) -> Result<()> {
    let job = crate::jobs::NewJob::new(ALERT, &json!({ "number_id": number, "alert": alert }))?
        .priority(10);
    crate::jobs::enqueue(tx, job).await?;
    Ok(())
}

/// Email everyone who may manage numbers about `alert` (the [`ALERT`] job). Returns how many.
pub async fn send_alert(
    tx: &mut TenantTx,
    number: Uuid,
    alert: &Alert,
    public_url: &str,
) -> Result<usize> {
    let Some(display) = n::table
        .filter(n::id.eq(number))
        .select(n::display_phone_number)
        .first::<String>(tx.pg())
        .await
        .optional()?
    else {
        return Ok(0);
    };
    let business = crate::businesses::current(tx).await?.name;
    let link = format!("{}/settings/numbers", public_url.trim_end_matches('/'));
    let people = crate::people::with_permission(tx, Permission::NumbersManage).await?;
    for p in &people {
        let lang = crate::mail::Lang::parse(&p.locale);
        let mail = crate::mail::quality_alert(
            lang,
            &p.email,
            &p.name,
            &business,
            &format!("+{display}"),
            &describe(alert, lang),
            &link,
        );
        crate::jobs::enqueue(
            tx,
            crate::jobs::NewJob::new(crate::jobs::SEND_EMAIL, &mail)?.priority(10),
        )
        .await?;
    }
    Ok(people.len())
}

/// The alert in a sentence or two.
pub fn describe(alert: &Alert, lang: crate::mail::Lang) -> String {
    let es = lang == crate::mail::Lang::Es;
    match alert {
        Alert::Spike { failed, sent } if es => format!(
            "{failed} de {sent} envíos de la última hora fallaron. La página de calidad del número muestra los fallos por código de error."
        ),
        Alert::Spike { failed, sent } => format!(
            "{failed} of {sent} sends in the last hour failed. The number's quality page shows the failures by error code."
        ),
        Alert::Drops { drops } => drops
            .iter()
            .map(|d| match (d, es) {
                (Drop::Rating { from, to }, false) => format!(
                    "Its quality rating dropped from {from} to {to}. Meta lowers the messaging limit of numbers that stay low: look at recent failures and blocks, and slow down template campaigns."
                ),
                (Drop::Rating { from, to }, true) => format!(
                    "Su calificación de calidad bajó de {from} a {to}. Meta reduce el límite de mensajes de los números que siguen bajos: revisa los fallos y bloqueos recientes y frena las campañas de plantillas."
                ),
                (Drop::Limit { from, to }, false) => format!(
                    "Its messaging limit was lowered from {from} to {to}: fewer new customers can be messaged per day."
                ),
                (Drop::Limit { from, to }, true) => format!(
                    "Su límite de mensajes bajó de {from} a {to}: se puede escribir a menos clientes nuevos al día."
                ),
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// After a failure: if the number's failures in the last hour make a spike and none was
/// reported in the quiet period, queue an alert. Returns whether it did.
pub async fn check_failure_spike(tx: &mut TenantTx, number: Uuid) -> Result<bool> {
    let c = counts(tx, number, Utc::now() - Duration::hours(1)).await?;
    if c.failed < SPIKE_MIN_FAILED || (c.failed as f64) < SPIKE_SHARE * c.sent as f64 {
        return Ok(false);
    }
    // One alert per quiet period, claimed with one conditional update.
    let claimed = diesel::sql_query(
        "UPDATE whatsapp_numbers SET failure_alerted_at = now() \
          WHERE id = $1 AND (failure_alerted_at IS NULL \
                OR failure_alerted_at < now() - make_interval(hours => $2::int))",
    )
    .bind::<SqlUuid, _>(number)
    .bind::<Int4, _>(SPIKE_QUIET_HOURS as i32)
    .execute(tx.pg())
    .await?;
    if claimed == 0 {
        return Ok(false);
    }
    queue_alert(
        tx,
        number,
        &Alert::Spike {
            failed: c.failed,
            sent: c.sent.max(c.failed),
        },
    )
    .await?;
    Ok(true)
}

/// A connected number to check.
pub struct ToCheck {
    pub tenant_id: Uuid,
    pub number_id: Uuid,
    pub phone_number_id: String,
    pub token: Vec<u8>,
}

/// Every connected number with a token (sandbox numbers have none).
pub async fn numbers_to_check(store: &Store) -> Result<Vec<ToCheck>> {
    store
        .system(async |tx: &mut SystemTx| -> Result<Vec<ToCheck>> {
            let rows: Vec<(Uuid, Uuid, String, Option<Vec<u8>>)> = n::table
                .filter(n::status.eq("connected"))
                .filter(n::sandbox.eq(false))
                .select((n::tenant_id, n::id, n::phone_number_id, n::access_token_enc))
                .load(tx.pg())
                .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(tenant_id, number_id, phone_number_id, token)| {
                    Some(ToCheck {
                        tenant_id,
                        number_id,
                        phone_number_id,
                        token: token?,
                    })
                })
                .collect())
        })
        .await
}

/// Store a fresh reading of the number's rating and limit; alert on drops. Returns the drops.
pub async fn apply_reading(
    tx: &mut TenantTx,
    number: Uuid,
    rating: Option<&str>,
    limit: Option<&str>,
) -> Result<Vec<Drop>> {
    let before: Option<(Option<String>, Option<String>)> = n::table
        .filter(n::id.eq(number))
        .select((n::quality_rating, n::messaging_limit))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let Some((old_rating, old_limit)) = before else {
        return Ok(vec![]);
    };
    let rating = rating.filter(|r| !r.is_empty()).map(str::to_owned);
    let limit = limit.filter(|l| !l.is_empty()).map(str::to_owned);
    diesel::update(n::table.filter(n::id.eq(number)))
        .set((
            rating.as_ref().map(|r| n::quality_rating.eq(r)),
            limit.as_ref().map(|l| n::messaging_limit.eq(l)),
            n::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    let found = drops(
        old_rating.as_deref(),
        rating.as_deref().or(old_rating.as_deref()),
        old_limit.as_deref(),
        limit.as_deref().or(old_limit.as_deref()),
    );
    if !found.is_empty() {
        queue_alert(
            tx,
            number,
            &Alert::Drops {
                drops: found.clone(),
            },
        )
        .await?;
        crate::realtime::publish(
            tx,
            crate::realtime::Publish {
                kind: "number.quality",
                data: Some(json!({ "number_id": number, "drops": found })),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(found)
}

/// Queue the next periodic check.
pub async fn schedule_check(store: &Store, after_secs: i64) -> Result<()> {
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            let mut job = crate::jobs::NewJob::new(CHECK, &json!({}))?
                .run_at(Utc::now() + Duration::seconds(after_secs));
            job.dedupe_key = Some(CHECK.into());
            crate::jobs::enqueue_system(tx, None, job).await?;
            Ok(())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_drops_count() {
        assert_eq!(
            drops(Some("GREEN"), Some("YELLOW"), None, None),
            vec![Drop::Rating {
                from: "GREEN".into(),
                to: "YELLOW".into()
            }]
        );
        assert!(drops(Some("YELLOW"), Some("GREEN"), None, None).is_empty());
        assert!(drops(Some("GREEN"), Some("UNKNOWN"), None, None).is_empty());
        assert!(
            drops(None, Some("RED"), None, None).is_empty(),
            "a first reading is no drop"
        );
        assert_eq!(
            drops(None, None, Some("TIER_10K"), Some("TIER_2K")),
            vec![Drop::Limit {
                from: "TIER_10K".into(),
                to: "TIER_2K".into()
            }]
        );
        assert!(drops(None, None, Some("TIER_2K"), Some("TIER_10K")).is_empty());
    }
}
