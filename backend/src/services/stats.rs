//! The dashboard's figures (`GET /api/stats`): clients, users, logins and the
//! latest activity, scoped like everything else and each part shown only to a
//! caller holding the permission its own list needs.
//!
//! Counting a million users is a scan, so the store remembers the counts of
//! each scope (all clients, or one company) for ten seconds at most, and
//! counts them again in the background from eight seconds on, so that steady
//! use never waits for a count; the latest activity is read fresh (an index
//! gives it).

use crate::auth::Caller;
use crate::domain::{ActivityEntry, Permission, Timestamp};
use crate::error::Error;
use crate::state::AppState;
use crate::store::{DAY_MS, FIRST_MONDAY_MS, WEEK_MS};

/// Days of logins, and weeks of new clients, the charts show.
pub const DAYS: i64 = 30;
pub const WEEKS: i64 = 12;
/// Entries of the latest activity.
pub const RECENT: i64 = 10;

/// One day of logins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayLogins {
    /// Days since the epoch (UTC).
    pub day: i64,
    pub logins: i64,
    pub failed: i64,
}

/// One week (from a Monday) of new clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekClients {
    /// The week's Monday, in days since the epoch.
    pub monday: i64,
    pub count: i64,
}

/// What the caller may see of the dashboard; `None` where it lacks the permission.
#[derive(Debug)]
pub struct Dashboard {
    /// When the counts were made (at most [`FIGURES_TTL`] ago).
    pub counted_at: Timestamp,
    /// `(total, active)`, permission 20.
    pub clients: Option<(i64, i64)>,
    /// `(total, active)`, permission 1.
    pub users: Option<(i64, i64)>,
    /// Permission 20: [`WEEKS`] weeks, oldest first, this week last.
    pub new_clients_per_week: Option<Vec<WeekClients>>,
    /// Permission 50: [`DAYS`] days, oldest first, today last.
    pub logins_per_day: Option<Vec<DayLogins>>,
    /// Permission 50: newest first.
    pub recent_activity: Option<Vec<ActivityEntry>>,
}

pub async fn dashboard(state: &AppState, caller: &Caller) -> Result<Dashboard, Error> {
    let held = caller.user.effective_permissions();
    let scope = caller.scope();
    let now = Timestamp::now();
    let today = now.millis().div_euclid(DAY_MS);
    let this_week = (now.millis() - FIRST_MONDAY_MS).div_euclid(WEEK_MS);
    let first_day = today - (DAYS - 1);
    let first_week = this_week - (WEEKS - 1);
    let f = state
        .store
        .stats
        .dashboard_figures(
            scope,
            Timestamp::from_millis(first_day * DAY_MS),
            Timestamp::from_millis(FIRST_MONDAY_MS + first_week * WEEK_MS),
        )
        .await?;
    let may = |p: Permission| held.contains(p);
    let logins_per_day = (first_day..=today)
        .map(|day| {
            let (logins, failed) = f
                .logins_by_day
                .iter()
                .find(|(d, _, _)| *d == day)
                .map_or((0, 0), |(_, l, x)| (*l, *x));
            DayLogins {
                day,
                logins,
                failed,
            }
        })
        .collect();
    let new_clients_per_week = (first_week..=this_week)
        .map(|week| WeekClients {
            monday: (FIRST_MONDAY_MS + week * WEEK_MS) / DAY_MS,
            count: f
                .new_clients_by_week
                .iter()
                .find(|(w, _)| *w == week)
                .map_or(0, |(_, c)| *c),
        })
        .collect();
    let recent_activity = if may(Permission::ViewActivityLogs) {
        Some(state.store.activity.recent_activity(scope, RECENT).await?)
    } else {
        None
    };
    Ok(Dashboard {
        counted_at: f.counted_at,
        clients: may(Permission::ViewCustomers).then_some((f.clients_total, f.clients_active)),
        users: may(Permission::ViewUsers).then_some((f.users_total, f.users_active)),
        new_clients_per_week: may(Permission::ViewCustomers).then_some(new_clients_per_week),
        logins_per_day: may(Permission::ViewActivityLogs).then_some(logins_per_day),
        recent_activity,
    })
}
