//! What messages carry, through the real server and the fake Meta Graph API
//! (`chorus_loadtests::fake_meta`): templates (listing, sending, status webhooks, authoring),
//! media (inbound downloads, signed URLs, uploads, sends), interactive messages, unread counts,
//! a business's own Meta app and Embedded Signup.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use base64::Engine;
use chorus_loadtests::fake_meta::FakeGraph;
use common::{META_APP_SECRET, Session, TestApp, email, spawn_app, spawn_app_with};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use support::{expect, expect_error, get_ok};

use chorus_tenants::whatsapp::signature;

const PHONE_ID: &str = "1065550101";
const WABA_ID: &str = "2065550101";
const TOKEN: &str = "EAAGtestTokenForTheContentTests01";
const CUSTOMER: &str = "34600111222";

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
        .unwrap()
}

/// Another PNG (different bytes, so a different hash).
fn png2() -> Vec<u8> {
    let mut p = png();
    p.extend_from_slice(b"trailing bytes make another file");
    p
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// SHA-256 as Meta's webhook example writes it: base64.
fn meta_sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(chorus_tenants::crypto::sha256(bytes))
}

fn sandbox_phone_id(s: &Session) -> String {
    chorus_tenants::numbers::sandbox_phone_number_id(s.tenant_id.parse().unwrap())
}

// ---------------------------------------------------------------------------------------------
// A business with a number connected against the fake Meta.

struct World {
    fake: FakeGraph,
    app: TestApp,
    owner: Session,
    /// The connected number's id in Chorus.
    number_id: String,
}

/// The fake Meta with the number (and whatever `prep` adds: templates, ...), the server pointed
/// at it, a business that connected the number, and the connection's template sync done.
async fn world(prep: impl FnOnce(&FakeGraph)) -> World {
    let fake = FakeGraph::start().await.unwrap();
    fake.add_number(PHONE_ID, WABA_ID, "+1 555-000-1111", TOKEN);
    prep(&fake);
    let url = fake.base_url().to_owned();
    let app = spawn_app_with(move |c| c.graph_api_url = url).await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let res = app
        .post(
            "/api/v1/numbers",
            Some(&owner.access_token),
            json!({"phone_number_id": PHONE_ID, "waba_id": WABA_ID, "access_token": TOKEN}),
        )
        .await;
    let number = expect(res, StatusCode::CREATED, "connect the number").await;
    app.drain_jobs().await;
    World {
        fake,
        app,
        owner,
        number_id: number["id"].as_str().unwrap().to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks in.

fn envelope(phone_number_id: &str, value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number": "15550001111", "phone_number_id": phone_number_id});
    json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}]})
}

/// A customer's message (Meta's `messages[]` item without `from`) to `phone_number_id`.
fn customer_message(phone_number_id: &str, message: Value) -> Value {
    let mut message = message;
    message["from"] = json!(CUSTOMER);
    envelope(
        phone_number_id,
        json!({"contacts": [{"profile": {"name": "Carla"}, "wa_id": CUSTOMER}], "messages": [message]}),
    )
}

fn text_message(wamid: &str, text: &str, ts: i64) -> Value {
    json!({"id": wamid, "timestamp": ts.to_string(), "type": "text", "text": {"body": text}})
}

async fn post_webhook(app: &TestApp, body: &Value) {
    let res = app.post_signed_webhook(body).await;
    expect(res, StatusCode::OK, "webhook").await;
}

