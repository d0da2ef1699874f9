//! An e-mail address may be held by a user of each company: one tenant's
//! users never change whether another tenant's user can sign in by it, and
//! the cost of an e-mail sign-in tells nothing of how many hold the address
//! (issue #24, 5; docs/decisions/0023).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(
    another_tenant_sharing_an_address_never_breaks_a_sign_in,
    an_e_mail_sign_in_costs_the_same_however_many_hold_the_address,
);

const UM: &str = "/api/users-management";
const SHARED: &str = "shared@people.example";

/// A user of `company` holding [`SHARED`], signed in once and given a
/// password of its own: its id, username and password.
async fn holder(app: &TestApp, token: &str, company: i64, n: usize) -> (i64, String, String) {
    let username = format!("holder{n}");
    let body = json!({"name": format!("Holder {n}"), "username": username, "email": SHARED,
                      "password": INITIAL_PASSWORD, "companyId": company});
    let created = json_of(app.post(UM, &body, Some(token)).await, StatusCode::CREATED).await;
    app.first_login(&username, INITIAL_PASSWORD).await;
    let password = format!("{CHANGED_PASSWORD}{n}");
    // Each holder's own password (the first login set CHANGED_PASSWORD).
    let t = app.login(&username, CHANGED_PASSWORD).await;
    let change = json!({"currentPassword": CHANGED_PASSWORD, "newPassword": password});
    let res = app
        .post(
            "/api/auth/change-password",
            &change,
            t["accessToken"].as_str(),
        )
        .await;
    json_of(res, StatusCode::OK).await;
    (created["user"]["id"].as_i64().unwrap(), username, password)
}

async fn another_tenant_sharing_an_address_never_breaks_a_sign_in(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Tenant A").await;
    let (_, _, a_password) = holder(&app, &sa, a, 1).await;
    assert_eq!(
        app.login(SHARED, &a_password).await["user"]["username"],
        "holder1"
    );

    // Tenant B's owner gives one of its users the same address: 201, nothing
    // said of the other holder.
    let (b_id, _, created) = app.client(&sa, "Tenant B").await;
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let (_, _, b_password) = holder(&app, &owner, b_id, 2).await;
    // Both sign in by the address, each with its own password, through both tabs.
    for path in ["/api/auth/login", "/api/auth/client-login"] {
        for (password, username) in [(&a_password, "holder1"), (&b_password, "holder2")] {
            let body = json!({"username": SHARED.to_uppercase(), "password": password});
            let session = json_of(app.post(path, &body, None).await, StatusCode::OK).await;
            assert_eq!(session["user"]["username"], username, "{path}");
        }
    }
    // A wrong password answers exactly as for an unknown address.
    let wrong = json!({"username": SHARED, "password": "Not-The-Passw0rd"});
    let unknown = json!({"username": "nobody@people.example", "password": "Not-The-Passw0rd"});
    let wrong = app.post("/api/auth/login", &wrong, None).await;
    let unknown = app.post("/api/auth/login", &unknown, None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());

    // Later holders never push earlier ones out, even one that took the
    // address by a change of its own (given it after A's user had it).
    let mut later = Vec::new();
    for n in 3..=5 {
        let (c, _, _) = app.client(&sa, &format!("Tenant {n}")).await;
        later.push(holder(&app, &sa, c, n).await);
    }
    app.login(SHARED, &a_password).await;
    app.login(SHARED, &b_password).await;
    let (c, _, _) = app.client(&sa, "Tenant Six").await;
    let (moved, moved_username, moved_password) = holder(&app, &sa, c, 6).await;
    let res = app
        .put(
            &format!("{UM}/{moved}"),
            &json!({"email": "elsewhere@people.example"}),
            Some(&sa),
        )
        .await;
    json_of(res, StatusCode::OK).await;
    let res = app
        .put(
            &format!("{UM}/{moved}"),
            &json!({"email": SHARED}),
            Some(&sa),
        )
        .await;
    json_of(res, StatusCode::OK).await;
    app.login(SHARED, &a_password).await;
    app.login(SHARED, &b_password).await;
    // The third holder still signs in by it; past the third, a holder signs
    // in by its username (decision 0023).
    app.login(SHARED, &later[0].2).await;
    json_of(
        app.login_response(SHARED, &moved_password).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    app.login(&moved_username, &moved_password).await;
}

/// Every sign-in by an e-mail address makes exactly three verifications,
/// whether nobody, one user or two hold the address; a username one.
async fn an_e_mail_sign_in_costs_the_same_however_many_hold_the_address(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let cost = |login: &'static str| {
        let app = &app;
        async move {
            let before = app.state.passwords.hashings();
            let res = app.login_response(login, "Not-The-Passw0rd").await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
            app.state.passwords.hashings() - before
        }
    };
    assert_eq!(cost(SHARED).await, 3, "nobody holds it");
    let (a, _, _) = app.client(&sa, "Cost A").await;
    holder(&app, &sa, a, 1).await;
    assert_eq!(cost(SHARED).await, 3, "one holds it");
    let (b_id, _, _) = app.client(&sa, "Cost B").await;
    holder(&app, &sa, b_id, 2).await;
    assert_eq!(cost(SHARED).await, 3, "two hold it");
    assert_eq!(cost("holder1").await, 1, "a username");
    assert_eq!(cost("nobody").await, 1, "an unknown username");
}
