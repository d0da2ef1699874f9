//! The activity log's entries (seed 003).

use super::Timestamp;

/// One recorded activity-log entry.
#[derive(Debug, Clone)]
pub struct ActivityEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub company_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub changes: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// One activity-log entry to record.
#[derive(Debug, Clone, Default)]
pub struct NewActivity {
    pub at: Option<Timestamp>,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub company_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    /// `{field: {from, to}}` as JSON, secrets already redacted.
    pub changes: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    /// Login bookkeeping: may be committed without waiting for the disk (see
    /// docs/performance); every other entry is as durable as the change it
    /// records.
    pub bookkeeping: bool,
}
