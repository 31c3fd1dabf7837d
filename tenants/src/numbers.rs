//! WhatsApp numbers of a business. A number's `phone_number_id` routes Meta's webhooks to its
//! business (unique among connected numbers); its Graph API token is kept encrypted. Every
//! business starts with a sandbox number that the in-app test phone talks to.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::db::{Store, SystemTx, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::pagination::{Page, PageRequest};
use crate::schema::whatsapp_numbers as n;

/// A number as agents and admins see it (never its token).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Number {
    pub id: Uuid,
    pub phone_number_id: String,
    pub waba_id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub quality_rating: Option<String>,
    pub messaging_limit: Option<String>,
    pub throughput_per_second: i32,
    pub status: String,
    pub sandbox: bool,
    pub created_at: DateTime<Utc>,
}

type Row = (
    Uuid,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
    String,
    bool,
    DateTime<Utc>,
);

const COLUMNS: (
    n::id,
    n::phone_number_id,
    n::waba_id,
    n::display_phone_number,
    n::verified_name,
    n::quality_rating,
    n::messaging_limit,
    n::throughput_per_second,
    n::status,
    n::sandbox,
    n::created_at,
) = (
    n::id,
    n::phone_number_id,
    n::waba_id,
    n::display_phone_number,
    n::verified_name,
    n::quality_rating,
    n::messaging_limit,
    n::throughput_per_second,
    n::status,
    n::sandbox,
    n::created_at,
);

fn to_number(r: Row) -> Number {
    Number {
        id: r.0,
        phone_number_id: r.1,
        waba_id: r.2,
        display_phone_number: r.3,
        verified_name: r.4,
        quality_rating: r.5,
        messaging_limit: r.6,
        throughput_per_second: r.7,
        status: r.8,
        sandbox: r.9,
        created_at: r.10,
    }
}

/// The sandbox number's Meta-style ids are derived from the business id, so they are unique.
pub fn sandbox_phone_number_id(tenant: TenantId) -> String {
    format!("sandbox-{}", tenant.0.simple())
}

/// Create the sandbox number of a new business (inside its creating transaction).
pub(crate) async fn create_sandbox(conn: &mut AsyncPgConnection, tenant: TenantId) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let waba = format!("sandbox-waba-{}", tenant.0.simple());
    diesel::insert_into(n::table)
        .values((
            n::tenant_id.eq(tenant),
            n::id.eq(id),
            n::phone_number_id.eq(sandbox_phone_number_id(tenant)),
            n::waba_id.eq(&waba),
            n::display_phone_number.eq("15550000000"),
            n::verified_name.eq("Sandbox"),
            n::quality_rating.eq("GREEN"),
            n::sandbox.eq(true),
        ))
        .execute(conn)
        .await?;
    crate::templates::seed_sandbox(conn, tenant, &waba).await?;
    Ok(id)
}

pub async fn list(tx: &mut TenantTx, page: PageRequest) -> Result<Page<Number>> {
    let mut q = n::table
        .select(COLUMNS)
        .order(n::id)
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(n::id.gt(after));
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    Ok(Page::from_rows(
        rows.into_iter().map(to_number).collect(),
        page,
        |x| x.id,
    ))
}

pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Number> {
    let row: Option<Row> = n::table
        .filter(n::id.eq(id))
        .select(COLUMNS)
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_number).ok_or(Error::NotFound("number"))
}

/// The encrypted token of a number (for the sender), if it has one.
pub async fn sealed_token(tx: &mut TenantTx, id: Uuid) -> Result<Option<Vec<u8>>> {
    Ok(n::table
        .filter(n::id.eq(id))
        .select(n::access_token_enc)
        .first::<Option<Vec<u8>>>(tx.pg())
        .await
        .optional()?
        .flatten())
}

/// Where a webhook's `phone_number_id` belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub tenant: TenantId,
    pub number_id: Uuid,
    /// The sandbox number (its test phone's files are already in the media store).
    pub sandbox: bool,
}

/// Resolve `phone_number_id`s to their businesses (crossing businesses is the job here).
pub async fn routes(store: &Store, phone_number_ids: &[String]) -> Result<Vec<(String, Route)>> {
    let ids = phone_number_ids.to_vec();
    store
        .system(async |tx: &mut SystemTx| -> Result<Vec<(String, Route)>> {
            let rows: Vec<(String, TenantId, Uuid, bool)> = n::table
                .filter(n::phone_number_id.eq_any(&ids))
                .filter(n::status.ne("disconnected"))
                .select((n::phone_number_id, n::tenant_id, n::id, n::sandbox))
                .load(tx.pg())
                .await?;
            Ok(rows
                .into_iter()
                .map(|(p, tenant, number_id, sandbox)| {
                    (
                        p,
                        Route {
                            tenant,
                            number_id,
                            sandbox,
                        },
                    )
                })
                .collect())
        })
        .await
}

