//! Outgoing webhooks: a business registers URLs that Chorus tells about events of its inbox
//! (a conversation created, assigned or resolved; a message created or its status changed; a
//! contact updated), for its CRM, helpdesk or data warehouse.
//!
//! - **Outbox, not fire-and-forget.** Triggers on the tables (migration `..._webhook_endpoints`)
//!   write a delivery row and a `webhook_deliver` job in the same transaction as the change, so an
//!   event exists exactly when its change commits. The payload is the event-time snapshot, so a
//!   retry sends the same data. A business without an enabled endpoint pays one index probe per
//!   statement.
//! - **Signed.** Each delivery carries `X-Chorus-Signature: t=<unix seconds>,v1=<hex>`, the
//!   HMAC-SHA256 of `"<t>.<body>"` under the endpoint's secret ([`signature`]); receivers check
//!   it in constant time and refuse old timestamps (replays). `X-Chorus-Event-Id` names the event
//!   (the same for every endpoint and every retry) for de-duplication.
//! - **Retried, logged.** A non-2xx answer, a timeout or a refused connection is retried with the
//!   queue's backoff, up to [`MAX_ATTEMPTS`] attempts (about a day), then the delivery is failed.
//!   Every attempt's status, the first KiB of the answer and the time taken are kept, and a
//!   delivery can be sent again by hand. Deliveries may arrive out of order; the envelope's
//!   `created_at` orders them.
//! - **Guarded.** Only public addresses ([`guard`]).

pub mod guard;
pub mod sender;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use uuid::Uuid;

use crate::crypto::SecretBox;
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::jobs::{self, NewJob};
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{webhook_deliveries as wd, webhook_endpoints as we};

/// The job type that makes one delivery attempt.
pub const DELIVER: &str = "webhook_deliver";
/// Attempts per delivery (the migration's trigger uses the same number).
pub const MAX_ATTEMPTS: i32 = 8;
/// Endpoints per business.
pub const MAX_ENDPOINTS: i64 = 20;

/// The events an endpoint may subscribe to.
pub const EVENTS: [&str; 6] = [
    "conversation.created",
    "conversation.assigned",
    "conversation.resolved",
    "message.created",
    "message.status",
    "contact.updated",
];

/// The event of a test delivery, sent whatever the endpoint subscribed to.
pub const PING: &str = "ping";

/// A registered URL.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// The events it receives.
    pub events: Vec<String>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
}

/// An endpoint with its signing secret: shown once, when created or rotated.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EndpointWithSecret {
    pub endpoint: Endpoint,
    /// Verify `X-Chorus-Signature` with it; it is not shown again.
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EndpointList {
    pub items: Vec<Endpoint>,
    /// Every event name an endpoint may subscribe to.
    pub events: Vec<String>,
}

/// A new endpoint.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    /// An http(s) URL on a public address.
    pub url: String,
    /// At most 200 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// At least one of the event names.
    pub events: Vec<String>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// Changes to an endpoint; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointChanges {
    pub url: Option<String>,
    /// An empty text removes it.
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// A URL that passed [`guard::check_url`]: the only way to store one.
#[derive(Debug, Clone)]
pub struct CheckedUrl(String);

impl CheckedUrl {
    /// Check `raw` under `policy`; a refusal is a 422 on `url`.
    pub async fn check(policy: guard::TargetPolicy, raw: &str) -> Result<Self> {
        guard::check_url(policy, raw)
            .await
            .map(|u| Self(u.to_string()))
            .map_err(|m| Error::invalid("url", m))
    }
}

