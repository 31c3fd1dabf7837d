//! People of a business through HTTP: teams and their members, custom and built-in roles, agents
//! (role changes, deactivation, the last owner), invitations from creation to acceptance, and the
//! audit log those admin actions leave.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{PASSWORD, Session, TestApp, email, spawn_app};
use support::*;

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_owned()
}

fn set(v: &Value) -> HashSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

fn strs(items: &[&str]) -> HashSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn agent_row(app: &TestApp, owner: &Session, membership_id: &str) -> Value {
    find(&list(app, owner, "/api/v1/agents").await, membership_id)
        .unwrap_or_else(|| panic!("agent {membership_id} not listed"))
        .clone()
}

async fn me(app: &TestApp, s: &Session) -> Value {
    get_ok(app, s, "/api/v1/me").await
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": token}),
    )
    .await
}

async fn lookup(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/invitations/lookup?token={token}")))
        .send()
        .await
        .unwrap()
}

async fn accept(app: &TestApp, token: &str, name: &str, password: &str) -> reqwest::Response {
    app.post(
        "/api/v1/invitations/accept",
        None,
        json!({"token": token, "name": name, "password": password}),
    )
    .await
}

/// 404 for a used, revoked or unknown invitation token. The contract names the code
/// `invitation_not_found`; see `invitation_token_errors_use_the_documented_code`.
async fn expect_invitation_gone(res: reqwest::Response, ctx: &str) {
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .unwrap_or_else(|e| panic!("{ctx}: {status}, not JSON: {e}"));
    assert_eq!(status, StatusCode::NOT_FOUND, "{ctx}: {body}");
    let code = body["error"]["code"].as_str().unwrap_or_default();
    assert!(
        code == "invitation_not_found" || code == "not_found",
        "{ctx}: {body}"
    );
}

// ---------------------------------------------------------------------------------------------
// Teams

#[tokio::test]
async fn teams_hold_members_of_their_own_business_only() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    let agent = app.add_member(&a, &email("agent"), "agent").await;

    let sales = create_team(
        &app,
        &a,
        " Sales ",
        &[&a.membership_id, &agent.membership_id, &agent.membership_id],
    )
    .await;
    assert_eq!(sales["name"], "Sales");
    assert_eq!(
        set(&sales["member_ids"]),
        strs(&[&a.membership_id, &agent.membership_id])
    );
    assert!(sales["created_at"].is_string());
    let sales_id = id(&sales);
    let support = create_team(&app, &a, "Support", &[]).await;
    assert_eq!(support["member_ids"], json!([]));
    assert_eq!(
        find(&list(&app, &a, "/api/v1/teams").await, &sales_id),
        Some(&sales)
    );
    assert_eq!(
        agent_row(&app, &a, &agent.membership_id).await["team_ids"],
        json!([sales_id])
    );
    // Any member may read teams.
    assert_eq!(list(&app, &agent, "/api/v1/teams").await.len(), 2);

    // Duplicate names, case-insensitively.
    let res = app
        .post(
            "/api/v1/teams",
            Some(&a.access_token),
            json!({"name": "SALES"}),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "team_exists", "duplicate team").await;
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/teams/{}", id(&support)),
        json!({"name": "sales"}),
    )
    .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "team_exists",
        "rename onto an existing team",
    )
    .await;

    // Members of another business, or of none: 422 naming member_ids, and nothing is written.
    for (ctx, bad) in [
        ("B's owner", b.membership_id.clone()),
        ("an unknown id", uuid::Uuid::now_v7().to_string()),
    ] {
        let res = app
            .post(
                "/api/v1/teams",
                Some(&a.access_token),
                json!({"name": "Leaky", "member_ids": [agent.membership_id, bad]}),
            )
            .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("create with {ctx}"),
        )
        .await;
        assert!(err["error"]["fields"]["member_ids"].is_string(), "{err}");
        let res = patch(
            &app,
            &a,
            &format!("/api/v1/teams/{sales_id}"),
            json!({"name": "Renamed", "member_ids": [bad]}),
        )
        .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("patch with {ctx}"),
        )
        .await;
        assert!(err["error"]["fields"]["member_ids"].is_string(), "{err}");
    }
    let teams = list(&app, &a, "/api/v1/teams").await;
    assert_eq!(teams.len(), 2, "a refused create left a team");
    assert_eq!(
        find(&teams, &sales_id),
        Some(&sales),
        "a refused patch changed the team"
    );
    assert_eq!(
        agent_row(&app, &b, &b.membership_id).await["team_ids"],
        json!([]),
        "B's owner joined A's team"
    );
    assert!(list(&app, &b, "/api/v1/teams").await.is_empty());

    // Names.
    for name in [json!(""), json!("   "), json!("t".repeat(61))] {
        let res = app
            .post(
                "/api/v1/teams",
                Some(&a.access_token),
                json!({"name": name}),
            )
            .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("name {name}"),
        )
        .await;
        assert!(err["error"]["fields"]["name"].is_string(), "{err}");
    }

    // Update: name only keeps members; members only keeps the name; [] empties.
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/teams/{sales_id}"),
        json!({"name": "Inside Sales"}),
    )
    .await;
    let renamed = expect(res, StatusCode::OK, "rename").await;
    assert_eq!(
        (&renamed["name"], set(&renamed["member_ids"])),
        (&json!("Inside Sales"), set(&sales["member_ids"]))
    );
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/teams/{sales_id}"),
        json!({"member_ids": [agent.membership_id]}),
    )
    .await;
    let narrowed = expect(res, StatusCode::OK, "set members").await;
    assert_eq!(
        (&narrowed["name"], &narrowed["member_ids"]),
        (&json!("Inside Sales"), &json!([agent.membership_id]))
    );
    assert_eq!(
        agent_row(&app, &a, &a.membership_id).await["team_ids"],
        json!([])
    );
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/teams/{sales_id}"),
        json!({"member_ids": []}),
    )
    .await;
    assert_eq!(
        expect(res, StatusCode::OK, "empty members").await["member_ids"],
        json!([])
    );
    assert_eq!(
        agent_row(&app, &a, &agent.membership_id).await["team_ids"],
        json!([])
    );

    // Delete removes the team from its members too.
    let res = patch(
        &app,
        &a,
        &format!("/api/v1/teams/{}", id(&support)),
        json!({"member_ids": [agent.membership_id]}),
    )
    .await;
    expect(res, StatusCode::OK, "join support").await;
    assert_eq!(
        agent_row(&app, &a, &agent.membership_id).await["team_ids"],
        json!([id(&support)])
    );
    expect(
        delete(&app, &a, &format!("/api/v1/teams/{}", id(&support))).await,
        StatusCode::NO_CONTENT,
        "delete",
    )
    .await;
    assert_eq!(
        agent_row(&app, &a, &agent.membership_id).await["team_ids"],
        json!([])
    );
    let res = delete(&app, &a, &format!("/api/v1/teams/{}", id(&support))).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", "delete twice").await;
    assert_eq!(ids(&list(&app, &a, "/api/v1/teams").await), vec![sales_id]);
}

