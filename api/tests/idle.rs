//! Window warnings and auto-resolve through the real server: the assignee is warned once per
//! window before the window closes on a waiting customer; a business can switch the
//! warning off; conversations answered and then left silent are resolved with the closing
//! message, while conversations still waiting for us are never resolved. The sweeps are called
//! directly after moving the clock in the database. HTTP contract: `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app};
use support::*;

async fn call(app: &TestApp, s: &Session, method: Method, path: &str, body: Value) -> Value {
    let res = send(
        app,
        method.clone(),
        path,
        Some(&s.access_token),
        Body::Json(body),
    )
    .await;
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn writes(app: &TestApp, s: &Session, from: &str, text: &str) -> String {
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&s.access_token),
            json!({"from": from, "name": format!("Customer {from}"), "text": text}),
        )
        .await;
    expect(res, StatusCode::OK, "customer writes").await;
    list(app, s, "/api/v1/conversations?status=")
        .await
        .into_iter()
        .find(|c| c["contact"]["wa_id"] == from && c["status"] != "resolved")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn closing_notices(app: &TestApp, s: &Session) -> usize {
    list(app, s, "/api/v1/notifications")
        .await
        .iter()
        .filter(|n| n["kind"] == "window_closing")
        .count()
}

#[tokio::test]
async fn the_assignee_is_warned_once_per_window_before_it_closes() {
    let app = spawn_app().await;
    let store = &app.state.store;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let id = writes(&app, &owner, "34660000001", "hola").await;
    call(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/conversations/{id}"),
        json!({"assignee_id": ana.membership_id}),
    )
    .await;
    let closes_soon = format!(
        "UPDATE conversations SET window_expires_at = now() + interval '30 minutes' WHERE id = '{id}'"
    );
    // 24 hours left: nothing.
    assert_eq!(
        chorus_tenants::idle::warn_closing_windows(store)
            .await
            .unwrap(),
        0
    );
    app.run_sql(&closes_soon).await;
    assert_eq!(
        chorus_tenants::idle::warn_closing_windows(store)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        chorus_tenants::idle::warn_closing_windows(store)
            .await
            .unwrap(),
        0
    );
    assert_eq!(closing_notices(&app, &ana).await, 1);
    let body = list(&app, &ana, "/api/v1/notifications").await[0]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(body.contains("closes in"), "{body}");
    // The customer writes again: a new window; when it nears its end, a new warning.
    writes(&app, &owner, "34660000001", "¿sigues ahí?").await;
    assert_eq!(
        chorus_tenants::idle::warn_closing_windows(store)
            .await
            .unwrap(),
        0
    );
    app.run_sql(&closes_soon).await;
    assert_eq!(
        chorus_tenants::idle::warn_closing_windows(store)
            .await
            .unwrap(),
        1
    );
    // Answered: nobody is waiting, so no warning.
    call(
        &app,
        &ana,
        Method::POST,
        &format!("/api/v1/conversations/{id}/messages"),
        json!({"text": "Aquí estoy"}),
    )
    .await;
    app.run_sql(&format!(
        "UPDATE conversations SET window_warned_for = NULL WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(
        chorus_tenants::idle::warn_closing_windows(store)
            .await
            .unwrap(),
        0
    );
    // Switched off: a waiting customer near the end gets no warning either.
    let other = writes(&app, &owner, "34660000002", "hola").await;
    call(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/conversations/{other}"),
        json!({"assignee_id": ana.membership_id}),
    )
    .await;
    let off = call(
        &app,
        &owner,
        Method::PUT,
        "/api/v1/settings/workflow",
        json!({"window_warning_minutes": null, "auto_resolve_after_hours": null, "auto_resolve_message": null}),
    )
    .await;
    assert!(off["window_warning_minutes"].is_null());
    app.run_sql(&format!(
        "UPDATE conversations SET window_expires_at = now() + interval '10 minutes' WHERE id = '{other}'"
    ))
    .await;
    assert_eq!(
        chorus_tenants::idle::warn_closing_windows(store)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn answered_conversations_left_silent_are_resolved_with_the_closing_message() {
    let app = spawn_app().await;
    let store = &app.state.store;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let defaults = get_ok(&app, &owner, "/api/v1/settings/workflow").await;
    assert_eq!(
        defaults,
        json!({"window_warning_minutes": 60, "auto_resolve_after_hours": null, "auto_resolve_message": null})
    );
    for bad in [
        json!({"window_warning_minutes": 1, "auto_resolve_after_hours": null, "auto_resolve_message": null}),
        json!({"window_warning_minutes": 60, "auto_resolve_after_hours": 0, "auto_resolve_message": null}),
        json!({"window_warning_minutes": 60, "auto_resolve_after_hours": 2, "auto_resolve_message": "x".repeat(1025)}),
    ] {
        let res = send(
            &app,
            Method::PUT,
            "/api/v1/settings/workflow",
            Some(&owner.access_token),
            Body::Json(bad.clone()),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let answered = writes(&app, &owner, "34660000011", "hola").await;
    call(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/conversations/{answered}/messages"),
        json!({"text": "¿En qué te ayudo?"}),
    )
    .await;
    let waiting = writes(&app, &owner, "34660000012", "¿hay alguien?").await;
    app.run_sql("UPDATE conversations SET last_message_at = now() - interval '3 hours'")
        .await;
    // Off by default: nothing is resolved.
    assert_eq!(chorus_tenants::idle::auto_resolve(store).await.unwrap(), 0);
    call(
        &app,
        &owner,
        Method::PUT,
        "/api/v1/settings/workflow",
        json!({"window_warning_minutes": 60, "auto_resolve_after_hours": 2, "auto_resolve_message": "  ¡Gracias por escribirnos!  "}),
    )
    .await;
    assert_eq!(chorus_tenants::idle::auto_resolve(store).await.unwrap(), 1);
    let a = get_ok(&app, &owner, &format!("/api/v1/conversations/{answered}")).await;
    assert_eq!(a["status"], "resolved");
    let w = get_ok(&app, &owner, &format!("/api/v1/conversations/{waiting}")).await;
    assert_eq!(w["status"], "open", "a waiting customer is never dropped");
    let timeline = list(
        &app,
        &owner,
        &format!("/api/v1/conversations/{answered}/messages"),
    )
    .await;
    let closing: Vec<&Value> = timeline
        .iter()
        .filter(|m| m["content"]["automatic"] == "closing")
        .collect();
    assert_eq!(closing.len(), 1);
    assert_eq!(closing[0]["body"], "¡Gracias por escribirnos!");
    assert_eq!(closing[0]["sender_type"], "system");
    let resolved: Vec<&str> = timeline
        .iter()
        .filter(|m| m["content"]["action"] == "auto_resolved")
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        resolved,
        ["Chorus resolved the conversation: no reply from the customer in 2 hours"]
    );
    // Once resolved, the sweep leaves it alone.
    assert_eq!(chorus_tenants::idle::auto_resolve(store).await.unwrap(), 0);
}
