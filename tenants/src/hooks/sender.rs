//! The HTTP side of a delivery: one signed POST through the guarded resolver, with no redirects
//! and a 10 s limit, reduced to an [`Attempt`] to record.

use std::time::{Duration, Instant};

use reqwest::Url;

use super::guard::{GuardedResolver, TargetPolicy};
use super::{Attempt, Outgoing, signature};

const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of an answer is kept in the log.
const EXCERPT_BYTES: usize = 1024;

/// Sends deliveries. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct HookSender {
    http: reqwest::Client,
    policy: TargetPolicy,
}

impl HookSender {
    pub fn new(policy: TargetPolicy) -> anyhow::Result<Self> {
        crate::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver(policy))
            .user_agent(concat!("Chorus-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, policy })
    }

    pub fn policy(&self) -> TargetPolicy {
        self.policy
    }

    /// POST the delivery once. `last` says whether a failure ends it.
    pub async fn send(&self, out: &Outgoing, last: bool) -> Attempt {
        let started = Instant::now();
        let elapsed = |started: Instant| started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let url = match Url::parse(&out.url) {
            Ok(u) => u,
            Err(_) => return failed("The stored URL is not valid.".into(), 0, last),
        };
        if let Err(why) = self.policy.check_literal(&url) {
            return failed(why, 0, last);
        }
        let now = chrono::Utc::now().timestamp();
        let sent = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Chorus-Event", &out.event)
            .header("X-Chorus-Event-Id", out.event_id.to_string())
            .header("X-Chorus-Delivery", out.delivery_id.to_string())
            .header("X-Chorus-Signature", signature(&out.secret, now, &out.body))
            .body(out.body.clone())
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status();
                let bytes = resp.bytes().await.unwrap_or_default();
                let mut end = bytes.len().min(EXCERPT_BYTES);
                while end > 0 && std::str::from_utf8(&bytes[..end]).is_err() {
                    end -= 1;
                }
                let excerpt = String::from_utf8_lossy(&bytes[..end]).into_owned();
                let delivered = status.is_success();
                Attempt {
                    status: Some(status.as_u16()),
                    excerpt: if delivered || !excerpt.is_empty() {
                        excerpt
                    } else {
                        format!("The receiver answered {status}.")
                    },
                    duration_ms: elapsed(started),
                    delivered,
                    last,
                }
            }
            Err(e) => {
                let why = if e.is_timeout() {
                    "No answer within 10 seconds.".to_owned()
                } else if e.is_connect() {
                    format!("Could not connect: {}", chain(&e))
                } else {
                    format!("The request failed: {}", chain(&e))
                };
                failed(why, elapsed(started), last)
            }
        }
    }
}

fn failed(why: String, duration_ms: i32, last: bool) -> Attempt {
    Attempt {
        status: None,
        excerpt: why,
        duration_ms,
        delivered: false,
        last,
    }
}

/// The error and its causes, without the URL (it is in the log already).
fn chain(e: &reqwest::Error) -> String {
    let mut out = String::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !out.contains(&s) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&s);
        }
        cur = err.source();
    }
    out
}
