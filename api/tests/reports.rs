//! KPI reports through the real server: every figure is recomputed from raw facts and must be
//! equal. Two checks, so neither can hide the other: the captured facts (`kpi_events`) match the
//! inbox's own records (conversations, messages, the timeline's resolve and reopen items), and the
//! report matches a computation over those facts done here, independently of the roll-up. Also:
//! the roll-up counts each fact once however often it runs; business hours shorten the
//! business-time figures; another business's activity never shows; bad ranges are 422. HTTP
//! contract (401/403): `resources.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use chorus_tenants::kpi::histogram::Histogram;
use chorus_tenants::kpi::rollup;
use chorus_tenants::kpi::stats_of;
use common::{Session, TestApp, email, spawn_app};
use support::*;

async fn writes(app: &TestApp, s: &Session, from: &str, text: &str) -> String {
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
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn reply(app: &TestApp, s: &Session, conv: &str, text: &str) {
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&s.access_token),
            json!({"text": text, "force": true}),
        )
        .await;
    assert!(
        res.status().is_success(),
        "reply: {}",
        res.text().await.unwrap()
    );
}

async fn patch(app: &TestApp, s: &Session, conv: &str, body: Value) {
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/conversations/{conv}"),
            Some(&s.access_token),
            Some(body),
        )
        .await;
    expect(res, StatusCode::OK, "patch conversation").await;
}

#[derive(QueryableByName, Debug)]
struct Fact {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    started_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    agent_id: Option<uuid::Uuid>,
}

#[derive(QueryableByName, Debug)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn facts(app: &TestApp, tenant: &str) -> Vec<Fact> {
    let mut conn = app.db.superuser().await;
    diesel::sql_query(
        "SELECT kind, at, started_at, agent_id FROM kpi_events WHERE tenant_id = $1::text::uuid ORDER BY id",
    )
    .bind::<Text, _>(tenant)
    .load(&mut conn)
    .await
    .unwrap()
}

async fn count(app: &TestApp, sql: &str, tenant: &str) -> i64 {
    let mut conn = app.db.superuser().await;
    let n: N = diesel::sql_query(sql)
        .bind::<Text, _>(tenant)
        .get_result(&mut conn)
        .await
        .unwrap();
    n.n
}

/// Roll up everything committed so far (other tests' transactions in the cluster can hold the
/// horizon back for a moment).
async fn catch_up(app: &TestApp) {
    let caught = rollup::roll_up_until_now(&app.state.store, std::time::Duration::from_secs(30))
        .await
        .unwrap();
    assert!(caught, "the roll-up did not catch up within 30 s");
}

async fn report(app: &TestApp, s: &Session, query: &str) -> Value {
    get_ok(app, s, &format!("/api/v1/reports/overview{query}")).await
}

/// The first-response and resolution figures of `facts`, computed here.
fn expected_durations(facts: &[Fact], kind: &str, agent: Option<uuid::Uuid>) -> Value {
    let mut hist = Histogram::default();
    let (mut n, mut sum) = (0i64, 0i64);
    for f in facts
        .iter()
        .filter(|f| f.kind == kind && (agent.is_none() || f.agent_id == agent))
    {
        let secs = (f.at - f.started_at.unwrap()).num_seconds().max(0);
        hist.add(secs);
        n += 1;
        sum += secs;
    }
    // No business hours are set: business time is calendar time.
    serde_json::to_value(stats_of(n, sum, &hist, sum, &hist)).unwrap()
}

