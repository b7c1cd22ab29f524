//! The quality-management system's pages (issue 6): Kvalitet (the hub), Avvikelser,
//! Rapportera avvikelse, the deviation page, Lex Sarah (with the printable report to IVO),
//! Synpunkter och klagomål, Internkontroll, Brukarundersökningar and Trender; the quality
//! part of Att göra and of the case page.
//!
//! Every page reads through the API's functions (`quality::read_matter` — scope, scrubbing,
//! access log — and the scope's lists) and every form sends the API's commands
//! (`quality::run_built`), so a form and a JSON call cannot disagree. A matter page takes
//! all its forms at one address; the form's `atgard` field names the act. Bad input: the
//! page again with status 422, the Swedish error beside its field, the input kept, nothing
//! written.

pub mod complaint;
pub mod control;
pub mod deviation;
pub mod lex_sarah;
pub mod survey;
pub mod trends;

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use chrono::{DateTime, NaiveDate, Utc};
use skyndsam_domain::calendar::{local_date, TZ};
use skyndsam_domain::clock::DeadlineState;
use skyndsam_domain::ids::{StaffId, UnitId};
use skyndsam_domain::org::Role;
use skyndsam_domain::quality::model::RiskScore;
use skyndsam_domain::quality::Matter;

use super::pages::{Chrome, FieldError, FormState};
use super::session::{Fields, Session, UiError};
use super::UiRoute;
use crate::app::AppState;
use crate::error::ApiError;
use crate::quality::views::{staff_name, unit_name, MatterDetail, MatterKind, QualityDeadlineView};
use crate::quality::{Built, QUALITY_READERS, QUALITY_STAFF, STATS_ROLES};
use crate::scope::View;

// ------------------------------------------------------------------ the table

fn r(method: axum::http::Method, path: &'static str, name: &'static str, roles: &'static [Role]) -> UiRoute {
    UiRoute { method, path, name, public: false, roles }
}

/// The quality pages (appended to the UI's table).
pub fn routes() -> Vec<(UiRoute, MethodRouter<AppState>)> {
    use crate::quality::{PLAN_ROLES, RISK_ROLES, SURVEY_DEFINERS, SURVEY_ROLES};
    use axum::http::Method as M;
    vec![
        (r(M::GET, "/kvalitet", "quality", QUALITY_READERS), get(hub)),
        (r(M::GET, "/avvikelser", "deviations", QUALITY_READERS), get(deviation::list)),
        (r(M::GET, "/avvikelser/ny", "deviation_form", QUALITY_STAFF), get(deviation::new_form)),
        (r(M::POST, "/avvikelser", "deviation_report", QUALITY_STAFF), post(deviation::report)),
        (r(M::GET, "/avvikelser/{id}", "deviation", QUALITY_READERS), get(deviation::page)),
        (r(M::POST, "/avvikelser/{id}", "deviation_act", QUALITY_STAFF), post(deviation::act)),
        (r(M::GET, "/lex-sarah", "lex_sarah_list", QUALITY_READERS), get(lex_sarah::list)),
        (r(M::GET, "/lex-sarah/ny", "lex_sarah_form", QUALITY_STAFF), get(lex_sarah::new_form)),
        (r(M::POST, "/lex-sarah", "lex_sarah_report", QUALITY_STAFF), post(lex_sarah::report)),
        (r(M::GET, "/lex-sarah/{id}", "lex_sarah", QUALITY_READERS), get(lex_sarah::page)),
        (r(M::GET, "/lex-sarah/{id}/ivo", "lex_sarah_ivo", QUALITY_READERS), get(lex_sarah::ivo)),
        (r(M::POST, "/lex-sarah/{id}", "lex_sarah_act", QUALITY_STAFF), post(lex_sarah::act)),
        (r(M::GET, "/synpunkter", "complaints", QUALITY_READERS), get(complaint::list)),
        (r(M::GET, "/synpunkter/ny", "complaint_form", QUALITY_STAFF), get(complaint::new_form)),
        (r(M::POST, "/synpunkter", "complaint_receive", QUALITY_STAFF), post(complaint::receive)),
        (r(M::GET, "/synpunkter/{id}", "complaint", QUALITY_READERS), get(complaint::page)),
        (r(M::POST, "/synpunkter/{id}", "complaint_act", QUALITY_STAFF), post(complaint::act)),
        (r(M::GET, "/internkontroll", "internal_control", QUALITY_READERS), get(control::overview)),
        (r(M::POST, "/internkontroll/risker", "risk_register", RISK_ROLES), post(control::register_risk)),
        (r(M::GET, "/internkontroll/risker/{id}", "risk", QUALITY_READERS), get(control::risk_page)),
        (r(M::POST, "/internkontroll/risker/{id}", "risk_act", RISK_ROLES), post(control::risk_act)),
        (r(M::POST, "/internkontroll/planer", "plan_adopt", PLAN_ROLES), post(control::adopt_plan)),
        (r(M::GET, "/internkontroll/planer/{id}", "plan", QUALITY_READERS), get(control::plan_page)),
        (r(M::POST, "/internkontroll/planer/{id}", "plan_act", QUALITY_STAFF), post(control::plan_act)),
        (r(M::GET, "/brukarundersokningar", "surveys", QUALITY_READERS), get(survey::list)),
        (r(M::POST, "/brukarundersokningar", "survey_define", SURVEY_DEFINERS), post(survey::define)),
        (r(M::GET, "/brukarundersokningar/{id}", "survey", QUALITY_READERS), get(survey::page)),
        (r(M::POST, "/brukarundersokningar/{id}", "survey_act", SURVEY_ROLES), post(survey::act)),
        (r(M::GET, "/trender", "trends", STATS_ROLES), get(trends::page)),
    ]
}

