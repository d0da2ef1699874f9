//! `/api/clients`: client companies (seed 001) — operator staff only.

use super::extract::JsonObject;
use super::responses::{JsonBodyRefused, NotAuthenticated};
use super::views::{double_option, page, Pagination};
use crate::auth::Caller;
use crate::domain::CreditEntry;
use crate::domain::{BusinessType, Client, LeadStatus, Rfc3339, SyncState, SyncStatus, Timestamp};
use crate::error::{Error, ErrorBody, Result};
use crate::services::client_stores;
use crate::services::clients::{self, ClientInput, Onboarded};
use crate::state::AppState;
use crate::store::{ClientFilter, ClientSortKey};
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{get, post, put, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A client company as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": 1, "accountNumber": "ACC001", "companyName": "ABC Store", "contactEmail": "abc@store.com",
    "contactName": "Asha Rao", "phoneNumber": "+917093635305", "whatsappNumber": "+917093635305",
    "businessAddress": "12 MG Road, Bengaluru", "businessType": "retail",
    "gstNumber": "27AAPFU0939F1ZV", "website": "https://abc.store/", "leadStatus": "customer",
    "notes": null, "credits": 100, "isActive": true, "lastLogin": null,
    "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
    "ownerId": 2, "username": "abcstore123"
}))]
pub struct ClientView {
    pub id: i64,
    /// `ACC001`, `ACC002`, …: unique, sequential, never reused.
    pub account_number: String,
    pub company_name: String,
    pub contact_email: String,
    pub contact_name: Option<String>,
    /// E.164.
    pub phone_number: Option<String>,
    /// E.164.
    pub whatsapp_number: Option<String>,
    pub business_address: Option<String>,
    pub business_type: Option<BusinessType>,
    /// Indian GSTIN.
    pub gst_number: Option<String>,
    pub website: Option<String>,
    pub lead_status: LeadStatus,
    pub notes: Option<String>,
    /// Credit balance; changed only through the credits ledger.
    pub credits: i64,
    pub is_active: bool,
    /// The latest login of any of the client's users.
    #[serde(with = "crate::routes::rfc3339::option")]
    pub last_login: Option<DateTime<Utc>>,
    #[serde(with = "crate::routes::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::routes::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// The client-admin user created with the client.
    pub owner_id: Option<i64>,
    /// The owner's username.
    pub username: Option<String>,
}

impl From<&Client> for ClientView {
    fn from(c: &Client) -> Self {
        Self {
            id: c.id,
            account_number: c.account_number.as_str().to_owned(),
            company_name: c.company_name.clone(),
            contact_email: c.contact_email.as_str().to_owned(),
            contact_name: c.contact_name.clone(),
            phone_number: text(&c.phone_number),
            whatsapp_number: text(&c.whatsapp_number),
            business_address: c.business_address.clone(),
            business_type: c.business_type,
            gst_number: text(&c.gst_number),
            website: text(&c.website),
            lead_status: c.lead_status,
            notes: c.notes.clone(),
            credits: c.credits,
            is_active: c.is_active,
            last_login: c.last_login.map(|t| t.to_datetime()),
            created_at: c.created_at.to_datetime(),
            updated_at: c.updated_at.to_datetime(),
            owner_id: c.owner_id,
            username: text(&c.owner_username),
        }
    }
}

/// An optional value's text.
fn text<T: AsRef<str>>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|v| v.as_ref().to_owned())
}

