//! The one SQL implementation of [`Store`]. Every statement is written in the
//! common subset of SQLite and PostgreSQL (numbered `$n` parameters, `RETURNING`,
//! `ON CONFLICT`), so the body below is instantiated for both pools by a macro
//! instead of being written twice.

use super::lease::{Conns, Lease};
use super::{
    Batches, ClientChanges, ClientFilter, ClientSortKey, CreditEntry, CreditOutcome,
    LoginCandidate, NewActivity, NewClient, NewSession, NewUser, ProfileChanges, RefreshOutcome,
    Store, StoreError, StoreResult,
};
use crate::domain::client::account_number;
use crate::domain::{
    AuthContext, BusinessType, Client, LeadStatus, ManagedUser, PermissionSet, Role, Timestamp,
    User,
};
use async_trait::async_trait;
use futures_util::StreamExt;
use sqlx::{Postgres, Sqlite};

pub struct SqlStore<DB: sqlx::Database> {
    /// Point reads and writes: everything but what `scans` serves.
    pool: Conns<DB>,
    /// For login bookkeeping (sessions opened, last login, throttle counters,
    /// login entries of the activity log): on PostgreSQL, connections that
    /// commit without waiting for the WAL to reach the disk (decision 0010);
    /// on SQLite, the same pool.
    relaxed: Conns<DB>,
    /// For reads of many rows (pages of users, clients and the activity log,
    /// searches, their totals, exports): on SQLite, connections that read the
    /// file through a memory map (decisions 0008 and 0016); on PostgreSQL, the
    /// same pool.
    scans: Conns<DB>,
    /// Totals of user lists (see `counts.rs`); forgotten at any change to users.
    user_counts: std::sync::Arc<super::counts::CountCache>,
}

impl<DB: sqlx::Database> SqlStore<DB> {
    /// A store on `pool`, with login bookkeeping on `relaxed` and reads of
    /// many rows on `scans` (either may be a clone of `pool`: clones share
    /// their parked connections, decision 0021).
    pub fn new(pool: Conns<DB>, relaxed: Conns<DB>, scans: Conns<DB>) -> Self {
        Self {
            pool,
            relaxed,
            scans,
            user_counts: Default::default(),
        }
    }
}

/// The user columns, for `RETURNING` (unqualified) and for joins (as `u`).
const USER_RETURNING: &str = "id, company_id, name, username, email, role, permissions, \
     is_active, must_change_password, created_by, last_login, created_at, updated_at";
const USER_COLUMNS: &str = "u.id, u.company_id, u.name, u.username, u.email, u.role, \
     u.permissions, u.is_active, u.must_change_password, u.created_by, u.last_login, \
     u.created_at, u.updated_at";

