//! Media files: customers' images, voice notes and documents, and the files agents attach.
//!
//! The bytes live in the media store (`object_store`: a local folder by default, S3 by
//! configuration), under `<tenant>/<media id>`; the `media` table describes them. Inbound media
//! arrives as a Meta media id whose download URL lives five minutes, so ingest only records a
//! `pending` row and queues `download_media` at high priority; the worker fetches, checks the
//! SHA-256 Meta gave, stores and marks it `ready`. Agents reach the bytes only through the API:
//! with their bearer token, or through a short-lived URL signed for one business and one file
//! (what `<img src>` can use). Uploads are checked against Meta's type and size limits before
//! anything is stored, so a file WhatsApp would refuse is refused here with a clear error.
//!
//! S3 is configured by the standard `AWS_*` variables (`AmazonS3Builder::from_env`: keys, roles,
//! region, `AWS_ENDPOINT`) with [`S3Settings`] on top, so the configuration (and the tests, which
//! run one against a local `moto_server`) can name an S3-compatible endpoint and credentials
//! explicitly instead of through process-global variables. Signing S3 requests needs a crypto
//! provider in `object_store`: the workspace enables its `ring` feature (the provider rustls
//! already uses); without it every S3 request fails.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use hmac::{Hmac, Mac};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt};
use serde::Serialize;
use sha2::Sha256;
use uuid::Uuid;

use crate::crypto::SecretKey;
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::jobs::{self, NewJob};
use crate::schema::media as md;

/// The job that downloads one inbound file from Meta (`{"media_id": ...}`).
pub const DOWNLOAD_MEDIA: &str = "download_media";
/// How long a signed media URL works.
pub const URL_LIFETIME_SECS: i64 = 3600;
/// The largest file WhatsApp carries (documents).
pub const MAX_BYTES: usize = 100 * 1024 * 1024;
/// Meta keeps an uploaded media id usable for 30 days; we stop reusing it a day earlier.
pub const META_UPLOAD_LIFETIME: chrono::Duration = chrono::Duration::days(29);

/// What WhatsApp calls the file, which decides its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    /// Meta's size limit for the kind (sheet §6; stickers: the animated limit).
    pub fn limit(self) -> usize {
        match self {
            MediaKind::Image => 5 * 1024 * 1024,
            MediaKind::Video | MediaKind::Audio => 16 * 1024 * 1024,
            MediaKind::Document => MAX_BYTES,
            MediaKind::Sticker => 500 * 1024,
        }
    }
}

/// The essence of a MIME type (`audio/ogg; codecs=opus` → `audio/ogg`), lowercase.
pub fn essence(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The WhatsApp kind of a file type Meta accepts for sending, or `None`.
pub fn kind_of(mime: &str) -> Option<MediaKind> {
    Some(match essence(mime).as_str() {
        "image/jpeg" | "image/png" => MediaKind::Image,
        "image/webp" => MediaKind::Sticker,
        "video/mp4" | "video/3gpp" => MediaKind::Video,
        "audio/aac" | "audio/amr" | "audio/mpeg" | "audio/mp4" | "audio/ogg" => MediaKind::Audio,
        "application/pdf"
        | "text/plain"
        | "application/msword"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.ms-excel"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
            MediaKind::Document
        }
        _ => return None,
    })
}

/// Refuse what WhatsApp would refuse: an unsupported type (415) or a file over the kind's limit
/// (413), and images whose bytes are not what their type says.
pub fn check_upload(mime: &str, bytes: &[u8]) -> Result<MediaKind> {
    let Some(kind) = kind_of(mime) else {
        return Err(unsupported(mime));
    };
    if bytes.is_empty() {
        return Err(Error::invalid("file", "The file is empty."));
    }
    if bytes.len() > kind.limit() {
        return Err(too_large(kind));
    }
    let magic_ok = match essence(mime).as_str() {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/webp" => bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        "application/pdf" => bytes.starts_with(b"%PDF"),
        _ => true,
    };
    if !magic_ok {
        return Err(Error::UnsupportedMedia(format!(
            "The file's contents are not {}: WhatsApp would refuse it.",
            essence(mime)
        )));
    }
    Ok(kind)
}

