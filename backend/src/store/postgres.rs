use super::lease::Conns;
use super::sql::SqlStore;
use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Postgres};
use std::str::FromStr;
use std::time::Duration;

pub async fn connect(url: &str) -> anyhow::Result<SqlStore<Postgres>> {
    let options = PgConnectOptions::from_str(url)
        .context("CLIENTELE_DATABASE_URL is not a valid PostgreSQL URL")?;
    let pool = checked_when_idle(PgPoolOptions::new())
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.clone())
        .await
        .context("cannot connect to PostgreSQL")?;
    sqlx::migrate!("../migrations/postgres")
        .run(&pool)
        .await
        .context("cannot migrate the PostgreSQL database")?;
    // Login bookkeeping commits without waiting for the WAL flush: under a
    // login flood on a slow disk, each commit had held a connection for the
    // whole fsync, and requests that only read queued behind them for
    // seconds (docs/decisions/0010). Opened lazily: an idle instance has none.
    let relaxed = checked_when_idle(PgPoolOptions::new())
        .max_connections(8)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options.options([("synchronous_commit", "off")]));
    let pool = Conns::new(pool);
    Ok(SqlStore::new(pool.clone(), Conns::new(relaxed), pool))
}

/// sqlx pings a connection (one more round trip) every time it leaves the
/// pool, by default. A connection that was just returned is as good as the
/// query it ran: only one idle for a while is checked before it is handed out.
fn checked_when_idle(options: PgPoolOptions) -> PgPoolOptions {
    options
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > Duration::from_secs(1) {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}
