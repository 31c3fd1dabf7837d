//! The request bodies against the sheet's examples (§5), error bodies (§5.4), and the client's
//! HTTP behaviour against a tiny scripted server (the full fake Meta lives in
//! `chorus-loadtests`, whose tests run this client against it end to end).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::whatsapp::errors::{ErrorClass, Lang};

fn ana() -> Recipient {
    Recipient::Phone("+34600111222".into())
}

// --- request bodies (§5.1, §5.2) -------------------------------------------------------------

#[test]
fn text_with_preview() {
    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Text {
            body: "Tu pedido: https://example.test/o/88".into(),
            preview_url: true,
        },
    );
    assert_eq!(
        m.to_json(),
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+34600111222",
                "type": "text", "text": { "preview_url": true, "body": "Tu pedido: https://example.test/o/88" } })
    );
}

#[test]
fn image_by_link_and_document_by_id() {
    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Image {
            media: MediaSource::Link("https://cdn.example.test/p/88.jpg".into()),
            caption: Some("Tu paquete".into()),
        },
    );
    let v = m.to_json();
    assert_eq!(v["type"], "image");
    assert_eq!(
        v["image"],
        json!({ "link": "https://cdn.example.test/p/88.jpg", "caption": "Tu paquete" })
    );

    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Document {
            media: MediaSource::Id("900000000000777".into()),
            caption: Some("Factura".into()),
            filename: Some("factura-88.pdf".into()),
        },
    );
    assert_eq!(
        m.to_json()["document"],
        json!({ "id": "900000000000777", "filename": "factura-88.pdf", "caption": "Factura" })
    );

    for (content, kind) in [
        (
            OutboundContent::Video {
                media: MediaSource::Id("1".into()),
                caption: None,
            },
            "video",
        ),
        (
            OutboundContent::Audio {
                media: MediaSource::Id("1".into()),
            },
            "audio",
        ),
        (
            OutboundContent::Sticker {
                media: MediaSource::Id("1".into()),
            },
            "sticker",
        ),
    ] {
        let v = OutboundMessage::new(ana(), content).to_json();
        assert_eq!(v["type"], kind);
        assert_eq!(v[kind], json!({ "id": "1" }));
    }
}

#[test]
fn reply_and_reaction() {
    let m = OutboundMessage::text(ana(), "Sí, salió esta mañana.")
        .reply_to("wamid.SIMTEXT0000000000000000000001");
    assert_eq!(
        m.to_json(),
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+34600111222",
                "type": "text", "context": { "message_id": "wamid.SIMTEXT0000000000000000000001" },
                "text": { "body": "Sí, salió esta mañana.", "preview_url": false } })
    );
    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Reaction {
            message_id: "wamid.SIMTEXT0000000000000000000001".into(),
            emoji: "👍".into(),
        },
    );
    assert_eq!(
        m.to_json()["reaction"],
        json!({ "message_id": "wamid.SIMTEXT0000000000000000000001", "emoji": "👍" })
    );
}

#[test]
fn location() {
    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Location {
            latitude: 40.4168,
            longitude: -3.7038,
            name: Some("Tienda".into()),
            address: None,
        },
    );
    assert_eq!(
        m.to_json()["location"],
        json!({ "latitude": 40.4168, "longitude": -3.7038, "name": "Tienda" })
    );
}

fn delivery_buttons() -> ButtonsMessage {
    ButtonsMessage {
        header: Some(InteractiveHeader::Text("Entrega".into())),
        body: "¿Confirmas la entrega mañana?".into(),
        footer: Some("Tienda Demo".into()),
        buttons: vec![
            ReplyButton {
                id: "deliv_yes".into(),
                title: "Sí".into(),
            },
            ReplyButton {
                id: "deliv_no".into(),
                title: "Cambiar fecha".into(),
            },
        ],
    }
}

