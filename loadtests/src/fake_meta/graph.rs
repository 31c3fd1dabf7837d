//! The fake Graph API server (sheet §5, §6, §7, §11, and the simulator checklist §12).
//!
//! One catch-all handler parses the path itself, so every request, even to a path the fake does
//! not serve, is recorded and subject to scripted failures and latency in one place. Tokens are
//! registered per number (a token grants its number and that number's WABA); unknown tokens get
//! 190, objects outside a token's grant get Meta's 100/33 "does not exist" error.
//!
//! Optional realism, off by default so simple tests stay simple: the 24-hour window (131047),
//! the pair rate limit (131056), the per-number throughput limit (130429), template existence
//! and parameter counts (132001/132000, on once a WABA has templates), and status webhooks for
//! every accepted send.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use super::codes::meta_error_body;
use super::webhooks::{BusinessNumber, Pricing, StatusSpec, WebhookBatch, WebhookSender};

/// What to do to a request instead of (or before) answering it normally.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Answer with Meta's error body for `code` (§5.4) and its usual HTTP status
    /// (400; 401 for 190; 500 for 131000).
    Meta { code: i64 },
    /// Meta's error body for `code`, with this HTTP status.
    MetaWithStatus { code: i64, status: u16 },
    /// A bare HTTP error (e.g. 500, 502, 503) with a non-Meta body.
    Http { status: u16 },
    /// Wait this long, then answer normally: longer than the client's timeout makes a timeout,
    /// and the call still takes effect (as a timed-out send at Meta may).
    Delay(Duration),
    /// Sends only: accept the send (200 + wamid), then report it `failed` with `code` in a
    /// status webhook (needs [`FakeGraph::deliver_statuses`]), like 131026 or 131047 arrive.
    FailedStatus { code: i64 },
}

impl Failure {
    pub fn meta(code: i64) -> Self {
        Failure::Meta { code }
    }

    pub fn http(status: u16) -> Self {
        Failure::Http { status }
    }

    pub fn delay(duration: Duration) -> Self {
        Failure::Delay(duration)
    }
}

#[derive(Debug, Clone)]
enum Scope {
    /// `POST /{pnid}/messages` that sends a message (not read receipts).
    Sends,
    /// Sends to this recipient (digits of `to`, or the `recipient` BSUID).
    Recipient(String),
    /// Every request.
    Any,
}

#[derive(Debug, Clone)]
struct FailureRule {
    scope: Scope,
    remaining: usize,
    failure: Failure,
}

/// Every request the fake received, in order.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// The bearer token, if any.
    pub token: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The HTTP status the fake answered.
    pub status: u16,
}

impl RecordedRequest {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct SentRecord {
    pub wamid: String,
    pub phone_number_id: String,
    /// Digits of `to`, or the `recipient` BSUID.
    pub recipient: String,
    /// Whether the send used `recipient` (BSUID) rather than `to`.
    pub by_user_id: bool,
    pub message_type: String,
    /// The request body as sent.
    pub body: Value,
    /// When the fake accepted it (benchmarks measure queue-to-Meta latency with it).
    pub at: std::time::Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedMedia {
    pub id: String,
    pub phone_number_id: String,
    pub mime_type: String,
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub waba_id: String,
    pub override_callback_uri: Option<String>,
    pub verify_token: Option<String>,
}

/// Which status webhooks follow an accepted send.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusPlan {
    pub delivered: bool,
    pub read: bool,
    /// Pause before each status.
    pub delay: Duration,
}

impl Default for StatusPlan {
    fn default() -> Self {
        Self {
            delivered: true,
            read: true,
            delay: Duration::from_millis(10),
        }
    }
}

#[derive(Debug, Clone)]
struct Number {
    waba_id: String,
    display: String,
    registered: bool,
    pin: Option<String>,
    quality: String,
    send_times: Vec<Instant>,
}

#[derive(Debug, Clone, Default)]
struct Grant {
    numbers: HashSet<String>,
    wabas: HashSet<String>,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct StoredMedia {
    owner: String,
    mime_type: String,
    sha256: String,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct State {
    numbers: HashMap<String, Number>,
    tokens: HashMap<String, Grant>,
    templates: HashMap<String, Vec<Value>>,
    media: HashMap<String, StoredMedia>,
    uploads: Vec<UploadedMedia>,
    requests: Vec<RecordedRequest>,
    sent: Vec<SentRecord>,
    reads: Vec<(String, String, bool)>,
    subscriptions: Vec<Subscription>,
    registrations: Vec<String>,
    failures: Vec<FailureRule>,
    latency: Duration,
    window_enforced: bool,
    windows: HashMap<(String, String), Instant>,
    pair_interval: Option<Duration>,
    last_send: HashMap<(String, String), Instant>,
    throughput: Option<usize>,
    media_url_ttl: Duration,
    app: Option<(String, String)>,
    codes: HashMap<String, String>,
    statuses: Option<(WebhookSender, StatusPlan)>,
}

struct Shared {
    state: Mutex<State>,
    seq: AtomicU64,
    base_url: String,
    port: u16,
    /// Signs media URLs.
    url_key: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }
}

/// A running fake Graph API. Stopped when dropped (or with [`FakeGraph::stop`]).
pub struct FakeGraph {
    shared: Arc<Shared>,
    handle: ServerHandle,
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        // Not awaited: the server winds down on its own.
        drop(self.handle.stop(false));
    }
}

impl FakeGraph {
    /// Start on `127.0.0.1:<free port>` in the current Tokio runtime, with one worker thread.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with_workers(1).await
    }

