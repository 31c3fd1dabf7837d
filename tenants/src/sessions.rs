//! Sessions: rotating refresh tokens. Each use of a refresh token marks it rotated and issues the
//! next one of the same family; presenting a rotated token again means it was stolen or replayed,
//! so the whole family is revoked. Tokens name their business (see [`ScopedToken`]) so all of
//! this runs in that business's tenant door.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::crypto::ScopedToken;
use crate::db::{Store, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{MembershipId, RefreshTokenId, TenantId, UserId};
use crate::schema::{memberships, refresh_tokens};

pub const REFRESH_TTL_DAYS: i64 = 30;

/// A freshly issued refresh token.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Issue the first token of a new family for this membership.
pub async fn start(tx: &mut TenantTx, membership: MembershipId) -> Result<Issued> {
    insert(tx, membership, uuid::Uuid::now_v7()).await
}

async fn insert(tx: &mut TenantTx, membership: MembershipId, family: uuid::Uuid) -> Result<Issued> {
    let tenant = tx.tenant_id();
    let id = RefreshTokenId::new();
    let token = ScopedToken::generate(tenant.0, id.0);
    let expires_at = Utc::now() + Duration::days(REFRESH_TTL_DAYS);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::tenant_id.eq(tenant),
            refresh_tokens::id.eq(id),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::membership_id.eq(membership),
            refresh_tokens::token_hash.eq(token.hash()),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(tx.pg())
        .await?;
    Ok(Issued {
        token: token.to_string(),
        expires_at,
    })
}

fn invalid() -> Error {
    Error::unauthorized(
        "invalid_refresh_token",
        "Your session has ended. Log in again.",
    )
}

/// What a successful refresh yields.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub user: UserId,
    pub tenant: TenantId,
    pub membership: MembershipId,
    pub next: Issued,
}

/// Rotate a refresh token. Reuse of a rotated token revokes its family.
pub async fn rotate(store: &Store, token: &str) -> Result<Rotated> {
    let token = ScopedToken::parse(token).ok_or_else(invalid)?;
    let tenant = TenantId(token.tenant);
    // Revoking the family must survive the error that reports the reuse, so it commits in its
    // own transaction first.
    let outcome = store
        .tenant(
            tenant,
            async |tx: &mut TenantTx| -> Result<std::result::Result<Rotated, Option<uuid::Uuid>>> {
                let row: Option<(
                    uuid::Uuid,
                    MembershipId,
                    Vec<u8>,
                    DateTime<Utc>,
                    Option<DateTime<Utc>>,
                    Option<DateTime<Utc>>,
                    UserId,
                    String,
                )> = refresh_tokens::table
                    .inner_join(
                        memberships::table.on(memberships::tenant_id
                            .eq(refresh_tokens::tenant_id)
                            .and(memberships::id.eq(refresh_tokens::membership_id))),
                    )
                    .filter(refresh_tokens::id.eq(token.id))
                    .select((
                        refresh_tokens::family_id,
                        refresh_tokens::membership_id,
                        refresh_tokens::token_hash,
                        refresh_tokens::expires_at,
                        refresh_tokens::rotated_at,
                        refresh_tokens::revoked_at,
                        memberships::user_id,
                        memberships::status,
                    ))
                    .for_update()
                    .first(tx.pg())
                    .await
                    .optional()?;
                let Some((
                    family,
                    membership,
                    hash,
                    expires_at,
                    rotated_at,
                    revoked_at,
                    user,
                    status,
                )) = row
                else {
                    return Ok(Err(None));
                };
                if !token.matches(&hash) {
                    return Ok(Err(None));
                }
                if rotated_at.is_some() {
                    // Replay of an old token: burn the family.
                    return Ok(Err(Some(family)));
                }
                if revoked_at.is_some() || expires_at < Utc::now() || status != "active" {
                    return Ok(Err(None));
                }
                diesel::update(refresh_tokens::table.filter(refresh_tokens::id.eq(token.id)))
                    .set(refresh_tokens::rotated_at.eq(Utc::now()))
                    .execute(tx.pg())
                    .await?;
                let next = insert(tx, membership, family).await?;
                Ok(Ok(Rotated {
                    user,
                    tenant,
                    membership,
                    next,
                }))
            },
        )
        .await?;
    match outcome {
        Ok(rotated) => Ok(rotated),
        Err(Some(family)) => {
            store
                .tenant(tenant, async |tx: &mut TenantTx| {
                    revoke_family(tx, family).await
                })
                .await?;
            tracing::warn!(%tenant, %family, "refresh token reused: family revoked");
            Err(invalid())
        }
        Err(None) => Err(invalid()),
    }
}

async fn revoke_family(tx: &mut TenantTx, family: uuid::Uuid) -> Result<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now()))
    .execute(tx.pg())
    .await?;
    Ok(())
}

/// Log out: revoke the family of this token. Unknown tokens are ignored.
pub async fn end(store: &Store, token: &str) -> Result<()> {
    let Some(token) = ScopedToken::parse(token) else {
        return Ok(());
    };
    store
        .tenant(
            TenantId(token.tenant),
            async |tx: &mut TenantTx| -> Result<()> {
                let row: Option<(uuid::Uuid, Vec<u8>)> = refresh_tokens::table
                    .filter(refresh_tokens::id.eq(token.id))
                    .select((refresh_tokens::family_id, refresh_tokens::token_hash))
                    .first(tx.pg())
                    .await
                    .optional()?;
                if let Some((family, hash)) = row
                    && token.matches(&hash)
                {
                    revoke_family(tx, family).await?;
                }
                Ok(())
            },
        )
        .await
}
