//! Logs (tracing; JSON with `RUST_LOG_FORMAT=json`) and Prometheus metrics.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Install the log subscriber once per process.
pub fn init_logging() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        let json = std::env::var("RUST_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
        let registry = tracing_subscriber::registry().with(filter);
        let result = if json {
            registry
                .with(fmt::layer().json().flatten_event(true))
                .try_init()
        } else {
            registry.with(fmt::layer().compact()).try_init()
        };
        let _ = result;
    });
}

/// The Prometheus recorder (one per process; the metrics facade is global).
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

impl Metrics {
    pub fn install() -> anyhow::Result<Self> {
        static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
        let handle = HANDLE.get_or_init(|| {
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ];
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
                .and_then(|b| b.install_recorder())
                .map_err(|e| eprintln!("metrics recorder: {e}"))
                .ok()
        });
        handle
            .clone()
            .map(|handle| Self { handle })
            .ok_or_else(|| anyhow::anyhow!("the metrics recorder could not be installed"))
    }

    pub fn render(&self) -> String {
        self.handle.render()
    }
}
