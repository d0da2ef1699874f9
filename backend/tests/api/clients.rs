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
    export_is_csv_and_formula_safe,
    an_export_of_many_batches_is_whole_and_in_order,
    credits_never_go_negative,
    concurrent_credit_adjustments_lose_nothing,
    concurrent_creates_of_one_name_stay_unique,
    only_permitted_operator_staff_reach_clients,
    mutations_are_in_the_activity_log,
);

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(
        app.post("/api/clients", &body, Some(token)).await,
        StatusCode::CREATED,
    )
    .await
}

fn abc() -> Value {
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
    for path in [
        format!("/api/clients/{id}"),
        "/api/clients".to_owned(),
        "/api/clients/export".to_owned(),
    ] {
        let text = app.get(&path, Some(&t)).await.text().await.unwrap();
        assert!(!text.contains(password), "{path} shows the password");
    }
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
        app.post(
            "/api/auth/client-login",
            &json!({"username": u, "password": p}),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["mustChangePassword"], true);
    assert_eq!(s["user"]["role"], "client_admin");
    assert_eq!(s["user"]["companyId"], id);
    assert_eq!(s["user"]["permissions"], json!([1, 2, 3, 5]));
    let token = s["accessToken"].as_str().unwrap();
    json_of(
        app.post(
            "/api/auth/change-password",
            &json!({"currentPassword": p, "newPassword": "Own3r-Passw0rd!"}),
            Some(token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // The client's lastLogin is its users' latest login.
    let c = json_of(
        app.get(&format!("/api/clients/{id}"), Some(&t)).await,
        StatusCode::OK,
    )
    .await;
    assert!(c["client"]["lastLogin"].is_string());
    // The owner is a client-side caller: client management is not theirs.
    json_of(
        app.get("/api/clients", Some(token)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(
        app.get(&format!("/api/clients/{id}"), Some(token)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(
        app.post("/api/clients", &abc(), Some(token)).await,
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
        let err = json_of(
            app.post("/api/clients", &body, Some(&t)).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(err["details"][*field].is_array(), "{field}={value}: {err}");
    }
    for missing in ["companyName", "contactEmail"] {
        let mut body = abc();
        body.as_object_mut().unwrap().remove(missing);
        let err = json_of(
            app.post("/api/clients", &body, Some(&t)).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
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
        let err = json_of(
            app.post("/api/clients", &body, Some(&t)).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(err["details"][read_only].is_array(), "{read_only}: {err}");
    }
    let list = json_of(app.get("/api/clients", Some(&t)).await, StatusCode::OK).await;
    assert_eq!(
        list["pagination"]["total"], 0,
        "bad input created something"
    );
    // The same rules on update, and nothing changes.
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    let before = json_of(
        app.get(&format!("/api/clients/{id}"), Some(&t)).await,
        StatusCode::OK,
    )
    .await;
    for (field, value) in &cases {
        // A valid change sent beside the bad one must not be applied either.
        let mut body = json!({ "leadStatus": "closed" });
        body[*field] = value.clone();
        let err = json_of(
            app.put(&format!("/api/clients/{id}"), &body, Some(&t))
                .await,
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
        let res = app
            .put(
                &format!("/api/clients/{id}"),
                &json!({ read_only: 1 }),
                Some(&t),
            )
            .await;
        json_of(res, StatusCode::BAD_REQUEST).await;
    }
    let after = json_of(
        app.get(&format!("/api/clients/{id}"), Some(&t)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(before, after);
    // Ids that are not numbers (no such route), and missing clients.
    json_of(
        app.get("/api/clients/abc", Some(&t)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    json_of(
        app.get("/api/clients/999", Some(&t)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    json_of(
        app.put("/api/clients/999", &json!({"notes": "x"}), Some(&t))
            .await,
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
        async move {
            json_of(
                app.get(&format!("/api/clients?{q}"), Some(&t)).await,
                StatusCode::OK,
            )
            .await
        }
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
    app.post(
        &format!("/api/clients/{id}/toggle-status"),
        &json!({}),
        Some(&t),
    )
    .await;
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
        let res = app.get(&format!("/api/clients?{bad}"), Some(&t)).await;
        json_of(res, StatusCode::BAD_REQUEST).await;
    }
}

async fn get_and_partial_update(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/clients/{id}");
    let res = json_of(
        app.put(&path, &json!({"leadStatus": "customer", "website": null, "whatsappNumber": "", "notes": "Signed"}), Some(&t)).await,
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
    let got = json_of(app.get(&path, Some(&t)).await, StatusCode::OK).await;
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
    let session = app.login(u, old).await;
    let reset = json_of(
        app.post(
            &format!("/api/clients/{id}/reset-password"),
            &json!({}),
            Some(&t),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(reset["message"], "Password reset successfully");
    assert_eq!(reset["credentials"]["username"], u);
    let new = reset["credentials"]["password"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(reset["share"]["text"].as_str().unwrap().contains(new));
    assert_session_ended(&app, &session).await;
    json_of(app.login_response(u, old).await, StatusCode::UNAUTHORIZED).await;
    let s = app.login(u, new).await;
    assert_eq!(s["mustChangePassword"], true);
    json_of(
        app.post("/api/clients/999/reset-password", &json!({}), Some(&t))
            .await,
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
    let s = app.login(u, p).await;
    let token = s["accessToken"].as_str().unwrap();
    json_of(app.get("/api/auth/me", Some(token)).await, StatusCode::OK).await;
    let off = json_of(
        app.post(
            &format!("/api/clients/{id}/toggle-status"),
            &json!({}),
            Some(&t),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(off["client"]["isActive"], false);
    assert_session_ended(&app, &s).await;
    json_of(app.login_response(u, p).await, StatusCode::FORBIDDEN).await;
    json_of(
        app.post(
            "/api/auth/client-login",
            &json!({"username": u, "password": p}),
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let on = json_of(
        app.post(
            &format!("/api/clients/{id}/toggle-status"),
            &json!({}),
            Some(&t),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(on["client"]["isActive"], true);
    app.login(u, p).await;
}

async fn export_is_csv_and_formula_safe(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    create(&app, &t, json!({"companyName": "=HYPERLINK(\"http://evil\",\"x\")", "contactEmail": "a@evil.co", "notes": "@SUM(1), \"quoted\"\nline", "businessType": "other"})).await;
    create(
        &app,
        &t,
        json!({"companyName": "Plain Co", "contactEmail": "p@plain.co", "businessType": "retail"}),
    )
    .await;
    let res = app
        .get("/api/clients/export?sort=accountNumber", Some(&t))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"clients-{today}.csv\"")
    );
    let body = res.text().await.unwrap();
    let mut lines = body.split("\r\n");
    assert!(lines
        .next()
        .unwrap()
        .starts_with("accountNumber,companyName,contactEmail,"));
    assert!(
        body.contains("ACC001,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",a@evil.co"),
        "{body}"
    );
    assert!(
        body.contains("\"'@SUM(1), \"\"quoted\"\"\nline\""),
        "{body}"
    );
    assert!(body.contains("ACC002,Plain Co,p@plain.co"));
    // Every cell of a plain row is the client's own field (SQLite reads an
    // export's rows as JSON: decision 0014).
    let plain = json_of(
        app.get("/api/clients?search=Plain", Some(&t)).await,
        StatusCode::OK,
    )
    .await["clients"][0]
        .clone();
    let row: Vec<&str> = body
        .split("\r\n")
        .find(|l| l.starts_with("ACC002,"))
        .unwrap()
        .split(',')
        .collect();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let millis = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(row.len(), 18, "{row:?}");
    assert_eq!(row[7], "retail");
    assert_eq!(row[10], text(&plain["leadStatus"]));
    assert_eq!(row[12], plain["credits"].to_string());
    assert_eq!(row[13], "true");
    assert_eq!(row[14], text(&plain["username"]));
    assert!(!row[14].is_empty());
    assert_eq!(row[15], "");
    assert_eq!(millis(row[16]), millis(&text(&plain["createdAt"])));
    assert_eq!(millis(row[17]), millis(&text(&plain["updatedAt"])));
    let lower = body.to_lowercase();
    assert!(!lower.contains("argon2") && !lower.contains("password"));
    // The list's filters apply.
    let only = app
        .get("/api/clients/export?businessType=retail", Some(&t))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(only.trim_end().lines().count(), 2, "{only}");
    json_of(
        app.get("/api/clients/export?limit=500", Some(&t)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

/// An export crosses from the database to the response in batches of 512
/// rows: 1,300 clients are three batches, every row once and in order. A row
/// the store cannot read ends the download unfinished: never a 200 that looks
/// complete.
async fn an_export_of_many_batches_is_whole_and_in_order(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    // Straight into the database: 1,300 onboardings would hash 1,300 passwords.
    app.exec_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1300) \
         INSERT INTO clients (account_number, company_name, contact_email, lead_status, \
             credits, is_active, created_at, updated_at) \
         SELECT 'BAT' || (10000 + i), 'Batch ' || i, 'batch' || i || '@example.com', 'lead', \
             i, TRUE, 1764400000000 + i, 1764400000000 + i FROM n",
    )
    .await;
    let export = |query: &'static str| {
        let (app, t) = (&app, &t);
        async move {
            app.get(&format!("/api/clients/export?{query}"), Some(t))
                .await
        }
    };
    for (query, first) in [
        ("sort=accountNumber", 10_001),
        ("sort=-accountNumber", 11_300),
    ] {
        let res = export(query).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        let accounts: Vec<&str> = body
            .split("\r\n")
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| l.split(',').next().unwrap())
            .collect();
        let step: i64 = if first == 10_001 { 1 } else { -1 };
        let expected: Vec<String> = (0..1300)
            .map(|k| format!("BAT{}", first + step * k))
            .collect();
        assert_eq!(accounts.len(), expected.len(), "{query}: rows");
        let wrong = accounts.iter().zip(&expected).position(|(a, e)| a != e);
        assert_eq!(wrong, None, "{query}: the first row out of place");
    }
    // The 900th client (in the second batch) has a lead status no client can
    // have: the rows before it arrive, then the download is cut short.
    app.exec_sql("UPDATE clients SET lead_status = 'bogus' WHERE account_number = 'BAT10900'")
        .await;
    let mut res = export("sort=accountNumber").await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut received = Vec::new();
    let failure = loop {
        match res.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => panic!("a failed export arrived whole: {} bytes", received.len()),
            Err(e) => break e,
        }
    };
    assert!(failure.is_body() || failure.is_decode(), "{failure}");
    let received = String::from_utf8(received).unwrap();
    assert!(
        received.contains("\r\nBAT10899,"),
        "the rows before the bad one"
    );
    assert!(!received.contains("BAT10900"));
}

async fn credits_never_go_negative(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/clients/{id}/credits");
    let add = json_of(
        app.post(&path, &json!({"delta": 100, "reason": "Top-up"}), Some(&t))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(add["balance"], 100);
    assert_eq!(add["entry"]["delta"], 100);
    assert_eq!(add["entry"]["balanceAfter"], 100);
    let spend = json_of(
        app.post(
            &path,
            &json!({"delta": -40, "reason": "Report run"}),
            Some(&t),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(spend["balance"], 60);
    let err = json_of(
        app.post(
            &path,
            &json!({"delta": -61, "reason": "Too much"}),
            Some(&t),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("Insufficient"));
    for bad in [
        json!({"delta": 0, "reason": "x"}),
        json!({"delta": 5, "reason": ""}),
        json!({"delta": 2_000_000_000i64, "reason": "x"}),
        json!({"delta": 1.5, "reason": "x"}),
        json!({"delta": 5}),
    ] {
        json_of(
            app.post(&path, &bad, Some(&t)).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let ledger = json_of(
        app.get(&format!("{path}?limit=1"), Some(&t)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ledger["balance"], 60);
    assert_eq!(
        ledger["pagination"],
        json!({"total": 2, "limit": 1, "offset": 0, "hasMore": true, "totalExact": true})
    );
    assert_eq!(ledger["entries"][0]["reason"], "Report run");
    let c = json_of(
        app.get(&format!("/api/clients/{id}"), Some(&t)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["client"]["credits"], 60);
    json_of(
        app.post(
            "/api/clients/999/credits",
            &json!({"delta": 1, "reason": "x"}),
            Some(&t),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    json_of(
        app.get("/api/clients/999/credits", Some(&t)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn concurrent_credit_adjustments_lose_nothing(b: Backend) {
    let app = spawn_with(b, |s| s.workers = Some(4)).await;
    let t = app.admin_token().await;
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/clients/{id}/credits");
    json_of(
        app.post(&path, &json!({"delta": 1000, "reason": "seed"}), Some(&t))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let futures = (0..200).map(|i| {
        let delta = if i % 2 == 0 { 7 } else { -3 };
        let (app, t, path) = (&app, &t, &path);
        async move {
            app.post(
                path,
                &json!({"delta": delta, "reason": format!("op {i}")}),
                Some(t),
            )
            .await
            .status()
        }
    });
    let statuses = futures_util::future::join_all(futures).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    let c = json_of(
        app.get(&format!("/api/clients/{id}"), Some(&t)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["client"]["credits"], 1000 + 100 * 7 - 100 * 3);
    let ledger = json_of(
        app.get(&format!("{path}?limit=1"), Some(&t)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ledger["pagination"]["total"], 201);
}

async fn concurrent_creates_of_one_name_stay_unique(b: Backend) {
    let app = spawn_with(b, |s| s.workers = Some(4)).await;
    let t = app.admin_token().await;
    let futures = (0..50).map(|i| {
        let (app, t) = (&app, &t);
        async move {
            let res = app
                .post(
                    "/api/clients",
                    &json!({"companyName": "Same Name", "contactEmail": format!("c{i}@same.co")}),
                    Some(t),
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
    let v = app.login("viewer", &pw).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    json_of(app.get("/api/clients", Some(&v)).await, StatusCode::OK).await;
    json_of(
        app.get(&format!("/api/clients/{id}"), Some(&v)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.get("/api/clients/export", Some(&v)).await.status(),
        StatusCode::OK
    );
    for (method, path, need) in [
        ("POST", "/api/clients".to_owned(), 21),
        ("PUT", format!("/api/clients/{id}"), 22),
        ("POST", format!("/api/clients/{id}/reset-password"), 22),
        ("POST", format!("/api/clients/{id}/toggle-status"), 22),
        ("POST", format!("/api/clients/{id}/credits"), 22),
    ] {
        let body = if path.ends_with("credits") {
            json!({"delta": 1, "reason": "x"})
        } else if method == "PUT" {
            json!({"notes": "x"})
        } else {
            abc()
        };
        let res = if method == "PUT" {
            app.put(&path, &body, Some(&v)).await
        } else {
            app.post(&path, &body, Some(&v)).await
        };
        let err = json_of(res, StatusCode::FORBIDDEN).await;
        assert!(
            err["error"]
                .as_str()
                .unwrap()
                .contains(&format!("Missing permission {need}")),
            "{path}: {err}"
        );
    }
    // With 22 but not 23: may edit, may not deactivate.
    app.exec_sql(&format!(
        "UPDATE users SET permissions = {} WHERE id = {staff_id}",
        (1i64 << 20) | (1 << 22)
    ))
    .await;
    json_of(
        app.put(
            &format!("/api/clients/{id}"),
            &json!({"notes": "ok"}),
            Some(&v),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let err = json_of(
        app.post(
            &format!("/api/clients/{id}/toggle-status"),
            &json!({}),
            Some(&v),
        )
        .await,
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
    app.put(
        &format!("/api/clients/{id}"),
        &json!({"leadStatus": "customer"}),
        Some(&t),
    )
    .await;
    let reset = app
        .post(
            &format!("/api/clients/{id}/reset-password"),
            &json!({}),
            Some(&t),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    app.post(
        &format!("/api/clients/{id}/toggle-status"),
        &json!({}),
        Some(&t),
    )
    .await;
    app.post(
        &format!("/api/clients/{id}/credits"),
        &json!({"delta": 5, "reason": "gift"}),
        Some(&t),
    )
    .await;
    app.get("/api/clients/export", Some(&t))
        .await
        .text()
        .await
        .unwrap();
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
