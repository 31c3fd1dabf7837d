//! The job queue against real PostgreSQL: retries with backoff, the dead state, and two runners
//! never running the same job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use chorus_tenants::db::{DbConfig, Store, SystemTx};
use chorus_tenants::jobs::{self, NewJob};
use chorus_tenants::mail::Mailer;
use chorus_tenants::testing::TestDatabase;
use chorus_worker::{Environment, Registry, Runner};

fn env(store: &Store, mailer: Mailer) -> Environment {
    Environment {
        store: store.clone(),
        mailer,
        graph: chorus_tenants::whatsapp::GraphClient::new(Default::default()).unwrap(),
        secrets: chorus_tenants::crypto::SecretBox::new(
            &chorus_tenants::crypto::SecretKey::new(&[1u8; 32]).unwrap(),
        ),
        limits: Default::default(),
        sends: Default::default(),
        media: chorus_tenants::media::MediaStore::open(
            std::env::temp_dir()
                .join(format!("chorus-worker-media-{}", std::process::id()))
                .to_str()
                .unwrap(),
            &chorus_tenants::crypto::SecretKey::new(&[1u8; 32]).unwrap(),
        )
        .unwrap(),
        public_url: "http://chorus.test".into(),
        llm: None,
        hooks: chorus_tenants::hooks::sender::HookSender::new(Default::default()).unwrap(),
    }
}

