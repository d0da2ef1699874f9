//! Sign-in sessions: who a token stands for, and what a refresh did.

use super::{PasswordHash, Timestamp, User};

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

/// A user found by its login name, with what sign-in needs to decide.
#[derive(Debug, Clone)]
pub struct LoginCandidate {
    pub user: User,
    pub password_hash: PasswordHash,
    pub company_active: bool,
}

/// A new login session with its first refresh token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub user_id: i64,
    pub refresh_token_hash: String,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was good: it is spent and the new one stored.
    Rotated { session_id: String, user_id: i64 },
    /// The token had been used before: its whole session is now revoked.
    Reused,
    /// Unknown, expired, or its session was already closed.
    Invalid,
}
