//! Requests the HTTP layer refuses before the application still get the
//! API's JSON error (issue #24, 8), and the guard that sees to it frames a
//! connection's requests exactly: keep-alive, pipelining, chunked bodies.

use crate::helpers::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

on_both_stores!(
    oversized_heads_answer_json_errors,
    requests_after_bodies_on_one_connection_are_framed,
);

/// Write `raw` on a fresh connection and read until the server closes it
/// (or two seconds pass): every response, as text.
fn exchange(app: &PortOnly, raw: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    stream.write_all(raw).expect("write");
    let mut out = Vec::new();
    let mut chunk = [0u8; 65536];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The status and the JSON body of the only (or last) response in `text`.
fn last_response(text: &str) -> (u16, Value) {
    let at = text.rfind("HTTP/1.1 ").expect("a response");
    let response = &text[at..];
    let status: u16 = response[9..12].parse().expect("a status");
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, json)
}

fn get(path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n{extra}\r\n")
}

async fn oversized_heads_answer_json_errors(b: Backend) {
    let app = spawn(b).await;
    let app = &app;
    let run = |raw: String| async move {
        tokio::task::spawn_blocking({
            let (port, raw) = (app.port, raw);
            move || {
                let app = TestApp::port_only(port);
                exchange(&app, raw.as_bytes())
            }
        })
        .await
        .unwrap()
    };
    // A 100,000-character search: the JSON 414, not an empty 400.
    let long = "a".repeat(100_000);
    let text = run(get(&format!("/api/users-management?search={long}"), "")).await;
    let (status, body) = last_response(&text);
    assert_eq!(status, 414, "{}", &text[..200.min(text.len())]);
    assert!(
        body["error"].as_str().unwrap().contains("URL is too long"),
        "{body}"
    );
    assert!(text
        .to_lowercase()
        .contains("content-type: application/json"));
    // 60,000 characters still reach the application, which refuses the search.
    let text = run(get(
        &format!("/api/users-management?search={}", &long[..60_000]),
        "",
    ))
    .await;
    assert_eq!(last_response(&text).0, 401, "the application answered");
    // 120 extra header fields: the JSON 431, not an empty one.
    let fields: String = (0..120).map(|i| format!("x-extra-{i}: {i}\r\n")).collect();
    let (status, body) = last_response(&run(get("/healthz", &fields)).await);
    assert_eq!(status, 431);
    assert!(
        body["error"].as_str().unwrap().contains("at most 96"),
        "{body}"
    );
    // 96 are still fine.
    let fields: String = (0..90).map(|i| format!("x-extra-{i}: {i}\r\n")).collect();
    assert_eq!(last_response(&run(get("/healthz", &fields)).await).0, 200);
    // A head too large in all, and a malformed one.
    let big = format!("x-big: {}\r\n", "b".repeat(130 * 1024));
    let (status, body) = last_response(&run(get("/healthz", &big)).await);
    assert_eq!(status, 431);
    assert!(body["error"].is_string());
    let (status, body) =
        last_response(&run("GET /healthz HTTP/1.1\r\nbad header\r\n\r\n".into()).await);
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("not well-formed"),
        "{body}"
    );
    let (status, _) = last_response(
        &run("POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 7\r\n\r\n".into()).await,
    );
    assert_eq!(status, 400);
    // On a kept-alive connection: the good request is answered first, then the refusal.
    let raw = format!(
        "{}{}",
        get("/healthz", ""),
        get(&format!("/healthz?{}", "q".repeat(70_000)), "")
    );
    let text = run(raw).await;
    assert_eq!(
        text.matches("HTTP/1.1 ").count(),
        2,
        "{}",
        &text[..300.min(text.len())]
    );
    assert!(text.starts_with("HTTP/1.1 200"));
    assert_eq!(last_response(&text).0, 414);
}

/// Bodies of every framing, then another request on the same connection:
/// each is answered, in order.
async fn requests_after_bodies_on_one_connection_are_framed(b: Backend) {
    let app = spawn(b).await;
    let port = app.port;
    let text = tokio::task::spawn_blocking(move || {
        let app = TestApp::port_only(port);
        let login = r#"{"username": "nobody", "password": "wrong-password"}"#;
        let mut chunked = String::new();
        for part in login.as_bytes().chunks(7) {
            chunked.push_str(&format!(
                "{:x}\r\n{}\r\n",
                part.len(),
                std::str::from_utf8(part).unwrap()
            ));
        }
        chunked.push_str("0\r\nx-trailer: 1\r\n\r\n");
        let raw = format!(
            "POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
             content-length: {}\r\n\r\n{login}\
             POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
             transfer-encoding: chunked\r\n\r\n{chunked}\
             \r\nGET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
            login.len()
        );
        exchange(&app, raw.as_bytes())
    })
    .await
    .unwrap();
    let statuses: Vec<&str> = text
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| &text[at + 9..at + 12])
        .collect();
    assert_eq!(statuses, ["401", "401", "200"], "{text}");
}
