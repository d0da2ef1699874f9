//! Shared state in Redis (`CLIENTELE_REDIS_URL`), and OWASP API10 (unsafe
//! consumption): whatever answers on Redis's port, or nothing at all, the
//! service keeps checking passwords and keeps throttling them, in the database.

use crate::helpers::*;
use deadpool_redis::redis;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

on_both_stores!(
    instances_sharing_redis_share_the_limits,
    api10_garbage_in_redis_keys_is_not_trusted,
    api10_garbage_in_reset_counters_is_not_trusted,
    api10_redis_answering_garbage_or_gone,
);

fn unique_prefix() -> String {
    format!("clientele-test-{}:", uuid::Uuid::new_v4().simple())
}

async fn redis_connection() -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis_url())
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("connect to Redis")
}

async fn forget(prefix: &str) {
    let mut conn = redis_connection().await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .expect("keys");
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .expect("del");
    }
}

/// What the database holds for the admin's counter.
async fn database_failures(app: &TestApp) -> i64 {
    app.state
        .store
        .throttle_states(&["user:1".into()])
        .await
        .expect("throttle states")
        .first()
        .map_or(0, |s| s.failures)
}

/// Three wrong passwords are refused as such, the fourth try is throttled, and
/// every answer is one of ours: JSON, 401 or 429, never a 5xx.
async fn wrong_passwords_are_throttled(app: &TestApp, what: &str) {
    for i in 0..3 {
        let res = app.login_response(ADMIN_USERNAME, "wrong-password").await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{what}: failure {i}"
        );
        let body: Value = res.json().await.expect("json");
        assert_eq!(
            body,
            json!({"error": "Invalid username or password"}),
            "{what}"
        );
    }
    let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{what}");
    assert_eq!(res.headers()["retry-after"], "1", "{what}");
    let body: Value = res.json().await.expect("json");
    assert_eq!(
        body,
        json!({"error": "Too many attempts; try again in 1 second"}),
        "{what}"
    );
}

