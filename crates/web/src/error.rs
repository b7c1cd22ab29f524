//! One error type for the API: a stable code, a Swedish message a caseworker understands,
//! the field it concerns, and for a stale version the current one. Internal details are
//! logged once, with the request's correlation id, and never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use skyndsam_domain::{DomainError, ErrorCode};
use skyndsam_store::StoreError;

/// The one JSON shape of every error response.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// Stable code, e.g. `NOT_FOUND`, `CONFLICT`, `INVALID_INPUT`.
    pub code: String,
    /// Swedish, for the user.
    pub message: String,
    /// The field concerned, as a path (`outcome.interventions`).
    pub field: Option<String>,
    /// For `CONFLICT`: the record's current version.
    pub current_version: Option<u32>,
    /// Quote it when contacting support; it finds the log lines of the request.
    pub correlation_id: String,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub current_version: Option<u32>,
    /// Logged (once) but never sent.
    pub internal: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, current_version: None, internal: None }
    }
    pub fn field(mut self, f: impl Into<String>) -> Self {
        self.field = Some(f.into());
        self
    }
    /// Out of scope and non-existent answer alike: existence is never revealed.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Uppgiften finns inte eller så saknar du behörighet till den.")
    }
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Du är inte inloggad eller så har inloggningen gått ut.")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", "Din roll ger inte behörighet till det här.")
    }
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT", message).field(field)
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "Ett tekniskt fel inträffade. Försök igen; kvarstår felet, kontakta systemadministratören och uppge felkoden.",
        );
        e.internal = Some(detail.into());
        e
    }

    pub fn body(&self, correlation_id: &str) -> ErrorBody {
        ErrorBody {
            code: self.code.to_owned(),
            message: self.message.clone(),
            field: self.field.clone(),
            current_version: self.current_version,
            correlation_id: correlation_id.to_owned(),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match e.code {
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::NotAuthorised
            | ErrorCode::NotQualified
            | ErrorCode::OutsideDelegation
            | ErrorCode::BoardOnly => StatusCode::FORBIDDEN,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::RuleTable | ErrorCode::Import => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self {
            status,
            code: e.code.as_str(),
            message: e.message,
            field: e.field,
            current_version: None,
            internal: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { actual, .. } => Self {
                status: StatusCode::CONFLICT,
                code: ErrorCode::Conflict.as_str(),
                message: "Ärendet har ändrats av någon annan medan du arbetade. Läs in det på nytt och försök igen."
                    .into(),
                field: Some("expected_version".into()),
                current_version: Some(actual),
                internal: None,
            },
            StoreError::Domain(d) => d.into(),
            StoreError::Backend(s) | StoreError::Corrupt(s) => Self::internal(s),
            other => Self::internal(other.code()),
        }
    }
}

/// The correlation id of the request, put in the response extensions by the handler's
/// caller so the middleware can log the error once and fill the body.
#[derive(Debug, Clone)]
pub struct Correlation(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The body is completed by the correlation middleware (it knows the id); here we
        // attach the error itself.
        let mut res = self.status.into_response();
        res.extensions_mut().insert(self);
        res
    }
}