#[test]
fn interactive_buttons_as_in_the_sheet() {
    let m = OutboundMessage::new(ana(), OutboundContent::Buttons(delivery_buttons()));
    assert_eq!(
        m.to_json(),
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+34600111222", "type": "interactive",
          "interactive": { "type": "button",
            "header": { "type": "text", "text": "Entrega" },
            "body": { "text": "¿Confirmas la entrega mañana?" },
            "footer": { "text": "Tienda Demo" },
            "action": { "buttons": [
              { "type": "reply", "reply": { "id": "deliv_yes", "title": "Sí" } },
              { "type": "reply", "reply": { "id": "deliv_no",  "title": "Cambiar fecha" } } ] } } })
    );
    let mut with_image = delivery_buttons();
    with_image.header = Some(InteractiveHeader::Image(MediaSource::Id("77".into())));
    let v = OutboundMessage::new(ana(), OutboundContent::Buttons(with_image)).to_json();
    assert_eq!(
        v["interactive"]["header"],
        json!({ "type": "image", "image": { "id": "77" } })
    );
}

fn departments() -> ListMessage {
    ListMessage {
        header: None,
        body: "Elige un departamento".into(),
        footer: None,
        button: "Ver opciones".into(),
        sections: vec![ListSection {
            title: Some("Soporte".into()),
            rows: vec![
                ListRow {
                    id: "dept_billing".into(),
                    title: "Facturación".into(),
                    description: Some("Pagos y facturas".into()),
                },
                ListRow {
                    id: "dept_tech".into(),
                    title: "Técnico".into(),
                    description: None,
                },
            ],
        }],
    }
}

#[test]
fn interactive_list_as_in_the_sheet() {
    let m = OutboundMessage::new(ana(), OutboundContent::List(departments()));
    assert_eq!(
        m.to_json(),
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+34600111222", "type": "interactive",
          "interactive": { "type": "list",
            "body": { "text": "Elige un departamento" },
            "action": { "button": "Ver opciones", "sections": [
              { "title": "Soporte", "rows": [
                { "id": "dept_billing", "title": "Facturación", "description": "Pagos y facturas" },
                { "id": "dept_tech", "title": "Técnico" } ] } ] } } })
    );
}

#[test]
fn template_as_in_the_sheet() {
    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Template(TemplateMessage {
            name: "order_update".into(),
            language: "es".into(),
            components: vec![
                TemplateComponent::Header {
                    parameters: vec![TemplateParameter {
                        name: None,
                        value: ParameterValue::Image(MediaSource::Id("900000000000888".into())),
                    }],
                },
                TemplateComponent::Body {
                    parameters: vec![
                        TemplateParameter::text("Ana"),
                        TemplateParameter::text("#88"),
                    ],
                },
                TemplateComponent::Button {
                    sub_type: ButtonSubType::QuickReply,
                    index: 0,
                    parameters: vec![TemplateParameter::payload("track_88")],
                },
            ],
        }),
    );
    assert_eq!(
        m.to_json(),
        json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+34600111222", "type": "template",
          "template": { "name": "order_update", "language": { "code": "es" },
            "components": [
              { "type": "header", "parameters": [ { "type": "image", "image": { "id": "900000000000888" } } ] },
              { "type": "body", "parameters": [
                { "type": "text", "text": "Ana" }, { "type": "text", "text": "#88" } ] },
              { "type": "button", "sub_type": "quick_reply", "index": "0",
                "parameters": [ { "type": "payload", "payload": "track_88" } ] } ] } })
    );
}

