//! The application state, the request's correlation id and error rendering, and the two
//! extractors every handler is built from: `Ctx` (an authenticated caller holding only the
//! capability its role gives, see `scope`) and `JsonBody` (strict JSON with Swedish errors).

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::{header, request::Parts, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use skyndsam_domain::org::{Actor, Role};
use skyndsam_store::security::{
    AccessAction, AccessEntry, AccessGrant, SecurityEntry, SecurityKind, SecurityStore, Token,
};
use skyndsam_store::Store;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use crate::auth::Auth;
use crate::cache::TimelineCache;
use crate::error::{ApiError, Correlation};
use crate::routes::RouteSpec;
use crate::scope::{Access, Scope, ScopeUnits};
use crate::views::Pseudonymiser;
use skyndsam_domain::ids::UnitId;
use skyndsam_store::projections::Projections;
use std::collections::HashMap;

/// The clock is a parameter, here too: tests drive time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 256 * 1024;

/// How long the grant cache is trusted before it is read again.
const GRANT_RECHECK_SECONDS: i64 = 30;

pub struct App {
    pub store: Arc<Store>,
    pub security: Arc<SecurityStore>,
    pub auth: Auth,
    pub pseudonyms: Pseudonymiser,
    pub clock: Arc<dyn Clock>,
    pub routes: Vec<RouteSpec>,
    /// Rendered timelines of recently read cases (see [`crate::cache`]).
    pub timelines: TimelineCache,
    /// Mark the web UI's cookies `Secure` even when the request does not say it came over
    /// TLS (`X-Forwarded-Proto: https` always does).
    pub secure_cookies: bool,
    grants: RwLock<(DateTime<Utc>, Vec<AccessGrant>)>,
    scope_units: RwLock<ScopeUnitsCache>,
    /// The public e-tjänst's posts per address (rate limit, this process).
    pub e_service_limiter: crate::ui::etjanst::Limiter,
    /// The indicators' fact table and cube (see [`crate::reports`]).
    pub reports: crate::reports::ReportCache,
    /// Outgoing mail, when the municipality configured it (see [`crate::mail`]).
    pub mail: Option<crate::mail::Outgoing>,
    /// The last e-mail notice per deviation (this process).
    pub notices: crate::mail::NoticeLog,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see [`client_address`]).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

pub type AppState = Arc<App>;

/// (role, unit) → (organisation revision, the units it sees).
type ScopeUnitsCache = HashMap<(Role, UnitId), (u64, Arc<ScopeUnits>)>;

/// The timeline cache's default budget: 512 MiB holds the rendered timelines of about
/// 100,000 cases (a large city's two years) on a server that has the memory.
pub const DEFAULT_TIMELINE_CACHE_BYTES: usize = 512 << 20;

impl App {
    pub fn new(store: Arc<Store>, security: Arc<SecurityStore>, clock: Arc<dyn Clock>) -> Result<Self, ApiError> {
        let auth = Auth::load(&security)?;
        let key = security.with(|b| b.secret("pseudonym"))?;
        let now = clock.now();
        let grants = security.with(|b| b.grants_active(now))?;
        Ok(Self {
            store,
            security,
            auth,
            pseudonyms: Pseudonymiser::new(key),
            clock,
            routes: crate::routes::table(),
            timelines: TimelineCache::new(DEFAULT_TIMELINE_CACHE_BYTES),
            secure_cookies: false,
            grants: RwLock::new((now, grants)),
            scope_units: RwLock::new(HashMap::new()),
            e_service_limiter: Default::default(),
            reports: Default::default(),
            mail: None,
            notices: Default::default(),
            trusted_proxies: Vec::new(),
        })
    }

    /// Sends e-mail notices through `mailer` (off when never called).
    pub fn with_mail(mut self, mail: crate::mail::Outgoing) -> Self {
        self.mail = Some(mail);
        self
    }

    /// Sets the timeline cache's budget in bytes (0 turns it off).
    pub fn with_timeline_cache(mut self, bytes: usize) -> Self {
        self.timelines = TimelineCache::new(bytes);
        self
    }

    /// Always marks the web UI's cookies `Secure` (behind a TLS-terminating proxy that
    /// does not send `X-Forwarded-Proto`).
    pub fn with_secure_cookies(mut self, on: bool) -> Self {
        self.secure_cookies = on;
        self
    }

    /// Believes `X-Forwarded-For` from these networks: the municipality's reverse proxies
    /// (none by default: the header is then ignored).
    pub fn with_trusted_proxies(mut self, proxies: Vec<ipnet::IpNet>) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Active grants (cached; re-read every 30 s so another server's grants are seen).
    pub fn grants(&self, now: DateTime<Utc>) -> Result<Vec<AccessGrant>, ApiError> {
        if let Ok(g) = self.grants.read() {
            if (now - g.0).num_seconds() < GRANT_RECHECK_SECONDS && now >= g.0 {
                return Ok(g.1.iter().filter(|x| x.granted_at <= now && now < x.until).cloned().collect());
            }
        }
        let fresh = self.security.with(|b| b.grants_active(now))?;
        if let Ok(mut g) = self.grants.write() {
            *g = (now, fresh.clone());
        }
        Ok(fresh)
    }

    /// The units `role` in `unit` sees, computed once per organisation revision.
    pub fn scope_units(&self, role: Role, unit: &UnitId, p: &Projections) -> Arc<ScopeUnits> {
        let key = (role, unit.clone());
        if let Ok(m) = self.scope_units.read() {
            if let Some((rev, u)) = m.get(&key) {
                if *rev == p.org_revision {
                    return u.clone();
                }
            }
        }
        let u = Arc::new(ScopeUnits::of(role, unit, &p.org));
        if let Ok(mut m) = self.scope_units.write() {
            m.retain(|_, (rev, _)| *rev == p.org_revision);
            m.insert(key, (p.org_revision, u.clone()));
        }
        u
    }

    pub fn add_grant(&self, g: AccessGrant) {
        if let Ok(mut w) = self.grants.write() {
            w.1.push(g);
        }
    }
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(format!("task: {e}")))?
}

/// A JSON response. Like axum's `Json`, but serialised into a buffer sized for a case
/// with its timeline: axum's starts at 128 bytes and grows (copying) to the size of a case.
pub struct Json<T>(pub T);

const RESPONSE_BUFFER: usize = 8 * 1024;

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(RESPONSE_BUFFER);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], buf).into_response(),
            Err(e) => ApiError::internal(format!("serialising the response: {e}")).into_response(),
        }
    }
}

