//! [`DirectoryStore`] — users, modules and the activity log — in the same shared
//! SQL as the rest of the store. The only difference between the dialects is the
//! search: an FTS5 trigram index on SQLite, trigram GIN indexes on PostgreSQL.

use super::{
    contains_pattern, map_err, now_ms, placeholders, Arg, ManagedUserRow, SqlStore, UserRow,
};
use super::{
    insert_user, next_updated_at, INSERT_ACTIVITY, USER_COLUMNS, USER_MODULES, USER_RETURNING,
};
use crate::domain::{Module, Timestamp, User};
use crate::store::{
    ActivityEntry, ActivityFilter, Batches, DashboardFigures, DirectoryStore, NewActivity, NewUser,
    StoreError, StoreResult, UserChanges, UserFilter, UserPage, UserSortKey, DAY_MS,
    FIRST_MONDAY_MS, SEARCH_COUNT_CAP, WEEK_MS,
};
use async_trait::async_trait;
use futures_util::StreamExt;
use sqlx::{Postgres, Sqlite};
use std::collections::HashMap;

/// How a dialect finds users by part of their name, username or e-mail.
#[derive(Clone, Copy)]
enum Search {
    /// SQLite: the `users_search` FTS5 trigram index (terms of 3+ characters).
    Fts5,
    /// PostgreSQL: `LIKE` over `search_text`, served by a pg_trgm GIN index.
    Trigram,
}

/// A list's FROM and WHERE clauses with their arguments.
#[derive(Clone)]
struct UserQuery {
    from: &'static str,
    where_sql: String,
    args: Vec<Arg>,
    /// What orders the rows by id: `s.rowid` when they come from the FTS5
    /// index (already in that order), `u.id`, or on PostgreSQL `(u.id + 0)`,
    /// which the primary key cannot serve (see [`user_query`]).
    id_order: &'static str,
    /// A search term is part of the filter (its total is counted up to a cap).
    searched: bool,
    /// PostgreSQL: a search term goes to the trigram index or the walk, whose
    /// right plan may depend on the term: such a query is not kept as a
    /// prepared statement unless `one_plan` says one plan fits (decision 0017).
    trigram_searched: bool,
    /// PostgreSQL: whatever the term, one plan is right for this query (the
    /// walk, or a number's window in the trigram index), so it may be
    /// prepared (decision 0017).
    one_plan: bool,
}

const USERS: &str = "users u";
/// The search index drives the join: its rows come in id order, so a page in
/// creation order stops at its last row instead of collecting every match.
const SEARCHED_USERS: &str = "users_search s CROSS JOIN users u ON u.id = s.rowid";

/// `LIKE` over the three searched fields (`$n` is the pattern).
fn like_clause(n: usize) -> String {
    format!(
        "(LOWER(u.name) LIKE ${n} ESCAPE '\\' OR u.username LIKE ${n} ESCAPE '\\' \
         OR LOWER(u.email) LIKE ${n} ESCAPE '\\')"
    )
}

/// How many characters of a long term the FTS5 query looks for.
const FTS_WINDOW: usize = 5;

/// The FTS5 query for a term, and whether what it finds must still be checked
/// against the whole term. A quoted FTS5 string is a phrase of trigrams, which
/// is a substring match; but every trigram costs a walk through its own list
/// of rows, and in a long term most are common ones (every e-mail has `.ex`,
/// `com`…). So a long ASCII term is looked up by its least common-looking
/// five characters (digits first, then rare letters), and the rows found are
/// checked against the whole term with `LIKE`, which agrees with the index on
/// ASCII. Where a number starts or ends counts too: `y859.` finds one
/// company's domain, `ny859` also `company8590` to `company85999`.
fn fts_query(term: &str) -> (String, bool) {
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let rarity = |c: &u8| match c.to_ascii_lowercase() {
        b'0'..=b'9' => 4,
        b'j' | b'k' | b'q' | b'v' | b'w' | b'x' | b'y' | b'z' => 2,
        b'a'..=b'z' | b'.' | b'@' | b'-' | b'_' | b' ' => 0,
        _ => 1,
    };
    let number_edges = |w: &[u8]| {
        w.windows(2)
            .filter(|p| p[0].is_ascii_digit() != p[1].is_ascii_digit())
            .count() as u32
    };
    match rarest_window(term, |w| {
        Some(w.iter().map(rarity).sum::<u32>() + number_edges(w))
    }) {
        Some(window) => (quote(window), true),
        None => (quote(term), false),
    }
}

/// PostgreSQL: the part of a long term its trigram index should look for, if
/// any. pg_trgm reads every trigram of the pattern, and in a term like
/// `@company859.example` all but those of `859` are in nearly every row; the
/// digits (in a domain, a username, a phone number) are what is rare, and so
/// is a word's edge: pg_trgm splits words at anything but letters and digits,
/// and a word that the pattern shows ending (`y859.`) adds a trigram for its
/// end (`59 `) in place of a common one. So a term longer than the window
/// with digits in it is looked up by the five characters with the most
/// digits and word edges: `y859.` finds one company's domain where `ny859`
/// also found `company8590` to `company85999` (30 rows read instead of 1,120).
fn digit_window(term: &str) -> Option<&str> {
    rarest_window(term, |w| {
        // Inside a window, one word: a separator only at either end.
        let word = w[1..w.len() - 1].iter().all(u8::is_ascii_alphanumeric);
        let digits = w.iter().filter(|c| c.is_ascii_digit()).count() as u32;
        let edges = [w[0], w[w.len() - 1]]
            .iter()
            .filter(|c| !c.is_ascii_alphanumeric())
            .count() as u32;
        (word && digits > 0).then_some(digits + edges)
    })
}

