//! The store: one trait per aggregate, of domain-level operations that take
//! and answer domain values, implemented once per database in the shape of
//! atuin's server: `sqlite/` and `postgres/`, one file per aggregate, one
//! query per method (docs/decisions/0025). The database is chosen from the
//! URL at start. The store never knows HTTP, and nothing here knows the rules.
//!
//! - `rows.rs` reads rows into domain values, the same for both databases;
//!   `sql.rs` holds the SQL text and query builders the dialects share;
//!   `search.rs` the way a search term is looked up.
//! - `counted.rs` wraps the users and clients stores with the remembered
//!   totals of user lists (`counts.rs`) and the dashboard's figures with a
//!   short cache: decorators, not calls sprinkled through the writes.
//! - `redis.rs` keeps the throttle counters in Redis when it is configured.

mod counted;
mod counts;
mod postgres;
mod redis;
mod rows;
mod search;
mod sql;
mod sqlite;
pub mod tenants;

pub use self::redis::RedisThrottle;
use crate::domain::{
    ActivityEntry, AuthContext, BusinessType, Client, ClientChanges, CreditEntry, CreditOutcome,
    LeadStatus, LoginCandidate, ManagedUser, Module, ModuleName, NewActivity, NewClient,
    NewSession, NewUser, OutboxRow, PasswordHash, Permission, ProfileChanges, RefreshOutcome, Role,
    SyncState, TenantUser, Timestamp, User, UserChanges,
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
/// (docs/performance). A failure ends the stream.
pub type Batches<T> = BoxStream<'static, StoreResult<Vec<T>>>;

/// The rows of an export's batch (the last may hold fewer).
pub const EXPORT_BATCH: usize = 512;

/// A search's matches are counted up to this many; beyond it the total says
/// "at least" (counting 25,000 matches of a common name would cost more than
/// the page).
pub const SEARCH_COUNT_CAP: i64 = 1_000;

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

/// A page of users, and whether users follow it.
#[derive(Debug, Clone)]
pub struct UserRows {
    /// Each with its modules.
    pub users: Vec<ManagedUser>,
    pub has_more: bool,
}

/// A page of users, and what is known of the whole list.
#[derive(Debug, Clone)]
pub struct UserPage {
    pub users: Vec<ManagedUser>,
    /// How many users match; with `total_exact` unset, at least this many
    /// (a search's matches are counted only up to [`SEARCH_COUNT_CAP`]).
    pub total: i64,
    pub total_exact: bool,
    /// Whether users follow this page.
    pub has_more: bool,
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

/// One brute-force counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleState {
    pub key: String,
    pub failures: i64,
    pub last_failure: Timestamp,
    pub locked_until: Timestamp,
}

/// What the dashboard counts (`GET /api/stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardFigures {
    /// When they were counted.
    pub counted_at: Timestamp,
    pub clients_total: i64,
    pub clients_active: i64,
    pub users_total: i64,
    pub users_active: i64,
    /// `(UTC day since the epoch, logins, failed logins)`, days without any left out.
    pub logins_by_day: Vec<(i64, i64, i64)>,
    /// `(week since the Monday 1970-01-05, new clients)`, weeks without any left out.
    pub new_clients_by_week: Vec<(i64, i64)>,
}

pub const DAY_MS: i64 = 86_400_000;
pub const WEEK_MS: i64 = 7 * DAY_MS;
/// 1970-01-05, the first Monday of the epoch, in milliseconds: weeks start on Mondays.
pub const FIRST_MONDAY_MS: i64 = 4 * DAY_MS;

