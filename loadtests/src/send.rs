//! The send path: agents' `POST /conversations/{id}/messages` at a fixed rate, spread over many
//! numbers, through the job queue and the worker to the fake Graph API. Measured: the API's 202,
//! the time from each POST to Meta's accept (the fake stamps every accepted send), sustained
//! sends per second, and the busiest second of every number against its 80/s limit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use chorus_loadtests::fake_meta::{FakeGraph, sign};

pub const TOKEN: &str = "EAAG-bench-token-0123456789abcdef";
pub const WABA: &str = "880000000000001";

pub fn phone_number_id(i: usize) -> String {
    format!("1090000000{i:05}")
}

/// Give the fake `numbers` numbers of one WABA, each limited to `limit` sends a second like
/// Meta (80).
pub fn prepare_fake(fake: &FakeGraph, numbers: usize, limit: usize) {
    for i in 0..numbers {
        fake.add_number(
            &phone_number_id(i),
            WABA,
            &format!("+1 555-100-{i:04}"),
            TOKEN,
        );
    }
    fake.set_throughput_limit(Some(limit));
}

/// Connect the numbers through the API and open `per_number` conversations on each (a signed
/// webhook from each customer). Returns the conversation ids, interleaved across numbers.
pub async fn open_conversations(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    numbers: usize,
    per_number: usize,
) -> anyhow::Result<Vec<String>> {
    let mut by_number: Vec<Vec<String>> = Vec::new();
    for i in 0..numbers {
        let pnid = phone_number_id(i);
        let res = client
            .post(format!("{base}/api/v1/numbers"))
            .bearer_auth(token)
            .json(&json!({"phone_number_id": pnid, "waba_id": WABA, "access_token": TOKEN}))
            .send()
            .await?;
        anyhow::ensure!(
            res.status().is_success(),
            "connecting {pnid}: {}",
            res.text().await?
        );
        let number: Value = res.json().await?;
        let number_id = number["id"].as_str().context("number id")?.to_owned();
        let ts = chrono_now();
        let contacts: Vec<Value> = (0..per_number)
            .map(|c| json!({"profile": {"name": format!("Bench {i}-{c}")}, "wa_id": format!("3470{i:03}{c:04}")}))
            .collect();
        let messages: Vec<Value> = (0..per_number)
            .map(|c| json!({"from": format!("3470{i:03}{c:04}"), "id": format!("wamid.sendbench.{i}.{c}"),
                "timestamp": ts, "type": "text", "text": {"body": "Hi, I need help with my order"}}))
            .collect();
        let body = serde_json::to_vec(
            &json!({"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": format!("1555100{i:04}"), "phone_number_id": pnid},
            "contacts": contacts, "messages": messages}}]}]}),
        )?;
        let res = client
            .post(format!("{base}/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                sign(crate::server::APP_SECRET.as_bytes(), &body),
            )
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "webhook: {}", res.status());
        let page: Value = client
            .get(format!(
                "{base}/api/v1/conversations?number_id={number_id}&limit=200"
            ))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let ids: Vec<String> = page["items"]
            .as_array()
            .context("conversations")?
            .iter()
            .filter_map(|c| c["id"].as_str().map(str::to_owned))
            .collect();
        anyhow::ensure!(
            ids.len() == per_number,
            "expected {per_number} conversations"
        );
        by_number.push(ids);
    }
    let mut all = Vec::new();
    for c in 0..per_number {
        for n in &by_number {
            all.push(n[c].clone());
        }
    }
    Ok(all)
}

fn chrono_now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
        .to_string()
}

/// What one run measured.
pub struct SendRun {
    pub rate: u32,
    pub seconds: u64,
    pub api: crate::open_loop::Outcome,
    /// POST scheduled → Meta accepted, sorted.
    pub accept: Vec<Duration>,
    /// Accepted sends per second from the first POST to the last accept.
    pub sustained: f64,
    /// Sends that never reached Meta within the wait.
    pub missing: usize,
    /// The most sends any number had accepted within one second.
    pub busiest_second: usize,
}

