//! The clients' own databases on PostgreSQL: one database per client (seed
//! 000's model), named `<main database>_<account>` on the main server unless
//! `CLIENTELE_CLIENT_DATABASE_URL_TEMPLATE` places it elsewhere, its tables
//! in the schema `core`.

use super::{with_modules, Held, Limit, TenantSettings, TenantStore, UserRow};
use crate::domain::{AccountNumber, TenantUser};
use crate::store::sql::map_err;
use crate::store::{StoreError, StoreResult};
use anyhow::Context;
use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("../migrations/client-postgres");

/// How long opening a client's database may take before the attempt fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct PgTenants {
    /// A client's database URL, `{account}` its account number in lower case.
    template: String,
    limit: Limit,
    /// How this instance's connections show in `pg_stat_activity`.
    application_name: String,
}

impl PgTenants {
    pub fn new(main_url: &str, settings: &TenantSettings, limit: Limit) -> anyhow::Result<Self> {
        let template = match &settings.url_template {
            Some(t) => {
                anyhow::ensure!(
                    t.contains("{account}"),
                    "CLIENTELE_CLIENT_DATABASE_URL_TEMPLATE must contain {{account}}"
                );
                t.clone()
            }
            None => {
                let mut url = url::Url::parse(main_url).context("the database URL")?;
                let main = url.path().trim_start_matches('/').to_owned();
                let main = if main.is_empty() {
                    "postgres".to_owned()
                } else {
                    main
                };
                url.set_path(&format!("/{main}_{{account}}"));
                // `{` and `}` are percent-encoded by the URL: put them back.
                url.to_string().replace("%7Baccount%7D", "{account}")
            }
        };
        Ok(Self {
            template,
            limit,
            application_name: settings.application_name.clone(),
        })
    }

    /// The client's database URL.
    fn url(&self, account: &AccountNumber) -> String {
        self.template
            .replace("{account}", &account.as_str().to_ascii_lowercase())
    }

    /// A connection to `url`, in a slot; a database that does not exist is
    /// `NotFound`.
    async fn open(&self, url: &str) -> StoreResult<Held<PgConnection>> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(e.into()))?
            .application_name(&self.application_name)
            // A client's own application may lock its rows: never wait on it for long.
            .options([("lock_timeout", "10s"), ("statement_timeout", "60s")]);
        if let Some(name) = options.get_database() {
            if name.len() > 63 {
                return Err(StoreError::Other(anyhow::anyhow!(
                    "the client's database name {name} is longer than PostgreSQL's 63 bytes: \
                     set CLIENTELE_CLIENT_DATABASE_URL_TEMPLATE"
                )));
            }
        }
        let slot = self.limit.slot().await;
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                StoreError::Unavailable(anyhow::anyhow!(
                    "the client's database did not answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => {
                    StoreError::NotFound
                }
                _ => map_err(e),
            })?;
        Ok(Held::new(conn, slot))
    }

    /// Create the client's database on its server (it does not exist).
    async fn create_database(&self, url: &str) -> StoreResult<()> {
        let target = PgConnectOptions::from_str(url).map_err(|e| StoreError::Other(e.into()))?;
        let name = target
            .get_database()
            .ok_or_else(|| {
                StoreError::Other(anyhow::anyhow!("the client's URL names no database"))
            })?
            .to_owned();
        let mut server = url::Url::parse(url).map_err(|e| StoreError::Other(e.into()))?;
        server.set_path("/postgres");
        let mut conn = self.open(server.as_str()).await?;
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let created = sqlx::query(&format!("CREATE DATABASE {quoted}"))
            .execute(&mut *conn)
            .await;
        conn.close().await;
        match created {
            Ok(_) => Ok(()),
            // Created meanwhile by another instance: 42P04, or 23505 when the
            // two CREATEs met in the catalogue.
            Err(sqlx::Error::Database(db))
                if matches!(db.code().as_deref(), Some("42P04") | Some("23505")) =>
            {
                Ok(())
            }
            Err(e) => Err(map_err(e)),
        }
    }

    /// Migrate the database at `url`, which exists.
    async fn migrate_at(&self, url: &str) -> StoreResult<i64> {
        let mut conn = self.open(url).await?;
        MIGRATOR
            .run_direct(&mut *conn)
            .await
            .map_err(|e| StoreError::Other(e.into()))?;
        conn.close().await;
        Ok(self.latest_version())
    }
}

#[async_trait]
impl TenantStore for PgTenants {
    async fn provision(&self, account: &AccountNumber) -> StoreResult<i64> {
        // The database itself first: a role may create databases without
        // being allowed into `postgres`, or find them made beforehand.
        let url = self.url(account);
        match self.migrate_at(&url).await {
            Err(StoreError::NotFound) => {
                self.create_database(&url).await?;
                self.migrate_at(&url).await
            }
            other => other,
        }
    }

    async fn migrate(&self, account: &AccountNumber) -> StoreResult<i64> {
        self.migrate_at(&self.url(account)).await
    }

    async fn apply(
        &self,
        account: &AccountNumber,
        users: &[TenantUser],
        gone: &[i64],
    ) -> StoreResult<()> {
        let mut conn = self.open(&self.url(account)).await?;
        let mut tx = conn.begin().await.map_err(map_err)?;
        if !gone.is_empty() {
            sqlx::query("DELETE FROM core.user_modules WHERE user_id = ANY($1)")
                .bind(gone)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            sqlx::query("DELETE FROM core.users WHERE user_id = ANY($1)")
                .bind(gone)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        for u in users {
            sqlx::query(
                "INSERT INTO core.users (user_id, user_name, role, is_active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET \
                 user_name = excluded.user_name, role = excluded.role, is_active = excluded.is_active, \
                 created_at = excluded.created_at, updated_at = excluded.updated_at",
            )
            .bind(u.user_id)
            .bind(&u.user_name)
            .bind(&u.role)
            .bind(u.is_active)
            .bind(u.created_at)
            .bind(u.updated_at)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            sqlx::query("DELETE FROM core.user_modules WHERE user_id = $1")
                .bind(u.user_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            if !u.modules.is_empty() {
                let names: Vec<&str> = u.modules.iter().map(|(m, _)| m.as_str()).collect();
                let enabled: Vec<bool> = u.modules.iter().map(|(_, e)| *e).collect();
                sqlx::query(
                    "INSERT INTO core.user_modules (user_id, module_name, enabled) \
                     SELECT $1, m, e FROM unnest($2::text[], $3::bool[]) AS t(m, e)",
                )
                .bind(u.user_id)
                .bind(&names)
                .bind(&enabled)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
        }
        tx.commit().await.map_err(map_err)?;
        conn.close().await;
        Ok(())
    }

    async fn read_all(&self, account: &AccountNumber) -> StoreResult<Vec<TenantUser>> {
        let mut conn = self.open(&self.url(account)).await?;
        let users: Vec<UserRow> = sqlx::query_as(
            "SELECT user_id, user_name, role, is_active, created_at, updated_at \
             FROM core.users ORDER BY user_id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let modules: Vec<(i64, String, bool)> =
            sqlx::query_as("SELECT user_id, module_name, enabled FROM core.user_modules")
                .fetch_all(&mut *conn)
                .await
                .map_err(map_err)?;
        conn.close().await;
        Ok(with_modules(users, modules))
    }

    fn latest_version(&self) -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    fn connections(&self) -> (usize, usize) {
        self.limit.counts()
    }
}