/// The customer writes to the connected number (`ts` seconds since the epoch).
async fn customer_writes(app: &TestApp, wamid: &str, text: &str, ts: i64) {
    post_webhook(
        app,
        &customer_message(PHONE_ID, text_message(wamid, text, ts)),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Conversations and messages.

async fn conversations(app: &TestApp, s: &Session) -> Vec<Value> {
    get_ok(app, s, "/api/v1/conversations").await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// The conversation with the customer.
async fn the_conversation(app: &TestApp, s: &Session) -> Value {
    conversations(app, s)
        .await
        .into_iter()
        .find(|c| c["contact"]["wa_id"] == CUSTOMER)
        .expect("a conversation with the customer")
}

async fn conversation_id(app: &TestApp, s: &Session) -> String {
    the_conversation(app, s).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn messages(app: &TestApp, s: &Session, conv: &str) -> Vec<Value> {
    get_ok(
        app,
        s,
        &format!("/api/v1/conversations/{conv}/messages?limit=200"),
    )
    .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn message(app: &TestApp, s: &Session, conv: &str, id: &str) -> Value {
    messages(app, s, conv)
        .await
        .into_iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no message {id}"))
}

/// The stored message with this wamid.
async fn by_wamid(app: &TestApp, s: &Session, conv: &str, wamid: &str) -> Value {
    messages(app, s, conv)
        .await
        .into_iter()
        .find(|m| m["wamid"] == wamid)
        .unwrap_or_else(|| panic!("no message {wamid}"))
}

async fn send(app: &TestApp, s: &Session, conv: &str, body: Value) -> Response {
    app.post(
        &format!("/api/v1/conversations/{conv}/messages"),
        Some(&s.access_token),
        body,
    )
    .await
}

/// Send and expect 202; returns the queued message.
async fn send_ok(app: &TestApp, s: &Session, conv: &str, body: Value) -> Value {
    let ctx = format!("send {body}");
    expect(send(app, s, conv, body).await, StatusCode::ACCEPTED, &ctx).await
}

/// The request the fake accepted for this Chorus message (found by its callback data).
fn sent_for(fake: &FakeGraph, message_id: &Value) -> Value {
    let id = message_id.as_str().unwrap();
    fake.sent_messages()
        .into_iter()
        .find(|s| s.body["biz_opaque_callback_data"] == id)
        .unwrap_or_else(|| panic!("Meta never got message {id}"))
        .body
}

// ---------------------------------------------------------------------------------------------
// Media uploads: multipart/form-data written by hand, so odd parts are easy to send.

struct Part<'a> {
    name: &'a str,
    filename: Option<&'a str>,
    content_type: Option<&'a str>,
    data: &'a [u8],
}

async fn upload_parts(app: &TestApp, token: &str, parts: &[Part<'_>]) -> Response {
    let boundary = "----chorus-test-boundary-7d9f3a";
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", p.name);
        if let Some(f) = p.filename {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = p.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(p.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    app.client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload")
}

async fn upload(app: &TestApp, s: &Session, filename: &str, mime: &str, data: &[u8]) -> Response {
    upload_parts(
        app,
        &s.access_token,
        &[Part {
            name: "file",
            filename: Some(filename),
            content_type: Some(mime),
            data,
        }],
    )
    .await
}

/// Upload and expect 201; returns the file's description.
async fn upload_ok(app: &TestApp, s: &Session, filename: &str, mime: &str, data: &[u8]) -> Value {
    let res = upload(app, s, filename, mime, data).await;
    expect(res, StatusCode::CREATED, &format!("upload {filename}")).await
}

/// GET a path with no bearer token.
async fn get_anonymous(app: &TestApp, path: &str) -> Response {
    app.client.get(app.url(path)).send().await.expect("request")
}

/// Force every waiting job of this type to run now (backoff skipped) and drain, `times` times.
async fn retry_now(app: &TestApp, job_type: &str, times: usize) {
    use diesel_async::SimpleAsyncConnection;
    for _ in 0..times {
        app.db
            .superuser()
            .await
            .batch_execute(&format!(
                "UPDATE jobs SET run_at = now() WHERE job_type = '{job_type}'"
            ))
            .await
            .unwrap();
        app.drain_jobs().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Templates.

const ORDER_UPDATE: &str = "770000000000001";
const APPOINTMENT: &str = "770000000000002";
const NEW_ARRIVALS: &str = "770000000000003";
const DRAFT_OFFER: &str = "770000000000004";

/// Four templates as Meta lists them: positional with a URL button, named, an IMAGE header,
/// and one still in review.
fn add_templates(fake: &FakeGraph) {
    fake.add_template_json(
        WABA_ID,
        json!({"id": ORDER_UPDATE, "name": "order_update", "language": "es", "status": "APPROVED",
               "category": "UTILITY", "parameter_format": "POSITIONAL", "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Tu pedido"},
            {"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} está en camino."},
            {"type": "FOOTER", "text": "Tienda Demo"},
            {"type": "BUTTONS", "buttons": [
                {"type": "QUICK_REPLY", "text": "Gracias"},
                {"type": "URL", "text": "Seguir", "url": "https://shop.test/t/{{1}}"}
            ]}
        ]}),
    );
    fake.add_template_json(
        WABA_ID,
        json!({"id": APPOINTMENT, "name": "appointment", "language": "en_US", "status": "APPROVED",
               "category": "UTILITY", "parameter_format": "NAMED", "components": [
            {"type": "BODY", "text": "Hi {{first_name}}, see you on {{date}}."}
        ]}),
    );
    fake.add_template_json(
        WABA_ID,
        json!({"id": NEW_ARRIVALS, "name": "new_arrivals", "language": "en_US", "status": "APPROVED",
               "category": "MARKETING", "components": [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": "New arrivals are in the shop."}
        ]}),
    );
    fake.add_template_json(
        WABA_ID,
        json!({"id": DRAFT_OFFER, "name": "draft_offer", "language": "en_US", "status": "PENDING",
               "category": "MARKETING", "components": [
            {"type": "BODY", "text": "Only today: {{1}} off."}
        ]}),
    );
}

async fn templates(app: &TestApp, s: &Session, number_id: &str) -> Vec<Value> {
    get_ok(app, s, &format!("/api/v1/templates?number_id={number_id}")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn template(app: &TestApp, s: &Session, number_id: &str, name: &str) -> Value {
    templates(app, s, number_id)
        .await
        .into_iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no template {name}"))
}

#[tokio::test]
async fn templates_are_listed_checked_and_sent_when_the_window_is_closed() {
    let w = world(add_templates).await;
    let (app, owner, fake) = (&w.app, &w.owner, &w.fake);

    // Connecting read the WABA's templates, with what a send must fill in.
    let list = templates(app, owner, &w.number_id).await;
    let mut names: Vec<&str> = list.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        ["appointment", "draft_offer", "new_arrivals", "order_update"]
    );
    let order = template(app, owner, &w.number_id, "order_update").await;
    assert_eq!(order["status"], "APPROVED");
    assert_eq!(order["language"], "es");
    assert_eq!(order["waba_id"], WABA_ID);
    assert_eq!(order["category"], "UTILITY");
    assert_eq!(order["parameter_format"], "positional");
    assert_eq!(
        order["variables"],
        json!({"header_format": "TEXT", "header": [], "body": ["1", "2"],
               "buttons": [{"index": 1, "type": "URL", "variables": ["1"]}]})
    );
    let appointment = template(app, owner, &w.number_id, "appointment").await;
    assert_eq!(appointment["parameter_format"], "named");
    assert_eq!(
        appointment["variables"],
        json!({"header_format": null, "header": [], "body": ["first_name", "date"], "buttons": []})
    );
    let arrivals = template(app, owner, &w.number_id, "new_arrivals").await;
    assert_eq!(arrivals["variables"]["header_format"], "IMAGE");
    assert_eq!(arrivals["variables"]["body"], json!([]));
    let draft = template(app, owner, &w.number_id, "draft_offer").await;
    assert_eq!(draft["status"], "PENDING");
    // The status filter.
    let approved = get_ok(
        app,
        owner,
        &format!(
            "/api/v1/templates?number_id={}&status=approved",
            w.number_id
        ),
    )
    .await;
    assert_eq!(approved["items"].as_array().unwrap().len(), 3);

    // The customer wrote 25 hours ago: the window is closed (and Meta enforces it too).
    fake.enforce_window(true);
    customer_writes(app, "wamid.OLD1", "hola", now() - 25 * 3600).await;
    let conv = the_conversation(app, owner).await;
    assert_eq!(conv["window_open"], false);
    let conv = conv["id"].as_str().unwrap();

    // Free text: refused here, never sent.
    let res = send(app, owner, conv, json!({"text": "¿Sigues ahí?"})).await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "window_closed",
        "text, window closed",
    )
    .await;

    // Values that do not fit the template: 422 before anything reaches Meta.
    let order_id = order["id"].as_str().unwrap();
    for (what, values) in [
        (
            "missing {{2}}",
            json!({"body": {"1": "Carla"}, "buttons": {"1": "A-7"}}),
        ),
        (
            "extra {{3}}",
            json!({"body": {"1": "Carla", "2": "A-7", "3": "?"}, "buttons": {"1": "A-7"}}),
        ),
        (
            "missing button value",
            json!({"body": {"1": "Carla", "2": "A-7"}}),
        ),
        (
            "a line break",
            json!({"body": {"1": "Carla\nla", "2": "A-7"}, "buttons": {"1": "A-7"}}),
        ),
    ] {
        let mut body = values;
        body["type"] = json!("template");
        body["template_id"] = json!(order_id);
        let res = send(app, owner, conv, body).await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "template_parameters",
            what,
        )
        .await;
        if what.starts_with("missing {{2}}") {
            assert!(
                err["error"]["message"].as_str().unwrap().contains("{{2}}"),
                "{err}"
            );
        }
    }
    // A template still in review.
    let res = send(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": draft["id"], "body": {"1": "10%"}}),
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "template_not_approved",
        "pending template",
    )
    .await;
    app.drain_jobs().await;
    assert!(
        fake.requests()
            .iter()
            .all(|r| !r.path.ends_with("/messages")),
        "nothing refused here may reach Meta: {:?}",
        fake.sent_messages()
    );

    // A valid positional send passes although the window is closed.
    let queued = send_ok(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": order_id,
               "body": {"1": "Carla", "2": "A-7"}, "buttons": {"1": "A-7"}}),
    )
    .await;
    assert_eq!(queued["kind"], "template");
    assert_eq!(queued["body"], "Hola Carla, tu pedido A-7 está en camino.");
    assert_eq!(queued["content"]["template"]["name"], "order_update");
    assert_eq!(queued["content"]["template"]["language"], "es");
    app.drain_jobs().await;
    let sent = sent_for(fake, &queued["id"]);
    assert_eq!(sent["type"], "template");
    assert_eq!(sent["to"], format!("+{CUSTOMER}"));
    assert_eq!(
        sent["template"],
        json!({"name": "order_update", "language": {"code": "es"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Carla"}, {"type": "text", "text": "A-7"}]},
            {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "A-7"}]}
        ]})
    );
    let stored = message(app, owner, conv, queued["id"].as_str().unwrap()).await;
    assert_eq!(stored["status"], "sent", "{stored}");

    // Named parameters carry their names.
    let queued = send_ok(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": appointment["id"],
               "body": {"first_name": "Ana", "date": "Friday"}}),
    )
    .await;
    assert_eq!(queued["body"], "Hi Ana, see you on Friday.");
    app.drain_jobs().await;
    assert_eq!(
        sent_for(fake, &queued["id"])["template"],
        json!({"name": "appointment", "language": {"code": "en_US"}, "components": [
            {"type": "body", "parameters": [
                {"type": "text", "text": "Ana", "parameter_name": "first_name"},
                {"type": "text", "text": "Friday", "parameter_name": "date"}
            ]}
        ]})
    );
    // A named template given positional values is a mismatch.
    let res = send(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": appointment["id"], "body": {"1": "Ana", "2": "Friday"}}),
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "template_parameters",
        "named template, positional values",
    )
    .await;

    // An IMAGE header: without a file it is a mismatch; with an uploaded PNG the file goes to
    // Meta first and the header names Meta's id for it.
    let res = send(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": arrivals["id"]}),
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "template_parameters",
        "image header without a file",
    )
    .await;
    // A file that is not an image does not fit an IMAGE header.
    let text_file = upload_ok(app, owner, "notes.txt", "text/plain", b"not a picture").await;
    let res = send(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": arrivals["id"], "header_media_id": text_file["id"]}),
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "template_parameters",
        "a text file in an image header",
    )
    .await;
    let file = upload_ok(app, owner, "arrivals.png", "image/png", &png()).await;
    let queued = send_ok(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": arrivals["id"], "header_media_id": file["id"]}),
    )
    .await;
    app.drain_jobs().await;
    let uploads = fake.uploaded_media();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].bytes, png());
    assert_eq!(uploads[0].mime_type, "image/png");
    assert_eq!(uploads[0].phone_number_id, PHONE_ID);
    assert_eq!(
        sent_for(fake, &queued["id"])["template"],
        json!({"name": "new_arrivals", "language": {"code": "en_US"}, "components": [
            {"type": "header", "parameters": [{"type": "image", "image": {"id": uploads[0].id}}]}
        ]})
    );
    assert_eq!(
        message(app, owner, conv, queued["id"].as_str().unwrap()).await["status"],
        "sent"
    );
    // Three templates went out, nothing else.
    assert_eq!(fake.sent_messages().len(), 3);
    assert!(
        fake.sent_messages()
            .iter()
            .all(|s| s.message_type == "template")
    );
}

