//! Authentication machinery: password hashing, tokens, brute-force throttling,
//! and who is calling. The sign-in flows that use them are
//! `services::sessions`.

mod caller;
pub mod password;
pub mod throttle;
pub mod tokens;

pub use caller::{Caller, PendingCaller, RequestMeta};