#[test]
fn template_parameter_kinds_and_names() {
    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Template(TemplateMessage {
            name: "t".into(),
            language: "en_US".into(),
            components: vec![
                TemplateComponent::Body {
                    parameters: vec![
                        TemplateParameter::named("customer", "Ana"),
                        TemplateParameter {
                            name: None,
                            value: ParameterValue::Currency {
                                fallback_value: "$12.50".into(),
                                code: "USD".into(),
                                amount_1000: 12_500,
                            },
                        },
                        TemplateParameter {
                            name: None,
                            value: ParameterValue::DateTime {
                                fallback_value: "1 May".into(),
                            },
                        },
                    ],
                },
                TemplateComponent::Button {
                    sub_type: ButtonSubType::Url,
                    index: 1,
                    parameters: vec![TemplateParameter::text("o/88")],
                },
            ],
        }),
    );
    let v = m.to_json();
    let body = &v["template"]["components"][0]["parameters"];
    assert_eq!(
        body[0],
        json!({ "type": "text", "text": "Ana", "parameter_name": "customer" })
    );
    assert_eq!(
        body[1],
        json!({ "type": "currency", "currency": { "fallback_value": "$12.50", "code": "USD", "amount_1000": 12500 } })
    );
    assert_eq!(
        body[2],
        json!({ "type": "date_time", "date_time": { "fallback_value": "1 May" } })
    );
    let button = &v["template"]["components"][1];
    assert_eq!(button["sub_type"], "url");
    assert_eq!(button["index"], "1");

    // A template without parameters has no `components` key at all.
    let m = OutboundMessage::new(
        ana(),
        OutboundContent::Template(TemplateMessage {
            name: "hello_world".into(),
            language: "en_US".into(),
            components: vec![],
        }),
    );
    assert_eq!(
        m.to_json()["template"],
        json!({ "name": "hello_world", "language": { "code": "en_US" } })
    );
}

#[test]
fn recipients_phone_and_bsuid() {
    for input in [
        "34600111222",
        "+34600111222",
        "+34 600-111-222",
        "(+34) 600 111 222",
    ] {
        let v = OutboundMessage::text(Recipient::Phone(input.into()), "x").to_json();
        assert_eq!(v["to"], "+34600111222", "{input}");
    }
    let v = OutboundMessage::text(Recipient::UserId("US.13491208655302741918".into()), "x")
        .callback_data("chorus:msg:1")
        .to_json();
    assert_eq!(v["recipient"], "US.13491208655302741918");
    assert!(v.get("to").is_none());
    assert_eq!(v["biz_opaque_callback_data"], "chorus:msg:1");
}

#[test]
fn outbound_messages_round_trip_through_serde() {
    // Jobs can carry an OutboundMessage as JSON.
    let m = OutboundMessage::new(ana(), OutboundContent::List(departments())).reply_to("wamid.Q");
    let back: OutboundMessage = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
    assert_eq!(back, m);
}

#[test]
fn validation_follows_the_documented_limits() {
    let text = |body: String| OutboundMessage::text(ana(), body).validate();
    assert!(text("x".repeat(4096)).is_ok());
    assert!(text("é".repeat(4096)).is_ok()); // characters, not bytes
    assert!(text("x".repeat(4097)).is_err());
    assert!(text("  ".into()).is_err());
    assert!(
        OutboundMessage::text(Recipient::Phone("abc".into()), "x")
            .validate()
            .is_err()
    );
    assert!(
        OutboundMessage::text(Recipient::UserId(" ".into()), "x")
            .validate()
            .is_err()
    );
    assert!(
        OutboundMessage::text(ana(), "x")
            .callback_data("c".repeat(513))
            .validate()
            .is_err()
    );

    let buttons = |f: &dyn Fn(&mut ButtonsMessage)| {
        let mut b = delivery_buttons();
        f(&mut b);
        OutboundMessage::new(ana(), OutboundContent::Buttons(b)).validate()
    };
    assert!(buttons(&|_| {}).is_ok());
    assert!(buttons(&|b| b.buttons.clear()).is_err());
    assert!(
        buttons(&|b| {
            for i in 0..2 {
                b.buttons.push(ReplyButton {
                    id: format!("more{i}"),
                    title: "Más".into(),
                })
            }
        })
        .is_err()
    );
    assert!(buttons(&|b| b.buttons[0].title = "x".repeat(21)).is_err());
    assert!(buttons(&|b| b.buttons[0].id = "x".repeat(257)).is_err());
    assert!(buttons(&|b| b.buttons[1].id = "deliv_yes".into()).is_err());

    let list = |f: &dyn Fn(&mut ListMessage)| {
        let mut l = departments();
        f(&mut l);
        OutboundMessage::new(ana(), OutboundContent::List(l)).validate()
    };
    assert!(list(&|_| {}).is_ok());
    assert!(list(&|l| l.button = "x".repeat(21)).is_err());
    assert!(list(&|l| l.sections[0].rows[0].title = "x".repeat(25)).is_err());
    assert!(list(&|l| l.sections[0].rows[0].description = Some("x".repeat(73))).is_err());
    assert!(list(&|l| l.sections[0].rows[0].id = "x".repeat(201)).is_err());
    assert!(list(&|l| l.sections[0].rows[1].id = "dept_billing".into()).is_err());
    assert!(
        list(&|l| {
            let rows = l.sections[0].rows.clone();
            for i in 0..5 {
                let mut s = ListSection {
                    title: Some(format!("s{i}")),
                    rows: rows.clone(),
                };
                for r in &mut s.rows {
                    r.id = format!("{}-{i}", r.id);
                }
                l.sections.push(s);
            }
        })
        .is_err(),
        "12 rows"
    );
    assert!(list(&|l| l.sections.clear()).is_err());
}