/// 415 for a type WhatsApp cannot send.
pub fn unsupported(mime: &str) -> Error {
    Error::UnsupportedMedia(format!(
        "WhatsApp cannot send {} files. Images are JPEG or PNG, videos MP4 or 3GP, audio AAC, AMR, MP3, M4A or OGG, stickers WebP, and documents PDF, Word, Excel, PowerPoint or plain text.",
        essence(mime)
    ))
}

pub fn too_large(kind: MediaKind) -> Error {
    Error::TooLarge(format!(
        "WhatsApp carries {} files of at most {} MB.",
        kind.as_str(),
        human_mb(kind.limit())
    ))
}

fn human_mb(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb < 1.0 {
        format!("{mb:.1}")
    } else {
        format!("{mb:.0}")
    }
}

/// Where the bytes live, and the key that signs URLs to them.
#[derive(Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    signing_key: [u8; 32],
    /// Where it is, for logs and docs.
    pub location: String,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore")
            .field("location", &self.location)
            .finish()
    }
}

type HmacSha256 = Hmac<Sha256>;

/// How to reach S3, on top of what the `AWS_*` variables say (each setting given here wins).
/// The default changes nothing: `AWS_*` alone decides.
#[derive(Clone, Default)]
pub struct S3Settings {
    /// An S3-compatible endpoint instead of AWS's (`http://127.0.0.1:9000`: MinIO, moto, R2...);
    /// buckets are addressed path-style (`<endpoint>/<bucket>/<key>`).
    pub endpoint: Option<String>,
    /// Allow a plain `http://` endpoint (`false` leaves it to `AWS_ALLOW_HTTP`, off by default).
    pub allow_http: bool,
    /// The region to sign for (`None`: `AWS_REGION` / `AWS_DEFAULT_REGION`, else `us-east-1`).
    pub region: Option<String>,
    /// Static credentials, replacing whatever `AWS_*` would provide (keys, session token,
    /// web identity, instance metadata).
    pub credentials: Option<S3Credentials>,
}

/// An access key pair.
#[derive(Clone)]
pub struct S3Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret key stays out of logs.
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("allow_http", &self.allow_http)
            .field("region", &self.region)
            .field(
                "access_key_id",
                &self.credentials.as_ref().map(|c| c.access_key_id.as_str()),
            )
            .finish()
    }
}

impl MediaStore {
    /// `url`: a folder path (or `file:///path`), or `s3://bucket/prefix` (credentials and region
    /// from the usual `AWS_*` variables).
    pub fn open(url: &str, key: &SecretKey) -> anyhow::Result<Self> {
        Self::open_with(url, key, &S3Settings::default())
    }

    /// [`MediaStore::open`], with `s3` applied over the `AWS_*` variables for an `s3://` URL
    /// (ignored for a folder).
    pub fn open_with(url: &str, key: &SecretKey, s3: &S3Settings) -> anyhow::Result<Self> {
        let signing_key = key.derive("media-url");
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                anyhow::bail!("the media store {url:?} names no bucket (s3://bucket/prefix)");
            }
            // object_store's HTTP client is a reqwest client like our others.
            crate::install_tls_provider();
            let s3 = s3_builder(s3).with_bucket_name(bucket).build()?;
            let store: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(
                    s3,
                    prefix.trim_matches('/'),
                ))
            };
            return Ok(Self {
                store,
                signing_key,
                location: url.to_owned(),
            });
        }
        let dir = url.strip_prefix("file://").unwrap_or(url);
        std::fs::create_dir_all(dir)?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self {
            store: Arc::new(local),
            signing_key,
            location: dir.to_owned(),
        })
    }

    pub fn storage_key(tenant: TenantId, id: Uuid) -> String {
        format!("{}/{}", tenant.0, id)
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.store.put(&StorePath::from(key), bytes.into()).await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        let got = self.store.get(&StorePath::from(key)).await?;
        Ok(got.bytes().await?.to_vec())
    }

    fn mac(&self, tenant: TenantId, id: Uuid, expires: i64) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.signing_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(format!("{}:{}:{}", tenant.0, id, expires).as_bytes());
        mac
    }

    /// A URL to the file that works for [`URL_LIFETIME_SECS`] without a bearer token.
    pub fn signed_url(&self, tenant: TenantId, id: Uuid) -> String {
        // Round the expiry so the same file gets the same URL for a while (browser caching).
        let now = Utc::now().timestamp();
        let expires = (now / 600 + 1) * 600 + URL_LIFETIME_SECS;
        let sig = hex::encode(self.mac(tenant, id, expires).finalize().into_bytes());
        format!(
            "/api/v1/media/{id}/content?t={}&e={expires}&s={sig}",
            tenant.0
        )
    }

    /// Check a signed URL's parts.
    pub fn verify(&self, tenant: TenantId, id: Uuid, expires: i64, sig: &str) -> bool {
        if expires < Utc::now().timestamp() {
            return false;
        }
        let Ok(raw) = hex::decode(sig) else {
            return false;
        };
        self.mac(tenant, id, expires).verify_slice(&raw).is_ok()
    }
}

