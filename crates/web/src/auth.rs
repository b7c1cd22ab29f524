//! Identity: local accounts (argon2id), bearer tokens (sessions and integration tokens,
//! stored as SHA-256 of the secret, scoped, expiring, revocable) and login throttling per
//! account and per address. Every login, lock-out, release and token act goes to the
//! security log.
//!
//! Single sign-on (OIDC) plugs in at [`IdentityProvider`]: a provider proves who the
//! person is and yields a username; everything after that — the account, its staff member,
//! the role chosen, the session token — is the same as for a local login. Only the local
//! provider is built; an OIDC provider maps the ID token's `sub` to
//! `Account::external_subject`.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use skyndsam_domain::ids::{StaffId, UnitId};
use skyndsam_domain::org::Role;
use skyndsam_domain::rules::Privacy;
use skyndsam_store::security::{Account, SecurityEntry, SecurityKind, SecurityStore, Token, TokenKind};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, RwLock};

use crate::error::ApiError;
use axum::http::StatusCode;

/// Scopes an integration token may hold. A session holds `*` (everything its role may do).
pub const SCOPES: &[(&str, &str)] = &[
    ("cases:read", "läsa ärenden, tidslinjer och bevakningslistan"),
    ("cases:write", "registrera bedömningar och beslut i ärenden"),
    ("actualisations:write", "registrera aktualiseringar (e-tjänst)"),
    ("persons:read", "söka och läsa personer"),
    ("persons:write", "registrera personer"),
    ("accesslog:read", "granska loggar"),
    ("quality:read", "läsa avvikelser, lex Sarah, synpunkter, internkontroll och brukarundersökningar"),
    ("quality:write", "rapportera och handlägga kvalitetsärenden"),
];

pub const MIN_PASSWORD_CHARS: usize = 12;
const TOKEN_PREFIX: &str = "sks_";

/// Hashes a password with argon2id (the crate's defaults: OWASP's recommendation).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_input("password", format!("Lösenordet måste ha minst {MIN_PASSWORD_CHARS} tecken.")));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fresh token secret and the hash that is stored.
pub fn new_token_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let hash = token_hash(&secret);
    (secret, hash)
}

pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

// ------------------------------------------------------------------ throttling

/// Why a login is refused before the password is even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    AccountLocked { until: DateTime<Utc> },
    AddressThrottled { until: DateTime<Utc> },
}

#[derive(Debug, Default)]
struct Failures {
    times: VecDeque<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
}

impl Failures {
    fn prune(&mut self, now: DateTime<Utc>, window: Duration) {
        while self.times.front().is_some_and(|t| *t <= now - window) {
            self.times.pop_front();
        }
    }
}

/// Login throttling per account and per address. Pure: the clock is a parameter; the
/// caller writes the returned security events.
#[derive(Debug, Default)]
pub struct Throttle {
    accounts: HashMap<String, Failures>,
    addresses: HashMap<String, Failures>,
}

/// A change the throttle reports for the security log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThrottleEvent {
    Locked { username: String, until: DateTime<Utc> },
    Released { username: String },
    AddressThrottled { address: String, until: DateTime<Utc> },
}

