//! Webhook parsing against the sheet's complete examples (§3.6) and payloads written from its
//! field lists (§3.2–§4.6).

use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::whatsapp::errors::ErrorClass;

const WABA: &str = "300000000000001";
const PNID: &str = "400000000000001";
const DISPLAY: &str = "15550001111";

fn parse_value(body: &Value) -> Vec<Event> {
    parse(&serde_json::to_vec(body).unwrap()).unwrap()
}

/// A `messages` envelope for one value.
fn envelope(value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": WABA, "changes": [{ "field": "messages", "value": value }] }]
    })
}

fn metadata() -> Value {
    json!({ "display_phone_number": DISPLAY, "phone_number_id": PNID })
}

/// One inbound message from Ana, parsed.
fn inbound(message: Value) -> InboundMessage {
    let events = parse_value(&envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [{ "profile": { "name": "Ana Ruiz" }, "wa_id": "34600111222" }],
        "messages": [message],
    })));
    assert_eq!(events.len(), 1, "{events:#?}");
    match events.into_iter().next().unwrap() {
        Event::Message { message, .. } => message,
        other => panic!("not a message: {other:#?}"),
    }
}

/// A message object of `type` with `body` under that type.
fn message_of(message_type: &str, body: Value) -> Value {
    json!({
        "from": "34600111222",
        "id": format!("wamid.SIM{}", message_type.to_uppercase()),
        "timestamp": "1761200000",
        "type": message_type,
        message_type: body,
    })
}

fn kind_of(message_type: &str, body: Value) -> MessageKind {
    inbound(message_of(message_type, body)).kind
}

fn status(value: Value) -> StatusUpdate {
    let events = parse_value(&envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "statuses": [value],
    })));
    assert_eq!(events.len(), 1, "{events:#?}");
    match events.into_iter().next().unwrap() {
        Event::Status { status, .. } => status,
        other => panic!("not a status: {other:#?}"),
    }
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).unwrap()
}

// --- §3.6 complete examples, verbatim -------------------------------------------------------

const EXAMPLE_A: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "300000000000001",
      "changes": [
        {
          "field": "messages",
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550001111",
              "phone_number_id": "400000000000001"
            },
            "contacts": [
              { "profile": { "name": "Ana Ruiz" }, "wa_id": "34600111222" }
            ],
            "messages": [
              {
                "from": "34600111222",
                "id": "wamid.SIMTEXT0000000000000000000001",
                "timestamp": "1761200000",
                "type": "text",
                "text": { "body": "Hola, ¿mi pedido ya salió?" }
              }
            ]
          }
        }
      ]
    }
  ]
}"#;

const EXAMPLE_B: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "300000000000001",
      "changes": [
        {
          "field": "messages",
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550001111",
              "phone_number_id": "400000000000001"
            },
            "contacts": [
              { "profile": { "name": "Ana Ruiz" }, "wa_id": "34600111222" }
            ],
            "messages": [
              {
                "from": "34600111222",
                "id": "wamid.SIMIMG00000000000000000000002",
                "timestamp": "1761200060",
                "type": "image",
                "context": {
                  "from": "15550001111",
                  "id": "wamid.SIMOUT00000000000000000000009"
                },
                "image": {
                  "caption": "Foto del paquete",
                  "mime_type": "image/jpeg",
                  "sha256": "q1Nw3cS0m9F0bq4N8e0mW1r0fQy7b8cV2dXk5uE4t0Y=",
                  "id": "900000000000123",
                  "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=900000000000123&ext=1761200360&hash=SIMHASH"
                }
              }
            ]
          }
        }
      ]
    }
  ]
}"#;

const EXAMPLE_C: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "300000000000001",
      "changes": [
        {
          "field": "messages",
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550001111",
              "phone_number_id": "400000000000001"
            },
            "statuses": [
              {
                "id": "wamid.SIMOUT00000000000000000000010",
                "status": "delivered",
                "timestamp": "1761200125",
                "recipient_id": "34600111222",
                "biz_opaque_callback_data": "inbox-msg-7f3a",
                "pricing": {
                  "billable": true,
                  "pricing_model": "PMP",
                  "type": "regular",
                  "category": "utility"
                }
              }
            ]
          }
        }
      ]
    }
  ]
}"#;

const EXAMPLE_D: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "300000000000001",
      "changes": [
        {
          "field": "messages",
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550001111",
              "phone_number_id": "400000000000001"
            },
            "statuses": [
              {
                "id": "wamid.SIMOUT00000000000000000000011",
                "status": "failed",
                "timestamp": "1761290000",
                "recipient_id": "34600111222",
                "errors": [
                  {
                    "code": 131047,
                    "title": "Re-engagement message",
                    "message": "Re-engagement message",
                    "error_data": {
                      "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
                    },
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
                  }
                ]
              }
            ]
          }
        }
      ]
    }
  ]
}"#;

#[test]
fn example_a_inbound_text() {
    let events = parse(EXAMPLE_A.as_bytes()).unwrap();
    assert_eq!(events.len(), 1);
    let Event::Message {
        waba_id,
        phone_number_id,
        display_phone_number,
        contact,
        message,
    } = &events[0]
    else {
        panic!("{events:#?}")
    };
    assert_eq!(waba_id, WABA);
    assert_eq!(phone_number_id, PNID);
    assert_eq!(display_phone_number, DISPLAY);
    let contact = contact.as_ref().unwrap();
    assert_eq!(contact.wa_id.as_deref(), Some("34600111222"));
    assert_eq!(contact.name.as_deref(), Some("Ana Ruiz"));
    assert_eq!(contact.user_id, None);
    assert_eq!(message.wamid, "wamid.SIMTEXT0000000000000000000001");
    assert_eq!(message.from.as_deref(), Some("34600111222"));
    assert_eq!(message.timestamp, at(1_761_200_000));
    assert_eq!(message.context, None);
    assert_eq!(message.referral, None);
    assert!(message.errors.is_empty());
    assert_eq!(
        message.kind,
        MessageKind::Text {
            body: "Hola, ¿mi pedido ya salió?".into()
        }
    );
    assert_eq!(message.raw["type"], "text");
    assert_eq!(events[0].waba_id(), Some(WABA));
    assert_eq!(events[0].phone_number_id(), Some(PNID));
}