/// A new client. Only `companyName` and `contactEmail` are required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "companyName": "ABC Store", "contactEmail": "abc@store.com", "contactName": "Asha Rao",
    "phoneNumber": "7093635305", "whatsappNumber": "7093635305", "businessType": "retail",
    "gstNumber": "27AAPFU0939F1ZV", "website": "https://abc.store", "leadStatus": "lead"
}))]
pub struct CreateClientRequest {
    /// 1–200 characters.
    #[schema(min_length = 1)]
    pub company_name: String,
    /// A valid e-mail address.
    #[schema(format = Email)]
    pub contact_email: String,
    /// 1–100 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    /// Normalised to E.164; without `+`, read in `CLIENTELE_DEFAULT_PHONE_REGION` (default IN).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone_number: Option<Option<String>>,
    /// Like `phoneNumber`; enables the WhatsApp share link.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub whatsapp_number: Option<Option<String>>,
    /// Up to 500 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub business_address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<BusinessType>)]
    pub business_type: Option<Option<String>>,
    /// 15-character GSTIN with a valid check character.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub gst_number: Option<Option<String>>,
    /// An http(s) URL. It is stored and shown, never fetched.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Default `lead`.
    #[serde(default)]
    #[schema(value_type = Option<LeadStatus>)]
    pub lead_status: Option<String>,
    /// Up to 5,000 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// Changes to a client: only the fields sent change; null clears an optional one.
/// Read-only fields (id, accountNumber, credits, isActive, username, times) are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"leadStatus": "customer", "notes": "Signed for a year"}))]
pub struct UpdateClientRequest {
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub whatsapp_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub business_address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<BusinessType>)]
    pub business_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub gst_number: Option<Option<String>>,
    /// An http(s) URL. It is stored and shown, never fetched.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<LeadStatus>)]
    pub lead_status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl From<CreateClientRequest> for ClientInput {
    fn from(r: CreateClientRequest) -> Self {
        Self {
            company_name: Some(r.company_name),
            contact_email: Some(r.contact_email),
            contact_name: r.contact_name,
            phone_number: r.phone_number,
            whatsapp_number: r.whatsapp_number,
            business_address: r.business_address,
            business_type: r.business_type,
            gst_number: r.gst_number,
            website: r.website,
            lead_status: r.lead_status,
            notes: r.notes,
        }
    }
}

impl From<UpdateClientRequest> for ClientInput {
    fn from(r: UpdateClientRequest) -> Self {
        Self {
            company_name: r.company_name,
            contact_email: r.contact_email,
            contact_name: r.contact_name,
            phone_number: r.phone_number,
            whatsapp_number: r.whatsapp_number,
            business_address: r.business_address,
            business_type: r.business_type,
            gst_number: r.gst_number,
            website: r.website,
            lead_status: r.lead_status,
            notes: r.notes,
        }
    }
}

/// Login credentials, shown once: they cannot be retrieved again.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    #[schema(example = "abcstore123")]
    pub username: String,
    #[schema(example = "Kj8mN2pQx7Rt4wVa")]
    pub password: String,
    #[schema(example = "http://localhost:8080/login")]
    pub login_url: String,
}

/// A ready-to-send message with the credentials, and links that open it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShareMessage {
    pub text: String,
    /// `https://wa.me/<number>?text=…`, when the client has a WhatsApp number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whatsapp_url: Option<String>,
    pub mailto_url: String,
}

/// A client with its owner's new credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientCredentialsResponse {
    #[schema(example = "Client created successfully")]
    pub message: String,
    pub client: ClientView,
    pub credentials: Credentials,
    pub share: ShareMessage,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientEnvelope {
    pub client: ClientView,
    /// How far the client's own database is behind (seed 000): shown to the
    /// operator's staff by `GET /api/clients/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncView>,
}

/// Where a client's own database stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatusView {
    /// Not created yet.
    Provisioning,
    /// Every change has reached it.
    InSync,
    /// Changes are waiting; none has failed.
    Pending,
    /// The last attempt failed (see `lastError`); it is retried with a backoff.
    Failing,
}

/// The sync state of a client's own database.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "status": "in_sync", "pending": 0, "lastError": null,
    "lastAppliedAt": "2026-01-01T00:00:05Z", "schemaVersion": 1
}))]
pub struct SyncView {
    pub status: SyncStatusView,
    /// Changes not applied yet.
    pub pending: i64,
    /// Why the last attempt failed (never a password).
    pub last_error: Option<String>,
    #[serde(with = "crate::routes::rfc3339::option")]
    pub last_applied_at: Option<DateTime<Utc>>,
    /// The client database's newest migration (0 until provisioned).
    pub schema_version: i64,
}

