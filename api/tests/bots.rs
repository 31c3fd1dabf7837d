//! Bots and the knowledge base through the real server: a triage flow driven by customer
//! messages on the sandbox number (the webhook ingest path), handover keywords at any step, the
//! knowledge base answering above the threshold and handing over below, bot messages marked as
//! the bot's, containment stats, flow validation, and the optional LLM provider against a local
//! fake speaking OpenAI's chat completions. The HTTP contract of each endpoint is in
//! `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app, spawn_app_with};
use support::fake_llm::FakeLlm;
use support::*;

async fn customer_writes(app: &TestApp, s: &Session, from: &str, text: &str) {
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&s.access_token),
            json!({"from": from, "name": format!("Customer {from}"), "text": text}),
        )
        .await;
    expect(res, StatusCode::OK, "customer writes").await;
    app.drain_jobs().await;
}

async fn customer_taps(app: &TestApp, s: &Session, from: &str, id: &str, title: &str) {
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&s.access_token),
            json!({"from": from, "name": format!("Customer {from}"), "button_reply": {"id": id, "title": title}}),
        )
        .await;
    expect(res, StatusCode::OK, "customer taps").await;
    app.drain_jobs().await;
}

async fn conversation_with(app: &TestApp, s: &Session, wa_id: &str) -> Value {
    let items = list(app, s, "/api/v1/conversations?status=").await;
    items
        .into_iter()
        .find(|c| c["contact"]["wa_id"] == wa_id)
        .unwrap_or_else(|| panic!("no conversation with {wa_id}"))
}

async fn timeline(app: &TestApp, s: &Session, conv: &str) -> Vec<Value> {
    list(app, s, &format!("/api/v1/conversations/{conv}/messages")).await
}

/// The bot's messages of a conversation, oldest first.
async fn bot_says(app: &TestApp, s: &Session, conv: &str) -> Vec<Value> {
    let mut items: Vec<Value> = timeline(app, s, conv)
        .await
        .into_iter()
        .filter(|m| m["sender_type"] == "bot")
        .collect();
    items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    items
}

/// One text value read with the superuser (for columns the API does not show).
async fn sql_text(app: &TestApp, sql: &str) -> Option<String> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        v: Option<String>,
    }
    let mut conn = app.db.superuser().await;
    diesel::sql_query(sql)
        .load::<V>(&mut conn)
        .await
        .expect("test SQL")
        .into_iter()
        .next()
        .and_then(|r| r.v)
}

async fn handler_of(app: &TestApp, conv: &str) -> String {
    sql_text(
        app,
        &format!("SELECT handler AS v FROM conversations WHERE id = '{conv}'"),
    )
    .await
    .unwrap()
}

async fn create_bot(app: &TestApp, s: &Session, body: Value) -> Value {
    expect(
        app.post("/api/v1/bots", Some(&s.access_token), body).await,
        StatusCode::CREATED,
        "create bot",
    )
    .await
}

