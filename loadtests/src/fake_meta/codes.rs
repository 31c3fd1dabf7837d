//! Meta's error codes as the fake reports them: the HTTP status a synchronous Graph error comes
//! with, and the title/details Meta writes (sheet §5.4, §8). Shared by scripted Graph failures
//! and by `failed` status webhooks.

use serde_json::{Value, json};

/// (HTTP status, title, details) for a code. Unlisted codes get 400 and a generic title.
pub(crate) fn describe(code: i64) -> (u16, &'static str, &'static str) {
    match code {
        131047 => (
            400,
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        130429 => (
            400,
            "Rate limit hit",
            "Cloud API message throughput has been reached.",
        ),
        131056 => (
            400,
            "(Business Account, Consumer Account) pair rate limit hit",
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
        ),
        131026 => (
            400,
            "Message undeliverable",
            "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.",
        ),
        131051 => (
            400,
            "Unsupported message type",
            "Message type is not currently supported.",
        ),
        131053 => (
            400,
            "Media upload error",
            "Downloading media from weblink failed with http code 429",
        ),
        132000 => (
            400,
            "Number of parameters does not match the expected number of params",
            "body: number of localizable_params does not match the expected number of params",
        ),
        132001 => (
            400,
            "Template name does not exist in the translation",
            "template name does not exist in the given language",
        ),
        133010 => (
            400,
            "Phone number Not Registered",
            "Phone number is not registered on the Whatsapp Business Platform.",
        ),
        133005 => (
            400,
            "Two step verification PIN Mismatch",
            "PIN is incorrect.",
        ),
        131000 => (500, "Something went wrong", "Something went wrong."),
        131057 => (
            400,
            "Account in maintenance mode",
            "Business Account is in maintenance mode.",
        ),
        368 => (
            400,
            "Temporarily blocked for policies violations",
            "The WhatsApp Business Account is restricted.",
        ),
        190 => (
            401,
            "Error validating access token: Session has expired.",
            "",
        ),
        100 => (400, "Invalid parameter", "Invalid parameter"),
        _ => (400, "Error", ""),
    }
}

/// A Graph error body in Meta's shape (§5.4): `{"error": {message, type, code, error_data,
/// error_subcode?, fbtrace_id}}`. Returns the HTTP status to send it with.
pub fn meta_error_body(code: i64, details: Option<&str>) -> (u16, Value) {
    let (status, title, default_details) = describe(code);
    let details = details.unwrap_or(default_details);
    let mut error = json!({
        "message": format!("(#{code}) {title}"),
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": format!("AFakeTrace{code}"),
    });
    if !details.is_empty() {
        error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
    }
    if code == 190 {
        error["message"] = json!("Error validating access token: Session has expired.");
        error["error_subcode"] = json!(463);
    }
    (status, json!({ "error": error }))
}

/// The error object of a `failed` status or a value-level error in a webhook (§3.3, §3.5).
pub(crate) fn webhook_error(code: i64) -> Value {
    let (_, title, details) = describe(code);
    json!({
        "code": code,
        "title": title,
        "message": title,
        "error_data": { "details": details },
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    })
}
