//! Two real `chorus worker` processes on one database never run the same job: 2,000 mail jobs,
//! each written as a file by whichever process claimed it, are all sent exactly once and both
//! processes take part. (The queue's own tests race two runners inside one process; this is
//! the deployment shape, with separate connections, pools and wake-ups.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;

use chorus_tenants::db::{DbConfig, Store, SystemTx};
use chorus_tenants::jobs::{self, NewJob};
use chorus_tenants::mail::Email;
use chorus_tenants::testing::TestDatabase;

const JOBS: usize = 2_000;

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `chorus worker` and wait until it says it is running.
fn start_worker(url: &str, home: &Path) -> Worker {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chorus"))
        .arg("worker")
        .env("DATABASE_URL", url)
        .env("CHORUS_HOME", home)
        .env("CHORUS_WORKER_CONCURRENCY", "8")
        .env("CHORUS_DB_POOL_SIZE", "6")
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the chorus binary");
    let stdout = child.stdout.take().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut ready = Some(ready_tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("worker started")
                && let Some(tx) = ready.take()
            {
                let _ = tx.send(());
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the worker process started");
    Worker(child)
}

/// The subjects of the mail files a process wrote.
fn subjects(home: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(home.join("mail")) else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
        })
        .collect()
}

#[tokio::test]
async fn two_worker_processes_never_run_the_same_job() {
    let db = TestDatabase::new().await;
    let store = Store::connect(&DbConfig::new(db.url.clone())).unwrap();
    let homes = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let _workers: Vec<Worker> = homes
        .iter()
        .map(|h| start_worker(&db.url, h.path()))
        .collect();

    // Both are idle and listening; the jobs arrive at once and both are woken together.
    store
        .system(async |tx: &mut SystemTx| -> chorus_tenants::Result<()> {
            for i in 0..JOBS {
                let email = Email {
                    to: format!("person{i}@example.com"),
                    subject: format!("job-{i:05}"),
                    text: "hello".into(),
                    html: "<p>hello</p>".into(),
                };
                jobs::enqueue_system(tx, None, NewJob::new(jobs::SEND_EMAIL, &email)?).await?;
            }
            tx.pg()
                .batch_execute("NOTIFY chorus_jobs")
                .await
                .map_err(chorus_tenants::Error::from)?;
            Ok(())
        })
        .await
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let sent: usize = homes.iter().map(|h| subjects(h.path()).len()).sum();
        if sent >= JOBS {
            break;
        }
        assert!(Instant::now() < deadline, "only {sent} of {JOBS} jobs ran");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A job run twice would show up as a second file; give a late duplicate time to appear.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let by_process: Vec<Vec<String>> = homes.iter().map(|h| subjects(h.path())).collect();
    let mut runs: HashMap<&str, usize> = HashMap::new();
    for s in by_process.iter().flatten() {
        *runs.entry(s.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = runs.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");
    assert_eq!(runs.len(), JOBS, "every job ran");
    for (i, sent) in by_process.iter().enumerate() {
        assert!(
            !sent.is_empty(),
            "process {i} took no job: the test did not race them"
        );
    }
    eprintln!(
        "jobs per process: {:?}",
        by_process.iter().map(Vec::len).collect::<Vec<_>>()
    );
}
