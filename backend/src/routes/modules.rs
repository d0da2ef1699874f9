//! `/api/modules` (the catalogue) and `/api/clients/{id}/modules` (a client's
//! active modules), seed 000.

use super::extract::JsonObject;
use super::responses::{JsonBodyRefused, NotAuthenticated};
use crate::auth::Caller;
use crate::domain::Module;
use crate::error::{ErrorBody, Result};
use crate::services::modules;
use crate::state::AppState;
use actix_web::web::{Data, Json, Path};
use actix_web::{get, post, put, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A product module of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleView {
    #[schema(example = "billing")]
    pub name: String,
    #[schema(example = "Billing")]
    pub label: String,
    #[serde(with = "crate::routes::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<&Module> for ModuleView {
    fn from(m: &Module) -> Self {
        Self {
            name: m.name.clone(),
            label: m.label.clone(),
            created_at: m.created_at.to_datetime(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleCatalogue {
    pub modules: Vec<ModuleView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleEnvelope {
    pub module: ModuleView,
}

/// A new catalogue entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "payroll", "label": "Payroll"}))]
pub struct NewModuleRequest {
    /// 2–50 lower-case letters, digits or `_`, starting with a letter.
    pub name: String,
    /// 1–100 characters.
    pub label: String,
}

/// A client's active modules.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientModules {
    pub client_id: i64,
    #[schema(example = json!(["billing", "reports"]))]
    pub modules: Vec<String>,
}

/// The modules a client should have active (replaces the set).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"modules": ["billing", "reports"]}))]
pub struct SetClientModulesRequest {
    /// Names from the catalogue.
    pub modules: Vec<String>,
}

/// The module catalogue.
#[utoipa::path(
    tag = "modules",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every module", body = ModuleCatalogue),
        NotAuthenticated,
        (status = 403, description = "The caller must change its password first", body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_modules(state: Data<AppState>, _caller: Caller) -> Result<Json<ModuleCatalogue>> {
    let all = modules::catalogue(&state).await?;
    Ok(Json(ModuleCatalogue {
        modules: all.iter().map(ModuleView::from).collect(),
    }))
}

/// Add a module to the catalogue: operator staff holding permission 60.
#[utoipa::path(
    tag = "modules",
    security(("bearer" = [])),
    request_body = NewModuleRequest,
    responses(
        (status = 201, description = "Added", body = ModuleEnvelope),
        (status = 400, description = "Invalid name or label", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 60", body = ErrorBody),
        (status = 409, description = "A module with this name exists", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[post("")]
pub async fn create_module(
    state: Data<AppState>,
    caller: Caller,
    body: JsonObject<NewModuleRequest>,
) -> Result<HttpResponse> {
    let m = modules::add(&state, &caller, &body.name, &body.label).await?;
    Ok(HttpResponse::Created().json(ModuleEnvelope {
        module: ModuleView::from(&m),
    }))
}

/// A client's active modules: operator staff with permission 20, or the
/// client's own users.
#[utoipa::path(
    tag = "modules",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    responses(
        (status = 200, description = "The active modules", body = ClientModules),
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 20", body = ErrorBody),
        (status = 404, description = "No such client (or outside the caller's scope)", body = ErrorBody),
    )
)]
#[get(r"/{id:-?\d+}/modules")]
pub async fn get_client_modules(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<Json<ClientModules>> {
    let client_id = id.into_inner();
    let modules = modules::of_client(&state, &caller, client_id).await?;
    Ok(Json(ClientModules { client_id, modules }))
}

/// Set a client's active modules: operator staff with permission 22. Users
/// keep only modules that are still active.
#[utoipa::path(
    tag = "modules",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    request_body = SetClientModulesRequest,
    responses(
        (status = 200, description = "The active modules now", body = ClientModules),
        (status = 400, description = "Invalid id, or A name not in the catalogue", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 22", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[put(r"/{id:-?\d+}/modules")]
pub async fn set_client_modules(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: JsonObject<SetClientModulesRequest>,
) -> Result<Json<ClientModules>> {
    let client_id = id.into_inner();
    let modules = modules::set_for_client(&state, &caller, client_id, &body.modules).await?;
    Ok(Json(ClientModules { client_id, modules }))
}
