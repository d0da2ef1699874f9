//! Totals of user lists, remembered so that paging through a million users
//! does not count them all again for every page.
//!
//! - A remembered total is forgotten at any change to users made through this
//!   process: the next list counts again.
//! - After [`TTL`] (another instance may have changed them) a total is stale:
//!   it is still answered, and one background count replaces it.
//! - While a total is being counted, every other list of the same filter waits
//!   for that one count instead of starting its own (no stampede of counts
//!   when 32 requests find the same total missing).
//!
//! A total counted while a change happened is not remembered.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

pub const TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 512;

#[derive(Default)]
pub struct CountCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, Entry>,
    /// Counts under way, each shared by every list waiting for it.
    counting: HashMap<String, Arc<OnceCell<i64>>>,
}

struct Entry {
    total: i64,
    at: Instant,
    refreshing: bool,
}

/// What the cache can say of a key right now.
enum Found {
    Fresh(i64),
    /// Old but still right as far as this process knows; `refresh` is set for
    /// the one caller that should count it again.
    Stale {
        total: i64,
        refresh: bool,
    },
    Missing(Arc<OnceCell<i64>>, u64),
}

impl CountCache {
    /// The total for `key`: remembered, or counted by `count` (once, however
    /// many callers ask at the same time).
    pub async fn total<F, Fut, E>(self: &Arc<Self>, key: String, count: F) -> Result<i64, E>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<i64, E>> + Send + 'static,
        E: Send + 'static,
    {
        match self.find(&key) {
            Found::Fresh(total)
            | Found::Stale {
                total,
                refresh: false,
            } => Ok(total),
            Found::Stale {
                total,
                refresh: true,
            } => {
                let cache = Arc::clone(self);
                let generation = self.generation();
                tokio::spawn(async move {
                    match count().await {
                        Ok(fresh) => cache.put(key, fresh, generation),
                        Err(_) => cache.refresh_failed(&key),
                    }
                });
                Ok(total)
            }
            Found::Missing(cell, generation) => {
                let total = *cell.get_or_try_init(count).await?;
                self.put(key, total, generation);
                Ok(total)
            }
        }
    }

    /// The remembered total for `key`, fresh or stale, without counting.
    pub fn peek(&self, key: &str) -> Option<i64> {
        let inner = self.inner.lock().ok()?;
        inner.entries.get(key).map(|e| e.total)
    }

    fn find(&self, key: &str) -> Found {
        let mut inner = match self.inner.lock() {
            Ok(inner) => inner,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(e) = inner.entries.get_mut(key) {
            if e.at.elapsed() < TTL {
                return Found::Fresh(e.total);
            }
            let refresh = !e.refreshing;
            e.refreshing = true;
            return Found::Stale {
                total: e.total,
                refresh,
            };
        }
        let generation = inner.generation;
        let cell = inner.counting.entry(key.to_owned()).or_default().clone();
        Found::Missing(cell, generation)
    }

    /// Where the data stood when a count began.
    fn generation(&self) -> u64 {
        self.inner.lock().map(|i| i.generation).unwrap_or(u64::MAX)
    }

    /// Remember `total`, unless something changed since `generation`.
    fn put(&self, key: String, total: i64, generation: u64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        inner.counting.remove(&key);
        if inner.entries.len() >= MAX_ENTRIES && !inner.entries.contains_key(&key) {
            inner
                .entries
                .retain(|_, e| e.at.elapsed() < TTL || e.refreshing);
            if inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
            }
        }
        let entry = Entry {
            total,
            at: Instant::now(),
            refreshing: false,
        };
        inner.entries.insert(key, entry);
    }

    fn refresh_failed(&self, key: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            if let Some(e) = inner.entries.get_mut(key) {
                e.refreshing = false;
            }
        }
    }

    /// Users changed: forget every total, and let counts under way finish
    /// for those already waiting on them without being remembered.
    pub fn invalidate(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.generation = inner.generation.wrapping_add(1);
            inner.entries.clear();
            inner.counting.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counter(n: &Arc<AtomicUsize>, total: i64) -> impl Future<Output = Result<i64, ()>> {
        let n = Arc::clone(n);
        async move {
            n.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(total)
        }
    }

    #[tokio::test]
    async fn remembers_until_a_change() {
        let c = Arc::new(CountCache::default());
        let n = Arc::new(AtomicUsize::new(0));
        let m = n.clone();
        assert_eq!(c.total("a".into(), move || counter(&m, 7)).await, Ok(7));
        let m = n.clone();
        assert_eq!(c.total("a".into(), move || counter(&m, 8)).await, Ok(7));
        assert_eq!(n.load(Ordering::SeqCst), 1);
        c.invalidate();
        let m = n.clone();
        assert_eq!(c.total("a".into(), move || counter(&m, 8)).await, Ok(8));
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_count_that_raced_with_a_change_is_not_kept() {
        let c = Arc::new(CountCache::default());
        let c2 = Arc::clone(&c);
        let total = c.total("a".into(), move || async move {
            c2.invalidate();
            Ok::<_, ()>(7)
        });
        assert_eq!(total.await, Ok(7));
        let n = Arc::new(AtomicUsize::new(0));
        let m = n.clone();
        assert_eq!(c.total("a".into(), move || counter(&m, 9)).await, Ok(9));
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn callers_at_the_same_time_share_one_count() {
        let c = Arc::new(CountCache::default());
        let n = Arc::new(AtomicUsize::new(0));
        let calls = (0..32).map(|_| {
            let m = n.clone();
            let c = Arc::clone(&c);
            async move { c.total("a".into(), move || counter(&m, 5)).await }
        });
        let totals = futures_util::future::join_all(calls).await;
        assert!(totals.iter().all(|t| *t == Ok(5)));
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_count_is_not_remembered() {
        let c = Arc::new(CountCache::default());
        assert_eq!(
            c.total("a".into(), || async { Err::<i64, _>("down") })
                .await,
            Err("down")
        );
        let n = Arc::new(AtomicUsize::new(0));
        let m = n.clone();
        assert_eq!(c.total("a".into(), move || counter(&m, 3)).await, Ok(3));
    }

    #[tokio::test]
    async fn a_stale_total_is_answered_while_one_count_replaces_it() {
        let c = Arc::new(CountCache::default());
        let n = Arc::new(AtomicUsize::new(0));
        let m = n.clone();
        assert_eq!(c.total("a".into(), move || counter(&m, 1)).await, Ok(1));
        // Age the entry past the TTL.
        if let Some(e) = c.inner.lock().unwrap().entries.get_mut("a") {
            e.at = Instant::now().checked_sub(TTL).unwrap_or(e.at);
        }
        for _ in 0..3 {
            let m = n.clone();
            assert_eq!(c.total("a".into(), move || counter(&m, 2)).await, Ok(1));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let m = n.clone();
        assert_eq!(c.total("a".into(), move || counter(&m, 3)).await, Ok(2));
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }
}
