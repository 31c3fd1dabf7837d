//! The team inbox through the real server: internal notes never reach WhatsApp, mentions
//! notify (and email people who stay offline), collision protection between two agents
//! (composer lease, last-seen guard, viewers), the conversation workflow (snooze and wake-up,
//! priority, teams, tags, filters, sorting, full-text search in English and Spanish), canned
//! responses, contacts and presence. The HTTP contract of each endpoint (401/403/404/400/422/
//! 413) is in `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use chorus_loadtests::fake_meta::FakeGraph;
use common::{Session, TestApp, email, spawn_app, spawn_app_with};
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

async fn call(
    app: &TestApp,
    s: &Session,
    method: Method,
    path: &str,
    body: Value,
) -> reqwest::Response {
    let b = if body.is_null() {
        Body::None
    } else {
        Body::Json(body)
    };
    send(app, method, path, Some(&s.access_token), b).await
}

#[tokio::test]
async fn notes_stay_inside_and_mentions_notify() {
    // A real (fake-Meta) number: a note must never produce a Graph API call.
    let fake = FakeGraph::start().await.unwrap();
    fake.add_number(
        "106540352242922",
        "880000000000009",
        "+1 555-010-0001",
        "EAAGnoteToken00000000000000000001",
    );
    let base = fake.base_url().to_owned();
    let app = spawn_app_with(move |c| c.graph_api_url = base).await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    let number = expect(
        call(&app, &owner, Method::POST, "/api/v1/numbers", json!({"phone_number_id": "106540352242922", "waba_id": "880000000000009", "access_token": "EAAGnoteToken00000000000000000001"})).await,
        StatusCode::CREATED,
        "connect",
    )
    .await;
    assert_eq!(number["status"], "connected");
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "880000000000009", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100001", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Marta"}, "wa_id": "34611222333"}],
        "messages": [{"from": "34611222333", "id": "wamid.note.1", "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "text", "text": {"body": "¿Dónde está mi pedido?"}}]}}]}]});
    assert_eq!(
        app.post_signed_webhook(&body).await.status(),
        StatusCode::OK
    );
    app.drain_jobs().await;
    let conv = conversation_with(&app, &owner, "34611222333").await;
    let conv_id = conv["id"].as_str().unwrap().to_owned();
    let team = create_team(&app, &owner, "Billing", &[&luis.membership_id]).await;
    let before = fake.requests().len();

    let note = expect(
        call(&app, &ana, Method::POST, &format!("/api/v1/conversations/{conv_id}/notes"), json!({
            "body": "@Owner can you check the refund? cc @Billing",
            "mentions": [{"type": "agent", "id": owner.membership_id}, {"type": "team", "id": team["id"]}, {"type": "agent", "id": ana.membership_id}]
        })).await,
        StatusCode::CREATED,
        "note",
    )
    .await;
    assert_eq!(note["direction"], "internal");
    assert_eq!(note["kind"], "note");
    assert_eq!(note["sender_name"], "Member Person");
    assert_eq!(note["content"]["mentions"].as_array().unwrap().len(), 3);
    let report = app.drain_jobs().await;
    assert_eq!(report.failed, 0);
    assert_eq!(
        fake.requests().len(),
        before,
        "a note made a Graph API call: {:?}",
        &fake.requests()[before..]
    );
    assert!(
        fake.sent_messages().is_empty(),
        "a note was sent to WhatsApp"
    );
    let items = timeline(&app, &owner, &conv_id).await;
    assert!(items.iter().any(|m| m["id"] == note["id"]));

    // The owner and Luis (through the team) are notified; Ana, the author, is not.
    let mine = get_ok(&app, &owner, "/api/v1/notifications").await;
    assert_eq!(mine["unread_count"], 1);
    let n = &mine["items"][0];
    assert_eq!(n["kind"], "mention");
    assert_eq!(n["conversation_id"], conv_id.as_str());
    assert_eq!(n["message_id"], note["id"]);
    assert_eq!(n["actor_name"], "Member Person");
    assert!(n["body"].as_str().unwrap().contains("refund"));
    assert_eq!(
        get_ok(&app, &luis, "/api/v1/notifications").await["unread_count"],
        1
    );
    assert_eq!(
        get_ok(&app, &ana, "/api/v1/notifications").await["unread_count"],
        0
    );
    // Someone else's notification is not found; one's own is marked read.
    let n_id = n["id"].as_str().unwrap();
    expect_error(
        call(
            &app,
            &luis,
            Method::POST,
            &format!("/api/v1/notifications/{n_id}/read"),
            Value::Null,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "another member's notification",
    )
    .await;
    expect(
        call(
            &app,
            &owner,
            Method::POST,
            &format!("/api/v1/notifications/{n_id}/read"),
            Value::Null,
        )
        .await,
        StatusCode::NO_CONTENT,
        "read",
    )
    .await;
    let mine = get_ok(&app, &owner, "/api/v1/notifications?unread=true").await;
    assert_eq!(mine["unread_count"], 0);
    assert!(mine["items"].as_array().unwrap().is_empty());

    // Bad mentions: another business's agent, an unknown kind, an empty body.
    let other = app.signup_owner("Beta", &email("beta")).await;
    for (body, ctx) in [
        (
            json!({"body": "hi", "mentions": [{"type": "agent", "id": other.membership_id}]}),
            "foreign agent",
        ),
        (
            json!({"body": "hi", "mentions": [{"type": "role", "id": owner.membership_id}]}),
            "bad kind",
        ),
        (json!({"body": "   "}), "empty"),
    ] {
        expect_error(
            call(
                &app,
                &ana,
                Method::POST,
                &format!("/api/v1/conversations/{conv_id}/notes"),
                body,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            ctx,
        )
        .await;
    }
    // A role without notes:write may not write notes.
    let role = create_role(&app, &owner, "Readers", &["conversations:read_all"]).await;
    let reader = app.add_member(&owner, &email("reader"), "agent").await;
    expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/agents/{}", reader.membership_id),
            json!({"role_id": role["id"]}),
        )
        .await,
        StatusCode::OK,
        "role",
    )
    .await;
    expect_error(
        call(
            &app,
            &reader,
            Method::POST,
            &format!("/api/v1/conversations/{conv_id}/notes"),
            json!({"body": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "reader writes a note",
    )
    .await;

    // Luis never opened a socket: after the offline delay, the mention is emailed to him once.
    fast_forward(&app).await;
    app.drain_jobs().await;
    let mails: Vec<String> = app
        .mails()
        .into_iter()
        .map(|(_, raw)| common::decode_mail(&raw))
        .filter(|m| m.contains("mentioned you"))
        .collect();
    // The owner read it already; Luis did not.
    assert_eq!(mails.len(), 1, "only Luis is mailed: {mails:?}");
    assert!(mails[0].contains(&luis.email), "{}", mails[0]);
    assert!(mails[0].contains("can you check the refund"));
    fast_forward(&app).await;
    app.drain_jobs().await;
    let again = app
        .mails()
        .into_iter()
        .filter(|(_, raw)| common::decode_mail(raw).contains("mentioned you"))
        .count();
    assert_eq!(again, 1, "a mention is emailed once");
}

/// Make every scheduled job due now (the harness's clock is the database's).
async fn fast_forward(app: &TestApp) {
    app.run_sql("UPDATE jobs SET run_at = now() WHERE state = 'queued'")
        .await;
}

#[tokio::test]
async fn two_agents_cannot_answer_over_each_other() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "supervisor").await;
    let luis = app.add_member(&owner, &email("luis"), "supervisor").await;
    customer_writes(&app, &owner, "34600111222", "hola").await;
    let conv = conversation_with(&app, &owner, "34600111222").await;
    let c = conv["id"].as_str().unwrap();
    let typing = format!("/api/v1/conversations/{c}/typing");
    let send_path = format!("/api/v1/conversations/{c}/messages");

    // Viewers: Ana opens it; Luis sees her.
    expect(
        call(
            &app,
            &ana,
            Method::POST,
            &format!("/api/v1/conversations/{c}/viewing"),
            Value::Null,
        )
        .await,
        StatusCode::NO_CONTENT,
        "view",
    )
    .await;
    let seen_by_luis = get_ok(&app, &luis, &format!("/api/v1/conversations/{c}")).await;
    assert_eq!(seen_by_luis["viewers"].as_array().unwrap().len(), 1);
    assert_eq!(
        seen_by_luis["viewers"][0]["membership_id"],
        ana.membership_id.as_str()
    );
    let seen_by_ana = get_ok(&app, &ana, &format!("/api/v1/conversations/{c}")).await;
    assert!(
        seen_by_ana["viewers"].as_array().unwrap().is_empty(),
        "one does not see oneself"
    );

    // The composer lease: both start typing at once; exactly one holds it.
    let (a, l) = tokio::join!(
        call(&app, &ana, Method::POST, &typing, Value::Null),
        call(&app, &luis, Method::POST, &typing, Value::Null)
    );
    let (sa, sl) = (a.status(), l.status());
    assert!(
        (sa == StatusCode::NO_CONTENT && sl == StatusCode::CONFLICT)
            || (sa == StatusCode::CONFLICT && sl == StatusCode::NO_CONTENT),
        "{sa} {sl}"
    );
    let (holder, other, loser_res) = if sa == StatusCode::NO_CONTENT {
        (&ana, &luis, l)
    } else {
        (&luis, &ana, a)
    };
    let body = expect_error(
        loser_res,
        StatusCode::CONFLICT,
        "composer_locked",
        "second typist",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is typing")
    );
    // The other agent's send is refused naming the holder, unless forced.
    let body = expect_error(
        call(
            &app,
            other,
            Method::POST,
            &send_path,
            json!({"text": "I'll take this"}),
        )
        .await,
        StatusCode::CONFLICT,
        "composer_locked",
        "send while the other types",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Member Person")
    );
    let forced = expect(
        call(
            &app,
            other,
            Method::POST,
            &send_path,
            json!({"text": "Sorry, sending anyway", "force": true}),
        )
        .await,
        StatusCode::ACCEPTED,
        "forced send",
    )
    .await;
    // The holder renews freely; after releasing, the other can type.
    expect(
        call(&app, holder, Method::POST, &typing, Value::Null).await,
        StatusCode::NO_CONTENT,
        "renew",
    )
    .await;
    expect(
        call(&app, holder, Method::DELETE, &typing, Value::Null).await,
        StatusCode::NO_CONTENT,
        "release",
    )
    .await;
    expect(
        call(&app, other, Method::POST, &typing, Value::Null).await,
        StatusCode::NO_CONTENT,
        "now free",
    )
    .await;
    expect(
        call(&app, other, Method::DELETE, &typing, Value::Null).await,
        StatusCode::NO_CONTENT,
        "release",
    )
    .await;

    // The last-seen guard: the holder saw only the customer's message, then tries to reply.
    let first = timeline(&app, &owner, c).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = expect_error(
        call(
            &app,
            holder,
            Method::POST,
            &send_path,
            json!({"text": "Hi!", "last_seen_message_id": first}),
        )
        .await,
        StatusCode::CONFLICT,
        "conversation_changed",
        "stale reply",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("replied at"),
        "{body}"
    );
    // Having seen the other's reply, or forcing, it goes.
    expect(
        call(
            &app,
            holder,
            Method::POST,
            &send_path,
            json!({"text": "Hi!", "last_seen_message_id": forced["id"]}),
        )
        .await,
        StatusCode::ACCEPTED,
        "fresh reply",
    )
    .await;
    expect(
        call(
            &app,
            other,
            Method::POST,
            &send_path,
            json!({"text": "again", "last_seen_message_id": first, "force": true}),
        )
        .await,
        StatusCode::ACCEPTED,
        "forced stale reply",
    )
    .await;
    expect_error(
        call(
            &app,
            other,
            Method::POST,
            &send_path,
            json!({"text": "x", "last_seen_message_id": "nope"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "bad last seen",
    )
    .await;
    // Leaving removes the viewer.
    expect(
        call(
            &app,
            &ana,
            Method::DELETE,
            &format!("/api/v1/conversations/{c}/viewing"),
            Value::Null,
        )
        .await,
        StatusCode::NO_CONTENT,
        "leave",
    )
    .await;
    let seen_by_luis = get_ok(&app, &luis, &format!("/api/v1/conversations/{c}")).await;
    assert!(seen_by_luis["viewers"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn workflow_filters_sorting_and_search() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    customer_writes(
        &app,
        &owner,
        "34600000001",
        "Where is my order? It was shipped last week",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    customer_writes(
        &app,
        &owner,
        "34600000002",
        "¿Dónde están mis pedidos? Necesito la factura",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    customer_writes(&app, &owner, "34600000003", "hello").await;
    let c1 = conversation_with(&app, &owner, "34600000001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c2 = conversation_with(&app, &owner, "34600000002").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c3 = conversation_with(&app, &owner, "34600000003").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let team = create_team(&app, &owner, "Billing", &[&owner.membership_id]).await;
    let tag = create_tag(&app, &owner, "VIP", "#aa0000").await;

    // Priority, team with a note, tags, assignment: each in the timeline.
    let updated = expect(
        patch(&app, &owner, &format!("/api/v1/conversations/{c2}"), json!({"priority": "urgent", "team_id": team["id"], "note": "invoice question", "assignee_id": owner.membership_id})).await,
        StatusCode::OK,
        "patch",
    )
    .await;
    assert_eq!(updated["priority"], "urgent");
    assert_eq!(updated["team_name"], "Billing");
    let tagged = expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/conversations/{c2}/tags"),
            json!({"tag_ids": [tag["id"], tag["id"]]}),
        )
        .await,
        StatusCode::OK,
        "tags",
    )
    .await;
    assert_eq!(
        tagged["tags"],
        json!([{"id": tag["id"], "name": "VIP", "colour": "#aa0000"}])
    );
    let activity: Vec<String> = timeline(&app, &owner, &c2)
        .await
        .into_iter()
        .filter(|m| m["kind"] == "activity")
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        activity,
        vec![
            "Owner Person transferred the conversation to Billing: “invoice question”".to_owned(),
            "Owner Person took the conversation".to_owned(),
            "Owner Person set the priority to urgent".to_owned(),
            "Owner Person tagged the conversation: VIP".to_owned(),
        ]
    );
    // Unknown tags and teams, bad priorities: 422.
    for (path, method, body) in [
        (
            format!("/api/v1/conversations/{c2}/tags"),
            Method::PUT,
            json!({"tag_ids": [uuid::Uuid::now_v7()]}),
        ),
        (
            format!("/api/v1/conversations/{c2}"),
            Method::PATCH,
            json!({"team_id": uuid::Uuid::now_v7()}),
        ),
        (
            format!("/api/v1/conversations/{c2}"),
            Method::PATCH,
            json!({"priority": "asap"}),
        ),
        (
            format!("/api/v1/conversations/{c2}"),
            Method::PATCH,
            json!({"status": "snoozed"}),
        ),
        (
            format!("/api/v1/conversations/{c2}"),
            Method::PATCH,
            json!({"status": "snoozed", "snoozed_until": "2001-01-01T00:00:00Z"}),
        ),
        (
            format!("/api/v1/conversations/{c2}"),
            Method::PATCH,
            json!({"snoozed_until": "2101-01-01T00:00:00Z"}),
        ),
    ] {
        expect_error(
            call(&app, &owner, method, &path, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("{path} {body}"),
        )
        .await;
    }

    // Filters.
    let ids_of = |v: Vec<Value>| -> Vec<String> { ids(&v) };
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?priority=urgent").await),
        vec![c2.clone()]
    );
    assert_eq!(
        ids_of(
            list(
                &app,
                &owner,
                &format!(
                    "/api/v1/conversations?team_id={}",
                    team["id"].as_str().unwrap()
                )
            )
            .await
        ),
        vec![c2.clone()]
    );
    assert_eq!(
        ids_of(
            list(
                &app,
                &owner,
                &format!(
                    "/api/v1/conversations?tag_id={}",
                    tag["id"].as_str().unwrap()
                )
            )
            .await
        ),
        vec![c2.clone()]
    );
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?assignee=me").await),
        vec![c2.clone()]
    );
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?assignee=unassigned").await),
        vec![c3.clone(), c1.clone()]
    );
    // The agent (read_assigned, not in Billing) no longer sees c2: it is assigned to the owner.
    assert_eq!(
        ids_of(list(&app, &agent, "/api/v1/conversations").await),
        vec![c3.clone(), c1.clone()]
    );
    // Longest waiting first; answering takes a conversation out of the waiting list.
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?sort=waiting").await),
        vec![c1.clone(), c2.clone(), c3.clone()]
    );
    expect(
        call(
            &app,
            &owner,
            Method::POST,
            &format!("/api/v1/conversations/{c1}/messages"),
            json!({"text": "On its way!"}),
        )
        .await,
        StatusCode::ACCEPTED,
        "reply",
    )
    .await;
    let waiting = list(&app, &owner, "/api/v1/conversations?sort=waiting").await;
    assert_eq!(ids_of(waiting), vec![c2.clone(), c3.clone()]);
    let page = get_ok(&app, &owner, "/api/v1/conversations?sort=waiting&limit=1").await;
    assert_eq!(page["items"][0]["id"], c2.as_str());
    let next = page["next_cursor"].as_str().unwrap();
    let page2 = get_ok(
        &app,
        &owner,
        &format!("/api/v1/conversations?sort=waiting&limit=1&cursor={next}"),
    )
    .await;
    assert_eq!(page2["items"][0]["id"], c3.as_str());
    // Full-text search: English and Spanish stems, contact names and numbers.
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?q=orders").await),
        vec![c1.clone()]
    );
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?q=pedido").await),
        vec![c2.clone()]
    );
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?q=facturas").await),
        vec![c2.clone()]
    );
    assert_eq!(
        ids_of(
            list(
                &app,
                &owner,
                "/api/v1/conversations?q=Customer%2034600000003"
            )
            .await
        ),
        vec![c3.clone()]
    );
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?q=600000001").await),
        vec![c1.clone()]
    );
    assert!(
        list(&app, &owner, "/api/v1/conversations?q=%25%27%3B")
            .await
            .is_empty()
    );
    // Bad filter values: 422.
    for q in [
        "assignee=someone",
        "sort=random",
        "window=open",
        "priority=asap",
        "status=closed",
    ] {
        expect_error(
            app.get(&format!("/api/v1/conversations?{q}"), &owner.access_token)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            q,
        )
        .await;
    }

    // Snooze: it leaves the open tab, wakes at its time (a job), and a new message wakes it too.
    let until = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let snoozed = expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/conversations/{c3}"),
            json!({"status": "snoozed", "snoozed_until": until}),
        )
        .await,
        StatusCode::OK,
        "snooze",
    )
    .await;
    assert_eq!(snoozed["status"], "snoozed");
    assert!(!ids_of(list(&app, &owner, "/api/v1/conversations?status=open").await).contains(&c3));
    assert_eq!(
        ids_of(list(&app, &owner, "/api/v1/conversations?status=snoozed").await),
        vec![c3.clone()]
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    app.drain_jobs().await;
    let woke = get_ok(&app, &owner, &format!("/api/v1/conversations/{c3}")).await;
    assert_eq!(woke["status"], "open");
    assert!(woke["snoozed_until"].is_null());
    let last = timeline(&app, &owner, &c3).await.pop().unwrap();
    assert_eq!(
        last["body"],
        "The snooze ended: the conversation is open again"
    );
    let until = (chrono::Utc::now() + chrono::Duration::hours(5)).to_rfc3339();
    expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/conversations/{c3}"),
            json!({"status": "snoozed", "snoozed_until": until}),
        )
        .await,
        StatusCode::OK,
        "snooze again",
    )
    .await;
    customer_writes(&app, &owner, "34600000003", "are you there?").await;
    assert_eq!(
        get_ok(&app, &owner, &format!("/api/v1/conversations/{c3}")).await["status"],
        "open"
    );
    // Pending goes back to open when the customer answers.
    expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/conversations/{c1}"),
            json!({"status": "pending"}),
        )
        .await,
        StatusCode::OK,
        "pending",
    )
    .await;
    customer_writes(&app, &owner, "34600000001", "thanks").await;
    assert_eq!(
        get_ok(&app, &owner, &format!("/api/v1/conversations/{c1}")).await["status"],
        "open"
    );

    // Contacts: profile, tags, conversations.
    let contact_id = woke["contact"]["id"].as_str().unwrap();
    let contact = expect(
        call(
            &app,
            &agent,
            Method::PUT,
            &format!("/api/v1/contacts/{contact_id}/tags"),
            json!({"tag_ids": [tag["id"]]}),
        )
        .await,
        StatusCode::OK,
        "contact tags",
    )
    .await;
    assert_eq!(contact["tags"][0]["name"], "VIP");
    assert_eq!(contact["conversations"][0]["id"], c3.as_str());
    assert_eq!(contact["wa_id"], "34600000003");
}