#[test]
fn example_b_image_reply() {
    let events = parse(EXAMPLE_B.as_bytes()).unwrap();
    let Event::Message { message, .. } = &events[0] else {
        panic!("{events:#?}")
    };
    assert_eq!(message.timestamp, at(1_761_200_060));
    let context = message.context.as_ref().unwrap();
    assert_eq!(
        context.message_id.as_deref(),
        Some("wamid.SIMOUT00000000000000000000009")
    );
    assert_eq!(context.from.as_deref(), Some(DISPLAY));
    assert!(!context.forwarded && !context.frequently_forwarded);
    let MessageKind::Image(media) = &message.kind else {
        panic!("{:?}", message.kind)
    };
    assert_eq!(media.id, "900000000000123");
    assert_eq!(media.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        media.sha256.as_deref(),
        Some("q1Nw3cS0m9F0bq4N8e0mW1r0fQy7b8cV2dXk5uE4t0Y=")
    );
    assert_eq!(media.caption.as_deref(), Some("Foto del paquete"));
    assert!(
        media
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://lookaside.fbsbx.com/")
    );
    assert_eq!(message.kind.media(), Some(media));
    assert_eq!(message.kind.wire_type(), "image");
}

#[test]
fn example_c_delivered_with_pricing() {
    let events = parse(EXAMPLE_C.as_bytes()).unwrap();
    let Event::Status {
        waba_id,
        phone_number_id,
        status,
        ..
    } = &events[0]
    else {
        panic!("{events:#?}")
    };
    assert_eq!(waba_id, WABA);
    assert_eq!(phone_number_id, PNID);
    assert_eq!(status.wamid, "wamid.SIMOUT00000000000000000000010");
    assert_eq!(status.status, DeliveryStatus::Delivered);
    assert_eq!(status.timestamp, at(1_761_200_125));
    assert_eq!(status.recipient_id.as_deref(), Some("34600111222"));
    assert_eq!(
        status.biz_opaque_callback_data.as_deref(),
        Some("inbox-msg-7f3a")
    );
    let pricing = status.pricing.as_ref().unwrap();
    assert_eq!(pricing.billable, Some(true));
    assert_eq!(pricing.pricing_model.as_deref(), Some("PMP"));
    assert_eq!(pricing.pricing_type.as_deref(), Some("regular"));
    assert_eq!(pricing.category.as_deref(), Some("utility"));
    assert!(pricing.is_charged());
    assert_eq!(status.conversation, None);
    assert!(status.errors.is_empty());
}

#[test]
fn example_d_failed_window_closed() {
    let events = parse(EXAMPLE_D.as_bytes()).unwrap();
    let Event::Status { status, .. } = &events[0] else {
        panic!("{events:#?}")
    };
    assert_eq!(status.status, DeliveryStatus::Failed);
    assert_eq!(status.errors.len(), 1);
    let error = &status.errors[0];
    assert_eq!(error.code, 131047);
    assert_eq!(error.title.as_deref(), Some("Re-engagement message"));
    assert!(error.details.as_deref().unwrap().contains("24 hours"));
    assert!(error.href.is_some());
    assert_eq!(error.class(), ErrorClass::WindowClosed);
}

// --- every inbound type (§3.2) ---------------------------------------------------------------