fn body_of(m: &Value) -> String {
    m["body"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_triage_flow_asks_checks_offers_buttons_and_routes_to_a_team() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    let billing = create_team(&app, &owner, "Billing", &[&luis.membership_id]).await;
    let tag = create_tag(&app, &owner, "Bot triage", "#123456").await;
    let bot = create_bot(
        &app,
        &owner,
        json!({"name": "Triage", "enabled": true, "steps": [
            {"type": "greet", "text": "¡Hola! Soy el asistente de Alpha."},
            {"type": "ask_text", "prompt": "¿Cuál es tu número de pedido? (6 cifras)", "pattern": "[0-9]{6}",
             "attribute": "order_number", "retry_message": "Ese número no parece un pedido: son 6 cifras.", "max_retries": 2},
            {"type": "ask_choice", "prompt": "¿Sobre qué es?", "attribute": "topic",
             "options": [{"title": "Facturación", "value": "billing"}, {"title": "Entrega", "value": "delivery"}]},
            {"type": "add_tag", "tag_id": tag["id"]},
            {"type": "set_attribute", "key": "triaged", "value": true},
            {"type": "route_to_team", "team_id": billing["id"], "message": "Te paso con Facturación."}
        ]}),
    )
    .await;
    assert_eq!(bot["steps"].as_array().unwrap().len(), 6);
    assert_eq!(bot["number_id"], Value::Null, "the business default");

    customer_writes(&app, &owner, "34600111222", "hola").await;
    let conv = conversation_with(&app, &owner, "34600111222").await;
    let conv_id = conv["id"].as_str().unwrap().to_owned();
    assert_eq!(handler_of(&app, &conv_id).await, "bot");
    let said = bot_says(&app, &owner, &conv_id).await;
    assert_eq!(said.len(), 2, "greeting and first question: {said:?}");
    assert!(body_of(&said[0]).contains("Soy el asistente"));
    assert!(body_of(&said[1]).contains("número de pedido"));
    for m in &said {
        assert_eq!(m["sender_name"], "Triage");
        assert_eq!(m["content"]["bot"]["id"], bot["id"]);
        assert_eq!(m["direction"], "outbound");
        assert_ne!(m["status"], "failed", "{m:?}");
    }

    // A wrong answer is asked again; a right one is stored and the choice comes as buttons.
    customer_writes(&app, &owner, "34600111222", "no me acuerdo").await;
    let said = bot_says(&app, &owner, &conv_id).await;
    assert_eq!(said.len(), 3);
    assert!(body_of(&said[2]).contains("6 cifras"));
    customer_writes(&app, &owner, "34600111222", "es el 654321, gracias").await;
    let said = bot_says(&app, &owner, &conv_id).await;
    assert_eq!(said.len(), 4);
    assert_eq!(said[3]["kind"], "interactive");
    let buttons = &said[3]["content"]["outbound"];
    assert!(
        buttons.to_string().contains("Facturación") && buttons.to_string().contains("opt_2"),
        "{buttons}"
    );
    assert_eq!(handler_of(&app, &conv_id).await, "bot");

    // The tap routes to Billing: people handle it now, the team is told, the timeline says why.
    customer_taps(&app, &owner, "34600111222", "opt_1", "Facturación").await;
    let conv = conversation_with(&app, &owner, "34600111222").await;
    assert_eq!(handler_of(&app, &conv_id).await, "human");
    assert_eq!(conv["team_id"], billing["id"]);
    assert!(
        conv["tags"].to_string().contains("Bot triage"),
        "{}",
        conv["tags"]
    );
    let said = bot_says(&app, &owner, &conv_id).await;
    assert!(body_of(said.last().unwrap()).contains("Te paso con Facturación"));
    let attributes = sql_text(
        &app,
        &format!(
            "SELECT attributes::text AS v FROM contacts WHERE id = '{}'",
            conv["contact"]["id"].as_str().unwrap()
        ),
    )
    .await
    .unwrap();
    let attributes: Value = serde_json::from_str(&attributes).unwrap();
    assert_eq!(
        attributes,
        json!({"order_number": "654321", "topic": "billing", "triaged": true})
    );
    let notes = get_ok(&app, &luis, "/api/v1/notifications").await;
    assert_eq!(notes["unread_count"], 1, "{notes}");
    assert_eq!(notes["items"][0]["kind"], "handover");
    assert_eq!(notes["items"][0]["conversation_id"], conv_id.as_str());
    assert!(
        notes["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("Billing")
    );
    let items = timeline(&app, &owner, &conv_id).await;
    let activity = items
        .iter()
        .find(|m| m["content"]["action"] == "bot_handed_over")
        .expect("a timeline item");
    assert_eq!(activity["content"]["reason"], "route_to_team");
    assert_eq!(activity["content"]["team"], "Billing");

    // After the handover the bot stays out of it.
    let before = bot_says(&app, &owner, &conv_id).await.len();
    customer_writes(&app, &owner, "34600111222", "¿hola?").await;
    assert_eq!(bot_says(&app, &owner, &conv_id).await.len(), before);

    let stats = get_ok(
        &app,
        &owner,
        &format!("/api/v1/bots/{}/stats", bot["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(stats["sessions"], 1);
    assert_eq!(stats["handed_over"], 1);
    assert_eq!(stats["contained"], 0);
    assert_eq!(stats["handover_reasons"]["route_to_team"], 1);
}

#[tokio::test]
async fn asking_for_a_person_hands_over_at_any_step_and_switching_off_releases() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let bot = create_bot(
        &app,
        &owner,
        json!({"name": "Helper", "enabled": true, "steps": [
            {"type": "greet", "text": "Hola"},
            {"type": "ask_text", "prompt": "¿Tu número de pedido?", "pattern": "[0-9]{6}"},
            {"type": "handover"}
        ]}),
    )
    .await;
    let bot_id = bot["id"].as_str().unwrap().to_owned();

    // Mid-flow, with accents and capitals.
    customer_writes(&app, &owner, "34600000001", "hola").await;
    let c1 = conversation_with(&app, &owner, "34600000001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c1).await, "bot");
    customer_writes(&app, &owner, "34600000001", "Prefiero hablar con un ASESÓR").await;
    assert_eq!(handler_of(&app, &c1).await, "human");
    // No team: the owner (an admin) is told.
    let notes = get_ok(&app, &owner, "/api/v1/notifications").await;
    assert_eq!(notes["items"][0]["kind"], "handover");
    let items = timeline(&app, &owner, &c1).await;
    assert!(
        items
            .iter()
            .any(|m| m["content"]["action"] == "bot_handed_over"
                && m["content"]["reason"] == "asked_for_person")
    );

    // At the very first message: nothing is asked.
    customer_writes(&app, &owner, "34600000002", "agent please").await;
    let c2 = conversation_with(&app, &owner, "34600000002").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c2).await, "human");
    assert!(bot_says(&app, &owner, &c2).await.is_empty());

    // Too many wrong answers hand over too.
    customer_writes(&app, &owner, "34600000003", "hola").await;
    for text in ["no", "tampoco", "ni idea"] {
        customer_writes(&app, &owner, "34600000003", text).await;
    }
    let c3 = conversation_with(&app, &owner, "34600000003").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c3).await, "human");

    // Switching the bot off hands its live conversations over at once.
    customer_writes(&app, &owner, "34600000004", "hola").await;
    let c4 = conversation_with(&app, &owner, "34600000004").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c4).await, "bot");
    expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/bots/{bot_id}"),
            json!({"enabled": false}),
        )
        .await,
        StatusCode::OK,
        "switch off",
    )
    .await;
    assert_eq!(handler_of(&app, &c4).await, "human");
    // A switched-off bot takes no new conversations.
    customer_writes(&app, &owner, "34600000005", "hola").await;
    let c5 = conversation_with(&app, &owner, "34600000005").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c5).await, "human");

    let stats = get_ok(&app, &owner, &format!("/api/v1/bots/{bot_id}/stats")).await;
    assert_eq!(stats["sessions"], 4, "{stats}");
    assert_eq!(stats["handed_over"], 4);
    assert_eq!(stats["handover_reasons"]["asked_for_person"], 2);
    assert_eq!(stats["handover_reasons"]["no_valid_answer"], 1);
    assert_eq!(stats["handover_reasons"]["bot_disabled"], 1);
}