/// The businesses (and one of their numbers) that hold a WABA: where template and account
/// events about it belong.
pub async fn waba_owners(store: &Store, waba_id: &str) -> Result<Vec<(TenantId, Uuid)>> {
    let waba = waba_id.to_owned();
    store
        .system(async |tx: &mut SystemTx| -> Result<Vec<(TenantId, Uuid)>> {
            let rows: Vec<(TenantId, Uuid)> = n::table
                .filter(n::waba_id.eq(&waba))
                .filter(n::status.ne("disconnected"))
                .select((n::tenant_id, n::id))
                .order(n::id)
                .load(tx.pg())
                .await?;
            let mut seen = std::collections::HashSet::new();
            Ok(rows.into_iter().filter(|(t, _)| seen.insert(*t)).collect())
        })
        .await
}

/// Error 190 and friends: the token no longer works; admins must reconnect the number. The
/// first time (connected → needs_reconnect) every active member who may manage numbers is
/// emailed; `public_url` makes the link in that mail.
pub async fn mark_needs_reconnect(tx: &mut TenantTx, id: Uuid, public_url: &str) -> Result<()> {
    use crate::schema::tenants;
    let changed: Option<String> = diesel::update(
        n::table
            .filter(n::id.eq(id))
            .filter(n::status.eq("connected")),
    )
    .set((
        n::status.eq("needs_reconnect"),
        n::updated_at.eq(Utc::now()),
    ))
    .returning(n::display_phone_number)
    .get_result(tx.pg())
    .await
    .optional()?;
    let Some(display) = changed else {
        return Ok(());
    };
    let business: String = tenants::table.select(tenants::name).first(tx.pg()).await?;
    let admins =
        crate::people::with_permission(tx, crate::permissions::Permission::NumbersManage).await?;
    let link = format!("{}/settings/numbers", public_url.trim_end_matches('/'));
    for admin in admins {
        let message = crate::mail::number_needs_reconnect(
            crate::mail::Lang::parse(&admin.locale),
            &admin.email,
            &admin.name,
            &format!("+{display}"),
            &business,
            &link,
        );
        crate::jobs::enqueue(
            tx,
            crate::jobs::NewJob::new(crate::jobs::SEND_EMAIL, &message)?.priority(10),
        )
        .await?;
    }
    Ok(())
}

/// What an admin types to connect a number by hand.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualConnection {
    pub phone_number_id: String,
    pub waba_id: String,
    /// A system-user access token with whatsapp_business_messaging permission.
    pub access_token: String,
}

impl ManualConnection {
    /// Shape checks before any call to Meta.
    pub fn check(&self) -> Result<()> {
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_digit());
        if !digits(self.phone_number_id.trim()) {
            return Err(Error::invalid(
                "phone_number_id",
                "The phone number ID is the number Meta shows in WhatsApp Manager (digits only).",
            ));
        }
        if !digits(self.waba_id.trim()) {
            return Err(Error::invalid(
                "waba_id",
                "The WhatsApp Business Account ID is digits only.",
            ));
        }
        let t = self.access_token.trim();
        if t.len() < 20 || t.len() > 1024 || t.chars().any(char::is_whitespace) {
            return Err(Error::invalid(
                "access_token",
                "Paste the whole access token.",
            ));
        }
        Ok(())
    }
}

/// Messages per second Meta allows for a throughput level.
pub fn throughput_for(level: Option<&str>) -> i32 {
    match level {
        Some("HIGH") => 1000,
        _ => 80,
    }
}

