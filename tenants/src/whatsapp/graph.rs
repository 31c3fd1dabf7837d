//! The Graph API client: everything Chorus asks Meta to do (sheet §5, §6, §7, §11).
//!
//! One [`GraphClient`] serves every tenant: the access token is an argument of each call,
//! because each business's number has its own token (decrypted by the caller just before
//! the call). The base URL and API version come from configuration
//! (`CHORUS_GRAPH_API_URL`, `CHORUS_GRAPH_API_VERSION`), so tests point it at a local fake.
//!
//! Every failure is a [`GraphError`] that knows its [`ErrorClass`]: Meta's error code decides
//! when Meta sent one (§5.4), otherwise the HTTP status; timeouts and connection failures are
//! retryable. A timeout on a send is ambiguous (Meta may have accepted it); the Cloud API has
//! no idempotency key, so a retry after a timeout can deliver twice. The worker should accept
//! that rare duplicate over a lost reply, and pass its own message id as
//! `biz_opaque_callback_data` so status webhooks can be matched either way.
//!
//! Secrets stay out of errors and logs: tokens travel only in the `Authorization` header, and
//! transport errors are stripped of their URL (the code exchange carries the app secret and
//! media URLs carry signed hashes in their query strings).
//!
//! TLS: the workspace's reqwest has no TLS backend enabled, so this client can only reach
//! `http://` URLs (the local fakes) until one is chosen for the whole workspace; an `https://`
//! base URL then fails with [`GraphError::Invalid`].

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::errors::{ErrorClass, Lang, MetaError, classify_http, explain};

pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_API_VERSION: &str = "v25.0";

/// Where and how patiently to call the Graph API.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// Scheme and host, no trailing slash needed: `https://graph.facebook.com`.
    pub base_url: String,
    /// `v25.0`; a bare `25.0` is accepted too.
    pub api_version: String,
    pub connect_timeout: Duration,
    /// Whole-request limit for API calls.
    pub timeout: Duration,
    /// Whole-request limit for media upload and download (files up to 100 MB).
    pub media_timeout: Duration,
    /// Domains [`GraphClient::download_media`] may send the access token to (a host matches a
    /// domain or any of its subdomains). The base URL's host is always allowed.
    pub media_domains: Vec<String>,
}

impl Default for GraphConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            media_timeout: Duration::from_secs(120),
            // Meta's media CDN (`lookaside.fbsbx.com`) and its other hosts.
            media_domains: ["fbsbx.com", "facebook.com", "fbcdn.net", "whatsapp.net"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

/// A Graph API client shared by all tenants (cheap to clone; one connection pool).
#[derive(Debug, Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base_url: String,
    api_version: String,
    timeout: Duration,
    media_timeout: Duration,
    /// The base URL's host plus `media_domains`, lowercase.
    media_domains: Vec<String>,
}

