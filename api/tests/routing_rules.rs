//! Routing rules and reassignment through the real server: every condition type matches and
//! does not match, the first matching rule wins, every action, validation errors (bad regex,
//! unknown types, other businesses' ids), a rule's team beats the number's default team with the
//! reason in the timeline, bot-handled conversations are not assigned, and conversations whose
//! assignee did not reply in time go to someone else. The HTTP contract (401/403/404/400/422/
//! 413) is in `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app};
use support::*;

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

async fn rule(app: &TestApp, s: &Session, body: Value) -> Value {
    expect(
        call(app, s, Method::POST, "/api/v1/routing/rules", body).await,
        StatusCode::CREATED,
        "create rule",
    )
    .await
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
    let items = list(app, s, "/api/v1/conversations?status=").await;
    items
        .into_iter()
        .find(|c| c["contact"]["wa_id"] == from && c["status"] != "resolved")
        .unwrap_or_else(|| panic!("no conversation with {from}"))
}

async fn reasons(app: &TestApp, s: &Session, conv: &Value) -> Vec<String> {
    let id = conv["id"].as_str().unwrap();
    list(app, s, &format!("/api/v1/conversations/{id}/messages"))
        .await
        .into_iter()
        .filter(|m| {
            m["content"]["action"] == "routing_rule" || m["content"]["action"] == "reassigned"
        })
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn tag_of(app: &TestApp, s: &Session, name: &str) -> String {
    create_tag(app, s, name, "#224466").await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn sandbox(app: &TestApp, s: &Session) -> String {
    list(app, s, "/api/v1/numbers").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One rule per condition: a matching first message gets the tag, another does not.
#[tokio::test]
async fn each_condition_matches_and_does_not_match() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let hit = tag_of(&app, &owner, "Hit").await;
    let tagged = |cond: Value| json!({"name": "C", "conditions": [cond], "actions": [{"type": "add_tag", "tag_id": hit}]});
    let number = sandbox(&app, &owner).await;
    let vip = tag_of(&app, &owner, "VIP").await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"type": "keywords", "keywords": ["reembolso", "money back"]}),
            "Quiero un REEMBOLSÓ ya",
            "Quiero un reembolsito",
        ),
        (
            json!({"type": "regex", "pattern": r"order\s*#?\d{4}"}),
            "where is ORDER #1234?",
            "where is my order?",
        ),
        (
            json!({"type": "language", "language": "es"}),
            "Hola, quiero saber el precio",
            "Hi, I want to know the price",
        ),
        (
            json!({"type": "number", "number_id": number}),
            "anything",
            "",
        ),
        (
            json!({"type": "business_hours", "when": "inside"}),
            "no schedule counts as inside",
            "",
        ),
    ];
    for (i, (cond, yes, no)) in cases.into_iter().enumerate() {
        let r = rule(&app, &owner, tagged(cond.clone())).await;
        let c = writes(&app, &owner, &format!("3461000{i}01"), yes).await;
        assert_eq!(
            c["tags"].as_array().unwrap().len(),
            1,
            "{cond} should match {yes:?}"
        );
        if !no.is_empty() {
            let c = writes(&app, &owner, &format!("3461000{i}02"), no).await;
            assert!(
                c["tags"].as_array().unwrap().is_empty(),
                "{cond} should not match {no:?}"
            );
        }
        expect(
            call(
                &app,
                &owner,
                Method::DELETE,
                &format!("/api/v1/routing/rules/{}", r["id"].as_str().unwrap()),
                Value::Null,
            )
            .await,
            StatusCode::NO_CONTENT,
            "delete",
        )
        .await;
    }
    // Outside hours: no schedule means open, so `outside` does not match.
    let r = rule(
        &app,
        &owner,
        tagged(json!({"type": "business_hours", "when": "outside"})),
    )
    .await;
    let c = writes(&app, &owner, "34610009001", "hola").await;
    assert!(c["tags"].as_array().unwrap().is_empty());
    call(
        &app,
        &owner,
        Method::DELETE,
        &format!("/api/v1/routing/rules/{}", r["id"].as_str().unwrap()),
        Value::Null,
    )
    .await;

    // Contact tag and attribute: a first conversation, the contact gets a tag and an attribute,
    // then a new conversation of the same contact matches; another contact does not.
    let first = writes(&app, &owner, "34610008001", "hola").await;
    let contact = first["contact"]["id"].as_str().unwrap();
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/contacts/{contact}/tags"),
            json!({"tag_ids": [vip]}),
        )
        .await,
        StatusCode::OK,
        "contact tag",
    )
    .await;
    app.run_sql(&format!("UPDATE contacts SET attributes = '{{\"plan\": \"Gold\", \"seats\": 5}}' WHERE id = '{contact}'")).await;
    app.run_sql("UPDATE conversations SET status = 'resolved', resolved_at = now()")
        .await;
    rule(
        &app,
        &owner,
        json!({"name": "VIP", "conditions": [
        {"type": "contact_tag", "tag_id": vip},
        {"type": "contact_attribute", "key": "plan", "value": "gold"},
        {"type": "contact_attribute", "key": "seats", "value": 5}
    ], "actions": [{"type": "add_tag", "tag_id": hit}]}),
    )
    .await;
    let again = writes(&app, &owner, "34610008001", "hola otra vez").await;
    assert_eq!(again["tags"].as_array().unwrap().len(), 1, "{again}");
    assert_eq!(
        reasons(&app, &owner, &again).await,
        ["Routing rule “VIP” added the tag Hit"]
    );
    let other = writes(&app, &owner, "34610008002", "hola").await;
    assert!(other["tags"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn ad_referral_matches_only_conversations_from_ads() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let hit = tag_of(&app, &owner, "From ad").await;
    rule(
        &app,
        &owner,
        json!({"name": "Ads", "conditions": [{"type": "ad_referral", "source_id": "120000001"}],
        "actions": [{"type": "add_tag", "tag_id": hit}]}),
    )
    .await;
    let pnid = chorus_tenants::numbers::sandbox_phone_number_id(owner.tenant_id.parse().unwrap());
    let ts = chrono::Utc::now().timestamp().to_string();
    for (wa, source) in [("34620000001", "120000001"), ("34620000002", "999")] {
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": pnid},
            "contacts": [{"profile": {"name": "Ad Person"}, "wa_id": wa}],
            "messages": [{"from": wa, "id": format!("wamid.{wa}"), "timestamp": ts, "type": "text", "text": {"body": "Vi el anuncio"},
                          "referral": {"source_id": source, "source_type": "ad", "source_url": "https://fb.me/ad"}}]}}]}]});
        expect(
            app.post_signed_webhook(&body).await,
            StatusCode::OK,
            "webhook",
        )
        .await;
    }
    let items = list(&app, &owner, "/api/v1/conversations").await;
    let tags_of = |wa: &str| {
        items.iter().find(|c| c["contact"]["wa_id"] == wa).unwrap()["tags"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((tags_of("34620000001"), tags_of("34620000002")), (1, 0));
    let plain = writes(&app, &owner, "34620000003", "Vi el anuncio").await;
    assert!(plain["tags"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn first_match_wins_and_every_action_applies() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let billing = create_team(&app, &owner, "Billing", &[&ana.membership_id]).await;
    let sales = create_team(&app, &owner, "Sales", &[&ana.membership_id]).await;
    let (billing, sales) = (
        billing["id"].as_str().unwrap(),
        sales["id"].as_str().unwrap(),
    );
    let vip = tag_of(&app, &owner, "VIP").await;
    let number = sandbox(&app, &owner).await;
    // The number's default team is Sales; a rule sends invoices to Billing.
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/numbers/{number}"),
            json!({"team_id": sales}),
        )
        .await,
        StatusCode::OK,
        "default team",
    )
    .await;
    let first = rule(&app, &owner, json!({"name": "Invoices", "conditions": [{"type": "keywords", "keywords": ["invoice"]}],
        "actions": [{"type": "set_team", "team_id": billing}, {"type": "add_tag", "tag_id": vip},
                    {"type": "set_priority", "priority": "high"}, {"type": "assign", "membership_id": ana.membership_id}]})).await;
    let second = rule(&app, &owner, json!({"name": "Bots", "conditions": [{"type": "keywords", "keywords": ["invoice", "menu"]}],
        "actions": [{"type": "bot"}]})).await;
    assert_eq!(
        (first["position"].as_i64(), second["position"].as_i64()),
        (Some(1), Some(2))
    );

    let c = writes(&app, &owner, "34630000001", "My invoice is wrong").await;
    assert_eq!(
        c["team_id"], billing,
        "the rule's team beats the number's default team"
    );
    assert_eq!(c["priority"], "high");
    assert_eq!(c["assignee_id"], ana.membership_id.as_str());
    assert_eq!(c["tags"][0]["name"], "VIP");
    assert_eq!(
        reasons(&app, &owner, &c).await,
        [
            "Routing rule “Invoices” set the team to Billing",
            "Routing rule “Invoices” added the tag VIP",
            "Routing rule “Invoices” set the priority to high",
            "Routing rule “Invoices” assigned the conversation to Member Person",
        ]
    );
    // The second rule handles "menu": the bot takes it and the default team stays.
    let m = writes(&app, &owner, "34630000002", "menu please").await;
    assert_eq!(m["team_id"], sales);
    assert_eq!(
        reasons(&app, &owner, &m).await,
        ["Routing rule “Bots” handed the conversation to the bot"]
    );
    // Reorder: Bots first, so an invoice now goes to the bot.
    let ordered = expect(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/routing/rules/order",
            json!({"ids": [second["id"], first["id"]]}),
        )
        .await,
        StatusCode::OK,
        "order",
    )
    .await;
    assert_eq!(ordered["items"][0]["name"], "Bots");
    let b = writes(&app, &owner, "34630000003", "invoice").await;
    assert!(b["assignee_id"].is_null());
    assert_eq!(reasons(&app, &owner, &b).await.len(), 1);
    // The number has no bot switched on, so a conversation handed to the bot falls back to
    // people: once the team has a mode, automatic assignment gives it out.
    expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/teams/{sales}"),
            json!({"assignment": "round_robin"}),
        )
        .await,
        StatusCode::OK,
        "mode",
    )
    .await;
    app.run_sql(&format!(
        "UPDATE memberships SET last_seen_at = now(), last_active_at = now() WHERE id = '{}'",
        ana.membership_id
    ))
    .await;
    app.drain_jobs().await;
    let items = list(&app, &owner, "/api/v1/conversations").await;
    let bot = items.iter().find(|c| c["id"] == m["id"]).unwrap();
    assert_eq!(bot["assignee_id"], ana.membership_id.as_str(), "{bot}");
    // Disabled rules are skipped.
    expect(
        call(
            &app,
            &owner,
            Method::PATCH,
            &format!("/api/v1/routing/rules/{}", second["id"].as_str().unwrap()),
            json!({"enabled": false}),
        )
        .await,
        StatusCode::OK,
        "disable",
    )
    .await;
    let d = writes(&app, &owner, "34630000004", "menu").await;
    assert!(reasons(&app, &owner, &d).await.is_empty());
    // A deleted team and tag: the rule's actions are skipped and ingest still works.
    expect(
        call(
            &app,
            &owner,
            Method::DELETE,
            &format!("/api/v1/teams/{billing}"),
            Value::Null,
        )
        .await,
        StatusCode::NO_CONTENT,
        "delete team",
    )
    .await;
    expect(
        call(
            &app,
            &owner,
            Method::DELETE,
            &format!("/api/v1/tags/{vip}"),
            Value::Null,
        )
        .await,
        StatusCode::NO_CONTENT,
        "delete tag",
    )
    .await;
    let e = writes(&app, &owner, "34630000005", "invoice again").await;
    assert_eq!(e["team_id"], sales);
    assert_eq!(
        reasons(&app, &owner, &e).await.len(),
        2,
        "priority and assignment only"
    );
}

