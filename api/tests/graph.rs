//! Connecting real numbers and sending through the Graph API, against the fake Meta
//! (`chorus_loadtests::fake_meta`), which speaks Meta's wire format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chorus_loadtests::fake_meta::{Failure, FakeGraph};
use common::{Session, TestApp, email, error_code, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PHONE_ID: &str = "1065550001";
const WABA_ID: &str = "2065550001";
const TOKEN: &str = "EAAGtestTokenForTheFakeGraph0001";

async fn setup() -> (FakeGraph, TestApp, Session) {
    let fake = FakeGraph::start().await.unwrap();
    fake.add_number(PHONE_ID, WABA_ID, "+1 555-000-1111", TOKEN);
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
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    // Connecting reads the WABA's templates: out of the way of the send jobs under test.
    app.drain_jobs().await;
    (fake, app, owner)
}

async fn webhook(app: &TestApp, wamid: &str, text: &str) {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "Carla"}, "wa_id": "34600111222"}],
        "messages": [{"from": "34600111222", "id": wamid, "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "text", "text": {"body": text}}]
    }}]}]});
    let res = app.post_signed_webhook(&body).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn reply(app: &TestApp, s: &Session, conv: &str, text: &str) -> String {
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&s.access_token),
            json!({"text": text}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let v: Value = res.json().await.unwrap();
    v["id"].as_str().unwrap().to_owned()
}

async fn message(app: &TestApp, s: &Session, conv: &str, id: &str) -> Value {
    let v: Value = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages?limit=200"),
            &s.access_token,
        )
        .await
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap()
        .clone()
}

