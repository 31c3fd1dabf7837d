//! The demo business `make run` shows a newcomer: an owner, a supervisor, two agents, two teams
//! and a few tags. Idempotent: when the demo owner exists, nothing is created again.

use chorus_tenants::accounts;
use chorus_tenants::db::{Store, TenantTx};
use chorus_tenants::people::{actor, teams};
use chorus_tenants::permissions::BuiltinRole;
use chorus_tenants::tags;

/// Password of every demo login (printed by `chorus demo` and `make run`).
pub const DEMO_PASSWORD: &str = "chorus-demo-2026";

pub const LOGINS: [(&str, &str, BuiltinRole); 4] = [
    ("owner@demo.chorus.test", "Olivia Owner", BuiltinRole::Owner),
    (
        "supervisor@demo.chorus.test",
        "Sam Supervisor",
        BuiltinRole::Supervisor,
    ),
    ("ana@demo.chorus.test", "Ana García", BuiltinRole::Agent),
    ("luis@demo.chorus.test", "Luis Pérez", BuiltinRole::Agent),
];

/// Create the demo business if it is not there. Returns whether it was created.
pub async fn seed(store: &Store) -> anyhow::Result<bool> {
    if accounts::find_user_id(store, LOGINS[0].0).await?.is_some() {
        return Ok(false);
    }
    let mut members = Vec::new();
    let owner = accounts::provision(store, LOGINS[0].0, LOGINS[0].1, DEMO_PASSWORD).await?;
    let (tenant, owner_membership) =
        accounts::create_business(store, owner, "Demo Coffee Roasters").await?;
    for (email, name, role) in &LOGINS[1..] {
        let user = accounts::provision(store, email, name, DEMO_PASSWORD).await?;
        members.push(accounts::add_member(store, tenant, user, *role).await?);
    }
    store
        .tenant(
            tenant,
            async |tx: &mut TenantTx| -> chorus_tenants::Result<()> {
                let owner_actor = actor::load(tx, owner, owner_membership).await?;
                teams::create(
                    tx,
                    &owner_actor,
                    teams::NewTeam {
                        name: "Sales".into(),
                        member_ids: vec![members[1]],
                    },
                )
                .await?;
                teams::create(
                    tx,
                    &owner_actor,
                    teams::NewTeam {
                        name: "Support".into(),
                        member_ids: vec![members[0], members[2]],
                    },
                )
                .await?;
                for (name, colour) in [
                    ("VIP", "#d97706"),
                    ("Wholesale", "#2563eb"),
                    ("Complaint", "#dc2626"),
                    ("New customer", "#059669"),
                ] {
                    tags::create(
                        tx,
                        &owner_actor,
                        tags::NewTag {
                            name: name.into(),
                            colour: colour.into(),
                        },
                    )
                    .await?;
                }
                Ok(())
            },
        )
        .await?;
    Ok(true)
}

/// The lines `chorus demo` prints.
pub fn logins_text(public_url: &str) -> String {
    let mut s = format!("Chorus demo business \"Demo Coffee Roasters\" at {public_url}\n");
    for (email, name, role) in LOGINS {
        s.push_str(&format!(
            "  {:<11} {:<28} {}  (password: {DEMO_PASSWORD})\n",
            role.key(),
            email,
            name
        ));
    }
    s
}
