//! The fake Meta against Chorus's own protocol layer: `chorus_tenants::whatsapp`'s Graph client
//! talks to the fake Graph server, and its signature check and parser read every webhook the
//! fake builds. The two sides were written separately from the facts sheet, so agreement here
//! is evidence that both follow it.

// Helpers outside `#[test]` functions (servers, receivers) unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chorus_loadtests::fake_meta::{
    BusinessNumber, Customer, Failure, FakeGraph, Inbound, Pricing, StatusOrder, StatusPlan,
    StatusSpec, WebhookBatch, WebhookSender, status_sequence,
};
use chorus_tenants::whatsapp::graph::{
    ButtonSubType, ButtonsMessage, CallbackOverride, GraphClient, GraphConfig, GraphError,
    ListMessage, ListRow, ListSection, MediaSource, OutboundContent, OutboundMessage, Recipient,
    ReplyButton, TemplateComponent, TemplateMessage, TemplateParameter,
};
use chorus_tenants::whatsapp::webhook::{DeliveryStatus, Event, MessageKind, parse};
use chorus_tenants::whatsapp::{ErrorClass, signature};
use serde_json::json;

const PNID: &str = "400000000000001";
const WABA: &str = "300000000000001";
const DISPLAY: &str = "+1 555-000-1111";
const TOKEN: &str = "EAAG-test-token";
const SECRET: &[u8] = b"test-app-secret";
const ANA: &str = "34600111222";

async fn fake() -> FakeGraph {
    let fake = FakeGraph::start().await.unwrap();
    fake.add_number(PNID, WABA, DISPLAY, TOKEN);
    fake
}

fn client(fake: &FakeGraph) -> GraphClient {
    client_with_timeout(fake, Duration::from_secs(15))
}

fn client_with_timeout(fake: &FakeGraph, timeout: Duration) -> GraphClient {
    GraphClient::new(GraphConfig {
        base_url: fake.base_url().to_owned(),
        timeout,
        ..GraphConfig::default()
    })
    .unwrap()
}

fn text_to(to: &str, body: &str) -> OutboundMessage {
    OutboundMessage::text(Recipient::Phone(to.into()), body)
}

async fn send(graph: &GraphClient, message: &OutboundMessage) -> Result<String, GraphError> {
    graph
        .send_message(PNID, TOKEN, message)
        .await
        .map(|s| s.wamid)
}

// --- Graph API round trips -------------------------------------------------------------------

#[tokio::test]
async fn a_text_send_round_trips() {
    let fake = fake().await;
    let graph = client(&fake);
    let sent = graph
        .send_message(PNID, TOKEN, &text_to(ANA, "Hola Ana").reply_to("wamid.IN1"))
        .await
        .unwrap();
    assert!(sent.wamid.starts_with("wamid."));
    assert_eq!(sent.wa_id.as_deref(), Some(ANA));
    assert_eq!(sent.input.as_deref(), Some("+34600111222"));

    let records = fake.sent_messages();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].wamid, sent.wamid);
    assert_eq!(records[0].recipient, ANA);
    assert_eq!(records[0].message_type, "text");
    assert_eq!(records[0].body["context"]["message_id"], "wamid.IN1");
    assert_eq!(records[0].body["text"]["body"], "Hola Ana");

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, format!("/v25.0/{PNID}/messages"));
    assert_eq!(requests[0].token.as_deref(), Some(TOKEN));
    assert_eq!(requests[0].status, 200);
}