/// Writes log lines and waits, without holding a thread, until they are durable.
pub async fn durably(app: &App, access: Vec<AccessEntry>, security: Vec<SecurityEntry>) -> Result<(), ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.security.log_then(
        access,
        security,
        Box::new(move |r| {
            let _ = tx.send(r);
        }),
    );
    match rx.await {
        Ok(r) => Ok(r?),
        Err(_) => Err(ApiError::internal("access log writer dropped a job".to_owned())),
    }
}

// ------------------------------------------------------------------ correlation + errors

/// Gives every request a correlation id, logs each refusal once (internal details only in
/// the log), and renders errors as the one JSON shape.
pub async fn correlate(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut req = req;
    req.extensions_mut().insert(Correlation(id.clone()));
    let span = tracing::info_span!("request", %method, %path, correlation = %id);
    let res = {
        use tracing::Instrument;
        next.run(req).instrument(span.clone()).await
    };
    let status = res.status();
    let err = res.extensions().get::<ApiError>().cloned().or_else(|| {
        (status.is_client_error() || status.is_server_error())
            .then(|| match status {
                StatusCode::METHOD_NOT_ALLOWED => {
                    ApiError::new(status, "METHOD_NOT_ALLOWED", "Metoden stöds inte för den här adressen.")
                }
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                    status,
                    "PAYLOAD_TOO_LARGE",
                    format!("Begäran är för stor (högst {} kB).", BODY_LIMIT / 1024),
                ),
                s if s.is_server_error() => ApiError::internal(format!("status {s}")),
                _ => ApiError::new(status, "BAD_REQUEST", "Begäran kunde inte tolkas."),
            })
            // JSON errors and the web UI's own HTML error pages are already rendered.
            .filter(|_| {
                res.headers()
                    .get(header::CONTENT_TYPE)
                    .is_none_or(|v| v != "application/json" && !v.to_str().is_ok_and(|t| t.starts_with("text/html")))
            })
    });
    let Some(err) = err else { return res };
    let _enter = span.enter();
    if err.status.is_server_error() {
        tracing::error!(code = err.code, detail = err.internal.as_deref().unwrap_or(""), "request failed");
    } else {
        tracing::info!(
            status = err.status.as_u16(),
            code = err.code,
            field = err.field.as_deref().unwrap_or(""),
            "request refused"
        );
    }
    let mut out = (err.status, axum::Json(err.body(&id))).into_response();
    out.headers_mut().insert("x-correlation-id", HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("-")));
    out
}

