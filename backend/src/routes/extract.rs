//! The extractors: who calls (authenticating every request), where from, and
//! a JSON object body.
//!
//! The extractors that authenticate a request. Every call reads the user, its
//! company and its session fresh from the store (`services::sessions`), so a
//! deactivation or a logout takes effect at once and claims in a token never
//! outrank the store.

use crate::auth::{Caller, PendingCaller, RequestMeta};
use crate::error::Error;
use crate::services::sessions;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use ipnet::IpNet;
use serde::de::DeserializeOwned;
use std::net::IpAddr;
use tracing_actix_web::RequestId;

/// Where the request came from, and its request id. The address is the
/// peer's, unless the peer is a trusted proxy (`CLIENTELE_TRUSTED_PROXIES`):
/// then it is the nearest address in `X-Forwarded-For` that is not one of
/// them (anything further left could be forged by the client).
pub fn meta(req: &HttpRequest) -> RequestMeta {
    let peer = req.peer_addr().map(|a| a.ip());
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.trusted_proxies.as_slice())
        .unwrap_or_default();
    let ip = match peer {
        Some(peer) => client_address(peer, forwarded_for(req), trusted).to_string(),
        None => "unknown".into(),
    };
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    RequestMeta { ip, request_id }
}

/// The addresses of every `X-Forwarded-For` header, in order; an unreadable
/// entry ends the list there (nothing left of it can be relied on).
fn forwarded_for(req: &HttpRequest) -> Vec<Option<IpAddr>> {
    req.headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| a.trim().parse::<IpAddr>().ok())
        .collect()
}

/// The client's address: walk back from the peer through trusted proxies.
pub fn client_address(peer: IpAddr, forwarded: Vec<Option<IpAddr>>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    for hop in forwarded.into_iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        match hop {
            Some(ip) => client = ip,
            None => break,
        }
    }
    client
}

impl FromRequest for RequestMeta {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(meta(req)))
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

async fn authenticate(req: HttpRequest) -> Result<Caller, Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("application state missing")))?;
    let token = bearer(&req).ok_or_else(|| {
        Error::Unauthorized("Authentication required: send a Bearer token".into())
    })?;
    sessions::authenticate(state, &token, meta(&req)).await
}

impl FromRequest for PendingCaller {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(PendingCaller) })
    }
}

impl FromRequest for Caller {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller = authenticate(req).await?;
            if caller.user.must_change_password {
                return Err(Error::Forbidden(
                    "Password change required: call POST /api/auth/change-password first".into(),
                ));
            }
            Ok(caller)
        })
    }
}

/// A JSON request body that must be a JSON **object** of type `T`.
///
/// `web::Json<T>` alone would also take an array for a struct (serde reads
/// `["a", "b"]` as the fields in order), so `[null, null]` would pass for a valid
/// request. This reads the body with the app's `JsonConfig` (size limit,
/// content type, the API's errors), refuses anything but an object, then builds `T`.
#[derive(Debug)]
pub struct JsonObject<T>(pub T);

impl<T> JsonObject<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonObject<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let mut value = value.await?.into_inner();
            if settle_numbers_and_find_nul(&mut value) {
                return Err(
                    Error::BadRequest("Text must not contain NUL characters".into()).into(),
                );
            }
            if !value.is_object() {
                return Err(
                    Error::BadRequest("The request body must be a JSON object".into()).into(),
                );
            }
            serde_json::from_value(value)
                .map(JsonObject)
                .map_err(|e| crate::error::from_json_error(&e).into())
        })
    }
}

/// One walk over a request body: whole numbers written as floats become
/// integers, and the answer is whether any string (or key) holds a NUL
/// character (the body is then refused, so the walk may stop there).
///
/// JSON Schema (and so the OpenAPI document) counts a number with no fraction as
/// an integer: `5.0` and `5e0` are `5`. serde reads them as floats, which an
/// `i64` field refuses, so they are turned into integers here, up to 2^53 either
/// way: beyond it a float has already been rounded while it was read
/// (`9007199254740993.0` reads as …992), so it stays as sent and a field that
/// wants an integer refuses it, as it refuses `5.5`.
fn settle_numbers_and_find_nul(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                if f.fract() == 0.0 && f.abs() <= EXACT {
                    *v = Value::from(f as i64);
                }
            }
            false
        }
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter_mut().any(settle_numbers_and_find_nul),
        Value::Object(o) => o
            .iter_mut()
            .any(|(k, v)| k.contains('\0') || settle_numbers_and_find_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxies = crate::config::parse_proxies("10.0.0.2, 172.28.0.0/16").unwrap();
        let hops = |list: &[&str]| list.iter().map(|a| a.parse().ok()).collect::<Vec<_>>();
        // No proxy in front: the header is the client's own word, ignored.
        assert_eq!(
            client_address(ip("203.0.113.9"), hops(&["1.2.3.4"]), &proxies),
            ip("203.0.113.9")
        );
        // Through the proxy: the address it saw.
        assert_eq!(
            client_address(ip("10.0.0.2"), hops(&["198.51.100.7"]), &proxies),
            ip("198.51.100.7")
        );
        // A forged entry the client sent is left of what the proxy appended.
        assert_eq!(
            client_address(ip("10.0.0.2"), hops(&["1.2.3.4", "198.51.100.7"]), &proxies),
            ip("198.51.100.7")
        );
        // Two trusted proxies in a row.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                hops(&["198.51.100.7", "172.28.0.5"]),
                &proxies
            ),
            ip("198.51.100.7")
        );
        // Garbage stops the walk at the last trusted hop; no header, the proxy itself.
        assert_eq!(
            client_address(ip("10.0.0.2"), hops(&["nonsense"]), &proxies),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), vec![], &proxies),
            ip("10.0.0.2")
        );
        assert!(crate::config::parse_proxies("10.0.0.0/33").is_err());
        assert!(crate::config::parse_proxies("").unwrap().is_empty());
    }
}
