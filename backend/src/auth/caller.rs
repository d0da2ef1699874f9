//! Who is calling: an authenticated user, its session and where the request
//! came from, with what that lets it reach. The routes' extractors make one
//! for every request (`routes::extract`); the rules take it.

use crate::domain::{Permission, User};
use crate::error::Error;

/// An authenticated user whose password is in order.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub session_id: String,
    pub meta: RequestMeta,
}

/// An authenticated user who may still have to change its password: allowed only
/// where that is the point (`me`, `change-password`, `logout`).
#[derive(Debug, Clone)]
pub struct PendingCaller(pub Caller);

/// Where a request came from, for the activity log and throttling.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub ip: String,
    pub request_id: Option<String>,
}

impl Caller {
    /// The company the caller is confined to; `None` for operator staff, who
    /// act on every company. A client-side user without a company sees
    /// nothing: company 0 never exists.
    pub fn scope(&self) -> Option<i64> {
        if self.user.role.is_operator_staff() {
            None
        } else {
            Some(self.user.company_id.unwrap_or(0))
        }
    }

    /// A filter's company, confined to the caller's scope: `None` when a
    /// client-side caller asks for another company (it sees nothing), else
    /// the company to filter by (its own for a client-side caller).
    pub fn within_scope(&self, asked: Option<i64>) -> Option<Option<i64>> {
        match self.scope() {
            Some(own) if asked.is_some_and(|c| c != own) => None,
            Some(own) => Some(Some(own)),
            None => Some(asked),
        }
    }

    /// The caller holds `permission` (a super admin holds every one).
    pub fn require(&self, permission: Permission) -> Result<(), Error> {
        if self.user.effective_permissions().contains(permission) {
            return Ok(());
        }
        let info = permission.info();
        Err(Error::Forbidden(format!(
            "Missing permission {} ({})",
            info.id, info.name
        )))
    }

    /// Operator staff holding `permission`. Client-side callers are refused
    /// with 403: the whole capability is not theirs.
    pub fn require_staff(&self, permission: Permission) -> Result<(), Error> {
        if !self.user.role.is_operator_staff() {
            return Err(Error::Forbidden(
                "Only the operator's staff may manage clients".into(),
            ));
        }
        self.require(permission)
    }
}