#[tokio::test]
async fn every_outbound_kind_is_accepted() {
    let fake = fake().await;
    fake.add_template(
        WABA,
        "order_update",
        "es",
        "utility",
        "Hola {{1}}, tu pedido {{2}} ya salió.",
    );
    let graph = client(&fake);
    let to = || Recipient::Phone(ANA.into());
    let contents = vec![
        OutboundContent::Image {
            media: MediaSource::Link("https://cdn.example.test/p.jpg".into()),
            caption: Some("Tu paquete".into()),
        },
        OutboundContent::Document {
            media: MediaSource::Id("900000000000777".into()),
            caption: None,
            filename: Some("factura.pdf".into()),
        },
        OutboundContent::Audio {
            media: MediaSource::Id("1".into()),
        },
        OutboundContent::Video {
            media: MediaSource::Id("1".into()),
            caption: None,
        },
        OutboundContent::Sticker {
            media: MediaSource::Id("1".into()),
        },
        OutboundContent::Location {
            latitude: 40.4,
            longitude: -3.7,
            name: None,
            address: None,
        },
        OutboundContent::Reaction {
            message_id: "wamid.IN1".into(),
            emoji: "👍".into(),
        },
        OutboundContent::Buttons(ButtonsMessage {
            header: None,
            body: "¿Confirmas?".into(),
            footer: None,
            buttons: vec![ReplyButton {
                id: "yes".into(),
                title: "Sí".into(),
            }],
        }),
        OutboundContent::List(ListMessage {
            header: None,
            body: "Elige".into(),
            footer: None,
            button: "Ver".into(),
            sections: vec![ListSection {
                title: None,
                rows: vec![ListRow {
                    id: "a".into(),
                    title: "A".into(),
                    description: None,
                }],
            }],
        }),
        OutboundContent::Template(TemplateMessage {
            name: "order_update".into(),
            language: "es".into(),
            components: vec![TemplateComponent::Body {
                parameters: vec![
                    TemplateParameter::text("Ana"),
                    TemplateParameter::text("#88"),
                ],
            }],
        }),
    ];
    let count = contents.len();
    for content in contents {
        let message = OutboundMessage::new(to(), content.clone());
        let sent = graph.send_message(PNID, TOKEN, &message).await;
        assert!(sent.is_ok(), "{content:?}: {sent:?}");
    }
    // Templates report their pacing status.
    let last = fake.sent_messages().pop().unwrap();
    assert_eq!(last.message_type, "template");

    // A BSUID user is addressed with `recipient`.
    let bsuid = "US.13491208655302741918";
    let sent = graph
        .send_message(
            PNID,
            TOKEN,
            &OutboundMessage::text(Recipient::UserId(bsuid.into()), "hola"),
        )
        .await
        .unwrap();
    let records = fake.sent_to(bsuid);
    assert_eq!(records.len(), 1);
    assert!(records[0].by_user_id);
    assert_eq!(records[0].wamid, sent.wamid);
    assert_eq!(fake.sent_messages().len(), count + 1);
}

#[tokio::test]
async fn template_sends_are_checked_against_the_wabas_templates() {
    let fake = fake().await;
    fake.add_template(
        WABA,
        "order_update",
        "es",
        "utility",
        "Hola {{1}}, tu pedido {{2}}.",
    );
    let graph = client(&fake);
    let template = |name: &str, language: &str, params: usize| {
        OutboundMessage::new(
            Recipient::Phone(ANA.into()),
            OutboundContent::Template(TemplateMessage {
                name: name.into(),
                language: language.into(),
                components: vec![TemplateComponent::Body {
                    parameters: (0..params)
                        .map(|i| TemplateParameter::text(format!("p{i}")))
                        .collect(),
                }],
            }),
        )
    };
    let sent = graph
        .send_message(PNID, TOKEN, &template("order_update", "es", 2))
        .await
        .unwrap();
    assert_eq!(sent.message_status.as_deref(), Some("accepted"));

    let e = send(&graph, &template("order_update", "en_US", 2))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(132001));
    assert_eq!(e.class(), ErrorClass::Permanent);
    let e = send(&graph, &template("order_update", "es", 1))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(132000));
    assert_eq!(e.class(), ErrorClass::Permanent);
    assert_eq!(fake.sent_messages().len(), 1);

    // Quick-reply buttons are part of the body the fake sees.
    let mut with_button = template("order_update", "es", 2);
    if let OutboundContent::Template(t) = &mut with_button.content {
        t.components.push(TemplateComponent::Button {
            sub_type: ButtonSubType::QuickReply,
            index: 0,
            parameters: vec![TemplateParameter::payload("track_88")],
        });
    }
    send(&graph, &with_button).await.unwrap();
    let body = &fake.sent_messages()[1].body;
    assert_eq!(
        body["template"]["components"][1]["parameters"][0]["payload"],
        "track_88"
    );
}

#[tokio::test]
async fn tokens_and_object_access() {
    let fake = fake().await;
    fake.add_number(
        "400000000000002",
        "300000000000002",
        "+1 555-000-2222",
        "OTHER-TOKEN",
    );
    let graph = client(&fake);
    let message = text_to(ANA, "x");

    let e = graph
        .send_message(PNID, "WRONG", &message)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(190));
    assert_eq!(e.class(), ErrorClass::TokenInvalid);

    // A valid token for another business cannot see this number.
    let e = graph
        .send_message(PNID, "OTHER-TOKEN", &message)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(100));
    assert_eq!(e.class(), ErrorClass::Permanent);

    fake.revoke_token(TOKEN);
    let e = graph.send_message(PNID, TOKEN, &message).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::TokenInvalid);
    assert_eq!(e.api_error().unwrap().subcode, Some(463));
    assert!(fake.sent_messages().is_empty());
}

