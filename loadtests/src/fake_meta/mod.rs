//! A fake Meta: the WhatsApp Cloud API's two directions, on the wire format of
//! `shared/whatsapp-cloud-api.md` ("the sheet"), for integration tests and benchmarks that must
//! run offline.
//!
//! - [`FakeGraph`] is a Graph API server on `127.0.0.1:<random port>`: sends, read receipts,
//!   phone number and template lookups, media upload/URL/download, and the Embedded Signup calls.
//!   Tests register numbers and tokens, inspect every request it received, and script failures
//!   (Meta error codes, HTTP errors, delays past the client's timeout) and latency. It can also
//!   answer each accepted send with status webhooks, like Meta does.
//! - [`WebhookBatch`] builds webhook bodies (inbound messages of every type, statuses with
//!   pricing and errors, template/quality/account updates), batched in several entries and
//!   changes; [`WebhookSender`] signs them with the app secret and POSTs them, including
//!   duplicates and out-of-order statuses.
//!
//! It is written from the sheet independently of `chorus_tenants::whatsapp` (its own signing,
//! its own JSON), so tests that run one against the other check both.

mod codes;
mod graph;
mod webhooks;

pub use codes::meta_error_body;
pub use graph::{
    Failure, FakeGraph, RecordedRequest, SentRecord, StatusPlan, Subscription, UploadedMedia,
};
pub use webhooks::{
    BusinessNumber, Customer, Delivery, Inbound, Pricing, StatusOrder, StatusSpec, WebhookBatch,
    WebhookSender, sign, status_sequence,
};
