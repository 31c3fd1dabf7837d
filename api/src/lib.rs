//! # chorus-api
//!
//! The HTTP API (`/api/v1`), operations endpoints, the OpenAPI document and the portal, and the
//! `chorus` binary that composes everything (`src/main.rs`). Handlers are thin: they
//! authenticate, open one tenant transaction, call the domain in `chorus-tenants`, and map its
//! one error type to HTTP in `error.rs`.

pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod json;
pub mod openapi;
pub mod ratelimit;
pub mod realtime;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
