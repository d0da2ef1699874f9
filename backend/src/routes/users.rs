//! `/api/users-management`: the seed 003 users API, with the additions of
//! issue #4 (email, role, modules, filters, sort, import and export).

use super::clients::Credentials;
use super::extract::JsonObject;
use super::responses::{JsonBodyRefused, NotAuthenticated};
use super::views::{double_option, page, Pagination, UserView};
use crate::auth::Caller;
use crate::domain::{
    ManagedUser, Permission, PermissionInfo, Role, Timestamp, User, UserText, CATALOGUE,
};
use crate::error::{Error, ErrorBody, Result};
use crate::services::import::{self, ImportReport};
use crate::services::users;
use crate::state::AppState;
use crate::store::{UserFilter, UserSortKey};
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{delete, get, post, put, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A user with its modules.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagedUserView {
    #[serde(flatten)]
    pub user: UserView,
    /// The product modules the user may use: its own choice, or else all its
    /// client's active modules. Always empty for the operator's staff.
    pub modules: Vec<String>,
}

impl From<&ManagedUser> for ManagedUserView {
    fn from(m: &ManagedUser) -> Self {
        Self {
            user: UserView::from(&m.user),
            modules: m.modules.clone(),
        }
    }
}

/// The permission catalogue.
#[derive(Serialize, ToSchema)]
pub struct PermissionCatalogue {
    pub permissions: Vec<PermissionInfo>,
}

/// `{"users": […], "pagination": {…}}` (seed 003).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<ManagedUserView>,
    pub pagination: Pagination,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManagedUserEnvelope {
    pub user: ManagedUserView,
}

/// `{"message": …, "user": …}`
#[derive(Debug, Serialize, ToSchema)]
pub struct UserSaved {
    #[schema(example = "User created successfully")]
    pub message: String,
    pub user: ManagedUserView,
}

/// A new user (seed 003). The password is hashed, and the user must change it
/// at first login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "name": "John Doe", "username": "john.doe", "password": "Correct-Horse-9",
    "companyId": 1, "isActive": true, "permissions": [1, 2, 3]
}))]
pub struct CreateUserRequest {
    /// 1–100 characters.
    pub name: String,
    /// 3–64 characters: letters, digits, `.`, `_`, `-`; unique, case-insensitive.
    pub username: String,
    /// 8–128 characters, not a common password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub password: SecretString,
    /// The client company. Required for client users; left out (or null) for the
    /// operator's staff; always the caller's own for client-side callers.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub company_id: Option<Option<i64>>,
    /// If sent, it must be the caller's own id.
    #[serde(default)]
    pub created_by: Option<i64>,
    /// Default true.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Permission ids (default none); only ones the caller holds.
    #[serde(default)]
    pub permissions: Option<Vec<i64>>,
    /// Unique within the company.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<Option<String>>,
    /// Default `user`; never above the caller's own.
    #[serde(default)]
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    /// The user's modules, each active for its client; default (or null): all
    /// the client's active modules.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub modules: Option<Option<Vec<String>>>,
}

/// Changes to a user: only the fields sent change (seed 003).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"name": "John Smith", "permissions": [1, 2, 3, 4]}))]
pub struct UpdateUserRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    /// A new password set by an admin: the user must change it at next login,
    /// and its sessions end.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Password, min_length = 8, max_length = 128)]
    pub password: Option<SecretString>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub company_id: Option<Option<i64>>,
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default)]
    pub permissions: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    /// The user's modules; null: back to all its client's active modules.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub modules: Option<Option<Vec<String>>>,
}

impl CreateUserRequest {
    /// The fields sent, as the rules read them.
    fn text(&self) -> UserText<'_> {
        UserText {
            name: Some(&self.name),
            username: Some(&self.username),
            password: Some(self.password.clone()),
            email: self.email.as_ref().map(Option::as_deref),
            role: self.role.as_deref(),
            company_id: self.company_id,
            is_active: self.is_active,
            permissions: self.permissions.as_deref(),
            modules: self.modules.as_ref().map(Option::as_deref),
        }
    }
}