    /// Start with `workers` server threads (benchmarks that push thousands of sends a second).
    pub async fn start_with_workers(workers: usize) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                media_url_ttl: Duration::from_secs(300),
                ..State::default()
            }),
            seq: AtomicU64::new(1),
            base_url: base_url.clone(),
            port: addr.port(),
            url_key: format!("{:x}", unix_now() ^ u64::from(addr.port())),
        });
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                // Media uploads up to WhatsApp's largest (documents, 100 MB).
                .app_data(web::PayloadConfig::new(101 * 1024 * 1024))
                .default_service(web::to(handle))
        })
        .workers(workers.max(1))
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self { shared, handle })
    }

    /// `http://127.0.0.1:<port>`: the Graph base URL to configure the client with.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
    }

    /// Register a business number, its WABA and a token that may use both. The number starts
    /// registered for the Cloud API, with quality GREEN.
    pub fn add_number(
        &self,
        phone_number_id: &str,
        waba_id: &str,
        display_phone_number: &str,
        token: &str,
    ) {
        let mut state = self.shared.lock();
        state.numbers.insert(
            phone_number_id.to_owned(),
            Number {
                waba_id: waba_id.to_owned(),
                display: display_phone_number.to_owned(),
                registered: true,
                pin: None,
                quality: "GREEN".into(),
                send_times: Vec::new(),
            },
        );
        let grant = state.tokens.entry(token.to_owned()).or_default();
        grant.numbers.insert(phone_number_id.to_owned());
        grant.wabas.insert(waba_id.to_owned());
    }

    /// The [`BusinessNumber`] a webhook for this registered number would name.
    pub fn business_number(&self, phone_number_id: &str) -> Option<BusinessNumber> {
        let state = self.shared.lock();
        state.numbers.get(phone_number_id).map(|n| {
            BusinessNumber::new(
                &n.waba_id,
                phone_number_id,
                &n.display
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>(),
            )
        })
    }

    /// Every later call with `token` fails with 190 (expired session).
    pub fn revoke_token(&self, token: &str) {
        if let Some(grant) = self.shared.lock().tokens.get_mut(token) {
            grant.revoked = true;
        }
    }

    /// Mark the number unregistered (sends fail with 133010) and require `pin` to register it.
    pub fn require_registration(&self, phone_number_id: &str, pin: &str) {
        if let Some(n) = self.shared.lock().numbers.get_mut(phone_number_id) {
            n.registered = false;
            n.pin = Some(pin.to_owned());
        }
    }

    pub fn set_quality(&self, phone_number_id: &str, rating: &str) {
        if let Some(n) = self.shared.lock().numbers.get_mut(phone_number_id) {
            n.quality = rating.to_owned();
        }
    }

    /// The app for the Embedded Signup code exchange, and a code it will accept.
    pub fn set_app(&self, app_id: &str, app_secret: &str) {
        self.shared.lock().app = Some((app_id.to_owned(), app_secret.to_owned()));
    }

    /// `code` exchanges (once) for `token`, which is then granted `waba_id` and its numbers.
    pub fn add_signup_code(&self, code: &str, token: &str, waba_id: &str) {
        let mut state = self.shared.lock();
        state.codes.insert(code.to_owned(), token.to_owned());
        let numbers: Vec<String> = state
            .numbers
            .iter()
            .filter(|(_, n)| n.waba_id == waba_id)
            .map(|(id, _)| id.clone())
            .collect();
        let grant = state.tokens.entry(token.to_owned()).or_default();
        grant.wabas.insert(waba_id.to_owned());
        grant.numbers.extend(numbers);
    }

    /// An approved template. Once a WABA has any, sends must name one of them (else 132001) with
    /// as many body parameters as the body has `{{…}}` variables (else 132000).
    pub fn add_template(
        &self,
        waba_id: &str,
        name: &str,
        language: &str,
        category: &str,
        body: &str,
    ) -> String {
        let id = format!("77{:013}", self.shared.next());
        self.add_template_json(
            waba_id,
            json!({
                "id": id, "name": name, "language": language, "status": "APPROVED",
                "category": category.to_uppercase(),
                "components": [{ "type": "BODY", "text": body }]
            }),
        );
        id
    }

    /// Any template object, as `GET /{waba}/message_templates` returns it.
    pub fn add_template_json(&self, waba_id: &str, template: Value) {
        self.shared
            .lock()
            .templates
            .entry(waba_id.to_owned())
            .or_default()
            .push(template);
    }

    /// Change a template's status (as Meta's review would), e.g. to `APPROVED`.
    pub fn set_template_status(&self, waba_id: &str, template_id: &str, status: &str) {
        if let Some(list) = self.shared.lock().templates.get_mut(waba_id) {
            for t in list.iter_mut().filter(|t| t["id"] == template_id) {
                t["status"] = json!(status);
            }
        }
    }

    /// A file a customer "sent": downloadable through `GET /{id}` with a token for `phone_number_id`.
    pub fn add_media(&self, phone_number_id: &str, bytes: Vec<u8>, mime_type: &str) -> String {
        let id = format!("90{:013}", self.shared.next());
        let sha256 = sha256_hex(&bytes);
        self.shared.lock().media.insert(
            id.clone(),
            StoredMedia {
                owner: phone_number_id.to_owned(),
                mime_type: mime_type.to_owned(),
                sha256,
                bytes,
            },
        );
        id
    }

    /// How long media URLs stay valid (Meta: 5 minutes).
    pub fn set_media_url_ttl(&self, ttl: Duration) {
        self.shared.lock().media_url_ttl = ttl;
    }

    /// The next `n` message sends fail this way.
    pub fn fail_next(&self, n: usize, failure: Failure) {
        self.push_rule(Scope::Sends, n, failure);
    }

    /// The next `n` sends to `recipient` (phone in any format, or BSUID) fail this way.
    pub fn fail_recipient(&self, recipient: &str, n: usize, failure: Failure) {
        self.push_rule(Scope::Recipient(recipient_key(recipient)), n, failure);
    }

    /// The next `n` requests of any kind fail this way.
    pub fn fail_next_calls(&self, n: usize, failure: Failure) {
        self.push_rule(Scope::Any, n, failure);
    }

    fn push_rule(&self, scope: Scope, remaining: usize, failure: Failure) {
        self.shared.lock().failures.push(FailureRule {
            scope,
            remaining,
            failure,
        });
    }

    /// Forget scripted failures that have not fired.
    pub fn clear_failures(&self) {
        self.shared.lock().failures.clear();
    }

    /// Added to every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// Refuse non-template sends with 131047 unless the customer wrote in the last 24 hours
    /// ([`FakeGraph::open_window`]).
    pub fn enforce_window(&self, on: bool) {
        self.shared.lock().window_enforced = on;
    }

    /// The customer wrote to this number now: open (or reset) the 24-hour window.
    pub fn open_window(&self, phone_number_id: &str, customer: &str) {
        self.shared.lock().windows.insert(
            (phone_number_id.to_owned(), recipient_key(customer)),
            Instant::now(),
        );
    }

    /// At most one send per `interval` to the same recipient (Meta: 6 s), else 131056.
    pub fn set_pair_rate_limit(&self, interval: Option<Duration>) {
        self.shared.lock().pair_interval = interval;
    }

    /// At most `per_second` sends per number in any second (Meta: 80), else 130429.
    pub fn set_throughput_limit(&self, per_second: Option<usize>) {
        self.shared.lock().throughput = per_second;
    }

    /// After every accepted send, POST status webhooks for it to `sender`'s callback.
    pub fn deliver_statuses(&self, sender: WebhookSender, plan: StatusPlan) {
        self.shared.lock().statuses = Some((sender, plan));
    }

    /// Forget recorded requests, sends, receipts and uploads (long benchmark runs).
    pub fn clear_records(&self) {
        let mut state = self.shared.lock();
        state.requests.clear();
        state.sent.clear();
        state.reads.clear();
        state.uploads.clear();
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    pub fn sent_messages(&self) -> Vec<SentRecord> {
        self.shared.lock().sent.clone()
    }

    /// Sends accepted for this recipient (phone in any format, or BSUID).
    pub fn sent_to(&self, recipient: &str) -> Vec<SentRecord> {
        let key = recipient_key(recipient);
        self.sent_messages()
            .into_iter()
            .filter(|s| s.recipient == key)
            .collect()
    }

    /// (phone_number_id, wamid, typing) of every accepted read receipt.
    pub fn read_receipts(&self) -> Vec<(String, String, bool)> {
        self.shared.lock().reads.clone()
    }

    pub fn uploaded_media(&self) -> Vec<UploadedMedia> {
        self.shared.lock().uploads.clone()
    }

    pub fn subscriptions(&self) -> Vec<Subscription> {
        self.shared.lock().subscriptions.clone()
    }

    /// Phone number ids registered through `/register`.
    pub fn registrations(&self) -> Vec<String> {
        self.shared.lock().registrations.clone()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// Phones compare by digits; BSUIDs (which contain a `.`) as given.
fn recipient_key(recipient: &str) -> String {
    if recipient.contains('.') {
        recipient.to_owned()
    } else {
        recipient.chars().filter(char::is_ascii_digit).collect()
    }
}

/// An answer: HTTP status, content type and body.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            content_type: "application/json".into(),
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }

    fn meta(code: i64) -> Self {
        let (status, body) = meta_error_body(code, None);
        Self::json(status, &body)
    }

    fn meta_with(code: i64, details: &str) -> Self {
        let (status, body) = meta_error_body(code, Some(details));
        Self::json(status, &body)
    }

    /// Graph's answer for an id the token cannot see, or that does not exist.
    fn no_such_object(id: &str) -> Self {
        Self::json(
            400,
            &json!({ "error": {
                "message": format!("Unsupported request - method type: get or post. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."),
                "type": "GraphMethodException", "code": 100, "error_subcode": 33,
                "fbtrace_id": "AFakeTrace100" } }),
        )
    }

    fn invalid_token() -> Self {
        Self::json(
            401,
            &json!({ "error": {
                "message": "Invalid OAuth access token - Cannot parse access token",
                "type": "OAuthException", "code": 190, "fbtrace_id": "AFakeTrace190" } }),
        )
    }
}

