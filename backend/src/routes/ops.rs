//! Operations: liveness, readiness, metrics, and this API's own document.

use crate::error::ErrorBody;
use crate::state::AppState;
use actix_web::web::{Bytes, Data};
use actix_web::{get, HttpResponse};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Status {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(
    tag = "ops",
    security(()),
    responses((status = 200, description = "Alive", body = Status))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// Readiness: the database answers within two seconds, and the instance is
/// not shutting down.
#[utoipa::path(
    tag = "ops",
    security(()),
    responses(
        (status = 200, description = "Ready", body = Status),
        (status = 503, description = "The database is unreachable, or the instance is shutting down", body = ErrorBody),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: Data<AppState>) -> HttpResponse {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return HttpResponse::ServiceUnavailable().json(ErrorBody {
            error: "The instance is shutting down".into(),
            details: None,
        });
    }
    match tokio::time::timeout(Duration::from_secs(2), state.store.health.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(Status { status: "ready" }),
        _ => HttpResponse::ServiceUnavailable().json(ErrorBody {
            error: "The database is unreachable".into(),
            details: None,
        }),
    }
}

/// Metrics in the Prometheus text format: requests by route and status, latency
/// histograms, login outcomes, password jobs given to argon2.
#[utoipa::path(
    tag = "ops",
    security(()),
    responses((status = 200, description = "Prometheus metrics", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: Data<AppState>) -> HttpResponse {
    match state.store.outbox.backlog().await {
        Ok((waiting, oldest)) => {
            let age = oldest.map_or(0.0, |t| {
                (crate::domain::Timestamp::now().millis() - t.millis()).max(0) as f64 / 1000.0
            });
            state
                .metrics
                .set_client_sync(waiting, age, state.tenants.connections().0);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the outbox's backlog for /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(state.passwords.hashings()))
}

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// The OpenAPI document, serialised once at start and shared by every worker.
pub struct OpenApiDocument(pub Bytes);

/// This document: OpenAPI 3.1, the same one `clientele openapi` prints. The
/// Swagger UI at `/api/docs/` reads it; clients are generated from it.
#[utoipa::path(
    tag = "ops",
    security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = serde_json::Value))
)]
#[get("/api/openapi.json")]
pub async fn get_openapi(doc: Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(doc.0.clone())
}