/// `AWS_*` first, then the explicit settings over them.
fn s3_builder(s3: &S3Settings) -> object_store::aws::AmazonS3Builder {
    let mut builder = object_store::aws::AmazonS3Builder::from_env();
    if let Some(endpoint) = &s3.endpoint {
        builder = builder.with_endpoint(endpoint.trim_end_matches('/'));
    }
    if s3.allow_http {
        builder = builder.with_allow_http(true);
    }
    if let Some(region) = &s3.region {
        builder = builder.with_region(region);
    }
    if let Some(c) = &s3.credentials {
        builder = builder.with_credentials(Arc::new(object_store::StaticCredentialProvider::new(
            object_store::aws::AwsCredential {
                key_id: c.access_key_id.clone(),
                secret_key: c.secret_access_key.clone(),
                token: None,
            },
        )));
    }
    builder
}

/// A file as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MediaInfo {
    pub id: Uuid,
    /// image, video, audio, document or sticker (null for a type WhatsApp cannot send).
    pub kind: Option<MediaKind>,
    /// pending (being downloaded from Meta), ready or failed.
    pub status: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub size_bytes: Option<i64>,
    /// Hex SHA-256 of the bytes.
    pub sha256: Option<String>,
    /// A short-lived URL to the bytes (null until ready).
    pub url: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Everything stored about a file.
#[derive(Debug, Clone, Queryable)]
pub struct MediaRow {
    pub id: Uuid,
    pub origin: String,
    pub status: String,
    pub number_id: Option<Uuid>,
    pub meta_media_id: Option<String>,
    pub meta_media_expires_at: Option<DateTime<Utc>>,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub storage_key: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

macro_rules! columns {
    () => {
        (
            md::id,
            md::origin,
            md::status,
            md::number_id,
            md::meta_media_id,
            md::meta_media_expires_at,
            md::mime_type,
            md::filename,
            md::size_bytes,
            md::sha256,
            md::storage_key,
            md::error,
            md::created_at,
        )
    };
}

impl MediaRow {
    pub fn info(&self, store: Option<&MediaStore>, tenant: TenantId) -> MediaInfo {
        MediaInfo {
            id: self.id,
            kind: self.mime_type.as_deref().and_then(kind_of),
            status: self.status.clone(),
            mime_type: self.mime_type.clone(),
            filename: self.filename.clone(),
            size_bytes: self.size_bytes,
            sha256: self.sha256.clone(),
            url: match (store, self.status.as_str()) {
                (Some(s), "ready") => Some(s.signed_url(tenant, self.id)),
                _ => None,
            },
            error: self.error.clone(),
            created_at: self.created_at,
        }
    }
}

pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<MediaRow> {
    md::table
        .filter(md::id.eq(id))
        .select(columns!())
        .first(tx.pg())
        .await
        .optional()?
        .ok_or(Error::NotFound("media"))
}

pub async fn get_many(tx: &mut TenantTx, ids: &[Uuid]) -> Result<Vec<MediaRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(md::table
        .filter(md::id.eq_any(ids))
        .select(columns!())
        .load(tx.pg())
        .await?)
}

