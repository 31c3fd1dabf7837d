//! # chorus-tenants
//!
//! The Chorus domain and its tenant-isolated store. Everything a business owns lives behind
//! [`db::Store`]: request code reaches data only through the tenant door ([`db::Store::tenant`]),
//! where PostgreSQL Row-Level Security confines every query to one business. Nothing here knows
//! about HTTP; the API crate maps [`Error`] to responses once.

pub mod access;
pub mod accounts;
pub mod activity;
pub mod audit;
pub mod bots;
pub mod businesses;
pub mod canned;
pub mod consent;
pub mod contact_imports;
pub mod contacts;
pub mod conversations;
pub mod crypto;
pub mod csat;
pub mod db;
pub mod error;
pub mod hooks;
pub mod hours;
pub mod idle;
pub mod ids;
pub mod ingest;
pub mod jobs;
pub mod knowledge;
pub mod kpi;
pub mod llm;
pub mod mail;
pub mod media;
pub mod messages;
pub mod meta_apps;
pub mod notes;
pub mod notifications;
pub mod numbers;
pub mod operator;
pub mod outbound;
pub mod pagination;
pub mod passwords;
pub mod people;
pub mod permissions;
pub mod presence;
pub mod quality;
pub mod realtime;
pub mod retention;
pub mod routing;
pub mod routing_rules;
pub mod schema;
pub mod sessions;
pub mod sla;
pub mod tags;
pub mod templates;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod whatsapp;

pub use error::{Error, Result};

/// Install the process-wide TLS crypto provider (rustls with ring, the one lettre uses too).
/// Every HTTP client of the process needs it; calling it again is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