fn template_event(waba_id: &str, value: Value) -> Value {
    json!({"entry": [{"id": waba_id, "time": now(), "changes": [
        {"field": "message_template_status_update", "value": value}
    ]}], "object": "whatsapp_business_account"})
}

#[tokio::test]
async fn template_status_webhooks_move_templates_and_unknown_ones_are_synced() {
    let w = world(add_templates).await;
    let (app, owner, fake) = (&w.app, &w.owner, &w.fake);
    let status = async |name: &str| template(app, owner, &w.number_id, name).await;

    // Approved → paused (Meta's integer template id, entry.time, no metadata).
    post_webhook(
        app,
        &template_event(
            WABA_ID,
            json!({"event": "PAUSED", "message_template_id": 770000000000001_i64,
            "message_template_name": "order_update", "message_template_language": "es",
            "reason": null, "other_info": {"title": "FIRST_PAUSE", "description": "Low quality"}}),
        ),
    )
    .await;
    let t = status("order_update").await;
    assert_eq!(t["status"], "PAUSED");
    assert!(t["rejected_reason"].is_null());

    // Pending → rejected, with Meta's explanation.
    post_webhook(
        app,
        &template_event(
            WABA_ID,
            json!({"event": "REJECTED", "message_template_id": 770000000000004_i64,
            "message_template_name": "draft_offer", "message_template_language": "en_US",
            "reason": "INVALID_FORMAT", "message_template_category": "MARKETING",
            "rejection_info": {"reason": "Two variables are adjacent with no text between them.",
                               "recommendation": "Put words or punctuation between variables."}}),
        ),
    )
    .await;
    let t = status("draft_offer").await;
    assert_eq!(t["status"], "REJECTED");
    assert_eq!(
        t["rejected_reason"],
        "Two variables are adjacent with no text between them."
    );
    // Only the bare reason: that is what is shown.
    post_webhook(
        app,
        &template_event(
            WABA_ID,
            json!({"event": "REJECTED", "message_template_id": 770000000000003_i64,
            "message_template_name": "new_arrivals", "message_template_language": "en_US",
            "reason": "PROMOTIONAL"}),
        ),
    )
    .await;
    assert_eq!(
        status("new_arrivals").await["rejected_reason"],
        "PROMOTIONAL"
    );
    // Approved again: the reason goes ("NONE" is no reason).
    post_webhook(
        app,
        &template_event(
            WABA_ID,
            json!({"event": "APPROVED", "message_template_id": 770000000000004_i64,
            "message_template_name": "draft_offer", "message_template_language": "en_US",
            "reason": "NONE"}),
        ),
    )
    .await;
    let t = status("draft_offer").await;
    assert_eq!(t["status"], "APPROVED");
    assert!(t["rejected_reason"].is_null(), "{t}");

    // A template created in WhatsApp Manager: not known here, so the WABA is read again.
    fake.add_template_json(
        WABA_ID,
        json!({"id": "770000000000099", "name": "flash_sale", "language": "es", "status": "APPROVED",
               "category": "MARKETING", "components": [{"type": "BODY", "text": "¡{{1}} de descuento hoy!"}]}),
    );
    post_webhook(
        app,
        &template_event(
            WABA_ID,
            json!({"event": "APPROVED", "message_template_id": 770000000000099_i64,
            "message_template_name": "flash_sale", "message_template_language": "es",
            "reason": "NONE"}),
        ),
    )
    .await;
    assert!(
        templates(app, owner, &w.number_id)
            .await
            .iter()
            .all(|t| t["name"] != "flash_sale")
    );
    app.drain_jobs().await;
    let t = status("flash_sale").await;
    assert_eq!(t["status"], "APPROVED");
    assert_eq!(t["variables"]["body"], json!(["1"]));

    // Another business sees none of them, not even by naming the number.
    let other = app.signup_owner("Beta", &email("beta")).await;
    let res = app
        .get(
            &format!("/api/v1/templates?number_id={}", w.number_id),
            &other.access_token,
        )
        .await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "not_found",
        "another business's number",
    )
    .await;
    assert!(
        get_ok(app, &other, "/api/v1/templates").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["waba_id"] != WABA_ID)
    );
}

/// The business's sandbox number (from `GET /numbers`).
async fn sandbox_number(app: &TestApp, s: &Session) -> Value {
    get_ok(app, s, "/api/v1/numbers").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["sandbox"] == true)
        .expect("a sandbox number")
        .clone()
}

fn new_template(number_id: &str, name: &str) -> Value {
    json!({"number_id": number_id, "name": name, "language": "en_US", "category": "UTILITY",
    "components": [
        {"type": "BODY", "text": "Your parcel {{1}} ships today."},
        {"type": "FOOTER", "text": "Tienda Demo"}
    ]})
}

/// POSTs to the fake's template endpoint so far.
fn template_submissions(fake: &FakeGraph) -> Vec<Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/message_templates"))
        .map(|r| r.json().unwrap())
        .collect()
}

