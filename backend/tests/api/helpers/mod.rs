//! What every test uses: [`spawn`] starts the app on a fresh database of a
//! store; [`TestApp`] has one method per operation of the API (named after its
//! `operationId`, in `operations.rs`), raw `get`/`post`/`put`/`delete` for
//! requests no operation sends, and shortcuts (`admin_token`, `client`,
//! `user_with_token`…); [`json_of`] asserts a status and reads the body; and
//! `on_both_stores!` runs each test on SQLite and on PostgreSQL.

use clientele::config::Settings;
use clientele::startup::Application;
use clientele::state::AppState;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use std::sync::OnceLock;

mod client_db;
mod operations;
pub mod process;

pub use client_db::ClientDbUser;

pub const ADMIN_USERNAME: &str = "admin";
pub const ADMIN_PASSWORD: &str = "Adm1n-Passw0rd!x";
/// The password users are created with in tests, and what they change it to.
pub const INITIAL_PASSWORD: &str = "Initial-Passw0rd!";
pub const CHANGED_PASSWORD: &str = "Changed-Passw0rd!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generate a `sqlite` and a `postgres` test for each named `async fn(Backend)`.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => { $(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_available(concat!(module_path!(), "::postgres")) {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        }
    )* };
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Is PostgreSQL there? Under CI it must be; elsewhere its absence skips the
/// test with a loud line on stderr.
pub fn postgres_available(test: &str) -> bool {
    static REACHABLE: OnceLock<bool> = OnceLock::new();
    let url = postgres_admin_url();
    let reachable = *REACHABLE.get_or_init(|| listens(&url, 5432));
    required("PostgreSQL", &url, reachable, test)
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Is Redis there (`TEST_REDIS_URL`)? Under CI it must be; elsewhere its
/// absence skips the test with a loud line on stderr.
pub fn redis_available(test: &str) -> bool {
    static REACHABLE: OnceLock<bool> = OnceLock::new();
    let url = redis_url();
    let reachable = *REACHABLE.get_or_init(|| listens(&url, 6379));
    required("Redis", &url, reachable, test)
}

/// Does something accept TCP connections at `url`'s host and port?
fn listens(url: &str, default_port: u16) -> bool {
    let authority = url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or("127.0.0.1");
    let hostport = if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:{default_port}")
    };
    use std::net::ToSocketAddrs;
    hostport
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| {
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).is_ok()
        })
}

/// Panic under CI when `service` is unreachable; elsewhere say loudly that
/// `test` is skipped.
pub fn required(service: &str, url: &str, reachable: bool, test: &str) -> bool {
    if !reachable {
        if is_ci() {
            panic!("{service} is required under CI=true but {url} is unreachable");
        }
        eprintln!("SKIPPED {test}: {service} unreachable at {url}");
    }
    reachable
}

/// Only what a raw-socket test needs of an app: its port.
pub struct PortOnly {
    pub port: u16,
}

/// A fresh database of a store, and a data folder, with nothing running on
/// them; dropped (with the clients' own databases) when it goes.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_database: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, pg_database) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let name = format!("clientele_test_{}", uuid::Uuid::new_v4().simple());
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                (format!("{base}/{name}"), Some(name))
            }
        };
        Self {
            backend,
            url,
            dir,
            pg_database,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_database.take() else {
            return;
        };
        // Drop the test database from a fresh runtime: we may be inside one that is ending.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
                    .await
                    .ok()?;
                // The clients' own databases first (`<name>_acc001`, …).
                let clients: Vec<String> = sqlx::query_scalar(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
                )
                .bind(format!("{name}_"))
                .fetch_all(&mut conn)
                .await
                .unwrap_or_default();
                for db in clients.iter().chain(std::iter::once(&name)) {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
                Some(())
            })
        })
        .join();
    }
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub state: actix_web::web::Data<AppState>,
    pub backend: Backend,
    pub database_url: String,
    pub bootstrap_password: Option<String>,
    pub db: TestDb,
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Start the app with test settings, changed by `tweak`.
pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::new(backend).await;
    let mut settings = Settings::for_tests(db.url.clone(), db.dir.path().to_path_buf());
    settings.admin_email = Some("admin@example.com".into());
    settings.admin_password = Some(ADMIN_PASSWORD.to_owned().into());
    tweak(&mut settings);
    let app = Application::build(settings).await.expect("build the app");
    let port = app.port();
    let state = app.state.clone();
    let bootstrap_password = app
        .bootstrap_password
        .as_ref()
        .map(|p| p.expose().to_owned());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        state,
        backend,
        database_url: db.url.clone(),
        bootstrap_password,
        db,
    }
}

