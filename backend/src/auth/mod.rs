//! Authentication rules: password hashing, tokens, brute-force throttling, the
//! request extractor that authenticates every call, and the login flows.

pub mod access;
mod extract;
pub mod password;
pub mod service;
pub mod throttle;
pub mod tokens;

pub use extract::{Caller, PendingCaller, RequestMeta};
