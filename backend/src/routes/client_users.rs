//! `/api/clients/{id}/users`: a client's users (seed 000's "Add New User").

use super::clients::Credentials;
use super::extract::JsonObject;
use super::responses::{JsonBodyRefused, NotAuthenticated};
use super::users::{ManagedUserView, UserList, UserListQuery};
use crate::auth::Caller;
use crate::error::{ErrorBody, Result};
use crate::services::users;
use crate::state::AppState;
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{get, post, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A user to add to a client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ravi Kumar", "email": "ravi@abc.store", "role": "user"}))]
pub struct AddClientUserRequest {
    /// 1–100 characters.
    pub name: String,
    /// Unique within the client (free across clients).
    #[schema(format = Email)]
    pub email: String,
    /// `user` (default) or `client_admin`.
    #[serde(default)]
    #[schema(example = "user")]
    pub role: Option<String>,
}

/// The new user with its temporary credentials, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientUserCreated {
    #[schema(example = "User created successfully")]
    pub message: String,
    pub user: ManagedUserView,
    pub credentials: Credentials,
}

/// A client's users (same query as the users list, within the client).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id"), UserListQuery),
    responses(
        (status = 200, description = "A page of the client's users", body = UserList),
        (status = 400, description = "Invalid id, or invalid query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 1", body = ErrorBody),
        (status = 404, description = "No such client (or outside the caller's scope)", body = ErrorBody),
    )
)]
#[get(r"/{id:-?\d+}/users")]
pub async fn list_client_users(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    query: Query<UserListQuery>,
) -> Result<Json<UserList>> {
    let client_id = id.into_inner();
    let mut filter = query.filter()?;
    users::client_in_scope(&state, &caller, client_id).await?;
    filter.company_id = Some(client_id);
    let (limit, offset) = (filter.limit, filter.offset);
    let page = users::list(&state, &caller, filter).await?;
    Ok(Json(UserList::new(&page, limit, offset)))
}

/// Add a user to a client with a generated temporary password, answered once.
///
/// The user gets all the client's active modules and must change the password
/// at first login. Roles: `user` or `client_admin` only.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    request_body = AddClientUserRequest,
    responses(
        (status = 201, description = "Created, with one-time credentials", body = ClientUserCreated),
        (status = 400, description = "Invalid id, or invalid fields, or a role other than user / client_admin", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 2, or a role above the caller's", body = ErrorBody),
        (status = 404, description = "No such client (or outside the caller's scope)", body = ErrorBody),
        (status = 409, description = "The e-mail is taken within this client", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[post(r"/{id:-?\d+}/users")]
pub async fn add_client_user(
    state: Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: Path<i64>,
    body: JsonObject<AddClientUserRequest>,
) -> Result<HttpResponse> {
    let done = users::create_client_user(
        &state,
        &caller,
        id.into_inner(),
        &body.name,
        &body.email,
        body.role.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(ClientUserCreated {
        message: "User created successfully".into(),
        credentials: Credentials {
            username: done.user.user.username.as_str().to_owned(),
            password: done.password.expose().to_owned(),
            login_url: super::clients::login_url(&state, &req),
        },
        user: ManagedUserView::from(&done.user),
    }))
}
