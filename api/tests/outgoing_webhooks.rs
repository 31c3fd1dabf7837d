//! Outgoing webhooks through the real server and worker, to a local receiver: events of the inbox
//! reach the endpoints that subscribed to them, signed (HMAC-SHA256 over timestamp and body);
//! a refused delivery is retried with the same event id and data and logged attempt by attempt;
//! a switched-off endpoint gets nothing; a delivery can be sent again by hand; URLs on private or
//! loopback addresses are refused when saved and again when a delivery connects. HTTP contract
//! (401/403/404/400/422): `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use chorus_tenants::hooks::guard::TargetPolicy;
use chorus_tenants::hooks::sender::HookSender;
use chorus_tenants::hooks::{Outgoing, verify};
use common::{Session, TestApp, email, spawn_app, spawn_app_with};
use support::tiny_http::{Request, serve};
use support::*;

/// A receiver that records requests and answers from a script (then 200).
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Request>>>,
    script: Arc<Mutex<VecDeque<&'static str>>>,
}

impl Receiver {
    async fn start(&self) -> String {
        let me = self.clone();
        let addr = serve(move |req| {
            me.seen.lock().unwrap().push(req);
            let status = me.script.lock().unwrap().pop_front().unwrap_or("200 OK");
            (status, r#"{"ok":true}"#.to_owned())
        })
        .await;
        format!("http://{addr}")
    }

    fn answer_next(&self, status: &'static str) {
        self.script.lock().unwrap().push_back(status);
    }

    fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn body_of(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn events_in(requests: &[Request]) -> Vec<String> {
    let mut v: Vec<String> = requests
        .iter()
        .map(|r| body_of(r)["type"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

async fn endpoint(app: &TestApp, s: &Session, url: &str, events: &[&str]) -> (String, String) {
    let v = expect(
        app.post(
            "/api/v1/webhook-endpoints",
            Some(&s.access_token),
            json!({"url": url, "events": events, "description": "CRM"}),
        )
        .await,
        StatusCode::CREATED,
        "endpoint",
    )
    .await;
    let secret = v["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{v}");
    (v["endpoint"]["id"].as_str().unwrap().to_owned(), secret)
}

async fn customer_writes(app: &TestApp, s: &Session, text: &str) -> Value {
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&s.access_token),
            json!({"from": "34600555111", "name": "Lucía", "text": text}),
        )
        .await;
    expect(res, StatusCode::OK, "customer writes").await;
    list(app, s, "/api/v1/conversations").await[0].clone()
}

#[tokio::test]
async fn events_reach_subscribers_signed_retried_and_logged() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Hooks", &email("hooks")).await;
    let crm = Receiver::default();
    let crm_url = crm.start().await;
    let (crm_id, crm_secret) = endpoint(
        &app,
        &owner,
        &format!("{crm_url}/chorus"),
        &[
            "conversation.created",
            "conversation.assigned",
            "conversation.resolved",
            "message.created",
            "contact.updated",
        ],
    )
    .await;
    let warehouse = Receiver::default();
    let warehouse_url = warehouse.start().await;
    let (_wh_id, _) = endpoint(&app, &owner, &warehouse_url, &["conversation.resolved"]).await;
    let off = Receiver::default();
    let off_url = off.start().await;
    let (off_id, _) = endpoint(&app, &owner, &off_url, &["message.created"]).await;
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/webhook-endpoints/{off_id}"),
            Some(&owner.access_token),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(
        expect(res, StatusCode::OK, "switch off").await["enabled"],
        false
    );

    // The customer writes: a conversation and a message, each signed and enveloped.
    crm.answer_next("500 Internal Server Error");
    let conv = customer_writes(&app, &owner, "hola, ¿tenéis talla M?").await;
    app.drain_jobs().await;
    let got = crm.take();
    assert_eq!(
        events_in(&got),
        vec!["conversation.created", "message.created"]
    );
    let now = chrono::Utc::now().timestamp();
    for r in &got {
        let raw = String::from_utf8(r.body.clone()).unwrap();
        let sig = r.header("x-chorus-signature").unwrap();
        assert!(verify(&crm_secret, sig, &raw, now, 300), "signature {sig}");
        assert!(!verify("whsec_other", sig, &raw, now, 300));
        let body = body_of(r);
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/chorus");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-chorus-event").unwrap(), body["type"]);
        assert_eq!(r.header("x-chorus-event-id").unwrap(), body["id"]);
        assert_eq!(body["business_id"], owner.tenant_id.as_str());
        assert!(body["created_at"].is_string());
    }
    let message = got
        .iter()
        .map(body_of)
        .find(|b| b["type"] == "message.created")
        .unwrap();
    assert_eq!(message["data"]["message"]["body"], "hola, ¿tenéis talla M?");
    assert_eq!(message["data"]["message"]["direction"], "inbound");
    assert_eq!(message["data"]["message"]["conversation_id"], conv["id"]);
    assert!(
        off.take().is_empty(),
        "a switched-off endpoint gets nothing"
    );
    assert!(warehouse.take().is_empty(), "not subscribed");

    // The first attempt was refused (500): logged, then retried with the same event.
    let log = get_ok(
        &app,
        &owner,
        &format!("/api/v1/webhook-endpoints/{crm_id}/deliveries?state=pending"),
    )
    .await;
    let pending = log["items"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "{log}");
    assert_eq!(pending[0]["attempts"], 1);
    assert_eq!(pending[0]["response_status"], 500);
    let retried_event = pending[0]["event_id"].as_str().unwrap().to_owned();
    assert!(
        got.iter()
            .any(|r| body_of(r)["id"] == retried_event.as_str())
    );
    // Its backoff has passed.
    app.run_sql("UPDATE jobs SET run_at = now() WHERE job_type = 'webhook_deliver'")
        .await;
    app.drain_jobs().await;
    let again = crm.take();
    assert_eq!(again.len(), 1);
    assert_eq!(body_of(&again[0])["id"], retried_event.as_str());
    let log = get_ok(
        &app,
        &owner,
        &format!("/api/v1/webhook-endpoints/{crm_id}/deliveries"),
    )
    .await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|d| d["state"] == "delivered"), "{log}");
    let retried = items
        .iter()
        .find(|d| d["event_id"] == retried_event.as_str())
        .unwrap();
    assert_eq!(retried["attempts"], 2);
    assert_eq!(retried["response_status"], 200);
    assert_eq!(retried["response_excerpt"], r#"{"ok":true}"#);
    let ep = get_ok(&app, &owner, &format!("/api/v1/webhook-endpoints/{crm_id}")).await;
    assert!(ep["last_success_at"].is_string() && ep["last_failure_at"].is_string());

    // Assignment, a contact change and resolution.
    let cid = conv["id"].as_str().unwrap();
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/conversations/{cid}"),
            Some(&owner.access_token),
            Some(json!({"assignee_id": owner.membership_id})),
        )
        .await;
    expect(res, StatusCode::OK, "assign").await;
    let contact = conv["contact"]["id"].as_str().unwrap();
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/contacts/{contact}"),
            Some(&owner.access_token),
            Some(json!({"name": "Lucía Pérez"})),
        )
        .await;
    expect(res, StatusCode::OK, "rename contact").await;
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/conversations/{cid}"),
            Some(&owner.access_token),
            Some(json!({"status": "resolved"})),
        )
        .await;
    expect(res, StatusCode::OK, "resolve").await;
    app.drain_jobs().await;
    let got = crm.take();
    let types = events_in(&got);
    for want in [
        "contact.updated",
        "conversation.assigned",
        "conversation.resolved",
    ] {
        assert!(types.contains(&want.to_owned()), "{want} in {types:?}");
    }
    let bodies: Vec<Value> = got.iter().map(body_of).collect();
    let assigned = bodies
        .iter()
        .find(|b| b["type"] == "conversation.assigned")
        .unwrap();
    assert_eq!(
        assigned["data"]["conversation"]["assignee_id"],
        owner.membership_id.as_str()
    );
    let renamed = bodies
        .iter()
        .find(|b| b["type"] == "contact.updated")
        .unwrap();
    assert_eq!(renamed["data"]["contact"]["name"], "Lucía Pérez");
    let wh = warehouse.take();
    assert_eq!(events_in(&wh), vec!["conversation.resolved"]);
    assert!(off.take().is_empty());

    // Sent again by hand: a new delivery of the same event; a ping reaches even a switched-off one.
    let first = &items[0];
    let res = app
        .post(
            &format!(
                "/api/v1/webhook-endpoints/{crm_id}/deliveries/{}/redeliver",
                first["id"].as_str().unwrap()
            ),
            Some(&owner.access_token),
            json!({}),
        )
        .await;
    let redelivery = expect(res, StatusCode::ACCEPTED, "redeliver").await;
    assert_eq!(redelivery["event_id"], first["event_id"]);
    assert_ne!(redelivery["id"], first["id"]);
    let res = app
        .post(
            &format!("/api/v1/webhook-endpoints/{off_id}/ping"),
            Some(&owner.access_token),
            json!({}),
        )
        .await;
    expect(res, StatusCode::ACCEPTED, "ping").await;
    app.drain_jobs().await;
    let again = crm.take();
    assert_eq!(again.len(), 1);
    assert_eq!(body_of(&again[0])["id"], first["event_id"]);
    assert_eq!(events_in(&off.take()), vec!["ping"]);

    // A rotated secret signs from now on; the old one no longer verifies.
    let rotated = expect(
        app.post(
            &format!("/api/v1/webhook-endpoints/{crm_id}/rotate-secret"),
            Some(&owner.access_token),
            json!({}),
        )
        .await,
        StatusCode::OK,
        "rotate",
    )
    .await;
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, crm_secret);
    customer_writes(&app, &owner, "una cosa más").await;
    app.drain_jobs().await;
    let got = crm.take();
    assert_eq!(
        events_in(&got),
        vec!["conversation.created", "message.created"]
    );
    let raw = String::from_utf8(got[0].body.clone()).unwrap();
    let sig = got[0].header("x-chorus-signature").unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(verify(&new_secret, sig, &raw, now, 300));
    assert!(!verify(&crm_secret, sig, &raw, now, 300));

    // Removing the endpoint removes its log.
    let res = app
        .call(
            Method::DELETE,
            &format!("/api/v1/webhook-endpoints/{crm_id}"),
            Some(&owner.access_token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .call(
            Method::GET,
            &format!("/api/v1/webhook-endpoints/{crm_id}/deliveries"),
            Some(&owner.access_token),
            None,
        )
        .await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "not_found",
        "log of a removed endpoint",
    )
    .await;
}

