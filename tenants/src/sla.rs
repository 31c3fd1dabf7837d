//! SLA policies: the response and resolution times a business promises, and the clocks that
//! keep those promises visible.
//!
//! A policy has up to three targets — first response (from the conversation's start to the
//! first agent reply), next response (from a customer's unanswered message, once the first reply
//! was given, to the next agent reply) and resolution (from the start to resolved) — counted in
//! calendar time or in the open time of the business hours that apply to the conversation's
//! number (no schedule, or one that never opens, counts as calendar time). The first enabled
//! policy by position whose conditions all hold applies (priority, tag, team, number; an empty
//! list does not restrict).
//!
//! The state lives on the conversation row and is *derived*: [`evaluate`] computes it from the
//! conversation's facts (start, first reply, waiting since, status, time paused) and the policy,
//! so every change (a customer message, a reply, a status, priority, team or tag change, the
//! sweep) just calls [`refresh`], which writes the new due times and `sla_check_at`, the next
//! instant anything can change by time alone. The sweep reads `sla_check_at <= now()` through a
//! partial index, so it never scans open conversations. Pending (waiting on the customer) and
//! snoozed conversations may pause the clock: the paused time is added to the due times.
//!
//! A warning fires once when a target has used `warn_percent` of its time (the conversation is
//! `at_risk`: a notification to the assignee). A breach writes to the timeline, notifies the
//! assignee and supervisors (members who may view reports) in realtime, emails the supervisors
//! (a job, so mail never holds the transaction) and runs the policy's escalation: raise the
//! priority, move to a team, notify a person. Each target breaches at most once per conversation
//! period (a reopening starts a new period).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::activity::{self, Activity};
use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::hours::Schedule;
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::{conversations as c, sla_policies as p, tags, teams};

/// Most policies a business may have.
pub const MAX_POLICIES: i64 = 50;
/// The periodic job that looks at conversations whose SLA clock has something due.
pub const SWEEP: &str = "sla_sweep";
/// How often the sweep runs.
pub const SWEEP_EVERY_SECS: i64 = 15;
/// The job that emails supervisors about a breach.
pub const BREACH_EMAIL: &str = "sla_breach_email";
const PRIORITIES: [&str; 5] = ["none", "low", "medium", "high", "urgent"];
const TARGETS: [&str; 3] = ["first_response", "next_response", "resolution"];

/// Which conversations a policy applies to. Every non-empty list must contain the
/// conversation's value (for tags: one of its tags).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Any of none, low, medium, high, urgent.
    #[serde(default)]
    pub priorities: Vec<String>,
    #[serde(default)]
    pub tag_ids: Vec<Uuid>,
    #[serde(default)]
    pub team_ids: Vec<Uuid>,
    #[serde(default)]
    pub number_ids: Vec<Uuid>,
}

/// What a breach does besides telling people.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Raise the priority to this (never lowers it).
    #[serde(default)]
    pub raise_priority: Option<String>,
    /// Move the conversation to this team.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// Also notify this member.
    #[serde(default)]
    pub notify_membership_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Policy {
    pub id: Uuid,
    pub name: String,
    /// 1-based; the first enabled matching policy applies.
    pub position: i32,
    pub enabled: bool,
    pub conditions: Conditions,
    pub first_response_minutes: Option<i32>,
    pub next_response_minutes: Option<i32>,
    pub resolution_minutes: Option<i32>,
    /// Count only the open time of the number's business hours.
    pub business_hours: bool,
    pub pause_when_pending: bool,
    pub pause_when_snoozed: bool,
    /// The share of a target's time after which the conversation is at risk (1-99).
    pub warn_percent: i32,
    pub escalation: Escalation,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyList {
    pub items: Vec<Policy>,
}

fn yes() -> bool {
    true
}
fn eighty() -> i32 {
    80
}

/// A policy as written in Settings (create and replace).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// 1 to 80 characters.
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub conditions: Conditions,
    /// Minutes (1 to 525,600); at least one of the three targets.
    pub first_response_minutes: Option<i32>,
    pub next_response_minutes: Option<i32>,
    pub resolution_minutes: Option<i32>,
    #[serde(default)]
    pub business_hours: bool,
    #[serde(default = "yes")]
    pub pause_when_pending: bool,
    #[serde(default = "yes")]
    pub pause_when_snoozed: bool,
    #[serde(default = "eighty")]
    pub warn_percent: i32,
    #[serde(default)]
    pub escalation: Escalation,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyOrder {
    /// Every policy's id, in the new order.
    pub ids: Vec<Uuid>,
}

/// A conversation's SLA as people see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlaView {
    /// on_track, at_risk, breached or met
    pub status: String,
    pub policy_id: Option<Uuid>,
    pub first_response_due_at: Option<DateTime<Utc>>,
    pub next_response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// The targets missed in this period: first_response, next_response, resolution.
    pub breaches: Vec<String>,
}

type Row = (
    (Uuid, String, i32, bool, Value),
    (Option<i32>, Option<i32>, Option<i32>, bool, bool, bool, i32),
    (Value, DateTime<Utc>, DateTime<Utc>),
);

macro_rules! policy_columns {
    () => {
        (
            (p::id, p::name, p::position, p::enabled, p::conditions),
            (
                p::first_response_minutes,
                p::next_response_minutes,
                p::resolution_minutes,
                p::business_hours,
                p::pause_when_pending,
                p::pause_when_snoozed,
                p::warn_percent,
            ),
            (p::escalation, p::created_at, p::updated_at),
        )
    };
}