// ---------------------------------------------------------------------------------------------
// Roles

#[tokio::test]
async fn custom_roles_never_grant_more_than_their_author_holds() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    let admin = app.add_member(&owner, &email("admin"), "admin").await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;

    // The built-in roles.
    let roles = list(&app, &owner, "/api/v1/roles").await;
    let names: Vec<&str> = roles.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Owner", "Admin", "Supervisor", "Agent"]);
    assert!(roles.iter().all(|r| r["builtin"] == true));
    assert_eq!(roles[0]["permissions"].as_array().unwrap().len(), 16);
    let admin_perms = set(&roles[1]["permissions"]);
    assert_eq!(admin_perms.len(), 15);
    assert!(!admin_perms.contains("billing:manage"));
    assert_eq!(
        set(&roles[3]["permissions"]),
        strs(&[
            "conversations:read_assigned",
            "conversations:reply",
            "notes:write",
            "contacts:manage"
        ])
    );
    // Any member may read them.
    assert_eq!(list(&app, &agent, "/api/v1/roles").await, roles);

    // A subset of one's own permissions: fine (duplicates collapse).
    let tagger = create_role(
        &app,
        &owner,
        "Tagger",
        &["tags:manage", "notes:write", "tags:manage"],
    )
    .await;
    assert_eq!(tagger["builtin"], false);
    assert_eq!(tagger["name"], "Tagger");
    assert_eq!(
        set(&tagger["permissions"]),
        strs(&["tags:manage", "notes:write"])
    );
    assert_eq!(tagger["permissions"].as_array().unwrap().len(), 2);
    let auditor = create_role(&app, &admin, "Auditor", &["audit:view", "reports:view"]).await;
    let empty = create_role(&app, &admin, "Nothing", &[]).await;
    assert_eq!(empty["permissions"], json!([]));

    // An admin lacks billing:manage: cannot create, or widen a role to, anything with it.
    for perms in [
        json!(["billing:manage"]),
        json!(["tags:manage", "billing:manage"]),
    ] {
        let res = app
            .post(
                "/api/v1/roles",
                Some(&admin.access_token),
                json!({"name": "Billing helper", "permissions": perms}),
            )
            .await;
        expect_error(
            res,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("admin grants {perms}"),
        )
        .await;
    }
    let res = patch(
        &app,
        &admin,
        &format!("/api/v1/roles/{}", id(&auditor)),
        json!({"permissions": ["audit:view", "billing:manage"]}),
    )
    .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "admin widens a role with billing",
    )
    .await;
    // The owner holds everything.
    let biller = create_role(&app, &owner, "Biller", &["billing:manage"]).await;
    // ... and an admin cannot hand that role out either.
    let res = patch(
        &app,
        &admin,
        &format!("/api/v1/agents/{}", agent.membership_id),
        json!({"role_id": id(&biller)}),
    )
    .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "admin assigns a role with billing",
    )
    .await;
    let res = patch(
        &app,
        &admin,
        &format!("/api/v1/agents/{}", agent.membership_id),
        json!({"role_id": app.role_id(&owner, "owner").await}),
    )
    .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "admin assigns the owner role",
    )
    .await;
    let after = list(&app, &owner, "/api/v1/roles").await;
    assert_eq!(after.len(), 4 + 4, "refused writes left roles");
    assert_eq!(
        find(&after, &id(&auditor)),
        Some(&auditor),
        "a refused patch changed the role"
    );
    assert_eq!(
        agent_row(&app, &owner, &agent.membership_id).await["role"]["name"],
        "Agent"
    );

    // Names: unique case-insensitively (also against built-ins), 1-60 characters.
    for name in ["tagger", "ADMIN", "owner"] {
        let res = app
            .post(
                "/api/v1/roles",
                Some(&owner.access_token),
                json!({"name": name, "permissions": []}),
            )
            .await;
        expect_error(
            res,
            StatusCode::CONFLICT,
            "role_exists",
            &format!("role named {name}"),
        )
        .await;
    }
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/roles/{}", id(&auditor)),
        json!({"name": "TAGGER"}),
    )
    .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "role_exists",
        "rename onto Tagger",
    )
    .await;
    for name in [json!(""), json!("  "), json!("r".repeat(61))] {
        let res = app
            .post(
                "/api/v1/roles",
                Some(&owner.access_token),
                json!({"name": name, "permissions": []}),
            )
            .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("role name {name}"),
        )
        .await;
        assert!(err["error"]["fields"]["name"].is_string(), "{err}");
    }
    // Unknown permissions cannot even be named.
    for perms in [
        json!(["root:everything"]),
        json!(["TAGS:MANAGE"]),
        json!(["tags:manage", "tags:*"]),
    ] {
        let res = app
            .post(
                "/api/v1/roles",
                Some(&owner.access_token),
                json!({"name": "Typo", "permissions": perms}),
            )
            .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("permissions {perms}"),
        )
        .await;
    }
    let res = app
        .post(
            "/api/v1/roles",
            Some(&owner.access_token),
            json!({"name": "No perms field"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "missing permissions",
    )
    .await;

    // Built-in roles cannot be edited or deleted, whoever asks.
    for key in ["owner", "admin", "supervisor", "agent"] {
        let rid = app.role_id(&owner, key).await;
        for body in [
            json!({"name": "Renamed"}),
            json!({"permissions": []}),
            json!({}),
        ] {
            let res = patch(&app, &owner, &format!("/api/v1/roles/{rid}"), body.clone()).await;
            expect_error(
                res,
                StatusCode::CONFLICT,
                "role_builtin",
                &format!("PATCH built-in {key} with {body}"),
            )
            .await;
        }
        let res = delete(&app, &owner, &format!("/api/v1/roles/{rid}")).await;
        expect_error(
            res,
            StatusCode::CONFLICT,
            "role_builtin",
            &format!("DELETE built-in {key}"),
        )
        .await;
    }
    assert_eq!(&list(&app, &owner, "/api/v1/roles").await[..4], &roles[..]);

    // A custom role takes effect at once, on the token the person already holds.
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", agent.membership_id),
        json!({"role_id": id(&tagger)}),
    )
    .await;
    assert_eq!(
        expect(res, StatusCode::OK, "assign Tagger").await["role"],
        json!({"id": id(&tagger), "name": "Tagger"})
    );
    let mine = me(&app, &agent).await;
    assert_eq!(mine["membership"]["role"]["name"], "Tagger");
    assert_eq!(
        set(&mine["membership"]["permissions"]),
        strs(&["tags:manage", "notes:write"])
    );
    create_tag(&app, &agent, "Made by a tagger", "#123456").await;
    let res = app.get("/api/v1/audit-log", &agent.access_token).await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "tagger reads the audit log",
    )
    .await;
    // Narrowing the role narrows the person at once.
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/roles/{}", id(&tagger)),
        json!({"permissions": ["notes:write"]}),
    )
    .await;
    let narrowed = expect(res, StatusCode::OK, "narrow Tagger").await;
    assert_eq!(
        (&narrowed["name"], &narrowed["permissions"]),
        (&json!("Tagger"), &json!(["notes:write"]))
    );
    let res = app
        .post(
            "/api/v1/tags",
            Some(&agent.access_token),
            json!({"name": "Again", "colour": "#123456"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "tag after narrowing",
    )
    .await;

    // A role in use cannot be deleted; once nobody has it, it can.
    let res = delete(&app, &owner, &format!("/api/v1/roles/{}", id(&tagger))).await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "role_in_use",
        "delete Tagger in use",
    )
    .await;
    // ... a deactivated holder still counts (they may be reactivated).
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", agent.membership_id),
        json!({"status": "deactivated"}),
    )
    .await;
    expect(res, StatusCode::OK, "deactivate").await;
    let res = delete(&app, &owner, &format!("/api/v1/roles/{}", id(&tagger))).await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "role_in_use",
        "delete Tagger held by a deactivated agent",
    )
    .await;
    let agent_role = app.role_id(&owner, "agent").await;
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", agent.membership_id),
        json!({"role_id": agent_role}),
    )
    .await;
    expect(res, StatusCode::OK, "back to Agent").await;
    expect(
        delete(&app, &owner, &format!("/api/v1/roles/{}", id(&tagger))).await,
        StatusCode::NO_CONTENT,
        "delete Tagger",
    )
    .await;
    assert!(find(&list(&app, &owner, "/api/v1/roles").await, &id(&tagger)).is_none());
    let res = delete(&app, &owner, &format!("/api/v1/roles/{}", id(&tagger))).await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "not_found",
        "delete Tagger twice",
    )
    .await;
    // A role a pending invitation will give is in use too.
    invite(&app, &admin, &email("future-auditor"), &id(&auditor), &[]).await;
    let res = delete(&app, &admin, &format!("/api/v1/roles/{}", id(&auditor))).await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "role_in_use",
        "delete Auditor with a pending invitation",
    )
    .await;
    // An unused custom role is deleted by an admin.
    expect(
        delete(&app, &admin, &format!("/api/v1/roles/{}", id(&empty))).await,
        StatusCode::NO_CONTENT,
        "delete Nothing",
    )
    .await;
}