#[tokio::test]
async fn private_and_loopback_targets_are_refused() {
    // This server is strict, as in production.
    let app = spawn_app_with(|c| c.webhooks_allow_loopback = false).await;
    let owner = app.signup_owner("Strict", &email("strict")).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://192.168.1.20/hook",
        "http://2130706433/hook",
        "ftp://example.com/hook",
        "https://user:secret@example.com/hook",
    ] {
        let res = app
            .post(
                "/api/v1/webhook-endpoints",
                Some(&owner.access_token),
                json!({"url": url, "events": ["message.created"]}),
            )
            .await;
        let body = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("saving {url}"),
        )
        .await;
        assert!(body["error"]["fields"]["url"].is_string(), "{url}: {body}");
    }
    let res = app
        .post(
            "/api/v1/webhook-endpoints",
            Some(&owner.access_token),
            json!({"url": "https://8.8.8.8/hook", "events": ["message.deleted"]}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "an unknown event",
    )
    .await;
    let listed = get_ok(&app, &owner, "/api/v1/webhook-endpoints").await;
    assert!(listed["items"].as_array().unwrap().is_empty());
    assert_eq!(listed["events"].as_array().unwrap().len(), 6);

    // At delivery time too: a stored URL whose host is (now) loopback never gets a request.
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let port = url.rsplit(':').next().unwrap().to_owned();
    let strict = HookSender::new(TargetPolicy::default()).unwrap();
    for target in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://localhost:{port}/hook"),
    ] {
        let out = Outgoing {
            delivery_id: uuid::Uuid::now_v7(),
            endpoint_id: uuid::Uuid::now_v7(),
            url: target.clone(),
            enabled: true,
            secret: "whsec_test".into(),
            event: "ping".into(),
            event_id: uuid::Uuid::now_v7(),
            state: "pending".into(),
            body: "{}".into(),
        };
        let attempt = strict.send(&out, false).await;
        assert!(!attempt.delivered, "{target}");
        assert_eq!(attempt.status, None, "{target}: {}", attempt.excerpt);
    }
    assert!(
        receiver.take().is_empty(),
        "nothing reached the loopback receiver"
    );
    // The same sender with loopback allowed does reach it (the test is not vacuous).
    let dev = HookSender::new(TargetPolicy {
        allow_loopback: true,
    })
    .unwrap();
    let out = Outgoing {
        delivery_id: uuid::Uuid::now_v7(),
        endpoint_id: uuid::Uuid::now_v7(),
        url: format!("http://localhost:{port}/hook"),
        enabled: true,
        secret: "whsec_test".into(),
        event: "ping".into(),
        event_id: uuid::Uuid::now_v7(),
        state: "pending".into(),
        body: "{}".into(),
    };
    assert!(dev.send(&out, false).await.delivered);
    assert_eq!(receiver.take().len(), 1);
}
