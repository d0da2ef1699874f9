use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn committed_document_matches_the_code() {
    let generated = clientele::routes::openapi().to_pretty_json().unwrap();
    let committed = std::fs::read_to_string(repo_root().join("openapi/openapi.json"))
        .expect("openapi/openapi.json is committed");
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `cargo run -q -p clientele -- openapi > openapi/openapi.json` \
         and regenerate the frontend client"
    );
}

/// Every new password an admin or a user sets is checked by the same policy,
/// and the document states its bounds as `minLength`/`maxLength`, so that a
/// generated client can check them before sending. Every `format: password`
/// property is a new password, except the secrets a caller already holds.
#[test]
fn new_passwords_document_the_policy_bounds() {
    let doc: Value =
        serde_json::from_str(&clientele::routes::openapi().to_pretty_json().unwrap()).unwrap();
    let existing = [
        ("LoginRequest", "password"),
        ("ChangePasswordRequest", "currentPassword"),
        ("RefreshRequest", "refreshToken"),
    ];
    let mut checked = Vec::new();
    for (schema, body) in doc["components"]["schemas"].as_object().unwrap() {
        let Some(props) = body["properties"].as_object() else {
            continue;
        };
        for (field, prop) in props {
            if prop["format"] != "password" || existing.contains(&(schema.as_str(), field.as_str()))
            {
                continue;
            }
            let bounds = (prop["minLength"].as_u64(), prop["maxLength"].as_u64());
            let policy = (
                Some(clientele::domain::PASSWORD_MIN_LEN as u64),
                Some(clientele::domain::PASSWORD_MAX_LEN as u64),
            );
            assert_eq!(bounds, policy, "{schema}.{field}");
            checked.push(format!("{schema}.{field}"));
        }
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "ChangePasswordRequest.newPassword",
            "CreateUserRequest.password",
            "UpdateUserRequest.password"
        ]
    );
}

/// Every handler with a route attribute carries a `#[utoipa::path]`, and every
/// documented path is registered (the registration builds both).
#[test]
fn every_routed_handler_is_documented() {
    // Every source file of the crate, not only routes/: a handler routed from
    // anywhere else would be served outside the document.
    let mut files = Vec::new();
    let mut dirs = vec![repo_root().join("backend/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut routed = 0;
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = src.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let l = line.trim_start();
            let is_route = ["#[get(", "#[post(", "#[put(", "#[delete(", "#[patch("]
                .iter()
                .any(|m| l.starts_with(m));
            if !is_route {
                continue;
            }
            routed += 1;
            // Walk up through the attribute block to its start.
            let documented = lines[..i]
                .iter()
                .rev()
                .take_while(|l| {
                    !l.trim().is_empty()
                        && !l.trim_start().starts_with("///")
                        && !l.trim_start().starts_with("pub async fn")
                })
                .any(|l| l.trim_start().starts_with("#[utoipa::path("));
            assert!(
                documented,
                "{}:{} is routed but has no #[utoipa::path]",
                path.display(),
                i + 1
            );
        }
    }
    let doc = clientele::routes::openapi();
    let operations: usize = doc
        .paths
        .paths
        .values()
        .map(|item| {
            let v = serde_json::to_value(item).unwrap();
            ["get", "post", "put", "delete", "patch"]
                .iter()
                .filter(|m| v.get(**m).is_some())
                .count()
        })
        .sum();
    assert_eq!(
        routed, operations,
        "routed handlers and documented operations differ"
    );
}

