//! Accounts: people, signup, email verification, login and password reset.
//!
//! People are global (one person, several businesses), so finding a person by email crosses
//! businesses and goes through the system door; everything inside a business goes through its
//! tenant door.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use crate::crypto::{self, ScopedToken};
use crate::db::{Store, SystemTx};
use crate::error::{Error, Result};
use crate::ids::{MembershipId, TenantId, UserId};
use crate::jobs::{self, NewJob};
use crate::mail::{self, Lang};
use crate::passwords;
use crate::permissions::BuiltinRole;
use crate::schema::{email_tokens, memberships, refresh_tokens, roles, tenants, users};

/// A syntactically valid email address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(s: &str) -> Result<Self> {
        let e = s.trim().to_lowercase();
        let bad = || Error::invalid("email", "Enter a valid email address.");
        if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = e.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || local.contains('@')
        {
            return Err(bad());
        }
        Ok(Self(e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub email_verified: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    pub business_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
    /// `en` or `es`; defaults to `en`.
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignupResult {
    pub user: UserView,
    pub tenant: crate::businesses::Business,
}

fn check_person_name(name: &str) -> Result<String> {
    let name = name.trim();
    let n = name.chars().count();
    if !(1..=120).contains(&n) {
        return Err(Error::invalid(
            "name",
            "Enter your name (up to 120 characters).",
        ));
    }
    Ok(name.to_owned())
}

fn locale(s: Option<&str>) -> &'static str {
    match s.map(Lang::parse) {
        Some(Lang::Es) => "es",
        _ => "en",
    }
}

const VERIFY_TTL_HOURS: i64 = 48;
const RESET_TTL_MINUTES: i64 = 60;

/// Create an email token and return the link text's token (`<id>.<secret>` reusing ScopedToken
/// with the user id in the tenant slot).
async fn new_email_token(
    tx: &mut SystemTx,
    user: UserId,
    purpose: &str,
    ttl: Duration,
) -> Result<String> {
    let id = uuid::Uuid::now_v7();
    let token = ScopedToken::generate(user.0, id);
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::id.eq(id),
            email_tokens::user_id.eq(user),
            email_tokens::purpose.eq(purpose),
            email_tokens::token_hash.eq(token.hash()),
            email_tokens::expires_at.eq(Utc::now() + ttl),
        ))
        .execute(tx.pg())
        .await?;
    Ok(token.to_string())
}

/// Use a single-use email token: returns its person, or `invalid_token`.
async fn use_email_token(tx: &mut SystemTx, token: &str, purpose: &str) -> Result<UserId> {
    let invalid =
        || Error::InvalidToken("This link is not valid any more. Ask for a new one.".into());
    let token = ScopedToken::parse(token).ok_or_else(invalid)?;
    let row: Option<(UserId, Vec<u8>, DateTime<Utc>, Option<DateTime<Utc>>)> = email_tokens::table
        .filter(email_tokens::id.eq(token.id))
        .filter(email_tokens::purpose.eq(purpose))
        .select((
            email_tokens::user_id,
            email_tokens::token_hash,
            email_tokens::expires_at,
            email_tokens::used_at,
        ))
        .for_update()
        .first(tx.pg())
        .await
        .optional()?;
    let Some((user, hash, expires_at, used_at)) = row else {
        return Err(invalid());
    };
    if user.0 != token.tenant
        || !token.matches(&hash)
        || used_at.is_some()
        || expires_at < Utc::now()
    {
        return Err(invalid());
    }
    diesel::update(email_tokens::table.filter(email_tokens::id.eq(token.id)))
        .set(email_tokens::used_at.eq(Utc::now()))
        .execute(tx.pg())
        .await?;
    Ok(user)
}

fn link(public_url: &str, path: &str, token: &str) -> String {
    format!("{}/{path}?token={token}", public_url.trim_end_matches('/'))
}

