//! Invitations: an admin invites a person by email with a role and teams; the link is single-use
//! and expires after 7 days. Accepting creates the person's account if needed (their email counts
//! as verified: they received the link) and their membership.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::crypto::ScopedToken;
use crate::db::{Store, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{InvitationId, MembershipId, RoleId, TeamId, TenantId, UserId};
use crate::jobs::{self, NewJob};
use crate::mail;
use crate::pagination::{Page, PageRequest};
use crate::people::Actor;
use crate::people::agents::RoleRef;
use crate::permissions::Permission;
use crate::schema::{invitations, memberships, roles, team_members, teams, tenants, users};

pub const VALID_FOR_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub role: RoleRef,
    pub team_ids: Vec<TeamId>,
    pub status: InvitationStatus,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    pub role_id: RoleId,
    #[serde(default)]
    pub team_ids: Vec<TeamId>,
}

/// What the accept page shows before the person decides.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationPreview {
    pub tenant_name: String,
    pub email: String,
    pub role_name: String,
    pub inviter_name: Option<String>,
    pub account_exists: bool,
}

type Row = (
    InvitationId,
    String,
    RoleId,
    String,
    Vec<uuid::Uuid>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

fn to_invitation(
    (id, email, role_id, role_name, team_ids, expires_at, accepted_at, revoked_at, created_at): Row,
) -> Invitation {
    let status = if accepted_at.is_some() {
        InvitationStatus::Accepted
    } else if revoked_at.is_some() {
        InvitationStatus::Revoked
    } else if expires_at < Utc::now() {
        InvitationStatus::Expired
    } else {
        InvitationStatus::Pending
    };
    Invitation {
        id,
        email,
        role: RoleRef {
            id: role_id,
            name: role_name,
        },
        team_ids: team_ids.into_iter().map(TeamId).collect(),
        status,
        expires_at,
        created_at,
    }
}

async fn load(
    tx: &mut TenantTx,
    only: Option<InvitationId>,
    page: PageRequest,
) -> Result<Vec<Invitation>> {
    let mut q = invitations::table
        .inner_join(
            roles::table.on(roles::tenant_id
                .eq(invitations::tenant_id)
                .and(roles::id.eq(invitations::role_id))),
        )
        .select((
            invitations::id,
            invitations::email,
            roles::id,
            roles::name,
            invitations::team_ids,
            invitations::expires_at,
            invitations::accepted_at,
            invitations::revoked_at,
            invitations::created_at,
        ))
        .order(invitations::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(invitations::id.eq(id));
    }
    if let Some(after) = page.after {
        q = q.filter(invitations::id.lt(after));
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    Ok(rows.into_iter().map(to_invitation).collect())
}

pub async fn list(tx: &mut TenantTx, actor: &Actor, page: PageRequest) -> Result<Page<Invitation>> {
    actor.require(Permission::AgentsManage)?;
    let rows = load(tx, None, page).await?;
    Ok(Page::from_rows(rows, page, |i| i.id.0))
}

pub async fn get(tx: &mut TenantTx, id: InvitationId) -> Result<Invitation> {
    load(
        tx,
        Some(id),
        PageRequest {
            after: None,
            limit: 1,
        },
    )
    .await?
    .into_iter()
    .next()
    .ok_or(Error::NotFound("invitation"))
}

/// Create an invitation and queue its email. `public_url` is where the portal lives.
pub async fn create(
    tx: &mut TenantTx,
    actor: &Actor,
    input: NewInvitation,
    public_url: &str,
) -> Result<Invitation> {
    actor.require(Permission::AgentsManage)?;
    let email = crate::accounts::EmailAddress::parse(&input.email)?;
    let role = super::roles::lock_existing(tx, input.role_id)
        .await
        .map_err(|_| Error::invalid("role_id", "No such role in this business."))?;
    let missing: Vec<&str> = role
        .permissions
        .iter()
        .filter(|p| !actor.permissions.contains(**p))
        .map(|p| p.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::forbidden(format!(
            "You cannot invite with a role that has permissions you do not hold: {}.",
            missing.join(", ")
        )));
    }
    let mut team_ids = input.team_ids.clone();
    team_ids.sort();
    team_ids.dedup();
    let found: i64 = teams::table
        .filter(teams::id.eq_any(&team_ids))
        .count()
        .get_result(tx.pg())
        .await?;
    if found != team_ids.len() as i64 {
        return Err(Error::invalid(
            "team_ids",
            "Some teams do not exist in this business.",
        ));
    }
    // Already an active member?
    let member: Option<String> = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(users::email.eq(email.as_str()))
        .select(memberships::status)
        .first(tx.pg())
        .await
        .optional()?;
    if member.as_deref() == Some("active") {
        return Err(Error::conflict(
            "already_member",
            "This person is already an agent of this business.",
        ));
    }
    let tenant = tx.tenant_id();
    let id = InvitationId::new();
    let token = ScopedToken::generate(tenant.0, id.0);
    let expires_at = Utc::now() + Duration::days(VALID_FOR_DAYS);
    // A new invitation to the same address replaces the pending one.
    diesel::update(
        invitations::table
            .filter(invitations::email.eq(email.as_str()))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set(invitations::revoked_at.eq(Utc::now()))
    .execute(tx.pg())
    .await?;
    diesel::insert_into(invitations::table)
        .values((
            invitations::tenant_id.eq(tenant),
            invitations::id.eq(id),
            invitations::email.eq(email.as_str()),
            invitations::role_id.eq(role.id),
            invitations::team_ids.eq(team_ids.iter().map(|t| t.0).collect::<Vec<_>>()),
            invitations::token_hash.eq(token.hash()),
            invitations::invited_by.eq(actor.membership_id),
            invitations::expires_at.eq(expires_at),
        ))
        .execute(tx.pg())
        .await?;
    let business: String = tenants::table.select(tenants::name).first(tx.pg()).await?;
    let link = format!(
        "{}/accept-invitation?token={}",
        public_url.trim_end_matches('/'),
        token
    );
    let message = mail::invitation(
        mail::Lang::parse(&actor.locale),
        email.as_str(),
        &actor.name,
        &business,
        &role.name,
        &link,
    );
    jobs::enqueue(tx, NewJob::new(jobs::SEND_EMAIL, &message)?.priority(10)).await?;
    let invitation = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "invitation.created",
            target_type: "invitation",
            target_id: Some(id.0),
            before: None,
            after: audit::snapshot(&invitation),
        },
    )
    .await?;
    Ok(invitation)
}