pub(crate) fn correlation_of(parts: &Parts) -> String {
    parts.extensions.get::<Correlation>().map(|c| c.0.clone()).unwrap_or_default()
}

/// The caller's address: the connection's peer, or, when the peer is a trusted proxy, the
/// client it forwarded for (logged, and the key of the login and e-tjänst rate limits).
pub(crate) fn address_of(parts: &Parts, app: &App) -> String {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    client_address(peer, forwarded, &app.trusted_proxies).map_or_else(|| "okänd".into(), |a| a.to_string())
}

/// Who a request comes from. A peer that is not a trusted proxy is the client, whatever
/// `X-Forwarded-For` claims (a client cannot choose its address). From a trusted proxy,
/// the header's addresses are walked from the right (each proxy appends the address it
/// was connected from) past the trusted ones: the first untrusted address is the client.
/// An entry that is not an address stops the walk at the proxy that passed it on. If
/// every address is trusted, the left-most is taken.
pub fn client_address<'a>(
    peer: Option<std::net::IpAddr>,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &[ipnet::IpNet],
) -> Option<std::net::IpAddr> {
    let is_trusted = |a: &std::net::IpAddr| trusted.iter().any(|n| n.contains(a));
    // A dual-stack listener sees an IPv4 peer as ::ffff:a.b.c.d.
    let mut client = peer?.to_canonical();
    if !is_trusted(&client) {
        return Some(client);
    }
    let hops: Vec<&str> = forwarded.flat_map(|h| h.split(',')).map(str::trim).collect();
    for hop in hops.iter().rev() {
        let Ok(addr) = hop.parse::<std::net::IpAddr>().map(|a| a.to_canonical()) else {
            break;
        };
        client = addr;
        if !is_trusted(&addr) {
            break;
        }
    }
    Some(client)
}

// ------------------------------------------------------------------ the caller

/// An authenticated caller: who, through which role, what they may see. A handler that
/// takes `Ctx` has passed the route's role gate and scope check; what it reads about a
/// person goes through `Ctx`'s scope and is logged.
#[derive(Clone)]
pub struct Ctx {
    pub app: AppState,
    pub token: Token,
    pub actor: Actor,
    pub scope: Scope,
    pub correlation: String,
    pub address: String,
    pub now: DateTime<Utc>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let correlation = correlation_of(parts);
        let address = address_of(parts, app);
        let now = app.now();
        let path = parts.extensions.get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
        let spec = app
            .routes
            .iter()
            .find(|r| r.method == parts.method && r.path == path)
            .ok_or_else(|| ApiError::internal(format!("route {} {path} missing from the table", parts.method)))?;
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .map(str::to_owned);
        let bearer = match bearer {
            Some(b) => b,
            None => return Err(ApiError::unauthenticated()),
        };
        let token = valid_token(app, bearer, &address, now, &correlation).await?;
        if let Some(scope) = spec.scope {
            if !token.scopes.iter().any(|s| s == "*" || s == scope) {
                let e = sec_entry(
                    now,
                    SecurityKind::TokenRefused,
                    &token,
                    &address,
                    format!("saknar behörigheten {scope}"),
                    &correlation,
                );
                durably(app, Vec::new(), vec![e]).await?;
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "TOKEN_SCOPE",
                    "Token saknar behörighet för det här anropet.",
                ));
            }
        }
        Ctx::resolve(app, token, spec.roles, correlation, address, now)
    }
}

