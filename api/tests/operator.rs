//! The operator's failed-jobs console: business members who are not platform operators get 403
//! (owners included); an operator lists dead jobs across businesses with their last error,
//! filters by type, and retries one (queued again, attempts reset, run by the worker); a job
//! that is not dead is 404.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use common::{email, spawn_app};
use support::*;

#[tokio::test]
async fn operators_list_and_retry_dead_jobs() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let other = app.signup_owner("Beta", &email("beta")).await;
    // Two dead jobs in two businesses (a handler that failed every attempt), one queued.
    let dead_a = uuid::Uuid::now_v7();
    let dead_b = uuid::Uuid::now_v7();
    app.run_sql(&format!(
        "INSERT INTO jobs (id, tenant_id, job_type, data, state, attempts, max_attempts, last_error)
         VALUES ('{dead_a}', '{}', 'sync_templates', '{{}}', 'dead', 10, 10, 'Graph API 500'),
                ('{dead_b}', '{}', 'send_email', '{{}}', 'dead', 10, 10, 'SMTP refused')",
        owner.tenant_id, other.tenant_id
    ))
    .await;
    for s in [&owner, &other] {
        let res = send(
            &app,
            Method::GET,
            "/api/v1/operator/jobs",
            Some(&s.access_token),
            Body::None,
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "an owner is not an operator"
        );
    }
    let res = send(&app, Method::GET, "/api/v1/operator/jobs", None, Body::None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let user = chorus_tenants::accounts::find_user_id(&app.state.store, &owner.email)
        .await
        .unwrap()
        .unwrap();
    chorus_tenants::accounts::make_operator(&app.state.store, user)
        .await
        .unwrap();
    let list = get_ok(&app, &owner, "/api/v1/operator/jobs").await;
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "across businesses");
    let b = items
        .iter()
        .find(|j| j["id"] == dead_b.to_string())
        .unwrap();
    assert_eq!(
        (
            b["job_type"].as_str(),
            b["last_error"].as_str(),
            b["attempts"].as_i64()
        ),
        (Some("send_email"), Some("SMTP refused"), Some(10))
    );
    let only = get_ok(
        &app,
        &owner,
        "/api/v1/operator/jobs?job_type=sync_templates",
    )
    .await;
    assert_eq!(ids(only["items"].as_array().unwrap()), [dead_a.to_string()]);

    let retried = expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/operator/jobs/{dead_a}/retry"),
            Some(&owner.access_token),
            Body::None,
        )
        .await,
        StatusCode::OK,
        "retry",
    )
    .await;
    assert_eq!(
        (retried["state"].as_str(), retried["attempts"].as_i64()),
        (Some("queued"), Some(0))
    );
    let left: Vec<Value> = get_ok(&app, &owner, "/api/v1/operator/jobs").await["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(ids(&left), [dead_b.to_string()]);
    // Not dead any more (or never a job): 404.
    for id in [dead_a, uuid::Uuid::now_v7()] {
        let res = send(
            &app,
            Method::POST,
            &format!("/api/v1/operator/jobs/{id}/retry"),
            Some(&owner.access_token),
            Body::None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = send(
        &app,
        Method::POST,
        "/api/v1/operator/jobs/not-a-uuid/retry",
        Some(&owner.access_token),
        Body::None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The other owner is still not an operator.
    let res = send(
        &app,
        Method::POST,
        &format!("/api/v1/operator/jobs/{dead_b}/retry"),
        Some(&other.access_token),
        Body::None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
