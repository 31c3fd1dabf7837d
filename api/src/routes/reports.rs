//! KPI reports (see `chorus_tenants::kpi`): the figures of a date range in the business's time
//! zone, as JSON for the portal's charts and as CSV. Needs reports:view.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use chorus_tenants::db::TenantTx;
use chorus_tenants::kpi::{self, Report, ReportQuery};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

async fn load(state: &AppState, auth: &Authenticated, q: ReportQuery) -> ApiResult<Report> {
    Ok(state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                kpi::report(tx, &actor, q).await
            },
        )
        .await?)
}

/// Totals, days, the weekday × hour heatmap and the per-agent table for a range (default: the
/// last 7 days), optionally for one number, team or agent.
#[utoipa::path(tag = "reports", params(ReportQuery), security(("bearer" = [])),
    responses((status = 200, body = Report), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/reports/overview")]
pub async fn overview(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let report = load(&state, &auth, q.into_inner()).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The same report as CSV: a line per day, then the totals.
#[utoipa::path(tag = "reports", params(ReportQuery), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[get("/reports/overview.csv")]
pub async fn overview_csv(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let report = load(&state, &auth, q.into_inner()).await?;
    let csv = kpi::to_csv(&report)?;
    let name = format!("chorus-report-{}-{}.csv", report.from, report.to);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(csv))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct FloorQuery {
    /// Only this team's conversations and members.
    pub team_id: Option<uuid::Uuid>,
}

/// The supervisor floor now: presence and load of each member, open, unassigned and waiting
/// conversations, SLA targets at risk or breached.
#[utoipa::path(tag = "reports", params(FloorQuery), security(("bearer" = [])),
    responses((status = 200, body = chorus_tenants::kpi::live::Floor), (status = 403, body = crate::error::ErrorBody)))]
#[get("/reports/floor")]
pub async fn floor(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<FloorQuery>,
) -> ApiResult<HttpResponse> {
    let team = q.into_inner().team_id;
    let v = state
        .store
        .tenant(
            auth.tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<_> {
                let actor = auth.actor(tx).await?;
                kpi::live::floor(tx, &actor, team).await
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
