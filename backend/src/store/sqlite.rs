use super::sql::SqlStore;
use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use std::str::FromStr;
use std::time::Duration;

/// How much of the database file is read through a memory map (1 GiB; the
/// rest, if any, the usual way).
const MMAP_SIZE: u64 = 1 << 30;

pub async fn connect(url: &str) -> anyhow::Result<SqlStore<Sqlite>> {
    crate::memory::configure_sqlite();
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
    // Pages of lists, searches and exports read the database through a memory
    // map rather than a read() per page into each connection's cache: a third
    // more searched pages per second at a million users (decision 0008). Only
    // they: in WAL mode a connection drops its whole map (munmap, and a page
    // fault for every page it reads again) at its first read after any other
    // connection's write, which every login and every change is: about 30% of
    // the server's CPU per login outside hashing when every request read
    // through one (decision 0016). The mapped pages are the kernel's page
    // cache, shared and given back under memory pressure. Opened when first
    // needed.
    let scans = pool_options()
        .min_connections(0)
        .connect_lazy_with(options.pragma("mmap_size", MMAP_SIZE.to_string()));
    Ok(SqlStore::new(pool.clone(), pool, scans))
}

/// What both pools share: at most 8 connections, none pinged before use (an
/// embedded database has no connection to lose: sqlx's ping before every
/// query was one more trip to the connection's worker thread), and spare ones
/// closed after a minute or two idle (sqlx looks once per idle timeout; each
/// holds a worker thread and up to 2 MiB of page cache).
fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .test_before_acquire(false)
        .max_connections(8)
        .idle_timeout(Duration::from_secs(60))
        .acquire_timeout(Duration::from_secs(10))
}
