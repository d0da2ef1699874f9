//! Argon2id hashing on a few dedicated threads, with bounded concurrency so
//! logins can never starve the request workers or exhaust memory.
//!
//! Two lanes: interactive work (a login, a password change, a user created by
//! hand) always goes first, and bulk work (an import's thousand hashes) runs
//! on at most all but one of the threads, taking turns between clients, so a
//! sign-in never waits behind another client's import.
//!
//! Each hashing thread (one per core) keeps its 19 MiB of argon2 working memory
//! while hashes keep coming and gives it back after a second without one, so a
//! login flood never pays for fresh pages and an idle server holds none. The
//! threads run at a lower priority than the request workers: under a login flood
//! every other request still answers promptly. See docs/benchmarks.md.

use crate::config::Argon2Cost;
use crate::domain::{Password, PasswordHash as Phc};
use crate::error::Error;
use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// How long an idle hashing thread keeps its working memory.
const KEEP_MEMORY: Duration = Duration::from_secs(1);
/// The hashing threads' priority, of thread-priority's 0–99 (the request
/// workers' is the normal one, niceness 0).
const HASHING_PRIORITY: u8 = 25;

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

#[derive(Clone)]
pub struct PasswordService {
    params: Params,
    cost: Argon2Cost,
    hashers: Arc<Hashers>,
    /// A real hash of a random password: unknown users are verified against it so
    /// that they cost the same time as known ones. Made by the first job that
    /// needs it, in a hashing thread's own memory (made at start, its 19 MiB
    /// buffer stayed in the allocator's hands for good).
    dummy_hash: Arc<OnceLock<String>>,
}

/// The answer of a verification.
#[derive(Debug)]
pub struct Verified {
    pub matches: bool,
    /// A fresh hash at the current cost, when the stored one used another.
    pub rehash: Option<Phc>,
}

impl PasswordService {
    pub fn new(cost: Argon2Cost) -> anyhow::Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow::anyhow!("bad argon2 parameters: {e}"))?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            params,
            cost,
            hashers: Hashers::start(threads)?,
            dummy_hash: Arc::default(),
        })
    }

    pub fn cost(&self) -> Argon2Cost {
        self.cost
    }

    /// Hash a new password (PHC string), in the interactive lane.
    pub async fn hash(&self, password: &Password) -> Result<Phc, Error> {
        self.hash_in(password, Lane::Interactive).await
    }

    /// Hash a new password for bulk work of `tenant` (a client's id, or 0 for
    /// the operator's staff): after every interactive job, on at most all but
    /// one of the threads, taking turns with other tenants' bulk work.
    pub async fn hash_bulk(&self, password: &Password, tenant: i64) -> Result<Phc, Error> {
        self.hash_in(password, Lane::Bulk(tenant)).await
    }

    async fn hash_in(&self, password: &Password, lane: Lane) -> Result<Phc, Error> {
        let params = self.params.clone();
        let pw = SecretString::from(password.expose().to_owned());
        self.run(lane, move |memory| {
            hash_with(&params, pw.expose_secret(), memory)
        })
        .await?
        .map(Phc::from_phc)
        .map_err(Error::internal)
    }

    /// Verify a candidate against a stored hash, or against the dummy hash when
    /// there is no user, so both paths cost the same.
    pub async fn verify(
        &self,
        candidate: SecretString,
        stored: Option<Phc>,
    ) -> Result<Verified, Error> {
        let params = self.params.clone();
        let cost = self.cost;
        let known = stored.is_some();
        let stored = stored.map(|h| h.as_str().to_owned());
        let dummy = self.dummy_hash.clone();
        self.run(Lane::Interactive, move |memory| {
            let stored = match &stored {
                Some(stored) => stored.as_str(),
                // (The first unknown user also pays for making the dummy, once.)
                None => dummy.get_or_init(|| {
                    hash_with(&params, &uuid::Uuid::new_v4().to_string(), memory)
                        .unwrap_or_default()
                }),
            };
            let Ok(parsed) = PasswordHash::new(stored) else {
                return Verified {
                    matches: false,
                    rehash: None,
                };
            };
            // The dummy path pays for one verification too, and never matches.
            let matches = verify_with(&parsed, candidate.expose_secret(), memory) && known;
            let rehash = (matches && !has_cost(&parsed, cost))
                .then(|| hash_with(&params, candidate.expose_secret(), memory).ok())
                .flatten()
                .map(Phc::from_phc);
            Verified { matches, rehash }
        })
        .await
    }

    /// How many password jobs (a hash, or a verification with any rehash) have
    /// been handed to the hashing threads since the start, counted as they are
    /// queued: the `clientele_password_hashings_total` metric. The dummy hash
    /// is not among them.
    pub fn hashings(&self) -> u64 {
        self.hashers.submitted.load(Ordering::Relaxed)
    }

    /// Run `f` on a hashing thread, with that thread's working memory.
    async fn run<T: Send + 'static>(
        &self,
        lane: Lane,
        f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move |memory| {
            let _ = tx.send(span.in_scope(|| f(memory)));
        });
        self.hashers.submit(lane, job);
        rx.await
            .map_err(|_| Error::internal(anyhow::anyhow!("hashing task failed")))
    }
}

