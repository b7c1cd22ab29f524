//! Identity and the access log: accounts, tokens, wider-access grants, the access log
//! (loggkontroll) and the security log (logins, lock-outs, tokens). Kept beside the
//! journal in the same database, in their own tables (migration 0002), behind their own
//! small trait. The two logs and the grants are append-only (triggers refuse UPDATE and
//! DELETE), like the journal. Nothing here ever holds a password or a token in clear:
//! passwords are argon2id PHC strings, tokens are stored as SHA-256 of the secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use skyndsam_domain::ids::{CaseId, PersonId, StaffId, UnitId};
use skyndsam_domain::org::Role;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Mutex;
use std::thread::JoinHandle;

use crate::error::StoreError;

/// A local account. `password_hash` is None for an account that signs in through single
/// sign-on only (`external_subject` then holds the identity provider's subject).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub username: String,
    pub staff: StaffId,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub external_subject: Option<String>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An interactive session after login.
    Session,
    /// A long-lived token for an integration (e-tjänst, verksamhetssystem).
    Integration,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Integration => "integration",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "session" => Some(Self::Session),
            "integration" => Some(Self::Integration),
            _ => None,
        }
    }
}

/// A bearer token: the secret is shown once; only its SHA-256 is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: uuid::Uuid,
    #[serde(skip)]
    pub hash: String,
    pub kind: TokenKind,
    pub username: String,
    /// The role and unit the token acts through.
    pub role: Role,
    pub unit: UnitId,
    /// Scopes (e.g. `cases:read`); a session holds `*`.
    pub scopes: Vec<String>,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An explicit, reasoned, time-limited grant of wider access to one person's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AccessGrant {
    pub id: uuid::Uuid,
    pub staff: StaffId,
    pub role: Role,
    /// The unit the grantee acted in (the unit manager of this unit sees the grant).
    pub unit: Option<UnitId>,
    pub person: PersonId,
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// What was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessAction {
    /// A case opened (its record and timeline).
    ReadCase,
    /// A person's details and earlier knowledge.
    ReadPerson,
    /// A person found by search (personnummer).
    SearchHit,
    /// A case or person included in an export.
    Export,
    /// A report received through the e-tjänst, read before it is registered: its subject
    /// is not yet a person of the register, so the line's `person` is the submission's id
    /// (docs/decisions/0010).
    ReadSubmission,
}

impl AccessAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadCase => "read_case",
            Self::ReadPerson => "read_person",
            Self::SearchHit => "search_hit",
            Self::Export => "export",
            Self::ReadSubmission => "read_submission",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ReadCase, Self::ReadPerson, Self::SearchHit, Self::Export, Self::ReadSubmission]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// Why the reader could read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessBasis {
    /// The case is allocated to the reader.
    OwnCase,
    /// The case belongs to the reader's unit (or a unit they lead).
    OwnUnit,
    /// The case is in a unit the reader manages (subtree).
    ManagedUnit,
    /// A pseudonymised view (quality, audit): no names, no free text.
    Pseudonymised,
    /// A wider-access grant (its reason is in `reason`).
    Grant,
    /// A search by personnummer (intake's check of earlier knowledge).
    Search,
    /// An export by the system operator.
    Operator,
}

impl AccessBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OwnCase => "own_case",
            Self::OwnUnit => "own_unit",
            Self::ManagedUnit => "managed_unit",
            Self::Pseudonymised => "pseudonymised",
            Self::Grant => "grant",
            Self::Search => "search",
            Self::Operator => "operator",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::OwnCase,
            Self::OwnUnit,
            Self::ManagedUnit,
            Self::Pseudonymised,
            Self::Grant,
            Self::Search,
            Self::Operator,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
    /// Reads outside the reader's own cases and unit (what the log review looks at).
    pub fn is_outside_own(self) -> bool {
        matches!(self, Self::Grant | Self::Search | Self::ManagedUnit)
    }
}