/// The only routes registered outside `routes::configure` (and so outside the
/// document) are the Swagger UI, which shows the document, and the SPA's files:
/// a new route in `startup.rs` fails here until it is documented or named.
#[test]
fn startup_registers_no_undocumented_route() {
    let src: String = std::fs::read_to_string(repo_root().join("backend/src/startup.rs"))
        .unwrap()
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut registered = Vec::new();
    for opener in [
        "web::resource(",
        "web::scope(",
        "Resource::new(",
        "Scope::new(",
        ".route(",
        "web::route(",
        ".configure(",
        ".service(",
        "SwaggerUi::new(",
        "Files::new(",
        "web::get()",
        "web::post()",
        "web::put()",
        "web::patch()",
        "web::delete()",
    ] {
        for (at, _) in src.match_indices(opener) {
            let rest = &src[at + opener.len()..];
            let arg: String = rest
                .chars()
                .take_while(|c| *c != ')' && *c != ',')
                .collect();
            registered.push(format!("{opener}{}", arg.trim()));
        }
    }
    registered.sort();
    assert_eq!(
        registered,
        [
            ".configure(routes::configure",
            ".service(SwaggerUi::new(\"/api/docs/{_:.*}\"",
            ".service(actix_files::Files::new(\"/\"",
            "Files::new(\"/\"",
            "SwaggerUi::new(\"/api/docs/{_:.*}\"",
        ],
        "backend/src/startup.rs registers a route the document does not list"
    );
}

on_both_stores!(
    served_document_is_complete,
    documented_operations_all_exist,
    nothing_answers_outside_the_document
);

/// Paths an attacker tries first: none answers but with the JSON 404 of a
/// route that does not exist (this app serves no SPA, whose page would answer
/// a `GET` outside `/api`).
async fn nothing_answers_outside_the_document(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    for path in [
        "/api",
        "/api/",
        "/api/admin",
        "/api/debug",
        "/api/internal",
        "/api/users",
        "/api/v1/users",
        "/api/v2/users-management",
        "/api/openapi.yaml",
        "/api/swagger.json",
        "/api/config",
        "/api/env",
        "/api/sessions",
        "/api/tokens",
        "/api/auth/sessions",
        "/api/auth/token",
        "/api/users-management/1/sessions",
        "/api/users-management/1/password",
        "/api/clients/1/database",
        "/api/activity/1",
        "/api/modules/billing",
        "/.env",
        "/.git/config",
        "/actuator/health",
        "/server-status",
    ] {
        for token in [None, Some(sa.as_str())] {
            let res = app.get(path, token).await;
            let status = res.status();
            let text = res.text().await.unwrap();
            assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}: {status} {text}");
            assert_eq!(
                serde_json::from_str::<Value>(&text).ok(),
                Some(serde_json::json!({"error": "Not found: no such route"})),
                "GET {path}"
            );
        }
    }
}

async fn served_document_is_complete(b: Backend) {
    let app = spawn(b).await;
    let doc: Value = json_of(app.get_openapi().await, StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{id}: no tag"
            );
            assert!(
                op["description"].is_string() || op["summary"].is_string(),
                "{id}: no description"
            );
            for (status, res) in op["responses"].as_object().unwrap() {
                assert!(
                    res["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{id} {status}: no description"
                );
            }
            // Public operations say so with an empty requirement (`security: [{}]`).
            let secured = op["security"]
                .as_array()
                .is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()));
            let public = path.starts_with("/api/auth/login")
                || path.starts_with("/api/auth/client-login")
                || path == "/api/auth/refresh"
                || path == "/api/openapi.json"
                || !path.starts_with("/api");
            assert_eq!(secured, !public, "{id}: security should be {}", !public);
        }
    }
    // The document is served where its own entry says, and the UI reads it there.
    assert!(doc["paths"][clientele::routes::ops::OPENAPI_PATH]["get"].is_object());
    // Swagger UI, built in.
    let res = app.get("/api/docs/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("swagger"));
}

async fn documented_operations_all_exist(b: Backend) {
    let app = spawn(b).await;
    let doc: Value = json_of(app.get_openapi().await, StatusCode::OK).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", "1");
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app
                .client
                .request(m, app.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            assert!(
                !(status == StatusCode::NOT_FOUND && text.contains("no such route")),
                "{method} {path} is documented but not routed"
            );
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
}
