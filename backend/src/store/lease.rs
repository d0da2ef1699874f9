//! Connections leased from a sqlx pool and taken back without a round trip
//! (decision 0021).
//!
//! sqlx's pool pings every connection it takes back (`Sync` and its answer on
//! PostgreSQL, a trip to the connection's thread on SQLite), so that one whose
//! query was cancelled, or whose transaction was dropped, is cleaned before it
//! is used again. That is a second round trip for every statement. [`Conns`]
//! keeps a connection whose statement completed, with nothing left to send, in
//! a list of its own for the next statement, and hands every other one back
//! to sqlx, ping included:
//!
//! - a statement run through `&Conns` (its [`Executor`]) parks its connection
//!   only once it has completed without an error; one cancelled midway or
//!   failed goes back through sqlx;
//! - a connection used directly ([`Lease`]'s `DerefMut`: transactions,
//!   scripts) always goes back through sqlx;
//! - [`Conns::lease`] takes the most recently parked connection. With none
//!   parked it joins a queue, first come first served, and a task of its own
//!   asks sqlx for a connection; a connection being parked, or the one sqlx
//!   gives, goes to the head of the queue, so nothing waits on sqlx for a
//!   connection that sits in the list, and a request that just came never
//!   overtakes one waiting;
//! - a connection that was parked for over [`PARKED_FOR`] goes back to sqlx
//!   (the next lease or a sweeping task finds it: within two periods), and
//!   so does one every [`SQLX_EVERY`] statements, so that sqlx's idle timeout,
//!   its lifetime limit and its check of an idle connection still apply.

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Database, Describe, Either, Execute, Executor, Pool, TransactionManager};
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How long a connection stays parked before it goes back to sqlx's pool.
pub const PARKED_FOR: Duration = Duration::from_secs(1);

/// After this many statements a connection goes back to sqlx's pool (and
/// its ping) even when it is clean, so that sqlx's `max_lifetime` still
/// applies to connections that never sit idle.
const SQLX_EVERY: u32 = 1000;

/// A sqlx pool with a list of connections parked between statements.
pub struct Conns<DB: Database> {
    inner: Arc<Inner<DB>>,
}

impl<DB: Database> Clone for Conns<DB> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<DB: Database> std::fmt::Debug for Conns<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conns")
            .field("pool", &self.inner.pool)
            .field("parked", &self.parked())
            .finish()
    }
}

struct Inner<DB: Database> {
    pool: Pool<DB>,
    /// How long a connection stays parked ([`PARKED_FOR`] but in tests).
    parked_for: Duration,
    state: Mutex<State<DB>>,
}

/// A connection and how many statements it has run since sqlx last had it.
type Used<DB> = (PoolConnection<DB>, u32);

/// What a lease waiting in the queue is handed.
type Handed<DB> = Result<Used<DB>, sqlx::Error>;

struct State<DB: Database> {
    /// Parked connections, the most recently parked last, with when. Never
    /// any while a lease waits: a connection being parked goes to the first
    /// one waiting instead.
    parked: Vec<(Used<DB>, Instant)>,
    /// Leases waiting for a connection, the first to come first.
    waiting: VecDeque<oneshot::Sender<Handed<DB>>>,
    /// Tasks asking sqlx for a connection for the queue: never more than
    /// leases waiting, so none is left waiting on sqlx for nobody.
    fetching: usize,
}

impl<DB: Database> State<DB> {
    /// Forget the leases that stopped waiting; how many still wait.
    fn still_waiting(&mut self) -> usize {
        self.waiting.retain(|waiting| !waiting.is_closed());
        self.waiting.len()
    }
}

impl<DB: Database> Inner<DB> {
    fn state(&self) -> std::sync::MutexGuard<'_, State<DB>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hand `used` to the first lease waiting for one, or else park it.
    fn park(&self, used: Used<DB>) {
        park_in(&mut self.state(), used);
    }

    /// Hand every connection parked for too long back to sqlx.
    fn sweep(&self) {
        let stale: Vec<_> = {
            let mut state = self.state();
            let keep = state
                .parked
                .iter()
                .position(|(_, since)| since.elapsed() <= self.parked_for)
                .unwrap_or(state.parked.len());
            state.parked.drain(..keep).collect()
        };
        // Dropped outside the lock: sqlx takes them back (and pings them).
        drop(stale);
    }
}

