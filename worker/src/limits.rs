//! Sending limits Meta enforces, applied before we call it so agents see a short wait instead of
//! 130429/131056 errors: a number's throughput (80 messages/s by default, 1,000 after Meta's
//! upgrade) and the pair rate limit (one message every 6 s to the same customer, bursts of up to
//! 45). Limits are per worker process; with several processes the number limit is shared out by
//! Meta's own 130429 answers, which the sender retries with backoff.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};

/// Waits longer than this are not slept: the job is retried later instead.
pub const MAX_WAIT: Duration = Duration::from_secs(2);

pub struct SendLimits {
    numbers: Mutex<HashMap<String, (u32, Arc<DefaultDirectRateLimiter>)>>,
    pairs: DefaultKeyedRateLimiter<String>,
}

impl Default for SendLimits {
    fn default() -> Self {
        let pair = Quota::with_period(Duration::from_secs(6))
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(45).unwrap_or(NonZeroU32::MIN));
        Self {
            numbers: Mutex::new(HashMap::new()),
            pairs: DefaultKeyedRateLimiter::keyed(pair),
        }
    }
}

impl SendLimits {
    fn number(&self, phone_number_id: &str, per_second: u32) -> Arc<DefaultDirectRateLimiter> {
        let mut map = self.numbers.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(phone_number_id) {
            Some((rate, limiter)) if *rate == per_second => limiter.clone(),
            _ => {
                let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
                let limiter = Arc::new(DefaultDirectRateLimiter::direct(Quota::per_second(rate)));
                map.insert(phone_number_id.to_owned(), (per_second, limiter.clone()));
                limiter
            }
        }
    }

    /// Take one send from the number's and the pair's budget, sleeping up to [`MAX_WAIT`].
    /// `Err(wait)` when the budget frees up later than that (retry the job then).
    pub async fn acquire(
        &self,
        phone_number_id: &str,
        per_second: u32,
        recipient: &str,
    ) -> Result<(), Duration> {
        let pair_key = format!("{phone_number_id}:{recipient}");
        if let Err(not_until) = self.pairs.check_key(&pair_key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            if wait > MAX_WAIT {
                return Err(wait);
            }
            tokio::time::sleep(wait).await;
            // A slot was promised by the wait; take it (it may race another sender: rare, and then
            // Meta's 131056 is retried).
            let _ = self.pairs.check_key(&pair_key);
        }
        let number = self.number(phone_number_id, per_second);
        loop {
            match number.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => {
                    let wait = not_until.wait_time_from(DefaultClock::default().now());
                    if wait > MAX_WAIT {
                        return Err(wait);
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pair_limit_allows_a_burst_then_defers() {
        let limits = SendLimits::default();
        for _ in 0..45 {
            assert!(limits.acquire("n1", 80, "34600").await.is_ok());
        }
        let wait = limits.acquire("n1", 80, "34600").await.unwrap_err();
        assert!(wait > MAX_WAIT, "{wait:?}");
        // Another customer of the same number is unaffected.
        assert!(limits.acquire("n1", 80, "34611").await.is_ok());
    }

    #[tokio::test]
    async fn number_throughput_paces_sends() {
        let limits = SendLimits::default();
        let started = std::time::Instant::now();
        for i in 0..25 {
            limits.acquire("n2", 10, &format!("c{i}")).await.unwrap();
        }
        // 10/s with a burst of 10: 25 sends need at least ~1.4 s.
        assert!(
            started.elapsed() >= Duration::from_millis(1300),
            "{:?}",
            started.elapsed()
        );
    }
}