#[tokio::test]
async fn scripted_meta_errors_classify() {
    let fake = fake().await;
    let graph = client(&fake);
    let cases = [
        (131047, ErrorClass::WindowClosed),
        (
            130429,
            ErrorClass::Retryable {
                after: Some(Duration::from_secs(1)),
            },
        ),
        (
            131056,
            ErrorClass::Retryable {
                after: Some(Duration::from_secs(6)),
            },
        ),
        (131026, ErrorClass::Permanent),
        (132000, ErrorClass::Permanent),
        (190, ErrorClass::TokenInvalid),
        (131000, ErrorClass::Retryable { after: None }),
    ];
    for (code, class) in cases {
        fake.fail_next(1, Failure::meta(code));
        let e = send(&graph, &text_to(ANA, "x")).await.unwrap_err();
        assert_eq!(e.code(), Some(code));
        assert_eq!(e.class(), class, "{code}");
        assert!(e.api_error().unwrap().fbtrace_id.is_some());
    }
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![400, 400, 400, 400, 400, 401, 500]);

    fake.fail_next(1, Failure::http(503));
    let e = send(&graph, &text_to(ANA, "x")).await.unwrap_err();
    assert_eq!(e.http_status(), Some(503));
    assert!(e.api_error().is_none());
    assert!(e.class().is_retryable());

    // Failures are used up; the next send goes through.
    send(&graph, &text_to(ANA, "x")).await.unwrap();
    assert_eq!(fake.sent_messages().len(), 1);

    // Any endpoint can be failed, not only sends.
    fake.fail_next_calls(1, Failure::meta(80007));
    let e = graph.get_phone_number(PNID, TOKEN).await.unwrap_err();
    assert_eq!(e.code(), Some(80007));
    assert!(e.class().is_retryable());
    fake.clear_records();
    assert!(fake.requests().is_empty() && fake.sent_messages().is_empty());
}

#[tokio::test]
async fn failures_for_one_recipient_only() {
    let fake = fake().await;
    let graph = client(&fake);
    fake.fail_recipient("+34 600 999 888", 2, Failure::meta(131026));
    assert_eq!(
        send(&graph, &text_to("34600999888", "a"))
            .await
            .unwrap_err()
            .code(),
        Some(131026)
    );
    send(&graph, &text_to(ANA, "b")).await.unwrap();
    assert!(send(&graph, &text_to("+34600999888", "c")).await.is_err());
    send(&graph, &text_to("34600999888", "d")).await.unwrap();
    // Read receipts are not sends and are never failed by send rules.
    fake.fail_next(1, Failure::meta(131000));
    graph
        .mark_read(PNID, TOKEN, "wamid.IN1", true)
        .await
        .unwrap();
    assert_eq!(
        fake.read_receipts(),
        vec![(PNID.to_owned(), "wamid.IN1".to_owned(), true)]
    );
    fake.clear_failures();
    send(&graph, &text_to(ANA, "e")).await.unwrap();
}

