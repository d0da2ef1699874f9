//! The store on SQLite, the embedded default: one file, in WAL mode. One file
//! per aggregate, each a plain impl of its trait (docs/decisions/0025).

mod activity;
mod clients;
mod modules;
mod outbox;
mod search;
mod sessions;
mod stats;
mod throttle;
mod users;

use super::sql::map_err;
use super::{Health, StoreResult};
use anyhow::Context;
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// How much of the database file is read through a memory map (1 GiB; the
/// rest, if any, the usual way).
const MMAP_SIZE: u64 = 1 << 30;

/// A writing transaction takes the write lock at once (waiting for it under
/// the busy timeout), rather than upgrading a read snapshot later, which
/// fails at once when another connection wrote meanwhile.
const BEGIN: &str = "BEGIN IMMEDIATE";

pub struct SqliteStore {
    /// Point reads and writes: everything but what `scans` serves.
    pool: SqlitePool,
    /// Reads of many rows (pages of users, clients and the activity log,
    /// searches, their totals, exports): connections that read the file
    /// through a memory map (docs/performance/sqlite.md).
    scans: SqlitePool,
    /// Woken after every commit that wrote outbox rows.
    outbox_signal: std::sync::Arc<tokio::sync::Notify>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| "CLIENTELE_DATABASE_URL is not a valid SQLite URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = pool_options()
            .min_connections(1)
            .connect_with(options.clone())
            .await
            .context("cannot open the SQLite database")?;
        sqlx::migrate!("../migrations/sqlite")
            .run(&pool)
            .await
            .context("cannot migrate the SQLite database")?;
        // Pages of lists, searches and exports read the database through a
        // memory map rather than a read() per page into each connection's
        // cache. Only they: in WAL mode a connection drops its whole map at
        // its first read after any other connection's write, which every
        // login and every change is. Opened when first needed.
        let scans = pool_options()
            .min_connections(0)
            .connect_lazy_with(options.pragma("mmap_size", MMAP_SIZE.to_string()));
        Ok(Self {
            pool,
            scans,
            outbox_signal: Default::default(),
        })
    }
}

/// What both pools share: at most 8 connections, none pinged before use (an
/// embedded database has no connection to lose), and spare ones closed after
/// a minute idle. Every connection keeps its statements' plans: SQLite is
/// built with `SQLITE_ENABLE_QPSG` (`.cargo/config.toml`), so a statement
/// with a `LIKE ?` is not planned again for each pattern bound to it.
fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .test_before_acquire(false)
        .max_connections(8)
        .idle_timeout(Duration::from_secs(60))
        .acquire_timeout(Duration::from_secs(10))
}

#[async_trait]
impl Health for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(map_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = SqliteStore::connect(&url)
            .await
            .expect("the database opens");
        (dir, store)
    }

    /// Only the reads of many rows go through the memory map: a map on the
    /// connections every request uses is dropped and rebuilt at their first
    /// read after any write.
    #[tokio::test]
    async fn only_the_scans_read_through_a_memory_map() {
        let (_dir, store) = store().await;
        let mmap = |pool: SqlitePool| async move {
            sqlx::query_scalar::<_, i64>("PRAGMA mmap_size")
                .fetch_one(&pool)
                .await
                .expect("the pragma answers")
        };
        assert_eq!(mmap(store.pool.clone()).await, 0);
        assert_eq!(mmap(store.scans.clone()).await, 1 << 30);
    }

    /// SQLite is built to keep a statement's plan whatever pattern is bound
    /// (the query planner stability guarantee).
    #[tokio::test]
    async fn plans_are_kept_for_every_pattern() {
        let (_dir, store) = store().await;
        let on: Option<String> = sqlx::query_scalar(
            "SELECT compile_options FROM pragma_compile_options WHERE compile_options = 'ENABLE_QPSG'",
        )
        .fetch_optional(&store.pool)
        .await
        .expect("the pragma answers");
        assert_eq!(
            on.as_deref(),
            Some("ENABLE_QPSG"),
            "build with .cargo/config.toml"
        );
    }
}