/// Users and their modules.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    async fn has_super_admin(&self) -> StoreResult<bool>;
    /// Insert a user with its chosen modules and, if given, the activity entry
    /// about it (its `target_id`, when it has none, becomes the new user's id),
    /// all committed together; the answer is the user with its modules.
    async fn create_user(
        &self,
        new: &NewUser,
        hash: &PasswordHash,
        entry: Option<&NewActivity>,
    ) -> StoreResult<ManagedUser>;
    /// Create every user, or none: one transaction.
    async fn create_users(&self, users: &[(NewUser, PasswordHash)]) -> StoreResult<Vec<User>>;
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>>;
    async fn password_hash(&self, user_id: i64) -> StoreResult<Option<PasswordHash>>;
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
    async fn update_profile(
        &self,
        user_id: i64,
        changes: &ProfileChanges,
        now: Timestamp,
    ) -> StoreResult<User>;
    async fn set_password(
        &self,
        user_id: i64,
        hash: &PasswordHash,
        must_change: bool,
        now: Timestamp,
    ) -> StoreResult<()>;
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
    /// A page of users with their modules. `common` says the filter's search
    /// term is already known to match more than [`SEARCH_COUNT_CAP`] users.
    async fn user_page(&self, filter: &UserFilter, common: bool) -> StoreResult<UserRows>;
    /// How many users match: exactly for filters, at most
    /// [`SEARCH_COUNT_CAP`] + 1 for a search.
    async fn count_users(&self, filter: &UserFilter) -> StoreResult<i64>;
    /// Every user matching the filter (its limit and offset ignored), streamed
    /// in batches.
    fn export_users(&self, filter: &UserFilter) -> Batches<User>;

    /// A page of users and what is known of the whole list: the last page
    /// tells the total without counting; otherwise the matches are counted
    /// (a search's only up to [`SEARCH_COUNT_CAP`]).
    async fn list_users(&self, f: &UserFilter) -> StoreResult<UserPage> {
        let UserRows { users, has_more } = self.user_page(f, false).await?;
        let shown = users.len() as i64;
        if !has_more && (shown > 0 || f.offset == 0) {
            let total = f.offset.saturating_add(shown);
            return Ok(UserPage {
                users,
                total,
                total_exact: true,
                has_more,
            });
        }
        let counted = self.count_users(f).await?;
        let searched = f.search.as_deref().is_some_and(|t| !t.trim().is_empty());
        let total_exact = !(searched && counted > SEARCH_COUNT_CAP);
        let seen = f
            .offset
            .saturating_add(shown)
            .saturating_add(i64::from(has_more));
        let total = if total_exact {
            counted
        } else {
            SEARCH_COUNT_CAP
        }
        .max(seen);
        Ok(UserPage {
            users,
            total,
            total_exact,
            has_more,
        })
    }
}

/// Clients, their owners and their credits.
#[async_trait]
pub trait ClientStore: Send + Sync + 'static {
    /// Create the client and its owner in one transaction; the account number
    /// comes from the client's never-reused id.
    async fn create_client(
        &self,
        client: &NewClient,
        owner: &NewUser,
        hash: &PasswordHash,
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

/// The module catalogue and each client's active modules.
#[async_trait]
pub trait ModuleStore: Send + Sync + 'static {
    async fn list_modules(&self) -> StoreResult<Vec<Module>>;
    async fn create_module(&self, module: &Module) -> StoreResult<Module>;
    async fn client_modules(&self, client_id: i64) -> StoreResult<Vec<String>>;
    /// Replace a client's active modules and record `entry` (if any) in one
    /// transaction, only if the client is still as it was at `unchanged_since`
    /// (its `updated_at`; else [`StoreError::Changed`]).
    async fn set_client_modules(
        &self,
        client_id: i64,
        modules: &[ModuleName],
        now: Timestamp,
        unchanged_since: Timestamp,
        entry: Option<&NewActivity>,
    ) -> StoreResult<Vec<String>>;
}