#[tokio::test]
async fn a_delay_past_the_client_timeout_is_a_retryable_timeout() {
    let fake = fake().await;
    let graph = client_with_timeout(&fake, Duration::from_millis(300));
    fake.fail_next(1, Failure::delay(Duration::from_millis(800)));
    let e = send(&graph, &text_to(ANA, "x")).await.unwrap_err();
    assert!(matches!(e, GraphError::Timeout), "{e:?}");
    assert!(e.class().is_retryable());
    // Meta may still have accepted it: the fake did.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(fake.sent_messages().len(), 1);

    // Plain latency below the timeout only slows things down.
    fake.set_latency(Duration::from_millis(100));
    let started = std::time::Instant::now();
    send(&graph, &text_to(ANA, "y")).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn the_window_pair_and_throughput_limits() {
    let fake = fake().await;
    let graph = client(&fake);
    fake.add_template(WABA, "hello", "en_US", "utility", "Hello");
    fake.enforce_window(true);
    let e = send(&graph, &text_to(ANA, "hola")).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::WindowClosed);
    let template = OutboundMessage::new(
        Recipient::Phone(ANA.into()),
        OutboundContent::Template(TemplateMessage {
            name: "hello".into(),
            language: "en_US".into(),
            components: vec![],
        }),
    );
    send(&graph, &template).await.unwrap();
    fake.open_window(PNID, ANA);
    send(&graph, &text_to(ANA, "hola")).await.unwrap();
    fake.enforce_window(false);

    fake.set_pair_rate_limit(Some(Duration::from_millis(300)));
    send(&graph, &text_to("34600000001", "1")).await.unwrap();
    let e = send(&graph, &text_to("34600000001", "2"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(131056));
    send(&graph, &text_to("34600000002", "other user"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    send(&graph, &text_to("34600000001", "3")).await.unwrap();
    fake.set_pair_rate_limit(None);

    fake.set_throughput_limit(Some(3));
    let mut codes = Vec::new();
    for i in 0..5 {
        codes.push(
            send(&graph, &text_to(&format!("3460000010{i}"), "x"))
                .await
                .err()
                .and_then(|e| e.code()),
        );
    }
    // Earlier sends within the last second count too.
    assert!(codes.contains(&Some(130429)), "{codes:?}");
    assert!(codes.iter().filter(|c| c.is_none()).count() <= 3);
}

#[tokio::test]
async fn phone_number_details() {
    let fake = fake().await;
    fake.set_quality(PNID, "YELLOW");
    let number = client(&fake).get_phone_number(PNID, TOKEN).await.unwrap();
    assert_eq!(number.id, PNID);
    assert_eq!(number.display_phone_number.as_deref(), Some(DISPLAY));
    assert_eq!(number.quality_rating.as_deref(), Some("YELLOW"));
    assert_eq!(number.messaging_limit.as_deref(), Some("TIER_2K"));
    assert_eq!(number.throughput_level.as_deref(), Some("STANDARD"));
    assert_eq!(number.status.as_deref(), Some("CONNECTED"));
    // Graph formats the number; webhooks use digits. The two meet through display_digits.
    assert_eq!(
        number.display_digits(),
        Some(fake.business_number(PNID).unwrap().display_phone_number)
    );
}

#[tokio::test]
async fn templates_page_through() {
    let fake = fake().await;
    for i in 0..130 {
        fake.add_template(
            WABA,
            &format!("t{i:03}"),
            "es",
            "marketing",
            "Hola {{nombre}}",
        );
    }
    let templates = client(&fake).list_templates(WABA, TOKEN).await.unwrap();
    assert_eq!(templates.len(), 130);
    assert_eq!(templates[129].name, "t129");
    assert_eq!(templates[0].status, "APPROVED");
    assert_eq!(templates[0].category.as_deref(), Some("MARKETING"));
    assert_eq!(templates[0].body_variables(), vec!["nombre"]);
    let pages = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/message_templates"))
        .count();
    assert_eq!(pages, 2);
}

#[tokio::test]
async fn media_upload_url_download_and_expiry() {
    let fake = fake().await;
    let graph = client(&fake);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
    let id = graph
        .upload_media(PNID, TOKEN, bytes.clone(), "application/pdf", "factura.pdf")
        .await
        .unwrap();
    let uploads = fake.uploaded_media();
    assert_eq!(uploads[0].id, id);
    assert_eq!(uploads[0].mime_type, "application/pdf");
    assert_eq!(uploads[0].filename.as_deref(), Some("factura.pdf"));
    assert_eq!(uploads[0].bytes, bytes);

    let info = graph.media_url(&id, TOKEN).await.unwrap();
    assert_eq!(info.file_size, Some(200_000));
    assert_eq!(info.mime_type.as_deref(), Some("application/pdf"));
    let media = graph
        .download_media(&info.url, TOKEN, 10_000_000)
        .await
        .unwrap();
    assert_eq!(media.bytes, bytes);
    assert_eq!(media.content_type.as_deref(), Some("application/pdf"));
    assert!(matches!(
        graph.download_media(&info.url, TOKEN, 1000).await,
        Err(GraphError::TooLarge { .. })
    ));
    // Without the right token the download fails.
    assert!(
        graph
            .download_media(&info.url, "WRONG", 10_000_000)
            .await
            .is_err()
    );

    // A customer's file, with URLs that expire at once.
    let inbound = fake.add_media(PNID, b"OggS voice".to_vec(), "audio/ogg");
    fake.set_media_url_ttl(Duration::ZERO);
    let info = graph.media_url(&inbound, TOKEN).await.unwrap();
    let e = graph
        .download_media(&info.url, TOKEN, 1000)
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::MediaUrlExpired));
    fake.set_media_url_ttl(Duration::from_secs(300));
    let info = graph.media_url(&inbound, TOKEN).await.unwrap();
    assert_eq!(
        graph
            .download_media(&info.url, TOKEN, 1000)
            .await
            .unwrap()
            .bytes,
        b"OggS voice"
    );
    // Unknown media ids are Graph's "does not exist".
    assert_eq!(
        graph.media_url("999", TOKEN).await.unwrap_err().code(),
        Some(100)
    );
}

#[tokio::test]
async fn embedded_signup_onboarding() {
    let fake = fake().await;
    fake.add_number(
        "400000000000009",
        "300000000000009",
        "+34 910 000 000",
        "UNUSED",
    );
    fake.set_app("APP-1", "APP-SECRET");
    fake.add_signup_code("CODE-1", "BUSINESS-TOKEN", "300000000000009");
    fake.require_registration("400000000000009", "581063");
    let graph = client(&fake);

    assert!(
        graph
            .exchange_code("APP-1", "WRONG", "CODE-1")
            .await
            .is_err()
    );
    let token = graph
        .exchange_code("APP-1", "APP-SECRET", "CODE-1")
        .await
        .unwrap();
    assert_eq!(token.access_token, "BUSINESS-TOKEN");
    // A code works once.
    assert_eq!(
        graph
            .exchange_code("APP-1", "APP-SECRET", "CODE-1")
            .await
            .unwrap_err()
            .code(),
        Some(100)
    );

    graph
        .subscribe_app(
            "300000000000009",
            &token.access_token,
            Some(&CallbackOverride {
                uri: "https://chorus.test/webhooks/whatsapp".into(),
                verify_token: "VT".into(),
            }),
        )
        .await
        .unwrap();
    let subscriptions = fake.subscriptions();
    assert_eq!(subscriptions[0].waba_id, "300000000000009");
    assert_eq!(
        subscriptions[0].override_callback_uri.as_deref(),
        Some("https://chorus.test/webhooks/whatsapp")
    );

    let message = text_to(ANA, "x");
    let e = graph
        .send_message("400000000000009", &token.access_token, &message)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(133010));
    let e = graph
        .register("400000000000009", &token.access_token, "000000")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(133005));
    graph
        .register("400000000000009", &token.access_token, "581063")
        .await
        .unwrap();
    assert_eq!(fake.registrations(), vec!["400000000000009".to_owned()]);
    graph
        .send_message("400000000000009", &token.access_token, &message)
        .await
        .unwrap();
}