/// The catch-all handler: record, apply latency and scripted failures, dispatch.
async fn handle(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let method = req.method().as_str().to_owned();
    let path = req.path().to_owned();
    let query = req.query_string().to_owned();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let token = header("authorization").and_then(|a| {
        a.strip_prefix("Bearer ")
            .or_else(|| a.strip_prefix("bearer "))
            .map(str::to_owned)
    });
    let content_type = header("content-type");
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();

    let is_send = method == "POST"
        && path.ends_with("/messages")
        && json_body
            .as_ref()
            .is_some_and(|b| b.get("status").is_none());
    let recipient = json_body
        .as_ref()
        .and_then(|b| b.get("to").or_else(|| b.get("recipient")))
        .and_then(Value::as_str)
        .map(recipient_key);

    // Pick the first matching scripted failure.
    let (latency, failure) = {
        let mut state = shared.lock();
        let mut chosen = None;
        for rule in state.failures.iter_mut() {
            let applies = rule.remaining > 0
                && match &rule.scope {
                    Scope::Any => true,
                    Scope::Sends => is_send,
                    Scope::Recipient(r) => is_send && recipient.as_deref() == Some(r),
                };
            if applies {
                rule.remaining -= 1;
                chosen = Some(rule.failure.clone());
                break;
            }
        }
        state.failures.retain(|r| r.remaining > 0);
        (state.latency, chosen)
    };
    let mut delay = latency;
    if let Some(Failure::Delay(extra)) = &failure {
        delay += *extra;
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let answer = match failure {
        Some(Failure::Meta { code }) => Answer::meta(code),
        Some(Failure::MetaWithStatus { code, status }) => {
            let (_, body) = meta_error_body(code, None);
            Answer::json(status, &body)
        }
        Some(Failure::Http { status }) => Answer {
            status,
            content_type: "text/html".into(),
            body: format!("<html><body>{status}</body></html>").into_bytes(),
        },
        Some(Failure::FailedStatus { code }) if is_send => dispatch(
            &shared,
            &method,
            &path,
            &query,
            token.as_deref(),
            content_type.as_deref(),
            &body,
            json_body.as_ref(),
            Some(code),
        ),
        _ => dispatch(
            &shared,
            &method,
            &path,
            &query,
            token.as_deref(),
            content_type.as_deref(),
            &body,
            json_body.as_ref(),
            None,
        ),
    };

    shared.lock().requests.push(RecordedRequest {
        method,
        path,
        query,
        token,
        content_type,
        body: body.to_vec(),
        status: answer.status,
    });
    HttpResponse::build(
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    )
    .content_type(answer.content_type)
    .body(answer.body)
}

#[allow(clippy::too_many_arguments)]
fn dispatch(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    json_body: Option<&Value>,
    fail_async: Option<i64>,
) -> Answer {
    let params: HashMap<String, String> = web::Query::<HashMap<String, String>>::from_query(query)
        .map(|q| q.into_inner())
        .unwrap_or_default();
    if path == "/lookaside/whatsapp_business/attachments/" && method == "GET" {
        return download(shared, token, &params);
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let Some((version, rest)) = segments.split_first() else {
        return unknown_path(path);
    };
    if !is_version(version) {
        return unknown_path(path);
    }
    match (method, rest) {
        ("GET", ["oauth", "access_token"]) => exchange_code(shared, &params),
        ("POST", [pnid, "messages"]) => messages(shared, token, pnid, json_body, fail_async),
        ("POST", [pnid, "media"]) => upload(shared, token, pnid, content_type, body),
        ("POST", [pnid, "register"]) => register(shared, token, pnid, json_body),
        ("GET", [waba, "message_templates"]) => templates(shared, token, waba, &params),
        ("POST", [waba, "message_templates"]) => create_template(shared, token, waba, json_body),
        ("POST", [waba, "subscribed_apps"]) => subscribe(shared, token, waba, json_body),
        ("GET", [id]) => get_object(shared, token, id, &params),
        _ => unknown_path(path),
    }
}

fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        })
}

