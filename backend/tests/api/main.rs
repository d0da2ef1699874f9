//! All integration tests, in one binary. Each test starts the real application
//! on port 0 with a fresh database, and runs once on SQLite and once on
//! PostgreSQL (`TEST_DATABASE_URL`; required under `CI=true`, else skipped loudly).
//! The Redis tests need Redis at `TEST_REDIS_URL` on the same terms.

#[macro_use]
mod helpers;

mod auth;
mod cli;
mod clients;
mod email_sign_in;
mod hashing;
mod http;
mod http_heads;
mod import;
mod openapi;
mod owasp;
mod races;
mod redis;
mod stats;
mod throttle;
mod users;
mod users_above;
mod users_authz;