/// One event sent (or to be sent) to one endpoint.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event: String,
    /// pending, delivered or failed
    pub state: String,
    pub attempts: i32,
    /// The receiver's last HTTP status, if it answered.
    pub response_status: Option<i32>,
    /// The first KiB of its answer, or why there was none.
    pub response_excerpt: Option<String>,
    pub duration_ms: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub attempted_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The event's `data`, as sent.
    #[schema(value_type = Object)]
    pub payload: Value,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct DeliveryFilter {
    /// pending, delivered or failed
    pub state: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

type EndpointRow = (
    Uuid,
    String,
    Option<String>,
    Vec<String>,
    bool,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn endpoint_columns() -> (
    we::id,
    we::url,
    we::description,
    we::events,
    we::enabled,
    we::created_at,
    we::updated_at,
    we::last_success_at,
    we::last_failure_at,
) {
    (
        we::id,
        we::url,
        we::description,
        we::events,
        we::enabled,
        we::created_at,
        we::updated_at,
        we::last_success_at,
        we::last_failure_at,
    )
}

fn to_endpoint(r: EndpointRow) -> Endpoint {
    Endpoint {
        id: r.0,
        url: r.1,
        description: r.2,
        events: r.3,
        enabled: r.4,
        created_at: r.5,
        updated_at: r.6,
        last_success_at: r.7,
        last_failure_at: r.8,
    }
}

type DeliveryRow = (
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    i32,
    Option<i32>,
    Option<String>,
    Option<i32>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Value,
);

#[allow(clippy::type_complexity)]
fn delivery_columns() -> (
    wd::id,
    wd::endpoint_id,
    wd::event_id,
    wd::event,
    wd::state,
    wd::attempts,
    wd::response_status,
    wd::response_excerpt,
    wd::duration_ms,
    wd::created_at,
    wd::attempted_at,
    wd::delivered_at,
    wd::payload,
) {
    (
        wd::id,
        wd::endpoint_id,
        wd::event_id,
        wd::event,
        wd::state,
        wd::attempts,
        wd::response_status,
        wd::response_excerpt,
        wd::duration_ms,
        wd::created_at,
        wd::attempted_at,
        wd::delivered_at,
        wd::payload,
    )
}

fn to_delivery(r: DeliveryRow) -> Delivery {
    Delivery {
        id: r.0,
        endpoint_id: r.1,
        event_id: r.2,
        event: r.3,
        state: r.4,
        attempts: r.5,
        response_status: r.6,
        response_excerpt: r.7,
        duration_ms: r.8,
        created_at: r.9,
        attempted_at: r.10,
        delivered_at: r.11,
        payload: r.12,
    }
}

fn check_events(events: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let e = e.trim();
        if !EVENTS.contains(&e) {
            return Err(Error::invalid(
                "events",
                format!("{e:?} is not an event; choose from {}.", EVENTS.join(", ")),
            ));
        }
        if !out.iter().any(|x| x == e) {
            out.push(e.to_owned());
        }
    }
    if out.is_empty() {
        return Err(Error::invalid("events", "Choose at least one event."));
    }
    Ok(out)
}

fn check_description(d: Option<&str>) -> Result<Option<String>> {
    match d.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) if d.chars().count() > 200 => Err(Error::invalid(
            "description",
            "A description has at most 200 characters.",
        )),
        Some(d) => Ok(Some(d.to_owned())),
    }
}

/// A fresh signing secret and its sealed form.
fn new_secret(secrets: &SecretBox) -> Result<(String, Vec<u8>)> {
    let secret = format!("whsec_{}", crate::crypto::random_secret());
    let sealed = secrets.seal(secret.as_bytes())?;
    Ok((secret, sealed))
}

async fn audit(
    tx: &mut TenantTx,
    actor: &Actor,
    action: &str,
    id: Uuid,
    before: Option<&Endpoint>,
    after: Option<&Endpoint>,
) -> Result<()> {
    crate::audit::record(
        tx,
        crate::audit::Entry {
            actor: Some(actor.membership_id),
            action,
            target_type: "webhook_endpoint",
            target_id: Some(id),
            before: before.map(|e| json!(e)),
            after: after.map(|e| json!(e)),
        },
    )
    .await
}

pub async fn list(tx: &mut TenantTx, actor: &Actor) -> Result<EndpointList> {
    actor.require(Permission::SettingsManage)?;
    let rows: Vec<EndpointRow> = we::table
        .select(endpoint_columns())
        .order(we::created_at.asc())
        .load(tx.pg())
        .await?;
    Ok(EndpointList {
        items: rows.into_iter().map(to_endpoint).collect(),
        events: EVENTS.iter().map(|e| (*e).to_owned()).collect(),
    })
}

pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<Endpoint> {
    actor.require(Permission::SettingsManage)?;
    find(tx, id).await
}

async fn find(tx: &mut TenantTx, id: Uuid) -> Result<Endpoint> {
    we::table
        .filter(we::id.eq(id))
        .select(endpoint_columns())
        .first::<EndpointRow>(tx.pg())
        .await
        .optional()?
        .map(to_endpoint)
        .ok_or(Error::NotFound("webhook endpoint"))
}

pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    secrets: &SecretBox,
    url: CheckedUrl,
    input: EndpointInput,
) -> Result<EndpointWithSecret> {
    actor.require(Permission::SettingsManage)?;
    let events = check_events(&input.events)?;
    let description = check_description(input.description.as_deref())?;
    let count: i64 = we::table.count().get_result(tx.pg()).await?;
    if count >= MAX_ENDPOINTS {
        return Err(Error::Unprocessable {
            code: "too_many_endpoints",
            message: format!(
                "A business has at most {MAX_ENDPOINTS} webhook endpoints; remove one first."
            ),
        });
    }
    let (secret, sealed) = new_secret(secrets)?;
    let id = Uuid::now_v7();
    diesel::insert_into(we::table)
        .values((
            we::tenant_id.eq(tx.tenant_id()),
            we::id.eq(id),
            we::url.eq(url.0),
            we::description.eq(description),
            we::events.eq(events),
            we::secret_encrypted.eq(sealed),
            we::enabled.eq(input.enabled),
        ))
        .execute(tx.pg())
        .await?;
    let endpoint = find(tx, id).await?;
    audit(
        tx,
        actor,
        "webhook_endpoint.created",
        id,
        None,
        Some(&endpoint),
    )
    .await?;
    Ok(EndpointWithSecret { endpoint, secret })
}