impl Throttle {
    /// Whether a login attempt may proceed. Releases locks that have run out (reported).
    pub fn check(
        &mut self,
        username: &str,
        address: &str,
        now: DateTime<Utc>,
        events: &mut Vec<ThrottleEvent>,
    ) -> Result<(), Throttled> {
        if let Some(f) = self.addresses.get_mut(address) {
            match f.locked_until {
                Some(until) if now < until => return Err(Throttled::AddressThrottled { until }),
                Some(_) => {
                    f.locked_until = None;
                    f.times.clear();
                }
                None => {}
            }
        }
        if let Some(f) = self.accounts.get_mut(username) {
            match f.locked_until {
                Some(until) if now < until => return Err(Throttled::AccountLocked { until }),
                Some(_) => {
                    f.locked_until = None;
                    f.times.clear();
                    events.push(ThrottleEvent::Released { username: username.to_owned() });
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Records a failed attempt; may lock the account or throttle the address.
    pub fn failure(&mut self, username: &str, address: &str, now: DateTime<Utc>, p: &Privacy) -> Vec<ThrottleEvent> {
        let window = Duration::minutes(i64::from(p.login_window_minutes));
        let lock = Duration::minutes(i64::from(p.login_lock_minutes));
        let mut out = Vec::new();
        let f = self.accounts.entry(username.to_owned()).or_default();
        f.prune(now, window);
        f.times.push_back(now);
        if f.times.len() >= p.login_max_failures as usize && f.locked_until.is_none() {
            f.locked_until = Some(now + lock);
            out.push(ThrottleEvent::Locked { username: username.to_owned(), until: now + lock });
        }
        let a = self.addresses.entry(address.to_owned()).or_default();
        a.prune(now, window);
        a.times.push_back(now);
        if a.times.len() >= p.login_max_failures_per_address as usize && a.locked_until.is_none() {
            a.locked_until = Some(now + lock);
            out.push(ThrottleEvent::AddressThrottled { address: address.to_owned(), until: now + lock });
        }
        out
    }

    pub fn success(&mut self, username: &str) {
        self.accounts.remove(username);
    }

    /// An administrator's release of a locked account. True if it was locked.
    pub fn release(&mut self, username: &str) -> bool {
        self.accounts.remove(username).is_some_and(|f| f.locked_until.is_some())
    }
}

// ------------------------------------------------------------------ providers

/// Proves who is logging in. Local passwords now; OIDC is the other implementation to come.
pub trait IdentityProvider: Send + Sync {
    /// The username proven by `credentials`, or None.
    fn authenticate(&self, accounts: &HashMap<String, Account>, username: &str, password: &str) -> Option<String>;
}

/// Local accounts with argon2id password hashes.
pub struct LocalPasswords;

/// A valid argon2id hash of a random password: verifying against it for unknown users
/// keeps the answer time the same whether the account exists or not.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

impl IdentityProvider for LocalPasswords {
    fn authenticate(&self, accounts: &HashMap<String, Account>, username: &str, password: &str) -> Option<String> {
        match accounts.get(username) {
            Some(a) if a.disabled_at.is_none() => {
                let hash = a.password_hash.as_deref()?;
                verify_password(hash, password).then(|| a.username.clone())
            }
            _ => {
                let dummy = DUMMY_HASH.get_or_init(|| {
                    let salt = SaltString::generate(&mut OsRng);
                    Argon2::default().hash_password(b"not a password", &salt).map(|h| h.to_string()).unwrap_or_default()
                });
                let _ = verify_password(dummy, password);
                None
            }
        }
    }
}

// ------------------------------------------------------------------ the service

/// Cached token and when it was read from the database.
#[derive(Clone)]
struct Cached {
    token: Token,
    read_at: DateTime<Utc>,
}

/// How long a cached token is trusted before it is read again (a revocation made by
/// another server process takes effect within this time).
const TOKEN_RECHECK_SECONDS: i64 = 30;

pub struct Auth {
    accounts: RwLock<HashMap<String, Account>>,
    tokens: RwLock<HashMap<String, Cached>>,
    throttle: Mutex<Throttle>,
    provider: Box<dyn IdentityProvider>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn sec(
    at: DateTime<Utc>,
    kind: SecurityKind,
    username: Option<&str>,
    address: Option<&str>,
    detail: impl Into<String>,
    correlation: &str,
) -> SecurityEntry {
    SecurityEntry {
        at,
        kind,
        username: username.map(str::to_owned),
        address: address.map(str::to_owned),
        detail: detail.into(),
        correlation: correlation.to_owned(),
    }
}

/// A successful login: the secret (shown once) and the session.
pub struct Issued {
    pub secret: String,
    pub token: Token,
}

impl Auth {
    pub fn load(security: &SecurityStore) -> Result<Self, ApiError> {
        let accounts = security.with(|b| b.accounts())?;
        Ok(Self {
            accounts: RwLock::new(accounts.into_iter().map(|a| (a.username.clone(), a)).collect()),
            tokens: RwLock::new(HashMap::new()),
            throttle: Mutex::new(Throttle::default()),
            provider: Box::new(LocalPasswords),
        })
    }

    pub fn account(&self, username: &str) -> Option<Account> {
        self.accounts.read().ok().and_then(|a| a.get(username).cloned())
    }

    /// Creates a local account (the first administrator comes from the CLI).
    pub fn add_account(
        &self,
        security: &SecurityStore,
        username: &str,
        staff: StaffId,
        password: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Account, ApiError> {
        let valid = !username.is_empty()
            && username.len() <= 64
            && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
        if !valid {
            return Err(ApiError::bad_input(
                "username",
                "Användarnamnet får bara innehålla a–z, 0–9, punkt, bindestreck, understreck och @ (högst 64 tecken).",
            ));
        }
        if self.account(username).is_some() {
            return Err(ApiError::new(StatusCode::CONFLICT, "ACCOUNT_EXISTS", "Användarnamnet är redan upptaget.")
                .field("username"));
        }
        let hash = hash_password(password)?;
        let a = Account {
            username: username.to_owned(),
            staff,
            password_hash: Some(hash),
            external_subject: None,
            created_at: now,
            disabled_at: None,
        };
        security.with(|b| b.upsert_account(&a))?;
        security.log_security(sec(
            now,
            SecurityKind::AccountCreated,
            Some(username),
            None,
            format!("av {by}"),
            "cli",
        ))?;
        if let Ok(mut m) = self.accounts.write() {
            m.insert(a.username.clone(), a.clone());
        }
        Ok(a)
    }

    /// Logs in. `choose` is the role and unit to act through; it may be omitted when
    /// the staff member holds exactly one role. Refusals are logged; the caller checks
    /// the role against the organisation (`roles`: the staff member's active roles).
    #[allow(clippy::too_many_arguments)]
    pub fn login(
        &self,
        security: &SecurityStore,
        username: &str,
        password: &str,
        address: &str,
        now: DateTime<Utc>,
        privacy: &Privacy,
        roles: impl Fn(&StaffId) -> Vec<(Role, UnitId)>,
        choose: Option<(Role, Option<UnitId>)>,
        correlation: &str,
    ) -> Result<Issued, ApiError> {
        let refused = || ApiError::new(StatusCode::UNAUTHORIZED, "LOGIN_FAILED", "Fel användarnamn eller lösenord.");
        let mut events = Vec::new();
        let check = lock(&self.throttle).check(username, address, now, &mut events);
        self.log_throttle(security, &events, now, correlation)?;
        if let Err(t) = check {
            let (kind, until) = match t {
                Throttled::AccountLocked { until } => (SecurityKind::AccountLocked, until),
                Throttled::AddressThrottled { until } => (SecurityKind::AddressThrottled, until),
            };
            security.log_security(sec(
                now,
                SecurityKind::LoginFailed,
                Some(username),
                Some(address),
                format!("nekad: {} till {}", kind.as_str(), until.to_rfc3339()),
                correlation,
            ))?;
            let minutes = (until - now).num_minutes().max(1);
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "LOGIN_LOCKED",
                format!("För många misslyckade inloggningar. Försök igen om {minutes} minuter eller kontakta systemadministratören."),
            ));
        }
        let proven = {
            let accounts = self.accounts.read().map_err(|_| ApiError::internal("accounts lock"))?;
            self.provider.authenticate(&accounts, username, password)
        };
        let Some(user) = proven else {
            let events = lock(&self.throttle).failure(username, address, now, privacy);
            security.log_security(sec(
                now,
                SecurityKind::LoginFailed,
                Some(username),
                Some(address),
                "fel användarnamn eller lösenord",
                correlation,
            ))?;
            self.log_throttle(security, &events, now, correlation)?;
            return Err(refused());
        };
        lock(&self.throttle).success(&user);
        let account = self.account(&user).ok_or_else(refused)?;
        let held = roles(&account.staff);
        let (role, unit) = match choose {
            Some((r, Some(u))) => held.into_iter().find(|(hr, hu)| *hr == r && *hu == u),
            Some((r, None)) => {
                let mut m: Vec<_> = held.into_iter().filter(|(hr, _)| *hr == r).collect();
                if m.len() > 1 {
                    return Err(ApiError::bad_input("unit", "Du har rollen i flera enheter. Ange vilken enhet."));
                }
                m.pop()
            }
            None => {
                if held.len() > 1 {
                    return Err(ApiError::bad_input("role", "Du har flera roller. Ange vilken roll du arbetar i."));
                }
                held.into_iter().next()
            }
        }
        .ok_or_else(|| {
            ApiError::new(StatusCode::FORBIDDEN, "NO_ROLE", "Du har ingen aktiv roll i den enheten. Kontakta din chef.")
        })?;
        let (secret, hash) = new_token_secret();
        let token = Token {
            id: uuid::Uuid::new_v4(),
            hash,
            kind: TokenKind::Session,
            username: user.clone(),
            role,
            unit,
            scopes: vec!["*".into()],
            name: "inloggning".into(),
            created_at: now,
            expires_at: now + Duration::hours(i64::from(privacy.session_hours)),
            revoked_at: None,
        };
        security.with(|b| b.upsert_token(&token))?;
        security.log_security(sec(
            now,
            SecurityKind::LoginSucceeded,
            Some(&user),
            Some(address),
            format!("roll {}", role.label_sv()),
            correlation,
        ))?;
        self.cache(&token, now);
        Ok(Issued { secret, token })
    }

    fn log_throttle(
        &self,
        security: &SecurityStore,
        events: &[ThrottleEvent],
        now: DateTime<Utc>,
        correlation: &str,
    ) -> Result<(), ApiError> {
        for e in events {
            let entry = match e {
                ThrottleEvent::Locked { username, until } => sec(
                    now,
                    SecurityKind::AccountLocked,
                    Some(username),
                    None,
                    format!("låst till {}", until.to_rfc3339()),
                    correlation,
                ),
                ThrottleEvent::Released { username } => {
                    sec(now, SecurityKind::AccountUnlocked, Some(username), None, "spärrtiden har löpt ut", correlation)
                }
                ThrottleEvent::AddressThrottled { address, until } => sec(
                    now,
                    SecurityKind::AddressThrottled,
                    None,
                    Some(address),
                    format!("strypt till {}", until.to_rfc3339()),
                    correlation,
                ),
            };
            security.log_security(entry)?;
        }
        Ok(())
    }

    /// An administrator releases a locked account.
    pub fn release(
        &self,
        security: &SecurityStore,
        username: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<bool, ApiError> {
        let was = lock(&self.throttle).release(username);
        if was {
            security.log_security(sec(
                now,
                SecurityKind::AccountUnlocked,
                Some(username),
                None,
                format!("släppt av {by}"),
                "admin",
            ))?;
        }
        Ok(was)
    }

    fn cache(&self, t: &Token, now: DateTime<Utc>) {
        if let Ok(mut m) = self.tokens.write() {
            if m.len() > 100_000 {
                m.retain(|_, c| c.token.expires_at > now && c.token.revoked_at.is_none());
            }
            m.insert(t.hash.clone(), Cached { token: t.clone(), read_at: now });
        }
    }

    /// A valid token from the cache alone (no I/O), for the common case; None sends the
    /// caller to `authenticate`, which reads, judges and logs.
    pub fn cached_valid(&self, bearer: &str, now: DateTime<Utc>) -> Option<Token> {
        let hash = token_hash(bearer);
        let c = self.tokens.read().ok()?.get(&hash).cloned()?;
        let fresh = now - c.read_at < Duration::seconds(TOKEN_RECHECK_SECONDS) && now >= c.read_at;
        let t = c.token;
        let valid = fresh
            && t.revoked_at.is_none()
            && t.expires_at > now
            && self.account(&t.username).is_some_and(|a| a.disabled_at.is_none());
        valid.then_some(t)
    }

    /// Resolves a bearer token. Unknown, expired, revoked or malformed tokens are refused
    /// and logged (the secret never is — only the first characters of its hash).
    pub fn authenticate(
        &self,
        security: &SecurityStore,
        bearer: &str,
        address: &str,
        now: DateTime<Utc>,
        correlation: &str,
    ) -> Result<Token, ApiError> {
        let hash = token_hash(bearer);
        let cached = self.tokens.read().ok().and_then(|m| m.get(&hash).cloned());
        let token = match cached {
            Some(c) if now - c.read_at < Duration::seconds(TOKEN_RECHECK_SECONDS) => Some(c.token),
            _ => {
                let t = security.with(|b| b.token_by_hash(&hash))?;
                if let Some(t) = &t {
                    self.cache(t, now);
                }
                t
            }
        };
        let why = match &token {
            _ if !bearer.starts_with(TOKEN_PREFIX) => Some("felaktigt format"),
            None => Some("okänd"),
            Some(t) if t.revoked_at.is_some() => Some("återkallad"),
            Some(t) if t.expires_at <= now => Some("utgången"),
            Some(t) if self.account(&t.username).is_none_or(|a| a.disabled_at.is_some()) => Some("kontot är spärrat"),
            Some(_) => None,
        };
        match (why, token) {
            (None, Some(t)) => Ok(t),
            (why, t) => {
                security.log_security(sec(
                    now,
                    SecurityKind::TokenRefused,
                    t.as_ref().map(|t| t.username.as_str()),
                    Some(address),
                    format!("{} (hash {}…)", why.unwrap_or("okänd"), hash.get(..8).unwrap_or("")),
                    correlation,
                ))?;
                Err(ApiError::unauthenticated())
            }
        }
    }

    /// Issues an integration token for `username` acting as (role, unit).
    #[allow(clippy::too_many_arguments)]
    pub fn issue_integration(
        &self,
        security: &SecurityStore,
        username: &str,
        role: Role,
        unit: UnitId,
        scopes: Vec<String>,
        name: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        privacy: &Privacy,
        by: &str,
        correlation: &str,
    ) -> Result<Issued, ApiError> {
        if self.account(username).is_none() {
            return Err(ApiError::bad_input("username", "Kontot finns inte."));
        }
        for s in &scopes {
            if !SCOPES.iter().any(|(k, _)| k == s) {
                return Err(ApiError::bad_input("scopes", "Okänd behörighet för token."));
            }
        }
        if scopes.is_empty() {
            return Err(ApiError::bad_input("scopes", "Ange minst en behörighet."));
        }
        if expires_at <= now || expires_at > now + Duration::days(i64::from(privacy.token_max_days)) {
            return Err(ApiError::bad_input(
                "expires_at",
                format!("Giltighetstiden måste ligga mellan nu och {} dagar framåt.", privacy.token_max_days),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ApiError::bad_input("name", "Ge token ett namn (högst 100 tecken)."));
        }
        let (secret, hash) = new_token_secret();
        let token = Token {
            id: uuid::Uuid::new_v4(),
            hash,
            kind: TokenKind::Integration,
            username: username.to_owned(),
            role,
            unit,
            scopes,
            name: name.to_owned(),
            created_at: now,
            expires_at,
            revoked_at: None,
        };
        security.with(|b| b.upsert_token(&token))?;
        security.log_security(sec(
            now,
            SecurityKind::TokenIssued,
            Some(username),
            None,
            format!("integration {} av {by}, giltig till {}", token.id, expires_at.to_rfc3339()),
            correlation,
        ))?;
        self.cache(&token, now);
        Ok(Issued { secret, token })
    }

    /// Revokes a token (logout, or an administrator's revocation).
    pub fn revoke(
        &self,
        security: &SecurityStore,
        mut token: Token,
        now: DateTime<Utc>,
        by: &str,
        kind: SecurityKind,
        correlation: &str,
    ) -> Result<(), ApiError> {
        if token.revoked_at.is_some() {
            return Ok(());
        }
        token.revoked_at = Some(now);
        security.with(|b| b.upsert_token(&token))?;
        security.log_security(sec(
            now,
            kind,
            Some(&token.username),
            None,
            format!("{} {} av {by}", token.kind.as_str(), token.id),
            correlation,
        ))?;
        self.cache(&token, now);
        Ok(())
    }
}
