//! Sign-in sessions and their refresh tokens, on SQLite.

use super::{SqliteStore, BEGIN};
use crate::domain::{
    AuthContext, LoginCandidate, NewActivity, NewSession, PasswordHash, RefreshOutcome, Timestamp,
    User,
};
use crate::store::rows::{UserWithStatusRow, USER_COLUMNS};
use crate::store::sql::{activity_args, bind, map_err, ms, INSERT_ACTIVITY};
use crate::store::{SessionStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl SessionStore for SqliteStore {
    async fn login_candidates(&self, login: &str, limit: i64) -> StoreResult<Vec<LoginCandidate>> {
        // A username has no `@`; an e-mail address always has one.
        let which = if login.contains('@') {
            "u.email = $1 ORDER BY COALESCE(u.email_since, u.created_at), u.id LIMIT $2"
        } else {
            "u.username = $1 LIMIT $2"
        };
        let sql = format!(
            "SELECT {USER_COLUMNS}, COALESCE(c.is_active, TRUE) AS company_active, \
             u.password_hash AS extra \
             FROM users u LEFT JOIN clients c ON c.id = u.company_id WHERE {which}"
        );
        let rows = sqlx::query_as::<_, UserWithStatusRow>(&sql)
            .bind(login)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.into_iter()
            .map(|row| {
                Ok(LoginCandidate {
                    company_active: row.company_active.unwrap_or(true),
                    password_hash: PasswordHash::from_phc(row.extra.unwrap_or_default()),
                    user: row.user.into_user()?,
                })
            })
            .collect()
    }

    async fn auth_context(
        &self,
        user_id: i64,
        session_id: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AuthContext>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, COALESCE(c.is_active, TRUE) AS company_active, \
             CASE WHEN s.revoked_at IS NULL AND s.expires_at > $3 THEN 'open' ELSE 'closed' END AS extra \
             FROM users u \
             LEFT JOIN clients c ON c.id = u.company_id \
             LEFT JOIN sessions s ON s.id = $2 AND s.user_id = u.id \
             WHERE u.id = $1"
        );
        let row = sqlx::query_as::<_, UserWithStatusRow>(&sql)
            .bind(user_id)
            .bind(session_id)
            .bind(ms(now))
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| {
            Ok(AuthContext {
                company_active: r.company_active.unwrap_or(true),
                session_open: r.extra.as_deref() == Some("open"),
                user: r.user.into_user()?,
            })
        })
        .transpose()
    }

    async fn record_login(
        &self,
        user: &User,
        rehash: Option<&PasswordHash>,
        s: &NewSession,
        entry: &NewActivity,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        sqlx::query(
            "UPDATE users SET last_login = $2, password_hash = COALESCE($3, password_hash) WHERE id = $1",
        )
        .bind(user.id)
        .bind(ms(s.now))
        .bind(rehash.map(PasswordHash::as_str))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(company) = user.company_id {
            sqlx::query("UPDATE clients SET last_login = $2 WHERE id = $1")
                .bind(company)
                .bind(ms(s.now))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&s.id)
        .bind(user.id)
        .bind(ms(s.now))
        .bind(ms(s.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&s.refresh_token_hash)
        .bind(&s.id)
        .bind(ms(s.now))
        .bind(ms(s.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        bind(sqlx::query(INSERT_ACTIVITY), activity_args(entry))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        new_hash: &str,
        now: Timestamp,
        new_expires_at: Timestamp,
    ) -> StoreResult<RefreshOutcome> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        // Spend the token: only one presenter can win this update.
        let spent: Option<String> = sqlx::query_scalar(
            "UPDATE refresh_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING session_id",
        )
        .bind(presented_hash)
        .bind(ms(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(session_id) = spent else {
            // Used before? Then someone holds a copy: end the whole session.
            let reused: Option<String> = sqlx::query_scalar(
                "SELECT session_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL",
            )
            .bind(presented_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
            let outcome = match reused {
                Some(sid) => {
                    sqlx::query(
                        "UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    )
                    .bind(&sid)
                    .bind(ms(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    RefreshOutcome::Reused
                }
                None => RefreshOutcome::Invalid,
            };
            tx.commit().await.map_err(map_err)?;
            return Ok(outcome);
        };
        let user_id: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(&session_id)
        .bind(ms(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(user_id) = user_id else {
            tx.commit().await.map_err(map_err)?;
            return Ok(RefreshOutcome::Invalid);
        };
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(new_hash)
        .bind(&session_id)
        .bind(ms(now))
        .bind(ms(new_expires_at))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(RefreshOutcome::Rotated {
            session_id,
            user_id,
        })
    }

    async fn revoke_session(&self, session_id: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(session_id)
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(map_err)
    }

    async fn revoke_user_sessions(
        &self,
        user_id: i64,
        except: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $3 \
             WHERE user_id = $1 AND revoked_at IS NULL AND ($2 IS NULL OR id <> $2)",
        )
        .bind(user_id)
        .bind(except)
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(map_err)
    }

    async fn purge_expired_sessions(&self, before: Timestamp) -> StoreResult<u64> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let tokens = sqlx::query(
            "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE expires_at < $1)",
        )
        .bind(ms(before))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(ms(before))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        tx.commit().await.map_err(map_err)?;
        Ok(tokens + sessions)
    }
}