/// `impl FromRow` for a row read by position (`row.try_get(0)`…), which needs
/// of a database only that its rows are indexed by position and hold the four
/// types every row here is made of.
macro_rules! from_row_by_position {
    ($row_type:ty, |$row:ident| $body:block) => {
        impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for $row_type
        where
            usize: sqlx::ColumnIndex<R>,
            i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        {
            fn from_row($row: &'r R) -> Result<Self, sqlx::Error> $body
        }
    };
}

/// The names of [`USER_COLUMNS`] and [`USER_RETURNING`], in their order.
const USER_COLUMN_NAMES: [&str; 13] = [
    "id",
    "company_id",
    "name",
    "username",
    "email",
    "role",
    "permissions",
    "is_active",
    "must_change_password",
    "created_by",
    "last_login",
    "created_at",
    "updated_at",
];

/// Read by position, from a row (`FromRow` below) and, on SQLite's pages,
/// from a JSON array (decision 0014): in both the fields are in
/// [`USER_COLUMNS`]' order, so the order of their declaration here matters.
#[derive(serde::Deserialize)]
struct UserRow {
    id: i64,
    company_id: Option<i64>,
    name: String,
    username: String,
    email: Option<String>,
    role: String,
    permissions: i64,
    #[serde(deserialize_with = "bool_or_int")]
    is_active: bool,
    #[serde(deserialize_with = "bool_or_int")]
    must_change_password: bool,
    created_by: Option<i64>,
    last_login: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl UserRow {
    fn into_user(self) -> StoreResult<User> {
        let role = Role::parse(&self.role).map_err(|e| {
            StoreError::Other(anyhow::anyhow!("user {} has a bad role: {e}", self.id))
        })?;
        Ok(User {
            id: self.id,
            company_id: self.company_id,
            name: self.name,
            username: self.username,
            email: self.email,
            role,
            permissions: PermissionSet::from_bits(self.permissions),
            is_active: self.is_active,
            must_change_password: self.must_change_password,
            created_by: self.created_by,
            last_login: self.last_login.map(Timestamp::from),
            created_at: Timestamp::from(self.created_at),
            updated_at: Timestamp::from(self.updated_at),
        })
    }
}

// Every query that reads a user selects [`USER_COLUMNS`] (or
// [`USER_RETURNING`], the same columns) first, so a user is read by
// position: finding each of its thirteen columns by name took 8% of the
// server's instructions for a page of 50 on PostgreSQL. Each value's type is
// still checked; debug builds (so `cargo test`) also check the names of the
// first thirteen columns of every query a test runs, and answer an error if
// they differ.
from_row_by_position!(UserRow, |row| {
    #[cfg(debug_assertions)]
    {
        use sqlx::Column;
        let names: Vec<&str> = row
            .columns()
            .iter()
            .take(USER_COLUMN_NAMES.len())
            .map(|c| c.name())
            .collect();
        if names != USER_COLUMN_NAMES {
            return Err(sqlx::Error::ColumnDecode {
                index: format!("0..{}", USER_COLUMN_NAMES.len()),
                source: format!("a user's columns are out of USER_COLUMNS' order: {names:?}")
                    .into(),
            });
        }
    }
    Ok(Self {
        id: row.try_get(0)?,
        company_id: row.try_get(1)?,
        name: row.try_get(2)?,
        username: row.try_get(3)?,
        email: row.try_get(4)?,
        role: row.try_get(5)?,
        permissions: row.try_get(6)?,
        is_active: row.try_get(7)?,
        must_change_password: row.try_get(8)?,
        created_by: row.try_get(9)?,
        last_login: row.try_get(10)?,
        created_at: row.try_get(11)?,
        updated_at: row.try_get(12)?,
    })
});

/// A user's modules, comma-separated in name order (module names have no
/// commas): its own choice, or else all its client's active modules; none for
/// the operator's staff. The same rule as `modules_of_users`' join, as a
/// subquery of one user's row (a test compares the two).
/// `string_agg(… ORDER BY …)` is the same on both dialects (SQLite 3.44 and
/// later).
const USER_MODULES: &str = "(SELECT string_agg(cm.module, ',' ORDER BY cm.module) \
     FROM client_modules cm WHERE cm.client_id = u.company_id \
     AND (u.custom_modules = FALSE OR EXISTS (SELECT 1 FROM user_modules um \
     WHERE um.user_id = u.id AND um.module = cm.module)))";

/// A user row with its modules ([`USER_MODULES`]).
struct ManagedUserRow {
    user: UserRow,
    /// Absent where the dialect reads the modules in a second query.
    modules: Option<String>,
}

// The user's columns, then, where the query has them, its `modules`. Looked
// up by position too: a column missing by name costs sqlx an error, with its
// message formatted, for every row of PostgreSQL's pages.
from_row_by_position!(ManagedUserRow, |row| {
    use sqlx::Column;
    let modules = match row.columns().get(USER_COLUMN_NAMES.len()) {
        Some(column) if column.name() == "modules" => row.try_get(USER_COLUMN_NAMES.len())?,
        _ => None,
    };
    Ok(Self {
        user: UserRow::from_row(row)?,
        modules,
    })
});

impl ManagedUserRow {
    fn into_managed(self) -> StoreResult<ManagedUser> {
        Ok(ManagedUser {
            user: self.user.into_user()?,
            modules: split_modules(self.modules),
        })
    }
}

fn split_modules(modules: Option<String>) -> Vec<String> {
    modules
        .as_deref()
        .map(|m| m.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct UserWithStatusRow {
    #[sqlx(flatten)]
    user: UserRow,
    company_active: Option<bool>,
    extra: Option<String>,
}

/// A `NewUser`'s INSERT, its parameters `$1`…`$11` ([`bind_new_user`]), its
/// `custom_modules` flag the SQL expression `custom`.
fn insert_user(custom: &str) -> String {
    format!(
        "INSERT INTO users (company_id, name, username, email, role, permissions, \
         password_hash, is_active, must_change_password, created_by, created_at, updated_at, \
         custom_modules) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, {custom})"
    )
}

/// `updated_at` moved to `$n`, or a millisecond past its value when that is
/// not earlier: every change gives a row a new `updated_at`, so it tells one
/// version of the row from the next (see `UserChanges::unchanged_since`).
fn next_updated_at(n: usize) -> String {
    format!("updated_at = CASE WHEN ${n} > updated_at THEN ${n} ELSE updated_at + 1 END")
}

/// An activity entry's INSERT, its parameters `$1`…`$11` (see [`bind_activity`]).
static INSERT_ACTIVITY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| activity_insert(1));

/// An activity entry's INSERT with its parameters numbered from `first`.
fn activity_insert(first: usize) -> String {
    activity_insert_about(first, None)
}

/// [`activity_insert`], with `target_id`, when the entry has none, taken from
/// the SQL expression `new_target` (a row written by the same statement).
fn activity_insert_about(first: usize, new_target: Option<&str>) -> String {
    let mut values: Vec<String> = (first..first + 11).map(|n| format!("${n}")).collect();
    if let Some(target) = new_target {
        values[6] = format!("COALESCE({}, {target})", values[6]);
    }
    format!(
        "INSERT INTO activity_log (at, actor_id, actor_username, company_id, action, \
         target_type, target_id, target_label, changes, ip, request_id) VALUES ({})",
        values.join(", ")
    )
}

/// Several writes that commit together, in one trip to the database: on
/// PostgreSQL one statement, each write a data-modifying `WITH` part named as
/// given, then `last`; on SQLite, which has no data-modifying `WITH`, a script
/// `BEGIN IMMEDIATE; …; last; COMMIT` for [`run_script`].
fn one_write(one_statement: bool, parts: &[(&str, &str)], last: &str) -> String {
    if one_statement {
        let with: Vec<String> = parts
            .iter()
            .map(|(name, sql)| format!("{name} AS ({sql})"))
            .collect();
        format!("WITH {} {last}", with.join(", "))
    } else {
        let mut script = vec!["BEGIN IMMEDIATE"];
        script.extend(parts.iter().map(|(_, sql)| *sql));
        script.extend([last, "COMMIT"]);
        script.join("; ")
    }
}

/// A new user, its chosen modules and the entry about it (if any), written
/// together, answering the user with its modules ([`ManagedUserRow`]).
/// Parameters: `$1`…`$11` as [`bind_new_user`], `$12` the chosen modules or
/// NULL (a `text[]` on PostgreSQL, a JSON array on SQLite), then the entry's
/// from `$13` ([`bind_activity`]), its `target_id` the new user's id.
fn create_user_sql(one_statement: bool, with_entry: bool) -> String {
    let (user, modules, entry, last);
    if one_statement {
        // The parts see the database as it was before the statement: the
        // answer reads the new user from `u` and its choice from `$12`.
        user = format!("{} RETURNING *", insert_user("$12::text[] IS NOT NULL"));
        modules = "INSERT INTO user_modules (user_id, module) \
                   SELECT u.id, m FROM u, unnest($12::text[]) m"
            .to_owned();
        entry = activity_insert_about(13, Some("(SELECT u.id::text FROM u)"));
        last = format!(
            "SELECT {USER_COLUMNS}, (SELECT string_agg(cm.module, ',' ORDER BY cm.module) \
             FROM client_modules cm WHERE cm.client_id = u.company_id \
             AND (u.custom_modules = FALSE OR cm.module = ANY($12::text[]))) AS modules FROM u"
        );
    } else {
        // Usernames are unique: the script finds the new user by its own.
        user = insert_user("$12 IS NOT NULL");
        modules = "INSERT INTO user_modules (user_id, module) \
                   SELECT u.id, m.value FROM users u, json_each($12) m WHERE u.username = $3"
            .to_owned();
        entry = activity_insert_about(
            13,
            Some("(SELECT CAST(id AS TEXT) FROM users WHERE username = $3)"),
        );
        last = format!(
            "SELECT {USER_COLUMNS}, {USER_MODULES} AS modules FROM users u WHERE u.username = $3"
        );
    }
    let mut parts = vec![("u", user.as_str()), ("m", modules.as_str())];
    if with_entry {
        parts.push(("a", entry.as_str()));
    }
    one_write(one_statement, &parts, &last)
}

/// The chosen modules as [`create_user_sql`]'s `$12` on PostgreSQL.
fn modules_array(modules: &Option<Vec<String>>) -> Option<&[String]> {
    modules.as_deref()
}

/// The chosen modules as [`create_user_sql`]'s `$12` on SQLite.
fn modules_json(modules: &Option<Vec<String>>) -> Option<String> {
    modules
        .as_ref()
        .map(|m| serde_json::Value::from(m.clone()).to_string())
}

/// A pool connection running a script that opens its own transaction. Unless
/// the script committed or rolled back, the connection is closed instead of
/// going back to the pool with the transaction open (the request was dropped
/// midway, or the rollback failed): closing it rolls the transaction back.
struct ScriptConnection<DB: sqlx::Database> {
    conn: Lease<DB>,
    settled: bool,
}

impl<DB: sqlx::Database> Drop for ScriptConnection<DB> {
    fn drop(&mut self) {
        if !self.settled {
            self.conn.close_on_drop();
        }
    }
}

/// Run a [`one_write`] script (SQLite) on a connection of its own: one trip to
/// the connection's worker thread instead of one per statement. A failed
/// statement rolls the transaction back. Evaluates to `StoreResult<Vec<row>>`.
macro_rules! run_script {
    ($pool:expr, $q:expr) => {{
        async {
            let mut script = ScriptConnection {
                conn: $pool.lease().await.map_err(map_err)?,
                settled: false,
            };
            // All the rows: the script must run to its COMMIT.
            let result = $q.fetch_all(&mut *script.conn).await;
            // After a failure, roll back; a failed ROLLBACK (BEGIN itself
            // failed, or the connection broke) leaves the connection unsettled.
            script.settled = result.is_ok()
                || sqlx::query("ROLLBACK")
                    .execute(&mut *script.conn)
                    .await
                    .is_ok();
            result.map_err(map_err)
        }
        .await
    }};
}

/// Bind a `NewActivity` to [`activity_insert`]'s parameters, in order.
macro_rules! bind_activity {
    ($q:expr, $e:expr) => {
        $q.bind(now_ms($e.at.unwrap_or_else(Timestamp::now)))
            .bind($e.actor_id)
            .bind(&$e.actor_username)
            .bind($e.company_id)
            .bind(&$e.action)
            .bind(&$e.target_type)
            .bind(&$e.target_id)
            .bind(&$e.target_label)
            .bind($e.changes.as_ref().map(|c| c.to_string()))
            .bind(&$e.ip)
            .bind(&$e.request_id)
    };
}

/// Bind a `NewUser` to [`insert_user`]'s parameters.
macro_rules! bind_new_user {
    ($q:expr, $new:expr) => {
        $q.bind($new.company_id)
            .bind(&$new.name)
            .bind(&$new.username)
            .bind(&$new.email)
            .bind($new.role.as_str())
            .bind($new.permissions.bits())
            .bind(&$new.password_hash)
            .bind($new.is_active)
            .bind($new.must_change_password)
            .bind($new.created_by)
            .bind(now_ms($new.now))
    };
}

/// Insert a `NewUser` and its chosen modules on a transaction; evaluates to
/// `StoreResult<User>`.
macro_rules! insert_user_tx {
    ($tx:expr, $new:expr) => {{
        async {
            let new: &NewUser = $new;
            let custom = if new.modules.is_some() {
                "TRUE"
            } else {
                "FALSE"
            };
            let sql = format!("{} RETURNING {USER_RETURNING}", insert_user(custom));
            let user = bind_new_user!(sqlx::query_as::<_, UserRow>(&sql), new)
                .fetch_one(&mut *$tx)
                .await
                .map_err(map_err)?
                .into_user()?;
            if let Some(modules) = &new.modules {
                for m in modules {
                    sqlx::query("INSERT INTO user_modules (user_id, module) VALUES ($1, $2)")
                        .bind(user.id)
                        .bind(m)
                        .execute(&mut *$tx)
                        .await
                        .map_err(map_err)?;
                }
            }
            Ok::<User, StoreError>(user)
        }
        .await
    }};
}

const CLIENT_COLUMNS: &str = "c.id, c.account_number, c.company_name, c.contact_email, \
     c.contact_name, c.phone_number, c.whatsapp_number, c.business_address, c.business_type, \
     c.gst_number, c.website, c.lead_status, c.notes, c.credits, c.is_active, c.last_login, \
     c.created_at, c.updated_at, c.owner_id, o.username";
const CLIENT_FROM: &str = "FROM clients c LEFT JOIN users o ON o.id = c.owner_id";

/// Read by column position, in [`CLIENT_COLUMNS`]' order, like the one JSON
/// array per row of SQLite's export (decision 0014).
#[derive(serde::Deserialize)]
struct ClientRow {
    id: i64,
    account_number: String,
    company_name: String,
    contact_email: String,
    contact_name: Option<String>,
    phone_number: Option<String>,
    whatsapp_number: Option<String>,
    business_address: Option<String>,
    business_type: Option<String>,
    gst_number: Option<String>,
    website: Option<String>,
    lead_status: String,
    notes: Option<String>,
    credits: i64,
    #[serde(deserialize_with = "bool_or_int")]
    is_active: bool,
    last_login: Option<i64>,
    created_at: i64,
    updated_at: i64,
    owner_id: Option<i64>,
    /// The owner's `o.username`.
    owner_username: Option<String>,
}

// Every query of clients selects [`CLIENT_COLUMNS`], so a row is read by
// position, each value's type taken as the column's: finding each of the
// twenty columns by name, and checking its type, took over a quarter of the
// server's CPU in PostgreSQL's export of 100,000 clients.
from_row_by_position!(ClientRow, |row| {
    Ok(Self {
        id: row.try_get_unchecked(0)?,
        account_number: row.try_get_unchecked(1)?,
        company_name: row.try_get_unchecked(2)?,
        contact_email: row.try_get_unchecked(3)?,
        contact_name: row.try_get_unchecked(4)?,
        phone_number: row.try_get_unchecked(5)?,
        whatsapp_number: row.try_get_unchecked(6)?,
        business_address: row.try_get_unchecked(7)?,
        business_type: row.try_get_unchecked(8)?,
        gst_number: row.try_get_unchecked(9)?,
        website: row.try_get_unchecked(10)?,
        lead_status: row.try_get_unchecked(11)?,
        notes: row.try_get_unchecked(12)?,
        credits: row.try_get_unchecked(13)?,
        is_active: row.try_get_unchecked(14)?,
        last_login: row.try_get_unchecked(15)?,
        created_at: row.try_get_unchecked(16)?,
        updated_at: row.try_get_unchecked(17)?,
        owner_id: row.try_get_unchecked(18)?,
        owner_username: row.try_get_unchecked(19)?,
    })
});

/// A boolean as SQLite's JSON functions write it (0 or 1), or as JSON's own.
fn bool_or_int<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    // A visitor, not an untagged enum: that one buffers the value and builds
    // (and formats) an error for every integer before it tries the next
    // variant, two per user row, 7% of a page's instructions.
    struct BoolOrInt;
    impl serde::de::Visitor<'_> for BoolOrInt {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean or an integer")
        }
        fn visit_bool<E>(self, b: bool) -> Result<bool, E> {
            Ok(b)
        }
        fn visit_i64<E>(self, i: i64) -> Result<bool, E> {
            Ok(i != 0)
        }
        fn visit_u64<E: serde::de::Error>(self, i: u64) -> Result<bool, E> {
            // JSON's non-negative integers arrive here; as before, only those
            // an i64 holds.
            i64::try_from(i)
                .map(|i| i != 0)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(i), &self))
        }
    }
    d.deserialize_any(BoolOrInt)
}

