//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use crate::state::AppState;
use crate::telemetry::Metrics;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers and its schema is current.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, crate::error::ApiError> {
    state.store.ready().await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}

/// Prometheus text format.
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, m: web::Data<Metrics>) -> HttpResponse {
    let pool = state.store.app_pool_status();
    ::metrics::gauge!("chorus_db_pool_connections").set(pool.size as f64);
    ::metrics::gauge!("chorus_db_pool_available").set(pool.available as f64);
    ::metrics::gauge!("chorus_db_pool_waiting").set(pool.waiting as f64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(m.render())
}
