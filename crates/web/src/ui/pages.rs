//! What every page shares: the layout's header (`Chrome`), a form's values and errors
//! (`FormState`), rendering, the error page, and the form fields' parsers. The screens are
//! in their own files (login, todo, case, intake, allocation, …). Every read goes through
//! the API's functions (`routes::read_case`, `routes::book_rows`), so the scope, the masking
//! and the access log are the API's.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use skyndsam_domain::calendar::TZ;
use skyndsam_domain::clock::DeadlineState;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::ids::CaseId;

use super::session::{Fields, Session, UiError};
use crate::routes::run_command;

// ------------------------------------------------------------------ shared

/// What the layout shows of the logged-in user.
pub struct Chrome {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    /// Shows the link to Mottagning.
    pub intake: bool,
    /// Shows the link to Fördelning.
    pub allocation: bool,
    /// Shows the link to Ärendegenomgång.
    pub review: bool,
    /// Shows the link to Enhetsöversikt.
    pub overview: bool,
    /// Shows the links to Styrkort and Rapporter.
    pub scorecard: bool,
    pub reports: bool,
    /// Shows the link to Att göra (the roles that read cases).
    pub todo: bool,
    /// The role's start page (the product name links there).
    pub home: &'static str,
}

/// Where a role starts after logging in: Att göra for those who read cases; the board
/// and its committee the scorecard (aggregates only); the system administrator the
/// delegation order they maintain. Every role is sent to a page it may open.
pub fn home_of(role: skyndsam_domain::org::Role) -> &'static str {
    if crate::routes::READERS.contains(&role) {
        "/"
    } else if super::reports::SCORECARD.contains(&role) {
        "/styrkort"
    } else {
        "/delegationsordning"
    }
}

impl Chrome {
    pub(crate) fn of(s: &Session) -> Self {
        Self {
            name: s.name.clone(),
            role: s.ctx.actor.role.label_sv(),
            csrf: s.csrf.clone(),
            intake: super::INTAKE.contains(&s.ctx.actor.role),
            allocation: super::ALLOCATORS.contains(&s.ctx.actor.role),
            review: super::review::REVIEW.contains(&s.ctx.actor.role),
            overview: super::overview::MANAGERS.contains(&s.ctx.actor.role),
            scorecard: super::reports::SCORECARD.contains(&s.ctx.actor.role),
            reports: super::reports::REPORTERS.contains(&s.ctx.actor.role),
            todo: crate::routes::READERS.contains(&s.ctx.actor.role),
            home: home_of(s.ctx.actor.role),
        }
    }
}

/// One error of a form: the field's id and the Swedish message.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A form as sent back: its values and errors.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub values: Fields,
    pub errors: Vec<FieldError>,
}

impl FormState {
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == name).map(|e| e.message.as_str())
    }
    pub fn checked(&self, name: &str, value: &str) -> bool {
        self.values.get(name) == value
    }
    /// One of several values of a field (checkboxes sharing a name).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values.0.iter().any(|(k, v)| k == name && v == value)
    }
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.to_owned(), message: message.into() });
    }
}

pub(crate) fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => {
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], Html(body))
                .into_response()
        }
        Err(e) => {
            tracing::error!(detail = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Sidan kunde inte visas.").into_response()
        }
    }
}

pub(crate) fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&TZ).format("%Y-%m-%d %H:%M").to_string()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Option<Chrome>,
    title: &'a str,
    message: &'a str,
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Finns inte",
        StatusCode::FORBIDDEN => "Ingen behörighet",
        s if s.is_server_error() => "Något gick fel",
        _ => "Det gick inte",
    };
    render(status, &ErrorPage { chrome: None, title, message })
}

pub(crate) fn state_class(s: DeadlineState) -> &'static str {
    match s {
        DeadlineState::Overdue | DeadlineState::MetLate => "rod",
        DeadlineState::DueToday | DeadlineState::DueSoon => "gul",
        DeadlineState::Ok | DeadlineState::Met | DeadlineState::MetLateWithReason => "gron",
    }
}

// ------------------------------------------------------------------ form fields

pub(crate) fn parse_date(form: &mut FormState, field: &str, label: &str) -> Option<NaiveDate> {
    let v = form.value(field).trim().to_owned();
    if v.is_empty() {
        form.add(field, format!("Ange {label}."));
        return None;
    }
    match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            form.add(field, format!("Ange {label} som ÅÅÅÅ-MM-DD."));
            None
        }
    }
}

pub(crate) fn parse_time(form: &mut FormState, field: &str) -> Option<NaiveTime> {
    match NaiveTime::parse_from_str(form.value(field).trim(), "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            form.add(field, "Ange klockslag som TT:MM, till exempel 09:30.");
            None
        }
    }
}

pub(crate) fn required(form: &mut FormState, field: &str, message: &str) -> Option<String> {
    let v = form.values.opt(field);
    if v.is_none() {
        form.add(field, message);
    }
    v
}

pub(crate) fn yes_no(form: &mut FormState, field: &str, message: &str) -> Option<bool> {
    match form.value(field) {
        "ja" => Some(true),
        "nej" => Some(false),
        _ => {
            form.add(field, message);
            None
        }
    }
}

/// The form field a domain error concerns (its path with dots as dashes).
pub(crate) fn form_field(field: Option<&str>, fallback: &str) -> String {
    match field {
        Some("late_reason") => "late_reason-kind".into(),
        Some("assessed_at") => "assessed_date".into(),
        Some("child_view") => "child_view".into(),
        Some("expected_version") => fallback.into(),
        Some(f) if !f.is_empty() => f.replace('.', "-"),
        _ => fallback.into(),
    }
}

/// A refusal of the API's functions as the form's error next to its field: a client
/// error with a field (or any client error but a plain 404) lands on the form; anything
/// else is the error page.
pub(crate) fn refused(form: &mut FormState, e: crate::error::ApiError, fallback: &str) -> Result<(), UiError> {
    if e.status.is_client_error() && (e.status != StatusCode::NOT_FOUND || e.field.is_some()) {
        form.add(&form_field(e.field.as_deref(), fallback), e.message);
        Ok(())
    } else {
        Err(e.into())
    }
}

/// Sends a command as the API does; a refusal becomes the form's error.
pub(crate) async fn send(
    form: &mut FormState,
    s: &Session,
    case: CaseId,
    cmd: CaseCommand,
    fallback: &str,
) -> Result<bool, UiError> {
    let expected: u32 = form.value("expected_version").parse().unwrap_or(0);
    match run_command(s.ctx.clone(), case, expected, cmd, None).await {
        Ok(_) => Ok(true),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let message = if e.code == "CONFLICT" || e.field.as_deref() == Some("expected_version") {
                "Ärendet har ändrats sedan du öppnade det. Kontrollera uppgifterna och skicka igen.".to_owned()
            } else {
                e.message
            };
            form.add(&form_field(e.field.as_deref(), fallback), message);
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn local_instant(d: NaiveDate, t: NaiveTime) -> Option<DateTime<Utc>> {
    d.and_time(t).and_local_timezone(TZ).earliest().map(|x| x.with_timezone(&Utc))
}

pub(crate) fn choice<T: serde::de::DeserializeOwned>(
    form: &mut FormState,
    field: &str,
    options: &[(&str, &str)],
    message: &str,
) -> Option<T> {
    let v = form.value(field).to_owned();
    if !options.iter().any(|(k, _)| *k == v) {
        form.add(field, message);
        return None;
    }
    serde_json::from_value(serde_json::Value::String(v)).ok()
}