#[test]
fn video_audio_voice_document_sticker() {
    let MessageKind::Video(v) = kind_of(
        "video",
        json!({"id": "901", "mime_type": "video/mp4", "sha256": "h", "caption": "mira"}),
    ) else {
        panic!()
    };
    assert_eq!((v.id.as_str(), v.caption.as_deref()), ("901", Some("mira")));

    let MessageKind::Audio(a) = kind_of(
        "audio",
        json!({"id": "902", "mime_type": "audio/ogg; codecs=opus", "sha256": "h", "voice": true}),
    ) else {
        panic!()
    };
    assert_eq!(a.voice, Some(true));
    assert_eq!(a.mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
    assert_eq!(a.url, None);

    let MessageKind::Document(d) = kind_of(
        "document",
        json!({"id": "903", "mime_type": "application/pdf", "sha256": "h",
               "filename": "factura.pdf", "caption": "la factura"}),
    ) else {
        panic!()
    };
    assert_eq!(d.filename.as_deref(), Some("factura.pdf"));
    assert_eq!(d.caption.as_deref(), Some("la factura"));

    let MessageKind::Sticker(s) = kind_of(
        "sticker",
        json!({"id": "904", "mime_type": "image/webp", "sha256": "h", "animated": false}),
    ) else {
        panic!()
    };
    assert_eq!(s.animated, Some(false));
    assert_eq!(s.mime_type.as_deref(), Some("image/webp"));
}

#[test]
fn location_with_and_without_place() {
    let MessageKind::Location(l) = kind_of(
        "location",
        json!({"latitude": 40.4168, "longitude": -3.7038, "name": "Sol", "address": "Puerta del Sol, Madrid",
               "url": "https://example.test/sol"}),
    ) else {
        panic!()
    };
    assert!((l.latitude - 40.4168).abs() < 1e-9);
    assert!((l.longitude + 3.7038).abs() < 1e-9);
    assert_eq!(l.name.as_deref(), Some("Sol"));
    assert_eq!(l.url.as_deref(), Some("https://example.test/sol"));

    let MessageKind::Location(l) = kind_of("location", json!({"latitude": 1, "longitude": 2.5}))
    else {
        panic!()
    };
    assert_eq!((l.latitude, l.longitude, l.name), (1.0, 2.5, None));
}

#[test]
fn shared_contacts() {
    let MessageKind::Contacts { contacts } = kind_of(
        "contacts",
        json!([{
            "name": {"formatted_name": "Luis Gómez", "first_name": "Luis", "last_name": "Gómez"},
            "phones": [{"phone": "+34 600 333 444", "wa_id": "34600333444", "type": "CELL"},
                       {"phone": "+34 910 000 000", "type": "WORK"}],
            "emails": [{"email": "luis@example.test", "type": "WORK"}],
            "org": {"company": "Acme", "title": "Jefe"},
            "birthday": "1990-01-31"
        }]),
    ) else {
        panic!()
    };
    assert_eq!(contacts.len(), 1);
    let c = &contacts[0];
    assert_eq!(c.formatted_name.as_deref(), Some("Luis Gómez"));
    assert_eq!(c.phones.len(), 2);
    assert_eq!(c.phones[0].wa_id.as_deref(), Some("34600333444"));
    assert_eq!(c.phones[0].label.as_deref(), Some("CELL"));
    assert_eq!(c.phones[1].wa_id, None);
    assert_eq!(c.emails, vec!["luis@example.test".to_owned()]);
    assert_eq!(c.organisation.as_deref(), Some("Acme"));
    assert_eq!(c.raw["birthday"], "1990-01-31");
}

#[test]
fn interactive_replies() {
    assert_eq!(
        kind_of(
            "interactive",
            json!({"type": "button_reply", "button_reply": {"id": "deliv_yes", "title": "Sí"}})
        ),
        MessageKind::ButtonReply {
            id: "deliv_yes".into(),
            title: "Sí".into()
        }
    );
    assert_eq!(
        kind_of(
            "interactive",
            json!({"type": "list_reply", "list_reply":
                   {"id": "dept_billing", "title": "Facturación", "description": "Pagos y facturas"}})
        ),
        MessageKind::ListReply {
            id: "dept_billing".into(),
            title: "Facturación".into(),
            description: Some("Pagos y facturas".into())
        }
    );
    let MessageKind::ListReply { description, .. } = kind_of(
        "interactive",
        json!({"type": "list_reply", "list_reply": {"id": "dept_tech", "title": "Técnico"}}),
    ) else {
        panic!()
    };
    assert_eq!(description, None);
    // Flows responses are kept raw.
    let MessageKind::Interactive {
        interactive_type,
        raw,
    } = kind_of(
        "interactive",
        json!({"type": "nfm_reply", "nfm_reply": {"response_json": "{\"a\":1}", "body": "Sent", "name": "flow"}}),
    )
    else {
        panic!()
    };
    assert_eq!(interactive_type, "nfm_reply");
    assert_eq!(raw["nfm_reply"]["name"], "flow");
}

#[test]
fn template_quick_reply_button() {
    let message = inbound(json!({
        "context": {"from": DISPLAY, "id": "wamid.SIMTPL"},
        "from": "34600111222", "id": "wamid.SIMBTN", "timestamp": "1761200000",
        "type": "button", "button": {"payload": "track_88", "text": "Seguir pedido"}
    }));
    assert_eq!(
        message.kind,
        MessageKind::Button {
            payload: Some("track_88".into()),
            text: "Seguir pedido".into()
        }
    );
    assert_eq!(
        message.context.unwrap().message_id.as_deref(),
        Some("wamid.SIMTPL")
    );
}

#[test]
fn reactions_added_and_removed() {
    assert_eq!(
        kind_of(
            "reaction",
            json!({"message_id": "wamid.SIMOUT1", "emoji": "👍"})
        ),
        MessageKind::Reaction {
            message_id: "wamid.SIMOUT1".into(),
            emoji: Some("👍".into())
        }
    );
    // Removal arrives with an empty emoji, or with none at all.
    for body in [
        json!({"message_id": "wamid.SIMOUT1", "emoji": ""}),
        json!({"message_id": "wamid.SIMOUT1"}),
    ] {
        assert_eq!(
            kind_of("reaction", body),
            MessageKind::Reaction {
                message_id: "wamid.SIMOUT1".into(),
                emoji: None
            }
        );
    }
}

#[test]
fn order() {
    let MessageKind::Order(order) = kind_of(
        "order",
        json!({"catalog_id": "555000", "text": "para el viernes", "product_items": [
            {"product_retailer_id": "SKU-1", "quantity": 2, "item_price": 12.5, "currency": "EUR"},
            {"product_retailer_id": "SKU-2", "quantity": 1, "item_price": 3, "currency": "EUR"}
        ]}),
    ) else {
        panic!()
    };
    assert_eq!(order.catalog_id.as_deref(), Some("555000"));
    assert_eq!(order.product_items.len(), 2);
    assert_eq!(order.product_items[0].quantity, 2.0);
    assert_eq!(order.product_items[0].item_price, 12.5);
    assert_eq!(order.product_items[1].currency, "EUR");
}

#[test]
fn system_notices() {
    let MessageKind::System(s) = kind_of(
        "system",
        json!({"body": "Ana changed her number", "type": "user_changed_number", "wa_id": "34600999888"}),
    ) else {
        panic!()
    };
    assert_eq!(s.system_type.as_deref(), Some("user_changed_number"));
    assert_eq!(s.new_wa_id.as_deref(), Some("34600999888"));
    assert_eq!(s.identity, None);

    // The older spelling `new_wa_id`.
    let MessageKind::System(s) = kind_of(
        "system",
        json!({"body": "changed", "type": "user_changed_number", "new_wa_id": "34600777666"}),
    ) else {
        panic!()
    };
    assert_eq!(s.new_wa_id.as_deref(), Some("34600777666"));

    let mut message = message_of(
        "system",
        json!({"body": "Security code changed", "type": "customer_identity_changed"}),
    );
    message["identity"] =
        json!({"acknowledged": true, "created_timestamp": 1761100000, "hash": "abc="});
    let MessageKind::System(s) = inbound(message).kind else {
        panic!()
    };
    let identity = s.identity.unwrap();
    assert_eq!(identity.acknowledged, Some(true));
    assert_eq!(identity.created_timestamp.as_deref(), Some("1761100000"));
    assert_eq!(identity.hash.as_deref(), Some("abc="));
}

#[test]
fn unsupported_keeps_its_error() {
    let message = inbound(json!({
        "from": "34600111222", "id": "wamid.SIMUNSUP", "timestamp": "1761200000",
        "type": "unsupported",
        "unsupported": {"type": "poll"},
        "errors": [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                    "error_data": {"details": "Message type is currently not supported."}}]
    }));
    assert_eq!(
        message.kind,
        MessageKind::Unsupported {
            unsupported_type: Some("poll".into())
        }
    );
    assert_eq!(message.errors.len(), 1);
    assert_eq!(message.errors[0].code, 131051);
    assert_eq!(
        message.errors[0].details.as_deref(),
        Some("Message type is currently not supported.")
    );
    // Without the sub-object too.
    let message = inbound(json!({
        "from": "34600111222", "id": "wamid.SIMUNSUP2", "timestamp": "1761200000",
        "type": "unsupported", "errors": [{"code": 131051}]
    }));
    assert_eq!(
        message.kind,
        MessageKind::Unsupported {
            unsupported_type: None
        }
    );
}

