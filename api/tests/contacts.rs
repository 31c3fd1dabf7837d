//! Contact profiles end to end: editing with attribute and opt-in rules, the directory list,
//! creating by hand, blocking (inbound kept but quiet, sends refused), merging duplicates, CSV
//! import with progress and per-row errors, and export → import round trips between businesses.
//! The HTTP contract of each endpoint (401/403/404/400/422/413) is in `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app};
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

/// Every conversation of the business, any status.
async fn conversations(app: &TestApp, s: &Session) -> Vec<Value> {
    let mut all = list(app, s, "/api/v1/conversations").await;
    all.extend(list(app, s, "/api/v1/conversations?status=resolved").await);
    all
}

async fn conversation_with(app: &TestApp, s: &Session, wa_id: &str) -> Value {
    conversations(app, s)
        .await
        .into_iter()
        .find(|c| c["contact"]["wa_id"] == wa_id)
        .unwrap_or_else(|| panic!("no conversation with {wa_id}"))
}

async fn contact_of(app: &TestApp, s: &Session, wa_id: &str) -> String {
    conversation_with(app, s, wa_id).await["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn phone_thread(app: &TestApp, s: &Session, from: &str) -> Vec<Value> {
    get_ok(app, s, &format!("/api/v1/sandbox/messages?from={from}")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn import_csv(app: &TestApp, s: &Session, csv: &[u8]) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/contacts/imports?filename=people.csv"))
        .bearer_auth(&s.access_token)
        .header("content-type", "text/csv")
        .body(csv.to_vec())
        .send()
        .await
        .unwrap()
}

async fn export(app: &TestApp, s: &Session) -> String {
    let res = app.get("/api/v1/contacts/export", &s.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    res.text().await.unwrap()
}

#[tokio::test]
async fn profile_edits_attributes_and_opt_in() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    customer_writes(&app, &owner, "34600100001", "hola").await;
    let id = contact_of(&app, &owner, "34600100001").await;
    let path = format!("/api/v1/contacts/{id}");

    let fresh = get_ok(&app, &owner, &path).await;
    assert_eq!(fresh["name"], "Customer 34600100001");
    assert_eq!(fresh["custom_name"], Value::Null);
    assert_eq!(fresh["attributes"], json!({}));
    assert_eq!(fresh["opt_in"]["state"], "unknown");
    assert_eq!(fresh["blocked"], false);
    assert_eq!(fresh["conversations"].as_array().unwrap().len(), 1);

    // An edit: the agent-set name wins over the profile name everywhere.
    let edited = expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &path,
            json!({
                "name": "  Carla Gómez ", "email": "Carla@Example.com", "notes": "Prefers mornings",
                "attributes": {"plan": "gold", "seats": 3, "vip": true},
            }),
        )
        .await,
        StatusCode::OK,
        "edit",
    )
    .await;
    assert_eq!(edited["name"], "Carla Gómez");
    assert_eq!(edited["custom_name"], "Carla Gómez");
    assert_eq!(edited["profile_name"], "Customer 34600100001");
    assert_eq!(edited["email"], "carla@example.com");
    assert_eq!(edited["notes"], "Prefers mornings");
    assert_eq!(
        edited["attributes"],
        json!({"plan": "gold", "seats": 3, "vip": true})
    );
    assert_eq!(
        conversation_with(&app, &owner, "34600100001").await["contact"]["name"],
        "Carla Gómez"
    );
    // Routing rules read attributes with ->>: the stored shape is a flat object of scalars.
    // An empty name gives the profile name back; attributes are replaced as a whole.
    let cleared = expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &path,
            json!({"name": "", "attributes": {"plan": "silver"}}),
        )
        .await,
        StatusCode::OK,
        "clear name",
    )
    .await;
    assert_eq!(cleared["name"], "Customer 34600100001");
    assert_eq!(cleared["custom_name"], Value::Null);
    assert_eq!(cleared["attributes"], json!({"plan": "silver"}));
    assert_eq!(
        cleared["email"], "carla@example.com",
        "untouched fields stay"
    );

    // Validation: 422 naming the field; nothing changes.
    let many: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
    let mut long_key = serde_json::Map::new();
    long_key.insert("k".repeat(41), json!("x"));
    for (body, field) in [
        (json!({"attributes": {"Plan": "x"}}), "attributes"),
        (json!({"attributes": {"a-b": "x"}}), "attributes"),
        (json!({"attributes": {"k": {"nested": 1}}}), "attributes"),
        (json!({"attributes": {"k": [1, 2]}}), "attributes"),
        (json!({"attributes": {"k": null}}), "attributes"),
        (json!({"attributes": {"k": "x".repeat(501)}}), "attributes"),
        (json!({"attributes": long_key}), "attributes"),
        (json!({"attributes": Value::Object(many)}), "attributes"),
        (json!({"attributes": "plan=gold"}), "attributes"),
        (json!({"email": "not-an-email"}), "email"),
        (json!({"opt_in": "maybe"}), "opt_in"),
        (json!({"name": "n".repeat(201)}), "name"),
    ] {
        let err = expect_error(
            call(&app, &owner, Method::PATCH, &path, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("PATCH {body}"),
        )
        .await;
        assert!(err["error"]["fields"][field].is_string(), "{body}: {err}");
    }
    assert_eq!(
        get_ok(&app, &owner, &path).await["attributes"],
        json!({"plan": "silver"})
    );

    // Opt-in: the state, when and where it changed; the same state again changes nothing.
    let opted = expect(
        call(
            &app,
            &agent,
            Method::PATCH,
            &path,
            json!({"opt_in": "opted_in"}),
        )
        .await,
        StatusCode::OK,
        "agent opts in",
    )
    .await;
    assert_eq!(opted["opt_in"]["state"], "opted_in");
    assert_eq!(opted["opt_in"]["source"], "agent");
    let at = opted["opt_in"]["changed_at"].as_str().unwrap().to_owned();
    let again = expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &path,
            json!({"opt_in": "opted_in"}),
        )
        .await,
        StatusCode::OK,
        "same state",
    )
    .await;
    assert_eq!(again["opt_in"]["changed_at"], at.as_str());
    let out = expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &path,
            json!({"opt_in": "opted_out"}),
        )
        .await,
        StatusCode::OK,
        "opt out",
    )
    .await;
    assert_eq!(out["opt_in"]["state"], "opted_out");
    assert_ne!(out["opt_in"]["changed_at"], at.as_str());

    // The directory is business-wide: agents may not list or create.
    for (method, p, body) in [
        (Method::GET, "/api/v1/contacts", Value::Null),
        (
            Method::POST,
            "/api/v1/contacts",
            json!({"phone": "+34600100009"}),
        ),
    ] {
        expect_error(
            call(&app, &agent, method, p, body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            p,
        )
        .await;
    }

    // Create by hand, then search and filter the directory.
    let made = expect(
        call(
            &app,
            &owner,
            Method::POST,
            "/api/v1/contacts",
            json!({
                "phone": "+1 (415) 555-0100", "name": "Bob Smith", "opt_in": "opted_in",
                "attributes": {"city": "SF"},
            }),
        )
        .await,
        StatusCode::CREATED,
        "create",
    )
    .await;
    assert_eq!(made["wa_id"], "14155550100");
    assert_eq!(made["opt_in"]["state"], "opted_in");
    assert_eq!(made["conversations"], json!([]));
    expect_error(
        call(
            &app,
            &owner,
            Method::POST,
            "/api/v1/contacts",
            json!({"phone": "14155550100"}),
        )
        .await,
        StatusCode::CONFLICT,
        "contact_exists",
        "same number",
    )
    .await;
    for phone in ["12345", "+34 600 abc", "0034600111222", ""] {
        let err = expect_error(
            call(
                &app,
                &owner,
                Method::POST,
                "/api/v1/contacts",
                json!({"phone": phone}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            phone,
        )
        .await;
        assert!(err["error"]["fields"]["phone"].is_string());
    }
    let vip = create_tag(&app, &owner, "VIP", "#ff0000").await;
    let vip_id = vip["id"].as_str().unwrap();
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/contacts/{}/tags", made["id"].as_str().unwrap()),
            json!({"tag_ids": [vip_id]}),
        )
        .await,
        StatusCode::OK,
        "tag",
    )
    .await;
    let names = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        names(list(&app, &owner, "/api/v1/contacts").await),
        ["Bob Smith", "Customer 34600100001"],
        "newest first"
    );
    assert_eq!(
        names(list(&app, &owner, "/api/v1/contacts?q=bob").await),
        ["Bob Smith"]
    );
    assert_eq!(
        names(list(&app, &owner, "/api/v1/contacts?q=555-01").await),
        ["Bob Smith"]
    );
    assert_eq!(
        names(list(&app, &owner, "/api/v1/contacts?q=carla%40example").await),
        ["Customer 34600100001"]
    );
    assert_eq!(
        names(list(&app, &owner, &format!("/api/v1/contacts?tag_id={vip_id}")).await),
        ["Bob Smith"]
    );
    assert!(
        list(&app, &owner, "/api/v1/contacts?blocked=true")
            .await
            .is_empty()
    );
    assert!(
        list(&app, &owner, "/api/v1/contacts?q=%25")
            .await
            .is_empty()
    );
    let pages = pages(&app, &owner, "/api/v1/contacts", 1).await;
    assert_eq!(pages.len(), 2);
}

