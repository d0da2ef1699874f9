//! `/api/auth`: login, client login, refresh, logout, the caller's profile and
//! password.

use super::extract::JsonObject;
use super::responses::{JsonBodyRefused, NotAuthenticated};
use super::views::{double_option, MessageResponse, TokenResponse, UserEnvelope, UserView};
use crate::auth::{Caller, PendingCaller, RequestMeta};
use crate::domain::{EmailAddress, PersonName, ProfileChanges};
use crate::error::{Error, ErrorBody, FieldErrors, Result};
use crate::services::sessions::{self, LoginInput};
use crate::state::AppState;
use actix_web::web::{Data, Json};
use actix_web::{get, post, put, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

/// Credentials.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin", "password": "correct horse battery"}))]
pub struct LoginRequest {
    /// Username or e-mail address (1–254 characters).
    #[validate(length(min = 1, max = 254, message = "must be 1 to 254 characters long"))]
    #[schema(min_length = 1, max_length = 254)]
    pub username: String,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

impl LoginRequest {
    fn into_input(self, client_only: bool) -> LoginInput {
        LoginInput {
            login: self.username,
            password: self.password,
            client_only,
        }
    }
}

/// Log in with a username (or e-mail address) and password.
///
/// Repeated failures are slowed down and then locked out for a while (answered
/// `429` with `Retry-After`). A user that must change its password gets tokens
/// good only for `me`, `change-password` and `logout`.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Wrong username or password", body = ErrorBody,
            example = json!({"error": "Invalid username or password"})),
        (status = 403, description = "The account or its client is deactivated", body = ErrorBody),
        JsonBodyRefused,
        (status = 429, description = "Too many failures; retry after `Retry-After` seconds", body = ErrorBody),
    )
)]
#[post("/login")]
pub async fn login(
    state: Data<AppState>,
    meta: RequestMeta,
    body: JsonObject<LoginRequest>,
) -> Result<Json<TokenResponse>> {
    body.validate()?;
    let session = sessions::login(&state, body.into_inner().into_input(false), &meta).await?;
    Ok(Json(session.into()))
}

/// Log in as a client's user (the client tab of the login page).
///
/// Same answers, throttling and first-login rules as `login`, but only users of
/// a client may use it: the operator's staff get the same `401` as a wrong password.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Wrong username or password, or not a client's user", body = ErrorBody),
        (status = 403, description = "The account or its client is deactivated", body = ErrorBody),
        JsonBodyRefused,
        (status = 429, description = "Too many failures; retry after `Retry-After` seconds", body = ErrorBody),
    )
)]
#[post("/client-login")]
pub async fn client_login(
    state: Data<AppState>,
    meta: RequestMeta,
    body: JsonObject<LoginRequest>,
) -> Result<Json<TokenResponse>> {
    body.validate()?;
    let session = sessions::login(&state, body.into_inner().into_input(true), &meta).await?;
    Ok(Json(session.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"refreshToken": "q3Jc1m5m0Vx8v1Q9u2m2XwH6P0gq1d3kq3n7m2y5b0c"}))]
pub struct RefreshRequest {
    /// The refresh token of the latest pair.
    #[schema(value_type = String, format = Password)]
    pub refresh_token: SecretString,
}

/// Exchange a refresh token for a new pair.
///
/// Refresh tokens are single use. Presenting one a second time ends its whole
/// session: whoever holds a copy is locked out along with the owner.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Unknown, expired, reused or revoked refresh token", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[post("/refresh")]
pub async fn refresh(
    state: Data<AppState>,
    meta: RequestMeta,
    body: JsonObject<RefreshRequest>,
) -> Result<Json<TokenResponse>> {
    use secrecy::ExposeSecret;
    let session = sessions::refresh(&state, body.refresh_token.expose_secret(), &meta).await?;
    Ok(Json(session.into()))
}

