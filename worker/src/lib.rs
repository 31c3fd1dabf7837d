//! # chorus-worker
//!
//! The job runner. Jobs are rows in `jobs`, inserted in the same transaction as the business
//! write that calls for them (`chorus_tenants::jobs`). The runner claims one with
//! `FOR UPDATE SKIP LOCKED`, sets a lease and **commits before running it**, so a job that calls
//! an outside service (SMTP, the Graph API, Stripe) never holds a transaction or a row lock open.
//! A finished job is deleted; a failed one is retried with exponential backoff until its attempts
//! run out, then kept as `dead` for operators. A worker that dies mid-job loses its lease and
//! the job becomes claimable again once the lease expires (at-least-once; handlers are written to
//! be idempotent).
//!
//! Wake-ups: enqueuers ring the [`wakeups::Bell`] from [`Runner::bell`] after they commit, which
//! wakes this runner and (through [`wakeups::announce`]) the runners of other processes that
//! LISTEN ([`Runner::listen_to`]); a finished job wakes its own runner, since its handler may
//! have enqueued more; polling (every second by default) is the fallback.

pub mod content;
pub mod csat;
pub mod hooks;
pub mod inbox;
pub mod kpi;
pub mod limits;
pub mod quality;
pub mod queue;
pub mod registry;
pub mod send_records;
pub mod sending;
pub mod wakeups;

pub use queue::{Claimed, DrainReport};
pub use registry::{Environment, Registry};

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Runs jobs until cancelled.
#[derive(Clone)]
pub struct Runner {
    env: Environment,
    registry: Arc<Registry>,
    bell: wakeups::Bell,
    worker_id: String,
    concurrency: usize,
    poll_interval: Duration,
    /// Where to LISTEN for wake-ups from other processes.
    listen_url: Option<String>,
}

impl Runner {
    pub fn new(env: Environment, registry: Registry) -> Self {
        Self {
            env,
            registry: Arc::new(registry),
            bell: wakeups::Bell::default(),
            worker_id: format!("{}-{}", hostname(), std::process::id()),
            concurrency: 4,
            poll_interval: Duration::from_secs(1),
            listen_url: None,
        }
    }

    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    pub fn poll_interval(mut self, d: Duration) -> Self {
        self.poll_interval = d;
        self
    }

    /// LISTEN on this database for jobs enqueued by other processes (one extra connection).
    pub fn listen_to(mut self, database_url: impl Into<String>) -> Self {
        self.listen_url = Some(database_url.into());
        self
    }

    /// The bell enqueuers in this process ring after they commit.
    pub fn bell(&self) -> wakeups::Bell {
        self.bell.clone()
    }

