//! Building and recording activity-log entries. Secrets never reach the log:
//! fields named like secrets are redacted wherever they appear.

use crate::auth::{Caller, RequestMeta};
use crate::domain::{ActivityEntry, NewActivity, Permission, Timestamp, User};
use crate::error::Error;
use crate::state::AppState;
use crate::store::{ActivityFilter, Batches};
use serde_json::{json, Map, Value};

const SECRET_FIELDS: &[&str] = &[
    "password",
    "passwordHash",
    "password_hash",
    "token",
    "secret",
];

fn is_secret(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    SECRET_FIELDS
        .iter()
        .any(|s| f.contains(&s.to_ascii_lowercase()))
}

/// `{field: {from, to}}` for the fields that changed; secret fields show only
/// that they changed.
pub fn changes(fields: &[(&str, Value, Value)]) -> Option<Value> {
    let mut map = Map::new();
    for (field, from, to) in fields {
        if from == to {
            continue;
        }
        let entry = if is_secret(field) {
            json!({"from": "[redacted]", "to": "[redacted]"})
        } else {
            json!({"from": from, "to": to})
        };
        map.insert((*field).to_owned(), entry);
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

/// An entry for an action by `actor` (or by nobody known, for failed logins).
pub fn entry(action: &str, actor: Option<&User>, meta: &RequestMeta) -> NewActivity {
    NewActivity {
        at: Some(Timestamp::now()),
        actor_id: actor.map(|u| u.id),
        actor_username: actor.map(|u| u.username.as_str().to_owned()),
        company_id: actor.and_then(|u| u.company_id),
        action: action.to_owned(),
        ip: Some(meta.ip.clone()),
        request_id: meta.request_id.clone(),
        bookkeeping: matches!(action, "login" | "login_failed"),
        ..NewActivity::default()
    }
}

/// Name the user an entry is about.
pub fn on_user(e: NewActivity, user: &User) -> NewActivity {
    let mut e = on_new_user(e, user.username.as_str(), user.company_id);
    e.target_id = Some(user.id.to_string());
    e
}

/// Name a user not written yet: the store gives the entry its id.
pub fn on_new_user(mut e: NewActivity, username: &str, company_id: Option<i64>) -> NewActivity {
    e.target_type = Some("user".into());
    e.target_label = Some(username.to_owned());
    e.company_id = e.company_id.or(company_id);
    e
}

/// Record an entry. The log must not lose entries silently, but neither may a
/// broken log entry undo a change already made: a failure is logged loudly.
pub async fn record(state: &AppState, entry: NewActivity) {
    if let Err(e) = state.store.activity.log_activity(&entry).await {
        tracing::error!(error = %e, action = %entry.action, "cannot write the activity log");
    }
}

/// A page of the log, newest first: permission 50, and a client-side caller
/// sees only its own company's entries.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: ActivityFilter,
) -> Result<(Vec<ActivityEntry>, i64), Error> {
    caller.require(Permission::ViewActivityLogs)?;
    match scoped(caller, filter) {
        Some(f) => Ok(state.store.activity.list_activity(&f).await?),
        None => Ok((Vec::new(), 0)),
    }
}

/// Every matching entry, streamed; the export itself is recorded.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    filter: ActivityFilter,
) -> Result<Batches<ActivityEntry>, Error> {
    caller.require(Permission::ViewActivityLogs)?;
    let mut e = entry("export", Some(&caller.user), &caller.meta);
    e.target_type = Some("activity".into());
    record(state, e).await;
    Ok(match scoped(caller, filter) {
        Some(f) => state.store.activity.export_activity(&f),
        None => Box::pin(futures_util::stream::empty()),
    })
}

/// The filter confined to the caller's scope; `None` when it asks for
/// another company than its own.
fn scoped(caller: &Caller, mut filter: ActivityFilter) -> Option<ActivityFilter> {
    filter.company_id = caller.within_scope(filter.company_id)?;
    Some(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_and_secrets_redacted() {
        let c = changes(&[
            ("name", json!("a"), json!("b")),
            ("email", json!("x@y.z"), json!("x@y.z")),
            ("password", json!("old"), json!("new")),
        ])
        .unwrap();
        assert_eq!(c["name"], json!({"from": "a", "to": "b"}));
        assert!(c.get("email").is_none());
        assert_eq!(c["password"]["to"], json!("[redacted]"));
        assert!(!c.to_string().contains("new"));
    }

    #[test]
    fn nothing_changed_is_none() {
        assert!(changes(&[("name", json!("a"), json!("a"))]).is_none());
    }
}
