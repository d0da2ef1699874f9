//! Attacks after the OWASP API Security Top 10 (2023), against the running
//! service over HTTP, on both stores. Categories covered elsewhere:
//! - API2 broken authentication: `auth::forged_and_expired_tokens_are_refused`
//!   (alg none, expired, foreign key, tampered, wrong aud/iss) and
//!   `auth::refresh_rotates_and_reuse_ends_the_session` (refresh reuse);
//! - API5 function-level authorisation: `users_authz::every_role_on_every_endpoint`;
//! - API6 sensitive flows: `throttle::*` (login, client-login, change-password,
//!   admin password resets);
//! - API9 inventory: `openapi::*` (every route documented, none undocumented);
//! - API10 unsafe consumption: `redis::*` (Redis answering garbage, silent or
//!   gone; garbage in its keys).
//!
//! The tests here walk the served OpenAPI document, so a new endpoint is attacked
//! (or the test names it as missing) without anyone remembering to add it.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_stores!(
    api1_bola_every_id_endpoint_across_two_clients,
    api3_mass_assignment_on_every_writable_endpoint,
    api3_csv_import_assigns_nothing_above_the_caller,
    api4_resource_consumption_is_bounded,
    api7_url_fields_are_never_fetched,
    api8_misconfiguration,
);

/// A valid body for each JSON-taking operation, so that a refusal cannot come
/// from validation instead of from the rule under test.
fn valid_body(method: &str, template: &str, n: usize) -> Option<Value> {
    Some(match (method, template) {
        ("post", "/api/auth/login") | ("post", "/api/auth/client-login") => {
            json!({"username": "admin", "password": ADMIN_PASSWORD})
        }
        ("post", "/api/auth/refresh") => json!({"refreshToken": "x".repeat(43)}),
        ("put", "/api/auth/me") => json!({"name": "Me"}),
        ("post", "/api/auth/change-password") => {
            json!({"currentPassword": ADMIN_PASSWORD, "newPassword": ADMIN_PASSWORD})
        }
        ("post", "/api/clients") => {
            json!({"companyName": format!("Mass {n}"), "contactEmail": "m@example.com"})
        }
        ("put", "/api/clients/{id}") => json!({"notes": "pwned"}),
        ("post", "/api/clients/{id}/credits") => json!({"delta": 5, "reason": "pwned"}),
        ("put", "/api/clients/{id}/modules") => json!({"modules": ["crm"]}),
        ("post", "/api/clients/{id}/users") => {
            json!({"name": "X", "email": format!("x{n}@evil.example")})
        }
        ("post", "/api/users-management") => {
            json!({"name": "X", "username": format!("mass{n}"), "password": INITIAL_PASSWORD, "role": "admin"})
        }
        ("put", "/api/users-management/{id}") => json!({"name": "pwned"}),
        ("put", "/api/users-management/{id}/permissions")
        | ("post", "/api/users-management/{id}/permissions") => json!({"permissions": [1]}),
        ("post", "/api/modules") => json!({"name": format!("mass{n}"), "label": "Mass"}),
        _ => return None,
    })
}