/// Hand `used` to the first lease waiting for one, or else park it.
fn park_in<DB: Database>(state: &mut State<DB>, used: Used<DB>) {
    if let Some(Ok(used)) = hand(state, Ok(used)) {
        state.parked.push((used, Instant::now()));
    }
}

/// Send `item` to the first lease still waiting (one that timed out or was
/// dropped refuses it); `item` back if none is.
fn hand<DB: Database>(state: &mut State<DB>, mut item: Handed<DB>) -> Option<Handed<DB>> {
    while let Some(waiting) = state.waiting.pop_front() {
        match waiting.send(item) {
            Ok(()) => return None,
            Err(back) => item = back,
        }
    }
    Some(item)
}

impl<DB: Database> Conns<DB> {
    /// Lease connections from `pool`. Inside a tokio runtime, a task hands
    /// connections parked for over [`PARKED_FOR`] back to sqlx; it ends with
    /// the last clone of the returned value.
    pub fn new(pool: Pool<DB>) -> Self {
        Self::parking_for(pool, PARKED_FOR)
    }

    fn parking_for(pool: Pool<DB>, parked_for: Duration) -> Self {
        let inner = Arc::new(Inner {
            pool,
            parked_for,
            state: Mutex::new(State {
                parked: Vec::new(),
                waiting: VecDeque::new(),
                fetching: 0,
            }),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep_while_alive(Arc::downgrade(&inner), parked_for));
        }
        Self { inner }
    }

    /// The sqlx pool underneath.
    pub fn pool(&self) -> &Pool<DB> {
        &self.inner.pool
    }

    /// How many connections are parked.
    pub fn parked(&self) -> usize {
        self.inner.state().parked.len()
    }

    /// A connection: the most recently parked one if there is one. Otherwise
    /// the lease joins the queue, and, unless as many tasks as leases waiting
    /// already do, a task asks sqlx for one more connection; whatever comes
    /// first, a connection being parked or sqlx's, goes to the head of the
    /// queue (within the pool's acquire timeout, as `Pool::acquire`).
    pub async fn lease(&self) -> Result<Lease<DB>, sqlx::Error> {
        let inner = &self.inner;
        let mut stale = Vec::new();
        let (handed, fetch) = {
            let mut state = inner.state();
            loop {
                match state.parked.pop() {
                    Some((used, since)) if since.elapsed() <= inner.parked_for => {
                        drop(state);
                        drop(stale);
                        return Ok(Lease::new(used, inner));
                    }
                    Some((stale_one, _)) => stale.push(stale_one),
                    None => break,
                }
            }
            let (tx, rx) = oneshot::channel();
            state.waiting.push_back(tx);
            let fetch = state.fetching < state.still_waiting();
            if fetch {
                state.fetching += 1;
            }
            (rx, fetch)
        };
        // Outside the lock: sqlx takes them back (and pings them).
        drop(stale);
        if fetch {
            tokio::spawn(fetch_for_queue(inner.clone()));
        }
        let timeout = inner.pool.options().get_acquire_timeout();
        match tokio::time::timeout(timeout, handed).await {
            Ok(Ok(Ok(used))) => Ok(Lease::new(used, inner)),
            Ok(Ok(Err(e))) => Err(e),
            // The sender is dropped only with the state: never while `self`
            // lives.
            Ok(Err(_)) => Err(sqlx::Error::PoolClosed),
            Err(_) => Err(sqlx::Error::PoolTimedOut),
        }
    }
}

/// Ask sqlx for a connection for the queue: it goes to whoever heads the
/// queue by then, or is parked. Never cancelled, so it never drops a
/// connection sqlx is opening. On sqlx's timeout it asks again while more
/// leases wait than tasks ask for them.
async fn fetch_for_queue<DB: Database>(inner: Arc<Inner<DB>>) {
    loop {
        let got = inner.pool.acquire().await;
        let mut state = inner.state();
        match got {
            Ok(conn) => {
                state.fetching -= 1;
                park_in(&mut state, (conn, 0));
                return;
            }
            Err(sqlx::Error::PoolTimedOut) if state.still_waiting() >= state.fetching => {}
            // Timed out with enough others asking: the leases waiting have
            // timeouts of their own.
            Err(sqlx::Error::PoolTimedOut) => {
                state.fetching -= 1;
                return;
            }
            Err(e) => {
                state.fetching -= 1;
                let _ = hand(&mut state, Err(e));
                return;
            }
        }
    }
}