fn unknown_path(path: &str) -> Answer {
    Answer::json(
        400,
        &json!({ "error": { "message": format!("Unknown path components: {path}"),
                            "type": "OAuthException", "code": 2500, "fbtrace_id": "AFakeTrace2500" } }),
    )
}

/// The grant of a valid, unrevoked token, or the answer to give instead.
fn authorise(state: &State, token: Option<&str>) -> Result<Grant, Answer> {
    let Some(token) = token else {
        return Err(Answer::json(
            400,
            &json!({ "error": { "message": "An access token is required to request this resource.",
                                "type": "OAuthException", "code": 104, "fbtrace_id": "AFakeTrace104" } }),
        ));
    };
    match state.tokens.get(token) {
        None => Err(Answer::invalid_token()),
        Some(grant) if grant.revoked => Err(Answer::meta(190)),
        Some(grant) => Ok(grant.clone()),
    }
}

fn messages(
    shared: &Shared,
    token: Option<&str>,
    pnid: &str,
    body: Option<&Value>,
    fail_async: Option<i64>,
) -> Answer {
    let mut state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    if !grant.numbers.contains(pnid) || !state.numbers.contains_key(pnid) {
        return Answer::no_such_object(pnid);
    }
    let Some(body) = body.filter(|b| b.is_object()) else {
        return Answer::meta_with(100, "The request body is not a JSON object.");
    };
    if body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return Answer::meta_with(100, "The parameter messaging_product is required.");
    }

    // Read receipts and typing indicators (§5.2).
    if let Some(status) = body.get("status") {
        if status != "read" {
            return Answer::meta_with(100, "status must be read");
        }
        let Some(wamid) = body.get("message_id").and_then(Value::as_str) else {
            return Answer::meta_with(100, "The parameter message_id is required.");
        };
        let typing = match body.get("typing_indicator") {
            None => false,
            Some(t) if t.get("type").and_then(Value::as_str) == Some("text") => true,
            Some(_) => return Answer::meta_with(100, "typing_indicator.type must be text"),
        };
        state
            .reads
            .push((pnid.to_owned(), wamid.to_owned(), typing));
        return Answer::json(200, &json!({ "success": true }));
    }

    if state.numbers.get(pnid).is_some_and(|n| !n.registered) {
        return Answer::meta(133010);
    }
    let to = body
        .get("to")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let user_id = body
        .get("recipient")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let (input, recipient, by_user_id) = match (to, user_id) {
        (Some(to), None) => (to.to_owned(), recipient_key(to), false),
        (None, Some(user_id)) => (user_id.to_owned(), user_id.to_owned(), true),
        _ => return Answer::meta_with(100, "Exactly one of to or recipient is required."),
    };
    if !by_user_id && recipient.is_empty() {
        return Answer::meta_with(100, "The parameter to is not a phone number.");
    }
    let Some(message_type) = body.get("type").and_then(Value::as_str) else {
        return Answer::meta_with(100, "The parameter type is required.");
    };
    const TYPES: [&str; 11] = [
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "template",
        "interactive",
        "reaction",
        "contacts",
    ];
    if !TYPES.contains(&message_type) {
        return Answer::meta(131051);
    }
    let Some(content) = body
        .get(message_type)
        .filter(|c| c.is_object() || c.is_array())
    else {
        return Answer::meta_with(100, &format!("The parameter {message_type} is required."));
    };
    if let Err(answer) = validate_content(&state, pnid, message_type, content) {
        return answer;
    }

    let now = Instant::now();
    if state.window_enforced && message_type != "template" {
        let open = state
            .windows
            .get(&(pnid.to_owned(), recipient.clone()))
            .is_some_and(|at| now.duration_since(*at) < Duration::from_secs(24 * 3600));
        if !open {
            return Answer::meta(131047);
        }
    }
    if let Some(interval) = state.pair_interval {
        let key = (pnid.to_owned(), recipient.clone());
        if state
            .last_send
            .get(&key)
            .is_some_and(|at| now.duration_since(*at) < interval)
        {
            return Answer::meta(131056);
        }
        state.last_send.insert(key, now);
    }
    if let Some(limit) = state.throughput
        && let Some(number) = state.numbers.get_mut(pnid)
    {
        number
            .send_times
            .retain(|t| now.duration_since(*t) < Duration::from_secs(1));
        if number.send_times.len() >= limit {
            return Answer::meta(130429);
        }
        number.send_times.push(now);
    }

    // Opaque like Meta's; unique per fake (port) and per send.
    let wamid = format!(
        "wamid.HBgL{:04X}{:010X}{:08X}",
        shared.port,
        unix_now(),
        shared.next()
    );
    state.sent.push(SentRecord {
        wamid: wamid.clone(),
        phone_number_id: pnid.to_owned(),
        recipient: recipient.clone(),
        by_user_id,
        message_type: message_type.to_owned(),
        body: body.clone(),
        at: std::time::Instant::now(),
    });
    let mut message = json!({ "id": wamid });
    let mut category = None;
    if message_type == "template" {
        message["message_status"] = json!("accepted");
        category = template_category(&state, pnid, content);
    }
    let contact = if by_user_id {
        json!({ "input": input, "user_id": recipient })
    } else {
        json!({ "input": input, "wa_id": recipient })
    };
    if let (Some((sender, plan)), Some(number)) = (state.statuses.clone(), state.numbers.get(pnid))
    {
        let business = BusinessNumber::new(
            &number.waba_id,
            pnid,
            &number
                .display
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>(),
        );
        let pricing = match category {
            Some(category) => Pricing::regular(&category),
            None => Pricing::free_service(),
        };
        let callback = body
            .get("biz_opaque_callback_data")
            .and_then(Value::as_str)
            .map(str::to_owned);
        actix_web::rt::spawn(report_statuses(
            sender, plan, business, wamid, recipient, pricing, callback, fail_async,
        ));
    }
    Answer::json(
        200,
        &json!({ "messaging_product": "whatsapp", "contacts": [contact], "messages": [message] }),
    )
}