/// Stored policies were checked on write; unreadable JSON (a newer version) reads as "no
/// conditions" and "no escalation" rather than failing the conversation that uses it.
fn to_policy(r: Row) -> Policy {
    let ((id, name, position, enabled, conditions), t, (escalation, created_at, updated_at)) = r;
    Policy {
        id,
        name,
        position,
        enabled,
        conditions: serde_json::from_value(conditions).unwrap_or_default(),
        first_response_minutes: t.0,
        next_response_minutes: t.1,
        resolution_minutes: t.2,
        business_hours: t.3,
        pause_when_pending: t.4,
        pause_when_snoozed: t.5,
        warn_percent: t.6,
        escalation: serde_json::from_value(escalation).unwrap_or_default(),
        created_at,
        updated_at,
    }
}

/// Words for a target, for the timeline and notifications.
pub fn target_words(target: &str, es: bool) -> &'static str {
    match (target, es) {
        ("first_response", false) => "first response time",
        ("first_response", true) => "tiempo de primera respuesta",
        ("next_response", false) => "next response time",
        ("next_response", true) => "tiempo de siguiente respuesta",
        ("resolution", false) => "resolution time",
        ("resolution", true) => "tiempo de resolución",
        (_, false) => "a target",
        (_, true) => "un objetivo",
    }
}

fn json_of<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(e.into()))
}

async fn check(tx: &mut TenantTx, input: PolicyInput) -> Result<PolicyInput> {
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::invalid(
            "name",
            "A policy's name has 1 to 80 characters.",
        ));
    }
    let targets = [
        ("first_response_minutes", input.first_response_minutes),
        ("next_response_minutes", input.next_response_minutes),
        ("resolution_minutes", input.resolution_minutes),
    ];
    if targets.iter().all(|(_, m)| m.is_none()) {
        return Err(Error::invalid(
            "first_response_minutes",
            "Set at least one target: first response, next response or resolution.",
        ));
    }
    for (field, m) in targets {
        if m.is_some_and(|m| !(1..=525_600).contains(&m)) {
            return Err(Error::invalid(
                field,
                "A target is 1 minute to 365 days (525,600 minutes).",
            ));
        }
    }
    if !(1..=99).contains(&input.warn_percent) {
        return Err(Error::invalid(
            "warn_percent",
            "Warn at 1 to 99 percent of a target.",
        ));
    }
    let mut conditions = input.conditions;
    for pr in &conditions.priorities {
        if !PRIORITIES.contains(&pr.as_str()) {
            return Err(Error::invalid(
                "conditions.priorities",
                "Priorities are none, low, medium, high or urgent.",
            ));
        }
    }
    conditions.priorities.sort();
    conditions.priorities.dedup();
    for (field, ids, n) in [
        ("conditions.tag_ids", &mut conditions.tag_ids, 0),
        ("conditions.team_ids", &mut conditions.team_ids, 1),
        ("conditions.number_ids", &mut conditions.number_ids, 2),
    ] {
        ids.sort();
        ids.dedup();
        if ids.len() > 50 {
            return Err(Error::invalid(field, "At most 50 ids in a condition."));
        }
        if ids.is_empty() {
            continue;
        }
        let found: i64 = match n {
            0 => {
                tags::table
                    .filter(tags::id.eq_any(ids.as_slice()))
                    .count()
                    .get_result(tx.pg())
                    .await?
            }
            1 => {
                teams::table
                    .filter(teams::id.eq_any(ids.as_slice()))
                    .count()
                    .get_result(tx.pg())
                    .await?
            }
            _ => {
                crate::schema::whatsapp_numbers::table
                    .filter(crate::schema::whatsapp_numbers::id.eq_any(ids.as_slice()))
                    .count()
                    .get_result(tx.pg())
                    .await?
            }
        };
        if found != ids.len() as i64 {
            return Err(Error::invalid(
                field,
                "An id in this condition is not one of this business's.",
            ));
        }
    }
    let e = &input.escalation;
    if let Some(pr) = &e.raise_priority
        && !PRIORITIES.contains(&pr.as_str())
    {
        return Err(Error::invalid(
            "escalation.raise_priority",
            "Priorities are none, low, medium, high or urgent.",
        ));
    }
    if let Some(t) = e.team_id {
        let found: i64 = teams::table
            .filter(teams::id.eq(t))
            .count()
            .get_result(tx.pg())
            .await?;
        if found == 0 {
            return Err(Error::invalid(
                "escalation.team_id",
                "There is no such team.",
            ));
        }
    }
    if let Some(m) = e.notify_membership_id {
        use crate::schema::memberships as ms;
        let found: i64 = ms::table
            .filter(ms::id.eq(m))
            .filter(ms::status.eq("active"))
            .count()
            .get_result(tx.pg())
            .await?;
        if found == 0 {
            return Err(Error::invalid(
                "escalation.notify_membership_id",
                "There is no such active member.",
            ));
        }
    }
    Ok(PolicyInput {
        name,
        conditions,
        ..input
    })
}

/// Every policy, in order. Supervisors may read them; changing them is a setting.
pub async fn list(tx: &mut TenantTx, actor: &Actor) -> Result<PolicyList> {
    actor.require_any(&[Permission::SettingsManage, Permission::ReportsView])?;
    let rows: Vec<Row> = p::table
        .order((p::position, p::created_at))
        .select(policy_columns!())
        .load(tx.pg())
        .await?;
    Ok(PolicyList {
        items: rows.into_iter().map(to_policy).collect(),
    })
}

