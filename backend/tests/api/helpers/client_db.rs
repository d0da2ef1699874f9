//! A client's own database as the tests see it: read with SQL of their own
//! (never through the store under test), made unreachable and brought back;
//! and its sync state and drift through the API.

use super::{json_of, Backend, TestApp, TestDb};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::{Connection, Row};
use std::time::{Duration, Instant};

/// A row of a client's `core.users` with its `core.user_modules` rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDbUser {
    pub user_id: i64,
    pub user_name: String,
    pub role: String,
    pub is_active: bool,
    /// `(module_name, enabled)`, by name.
    pub modules: Vec<(String, bool)>,
}

impl TestDb {
    /// The SQLite file of a client's own database.
    pub fn client_db_file(&self, client_id: i64) -> std::path::PathBuf {
        self.dir
            .path()
            .join("clients")
            .join(format!("ACC{client_id:03}.db"))
    }

    /// The PostgreSQL database of a client: `<main database>_acc001`.
    pub fn client_db_name(&self, client_id: i64) -> String {
        let main = self.url.rsplit('/').next().expect("a database name");
        format!("{main}_acc{client_id:03}")
    }

    fn client_db_url(&self, client_id: i64) -> String {
        let base = self.url.rsplit_once('/').expect("a URL").0;
        format!("{base}/{}", self.client_db_name(client_id))
    }

    /// Everything the client's own database holds, by user id; `None` when it
    /// does not exist (yet).
    pub async fn client_db_users(&self, client_id: i64) -> Option<Vec<ClientDbUser>> {
        let (users, modules) = match self.backend {
            Backend::Sqlite => {
                let file = self.client_db_file(client_id);
                if !file.is_file() {
                    return None;
                }
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
                        .await
                        .ok()?;
                sqlx::query("ATTACH DATABASE ? AS core")
                    .bind(file.display().to_string())
                    .execute(&mut c)
                    .await
                    .expect("attach as core");
                let users = sqlx::query(
                    "SELECT user_id, user_name, role, is_active FROM core.users ORDER BY user_id",
                )
                .fetch_all(&mut c)
                .await
                .ok()?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect::<Vec<(i64, String, String, bool)>>();
                let modules = sqlx::query(
                    "SELECT user_id, module_name, enabled FROM core.user_modules ORDER BY user_id, module_name",
                )
                .fetch_all(&mut c)
                .await
                .ok()?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect::<Vec<(i64, String, bool)>>();
                (users, modules)
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.client_db_url(client_id))
                    .await
                    .ok()?;
                let users = sqlx::query(
                    "SELECT user_id, user_name, role, is_active FROM core.users ORDER BY user_id",
                )
                .fetch_all(&mut c)
                .await
                .ok()?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect::<Vec<(i64, String, String, bool)>>();
                let modules = sqlx::query(
                    "SELECT user_id, module_name, enabled FROM core.user_modules ORDER BY user_id, module_name",
                )
                .fetch_all(&mut c)
                .await
                .ok()?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect::<Vec<(i64, String, bool)>>();
                (users, modules)
            }
        };
        Some(
            users
                .into_iter()
                .map(|(user_id, user_name, role, is_active)| ClientDbUser {
                    user_id,
                    user_name,
                    role,
                    is_active,
                    modules: modules
                        .iter()
                        .filter(|m| m.0 == user_id)
                        .map(|m| (m.1.clone(), m.2))
                        .collect(),
                })
                .collect(),
        )
    }

    /// Run a statement on the client's own database (to make drift).
    pub async fn client_db_exec(&self, client_id: i64, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let file = self.client_db_file(client_id);
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
                        .await
                        .expect("open the client's database");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("sql");
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.client_db_url(client_id))
                    .await
                    .expect("open the client's database");
                sqlx::raw_sql(
                    &sql.replace("FROM users", "FROM core.users")
                        .replace("INTO users", "INTO core.users")
                        .replace("UPDATE users", "UPDATE core.users")
                        .replace("FROM user_modules", "FROM core.user_modules")
                        .replace("INTO user_modules", "INTO core.user_modules"),
                )
                .execute(&mut c)
                .await
                .expect("sql");
            }
        }
    }

    /// Make the client's own database unreachable: on SQLite its file is
    /// moved away and a folder put in its place; on PostgreSQL the database
    /// refuses connections.
    pub async fn break_client_db(&self, client_id: i64) {
        match self.backend {
            Backend::Sqlite => {
                let file = self.client_db_file(client_id);
                std::fs::rename(&file, file.with_extension("away")).expect("move the file away");
                std::fs::create_dir(&file).expect("a folder in its place");
            }
            Backend::Postgres => {
                let name = self.client_db_name(client_id);
                self.admin_sql(&format!(
                    "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
                ))
                .await;
                self.admin_sql(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                ))
                .await;
            }
        }
    }

    /// Bring back what [`break_client_db`](TestApp::break_client_db) took away.
    pub async fn mend_client_db(&self, client_id: i64) {
        match self.backend {
            Backend::Sqlite => {
                let file = self.client_db_file(client_id);
                std::fs::remove_dir(&file).expect("remove the folder");
                std::fs::rename(file.with_extension("away"), &file).expect("put the file back");
            }
            Backend::Postgres => {
                let name = self.client_db_name(client_id);
                self.admin_sql(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
                    .await;
            }
        }
    }

    /// A statement on the PostgreSQL server as its superuser.
    pub async fn admin_sql(&self, sql: &str) {
        let mut c = sqlx::PgConnection::connect(&super::postgres_admin_url())
            .await
            .expect("connect as the superuser");
        sqlx::raw_sql(sql).execute(&mut c).await.expect("sql");
    }
}

impl TestApp {
    /// The client's sync state as `GET /api/clients/{id}` shows it.
    pub async fn sync_of(&self, token: &str, client_id: i64) -> Value {
        let body = json_of(self.get_client(token, client_id).await, StatusCode::OK).await;
        body["sync"].clone()
    }

    /// Wait (30 s at most) until the client's sync state is `status`: the state.
    pub async fn wait_for_sync(&self, token: &str, client_id: i64, status: &str) -> Value {
        let started = Instant::now();
        loop {
            let sync = self.sync_of(token, client_id).await;
            if sync["status"] == status {
                return sync;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "client {client_id} is not {status} after 30 s: {sync}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Compare the client's database with the main one (no repair): its drift.
    pub async fn drift_of(&self, token: &str, client_id: i64) -> Vec<Value> {
        let body = json_of(
            self.reconcile_client(token, client_id, "").await,
            StatusCode::OK,
        )
        .await;
        body["drift"].as_array().cloned().expect("drift")
    }
}
