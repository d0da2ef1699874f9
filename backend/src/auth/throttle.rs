//! Brute-force protection for every password check (login, client login,
//! change-password), and a limit on password resets an admin makes (a stolen
//! admin session must not take over every client's owner in a minute).
//! Counters live in the store, or in Redis when it is configured, so every
//! instance sharing them shares the limits. See docs/decisions/0003-login-throttling.md.

use crate::config::ThrottlePolicy;
use crate::domain::Timestamp;
use crate::error::Error;
use crate::store::{ThrottleState, ThrottleStore};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One account from one address: growing delays, then a lock.
    AccountFromAddress,
    /// One account from anywhere: a lock after many failures.
    Account,
    /// One address over any accounts: a lock after very many failures.
    Address,
}

/// The counters one attempt touches.
pub struct Keys {
    keys: Vec<(Kind, String)>,
}

impl Keys {
    /// The keys of an attempt on `accounts` (the users the typed identifier
    /// names) from `ip`. An account is counted by its id, whichever of its
    /// username or e-mail address was typed; an identifier naming nobody is
    /// counted by itself, normalised, in the same way.
    pub fn new(login: &str, accounts: &[i64], ip: &str) -> Self {
        let mut keys = Vec::with_capacity(2 * accounts.len().max(1) + 1);
        if accounts.is_empty() {
            let login = login.trim().to_lowercase();
            keys.push((Kind::AccountFromAddress, format!("acct-ip:{login}|{ip}")));
            keys.push((Kind::Account, format!("acct:{login}")));
        }
        for id in accounts {
            keys.push((Kind::AccountFromAddress, format!("user-ip:{id}|{ip}")));
            keys.push((Kind::Account, format!("user:{id}")));
        }
        keys.push((Kind::Address, format!("ip:{ip}")));
        Self { keys }
    }

    /// The keys of one account's attempt (`change-password`, or the account a
    /// sign-in matched).
    pub fn of_account(id: i64, ip: &str) -> Self {
        Self::new("", &[id], ip)
    }

    fn all(&self) -> Vec<String> {
        self.keys.iter().map(|(_, k)| k.clone()).collect()
    }

    /// A success forgets the account's failures, not the address's.
    fn account_keys(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter(|(k, _)| *k != Kind::Address)
            .map(|(_, k)| k.clone())
            .collect()
    }
}

/// How long a key with `failures` failures is closed after its latest failure.
fn closed_for(policy: &ThrottlePolicy, kind: Kind, failures: i64) -> Duration {
    let threshold = i64::from(match kind {
        Kind::AccountFromAddress => policy.account_ip_threshold,
        Kind::Account => policy.account_threshold,
        Kind::Address => policy.ip_threshold,
    });
    let lock = if failures >= threshold {
        // 60 s, 120 s, 180 s, … for each failure at or past the threshold.
        let steps = u32::try_from(failures - threshold + 1).unwrap_or(u32::MAX);
        policy.lock_step.saturating_mul(steps)
    } else if kind == Kind::AccountFromAddress && failures >= i64::from(policy.delay_after) {
        // 1 s, 2 s, 4 s, … before the next try.
        let exp = u32::try_from(failures - i64::from(policy.delay_after)).unwrap_or(u32::MAX);
        Duration::from_secs(1u64.checked_shl(exp.min(20)).unwrap_or(u64::MAX))
    } else {
        Duration::ZERO
    };
    lock.min(policy.max_lock)
}

/// Refuse the attempt while any of its keys is closed.
pub async fn check(
    store: &dyn ThrottleStore,
    keys: &Keys,
    now: Timestamp,
) -> Result<Checked, Error> {
    let account_keys = keys.account_keys();
    let states = refuse_while_closed(store, &keys.all(), now).await?;
    Ok(Checked {
        account_failures: states.iter().any(|s| account_keys.contains(&s.key)),
    })
}

/// What [`check`] found.
pub struct Checked {
    /// The account had failures counted (from this address or any).
    account_failures: bool,
}

/// 429 with the longest wait while any of `keys` is locked; else their states.
async fn refuse_while_closed(
    store: &dyn ThrottleStore,
    keys: &[String],
    now: Timestamp,
) -> Result<Vec<ThrottleState>, Error> {
    let states = store.throttle_states(keys).await?;
    let wait_ms = states
        .iter()
        .map(|s| s.locked_until.millis().saturating_sub(now.millis()))
        .max()
        .unwrap_or(0);
    if wait_ms > 0 {
        return Err(Error::Throttled {
            retry_after: (wait_ms as u64).div_ceil(1000),
        });
    }
    Ok(states)
}