async fn fetch(tx: &mut TenantTx, id: Uuid) -> Result<Policy> {
    let row: Option<Row> = p::table
        .filter(p::id.eq(id))
        .select(policy_columns!())
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_policy).ok_or(Error::NotFound("SLA policy"))
}

/// Open conversations are looked at again by the next sweep (the policy that applies may have
/// changed).
async fn recheck_open(tx: &mut TenantTx) -> Result<()> {
    diesel::update(c::table.filter(c::status.ne("resolved")))
        .set(c::sla_check_at.eq(Some(Utc::now())))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// Add a policy at the end of the list.
pub async fn create(tx: &mut TenantTx, actor: &Actor, input: PolicyInput) -> Result<Policy> {
    actor.require(Permission::SettingsManage)?;
    let input = check(tx, input).await?;
    let (count, last): (i64, Option<i32>) = p::table
        .select((diesel::dsl::count_star(), diesel::dsl::max(p::position)))
        .first(tx.pg())
        .await?;
    if count >= MAX_POLICIES {
        return Err(Error::conflict(
            "too_many_policies",
            format!("A business has at most {MAX_POLICIES} SLA policies."),
        ));
    }
    let id = Uuid::now_v7();
    diesel::insert_into(p::table)
        .values((
            (
                p::tenant_id.eq(tx.tenant_id()),
                p::id.eq(id),
                p::name.eq(&input.name),
                p::position.eq(last.unwrap_or(0) + 1),
                p::enabled.eq(input.enabled),
                p::conditions.eq(json_of(&input.conditions)?),
            ),
            (
                p::first_response_minutes.eq(input.first_response_minutes),
                p::next_response_minutes.eq(input.next_response_minutes),
                p::resolution_minutes.eq(input.resolution_minutes),
                p::business_hours.eq(input.business_hours),
                p::pause_when_pending.eq(input.pause_when_pending),
                p::pause_when_snoozed.eq(input.pause_when_snoozed),
                p::warn_percent.eq(input.warn_percent),
                p::escalation.eq(json_of(&input.escalation)?),
            ),
        ))
        .execute(tx.pg())
        .await?;
    recheck_open(tx).await?;
    fetch(tx, id).await
}

/// Replace a policy's settings (its position stays).
pub async fn replace(
    tx: &mut TenantTx,
    actor: &Actor,
    id: Uuid,
    input: PolicyInput,
) -> Result<Policy> {
    actor.require(Permission::SettingsManage)?;
    fetch(tx, id).await?;
    let input = check(tx, input).await?;
    diesel::update(p::table.filter(p::id.eq(id)))
        .set((
            (
                p::name.eq(&input.name),
                p::enabled.eq(input.enabled),
                p::conditions.eq(json_of(&input.conditions)?),
                p::first_response_minutes.eq(input.first_response_minutes),
                p::next_response_minutes.eq(input.next_response_minutes),
                p::resolution_minutes.eq(input.resolution_minutes),
            ),
            (
                p::business_hours.eq(input.business_hours),
                p::pause_when_pending.eq(input.pause_when_pending),
                p::pause_when_snoozed.eq(input.pause_when_snoozed),
                p::warn_percent.eq(input.warn_percent),
                p::escalation.eq(json_of(&input.escalation)?),
                p::updated_at.eq(Utc::now()),
            ),
        ))
        .execute(tx.pg())
        .await?;
    recheck_open(tx).await?;
    fetch(tx, id).await
}

pub async fn delete(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(Permission::SettingsManage)?;
    let gone = diesel::delete(p::table.filter(p::id.eq(id)))
        .execute(tx.pg())
        .await?;
    if gone == 0 {
        return Err(Error::NotFound("SLA policy"));
    }
    recheck_open(tx).await?;
    Ok(())
}

/// Put the policies in this order; `ids` must name every policy exactly once.
pub async fn reorder(tx: &mut TenantTx, actor: &Actor, order: PolicyOrder) -> Result<PolicyList> {
    actor.require(Permission::SettingsManage)?;
    let existing: Vec<Uuid> = p::table.select(p::id).for_update().load(tx.pg()).await?;
    let have: std::collections::HashSet<Uuid> = existing.iter().copied().collect();
    let given: std::collections::HashSet<Uuid> = order.ids.iter().copied().collect();
    if given.len() != order.ids.len() || given != have {
        return Err(Error::invalid(
            "ids",
            "List every policy's id exactly once, in the new order.",
        ));
    }
    for (i, id) in order.ids.iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        diesel::update(p::table.filter(p::id.eq(*id)))
            .set(p::position.eq(position))
            .execute(tx.pg())
            .await?;
    }
    recheck_open(tx).await?;
    list(tx, actor).await
}

// ---------------------------------------------------------------------------------------------
// The clock.

/// Calendar time, or the open time of a schedule.
#[derive(Clone, Copy)]
pub struct Clock<'a> {
    schedule: Option<&'a Schedule>,
}

impl<'a> Clock<'a> {
    pub fn calendar() -> Self {
        Self { schedule: None }
    }

    /// The open time of `schedule` (calendar time when it never opens).
    pub fn business(schedule: &'a Schedule) -> Self {
        Self {
            schedule: Some(schedule).filter(|s| s.ever_open()),
        }
    }

    pub fn add(&self, at: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
        match self.schedule {
            Some(s) => s.add_open_secs(at, secs),
            None => Some(at + Duration::seconds(secs)),
        }
    }

    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        match self.schedule {
            Some(s) => s.open_secs_between(a, b),
            None => (b - a).num_seconds().max(0),
        }
    }
}