impl UpdateUserRequest {
    /// The fields sent, as the rules read them.
    fn text(&self) -> UserText<'_> {
        UserText {
            name: self.name.as_deref(),
            username: self.username.as_deref(),
            password: self.password.clone(),
            email: self.email.as_ref().map(Option::as_deref),
            role: self.role.as_deref(),
            company_id: self.company_id,
            is_active: self.is_active,
            permissions: self.permissions.as_deref(),
            modules: self.modules.as_ref().map(Option::as_deref),
        }
    }
}

/// Sort order: a field, ascending, or with `-` descending.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum UserSort {
    #[serde(rename = "createdAt")]
    CreatedAt,
    #[serde(rename = "-createdAt")]
    CreatedAtDesc,
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "username")]
    Username,
    #[serde(rename = "-username")]
    UsernameDesc,
    #[serde(rename = "lastLogin")]
    LastLogin,
    #[serde(rename = "-lastLogin")]
    LastLoginDesc,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// 1–100, default 10.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Part of the name, username or e-mail (at most 200 characters).
    #[param(max_length = 200)]
    pub search: Option<String>,
    pub is_active: Option<bool>,
    #[param(inline)]
    pub role: Option<Role>,
    /// Only this client's users (client-side callers only ever see their own).
    pub company_id: Option<i64>,
    /// Only users holding this permission id (one of the catalogue's).
    #[param(schema_with = permission_id_schema)]
    pub permission: Option<i64>,
    /// Default `-createdAt` (newest first).
    #[param(inline)]
    pub sort: Option<UserSort>,
}

/// A permission id of the catalogue, as a schema: an integer enum.
fn permission_id_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some(CATALOGUE.iter().map(|p| p.id)))
        .build()
}

impl UserListQuery {
    pub fn filter(&self) -> Result<UserFilter> {
        let (limit, offset) = page(self.limit, self.offset)?;
        if self
            .search
            .as_ref()
            .is_some_and(|s| s.chars().count() > 200)
        {
            return Err(Error::field(
                "search",
                "must be at most 200 characters long",
            ));
        }
        let permission = self
            .permission
            .map(|id| {
                Permission::from_id(id).ok_or_else(|| {
                    Error::field("permission", format!("unknown permission id {id}"))
                })
            })
            .transpose()?;
        use UserSort::*;
        let (sort, descending) = match self.sort.unwrap_or(CreatedAtDesc) {
            CreatedAt => (UserSortKey::CreatedAt, false),
            CreatedAtDesc => (UserSortKey::CreatedAt, true),
            Name => (UserSortKey::Name, false),
            NameDesc => (UserSortKey::Name, true),
            Username => (UserSortKey::Username, false),
            UsernameDesc => (UserSortKey::Username, true),
            LastLogin => (UserSortKey::LastLogin, false),
            LastLoginDesc => (UserSortKey::LastLogin, true),
        };
        Ok(UserFilter {
            company_id: self.company_id,
            search: self.search.clone(),
            is_active: self.is_active,
            role: self.role,
            permission,
            sort,
            descending,
            limit,
            offset,
        })
    }
}

