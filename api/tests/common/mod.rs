//! `spawn_app()`: the real server on a random port over a database of its own, plus helpers to
//! sign people up, read the mail they were sent and drive the job queue deterministically.
#![allow(dead_code)]

use std::path::PathBuf;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use chorus_api::config::{Config, RateLimits};
use chorus_api::startup::Application;
use chorus_api::state::AppState;
use chorus_tenants::crypto::SecretKey;
use chorus_tenants::db::bootstrap;
use chorus_tenants::testing::TestDatabase;
use chorus_worker::Runner;

pub const PASSWORD: &str = "correct horse battery staple";
pub const META_APP_SECRET: &str = "test-meta-app-secret";

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub state: AppState,
    pub runner: Runner,
    pub db: TestDatabase,
    pub home: tempfile::TempDir,
    shutdown: CancellationToken,
}

/// A second `chorus serve` on the same database: its own port, realtime hub and listener.
pub struct Peer {
    pub address: String,
    pub state: AppState,
    shutdown: CancellationToken,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawn with a configuration tweak (rate limits, say).
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    chorus_tenants::install_tls_provider();
    let db = TestDatabase::new().await;
    let home = tempfile::tempdir().expect("tempdir");
    let mut config = Config {
        home: home.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: "http://chorus.test".into(),
        secret_key: SecretKey::new(chorus_tenants::crypto::random_secret().as_bytes()).unwrap(),
        smtp_url: None,
        mail_dir: home.path().join("mail"),
        mail_from: "Chorus <no-reply@chorus.test>".into(),
        pool_size: 4,
        rate_limits: RateLimits {
            login_per_ip: 10_000,
            login_per_account: 10_000,
            signup_per_ip: 10_000,
            reset_per_ip: 10_000,
            reset_per_account: 10_000,
        },
        portal_dir: None,
        meta_app_secret: Some(META_APP_SECRET.into()),
        meta_verify_token: Some("verify-me".into()),
        // Nothing listens here unless a test points it at a fake Graph API.
        graph_api_url: "http://127.0.0.1:9".into(),
        graph_api_version: "v25.0".into(),
        media_url: home.path().join("media").to_string_lossy().into_owned(),
        media_s3: Default::default(),
        meta_app_id: None,
        meta_config_id: None,
        worker_concurrency: 4,
        llm: None,
        // The receivers of outgoing-webhook tests listen on 127.0.0.1.
        webhooks_allow_loopback: true,
    };
    tweak(&mut config);
    // The template is already migrated; this is a no-op that proves it.
    assert_eq!(bootstrap::migrate(&db.url).await.unwrap(), 0);
    let app = Application::build_migrated(config, &db.url).expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    let runner = app.runner.clone();
    let shutdown = CancellationToken::new();
    tokio::spawn(app.run(false, shutdown.clone()));
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        state,
        runner,
        db,
        home,
        shutdown,
    }
}

/// A signed-in person in one business.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub tenant_id: String,
    pub membership_id: String,
    pub email: String,
}

