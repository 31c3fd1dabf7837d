//! A business that brings its own Meta app. Meta signs webhooks with the app's secret, so a
//! business using its own app cannot share Chorus's webhook endpoint: it gets its own path,
//! `/webhooks/whatsapp/{webhook_key}`, checked with its own secret and verify token (both kept
//! encrypted), and deliveries on that path may only touch that business's numbers.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use crate::db::{Store, SystemTx, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::meta_apps as a;

/// What admins see (never the secret or the verify token).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MetaApp {
    pub configured: bool,
    pub app_id: Option<String>,
    /// The path Meta must post to for this business's numbers (prefix it with the public URL).
    pub webhook_path: String,
    pub verify_token_set: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Chorus's shared webhook path, for businesses on Chorus's own Meta app.
pub const SHARED_PATH: &str = "/webhooks/whatsapp";

/// What an admin enters from the Meta App Dashboard.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetaAppInput {
    pub app_id: String,
    /// App settings → Basic → App secret.
    pub app_secret: String,
    /// Any string; Meta echoes it when it verifies the webhook URL.
    pub verify_token: String,
}

impl MetaAppInput {
    pub fn check(&self) -> Result<()> {
        let id = self.app_id.trim();
        if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::invalid("app_id", "The app ID is digits only."));
        }
        let secret = self.app_secret.trim();
        if secret.len() < 16
            || secret.len() > 128
            || !secret.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Error::invalid(
                "app_secret",
                "Paste the app secret from App settings → Basic (letters and digits).",
            ));
        }
        let token = self.verify_token.trim();
        if token.len() < 8 || token.len() > 200 || token.chars().any(char::is_whitespace) {
            return Err(Error::invalid(
                "verify_token",
                "Choose a verify token of 8 to 200 characters without spaces.",
            ));
        }
        Ok(())
    }
}

fn path_for(key: &str) -> String {
    format!("{SHARED_PATH}/{key}")
}

pub async fn get(tx: &mut TenantTx) -> Result<MetaApp> {
    let row: Option<(String, String, DateTime<Utc>)> = a::table
        .select((a::app_id, a::webhook_key, a::updated_at))
        .first(tx.pg())
        .await
        .optional()?;
    Ok(match row {
        Some((app_id, key, updated_at)) => MetaApp {
            configured: true,
            app_id: Some(app_id),
            webhook_path: path_for(&key),
            verify_token_set: true,
            updated_at: Some(updated_at),
        },
        None => MetaApp {
            configured: false,
            app_id: None,
            webhook_path: SHARED_PATH.into(),
            verify_token_set: false,
            updated_at: None,
        },
    })
}

/// Set (or replace) the business's app. The webhook path stays the same across replacements.
pub async fn put(
    tx: &mut TenantTx,
    actor: &Actor,
    app_id: &str,
    sealed_secret: Vec<u8>,
    sealed_verify_token: Vec<u8>,
) -> Result<MetaApp> {
    actor.require(Permission::NumbersManage)?;
    let key: String = crate::crypto::random_secret().chars().take(24).collect();
    diesel::insert_into(a::table)
        .values((
            a::tenant_id.eq(tx.tenant_id()),
            a::app_id.eq(app_id.trim()),
            a::app_secret_enc.eq(&sealed_secret),
            a::verify_token_enc.eq(&sealed_verify_token),
            a::webhook_key.eq(&key),
        ))
        .on_conflict(a::tenant_id)
        .do_update()
        .set((
            a::app_id.eq(app_id.trim()),
            a::app_secret_enc.eq(&sealed_secret),
            a::verify_token_enc.eq(&sealed_verify_token),
            a::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    let app = get(tx).await?;
    crate::audit::record(
        tx,
        crate::audit::Entry {
            actor: Some(actor.membership_id),
            action: "meta_app.set",
            target_type: "meta_app",
            target_id: None,
            before: None,
            after: crate::audit::snapshot(&app),
        },
    )
    .await?;
    Ok(app)
}

/// Back to Chorus's own app and shared webhook path.
pub async fn delete(tx: &mut TenantTx, actor: &Actor) -> Result<()> {
    actor.require(Permission::NumbersManage)?;
    let n = diesel::delete(a::table).execute(tx.pg()).await?;
    if n == 0 {
        return Err(Error::NotFound("meta app"));
    }
    crate::audit::record(
        tx,
        crate::audit::Entry {
            actor: Some(actor.membership_id),
            action: "meta_app.removed",
            target_type: "meta_app",
            target_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// The business behind a webhook path, with its sealed secret and verify token.
#[derive(Debug, Clone)]
pub struct WebhookApp {
    pub tenant: TenantId,
    pub app_secret_enc: Vec<u8>,
    pub verify_token_enc: Vec<u8>,
}

/// Look a webhook key up (system door: the key is what tells us the business).
pub async fn by_key(store: &Store, key: &str) -> Result<Option<WebhookApp>> {
    if key.is_empty() || key.len() > 64 {
        return Ok(None);
    }
    let key = key.to_owned();
    store
        .system(async |tx: &mut SystemTx| -> Result<Option<WebhookApp>> {
            let row: Option<(TenantId, Vec<u8>, Vec<u8>)> = a::table
                .filter(a::webhook_key.eq(&key))
                .select((a::tenant_id, a::app_secret_enc, a::verify_token_enc))
                .first(tx.pg())
                .await
                .optional()?;
            Ok(
                row.map(|(tenant, app_secret_enc, verify_token_enc)| WebhookApp {
                    tenant,
                    app_secret_enc,
                    verify_token_enc,
                }),
            )
        })
        .await
}