/// Meta-side checks of a message's content; templates are checked against the WABA's list.
fn validate_content(
    state: &State,
    pnid: &str,
    message_type: &str,
    content: &Value,
) -> Result<(), Answer> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    match message_type {
        "text" => {
            let body = text(content, "body").unwrap_or_default();
            if body.trim().is_empty() || body.chars().count() > 4096 {
                return Err(Answer::meta_with(
                    100,
                    "text.body must be 1 to 4096 characters.",
                ));
            }
        }
        "image" | "video" | "audio" | "document" | "sticker"
            if content.get("id").is_some() == content.get("link").is_some() =>
        {
            return Err(Answer::meta_with(100, "Use exactly one of id or link."));
        }
        "reaction" if text(content, "message_id").is_none() || content.get("emoji").is_none() => {
            return Err(Answer::meta_with(
                100,
                "reaction needs message_id and emoji.",
            ));
        }
        "interactive" => match content.get("type").and_then(Value::as_str) {
            Some("button") => {
                let n = content["action"]["buttons"].as_array().map_or(0, Vec::len);
                if !(1..=3).contains(&n) {
                    return Err(Answer::meta_with(131009, "buttons must have 1 to 3 items."));
                }
            }
            Some("list") => {
                let rows: usize = content["action"]["sections"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .map(|s| s["rows"].as_array().map_or(0, Vec::len))
                            .sum()
                    })
                    .unwrap_or(0);
                if !(1..=10).contains(&rows) {
                    return Err(Answer::meta_with(131009, "a list must have 1 to 10 rows."));
                }
            }
            _ => return Err(Answer::meta_with(100, "interactive.type is not supported.")),
        },
        "template" => {
            let name = text(content, "name").unwrap_or_default();
            let language = content
                .get("language")
                .and_then(|l| text(l, "code"))
                .unwrap_or_default();
            if name.is_empty() || language.is_empty() {
                return Err(Answer::meta_with(
                    100,
                    "template.name and template.language.code are required.",
                ));
            }
            let Some(waba) = state.numbers.get(pnid).map(|n| &n.waba_id) else {
                return Ok(());
            };
            let Some(templates) = state.templates.get(waba).filter(|t| !t.is_empty()) else {
                return Ok(());
            };
            let Some(template) = templates.iter().find(|t| {
                t["name"] == name.as_str()
                    && t["language"] == language.as_str()
                    && t["status"] == "APPROVED"
            }) else {
                return Err(Answer::meta(132001));
            };
            let expected = template["components"]
                .as_array()
                .and_then(|cs| {
                    cs.iter().find(|c| {
                        c["type"]
                            .as_str()
                            .is_some_and(|t| t.eq_ignore_ascii_case("body"))
                    })
                })
                .and_then(|c| c["text"].as_str())
                .map(count_variables)
                .unwrap_or(0);
            let given = content["components"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == "body"))
                .and_then(|c| c["parameters"].as_array())
                .map_or(0, Vec::len);
            if expected != given {
                return Err(Answer::meta(132000));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Distinct `{{…}}` variables in a template text.
fn count_variables(text: &str) -> usize {
    let mut seen = HashSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if !name.is_empty() {
            seen.insert(name.to_owned());
        }
        rest = &after[end + 2..];
    }
    seen.len()
}

