//! The WhatsApp channel through the real server: signed webhooks in (every message lands once,
//! statuses only move forward), agent replies out through the job queue, the 24-hour window,
//! and isolation of conversations between businesses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{META_APP_SECRET, Session, TestApp, email, error_code, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use chorus_tenants::whatsapp::signature;

fn sandbox_id(s: &Session) -> String {
    chorus_tenants::numbers::sandbox_phone_number_id(s.tenant_id.parse().unwrap())
}

fn envelope(phone_number_id: &str, value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number": "15550000000", "phone_number_id": phone_number_id});
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}]})
}

fn text_from(phone_number_id: &str, wa_id: &str, wamid: &str, body: &str, ts: i64) -> Value {
    envelope(
        phone_number_id,
        json!({
            "contacts": [{"profile": {"name": "Carla Cliente"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": wamid, "timestamp": ts.to_string(), "type": "text", "text": {"body": body}}]
        }),
    )
}

fn status(phone_number_id: &str, wamid: &str, status: &str, ts: i64) -> Value {
    envelope(
        phone_number_id,
        json!({"statuses": [{"id": wamid, "status": status, "timestamp": ts.to_string(), "recipient_id": "34600111222"}]}),
    )
}

async fn post_webhook(app: &TestApp, body: &Value) -> reqwest::Response {
    app.post_signed_webhook(body).await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn conversations(app: &TestApp, s: &Session) -> Vec<Value> {
    let v: Value = app
        .get("/api/v1/conversations", &s.access_token)
        .await
        .json()
        .await
        .unwrap();
    v["items"].as_array().unwrap().clone()
}

async fn messages_of(app: &TestApp, s: &Session, conversation: &str) -> Vec<Value> {
    let res = app
        .get(
            &format!("/api/v1/conversations/{conversation}/messages"),
            &s.access_token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn webhook_verification_and_signatures() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "1158201444");
    let res = app
        .client
        .get(
            app.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let body = serde_json::to_vec(&text_from(
        "nobody",
        "34600111222",
        "wamid.A",
        "hola",
        now(),
    ))
    .unwrap();
    // Missing signature, wrong signature, signature of other bytes: 401.
    let res = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_signature".into())
    );
    for header in [
        "sha256=00",
        "sha1=abc",
        &signature::sign(b"another secret", &body),
        &signature::sign(META_APP_SECRET.as_bytes(), b"{}"),
    ] {
        let res = app
            .client
            .post(app.url("/webhooks/whatsapp"))
            .header("x-hub-signature-256", header)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{header}");
    }
    // Signed but malformed: 400. Over 3 MB: 413.
    for bad in [
        &b"{not json"[..],
        &b"{\"object\":\"page\",\"entry\":[]}"[..],
    ] {
        let res = app
            .client
            .post(app.url("/webhooks/whatsapp"))
            .header(
                "x-hub-signature-256",
                signature::sign(META_APP_SECRET.as_bytes(), bad),
            )
            .body(bad.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(res).await,
            (StatusCode::BAD_REQUEST, "invalid_webhook".into())
        );
    }
    let huge = vec![b' '; 3 * 1024 * 1024 + 10];
    let res = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header(
            "x-hub-signature-256",
            signature::sign(META_APP_SECRET.as_bytes(), &huge),
        )
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
}

#[tokio::test]
async fn inbound_messages_land_once_and_unknown_numbers_are_kept() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let number = sandbox_id(&owner);
    let first = text_from(
        &number,
        "34600111222",
        "wamid.ONE",
        "Hola, ¿tenéis café en grano?",
        now(),
    );
    for _ in 0..3 {
        let res = post_webhook(&app, &first).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let convs = conversations(&app, &owner).await;
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["contact"]["name"], "Carla Cliente");
    assert_eq!(convs[0]["window_open"], true);
    let msgs = messages_of(&app, &owner, convs[0]["id"].as_str().unwrap()).await;
    assert_eq!(msgs.len(), 1, "a repeated delivery is one message");
    assert_eq!(msgs[0]["body"], "Hola, ¿tenéis café en grano?");
    assert_eq!(msgs[0]["direction"], "inbound");

    // A batch: two more messages of several types in one POST, one of an unknown type.
    let batch = envelope(
        &number,
        json!({
            "contacts": [{"profile": {"name": "Carla Cliente"}, "wa_id": "34600111222"}],
            "messages": [
                {"from": "34600111222", "id": "wamid.TWO", "timestamp": now().to_string(), "type": "location",
                 "location": {"latitude": 40.4168, "longitude": -3.7038, "name": "Puerta del Sol"}},
                {"from": "34600111222", "id": "wamid.THREE", "timestamp": now().to_string(), "type": "hologram", "hologram": {"x": 1}}
            ]
        }),
    );
    assert_eq!(post_webhook(&app, &batch).await.status(), StatusCode::OK);
    let msgs = messages_of(&app, &owner, convs[0]["id"].as_str().unwrap()).await;
    let kinds: Vec<&str> = msgs.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["text", "location", "hologram"]);

    // Unknown number: 200 and kept as an orphan event.
    let res = post_webhook(
        &app,
        &text_from("999999", "34600111222", "wamid.ORPHAN", "hi", now()),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db.superuser().await;
    let orphans: N = diesel::sql_query("SELECT count(*) AS n FROM webhook_events WHERE outcome = 'orphan' AND phone_number_id = '999999'")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(orphans.n, 1);
}

#[tokio::test]
async fn agent_replies_and_statuses_only_move_forward() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let number = sandbox_id(&owner);
    post_webhook(
        &app,
        &text_from(&number, "34600111222", "wamid.IN", "hola", now()),
    )
    .await;
    let conv = conversations(&app, &owner).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&owner.access_token),
            json!({"text": "¡Hola Carla! Sí, tenemos."}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let queued: Value = res.json().await.unwrap();
    assert_eq!(queued["status"], "queued");
    assert_eq!(app.drain_jobs().await.succeeded, 1);
    let msgs = messages_of(&app, &owner, &conv).await;
    let out = msgs.iter().find(|m| m["direction"] == "outbound").unwrap();
    assert_eq!(out["status"], "sent");
    let wamid = out["wamid"].as_str().unwrap().to_owned();

    // read arrives before delivered; delivered is then ignored; repeats change nothing.
    for (s, expected) in [
        ("read", "read"),
        ("delivered", "read"),
        ("read", "read"),
        ("sent", "read"),
    ] {
        assert_eq!(
            post_webhook(&app, &status(&number, &wamid, s, now()))
                .await
                .status(),
            StatusCode::OK
        );
        let msgs = messages_of(&app, &owner, &conv).await;
        let out = msgs.iter().find(|m| m["direction"] == "outbound").unwrap();
        assert_eq!(out["status"], expected, "after {s}");
    }

    // Bad input: empty text, unknown field.
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&owner.access_token),
            json!({"text": "  "}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&owner.access_token),
            json!({"txt": "x"}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
}

#[tokio::test]
async fn failed_status_carries_the_reason() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let number = sandbox_id(&owner);
    post_webhook(
        &app,
        &text_from(&number, "34600111222", "wamid.IN", "hola", now()),
    )
    .await;
    let conv = conversations(&app, &owner).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/conversations/{conv}/messages"),
        Some(&owner.access_token),
        json!({"text": "hola"}),
    )
    .await;
    app.drain_jobs().await;
    let wamid = messages_of(&app, &owner, &conv)
        .await
        .iter()
        .find(|m| m["direction"] == "outbound")
        .unwrap()["wamid"]
        .as_str()
        .unwrap()
        .to_owned();
    let failed = envelope(
        &number,
        json!({"statuses": [{"id": wamid, "status": "failed", "timestamp": now().to_string(), "recipient_id": "34600111222",
            "errors": [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                        "error_data": {"details": "Message failed to send because more than 24 hours have passed"}}]}]}),
    );
    post_webhook(&app, &failed).await;
    let out = messages_of(&app, &owner, &conv)
        .await
        .into_iter()
        .find(|m| m["direction"] == "outbound")
        .unwrap();
    assert_eq!(out["status"], "failed");
    assert_eq!(out["error_code"], 131047);
    let why = out["error_explanation"].as_str().unwrap().to_lowercase();
    assert!(why.contains("24") && why.contains("template"), "{why}");
}