/// What the SLA clock looks at on a conversation.
#[derive(Debug, Clone)]
pub struct Facts {
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub first_reply_at: Option<DateTime<Utc>>,
    pub waiting_since: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub policy_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    pub paused_secs: i64,
    pub breaches: Vec<String>,
    pub warned: bool,
}

/// The SLA state to store, and what just happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    pub policy_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    pub paused_secs: i64,
    pub first_due: Option<DateTime<Utc>>,
    pub next_due: Option<DateTime<Utc>>,
    pub resolve_due: Option<DateTime<Utc>>,
    pub status: String,
    pub breaches: Vec<String>,
    pub warned: bool,
    pub check_at: Option<DateTime<Utc>>,
    /// Targets breached by this evaluation.
    pub newly_breached: Vec<String>,
    /// The conversation just became at risk.
    pub newly_at_risk: bool,
}

impl Evaluated {
    fn none() -> Self {
        Self {
            policy_id: None,
            started_at: None,
            paused_at: None,
            paused_secs: 0,
            first_due: None,
            next_due: None,
            resolve_due: None,
            status: "none".into(),
            breaches: Vec::new(),
            warned: false,
            check_at: None,
            newly_breached: Vec::new(),
            newly_at_risk: false,
        }
    }
}

/// The SLA state of a conversation at `now` under `policy` (pure: the clock tests drive it).
pub fn evaluate(
    f: &Facts,
    policy: Option<&Policy>,
    clock: Clock<'_>,
    now: DateTime<Utc>,
) -> Evaluated {
    let Some(policy) = policy else {
        return Evaluated::none();
    };
    let started = f.started_at.unwrap_or(f.opened_at);
    let paused_now = (f.status == "pending" && policy.pause_when_pending)
        || (f.status == "snoozed" && policy.pause_when_snoozed);
    let mut paused_at = f.paused_at;
    let mut paused_secs = f.paused_secs;
    if paused_now && paused_at.is_none() {
        paused_at = Some(now);
    }
    if !paused_now && let Some(at) = paused_at.take() {
        paused_secs += clock.between(at, now);
    }
    // While paused, time stands still at the pause.
    let at = paused_at.unwrap_or(now).min(now);
    let resolved = f.status == "resolved";
    let mins = |m: Option<i32>| m.map(|m| i64::from(m) * 60);
    let share = |secs: i64| secs * i64::from(policy.warn_percent) / 100;

    struct Target {
        name: &'static str,
        due: Option<DateTime<Utc>>,
        warn: Option<DateTime<Utc>>,
        /// When it was met (the reply or resolution), if it was.
        done: Option<DateTime<Utc>>,
        active: bool,
    }
    let mut targets = Vec::new();
    if let Some(secs) = mins(policy.first_response_minutes) {
        targets.push(Target {
            name: TARGETS[0],
            due: clock.add(started, secs + paused_secs),
            warn: clock.add(started, share(secs) + paused_secs),
            done: f.first_reply_at.filter(|r| *r >= f.opened_at),
            active: !resolved && f.first_reply_at.is_none(),
        });
    }
    if let Some(secs) = mins(policy.next_response_minutes)
        && f.first_reply_at.is_some()
        && let Some(w) = f.waiting_since
        && !resolved
    {
        let from = w.max(started);
        targets.push(Target {
            name: TARGETS[1],
            due: clock.add(from, secs),
            warn: clock.add(from, share(secs)),
            done: None,
            active: true,
        });
    }
    if let Some(secs) = mins(policy.resolution_minutes) {
        targets.push(Target {
            name: TARGETS[2],
            due: clock.add(started, secs + paused_secs),
            warn: clock.add(started, share(secs) + paused_secs),
            done: f.resolved_at.filter(|_| resolved),
            active: !resolved,
        });
    }

    let mut breaches = f.breaches.clone();
    let mut newly_breached = Vec::new();
    let mut at_risk = false;
    let mut check_at: Option<DateTime<Utc>> = None;
    let mut soonest = |t: Option<DateTime<Utc>>| {
        if let Some(t) = t {
            check_at = Some(check_at.map_or(t, |c| c.min(t)));
        }
    };
    for t in &targets {
        let missed = match (t.done, t.due) {
            // Met late: the reply or resolution came after the due time.
            (Some(done), Some(due)) => done > due,
            (None, Some(due)) => t.active && due <= at,
            (_, None) => false,
        };
        if missed {
            if !breaches.iter().any(|b| b == t.name) {
                breaches.push(t.name.to_owned());
                newly_breached.push(t.name.to_owned());
            }
            continue;
        }
        if !t.active || breaches.iter().any(|b| b == t.name) {
            continue;
        }
        if t.warn.is_some_and(|w| w <= at) {
            at_risk = true;
        } else {
            soonest(t.warn);
        }
        soonest(t.due);
    }
    let status = if !breaches.is_empty() {
        "breached"
    } else if resolved {
        "met"
    } else if at_risk {
        "at_risk"
    } else {
        "on_track"
    };
    let due_of = |name: &str| {
        targets
            .iter()
            .find(|t| t.name == name && t.active)
            .and_then(|t| t.due)
    };
    Evaluated {
        policy_id: Some(policy.id),
        started_at: Some(started),
        paused_at,
        paused_secs,
        first_due: due_of(TARGETS[0]),
        next_due: due_of(TARGETS[1]),
        resolve_due: due_of(TARGETS[2]),
        status: status.into(),
        newly_at_risk: at_risk && !f.warned && breaches.is_empty(),
        warned: at_risk || (f.warned && !breaches.is_empty()),
        breaches,
        check_at: if resolved || paused_at.is_some() {
            None
        } else {
            check_at
        },
        newly_breached,
    }
}