/// List users: search, filter, sort and page (seed 003, plus filters and sort).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserListQuery),
    responses(
        (status = 200, description = "A page of users", body = UserList),
        (status = 400, description = "Invalid query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 1", body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_users(
    state: Data<AppState>,
    caller: Caller,
    query: Query<UserListQuery>,
) -> Result<Json<UserList>> {
    let filter = query.filter()?;
    let (limit, offset) = (filter.limit, filter.offset);
    let page = users::list(&state, &caller, filter).await?;
    Ok(Json(UserList::new(&page, limit, offset)))
}

impl UserList {
    pub fn new(page: &crate::store::UserPage, limit: i64, offset: i64) -> Self {
        Self {
            pagination: Pagination::of_users(page, limit, offset),
            users: page.users.iter().map(ManagedUserView::from).collect(),
        }
    }
}

/// Create a user (seed 003). `companyId` is required for client users; only a
/// super admin creates operator staff; nobody grants a role or permission above
/// its own.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = UserSaved),
        (status = 400, description = "Invalid fields (see `details`), unknown permission ids", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 2, or a role or permission above the caller's", body = ErrorBody),
        (status = 404, description = "No such client (or outside the caller's scope)", body = ErrorBody),
        (status = 409, description = "Username already exists, or the e-mail within the company", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[post("")]
pub async fn create_user(
    state: Data<AppState>,
    caller: Caller,
    body: JsonObject<CreateUserRequest>,
) -> Result<HttpResponse> {
    let user = users::create(&state, &caller, body.text(), body.created_by).await?;
    Ok(HttpResponse::Created().json(UserSaved {
        message: "User created successfully".into(),
        user: ManagedUserView::from(&user),
    }))
}

/// The fixed permission catalogue (seed 003): every permission id, its name and
/// what it allows.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The catalogue", body = PermissionCatalogue),
        NotAuthenticated,
        (status = 403, description = "The caller must change its password first", body = ErrorBody),
    )
)]
#[get("/permissions")]
pub async fn list_permissions(_caller: Caller) -> Json<PermissionCatalogue> {
    Json(PermissionCatalogue {
        permissions: CATALOGUE.to_vec(),
    })
}

/// Export the users matching the list's filters as CSV, streamed.
///
/// UTF-8 with a header row; cells a spreadsheet would run as formulas are
/// neutralised with a leading `'`. No password hashes are exported.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserListQuery),
    responses(
        (status = 200, description = "CSV of the matching users", content_type = "text/csv", body = String),
        (status = 400, description = "Invalid query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 1", body = ErrorBody),
    )
)]
#[get("/export")]
pub async fn export_users(
    state: Data<AppState>,
    caller: Caller,
    query: Query<UserListQuery>,
) -> Result<HttpResponse> {
    let filter = query.filter()?;
    let rows = users::export(&state, &caller, filter).await?;
    const HEADER: [&str; 12] = [
        "id",
        "username",
        "name",
        "email",
        "role",
        "companyId",
        "permissions",
        "isActive",
        "mustChangePassword",
        "lastLogin",
        "createdAt",
        "updatedAt",
    ];
    Ok(super::csv_response("users", &HEADER, rows, |u, out| {
        // The cells that are not text already, written on the stack but for
        // the permissions.
        let (mut id, mut company) = (itoa::Buffer::new(), itoa::Buffer::new());
        let permissions = u
            .permissions
            .ids()
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        let last_login = u.last_login.map(Timestamp::rfc3339).unwrap_or_default();
        let (created_at, updated_at) = (u.created_at.rfc3339(), u.updated_at.rfc3339());
        let cells: [&str; 12] = [
            id.format(u.id),
            u.username.as_str(),
            u.name.as_str(),
            u.email.as_ref().map_or("", |e| e.as_str()),
            u.role.as_str(),
            u.company_id.map(|c| company.format(c)).unwrap_or_default(),
            &permissions,
            if u.is_active { "true" } else { "false" },
            if u.must_change_password {
                "true"
            } else {
                "false"
            },
            last_login.as_str(),
            created_at.as_str(),
            updated_at.as_str(),
        ];
        out.push(&cells)
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Validate every row and answer the report without writing anything.
    pub dry_run: Option<bool>,
}

/// A failed import: nothing was written. Invalid rows answer the `report`; a
/// file that cannot be read at all answers `details` (`{"csv": [...]}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportFailed {
    #[schema(example = "1 of 3 rows are invalid; nothing was imported")]
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub details: Option<std::collections::BTreeMap<String, Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub report: Option<ImportReport>,
}

/// Import users from CSV (seed 002's next steps).
///
/// Columns (header row required, any order): `name`, `username` (required),
/// `email`, `role` (default `user`), `permissions` (ids separated by spaces or
/// `;`), `companyId`. At most 1,000 rows and 1 MiB. Each user gets a generated password,
/// answered once in the report, and must change it at first login.
/// With `dryRun=true` every row is checked and nothing is written; otherwise
/// every row is created in one transaction, or none is.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "CSV with a header row"),
    responses(
        (status = 200, description = "Dry run: the report; nothing was written", body = ImportReport),
        (status = 201, description = "Every row was created", body = ImportReport),
        (status = 400, description = "Unreadable CSV, or invalid rows (nothing was written)", body = ImportFailed),
        NotAuthenticated,
        (status = 403, description = "Missing permission 2", body = ErrorBody),
        (status = 409, description = "A username or e-mail was taken meanwhile; nothing was written", body = ErrorBody),
        (status = 413, description = "The file is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "Not text/csv", body = ErrorBody),
    )
)]
#[post("/import")]
pub async fn import_users(
    state: Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: Query<ImportQuery>,
    mut payload: actix_web::web::Payload,
) -> Result<HttpResponse> {
    let ct = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !(ct.starts_with("text/csv") || ct.starts_with("text/plain")) {
        return Err(Error::UnsupportedMediaType(
            "Send the users as text/csv".into(),
        ));
    }
    // A file of its own size limit: up to 1,000 rows of about a kilobyte.
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Error::BadRequest(format!("Cannot read the body: {e}")))?;
        if body.len() + chunk.len() > import::MAX_BYTES {
            return Err(Error::PayloadTooLarge(format!(
                "The file is larger than {} bytes",
                import::MAX_BYTES
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let dry_run = query.dry_run.unwrap_or(false);
    let report = import::run(&state, &caller, &body, dry_run).await?;
    Ok(if dry_run {
        HttpResponse::Ok().json(report)
    } else if report.invalid > 0 {
        HttpResponse::BadRequest().json(ImportFailed {
            error: format!(
                "{} of {} rows are invalid; nothing was imported",
                report.invalid, report.total
            ),
            details: None,
            report: Some(report),
        })
    } else {
        HttpResponse::Created().json(report)
    })
}

/// One user (seed 003).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = ManagedUserEnvelope),
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 1", body = ErrorBody),
        (status = 404, description = "User not found (or outside the caller's scope)", body = ErrorBody),
    )
)]
#[get(r"/{id:-?\d+}")]
pub async fn get_user(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<Json<ManagedUserEnvelope>> {
    let user = users::get(&state, &caller, id.into_inner()).await?;
    Ok(Json(ManagedUserEnvelope {
        user: ManagedUserView::from(&user),
    }))
}

/// Update a user: only the fields sent change (seed 003).
///
/// Nobody changes its own role, permissions, company or status here; changing
/// permissions needs permission 5 as well.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "Updated", body = UserSaved),
        (status = 400, description = "Invalid id, or invalid fields (see `details`)", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 3 (or 5), or a change above the caller's own role or permissions", body = ErrorBody),
        (status = 404, description = "User not found (or outside the caller's scope)", body = ErrorBody),
        (status = 409, description = "Username already exists, or the e-mail within the company", body = ErrorBody),
        JsonBodyRefused,
        (status = 429, description = "Too many password resets by this caller, or of this user, within 15 minutes (see `Retry-After`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[put(r"/{id:-?\d+}")]
pub async fn update_user(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: JsonObject<UpdateUserRequest>,
) -> Result<Json<UserSaved>> {
    let user = users::update(&state, &caller, id.into_inner(), body.text()).await?;
    Ok(Json(UserSaved {
        message: "User updated successfully".into(),
        user: ManagedUserView::from(&user),
    }))
}

/// Deleting users is disabled (seed 003): deactivate them with `isActive: false`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Always: `Delete user functionality has been disabled`", body = ErrorBody),
        (status = 404, description = "The id is not a number: no such route", body = ErrorBody),
    )
)]
#[delete(r"/{id:-?\d+}")]
pub async fn delete_user(_caller: Caller, _id: Path<i64>) -> Result<HttpResponse> {
    Err(Error::Forbidden(
        "Delete user functionality has been disabled".into(),
    ))
}

/// One permission of a user, named.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionDetail {
    pub id: u8,
    pub name: String,
    /// Whether the id is in the catalogue (always true for stored permissions).
    pub valid: bool,
}

