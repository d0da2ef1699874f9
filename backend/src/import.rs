//! Bulk import of users from CSV (seed 002's next steps): every row is checked
//! with the same rules as a single create; then either nothing is written (a dry
//! run, or any invalid row) or every row is, in one transaction.

use crate::activity;
use crate::auth::access::require;
use crate::auth::Caller;
use crate::domain::{Password, Permission};
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::store::{NewUser, StoreError};
use crate::users::{self, UserInput};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// Rows one import may hold: each needs an argon2 hash.
pub const MAX_ROWS: usize = 1000;
/// The largest file an import reads.
pub const MAX_BYTES: usize = 1024 * 1024;

const COLUMNS: [&str; 6] = [
    "name",
    "username",
    "email",
    "role",
    "permissions",
    "companyId",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Would be created (dry run).
    Valid,
    /// Cannot be created; see `errors`.
    Invalid,
    Created,
}

/// The outcome for one row of the file.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportRow {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub username: String,
    pub status: RowStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The generated password, shown once; the user must change it at first login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// What an import did, or would do, row by row.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub dry_run: bool,
    pub total: usize,
    pub valid: usize,
    pub invalid: usize,
    pub created: usize,
    pub rows: Vec<ImportRow>,
}

fn csv_error(msg: impl Into<String>) -> Error {
    Error::field("csv", msg)
}

/// Read the file into `(line, input)` pairs, or refuse it as a whole.
fn read(bytes: &[u8]) -> Result<Vec<(usize, UserInput, FieldErrors)>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| csv_error("must be UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return Err(csv_error("must not contain NUL characters"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(format!("cannot read the header row: {e}")))?
        .clone();
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h) {
            return Err(csv_error(format!(
                "unknown column {h:?}; the columns are {}",
                COLUMNS.join(", ")
            )));
        }
        if index.insert(h.to_owned(), i).is_some() {
            return Err(csv_error(format!("column {h:?} appears twice")));
        }
    }
    for required in ["name", "username"] {
        if !index.contains_key(required) {
            return Err(csv_error(format!("the header needs a {required:?} column")));
        }
    }
    let mut rows = Vec::new();
    let mut lines = Lines::new(text);
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(format!("cannot read the file: {e}")))?;
        if rows.len() == MAX_ROWS {
            return Err(csv_error(format!("at most {MAX_ROWS} rows per import")));
        }
        let line = lines.at(record.position().map_or(0, |p| p.byte() as usize));
        let cell = |name: &str| {
            index
                .get(name)
                .and_then(|i| record.get(*i))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let mut errors = FieldErrors::new();
        let permissions = cell("permissions").map(|v| {
            v.split([' ', ';', ',', '|'])
                .filter(|p| !p.is_empty())
                .filter_map(|p| match p.parse::<i64>() {
                    Ok(id) => Some(id),
                    Err(_) => {
                        errors
                            .entry("permissions".into())
                            .or_default()
                            .push(format!("{p:?} is not a permission id"));
                        None
                    }
                })
                .collect()
        });
        let company_id = cell("companyId").and_then(|v| match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors
                    .entry("companyId".into())
                    .or_default()
                    .push("must be a client id".into());
                None
            }
        });
        rows.push((
            line,
            UserInput {
                name: cell("name"),
                username: cell("username"),
                email: cell("email").map(Some),
                role: cell("role"),
                company_id: company_id.map(Some),
                permissions,
                ..UserInput::default()
            },
            errors,
        ));
    }
    if rows.is_empty() {
        return Err(csv_error("has no rows below the header"));
    }
    Ok(rows)
}

