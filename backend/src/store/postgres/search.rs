//! Keeping the users' search quick to read, on PostgreSQL.

use super::PgStore;
use crate::store::{SearchStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl SearchStore for PgStore {
    /// PostgreSQL's trigram indexes need no merging from the service (its
    /// autovacuum cleans up a GIN index's pending list).
    async fn merge_search_index(&self, _pages: u32) -> StoreResult<bool> {
        Ok(false)
    }
}
