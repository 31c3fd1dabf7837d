//! Contacts: the directory (list, create, CSV import and export), a customer's profile
//! (attributes, opt-in, notes), tags, blocking, merging duplicates. Permissions and rules live in
//! `chorus_tenants::contacts` and `chorus_tenants::contact_imports`; this module only speaks
//! HTTP (including the import's three body forms: multipart, raw CSV and JSON).

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use futures_util::StreamExt;
use serde::Deserialize;
use uuid::Uuid;

use chorus_tenants::contact_imports::{self, ContactImport, MAX_BYTES};
use chorus_tenants::contacts::{
    self, Contact, ContactChanges, ContactFilter, ContactSummary, MergeRequest, NewContact,
};
use chorus_tenants::db::TenantTx;
use chorus_tenants::pagination::Page;

use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::routes::{ListQuery, TagIds};
use crate::state::AppState;

/// The directory, newest first (`contacts:manage` and `conversations:read_all`).
#[utoipa::path(tag = "contacts", params(ListQuery, ContactFilter), security(("bearer" = [])),
    responses((status = 200, body = Page<ContactSummary>), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/contacts")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    page: web::Query<ListQuery>,
    filter: web::Query<ContactFilter>,
) -> ApiResult<HttpResponse> {
    let (page, filter) = (page.page()?, filter.into_inner());
    let list = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::list(tx, &actor, &filter, page).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Create a contact by hand (409 `contact_exists` for a number the business has).
#[utoipa::path(tag = "contacts", request_body = NewContact, security(("bearer" = [])),
    responses((status = 201, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/contacts")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<NewContact>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::create(tx, &actor, input).await
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(contact))
}

/// Every contact as CSV (`phone,name,email,tags,opt_in,notes,attr:<key>...`), the columns an
/// import takes; at most 100 000 contacts.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/contacts/export")]
pub async fn export(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let bytes = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::export_csv(tx, &actor).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"contacts.csv\"",
        ))
        .body(bytes))
}

/// The JSON form of an import (small files, scripts).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvBody {
    /// The file's text.
    pub csv: String,
    pub filename: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// The file's name, for raw `text/csv` bodies.
    pub filename: Option<String>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "A contact import is at most 5 MB.",
    )
}

fn unreadable() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_body",
        "The request body could not be read.",
    )
}

/// Read a body stream up to `limit` bytes.
async fn read_limited(
    mut stream: impl futures_util::Stream<Item = Result<web::Bytes, impl std::fmt::Debug>> + Unpin,
    limit: usize,
    over: fn() -> ApiError,
) -> ApiResult<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| unreadable())?;
        if bytes.len() + chunk.len() > limit {
            return Err(over());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Start a CSV import (`contacts:manage` and `conversations:read_all`). The file comes as
/// `multipart/form-data` (field `file`), as a raw `text/csv` body (at most 5 MB), or as JSON
/// `{"csv": "...", "filename": "..."}` (at most 256 KiB). A file that is not CSV text with a
/// `phone` column is 422 `import_invalid`; otherwise 202 with the queued import, whose progress
/// `GET /contacts/imports/{id}` reports.
#[utoipa::path(tag = "contacts", params(ImportQuery), security(("bearer" = [])),
    request_body(content = CsvBody, description = "multipart/form-data (field `file`), text/csv, or JSON"),
    responses((status = 202, body = ContactImport), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/contacts/imports")]
pub async fn import(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    // Permission first, before reading up to 5 MB.
    state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            let actor = auth.actor(tx).await?;
            contacts::require_directory(&actor)
        })
        .await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let (filename, bytes) = if content_type == "application/json" {
        if declared.is_some_and(|n| n > crate::json::LIMIT) {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.",
            ));
        }
        let raw = read_limited(payload, crate::json::LIMIT, || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.",
            )
        })
        .await?;
        let body: CsvBody = crate::json::parse(&raw)?;
        (body.filename, body.csv.into_bytes())
    } else if content_type == "text/csv" || content_type == "text/plain" {
        if declared.is_some_and(|n| n > MAX_BYTES) {
            return Err(too_large());
        }
        (
            query.into_inner().filename,
            read_limited(payload, MAX_BYTES, too_large).await?,
        )
    } else if content_type == "multipart/form-data" {
        if declared.is_some_and(|n| n > MAX_BYTES + 64 * 1024) {
            return Err(too_large());
        }
        let mut form = Multipart::new(req.headers(), payload);
        let mut file: Option<(Option<String>, Vec<u8>)> = None;
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|_| unreadable())?;
            if field.name() != Some("file") || file.is_some() {
                while let Some(chunk) = field.next().await {
                    chunk.map_err(|_| unreadable())?;
                }
                continue;
            }
            let name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(str::to_owned);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| unreadable())?;
                if bytes.len() + chunk.len() > MAX_BYTES {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some((name, bytes));
        }
        file.ok_or_else(|| {
            ApiError::from(chorus_tenants::Error::invalid(
                "file",
                "Attach the CSV file in the field `file`.",
            ))
        })?
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the file as multipart/form-data (field `file`), text/csv, or JSON {\"csv\": ...}.",
        ));
    };
    let started = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contact_imports::start(tx, &actor, filename.as_deref(), &bytes).await
            },
        )
        .await?;
    Ok(HttpResponse::Accepted().json(started))
}