#[tokio::test]

async fn a_role_only_named_by_finished_invitations_can_be_deleted() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    // Revoked invitation.
    let temp = create_role(&app, &owner, "Temp", &["tags:manage"]).await;
    let inv = invite(&app, &owner, &email("temp"), &id(&temp), &[]).await;
    expect(
        delete(&app, &owner, &format!("/api/v1/invitations/{}", id(&inv))).await,
        StatusCode::NO_CONTENT,
        "revoke",
    )
    .await;
    let res = delete(&app, &owner, &format!("/api/v1/roles/{}", id(&temp))).await;
    expect(
        res,
        StatusCode::NO_CONTENT,
        "delete a role only a revoked invitation named",
    )
    .await;
    // Accepted invitation whose person has since been given another role.
    let helper = create_role(&app, &owner, "Helper", &["tags:manage"]).await;
    let e = email("helper");
    invite(&app, &owner, &e, &id(&helper), &[]).await;
    let token = app.mailed_token(&e, "accept-invitation").await;
    let s = common::session_from(
        expect(
            accept(&app, &token, "Helper Person", PASSWORD).await,
            StatusCode::OK,
            "accept",
        )
        .await,
        &e,
    );
    let agent_role = app.role_id(&owner, "agent").await;
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", s.membership_id),
        json!({"role_id": agent_role}),
    )
    .await;
    expect(res, StatusCode::OK, "move to Agent").await;
    let res = delete(&app, &owner, &format!("/api/v1/roles/{}", id(&helper))).await;
    expect(
        res,
        StatusCode::NO_CONTENT,
        "delete a role only an accepted invitation named",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Agents

#[tokio::test]
async fn agents_change_role_and_deactivation_ends_access_at_once() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    let agent_email = email("agent");
    let agent = app.add_member(&owner, &agent_email, "agent").await;
    // A second, independent session of the same person.
    let second = app.login(&agent_email, PASSWORD).await;
    assert_eq!(second.membership_id, agent.membership_id);

    let agents = list(&app, &owner, "/api/v1/agents").await;
    assert_eq!(agents.len(), 2);
    let me_owner = me(&app, &owner).await;
    let o = find(&agents, &owner.membership_id).unwrap();
    assert_eq!(o["role"]["name"], "Owner");
    assert_eq!(o["status"], "active");
    assert_eq!(o["user_id"], me_owner["user"]["id"]);
    assert_eq!(o["email"], owner.email.as_str());
    let a = find(&agents, &agent.membership_id).unwrap();
    assert_eq!(
        a["role"],
        json!({"id": app.role_id(&owner, "agent").await, "name": "Agent"})
    );
    assert_eq!(
        (
            a["email"].as_str(),
            a["name"].as_str(),
            a["status"].as_str()
        ),
        (
            Some(agent_email.as_str()),
            Some("Member Person"),
            Some("active")
        )
    );
    assert_eq!(a["team_ids"], json!([]));
    assert!(a["created_at"].is_string());

    // Promote to supervisor: the same token gains the supervisor's reach at once.
    let sup_role = app.role_id(&owner, "supervisor").await;
    let path = format!("/api/v1/agents/{}", agent.membership_id);
    let res = patch(&app, &owner, &path, json!({"role_id": sup_role})).await;
    let promoted = expect(res, StatusCode::OK, "promote").await;
    assert_eq!(
        promoted["role"],
        json!({"id": sup_role, "name": "Supervisor"})
    );
    assert_eq!(
        (&promoted["id"], &promoted["status"]),
        (&json!(agent.membership_id), &json!("active"))
    );
    assert_eq!(
        me(&app, &agent).await["membership"]["role"]["name"],
        "Supervisor"
    );
    expect(
        app.get("/api/v1/agents", &agent.access_token).await,
        StatusCode::OK,
        "supervisor lists agents",
    )
    .await;
    // ... but a supervisor does not manage agents.
    let res = patch(
        &app,
        &agent,
        &format!("/api/v1/agents/{}", owner.membership_id),
        json!({"status": "deactivated"}),
    )
    .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "supervisor deactivates the owner",
    )
    .await;

    // Bad changes: 422, nothing changes.
    for (body, field) in [
        (json!({"role_id": uuid::Uuid::now_v7()}), Some("role_id")),
        (
            json!({"role_id": app.role_id(&b, "agent").await}),
            Some("role_id"),
        ),
        (json!({"status": "paused"}), None),
        (json!({"status": "Deactivated"}), None),
        (json!({"role_id": "admin"}), None),
    ] {
        let res = patch(&app, &owner, &path, body.clone()).await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("PATCH agent {body}"),
        )
        .await;
        if let Some(f) = field {
            assert!(err["error"]["fields"][f].is_string(), "{err}");
        }
    }
    assert_eq!(
        agent_row(&app, &owner, &agent.membership_id).await,
        promoted
    );

    // Deactivate: every token of that person in this business stops working now.
    let res = patch(&app, &owner, &path, json!({"status": "deactivated"})).await;
    let off = expect(res, StatusCode::OK, "deactivate").await;
    assert_eq!(off["status"], "deactivated");
    assert_eq!(off["role"]["name"], "Supervisor");
    for (ctx, s) in [("first session", &agent), ("second session", &second)] {
        let res = app.get("/api/v1/me", &s.access_token).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{ctx}: access token still works"
        );
        let res = app.get("/api/v1/tags", &s.access_token).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{ctx}: access token still works"
        );
        let res = refresh(&app, &s.refresh_token).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{ctx}: refresh token still works"
        );
    }
    // Logging in again does not give a session in a business one was removed from.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": agent_email, "password": PASSWORD}),
        )
        .await;
    let status = res.status();
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED,
        "login after deactivation: {status}"
    );
    assert_eq!(
        agent_row(&app, &owner, &agent.membership_id).await["status"],
        "deactivated"
    );
    // Deactivating twice is harmless.
    expect(
        patch(&app, &owner, &path, json!({"status": "deactivated"})).await,
        StatusCode::OK,
        "deactivate twice",
    )
    .await;

    // Reactivate: the old refresh tokens stay dead; a fresh login works.
    let res = patch(&app, &owner, &path, json!({"status": "active"})).await;
    assert_eq!(
        expect(res, StatusCode::OK, "reactivate").await["status"],
        "active"
    );
    for s in [&agent, &second] {
        assert_eq!(
            refresh(&app, &s.refresh_token).await.status(),
            StatusCode::UNAUTHORIZED,
            "revoked refresh token revived"
        );
    }
    let back = app.login(&agent_email, PASSWORD).await;
    assert_eq!(back.membership_id, agent.membership_id);
    assert_eq!(
        me(&app, &back).await["membership"]["role"]["name"],
        "Supervisor"
    );
    expect(
        refresh(&app, &back.refresh_token).await,
        StatusCode::OK,
        "refresh after reactivation",
    )
    .await;

    // Deactivation in one business leaves the person's sessions in another business alone.
    let agent_role_b = app.role_id(&b, "agent").await;
    invite(&app, &b, &agent_email, &agent_role_b, &[]).await;
    let token = app.mailed_token(&agent_email, "accept-invitation").await;
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    let in_b = common::session_from(
        expect(res, StatusCode::OK, "accept B's invitation").await,
        &agent_email,
    );
    assert_eq!(in_b.tenant_id, b.tenant_id);
    let res = patch(&app, &owner, &path, json!({"status": "deactivated"})).await;
    expect(res, StatusCode::OK, "deactivate again").await;
    assert_eq!(
        app.get("/api/v1/me", &back.access_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&app, &back.refresh_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let mine = me(&app, &in_b).await;
    assert_eq!(mine["tenant"]["name"], "Beta");
    assert_eq!(
        mine["memberships"].as_array().unwrap().len(),
        1,
        "a deactivated membership is still offered: {mine}"
    );
    expect(
        refresh(&app, &in_b.refresh_token).await,
        StatusCode::OK,
        "refresh in B after deactivation in A",
    )
    .await;
    // Logging in lands in B; asking for A is refused; switching to A is refused.
    assert_eq!(
        app.login(&agent_email, PASSWORD).await.tenant_id,
        b.tenant_id
    );
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": agent_email, "password": PASSWORD, "tenant_id": owner.tenant_id}),
        )
        .await;
    assert!(
        res.status().is_client_error(),
        "login into A after deactivation: {}",
        res.status()
    );
    let res = app
        .post(
            "/api/v1/auth/switch",
            Some(&in_b.access_token),
            json!({"tenant_id": owner.tenant_id}),
        )
        .await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "not_found",
        "switch into A after deactivation",
    )
    .await;

    // Unknown membership: 404.
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", uuid::Uuid::now_v7()),
        json!({"status": "active"}),
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", "unknown agent").await;
}