// --- error bodies (§5.4) ---------------------------------------------------------------------

const PAIR_LIMIT: &str = r#"{ "error": {
    "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    "type": "OAuthException",
    "code": 131056,
    "error_data": { "messaging_product": "whatsapp",
                    "details": "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time." },
    "error_subcode": 2494055,
    "fbtrace_id": "ASimTraceId000000000001" } }"#;

const EXPIRED_TOKEN: &str = r#"{"error":{"message":"Error validating access token: Session has expired on Friday, 01-May-26 10:00:00 PDT.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"ATrace"}}"#;

#[test]
fn the_sheets_error_body() {
    let e = GraphError::from_response(400, PAIR_LIMIT.as_bytes());
    let api = e.api_error().unwrap();
    assert_eq!(api.code, 131056);
    assert_eq!(api.subcode, Some(2494055));
    assert_eq!(api.error_type.as_deref(), Some("OAuthException"));
    assert_eq!(api.fbtrace_id.as_deref(), Some("ASimTraceId000000000001"));
    assert!(
        api.details
            .as_deref()
            .unwrap()
            .starts_with("Message failed")
    );
    assert_eq!(e.http_status(), Some(400));
    assert_eq!(e.code(), Some(131056));
    assert_eq!(
        e.class(),
        ErrorClass::Retryable {
            after: Some(Duration::from_secs(6))
        }
    );
    let text = e.to_string();
    assert!(
        text.contains("131056") && text.contains("ASimTraceId000000000001"),
        "{text}"
    );
    assert!(e.explain(Lang::Es).contains("demasiados mensajes"));
    let meta = e.meta_error().unwrap();
    assert_eq!(meta.code, 131056);
    assert!(meta.details.is_some());
}

#[test]
fn expired_token_on_400_or_401() {
    for status in [400, 401] {
        let e = GraphError::from_response(status, EXPIRED_TOKEN.as_bytes());
        assert_eq!(e.class(), ErrorClass::TokenInvalid);
        assert_eq!(e.api_error().unwrap().subcode, Some(463));
    }
}

#[test]
fn errors_without_a_meta_body() {
    let e = GraphError::from_response(502, b"<html>Bad Gateway</html>");
    assert!(e.api_error().is_none());
    assert!(e.class().is_retryable());
    assert!(e.to_string().contains("502"));
    assert!(e.explain(Lang::En).contains("unexpected"));
    assert!(GraphError::from_response(500, b"").class().is_retryable());
    assert_eq!(
        GraphError::from_response(404, b"").class(),
        ErrorClass::Permanent
    );
    // Graph's generic transient flag.
    let e = GraphError::from_response(
        400,
        br#"{"error":{"message":"An unexpected error has occurred.","code":12345,"is_transient":true,
              "error_user_title":"Try again","error_user_msg":"Please retry"}}"#,
    );
    assert!(e.class().is_retryable());
    assert_eq!(e.api_error().unwrap().title.as_deref(), Some("Try again"));
    assert_eq!(
        e.api_error().unwrap().user_message.as_deref(),
        Some("Please retry")
    );
}