#[tokio::test]
async fn the_knowledge_base_answers_when_confident_and_hands_over_otherwise() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    let entry = expect(
        app.post(
            "/api/v1/knowledge",
            Some(&owner.access_token),
            json!({"question": "¿Cuál es el horario de atención?", "answer": "Abrimos de lunes a viernes de 9 a 18 h.",
                   "keywords": ["horario", "opening hours"]}),
        )
        .await,
        StatusCode::CREATED,
        "kb entry",
    )
    .await;
    assert_eq!(entry["keywords"], json!(["horario", "opening hours"]));
    expect(
        app.post(
            "/api/v1/knowledge",
            Some(&owner.access_token),
            json!({"question": "How do I return an item?", "answer": "Write RETURN and your order number."}),
        )
        .await,
        StatusCode::CREATED,
        "kb entry 2",
    )
    .await;

    // Try it: confident for the same question, nothing for an unrelated text.
    let found = get_ok(
        &app,
        &agent,
        "/api/v1/knowledge/search?q=cu%C3%A1l%20es%20vuestro%20horario%20de%20atenci%C3%B3n",
    )
    .await;
    let best = &found["items"][0];
    assert_eq!(best["entry"]["id"], entry["id"]);
    let confidence = best["confidence"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&confidence), "confidence {confidence}");
    let found = get_ok(
        &app,
        &agent,
        "/api/v1/knowledge/search?q=mi%20factura%20est%C3%A1%20mal",
    )
    .await;
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["confidence"].as_f64().unwrap() < 0.5),
        "{found}"
    );
    let partial = get_ok(
        &app,
        &agent,
        "/api/v1/knowledge/search?q=return%20policy%20for%20shoes%20bought%20online",
    )
    .await;
    if let Some(p) = partial["items"].as_array().unwrap().first() {
        assert!(p["confidence"].as_f64().unwrap() < confidence);
    }
    expect_error(
        send(
            &app,
            Method::GET,
            "/api/v1/knowledge/search?q=",
            Some(&agent.access_token),
            Body::None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "empty search",
    )
    .await;

    let bot = create_bot(
        &app,
        &owner,
        json!({"name": "FAQ", "enabled": true, "kb_threshold": 0.5, "steps": [
            {"type": "answer_from_kb", "on_miss": "handover", "miss_message": "Te paso con una persona."}
        ]}),
    )
    .await;
    customer_writes(
        &app,
        &owner,
        "34600000010",
        "Hola, ¿cuál es vuestro horario de atención?",
    )
    .await;
    let c1 = conversation_with(&app, &owner, "34600000010").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let said = bot_says(&app, &owner, &c1).await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(body_of(&said[0]), "Abrimos de lunes a viernes de 9 a 18 h.");
    assert_eq!(said[0]["sender_type"], "bot");
    assert_eq!(said[0]["sender_name"], "FAQ");

    customer_writes(&app, &owner, "34600000011", "mi factura está mal").await;
    let c2 = conversation_with(&app, &owner, "34600000011").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c2).await, "human");
    let said = bot_says(&app, &owner, &c2).await;
    assert_eq!(said.len(), 1);
    assert_eq!(body_of(&said[0]), "Te paso con una persona.");

    let stats = get_ok(
        &app,
        &owner,
        &format!("/api/v1/bots/{}/stats", bot["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(stats["sessions"], 2);
    assert_eq!(stats["contained"], 1);
    assert_eq!(stats["handed_over"], 1);
    assert_eq!(stats["handover_reasons"]["no_kb_answer"], 1);
    assert_eq!(stats["containment_rate"], 0.5);

    // Without a provider, suggested replies say so.
    expect_error(
        app.post(
            &format!("/api/v1/conversations/{c2}/suggested-reply"),
            Some(&owner.access_token),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "llm_not_configured",
        "suggested reply without LLM",
    )
    .await;

    // Editing and removing entries.
    let id = entry["id"].as_str().unwrap();
    let changed = expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/knowledge/{id}"),
            json!({"answer": "De 8 a 20 h."}),
        )
        .await,
        StatusCode::OK,
        "edit",
    )
    .await;
    assert_eq!(changed["answer"], "De 8 a 20 h.");
    assert_eq!(changed["question"], entry["question"]);
    expect(
        delete(&app, &owner, &format!("/api/v1/knowledge/{id}")).await,
        StatusCode::NO_CONTENT,
        "delete",
    )
    .await;
    assert_eq!(list(&app, &agent, "/api/v1/knowledge").await.len(), 1);
}

#[tokio::test]
async fn the_llm_provider_checks_intent_and_suggests_replies() {
    let fake = FakeLlm::start("handover").await;
    let config = fake.config();
    let app = spawn_app_with(move |c| c.llm = Some(config)).await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    expect(
        app.post(
            "/api/v1/knowledge",
            Some(&owner.access_token),
            json!({"question": "Where is my parcel?", "answer": "Track it at example.com/track."}),
        )
        .await,
        StatusCode::CREATED,
        "kb",
    )
    .await;
    create_bot(
        &app,
        &owner,
        json!({"name": "Smart", "enabled": true, "steps": [
            {"type": "answer_from_kb", "on_miss": "continue", "miss_message": "I could not find that."},
            {"type": "ask_text", "prompt": "Anything else?"}
        ]}),
    )
    .await;

    // A miss the provider reads as "wants a person" hands over.
    customer_writes(
        &app,
        &owner,
        "34600000020",
        "this is unacceptable, I am furious",
    )
    .await;
    let c1 = conversation_with(&app, &owner, "34600000020").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c1).await, "human");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(reqs[0].path, "/v1/chat/completions");
    assert_eq!(reqs[0].authorization.as_deref(), Some("Bearer sk-test-key"));
    assert_eq!(reqs[0].body["model"], "fake-model");
    assert!(
        reqs[0].body["messages"]
            .to_string()
            .contains("I am furious")
    );
    let items = timeline(&app, &owner, &c1).await;
    assert!(items.iter().any(|m| m["content"]["reason"] == "llm_intent"));

    // Otherwise the flow goes on.
    fake.answer_with("other");
    customer_writes(&app, &owner, "34600000021", "do you sell gift cards").await;
    let c2 = conversation_with(&app, &owner, "34600000021").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c2).await, "bot");
    let said: Vec<String> = bot_says(&app, &owner, &c2)
        .await
        .iter()
        .map(body_of)
        .collect();
    assert_eq!(said, vec!["I could not find that.", "Anything else?"]);

    // A suggested reply from the last messages and the knowledge base; nothing is sent.
    customer_writes(&app, &owner, "34600000021", "where is my parcel").await;
    fake.answer_with("  You can track your parcel at example.com/track.  ");
    let sent_before = timeline(&app, &owner, &c2).await.len();
    let suggestion = expect(
        app.post(
            &format!("/api/v1/conversations/{c2}/suggested-reply"),
            Some(&owner.access_token),
            json!({}),
        )
        .await,
        StatusCode::OK,
        "suggested reply",
    )
    .await;
    assert_eq!(
        suggestion["text"],
        "You can track your parcel at example.com/track."
    );
    assert_eq!(
        suggestion["kb"][0]["entry"]["question"],
        "Where is my parcel?"
    );
    let last = fake.requests().pop().unwrap();
    let prompt = last.body["messages"].to_string();
    assert!(
        prompt.contains("Track it at example.com/track."),
        "{prompt}"
    );
    assert!(prompt.contains("where is my parcel"), "{prompt}");
    assert_eq!(timeline(&app, &owner, &c2).await.len(), sent_before);
}

