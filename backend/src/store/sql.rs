//! What both dialects' stores share: SQL text that is the same in SQLite and
//! PostgreSQL (numbered `$n` parameters, `RETURNING`, `ON CONFLICT`), the
//! query builders for filters and changes, binding a built query's values,
//! streaming an export in batches, and turning driver errors into store
//! errors. Behaviour lives in each dialect's own impls, not here.

use super::{
    ActivityFilter, Batches, ClientFilter, ClientSortKey, StoreError, StoreResult, EXPORT_BATCH,
};
use crate::domain::{ClientChanges, NewActivity, Timestamp, UserChanges};
use futures_util::StreamExt;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Database, Encode, Type};

/// A value for a query assembled at run time.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(Option<String>),
    Int(i64),
    NullableInt(Option<i64>),
    Bool(bool),
}

/// Bind every `Arg` to a statement, in order.
pub fn bind<'q, DB>(
    mut q: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    args: Vec<Arg>,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    Option<String>: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
{
    for a in args {
        q = match a {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::NullableInt(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
        };
    }
    q
}

/// [`bind`], for a query read into rows of `O`.
pub fn bind_as<'q, DB, O>(
    mut q: QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>,
    args: Vec<Arg>,
) -> QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    Option<String>: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
{
    for a in args {
        q = match a {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::NullableInt(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
        };
    }
    q
}

/// [`bind`], for a query read into one value of `O`.
pub fn bind_scalar<'q, DB, O>(
    mut q: QueryScalar<'q, DB, O, <DB as Database>::Arguments<'q>>,
    args: Vec<Arg>,
) -> QueryScalar<'q, DB, O, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    Option<String>: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
{
    for a in args {
        q = match a {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::NullableInt(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
        };
    }
    q
}

/// Run a query row by row on a task of its own, handing rows over in batches
/// of [`EXPORT_BATCH`] through a bounded channel: constant memory however
/// many rows there are. `persistent = false`: planned with its arguments on
/// every run, never kept as a prepared statement whose generic plan could
/// serve them all.
pub fn stream_rows<DB, R, T>(
    pool: sqlx::Pool<DB>,
    sql: String,
    args: Vec<Arg>,
    persistent: bool,
    convert: fn(R) -> StoreResult<T>,
) -> Batches<T>
where
    DB: Database + sqlx::database::HasStatementCache,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as Database>::Connection: sqlx::Executor<'c, Database = DB>,
    for<'r> R: sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    T: Send + 'static,
    R: 'static,
{
    // A few batches ahead of the response, no more: the rest waits in the
    // database's socket.
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        let mut conn = match pool.acquire().await {
            Ok(conn) => conn,
            Err(e) => {
                let _ = tx.send(Err(map_err(e))).await;
                return;
            }
        };
        let q = bind_as(sqlx::query_as::<DB, R>(&sql), args).persistent(persistent);
        let mut rows = q.fetch(&mut *conn);
        let mut batch = Vec::with_capacity(EXPORT_BATCH);
        let mut failure = None;
        while let Some(row) = rows.next().await {
            // The download was dropped: stop reading now, not a batch later.
            if tx.is_closed() {
                return;
            }
            match row.map_err(map_err).and_then(convert) {
                Ok(item) => batch.push(item),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            if batch.len() == EXPORT_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(EXPORT_BATCH));
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
}

/// A time as the databases keep it: epoch milliseconds (decision 0002).
pub fn ms(t: Timestamp) -> i64 {
    t.millis()
}

/// `$from, $from+1, …`: `n` numbered placeholders.
pub fn placeholders(from: usize, n: usize) -> String {
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

/// `updated_at` moved to `$n`, or a millisecond past its value when that is
/// not earlier: every change gives a row a new `updated_at`, so it tells one
/// version of the row from the next (decision 0022).
pub fn next_updated_at(n: usize) -> String {
    format!("updated_at = CASE WHEN ${n} > updated_at THEN ${n} ELSE updated_at + 1 END")
}

/// A new user's INSERT, its parameters `$1`…`$11` ([`new_user_args`]), its
/// `custom_modules` flag the SQL expression `custom`.
pub fn insert_user(custom: &str) -> String {
    format!(
        "INSERT INTO users (company_id, name, username, email, role, permissions, \
         password_hash, is_active, must_change_password, created_by, created_at, updated_at, \
         custom_modules) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, {custom})"
    )
}

/// A new user's values for [`insert_user`], in order.
pub fn new_user_args(new: &crate::domain::NewUser, hash: &crate::domain::PasswordHash) -> Vec<Arg> {
    vec![
        Arg::NullableInt(new.company_id),
        Arg::Text(Some(new.name.as_str().to_owned())),
        Arg::Text(Some(new.username.as_str().to_owned())),
        Arg::Text(new.email.as_ref().map(|e| e.as_str().to_owned())),
        Arg::Text(Some(new.role.as_str().to_owned())),
        Arg::Int(new.permissions.bits()),
        Arg::Text(Some(hash.as_str().to_owned())),
        Arg::Bool(new.is_active),
        Arg::Bool(new.must_change_password),
        Arg::NullableInt(new.created_by),
        Arg::Int(ms(new.now)),
    ]
}

/// An outbox row's INSERT: `$1` the client, `$2` its kind, `$3` the user (or
/// NULL), `$4` when.
pub const INSERT_OUTBOX: &str =
    "INSERT INTO client_outbox (client_id, kind, user_id, created_at) VALUES ($1, $2, $3, $4)";

/// The users a client's own database should hold, `$1` the client (and a
/// filter of user ids, if any, appended): its login name, role, whether it
/// and its client are active, and its times.
pub fn tenant_users_sql(ids: Option<&str>) -> String {
    let only = ids
        .map(|ids| format!(" AND u.id IN ({ids})"))
        .unwrap_or_default();
    format!(
        "SELECT u.id, u.username, u.role, u.is_active AND c.is_active, u.created_at, u.updated_at \
         FROM users u JOIN clients c ON c.id = u.company_id \
         WHERE u.company_id = $1{only} ORDER BY u.id"
    )
}

/// An activity entry's INSERT, its parameters `$1`…`$11` ([`activity_args`]).
pub const INSERT_ACTIVITY: &str = "INSERT INTO activity_log (at, actor_id, actor_username, \
     company_id, action, target_type, target_id, target_label, changes, ip, request_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// An entry's values for [`INSERT_ACTIVITY`], in order.
pub fn activity_args(e: &NewActivity) -> Vec<Arg> {
    vec![
        Arg::Int(ms(e.at.unwrap_or_else(Timestamp::now))),
        Arg::NullableInt(e.actor_id),
        Arg::Text(e.actor_username.clone()),
        Arg::NullableInt(e.company_id),
        Arg::Text(Some(e.action.clone())),
        Arg::Text(e.target_type.clone()),
        Arg::Text(e.target_id.clone()),
        Arg::Text(e.target_label.clone()),
        Arg::Text(e.changes.as_ref().map(|c| c.to_string())),
        Arg::Text(e.ip.clone()),
        Arg::Text(e.request_id.clone()),
    ]
}

/// A user's modules, comma-separated in name order: its own choice, or else
/// all its client's active modules; none for the operator's staff. The same
/// rule as [`MODULES_OF_USERS`]' join, as a subquery of one user's row `u` (a
/// test compares the two). `string_agg(… ORDER BY …)` is the same on both
/// dialects (SQLite 3.44 and later).
pub const USER_MODULES: &str = "(SELECT string_agg(cm.module, ',' ORDER BY cm.module) \
     FROM client_modules cm WHERE cm.client_id = u.company_id \
     AND (u.custom_modules = FALSE OR EXISTS (SELECT 1 FROM user_modules um \
     WHERE um.user_id = u.id AND um.module = cm.module)))";

/// The rule of [`USER_MODULES`], as a join: the modules of the users listed in
/// `{ids}` (placeholders), one row each `(user id, module)`.
pub fn modules_of_users(ids: &str) -> String {
    format!(
        "SELECT u.id, cm.module FROM users u \
         JOIN client_modules cm ON cm.client_id = u.company_id \
         WHERE u.id IN ({ids}) AND (u.custom_modules = FALSE OR EXISTS \
         (SELECT 1 FROM user_modules um WHERE um.user_id = u.id AND um.module = cm.module)) \
         ORDER BY u.id, cm.module"
    )
}

/// `LIKE` pattern for "contains", with the wildcards of the term escaped.
/// SQLite keeps a statement's plan whatever pattern is bound, so a bound
/// prefix pattern (`abc%`) would never use an index there.
pub fn contains_pattern(term: &str) -> String {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The WHERE clause of a client filter and its arguments.
pub fn client_where(f: &ClientFilter) -> (String, Vec<Arg>) {
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
    (where_of(&clauses), args)
}

fn where_of(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

/// ORDER BY for a client filter; `text_order` is the dialect's collation suffix
/// so that names sort alike everywhere. Missing last logins sort last both ways.
pub fn client_order(f: &ClientFilter, text_order: &str) -> String {
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
pub fn client_set(ch: &ClientChanges) -> (Vec<String>, Vec<Arg>) {
    fn text<T: AsRef<str>>(v: &Option<T>) -> Option<String> {
        v.as_ref().map(|s| s.as_ref().to_owned())
    }
    let mut sets = Vec::new();
    let mut args = Vec::new();
    let mut set = |col: &str, v: Option<String>| {
        args.push(Arg::Text(v));
        sets.push(format!("{col} = ${}", args.len()));
    };
    if let Some(v) = &ch.company_name {
        set("company_name", Some(v.clone()));
    }
    if let Some(v) = &ch.contact_email {
        set("contact_email", Some(v.as_str().to_owned()));
    }
    for (col, v) in [
        ("contact_name", ch.contact_name.as_ref().map(text)),
        ("phone_number", ch.phone_number.as_ref().map(text)),
        ("whatsapp_number", ch.whatsapp_number.as_ref().map(text)),
        ("business_address", ch.business_address.as_ref().map(text)),
        ("gst_number", ch.gst_number.as_ref().map(text)),
        ("website", ch.website.as_ref().map(text)),
        ("notes", ch.notes.as_ref().map(text)),
    ] {
        if let Some(v) = v {
            set(col, v);
        }
    }
    if let Some(v) = ch.business_type {
        set("business_type", v.map(|t| t.as_str().to_owned()));
    }
    if let Some(v) = ch.lead_status {
        set("lead_status", Some(v.as_str().to_owned()));
    }
    (sets, args)
}

/// The SET items of a user update made at `now` (without `updated_at`).
pub fn user_set(ch: &UserChanges, now: Timestamp) -> (Vec<String>, Vec<Arg>) {
    let mut sets = Vec::new();
    let mut args = Vec::new();
    let mut push = |col: &str, a: Arg, args: &mut Vec<Arg>| {
        args.push(a);
        sets.push(format!("{col} = ${}", args.len()));
    };
    if let Some(v) = &ch.name {
        push("name", Arg::Text(Some(v.as_str().to_owned())), &mut args);
    }
    if let Some(v) = &ch.username {
        push(
            "username",
            Arg::Text(Some(v.as_str().to_owned())),
            &mut args,
        );
    }
    if let Some(v) = &ch.email {
        let email = v.as_ref().map(|e| e.as_str().to_owned());
        push("email", Arg::Text(email), &mut args);
        // Given an address, the user takes it now (decision 0023).
        push("email_since", Arg::Int(ms(now)), &mut args);
    }
    if let Some(v) = ch.role {
        push("role", Arg::Text(Some(v.as_str().to_owned())), &mut args);
    }
    if let Some(v) = ch.permissions {
        push("permissions", Arg::Int(v.bits()), &mut args);
    }
    if let Some(v) = ch.is_active {
        push("is_active", Arg::Bool(v), &mut args);
    }
    if let Some(v) = ch.company_id {
        push("company_id", Arg::NullableInt(v), &mut args);
    }
    if let Some(v) = &ch.password_hash {
        push(
            "password_hash",
            Arg::Text(Some(v.as_str().to_owned())),
            &mut args,
        );
        push("must_change_password", Arg::Bool(true), &mut args);
    }
    if let Some(v) = &ch.modules {
        push("custom_modules", Arg::Bool(v.is_some()), &mut args);
    } else if ch.company_id.is_some() {
        // A user moved to another company starts from that company's modules.
        push("custom_modules", Arg::Bool(false), &mut args);
    }
    (sets, args)
}

/// The WHERE clause of an activity filter and its arguments.
pub fn activity_where(f: &ActivityFilter) -> (String, Vec<Arg>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let mut eq = |col: &str, a: Arg| {
        args.push(a);
        clauses.push(format!("{col} = ${}", args.len()));
    };
    if let Some(v) = f.actor_id {
        eq("actor_id", Arg::Int(v));
    }
    if let Some(v) = f.company_id {
        eq("company_id", Arg::Int(v));
    }
    if let Some(v) = &f.action {
        eq("action", Arg::Text(Some(v.clone())));
    }
    if let Some(v) = &f.target_type {
        eq("target_type", Arg::Text(Some(v.clone())));
    }
    if let Some(v) = &f.target_id {
        eq("target_id", Arg::Text(Some(v.clone())));
    }
    if let Some(v) = f.from {
        args.push(Arg::Int(ms(v)));
        clauses.push(format!("at >= ${}", args.len()));
    }
    if let Some(v) = f.to {
        args.push(Arg::Int(ms(v)));
        clauses.push(format!("at < ${}", args.len()));
    }
    (where_of(&clauses), args)
}

/// The dashboard's four counts of one company or of all; `of(column, n)` adds
/// `AND column = $n` for a company.
pub fn dashboard_sql(company: bool) -> [String; 4] {
    use super::{DAY_MS, FIRST_MONDAY_MS, WEEK_MS};
    let of = |column: &str, n: usize| {
        if company {
            format!("AND {column} = ${n}")
        } else {
            String::new()
        }
    };
    let active = "CAST(COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0) AS BIGINT)";
    let week = format!("(created_at - {FIRST_MONDAY_MS}) / {WEEK_MS}");
    [
        format!(
            "SELECT COUNT(*), {active} FROM clients WHERE TRUE {}",
            of("id", 1)
        ),
        format!(
            "SELECT COUNT(*), {active} FROM users WHERE TRUE {}",
            of("company_id", 1)
        ),
        format!(
            "SELECT at / {DAY_MS} AS day, \
             CAST(SUM(CASE WHEN action = 'login' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN action = 'login_failed' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM activity_log WHERE action IN ('login', 'login_failed') AND at >= $1 {} \
             GROUP BY at / {DAY_MS} ORDER BY day",
            of("company_id", 2)
        ),
        format!(
            "SELECT {week} AS week, COUNT(*) FROM clients WHERE created_at >= $1 {} \
             GROUP BY {week} ORDER BY week",
            of("id", 2)
        ),
    ]
}

/// Turn a driver error into a store error, naming the field of a broken unique rule.
pub fn map_err(e: sqlx::Error) -> StoreError {
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

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(1, 0), "");
        assert_eq!(placeholders(1, 1), "$1");
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
        assert_eq!(placeholders(99, 3), "$99, $100, $101");
    }
}
