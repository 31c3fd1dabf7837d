//! The one error type of the domain crate. The API maps it to HTTP once (`api/src/error.rs`).

use std::collections::BTreeMap;

/// What can go wrong in the domain. Variants carry a stable snake_case `code` for clients.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or belongs to another business (never say which).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Not found, with a code more specific than `not_found` (e.g. `invitation_not_found`).
    #[error("{message}")]
    Missing { code: &'static str, message: String },
    /// The caller lacks a permission (or, with another code, may not do this yet).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Credentials or tokens are missing, wrong or expired.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// The request conflicts with the current state (duplicate name, last owner, ...).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The input is well-formed JSON but breaks a rule; `fields` maps a field to its message.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// Well-formed and valid, but not possible in the current state (422 with a specific code,
    /// e.g. `window_closed`).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// A file over WhatsApp's limit for its kind (413 `media_too_large`).
    #[error("{0}")]
    TooLarge(String),
    /// A file type WhatsApp cannot carry, or bytes that are not what the type says (415
    /// `media_type_unsupported`).
    #[error("{0}")]
    UnsupportedMedia(String),
    /// A single-use or signed token is unknown, used or expired.
    #[error("{0}")]
    InvalidToken(String),
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    /// The database could not be reached (pool exhausted or server down).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            message: message.into(),
        }
    }

    /// A validation failure on one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), message.clone());
        Self::Invalid { message, fields }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    /// Unique violations on the named constraint become a conflict; everything else stays.
    pub fn on_unique(self, constraint: &str, code: &'static str, message: &str) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match &self {
            Error::Database(D::DatabaseError(DatabaseErrorKind::UniqueViolation, info))
                if info.constraint_name() == Some(constraint) =>
            {
                Error::conflict(code, message)
            }
            _ => self,
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for Error {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Error::Unavailable(e.to_string())
    }
}
