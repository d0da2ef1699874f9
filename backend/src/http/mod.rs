//! The HTTP server's own machinery, beneath the routes: middleware for every
//! request, and the guard that checks request heads before actix-web parses
//! them.

pub mod head_guard;
pub mod middleware;
