//! Signup, email verification, login, refresh, logout, switching business, password reset.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};

use chorus_tenants::accounts::{self, Signup, SignupResult};
use chorus_tenants::db::TenantTx;
use chorus_tenants::ids::{MembershipId, TenantId, UserId};
use chorus_tenants::people::invitations::{self, Acceptance};
use chorus_tenants::{access, sessions};

use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::ratelimit::check_both;
use crate::state::AppState;

pub const REFRESH_COOKIE: &str = "chorus_refresh";

/// Tokens for one business.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub tenant_id: TenantId,
    pub membership_id: MembershipId,
}

/// Start a session (new refresh family) and answer with it and the cookie.
pub async fn start_session(
    state: &AppState,
    user: UserId,
    tenant: TenantId,
    membership: MembershipId,
) -> ApiResult<HttpResponse> {
    let issued = state
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            sessions::start(tx, membership).await
        })
        .await?;
    session_response(state, user, tenant, membership, issued)
}

fn session_response(
    state: &AppState,
    user: UserId,
    tenant: TenantId,
    membership: MembershipId,
    issued: sessions::Issued,
) -> ApiResult<HttpResponse> {
    let access_token = state.access.issue(user, tenant, membership)?;
    let cookie = Cookie::build(REFRESH_COOKIE, issued.token.clone())
        .path("/api/v1/auth")
        .http_only(true)
        .secure(state.config.cookie_secure())
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::days(sessions::REFRESH_TTL_DAYS))
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(Session {
        access_token,
        token_type: "Bearer",
        expires_in: access::ACCESS_TTL_SECS,
        refresh_token: issued.token,
        tenant_id: tenant,
        membership_id: membership,
    }))
}

fn clear_cookie(state: &AppState) -> Cookie<'static> {
    let mut c = Cookie::build(REFRESH_COOKIE, "")
        .path("/api/v1/auth")
        .http_only(true)
        .secure(state.config.cookie_secure())
        .same_site(SameSite::Strict)
        .finish();
    c.make_removal();
    c
}

fn peer_ip(req: &HttpRequest) -> Option<std::net::IpAddr> {
    req.peer_addr().map(|a| a.ip())
}

#[utoipa::path(tag = "accounts", request_body = Signup,
    responses((status = 201, body = SignupResult), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
#[post("/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<Signup>,
) -> ApiResult<HttpResponse> {
    check_both(
        &state.limits.signup_ip,
        peer_ip(&req),
        &state.limits.signup_ip,
        "",
    )?;
    let result = accounts::signup(&state.store, body.into_inner(), state.public_url()).await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Created().json(result))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    pub token: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verified {
    pub verified: bool,
}

#[utoipa::path(tag = "accounts", request_body = TokenBody, responses((status = 200, body = Verified), (status = 400, body = crate::error::ErrorBody)))]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: Json<TokenBody>,
) -> ApiResult<HttpResponse> {
    accounts::verify_email(&state.store, &body.token).await?;
    Ok(HttpResponse::Ok().json(Verified { verified: true }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    pub email: String,
}

#[utoipa::path(tag = "accounts", request_body = EmailBody, responses((status = 202), (status = 429, body = crate::error::ErrorBody)))]
#[post("/auth/resend-verification")]
pub async fn resend_verification(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<EmailBody>,
) -> ApiResult<HttpResponse> {
    check_both(
        &state.limits.reset_ip,
        peer_ip(&req),
        &state.limits.reset_account,
        &body.email,
    )?;
    accounts::resend_verification(&state.store, &body.email, state.public_url()).await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
    /// The business to start in; the oldest membership when absent.
    pub tenant_id: Option<TenantId>,
}

#[utoipa::path(tag = "accounts", request_body = LoginBody,
    responses((status = 200, body = Session), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginBody>,
) -> ApiResult<HttpResponse> {
    check_both(
        &state.limits.login_ip,
        peer_ip(&req),
        &state.limits.login_account,
        &body.email,
    )?;
    let (user, tenant, membership) =
        accounts::login(&state.store, &body.email, &body.password, body.tenant_id).await?;
    start_session(&state, user, tenant, membership).await
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// API clients send the token here; the portal relies on the httpOnly cookie.
    pub refresh_token: Option<String>,
}

fn presented_refresh(req: &HttpRequest, body: Option<Json<RefreshBody>>) -> Option<String> {
    body.and_then(|b| b.into_inner().refresh_token)
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()))
        .filter(|t| !t.is_empty())
}

