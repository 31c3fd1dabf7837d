//! Load generation: a fixed-rate (open-loop) driver and a closed-loop driver, with latency stats.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

#[derive(Debug, Default)]
pub struct Outcome {
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub elapsed: Duration,
}

impl Outcome {
    /// The `p` quantile (0..=1) in milliseconds.
    pub fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }

    /// A Markdown table of throughput and latency percentiles.
    pub fn table(&self, unit: &str) -> String {
        let ok = self.latencies.len();
        format!(
            "| {unit}/s | ok | errors | p50 | p90 | p99 | p99.9 | max |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n\
             | {:.0} | {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            ok as f64 / self.elapsed.as_secs_f64().max(0.001),
            ok,
            self.errors,
            self.pct(0.50),
            self.pct(0.90),
            self.pct(0.99),
            self.pct(0.999),
            self.pct(1.0)
        )
    }
}

/// Send `rate` requests per second for `duration`; latency counts from each request's scheduled
/// time, so queueing in the client or server is included.
pub async fn fixed_rate<F>(
    client: &reqwest::Client,
    rate: u32,
    duration: Duration,
    make: F,
) -> Outcome
where
    F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
{
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let total = (rate as u64 * duration.as_secs()) as usize;
    let results = Arc::new(Mutex::new(Outcome::default()));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let scheduled = start + interval * i as u32;
        let now = Instant::now();
        if scheduled > now {
            tokio::time::sleep(scheduled - now).await;
        }
        let req = make(client);
        let results = results.clone();
        tasks.spawn(async move {
            let ok = matches!(req.send().await, Ok(r) if r.status().is_success());
            let latency = scheduled.elapsed();
            let mut r = results.lock().await;
            if ok {
                r.latencies.push(latency);
            } else {
                r.errors += 1;
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let mut outcome = std::mem::take(&mut *results.lock().await);
    outcome.elapsed = start.elapsed();
    outcome.latencies.sort();
    outcome
}

/// `workers` loops sending one request after another for `duration`.
pub async fn closed_loop<F>(
    client: &reqwest::Client,
    workers: usize,
    duration: Duration,
    make: F,
) -> Outcome
where
    F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
{
    let start = Instant::now();
    let results = Arc::new(Mutex::new(Outcome::default()));
    let mut futures = Vec::new();
    for _ in 0..workers {
        let results = results.clone();
        let make = &make;
        futures.push(async move {
            while start.elapsed() < duration {
                let t = Instant::now();
                let ok = matches!(make(client).send().await, Ok(r) if r.status().is_success());
                let mut r = results.lock().await;
                if ok {
                    r.latencies.push(t.elapsed());
                } else {
                    r.errors += 1;
                }
            }
        });
    }
    futures_util::future::join_all(futures).await;
    let mut outcome = std::mem::take(&mut *results.lock().await);
    outcome.elapsed = start.elapsed();
    outcome.latencies.sort();
    outcome
}
