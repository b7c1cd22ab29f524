//! Inloggning and utloggning: the API's login (throttling, security log) behind a form
//! with a double-submit CSRF cookie; a user holding several roles chooses one.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use serde::Deserialize;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::org::Role;

use super::pages::{render, Chrome, FormState};
use super::session::{cookie, same, secure, set_cookie, Fields, SessionForm, UiError, CSRF_FIELD};
use super::session::{LOGIN_COOKIE, SESSION_COOKIE};
use crate::app::{AppState, Origin};
use crate::routes::{log_in, log_out};

// ------------------------------------------------------------------ Inloggning

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Option<Chrome>,
    csrf: String,
    notice: Option<&'static str>,
    form: FormState,
    /// The roles to choose between ("role|unit", label), once the password has been proven
    /// for a user holding several.
    roles: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    orsak: Option<String>,
}

fn login_page(status: StatusCode, notice: Option<&'static str>, form: FormState, secure: bool) -> Response {
    login_page_with(status, notice, form, Vec::new(), secure)
}

fn login_page_with(
    status: StatusCode,
    notice: Option<&'static str>,
    form: FormState,
    roles: Vec<(String, String)>,
    secure: bool,
) -> Response {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let csrf = hex::encode(bytes);
    let mut res = render(status, &LoginPage { chrome: None, csrf: csrf.clone(), notice, form, roles });
    res.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &csrf, Some(3600), secure));
    res
}

pub async fn login_form(State(app): State<AppState>, headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let notice = match q.orsak.as_deref() {
        Some("utgangen") => Some("Din session har gått ut. Logga in igen."),
        Some("utloggad") => Some("Du är utloggad."),
        _ => None,
    };
    login_page(StatusCode::OK, notice, FormState::default(), secure(&app, &headers))
}

pub async fn login(
    State(app): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let secure = secure(&app, &headers);
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    // The password is never sent back.
    let keep = Fields(vec![("username".into(), fields.get("username").to_owned())]);
    let mut form = FormState { values: keep, errors: Vec::new() };
    if expected.is_empty() || !same(fields.get(CSRF_FIELD), &expected) {
        form.add("username", "Inloggningsformuläret hade gått ut. Försök igen.");
        return login_page(StatusCode::FORBIDDEN, None, form, secure);
    }
    let username = fields.get("username").trim().to_owned();
    let password = fields.get("password").to_owned();
    if username.is_empty() {
        form.add("username", "Ange ditt användarnamn.");
    }
    if password.is_empty() {
        form.add("password", "Ange ditt lösenord.");
    }
    if !form.errors.is_empty() {
        return login_page(StatusCode::UNPROCESSABLE_ENTITY, None, form, secure);
    }
    // A user with several roles chooses one ("role|unit"); an unknown choice is refused
    // by `auth` like any role the user does not hold.
    let choose = match fields.get("role").split_once('|') {
        Some((r, u)) => {
            let role = serde_json::from_value::<Role>(serde_json::Value::String(r.to_owned())).ok();
            let unit = skyndsam_domain::ids::UnitId::parse(u).ok();
            match (role, unit) {
                (Some(r), Some(u)) => Some((r, Some(u))),
                _ => {
                    form.add("role", "Välj en av dina roller.");
                    return login_page(StatusCode::UNPROCESSABLE_ENTITY, None, form, secure);
                }
            }
        }
        None => None,
    };
    match log_in(app.clone(), origin, username.clone(), password, choose).await {
        Ok(issued) => {
            let age = (issued.token.expires_at - app.now()).num_seconds();
            let mut res = Redirect::to(super::pages::home_of(issued.token.role)).into_response();
            let h = res.headers_mut();
            h.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &issued.secret, Some(age), secure));
            h.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", None, secure));
            res
        }
        Err(e) if e.field.as_deref() == Some("role") || e.field.as_deref() == Some("unit") => {
            // The password was right: the user holds several roles and chooses one (the
            // password is asked again: it is never kept in the page).
            let roles = app
                .auth
                .account(&username)
                .map(|a| {
                    let p = app.store.projections();
                    p.org
                        .roles_of(&a.staff, local_date(app.now()))
                        .into_iter()
                        .map(|(r, u)| {
                            let value = serde_json::to_value(r)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default();
                            let unit_name = p.org.unit(&u).map(|x| x.name.clone()).unwrap_or_else(|| u.to_string());
                            (format!("{value}|{u}"), format!("{} i {unit_name}", r.label_sv()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            form.add("role", "Du har flera roller. Välj vilken roll du arbetar i och ange lösenordet igen.");
            login_page_with(StatusCode::UNPROCESSABLE_ENTITY, None, form, roles, secure)
        }
        Err(e) => {
            let field = if e.code == "LOGIN_FAILED" { "password" } else { "username" };
            form.add(field, e.message.clone());
            let status = if e.status.is_server_error() { e.status } else { StatusCode::UNPROCESSABLE_ENTITY };
            login_page(status, None, form, secure)
        }
    }
}

pub async fn logout(State(app): State<AppState>, headers: HeaderMap, form: SessionForm) -> Result<Response, UiError> {
    log_out(&form.session.ctx).await?;
    let mut res = Redirect::to("/logga-in?orsak=utloggad").into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", None, secure(&app, &headers)));
    Ok(res)
}