// --- webhooks --------------------------------------------------------------------------------

fn number() -> BusinessNumber {
    BusinessNumber::new(WABA, PNID, "15550001111")
}

fn ana() -> Customer {
    Customer::phone(ANA, "Ana Ruiz")
}

/// A batch with every inbound type, statuses, errors and account-level fields, over two WABAs
/// and three numbers.
fn big_batch() -> (WebhookBatch, Vec<String>) {
    let n1 = number();
    let n2 = BusinessNumber::new(WABA, "400000000000002", "15550002222");
    let n3 = BusinessNumber::new("300000000000002", "400000000000003", "4930000000");
    let marta = Customer::bsuid("US.13491208655302741918", "Marta", "marta.cocina");
    let mut batch = WebhookBatch::new();
    let inbound = vec![
        Inbound::text("Hola, ¿mi pedido ya salió?"),
        Inbound::image("900000000000123", "image/jpeg", Some("Foto del paquete"))
            .reply_to("wamid.OUT9", "15550001111"),
        Inbound::video("901", None),
        Inbound::audio("902", true),
        Inbound::document("903", "application/pdf", "factura.pdf", Some("la factura")),
        Inbound::sticker("904", false),
        Inbound::location(40.4168, -3.7038, Some(("Sol", "Puerta del Sol"))),
        Inbound::contact_card("Luis Gómez", "+34 600 333 444", Some("34600333444")),
        Inbound::button_reply("deliv_yes", "Sí"),
        Inbound::list_reply("dept_billing", "Facturación", Some("Pagos")),
        Inbound::template_button("track_88", "Seguir pedido", "wamid.TPL1", "15550001111"),
        Inbound::reaction("wamid.OUT9", "👍"),
        Inbound::reaction_removed("wamid.OUT9", true),
        Inbound::reaction_removed("wamid.OUT9", false),
        Inbound::order("555000", &[("SKU-1", 2, 12.5)], "EUR"),
        Inbound::changed_number("34600999888"),
        Inbound::identity_changed("abc="),
        Inbound::unsupported("poll"),
        Inbound::revoke("wamid.IN1"),
        Inbound::edit("wamid.IN1", "corregido"),
        Inbound::other("poll", json!({"question": "¿Pizza?"})),
        Inbound::text("Vi el anuncio").from_ad("120000001", "Rebajas"),
        Inbound::text("reenviado").forwarded(true),
    ];
    let mut wamids = Vec::new();
    for message in inbound {
        wamids.push(batch.message(&n1, &ana(), message));
    }
    wamids.push(batch.message(&n2, &marta, Inbound::text("soy Marta")));
    batch.statuses(
        &n1,
        status_sequence(
            "wamid.OUT1",
            ANA,
            StatusOrder::ReadBeforeDelivered,
            Pricing::regular("utility"),
        ),
    );
    batch.status(
        &n2,
        StatusSpec::failed("wamid.OUT2", "US.13491208655302741918", 131047),
    );
    batch.status(
        &n3,
        StatusSpec::sent("wamid.OUT3", "491700000000")
            .with_pricing(Pricing::free_entry_point())
            .with_conversation("CONV1", "referral_conversion")
            .callback_data("chorus:7"),
    );
    batch.message(
        &n3,
        &Customer::phone("491700000000", "Lena"),
        Inbound::text("Hallo"),
    );
    batch.value_error(&n3, 130429);
    batch.template_status(
        "300000000000002",
        770000000000001,
        "order_update",
        "de",
        "APPROVED",
        Some("NONE"),
    );
    batch.template_status(WABA, 770000000000002, "promo", "es", "REJECTED", None);
    batch.quality_update(WABA, "15550001111", "THROUGHPUT_UPGRADE", "TIER_UNLIMITED");
    batch.account_update(WABA, "ACCOUNT_RESTRICTION");
    batch.field(
        WABA,
        "business_capability_update",
        json!({"max_daily_conversations_per_business": -1}),
    );
    (batch, wamids)
}

