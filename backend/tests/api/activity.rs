//! The activity log: what it records, what it redacts, its filters, its
//! scope and its CSV export.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(activity_log_records_redacts_filters_and_scopes);

async fn activity_log_records_redacts_filters_and_scopes(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, created) = app.client(&sa, "Log A").await;
    let (b_id, _, _) = app.client(&sa, "Log B").await;
    let (id, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Logged", "username": "logged", "companyId": a}),
        )
        .await;
    json_of(
        app.update_user(
            &sa,
            id,
            &json!({"name": "Logged Again", "password": "Secret-Reset-9x"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        app.replace_user_permissions(&sa, id, &json!({"permissions": [1]}))
            .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        app.add_user_permissions(&sa, id, &json!({"permissions": [3]}))
            .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        app.add_client_user(
            &sa,
            b_id,
            &json!({"name": "Bee", "email": "bee@example.com"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        app.login_response("logged", "wrong-password-1")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let log = |q: &str| {
        let app = &app;
        let sa = sa.clone();
        let q = q.to_owned();
        async move { json_of(app.list_activity(&sa, &q).await, StatusCode::OK).await }
    };
    let target = format!("targetType=user&targetId={id}&limit=100");
    let entries = log(&target).await;
    let actions: Vec<&str> = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "create",
        "update",
        "update_permissions",
        "add_permissions",
        "login",
        "change_password",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let create = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "create")
        .unwrap();
    assert_eq!(
        create["changes"]["username"],
        json!({"from": null, "to": "logged"})
    );
    assert_eq!(create["actorUsername"], "admin");
    assert_eq!(create["companyId"], a);
    let update = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "update")
        .unwrap();
    assert_eq!(
        update["changes"]["name"],
        json!({"from": "Logged", "to": "Logged Again"})
    );
    assert_eq!(
        update["changes"]["password"],
        json!({"from": "[redacted]", "to": "[redacted]"})
    );
    let perms = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "update_permissions")
        .unwrap();
    assert_eq!(
        perms["changes"]["permissions"],
        json!({"from": [], "to": [1]})
    );
    let added = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "add_permissions")
        .unwrap();
    assert_eq!(
        added["changes"]["permissions"],
        json!({"from": [1], "to": [1, 3]})
    );
    let all = log("limit=100").await.to_string();
    for secret in [
        "Secret-Reset-9x",
        INITIAL_PASSWORD,
        CHANGED_PASSWORD,
        "wrong-password-1",
        "$argon2",
    ] {
        assert!(!all.contains(secret), "{secret} in the log");
    }
    assert!(all.contains("login_failed"));
    // Filters: action, actor, company, time.
    let creates = log("action=create&limit=100").await;
    assert!(creates["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["action"] == "create"));
    let by_actor = log("actorId=1&limit=100").await;
    assert!(by_actor["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actorId"] == 1));
    let of_b = log(&format!("companyId={b_id}&limit=100")).await;
    assert!(of_b["pagination"]["total"].as_i64().unwrap() >= 2);
    assert!(of_b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["companyId"] == b_id));
    assert_eq!(
        log("from=2100-01-01T00:00:00Z").await["pagination"]["total"],
        0
    );
    assert_eq!(
        log("to=2000-01-01T00:00:00Z").await["pagination"]["total"],
        0
    );
    let newest = log("limit=2").await;
    assert!(newest["entries"][0]["at"].as_str() >= newest["entries"][1]["at"].as_str());
    assert_eq!(newest["pagination"]["hasMore"], true);
    for q in ["from=yesterday", "limit=1000", "actorId=x"] {
        assert_eq!(
            app.list_activity(&sa, q).await.status(),
            StatusCode::BAD_REQUEST,
            "{q}"
        );
    }
    // A client admin holding 50 sees its own company's entries only.
    let owner_id = created["client"]["ownerId"].as_i64().unwrap();
    json_of(
        app.add_user_permissions(&sa, owner_id, &json!({"permissions": [50]}))
            .await,
        StatusCode::OK,
    )
    .await;
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let mine = json_of(app.list_activity(&owner, "limit=100").await, StatusCode::OK).await;
    assert!(mine["pagination"]["total"].as_i64().unwrap() > 0);
    assert!(mine["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["companyId"] == a));
    let theirs = json_of(
        app.list_activity(&owner, &format!("companyId={b_id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs["pagination"]["total"], 0);
    // CSV export of the log.
    let res = app.export_activity(&sa, "action=create").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("id,at,actorId,actorUsername,companyId,action,"));
    assert!(csv.lines().skip(1).all(|l| l.contains(",create,")));
    // Every cell of every row is the entry's own field, as the log's JSON has it.
    let rows = csv_rows(&csv);
    let entries = created_entries(&app, &sa).await;
    assert_eq!(rows.len(), entries.len());
    for (row, e) in rows.iter().zip(&entries) {
        assert_row_matches(row, e);
    }
    assert!(rows
        .iter()
        .any(|r| !r["companyId"].is_empty() && !r["actorId"].is_empty()));
}
