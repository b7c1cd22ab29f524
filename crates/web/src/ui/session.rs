//! Sessions for the web UI: the session token `auth` issues at login, carried in an
//! HttpOnly, SameSite=Strict cookie (Secure over TLS), and a CSRF token derived from it
//! checked on every form. The caller behind the cookie is resolved exactly as a bearer
//! token is (`Ctx::resolve`): the same role gate, scope and logs.

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use skyndsam_store::security::SecurityKind;
use subtle::ConstantTimeEq;

use crate::app::{address_of, correlation_of, valid_token, AppState, Ctx};
use crate::error::ApiError;

/// The session cookie: the session token's secret.
pub const SESSION_COOKIE: &str = "skyndsam_session";
/// Before login: a random value the login form must echo (double submit).
pub const LOGIN_COOKIE: &str = "skyndsam_login";
/// The form field holding the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// Cookies are Secure when configured so or when the request came over TLS (as a
/// terminating proxy tells: a forged header only makes the cookie stricter).
pub fn secure(app: &AppState, headers: &HeaderMap) -> bool {
    app.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/; `max_age` None clears it.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let age = max_age.unwrap_or(0).max(0);
    let s = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("skyndsam_invalid=; Max-Age=0"))
}

/// The CSRF token of a session: a hash of its secret (the secret itself never reaches a
/// page; the cookie is HttpOnly). Stateless, so every server process agrees.
pub fn csrf_of(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"skyndsam-csrf:");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// Constant-time equality of two tokens.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum UiError {
    /// No session, or it expired or was revoked: back to the login page.
    Login { expired: bool, clear: bool },
    /// An error page with a Swedish message.
    Page { status: StatusCode, message: String },
}

impl UiError {
    pub fn not_found() -> Self {
        Self::Page { status: StatusCode::NOT_FOUND, message: "Sidan eller ärendet finns inte.".into() }
    }
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::UNAUTHORIZED => Self::Login { expired: true, clear: true },
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::FORBIDDEN => Self::Page {
                status: StatusCode::FORBIDDEN,
                message: "Du har inte behörighet till den här sidan.".into(),
            },
            s if s.is_server_error() => {
                tracing::error!(code = e.code, detail = e.internal.as_deref().unwrap_or(""), "page failed");
                Self::Page { status: s, message: "Något gick fel. Försök igen om en stund.".into() }
            }
            s => Self::Page { status: s, message: e.message },
        }
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        match self {
            UiError::Login { expired, clear } => {
                let to = if expired { "/logga-in?orsak=utgangen" } else { "/logga-in" };
                let mut res = Redirect::to(to).into_response();
                if clear {
                    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", None, false));
                }
                res
            }
            UiError::Page { status, message } => super::pages::error_page(status, &message),
        }
    }
}

/// A logged-in user of the UI: the same `Ctx` an API call gets, and the CSRF token its
/// forms carry.
pub struct Session {
    pub ctx: Ctx,
    pub csrf: String,
    /// The staff member's name, for the header.
    pub name: String,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, UiError> {
        let correlation = correlation_of(parts);
        let address = address_of(parts, app);
        let now = app.now();
        let path = parts.extensions.get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
        let spec = super::table()
            .iter()
            .find(|r| r.method == parts.method && r.path == path)
            .ok_or_else(|| UiError::from(ApiError::internal(format!("UI route {} {path} missing", parts.method))))?;
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(UiError::Login { expired: false, clear: false });
        };
        let token = valid_token(app, secret.clone(), &address, now, &correlation)
            .await
            .map_err(|_| UiError::Login { expired: true, clear: true })?;
        // An integration token is not a browser session.
        if token.kind != skyndsam_store::security::TokenKind::Session {
            return Err(UiError::Login { expired: false, clear: true });
        }
        let ctx = Ctx::resolve(app, token, spec.roles, correlation, address, now)?;
        let name = app.store.projections().org.staff.get(&ctx.actor.staff).map(|s| s.name.clone()).unwrap_or_default();
        Ok(Session { ctx, csrf: csrf_of(&secret), name })
    }
}

/// A form posted by a logged-in user: the session, its CSRF token checked, and the fields
/// as sent (kept for re-rendering the form on an error).
pub struct SessionForm {
    pub session: Session,
    pub fields: Fields,
}

/// Form fields in order, as sent.
#[derive(Debug, Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
    /// The trimmed value, None when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        let v = self.get(name).trim();
        (!v.is_empty()).then(|| v.to_owned())
    }
}

impl FromRequest<AppState> for SessionForm {
    type Rejection = UiError;

    async fn from_request(req: Request, app: &AppState) -> Result<Self, UiError> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, app).await?;
        let req = Request::from_parts(parts, body);
        let fields = axum::Form::<Vec<(String, String)>>::from_request(req, app).await.map_err(|_| UiError::Page {
            status: StatusCode::BAD_REQUEST,
            message: "Formuläret kunde inte läsas.".into(),
        })?;
        let fields = Fields(fields.0);
        if !same(fields.get(CSRF_FIELD), &session.csrf) {
            session
                .ctx
                .log_security(SecurityKind::RequestRefused, "formulär utan giltig CSRF-token".into())
                .await
                .map_err(UiError::from)?;
            return Err(UiError::Page {
                status: StatusCode::FORBIDDEN,
                message:
                    "Formuläret kunde inte tas emot (säkerhetskontrollen misslyckades). Ladda om sidan och försök igen."
                        .into(),
            });
        }
        Ok(SessionForm { session, fields })
    }
}
