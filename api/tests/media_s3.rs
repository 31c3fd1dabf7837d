//! Media through the real server with the media store on S3 (a local `moto_server`, see
//! `chorus_tenants::testing::s3`) and the fake Meta Graph API: every place that touches the
//! store — an agent's upload, downloads by bearer token and by signed URL, the worker sending an
//! upload to Meta and the worker fetching a customer's file — goes through the S3 wire protocol.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use base64::Engine;
use chorus_loadtests::fake_meta::FakeGraph;
use chorus_tenants::testing::s3::MotoServer;
use common::{TestApp, email, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{expect, get_ok};

const PHONE_ID: &str = "1065550177";
const WABA_ID: &str = "2065550177";
const TOKEN: &str = "EAAGtestTokenForTheS3MediaTests01";
const CUSTOMER: &str = "34600333444";
const PREFIX: &str = "chorus/media";

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
        .unwrap()
}

/// `%PDF` and some bytes: a document.
fn pdf() -> Vec<u8> {
    let mut d = b"%PDF-1.4\n".to_vec();
    d.extend((0..=255u8).cycle().take(40_000));
    d
}

async fn upload(app: &TestApp, token: &str, filename: &str, mime: &str, data: &[u8]) -> Value {
    let boundary = "----chorus-s3-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    expect(res, StatusCode::CREATED, "upload").await
}

/// GET `path` (bearer token or none) expecting 200; the body's bytes.
async fn bytes_of(app: &TestApp, path: &str, token: Option<&str>) -> Vec<u8> {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.bytes().await.unwrap().to_vec()
}

async fn customer_sends_image(app: &TestApp, meta_id: &str, bytes: &[u8]) {
    let sha =
        base64::engine::general_purpose::STANDARD.encode(chorus_tenants::crypto::sha256(bytes));
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001177", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "Carla"}, "wa_id": CUSTOMER}],
        "messages": [{"from": CUSTOMER, "id": "wamid.S3IMG", "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "image",
                      "image": {"id": meta_id, "mime_type": "image/png", "sha256": sha}}]
    }}]}]});
    expect(
        app.post_signed_webhook(&body).await,
        StatusCode::OK,
        "webhook",
    )
    .await;
}

#[tokio::test]
async fn media_is_uploaded_served_sent_and_downloaded_through_s3() {
    let moto = MotoServer::start().await;
    let bucket = format!("chorus-{}", uuid::Uuid::new_v4().simple());
    moto.create_bucket(&bucket).await;
    let fake = FakeGraph::start().await.unwrap();
    fake.add_number(PHONE_ID, WABA_ID, "+1 555-000-1177", TOKEN);
    let (graph, s3, store) = (
        fake.base_url().to_owned(),
        moto.settings(),
        format!("s3://{bucket}/{PREFIX}"),
    );
    let app = spawn_app_with(move |c| {
        c.graph_api_url = graph;
        c.media_url = store;
        c.media_s3 = s3;
    })
    .await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let token = owner.access_token.as_str();
    let tenant = owner.tenant_id.as_str();

    // An agent uploads a document: it is in the bucket, under the prefix and the business.
    let file = upload(&app, token, "factura.pdf", "application/pdf", &pdf()).await;
    let id = file["id"].as_str().unwrap();
    assert_eq!(file["status"], "ready");
    assert_eq!(
        moto.list_keys(&bucket, "").await,
        vec![format!("{PREFIX}/{tenant}/{id}")]
    );
    // Nothing went to the local folder.
    assert!(!app.home.path().join("media").exists());

    // Read back with the bearer token and with the signed URL (no token).
    let content = format!("/api/v1/media/{id}/content");
    assert_eq!(bytes_of(&app, &content, Some(token)).await, pdf());
    let signed = file["url"].as_str().unwrap();
    assert!(signed.starts_with(&format!("{content}?")), "{signed}");
    assert_eq!(bytes_of(&app, signed, None).await, pdf());
    // A fresh URL from GET /media/{id} works the same.
    let info = get_ok(&app, &owner, &format!("/api/v1/media/{id}")).await;
    assert_eq!(
        bytes_of(&app, info["url"].as_str().unwrap(), None).await,
        pdf()
    );

    // Connect the number; the customer writes, with a picture the worker fetches from Meta.
    let res = app
        .post(
            "/api/v1/numbers",
            Some(token),
            json!({"phone_number_id": PHONE_ID, "waba_id": WABA_ID, "access_token": TOKEN}),
        )
        .await;
    expect(res, StatusCode::CREATED, "connect the number").await;
    app.drain_jobs().await;
    let meta_id = fake.add_media(PHONE_ID, png(), "image/png");
    customer_sends_image(&app, &meta_id, &png()).await;
    app.drain_jobs().await;
    let conv = get_ok(&app, &owner, "/api/v1/conversations").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let messages = get_ok(
        &app,
        &owner,
        &format!("/api/v1/conversations/{conv}/messages"),
    )
    .await;
    let inbound = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["wamid"] == "wamid.S3IMG")
        .unwrap()
        .clone();
    assert_eq!(inbound["media"]["status"], "ready", "{inbound}");
    let inbound_id = inbound["media"]["id"].as_str().unwrap();
    let mut keys = moto
        .list_keys(&bucket, &format!("{PREFIX}/{tenant}/"))
        .await;
    keys.sort();
    let mut expected = vec![
        format!("{PREFIX}/{tenant}/{id}"),
        format!("{PREFIX}/{tenant}/{inbound_id}"),
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(
        bytes_of(&app, inbound["media"]["url"].as_str().unwrap(), None).await,
        png()
    );

    // The agent sends the document: the worker reads it from S3 and uploads it to Meta.
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(token),
            json!({"type": "media", "media_id": id, "caption": "Tu factura"}),
        )
        .await;
    expect(res, StatusCode::ACCEPTED, "send the document").await;
    app.drain_jobs().await;
    let uploads = fake.uploaded_media();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].bytes, pdf());
    assert_eq!(uploads[0].filename.as_deref(), Some("factura.pdf"));
}
