//! The inbox list at scale. A generator seeds the demo business with 1,000,000 conversations and
//! 20,000,000 messages (straight into PostgreSQL, as the superuser, with triggers off: the rows
//! look like what ingest writes, without the realtime events); then `GET /api/v1/conversations`
//! pages are requested at a fixed rate. Statements per page are counted by `pg_stat_statements`
//! under the application role, so they include the tenant transaction's own BEGIN, `set_config`
//! and COMMIT.
//!
//! Seeding takes minutes, so the seeded cluster is kept in its own `CHORUS_HOME` and reused by
//! the next run when the marker file names the same scale.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::open_loop::{self, Outcome};
use crate::server;

/// How big the seeded business is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub conversations: u64,
    pub messages_per_conversation: u64,
}

impl Scale {
    fn marker(&self) -> String {
        format!(
            "chorus-inbox-seed v1 {} {}",
            self.conversations, self.messages_per_conversation
        )
    }
}

/// `psql -At` against the private cluster; returns stdout.
pub fn psql(port: u16, sql: &str) -> anyhow::Result<String> {
    let url = format!("host=127.0.0.1 port={port} user=postgres dbname=chorus");
    let out = std::process::Command::new("psql")
        .args([&url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .context("running psql")?;
    if !out.status.success() {
        bail!(
            "psql failed: {}\n{sql}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// What customers and agents say: a few dozen phrases in both languages. Some carry an order
/// number unique to the conversation, which is what people search for.
const PHRASES: &[&str] = &[
    "Hola, ¿tienen envío a Valencia?",
    "Hi, do you ship to Lisbon?",
    "Quiero cambiar la dirección de entrega",
    "Can I change my delivery address?",
    "¿Cuánto tarda el pedido en llegar?",
    "How long does delivery take?",
    "Gracias, muy amables",
    "Thanks, that was quick!",
    "Necesito una factura con mi NIF",
    "I need an invoice for my company",
    "El café llegó molido y lo pedí en grano",
    "The beans arrived ground, I ordered whole beans",
    "¿Tienen descafeinado?",
    "Do you have a decaf blend?",
    "Claro, te lo cambiamos sin coste",
    "Sure, we will replace it at no cost",
    "Tu pedido sale mañana por la mañana",
    "Your order ships tomorrow morning",
    "¿Puedo pagar con Bizum?",
    "Can I pay by card on delivery?",
];

/// Seed `scale` into the demo business, in chunks, with progress on stderr.
pub fn seed(port: u16, scale: Scale) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let ids = psql(
        port,
        "SELECT t.id, n.id, m.id FROM tenants t \
           JOIN whatsapp_numbers n ON n.tenant_id = t.id AND n.sandbox \
           JOIN memberships m ON m.tenant_id = t.id \
           JOIN users u ON u.id = m.user_id AND u.email = 'owner@demo.chorus.test' \
          LIMIT 1",
    )?;
    let parts: Vec<&str> = ids.split('|').collect();
    let [tenant, number, owner] = parts[..] else {
        bail!("the demo business, its sandbox number or its owner is missing: {ids:?}");
    };
    let phrases = PHRASES
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",");
    let per = scale.messages_per_conversation;
    let chunk = 50_000u64;
    let mut from = 1u64;
    while from <= scale.conversations {
        let to = (from + chunk - 1).min(scale.conversations);
        // One transaction per chunk: contacts, conversations, then their messages. Ids are
        // derived from the index so the three statements agree without a lookup.
        let sql = format!(
            "SET session_replication_role = replica;
             BEGIN;
             INSERT INTO contacts (tenant_id, id, wa_id, profile_name, created_at, updated_at)
             SELECT '{tenant}', md5('bench-contact-' || i)::uuid, (5210000000000 + i)::text,
                    (ARRAY['Ana','Luis','María','John','Sofía','Pedro','Lucía','Carlos','Emma','Diego'])[1 + i % 10]
                    || ' ' || (ARRAY['García','Smith','López','Martín','Brown','Sánchez','Pérez','Wilson'])[1 + (i / 10) % 8]
                    || ' ' || i,
                    now() - i * interval '30 seconds', now() - i * interval '30 seconds'
               FROM generate_series({from}, {to}) i;
             INSERT INTO conversations (tenant_id, id, number_id, contact_id, status, assignee_id,
                    last_inbound_at, window_expires_at, last_message_at, last_message_preview,
                    opened_at, resolved_at, created_at, updated_at, unread_count, priority, waiting_since, snoozed_until)
             SELECT '{tenant}', md5('bench-conversation-' || i)::uuid, '{number}', md5('bench-contact-' || i)::uuid,
                    s.status,
                    CASE WHEN s.status <> 'resolved' AND i % 3 = 0 THEN '{owner}'::uuid END,
                    t.at, t.at + interval '24 hours', t.at, (ARRAY[{phrases}])[1 + (i * 7 + {per}) % {n}],
                    t.at - interval '2 hours', CASE WHEN s.status = 'resolved' THEN t.at END,
                    t.at - interval '2 hours', t.at,
                    CASE WHEN s.status = 'resolved' THEN 0 ELSE i % 4 END,
                    (ARRAY['none','none','none','low','medium','high','urgent'])[1 + i % 7],
                    CASE WHEN s.status IN ('open','pending') THEN t.at END,
                    CASE WHEN s.status = 'snoozed' THEN now() + interval '1 day' END
               FROM generate_series({from}, {to}) i,
                    LATERAL (SELECT now() - i * interval '30 seconds' AS at) t,
                    LATERAL (SELECT CASE WHEN i % 100 < 3 THEN 'open' WHEN i % 100 = 3 THEN 'pending'
                                         WHEN i % 100 = 4 THEN 'snoozed' ELSE 'resolved' END AS status) s;
             INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, content, wamid,
                    status, sender_type, sender_id, sent_at, status_at, created_at)
             SELECT '{tenant}', gen_random_uuid(), md5('bench-conversation-' || i)::uuid,
                    CASE WHEN j % 2 = 1 THEN 'inbound' ELSE 'outbound' END, 'text',
                    CASE WHEN j = 1 THEN 'Pedido ' || (4000000 + i) || ': ' ELSE '' END
                      || (ARRAY[{phrases}])[1 + (i * 7 + j) % {n}],
                    '{{}}', 'wamid.bench.' || i || '.' || j,
                    CASE WHEN j % 2 = 1 THEN 'received' ELSE 'read' END,
                    CASE WHEN j % 2 = 1 THEN 'contact' ELSE 'agent' END,
                    CASE WHEN j % 2 = 1 THEN NULL ELSE '{owner}'::uuid END,
                    t.at, t.at, t.at
               FROM generate_series({from}, {to}) i,
                    generate_series(1, {per}) j,
                    LATERAL (SELECT now() - i * interval '30 seconds' - ({per} - j) * interval '1 minute' AS at) t;
             COMMIT;",
            n = PHRASES.len(),
        );
        psql(port, &sql)?;
        eprintln!(
            "inbox seed: {to} of {} conversations, {} messages ({:.0} s)",
            scale.conversations,
            to * per,
            started.elapsed().as_secs_f64()
        );
        from = to + 1;
    }
    psql(port, "VACUUM ANALYZE contacts, conversations, messages")?;
    Ok(started.elapsed())
}

/// One measured list request.
struct Variant {
    label: &'static str,
    query: String,
}

/// Run the scenario; returns the report section.
pub async fn scenario(
    bin: &Path,
    home: &Path,
    scale: Scale,
    rate: u32,
    seconds: u64,
) -> anyhow::Result<String> {
    let marker_file = home.join("inbox-seed");
    let seeded = std::fs::read_to_string(&marker_file).ok();
    let mut seed_note = String::from("reused from an earlier run");
    if seeded.as_deref() != Some(scale.marker().as_str()) {
        let _ = std::fs::remove_dir_all(home);
        std::fs::create_dir_all(home)?;
        let chorus = server::Chorus::start_with(bin, home, &[], &["--no-worker"]).await?;
        let port = chorus.pg_port.context("the private cluster's port")?;
        let took = seed(port, scale)?;
        psql(
            port,
            "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'",
        )?;
        chorus.stop().await?;
        std::fs::write(&marker_file, scale.marker())?;
        seed_note = format!("seeded in {:.0} s", took.as_secs_f64());
    }
    let chorus = server::Chorus::start_with(bin, home, &[], &["--no-worker"]).await?;
    let port = chorus.pg_port.context("the private cluster's port")?;
    psql(port, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")?;
    let size = psql(port, "SELECT pg_size_pretty(pg_database_size('chorus'))")?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let base = chorus.base_url.clone();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "owner@demo.chorus.test", "password": "chorus-demo-2026"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .context("no access token")?
        .to_owned();
    let list = format!("{base}/api/v1/conversations");

    // The cursor of the 10th page, for a deep page.
    let mut cursor = String::new();
    for _ in 0..9 {
        let page: Value = client
            .get(&list)
            .query(&[("limit", "50"), ("cursor", cursor.as_str())])
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        cursor = page["next_cursor"]
            .as_str()
            .context("fewer than 10 pages of open conversations")?
            .to_owned();
    }
    let order = 4_000_000 + scale.conversations / 2;
    let variants = [
        Variant {
            label: "first page (open, pending, snoozed; by last activity)",
            query: "limit=50".into(),
        },
        Variant {
            label: "10th page (cursor)",
            query: format!("limit=50&cursor={cursor}"),
        },
        Variant {
            label: "mine",
            query: "limit=50&assignee=me".into(),
        },
        Variant {
            label: "unassigned, longest waiting first",
            query: "limit=50&assignee=unassigned&sort=waiting".into(),
        },
        Variant {
            label: "resolved (the whole history)",
            query: "limit=50&status=resolved".into(),
        },
        Variant {
            label: "urgent",
            query: "limit=50&priority=urgent".into(),
        },
        Variant {
            label: "full-text search for an order number",
            query: format!("limit=50&status=resolved&q={order}"),
        },
    ];
    let mut rows = String::from(
        "| page | requests/s | errors | p50 | p95 | p99 | queries per page (all statements) |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let mut worst_p95: f64 = 0.0;
    let mut worst_statements: f64 = 0.0;
    for v in &variants {
        let url = format!("{list}?{}", v.query);
        // Statements per page: sequential requests between two reads of pg_stat_statements.
        let statements = statements_per_request(port, &client, &url, &token, 50).await?;
        let _warm = open_loop::fixed_rate(&client, rate, Duration::from_secs(2), |c| {
            c.get(&url).bearer_auth(&token)
        })
        .await;
        let out: Outcome =
            open_loop::fixed_rate(&client, rate, Duration::from_secs(seconds), |c| {
                c.get(&url).bearer_auth(&token)
            })
            .await;
        worst_p95 = worst_p95.max(out.pct(0.95));
        worst_statements = worst_statements.max(statements.1);
        rows.push_str(&format!(
            "| {} | {:.0} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} ({:.1}) |\n",
            v.label,
            out.latencies.len() as f64 / out.elapsed.as_secs_f64().max(0.001),
            out.errors,
            out.pct(0.50),
            out.pct(0.95),
            out.pct(0.99),
            statements.1,
            statements.0
        ));
    }
    chorus.stop().await?;
    Ok(format!(
        concat!(
            "## Conversation list at scale (`GET /api/v1/conversations`)\n\n",
            "The demo business seeded with {conv} conversations (3% open, 1% pending, 1% snoozed, the rest ",
            "resolved; a third of the unresolved ones assigned to the owner) and {msgs} messages, {size} on disk ",
            "({seed}). Pages of 50 as the owner, open loop at {rate} requests/s for {secs} s each after a 2 s ",
            "warm-up. Queries per page are counted by `pg_stat_statements` for the application role; in brackets, ",
            "every statement including the tenant transaction's BEGIN, `set_config` and COMMIT. Target: p95 ≤ 30 ms and at most 5 queries ",
            "per page.\n\n{rows}\nWorst p95: **{p95:.1} ms**; most queries per page: **{stmts:.1}**.\n"
        ),
        conv = scale.conversations,
        msgs = scale.conversations * scale.messages_per_conversation,
        size = size,
        seed = seed_note,
        rate = rate,
        secs = seconds,
        rows = rows,
        p95 = worst_p95,
        stmts = worst_statements,
    ))
}

/// Average statements the application role ran per request over `n` sequential requests.
async fn statements_per_request(
    port: u16,
    client: &reqwest::Client,
    url: &str,
    token: &str,
    n: u32,
) -> anyhow::Result<(f64, f64)> {
    // (all statements, queries: those other than BEGIN, COMMIT and the tenant's set_config)
    let count = || -> anyhow::Result<(f64, f64)> {
        let v = psql(
            port,
            "SELECT coalesce(sum(s.calls), 0), coalesce(sum(s.calls) FILTER (WHERE s.query NOT IN ('BEGIN', 'COMMIT') \
                    AND s.query NOT ILIKE '%set_config%'), 0) \
               FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'chorus_app'",
        )?;
        let (all, queries) = v.split_once('|').unwrap_or(("0", "0"));
        Ok((all.parse().unwrap_or(0.0), queries.parse().unwrap_or(0.0)))
    };
    let before = count()?;
    for _ in 0..n {
        let status = client.get(url).bearer_auth(token).send().await?.status();
        if !status.is_success() {
            bail!("{url} answered {status}");
        }
    }
    let after = count()?;
    Ok((
        (after.0 - before.0) / f64::from(n),
        (after.1 - before.1) / f64::from(n),
    ))
}
