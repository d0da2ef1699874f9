//! CSV exports: scoped to the caller, formula-safe, whole.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(export_is_scoped_csv);

const UM: &str = "/api/users-management";

async fn export_is_scoped_csv(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, created) = app.client(&sa, "Export A").await;
    let (b_id, _, _) = app.client(&sa, "Export B").await;
    json_of(app.post(UM, &json!({"name": "=SUM(A1)", "username": "formula", "password": INITIAL_PASSWORD, "companyId": a, "permissions": [1, 3]}), Some(&sa)).await, StatusCode::CREATED).await;
    json_of(app.post(UM, &json!({"name": "Foreign", "username": "foreign", "password": INITIAL_PASSWORD, "companyId": b_id}), Some(&sa)).await, StatusCode::CREATED).await;
    let res = app
        .get(&format!("{UM}/export?sort=username"), Some(&sa))
        .await;
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
    let user = json_of(
        app.get(&format!("{UM}/{id}"), Some(&sa)).await,
        StatusCode::OK,
    )
    .await["user"]
        .clone();
    assert_row_matches(row, &user);
    assert_eq!(row["permissions"], "1 3");
    // A client admin exports its own company only.
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let mine = app
        .get(&format!("{UM}/export"), Some(&owner))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(mine.lines().count(), 1 + 2);
    assert!(!mine.contains("foreign"));
    let log = json_of(
        app.get("/api/activity?action=export&targetType=users", Some(&sa))
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
                .get(&format!("{UM}/export?search={term}"), Some(&sa))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(found.lines().count(), 1 + rows, "{term}: {found}");
        }
    }
}
