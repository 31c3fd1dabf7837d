//! The HTTP contract of every business endpoint, table-driven: authentication (401), permissions
//! (403), another business's ids (404, never 403, and nothing changes there), malformed JSON (400),
//! wrong shapes (422), oversized bodies (413), malformed path ids (404). Then tags end to end and
//! list pagination. People (agents, roles, teams, invitations) and the audit log: `people.rs`;
//! concurrent admin actions: `races.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::collections::{BTreeMap, HashSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::{Session, TestApp, email, spawn_app, spawn_app_with};
use support::*;

/// One business endpoint. `path` and `body` may hold placeholders (`{tag}`, `{team}`, `{role}`,
/// `{invitation}`, `{agent}`, `{supervisor}`, `{tenant}`, `{contact}`, `{duplicate}`, `{import}`, `{sla}`, `{hook}`, `{delivery}`): in the path they name the target
/// business's things, in the body the caller's own.
struct Endpoint {
    method: Method,
    path: &'static str,
    /// A valid body (None: the endpoint takes none).
    body: Option<&'static str>,
    /// The same body with a field of the wrong type.
    wrong_type: Option<&'static str>,
    /// Needs a permission the built-in agent role lacks.
    needs_permission: bool,
    /// The status of a successful call.
    ok: StatusCode,
}

const fn ep(
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    wrong_type: Option<&'static str>,
    needs_permission: bool,
    ok: StatusCode,
) -> Endpoint {
    Endpoint {
        method,
        path,
        body,
        wrong_type,
        needs_permission,
        ok,
    }
}

