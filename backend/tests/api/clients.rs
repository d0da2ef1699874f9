//! The clients API (seed 000): onboarding and its one-time credentials, the
//! owner's sign-in, validation, the list, updates, password resets, status,
//! who may reach it, and its activity entries. (Credits: `credits`; the CSV
//! export: `export`; a client's users: `client_users`; its modules: `modules`.)

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    onboarding_answers_credentials_once,
    owner_logs_in_through_the_client_tab,
    every_field_is_validated_and_bad_input_changes_nothing,
    list_searches_filters_sorts_and_pages,
    get_and_partial_update,
    reset_password_ends_the_old_one,
    toggle_status_locks_out_every_user_at_once,
    concurrent_creates_of_one_name_stay_unique,
    only_permitted_operator_staff_reach_clients,
    mutations_are_in_the_activity_log,
);

/// Create a client as `token`: its answer, asserted 201.
pub async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.create_client(token, &body).await, StatusCode::CREATED).await
}

/// A client with every field filled in.
pub fn abc() -> Value {
    json!({
        "companyName": "ABC Store", "contactEmail": "abc@store.com", "contactName": "Asha Rao",
        "phoneNumber": "7093635305", "whatsappNumber": "+91 70936 35305", "businessType": "retail",
        "gstNumber": "27aapfu0939f1zv", "website": "https://abc.store", "businessAddress": "12 MG Road"
    })
}

async fn onboarding_answers_credentials_once(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let res = create(&app, &t, abc()).await;
    assert_eq!(res["message"], "Client created successfully");
    let c = &res["client"];
    assert_eq!(c["accountNumber"], "ACC001");
    assert_eq!(c["phoneNumber"], "+917093635305");
    assert_eq!(c["whatsappNumber"], "+917093635305");
    assert_eq!(c["gstNumber"], "27AAPFU0939F1ZV");
    assert_eq!(c["leadStatus"], "lead");
    assert_eq!(c["credits"], 0);
    assert_eq!(c["isActive"], true);
    let username = res["credentials"]["username"].as_str().unwrap();
    let password = res["credentials"]["password"].as_str().unwrap();
    assert!(
        username.starts_with("abcstore") && username.len() == 11,
        "{username}"
    );
    assert!(username
        .chars()
        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit()));
    assert!(password.len() >= 12);
    assert_eq!(c["username"], username);
    assert!(res["credentials"]["loginUrl"]
        .as_str()
        .unwrap()
        .ends_with("/login"));
    let text = res["share"]["text"].as_str().unwrap();
    for part in [
        "Your account is ready",
        "ABC Store",
        username,
        password,
        "/login",
        "Client Login",
    ] {
        assert!(text.contains(part), "share text lacks {part}: {text}");
    }
    assert!(res["share"]["whatsappUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://wa.me/917093635305?text="));
    assert!(res["share"]["mailtoUrl"]
        .as_str()
        .unwrap()
        .starts_with("mailto:abc%40store%2Ecom?"));
    // A second client gets the next account number and no WhatsApp link without a number.
    let second = create(
        &app,
        &t,
        json!({"companyName": "Second Co", "contactEmail": "s@second.co"}),
    )
    .await;
    assert_eq!(second["client"]["accountNumber"], "ACC002");
    assert!(second["share"].get("whatsappUrl").is_none());
    // The password is never shown again.
    let id = c["id"].as_i64().unwrap();
    let text = app.get_client(&t, id).await.text().await.unwrap();
    assert!(!text.contains(password), "get_client shows the password");
    let text = app.list_clients(&t, "").await.text().await.unwrap();
    assert!(!text.contains(password), "list_clients shows the password");
    let text = app.export_clients(&t, "").await.text().await.unwrap();
    assert!(
        !text.contains(password),
        "export_clients shows the password"
    );
}

