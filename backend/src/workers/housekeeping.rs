//! Forget stale throttling counters and expired sessions every ten minutes.

use crate::domain::Timestamp;
use crate::state::AppState;
use actix_web::web;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(600);

pub fn spawn(state: web::Data<AppState>) {
    let window = state.settings.throttle.window;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let now = Timestamp::now();
            let before = Timestamp::from_millis(now.millis() - window.as_millis() as i64);
            if let Err(e) = state.store.throttle.purge_throttle(before, now).await {
                tracing::warn!(error = %e, "housekeeping of the throttle counters failed");
            }
            if let Err(e) = state.store.sessions.purge_expired_sessions(before).await {
                tracing::warn!(error = %e, "housekeeping of the sessions failed");
            }
        }
    });
}