/// Which queue a job waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    /// Someone is waiting for the answer: a login, a password change.
    Interactive,
    /// A tenant's bulk work (an import).
    Bulk(i64),
}

/// The hashing threads and their queue. They stop when the service is dropped.
struct Hashers {
    shared: Arc<Queue>,
    submitted: AtomicU64,
}

struct Queue {
    state: Mutex<QueueState>,
    ready: Condvar,
    /// Threads bulk jobs may occupy at once: all but one (at least one).
    bulk_threads: usize,
}

#[derive(Default)]
struct QueueState {
    interactive: VecDeque<Job>,
    /// Each tenant's bulk jobs, in order; tenants take turns (the front
    /// tenant gives one job, then goes to the back).
    bulk: VecDeque<(i64, VecDeque<Job>)>,
    /// Bulk jobs running now.
    bulk_running: usize,
    closed: bool,
}

impl QueueState {
    /// The next job a free thread may take, and whether it is bulk work.
    fn next(&mut self, bulk_threads: usize) -> Option<(Job, bool)> {
        if let Some(job) = self.interactive.pop_front() {
            return Some((job, false));
        }
        if self.bulk_running >= bulk_threads {
            return None;
        }
        let (tenant, mut jobs) = self.bulk.pop_front()?;
        let job = jobs.pop_front()?;
        if !jobs.is_empty() {
            self.bulk.push_back((tenant, jobs));
        }
        self.bulk_running += 1;
        Some((job, true))
    }

    fn push(&mut self, lane: Lane, job: Job) {
        match lane {
            Lane::Interactive => self.interactive.push_back(job),
            Lane::Bulk(tenant) => match self.bulk.iter_mut().find(|(t, _)| *t == tenant) {
                Some((_, jobs)) => jobs.push_back(job),
                None => self.bulk.push_back((tenant, VecDeque::from([job]))),
            },
        }
    }

    fn is_empty(&self) -> bool {
        self.interactive.is_empty() && self.bulk.is_empty()
    }
}

impl Hashers {
    fn start(threads: usize) -> anyhow::Result<Arc<Self>> {
        let shared = Arc::new(Queue {
            state: Mutex::new(QueueState::default()),
            ready: Condvar::new(),
            bulk_threads: threads.saturating_sub(1).max(1),
        });
        for i in 0..threads {
            let queue = shared.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || queue.work())
                .context("cannot start a hashing thread")?;
        }
        Ok(Arc::new(Self {
            shared,
            submitted: AtomicU64::new(0),
        }))
    }

    fn submit(&self, lane: Lane, job: Job) {
        self.submitted.fetch_add(1, Ordering::Relaxed);
        let mut state = self.shared.lock();
        state.push(lane, job);
        drop(state);
        // Every thread looks: one busy with bulk work may not take another.
        self.shared.ready.notify_all();
    }
}

