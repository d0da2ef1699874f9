//! The outbox of changes for each client's own database, and their sync
//! state, on PostgreSQL (docs/decisions/0027).

use super::{PgStore, BEGIN};
use crate::domain::{OutboxKind, OutboxRow, SyncState, TenantUser, Timestamp};
use crate::store::sql::{map_err, ms, placeholders, tenant_users_sql};
use crate::store::{sync_state, OutboxStore, StoreError, StoreResult, UserStore};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
impl OutboxStore for PgStore {
    fn signal(&self) -> Arc<tokio::sync::Notify> {
        self.outbox_signal.clone()
    }

    async fn due_clients(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT o.client_id FROM client_outbox o \
             LEFT JOIN client_stores s ON s.client_id = o.client_id \
             WHERE s.client_id IS NULL OR (s.next_attempt_at <= $1 AND s.lease_until < $1) \
             GROUP BY o.client_id ORDER BY MIN(o.id) LIMIT $2",
        )
        .bind(ms(now))
        .bind(limit)
        .fetch_all(&self.background)
        .await
        .map_err(map_err)
    }

    async fn clients_after(&self, after: i64, limit: i64) -> StoreResult<Vec<i64>> {
        sqlx::query_scalar("SELECT id FROM clients WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.background)
            .await
            .map_err(map_err)
    }

    async fn stale_clients(&self, version: i64, limit: i64) -> StoreResult<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT client_id FROM client_stores \
             WHERE schema_version > 0 AND schema_version < $1 ORDER BY client_id LIMIT $2",
        )
        .bind(version)
        .bind(limit)
        .fetch_all(&self.background)
        .await
        .map_err(map_err)
    }

    async fn lease_client(
        &self,
        client_id: i64,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
        due_only: bool,
    ) -> StoreResult<bool> {
        let mut tx = self.background.begin_with(BEGIN).await.map_err(map_err)?;
        sqlx::query(
            "INSERT INTO client_stores (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING",
        )
        .bind(client_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let taken = sqlx::query(
            "UPDATE client_stores SET lease_owner = $2, lease_until = $4 \
             WHERE client_id = $1 AND (lease_until < $3 OR lease_owner = $2) \
             AND (next_attempt_at <= $3 OR NOT $5)",
        )
        .bind(client_id)
        .bind(owner)
        .bind(ms(now))
        .bind(ms(until))
        .bind(due_only)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        tx.commit().await.map_err(map_err)?;
        Ok(taken == 1)
    }

    async fn pending_rows(&self, client_id: i64, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        let rows: Vec<(i64, i64, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, client_id, kind, user_id, created_at FROM client_outbox \
             WHERE client_id = $1 ORDER BY id LIMIT $2",
        )
        .bind(client_id)
        .bind(limit)
        .fetch_all(&self.background)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(outbox_row).collect()
    }

    async fn complete(
        &self,
        client_id: i64,
        owner: &str,
        done: &[i64],
        schema_version: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.background.begin_with(BEGIN).await.map_err(map_err)?;
        // Only while this instance still holds the client: else another has
        // taken over, and these rows are its to apply again.
        let held = sqlx::query(
            "UPDATE client_stores SET schema_version = $3, last_applied_at = $4, last_error = NULL, \
             failures = 0, next_attempt_at = 0, lease_owner = NULL, lease_until = 0 \
             WHERE client_id = $1 AND lease_owner = $2",
        )
        .bind(client_id)
        .bind(owner)
        .bind(schema_version)
        .bind(ms(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if held == 0 {
            tx.rollback().await.map_err(map_err)?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM client_outbox WHERE client_id = $1 AND id = ANY($2)")
            .bind(client_id)
            .bind(done)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn fail(
        &self,
        client_id: i64,
        owner: &str,
        error: &str,
        retry_at: Timestamp,
    ) -> StoreResult<bool> {
        sqlx::query(
            "UPDATE client_stores SET last_error = $3, failures = failures + 1, \
             next_attempt_at = $4, lease_owner = NULL, lease_until = 0 \
             WHERE client_id = $1 AND lease_owner = $2",
        )
        .bind(client_id)
        .bind(owner)
        .bind(error)
        .bind(ms(retry_at))
        .execute(&self.background)
        .await
        .map(|r| r.rows_affected() == 1)
        .map_err(map_err)
    }

    async fn release(&self, client_id: i64, owner: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE client_stores SET lease_owner = NULL, lease_until = 0 \
             WHERE client_id = $1 AND lease_owner = $2",
        )
        .bind(client_id)
        .bind(owner)
        .execute(&self.background)
        .await
        .map(|_| ())
        .map_err(map_err)
    }

    async fn sync_state(&self, client_id: i64) -> StoreResult<SyncState> {
        let row: Option<(i64, Option<i64>, Option<String>, i64)> = sqlx::query_as(
            "SELECT schema_version, last_applied_at, last_error, failures FROM client_stores \
             WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM client_outbox WHERE client_id = $1")
                .bind(client_id)
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(sync_state(row, pending))
    }

    async fn backlog(&self) -> StoreResult<(i64, Option<Timestamp>)> {
        let (count, oldest): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM client_outbox")
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        Ok((count, oldest.map(Timestamp::from)))
    }

    async fn tenant_users(
        &self,
        client_id: i64,
        users: Option<&[i64]>,
    ) -> StoreResult<Vec<TenantUser>> {
        let mut rows: Vec<(i64, String, String, bool, i64, i64)> = Vec::new();
        match users {
            None => {
                rows = sqlx::query_as(&tenant_users_sql(None))
                    .bind(client_id)
                    .fetch_all(&self.background)
                    .await
                    .map_err(map_err)?;
            }
            Some(ids) => {
                for chunk in ids.chunks(500) {
                    let sql = tenant_users_sql(Some(&placeholders(2, chunk.len())));
                    let mut q = sqlx::query_as(&sql).bind(client_id);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    rows.extend(q.fetch_all(&self.background).await.map_err(map_err)?);
                }
            }
        }
        let active: Vec<String> = sqlx::query_scalar(
            "SELECT module FROM client_modules WHERE client_id = $1 ORDER BY module",
        )
        .bind(client_id)
        .fetch_all(&self.background)
        .await
        .map_err(map_err)?;
        let mut active = active;
        // By bytes, as the client's database is compared (whatever the collation).
        active.sort();
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut has = self.modules_of_users(&ids).await?;
        Ok(rows
            .into_iter()
            .map(
                |(user_id, user_name, role, is_active, created_at, updated_at)| {
                    let own = has.remove(&user_id).unwrap_or_default();
                    TenantUser {
                        user_id,
                        user_name,
                        role,
                        is_active,
                        created_at,
                        updated_at,
                        modules: active
                            .iter()
                            .map(|m| (m.clone(), own.contains(m)))
                            .collect(),
                    }
                },
            )
            .collect())
    }
}

fn outbox_row(
    (id, client_id, kind, user_id, created_at): (i64, i64, String, Option<i64>, i64),
) -> StoreResult<OutboxRow> {
    let kind = OutboxKind::parse(&kind).ok_or_else(|| {
        StoreError::Other(anyhow::anyhow!("outbox row {id} has a bad kind {kind:?}"))
    })?;
    Ok(OutboxRow {
        id,
        client_id,
        kind,
        user_id,
        created_at: Timestamp::from(created_at),
    })
}
