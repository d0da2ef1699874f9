//! The dashboard's figures, on SQLite.

use super::SqliteStore;
use crate::domain::Timestamp;
use crate::store::sql::{dashboard_sql, map_err, ms};
use crate::store::{DashboardFigures, StatsStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl StatsStore for SqliteStore {
    async fn dashboard_figures(
        &self,
        company_id: Option<i64>,
        days_from: Timestamp,
        weeks_from: Timestamp,
    ) -> StoreResult<DashboardFigures> {
        let [clients, users, logins, weeks] = dashboard_sql(company_id.is_some());
        let mut q = sqlx::query_as::<_, (i64, i64)>(&clients);
        if let Some(c) = company_id {
            q = q.bind(c);
        }
        let (clients_total, clients_active) = q.fetch_one(&self.scans).await.map_err(map_err)?;
        let mut q = sqlx::query_as::<_, (i64, i64)>(&users);
        if let Some(c) = company_id {
            q = q.bind(c);
        }
        let (users_total, users_active) = q.fetch_one(&self.scans).await.map_err(map_err)?;
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(&logins).bind(ms(days_from));
        if let Some(c) = company_id {
            q = q.bind(c);
        }
        let logins_by_day = q.fetch_all(&self.scans).await.map_err(map_err)?;
        let mut q = sqlx::query_as::<_, (i64, i64)>(&weeks).bind(ms(weeks_from));
        if let Some(c) = company_id {
            q = q.bind(c);
        }
        let new_clients_by_week = q.fetch_all(&self.scans).await.map_err(map_err)?;
        Ok(DashboardFigures {
            counted_at: Timestamp::now(),
            clients_total,
            clients_active,
            users_total,
            users_active,
            logins_by_day,
            new_clients_by_week,
        })
    }
}
