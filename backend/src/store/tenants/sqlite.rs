//! The clients' own databases on SQLite: `clients/<accountNumber>.db` under
//! the data directory, tables `users` and `user_modules` (attached as `core`,
//! seed 000's `core.users` and `core.user_modules`).

use super::{with_modules, Held, Limit, TenantSettings, TenantStore, UserRow};
use crate::domain::{AccountNumber, TenantUser};
use crate::store::sql::map_err;
use crate::store::{StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::path::PathBuf;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("../migrations/client-sqlite");

pub struct SqliteTenants {
    dir: PathBuf,
    limit: Limit,
}

impl SqliteTenants {
    pub fn new(settings: &TenantSettings, limit: Limit) -> Self {
        Self {
            dir: settings.data_dir.join("clients"),
            limit,
        }
    }

    /// The client's database, opened (and created when `create`), in a slot.
    async fn open(
        &self,
        account: &AccountNumber,
        create: bool,
    ) -> StoreResult<Held<SqliteConnection>> {
        let slot = self.limit.slot().await;
        if create {
            std::fs::create_dir_all(&self.dir).map_err(|e| {
                StoreError::Unavailable(anyhow::anyhow!(
                    "cannot create the clients' folder {}: {e}",
                    self.dir.display()
                ))
            })?;
        }
        let file = format!("{}.db", account.as_str());
        if !create && !self.dir.join(&file).exists() {
            return Err(StoreError::NotFound);
        }
        let options = SqliteConnectOptions::new()
            .filename(self.dir.join(&file))
            .create_if_missing(create)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| {
                StoreError::Unavailable(anyhow::anyhow!("cannot open clients/{file}: {e}"))
            })?;
        Ok(Held::new(conn, slot))
    }
}

impl SqliteTenants {
    /// Migrate the client's file (created first when `create`).
    async fn migrate_file(&self, account: &AccountNumber, create: bool) -> StoreResult<i64> {
        let mut conn = self.open(account, create).await?;
        MIGRATOR
            .run_direct(&mut *conn)
            .await
            .map_err(|e| StoreError::Other(e.into()))?;
        conn.close().await;
        Ok(self.latest_version())
    }
}

#[async_trait]
impl TenantStore for SqliteTenants {
    async fn provision(&self, account: &AccountNumber) -> StoreResult<i64> {
        self.migrate_file(account, true).await
    }

    async fn migrate(&self, account: &AccountNumber) -> StoreResult<i64> {
        self.migrate_file(account, false).await
    }

    async fn apply(
        &self,
        account: &AccountNumber,
        users: &[TenantUser],
        gone: &[i64],
    ) -> StoreResult<()> {
        let mut conn = self.open(account, false).await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        for id in gone {
            sqlx::query("DELETE FROM user_modules WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            sqlx::query("DELETE FROM users WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        for u in users {
            sqlx::query(
                "INSERT INTO users (user_id, user_name, role, is_active, created_at, updated_at) \
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
            sqlx::query("DELETE FROM user_modules WHERE user_id = $1")
                .bind(u.user_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            for (module, enabled) in &u.modules {
                sqlx::query(
                    "INSERT INTO user_modules (user_id, module_name, enabled) VALUES ($1, $2, $3)",
                )
                .bind(u.user_id)
                .bind(module)
                .bind(enabled)
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
        let mut conn = self.open(account, false).await?;
        let users: Vec<UserRow> = sqlx::query_as(
            "SELECT user_id, user_name, role, is_active, created_at, updated_at FROM users ORDER BY user_id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let modules: Vec<(i64, String, bool)> =
            sqlx::query_as("SELECT user_id, module_name, enabled FROM user_modules")
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