async fn the_conversation(app: &TestApp, s: &Session) -> String {
    let v: Value = app
        .get("/api/v1/conversations", &s.access_token)
        .await
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contact"]["wa_id"] == "34600111222")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn connecting_a_number_is_checked_with_meta() {
    let (fake, app, owner) = setup().await;
    let numbers: Value = app
        .get("/api/v1/numbers", &owner.access_token)
        .await
        .json()
        .await
        .unwrap();
    let real = numbers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["phone_number_id"] == PHONE_ID)
        .unwrap()
        .clone();
    assert_eq!(real["display_phone_number"], "15550001111");
    assert_eq!(real["status"], "connected");
    assert!(real.get("access_token").is_none() && real.get("access_token_enc").is_none());
    // The token is stored encrypted, never in the clear.
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        access_token_enc: Vec<u8>,
    }
    let mut conn = app.db.superuser().await;
    let t: T = diesel::sql_query(format!(
        "SELECT access_token_enc FROM whatsapp_numbers WHERE phone_number_id = '{PHONE_ID}'"
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(
        !t.access_token_enc
            .windows(TOKEN.len())
            .any(|w| w == TOKEN.as_bytes())
    );

    // A wrong token: Meta refuses, nothing is saved.
    let other = app.signup_owner("Beta", &email("beta")).await;
    fake.add_number(
        "1065550002",
        WABA_ID,
        "+1 555-000-2222",
        "EAAGanotherTokenForNumberTwo000",
    );
    let res = app.post("/api/v1/numbers", Some(&other.access_token), json!({"phone_number_id": "1065550002", "waba_id": WABA_ID, "access_token": "EAAGwrongwrongwrongwrongwrong"})).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    // Alpha's number cannot be connected by Beta too.
    let res = app
        .post(
            "/api/v1/numbers",
            Some(&other.access_token),
            json!({"phone_number_id": PHONE_ID, "waba_id": WABA_ID, "access_token": TOKEN}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::CONFLICT, "number_taken".into())
    );
    // Shape errors never reach Meta; an agent may not connect; B cannot disconnect A's number.
    let res = app
        .post(
            "/api/v1/numbers",
            Some(&other.access_token),
            json!({"phone_number_id": "abc", "waba_id": WABA_ID, "access_token": TOKEN}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    let res = app
        .post(
            "/api/v1/numbers",
            Some(&agent.access_token),
            json!({"phone_number_id": "1065550003", "waba_id": WABA_ID, "access_token": TOKEN}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let id = real["id"].as_str().unwrap();
    let res = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/numbers/{id}"),
            Some(&other.access_token),
            None,
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/numbers/{id}"),
            Some(&owner.access_token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn replies_reach_meta_and_errors_end_well() {
    let (fake, app, owner) = setup().await;
    webhook(&app, "wamid.IN1", "hola").await;
    let conv = the_conversation(&app, &owner).await;

    // Accepted: Meta got exactly what the agent wrote, addressed with a +.
    let id = reply(&app, &owner, &conv, "¡Hola Carla!").await;
    app.drain_jobs().await;
    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipient, "34600111222");
    assert_eq!(sent[0].body["text"]["body"], "¡Hola Carla!");
    assert_eq!(sent[0].body["biz_opaque_callback_data"], id);
    let m = message(&app, &owner, &conv, &id).await;
    assert_eq!(m["status"], "sent");
    assert_eq!(m["wamid"], sent[0].wamid);

    // 131047 from Meta: failed at once with the window explanation.
    fake.fail_next(1, Failure::meta(131047));
    let id = reply(&app, &owner, &conv, "second").await;
    app.drain_jobs().await;
    let m = message(&app, &owner, &conv, &id).await;
    assert_eq!(m["status"], "failed");
    assert_eq!(m["error_code"], 131047);
    assert!(
        m["error_explanation"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("template")
    );

    // A 500: retried with backoff, then sent exactly once.
    fake.clear_records();
    fake.fail_next(1, Failure::http(500));
    let id = reply(&app, &owner, &conv, "third").await;
    let first = app.drain_jobs().await;
    assert_eq!(first.failed, 1);
    assert_eq!(message(&app, &owner, &conv, &id).await["status"], "sending");
    use diesel_async::SimpleAsyncConnection;
    app.db
        .superuser()
        .await
        .batch_execute("UPDATE jobs SET run_at = now() WHERE job_type = 'send_message'")
        .await
        .unwrap();
    assert_eq!(app.drain_jobs().await.succeeded, 1);
    assert_eq!(message(&app, &owner, &conv, &id).await["status"], "sent");
    assert_eq!(fake.sent_messages().len(), 1);

    // 190: the token is dead; the message fails and the number needs reconnecting.
    fake.fail_next(1, Failure::meta(190));
    let id = reply(&app, &owner, &conv, "fourth").await;
    app.drain_jobs().await;
    assert_eq!(message(&app, &owner, &conv, &id).await["status"], "failed");
    let numbers: Value = app
        .get("/api/v1/numbers", &owner.access_token)
        .await
        .json()
        .await
        .unwrap();
    let real = numbers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["phone_number_id"] == PHONE_ID)
        .unwrap()
        .clone();
    assert_eq!(real["status"], "needs_reconnect");
    // Whoever may manage numbers is told, once.
    let alerts = |app: &TestApp| {
        app.mails()
            .into_iter()
            .filter(|(_, raw)| {
                raw.contains(&format!("To: {}", owner.email)) && raw.contains("Reconnect")
            })
            .count()
    };
    assert_eq!(alerts(&app), 1, "one mail to the owner");
    fake.fail_next(1, Failure::meta(190));
    reply(&app, &owner, &conv, "fifth").await;
    app.drain_jobs().await;
    assert_eq!(
        alerts(&app),
        1,
        "a number already waiting for reconnection does not mail again"
    );
}

async fn post_raw(app: &TestApp, body: &Value) {
    let res = app.post_signed_webhook(body).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn real_number(app: &TestApp, s: &Session) -> Value {
    let numbers: Value = app
        .get("/api/v1/numbers", &s.access_token)
        .await
        .json()
        .await
        .unwrap();
    numbers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["phone_number_id"] == PHONE_ID)
        .unwrap()
        .clone()
}

#[tokio::test]
async fn quality_and_account_updates_reach_the_number() {
    let (_fake, app, owner) = setup().await;
    post_raw(&app, &json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "time": 1761300500, "changes": [{
        "field": "phone_number_quality_update",
        "value": {"display_phone_number": "15550001111", "event": "THROUGHPUT_UPGRADE", "max_daily_conversations_per_business": "TIER_10K"}}]}]}))
    .await;
    assert_eq!(
        real_number(&app, &owner).await["messaging_limit"],
        "TIER_10K"
    );
    post_raw(&app, &json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "time": 1761301000, "changes": [{
        "field": "account_update", "value": {"event": "PARTNER_APP_UNINSTALLED", "waba_info": {"waba_id": WABA_ID}}}]}]}))
    .await;
    assert_eq!(real_number(&app, &owner).await["status"], "needs_reconnect");
}

