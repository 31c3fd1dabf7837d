//! Jobs about what messages carry: downloading customers' files from Meta before their
//! five-minute URLs lapse, uploading agents' files to Meta for a send, and keeping a number's
//! templates in step with Meta.

use anyhow::Context;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TenantId;
use chorus_tenants::media::{self, MAX_BYTES, MediaStore};
use chorus_tenants::templates;
use chorus_tenants::whatsapp::graph::{
    GraphError, MediaSource, OutboundContent, ParameterValue, TemplateComponent,
};
use chorus_tenants::whatsapp::{ErrorClass, Lang};

use crate::queue::Claimed;
use crate::registry::Environment;

/// `download_media`: Meta media id → bytes in the media store, hash checked.
pub async fn download_media(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("download_media is a business job")?);
    let id: Uuid = serde_json::from_value(job.data["media_id"].clone()).context("media_id")?;
    let target = env
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            media::download_target(tx, id).await
        })
        .await?;
    let Some(target) = target else { return Ok(()) };
    let fail = async |why: String| -> anyhow::Result<()> {
        env.store
            .tenant(tenant, async |tx: &mut TenantTx| {
                media::mark_failed(tx, id, &why).await
            })
            .await?;
        Ok(())
    };
    let Some(sealed) = target.token_enc.as_deref() else {
        return fail("The number has no access token, so the file could not be fetched.".into())
            .await;
    };
    let token = String::from_utf8(env.secrets.open(sealed)?)?;
    let meta_id = target.row.meta_media_id.clone().unwrap_or_default();
    let last_attempt = job.attempts >= job.max_attempts;
    // A URL lives five minutes: one fresh URL per try, and one more if it lapsed in between.
    let mut outcome = Err(GraphError::MediaUrlExpired);
    for _ in 0..2 {
        outcome = match env.graph.media_url(&meta_id, &token).await {
            Ok(info) => {
                if info.file_size.is_some_and(|s| s > MAX_BYTES as u64) {
                    return fail("The file is larger than WhatsApp's 100 MB limit.".into()).await;
                }
                env.graph
                    .download_media(&info.url, &token, MAX_BYTES)
                    .await
                    .map(|d| (d, info))
            }
            Err(e) => Err(e),
        };
        if !matches!(outcome, Err(GraphError::MediaUrlExpired)) {
            break;
        }
    }
    let (downloaded, info) = match outcome {
        Ok(ok) => ok,
        Err(GraphError::TooLarge { .. }) => {
            return fail("The file is larger than WhatsApp's 100 MB limit.".into()).await;
        }
        Err(e) => {
            let permanent = matches!(e.class(), ErrorClass::Permanent | ErrorClass::TokenInvalid);
            if permanent || last_attempt {
                return fail(format!(
                    "WhatsApp did not hand over the file: {}",
                    e.explain(Lang::En)
                ))
                .await;
            }
            return Err(anyhow::anyhow!(
                "fetching media {meta_id}: {e} (will retry)"
            ));
        }
    };
    let digest = chorus_tenants::crypto::sha256(&downloaded.bytes);
    let digest_hex = chorus_tenants::crypto::sha256_hex(&downloaded.bytes);
    let expected = target.row.sha256.clone().or_else(|| info.sha256.clone());
    if let Some(expected) = expected.filter(|e| !e.is_empty())
        && !media::meta_hash_matches(&expected, &digest)
    {
        if last_attempt {
            return fail("The file arrived damaged (its SHA-256 does not match Meta's).".into())
                .await;
        }
        return Err(anyhow::anyhow!(
            "media {meta_id}: SHA-256 mismatch (will retry)"
        ));
    }
    let size = downloaded.bytes.len();
    let mime = target
        .row
        .mime_type
        .clone()
        .or(info.mime_type.clone())
        .or(downloaded.content_type.clone());
    env.media
        .put(&MediaStore::storage_key(tenant, id), downloaded.bytes)
        .await
        .context("storing media")?;
    env.store
        .tenant(tenant, async |tx: &mut TenantTx| {
            media::mark_ready(tx, id, mime.as_deref(), size, &digest_hex).await
        })
        .await?;
    metrics::counter!("chorus_media_downloaded_total").increment(1);
    Ok(())
}