/// Every documented operation: (method, path template, takes a JSON body).
async fn operations(app: &TestApp) -> Vec<(String, String, bool)> {
    let doc: Value = json_of(app.get("/api/openapi.json", None).await, StatusCode::OK).await;
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let json_body = op["requestBody"]["content"]
                .get("application/json")
                .is_some();
            ops.push((method.clone(), template.clone(), json_body));
        }
    }
    ops
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: &str,
) -> (StatusCode, String) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn api1_bola_every_id_endpoint_across_two_clients(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, created_a) = app.client(&sa, "Victim Neighbour").await;
    let (victim, victim_owner, created_b) = app.client(&sa, "Victim Co").await;
    let victim_username = created_b["credentials"]["username"]
        .as_str()
        .unwrap()
        .to_owned();
    // The attacker: client A's owner, holding every permission a client may hold.
    let owner_a = created_a["client"]["ownerId"].as_i64().unwrap();
    json_of(
        app.put(
            &format!("/api/users-management/{owner_a}/permissions"),
            &json!({"permissions": [1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 20, 21, 22, 23, 30, 31, 40, 41, 50]}),
            Some(&sa),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let attacker = app
        .first_login(
            created_a["credentials"]["username"].as_str().unwrap(),
            created_a["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let before = snapshot(&app, &sa, victim).await;
    let mut attacked = 0;
    for (n, (method, template, _)) in operations(&app).await.into_iter().enumerate() {
        if !template.contains("{id}") {
            continue;
        }
        let id = if template.starts_with("/api/clients") {
            victim
        } else {
            victim_owner
        };
        let path = template.replace("{id}", &id.to_string());
        let body = valid_body(&method, &template, n);
        let (status, text) = send(&app, &method, &path, body.as_ref(), &attacker).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{method} {path} as another client's admin: {status} {text}"
        );
        assert!(
            !text.contains("Victim Co") && !text.contains(&victim_username),
            "{method} {path} leaked: {text}"
        );
        attacked += 1;
    }
    assert!(attacked >= 14, "only {attacked} id-taking operations found");
    // Ids in the query: every read taking one, pointed at the victim (with the
    // attacker's own ids in the path). Refused, or answered without the victim.
    let doc: Value = json_of(app.get("/api/openapi.json", None).await, StatusCode::OK).await;
    let (mut probed, mut seen_by_staff) = (0, 0);
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        let path = template.replace(
            "{id}",
            &if template.starts_with("/api/clients") {
                a
            } else {
                owner_a
            }
            .to_string(),
        );
        for name in params
            .iter()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .filter(|n| n.ends_with("Id"))
        {
            let id = if name == "companyId" {
                victim
            } else {
                victim_owner
            };
            let url = format!("{path}?{name}={id}&limit=100");
            let (status, text) = send(&app, "GET", &url, None, &attacker).await;
            assert!(
                [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                "GET {url} as another client's admin: {status} {text}"
            );
            assert!(
                !text.contains("Victim Co") && !text.contains(&victim_username),
                "GET {url} leaked: {text}"
            );
            let (_, staff_text) = send(&app, "GET", &url, None, &sa).await;
            if staff_text.contains("Victim Co") || staff_text.contains(&victim_username) {
                seen_by_staff += 1;
            }
            probed += 1;
        }
    }
    // The lists, the exports and the activity log, by company and by actor; at
    // least the users list and export and the activity log and its export show
    // the victim to the super admin, so the probe would see a leak.
    assert!(probed >= 9, "only {probed} query ids probed");
    assert!(
        seen_by_staff >= 4,
        "the victim is visible through only {seen_by_staff}"
    );
    // The same ids are reachable for the victim's own side and for staff: the
    // refusals above were about scope, not about the requests.
    json_of(
        app.get(&format!("/api/users-management/{victim_owner}"), Some(&sa))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        snapshot(&app, &sa, victim).await,
        before,
        "the victim's data changed"
    );
    assert!(a != victim);
}

async fn snapshot(app: &TestApp, sa: &str, victim: i64) -> (Value, Value, Value, Value) {
    let get =
        |path: String| async move { json_of(app.get(&path, Some(sa)).await, StatusCode::OK).await };
    let mut client = get(format!("/api/clients/{victim}")).await;
    // The sync state of the client's own database moves on by itself.
    client.as_object_mut().unwrap().remove("sync");
    (
        client,
        get(format!("/api/clients/{victim}/users?limit=100")).await,
        get(format!("/api/clients/{victim}/modules")).await,
        get(format!("/api/clients/{victim}/credits")).await,
    )
}

async fn api3_mass_assignment_on_every_writable_endpoint(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (client, owner, created) = app.client(&sa, "Mass Co").await;
    let mut answers = created.to_string();
    let mut checked = 0;
    for (n, (method, template, json_body)) in operations(&app).await.into_iter().enumerate() {
        if !json_body {
            continue;
        }
        let mut body = valid_body(&method, &template, n).unwrap_or_else(|| {
            panic!("no valid body for {method} {template}: add one to valid_body")
        });
        let id = if template.starts_with("/api/clients") {
            client
        } else {
            owner
        };
        let path = template.replace("{id}", &id.to_string());
        for (field, value) in [
            (
                "passwordHash",
                json!("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"),
            ),
            ("isAdmin", json!(true)),
            ("id", json!(1)),
            ("createdAt", json!("2000-01-01T00:00:00Z")),
            ("credits", json!(1_000_000)),
            ("accountNumber", json!("ACC999")),
            ("mustChangePassword", json!(false)),
        ] {
            body[field] = value;
            let (status, text) = send(&app, &method, &path, Some(&body), &sa).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{method} {path} took {field}: {text}"
            );
            body.as_object_mut().unwrap().remove(field);
            answers.push_str(&text);
        }
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} writable operations");
    // Nothing was assigned, and no answer anywhere carries a hash.
    let c = json_of(
        app.get(&format!("/api/clients/{client}"), Some(&sa)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["client"]["credits"], 0);
    for path in [
        "/api/users-management?limit=100",
        "/api/users-management/export",
        "/api/activity?limit=100",
        "/api/activity/export",
        "/api/clients/export",
        "/api/auth/me",
    ] {
        answers.push_str(&app.get(path, Some(&sa)).await.text().await.unwrap());
    }
    answers.push_str(&app.login_ok("admin", ADMIN_PASSWORD).await.to_string());
    // The answers of the writes that succeed, and of the reads of one record.
    let (user, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Hash Probe", "username": "hash.probe", "companyId": client}),
        )
        .await;
    let session = app.login_ok("hash.probe", CHANGED_PASSWORD).await;
    answers.push_str(&session.to_string());
    let refresh = json!({"refreshToken": session["refreshToken"]});
    let writes = [
        (
            "POST",
            "/api/users-management".to_owned(),
            Some(json!({"name": "Made", "username": "hash.made",
            "password": INITIAL_PASSWORD, "companyId": client})),
        ),
        (
            "PUT",
            format!("/api/users-management/{user}"),
            Some(json!({"name": "Hash Probe Two"})),
        ),
        (
            "PUT",
            format!("/api/users-management/{user}/permissions"),
            Some(json!({"permissions": [1]})),
        ),
        (
            "POST",
            format!("/api/users-management/{user}/permissions"),
            Some(json!({"permissions": [2]})),
        ),
        ("GET", format!("/api/users-management/{user}"), None),
        (
            "GET",
            format!("/api/users-management/{user}/permissions"),
            None,
        ),
        ("GET", format!("/api/clients/{client}/users"), None),
        (
            "POST",
            format!("/api/clients/{client}/users"),
            Some(json!({"name": "Added",
            "email": "added@mass.example"})),
        ),
        ("GET", format!("/api/clients/{client}"), None),
        (
            "PUT",
            format!("/api/clients/{client}"),
            Some(json!({"notes": "n"})),
        ),
        (
            "PUT",
            "/api/auth/me".to_owned(),
            Some(json!({"name": "Administrator"})),
        ),
        ("POST", "/api/auth/refresh".to_owned(), Some(refresh)),
        ("GET", "/api/clients?limit=100".to_owned(), None),
        ("GET", format!("/api/clients/{client}/credits"), None),
        (
            "POST",
            format!("/api/clients/{client}/credits"),
            Some(json!({"delta": 5, "reason": "r"})),
        ),
        ("GET", format!("/api/clients/{client}/modules"), None),
        (
            "PUT",
            format!("/api/clients/{client}/modules"),
            Some(json!({"modules": ["billing"]})),
        ),
        ("GET", "/api/modules".to_owned(), None),
        ("GET", "/api/users-management/permissions".to_owned(), None),
    ];
    for (method, path, body) in &writes {
        let (status, text) = send(&app, method, path, body.as_ref(), &sa).await;
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        answers.push_str(&text);
    }
    // New one-time credentials for the owner, and the owner's client login with them.
    let (status, text) = send(
        &app,
        "POST",
        &format!("/api/clients/{client}/reset-password"),
        None,
        &sa,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    answers.push_str(&text);
    let reset: Value = serde_json::from_str(&text).unwrap();
    let res = app
        .post(
            "/api/auth/client-login",
            &json!({"username": reset["credentials"]["username"],
                    "password": reset["credentials"]["password"]}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    answers.push_str(&res.text().await.unwrap());
    let imported = app
        .post_csv(
            "/api/users-management/import",
            &format!("name,username,companyId\nImported,hash.imported,{client}\n"),
            Some(&sa),
        )
        .await;
    assert_eq!(imported.status(), StatusCode::CREATED);
    answers.push_str(&imported.text().await.unwrap());
    // Last, as they end things: the probe's own password change and sign-out, and
    // the client's deactivation.
    let token = session["accessToken"].as_str().unwrap();
    let (status, text) = send(
        &app,
        "POST",
        "/api/auth/change-password",
        Some(&json!({"currentPassword": CHANGED_PASSWORD, "newPassword": "Third-Passw0rd!x"})),
        token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    answers.push_str(&text);
    let (status, text) = send(&app, "POST", "/api/auth/logout", None, token).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    answers.push_str(&text);
    let path = format!("/api/clients/{client}/toggle-status");
    let (status, text) = send(&app, "POST", &path, None, &sa).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    answers.push_str(&text);
    for leak in ["$argon2", "password_hash\":", "passwordHash\":\""] {
        if let Some(at) = answers.find(leak) {
            panic!(
                "an answer carries {leak}: …{}…",
                &answers[at.saturating_sub(200)..(at + 100).min(answers.len())]
            );
        }
    }
}

async fn api4_resource_consumption_is_bounded(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    // Every list refuses a huge page.
    let doc: Value = json_of(app.get("/api/openapi.json", None).await, StatusCode::OK).await;
    let mut lists = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let pages = get["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "limit"));
        if !pages {
            continue;
        }
        let path = template.replace("{id}", "1");
        for q in [
            "limit=1000000",
            "limit=-1",
            "offset=-5",
            "limit=99999999999999999999",
        ] {
            let res = app.get(&format!("{path}?{q}"), Some(&sa)).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}?{q}");
        }
        // The largest offset is an empty page, not an overflow.
        let res = app
            .get(
                &format!("{path}?limit=1&offset=9223372036854775807&search=abc"),
                Some(&sa),
            )
            .await;
        assert!(
            res.status() == StatusCode::OK || res.status() == StatusCode::NOT_FOUND,
            "{path}: {}",
            res.status()
        );
        lists += 1;
    }
    assert!(lists >= 6, "only {lists} paged lists");
    // A huge body is refused before it is read whole.
    let huge = json!({"name": "x".repeat(4 * 1024 * 1024)});
    let res = app.put("/api/auth/me", &huge, Some(&sa)).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let csv = format!("name,username\n{}", "a,b\n".repeat(600_000));
    let res = app
        .post_csv("/api/users-management/import?dryRun=true", &csv, Some(&sa))
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A megabyte password is refused before anything is read or hashed (413), and
    // the longest one a body may carry is refused before hashing (400, and at
    // login the 401 of any wrong password): at login, at creation, at change.
    // The argon2 computations the server counts prove "before hashing".
    let started = std::time::Instant::now();
    let hashings_before = hashings(&app).await;
    for size in [1024 * 1024, 30 * 1024] {
        let long = "p".repeat(size);
        let expected = if size > 64 * 1024 {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        let at_login = if size > 64 * 1024 {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNAUTHORIZED
        };
        for user in ["someone.else", ADMIN_USERNAME] {
            let res = app.login_response(user, &long).await;
            assert_eq!(res.status(), at_login, "login of {user} with {size}");
        }
        let res = app
            .post(
                "/api/users-management",
                &json!({"name": "M", "username": "mega", "password": long, "role": "admin"}),
                Some(&sa),
            )
            .await;
        assert_eq!(res.status(), expected, "create {size}");
        // At change: a long current password with a good new one, then the right
        // current password with a long new one.
        for (current, new) in [
            (long.as_str(), "An0ther-Passw0rd!x"),
            (ADMIN_PASSWORD, long.as_str()),
        ] {
            let res = app
                .post(
                    "/api/auth/change-password",
                    &json!({"currentPassword": current, "newPassword": new}),
                    Some(&sa),
                )
                .await;
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert_eq!(status, expected, "change {size}: {body}");
            if status == StatusCode::BAD_REQUEST {
                let field = if current == ADMIN_PASSWORD {
                    "newPassword"
                } else {
                    "currentPassword"
                };
                assert!(body["details"][field].is_array(), "change {size}: {body}");
            }
        }
    }
    assert_eq!(
        hashings(&app).await,
        hashings_before,
        "an over-long password was hashed"
    );
    // A wrong password of an ordinary length is verified, and counted.
    let res = app.login_response(ADMIN_USERNAME, "wrong-but-short").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(hashings(&app).await, hashings_before + 1);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // Deeply nested JSON is refused, not recursed into.
    let deep = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let res = app
        .client
        .post(app.url("/api/users-management"))
        .bearer_auth(&sa)
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A search term is bounded too.
    let res = app
        .get(
            &format!("/api/users-management?search={}", "a".repeat(201)),
            Some(&sa),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

async fn api7_url_fields_are_never_fetched(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let trap = format!("http://127.0.0.1:{port}/latest/meta-data");
    let res = json_of(
        app.post(
            "/api/clients",
            &json!({"companyName": "Ssrf", "contactEmail": "s@example.com", "website": trap}),
            Some(&sa),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = res["client"]["id"].as_i64().unwrap();
    json_of(
        app.put(
            &format!("/api/clients/{id}"),
            &json!({"website": format!("{trap}/again")}),
            Some(&sa),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        app.get(&format!("/api/clients/{id}"), Some(&sa)).await,
        StatusCode::OK,
    )
    .await;
    app.get("/api/clients/export", Some(&sa))
        .await
        .text()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        listener.accept().is_err(),
        "the service connected to a URL field"
    );
    // Only web addresses are taken at all.
    for bad in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://127.0.0.1:25/",
        "ftp://x.example/",
    ] {
        let res = app
            .put(
                &format!("/api/clients/{id}"),
                &json!({"website": bad}),
                Some(&sa),
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

async fn api8_misconfiguration(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    // TRACE and other unexpected methods: 405 JSON, nothing echoed.
    for method in ["TRACE", "PATCH"] {
        let res = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url("/api/users-management"),
            )
            .header("x-secret-probe", "echo-me")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        let text = res.text().await.unwrap();
        assert!(!text.contains("echo-me"));
        assert!(serde_json::from_str::<Value>(&text).unwrap()["error"].is_string());
    }
    // A foreign origin gets no CORS grant.
    let res = app
        .client
        .request(Method::OPTIONS, app.url("/api/users-management"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let res = app
        .client
        .get(app.url("/api/auth/me"))
        .bearer_auth(&sa)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    // Security headers on answers, and no stack traces or internals in errors.
    for (path, body) in [
        ("/api/users-management", "{\"name\": "),
        ("/api/users-management/import", "not json at all"),
        ("/api/clients", "{\"companyName\": 5}"),
        ("/api/modules", "[]"),
    ] {
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(&sa)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{path}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(res.headers().get("x-frame-options").is_some());
        let text = res.text().await.unwrap();
        for internal in [
            "panicked",
            "src/",
            ".rs:",
            "sqlx",
            "SQLITE",
            "postgres",
            "backtrace",
        ] {
            assert!(!text.contains(internal), "{path}: {internal} in {text}");
        }
    }
    // NUL characters (which PostgreSQL cannot store) are refused wherever text goes.
    for path in [
        "/api/clients?search=a%00b",
        "/api/activity?targetId=%00",
        "/api/users-management/1%00",
    ] {
        let res = app.get(path, Some(&sa)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    let res = app
        .post("/api/users-management", &json!({"name": "a\u{0}b", "username": "nul", "password": INITIAL_PASSWORD, "role": "admin"}), Some(&sa))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_csv(
            "/api/users-management/import",
            "name,username\na\u{0}b,nul\n",
            Some(&sa),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.get("/api/users-management/abc", Some(&sa)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // An undeclared method on a fixed path is 405 with its real methods.
    let res = app
        .client
        .put(app.url("/api/users-management/export"))
        .bearer_auth(&sa)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers()["allow"], "GET");
    let res = app
        .get("/api/users-management/99999999999999999999999", Some(&sa))
        .await;
    assert!(res.status().is_client_error());
    assert!(!res.text().await.unwrap().contains("ParseIntError"));
}

/// API3 through the CSV import, the one writable operation that takes no JSON:
/// a column no caller may set is refused, and a role or a permission above the
/// caller's own refuses the whole file. Nothing is created either way.
async fn api3_csv_import_assigns_nothing_above_the_caller(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (client, _, created) = app.client(&sa, "Import Co").await;
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    // Operator staff holding every user permission, but not 60 or 50.
    let (_, staff) = app
        .user_with_token(
            &sa,
            json!({"name": "Staff", "username": "import.staff", "role": "admin",
                   "permissions": [1, 2, 3, 5]}),
        )
        .await;
    let before = count_users(&app, &sa).await;
    let import = |token: &str, csv: String| {
        let app = &app;
        let token = token.to_owned();
        async move {
            let res = app
                .post_csv("/api/users-management/import", &csv, Some(&token))
                .await;
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Columns for fields no caller may set: the file is refused as a whole.
    for (i, column) in [
        "passwordHash",
        "password_hash",
        "id",
        "createdAt",
        "createdBy",
        "mustChangePassword",
        "isActive",
        "lastLogin",
    ]
    .into_iter()
    .enumerate()
    {
        let csv = format!("name,username,companyId,{column}\nN,col.{i},{client},1\n");
        let (status, err) = import(&sa, csv).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{column}: {err}");
        assert!(
            err["details"]["csv"].to_string().contains(column),
            "{column}: the refusal does not name the column: {err}"
        );
    }
    // Roles and permissions above the caller's own, row by row.
    let cases = [
        (&owner, "role", "admin", "permissions"),
        (&owner, "role", "super_admin", "permissions"),
        (&owner, "permissions", "60", "role"),
        (&owner, "permissions", "30", "role"),
        (&owner, "permissions", "20", "role"),
        (&staff, "role", "super_admin", "permissions"),
        (&staff, "permissions", "60", "role"),
        (&staff, "permissions", "50", "role"),
    ];
    for (i, (token, column, value, other)) in cases.iter().enumerate() {
        // A valid row first: one bad row must keep it out too.
        let csv = format!(
            "name,username,companyId,{column},{other}\n\
             Fine,fine.{i},{client},,\n\
             Climber,climber.{i},{client},{value},\n"
        );
        let (status, err) = import(token, csv).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{column}={value} was taken: {err}"
        );
        let rows = &err["report"]["rows"];
        assert_eq!(rows[0]["status"], "valid", "{column}={value}: {err}");
        assert_eq!(rows[1]["status"], "invalid", "{column}={value}: {err}");
        let why = rows[1]["errors"]["row"].to_string();
        let expected = if *column == "role" {
            "Only a super admin may create or appoint".to_owned()
        } else {
            format!("permissions you do not hold: {value}")
        };
        assert!(
            why.contains(&expected),
            "{column}={value}: refused for {why}"
        );
    }
    assert_eq!(
        count_users(&app, &sa).await,
        before,
        "an import created users"
    );
    // A file with the same columns and nothing above the caller is taken, so the
    // refusals above came from the role and the permissions, not from the file.
    let (status, report) = import(
        &owner,
        format!("name,username,companyId,role,permissions\nFine,fine.ok,{client},user,1 2\n"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(count_users(&app, &sa).await, before + 1);
}

/// `clientele_password_hashings_total` from `/metrics`.
async fn hashings(app: &TestApp) -> u64 {
    let text = app.get("/metrics", None).await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("clientele_password_hashings_total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no hashings counter in /metrics:\n{text}"))
}
