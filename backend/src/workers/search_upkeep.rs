//! Merge the users' search index into one part at start and every ten
//! minutes, in small steps (docs/decisions/0013). On SQLite every write leaves
//! the FTS5 index in one more part and a search reads them all: at a million
//! users created one by one, a searched page cost several times what it costs
//! on a merged index. Merging rewrites the whole index (about 3 s of one core
//! at a million users), so it is done at most once per period, and only when
//! something was written since.

use crate::state::AppState;
use actix_web::web;
use std::time::Duration;

/// Pages of the search index one merge step writes at most: the write lock is
/// held for some tens of milliseconds at a time.
const STEP_PAGES: u32 = 500;
/// Between merge steps, other writers have the database.
const PAUSE: Duration = Duration::from_millis(10);
/// How often the search index is brought back to one part.
const EVERY: Duration = Duration::from_secs(600);

pub fn spawn(state: web::Data<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let started = std::time::Instant::now();
            let mut steps = 0u32;
            loop {
                match state.store.search.merge_search_index(STEP_PAGES).await {
                    Ok(true) => {
                        steps += 1;
                        tokio::time::sleep(PAUSE).await;
                    }
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "merging the search index failed");
                        break;
                    }
                }
            }
            if steps > 0 {
                tracing::info!(
                    steps,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "merged the users' search index into one part"
                );
            }
        }
    });
}
