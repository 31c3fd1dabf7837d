//! Permissions are a closed enum: a typo cannot grant anything, and a role's permission list
//! in the database is parsed into this type (unknown strings are dropped with a warning).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

macro_rules! permissions {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// One thing a role may allow.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum Permission {
            $(#[serde(rename = $name)] #[schema(rename = $name)] $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }

            pub fn parse(s: &str) -> Option<Permission> {
                match s { $($name => Some(Permission::$variant),)* _ => None }
            }
        }
    };
}

permissions! {
    ConversationsReadAssigned => "conversations:read_assigned",
    ConversationsReadAll => "conversations:read_all",
    ConversationsReply => "conversations:reply",
    ConversationsAssign => "conversations:assign",
    NotesWrite => "notes:write",
    ContactsManage => "contacts:manage",
    TagsManage => "tags:manage",
    CannedManage => "canned:manage",
    NumbersManage => "numbers:manage",
    AgentsManage => "agents:manage",
    RolesManage => "roles:manage",
    TeamsManage => "teams:manage",
    ReportsView => "reports:view",
    BillingManage => "billing:manage",
    SettingsManage => "settings:manage",
    AuditView => "audit:view",
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions held by a role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn all() -> Self {
        Self(Permission::ALL.iter().copied().collect())
    }

    pub fn contains(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }

    pub fn is_subset(&self, other: &PermissionSet) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    /// Those of `self` that `holder` lacks.
    pub fn missing_from(&self, holder: &PermissionSet) -> Vec<Permission> {
        self.0.difference(&holder.0).copied().collect()
    }

    /// Parse stored strings; unknown ones (from a newer version, say) are ignored.
    pub fn from_db(values: &[String]) -> Self {
        Self(
            values
                .iter()
                .filter_map(|s| {
                    let p = Permission::parse(s);
                    if p.is_none() {
                        tracing::warn!(permission = %s, "unknown permission in database");
                    }
                    p
                })
                .collect(),
        )
    }

    pub fn to_db(&self) -> Vec<String> {
        self.0.iter().map(|p| p.as_str().to_owned()).collect()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// The four roles every business starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinRole {
    Owner,
    Admin,
    Supervisor,
    Agent,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 4] = [Self::Owner, Self::Admin, Self::Supervisor, Self::Agent];

    pub fn key(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
            Self::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == s)
    }

    pub fn permissions(self) -> PermissionSet {
        use Permission::*;
        match self {
            Self::Owner => PermissionSet::all(),
            Self::Admin => Permission::ALL
                .iter()
                .copied()
                .filter(|p| *p != BillingManage)
                .collect(),
            Self::Supervisor => [
                ConversationsReadAll,
                ConversationsReadAssigned,
                ConversationsReply,
                ConversationsAssign,
                NotesWrite,
                ContactsManage,
                TagsManage,
                CannedManage,
                TeamsManage,
                ReportsView,
                AuditView,
            ]
            .into_iter()
            .collect(),
            Self::Agent => [
                ConversationsReadAssigned,
                ConversationsReply,
                NotesWrite,
                ContactsManage,
            ]
            .into_iter()
            .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
            let json = serde_json::to_string(p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
        }
        assert_eq!(Permission::ALL.len(), 16);
    }

    #[test]
    fn builtin_roles_nest() {
        let owner = BuiltinRole::Owner.permissions();
        for r in BuiltinRole::ALL {
            assert!(r.permissions().is_subset(&owner));
        }
        assert!(
            !BuiltinRole::Admin
                .permissions()
                .contains(Permission::BillingManage)
        );
        assert!(
            BuiltinRole::Agent
                .permissions()
                .is_subset(&BuiltinRole::Supervisor.permissions())
        );
    }

    #[test]
    fn unknown_db_values_are_dropped() {
        let set = PermissionSet::from_db(&["tags:manage".into(), "root:everything".into()]);
        assert_eq!(set.to_db(), vec!["tags:manage".to_owned()]);
    }
}
