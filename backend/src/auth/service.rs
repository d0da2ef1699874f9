//! The login flows: login, client login, refresh, logout, change-password and
//! the caller's own profile.

use super::throttle::{self, Keys};
use super::tokens::{hash_refresh_token, new_refresh_token};
use super::{Caller, RequestMeta};
use crate::activity;
use crate::domain::{EmailAddress, Password, PersonName, Timestamp, User};
use crate::error::Error;
use crate::state::AppState;
use crate::store::{LoginCandidate, NewSession, ProfileChanges, RefreshOutcome, StoreError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

/// Tokens for a session, and who they are for.
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub user: User,
}

pub struct LoginInput {
    /// Username or e-mail address.
    pub login: String,
    pub password: SecretString,
    /// The client login: only users of a client may use it.
    pub client_only: bool,
}

fn invalid_credentials() -> Error {
    Error::Unauthorized("Invalid username or password".into())
}

/// How many users holding one e-mail address a sign-in by that address checks
/// the password against (the ones that took it first); every e-mail sign-in
/// costs exactly this many verifications, so its time tells nothing of how
/// many users hold the address (docs/decisions/0023).
pub const EMAIL_CANDIDATES: usize = 3;

pub async fn login(
    state: &AppState,
    input: LoginInput,
    meta: &RequestMeta,
) -> Result<Session, Error> {
    let store = state.store.as_ref();
    let now = Timestamp::now();
    let login = input.login.trim().to_lowercase();
    // An e-mail address (it has an `@`, which no username has) may be held by
    // a user of each company: the password is checked against each of them.
    let slots = if login.contains('@') {
        EMAIL_CANDIDATES
    } else {
        1
    };
    let candidates = if (1..=254).contains(&login.len()) {
        store.login_candidates(&login, slots as i64).await?
    } else {
        Vec::new()
    };
    // Operator staff at the client login look exactly like an unknown user.
    let candidates: Vec<LoginCandidate> = candidates
        .into_iter()
        .filter(|c| !input.client_only || c.user.company_id.is_some())
        .collect();
    let ids: Vec<i64> = candidates.iter().map(|c| c.user.id).collect();
    let keys = Keys::new(&login, &ids, &meta.ip);
    let checked = match throttle::check(state.throttle.as_ref(), &keys, now).await {
        Ok(checked) => checked,
        Err(e) => {
            state.metrics.login("throttled");
            return Err(e);
        }
    };
    // A password longer than any we accept can never match: refuse it unhashed.
    let too_long = input
        .password
        .expose_secret()
        .chars()
        .nth(crate::domain::PASSWORD_MAX_LEN)
        .is_some();
    // Exactly `slots` verifications, a missing candidate against the dummy
    // hash, whoever holds the identifier.
    let verified = if too_long {
        Vec::new()
    } else {
        futures_util::future::try_join_all((0..slots).map(|i| {
            let stored = candidates.get(i).map(|c| c.password_hash.clone());
            state.passwords.verify(input.password.clone(), stored)
        }))
        .await?
    };
    let matched = candidates
        .iter()
        .zip(verified)
        .find(|(_, v)| v.matches)
        .map(|(c, v)| (c.clone(), v));
    let Some((candidate, verified)) = matched else {
        throttle::failed(
            state.throttle.as_ref(),
            &state.settings.throttle,
            &keys,
            now,
        )
        .await?;
        let mut e = activity::entry("login_failed", None, meta);
        e.target_type = Some("user".into());
        e.target_label = Some(login.chars().take(254).collect());
        if let [only] = candidates.as_slice() {
            e = activity::on_user(e, &only.user);
        }
        activity::record(store, e).await;
        state.metrics.login("failure");
        return Err(invalid_credentials());
    };
    let mut user = candidate.user;
    if !user.is_active || !candidate.company_active {
        let e = activity::on_user(activity::entry("login_failed", None, meta), &user);
        activity::record(store, e).await;
        state.metrics.login("deactivated");
        return Err(Error::Forbidden("This account is deactivated".into()));
    }
    throttle::succeeded(
        state.throttle.as_ref(),
        &Keys::of_account(user.id, &meta.ip),
        &checked,
    )
    .await?;
    user.last_login = Some(now);
    let session_id = uuid::Uuid::new_v4().to_string();
    let (refresh_token, refresh_hash) = new_refresh_token();
    let session = NewSession {
        id: session_id.clone(),
        user_id: user.id,
        refresh_token_hash: refresh_hash,
        now,
        expires_at: now.plus_seconds(state.tokens.refresh_ttl.as_secs() as i64),
    };
    let entry = activity::on_user(activity::entry("login", Some(&user), meta), &user);
    store
        .record_login(&user, verified.rehash.as_deref(), &session, &entry)
        .await?;
    let access_token = state
        .tokens
        .issue_access(user.id, &session_id)
        .map_err(Error::internal)?;
    state.metrics.login("success");
    Ok(Session {
        access_token,
        refresh_token,
        expires_in: state.tokens.access_ttl.as_secs(),
        user,
    })
}

