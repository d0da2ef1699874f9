//! `/api/stats`: the dashboard's figures.

use super::activity::ActivityEntryView;
use super::responses::NotAuthenticated;
use crate::auth::Caller;
use crate::error::{ErrorBody, Result};
use crate::services::stats;
use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The dashboard's figures. Each part is null when the caller lacks the
/// permission its own list needs.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// When the counts were made: they may be up to ten seconds old.
    #[serde(with = "crate::routes::rfc3339")]
    pub generated_at: DateTime<Utc>,
    /// The clients in the caller's scope (permission 20).
    pub clients: Option<ClientCounts>,
    /// The users in the caller's scope, the operator's staff included for
    /// operator staff (permission 1).
    pub users: Option<UserCounts>,
    /// Today's logins (UTC), successful and failed (permission 50).
    pub logins: Option<LoginCounts>,
    /// New clients in each of the last 12 weeks (from Mondays, UTC), oldest
    /// first, this week last (permission 20).
    pub new_clients_per_week: Option<Vec<WeekCount>>,
    /// Logins on each of the last 30 days (UTC), oldest first, today last
    /// (permission 50).
    pub logins_per_day: Option<Vec<DayCount>>,
    /// The latest entries of the activity log, newest first, at most 10
    /// (permission 50).
    pub recent_activity: Option<Vec<ActivityEntryView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientCounts {
    pub total: i64,
    pub active: i64,
    pub inactive: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserCounts {
    pub total: i64,
    pub active: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginCounts {
    pub today: i64,
    pub failed_today: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WeekCount {
    /// The week's Monday.
    pub week_start: NaiveDate,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayCount {
    pub date: NaiveDate,
    /// Successful logins.
    pub count: i64,
    /// Failed logins.
    pub failed: i64,
}

fn date(days_since_epoch: i64) -> NaiveDate {
    DateTime::from_timestamp(days_since_epoch * 86_400, 0)
        .unwrap_or_default()
        .date_naive()
}

impl From<stats::Dashboard> for Stats {
    fn from(d: stats::Dashboard) -> Self {
        let days = d.logins_per_day.map(|days| {
            days.into_iter()
                .map(|l| DayCount {
                    date: date(l.day),
                    count: l.logins,
                    failed: l.failed,
                })
                .collect::<Vec<_>>()
        });
        Self {
            generated_at: d.counted_at.to_datetime(),
            clients: d.clients.map(|(total, active)| ClientCounts {
                total,
                active,
                inactive: total - active,
            }),
            users: d.users.map(|(total, active)| UserCounts { total, active }),
            logins: days.as_ref().map(|days| LoginCounts {
                today: days.last().map_or(0, |d| d.count),
                failed_today: days.last().map_or(0, |d| d.failed),
            }),
            new_clients_per_week: d.new_clients_per_week.map(|weeks| {
                weeks
                    .into_iter()
                    .map(|w| WeekCount {
                        week_start: date(w.monday),
                        count: w.count,
                    })
                    .collect()
            }),
            logins_per_day: days,
            recent_activity: d
                .recent_activity
                .map(|entries| entries.iter().map(ActivityEntryView::from).collect()),
        }
    }
}

/// The dashboard's figures, of every client for operator staff and of its own
/// company for a client's user. The counts are made at most every ten seconds
/// for each scope; the latest activity is read at each call.
#[utoipa::path(
    tag = "stats",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures the caller may see", body = Stats),
        NotAuthenticated,
        (status = 403, description = "The caller must change its password first", body = ErrorBody),
    )
)]
#[get("")]
pub async fn get_stats(state: Data<AppState>, caller: Caller) -> Result<Json<Stats>> {
    Ok(Json(stats::dashboard(&state, &caller).await?.into()))
}
