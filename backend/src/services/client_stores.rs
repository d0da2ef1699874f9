//! Each client's own database kept in step with the main one (seed 000,
//! docs/decisions/0027).
//!
//! Every change to a client's users or modules leaves an outbox row in the
//! same transaction as the change. A row does not carry the change: it names
//! what to bring in line (the client's store, one user, or all its users), and
//! applying it writes what the main database holds *now*. So applying a row
//! twice, or rows out of order, ends where applying them once in order does,
//! and a lost race only means one more pass. One instance at a time works on
//! a client (a lease in `client_stores`), one batch after another.

use crate::auth::{Caller, RequestMeta};
use crate::domain::{
    drift, AccountNumber, Drift, DriftKind, OutboxKind, OutboxRow, Permission, SyncState,
    TenantUser, Timestamp,
};
use crate::error::Error;
use crate::services::activity;
use crate::state::AppState;
use crate::store::tenants::TenantStore;
use crate::store::{Store, StoreError, StoreResult};
use rand::Rng;
use std::collections::BTreeSet;
use std::time::Duration;

/// Outbox rows taken in one pass.
pub const BATCH: i64 = 500;
/// How long a lease holds without being renewed, and how often it is renewed
/// while a pass runs: an instance that dies lets its clients go this soon.
const LEASE: Duration = Duration::from_secs(30);
const RENEW: Duration = Duration::from_secs(10);
/// The first retry after a failure; each failure in a row doubles it, up to
/// the `client_retry_max` setting.
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// The longest last error kept.
const ERROR_CHARS: usize = 300;

/// What one pass over a client did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Another instance holds the client, or its next attempt is not due.
    NotTaken,
    /// These outbox rows reached the client's database; `more` waiting.
    Applied { rows: usize, more: bool },
    /// The attempt failed; it is retried after a backoff.
    Failed,
}

/// Take the client and apply its waiting changes (a batch at most),
/// provisioning or migrating its database first where needed.
pub async fn sync_client(state: &AppState, client_id: i64) -> StoreResult<Pass> {
    let outbox = &state.store.outbox;
    let now = Timestamp::now();
    if !outbox
        .lease_client(client_id, &state.instance, now, now.plus(LEASE))
        .await?
    {
        return Ok(Pass::NotTaken);
    }
    let renewing = renew_lease(state, client_id);
    let before = outbox.sync_state(client_id).await?;
    let result = apply_pending(state, client_id, &before).await;
    renewing.abort();
    match result {
        Ok((done, version)) => {
            outbox
                .complete(client_id, &done, version, Timestamp::now())
                .await?;
            state.metrics.client_sync_applied(done.len());
            Ok(Pass::Applied {
                rows: done.len(),
                more: done.len() as i64 == BATCH,
            })
        }
        Err(e) => {
            let reason = describe(&e);
            let failures = before.failures + 1;
            let retry_at =
                Timestamp::now().plus(backoff(failures, state.settings.client_retry_max));
            tracing::warn!(client_id, failures, error = %reason, "a client's database could not be brought in line");
            state.metrics.client_sync_failed();
            outbox.fail(client_id, &reason, retry_at).await?;
            Ok(Pass::Failed)
        }
    }
}

/// Keep the lease while a pass runs (a full resync of a large client may
/// take longer than one lease).
fn renew_lease(state: &AppState, client_id: i64) -> tokio::task::JoinHandle<()> {
    let outbox = state.store.outbox.clone();
    let owner = state.instance.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RENEW).await;
            let now = Timestamp::now();
            if let Err(e) = outbox
                .lease_client(client_id, &owner, now, now.plus(LEASE))
                .await
            {
                tracing::warn!(client_id, error = %e, "cannot renew a client's lease");
            }
        }
    })
}

/// The client's waiting rows (a batch), applied: the ids of the rows done,
/// and the schema version its database is at.
async fn apply_pending(
    state: &AppState,
    client_id: i64,
    before: &SyncState,
) -> StoreResult<(Vec<i64>, i64)> {
    let rows = state.store.outbox.pending_rows(client_id, BATCH).await?;
    let version = apply_rows(
        &state.store,
        state.tenants.as_ref(),
        client_id,
        &rows,
        before.schema_version,
    )
    .await?;
    Ok((rows.iter().map(|r| r.id).collect(), version))
}