/// End the current session: its refresh token and access tokens stop working.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        NotAuthenticated,
    )
)]
#[post("/logout")]
pub async fn logout(state: Data<AppState>, caller: PendingCaller) -> Result<HttpResponse> {
    sessions::logout(&state, &caller.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The authenticated user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = UserEnvelope),
        NotAuthenticated,
    )
)]
#[get("/me")]
pub async fn get_me(caller: PendingCaller) -> Json<UserEnvelope> {
    Json(UserEnvelope {
        user: UserView::from(&caller.0.user),
    })
}

/// Changes to one's own profile. Role, permissions, company and status are not
/// among them: sending any other field is an error.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ada Lovelace", "email": "ada@example.com"}))]
pub struct UpdateMeRequest {
    /// 1–100 characters.
    #[serde(default)]
    #[schema(min_length = 1)]
    pub name: Option<String>,
    /// An e-mail address, unique within the company; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
}

/// End every other session of the caller (other browsers and devices): their
/// refresh and access tokens stop working at once; this one goes on.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every other session ended"),
        NotAuthenticated,
        (status = 403, description = "The caller must change its password first", body = ErrorBody),
    )
)]
#[post("/logout-others")]
pub async fn logout_other_sessions(state: Data<AppState>, caller: Caller) -> Result<HttpResponse> {
    sessions::logout_others(&state, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

impl TryFrom<UpdateMeRequest> for ProfileChanges {
    type Error = Error;

    /// Every field sent, parsed; every field's error together.
    fn try_from(r: UpdateMeRequest) -> std::result::Result<Self, Error> {
        let mut details = FieldErrors::new();
        let name = match r.name.as_deref().map(PersonName::parse).transpose() {
            Ok(n) => n,
            Err(e) => {
                details.insert("name".into(), vec![e.0]);
                None
            }
        };
        let email = match r.email {
            None => None,
            Some(None) => Some(None),
            Some(Some(e)) => match EmailAddress::parse(&e) {
                Ok(e) => Some(Some(e)),
                Err(err) => {
                    details.insert("email".into(), vec![err.0]);
                    None
                }
            },
        };
        if !details.is_empty() {
            return Err(Error::fields(details));
        }
        Ok(ProfileChanges { name, email })
    }
}

/// Update the authenticated user's own name and e-mail address.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The updated user", body = UserEnvelope),
        (status = 400, description = "Invalid value, or a field that cannot be set here", body = ErrorBody),
        NotAuthenticated,
        (status = 409, description = "The e-mail address is taken in this company", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[put("/me")]
pub async fn update_me(
    state: Data<AppState>,
    caller: PendingCaller,
    body: JsonObject<UpdateMeRequest>,
) -> Result<Json<UserEnvelope>> {
    let changes = ProfileChanges::try_from(body.into_inner())?;
    let user = sessions::update_me(&state, &caller.0, changes).await?;
    Ok(Json(UserEnvelope {
        user: UserView::from(&user),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"currentPassword": "the-printed-password", "newPassword": "a-long-and-private-one"}))]
pub struct ChangePasswordRequest {
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// 8–128 characters, not one of the most common passwords.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub new_password: SecretString,
}

/// Change one's own password.
///
/// Clears `mustChangePassword` and ends every other session of the user; the
/// current session stays open.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Password changed", body = MessageResponse),
        (status = 400, description = "Wrong current password, or the new one breaks the policy", body = ErrorBody),
        NotAuthenticated,
        JsonBodyRefused,
        (status = 429, description = "Too many wrong current passwords", body = ErrorBody),
    )
)]
#[post("/change-password")]
pub async fn change_password(
    state: Data<AppState>,
    caller: PendingCaller,
    body: JsonObject<ChangePasswordRequest>,
) -> Result<Json<MessageResponse>> {
    let body = body.into_inner();
    sessions::change_password(&state, &caller.0, body.current_password, body.new_password).await?;
    Ok(Json(MessageResponse::new("Password changed")))
}