async fn sweep_while_alive<DB: Database>(inner: Weak<Inner<DB>>, period: Duration) {
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match inner.upgrade() {
            Some(inner) => inner.sweep(),
            None => return,
        }
    }
}

/// A leased connection. Dropped, it is parked if its last statement through
/// [`Conns`]'s executor completed, nothing is left to send and it was never
/// used directly; otherwise it goes back to sqlx's pool (which pings it, or
/// closes it if [`Lease::close_on_drop`] was called).
pub struct Lease<DB: Database> {
    conn: Option<PoolConnection<DB>>,
    /// Statements run since sqlx last had the connection.
    uses: u32,
    home: Arc<Inner<DB>>,
    /// A statement is running, or was cancelled or failed midway.
    busy: bool,
    /// Handed out through `DerefMut`: what it was used for is not known.
    direct: bool,
}

impl<DB: Database> Lease<DB> {
    fn new((conn, uses): Used<DB>, home: &Arc<Inner<DB>>) -> Self {
        Self {
            conn: Some(conn),
            uses,
            home: home.clone(),
            busy: false,
            direct: false,
        }
    }

    /// The connection, for a statement whose end [`Lease::busy`] tracks.
    fn conn(&mut self) -> &mut DB::Connection {
        match self.conn.as_mut() {
            Some(conn) => conn,
            None => unreachable!("a lease holds its connection until dropped"),
        }
    }

    /// A transaction on the leased connection, which goes back through sqlx's
    /// pool afterwards (a dropped transaction's rollback is sent there).
    pub async fn begin_with(
        &mut self,
        statement: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Result<sqlx::Transaction<'_, DB>, sqlx::Error> {
        self.deref_mut().begin_with(statement).await
    }

    /// Close the connection instead of returning it to the pool.
    pub fn close_on_drop(&mut self) {
        self.direct = true;
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}

impl<DB: Database> Deref for Lease<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        match self.conn.as_ref() {
            Some(conn) => conn,
            None => unreachable!("a lease holds its connection until dropped"),
        }
    }
}

impl<DB: Database> DerefMut for Lease<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.direct = true;
        self.conn()
    }
}

impl<DB: Database> Drop for Lease<DB> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let uses = self.uses.saturating_add(1);
            let in_transaction = DB::TransactionManager::get_transaction_depth(&conn) > 0;
            if !self.busy
                && !self.direct
                && !conn.should_flush()
                && !in_transaction
                && uses < SQLX_EVERY
            {
                self.home.park((conn, uses));
            }
            // Otherwise dropped here: sqlx takes it back.
        }
    }
}

