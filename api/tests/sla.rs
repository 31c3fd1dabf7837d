//! SLA policies through the real server: the first matching policy applies (by priority, team,
//! tag), due times show on the conversation, the sweep warns at 80 % and breaches at 100 %
//! (timeline, notifications for the assignee and supervisors, an email to supervisors, the
//! escalation), a reply in time meets the first response and starts the next-response clock,
//! pending pauses the clock, resolving meets the resolution target, and the list filters on the
//! state. The clock is moved by rewriting the conversation's start in the database. The pure
//! clock (business hours across a weekend, a holiday, past midnight, DST) is unit-tested in
//! `tenants/src/sla.rs` and `tenants/src/hours.rs`; the HTTP contract is in `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app};
use support::*;

async fn call(app: &TestApp, s: &Session, method: Method, path: &str, body: Value) -> Value {
    let b = if body.is_null() {
        Body::None
    } else {
        Body::Json(body)
    };
    let res = send(app, method.clone(), path, Some(&s.access_token), b).await;
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn writes(app: &TestApp, s: &Session, from: &str, text: &str) -> Value {
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&s.access_token),
            json!({"from": from, "name": format!("Customer {from}"), "text": text}),
        )
        .await;
    expect(res, StatusCode::OK, "customer writes").await;
    conversation(app, s, from).await
}

async fn conversation(app: &TestApp, s: &Session, from: &str) -> Value {
    list(app, s, "/api/v1/conversations?status=")
        .await
        .into_iter()
        .find(|c| c["contact"]["wa_id"] == from && c["status"] != "resolved")
        .unwrap_or_else(|| panic!("no conversation with {from}"))
}

/// Pretend the conversation started `minutes` earlier, then let the sweep look.
async fn age(app: &TestApp, conv: &Value, minutes: i64) {
    let id = conv["id"].as_str().unwrap();
    app.run_sql(&format!(
        "UPDATE conversations SET opened_at = opened_at - interval '{minutes} minutes',
                sla_started_at = sla_started_at - interval '{minutes} minutes',
                waiting_since = waiting_since - interval '{minutes} minutes',
                sla_check_at = now() WHERE id = '{id}'"
    ))
    .await;
    chorus_tenants::sla::sweep(&app.state.store, 1000)
        .await
        .unwrap();
}