/// Self-serve signup: the business, its built-in roles, the owner and their membership, in one
/// transaction, plus the verification mail queued in that same transaction.
pub async fn signup(store: &Store, input: Signup, public_url: &str) -> Result<SignupResult> {
    let business_name = crate::businesses::check_name(&input.business_name)?;
    let name = check_person_name(&input.name)?;
    let email = EmailAddress::parse(&input.email)?;
    passwords::check_policy(&input.password, email.as_str(), &name)?;
    let hash = passwords::hash(input.password.clone()).await?;
    let locale = locale(input.locale.as_deref());
    let public_url = public_url.to_owned();
    store
        .system(async |tx: &mut SystemTx| -> Result<SignupResult> {
            let user = UserId::new();
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(user),
                    users::email.eq(email.as_str()),
                    users::name.eq(&name),
                    users::password_hash.eq(&hash),
                    users::locale.eq(locale),
                ))
                .execute(tx.pg())
                .await
                .map_err(|e| {
                    Error::from(e).on_unique("users_email_key", "email_taken", "An account with this email already exists. Log in, or reset your password.")
                })?;
            let tenant = TenantId::new();
            diesel::insert_into(tenants::table)
                .values((tenants::id.eq(tenant), tenants::name.eq(&business_name), tenants::locale.eq(locale)))
                .execute(tx.pg())
                .await?;
            let roles = crate::people::roles::seed_builtin(tx.pg(), tenant).await?;
            let owner_role = roles
                .iter()
                .find(|(r, _)| *r == BuiltinRole::Owner)
                .map(|(_, id)| *id)
                .ok_or(Error::NotFound("role"))?;
            diesel::insert_into(memberships::table)
                .values((
                    memberships::tenant_id.eq(tenant),
                    memberships::id.eq(MembershipId::new()),
                    memberships::user_id.eq(user),
                    memberships::role_id.eq(owner_role),
                ))
                .execute(tx.pg())
                .await?;
            crate::numbers::create_sandbox(tx.pg(), tenant).await?;
            let token = new_email_token(tx, user, "verify_email", Duration::hours(VERIFY_TTL_HOURS)).await?;
            let message = mail::verify_email(Lang::parse(locale), email.as_str(), &name, &link(&public_url, "verify-email", &token));
            jobs::enqueue_system(tx, Some(tenant), NewJob::new(jobs::SEND_EMAIL, &message)?.priority(10)).await?;
            let created_at = Utc::now();
            Ok(SignupResult {
                user: UserView { id: user, email: email.as_str().to_owned(), name: name.clone(), locale: locale.into(), email_verified: false },
                tenant: crate::businesses::Business {
                    id: tenant,
                    name: business_name.clone(),
                    time_zone: "UTC".into(),
                    locale: locale.into(),
                    status: "active".into(),
                    created_at,
                },
            })
        })
        .await
}

pub async fn verify_email(store: &Store, token: &str) -> Result<UserId> {
    store
        .system(async |tx: &mut SystemTx| -> Result<UserId> {
            let user = use_email_token(tx, token, "verify_email").await?;
            diesel::update(
                users::table
                    .filter(users::id.eq(user))
                    .filter(users::email_verified_at.is_null()),
            )
            .set(users::email_verified_at.eq(Utc::now()))
            .execute(tx.pg())
            .await?;
            Ok(user)
        })
        .await
}

/// The person with this email, if any.
pub async fn find_user_id(store: &Store, email: &str) -> Result<Option<UserId>> {
    let email = email.trim().to_lowercase();
    store
        .system(async |tx: &mut SystemTx| -> Result<Option<UserId>> {
            Ok(users::table
                .filter(users::email.eq(&email))
                .select(users::id)
                .first(tx.pg())
                .await
                .optional()?)
        })
        .await
}