impl ClientRow {
    fn into_client(self) -> StoreResult<Client> {
        let bad =
            |what: &str| StoreError::Other(anyhow::anyhow!("client {} has a bad {what}", self.id));
        Ok(Client {
            business_type: self
                .business_type
                .as_deref()
                .map(BusinessType::parse)
                .transpose()
                .map_err(|_| bad("business type"))?,
            lead_status: LeadStatus::parse(&self.lead_status).map_err(|_| bad("lead status"))?,
            id: self.id,
            account_number: self.account_number,
            company_name: self.company_name,
            contact_email: self.contact_email,
            contact_name: self.contact_name,
            phone_number: self.phone_number,
            whatsapp_number: self.whatsapp_number,
            business_address: self.business_address,
            gst_number: self.gst_number,
            website: self.website,
            notes: self.notes,
            credits: self.credits,
            is_active: self.is_active,
            last_login: self.last_login.map(Timestamp::from),
            created_at: Timestamp::from(self.created_at),
            updated_at: Timestamp::from(self.updated_at),
            owner_id: self.owner_id,
            owner_username: self.owner_username,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CreditRow {
    id: i64,
    client_id: i64,
    delta: i64,
    balance_after: i64,
    reason: String,
    actor_id: Option<i64>,
    created_at: i64,
}

impl From<CreditRow> for CreditEntry {
    fn from(r: CreditRow) -> Self {
        Self {
            id: r.id,
            client_id: r.client_id,
            delta: r.delta,
            balance_after: r.balance_after,
            reason: r.reason,
            actor_id: r.actor_id,
            created_at: Timestamp::from(r.created_at),
        }
    }
}

/// A value for a query assembled at run time.
#[derive(Clone, Debug)]
enum Arg {
    Text(Option<String>),
    Int(i64),
    NullableInt(Option<i64>),
    Bool(bool),
}

/// Bind every `Arg`, in order.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
                Arg::NullableInt(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Run a query row by row on a task of its own, handing rows over in batches of
/// [`EXPORT_BATCH`](crate::store::EXPORT_BATCH) through a bounded channel:
/// constant memory however many rows there are. Evaluates to a
/// [`Batches<T>`](crate::store::Batches).
macro_rules! stream_rows {
    ($pool:expr, $sql:expr, $args:expr, $row:ty, $convert:expr) => {
        stream_rows!($pool, $sql, $args, $row, $convert, persistent = true)
    };
    // `persistent = false`: planned with its arguments on every run, never
    // kept as a prepared statement whose generic plan could serve them all.
    ($pool:expr, $sql:expr, $args:expr, $row:ty, $convert:expr, persistent = $persistent:expr) => {{
        let pool = $pool;
        let sql: String = $sql;
        let args: Vec<Arg> = $args;
        let persistent: bool = $persistent;
        // A few batches ahead of the response, no more: the rest waits in
        // the database's socket.
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        tokio::spawn(async move {
            let q = bind_args!(sqlx::query_as::<_, $row>(&sql), args).persistent(persistent);
            let mut rows = q.fetch(&pool);
            let mut batch = Vec::with_capacity(crate::store::EXPORT_BATCH);
            let mut failure = None;
            while let Some(row) = rows.next().await {
                // The download was dropped: stop reading now, not a batch later.
                if tx.is_closed() {
                    return;
                }
                match row.map_err(map_err).and_then($convert) {
                    Ok(item) => batch.push(item),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
                if batch.len() == crate::store::EXPORT_BATCH {
                    let full = std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(crate::store::EXPORT_BATCH),
                    );
                    if tx.send(Ok(full)).await.is_err() {
                        return;
                    }
                }
            }
            // What was read before the end or a failure, then the failure.
            if !batch.is_empty() && tx.send(Ok(batch)).await.is_err() {
                return;
            }
            if let Some(e) = failure {
                let _ = tx.send(Err(e)).await;
            }
        });
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
        .boxed()
    }};
}

/// `LIKE` pattern for "contains", with the wildcards of the term escaped.
/// SQLite keeps a statement's plan whatever pattern is bound (decision 0019),
/// so a bound prefix pattern (`abc%`) would never use an index there.
fn contains_pattern(term: &str) -> String {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The WHERE clause of a client filter and its arguments.
fn client_where(f: &ClientFilter) -> (String, Vec<Arg>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    if let Some(term) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(Arg::Text(Some(contains_pattern(term))));
        let n = args.len();
        clauses.push(format!(
            "(LOWER(c.company_name) LIKE ${n} ESCAPE '\\' OR LOWER(c.contact_email) LIKE ${n} ESCAPE '\\' \
             OR LOWER(c.account_number) LIKE ${n} ESCAPE '\\' OR o.username LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(active) = f.is_active {
        args.push(Arg::Bool(active));
        clauses.push(format!("c.is_active = ${}", args.len()));
    }
    if let Some(t) = f.business_type {
        args.push(Arg::Text(Some(t.as_str().to_owned())));
        clauses.push(format!("c.business_type = ${}", args.len()));
    }
    if let Some(l) = f.lead_status {
        args.push(Arg::Text(Some(l.as_str().to_owned())));
        clauses.push(format!("c.lead_status = ${}", args.len()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

/// ORDER BY for a client filter; `text_order` is the dialect's collation suffix
/// so that names sort alike everywhere. Missing last logins sort last both ways.
fn client_order(f: &ClientFilter, text_order: &str) -> String {
    let dir = if f.descending { "DESC" } else { "ASC" };
    match f.sort {
        ClientSortKey::CreatedAt => format!("c.created_at {dir}, c.id {dir}"),
        ClientSortKey::AccountNumber => format!("c.id {dir}"),
        ClientSortKey::CompanyName => {
            format!("LOWER(c.company_name){text_order} {dir}, c.id {dir}")
        }
        ClientSortKey::LastLogin => {
            format!("(c.last_login IS NULL), c.last_login {dir}, c.id {dir}")
        }
    }
}

/// The changed columns of a client update, as `SET` items and arguments.
fn client_set(ch: &ClientChanges) -> (Vec<String>, Vec<Arg>) {
    let mut sets = Vec::new();
    let mut args = Vec::new();
    let mut text = |col: &str, v: Option<String>| {
        args.push(Arg::Text(v));
        sets.push(format!("{col} = ${}", args.len()));
    };
    if let Some(v) = &ch.company_name {
        text("company_name", Some(v.clone()));
    }
    if let Some(v) = &ch.contact_email {
        text("contact_email", Some(v.clone()));
    }
    for (col, v) in [
        ("contact_name", &ch.contact_name),
        ("phone_number", &ch.phone_number),
        ("whatsapp_number", &ch.whatsapp_number),
        ("business_address", &ch.business_address),
        ("gst_number", &ch.gst_number),
        ("website", &ch.website),
        ("notes", &ch.notes),
    ] {
        if let Some(v) = v {
            text(col, v.clone());
        }
    }
    if let Some(v) = ch.business_type {
        text("business_type", v.map(|t| t.as_str().to_owned()));
    }
    if let Some(v) = ch.lead_status {
        text("lead_status", Some(v.as_str().to_owned()));
    }
    (sets, args)
}

/// Turn a driver error into a store error, naming the field of a broken unique rule.
fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let what = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            let field = ["account_number", "username", "email"]
                .into_iter()
                .find(|f| what.contains(f))
                .unwrap_or("record");
            StoreError::Conflict(field.to_owned())
        }
        sqlx::Error::Database(db) if is_unavailable(db.code().as_deref()) => {
            StoreError::Unavailable(anyhow::anyhow!("{}", db.message()))
        }
        e @ (sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed) => StoreError::Unavailable(e.into()),
        e => StoreError::Other(e.into()),
    }
}

/// Error codes that mean "the database is not there right now", not "this query
/// is wrong": PostgreSQL's connection exceptions (08…), shutdowns (57P…), a
/// missing database (3D000), too many connections (53300); SQLite's busy, locked,
/// I/O and cannot-open errors (primary codes 5, 6, 10, 14).
fn is_unavailable(code: Option<&str>) -> bool {
    match code {
        // PostgreSQL's SQLSTATEs are five characters.
        Some(c) if c.len() == 5 => {
            c.starts_with("08") || c.starts_with("57P") || c == "3D000" || c == "53300"
        }
        // SQLite's are (extended) result codes.
        Some(c) => c
            .parse::<i64>()
            .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 14)),
        None => false,
    }
}

/// `$from, $from+1, …`: `n` numbered parameters, for `IN (…)` lists.
fn placeholders(from: usize, n: usize) -> String {
    use std::fmt::Write;
    // One string, not one per placeholder joined (3% of a page on PostgreSQL,
    // whose modules query lists the page's ids).
    let mut out = String::with_capacity(n * 6);
    for i in from..from + n {
        if i > from {
            out.push_str(", ");
        }
        let _ = write!(out, "${i}");
    }
    out
}

fn now_ms(t: Timestamp) -> i64 {
    t.millis()
}

macro_rules! impl_store {
    ($db:ty, text_order = $text_order:literal, begin = $begin:literal,
     one_statement = $one_statement:literal, modules_param = $modules_param:path,
     json_rows = $json_rows:literal) => {
        #[async_trait]
        impl Store for SqlStore<$db> {
            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(map_err)
            }

            async fn has_super_admin(&self) -> StoreResult<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM users WHERE role = 'super_admin'",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
                Ok(n > 0)
            }

            async fn create_user(
                &self,
                new: &NewUser,
                entry: Option<&NewActivity>,
            ) -> StoreResult<ManagedUser> {
                let sql = create_user_sql($one_statement, entry.is_some());
                let q = bind_new_user!(sqlx::query_as::<_, ManagedUserRow>(&sql), new)
                    .bind($modules_param(&new.modules));
                let q = match entry {
                    Some(e) => bind_activity!(q, e),
                    None => q,
                };
                let row = if $one_statement {
                    q.fetch_one(&self.pool).await.map_err(map_err)?
                } else {
                    run_script!(self.pool, q)?
                        .pop()
                        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("the new user is missing")))?
                };
                self.user_counts.invalidate();
                row.into_managed()
            }

            async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
                sqlx::query_as::<_, UserRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err)?
                    .map(UserRow::into_user)
                    .transpose()
            }

            async fn login_candidates(
                &self,
                login: &str,
                limit: i64,
            ) -> StoreResult<Vec<LoginCandidate>> {
                // A username has no `@`; an e-mail address always has one.
                let which = if login.contains('@') {
                    "u.email = $1 ORDER BY COALESCE(u.email_since, u.created_at), u.id LIMIT $2"
                } else {
                    "u.username = $1 LIMIT $2"
                };
                let sql = format!(
                    "SELECT {USER_COLUMNS}, COALESCE(c.is_active, TRUE) AS company_active, \
                     u.password_hash AS extra \
                     FROM users u LEFT JOIN clients c ON c.id = u.company_id WHERE {which}"
                );
                let rows = sqlx::query_as::<_, UserWithStatusRow>(&sql)
                    .bind(login)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                rows.into_iter()
                    .map(|row| {
                        Ok(LoginCandidate {
                            company_active: row.company_active.unwrap_or(true),
                            password_hash: row.extra.unwrap_or_default(),
                            user: row.user.into_user()?,
                        })
                    })
                    .collect()
            }

            async fn password_hash(&self, user_id: i64) -> StoreResult<Option<String>> {
                sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err)
            }

            async fn auth_context(
                &self,
                user_id: i64,
                session_id: &str,
                now: Timestamp,
            ) -> StoreResult<Option<AuthContext>> {
                let sql = format!(
                    "SELECT {USER_COLUMNS}, COALESCE(c.is_active, TRUE) AS company_active, \
                     CASE WHEN s.revoked_at IS NULL AND s.expires_at > $3 THEN 'open' ELSE 'closed' END AS extra \
                     FROM users u \
                     LEFT JOIN clients c ON c.id = u.company_id \
                     LEFT JOIN sessions s ON s.id = $2 AND s.user_id = u.id \
                     WHERE u.id = $1"
                );
                let row = sqlx::query_as::<_, UserWithStatusRow>(&sql)
                    .bind(user_id)
                    .bind(session_id)
                    .bind(now_ms(now))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err)?;
                row.map(|r| {
                    Ok(AuthContext {
                        company_active: r.company_active.unwrap_or(true),
                        session_open: r.extra.as_deref() == Some("open"),
                        user: r.user.into_user()?,
                    })
                })
                .transpose()
            }

