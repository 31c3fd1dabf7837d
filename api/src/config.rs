//! Configuration from the environment (the public surface in DESIGN.md). Each variable:
//! - `DATABASE_URL`: unset means a private cluster under `$CHORUS_HOME/pg`.
//! - `CHORUS_HOME`: the folder for local state (default `./.chorus`): private cluster, dev secret, mail.
//! - `CHORUS_LISTEN` (default `127.0.0.1:8080`), `CHORUS_PUBLIC_URL` (default `http://<listen>`).
//! - `CHORUS_SECRET_KEY`: signing and encryption; in development generated into `$CHORUS_HOME/secret`.
//! - `CHORUS_SMTP_URL`: unset means mail is written as `.eml` files under `$CHORUS_HOME/mail/`.
//! - `CHORUS_MAIL_FROM` (default `Chorus <no-reply@chorus.localhost>`).
//! - `CHORUS_DB_POOL_SIZE` (default 16).
//! - `CHORUS_RATE_LOGIN_PER_IP`, `..._LOGIN_PER_ACCOUNT`, `..._SIGNUP_PER_IP`, `..._RESET_PER_IP`,
//!   `..._RESET_PER_ACCOUNT`: per-minute limits (defaults 30, 10, 10, 10, 3).
//! - `CHORUS_META_APP_SECRET`, `CHORUS_META_VERIFY_TOKEN`, `CHORUS_GRAPH_API_URL`,
//!   `CHORUS_GRAPH_API_VERSION`, `CHORUS_STRIPE_SECRET_KEY`, `CHORUS_STRIPE_WEBHOOK_SECRET`,
//!   `CHORUS_STRIPE_API_URL` are read by the features that use them.
//! - `CHORUS_MEDIA_STORE`: a folder (default `$CHORUS_HOME/media`) or `s3://bucket/prefix`
//!   (credentials and region from the standard `AWS_*` variables).
//! - `CHORUS_S3_ENDPOINT`: an S3-compatible server for an `s3://` media store instead of AWS
//!   (MinIO, R2, ...; path-style requests), and `CHORUS_S3_ALLOW_HTTP=true` when it is plain
//!   http. Both override the `AWS_*` equivalents; they are explicit settings
//!   ([`chorus_tenants::media::S3Settings`]) so tests can point a store at a local server
//!   without process-global variables. Set without an `s3://` store, they are an error.
//! - `CHORUS_META_APP_ID`, `CHORUS_META_CONFIG_ID`: Embedded Signup (with the app secret).
//! - `CHORUS_LLM_BASE_URL`, `CHORUS_LLM_API_KEY`, `CHORUS_LLM_MODEL`: an OpenAI-compatible chat
//!   completions provider for bots' intent checks and suggested replies; off unless all three are set.
//! - `CHORUS_WORKER_CONCURRENCY` (default 32): jobs the in-process worker runs at once.
//! - `RUST_LOG` (default `info`), `RUST_LOG_FORMAT=json` for JSON logs.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;

use chorus_tenants::crypto::SecretKey;

/// Per-minute limits of the rate-limited account endpoints.
#[derive(Clone, Debug)]
pub struct RateLimits {
    pub login_per_ip: u32,
    pub login_per_account: u32,
    pub signup_per_ip: u32,
    pub reset_per_ip: u32,
    pub reset_per_account: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: 30,
            login_per_account: 10,
            signup_per_ip: 10,
            reset_per_ip: 10,
            reset_per_account: 3,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub home: PathBuf,
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    pub public_url: String,
    pub secret_key: SecretKey,
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    pub pool_size: usize,
    pub rate_limits: RateLimits,
    /// Serve the portal from this folder instead of the embedded copy.
    pub portal_dir: Option<PathBuf>,
    /// The Meta app secret that signs WhatsApp webhooks (`X-Hub-Signature-256`).
    pub meta_app_secret: Option<String>,
    /// The token Meta echoes when verifying the webhook URL.
    pub meta_verify_token: Option<String>,
    pub graph_api_url: String,
    pub graph_api_version: String,
    /// Where media files are kept: a folder (default `$CHORUS_HOME/media`) or `s3://bucket/prefix`.
    pub media_url: String,
    /// For an `s3://` media store: endpoint, plain http, region and keys over the `AWS_*` ones.
    pub media_s3: chorus_tenants::media::S3Settings,
    /// Meta app id for Embedded Signup (with `CHORUS_META_CONFIG_ID` and the app secret).
    pub meta_app_id: Option<String>,
    /// The Embedded Signup configuration id from Meta's Facebook Login for Business.
    pub meta_config_id: Option<String>,
    /// Jobs the in-process worker runs at once (sends wait on Meta, not on the CPU).
    pub worker_concurrency: usize,
    /// The optional LLM provider (off when `None`).
    pub llm: Option<chorus_tenants::llm::LlmConfig>,
    /// Let outgoing webhooks reach loopback addresses (tests and local development only;
    /// `CHORUS_WEBHOOKS_ALLOW_LOOPBACK=true`). Private ranges stay closed regardless.
    pub webhooks_allow_loopback: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A `true`/`false` (or `1`/`0`) variable; unset is `false`.
fn flag(name: &str) -> anyhow::Result<bool> {
    match var(name).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(v) => anyhow::bail!("{name} must be true or false, not {v:?}"),
    }
}

