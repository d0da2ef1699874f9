//! All integration tests, in one binary. Each test starts the real application
//! on port 0 with a fresh database, and runs once on SQLite and once on
//! PostgreSQL (`TEST_DATABASE_URL`; required under `CI=true`, else skipped loudly).
//! The Redis tests need Redis at `TEST_REDIS_URL` on the same terms.

#[macro_use]
mod helpers;

mod activity;
mod auth;
mod cli;
mod client_stores;
mod client_users;
mod clients;
mod credits;
mod email_sign_in;
mod export;
mod hashing;
mod http;
mod http_heads;
mod import;
mod modules;
mod openapi;
mod owasp;
mod races;
mod redis;
mod search;
mod stats;
mod throttle;
mod users_above;
mod users_authz;
mod users_crud;
mod users_reset;
mod users_scope;