#[test]
fn every_built_payload_verifies_and_parses() {
    let (batch, wamids) = big_batch();
    let body = batch.to_bytes();
    let header = chorus_loadtests::fake_meta::sign(SECRET, &body);
    signature::verify(SECRET, &body, Some(&header)).unwrap();
    assert_eq!(header, signature::sign(SECRET, &body));

    let events = parse(&body).unwrap();
    assert_eq!(events.len(), batch.len());
    let unparsed: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::Unparsed { .. }))
        .collect();
    assert!(unparsed.is_empty(), "{unparsed:#?}");

    let messages: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Message {
                message,
                contact,
                phone_number_id,
                ..
            } => Some((message, contact, phone_number_id)),
            _ => None,
        })
        .collect();
    assert_eq!(messages.len(), wamids.len() + 1);
    for (i, wamid) in wamids.iter().enumerate() {
        assert_eq!(&messages[i].0.wamid, wamid);
    }
    let kinds: Vec<&str> = messages
        .iter()
        .map(|(m, _, _)| m.kind.wire_type())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "text",
            "image",
            "video",
            "audio",
            "document",
            "sticker",
            "location",
            "contacts",
            "interactive",
            "interactive",
            "button",
            "reaction",
            "reaction",
            "reaction",
            "order",
            "system",
            "system",
            "unsupported",
            "revoke",
            "edit",
            "poll",
            "text",
            "text",
            "text",
            "text"
        ]
    );
    assert!(matches!(
        messages[8].0.kind,
        MessageKind::ButtonReply { .. }
    ));
    assert!(matches!(messages[9].0.kind, MessageKind::ListReply { .. }));
    assert!(matches!(
        &messages[12].0.kind,
        MessageKind::Reaction { emoji: None, .. }
    ));
    assert!(matches!(
        &messages[13].0.kind,
        MessageKind::Reaction { emoji: None, .. }
    ));
    assert!(matches!(messages[20].0.kind, MessageKind::Unknown { .. }));
    assert_eq!(
        messages[1]
            .0
            .context
            .as_ref()
            .unwrap()
            .message_id
            .as_deref(),
        Some("wamid.OUT9")
    );
    assert_eq!(messages[3].0.kind.media().unwrap().voice, Some(true));
    assert_eq!(messages[17].0.errors[0].code, 131051);
    assert!(messages[21].0.referral.is_some());
    assert!(
        messages[22]
            .0
            .context
            .as_ref()
            .unwrap()
            .frequently_forwarded
    );
    for (_, contact, _) in &messages[..wamids.len() - 1] {
        assert_eq!(contact.as_ref().unwrap().name.as_deref(), Some("Ana Ruiz"));
    }
    // The BSUID user: no phone, matched by user id.
    let (marta, contact, pnid) = &messages[wamids.len() - 1];
    assert_eq!(marta.from, None);
    assert_eq!(
        contact.as_ref().unwrap().username.as_deref(),
        Some("marta.cocina")
    );
    assert_eq!(*pnid, "400000000000002");

    let statuses: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Status { status, .. } => Some(status),
            _ => None,
        })
        .collect();
    let order: Vec<(&str, &str)> = statuses
        .iter()
        .map(|s| (s.wamid.as_str(), s.status.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            ("wamid.OUT1", "sent"),
            ("wamid.OUT1", "read"),
            ("wamid.OUT1", "delivered"),
            ("wamid.OUT2", "failed"),
            ("wamid.OUT3", "sent"),
        ]
    );
    assert!(statuses[0].pricing.as_ref().unwrap().is_charged());
    assert!(statuses[1].pricing.is_none() && statuses[2].pricing.is_none());
    // Out of order: the late `delivered` does not move a read message back.
    assert!(!statuses[2].status.supersedes(&statuses[1].status));
    assert_eq!(statuses[3].errors[0].class(), ErrorClass::WindowClosed);
    assert_eq!(
        statuses[4]
            .conversation
            .as_ref()
            .unwrap()
            .origin_type
            .as_deref(),
        Some("referral_conversion")
    );
    assert_eq!(
        statuses[4].biz_opaque_callback_data.as_deref(),
        Some("chorus:7")
    );
    assert!(!statuses[4].pricing.as_ref().unwrap().is_charged());

    let count = |f: fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(count(|e| matches!(e, Event::Error { .. })), 1);
    assert_eq!(count(|e| matches!(e, Event::TemplateStatus { .. })), 2);
    assert_eq!(count(|e| matches!(e, Event::Quality { .. })), 1);
    assert_eq!(count(|e| matches!(e, Event::AccountUpdate { .. })), 1);
    assert_eq!(count(|e| matches!(e, Event::Other { .. })), 1);
    let rejected = events.iter().find_map(|e| match e {
        Event::TemplateStatus { update, .. } if update.event == "REJECTED" => Some(update),
        _ => None,
    });
    assert!(rejected.unwrap().rejection_reason.is_some());

    // Every event survives a trip through JSON (jobs and failed-event storage).
    for event in &events {
        let back: Event = serde_json::from_str(&serde_json::to_string(event).unwrap()).unwrap();
        assert_eq!(&back, event);
    }

    // Batched like Meta: one entry per WABA, one change per number and kind, plus fields.
    let json = batch.to_json();
    assert_eq!(json["entry"].as_array().unwrap().len(), 2);
    assert!(json["entry"][0]["changes"].as_array().unwrap().len() >= 4);
}