#[tokio::test]
async fn a_business_always_keeps_an_active_owner() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    let admin = app.add_member(&owner, &email("admin"), "admin").await;
    let other_admin = app.add_member(&owner, &email("admin2"), "admin").await;
    let owner_role = app.role_id(&owner, "owner").await;
    let admin_role = app.role_id(&owner, "admin").await;
    let owner_path = format!("/api/v1/agents/{}", owner.membership_id);

    // The only owner can neither demote nor deactivate themselves.
    for body in [
        json!({"role_id": admin_role}),
        json!({"status": "deactivated"}),
        json!({"role_id": admin_role, "status": "deactivated"}),
    ] {
        let res = patch(&app, &owner, &owner_path, body.clone()).await;
        expect_error(
            res,
            StatusCode::CONFLICT,
            "last_owner",
            &format!("last owner {body}"),
        )
        .await;
    }
    // Nor can an admin do it to them.
    let res = patch(&app, &admin, &owner_path, json!({"status": "deactivated"})).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(
        (status, body["error"]["code"].as_str()) == (StatusCode::CONFLICT, Some("last_owner"))
            || (status, body["error"]["code"].as_str())
                == (StatusCode::FORBIDDEN, Some("forbidden")),
        "admin deactivates the last owner: {status} {body}"
    );
    // Keeping the owner role is not a demotion.
    let res = patch(
        &app,
        &owner,
        &owner_path,
        json!({"role_id": owner_role, "status": "active"}),
    )
    .await;
    expect(res, StatusCode::OK, "no-op on the last owner").await;
    let o = agent_row(&app, &owner, &owner.membership_id).await;
    assert_eq!(
        (o["role"]["name"].as_str(), o["status"].as_str()),
        (Some("Owner"), Some("active"))
    );

    // An admin cannot make anyone an owner (the owner role has billing:manage).
    let res = patch(
        &app,
        &admin,
        &format!("/api/v1/agents/{}", admin.membership_id),
        json!({"role_id": owner_role}),
    )
    .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "admin makes themselves owner",
    )
    .await;
    // The owner can: now there are two.
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", admin.membership_id),
        json!({"role_id": owner_role}),
    )
    .await;
    assert_eq!(
        expect(res, StatusCode::OK, "second owner").await["role"]["name"],
        "Owner"
    );
    // With two owners an admin still cannot touch an owner.
    let res = patch(
        &app,
        &other_admin,
        &owner_path,
        json!({"role_id": admin_role}),
    )
    .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "admin demotes an owner",
    )
    .await;
    let res = patch(
        &app,
        &other_admin,
        &owner_path,
        json!({"status": "deactivated"}),
    )
    .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "admin deactivates an owner",
    )
    .await;
    // One owner may demote the other...
    let res = patch(&app, &admin, &owner_path, json!({"role_id": admin_role})).await;
    assert_eq!(
        expect(res, StatusCode::OK, "owner demotes the first owner").await["role"]["name"],
        "Admin"
    );
    // ... and then is the last one.
    let new_owner_path = format!("/api/v1/agents/{}", admin.membership_id);
    let res = patch(
        &app,
        &admin,
        &new_owner_path,
        json!({"status": "deactivated"}),
    )
    .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "last_owner",
        "new last owner deactivates themselves",
    )
    .await;
    let res = patch(
        &app,
        &admin,
        &new_owner_path,
        json!({"role_id": admin_role}),
    )
    .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "last_owner",
        "new last owner demotes themselves",
    )
    .await;
    // A deactivated owner does not count as the business's owner.
    let res = patch(&app, &admin, &owner_path, json!({"role_id": owner_role})).await;
    expect(res, StatusCode::OK, "re-promote the first owner").await;
    let res = patch(&app, &admin, &owner_path, json!({"status": "deactivated"})).await;
    expect(
        res,
        StatusCode::OK,
        "deactivate the first owner (two owners)",
    )
    .await;
    let res = patch(
        &app,
        &admin,
        &new_owner_path,
        json!({"role_id": admin_role}),
    )
    .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "last_owner",
        "the only active owner demotes themselves",
    )
    .await;
    let owners: Vec<Value> = list(&app, &admin, "/api/v1/agents")
        .await
        .into_iter()
        .filter(|a| a["role"]["name"] == "Owner" && a["status"] == "active")
        .collect();
    assert_eq!(ids(&owners), vec![admin.membership_id.clone()]);
}

