//! Who may call what: every endpoint, called by every role, on its own company
//! and on a foreign one, with the exact status expected. One table, both stores.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

on_both_stores!(every_role_on_every_endpoint);

/// The callers, in the order of each row's expected statuses.
const ACTORS: [&str; 6] = [
    "super_admin",
    "admin (1 2 3 5 20 22 50)",
    "admin (no permissions)",
    "client_admin of A",
    "user of A (1)",
    "anonymous",
];

enum Body {
    None,
    Json(Value),
    Csv(String),
}

struct Row {
    method: &'static str,
    path: String,
    /// Builds the body; the counter keeps created names unique.
    body: Box<dyn Fn(usize) -> Body>,
    expect: [u16; 6],
}

fn row(method: &'static str, path: String, expect: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body: Box::new(|_| Body::None),
        expect,
    }
}

fn with(method: &'static str, path: String, body: Value, expect: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body: Box::new(move |_| Body::Json(body.clone())),
        expect,
    }
}

fn made(
    method: &'static str,
    path: String,
    body: impl Fn(usize) -> Body + 'static,
    expect: [u16; 6],
) -> Row {
    Row {
        method,
        path,
        body: Box::new(body),
        expect,
    }
}

async fn call(app: &TestApp, r: &Row, n: usize, token: Option<&str>) -> (u16, String) {
    let mut req = match r.method {
        "GET" => app.client.get(app.url(&r.path)),
        "POST" => app.client.post(app.url(&r.path)),
        "PUT" => app.client.put(app.url(&r.path)),
        "DELETE" => app.client.delete(app.url(&r.path)),
        m => panic!("method {m}"),
    };
    req = match (r.body)(n) {
        Body::None => req,
        Body::Json(v) => req.json(&v),
        Body::Csv(s) => req.header("content-type", "text/csv").body(s),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

async fn every_role_on_every_endpoint(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, owner_a, created_a) = app.client(&sa, "Alpha Traders").await;
    let (b_id, _owner_b, _) = app.client(&sa, "Beta Stores").await;
    // A second user in each company, to be the target.
    let (a2, _) = app
        .user_with_token(
            &sa,
            json!({"name": "A Two", "username": "a.two", "companyId": a}),
        )
        .await;
    let (b1, _) = app
        .user_with_token(
            &sa,
            json!({"name": "B One", "username": "b.one", "companyId": b_id}),
        )
        .await;
    let (_, admin) = app
        .user_with_token(
            &sa,
            json!({"name": "Staff", "username": "staff", "role": "admin",
                   "permissions": [1, 2, 3, 5, 20, 22, 50]}),
        )
        .await;
    let (_, bare) = app
        .user_with_token(
            &sa,
            json!({"name": "Bare", "username": "bare", "role": "admin"}),
        )
        .await;
    let owner_username = created_a["credentials"]["username"].as_str().unwrap();
    let owner_password = created_a["credentials"]["password"].as_str().unwrap();
    let owner = app.first_login(owner_username, owner_password).await;
    let (_, user) = app
        .user_with_token(
            &sa,
            json!({"name": "A User", "username": "a.user", "companyId": a, "permissions": [1]}),
        )
        .await;
    assert!(owner_a > 0);
    let tokens = [
        Some(sa.as_str()),
        Some(admin.as_str()),
        Some(bare.as_str()),
        Some(owner.as_str()),
        Some(user.as_str()),
        None,
    ];
    // One refresh token per actor: each refresh rotates the token it is given,
    // and using a token twice would end its session (reuse detection).
    let mut refresh_tokens = Vec::new();
    for _ in ACTORS {
        let session = app.login_ok("a.user", CHANGED_PASSWORD).await;
        refresh_tokens.push(session["refreshToken"].as_str().unwrap().to_owned());
    }
    let refresh_tokens = Mutex::new(refresh_tokens);
    let um = "/api/users-management";
    let new_user = move |company: i64| {
        move |n: usize| {
            Body::Json(
                json!({"name": "New", "username": format!("new.{company}.{n}"),
                              "password": INITIAL_PASSWORD, "companyId": company}),
            )
        }
    };
    let new_client_user =
        |n: usize| Body::Json(json!({"name": "Added", "email": format!("added{n}@example.com")}));
    let rows = vec![
        // users-management (seed 003)
        row("GET", um.into(), [200, 200, 403, 200, 200, 401]),
        made(
            "POST",
            um.into(),
            new_user(a),
            [201, 201, 403, 201, 403, 401],
        ),
        made(
            "POST",
            um.into(),
            new_user(b_id),
            [201, 201, 403, 404, 403, 401],
        ),
        row(
            "GET",
            format!("{um}/permissions"),
            [200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            format!("{um}/export"),
            [200, 200, 403, 200, 200, 401],
        ),
        made(
            "POST",
            format!("{um}/import?dryRun=true"),
            move |n| Body::Csv(format!("name,username,companyId\nImported,imp{n},{a}\n")),
            [200, 200, 403, 200, 403, 401],
        ),
        row("GET", format!("{um}/{a2}"), [200, 200, 403, 200, 200, 401]),
        row("GET", format!("{um}/{b1}"), [200, 200, 403, 404, 404, 401]),
        with(
            "PUT",
            format!("{um}/{a2}"),
            json!({"name": "A Two"}),
            [200, 200, 403, 200, 403, 401],
        ),
        with(
            "PUT",
            format!("{um}/{b1}"),
            json!({"name": "B One"}),
            [200, 200, 403, 404, 403, 401],
        ),
        row(
            "DELETE",
            format!("{um}/{a2}"),
            [403, 403, 403, 403, 403, 401],
        ),
        row(
            "DELETE",
            format!("{um}/{b1}"),
            [403, 403, 403, 403, 403, 401],
        ),
        row(
            "GET",
            format!("{um}/{a2}/permissions"),
            [200, 200, 403, 200, 200, 401],
        ),
        row(
            "GET",
            format!("{um}/{b1}/permissions"),
            [200, 200, 403, 404, 404, 401],
        ),
        with(
            "PUT",
            format!("{um}/{a2}/permissions"),
            json!({"permissions": [1]}),
            [200, 200, 403, 200, 403, 401],
        ),
        with(
            "PUT",
            format!("{um}/{b1}/permissions"),
            json!({"permissions": [1]}),
            [200, 200, 403, 404, 403, 401],
        ),
        with(
            "POST",
            format!("{um}/{a2}/permissions"),
            json!({"permissions": [2]}),
            [200, 200, 403, 200, 403, 401],
        ),
        with(
            "POST",
            format!("{um}/{b1}/permissions"),
            json!({"permissions": [2]}),
            [200, 200, 403, 404, 403, 401],
        ),
        row(
            "POST",
            format!("{um}/{a2}/reset-password"),
            [200, 200, 403, 200, 403, 401],
        ),
        row(
            "POST",
            format!("{um}/{b1}/reset-password"),
            [200, 200, 403, 404, 403, 401],
        ),
        // a client's users and modules (seed 000)
        row(
            "GET",
            format!("/api/clients/{a}/users"),
            [200, 200, 403, 200, 200, 401],
        ),
        row(
            "GET",
            format!("/api/clients/{b_id}/users"),
            [200, 200, 403, 404, 404, 401],
        ),
        made(
            "POST",
            format!("/api/clients/{a}/users"),
            new_client_user,
            [201, 201, 403, 201, 403, 401],
        ),
        made(
            "POST",
            format!("/api/clients/{b_id}/users"),
            new_client_user,
            [201, 201, 403, 404, 403, 401],
        ),
        row(
            "GET",
            format!("/api/clients/{a}/modules"),
            [200, 200, 403, 200, 200, 401],
        ),
        row(
            "GET",
            format!("/api/clients/{b_id}/modules"),
            [200, 200, 403, 404, 404, 401],
        ),
        with(
            "PUT",
            format!("/api/clients/{a}/modules"),
            json!({"modules": ["billing"]}),
            [200, 200, 403, 403, 403, 401],
        ),
        with(
            "PUT",
            format!("/api/clients/{b_id}/modules"),
            json!({"modules": ["crm"]}),
            [200, 200, 403, 403, 403, 401],
        ),
        row("GET", "/api/modules".into(), [200, 200, 200, 200, 200, 401]),
        made(
            "POST",
            "/api/modules".into(),
            |n| Body::Json(json!({"name": format!("extra{n}"), "label": "Extra"})),
            [201, 403, 403, 403, 403, 401],
        ),
        // the activity log: permission 50, which a client's owner holds
        row(
            "GET",
            "/api/activity".into(),
            [200, 200, 403, 200, 403, 401],
        ),
        row(
            "GET",
            "/api/activity/export".into(),
            [200, 200, 403, 200, 403, 401],
        ),
        // the dashboard's figures: everyone signed in, each part by its permission
        row("GET", "/api/stats".into(), [200, 200, 200, 200, 200, 401]),
        // clients (seed 001): operator staff only
        row("GET", "/api/clients".into(), [200, 200, 403, 403, 403, 401]),
        made(
            "POST",
            "/api/clients".into(),
            |n| {
                Body::Json(
                    json!({"companyName": format!("Gamma {n}"), "contactEmail": "g@example.com"}),
                )
            },
            [201, 403, 403, 403, 403, 401],
        ),
        row(
            "GET",
            "/api/clients/export".into(),
            [200, 200, 403, 403, 403, 401],
        ),
        // a client's own admins read its record and ledger; another is not found
        row(
            "GET",
            format!("/api/clients/{a}"),
            [200, 200, 403, 200, 403, 401],
        ),
        row(
            "GET",
            format!("/api/clients/{b_id}"),
            [200, 200, 403, 404, 403, 401],
        ),
        row(
            "GET",
            format!("/api/clients/{a}/credits"),
            [200, 200, 403, 200, 403, 401],
        ),
        with(
            "PUT",
            format!("/api/clients/{a}"),
            json!({"notes": "n"}),
            [200, 200, 403, 403, 403, 401],
        ),
        row(
            "GET",
            format!("/api/clients/{b_id}/credits"),
            [200, 200, 403, 404, 403, 401],
        ),
        with(
            "POST",
            format!("/api/clients/{b_id}/credits"),
            json!({"delta": 5, "reason": "r"}),
            [201, 201, 403, 403, 403, 401],
        ),
        row(
            "POST",
            format!("/api/clients/{b_id}/reset-password"),
            [200, 200, 403, 403, 403, 401],
        ),
        // comparing (and repairing) a client's own database: staff with 22
        row(
            "POST",
            format!("/api/clients/{b_id}/reconcile?repair=true"),
            [200, 200, 403, 403, 403, 401],
        ),
        // Deactivating needs 23 as well: the super admin deactivates, the admin
        // (22 only) may reactivate.
        row(
            "POST",
            format!("/api/clients/{b_id}/toggle-status"),
            [200, 200, 403, 403, 403, 401],
        ),
        // the caller's own account
        row("GET", "/api/auth/me".into(), [200, 200, 200, 200, 200, 401]),
        with(
            "PUT",
            "/api/auth/me".into(),
            json!({"name": "Renamed"}),
            [200, 200, 200, 200, 200, 401],
        ),
        // A new password too short to take: whoever is signed in reaches the
        // password rule, nobody else does.
        with(
            "POST",
            "/api/auth/change-password".into(),
            json!({"currentPassword": "not-the-password", "newPassword": "short"}),
            [400, 400, 400, 400, 400, 401],
        ),
        // Signing in and refreshing need no token, and ignore one that is sent.
        with(
            "POST",
            "/api/auth/login".into(),
            json!({"username": "a.user", "password": CHANGED_PASSWORD}),
            [200, 200, 200, 200, 200, 200],
        ),
        with(
            "POST",
            "/api/auth/client-login".into(),
            json!({"username": owner_username, "password": CHANGED_PASSWORD}),
            [200, 200, 200, 200, 200, 200],
        ),
        made(
            "POST",
            "/api/auth/refresh".into(),
            move |_| {
                let token = refresh_tokens
                    .lock()
                    .unwrap()
                    .pop()
                    .expect("a refresh token");
                Body::Json(json!({"refreshToken": token}))
            },
            [200, 200, 200, 200, 200, 200],
        ),
        // operations, for the probes and the scraper
        row("GET", "/healthz".into(), [200, 200, 200, 200, 200, 200]),
        row("GET", "/readyz".into(), [200, 200, 200, 200, 200, 200]),
        row("GET", "/metrics".into(), [200, 200, 200, 200, 200, 200]),
        row(
            "GET",
            "/api/openapi.json".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/auth/logout-others".into(),
            [204, 204, 204, 204, 204, 401],
        ),
        // Last: it ends the caller's session, so each token is used up here.
        row(
            "POST",
            "/api/auth/logout".into(),
            [204, 204, 204, 204, 204, 401],
        ),
    ];
    let counter = AtomicUsize::new(0);
    let mut failures = Vec::new();
    for r in &rows {
        for (i, token) in tokens.iter().enumerate() {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let (got, body) = call(&app, r, n, *token).await;
            if got != r.expect[i] {
                failures.push(format!(
                    "{} {} as {}: expected {}, got {got} {body}",
                    r.method, r.path, ACTORS[i], r.expect[i]
                ));
            } else if got >= 400 {
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                assert!(
                    v["error"].is_string(),
                    "{} {}: not a JSON error: {body}",
                    r.method,
                    r.path
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every documented operation is in the table.
    let doc: Value = json_of(app.get("/api/openapi.json", None).await, StatusCode::OK).await;
    let covered = |method: &str, template: &str| {
        rows.iter().any(|r| {
            let path = r.path.split('?').next().unwrap_or_default();
            r.method.eq_ignore_ascii_case(method)
                && path.split('/').count() == template.split('/').count()
                && path
                    .split('/')
                    .zip(template.split('/'))
                    .all(|(p, t)| p == t || t.starts_with('{'))
        })
    };
    let mut operations = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations += 1;
            assert!(
                covered(method, template),
                "{method} {template} is missing from the authorisation table"
            );
        }
    }
    assert!(
        operations >= 42,
        "the document lists only {operations} operations"
    );
    // The tokens really were ended by the last row.
    let (got, _) = call(
        &app,
        &row("GET", "/api/auth/me".into(), [401; 6]),
        0,
        Some(&sa),
    )
    .await;
    assert_eq!(got, 401, "logout left the super admin's token working");
}
