//! The `clientele` binary itself: subcommands, settings, logs and shutdown.

use crate::helpers::process::{bin, Server};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn openapi_subcommand_prints_the_document() {
    let out = bin().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["paths"]["/api/auth/login"]["post"].is_object());
}

#[test]
fn short_jwt_secret_stops_the_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .env("CLIENTELE_DATA_DIR", dir.path())
        .env("CLIENTELE_JWT_SECRET", "too-short")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at least 32 bytes"), "{err}");
}

#[test]
fn migrate_and_admin_create_work_on_a_fresh_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    let out = bin()
        .env("CLIENTELE_DATA_DIR", &data)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.join("clientele.db").exists());
    assert!(data.join("jwt-secret").exists());
    let out = bin()
        .env("CLIENTELE_DATA_DIR", &data)
        .args([
            "admin",
            "create",
            "--email",
            "Ops@Example.com",
            "--name",
            "Ops Person",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("created super_admin ops"), "{stdout}");
    let pw = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap();
    assert!(pw.split(' ').next().unwrap().len() >= 12);
    // The same username again is refused.
    let out = bin()
        .env("CLIENTELE_DATA_DIR", &data)
        .args([
            "admin",
            "create",
            "--email",
            "ops@example.com",
            "--name",
            "Again",
            "--password",
            "An0ther-Passw0rd",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    // A common password is refused.
    let out = bin()
        .env("CLIENTELE_DATA_DIR", &data)
        .args([
            "admin",
            "create",
            "--email",
            "xavier@example.com",
            "--name",
            "X",
            "--password",
            "password123",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("most common"));
}

#[tokio::test]
async fn logs_are_json_lines_with_request_ids_and_no_secrets_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let password = "L0g-Secret-Passw0rd";
    let (mut server, port) = Server::start(dir.path(), &[("CLIENTELE_ADMIN_PASSWORD", password)]);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let login = |pw: &'static str| {
        client
            .post(format!("{base}/api/auth/login"))
            .json(&serde_json::json!({"username": "admin", "password": pw}))
            .send()
    };
    let body: serde_json::Value = login("L0g-Secret-Passw0rd")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = body["accessToken"].as_str().unwrap().to_owned();
    let refresh = body["refreshToken"].as_str().unwrap().to_owned();
    let _ = login("Wr0ng-Secret-Attempt").await.unwrap();
    let res = client
        .post(format!("{base}/api/auth/refresh"))
        .json(&serde_json::json!({"refreshToken": refresh}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let _ = client
        .get(format!("{base}/api/auth/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let hash: String = {
        use sqlx::Connection;
        let url = format!("sqlite://{}", dir.path().join("clientele.db").display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'admin'")
            .fetch_one(&mut c)
            .await
            .unwrap()
    };
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "{exit:?}");
    let logs = server.drain();
    for secret in [
        password,
        "Wr0ng-Secret-Attempt",
        access.as_str(),
        refresh.as_str(),
        hash.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the log: {secret}");
    }
    let request_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["message"] == "request completed")
        .collect();
    assert!(request_lines.len() >= 4, "{logs}");
    for v in request_lines {
        assert!(v["span"]["request_id"].is_string(), "no request id: {v}");
    }
}
