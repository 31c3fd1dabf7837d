//! Helpers shared by the business-resource tests (`resources.rs`, `people.rs`, `races.rs`):
//! requests that describe themselves when an assertion fails, error-shape checks, creation
//! shortcuts and list walking. Built on `common` (the harness).
#![allow(dead_code)]

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::common::{Session, TestApp};

pub mod fake_llm;
pub mod tiny_http;

/// A request body: none, JSON, or raw bytes sent as `application/json`.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(Value),
    Raw(String),
}

/// Any request; `token` adds a bearer header.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Body,
) -> Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    match body {
        Body::None => {}
        Body::Json(v) => req = req.json(&v),
        Body::Raw(s) => req = req.header("content-type", "application/json").body(s),
    }
    req.send().await.expect("request")
}

/// Assert the status and return the JSON body (or `Null` for an empty body, or the text of a
/// `text/csv` body as a string).
pub async fn expect(res: Response, status: StatusCode, ctx: &str) -> Value {
    let got = res.status();
    let csv = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "{ctx}: body {text}");
    if csv {
        Value::String(text)
    } else if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{ctx}: body is not JSON ({e}): {text}"))
    }
}

/// Assert `{"error": {"code", "message"}}` with this status and code; returns the body.
pub async fn expect_error(res: Response, status: StatusCode, code: &str, ctx: &str) -> Value {
    let got = res.status();
    let text = res.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("{ctx}: expected {status} {code}, got {got} with a non-JSON body ({e}): {text:?}")
    });
    assert_eq!(
        (got, body["error"]["code"].as_str().unwrap_or("<none>")),
        (status, code),
        "{ctx}: body {text}"
    );
    assert!(
        body["error"]["message"].is_string(),
        "{ctx}: no error.message in {text}"
    );
    body
}

/// `GET path` as `s` expecting 200.
pub async fn get_ok(app: &TestApp, s: &Session, path: &str) -> Value {
    let res = app.get(path, &s.access_token).await;
    expect(res, StatusCode::OK, &format!("GET {path}")).await
}

/// Every item of a list (one page of up to 200).
pub async fn list(app: &TestApp, s: &Session, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let page = get_ok(app, s, &format!("{path}{sep}limit=200")).await;
    assert!(
        page["next_cursor"].is_null(),
        "{path}: more than 200 items in a test?"
    );
    page["items"].as_array().unwrap().clone()
}

/// The ids of a list's items.
pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The item of `items` with this id.
pub fn find<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    items.iter().find(|i| i["id"] == id)
}

/// Walk a list `limit` at a time following `next_cursor`; returns the pages.
pub async fn pages(app: &TestApp, s: &Session, path: &str, limit: usize) -> Vec<Vec<Value>> {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let page = get_ok(app, s, &url).await;
        let items = page["items"].as_array().unwrap().clone();
        assert!(
            items.len() <= limit,
            "{url}: {} items on a page of {limit}",
            items.len()
        );
        out.push(items);
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert!(out.len() < 100, "{path}: the cursor never ends");
                cursor = Some(c.to_owned());
            }
            None => break,
        }
    }
    out
}

pub async fn create_tag(app: &TestApp, s: &Session, name: &str, colour: &str) -> Value {
    let res = app
        .post(
            "/api/v1/tags",
            Some(&s.access_token),
            json!({"name": name, "colour": colour}),
        )
        .await;
    expect(res, StatusCode::CREATED, &format!("create tag {name}")).await
}

pub async fn create_team(app: &TestApp, s: &Session, name: &str, member_ids: &[&str]) -> Value {
    let res = app
        .post(
            "/api/v1/teams",
            Some(&s.access_token),
            json!({"name": name, "member_ids": member_ids}),
        )
        .await;
    expect(res, StatusCode::CREATED, &format!("create team {name}")).await
}

pub async fn create_role(app: &TestApp, s: &Session, name: &str, permissions: &[&str]) -> Value {
    let res = app
        .post(
            "/api/v1/roles",
            Some(&s.access_token),
            json!({"name": name, "permissions": permissions}),
        )
        .await;
    expect(res, StatusCode::CREATED, &format!("create role {name}")).await
}

pub async fn invite(
    app: &TestApp,
    s: &Session,
    email: &str,
    role_id: &str,
    team_ids: &[&str],
) -> Value {
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&s.access_token),
            json!({"email": email, "role_id": role_id, "team_ids": team_ids}),
        )
        .await;
    expect(res, StatusCode::CREATED, &format!("invite {email}")).await
}

pub async fn patch(app: &TestApp, s: &Session, path: &str, body: Value) -> Response {
    app.call(Method::PATCH, path, Some(&s.access_token), Some(body))
        .await
}

pub async fn delete(app: &TestApp, s: &Session, path: &str) -> Response {
    app.call(Method::DELETE, path, Some(&s.access_token), None)
        .await
}

/// Everything a business shows its owner, for "unchanged" comparisons.
pub async fn snapshot(app: &TestApp, owner: &Session) -> Value {
    let mut out = serde_json::Map::new();
    for path in [
        "/api/v1/agents",
        "/api/v1/invitations",
        "/api/v1/roles",
        "/api/v1/teams",
        "/api/v1/tags",
        "/api/v1/audit-log",
    ] {
        out.insert(path.to_owned(), Value::Array(list(app, owner, path).await));
    }
    out.insert("me".into(), get_ok(app, owner, "/api/v1/me").await);
    Value::Object(out)
}
