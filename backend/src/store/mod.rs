//! The store: one trait of domain-level operations, implemented once in SQL that
//! both SQLite and PostgreSQL accept (see `sql.rs`) and chosen at start from the URL.
//! The store never knows HTTP.

mod counts;
mod lease;
mod postgres;
mod redis;
mod sql;
mod sqlite;

pub use self::redis::RedisThrottle;
use crate::domain::{
    AuthContext, BusinessType, Client, LeadStatus, ManagedUser, Module, Permission, PermissionSet,
    Role, Timestamp, User,
};
use async_trait::async_trait;
use futures_util::stream::BoxStream;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the value names the field ("username", "email", …).
    #[error("{0} already exists")]
    Conflict(String),
    /// The row changed since the caller read it (`unchanged_since`): read it
    /// again and decide again.
    #[error("changed since it was read")]
    Changed,
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Other(anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An export's rows, a batch at a time: a whole batch crosses from the task
/// reading the database to the response at once, not each row on its own
/// (each row's trip cost a tenth of the server's CPU in PostgreSQL's export,
/// docs/benchmarks.md). A failure ends the stream.
pub type Batches<T> = BoxStream<'static, StoreResult<Vec<T>>>;

/// The rows of an export's batch (the last may hold fewer).
pub const EXPORT_BATCH: usize = 512;

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
    /// `None`: all its client's active modules; otherwise exactly these (each
    /// one active for the client).
    pub modules: Option<Vec<String>>,
    pub now: Timestamp,
}

/// Changes to a user: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub username: Option<String>,
    /// `Some(None)` clears it.
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub permissions: Option<PermissionSet>,
    pub is_active: Option<bool>,
    /// `Some(None)` makes the user operator staff.
    pub company_id: Option<Option<i64>>,
    /// A new password hash: the user must change it at its next login, and every
    /// session it has ends.
    pub password_hash: Option<String>,
    /// `Some(None)`: back to all its client's active modules; `Some(Some(list))`:
    /// exactly these.
    pub modules: Option<Option<Vec<String>>>,
    /// Apply only if the user is still as it was at this `updated_at` (else
    /// [`StoreError::Changed`]): the changes were decided on what was read then.
    pub unchanged_since: Option<Timestamp>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.username.is_none()
            && self.email.is_none()
            && self.role.is_none()
            && self.permissions.is_none()
            && self.is_active.is_none()
            && self.company_id.is_none()
            && self.password_hash.is_none()
            && self.modules.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSortKey {
    /// Creation order: ids are handed out in the order users are created.
    CreatedAt,
    Name,
    Username,
    LastLogin,
}

/// Which users, in which order, which page.
#[derive(Debug, Clone)]
pub struct UserFilter {
    /// Only this company's users (also how a client-side caller's scope is kept).
    pub company_id: Option<i64>,
    /// Matches part of the name, username or e-mail.
    pub search: Option<String>,
    pub is_active: Option<bool>,
    pub role: Option<Role>,
    /// Only users granted this permission.
    pub permission: Option<Permission>,
    pub sort: UserSortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A page of users, and what is known of the whole list.
#[derive(Debug, Clone)]
pub struct UserPage {
    /// Each with its modules (read with the page, in the same query).
    pub users: Vec<ManagedUser>,
    /// How many users match; with `total_exact` unset, at least this many
    /// (a search's matches are counted only up to [`SEARCH_COUNT_CAP`]).
    pub total: i64,
    pub total_exact: bool,
    /// Whether users follow this page.
    pub has_more: bool,
}

/// A search's matches are counted up to this many; beyond it the total says
/// "at least" (counting 25,000 matches of a common name would cost more than
/// the page).
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// One recorded activity-log entry.
#[derive(Debug, Clone)]
pub struct ActivityEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub company_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub changes: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// Which activity entries (newest first), which page.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub actor_id: Option<i64>,
    pub company_id: Option<i64>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// From this time, inclusive.
    pub from: Option<Timestamp>,
    /// Before this time, exclusive.
    pub to: Option<Timestamp>,
    pub limit: i64,
    pub offset: i64,
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
    /// Login bookkeeping: may be committed without waiting for the disk (see
    /// decision 0010); every other entry is as durable as the change it records.
    pub bookkeeping: bool,
}