#[test]
fn revoke_and_edit() {
    assert_eq!(
        kind_of("revoke", json!({"original_message_id": "wamid.SIMTEXT1"})),
        MessageKind::Revoke {
            original_message_id: "wamid.SIMTEXT1".into()
        }
    );
    assert_eq!(
        kind_of(
            "edit",
            json!({"original_message_id": "wamid.SIMTEXT1",
                   "message": {"type": "text", "text": {"body": "corregido"}}})
        ),
        MessageKind::Edit {
            original_message_id: "wamid.SIMTEXT1".into(),
            message: Box::new(MessageKind::Text {
                body: "corregido".into()
            })
        }
    );
    // An edit of an image caption parses its inner body as an image.
    let MessageKind::Edit { message, .. } = kind_of(
        "edit",
        json!({"original_message_id": "wamid.SIMIMG1",
               "message": {"type": "image", "image": {"id": "905", "caption": "nuevo"}}}),
    ) else {
        panic!()
    };
    assert_eq!(message.media().unwrap().caption.as_deref(), Some("nuevo"));
}

#[test]
fn unknown_types_and_bad_bodies_are_kept_not_fatal() {
    let raw = message_of(
        "poll",
        json!({"question": "¿Pizza?", "options": ["sí", "no"]}),
    );
    let message = inbound(raw.clone());
    assert_eq!(
        message.kind,
        MessageKind::Unknown {
            message_type: "poll".into(),
            raw: raw.clone()
        }
    );
    assert_eq!(message.kind.wire_type(), "poll");
    assert_eq!(message.wamid, "wamid.SIMPOLL");

    // A known type whose body lacks a required field.
    let MessageKind::Unknown { message_type, raw } =
        kind_of("image", json!({"mime_type": "image/png"}))
    else {
        panic!()
    };
    assert_eq!(message_type, "image");
    assert_eq!(raw["image"]["mime_type"], "image/png");

    // A known type with its body missing altogether, and a message without a type.
    assert!(matches!(
        kind_of("text", Value::Null),
        MessageKind::Unknown { .. }
    ));
    let message = inbound(json!({"from": "1", "id": "wamid.X", "timestamp": "1761200000"}));
    assert!(
        matches!(message.kind, MessageKind::Unknown { ref message_type, .. } if message_type.is_empty())
    );
}

#[test]
fn forwarded_context_and_referral() {
    let mut message = message_of("text", json!({"body": "mira esto"}));
    message["context"] = json!({"forwarded": true});
    let context = inbound(message).context.unwrap();
    assert!(context.forwarded);
    assert!(!context.frequently_forwarded);
    assert_eq!(context.message_id, None);

    let mut message = message_of("text", json!({"body": "mira"}));
    message["context"] = json!({"frequently_forwarded": true});
    assert!(inbound(message).context.unwrap().frequently_forwarded);

    let mut message = message_of("text", json!({"body": "¿Precio?"}));
    message["context"] = json!({"from": DISPLAY, "id": "wamid.X",
                                "referred_product": {"catalog_id": "555000", "product_retailer_id": "SKU-1"}});
    let product = inbound(message).context.unwrap().referred_product.unwrap();
    assert_eq!(product.product_retailer_id.as_deref(), Some("SKU-1"));

    let mut message = message_of("text", json!({"body": "Vi el anuncio"}));
    message["referral"] = json!({
        "source_url": "https://fb.me/ad1", "source_id": "120000001", "source_type": "ad",
        "body": "Envío gratis", "headline": "Rebajas", "media_type": "image",
        "image_url": "https://example.test/ad.jpg", "ctwa_clid": "ARAkLkA8",
        "welcome_message": {"text": "¡Hola! ¿En qué te ayudamos?"},
        "a_field_meta_adds_later": {"x": 1}
    });
    let referral = inbound(message).referral.unwrap();
    assert_eq!(referral.source_type.as_deref(), Some("ad"));
    assert_eq!(referral.ctwa_clid.as_deref(), Some("ARAkLkA8"));
    assert_eq!(referral.media_type.as_deref(), Some("image"));
    assert_eq!(
        referral.welcome_message.unwrap().text.as_deref(),
        Some("¡Hola! ¿En qué te ayudamos?")
    );
    assert_eq!(referral.other["a_field_meta_adds_later"]["x"], 1);
}

// --- contacts and BSUID (§3.4) ---------------------------------------------------------------

#[test]
fn bsuid_only_contact_without_phone() {
    let events = parse_value(&envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [{
            "profile": {"name": "Marta", "username": "marta.cocina"},
            "user_id": "US.13491208655302741918",
            "parent_user_id": "US.99"
        }],
        "messages": [{
            "from_user_id": "US.13491208655302741918",
            "id": "wamid.SIMBSUID", "timestamp": "1761200000",
            "type": "text", "text": {"body": "hola"}
        }]
    })));
    let Event::Message {
        contact, message, ..
    } = &events[0]
    else {
        panic!("{events:#?}")
    };
    assert_eq!(message.from, None);
    assert_eq!(
        message.from_user_id.as_deref(),
        Some("US.13491208655302741918")
    );
    let contact = contact.as_ref().unwrap();
    assert_eq!(contact.wa_id, None);
    assert_eq!(contact.user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(contact.parent_user_id.as_deref(), Some("US.99"));
    assert_eq!(contact.username.as_deref(), Some("marta.cocina"));
    assert_eq!(contact.name.as_deref(), Some("Marta"));
}

