//! The sandbox number's test phone: a person plays a customer. What they "send" is turned into
//! exactly the webhook Meta would send and goes through the same ingest path; what agents send
//! back leaves through the same job and send path (the sandbox accepts it without Meta), and the
//! phone reports delivery and reading as status webhooks, so the demo exercises the real pipeline.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use serde_json::{Value, json};

use chorus_tenants::db::TenantTx;
use chorus_tenants::messages::{self, Message};
use chorus_tenants::numbers::sandbox_phone_number_id;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::json::Json;
use crate::routes::webhooks::deliver;
use crate::state::AppState;

/// What the test phone sends: exactly one of `text`, `location`, `button_reply`, `list_reply`,
/// `image`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneMessage {
    /// The customer's number, digits with country code, e.g. `34600111222`.
    pub from: String,
    pub name: String,
    pub text: Option<String>,
    pub location: Option<PhoneLocation>,
    pub button_reply: Option<PhoneButton>,
    /// A row picked from a list the business sent.
    pub list_reply: Option<PhoneButton>,
    /// A picture the person uploaded with `POST /media`.
    pub image: Option<PhoneImage>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneImage {
    pub media_id: uuid::Uuid,
    pub caption: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneButton {
    pub id: String,
    pub title: String,
}

fn check_from(from: &str) -> chorus_tenants::Result<String> {
    let digits: String = from
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-'))
        .collect();
    if digits.len() < 8 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(chorus_tenants::Error::invalid(
            "from",
            "Use a phone number with country code, e.g. +34 600 111 222.",
        ));
    }
    Ok(digits)
}

fn envelope(phone_number_id: &str, value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number": "15550000000", "phone_number_id": phone_number_id});
    json!({"object": "whatsapp_business_account", "entry": [{"id": "sandbox", "changes": [{"field": "messages", "value": value}]}]})
}

/// The customer writes to the business's sandbox number.
#[utoipa::path(tag = "sandbox", request_body = PhoneMessage, security(("bearer" = [])),
    responses((status = 200, body = crate::routes::webhooks::Received), (status = 422, body = crate::error::ErrorBody)))]
#[post("/sandbox/messages")]
pub async fn send(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<PhoneMessage>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let from = check_from(&input.from)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(chorus_tenants::Error::invalid(
            "name",
            "Give the customer a name (up to 80 characters).",
        )
        .into());
    }
    state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| {
            auth.actor(tx).await.map(|_| ())
        })
        .await?;
    let mut message = json!({
        "from": from,
        "id": format!("wamid.sandbox-in.{}", uuid::Uuid::now_v7().simple()),
        "timestamp": chrono::Utc::now().timestamp().to_string(),
    });
    let given = [
        input.text.is_some(),
        input.location.is_some(),
        input.button_reply.is_some(),
        input.list_reply.is_some(),
        input.image.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let one_of = || {
        chorus_tenants::Error::invalid(
            "text",
            "Send exactly one of: a text (1 to 4096 characters), a location, a button or list reply, an image.",
        )
    };
    if given != 1 {
        return Err(one_of().into());
    }
    if let Some(text) = &input.text {
        if text.trim().is_empty() || text.chars().count() > 4096 {
            return Err(one_of().into());
        }
        message["type"] = json!("text");
        message["text"] = json!({"body": text});
    } else if let Some(l) = &input.location {
        if !(-90.0..=90.0).contains(&l.latitude) || !(-180.0..=180.0).contains(&l.longitude) {
            return Err(chorus_tenants::Error::invalid(
                "location",
                "Latitude is -90 to 90 and longitude -180 to 180.",
            )
            .into());
        }
        message["type"] = json!("location");
        message["location"] =
            json!({"latitude": l.latitude, "longitude": l.longitude, "name": l.name});
    } else if let Some(b) = input.button_reply.as_ref().or(input.list_reply.as_ref()) {
        if b.id.is_empty() || b.title.is_empty() {
            return Err(chorus_tenants::Error::invalid(
                "button_reply",
                "A reply has an id and a title.",
            )
            .into());
        }
        let kind = if input.button_reply.is_some() {
            "button_reply"
        } else {
            "list_reply"
        };
        message["type"] = json!("interactive");
        message["interactive"] = json!({"type": kind, kind: {"id": b.id, "title": b.title}});
    } else if let Some(img) = &input.image {
        // The file is already in the media store: the "Meta media id" names it.
        let media_id = img.media_id;
        let row = state
            .store
            .tenant(auth.tenant, async |tx: &mut TenantTx| {
                chorus_tenants::media::get(tx, media_id).await
            })
            .await
            .map_err(|_| chorus_tenants::Error::invalid("image", "Upload the picture first."))?;
        if !matches!(row.mime_type.as_deref(), Some("image/jpeg" | "image/png")) {
            return Err(chorus_tenants::Error::invalid(
                "image",
                "The test phone sends JPEG or PNG pictures.",
            )
            .into());
        }
        message["type"] = json!("image");
        message["image"] = json!({
            "id": format!("chorus:{media_id}"),
            "mime_type": row.mime_type,
            "sha256": row.sha256,
            "caption": img.caption.as_deref().map(str::trim).filter(|c| !c.is_empty()),
        });
    }
    let payload = envelope(
        &sandbox_phone_number_id(auth.tenant),
        json!({"contacts": [{"profile": {"name": name}, "wa_id": from}], "messages": [message]}),
    );
    deliver(&state, &serde_json::to_vec(&payload).unwrap_or_default()).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ThreadQuery {
    pub from: String,
}

/// The test phone's screen: every message between the sandbox number and this customer.
#[utoipa::path(tag = "sandbox", params(ThreadQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::pagination::Page<Message>), (status = 422, body = crate::error::ErrorBody)))]
#[get("/sandbox/messages")]
pub async fn thread(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ThreadQuery>,
) -> ApiResult<HttpResponse> {
    let from = check_from(&q.from)?;
    let items = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                auth.actor(tx).await?;
                messages::sandbox_thread(tx, &from).await
            },
        )
        .await?;
    let mut items = items;
    for m in &mut items {
        m.sign_media(&state.media, auth.tenant);
    }
    Ok(HttpResponse::Ok().json(chorus_tenants::pagination::Page {
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    pub from: String,
}

/// The customer opened the chat: every message the business sent is reported delivered and read,
/// as status webhooks through the ingest path.
#[utoipa::path(tag = "sandbox", request_body = ReadBody, security(("bearer" = [])),
    responses((status = 200, body = crate::routes::webhooks::Received), (status = 422, body = crate::error::ErrorBody)))]
#[post("/sandbox/read")]
pub async fn read(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<ReadBody>,
) -> ApiResult<HttpResponse> {
    let from = check_from(&body.from)?;
    let conversation = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                auth.actor(tx).await?;
                messages::sandbox_thread(tx, &from).await
            },
        )
        .await?;
    let now = chrono::Utc::now().timestamp().to_string();
    let statuses: Vec<Value> = conversation
        .iter()
        .filter(|m| m.direction == "outbound" && matches!(m.status.as_str(), "sent" | "delivered"))
        .filter_map(|m| m.wamid.as_ref())
        .flat_map(|w| {
            ["delivered", "read"]
                .map(|s| json!({"id": w, "status": s, "timestamp": now, "recipient_id": from}))
        })
        .collect();
    let payload = envelope(
        &sandbox_phone_number_id(auth.tenant),
        json!({"statuses": statuses}),
    );
    deliver(&state, &serde_json::to_vec(&payload).unwrap_or_default()).await
}