/// Save a number Meta has just confirmed (`profile` from `GET /{phone-number-id}`).
pub async fn connect(
    tx: &mut TenantTx,
    actor: &crate::people::Actor,
    input: &ManualConnection,
    profile: &crate::whatsapp::graph::PhoneNumber,
    sealed_token: Vec<u8>,
) -> Result<Number> {
    actor.require(crate::permissions::Permission::NumbersManage)?;
    let tenant = tx.tenant_id();
    let id = Uuid::now_v7();
    let display: String = profile
        .display_phone_number
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    diesel::insert_into(n::table)
        .values((
            n::tenant_id.eq(tenant),
            n::id.eq(id),
            n::phone_number_id.eq(input.phone_number_id.trim()),
            n::waba_id.eq(input.waba_id.trim()),
            n::display_phone_number.eq(display),
            n::verified_name.eq(&profile.verified_name),
            n::quality_rating.eq(&profile.quality_rating),
            n::messaging_limit.eq(&profile.messaging_limit),
            n::throughput_per_second.eq(throughput_for(profile.throughput_level.as_deref())),
            n::access_token_enc.eq(sealed_token),
        ))
        .execute(tx.pg())
        .await
        .map_err(|e| {
            Error::from(e).on_unique(
                "whatsapp_numbers_routing",
                "number_taken",
                "This number is already connected to a business in Chorus.",
            )
        })?;
    let number = get(tx, id).await?;
    // Its WABA's templates are read right away (and every few hours after).
    crate::templates::queue_sync(tx, id, None).await?;
    crate::audit::record(
        tx,
        crate::audit::Entry {
            actor: Some(actor.membership_id),
            action: "number.connected",
            target_type: "number",
            target_id: Some(id),
            before: None,
            after: crate::audit::snapshot(&number),
        },
    )
    .await?;
    Ok(number)
}

/// Disconnect a number: it stops receiving and sending; its conversations stay.
pub async fn disconnect(tx: &mut TenantTx, actor: &crate::people::Actor, id: Uuid) -> Result<()> {
    actor.require(crate::permissions::Permission::NumbersManage)?;
    let before = get(tx, id).await?;
    if before.sandbox {
        return Err(Error::conflict(
            "sandbox_number",
            "The sandbox number cannot be disconnected.",
        ));
    }
    diesel::update(n::table.filter(n::id.eq(id)))
        .set((
            n::status.eq("disconnected"),
            n::access_token_enc.eq(None::<Vec<u8>>),
            n::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    let after = get(tx, id).await?;
    crate::audit::record(
        tx,
        crate::audit::Entry {
            actor: Some(actor.membership_id),
            action: "number.disconnected",
            target_type: "number",
            target_id: Some(id),
            before: crate::audit::snapshot(&before),
            after: crate::audit::snapshot(&after),
        },
    )
    .await?;
    Ok(())
}

/// `phone_number_quality_update`: Meta names the number by WABA and display digits. Applied
/// through the system door because the WABA is what routes it. Returns how many numbers changed.
pub async fn apply_quality(
    store: &Store,
    waba_id: &str,
    update: &crate::whatsapp::webhook::QualityUpdate,
) -> Result<usize> {
    let digits: String = update
        .display_phone_number
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let limit = update
        .limit
        .clone()
        .or_else(|| update.current_limit.clone());
    let rating = match update.event.as_str() {
        "FLAGGED" => Some("YELLOW"),
        "UNFLAGGED" => Some("GREEN"),
        _ => None,
    };
    let waba = waba_id.to_owned();
    let targets: Vec<(Uuid, Uuid)> = store
        .system(async |tx: &mut SystemTx| -> Result<Vec<(Uuid, Uuid)>> {
            Ok(n::table
                .filter(n::waba_id.eq(&waba))
                .filter(n::display_phone_number.eq(&digits))
                .filter(n::status.ne("disconnected"))
                .select((n::tenant_id, n::id))
                .load(tx.pg())
                .await?)
        })
        .await?;
    // Each in its business's door: a drop queues an alert to that business's admins.
    for (tenant, id) in &targets {
        store
            .tenant(crate::ids::TenantId(*tenant), async |tx: &mut TenantTx| {
                crate::quality::apply_reading(tx, *id, rating, limit.as_deref()).await
            })
            .await?;
    }
    Ok(targets.len())
}

/// `account_update` saying the business removed our app: every number of that WABA needs
/// reconnecting. Returns how many numbers changed.
pub async fn revoke_waba(store: &Store, waba_id: &str) -> Result<usize> {
    let waba = waba_id.to_owned();
    store
        .system(async |tx: &mut SystemTx| -> Result<usize> {
            Ok(diesel::update(
                n::table
                    .filter(n::waba_id.eq(&waba))
                    .filter(n::status.eq("connected")),
            )
            .set((
                n::status.eq("needs_reconnect"),
                n::updated_at.eq(Utc::now()),
            ))
            .execute(tx.pg())
            .await?)
        })
        .await
}
