//! Wake-ups from other processes: a trigger on `jobs` NOTIFYs `chorus_jobs` when jobs ready to
//! run commit (migration `..._job_wakeups`). One connection per worker process LISTENs and wakes
//! the runner, so a job enqueued by an API node starts at once instead of at the next poll.
//! Polling stays as the fallback: a notification sent while the listener was reconnecting is
//! lost, and the runner looks anyway once the poll interval has passed (and once right after
//! every reconnect).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const FIRST_RETRY: Duration = Duration::from_millis(250);
const LAST_RETRY: Duration = Duration::from_secs(30);

/// Follow `chorus_jobs` until `stop`, waking `wakeup` on every notification; reconnect with
/// exponential backoff when the connection fails or ends.
pub async fn listen(url: String, wakeup: Arc<Notify>, stop: CancellationToken) {
    let mut retry = FIRST_RETRY;
    loop {
        match chorus_tenants::jobs::listen(&url).await {
            Ok(mut conn) => {
                retry = FIRST_RETRY;
                tracing::debug!("listening for job wake-ups");
                // Whatever was enqueued while nobody listened.
                wakeup.notify_one();
                let mut notifications = std::pin::pin!(conn.notifications_stream());
                loop {
                    tokio::select! {
                        n = notifications.next() => match n {
                            Some(Ok(_)) => wakeup.notify_one(),
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