#[tokio::test]
async fn opening_a_conversation_sends_a_read_receipt() {
    let (fake, app, owner) = setup().await;
    webhook(&app, "wamid.READ1", "hola").await;
    let conv = the_conversation(&app, &owner).await;
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/read"),
            Some(&owner.access_token),
            json!({"typing": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    app.drain_jobs().await;
    let receipts = fake.read_receipts();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    // Another business: 404; no token: 401.
    let other = app.signup_owner("Beta", &email("beta")).await;
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/read"),
            Some(&other.access_token),
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/read"),
            None,
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_worker_killed_between_claim_and_send_does_not_lose_the_message() {
    let (fake, app, owner) = setup().await;
    webhook(&app, "wamid.K1", "hola").await;
    let conv = the_conversation(&app, &owner).await;
    let id = reply(&app, &owner, &conv, "sobrevive").await;
    // A worker claims the job, records the attempt, and dies before calling Meta.
    let claimed = chorus_worker::queue::claim(
        &app.state.store,
        "doomed-worker",
        &["send_message".to_owned()],
    )
    .await
    .unwrap()
    .expect("the send job");
    let tenant: chorus_tenants::ids::TenantId = owner.tenant_id.parse().unwrap();
    let message_id: uuid::Uuid = id.parse().unwrap();
    app.state
        .store
        .tenant(tenant, async |tx: &mut chorus_tenants::db::TenantTx| {
            chorus_tenants::messages::begin_send(tx, message_id).await
        })
        .await
        .unwrap()
        .expect("something to send");
    assert_eq!(message(&app, &owner, &conv, &id).await["status"], "sending");
    // While its lease lasts nobody else takes the job.
    assert_eq!(app.drain_jobs().await.succeeded, 0);
    // The lease runs out; another worker finishes the job: sent once.
    use diesel_async::SimpleAsyncConnection;
    app.db
        .superuser()
        .await
        .batch_execute(&format!(
            "UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = '{}'",
            claimed.id
        ))
        .await
        .unwrap();
    assert_eq!(app.drain_jobs().await.succeeded, 1);
    assert_eq!(message(&app, &owner, &conv, &id).await["status"], "sent");
    assert_eq!(fake.sent_to("34600111222").len(), 1);
}

/// Many sends of two businesses at once, with the worker running (not drained one by one), so
/// the attempts and acceptances of concurrent jobs are written together in batches: every
/// message ends `sent` with the wamid Meta gave *it*, each business sees only its own, and
/// nothing is sent twice.
#[tokio::test]
async fn concurrent_sends_of_two_businesses_are_recorded_in_batches() {
    const PHONE_B: &str = "1065550002";
    const WABA_B: &str = "2065550002";
    const TOKEN_B: &str = "EAAGtestTokenForTheFakeGraph0002";
    const CUSTOMERS: usize = 3;
    const PER_CUSTOMER: usize = 15;
    let fake = FakeGraph::start().await.unwrap();
    fake.add_number(PHONE_ID, WABA_ID, "+1 555-000-1111", TOKEN);
    fake.add_number(PHONE_B, WABA_B, "+1 555-000-2222", TOKEN_B);
    fake.set_latency(std::time::Duration::from_millis(5));
    let url = fake.base_url().to_owned();
    let app = spawn_app_with(move |c| {
        c.graph_api_url = url;
        c.worker_concurrency = 32;
        c.pool_size = 8;
    })
    .await;
    let mut businesses = Vec::new();
    for (name, pnid, waba, token, prefix) in [
        ("Alpha", PHONE_ID, WABA_ID, TOKEN, "34611"),
        ("Beta", PHONE_B, WABA_B, TOKEN_B, "34622"),
    ] {
        let owner = app.signup_owner(name, &email(name)).await;
        let res = app
            .post(
                "/api/v1/numbers",
                Some(&owner.access_token),
                json!({"phone_number_id": pnid, "waba_id": waba, "access_token": token}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let contacts: Vec<Value> = (0..CUSTOMERS)
            .map(|c| json!({"profile": {"name": format!("{name} {c}")}, "wa_id": format!("{prefix}{c:05}")}))
            .collect();
        let messages: Vec<Value> = (0..CUSTOMERS)
            .map(|c| json!({"from": format!("{prefix}{c:05}"), "id": format!("wamid.{name}.in.{c}"),
                "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "text", "text": {"body": "hola"}}))
            .collect();
        post_raw(&app, &json!({"object": "whatsapp_business_account", "entry": [{"id": waba, "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": pnid},
            "contacts": contacts, "messages": messages}}]}]})).await;
        businesses.push((owner, pnid));
    }
    // Template syncs of the two connections are out of the way.
    app.drain_jobs().await;
    fake.clear_records();
    // Queue everything with the worker stopped, so the runner finds a backlog and claims many.
    let mut queued: Vec<Vec<(String, String)>> = Vec::new();
    for (owner, _) in &businesses {
        let convs: Vec<String> = app
            .get("/api/v1/conversations", &owner.access_token)
            .await
            .json::<Value>()
            .await
            .unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(convs.len(), CUSTOMERS);
        let mut ids = Vec::new();
        for i in 0..PER_CUSTOMER {
            for conv in &convs {
                let id = reply(&app, owner, conv, &format!("update {i}")).await;
                ids.push((conv.clone(), id));
            }
        }
        queued.push(ids);
    }
    let total = 2 * CUSTOMERS * PER_CUSTOMER;
    let stop = tokio_util::sync::CancellationToken::new();
    let worker = tokio::spawn({
        let runner = app.runner.clone();
        let stop = stop.clone();
        async move { runner.run(stop).await }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while fake.sent_messages().len() < total && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Let the last acceptances commit and the finished jobs go.
    let jobs_left = async || {
        use diesel::QueryableByName;
        use diesel_async::RunQueryDsl;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = app.db.superuser().await;
        diesel::sql_query("SELECT count(*) AS n FROM jobs WHERE job_type = 'send_message'")
            .get_result::<N>(&mut conn)
            .await
            .unwrap()
            .n
    };
    while jobs_left().await > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    stop.cancel();
    worker.await.unwrap();
    assert_eq!(jobs_left().await, 0, "every send job finished");

    let sent = fake.sent_messages();
    assert_eq!(sent.len(), total, "each message reached Meta exactly once");
    let by_message: std::collections::HashMap<String, &chorus_loadtests::fake_meta::SentRecord> =
        sent.iter()
            .map(|s| {
                (
                    s.body["biz_opaque_callback_data"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    s,
                )
            })
            .collect();
    assert_eq!(by_message.len(), total, "no message was sent twice");
    for ((owner, pnid), ids) in businesses.iter().zip(&queued) {
        let mut seen = std::collections::HashSet::new();
        for (conv, id) in ids {
            let m = message(&app, owner, conv, id).await;
            let record = by_message[id];
            assert_eq!(m["status"], "sent", "{m}");
            assert_eq!(m["wamid"], record.wamid, "the message has its own wamid");
            assert_eq!(
                record.phone_number_id, *pnid,
                "sent from its business's number"
            );
            seen.insert(id.clone());
        }
        // The other business's messages are not visible here.
        let other = queued.iter().flatten().filter(|(_, id)| !seen.contains(id));
        for (conv, _) in other.take(3) {
            let res = app
                .get(
                    &format!("/api/v1/conversations/{conv}/messages"),
                    &owner.access_token,
                )
                .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
        }
    }
}

/// Quality mails to the owner so far.
fn quality_alerts(app: &TestApp, owner: &Session) -> Vec<String> {
    app.mails()
        .into_iter()
        .filter(|(_, raw)| {
            raw.contains(&format!("To: {}", owner.email)) && raw.contains("quality alert")
        })
        .map(|(_, raw)| raw)
        .collect()
}

fn quality_update(event: &str, limit: Option<&str>) -> Value {
    let mut value = json!({"display_phone_number": "15550001111", "event": event});
    if let Some(l) = limit {
        value["current_limit"] = json!(l);
    }
    json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "time": 1761300500, "changes": [{
        "field": "phone_number_quality_update", "value": value}]}]})
}

#[tokio::test]
async fn quality_drops_and_failure_spikes_alert_admins_once() {
    let (fake, app, owner) = setup().await;
    let number = real_number(&app, &owner).await;
    let id = number["id"].as_str().unwrap().to_owned();
    assert!(quality_alerts(&app, &owner).is_empty());

    // A rating drop from the webhook: stored, and the owner is told; a rise tells nobody.
    post_raw(&app, &quality_update("FLAGGED", None)).await;
    app.drain_jobs().await;
    assert_eq!(real_number(&app, &owner).await["quality_rating"], "YELLOW");
    let mails = quality_alerts(&app, &owner);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("GREEN to YELLOW"), "{}", mails[0]);
    post_raw(&app, &quality_update("UNFLAGGED", None)).await;
    app.drain_jobs().await;
    assert_eq!(real_number(&app, &owner).await["quality_rating"], "GREEN");
    assert_eq!(quality_alerts(&app, &owner).len(), 1);
    // A lowered messaging limit.
    post_raw(&app, &quality_update("UPGRADE", Some("TIER_10K"))).await;
    post_raw(&app, &quality_update("DOWNGRADE", Some("TIER_1K"))).await;
    app.drain_jobs().await;
    let mails = quality_alerts(&app, &owner);
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().any(|m| m.contains("TIER_10K to TIER_1K")));

    // The periodic check reads Meta's profile: RED is a drop.
    fake.set_quality(PHONE_ID, "RED");
    app.state
        .store
        .system(
            async |tx: &mut chorus_tenants::db::SystemTx| -> chorus_tenants::Result<()> {
                let job =
                    chorus_tenants::jobs::NewJob::new(chorus_tenants::quality::CHECK, &json!({}))?;
                chorus_tenants::jobs::enqueue_system(tx, None, job).await?;
                Ok(())
            },
        )
        .await
        .unwrap();
    app.drain_jobs().await;
    assert_eq!(real_number(&app, &owner).await["quality_rating"], "RED");
    assert_eq!(quality_alerts(&app, &owner).len(), 3);

    // Twelve sends fail with 131026: one spike alert, and the quality page counts them by code.
    webhook(&app, "wamid.Q1", "hola").await;
    let conv = the_conversation(&app, &owner).await;
    let mut wamids = vec![];
    for i in 0..12 {
        let mid = reply(&app, &owner, &conv, &format!("intento {i}")).await;
        app.drain_jobs().await;
        wamids.push(
            message(&app, &owner, &conv, &mid).await["wamid"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let statuses: Vec<Value> = wamids
        .iter()
        .map(|w| json!({"id": w, "status": "failed", "timestamp": chrono::Utc::now().timestamp().to_string(),
            "recipient_id": "34600111222",
            "errors": [{"code": 131026, "title": "Message undeliverable"}]}))
        .collect();
    post_raw(&app, &json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_ID},
        "statuses": statuses}}]}]})).await;
    app.drain_jobs().await;
    let mails = quality_alerts(&app, &owner);
    assert_eq!(mails.len(), 4, "one spike alert");
    assert!(mails.iter().any(|m| m.contains("in the last hour failed")));
    let q: Value = app
        .get(
            &format!("/api/v1/numbers/{id}/quality"),
            &owner.access_token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(q["failed"], 12, "{q}");
    assert_eq!(q["quality_rating"], "RED");
    assert_eq!(q["by_code"][0]["code"], 131026);
    assert_eq!(q["by_code"][0]["count"], 12);
    assert!(q["by_code"][0]["explanation"].as_str().unwrap().len() > 10);
    // Another business: 404; a bad window: 422.
    let other = app.signup_owner("Beta", &email("beta-quality")).await;
    let res = app
        .get(
            &format!("/api/v1/numbers/{id}/quality"),
            &other.access_token,
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = app
        .get(
            &format!("/api/v1/numbers/{id}/quality?hours=0"),
            &owner.access_token,
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    // More failures within the quiet period: no second spike mail.
    let mid = reply(&app, &owner, &conv, "otra").await;
    app.drain_jobs().await;
    let w = message(&app, &owner, &conv, &mid).await["wamid"]
        .as_str()
        .unwrap()
        .to_owned();
    post_raw(&app, &json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_ID},
        "statuses": [{"id": w, "status": "failed", "timestamp": chrono::Utc::now().timestamp().to_string(),
            "recipient_id": "34600111222", "errors": [{"code": 131026, "title": "Message undeliverable"}]}]}}]}]})).await;
    app.drain_jobs().await;
    assert_eq!(quality_alerts(&app, &owner).len(), 4);
}