/// Provision or migrate the client's database where needed (it is at
/// `schema_version`), then write what `rows` name as the main database holds
/// it now: the schema version it is at after. Applying the same rows again,
/// or in another order, ends in the same state.
pub async fn apply_rows(
    store: &Store,
    tenants: &dyn TenantStore,
    client_id: i64,
    rows: &[OutboxRow],
    schema_version: i64,
) -> StoreResult<i64> {
    let account = AccountNumber::of(client_id);
    let provision = schema_version == 0 || rows.iter().any(|r| r.kind == OutboxKind::Provision);
    let version = if provision {
        tenants.provision(&account).await?
    } else if schema_version < tenants.latest_version() {
        tenants.migrate(&account).await?
    } else {
        schema_version
    };
    if provision || rows.iter().any(|r| r.kind == OutboxKind::AllUsers) {
        resync(store, tenants, client_id, &account, true).await?;
        return Ok(version);
    }
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.user_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !ids.is_empty() {
        let users = store.outbox.tenant_users(client_id, Some(&ids)).await?;
        let kept: BTreeSet<i64> = users.iter().map(|u| u.user_id).collect();
        let gone: Vec<i64> = ids.into_iter().filter(|id| !kept.contains(id)).collect();
        tenants.apply(&account, &users, &gone).await?;
    }
    Ok(version)
}

/// Compare the client's database with the main one, and when `repair`, write
/// what differs: the drift found (before any repair).
async fn resync(
    store: &Store,
    tenants: &dyn TenantStore,
    client_id: i64,
    account: &AccountNumber,
    repair: bool,
) -> StoreResult<Vec<Drift>> {
    let expected = store.outbox.tenant_users(client_id, None).await?;
    let found = tenants.read_all(account).await?;
    let differences = drift(&expected, &found);
    if repair && !differences.is_empty() {
        let (write, gone) = repairs(&expected, &differences);
        tenants.apply(account, &write, &gone).await?;
    }
    Ok(differences)
}

/// The users to write and the ids to remove that end the drift.
fn repairs(expected: &[TenantUser], differences: &[Drift]) -> (Vec<TenantUser>, Vec<i64>) {
    let mut write = Vec::new();
    let mut gone = Vec::new();
    for d in differences {
        match d.kind {
            DriftKind::Extra => gone.push(d.user_id),
            DriftKind::Missing | DriftKind::Different => {
                if let Some(u) = expected.iter().find(|u| u.user_id == d.user_id) {
                    write.push(u.clone());
                }
            }
        }
    }
    (write, gone)
}

/// Bring client databases created by older releases up to the newest
/// migration, a few at a time: those with changes waiting are migrated when
/// their changes are applied; this reaches the rest. The number migrated.
pub async fn migrate_stale(state: &AppState, limit: i64) -> StoreResult<usize> {
    let latest = state.tenants.latest_version();
    let stale = state.store.outbox.stale_clients(latest, limit).await?;
    let mut migrated = 0;
    for client_id in stale {
        if let Pass::Applied { .. } = sync_client(state, client_id).await? {
            migrated += 1;
        }
    }
    Ok(migrated)
}

/// What the sync state of a client's database is (permission 20, staff).
pub async fn sync_state(state: &AppState, client_id: i64) -> Result<SyncState, Error> {
    Ok(state.store.outbox.sync_state(client_id).await?)
}

/// The drift between a client's database and the main one, user by user.
#[derive(Debug)]
pub struct Reconciled {
    pub account_number: AccountNumber,
    pub drift: Vec<Drift>,
    /// The drift was written away.
    pub repaired: bool,
}

/// Compare one client's database with the main database and, when `repair`,
/// bring it in line; a repair is recorded in the activity log. Operator staff
/// with permission 22.
pub async fn reconcile(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    repair: bool,
) -> Result<Reconciled, Error> {
    caller.require_staff(Permission::EditCustomers)?;
    let client = state
        .store
        .clients
        .client_by_id(client_id)
        .await?
        .ok_or_else(|| Error::NotFound("Client not found".into()))?;
    let done = reconcile_client(state, client_id, &client.account_number, repair).await?;
    if done.repaired {
        let mut e = activity::entry("reconcile", Some(&caller.user), &caller.meta);
        e.company_id = Some(client.id);
        e.target_type = Some("client".into());
        e.target_id = Some(client.id.to_string());
        e.target_label = Some(client.account_number.as_str().to_owned());
        e.changes = Some(drift_json(&done.drift));
        activity::record(state, e).await;
    }
    Ok(done)
}

