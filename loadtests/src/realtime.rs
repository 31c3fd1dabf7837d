//! Realtime fan-out: webhook → agent socket. 100 businesses with 10 people each (an owner, two
//! supervisors and seven agents in the team the number routes to, so every one of them may see
//! every new conversation) hold two sockets per person (desktop and phone): 2,000 sockets. Signed
//! webhooks arrive at 1,000 messages/s in total (each business gets one POST of 10 messages a
//! second) and every socket counts its `message.created` frames.
//!
//! Latency is exact without tagging frames: POSTs to one business are scheduled one second
//! apart and its events reach each socket in commit order, so a socket's j-th `message.created`
//! frame belongs to that business's POST number j / 10, whose scheduled time is known. Latency
//! counts from the scheduled time (open loop), so it includes the webhook's own processing.
//!
//! Memory per idle socket: the server's resident set before the sockets connect and after they
//! have been idle for a few seconds, divided by the number of sockets.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use chorus_loadtests::fake_meta::sign;
use chorus_tenants::accounts;
use chorus_tenants::db::{DbConfig, Store, TenantTx};
use chorus_tenants::people::{actor, teams};
use chorus_tenants::permissions::BuiltinRole;

use crate::server;

const BUSINESSES: usize = 100;
const PEOPLE: usize = 10;
const SOCKETS_PER_PERSON: usize = 2;
const PER_POST: usize = 10;
const PASSWORD: &str = "chorus-bench-2026";

struct Business {
    phone_number_id: String,
    emails: Vec<String>,
}

/// Create the businesses through chorus-tenants (as sign-up and invitations would) and route
/// each sandbox number to a team holding every agent.
async fn provision(port: u16) -> anyhow::Result<Vec<Business>> {
    let store = Store::connect(&DbConfig::new(format!(
        "postgres://postgres@127.0.0.1:{port}/chorus"
    )))?;
    let mut tasks = tokio::task::JoinSet::new();
    // Two at a time: password hashing is the cost, and there are two cores.
    let lanes = 2;
    for lane in 0..lanes {
        let store = store.clone();
        tasks.spawn(async move {
            let mut out = Vec::new();
            for b in (lane..BUSINESSES).step_by(lanes) {
                out.push((b, provision_one(&store, b).await?));
            }
            anyhow::Ok(out)
        });
    }
    let mut all = Vec::new();
    while let Some(r) = tasks.join_next().await {
        all.extend(r??);
    }
    all.sort_by_key(|(b, _)| *b);
    let numbers = crate::inbox::psql(
        port,
        "SELECT t.name, n.phone_number_id FROM whatsapp_numbers n JOIN tenants t ON t.id = n.tenant_id \
          WHERE n.sandbox AND t.name LIKE 'Bench %' ORDER BY t.name",
    )?;
    let by_name: std::collections::HashMap<&str, &str> =
        numbers.lines().filter_map(|l| l.split_once('|')).collect();
    all.into_iter()
        .map(|(b, emails)| {
            let phone = by_name
                .get(format!("Bench {b:03}").as_str())
                .with_context(|| format!("no sandbox number for business {b}"))?;
            Ok(Business {
                phone_number_id: (*phone).to_owned(),
                emails,
            })
        })
        .collect()
}