/// One line of the access log. Holds ids, never names or personnummer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    pub staff: StaffId,
    pub role: Role,
    pub unit: Option<UnitId>,
    pub person: PersonId,
    pub case: Option<CaseId>,
    pub action: AccessAction,
    pub basis: AccessBasis,
    /// The reason given for a grant (basis `Grant`), or the operator's note.
    pub reason: Option<String>,
    /// The request's correlation id.
    pub correlation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AccessRecord {
    pub seq: u64,
    #[serde(flatten)]
    pub entry: AccessEntry,
}

/// Filter of the access-log review. Every field narrows; `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessQuery {
    pub staff: Option<StaffId>,
    pub person: Option<PersonId>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
    /// Only entries by readers acting in one of these units.
    pub units: Option<Vec<UnitId>>,
    pub limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecurityKind {
    AccountCreated,
    PasswordChanged,
    LoginSucceeded,
    LoginFailed,
    /// Too many failed logins: the account is locked for a while.
    AccountLocked,
    /// The lock ran out or was released by an administrator.
    AccountUnlocked,
    /// Too many failed logins from one address.
    AddressThrottled,
    TokenIssued,
    TokenRevoked,
    /// A token was refused: unknown, expired, revoked or outside its scopes.
    TokenRefused,
    AccessGranted,
    Logout,
    /// A request refused (bad input, out of scope, stale version).
    RequestRefused,
}

impl SecurityKind {
    pub const ALL: [Self; 13] = [
        Self::AccountCreated,
        Self::PasswordChanged,
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::AccountLocked,
        Self::AccountUnlocked,
        Self::AddressThrottled,
        Self::TokenIssued,
        Self::TokenRevoked,
        Self::TokenRefused,
        Self::AccessGranted,
        Self::Logout,
        Self::RequestRefused,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountCreated => "account_created",
            Self::PasswordChanged => "password_changed",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::AccountLocked => "account_locked",
            Self::AccountUnlocked => "account_unlocked",
            Self::AddressThrottled => "address_throttled",
            Self::TokenIssued => "token_issued",
            Self::TokenRevoked => "token_revoked",
            Self::TokenRefused => "token_refused",
            Self::AccessGranted => "access_granted",
            Self::Logout => "logout",
            Self::RequestRefused => "request_refused",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One line of the security log. `detail` is written by the system (never user input,
/// never a secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SecurityEntry {
    pub at: DateTime<Utc>,
    pub kind: SecurityKind,
    pub username: Option<String>,
    pub address: Option<String>,
    pub detail: String,
    pub correlation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SecurityRecord {
    pub seq: u64,
    #[serde(flatten)]
    pub entry: SecurityEntry,
}

/// Storage of identity and the logs. One implementation per database.
pub trait SecurityBackend: Send {
    /// Inserts an account or replaces the one with the same username.
    fn upsert_account(&mut self, a: &Account) -> Result<(), StoreError>;
    fn accounts(&mut self) -> Result<Vec<Account>, StoreError>;
    /// Inserts a token or replaces the one with the same id (revocation).
    fn upsert_token(&mut self, t: &Token) -> Result<(), StoreError>;
    fn token_by_hash(&mut self, hash: &str) -> Result<Option<Token>, StoreError>;
    /// Tokens of a user, newest first.
    fn tokens_of(&mut self, username: &str) -> Result<Vec<Token>, StoreError>;
    fn insert_grant(&mut self, g: &AccessGrant) -> Result<(), StoreError>;
    /// Grants still in force at `now`.
    fn grants_active(&mut self, now: DateTime<Utc>) -> Result<Vec<AccessGrant>, StoreError>;
    /// Grants given in `[from, to)` by staff acting in `units` (None = all).
    fn grants_given(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        units: Option<&[UnitId]>,
    ) -> Result<Vec<AccessGrant>, StoreError>;
    /// Appends both kinds of log line in one transaction (all or nothing).
    fn append_logs(&mut self, access: &[AccessEntry], security: &[SecurityEntry]) -> Result<(), StoreError>;
    /// The access log, oldest first, at most `q.limit` lines (0 = no limit).
    fn access_log(&mut self, q: &AccessQuery) -> Result<Vec<AccessRecord>, StoreError>;
    /// The security log in `[from, to)`, oldest first.
    fn security_log(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<SecurityRecord>, StoreError>;
    /// A named secret of this installation (32 random bytes), created on first use.
    fn secret(&mut self, name: &str) -> Result<Vec<u8>, StoreError>;
}

/// Opens the security backend of the database at `url` (same URL as the journal; with
/// SQLite, a file beside the journal's: [`crate::sqlite::security_path`]).
pub fn open_security_backend(url: &str) -> Result<Box<dyn SecurityBackend>, StoreError> {
    Ok(match crate::locate(url)? {
        crate::Location::Postgres(u) => Box::new(crate::postgres::PostgresBackend::open(u)?),
        crate::Location::Sqlite(path) => {
            Box::new(crate::sqlite::SqliteBackend::open_security(&crate::sqlite::security_path(path))?)
        }
    })
}

/// Called by the log writer once the job's lines are durable (or failed to be written).
pub type LogDone = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

struct LogJob {
    access: Vec<AccessEntry>,
    security: Vec<SecurityEntry>,
    done: LogDone,
}

/// Identity and logs: one connection for the rare account/token writes and the log
/// queries, and one log-writer thread that commits log lines in groups (one fsync for
/// every reader waiting), so a read is logged durably before its data is sent.
pub struct SecurityStore {
    conn: Mutex<Box<dyn SecurityBackend>>,
    tx: Option<Sender<LogJob>>,
    writer: Option<JoinHandle<()>>,
}

impl SecurityStore {
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let conn = open_security_backend(url)?;
        let writer_conn = open_security_backend(url)?;
        // Unbounded: a sender never blocks (it may be an async task); every sender waits
        // for its reply, so the queue is never longer than the requests in flight.
        let (tx, rx) = mpsc::channel::<LogJob>();
        let writer = std::thread::Builder::new()
            .name("access-log-writer".into())
            .spawn(move || run_log_writer(writer_conn, rx))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self { conn: Mutex::new(conn), tx: Some(tx), writer: Some(writer) })
    }

    /// Runs `f` on the shared connection.
    pub fn with<T>(&self, f: impl FnOnce(&mut dyn SecurityBackend) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut c = match self.conn.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut **c)
    }

    /// Writes log lines; returns once they are durable.
    pub fn log(&self, access: Vec<AccessEntry>, security: Vec<SecurityEntry>) -> Result<(), StoreError> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.log_then(
            access,
            security,
            Box::new(move |r| {
                let _ = reply.send(r);
            }),
        );
        rx.recv().map_err(|_| StoreError::Backend("log writer stopped".into()))?
    }