#[test]
fn local_errors_classify() {
    assert!(GraphError::Timeout.class().is_retryable());
    assert!(GraphError::Connect("refused".into()).class().is_retryable());
    assert!(GraphError::MediaUrlExpired.class().is_retryable());
    assert_eq!(
        GraphError::Invalid("x".into()).class(),
        ErrorClass::Permanent
    );
    assert_eq!(
        GraphError::TooLarge { limit: 1 }.class(),
        ErrorClass::Permanent
    );
    assert!(
        GraphError::Timeout
            .explain(Lang::Es)
            .contains("reintentará")
    );
}

#[test]
fn template_placeholders() {
    assert_eq!(
        placeholders("Hola {{1}}, tu pedido {{2}} sale el {{1}}."),
        vec!["1", "2"]
    );
    assert_eq!(
        placeholders("Hi {{ customer_name }}! {{order}} {{}} {{bad-name}} {{unclosed"),
        vec!["customer_name", "order"]
    );
    assert!(placeholders("no variables").is_empty());
}

// --- HTTP behaviour against a scripted server -------------------------------------------------

/// A request as the scripted server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    delay: Duration,
}

fn reply(status: u16, body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status,
        content_type: "application/json",
        body: body.into(),
        delay: Duration::ZERO,
    }
}

/// Serve `replies` in order, one per connection, recording each request.
async fn script(replies: Vec<Reply>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for reply in replies {
            let (mut socket, _) = listener.accept().await.unwrap();
            let request = read_request(&mut socket).await;
            log.lock().unwrap().push(request);
            tokio::time::sleep(reply.delay).await;
            let head = format!(
                "HTTP/1.1 {} X\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                reply.status,
                reply.content_type,
                reply.body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&reply.body).await;
            let _ = socket.shutdown().await;
        }
    });
    (base, seen)
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Seen {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed mid-request");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap().split(' ');
    let method = first.next().unwrap().to_owned();
    let target = first.next().unwrap().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0);
        buf.extend_from_slice(&chunk[..n]);
    }
    Seen {
        method,
        target,
        headers,
        body: buf[header_end..header_end + length].to_vec(),
    }
}

fn client(base: &str) -> GraphClient {
    GraphClient::new(GraphConfig {
        base_url: format!("{base}/"),
        api_version: "25.0".into(),
        timeout: Duration::from_millis(500),
        ..GraphConfig::default()
    })
    .unwrap()
}

#[tokio::test]
async fn send_message_request_and_response() {
    let (base, seen) = script(vec![reply(
        200,
        r#"{ "messaging_product": "whatsapp",
             "contacts": [ { "input": "+34600111222", "wa_id": "34600111222" } ],
             "messages": [ { "id": "wamid.SIMOUT00000000000000000000010", "message_status": "accepted" } ] }"#,
    )])
    .await;
    let graph = client(&base);
    assert_eq!(graph.api_version(), "v25.0");
    assert_eq!(graph.base_url(), base);
    let sent = graph
        .send_message(
            "400000000000001",
            "TOKEN-1",
            &OutboundMessage::text(ana(), "hola"),
        )
        .await
        .unwrap();
    assert_eq!(
        sent,
        SentMessage {
            wamid: "wamid.SIMOUT00000000000000000000010".into(),
            message_status: Some("accepted".into()),
            wa_id: Some("34600111222".into()),
            input: Some("+34600111222".into()),
        }
    );
    let seen = seen.lock().unwrap()[0].clone();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.target, "/v25.0/400000000000001/messages");
    assert_eq!(seen.header("authorization"), Some("Bearer TOKEN-1"));
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.json()["text"]["body"], "hola");
}