/// POST `rate` messages a second for `seconds` over `conversations`, then wait (up to 60 s)
/// until Meta has them all.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    fake: &FakeGraph,
    conversations: &[String],
    rate: u32,
    seconds: u64,
) -> anyhow::Result<SendRun> {
    fake.clear_records();
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let total = (u64::from(rate) * seconds) as usize;
    let posted: Arc<Mutex<HashMap<String, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let api = Arc::new(Mutex::new(crate::open_loop::Outcome::default()));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let scheduled = start + interval * i as u32;
        let now = Instant::now();
        if scheduled > now {
            tokio::time::sleep(scheduled - now).await;
        }
        let conv = &conversations[i % conversations.len()];
        let req = client
            .post(format!("{base}/api/v1/conversations/{conv}/messages"))
            .bearer_auth(token)
            .json(
                &json!({"text": format!("Thanks for waiting! Update number {i} on your order.")}),
            );
        let (posted, api) = (posted.clone(), api.clone());
        tasks.spawn(async move {
            let res = req.send().await;
            let latency = scheduled.elapsed();
            let id = match res {
                Ok(r) if r.status().is_success() => r
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_owned)),
                _ => None,
            };
            let mut out = api.lock().await;
            match id {
                Some(id) => {
                    out.latencies.push(latency);
                    posted.lock().await.insert(id, scheduled);
                }
                None => out.errors += 1,
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let mut api = std::mem::take(&mut *api.lock().await);
    api.elapsed = start.elapsed();
    api.latencies.sort();
    let expected = api.latencies.len();
    let posted = std::mem::take(&mut *posted.lock().await);
    let m = measure(fake, &posted, expected, start).await;
    Ok(SendRun {
        rate,
        seconds,
        sustained: m.sustained,
        missing: m.missing,
        api,
        accept: m.accept,
        busiest_second: m.busiest_second,
    })
}

/// What reached Meta.
pub struct Measured {
    pub accept: Vec<Duration>,
    pub sustained: f64,
    pub missing: usize,
    pub busiest_second: usize,
    pub elapsed: Duration,
}

/// Wait (up to 60 s) until the fake has `expected` sends; latency of each from its POST in
/// `posted`, throughput from `start` to the last accept, and each number's busiest second.
pub async fn measure(
    fake: &FakeGraph,
    posted: &HashMap<String, Instant>,
    expected: usize,
    start: Instant,
) -> Measured {
    let deadline = Instant::now() + Duration::from_secs(60);
    while fake.sent_messages().len() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = fake.sent_messages();
    let mut accept = Vec::with_capacity(sent.len());
    let mut last = start;
    let mut per_number: HashMap<String, Vec<Instant>> = HashMap::new();
    for s in &sent {
        if let Some(at) = s.body["biz_opaque_callback_data"]
            .as_str()
            .and_then(|id| posted.get(id))
        {
            accept.push(s.at.saturating_duration_since(*at));
        }
        last = last.max(s.at);
        per_number
            .entry(s.phone_number_id.clone())
            .or_default()
            .push(s.at);
    }
    accept.sort();
    let busiest_second = per_number
        .values_mut()
        .map(|times| {
            times.sort();
            let mut best = 0;
            let mut lo = 0;
            for hi in 0..times.len() {
                while times[hi].duration_since(times[lo]) >= Duration::from_secs(1) {
                    lo += 1;
                }
                best = best.max(hi - lo + 1);
            }
            best
        })
        .max()
        .unwrap_or(0);
    let elapsed = last.duration_since(start);
    Measured {
        sustained: sent.len() as f64 / elapsed.as_secs_f64().max(0.001),
        missing: expected.saturating_sub(sent.len()),
        accept,
        busiest_second,
        elapsed,
    }
}

/// Queue `n` messages as fast as the API takes them (`workers` at a time), nothing sending yet.
pub async fn backlog(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    conversations: &[String],
    n: usize,
    workers: usize,
) -> anyhow::Result<(HashMap<String, Instant>, Duration)> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let posted: Arc<Mutex<HashMap<String, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (client, next, posted) = (client.clone(), next.clone(), posted.clone());
        let (base, token, conversations) =
            (base.to_owned(), token.to_owned(), conversations.to_vec());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return;
                }
                let conv = &conversations[i % conversations.len()];
                let at = Instant::now();
                let res = client
                    .post(format!("{base}/api/v1/conversations/{conv}/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"text": format!("Your order update number {i} is ready.")}))
                    .send()
                    .await;
                if let Ok(r) = res
                    && let Ok(v) = r.json::<Value>().await
                    && let Some(id) = v["id"].as_str()
                {
                    posted.lock().await.insert(id.to_owned(), at);
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = start.elapsed();
    let posted = std::mem::take(&mut *posted.lock().await);
    anyhow::ensure!(
        posted.len() == n,
        "only {} of {n} messages were queued",
        posted.len()
    );
    Ok((posted, elapsed))
}

impl SendRun {
    fn pct(&self, p: f64) -> f64 {
        if self.accept.is_empty() {
            return 0.0;
        }
        let i = ((self.accept.len() as f64 - 1.0) * p).round() as usize;
        self.accept[i].as_secs_f64() * 1000.0
    }

    pub fn latency_table(&self) -> String {
        format!(
            "| accepted | p50 | p90 | p99 | max |\n| --- | --- | --- | --- | --- |\n| {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
            self.accept.len(),
            self.pct(0.5),
            self.pct(0.9),
            self.pct(0.99),
            self.pct(1.0),
        )
    }
}
