use super::lease::Conns;
use super::sql::SqlStore;
use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection};
use std::os::raw::{c_int, c_void};
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
    let pool = Conns::new(pool);
    Ok(SqlStore::new(pool.clone(), pool, Conns::new(scans)))
}

/// What both pools share: at most 8 connections, none pinged before use (an
/// embedded database has no connection to lose: sqlx's ping before every
/// query was one more trip to the connection's worker thread), and spare ones
/// closed after a minute or two idle (sqlx looks once per idle timeout; each
/// holds a worker thread and up to 2 MiB of page cache); and every connection
/// keeps its statements' plans ([`plan_once`]).
fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .test_before_acquire(false)
        .max_connections(8)
        .idle_timeout(Duration::from_secs(60))
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _| Box::pin(plan_once(conn, true)))
}

/// Turns on SQLite's query planner stability guarantee for a connection: a
/// prepared statement keeps the plan it was made with (until the schema
/// changes). Without it SQLite plans a statement with a `LIKE ?` again
/// (parses, resolves, codes) each time a pattern is bound to it, in case the
/// pattern allows a prefix range on an index (`abc%`); ours are all `%…%`
/// (`contains_pattern`), which never do. Every search that reached a `LIKE`
/// was planned again: on the benchmark's searched page, the terms longer than
/// five characters, 250,000 instructions, 6% of a page's (decision 0019). The
/// guarantee also stops the plans that STAT4 statistics would change (nothing
/// here gathers them: no `ANALYZE`) and those a bound value compared with a
/// partial index's literal would (the only partial index has none). `on`:
/// false only in the test that shows what the guarantee spares.
async fn plan_once(conn: &mut SqliteConnection, on: bool) -> Result<(), sqlx::Error> {
    extern "C" {
        // Linked in with the bundled SQLite that sqlx uses.
        fn sqlite3_db_config(db: *mut c_void, op: c_int, ...) -> c_int;
    }
    const SQLITE_DBCONFIG_ENABLE_QPSG: c_int = 1007;
    const SQLITE_OK: c_int = 0;
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr().cast::<c_void>();
    // SAFETY: `db` is this connection's open handle, which its worker thread
    // leaves alone while `handle` is held; ENABLE_QPSG takes an int (1: on,
    // 0: off) and an int pointer for the new setting, which may be null.
    let rc = unsafe {
        sqlite3_db_config(
            db,
            SQLITE_DBCONFIG_ENABLE_QPSG,
            c_int::from(on),
            std::ptr::null_mut::<c_int>(),
        )
    };
    if rc == SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Configuration(
            format!("SQLite refused the query planner stability guarantee ({rc})").into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Acquire;

    extern "C" {
        fn sqlite3_next_stmt(db: *mut c_void, stmt: *mut c_void) -> *mut c_void;
        fn sqlite3_stmt_status(stmt: *mut c_void, op: c_int, reset: c_int) -> c_int;
    }
    const SQLITE_STMTSTATUS_REPREPARE: c_int = 5;

    /// How many times the connection's prepared statements were planned again.
    async fn replans(conn: &mut SqliteConnection) -> i64 {
        let mut handle = conn.lock_handle().await.expect("the handle");
        let db = handle.as_raw_handle().as_ptr().cast::<c_void>();
        let mut total = 0;
        // SAFETY: the statements are the connection's own, walked while its
        // worker thread is held off; reading a counter changes nothing.
        unsafe {
            let mut stmt = sqlite3_next_stmt(db, std::ptr::null_mut());
            while !stmt.is_null() {
                total += i64::from(sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0));
                stmt = sqlite3_next_stmt(db, stmt);
            }
        }
        total
    }

    #[tokio::test]
    async fn a_statement_is_not_planned_again_for_each_pattern() {
        // As `connect` does, before SQLite starts (the allocator).
        crate::memory::configure_sqlite();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let options = SqliteConnectOptions::from_str("sqlite://plans.db")
            .expect("a URL")
            .filename(dir.path().join("plans.db"))
            .create_if_missing(true);
        // What both pools are made with.
        let pool = pool_options()
            .connect_with(options)
            .await
            .expect("the database opens");
        let mut first = pool.acquire().await.expect("a connection");
        let mut second = pool.acquire().await.expect("another connection");
        sqlx::query("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE)")
            .execute(&mut *first)
            .await
            .expect("a table");
        // The second without the guarantee: what the first is spared.
        plan_once(second.acquire().await.expect("the connection"), false)
            .await
            .expect("the setting");
        for (pooled, expected) in [(&mut first, 0), (&mut second, 4)] {
            let conn = pooled.acquire().await.expect("the connection");
            for pattern in ["%ab%", "%cd%", "%ef%", "%ab%"] {
                sqlx::query("SELECT id FROM users WHERE username LIKE ?1 ESCAPE '\\'")
                    .bind(pattern)
                    .fetch_all(&mut *conn)
                    .await
                    .expect("the query runs");
            }
            assert_eq!(replans(conn).await, expected);
        }
    }
}