/// Does the policy apply to a conversation with these attributes?
fn applies(
    policy: &Policy,
    priority: &str,
    tags: &[Uuid],
    team: Option<Uuid>,
    number: Uuid,
) -> bool {
    let k = &policy.conditions;
    policy.enabled
        && (k.priorities.is_empty() || k.priorities.iter().any(|p| p == priority))
        && (k.tag_ids.is_empty() || k.tag_ids.iter().any(|t| tags.contains(t)))
        && (k.team_ids.is_empty() || team.is_some_and(|t| k.team_ids.contains(&t)))
        && (k.number_ids.is_empty() || k.number_ids.contains(&number))
}

#[derive(QueryableByName)]
struct ConvRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    number_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    team_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    assignee_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    priority: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    opened_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    first_reply_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    waiting_since: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    resolved_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    sla_policy_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    sla_started_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    sla_paused_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    sla_paused_secs: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    sla_first_due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    sla_next_due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    sla_resolve_due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sla_status: String,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    sla_breaches: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    sla_warned: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    sla_check_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    tag_ids: Vec<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    any_policy: bool,
}

impl ConvRow {
    fn facts(&self) -> Facts {
        Facts {
            status: self.status.clone(),
            opened_at: self.opened_at,
            first_reply_at: self.first_reply_at,
            waiting_since: self.waiting_since,
            resolved_at: self.resolved_at,
            policy_id: self.sla_policy_id,
            started_at: self.sla_started_at,
            paused_at: self.sla_paused_at,
            paused_secs: self.sla_paused_secs,
            breaches: self.sla_breaches.clone(),
            warned: self.sla_warned,
        }
    }

    fn stored(&self) -> Evaluated {
        Evaluated {
            policy_id: self.sla_policy_id,
            started_at: self.sla_started_at,
            paused_at: self.sla_paused_at,
            paused_secs: self.sla_paused_secs,
            first_due: self.sla_first_due_at,
            next_due: self.sla_next_due_at,
            resolve_due: self.sla_resolve_due_at,
            status: self.sla_status.clone(),
            breaches: self.sla_breaches.clone(),
            warned: self.sla_warned,
            check_at: self.sla_check_at,
            newly_breached: Vec::new(),
            newly_at_risk: false,
        }
    }
}

/// Bring the SLA state of these conversations up to date (same transaction as the change that
/// asked for it), and act on warnings and breaches. One query when the business has no policy.
pub async fn refresh(tx: &mut TenantTx, conversations: &[Uuid]) -> Result<()> {
    refresh_at(tx, conversations, Utc::now()).await
}