    /// Hands log lines to the writer without blocking; `done` is called once they are
    /// durable, or with the error (at once if the writer is gone). An async caller
    /// waits on a channel `done` sends to, so no thread is held while the disk syncs.
    pub fn log_then(&self, access: Vec<AccessEntry>, security: Vec<SecurityEntry>, done: LogDone) {
        if access.is_empty() && security.is_empty() {
            return done(Ok(()));
        }
        let Some(tx) = self.tx.as_ref() else {
            return done(Err(StoreError::Backend("log writer closed".into())));
        };
        if let Err(mpsc::SendError(job)) = tx.send(LogJob { access, security, done }) {
            (job.done)(Err(StoreError::Backend("log writer stopped".into())));
        }
    }

    pub fn log_security(&self, e: SecurityEntry) -> Result<(), StoreError> {
        self.log(Vec::new(), vec![e])
    }
}

impl Drop for SecurityStore {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
    }
}

const MAX_LOG_GROUP: usize = 1024;

fn run_log_writer(mut backend: Box<dyn SecurityBackend>, rx: Receiver<LogJob>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_LOG_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut access = Vec::new();
        let mut security = Vec::new();
        let mut dones = Vec::with_capacity(jobs.len());
        for j in jobs {
            access.extend(j.access);
            security.extend(j.security);
            dones.push(j.done);
        }
        let res = backend.append_logs(&access, &security);
        if let Err(e) = &res {
            let detail = match e {
                StoreError::Backend(s) | StoreError::Corrupt(s) => s.clone(),
                other => other.code().to_owned(),
            };
            tracing::error!(error = %detail, lines = access.len() + security.len(), "access log write failed");
        }
        for done in dones {
            done(res.clone());
        }
    }
}