fn template_category(state: &State, pnid: &str, content: &Value) -> Option<String> {
    let waba = &state.numbers.get(pnid)?.waba_id;
    let found = state.templates.get(waba).and_then(|ts| {
        ts.iter()
            .find(|t| t["name"] == content["name"] && t["language"] == content["language"]["code"])
    });
    Some(
        found
            .and_then(|t| t["category"].as_str())
            .unwrap_or("UTILITY")
            .to_lowercase(),
    )
}

/// The status webhooks for one accepted send: sent (with pricing), delivered, read; or failed.
#[allow(clippy::too_many_arguments)]
async fn report_statuses(
    sender: WebhookSender,
    plan: StatusPlan,
    number: BusinessNumber,
    wamid: String,
    recipient: String,
    pricing: Pricing,
    callback: Option<String>,
    fail: Option<i64>,
) {
    let with_callback = |s: StatusSpec| match &callback {
        Some(data) => s.callback_data(data),
        None => s,
    };
    let mut steps = Vec::new();
    match fail {
        Some(code) => steps.push(with_callback(StatusSpec::failed(&wamid, &recipient, code))),
        None => {
            steps.push(with_callback(
                StatusSpec::sent(&wamid, &recipient).with_pricing(pricing),
            ));
            if plan.delivered {
                steps.push(with_callback(StatusSpec::delivered(&wamid, &recipient)));
            }
            if plan.read {
                steps.push(with_callback(StatusSpec::read(&wamid, &recipient)));
            }
        }
    }
    for step in steps {
        tokio::time::sleep(plan.delay).await;
        let mut batch = WebhookBatch::new();
        batch.status(&number, step);
        // A receiver that is down loses these, as it would miss Meta's until retries.
        let _ = sender.post(&batch).await;
    }
}

fn get_object(
    shared: &Shared,
    token: Option<&str>,
    id: &str,
    params: &HashMap<String, String>,
) -> Answer {
    let state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    if let Some(number) = state.numbers.get(id) {
        if !grant.numbers.contains(id) {
            return Answer::no_such_object(id);
        }
        let all = json!({
            "id": id,
            "display_phone_number": number.display,
            "verified_name": "Tienda Demo",
            "quality_rating": number.quality,
            "status": if number.registered { "CONNECTED" } else { "PENDING" },
            "name_status": "APPROVED",
            "code_verification_status": "VERIFIED",
            "platform_type": if number.registered { "CLOUD_API" } else { "NOT_APPLICABLE" },
            "throughput": { "level": "STANDARD" },
            "whatsapp_business_manager_messaging_limit": "TIER_2K",
        });
        let answer = match params.get("fields") {
            Some(fields) => {
                let mut picked = json!({ "id": id });
                for field in fields.split(',').map(str::trim) {
                    if let Some(v) = all.get(field) {
                        picked[field] = v.clone();
                    }
                }
                picked
            }
            None => all,
        };
        return Answer::json(200, &answer);
    }
    if let Some(media) = state.media.get(id) {
        if !grant.numbers.contains(&media.owner) {
            return Answer::no_such_object(id);
        }
        if params
            .get("phone_number_id")
            .is_some_and(|p| *p != media.owner)
        {
            return Answer::no_such_object(id);
        }
        let expires = unix_now() + state.media_url_ttl.as_secs();
        let hash = url_hash(shared, id, expires);
        return Answer::json(
            200,
            &json!({
                "messaging_product": "whatsapp",
                "url": format!("{}/lookaside/whatsapp_business/attachments/?mid={id}&ext={expires}&hash={hash}", shared.base_url),
                "mime_type": media.mime_type,
                "sha256": media.sha256,
                "file_size": media.bytes.len(),
                "id": id,
            }),
        );
    }
    Answer::no_such_object(id)
}

