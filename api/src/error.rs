//! The API's one error type and its single mapping to HTTP: `{"error": {"code", "message"}}`.
//! A 500 never leaks internals: the body says "internal" and the cause goes to the log.

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use chorus_tenants::Error as Domain;
use diesel::result::DatabaseErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] Domain),
    #[error("{message}")]
    Http {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Http {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found.")
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, String, String, Option<BTreeMap<String, String>>) {
        match self {
            ApiError::Http {
                status,
                code,
                message,
            } => (*status, (*code).into(), message.clone(), None),
            ApiError::Domain(d) => match d {
                Domain::NotFound(what) => (
                    StatusCode::NOT_FOUND,
                    "not_found".into(),
                    format!("{} not found.", capitalise(what)),
                    None,
                ),
                Domain::Unprocessable { code, message } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    (*code).into(),
                    message.clone(),
                    None,
                ),
                Domain::Missing { code, message } => {
                    (StatusCode::NOT_FOUND, (*code).into(), message.clone(), None)
                }
                Domain::Forbidden { code, message } => {
                    (StatusCode::FORBIDDEN, (*code).into(), message.clone(), None)
                }
                Domain::Unauthorized { code, message } => (
                    StatusCode::UNAUTHORIZED,
                    (*code).into(),
                    message.clone(),
                    None,
                ),
                Domain::Conflict { code, message } => {
                    (StatusCode::CONFLICT, (*code).into(), message.clone(), None)
                }
                Domain::Invalid { message, fields } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed".into(),
                    message.clone(),
                    Some(fields.clone()),
                ),
                Domain::TooLarge(message) => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "media_too_large".into(),
                    message.clone(),
                    None,
                ),
                Domain::UnsupportedMedia(message) => (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "media_type_unsupported".into(),
                    message.clone(),
                    None,
                ),
                Domain::InvalidToken(message) => (
                    StatusCode::BAD_REQUEST,
                    "invalid_token".into(),
                    message.clone(),
                    None,
                ),
                Domain::RateLimited { .. } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited".into(),
                    "Too many attempts. Wait a little and try again.".into(),
                    None,
                ),
                Domain::Unavailable(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable".into(),
                    "The service is briefly unavailable. Try again in a moment.".into(),
                    None,
                ),
                Domain::Database(diesel::result::Error::DatabaseError(
                    kind @ (DatabaseErrorKind::ForeignKeyViolation
                    | DatabaseErrorKind::UniqueViolation
                    | DatabaseErrorKind::SerializationFailure),
                    info,
                )) => {
                    tracing::info!(?kind, constraint = ?info.constraint_name(), "write conflicted with a concurrent change");
                    (
                        StatusCode::CONFLICT,
                        "conflict".into(),
                        "Something this request refers to was changed or removed at the same moment. Reload and try again.".into(),
                        None,
                    )
                }
                Domain::Database(diesel::result::Error::NotFound) => (
                    StatusCode::NOT_FOUND,
                    "not_found".into(),
                    "Not found.".into(),
                    None,
                ),
                Domain::Database(_) | Domain::Internal(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal".into(),
                    "Something went wrong on our side. It has been logged.".into(),
                    None,
                ),
            },
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code, message, fields) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        let mut res = HttpResponse::build(status);
        if let ApiError::Domain(Domain::RateLimited { retry_after_secs }) = self {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        res.json(ErrorBody {
            error: ErrorDetail {
                code,
                message,
                fields,
            },
        })
    }
}

/// A malformed id in the path is simply a thing that does not exist.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    actix_web::error::InternalError::from_response(err, ApiError::not_found().error_response())
        .into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let api = ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        format!("The query string is not valid: {err}"),
    );
    actix_web::error::InternalError::from_response(err, api.error_response()).into()
}
