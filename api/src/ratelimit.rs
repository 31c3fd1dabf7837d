//! Rate limits for the account endpoints (login, signup, password reset): per client IP and per
//! account, in memory (GCRA from `governor`). Per process: with N API nodes the effective limit is
//! N times higher, which is acceptable for brute-force protection; a shared limiter can replace
//! this without changing callers.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::RateLimits;

/// One keyed limiter per action.
#[derive(Clone)]
pub struct Limiter {
    inner: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Limiter {
    pub fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            inner: Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// `Err(seconds to wait)` when over the limit.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        match self.inner.check_key(&key.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(wait.as_secs().max(1))
            }
        }
    }

    pub fn retain_recent(&self) {
        self.inner.retain_recent();
    }
}

#[derive(Clone)]
pub struct AccountLimits {
    pub login_ip: Limiter,
    pub login_account: Limiter,
    pub signup_ip: Limiter,
    pub reset_ip: Limiter,
    pub reset_account: Limiter,
}

impl AccountLimits {
    pub fn new(l: &RateLimits) -> Self {
        Self {
            login_ip: Limiter::per_minute(l.login_per_ip),
            login_account: Limiter::per_minute(l.login_per_account),
            signup_ip: Limiter::per_minute(l.signup_per_ip),
            reset_ip: Limiter::per_minute(l.reset_per_ip),
            reset_account: Limiter::per_minute(l.reset_per_account),
        }
    }

    /// Forget idle keys (called periodically so memory stays bounded).
    pub fn sweep(&self) {
        for l in [
            &self.login_ip,
            &self.login_account,
            &self.signup_ip,
            &self.reset_ip,
            &self.reset_account,
        ] {
            l.retain_recent();
        }
    }
}

/// Both checks; the error carries the longer wait.
pub fn check_both(
    ip_limiter: &Limiter,
    ip: Option<IpAddr>,
    account_limiter: &Limiter,
    account: &str,
) -> chorus_tenants::Result<()> {
    let ip_key = ip
        .map(|i| i.to_string())
        .unwrap_or_else(|| "unknown".into());
    let a = ip_limiter.check(&ip_key);
    let b = if account.is_empty() {
        Ok(())
    } else {
        account_limiter.check(&account.trim().to_lowercase())
    };
    match (a, b) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(x), Ok(())) | (Ok(()), Err(x)) => Err(chorus_tenants::Error::RateLimited {
            retry_after_secs: x,
        }),
        (Err(x), Err(y)) => Err(chorus_tenants::Error::RateLimited {
            retry_after_secs: x.max(y),
        }),
    }
}
