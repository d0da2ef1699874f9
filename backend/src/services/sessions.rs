//! The sign-in flows: login, client login, refresh, logout, change-password,
//! the caller's own profile, and authenticating a request's token.

use super::activity;
use crate::auth::throttle::{self, Keys};
use crate::auth::tokens::{hash_refresh_token, new_refresh_token};
use crate::auth::{Caller, RequestMeta};
use crate::domain::{
    LoginCandidate, NewSession, Password, ProfileChanges, RefreshOutcome, Timestamp, User,
};
use crate::error::Error;
use crate::state::AppState;
use crate::store::StoreError;
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

/// The caller a request's access token stands for, read fresh from the
/// store: its session must be open, and it and its company active.
pub async fn authenticate(
    state: &AppState,
    token: &str,
    meta: RequestMeta,
) -> Result<Caller, Error> {
    let invalid = || Error::Unauthorized("Invalid or expired token".into());
    let claims = state.tokens.verify_access(token).ok_or_else(invalid)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| invalid())?;
    let ctx = state
        .store
        .sessions
        .auth_context(user_id, &claims.sid, Timestamp::now())
        .await?
        .ok_or_else(invalid)?;
    if !ctx.session_open {
        return Err(Error::Unauthorized(
            "This session has ended; log in again".into(),
        ));
    }
    if !ctx.user.is_active || !ctx.company_active {
        return Err(Error::Unauthorized("This account is deactivated".into()));
    }
    Ok(Caller {
        user: ctx.user,
        session_id: claims.sid,
        meta,
    })
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
    let store = &state.store;
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
        store
            .sessions
            .login_candidates(&login, slots as i64)
            .await?
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
        activity::record(state, e).await;
        state.metrics.login("failure");
        return Err(invalid_credentials());
    };
    let mut user = candidate.user;
    if !user.is_active || !candidate.company_active {
        let e = activity::on_user(activity::entry("login_failed", None, meta), &user);
        activity::record(state, e).await;
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
        .sessions
        .record_login(&user, verified.rehash.as_ref(), &session, &entry)
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
    let store = &state.store.sessions;
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
            activity::record(state, activity::entry("refresh_reuse", None, meta)).await;
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
    state
        .store
        .sessions
        .revoke_session(&caller.session_id, Timestamp::now())
        .await?;
    let e = activity::on_user(
        activity::entry("logout", Some(&caller.user), &caller.meta),
        &caller.user,
    );
    activity::record(state, e).await;
    Ok(())
}

/// End every session of the caller but the one it calls from.
pub async fn logout_others(state: &AppState, caller: &Caller) -> Result<(), Error> {
    state
        .store
        .sessions
        .revoke_user_sessions(caller.user.id, Some(&caller.session_id), Timestamp::now())
        .await?;
    let e = activity::on_user(
        activity::entry("logout_others", Some(&caller.user), &caller.meta),
        &caller.user,
    );
    activity::record(state, e).await;
    Ok(())
}

pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    current: SecretString,
    new: SecretString,
) -> Result<(), Error> {
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
    let stored = state.store.users.password_hash(caller.user.id).await?;
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
    state
        .store
        .users
        .set_password(caller.user.id, &hash, false, now)
        .await?;
    state
        .store
        .sessions
        .revoke_user_sessions(caller.user.id, Some(&caller.session_id), now)
        .await?;
    let mut e = activity::on_user(
        activity::entry("change_password", Some(&caller.user), &caller.meta),
        &caller.user,
    );
    e.changes = activity::changes(&[("password", json!(null), json!("changed"))]);
    activity::record(state, e).await;
    Ok(())
}

/// Changes to one's own profile: name and e-mail.
pub async fn update_me(
    state: &AppState,
    caller: &Caller,
    changes: ProfileChanges,
) -> Result<User, Error> {
    let before = &caller.user;
    if changes.name.is_none() && changes.email.is_none() {
        // Nothing sent: nothing changes, not even updatedAt.
        return Ok(before.clone());
    }
    let after = state
        .store
        .users
        .update_profile(before.id, &changes, Timestamp::now())
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                Error::Conflict("Email already exists in this company".into())
            }
            e => e.into(),
        })?;
    let email = |u: &User| json!(u.email.as_ref().map(|e| e.as_str()));
    let mut e = activity::on_user(
        activity::entry("update", Some(before), &caller.meta),
        &after,
    );
    e.changes = activity::changes(&[
        (
            "name",
            json!(before.name.as_str()),
            json!(after.name.as_str()),
        ),
        ("email", email(before), email(&after)),
    ]);
    if e.changes.is_some() {
        activity::record(state, e).await;
    }
    Ok(after)
}