async fn provision_one(store: &Store, b: usize) -> anyhow::Result<Vec<String>> {
    let email = |p: usize| format!("p{p}.b{b:03}@bench.chorus.test");
    let owner = accounts::provision(store, &email(0), "Owner", PASSWORD).await?;
    let (tenant, owner_membership) =
        accounts::create_business(store, owner, &format!("Bench {b:03}")).await?;
    let mut agents = Vec::new();
    for p in 1..PEOPLE {
        let user = accounts::provision(store, &email(p), &format!("Person {p}"), PASSWORD).await?;
        let role = if p <= 2 {
            BuiltinRole::Supervisor
        } else {
            BuiltinRole::Agent
        };
        let m = accounts::add_member(store, tenant, user, role).await?;
        if role == BuiltinRole::Agent {
            agents.push(m);
        }
    }
    store
        .tenant(
            tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<()> {
                let owner_actor = actor::load(tx, owner, owner_membership).await?;
                let team = teams::create(
                    tx,
                    &owner_actor,
                    teams::NewTeam {
                        name: "Support".into(),
                        member_ids: agents.clone(),
                    },
                )
                .await?;
                diesel_async::RunQueryDsl::execute(
                    diesel::sql_query(
                        "UPDATE whatsapp_numbers SET default_team_id = $1 WHERE sandbox",
                    )
                    .bind::<diesel::sql_types::Uuid, _>(team.id.0),
                    tx.pg(),
                )
                .await?;
                Ok(())
            },
        )
        .await?;
    Ok((0..PEOPLE).map(email).collect())
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<String> {
    let res: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    Ok(res["access_token"]
        .as_str()
        .with_context(|| format!("no access token for {email}: {res}"))?
        .to_owned())
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS")
}

/// What the sockets saw.
#[derive(Default)]
struct Seen {
    /// Each `message.created` frame: the POST it belongs to (its index in the schedule) and
    /// when it arrived.
    frames: Vec<(usize, Instant)>,
    resyncs: usize,
    closed: usize,
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// One signed POST of `PER_POST` messages from customers of business `b`.
/// The same ten customers every time: after the warm-up POST their conversations exist and sit
/// in the team's queue, which is the steady state being measured.
fn webhook(phone_number_id: &str, b: usize, tag: &str) -> (Vec<u8>, String) {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
        .to_string();
    let mut contacts = Vec::new();
    let mut messages = Vec::new();
    for m in 0..PER_POST {
        let wa_id = format!("3461{b:03}{m:04}");
        contacts.push(json!({"profile": {"name": format!("Customer {m}")}, "wa_id": wa_id}));
        messages.push(json!({"from": wa_id, "id": format!("wamid.rt.{b}.{tag}.{m}"), "timestamp": ts,
            "type": "text", "text": {"body": format!("Message {tag}.{m}: is my order on its way?")}}));
    }
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
        "contacts": contacts, "messages": messages}}]}]});
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let signature = sign(server::APP_SECRET.as_bytes(), &bytes);
    (bytes, signature)
}

