//! Opt-outs through the real server: a message that is exactly an opt-out keyword (any case,
//! accents or trailing punctuation) opts the customer out, with the source and time on record
//! and a line in the timeline; a longer message does not; a business sets its own keywords;
//! Meta's 131050 on a failed status opts the customer out too; agents' changes are recorded.
//! HTTP contract: `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app};
use support::*;

async fn writes(app: &TestApp, s: &Session, from: &str, text: &str) -> Value {
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
        .unwrap()
}

async fn contact_of(app: &TestApp, s: &Session, conv: &Value) -> Value {
    let id = conv["contact"]["id"].as_str().unwrap();
    get_ok(app, s, &format!("/api/v1/contacts/{id}")).await
}

async fn history(app: &TestApp, s: &Session, conv: &Value) -> Vec<Value> {
    let id = conv["contact"]["id"].as_str().unwrap();
    get_ok(app, s, &format!("/api/v1/contacts/{id}/consent")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn timeline_opt_outs(app: &TestApp, s: &Session, conv: &Value) -> Vec<String> {
    let id = conv["id"].as_str().unwrap();
    list(app, s, &format!("/api/v1/conversations/{id}/messages"))
        .await
        .into_iter()
        .filter(|m| m["content"]["action"] == "opted_out")
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn keywords_opt_customers_out_with_the_source_on_record() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    writes(&app, &owner, "34670000001", "hola").await;
    let c = writes(&app, &owner, "34670000001", "  Baja. ").await;
    let contact = contact_of(&app, &owner, &c).await;
    assert_eq!(contact["opt_in"]["state"], "opted_out", "{contact}");
    assert_eq!(contact["opt_in"]["source"], "keyword:BAJA");
    assert!(contact["opt_in"]["changed_at"].is_string());
    assert_eq!(
        timeline_opt_outs(&app, &owner, &c).await,
        ["The customer opted out of marketing messages by writing “BAJA”"]
    );
    let events = history(&app, &owner, &c).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0]["state"].as_str(), events[0]["source"].as_str()),
        (Some("opted_out"), Some("keyword:BAJA"))
    );
    assert!(events[0]["message_id"].is_string());
    // Writing it again changes nothing and records nothing.
    writes(&app, &owner, "34670000001", "BAJA").await;
    assert_eq!(history(&app, &owner, &c).await.len(), 1);

    // A sentence that merely contains a keyword is not an opt-out.
    let other = writes(&app, &owner, "34670000002", "no quiero darme de baja").await;
    assert_eq!(
        contact_of(&app, &owner, &other).await["opt_in"]["state"],
        "unknown"
    );

    // The agent opts them in again: recorded with source agent.
    let id = c["contact"]["id"].as_str().unwrap();
    expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/contacts/{id}"),
            json!({"opt_in": "opted_in"}),
        )
        .await,
        StatusCode::OK,
        "opt in",
    )
    .await;
    let events = history(&app, &owner, &c).await;
    assert_eq!(events[0]["source"], "agent");
    assert_eq!(events[0]["state"], "opted_in");

    // The business's own words replace the defaults.
    let set = expect(
        send(
            &app,
            Method::PUT,
            "/api/v1/settings/opt-out-keywords",
            Some(&owner.access_token),
            Body::Json(json!({"keywords": ["Parar", " parar ", "No más"]})),
        )
        .await,
        StatusCode::OK,
        "keywords",
    )
    .await;
    assert_eq!(set["keywords"], json!(["Parar", "No más"]));
    let s = writes(&app, &owner, "34670000003", "STOP").await;
    assert_eq!(
        contact_of(&app, &owner, &s).await["opt_in"]["state"],
        "unknown"
    );
    let n = writes(&app, &owner, "34670000004", "no mas!").await;
    assert_eq!(
        contact_of(&app, &owner, &n).await["opt_in"]["source"],
        "keyword:NO MAS"
    );
    for bad in [
        json!({"keywords": [""]}),
        json!({"keywords": ["x".repeat(31)]}),
        json!({"keywords": ["!!!"]}),
    ] {
        let res = send(
            &app,
            Method::PUT,
            "/api/v1/settings/opt-out-keywords",
            Some(&owner.access_token),
            Body::Json(bad.clone()),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // null restores the defaults.
    let reset = expect(
        send(
            &app,
            Method::PUT,
            "/api/v1/settings/opt-out-keywords",
            Some(&owner.access_token),
            Body::Json(json!({"keywords": null})),
        )
        .await,
        StatusCode::OK,
        "reset",
    )
    .await;
    assert_eq!(
        reset["keywords"],
        json!(["STOP", "BAJA", "CANCELAR", "UNSUBSCRIBE"])
    );
}

#[tokio::test]
async fn meta_reporting_131050_opts_the_customer_out() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let c = writes(&app, &owner, "34670000011", "hola").await;
    let conv = c["id"].as_str().unwrap();
    expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&owner.access_token),
            Body::Json(json!({"text": "Oferta de la semana"})),
        )
        .await,
        StatusCode::ACCEPTED,
        "send",
    )
    .await;
    app.drain_jobs().await;
    let wamid = list(
        &app,
        &owner,
        &format!("/api/v1/conversations/{conv}/messages"),
    )
    .await
    .into_iter()
    .find(|m| m["direction"] == "outbound" && m["wamid"].is_string())
    .expect("the sandbox accepted the message")["wamid"]
        .as_str()
        .unwrap()
        .to_owned();
    let pnid = chorus_tenants::numbers::sandbox_phone_number_id(owner.tenant_id.parse().unwrap());
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": pnid},
        "statuses": [{"id": wamid, "status": "failed", "timestamp": chrono::Utc::now().timestamp().to_string(),
                      "recipient_id": "34670000011",
                      "errors": [{"code": 131050, "title": "User has stopped marketing messages"}]}]}}]}]});
    expect(
        app.post_signed_webhook(&body).await,
        StatusCode::OK,
        "status",
    )
    .await;
    let contact = contact_of(&app, &owner, &c).await;
    assert_eq!(contact["opt_in"]["state"], "opted_out", "{contact}");
    assert_eq!(contact["opt_in"]["source"], "meta:131050");
    assert_eq!(
        timeline_opt_outs(&app, &owner, &c).await,
        ["WhatsApp reports that the customer stopped marketing messages (131050)"]
    );
    // The same delivery again (Meta retries): still one event.
    expect(
        app.post_signed_webhook(&body).await,
        StatusCode::OK,
        "again",
    )
    .await;
    assert_eq!(history(&app, &owner, &c).await.len(), 1);
}
