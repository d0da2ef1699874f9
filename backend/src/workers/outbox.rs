//! The worker that carries the outbox's changes to each client's own
//! database (docs/decisions/0027): woken by every commit that wrote outbox
//! rows in this process, and once a second for the rest (another instance's
//! rows, retries that came due). Clients are worked on side by side, up to
//! the number of client connections allowed; one client's rows are applied
//! one batch after another, by one instance at a time.

use crate::domain::Timestamp;
use crate::services::client_stores::{self, Pass};
use crate::state::AppState;
use actix_web::web;
use futures_util::{stream, StreamExt};
use std::time::{Duration, Instant};

/// The longest the worker sleeps when nothing woke it.
const POLL: Duration = Duration::from_secs(1);
/// Clients taken per round.
const ROUND: i64 = 64;
/// How often client databases left behind by a new migration are looked for,
/// and how many are migrated each time.
const STALE_EVERY: Duration = Duration::from_secs(60);
const STALE_BATCH: i64 = 50;

pub fn spawn(state: web::Data<AppState>) {
    tokio::spawn(async move {
        let signal = state.store.outbox.signal();
        let side_by_side = state.settings.client_connections.max(1);
        let mut stale_checked: Option<Instant> = None;
        loop {
            let more = match round(&state, side_by_side).await {
                Ok(more) => more,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the clients' outbox");
                    false
                }
            };
            if stale_checked.is_none_or(|t| t.elapsed() >= STALE_EVERY) {
                stale_checked = Some(Instant::now());
                match client_stores::migrate_stale(&state, STALE_BATCH).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(clients = n, "migrated clients' databases"),
                    Err(e) => tracing::warn!(error = %e, "cannot migrate clients' databases"),
                }
            }
            if !more {
                tokio::select! {
                    _ = signal.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        }
    });
}

/// One round over the clients with changes due: whether any has more waiting.
async fn round(state: &AppState, side_by_side: usize) -> crate::store::StoreResult<bool> {
    let due = state
        .store
        .outbox
        .due_clients(Timestamp::now(), ROUND)
        .await?;
    let passes: Vec<_> = stream::iter(due)
        .map(|client_id| async move {
            (
                client_id,
                client_stores::sync_client(state, client_id).await,
            )
        })
        .buffer_unordered(side_by_side)
        .collect()
        .await;
    let mut more = false;
    for (client_id, pass) in passes {
        match pass {
            Ok(Pass::Applied { more: true, .. }) => more = true,
            Ok(_) => {}
            Err(e) => tracing::warn!(client_id, error = %e, "cannot record a client's sync"),
        }
    }
    Ok(more)
}