#[tokio::test]
async fn every_figure_equals_its_recomputation_from_raw_facts() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Figures", &email("figures")).await;
    let agent = app
        .add_member(&owner, &email("agent-figures"), "agent")
        .await;
    let other = app.signup_owner("Elsewhere", &email("elsewhere")).await;
    let tenant = owner.tenant_id.clone();

    // Three customers; the agent answers and solves one twice (a reopening), the owner another.
    let c1 = writes(&app, &owner, "34600100001", "hola").await;
    let c2 = writes(&app, &owner, "34600100002", "buenas").await;
    let c3 = writes(&app, &owner, "34600100003", "¿abrís mañana?").await;
    writes(&app, &other, "34600100009", "not theirs").await;
    patch(
        &app,
        &owner,
        &c1,
        json!({"assignee_id": agent.membership_id}),
    )
    .await;
    reply(&app, &agent, &c1, "¡Hola! ¿En qué te ayudo?").await;
    reply(&app, &owner, &c2, "Buenas, dime").await;
    writes(&app, &owner, "34600100001", "quería cambiar la talla").await;
    reply(&app, &agent, &c1, "Hecho").await;
    patch(&app, &agent, &c1, json!({"status": "resolved"})).await;
    patch(&app, &agent, &c1, json!({"status": "open"})).await;
    reply(&app, &agent, &c1, "Una cosa más: te llega el jueves").await;
    patch(&app, &agent, &c1, json!({"status": "resolved"})).await;
    patch(&app, &owner, &c2, json!({"status": "resolved"})).await;
    app.drain_jobs().await;
    let _ = c3;

    // Check 1: the captured facts match the inbox's own records.
    let facts_a = facts(&app, &tenant).await;
    let kinds = |k: &str| facts_a.iter().filter(|f| f.kind == k).count() as i64;
    let conversations = count(
        &app,
        "SELECT count(*) AS n FROM conversations WHERE tenant_id = $1::text::uuid",
        &tenant,
    )
    .await;
    let inbound = count(
        &app,
        "SELECT count(*) AS n FROM messages WHERE tenant_id = $1::text::uuid AND direction = 'inbound'",
        &tenant,
    )
    .await;
    let outbound = count(
        &app,
        "SELECT count(*) AS n FROM messages WHERE tenant_id = $1::text::uuid AND direction = 'outbound'",
        &tenant,
    )
    .await;
    let timeline = async |action: &str| {
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM messages WHERE tenant_id = $1::text::uuid \
                  AND kind = 'activity' AND content->>'action' = '{action}'"
            ),
            &tenant,
        )
        .await
    };
    let answered = count(
        &app,
        "SELECT count(*) AS n FROM conversations WHERE tenant_id = $1::text::uuid AND first_reply_at IS NOT NULL",
        &tenant,
    )
    .await;
    assert_eq!(conversations, 3);
    assert_eq!(kinds("opened"), conversations);
    assert_eq!(kinds("message_in"), inbound);
    assert_eq!(inbound, 4);
    assert_eq!(kinds("message_out"), outbound);
    assert!(outbound >= 4, "{outbound}");
    assert_eq!(kinds("resolved"), timeline("resolved").await);
    assert_eq!(kinds("resolved"), 3);
    assert_eq!(kinds("reopened"), timeline("reopened").await);
    assert_eq!(kinds("reopened"), 1);
    assert_eq!(kinds("first_response"), answered);
    assert_eq!(answered, 2);
    // The second resolution of c1 is measured from its reopening, not from the first opening.
    let resolutions: Vec<&Fact> = facts_a.iter().filter(|f| f.kind == "resolved").collect();
    let reopened_at = facts_a.iter().find(|f| f.kind == "reopened").unwrap().at;
    assert!(
        resolutions
            .iter()
            .any(|f| f.started_at == Some(reopened_at))
    );
    let agent_id: uuid::Uuid = agent.membership_id.parse().unwrap();
    assert!(
        resolutions
            .iter()
            .filter(|f| f.agent_id == Some(agent_id))
            .count()
            == 2
    );

    // Check 2: the report equals the computation over the facts.
    catch_up(&app).await;
    let r = report(&app, &owner, "").await;
    let t = &r["totals"];
    for (field, kind) in [
        ("opened", "opened"),
        ("reopened", "reopened"),
        ("resolved", "resolved"),
        ("messages_in", "message_in"),
        ("messages_out", "message_out"),
        ("bot_handled", "bot_handled"),
        ("sla_met", "sla_met"),
        ("sla_breached", "sla_breached"),
    ] {
        assert_eq!(t[field], kinds(kind), "{field}: {t}");
    }
    assert_eq!(
        t["first_response"],
        expected_durations(&facts_a, "first_response", None),
        "first response"
    );
    assert_eq!(
        t["resolution"],
        expected_durations(&facts_a, "resolved", None),
        "resolution"
    );
    // The days add up to the totals; today's backlog is what is open now (c3).
    let days = r["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    for field in ["opened", "resolved", "messages_in", "messages_out"] {
        let sum: i64 = days.iter().map(|d| d[field].as_i64().unwrap()).sum();
        assert_eq!(sum, t[field].as_i64().unwrap(), "{field} by day");
    }
    assert_eq!(r["open_now"], 1);
    assert_eq!(days.last().unwrap()["backlog"], 1);
    let heat_opened: i64 = r["heatmap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["opened"].as_i64().unwrap())
        .sum();
    assert_eq!(heat_opened, 3);
    // The agent's own row.
    let row = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent_id"] == agent.membership_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["resolved"], 2);
    assert_eq!(
        row["resolution"],
        expected_durations(&facts_a, "resolved", Some(agent_id))
    );
    let agent_out = facts_a
        .iter()
        .filter(|f| f.kind == "message_out" && f.agent_id == Some(agent_id))
        .count() as i64;
    assert_eq!(row["messages_out"], agent_out);
    // Filtered to the agent: only their conversation's facts.
    let mine = report(&app, &owner, &format!("?agent_id={}", agent.membership_id)).await;
    assert_eq!(mine["totals"]["resolved"], 2);
    assert!(r["rolled_up_at"].is_string());

    // Exactly once: running again adds nothing; new facts are added on top.
    catch_up(&app).await;
    assert_eq!(report(&app, &owner, "").await["totals"], r["totals"]);
    writes(&app, &owner, "34600100004", "otra consulta").await;
    catch_up(&app).await;
    let again = report(&app, &owner, "").await;
    assert_eq!(again["totals"]["opened"], 4);
    assert_eq!(again["totals"]["messages_in"], 5);

    // Another business sees only its own.
    let theirs = report(&app, &other, "").await;
    assert_eq!(theirs["totals"]["opened"], 1);
    assert_eq!(theirs["totals"]["resolved"], 0);

    // CSV: a line per day plus a header and the totals.
    let res = app
        .call(
            Method::GET,
            "/api/v1/reports/overview.csv",
            Some(&owner.access_token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 7 + 1, "{csv}");
    assert!(lines[0].starts_with("date,opened,reopened,resolved"));
    assert!(lines[8].starts_with("total,4,1,3,5,"), "{csv}");

    // Bad ranges.
    for q in [
        "?from=yesterday",
        "?from=2026-12-10&to=2026-12-01",
        "?from=2024-01-01&to=2026-01-01",
    ] {
        let res = app
            .get(&format!("/api/v1/reports/overview{q}"), &owner.access_token)
            .await;
        expect_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            q,
        )
        .await;
    }
}

