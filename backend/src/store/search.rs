//! How a search term is looked up, the same for both dialects but for the
//! index each has: SQLite's FTS5 trigram index (`users_search`), or
//! PostgreSQL's trigram GIN index over `search_text` (decisions 0007, 0008,
//! 0017, 0018 and docs/performance). The dialects' users stores build their
//! list queries here.

use super::sql::{contains_pattern, Arg};
use super::{UserFilter, UserSortKey, SEARCH_COUNT_CAP};

/// How a dialect finds users by part of their name, username or e-mail.
#[derive(Clone, Copy)]
pub enum Search {
    /// SQLite: the `users_search` FTS5 trigram index (terms of 3+ characters).
    Fts5,
    /// PostgreSQL: `LIKE` over `search_text`, served by a pg_trgm GIN index.
    Trigram,
}

/// A list's FROM and WHERE clauses with their arguments.
#[derive(Clone)]
pub struct UserQuery {
    pub from: &'static str,
    pub where_sql: String,
    pub args: Vec<Arg>,
    /// What orders the rows by id: `s.rowid` when they come from the FTS5
    /// index (already in that order), `u.id`, or on PostgreSQL `(u.id + 0)`,
    /// which the primary key cannot serve (see [`user_query`]).
    pub id_order: &'static str,
    /// A search term is part of the filter (its total is counted up to a cap).
    pub searched: bool,
    /// PostgreSQL: a search term goes to the trigram index or the walk, whose
    /// right plan may depend on the term: such a query is not kept as a
    /// prepared statement unless `one_plan` says one plan fits (decision 0017).
    pub trigram_searched: bool,
    /// PostgreSQL: whatever the term, one plan is right for this query (the
    /// walk, or a number's window in the trigram index), so it may be
    /// prepared (decision 0017).
    pub one_plan: bool,
}

const USERS: &str = "users u";
/// The search index drives the join: its rows come in id order, so a page in
/// creation order stops at its last row instead of collecting every match.
pub const SEARCHED_USERS: &str = "users_search s CROSS JOIN users u ON u.id = s.rowid";

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
pub fn user_query(f: &UserFilter, search: Search, walk: bool) -> UserQuery {
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
pub fn searched_alone_in_creation_order(f: &UserFilter) -> bool {
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
pub fn user_order(f: &UserFilter, id_order: &str, text_order: &str) -> String {
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
pub fn count_sql(q: &UserQuery) -> String {
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
}