pub async fn revoke(tx: &mut TenantTx, actor: &Actor, id: InvitationId) -> Result<()> {
    actor.require(Permission::AgentsManage)?;
    let before = get(tx, id).await?;
    if before.status != InvitationStatus::Pending {
        return Err(Error::conflict(
            "invitation_not_pending",
            "Only a pending invitation can be revoked.",
        ));
    }
    diesel::update(invitations::table.filter(invitations::id.eq(id)))
        .set(invitations::revoked_at.eq(Utc::now()))
        .execute(tx.pg())
        .await?;
    let after = get(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Some(actor.membership_id),
            action: "invitation.revoked",
            target_type: "invitation",
            target_id: Some(id.0),
            before: audit::snapshot(&before),
            after: audit::snapshot(&after),
        },
    )
    .await?;
    Ok(())
}

/// A pending invitation found by its token, inside its business's door.
struct Pending {
    id: InvitationId,
    email: String,
    role_id: RoleId,
    role_name: String,
    team_ids: Vec<uuid::Uuid>,
    invited_by: Option<MembershipId>,
    tenant_name: String,
}

fn not_found() -> Error {
    Error::Missing {
        code: "invitation_not_found",
        message: "This invitation is not valid any more: it was used, revoked or has expired. Ask for a new one.".into(),
    }
}

