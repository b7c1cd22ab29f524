use skyndsam_domain::{DomainError, ErrorCode};

/// Errors of the store. Messages are Swedish; internal details stay in `Backend`, which
/// callers log once and never show to users.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// Someone else changed the record first (optimistic concurrency).
    #[error("Ärendet har ändrats av någon annan medan du arbetade (nu version {actual}). Läs in det på nytt och försök igen.")]
    Conflict { stream: String, actual: u32 },
    #[error("{0}")]
    Domain(DomainError),
    #[error("Rad {line}: {message}")]
    Import { line: usize, message: String },
    #[error("Databasfel. Försök igen; kvarstår felet, kontakta systemadministratören.")]
    Backend(String),
    #[error("Journalen kan inte läsas: {0}")]
    Corrupt(String),
    #[error("Databasadressen känns inte igen: använd sqlite:SÖKVÄG eller postgres://…")]
    BadUrl,
    /// Writing the output failed (a full disk, or the reader of a pipe stopped reading):
    /// not a database error, and not to be reported as one.
    #[error("Utdata kunde inte skrivas ({0}).")]
    Output(std::io::ErrorKind),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Conflict { .. } => ErrorCode::Conflict.as_str(),
            Self::Domain(d) => d.code.as_str(),
            Self::Import { .. } => ErrorCode::Import.as_str(),
            Self::Backend(_) => "BACKEND",
            Self::Corrupt(_) => "CORRUPT",
            Self::BadUrl => "BAD_DATABASE_URL",
            Self::Output(_) => "OUTPUT",
        }
    }
}

impl From<DomainError> for StoreError {
    fn from(e: DomainError) -> Self {
        Self::Domain(e)
    }
}
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Backend(e.to_string())
    }
}
impl From<postgres::Error> for StoreError {
    /// The server's SQLSTATE and message ("db error" alone says nothing); never its
    /// `detail`, which may quote the offending values.
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => Self::Backend(format!("{} ({})", db.message(), db.code().code())),
            None => Self::Backend(e.to_string()),
        }
    }
}
