use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

on_both_stores!(
    failures_bring_growing_delays,
    a_lock_answers_429_with_retry_after,
    unknown_users_are_throttled_alike,
    client_login_and_change_password_are_throttled,
    admin_password_resets_are_limited,
    an_account_locks_whichever_identifier_is_typed,
);

/// 40 failures from 40 addresses, alternating the username and the e-mail
/// address, lock the account from the 31st as 30 by one identifier would
/// (issue #24, 6): the right password from yet another address is refused.
async fn an_account_locks_whichever_identifier_is_typed(b: Backend) {
    let app = spawn(b).await;
    let from = |n: u8| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 1, n]))
            .build()
            .expect("a client on its own address")
    };
    let url = app.url("/api/auth/login");
    for n in 1..=40u8 {
        let login = if n % 2 == 0 {
            ADMIN_USERNAME
        } else {
            "Admin@Example.com"
        };
        let res = from(n)
            .post(&url)
            .json(&json!({"username": login, "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
        let expected = if n <= 30 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(res.status(), expected, "attempt {n} as {login}");
    }
    let res = from(41)
        .post(&url)
        .json(&json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // An identifier naming nobody is counted alike, by itself.
    for n in 1..=30u8 {
        let login = if n % 2 == 0 { "ghost" } else { "GHOST" };
        let res = from(100 + n)
            .post(&url)
            .json(&json!({"username": login, "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "ghost {n}");
    }
    let res = from(200)
        .post(&url)
        .json(&json!({"username": "ghost", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// A stolen admin session must not reset every owner's password in a minute:
/// resets are limited per account and per caller (429 with `Retry-After`),
/// and a refused reset changes nothing.
async fn admin_password_resets_are_limited(b: Backend) {
    let app = spawn_with(b, |s| {
        s.throttle.resets_per_account = 2;
        s.throttle.resets_per_caller = 4;
    })
    .await;
    let sa = app.admin_token().await;
    let (a, owner_a, _) = app.client(&sa, "Reset A").await;
    let (b_id, _, _) = app.client(&sa, "Reset B").await;
    let (c, _, _) = app.client(&sa, "Reset C").await;
    let reset = |id: i64| {
        let (app, sa) = (&app, &sa);
        async move {
            app.post(
                &format!("/api/clients/{id}/reset-password"),
                &json!({}),
                Some(sa),
            )
            .await
        }
    };
    // Two resets of one owner, then that owner is closed.
    let mut last = Value::Null;
    for _ in 0..2 {
        last = json_of(reset(a).await, StatusCode::OK).await;
    }
    let refused = reset(a).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    // The refused reset changed nothing: the last password still works.
    let username = last["credentials"]["username"].as_str().unwrap();
    let password = last["credentials"]["password"].as_str().unwrap();
    assert_eq!(
        app.login_response(username, password).await.status(),
        StatusCode::OK
    );
    // Setting the owner's password through the users API counts too.
    let body = json!({"password": "An0ther-Passw0rd!"});
    let res = app
        .put(
            &format!("/api/users-management/{owner_a}"),
            &body,
            Some(&sa),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Other owners are still open, until the caller reaches its own limit.
    json_of(reset(b_id).await, StatusCode::OK).await;
    json_of(reset(c).await, StatusCode::OK).await;
    assert_eq!(reset(c).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn failures_bring_growing_delays(b: Backend) {
    let app = spawn(b).await;
    for _ in 0..3 {
        assert_eq!(
            app.login_response(ADMIN_USERNAME, "wrong-password")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The third failure closes the door for one second, even to the right password.
    let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.headers()["retry-after"], "1");
    let err = json_of(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(err["error"].as_str().unwrap().contains("Too many attempts"));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // A fourth failure doubles the wait.
    assert_eq!(
        app.login_response(ADMIN_USERNAME, "wrong-password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "2");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // Success resets the account's count: the next failure starts again at zero.
    app.login(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(
        app.login_response(ADMIN_USERNAME, "wrong-password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    app.login(ADMIN_USERNAME, ADMIN_PASSWORD).await;
}

async fn a_lock_answers_429_with_retry_after(b: Backend) {
    let app = spawn_with(b, |s| {
        s.throttle.delay_after = 1000;
        s.throttle.account_ip_threshold = 4;
    })
    .await;
    for _ in 0..4 {
        assert_eq!(
            app.login_response(ADMIN_USERNAME, "wrong-password")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((59..=60).contains(&retry), "{retry}");
    // Attempts while locked are not counted, so they cannot stretch the lock.
    for _ in 0..5 {
        app.login_response(ADMIN_USERNAME, "wrong-password").await;
    }
    let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry <= 60, "{retry}");
    // Another account from the same address is not locked.
    app.create_operator("bystander", Some("Bystand3r-Pass!"))
        .await;
    app.login("bystander", "Bystand3r-Pass!").await;
}

async fn unknown_users_are_throttled_alike(b: Backend) {
    let app = spawn(b).await;
    for _ in 0..3 {
        assert_eq!(
            app.login_response("ghost", "wrong-password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login_response("ghost", "wrong-password").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn client_login_and_change_password_are_throttled(b: Backend) {
    use serde_json::json;
    let app = spawn(b).await;
    let body = json!({"username": "someone", "password": "wrong-password"});
    for _ in 0..3 {
        app.post("/api/auth/client-login", &body, None).await;
    }
    assert_eq!(
        app.post("/api/auth/client-login", &body, None)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let token = app.admin_token().await;
    let change = json!({"currentPassword": "wrong-password", "newPassword": "N3w-Passw0rd!x"});
    for _ in 0..3 {
        assert_eq!(
            app.post("/api/auth/change-password", &change, Some(&token))
                .await
                .status(),
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        app.post("/api/auth/change-password", &change, Some(&token))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}