pub async fn update(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    url: Option<CheckedUrl>,
    changes: EndpointChanges,
) -> Result<Endpoint> {
    actor.require(Permission::SettingsManage)?;
    let before = find(tx, id).await?;
    let events = changes.events.as_deref().map(check_events).transpose()?;
    let description = changes
        .description
        .as_deref()
        .map(|d| check_description(Some(d)))
        .transpose()?;
    diesel::update(we::table.filter(we::id.eq(id)))
        .set((
            we::url.eq(url.map(|u| u.0).unwrap_or_else(|| before.url.clone())),
            we::description.eq(description.unwrap_or_else(|| before.description.clone())),
            we::events.eq(events.unwrap_or_else(|| before.events.clone())),
            we::enabled.eq(changes.enabled.unwrap_or(before.enabled)),
            we::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    let after = find(tx, id).await?;
    audit(
        tx,
        actor,
        "webhook_endpoint.updated",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Remove an endpoint with its delivery log; its pending deliveries are dropped.
pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(Permission::SettingsManage)?;
    let before = find(tx, id).await?;
    diesel::delete(we::table.filter(we::id.eq(id)))
        .execute(tx.pg())
        .await?;
    audit(
        tx,
        actor,
        "webhook_endpoint.deleted",
        id,
        Some(&before),
        None,
    )
    .await
}

/// Replace the signing secret; deliveries from now on are signed with the new one.
pub async fn rotate_secret(
    tx: &mut TenantTx,
    actor: &Actor,
    secrets: &SecretBox,
    id: Uuid,
) -> Result<EndpointWithSecret> {
    actor.require(Permission::SettingsManage)?;
    find(tx, id).await?;
    let (secret, sealed) = new_secret(secrets)?;
    diesel::update(we::table.filter(we::id.eq(id)))
        .set((
            we::secret_encrypted.eq(sealed),
            we::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    let endpoint = find(tx, id).await?;
    audit(tx, actor, "webhook_endpoint.secret_rotated", id, None, None).await?;
    Ok(EndpointWithSecret { endpoint, secret })
}

/// The endpoint's deliveries, newest first.
pub async fn deliveries(
    tx: &mut TenantTx,
    actor: &Actor,
    endpoint: Uuid,
    filter: DeliveryFilter,
) -> Result<Page<Delivery>> {
    actor.require(Permission::SettingsManage)?;
    find(tx, endpoint).await?;
    let page = PageRequest::parse(filter.cursor.as_deref(), filter.limit)?;
    let mut q = wd::table
        .filter(wd::endpoint_id.eq(endpoint))
        .select(delivery_columns())
        .order(wd::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(state) = filter.state.as_deref() {
        if !["pending", "delivered", "failed"].contains(&state) {
            return Err(Error::invalid(
                "state",
                "The state is pending, delivered or failed.",
            ));
        }
        q = q.filter(wd::state.eq(state.to_owned()));
    }
    if let Some(after) = page.after {
        q = q.filter(wd::id.lt(after));
    }
    let rows: Vec<DeliveryRow> = q.load(tx.pg()).await?;
    Ok(Page::from_rows(rows, page, |r| r.0).map(to_delivery))
}

async fn find_delivery(tx: &mut TenantTx, endpoint: Uuid, id: Uuid) -> Result<Delivery> {
    wd::table
        .filter(wd::endpoint_id.eq(endpoint).and(wd::id.eq(id)))
        .select(delivery_columns())
        .first::<DeliveryRow>(tx.pg())
        .await
        .optional()?
        .map(to_delivery)
        .ok_or(Error::NotFound("webhook delivery"))
}

async fn queue(
    tx: &mut TenantTx,
    endpoint: Uuid,
    event_id: Uuid,
    event: &str,
    payload: Value,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(wd::table)
        .values((
            wd::tenant_id.eq(tx.tenant_id()),
            wd::id.eq(id),
            wd::endpoint_id.eq(endpoint),
            wd::event_id.eq(event_id),
            wd::event.eq(event),
            wd::payload.eq(payload),
        ))
        .execute(tx.pg())
        .await?;
    let mut job = NewJob::new(DELIVER, &json!({ "delivery_id": id }))?;
    job.max_attempts = MAX_ATTEMPTS;
    jobs::enqueue(tx, job).await?;
    Ok(id)
}

/// Send a `ping` event to the endpoint now (whatever it subscribed to, even when off).
pub async fn ping(tx: &mut TenantTx, actor: &Actor, endpoint: Uuid) -> Result<Delivery> {
    actor.require(Permission::SettingsManage)?;
    find(tx, endpoint).await?;
    let payload =
        json!({ "message": "A test delivery from Chorus.", "sent_by": actor.membership_id });
    let id = queue(tx, endpoint, Uuid::now_v7(), PING, payload).await?;
    find_delivery(tx, endpoint, id).await
}

/// Queue a delivery again: a new delivery of the same event (same event id and data).
pub async fn redeliver(
    tx: &mut TenantTx,
    actor: &Actor,
    endpoint: Uuid,
    delivery: Uuid,
) -> Result<Delivery> {
    actor.require(Permission::SettingsManage)?;
    let old = find_delivery(tx, endpoint, delivery).await?;
    let id = queue(tx, endpoint, old.event_id, &old.event, old.payload).await?;
    find_delivery(tx, endpoint, id).await
}

/// What a delivery job sends.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery_id: Uuid,
    pub endpoint_id: Uuid,
    pub url: String,
    /// Off endpoints still get pings; other events are dropped.
    pub enabled: bool,
    pub secret: String,
    pub event: String,
    pub event_id: Uuid,
    pub state: String,
    /// The JSON body: `{id, type, created_at, business_id, data}`.
    pub body: String,
}

/// Load a delivery for its job; `None` when it (or its endpoint) is gone.
pub async fn outgoing(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    delivery: Uuid,
) -> Result<Option<Outgoing>> {
    type Row = (
        Uuid,
        String,
        bool,
        Vec<u8>,
        String,
        Uuid,
        String,
        DateTime<Utc>,
        Value,
    );
    let row: Option<Row> = wd::table
        .inner_join(
            we::table.on(we::tenant_id
                .eq(wd::tenant_id)
                .and(we::id.eq(wd::endpoint_id))),
        )
        .filter(wd::id.eq(delivery))
        .select((
            we::id,
            we::url,
            we::enabled,
            we::secret_encrypted,
            wd::event,
            wd::event_id,
            wd::state,
            wd::created_at,
            wd::payload,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let Some((endpoint_id, url, enabled, sealed, event, event_id, state, created_at, data)) = row
    else {
        return Ok(None);
    };
    let secret = String::from_utf8(secrets.open(&sealed)?)
        .map_err(|_| anyhow::anyhow!("a webhook secret is not text"))?;
    let body = json!({
        "id": event_id,
        "type": event,
        "created_at": created_at,
        "business_id": tx.tenant_id(),
        "data": data,
    })
    .to_string();
    Ok(Some(Outgoing {
        delivery_id: delivery,
        endpoint_id,
        url,
        enabled,
        secret,
        event,
        event_id,
        state,
        body,
    }))
}

/// What one attempt found.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: Option<u16>,
    /// The start of the answer, or the error.
    pub excerpt: String,
    pub duration_ms: i32,
    pub delivered: bool,
    /// No attempt follows this one.
    pub last: bool,
}

/// Record an attempt on the delivery and its endpoint.
pub async fn record(tx: &mut TenantTx, out: &Outgoing, attempt: &Attempt) -> Result<()> {
    let now = Utc::now();
    let state = if attempt.delivered {
        "delivered"
    } else if attempt.last {
        "failed"
    } else {
        "pending"
    };
    diesel::update(wd::table.filter(wd::id.eq(out.delivery_id)))
        .set((
            wd::attempts.eq(wd::attempts + 1),
            wd::state.eq(state),
            wd::response_status.eq(attempt.status.map(i32::from)),
            wd::response_excerpt.eq(&attempt.excerpt),
            wd::duration_ms.eq(attempt.duration_ms),
            wd::attempted_at.eq(now),
            wd::delivered_at.eq(attempt.delivered.then_some(now)),
        ))
        .execute(tx.pg())
        .await?;
    let target = we::table.filter(we::id.eq(out.endpoint_id));
    if attempt.delivered {
        diesel::update(target)
            .set(we::last_success_at.eq(now))
            .execute(tx.pg())
            .await?;
    } else {
        diesel::update(target)
            .set(we::last_failure_at.eq(now))
            .execute(tx.pg())
            .await?;
    }
    Ok(())
}

/// Mark a delivery failed without sending (its endpoint was switched off).
pub async fn drop_delivery(tx: &mut TenantTx, delivery: Uuid, why: &str) -> Result<()> {
    diesel::update(wd::table.filter(wd::id.eq(delivery)))
        .set((wd::state.eq("failed"), wd::response_excerpt.eq(why)))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// The `X-Chorus-Signature` value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Check a signature header as a receiver would: right secret, and a timestamp within
/// `tolerance_secs` of `now` (Unix seconds). Constant-time on the MAC.
pub fn verify(secret: &str, header: &str, body: &str, now: i64, tolerance_secs: i64) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else {
        return false;
    };
    if (now - t).abs() > tolerance_secs {
        return false;
    }
    let want = sign(secret, t, body);
    v1.iter()
        .any(|got| crate::crypto::constant_time_eq(got.as_bytes(), want.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_expire() {
        let body = r#"{"id":"1","type":"ping"}"#;
        let header = signature("whsec_x", 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify("whsec_x", &header, body, 1_700_000_100, 300));
        assert!(
            !verify("whsec_y", &header, body, 1_700_000_100, 300),
            "wrong secret"
        );
        assert!(
            !verify("whsec_x", &header, "{}", 1_700_000_100, 300),
            "other body"
        );
        assert!(
            !verify("whsec_x", &header, body, 1_700_000_400, 300),
            "too old"
        );
        assert!(
            !verify("whsec_x", "v1=abc", body, 1_700_000_000, 300),
            "no time"
        );
    }

    #[test]
    fn events_are_checked_and_deduplicated() {
        let ok = check_events(&["message.created".into(), "message.created".into()]).unwrap();
        assert_eq!(ok, vec!["message.created"]);
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["message.deleted".into()]).is_err());
    }
}