impl GraphClient {
    pub fn new(config: GraphConfig) -> Result<Self, GraphError> {
        crate::install_tls_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("chorus/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GraphError::Invalid(error_chain(&e.without_url())))?;
        let version = config.api_version.trim().trim_matches('/');
        let api_version = if version.starts_with('v') {
            version.to_owned()
        } else {
            format!("v{version}")
        };
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let base_host = reqwest::Url::parse(&base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .ok_or_else(|| GraphError::Invalid(format!("{base_url:?} is not a URL")))?;
        let mut media_domains = vec![base_host];
        media_domains.extend(
            config
                .media_domains
                .iter()
                .map(|d| d.trim_start_matches('.').to_ascii_lowercase()),
        );
        Ok(Self {
            http,
            base_url,
            api_version,
            timeout: config.timeout,
            media_timeout: config.media_timeout,
            media_domains,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// `{base}/{version}/{path}`.
    fn url(&self, path: &str) -> String {
        format!("{}/{}/{}", self.base_url, self.api_version, path)
    }

    /// Send a message from a business number (§5.1). A success means Meta *accepted* it;
    /// delivery comes later in status webhooks for the returned wamid.
    pub async fn send_message(
        &self,
        phone_number_id: &str,
        token: &str,
        message: &OutboundMessage,
    ) -> Result<SentMessage, GraphError> {
        message.validate().map_err(GraphError::Invalid)?;
        let request = self
            .http
            .post(self.url(&format!("{}/messages", segment(phone_number_id)?)))
            .bearer_auth(token)
            .timeout(self.timeout)
            .json(&message.to_json());
        let response: SendResponse = self.call(request).await?;
        let Some(first) = response.messages.into_iter().next() else {
            return Err(GraphError::Decode {
                status: 200,
                reason: "the send response has no messages[].id".into(),
            });
        };
        let contact = response.contacts.into_iter().next();
        Ok(SentMessage {
            wamid: first.id,
            message_status: first.message_status,
            wa_id: contact.as_ref().and_then(|c| c.wa_id.clone()),
            input: contact.and_then(|c| c.input),
        })
    }

    /// Mark an inbound message (and all before it) as read; with `typing`, also show the typing
    /// indicator for up to 25 s or until the next reply (§5.2).
    pub async fn mark_read(
        &self,
        phone_number_id: &str,
        token: &str,
        wamid: &str,
        typing: bool,
    ) -> Result<(), GraphError> {
        let mut body = json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": wamid,
        });
        if typing {
            body["typing_indicator"] = json!({ "type": "text" });
        }
        let request = self
            .http
            .post(self.url(&format!("{}/messages", segment(phone_number_id)?)))
            .bearer_auth(token)
            .timeout(self.timeout)
            .json(&body);
        self.call_success(request).await
    }

    /// The business number's profile, quality and limits (§9, §11).
    pub async fn get_phone_number(
        &self,
        phone_number_id: &str,
        token: &str,
    ) -> Result<PhoneNumber, GraphError> {
        let request = self
            .http
            .get(self.url(segment(phone_number_id)?))
            .bearer_auth(token)
            .timeout(self.timeout)
            .query(&[("fields", PhoneNumber::FIELDS)]);
        let raw: Value = self.call(request).await?;
        PhoneNumber::from_json(raw)
    }

    /// Every message template of the WABA (all statuses), following Graph's cursor paging.
    pub async fn list_templates(
        &self,
        waba_id: &str,
        token: &str,
    ) -> Result<Vec<Template>, GraphError> {
        // 250 templates per WABA by default (6000 unconfirmed): 100 pages of 100 is plenty,
        // and the cap stops a misbehaving cursor from looping forever.
        const MAX_PAGES: usize = 100;
        let url = self.url(&format!("{}/message_templates", segment(waba_id)?));
        let mut templates = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![
                (
                    "fields",
                    "id,name,status,category,language,components,parameter_format",
                ),
                ("limit", "100"),
            ];
            if let Some(cursor) = after.as_deref() {
                query.push(("after", cursor));
            }
            let request = self
                .http
                .get(&url)
                .bearer_auth(token)
                .timeout(self.timeout)
                .query(&query);
            let page: TemplatePage = self.call(request).await?;
            let fetched = page.data.len();
            for raw in page.data {
                templates.push(Template::from_json(raw)?);
            }
            after = page
                .paging
                .filter(|p| p.next.is_some())
                .and_then(|p| p.cursors)
                .and_then(|c| c.after);
            if after.is_none() || fetched == 0 {
                return Ok(templates);
            }
        }
        Ok(templates)
    }

    /// Submit a new template for review (`POST /{waba-id}/message_templates`, §7). `body` holds
    /// name, language, category, parameter_format and components.
    pub async fn create_template(
        &self,
        waba_id: &str,
        token: &str,
        body: &Value,
    ) -> Result<CreatedTemplate, GraphError> {
        let request = self
            .http
            .post(self.url(&format!("{}/message_templates", segment(waba_id)?)))
            .bearer_auth(token)
            .timeout(self.timeout)
            .json(body);
        self.call(request).await
    }

    /// Upload a file to send later by id (valid 30 days). Returns the media id (§6).
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        token: &str,
        bytes: Vec<u8>,
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GraphError> {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str(mime_type)
            .map_err(|_| GraphError::Invalid(format!("{mime_type:?} is not a MIME type")))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", part);
        let request = self
            .http
            .post(self.url(&format!("{}/media", segment(phone_number_id)?)))
            .bearer_auth(token)
            .timeout(self.media_timeout)
            .multipart(form);
        let uploaded: IdResponse = self.call(request).await?;
        Ok(uploaded.id)
    }

    /// The short-lived (5 min) download URL of a media id, with its type, hash and size (§6).
    pub async fn media_url(&self, media_id: &str, token: &str) -> Result<MediaInfo, GraphError> {
        let request = self
            .http
            .get(self.url(segment(media_id)?))
            .bearer_auth(token)
            .timeout(self.timeout);
        self.call(request).await
    }

    /// Download a media URL (from [`GraphClient::media_url`] or a webhook's `url`) with the
    /// bearer token, refusing bodies over `max_bytes`. The token is only sent to hosts under
    /// [`GraphConfig::media_domains`] (or the base URL's host); any other URL is
    /// [`GraphError::Invalid`]. A 404 (URL expired) is [`GraphError::MediaUrlExpired`]: get a
    /// fresh URL and try again.
    pub async fn download_media(
        &self,
        url: &str,
        token: &str,
        max_bytes: usize,
    ) -> Result<DownloadedMedia, GraphError> {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .ok_or_else(|| GraphError::Invalid("the media URL is not a URL".into()))?;
        let allowed = self
            .media_domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
        if !allowed {
            return Err(GraphError::Invalid(format!(
                "refusing to send the access token to {host}, which is not a Meta media host"
            )));
        }
        let request = self
            .http
            .get(url)
            .bearer_auth(token)
            .timeout(self.media_timeout);
        let mut response = request.send().await.map_err(GraphError::transport)?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Err(GraphError::MediaUrlExpired);
        }
        if !status.is_success() {
            let body = response.bytes().await.unwrap_or_default();
            return Err(GraphError::from_response(status.as_u16(), &body));
        }
        if response
            .content_length()
            .is_some_and(|len| len > max_bytes as u64)
        {
            return Err(GraphError::TooLarge { limit: max_bytes });
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(GraphError::transport)? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(GraphError::TooLarge { limit: max_bytes });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(DownloadedMedia {
            bytes,
            content_type,
        })
    }

    /// Subscribe Chorus's app to the WABA's webhooks (Embedded Signup step 2), optionally with a
    /// per-WABA callback URL.
    pub async fn subscribe_app(
        &self,
        waba_id: &str,
        token: &str,
        callback: Option<&CallbackOverride>,
    ) -> Result<(), GraphError> {
        let mut request = self
            .http
            .post(self.url(&format!("{}/subscribed_apps", segment(waba_id)?)))
            .bearer_auth(token)
            .timeout(self.timeout);
        if let Some(callback) = callback {
            request = request.json(&json!({
                "override_callback_uri": callback.uri,
                "verify_token": callback.verify_token,
            }));
        }
        self.call_success(request).await
    }

    /// Register the number for the Cloud API with its 6-digit two-step PIN (Embedded Signup
    /// step 3). Not for WhatsApp Business app coexistence numbers.
    pub async fn register(
        &self,
        phone_number_id: &str,
        token: &str,
        pin: &str,
    ) -> Result<(), GraphError> {
        if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GraphError::Invalid(
                "the two-step verification PIN must be 6 digits".into(),
            ));
        }
        let request = self
            .http
            .post(self.url(&format!("{}/register", segment(phone_number_id)?)))
            .bearer_auth(token)
            .timeout(self.timeout)
            .json(&json!({ "messaging_product": "whatsapp", "pin": pin }));
        self.call_success(request).await
    }

