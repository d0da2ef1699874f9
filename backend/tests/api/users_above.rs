//! Nobody changes a user above itself (issue #24, 1): a user is above the
//! caller when it holds a role or any permission the caller lacks, and a
//! client's owner is above every other user of its client. Every writable
//! field is tried, and the refused change leaves the user exactly as it was.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    a_peer_holding_more_permissions_cannot_be_taken_over,
    a_second_client_admin_cannot_touch_the_owner,
    operator_staff_change_what_they_hold_and_nothing_above,
);

/// One change of each writable field (with values that are valid on their own).
fn every_field(company: i64) -> Vec<(&'static str, Value)> {
    vec![
        ("name", json!({"name": "Renamed"})),
        ("username", json!({"username": "renamed.user"})),
        ("email", json!({"email": "renamed@above.example"})),
        ("email null", json!({"email": null})),
        ("password", json!({"password": "Taken-Over-Passw0rd"})),
        ("isActive", json!({"isActive": false})),
        ("permissions", json!({"permissions": [1]})),
        ("role", json!({"role": "user"})),
        ("modules", json!({"modules": []})),
        ("modules null", json!({"modules": null})),
        ("companyId", json!({"companyId": company})),
    ]
}

async fn user_json(app: &TestApp, token: &str, id: i64) -> Value {
    let mut u = json_of(app.get_user(token, id).await, StatusCode::OK).await;
    u["user"].as_object_mut().unwrap().remove("lastLogin");
    u
}

/// Every writable field of `target`, sent by `caller`, is refused with 403
/// and changes nothing; so are both permission operations.
async fn assert_untouchable(app: &TestApp, sa: &str, caller: &str, target: i64, company: i64) {
    let before = user_json(app, sa, target).await;
    for (field, body) in every_field(company) {
        let res = app.update_user(caller, target, &body).await;
        let err = json_of(res, StatusCode::FORBIDDEN).await;
        assert!(
            err["error"].as_str().unwrap().contains("above"),
            "{field}: {err}"
        );
        assert_eq!(
            user_json(app, sa, target).await,
            before,
            "{field} changed it"
        );
    }
    for (method, body) in [
        ("PUT", json!({"permissions": [1]})),
        ("POST", json!({"permissions": [1]})),
    ] {
        let res = if method == "PUT" {
            app.replace_user_permissions(caller, target, &body).await
        } else {
            app.add_user_permissions(caller, target, &body).await
        };
        json_of(res, StatusCode::FORBIDDEN).await;
        assert_eq!(
            user_json(app, sa, target).await,
            before,
            "{method} permissions"
        );
    }
}

/// The report's attack: a plain user holding [1, 3] sets the password of a
/// peer holding [1, 2, 3, 5], then would sign in as it and create users.
async fn a_peer_holding_more_permissions_cannot_be_taken_over(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Above Co").await;
    let (peer, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Peer", "username": "peer", "companyId": a, "permissions": [1, 2, 3, 5]}),
        )
        .await;
    let (_, attacker) = app
        .user_with_token(
            &sa,
            json!({"name": "Attacker", "username": "attacker", "companyId": a, "permissions": [1, 3]}),
        )
        .await;
    let (below, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Below", "username": "below", "companyId": a, "permissions": [1]}),
        )
        .await;
    let (same, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Same", "username": "same", "companyId": a, "permissions": [1, 3]}),
        )
        .await;
    assert_untouchable(&app, &sa, &attacker, peer, a).await;
    // The takeover itself: the password was never set.
    json_of(
        app.login_response("peer", "Taken-Over-Passw0rd").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Users at or below the caller are still its to edit (within its rights).
    for target in [below, same] {
        let res = app
            .update_user(&attacker, target, &json!({"name": "Edited"}))
            .await;
        assert_eq!(json_of(res, StatusCode::OK).await["user"]["name"], "Edited");
    }
    let res = app
        .update_user(&attacker, below, &json!({"password": "Set-By-A-Peer-0k"}))
        .await;
    json_of(res, StatusCode::OK).await;
}

/// A second client admin holding the owner's very permissions may not
/// demote the owner, set its password, or change anything else of it; the
/// operator's staff may.
async fn a_second_client_admin_cannot_touch_the_owner(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, owner, created) = app.client(&sa, "Owned Co").await;
    let owner_token = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let (second, second_token) = app
        .user_with_token(
            &owner_token,
            json!({"name": "Second Admin", "username": "second.admin", "role": "client_admin",
                   "permissions": [1, 2, 3, 5, 50]}),
        )
        .await;
    assert_untouchable(&app, &sa, &second_token, owner, a).await;
    // The owner may edit the second admin (it is not above the owner).
    let res = app
        .update_user(&owner_token, second, &json!({"name": "Deputy"}))
        .await;
    json_of(res, StatusCode::OK).await;
    // The operator's staff may reset the owner's password and its role stays.
    let res = app
        .update_user(&sa, owner, &json!({"password": "Reset-By-Staff-0k"}))
        .await;
    json_of(res, StatusCode::OK).await;
    app.login_ok(
        created["credentials"]["username"].as_str().unwrap(),
        "Reset-By-Staff-0k",
    )
    .await;
}

/// An operator admin lacking permission 5 cannot change a client owner that
/// holds it; given 5 it can. Its own peers are above it too when they hold
/// more.
async fn operator_staff_change_what_they_hold_and_nothing_above(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, owner, _) = app.client(&sa, "Staffed Co").await;
    let (_, narrow) = app
        .user_with_token(
            &sa,
            json!({"name": "Narrow", "username": "narrow", "role": "admin", "permissions": [1, 2, 3]}),
        )
        .await;
    let (wide, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Wide", "username": "wide", "role": "admin", "permissions": [1, 2, 3, 5]}),
        )
        .await;
    let (_, broad) = app
        .user_with_token(
            &sa,
            json!({"name": "Broad", "username": "broad", "role": "admin", "permissions": [1, 2, 3, 5, 20, 50]}),
        )
        .await;
    // Staff changing staff needs a super admin anyway; the owner holds 5.
    assert_untouchable(&app, &sa, &narrow, owner, a).await;
    let res = app
        .update_user(&broad, owner, &json!({"name": "Owner Renamed"}))
        .await;
    json_of(res, StatusCode::OK).await;
    // Resetting the client's password takes over its owner: only for staff
    // holding everything the owner holds.
    let (_, sales) = app
        .user_with_token(
            &sa,
            json!({"name": "Sales", "username": "sales", "role": "admin", "permissions": [20, 21, 22]}),
        )
        .await;
    let err = json_of(
        app.reset_client_password(&sales, a).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("above"), "{err}");
    let (_, support) = app
        .user_with_token(
            &sa,
            json!({"name": "Support", "username": "support", "role": "admin",
                   "permissions": [1, 2, 3, 5, 20, 22, 50]}),
        )
        .await;
    json_of(app.reset_client_password(&support, a).await, StatusCode::OK).await;
    // A super admin is above every admin, and an admin changing another admin
    // is refused whatever it holds.
    let res = app.update_user(&broad, wide, &json!({"name": "X"})).await;
    json_of(res, StatusCode::FORBIDDEN).await;
}