// ------------------------------------------------------------------ shared helpers

pub(crate) fn chrome(s: &Session) -> Chrome {
    Chrome::of(s)
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

pub(crate) fn add(form: &mut FormState, field: &str, message: impl Into<String>) {
    form.errors.push(FieldError { field: field.to_owned(), message: message.into() });
}

pub(crate) fn form_of(fields: Fields) -> FormState {
    FormState { values: fields, errors: Vec::new() }
}

/// A form with initial values.
pub(crate) fn prefilled(values: &[(&str, String)]) -> FormState {
    FormState { values: Fields(values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()), errors: Vec::new() }
}

pub(crate) fn required(form: &mut FormState, field: &str, message: &str) -> Option<String> {
    let v = form.values.opt(field);
    if v.is_none() {
        add(form, field, message);
    }
    v
}

pub(crate) fn date(form: &mut FormState, field: &str, label: &str) -> Option<NaiveDate> {
    let v = form.value(field).trim().to_owned();
    if v.is_empty() {
        add(form, field, format!("Ange {label}."));
        return None;
    }
    match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            add(form, field, format!("Ange {label} som ÅÅÅÅ-MM-DD."));
            None
        }
    }
}

pub(crate) fn optional_date(form: &mut FormState, field: &str, label: &str) -> Option<Option<NaiveDate>> {
    if form.value(field).trim().is_empty() {
        return Some(None);
    }
    date(form, field, label).map(Some)
}

pub(crate) fn yes_no(form: &mut FormState, field: &str, message: &str) -> Option<bool> {
    match form.value(field) {
        "ja" => Some(true),
        "nej" => Some(false),
        _ => {
            add(form, field, message);
            None
        }
    }
}

pub(crate) fn staff(form: &mut FormState, field: &str, message: &str) -> Option<StaffId> {
    match StaffId::parse(form.value(field).trim()) {
        Ok(s) => Some(s),
        Err(_) => {
            add(form, field, message);
            None
        }
    }
}

pub(crate) fn unit(form: &mut FormState, field: &str, message: &str) -> Option<UnitId> {
    match UnitId::parse(form.value(field).trim()) {
        Ok(u) => Some(u),
        Err(_) => {
            add(form, field, message);
            None
        }
    }
}

