use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    the_dashboard_counts_what_happened,
    each_part_needs_its_permission_and_a_client_sees_its_own,
    figures_are_counted_again_before_they_expire,
);

const DAY_MS: i64 = 86_400_000;

async fn stats(app: &TestApp, token: &str) -> Value {
    json_of(app.get_stats(token).await, StatusCode::OK).await
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Clients (one of them inactive, one created three weeks ago), logins and a
/// failed login, an entry of ten days ago: every figure counts them.
async fn the_dashboard_counts_what_happened(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let (first, _, _) = app.client(&t, "First Co").await;
    let (second, _, _) = app.client(&t, "Second Co").await;
    let (_, _, third) = app.client(&t, "Third Co").await;
    json_of(app.toggle_client_status(&t, second).await, StatusCode::OK).await;
    // Three weeks ago, at the same time of day.
    let weeks_ago = chrono::Utc::now().timestamp_millis() - 21 * DAY_MS;
    app.exec_sql(&format!(
        "UPDATE clients SET created_at = {weeks_ago} WHERE id = {first}"
    ))
    .await;
    // Logins: the admin twice more (three with admin_token), the third
    // client's owner once; one failure.
    app.login_ok("admin", ADMIN_PASSWORD).await;
    app.login_ok("admin", ADMIN_PASSWORD).await;
    let owner = third["credentials"]["username"].as_str().unwrap();
    let password = third["credentials"]["password"].as_str().unwrap();
    app.login_ok(owner, password).await;
    json_of(
        app.login_response("admin", "not-the-password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // A login ten days ago.
    app.exec_sql(&format!(
        "INSERT INTO activity_log (at, action, actor_id, company_id) VALUES ({}, 'login', 1, NULL)",
        chrono::Utc::now().timestamp_millis() - 10 * DAY_MS
    ))
    .await;

    let s = stats(&app, &t).await;
    assert_eq!(
        s["clients"],
        json!({"total": 3, "active": 2, "inactive": 1})
    );
    // The admin and three owners, one of them of the inactive client (still active itself).
    assert_eq!(s["users"], json!({"total": 4, "active": 4}));
    assert_eq!(s["logins"], json!({"today": 4, "failedToday": 1}));

    let days = s["loginsPerDay"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["date"], today().to_string());
    assert_eq!(
        days[29],
        json!({"date": today().to_string(), "count": 4, "failed": 1})
    );
    let ten_days_ago = (today() - chrono::Days::new(10)).to_string();
    assert_eq!(
        days[19],
        json!({"date": ten_days_ago, "count": 1, "failed": 0})
    );
    let others: i64 = days.iter().map(|d| d["count"].as_i64().unwrap()).sum();
    assert_eq!(others, 5, "{days:?}");

    let weeks = s["newClientsPerWeek"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    let monday = |d: chrono::NaiveDate| {
        d - chrono::Days::new(u64::from(
            chrono::Datelike::weekday(&d).num_days_from_monday(),
        ))
    };
    assert_eq!(
        weeks[11],
        json!({"weekStart": monday(today()).to_string(), "count": 2})
    );
    let three_weeks_ago = monday(today() - chrono::Days::new(21)).to_string();
    assert_eq!(weeks[8], json!({"weekStart": three_weeks_ago, "count": 1}));
    let all: i64 = weeks.iter().map(|w| w["count"].as_i64().unwrap()).sum();
    assert_eq!(all, 3);

    let recent = s["recentActivity"].as_array().unwrap();
    assert_eq!(recent.len(), 10);
    assert_eq!(recent[0]["action"], "login_failed");
    let times: Vec<&str> = recent.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    assert!(s["generatedAt"].as_str().is_some());
}

/// A client owner holds 1, 2, 3, 5 and 50: its own company's users, logins
/// and activity, and no clients' figures (permission 20). An operator admin
/// with 20 alone sees the clients and nothing else.
async fn each_part_needs_its_permission_and_a_client_sees_its_own(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    app.client(&t, "Other Co").await;
    let (mine, _, created) = app.client(&t, "Mine Co").await;
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    json_of(
        app.add_client_user(
            &owner,
            mine,
            &json!({"name": "Ravi Kumar", "email": "ravi@mine.example"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let s = stats(&app, &owner).await;
    assert_eq!(s["users"], json!({"total": 2, "active": 2}));
    // Its own company's logins: the owner's one, not the admin's.
    assert_eq!(s["logins"], json!({"today": 1, "failedToday": 0}));
    let recent = s["recentActivity"].as_array().unwrap();
    assert!(!recent.is_empty());
    assert!(recent.iter().all(|e| e["companyId"] == mine), "{recent:?}");
    for part in ["clients", "newClientsPerWeek"] {
        assert_eq!(
            s[part],
            Value::Null,
            "{part} needs a permission the owner lacks"
        );
    }

    let (_, pw) = app.create_operator("sales", None).await;
    let staff = app.first_login("sales", &pw).await;
    app.exec_sql("UPDATE users SET permissions = 1048576 WHERE username = 'sales'")
        .await; // 1 << 20: View Customers only
    let s = stats(&app, &staff).await;
    assert_eq!(
        s["clients"],
        json!({"total": 2, "active": 2, "inactive": 0})
    );
    assert_eq!(s["newClientsPerWeek"].as_array().unwrap().len(), 12);
    for part in ["users", "logins", "loginsPerDay", "recentActivity"] {
        assert_eq!(s[part], Value::Null, "{part}");
    }
    json_of(app.get("/api/stats", None).await, StatusCode::UNAUTHORIZED).await;
}

/// Figures eight seconds old are still answered at once, and counted again
/// behind the answer: the next answers have the new count, so under steady
/// use nobody waits for a count and none is older than ten seconds.
async fn figures_are_counted_again_before_they_expire(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let first = stats(&app, &t).await;
    let before = first["clients"]["total"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(8_300)).await;
    app.client(&t, "Later Co").await;
    let stale = stats(&app, &t).await;
    assert_eq!(stale["generatedAt"], first["generatedAt"]);
    assert_eq!(stale["clients"]["total"], before);
    let started = std::time::Instant::now();
    loop {
        let s = stats(&app, &t).await;
        if s["clients"]["total"] == before + 1 {
            assert_ne!(s["generatedAt"], first["generatedAt"]);
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_millis(1_500),
            "not counted again: {s}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