#[tokio::test]
async fn templates_are_written_in_the_app_and_the_sandbox_has_its_own() {
    let w = world(|_| {}).await;
    let (app, owner, fake) = (&w.app, &w.owner, &w.fake);

    // A real number: submitted to Meta for review.
    let res = app
        .post(
            "/api/v1/templates",
            Some(&owner.access_token),
            new_template(&w.number_id, "shipping_notice"),
        )
        .await;
    let created = expect(res, StatusCode::CREATED, "create a template").await;
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["name"], "shipping_notice");
    assert_eq!(created["waba_id"], WABA_ID);
    assert_eq!(created["category"], "UTILITY");
    assert_eq!(created["variables"]["body"], json!(["1"]));
    let submitted = template_submissions(fake);
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0]["name"], "shipping_notice");
    assert_eq!(submitted[0]["language"], "en_US");
    assert_eq!(submitted[0]["category"], "UTILITY");
    assert_eq!(
        submitted[0]["components"][0]["text"],
        "Your parcel {{1}} ships today."
    );

    // The same name and language again: 409, and Meta is not asked.
    let res = app
        .post(
            "/api/v1/templates",
            Some(&owner.access_token),
            new_template(&w.number_id, "shipping_notice"),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "conflict", "duplicate").await;
    // Bad input: 422 with the field.
    for (field, body) in [
        ("name", new_template(&w.number_id, "Shipping Notice")),
        ("language", {
            let mut b = new_template(&w.number_id, "ok_name");
            b["language"] = json!("English");
            b
        }),
        ("category", {
            let mut b = new_template(&w.number_id, "ok_name");
            b["category"] = json!("SPAM");
            b
        }),
        ("components", {
            let mut b = new_template(&w.number_id, "ok_name");
            b["components"] = json!([{"type": "BODY", "text": "{{1}} and {{first_name}}"}]);
            b
        }),
    ] {
        let res = app
            .post("/api/v1/templates", Some(&owner.access_token), body)
            .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            field,
        )
        .await;
        assert!(
            err["error"]["fields"].get(field).is_some(),
            "{field}: {err}"
        );
    }
    // An agent may not write templates (nor ask for a sync), but may list them.
    let agent = app.add_member(owner, &email("agent"), "agent").await;
    let res = app
        .post(
            "/api/v1/templates",
            Some(&agent.access_token),
            new_template(&w.number_id, "agent_template"),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", "agent creates").await;
    let res = app
        .post(
            "/api/v1/templates/sync",
            Some(&agent.access_token),
            json!({"number_id": w.number_id}),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", "agent syncs").await;
    assert_eq!(templates(app, &agent, &w.number_id).await.len(), 1);
    assert_eq!(
        template_submissions(fake).len(),
        1,
        "only the first reached Meta"
    );

    // Meta approves it; a sync on demand picks that up.
    fake.set_template_status(WABA_ID, created["meta_id"].as_str().unwrap(), "APPROVED");
    let res = app
        .post(
            "/api/v1/templates/sync",
            Some(&owner.access_token),
            json!({"number_id": w.number_id}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    app.drain_jobs().await;
    let t = template(app, owner, &w.number_id, "shipping_notice").await;
    assert_eq!(t["status"], "APPROVED");
    assert_eq!(t["id"], created["id"], "a sync keeps the template's id");

    // The sandbox number: approved at once, without Meta.
    let sandbox = sandbox_number(app, owner).await;
    let sandbox_id = sandbox["id"].as_str().unwrap();
    let before = fake.requests().len();
    let res = app
        .post(
            "/api/v1/templates",
            Some(&owner.access_token),
            new_template(sandbox_id, "shipping_notice"),
        )
        .await;
    let created = expect(res, StatusCode::CREATED, "sandbox template").await;
    assert_eq!(created["status"], "APPROVED");
    assert_eq!(
        fake.requests().len(),
        before,
        "the sandbox never calls Meta"
    );

    // Its ready-made templates.
    let ready: Vec<Value> = templates(app, owner, sandbox_id).await;
    for name in [
        "welcome",
        "order_update",
        "appointment_reminder",
        "shipping_notice",
    ] {
        let t = ready
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("sandbox has no {name}"));
        assert_eq!(t["status"], "APPROVED", "{name}");
    }
    let reminder = ready
        .iter()
        .find(|t| t["name"] == "appointment_reminder")
        .unwrap();
    assert_eq!(reminder["parameter_format"], "named");
    let welcome = ready.iter().find(|t| t["name"] == "welcome").unwrap();
    assert_eq!(welcome["variables"]["body"], json!(["1"]));

    // Sending one to a sandbox conversation works (and never reaches Meta).
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&owner.access_token),
            json!({"from": "+34 611 222 333", "name": "Dani", "text": "hola"}),
        )
        .await;
    expect(res, StatusCode::OK, "test phone writes").await;
    let conv = conversations(app, owner)
        .await
        .into_iter()
        .find(|c| c["contact"]["wa_id"] == "34611222333")
        .unwrap();
    let conv = conv["id"].as_str().unwrap();
    let queued = send_ok(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": welcome["id"], "body": {"1": "Dani"}}),
    )
    .await;
    assert_eq!(
        queued["body"],
        "Hi Dani, thanks for contacting us! How can we help you today?"
    );
    // A template of the real number's WABA cannot go out on the sandbox number.
    let res = send(
        app,
        owner,
        conv,
        json!({"type": "template", "template_id": t["id"], "body": {"1": "X-1"}}),
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "another WABA's template",
    )
    .await;
    let sent_before = fake.sent_messages().len();
    app.drain_jobs().await;
    assert_eq!(
        message(app, owner, conv, queued["id"].as_str().unwrap()).await["status"],
        "sent"
    );
    assert_eq!(fake.sent_messages().len(), sent_before);
}

// ---------------------------------------------------------------------------------------------
// Media.

/// The customer sends an image Meta holds as `meta_id`, with this hash in the webhook.
async fn customer_sends_image(app: &TestApp, wamid: &str, meta_id: &str, sha256: &str) {
    post_webhook(
        app,
        &customer_message(
            PHONE_ID,
            json!({"id": wamid, "timestamp": now().to_string(), "type": "image",
                   "image": {"id": meta_id, "mime_type": "image/png", "sha256": sha256, "caption": "mira"}}),
        ),
    )
    .await;
}

/// `url` with query parameter `key` set to `value`.
fn with_param(url: &str, key: &str, value: &str) -> String {
    let (path, query) = url.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k == key => format!("{k}={value}"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

fn param<'a>(url: &'a str, key: &str) -> &'a str {
    url.split_once('?')
        .unwrap()
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {url}"))
}

