//! The worker that carries the outbox's changes to each client's own
//! database (docs/decisions/0027). Up to `CLIENTELE_CLIENT_CONNECTIONS`
//! clients are worked on side by side, each pass a task of its own, so a
//! slow client never holds up the others. The worker looks for clients with
//! changes due a tenth of a second after a commit in this process wrote
//! outbox rows (so that a burst of changes is applied in one pass, not one
//! pass each), every second for the rest, and at once when a pass ends with
//! more waiting. One client's rows are applied one batch after another, by
//! one instance at a time (a lease).

use crate::domain::Timestamp;
use crate::services::client_stores::{self, Pass};
use crate::state::AppState;
use actix_web::web;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The longest the worker waits when nothing woke it.
const POLL: Duration = Duration::from_secs(1);
/// How long after a commit the worker waits for the changes that follow it.
const GATHER: Duration = Duration::from_millis(100);
/// Clients asked for at a time.
const ROUND: i64 = 64;
/// How often client databases left behind by a new migration are looked
/// for, and how many at a time.
const STALE_EVERY: Duration = Duration::from_secs(60);
const STALE_BATCH: i64 = 50;

pub fn spawn(state: web::Data<AppState>) {
    tokio::spawn(async move {
        let signal = state.store.outbox.signal();
        let capacity = state.settings.client_connections.max(1);
        let mut running: JoinSet<(i64, Pass)> = JoinSet::new();
        let mut busy: HashSet<i64> = HashSet::new();
        let mut stale_checked: Option<Instant> = None;
        // Look for due clients now; clients were left waiting for a place.
        let mut look = true;
        let mut waiting = false;
        loop {
            if look && busy.len() < capacity {
                waiting = false;
                let mut wanted = match state
                    .store
                    .outbox
                    .due_clients(Timestamp::now(), ROUND)
                    .await
                {
                    Ok(due) => due,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the clients' outbox");
                        Vec::new()
                    }
                };
                if stale_checked.is_none_or(|t| t.elapsed() >= STALE_EVERY) {
                    stale_checked = Some(Instant::now());
                    let latest = state.tenants.latest_version();
                    match state.store.outbox.stale_clients(latest, STALE_BATCH).await {
                        Ok(stale) => wanted.extend(stale),
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot look for clients' databases to migrate")
                        }
                    }
                }
                for client_id in wanted {
                    if busy.len() >= capacity {
                        // The rest wait for a free place.
                        waiting = true;
                        break;
                    }
                    if busy.insert(client_id) {
                        let state = state.clone();
                        running.spawn(async move {
                            let pass = client_stores::sync_client(&state, &state.instance, client_id)
                                .await
                                .unwrap_or_else(|e| {
                                    tracing::warn!(client_id, error = %e, "cannot record a client's pass");
                                    Pass::Failed
                                });
                            (client_id, pass)
                        });
                    }
                }
            }
            look = tokio::select! {
                Some(joined) = running.join_next(), if !running.is_empty() => {
                    match joined {
                        Ok((client_id, pass)) => {
                            busy.remove(&client_id);
                            waiting || matches!(pass, Pass::Applied { more: true, .. })
                        }
                        Err(e) => {
                            // A pass that panicked, its client unknown: start
                            // the count again from the passes still running
                            // (the leases keep any client to one pass at once).
                            tracing::error!(error = %e, "a client's pass ended abnormally");
                            busy.clear();
                            true
                        }
                    }
                }
                _ = signal.notified() => {
                    tokio::time::sleep(GATHER).await;
                    true
                }
                _ = tokio::time::sleep(POLL) => true,
            };
        }
    });
}