async fn find_pending(tx: &mut TenantTx, token: &ScopedToken) -> Result<Pending> {
    let row: Option<(
        String,
        RoleId,
        String,
        Vec<uuid::Uuid>,
        Vec<u8>,
        Option<MembershipId>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    )> = invitations::table
        .inner_join(
            roles::table.on(roles::tenant_id
                .eq(invitations::tenant_id)
                .and(roles::id.eq(invitations::role_id))),
        )
        .filter(invitations::id.eq(token.id))
        .select((
            invitations::email,
            roles::id,
            roles::name,
            invitations::team_ids,
            invitations::token_hash,
            invitations::invited_by,
            invitations::expires_at,
            invitations::accepted_at,
            invitations::revoked_at,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let Some((
        email,
        role_id,
        role_name,
        team_ids,
        hash,
        invited_by,
        expires_at,
        accepted,
        revoked,
    )) = row
    else {
        return Err(not_found());
    };
    if !token.matches(&hash) || accepted.is_some() || revoked.is_some() || expires_at < Utc::now() {
        return Err(not_found());
    }
    let tenant_name: String = tenants::table.select(tenants::name).first(tx.pg()).await?;
    Ok(Pending {
        id: InvitationId(token.id),
        email,
        role_id,
        role_name,
        team_ids,
        invited_by,
        tenant_name,
    })
}

fn parse_token(token: &str) -> Result<ScopedToken> {
    ScopedToken::parse(token).ok_or_else(not_found)
}

pub async fn preview(store: &Store, token: &str) -> Result<InvitationPreview> {
    let token = parse_token(token)?;
    let tenant = TenantId(token.tenant);
    let (pending, inviter_name) = store
        .tenant(tenant, async |tx: &mut TenantTx| -> Result<_> {
            let pending = find_pending(tx, &token).await?;
            let inviter_name: Option<String> = match pending.invited_by {
                Some(m) => memberships::table
                    .inner_join(users::table.on(users::id.eq(memberships::user_id)))
                    .filter(memberships::id.eq(m))
                    .select(users::name)
                    .first(tx.pg())
                    .await
                    .optional()?,
                None => None,
            };
            Ok((pending, inviter_name))
        })
        .await?;
    let account_exists = crate::accounts::find_user_id(store, &pending.email)
        .await?
        .is_some();
    Ok(InvitationPreview {
        tenant_name: pending.tenant_name,
        email: pending.email,
        role_name: pending.role_name,
        inviter_name,
        account_exists,
    })
}

/// What accepting needs from the person.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub token: String,
    /// Required when the person has no account yet.
    pub name: Option<String>,
    pub password: String,
}

/// Accept an invitation; returns the person and their new membership.
pub async fn accept(store: &Store, input: Acceptance) -> Result<(UserId, TenantId, MembershipId)> {
    let token = parse_token(&input.token)?;
    let tenant = TenantId(token.tenant);
    let pending = store
        .tenant(tenant, async |tx: &mut TenantTx| {
            find_pending(tx, &token).await
        })
        .await?;
    let user = crate::accounts::user_for_invitation(
        store,
        &pending.email,
        input.name.as_deref(),
        &input.password,
    )
    .await?;
    let membership = store
        .tenant(tenant, async |tx: &mut TenantTx| -> Result<MembershipId> {
            let claimed = diesel::update(
                invitations::table
                    .filter(invitations::id.eq(pending.id))
                    .filter(invitations::accepted_at.is_null())
                    .filter(invitations::revoked_at.is_null()),
            )
            .set(invitations::accepted_at.eq(Utc::now()))
            .execute(tx.pg())
            .await?;
            if claimed != 1 {
                return Err(not_found());
            }
            let existing: Option<MembershipId> = memberships::table
                .filter(memberships::user_id.eq(user))
                .select(memberships::id)
                .first(tx.pg())
                .await
                .optional()?;
            let id = match existing {
                Some(id) => {
                    diesel::update(memberships::table.filter(memberships::id.eq(id)))
                        .set((
                            memberships::status.eq("active"),
                            memberships::deactivated_at.eq(None::<DateTime<Utc>>),
                            memberships::role_id.eq(pending.role_id),
                            memberships::updated_at.eq(Utc::now()),
                        ))
                        .execute(tx.pg())
                        .await?;
                    id
                }
                None => {
                    let id = MembershipId::new();
                    diesel::insert_into(memberships::table)
                        .values((
                            memberships::tenant_id.eq(tenant),
                            memberships::id.eq(id),
                            memberships::user_id.eq(user),
                            memberships::role_id.eq(pending.role_id),
                        ))
                        .execute(tx.pg())
                        .await?;
                    id
                }
            };
            // Teams that still exist.
            let live: Vec<TeamId> = teams::table
                .filter(teams::id.eq_any(&pending.team_ids))
                .select(teams::id)
                .load(tx.pg())
                .await?;
            let rows: Vec<_> = live
                .iter()
                .map(|t| {
                    (
                        team_members::tenant_id.eq(tenant),
                        team_members::team_id.eq(*t),
                        team_members::membership_id.eq(id),
                    )
                })
                .collect();
            if !rows.is_empty() {
                diesel::insert_into(team_members::table)
                    .values(rows)
                    .on_conflict_do_nothing()
                    .execute(tx.pg())
                    .await?;
            }
            audit::record(
                tx,
                Entry {
                    actor: Some(id),
                    action: "invitation.accepted",
                    target_type: "invitation",
                    target_id: Some(pending.id.0),
                    before: None,
                    after: Some(
                        serde_json::json!({"membership_id": id, "role_id": pending.role_id}),
                    ),
                },
            )
            .await?;
            Ok(id)
        })
        .await?;
    Ok((user, tenant, membership))
}
