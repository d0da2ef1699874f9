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
    disable_memory_statistics();
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| "CLIENTELE_DATABASE_URL is not a valid SQLite URL")?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        // Read the database through a memory map rather than a read() per page
        // into each connection's cache: a third more searched pages per second
        // at a million users (docs/decisions/0008). The mapped pages are the
        // kernel's page cache, shared and given back under memory pressure.
        .pragma("mmap_size", MMAP_SIZE.to_string());
    let pool = SqlitePoolOptions::new()
        // An embedded database has no connection to lose: sqlx's ping before
        // every query was one more trip to the connection's worker thread.
        .test_before_acquire(false)
        .max_connections(8)
        .min_connections(1)
        // Each open connection holds a worker thread and up to 2 MiB of page
        // cache: after a burst, let the spare ones go within a minute.
        .idle_timeout(Duration::from_secs(60))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("cannot open the SQLite database")?;
    sqlx::migrate!("../migrations/sqlite")
        .run(&pool)
        .await
        .context("cannot migrate the SQLite database")?;
    Ok(SqlStore::new(pool))
}

/// SQLite keeps memory statistics by counting every allocation and free under
/// one global mutex. sqlx copies each row's values on its SQLite worker thread
/// and the request worker frees them, so the two threads fought over that lock:
/// a quarter of a CSV export's time went to it (docs/benchmarks.md). Nothing
/// reads the statistics, so they are turned off, once, before SQLite starts.
fn disable_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::os::raw::c_int;
        extern "C" {
            // Linked in with the bundled SQLite that sqlx uses.
            fn sqlite3_config(option: c_int, ...) -> c_int;
        }
        const SQLITE_CONFIG_MEMSTATUS: c_int = 9;
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int. sqlite3_config must run
        // before SQLite initialises: every connection in this process is opened
        // by `connect`, after this. Were SQLite already running, the call would
        // only answer SQLITE_MISUSE and change nothing.
        unsafe {
            sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
        }
    });
}