/// Every business endpoint. Order matters only for the final "the owner may" pass: a thing is
/// changed before it is deleted.
fn endpoints() -> Vec<Endpoint> {
    use StatusCode as S;
    vec![
        ep(Method::GET, "/api/v1/me", None, None, false, S::OK),
        ep(
            Method::POST,
            "/api/v1/auth/switch",
            Some(r#"{"tenant_id": "{tenant}"}"#),
            Some(r#"{"tenant_id": 42}"#),
            false,
            S::OK,
        ),
        ep(Method::GET, "/api/v1/agents", None, None, true, S::OK),
        ep(
            Method::PATCH,
            "/api/v1/agents/{agent}",
            Some(r#"{"role_id": "{supervisor}", "status": "active"}"#),
            Some(r#"{"role_id": 5, "status": "active"}"#),
            true,
            S::OK,
        ),
        ep(Method::GET, "/api/v1/invitations", None, None, true, S::OK),
        ep(
            Method::POST,
            "/api/v1/invitations",
            Some(
                r#"{"email": "contract-invitee@example.com", "role_id": "{supervisor}", "team_ids": ["{team}"]}"#,
            ),
            Some(
                r#"{"email": "contract-invitee@example.com", "role_id": "{supervisor}", "team_ids": "{team}"}"#,
            ),
            true,
            S::CREATED,
        ),
        ep(
            Method::DELETE,
            "/api/v1/invitations/{invitation}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(Method::GET, "/api/v1/roles", None, None, false, S::OK),
        ep(
            Method::POST,
            "/api/v1/roles",
            Some(r#"{"name": "Contract role", "permissions": ["tags:manage"]}"#),
            Some(r#"{"name": "Contract role", "permissions": "tags:manage"}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::PATCH,
            "/api/v1/roles/{role}",
            Some(r#"{"name": "Renamed role", "permissions": ["notes:write"]}"#),
            Some(r#"{"name": 7}"#),
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/roles/{role}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        // The team inbox.
        ep(
            Method::GET,
            "/api/v1/mentionables",
            None,
            None,
            false,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/conversations/{conversation}/notes",
            Some(r#"{"body": "Internal hello", "mentions": [{"type": "team", "id": "{team}"}]}"#),
            Some(r#"{"body": 5}"#),
            false,
            S::CREATED,
        ),
        ep(
            Method::PUT,
            "/api/v1/conversations/{conversation}/tags",
            Some(r#"{"tag_ids": ["{tag}"]}"#),
            Some(r#"{"tag_ids": "{tag}"}"#),
            false,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/conversations/{conversation}/viewing",
            None,
            None,
            false,
            S::NO_CONTENT,
        ),
        ep(
            Method::DELETE,
            "/api/v1/conversations/{conversation}/viewing",
            None,
            None,
            false,
            S::NO_CONTENT,
        ),
        ep(
            Method::POST,
            "/api/v1/conversations/{conversation}/typing",
            None,
            None,
            false,
            S::NO_CONTENT,
        ),
        ep(
            Method::DELETE,
            "/api/v1/conversations/{conversation}/typing",
            None,
            None,
            false,
            S::NO_CONTENT,
        ),
        ep(
            Method::GET,
            "/api/v1/contacts/{contact}",
            None,
            None,
            false,
            S::OK,
        ),
        ep(
            Method::PUT,
            "/api/v1/contacts/{contact}/tags",
            Some(r#"{"tag_ids": ["{tag}"]}"#),
            Some(r#"{"tag_ids": [1]}"#),
            false,
            S::OK,
        ),
        ep(Method::GET, "/api/v1/contacts", None, None, true, S::OK),
        ep(
            Method::POST,
            "/api/v1/contacts",
            Some(
                r#"{"phone": "+34 600 444 333", "name": "Hand made", "attributes": {"plan": "gold"}}"#,
            ),
            Some(r#"{"phone": 34600444333}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::GET,
            "/api/v1/contacts/export",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/contacts/imports",
            Some(r#"{"csv": "phone,name\n34600555444,Imported\n", "filename": "contract.csv"}"#),
            Some(r#"{"csv": 5}"#),
            true,
            S::ACCEPTED,
        ),
        ep(
            Method::GET,
            "/api/v1/contacts/imports/{import}",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::PATCH,
            "/api/v1/contacts/{contact}",
            Some(
                r#"{"name": "Carla G.", "email": "carla@example.com", "attributes": {"plan": "gold", "seats": 3}, "opt_in": "opted_in"}"#,
            ),
            Some(r#"{"name": 5}"#),
            false,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/contacts/{contact}/block",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/contacts/{contact}/block",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::GET,
            "/api/v1/contacts/{contact}/duplicates",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/contacts/{contact}/merge",
            Some(r#"{"from": "{duplicate}"}"#),
            Some(r#"{"from": 7}"#),
            true,
            S::OK,
        ),
        ep(
            Method::PATCH,
            "/api/v1/conversations/{conversation}",
            Some(r#"{"priority": "high", "team_id": "{team}", "note": "billing question"}"#),
            Some(r#"{"priority": 3}"#),
            true,
            S::OK,
        ),
        ep(
            Method::GET,
            "/api/v1/canned-responses",
            None,
            None,
            false,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/canned-responses",
            Some(r#"{"shortcut": "contract", "body": "Hello {{contact.name}}", "shared": true}"#),
            Some(r#"{"shortcut": 5, "body": "Hello", "shared": true}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::PATCH,
            "/api/v1/canned-responses/{canned}",
            Some(r#"{"body": "Changed reply"}"#),
            Some(r#"{"body": ["x"]}"#),
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/canned-responses/{canned}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(Method::GET, "/api/v1/routing", None, None, true, S::OK),
        ep(
            Method::PUT,
            "/api/v1/routing/teams/{team}",
            Some(r#"{"assignment": "balanced"}"#),
            Some(r#"{"assignment": 1}"#),
            true,
            S::OK,
        ),
        ep(
            Method::PUT,
            "/api/v1/routing/agents/{agent}",
            Some(r#"{"max_open": 5}"#),
            Some(r#"{"max_open": "five"}"#),
            true,
            S::OK,
        ),
        ep(
            Method::GET,
            "/api/v1/routing/rules",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::PUT,
            "/api/v1/routing/rules/order",
            Some(r#"{"ids": ["{rule}"]}"#),
            Some(r#"{"ids": "all"}"#),
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/routing/rules",
            Some(
                r#"{"name": "Contract", "conditions": [{"type": "keywords", "keywords": ["hola"]}], "actions": [{"type": "set_team", "team_id": "{team}"}]}"#,
            ),
            Some(r#"{"name": "Contract", "actions": {"type": "bot"}}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::PATCH,
            "/api/v1/routing/rules/{rule}",
            Some(r#"{"enabled": false, "actions": [{"type": "add_tag", "tag_id": "{tag}"}]}"#),
            Some(r#"{"enabled": "no"}"#),
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/routing/rules/{rule}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(
            Method::GET,
            "/api/v1/business-hours",
            None,
            None,
            false,
            S::OK,
        ),
        ep(
            Method::PUT,
            "/api/v1/business-hours",
            Some(
                r#"{"time_zone": "Europe/Madrid", "periods": [{"day": "mon", "start": "09:00", "end": "17:00"}]}"#,
            ),
            Some(r#"{"periods": {"day": "mon"}}"#),
            true,
            S::OK,
        ),
        ep(
            Method::GET,
            "/api/v1/notifications",
            None,
            None,
            false,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/notifications/read-all",
            None,
            None,
            false,
            S::NO_CONTENT,
        ),
        ep(
            Method::PUT,
            "/api/v1/me/presence",
            Some(r#"{"availability": "away"}"#),
            Some(r#"{"availability": 1}"#),
            false,
            S::OK,
        ),
        ep(Method::GET, "/api/v1/teams", None, None, false, S::OK),
        ep(
            Method::POST,
            "/api/v1/teams",
            Some(r#"{"name": "Contract team", "member_ids": ["{agent}"]}"#),
            Some(r#"{"name": "Contract team", "member_ids": ["not-a-uuid"]}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::PATCH,
            "/api/v1/teams/{team}",
            Some(r#"{"name": "Renamed team", "member_ids": []}"#),
            Some(r#"{"name": ["Renamed team"]}"#),
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/teams/{team}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(Method::GET, "/api/v1/tags", None, None, false, S::OK),
        ep(
            Method::POST,
            "/api/v1/tags",
            Some(r##"{"name": "Contract tag", "colour": "#123456"}"##),
            Some(r##"{"name": 5, "colour": "#123456"}"##),
            true,
            S::CREATED,
        ),
        ep(
            Method::PATCH,
            "/api/v1/tags/{tag}",
            Some(r##"{"name": "Renamed tag", "colour": "#abcdef"}"##),
            Some(r#"{"colour": 123456}"#),
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/tags/{tag}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        // Bots and the knowledge base.
        ep(Method::GET, "/api/v1/bots", None, None, true, S::OK),
        ep(
            Method::POST,
            "/api/v1/bots",
            Some(
                r#"{"name": "Contract bot", "number_id": "{number}", "steps": [{"type": "greet", "text": "Hi"}]}"#,
            ),
            Some(
                r#"{"name": "Contract bot", "number_id": "{number}", "steps": {"type": "greet"}}"#,
            ),
            true,
            S::CREATED,
        ),
        ep(Method::GET, "/api/v1/bots/{bot}", None, None, true, S::OK),
        ep(
            Method::PATCH,
            "/api/v1/bots/{bot}",
            Some(
                r#"{"name": "Renamed bot", "steps": [{"type": "handover", "message": "One moment"}]}"#,
            ),
            Some(r#"{"name": 5}"#),
            true,
            S::OK,
        ),
        ep(
            Method::GET,
            "/api/v1/bots/{bot}/stats",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/bots/{bot}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(Method::GET, "/api/v1/knowledge", None, None, false, S::OK),
        ep(
            Method::GET,
            "/api/v1/knowledge/search?q=opening%20hours",
            None,
            None,
            false,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/knowledge",
            Some(
                r#"{"question": "Contract question?", "answer": "Contract answer", "keywords": ["contract"]}"#,
            ),
            Some(r#"{"question": 5, "answer": "Contract answer"}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::PATCH,
            "/api/v1/knowledge/{kb}",
            Some(r#"{"answer": "Changed answer"}"#),
            Some(r#"{"answer": ["x"]}"#),
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/knowledge/{kb}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(
            Method::POST,
            "/api/v1/conversations/{conversation}/suggested-reply",
            None,
            None,
            false,
            S::OK,
        ),
        ep(Method::GET, "/api/v1/sla-policies", None, None, true, S::OK),
        ep(
            Method::PUT,
            "/api/v1/sla-policies/order",
            Some(r#"{"ids": ["{sla}"]}"#),
            Some(r#"{"ids": "all"}"#),
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/sla-policies",
            Some(
                r#"{"name": "Contract SLA", "first_response_minutes": 15, "conditions": {"priorities": ["high", "urgent"]}}"#,
            ),
            Some(r#"{"name": "Contract SLA", "first_response_minutes": "soon"}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::PUT,
            "/api/v1/sla-policies/{sla}",
            Some(
                r#"{"name": "Changed SLA", "resolution_minutes": 600, "escalation": {"raise_priority": "high"}}"#,
            ),
            Some(r#"{"name": "Changed SLA", "resolution_minutes": [1]}"#),
            true,
            S::OK,
        ),
        ep(
            Method::DELETE,
            "/api/v1/sla-policies/{sla}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(
            Method::GET,
            "/api/v1/webhook-endpoints",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/webhook-endpoints",
            Some(r#"{"url": "http://127.0.0.1:9/crm", "events": ["message.created"]}"#),
            Some(r#"{"url": "http://127.0.0.1:9/crm", "events": "message.created"}"#),
            true,
            S::CREATED,
        ),
        ep(
            Method::GET,
            "/api/v1/webhook-endpoints/{hook}",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::PATCH,
            "/api/v1/webhook-endpoints/{hook}",
            Some(r#"{"description": "CRM", "events": ["conversation.resolved"]}"#),
            Some(r#"{"enabled": "yes"}"#),
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/webhook-endpoints/{hook}/rotate-secret",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/webhook-endpoints/{hook}/ping",
            None,
            None,
            true,
            S::ACCEPTED,
        ),
        ep(
            Method::GET,
            "/api/v1/webhook-endpoints/{hook}/deliveries",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::POST,
            "/api/v1/webhook-endpoints/{hook}/deliveries/{delivery}/redeliver",
            None,
            None,
            true,
            S::ACCEPTED,
        ),
        ep(
            Method::DELETE,
            "/api/v1/webhook-endpoints/{hook}",
            None,
            None,
            true,
            S::NO_CONTENT,
        ),
        ep(
            Method::GET,
            "/api/v1/settings/workflow",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::PUT,
            "/api/v1/settings/workflow",
            Some(
                r#"{"window_warning_minutes": 30, "auto_resolve_after_hours": 48, "auto_resolve_message": "Gracias"}"#,
            ),
            Some(
                r#"{"window_warning_minutes": "soon", "auto_resolve_after_hours": null, "auto_resolve_message": null}"#,
            ),
            true,
            S::OK,
        ),
        ep(
            Method::GET,
            "/api/v1/contacts/{contact}/consent",
            None,
            None,
            false,
            S::OK,
        ),
        ep(
            Method::GET,
            "/api/v1/settings/opt-out-keywords",
            None,
            None,
            true,
            S::OK,
        ),
        ep(
            Method::PUT,
            "/api/v1/settings/opt-out-keywords",
            Some(r#"{"keywords": ["STOP", "Baja", "No más"]}"#),
            Some(r#"{"keywords": "STOP"}"#),
            true,
            S::OK,
        ),
        ep(Method::GET, "/api/v1/audit-log", None, None, true, S::OK),
    ]
}

/// The ids of one business's things, by placeholder name.
type Ids = BTreeMap<&'static str, String>;

fn fill(template: &str, ids: &Ids) -> String {
    let mut out = template.to_owned();
    for (k, v) in ids {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    assert!(
        !out.contains("{tag}") && !out.contains("{agent}"),
        "unfilled: {out}"
    );
    out
}

impl Endpoint {
    fn has_id(&self) -> bool {
        self.path.contains('{')
    }

    /// `path` naming `target`'s things.
    fn path_for(&self, target: &Ids) -> String {
        fill(self.path, target)
    }

    /// The valid body, naming `own` things.
    fn body_for(&self, own: &Ids) -> Body {
        match self.body {
            Some(b) => Body::Json(serde_json::from_str(&fill(b, own)).expect("table body")),
            None => Body::None,
        }
    }

    fn describe(&self, path: &str) -> String {
        format!("{} {path}", self.method)
    }
}

struct World {
    app: TestApp,
    owner_a: Session,
    agent_a: Session,
    owner_b: Session,
    ids_a: Ids,
    ids_b: Ids,
}

/// One app, two businesses. A has an owner and an agent; each business has a custom role, a
/// team, a tag and a pending invitation.
async fn world() -> World {
    // A fake LLM provider, so suggested replies answer 200.
    let llm = support::fake_llm::FakeLlm::start("Thanks, we are on it.")
        .await
        .config();
    let app = spawn_app_with(move |c| c.llm = Some(llm)).await;
    let owner_a = app.signup_owner("Alpha", &email("alpha")).await;
    let owner_b = app.signup_owner("Beta", &email("beta")).await;
    let agent_a = app.add_member(&owner_a, &email("agent-a"), "agent").await;
    let mut all = vec![];
    for (owner, agent_mid) in [
        (&owner_a, agent_a.membership_id.clone()),
        (&owner_b, owner_b.membership_id.clone()),
    ] {
        let mut ids = Ids::new();
        let supervisor = app.role_id(owner, "supervisor").await;
        let agent_role = app.role_id(owner, "agent").await;
        let tag = create_tag(&app, owner, "Existing tag", "#111111").await;
        let team = create_team(&app, owner, "Existing team", &[&owner.membership_id]).await;
        let role = create_role(&app, owner, "Existing role", &["notes:write"]).await;
        let inv = invite(&app, owner, &email("pending"), &agent_role, &[]).await;
        // A conversation (the customer writes to the sandbox number) and a shared reply.
        let res = app
            .post(
                "/api/v1/sandbox/messages",
                Some(&owner.access_token),
                json!({"from": "34600999888", "name": "Carla", "text": "hola"}),
            )
            .await;
        expect(res, StatusCode::OK, "customer writes").await;
        let convs = list(&app, owner, "/api/v1/conversations").await;
        let canned = expect(
            app.post(
                "/api/v1/canned-responses",
                Some(&owner.access_token),
                json!({"shortcut": "existing", "body": "Thanks!", "shared": true}),
            )
            .await,
            StatusCode::CREATED,
            "canned",
        )
        .await;
        ids.insert("conversation", convs[0]["id"].as_str().unwrap().to_owned());
        ids.insert(
            "contact",
            convs[0]["contact"]["id"].as_str().unwrap().to_owned(),
        );
        ids.insert("canned", canned["id"].as_str().unwrap().to_owned());
        let rule = expect(
            app.post(
                "/api/v1/routing/rules",
                Some(&owner.access_token),
                json!({"name": "Existing rule", "actions": [{"type": "bot"}]}),
            )
            .await,
            StatusCode::CREATED,
            "routing rule",
        )
        .await;
        ids.insert("rule", rule["id"].as_str().unwrap().to_owned());
        let sla = expect(
            app.post(
                "/api/v1/sla-policies",
                Some(&owner.access_token),
                json!({"name": "Existing SLA", "first_response_minutes": 30}),
            )
            .await,
            StatusCode::CREATED,
            "SLA policy",
        )
        .await;
        ids.insert("sla", sla["id"].as_str().unwrap().to_owned());
        // A webhook endpoint (nothing listens there; no worker runs) and a delivery to it.
        let hook = expect(
            app.post(
                "/api/v1/webhook-endpoints",
                Some(&owner.access_token),
                json!({"url": "http://127.0.0.1:9/existing", "events": ["contact.updated"]}),
            )
            .await,
            StatusCode::CREATED,
            "webhook endpoint",
        )
        .await;
        let hook_id = hook["endpoint"]["id"].as_str().unwrap().to_owned();
        let delivery = expect(
            app.post(
                &format!("/api/v1/webhook-endpoints/{hook_id}/ping"),
                Some(&owner.access_token),
                json!({}),
            )
            .await,
            StatusCode::ACCEPTED,
            "ping",
        )
        .await;
        ids.insert("hook", hook_id);
        ids.insert("delivery", delivery["id"].as_str().unwrap().to_owned());
        // A second contact (merged into the first by the table) and a contact import.
        let duplicate = expect(
            app.post(
                "/api/v1/contacts",
                Some(&owner.access_token),
                json!({"phone": "+34 600 999 000", "name": "Carla"}),
            )
            .await,
            StatusCode::CREATED,
            "duplicate contact",
        )
        .await;
        ids.insert("duplicate", duplicate["id"].as_str().unwrap().to_owned());
        let import = expect(
            app.post(
                "/api/v1/contacts/imports",
                Some(&owner.access_token),
                json!({"csv": "phone,name\n34600111000,From a file\n"}),
            )
            .await,
            StatusCode::ACCEPTED,
            "import",
        )
        .await;
        ids.insert("import", import["id"].as_str().unwrap().to_owned());
        // A bot (the business default) and a knowledge-base entry.
        let bot = expect(
            app.post(
                "/api/v1/bots",
                Some(&owner.access_token),
                json!({"name": "Existing bot", "steps": [{"type": "greet", "text": "Hello"}]}),
            )
            .await,
            StatusCode::CREATED,
            "bot",
        )
        .await;
        let kb = expect(
            app.post(
                "/api/v1/knowledge",
                Some(&owner.access_token),
                json!({"question": "What are your opening hours?", "answer": "9 to 5."}),
            )
            .await,
            StatusCode::CREATED,
            "kb",
        )
        .await;
        let numbers = list(&app, owner, "/api/v1/numbers").await;
        ids.insert("bot", bot["id"].as_str().unwrap().to_owned());
        ids.insert("kb", kb["id"].as_str().unwrap().to_owned());
        ids.insert("number", numbers[0]["id"].as_str().unwrap().to_owned());
        ids.insert("tag", tag["id"].as_str().unwrap().to_owned());
        ids.insert("team", team["id"].as_str().unwrap().to_owned());
        ids.insert("role", role["id"].as_str().unwrap().to_owned());
        ids.insert("invitation", inv["id"].as_str().unwrap().to_owned());
        ids.insert("agent", agent_mid);
        ids.insert("supervisor", supervisor);
        ids.insert("tenant", owner.tenant_id.clone());
        all.push(ids);
    }
    let ids_b = all.pop().unwrap();
    let ids_a = all.pop().unwrap();
    World {
        app,
        owner_a,
        agent_a,
        owner_b,
        ids_a,
        ids_b,
    }
}

#[tokio::test]
async fn every_endpoint_keeps_the_contract() {
    let w = world().await;
    let app = &w.app;
    let table = endpoints();
    let b_before = snapshot(app, &w.owner_b).await;
    let a_before = snapshot(app, &w.owner_a).await;

    // 401 without a token, with garbage, and with a token of the wrong scheme.
    for e in &table {
        let path = e.path_for(&w.ids_a);
        let ctx = e.describe(&path);
        let res = send(app, e.method.clone(), &path, None, e.body_for(&w.ids_a)).await;
        expect_error(
            res,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            &format!("{ctx} without a token"),
        )
        .await;
        let res = send(
            app,
            e.method.clone(),
            &path,
            Some("not.a.jwt"),
            e.body_for(&w.ids_a),
        )
        .await;
        expect_error(
            res,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            &format!("{ctx} with a garbage token"),
        )
        .await;
        let res = app
            .client
            .request(e.method.clone(), app.url(&path))
            .header("authorization", format!("Basic {}", w.owner_a.access_token))
            .send()
            .await
            .unwrap();
        expect_error(
            res,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            &format!("{ctx} with a Basic header"),
        )
        .await;
    }

    // 403 for an agent on endpoints needing a permission; any member may use the others.
    for e in &table {
        let path = e.path_for(&w.ids_a);
        let ctx = format!("{} as an agent", e.describe(&path));
        let res = send(
            app,
            e.method.clone(),
            &path,
            Some(&w.agent_a.access_token),
            e.body_for(&w.ids_a),
        )
        .await;
        if e.needs_permission {
            expect_error(res, StatusCode::FORBIDDEN, "forbidden", &ctx).await;
        } else {
            expect(res, e.ok, &ctx).await;
        }
    }

    // Another business's ids: 404 not_found, never 403 (also for the built-in roles).
    let mut b_targets = vec![w.ids_b.clone()];
    for key in ["owner", "admin", "agent"] {
        let mut ids = w.ids_b.clone();
        ids.insert("role", w.app.role_id(&w.owner_b, key).await);
        b_targets.push(ids);
    }
    for target in &b_targets {
        for e in table.iter().filter(|e| e.has_id()) {
            let path = e.path_for(target);
            let ctx = format!("{} (business B's id) as A's owner", e.describe(&path));
            let res = send(
                app,
                e.method.clone(),
                &path,
                Some(&w.owner_a.access_token),
                e.body_for(&w.ids_a),
            )
            .await;
            expect_error(res, StatusCode::NOT_FOUND, "not_found", &ctx).await;
        }
    }
    // Switching into a business one is not a member of.
    let res = app
        .post(
            "/api/v1/auth/switch",
            Some(&w.owner_a.access_token),
            json!({"tenant_id": w.owner_b.tenant_id}),
        )
        .await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "not_found",
        "switch to B as A's owner",
    )
    .await;
    // An id that exists nowhere: the same 404.
    let nowhere: Ids = w
        .ids_a
        .keys()
        .map(|k| (*k, uuid::Uuid::now_v7().to_string()))
        .collect();
    for e in table.iter().filter(|e| e.has_id()) {
        let path = e.path_for(&nowhere);
        let res = send(
            app,
            e.method.clone(),
            &path,
            Some(&w.owner_a.access_token),
            e.body_for(&w.ids_a),
        )
        .await;
        expect_error(
            res,
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("{} (unknown id)", e.describe(&path)),
        )
        .await;
    }

    // Malformed ids in the path: 404.
    for bad in [
        "not-a-uuid",
        "1",
        "00000000-0000-0000-0000-00000000000g",
        "%20",
    ] {
        let bad_ids: Ids = w.ids_a.keys().map(|k| (*k, bad.to_owned())).collect();
        for e in table.iter().filter(|e| e.has_id()) {
            let path = e.path_for(&bad_ids);
            let res = send(
                app,
                e.method.clone(),
                &path,
                Some(&w.owner_a.access_token),
                e.body_for(&w.ids_a),
            )
            .await;
            expect_error(
                res,
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("{} (malformed id)", e.describe(&path)),
            )
            .await;
        }
    }

    // Bodies: malformed JSON 400, wrong types / unknown fields / not an object 422, too big 413.
    let huge = "x".repeat(300 * 1024);
    for e in table.iter().filter(|e| e.body.is_some()) {
        let path = e.path_for(&w.ids_a);
        let ctx = e.describe(&path);
        let token = Some(w.owner_a.access_token.as_str());
        // (Syntax errors before the first key: after one, serde may first notice an unknown key.)
        for raw in ["{not json", "", "nul", "{,}", "{'name': 1}"] {
            let res = send(app, e.method.clone(), &path, token, Body::Raw(raw.into())).await;
            expect_error(
                res,
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("{ctx} with body {raw:?}"),
            )
            .await;
        }
        let wrong = fill(e.wrong_type.unwrap(), &w.ids_a);
        let res = send(
            app,
            e.method.clone(),
            &path,
            token,
            Body::Raw(wrong.clone()),
        )
        .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("{ctx} with {wrong}"),
        )
        .await;
        let Body::Json(Value::Object(mut valid)) = e.body_for(&w.ids_a) else {
            unreachable!()
        };
        valid.insert("is_admin".into(), json!(true));
        let res = send(
            app,
            e.method.clone(),
            &path,
            token,
            Body::Json(Value::Object(valid)),
        )
        .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("{ctx} with an unknown field"),
        )
        .await;
        for not_object in ["[]", "\"text\"", "42", "null"] {
            let res = send(
                app,
                e.method.clone(),
                &path,
                token,
                Body::Raw(not_object.into()),
            )
            .await;
            expect_error(
                res,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                &format!("{ctx} with body {not_object}"),
            )
            .await;
        }
        let res = send(
            app,
            e.method.clone(),
            &path,
            token,
            Body::Json(json!({"name": huge})),
        )
        .await;
        expect_error(
            res,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            &format!("{ctx} with a 300 KiB body"),
        )
        .await;
    }

    // Nothing above changed either business.
    assert_eq!(
        snapshot(app, &w.owner_b).await,
        b_before,
        "business B changed"
    );
    assert_eq!(
        snapshot(app, &w.owner_a).await,
        a_before,
        "business A changed"
    );

    // Lists never show the other business's things.
    for path in [
        "/api/v1/agents",
        "/api/v1/invitations",
        "/api/v1/roles",
        "/api/v1/teams",
        "/api/v1/tags",
        "/api/v1/audit-log",
        "/api/v1/contacts",
    ] {
        let a: HashSet<String> = ids(&list(app, &w.owner_a, path).await)
            .into_iter()
            .collect();
        let b: HashSet<String> = ids(&list(app, &w.owner_b, path).await)
            .into_iter()
            .collect();
        assert!(!a.is_empty() && !b.is_empty(), "{path}: empty list");
        assert!(
            a.is_disjoint(&b),
            "{path}: shared ids {:?}",
            a.intersection(&b).collect::<Vec<_>>()
        );
    }

    // The same requests succeed for the owner (so the bodies above were only wrong where meant).
    for e in &table {
        let path = e.path_for(&w.ids_a);
        let res = send(
            app,
            e.method.clone(),
            &path,
            Some(&w.owner_a.access_token),
            e.body_for(&w.ids_a),
        )
        .await;
        expect(res, e.ok, &format!("{} as the owner", e.describe(&path))).await;
    }
    assert_eq!(
        snapshot(app, &w.owner_b).await,
        b_before,
        "business B changed"
    );

    // A deactivated member's still-unexpired token is refused everywhere at once.
    let res = patch(
        app,
        &w.owner_a,
        &format!("/api/v1/agents/{}", w.agent_a.membership_id),
        json!({"status": "deactivated"}),
    )
    .await;
    expect(res, StatusCode::OK, "deactivate agent").await;
    for e in &table {
        let path = e.path_for(&w.ids_a);
        let ctx = format!("{} with a deactivated member's token", e.describe(&path));
        let res = send(
            app,
            e.method.clone(),
            &path,
            Some(&w.agent_a.access_token),
            e.body_for(&w.ids_a),
        )
        .await;
        let status = res.status();
        let body: Value = res
            .json()
            .await
            .unwrap_or_else(|e| panic!("{ctx}: {status}, not JSON: {e}"));
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx}: {body}");
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{ctx}: {body}"
        );
    }
}

#[tokio::test]
async fn tags_crud_names_and_colours() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;

    let tag = create_tag(&app, &a, "  Urgent ", "#FF0000").await;
    assert_eq!(tag["name"], "Urgent");
    assert_eq!(tag["colour"], "#ff0000");
    assert!(tag["created_at"].is_string());
    let id = tag["id"].as_str().unwrap().to_owned();
    let short = create_tag(&app, &a, "Later", "#AbC").await;
    assert_eq!(short["colour"], "#aabbcc");
    assert_eq!(
        create_tag(&app, &a, &"n".repeat(50), "#000000").await["name"],
        "n".repeat(50)
    );
    let listed = list(&app, &a, "/api/v1/tags").await;
    assert_eq!(find(&listed, &id).unwrap(), &tag);
    assert_eq!(listed.len(), 3);

    // Case-insensitive duplicates, on create and on rename.
    for dup in ["urgent", "URGENT", " Urgent  "] {
        let res = app
            .post(
                "/api/v1/tags",
                Some(&a.access_token),
                json!({"name": dup, "colour": "#00ff00"}),
            )
            .await;
        expect_error(
            res,
            StatusCode::CONFLICT,
            "tag_exists",
            &format!("duplicate {dup:?}"),
        )
        .await;
    }
    let later = short["id"].as_str().unwrap();
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/tags/{later}"),
        json!({"name": "uRGENT"}),
    )
    .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "tag_exists",
        "rename onto an existing name",
    )
    .await;
    // Another business may use the same name.
    assert_eq!(
        create_tag(&app, &b, "urgent", "#00ff00").await["name"],
        "urgent"
    );

    // Validation: 422 with the field named.
    for (body, field) in [
        (json!({"name": "x", "colour": "red"}), "colour"),
        (json!({"name": "x", "colour": "#12345g"}), "colour"),
        (json!({"name": "x", "colour": "ff0000"}), "colour"),
        (json!({"name": "x", "colour": "#ff00"}), "colour"),
        (json!({"name": "x", "colour": "#ff00000"}), "colour"),
        (json!({"name": "x", "colour": ""}), "colour"),
        (json!({"name": "", "colour": "#ff0000"}), "name"),
        (json!({"name": "   ", "colour": "#ff0000"}), "name"),
        (json!({"name": "n".repeat(51), "colour": "#ff0000"}), "name"),
    ] {
        let res = app
            .post("/api/v1/tags", Some(&a.access_token), body.clone())
            .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("POST {body}"),
        )
        .await;
        assert!(err["error"]["fields"][field].is_string(), "{body}: {err}");
    }
    for (body, field) in [
        (json!({"colour": "blue"}), "colour"),
        (json!({"name": ""}), "name"),
    ] {
        let res = patch(&app, &a, &format!("/api/v1/tags/{id}"), body.clone()).await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("PATCH {body}"),
        )
        .await;
        assert!(err["error"]["fields"][field].is_string(), "{body}: {err}");
    }
    // Missing fields on create.
    let res = app
        .post("/api/v1/tags", Some(&a.access_token), json!({"name": "x"}))
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "POST without colour",
    )
    .await;
    assert_eq!(
        list(&app, &a, "/api/v1/tags").await.len(),
        3,
        "a refused write left a row"
    );

    // Update: partial, and an empty change is a no-op.
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/tags/{id}"),
        json!({"colour": "#00F"}),
    )
    .await;
    let updated = expect(res, StatusCode::OK, "patch colour").await;
    assert_eq!(
        (updated["name"].as_str(), updated["colour"].as_str()),
        (Some("Urgent"), Some("#0000ff"))
    );
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/tags/{id}"),
        json!({"name": "urgent"}),
    )
    .await;
    assert_eq!(
        expect(res, StatusCode::OK, "change only the case of the own name").await["name"],
        "urgent"
    );
    let res = patch(&app, &a, &format!("/api/v1/tags/{id}"), json!({})).await;
    let same = expect(res, StatusCode::OK, "empty patch").await;
    assert_eq!(
        (&same["name"], &same["colour"], &same["created_at"]),
        (&json!("urgent"), &json!("#0000ff"), &tag["created_at"])
    );

    // A supervisor manages tags too.
    let sup = app.add_member(&a, &email("sup"), "supervisor").await;
    create_tag(&app, &sup, "From supervisor", "#123456").await;

    // Delete: 204, then gone.
    expect(
        delete(&app, &a, &format!("/api/v1/tags/{id}")).await,
        StatusCode::NO_CONTENT,
        "delete",
    )
    .await;
    assert!(find(&list(&app, &a, "/api/v1/tags").await, &id).is_none());
    expect_error(
        delete(&app, &a, &format!("/api/v1/tags/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "delete twice",
    )
    .await;
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/tags/{id}"),
        json!({"name": "back"}),
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", "patch deleted").await;
    // The freed name can be used again.
    create_tag(&app, &a, "URGENT", "#ff0000").await;
    // B's tag of the same name was never touched.
    let b_tags = list(&app, &b, "/api/v1/tags").await;
    assert_eq!(b_tags.len(), 1);
    assert_eq!(
        (&b_tags[0]["name"], &b_tags[0]["colour"]),
        (&json!("urgent"), &json!("#00ff00"))
    );
}

#[tokio::test]
async fn lists_paginate_with_cursors() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    app.add_member(&a, &email("agent"), "agent").await;
    app.add_member(&a, &email("sup"), "supervisor").await;
    let agent_role = app.role_id(&a, "agent").await;
    for i in 0..5 {
        create_tag(&app, &a, &format!("tag {i}"), "#101010").await;
        create_team(&app, &a, &format!("team {i}"), &[]).await;
        invite(&app, &a, &email(&format!("inv{i}")), &agent_role, &[]).await;
    }
    create_role(&app, &a, "custom one", &["tags:manage"]).await;
    // B's things must never appear in A's pages.
    create_tag(&app, &b, "b tag", "#202020").await;
    create_team(&app, &b, "b team", &[]).await;

    for (path, expected) in [
        ("/api/v1/agents", 3),
        ("/api/v1/tags", 5),
        ("/api/v1/teams", 5),
        ("/api/v1/invitations", 5 + 2),
        ("/api/v1/audit-log", 0),
    ] {
        let all = list(&app, &a, path).await;
        if expected > 0 {
            assert_eq!(all.len(), expected, "{path}");
        }
        assert!(all.len() >= 3, "{path}: too few items to paginate");
        for limit in [1, 2, 3] {
            let pages = pages(&app, &a, path, limit).await;
            let flat: Vec<Value> = pages.iter().flatten().cloned().collect();
            assert_eq!(
                ids(&flat),
                ids(&all),
                "{path} limit={limit}: pages differ from the whole list"
            );
            let unique: HashSet<String> = ids(&flat).into_iter().collect();
            assert_eq!(unique.len(), flat.len(), "{path} limit={limit}: duplicates");
            assert_eq!(
                pages.len(),
                all.len().div_ceil(limit),
                "{path} limit={limit}: page count"
            );
            assert!(
                pages.iter().rev().skip(1).all(|p| p.len() == limit),
                "{path} limit={limit}: a short page before the end"
            );
        }
        // Bad paging parameters: 422 validation_failed naming the parameter.
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=-1", "limit"),
            ("limit=201", "limit"),
            ("cursor=!!", "cursor"),
            ("cursor=AAAA", "cursor"),
            ("cursor=not-base64-at-all~", "cursor"),
        ] {
            let res = app.get(&format!("{path}?{query}"), &a.access_token).await;
            let err = expect_error(
                res,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                &format!("{path}?{query}"),
            )
            .await;
            assert!(
                err["error"]["fields"][field].is_string(),
                "{path}?{query}: {err}"
            );
        }
        // A limit that is not a number is a client error, not a crash.
        let res = app.get(&format!("{path}?limit=ten"), &a.access_token).await;
        assert!(
            res.status().is_client_error(),
            "{path}?limit=ten: {}",
            res.status()
        );
        assert!(res.json::<Value>().await.unwrap()["error"]["code"].is_string());
        // limit=200 is allowed; the default page is 50.
        expect(
            app.get(&format!("{path}?limit=200"), &a.access_token).await,
            StatusCode::OK,
            path,
        )
        .await;
    }
    // Orders: tags, teams, agents oldest first; invitations and the audit log newest first.
    for (path, newest_first) in [
        ("/api/v1/tags", false),
        ("/api/v1/teams", false),
        ("/api/v1/agents", false),
        ("/api/v1/invitations", true),
        ("/api/v1/audit-log", true),
    ] {
        let times: Vec<String> = list(&app, &a, path)
            .await
            .iter()
            .map(|i| i["created_at"].as_str().unwrap().to_owned())
            .collect();
        let times: Vec<chrono::DateTime<chrono::Utc>> =
            times.iter().map(|t| t.parse().unwrap()).collect();
        let ordered = times.windows(2).all(|w| {
            if newest_first {
                w[0] >= w[1]
            } else {
                w[0] <= w[1]
            }
        });
        assert!(
            ordered,
            "{path}: not ordered ({})",
            if newest_first {
                "newest first"
            } else {
                "oldest first"
            }
        );
    }
    // The default page size is 50.
    for i in 5..55 {
        create_tag(&app, &a, &format!("tag {i}"), "#101010").await;
    }
    let page = get_ok(&app, &a, "/api/v1/tags").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 50);
    let next = page["next_cursor"].as_str().expect("a second page");
    let rest = get_ok(&app, &a, &format!("/api/v1/tags?cursor={next}")).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 5);
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]

async fn roles_list_pages_like_every_list() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    create_role(&app, &a, "custom one", &["tags:manage"]).await;
    let all = list(&app, &a, "/api/v1/roles").await;
    assert_eq!(all.len(), 5);
    let pages = pages(&app, &a, "/api/v1/roles", 2).await;
    assert_eq!(pages.len(), 3);
    let res = app.get("/api/v1/roles?limit=0", &a.access_token).await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "GET /roles?limit=0",
    )
    .await;
}

#[tokio::test]

async fn wrong_types_in_enum_fields_are_validation_errors() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    let path = format!("/api/v1/agents/{}", owner.membership_id);
    for status in [json!(true), json!(1), json!([]), json!({})] {
        let res = patch(&app, &owner, &path, json!({"status": status})).await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("PATCH agent status {status}"),
        )
        .await;
    }
    for perm in [json!(null), json!(1), json!(true), json!(["tags:manage"])] {
        let res = app
            .post(
                "/api/v1/roles",
                Some(&owner.access_token),
                json!({"name": "Typed", "permissions": [perm]}),
            )
            .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("POST role with permission {perm}"),
        )
        .await;
    }
}