/// Sign-in sessions and their refresh tokens.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// The users who may sign in as `login` (already lower case): the one
    /// whose username it is, or, for an e-mail address (it has an `@`), up to
    /// `limit` of those holding it, the ones that took it first first.
    async fn login_candidates(&self, login: &str, limit: i64) -> StoreResult<Vec<LoginCandidate>>;
    /// The user, its company's status and its session's status, in one read.
    async fn auth_context(
        &self,
        user_id: i64,
        session_id: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AuthContext>>;
    /// A successful login's bookkeeping, in one transaction: the login time on
    /// the user and its company, a re-hashed password, the new session with
    /// its first refresh token, and the activity entry.
    async fn record_login(
        &self,
        user: &User,
        rehash: Option<&PasswordHash>,
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
    /// Drop sessions (and their tokens) that expired before `before`.
    async fn purge_expired_sessions(&self, before: Timestamp) -> StoreResult<u64>;
}

/// The activity log.
#[async_trait]
pub trait ActivityStore: Send + Sync + 'static {
    async fn log_activity(&self, entry: &NewActivity) -> StoreResult<()>;
    async fn list_activity(
        &self,
        filter: &ActivityFilter,
    ) -> StoreResult<(Vec<ActivityEntry>, i64)>;
    /// Every entry matching the filter, newest first, streamed in batches.
    fn export_activity(&self, filter: &ActivityFilter) -> Batches<ActivityEntry>;
    /// The newest `limit` entries (of one company's, or of all), without a total.
    async fn recent_activity(
        &self,
        company_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<ActivityEntry>>;
}

/// Keeping the users' search quick to read.
#[async_trait]
pub trait SearchStore: Send + Sync + 'static {
    /// One step of keeping the users' search index quick to read, where the
    /// store's index needs it: SQLite's FTS5 index gains a part (a segment)
    /// with every write and a search reads every part, so merge up to `pages`
    /// of its pages towards a single part. Whether the step did any work
    /// (none: the index is in one part, or the store has nothing to merge).
    async fn merge_search_index(&self, pages: u32) -> StoreResult<bool>;
}

/// The dashboard's figures.
#[async_trait]
pub trait StatsStore: Send + Sync + 'static {
    /// Of one company or of all: its clients and users, logins per day since
    /// `days_from` and new clients per week since `weeks_from`.
    async fn dashboard_figures(
        &self,
        company_id: Option<i64>,
        days_from: Timestamp,
        weeks_from: Timestamp,
    ) -> StoreResult<DashboardFigures>;
}

/// Counters of failed password checks and password resets, and the locks they
/// set (see `auth::throttle`). The database keeps them in a table; with
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
    /// Forget counters with no failure since `before` and no lock still running.
    async fn purge_throttle(&self, before: Timestamp, now: Timestamp) -> StoreResult<u64>;
}

/// The outbox of changes waiting to reach each client's own database, and
/// each client database's sync state (docs/decisions/0027). The rows are
/// written by the other stores, in the transaction of the change itself.
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Woken after every commit that wrote outbox rows (in this process).
    fn signal(&self) -> Arc<tokio::sync::Notify>;
    /// Clients with changes waiting whose next attempt is due and whom no
    /// instance holds, oldest change first.
    async fn due_clients(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<i64>>;
    /// Every client's id after `after`, in order, a page at a time.
    async fn clients_after(&self, after: i64, limit: i64) -> StoreResult<Vec<i64>>;
    /// Clients whose database is older than `version` (and provisioned).
    async fn stale_clients(&self, version: i64, limit: i64) -> StoreResult<Vec<i64>>;
    /// Take (or renew) the client for `owner` until `until`, unless another
    /// instance holds it, or (`due_only`) its next attempt is not due yet:
    /// whether it was taken.
    async fn lease_client(
        &self,
        client_id: i64,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
        due_only: bool,
    ) -> StoreResult<bool>;
    /// The client's waiting changes, oldest first.
    async fn pending_rows(&self, client_id: i64, limit: i64) -> StoreResult<Vec<OutboxRow>>;
    /// The changes `done` reached the client's database (now at
    /// `schema_version`): forget them, clear the failures, let the lease go.
    /// (By id, not "up to": on PostgreSQL a change with a smaller id may
    /// commit after a larger one was read.)
    ///
    /// Only while `owner` still holds the client: `false`, and nothing done,
    /// when its lease lapsed and another instance took the client.
    async fn complete(
        &self,
        client_id: i64,
        owner: &str,
        done: &[i64],
        schema_version: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// An attempt failed: remember why, try again at `retry_at`, let the
    /// lease go (only while `owner` holds it: whether it did).
    async fn fail(
        &self,
        client_id: i64,
        owner: &str,
        error: &str,
        retry_at: Timestamp,
    ) -> StoreResult<bool>;
    /// Let the client go, if `owner` holds it.
    async fn release(&self, client_id: i64, owner: &str) -> StoreResult<()>;
    async fn sync_state(&self, client_id: i64) -> StoreResult<SyncState>;
    /// Changes waiting in all, and when the oldest was made.
    async fn backlog(&self) -> StoreResult<(i64, Option<Timestamp>)>;
    /// What the client's own database should hold: every user of the client
    /// (`None`), or those of `users` that are still the client's.
    async fn tenant_users(
        &self,
        client_id: i64,
        users: Option<&[i64]>,
    ) -> StoreResult<Vec<TenantUser>>;
}

/// Is the database reachable?
#[async_trait]
pub trait Health: Send + Sync + 'static {
    async fn ping(&self) -> StoreResult<()>;
}

