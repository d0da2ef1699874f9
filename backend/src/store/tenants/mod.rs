//! Each client's own database (seed 000, docs/decisions/0027): one SQLite
//! file per client under `$CLIENTELE_DATA_DIR/clients/`, or one PostgreSQL
//! database per client, on the main server or where
//! `CLIENTELE_CLIENT_DATABASE_URL_TEMPLATE` places it. Each holds seed 000's
//! `core.users` and `core.user_modules`, with versioned migrations of its own
//! (`migrations/client-sqlite/`, `migrations/client-postgres/`).
//!
//! A database is opened when there is work for it and closed when the work
//! is done; the connections open at once to all of them are bounded
//! (`CLIENTELE_CLIENT_CONNECTIONS`), so ten thousand clients never mean ten
//! thousand files or connections open.

mod postgres;
mod sqlite;

use super::StoreResult;
use crate::domain::{AccountNumber, TenantUser};
use async_trait::async_trait;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The clients' own databases.
#[async_trait]
pub trait TenantStore: Send + Sync + 'static {
    /// Create the client's database where it is missing, and migrate it:
    /// the schema version it is at.
    async fn provision(&self, account: &AccountNumber) -> StoreResult<i64>;
    /// Migrate the client's existing database (never creating one).
    ///
    /// This and the calls below answer `NotFound` when the client's database
    /// does not exist (a deleted file, a dropped database).
    async fn migrate(&self, account: &AccountNumber) -> StoreResult<i64>;
    /// In one transaction: write these users (rows and modules, replacing
    /// what was there) and remove the users `gone`.
    async fn apply(
        &self,
        account: &AccountNumber,
        users: &[TenantUser],
        gone: &[i64],
    ) -> StoreResult<()>;
    /// Everything the client's database holds of its users, by user id.
    async fn read_all(&self, account: &AccountNumber) -> StoreResult<Vec<TenantUser>>;
    /// The newest migration of the clients' databases.
    fn latest_version(&self) -> i64;
    /// Connections open now, and the most ever open at once.
    fn connections(&self) -> (usize, usize);
}

/// Where the clients' databases live, and how many may be open at once.
#[derive(Debug, Clone)]
pub struct TenantSettings {
    /// SQLite: the folder holding `clients/`.
    pub data_dir: PathBuf,
    /// PostgreSQL: the URL of a client's database, `{account}` standing for
    /// its account number in lower case; by default the main database's URL
    /// with the database named `<main database>_<account>`.
    pub url_template: Option<String>,
    pub max_connections: usize,
    /// PostgreSQL: how the connections name themselves (`pg_stat_activity`).
    pub application_name: String,
}

/// The clients' databases that go with the main database at `main_url`.
pub fn connect(main_url: &str, settings: &TenantSettings) -> anyhow::Result<Arc<dyn TenantStore>> {
    let limit = Limit::new(settings.max_connections);
    if crate::config::is_postgres_url(main_url) {
        Ok(Arc::new(postgres::PgTenants::new(
            main_url, settings, limit,
        )?))
    } else {
        Ok(Arc::new(sqlite::SqliteTenants::new(settings, limit)))
    }
}

/// The bound on connections open at once, and a count of them.
#[derive(Clone)]
struct Limit {
    permits: Arc<Semaphore>,
    open: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

/// One open connection's place: it is given back when dropped.
struct Slot {
    _permit: OwnedSemaphorePermit,
    open: Arc<AtomicUsize>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An open connection in its slot. The slot is given back only once the
/// connection is closed: a pass dropped part-way (its lease lost, an error)
/// closes its connection in a task of its own before the place is free, so
/// the bound holds for open files and server sessions, not just for handles.
struct Held<C: sqlx::Connection + 'static> {
    conn: Option<C>,
    slot: Option<Slot>,
}

impl<C: sqlx::Connection + 'static> Held<C> {
    fn new(conn: C, slot: Slot) -> Self {
        Self {
            conn: Some(conn),
            slot: Some(slot),
        }
    }

    /// Close the connection, then give the slot back.
    async fn close(mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = conn.close().await;
        }
        self.slot.take();
    }
}

impl<C: sqlx::Connection + 'static> std::ops::Deref for Held<C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.conn.as_ref().expect("open until closed")
    }
}

impl<C: sqlx::Connection + 'static> std::ops::DerefMut for Held<C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn.as_mut().expect("open until closed")
    }
}

impl<C: sqlx::Connection + 'static> Drop for Held<C> {
    fn drop(&mut self) {
        if let (Some(conn), Some(slot)) = (self.conn.take(), self.slot.take()) {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        let _ = conn.close().await;
                        drop(slot);
                    });
                }
                Err(_) => drop(conn),
            }
        }
    }
}

impl Limit {
    fn new(max: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max.max(1))),
            open: Arc::default(),
            most: Arc::default(),
        }
    }

    /// Wait for a place to open a connection in.
    async fn slot(&self) -> Slot {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let now = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        Slot {
            _permit: permit,
            open: self.open.clone(),
        }
    }

    fn counts(&self) -> (usize, usize) {
        (
            self.open.load(Ordering::SeqCst),
            self.most.load(Ordering::SeqCst),
        )
    }
}

/// A user row of a client's database: id, name, role, active, created, updated.
type UserRow = (i64, String, String, bool, i64, i64);

/// The users of a client's database with their module rows (each user's by
/// name), from its `users` and `user_modules` rows as read.
fn with_modules(users: Vec<UserRow>, modules: Vec<(i64, String, bool)>) -> Vec<TenantUser> {
    let mut by_user: std::collections::BTreeMap<i64, Vec<(String, bool)>> = Default::default();
    for (id, module, enabled) in modules {
        by_user.entry(id).or_default().push((module, enabled));
    }
    users
        .into_iter()
        .map(
            |(user_id, user_name, role, is_active, created_at, updated_at)| {
                let mut modules = by_user.remove(&user_id).unwrap_or_default();
                modules.sort();
                TenantUser {
                    user_id,
                    user_name,
                    role,
                    is_active,
                    created_at,
                    updated_at,
                    modules,
                }
            },
        )
        .collect()
}
