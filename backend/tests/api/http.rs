use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

on_both_stores!(
    every_failure_answers_json,
    security_headers_and_request_ids,
    api_subdomain_serves_api_paths,
    cors_allows_only_configured_origins,
    health_readiness_and_metrics,
    a_draining_instance_is_unready_and_closes_connections,
);

async fn every_failure_answers_json(b: Backend) {
    let app = spawn(b).await;
    // Unknown route.
    let err = json_of(
        app.get("/api/nothing-here", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(err["error"], "Not found: no such route");
    json_of(app.get("/nothing", None).await, StatusCode::NOT_FOUND).await;
    // Wrong method on a known route.
    let res = app
        .client
        .delete(app.url("/api/auth/login"))
        .send()
        .await
        .unwrap();
    let err = json_of(res, StatusCode::METHOD_NOT_ALLOWED).await;
    assert!(err["error"].is_string());
    // Malformed JSON.
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    let err = json_of(res, StatusCode::BAD_REQUEST).await;
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON body"),
        "{err}"
    );
    // Wrong types and missing fields.
    let err = json_of(
        app.post(
            "/api/auth/login",
            &json!({"username": 1, "password": "x"}),
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(err["error"].is_string());
    let err = json_of(
        app.post("/api/auth/login", &json!({"username": "admin"}), None)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err["details"]["password"], json!(["is required"]));
    let err = json_of(
        app.post(
            "/api/auth/login",
            &json!({"username": "", "password": "x"}),
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(err["details"]["username"].is_array(), "{err}");
    // Wrong content type.
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "text/plain")
        .body(r#"{"username":"admin","password":"x"}"#)
        .send()
        .await
        .unwrap();
    let err = json_of(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(err["error"].as_str().unwrap().contains("application/json"));
    // Too large a body.
    let big = json!({"username": "admin", "password": "x".repeat(70 * 1024)});
    let err = json_of(
        app.post("/api/auth/login", &big, None).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("65536"));
}

async fn security_headers_and_request_ids(b: Backend) {
    let app = spawn(b).await;
    for path in ["/healthz", "/api/auth/me", "/api/nothing"] {
        let res = app.get(path, None).await;
        let h = res.headers();
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        let id = h.get("x-request-id").expect("request id").to_str().unwrap();
        assert_eq!(id.len(), 36, "{path}: {id}");
    }
    let res = app.get("/api/auth/me", None).await;
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
    // Request ids differ per request.
    let a = app.get("/healthz", None).await.headers()["x-request-id"].clone();
    let b2 = app.get("/healthz", None).await.headers()["x-request-id"].clone();
    assert_ne!(a, b2);
}

async fn api_subdomain_serves_api_paths(b: Backend) {
    let app = spawn(b).await;
    let body = json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD});
    let via_host = app
        .client
        .post(app.url("/auth/login"))
        .header("host", format!("api.example.com:{}", app.port))
        .json(&body)
        .send()
        .await
        .unwrap();
    let token = json_of(via_host, StatusCode::OK).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    // With a query string and a bearer token, on the api. host.
    let res = app
        .client
        .get(app.url("/auth/me?x=1"))
        .header("host", "api.localhost")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(res, StatusCode::OK).await["user"]["username"],
        "admin"
    );
    // /api/... on the api. host is served as it is.
    let res = app
        .client
        .get(app.url("/api/auth/me"))
        .header("host", "api.localhost")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Without the api. host, /auth/login is not a route; /api/auth/login is.
    json_of(
        app.post("/auth/login", &body, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    json_of(
        app.post("/api/auth/login", &body, None).await,
        StatusCode::OK,
    )
    .await;
    // A host that merely contains "api." is not the convention.
    let res = app
        .client
        .post(app.url("/auth/login"))
        .header("host", "notapi.example.com")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn cors_allows_only_configured_origins(b: Backend) {
    let app = spawn_with(b, |s| {
        s.cors_origins = vec!["https://admin.example.com".into()]
    })
    .await;
    let preflight = |origin: &'static str, host: Option<&'static str>| {
        let mut req = app
            .client
            .request(reqwest::Method::OPTIONS, app.url("/api/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type");
        if let Some(h) = host {
            req = req.header("host", h);
        }
        req.send()
    };
    let ok = preflight("https://admin.example.com", None).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://admin.example.com"
    );
    let foreign = preflight("https://evil.example.net", None).await.unwrap();
    assert!(foreign
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(foreign.status().is_client_error());
    // A page on host X calling api.X (the SPA's default) is allowed.
    let pair = preflight("http://localhost:8080", Some("api.localhost:8080"))
        .await
        .unwrap();
    assert_eq!(
        pair.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    // An actual request from a foreign origin gets no CORS grant.
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    // TRACE is not served.
    let res = app
        .client
        .request(reqwest::Method::TRACE, app.url("/api/auth/me"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
}

async fn health_readiness_and_metrics(b: Backend) {
    let app = spawn(b).await;
    assert_eq!(
        json_of(app.healthz().await, StatusCode::OK).await,
        json!({"status": "ok"})
    );
    assert_eq!(
        json_of(app.readyz().await, StatusCode::OK).await,
        json!({"status": "ready"})
    );
    app.admin_token().await;
    let _ = app.login_response(ADMIN_USERNAME, "wrong-password").await;
    let res = app.metrics().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains("clientele_logins_total{outcome=\"success\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("clientele_logins_total{outcome=\"failure\"} 1"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"clientele_http_requests_total{method="POST",route="/api/auth/login",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"clientele_http_request_duration_seconds_count{route="/api/auth/login"} 2"#
        ),
        "{text}"
    );
    if b == Backend::Postgres {
        // The database goes away: readiness says so, requests answer 503 or 401, never 500.
        let name = app.database_url.rsplit('/').next().unwrap().to_owned();
        let mut c = sqlx::PgConnection::connect(&postgres_admin_url())
            .await
            .unwrap();
        sqlx::query(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
            .execute(&mut c)
            .await
            .unwrap();
        let err = json_of(app.readyz().await, StatusCode::SERVICE_UNAVAILABLE).await;
        assert!(err["error"].is_string());
        let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        assert_ne!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}

/// After SIGTERM (the flag the signal sets): readiness answers 503 and every
/// response closes its connection, so a proxy stops sending to the instance.
async fn a_draining_instance_is_unready_and_closes_connections(b: Backend) {
    let app = spawn(b).await;
    let token = app.admin_token().await;
    let me = app.get_me(&token).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_ne!(
        me.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..])
    );
    app.state
        .draining
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let ready = app.readyz().await;
    assert_eq!(ready.headers()["connection"], "close");
    let err = json_of(ready, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(err["error"], "The instance is shutting down");
    let me = app.get_me(&token).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.headers()["connection"], "close");
}

/// PostgreSQL connections are checked before use only once they have been idle
/// (sqlx's ping on every use was a round trip per query): one the server closed
/// while it sat idle is replaced, not handed to a request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_closed_while_idle_is_replaced() {
    if !postgres_available("http::a_connection_closed_while_idle_is_replaced") {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let token = app.admin_token().await;
    let me = app.get_me(&token).await;
    assert_eq!(me.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let mut c = sqlx::PgConnection::connect(&postgres_admin_url())
        .await
        .unwrap();
    let closed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&name)
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert!(!closed.is_empty(), "the service held no connection");
    for _ in 0..3 {
        let me = app.get_me(&token).await;
        assert_eq!(me.status(), StatusCode::OK);
    }
}
