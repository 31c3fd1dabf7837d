//! The WhatsApp Business Cloud API, as Chorus speaks it: signed webhooks in, Graph API calls out.
//!
//! This module is the protocol layer only. It knows the wire format (field names, string
//! timestamps, batching, error codes) and turns it into typed values; it knows nothing about
//! tenants, the database or HTTP servers. The API crate verifies and parses webhooks with
//! [`signature`] and [`webhook`]; the worker sends through [`graph::GraphClient`] and turns
//! failures into agent-facing reasons with [`errors`].
//!
//! The facts it relies on are in `shared/whatsapp-cloud-api.md` (cited below as "the sheet",
//! with its section numbers). Where Meta's own sources disagree, the choice made is written in
//! the doc comment of the item concerned.
//!
//! Two rules shape every parser here:
//! - **Never lose a batch.** One POST may carry up to 1000 updates for many tenants. An unknown
//!   message type, an extra field or a malformed item becomes a value that keeps its raw JSON
//!   (`MessageKind::Unknown`, `Event::Unparsed`), never an error for the whole body.
//! - **Open enums stay open.** Meta adds statuses, events and categories without notice, so
//!   those are strings or enums with an `Other(String)` arm.

pub mod errors;
pub mod graph;
pub mod signature;
pub mod webhook;

pub use errors::{ErrorClass, Lang, MetaError};
pub use graph::{GraphClient, GraphConfig, GraphError, OutboundMessage, SentMessage};
pub use signature::SignatureError;
pub use webhook::{Event, InboundMessage, MessageKind, ParseError, StatusUpdate};