/// A client to insert with its owner. Every field is already parsed and checked.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub company_name: String,
    pub contact_email: String,
    pub contact_name: Option<String>,
    pub phone_number: Option<String>,
    pub whatsapp_number: Option<String>,
    pub business_address: Option<String>,
    pub business_type: Option<BusinessType>,
    pub gst_number: Option<String>,
    pub website: Option<String>,
    pub lead_status: LeadStatus,
    pub notes: Option<String>,
    pub now: Timestamp,
}

/// Changes to a client: `None` leaves a field; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct ClientChanges {
    pub company_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_name: Option<Option<String>>,
    pub phone_number: Option<Option<String>>,
    pub whatsapp_number: Option<Option<String>>,
    pub business_address: Option<Option<String>>,
    pub business_type: Option<Option<BusinessType>>,
    pub gst_number: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub lead_status: Option<LeadStatus>,
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientSortKey {
    CreatedAt,
    CompanyName,
    LastLogin,
    AccountNumber,
}

/// Which clients, in which order, which page.
#[derive(Debug, Clone)]
pub struct ClientFilter {
    /// Matches company name, contact e-mail, account number or owner username.
    pub search: Option<String>,
    pub is_active: Option<bool>,
    pub business_type: Option<BusinessType>,
    pub lead_status: Option<LeadStatus>,
    pub sort: ClientSortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One entry of a client's credits ledger.
#[derive(Debug, Clone)]
pub struct CreditEntry {
    pub id: i64,
    pub client_id: i64,
    pub delta: i64,
    pub balance_after: i64,
    pub reason: String,
    pub actor_id: Option<i64>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub enum CreditOutcome {
    Applied(CreditEntry),
    /// The balance would go below zero; nothing changed.
    Insufficient {
        balance: i64,
    },
    NotFound,
}

/// Counters of failed password checks and password resets, and the locks they
/// set (see `auth::throttle`). The SQL store keeps them in a table; with
/// `CLIENTELE_REDIS_URL` they live in Redis (`store::redis`).
#[async_trait]
pub trait ThrottleStore: Send + Sync + 'static {
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
}

#[async_trait]
pub trait Store: DirectoryStore + ThrottleStore + Send + Sync + 'static {
    /// Is the database reachable?
    async fn ping(&self) -> StoreResult<()>;

    async fn has_super_admin(&self) -> StoreResult<bool>;
    /// Insert a user with its chosen modules and, if given, the activity entry
    /// about it (its `target_id`, when it has none, becomes the new user's id),
    /// all committed together; the answer is the user with its modules.
    async fn create_user(
        &self,
        new: &NewUser,
        entry: Option<&NewActivity>,
    ) -> StoreResult<ManagedUser>;
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>>;
    /// The users who may sign in as `login` (already lower case): the one
    /// whose username it is, or, for an e-mail address (it has an `@`), up to
    /// `limit` of those holding it, the ones that took it first first.
    async fn login_candidates(&self, login: &str, limit: i64) -> StoreResult<Vec<LoginCandidate>>;
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
    /// A successful login's bookkeeping, in one transaction: the login time on
    /// the user and its company, a re-hashed password, the new session with
    /// its first refresh token, and the activity entry.
    async fn record_login(
        &self,
        user: &User,
        rehash: Option<&str>,
        session: &NewSession,
        entry: &NewActivity,
    ) -> StoreResult<()>;
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

    /// Forget counters with no failure since `before` and no lock still running;
    /// drop sessions that expired before `before`.
    async fn purge_expired(&self, before: Timestamp, now: Timestamp) -> StoreResult<u64>;

    async fn log_activity(&self, entry: &NewActivity) -> StoreResult<()>;

    /// Create the client and its owner in one transaction; the account number
    /// comes from the client's never-reused id.
    async fn create_client(
        &self,
        client: &NewClient,
        owner: &NewUser,
    ) -> StoreResult<(Client, User)>;
    async fn client_by_id(&self, id: i64) -> StoreResult<Option<Client>>;
    async fn list_clients(&self, filter: &ClientFilter) -> StoreResult<(Vec<Client>, i64)>;
    /// Every client matching the filter (its limit and offset ignored), streamed
    /// in batches.
    fn export_clients(&self, filter: &ClientFilter) -> Batches<Client>;
    async fn update_client(
        &self,
        id: i64,
        changes: &ClientChanges,
        now: Timestamp,
    ) -> StoreResult<Client>;
    async fn set_client_active(&self, id: i64, active: bool, now: Timestamp)
        -> StoreResult<Client>;
    /// Add `delta` to the balance, never below zero, and record it in the ledger.
    async fn adjust_credits(
        &self,
        client_id: i64,
        delta: i64,
        reason: &str,
        actor_id: i64,
        now: Timestamp,
    ) -> StoreResult<CreditOutcome>;
    async fn list_credits(
        &self,
        client_id: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<CreditEntry>, i64)>;
}