#[tokio::test]
async fn blocked_customers_are_stored_but_wake_nothing() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    // Open all week with a greeting for new conversations; new conversations go to Ana.
    let all_week: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "start": "00:00", "end": "00:00"}))
        .collect();
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/business-hours",
            json!({
                "periods": all_week, "greeting_enabled": true, "greeting_text": "Hi there!",
                "away_enabled": true, "away_text": "Closed.",
            }),
        )
        .await,
        StatusCode::OK,
        "hours",
    )
    .await;
    let team = create_team(&app, &owner, "Front", &[&ana.membership_id]).await;
    let team = team["id"].as_str().unwrap();
    let sandbox = list(&app, &owner, "/api/v1/numbers").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (p, body) in [
        (
            format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "round_robin"}),
        ),
        (
            format!("/api/v1/routing/numbers/{sandbox}"),
            json!({"team_id": team}),
        ),
    ] {
        expect(
            call(&app, &owner, Method::PUT, &p, body).await,
            StatusCode::OK,
            &p,
        )
        .await;
    }
    app.run_sql(&format!(
        "UPDATE memberships SET last_seen_at = now(), last_active_at = now() WHERE id = '{}'",
        ana.membership_id
    ))
    .await;

    let phone = "34600200001";
    customer_writes(&app, &owner, phone, "hola").await;
    app.drain_jobs().await;
    let conv = conversation_with(&app, &owner, phone).await;
    let c = conv["id"].as_str().unwrap().to_owned();
    assert_eq!(conv["assignee_id"], ana.membership_id.as_str());
    let greeted = |thread: &[Value]| {
        thread
            .iter()
            .filter(|m| m["direction"] == "outbound")
            .count()
    };
    assert_eq!(greeted(&phone_thread(&app, &owner, phone).await), 1);
    let contact = conv["contact"]["id"].as_str().unwrap().to_owned();
    let told = list(&app, &ana, "/api/v1/notifications").await.len();

    // Agents may not block; a supervisor may (twice is the same).
    let block = format!("/api/v1/contacts/{contact}/block");
    expect_error(
        call(&app, &ana, Method::POST, &block, Value::Null).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent blocks",
    )
    .await;
    let sup = app.add_member(&owner, &email("sup"), "supervisor").await;
    let blocked = expect(
        call(&app, &sup, Method::POST, &block, Value::Null).await,
        StatusCode::OK,
        "block",
    )
    .await;
    assert_eq!(blocked["blocked"], true);
    assert_eq!(blocked["blocked_by"], sup.membership_id.as_str());
    let again = expect(
        call(&app, &owner, Method::POST, &block, Value::Null).await,
        StatusCode::OK,
        "block again",
    )
    .await;
    assert_eq!(again["blocked_at"], blocked["blocked_at"]);
    assert_eq!(again["blocked_by"], sup.membership_id.as_str());
    let timeline = list(&app, &owner, &format!("/api/v1/conversations/{c}/messages")).await;
    assert!(
        timeline
            .iter()
            .any(|m| m["content"]["action"] == "contact_blocked"),
        "{timeline:?}"
    );
    let audit = list(&app, &owner, "/api/v1/audit-log").await;
    assert!(
        audit
            .iter()
            .any(|a| a["action"] == "contact.blocked" && a["target_id"] == contact.as_str())
    );
    assert_eq!(
        ids(&list(&app, &owner, "/api/v1/contacts?blocked=true").await),
        vec![contact.as_str()]
    );

    // Sends are refused, templates included.
    expect_error(
        call(
            &app,
            &owner,
            Method::POST,
            &format!("/api/v1/conversations/{c}/messages"),
            json!({"text": "hello?"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "contact_blocked",
        "send to blocked",
    )
    .await;

    // Resolved, then the customer writes again: stored in the same conversation, which stays
    // resolved, unassigned changes none, no greeting, no new conversation.
    expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &format!("/api/v1/conversations/{c}"),
            json!({"status": "resolved"}),
        )
        .await,
        StatusCode::OK,
        "resolve",
    )
    .await;
    let assignee = conversation_with(&app, &owner, phone).await["assignee_id"].clone();
    customer_writes(&app, &owner, phone, "still there?").await;
    app.drain_jobs().await;
    let all: Vec<Value> = conversations(&app, &owner)
        .await
        .into_iter()
        .filter(|x| x["contact"]["id"] == contact.as_str())
        .collect();
    assert_eq!(all.len(), 1, "no new conversation: {all:?}");
    assert_eq!(all[0]["status"], "resolved");
    assert_eq!(all[0]["assignee_id"], assignee);
    assert_eq!(
        greeted(&phone_thread(&app, &owner, phone).await),
        1,
        "no greeting"
    );
    let timeline = list(&app, &owner, &format!("/api/v1/conversations/{c}/messages")).await;
    assert!(
        timeline
            .iter()
            .any(|m| m["body"] == "still there?" && m["direction"] == "inbound"),
        "the message is kept"
    );

    // A blocked customer who never wrote: their first message lands in a resolved conversation
    // that nobody is assigned.
    let made = expect(
        call(
            &app,
            &owner,
            Method::POST,
            "/api/v1/contacts",
            json!({"phone": "+34 600 200 002"}),
        )
        .await,
        StatusCode::CREATED,
        "create",
    )
    .await;
    let other = made["id"].as_str().unwrap();
    expect(
        call(
            &app,
            &owner,
            Method::POST,
            &format!("/api/v1/contacts/{other}/block"),
            Value::Null,
        )
        .await,
        StatusCode::OK,
        "block",
    )
    .await;
    customer_writes(&app, &owner, "34600200002", "spam").await;
    app.drain_jobs().await;
    let quiet = conversation_with(&app, &owner, "34600200002").await;
    assert_eq!(quiet["status"], "resolved");
    assert_eq!(quiet["assignee_id"], Value::Null);
    assert_eq!(quiet["unread_count"], 0);
    assert_eq!(greeted(&phone_thread(&app, &owner, "34600200002").await), 0);
    let notifications = list(&app, &ana, "/api/v1/notifications").await;
    assert_eq!(
        notifications.len(),
        told,
        "nobody was told: {notifications:?}"
    );

    // Unblocked: the next message opens a conversation as usual.
    let unblocked = expect(
        call(&app, &owner, Method::DELETE, &block, Value::Null).await,
        StatusCode::OK,
        "unblock",
    )
    .await;
    assert_eq!(unblocked["blocked"], false);
    assert_eq!(unblocked["blocked_by"], Value::Null);
    customer_writes(&app, &owner, phone, "back").await;
    app.drain_jobs().await;
    let open: Vec<Value> = conversations(&app, &owner)
        .await
        .into_iter()
        .filter(|x| x["contact"]["id"] == contact.as_str() && x["status"] == "open")
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(
        greeted(&phone_thread(&app, &owner, phone).await),
        2,
        "greeted again"
    );
    assert!(
        list(&app, &owner, "/api/v1/audit-log")
            .await
            .iter()
            .any(|a| a["action"] == "contact.unblocked")
    );
}

