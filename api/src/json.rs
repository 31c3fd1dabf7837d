//! The JSON body extractor of the API. It parses in two steps, first into a generic JSON value
//! and then into the wanted type, so that malformed JSON is a 400 `invalid_json` and
//! well-formed JSON of the wrong shape (a missing field, a wrong type, an unknown field, a
//! non-string where an enum is expected) is always a 422 `validation_failed`. serde_json alone
//! reports some shape errors as syntax errors, which would blur the two.

use std::ops::Deref;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body accepted.
pub const LIMIT: usize = 256 * 1024;

pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The request body is too large.",
    )
}

/// Parse a body: 400 for bad JSON, 422 for the wrong shape.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The request body is not valid JSON: {e}"),
        )
    })?;
    // Every body of this API is an object (serde would otherwise accept `[]` for a struct whose
    // fields all have defaults).
    if !value.is_object() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "The request body must be a JSON object.",
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("The request body does not have the expected fields: {e}"),
        )
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let ct = ct
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                ct == "application/json" || ct.ends_with("+json")
            })
            .unwrap_or(false);
        let declared_too_large = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > LIMIT);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if declared_too_large {
                return Err(too_large());
            }
            if !content_type_ok {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Send the body as JSON with Content-Type: application/json.",
                ));
            }
            let bytes = body.await.map_err(|e| {
                if matches!(
                    e.as_error::<actix_web::error::PayloadError>(),
                    Some(actix_web::error::PayloadError::Overflow)
                ) {
                    too_large()
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_json",
                        "The request body could not be read.",
                    )
                }
            })?;
            if bytes.len() > LIMIT {
                return Err(too_large());
            }
            parse(&bytes).map(Json)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct S {
        name: String,
        kind: Kind,
    }

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        A,
    }

    #[test]
    fn syntax_is_400_and_shape_is_422() {
        let code = |b: &str| match parse::<S>(b.as_bytes()) {
            Ok(_) => 200,
            Err(e) => actix_web::ResponseError::status_code(&e).as_u16(),
        };
        assert_eq!(code(r#"{"name": "x", "kind": "a"}"#), 200);
        assert_eq!(code("{not json"), 400);
        assert_eq!(code(r#"{"name": "#), 400);
        assert_eq!(code(r#"{"name": "x", "kind": true}"#), 422);
        assert_eq!(code(r#"{"name": "x", "kind": [null]}"#), 422);
        assert_eq!(code(r#"{"name": "x"}"#), 422);
        assert_eq!(code(r#"{"name": "x", "kind": "a", "extra": 1}"#), 422);
        assert_eq!(code(r#"[1]"#), 422);
    }
}