/// Send a new verification link if the account exists and is unverified. Says nothing either way.
pub async fn resend_verification(store: &Store, email: &str, public_url: &str) -> Result<()> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            let row: Option<(UserId, String, String, Option<DateTime<Utc>>)> = users::table
                .filter(users::email.eq(email.as_str()))
                .select((
                    users::id,
                    users::name,
                    users::locale,
                    users::email_verified_at,
                ))
                .first(tx.pg())
                .await
                .optional()?;
            if let Some((user, name, locale, None)) = row {
                let token =
                    new_email_token(tx, user, "verify_email", Duration::hours(VERIFY_TTL_HOURS))
                        .await?;
                let message = mail::verify_email(
                    Lang::parse(&locale),
                    email.as_str(),
                    &name,
                    &link(public_url, "verify-email", &token),
                );
                jobs::enqueue_system(
                    tx,
                    None,
                    NewJob::new(jobs::SEND_EMAIL, &message)?.priority(10),
                )
                .await?;
            }
            Ok(())
        })
        .await
}

/// A business the person can act in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MembershipSummary {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub membership_id: MembershipId,
    pub role_name: String,
}

/// Every active membership of a person, oldest first (crosses businesses by nature).
pub async fn memberships_of(store: &Store, user: UserId) -> Result<Vec<MembershipSummary>> {
    store
        .system(
            async |tx: &mut SystemTx| -> Result<Vec<MembershipSummary>> {
                let rows: Vec<(TenantId, String, MembershipId, String)> = memberships::table
                    .inner_join(tenants::table.on(tenants::id.eq(memberships::tenant_id)))
                    .inner_join(
                        roles::table.on(roles::tenant_id
                            .eq(memberships::tenant_id)
                            .and(roles::id.eq(memberships::role_id))),
                    )
                    .filter(memberships::user_id.eq(user))
                    .filter(memberships::status.eq("active"))
                    .select((tenants::id, tenants::name, memberships::id, roles::name))
                    .order(memberships::created_at)
                    .load(tx.pg())
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(
                        |(tenant_id, tenant_name, membership_id, role_name)| MembershipSummary {
                            tenant_id,
                            tenant_name,
                            membership_id,
                            role_name,
                        },
                    )
                    .collect())
            },
        )
        .await
}

/// Check credentials. Unknown email and wrong password give the same error after the same work.
/// Returns the person and the membership to start in (`tenant` if given, else the oldest).
pub async fn login(
    store: &Store,
    email: &str,
    password: &str,
    tenant: Option<TenantId>,
) -> Result<(UserId, TenantId, MembershipId)> {
    let email = email.trim().to_lowercase();
    let row: Option<(UserId, String, Option<DateTime<Utc>>)> = store
        .system(async |tx: &mut SystemTx| -> Result<_> {
            Ok(users::table
                .filter(users::email.eq(&email))
                .select((users::id, users::password_hash, users::email_verified_at))
                .first(tx.pg())
                .await
                .optional()?)
        })
        .await?;
    let ok = passwords::verify(password.to_owned(), row.as_ref().map(|r| r.1.clone())).await?;
    let Some((user, _, verified)) = row.filter(|_| ok) else {
        return Err(Error::unauthorized(
            "invalid_credentials",
            "The email or password is not correct.",
        ));
    };
    if verified.is_none() {
        return Err(Error::Forbidden {
            code: "email_not_verified",
            message: "Confirm your email address first: we sent you a link when you signed up."
                .into(),
        });
    }
    let memberships = memberships_of(store, user).await?;
    let chosen = match tenant {
        Some(t) => memberships.iter().find(|m| m.tenant_id == t),
        None => <[MembershipSummary]>::first(&memberships),
    };
    let Some(m) = chosen else {
        return Err(Error::forbidden(
            "You are not an active member of any business. Ask an admin to invite you again.",
        ));
    };
    Ok((user, m.tenant_id, m.membership_id))
}

/// Mail a reset link if the account exists. Always succeeds (no account enumeration).
pub async fn forgot_password(store: &Store, email: &str, public_url: &str) -> Result<()> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            let row: Option<(UserId, String, String)> = users::table
                .filter(users::email.eq(email.as_str()))
                .select((users::id, users::name, users::locale))
                .first(tx.pg())
                .await
                .optional()?;
            if let Some((user, name, locale)) = row {
                let token = new_email_token(
                    tx,
                    user,
                    "reset_password",
                    Duration::minutes(RESET_TTL_MINUTES),
                )
                .await?;
                let message = mail::reset_password(
                    Lang::parse(&locale),
                    email.as_str(),
                    &name,
                    &link(public_url, "reset-password", &token),
                );
                jobs::enqueue_system(
                    tx,
                    None,
                    NewJob::new(jobs::SEND_EMAIL, &message)?.priority(10),
                )
                .await?;
            }
            Ok(())
        })
        .await
}

