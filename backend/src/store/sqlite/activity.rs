//! The activity log, on SQLite.

use super::SqliteStore;
use crate::domain::{ActivityEntry, NewActivity};
use crate::store::rows::{ActivityRow, ACTIVITY_COLUMNS};
use crate::store::sql::{
    activity_args, activity_where, bind, bind_as, bind_scalar, map_err, stream_rows,
    INSERT_ACTIVITY,
};
use crate::store::{ActivityFilter, ActivityStore, Batches, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl ActivityStore for SqliteStore {
    async fn log_activity(&self, e: &NewActivity) -> StoreResult<()> {
        bind(sqlx::query(INSERT_ACTIVITY), activity_args(e))
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(map_err)
    }

    async fn list_activity(&self, f: &ActivityFilter) -> StoreResult<(Vec<ActivityEntry>, i64)> {
        let (where_sql, args) = activity_where(f);
        let n = args.len();
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity_log {where_sql} \
             ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_as(sqlx::query_as::<_, ActivityRow>(&sql), args.clone())
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(&self.scans)
            .await
            .map_err(map_err)?;
        let count_sql = format!("SELECT COUNT(*) FROM activity_log {where_sql}");
        let total: i64 = bind_scalar(sqlx::query_scalar(&count_sql), args)
            .fetch_one(&self.scans)
            .await
            .map_err(map_err)?;
        Ok((rows.into_iter().map(ActivityEntry::from).collect(), total))
    }

    fn export_activity(&self, f: &ActivityFilter) -> Batches<ActivityEntry> {
        let (where_sql, args) = activity_where(f);
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity_log {where_sql} ORDER BY at DESC, id DESC"
        );
        stream_rows(self.scans.clone(), sql, args, true, |r: ActivityRow| {
            Ok(ActivityEntry::from(r))
        })
    }

    async fn recent_activity(
        &self,
        company_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<ActivityEntry>> {
        let filter = ActivityFilter {
            company_id,
            ..ActivityFilter::default()
        };
        let (where_sql, args) = activity_where(&filter);
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity_log {where_sql} \
             ORDER BY at DESC, id DESC LIMIT ${}",
            args.len() + 1
        );
        let rows = bind_as(sqlx::query_as::<_, ActivityRow>(&sql), args)
            .bind(limit)
            .fetch_all(&self.scans)
            .await
            .map_err(map_err)?;
        Ok(rows.into_iter().map(ActivityEntry::from).collect())
    }
}
