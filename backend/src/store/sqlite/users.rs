//! Users and their modules, on SQLite.

use super::{SqliteStore, BEGIN};
use crate::domain::{
    ManagedUser, NewActivity, NewUser, OutboxKind, PasswordHash, ProfileChanges, Timestamp, User,
    UserChanges,
};
use crate::store::rows::{ManagedUserRow, UserRow, USER_COLUMNS, USER_RETURNING};
use crate::store::search::{count_sql, user_order, user_query, Search};
use crate::store::sql::{
    activity_args, bind, bind_as, bind_scalar, insert_user, map_err, modules_of_users, ms,
    new_user_args, next_updated_at, placeholders, stream_rows, user_set, INSERT_ACTIVITY,
    INSERT_OUTBOX, USER_MODULES,
};
use crate::store::{Batches, StoreError, StoreResult, UserFilter, UserRows, UserStore};
use async_trait::async_trait;
use sqlx::{Sqlite, Transaction};
use std::collections::HashMap;

/// Insert a user and its chosen modules in `tx`.
async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    new: &NewUser,
    hash: &PasswordHash,
) -> StoreResult<User> {
    let custom = if new.modules.is_some() {
        "TRUE"
    } else {
        "FALSE"
    };
    let sql = format!("{} RETURNING {USER_RETURNING}", insert_user(custom));
    let user = bind_as(sqlx::query_as::<_, UserRow>(&sql), new_user_args(new, hash))
        .fetch_one(&mut **tx)
        .await
        .map_err(map_err)?
        .into_user()?;
    for m in new.modules.iter().flatten() {
        sqlx::query("INSERT INTO user_modules (user_id, module) VALUES ($1, $2)")
            .bind(user.id)
            .bind(m.as_str())
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    }
    Ok(user)
}

/// Ask for user `user_id` to be brought in line in its client's own database,
/// in `tx` (docs/decisions/0027).
async fn enqueue_user(
    tx: &mut Transaction<'_, Sqlite>,
    company: Option<i64>,
    user_id: i64,
    now: Timestamp,
) -> StoreResult<()> {
    let Some(company) = company else {
        return Ok(());
    };
    sqlx::query(INSERT_OUTBOX)
        .bind(company)
        .bind(OutboxKind::User.as_str())
        .bind(user_id)
        .bind(ms(now))
        .execute(&mut **tx)
        .await
        .map(|_| ())
        .map_err(map_err)
}