/// A user's permissions (seed 003).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserPermissions {
    /// On changes: `User permissions updated successfully` or `Permissions added successfully`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub permissions: Vec<u8>,
    pub permission_details: Vec<PermissionDetail>,
    /// On `POST`: the permissions this call added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_permissions: Option<Vec<u8>>,
}

impl UserPermissions {
    fn of(user: &User, message: Option<&str>, added: Option<Vec<u8>>) -> Self {
        let ids = user.permissions.ids();
        Self {
            message: message.map(str::to_owned),
            user_id: user.id,
            username: user.username.as_str().to_owned(),
            name: user.name.as_str().to_owned(),
            permission_details: ids
                .iter()
                .map(|id| {
                    let info = Permission::from_id(i64::from(*id)).map(Permission::info);
                    PermissionDetail {
                        id: *id,
                        name: info.map(|i| i.name.to_owned()).unwrap_or_default(),
                        valid: info.is_some(),
                    }
                })
                .collect(),
            permissions: ids,
            added_permissions: added,
        }
    }
}

/// A user's new one-time password, answered once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserPasswordReset {
    #[schema(example = "Password reset successfully")]
    pub message: String,
    pub user: ManagedUserView,
    pub credentials: Credentials,
}

/// Give a user a new generated password, answered once.
///
/// The old password stops working and every session of the user ends; the
/// user must change the new password at its next login. Permission 3, and
/// never for a user above the caller (a role or a permission it lacks, or its
/// client's owner for a client-side caller); one's own password is changed at
/// `/api/auth/change-password`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "New one-time credentials", body = UserPasswordReset),
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 3, the caller itself, or a user above the caller", body = ErrorBody),
        (status = 404, description = "User not found (or outside the caller's scope)", body = ErrorBody),
        (status = 429, description = "Too many password resets by this caller, or of this user, within 15 minutes (see `Retry-After`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post(r"/{id:-?\d+}/reset-password")]
pub async fn reset_user_password(
    state: Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: Path<i64>,
) -> Result<Json<UserPasswordReset>> {
    let done = users::reset_password(&state, &caller, id.into_inner()).await?;
    Ok(Json(UserPasswordReset {
        message: "Password reset successfully".into(),
        credentials: Credentials {
            username: done.user.user.username.as_str().to_owned(),
            password: done.password.expose().to_owned(),
            login_url: super::clients::login_url(&state, &req),
        },
        user: ManagedUserView::from(&done.user),
    }))
}

/// Permission ids to set or add (seed 003).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"permissions": [1, 2, 3, 4, 5], "updatedBy": 1}))]
pub struct PermissionsRequest {
    pub permissions: Vec<i64>,
    /// If sent, it must be the caller's own id.
    #[serde(default)]
    pub updated_by: Option<i64>,
}

/// A user's permissions with their names (seed 003).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The permissions", body = UserPermissions),
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 1", body = ErrorBody),
        (status = 404, description = "User not found (or outside the caller's scope)", body = ErrorBody),
    )
)]
#[get(r"/{id:-?\d+}/permissions")]
pub async fn get_user_permissions(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<Json<UserPermissions>> {
    let user = users::permissions(&state, &caller, id.into_inner()).await?;
    Ok(Json(UserPermissions::of(&user, None, None)))
}

/// Replace a user's permissions (seed 003). Needs permission 5; only
/// permissions the caller holds may change.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = PermissionsRequest,
    responses(
        (status = 200, description = "Replaced", body = UserPermissions),
        (status = 400, description = "Invalid id, or unknown permission ids", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 5, or a permission the caller does not hold", body = ErrorBody),
        (status = 404, description = "User not found (or outside the caller's scope)", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[put(r"/{id:-?\d+}/permissions")]
pub async fn replace_user_permissions(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: JsonObject<PermissionsRequest>,
) -> Result<Json<UserPermissions>> {
    let done = users::change_permissions(
        &state,
        &caller,
        id.into_inner(),
        &body.permissions,
        body.updated_by,
        false,
    )
    .await?;
    Ok(Json(UserPermissions::of(
        &done.user,
        Some("User permissions updated successfully"),
        None,
    )))
}

/// Add permissions to a user, keeping the ones it has (seed 003).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = PermissionsRequest,
    responses(
        (status = 200, description = "Added", body = UserPermissions),
        (status = 400, description = "Invalid id, or unknown permission ids", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 5, or a permission the caller does not hold", body = ErrorBody),
        (status = 404, description = "User not found (or outside the caller's scope)", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[post(r"/{id:-?\d+}/permissions")]
pub async fn add_user_permissions(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: JsonObject<PermissionsRequest>,
) -> Result<Json<UserPermissions>> {
    let done = users::change_permissions(
        &state,
        &caller,
        id.into_inner(),
        &body.permissions,
        body.updated_by,
        true,
    )
    .await?;
    Ok(Json(UserPermissions::of(
        &done.user,
        Some("Permissions added successfully"),
        Some(done.added.ids()),
    )))
}