/// Count a failed attempt on every key and close those that reached a limit.
pub async fn failed(
    store: &dyn ThrottleStore,
    policy: &ThrottlePolicy,
    keys: &Keys,
    now: Timestamp,
) -> Result<(), Error> {
    let window_start = Timestamp::from_millis(now.millis() - policy.window.as_millis() as i64);
    for (kind, key) in &keys.keys {
        let failures = store
            .record_throttle_failure(key, now, window_start)
            .await?;
        let closed = closed_for(policy, *kind, failures);
        if !closed.is_zero() {
            let until = Timestamp::from_millis(now.millis() + closed.as_millis() as i64);
            store.lock_throttle_key(key, until).await?;
        }
    }
    Ok(())
}

/// A successful attempt clears the account's counters.
///
/// Nothing to forget when [`check`] found no failures of the account: then
/// the success costs no write. (A failure counted between the check and the
/// success stands; it was not the account holder's.)
pub async fn succeeded(
    store: &dyn ThrottleStore,
    keys: &Keys,
    checked: &Checked,
) -> Result<(), Error> {
    if checked.account_failures {
        store.clear_throttle_keys(&keys.account_keys()).await?;
    }
    Ok(())
}

/// Allow one more password reset by `caller` of `account`'s password, or
/// refuse it (429) while either has reached its limit within the window. The
/// reset that reaches a limit is allowed; the next ones wait until the window
/// has passed since it.
pub async fn reset(
    store: &dyn ThrottleStore,
    policy: &ThrottlePolicy,
    caller: i64,
    account: i64,
    now: Timestamp,
) -> Result<(), Error> {
    let keys = [
        (format!("reset-by:{caller}"), policy.resets_per_caller),
        (format!("reset-of:{account}"), policy.resets_per_account),
    ];
    let names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
    refuse_while_closed(store, &names, now).await?;
    let window_start = Timestamp::from_millis(now.millis() - policy.window.as_millis() as i64);
    for (key, limit) in &keys {
        let count = store
            .record_throttle_failure(key, now, window_start)
            .await?;
        if count >= i64::from(*limit) {
            let until = Timestamp::from_millis(now.millis() + policy.window.as_millis() as i64);
            store.lock_throttle_key(key, until).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_lock_and_stay_capped() {
        let p = ThrottlePolicy::default();
        let f = |n| closed_for(&p, Kind::AccountFromAddress, n).as_secs();
        assert_eq!([f(1), f(2)], [0, 0]);
        assert_eq!([f(3), f(4), f(5), f(9)], [1, 2, 4, 64]);
        assert_eq!([f(10), f(11), f(12)], [60, 120, 180]);
        assert_eq!(f(24), 900);
        assert_eq!(f(10_000), 900, "never beyond the cap");
    }

    #[test]
    fn account_and_address_lock_only_past_their_thresholds() {
        let p = ThrottlePolicy::default();
        assert_eq!(closed_for(&p, Kind::Account, 29).as_secs(), 0);
        assert_eq!(closed_for(&p, Kind::Account, 30).as_secs(), 60);
        assert_eq!(closed_for(&p, Kind::Address, 99).as_secs(), 0);
        assert_eq!(closed_for(&p, Kind::Address, 100).as_secs(), 60);
        assert_eq!(closed_for(&p, Kind::Account, i64::MAX).as_secs(), 900);
    }

    #[test]
    fn an_unknown_identifier_is_counted_folded_and_an_account_by_its_id() {
        let k = Keys::new("Admin@X.example ", &[], "1.2.3.4");
        assert_eq!(
            k.all(),
            vec![
                "acct-ip:admin@x.example|1.2.3.4",
                "acct:admin@x.example",
                "ip:1.2.3.4"
            ]
        );
        assert_eq!(k.account_keys().len(), 2);
        let k = Keys::new("admin", &[7, 9], "1.2.3.4");
        assert_eq!(
            k.all(),
            vec![
                "user-ip:7|1.2.3.4",
                "user:7",
                "user-ip:9|1.2.3.4",
                "user:9",
                "ip:1.2.3.4"
            ]
        );
        assert_eq!(
            Keys::of_account(7, "1.2.3.4").all(),
            Keys::new("x", &[7], "1.2.3.4").all()
        );
    }
}