    /// Exchange the Embedded Signup `code` for the business's token (step 1). The app secret
    /// travels in the query string, as Meta requires; it never appears in errors.
    pub async fn exchange_code(
        &self,
        app_id: &str,
        app_secret: &str,
        code: &str,
    ) -> Result<BusinessToken, GraphError> {
        let request = self
            .http
            .get(self.url("oauth/access_token"))
            .timeout(self.timeout)
            .query(&[
                ("client_id", app_id),
                ("client_secret", app_secret),
                ("code", code),
            ]);
        let (status, body) = self.send(request).await?;
        // Meta documents the answer as the bare token; implementations read JSON. Accept both.
        if let Ok(token) = serde_json::from_slice::<BusinessToken>(&body) {
            return Ok(token);
        }
        let text = String::from_utf8_lossy(&body).trim().to_owned();
        if !text.is_empty() && !text.starts_with('{') && !text.contains(char::is_whitespace) {
            return Ok(BusinessToken {
                access_token: text,
                token_type: None,
                expires_in: None,
            });
        }
        Err(GraphError::Decode {
            status,
            reason: "the code exchange returned no access_token".into(),
        })
    }

    /// Send, and return the status and body of a 2xx response; anything else is an error.
    async fn send(&self, request: RequestBuilder) -> Result<(u16, Vec<u8>), GraphError> {
        let response = request.send().await.map_err(GraphError::transport)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(GraphError::transport)?;
        if !(200..300).contains(&status) {
            return Err(GraphError::from_response(status, &body));
        }
        // Graph has been seen to wrap errors in a 200; an `error` object wins.
        if let Ok(ErrorBody { error: Some(_) }) = serde_json::from_slice::<ErrorBody>(&body) {
            return Err(GraphError::from_response(status, &body));
        }
        Ok((status, body.to_vec()))
    }

    async fn call<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, GraphError> {
        let (status, body) = self.send(request).await?;
        serde_json::from_slice(&body).map_err(|e| GraphError::Decode {
            status,
            reason: e.to_string(),
        })
    }

    /// Calls that answer `{"success": true}`.
    async fn call_success(&self, request: RequestBuilder) -> Result<(), GraphError> {
        let answer: SuccessResponse = self.call(request).await?;
        if answer.success {
            Ok(())
        } else {
            Err(GraphError::Decode {
                status: 200,
                reason: "Meta answered success: false".into(),
            })
        }
    }
}