#[tokio::test]
async fn a_meta_error_on_send() {
    let (base, _) = script(vec![reply(400, PAIR_LIMIT)]).await;
    let e = client(&base)
        .send_message("1", "T", &OutboundMessage::text(ana(), "x"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(131056));
    assert!(e.class().is_retryable());
}

#[tokio::test]
async fn an_error_inside_a_200_is_an_error() {
    let (base, _) = script(vec![reply(200, EXPIRED_TOKEN)]).await;
    let e = client(&base)
        .mark_read("1", "T", "wamid.X", false)
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::TokenInvalid);
}

#[tokio::test]
async fn invalid_messages_are_not_sent() {
    let (base, seen) = script(vec![]).await;
    let e = client(&base)
        .send_message("1", "T", &OutboundMessage::text(ana(), ""))
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::Invalid(_)));
    assert_eq!(e.class(), ErrorClass::Permanent);
    // Ids that would change the path are refused too.
    let e = client(&base)
        .send_message("../oauth", "T", &OutboundMessage::text(ana(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::Invalid(_)));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn mark_read_with_and_without_typing() {
    let (base, seen) = script(vec![
        reply(200, r#"{"success":true}"#),
        reply(200, r#"{"success":true}"#),
    ])
    .await;
    let graph = client(&base);
    graph
        .mark_read("PN", "T", "wamid.IN1", false)
        .await
        .unwrap();
    graph.mark_read("PN", "T", "wamid.IN2", true).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].json(),
        json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1" })
    );
    assert_eq!(
        seen[1].json(),
        json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN2",
                "typing_indicator": { "type": "text" } })
    );
    assert_eq!(seen[1].target, "/v25.0/PN/messages");
}

#[tokio::test]
async fn success_false_is_an_error() {
    let (base, _) = script(vec![reply(200, r#"{"success":false}"#)]).await;
    let e = client(&base)
        .register("PN", "T", "123456")
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::Decode { .. }));
}

#[tokio::test]
async fn connection_refused_is_retryable() {
    // Bind and drop to find a port nobody listens on.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let e = client(&format!("http://127.0.0.1:{port}"))
        .exchange_code("APP", "APP-SECRET-VALUE", "CODE")
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::Connect(_)), "{e:?}");
    assert!(e.class().is_retryable());
    // The app secret rides in the query string; it must not leak into the error.
    assert!(!format!("{e} {e:?}").contains("APP-SECRET-VALUE"));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let (base, _) = script(vec![Reply {
        delay: Duration::from_secs(2),
        ..reply(200, "{}")
    }])
    .await;
    let started = std::time::Instant::now();
    let e = client(&base)
        .send_message("1", "T", &OutboundMessage::text(ana(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::Timeout), "{e:?}");
    assert!(e.class().is_retryable());
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn https_is_supported_and_a_closed_port_is_retryable() {
    // The client speaks TLS (rustls with ring, system roots): an https URL is a real endpoint, and
    // failing to reach it is a network problem to retry, not a configuration error.
    let graph = GraphClient::new(GraphConfig {
        base_url: "https://127.0.0.1:9".into(),
        ..GraphConfig::default()
    })
    .unwrap();
    let e = graph
        .send_message("1", "T", &OutboundMessage::text(ana(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(e.class(), ErrorClass::Retryable { .. }), "{e:?}");
}

#[test]
fn meta_media_hosts_are_allowed_by_default() {
    let graph = GraphClient::new(GraphConfig::default()).unwrap();
    let allowed = |host: &str| {
        graph
            .media_domains
            .iter()
            .any(|d| host == d || host.ends_with(&format!(".{d}")))
    };
    assert!(allowed("lookaside.fbsbx.com"));
    assert!(allowed("graph.facebook.com"));
    assert!(!allowed("fbsbx.com.evil.test"));
    assert!(
        GraphClient::new(GraphConfig {
            base_url: "not a url".into(),
            ..GraphConfig::default()
        })
        .is_err()
    );
}

#[tokio::test]
async fn phone_number_fields() {
    let (base, seen) = script(vec![reply(
        200,
        r#"{"id":"400000000000001","display_phone_number":"+1 555-000-1111","verified_name":"Tienda Demo",
            "quality_rating":"GREEN","status":"CONNECTED","name_status":"APPROVED",
            "code_verification_status":"VERIFIED","platform_type":"CLOUD_API",
            "throughput":{"level":"STANDARD"},"whatsapp_business_manager_messaging_limit":"TIER_2K"}"#,
    )])
    .await;
    let number = client(&base)
        .get_phone_number("400000000000001", "T")
        .await
        .unwrap();
    assert_eq!(number.verified_name.as_deref(), Some("Tienda Demo"));
    assert_eq!(number.quality_rating.as_deref(), Some("GREEN"));
    assert_eq!(number.messaging_limit.as_deref(), Some("TIER_2K"));
    assert_eq!(number.throughput_level.as_deref(), Some("STANDARD"));
    assert_eq!(number.platform_type.as_deref(), Some("CLOUD_API"));
    assert_eq!(number.display_digits().as_deref(), Some("15550001111"));
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].method, "GET");
    assert!(
        seen[0]
            .target
            .starts_with("/v25.0/400000000000001?fields=id%2Cdisplay_phone_number")
    );
    assert!(
        seen[0]
            .target
            .contains("whatsapp_business_manager_messaging_limit")
    );
}