// ---------------------------------------------------------------------------------------------
// Invitations

#[tokio::test]
async fn invitation_from_mail_to_member() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    let team = create_team(&app, &a, "Night shift", &[]).await;
    let sup_role = app.role_id(&a, "supervisor").await;
    let lower = email("new.person");
    let mixed = lower.replacen("new.person", "New.Person", 1).to_uppercase();

    let inv = invite(&app, &a, &mixed, &sup_role, &[&id(&team)]).await;
    assert_eq!(inv["email"], lower.as_str());
    assert_eq!(inv["role"], json!({"id": sup_role, "name": "Supervisor"}));
    assert_eq!(inv["team_ids"], json!([id(&team)]));
    assert_eq!(inv["status"], "pending");
    let created: chrono::DateTime<chrono::Utc> =
        inv["created_at"].as_str().unwrap().parse().unwrap();
    let expires: chrono::DateTime<chrono::Utc> =
        inv["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - created).num_minutes() as f64 / (24.0 * 60.0);
    assert!((days - 7.0).abs() < 0.01, "valid for {days} days");
    assert_eq!(
        find(&list(&app, &a, "/api/v1/invitations").await, &id(&inv)),
        Some(&inv)
    );

    // The mail carries the link; the link previews the invitation without a token.
    let token = app.mailed_token(&lower, "accept-invitation").await;
    let res = lookup(&app, &token).await;
    let preview = expect(res, StatusCode::OK, "lookup").await;
    assert_eq!(
        preview,
        json!({"tenant_name": "Alpha", "email": lower, "role_name": "Supervisor", "inviter_name": "Owner Person", "account_exists": false})
    );
    for bad in ["garbage", "", "a.b.c"] {
        expect_invitation_gone(lookup(&app, bad).await, &format!("lookup {bad:?}")).await;
    }
    // A tampered secret with the right ids is still unknown.
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    expect_invitation_gone(lookup(&app, &tampered).await, "lookup tampered").await;
    expect_invitation_gone(
        accept(&app, &tampered, "New Person", PASSWORD).await,
        "accept tampered",
    )
    .await;

    // A refused acceptance (weak password, no name) leaves it pending.
    let res = accept(&app, &token, "New Person", "short").await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "accept with a weak password",
    )
    .await;
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "accept without a name",
    )
    .await;
    expect(lookup(&app, &token).await, StatusCode::OK, "still pending").await;

    // Accept as a new person: a session in Alpha.
    let res = accept(&app, &token, "New Person", PASSWORD).await;
    let session = expect(res, StatusCode::OK, "accept").await;
    assert_eq!(
        (
            session["token_type"].as_str(),
            session["expires_in"].as_i64()
        ),
        (Some("Bearer"), Some(900))
    );
    assert_eq!(session["tenant_id"], a.tenant_id.as_str());
    let newbie = common::session_from(session, &lower);
    let mine = me(&app, &newbie).await;
    assert_eq!(
        (
            mine["tenant"]["name"].as_str(),
            mine["membership"]["role"]["name"].as_str()
        ),
        (Some("Alpha"), Some("Supervisor"))
    );
    assert_eq!(
        (
            mine["user"]["email"].as_str(),
            mine["user"]["name"].as_str()
        ),
        (Some(lower.as_str()), Some("New Person"))
    );
    // They appear among the agents with the invitation's role and teams.
    let row = agent_row(&app, &a, &newbie.membership_id).await;
    assert_eq!(row["role"], json!({"id": sup_role, "name": "Supervisor"}));
    assert_eq!(row["team_ids"], json!([id(&team)]));
    assert_eq!(
        (
            row["status"].as_str(),
            row["email"].as_str(),
            row["name"].as_str()
        ),
        (Some("active"), Some(lower.as_str()), Some("New Person"))
    );
    assert_eq!(row["user_id"], mine["user"]["id"]);
    let teams = list(&app, &a, "/api/v1/teams").await;
    assert_eq!(
        find(&teams, &id(&team)).unwrap()["member_ids"],
        json!([newbie.membership_id])
    );
    // Their email counts as verified: they can log in.
    assert_eq!(
        app.login(&lower, PASSWORD).await.membership_id,
        newbie.membership_id
    );
    // Not a member of Beta.
    assert!(
        find(
            &list(&app, &b, "/api/v1/agents").await,
            &newbie.membership_id
        )
        .is_none()
    );

    // The token is spent.
    let listed = list(&app, &a, "/api/v1/invitations").await;
    assert_eq!(find(&listed, &id(&inv)).unwrap()["status"], "accepted");
    expect_invitation_gone(lookup(&app, &token).await, "lookup accepted").await;
    expect_invitation_gone(
        accept(&app, &token, "Someone Else", "another long passphrase").await,
        "accept twice",
    )
    .await;
    assert_eq!(list(&app, &a, "/api/v1/agents").await.len(), 2);
    let res = delete(&app, &a, &format!("/api/v1/invitations/{}", id(&inv))).await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "invitation_not_pending",
        "revoke accepted",
    )
    .await;
    // Inviting an active member again: 409.
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&a.access_token),
            json!({"email": lower, "role_id": sup_role}),
        )
        .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "already_member",
        "invite a member",
    )
    .await;

    // Revoke: the link dies.
    let agent_role = app.role_id(&a, "agent").await;
    let gone = email("revoked");
    let inv2 = invite(&app, &a, &gone, &agent_role, &[]).await;
    let token2 = app.mailed_token(&gone, "accept-invitation").await;
    expect(
        lookup(&app, &token2).await,
        StatusCode::OK,
        "lookup before revoke",
    )
    .await;
    expect(
        delete(&app, &a, &format!("/api/v1/invitations/{}", id(&inv2))).await,
        StatusCode::NO_CONTENT,
        "revoke",
    )
    .await;
    assert_eq!(
        find(&list(&app, &a, "/api/v1/invitations").await, &id(&inv2)).unwrap()["status"],
        "revoked"
    );
    expect_invitation_gone(lookup(&app, &token2).await, "lookup revoked").await;
    expect_invitation_gone(
        accept(&app, &token2, "Gone Person", PASSWORD).await,
        "accept revoked",
    )
    .await;
    let res = delete(&app, &a, &format!("/api/v1/invitations/{}", id(&inv2))).await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "invitation_not_pending",
        "revoke twice",
    )
    .await;

    // A new invitation to the same address replaces the pending one.
    let twice = email("twice");
    let first = invite(&app, &a, &twice, &agent_role, &[]).await;
    let first_token = app.mailed_token(&twice, "accept-invitation").await;
    let second = invite(&app, &a, &twice, &sup_role, &[]).await;
    let listed = list(&app, &a, "/api/v1/invitations").await;
    assert_eq!(find(&listed, &id(&first)).unwrap()["status"], "revoked");
    assert_eq!(find(&listed, &id(&second)).unwrap()["status"], "pending");
    expect_invitation_gone(lookup(&app, &first_token).await, "lookup replaced").await;

    // Bad input: 422 naming the field; nothing is created or mailed.
    let count = list(&app, &a, "/api/v1/invitations").await.len();
    let b_team = create_team(&app, &b, "Beta team", &[]).await;
    for (body, field) in [
        (
            json!({"email": "not-an-email", "role_id": agent_role}),
            "email",
        ),
        (json!({"email": "", "role_id": agent_role}), "email"),
        (
            json!({"email": email("x"), "role_id": uuid::Uuid::now_v7()}),
            "role_id",
        ),
        (
            json!({"email": email("x"), "role_id": app.role_id(&b, "agent").await}),
            "role_id",
        ),
        (
            json!({"email": email("x"), "role_id": agent_role, "team_ids": [id(&b_team)]}),
            "team_ids",
        ),
        (
            json!({"email": email("x"), "role_id": agent_role, "team_ids": [uuid::Uuid::now_v7()]}),
            "team_ids",
        ),
    ] {
        let res = app
            .post("/api/v1/invitations", Some(&a.access_token), body.clone())
            .await;
        let err = expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &format!("invite {body}"),
        )
        .await;
        assert!(err["error"]["fields"][field].is_string(), "{body}: {err}");
    }
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&a.access_token),
            json!({"email": email("x")}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "invite without role",
    )
    .await;
    assert_eq!(list(&app, &a, "/api/v1/invitations").await.len(), count);
    // Beta never saw any of this.
    assert!(list(&app, &b, "/api/v1/invitations").await.is_empty());
}