/// An import's progress (`processed` of `total`, `created`, `updated`, `failed`) and its first
/// 1000 row errors.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = ContactImport), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/contacts/imports/{id}")]
pub async fn import_get(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contact_imports::get(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/contacts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::get(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

/// Edit the profile (`contacts:manage`): name, email, notes, attributes (the whole object),
/// opt-in. `""` clears a text field.
#[utoipa::path(tag = "contacts", request_body = ContactChanges, security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[patch("/contacts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<ContactChanges>,
) -> ApiResult<HttpResponse> {
    let (id, changes) = (id.into_inner(), body.into_inner());
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::update(tx, &actor, id, changes).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

/// Replace the contact's tags.
#[utoipa::path(tag = "contacts", request_body = TagIds, security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[put("/contacts/{id}/tags")]
pub async fn set_tags(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<TagIds>,
) -> ApiResult<HttpResponse> {
    let (id, tags) = (id.into_inner(), body.into_inner().tag_ids);
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::set_tags(tx, &actor, id, tags).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

async fn set_blocked(
    state: &AppState,
    auth: &Authenticated,
    id: Uuid,
    blocked: bool,
) -> ApiResult<HttpResponse> {
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::set_blocked(tx, &actor, id, blocked).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

/// Block the customer: their messages are still stored but reopen, notify, assign and
/// auto-reply nothing; sends to them are refused (422 `contact_blocked`).
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/contacts/{id}/block")]
pub async fn block(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    set_blocked(&state, &auth, id.into_inner(), true).await
}

#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[delete("/contacts/{id}/block")]
pub async fn unblock(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    set_blocked(&state, &auth, id.into_inner(), false).await
}

/// Merge the duplicate `from` into this contact (see `chorus_tenants::contacts::merge`).
#[utoipa::path(tag = "contacts", request_body = MergeRequest, security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/contacts/{id}/merge")]
pub async fn merge(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Json<MergeRequest>,
) -> ApiResult<HttpResponse> {
    let (id, from) = (id.into_inner(), body.into_inner().from);
    let contact = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::merge(tx, &actor, id, from).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(contact))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Duplicates {
    pub items: Vec<ContactSummary>,
}

/// Contacts that look like the same customer (same name, or the same number without its
/// country code); at most 20.
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = Duplicates), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/contacts/{id}/duplicates")]
pub async fn duplicates(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let items = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                contacts::duplicates(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(Duplicates { items }))
}

/// Every change of the contact's marketing consent, newest first, with its source (a keyword
/// the customer wrote, Meta's 131050, an agent, an import).
#[utoipa::path(tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::consent::ConsentHistory), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[get("/contacts/{id}/consent")]
pub async fn consent(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                chorus_tenants::consent::history(tx, &actor, id).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
