//! Who may do what: roles decide where a caller may act, permissions what it may
//! do there.

use super::Caller;
use crate::domain::Permission;
use crate::error::Error;

/// Operator staff holding `permission`. Client-side callers are refused with 403:
/// the whole capability is not theirs.
pub fn require_staff(caller: &Caller, permission: Permission) -> Result<(), Error> {
    if !caller.user.role.is_operator_staff() {
        return Err(Error::Forbidden(
            "Only the operator's staff may manage clients".into(),
        ));
    }
    require(caller, permission)
}

/// The caller holds `permission` (a super admin holds every one).
pub fn require(caller: &Caller, permission: Permission) -> Result<(), Error> {
    if caller.user.effective_permissions().contains(permission) {
        return Ok(());
    }
    let info = permission.info();
    Err(Error::Forbidden(format!(
        "Missing permission {} ({})",
        info.id, info.name
    )))
}
