//! `kpi_rollup` (every 30 s): add the KPI facts that became final into the hourly roll-ups
//! reports read (`chorus_tenants::kpi::rollup`). Queues its own next run; a large backlog of
//! events runs again at once.

use chorus_tenants::kpi::rollup;

use crate::Environment;

/// Events per run above which the next run starts at once.
const BUSY: usize = 50_000;

pub async fn roll_up(env: Environment) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let events = rollup::roll_up(&env.store).await?;
    metrics::histogram!("chorus_kpi_rollup_seconds").record(started.elapsed().as_secs_f64());
    metrics::counter!("chorus_kpi_events_rolled_up_total").increment(events as u64);
    let next = if events >= BUSY {
        0
    } else {
        rollup::EVERY_SECS
    };
    rollup::schedule(&env.store, next).await?;
    Ok(())
}
