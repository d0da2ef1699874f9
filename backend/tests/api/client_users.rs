//! A client's users made from the client (seed 000): temporary credentials,
//! the client's modules, and usernames made unique.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(
    client_users_get_temporary_credentials_and_modules,
    a_taken_username_is_retried_without_locking_the_database,
);

async fn client_users_get_temporary_credentials_and_modules(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Users Co").await;
    let (b_id, _, _) = app.client(&sa, "Other Co").await;
    json_of(
        app.set_client_modules(&sa, a, &json!({"modules": ["billing", "reports"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    let res = json_of(
        app.add_client_user(
            &sa,
            a,
            &json!({"name": "Ravi Kumar", "email": "Ravi@Example.com"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(res["message"], "User created successfully");
    let u = &res["user"];
    assert_eq!(u["companyId"], a);
    assert_eq!(u["role"], "user");
    assert_eq!(u["mustChangePassword"], true);
    assert_eq!(u["modules"], json!(["billing", "reports"]));
    let username = res["credentials"]["username"].as_str().unwrap();
    let password = res["credentials"]["password"].as_str().unwrap();
    assert_eq!(username, u["username"].as_str().unwrap());
    assert!(password.len() >= 12);
    assert!(res["credentials"]["loginUrl"]
        .as_str()
        .unwrap()
        .ends_with("/login"));
    // The password works once changed, and is never shown again.
    let session = app.login_ok(username, password).await;
    assert_eq!(session["mustChangePassword"], true);
    let got = json_of(app.get_user(&sa, &u["id"]).await, StatusCode::OK).await;
    assert!(!got.to_string().contains(password));
    // Roles: user or client_admin only.
    for role in ["admin", "super_admin", "technician", "owner"] {
        let err = json_of(
            app.add_client_user(
                &sa,
                a,
                &json!({"name": "R", "email": format!("{role}@example.com"), "role": role}),
            )
            .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(err["details"]["role"].is_array(), "{role}");
    }
    let ca = json_of(
        app.add_client_user(
            &sa,
            a,
            &json!({"name": "Co Admin", "email": "co@example.com", "role": "client_admin"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(ca["user"]["role"], "client_admin");
    // E-mail: unique within the client, free across clients.
    json_of(
        app.add_client_user(&sa, a, &json!({"name": "Dup", "email": "ravi@example.com"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let other = json_of(
        app.add_client_user(
            &sa,
            b_id,
            &json!({"name": "Ravi", "email": "ravi@example.com"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_ne!(other["user"]["username"], u["username"]);
    // Bad input: 400 and nothing changes.
    for body in [
        json!({"name": "", "email": "x@example.com"}),
        json!({"name": "X", "email": "nope"}),
        json!({"name": "X"}),
        json!({"name": "X", "email": "y@example.com", "companyId": 2}),
    ] {
        json_of(
            app.add_client_user(&sa, a, &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    json_of(
        app.add_client_user(&sa, 999999, &json!({"name": "X", "email": "z@example.com"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let list = json_of(
        app.list_client_users(&sa, a, "sort=createdAt").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["pagination"]["total"], 3); // the owner, Ravi, the co-admin
    assert!(list["users"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["companyId"] == a));
}

/// The retry after a username conflict. The fuzzer found it answering 503
/// "database is locked" on SQLite with the real binary: the retry's deferred
/// transaction could not upgrade while the failed one was still rolling back.
/// Writing transactions now begin IMMEDIATE; this in-process run did not
/// reproduce the lock, but keeps the retry path (and its unique names) honest.
async fn a_taken_username_is_retried_without_locking_the_database(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    // Open every pooled connection, so that the retry runs on another one.
    let warm: Vec<_> = (0..16).map(|_| app.export_users(&sa, "")).collect();
    futures_util::future::join_all(warm).await;
    let mut usernames = Vec::new();
    for n in 0..4 {
        let (c, _, _) = app.client(&sa, &format!("Retry {n}")).await;
        let res = json_of(
            app.add_client_user(&sa, c, &json!({"email": "ada@example.com", "name": "Ada"}))
                .await,
            StatusCode::CREATED,
        )
        .await;
        usernames.push(res["user"]["username"].as_str().unwrap().to_owned());
    }
    assert_eq!(usernames[0], "ada");
    usernames.sort();
    usernames.dedup();
    assert_eq!(usernames.len(), 4);
}
