//! Application-wide middleware: the `api.` host convention, security headers,
//! request ids, metrics, CORS and JSON bodies for every error; and the JSON body
//! extractor every route uses.

use crate::error::{Error, ErrorBody};
use crate::state::AppState;
use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{web, HttpMessage, HttpResponse};
use std::time::Instant;
use tracing_actix_web::RequestId;

/// `Host: api.<anything>` serves `/x` as `/api/x` (seed 002's subdomain convention).
/// A NUL character anywhere in the path or query is refused here: no value of
/// this API holds one, and PostgreSQL cannot store it.
pub async fn api_host(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let raw = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("");
    if raw.to_ascii_lowercase().contains("%00") {
        return Err(
            Error::BadRequest("The URL must not contain NUL characters (%00)".into()).into(),
        );
    }
    // The Host header itself (a proxy passes it on): never X-Forwarded-Host,
    // which anyone can send.
    let on_api_host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.starts_with("api."));
    let path = req.path();
    if on_api_host && path != "/api" && !path.starts_with("/api/") {
        let pq = match req.uri().query() {
            Some(q) => format!("/api{path}?{q}"),
            None => format!("/api{path}"),
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = pq.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                req.match_info_mut().get_mut().update(&uri);
                req.head_mut().uri = uri;
            }
        }
    }
    next.call(req).await
}

/// While the instance drains (after SIGTERM), every response closes its
/// connection: a proxy's kept-alive connections end with the request they
/// carry instead of bringing requests until the grace runs out.
pub async fn close_when_draining(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let draining = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.draining.load(std::sync::atomic::Ordering::Relaxed));
    let mut res = next.call(req).await?;
    if draining {
        res.response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(res)
}

/// A request head the head guard refused arrives as a request for its secret
/// internal path: answer the refusal as the API's JSON error, and close.
pub async fn refused_head(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if let Some(refusal) = super::head_guard::Refusal::of_path(req.path()) {
        let (status, message) = refusal.answer();
        let status = actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
        let res = HttpResponse::build(status)
            .insert_header((header::CONNECTION, "close"))
            .json(ErrorBody {
                error: message,
                details: None,
            });
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// `nosniff` and friends everywhere; `no-store` on every API answer.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_api = req.path().starts_with("/api/") && !req.path().starts_with("/api/docs");
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if is_api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// Answer the request id in `x-request-id`, so a caller can quote it.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut res = next.call(req).await?;
    if let Some(v) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    Ok(res)
}

/// Count every request by its route pattern and status, and time it.
pub async fn metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().to_string();
    let res = next.call(req).await?;
    let elapsed = start.elapsed();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let status = res.status().as_u16();
    if let Some(state) = state {
        state
            .metrics
            .observe(&method, &route, status, elapsed.as_secs_f64());
    }
    tracing::info!(
        http.status = status,
        http.route = %route,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        "request completed"
    );
    Ok(res)
}

/// CORS: the configured origins, a page calling its own `api.` subdomain, and
/// same-origin requests. Nothing else.
pub fn cors(origins: Vec<String>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            let Ok(origin) = origin.to_str() else {
                return false;
            };
            if origins.iter().any(|o| o == origin) {
                return true;
            }
            let host = head
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default();
            let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
            !origin_host.is_empty()
                && (origin_host == host || host.strip_prefix("api.") == Some(origin_host))
        })
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
        ])
        .max_age(3600)
}

/// Give every error answer that has no JSON body the API's error shape.
pub fn json_error_body<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status).json(ErrorBody {
        error: status.canonical_reason().unwrap_or("Error").to_owned(),
        details: None,
    });
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}
