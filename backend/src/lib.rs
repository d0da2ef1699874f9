//! Clientele: a self-hosted client & user management service.
//!
//! The code reads top-down: `routes` (HTTP) → `auth`, `accounts`, `activity`
//! (the rules) → `store` (SQL). `domain` holds the types all of them share.

pub mod accounts;
pub mod activity;
pub mod auth;
pub mod clients;
pub mod config;
pub mod csv;
pub mod domain;
pub mod error;
pub mod head_guard;
pub mod import;
pub mod memory;
pub mod metrics;
pub mod middleware;
pub mod modules;
pub mod routes;
pub mod startup;
pub mod state;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod users;
