//! The extractors that authenticate a request. Every call reads the user, its
//! company and its session fresh from the store, so a deactivation or a logout
//! takes effect at once and claims in a token never outrank the store.

use crate::domain::{Timestamp, User};
use crate::error::Error;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use tracing_actix_web::RequestId;

/// An authenticated user whose password is in order.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub session_id: String,
    pub meta: RequestMeta,
}

/// An authenticated user who may still have to change its password: allowed only
/// where that is the point (`me`, `change-password`, `logout`).
#[derive(Debug, Clone)]
pub struct PendingCaller(pub Caller);

/// Where a request came from, for the activity log and throttling.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub ip: String,
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn of(req: &HttpRequest) -> Self {
        // The peer address, not X-Forwarded-For: a client could forge that header.
        let ip = req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
        Self { ip, request_id }
    }
}

impl FromRequest for RequestMeta {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
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
    let invalid = || Error::Unauthorized("Invalid or expired token".into());
    let claims = state.tokens.verify_access(&token).ok_or_else(invalid)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| invalid())?;
    let ctx = state
        .store
        .auth_context(user_id, &claims.sid, Timestamp::now())
        .await?
        .ok_or_else(invalid)?;
    if !ctx.session_open {
        return Err(Error::Unauthorized(
            "This session has ended; log in again".into(),
        ));
    }
    if !ctx.user.is_active || !ctx.company_active {
        return Err(Error::Unauthorized("This account is deactivated".into()));
    }
    Ok(Caller {
        user: ctx.user,
        session_id: claims.sid,
        meta: RequestMeta::of(&req),
    })
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