    /// Claim and run jobs until `shutdown` fires; then stop claiming and wait for running jobs.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut running = JoinSet::new();
        // Finished jobs are deleted in batches by one task: one statement for many jobs. A crash
        // before the delete re-runs a finished job after its lease, which handlers tolerate
        // (they are idempotent: a sent message is not sent again).
        let (done_tx, done_rx) = tokio::sync::mpsc::unbounded_channel::<uuid::Uuid>();
        let completer = tokio::spawn(queue::complete_batches(self.env.store.clone(), done_rx));
        let listening = shutdown.child_token();
        let listener = self
            .listen_url
            .clone()
            .map(|url| tokio::spawn(wakeups::listen(url, self.bell.clone(), listening.clone())));
        tracing::info!(worker = %self.worker_id, concurrency = self.concurrency, "worker started");
        // Periodic work keeps itself going (each run queues the next); make sure one is queued.
        if let Err(e) = chorus_tenants::routing::schedule_sweep(&self.env.store, 0).await {
            tracing::warn!(error = %e, "could not queue the routing sweep");
        }
        if let Err(e) = chorus_tenants::idle::schedule_sweep(&self.env.store, 0).await {
            tracing::warn!(error = %e, "could not queue the idle sweep");
        }
        if let Err(e) = chorus_tenants::sla::schedule_sweep(&self.env.store, 0).await {
            tracing::warn!(error = %e, "could not queue the SLA sweep");
        }
        if let Err(e) = chorus_tenants::quality::schedule_check(
            &self.env.store,
            chorus_tenants::quality::CHECK_EVERY_SECS,
        )
        .await
        {
            tracing::warn!(error = %e, "could not queue the quality check");
        }
        if let Err(e) = chorus_tenants::kpi::rollup::schedule(&self.env.store, 0).await {
            tracing::warn!(error = %e, "could not queue the KPI roll-up");
        }
        if let Err(e) = chorus_tenants::db::statistics::schedule(&self.env.store, 0).await {
            tracing::warn!(error = %e, "could not queue the statistics refresh");
        }
        if let Err(e) = chorus_tenants::retention::schedule(&self.env.store, 0).await {
            tracing::warn!(error = %e, "could not queue the retention run");
        }
        loop {
            while running.try_join_next().is_some() {}
            if shutdown.is_cancelled() {
                break;
            }
            if running.len() >= self.concurrency {
                tokio::select! {
                    _ = running.join_next() => {}
                    _ = shutdown.cancelled() => {}
                }
                continue;
            }
            // Nearly full: let a few more slots free up (briefly) so one claim fills several.
            let batch = (self.concurrency / 8).max(1);
            if running.len() + batch > self.concurrency {
                tokio::select! {
                    _ = running.join_next() => {}
                    _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                    _ = shutdown.cancelled() => {}
                }
                while running.try_join_next().is_some() {}
                if running.len() >= self.concurrency {
                    continue;
                }
            }
            // Register interest before looking, so a wake-up between the look and the wait is kept.
            let notified = self.bell.local().notified();
            let free = self.concurrency - running.len();
            match queue::claim_many(
                &self.env.store,
                &self.worker_id,
                &self.registry.job_types(),
                free,
            )
            .await
            {
                Ok(jobs) if !jobs.is_empty() => {
                    for job in jobs {
                        let runner = self.clone();
                        let done = done_tx.clone();
                        running.spawn(async move { runner.execute(job, Some(done)).await });
                    }
                }
                Ok(_) => {
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(self.poll_interval) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "claiming a job failed; retrying shortly");
                    tokio::select! {
                        _ = tokio::time::sleep(self.poll_interval * 2) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
            }
        }
        let in_flight = running.len();
        if in_flight > 0 {
            tracing::info!(in_flight, "worker stopping: finishing running jobs");
        }
        while running.join_next().await.is_some() {}
        listening.cancel();
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        drop(done_tx);
        let _ = completer.await;
        tracing::info!(worker = %self.worker_id, "worker stopped");
    }

    /// Run every job that is ready now, one at a time, until none is left. For tests and
    /// one-off commands: deterministic, no background task.
    pub async fn drain(&self) -> anyhow::Result<DrainReport> {
        let mut report = DrainReport::default();
        while let Some(job) =
            queue::claim(&self.env.store, &self.worker_id, &self.registry.job_types()).await?
        {
            if self.execute(job, None).await {
                report.succeeded += 1;
            } else {
                report.failed += 1;
            }
            if report.succeeded + report.failed > 10_000 {
                anyhow::bail!("drain did not converge after 10000 jobs");
            }
        }
        Ok(report)
    }

    /// Run one claimed job and record the outcome. Returns whether it succeeded.
    /// Run one claimed job and record the outcome. Successes go to `done` (batched deletes) when
    /// given, else are deleted at once.
    async fn execute(
        &self,
        job: Claimed,
        done: Option<tokio::sync::mpsc::UnboundedSender<uuid::Uuid>>,
    ) -> bool {
        let started = std::time::Instant::now();
        let job_type = job.job_type.clone();
        let outcome = match self.registry.handler(&job.job_type) {
            Some(handler) => {
                let fut = handler(self.env.clone(), job.clone());
                match tokio::spawn(fut).await {
                    Ok(r) => r,
                    Err(e) => Err(anyhow::anyhow!("job panicked: {e}")),
                }
            }
            None => Err(anyhow::anyhow!("no handler for job type {}", job.job_type)),
        };
        let elapsed = started.elapsed().as_secs_f64();
        metrics::histogram!("chorus_job_duration_seconds", "job_type" => job_type.clone())
            .record(elapsed);
        let ok = outcome.is_ok();
        let recorded = match outcome {
            Ok(()) => {
                metrics::counter!("chorus_jobs_succeeded_total", "job_type" => job_type.clone())
                    .increment(1);
                // Its handler may have enqueued follow-up jobs (an email, the next sweep).
                self.bell.ring_locally();
                match done {
                    Some(done) if done.send(job.id).is_ok() => Ok(()),
                    _ => queue::complete(&self.env.store, job.id).await,
                }
            }
            Err(e) => {
                metrics::counter!("chorus_jobs_failed_total", "job_type" => job_type.clone())
                    .increment(1);
                tracing::warn!(job_id = %job.id, job_type = %job.job_type, attempt = job.attempts, error = %e, "job failed");
                queue::fail(&self.env.store, &job, &format!("{e:#}")).await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(job_id = %job.id, error = %e, "could not record a job's outcome; its lease will expire and it will run again");
        }
        ok
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into())
}