/// Set a new password with a reset link; ends every session of that person everywhere.
pub async fn reset_password(store: &Store, token: &str, password: &str) -> Result<UserId> {
    // Check the policy before spending the token; the email is needed for it.
    let parsed = ScopedToken::parse(token).ok_or_else(|| {
        Error::InvalidToken("This link is not valid any more. Ask for a new one.".into())
    })?;
    let (email, name): (String, String) = store
        .system(async |tx: &mut SystemTx| -> Result<_> {
            users::table
                .filter(users::id.eq(parsed.tenant))
                .select((users::email, users::name))
                .first(tx.pg())
                .await
                .optional()?
                .ok_or_else(|| {
                    Error::InvalidToken(
                        "This link is not valid any more. Ask for a new one.".into(),
                    )
                })
        })
        .await?;
    passwords::check_policy(password, &email, &name)?;
    let hash = passwords::hash(password.to_owned()).await?;
    store
        .system(async |tx: &mut SystemTx| -> Result<UserId> {
            let user = use_email_token(tx, token, "reset_password").await?;
            let now = Utc::now();
            diesel::update(users::table.filter(users::id.eq(user)))
                .set((
                    users::password_hash.eq(&hash),
                    users::password_changed_at.eq(now),
                    users::updated_at.eq(now),
                    // Receiving the link proves the address.
                    users::email_verified_at.eq(diesel::dsl::sql::<
                        diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                    >(
                        "coalesce(email_verified_at, now())"
                    )),
                ))
                .execute(tx.pg())
                .await?;
            // Sessions everywhere end: this crosses businesses by nature.
            let mids: Vec<uuid::Uuid> = memberships::table
                .filter(memberships::user_id.eq(user))
                .select(memberships::id)
                .load(tx.pg())
                .await?;
            diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::membership_id.eq_any(mids))
                    .filter(refresh_tokens::revoked_at.is_null()),
            )
            .set(refresh_tokens::revoked_at.eq(now))
            .execute(tx.pg())
            .await?;
            Ok(user)
        })
        .await
}

/// For an invitation: the existing person (password must match) or a new, verified one.
pub async fn user_for_invitation(
    store: &Store,
    email: &str,
    name: Option<&str>,
    password: &str,
) -> Result<UserId> {
    let email = EmailAddress::parse(email)?;
    let existing: Option<(UserId, String)> = store
        .system(async |tx: &mut SystemTx| -> Result<_> {
            Ok(users::table
                .filter(users::email.eq(email.as_str()))
                .select((users::id, users::password_hash))
                .first(tx.pg())
                .await
                .optional()?)
        })
        .await?;
    if let Some((user, hash)) = existing {
        if !passwords::verify(password.to_owned(), Some(hash)).await? {
            return Err(Error::unauthorized(
                "invalid_credentials",
                "This email already has a Chorus account: enter its password.",
            ));
        }
        // The link reached the address: it is verified now.
        store
            .system(async |tx: &mut SystemTx| -> Result<()> {
                diesel::update(
                    users::table
                        .filter(users::id.eq(user))
                        .filter(users::email_verified_at.is_null()),
                )
                .set(users::email_verified_at.eq(Utc::now()))
                .execute(tx.pg())
                .await?;
                Ok(())
            })
            .await?;
        return Ok(user);
    }
    let name = check_person_name(name.unwrap_or_default())?;
    passwords::check_policy(password, email.as_str(), &name)?;
    let hash = passwords::hash(password.to_owned()).await?;
    store
        .system(async |tx: &mut SystemTx| -> Result<UserId> {
            let user = UserId::new();
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(user),
                    users::email.eq(email.as_str()),
                    users::name.eq(&name),
                    users::password_hash.eq(&hash),
                    users::email_verified_at.eq(Some(Utc::now())),
                ))
                .execute(tx.pg())
                .await
                .map_err(|e| {
                    Error::from(e).on_unique(
                        "users_email_key",
                        "email_taken",
                        "An account with this email already exists.",
                    )
                })?;
            Ok(user)
        })
        .await
}