pub async fn refresh(
    state: &AppState,
    presented: &str,
    meta: &RequestMeta,
) -> Result<Session, Error> {
    let store = state.store.as_ref();
    let now = Timestamp::now();
    let (refresh_token, new_hash) = new_refresh_token();
    let expires = now.plus_seconds(state.tokens.refresh_ttl.as_secs() as i64);
    let outcome = store
        .rotate_refresh_token(&hash_refresh_token(presented), &new_hash, now, expires)
        .await?;
    let (session_id, user_id) = match outcome {
        RefreshOutcome::Rotated {
            session_id,
            user_id,
        } => (session_id, user_id),
        RefreshOutcome::Reused => {
            activity::record(store, activity::entry("refresh_reuse", None, meta)).await;
            return Err(Error::Unauthorized(
                "This refresh token was already used; the session has been ended".into(),
            ));
        }
        RefreshOutcome::Invalid => {
            return Err(Error::Unauthorized(
                "Invalid or expired refresh token".into(),
            ))
        }
    };
    let ctx = store
        .auth_context(user_id, &session_id, now)
        .await?
        .filter(|c| c.is_live());
    let Some(ctx) = ctx else {
        store.revoke_session(&session_id, now).await?;
        return Err(Error::Unauthorized("This account is deactivated".into()));
    };
    let access_token = state
        .tokens
        .issue_access(user_id, &session_id)
        .map_err(Error::internal)?;
    Ok(Session {
        access_token,
        refresh_token,
        expires_in: state.tokens.access_ttl.as_secs(),
        user: ctx.user,
    })
}

pub async fn logout(state: &AppState, caller: &Caller) -> Result<(), Error> {
    let store = state.store.as_ref();
    store
        .revoke_session(&caller.session_id, Timestamp::now())
        .await?;
    let e = activity::on_user(
        activity::entry("logout", Some(&caller.user), &caller.meta),
        &caller.user,
    );
    activity::record(store, e).await;
    Ok(())
}

pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    current: SecretString,
    new: SecretString,
) -> Result<(), Error> {
    let store = state.store.as_ref();
    let now = Timestamp::now();
    let keys = Keys::of_account(caller.user.id, &caller.meta.ip);
    throttle::check(state.throttle.as_ref(), &keys, now).await?;
    if new.expose_secret() == current.expose_secret() {
        return Err(Error::field(
            "newPassword",
            "must differ from the current password",
        ));
    }
    let new = Password::parse(new).map_err(|e| Error::field("newPassword", e.to_string()))?;
    let stored = store.password_hash(caller.user.id).await?;
    let too_long = current
        .expose_secret()
        .chars()
        .nth(crate::domain::PASSWORD_MAX_LEN)
        .is_some();
    let matches = !too_long && state.passwords.verify(current, stored).await?.matches;
    if !matches {
        throttle::failed(
            state.throttle.as_ref(),
            &state.settings.throttle,
            &keys,
            now,
        )
        .await?;
        return Err(Error::field(
            "currentPassword",
            "is not your current password",
        ));
    }
    let hash = state.passwords.hash(&new).await?;
    store
        .set_password(caller.user.id, &hash, false, now)
        .await?;
    store
        .revoke_user_sessions(caller.user.id, Some(&caller.session_id), now)
        .await?;
    let mut e = activity::on_user(
        activity::entry("change_password", Some(&caller.user), &caller.meta),
        &caller.user,
    );
    e.changes = activity::changes(&[("password", json!(null), json!("changed"))]);
    activity::record(store, e).await;
    Ok(())
}

/// Changes to one's own profile, still unparsed.
pub struct ProfileInput {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
}

pub async fn update_me(
    state: &AppState,
    caller: &Caller,
    input: ProfileInput,
) -> Result<User, Error> {
    let mut details = crate::error::FieldErrors::new();
    let name = match input.name.as_deref().map(PersonName::parse).transpose() {
        Ok(n) => n.map(PersonName::into_inner),
        Err(e) => {
            details.insert("name".into(), vec![e.0]);
            None
        }
    };
    let email = match input.email {
        None => None,
        Some(None) => Some(None),
        Some(Some(e)) => match EmailAddress::parse(&e) {
            Ok(e) => Some(Some(e.into_inner())),
            Err(err) => {
                details.insert("email".into(), vec![err.0]);
                None
            }
        },
    };
    if !details.is_empty() {
        return Err(Error::fields(details));
    }
    let before = &caller.user;
    if name.is_none() && email.is_none() {
        // Nothing sent: nothing changes, not even updatedAt.
        return Ok(before.clone());
    }
    let changes = ProfileChanges { name, email };
    let after = state
        .store
        .update_profile(before.id, &changes, Timestamp::now())
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                Error::Conflict("Email already exists in this company".into())
            }
            e => e.into(),
        })?;
    let mut e = activity::on_user(
        activity::entry("update", Some(before), &caller.meta),
        &after,
    );
    e.changes = activity::changes(&[
        ("name", json!(before.name), json!(after.name)),
        ("email", json!(before.email), json!(after.email)),
    ]);
    if e.changes.is_some() {
        activity::record(state.store.as_ref(), e).await;
    }
    Ok(after)
}
