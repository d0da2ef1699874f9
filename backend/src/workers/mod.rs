//! Background loops that run beside the server.

pub mod housekeeping;
pub mod outbox;
pub mod search_upkeep;