impl From<&SyncState> for SyncView {
    fn from(s: &SyncState) -> Self {
        Self {
            status: match s.status {
                SyncStatus::Provisioning => SyncStatusView::Provisioning,
                SyncStatus::InSync => SyncStatusView::InSync,
                SyncStatus::Pending => SyncStatusView::Pending,
                SyncStatus::Failing => SyncStatusView::Failing,
            },
            pending: s.pending,
            last_error: s.last_error.clone(),
            last_applied_at: s.last_applied_at.map(|t| t.to_datetime()),
            schema_version: s.schema_version,
        }
    }
}

/// One user's difference between the main database and the client's own.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DriftView {
    pub user_id: i64,
    /// `missing` (not in the client's database), `extra` (not the client's
    /// user), or `different`.
    #[schema(example = "different")]
    pub kind: String,
    /// For `different`: the fields that differ (`userName`, `role`,
    /// `isActive`, `createdAt`, `updatedAt`, `modules`).
    pub fields: Vec<String>,
}

/// What a reconciliation found, and whether it repaired it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "accountNumber": "ACC001", "drift": [
        {"userId": 7, "kind": "missing", "fields": []},
        {"userId": 9, "kind": "different", "fields": ["isActive", "updatedAt"]}
    ], "repaired": true
}))]
pub struct ReconcileResponse {
    pub account_number: String,
    /// Row by row, before any repair; empty when both sides agree.
    pub drift: Vec<DriftView>,
    /// The drift was written away (asked with `repair=true`, and there was some).
    pub repaired: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReconcileQuery {
    /// Also bring the client's database in line (recorded in the activity log).
    #[serde(default)]
    pub repair: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientList {
    pub clients: Vec<ClientView>,
    pub pagination: Pagination,
}

/// Sort order: a field, ascending, or with `-` descending.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum ClientSort {
    #[serde(rename = "createdAt")]
    CreatedAt,
    #[serde(rename = "-createdAt")]
    CreatedAtDesc,
    #[serde(rename = "companyName")]
    CompanyName,
    #[serde(rename = "-companyName")]
    CompanyNameDesc,
    #[serde(rename = "lastLogin")]
    LastLogin,
    #[serde(rename = "-lastLogin")]
    LastLoginDesc,
    #[serde(rename = "accountNumber")]
    AccountNumber,
    #[serde(rename = "-accountNumber")]
    AccountNumberDesc,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ClientListQuery {
    /// 1–100, default 10.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Part of the company name, contact e-mail, account number or owner username
    /// (at most 200 characters).
    #[param(max_length = 200)]
    pub search: Option<String>,
    pub is_active: Option<bool>,
    #[param(inline)]
    pub business_type: Option<BusinessType>,
    #[param(inline)]
    pub lead_status: Option<LeadStatus>,
    /// Default `-createdAt` (newest first).
    #[param(inline)]
    pub sort: Option<ClientSort>,
}

impl ClientListQuery {
    fn filter(&self) -> Result<ClientFilter> {
        let (limit, offset) = page(self.limit, self.offset)?;
        if self
            .search
            .as_ref()
            .is_some_and(|s| s.chars().count() > 200)
        {
            return Err(Error::field(
                "search",
                "must be at most 200 characters long",
            ));
        }
        use ClientSort::*;
        let (sort, descending) = match self.sort.unwrap_or(CreatedAtDesc) {
            CreatedAt => (ClientSortKey::CreatedAt, false),
            CreatedAtDesc => (ClientSortKey::CreatedAt, true),
            CompanyName => (ClientSortKey::CompanyName, false),
            CompanyNameDesc => (ClientSortKey::CompanyName, true),
            LastLogin => (ClientSortKey::LastLogin, false),
            LastLoginDesc => (ClientSortKey::LastLogin, true),
            AccountNumber => (ClientSortKey::AccountNumber, false),
            AccountNumberDesc => (ClientSortKey::AccountNumber, true),
        };
        Ok(ClientFilter {
            search: self.search.clone(),
            is_active: self.is_active,
            business_type: self.business_type,
            lead_status: self.lead_status,
            sort,
            descending,
            limit,
            offset,
        })
    }
}

/// Where people log in: the configured public URL, else this request's own
/// origin (without an `api.` prefix), at `/login`.
pub fn login_url(state: &AppState, req: &HttpRequest) -> String {
    if let Some(base) = &state.settings.public_url {
        return format!("{base}/login");
    }
    let info = req.connection_info();
    let host = info.host();
    let host = host.strip_prefix("api.").unwrap_or(host);
    format!("{}://{host}/login", info.scheme())
}

fn credentials_response(
    message: &str,
    done: Onboarded,
    login_url: String,
) -> ClientCredentialsResponse {
    let share = clients::share(
        &done.client,
        done.owner.username.as_str(),
        &done.password,
        &login_url,
    );
    ClientCredentialsResponse {
        message: message.to_owned(),
        client: ClientView::from(&done.client),
        credentials: Credentials {
            username: done.owner.username.into_inner(),
            password: done.password.expose().to_owned(),
            login_url,
        },
        share: ShareMessage {
            text: share.text,
            whatsapp_url: share.whatsapp_url,
            mailto_url: share.mailto_url,
        },
    }
}

/// List clients: search, filter, sort and page.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(ClientListQuery),
    responses(
        (status = 200, description = "A page of clients", body = ClientList),
        (status = 400, description = "Invalid query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 20", body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_clients(
    state: Data<AppState>,
    caller: Caller,
    query: Query<ClientListQuery>,
) -> Result<Json<ClientList>> {
    let filter = query.filter()?;
    let (clients, total) = clients::list(&state, &caller, &filter).await?;
    let pagination = Pagination::new(total, filter.limit, filter.offset, clients.len());
    Ok(Json(ClientList {
        clients: clients.iter().map(ClientView::from).collect(),
        pagination,
    }))
}

/// Onboard a client: the company, its account number, and its owner (a
/// client-admin user) with generated credentials.
///
/// The credentials and the share message are answered **once** and cannot be
/// retrieved again. The owner must change the password at first login.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    request_body = CreateClientRequest,
    responses(
        (status = 201, description = "Created, with the owner's one-time credentials", body = ClientCredentialsResponse),
        (status = 400, description = "Invalid fields (see `details`)", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 21", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[post("")]
pub async fn create_client(
    state: Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonObject<CreateClientRequest>,
) -> Result<HttpResponse> {
    let done = clients::create(&state, &caller, body.into_inner().into()).await?;
    let res = credentials_response("Client created successfully", done, login_url(&state, &req));
    Ok(HttpResponse::Created().json(res))
}

/// Export the clients matching the list's filters as CSV, streamed.
///
/// UTF-8 with a header row; cells a spreadsheet would run as formulas are
/// neutralised with a leading `'`. No secrets are exported.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(ClientListQuery),
    responses(
        (status = 200, description = "CSV of the matching clients", content_type = "text/csv", body = String),
        (status = 400, description = "Invalid query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 20", body = ErrorBody),
    )
)]
#[get("/export")]
pub async fn export_clients(
    state: Data<AppState>,
    caller: Caller,
    query: Query<ClientListQuery>,
) -> Result<HttpResponse> {
    let filter = query.filter()?;
    let rows = clients::export(&state, &caller, &filter).await?;
    const HEADER: [&str; 18] = [
        "accountNumber",
        "companyName",
        "contactEmail",
        "contactName",
        "phoneNumber",
        "whatsappNumber",
        "businessAddress",
        "businessType",
        "gstNumber",
        "website",
        "leadStatus",
        "notes",
        "credits",
        "isActive",
        "username",
        "lastLogin",
        "createdAt",
        "updatedAt",
    ];
    Ok(super::csv_response("clients", &HEADER, rows, |c, out| {
        // The cells that are not text already, written on the stack.
        let mut credits = itoa::Buffer::new();
        let times = [
            c.last_login.map(Timestamp::rfc3339).unwrap_or_default(),
            c.created_at.rfc3339(),
            c.updated_at.rfc3339(),
        ];
        out.push(&csv_cells(c, credits.format(c.credits), &times))
    }))
}

fn csv_cells<'a>(c: &'a Client, credits: &'a str, times: &'a [Rfc3339; 3]) -> [&'a str; 18] {
    fn o<T: AsRef<str>>(s: &Option<T>) -> &str {
        s.as_ref().map_or("", AsRef::as_ref)
    }
    let [last_login, created_at, updated_at] = times.each_ref().map(Rfc3339::as_str);
    [
        c.account_number.as_str(),
        &c.company_name,
        c.contact_email.as_str(),
        o(&c.contact_name),
        o(&c.phone_number),
        o(&c.whatsapp_number),
        o(&c.business_address),
        c.business_type.map(|b| b.as_str()).unwrap_or_default(),
        o(&c.gst_number),
        o(&c.website),
        c.lead_status.as_str(),
        o(&c.notes),
        credits,
        if c.is_active { "true" } else { "false" },
        o(&c.owner_username),
        last_login,
        created_at,
        updated_at,
    ]
}

/// One client.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    responses(
        (status = 200, description = "The client", body = ClientEnvelope),
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 20", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    )
)]
#[get(r"/{id:-?\d+}")]
pub async fn get_client(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<Json<ClientEnvelope>> {
    let (client, sync) = clients::get_with_sync(&state, &caller, id.into_inner()).await?;
    Ok(Json(ClientEnvelope {
        client: ClientView::from(&client),
        sync: sync.as_ref().map(SyncView::from),
    }))
}

/// Compare the client's own database with the main database, row by row,
/// and with `repair=true` bring it in line.
///
/// Both sides are read now (changes still waiting in the outbox show as
/// drift until they land). A repair writes the missing and different users
/// and removes the extra ones, and is recorded in the activity log.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id"), ReconcileQuery),
    responses(
        (status = 200, description = "The drift found, and whether it was repaired", body = ReconcileResponse),
        (status = 400, description = "Invalid id or query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 22", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
        (status = 503, description = "The client's database cannot be reached now", body = ErrorBody),
    )
)]
#[post(r"/{id:-?\d+}/reconcile")]
pub async fn reconcile_client(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    query: Query<ReconcileQuery>,
) -> Result<Json<ReconcileResponse>> {
    let done = client_stores::reconcile(&state, &caller, id.into_inner(), query.repair).await?;
    Ok(Json(ReconcileResponse {
        account_number: done.account_number.as_str().to_owned(),
        drift: done
            .drift
            .iter()
            .map(|d| DriftView {
                user_id: d.user_id,
                kind: d.kind.as_str().to_owned(),
                fields: d.fields.iter().map(|f| (*f).to_owned()).collect(),
            })
            .collect(),
        repaired: done.repaired,
    }))
}

/// Change a client's fields (only those sent).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    request_body = UpdateClientRequest,
    responses(
        (status = 200, description = "The updated client", body = ClientEnvelope),
        (status = 400, description = "Invalid id, or invalid or read-only fields", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 22", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[put(r"/{id:-?\d+}")]
pub async fn update_client(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: JsonObject<UpdateClientRequest>,
) -> Result<Json<ClientEnvelope>> {
    let client =
        clients::update(&state, &caller, id.into_inner(), body.into_inner().into()).await?;
    Ok(Json(ClientEnvelope {
        client: ClientView::from(&client),
        sync: None,
    }))
}

/// Give the client's owner a new generated password, answered once.
///
/// The old password stops working and every session of the owner ends; the
/// owner must change the new password at first login.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    responses(
        (status = 200, description = "New one-time credentials", body = ClientCredentialsResponse),
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 22", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
        (status = 409, description = "The client has no owner account", body = ErrorBody),
        (status = 429, description = "Too many password resets by this caller, or of this owner, within 15 minutes (see `Retry-After`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post(r"/{id:-?\d+}/reset-password")]
pub async fn reset_client_password(
    state: Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: Path<i64>,
) -> Result<Json<ClientCredentialsResponse>> {
    let done = clients::reset_password(&state, &caller, id.into_inner()).await?;
    Ok(Json(credentials_response(
        "Password reset successfully",
        done,
        login_url(&state, &req),
    )))
}

/// Activate or deactivate a client. While inactive, none of its users can log
/// in, refresh or call anything, at once.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    responses(
        (status = 200, description = "The client with its new status", body = ClientEnvelope),
        (status = 400, description = "Invalid id", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 22 (and 23 to deactivate)", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    )
)]
#[post(r"/{id:-?\d+}/toggle-status")]
pub async fn toggle_client_status(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
) -> Result<Json<ClientEnvelope>> {
    let client = clients::toggle_status(&state, &caller, id.into_inner()).await?;
    Ok(Json(ClientEnvelope {
        client: ClientView::from(&client),
        sync: None,
    }))
}

/// One entry of the credits ledger.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreditEntryView {
    pub id: i64,
    pub client_id: i64,
    /// The change: positive adds, negative spends.
    pub delta: i64,
    /// The balance after this change.
    pub balance_after: i64,
    pub reason: String,
    /// Who made the change.
    pub actor_id: Option<i64>,
    #[serde(with = "crate::routes::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<&CreditEntry> for CreditEntryView {
    fn from(e: &CreditEntry) -> Self {
        Self {
            id: e.id,
            client_id: e.client_id,
            delta: e.delta,
            balance_after: e.balance_after,
            reason: e.reason.clone(),
            actor_id: e.actor_id,
            created_at: e.created_at.to_datetime(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"delta": 100, "reason": "Monthly top-up"}))]
pub struct CreditAdjustment {
    /// Non-zero; at most 1,000,000,000 either way. The balance never goes below zero.
    #[schema(minimum = -1_000_000_000, maximum = 1_000_000_000)]
    pub delta: i64,
    /// 1–500 characters.
    #[schema(min_length = 1)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditAdjusted {
    #[schema(example = "Credits adjusted")]
    pub message: String,
    pub entry: CreditEntryView,
    /// The balance now.
    pub balance: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditLedger {
    pub entries: Vec<CreditEntryView>,
    pub balance: i64,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1–100, default 10.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// Add or spend credits. Concurrent adjustments never lose an update.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id")),
    request_body = CreditAdjustment,
    responses(
        (status = 201, description = "Recorded", body = CreditAdjusted),
        (status = 400, description = "Invalid id, delta or reason", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 22", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
        (status = 409, description = "The balance would go below zero", body = ErrorBody),
        JsonBodyRefused,
    )
)]
#[post(r"/{id:-?\d+}/credits")]
pub async fn adjust_client_credits(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: JsonObject<CreditAdjustment>,
) -> Result<HttpResponse> {
    let entry =
        clients::adjust_credits(&state, &caller, id.into_inner(), body.delta, &body.reason).await?;
    Ok(HttpResponse::Created().json(CreditAdjusted {
        message: "Credits adjusted".into(),
        balance: entry.balance_after,
        entry: CreditEntryView::from(&entry),
    }))
}

/// The credits ledger, newest first.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Client id"), PageQuery),
    responses(
        (status = 200, description = "A page of the ledger", body = CreditLedger),
        (status = 400, description = "Invalid id or query", body = ErrorBody),
        NotAuthenticated,
        (status = 403, description = "Not operator staff, or missing permission 20", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    )
)]
#[get(r"/{id:-?\d+}/credits")]
pub async fn list_client_credits(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    query: Query<PageQuery>,
) -> Result<Json<CreditLedger>> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let (entries, total, balance) =
        clients::credits(&state, &caller, id.into_inner(), limit, offset).await?;
    Ok(Json(CreditLedger {
        pagination: Pagination::new(total, limit, offset, entries.len()),
        entries: entries.iter().map(CreditEntryView::from).collect(),
        balance,
    }))
}