#[test]
fn empty_ids_are_absent() {
    let events = parse_value(&envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [{"profile": {"name": "Marta"}, "wa_id": "", "user_id": "BR.77"}],
        "messages": [{"from": "", "from_user_id": "BR.77", "id": "wamid.E", "timestamp": "1761200000",
                      "type": "text", "text": {"body": "oi"}}]
    })));
    let Event::Message {
        contact, message, ..
    } = &events[0]
    else {
        panic!()
    };
    assert_eq!(message.from, None);
    assert_eq!(contact.as_ref().unwrap().wa_id, None);
}

#[test]
fn each_message_gets_its_own_sender() {
    let events = parse_value(&envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "contacts": [
            {"profile": {"name": "Ana"}, "wa_id": "34600111222"},
            {"profile": {"name": "Bea"}, "wa_id": "34600333444", "user_id": "ES.1"}
        ],
        "messages": [
            {"from": "34600333444", "id": "wamid.B", "timestamp": "1761200000", "type": "text", "text": {"body": "b"}},
            {"from": "34600111222", "id": "wamid.A", "timestamp": "1761200001", "type": "text", "text": {"body": "a"}},
            {"from": "34699999999", "id": "wamid.C", "timestamp": "1761200002", "type": "text", "text": {"body": "c"}}
        ]
    })));
    let names: Vec<Option<String>> = events
        .iter()
        .map(|e| match e {
            Event::Message { contact, .. } => contact.as_ref().and_then(|c| c.name.clone()),
            _ => panic!(),
        })
        .collect();
    // With two contacts and no match, the sender is unknown rather than guessed.
    assert_eq!(names, vec![Some("Bea".into()), Some("Ana".into()), None]);
}

// --- batches ---------------------------------------------------------------------------------

#[test]
fn a_batch_yields_every_entry_change_message_and_status_in_order() {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "WABA-1", "changes": [
                {"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550001111", "phone_number_id": "PN-1"},
                    "contacts": [{"profile": {"name": "Ana"}, "wa_id": "34600111222"}],
                    "messages": [
                        {"from": "34600111222", "id": "wamid.1", "timestamp": "1761200000", "type": "text", "text": {"body": "uno"}},
                        {"from": "34600111222", "id": "wamid.2", "timestamp": "1761200001", "type": "text", "text": {"body": "dos"}}
                    ]}},
                {"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550002222", "phone_number_id": "PN-2"},
                    "statuses": [
                        {"id": "wamid.OUT1", "status": "sent", "timestamp": "1761200002", "recipient_id": "1"},
                        {"id": "wamid.OUT1", "status": "read", "timestamp": "1761200003", "recipient_id": "1"}
                    ]}}
            ]},
            {"id": "WABA-2", "time": 1761200010, "changes": [
                {"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "4930000000", "phone_number_id": "PN-3"},
                    "contacts": [{"profile": {"name": "Lena"}, "wa_id": "491700000000"}],
                    "messages": [
                        {"from": "491700000000", "id": "wamid.3", "timestamp": "1761200004", "type": "reaction",
                         "reaction": {"message_id": "wamid.OUT9", "emoji": "❤️"}}
                    ],
                    "statuses": [
                        {"id": "wamid.OUT2", "status": "delivered", "timestamp": "1761200005", "recipient_id": "2"}
                    ]}},
                {"field": "message_template_status_update", "value": {
                    "event": "APPROVED", "message_template_id": 770000000000001_u64,
                    "message_template_name": "order_update", "message_template_language": "de",
                    "reason": "NONE"}}
            ]}
        ]
    });
    let events = parse_value(&body);
    let summary: Vec<(Option<&str>, Option<&str>, String)> = events
        .iter()
        .map(|e| {
            let what = match e {
                Event::Message { message, .. } => message.wamid.clone(),
                Event::Status { status, .. } => {
                    format!("{}:{}", status.wamid, status.status.as_str())
                }
                Event::TemplateStatus { update, .. } => format!("template:{}", update.event),
                other => panic!("{other:#?}"),
            };
            (e.waba_id(), e.phone_number_id(), what)
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (Some("WABA-1"), Some("PN-1"), "wamid.1".to_owned()),
            (Some("WABA-1"), Some("PN-1"), "wamid.2".to_owned()),
            (Some("WABA-1"), Some("PN-2"), "wamid.OUT1:sent".to_owned()),
            (Some("WABA-1"), Some("PN-2"), "wamid.OUT1:read".to_owned()),
            (Some("WABA-2"), Some("PN-3"), "wamid.3".to_owned()),
            (
                Some("WABA-2"),
                Some("PN-3"),
                "wamid.OUT2:delivered".to_owned()
            ),
            (Some("WABA-2"), None, "template:APPROVED".to_owned()),
        ]
    );
    let Event::TemplateStatus { time, .. } = &events[6] else {
        panic!()
    };
    assert_eq!(*time, Some(at(1_761_200_010)));
}