/// Create a verified person with a business of their own, or add them to `tenant` with a
/// built-in role. Used by `chorus demo` and `chorus admin`, never by requests.
pub async fn provision(store: &Store, email: &str, name: &str, password: &str) -> Result<UserId> {
    let email = EmailAddress::parse(email)?;
    let hash = passwords::hash(password.to_owned()).await?;
    let name = check_person_name(name)?;
    store
        .system(async |tx: &mut SystemTx| -> Result<UserId> {
            let existing: Option<UserId> = users::table
                .filter(users::email.eq(email.as_str()))
                .select(users::id)
                .first(tx.pg())
                .await
                .optional()?;
            if let Some(u) = existing {
                return Ok(u);
            }
            let user = UserId::new();
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(user),
                    users::email.eq(email.as_str()),
                    users::name.eq(&name),
                    users::password_hash.eq(&hash),
                    users::email_verified_at.eq(Some(Utc::now())),
                ))
                .execute(tx.pg())
                .await?;
            Ok(user)
        })
        .await
}

/// A random password of ~190 bits, for generated accounts.
pub fn generate_password() -> String {
    crypto::random_secret()
}

/// Make a person a platform operator (the `chorus admin create-operator` command).
pub async fn make_operator(store: &Store, user: UserId) -> Result<()> {
    use crate::schema::platform_operators;
    store
        .system(async |tx: &mut SystemTx| -> Result<()> {
            diesel::insert_into(platform_operators::table)
                .values(platform_operators::user_id.eq(user))
                .on_conflict_do_nothing()
                .execute(tx.pg())
                .await?;
            Ok(())
        })
        .await
}

/// Create a business owned by an existing person (provisioning: demo, admin commands).
pub async fn create_business(
    store: &Store,
    owner: UserId,
    name: &str,
) -> Result<(TenantId, MembershipId)> {
    let name = crate::businesses::check_name(name)?;
    store
        .system(
            async |tx: &mut SystemTx| -> Result<(TenantId, MembershipId)> {
                let tenant = TenantId::new();
                diesel::insert_into(tenants::table)
                    .values((tenants::id.eq(tenant), tenants::name.eq(&name)))
                    .execute(tx.pg())
                    .await?;
                let roles = crate::people::roles::seed_builtin(tx.pg(), tenant).await?;
                let owner_role = roles
                    .iter()
                    .find(|(r, _)| *r == BuiltinRole::Owner)
                    .map(|(_, id)| *id)
                    .ok_or(Error::NotFound("role"))?;
                crate::numbers::create_sandbox(tx.pg(), tenant).await?;
                let membership = MembershipId::new();
                diesel::insert_into(memberships::table)
                    .values((
                        memberships::tenant_id.eq(tenant),
                        memberships::id.eq(membership),
                        memberships::user_id.eq(owner),
                        memberships::role_id.eq(owner_role),
                    ))
                    .execute(tx.pg())
                    .await?;
                Ok((tenant, membership))
            },
        )
        .await
}

/// Add an existing person to a business with a built-in role (provisioning only).
pub async fn add_member(
    store: &Store,
    tenant: TenantId,
    user: UserId,
    role: BuiltinRole,
) -> Result<MembershipId> {
    store
        .tenant(
            tenant,
            async |tx: &mut crate::db::TenantTx| -> Result<MembershipId> {
                let role_id = crate::people::roles::builtin_id(tx, role).await?;
                let id = MembershipId::new();
                diesel::insert_into(memberships::table)
                    .values((
                        memberships::tenant_id.eq(tenant),
                        memberships::id.eq(id),
                        memberships::user_id.eq(user),
                        memberships::role_id.eq(role_id),
                    ))
                    .execute(tx.pg())
                    .await?;
                Ok(id)
            },
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse(" Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "ana@.com",
            "ana@example..com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
