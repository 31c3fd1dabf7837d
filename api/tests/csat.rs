//! CSAT through the real server and the sandbox number: resolving asks the customer (a list of
//! five inside the window); the answer lands on the survey and in the resolved conversation
//! without reopening it or opening a new one; a comment follows; the score reaches the report;
//! opted-out customers and businesses without CSAT are never asked; another message after the
//! survey opens a new conversation as usual. HTTP contract: `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app};
use support::*;

async fn phone(app: &TestApp, s: &Session, from: &str, body: Value) {
    let mut body = body;
    body["from"] = json!(from);
    body["name"] = json!("Marta");
    let res = app
        .post("/api/v1/sandbox/messages", Some(&s.access_token), body)
        .await;
    expect(res, StatusCode::OK, "the customer writes").await;
}

/// Every conversation of the customer, resolved or not.
async fn conversations_of(app: &TestApp, s: &Session, from: &str) -> Vec<Value> {
    let mut all = list(app, s, "/api/v1/conversations?status=").await;
    all.extend(list(app, s, "/api/v1/conversations?status=resolved").await);
    all.into_iter()
        .filter(|c| c["contact"]["wa_id"] == from)
        .collect()
}

async fn resolve(app: &TestApp, s: &Session, conv: &str) {
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/conversations/{conv}"),
            Some(&s.access_token),
            Some(json!({"status": "resolved"})),
        )
        .await;
    expect(res, StatusCode::OK, "resolve").await;
}

async fn messages(app: &TestApp, s: &Session, conv: &str) -> Vec<Value> {
    list(app, s, &format!("/api/v1/conversations/{conv}/messages")).await
}

async fn surveys(app: &TestApp, s: &Session, conv: &str) -> Vec<Value> {
    get_ok(app, s, &format!("/api/v1/conversations/{conv}/csat")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_resolution_asks_and_the_answer_is_kept_without_reopening() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Encuestas", &email("csat")).await;
    let from = "34600700001";

    // Off by default: resolving asks nothing.
    phone(&app, &owner, from, json!({"text": "hola"})).await;
    let conv = conversations_of(&app, &owner, from).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    resolve(&app, &owner, &conv).await;
    app.drain_jobs().await;
    assert!(surveys(&app, &owner, &conv).await.is_empty());

    // Switched on.
    let res = app
        .call(
            Method::PUT,
            "/api/v1/settings/csat",
            Some(&owner.access_token),
            Some(json!({"enabled": true, "question": "¿Qué tal te atendimos?"})),
        )
        .await;
    let settings = expect(res, StatusCode::OK, "csat on").await;
    assert_eq!(settings["enabled"], true);
    phone(&app, &owner, from, json!({"text": "otra pregunta"})).await;
    let conv = conversations_of(&app, &owner, from)
        .await
        .into_iter()
        .find(|c| c["status"] != "resolved")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&owner.access_token),
            json!({"text": "Te lo resuelvo", "force": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    resolve(&app, &owner, &conv).await;
    app.drain_jobs().await;
    let asked = surveys(&app, &owner, &conv).await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0]["channel"], "list");
    assert!(asked[0]["score"].is_null());
    let survey = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .find(|m| m["content"]["automatic"] == "csat")
        .expect("the survey message");
    assert_eq!(survey["direction"], "outbound");
    assert_eq!(survey["body"], "¿Qué tal te atendimos?");
    assert_ne!(survey["status"], "failed", "{survey}");

    // The customer picks 4 stars: kept on the survey and in the same conversation, still
    // resolved, and no new conversation opens. They are thanked.
    phone(
        &app,
        &owner,
        from,
        json!({"list_reply": {"id": "csat:4", "title": "★★★★ 4"}}),
    )
    .await;
    app.drain_jobs().await;
    let convs = conversations_of(&app, &owner, from).await;
    assert_eq!(convs.len(), 2, "no new conversation: {convs:?}");
    assert!(convs.iter().all(|c| c["status"] == "resolved"));
    let answered = surveys(&app, &owner, &conv).await;
    assert_eq!(answered[0]["score"], 4);
    let thread = messages(&app, &owner, &conv).await;
    assert!(
        thread
            .iter()
            .any(|m| m["direction"] == "inbound" && m["content"]["id"] == "csat:4")
    );
    assert!(
        thread
            .iter()
            .filter(|m| m["content"]["automatic"] == "csat")
            .count()
            == 2,
        "the survey and the thanks"
    );
    // A comment right after.
    phone(&app, &owner, from, json!({"text": "Muy rápidos, gracias"})).await;
    app.drain_jobs().await;
    assert_eq!(
        surveys(&app, &owner, &conv).await[0]["comment"],
        "Muy rápidos, gracias"
    );
    assert_eq!(conversations_of(&app, &owner, from).await.len(), 2);
    // Anything after that is a new conversation, as always.
    phone(
        &app,
        &owner,
        from,
        json!({"text": "Otra cosa: ¿hacéis envíos?"}),
    )
    .await;
    let convs = conversations_of(&app, &owner, from).await;
    assert_eq!(convs.len(), 3);
    assert!(convs.iter().any(|c| c["status"] == "open"));

    // The score reaches the report.
    assert!(
        chorus_tenants::kpi::rollup::roll_up_until_now(
            &app.state.store,
            std::time::Duration::from_secs(30)
        )
        .await
        .unwrap()
    );
    let r = get_ok(&app, &owner, "/api/v1/reports/overview").await;
    assert_eq!(r["totals"]["csat"]["count"], 1, "{}", r["totals"]);
    assert_eq!(r["totals"]["csat"]["mean"], 4.0);
    assert_eq!(r["totals"]["csat"]["distribution"], json!([0, 0, 0, 1, 0]));
    let owner_row = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent_id"] == owner.membership_id.as_str());
    // The owner held it when resolved only if routing assigned it; the business total counts.
    if let Some(row) = owner_row {
        assert!(row["csat"]["count"].as_i64().unwrap() <= 1);
    }
}

#[tokio::test]
async fn opted_out_customers_are_not_asked_and_settings_are_checked() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Respeto", &email("csat-optout")).await;
    let res = app
        .call(
            Method::PUT,
            "/api/v1/settings/csat",
            Some(&owner.access_token),
            Some(json!({"enabled": true})),
        )
        .await;
    expect(res, StatusCode::OK, "csat on").await;
    let from = "34600700002";
    phone(&app, &owner, from, json!({"text": "hola"})).await;
    // STOP opts the customer out (and is stored in the open conversation).
    phone(&app, &owner, from, json!({"text": "STOP"})).await;
    let conv = conversations_of(&app, &owner, from).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    resolve(&app, &owner, &conv).await;
    app.drain_jobs().await;
    assert!(surveys(&app, &owner, &conv).await.is_empty(), "opted out");

    // Settings: a long question, an unknown template; agents may not change them.
    for (body, field) in [
        (
            json!({"enabled": true, "question": "x".repeat(1025)}),
            "question",
        ),
        (
            json!({"enabled": true, "template_id": uuid::Uuid::now_v7()}),
            "template_id",
        ),
    ] {
        let res = app
            .call(
                Method::PUT,
                "/api/v1/settings/csat",
                Some(&owner.access_token),
                Some(body),
            )
            .await;
        let e = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            field,
        )
        .await;
        assert!(e["error"]["fields"][field].is_string(), "{e}");
    }
    let agent = app.add_member(&owner, &email("csat-agent"), "agent").await;
    let res = app
        .call(
            Method::PUT,
            "/api/v1/settings/csat",
            Some(&agent.access_token),
            Some(json!({"enabled": false})),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", "agent").await;
}