/// The S3 settings of the media store, checked against its URL.
fn media_s3(media_url: &str) -> anyhow::Result<chorus_tenants::media::S3Settings> {
    let settings = chorus_tenants::media::S3Settings {
        endpoint: var("CHORUS_S3_ENDPOINT"),
        allow_http: flag("CHORUS_S3_ALLOW_HTTP")?,
        ..Default::default()
    };
    if (settings.endpoint.is_some() || settings.allow_http) && !media_url.starts_with("s3://") {
        anyhow::bail!(
            "CHORUS_S3_ENDPOINT / CHORUS_S3_ALLOW_HTTP apply to an s3:// media store, but CHORUS_MEDIA_STORE is {media_url:?}"
        );
    }
    Ok(settings)
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let home = PathBuf::from(var("CHORUS_HOME").unwrap_or_else(|| ".chorus".into()));
        let listen: SocketAddr = var("CHORUS_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("CHORUS_LISTEN must look like 127.0.0.1:8080")?;
        let public_url = var("CHORUS_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
        let secret_key = match var("CHORUS_SECRET_KEY") {
            Some(k) => SecretKey::new(k.as_bytes())?,
            None => dev_secret(&home)?,
        };
        let pool_size = match var("CHORUS_DB_POOL_SIZE") {
            Some(v) => v.parse().context("CHORUS_DB_POOL_SIZE must be a number")?,
            None => 16,
        };
        let media_url = var("CHORUS_MEDIA_STORE")
            .unwrap_or_else(|| home.join("media").to_string_lossy().into_owned());
        Ok(Self {
            media_s3: media_s3(&media_url)?,
            media_url,
            meta_app_id: var("CHORUS_META_APP_ID"),
            meta_config_id: var("CHORUS_META_CONFIG_ID"),
            worker_concurrency: match var("CHORUS_WORKER_CONCURRENCY") {
                Some(v) => v
                    .parse()
                    .context("CHORUS_WORKER_CONCURRENCY must be a number")?,
                None => 32,
            },
            llm: chorus_tenants::llm::LlmConfig::from_parts(
                var("CHORUS_LLM_BASE_URL"),
                var("CHORUS_LLM_API_KEY"),
                var("CHORUS_LLM_MODEL"),
            ),
            webhooks_allow_loopback: flag("CHORUS_WEBHOOKS_ALLOW_LOOPBACK")?,
            mail_dir: home.join("mail"),
            home,
            database_url: var("DATABASE_URL"),
            listen,
            public_url: public_url.trim_end_matches('/').to_owned(),
            secret_key,
            smtp_url: var("CHORUS_SMTP_URL"),
            mail_from: var("CHORUS_MAIL_FROM")
                .unwrap_or_else(|| "Chorus <no-reply@chorus.localhost>".into()),
            pool_size,
            rate_limits: rate_limits_from_env()?,
            portal_dir: var("CHORUS_PORTAL_DIR").map(PathBuf::from),
            meta_app_secret: var("CHORUS_META_APP_SECRET"),
            meta_verify_token: var("CHORUS_META_VERIFY_TOKEN"),
            graph_api_url: var("CHORUS_GRAPH_API_URL")
                .unwrap_or_else(|| "https://graph.facebook.com".into()),
            graph_api_version: var("CHORUS_GRAPH_API_VERSION").unwrap_or_else(|| "v25.0".into()),
        })
    }

    /// Refresh cookies are `Secure` unless the portal is served over plain http from a
    /// non-local host (browsers accept Secure cookies on http://localhost and 127.0.0.1).
    pub fn cookie_secure(&self) -> bool {
        true
    }
}

/// `CHORUS_RATE_<NAME>` (per minute) overrides a default limit, e.g. `CHORUS_RATE_LOGIN_PER_ACCOUNT=20`.
fn rate_limits_from_env() -> anyhow::Result<RateLimits> {
    let mut l = RateLimits::default();
    for (name, slot) in [
        ("CHORUS_RATE_LOGIN_PER_IP", &mut l.login_per_ip),
        ("CHORUS_RATE_LOGIN_PER_ACCOUNT", &mut l.login_per_account),
        ("CHORUS_RATE_SIGNUP_PER_IP", &mut l.signup_per_ip),
        ("CHORUS_RATE_RESET_PER_IP", &mut l.reset_per_ip),
        ("CHORUS_RATE_RESET_PER_ACCOUNT", &mut l.reset_per_account),
    ] {
        if let Some(v) = var(name) {
            *slot = v
                .parse()
                .with_context(|| format!("{name} must be a number"))?;
        }
    }
    Ok(l)
}

/// In development, a random secret kept in `$CHORUS_HOME/secret` so sessions survive restarts.
fn dev_secret(home: &std::path::Path) -> anyhow::Result<SecretKey> {
    let path = home.join("secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return SecretKey::new(existing.trim().as_bytes());
    }
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    let secret = format!(
        "{}{}",
        chorus_tenants::crypto::random_secret(),
        chorus_tenants::crypto::random_secret()
    );
    std::fs::write(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    SecretKey::new(secret.as_bytes())
}