#[tokio::test]
async fn templates_follow_the_cursor() {
    let page1 = json!({
        "data": [{"id": "1", "name": "order_update", "language": "es", "status": "APPROVED",
                  "category": "UTILITY",
                  "components": [{"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} ya salió."}]}],
        "paging": {"cursors": {"before": "B1", "after": "A1"}, "next": "https://graph.facebook.com/next"}
    });
    let page2 = json!({
        "data": [{"id": 2, "name": "welcome", "language": "en_US", "status": "PENDING",
                  "category": "MARKETING", "parameter_format": "NAMED",
                  "components": [{"type": "BODY", "text": "Hi {{name}}"}]}],
        "paging": {"cursors": {"before": "B2", "after": "A2"}}
    });
    let (base, seen) = script(vec![
        reply(200, page1.to_string()),
        reply(200, page2.to_string()),
    ])
    .await;
    let templates = client(&base).list_templates("WABA1", "T").await.unwrap();
    assert_eq!(templates.len(), 2);
    assert_eq!(templates[0].body_variables(), vec!["1", "2"]);
    assert_eq!(templates[1].id, "2");
    assert_eq!(templates[1].parameter_format.as_deref(), Some("NAMED"));
    assert_eq!(templates[1].body_variables(), vec!["name"]);
    let seen = seen.lock().unwrap();
    assert!(
        seen[0]
            .target
            .starts_with("/v25.0/WABA1/message_templates?")
    );
    assert!(!seen[0].target.contains("after="));
    assert!(seen[1].target.contains("after=A1"));
}