#[tokio::test]
async fn flows_are_validated_on_write() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let bad = |steps: Value| json!({"name": "Bad", "steps": steps});
    for (body, field) in [
        (
            bad(json!([{"type": "ask_text", "prompt": "Order?", "pattern": "([0-9"}])),
            "steps[0].pattern",
        ),
        (
            bad(json!([{"type": "route_to_team", "team_id": uuid::Uuid::now_v7()}])),
            "steps[0].team_id",
        ),
        (
            bad(json!([{"type": "add_tag", "tag_id": uuid::Uuid::now_v7()}])),
            "steps[0].tag_id",
        ),
        (
            bad(json!([{"type": "ask_choice", "prompt": "?", "options": []}])),
            "steps[0].options",
        ),
        (
            bad(
                json!([{"type": "ask_choice", "prompt": "?", "options": [{"title": "a", "next_step": 3}]}]),
            ),
            "steps[0].options[0].next_step",
        ),
        (
            bad(json!([{"type": "set_attribute", "key": "Order Number", "value": "x"}])),
            "steps[0].key",
        ),
        (json!({"name": "On", "enabled": true, "steps": []}), "steps"),
        (json!({"name": "T", "kb_threshold": 2.0}), "kb_threshold"),
        (
            json!({"name": "N", "number_id": uuid::Uuid::now_v7()}),
            "number_id",
        ),
    ] {
        let res = app
            .post("/api/v1/bots", Some(&owner.access_token), body.clone())
            .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &body.to_string(),
        )
        .await;
        assert!(
            err["error"]["fields"].get(field).is_some(),
            "{field} in {err}"
        );
    }
    // Unknown step types and fields are shape errors.
    for steps in [
        json!([{"type": "dance"}]),
        json!([{"type": "greet", "text": "x", "colour": 1}]),
    ] {
        let res = app
            .post("/api/v1/bots", Some(&owner.access_token), bad(steps))
            .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "shape",
        )
        .await;
    }
    // One default bot per business (and one per number).
    create_bot(&app, &owner, json!({"name": "Default"})).await;
    let res = app
        .post(
            "/api/v1/bots",
            Some(&owner.access_token),
            json!({"name": "Second"}),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "bot_exists", "second default").await;
    assert_eq!(list(&app, &owner, "/api/v1/bots").await.len(), 1);
}