#[tokio::test]
async fn merging_duplicates() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let other = app.signup_owner("Beta", &email("beta")).await;
    customer_writes(&app, &owner, "34600300001", "first").await;
    customer_writes(&app, &owner, "34600300002", "second").await;
    let target = contact_of(&app, &owner, "34600300001").await;
    let from = contact_of(&app, &owner, "34600300002").await;
    let older = conversation_with(&app, &owner, "34600300001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let newer = conversation_with(&app, &owner, "34600300002").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t1 = create_tag(&app, &owner, "Gold", "#ffd700").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t2 = create_tag(&app, &owner, "Spain", "#aa0000").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (id, tags, changes) in [
        (
            &target,
            json!([t1]),
            json!({"attributes": {"plan": "gold", "a": 1}, "name": "Carla"}),
        ),
        (
            &from,
            json!([t1, t2]),
            json!({"attributes": {"plan": "silver", "b": true}, "email": "carla@example.com", "opt_in": "opted_in", "notes": "Old notes"}),
        ),
    ] {
        expect(
            call(
                &app,
                &owner,
                Method::PUT,
                &format!("/api/v1/contacts/{id}/tags"),
                json!({"tag_ids": tags}),
            )
            .await,
            StatusCode::OK,
            "tags",
        )
        .await;
        expect(
            call(
                &app,
                &owner,
                Method::PATCH,
                &format!("/api/v1/contacts/{id}"),
                changes,
            )
            .await,
            StatusCode::OK,
            "edit",
        )
        .await;
    }
    // The target knows the customer only by their business-scoped id: it takes the number.
    app.run_sql(&format!(
        "UPDATE contacts SET bsuid = 'ES.123', wa_id = NULL WHERE id = '{target}'"
    ))
    .await;

    // The duplicates hint finds the same name.
    expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &format!("/api/v1/contacts/{from}"),
            json!({"name": "carla "}),
        )
        .await,
        StatusCode::OK,
        "rename",
    )
    .await;
    let dups = get_ok(
        &app,
        &owner,
        &format!("/api/v1/contacts/{target}/duplicates"),
    )
    .await;
    assert_eq!(ids(dups["items"].as_array().unwrap()), vec![from.as_str()]);

    let merge = format!("/api/v1/contacts/{target}/merge");
    // Into itself: 422. Another business's contact, either side: 404.
    expect_error(
        call(&app, &owner, Method::POST, &merge, json!({"from": target})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "merge_same_contact",
        "self merge",
    )
    .await;
    customer_writes(&app, &other, "34600300009", "hi").await;
    let theirs = contact_of(&app, &other, "34600300009").await;
    expect_error(
        call(&app, &owner, Method::POST, &merge, json!({"from": theirs})).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "from another business",
    )
    .await;
    expect_error(
        call(
            &app,
            &owner,
            Method::POST,
            &format!("/api/v1/contacts/{theirs}/merge"),
            json!({"from": from}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "into another business's contact",
    )
    .await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    expect_error(
        call(&app, &agent, Method::POST, &merge, json!({"from": from})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent merges",
    )
    .await;

    let merged = expect(
        call(&app, &owner, Method::POST, &merge, json!({"from": from})).await,
        StatusCode::OK,
        "merge",
    )
    .await;
    assert_eq!(merged["id"], target.as_str());
    assert_eq!(
        merged["wa_id"], "34600300002",
        "the duplicate's number, as the target had none"
    );
    assert_eq!(merged["bsuid"], "ES.123");
    assert_eq!(merged["name"], "Carla");
    assert_eq!(merged["email"], "carla@example.com");
    assert_eq!(merged["notes"], "Old notes");
    assert_eq!(merged["opt_in"]["state"], "opted_in");
    assert_eq!(
        merged["attributes"],
        json!({"plan": "gold", "a": 1, "b": true}),
        "target wins"
    );
    let tag_names: Vec<&str> = merged["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tag_names, ["Gold", "Spain"]);
    // Both conversations are the target's; the older of the two open ones was resolved.
    let convs = merged["conversations"].as_array().unwrap();
    assert_eq!(convs.len(), 2);
    let status_of = |id: &str| convs.iter().find(|c| c["id"] == id).unwrap()["status"].clone();
    assert_eq!(status_of(&older), "resolved");
    assert_eq!(status_of(&newer), "open");
    let timeline = list(
        &app,
        &owner,
        &format!("/api/v1/conversations/{older}/messages"),
    )
    .await;
    assert!(
        timeline
            .iter()
            .any(|m| m["content"]["action"] == "resolved_by_merge")
    );
    let timeline = list(
        &app,
        &owner,
        &format!("/api/v1/conversations/{newer}/messages"),
    )
    .await;
    assert!(
        timeline
            .iter()
            .any(|m| m["content"]["action"] == "contact_merged")
    );
    // Messages stay with their conversations and name the merged customer.
    let said = timeline.iter().find(|m| m["body"] == "second").unwrap();
    assert_eq!(said["sender_id"], target.as_str());
    assert_eq!(said["sender_name"], "Carla");
    // The duplicate is gone; the audit log keeps both as they were.
    expect_error(
        app.get(&format!("/api/v1/contacts/{from}"), &owner.access_token)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "merged contact",
    )
    .await;
    let audit = list(&app, &owner, "/api/v1/audit-log").await;
    let entry = audit
        .iter()
        .find(|a| a["action"] == "contact.merged")
        .unwrap();
    assert_eq!(entry["before"]["from"]["id"], from.as_str());
    // The customer writes again: the open conversation takes it.
    customer_writes(&app, &owner, "34600300002", "third").await;
    let after = get_ok(&app, &owner, &format!("/api/v1/contacts/{target}")).await;
    assert_eq!(after["conversations"].as_array().unwrap().len(), 2);
    // The other business is untouched.
    assert_eq!(list(&app, &other, "/api/v1/contacts").await.len(), 1);
}

#[tokio::test]
async fn csv_import_with_progress_and_row_errors() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    customer_writes(&app, &owner, "34600400001", "hola").await;
    let existing = contact_of(&app, &owner, "34600400001").await;
    expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &format!("/api/v1/contacts/{existing}"),
            json!({"attributes": {"plan": "gold", "seats": 2}}),
        )
        .await,
        StatusCode::OK,
        "attributes",
    )
    .await;

    // Malformed files are refused at upload and create nothing.
    for (body, what) in [
        (&b"name,email\nAna,ana@example.com\n"[..], "no phone column"),
        (&b"phone,colour\n34600400002,red\n"[..], "unknown column"),
        (
            &b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"[..],
            "not text",
        ),
        (&b""[..], "empty"),
    ] {
        expect_error(
            import_csv(&app, &owner, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_invalid",
            what,
        )
        .await;
    }
    let res = app
        .client
        .post(app.url("/api/v1/contacts/imports"))
        .bearer_auth(&owner.access_token)
        .header("content-type", "application/pdf")
        .body("%PDF")
        .send()
        .await
        .unwrap();
    expect_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "pdf",
    )
    .await;
    let big = vec![b'1'; 5 * 1024 * 1024 + 1];
    expect_error(
        import_csv(&app, &owner, &big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "6 MB",
    )
    .await;

    // 600 good new rows (two batches), one update of an existing contact, and bad rows.
    let mut csv = String::from("\u{feff}Phone,Name,Email,Tags,Opt_In,attr:plan,attr:seats\n");
    csv.push_str("+34 600 400 001,Carla,carla@example.com,VIP|Spain,yes,,5\n"); // line 2: update
    csv.push_str("12345,Too short,,,,,\n"); // line 3
    csv.push_str("34600400003,Bad mail,nope,,,,\n"); // line 4
    csv.push_str("34600400004,Bad opt,,,maybe,,\n"); // line 5
    csv.push_str(",No phone,,,,,\n"); // line 6
    csv.push_str(&format!("34600400005,Long,,,,{},\n", "x".repeat(501))); // line 7
    csv.push_str("\"34600400006\",\"Quoted, with comma\",,vip,opted_out,silver,\n"); // line 8
    for i in 0..600 {
        csv.push_str(&format!("3461{i:07},Person {i},,,,,\n"));
    }
    let started = expect(
        import_csv(&app, &owner, csv.as_bytes()).await,
        StatusCode::ACCEPTED,
        "import",
    )
    .await;
    assert_eq!(started["status"], "queued");
    assert_eq!(started["total"], 607);
    assert_eq!(started["processed"], 0);
    assert_eq!(started["filename"], "people.csv");
    let id = started["id"].as_str().unwrap();
    app.drain_jobs().await;
    let done = get_ok(&app, &owner, &format!("/api/v1/contacts/imports/{id}")).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (
            &done["processed"],
            &done["created"],
            &done["updated"],
            &done["failed"]
        ),
        (&json!(607), &json!(601), &json!(1), &json!(5)),
        "{done}"
    );
    assert!(done["finished_at"].is_string());
    let errors = done["errors"].as_array().unwrap();
    let rows: Vec<i64> = errors.iter().map(|e| e["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, [3, 4, 5, 6, 7], "{errors:?}");
    assert!(
        errors[1]["message"].as_str().unwrap().contains("email"),
        "{errors:?}"
    );

    // The update merged attributes (the empty cell left plan alone), added tags, opted in.
    let carla = get_ok(&app, &owner, &format!("/api/v1/contacts/{existing}")).await;
    assert_eq!(carla["name"], "Carla");
    assert_eq!(carla["email"], "carla@example.com");
    assert_eq!(carla["attributes"], json!({"plan": "gold", "seats": 5}));
    assert_eq!(carla["opt_in"]["state"], "opted_in");
    assert_eq!(carla["opt_in"]["source"], "import");
    let tag_names: Vec<&str> = carla["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tag_names, ["Spain", "VIP"]);
    // Tags are matched by name, case aside: "vip" is the VIP the import created.
    let quoted = list(&app, &owner, "/api/v1/contacts?q=34600400006").await;
    assert_eq!(quoted[0]["name"], "Quoted, with comma");
    assert_eq!(quoted[0]["opt_in"], "opted_out");
    assert_eq!(quoted[0]["tags"][0]["name"], "VIP");
    assert_eq!(list(&app, &owner, "/api/v1/tags").await.len(), 2);
    let everyone: usize = pages(&app, &owner, "/api/v1/contacts", 200)
        .await
        .iter()
        .map(Vec::len)
        .sum();
    assert_eq!(everyone, 602);

    // Multipart works too; an import of another business is 404.
    let boundary = "chorusboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"more.csv\"\r\nContent-Type: text/csv\r\n\r\nphone,name\n34600400099,Multi Part\n\r\n--{boundary}--\r\n"
    );
    let res = app
        .client
        .post(app.url("/api/v1/contacts/imports"))
        .bearer_auth(&owner.access_token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let multi = expect(res, StatusCode::ACCEPTED, "multipart").await;
    assert_eq!(multi["filename"], "more.csv");
    assert_eq!(multi["total"], 1);
    app.drain_jobs().await;
    assert_eq!(
        list(&app, &owner, "/api/v1/contacts?q=Multi").await.len(),
        1
    );
    let other = app.signup_owner("Beta", &email("beta")).await;
    expect_error(
        app.get(
            &format!("/api/v1/contacts/imports/{id}"),
            &other.access_token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "other business",
    )
    .await;
}

#[tokio::test]
async fn export_then_import_elsewhere_gives_the_same_contacts() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    customer_writes(&app, &a, "34600500001", "hola").await;
    let first = contact_of(&app, &a, "34600500001").await;
    let vip = create_tag(&app, &a, "VIP", "#ff0000").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let north = create_tag(&app, &a, "North, East", "#00ff00").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(call(&app, &a, Method::PATCH, &format!("/api/v1/contacts/{first}"), json!({
        "name": "Ana \"la jefa\" Pérez", "email": "ana@example.com", "opt_in": "opted_out",
        "notes": "Line one\nLine two", "attributes": {"plan": "gold", "seats": 3, "vip": true, "zip": "007"},
    })).await, StatusCode::OK, "edit").await;
    expect(
        call(
            &app,
            &a,
            Method::PUT,
            &format!("/api/v1/contacts/{first}/tags"),
            json!({"tag_ids": [vip, north]}),
        )
        .await,
        StatusCode::OK,
        "tags",
    )
    .await;
    expect(
        call(
            &app,
            &a,
            Method::POST,
            "/api/v1/contacts",
            json!({"phone": "+1 415 555 0100", "name": "Bob", "attributes": {"city": "SF"}}),
        )
        .await,
        StatusCode::CREATED,
        "bob",
    )
    .await;

    let exported = export(&app, &a).await;
    let mut lines = exported.lines();
    assert_eq!(
        lines.next().unwrap(),
        "phone,name,email,tags,opt_in,notes,attr:city,attr:plan,attr:seats,attr:vip,attr:zip"
    );
    assert!(exported.contains("34600500001,\"Ana \"\"la jefa\"\" Pérez\",ana@example.com,\"North, East|VIP\",opted_out,\"Line one\nLine two\",,gold,3,true,007"), "{exported}");
    assert!(
        exported.contains("14155550100,Bob,,,unknown,,SF,,,,"),
        "{exported}"
    );

    let started = expect(
        import_csv(&app, &b, exported.as_bytes()).await,
        StatusCode::ACCEPTED,
        "import",
    )
    .await;
    app.drain_jobs().await;
    let done = get_ok(
        &app,
        &b,
        &format!(
            "/api/v1/contacts/imports/{}",
            started["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        (&done["created"], &done["failed"]),
        (&json!(2), &json!(0)),
        "{done}"
    );
    assert_eq!(export(&app, &b).await, exported, "the same contacts");
    let ana = list(&app, &b, "/api/v1/contacts?q=34600500001").await;
    let ana = get_ok(
        &app,
        &b,
        &format!("/api/v1/contacts/{}", ana[0]["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        ana["attributes"],
        json!({"plan": "gold", "seats": 3, "vip": true, "zip": "007"})
    );
    // A's directory is unchanged by B's import.
    assert_eq!(list(&app, &a, "/api/v1/contacts").await.len(), 2);
    // Agents may not export.
    let agent = app.add_member(&a, &email("agent"), "agent").await;
    expect_error(
        app.get("/api/v1/contacts/export", &agent.access_token)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent export",
    )
    .await;
}