/// Record `entry` in `tx`.
async fn log(tx: &mut Transaction<'_, Sqlite>, entry: &NewActivity) -> StoreResult<()> {
    bind(sqlx::query(INSERT_ACTIVITY), activity_args(entry))
        .execute(&mut **tx)
        .await
        .map(|_| ())
        .map_err(map_err)
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn has_super_admin(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'super_admin'")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(n > 0)
    }

    async fn create_user(
        &self,
        new: &NewUser,
        hash: &PasswordHash,
        entry: Option<&NewActivity>,
    ) -> StoreResult<ManagedUser> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let user = insert(&mut tx, new, hash).await?;
        enqueue_user(&mut tx, user.company_id, user.id, new.now).await?;
        if let Some(entry) = entry {
            let mut entry = entry.clone();
            entry.target_id = entry.target_id.or_else(|| Some(user.id.to_string()));
            log(&mut tx, &entry).await?;
        }
        let sql = format!(
            "SELECT {USER_COLUMNS}, {USER_MODULES} AS modules FROM users u WHERE u.id = $1"
        );
        let row = sqlx::query_as::<_, ManagedUserRow>(&sql)
            .bind(user.id)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        row.into_managed()
    }

    async fn create_users(&self, users: &[(NewUser, PasswordHash)]) -> StoreResult<Vec<User>> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let mut created = Vec::with_capacity(users.len());
        for (new, hash) in users {
            let user = insert(&mut tx, new, hash).await?;
            enqueue_user(&mut tx, user.company_id, user.id, new.now).await?;
            created.push(user);
        }
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        Ok(created)
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

    async fn password_hash(&self, user_id: i64) -> StoreResult<Option<PasswordHash>> {
        let hash: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(hash.map(PasswordHash::from_phc))
    }

    async fn update_user(
        &self,
        id: i64,
        ch: &UserChanges,
        now: Timestamp,
        entry: Option<&NewActivity>,
    ) -> StoreResult<User> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let was: Option<Option<i64>> =
            sqlx::query_scalar("SELECT company_id FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
        let (mut sets, mut args) = user_set(ch, now);
        args.push(crate::store::sql::Arg::Int(ms(now)));
        sets.push(next_updated_at(args.len()));
        args.push(crate::store::sql::Arg::Int(id));
        let mut sql = format!(
            "UPDATE users SET {} WHERE id = ${}",
            sets.join(", "),
            args.len()
        );
        if let Some(since) = ch.unchanged_since {
            args.push(crate::store::sql::Arg::Int(ms(since)));
            sql.push_str(&format!(" AND updated_at = ${}", args.len()));
        }
        sql.push_str(&format!(" RETURNING {USER_RETURNING}"));
        let updated = bind_as(sqlx::query_as::<_, UserRow>(&sql), args)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(user) = updated else {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
            return Err(if exists.is_some() {
                StoreError::Changed
            } else {
                StoreError::NotFound
            });
        };
        let user = user.into_user()?;
        if ch.modules.is_some() || ch.company_id.is_some() {
            sqlx::query("DELETE FROM user_modules WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        for m in ch.modules.iter().flatten().flatten() {
            sqlx::query("INSERT INTO user_modules (user_id, module) VALUES ($1, $2)")
                .bind(id)
                .bind(m.as_str())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        if ch.password_hash.is_some() {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        if let Some(entry) = entry {
            log(&mut tx, entry).await?;
        }
        // Its client's database, and the one it left if it moved.
        enqueue_user(&mut tx, user.company_id, id, now).await?;
        if let Some(old) = was.flatten().filter(|old| Some(*old) != user.company_id) {
            enqueue_user(&mut tx, Some(old), id, now).await?;
        }
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        Ok(user)
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
             email_since = CASE WHEN $3 THEN $5 ELSE email_since END, {} \
             WHERE id = $1 RETURNING {USER_RETURNING}",
            next_updated_at(5)
        );
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let user = sqlx::query_as::<_, UserRow>(&sql)
            .bind(user_id)
            .bind(changes.name.as_ref().map(|n| n.as_str()))
            .bind(changes.email.is_some())
            .bind(
                changes
                    .email
                    .as_ref()
                    .and_then(|e| e.as_ref().map(|e| e.as_str())),
            )
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?
            .into_user()?;
        enqueue_user(&mut tx, user.company_id, user.id, now).await?;
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        Ok(user)
    }

    async fn set_password(
        &self,
        user_id: i64,
        hash: &PasswordHash,
        must_change: bool,
        now: Timestamp,
    ) -> StoreResult<()> {
        let sql = format!(
            "UPDATE users SET password_hash = $2, must_change_password = $3, {} \
             WHERE id = $1 RETURNING company_id",
            next_updated_at(4)
        );
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let company: Option<Option<i64>> = sqlx::query_scalar(&sql)
            .bind(user_id)
            .bind(hash.as_str())
            .bind(must_change)
            .bind(ms(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(company) = company else {
            return Err(StoreError::NotFound);
        };
        // Its `updated_at` moved.
        enqueue_user(&mut tx, company, user_id, now).await?;
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        Ok(())
    }

    async fn modules_of_users(&self, user_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>> {
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for chunk in user_ids.chunks(500) {
            let sql = modules_of_users(&placeholders(1, chunk.len()));
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for (id, module) in q.fetch_all(&self.pool).await.map_err(map_err)? {
                out.entry(id).or_default().push(module);
            }
        }
        Ok(out)
    }

    async fn taken_usernames(&self, usernames: &[String]) -> StoreResult<Vec<String>> {
        let mut taken = Vec::new();
        for chunk in usernames.chunks(500) {
            let sql = format!(
                "SELECT username FROM users WHERE username IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for u in chunk {
                q = q.bind(u);
            }
            taken.extend(q.fetch_all(&self.pool).await.map_err(map_err)?);
        }
        Ok(taken)
    }

    async fn taken_emails(
        &self,
        company_id: Option<i64>,
        emails: &[String],
    ) -> StoreResult<Vec<String>> {
        let mut taken = Vec::new();
        for chunk in emails.chunks(500) {
            let sql = format!(
                "SELECT email FROM users WHERE COALESCE(company_id, 0) = $1 AND email IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql).bind(company_id.unwrap_or(0));
            for e in chunk {
                q = q.bind(e);
            }
            taken.extend(q.fetch_all(&self.pool).await.map_err(map_err)?);
        }
        Ok(taken)
    }

    /// The page, with each row's modules (only the page's: an OFFSET's
    /// skipped rows would have their columns computed too), as one JSON array
    /// in one row, each user `[[columns], modules]`: the connection's worker
    /// thread hands sqlx each row as its own message, every value copied, and
    /// the request's thread frees them all again (docs/performance/sqlite.md).
    async fn user_page(&self, f: &UserFilter, _common: bool) -> StoreResult<UserRows> {
        let q = user_query(f, Search::Fts5, false);
        let n = q.args.len();
        // One row past the page tells whether more follow.
        let page = format!(
            "SELECT {USER_COLUMNS}, u.custom_modules FROM {} {} ORDER BY {} LIMIT ${} OFFSET ${}",
            q.from,
            q.where_sql,
            user_order(f, q.id_order, ""),
            n + 1,
            n + 2,
        );
        let sql = format!(
            "SELECT json_group_array(json_array(json_array({USER_COLUMNS}), {USER_MODULES}) \
             ORDER BY {}) FROM ({page}) u",
            user_order(f, "u.id", "")
        );
        let json: String = bind_scalar(sqlx::query_scalar(&sql), q.args)
            .bind(f.limit.saturating_add(1))
            .bind(f.offset)
            .fetch_one(&self.scans)
            .await
            .map_err(map_err)?;
        let mut rows = serde_json::from_str::<Vec<(UserRow, Option<String>)>>(&json)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("a page of users: {e}")))?;
        let has_more = rows.len() as i64 > f.limit;
        rows.truncate(f.limit.max(0) as usize);
        let users = rows
            .into_iter()
            .map(|(user, modules)| ManagedUserRow { user, modules }.into_managed())
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(UserRows { users, has_more })
    }

    async fn count_users(&self, f: &UserFilter) -> StoreResult<i64> {
        let q = user_query(f, Search::Fts5, false);
        bind_scalar(sqlx::query_scalar::<_, i64>(&count_sql(&q)), q.args)
            .fetch_one(&self.scans)
            .await
            .map_err(map_err)
    }

    fn export_users(&self, f: &UserFilter) -> Batches<User> {
        let q = user_query(f, Search::Fts5, false);
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM {} {} ORDER BY {}",
            q.from,
            q.where_sql,
            user_order(f, q.id_order, "")
        );
        stream_rows(self.scans.clone(), sql, q.args, true, UserRow::into_user)
    }
}