#[test]
fn extra_fields_everywhere_are_ignored() {
    let body = json!({
        "object": "whatsapp_business_account",
        "new_top_level": true,
        "entry": [{"id": WABA, "time": 1, "extra": [1, 2], "changes": [{
            "field": "messages", "extra": "x",
            "value": {
                "messaging_product": "whatsapp", "extra": {"a": 1},
                "metadata": {"display_phone_number": DISPLAY, "phone_number_id": PNID, "extra": 1},
                "contacts": [{"profile": {"name": "Ana", "extra": 1}, "wa_id": "34600111222",
                              "identity_key_hash": "ikh", "extra": null}],
                "messages": [{"from": "34600111222", "id": "wamid.X", "timestamp": "1761200000",
                              "type": "text", "text": {"body": "hola", "extra": 1}, "extra": {"nested": [1]},
                              "group_id": "G1"}],
                "statuses": [{"id": "wamid.Y", "status": "sent", "timestamp": "1761200000",
                              "recipient_id": "1", "extra": 1,
                              "pricing": {"billable": false, "pricing_model": "PMP",
                                          "type": "free_customer_service", "category": "service", "extra": 1}}]
            }}]}]
    });
    let events = parse_value(&body);
    assert_eq!(events.len(), 2);
    let Event::Message {
        contact, message, ..
    } = &events[0]
    else {
        panic!()
    };
    assert_eq!(
        message.kind,
        MessageKind::Text {
            body: "hola".into()
        }
    );
    assert_eq!(message.raw["group_id"], "G1");
    assert_eq!(
        contact.as_ref().unwrap().identity_key_hash.as_deref(),
        Some("ikh")
    );
    let Event::Status { status, .. } = &events[1] else {
        panic!()
    };
    assert!(!status.pricing.as_ref().unwrap().is_charged());
}

#[test]
fn integer_timestamps_and_ids_are_accepted() {
    let message = inbound(json!({
        "from": 34600111222_u64, "id": "wamid.INT", "timestamp": 1761200000,
        "type": "text", "text": {"body": "x"}
    }));
    assert_eq!(message.timestamp, at(1_761_200_000));
    assert_eq!(message.from.as_deref(), Some("34600111222"));
}

// --- statuses (§3.3) -------------------------------------------------------------------------

#[test]
fn statuses_of_every_kind() {
    for (name, expected) in [
        ("sent", DeliveryStatus::Sent),
        ("delivered", DeliveryStatus::Delivered),
        ("read", DeliveryStatus::Read),
        ("played", DeliveryStatus::Played),
        ("failed", DeliveryStatus::Failed),
        ("deleted", DeliveryStatus::Other("deleted".into())),
    ] {
        let s = status(
            json!({"id": "wamid.S", "status": name, "timestamp": "1761200000",
                              "recipient_id": "34600111222"}),
        );
        assert_eq!(s.status, expected);
        assert_eq!(s.status.as_str(), name);
    }
}

#[test]
fn legacy_status_with_conversation_and_groups() {
    let s = status(json!({
        "id": "wamid.S", "status": "sent", "timestamp": "1749416383",
        "recipient_id": "120363000000000000@g.us", "recipient_type": "group",
        "recipient_participant_id": "34600111222",
        "conversation": {"id": "CONV1", "expiration_timestamp": "1749502783",
                         "origin": {"type": "referral_conversion"}},
        "pricing": {"billable": false, "pricing_model": "CBP", "category": "referral_conversion",
                    "type": "free_entry_point"}
    }));
    let conversation = s.conversation.unwrap();
    assert_eq!(conversation.id.as_deref(), Some("CONV1"));
    assert_eq!(
        conversation.origin_type.as_deref(),
        Some("referral_conversion")
    );
    assert_eq!(conversation.expiration, Some(at(1_749_502_783)));
    assert_eq!(s.recipient_type.as_deref(), Some("group"));
    assert_eq!(s.recipient_participant_id.as_deref(), Some("34600111222"));
    assert!(!s.pricing.unwrap().is_charged());
}

#[test]
fn failed_status_with_several_errors_and_bsuid_recipient() {
    let s = status(json!({
        "id": "wamid.F", "status": "failed", "timestamp": "1761290000",
        "recipient_user_id": "US.1",
        "errors": [
            {"code": 131026, "title": "Message undeliverable"},
            {"code": 130429, "title": "Rate limit hit", "message": "Rate limit hit",
             "error_data": {"details": "Cloud API message throughput has been reached."}}
        ]
    }));
    assert_eq!(s.recipient_id, None);
    assert_eq!(s.recipient_user_id.as_deref(), Some("US.1"));
    assert_eq!(
        s.errors.iter().map(|e| e.code).collect::<Vec<_>>(),
        vec![131026, 130429]
    );
    assert_eq!(s.errors[0].class(), ErrorClass::Permanent);
    assert!(s.errors[1].class().is_retryable());
}

#[test]
fn pricing_billability() {
    let p = |t: Option<&str>, billable: Option<bool>| Pricing {
        billable,
        pricing_model: Some("PMP".into()),
        pricing_type: t.map(str::to_owned),
        category: Some("service".into()),
    };
    assert!(p(Some("regular"), Some(false)).is_charged());
    assert!(!p(Some("free_customer_service"), Some(true)).is_charged());
    assert!(!p(Some("free_entry_point"), None).is_charged());
    assert!(p(None, Some(true)).is_charged());
    assert!(!p(None, None).is_charged());
    assert!(p(Some("something_new"), Some(true)).is_charged());
}

#[test]
fn status_moves_are_monotonic() {
    use DeliveryStatus::*;
    let other = Other("deleted".into());
    // Forward moves.
    assert!(Delivered.supersedes(&Sent));
    assert!(Read.supersedes(&Sent)); // delivered skipped
    assert!(Read.supersedes(&Delivered));
    assert!(Played.supersedes(&Read));
    assert!(Failed.supersedes(&Sent));
    assert!(Failed.supersedes(&Delivered));
    // Duplicates and regressions are ignored.
    assert!(!Sent.supersedes(&Sent));
    assert!(!Delivered.supersedes(&Read)); // out of order
    assert!(!Sent.supersedes(&Delivered));
    // Failed is terminal; a read message does not become failed.
    assert!(!Read.supersedes(&Failed));
    assert!(!Delivered.supersedes(&Failed));
    assert!(!Failed.supersedes(&Read));
    assert!(!Failed.supersedes(&Failed));
    // Unknown statuses never move a message, but are moved on from.
    assert!(!other.supersedes(&Sent));
    assert!(Sent.supersedes(&other));
    assert!(Sent.rank() < Delivered.rank() && Delivered.rank() < Read.rank());
    assert!(Read.rank() < Played.rank());
    assert!(Failed.is_terminal() && !Read.is_terminal());
}