async fn setup(registry: Registry) -> (TestDatabase, Store, Runner, tempfile::TempDir) {
    let db = TestDatabase::new().await;
    let store = Store::connect(&DbConfig::new(db.url.clone())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::files(dir.path().to_path_buf(), "Chorus <t@chorus.test>").unwrap();
    let runner = Runner::new(env(&store, mailer), registry);
    (db, store, runner, dir)
}

async fn enqueue(store: &Store, job_type: &'static str, n: usize, max_attempts: i32) {
    store
        .system(async |tx: &mut SystemTx| -> chorus_tenants::Result<()> {
            for i in 0..n {
                let mut job = NewJob::new(job_type, &serde_json::json!({"i": i}))?;
                job.max_attempts = max_attempts;
                jobs::enqueue_system(tx, None, job).await?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

#[derive(QueryableByName, Debug)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    state: String,
    #[diesel(sql_type = diesel::sql_types::Int4)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    last_error: Option<String>,
}

#[tokio::test]
async fn failures_back_off_then_die() {
    let mut registry = Registry::default();
    registry.register("always_fails", |_, _| {
        Box::pin(async { anyhow::bail!("boom") })
    });
    let (db, store, runner, _dir) = setup(registry).await;
    enqueue(&store, "always_fails", 1, 3).await;
    let mut conn = db.superuser().await;
    for attempt in 1..=3 {
        let report = runner.drain().await.unwrap();
        assert_eq!(report.failed, 1, "attempt {attempt}");
        // Backoff pushed run_at into the future; make it due now to continue.
        conn.batch_execute("UPDATE jobs SET run_at = now() - interval '1 second'")
            .await
            .unwrap();
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT state, attempts, last_error FROM jobs")
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "dead");
    assert_eq!(rows[0].attempts, 3);
    assert!(rows[0].last_error.as_deref().unwrap().contains("boom"));
    // Dead jobs are not claimed again.
    assert_eq!(runner.drain().await.unwrap().failed, 0);
}

#[tokio::test]
async fn two_runners_never_run_the_same_job() {
    let runs = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let mut registry = Registry::default();
    {
        let runs = runs.clone();
        let seen = seen.clone();
        registry.register("count", move |_, job| {
            let runs = runs.clone();
            let seen = seen.clone();
            Box::pin(async move {
                runs.fetch_add(1, Ordering::SeqCst);
                assert!(
                    seen.lock().unwrap().insert(job.id),
                    "job {} ran twice",
                    job.id
                );
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                Ok(())
            })
        });
    }
    let (db, store, runner_a, _dir) = setup(registry.clone()).await;
    let runner_b = Runner::new(
        env(
            &store,
            Mailer::files(_dir.path().to_path_buf(), "Chorus <t@chorus.test>").unwrap(),
        ),
        registry,
    );
    enqueue(&store, "count", 200, 5).await;
    let (a, b) = tokio::join!(runner_a.drain(), runner_b.drain());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.succeeded + b.succeeded, 200);
    assert_eq!(AtomicUsize::load(&runs, Ordering::SeqCst), 200);
    let mut conn = db.superuser().await;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let left: N = diesel::sql_query("SELECT count(*) AS n FROM jobs")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(left.n, 0);
}

#[tokio::test]
async fn mail_jobs_write_eml_files() {
    let (_db, store, runner, dir) = setup(Registry::standard()).await;
    let email = chorus_tenants::mail::verify_email(
        chorus_tenants::mail::Lang::Es,
        "ana@example.com",
        "Ana",
        "http://x/verify-email?token=t",
    );
    store
        .system(async |tx: &mut SystemTx| -> chorus_tenants::Result<()> {
            jobs::enqueue_system(tx, None, NewJob::new(jobs::SEND_EMAIL, &email)?).await?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(runner.drain().await.unwrap().succeeded, 1);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(raw.contains("To: ana@example.com"));
    assert!(
        raw.contains("Subject: =?utf-8?") || raw.contains("Confirma tu correo"),
        "{raw}"
    );
}

#[tokio::test]
async fn a_job_enqueued_elsewhere_wakes_a_listening_runner() {
    let (ran_tx, mut ran) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut registry = Registry::default();
    registry.register("ping", move |_, _| {
        let ran_tx = ran_tx.clone();
        Box::pin(async move {
            let _ = ran_tx.send(());
            Ok(())
        })
    });
    let (db, store, runner, _dir) = setup(registry).await;
    // Polling alone would take a minute: only the announcement can wake it in time.
    let runner = runner
        .poll_interval(std::time::Duration::from_secs(60))
        .listen_to(db.url.clone());
    let stop = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn({
        let stop = stop.clone();
        async move { runner.run(stop).await }
    });
    // Another process: its own bell and announcer, nothing shared with the runner.
    let elsewhere = chorus_worker::wakeups::Bell::default();
    let announcer = tokio::spawn(chorus_worker::wakeups::announce(
        store.clone(),
        elsewhere.clone(),
        stop.clone(),
    ));
    // The runner looks once (nothing), starts listening and waits.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    for _ in 0..2 {
        enqueue(&store, "ping", 1, 3).await;
        elsewhere.ring();
        tokio::time::timeout(std::time::Duration::from_secs(5), ran.recv())
            .await
            .expect("woken by the announcement, not by the poll")
            .unwrap();
    }
    // Without a ring nothing wakes it: the insert itself no longer NOTIFYs (no lock at commit).
    // (First let the runner's own look after the last job find nothing and go back to waiting.)
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    enqueue(&store, "ping", 1, 3).await;
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1500), ran.recv())
            .await
            .is_err(),
        "an insert alone woke the runner: is a NOTIFY trigger back on jobs?"
    );
    stop.cancel();
    task.await.unwrap();
    announcer.await.unwrap();
}

#[tokio::test]
async fn a_job_enqueued_by_a_job_runs_without_waiting_for_the_poll() {
    let (ran_tx, mut ran) = tokio::sync::mpsc::unbounded_channel::<i64>();
    let mut registry = Registry::default();
    registry.register("chain", move |env, job| {
        let ran_tx = ran_tx.clone();
        Box::pin(async move {
            let i = job.data["i"].as_i64().unwrap_or(0);
            let _ = ran_tx.send(i);
            if i < 3 {
                env.store
                    .system(async |tx: &mut SystemTx| -> chorus_tenants::Result<()> {
                        let next = NewJob::new("chain", &serde_json::json!({"i": i + 1}))?;
                        jobs::enqueue_system(tx, None, next).await?;
                        Ok(())
                    })
                    .await?;
            }
            Ok(())
        })
    });
    let (_db, store, runner, _dir) = setup(registry).await;
    let runner = runner.poll_interval(std::time::Duration::from_secs(60));
    let bell = runner.bell();
    let stop = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn({
        let stop = stop.clone();
        async move { runner.run(stop).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    store
        .system(async |tx: &mut SystemTx| -> chorus_tenants::Result<()> {
            jobs::enqueue_system(
                tx,
                None,
                NewJob::new("chain", &serde_json::json!({"i": 0}))?,
            )
            .await?;
            Ok(())
        })
        .await
        .unwrap();
    bell.ring();
    for want in 0..=3 {
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), ran.recv())
            .await
            .expect("the follow-up job ran at once")
            .unwrap();
        assert_eq!(got, want);
    }
    stop.cancel();
    task.await.unwrap();
}