#[tokio::test]
async fn inbound_media_is_downloaded_and_served_only_to_its_business() {
    let w = world(|_| {}).await;
    let (app, owner, fake) = (&w.app, &w.owner, &w.fake);
    let meta_id = fake.add_media(PHONE_ID, png(), "image/png");
    customer_sends_image(app, "wamid.IMG1", &meta_id, &meta_sha256(&png())).await;
    let conv = conversation_id(app, owner).await;

    // Recorded at once, fetched by the worker.
    let m = by_wamid(app, owner, &conv, "wamid.IMG1").await;
    assert_eq!(m["kind"], "image");
    assert_eq!(m["body"], "mira");
    assert_eq!(m["media"]["status"], "pending", "{m}");
    assert!(m["media"]["url"].is_null());
    app.drain_jobs().await;
    let m = by_wamid(app, owner, &conv, "wamid.IMG1").await;
    assert_eq!(m["media"]["status"], "ready", "{m}");
    assert_eq!(m["media"]["mime_type"], "image/png");
    assert_eq!(m["media"]["size_bytes"], png().len());
    let media_id = m["media"]["id"].as_str().unwrap().to_owned();
    let url = m["media"]["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("/api/v1/media/{media_id}/content?")),
        "{url}"
    );

    // The signed URL works without a bearer token (what <img src> needs).
    let res = get_anonymous(app, &url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().to_vec(), png());
    // A changed signature, or the URL presented for another business: 401.
    let other = app.signup_owner("Beta", &email("beta")).await;
    let sig = param(&url, "s");
    let flipped = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    for bad in [
        with_param(&url, "s", &flipped),
        with_param(&url, "t", &other.tenant_id),
        with_param(&url, "e", &(now() + 99_999).to_string()),
    ] {
        let res = get_anonymous(app, &bad).await;
        expect_error(res, StatusCode::UNAUTHORIZED, "invalid_signature", &bad).await;
    }
    // No signature and no bearer: 401.
    let res = get_anonymous(app, &format!("/api/v1/media/{media_id}/content")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // With a bearer token: the owner, yes; another business, not found.
    let res = app
        .get(
            &format!("/api/v1/media/{media_id}/content"),
            &owner.access_token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), png());
    let info = get_ok(app, owner, &format!("/api/v1/media/{media_id}")).await;
    assert_eq!(info["status"], "ready");
    assert_eq!(info["kind"], "image");
    assert_eq!(
        info["sha256"],
        chorus_tenants::crypto::sha256_hex(&png()),
        "our own hex digest once stored"
    );
    for path in [
        format!("/api/v1/media/{media_id}/content"),
        format!("/api/v1/media/{media_id}"),
    ] {
        let res = app.get(&path, &other.access_token).await;
        expect_error(res, StatusCode::NOT_FOUND, "not_found", &path).await;
    }

    // A file whose bytes do not match the hash in the webhook: retried, then failed.
    let meta_id = fake.add_media(PHONE_ID, png2(), "image/png");
    customer_sends_image(
        app,
        "wamid.IMG2",
        &meta_id,
        &meta_sha256(b"some other file"),
    )
    .await;
    retry_now(app, "download_media", 8).await;
    let m = by_wamid(app, owner, &conv, "wamid.IMG2").await;
    assert_eq!(m["media"]["status"], "failed", "{m}");
    assert!(m["media"]["url"].is_null());
    assert!(
        m["media"]["error"].as_str().unwrap().contains("SHA-256"),
        "{m}"
    );
    let res = app
        .get(
            &format!(
                "/api/v1/media/{}/content",
                m["media"]["id"].as_str().unwrap()
            ),
            &owner.access_token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn uploads_are_checked_against_whatsapps_limits() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;

    let file = upload_ok(&app, &owner, "receipt.png", "image/png", &png()).await;
    assert_eq!(file["kind"], "image");
    assert_eq!(file["status"], "ready");
    assert_eq!(file["mime_type"], "image/png");
    assert_eq!(file["filename"], "receipt.png");
    assert_eq!(file["size_bytes"], png().len());
    assert_eq!(file["sha256"], chorus_tenants::crypto::sha256_hex(&png()));
    let url = file["url"].as_str().unwrap();
    let res = get_anonymous(&app, url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), png());

    // A GIF: WhatsApp cannot send it.
    let res = upload(
        &app,
        &owner,
        "a.gif",
        "image/gif",
        b"GIF89a\x01\x00\x01\x00",
    )
    .await;
    expect_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "media_type_unsupported",
        "gif",
    )
    .await;
    // A 6 MB JPEG: over the 5 MB image limit.
    let mut big = vec![0u8; 6 * 1024 * 1024];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let res = upload(&app, &owner, "big.jpg", "image/jpeg", &big).await;
    expect_error(
        res,
        StatusCode::PAYLOAD_TOO_LARGE,
        "media_too_large",
        "6 MB jpeg",
    )
    .await;
    // PNG bytes declared as JPEG.
    let res = upload(&app, &owner, "fake.jpg", "image/jpeg", &png()).await;
    expect_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "media_type_unsupported",
        "png as jpeg",
    )
    .await;
    // No `file` field.
    let res = upload_parts(
        &app,
        &owner.access_token,
        &[Part {
            name: "note",
            filename: None,
            content_type: None,
            data: b"hello",
        }],
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "no file",
    )
    .await;
    // No token: 401.
    let res = app
        .client
        .post(app.url("/api/v1/media"))
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn files_are_uploaded_to_meta_once_and_sent_with_their_caption() {
    let w = world(|_| {}).await;
    let (app, owner, fake) = (&w.app, &w.owner, &w.fake);
    customer_writes(app, "wamid.HI", "¿me mandas el recibo?", now()).await;
    let conv = conversation_id(app, owner).await;

    let file = upload_ok(app, owner, "receipt.png", "image/png", &png()).await;
    let queued = send_ok(
        app,
        owner,
        &conv,
        json!({"type": "media", "media_id": file["id"], "caption": "Tu recibo"}),
    )
    .await;
    assert_eq!(queued["kind"], "image");
    assert_eq!(queued["body"], "Tu recibo");
    assert_eq!(queued["media"]["id"], file["id"]);
    app.drain_jobs().await;
    let uploads = fake.uploaded_media();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].bytes, png());
    assert_eq!(uploads[0].mime_type, "image/png");
    assert_eq!(uploads[0].phone_number_id, PHONE_ID);
    assert_eq!(uploads[0].filename.as_deref(), Some("receipt.png"));
    let sent = sent_for(fake, &queued["id"]);
    assert_eq!(sent["type"], "image");
    assert_eq!(
        sent["image"],
        json!({"id": uploads[0].id, "caption": "Tu recibo"})
    );
    let stored = message(app, owner, &conv, queued["id"].as_str().unwrap()).await;
    assert_eq!(stored["status"], "sent");
    assert_eq!(stored["media"]["status"], "ready");
    assert!(stored["media"]["url"].is_string());

    // The same file again: Meta's id is reused, no second upload.
    let again = send_ok(
        app,
        owner,
        &conv,
        json!({"type": "media", "media_id": file["id"]}),
    )
    .await;
    app.drain_jobs().await;
    assert_eq!(fake.uploaded_media().len(), 1);
    assert_eq!(
        sent_for(fake, &again["id"])["image"],
        json!({"id": uploads[0].id})
    );

    // Audio takes no caption.
    let voice = upload_ok(
        app,
        owner,
        "voice.ogg",
        "audio/ogg",
        b"OggS\x00\x02 a voice note",
    )
    .await;
    assert_eq!(voice["kind"], "audio");
    let res = send(
        app,
        owner,
        &conv,
        json!({"type": "media", "media_id": voice["id"], "caption": "escucha"}),
    )
    .await;
    let err = expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "caption on audio",
    )
    .await;
    assert!(err["error"]["fields"].get("caption").is_some(), "{err}");

    // Another business's file: not usable, not visible.
    let other = app.signup_owner("Beta", &email("beta")).await;
    let theirs = upload_ok(app, &other, "theirs.png", "image/png", &png2()).await;
    let res = send(
        app,
        owner,
        &conv,
        json!({"type": "media", "media_id": theirs["id"]}),
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "another business's file",
    )
    .await;
    let res = app
        .get(
            &format!("/api/v1/media/{}", theirs["id"].as_str().unwrap()),
            &owner.access_token,
        )
        .await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "not_found",
        "another business's file",
    )
    .await;
    app.drain_jobs().await;
    assert_eq!(fake.sent_messages().len(), 2);
    assert_eq!(fake.uploaded_media().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Interactive messages, reactions, locations, quotes.

#[tokio::test]
async fn interactive_messages_reach_meta_in_its_shape() {
    let w = world(|_| {}).await;
    let (app, owner, fake) = (&w.app, &w.owner, &w.fake);
    customer_writes(app, "wamid.CUSTOMER1", "¿Cómo puedo pagar?", now()).await;
    let conv = conversation_id(app, owner).await;
    let theirs = by_wamid(app, owner, &conv, "wamid.CUSTOMER1").await;

    let buttons = send_ok(
        app,
        owner,
        &conv,
        json!({"type": "buttons", "body": "¿Cómo quieres pagar?", "header": "Pago", "footer": "Tienda Demo",
               "buttons": [{"id": "card", "title": "Tarjeta"}, {"id": "cash", "title": "Efectivo"}, {"id": "bizum", "title": "Bizum"}]}),
    )
    .await;
    assert_eq!(buttons["kind"], "interactive");
    // Four buttons, or a title over 20 characters: refused here.
    for (what, list) in [
        (
            "four buttons",
            json!([{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}, {"id": "d", "title": "D"}]),
        ),
        (
            "a long title",
            json!([{"id": "a", "title": "A title of more than twenty"}]),
        ),
        ("no buttons", json!([])),
    ] {
        let res = send(
            app,
            owner,
            &conv,
            json!({"type": "buttons", "body": "?", "buttons": list}),
        )
        .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            what,
        )
        .await;
    }
    let list = send_ok(
        app,
        owner,
        &conv,
        json!({"type": "list", "body": "Elige un horario", "button": "Ver horarios",
        "sections": [{"title": "Mañana", "rows": [
            {"id": "m9", "title": "9:00", "description": "Primera hora"},
            {"id": "m11", "title": "11:00"}
        ]}]}),
    )
    .await;
    let location = send_ok(
        app,
        owner,
        &conv,
        json!({"type": "location", "latitude": 40.4168, "longitude": -3.7038,
               "name": "Tienda Centro", "address": "Calle Mayor 1, Madrid"}),
    )
    .await;
    assert_eq!(location["kind"], "location");
    let reaction = send_ok(
        app,
        owner,
        &conv,
        json!({"type": "reaction", "message_id": theirs["id"], "emoji": "👍"}),
    )
    .await;
    assert_eq!(reaction["kind"], "reaction");
    let quote = send_ok(
        app,
        owner,
        &conv,
        json!({"text": "Con tarjeta o Bizum.", "reply_to": theirs["id"]}),
    )
    .await;
    assert_eq!(quote["reply_to_wamid"], "wamid.CUSTOMER1");
    // Bad values: out-of-range coordinates, a reaction that is text.
    for (what, body) in [
        (
            "latitude",
            json!({"type": "location", "latitude": 91.0, "longitude": 0.0}),
        ),
        (
            "emoji",
            json!({"type": "reaction", "message_id": theirs["id"], "emoji": "ok"}),
        ),
    ] {
        let res = send(app, owner, &conv, body).await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            what,
        )
        .await;
    }
    app.drain_jobs().await;

    assert_eq!(
        fake.sent_messages().len(),
        5,
        "only the valid ones went out"
    );
    let sent = sent_for(fake, &buttons["id"]);
    assert_eq!(sent["type"], "interactive");
    assert_eq!(
        sent["interactive"],
        json!({"type": "button", "header": {"type": "text", "text": "Pago"},
        "body": {"text": "¿Cómo quieres pagar?"}, "footer": {"text": "Tienda Demo"},
        "action": {"buttons": [
            {"type": "reply", "reply": {"id": "card", "title": "Tarjeta"}},
            {"type": "reply", "reply": {"id": "cash", "title": "Efectivo"}},
            {"type": "reply", "reply": {"id": "bizum", "title": "Bizum"}}
        ]}})
    );
    let sent = sent_for(fake, &list["id"]);
    assert_eq!(
        sent["interactive"],
        json!({"type": "list", "body": {"text": "Elige un horario"},
        "action": {"button": "Ver horarios", "sections": [{"title": "Mañana", "rows": [
            {"id": "m9", "title": "9:00", "description": "Primera hora"},
            {"id": "m11", "title": "11:00"}
        ]}]}})
    );
    let sent = sent_for(fake, &location["id"]);
    assert_eq!(sent["type"], "location");
    assert_eq!(
        sent["location"],
        json!({"latitude": 40.4168, "longitude": -3.7038, "name": "Tienda Centro", "address": "Calle Mayor 1, Madrid"})
    );
    let sent = sent_for(fake, &reaction["id"]);
    assert_eq!(sent["type"], "reaction");
    assert_eq!(
        sent["reaction"],
        json!({"message_id": "wamid.CUSTOMER1", "emoji": "👍"})
    );
    let sent = sent_for(fake, &quote["id"]);
    assert_eq!(sent["context"], json!({"message_id": "wamid.CUSTOMER1"}));
    assert_eq!(sent["text"]["body"], "Con tarjeta o Bizum.");
    for m in [&buttons, &list, &location, &reaction, &quote] {
        let stored = message(app, owner, &conv, m["id"].as_str().unwrap()).await;
        assert_eq!(stored["status"], "sent", "{stored}");
    }
}

