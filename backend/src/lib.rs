//! Clientele: a self-hosted client & user management service.
//!
//! The house, top-down (nothing imports upwards):
//!
//! - `startup`: builds the application, its HTTP server and its workers;
//! - `http`: the server's middleware and the request-head guard;
//! - `routes`: one file per resource — extract, call one service, answer —
//!   and the OpenAPI document made from the same registration;
//! - `workers`: background loops beside the server (housekeeping, the
//!   search index's upkeep);
//! - `services`: the rules (users, clients, modules, import, activity,
//!   sessions, accounts, stats);
//! - `state`: what every handler shares;
//! - `auth`: machinery — password hashing, tokens, throttling, the caller;
//! - `error`: the one error the API answers;
//! - `store`: one trait per aggregate, a plain implementation per database;
//! - `domain`: the values every room shares, holding their invariants;
//! - `config`, `metrics`, `telemetry`: settings, Prometheus metrics, logs.
#![forbid(unsafe_code)]

pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod metrics;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod workers;
