//! The platform operator's console API: failed (dead) jobs across businesses, and retrying one.
//! Only platform operators may call it (403 otherwise), whatever business their token is for.

use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use chorus_tenants::operator::{self, FailedJob, FailedJobFilter, FailedJobList};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

/// Dead jobs, newest first (at most 100), with their last error.
#[utoipa::path(tag = "operator", params(FailedJobFilter), security(("bearer" = [])),
    responses((status = 200, body = FailedJobList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/operator/jobs")]
pub async fn failed_jobs(
    state: web::Data<AppState>,
    auth: Authenticated,
    filter: web::Query<FailedJobFilter>,
) -> ApiResult<HttpResponse> {
    let v = operator::failed_jobs(&state.store, auth.user, filter.into_inner()).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Queue a dead job again with its attempts reset.
#[utoipa::path(tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = FailedJob), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/operator/jobs/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let v = operator::retry(&state.store, auth.user, id.into_inner()).await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Ok().json(v))
}