#[tokio::test]
async fn business_hours_shorten_business_time_only() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Hours", &email("hours-kpi")).await;
    let c = writes(&app, &owner, "34600200001", "hola").await;
    reply(&app, &owner, &c, "buenas").await;
    // Back-date the opening by a night: 20:00 the day before yesterday (UTC) to the reply now.
    // With hours 09:00-17:00 every day, only the open part of that stretch is business time.
    let tenant = owner.tenant_id.clone();
    {
        let mut conn = app.db.superuser().await;
        diesel::sql_query(
            "UPDATE kpi_events SET started_at = date_trunc('day', at) - interval '28 hours' \
              WHERE tenant_id = $1::text::uuid AND kind = 'first_response'",
        )
        .bind::<Text, _>(&tenant)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "start": "09:00", "end": "17:00"}))
        .collect();
    let numbers = list(&app, &owner, "/api/v1/numbers").await;
    let res = app
        .call(
            Method::PUT,
            "/api/v1/business-hours",
            Some(&owner.access_token),
            Some(json!({"number_id": numbers[0]["id"], "time_zone": "UTC", "periods": days, "holidays": []})),
        )
        .await;
    assert!(
        res.status().is_success(),
        "hours: {}",
        res.text().await.unwrap()
    );
    catch_up(&app).await;
    let r = report(&app, &owner, "").await;
    let f = &r["totals"]["first_response"];
    assert_eq!(f["count"], 1);
    let calendar = f["calendar"]["mean_secs"].as_f64().unwrap();
    let business = f["business_hours"]["mean_secs"].as_f64().unwrap();
    assert!(calendar >= 28.0 * 3600.0, "{f}");
    // Two nights closed: at most 8 h of yesterday plus today's open time so far.
    assert!(business < calendar, "{f}");
    assert!(business <= (8 + 24) as f64 * 3600.0, "{f}");
}

#[tokio::test]
async fn the_floor_shows_load_and_waiting_now() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Floor", &email("floor")).await;
    let agent = app.add_member(&owner, &email("agent-floor"), "agent").await;
    let a = writes(&app, &owner, "34600300001", "hola").await;
    writes(&app, &owner, "34600300002", "hola").await;
    let c = writes(&app, &owner, "34600300003", "hola").await;
    patch(
        &app,
        &owner,
        &a,
        json!({"assignee_id": agent.membership_id}),
    )
    .await;
    reply(&app, &agent, &a, "dime").await;
    patch(&app, &owner, &c, json!({"status": "pending"})).await;
    let f = get_ok(&app, &owner, "/api/v1/reports/floor").await;
    assert_eq!(f["open"], 2, "{f}");
    assert_eq!(f["pending"], 1);
    assert_eq!(f["waiting"], 1, "the unanswered one");
    assert!(f["oldest_waiting_since"].is_string());
    let people = f["agents"].as_array().unwrap();
    let mine = people
        .iter()
        .find(|p| p["membership_id"] == agent.membership_id.as_str())
        .unwrap();
    assert_eq!(mine["open"], 1);
    assert_eq!(mine["waiting"], 0);
    assert_eq!(mine["status"], "offline", "no socket: offline");
    assert_eq!(f["offline"].as_i64().unwrap(), people.len() as i64);
    // Agents may not see the floor.
    let res = app.get("/api/v1/reports/floor", &agent.access_token).await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", "agent floor").await;
}
