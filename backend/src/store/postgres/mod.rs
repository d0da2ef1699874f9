//! The store on PostgreSQL, the production store. One file per aggregate,
//! each a plain impl of its trait (docs/decisions/0025).

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
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

const BEGIN: &str = "BEGIN";

/// Names sort byte by byte, as on SQLite, whatever the database's collation.
const TEXT_ORDER: &str = " COLLATE \"C\"";

pub struct PgStore {
    pool: PgPool,
    /// Login bookkeeping (sessions opened, last login, throttle counters, the
    /// login entries of the activity log): connections that commit without
    /// waiting for the WAL to reach the disk (docs/performance/postgresql.md).
    relaxed: PgPool,
    /// The outbox worker's connections (leases, due clients, rows to apply):
    /// background work never takes a connection from the requests, and the
    /// requests' connections sit idle (and are checked before use) when no
    /// request comes.
    background: PgPool,
    /// Woken after every commit that wrote outbox rows.
    outbox_signal: std::sync::Arc<tokio::sync::Notify>,
}

impl PgStore {
    pub async fn connect(url: &str, settings: crate::store::PoolSettings) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(url)
            .context("CLIENTELE_DATABASE_URL is not a valid PostgreSQL URL")?;
        let pool = checked_when_idle(PgPoolOptions::new())
            .max_connections(settings.connections)
            .acquire_timeout(settings.timeout)
            .connect_with(options.clone())
            .await
            .context("cannot connect to PostgreSQL")?;
        sqlx::migrate!("../migrations/postgres")
            .run(&pool)
            .await
            .context("cannot migrate the PostgreSQL database")?;
        // Opened lazily: an idle instance has none.
        let relaxed = checked_when_idle(PgPoolOptions::new())
            .max_connections(8)
            .min_connections(0)
            .acquire_timeout(settings.timeout)
            .connect_lazy_with(options.clone().options([("synchronous_commit", "off")]));
        let background = checked_when_idle(PgPoolOptions::new())
            .max_connections(settings.background.max(1))
            .min_connections(0)
            .acquire_timeout(settings.timeout)
            .connect_lazy_with(options);
        Ok(Self {
            pool,
            relaxed,
            background,
            outbox_signal: Default::default(),
        })
    }
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

#[async_trait]
impl Health for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(map_err)
    }
}