/// The store of one database, each aggregate behind its own trait.
#[derive(Clone)]
pub struct Store {
    pub users: Arc<dyn UserStore>,
    pub clients: Arc<dyn ClientStore>,
    pub modules: Arc<dyn ModuleStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub activity: Arc<dyn ActivityStore>,
    pub search: Arc<dyn SearchStore>,
    pub stats: Arc<dyn StatsStore>,
    /// The database's own counters (a Redis store may sit in front of them).
    pub throttle: Arc<dyn ThrottleStore>,
    pub outbox: Arc<dyn OutboxStore>,
    pub health: Arc<dyn Health>,
}

impl Store {
    /// Every aggregate from one implementation, with the decorators around it.
    fn of<S>(db: S) -> Self
    where
        S: UserStore
            + ClientStore
            + ModuleStore
            + SessionStore
            + ActivityStore
            + SearchStore
            + StatsStore
            + ThrottleStore
            + OutboxStore
            + Health,
    {
        let db = Arc::new(db);
        let counts = Arc::new(counts::CountCache::default());
        Self {
            users: Arc::new(counted::CountedUsers::new(db.clone(), counts.clone())),
            clients: Arc::new(counted::CountedClients::new(db.clone(), counts)),
            modules: db.clone(),
            sessions: db.clone(),
            activity: db.clone(),
            search: db.clone(),
            stats: Arc::new(counted::CachedStats::new(db.clone())),
            throttle: db.clone(),
            outbox: db.clone(),
            health: db,
        }
    }
}

/// A client database's sync state from its `client_stores` row (if any:
/// schema version, last applied, last error) and its waiting changes.
fn sync_state(row: Option<(i64, Option<i64>, Option<String>, i64)>, pending: i64) -> SyncState {
    use crate::domain::SyncStatus;
    let (schema_version, last_applied_at, last_error, failures) = row.unwrap_or((0, None, None, 0));
    let status = if last_error.is_some() {
        SyncStatus::Failing
    } else if schema_version == 0 {
        SyncStatus::Provisioning
    } else if pending > 0 {
        SyncStatus::Pending
    } else {
        SyncStatus::InSync
    };
    SyncState {
        status,
        pending,
        last_error,
        last_applied_at: last_applied_at.map(Timestamp::from),
        schema_version,
        failures,
    }
}

/// How a PostgreSQL store's pool behaves.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Connections of the main pool (`CLIENTELE_DATABASE_POOL`); the login
    /// bookkeeping's pool holds up to 8 more.
    pub connections: u32,
    /// The longest a database call waits for a connection before it fails
    /// as unavailable (`CLIENTELE_DATABASE_TIMEOUT`).
    pub timeout: std::time::Duration,
    /// Connections of the background pool, the outbox worker's own (one
    /// more than the clients worked on side by side), so that its passes
    /// never take a connection a request is waiting for.
    pub background: u32,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            connections: 16,
            timeout: std::time::Duration::from_secs(5),
            background: 5,
        }
    }
}

/// Connect to the store the URL names, creating it when needed, and migrate it.
pub async fn connect(url: &str) -> anyhow::Result<Store> {
    connect_with(url, PoolSettings::default()).await
}

/// [`connect`], with the pool's settings.
pub async fn connect_with(url: &str, pool: PoolSettings) -> anyhow::Result<Store> {
    if crate::config::is_postgres_url(url) {
        Ok(Store::of(postgres::PgStore::connect(url, pool).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Store::of(sqlite::SqliteStore::connect(url).await?))
    } else {
        anyhow::bail!("CLIENTELE_DATABASE_URL must start with sqlite: or postgres://")
    }
}

/// Apply the migrations of the URL's dialect without starting anything else.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    connect(url).await.map(|_| ())
}