#[utoipa::path(tag = "accounts", request_body(content = RefreshBody, description = "optional"), responses((status = 200, body = Session), (status = 401, body = crate::error::ErrorBody)))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Option<Json<RefreshBody>>,
) -> ApiResult<HttpResponse> {
    let token = presented_refresh(&req, body)
        .ok_or_else(|| ApiError::unauthorized("No session: log in."))?;
    let rotated = sessions::rotate(&state.store, &token).await?;
    session_response(
        &state,
        rotated.user,
        rotated.tenant,
        rotated.membership,
        rotated.next,
    )
}

#[utoipa::path(tag = "accounts", request_body(content = RefreshBody, description = "optional"), responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Option<Json<RefreshBody>>,
) -> ApiResult<HttpResponse> {
    if let Some(token) = presented_refresh(&req, body) {
        sessions::end(&state.store, &token).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(clear_cookie(&state))
        .finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchBody {
    pub tenant_id: TenantId,
}

#[utoipa::path(tag = "accounts", request_body = SwitchBody, security(("bearer" = [])),
    responses((status = 200, body = Session), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
#[post("/auth/switch")]
pub async fn switch(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Json<SwitchBody>,
) -> ApiResult<HttpResponse> {
    // The current membership must still be valid.
    state
        .store
        .tenant(auth.tenant, async |tx: &mut TenantTx| auth.actor(tx).await)
        .await?;
    let memberships = accounts::memberships_of(&state.store, auth.user).await?;
    let target = memberships
        .iter()
        .find(|m| m.tenant_id == body.tenant_id)
        .ok_or_else(|| ApiError::from(chorus_tenants::Error::NotFound("business")))?;
    start_session(&state, auth.user, target.tenant_id, target.membership_id).await
}

#[utoipa::path(tag = "accounts", request_body = EmailBody, responses((status = 202), (status = 429, body = crate::error::ErrorBody)))]
#[post("/auth/forgot-password")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<EmailBody>,
) -> ApiResult<HttpResponse> {
    check_both(
        &state.limits.reset_ip,
        peer_ip(&req),
        &state.limits.reset_account,
        &body.email,
    )?;
    accounts::forgot_password(&state.store, &body.email, state.public_url()).await?;
    state.jobs_enqueued();
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    pub token: String,
    pub password: String,
}

#[utoipa::path(tag = "accounts", request_body = ResetBody, responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/auth/reset-password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<ResetBody>,
) -> ApiResult<HttpResponse> {
    check_both(
        &state.limits.reset_ip,
        peer_ip(&req),
        &state.limits.reset_account,
        "",
    )?;
    accounts::reset_password(&state.store, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LookupQuery {
    pub token: String,
}

#[utoipa::path(tag = "people", params(LookupQuery),
    responses((status = 200, body = invitations::InvitationPreview), (status = 404, body = crate::error::ErrorBody)))]
#[get("/invitations/lookup")]
pub async fn invitation_lookup(
    state: web::Data<AppState>,
    q: web::Query<LookupQuery>,
) -> ApiResult<HttpResponse> {
    let preview = invitations::preview(&state.store, &q.token).await?;
    Ok(HttpResponse::Ok().json(preview))
}

#[utoipa::path(tag = "people", request_body = Acceptance,
    responses((status = 200, body = Session), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/invitations/accept")]
pub async fn invitation_accept(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<Acceptance>,
) -> ApiResult<HttpResponse> {
    check_both(
        &state.limits.login_ip,
        peer_ip(&req),
        &state.limits.login_account,
        "",
    )?;
    let (user, tenant, membership) = invitations::accept(&state.store, body.into_inner()).await?;
    start_session(&state, user, tenant, membership).await
}
