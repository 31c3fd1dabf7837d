//! Webhook ingest scenarios: signed batches of inbound text messages from many customers, posted
//! to `/webhooks/whatsapp` like Meta does, plus a pgbench baseline of the raw inserts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::open_loop::{self, Outcome};
use chorus_loadtests::fake_meta::sign;

/// Builds unique, signed batches addressed to one business number.
pub struct Batches {
    phone_number_id: String,
    counter: AtomicU64,
    customers: u64,
}

impl Batches {
    pub fn new(phone_number_id: &str, customers: u64) -> Arc<Self> {
        Arc::new(Self {
            phone_number_id: phone_number_id.to_owned(),
            counter: AtomicU64::new(0),
            customers,
        })
    }

    /// One POST body with `n` messages, and its signature header.
    pub fn next(&self, n: usize) -> (Vec<u8>, String) {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
            .to_string();
        let mut contacts = Vec::with_capacity(n);
        let mut messages = Vec::with_capacity(n);
        for _ in 0..n {
            let i = self.counter.fetch_add(1, Ordering::Relaxed);
            let wa_id = format!("3460{:07}", i % self.customers);
            contacts.push(json!({"profile": {"name": format!("Customer {}", i % self.customers)}, "wa_id": wa_id}));
            messages.push(json!({"from": wa_id, "id": format!("wamid.bench.{i}"), "timestamp": ts, "type": "text",
                "text": {"body": format!("Hello, this is message {i}: do you ship to Valencia?")}}));
        }
        let body: Value = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": self.phone_number_id},
            "contacts": contacts, "messages": messages}}]}]});
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let signature = sign(crate::server::APP_SECRET.as_bytes(), &bytes);
        (bytes, signature)
    }
}

fn request(
    client: &reqwest::Client,
    url: &str,
    batches: &Batches,
    per_post: usize,
) -> reqwest::RequestBuilder {
    let (body, signature) = batches.next(per_post);
    client
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body)
}

/// Closed loop: `workers` posting batches of `per_post` as fast as they are answered.
pub async fn throughput(
    client: &reqwest::Client,
    url: &str,
    batches: &Batches,
    workers: usize,
    per_post: usize,
    duration: Duration,
) -> Outcome {
    open_loop::closed_loop(client, workers, duration, |c| {
        request(c, url, batches, per_post)
    })
    .await
}

/// Open loop: `posts_per_second` POSTs of `per_post` messages each.
pub async fn latency(
    client: &reqwest::Client,
    url: &str,
    batches: &Batches,
    posts_per_second: u32,
    per_post: usize,
    duration: Duration,
) -> Outcome {
    open_loop::fixed_rate(client, posts_per_second, duration, |c| {
        request(c, url, batches, per_post)
    })
    .await
}

/// The raw limit: pgbench inserting the same rows (a copy of `messages` with its indexes, no
/// RLS, no triggers) in transactions of `per_tx`, with `clients` connections. Returns rows/s.
pub fn pgbench_baseline(
    port: u16,
    clients: u32,
    per_tx: usize,
    seconds: u64,
) -> anyhow::Result<f64> {
    let pgbench = std::fs::read_dir("/usr/lib/postgresql")?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin/pgbench"))
        .find(|p| p.exists())
        .ok_or_else(|| anyhow::anyhow!("pgbench not found"))?;
    let url = format!("host=127.0.0.1 port={port} user=postgres dbname=chorus");
    let psql = |sql: &str| -> anyhow::Result<()> {
        let status = std::process::Command::new("psql")
            .args([&url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .status()?;
        anyhow::ensure!(status.success(), "psql failed: {sql}");
        Ok(())
    };
    psql(
        "DROP TABLE IF EXISTS bench_messages; CREATE TABLE bench_messages (LIKE messages INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)",
    )?;
    let mut script = String::from("BEGIN;\n");
    for _ in 0..per_tx {
        script.push_str(
            "INSERT INTO bench_messages (tenant_id, id, conversation_id, direction, kind, body, wamid, status, sender_type) \
             VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'inbound', 'text', \
             'Hello, this is a benchmark message: do you ship to Valencia?', 'wamid.' || gen_random_uuid(), 'received', 'contact');\n",
        );
    }
    script.push_str("COMMIT;\n");
    let file = std::env::temp_dir().join(format!("chorus-pgbench-{}.sql", std::process::id()));
    std::fs::write(&file, script)?;
    let out = std::process::Command::new(pgbench)
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(&file)
        .arg("chorus")
        .output()?;
    let _ = std::fs::remove_file(&file);
    let _ = psql("DROP TABLE IF EXISTS bench_messages");
    let text = String::from_utf8_lossy(&out.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "pgbench gave no tps: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    Ok(tps * per_tx as f64)
}
