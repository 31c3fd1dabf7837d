//! Businesses (tenants): the root every other business-owned row hangs from.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::schema::tenants;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Business {
    pub id: TenantId,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// Validate a business name: 2 to 80 characters after trimming.
pub fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    let n = name.chars().count();
    if !(2..=80).contains(&n) {
        return Err(Error::invalid(
            "business_name",
            "A business name has 2 to 80 characters.",
        ));
    }
    Ok(name.to_owned())
}

/// The business of this door.
pub async fn current(tx: &mut TenantTx) -> Result<Business> {
    let row: Option<(TenantId, String, String, String, String, DateTime<Utc>)> = tenants::table
        .select((
            tenants::id,
            tenants::name,
            tenants::time_zone,
            tenants::locale,
            tenants::status,
            tenants::created_at,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let (id, name, time_zone, locale, status, created_at) =
        row.ok_or(Error::NotFound("business"))?;
    Ok(Business {
        id,
        name,
        time_zone,
        locale,
        status,
        created_at,
    })
}

/// The business's IANA time zone (UTC if what is stored is not one).
pub async fn time_zone(tx: &mut TenantTx) -> Result<chrono_tz::Tz> {
    let name: Option<String> = tenants::table
        .select(tenants::time_zone)
        .first(tx.pg())
        .await
        .optional()?;
    Ok(name
        .and_then(|n| n.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(chrono_tz::UTC))
}