// ---------------------------------------------------------------------------------------------
// Unread counts.

#[tokio::test]
async fn unread_counts_grow_with_inbound_messages_and_reset_on_read() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let number = sandbox_phone_id(&owner);
    for (wamid, text) in [("wamid.U1", "hola"), ("wamid.U2", "¿hay alguien?")] {
        post_webhook(
            &app,
            &customer_message(&number, text_message(wamid, text, now())),
        )
        .await;
    }
    let conv = the_conversation(&app, &owner).await;
    assert_eq!(conv["unread_count"], 2);
    let id = conv["id"].as_str().unwrap();
    let detail = get_ok(&app, &owner, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(detail["unread_count"], 2);
    // A repeated delivery is not another unread message.
    post_webhook(
        &app,
        &customer_message(&number, text_message("wamid.U2", "¿hay alguien?", now())),
    )
    .await;
    assert_eq!(the_conversation(&app, &owner).await["unread_count"], 2);
    // An agent's reply does not count.
    send_ok(&app, &owner, id, json!({"text": "¡Hola!"})).await;
    assert_eq!(the_conversation(&app, &owner).await["unread_count"], 2);

    let res = app
        .post(
            &format!("/api/v1/conversations/{id}/read"),
            Some(&owner.access_token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(the_conversation(&app, &owner).await["unread_count"], 0);
    let detail = get_ok(&app, &owner, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(detail["unread_count"], 0);
    // The next message counts from zero.
    post_webhook(
        &app,
        &customer_message(&number, text_message("wamid.U3", "gracias", now())),
    )
    .await;
    assert_eq!(the_conversation(&app, &owner).await["unread_count"], 1);
}

// ---------------------------------------------------------------------------------------------
// A business's own Meta app.

const BETA_PHONE_ID: &str = "1065550303";
const BETA_WABA_ID: &str = "2065550303";
const BETA_TOKEN: &str = "EAAGbetaTokenForTheContentTests003";
const OWN_APP_ID: &str = "1234567890123456";
const OWN_APP_SECRET: &str = "0123456789abcdef0123456789ABCDEF";
const OWN_VERIFY_TOKEN: &str = "alpha-verify-token-42";

async fn post_signed(app: &TestApp, path: &str, secret: &str, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap();
    app.client
        .post(app.url(path))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            signature::sign(secret.as_bytes(), &bytes),
        )
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn verify_path(path: &str, token: &str) -> String {
    format!("{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444")
}

#[tokio::test]
async fn a_business_brings_its_own_meta_app() {
    let w = world(|fake| {
        fake.add_number(BETA_PHONE_ID, BETA_WABA_ID, "+1 555-000-3333", BETA_TOKEN);
        fake.add_template(WABA_ID, "alpha_hello", "es", "UTILITY", "Hola {{1}}");
        fake.add_template(BETA_WABA_ID, "beta_hello", "es", "UTILITY", "Hola {{1}}");
    })
    .await;
    let (app, owner) = (&w.app, &w.owner);
    // Beta connects a number of its own WABA.
    let other = app.signup_owner("Beta", &email("beta")).await;
    let res = app
        .post(
            "/api/v1/numbers",
            Some(&other.access_token),
            json!({"phone_number_id": BETA_PHONE_ID, "waba_id": BETA_WABA_ID, "access_token": BETA_TOKEN}),
        )
        .await;
    let beta_number = expect(res, StatusCode::CREATED, "Beta connects").await;
    let beta_number = beta_number["id"].as_str().unwrap().to_owned();
    app.drain_jobs().await;

    let before = get_ok(app, owner, "/api/v1/meta-app").await;
    assert_eq!(before["configured"], false);
    assert_eq!(before["webhook_path"], "/webhooks/whatsapp");
    assert_eq!(
        before["webhook_url"],
        "http://chorus.test/webhooks/whatsapp"
    );

    // Bad input, and an agent: refused.
    let input = json!({"app_id": OWN_APP_ID, "app_secret": OWN_APP_SECRET, "verify_token": OWN_VERIFY_TOKEN});
    for (field, bad) in [
        (
            "app_id",
            json!({"app_id": "my-app", "app_secret": OWN_APP_SECRET, "verify_token": OWN_VERIFY_TOKEN}),
        ),
        (
            "app_secret",
            json!({"app_id": OWN_APP_ID, "app_secret": "short", "verify_token": OWN_VERIFY_TOKEN}),
        ),
        (
            "verify_token",
            json!({"app_id": OWN_APP_ID, "app_secret": OWN_APP_SECRET, "verify_token": "a b"}),
        ),
    ] {
        let res = app
            .call(
                Method::PUT,
                "/api/v1/meta-app",
                Some(&owner.access_token),
                Some(bad),
            )
            .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            field,
        )
        .await;
    }
    let agent = app.add_member(owner, &email("agent"), "agent").await;
    let res = app
        .call(
            Method::PUT,
            "/api/v1/meta-app",
            Some(&agent.access_token),
            Some(input.clone()),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", "agent PUT").await;

    let res = app
        .call(
            Method::PUT,
            "/api/v1/meta-app",
            Some(&owner.access_token),
            Some(input),
        )
        .await;
    let text = res.text().await.unwrap();
    assert!(!text.contains(OWN_APP_SECRET) && !text.contains(OWN_VERIFY_TOKEN));
    let set: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(set["configured"], true);
    assert_eq!(set["app_id"], OWN_APP_ID);
    assert_eq!(set["verify_token_set"], true);
    let path = set["webhook_path"].as_str().unwrap().to_owned();
    let key = path
        .strip_prefix("/webhooks/whatsapp/")
        .unwrap_or_else(|| panic!("{path}"));
    assert!(!key.is_empty() && !key.contains('/'), "{path}");
    assert_eq!(set["webhook_url"], format!("http://chorus.test{path}"));
    assert_eq!(
        get_ok(app, owner, "/api/v1/meta-app").await["webhook_path"],
        path
    );

    // Meta's subscription check on the business's path.
    let res = get_anonymous(app, &verify_path(&path, OWN_VERIFY_TOKEN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "1158201444");
    for (what, p) in [
        ("wrong token", verify_path(&path, "wrong-token")),
        ("Chorus's token", verify_path(&path, "verify-me")),
    ] {
        let res = get_anonymous(app, &p).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{what}");
    }
    let res = get_anonymous(
        app,
        &verify_path("/webhooks/whatsapp/nosuchkey123", OWN_VERIFY_TOKEN),
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", "unknown key").await;

    // Events signed with the business's secret are stored; Chorus's secret is not theirs.
    let hello = customer_message(PHONE_ID, text_message("wamid.OWN1", "hola", now()));
    let res = post_signed(app, &path, META_APP_SECRET, &hello).await;
    expect_error(
        res,
        StatusCode::UNAUTHORIZED,
        "invalid_signature",
        "Chorus's secret",
    )
    .await;
    assert!(conversations(app, owner).await.is_empty());
    let res = post_signed(app, &path, OWN_APP_SECRET, &hello).await;
    expect(res, StatusCode::OK, "own secret").await;
    let conv = conversation_id(app, owner).await;
    assert_eq!(
        by_wamid(app, owner, &conv, "wamid.OWN1").await["body"],
        "hola"
    );
    let res = post_signed(
        app,
        "/webhooks/whatsapp/nosuchkey123",
        OWN_APP_SECRET,
        &hello,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A delivery on Alpha's path about Beta's number is not applied to Beta.
    let for_beta = customer_message(
        &sandbox_phone_id(&other),
        text_message("wamid.NOTBETA", "intruso", now()),
    );
    let res = post_signed(app, &path, OWN_APP_SECRET, &for_beta).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        conversations(app, &other).await.is_empty(),
        "Beta got a message through Alpha's path"
    );
    assert_eq!(messages(app, owner, &conv).await.len(), 1);

    // WABA-level events on Alpha's path: Alpha's WABA, yes; Beta's WABA, never.
    let paused = |waba: &str, meta_id: &str, name: &str| {
        template_event(
            waba,
            json!({"event": "PAUSED", "message_template_id": meta_id.parse::<i64>().unwrap(),
                   "message_template_name": name, "message_template_language": "es", "reason": null}),
        )
    };
    let alpha_meta_id = template(app, owner, &w.number_id, "alpha_hello").await["meta_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let beta_meta_id = template(app, &other, &beta_number, "beta_hello").await["meta_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = post_signed(
        app,
        &path,
        OWN_APP_SECRET,
        &paused(WABA_ID, &alpha_meta_id, "alpha_hello"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        template(app, owner, &w.number_id, "alpha_hello").await["status"],
        "PAUSED"
    );
    let res = post_signed(
        app,
        &path,
        OWN_APP_SECRET,
        &paused(BETA_WABA_ID, &beta_meta_id, "beta_hello"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let uninstalled = json!({"object": "whatsapp_business_account", "entry": [{"id": BETA_WABA_ID, "time": now(), "changes": [{
        "field": "account_update", "value": {"event": "PARTNER_APP_UNINSTALLED", "waba_info": {"waba_id": BETA_WABA_ID}}}]}]});
    let res = post_signed(app, &path, OWN_APP_SECRET, &uninstalled).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.drain_jobs().await;
    assert_eq!(
        template(app, &other, &beta_number, "beta_hello").await["status"],
        "APPROVED",
        "Alpha's app paused Beta's template"
    );
    let beta_numbers = get_ok(app, &other, "/api/v1/numbers").await;
    let beta_real = beta_numbers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == beta_number.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        beta_real["status"], "connected",
        "Alpha's app disconnected Beta's number"
    );

    // Back to Chorus's app: the path is gone.
    let res = app
        .call(
            Method::DELETE,
            "/api/v1/meta-app",
            Some(&agent.access_token),
            None,
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", "agent DELETE").await;
    let res = app
        .call(
            Method::DELETE,
            "/api/v1/meta-app",
            Some(&owner.access_token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = get_anonymous(app, &verify_path(&path, OWN_VERIFY_TOKEN)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let again = customer_message(PHONE_ID, text_message("wamid.OWN2", "¿sigues?", now()));
    let res = post_signed(app, &path, OWN_APP_SECRET, &again).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get_ok(app, owner, "/api/v1/meta-app").await["configured"],
        false
    );
}

// ---------------------------------------------------------------------------------------------
// Embedded Signup.

const ES_APP_ID: &str = "987654321098765";
const ES_PHONE_ID: &str = "1065550202";
const ES_WABA_ID: &str = "2065550202";
const ES_CODE: &str = "AQDsignupCodeFromFacebookLogin001";
const ES_TOKEN: &str = "EAAGbusinessTokenFromEmbeddedSignup01";
const ES_PIN: &str = "246810";

#[tokio::test]
async fn embedded_signup_connects_subscribes_and_registers() {
    let fake = FakeGraph::start().await.unwrap();
    fake.set_app(ES_APP_ID, META_APP_SECRET);
    fake.add_number(
        ES_PHONE_ID,
        ES_WABA_ID,
        "+1 555-000-2222",
        "EAAGsomeOtherTokenNobodyUses0001",
    );
    fake.add_signup_code(ES_CODE, ES_TOKEN, ES_WABA_ID);
    fake.require_registration(ES_PHONE_ID, ES_PIN);
    let url = fake.base_url().to_owned();
    let app = spawn_app_with(move |c| {
        c.graph_api_url = url;
        c.meta_app_id = Some(ES_APP_ID.into());
        c.meta_config_id = Some("555000111".into());
        c.meta_app_secret = Some(META_APP_SECRET.into());
    })
    .await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;

    let config = get_ok(&app, &owner, "/api/v1/numbers/embedded-signup").await;
    assert_eq!(config["enabled"], true);
    assert_eq!(config["app_id"], ES_APP_ID);
    assert_eq!(config["config_id"], "555000111");
    assert_eq!(config["graph_version"], "v25.0");

    let signup = |code: &str| json!({"code": code, "waba_id": ES_WABA_ID, "phone_number_id": ES_PHONE_ID, "pin": ES_PIN});
    // An agent may not; a bad code is Meta's refusal, explained; a bad PIN never reaches Meta.
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    let res = app
        .post(
            "/api/v1/numbers/embedded-signup",
            Some(&agent.access_token),
            signup(ES_CODE),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", "agent").await;
    let res = app
        .post(
            "/api/v1/numbers/embedded-signup",
            Some(&owner.access_token),
            signup("AQDnotAValidCode"),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "embedded_signup_failed",
        "bad code",
    )
    .await;
    let mut bad_pin = signup(ES_CODE);
    bad_pin["pin"] = json!("12ab");
    let res = app
        .post(
            "/api/v1/numbers/embedded-signup",
            Some(&owner.access_token),
            bad_pin,
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "bad pin",
    )
    .await;
    assert!(fake.subscriptions().is_empty() && fake.registrations().is_empty());

    let res = app
        .post(
            "/api/v1/numbers/embedded-signup",
            Some(&owner.access_token),
            signup(ES_CODE),
        )
        .await;
    let number = expect(res, StatusCode::CREATED, "embedded signup").await;
    assert_eq!(number["phone_number_id"], ES_PHONE_ID);
    assert_eq!(number["waba_id"], ES_WABA_ID);
    assert_eq!(number["status"], "connected");
    assert_eq!(number["sandbox"], false);
    let subs = fake.subscriptions();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].waba_id, ES_WABA_ID);
    assert_eq!(fake.registrations(), vec![ES_PHONE_ID.to_owned()]);
    // The business's token is the one the code was exchanged for: it sends.
    let token_calls: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/subscribed_apps") || r.path.ends_with("/register"))
        .collect();
    assert!(
        token_calls
            .iter()
            .all(|r| r.token.as_deref() == Some(ES_TOKEN))
    );
    let listed = get_ok(&app, &owner, "/api/v1/numbers").await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["phone_number_id"] == ES_PHONE_ID)
    );
}

#[tokio::test]
async fn embedded_signup_is_off_without_an_app() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let config = get_ok(&app, &owner, "/api/v1/numbers/embedded-signup").await;
    assert_eq!(config["enabled"], false);
    assert!(config["app_id"].is_null());
    let res = app
        .post(
            "/api/v1/numbers/embedded-signup",
            Some(&owner.access_token),
            json!({"code": ES_CODE, "waba_id": ES_WABA_ID, "phone_number_id": ES_PHONE_ID, "pin": ES_PIN}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "embedded_signup_disabled",
        "no app",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// The sandbox test phone sends a picture.

#[tokio::test]
async fn the_test_phone_sends_a_picture_that_is_ready_at_once() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let file = upload_ok(&app, &owner, "photo.png", "image/png", &png()).await;
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&owner.access_token),
            json!({"from": CUSTOMER, "name": "Carla", "image": {"media_id": file["id"], "caption": "mi foto"}}),
        )
        .await;
    expect(res, StatusCode::OK, "test phone image").await;

    // No download job: the file is already here.
    let conv = conversation_id(&app, &owner).await;
    let msgs = messages(&app, &owner, &conv).await;
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m["kind"], "image");
    assert_eq!(m["direction"], "inbound");
    assert_eq!(m["body"], "mi foto");
    assert_eq!(m["media"]["status"], "ready", "{m}");
    assert_eq!(m["media"]["id"], file["id"]);
    let url = m["media"]["url"].as_str().unwrap();
    let res = get_anonymous(&app, url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), png());
    assert_eq!(app.drain_jobs().await.succeeded, 0, "nothing to download");

    // Not a picture, or no such file: refused.
    let doc = upload_ok(&app, &owner, "notes.txt", "text/plain", b"just text").await;
    for (what, media_id) in [
        ("a text file", doc["id"].clone()),
        ("no such file", json!(uuid::Uuid::new_v4())),
    ] {
        let res = app
            .post(
                "/api/v1/sandbox/messages",
                Some(&owner.access_token),
                json!({"from": CUSTOMER, "name": "Carla", "image": {"media_id": media_id}}),
            )
            .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            what,
        )
        .await;
    }
}