/// The line numbers a person sees in an editor (the first line is 1), for
/// byte offsets given in increasing order. A line ends at `\r\n`, `\n` or a
/// lone `\r`; blank lines count (the CSV reader skips them, and its own line
/// count misses `\r\n` files' breaks).
struct Lines<'a> {
    text: &'a [u8],
    /// Up to where the breaks have been counted, and how many there were.
    counted_to: usize,
    breaks: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            counted_to: 0,
            breaks: 0,
        }
    }

    /// The line of the record starting at byte `offset`. The CSV reader may
    /// place a record at the line break before it (the `\n` of a `\r\n`, or
    /// blank lines it skipped): a record never starts with a break, so those
    /// are passed over.
    fn at(&mut self, offset: usize) -> usize {
        let mut end = offset.min(self.text.len());
        while matches!(self.text.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
        for i in self.counted_to..end {
            match self.text[i] {
                b'\n' => self.breaks += 1,
                // A `\r` ends a line unless a `\n` follows (that one counts).
                b'\r' if self.text.get(i + 1) != Some(&b'\n') => self.breaks += 1,
                _ => {}
            }
        }
        self.counted_to = self.counted_to.max(end);
        self.breaks + 1
    }
}

/// Where a rule's refusal belongs in a row's report.
fn row_errors(e: Error) -> FieldErrors {
    match e {
        Error::Validation { details, .. } => details,
        Error::NotFound(_) => {
            FieldErrors::from([("companyId".into(), vec!["no such client".into()])])
        }
        Error::Forbidden(m) | Error::Conflict(m) | Error::BadRequest(m) => {
            FieldErrors::from([("row".into(), vec![m])])
        }
        other => FieldErrors::from([("row".into(), vec![other.to_string()])]),
    }
}