/// Users, modules and the activity log.
#[async_trait]
pub trait DirectoryStore: Send + Sync + 'static {
    async fn list_users(&self, filter: &UserFilter) -> StoreResult<UserPage>;
    /// Every user matching the filter (its limit and offset ignored), streamed
    /// in batches.
    fn export_users(&self, filter: &UserFilter) -> Batches<User>;
    /// Create every user, or none: one transaction.
    async fn create_users(&self, users: &[NewUser]) -> StoreResult<Vec<User>>;
    /// Apply the changes and record `entry` (if any) in one transaction; a new
    /// password also ends the user's sessions. Every change moves `updated_at`
    /// forward, so it tells one version of the user from the next.
    async fn update_user(
        &self,
        id: i64,
        changes: &UserChanges,
        now: Timestamp,
        entry: Option<&NewActivity>,
    ) -> StoreResult<User>;
    /// Each user's modules (its choice, or all its client's active modules).
    async fn modules_of_users(&self, user_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>>;
    /// Which of these usernames are taken.
    async fn taken_usernames(&self, usernames: &[String]) -> StoreResult<Vec<String>>;
    /// Which of these e-mails a user of the company (or of the staff) already has.
    async fn taken_emails(
        &self,
        company_id: Option<i64>,
        emails: &[String],
    ) -> StoreResult<Vec<String>>;

    async fn list_modules(&self) -> StoreResult<Vec<Module>>;
    async fn create_module(&self, module: &Module) -> StoreResult<Module>;
    async fn client_modules(&self, client_id: i64) -> StoreResult<Vec<String>>;
    /// Replace a client's active modules and record `entry` (if any) in one
    /// transaction, only if the client is still as it was at `unchanged_since`
    /// (its `updated_at`; else [`StoreError::Changed`]).
    async fn set_client_modules(
        &self,
        client_id: i64,
        modules: &[String],
        now: Timestamp,
        unchanged_since: Timestamp,
        entry: Option<&NewActivity>,
    ) -> StoreResult<Vec<String>>;

    async fn list_activity(
        &self,
        filter: &ActivityFilter,
    ) -> StoreResult<(Vec<ActivityEntry>, i64)>;

    /// One step of keeping the users' search index quick to read, where the
    /// store's index needs it: SQLite's FTS5 index gains a part (a segment)
    /// with every write and a search reads every part, so merge up to `pages`
    /// of its pages towards a single part. Whether the step did any work
    /// (none: the index is in one part, or the store has nothing to merge).
    async fn merge_search_index(&self, pages: u32) -> StoreResult<bool>;
    /// Every entry matching the filter, newest first, streamed in batches.
    fn export_activity(&self, filter: &ActivityFilter) -> Batches<ActivityEntry>;
    /// The newest `limit` entries (of one company's, or of all), without a total.
    async fn recent_activity(
        &self,
        company_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<ActivityEntry>>;

    /// The dashboard's figures, of one company or of all: its clients and
    /// users, logins per day since `days_from` and new clients per week since
    /// `weeks_from`.
    async fn dashboard_figures(
        &self,
        company_id: Option<i64>,
        days_from: Timestamp,
        weeks_from: Timestamp,
    ) -> StoreResult<DashboardFigures>;
}

/// What the dashboard counts (`GET /api/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardFigures {
    pub clients_total: i64,
    pub clients_active: i64,
    pub users_total: i64,
    pub users_active: i64,
    /// `(UTC day since the epoch, logins, failed logins)`, days without any left out.
    pub logins_by_day: Vec<(i64, i64, i64)>,
    /// `(week since the Monday 1970-01-05, new clients)`, weeks without any left out.
    pub new_clients_by_week: Vec<(i64, i64)>,
}

/// 1970-01-05, the first Monday of the epoch, in milliseconds: weeks start on Mondays.
pub const FIRST_MONDAY_MS: i64 = 4 * DAY_MS;
pub const DAY_MS: i64 = 86_400_000;
pub const WEEK_MS: i64 = 7 * DAY_MS;

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