#[tokio::test]
async fn media_upload_url_and_download() {
    let (base, seen) = script(vec![
        reply(200, r#"{"id":"900000000000999"}"#),
        reply(
            200,
            r#"{"messaging_product":"whatsapp","url":"http://x.test/m","mime_type":"image/jpeg",
                "sha256":"abc","file_size":"61901","id":"900000000000999"}"#,
        ),
        Reply {
            content_type: "image/jpeg",
            ..reply(200, vec![0xff, 0xd8, 0xff, 0xe0])
        },
        reply(200, vec![0u8; 100]),
        reply(404, ""),
    ])
    .await;
    let graph = client(&base);
    let id = graph
        .upload_media("PN", "T", b"JPEGDATA".to_vec(), "image/jpeg", "foto.jpg")
        .await
        .unwrap();
    assert_eq!(id, "900000000000999");
    let info = graph.media_url(&id, "T").await.unwrap();
    assert_eq!(info.file_size, Some(61901));
    assert_eq!(info.mime_type.as_deref(), Some("image/jpeg"));
    let download_url = format!("{base}/lookaside?mid=1");
    let media = graph
        .download_media(&download_url, "T", 1024)
        .await
        .unwrap();
    assert_eq!(media.bytes, vec![0xff, 0xd8, 0xff, 0xe0]);
    assert_eq!(media.content_type.as_deref(), Some("image/jpeg"));
    let e = graph
        .download_media(&download_url, "T", 99)
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::TooLarge { limit: 99 }));
    let e = graph
        .download_media(&download_url, "T", 1024)
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::MediaUrlExpired));
    assert!(e.class().is_retryable());
    // The token is never sent outside Meta's media hosts (nor to lookalikes).
    for url in [
        "https://evil.test/m?mid=1",
        "https://fbsbx.com.evil.test/m",
        "https://evilfbsbx.com/m",
        "not a url",
    ] {
        let e = graph.download_media(url, "T", 1024).await.unwrap_err();
        assert!(matches!(e, GraphError::Invalid(_)), "{url}: {e:?}");
    }

    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].target, "/v25.0/PN/media");
    let content_type = seen[0].header("content-type").unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = String::from_utf8_lossy(&seen[0].body);
    assert!(body.contains("name=\"messaging_product\"\r\n\r\nwhatsapp"));
    assert!(body.contains("name=\"type\"\r\n\r\nimage/jpeg"));
    assert!(body.contains("name=\"file\"; filename=\"foto.jpg\""));
    assert!(body.contains("JPEGDATA"));
    assert_eq!(seen[1].target, "/v25.0/900000000000999");
    assert_eq!(seen[2].target, "/lookaside?mid=1");
    assert_eq!(seen[2].header("authorization"), Some("Bearer T"));
}

#[tokio::test]
async fn onboarding_calls() {
    let (base, seen) = script(vec![
        reply(
            200,
            r#"{"access_token":"BUSINESS-TOKEN","token_type":"bearer"}"#,
        ),
        reply(200, "PLAIN-TOKEN"),
        reply(200, r#"{"success":true}"#),
        reply(200, r#"{"success":true}"#),
        reply(200, r#"{"success":true}"#),
    ])
    .await;
    let graph = client(&base);
    let token = graph
        .exchange_code("APP", "SECRET", "CODE 1")
        .await
        .unwrap();
    assert_eq!(token.access_token, "BUSINESS-TOKEN");
    assert_eq!(token.token_type.as_deref(), Some("bearer"));
    assert!(!format!("{token:?}").contains("BUSINESS-TOKEN"));
    let token = graph.exchange_code("APP", "SECRET", "CODE2").await.unwrap();
    assert_eq!(token.access_token, "PLAIN-TOKEN");
    graph.subscribe_app("WABA1", "BT", None).await.unwrap();
    graph
        .subscribe_app(
            "WABA1",
            "BT",
            Some(&CallbackOverride {
                uri: "https://chorus.test/webhooks/whatsapp".into(),
                verify_token: "VT".into(),
            }),
        )
        .await
        .unwrap();
    graph.register("PN", "BT", "581063").await.unwrap();
    assert!(matches!(
        graph.register("PN", "BT", "12345").await,
        Err(GraphError::Invalid(_))
    ));

    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].target,
        "/v25.0/oauth/access_token?client_id=APP&client_secret=SECRET&code=CODE+1"
    );
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(seen[2].target, "/v25.0/WABA1/subscribed_apps");
    assert_eq!(seen[2].header("authorization"), Some("Bearer BT"));
    assert_eq!(
        seen[3].json(),
        json!({"override_callback_uri": "https://chorus.test/webhooks/whatsapp", "verify_token": "VT"})
    );
    assert_eq!(seen[4].target, "/v25.0/PN/register");
    assert_eq!(
        seen[4].json(),
        json!({"messaging_product": "whatsapp", "pin": "581063"})
    );
}
