//! [`ThrottleStore`] in Redis (`CLIENTELE_REDIS_URL`): every instance pointed at
//! the same Redis shares the counters, and logins stop writing throttle rows to
//! the database. See docs/decisions/0009-shared-state-in-redis.md.
//!
//! Redis is not trusted: when it is unreachable, slow, or answers anything but
//! what was asked (a protocol error, a wrong type, a value that is not a
//! number or out of range, the wrong number of replies), the counters are kept
//! in the database instead, as without Redis, and Redis is left alone for a
//! few seconds before it is tried again. Nothing Redis answers can lock anyone
//! out or fail a request (decision 0009 says what an outage costs).

use super::{StoreResult, ThrottleState, ThrottleStore};
use crate::domain::Timestamp;
use anyhow::Context;
use async_trait::async_trait;
use deadpool_redis::redis::{self, FromRedisValue};
use deadpool_redis::{Pool, Runtime, Timeouts};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest a Redis round trip (including getting a connection) may take before
/// the database answers instead.
const OP_TIMEOUT: Duration = Duration::from_millis(500);
/// After a failure, how long Redis is left alone.
const PAUSE: Duration = Duration::from_secs(5);

pub struct RedisThrottle {
    pool: Pool,
    prefix: String,
    /// Failures are forgotten this long after the last one.
    window: Duration,
    /// No lock lasts longer than this (the longer of the throttle's cap and
    /// its window, which the reset limit locks for): a later one is garbage.
    longest_lock: Duration,
    fallback: Arc<dyn ThrottleStore>,
    started: Instant,
    /// Milliseconds since `started` before which Redis is not tried.
    paused_until: AtomicU64,
    /// Is Redis currently being avoided? (Logged once per outage.)
    down: AtomicBool,
}

impl RedisThrottle {
    /// A pool for `url`. Nothing is connected yet: a Redis that is down when
    /// the service starts is the same as one that goes down later.
    pub fn new(
        url: &str,
        prefix: &str,
        window: Duration,
        max_lock: Duration,
        fallback: Arc<dyn ThrottleStore>,
    ) -> anyhow::Result<Self> {
        // The URL may hold a password: never put it in a message.
        let pool = deadpool_redis::Config::from_url(url)
            .builder()
            .ok()
            .context("CLIENTELE_REDIS_URL is not a valid redis:// URL")?
            .max_size(16)
            .timeouts(Timeouts {
                wait: Some(OP_TIMEOUT),
                create: Some(OP_TIMEOUT),
                recycle: Some(OP_TIMEOUT),
            })
            .runtime(Runtime::Tokio1)
            .build()
            .ok()
            .context("cannot set up the Redis connection pool")?;
        Ok(Self {
            pool,
            prefix: format!("{prefix}throttle:"),
            window,
            longest_lock: window.max(max_lock),
            fallback,
            started: Instant::now(),
            paused_until: AtomicU64::new(0),
            down: AtomicBool::new(false),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Run `pipe` on Redis and read its answer as `T`; `None` when Redis is
    /// paused, fails, is too slow or answers something else.
    async fn shared<T: FromRedisValue>(&self, pipe: &redis::Pipeline) -> Option<T> {
        if self.elapsed_ms() < self.paused_until.load(Ordering::Relaxed) {
            return None;
        }
        let attempt = async {
            let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
            pipe.query_async::<T>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        };
        let outcome = match tokio::time::timeout(OP_TIMEOUT, attempt).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("no answer within {} ms", OP_TIMEOUT.as_millis())),
        };
        match outcome {
            Ok(value) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis answers again: throttling counts there again");
                }
                Some(value)
            }
            Err(error) => {
                self.pause(&error);
                None
            }
        }
    }

    fn pause(&self, error: &str) {
        self.paused_until.store(
            self.elapsed_ms() + PAUSE.as_millis() as u64,
            Ordering::Relaxed,
        );
        if !self.down.swap(true, Ordering::Relaxed) {
            // Debug-quoted and cut short: the text may come from whatever
            // answered on Redis's port.
            let error: String = error.chars().take(200).collect();
            tracing::warn!(
                error = ?error,
                "Redis failed; throttling counts in the database until it answers again"
            );
        }
    }
}

