//! One error type for the domain: a stable code for machines, a Swedish message a
//! caseworker understands, and the field it concerns.

use serde::Serialize;

/// Stable error codes. Never renumber or rename: clients and tests match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    InvalidId,
    InvalidInput,
    PnrFormat,
    PnrDate,
    PnrChecksum,
    PnrInFuture,
    DateInFuture,
    DateBeforeReceipt,
    WrongState,
    NotFound,
    NotAuthorised,
    NotQualified,
    OutsideDelegation,
    BoardOnly,
    LateReasonRequired,
    LateReasonRefused,
    ReporterIdentityRequired,
    Conflict,
    RuleTable,
    Import,
    /// A step that needs an earlier one first (e.g. locking a deviation before feedback).
    Incomplete,
    /// The matter is locked: later additions are new entries (tillägg).
    Locked,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidId => "INVALID_ID",
            Self::InvalidInput => "INVALID_INPUT",
            Self::PnrFormat => "PNR_FORMAT",
            Self::PnrDate => "PNR_DATE",
            Self::PnrChecksum => "PNR_CHECKSUM",
            Self::PnrInFuture => "PNR_IN_FUTURE",
            Self::DateInFuture => "DATE_IN_FUTURE",
            Self::DateBeforeReceipt => "DATE_BEFORE_RECEIPT",
            Self::WrongState => "WRONG_STATE",
            Self::NotFound => "NOT_FOUND",
            Self::NotAuthorised => "NOT_AUTHORISED",
            Self::NotQualified => "NOT_QUALIFIED",
            Self::OutsideDelegation => "OUTSIDE_DELEGATION",
            Self::BoardOnly => "BOARD_ONLY",
            Self::LateReasonRequired => "LATE_REASON_REQUIRED",
            Self::LateReasonRefused => "LATE_REASON_REFUSED",
            Self::ReporterIdentityRequired => "REPORTER_IDENTITY_REQUIRED",
            Self::Conflict => "CONFLICT",
            Self::RuleTable => "RULE_TABLE",
            Self::Import => "IMPORT",
            Self::Incomplete => "INCOMPLETE",
            Self::Locked => "LOCKED",
        }
    }
}

/// A refusal by the domain. `message` is Swedish and never contains secret data
/// (no names, no personnummer, no free text from the record).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct DomainError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl DomainError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl From<crate::personnummer::IdNumberError> for DomainError {
    fn from(e: crate::personnummer::IdNumberError) -> Self {
        use crate::personnummer::IdNumberError as E;
        let code = match e {
            E::Format => ErrorCode::PnrFormat,
            E::Date => ErrorCode::PnrDate,
            E::Checksum => ErrorCode::PnrChecksum,
            E::InFuture => ErrorCode::PnrInFuture,
        };
        DomainError::new(code, e.message_sv()).field("personnummer")
    }
}
