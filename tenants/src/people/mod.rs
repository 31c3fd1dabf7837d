//! People inside a business: who is acting ([`actor`]), roles, memberships (agents), teams and
//! invitations.

pub mod actor;
pub mod agents;
pub mod invitations;
pub mod recipients;
pub mod roles;
pub mod teams;

pub use actor::Actor;
pub use recipients::{Recipient, with_permission};