impl Drop for Hashers {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_all();
    }
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        // Jobs run outside the lock, so a poisoned lock still guards a sound queue.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A hashing thread: run jobs until the queue is closed and empty; keep the
    /// working memory only while jobs keep coming.
    fn work(&self) {
        lower_priority();
        let mut memory: Vec<Block> = Vec::new();
        let mut state = self.lock();
        loop {
            if let Some((job, bulk)) = state.next(self.bulk_threads) {
                drop(state);
                // A panicking job drops its answer channel (its caller gets an
                // error); the thread lives on.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
                state = self.lock();
                if bulk {
                    state.bulk_running -= 1;
                    // A bulk slot is free: a thread waiting for one may go.
                    self.ready.notify_all();
                }
            } else if state.closed && state.is_empty() {
                return;
            } else if memory.is_empty() {
                state = self
                    .ready
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            } else {
                let (next, waited) = self
                    .ready
                    .wait_timeout(state, KEEP_MEMORY)
                    .unwrap_or_else(PoisonError::into_inner);
                state = next;
                if waited.timed_out() && state.is_empty() {
                    // Idle: give the working memory back.
                    memory = Vec::new();
                }
            }
        }
    }
}

/// Make the calling thread yield to the request workers when both want a core:
/// a quarter of the normal range, niceness 9 on Linux. Failure leaves the
/// default priority, which is harmless.
fn lower_priority() {
    use thread_priority::{set_current_thread_priority, ThreadPriority, ThreadPriorityValue};
    if let Ok(value) = ThreadPriorityValue::try_from(HASHING_PRIORITY) {
        let _ = set_current_thread_priority(ThreadPriority::Crossplatform(value));
    }
}

/// Hash `password` with a fresh salt into a PHC string, in `memory`.
fn hash_with(params: &Params, password: &str, memory: &mut Vec<Block>) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let salt = salt.as_salt();
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("argon2 salt: {e}"))?;
    let output = compute(
        Algorithm::Argon2id,
        Version::V0x13,
        params,
        password,
        salt_bytes,
        memory,
    )
    .map_err(|e| anyhow::anyhow!("argon2 failed: {e}"))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| anyhow::anyhow!("argon2: {e}"))?,
        salt: Some(salt),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches `stored`, whatever argon2 parameters it was made with.
fn verify_with(stored: &PasswordHash<'_>, password: &str, memory: &mut Vec<Block>) -> bool {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(stored.algorithm),
        Params::try_from(stored),
    ) else {
        return false;
    };
    let Ok(version) = stored
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    compute(algorithm, version, &params, password, salt_bytes, memory)
        // `Output` compares in constant time.
        .is_ok_and(|computed| &computed == expected)
}

/// The raw argon2 output, computed in `memory` (grown when too small). The memory
/// need not be clean: argon2 writes every block before it reads it.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &str,
    salt: &[u8],
    memory: &mut Vec<Block>,
) -> Result<Output, argon2::password_hash::Error> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        *memory = vec![Block::default(); blocks];
    }
    let argon = Argon2::new(algorithm, version, params.clone());
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory[..])
            .map_err(Into::into)
    })
}