#[tokio::test]
async fn invitations_never_grant_more_than_the_inviter_holds() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    let admin = app.add_member(&owner, &email("admin"), "admin").await;
    let biller = create_role(&app, &owner, "Biller", &["billing:manage", "tags:manage"]).await;
    let before = list(&app, &owner, "/api/v1/invitations").await.len();
    for (what, role) in [
        ("owner role", app.role_id(&owner, "owner").await),
        ("custom role with billing", id(&biller)),
    ] {
        let res = app
            .post(
                "/api/v1/invitations",
                Some(&admin.access_token),
                json!({"email": email("x"), "role_id": role}),
            )
            .await;
        expect_error(
            res,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("admin invites with the {what}"),
        )
        .await;
    }
    assert_eq!(
        list(&app, &owner, "/api/v1/invitations").await.len(),
        before
    );
    // Within their own permissions, fine; the owner may use any role.
    invite(
        &app,
        &admin,
        &email("sup"),
        &app.role_id(&owner, "supervisor").await,
        &[],
    )
    .await;
    invite(
        &app,
        &admin,
        &email("adm"),
        &app.role_id(&owner, "admin").await,
        &[],
    )
    .await;
    invite(&app, &owner, &email("bill"), &id(&biller), &[]).await;
    assert_eq!(
        list(&app, &owner, "/api/v1/invitations").await.len(),
        before + 3
    );
}