async fn timeline(app: &TestApp, s: &Session, conv: &Value) -> Vec<String> {
    let id = conv["id"].as_str().unwrap();
    list(app, s, &format!("/api/v1/conversations/{id}/messages"))
        .await
        .into_iter()
        .filter(|m| {
            let a = &m["content"]["action"];
            a == "sla_breached" || a == "sla_escalated"
        })
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn notifications(app: &TestApp, s: &Session) -> Vec<Value> {
    list(app, s, "/api/v1/notifications").await
}

#[tokio::test]
async fn warns_breaches_escalates_and_filters() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let billing = create_team(&app, &owner, "Billing", &[&ana.membership_id]).await;
    let escalations = create_team(&app, &owner, "Escalations", &[]).await;
    let standard = call(
        &app,
        &owner,
        Method::POST,
        "/api/v1/sla-policies",
        json!({"name": "Standard", "first_response_minutes": 10, "resolution_minutes": 600,
               "escalation": {"raise_priority": "urgent", "team_id": escalations["id"]}}),
    )
    .await;
    assert_eq!(standard["warn_percent"], 80);
    // A stricter policy for urgent conversations, put first.
    let urgent = call(
        &app,
        &owner,
        Method::POST,
        "/api/v1/sla-policies",
        json!({"name": "Urgent", "first_response_minutes": 2, "conditions": {"priorities": ["urgent"]}}),
    )
    .await;
    call(
        &app,
        &owner,
        Method::PUT,
        "/api/v1/sla-policies/order",
        json!({"ids": [urgent["id"], standard["id"]]}),
    )
    .await;

    let c = writes(&app, &owner, "34650000001", "hola").await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["sla"]["status"], "on_track", "{c}");
    assert_eq!(c["sla"]["policy_id"], standard["id"]);
    assert!(c["sla"]["first_response_due_at"].is_string());
    // Ana gets it (manually) in Billing.
    call(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/conversations/{id}"),
        json!({"team_id": billing["id"], "assignee_id": ana.membership_id}),
    )
    .await;

    // 8 of 10 minutes: at risk, and Ana is warned once.
    age(&app, &c, 8).await;
    let c = conversation(&app, &owner, "34650000001").await;
    assert_eq!(c["sla"]["status"], "at_risk", "{c}");
    let warned: Vec<Value> = notifications(&app, &ana)
        .await
        .into_iter()
        .filter(|n| n["kind"] == "sla_warning")
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0]["body"]
            .as_str()
            .unwrap()
            .contains("SLA “Standard” is at risk")
    );
    let at_risk = list(&app, &owner, "/api/v1/conversations?sla=at_risk").await;
    assert_eq!(ids(&at_risk), std::slice::from_ref(&id));

    // 10 minutes: breached, with the escalation.
    age(&app, &c, 2).await;
    let c = conversation(&app, &owner, "34650000001").await;
    assert_eq!(c["sla"]["status"], "breached", "{c}");
    assert_eq!(c["sla"]["breaches"], json!(["first_response"]));
    assert_eq!(c["priority"], "urgent");
    assert_eq!(c["team_id"], escalations["id"]);
    assert!(
        c["assignee_id"].is_null(),
        "moved to the escalation team's queue"
    );
    assert_eq!(
        timeline(&app, &owner, &c).await,
        [
            "SLA “Standard” breached: first response time",
            "Chorus escalated the conversation for SLA “Standard”: priority urgent",
            "Chorus escalated the conversation for SLA “Standard”: team Escalations",
        ]
    );
    for who in [&owner, &ana] {
        let breach: Vec<Value> = notifications(&app, who)
            .await
            .into_iter()
            .filter(|n| n["kind"] == "sla_breach")
            .collect();
        assert_eq!(breach.len(), 1, "{}", who.email);
    }
    // Supervisors (the owner here) get an email; the agent does not.
    app.drain_jobs().await;
    let mails: Vec<String> = app
        .mails()
        .into_iter()
        .map(|(_, raw)| common::decode_mail(&raw))
        .filter(|m| m.contains("SLA breached"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0]
            .to_lowercase()
            .contains(&owner.email.to_lowercase())
    );
    assert!(mails[0].contains("Customer 34650000001"));
    // Now urgent, so the Urgent policy applies; the breach stays on record and is not repeated.
    age(&app, &c, 1).await;
    let c = conversation(&app, &owner, "34650000001").await;
    assert_eq!(c["sla"]["policy_id"], urgent["id"]);
    assert_eq!(c["sla"]["status"], "breached");
    assert_eq!(timeline(&app, &owner, &c).await.len(), 3);
    let breached = list(&app, &owner, "/api/v1/conversations?sla=breached").await;
    assert_eq!(ids(&breached), std::slice::from_ref(&id));
    assert!(
        list(&app, &owner, "/api/v1/conversations?sla=on_track")
            .await
            .is_empty()
    );
    let (status, code) = common::error_code(
        app.get("/api/v1/conversations?sla=late", &owner.access_token)
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
    );
}