/// Ids become path segments; refuse anything that could change the path.
fn segment(id: &str) -> Result<&str, GraphError> {
    if !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        && id != "."
        && id != ".."
    {
        Ok(id)
    } else {
        Err(GraphError::Invalid(format!("{id:?} is not a Graph API id")))
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A failed Graph API call. [`GraphError::class`] says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Meta answered with an error status (and usually an `error` body).
    #[error("Graph API error (HTTP {status}): {}", describe(.error.as_deref()))]
    Api {
        status: u16,
        error: Option<Box<GraphApiError>>,
        class: ErrorClass,
    },
    /// No answer within the timeout. The call may or may not have taken effect.
    #[error("the Graph API did not answer in time")]
    Timeout,
    /// The connection failed or broke before an answer.
    #[error("could not reach the Graph API: {0}")]
    Connect(String),
    /// A 2xx answer that is not what this endpoint returns.
    #[error("unexpected Graph API answer (HTTP {status}): {reason}")]
    Decode { status: u16, reason: String },
    /// Refused before sending: the request breaks a documented limit, or the client is
    /// misconfigured (bad URL, no TLS for https).
    #[error("invalid Graph API request: {0}")]
    Invalid(String),
    /// A media download URL answered 404: it expired (5 minutes). Fetch a fresh one.
    #[error("the media URL has expired")]
    MediaUrlExpired,
    /// A media download was larger than the caller allows.
    #[error("the media is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

fn describe(error: Option<&GraphApiError>) -> String {
    match error {
        Some(e) => {
            let text = e.message.as_deref().unwrap_or("no message");
            match e.fbtrace_id.as_deref() {
                Some(trace) => format!("code {}: {text} (fbtrace_id {trace})", e.code),
                None => format!("code {}: {text}", e.code),
            }
        }
        None => "no error body".to_owned(),
    }
}

impl GraphError {
    pub fn class(&self) -> ErrorClass {
        match self {
            GraphError::Api { class, .. } => *class,
            GraphError::Timeout | GraphError::Connect(_) | GraphError::MediaUrlExpired => {
                ErrorClass::Retryable { after: None }
            }
            GraphError::Decode { .. } | GraphError::Invalid(_) | GraphError::TooLarge { .. } => {
                ErrorClass::Permanent
            }
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            GraphError::Api { status, .. } | GraphError::Decode { status, .. } => Some(*status),
            GraphError::MediaUrlExpired => Some(404),
            _ => None,
        }
    }

    /// Meta's error code, when Meta sent one.
    pub fn code(&self) -> Option<i64> {
        self.api_error().map(|e| e.code)
    }

    pub fn api_error(&self) -> Option<&GraphApiError> {
        match self {
            GraphError::Api { error, .. } => error.as_deref(),
            _ => None,
        }
    }

    /// The error in the same shape webhooks use, to store next to failed statuses.
    pub fn meta_error(&self) -> Option<MetaError> {
        self.api_error().map(|e| MetaError {
            code: e.code,
            title: e.title.clone(),
            message: e.message.clone(),
            details: e.details.clone(),
            href: None,
        })
    }

    /// A sentence for the agent who sent the message.
    pub fn explain(&self, lang: Lang) -> String {
        match (self.api_error(), self, lang) {
            (Some(e), _, _) => explain(e.code, e.title.as_deref().or(e.message.as_deref()), lang),
            (None, GraphError::Timeout | GraphError::Connect(_), Lang::En) => {
                "WhatsApp could not be reached. The message will be retried.".to_owned()
            }
            (None, GraphError::Timeout | GraphError::Connect(_), Lang::Es) => {
                "No se pudo contactar con WhatsApp. El mensaje se reintentará.".to_owned()
            }
            (None, GraphError::Invalid(reason), Lang::En) => {
                format!("The message was not sent: {reason}.")
            }
            (None, GraphError::Invalid(reason), Lang::Es) => {
                format!("El mensaje no se envió: {reason}.")
            }
            (None, _, Lang::En) => "WhatsApp returned an unexpected answer.".to_owned(),
            (None, _, Lang::Es) => "WhatsApp devolvió una respuesta inesperada.".to_owned(),
        }
    }

    /// An error status with Meta's body (§5.4), or without one.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        let error = serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .and_then(|b| b.error)
            .and_then(|raw| GraphApiError::from_json(&raw))
            .map(Box::new);
        let class = classify_http(
            status,
            error.as_ref().map(|e| e.code),
            error.as_ref().is_some_and(|e| e.is_transient),
        );
        GraphError::Api {
            status,
            error,
            class,
        }
    }

    fn transport(e: reqwest::Error) -> Self {
        let e = e.without_url();
        let chain = error_chain(&e);
        if e.is_timeout() {
            GraphError::Timeout
        } else if e.is_builder() {
            GraphError::Invalid(chain)
        } else if chain.contains("scheme is not http") {
            // hyper's answer to an https URL when reqwest was built without TLS: a
            // configuration problem that no retry will fix.
            GraphError::Invalid(format!("no TLS backend for https URLs: {chain}"))
        } else {
            // Connect, request and body errors: the network, not the request.
            GraphError::Connect(chain)
        }
    }
}

/// An error and its causes on one line (reqwest's own message is only the outermost).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Meta's `error` object (§5.4). `message` is `"(#<code>) <title>"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphApiError {
    pub code: i64,
    /// `error_subcode` (deprecated by Meta but still sent).
    pub subcode: Option<i64>,
    /// `type`, e.g. `OAuthException`.
    pub error_type: Option<String>,
    pub message: Option<String>,
    /// `error_user_title`, when Graph sends one.
    pub title: Option<String>,
    /// `error_user_msg`, when Graph sends one.
    pub user_message: Option<String>,
    /// `error_data.details`.
    pub details: Option<String>,
    pub fbtrace_id: Option<String>,
    pub is_transient: bool,
}

impl GraphApiError {
    fn from_json(raw: &Value) -> Option<Self> {
        let int = |key: &str| {
            raw.get(key).and_then(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            })
        };
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        Some(Self {
            code: int("code")?,
            subcode: int("error_subcode"),
            error_type: text(raw.get("type")),
            message: text(raw.get("message")),
            title: text(raw.get("error_user_title")),
            user_message: text(raw.get("error_user_msg")),
            details: text(raw.get("error_data").and_then(|d| d.get("details"))),
            fbtrace_id: text(raw.get("fbtrace_id")),
            is_transient: raw
                .get("is_transient")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: Option<Value>,
}

// ---------------------------------------------------------------------------------------------
// Outbound messages
// ---------------------------------------------------------------------------------------------

/// A message to send: who to, what, and optionally which message it replies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundMessage {
    pub to: Recipient,
    pub content: OutboundContent,
    /// Quote this wamid (`context.message_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Echoed back in this message's status webhooks (≤ 512 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
}

/// Who receives a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// A phone number or `wa_id`. Sent as `+<digits>`: without the `+`, Meta prepends the
    /// *business* number's country code (§5.1), which misroutes a bare `wa_id`.
    Phone(String),
    /// A business-scoped user id (BSUID), for users who have no phone number on file; sent in
    /// the `recipient` field instead of `to` (§3.4).
    UserId(String),
}

