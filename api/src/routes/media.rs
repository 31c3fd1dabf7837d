//! Media files: agents upload what they attach; everyone reads files only through these routes,
//! checked against the business (and, for conversation files, who may see the conversation).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use uuid::Uuid;

use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::TenantId;
use chorus_tenants::media::{self, MAX_BYTES, MediaInfo, MediaStore};

use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn bad(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", message.to_owned())
}

/// Upload a file to attach to a message (`multipart/form-data`, field `file`). WhatsApp's limits
/// apply: images JPEG/PNG up to 5 MB, video MP4/3GP and audio up to 16 MB, WebP stickers up to
/// 500 KB, documents up to 100 MB.
#[utoipa::path(tag = "media", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, body = MediaInfo), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody)))]
#[post("/media")]
pub async fn upload(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    use chorus_tenants::permissions::Permission;
    if req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_BYTES + 64 * 1024)
    {
        return Err(chorus_tenants::Error::TooLarge(
            "WhatsApp carries files of at most 100 MB.".into(),
        )
        .into());
    }
    // Only people who may reply upload (checked before reading 100 MB).
    state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            auth.actor(tx)
                .await?
                .require(Permission::ConversationsReply)
        })
        .await?;
    let mut file: Option<(String, Option<String>, Vec<u8>)> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| bad(&format!("The form could not be read: {e}")))?;
        if field.name() != Some("file") {
            // Drain and ignore other fields.
            while let Some(chunk) = field.next().await {
                chunk.map_err(|_| bad("The form could not be read."))?;
            }
            continue;
        }
        if file.is_some() {
            return Err(bad("Send one file per upload."));
        }
        let mime = field
            .content_type()
            .map(|m| m.essence_str().to_owned())
            .unwrap_or_else(|| "application/octet-stream".into());
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(|f| {
                f.chars()
                    .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
                    .take(240)
                    .collect::<String>()
            })
            .filter(|f| !f.is_empty());
        let Some(kind) = media::kind_of(&mime) else {
            // Refuse before reading the bytes.
            return Err(media::unsupported(&mime).into());
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| bad("The file could not be read."))?;
            if bytes.len() + chunk.len() > kind.limit() {
                return Err(media::too_large(kind).into());
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((mime, filename, bytes));
    }
    let Some((mime, filename, bytes)) = file else {
        return Err(
            chorus_tenants::Error::invalid("file", "Attach a file in the field `file`.").into(),
        );
    };
    media::check_upload(&mime, &bytes)?;
    let id = Uuid::now_v7();
    let digest = chorus_tenants::crypto::sha256_hex(&bytes);
    let size = bytes.len();
    state
        .media
        .put(&MediaStore::storage_key(auth.tenant, id), bytes)
        .await
        .map_err(chorus_tenants::Error::Internal)?;
    let row = state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            let actor = auth.actor(tx).await?;
            media::record_upload(tx, &actor, id, &mime, filename.as_deref(), size, &digest).await
        })
        .await?;
    Ok(HttpResponse::Created().json(row.info(Some(&state.media), auth.tenant)))
}

/// A file's description, with a fresh short-lived URL.
#[utoipa::path(tag = "media", security(("bearer" = [])),
    responses((status = 200, body = MediaInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/media/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row = state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            let actor = auth.actor(tx).await?;
            let row = media::get(tx, id).await?;
            media::check_visible(tx, &actor, &row).await?;
            Ok::<_, chorus_tenants::Error>(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(row.info(Some(&state.media), auth.tenant)))
}

/// The signed-URL parameters of [`content`].
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Signed {
    /// The business.
    pub t: Option<Uuid>,
    /// Expiry (Unix seconds).
    pub e: Option<i64>,
    /// Signature.
    pub s: Option<String>,
}

/// The bytes of a file: with a bearer token, or with the signed URL from a message or
/// `GET /media/{id}` (what `<img src>` uses).
#[utoipa::path(tag = "media", params(Signed),
    responses((status = 200, description = "the file"), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/media/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Signed>,
) -> ApiResult<HttpResponse> {
    use actix_web::FromRequest;
    let id = id.into_inner();
    let row = match (&q.t, q.e, &q.s) {
        (Some(t), Some(e), Some(s)) => {
            let tenant = TenantId(*t);
            if !state.media.verify(tenant, id, e, s) {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_signature",
                    "This link to the file has expired or is not valid. Reload the conversation.",
                ));
            }
            state
                .store
                .tenant(tenant, async |tx: &mut TenantTx| media::get(tx, id).await)
                .await?
        }
        _ => {
            let auth = Authenticated::extract(&req).await?;
            state
                .store
                .tenant(auth.tenant, async |tx: &mut TenantTx| {
                    let actor = auth.actor(tx).await?;
                    let row = media::get(tx, id).await?;
                    media::check_visible(tx, &actor, &row).await?;
                    Ok::<_, chorus_tenants::Error>(row)
                })
                .await?
        }
    };
    let (Some(key), "ready") = (row.storage_key.as_deref(), row.status.as_str()) else {
        return Err(chorus_tenants::Error::Missing {
            code: "media_not_ready",
            message: "The file is not available (yet).".into(),
        }
        .into());
    };
    let bytes = state
        .media
        .get(key)
        .await
        .map_err(chorus_tenants::Error::Internal)?;
    let mime = row
        .mime_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    // Pictures, sound and video show inline; anything else downloads, never renders as a page.
    let inline = ["image/", "audio/", "video/"]
        .iter()
        .any(|p| mime.starts_with(p))
        && mime != "image/svg+xml";
    let filename = row
        .filename
        .clone()
        .unwrap_or_else(|| format!("{}", row.id))
        .replace(['"', '\\'], "_");
    Ok(HttpResponse::Ok()
        .content_type(if inline {
            mime.as_str()
        } else {
            "application/octet-stream"
        })
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{}; filename=\"{}\"",
                if inline { "inline" } else { "attachment" },
                filename.chars().filter(char::is_ascii).collect::<String>()
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}