impl TestApp {
    /// Start another server process's worth of Chorus over this app's database.
    pub async fn spawn_peer(&self) -> Peer {
        let mut config = (*self.state.config).clone();
        config.listen = "127.0.0.1:0".parse().unwrap();
        let app = Application::build_migrated(config, &self.db.url).expect("build peer");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state.clone();
        let shutdown = CancellationToken::new();
        tokio::spawn(app.run(false, shutdown.clone()));
        Peer {
            address,
            state,
            shutdown,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Any request; `token` adds a bearer header, `body` a JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// POST a webhook body to `/webhooks/whatsapp`, signed with the test app secret as Meta would.
    pub async fn post_signed_webhook(&self, body: &Value) -> Response {
        let bytes = serde_json::to_vec(body).expect("json");
        self.client
            .post(self.url("/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                chorus_tenants::whatsapp::signature::sign(META_APP_SECRET.as_bytes(), &bytes),
            )
            .body(bytes)
            .send()
            .await
            .expect("request")
    }

    /// Run a statement as the database superuser (to move the clock of scheduled jobs, say).
    pub async fn run_sql(&self, sql: &str) {
        use diesel_async::RunQueryDsl;
        let mut conn = self.db.superuser().await;
        diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect("test SQL");
    }

    /// Run every queued job now.
    pub async fn drain_jobs(&self) -> chorus_worker::DrainReport {
        self.runner.drain().await.expect("drain")
    }

    /// Every mail written so far, raw.
    pub fn mails(&self) -> Vec<(PathBuf, String)> {
        let dir = self.home.path().join("mail");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return vec![];
        };
        let mut mails: Vec<(std::time::SystemTime, PathBuf, String)> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .map(|e| {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (
                    modified,
                    e.path(),
                    std::fs::read_to_string(e.path()).unwrap_or_default(),
                )
            })
            .collect();
        mails.sort();
        mails.into_iter().map(|(_, p, s)| (p, s)).collect()
    }

    /// The token of the newest link to `path` (`verify-email`, ...) mailed to `to`.
    pub async fn mailed_token(&self, to: &str, path: &str) -> String {
        self.drain_jobs().await;
        let needle = format!("/{path}?token=");
        let mut found = None;
        for (_, raw) in self.mails() {
            let text = decode_mail(&raw);
            if !text
                .to_lowercase()
                .contains(&format!("to: {}", to.to_lowercase()))
            {
                continue;
            }
            if let Some(i) = text.find(&needle) {
                let rest = &text[i + needle.len()..];
                let token: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                    .collect();
                found = Some(token);
            }
        }
        found.unwrap_or_else(|| panic!("no mail to {to} with a {path} link"))
    }

    /// Sign up a business and verify its owner's email; returns the owner's session.
    pub async fn signup_owner(&self, business: &str, email: &str) -> Session {
        let res = self
            .post("/api/v1/signup", None, json!({"business_name": business, "name": "Owner Person", "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap_or_default()
        );
        let token = self.mailed_token(email, "verify-email").await;
        let res = self
            .post("/api/v1/auth/verify-email", None, json!({"token": token}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        self.login(email, PASSWORD).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Session {
        let res = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "login: {}",
            res.text().await.unwrap_or_default()
        );
        session_from(res.json().await.unwrap(), email)
    }

    /// Invite `email` with the built-in role `role_key` and accept as a new person.
    pub async fn add_member(&self, owner: &Session, email: &str, role_key: &str) -> Session {
        let role_id = self.role_id(owner, role_key).await;
        let res = self
            .post(
                "/api/v1/invitations",
                Some(&owner.access_token),
                json!({"email": email, "role_id": role_id}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap_or_default()
        );
        let token = self.mailed_token(email, "accept-invitation").await;
        let res = self
            .post(
                "/api/v1/invitations/accept",
                None,
                json!({"token": token, "name": "Member Person", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap_or_default()
        );
        session_from(res.json().await.unwrap(), email)
    }

    /// The id of a built-in role by its key (owner, admin, supervisor, agent).
    pub async fn role_id(&self, session: &Session, key: &str) -> String {
        let roles: Value = self
            .get("/api/v1/roles", &session.access_token)
            .await
            .json()
            .await
            .unwrap();
        roles["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"].as_str().unwrap().eq_ignore_ascii_case(key))
            .unwrap_or_else(|| panic!("no role {key}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub fn session_from(v: Value, email: &str) -> Session {
    Session {
        access_token: v["access_token"].as_str().expect("access_token").to_owned(),
        refresh_token: v["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
        tenant_id: v["tenant_id"].as_str().unwrap().to_owned(),
        membership_id: v["membership_id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
    }
}

/// Undo quoted-printable soft breaks and escapes, enough to find links in a test mail.
pub fn decode_mail(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let mut out = String::with_capacity(joined.len());
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b as char);
            i += 3;
            continue;
        }
        out.push(bytes[i] as char);
        i += 1;
    }
    out
}

/// Assert the JSON error shape and return its code.
pub async fn error_code(res: Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .unwrap_or_else(|e| panic!("{status}: body is not JSON: {e}"));
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error.code in {body}"))
        .to_owned();
    assert!(
        body["error"]["message"].is_string(),
        "no error.message in {body}"
    );
    (status, code)
}

/// A unique email for a test.
pub fn email(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", uuid::Uuid::new_v4().simple())
}
