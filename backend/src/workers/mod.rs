//! Background loops that run beside the server.

pub mod housekeeping;
pub mod search_upkeep;
