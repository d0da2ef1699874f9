//! One method of [`TestApp`] per operation of the API, named after its
//! `operationId` in `openapi/openapi.json`, so that a test reads as what it
//! does: `app.add_user_permissions(&token, id, &body)`.
//!
//! Each sends the request as the document describes it and answers the
//! response as it came; assert on it with [`json_of`](super::json_of).
//! - `token`: the caller's access token (public operations take none; to call
//!   an operation without a token, or with a malformed request, use the raw
//!   [`TestApp::get`], [`TestApp::post`], … helpers);
//! - `id`: a path id, anything printable (an `i64`, a JSON value, or text that
//!   is no id at all);
//! - `query`: the query string exactly as it is sent, without the `?`
//!   (`""` for none), e.g. `"search=100%25&limit=5"`;
//! - `body`: the JSON body (CSV text for [`TestApp::import_users`]).

use super::TestApp;
use reqwest::{Method, Response};
use serde_json::Value;
use std::fmt::Display;

const ACTIVITY: &str = "/api/activity";
const AUTH: &str = "/api/auth";
const CLIENTS: &str = "/api/clients";
const MODULES: &str = "/api/modules";
const USERS: &str = "/api/users-management";

/// `path`, and `?query` after it when there is one.
fn with_query(path: String, query: &str) -> String {
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

impl TestApp {
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request")
    }

    // Activity log.

    /// `GET /api/activity`
    pub async fn list_activity(&self, token: &str, query: &str) -> Response {
        let path = with_query(ACTIVITY.to_owned(), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `GET /api/activity/export`
    pub async fn export_activity(&self, token: &str, query: &str) -> Response {
        let path = with_query(format!("{ACTIVITY}/export"), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    // Authentication and the caller's own account.

    /// `POST /api/auth/login`; see also [`TestApp::login_response`] and
    /// [`TestApp::login_ok`].
    pub async fn login(&self, body: &Value) -> Response {
        let path = format!("{AUTH}/login");
        self.send(Method::POST, &path, None, Some(body)).await
    }

    /// `POST /api/auth/client-login`
    pub async fn client_login(&self, body: &Value) -> Response {
        let path = format!("{AUTH}/client-login");
        self.send(Method::POST, &path, None, Some(body)).await
    }

    /// `POST /api/auth/refresh`
    pub async fn refresh(&self, body: &Value) -> Response {
        let path = format!("{AUTH}/refresh");
        self.send(Method::POST, &path, None, Some(body)).await
    }

    /// `POST /api/auth/logout`
    pub async fn logout(&self, token: &str) -> Response {
        let path = format!("{AUTH}/logout");
        self.send(Method::POST, &path, Some(token), None).await
    }

    /// `POST /api/auth/logout-others`
    pub async fn logout_other_sessions(&self, token: &str) -> Response {
        let path = format!("{AUTH}/logout-others");
        self.send(Method::POST, &path, Some(token), None).await
    }

    /// `GET /api/auth/me`
    pub async fn get_me(&self, token: &str) -> Response {
        let path = format!("{AUTH}/me");
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `PUT /api/auth/me`
    pub async fn update_me(&self, token: &str, body: &Value) -> Response {
        let path = format!("{AUTH}/me");
        self.send(Method::PUT, &path, Some(token), Some(body)).await
    }

    /// `POST /api/auth/change-password`
    pub async fn change_password(&self, token: &str, body: &Value) -> Response {
        let path = format!("{AUTH}/change-password");
        self.send(Method::POST, &path, Some(token), Some(body))
            .await
    }

    // Clients.

    /// `GET /api/clients`
    pub async fn list_clients(&self, token: &str, query: &str) -> Response {
        let path = with_query(CLIENTS.to_owned(), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `POST /api/clients`
    pub async fn create_client(&self, token: &str, body: &Value) -> Response {
        self.send(Method::POST, CLIENTS, Some(token), Some(body))
            .await
    }

    /// `GET /api/clients/export`
    pub async fn export_clients(&self, token: &str, query: &str) -> Response {
        let path = with_query(format!("{CLIENTS}/export"), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `GET /api/clients/{id}`
    pub async fn get_client(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{CLIENTS}/{id}");
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `PUT /api/clients/{id}`
    pub async fn update_client(&self, token: &str, id: impl Display, body: &Value) -> Response {
        let path = format!("{CLIENTS}/{id}");
        self.send(Method::PUT, &path, Some(token), Some(body)).await
    }

    /// `GET /api/clients/{id}/credits`
    pub async fn list_client_credits(
        &self,
        token: &str,
        id: impl Display,
        query: &str,
    ) -> Response {
        let path = with_query(format!("{CLIENTS}/{id}/credits"), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `POST /api/clients/{id}/credits`
    pub async fn adjust_client_credits(
        &self,
        token: &str,
        id: impl Display,
        body: &Value,
    ) -> Response {
        let path = format!("{CLIENTS}/{id}/credits");
        self.send(Method::POST, &path, Some(token), Some(body))
            .await
    }

    /// `GET /api/clients/{id}/modules`
    pub async fn get_client_modules(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{CLIENTS}/{id}/modules");
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `PUT /api/clients/{id}/modules`
    pub async fn set_client_modules(
        &self,
        token: &str,
        id: impl Display,
        body: &Value,
    ) -> Response {
        let path = format!("{CLIENTS}/{id}/modules");
        self.send(Method::PUT, &path, Some(token), Some(body)).await
    }

    /// `POST /api/clients/{id}/reset-password`
    pub async fn reset_client_password(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{CLIENTS}/{id}/reset-password");
        self.send(Method::POST, &path, Some(token), None).await
    }

    /// `POST /api/clients/{id}/toggle-status`
    pub async fn toggle_client_status(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{CLIENTS}/{id}/toggle-status");
        self.send(Method::POST, &path, Some(token), None).await
    }

    /// `GET /api/clients/{id}/users`
    pub async fn list_client_users(&self, token: &str, id: impl Display, query: &str) -> Response {
        let path = with_query(format!("{CLIENTS}/{id}/users"), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `POST /api/clients/{id}/users`
    pub async fn reconcile_client(&self, token: &str, id: impl Display, query: &str) -> Response {
        let path = with_query(format!("{CLIENTS}/{id}/reconcile"), query);
        self.send(Method::POST, &path, Some(token), None).await
    }

    pub async fn add_client_user(&self, token: &str, id: impl Display, body: &Value) -> Response {
        let path = format!("{CLIENTS}/{id}/users");
        self.send(Method::POST, &path, Some(token), Some(body))
            .await
    }

    // Modules.

    /// `GET /api/modules`
    pub async fn list_modules(&self, token: &str) -> Response {
        self.send(Method::GET, MODULES, Some(token), None).await
    }

    /// `POST /api/modules`
    pub async fn create_module(&self, token: &str, body: &Value) -> Response {
        self.send(Method::POST, MODULES, Some(token), Some(body))
            .await
    }

    // The document, the dashboard, and the operator's probes.

    /// `GET /api/openapi.json`
    pub async fn get_openapi(&self) -> Response {
        self.send(Method::GET, "/api/openapi.json", None, None)
            .await
    }

    /// `GET /api/stats`
    pub async fn get_stats(&self, token: &str) -> Response {
        self.send(Method::GET, "/api/stats", Some(token), None)
            .await
    }

    /// `GET /healthz`
    pub async fn healthz(&self) -> Response {
        self.send(Method::GET, "/healthz", None, None).await
    }

    /// `GET /readyz`
    pub async fn readyz(&self) -> Response {
        self.send(Method::GET, "/readyz", None, None).await
    }

    /// `GET /metrics`
    pub async fn metrics(&self) -> Response {
        self.send(Method::GET, "/metrics", None, None).await
    }

    // Users.

    /// `GET /api/users-management`
    pub async fn list_users(&self, token: &str, query: &str) -> Response {
        let path = with_query(USERS.to_owned(), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `POST /api/users-management`
    pub async fn create_user(&self, token: &str, body: &Value) -> Response {
        self.send(Method::POST, USERS, Some(token), Some(body))
            .await
    }

    /// `GET /api/users-management/export`
    pub async fn export_users(&self, token: &str, query: &str) -> Response {
        let path = with_query(format!("{USERS}/export"), query);
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `POST /api/users-management/import`, sending `csv` as `text/csv`.
    pub async fn import_users(&self, token: &str, query: &str, csv: &str) -> Response {
        let path = with_query(format!("{USERS}/import"), query);
        self.post_csv(&path, csv, Some(token)).await
    }

    /// `GET /api/users-management/permissions`
    pub async fn list_permissions(&self, token: &str) -> Response {
        let path = format!("{USERS}/permissions");
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `GET /api/users-management/{id}`
    pub async fn get_user(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{USERS}/{id}");
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `PUT /api/users-management/{id}`
    pub async fn update_user(&self, token: &str, id: impl Display, body: &Value) -> Response {
        let path = format!("{USERS}/{id}");
        self.send(Method::PUT, &path, Some(token), Some(body)).await
    }

    /// `DELETE /api/users-management/{id}`
    pub async fn delete_user(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{USERS}/{id}");
        self.send(Method::DELETE, &path, Some(token), None).await
    }

    /// `GET /api/users-management/{id}/permissions`
    pub async fn get_user_permissions(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{USERS}/{id}/permissions");
        self.send(Method::GET, &path, Some(token), None).await
    }

    /// `PUT /api/users-management/{id}/permissions`
    pub async fn replace_user_permissions(
        &self,
        token: &str,
        id: impl Display,
        body: &Value,
    ) -> Response {
        let path = format!("{USERS}/{id}/permissions");
        self.send(Method::PUT, &path, Some(token), Some(body)).await
    }

    /// `POST /api/users-management/{id}/permissions`
    pub async fn add_user_permissions(
        &self,
        token: &str,
        id: impl Display,
        body: &Value,
    ) -> Response {
        let path = format!("{USERS}/{id}/permissions");
        self.send(Method::POST, &path, Some(token), Some(body))
            .await
    }

    pub async fn reset_user_password(&self, token: &str, id: impl Display) -> Response {
        let path = format!("{USERS}/{id}/reset-password");
        self.send(Method::POST, &path, Some(token), None).await
    }
}
