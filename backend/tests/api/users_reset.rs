//! Resetting a user's password (issue #28): a generated password answered
//! once, the old one and every session ended, a change required at the next
//! login, scoped and bounded like every other change of a user, and logged.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(
    a_reset_answers_a_one_time_password_and_ends_the_old_one,
    a_reset_is_scoped_bounded_and_refused_above_the_caller,
);

async fn a_reset_answers_a_one_time_password_and_ends_the_old_one(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Reset Co").await;
    let (id, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Ravi", "username": "ravi", "companyId": a}),
        )
        .await;
    let session = app.login_ok("ravi", CHANGED_PASSWORD).await;
    let done = json_of(app.reset_user_password(&sa, id).await, StatusCode::OK).await;
    assert_eq!(done["message"], "Password reset successfully");
    assert_eq!(done["credentials"]["username"], "ravi");
    assert!(done["credentials"]["loginUrl"]
        .as_str()
        .unwrap()
        .ends_with("/login"));
    assert_eq!(done["user"]["mustChangePassword"], true);
    let password = done["credentials"]["password"].as_str().unwrap();
    assert!(password.len() >= 12);
    // The old password and the session it opened are over.
    assert_session_ended(&app, &session).await;
    json_of(
        app.login_response("ravi", CHANGED_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // The new one signs in, for a change of password only.
    let fresh = app.login_ok("ravi", password).await;
    assert_eq!(fresh["mustChangePassword"], true);
    let token = fresh["accessToken"].as_str().unwrap();
    json_of(app.list_users(token, "").await, StatusCode::FORBIDDEN).await;
    // Never answered again, and logged without it.
    let read = json_of(app.get_user(&sa, id).await, StatusCode::OK).await;
    assert!(!read.to_string().contains(password));
    let log = json_of(
        app.list_activity(&sa, &format!("action=reset_password&targetId={id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["changes"]["password"]["to"], "[redacted]");
    assert!(!log.to_string().contains(password));
}

async fn a_reset_is_scoped_bounded_and_refused_above_the_caller(b: Backend) {
    let app = spawn_with(b, |s| s.throttle.resets_per_account = 2).await;
    let sa = app.admin_token().await;
    let (a, owner, created) = app.client(&sa, "Scoped Reset").await;
    let (other, _, _) = app.client(&sa, "Other Reset").await;
    let owner_token = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let (mine, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Mine", "username": "mine", "companyId": a}),
        )
        .await;
    let (theirs, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Theirs", "username": "theirs", "companyId": other}),
        )
        .await;
    let (_, peer) = app
        .user_with_token(
            &sa,
            json!({"name": "Peer", "username": "peer", "companyId": a, "permissions": [1, 3]}),
        )
        .await;
    // The owner resets its own company's user; another company's is not found.
    json_of(
        app.reset_user_password(&owner_token, mine).await,
        StatusCode::OK,
    )
    .await;
    let foreign = json_of(
        app.reset_user_password(&owner_token, theirs).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = json_of(
        app.reset_user_password(&owner_token, 999_999).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(foreign, missing);
    // A user holding 3 cannot reset its client's owner (above it), nor
    // itself; the owner's password still works afterwards.
    let err = json_of(
        app.reset_user_password(&peer, owner).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        err["error"].as_str().unwrap().contains("above")
            || err["error"].as_str().unwrap().contains("owner"),
        "{err}"
    );
    let me = json_of(app.get_me(&owner_token).await, StatusCode::OK).await;
    json_of(
        app.reset_user_password(&owner_token, me["user"]["id"].as_i64().unwrap())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    app.login_ok(
        created["credentials"]["username"].as_str().unwrap(),
        CHANGED_PASSWORD,
    )
    .await;
    // Two resets of one user, then 429 with Retry-After, changing nothing.
    json_of(app.reset_user_password(&sa, mine).await, StatusCode::OK).await;
    let refused = app.reset_user_password(&sa, mine).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
}
