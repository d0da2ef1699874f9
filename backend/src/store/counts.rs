//! Totals of user lists, remembered briefly so that paging through a million
//! users does not count them all again for every page.
//!
//! A remembered total is forgotten at any change to users made through this
//! process, and after [`TTL`] in any case (another instance may have changed
//! them). A total counted while a change happened is not remembered.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 512;

#[derive(Default)]
pub struct CountCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, (i64, Instant)>,
}

impl CountCache {
    /// The remembered total for `key`, if fresh.
    pub fn get(&self, key: &str) -> Option<i64> {
        let inner = self.inner.lock().ok()?;
        inner
            .entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(total, _)| *total)
    }

    /// Where the data stood when a count began.
    pub fn generation(&self) -> u64 {
        self.inner.lock().map(|i| i.generation).unwrap_or(u64::MAX)
    }

    /// Remember `total`, unless something changed since `generation`.
    pub fn put(&self, key: String, total: i64, generation: u64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.retain(|_, (_, at)| at.elapsed() < TTL);
            if inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
            }
        }
        inner.entries.insert(key, (total, Instant::now()));
    }

    /// Users changed: forget every total.
    pub fn invalidate(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.generation = inner.generation.wrapping_add(1);
            inner.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_a_change() {
        let c = CountCache::default();
        let g = c.generation();
        c.put("a".into(), 7, g);
        assert_eq!(c.get("a"), Some(7));
        c.invalidate();
        assert_eq!(c.get("a"), None);
        // A count that raced with a change is not kept.
        c.put("a".into(), 7, g);
        assert_eq!(c.get("a"), None);
    }
}
