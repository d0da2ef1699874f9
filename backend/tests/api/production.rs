//! The production shape (issue 29), for real: `clientele serve` processes on
//! one PostgreSQL and one Redis, behind Debian's nginx running the shipped
//! configuration (`deploy/nginx/clientele.conf.template`); rolling restarts
//! under load; PostgreSQL stopped under load (a server of the test's own).

use crate::helpers::process::Server;
use crate::helpers::*;
use rand::distributions::{Alphanumeric, DistString};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The names the shipped nginx configuration is written with.
const APP_HOST: &str = "clientele.test";
const API_HOST: &str = "api.clientele.test";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository")
        .to_path_buf()
}

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Is nginx installed? Under CI it must be (the test script installs it);
/// elsewhere its absence skips the test, loudly.
fn nginx_available(test: &str) -> bool {
    required("nginx", "/usr/sbin/nginx", nginx_binary().is_some(), test)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_listening(port: u16, within: Duration) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < within, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// nginx with the shipped configuration in front of `upstreams`.
struct Proxy {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Proxy {
    fn start(upstreams: [u16; 2], spa_root: &Path) -> Self {
        let dir = tempfile::tempdir().expect("a folder for nginx");
        let port = free_port();
        let template =
            std::fs::read_to_string(repo_root().join("deploy/nginx/clientele.conf.template"))
                .expect("the shipped nginx configuration");
        // What the official image's envsubst does, for exactly these names.
        let rendered = [
            (
                "CLIENTELE_UPSTREAM_1",
                format!("127.0.0.1:{}", upstreams[0]),
            ),
            (
                "CLIENTELE_UPSTREAM_2",
                format!("127.0.0.1:{}", upstreams[1]),
            ),
            ("CLIENTELE_PROXY_PORT", format!("127.0.0.1:{port}")),
            ("CLIENTELE_APP_HOST", APP_HOST.to_owned()),
            ("CLIENTELE_SPA_ROOT", spa_root.display().to_string()),
        ]
        .iter()
        .fold(template, |text, (name, value)| {
            text.replace(&format!("${{{name}}}"), value)
        });
        std::fs::write(dir.path().join("clientele.conf"), rendered).unwrap();
        // Around it, the shipped wrapper that runs nginx as a plain process
        // (deploy/README.md): paths under the prefix, in the foreground.
        std::fs::copy(
            repo_root().join("deploy/nginx/nginx-loopback.conf"),
            dir.path().join("nginx.conf"),
        )
        .expect("the loopback wrapper");
        let prefix = format!("{}/", dir.path().display());
        let mut nginx = Command::new(nginx_binary().expect("nginx"));
        nginx
            .args(["-p", &prefix, "-c"])
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(dir.path().join("error.log"));
        if is_root() {
            // Else its worker runs as nobody, who cannot use the folder.
            nginx.args(["-g", "user root;"]);
        }
        let child = nginx
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        wait_listening(port, Duration::from_secs(10));
        Self { child, port, dir }
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // A graceful quit: a SIGKILLed master leaves its worker serving.
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while self.child.try_wait().ok().flatten().is_none() {
            if started.elapsed() > Duration::from_secs(10) {
                let _ = Command::new("kill")
                    .args(["-TERM", &self.child.id().to_string()])
                    .status();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A client that reaches the proxy's two hosts. It calls from 127.0.0.2:
/// the proxy (and every instance's trusted proxy) is 127.0.0.1, so the
/// address the proxy passes on can be told from the proxy's own.
fn http_client(proxy_port: u16) -> reqwest::Client {
    let at = SocketAddr::from(([127, 0, 0, 1], proxy_port));
    reqwest::Client::builder()
        .resolve(APP_HOST, at)
        .resolve(API_HOST, at)
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `clientele serve` on `port` with `env`, its data folder in `data`.
fn instance(data: &Path, port: u16, env: &[(String, String)]) -> Server {
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let bind = format!("127.0.0.1:{port}");
    all.push(("CLIENTELE_BIND", &bind));
    all.push(("CLIENTELE_LOG", "info"));
    Server::start(data, &all).0
}

/// The settings every instance of one deployment shares.
fn shared_env(db: &TestDb, redis: Option<String>) -> Vec<(String, String)> {
    let secret = Alphanumeric.sample_string(&mut rand::thread_rng(), 48);
    let mut env = vec![
        ("CLIENTELE_DATABASE_URL".into(), db.url.clone()),
        ("CLIENTELE_JWT_SECRET".into(), secret),
        ("CLIENTELE_ADMIN_EMAIL".into(), "admin@example.com".into()),
        ("CLIENTELE_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
        ("CLIENTELE_TRUSTED_PROXIES".into(), "127.0.0.1".into()),
        ("CLIENTELE_CLIENT_RETRY_MAX".into(), "1".into()),
        ("CLIENTELE_SHUTDOWN_GRACE".into(), "10".into()),
    ];
    if let Some(url) = redis {
        env.push(("CLIENTELE_REDIS_URL".into(), url));
        env.push((
            "CLIENTELE_REDIS_PREFIX".into(),
            format!("clientele-test-{}:", uuid::Uuid::new_v4().simple()),
        ));
    }
    env
}

/// One request: its status and JSON body (null when there is none).
async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = http.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("a response");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn ok(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let (status, body) = send(http, method, url, Some(token), body).await;
    assert!(status.is_success(), "{url}: {status} {body}");
    body
}

/// Sign in and, at a first sign-in, change the password: a token good for everything.
async fn sign_in(http: &reqwest::Client, base: &str, username: &str, password: &str) -> Value {
    let (status, session) = send(
        http,
        Method::POST,
        &format!("{base}/api/auth/login"),
        None,
        Some(json!({"username": username, "password": password})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    if session["mustChangePassword"] == true {
        let token = session["accessToken"].as_str().unwrap();
        ok(
            http,
            Method::POST,
            &format!("{base}/api/auth/change-password"),
            token,
            Some(json!({"currentPassword": password, "newPassword": CHANGED_PASSWORD})),
        )
        .await;
        return Box::pin(sign_in(http, base, username, CHANGED_PASSWORD)).await;
    }
    session
}

fn token(session: &Value) -> String {
    session["accessToken"].as_str().unwrap().to_owned()
}

/// A sum of a counter over the instances' `/metrics`.
async fn counter(http: &reqwest::Client, bases: &[String], name: &str) -> f64 {
    let mut total = 0.0;
    for base in bases {
        let text = http
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        total += text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or("0")
            .parse::<f64>()
            .unwrap();
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_the_proxy_share_one_truth() {
    let test = "production::two_instances_behind_the_proxy_share_one_truth";
    if !postgres_available(test) || !redis_available(test) || !nginx_available(test) {
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let env = shared_env(&db, Some(redis_url()));
    // Both start at once, as the compose file starts them: the migrations
    // and the first super admin are safe to race.
    let (pa, pb) = (free_port(), free_port());
    let (ea, eb) = (env.clone(), env.clone());
    let (da, dbb) = (db.dir.path().join("a"), db.dir.path().join("b"));
    let a = std::thread::spawn(move || instance(&da, pa, &ea));
    let b = std::thread::spawn(move || instance(&dbb, pb, &eb));
    let (mut a, mut b) = (a.join().unwrap(), b.join().unwrap());
    let spa = tempfile::tempdir().unwrap();
    std::fs::write(
        spa.path().join("index.html"),
        "<!doctype html><title>Clientele</title>",
    )
    .unwrap();
    let proxy = Proxy::start([pa, pb], spa.path());
    let http = http_client(proxy.port);
    let (at_a, at_b) = (
        format!("http://127.0.0.1:{pa}"),
        format!("http://127.0.0.1:{pb}"),
    );
    let api = format!("http://{API_HOST}:{}", proxy.port);
    let app = format!("http://{APP_HOST}:{}", proxy.port);

    // The proxy: the app host serves the SPA (any page path) and the API
    // under /api; the api. host is the API at its root, on both instances.
    let page = http.get(format!("{app}/clients/7")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("<title>Clientele</title>"));
    let (status, _) = send(
        &http,
        Method::GET,
        &format!("{app}/api/openapi.json"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, session) = send(
        &http,
        Method::POST,
        &format!("{api}/auth/login"),
        None,
        Some(json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let admin = token(&session);
    for _ in 0..4 {
        ok(&http, Method::GET, &format!("{api}/auth/me"), &admin, None).await;
    }
    let served = counter(
        &http,
        std::slice::from_ref(&at_a),
        "clientele_http_requests_total{method=\"GET\",route=\"/api/auth/me\",status=\"200\"}",
    )
    .await;
    assert!(
        (1.0..4.0).contains(&served),
        "instance A served {served} of 4: the proxy spreads the load"
    );

    // A client created on A is listed on B.
    let created = ok(
        &http,
        Method::POST,
        &format!("{at_a}/api/clients"),
        &admin,
        Some(json!({"companyName": "Shared Truth", "contactEmail": "owner@shared.example"})),
    )
    .await;
    let client = created["client"]["id"].as_i64().unwrap();
    let listed = ok(
        &http,
        Method::GET,
        &format!("{at_b}/api/clients?search=Shared"),
        &admin,
        None,
    )
    .await;
    assert_eq!(listed["clients"][0]["id"], client, "{listed}");

    let user = |name: &str| {
        json!({"name": format!("User {name}"), "username": name, "password": INITIAL_PASSWORD,
               "role": "user", "companyId": client})
    };
    for name in ["locked.one", "leaving.one", "deactivated.one"] {
        ok(
            &http,
            Method::POST,
            &format!("{at_a}/api/users-management"),
            &admin,
            Some(user(name)),
        )
        .await;
    }

    // A lockout reached through A holds on B, even for the right password.
    sign_in(&http, &at_a, "locked.one", INITIAL_PASSWORD).await;
    let mut locked = false;
    for _ in 0..60 {
        let (status, _) = send(
            &http,
            Method::POST,
            &format!("{at_a}/api/auth/login"),
            None,
            Some(json!({"username": "locked.one", "password": "Wrong-Passw0rd!"})),
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            locked = true;
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert!(locked, "no lockout after 60 failures");
    let (status, body) = send(
        &http,
        Method::POST,
        &format!("{at_b}/api/auth/login"),
        None,
        Some(json!({"username": "locked.one", "password": CHANGED_PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");

    // A logout on A refuses the refresh token on B.
    let session = sign_in(&http, &at_a, "leaving.one", INITIAL_PASSWORD).await;
    let (status, _) = send(
        &http,
        Method::POST,
        &format!("{at_a}/api/auth/logout"),
        Some(&token(&session)),
        None,
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (status, body) = send(
        &http,
        Method::POST,
        &format!("{at_b}/api/auth/refresh"),
        None,
        Some(json!({"refreshToken": session["refreshToken"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // A deactivation on A stops the user's token on B at once.
    let session = sign_in(&http, &at_b, "deactivated.one", INITIAL_PASSWORD).await;
    let user_token = token(&session);
    ok(
        &http,
        Method::GET,
        &format!("{at_b}/api/auth/me"),
        &user_token,
        None,
    )
    .await;
    let id = session["user"]["id"].as_i64().unwrap();
    ok(
        &http,
        Method::PUT,
        &format!("{at_a}/api/users-management/{id}"),
        &admin,
        Some(json!({"isActive": false})),
    )
    .await;
    let (status, _) = send(
        &http,
        Method::GET,
        &format!("{at_b}/api/auth/me"),
        Some(&user_token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Client-database changes made through both instances are applied once
    // each (the rows applied, summed over both, are the rows written) and in
    // order (the database ends as the last change left it).
    let bases = [at_a.clone(), at_b.clone()];
    wait_until_synced(&http, &api, &admin, client).await;
    let applied_before = counter(&http, &bases, "clientele_client_outbox_applied_total").await;
    let created = ok(
        &http,
        Method::POST,
        &format!("{at_b}/api/clients"),
        &admin,
        Some(json!({"companyName": "Both Ways", "contactEmail": "owner@both.example"})),
    )
    .await;
    let both = created["client"]["id"].as_i64().unwrap();
    // Six users added at once, three through each instance …
    let adds = (0..6).map(|n| {
        let (http, admin) = (&http, &admin);
        let url = format!("{}/api/clients/{both}/users", bases[n % 2]);
        async move {
            let added = ok(
                http,
                Method::POST,
                &url,
                admin,
                Some(json!({"name": format!("Both User {n}"), "email": format!("u{n}@both.example"), "role": "user"})),
            )
            .await;
            added["user"]["id"].as_i64().unwrap()
        }
    });
    let users: Vec<i64> = futures_util::future::join_all(adds).await;
    // … then the client's modules, a deactivation and a rename, at once too.
    let modules_url = format!("{at_b}/api/clients/{both}/modules");
    let deactivate_url = format!("{at_a}/api/users-management/{}", users[0]);
    let rename_url = format!("{at_b}/api/users-management/{}", users[1]);
    tokio::join!(
        ok(
            &http,
            Method::PUT,
            &modules_url,
            &admin,
            Some(json!({"modules": ["crm", "billing"]}))
        ),
        ok(
            &http,
            Method::PUT,
            &deactivate_url,
            &admin,
            Some(json!({"isActive": false}))
        ),
        ok(
            &http,
            Method::PUT,
            &rename_url,
            &admin,
            Some(json!({"username": "renamed.last"}))
        ),
    );
    // 1 provision + 6 users + 1 all users + 1 deactivation + 1 rename.
    let written = 10.0;
    wait_until_synced(&http, &api, &admin, both).await;
    let started = Instant::now();
    loop {
        let applied =
            counter(&http, &bases, "clientele_client_outbox_applied_total").await - applied_before;
        if applied >= written || started.elapsed() > Duration::from_secs(10) {
            assert_eq!(applied, written, "rows applied over both instances");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = db
        .client_db_users(both)
        .await
        .expect("the client's database");
    assert_eq!(rows.len(), 7, "{rows:?}");
    let first = rows.iter().find(|r| r.user_id == users[0]).unwrap();
    assert!(!first.is_active);
    let renamed = rows.iter().find(|r| r.user_id == users[1]).unwrap();
    assert_eq!(renamed.user_name, "renamed.last");
    assert!(
        rows.iter()
            .all(|r| r.modules == [("billing".to_owned(), true), ("crm".to_owned(), true)]),
        "{rows:?}"
    );
    let report = ok(
        &http,
        Method::POST,
        &format!("{api}/clients/{both}/reconcile"),
        &admin,
        None,
    )
    .await;
    assert_eq!(report["drift"], json!([]));

    // The client's address is the one the proxy saw, not one a caller claims:
    // behind the proxy, the address it passes on; straight to an instance,
    // the peer's, whatever the header says.
    for (base, via) in [
        (api.clone(), "the proxy"),
        (format!("{at_b}/api"), "no proxy"),
    ] {
        let res = http
            .post(format!("{base}/auth/login"))
            .header("x-forwarded-for", "203.0.113.9")
            .json(&json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let log = ok(
            &http,
            Method::GET,
            &format!("{api}/activity?action=login&limit=1"),
            &admin,
            None,
        )
        .await;
        assert_eq!(log["entries"][0]["ip"], "127.0.0.2", "through {via}: {log}");
    }
    drop(proxy);
    for s in [&mut a, &mut b] {
        let _ = s.child.kill();
        let _ = s.child.wait();
    }
}

async fn wait_until_synced(http: &reqwest::Client, api: &str, token: &str, client: i64) {
    let started = Instant::now();
    loop {
        let body = ok(
            http,
            Method::GET,
            &format!("{api}/clients/{client}"),
            token,
            None,
        )
        .await;
        if body["sync"]["status"] == "in_sync" {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// SIGTERM, and how long the process took to exit.
fn terminate(server: &mut Server) -> Duration {
    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    loop {
        if server.child.try_wait().unwrap().is_some() {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_fails_no_request() {
    let test = "production::a_rolling_restart_under_load_fails_no_request";
    if !postgres_available(test) || !nginx_available(test) {
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let env = shared_env(&db, None);
    let ports = [free_port(), free_port()];
    let data = db.dir.path().to_path_buf();
    let mut servers = [
        instance(&data, ports[0], &env),
        instance(&data, ports[1], &env),
    ];
    let spa = tempfile::tempdir().unwrap();
    std::fs::write(spa.path().join("index.html"), "<!doctype html>").unwrap();
    let proxy = Proxy::start(ports, spa.path());
    let http = http_client(proxy.port);
    let api = format!("http://{API_HOST}:{}", proxy.port);
    let session = sign_in(
        &http,
        &format!("http://{APP_HOST}:{}", proxy.port),
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
    )
    .await;
    let admin = token(&session);

    // A steady load through the proxy: reads of the caller and of a page of clients.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for n in 0..8 {
        let (http, api, admin) = (http.clone(), api.clone(), admin.clone());
        let (stop, done, failures) = (stop.clone(), done.clone(), failures.clone());
        load.push(tokio::spawn(async move {
            let path = if n % 2 == 0 {
                "/auth/me"
            } else {
                "/clients?limit=5"
            };
            while !stop.load(Ordering::SeqCst) {
                match http
                    .get(format!("{api}{path}"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                {
                    Ok(res) if res.status() == StatusCode::OK => {
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(res) => failures
                        .lock()
                        .unwrap()
                        .push(format!("{path}: {}", res.status())),
                    Err(e) => failures.lock().unwrap().push(format!("{path}: {e}")),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    // One instance after the other: stopped (it drains and exits), started again.
    for (k, port) in ports.iter().enumerate() {
        let before = done.load(Ordering::SeqCst);
        let took = tokio::task::block_in_place(|| terminate(&mut servers[k]));
        eprintln!("instance {k} stopped in {took:?}");
        // Well inside the grace (10 s): responses close their connections
        // while the instance drains, and nginx closes its idle ones after 4 s.
        assert!(
            took < Duration::from_secs(8),
            "instance {k} took {took:?} to stop"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (env, data, port) = (env.clone(), data.clone(), *port);
        servers[k] = tokio::task::spawn_blocking(move || instance(&data, port, &env))
            .await
            .unwrap();
        // As deploy/README.md says: the next instance is stopped once this one
        // is ready and nginx has tried it again (it was marked failed when its
        // listener closed, for the config's fail_timeout of 3 s).
        tokio::time::sleep(Duration::from_millis(3500)).await;
        assert!(
            done.load(Ordering::SeqCst) > before,
            "requests went on while instance {k} restarted"
        );
    }
    stop.store(true, Ordering::SeqCst);
    for l in load {
        l.await.unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    let served = done.load(Ordering::SeqCst);
    eprintln!(
        "rolling restart: {served} requests answered, {} failed",
        failures.len()
    );
    assert!(served > 100, "only {served} requests");
    assert!(
        failures.is_empty(),
        "{} failed: {:?}\nnginx: {}",
        failures.len(),
        &failures[..failures.len().min(10)],
        proxy.error_log()
    );
    for s in &mut servers {
        let _ = s.child.kill();
        let _ = s.child.wait();
    }
}

/// A PostgreSQL server of the test's own (not the machine's shared one), in
/// a temporary folder, on a port of its own; started and stopped at will.
struct OwnPostgres {
    dir: tempfile::TempDir,
    port: u16,
    bin: PathBuf,
}

impl OwnPostgres {
    fn bin_dir() -> Option<PathBuf> {
        let out = Command::new("pg_config").arg("--bindir").output().ok()?;
        let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
        if dir.join("initdb").is_file() {
            return Some(dir);
        }
        std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|p| p.join("initdb").is_file())
    }

    /// The command, as the `postgres` user when we are root (initdb refuses root).
    fn as_owner(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn create() -> Self {
        let bin = Self::bin_dir().expect("PostgreSQL's initdb");
        let dir = tempfile::tempdir().expect("a folder for PostgreSQL");
        let port = free_port();
        let pg = Self { dir, port, bin };
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pg.dir.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let out = pg
            .as_owner("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(pg.data())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `pg_ctl <action>` on the data folder, with `args` before it: its output.
    fn pg_ctl(&self, args: &[&str], action: &str) -> std::process::Output {
        self.as_owner("pg_ctl")
            .args(args)
            .arg("-D")
            .arg(self.data())
            .arg(action)
            .output()
            .unwrap()
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        let out = self.pg_ctl(&["-w", "-t", "30", "-o", &options, "-l", &log], "start");
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn stop(&self) {
        let out = self.pg_ctl(&["-w", "-m", "fast"], "stop");
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate"], "stop");
    }
}

/// Whether this process runs as root (`id -u` says 0).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_stopped_under_load_answers_503_and_recovers() {
    let test = "production::postgresql_stopped_under_load_answers_503_and_recovers";
    if !postgres_available(test) {
        return;
    }
    let pg = OwnPostgres::create();
    pg.start();
    let timeout = 2;
    let port = free_port();
    let secret = Alphanumeric.sample_string(&mut rand::thread_rng(), 48);
    let env: Vec<(String, String)> = vec![
        ("CLIENTELE_DATABASE_URL".into(), pg.url()),
        ("CLIENTELE_JWT_SECRET".into(), secret),
        ("CLIENTELE_ADMIN_EMAIL".into(), "admin@example.com".into()),
        ("CLIENTELE_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
        ("CLIENTELE_DATABASE_TIMEOUT".into(), timeout.to_string()),
    ];
    let mut server = instance(pg.dir.path(), port, &env);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let admin = token(&sign_in(&http, &base, ADMIN_USERNAME, ADMIN_PASSWORD).await);

    // Writes under load: each acknowledged client is remembered.
    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
    let outcomes = Arc::new(Mutex::new(Vec::<(StatusCode, Duration, Value)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
        let (acknowledged, outcomes, stop) = (acknowledged.clone(), outcomes.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let started = Instant::now();
                let res = http
                    .post(format!("{base}/api/clients"))
                    .bearer_auth(&admin)
                    .json(&json!({"companyName": format!("Writer {w} number {n}"), "contactEmail": format!("w{w}n{n}@load.example")}))
                    .send()
                    .await;
                let took = started.elapsed();
                match res {
                    Ok(res) => {
                        let status = res.status();
                        let body: Value = res.json().await.unwrap_or(Value::Null);
                        if status == StatusCode::CREATED {
                            acknowledged.lock().unwrap().push(body["client"]["id"].as_i64().unwrap());
                        }
                        outcomes.lock().unwrap().push((status, took, body));
                    }
                    Err(e) => panic!("no answer after {took:?}: {e}"),
                }
                if status_pause(&outcomes) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before_failure = acknowledged.lock().unwrap().len();
    assert!(
        before_failure > 0,
        "no write went through before the failure"
    );

    // PostgreSQL goes away.
    tokio::task::block_in_place(|| pg.stop());
    let stopped_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(timeout as u64 * 2 + 2)).await;
    let started = Instant::now();
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(timeout as u64 + 3));
    let started = Instant::now();
    let (status, body) = send(
        &http,
        Method::GET,
        &format!("{base}/api/auth/me"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(timeout as u64 + 3),
        "{:?}",
        started.elapsed()
    );

    // It comes back: the service recovers by itself within 5 seconds.
    tokio::task::block_in_place(|| pg.start());
    let back = Instant::now();
    let recovered = loop {
        let (status, _) = send(
            &http,
            Method::GET,
            &format!("{base}/api/auth/me"),
            Some(&admin),
            None,
        )
        .await;
        if status == StatusCode::OK {
            break back.elapsed();
        }
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "not recovered: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    let outcomes = outcomes.lock().unwrap().clone();
    let during: Vec<_> = outcomes
        .iter()
        .filter(|(s, _, _)| *s != StatusCode::CREATED)
        .collect();
    eprintln!(
        "PostgreSQL down for {:?}: {} writes acknowledged, {} refused; recovered {recovered:?} after it returned",
        back - stopped_at,
        acknowledged.lock().unwrap().len(),
        during.len()
    );
    assert!(
        recovered <= Duration::from_secs(5),
        "recovered after {recovered:?}"
    );
    assert!(
        !during.is_empty(),
        "no write was refused while PostgreSQL was down"
    );
    for (status, took, body) in &during {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body["error"].is_string(), "{body}");
        assert!(
            *took < Duration::from_secs(timeout as u64 * 3 + 2),
            "a refusal took {took:?}"
        );
    }
    // Every acknowledged write is there.
    let acknowledged = acknowledged.lock().unwrap().clone();
    let listed = ok(
        &http,
        Method::GET,
        &format!("{base}/api/clients?limit=1"),
        &admin,
        None,
    )
    .await;
    assert_eq!(
        listed["pagination"]["total"],
        acknowledged.len(),
        "{listed}"
    );
    for id in &acknowledged {
        ok(
            &http,
            Method::GET,
            &format!("{base}/api/clients/{id}"),
            &admin,
            None,
        )
        .await;
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
}

/// Slow down while the last answer was a refusal (no busy loop on 503s).
fn status_pause(outcomes: &Mutex<Vec<(StatusCode, Duration, Value)>>) -> bool {
    outcomes
        .lock()
        .unwrap()
        .last()
        .is_some_and(|(s, _, _)| *s != StatusCode::CREATED)
}