#[tokio::test]
async fn a_person_stepping_in_stops_the_bot_and_resolving_ends_the_session() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let bot = create_bot(
        &app,
        &owner,
        json!({"name": "Helper", "enabled": true, "steps": [
            {"type": "ask_text", "prompt": "¿En qué te ayudo?"},
            {"type": "greet", "text": "¡Gracias!"}
        ]}),
    )
    .await;
    // An agent replies while the bot waits: the bot stops there.
    customer_writes(&app, &owner, "34600000030", "hola").await;
    let c1 = conversation_with(&app, &owner, "34600000030").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(handler_of(&app, &c1).await, "bot");
    expect(
        app.post(
            &format!("/api/v1/conversations/{c1}/messages"),
            Some(&owner.access_token),
            json!({"text": "Hola, soy Olivia"}),
        )
        .await,
        StatusCode::ACCEPTED,
        "agent replies",
    )
    .await;
    app.drain_jobs().await;
    assert_eq!(handler_of(&app, &c1).await, "human");
    let before = bot_says(&app, &owner, &c1).await.len();
    customer_writes(&app, &owner, "34600000030", "quiero cambiar mi pedido").await;
    assert_eq!(
        bot_says(&app, &owner, &c1).await.len(),
        before,
        "the bot stayed quiet"
    );

    // Resolved while the bot waited for an answer: abandoned; after its last step: contained.
    customer_writes(&app, &owner, "34600000031", "hola").await;
    let c2 = conversation_with(&app, &owner, "34600000031").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/conversations/{c2}"),
            json!({"status": "resolved"}),
        )
        .await,
        StatusCode::OK,
        "resolve",
    )
    .await;
    assert_eq!(handler_of(&app, &c2).await, "human");
    let stats = get_ok(
        &app,
        &owner,
        &format!("/api/v1/bots/{}/stats", bot["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(stats["handover_reasons"]["agent_took_over"], 1, "{stats}");
    assert_eq!(stats["abandoned"], 1);
    assert_eq!(stats["active"], 0);
}
