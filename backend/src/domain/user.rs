use super::{PermissionSet, Role, Timestamp};

/// A person who logs in: operator staff (no company) or a client's user.
/// The password hash never leaves the store, so it is not here.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub company_id: Option<i64>,
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub role: Role,
    pub permissions: PermissionSet,
    pub is_active: bool,
    pub must_change_password: bool,
    pub created_by: Option<i64>,
    pub last_login: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A user with its modules, as the users endpoints answer it.
#[derive(Debug, Clone)]
pub struct ManagedUser {
    pub user: User,
    /// Its own choice, or else all its client's active modules, by name;
    /// always empty for the operator's staff.
    pub modules: Vec<String>,
}

impl User {
    /// What this user may do: its grants, or everything for a super admin.
    pub fn effective_permissions(&self) -> PermissionSet {
        self.role.effective(self.permissions)
    }
}

/// Everything an authenticated request needs to know, read fresh from the store.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub user: User,
    /// The user's company is active (true for staff, who have none).
    pub company_active: bool,
    /// The session the token belongs to is still open.
    pub session_open: bool,
}

impl AuthContext {
    /// May this context act at all right now?
    pub fn is_live(&self) -> bool {
        self.user.is_active && self.company_active && self.session_open
    }
}