#[tokio::test]
async fn rules_are_validated_and_other_businesses_ids_are_unknown() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let other = app.signup_owner("Beta", &email("other")).await;
    let theirs = create_team(&app, &other, "Theirs", &[&other.membership_id]).await;
    let their_tag = tag_of(&app, &other, "Theirs").await;
    let mine = tag_of(&app, &owner, "Mine").await;
    let ok_action = json!([{"type": "add_tag", "tag_id": mine}]);
    let bad = |conds: Value, actions: Value| json!({"name": "R", "conditions": conds, "actions": actions});
    for (body, field) in [
        (
            bad(
                json!([{"type": "regex", "pattern": "(unclosed"}]),
                ok_action.clone(),
            ),
            "conditions[0].pattern",
        ),
        (
            bad(
                json!([{"type": "regex", "pattern": r"\w{1000}{1000}"}]),
                ok_action.clone(),
            ),
            "conditions[0].pattern",
        ),
        (
            bad(
                json!([{"type": "keywords", "keywords": ["  "]}]),
                ok_action.clone(),
            ),
            "conditions[0].keywords",
        ),
        (
            bad(
                json!([{"type": "language", "language": "fr"}]),
                ok_action.clone(),
            ),
            "conditions[0].language",
        ),
        (
            bad(
                json!([{"type": "business_hours", "when": "later"}]),
                ok_action.clone(),
            ),
            "conditions[0].when",
        ),
        (
            bad(
                json!([{"type": "contact_tag", "tag_id": their_tag}]),
                ok_action.clone(),
            ),
            "conditions[0].tag_id",
        ),
        (
            bad(
                json!([{"type": "contact_attribute", "key": "k", "value": {"a": 1}}]),
                ok_action.clone(),
            ),
            "conditions[0].value",
        ),
        (
            bad(
                json!([]),
                json!([{"type": "set_team", "team_id": theirs["id"]}]),
            ),
            "actions[0].team_id",
        ),
        (
            bad(json!([]), json!([{"type": "add_tag", "tag_id": their_tag}])),
            "actions[0].tag_id",
        ),
        (
            bad(
                json!([]),
                json!([{"type": "assign", "membership_id": other.membership_id}]),
            ),
            "actions[0].membership_id",
        ),
        (
            bad(
                json!([]),
                json!([{"type": "set_priority", "priority": "asap"}]),
            ),
            "actions[0].priority",
        ),
        (bad(json!([]), json!([])), "actions"),
        (json!({"name": " ", "actions": ok_action}), "name"),
    ] {
        let err = expect_error(
            call(
                &app,
                &owner,
                Method::POST,
                "/api/v1/routing/rules",
                body.clone(),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("{body}"),
        )
        .await;
        assert!(err["error"]["fields"][field].is_string(), "{field}: {err}");
    }
    // Unknown condition types are a shape error.
    expect_error(
        call(
            &app,
            &owner,
            Method::POST,
            "/api/v1/routing/rules",
            bad(json!([{"type": "mood"}]), ok_action.clone()),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "unknown type",
    )
    .await;
    // Another business's rule is not found; the order must name every rule once.
    let r = rule(
        &app,
        &other,
        json!({"name": "Theirs", "actions": [{"type": "bot"}]}),
    )
    .await;
    let path = format!("/api/v1/routing/rules/{}", r["id"].as_str().unwrap());
    expect_error(
        call(
            &app,
            &owner,
            Method::PATCH,
            &path,
            json!({"enabled": false}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "their rule",
    )
    .await;
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            "/api/v1/routing/rules/order",
            json!({"ids": [r["id"]]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "their id in the order",
    )
    .await;
    assert_eq!(
        get_ok(&app, &other, "/api/v1/routing/rules").await["items"][0]["enabled"],
        true
    );
}

#[tokio::test]
async fn unanswered_conversations_are_reassigned_after_the_teams_minutes() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    app.run_sql(&format!("UPDATE users SET name = 'Ana' WHERE id = (SELECT user_id FROM memberships WHERE id = '{}')", ana.membership_id)).await;
    app.run_sql(&format!("UPDATE users SET name = 'Luis' WHERE id = (SELECT user_id FROM memberships WHERE id = '{}')", luis.membership_id)).await;
    let team = create_team(
        &app,
        &owner,
        "Support",
        &[&ana.membership_id, &luis.membership_id],
    )
    .await;
    let team = team["id"].as_str().unwrap();
    let number = sandbox(&app, &owner).await;
    call(
        &app,
        &owner,
        Method::PUT,
        &format!("/api/v1/routing/numbers/{number}"),
        json!({"team_id": team}),
    )
    .await;
    expect_error(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "round_robin", "reassign_after_minutes": 0}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "0 minutes",
    )
    .await;
    let v = expect(
        call(
            &app,
            &owner,
            Method::PUT,
            &format!("/api/v1/routing/teams/{team}"),
            json!({"assignment": "round_robin", "reassign_after_minutes": 5}),
        )
        .await,
        StatusCode::OK,
        "mode",
    )
    .await;
    assert_eq!(v["teams"][0]["reassign_after_minutes"], 5);
    // Only Ana is online: she gets the conversation.
    app.run_sql(&format!(
        "UPDATE memberships SET last_seen_at = now(), last_active_at = now() WHERE id = '{}'",
        ana.membership_id
    ))
    .await;
    writes(&app, &owner, "34640000001", "hola").await;
    app.drain_jobs().await;
    let c = writes(&app, &owner, "34640000001", "¿hola?").await;
    assert_eq!(c["assignee_id"], ana.membership_id.as_str());
    // Not yet late: nothing moves.
    assert_eq!(
        chorus_tenants::routing::reassign_stale(&app.state.store)
            .await
            .unwrap(),
        0
    );
    // Six minutes late, but nobody else is online: it stays with Ana.
    app.run_sql("UPDATE conversations SET waiting_since = now() - interval '6 minutes', assigned_at = now() - interval '6 minutes'").await;
    assert_eq!(
        chorus_tenants::routing::reassign_stale(&app.state.store)
            .await
            .unwrap(),
        0
    );
    // Luis comes online: the sweep gives it to him, with the reason.
    app.run_sql(&format!(
        "UPDATE memberships SET last_seen_at = now(), last_active_at = now() WHERE id = '{}'",
        luis.membership_id
    ))
    .await;
    assert_eq!(
        chorus_tenants::routing::reassign_stale(&app.state.store)
            .await
            .unwrap(),
        1
    );
    let c = writes(&app, &owner, "34640000001", "???").await;
    assert_eq!(c["assignee_id"], luis.membership_id.as_str());
    assert_eq!(
        reasons(&app, &owner, &c).await,
        ["Chorus reassigned the conversation: Ana did not reply within 5 minutes"]
    );
    // Just reassigned: Luis's own clock starts now.
    assert_eq!(
        chorus_tenants::routing::reassign_stale(&app.state.store)
            .await
            .unwrap(),
        0
    );
    // Turned off: nothing is reassigned.
    call(
        &app,
        &owner,
        Method::PUT,
        &format!("/api/v1/routing/teams/{team}"),
        json!({"assignment": "round_robin", "reassign_after_minutes": null}),
    )
    .await;
    app.run_sql("UPDATE conversations SET waiting_since = now() - interval '60 minutes', assigned_at = now() - interval '60 minutes'").await;
    assert_eq!(
        chorus_tenants::routing::reassign_stale(&app.state.store)
            .await
            .unwrap(),
        0
    );
}
