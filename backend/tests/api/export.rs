//! CSV exports of users and of clients: scoped to the caller, formula-safe,
//! whole. (The activity log's export: `activity`.)

use crate::clients::create;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    export_is_scoped_csv,
    export_is_csv_and_formula_safe,
    an_export_of_many_batches_is_whole_and_in_order,
);

async fn export_is_scoped_csv(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, created) = app.client(&sa, "Export A").await;
    let (b_id, _, _) = app.client(&sa, "Export B").await;
    json_of(app.create_user(&sa, &json!({"name": "=SUM(A1)", "username": "formula", "password": INITIAL_PASSWORD, "companyId": a, "permissions": [1, 3]})).await, StatusCode::CREATED).await;
    json_of(app.create_user(&sa, &json!({"name": "Foreign", "username": "foreign", "password": INITIAL_PASSWORD, "companyId": b_id})).await, StatusCode::CREATED).await;
    let res = app.export_users(&sa, "sort=username").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("users-"));
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "id,username,name,email,role,companyId,permissions,isActive,mustChangePassword,lastLogin,createdAt,updatedAt");
    assert_eq!(lines.len(), 1 + 5); // admin, two owners, two users
    assert!(body.contains(",'=SUM(A1),"));
    assert!(body.contains(",1 3,"));
    assert!(!body.contains("argon2"));
    // Every cell of a row is the user's own field.
    let rows = csv_rows(&body);
    let row = rows.iter().find(|r| r["username"] == "formula").unwrap();
    let id = row["id"].parse::<i64>().unwrap();
    let user = json_of(app.get_user(&sa, id).await, StatusCode::OK).await["user"].clone();
    assert_row_matches(row, &user);
    assert_eq!(row["permissions"], "1 3");
    // A client admin exports its own company only.
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let mine = app.export_users(&owner, "").await.text().await.unwrap();
    assert_eq!(mine.lines().count(), 1 + 2);
    assert!(!mine.contains("foreign"));
    let log = json_of(
        app.list_activity(&sa, "action=export&targetType=users")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(log["pagination"]["total"], 2);
    // A searched export holds what the searched list holds, in more runs than
    // PostgreSQL's five planned with their term before it may keep one plan
    // (the rows are checked here, not which plan served them).
    for _ in 0..7 {
        for (term, rows) in [("FOREIGN", 1), ("oreig", 1), ("foreignx", 0), ("%3Dsum", 1)] {
            let found = app
                .export_users(&sa, &format!("search={term}"))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(found.lines().count(), 1 + rows, "{term}: {found}");
        }
    }
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
    let res = app.export_clients(&t, "sort=accountNumber").await;
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
    let plain = json_of(app.list_clients(&t, "search=Plain").await, StatusCode::OK).await
        ["clients"][0]
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
        .export_clients(&t, "businessType=retail")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(only.trim_end().lines().count(), 2, "{only}");
    json_of(
        app.export_clients(&t, "limit=500").await,
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
        async move { app.export_clients(t, query).await }
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
