//! Wake-ups: how a runner learns that jobs are ready without waiting for its next poll.
//!
//! The process that enqueued rings a [`Bell`] after its transaction commits. The bell wakes that
//! process's own runner directly and marks an announcement as pending; [`announce`] sends it as
//! one `NOTIFY chorus_jobs` from its own autocommit statement, at most every
//! [`ANNOUNCE_EVERY`]. Worker processes [`listen`] on the channel and wake their runner.
//!
//! Why not a trigger that NOTIFYs from the enqueuing transaction (the first design)? A NOTIFY
//! takes PostgreSQL's cluster-wide notify lock from pre-commit until the commit is flushed, so
//! every transaction that enqueued a job queued behind every other one: at 300 sends/s thirty
//! backends at a time waited on it at COMMIT. One announcement per 50 ms per process costs a
//! few statements a second and holds no business transaction.
//!
//! Polling stays as the fallback: an announcement sent while a listener was reconnecting is lost,
//! and the runner looks anyway once the poll interval has passed (and once right after every
//! reconnect).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use chorus_tenants::db::Store;

const FIRST_RETRY: Duration = Duration::from_millis(250);

/// The shortest gap between two announcements of one process: a burst of enqueues in that time
/// becomes one NOTIFY.
pub const ANNOUNCE_EVERY: Duration = Duration::from_millis(50);

/// Rung after a transaction that enqueued jobs commits.
#[derive(Clone, Default)]
pub struct Bell {
    local: Arc<Notify>,
    remote: Arc<Notify>,
}

impl Bell {
    /// Wake this process's runner and ask [`announce`] to tell the other processes.
    pub fn ring(&self) {
        self.local.notify_one();
        self.remote.notify_one();
    }

    /// Wake only this process's runner (a job it ran may have enqueued more).
    pub fn ring_locally(&self) {
        self.local.notify_one();
    }

    pub(crate) fn local(&self) -> &Notify {
        &self.local
    }
}

/// Send the announcements `bell` asks for until `stop`: one `NOTIFY` per ring, never more
/// often than [`ANNOUNCE_EVERY`]. A failed announcement is only logged (the listeners poll).
pub async fn announce(store: Store, bell: Bell, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = bell.remote.notified() => {}
            _ = stop.cancelled() => return,
        }
        if let Err(e) = chorus_tenants::jobs::announce(&store).await {
            tracing::debug!(error = %e, "could not announce ready jobs; workers will poll");
        }
        tokio::select! {
            _ = tokio::time::sleep(ANNOUNCE_EVERY) => {}
            _ = stop.cancelled() => return,
        }
    }
}
const LAST_RETRY: Duration = Duration::from_secs(30);

/// Follow `chorus_jobs` until `stop`, waking the runner behind `bell` on every notification;
/// reconnect with exponential backoff when the connection fails or ends.
pub async fn listen(url: String, bell: Bell, stop: CancellationToken) {
    let mut retry = FIRST_RETRY;
    loop {
        match chorus_tenants::jobs::listen(&url).await {
            Ok(mut conn) => {
                retry = FIRST_RETRY;
                tracing::debug!("listening for job wake-ups");
                // Whatever was enqueued while nobody listened.
                bell.ring_locally();
                let mut notifications = std::pin::pin!(conn.notifications_stream());
                loop {
                    tokio::select! {
                        n = notifications.next() => match n {
                            Some(Ok(_)) => bell.ring_locally(),
                            Some(Err(e)) => {
                                tracing::warn!(error = %e, "the job wake-up connection failed; reconnecting");
                                break;
                            }
                            None => {
                                tracing::warn!("the job wake-up connection ended; reconnecting");
                                break;
                            }
                        },
                        _ = stop.cancelled() => return,
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_ms = retry.as_millis() as u64, "cannot LISTEN for job wake-ups; polling meanwhile");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(retry) => {}
            _ = stop.cancelled() => return,
        }
        retry = (retry * 2).min(LAST_RETRY);
    }
}
