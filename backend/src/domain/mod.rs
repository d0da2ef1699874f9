//! Domain types: they parse input into values that always hold their invariants.
//! The domain knows neither HTTP nor SQL.

mod activity;
pub mod client;
mod email;
mod module;
mod password;
mod permission;
mod person_name;
mod role;
mod session;
mod tenant;
mod time;
mod user;
mod username;

pub use activity::{ActivityEntry, NewActivity};
pub use client::{
    AccountNumber, BusinessType, Client, ClientChanges, CreditEntry, CreditOutcome, Gstin,
    LeadStatus, NewClient, PhoneNumber, WebAddress,
};
pub use email::EmailAddress;
pub use module::{Module, ModuleName};
pub use password::{
    Password, PasswordPolicyError, MAX_LEN as PASSWORD_MAX_LEN, MIN_LEN as PASSWORD_MIN_LEN,
};
pub use permission::{Permission, PermissionInfo, PermissionSet, UnknownPermissions, CATALOGUE};
pub use person_name::PersonName;
pub use role::Role;
pub use session::{AuthContext, LoginCandidate, NewSession, RefreshOutcome};
pub use tenant::{
    drift, Drift, DriftKind, OutboxKind, OutboxRow, SyncState, SyncStatus, TenantUser,
};
pub use time::{Rfc3339, Timestamp};
pub use user::{
    ManagedUser, NewUser, PasswordHash, ProfileChanges, User, UserChanges, UserDraft, UserText,
};
pub use username::Username;

/// Per-field messages, `{field: [message, …]}`.
pub type FieldErrors = std::collections::BTreeMap<String, Vec<String>>;

/// Why a value failed to parse, as a user-facing sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}
