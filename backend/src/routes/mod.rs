//! Routes: one file per resource. Handlers are small: extract, call the rules,
//! answer. Routing and the OpenAPI document come from the same registration, so
//! a routed handler cannot be missing from the document.

pub mod activity;
pub mod auth;
pub mod client_users;
pub mod clients;
pub mod csv;
pub mod extract;
pub mod modules;
pub mod ops;
pub mod responses;
pub mod rfc3339;
pub mod stats;
pub mod users;
pub mod views;

use crate::error::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clientele API",
        description = "Onboard client companies, hand out their credentials, and manage \
            everyone who logs in for them.\n\nErrors are `{\"error\": \"…\"}`, with \
            `details: {field: [messages]}` for validation errors. No text may contain NUL \
            (U+0000): a request carrying one, in its URL or body, is refused with 400. \
            Authenticate with \
            `POST /api/auth/login` and send `Authorization: Bearer <accessToken>`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "Logging in and the caller's own account"),
        (name = "clients", description = "Client companies: onboarding, credentials, credits, export"),
        (name = "users", description = "The users-management API (seed 003)"),
        (name = "modules", description = "Product modules: the catalogue and each client's active ones"),
        (name = "activity", description = "The activity log"),
        (name = "stats", description = "The dashboard's figures"),
        (name = "ops", description = "Health, readiness and metrics"),
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The `accessToken` from `POST /api/auth/login`"))
                    .build(),
            ),
        );
    }
}

/// Every documented route of the service.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(ops::get_openapi)
        .service(
            scope::scope("/api/auth")
                .service(auth::login)
                .service(auth::client_login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::logout_other_sessions)
                .service(auth::get_me)
                .service(auth::update_me)
                .service(auth::change_password),
        )
        .service(
            scope::scope("/api/clients")
                .service(clients::list_clients)
                .service(clients::create_client)
                // Before `/{id}`, which would otherwise take "export" for an id.
                .service(clients::export_clients)
                .service(clients::get_client)
                .service(clients::update_client)
                .service(clients::reset_client_password)
                .service(clients::toggle_client_status)
                .service(clients::adjust_client_credits)
                .service(clients::list_client_credits)
                .service(clients::reconcile_client)
                .service(modules::get_client_modules)
                .service(modules::set_client_modules)
                .service(client_users::list_client_users)
                .service(client_users::add_client_user),
        )
        .service(
            scope::scope("/api/users-management")
                .service(users::list_users)
                .service(users::create_user)
                // Before `/{id}`, which would otherwise take these for ids.
                .service(users::list_permissions)
                .service(users::export_users)
                .service(users::import_users)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::delete_user)
                .service(users::get_user_permissions)
                .service(users::replace_user_permissions)
                .service(users::add_user_permissions)
                .service(users::reset_user_password),
        )
        .service(
            scope::scope("/api/modules")
                .service(modules::list_modules)
                .service(modules::create_module),
        )
        .service(scope::scope("/api/stats").service(stats::get_stats))
        .service(
            scope::scope("/api/activity")
                .service(activity::list_activity)
                .service(activity::export_activity),
        );
}

/// A streamed CSV download named `<what>-<date>.csv`: the header, then one line
/// per row written by `write` (into [`csv::Lines`]), every cell formula-safe. Each batch of rows from the store is one chunk of the body, so
/// memory stays flat.
pub fn csv_response<T, F>(
    what: &str,
    header: &[&str],
    rows: crate::store::Batches<T>,
    write: F,
) -> actix_web::HttpResponse
where
    T: 'static,
    F: Fn(&T, &mut csv::Lines) + 'static,
{
    use futures_util::StreamExt;
    let header = actix_web::web::Bytes::from(csv::line(header));
    let head = futures_util::stream::once(async move { Ok::<_, crate::error::Error>(header) });
    let body = rows.map(move |batch| {
        let batch = batch?;
        // Room for a line (a client's is ~220 bytes) without growing on the way.
        let mut out = csv::Lines::with_capacity(batch.len() * 256);
        for row in &batch {
            write(row, &mut out);
        }
        Ok::<_, crate::error::Error>(actix_web::web::Bytes::from(out.into_bytes()))
    });
    let name = format!("{what}-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(head.chain(body))
}

/// The methods the documented routes serve at `path` (empty: no such route).
pub fn methods_at(path: &str) -> Vec<&'static str> {
    static TABLE: std::sync::OnceLock<Vec<(Vec<String>, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        openapi()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let v = serde_json::to_value(item).unwrap_or_default();
                let methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
                    .into_iter()
                    .filter(|m| v.get(m.to_lowercase()).is_some())
                    .collect();
                (template.split('/').map(str::to_owned).collect(), methods)
            })
            .collect()
    });
    let segments: Vec<&str> = path.split('/').collect();
    // Every path parameter of this API is an integer id: `{id}` stands for a
    // segment like `42` or `-1`, never for `export` or `abc`.
    let is_int = |s: &str| {
        let digits = s.strip_prefix('-').unwrap_or(s);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let matching: Vec<&(Vec<String>, Vec<&'static str>)> = table
        .iter()
        .filter(|(t, _)| {
            t.len() == segments.len()
                && t.iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && is_int(s)))
        })
        .collect();
    let mut methods: Vec<&'static str> = matching
        .iter()
        .flat_map(|(_, m)| m.iter().copied())
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

/// The OpenAPI document, built from the same registration the server uses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}
