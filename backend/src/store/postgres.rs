use super::sql::SqlStore;
use anyhow::Context;
use sqlx::postgres::PgPoolOptions;
use sqlx::Postgres;
use std::time::Duration;

pub async fn connect(url: &str) -> anyhow::Result<SqlStore<Postgres>> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .context("cannot connect to PostgreSQL")?;
    sqlx::migrate!("../migrations/postgres")
        .run(&pool)
        .await
        .context("cannot migrate the PostgreSQL database")?;
    Ok(SqlStore::new(pool))
}