/// How the backends store the values of this module: timestamps as RFC 3339 with
/// microseconds and `Z` (fixed width, so text order is time order), enums and ids as
/// their serde strings. A stored value that does not parse is `Corrupt`; the message
/// names the column, never the value (it may be personal data).
pub(crate) mod codec {
    use chrono::{DateTime, SecondsFormat, Utc};
    use rand::RngCore;
    use skyndsam_domain::ids::{CaseId, PersonId, StaffId, UnitId};
    use skyndsam_domain::org::Role;

    use super::{AccessAction, AccessBasis, SecurityKind, TokenKind};
    use crate::error::StoreError;

    /// Length of a named secret.
    pub const SECRET_LEN: usize = 32;

    fn corrupt(column: &str) -> StoreError {
        StoreError::Corrupt(format!("{column}: invalid stored value"))
    }

    pub fn ts(t: DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
    pub fn parse_ts(s: &str, column: &str) -> Result<DateTime<Utc>, StoreError> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| corrupt(column))
    }
    pub fn from_micros(us: i64, column: &str) -> Result<DateTime<Utc>, StoreError> {
        DateTime::from_timestamp_micros(us).ok_or_else(|| corrupt(column))
    }
    pub fn role(r: Role) -> Result<String, StoreError> {
        match serde_json::to_value(r) {
            Ok(serde_json::Value::String(s)) => Ok(s),
            _ => Err(StoreError::Backend("role does not serialise to a string".into())),
        }
    }
    pub fn parse_role(s: &str, column: &str) -> Result<Role, StoreError> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| corrupt(column))
    }
    pub fn staff(s: &str, column: &str) -> Result<StaffId, StoreError> {
        StaffId::parse(s).map_err(|_| corrupt(column))
    }
    pub fn unit(s: &str, column: &str) -> Result<UnitId, StoreError> {
        UnitId::parse(s).map_err(|_| corrupt(column))
    }
    pub fn person(s: &str, column: &str) -> Result<PersonId, StoreError> {
        PersonId::parse(s).map_err(|_| corrupt(column))
    }
    pub fn case(s: &str, column: &str) -> Result<CaseId, StoreError> {
        CaseId::parse(s).map_err(|_| corrupt(column))
    }
    pub fn uuid(s: &str, column: &str) -> Result<uuid::Uuid, StoreError> {
        uuid::Uuid::parse_str(s).map_err(|_| corrupt(column))
    }
    pub fn token_kind(s: &str) -> Result<TokenKind, StoreError> {
        TokenKind::parse(s).ok_or_else(|| corrupt("tokens.kind"))
    }
    pub fn action(s: &str) -> Result<AccessAction, StoreError> {
        AccessAction::parse(s).ok_or_else(|| corrupt("access_log.action"))
    }
    pub fn basis(s: &str) -> Result<AccessBasis, StoreError> {
        AccessBasis::parse(s).ok_or_else(|| corrupt("access_log.basis"))
    }
    pub fn security_kind(s: &str) -> Result<SecurityKind, StoreError> {
        SecurityKind::parse(s).ok_or_else(|| corrupt("security_log.kind"))
    }
    pub fn scopes(v: &[String]) -> Result<String, StoreError> {
        serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
    }
    pub fn parse_scopes(s: &str) -> Result<Vec<String>, StoreError> {
        serde_json::from_str(s).map_err(|_| corrupt("tokens.scopes"))
    }
    pub fn seq(v: i64, column: &str) -> Result<u64, StoreError> {
        u64::try_from(v).map_err(|_| corrupt(column))
    }
    /// A `LIMIT` for `limit` (0 = none).
    pub fn limit(limit: usize) -> Option<i64> {
        (limit > 0).then(|| i64::try_from(limit).unwrap_or(i64::MAX))
    }
    /// Fresh secret bytes from the operating system.
    pub fn new_secret() -> Result<Vec<u8>, StoreError> {
        let mut b = vec![0u8; SECRET_LEN];
        rand::rngs::OsRng.try_fill_bytes(&mut b).map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(b)
    }
    pub fn check_secret(b: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        if b.len() == SECRET_LEN {
            Ok(b)
        } else {
            Err(corrupt("secrets.value"))
        }
    }
}