impl Ctx {
    /// The caller behind a valid token: the actor its role is today, through `roles` (the
    /// route's gate), with the scope that role gives. Shared by the API's bearer tokens and
    /// the web UI's session cookie, so both obey the same gate and need-to-know.
    pub fn resolve(
        app: &AppState,
        token: Token,
        roles: &[Role],
        correlation: String,
        address: String,
        now: DateTime<Utc>,
    ) -> Result<Ctx, ApiError> {
        let account = app.auth.account(&token.username).ok_or_else(ApiError::unauthenticated)?;
        let actor = if token.role == Role::System {
            app.store.actor(&account.staff, Role::System, now)
        } else {
            app.store.actor(&account.staff, token.role, now).filter(|a| a.unit.as_ref() == Some(&token.unit))
        };
        let Some(actor) = actor else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "ROLE_ENDED",
                "Din roll i enheten är inte längre aktiv. Logga in på nytt.",
            ));
        };
        if !roles.contains(&actor.role) {
            return Err(ApiError::forbidden());
        }
        let grants = app.grants(now)?;
        let scope = {
            let p = app.store.projections();
            let units = app.scope_units(actor.role, &token.unit, &p);
            Scope::new(actor.staff.clone(), actor.role, token.unit.clone(), units, &p.rules().privacy, &grants)
        };
        Ok(Ctx { app: app.clone(), token, actor, scope, correlation, address, now })
    }
}

/// The token behind a secret (bearer or session cookie): from the cache when fresh,
/// otherwise read, judged and — when refused — logged by `auth`.
pub(crate) async fn valid_token(
    app: &AppState,
    secret: String,
    address: &str,
    now: DateTime<Utc>,
    correlation: &str,
) -> Result<Token, ApiError> {
    if let Some(t) = app.auth.cached_valid(&secret, now) {
        return Ok(t);
    }
    let (app2, c2, a2) = (app.clone(), correlation.to_owned(), address.to_owned());
    blocking(move || app2.auth.authenticate(&app2.security, &secret, &a2, now, &c2)).await
}

fn sec_entry(
    now: DateTime<Utc>,
    kind: SecurityKind,
    token: &Token,
    address: &str,
    detail: String,
    correlation: &str,
) -> SecurityEntry {
    SecurityEntry {
        at: now,
        kind,
        username: Some(token.username.clone()),
        address: Some(address.to_owned()),
        detail,
        correlation: correlation.to_owned(),
    }
}

impl Ctx {
    /// An access-log line for a read under `access`.
    pub fn access_entry(
        &self,
        person: skyndsam_domain::ids::PersonId,
        case: Option<skyndsam_domain::ids::CaseId>,
        action: AccessAction,
        access: &Access,
    ) -> AccessEntry {
        AccessEntry {
            at: self.now,
            staff: self.actor.staff.clone(),
            role: self.actor.role,
            unit: self.actor.unit.clone(),
            person,
            case,
            action,
            basis: access.basis,
            reason: access.reason.clone(),
            correlation: self.correlation.clone(),
        }
    }

    /// Writes access-log lines durably; only then may the data be sent.
    pub async fn log_reads(&self, entries: Vec<AccessEntry>) -> Result<(), ApiError> {
        durably(&self.app, entries, Vec::new()).await
    }

    /// A request for a record outside the caller's scope: answered as not found, and
    /// written to the security log (guessing ids shows up in the review).
    pub async fn refuse_out_of_scope(&self, what: String) -> ApiError {
        let e = sec_entry(
            self.now,
            SecurityKind::RequestRefused,
            &self.token,
            &self.address,
            format!("utanför behörighet: {what}"),
            &self.correlation,
        );
        if let Err(err) = durably(&self.app, Vec::new(), vec![e]).await {
            return err;
        }
        ApiError::not_found()
    }

    pub async fn log_security(&self, kind: SecurityKind, detail: String) -> Result<(), ApiError> {
        let e = sec_entry(self.now, kind, &self.token, &self.address, detail, &self.correlation);
        durably(&self.app, Vec::new(), vec![e]).await
    }

    pub fn privacy(&self) -> skyndsam_domain::rules::Privacy {
        self.app.store.rules().privacy.clone()
    }
}

/// The caller's address and correlation id, for public routes (login).
pub struct Origin {
    pub address: String,
    pub correlation: String,
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        Ok(Self { address: address_of(parts, app), correlation: correlation_of(parts) })
    }
}

// ------------------------------------------------------------------ strict JSON

