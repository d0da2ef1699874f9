//! The one SQL implementation of [`Store`]. Every statement is written in the
//! common subset of SQLite and PostgreSQL (numbered `$n` parameters, `RETURNING`,
//! `ON CONFLICT`), so the body below is instantiated for both pools by a macro
//! instead of being written twice.

use super::{
    LoginCandidate, NewActivity, NewSession, NewUser, ProfileChanges, RefreshOutcome, Store,
    StoreError, StoreResult, ThrottleState,
};
use crate::domain::{AuthContext, PermissionSet, Role, Timestamp, User};
use async_trait::async_trait;
use sqlx::{Pool, Postgres, Sqlite};

pub struct SqlStore<DB: sqlx::Database> {
    pool: Pool<DB>,
}

impl<DB: sqlx::Database> SqlStore<DB> {
    pub fn new(pool: Pool<DB>) -> Self {
        Self { pool }
    }
}

/// The user columns, for `RETURNING` (unqualified) and for joins (as `u`).
const USER_RETURNING: &str = "id, company_id, name, username, email, role, permissions, \
     is_active, must_change_password, created_by, last_login, created_at, updated_at";
const USER_COLUMNS: &str = "u.id, u.company_id, u.name, u.username, u.email, u.role, \
     u.permissions, u.is_active, u.must_change_password, u.created_by, u.last_login, \
     u.created_at, u.updated_at";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    company_id: Option<i64>,
    name: String,
    username: String,
    email: Option<String>,
    role: String,
    permissions: i64,
    is_active: bool,
    must_change_password: bool,
    created_by: Option<i64>,
    last_login: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl UserRow {
    fn into_user(self) -> StoreResult<User> {
        let role = Role::parse(&self.role).map_err(|e| {
            StoreError::Other(anyhow::anyhow!("user {} has a bad role: {e}", self.id))
        })?;
        Ok(User {
            id: self.id,
            company_id: self.company_id,
            name: self.name,
            username: self.username,
            email: self.email,
            role,
            permissions: PermissionSet::from_bits(self.permissions),
            is_active: self.is_active,
            must_change_password: self.must_change_password,
            created_by: self.created_by,
            last_login: self.last_login.map(Timestamp::from),
            created_at: Timestamp::from(self.created_at),
            updated_at: Timestamp::from(self.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct UserWithStatusRow {
    #[sqlx(flatten)]
    user: UserRow,
    company_active: Option<bool>,
    extra: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ThrottleRow {
    key: String,
    failures: i64,
    last_failure: i64,
    locked_until: i64,
}

/// Turn a driver error into a store error, naming the field of a broken unique rule.
fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let what = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            let field = ["account_number", "username", "email"]
                .into_iter()
                .find(|f| what.contains(f))
                .unwrap_or("record");
            StoreError::Conflict(field.to_owned())
        }
        sqlx::Error::Database(db) if is_unavailable(db.code().as_deref()) => {
            StoreError::Unavailable(anyhow::anyhow!("{}", db.message()))
        }
        e @ (sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed) => StoreError::Unavailable(e.into()),
        e => StoreError::Other(e.into()),
    }
}

/// Error codes that mean "the database is not there right now", not "this query
/// is wrong": PostgreSQL's connection exceptions (08…), shutdowns (57P…), a
/// missing database (3D000), too many connections (53300); SQLite's busy, locked,
/// I/O and cannot-open errors (primary codes 5, 6, 10, 14).
fn is_unavailable(code: Option<&str>) -> bool {
    match code {
        // PostgreSQL's SQLSTATEs are five characters.
        Some(c) if c.len() == 5 => {
            c.starts_with("08") || c.starts_with("57P") || c == "3D000" || c == "53300"
        }
        // SQLite's are (extended) result codes.
        Some(c) => c
            .parse::<i64>()
            .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 14)),
        None => false,
    }
}

fn now_ms(t: Timestamp) -> i64 {
    t.millis()
}

macro_rules! impl_store {
    ($db:ty) => {
        #[async_trait]
        impl Store for SqlStore<$db> {
            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(map_err)
            }

            async fn has_super_admin(&self) -> StoreResult<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM users WHERE role = 'super_admin'",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
                Ok(n > 0)
            }

            async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
                let sql = format!(
                    "INSERT INTO users (company_id, name, username, email, role, permissions, \
                     password_hash, is_active, must_change_password, created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {USER_RETURNING}"
                );
                sqlx::query_as::<_, UserRow>(&sql)
                    .bind(new.company_id)
                    .bind(&new.name)
                    .bind(&new.username)
                    .bind(&new.email)
                    .bind(new.role.as_str())
                    .bind(new.permissions.bits())
                    .bind(&new.password_hash)
                    .bind(new.is_active)
                    .bind(new.must_change_password)
                    .bind(new.created_by)
                    .bind(now_ms(new.now))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_err)?
                    .into_user()
            }

            async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
                sqlx::query_as::<_, UserRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err)?
                    .map(UserRow::into_user)
                    .transpose()
            }

            async fn login_candidate(&self, login: &str) -> StoreResult<Option<LoginCandidate>> {
                // The username match wins; an e-mail counts only when exactly one user has it.
                let sql = format!(
                    "SELECT {USER_COLUMNS}, COALESCE(c.is_active, TRUE) AS company_active, \
                     u.password_hash AS extra \
                     FROM users u LEFT JOIN clients c ON c.id = u.company_id \
                     WHERE u.username = $1 OR u.email = $1 \
                     ORDER BY CASE WHEN u.username = $1 THEN 0 ELSE 1 END LIMIT 2"
                );
                let rows = sqlx::query_as::<_, UserWithStatusRow>(&sql)
                    .bind(login)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                let by_username = rows.first().is_some_and(|r| r.user.username == login);
                if !(by_username || rows.len() == 1) {
                    return Ok(None);
                }
                let Some(row) = rows.into_iter().next() else {
                    return Ok(None);
                };
                Ok(Some(LoginCandidate {
                    company_active: row.company_active.unwrap_or(true),
                    password_hash: row.extra.unwrap_or_default(),
                    user: row.user.into_user()?,
                }))
            }

            async fn password_hash(&self, user_id: i64) -> StoreResult<Option<String>> {
                sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err)
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
                    .bind(now_ms(now))
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

            async fn update_profile(
                &self,
                user_id: i64,
                changes: &ProfileChanges,
                now: Timestamp,
            ) -> StoreResult<User> {
                let sql = format!(
                    "UPDATE users SET \
                     name = COALESCE($2, name), \
                     email = CASE WHEN $3 THEN $4 ELSE email END, \
                     updated_at = $5 \
                     WHERE id = $1 RETURNING {USER_RETURNING}"
                );
                sqlx::query_as::<_, UserRow>(&sql)
                    .bind(user_id)
                    .bind(&changes.name)
                    .bind(changes.email.is_some())
                    .bind(changes.email.clone().flatten())
                    .bind(now_ms(now))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_err)?
                    .into_user()
            }

            async fn set_password(
                &self,
                user_id: i64,
                hash: &str,
                must_change: bool,
                now: Timestamp,
            ) -> StoreResult<()> {
                let done = sqlx::query(
                    "UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = $4 \
                     WHERE id = $1",
                )
                .bind(user_id)
                .bind(hash)
                .bind(must_change)
                .bind(now_ms(now))
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn record_login(
                &self,
                user: &User,
                rehash: Option<&str>,
                now: Timestamp,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(map_err)?;
                sqlx::query(
                    "UPDATE users SET last_login = $2, password_hash = COALESCE($3, password_hash) \
                     WHERE id = $1",
                )
                .bind(user.id)
                .bind(now_ms(now))
                .bind(rehash)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                if let Some(company) = user.company_id {
                    sqlx::query("UPDATE clients SET last_login = $2 WHERE id = $1")
                        .bind(company)
                        .bind(now_ms(now))
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
                tx.commit().await.map_err(map_err)
            }

            async fn open_session(&self, s: &NewSession) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(map_err)?;
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(&s.id)
                .bind(s.user_id)
                .bind(now_ms(s.now))
                .bind(now_ms(s.expires_at))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                sqlx::query(
                    "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&s.refresh_token_hash)
                .bind(&s.id)
                .bind(now_ms(s.now))
                .bind(now_ms(s.expires_at))
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
                let mut tx = self.pool.begin().await.map_err(map_err)?;
                // Spend the token: only one presenter can win this update.
                let spent: Option<String> = sqlx::query_scalar(
                    "UPDATE refresh_tokens SET used_at = $2 \
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                     RETURNING session_id",
                )
                .bind(presented_hash)
                .bind(now_ms(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
                let Some(session_id) = spent else {
                    // Used before? Then someone holds a copy: end the whole session.
                    let reused: Option<String> = sqlx::query_scalar(
                        "SELECT session_id FROM refresh_tokens \
                         WHERE token_hash = $1 AND used_at IS NOT NULL",
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
                            .bind(now_ms(now))
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
                .bind(now_ms(now))
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
                .bind(now_ms(now))
                .bind(now_ms(new_expires_at))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                tx.commit().await.map_err(map_err)?;
                Ok(RefreshOutcome::Rotated { session_id, user_id })
            }

            async fn revoke_session(&self, session_id: &str, now: Timestamp) -> StoreResult<()> {
                sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                    .bind(session_id)
                    .bind(now_ms(now))
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
                .bind(now_ms(now))
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(map_err)
            }

            async fn throttle_states(&self, keys: &[String]) -> StoreResult<Vec<ThrottleState>> {
                let mut out = Vec::with_capacity(keys.len());
                for key in keys {
                    let row = sqlx::query_as::<_, ThrottleRow>(
                        "SELECT key, failures, last_failure, locked_until FROM login_throttle WHERE key = $1",
                    )
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err)?;
                    out.extend(row.map(|r| ThrottleState {
                        key: r.key,
                        failures: r.failures,
                        last_failure: Timestamp::from(r.last_failure),
                        locked_until: Timestamp::from(r.locked_until),
                    }));
                }
                Ok(out)
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
                .bind(now_ms(now))
                .bind(now_ms(window_start))
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)
            }

            async fn lock_throttle_key(&self, key: &str, until: Timestamp) -> StoreResult<()> {
                sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE key = $1")
                    .bind(key)
                    .bind(now_ms(until))
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(map_err)
            }

            async fn clear_throttle_keys(&self, keys: &[String]) -> StoreResult<()> {
                for key in keys {
                    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                        .bind(key)
                        .execute(&self.pool)
                        .await
                        .map_err(map_err)?;
                }
                Ok(())
            }

            async fn purge_expired(&self, before: Timestamp, now: Timestamp) -> StoreResult<u64> {
                let counters = sqlx::query(
                    "DELETE FROM login_throttle WHERE last_failure < $1 AND locked_until < $2",
                )
                .bind(now_ms(before))
                .bind(now_ms(now))
                .execute(&self.pool)
                .await
                .map_err(map_err)?
                .rows_affected();
                let mut tx = self.pool.begin().await.map_err(map_err)?;
                let tokens = sqlx::query(
                    "DELETE FROM refresh_tokens WHERE session_id IN \
                     (SELECT id FROM sessions WHERE expires_at < $1)",
                )
                .bind(now_ms(before))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?
                .rows_affected();
                let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                    .bind(now_ms(before))
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?
                    .rows_affected();
                tx.commit().await.map_err(map_err)?;
                Ok(counters + tokens + sessions)
            }

            async fn log_activity(&self, e: &NewActivity) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO activity_log (at, actor_id, actor_username, company_id, action, \
                     target_type, target_id, target_label, changes, ip, request_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(now_ms(e.at.unwrap_or_else(Timestamp::now)))
                .bind(e.actor_id)
                .bind(&e.actor_username)
                .bind(e.company_id)
                .bind(&e.action)
                .bind(&e.target_type)
                .bind(&e.target_id)
                .bind(&e.target_label)
                .bind(e.changes.as_ref().map(|c| c.to_string()))
                .bind(&e.ip)
                .bind(&e.request_id)
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(map_err)
            }
        }
    };
}

impl_store!(Sqlite);
impl_store!(Postgres);