fn url_hash(shared: &Shared, id: &str, expires: u64) -> String {
    sha256_hex(format!("{}:{id}:{expires}", shared.url_key).as_bytes())[..16].to_owned()
}

fn download(shared: &Shared, token: Option<&str>, params: &HashMap<String, String>) -> Answer {
    let state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    let not_found = || Answer {
        status: 404,
        content_type: "text/plain".into(),
        body: b"Not Found".to_vec(),
    };
    let (Some(id), Some(expires), Some(hash)) = (
        params.get("mid"),
        params.get("ext").and_then(|e| e.parse::<u64>().ok()),
        params.get("hash"),
    ) else {
        return not_found();
    };
    if *hash != url_hash(shared, id, expires) || expires <= unix_now() {
        return not_found();
    }
    match state.media.get(id) {
        Some(media) if grant.numbers.contains(&media.owner) => Answer {
            status: 200,
            content_type: media.mime_type.clone(),
            body: media.bytes.clone(),
        },
        Some(_) => Answer::invalid_token(),
        None => not_found(),
    }
}

fn upload(
    shared: &Shared,
    token: Option<&str>,
    pnid: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Answer {
    let mut state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    if !grant.numbers.contains(pnid) {
        return Answer::no_such_object(pnid);
    }
    let Some(boundary) = content_type
        .filter(|c| c.starts_with("multipart/form-data"))
        .and_then(|c| c.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_owned())
    else {
        return Answer::meta_with(100, "Media upload must be multipart/form-data.");
    };
    let parts = multipart(body, &boundary);
    let field = |name: &str| parts.iter().find(|p| p.name == name);
    if field("messaging_product").map(|p| p.data.as_slice()) != Some(b"whatsapp") {
        return Answer::meta_with(100, "The parameter messaging_product is required.");
    }
    let Some(file) = field("file") else {
        return Answer::meta_with(100, "The parameter file is required.");
    };
    let mime_type = field("type")
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .or_else(|| file.content_type.clone())
        .unwrap_or_default();
    if mime_type.is_empty() {
        return Answer::meta_with(100, "The parameter type is required.");
    }
    let id = format!("90{:013}", shared.next());
    state.media.insert(
        id.clone(),
        StoredMedia {
            owner: pnid.to_owned(),
            mime_type: mime_type.clone(),
            sha256: sha256_hex(&file.data),
            bytes: file.data.clone(),
        },
    );
    state.uploads.push(UploadedMedia {
        id: id.clone(),
        phone_number_id: pnid.to_owned(),
        mime_type,
        filename: file.filename.clone(),
        bytes: file.data.clone(),
    });
    Answer::json(200, &json!({ "id": id }))
}

struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

/// A minimal multipart/form-data reader: enough for what Graph clients send.
fn multipart(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut positions = Vec::new();
    let mut i = 0;
    while i + delimiter.len() <= body.len() {
        if body[i..].starts_with(&delimiter) {
            positions.push(i);
            i += delimiter.len();
        } else {
            i += 1;
        }
    }
    for pair in positions.windows(2) {
        let mut chunk = &body[pair[0] + delimiter.len()..pair[1]];
        chunk = chunk.strip_prefix(b"\r\n").unwrap_or(chunk);
        chunk = chunk.strip_suffix(b"\r\n").unwrap_or(chunk);
        let Some(split) = chunk.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&chunk[..split]).into_owned();
        let data = chunk[split + 4..].to_vec();
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                for attr in line.split(';').map(str::trim) {
                    if let Some(v) = attr.strip_prefix("name=") {
                        name = Some(v.trim_matches('"').to_owned());
                    } else if let Some(v) = attr.strip_prefix("filename=") {
                        filename = Some(v.trim_matches('"').to_owned());
                    }
                }
            } else if lower.starts_with("content-type:") {
                content_type = line.split_once(':').map(|(_, v)| v.trim().to_owned());
            }
        }
        if let Some(name) = name {
            parts.push(Part {
                name,
                filename,
                content_type,
                data,
            });
        }
    }
    parts
}

fn templates(
    shared: &Shared,
    token: Option<&str>,
    waba: &str,
    params: &HashMap<String, String>,
) -> Answer {
    let state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    if !grant.wabas.contains(waba) {
        return Answer::no_such_object(waba);
    }
    let all = state.templates.get(waba).cloned().unwrap_or_default();
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 1000);
    // Cursors are opaque to clients; here they are offsets.
    let start = params
        .get("after")
        .and_then(|a| a.strip_prefix("CUR"))
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0)
        .min(all.len());
    let end = (start + limit).min(all.len());
    let mut page = json!({ "data": all[start..end].to_vec() });
    if end > start {
        page["paging"] =
            json!({ "cursors": { "before": format!("CUR{start}"), "after": format!("CUR{end}") } });
        if end < all.len() {
            page["paging"]["next"] = json!(format!(
                "{}/v25.0/{waba}/message_templates?limit={limit}&after=CUR{end}",
                shared.base_url
            ));
        }
    }
    Answer::json(200, &page)
}

