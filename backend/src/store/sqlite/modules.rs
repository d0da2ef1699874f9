//! The module catalogue and each client's active modules, on SQLite.

use super::{SqliteStore, BEGIN};
use crate::domain::{Module, ModuleName, NewActivity, OutboxKind, Timestamp};
use crate::store::sql::{
    activity_args, bind, map_err, ms, next_updated_at, INSERT_ACTIVITY, INSERT_OUTBOX,
};
use crate::store::{ModuleStore, StoreError, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl ModuleStore for SqliteStore {
    async fn list_modules(&self) -> StoreResult<Vec<Module>> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT name, label, created_at FROM modules ORDER BY name")
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(name, label, at)| Module {
                name,
                label,
                created_at: Timestamp::from(at),
            })
            .collect())
    }

    async fn create_module(&self, m: &Module) -> StoreResult<Module> {
        sqlx::query("INSERT INTO modules (name, label, created_at) VALUES ($1, $2, $3)")
            .bind(&m.name)
            .bind(&m.label)
            .bind(ms(m.created_at))
            .execute(&self.pool)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::Conflict(_) => StoreError::Conflict("module".into()),
                e => e,
            })?;
        Ok(m.clone())
    }

    async fn client_modules(&self, client_id: i64) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT module FROM client_modules WHERE client_id = $1 ORDER BY module")
            .bind(client_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn set_client_modules(
        &self,
        client_id: i64,
        modules: &[ModuleName],
        now: Timestamp,
        unchanged_since: Timestamp,
        entry: Option<&NewActivity>,
    ) -> StoreResult<Vec<String>> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let sql = format!(
            "UPDATE clients SET {} WHERE id = $1 AND updated_at = $3",
            next_updated_at(2)
        );
        let done = sqlx::query(&sql)
            .bind(client_id)
            .bind(ms(now))
            .bind(ms(unchanged_since))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM clients WHERE id = $1")
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
            return Err(if exists.is_some() {
                StoreError::Changed
            } else {
                StoreError::NotFound
            });
        }
        sqlx::query("DELETE FROM client_modules WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for m in modules {
            sqlx::query(
                "INSERT INTO client_modules (client_id, module) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(client_id)
            .bind(m.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        // Every user's modules in the client's own database follow.
        sqlx::query(INSERT_OUTBOX)
            .bind(client_id)
            .bind(OutboxKind::AllUsers.as_str())
            .bind(None::<i64>)
            .bind(ms(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if let Some(e) = entry {
            bind(sqlx::query(INSERT_ACTIVITY), activity_args(e))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let after: Vec<String> = sqlx::query_scalar(
            "SELECT module FROM client_modules WHERE client_id = $1 ORDER BY module",
        )
        .bind(client_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        Ok(after)
    }
}