#[tokio::test]

async fn invitation_token_errors_use_the_documented_code() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    let res = lookup(&app, "garbage").await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "invitation_not_found",
        "lookup garbage",
    )
    .await;
    let e = email("new");
    invite(&app, &owner, &e, &app.role_id(&owner, "agent").await, &[]).await;
    let token = app.mailed_token(&e, "accept-invitation").await;
    expect(
        accept(&app, &token, "New Person", PASSWORD).await,
        StatusCode::OK,
        "accept",
    )
    .await;
    expect_error(
        lookup(&app, &token).await,
        StatusCode::NOT_FOUND,
        "invitation_not_found",
        "lookup used",
    )
    .await;
    let res = accept(&app, &token, "New Person", PASSWORD).await;
    expect_error(
        res,
        StatusCode::NOT_FOUND,
        "invitation_not_found",
        "accept used",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Audit log

#[tokio::test]
async fn admin_actions_are_audited_newest_first() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("alpha")).await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    let sup = app.add_member(&owner, &email("sup"), "supervisor").await;
    let res = app.get("/api/v1/audit-log", &agent.access_token).await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent reads the audit log",
    )
    .await;
    let baseline = list(&app, &owner, "/api/v1/audit-log").await;
    // The acceptances of the two invitations are there, by the new members themselves.
    let accepted: Vec<&Value> = baseline
        .iter()
        .filter(|r| r["action"] == "invitation.accepted")
        .collect();
    assert_eq!(accepted.len(), 2);
    assert_eq!(
        accepted[0]["actor"]["membership_id"],
        sup.membership_id.as_str()
    );
    assert_eq!(
        accepted[1]["actor"]["membership_id"],
        agent.membership_id.as_str()
    );

    let tag = create_tag(&app, &owner, "Audited", "#111111").await;
    let tag_id = id(&tag);
    // Refused writes leave no trace.
    let res = app
        .post(
            "/api/v1/tags",
            Some(&owner.access_token),
            json!({"name": "AUDITED", "colour": "#111111"}),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "tag_exists", "duplicate").await;
    let res = app
        .post(
            "/api/v1/tags",
            Some(&agent.access_token),
            json!({"name": "Nope", "colour": "#111111"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::FORBIDDEN,
        "forbidden",
        "agent creates a tag",
    )
    .await;
    let updated = expect(
        patch(
            &app,
            &owner,
            &format!("/api/v1/tags/{tag_id}"),
            json!({"colour": "#222222"}),
        )
        .await,
        StatusCode::OK,
        "update",
    )
    .await;
    expect(
        delete(&app, &owner, &format!("/api/v1/tags/{tag_id}")).await,
        StatusCode::NO_CONTENT,
        "delete",
    )
    .await;
    let role = create_role(&app, &owner, "Reader", &["reports:view"]).await;
    let inv = invite(
        &app,
        &owner,
        &email("audited"),
        &app.role_id(&owner, "agent").await,
        &[],
    )
    .await;
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", agent.membership_id),
        json!({"status": "deactivated"}),
    )
    .await;
    let deactivated = expect(res, StatusCode::OK, "deactivate").await;

    let log = list(&app, &owner, "/api/v1/audit-log").await;
    assert_eq!(log.len(), baseline.len() + 6, "{log:#?}");
    assert_eq!(&log[6..], &baseline[..], "older entries changed");
    let fresh = &log[..6];
    let actions: Vec<&str> = fresh
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "agent.deactivated",
            "invitation.created",
            "role.created",
            "tag.deleted",
            "tag.updated",
            "tag.created"
        ]
    );
    for r in fresh {
        assert_eq!(
            r["actor"],
            json!({"membership_id": owner.membership_id, "name": "Owner Person"}),
            "{r}"
        );
        assert!(r["id"].is_string() && r["created_at"].is_string(), "{r}");
    }
    let times: Vec<chrono::DateTime<chrono::Utc>> = log
        .iter()
        .map(|r| r["created_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "not newest first");
    let unique: HashSet<String> = ids(&log).into_iter().collect();
    assert_eq!(unique.len(), log.len());

    let by = |action: &str| {
        fresh
            .iter()
            .find(|r| r["action"] == action)
            .unwrap()
            .clone()
    };
    let created = by("tag.created");
    assert_eq!(
        (
            created["target_type"].as_str(),
            created["target_id"].as_str()
        ),
        (Some("tag"), Some(tag_id.as_str()))
    );
    assert!(created["before"].is_null());
    assert_eq!(created["after"], tag);
    let upd = by("tag.updated");
    assert_eq!(
        (upd["target_type"].as_str(), upd["target_id"].as_str()),
        (Some("tag"), Some(tag_id.as_str()))
    );
    assert_eq!(upd["before"], tag);
    assert_eq!(upd["after"], updated);
    assert_eq!(
        (
            upd["before"]["colour"].as_str(),
            upd["after"]["colour"].as_str()
        ),
        (Some("#111111"), Some("#222222"))
    );
    let del = by("tag.deleted");
    assert_eq!(del["target_id"], tag_id.as_str());
    assert_eq!(del["before"], updated);
    assert!(del["after"].is_null());
    let rc = by("role.created");
    assert_eq!(
        (rc["target_type"].as_str(), rc["target_id"].as_str()),
        (Some("role"), Some(id(&role).as_str()))
    );
    assert!(rc["before"].is_null());
    assert_eq!(rc["after"]["name"], "Reader");
    assert_eq!(rc["after"]["permissions"], json!(["reports:view"]));
    let ic = by("invitation.created");
    assert_eq!(
        (ic["target_type"].as_str(), ic["target_id"].as_str()),
        (Some("invitation"), Some(id(&inv).as_str()))
    );
    assert!(ic["before"].is_null());
    assert_eq!(ic["after"]["email"], inv["email"]);
    assert_eq!(ic["after"]["status"], "pending");
    assert!(
        !ic["after"].to_string().to_lowercase().contains("token"),
        "the audit log holds an invitation secret: {ic}"
    );
    let ad = by("agent.deactivated");
    assert_eq!(
        (ad["target_type"].as_str(), ad["target_id"].as_str()),
        (Some("membership"), Some(agent.membership_id.as_str()))
    );
    assert_eq!(
        (
            ad["before"]["status"].as_str(),
            ad["after"]["status"].as_str()
        ),
        (Some("active"), Some("deactivated"))
    );
    assert_eq!(ad["after"], deactivated);

    // Who may read it: owner, admin-like roles, supervisors; not agents (nor the deactivated).
    assert_eq!(list(&app, &sup, "/api/v1/audit-log").await, log);
    let res = app.get("/api/v1/audit-log", &agent.access_token).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A custom role with audit:view may; the log shows the role change too.
    let auditor = create_role(&app, &owner, "Auditor", &["audit:view"]).await;
    let res = patch(
        &app,
        &owner,
        &format!("/api/v1/agents/{}", sup.membership_id),
        json!({"role_id": id(&auditor)}),
    )
    .await;
    expect(res, StatusCode::OK, "make sup an auditor").await;
    let seen = list(&app, &sup, "/api/v1/audit-log").await;
    assert_eq!(seen[0]["action"], "agent.updated");
    assert_eq!(
        (
            seen[0]["before"]["role"]["name"].as_str(),
            seen[0]["after"]["role"]["name"].as_str()
        ),
        (Some("Supervisor"), Some("Auditor"))
    );
}