/// Reconcile without a caller: the command line's `clientele reconcile`
/// (every client, or one by account number). Repairs are logged with no actor.
pub async fn reconcile_all(
    state: &AppState,
    account: Option<&str>,
    repair: bool,
) -> anyhow::Result<Vec<Reconciled>> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let ids = match account {
            Some(_) if after > 0 => Vec::new(),
            Some(text) => {
                let id = AccountNumber::client_id(text)
                    .ok_or_else(|| anyhow::anyhow!("{text:?} is not an account number (ACC001)"))?;
                if state.store.clients.client_by_id(id).await?.is_none() {
                    anyhow::bail!("no client has account number {text}");
                }
                vec![id]
            }
            None => state.store.outbox.clients_after(after, 500).await?,
        };
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        for id in ids {
            let account = AccountNumber::of(id);
            let done = reconcile_client(state, id, &account, repair)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {}", account.as_str(), describe(&e)))?;
            if done.repaired {
                let command_line = RequestMeta {
                    ip: String::new(),
                    request_id: None,
                };
                let mut e = activity::entry("reconcile", None, &command_line);
                e.ip = None;
                e.company_id = Some(id);
                e.target_type = Some("client".into());
                e.target_id = Some(id.to_string());
                e.target_label = Some(account.as_str().to_owned());
                e.changes = Some(drift_json(&done.drift));
                activity::record(state, e).await;
            }
            out.push(done);
        }
    }
    Ok(out)
}

async fn reconcile_client(
    state: &AppState,
    client_id: i64,
    account: &AccountNumber,
    repair: bool,
) -> StoreResult<Reconciled> {
    let sync = state.store.outbox.sync_state(client_id).await?;
    if sync.schema_version == 0 {
        // Not provisioned yet: provisioning is the repair.
        if repair {
            state.tenants.provision(account).await?;
        } else {
            let expected = state.store.outbox.tenant_users(client_id, None).await?;
            return Ok(Reconciled {
                account_number: account.clone(),
                drift: drift(&expected, &[]),
                repaired: false,
            });
        }
    }
    let differences = resync(
        &state.store,
        state.tenants.as_ref(),
        client_id,
        account,
        repair,
    )
    .await?;
    Ok(Reconciled {
        account_number: account.clone(),
        repaired: repair && !differences.is_empty(),
        drift: differences,
    })
}

/// The drift as the activity log keeps it: `{"<user id>": "missing" | …}`.
fn drift_json(differences: &[Drift]) -> serde_json::Value {
    serde_json::Value::Object(
        differences
            .iter()
            .map(|d| {
                let what = if d.fields.is_empty() {
                    d.kind.as_str().to_owned()
                } else {
                    format!("{}: {}", d.kind.as_str(), d.fields.join(", "))
                };
                (d.user_id.to_string(), serde_json::Value::String(what))
            })
            .collect(),
    )
}

/// The wait before the `failures`-th retry: 0.5 s doubled per failure in a
/// row, at most `max`, and up to half again at random so that many clients
/// failing together do not retry together.
pub fn backoff(failures: i64, max: Duration) -> Duration {
    let doublings = (failures.max(1) - 1).min(20) as u32;
    let base = FIRST_RETRY.saturating_mul(1 << doublings).min(max);
    let jitter = rand::thread_rng().gen_range(0.0..0.5);
    base + base.mul_f64(jitter)
}

/// Why an attempt failed, as the operator sees it: the error's message with
/// any password in a URL taken out, and no longer than a line.
pub fn describe(e: &StoreError) -> String {
    let text = match e {
        StoreError::Unavailable(inner) | StoreError::Other(inner) => format!("{inner:#}"),
        other => other.to_string(),
    };
    let text = hide_passwords(&text);
    let mut out: String = text.chars().take(ERROR_CHARS).collect();
    if text.chars().count() > ERROR_CHARS {
        out.push('…');
    }
    out
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
fn hide_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon]);
                out.push_str(":***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(
            hide_passwords("cannot reach postgres://app:s3cr:et@db2:5432/client_acc001 now"),
            "cannot reach postgres://app:***@db2:5432/client_acc001 now"
        );
        assert_eq!(
            hide_passwords("postgres://app@db2/x"),
            "postgres://app@db2/x"
        );
        assert_eq!(hide_passwords("no url here"), "no url here");
    }

    #[test]
    fn backoff_doubles_up_to_the_most_with_jitter() {
        let max = Duration::from_secs(300);
        for (failures, base) in [
            (1, 500),
            (2, 1_000),
            (3, 2_000),
            (11, 300_000),
            (60, 300_000),
        ] {
            let wait = backoff(failures, max).as_millis() as u64;
            assert!(
                (base..=base + base / 2).contains(&wait),
                "failure {failures}: {wait} ms, not within [{base}, {}]",
                base + base / 2
            );
        }
    }
}