/// A value of a snake_case enum from a form field with these options.
pub(crate) fn choice<T: serde::de::DeserializeOwned>(
    form: &mut FormState,
    field: &str,
    options: &[(String, String)],
    message: &str,
) -> Option<T> {
    let v = form.value(field).to_owned();
    if !options.iter().any(|(k, _)| *k == v) {
        add(form, field, message);
        return None;
    }
    serde_json::from_value(serde_json::Value::String(v)).ok()
}

/// A risk-matrix reading from `<prefix>severity` and `<prefix>probability` (1–4 each).
pub(crate) fn risk(form: &mut FormState, required: bool) -> Option<Option<RiskScore>> {
    let s = form.value("severity").trim().to_owned();
    let p = form.value("probability").trim().to_owned();
    if s.is_empty() && p.is_empty() && !required {
        return Some(None);
    }
    let one = |v: &str| v.parse::<u8>().ok().filter(|n| (1..=4).contains(n));
    match (one(&s), one(&p)) {
        (Some(severity), Some(probability)) => Some(Some(RiskScore { severity, probability })),
        (a, b) => {
            if a.is_none() {
                add(form, "severity", "Välj allvarlighetsgrad (1–4).");
            }
            if b.is_none() {
                add(form, "probability", "Välj sannolikhet (1–4).");
            }
            None
        }
    }
}

/// Options from a Swedish-labelled enum list.
pub(crate) fn options<T: serde::Serialize + Copy>(
    all: &[T],
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| {
            let code = serde_json::to_value(v).ok().and_then(|x| x.as_str().map(str::to_owned)).unwrap_or_default();
            (code, label(*v).to_owned())
        })
        .collect()
}

