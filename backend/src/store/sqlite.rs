use super::sql::SqlStore;
use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use std::str::FromStr;
use std::time::Duration;

pub async fn connect(url: &str) -> anyhow::Result<SqlStore<Sqlite>> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| "CLIENTELE_DATABASE_URL is not a valid SQLite URL")?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
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