#[test]
fn status_round_trips_through_serde() {
    let s = status(json!({"id": "wamid.S", "status": "played", "timestamp": "1761200000"}));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["status"], "played");
    let back: StatusUpdate = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

// --- value-level errors (§3.5) ---------------------------------------------------------------

#[test]
fn value_level_errors() {
    let events = parse_value(&envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(),
        "errors": [
            {"code": 130429, "title": "Rate limit hit", "message": "Rate limit hit",
             "error_data": {"details": "Cloud API message throughput has been reached."},
             "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"},
            {"code": 131052, "title": "Media download error"}
        ]
    })));
    assert_eq!(events.len(), 2);
    let Event::Error {
        waba_id,
        phone_number_id,
        error,
    } = &events[0]
    else {
        panic!("{events:#?}")
    };
    assert_eq!(waba_id, WABA);
    assert_eq!(phone_number_id.as_deref(), Some(PNID));
    assert_eq!(error.code, 130429);
    assert_eq!(
        error.details.as_deref(),
        Some("Cloud API message throughput has been reached.")
    );
    assert_eq!(events[1].phone_number_id(), Some(PNID));

    // Without metadata the error still comes through, unrouted to a number.
    let events = parse_value(&envelope(
        json!({"errors": [{"code": 368, "title": "Temporarily blocked"}]}),
    ));
    assert!(
        matches!(&events[0], Event::Error { phone_number_id: None, error, .. } if error.code == 368)
    );
}

// --- other fields (§4) -----------------------------------------------------------------------

fn field_envelope(field: &str, value: Value) -> Value {
    json!({
        "entry": [{"id": WABA, "time": 1761300000, "changes": [{"field": field, "value": value}]}],
        "object": "whatsapp_business_account"
    })
}

#[test]
fn template_status_update() {
    let events = parse_value(&field_envelope(
        "message_template_status_update",
        json!({
            "event": "REJECTED",
            "message_template_id": 770000000000001_u64,
            "message_template_name": "order_update",
            "message_template_language": "es",
            "reason": "INVALID_FORMAT",
            "message_template_category": "UTILITY",
            "rejection_info": {
                "reason": "Two variables are adjacent with no text between them.",
                "recommendation": "Put words or punctuation between variables."
            }
        }),
    ));
    let Event::TemplateStatus {
        waba_id,
        time,
        update,
    } = &events[0]
    else {
        panic!("{events:#?}")
    };
    assert_eq!(waba_id, WABA);
    assert_eq!(*time, Some(at(1_761_300_000)));
    assert_eq!(update.event, "REJECTED");
    assert_eq!(update.template_id.as_deref(), Some("770000000000001"));
    assert_eq!(update.template_name.as_deref(), Some("order_update"));
    assert_eq!(update.language.as_deref(), Some("es"));
    assert_eq!(update.reason.as_deref(), Some("INVALID_FORMAT"));
    assert_eq!(update.category.as_deref(), Some("UTILITY"));
    assert!(
        update
            .rejection_reason
            .as_deref()
            .unwrap()
            .contains("adjacent")
    );
    assert!(update.rejection_recommendation.is_some());

    let events = parse_value(&field_envelope(
        "message_template_status_update",
        json!({"event": "PAUSED", "message_template_id": 7, "message_template_name": "promo",
               "message_template_language": "en-US", "reason": null,
               "other_info": {"title": "FIRST_PAUSE", "description": "Paused for 3 hours"}}),
    ));
    let Event::TemplateStatus { update, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(update.reason, None);
    assert_eq!(update.other_title.as_deref(), Some("FIRST_PAUSE"));
    assert_eq!(update.language.as_deref(), Some("en-US"));
}

#[test]
fn template_quality_update() {
    let events = parse_value(&field_envelope(
        "message_template_quality_update",
        json!({"previous_quality_score": "GREEN", "new_quality_score": "YELLOW",
               "message_template_id": 770000000000002_u64, "message_template_name": "welcome_back",
               "message_template_language": "en_US"}),
    ));
    let Event::TemplateQuality { update, .. } = &events[0] else {
        panic!("{events:#?}")
    };
    assert_eq!(update.new_quality_score.as_deref(), Some("YELLOW"));
    assert_eq!(update.template_id.as_deref(), Some("770000000000002"));
}

#[test]
fn phone_number_quality_update() {
    let events = parse_value(&field_envelope(
        "phone_number_quality_update",
        json!({"display_phone_number": "15550001111", "event": "THROUGHPUT_UPGRADE",
               "current_limit": "TIER_UNLIMITED", "max_daily_conversations_per_business": "TIER_UNLIMITED"}),
    ));
    let Event::Quality { update, .. } = &events[0] else {
        panic!("{events:#?}")
    };
    assert_eq!(update.display_phone_number.as_deref(), Some(DISPLAY));
    assert_eq!(update.event, "THROUGHPUT_UPGRADE");
    assert_eq!(update.limit.as_deref(), Some("TIER_UNLIMITED"));
    assert_eq!(update.current_limit.as_deref(), Some("TIER_UNLIMITED"));

    // The legacy shape.
    let events = parse_value(&field_envelope(
        "phone_number_quality_update",
        json!({"display_phone_number": "15550001111", "event": "DOWNGRADE", "current_limit": "TIER_1K"}),
    ));
    let Event::Quality { update, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(
        (update.event.as_str(), update.limit.as_deref()),
        ("DOWNGRADE", None)
    );
}

#[test]
fn account_updates() {
    let events = parse_value(&field_envelope(
        "account_update",
        json!({"event": "ACCOUNT_RESTRICTION", "restriction_info": [
            {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1761900000}]}),
    ));
    let Event::AccountUpdate { update, .. } = &events[0] else {
        panic!("{events:#?}")
    };
    assert_eq!(update.event, "ACCOUNT_RESTRICTION");
    assert_eq!(update.restrictions.len(), 1);
    assert_eq!(
        update.restrictions[0].restriction_type.as_deref(),
        Some("RESTRICTED_BIZ_INITIATED_MESSAGING")
    );
    assert_eq!(update.restrictions[0].expiration, Some(at(1_761_900_000)));
    assert!(!update.revokes_access());

    let events = parse_value(&field_envelope(
        "account_update",
        json!({"event": "PARTNER_APP_UNINSTALLED", "waba_info": {"waba_id": WABA, "owner_business_id": "1"}}),
    ));
    let Event::AccountUpdate { update, .. } = &events[0] else {
        panic!()
    };
    assert!(update.revokes_access());
    assert_eq!(update.raw["waba_info"]["owner_business_id"], "1");
}

#[test]
fn other_fields_are_kept_raw() {
    let value = json!({
        "messaging_product": "whatsapp", "metadata": metadata(),
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "34600111222"}],
        "user_preferences": [{"wa_id": "34600111222", "detail": "User requested to stop marketing messages",
                              "category": "marketing_messages", "value": "stop", "timestamp": 1761300000}]
    });
    let events = parse_value(&field_envelope("user_preferences", value.clone()));
    assert_eq!(
        events,
        vec![Event::Other {
            waba_id: WABA.into(),
            time: Some(at(1_761_300_000)),
            field: "user_preferences".into(),
            value,
        }]
    );
    let events = parse_value(&field_envelope(
        "business_capability_update",
        json!({"max_daily_conversations_per_business": -1, "max_phone_numbers_per_business": 2}),
    ));
    assert!(
        matches!(&events[0], Event::Other { field, .. } if field == "business_capability_update")
    );
}