impl TestApp {
    /// A handle naming only a running app's port, for blocking raw-socket code.
    pub fn port_only(port: u16) -> PortOnly {
        PortOnly { port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    pub async fn put(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut req = self.client.put(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// The [`login`](TestApp::login) operation with `username` and `password`.
    pub async fn login_response(&self, username: &str, password: &str) -> Response {
        self.login(&json!({"username": username, "password": password}))
            .await
    }

    /// Log in and answer the token response; panics unless it is 200.
    pub async fn login_ok(&self, username: &str, password: &str) -> Value {
        let res = self.login_response(username, password).await;
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "login of {username} failed: {body}");
        body
    }

    pub async fn admin_token(&self) -> String {
        let body = self.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        body["accessToken"].as_str().expect("token").to_owned()
    }

    /// Send `body` as CSV.
    pub async fn post_csv(&self, path: &str, body: &str, token: Option<&str>) -> Response {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", "text/csv")
            .body(body.to_owned());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// Log in with a first-login password, change it, and answer a token that
    /// is good for everything.
    pub async fn first_login(&self, username: &str, password: &str) -> String {
        let session = self.login_ok(username, password).await;
        let token = session["accessToken"].as_str().expect("token").to_owned();
        if session["mustChangePassword"] == true {
            let res = self
                .change_password(
                    &token,
                    &json!({"currentPassword": password, "newPassword": CHANGED_PASSWORD}),
                )
                .await;
            assert_eq!(
                res.status(),
                StatusCode::OK,
                "{}",
                res.text().await.unwrap_or_default()
            );
        }
        token
    }

    /// Create a user through [`create_user`](TestApp::create_user) as `token`, and log
    /// it in: its id and a token good for everything.
    pub async fn user_with_token(&self, token: &str, body: Value) -> (i64, String) {
        let mut body = body;
        body["password"] = json!(INITIAL_PASSWORD);
        let created = json_of(self.create_user(token, &body).await, StatusCode::CREATED).await;
        let id = created["user"]["id"].as_i64().expect("id");
        let username = created["user"]["username"].as_str().expect("username");
        (id, self.first_login(username, INITIAL_PASSWORD).await)
    }

    /// A client made by the super admin: its id and its owner's id.
    pub async fn client(&self, token: &str, name: &str) -> (i64, i64, Value) {
        let res = json_of(
            self.create_client(
                token,
                &json!({"companyName": name, "contactEmail": format!("owner@{}.example", name.to_lowercase().replace(' ', ""))}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let id = res["client"]["id"].as_i64().expect("id");
        let owner = res["client"]["ownerId"].as_i64().expect("owner");
        (id, owner, res)
    }

    /// Run a statement on the test database directly (to arrange a state no
    /// endpoint offers yet).
    pub async fn exec_sql(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                    .await
                    .expect("sqlite");
                sqlx::query(sql).execute(&mut c).await.expect("sql");
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.database_url)
                    .await
                    .expect("pg");
                sqlx::query(sql).execute(&mut c).await.expect("sql");
            }
        }
    }

    /// Read one text value from the test database directly.
    pub async fn fetch_text(&self, sql: &str) -> String {
        match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                    .await
                    .expect("sqlite");
                sqlx::query_scalar(sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("sql")
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.database_url)
                    .await
                    .expect("pg");
                sqlx::query_scalar(sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("sql")
            }
        }
    }

    /// Create another operator account through the rules (no endpoint for it yet).
    pub async fn create_operator(&self, username: &str, password: Option<&str>) -> (i64, String) {
        let created = clientele::services::accounts::create_admin(
            &self.state,
            clientele::services::accounts::NewAdmin {
                email: Some(format!("{username}@example.com")),
                name: format!("Operator {username}"),
                username: Some(username.to_owned()),
                password: password.map(|p| p.to_owned().into()),
                role: clientele::domain::Role::Admin,
            },
        )
        .await
        .expect("create operator");
        let pw = created
            .generated_password
            .map(|p| p.expose().to_owned())
            .or(password.map(str::to_owned))
            .expect("a password");
        (created.user.id, pw)
    }
}

/// How many users `token` can see (the users list's total).
pub async fn count_users(app: &TestApp, token: &str) -> i64 {
    let list = json_of(app.list_users(token, "").await, StatusCode::OK).await;
    list["pagination"]["total"].as_i64().unwrap()
}

/// The log's newest 100 `create` entries, as its JSON has them.
pub async fn created_entries(app: &TestApp, token: &str) -> Vec<Value> {
    let page = json_of(
        app.list_activity(token, "action=create&limit=100").await,
        StatusCode::OK,
    )
    .await;
    page["entries"].as_array().cloned().unwrap_or_default()
}

/// A CSV export's rows, each by its header's names (parsed by the `csv` crate,
/// quotes and all).
pub fn csv_rows(body: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().expect("a header row").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV record");
            header
                .iter()
                .map(str::to_owned)
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// What an export's cell holds for a JSON value of the API: text as it is (a
/// formula's text after a `'`), numbers and booleans as JSON writes them, and
/// nothing for null.
pub fn csv_cell_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The same instant, written as an export writes it (`+00:00`) and as JSON does (`Z`).
pub fn same_instant(cell: &str, json: &Value) -> bool {
    let ms = |t: &str| chrono::DateTime::parse_from_rfc3339(t).map(|t| t.timestamp_millis());
    cell.ends_with("+00:00") && json.as_str().is_some_and(|j| ms(cell).ok() == ms(j).ok())
}

/// Every cell of an export's row is `json`'s field of the same name: a time
/// as the same instant, an object (the log's `changes`) as the same JSON, a
/// list (`permissions`) space-separated, anything else as [`csv_cell_of`].
pub fn assert_row_matches(row: &std::collections::HashMap<String, String>, json: &Value) {
    for (field, cell) in row {
        let v = &json[field.as_str()];
        match v {
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(csv_cell_of).collect();
                assert_eq!(cell, &items.join(" "), "{field} of {json}");
            }
            Value::Object(_) => {
                let parsed = serde_json::from_str::<Value>(cell).ok();
                assert_eq!(parsed.as_ref(), Some(v), "{field} of {json}");
            }
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {
                assert!(same_instant(cell, v), "{field}: {cell} against {v}");
            }
            _ => assert_eq!(cell, &csv_cell_of(v), "{field} of {json}"),
        }
    }
}

/// The body of a response as JSON, asserting its status first.
pub async fn json_of(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Both tokens of `session` (a login answer) have stopped working: its access
/// token is refused by `me`, its refresh token by `refresh`.
pub async fn assert_session_ended(app: &TestApp, session: &Value) {
    let access = session["accessToken"].as_str().expect("an access token");
    json_of(app.get_me(access).await, StatusCode::UNAUTHORIZED).await;
    let refresh = json!({"refreshToken": session["refreshToken"]});
    json_of(app.refresh(&refresh).await, StatusCode::UNAUTHORIZED).await;
}