impl<'p, DB: Database> Executor<'p> for &'_ Conns<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    type Database = DB;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<DB::QueryResult, DB::Row>, sqlx::Error>>
    where
        E: 'q + Execute<'q, DB>,
    {
        let conns = self.clone();
        Box::pin(async_stream::try_stream! {
            let mut lease = conns.lease().await?;
            lease.busy = true;
            {
                let mut rows = lease.conn().fetch_many(query);
                while let Some(row) = rows.try_next().await? {
                    yield row;
                }
            }
            lease.busy = false;
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, sqlx::Error>>
    where
        E: 'q + Execute<'q, DB>,
    {
        let conns = self.clone();
        Box::pin(async move {
            let mut lease = conns.lease().await?;
            lease.busy = true;
            let row = lease.conn().fetch_optional(query).await?;
            lease.busy = false;
            Ok(row)
        })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [DB::TypeInfo],
    ) -> BoxFuture<'e, Result<DB::Statement<'q>, sqlx::Error>> {
        let conns = self.clone();
        Box::pin(async move {
            let mut lease = conns.lease().await?;
            lease.busy = true;
            let statement = lease.conn().prepare_with(sql, parameters).await?;
            lease.busy = false;
            Ok(statement)
        })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<DB>, sqlx::Error>> {
        let conns = self.clone();
        Box::pin(async move {
            let mut lease = conns.lease().await?;
            lease.busy = true;
            let described = lease.conn().describe(sql).await?;
            lease.busy = false;
            Ok(described)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::pool::PoolOptions;
    use sqlx::{Postgres, Sqlite};

    /// A pool of at most `max` connections to a fresh SQLite file, or to the
    /// test PostgreSQL server (`TEST_DATABASE_URL`).
    async fn sqlite(max: u32) -> (Pool<Sqlite>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("lease.db").display()
        );
        let pool = PoolOptions::<Sqlite>::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(60))
            .connect(&url)
            .await
            .expect("SQLite opens");
        (pool, dir)
    }

    async fn postgres(max: u32) -> Option<(Pool<Postgres>, ())> {
        let url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let pool = PoolOptions::<Postgres>::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(60))
            .connect(&url)
            .await;
        match pool {
            Ok(pool) => Some((pool, ())),
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
                panic!("PostgreSQL is required under CI=true: {e}")
            }
            Err(e) => {
                eprintln!("!!! SKIPPED: the PostgreSQL half of this lease test ({e})");
                None
            }
        }
    }

    /// Wait (up to 10 s) until sqlx's pool holds `n` idle connections: it
    /// takes one back in a task of its own, after its ping.
    async fn idle_in_sqlx<DB: Database>(pool: &Pool<DB>, n: usize) {
        let waited = tokio::time::timeout(Duration::from_secs(10), async {
            while pool.num_idle() != n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "sqlx's pool holds {} idle, not {n}",
            pool.num_idle()
        );
    }

    macro_rules! on_both_stores {
        ($name:ident, $max:expr, |$pool:ident| $body:block) => {
            mod $name {
                use super::*;

                #[tokio::test]
                async fn sqlite() {
                    let ($pool, _dir) = super::sqlite($max).await;
                    $body
                }

                #[tokio::test]
                async fn postgres() {
                    let Some(($pool, ())) = super::postgres($max).await else {
                        return;
                    };
                    $body
                }
            }
        };
    }

    on_both_stores!(
        a_completed_statement_parks_its_connection_for_the_next,
        4,
        |pool| {
            let conns = Conns::new(pool.clone());
            for _ in 0..3 {
                let one: i32 = sqlx::query_scalar("SELECT 1")
                    .fetch_one(&conns)
                    .await
                    .expect("the statement runs");
                assert_eq!(one, 1);
                assert_eq!(conns.parked(), 1, "parked, not handed back to sqlx");
                assert_eq!(
                    (pool.size(), pool.num_idle()),
                    (1, 0),
                    "one connection, reused"
                );
            }
            let rows: Vec<i32> = sqlx::query_scalar("SELECT 2 UNION ALL SELECT 3")
                .fetch_all(&conns)
                .await
                .expect("the statement runs");
            assert_eq!(rows, [2, 3]);
            assert_eq!((conns.parked(), pool.size()), (1, 1));
        }
    );

    on_both_stores!(a_failed_statement_goes_back_through_sqlx, 4, |pool| {
        let conns = Conns::new(pool.clone());
        let failed = sqlx::query("SELECT * FROM no_such_table")
            .execute(&conns)
            .await;
        assert!(failed.is_err());
        assert_eq!(conns.parked(), 0);
        idle_in_sqlx(&pool, 1).await;
    });

    on_both_stores!(
        a_statement_dropped_midway_goes_back_through_sqlx,
        4,
        |pool| {
            let conns = Conns::new(pool.clone());
            let sql =
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
                   SELECT i FROM n";
            {
                let mut rows = sqlx::query_scalar::<_, i32>(sql).fetch(&conns);
                let first = rows.try_next().await.expect("a row comes");
                assert_eq!(first, Some(1));
            }
            assert_eq!(conns.parked(), 0);
            idle_in_sqlx(&pool, 1).await;
            // And the connection is ready for the next statement.
            let one: i32 = sqlx::query_scalar("SELECT 1")
                .fetch_one(&conns)
                .await
                .expect("it runs");
            assert_eq!((one, conns.parked()), (1, 1));
        }
    );

    on_both_stores!(
        a_connection_used_directly_goes_back_through_sqlx,
        4,
        |pool| {
            let conns = Conns::new(pool.clone());
            {
                let mut lease = conns.lease().await.expect("a connection");
                let mut tx = lease.begin_with("BEGIN").await.expect("a transaction");
                sqlx::query("SELECT 1")
                    .execute(&mut *tx)
                    .await
                    .expect("it runs");
                // Dropped without a commit: sqlx rolls it back.
            }
            assert_eq!(conns.parked(), 0);
            idle_in_sqlx(&pool, 1).await;
            let mut conn = pool.acquire().await.expect("the connection");
            let mut tx = conn
                .begin_with("BEGIN")
                .await
                .expect("no transaction is left open");
            sqlx::query("SELECT 1")
                .execute(&mut *tx)
                .await
                .expect("it runs");
            tx.commit().await.expect("it commits");
        }
    );

    on_both_stores!(
        a_wait_on_a_full_pool_ends_with_the_next_connection_parked,
        1,
        |pool| {
            // Parked connections are never handed back to sqlx here: only being
            // parked can end the wait (sqlx's own would take 60 s).
            let conns = Conns::parking_for(pool.clone(), Duration::from_secs(3600));
            let sql = "SELECT 1 UNION ALL SELECT 2";
            let mut rows = sqlx::query_scalar::<_, i32>(sql).fetch(&conns);
            assert_eq!(rows.try_next().await.expect("a row"), Some(1));
            let waiting = {
                let conns = conns.clone();
                tokio::spawn(async move { conns.lease().await.map(|_| ()) })
            };
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!waiting.is_finished(), "the only connection is in use");
            assert_eq!(rows.try_next().await.expect("a row"), Some(2));
            assert_eq!(rows.try_next().await.expect("the end"), None);
            drop(rows);
            // Handed to the one waiting, not parked where a newcomer could take it.
            assert_eq!(conns.parked(), 0);
            let leased = tokio::time::timeout(Duration::from_secs(10), waiting).await;
            assert!(
                matches!(leased, Ok(Ok(Ok(())))),
                "the waiter took the connection"
            );
        }
    );

    on_both_stores!(a_connection_parked_too_long_goes_back_to_sqlx, 4, |pool| {
        let conns = Conns::parking_for(pool.clone(), Duration::from_millis(50));
        sqlx::query("SELECT 1")
            .execute(&conns)
            .await
            .expect("it runs");
        assert_eq!(conns.parked(), 1);
        // Handed back by the sweeping task, with no statement to trigger it.
        idle_in_sqlx(&pool, 1).await;
        assert_eq!(conns.parked(), 0);
    });

    on_both_stores!(
        a_busy_connection_still_goes_back_to_sqlx_now_and_then,
        4,
        |pool| {
            let conns = Conns::new(pool.clone());
            for _ in 1..SQLX_EVERY {
                sqlx::query("SELECT 1")
                    .execute(&conns)
                    .await
                    .expect("it runs");
            }
            assert_eq!(conns.parked(), 1);
            // The thousandth statement hands it back, for sqlx's lifetime check.
            sqlx::query("SELECT 1")
                .execute(&conns)
                .await
                .expect("it runs");
            assert_eq!(conns.parked(), 0);
            idle_in_sqlx(&pool, 1).await;
        }
    );

    #[tokio::test]
    async fn a_lease_that_times_out_leaves_nothing_waiting_behind() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let pool = PoolOptions::<Sqlite>::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_millis(200))
            .connect(&url)
            .await
            .expect("SQLite opens");
        let conns = Conns::new(pool.clone());
        let held = conns.lease().await.expect("the only connection");
        let waited = conns.lease().await;
        assert!(
            matches!(waited, Err(sqlx::Error::PoolTimedOut)),
            "it times out"
        );
        drop(held);
        // The next lease is served, not the one that gave up.
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&conns)
            .await
            .expect("it runs");
        assert_eq!((one, conns.parked()), (1, 1));
        assert_eq!(conns.inner.state().still_waiting(), 0);
    }
}