// --- what is kept as Unparsed, and what is refused --------------------------------------------

#[test]
fn broken_items_become_unparsed_and_the_rest_survives() {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [
            {"id": WABA, "changes": [
                {"field": "messages", "value": {
                    "metadata": metadata(),
                    "messages": [
                        {"from": "1", "timestamp": "1761200000", "type": "text", "text": {"body": "no id"}},
                        {"from": "1", "id": "wamid.BADTS", "timestamp": "yesterday", "type": "text", "text": {"body": "x"}},
                        {"from": "1", "id": "wamid.OK", "timestamp": "1761200000", "type": "text", "text": {"body": "ok"}}
                    ],
                    "statuses": [
                        {"id": "wamid.S", "timestamp": "1761200000"},
                        {"id": "wamid.S2", "status": "read", "timestamp": "1761200000"}
                    ]}},
                {"field": "messages", "value": {"messages": [{"id": "wamid.NOMETA"}]}},
                {"field": "messages", "value": "not an object"},
                {"value": {}}
            ]},
            {"id": "WABA-NOCHANGES"},
            "not an entry"
        ]
    });
    let events = parse_value(&body);
    let kinds: Vec<String> = events
        .iter()
        .map(|e| match e {
            Event::Message { message, .. } => format!("message {}", message.wamid),
            Event::Status { status, .. } => format!("status {}", status.wamid),
            Event::Unparsed {
                waba_id, reason, ..
            } => format!(
                "unparsed {} {}",
                waba_id.as_deref().unwrap_or("-"),
                reason.split(':').next().unwrap()
            ),
            other => panic!("{other:#?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            format!("unparsed {WABA} message"),
            format!("unparsed {WABA} message"),
            "message wamid.OK".to_owned(),
            format!("unparsed {WABA} status"),
            "status wamid.S2".to_owned(),
            format!(
                "unparsed {WABA} value has messages or statuses but no metadata.phone_number_id"
            ),
            format!("unparsed {WABA} value"),
            format!("unparsed {WABA} change"),
            "unparsed WABA-NOCHANGES entry".to_owned(),
            "unparsed - entry".to_owned(),
        ]
    );
    // The raw item is kept for storage.
    let Event::Unparsed { raw, field, .. } = &events[1] else {
        panic!()
    };
    assert_eq!(raw["id"], "wamid.BADTS");
    assert_eq!(field.as_deref(), Some("messages"));
}

#[test]
fn bodies_that_are_not_whatsapp_envelopes_are_refused() {
    for body in [
        &b"not json"[..],
        b"",
        b"[]",
        b"{}",
        br#"{"object": "page", "entry": []}"#,
        br#"{"object": "whatsapp_business_account"}"#,
        br#"{"object": "whatsapp_business_account", "entry": {}}"#,
    ] {
        let result = parse(body);
        assert!(result.is_err(), "{}", String::from_utf8_lossy(body));
    }
    assert!(matches!(parse(b"{"), Err(ParseError::Json(_))));
    assert!(matches!(
        parse(br#"{"object": "instagram", "entry": []}"#),
        Err(ParseError::NotWhatsApp(_))
    ));
    // An empty batch is valid.
    assert_eq!(
        parse(br#"{"object": "whatsapp_business_account", "entry": []}"#).unwrap(),
        vec![]
    );
}

#[test]
fn events_round_trip_through_serde() {
    // Events can be stored or queued as JSON and read back unchanged.
    for example in [EXAMPLE_A, EXAMPLE_B, EXAMPLE_C, EXAMPLE_D] {
        for event in parse(example.as_bytes()).unwrap() {
            let json = serde_json::to_string(&event).unwrap();
            let back: Event = serde_json::from_str(&json).unwrap();
            assert_eq!(back, event);
        }
    }
}

#[test]
fn a_thousand_updates_parse_quickly() {
    let messages: Vec<Value> = (0..1000)
        .map(|i| {
            json!({"from": "34600111222", "id": format!("wamid.{i}"), "timestamp": "1761200000",
                   "type": "text", "text": {"body": "hola"}})
        })
        .collect();
    let body = envelope(
        json!({"metadata": metadata(), "contacts": [{"wa_id": "34600111222"}], "messages": messages}),
    );
    let bytes = serde_json::to_vec(&body).unwrap();
    let started = std::time::Instant::now();
    let events = parse(&bytes).unwrap();
    assert_eq!(events.len(), 1000);
    // Generous bound for an unoptimised build on a busy machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