#[tokio::test]
async fn the_window_closes_after_24_hours() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let number = sandbox_id(&owner);
    let old = now() - 25 * 3600;
    post_webhook(
        &app,
        &text_from(&number, "34600111222", "wamid.OLD", "hola", old),
    )
    .await;
    let conv = &conversations(&app, &owner).await[0];
    assert_eq!(conv["window_open"], false);
    let id = conv["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&owner.access_token),
            json!({"text": "hola"}),
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "window_closed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("template")
    );
    // The customer writes again: the window reopens.
    post_webhook(
        &app,
        &text_from(&number, "34600111222", "wamid.NEW", "¿hola?", now()),
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&owner.access_token),
            json!({"text": "hola"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn conversations_are_isolated_and_permissioned() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    post_webhook(
        &app,
        &text_from(
            &sandbox_id(&a),
            "34600111222",
            "wamid.A1",
            "para alpha",
            now(),
        ),
    )
    .await;
    post_webhook(
        &app,
        &text_from(
            &sandbox_id(&b),
            "34600111222",
            "wamid.B1",
            "para beta",
            now(),
        ),
    )
    .await;
    let conv_a = conversations(&app, &a).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(conversations(&app, &b).await.len(), 1);
    // B's token on A's conversation: 404 everywhere.
    for path in [
        format!("/api/v1/conversations/{conv_a}"),
        format!("/api/v1/conversations/{conv_a}/messages"),
    ] {
        assert_eq!(
            error_code(app.get(&path, &b.access_token).await).await,
            (StatusCode::NOT_FOUND, "not_found".into())
        );
    }
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv_a}/messages"),
            Some(&b.access_token),
            json!({"text": "intruso"}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    // No token: 401. A role without conversations:reply (a custom read-only role): 403.
    let res = app
        .call(reqwest::Method::GET, "/api/v1/conversations", None, None)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let role = app
        .post(
            "/api/v1/roles",
            Some(&a.access_token),
            json!({"name": "Reader", "permissions": ["conversations:read_all"]}),
        )
        .await;
    let role: Value = role.json().await.unwrap();
    let reader_email = email("reader");
    app.post(
        "/api/v1/invitations",
        Some(&a.access_token),
        json!({"email": reader_email, "role_id": role["id"]}),
    )
    .await;
    let token = app.mailed_token(&reader_email, "accept-invitation").await;
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "name": "Reader", "password": common::PASSWORD}),
        )
        .await;
    let reader = common::session_from(res.json().await.unwrap(), &reader_email);
    assert_eq!(
        app.get(
            &format!("/api/v1/conversations/{conv_a}"),
            &reader.access_token
        )
        .await
        .status(),
        StatusCode::OK
    );
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv_a}/messages"),
            Some(&reader.access_token),
            json!({"text": "hola"}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    // Malformed ids are 404.
    assert_eq!(
        app.get("/api/v1/conversations/not-a-uuid", &a.access_token)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Numbers: each business sees only its sandbox.
    let numbers: Value = app
        .get("/api/v1/numbers", &a.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(numbers["items"].as_array().unwrap().len(), 1);
    assert_eq!(numbers["items"][0]["sandbox"], true);
}

#[tokio::test]
async fn the_test_phone_goes_through_the_real_pipeline() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let t = &owner.access_token;
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(t),
            json!({"from": "+34 600 111 222", "name": "Carla", "text": "¿Abrís el domingo?"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.post("/api/v1/sandbox/messages", Some(t), json!({"from": "34600111222", "name": "Carla", "location": {"latitude": 40.4, "longitude": -3.7, "name": "Sol"}})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Exactly one kind of content, a real phone number, a name.
    for bad in [
        json!({"from": "34600111222", "name": "Carla"}),
        json!({"from": "34600111222", "name": "Carla", "text": "a", "location": {"latitude": 1.0, "longitude": 1.0}}),
        json!({"from": "abc", "name": "Carla", "text": "hola"}),
        json!({"from": "34600111222", "name": "", "text": "hola"}),
    ] {
        let res = app
            .post("/api/v1/sandbox/messages", Some(t), bad.clone())
            .await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into()),
            "{bad}"
        );
    }
    // The agent sees it and answers; the phone shows the answer, then reads it.
    let conv = conversations(&app, &owner).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/conversations/{conv}/messages"),
        Some(t),
        json!({"text": "Sí, de 10 a 14."}),
    )
    .await;
    app.drain_jobs().await;
    let thread: Value = app
        .get("/api/v1/sandbox/messages?from=34600111222", t)
        .await
        .json()
        .await
        .unwrap();
    let items = thread["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[2]["body"], "Sí, de 10 a 14.");
    assert_eq!(items[2]["status"], "sent");
    let res = app
        .post(
            "/api/v1/sandbox/read",
            Some(t),
            json!({"from": "34600111222"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let thread: Value = app
        .get("/api/v1/sandbox/messages?from=34600111222", t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(thread["items"][2]["status"], "read");
    // Another business never sees this thread.
    let other = app.signup_owner("Beta", &email("beta")).await;
    let thread: Value = app
        .get(
            "/api/v1/sandbox/messages?from=34600111222",
            &other.access_token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(thread["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.call(
            reqwest::Method::GET,
            "/api/v1/sandbox/messages?from=34600111222",
            None,
            None
        )
        .await
        .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_failing_business_does_not_block_others_and_is_retried() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    let mut conn = app.db.superuser().await;
    // Simulate a bug that makes Alpha's message fail in the database.
    conn.batch_execute(
        "ALTER TABLE messages ADD CONSTRAINT simulated_bug CHECK (body IS DISTINCT FROM 'boom')",
    )
    .await
    .unwrap();
    let mut batch = text_from(&sandbox_id(&a), "34600111222", "wamid.BOOM", "boom", now());
    let other = text_from(&sandbox_id(&b), "34600111222", "wamid.FINE", "fine", now());
    batch["entry"]
        .as_array_mut()
        .unwrap()
        .push(other["entry"][0].clone());
    let res = post_webhook(&app, &batch).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "Meta must not retry forever because of our bug"
    );
    assert_eq!(
        conversations(&app, &b).await.len(),
        1,
        "the other business's message is stored"
    );
    assert_eq!(conversations(&app, &a).await.len(), 0);
    // The bug is fixed; the worker's retry applies the kept delivery.
    conn.batch_execute(
        "ALTER TABLE messages DROP CONSTRAINT simulated_bug; UPDATE jobs SET run_at = now()",
    )
    .await
    .unwrap();
    app.drain_jobs().await;
    let convs = conversations(&app, &a).await;
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["last_message_preview"], "boom");
    // Beta's copy of the batch was not stored twice.
    let conv_b = conversations(&app, &b).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(messages_of(&app, &b, &conv_b).await.len(), 1);
}

#[tokio::test]
async fn one_batch_many_customers_duplicates_and_bsuid_users() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let number = sandbox_id(&owner);
    let ts = now().to_string();
    let batch = envelope(
        &number,
        json!({
            "contacts": [
                {"profile": {"name": "Ana"}, "wa_id": "34600000001"},
                {"profile": {"name": "Bea"}, "wa_id": "34600000002"},
                {"profile": {"name": "Cleo", "username": "cleo"}, "user_id": "ES.998877"}
            ],
            "messages": [
                {"from": "34600000001", "id": "wamid.B1", "timestamp": ts, "type": "text", "text": {"body": "uno"}},
                {"from": "34600000002", "id": "wamid.B2", "timestamp": ts, "type": "text", "text": {"body": "dos"}},
                {"from": "34600000001", "id": "wamid.B1", "timestamp": ts, "type": "text", "text": {"body": "uno"}},
                {"from": "34600000001", "id": "wamid.B3", "timestamp": ts, "type": "text", "text": {"body": "tres"}},
                {"from_user_id": "ES.998877", "id": "wamid.B4", "timestamp": ts, "type": "text", "text": {"body": "sin teléfono"}}
            ]
        }),
    );
    let res = post_webhook(&app, &batch).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["messages"], 4);
    assert_eq!(report["duplicates"], 1);
    let convs = conversations(&app, &owner).await;
    assert_eq!(convs.len(), 3);
    let ana = convs
        .iter()
        .find(|c| c["contact"]["name"] == "Ana")
        .unwrap();
    let texts: Vec<String> = messages_of(&app, &owner, ana["id"].as_str().unwrap())
        .await
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts, vec!["uno", "tres"]);
    assert!(
        convs
            .iter()
            .any(|c| c["contact"]["name"] == "Cleo" && c["contact"]["wa_id"].is_null())
    );
    // The same batch again changes nothing.
    let res = post_webhook(&app, &batch).await;
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["messages"], 0);
    assert_eq!(conversations(&app, &owner).await.len(), 3);
}

async fn patch_conv(app: &TestApp, s: &Session, id: &str, body: Value) -> reqwest::Response {
    app.call(
        reqwest::Method::PATCH,
        &format!("/api/v1/conversations/{id}"),
        Some(&s.access_token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn claiming_assigning_and_resolving() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    let number = sandbox_id(&owner);
    post_webhook(
        &app,
        &text_from(&number, "34600111222", "wamid.C1", "hola", now()),
    )
    .await;
    let conv = conversations(&app, &owner).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Ana and Luis claim at once: exactly one wins, the other hears who.
    let (a, l) = tokio::join!(
        patch_conv(&app, &ana, &conv, json!({"assignee_id": ana.membership_id})),
        patch_conv(
            &app,
            &luis,
            &conv,
            json!({"assignee_id": luis.membership_id})
        )
    );
    let (sa, sl) = (a.status(), l.status());
    assert!(
        (sa == StatusCode::OK && sl == StatusCode::CONFLICT)
            || (sa == StatusCode::CONFLICT && sl == StatusCode::OK),
        "{sa} {sl}"
    );
    let winner = if sa == StatusCode::OK { &ana } else { &luis };
    let loser = if sa == StatusCode::CONFLICT { a } else { l };
    let body: Value = loser.json().await.unwrap();
    assert_eq!(body["error"]["code"], "already_assigned");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Member Person")
    );
    // An agent cannot hand it to someone else (the winner: the loser no longer sees it); the
    // owner can; the assignee must be a member.
    let res = patch_conv(
        &app,
        winner,
        &conv,
        json!({"assignee_id": owner.membership_id}),
    )
    .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = patch_conv(
        &app,
        &owner,
        &conv,
        json!({"assignee_id": owner.membership_id}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let other = app.signup_owner("Beta", &email("beta")).await;
    let res = patch_conv(
        &app,
        &owner,
        &conv,
        json!({"assignee_id": other.membership_id}),
    )
    .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    let res = patch_conv(&app, &other, &conv, json!({"status": "resolved"})).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    // Assigned to the owner, the conversation disappears for agents who read only their own.
    assert_eq!(
        error_code(
            app.get(&format!("/api/v1/conversations/{conv}"), &ana.access_token)
                .await
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // Unassign; resolve; a new message opens a new conversation; the old one cannot reopen over it.
    let res = patch_conv(
        &app,
        &owner,
        &conv,
        json!({"assignee_id": null, "status": "resolved"}),
    )
    .await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "resolved");
    assert!(v["assignee_id"].is_null());
    post_webhook(
        &app,
        &text_from(&number, "34600111222", "wamid.C2", "¿sigue ahí?", now()),
    )
    .await;
    let open = conversations(&app, &owner).await;
    assert_eq!(open.len(), 1);
    assert_ne!(open[0]["id"], conv.as_str());
    let res = patch_conv(&app, &owner, &conv, json!({"status": "open"})).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::CONFLICT, "conversation_open_elsewhere".into())
    );
    let res = patch_conv(&app, &owner, &conv, json!({"status": "archived"})).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
}

#[tokio::test]
async fn every_inbound_type_from_the_fake_meta_is_stored() {
    use chorus_loadtests::fake_meta::{
        BusinessNumber, Customer, Inbound, WebhookBatch, WebhookSender,
    };
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let number = BusinessNumber::new("WABA1", &sandbox_id(&owner), "15550000000");
    let carla = Customer::phone("34600111222", "Carla");
    let kinds: Vec<(Inbound, &str, Option<&str>)> = vec![
        (Inbound::text("hola"), "text", Some("hola")),
        (
            Inbound::image("MEDIA1", "image/jpeg", Some("la foto")),
            "image",
            Some("la foto"),
        ),
        (Inbound::video("MEDIA2", None), "video", None),
        (Inbound::audio("MEDIA3", true), "audio", None),
        (
            Inbound::document("MEDIA4", "application/pdf", "factura.pdf", None),
            "document",
            Some("factura.pdf"),
        ),
        (Inbound::sticker("MEDIA5", false), "sticker", None),
        (
            Inbound::location(40.4168, -3.7038, Some(("Puerta del Sol", "Madrid"))),
            "location",
            Some("Puerta del Sol"),
        ),
        (
            Inbound::contact_card("Luis Pérez", "+34 611 222 333", Some("34611222333")),
            "contacts",
            None,
        ),
        (
            Inbound::button_reply("yes", "Sí"),
            "interactive",
            Some("Sí"),
        ),
        (
            Inbound::list_reply("r1", "Envío urgente", None),
            "interactive",
            Some("Envío urgente"),
        ),
        (
            Inbound::template_button("STOP", "Parar promociones", "wamid.T", "15550000000"),
            "button",
            Some("Parar promociones"),
        ),
        (Inbound::reaction("wamid.X", "👍"), "reaction", Some("👍")),
        (
            Inbound::order("CAT1", &[("SKU1", 2, 9.5)], "EUR"),
            "order",
            None,
        ),
        (Inbound::unsupported("poll"), "unsupported", None),
        (Inbound::revoke("wamid.X"), "revoke", None),
        (
            Inbound::edit("wamid.X", "hola de nuevo"),
            "edit",
            Some("hola de nuevo"),
        ),
        (
            Inbound::other("hologram", json!({"x": 1})),
            "hologram",
            None,
        ),
        (
            Inbound::text("desde un anuncio").from_ad("AD1", "Café de especialidad"),
            "text",
            Some("desde un anuncio"),
        ),
    ];
    let mut batch = WebhookBatch::new();
    for (inbound, _, _) in kinds.iter().cloned() {
        batch.message(&number, &carla, inbound);
    }
    let sender = WebhookSender::new(&app.url("/webhooks/whatsapp"), META_APP_SECRET.as_bytes());
    let delivery = sender.post(&batch).await.unwrap();
    assert_eq!(delivery.status, 200, "{}", delivery.body);
    // Meta retries: the same batch again stores nothing new.
    assert_eq!(sender.post(&batch).await.unwrap().status, 200);
    let conv = conversations(&app, &owner).await[0].clone();
    let msgs = messages_of(&app, &owner, conv["id"].as_str().unwrap()).await;
    assert_eq!(msgs.len(), kinds.len());
    for ((_, kind, body), m) in kinds.iter().zip(&msgs) {
        assert_eq!(m["kind"], *kind, "{m}");
        if let Some(b) = body {
            assert_eq!(m["body"], *b, "{m}");
        }
    }
}
