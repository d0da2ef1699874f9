//! The brute-force counters in the `login_throttle` table, on SQLite: every
//! instance sharing the database shares them (docs/decisions/0003).

use super::SqliteStore;
use crate::domain::Timestamp;
use crate::store::rows::ThrottleRow;
use crate::store::sql::{map_err, ms, placeholders};
use crate::store::{StoreResult, ThrottleState, ThrottleStore};
use async_trait::async_trait;

#[async_trait]
impl ThrottleStore for SqliteStore {
    async fn throttle_states(&self, keys: &[String]) -> StoreResult<Vec<ThrottleState>> {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT key, failures, last_failure, locked_until FROM login_throttle WHERE key IN ({})",
            placeholders(1, keys.len())
        );
        let mut query = sqlx::query_as::<_, ThrottleRow>(&sql);
        for key in keys {
            query = query.bind(key);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| ThrottleState {
                key: r.key,
                failures: r.failures,
                last_failure: Timestamp::from(r.last_failure),
                locked_until: Timestamp::from(r.locked_until),
            })
            .collect())
    }

    async fn record_throttle_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, last_failure, locked_until) \
             VALUES ($1, 1, $2, 0) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.last_failure < $3 THEN 1 \
                               ELSE login_throttle.failures + 1 END, \
               last_failure = $2 \
             RETURNING failures",
        )
        .bind(key)
        .bind(ms(now))
        .bind(ms(window_start))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)
    }

    async fn lock_throttle_key(&self, key: &str, until: Timestamp) -> StoreResult<()> {
        // An upsert: with Redis, the failure may have been counted there just
        // before Redis failed and the lock fell back to here.
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, last_failure, locked_until) \
             VALUES ($1, 0, 0, $2) ON CONFLICT (key) DO UPDATE SET locked_until = $2",
        )
        .bind(key)
        .bind(ms(until))
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(map_err)
    }

    async fn clear_throttle_keys(&self, keys: &[String]) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "DELETE FROM login_throttle WHERE key IN ({})",
            placeholders(1, keys.len())
        );
        let mut query = sqlx::query(&sql);
        for key in keys {
            query = query.bind(key);
        }
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    async fn purge_throttle(&self, before: Timestamp, now: Timestamp) -> StoreResult<u64> {
        sqlx::query("DELETE FROM login_throttle WHERE last_failure < $1 AND locked_until < $2")
            .bind(ms(before))
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map(|done| done.rows_affected())
            .map_err(map_err)
    }
}