/// A JSON body: content type checked, size limited, unknown fields refused, errors in
/// Swedish with the field's path — and never a value from the body in the message.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let RawJson(bytes) = RawJson::from_request(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A JSON body not yet parsed (the route decides the type): content type and size checked.
pub struct RawJson(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "Skicka data som JSON (Content-Type: application/json).",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PAYLOAD_TOO_LARGE",
                    format!("Begäran är för stor (högst {} kB).", BODY_LIMIT / 1024),
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Begäran kunde inte läsas.")
            }
        })?;
        Ok(RawJson(bytes))
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            use serde_json::error::Category;
            match inner.classify() {
                Category::Syntax | Category::Eof | Category::Io => {
                    Err(ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", "Begäran är inte giltig JSON."))
                }
                Category::Data => Err(data_error(&path, &inner.to_string())),
            }
        }
    }
}

fn data_error(path: &str, msg: &str) -> ApiError {
    use skyndsam_domain::personnummer::IdNumberError as E;
    for e in [E::Format, E::Date, E::Checksum, E::InFuture] {
        if msg.starts_with(e.message_sv()) {
            let d: skyndsam_domain::DomainError = e.into();
            return ApiError::from(d).field(path);
        }
    }
    let field = if path == "." { String::new() } else { path.to_owned() };
    let message = if let Some(rest) = msg.strip_prefix("unknown field `") {
        let name: String = rest.chars().take_while(|c| *c != '`').take(64).collect();
        let at = if field.is_empty() { String::new() } else { format!(" i {field}") };
        format!("Okänt fält \"{name}\"{at}. Kontrollera stavningen.")
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        let name: String = rest.chars().take_while(|c| *c != '`').take(64).collect();
        return ApiError::bad_input(
            if field.is_empty() { name.clone() } else { format!("{field}.{name}") },
            format!("Fältet \"{name}\" saknas."),
        );
    } else if msg.starts_with("invalid type") {
        "Fältet har fel typ.".to_owned()
    } else if msg.starts_with("unknown variant") {
        "Värdet är inte ett av de tillåtna.".to_owned()
    } else {
        "Fältet har ett ogiltigt värde.".to_owned()
    };
    ApiError::bad_input(field, message)
}

/// Methods used in the route table.
pub fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "get",
        Method::POST => "post",
        Method::PUT => "put",
        Method::DELETE => "delete",
        Method::PATCH => "patch",
        _ => "get",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn client(peer: &str, headers: &[&str], trusted: &[&str]) -> IpAddr {
        let trusted: Vec<ipnet::IpNet> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        client_address(Some(ip(peer)), headers.iter().copied(), &trusted).unwrap()
    }

    #[test]
    fn a_client_cannot_choose_its_address_without_a_trusted_proxy() {
        assert_eq!(client("198.51.100.7", &["203.0.113.1"], &[]), ip("198.51.100.7"));
        // A peer outside the trusted networks is the client, whatever it forwards.
        assert_eq!(client("198.51.100.7", &["203.0.113.1"], &["10.0.0.0/8"]), ip("198.51.100.7"));
        assert_eq!(client_address(None, ["203.0.113.1"].into_iter(), &[]), None);
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_address_from_the_right_is_the_client() {
        let proxies = ["10.0.0.0/24", "10.1.0.9/32"];
        assert_eq!(client("10.0.0.5", &["203.0.113.1"], &proxies), ip("203.0.113.1"));
        // Two proxies in a row; the client's own claim on the left is not believed.
        assert_eq!(client("10.0.0.5", &["192.0.2.66, 203.0.113.1, 10.1.0.9"], &proxies), ip("203.0.113.1"));
        // Several headers count as one list, in order.
        assert_eq!(client("10.0.0.5", &["192.0.2.66", "203.0.113.1"], &proxies), ip("203.0.113.1"));
        // No header: the proxy itself.
        assert_eq!(client("10.0.0.5", &[], &proxies), ip("10.0.0.5"));
        // Something that is not an address stops the walk at the proxy that passed it on.
        assert_eq!(client("10.0.0.5", &["203.0.113.1, unknown, 10.1.0.9"], &proxies), ip("10.1.0.9"));
        // Only proxies: the left-most.
        assert_eq!(client("10.0.0.5", &["10.0.0.7, 10.1.0.9"], &proxies), ip("10.0.0.7"));
        // IPv6, and an IPv4 proxy as a dual-stack listener sees it.
        assert_eq!(client("fd00::1", &["2001:db8::42"], &["fd00::/8"]), ip("2001:db8::42"));
        assert_eq!(client("::ffff:10.0.0.5", &["203.0.113.1"], &proxies), ip("203.0.113.1"));
    }
}
