//! The rules: who may do what to which users, clients and modules, and what
//! every change records. Each service takes the caller and domain values,
//! checks them against the rules, and calls the store; none knows HTTP.
//!
//! - `sessions`: sign-in, refresh, logout, the caller's own account, and
//!   authenticating a token;
//! - `users`: seed 003's users-management and seed 000's client users;
//! - `clients`: onboarding, changes, resets, activation, credits, exports;
//! - `modules`: the catalogue and each client's active modules;
//! - `import`: users from CSV;
//! - `activity`: building, recording and reading the activity log;
//! - `accounts`: operator accounts (the bootstrap super admin, `admin create`);
//! - `stats`: the dashboard's figures;
//! - `client_stores`: each client's own database kept in step, and reconciled.

pub mod accounts;
pub mod activity;
pub mod client_stores;
pub mod clients;
pub mod import;
pub mod modules;
pub mod sessions;
pub mod stats;
pub mod users;
