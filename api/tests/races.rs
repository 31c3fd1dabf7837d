//! Concurrent admin actions: the rules checked before a write (the last owner, a role in use)
//! must still hold when two requests race, and a race is never a 500.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{email, spawn_app};
use support::*;

#[tokio::test]

async fn two_owners_demoting_each_other_leave_one_owner() {
    let app = spawn_app().await;
    let x = app.signup_owner("Alpha", &email("x")).await;
    let y = app.add_member(&x, &email("y"), "owner").await;
    let watcher = app.add_member(&x, &email("watcher"), "admin").await;
    let owner_role = app.role_id(&x, "owner").await;
    let admin_role = app.role_id(&x, "admin").await;
    let x_path = format!("/api/v1/agents/{}", x.membership_id);
    let y_path = format!("/api/v1/agents/{}", y.membership_id);
    let mut outcomes = vec![];
    for round in 0..20 {
        let body = if round % 2 == 0 {
            json!({"role_id": admin_role})
        } else {
            json!({"status": "deactivated"})
        };
        let (rx, ry) = tokio::join!(
            patch(&app, &x, &y_path, body.clone()),
            patch(&app, &y, &x_path, body.clone())
        );
        let (sx, sy) = (rx.status(), ry.status());
        outcomes.push((sx.as_u16(), sy.as_u16()));
        assert!(
            !sx.is_server_error() && !sy.is_server_error(),
            "round {round}: {sx} {sy}"
        );
        let owners: Vec<Value> = list(&app, &watcher, "/api/v1/agents")
            .await
            .into_iter()
            .filter(|a| a["role"]["name"] == "Owner" && a["status"] == "active")
            .collect();
        assert!(
            !owners.is_empty(),
            "round {round} ({body}): no active owner left; outcomes {outcomes:?}"
        );
        // Restore two active owners.
        let survivor = if owners[0]["id"] == x.membership_id.as_str() {
            &x
        } else {
            &y
        };
        for p in [&x_path, &y_path] {
            let res = patch(
                &app,
                survivor,
                p,
                json!({"role_id": owner_role, "status": "active"}),
            )
            .await;
            expect(res, StatusCode::OK, "restore").await;
        }
    }
    eprintln!("outcomes: {outcomes:?}");
}

/// Two requests at once; neither may be a 5xx. Returns both statuses.
async fn race(
    a: impl std::future::Future<Output = reqwest::Response>,
    b: impl std::future::Future<Output = reqwest::Response>,
    ctx: &str,
) -> (u16, u16) {
    let (ra, rb) = tokio::join!(a, b);
    let (sa, sb) = (ra.status(), rb.status());
    let (ta, tb) = (ra.text().await.unwrap(), rb.text().await.unwrap());
    assert!(
        !sa.is_server_error() && !sb.is_server_error(),
        "{ctx}: {sa} {ta} / {sb} {tb}"
    );
    (sa.as_u16(), sb.as_u16())
}

#[tokio::test]

async fn deleting_a_role_while_it_is_being_given_is_never_a_500() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    let agent_role = app.role_id(&owner, "agent").await;
    let agent_path = format!("/api/v1/agents/{}", agent.membership_id);
    let mut outcomes = vec![];
    for round in 0..15 {
        let res = patch(&app, &owner, &agent_path, json!({"role_id": agent_role})).await;
        expect(res, StatusCode::OK, "reset").await;
        let role = create_role(&app, &owner, &format!("Racy {round}"), &["notes:write"]).await;
        let role_path = format!("/api/v1/roles/{}", role["id"].as_str().unwrap());
        outcomes.push(
            race(
                delete(&app, &owner, &role_path),
                patch(&app, &owner, &agent_path, json!({"role_id": role["id"]})),
                &format!("assign round {round}; before: {outcomes:?}"),
            )
            .await,
        );
    }
    eprintln!("assign: {outcomes:?}");
}

#[tokio::test]

async fn deleting_a_role_while_an_invitation_names_it_is_never_a_500() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let mut outcomes = vec![];
    for round in 0..15 {
        let role = create_role(&app, &owner, &format!("Invited {round}"), &["notes:write"]).await;
        let role_path = format!("/api/v1/roles/{}", role["id"].as_str().unwrap());
        outcomes.push(
            race(
                delete(&app, &owner, &role_path),
                app.post(
                    "/api/v1/invitations",
                    Some(&owner.access_token),
                    json!({"email": email("racy"), "role_id": role["id"]}),
                ),
                &format!("invite round {round}; before: {outcomes:?}"),
            )
            .await,
        );
    }
    eprintln!("invite: {outcomes:?}");
}

#[tokio::test]

async fn deleting_a_team_while_its_members_change_is_never_a_500() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let mut outcomes = vec![];
    for round in 0..20 {
        let team = create_team(&app, &owner, &format!("Team {round}"), &[]).await;
        let path = format!("/api/v1/teams/{}", team["id"].as_str().unwrap());
        outcomes.push(
            race(
                delete(&app, &owner, &path),
                patch(
                    &app,
                    &owner,
                    &path,
                    json!({"member_ids": [owner.membership_id]}),
                ),
                &format!("team round {round}; before: {outcomes:?}"),
            )
            .await,
        );
    }
    eprintln!("team: {outcomes:?}");
}

#[tokio::test]
async fn the_same_name_twice_at_once_is_one_created_one_conflict() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    for (path, code, body) in [
        (
            "/api/v1/tags",
            "tag_exists",
            json!({"name": "Twin", "colour": "#101010"}),
        ),
        ("/api/v1/teams", "team_exists", json!({"name": "Twin"})),
        (
            "/api/v1/roles",
            "role_exists",
            json!({"name": "Twin", "permissions": []}),
        ),
    ] {
        let (a, b) = tokio::join!(
            app.post(path, Some(&owner.access_token), body.clone()),
            app.post(path, Some(&owner.access_token), body.clone())
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        let (ta, tb) = (a.text().await.unwrap(), b.text().await.unwrap());
        assert_eq!(statuses, [201, 409], "{path}: {ta} / {tb}");
        assert!(
            ta.contains(code) || tb.contains(code),
            "{path}: {ta} / {tb}"
        );
    }
}
