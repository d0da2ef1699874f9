//! `/api/activity`: the activity log (seed 003), read with permission 50.

use super::responses::NotAuthenticated;
use super::views::{page, Pagination};
use crate::auth::Caller;
use crate::domain::ActivityEntry;
use crate::domain::Timestamp;
use crate::error::{Error, ErrorBody, Result};
use crate::services::activity;
use crate::state::AppState;
use crate::store::ActivityFilter;
use actix_web::web::{Data, Json, Query};
use actix_web::{get, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One recorded action.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": 7, "at": "2026-01-01T00:00:00Z", "actorId": 1, "actorUsername": "admin",
    "companyId": 2, "action": "update", "targetType": "user", "targetId": "5",
    "targetLabel": "ravi", "changes": {"name": {"from": "Ravi", "to": "Ravi Kumar"}},
    "ip": "127.0.0.1", "requestId": "5f0c…"
}))]
pub struct ActivityEntryView {
    pub id: i64,
    #[serde(with = "crate::routes::rfc3339")]
    pub at: DateTime<Utc>,
    /// Who acted (null for failed logins of unknown users).
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    /// The client company the action concerns, if any.
    pub company_id: Option<i64>,
    /// `create`, `update`, `update_permissions`, `add_permissions`,
    /// `reset_password`, `toggle_status`, `login`, `login_failed`, `export`,
    /// `import`, `reconcile`, …
    pub action: String,
    /// `user`, `client`, `module`, `users`, `clients`, …
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    /// `{field: {from, to}}`; secrets show as `[redacted]`.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl From<&ActivityEntry> for ActivityEntryView {
    fn from(e: &ActivityEntry) -> Self {
        Self {
            id: e.id,
            at: e.at.to_datetime(),
            actor_id: e.actor_id,
            actor_username: e.actor_username.clone(),
            company_id: e.company_id,
            action: e.action.clone(),
            target_type: e.target_type.clone(),
            target_id: e.target_id.clone(),
            target_label: e.target_label.clone(),
            changes: e.changes.clone(),
            ip: e.ip.clone(),
            request_id: e.request_id.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityList {
    pub entries: Vec<ActivityEntryView>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// 1–100, default 10.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    pub actor_id: Option<i64>,
    /// Client-side callers only ever see their own company's entries.
    pub company_id: Option<i64>,
    #[param(max_length = 100)]
    pub action: Option<String>,
    #[param(max_length = 100)]
    pub target_type: Option<String>,
    #[param(max_length = 100)]
    pub target_id: Option<String>,
    /// From this time (RFC 3339), inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Until this time (RFC 3339), exclusive.
    pub to: Option<DateTime<Utc>>,
}

impl ActivityQuery {
    fn filter(&self) -> Result<ActivityFilter> {
        let (limit, offset) = page(self.limit, self.offset)?;
        for (field, v) in [
            ("action", &self.action),
            ("targetType", &self.target_type),
            ("targetId", &self.target_id),
        ] {
            if v.as_ref().is_some_and(|v| v.chars().count() > 100) {
                return Err(Error::field(field, "must be at most 100 characters long"));
            }
        }
        let ms =
            |t: &Option<DateTime<Utc>>| t.map(|t| Timestamp::from_millis(t.timestamp_millis()));
        Ok(ActivityFilter {
            actor_id: self.actor_id,
            company_id: self.company_id,
            action: self.action.clone(),
            target_type: self.target_type.clone(),
            target_id: self.target_id.clone(),
            from: ms(&self.from),
            to: ms(&self.to),
            limit,
            offset,
        })
    }
}

/// The activity log, newest first, filtered.
#[utoipa::path(
    tag = "activity",
    security(("bearer" = [])),
    params(ActivityQuery),
    responses(
        (status = 200, description = "A page of entries", body = ActivityList),
        (status = 400, description = "Invalid query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 50", body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_activity(
    state: Data<AppState>,
    caller: Caller,
    query: Query<ActivityQuery>,
) -> Result<Json<ActivityList>> {
    let filter = query.filter()?;
    let (limit, offset) = (filter.limit, filter.offset);
    let (entries, total) = activity::list(&state, &caller, filter).await?;
    Ok(Json(ActivityList {
        pagination: Pagination::new(total, limit, offset, entries.len()),
        entries: entries.iter().map(ActivityEntryView::from).collect(),
    }))
}

/// Export the matching entries as CSV, streamed (newest first).
#[utoipa::path(
    tag = "activity",
    security(("bearer" = [])),
    params(ActivityQuery),
    responses(
        (status = 200, description = "CSV of the matching entries", content_type = "text/csv", body = String),
        (status = 400, description = "Invalid query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Missing permission 50", body = ErrorBody),
    )
)]
#[get("/export")]
pub async fn export_activity(
    state: Data<AppState>,
    caller: Caller,
    query: Query<ActivityQuery>,
) -> Result<HttpResponse> {
    let filter = query.filter()?;
    let rows = activity::export(&state, &caller, filter).await?;
    const HEADER: [&str; 11] = [
        "id",
        "at",
        "actorId",
        "actorUsername",
        "companyId",
        "action",
        "targetType",
        "targetId",
        "targetLabel",
        "changes",
        "ip",
    ];
    Ok(super::csv_response("activity", &HEADER, rows, |e, out| {
        let (mut id, mut actor, mut company) = (
            itoa::Buffer::new(),
            itoa::Buffer::new(),
            itoa::Buffer::new(),
        );
        let at = e.at.rfc3339();
        let changes = e.changes.as_ref().map(|c| c.to_string());
        let cells: [&str; 11] = [
            id.format(e.id),
            at.as_str(),
            e.actor_id.map(|n| actor.format(n)).unwrap_or_default(),
            e.actor_username.as_deref().unwrap_or_default(),
            e.company_id.map(|n| company.format(n)).unwrap_or_default(),
            &e.action,
            e.target_type.as_deref().unwrap_or_default(),
            e.target_id.as_deref().unwrap_or_default(),
            e.target_label.as_deref().unwrap_or_default(),
            changes.as_deref().unwrap_or_default(),
            e.ip.as_deref().unwrap_or_default(),
        ];
        out.push(&cells)
    }))
}