            async fn update_profile(
                &self,
                user_id: i64,
                changes: &ProfileChanges,
                now: Timestamp,
            ) -> StoreResult<User> {
                let sql = format!(
                    "UPDATE users SET \
                     name = COALESCE($2, name), \
                     email = CASE WHEN $3 THEN $4 ELSE email END, \
                     email_since = CASE WHEN $3 THEN $5 ELSE email_since END, {} \
                     WHERE id = $1 RETURNING {USER_RETURNING}",
                    next_updated_at(5)
                );
                let user = sqlx::query_as::<_, UserRow>(&sql)
                    .bind(user_id)
                    .bind(&changes.name)
                    .bind(changes.email.is_some())
                    .bind(changes.email.clone().flatten())
                    .bind(now_ms(now))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_err)?
                    .into_user();
                self.user_counts.invalidate();
                user
            }

            async fn set_password(
                &self,
                user_id: i64,
                hash: &str,
                must_change: bool,
                now: Timestamp,
            ) -> StoreResult<()> {
                let sql = format!(
                    "UPDATE users SET password_hash = $2, must_change_password = $3, {} WHERE id = $1",
                    next_updated_at(4)
                );
                let done = sqlx::query(&sql)
                .bind(user_id)
                .bind(hash)
                .bind(must_change)
                .bind(now_ms(now))
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn record_login(
                &self,
                user: &User,
                rehash: Option<&str>,
                s: &NewSession,
                entry: &NewActivity,
            ) -> StoreResult<()> {
                // One trip: on PostgreSQL each statement of a transaction
                // cost a trip and the database's own work per statement
                // (PostgreSQL CPU per login in the A/B of decision 0010), and
                // on SQLite a trip to the connection's worker thread. The
                // writes commit together; the refresh token's reference to the
                // session is checked when both exist.
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    one_write(
                        $one_statement,
                        &[
                            (
                                "u",
                                "UPDATE users SET last_login = $2, \
                                 password_hash = COALESCE($3, password_hash) WHERE id = $1",
                            ),
                            ("c", "UPDATE clients SET last_login = $2 WHERE id = $4"),
                            (
                                "s",
                                "INSERT INTO sessions (id, user_id, created_at, expires_at) \
                                 VALUES ($5, $1, $2, $6)",
                            ),
                            (
                                "r",
                                "INSERT INTO refresh_tokens (token_hash, session_id, \
                                 created_at, expires_at) VALUES ($7, $5, $2, $6)",
                            ),
                        ],
                        &activity_insert(8),
                    )
                });
                let q = sqlx::query(SQL.as_str())
                    .bind(user.id)
                    .bind(now_ms(s.now))
                    .bind(rehash)
                    .bind(user.company_id)
                    .bind(&s.id)
                    .bind(now_ms(s.expires_at))
                    .bind(&s.refresh_token_hash);
                let q = bind_activity!(q, entry);
                if $one_statement {
                    q.execute(&self.relaxed).await.map_err(map_err)?;
                } else {
                    run_script!(self.relaxed, q)?;
                }
                Ok(())
            }

            async fn rotate_refresh_token(
                &self,
                presented_hash: &str,
                new_hash: &str,
                now: Timestamp,
                new_expires_at: Timestamp,
            ) -> StoreResult<RefreshOutcome> {
                let mut conn = self.pool.lease().await.map_err(map_err)?;
                let mut tx = conn.begin_with($begin).await.map_err(map_err)?;
                // Spend the token: only one presenter can win this update.
                let spent: Option<String> = sqlx::query_scalar(
                    "UPDATE refresh_tokens SET used_at = $2 \
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                     RETURNING session_id",
                )
                .bind(presented_hash)
                .bind(now_ms(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
                let Some(session_id) = spent else {
                    // Used before? Then someone holds a copy: end the whole session.
                    let reused: Option<String> = sqlx::query_scalar(
                        "SELECT session_id FROM refresh_tokens \
                         WHERE token_hash = $1 AND used_at IS NOT NULL",
                    )
                    .bind(presented_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    let outcome = match reused {
                        Some(sid) => {
                            sqlx::query(
                                "UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                            )
                            .bind(&sid)
                            .bind(now_ms(now))
                            .execute(&mut *tx)
                            .await
                            .map_err(map_err)?;
                            RefreshOutcome::Reused
                        }
                        None => RefreshOutcome::Invalid,
                    };
                    tx.commit().await.map_err(map_err)?;
                    return Ok(outcome);
                };
                let user_id: Option<i64> = sqlx::query_scalar(
                    "SELECT user_id FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(&session_id)
                .bind(now_ms(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
                let Some(user_id) = user_id else {
                    tx.commit().await.map_err(map_err)?;
                    return Ok(RefreshOutcome::Invalid);
                };
                sqlx::query(
                    "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(new_hash)
                .bind(&session_id)
                .bind(now_ms(now))
                .bind(now_ms(new_expires_at))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                tx.commit().await.map_err(map_err)?;
                Ok(RefreshOutcome::Rotated { session_id, user_id })
            }

            async fn revoke_session(&self, session_id: &str, now: Timestamp) -> StoreResult<()> {
                sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                    .bind(session_id)
                    .bind(now_ms(now))
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(map_err)
            }

            async fn revoke_user_sessions(
                &self,
                user_id: i64,
                except: Option<&str>,
                now: Timestamp,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $3 \
                     WHERE user_id = $1 AND revoked_at IS NULL AND ($2 IS NULL OR id <> $2)",
                )
                .bind(user_id)
                .bind(except)
                .bind(now_ms(now))
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(map_err)
            }

            async fn purge_expired(&self, before: Timestamp, now: Timestamp) -> StoreResult<u64> {
                let counters = sqlx::query(
                    "DELETE FROM login_throttle WHERE last_failure < $1 AND locked_until < $2",
                )
                .bind(now_ms(before))
                .bind(now_ms(now))
                .execute(&self.pool)
                .await
                .map_err(map_err)?
                .rows_affected();
                let mut conn = self.pool.lease().await.map_err(map_err)?;
                let mut tx = conn.begin_with($begin).await.map_err(map_err)?;
                let tokens = sqlx::query(
                    "DELETE FROM refresh_tokens WHERE session_id IN \
                     (SELECT id FROM sessions WHERE expires_at < $1)",
                )
                .bind(now_ms(before))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?
                .rows_affected();
                let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                    .bind(now_ms(before))
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?
                    .rows_affected();
                tx.commit().await.map_err(map_err)?;
                Ok(counters + tokens + sessions)
            }

            async fn log_activity(&self, e: &NewActivity) -> StoreResult<()> {
                bind_activity!(sqlx::query(INSERT_ACTIVITY.as_str()), e)
                    .execute(if e.bookkeeping { &self.relaxed } else { &self.pool })
                    .await
                    .map(|_| ())
                    .map_err(map_err)
            }
            async fn create_client(
                &self,
                c: &NewClient,
                owner: &NewUser,
            ) -> StoreResult<(Client, User)> {
                let mut conn = self.pool.lease().await.map_err(map_err)?;
                let mut tx = conn.begin_with($begin).await.map_err(map_err)?;
                let placeholder = format!("pending-{}", uuid::Uuid::new_v4());
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO clients (account_number, company_name, contact_email, contact_name, \
                     phone_number, whatsapp_number, business_address, business_type, gst_number, \
                     website, lead_status, notes, credits, is_active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, TRUE, $13, $13) \
                     RETURNING id",
                )
                .bind(&placeholder)
                .bind(&c.company_name)
                .bind(&c.contact_email)
                .bind(&c.contact_name)
                .bind(&c.phone_number)
                .bind(&c.whatsapp_number)
                .bind(&c.business_address)
                .bind(c.business_type.map(BusinessType::as_str))
                .bind(&c.gst_number)
                .bind(&c.website)
                .bind(c.lead_status.as_str())
                .bind(&c.notes)
                .bind(now_ms(c.now))
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
                let account = account_number(id);
                sqlx::query("UPDATE clients SET account_number = $2 WHERE id = $1")
                    .bind(id)
                    .bind(&account)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                let mut owner = owner.clone();
                owner.company_id = Some(id);
                // An owner has all its client's modules.
                let sql = format!("{} RETURNING {USER_RETURNING}", insert_user("FALSE"));
                let user = bind_new_user!(sqlx::query_as::<_, UserRow>(&sql), owner)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_err)?
                    .into_user()?;
                sqlx::query("UPDATE clients SET owner_id = $2 WHERE id = $1")
                    .bind(id)
                    .bind(user.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                tx.commit().await.map_err(map_err)?;
                self.user_counts.invalidate();
                let client = Client {
                    id,
                    account_number: account,
                    company_name: c.company_name.clone(),
                    contact_email: c.contact_email.clone(),
                    contact_name: c.contact_name.clone(),
                    phone_number: c.phone_number.clone(),
                    whatsapp_number: c.whatsapp_number.clone(),
                    business_address: c.business_address.clone(),
                    business_type: c.business_type,
                    gst_number: c.gst_number.clone(),
                    website: c.website.clone(),
                    lead_status: c.lead_status,
                    notes: c.notes.clone(),
                    credits: 0,
                    is_active: true,
                    last_login: None,
                    created_at: c.now,
                    updated_at: c.now,
                    owner_id: Some(user.id),
                    owner_username: Some(user.username.clone()),
                };
                Ok((client, user))
            }

            async fn client_by_id(&self, id: i64) -> StoreResult<Option<Client>> {
                let sql = format!("SELECT {CLIENT_COLUMNS} {CLIENT_FROM} WHERE c.id = $1");
                sqlx::query_as::<_, ClientRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_err)?
                    .map(ClientRow::into_client)
                    .transpose()
            }

            async fn list_clients(&self, f: &ClientFilter) -> StoreResult<(Vec<Client>, i64)> {
                let (where_sql, args) = client_where(f);
                let n = args.len();
                let sql = format!(
                    "SELECT {CLIENT_COLUMNS} {CLIENT_FROM} {where_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
                    client_order(f, $text_order),
                    n + 1,
                    n + 2
                );
                let rows = bind_args!(sqlx::query_as::<_, ClientRow>(&sql), args)
                    .bind(f.limit)
                    .bind(f.offset)
                    .fetch_all(&self.scans)
                    .await
                    .map_err(map_err)?;
                let (where_sql, args) = client_where(f);
                let count_sql = format!("SELECT COUNT(*) {CLIENT_FROM} {where_sql}");
                let total: i64 = bind_args!(sqlx::query_scalar(&count_sql), args)
                    .fetch_one(&self.scans)
                    .await
                    .map_err(map_err)?;
                let clients = rows.into_iter().map(ClientRow::into_client).collect::<StoreResult<_>>()?;
                Ok((clients, total))
            }

            fn export_clients(&self, f: &ClientFilter) -> Batches<Client> {
                let (where_sql, args) = client_where(f);
                let order = client_order(f, $text_order);
                if $json_rows {
                    // One value per row instead of twenty (decision 0014).
                    let sql = format!(
                        "SELECT json_array({CLIENT_COLUMNS}) {CLIENT_FROM} {where_sql} ORDER BY {order}"
                    );
                    return stream_rows!(self.scans.clone(), sql, args, (String,), |(json,): (String,)| {
                        serde_json::from_str::<ClientRow>(&json)
                            .map_err(|e| StoreError::Other(anyhow::anyhow!("a client row: {e}")))
                            .and_then(ClientRow::into_client)
                    });
                }
                let sql = format!("SELECT {CLIENT_COLUMNS} {CLIENT_FROM} {where_sql} ORDER BY {order}");
                stream_rows!(self.scans.clone(), sql, args, ClientRow, ClientRow::into_client)
            }

            async fn update_client(
                &self,
                id: i64,
                changes: &ClientChanges,
                now: Timestamp,
            ) -> StoreResult<Client> {
                let (mut sets, mut args) = client_set(changes);
                args.push(Arg::Int(now_ms(now)));
                sets.push(next_updated_at(args.len()));
                args.push(Arg::Int(id));
                let sql = format!("UPDATE clients SET {} WHERE id = ${}", sets.join(", "), args.len());
                let done = bind_args!(sqlx::query(&sql), args)
                    .execute(&self.pool)
                    .await
                    .map_err(map_err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                self.client_by_id(id).await?.ok_or(StoreError::NotFound)
            }

            async fn set_client_active(
                &self,
                id: i64,
                active: bool,
                now: Timestamp,
            ) -> StoreResult<Client> {
                let sql = format!("UPDATE clients SET is_active = $2, {} WHERE id = $1", next_updated_at(3));
                let done = sqlx::query(&sql)
                    .bind(id)
                    .bind(active)
                    .bind(now_ms(now))
                    .execute(&self.pool)
                    .await
                    .map_err(map_err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                self.client_by_id(id).await?.ok_or(StoreError::NotFound)
            }

            async fn adjust_credits(
                &self,
                client_id: i64,
                delta: i64,
                reason: &str,
                actor_id: i64,
                now: Timestamp,
            ) -> StoreResult<CreditOutcome> {
                let mut conn = self.pool.lease().await.map_err(map_err)?;
                let mut tx = conn.begin_with($begin).await.map_err(map_err)?;
                // One atomic statement: concurrent adjustments serialise on the row.
                let sql = format!(
                    "UPDATE clients SET credits = credits + $2, {} \
                     WHERE id = $1 AND credits + $2 >= 0 RETURNING credits",
                    next_updated_at(3)
                );
                let balance: Option<i64> = sqlx::query_scalar(&sql)
                .bind(client_id)
                .bind(delta)
                .bind(now_ms(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
                let Some(balance) = balance else {
                    let current: Option<i64> =
                        sqlx::query_scalar("SELECT credits FROM clients WHERE id = $1")
                            .bind(client_id)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(map_err)?;
                    tx.rollback().await.map_err(map_err)?;
                    return Ok(match current {
                        Some(balance) => CreditOutcome::Insufficient { balance },
                        None => CreditOutcome::NotFound,
                    });
                };
                let row = sqlx::query_as::<_, CreditRow>(
                    "INSERT INTO credit_ledger (client_id, delta, balance_after, reason, actor_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     RETURNING id, client_id, delta, balance_after, reason, actor_id, created_at",
                )
                .bind(client_id)
                .bind(delta)
                .bind(balance)
                .bind(reason)
                .bind(actor_id)
                .bind(now_ms(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
                tx.commit().await.map_err(map_err)?;
                Ok(CreditOutcome::Applied(row.into()))
            }

            async fn list_credits(
                &self,
                client_id: i64,
                limit: i64,
                offset: i64,
            ) -> StoreResult<(Vec<CreditEntry>, i64)> {
                let rows = sqlx::query_as::<_, CreditRow>(
                    "SELECT id, client_id, delta, balance_after, reason, actor_id, created_at \
                     FROM credit_ledger WHERE client_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                )
                .bind(client_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
                let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM credit_ledger WHERE client_id = $1")
                    .bind(client_id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_err)?;
                Ok((rows.into_iter().map(CreditEntry::from).collect(), total))
            }
        }
    };
}

// SQLite: a writing transaction takes the write lock at once (waiting for it
// under the busy timeout), rather than upgrading a read snapshot later, which
// fails at once when another connection wrote meanwhile. It has no
// data-modifying WITH: writes done in one trip are scripts (`one_write`).
impl_store!(
    Sqlite,
    text_order = "",
    begin = "BEGIN IMMEDIATE",
    one_statement = false,
    modules_param = modules_json,
    json_rows = true
);
impl_store!(
    Postgres,
    text_order = " COLLATE \"C\"",
    begin = "BEGIN",
    one_statement = true,
    modules_param = modules_array,
    json_rows = false
);

mod directory;
mod throttle;

#[cfg(test)]
mod tests {
    use super::{bool_or_int, placeholders, USER_COLUMNS, USER_COLUMN_NAMES, USER_RETURNING};

    #[test]
    fn the_user_columns_are_named_in_one_order() {
        let split = |list: &str| -> Vec<String> {
            list.split(',')
                .map(|c| c.trim().trim_start_matches("u.").to_owned())
                .collect()
        };
        assert_eq!(split(USER_COLUMNS), USER_COLUMN_NAMES);
        assert_eq!(split(USER_RETURNING), USER_COLUMN_NAMES);
    }

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(1, 0), "");
        assert_eq!(placeholders(1, 1), "$1");
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
        assert_eq!(placeholders(99, 3), "$99, $100, $101");
    }

    #[derive(serde::Deserialize)]
    struct Flag(#[serde(deserialize_with = "bool_or_int")] bool);

    #[test]
    fn a_flag_reads_from_a_boolean_or_an_integer_only() {
        let read = |json: &str| serde_json::from_str::<Flag>(json).map(|f| f.0);
        // PostgreSQL's JSON has booleans, SQLite's integers.
        assert!(read("true").expect("a boolean"));
        assert!(!read("false").expect("a boolean"));
        assert!(read("1").expect("an integer"));
        assert!(!read("0").expect("an integer"));
        assert!(read("-1").expect("a negative integer"));
        for bad in ["\"1\"", "null", "1.5", "[]", "18446744073709551615"] {
            assert!(read(bad).is_err(), "{bad} is not a flag");
        }
    }
}