pub async fn run(
    state: &AppState,
    caller: &Caller,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport, Error> {
    require(caller, Permission::CreateUsers)?;
    let rows = read(bytes)?;
    let mut prepared: Vec<Option<NewUser>> = Vec::with_capacity(rows.len());
    let mut report_rows = Vec::with_capacity(rows.len());
    let mut seen_usernames: HashMap<String, usize> = HashMap::new();
    let mut seen_emails: HashMap<(Option<i64>, String), usize> = HashMap::new();
    for (line, input, mut errors) in rows {
        let username = input.username.clone().unwrap_or_default().to_lowercase();
        let new = match users::prepare(state, caller, &input, false).await {
            Ok(p) => Some(p.user),
            Err(e) => {
                for (f, msgs) in row_errors(e) {
                    errors.entry(f).or_default().extend(msgs);
                }
                None
            }
        };
        if let Some(new) = &new {
            if let Some(first) = seen_usernames.insert(new.username.clone(), line) {
                errors
                    .entry("username".into())
                    .or_default()
                    .push(format!("appears twice in this file (line {first})"));
            }
            if let Some(email) = &new.email {
                if let Some(first) = seen_emails.insert((new.company_id, email.clone()), line) {
                    errors.entry("email".into()).or_default().push(format!(
                        "appears twice for one company in this file (line {first})"
                    ));
                }
            }
        }
        report_rows.push(ImportRow {
            line,
            username: new.as_ref().map(|n| n.username.clone()).unwrap_or(username),
            status: RowStatus::Valid,
            errors: (!errors.is_empty()).then_some(errors),
            user_id: None,
            password: None,
        });
        prepared.push(new);
    }
    // What the store already holds.
    let names: Vec<String> = prepared
        .iter()
        .flatten()
        .map(|n| n.username.clone())
        .collect();
    let taken: HashSet<String> = state
        .store
        .taken_usernames(&names)
        .await?
        .into_iter()
        .collect();
    let mut by_company: HashMap<Option<i64>, Vec<String>> = HashMap::new();
    for n in prepared.iter().flatten() {
        if let Some(e) = &n.email {
            by_company.entry(n.company_id).or_default().push(e.clone());
        }
    }
    let mut taken_emails = HashSet::new();
    for (company, emails) in by_company {
        for e in state.store.taken_emails(company, &emails).await? {
            taken_emails.insert((company, e));
        }
    }
    for (row, new) in report_rows.iter_mut().zip(&prepared) {
        let Some(new) = new else { continue };
        let errors = row.errors.get_or_insert_with(FieldErrors::new);
        if taken.contains(&new.username) {
            errors
                .entry("username".into())
                .or_default()
                .push("Username already exists".into());
        }
        if new
            .email
            .as_ref()
            .is_some_and(|e| taken_emails.contains(&(new.company_id, e.clone())))
        {
            errors
                .entry("email".into())
                .or_default()
                .push("already exists in this company".into());
        }
        if errors.is_empty() {
            row.errors = None;
        }
    }
    for row in &mut report_rows {
        if row.errors.is_some() {
            row.status = RowStatus::Invalid;
        }
    }
    let invalid = report_rows
        .iter()
        .filter(|r| r.status == RowStatus::Invalid)
        .count();
    let mut report = ImportReport {
        dry_run,
        total: report_rows.len(),
        valid: report_rows.len() - invalid,
        invalid,
        created: 0,
        rows: report_rows,
    };
    if dry_run || invalid > 0 {
        return Ok(report);
    }
    // Every row is valid: hash a generated password for each (bulk work of
    // the caller's company, behind every sign-in), then write all.
    let tenant = caller.user.company_id.unwrap_or(0);
    let mut news: Vec<NewUser> = prepared.into_iter().flatten().collect();
    let passwords: Vec<Password> = news.iter().map(|_| Password::generate(16)).collect();
    let hashes = futures_util::future::try_join_all(
        passwords
            .iter()
            .map(|p| state.passwords.hash_bulk(p, tenant)),
    )
    .await?;
    for (n, h) in news.iter_mut().zip(hashes) {
        n.password_hash = h;
    }
    let created = state.store.create_users(&news).await.map_err(|e| match e {
        StoreError::Conflict(f) => Error::Conflict(format!(
            "A {f} was taken while importing; nothing was imported"
        )),
        e => e.into(),
    })?;
    for ((row, user), password) in report.rows.iter_mut().zip(&created).zip(&passwords) {
        row.status = RowStatus::Created;
        row.user_id = Some(user.id);
        row.password = Some(password.expose().to_owned());
    }
    report.created = created.len();
    let mut e = activity::entry("import", Some(&caller.user), &caller.meta);
    e.target_type = Some("users".into());
    e.target_label = Some(format!("{} users", created.len()));
    e.changes = activity::changes(&[(
        "usernames",
        json!(null),
        json!(created
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>()),
    )]);
    activity::record(state.store.as_ref(), e).await;
    Ok(report)
}

#[cfg(test)]
mod line_tests {
    use super::*;

    fn lines_of(csv: &str) -> Vec<usize> {
        read(csv.as_bytes())
            .expect("a readable file")
            .into_iter()
            .map(|(line, _, _)| line)
            .collect()
    }

    #[test]
    fn rows_are_numbered_as_an_editor_numbers_lines() {
        assert_eq!(lines_of("name,username\nA,aa1\nB,bb2\n"), [2, 3]);
        assert_eq!(lines_of("name,username\r\nA,aa1\r\nB,bb2\r\n"), [2, 3]);
        assert_eq!(lines_of("name,username\r\nA,aa1\r\nB,bb2"), [2, 3]);
        assert_eq!(lines_of("name,username\rA,aa1\rB,bb2\r"), [2, 3]);
        assert_eq!(lines_of("name,username\n\nA,aa1\n\n\nB,bb2\n"), [3, 6]);
        assert_eq!(lines_of("name,username\r\n\r\nA,aa1\r\nB,bb2\r\n"), [3, 4]);
        // A quoted cell spanning two lines: the next row is on the line after both.
        assert_eq!(lines_of("name,username\n\"A\nB\",aa1\nC,cc3\n"), [2, 4]);
        assert_eq!(lines_of("\u{feff}name,username\r\nA,aa1\r\n"), [2]);
    }
}
