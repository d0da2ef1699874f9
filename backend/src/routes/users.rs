//! `/api/users-management`: the seed 003 users API.

use crate::auth::Caller;
use crate::domain::{PermissionInfo, CATALOGUE};
use crate::error::ErrorBody;
use actix_web::get;
use actix_web::web::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The permission catalogue.
#[derive(Serialize, ToSchema)]
pub struct PermissionCatalogue {
    pub permissions: Vec<PermissionInfo>,
}

/// The fixed permission catalogue (seed 003): every permission id, its name and
/// what it allows.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The catalogue", body = PermissionCatalogue),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "The caller must change its password first", body = ErrorBody),
    )
)]
#[get("/permissions")]
pub async fn list_permissions(_caller: Caller) -> Json<PermissionCatalogue> {
    Json(PermissionCatalogue {
        permissions: CATALOGUE.to_vec(),
    })
}