pub async fn scenario(bin: &std::path::Path, seconds: u64) -> anyhow::Result<String> {
    let home = std::env::temp_dir().join(format!("chorus-bench-rt-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;
    let chorus = server::Chorus::start_with(bin, &home, &[], &[]).await?;
    let port = chorus.pg_port.context("the private cluster's port")?;
    let pid = chorus.pid().context("the server's pid")?;
    let provisioned = Instant::now();
    let businesses = provision(port).await?;
    let provision_secs = provisioned.elapsed().as_secs_f64();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let base = chorus.base_url.clone();
    let ws_base = base.replace("http://", "ws://");

    // Warm-up: each business's ten customers write once, so their conversations exist.
    let hook = format!("{base}/webhooks/whatsapp");
    for (b, biz) in businesses.iter().enumerate() {
        let (body, signature) = webhook(&biz.phone_number_id, b, "warm");
        let status = client
            .post(&hook)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body)
            .send()
            .await?
            .status();
        if !status.is_success() {
            bail!("warm-up webhook answered {status}");
        }
    }
    let logins: Vec<(usize, String)> = businesses
        .iter()
        .enumerate()
        .flat_map(|(b, biz)| biz.emails.iter().map(move |e| (b, e.clone())))
        .collect();
    let tokens: Vec<(usize, String)> = futures_util::stream::iter(logins)
        .map(|(b, email)| {
            let client = client.clone();
            let base = base.clone();
            async move { login(&client, &base, &email).await.map(|t| (b, t)) }
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    // Warm the server's paths once before measuring memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before = rss_kib(pid)?;

    let seen = Arc::new(Mutex::new(Seen::default()));
    let start_cell: Arc<std::sync::OnceLock<Instant>> = Arc::new(std::sync::OnceLock::new());
    let frames = Arc::new(AtomicU64::new(0));
    let interval = Duration::from_secs_f64(1.0 / BUSINESSES as f64);
    let mut readers = tokio::task::JoinSet::new();
    let mut ready = Vec::new();
    for (b, token) in &tokens {
        for _ in 0..SOCKETS_PER_PERSON {
            let (mut ws, _) = tokio_tungstenite::connect_async(format!(
                "{ws_base}/api/v1/realtime?token={token}"
            ))
            .await
            .context("connecting a socket")?;
            // The hello frame: the socket is registered.
            match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
                Ok(Some(Ok(WsMessage::Text(_)))) => {}
                other => bail!("no hello frame: {other:?}"),
            }
            ready.push((*b, ws));
        }
    }
    let sockets = ready.len();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_idle = rss_kib(pid)?;

    for (b, mut ws) in ready {
        let seen = seen.clone();
        let start_cell = start_cell.clone();
        let frames = frames.clone();
        readers.spawn(async move {
            let mut mine = Vec::new();
            let mut count: u64 = 0;
            let mut resync = false;
            let mut closed = false;
            let deadline = Duration::from_secs(seconds + 10);
            let began = Instant::now();
            loop {
                let left = deadline.saturating_sub(began.elapsed());
                let next = match tokio::time::timeout(left, ws.next()).await {
                    Ok(n) => n,
                    Err(_) => break,
                };
                let text = match next {
                    Some(Ok(WsMessage::Text(t))) => t,
                    Some(Ok(WsMessage::Ping(p))) => {
                        let _ = ws.send(WsMessage::Pong(p)).await;
                        continue;
                    }
                    Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => {
                        closed = true;
                        break;
                    }
                    Some(Ok(_)) => continue,
                };
                let now = Instant::now();
                let Ok(v) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                match v["type"].as_str() {
                    Some("resync") => resync = true,
                    Some("event") if v["kind"] == "message.created" => {
                        frames.fetch_add(1, Ordering::Relaxed);
                        if start_cell.get().is_some() {
                            let post = (count / PER_POST as u64) as usize;
                            mine.push((post * BUSINESSES + b, now));
                        }
                        count += 1;
                    }
                    _ => {}
                }
            }
            let mut s = seen.lock().await;
            s.frames.extend(mine);
            s.resyncs += usize::from(resync);
            s.closed += usize::from(closed);
        });
    }

    // The load: one POST per business per second, open loop, round-robin over the businesses.
    let total = BUSINESSES * seconds as usize;
    let errors = Arc::new(AtomicU64::new(0));
    // When each POST was answered (2xx), by its index in the schedule.
    let answered: Arc<Vec<std::sync::OnceLock<Instant>>> =
        Arc::new((0..total).map(|_| std::sync::OnceLock::new()).collect());
    let start = Instant::now();
    let _ = start_cell.set(start);
    let mut posts = tokio::task::JoinSet::new();
    for k in 0..total {
        let scheduled = start + interval * k as u32;
        tokio::time::sleep_until(scheduled.into()).await;
        let (b, seq) = (k % BUSINESSES, k / BUSINESSES);
        let (body, signature) = webhook(&businesses[b].phone_number_id, b, &seq.to_string());
        let client = client.clone();
        let hook = hook.clone();
        let errors = errors.clone();
        let answered = answered.clone();
        posts.spawn(async move {
            let ok = client
                .post(&hook)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", signature)
                .body(body)
                .send()
                .await
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            if ok {
                let _ = answered[k].set(Instant::now());
            } else {
                errors.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while posts.join_next().await.is_some() {}
    let load_secs = start.elapsed().as_secs_f64();
    while readers.join_next().await.is_some() {}
    chorus.stop().await?;
    let _ = std::fs::remove_dir_all(&home);

    let s = Arc::try_unwrap(seen)
        .map_err(|_| anyhow::anyhow!("readers still hold the results"))?
        .into_inner();
    // From the POST's scheduled time (what the target is about), and from its answer (the
    // fan-out alone: listener read, hub, socket write, the client's own reading).
    let scheduled = |k: usize| start + interval * k as u32;
    let mut latencies: Vec<Duration> = s
        .frames
        .iter()
        .map(|(k, at)| at.saturating_duration_since(scheduled(*k)))
        .collect();
    latencies.sort();
    let mut after_answer: Vec<Duration> = s
        .frames
        .iter()
        .filter_map(|(k, at)| {
            answered
                .get(*k)
                .and_then(|a| a.get())
                .map(|a| at.saturating_duration_since(*a))
        })
        .collect();
    after_answer.sort();
    let mut webhook_latency: Vec<Duration> = answered
        .iter()
        .enumerate()
        .filter_map(|(k, a)| a.get().map(|a| a.saturating_duration_since(scheduled(k))))
        .collect();
    webhook_latency.sort();
    let row = |label: &str, count: usize, l: &[Duration]| {
        format!(
            "| {label} | {count} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |\n",
            pct(l, 0.5),
            pct(l, 0.9),
            pct(l, 0.99),
            pct(l, 0.999),
            pct(l, 1.0)
        )
    };
    let split = format!(
        "| from | count | p50 | p90 | p99 | p99.9 | max |\n| --- | --- | --- | --- | --- | --- | --- |\n{}{}",
        row(
            "webhook answered (scheduled → 2xx)",
            webhook_latency.len(),
            &webhook_latency
        ),
        row(
            "frame after the webhook's answer (2xx → frame)",
            after_answer.len(),
            &after_answer
        ),
    );
    let expected = (total * PER_POST * PEOPLE * SOCKETS_PER_PERSON) as u64;
    let got = latencies.len() as u64;
    let per_socket = (rss_idle.saturating_sub(rss_before)) as f64 / sockets.max(1) as f64;
    Ok(format!(
        concat!(
            "## Realtime fan-out (webhook → agent socket)\n\n",
            "{biz} businesses × {people} people (an owner, two supervisors, seven agents in the team the number ",
            "routes to) × {per} sockets = **{sockets} sockets**, all of which may see every new message of their ",
            "business. Signed webhooks at {rate} messages/s in total ({biz} POSTs/s of {pp}, open loop, {secs} s). ",
            "Latency runs from each POST's scheduled time to the frame's arrival, so it includes the webhook's own ",
            "processing. Targets: p99 ≤ 100 ms; ≤ 30 KB per idle socket.\n\n",
            "| frames expected | received | frames/s | webhook errors | p50 | p90 | p99 | p99.9 | max |\n",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
            "| {expected} | {got} | {fps:.0} | {errors} | {p50:.1} ms | {p90:.1} ms | {p99:.1} ms | {p999:.1} ms | {max:.1} ms |\n\n",
            "Where the time goes: the webhook's own answer, and each frame counted from its POST's answer (0 when ",
            "the frame arrived before the client read the answer):\n\n{split}\n",
            "Sockets told to resync (too slow): {resyncs}; closed early: {closed}.\n\n",
            "**Memory**: server resident set {before:.1} MiB before the sockets, {idle:.1} MiB with {sockets} idle ",
            "sockets: **{kb:.1} KiB per socket**.\n\n",
            "Provisioning the {biz} businesses and {users} people (argon2id hashing) took {prov:.0} s and is not measured.\n"
        ),
        biz = BUSINESSES,
        people = PEOPLE,
        per = SOCKETS_PER_PERSON,
        sockets = sockets,
        rate = BUSINESSES * PER_POST,
        pp = PER_POST,
        secs = seconds,
        expected = expected,
        got = got,
        fps = got as f64 / load_secs.max(0.001),
        errors = errors.load(Ordering::Relaxed),
        p50 = pct(&latencies, 0.5),
        p90 = pct(&latencies, 0.9),
        p99 = pct(&latencies, 0.99),
        p999 = pct(&latencies, 0.999),
        max = pct(&latencies, 1.0),
        split = split,
        resyncs = s.resyncs,
        closed = s.closed,
        before = rss_before as f64 / 1024.0,
        idle = rss_idle as f64 / 1024.0,
        kb = per_socket,
        users = BUSINESSES * PEOPLE,
        prov = provision_secs,
    ))
}