/// Record a file an agent uploaded (its bytes are already in the store under `storage_key`).
pub async fn record_upload(
    tx: &mut TenantTx,
    actor: &crate::people::Actor,
    id: Uuid,
    mime: &str,
    filename: Option<&str>,
    size: usize,
    sha256_hex: &str,
) -> Result<MediaRow> {
    let tenant = tx.tenant_id();
    diesel::insert_into(md::table)
        .values((
            md::tenant_id.eq(tenant),
            md::id.eq(id),
            md::origin.eq("upload"),
            md::status.eq("ready"),
            md::mime_type.eq(essence(mime)),
            md::filename.eq(filename),
            md::size_bytes.eq(i64::try_from(size).unwrap_or(i64::MAX)),
            md::sha256.eq(sha256_hex),
            md::storage_key.eq(MediaStore::storage_key(tenant, id)),
            md::created_by.eq(actor.membership_id.0),
            md::ready_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    get(tx, id).await
}

/// May the actor see this file? Uploads: any member (they are attached by agents); inbound and
/// sent files: whoever may see a conversation that carries it.
pub async fn check_visible(
    tx: &mut TenantTx,
    actor: &crate::people::Actor,
    row: &MediaRow,
) -> Result<()> {
    use crate::schema::messages as m;
    let conversation: Option<Uuid> = m::table
        .filter(m::media_id.eq(row.id))
        .select(m::conversation_id)
        .first(tx.pg())
        .await
        .optional()?;
    match conversation {
        Some(c) => crate::conversations::get(tx, actor, c).await.map(|_| ()),
        None if row.origin == "upload" => Ok(()),
        None => Err(Error::NotFound("media")),
    }
}

/// Media of newly recorded inbound messages: one `pending` row each and a download job (or, for
/// the sandbox's test phone, the file it uploaded). `items`: (message id, number id, sandbox,
/// the message's content).
pub async fn attach_inbound(
    tx: &mut TenantTx,
    items: &[(Uuid, Uuid, bool, &serde_json::Value)],
) -> Result<()> {
    use crate::schema::messages as m;
    let tenant = tx.tenant_id();
    for (message_id, number_id, sandbox, content) in items {
        let Some(meta_id) = content.get("id").and_then(|v| v.as_str()) else {
            continue;
        };
        let text = |k: &str| content.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        // The test phone's files are already ours.
        if *sandbox
            && let Some(own) = meta_id
                .strip_prefix("chorus:")
                .and_then(|s| s.parse::<Uuid>().ok())
        {
            if get(tx, own).await.is_ok() {
                diesel::update(m::table.filter(m::id.eq(message_id)))
                    .set(m::media_id.eq(own))
                    .execute(tx.pg())
                    .await?;
            }
            continue;
        }
        let id = Uuid::now_v7();
        diesel::insert_into(md::table)
            .values((
                md::tenant_id.eq(tenant),
                md::id.eq(id),
                md::origin.eq("inbound"),
                md::status.eq("pending"),
                md::number_id.eq(number_id),
                md::meta_media_id.eq(meta_id),
                md::mime_type.eq(text("mime_type").map(|m| essence(&m))),
                md::filename.eq(text("filename")),
                // Meta's hash as given (base64 or hex); replaced by our hex digest once stored.
                md::sha256.eq(text("sha256")),
            ))
            .execute(tx.pg())
            .await?;
        diesel::update(m::table.filter(m::id.eq(message_id)))
            .set(m::media_id.eq(id))
            .execute(tx.pg())
            .await?;
        let mut job =
            NewJob::new(DOWNLOAD_MEDIA, &serde_json::json!({ "media_id": id }))?.priority(30);
        job.max_attempts = 6;
        jobs::enqueue(tx, job).await?;
    }
    Ok(())
}

/// What the downloader needs: Meta's id, the number's id at Meta and its sealed token.
#[derive(Debug, Clone)]
pub struct DownloadTarget {
    pub row: MediaRow,
    pub phone_number_id: String,
    pub token_enc: Option<Vec<u8>>,
}

pub async fn download_target(tx: &mut TenantTx, id: Uuid) -> Result<Option<DownloadTarget>> {
    use crate::schema::whatsapp_numbers as n;
    let row = get(tx, id).await?;
    if row.status != "pending" {
        return Ok(None);
    }
    let Some(number_id) = row.number_id else {
        return Ok(None);
    };
    let (phone_number_id, token_enc): (String, Option<Vec<u8>>) = n::table
        .filter(n::id.eq(number_id))
        .select((n::phone_number_id, n::access_token_enc))
        .first(tx.pg())
        .await?;
    Ok(Some(DownloadTarget {
        row,
        phone_number_id,
        token_enc,
    }))
}

/// Does Meta's hash (base64 or hex, sheet §6) match the bytes' digest?
pub fn meta_hash_matches(meta: &str, digest: &[u8]) -> bool {
    use base64::Engine;
    let meta = meta.trim();
    if meta.eq_ignore_ascii_case(&hex::encode(digest)) {
        return true;
    }
    [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
    ]
    .iter()
    .any(|engine| engine.decode(meta).is_ok_and(|d| d == digest))
        || base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(meta.trim_end_matches('='))
            .is_ok_and(|d| d == digest)
}

pub async fn mark_ready(
    tx: &mut TenantTx,
    id: Uuid,
    mime: Option<&str>,
    size: usize,
    sha256_hex: &str,
) -> Result<()> {
    let tenant = tx.tenant_id();
    diesel::update(md::table.filter(md::id.eq(id)))
        .set((
            md::status.eq("ready"),
            mime.map(|m| md::mime_type.eq(essence(m))),
            md::size_bytes.eq(i64::try_from(size).unwrap_or(i64::MAX)),
            md::sha256.eq(sha256_hex),
            md::storage_key.eq(MediaStore::storage_key(tenant, id)),
            md::ready_at.eq(Utc::now()),
            md::error.eq(None::<String>),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

pub async fn mark_failed(tx: &mut TenantTx, id: Uuid, error: &str) -> Result<()> {
    diesel::update(md::table.filter(md::id.eq(id)))
        .set((md::status.eq("failed"), md::error.eq(error)))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// Meta's id of this file for `number_id`, if uploaded there recently enough to reuse.
pub fn reusable_meta_id(row: &MediaRow, number_id: Uuid) -> Option<String> {
    (row.origin == "upload"
        && row.number_id == Some(number_id)
        && row.meta_media_expires_at.is_some_and(|at| at > Utc::now()))
    .then(|| row.meta_media_id.clone())
    .flatten()
}

/// Remember Meta's id for an uploaded file.
pub async fn remember_meta_upload(
    tx: &mut TenantTx,
    id: Uuid,
    number_id: Uuid,
    meta_id: &str,
) -> Result<()> {
    diesel::update(md::table.filter(md::id.eq(id)))
        .set((
            md::number_id.eq(number_id),
            md::meta_media_id.eq(meta_id),
            md::meta_media_expires_at.eq(Utc::now() + META_UPLOAD_LIFETIME),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_limits() {
        assert_eq!(kind_of("image/jpeg"), Some(MediaKind::Image));
        assert_eq!(kind_of("audio/ogg; codecs=opus"), Some(MediaKind::Audio));
        assert_eq!(kind_of("IMAGE/PNG"), Some(MediaKind::Image));
        assert_eq!(kind_of("image/gif"), None);
        assert_eq!(kind_of("text/html"), None);
        let png = b"\x89PNG\r\n\x1a\n rest".to_vec();
        assert_eq!(check_upload("image/png", &png).unwrap(), MediaKind::Image);
        assert!(matches!(
            check_upload("image/jpeg", &png),
            Err(Error::UnsupportedMedia(_))
        ));
        assert!(matches!(
            check_upload("image/gif", &png),
            Err(Error::UnsupportedMedia(_))
        ));
        let big = vec![0xFF; 5 * 1024 * 1024 + 1];
        assert!(matches!(
            check_upload("image/jpeg", &big),
            Err(Error::TooLarge(_))
        ));
        assert!(check_upload("text/plain", b"").is_err());
    }

    #[test]
    fn signed_urls_are_bound_to_business_file_and_time() {
        let key = SecretKey::new(&[3u8; 32]).unwrap();
        let dir = std::env::temp_dir().join(format!("chorus-media-{}", Uuid::now_v7()));
        let store = MediaStore::open(dir.to_str().unwrap(), &key).unwrap();
        let (tenant, id) = (TenantId(Uuid::now_v7()), Uuid::now_v7());
        let url = store.signed_url(tenant, id);
        let q: std::collections::HashMap<String, String> = url
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .filter_map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect();
        let expires: i64 = q["e"].parse().unwrap();
        assert!(store.verify(tenant, id, expires, &q["s"]));
        assert!(!store.verify(TenantId(Uuid::now_v7()), id, expires, &q["s"]));
        assert!(!store.verify(tenant, Uuid::now_v7(), expires, &q["s"]));
        assert!(!store.verify(tenant, id, expires + 1, &q["s"]));
        assert!(!store.verify(tenant, id, 1, &q["s"]));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn meta_hashes_in_either_encoding() {
        let digest = crate::crypto::sha256(b"hello");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&digest);
        assert!(meta_hash_matches(&b64, &digest));
        assert!(meta_hash_matches(&hex::encode(&digest), &digest));
        assert!(!meta_hash_matches("nope", &digest));
    }
}