/// [`refresh`] with the time given (the sweep and tests).
pub async fn refresh_at(
    tx: &mut TenantTx,
    conversations: &[Uuid],
    now: DateTime<Utc>,
) -> Result<()> {
    if conversations.is_empty() {
        return Ok(());
    }
    let rows: Vec<ConvRow> = diesel::sql_query(
        "SELECT c.id, c.number_id, c.team_id, c.assignee_id, c.priority, c.status, c.opened_at,
                c.first_reply_at, c.waiting_since, c.resolved_at, c.sla_policy_id,
                c.sla_started_at, c.sla_paused_at, c.sla_paused_secs, c.sla_first_due_at,
                c.sla_next_due_at, c.sla_resolve_due_at, c.sla_status, c.sla_breaches,
                c.sla_warned, c.sla_check_at,
                array(SELECT ct.tag_id FROM conversation_tags ct
                       WHERE ct.tenant_id = c.tenant_id AND ct.conversation_id = c.id) AS tag_ids,
                EXISTS (SELECT 1 FROM sla_policies WHERE enabled) AS any_policy
           FROM conversations c WHERE c.id = ANY($1) FOR UPDATE OF c",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(conversations)
    .load(tx.pg())
    .await?;
    let any_policy = rows.iter().any(|r| r.any_policy);
    if !any_policy && rows.iter().all(|r| r.sla_policy_id.is_none()) {
        return Ok(());
    }
    let policies: Vec<Policy> = if any_policy {
        p::table
            .filter(p::enabled)
            .order((p::position, p::created_at))
            .select(policy_columns!())
            .load::<Row>(tx.pg())
            .await?
            .into_iter()
            .map(to_policy)
            .collect()
    } else {
        Vec::new()
    };
    let mut schedules: HashMap<Uuid, Option<Schedule>> = HashMap::new();
    for row in rows {
        let policy = policies
            .iter()
            .find(|p| applies(p, &row.priority, &row.tag_ids, row.team_id, row.number_id));
        if policy.is_some_and(|p| p.business_hours) && !schedules.contains_key(&row.number_id) {
            let s = crate::hours::schedule_for_number(tx, row.number_id).await?;
            schedules.insert(row.number_id, s);
        }
        let clock = match (policy, schedules.get(&row.number_id)) {
            (Some(p), Some(Some(s))) if p.business_hours => Clock::business(s),
            _ => Clock::calendar(),
        };
        let next = evaluate(&row.facts(), policy, clock, now);
        let stored = row.stored();
        if next == stored {
            continue;
        }
        diesel::update(c::table.filter(c::id.eq(row.id)))
            .set((
                c::sla_policy_id.eq(next.policy_id),
                c::sla_started_at.eq(next.started_at),
                c::sla_paused_at.eq(next.paused_at),
                c::sla_paused_secs.eq(next.paused_secs),
                c::sla_first_due_at.eq(next.first_due),
                c::sla_next_due_at.eq(next.next_due),
                c::sla_resolve_due_at.eq(next.resolve_due),
                c::sla_status.eq(&next.status),
                c::sla_breaches.eq(&next.breaches),
                c::sla_warned.eq(next.warned),
                c::sla_check_at.eq(next.check_at),
            ))
            .execute(tx.pg())
            .await?;
        if let Some(policy) = policy {
            if next.newly_at_risk {
                warn(tx, &row, policy, &next).await?;
            }
            for target in &next.newly_breached {
                breach(tx, &row, policy, target).await?;
            }
        }
    }
    Ok(())
}

/// A conversation was reopened: a new SLA period starts now.
pub async fn restart(tx: &mut TenantTx, conversation: Uuid) -> Result<()> {
    diesel::update(c::table.filter(c::id.eq(conversation)))
        .set((
            c::sla_started_at.eq(Some(Utc::now())),
            c::sla_paused_at.eq(None::<DateTime<Utc>>),
            c::sla_paused_secs.eq(0),
            c::sla_breaches.eq(Vec::<String>::new()),
            c::sla_warned.eq(false),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

fn due_words(e: &Evaluated) -> Option<DateTime<Utc>> {
    [e.first_due, e.next_due, e.resolve_due]
        .into_iter()
        .flatten()
        .min()
}

pub(crate) async fn contact_label(tx: &mut TenantTx, conversation: Uuid) -> Result<String> {
    use crate::schema::contacts as k;
    let (name, wa): (Option<String>, Option<String>) = c::table
        .inner_join(k::table.on(k::tenant_id.eq(c::tenant_id).and(k::id.eq(c::contact_id))))
        .filter(c::id.eq(conversation))
        .select((
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                "coalesce(contacts.name, contacts.profile_name)",
            ),
            k::wa_id,
        ))
        .first(tx.pg())
        .await?;
    Ok(name
        .or(wa.map(|w| format!("+{w}")))
        .unwrap_or_else(|| "a customer".into()))
}

async fn warn(tx: &mut TenantTx, row: &ConvRow, policy: &Policy, e: &Evaluated) -> Result<()> {
    let Some(assignee) = row.assignee_id else {
        return Ok(());
    };
    let who = contact_label(tx, row.id).await?;
    let due = due_words(e)
        .map(|d| format!(" (due {})", d.format("%H:%M UTC")))
        .unwrap_or_default();
    crate::notifications::notify(
        tx,
        crate::notifications::Notice {
            recipient: assignee,
            kind: "sla_warning",
            conversation_id: row.id,
            message_id: None,
            actor_id: None,
            body: format!(
                "SLA “{}” is at risk in the conversation with {who}{due}",
                policy.name
            ),
        },
    )
    .await?;
    Ok(())
}

/// Members who may view reports: the supervisors a breach is reported to.
async fn supervisors(tx: &mut TenantTx) -> Result<Vec<Uuid>> {
    Ok(crate::people::with_permission(tx, Permission::ReportsView)
        .await?
        .into_iter()
        .map(|r| r.membership_id)
        .collect())
}

async fn breach(tx: &mut TenantTx, row: &ConvRow, policy: &Policy, target: &str) -> Result<()> {
    let item = activity::record(
        tx,
        row.id,
        None,
        Activity::SlaBreached {
            policy: policy.name.clone(),
            target: target.to_owned(),
        },
    )
    .await?;
    let who = contact_label(tx, row.id).await?;
    let body = format!(
        "SLA “{}” breached ({}) in the conversation with {who}",
        policy.name,
        target_words(target, false)
    );
    let mut recipients = supervisors(tx).await?;
    recipients.extend(row.assignee_id);
    recipients.extend(policy.escalation.notify_membership_id);
    recipients.sort();
    recipients.dedup();
    for recipient in recipients {
        crate::notifications::notify(
            tx,
            crate::notifications::Notice {
                recipient,
                kind: "sla_breach",
                conversation_id: row.id,
                message_id: Some(item),
                actor_id: None,
                body: body.clone(),
            },
        )
        .await?;
    }
    let mut job = crate::jobs::NewJob::new(
        BREACH_EMAIL,
        &json!({ "conversation_id": row.id, "policy": policy.name, "target": target }),
    )?
    .priority(10);
    job.dedupe_key = Some(format!("{BREACH_EMAIL}:{}:{target}", row.id));
    crate::jobs::enqueue(tx, job).await?;
    escalate(tx, row, policy).await
}

async fn escalate(tx: &mut TenantTx, row: &ConvRow, policy: &Policy) -> Result<()> {
    let e = &policy.escalation;
    let rank = |p: &str| PRIORITIES.iter().position(|x| *x == p).unwrap_or(0);
    if let Some(to) = &e.raise_priority
        && rank(to) > rank(&row.priority)
    {
        diesel::update(c::table.filter(c::id.eq(row.id)))
            .set((c::priority.eq(to), c::updated_at.eq(Utc::now())))
            .execute(tx.pg())
            .await?;
        activity::record(
            tx,
            row.id,
            None,
            Activity::SlaEscalated {
                policy: policy.name.clone(),
                change: format!("priority {to}"),
            },
        )
        .await?;
    }
    if let Some(team) = e.team_id
        && row.team_id != Some(team)
    {
        let name: Option<String> = teams::table
            .filter(teams::id.eq(team))
            .select(teams::name)
            .first(tx.pg())
            .await
            .optional()?;
        // A team deleted since the policy was written: skip, never fail the sweep.
        if let Some(name) = name {
            diesel::update(c::table.filter(c::id.eq(row.id)))
                .set((
                    c::team_id.eq(Some(team)),
                    c::assignee_id.eq(None::<Uuid>),
                    c::updated_at.eq(Utc::now()),
                ))
                .execute(tx.pg())
                .await?;
            activity::record(
                tx,
                row.id,
                None,
                Activity::SlaEscalated {
                    policy: policy.name.clone(),
                    change: format!("team {name}"),
                },
            )
            .await?;
            crate::routing::schedule(tx, team).await?;
            if let Some(former) = row.assignee_id {
                crate::routing::schedule_member_teams(tx, former).await?;
            }
        }
    }
    Ok(())
}

/// The `sla_breach_email` job: mail every supervisor about a breach, in their language.
pub async fn email_breach(
    tx: &mut TenantTx,
    conversation: Uuid,
    policy: &str,
    target: &str,
    public_url: &str,
) -> Result<usize> {
    use crate::schema::{memberships as ms, users};
    let ids = supervisors(tx).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let people: Vec<(String, String, String)> = ms::table
        .inner_join(users::table.on(users::id.eq(ms::user_id)))
        .filter(ms::id.eq_any(&ids))
        .select((users::email, users::name, users::locale))
        .load(tx.pg())
        .await?;
    let business = crate::businesses::current(tx).await?.name;
    let who = contact_label(tx, conversation).await?;
    let link = format!("{}/inbox/{conversation}", public_url.trim_end_matches('/'));
    for (email, name, locale) in &people {
        let lang = crate::mail::Lang::parse(locale);
        let what = target_words(target, lang == crate::mail::Lang::Es);
        let mail =
            crate::mail::sla_breached(lang, email, name, &business, policy, what, &who, &link);
        crate::jobs::enqueue(
            tx,
            crate::jobs::NewJob::new(crate::jobs::SEND_EMAIL, &mail)?.priority(10),
        )
        .await?;
    }
    Ok(people.len())
}

/// Queue the next sweep (at most one waits at a time).
pub async fn schedule_sweep(store: &crate::db::Store, after_secs: i64) -> Result<()> {
    store
        .system(async |tx: &mut crate::db::SystemTx| -> Result<()> {
            let mut job = crate::jobs::NewJob::new(SWEEP, &json!({}))?
                .run_at(Utc::now() + Duration::seconds(after_secs));
            job.dedupe_key = Some(SWEEP.into());
            crate::jobs::enqueue_system(tx, None, job).await?;
            Ok(())
        })
        .await
}

/// Conversations whose SLA clock has something due (found across businesses through the
/// `conversations_sla_check` index, at most `limit`), each business refreshed in its own door.
/// Returns how many conversations were looked at.
pub async fn sweep(store: &crate::db::Store, limit: i64) -> Result<usize> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let due: Vec<Due> = store
        .system(async |tx: &mut crate::db::SystemTx| -> Result<Vec<Due>> {
            Ok(diesel::sql_query(
                "SELECT tenant_id, id FROM conversations
                  WHERE sla_check_at IS NOT NULL AND sla_check_at <= now()
                  ORDER BY sla_check_at LIMIT $1",
            )
            .bind::<diesel::sql_types::BigInt, _>(limit)
            .load(tx.pg())
            .await?)
        })
        .await?;
    let mut by_tenant: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for d in &due {
        by_tenant.entry(d.tenant_id).or_default().push(d.id);
    }
    for (tenant, ids) in by_tenant {
        store
            .tenant(
                crate::ids::TenantId(tenant),
                async |tx: &mut TenantTx| -> Result<()> {
                    refresh(tx, &ids).await?;
                    // Anything the evaluation left due (a clock that did not move) waits for
                    // the next change instead of spinning in the sweep.
                    diesel::update(
                        c::table
                            .filter(c::id.eq_any(&ids))
                            .filter(c::sla_check_at.le(Utc::now())),
                    )
                    .set(c::sla_check_at.eq(None::<DateTime<Utc>>))
                    .execute(tx.pg())
                    .await?;
                    Ok(())
                },
            )
            .await?;
    }
    Ok(due.len())
}

/// The SLA of a loaded conversation row, for the API.
pub fn view(
    status: String,
    policy_id: Option<Uuid>,
    first: Option<DateTime<Utc>>,
    next: Option<DateTime<Utc>>,
    resolve: Option<DateTime<Utc>>,
    breaches: Vec<String>,
) -> Option<SlaView> {
    (status != "none").then_some(SlaView {
        status,
        policy_id,
        first_response_due_at: first,
        next_response_due_at: next,
        resolution_due_at: resolve,
        breaches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy(first: Option<i32>, next: Option<i32>, resolve: Option<i32>) -> Policy {
        Policy {
            id: Uuid::nil(),
            name: "Standard".into(),
            position: 1,
            enabled: true,
            conditions: Conditions::default(),
            first_response_minutes: first,
            next_response_minutes: next,
            resolution_minutes: resolve,
            business_hours: false,
            pause_when_pending: true,
            pause_when_snoozed: true,
            warn_percent: 80,
            escalation: Escalation::default(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn t(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
    }

    fn facts(opened: DateTime<Utc>) -> Facts {
        Facts {
            status: "open".into(),
            opened_at: opened,
            first_reply_at: None,
            waiting_since: Some(opened),
            resolved_at: None,
            policy_id: None,
            started_at: None,
            paused_at: None,
            paused_secs: 0,
            breaches: Vec::new(),
            warned: false,
        }
    }

    /// Store what an evaluation said, as `refresh` does.
    fn apply(f: &mut Facts, e: &Evaluated) {
        f.policy_id = e.policy_id;
        f.started_at = e.started_at;
        f.paused_at = e.paused_at;
        f.paused_secs = e.paused_secs;
        f.breaches = e.breaches.clone();
        f.warned = e.warned;
    }

    #[test]
    fn first_response_warns_at_80_percent_then_breaches_once() {
        let p = policy(Some(10), None, None);
        let mut f = facts(t(4, 10, 0));
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 1));
        assert_eq!(e.status, "on_track");
        assert_eq!(e.first_due, Some(t(4, 10, 10)));
        assert_eq!(e.check_at, Some(t(4, 10, 8)), "the warning comes first");
        apply(&mut f, &e);
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 8));
        assert_eq!((e.status.as_str(), e.newly_at_risk), ("at_risk", true));
        assert_eq!(e.check_at, Some(t(4, 10, 10)));
        apply(&mut f, &e);
        let again = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 9));
        assert!(!again.newly_at_risk, "one warning");
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 10));
        assert_eq!(e.status, "breached");
        assert_eq!(e.newly_breached, ["first_response"]);
        assert_eq!(e.check_at, None);
        apply(&mut f, &e);
        let later = evaluate(&f, Some(&p), Clock::calendar(), t(4, 11, 0));
        assert!(later.newly_breached.is_empty(), "a target breaches once");
        assert_eq!(later.status, "breached");
    }

    #[test]
    fn a_reply_in_time_meets_the_target_and_starts_next_response() {
        let p = policy(Some(10), Some(30), None);
        let mut f = facts(t(4, 10, 0));
        f.first_reply_at = Some(t(4, 10, 5));
        f.waiting_since = None;
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 6));
        assert_eq!(e.status, "on_track");
        assert_eq!((e.first_due, e.next_due, e.check_at), (None, None, None));
        // The customer writes again at 11:00: the next reply is due at 11:30.
        f.waiting_since = Some(t(4, 11, 0));
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 11, 0));
        assert_eq!(e.next_due, Some(t(4, 11, 30)));
        assert_eq!(e.check_at, Some(t(4, 11, 24)));
        // A late first reply is a breach even if the sweep never saw it due.
        let mut late = facts(t(4, 10, 0));
        late.first_reply_at = Some(t(4, 10, 20));
        late.waiting_since = None;
        let e = evaluate(&late, Some(&p), Clock::calendar(), t(4, 10, 20));
        assert_eq!(e.newly_breached, ["first_response"]);
    }

    #[test]
    fn pending_pauses_the_clock_and_resuming_shifts_the_due_time() {
        let p = policy(None, None, Some(60));
        let mut f = facts(t(4, 10, 0));
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 0));
        assert_eq!(e.resolve_due, Some(t(4, 11, 0)));
        apply(&mut f, &e);
        // Pending from 10:30 to 12:00: no check while paused, and no breach at 11:00.
        f.status = "pending".into();
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 30));
        assert_eq!((e.paused_at, e.check_at), (Some(t(4, 10, 30)), None));
        apply(&mut f, &e);
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 11, 30));
        assert!(e.newly_breached.is_empty());
        f.status = "open".into();
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 12, 0));
        assert_eq!(e.paused_secs, 90 * 60);
        assert_eq!(e.resolve_due, Some(t(4, 12, 30)), "30 minutes were left");
        assert_eq!(e.status, "on_track", "30 of 60 minutes used");
        assert_eq!(e.check_at, Some(t(4, 12, 18)), "48 minutes used at 12:18");
    }

    #[test]
    fn business_hours_count_only_open_time() {
        use crate::hours::Period;
        let mut periods = Vec::new();
        for d in ["mon", "tue", "wed", "thu", "fri"] {
            periods.push(Period {
                day: d.into(),
                start: "09:00".into(),
                end: "17:00".into(),
            });
        }
        let s = Schedule::parse("UTC", &periods, &[]).unwrap();
        let mut p = policy(Some(120), None, None);
        p.business_hours = true;
        // Friday 4 Dec 16:00 + 2 open hours → Monday 7 Dec 10:00.
        let f = facts(t(4, 16, 0));
        let e = evaluate(&f, Some(&p), Clock::business(&s), t(4, 16, 0));
        assert_eq!(e.first_due, Some(t(7, 10, 0)));
        // Saturday: still on track (nothing of the weekend counts).
        let e = evaluate(&f, Some(&p), Clock::business(&s), t(5, 12, 0));
        assert_eq!(e.status, "on_track");
        assert_eq!(e.check_at, Some(t(7, 9, 36)), "80% of 120 min = 96 min");
    }

    #[test]
    fn resolving_meets_or_breaches_resolution() {
        let p = policy(None, None, Some(60));
        let mut f = facts(t(4, 10, 0));
        f.status = "resolved".into();
        f.resolved_at = Some(t(4, 10, 40));
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 10, 40));
        assert_eq!((e.status.as_str(), e.check_at), ("met", None));
        f.resolved_at = Some(t(4, 11, 40));
        let e = evaluate(&f, Some(&p), Clock::calendar(), t(4, 11, 40));
        assert_eq!(e.status, "breached");
        // No policy: nothing to show.
        assert_eq!(
            evaluate(&f, None, Clock::calendar(), t(4, 12, 0)).status,
            "none"
        );
    }
}
