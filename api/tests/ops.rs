//! Operations surface: health, readiness, metrics, OpenAPI and its docs page, request ids,
//! security headers, unknown routes, the portal fallback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{email, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.signup_owner("Acme", &email("owner")).await;
    let body = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("chorus_http_requests_total"), "{body}");
    assert!(
        body.contains("chorus_http_request_duration_seconds_bucket"),
        "{body}"
    );
    assert!(body.contains("route=\"/api/v1/signup\""), "{body}");
}

#[tokio::test]
async fn readiness_fails_when_migrations_are_behind() {
    let app = spawn_app().await;
    use diesel_async::SimpleAsyncConnection;
    let mut conn = app.db.superuser().await;
    conn.batch_execute("DELETE FROM __diesel_schema_migrations")
        .await
        .unwrap();
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
}

#[tokio::test]
async fn openapi_and_docs_page() {
    let app = spawn_app().await;
    let spec: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/signup",
        "/auth/login",
        "/auth/refresh",
        "/me",
        "/tags",
        "/tags/{id}",
        "/roles",
        "/teams",
        "/invitations",
        "/agents/{id}",
        "/audit-log",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"), "{html}");
    // The page's assets are served locally (works offline).
    let res = app
        .client
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_ids_security_headers_and_unknown_routes() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let headers = res.headers().clone();
    assert!(headers.get("x-request-id").is_some());
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert!(headers.get("content-security-policy").is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    // Portal routes fall back to the app (or to the "not built" page): never a 404.
    let res = app
        .client
        .get(app.url("/settings/tags"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}
