//! What the API answers and accepts: camelCase JSON, documented in the schema.

use crate::domain::{Role, User};
use crate::services::sessions::Session;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A user as the API shows it. The password hash is never part of it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": 1, "companyId": null, "name": "Administrator", "username": "admin",
    "email": "admin@example.com", "role": "super_admin", "permissions": [1, 2, 3],
    "isActive": true, "mustChangePassword": false, "createdBy": null,
    "lastLogin": "2026-01-01T00:00:00Z", "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:00:00Z"
}))]
pub struct UserView {
    pub id: i64,
    /// The client company the user belongs to; null for the operator's staff.
    pub company_id: Option<i64>,
    pub name: String,
    /// Unique, case-insensitive; shown in lower case.
    pub username: String,
    pub email: Option<String>,
    pub role: Role,
    /// Granted permission ids (see the permission catalogue).
    pub permissions: Vec<u8>,
    pub is_active: bool,
    /// The user must change its password before doing anything else.
    pub must_change_password: bool,
    pub created_by: Option<i64>,
    #[serde(with = "crate::routes::rfc3339::option")]
    pub last_login: Option<DateTime<Utc>>,
    #[serde(with = "crate::routes::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::routes::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            company_id: u.company_id,
            name: u.name.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            email: u.email.as_ref().map(|e| e.as_str().to_owned()),
            role: u.role,
            permissions: u.permissions.ids(),
            is_active: u.is_active,
            must_change_password: u.must_change_password,
            created_by: u.created_by,
            last_login: u.last_login.map(|t| t.to_datetime()),
            created_at: u.created_at.to_datetime(),
            updated_at: u.updated_at.to_datetime(),
        }
    }
}

/// Tokens for a new or refreshed session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "accessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    "refreshToken": "q3Jc1m5m0Vx8v1Q9u2m2XwH6P0gq1d3kq3n7m2y5b0c",
    "tokenType": "Bearer", "expiresIn": 900, "mustChangePassword": false,
    "user": {"id": 1, "companyId": null, "name": "Administrator", "username": "admin",
        "email": null, "role": "super_admin", "permissions": [1, 2, 3], "isActive": true,
        "mustChangePassword": false, "createdBy": null, "lastLogin": "2026-01-01T00:00:00Z",
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}
}))]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// A JWT (HS256) for `Authorization: Bearer …`.
    pub access_token: String,
    /// Single use: exchange it at `/api/auth/refresh` for a new pair.
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// While true, the tokens are good only for `me`, `change-password` and `logout`.
    pub must_change_password: bool,
    pub user: UserView,
}

impl From<Session> for TokenResponse {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            token_type: "Bearer".into(),
            expires_in: s.expires_in,
            must_change_password: s.user.must_change_password,
            user: UserView::from(&s.user),
        }
    }
}

/// A plain confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    #[schema(example = "Password changed")]
    pub message: String,
}

impl MessageResponse {
    pub fn new(m: impl Into<String>) -> Self {
        Self { message: m.into() }
    }
}

/// `{"user": …}`
#[derive(Debug, Serialize, ToSchema)]
pub struct UserEnvelope {
    pub user: UserView,
}

/// Deserialize a field that may be absent (`None`), null (`Some(None)`) or set.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Where a page of a list stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"total": 50, "limit": 10, "offset": 0, "hasMore": true, "totalExact": true}))]
pub struct Pagination {
    /// How many items match; at least this many when `totalExact` is false.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// Whether items follow this page.
    pub has_more: bool,
    /// False when the total is a lower bound: a user search counts its
    /// matches only up to 1,000 (the list then says "1,000 or more").
    pub total_exact: bool,
}

impl Pagination {
    pub fn new(total: i64, limit: i64, offset: i64, shown: usize) -> Self {
        Self {
            total,
            limit,
            offset,
            has_more: offset.saturating_add(shown as i64) < total,
            total_exact: true,
        }
    }

    /// A page of users, whose store knows whether more follow and whether
    /// the total was counted to the end.
    pub fn of_users(page: &crate::store::UserPage, limit: i64, offset: i64) -> Self {
        Self {
            total: page.total,
            limit,
            offset,
            has_more: page.has_more,
            total_exact: page.total_exact,
        }
    }
}

/// Check `limit` (1–100, default 10) and `offset` (≥ 0, default 0).
pub fn page(limit: Option<i64>, offset: Option<i64>) -> crate::error::Result<(i64, i64)> {
    let limit = limit.unwrap_or(10);
    let offset = offset.unwrap_or(0);
    let mut errors = crate::error::FieldErrors::new();
    if !(1..=100).contains(&limit) {
        errors.insert("limit".into(), vec!["must be between 1 and 100".into()]);
    }
    if offset < 0 {
        errors.insert("offset".into(), vec!["must not be negative".into()]);
    }
    if errors.is_empty() {
        Ok((limit, offset))
    } else {
        Err(crate::error::Error::fields(errors))
    }
}