/// `POST /{waba}/message_templates`: stored as PENDING (approve it with
/// [`FakeGraph::set_template_status`]); a repeated name and language is error 100 with
/// subcode 2388024, as Meta answers.
fn create_template(
    shared: &Shared,
    token: Option<&str>,
    waba: &str,
    body: Option<&Value>,
) -> Answer {
    let mut state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    if !grant.wabas.contains(waba) {
        return Answer::no_such_object(waba);
    }
    let text = |key: &str| {
        body.and_then(|b| b.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (name, language, category) = (text("name"), text("language"), text("category"));
    if name.is_empty() || language.is_empty() || category.is_empty() {
        return Answer::meta_with(
            100,
            "Invalid parameter: name, language and category are required.",
        );
    }
    let components = body
        .and_then(|b| b.get("components"))
        .cloned()
        .unwrap_or_else(|| json!([]));
    let list = state.templates.entry(waba.to_owned()).or_default();
    if list
        .iter()
        .any(|t| t["name"] == name.as_str() && t["language"] == language.as_str())
    {
        return Answer::meta_with(
            100,
            "Content in this language already exists for this template name.",
        );
    }
    let id = format!("77{:013}", shared.next());
    list.push(json!({
        "id": id, "name": name, "language": language, "status": "PENDING", "category": category,
        "parameter_format": body.and_then(|b| b.get("parameter_format")).cloned().unwrap_or(json!("POSITIONAL")),
        "components": components,
    }));
    Answer::json(
        200,
        &json!({ "id": id, "status": "PENDING", "category": category }),
    )
}

fn subscribe(shared: &Shared, token: Option<&str>, waba: &str, body: Option<&Value>) -> Answer {
    let mut state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    if !grant.wabas.contains(waba) {
        return Answer::no_such_object(waba);
    }
    let text = |key: &str| {
        body.and_then(|b| b.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let subscription = Subscription {
        waba_id: waba.to_owned(),
        override_callback_uri: text("override_callback_uri"),
        verify_token: text("verify_token"),
    };
    state.subscriptions.retain(|s| s.waba_id != waba);
    state.subscriptions.push(subscription);
    Answer::json(200, &json!({ "success": true }))
}

fn register(shared: &Shared, token: Option<&str>, pnid: &str, body: Option<&Value>) -> Answer {
    let mut state = shared.lock();
    let grant = match authorise(&state, token) {
        Ok(grant) => grant,
        Err(answer) => return answer,
    };
    if !grant.numbers.contains(pnid) {
        return Answer::no_such_object(pnid);
    }
    if body
        .and_then(|b| b.get("messaging_product"))
        .and_then(Value::as_str)
        != Some("whatsapp")
    {
        return Answer::meta_with(100, "The parameter messaging_product is required.");
    }
    let pin = body
        .and_then(|b| b.get("pin"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Answer::meta_with(100, "The parameter pin must be 6 digits.");
    }
    let Some(number) = state.numbers.get_mut(pnid) else {
        return Answer::no_such_object(pnid);
    };
    if number
        .pin
        .as_deref()
        .is_some_and(|expected| expected != pin)
    {
        return Answer::meta(133005);
    }
    number.registered = true;
    state.registrations.push(pnid.to_owned());
    Answer::json(200, &json!({ "success": true }))
}

fn exchange_code(shared: &Shared, params: &HashMap<String, String>) -> Answer {
    let mut state = shared.lock();
    let (Some(client_id), Some(secret), Some(code)) = (
        params.get("client_id"),
        params.get("client_secret"),
        params.get("code"),
    ) else {
        return Answer::meta_with(100, "client_id, client_secret and code are required.");
    };
    if state
        .app
        .as_ref()
        .is_none_or(|(id, s)| id != client_id || s != secret)
    {
        return Answer::json(
            400,
            &json!({ "error": { "message": "Error validating client secret.", "type": "OAuthException",
                                "code": 1, "fbtrace_id": "AFakeTrace1" } }),
        );
    }
    match state.codes.remove(code) {
        Some(token) => Answer::json(
            200,
            &json!({ "access_token": token, "token_type": "bearer" }),
        ),
        None => Answer::json(
            400,
            &json!({ "error": { "message": "This authorization code has been used.",
                                "type": "OAuthException", "code": 100, "error_subcode": 36009,
                                "fbtrace_id": "AFakeTrace100" } }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(is_version("v25.0"));
        assert!(is_version("v17.0"));
        assert!(!is_version("25.0"));
        assert!(!is_version("v.0"));
        assert!(!is_version("oauth"));
    }

    #[test]
    fn recipients_compare_by_digits() {
        assert_eq!(recipient_key("+34 600-111-222"), "34600111222");
        assert_eq!(recipient_key("US.1349"), "US.1349");
    }

    #[test]
    fn variables() {
        assert_eq!(count_variables("Hola {{1}}, pedido {{2}} ({{1}})"), 2);
        assert_eq!(count_variables("nada"), 0);
    }

    #[test]
    fn multipart_parts() {
        let body = b"--XB\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\r\nrest\r\n--XB--\r\n";
        let parts = multipart(body, "XB");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "messaging_product");
        assert_eq!(parts[0].data, b"whatsapp");
        assert_eq!(parts[1].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].data, b"\x89PNG\r\n\r\nrest");
    }
}