/// PostgreSQL: the three-character parts of a long term its trigram index
/// should look for, when it has no number's window ([`digit_window`]). The
/// index reads the whole list of rows of every trigram in the pattern, and in
/// names every one is common: `%meera.iyer%` has eight (`mee`, `eer`, `era`,
/// `ra `, `  i`, ` iy`, `iye`, `yer`), each in 20,000 to 80,000 of a million
/// rows, and reading them was most of a searched page's cost. Each word of
/// three or more letters or digits is cut into three-character parts from its
/// start, the last part ending where the word ends (`mee`, `era`, `iye`,
/// `yer`; `kulkarni`: `kul`, `kar`, `rni`): every character is in a part, so
/// a term no row holds (`kulkxrni`) still finds a part in no row and the index
/// returns nothing at once; the overlapping trigrams and the word edges, whose
/// lists are the longest, are left out. The rows found are checked against the
/// whole term with `strpos`. Every part is in the term, so the index never
/// returns fewer rows than match, and it reads a subset of the lists the
/// whole pattern would (decision 0018).
fn word_windows(term: &str) -> Option<Vec<&str>> {
    if !term.is_ascii() || term.len() <= FTS_WINDOW {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let words = term
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3);
    for word in words {
        // From the start in steps of three, and the three that end the word
        // (already there when the word's length is a multiple of three).
        for at in (0..word.len() - 2).step_by(3).chain([word.len() - 3]) {
            let part = &word[at..at + 3];
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    (!parts.is_empty()).then_some(parts)
}

/// The first of the highest-scoring [`FTS_WINDOW`]-character windows of an
/// ASCII term longer than a window (`score` may pass a window over), if any.
fn rarest_window(term: &str, score: impl Fn(&[u8]) -> Option<u32>) -> Option<&str> {
    if !term.is_ascii() || term.len() <= FTS_WINDOW {
        return None;
    }
    let mut best: Option<(u32, usize)> = None;
    for start in 0..=term.len() - FTS_WINDOW {
        let Some(points) = score(&term.as_bytes()[start..start + FTS_WINDOW]) else {
            continue;
        };
        if best.is_none_or(|(top, _)| points > top) {
            best = Some((points, start));
        }
    }
    best.map(|(_, start)| &term[start..start + FTS_WINDOW])
}

/// The query of a list. On PostgreSQL a searched page in creation order is
/// found one of two ways, chosen here rather than by the planner, whose
/// estimates for a pattern can be far off (a term it thinks common but that
/// matches ten rows sends it walking all million):
/// - `walk`, for a term already counted past [`SEARCH_COUNT_CAP`]: walk the
///   newest users checking each with `strpos`, which no index serves; one in
///   a few dozen matches, so the page is full after a few thousand rows;
/// - otherwise the trigram index, and the matches sorted (`u.id + 0`, so that
///   the planner cannot choose the primary-key walk instead).
fn user_query(f: &UserFilter, search: Search, walk: bool) -> UserQuery {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let mut from = USERS;
    let mut id_order = "u.id";
    let mut one_plan = false;
    let term = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if let Some(company) = f.company_id {
        args.push(Arg::Int(company));
        clauses.push(format!("u.company_id = ${}", args.len()));
    }
    if let Some(term) = term {
        // One company's users are few: its index and `LIKE` find them faster
        // than walking every match of a common term in the whole directory.
        let fts =
            matches!(search, Search::Fts5) && term.chars().count() >= 3 && f.company_id.is_none();
        if fts {
            let (query, partial) = fts_query(term);
            from = SEARCHED_USERS;
            args.push(Arg::Text(Some(query)));
            clauses.push(format!("users_search MATCH ${}", args.len()));
            if partial {
                args.push(Arg::Text(Some(contains_pattern(term))));
                clauses.push(like_clause(args.len()));
            }
        } else if matches!(search, Search::Trigram) && walk {
            one_plan = true;
            args.push(Arg::Text(Some(term.to_lowercase())));
            clauses.push(format!("strpos(u.search_text, ${}) > 0", args.len()));
        } else if matches!(search, Search::Trigram) {
            id_order = "(u.id + 0)";
            let lower = term.to_lowercase();
            // What the index looks for: a number's window, a long term's
            // words' parts, or else the whole term. For a part of the term,
            // `strpos`, which no index serves, checks the whole of it.
            let (parts, partial) = match digit_window(&lower) {
                Some(window) => {
                    one_plan = true;
                    (vec![window], true)
                }
                None => match word_windows(&lower) {
                    Some(parts) => (parts, true),
                    None => (vec![lower.as_str()], false),
                },
            };
            for part in parts {
                args.push(Arg::Text(Some(contains_pattern(part))));
                clauses.push(format!("u.search_text LIKE ${} ESCAPE '\\'", args.len()));
            }
            if partial {
                args.push(Arg::Text(Some(lower.clone())));
                clauses.push(format!("strpos(u.search_text, ${}) > 0", args.len()));
            }
        } else {
            args.push(Arg::Text(Some(contains_pattern(term))));
            clauses.push(like_clause(args.len()));
        }
    }
    if let Some(active) = f.is_active {
        args.push(Arg::Bool(active));
        clauses.push(format!("u.is_active = ${}", args.len()));
    }
    if let Some(role) = f.role {
        args.push(Arg::Text(Some(role.as_str().to_owned())));
        clauses.push(format!("u.role = ${}", args.len()));
    }
    if let Some(p) = f.permission {
        // A super admin holds every permission without a grant.
        args.push(Arg::Int(1i64 << p.id()));
        clauses.push(format!(
            "((u.permissions & ${}) <> 0 OR u.role = 'super_admin')",
            args.len()
        ));
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    UserQuery {
        from,
        where_sql,
        args,
        id_order: if from == SEARCHED_USERS {
            "s.rowid"
        } else {
            id_order
        },
        searched: term.is_some(),
        trigram_searched: term.is_some() && matches!(search, Search::Trigram),
        one_plan,
    }
}

/// A search with no other filter, in creation order (the list's default).
fn searched_alone_in_creation_order(f: &UserFilter) -> bool {
    // Every field named: a new filter must say whether it changes the plan.
    let UserFilter {
        company_id,
        search,
        is_active,
        role,
        permission,
        sort,
        descending: _,
        limit: _,
        offset: _,
    } = f;
    search.is_some()
        && company_id.is_none()
        && is_active.is_none()
        && role.is_none()
        && permission.is_none()
        && *sort == UserSortKey::CreatedAt
}

/// The ORDER BY of a list; `id_order` is what orders the rows by id (see
/// [`UserQuery::id_order`]).
fn user_order(f: &UserFilter, id_order: &str, text_order: &str) -> String {
    let dir = if f.descending { "DESC" } else { "ASC" };
    match f.sort {
        UserSortKey::CreatedAt => format!("{id_order} {dir}"),
        UserSortKey::Name => format!("LOWER(u.name){text_order} {dir}, u.id {dir}"),
        UserSortKey::Username => format!("u.username{text_order} {dir}"),
        UserSortKey::LastLogin => {
            format!("(u.last_login IS NULL), u.last_login {dir}, u.id {dir}")
        }
    }
}

/// The count of a list's users: exact for filters, at most
/// [`SEARCH_COUNT_CAP`] + 1 for a search.
fn count_sql(q: &UserQuery) -> String {
    if q.searched {
        format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {} {} LIMIT {}) t",
            q.from,
            q.where_sql,
            SEARCH_COUNT_CAP + 1
        )
    } else {
        format!("SELECT COUNT(*) FROM {} {}", q.from, q.where_sql)
    }
}

/// The SET items of a user update made at `now` (without `updated_at`).
fn user_set(ch: &UserChanges, now: Timestamp) -> (Vec<String>, Vec<Arg>) {
    let mut sets = Vec::new();
    let mut args = Vec::new();
    let mut push = |col: &str, a: Arg, args: &mut Vec<Arg>| {
        args.push(a);
        sets.push(format!("{col} = ${}", args.len()));
    };
    if let Some(v) = &ch.name {
        push("name", Arg::Text(Some(v.clone())), &mut args);
    }
    if let Some(v) = &ch.username {
        push("username", Arg::Text(Some(v.clone())), &mut args);
    }
    if let Some(v) = &ch.email {
        push("email", Arg::Text(v.clone()), &mut args);
        // Given an address, the user takes it now (decision 0023).
        push("email_since", Arg::Int(now_ms(now)), &mut args);
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
        push("password_hash", Arg::Text(Some(v.clone())), &mut args);
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

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_username: Option<String>,
    company_id: Option<i64>,
    action: String,
    target_type: Option<String>,
    target_id: Option<String>,
    target_label: Option<String>,
    changes: Option<String>,
    ip: Option<String>,
    request_id: Option<String>,
}

impl From<ActivityRow> for ActivityEntry {
    fn from(r: ActivityRow) -> Self {
        Self {
            id: r.id,
            at: Timestamp::from(r.at),
            actor_id: r.actor_id,
            actor_username: r.actor_username,
            company_id: r.company_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            target_label: r.target_label,
            changes: r.changes.and_then(|c| serde_json::from_str(&c).ok()),
            ip: r.ip,
            request_id: r.request_id,
        }
    }
}

const ACTIVITY_COLUMNS: &str = "id, at, actor_id, actor_username, company_id, action, \
     target_type, target_id, target_label, changes, ip, request_id";

fn activity_where(f: &ActivityFilter) -> (String, Vec<Arg>) {
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
        args.push(Arg::Int(now_ms(v)));
        clauses.push(format!("at >= ${}", args.len()));
    }
    if let Some(v) = f.to {
        args.push(Arg::Int(now_ms(v)));
        clauses.push(format!("at < ${}", args.len()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

macro_rules! impl_directory_store {
    ($db:ty, text_order = $text_order:literal, search = $search:expr, begin = $begin:literal,
     modules_in_page = $modules_in_page:literal) => {
        #[async_trait]
        impl DirectoryStore for SqlStore<$db> {
            async fn list_users(&self, f: &UserFilter) -> StoreResult<UserPage> {
                let indexed = user_query(f, $search, false);
                let count_sql = count_sql(&indexed);
                let key = format!("{count_sql} {:?}", indexed.args);
                let common = indexed.trigram_searched
                    && f.sort == UserSortKey::CreatedAt
                    && self.user_counts.peek(&key).is_some_and(|t| t > SEARCH_COUNT_CAP);
                let q = if common { user_query(f, $search, true) } else { indexed.clone() };
                let n = q.args.len();
                // One row past the page tells whether more follow.
                let page = format!(
                    "SELECT {USER_COLUMNS}, u.custom_modules FROM {} {} \
                     ORDER BY {} LIMIT ${} OFFSET ${}",
                    q.from,
                    q.where_sql,
                    user_order(f, q.id_order, $text_order),
                    n + 1,
                    n + 2,
                );
                // SQLite: the page, with each row's modules (only the page's: an
                // OFFSET's skipped rows would have their columns computed too), as
                // one JSON array in one row, each user `[[columns], modules]`: the
                // connection's worker thread hands sqlx each row as its own
                // message, every value copied, and the request's thread frees them
                // all again (decision 0014).
                // PostgreSQL: rows, and the modules in a second query, where each
                // row's subquery costs the database more than the round trip
                // saves (pages -6% in an A/B run). A searched page is prepared
                // only when one plan is right whatever the term (decision 0017):
                // the walk, or a number's window in the trigram index, in
                // creation order with no other filter. Otherwise it is planned
                // with its own term each time: after five runs a prepared
                // statement may keep one generic plan for good, and for a whole
                // term that plan reads the trigram index even where the term is
                // in every row (or, for one or two characters, has no trigram),
                // or walks a sort's or a filter's index for a rare term.
                let planned =
                    !q.trigram_searched || (q.one_plan && searched_alone_in_creation_order(f));
                let mut rows = if $modules_in_page {
                    let sql = format!(
                        "SELECT json_group_array(json_array(json_array({USER_COLUMNS}), \
                         {USER_MODULES}) ORDER BY {}) FROM ({page}) u",
                        user_order(f, "u.id", $text_order)
                    );
                    let json: String = bind_args!(sqlx::query_scalar(&sql), q.args.clone())
                        .persistent(planned)
                        .bind(f.limit.saturating_add(1))
                        .bind(f.offset)
                        .fetch_one(&self.scans)
                        .await
                        .map_err(map_err)?;
                    serde_json::from_str::<Vec<(UserRow, Option<String>)>>(&json)
                        .map_err(|e| StoreError::Other(anyhow::anyhow!("a page of users: {e}")))?
                        .into_iter()
                        .map(|(user, modules)| ManagedUserRow { user, modules })
                        .collect()
                } else {
                    bind_args!(sqlx::query_as::<_, ManagedUserRow>(&page), q.args.clone())
                        .persistent(planned)
                        .bind(f.limit.saturating_add(1))
                        .bind(f.offset)
                        .fetch_all(&self.scans)
                        .await
                        .map_err(map_err)?
                };
                let has_more = rows.len() as i64 > f.limit;
                rows.truncate(f.limit.max(0) as usize);
                let shown = rows.len() as i64;
                let mut users = rows
                    .into_iter()
                    .map(ManagedUserRow::into_managed)
                    .collect::<StoreResult<Vec<_>>>()?;
                if !$modules_in_page {
                    let ids: Vec<i64> = users
                        .iter()
                        .filter(|u| u.user.company_id.is_some())
                        .map(|u| u.user.id)
                        .collect();
                    if !ids.is_empty() {
                        let mut modules = self.modules_of_users(&ids).await?;
                        for u in &mut users {
                            u.modules = modules.remove(&u.user.id).unwrap_or_default();
                        }
                    }
                }
                // The last page tells the total without counting; otherwise
                // count (once for everyone asking), or reuse a recent count.
                if !has_more && (shown > 0 || f.offset == 0) {
                    let total = f.offset.saturating_add(shown);
                    return Ok(UserPage { users, total, total_exact: true, has_more });
                }
                let pool = self.scans.clone();
                let args = indexed.args;
                // A count is planned with its term: for a common one, reading
                // the table stops at the cap; the trigram index reads every match.
                let planned = !indexed.trigram_searched;
                let counted = self
                    .user_counts
                    .total(key, move || async move {
                        bind_args!(sqlx::query_scalar::<_, i64>(&count_sql), args)
                            .persistent(planned)
                            .fetch_one(&pool)
                            .await
                            .map_err(map_err)
                    })
                    .await?;
                let total_exact = !(indexed.searched && counted > SEARCH_COUNT_CAP);
                let seen = f.offset.saturating_add(shown).saturating_add(i64::from(has_more));
                let total = if total_exact { counted } else { SEARCH_COUNT_CAP }.max(seen);
                Ok(UserPage { users, total, total_exact, has_more })
            }

            fn export_users(&self, f: &UserFilter) -> Batches<User> {
                let q = user_query(f, $search, false);
                let sql = format!(
                    "SELECT {USER_COLUMNS} FROM {} {} ORDER BY {}",
                    q.from,
                    q.where_sql,
                    user_order(f, q.id_order, $text_order)
                );
                // Never prepared when searched, as a search's count (decision
                // 0017): a generic plan kept for good could read the trigram
                // index for a term in every row.
                let prepared = !q.trigram_searched;
                stream_rows!(
                    self.scans.clone(),
                    sql,
                    q.args,
                    UserRow,
                    UserRow::into_user,
                    persistent = prepared
                )
            }

            async fn create_users(&self, users: &[NewUser]) -> StoreResult<Vec<User>> {
                let mut conn = self.pool.lease().await.map_err(map_err)?;
                let mut tx = conn.begin_with($begin).await.map_err(map_err)?;
                let mut created = Vec::with_capacity(users.len());
                for new in users {
                    created.push(insert_user_tx!(tx, new)?);
                }
                tx.commit().await.map_err(map_err)?;
                self.user_counts.invalidate();
                Ok(created)
            }

            async fn update_user(
                &self,
                id: i64,
                ch: &UserChanges,
                now: Timestamp,
                entry: Option<&NewActivity>,
            ) -> StoreResult<User> {
                let mut conn = self.pool.lease().await.map_err(map_err)?;
                let mut tx = conn.begin_with($begin).await.map_err(map_err)?;
                let (mut sets, mut args) = user_set(ch, now);
                args.push(Arg::Int(now_ms(now)));
                sets.push(next_updated_at(args.len()));
                args.push(Arg::Int(id));
                let mut sql = format!(
                    "UPDATE users SET {} WHERE id = ${}",
                    sets.join(", "),
                    args.len()
                );
                if let Some(since) = ch.unchanged_since {
                    args.push(Arg::Int(now_ms(since)));
                    sql.push_str(&format!(" AND updated_at = ${}", args.len()));
                }
                sql.push_str(&format!(" RETURNING {USER_RETURNING}"));
                let updated = bind_args!(sqlx::query_as::<_, UserRow>(&sql), args)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?;
                let Some(user) = updated else {
                    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    return Err(if exists.is_some() { StoreError::Changed } else { StoreError::NotFound });
                };
                let user = user.into_user()?;
                if ch.modules.is_some() || ch.company_id.is_some() {
                    sqlx::query("DELETE FROM user_modules WHERE user_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
                if let Some(Some(modules)) = &ch.modules {
                    for m in modules {
                        sqlx::query("INSERT INTO user_modules (user_id, module) VALUES ($1, $2)")
                            .bind(id)
                            .bind(m)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_err)?;
                    }
                }
                if ch.password_hash.is_some() {
                    sqlx::query(
                        "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                    )
                    .bind(id)
                    .bind(now_ms(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                }
                if let Some(e) = entry {
                    bind_activity!(sqlx::query(INSERT_ACTIVITY.as_str()), e)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
                tx.commit().await.map_err(map_err)?;
                self.user_counts.invalidate();
                Ok(user)
            }

            async fn modules_of_users(
                &self,
                user_ids: &[i64],
            ) -> StoreResult<HashMap<i64, Vec<String>>> {
                let mut out: HashMap<i64, Vec<String>> = HashMap::new();
                for chunk in user_ids.chunks(500) {
                    // The rule of [`USER_MODULES`], as a join.
                    let sql = format!(
                        "SELECT u.id, cm.module FROM users u \
                         JOIN client_modules cm ON cm.client_id = u.company_id \
                         WHERE u.id IN ({}) AND (u.custom_modules = FALSE OR EXISTS \
                         (SELECT 1 FROM user_modules um WHERE um.user_id = u.id AND um.module = cm.module)) \
                         ORDER BY u.id, cm.module",
                        placeholders(1, chunk.len())
                    );
                    let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    for (id, module) in q.fetch_all(&self.pool).await.map_err(map_err)? {
                        out.entry(id).or_default().push(module);
                    }
                }
                Ok(out)
            }

            async fn taken_usernames(&self, usernames: &[String]) -> StoreResult<Vec<String>> {
                let mut taken = Vec::new();
                for chunk in usernames.chunks(500) {
                    let sql = format!(
                        "SELECT username FROM users WHERE username IN ({})",
                        placeholders(1, chunk.len())
                    );
                    let mut q = sqlx::query_scalar::<_, String>(&sql);
                    for u in chunk {
                        q = q.bind(u);
                    }
                    taken.extend(q.fetch_all(&self.pool).await.map_err(map_err)?);
                }
                Ok(taken)
            }

            async fn taken_emails(
                &self,
                company_id: Option<i64>,
                emails: &[String],
            ) -> StoreResult<Vec<String>> {
                let mut taken = Vec::new();
                for chunk in emails.chunks(500) {
                    let sql = format!(
                        "SELECT email FROM users WHERE COALESCE(company_id, 0) = $1 AND email IN ({})",
                        placeholders(2, chunk.len())
                    );
                    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(company_id.unwrap_or(0));
                    for e in chunk {
                        q = q.bind(e);
                    }
                    taken.extend(q.fetch_all(&self.pool).await.map_err(map_err)?);
                }
                Ok(taken)
            }

            async fn list_modules(&self) -> StoreResult<Vec<Module>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT name, label, created_at FROM modules ORDER BY name",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
                Ok(rows
                    .into_iter()
                    .map(|(name, label, at)| Module { name, label, created_at: Timestamp::from(at) })
                    .collect())
            }

            async fn create_module(&self, m: &Module) -> StoreResult<Module> {
                sqlx::query("INSERT INTO modules (name, label, created_at) VALUES ($1, $2, $3)")
                    .bind(&m.name)
                    .bind(&m.label)
                    .bind(now_ms(m.created_at))
                    .execute(&self.pool)
                    .await
                    .map_err(|e| match map_err(e) {
                        StoreError::Conflict(_) => StoreError::Conflict("module".into()),
                        e => e,
                    })?;
                Ok(m.clone())
            }

            async fn client_modules(&self, client_id: i64) -> StoreResult<Vec<String>> {
                sqlx::query_scalar(
                    "SELECT module FROM client_modules WHERE client_id = $1 ORDER BY module",
                )
                .bind(client_id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)
            }

            async fn set_client_modules(
                &self,
                client_id: i64,
                modules: &[String],
                now: Timestamp,
                unchanged_since: Timestamp,
                entry: Option<&NewActivity>,
            ) -> StoreResult<Vec<String>> {
                let mut conn = self.pool.lease().await.map_err(map_err)?;
                let mut tx = conn.begin_with($begin).await.map_err(map_err)?;
                let sql = format!(
                    "UPDATE clients SET {} WHERE id = $1 AND updated_at = $3",
                    next_updated_at(2)
                );
                let done = sqlx::query(&sql)
                    .bind(client_id)
                    .bind(now_ms(now))
                    .bind(now_ms(unchanged_since))
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                if done.rows_affected() == 0 {
                    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM clients WHERE id = $1")
                        .bind(client_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    return Err(if exists.is_some() { StoreError::Changed } else { StoreError::NotFound });
                }
                sqlx::query("DELETE FROM client_modules WHERE client_id = $1")
                    .bind(client_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                for m in modules {
                    sqlx::query(
                        "INSERT INTO client_modules (client_id, module) VALUES ($1, $2) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(client_id)
                    .bind(m)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                }
                if let Some(e) = entry {
                    bind_activity!(sqlx::query(INSERT_ACTIVITY.as_str()), e)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
                let after: Vec<String> = sqlx::query_scalar(
                    "SELECT module FROM client_modules WHERE client_id = $1 ORDER BY module",
                )
                .bind(client_id)
                .fetch_all(&mut *tx)
                .await
                .map_err(map_err)?;
                tx.commit().await.map_err(map_err)?;
                Ok(after)
            }

            async fn list_activity(
                &self,
                f: &ActivityFilter,
            ) -> StoreResult<(Vec<ActivityEntry>, i64)> {
                let (where_sql, args) = activity_where(f);
                let n = args.len();
                let sql = format!(
                    "SELECT {ACTIVITY_COLUMNS} FROM activity_log {where_sql} \
                     ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
                    n + 1,
                    n + 2
                );
                let rows = bind_args!(sqlx::query_as::<_, ActivityRow>(&sql), args)
                    .bind(f.limit)
                    .bind(f.offset)
                    .fetch_all(&self.scans)
                    .await
                    .map_err(map_err)?;
                let (where_sql, args) = activity_where(f);
                let count_sql = format!("SELECT COUNT(*) FROM activity_log {where_sql}");
                let total: i64 = bind_args!(sqlx::query_scalar(&count_sql), args)
                    .fetch_one(&self.scans)
                    .await
                    .map_err(map_err)?;
                Ok((rows.into_iter().map(ActivityEntry::from).collect(), total))
            }

            fn export_activity(&self, f: &ActivityFilter) -> Batches<ActivityEntry> {
                let (where_sql, args) = activity_where(f);
                let sql = format!(
                    "SELECT {ACTIVITY_COLUMNS} FROM activity_log {where_sql} ORDER BY at DESC, id DESC"
                );
                stream_rows!(self.scans.clone(), sql, args, ActivityRow, |r: ActivityRow| Ok(
                    ActivityEntry::from(r)
                ))
            }

            async fn merge_search_index(&self, pages: u32) -> StoreResult<bool> {
                self.merge_search_step(pages).await
            }
            async fn recent_activity(
                &self,
                company_id: Option<i64>,
                limit: i64,
            ) -> StoreResult<Vec<ActivityEntry>> {
                let filter = ActivityFilter { company_id, ..ActivityFilter::default() };
                let (where_sql, args) = activity_where(&filter);
                let sql = format!(
                    "SELECT {ACTIVITY_COLUMNS} FROM activity_log {where_sql} \
                     ORDER BY at DESC, id DESC LIMIT ${}",
                    args.len() + 1
                );
                let rows = bind_args!(sqlx::query_as::<_, ActivityRow>(&sql), args)
                    .bind(limit)
                    .fetch_all(&self.scans)
                    .await
                    .map_err(map_err)?;
                Ok(rows.into_iter().map(ActivityEntry::from).collect())
            }

            async fn dashboard_figures(
                &self,
                company_id: Option<i64>,
                days_from: Timestamp,
                weeks_from: Timestamp,
            ) -> StoreResult<DashboardFigures> {
                // Of one company (its index), or of all: `$n` is the company.
                let of = |column: &str, n: usize| match company_id {
                    Some(_) => format!("AND {column} = ${n}"),
                    None => String::new(),
                };
                let active = "CAST(COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0) AS BIGINT)";
                let sql = format!("SELECT COUNT(*), {active} FROM clients WHERE TRUE {}", of("id", 1));
                let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
                if let Some(c) = company_id {
                    q = q.bind(c);
                }
                let (clients_total, clients_active) = q.fetch_one(&self.scans).await.map_err(map_err)?;
                let sql = format!(
                    "SELECT COUNT(*), {active} FROM users WHERE TRUE {}",
                    of("company_id", 1)
                );
                let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
                if let Some(c) = company_id {
                    q = q.bind(c);
                }
                let (users_total, users_active) = q.fetch_one(&self.scans).await.map_err(map_err)?;
                let sql = format!(
                    "SELECT at / {DAY_MS} AS day, \
                     CAST(SUM(CASE WHEN action = 'login' THEN 1 ELSE 0 END) AS BIGINT), \
                     CAST(SUM(CASE WHEN action = 'login_failed' THEN 1 ELSE 0 END) AS BIGINT) \
                     FROM activity_log WHERE action IN ('login', 'login_failed') AND at >= $1 {} \
                     GROUP BY at / {DAY_MS} ORDER BY day",
                    of("company_id", 2)
                );
                let mut q = sqlx::query_as::<_, (i64, i64, i64)>(&sql).bind(now_ms(days_from));
                if let Some(c) = company_id {
                    q = q.bind(c);
                }
                let logins_by_day = q.fetch_all(&self.scans).await.map_err(map_err)?;
                let week = format!("(created_at - {FIRST_MONDAY_MS}) / {WEEK_MS}");
                let sql = format!(
                    "SELECT {week} AS week, COUNT(*) FROM clients WHERE created_at >= $1 {} \
                     GROUP BY {week} ORDER BY week",
                    of("id", 2)
                );
                let mut q = sqlx::query_as::<_, (i64, i64)>(&sql).bind(now_ms(weeks_from));
                if let Some(c) = company_id {
                    q = q.bind(c);
                }
                let new_clients_by_week = q.fetch_all(&self.scans).await.map_err(map_err)?;
                Ok(DashboardFigures {
                    clients_total,
                    clients_active,
                    users_total,
                    users_active,
                    logins_by_day,
                    new_clients_by_week,
                })
            }
        }
    };
}

impl SqlStore<Sqlite> {
    /// One step of FTS5's incremental merge towards a single segment (`merge`
    /// with a negative page count: the `optimize` command, a little at a
    /// time), one short write transaction, on a connection of the main pool,
    /// which reads the index through its page cache rather than the memory
    /// map (decision 0016): a merge reads the whole index once, and mapped
    /// pages would count as the service's memory. SQLite says whether the step
    /// did any work by two or more changes on the connection
    /// (<https://sqlite.org/fts5.html#the_merge_command>).
    async fn merge_search_step(&self, pages: u32) -> StoreResult<bool> {
        let mut conn = self.pool.lease().await.map_err(map_err)?;
        let changes = "SELECT total_changes()";
        let before: i64 = sqlx::query_scalar(changes)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        sqlx::query("INSERT INTO users_search (users_search, rank) VALUES ('merge', $1)")
            .bind(-i64::from(pages.max(1)))
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        let after: i64 = sqlx::query_scalar(changes)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        Ok(after - before >= 2)
    }
}

impl SqlStore<Postgres> {
    /// PostgreSQL's trigram indexes need no merging from the service (its
    /// autovacuum cleans up a GIN index's pending list).
    async fn merge_search_step(&self, _pages: u32) -> StoreResult<bool> {
        Ok(false)
    }
}

impl_directory_store!(
    Sqlite,
    text_order = "",
    search = Search::Fts5,
    begin = "BEGIN IMMEDIATE",
    modules_in_page = true
);
impl_directory_store!(
    Postgres,
    text_order = " COLLATE \"C\"",
    search = Search::Trigram,
    begin = "BEGIN",
    modules_in_page = false
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Decision 0017: on PostgreSQL the pattern a number's window sends to the
    /// trigram index (its word's edges, LIKE's wildcards escaped), the whole
    /// term checked beside it, and which queries may be prepared.
    #[test]
    fn a_postgres_search_sends_its_window_and_says_whether_one_plan_fits() {
        let filter = |term: &str| UserFilter {
            company_id: None,
            search: Some(term.into()),
            is_active: None,
            role: None,
            permission: None,
            sort: UserSortKey::CreatedAt,
            descending: true,
            limit: 50,
            offset: 0,
        };
        let texts = |q: &UserQuery| -> Vec<String> {
            q.args
                .iter()
                .filter_map(|a| match a {
                    Arg::Text(Some(t)) => Some(t.clone()),
                    _ => None,
                })
                .collect()
        };
        let q = user_query(&filter("Ya 100% Sh"), Search::Trigram, false);
        assert_eq!(texts(&q), vec!["% 100\\%%", "ya 100% sh"]);
        assert!(q.one_plan && q.where_sql.contains("strpos"));
        let q = user_query(&filter("@Company859.example"), Search::Trigram, false);
        assert_eq!(texts(&q), vec!["%y859.%", "@company859.example"]);
        // Words: their parts in the index, the whole term checked.
        // Its plan depends on the term (the table for one in every row, the
        // index for a rare one).
        let q = user_query(&filter("Meera Iyer"), Search::Trigram, false);
        assert_eq!(
            texts(&q),
            vec!["%mee%", "%era%", "%iye%", "%yer%", "meera iyer"]
        );
        assert!(!q.one_plan && q.where_sql.contains("strpos"));
        // A short term: the whole of it.
        let q = user_query(&filter("Mukh"), Search::Trigram, false);
        assert_eq!(texts(&q), vec!["%mukh%"]);
        assert!(!q.one_plan);
        // The walk of a common term.
        let q = user_query(&filter("Sharma"), Search::Trigram, true);
        assert_eq!(texts(&q), vec!["sharma"]);
        assert!(q.one_plan);
        assert!(searched_alone_in_creation_order(&filter("x")));
        let by_name = UserFilter {
            sort: UserSortKey::Name,
            ..filter("x")
        };
        assert!(!searched_alone_in_creation_order(&by_name));
        let in_company = UserFilter {
            company_id: Some(1),
            ..filter("x")
        };
        assert!(!searched_alone_in_creation_order(&in_company));
    }

    #[test]
    fn a_long_term_is_looked_up_by_its_rarest_window() {
        assert_eq!(fts_query("meera"), ("\"meera\"".into(), false));
        assert_eq!(fts_query("@company859.example"), ("\"y859.\"".into(), true));
        assert_eq!(
            fts_query("kabir.malhotra428571"),
            ("\"42857\"".into(), true)
        );
        assert_eq!(fts_query("+91 70936 35305"), ("\"70936\"".into(), true));
        assert_eq!(fts_query("kulkarni"), ("\"kulka\"".into(), true));
        assert_eq!(
            fts_query("Élodie Durand"),
            ("\"Élodie Durand\"".into(), false)
        );
        assert_eq!(
            word_windows("meera.iyer"),
            Some(vec!["mee", "era", "iye", "yer"])
        );
        assert_eq!(word_windows("kulkarni"), Some(vec!["kul", "kar", "rni"]));
        assert_eq!(word_windows("kulkxrni"), Some(vec!["kul", "kxr", "rni"]));
        assert_eq!(word_windows("a sharma"), Some(vec!["sha", "rma"]));
        assert_eq!(word_windows("sharma sharma"), Some(vec!["sha", "rma"]));
        assert_eq!(word_windows("priya_s"), Some(vec!["pri", "iya"]));
        assert_eq!(word_windows("iyer.x"), Some(vec!["iye", "yer"]));
        assert_eq!(word_windows("ab.cd.ef"), None);
        assert_eq!(word_windows("meera"), None);
        assert_eq!(word_windows("élodie durand"), None);
        assert_eq!(digit_window("@company859.example"), Some("y859."));
        assert_eq!(digit_window("kabir.malhotra428571"), Some("42857"));
        assert_eq!(digit_window("ab.123.cd"), Some(".123."));
        assert_eq!(digit_window("d109@cap"), Some("d109@"));
        assert_eq!(digit_window("ya 100% sh"), Some(" 100%"));
        assert_eq!(digit_window("meera.iyer"), None);
        assert_eq!(digit_window("12.34"), None);
    }

    /// Decision 0016: only the reads of many rows go through the memory map;
    /// a map on the connections every request uses is dropped and rebuilt at
    /// their first read after any write.
    #[tokio::test]
    async fn on_sqlite_only_the_scans_read_through_a_memory_map() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("map.db").display());
        let store = crate::store::sqlite::connect(&url)
            .await
            .expect("the database opens");
        let mmap = |pool: sqlx::Pool<Sqlite>| async move {
            sqlx::query_scalar::<_, i64>("PRAGMA mmap_size")
                .fetch_one(&pool)
                .await
                .expect("the pragma answers")
        };
        assert_eq!(mmap(store.pool.pool().clone()).await, 0);
        assert_eq!(mmap(store.scans.pool().clone()).await, 1 << 30);
    }
}
