//! Keeping the users' search index quick to read, on SQLite.

use super::SqliteStore;
use crate::store::sql::map_err;
use crate::store::{SearchStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl SearchStore for SqliteStore {
    /// One step of FTS5's incremental merge towards a single segment (`merge`
    /// with a negative page count: the `optimize` command, a little at a
    /// time), one short write transaction, on a connection of the main pool,
    /// which reads the index through its page cache rather than the memory
    /// map: a merge reads the whole index once, and mapped pages would count
    /// as the service's memory. SQLite says whether the step did any work by
    /// two or more changes on the connection
    /// (<https://sqlite.org/fts5.html#the_merge_command>).
    async fn merge_search_index(&self, pages: u32) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let changes = "SELECT total_changes()";
        let before: i64 = sqlx::query_scalar(changes)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        sqlx::query("INSERT INTO users_search (users_search, rank) VALUES ('merge', $1)")
            .bind(-i64::from(pages.max(1)))
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        let after: i64 = sqlx::query_scalar(changes)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        Ok(after - before >= 2)
    }
}
