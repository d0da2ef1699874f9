//! The store: one trait of domain-level operations, implemented once in SQL that
//! both SQLite and PostgreSQL accept (see `sql.rs`) and chosen at start from the URL.
//! The store never knows HTTP.

mod postgres;
mod sql;
mod sqlite;

use crate::domain::{AuthContext, PermissionSet, Role, Timestamp, User};
use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the value names the field ("username", "email", …).
    #[error("{0} already exists")]
    Conflict(String),
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Other(anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A user to insert. Every field is already parsed and checked.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub company_id: Option<i64>,
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub role: Role,
    pub permissions: PermissionSet,
    pub password_hash: String,
    pub is_active: bool,
    pub must_change_password: bool,
    pub created_by: Option<i64>,
    pub now: Timestamp,
}

/// A user found by its login name, with what login needs to decide.
#[derive(Debug, Clone)]
pub struct LoginCandidate {
    pub user: User,
    pub password_hash: String,
    pub company_active: bool,
}

/// Profile changes a user may make to itself. `None` leaves a field as it is;
/// `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
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

/// One brute-force counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleState {
    pub key: String,
    pub failures: i64,
    pub last_failure: Timestamp,
    pub locked_until: Timestamp,
}

/// One activity-log entry to record.
#[derive(Debug, Clone, Default)]
pub struct NewActivity {
    pub at: Option<Timestamp>,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub company_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    /// `{field: {from, to}}` as JSON, secrets already redacted.
    pub changes: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Is the database reachable?
    async fn ping(&self) -> StoreResult<()>;

    async fn has_super_admin(&self) -> StoreResult<bool>;
    async fn create_user(&self, new: &NewUser) -> StoreResult<User>;
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>>;
    /// The user whose username is `login`, or else the one user whose e-mail it is.
    async fn login_candidate(&self, login: &str) -> StoreResult<Option<LoginCandidate>>;
    async fn password_hash(&self, user_id: i64) -> StoreResult<Option<String>>;
    /// The user, its company's status and its session's status, in one read.
    async fn auth_context(
        &self,
        user_id: i64,
        session_id: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AuthContext>>;
    async fn update_profile(
        &self,
        user_id: i64,
        changes: &ProfileChanges,
        now: Timestamp,
    ) -> StoreResult<User>;
    async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        must_change: bool,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Note a successful login on the user and its company; store a re-hashed password.
    async fn record_login(
        &self,
        user: &User,
        rehash: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()>;

    async fn open_session(&self, session: &NewSession) -> StoreResult<()>;
    async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        new_hash: &str,
        now: Timestamp,
        new_expires_at: Timestamp,
    ) -> StoreResult<RefreshOutcome>;
    async fn revoke_session(&self, session_id: &str, now: Timestamp) -> StoreResult<()>;
    /// Revoke every open session of the user but `except`.
    async fn revoke_user_sessions(
        &self,
        user_id: i64,
        except: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()>;

    async fn throttle_states(&self, keys: &[String]) -> StoreResult<Vec<ThrottleState>>;
    /// Count one failure on `key` (restarting the count when the last one is older
    /// than `window_start`) and answer the new count.
    async fn record_throttle_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<i64>;
    async fn lock_throttle_key(&self, key: &str, until: Timestamp) -> StoreResult<()>;
    async fn clear_throttle_keys(&self, keys: &[String]) -> StoreResult<()>;
    /// Forget counters with no failure since `before` and no lock still running;
    /// drop sessions that expired before `before`.
    async fn purge_expired(&self, before: Timestamp, now: Timestamp) -> StoreResult<u64>;

    async fn log_activity(&self, entry: &NewActivity) -> StoreResult<()>;
}

/// Connect to the store the URL names, creating it when needed, and migrate it.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if crate::config::is_postgres_url(url) {
        Ok(Arc::new(postgres::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::connect(url).await?))
    } else {
        anyhow::bail!("CLIENTELE_DATABASE_URL must start with sqlite: or postgres://")
    }
}

/// Apply the migrations of the URL's dialect without starting anything else.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    connect(url).await.map(|_| ())
}