#[test]
fn status_sequences() {
    let seq = |order| {
        status_sequence("wamid.X", ANA, order, Pricing::free_service())
            .into_iter()
            .map(|s| s.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(seq(StatusOrder::InOrder), vec!["sent", "delivered", "read"]);
    assert_eq!(
        seq(StatusOrder::ReadBeforeDelivered),
        vec!["sent", "read", "delivered"]
    );
    assert_eq!(seq(StatusOrder::DeliveredSkipped), vec!["sent", "read"]);
    assert_eq!(
        seq(StatusOrder::WithDuplicates),
        vec!["sent", "delivered", "delivered", "read", "read"]
    );
    let with_pricing = status_sequence(
        "wamid.X",
        ANA,
        StatusOrder::InOrder,
        Pricing::regular("marketing"),
    )
    .iter()
    .filter(|s| s.pricing.is_some())
    .count();
    assert_eq!(with_pricing, 1);
}

/// A webhook receiver built on `chorus_tenants::whatsapp`: verifies, parses, keeps the events.
struct Receiver {
    url: String,
    events: Arc<Mutex<Vec<Event>>>,
    refused: Arc<Mutex<Vec<String>>>,
    handle: actix_web::dev::ServerHandle,
}

async fn receiver() -> Receiver {
    let events: Arc<Mutex<Vec<Event>>> = Arc::default();
    let refused: Arc<Mutex<Vec<String>>> = Arc::default();
    let (e, r) = (events.clone(), refused.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/webhooks/whatsapp",
        listener.local_addr().unwrap()
    );
    let server = HttpServer::new(move || {
        let (e, r) = (e.clone(), r.clone());
        App::new()
            .route(
                "/webhooks/whatsapp",
                web::post().to(move |req: HttpRequest, body: web::Bytes| {
                    let (e, r) = (e.clone(), r.clone());
                    async move {
                        let header = req
                            .headers()
                            .get(signature::HEADER)
                            .and_then(|v| v.to_str().ok());
                        if let Err(why) = signature::verify(SECRET, &body, header) {
                            r.lock().unwrap().push(why.to_string());
                            return HttpResponse::Unauthorized().finish();
                        }
                        match parse(&body) {
                            Ok(events) => {
                                e.lock().unwrap().extend(events);
                                HttpResponse::Ok().finish()
                            }
                            Err(_) => HttpResponse::BadRequest().finish(),
                        }
                    }
                }),
            )
            .route(
                "/webhooks/whatsapp",
                web::get().to(
                    |q: web::Query<std::collections::HashMap<String, String>>| async move {
                        let ok = q.get("hub.mode").map(String::as_str) == Some("subscribe")
                            && q.get("hub.verify_token").map(String::as_str) == Some("VT");
                        match (ok, q.get("hub.challenge")) {
                            (true, Some(challenge)) => HttpResponse::Ok()
                                .content_type("text/plain")
                                .body(challenge.clone()),
                            _ => HttpResponse::Forbidden().finish(),
                        }
                    },
                ),
            )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Receiver {
        url,
        events,
        refused,
        handle,
    }
}

#[tokio::test]
async fn the_sender_signs_posts_duplicates_and_probes() {
    let receiver = receiver().await;
    let sender = WebhookSender::new(&receiver.url, SECRET);

    let probe = sender.verify("VT", "1158201444").await.unwrap();
    assert_eq!((probe.status, probe.body.as_str()), (200, "1158201444"));
    assert_eq!(sender.verify("wrong", "1").await.unwrap().status, 403);

    let (batch, _) = big_batch();
    let delivery = sender.post(&batch).await.unwrap();
    assert_eq!(delivery.status, 200);
    assert_eq!(receiver.events.lock().unwrap().len(), batch.len());

    // Meta's retries: the same bytes again.
    let mut small = WebhookBatch::new();
    let wamid = small.message(&number(), &ana(), Inbound::text("¿hola?"));
    let deliveries = sender.post_duplicated(&small, 3).await.unwrap();
    assert!(deliveries.iter().all(|d| d.status == 200));
    let copies = receiver
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::Message { message, .. } if message.wamid == wamid))
        .count();
    assert_eq!(copies, 3);

    // Bad signatures are refused, with the reason.
    let body = small.to_bytes();
    assert_eq!(
        sender
            .post_with_signature(body.clone(), None)
            .await
            .unwrap()
            .status,
        401
    );
    assert_eq!(
        sender
            .post_with_signature(body.clone(), Some("sha256=00"))
            .await
            .unwrap()
            .status,
        401
    );
    let other = WebhookSender::new(&receiver.url, b"another-secret");
    assert_eq!(other.post(&small).await.unwrap().status, 401);
    let refused = receiver.refused.lock().unwrap().clone();
    assert_eq!(refused.len(), 3);
    assert!(refused[0].contains("missing"));
    assert!(refused[1].contains("malformed"));
    assert!(refused[2].contains("does not match"));
    receiver.handle.stop(false).await;
}

#[tokio::test]
async fn accepted_sends_come_back_as_status_webhooks() {
    let receiver = receiver().await;
    let fake = fake().await;
    fake.add_template(WABA, "order_update", "es", "utility", "Hola {{1}}");
    fake.deliver_statuses(
        WebhookSender::new(&receiver.url, SECRET),
        StatusPlan {
            delay: Duration::from_millis(5),
            ..StatusPlan::default()
        },
    );
    let graph = client(&fake);
    let reply = send(&graph, &text_to(ANA, "hola").callback_data("chorus:1"))
        .await
        .unwrap();
    let template = OutboundMessage::new(
        Recipient::Phone(ANA.into()),
        OutboundContent::Template(TemplateMessage {
            name: "order_update".into(),
            language: "es".into(),
            components: vec![TemplateComponent::Body {
                parameters: vec![TemplateParameter::text("Ana")],
            }],
        }),
    );
    let marketing = send(&graph, &template).await.unwrap();
    fake.fail_recipient("34600999888", 1, Failure::FailedStatus { code: 131026 });
    let undeliverable = send(&graph, &text_to("34600999888", "hola")).await.unwrap();

    // 3 + 3 + 1 status webhooks.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while receiver.events.lock().unwrap().len() < 7 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let events = receiver.events.lock().unwrap().clone();
    let statuses: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Status {
                status,
                phone_number_id,
                ..
            } => {
                assert_eq!(phone_number_id, PNID);
                Some(status.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(statuses.len(), 7, "{events:#?}");
    let of = |wamid: &str| {
        statuses
            .iter()
            .filter(|s| s.wamid == wamid)
            .collect::<Vec<_>>()
    };

    let reply_statuses = of(&reply);
    assert_eq!(
        reply_statuses
            .iter()
            .map(|s| s.status.clone())
            .collect::<Vec<_>>(),
        vec![
            DeliveryStatus::Sent,
            DeliveryStatus::Delivered,
            DeliveryStatus::Read
        ]
    );
    let pricing = reply_statuses[0].pricing.as_ref().unwrap();
    assert_eq!(
        pricing.pricing_type.as_deref(),
        Some("free_customer_service")
    );
    assert!(!pricing.is_charged());
    assert!(
        reply_statuses
            .iter()
            .all(|s| s.biz_opaque_callback_data.as_deref() == Some("chorus:1"))
    );

    let template_pricing = of(&marketing)[0].pricing.clone().unwrap();
    assert_eq!(template_pricing.category.as_deref(), Some("utility"));
    assert!(template_pricing.is_charged());

    let failed = of(&undeliverable);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, DeliveryStatus::Failed);
    assert_eq!(failed[0].errors[0].code, 131026);
    assert!(receiver.refused.lock().unwrap().is_empty());
    receiver.handle.stop(false).await;
}