async fn owner_logs_in_through_the_client_tab(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let res = create(&app, &t, abc()).await;
    let (u, p) = (
        res["credentials"]["username"].as_str().unwrap(),
        res["credentials"]["password"].as_str().unwrap(),
    );
    let id = res["client"]["id"].as_i64().unwrap();
    let s = json_of(
        app.client_login(&json!({"username": u, "password": p}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["mustChangePassword"], true);
    assert_eq!(s["user"]["role"], "client_admin");
    assert_eq!(s["user"]["companyId"], id);
    assert_eq!(s["user"]["permissions"], json!([1, 2, 3, 5, 50]));
    let token = s["accessToken"].as_str().unwrap();
    json_of(
        app.change_password(
            token,
            &json!({"currentPassword": p, "newPassword": "Own3r-Passw0rd!"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // The client's lastLogin is its users' latest login.
    let c = json_of(app.get_client(&t, id).await, StatusCode::OK).await;
    assert!(c["client"]["lastLogin"].is_string());
    // The owner is a client-side caller: client management is not theirs,
    // but its own client's record it reads.
    json_of(app.list_clients(token, "").await, StatusCode::FORBIDDEN).await;
    json_of(app.get_client(token, id).await, StatusCode::OK).await;
    json_of(
        app.create_client(token, &abc()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn every_field_is_validated_and_bad_input_changes_nothing(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let cases = [
        ("companyName", json!("")),
        ("companyName", json!("x".repeat(201))),
        ("contactEmail", json!("not-an-email")),
        ("contactName", json!("x".repeat(101))),
        ("phoneNumber", json!("12345")),
        ("phoneNumber", json!("call me")),
        ("whatsappNumber", json!("+1 000")),
        ("businessType", json!("casino")),
        // Blank clears a text field, but is not one of the types (the
        // fuzzer's find: it was taken as null).
        ("businessType", json!("")),
        ("gstNumber", json!("27AAPFU0939F1ZA")),
        ("gstNumber", json!("ABC")),
        ("website", json!("ftp://abc.store")),
        ("website", json!("javascript:alert(1)")),
        ("leadStatus", json!("hot")),
        ("notes", json!("x".repeat(5001))),
    ];
    for (field, value) in &cases {
        let mut body = abc();
        body[*field] = value.clone();
        let err = json_of(app.create_client(&t, &body).await, StatusCode::BAD_REQUEST).await;
        assert!(err["details"][*field].is_array(), "{field}={value}: {err}");
    }
    for missing in ["companyName", "contactEmail"] {
        let mut body = abc();
        body.as_object_mut().unwrap().remove(missing);
        let err = json_of(app.create_client(&t, &body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(err["details"][missing], json!(["is required"]), "{err}");
    }
    for read_only in [
        "id",
        "accountNumber",
        "credits",
        "isActive",
        "username",
        "createdAt",
        "password",
        "ownerId",
    ] {
        let mut body = abc();
        body[read_only] = json!(1);
        let err = json_of(app.create_client(&t, &body).await, StatusCode::BAD_REQUEST).await;
        assert!(err["details"][read_only].is_array(), "{read_only}: {err}");
    }
    let list = json_of(app.list_clients(&t, "").await, StatusCode::OK).await;
    assert_eq!(
        list["pagination"]["total"], 0,
        "bad input created something"
    );
    // The same rules on update, and nothing changes.
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    // (Once its own database is in step: its sync state moves on by itself.)
    app.wait_for_sync(&t, id, "in_sync").await;
    let before = json_of(app.get_client(&t, id).await, StatusCode::OK).await;
    for (field, value) in &cases {
        // A valid change sent beside the bad one must not be applied either.
        let mut body = json!({ "leadStatus": "closed" });
        body[*field] = value.clone();
        let err = json_of(
            app.update_client(&t, id, &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(err["details"][*field].is_array(), "update {field}: {err}");
    }
    for read_only in [
        "accountNumber",
        "credits",
        "isActive",
        "username",
        "updatedAt",
    ] {
        let res = app.update_client(&t, id, &json!({ read_only: 1 })).await;
        json_of(res, StatusCode::BAD_REQUEST).await;
    }
    let after = json_of(app.get_client(&t, id).await, StatusCode::OK).await;
    assert_eq!(before, after);
    // Ids that are not numbers (no such route), and missing clients.
    json_of(
        app.get("/api/clients/abc", Some(&t)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    json_of(app.get_client(&t, 999).await, StatusCode::NOT_FOUND).await;
    json_of(
        app.update_client(&t, 999, &json!({"notes": "x"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn list_searches_filters_sorts_and_pages(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let mut usernames = vec![];
    for (name, email, kind, lead) in [
        ("Zeta Foods", "zeta@foods.in", "restaurant", "customer"),
        ("alpha Traders", "ops@alpha.in", "wholesale", "lead"),
        ("Mango 50% Mart", "mango@mart.in", "retail", "qualified"),
    ] {
        let r = create(&app, &t, json!({"companyName": name, "contactEmail": email, "businessType": kind, "leadStatus": lead})).await;
        usernames.push(r["credentials"]["username"].as_str().unwrap().to_owned());
    }
    let names = |v: &Value| -> Vec<String> {
        v["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["companyName"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |q: String| {
        let app = &app;
        let t = t.clone();
        async move { json_of(app.list_clients(&t, &q).await, StatusCode::OK).await }
    };
    let all = get(String::new()).await;
    assert_eq!(
        names(&all),
        ["Mango 50% Mart", "alpha Traders", "Zeta Foods"],
        "newest first by default"
    );
    assert_eq!(
        all["pagination"],
        json!({"total": 3, "limit": 10, "offset": 0, "hasMore": false, "totalExact": true})
    );
    assert_eq!(
        names(&get("sort=companyName".into()).await),
        ["alpha Traders", "Mango 50% Mart", "Zeta Foods"]
    );
    assert_eq!(
        names(&get("sort=-companyName".into()).await),
        ["Zeta Foods", "Mango 50% Mart", "alpha Traders"]
    );
    assert_eq!(
        names(&get("sort=accountNumber".into()).await),
        ["Zeta Foods", "alpha Traders", "Mango 50% Mart"]
    );
    assert_eq!(names(&get("search=ALPHA".into()).await), ["alpha Traders"]);
    assert_eq!(
        names(&get("search=zeta%40foods".into()).await),
        ["Zeta Foods"]
    );
    assert_eq!(
        names(&get("search=acc003".into()).await),
        ["Mango 50% Mart"]
    );
    assert_eq!(
        names(&get(format!("search={}", usernames[0])).await),
        ["Zeta Foods"]
    );
    assert_eq!(
        names(&get("search=50%25".into()).await),
        ["Mango 50% Mart"],
        "% is literal"
    );
    assert_eq!(
        names(&get("search=_".into()).await),
        Vec::<String>::new(),
        "_ is literal"
    );
    assert_eq!(
        names(&get("businessType=retail".into()).await),
        ["Mango 50% Mart"]
    );
    assert_eq!(
        names(&get("leadStatus=customer".into()).await),
        ["Zeta Foods"]
    );
    let page = get("limit=2&offset=0&sort=accountNumber".into()).await;
    assert_eq!(
        page["pagination"],
        json!({"total": 3, "limit": 2, "offset": 0, "hasMore": true, "totalExact": true})
    );
    let page = get("limit=2&offset=2&sort=accountNumber".into()).await;
    assert_eq!(names(&page), ["Mango 50% Mart"]);
    assert_eq!(page["pagination"]["hasMore"], false);
    // Deactivated clients filter.
    let id = all["clients"][0]["id"].as_i64().unwrap();
    app.toggle_client_status(&t, id).await;
    assert_eq!(
        names(&get("isActive=false".into()).await),
        ["Mango 50% Mart"]
    );
    assert_eq!(get("isActive=true".into()).await["pagination"]["total"], 2);
    // Last login sorts with never-logged-in clients last, both ways.
    let sorted = names(&get("sort=-lastLogin".into()).await);
    assert_eq!(sorted.len(), 3);
    for bad in [
        "limit=0",
        "limit=101",
        "offset=-1",
        "sort=name",
        "isActive=maybe",
        "businessType=casino",
        "limit=x",
    ] {
        let res = app.list_clients(&t, bad).await;
        json_of(res, StatusCode::BAD_REQUEST).await;
    }
}

async fn get_and_partial_update(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    let res = json_of(
        app.update_client(&t, id, &json!({"leadStatus": "customer", "website": null, "whatsappNumber": "", "notes": "Signed"})).await,
        StatusCode::OK,
    )
    .await;
    let c = &res["client"];
    assert_eq!(c["leadStatus"], "customer");
    assert_eq!(c["website"], Value::Null);
    assert_eq!(c["whatsappNumber"], Value::Null);
    assert_eq!(c["notes"], "Signed");
    assert_eq!(c["companyName"], "ABC Store", "untouched");
    assert_eq!(c["gstNumber"], "27AAPFU0939F1ZV", "untouched");
    let got = json_of(app.get_client(&t, id).await, StatusCode::OK).await;
    assert_eq!(&got["client"], c);
}

async fn reset_password_ends_the_old_one(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let res = create(&app, &t, abc()).await;
    let id = res["client"]["id"].as_i64().unwrap();
    let (u, old) = (
        res["credentials"]["username"].as_str().unwrap(),
        res["credentials"]["password"].as_str().unwrap(),
    );
    let session = app.login_ok(u, old).await;
    let reset = json_of(app.reset_client_password(&t, id).await, StatusCode::OK).await;
    assert_eq!(reset["message"], "Password reset successfully");
    assert_eq!(reset["credentials"]["username"], u);
    let new = reset["credentials"]["password"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(reset["share"]["text"].as_str().unwrap().contains(new));
    assert_session_ended(&app, &session).await;
    json_of(app.login_response(u, old).await, StatusCode::UNAUTHORIZED).await;
    let s = app.login_ok(u, new).await;
    assert_eq!(s["mustChangePassword"], true);
    json_of(
        app.reset_client_password(&t, 999).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn toggle_status_locks_out_every_user_at_once(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let res = create(&app, &t, abc()).await;
    let id = res["client"]["id"].as_i64().unwrap();
    let (u, p) = (
        res["credentials"]["username"].as_str().unwrap(),
        res["credentials"]["password"].as_str().unwrap(),
    );
    let s = app.login_ok(u, p).await;
    let token = s["accessToken"].as_str().unwrap();
    json_of(app.get_me(token).await, StatusCode::OK).await;
    let off = json_of(app.toggle_client_status(&t, id).await, StatusCode::OK).await;
    assert_eq!(off["client"]["isActive"], false);
    assert_session_ended(&app, &s).await;
    json_of(app.login_response(u, p).await, StatusCode::FORBIDDEN).await;
    json_of(
        app.client_login(&json!({"username": u, "password": p}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let on = json_of(app.toggle_client_status(&t, id).await, StatusCode::OK).await;
    assert_eq!(on["client"]["isActive"], true);
    app.login_ok(u, p).await;
}

async fn concurrent_creates_of_one_name_stay_unique(b: Backend) {
    let app = spawn_with(b, |s| s.workers = Some(4)).await;
    let t = app.admin_token().await;
    let futures = (0..50).map(|i| {
        let (app, t) = (&app, &t);
        async move {
            let res = app
                .create_client(
                    t,
                    &json!({"companyName": "Same Name", "contactEmail": format!("c{i}@same.co")}),
                )
                .await;
            json_of(res, StatusCode::CREATED).await
        }
    });
    let created = futures_util::future::join_all(futures).await;
    let usernames: std::collections::HashSet<_> = created
        .iter()
        .map(|r| r["credentials"]["username"].as_str().unwrap().to_owned())
        .collect();
    let accounts: std::collections::HashSet<_> = created
        .iter()
        .map(|r| r["client"]["accountNumber"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(usernames.len(), 50);
    assert_eq!(accounts.len(), 50);
    assert!(usernames.iter().all(|u| u.starts_with("samename")));
}

async fn only_permitted_operator_staff_reach_clients(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    // An admin holding only permission 20 (view): bit 20 of the mask.
    let (staff_id, pw) = app
        .create_operator("viewer", Some("V1ewer-Passw0rd!"))
        .await;
    app.exec_sql(&format!(
        "UPDATE users SET permissions = {} WHERE id = {staff_id}",
        1i64 << 20
    ))
    .await;
    let v = app.login_ok("viewer", &pw).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    json_of(app.list_clients(&v, "").await, StatusCode::OK).await;
    json_of(app.get_client(&v, id).await, StatusCode::OK).await;
    assert_eq!(app.export_clients(&v, "").await.status(), StatusCode::OK);
    let credits = json!({"delta": 1, "reason": "x"});
    for (op, res, need) in [
        ("create_client", app.create_client(&v, &abc()).await, 21),
        (
            "update_client",
            app.update_client(&v, id, &json!({"notes": "x"})).await,
            22,
        ),
        (
            "reset_client_password",
            app.reset_client_password(&v, id).await,
            22,
        ),
        (
            "toggle_client_status",
            app.toggle_client_status(&v, id).await,
            22,
        ),
        (
            "adjust_client_credits",
            app.adjust_client_credits(&v, id, &credits).await,
            22,
        ),
    ] {
        let err = json_of(res, StatusCode::FORBIDDEN).await;
        assert!(
            err["error"]
                .as_str()
                .unwrap()
                .contains(&format!("Missing permission {need}")),
            "{op}: {err}"
        );
    }
    // With 22 but not 23: may edit, may not deactivate.
    app.exec_sql(&format!(
        "UPDATE users SET permissions = {} WHERE id = {staff_id}",
        (1i64 << 20) | (1 << 22)
    ))
    .await;
    json_of(
        app.update_client(&v, id, &json!({"notes": "ok"})).await,
        StatusCode::OK,
    )
    .await;
    let err = json_of(
        app.toggle_client_status(&v, id).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("23"));
    // Unauthenticated.
    json_of(
        app.get("/api/clients", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn mutations_are_in_the_activity_log(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let res = create(&app, &t, abc()).await;
    let id = res["client"]["id"].as_i64().unwrap();
    let password = res["credentials"]["password"].as_str().unwrap().to_owned();
    app.update_client(&t, id, &json!({"leadStatus": "customer"}))
        .await;
    let reset = app
        .reset_client_password(&t, id)
        .await
        .json::<Value>()
        .await
        .unwrap();
    app.toggle_client_status(&t, id).await;
    app.adjust_client_credits(&t, id, &json!({"delta": 5, "reason": "gift"}))
        .await;
    app.export_clients(&t, "").await.text().await.unwrap();
    let rows = crate::auth::activity_rows(&app).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "login",
            "create",
            "update",
            "reset_password",
            "toggle_status",
            "adjust_credits",
            "export"
        ]
    );
    assert!(rows[1]
        .1
        .as_deref()
        .unwrap()
        .contains(r#""companyName":{"from":null,"to":"ABC Store"}"#));
    assert_eq!(
        rows[2].1.as_deref(),
        Some(r#"{"leadStatus":{"from":"lead","to":"customer"}}"#)
    );
    assert_eq!(
        rows[4].1.as_deref(),
        Some(r#"{"isActive":{"from":true,"to":false}}"#)
    );
    assert_eq!(
        rows[5].1.as_deref(),
        Some(r#"{"credits":{"from":0,"to":5}}"#)
    );
    let all = format!("{rows:?}");
    assert!(!all.contains(&password));
    assert!(!all.contains(reset["credentials"]["password"].as_str().unwrap()));
}