/// Two instances with their own databases and one Redis: failures at one
/// lock the account at the other, and neither database holds a counter.
async fn instances_sharing_redis_share_the_limits(b: Backend) {
    if !redis_available("redis::instances_sharing_redis_share_the_limits") {
        return;
    }
    let prefix = unique_prefix();
    let shared = |s: &mut clientele::config::Settings| {
        s.redis_url = Some(redis_url().into());
        s.redis_prefix = prefix.clone();
    };
    let one = spawn_with(b, shared).await;
    let two = spawn_with(b, shared).await;
    one.admin_token().await;
    for _ in 0..3 {
        let res = one.login_response(ADMIN_USERNAME, "wrong-password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // The second instance has seen no failure, but Redis has.
    let res = two.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(database_failures(&one).await, 0);
    assert_eq!(database_failures(&two).await, 0);
    let mut conn = redis_connection().await;
    let failures: Option<i64> = redis::cmd("HGET")
        .arg(format!("{prefix}throttle:user:1"))
        .arg("failures")
        .query_async(&mut conn)
        .await
        .expect("hget");
    assert_eq!(failures, Some(3));
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{prefix}throttle:user:1"))
        .query_async(&mut conn)
        .await
        .expect("pttl");
    assert!(ttl > 0, "counters expire by themselves: {ttl}");

    // Once the delay has passed, a success at one instance clears the
    // account's counters for both; the address's counter stays.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    two.login(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let exists: (i64, i64) = redis::pipe()
        .cmd("EXISTS")
        .arg(format!("{prefix}throttle:user:1"))
        .cmd("EXISTS")
        .arg(format!("{prefix}throttle:ip:127.0.0.1"))
        .query_async(&mut conn)
        .await
        .expect("exists");
    assert_eq!(exists, (0, 1));

    // Admin password resets are counted in Redis too.
    let sa = one.admin_token().await;
    let (id, owner, _) = one.client(&sa, "Shared resets").await;
    json_of(
        one.post(
            &format!("/api/clients/{id}/reset-password"),
            &json!({}),
            Some(&sa),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let count: i64 = redis::cmd("HGET")
        .arg(format!("{prefix}throttle:reset-of:{owner}"))
        .arg("failures")
        .query_async(&mut conn)
        .await
        .expect("hget");
    assert_eq!(count, 1);

    // A lock the database holds (set while Redis was failing) still holds
    // when Redis answers: here in the first instance's database only.
    let until = clientele::domain::Timestamp::now().millis() + 60_000;
    one.exec_sql(&format!(
        "INSERT INTO login_throttle (key, failures, last_failure, locked_until) \
         VALUES ('user:1', 30, 0, {until})"
    ))
    .await;
    let res = one.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    two.login(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    forget(&prefix).await;
}

/// Nonsense for a throttle counter: what it is, the hash field it spoils (none:
/// the key is overwritten with a string, the wrong type), and the value.
fn garbage() -> [(&'static str, Option<&'static str>, String); 6] {
    [
        ("wrong type", None, "garbage".into()),
        ("lock not a number", Some("locked_until"), "soon".into()),
        ("lock forever", Some("locked_until"), i64::MAX.to_string()),
        (
            "lock before 1970",
            Some("locked_until"),
            i64::MIN.to_string(),
        ),
        ("negative count", Some("failures"), "-1000000".into()),
        ("count not a number", Some("failures"), "many".into()),
    ]
}

/// The command writing `value` into `key` (its `field`, or the whole key).
fn garbage_cmd(key: &str, field: Option<&str>, value: &str) -> redis::Cmd {
    let mut cmd = redis::cmd(if field.is_some() { "HSET" } else { "SET" });
    cmd.arg(key);
    if let Some(field) = field {
        cmd.arg(field);
    }
    cmd.arg(value);
    cmd
}

/// Someone with access to Redis writes nonsense into the counters: a value of
/// the wrong type, a lock that is not a number, one far in the future or
/// before 1970, a negative count. For each, a fresh instance neither fails nor
/// believes it: the right password logs in, and wrong ones are counted and
/// throttled in the database.
async fn api10_garbage_in_redis_keys_is_not_trusted(b: Backend) {
    if !redis_available("redis::api10_garbage_in_redis_keys_is_not_trusted") {
        return;
    }
    let acct = "throttle:user:1";
    let pair = "throttle:user-ip:1|127.0.0.1";
    let keys = [acct, pair, acct, pair, pair, acct];
    let mut conn = redis_connection().await;
    for ((what, field, value), key) in garbage().into_iter().zip(keys) {
        let prefix = unique_prefix();
        let cmd = garbage_cmd(&format!("{prefix}{key}"), field, &value);
        let _: () = cmd.query_async(&mut conn).await.expect("write garbage");
        let app = spawn_with(b, |s| {
            s.redis_url = Some(redis_url().into());
            s.redis_prefix = prefix.clone();
        })
        .await;
        let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "{what}");
        // The success cleared the account's keys: write the garbage again.
        let _: () = cmd
            .query_async(&mut conn)
            .await
            .expect("write garbage again");
        wrong_passwords_are_throttled(&app, what).await;
        assert_eq!(database_failures(&app).await, 3, "{what}");
        forget(&prefix).await;
    }
}

/// The same nonsense in the counters of admin password resets, in the owner's
/// counter and in the caller's: no reset fails or is refused for it, and each
/// limit still holds, counted in the database. Each case lowers only the limit
/// of the counter it spoils, so that only that counter can refuse the third
/// reset.
async fn api10_garbage_in_reset_counters_is_not_trusted(b: Backend) {
    if !redis_available("redis::api10_garbage_in_reset_counters_is_not_trusted") {
        return;
    }
    let mut conn = redis_connection().await;
    for (what, field, value) in garbage() {
        for by_caller in [false, true] {
            let what = format!(
                "{what} in the {} counter",
                if by_caller { "caller's" } else { "owner's" }
            );
            let prefix = unique_prefix();
            let app = spawn_with(b, |s| {
                s.redis_url = Some(redis_url().into());
                s.redis_prefix = prefix.clone();
                if by_caller {
                    s.throttle.resets_per_caller = 2;
                } else {
                    s.throttle.resets_per_account = 2;
                }
            })
            .await;
            let sa = app.admin_token().await;
            let me = json_of(app.get("/api/auth/me", Some(&sa)).await, StatusCode::OK).await;
            let mut clients = Vec::new();
            for n in 0..3 {
                let (client, owner, _) = app.client(&sa, &format!("Reset {n}")).await;
                clients.push((client, owner));
            }
            let key = if by_caller {
                format!("{prefix}throttle:reset-by:{}", me["user"]["id"])
            } else {
                format!("{prefix}throttle:reset-of:{}", clients[0].1)
            };
            let _: () = garbage_cmd(&key, field, &value)
                .query_async(&mut conn)
                .await
                .expect("write garbage");
            // The owner's limit: one owner three times. The caller's: three owners.
            let targets = if by_caller {
                [clients[0].0, clients[1].0, clients[2].0]
            } else {
                [clients[0].0; 3]
            };
            let empty = json!({});
            for (n, client) in targets.into_iter().enumerate() {
                let path = format!("/api/clients/{client}/reset-password");
                let res = app.post(&path, &empty, Some(&sa)).await;
                let status = res.status();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                let expected = if n < 2 {
                    StatusCode::OK
                } else {
                    StatusCode::TOO_MANY_REQUESTS
                };
                assert_eq!(status, expected, "{what}: reset {}: {body}", n + 1);
                assert!(n < 2 || body["error"].is_string(), "{what}: {body}");
            }
            forget(&prefix).await;
        }
    }
}

/// Something that is not Redis on Redis's port.
#[derive(Clone, Copy, Debug)]
enum Impostor {
    /// Nothing listens.
    Gone,
    /// Accepts, then hangs up at once.
    HangsUp,
    /// Accepts and never answers.
    Silent,
    /// Answers every request with text that is not the Redis protocol.
    NotRedis,
    /// Answers every request with a well-formed "OK", whatever was asked.
    AlwaysOk,
    /// Answers every request with a negative number.
    Negative,
    /// Announces a 2 GiB reply, then sends nothing more.
    HugeReply,
}

/// Start `impostor` on a free local port; answer its `redis://` URL.
fn start(impostor: Impostor) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("redis://{}", listener.local_addr().expect("addr"));
    if let Impostor::Gone = impostor {
        return url; // the listener is dropped: the port refuses connections
    }
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let reply: &[u8] = match impostor {
                    Impostor::HangsUp => return,
                    Impostor::Silent => b"",
                    Impostor::NotRedis => b"HTTP/1.1 400 Bad Request\r\n\r\n<html>\x00\xff",
                    Impostor::AlwaysOk => b"+OK\r\n",
                    Impostor::Negative => b":-5\r\n",
                    Impostor::HugeReply => b"$2147483647\r\n",
                    Impostor::Gone => unreachable!(),
                };
                // One reply per command received (each command is an array:
                // a line starting with `*`), or one per read for what is
                // not the Redis protocol anyway.
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        return;
                    }
                    let commands = buf[..n]
                        .split(|&c| c == b'\n')
                        .filter(|line| line.first() == Some(&b'*'))
                        .count()
                        .max(1);
                    if stream.write_all(&reply.repeat(commands)).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// For every kind of impostor, a fresh instance: the right password logs in,
/// wrong ones are refused and then throttled, each answer comes within a
/// second or so, and the counters are in the database.
async fn api10_redis_answering_garbage_or_gone(b: Backend) {
    use Impostor::*;
    for impostor in [
        Gone, HangsUp, Silent, NotRedis, AlwaysOk, Negative, HugeReply,
    ] {
        let url = start(impostor);
        let app = spawn_with(b, |s| s.redis_url = Some(url.into())).await;
        let what = format!("{impostor:?}");
        let started = Instant::now();
        app.admin_token().await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{what}: a login took {:?}",
            started.elapsed()
        );
        wrong_passwords_are_throttled(&app, &what).await;
        assert_eq!(database_failures(&app).await, 3, "{what}");
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{what}: five logins took {:?}",
            started.elapsed()
        );
        // Readiness is the database's: the service is ready without Redis.
        assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
    }
}