#[tokio::test]
async fn read_assigned_agents_see_their_teams_queue_only() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    let billing = create_team(&app, &owner, "Billing", &[&ana.membership_id]).await;
    customer_writes(&app, &owner, "34600000011", "invoice please").await;
    let c = conversation_with(&app, &owner, "34600000011").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/conversations/{c}"),
            json!({"team_id": billing["id"]}),
        )
        .await,
        StatusCode::OK,
        "to billing",
    )
    .await;
    assert_eq!(
        ids(&list(&app, &ana, "/api/v1/conversations").await),
        vec![c.clone()]
    );
    assert!(list(&app, &luis, "/api/v1/conversations").await.is_empty());
    expect_error(
        app.get(&format!("/api/v1/conversations/{c}"), &luis.access_token)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "luis reads billing's",
    )
    .await;
    expect_error(
        call(
            &app,
            &luis,
            Method::POST,
            &format!("/api/v1/conversations/{c}/notes"),
            json!({"body": "x"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "luis notes billing's",
    )
    .await;
    // An agent may not transfer (conversations:assign).
    expect_error(
        patch(
            &app,
            &ana,
            &format!("/api/v1/conversations/{c}"),
            json!({"team_id": null}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent transfers",
    )
    .await;
}

#[tokio::test]
async fn canned_responses_shared_and_personal() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Acme Shoes", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    customer_writes(&app, &owner, "34600000021", "hi").await;
    let c = conversation_with(&app, &owner, "34600000021").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(app.post("/api/v1/canned-responses", Some(&owner.access_token), json!({"shortcut": "/Thanks", "title": "Thank you", "body": "Thanks {{contact.name}}! {{agent.name}} from {{business.name}}", "shared": true})).await, StatusCode::CREATED, "shared").await;
    // Agents may not write shared replies, but may keep their own.
    expect_error(
        app.post(
            "/api/v1/canned-responses",
            Some(&ana.access_token),
            json!({"shortcut": "x", "body": "y", "shared": true}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent shared",
    )
    .await;
    let mine = expect(
        app.post(
            "/api/v1/canned-responses",
            Some(&ana.access_token),
            json!({"shortcut": "thanks", "body": "Cheers, {{contact.name}}"}),
        )
        .await,
        StatusCode::CREATED,
        "personal",
    )
    .await;
    assert_eq!(mine["shared"], false);
    expect_error(
        app.post(
            "/api/v1/canned-responses",
            Some(&ana.access_token),
            json!({"shortcut": "thanks", "body": "dup"}),
        )
        .await,
        StatusCode::CONFLICT,
        "shortcut_taken",
        "duplicate",
    )
    .await;
    for bad in [
        json!({"shortcut": "two words", "body": "x"}),
        json!({"shortcut": "ok", "body": ""}),
        json!({"shortcut": "ok", "body": "x".repeat(4097)}),
    ] {
        expect_error(
            app.post(
                "/api/v1/canned-responses",
                Some(&ana.access_token),
                bad.clone(),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &bad.to_string(),
        )
        .await;
    }
    // The `/` picker: prefix search, rendered for the conversation.
    let found = list(
        &app,
        &ana,
        &format!("/api/v1/canned-responses?q=/tha&conversation_id={c}"),
    )
    .await;
    assert_eq!(found.len(), 2);
    let rendered: Vec<&str> = found
        .iter()
        .map(|r| r["rendered"].as_str().unwrap())
        .collect();
    assert!(
        rendered.contains(&"Thanks Customer 34600000021! Member Person from Acme Shoes"),
        "{rendered:?}"
    );
    assert!(rendered.contains(&"Cheers, Customer 34600000021"));
    // Luis does not see (or touch) Ana's personal reply.
    assert_eq!(list(&app, &luis, "/api/v1/canned-responses").await.len(), 1);
    let mine_id = mine["id"].as_str().unwrap();
    expect_error(
        patch(
            &app,
            &luis,
            &format!("/api/v1/canned-responses/{mine_id}"),
            json!({"body": "hacked"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "luis edits ana's",
    )
    .await;
    expect(
        patch(
            &app,
            &ana,
            &format!("/api/v1/canned-responses/{mine_id}"),
            json!({"body": "Cheers!"}),
        )
        .await,
        StatusCode::OK,
        "ana edits hers",
    )
    .await;
    expect(
        delete(&app, &ana, &format!("/api/v1/canned-responses/{mine_id}")).await,
        StatusCode::NO_CONTENT,
        "ana deletes hers",
    )
    .await;
    // Rendering for a conversation the agent may not see: 404.
    let other = app.signup_owner("Beta", &email("beta")).await;
    customer_writes(&app, &other, "34600000022", "hi").await;
    let foreign = conversation_with(&app, &other, "34600000022").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_error(
        app.get(
            &format!("/api/v1/canned-responses?conversation_id={foreign}"),
            &ana.access_token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "foreign conversation",
    )
    .await;
}

#[tokio::test]
async fn presence_and_availability() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let agents = list(&app, &owner, "/api/v1/agents").await;
    assert_eq!(agents[0]["presence"], "offline", "no socket yet");
    let v = expect(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/me/presence",
            json!({"availability": "away"}),
        )
        .await,
        StatusCode::OK,
        "away",
    )
    .await;
    assert_eq!(v["availability"], "away");
    assert_eq!(v["status"], "offline");
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/me/presence",
            json!({"availability": "busy"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "busy",
    )
    .await;
}

async fn phone_thread(app: &TestApp, s: &Session, from: &str) -> Vec<Value> {
    get_ok(app, s, &format!("/api/v1/sandbox/messages?from={from}")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn away_message_outside_hours_and_greeting_inside() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    // No periods at all: always closed. The away message goes once per cooldown.
    let saved = expect(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/business-hours",
            json!({
                "time_zone": "Europe/Madrid", "periods": [],
                "away_enabled": true, "away_text": "We are closed now; we answer from 9:00.",
            }),
        )
        .await,
        StatusCode::OK,
        "save hours",
    )
    .await;
    assert_eq!(saved["open_now"], false);
    assert_eq!(saved["settings"]["away_cooldown_hours"], 12);
    customer_writes(&app, &owner, "34600000031", "hello?").await;
    app.drain_jobs().await;
    customer_writes(&app, &owner, "34600000031", "anyone?").await;
    app.drain_jobs().await;
    let phone = phone_thread(&app, &owner, "34600000031").await;
    let away: Vec<&Value> = phone
        .iter()
        .filter(|m| m["direction"] == "outbound")
        .collect();
    assert_eq!(away.len(), 1, "{phone:?}");
    assert_eq!(away[0]["body"], "We are closed now; we answer from 9:00.");
    assert_eq!(away[0]["sender_type"], "system");
    assert_eq!(away[0]["content"]["automatic"], "away");
    assert!(
        matches!(
            away[0]["status"].as_str(),
            Some("sent" | "delivered" | "read")
        ),
        "{}",
        away[0]
    );
    // The customer still waits for a person.
    let conv = conversation_with(&app, &owner, "34600000031").await;
    assert!(conv["waiting_since"].is_string());

    // Open all week, with a greeting for new conversations only.
    let all_week: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "start": "00:00", "end": "00:00"}))
        .collect();
    let saved = expect(
        call(&app, &owner, Method::PUT, "/api/v1/business-hours", json!({
            "periods": all_week, "greeting_enabled": true, "greeting_text": "Hi! An agent will be with you shortly.",
            "away_enabled": true, "away_text": "Closed.",
        })).await,
        StatusCode::OK,
        "open all week",
    )
    .await;
    assert_eq!(saved["open_now"], true);
    customer_writes(&app, &owner, "34600000032", "hi").await;
    app.drain_jobs().await;
    customer_writes(&app, &owner, "34600000032", "again").await;
    app.drain_jobs().await;
    let out: Vec<Value> = phone_thread(&app, &owner, "34600000032")
        .await
        .into_iter()
        .filter(|m| m["direction"] == "outbound")
        .collect();
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["content"]["automatic"], "greeting");
    // The existing conversation is not greeted (it is not new), and it is open: no away message.
    assert_eq!(
        phone_thread(&app, &owner, "34600000031")
            .await
            .iter()
            .filter(|m| m["direction"] == "outbound")
            .count(),
        1
    );

    // A number's own schedule wins; removing it falls back to the business's.
    let numbers = list(&app, &owner, "/api/v1/numbers").await;
    let sandbox = numbers[0]["id"].as_str().unwrap();
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/business-hours",
            json!({"number_id": sandbox, "time_zone": "UTC", "periods": []}),
        )
        .await,
        StatusCode::OK,
        "number hours",
    )
    .await;
    assert_eq!(list(&app, &agent, "/api/v1/business-hours").await.len(), 2);
    expect(
        delete(
            &app,
            &owner,
            &format!("/api/v1/business-hours/numbers/{sandbox}"),
        )
        .await,
        StatusCode::NO_CONTENT,
        "remove",
    )
    .await;
    expect_error(
        delete(
            &app,
            &owner,
            &format!("/api/v1/business-hours/numbers/{sandbox}"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "remove twice",
    )
    .await;

    // Bad input, roles and other businesses.
    for bad in [
        json!({"time_zone": "Mars/Base"}),
        json!({"periods": [{"day": "monday", "start": "09:00", "end": "17:00"}]}),
        json!({"periods": [{"day": "mon", "start": "9", "end": "17:00"}]}),
        json!({"holidays": [{"date": "31/12/2026"}]}),
        json!({"away_enabled": true}),
        json!({"greeting_enabled": true, "greeting_text": "  "}),
        json!({"away_cooldown_hours": 0}),
    ] {
        expect_error(
            call(
                &app,
                &owner,
                Method::PUT,
                "/api/v1/business-hours",
                bad.clone(),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &bad.to_string(),
        )
        .await;
    }
    expect_error(
        call(
            &app,
            &agent,
            Method::PUT,
            "/api/v1/business-hours",
            json!({"periods": []}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent",
    )
    .await;
    let other = app.signup_owner("Beta", &email("beta")).await;
    let theirs = list(&app, &other, "/api/v1/numbers").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/business-hours",
            json!({"number_id": theirs}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "their number",
    )
    .await;
    expect_error(
        delete(
            &app,
            &owner,
            &format!("/api/v1/business-hours/numbers/{theirs}"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "their number",
    )
    .await;
    assert!(
        list(&app, &other, "/api/v1/business-hours")
            .await
            .is_empty()
    );
}

async fn online(app: &TestApp, who: &[&Session], yes: bool) {
    let ids: Vec<String> = who
        .iter()
        .map(|s| format!("'{}'", s.membership_id))
        .collect();
    let when = if yes {
        "now()"
    } else {
        "now() - interval '1 hour'"
    };
    app.run_sql(&format!(
        "UPDATE memberships SET last_seen_at = {when}, last_active_at = {when} WHERE id IN ({})",
        ids.join(",")
    ))
    .await;
}

fn assignees(items: &[Value], who: &Session) -> usize {
    items
        .iter()
        .filter(|c| c["assignee_id"] == who.membership_id.as_str())
        .count()
}

#[tokio::test]
async fn round_robin_among_online_agents_under_capacity() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    let billing = create_team(
        &app,
        &owner,
        "Billing",
        &[&ana.membership_id, &luis.membership_id],
    )
    .await;
    let team = billing["id"].as_str().unwrap();
    let sandbox = list(&app, &owner, "/api/v1/numbers").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "round_robin"}),
        )
        .await,
        StatusCode::OK,
        "mode",
    )
    .await;
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/numbers/{sandbox}"),
            json!({"team_id": team}),
        )
        .await,
        StatusCode::OK,
        "number",
    )
    .await;
    let v = expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/agents/{}", ana.membership_id),
            json!({"max_open": 2}),
        )
        .await,
        StatusCode::OK,
        "capacity",
    )
    .await;
    assert_eq!(v["numbers"][0]["team_id"], team);
    online(&app, &[&ana, &luis], true).await;

    for i in 1..=4 {
        customer_writes(&app, &owner, &format!("3460010000{i}"), "hola").await;
        app.drain_jobs().await;
    }
    let items = list(&app, &owner, "/api/v1/conversations").await;
    assert_eq!(
        (assignees(&items, &ana), assignees(&items, &luis)),
        (2, 2),
        "{items:?}"
    );
    assert!(items.iter().all(|c| c["team_id"] == team));
    // Ana is full (2 of 2): the fifth goes to Luis, and the timeline says why.
    customer_writes(&app, &owner, "346001000005", "hola").await;
    app.drain_jobs().await;
    let fifth = conversation_with(&app, &owner, "346001000005").await;
    assert_eq!(fifth["assignee_id"], luis.membership_id.as_str());
    let reason = timeline(&app, &owner, fifth["id"].as_str().unwrap())
        .await
        .into_iter()
        .find(|m| m["content"]["action"] == "auto_assigned")
        .unwrap();
    assert_eq!(
        reason["body"],
        "Chorus assigned the conversation to Member Person by round-robin in Billing: 3 of 10 open"
    );
    let notes = get_ok(&app, &luis, "/api/v1/notifications").await;
    assert_eq!(notes["unread_count"], 3);

    // Luis goes offline: a new conversation waits in Billing's queue.
    online(&app, &[&luis], false).await;
    customer_writes(&app, &owner, "346001000006", "hola").await;
    app.drain_jobs().await;
    let sixth = conversation_with(&app, &owner, "346001000006").await;
    assert!(sixth["assignee_id"].is_null());
    assert_eq!(sixth["team_id"], team);
    // Ana resolves one: her capacity frees and the waiting conversation goes to her at once.
    let anas = items
        .iter()
        .find(|c| c["assignee_id"] == ana.membership_id.as_str())
        .unwrap();
    expect(
        patch(
            &app,
            &ana,
            &format!("/api/v1/conversations/{}", anas["id"].as_str().unwrap()),
            json!({"status": "resolved"}),
        )
        .await,
        StatusCode::OK,
        "resolve",
    )
    .await;
    app.drain_jobs().await;
    let sixth = conversation_with(&app, &owner, "346001000006").await;
    assert_eq!(sixth["assignee_id"], ana.membership_id.as_str());

    // Ana is full again; a seventh waits until Luis comes online (his socket connects).
    customer_writes(&app, &owner, "346001000007", "hola").await;
    app.drain_jobs().await;
    assert!(conversation_with(&app, &owner, "346001000007").await["assignee_id"].is_null());
    let ws = app.address.replacen("http://", "ws://", 1);
    let (_socket, _) = tokio_tungstenite::connect_async(format!(
        "{ws}/api/v1/realtime?token={}",
        luis.access_token
    ))
    .await
    .unwrap();
    let mut assigned = false;
    for _ in 0..50 {
        app.drain_jobs().await;
        if conversation_with(&app, &owner, "346001000007").await["assignee_id"]
            == luis.membership_id.as_str()
        {
            assigned = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        assigned,
        "Luis came online and was given the waiting conversation"
    );

    // Luis goes offline (socket closed, heartbeat lapsed): the sweep returns his conversations
    // to Billing's queue; Ana is full, so they wait there.
    drop(_socket);
    online(&app, &[&luis], false).await;
    let returned = chorus_tenants::routing::return_from_offline(&app.state.store)
        .await
        .unwrap();
    assert_eq!(returned, 4);
    app.drain_jobs().await;
    let items = list(&app, &owner, "/api/v1/conversations").await;
    assert_eq!(assignees(&items, &luis), 0);
    let seventh = conversation_with(&app, &owner, "346001000007").await;
    assert!(seventh["assignee_id"].is_null());
    let why = timeline(&app, &owner, seventh["id"].as_str().unwrap())
        .await
        .pop()
        .unwrap();
    assert_eq!(
        why["body"],
        "Chorus returned the conversation to the queue: Member Person went offline"
    );
    assert_eq!(
        chorus_tenants::routing::return_from_offline(&app.state.store)
            .await
            .unwrap(),
        0
    );

    // Manual teams keep their queue; bad values and other roles are refused.
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "manual"}),
        )
        .await,
        StatusCode::OK,
        "manual",
    )
    .await;
    customer_writes(&app, &owner, "346001000008", "hola").await;
    app.drain_jobs().await;
    assert!(conversation_with(&app, &owner, "346001000008").await["assignee_id"].is_null());
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "random"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "mode",
    )
    .await;
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/agents/{}", ana.membership_id),
            json!({"max_open": 0}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "capacity",
    )
    .await;
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/numbers/{sandbox}"),
            json!({"team_id": uuid::Uuid::now_v7()}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "team",
    )
    .await;
    expect_error(
        call(
            &app,
            &ana,
            Method::PUT,
            &format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "balanced"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent",
    )
    .await;
    let other = app.signup_owner("Beta", &email("beta")).await;
    let theirs = list(&app, &other, "/api/v1/numbers").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/numbers/{theirs}"),
            json!({"team_id": null}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "their number",
    )
    .await;
    expect_error(
        call(
            &app,
            &other,
            Method::PUT,
            &format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "balanced"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "our team",
    )
    .await;
}