#[tokio::test]
async fn replies_pauses_and_resolution() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    call(
        &app,
        &owner,
        Method::POST,
        "/api/v1/sla-policies",
        json!({"name": "Support", "first_response_minutes": 10, "next_response_minutes": 30, "resolution_minutes": 120}),
    )
    .await;
    let c = writes(&app, &owner, "34650000002", "hola").await;
    let id = c["id"].as_str().unwrap().to_owned();
    // A reply in time: the first response is met, nothing else is waiting.
    call(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/conversations/{id}/messages"),
        json!({"text": "¡Hola! ¿En qué te ayudo?"}),
    )
    .await;
    let c = conversation(&app, &owner, "34650000002").await;
    assert_eq!(c["sla"]["status"], "on_track");
    assert!(c["sla"]["first_response_due_at"].is_null(), "{c}");
    assert!(c["sla"]["next_response_due_at"].is_null());
    // The customer writes again: the next reply is due in 30 minutes.
    let c = writes(&app, &owner, "34650000002", "¿y el envío?").await;
    assert!(c["sla"]["next_response_due_at"].is_string(), "{c}");

    // Pending pauses the clock: no check is due and 3 hours later nothing is breached.
    call(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/conversations/{id}"),
        json!({"status": "pending"}),
    )
    .await;
    app.run_sql(&format!(
        "UPDATE conversations SET sla_paused_at = sla_paused_at - interval '3 hours' WHERE id = '{id}'"
    ))
    .await;
    chorus_tenants::sla::sweep(&app.state.store, 1000)
        .await
        .unwrap();
    let c = get_ok(&app, &owner, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(c["sla"]["status"], "on_track", "{c}");
    // Reopened: the 3 paused hours are added to the resolution due time.
    let before = c["sla"]["resolution_due_at"].as_str().unwrap().to_owned();
    let c = call(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/conversations/{id}"),
        json!({"status": "open"}),
    )
    .await;
    let after = c["sla"]["resolution_due_at"].as_str().unwrap();
    let shift = chrono::DateTime::parse_from_rfc3339(after).unwrap()
        - chrono::DateTime::parse_from_rfc3339(&before).unwrap();
    assert!(
        (shift.num_minutes() - 180).abs() <= 1,
        "shifted by {shift:?}"
    );
    // Resolved in time: met.
    let c = call(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/conversations/{id}"),
        json!({"status": "resolved"}),
    )
    .await;
    assert_eq!(c["sla"]["status"], "met", "{c}");
    let met = list(
        &app,
        &owner,
        "/api/v1/conversations?status=resolved&sla=met",
    )
    .await;
    assert_eq!(ids(&met), [id]);
}

#[tokio::test]
async fn policies_are_checked_and_other_businesses_ids_are_unknown() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let other = app.signup_owner("Beta", &email("other")).await;
    let their_team = create_team(&app, &other, "Theirs", &[]).await;
    let bad = [
        json!({"name": "No target"}),
        json!({"name": "", "first_response_minutes": 5}),
        json!({"name": "Zero", "first_response_minutes": 0}),
        json!({"name": "Warn", "first_response_minutes": 5, "warn_percent": 100}),
        json!({"name": "Prio", "first_response_minutes": 5, "conditions": {"priorities": ["asap"]}}),
        json!({"name": "Team", "first_response_minutes": 5, "conditions": {"team_ids": [their_team["id"]]}}),
        json!({"name": "Esc", "first_response_minutes": 5, "escalation": {"team_id": their_team["id"]}}),
    ];
    for body in bad {
        let res = send(
            &app,
            Method::POST,
            "/api/v1/sla-policies",
            Some(&owner.access_token),
            Body::Json(body.clone()),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    // No policy: conversations carry no SLA.
    let c = writes(&app, &owner, "34650000003", "hola").await;
    assert!(c["sla"].is_null(), "{c}");
    // A policy added later applies to open conversations at the next sweep.
    call(
        &app,
        &owner,
        Method::POST,
        "/api/v1/sla-policies",
        json!({"name": "Later", "resolution_minutes": 60}),
    )
    .await;
    chorus_tenants::sla::sweep(&app.state.store, 1000)
        .await
        .unwrap();
    let c = conversation(&app, &owner, "34650000003").await;
    assert_eq!(c["sla"]["status"], "on_track", "{c}");
    // Another business never sees it.
    assert!(
        list(&app, &other, "/api/v1/sla-policies").await.is_empty(),
        "isolated"
    );
}