/// What a message says. One variant per `type` Chorus sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboundContent {
    /// At most 4096 characters. `preview_url` renders a link preview.
    Text {
        body: String,
        preview_url: bool,
    },
    Image {
        media: MediaSource,
        caption: Option<String>,
    },
    Video {
        media: MediaSource,
        caption: Option<String>,
    },
    Audio {
        media: MediaSource,
    },
    Document {
        media: MediaSource,
        caption: Option<String>,
        filename: Option<String>,
    },
    Sticker {
        media: MediaSource,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    /// The only kind allowed outside the 24-hour window.
    Template(TemplateMessage),
    /// Up to 3 reply buttons.
    Buttons(ButtonsMessage),
    /// A list of up to 10 rows in up to 10 sections.
    List(ListMessage),
    /// React to `message_id`; an empty `emoji` removes the reaction.
    Reaction {
        message_id: String,
        emoji: String,
    },
}

/// A file by uploaded media id, or by a public link Meta fetches (and caches for 10 minutes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    Id(String),
    Link(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateMessage {
    pub name: String,
    /// The template's language code, exactly as registered (`es`, `en_US`).
    pub language: String,
    #[serde(default)]
    pub components: Vec<TemplateComponent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateComponent {
    Header {
        parameters: Vec<TemplateParameter>,
    },
    Body {
        parameters: Vec<TemplateParameter>,
    },
    /// The button at `index` (0-based): a quick reply's payload, a URL button's suffix, ...
    Button {
        sub_type: ButtonSubType,
        index: u32,
        parameters: Vec<TemplateParameter>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonSubType {
    QuickReply,
    Url,
    CopyCode,
}

impl ButtonSubType {
    fn as_str(self) -> &'static str {
        match self {
            ButtonSubType::QuickReply => "quick_reply",
            ButtonSubType::Url => "url",
            ButtonSubType::CopyCode => "copy_code",
        }
    }
}

/// One template parameter. `name` is the `parameter_name` of `NAMED` templates; leave it
/// `None` for positional ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateParameter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub value: ParameterValue,
}

impl TemplateParameter {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            name: None,
            value: ParameterValue::Text(text.into()),
        }
    }

    pub fn named(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            value: ParameterValue::Text(text.into()),
        }
    }

    pub fn payload(payload: impl Into<String>) -> Self {
        Self {
            name: None,
            value: ParameterValue::Payload(payload.into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterValue {
    Text(String),
    /// A quick-reply button's payload.
    Payload(String),
    Currency {
        fallback_value: String,
        /// ISO 4217.
        code: String,
        /// The amount times 1000.
        amount_1000: i64,
    },
    DateTime {
        fallback_value: String,
    },
    Image(MediaSource),
    Video(MediaSource),
    Document {
        media: MediaSource,
        filename: Option<String>,
    },
    CouponCode(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ButtonsMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<InteractiveHeader>,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// 1 to 3 buttons; titles ≤ 20 characters, ids ≤ 256 and unique.
    pub buttons: Vec<ReplyButton>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButton {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractiveHeader {
    Text(String),
    Image(MediaSource),
    Video(MediaSource),
    Document(MediaSource),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListMessage {
    /// Lists take a text header only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// The label of the button that opens the list (≤ 20 characters).
    pub button: String,
    /// ≤ 10 sections, ≤ 10 rows in total.
    pub sections: Vec<ListSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListSection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub rows: Vec<ListRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// ≤ 200 characters.
    pub id: String,
    /// ≤ 24 characters.
    pub title: String,
    /// ≤ 72 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl OutboundMessage {
    pub fn new(to: Recipient, content: OutboundContent) -> Self {
        Self {
            to,
            content,
            reply_to: None,
            biz_opaque_callback_data: None,
        }
    }

    /// A plain text message without a link preview.
    pub fn text(to: Recipient, body: impl Into<String>) -> Self {
        Self::new(
            to,
            OutboundContent::Text {
                body: body.into(),
                preview_url: false,
            },
        )
    }

    /// Quote `wamid`.
    pub fn reply_to(mut self, wamid: impl Into<String>) -> Self {
        self.reply_to = Some(wamid.into());
        self
    }

    pub fn callback_data(mut self, data: impl Into<String>) -> Self {
        self.biz_opaque_callback_data = Some(data.into());
        self
    }

    /// Check the limits Meta documents (sheet §5.1), so a bad message fails here, at once and
    /// permanently, instead of after a round trip.
    pub fn validate(&self) -> Result<(), String> {
        match &self.to {
            Recipient::Phone(p) if !p.chars().any(|c| c.is_ascii_digit()) => {
                return Err(format!("{p:?} is not a phone number"));
            }
            Recipient::UserId(u) if u.trim().is_empty() => {
                return Err("the recipient's user id is empty".into());
            }
            _ => {}
        }
        if let Some(data) = &self.biz_opaque_callback_data {
            max_chars("biz_opaque_callback_data", data, 512)?;
        }
        match &self.content {
            OutboundContent::Text { body, .. } => {
                not_empty("the text", body)?;
                max_chars("the text", body, 4096)?;
            }
            OutboundContent::Template(t) => {
                not_empty("the template name", &t.name)?;
                not_empty("the template language", &t.language)?;
            }
            OutboundContent::Buttons(b) => {
                not_empty("the message body", &b.body)?;
                if b.buttons.is_empty() || b.buttons.len() > 3 {
                    return Err("a message needs 1 to 3 reply buttons".into());
                }
                for (i, button) in b.buttons.iter().enumerate() {
                    not_empty("a button title", &button.title)?;
                    max_chars("a button title", &button.title, 20)?;
                    not_empty("a button id", &button.id)?;
                    max_chars("a button id", &button.id, 256)?;
                    if b.buttons[..i].iter().any(|other| other.id == button.id) {
                        return Err(format!("two buttons have the id {:?}", button.id));
                    }
                }
            }
            OutboundContent::List(l) => {
                not_empty("the message body", &l.body)?;
                not_empty("the list button", &l.button)?;
                max_chars("the list button", &l.button, 20)?;
                let rows: Vec<&ListRow> = l.sections.iter().flat_map(|s| &s.rows).collect();
                if l.sections.is_empty() || l.sections.len() > 10 {
                    return Err("a list needs 1 to 10 sections".into());
                }
                if rows.is_empty() || rows.len() > 10 {
                    return Err("a list needs 1 to 10 rows in total".into());
                }
                for (i, row) in rows.iter().enumerate() {
                    not_empty("a row title", &row.title)?;
                    max_chars("a row title", &row.title, 24)?;
                    not_empty("a row id", &row.id)?;
                    max_chars("a row id", &row.id, 200)?;
                    if let Some(d) = &row.description {
                        max_chars("a row description", d, 72)?;
                    }
                    if rows[..i].iter().any(|other| other.id == row.id) {
                        return Err(format!("two rows have the id {:?}", row.id));
                    }
                }
            }
            OutboundContent::Reaction { message_id, .. } => {
                not_empty("the reacted message id", message_id)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The `/messages` request body, exactly as Meta expects it.
    pub fn to_json(&self) -> Value {
        let mut body = json!({ "messaging_product": "whatsapp", "recipient_type": "individual" });
        match &self.to {
            Recipient::Phone(phone) => body["to"] = json!(e164(phone)),
            Recipient::UserId(user_id) => body["recipient"] = json!(user_id),
        }
        if let Some(wamid) = &self.reply_to {
            body["context"] = json!({ "message_id": wamid });
        }
        if let Some(data) = &self.biz_opaque_callback_data {
            body["biz_opaque_callback_data"] = json!(data);
        }
        let (kind, payload) = self.content.to_json();
        body["type"] = json!(kind);
        body[kind] = payload;
        body
    }
}

impl OutboundContent {
    /// The wire `type` and the object that goes under it.
    fn to_json(&self) -> (&'static str, Value) {
        match self {
            OutboundContent::Text { body, preview_url } => {
                ("text", json!({ "body": body, "preview_url": preview_url }))
            }
            OutboundContent::Image { media, caption } => {
                ("image", media_json(media, caption.as_deref(), None))
            }
            OutboundContent::Video { media, caption } => {
                ("video", media_json(media, caption.as_deref(), None))
            }
            OutboundContent::Audio { media } => ("audio", media_json(media, None, None)),
            OutboundContent::Document {
                media,
                caption,
                filename,
            } => (
                "document",
                media_json(media, caption.as_deref(), filename.as_deref()),
            ),
            OutboundContent::Sticker { media } => ("sticker", media_json(media, None, None)),
            OutboundContent::Location {
                latitude,
                longitude,
                name,
                address,
            } => {
                let mut v = json!({ "latitude": latitude, "longitude": longitude });
                if let Some(name) = name {
                    v["name"] = json!(name);
                }
                if let Some(address) = address {
                    v["address"] = json!(address);
                }
                ("location", v)
            }
            OutboundContent::Template(t) => ("template", t.to_json()),
            OutboundContent::Buttons(b) => ("interactive", b.to_json()),
            OutboundContent::List(l) => ("interactive", l.to_json()),
            OutboundContent::Reaction { message_id, emoji } => (
                "reaction",
                json!({ "message_id": message_id, "emoji": emoji }),
            ),
        }
    }
}

impl TemplateMessage {
    fn to_json(&self) -> Value {
        let components: Vec<Value> = self
            .components
            .iter()
            .map(|c| match c {
                TemplateComponent::Header { parameters } => {
                    json!({ "type": "header", "parameters": parameters_json(parameters) })
                }
                TemplateComponent::Body { parameters } => {
                    json!({ "type": "body", "parameters": parameters_json(parameters) })
                }
                TemplateComponent::Button {
                    sub_type,
                    index,
                    parameters,
                } => json!({
                    "type": "button",
                    "sub_type": sub_type.as_str(),
                    // Meta's examples send the index as a string.
                    "index": index.to_string(),
                    "parameters": parameters_json(parameters),
                }),
            })
            .collect();
        let mut v = json!({ "name": self.name, "language": { "code": self.language } });
        if !components.is_empty() {
            v["components"] = Value::Array(components);
        }
        v
    }
}

fn parameters_json(parameters: &[TemplateParameter]) -> Vec<Value> {
    parameters
        .iter()
        .map(|p| {
            let (kind, value) = match &p.value {
                ParameterValue::Text(text) => ("text", json!(text)),
                ParameterValue::Payload(payload) => ("payload", json!(payload)),
                ParameterValue::Currency {
                    fallback_value,
                    code,
                    amount_1000,
                } => (
                    "currency",
                    json!({ "fallback_value": fallback_value, "code": code, "amount_1000": amount_1000 }),
                ),
                ParameterValue::DateTime { fallback_value } => {
                    ("date_time", json!({ "fallback_value": fallback_value }))
                }
                ParameterValue::Image(media) => ("image", media_json(media, None, None)),
                ParameterValue::Video(media) => ("video", media_json(media, None, None)),
                ParameterValue::Document { media, filename } => {
                    ("document", media_json(media, None, filename.as_deref()))
                }
                ParameterValue::CouponCode(code) => ("coupon_code", json!(code)),
            };
            let mut v = json!({ "type": kind });
            v[kind] = value;
            if let Some(name) = &p.name {
                v["parameter_name"] = json!(name);
            }
            v
        })
        .collect()
}

impl ButtonsMessage {
    fn to_json(&self) -> Value {
        let buttons: Vec<Value> = self
            .buttons
            .iter()
            .map(|b| json!({ "type": "reply", "reply": { "id": b.id, "title": b.title } }))
            .collect();
        let mut v = json!({
            "type": "button",
            "body": { "text": self.body },
            "action": { "buttons": buttons },
        });
        if let Some(header) = &self.header {
            v["header"] = match header {
                InteractiveHeader::Text(text) => json!({ "type": "text", "text": text }),
                InteractiveHeader::Image(m) => {
                    json!({ "type": "image", "image": media_json(m, None, None) })
                }
                InteractiveHeader::Video(m) => {
                    json!({ "type": "video", "video": media_json(m, None, None) })
                }
                InteractiveHeader::Document(m) => {
                    json!({ "type": "document", "document": media_json(m, None, None) })
                }
            };
        }
        if let Some(footer) = &self.footer {
            v["footer"] = json!({ "text": footer });
        }
        v
    }
}

impl ListMessage {
    fn to_json(&self) -> Value {
        let sections: Vec<Value> = self
            .sections
            .iter()
            .map(|s| {
                let rows: Vec<Value> = s
                    .rows
                    .iter()
                    .map(|r| {
                        let mut row = json!({ "id": r.id, "title": r.title });
                        if let Some(d) = &r.description {
                            row["description"] = json!(d);
                        }
                        row
                    })
                    .collect();
                let mut section = json!({ "rows": rows });
                if let Some(title) = &s.title {
                    section["title"] = json!(title);
                }
                section
            })
            .collect();
        let mut v = json!({
            "type": "list",
            "body": { "text": self.body },
            "action": { "button": self.button, "sections": sections },
        });
        if let Some(header) = &self.header {
            v["header"] = json!({ "type": "text", "text": header });
        }
        if let Some(footer) = &self.footer {
            v["footer"] = json!({ "text": footer });
        }
        v
    }
}

fn media_json(media: &MediaSource, caption: Option<&str>, filename: Option<&str>) -> Value {
    let mut v = match media {
        MediaSource::Id(id) => json!({ "id": id }),
        MediaSource::Link(link) => json!({ "link": link }),
    };
    if let Some(caption) = caption {
        v["caption"] = json!(caption);
    }
    if let Some(filename) = filename {
        v["filename"] = json!(filename);
    }
    v
}

/// `+` and the digits: Meta accepts `+`, `-`, `(`, `)` and spaces, but without a leading `+`
/// it would prepend the business number's country code.
fn e164(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("+{digits}")
}

fn not_empty(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(())
    }
}

fn max_chars(what: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n > max {
        Err(format!("{what} has {n} characters; the limit is {max}"))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// A send Meta accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    /// Status webhooks for this message carry this id.
    pub wamid: String,
    /// Template sends only: `accepted`, `held_for_quality_assessment`, `paused`.
    pub message_status: Option<String>,
    /// The recipient's WhatsApp id as Meta resolved it (may differ from the input for Brazil
    /// and Mexico numbers).
    pub wa_id: Option<String>,
    /// The `to` as Meta read it.
    pub input: Option<String>,
}

#[derive(Deserialize)]
struct SendResponse {
    #[serde(default)]
    contacts: Vec<SendContact>,
    #[serde(default)]
    messages: Vec<SendMessageId>,
}

#[derive(Deserialize)]
struct SendContact {
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    wa_id: Option<String>,
}

#[derive(Deserialize)]
struct SendMessageId {
    id: String,
    #[serde(default)]
    message_status: Option<String>,
}

#[derive(Deserialize)]
struct SuccessResponse {
    #[serde(default)]
    success: bool,
}

#[derive(Deserialize)]
struct IdResponse {
    id: String,
}

/// A business number as Graph describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneNumber {
    pub id: String,
    /// As Graph formats it, e.g. `+1 555-000-1111`; see [`PhoneNumber::display_digits`].
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN`.
    pub quality_rating: Option<String>,
    /// e.g. `CONNECTED`, `FLAGGED`, `RESTRICTED`.
    pub status: Option<String>,
    pub name_status: Option<String>,
    pub code_verification_status: Option<String>,
    /// `CLOUD_API`, ...
    pub platform_type: Option<String>,
    /// `whatsapp_business_manager_messaging_limit` (v24+), e.g. `TIER_2K`.
    pub messaging_limit: Option<String>,
    /// `throughput.level`, e.g. `STANDARD`, `HIGH`.
    pub throughput_level: Option<String>,
    /// The whole answer.
    pub raw: Value,
}

impl PhoneNumber {
    const FIELDS: &'static str = "id,display_phone_number,verified_name,quality_rating,status,\
        name_status,code_verification_status,platform_type,throughput,\
        whatsapp_business_manager_messaging_limit";

    fn from_json(raw: Value) -> Result<Self, GraphError> {
        let text = |v: Option<&Value>| {
            v.and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let id = text(raw.get("id")).ok_or_else(|| GraphError::Decode {
            status: 200,
            reason: "the phone number has no id".into(),
        })?;
        let limit = raw.get("whatsapp_business_manager_messaging_limit");
        Ok(Self {
            id,
            display_phone_number: text(raw.get("display_phone_number")),
            verified_name: text(raw.get("verified_name")),
            quality_rating: text(raw.get("quality_rating")),
            status: text(raw.get("status")),
            name_status: text(raw.get("name_status")),
            code_verification_status: text(raw.get("code_verification_status")),
            platform_type: text(raw.get("platform_type")),
            // The shape of the v24 field is not documented in the sheet: a string, or an
            // object with a `current_limit`, are both read.
            messaging_limit: text(limit)
                .or_else(|| text(limit.and_then(|l| l.get("current_limit")))),
            throughput_level: text(raw.get("throughput").and_then(|t| t.get("level"))),
            raw,
        })
    }

    /// The display number as webhooks write it: digits only.
    pub fn display_digits(&self) -> Option<String> {
        self.display_phone_number
            .as_ref()
            .map(|d| d.chars().filter(char::is_ascii_digit).collect())
    }
}

/// A message template as listed by `GET /{waba-id}/message_templates` (§7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, ...
    pub status: String,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    pub category: Option<String>,
    /// `POSITIONAL` or `NAMED`; absent means positional.
    pub parameter_format: Option<String>,
    /// As Meta sent them: `HEADER`, `BODY`, `FOOTER`, `BUTTONS` objects.
    pub components: Vec<Value>,
}

impl Template {
    fn from_json(raw: Value) -> Result<Self, GraphError> {
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
        let id = raw
            .get("id")
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .ok_or_else(|| GraphError::Decode {
                status: 200,
                reason: "a template has no id".into(),
            })?;
        Ok(Self {
            id,
            name: text("name").unwrap_or_default(),
            language: text("language").unwrap_or_default(),
            status: text("status").unwrap_or_default(),
            category: text("category"),
            parameter_format: text("parameter_format"),
            components: raw
                .get("components")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        })
    }

    /// The text of the `BODY` component, with its `{{…}}` placeholders.
    pub fn body_text(&self) -> Option<&str> {
        self.components
            .iter()
            .find(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("body"))
            })
            .and_then(|c| c.get("text"))
            .and_then(Value::as_str)
    }

    /// The body's variables in order of first appearance: `["1", "2"]` for positional
    /// templates, names for `NAMED` ones. A send must give one body parameter per variable.
    pub fn body_variables(&self) -> Vec<String> {
        placeholders(self.body_text().unwrap_or_default())
    }
}

/// The distinct `{{name}}` placeholders of a template text, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !found.iter().any(|f| f == name)
        {
            found.push(name.to_owned());
        }
        rest = &after[end + 2..];
    }
    found
}

#[derive(Deserialize)]
struct TemplatePage {
    #[serde(default)]
    data: Vec<Value>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    cursors: Option<Cursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Cursors {
    #[serde(default)]
    after: Option<String>,
}

/// Meta's answer to a template creation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedTemplate {
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// PENDING, APPROVED or REJECTED.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(serde::de::Error::custom("expected an id")),
    }
}

/// `GET /{media-id}` (§6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaInfo {
    pub id: String,
    /// Valid for 5 minutes; needs the bearer token.
    pub url: String,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub sha256: Option<String>,
    /// A number in some answers and a string in others; both are read.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub file_size: Option<u64>,
}

fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedMedia {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// A per-WABA webhook callback for [`GraphClient::subscribe_app`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackOverride {
    pub uri: String,
    pub verify_token: String,
}

/// The business token from the Embedded Signup code exchange. Store it encrypted.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct BusinessToken {
    pub access_token: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

impl std::fmt::Debug for BusinessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusinessToken")
            .field("access_token", &"..")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[cfg(test)]
mod tests;
