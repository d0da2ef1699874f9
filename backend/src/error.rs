//! One error for the whole service. Rules and routes return it; it knows how to
//! answer over HTTP: `{"error": "..."}` plus per-field `details` for validation.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Per-field messages, `{field: [message, …]}`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    Validation {
        message: String,
        details: FieldErrors,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("Too many attempts; try again in {retry_after} second{}", if *retry_after == 1 { "" } else { "s" })]
    Throttled { retry_after: u64 },
    #[error("{0}")]
    Unavailable(String),
    #[error("Internal server error")]
    Internal(#[source] anyhow::Error),
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read.
    pub error: String,
    /// For validation errors only: the messages for each field, e.g.
    /// `{"email": ["must be a valid e-mail address"]}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::HashMap<String, Vec<String>>>, nullable = false)]
    pub details: Option<FieldErrors>,
}

impl Error {
    /// One field failed validation.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut details = FieldErrors::new();
        details.insert(field.to_owned(), vec![message.into()]);
        Self::Validation {
            message: format!("Invalid request: {field} is invalid"),
            details,
        }
    }

    pub fn fields(details: FieldErrors) -> Self {
        let names: Vec<&str> = details.keys().map(String::as_str).collect();
        Self::Validation {
            message: format!("Invalid request: {} invalid", names.join(", ")),
            details,
        }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(e.into())
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Validation { .. } | Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Error::Internal(e) = self {
            tracing::error!(error.cause_chain = ?e, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        if let Error::Throttled { retry_after } = self {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let Error::Unauthorized(_) = self {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        let details = match self {
            Error::Validation { details, .. } => Some(details.clone()),
            _ => None,
        };
        res.json(ErrorBody {
            error: self.to_string(),
            details,
        })
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match e {
            StoreError::NotFound => Error::NotFound("Not found".into()),
            StoreError::Conflict(field) => Error::Conflict(conflict_message(&field)),
            StoreError::Changed => {
                Error::Conflict("It changed while this change was made; try again".into())
            }
            StoreError::Unavailable(e) => {
                tracing::error!(error.cause_chain = ?e, "store unavailable");
                Error::Unavailable("The database is unavailable; try again shortly".into())
            }
            StoreError::Other(e) => Error::Internal(e),
        }
    }
}

impl From<validator::ValidationErrors> for Error {
    fn from(errors: validator::ValidationErrors) -> Self {
        let details = errors
            .field_errors()
            .into_iter()
            .map(|(field, errs)| {
                let msgs = errs
                    .iter()
                    .map(|e| {
                        e.message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| format!("is invalid ({})", e.code))
                    })
                    .collect();
                (field.to_string(), msgs)
            })
            .collect();
        Error::fields(details)
    }
}

/// "Username already exists", from the field a unique rule guards.
pub fn conflict_message(field: &str) -> String {
    let label = match field {
        "account_number" => "Account number",
        "username" => "Username",
        "email" => "Email",
        _ => "A record with these values",
    };
    format!("{label} already exists")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The API's answer to a JSON body that does not fit the expected type: a field
/// error for an unknown or missing field, else a 400 quoting the parser.
pub fn from_json_error(e: &serde_json::Error) -> Error {
    let msg = e.to_string();
    let field = |marker: &str| {
        msg.split_once(marker)
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(name, _)| name.to_owned())
    };
    if let Some(name) = field("unknown field `") {
        Error::field(&name, "cannot be set here")
    } else if let Some(name) = field("missing field `") {
        Error::field(&name, "is required")
    } else {
        Error::BadRequest(format!("Invalid JSON body: {msg}"))
    }
}