/// What Redis holds for one counter: failures, last failure, locked until.
type Fields = (Option<i64>, Option<i64>, Option<i64>);

#[async_trait]
impl ThrottleStore for RedisThrottle {
    /// The states of `keys` in Redis and in the database (a key may appear in
    /// both).
    async fn throttle_states(&self, keys: &[String]) -> StoreResult<Vec<ThrottleState>> {
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("HMGET")
                .arg(self.key(key))
                .arg("failures")
                .arg("last")
                .arg("locked_until");
        }
        // The database's counters are read as well: a lock set there while
        // Redis was failing still holds once Redis answers again.
        let mut states = self.fallback.throttle_states(keys).await?;
        let Some(rows) = self.shared::<Vec<Fields>>(&pipe).await else {
            return Ok(states);
        };
        // A lock before 1970, or beyond the longest we set (with a minute
        // for clocks), was not written by us: believe none of this answer.
        let latest = Timestamp::now()
            .millis()
            .saturating_add(self.longest_lock.as_millis() as i64 + 60_000);
        let out_of_range = |u: &Option<i64>| u.is_some_and(|u| !(0..=latest).contains(&u));
        if rows.iter().any(|(_, _, u)| out_of_range(u)) {
            self.pause("a lock out of range");
            return Ok(states);
        }
        states.extend(
            keys.iter()
                .zip(rows)
                .filter(|(_, (f, l, u))| f.is_some() || l.is_some() || u.is_some())
                .map(|(key, (f, l, u))| ThrottleState {
                    key: key.clone(),
                    failures: f.unwrap_or(0),
                    last_failure: Timestamp::from_millis(l.unwrap_or(0)),
                    locked_until: Timestamp::from_millis(u.unwrap_or(0)),
                }),
        );
        Ok(states)
    }

    async fn record_throttle_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<i64> {
        // The counter vanishes a window after its last failure: the next one
        // starts again at 1, as the SQL store's does.
        let k = self.key(key);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("HINCRBY")
            .arg(&k)
            .arg("failures")
            .arg(1)
            .cmd("HSET")
            .arg(&k)
            .arg("last")
            .arg(now.millis())
            .ignore()
            .cmd("PEXPIRE")
            .arg(&k)
            .arg(self.window.as_millis() as u64)
            .ignore();
        match self.shared::<(i64,)>(&pipe).await {
            Some((count,)) if count >= 1 => Ok(count),
            Some(_) => {
                self.pause("a failure count below one");
                self.fallback
                    .record_throttle_failure(key, now, window_start)
                    .await
            }
            None => {
                self.fallback
                    .record_throttle_failure(key, now, window_start)
                    .await
            }
        }
    }

    async fn lock_throttle_key(&self, key: &str, until: Timestamp) -> StoreResult<()> {
        let k = self.key(key);
        let lock_ms = (until.millis() - Timestamp::now().millis()).max(0) as u64;
        let keep_ms = lock_ms.max(self.window.as_millis() as u64);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("HSET")
            .arg(&k)
            .arg("locked_until")
            .arg(until.millis())
            .ignore()
            .cmd("PEXPIRE")
            .arg(&k)
            .arg(keep_ms)
            .ignore();
        match self.shared::<()>(&pipe).await {
            Some(()) => Ok(()),
            // The failure was counted in Redis; the lock goes to the database,
            // where the next check (with Redis paused) reads it.
            None => self.fallback.lock_throttle_key(key, until).await,
        }
    }

    /// Redis forgets its counters by itself (they carry TTLs); those kept in
    /// the database while Redis was away are purged there.
    async fn purge_throttle(&self, before: Timestamp, now: Timestamp) -> StoreResult<u64> {
        self.fallback.purge_throttle(before, now).await
    }

    async fn clear_throttle_keys(&self, keys: &[String]) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        pipe.cmd("DEL")
            .arg(keys.iter().map(|k| self.key(k)).collect::<Vec<_>>())
            .ignore();
        // The database's too: counts it took while Redis was failing must not
        // come back at the next outage.
        let _ = self.shared::<()>(&pipe).await;
        self.fallback.clear_throttle_keys(keys).await
    }
}