/// Every `chorus:<media id>` source in a message's content.
fn media_sources(content: &mut OutboundContent) -> Vec<&mut MediaSource> {
    match content {
        OutboundContent::Image { media, .. }
        | OutboundContent::Video { media, .. }
        | OutboundContent::Audio { media }
        | OutboundContent::Document { media, .. }
        | OutboundContent::Sticker { media } => vec![media],
        OutboundContent::Template(t) => t
            .components
            .iter_mut()
            .flat_map(|c| match c {
                TemplateComponent::Header { parameters }
                | TemplateComponent::Body { parameters }
                | TemplateComponent::Button { parameters, .. } => parameters.iter_mut(),
            })
            .filter_map(|p| match &mut p.value {
                ParameterValue::Image(m) | ParameterValue::Video(m) => Some(m),
                ParameterValue::Document { media, .. } => Some(media),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|m| matches!(m, MediaSource::Id(id) if id.starts_with("chorus:")))
    .collect()
}

/// Why a file could not be made ready for Meta.
pub enum MediaProblem {
    /// Not worth retrying: the message fails with this explanation.
    Permanent(String),
    /// Retry later.
    Transient(anyhow::Error),
    /// Meta refused the token (error 190).
    TokenInvalid(String),
}

/// Swap `chorus:<id>` sources for Meta media ids of this number, uploading files Meta does not
/// have yet (and remembering the id for 29 days, so a retry or a second send reuses it).
pub async fn resolve_media(
    env: &Environment,
    tenant: TenantId,
    number_id: Uuid,
    phone_number_id: &str,
    token: &str,
    content: &mut OutboundContent,
) -> Result<(), MediaProblem> {
    for source in media_sources(content) {
        let MediaSource::Id(reference) = source else {
            continue;
        };
        let Some(id) = reference
            .strip_prefix("chorus:")
            .and_then(|s| s.parse::<Uuid>().ok())
        else {
            return Err(MediaProblem::Permanent(
                "The attached file reference is not valid.".into(),
            ));
        };
        let row = env
            .store
            .tenant(tenant, async |tx: &mut TenantTx| media::get(tx, id).await)
            .await
            .map_err(|e| MediaProblem::Transient(e.into()))?;
        if let Some(meta_id) = media::reusable_meta_id(&row, number_id) {
            *source = MediaSource::Id(meta_id);
            continue;
        }
        let Some(key) = row.storage_key.as_deref() else {
            return Err(MediaProblem::Permanent(
                "The attached file is not available.".into(),
            ));
        };
        let bytes = env.media.get(key).await.map_err(MediaProblem::Transient)?;
        let mime = row
            .mime_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let filename = row.filename.clone().unwrap_or_else(|| format!("{id}"));
        let meta_id = match env
            .graph
            .upload_media(phone_number_id, token, bytes, &mime, &filename)
            .await
        {
            Ok(meta_id) => meta_id,
            Err(e) => {
                return Err(match e.class() {
                    ErrorClass::TokenInvalid => MediaProblem::TokenInvalid(e.explain(Lang::En)),
                    ErrorClass::Retryable { .. } => {
                        MediaProblem::Transient(anyhow::anyhow!("uploading media: {e}"))
                    }
                    _ => MediaProblem::Permanent(format!(
                        "WhatsApp refused the file: {}",
                        e.explain(Lang::En)
                    )),
                });
            }
        };
        env.store
            .tenant(tenant, async |tx: &mut TenantTx| {
                media::remember_meta_upload(tx, id, number_id, &meta_id).await
            })
            .await
            .map_err(|e| MediaProblem::Transient(e.into()))?;
        *source = MediaSource::Id(meta_id);
    }
    Ok(())
}

/// `sync_templates`: re-read a number's WABA templates from Meta, then schedule the next
/// periodic sync.
pub async fn sync_templates(env: Environment, job: Claimed) -> anyhow::Result<()> {
    let tenant = TenantId(job.tenant_id.context("sync_templates is a business job")?);
    let number_id: Uuid =
        serde_json::from_value(job.data["number_id"].clone()).context("number_id")?;
    let found = env
        .store
        .tenant(
            tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let number = match chorus_tenants::numbers::get(tx, number_id).await {
                    Ok(n) => n,
                    Err(chorus_tenants::Error::NotFound(_)) => return Ok(None),
                    Err(e) => return Err(e),
                };
                let sealed = chorus_tenants::numbers::sealed_token(tx, number_id).await?;
                Ok(Some((number, sealed)))
            },
        )
        .await?;
    let Some((number, sealed)) = found else {
        return Ok(());
    };
    if number.sandbox || number.status == "disconnected" {
        return Ok(());
    }
    let Some(sealed) = sealed else { return Ok(()) };
    let token = String::from_utf8(env.secrets.open(&sealed)?)?;
    let list = match env.graph.list_templates(&number.waba_id, &token).await {
        Ok(list) => list,
        Err(e) if matches!(e.class(), ErrorClass::TokenInvalid) => {
            env.store
                .tenant(tenant, async |tx: &mut TenantTx| {
                    chorus_tenants::numbers::mark_needs_reconnect(tx, number_id, &env.public_url)
                        .await
                })
                .await?;
            return Ok(());
        }
        Err(e) => {
            return Err(anyhow::anyhow!(
                "listing templates of {}: {e}",
                number.waba_id
            ));
        }
    };
    let stored = env
        .store
        .tenant(
            tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<usize> {
                let n = templates::store_synced(tx, &number.waba_id, &list).await?;
                templates::queue_sync(
                    tx,
                    number_id,
                    Some(chrono::Utc::now() + templates::SYNC_EVERY),
                )
                .await?;
                Ok(n)
            },
        )
        .await?;
    tracing::info!(%tenant, waba = %number.waba_id, templates = stored, "templates synced");
    Ok(())
}
