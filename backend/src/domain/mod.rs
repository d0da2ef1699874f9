//! Domain types: they parse input into values that always hold their invariants.
//! The domain knows neither HTTP nor SQL.

pub mod client;
mod email;
mod module;
mod password;
mod permission;
mod person_name;
mod role;
mod time;
mod user;
mod username;

pub use client::{BusinessType, Client, LeadStatus};
pub use email::EmailAddress;
pub use module::{Module, ModuleName};
pub use password::{
    Password, PasswordPolicyError, MAX_LEN as PASSWORD_MAX_LEN, MIN_LEN as PASSWORD_MIN_LEN,
};
pub use permission::{Permission, PermissionInfo, PermissionSet, UnknownPermissions, CATALOGUE};
pub use person_name::PersonName;
pub use role::Role;
pub use time::{Rfc3339, Timestamp};
pub use user::{AuthContext, ManagedUser, User};
pub use username::Username;

/// Why a value failed to parse, as a user-facing sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}