/// The staff who can own a measure or a control moment: everyone with a role today, by name.
pub(crate) fn staff_options(s: &Session) -> Vec<(String, String)> {
    let p = s.ctx.app.store.projections();
    let today = local_date(s.ctx.now);
    let mut v: Vec<(String, String)> = p
        .org
        .staff
        .values()
        .filter(|x| x.id != StaffId::system() && !p.org.roles_of(&x.id, today).is_empty())
        .map(|x| (x.id.to_string(), format!("{} ({})", x.name, x.title)))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

/// Every unit of the organisation, by name.
pub(crate) fn unit_options(s: &Session) -> Vec<(String, String)> {
    let p = s.ctx.app.store.projections();
    let mut v: Vec<(String, String)> = p.org.units.values().map(|u| (u.id.to_string(), u.name.clone())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

pub(crate) fn severity_options(s: &Session) -> Vec<(String, String)> {
    let m = &s.ctx.app.store.rules().quality.risk_matrix;
    (1..=4u8).map(|n| (n.to_string(), format!("{n} – {}", m.severity_label(n)))).collect()
}

pub(crate) fn probability_options(s: &Session) -> Vec<(String, String)> {
    let m = &s.ctx.app.store.rules().quality.risk_matrix;
    (1..=4u8).map(|n| (n.to_string(), format!("{n} – {}", m.probability_label(n)))).collect()
}

pub(crate) fn state_class(s: DeadlineState) -> &'static str {
    match s {
        DeadlineState::Overdue | DeadlineState::MetLate => "rod",
        DeadlineState::DueToday | DeadlineState::DueSoon => "gul",
        DeadlineState::Ok | DeadlineState::Met | DeadlineState::MetLateWithReason => "gron",
    }
}

/// The risk matrix as a table: one row per severity, the value and advice per probability.
pub struct MatrixRow {
    pub severity: String,
    pub cells: Vec<(u8, &'static str)>,
}

pub struct Matrix {
    pub probabilities: Vec<String>,
    pub rows: Vec<MatrixRow>,
    pub lex_sarah_from_value: u8,
    pub lex_sarah_from_severity: u8,
}

pub(crate) fn matrix(s: &Session) -> Matrix {
    use skyndsam_domain::quality::rules::Recommendation;
    let m = s.ctx.app.store.rules().quality.risk_matrix.clone();
    Matrix {
        probabilities: (1..=4u8).map(|p| format!("{p} {}", m.probability_label(p))).collect(),
        rows: (1..=4u8)
            .rev()
            .map(|sv| MatrixRow {
                severity: format!("{sv} {}", m.severity_label(sv)),
                cells: (1..=4u8)
                    .map(|p| {
                        let score = RiskScore { severity: sv, probability: p };
                        let advice = match m.recommend(score) {
                            Recommendation::LexSarah => "lex Sarah",
                            Recommendation::Deviation => "avvikelse",
                        };
                        (score.value(), advice)
                    })
                    .collect(),
            })
            .collect(),
        lex_sarah_from_value: m.lex_sarah_from_value,
        lex_sarah_from_severity: m.lex_sarah_from_severity,
    }
}

/// One row of a clock table.
pub struct ClockRow {
    pub name: String,
    pub last_day: String,
    pub state: String,
    pub state_class: &'static str,
    pub owner: String,
    pub citation: String,
    /// The matter's page, when it has one.
    pub link: Option<String>,
    pub matter: &'static str,
}

pub(crate) fn clock_row(s: &Session, d: &QualityDeadlineView) -> ClockRow {
    let p = s.ctx.app.store.projections();
    ClockRow {
        name: d.name.clone(),
        last_day: d.last_day.to_string(),
        state: d.state_sv.clone(),
        state_class: state_class(d.state),
        owner: d.owner.as_ref().map(|o| staff_name(&p.org, o)).unwrap_or_else(|| "Ingen utsedd".into()),
        citation: d.citation.clone(),
        link: d.matter_kind.link(&d.matter),
        matter: d.matter_kind.label_sv(),
    }
}

/// One entry of a matter's timeline on a page.
pub struct EntryRow {
    pub seq: u64,
    pub when: String,
    pub title: String,
    pub actor: String,
    pub fields: Vec<(String, String)>,
}

/// A matter read through the API (scope, scrubbing, access log) for a page.
pub struct Read {
    pub detail: MatterDetail,
    pub timeline: Vec<EntryRow>,
    pub clocks: Vec<ClockRow>,
    pub full: bool,
}

pub(crate) async fn read(s: &Session, kind: MatterKind, id: &str) -> Result<Read, UiError> {
    let detail = crate::quality::read_matter(&s.ctx, kind, id).await.map_err(UiError::from)?;
    let timeline = detail
        .timeline
        .iter()
        .map(|e| EntryRow {
            seq: e.seq,
            when: local_time(e.recorded_at),
            title: e.title.clone(),
            actor: e.actor_name.clone(),
            fields: e.fields.iter().map(|f| (f.label.clone(), f.value.clone())).collect(),
        })
        .collect();
    let clocks = detail.deadlines.iter().map(|d| clock_row(s, d)).collect();
    let full = detail.view == "full";
    Ok(Read { detail, timeline, clocks, full })
}

/// The matter's current state from the projections (for what the page offers).
pub(crate) fn matter_of<T>(s: &Session, kind: MatterKind, id: &str, f: impl FnOnce(&Matter) -> Option<T>) -> Option<T> {
    let (_, stream) = crate::quality::stream_of(kind, id).ok()?;
    let p = s.ctx.app.store.projections();
    p.matter(&stream).and_then(f)
}

/// Sends a parsed command; a refusal lands at its field. Returns the command's result.
pub(crate) async fn send(
    s: &Session,
    kind: MatterKind,
    id: &str,
    form: &mut FormState,
    built: Built,
    fallback: &str,
) -> Result<Option<crate::quality::MatterCommandResult>, UiError> {
    let (uuid, stream) = crate::quality::stream_of(kind, id).map_err(|_| UiError::not_found())?;
    let expected: u32 = form.value("expected_version").trim().parse().unwrap_or(0);
    match crate::quality::run_built(&s.ctx, uuid, &stream, built, expected).await {
        Ok(r) => Ok(Some(r)),
        Err(e) => refusal(form, e, fallback).map(|()| None),
    }
}

/// A refusal from the API at its form field (client errors), or the error page.
pub(crate) fn refusal(form: &mut FormState, e: ApiError, fallback: &str) -> Result<(), UiError> {
    let at_field = e.status.is_client_error() && (e.status != StatusCode::NOT_FOUND || e.field.is_some());
    if at_field {
        let message = if e.code == "CONFLICT" && e.field.as_deref() == Some("expected_version") {
            "Ärendet har ändrats sedan du öppnade det. Kontrollera uppgifterna och skicka igen.".to_owned()
        } else {
            e.message
        };
        let field = match e.field.as_deref() {
            Some("expected_version") | None => fallback.to_owned(),
            Some("") => fallback.to_owned(),
            Some(f) => f.rsplit('.').next().unwrap_or(f).to_owned(),
        };
        add(form, &field, message);
        return Ok(());
    }
    Err(e.into())
}

/// Access first for a form on a matter: acting needs the full view.
pub(crate) async fn writable(s: &Session, kind: MatterKind, id: &str) -> Result<(), UiError> {
    let (_, stream) = crate::quality::stream_of(kind, id).map_err(|_| UiError::not_found())?;
    crate::quality::writable_matter(&s.ctx, &stream).await.map_err(UiError::from)
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Whether the caller may investigate (handle) a matter in `unit` assigned to `assignee`:
/// the assignee, or one of `roles` over the unit (the domain judges again).
pub(crate) fn handles(s: &Session, unit: &UnitId, assignee: Option<&StaffId>, roles: &[Role]) -> bool {
    let p = s.ctx.app.store.projections();
    let a = &s.ctx.actor;
    assignee == Some(&a.staff)
        || (roles.contains(&a.role) && skyndsam_domain::quality::commands::covers(&p.org, a.unit.as_ref(), unit))
}

// ------------------------------------------------------------------ Kvalitet (the hub)

#[derive(Template)]
#[template(path = "quality_hub.html")]
struct HubPage {
    chrome: Option<Chrome>,
    reports: bool,
    control: bool,
    surveys: bool,
    trends: bool,
    audits: bool,
    self_inspection: bool,
    board_list: bool,
    redelegation: bool,
    clocks: Vec<ClockRow>,
}

/// Kvalitet: the quality pages the caller's role has, and the quality clocks they see.
pub async fn hub(s: Session) -> Result<Response, UiError> {
    let role = s.ctx.actor.role;
    let rows = crate::quality::deadline_rows(&s.ctx, |_, a| a.view == View::Full);
    let clocks = rows.iter().take(50).map(|d| clock_row(&s, d)).collect();
    let manager_or_quality = matches!(
        role,
        Role::UnitManager | Role::AreaManager | Role::HeadOfAdministration | Role::QualityDeveloper | Role::Auditor
    );
    Ok(render(
        StatusCode::OK,
        &HubPage {
            chrome: Some(chrome(&s)),
            reports: QUALITY_STAFF.contains(&role),
            control: manager_or_quality,
            surveys: manager_or_quality,
            trends: STATS_ROLES.contains(&role),
            audits: crate::file_audit_api::AUDIT_READERS.contains(&role),
            self_inspection: super::self_inspection::SELF_INSPECTORS.contains(&role),
            board_list: super::board::BOARD_READERS.contains(&role),
            redelegation: super::redelegation::REDELEGATORS.contains(&role),
            clocks,
        },
    ))
}

// ------------------------------------------------------------------ Att göra and the case page

/// A matter on someone's desk.
pub struct DeskRow {
    pub link: Option<String>,
    pub kind: &'static str,
    pub reported_on: String,
    pub status: String,
    pub unit: String,
}

/// The quality part of Att göra.
pub struct TodoQuality {
    /// Quality clocks: the caller's own, and for managers those of their units.
    pub clocks: Vec<ClockRow>,
    /// Deviations, lex Sarah matters and complaints assigned to the caller.
    pub assigned: Vec<DeskRow>,
    /// Feedback on deviations the caller reported.
    pub feedback: Vec<DeskRow>,
    pub may_report: bool,
}

/// Att göra's quality section (a list: not logged per row).
pub fn todo_section(s: &Session) -> TodoQuality {
    let ctx = &s.ctx;
    let me = &ctx.actor.staff;
    let managed = ctx.scope.reviewed_units().unwrap_or_default();
    // The caller's own clocks and their units': picked by owner and unit first, the
    // access rule then runs on those.
    let rows = crate::quality::deadline_rows_where(
        ctx,
        |d| d.owner.as_ref() == Some(me) || d.unit.as_ref().is_some_and(|u| managed.contains(u)),
        |_, a| a.view == View::Full,
    );
    let clocks = rows.iter().map(|d| clock_row(s, d)).collect();
    let p = ctx.app.store.projections();
    let mut assigned = Vec::new();
    let mut feedback = Vec::new();
    // Only the matters the caller is assignee or reporter of can be on the desk (the
    // projection keeps them per person); the access rule then runs on those.
    for m in p.matters_on_desk_of(me) {
        let Some(h) = m.handling() else { continue };
        if ctx.scope.matter_access(m).is_none_or(|a| a.view != View::Full) {
            continue;
        }
        let kind = MatterKind::of(m);
        let (_, status, open) = crate::quality::views::status_of(m);
        let row = || DeskRow {
            link: kind.link(crate::quality::views::stream_id(&h.stream)),
            kind: kind.label_sv(),
            reported_on: h.reported_on.to_string(),
            status: status.clone(),
            unit: unit_name(&p.org, &h.unit),
        };
        if open && h.assignee.as_ref() == Some(me) {
            assigned.push(row());
        }
        if let Matter::Deviation(d) = m {
            if &h.reported_by == me && d.feedback_on.is_some() {
                feedback.push(row());
            }
        }
    }
    assigned.sort_by(|a, b| a.reported_on.cmp(&b.reported_on));
    feedback.sort_by(|a, b| b.reported_on.cmp(&a.reported_on));
    feedback.truncate(20);
    TodoQuality { clocks, assigned, feedback, may_report: QUALITY_STAFF.contains(&ctx.actor.role) }
}

/// The quality part of the case page: what the system sees in the case (as warnings),
/// and reporting a deviation or lex Sarah linked to it.
pub struct CaseQuality {
    pub case: String,
    pub detections: Vec<String>,
    pub may_report: bool,
}

pub fn case_section(s: &Session, case: skyndsam_domain::ids::CaseId, full: bool) -> CaseQuality {
    let p = s.ctx.app.store.projections();
    let detections = p
        .case(&case)
        .map(|c| {
            skyndsam_domain::quality::detect::detect(c, p.rules(), s.ctx.now)
                .into_iter()
                .map(|d| format!("{}: {}", d.kind.label_sv(), d.description))
                .collect()
        })
        .unwrap_or_default();
    CaseQuality { case: case.to_string(), detections, may_report: full && QUALITY_STAFF.contains(&s.ctx.actor.role) }
}

// ------------------------------------------------------------------ lists

/// One row of a list of deviations, lex Sarah matters or complaints (no text).
pub struct ListRow {
    pub link: String,
    pub reported_on: String,
    pub occurred_on: String,
    pub unit: String,
    pub what: String,
    pub status: String,
    pub assignee: String,
    pub clock: Option<ClockRow>,
    pub linked: bool,
}

#[derive(Template)]
#[template(path = "quality_list.html")]
struct ListPage {
    chrome: Option<Chrome>,
    title: &'static str,
    intro: &'static str,
    what: &'static str,
    base: &'static str,
    new_link: Option<(&'static str, &'static str)>,
    statuses: Vec<(String, String)>,
    units: Vec<(String, String)>,
    filter: FormState,
    rows: Vec<ListRow>,
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    enhet: Option<String>,
    mina: Option<String>,
    visa: Option<String>,
}

/// A list of the matters of `kind` the caller sees, filtered (a list: not logged per row).
pub(crate) fn list_page(s: &Session, kind: MatterKind, q: ListQuery) -> Response {
    use crate::quality::views::summary;
    let ctx = &s.ctx;
    let p = ctx.app.store.projections();
    let q_rules = &p.rules().quality;
    let today = local_date(ctx.now);
    let me = &ctx.actor.staff;
    let mine = q.mina.as_deref() == Some("1");
    let show = q.visa.as_deref().unwrap_or("pagaende");
    let mut units: Vec<(String, String)> = Vec::new();
    let mut statuses: Vec<(String, String)> = Vec::new();
    let mut rows: Vec<(NaiveDate, ListRow)> = Vec::new();
    for (m, a) in ctx.scope.matters(&p) {
        if MatterKind::of(m) != kind {
            continue;
        }
        let Some(sm) = summary(m, &a, p.rules(), today) else { continue };
        let unit = (sm.unit.to_string(), unit_name(&p.org, &sm.unit));
        if !units.contains(&unit) {
            units.push(unit);
        }
        if !statuses.iter().any(|(c, _)| *c == sm.status) {
            statuses.push((sm.status.clone(), sm.status_sv.clone()));
        }
        let involved = m.handling().is_some_and(|h| h.involves(me));
        let keep = q.status.as_deref().is_none_or(|x| x.is_empty() || x == sm.status)
            && q.enhet.as_deref().is_none_or(|x| x.is_empty() || x == sm.unit.as_str())
            && (!mine || involved)
            && match show {
                "avslutade" => !sm.open,
                "alla" => true,
                _ => sm.open,
            };
        if !keep {
            continue;
        }
        let what = match m {
            Matter::Deviation(d) => {
                let cat = q_rules.category_name(&d.category).unwrap_or(&d.category).to_owned();
                let mut w = format!("{cat}, {}", d.direction.label_sv());
                if let Some(k) = d.detection {
                    w.push_str(&format!(" (upptäckt av systemet: {})", k.label_sv()));
                }
                w
            }
            Matter::LexSarah(l) => {
                l.classification.map(|c| c.label_sv().to_owned()).unwrap_or_else(|| "Inte bedömd".into())
            }
            Matter::Complaint(c) => format!("{}: {}, {}", c.kind.label_sv(), c.source.label_sv(), c.subject.label_sv()),
            _ => String::new(),
        };
        rows.push((
            sm.reported_on,
            ListRow {
                link: kind.link(&sm.id).unwrap_or_default(),
                reported_on: sm.reported_on.to_string(),
                occurred_on: sm.occurred_on.map(|d| d.to_string()).unwrap_or_default(),
                unit: unit_name(&p.org, &sm.unit),
                what,
                status: sm.status_sv.clone(),
                assignee: sm.assignee.as_ref().map(|x| staff_name(&p.org, x)).unwrap_or_else(|| "Ingen utsedd".into()),
                clock: sm.clock.as_ref().map(|c| clock_row(s, c)),
                linked: sm.case.is_some(),
            },
        ));
    }
    drop(p);
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    units.sort_by(|a, b| a.1.cmp(&b.1));
    let filter = prefilled(&[
        ("status", q.status.clone().unwrap_or_default()),
        ("enhet", q.enhet.clone().unwrap_or_default()),
        ("visa", show.to_owned()),
        ("mina", if mine { "1".into() } else { String::new() }),
    ]);
    let (title, intro, what, new_link) = match kind {
        MatterKind::Deviation => (
            "Avvikelser",
            "Avvikelser du har rapporterat, utreder eller äger en åtgärd i, och avvikelser i enheter du leder. Kvalitetsutvecklare och revisorer ser dem utan text.",
            "Kategori och typ",
            Some(("/avvikelser/ny", "Rapportera avvikelse")),
        ),
        MatterKind::LexSarah => (
            "Lex Sarah",
            "Rapporter om missförhållanden eller risk för missförhållanden, deras utredning, bedömning och anmälan till IVO.",
            "Bedömning",
            Some(("/lex-sarah/ny", "Rapportera enligt lex Sarah")),
        ),
        _ => (
            "Synpunkter och klagomål",
            "Synpunkter, klagomål och beröm från brukare, anhöriga, medarbetare, andra myndigheter och IVO.",
            "Typ, från och gäller",
            Some(("/synpunkter/ny", "Registrera synpunkt eller klagomål")),
        ),
    };
    let new_link = new_link.filter(|_| QUALITY_STAFF.contains(&ctx.actor.role));
    render(
        StatusCode::OK,
        &ListPage {
            chrome: Some(chrome(s)),
            title,
            intro,
            what,
            base: kind.page().unwrap_or("/kvalitet"),
            new_link,
            statuses,
            units,
            filter,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
        },
    )
}