fn has_cost(hash: &PasswordHash<'_>, cost: Argon2Cost) -> bool {
    let Ok(params) = Params::try_from(hash) else {
        return false;
    };
    hash.algorithm == Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && params.m_cost() == cost.memory_kib
        && params.t_cost() == cost.iterations
        && params.p_cost() == cost.parallelism
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: Argon2Cost = Argon2Cost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn pw(s: &str) -> Password {
        Password::parse(SecretString::from(s.to_owned())).unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let svc = PasswordService::new(CHEAP).unwrap();
        let a = svc.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        let b = svc.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        let ok = svc
            .verify("Tr0ub4dor&3x".to_owned().into(), Some(a.clone()))
            .await
            .unwrap();
        assert!(ok.matches && ok.rehash.is_none());
        let bad = svc
            .verify("wrong-one!".to_owned().into(), Some(a))
            .await
            .unwrap();
        assert!(!bad.matches);
    }

    #[tokio::test]
    async fn unknown_user_never_matches() {
        let svc = PasswordService::new(CHEAP).unwrap();
        let v = svc
            .verify("anything-at-all".to_owned().into(), None)
            .await
            .unwrap();
        assert!(!v.matches);
    }

    #[tokio::test]
    async fn rehashes_when_the_cost_changed() {
        let old = PasswordService::new(CHEAP).unwrap();
        let hash = old.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        let new = PasswordService::new(Argon2Cost {
            memory_kib: 128,
            ..CHEAP
        })
        .unwrap();
        let v = new
            .verify("Tr0ub4dor&3x".to_owned().into(), Some(hash))
            .await
            .unwrap();
        assert!(v.matches);
        assert!(v
            .rehash
            .unwrap()
            .as_str()
            .starts_with("$argon2id$v=19$m=128,t=1,p=1$"));
    }

    #[tokio::test]
    async fn production_cost_is_owasp() {
        let svc = PasswordService::new(Argon2Cost::OWASP).unwrap();
        let hash = svc.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash:?}"
        );
    }

    #[test]
    fn agrees_with_the_argon2_crate_in_reused_memory() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let params = Params::new(256, 2, 1, None).unwrap();
        let stock = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        // Memory left dirty by earlier hashes, as a hashing thread's is.
        let mut memory = vec![Block::default(); 4];
        hash_with(&params, "first-password", &mut memory).unwrap();
        let ours = hash_with(&params, "Tr0ub4dor&3x", &mut memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(stock.verify_password(b"Tr0ub4dor&3x", &parsed).is_ok());
        assert!(stock.verify_password(b"Tr0ub4dor&3y", &parsed).is_err());

        let salt = SaltString::generate(&mut OsRng);
        let theirs = stock
            .hash_password(b"Tr0ub4dor&3x", &salt)
            .unwrap()
            .to_string();
        let theirs = PasswordHash::new(&theirs).unwrap();
        assert!(verify_with(&theirs, "Tr0ub4dor&3x", &mut memory));
        assert!(!verify_with(&theirs, "Tr0ub4dor&3y", &mut memory));
        // Other parameters than the current ones are honoured.
        let other = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(512, 1, 2, None).unwrap(),
        );
        let other = other
            .hash_password(b"x-password", &salt)
            .unwrap()
            .to_string();
        assert!(verify_with(
            &PasswordHash::new(&other).unwrap(),
            "x-password",
            &mut memory
        ));
        assert!(!verify_with(
            &PasswordHash::new("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ").unwrap(),
            "x",
            &mut memory
        ));
    }

    /// One thread: bulk work of two tenants takes turns, and an interactive
    /// job queued behind both runs next.
    #[test]
    fn interactive_first_and_tenants_take_turns() {
        let mut state = QueueState::default();
        let order = Arc::new(Mutex::new(Vec::new()));
        let job = |name: &'static str| -> Job {
            let order = order.clone();
            Box::new(move |_| order.lock().unwrap().push(name))
        };
        for name in ["a1", "a2", "a3"] {
            state.push(Lane::Bulk(1), job(name));
        }
        for name in ["b1", "b2"] {
            state.push(Lane::Bulk(2), job(name));
        }
        state.push(Lane::Interactive, job("login"));
        let mut memory = Vec::new();
        while let Some((job, bulk)) = state.next(1) {
            job(&mut memory);
            if bulk {
                state.bulk_running -= 1;
            }
        }
        assert_eq!(
            *order.lock().unwrap(),
            ["login", "a1", "b1", "a2", "b2", "a3"]
        );
        // With a bulk job running on the one bulk thread, a second waits; an
        // interactive one does not.
        state.push(Lane::Bulk(1), job("a4"));
        state.push(Lane::Bulk(2), job("b3"));
        let (_running, bulk) = state.next(1).unwrap();
        assert!(bulk);
        assert!(
            state.next(1).is_none(),
            "a second bulk job took the last thread"
        );
        state.push(Lane::Interactive, job("login2"));
        assert!(!state.next(1).unwrap().1);
    }

    #[tokio::test]
    async fn many_concurrent_hashes_all_verify() {
        let svc = PasswordService::new(CHEAP).unwrap();
        let hashes = futures_util::future::try_join_all((0..16).map(|i| {
            let svc = svc.clone();
            async move { svc.hash(&pw(&format!("Tr0ub4dor&{i}x"))).await }
        }))
        .await
        .unwrap();
        for (i, h) in hashes.into_iter().enumerate() {
            let v = svc
                .verify(format!("Tr0ub4dor&{i}x").into(), Some(h))
                .await
                .unwrap();
            assert!(v.matches);
        }
    }
}
