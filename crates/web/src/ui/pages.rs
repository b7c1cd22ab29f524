//! The pages: Inloggning, Att göra, Ärende with the intake forms (skyddsbedömning,
//! förhandsbedömning). Every read goes through the API's functions (`routes::read_case`,
//! `routes::book_rows`), so the scope, the masking and the access log are the API's.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rand::RngCore;
use serde::Deserialize;
use skyndsam_domain::calendar::{local_date, TZ};
use skyndsam_domain::clock::{DeadlineKind, DeadlineState};
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::events::{
    ChildView, EarlierKnowledge, ExceptionalReasonKind, LateReason, PreliminaryAssessmentDecided, PreliminaryOutcome,
    ProtectionAssessmentRecorded,
};
use skyndsam_domain::ids::CaseId;
use skyndsam_domain::org::Role;

use super::session::{cookie, same, secure, set_cookie, Fields, Session, SessionForm, UiError, CSRF_FIELD};
use super::session::{LOGIN_COOKIE, SESSION_COOKIE};
use crate::app::{AppState, Origin};
use crate::error::ApiError;
use crate::routes::{book_rows, log_in, log_out, parse_case, read_case, run_command, writable};
use crate::views::CaseDetail;

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
}

impl Chrome {
    fn of(s: &Session) -> Self {
        Self {
            name: s.name.clone(),
            role: s.ctx.actor.role.label_sv(),
            csrf: s.csrf.clone(),
            intake: super::INTAKE.contains(&s.ctx.actor.role),
            allocation: super::ALLOCATORS.contains(&s.ctx.actor.role),
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
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.to_owned(), message: message.into() });
    }
}

fn render(status: StatusCode, t: &impl Template) -> Response {
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

fn local_time(t: DateTime<Utc>) -> String {
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
            let mut res = Redirect::to("/").into_response();
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

// ------------------------------------------------------------------ Att göra

pub struct TodoRow {
    pub case: String,
    pub child: String,
    pub kind: &'static str,
    pub last_day: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub handler: String,
}

pub struct TodoGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub rows: Vec<TodoRow>,
}

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoPage {
    chrome: Option<Chrome>,
    groups: Vec<TodoGroup>,
    mine: bool,
    quality: super::quality::TodoQuality,
}

#[derive(Deserialize, Default)]
pub struct TodoQuery {
    mina: Option<String>,
}

fn state_class(s: DeadlineState) -> &'static str {
    match s {
        DeadlineState::Overdue | DeadlineState::MetLate => "rod",
        DeadlineState::DueToday | DeadlineState::DueSoon => "gul",
        DeadlineState::Ok | DeadlineState::Met | DeadlineState::MetLateWithReason => "gron",
    }
}

/// Att göra: the deadlines the user may see, in traffic-light order (overdue, today,
/// soon, later). A list: not logged per row, as in the API.
pub async fn todo(s: Session, Query(q): Query<TodoQuery>) -> Result<Response, UiError> {
    let mine = q.mina.as_deref() == Some("1");
    let ctx = &s.ctx;
    let units = ctx.scope.book_units();
    let rows = book_rows(ctx, &units, 1000);
    let me = &ctx.actor.staff;
    let mut groups = vec![
        TodoGroup { id: "forsenade", title: "Försenade", rows: Vec::new() },
        TodoGroup { id: "i-dag", title: "Går ut i dag", rows: Vec::new() },
        TodoGroup { id: "snart", title: "Går snart ut", rows: Vec::new() },
        TodoGroup { id: "kommande", title: "Kommande", rows: Vec::new() },
    ];
    for r in rows.into_iter().filter(|r| !mine || r.handler.as_ref() == Some(me)) {
        let i = match r.state {
            DeadlineState::Overdue => 0,
            DeadlineState::DueToday => 1,
            DeadlineState::DueSoon => 2,
            _ => 3,
        };
        let handler = match &r.handler {
            Some(h) if h == me => "Du".to_owned(),
            Some(h) => h.to_string(),
            None => "Ej fördelat".to_owned(),
        };
        if let Some(g) = groups.get_mut(i) {
            g.rows.push(TodoRow {
                case: r.case.to_string(),
                child: r.child.name,
                kind: r.kind.label_sv(),
                last_day: r.last_day.to_string(),
                state: r.state.label_sv(),
                state_class: state_class(r.state),
                handler,
            });
        }
    }
    let quality = super::quality::todo_section(&s);
    Ok(render(StatusCode::OK, &TodoPage { chrome: Some(Chrome::of(&s)), groups, mine, quality }))
}

// ------------------------------------------------------------------ Ärende

pub struct DeadlineRow {
    pub name: String,
    pub last_day: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub citation: String,
    pub extended_from: Option<String>,
}

pub struct TimelineRow {
    pub seq: u64,
    pub when: String,
    pub what: String,
    pub actor: String,
    pub corrects: Option<u64>,
    pub corrected: bool,
    pub facts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Option<Chrome>,
    id: String,
    version: u32,
    child: String,
    masked: bool,
    pseudonymised: bool,
    kind: &'static str,
    received: String,
    step: &'static str,
    unit: String,
    handler: String,
    deadlines: Vec<DeadlineRow>,
    timeline: Vec<TimelineRow>,
    /// The 14-day clock of the preliminary assessment, when pending.
    preliminary_clock: Option<DeadlineRow>,
    protection_form: Option<FormState>,
    preliminary_form: Option<FormState>,
    /// The outcomes the caller may decide (value, label).
    outcomes: Vec<(&'static str, &'static str)>,
    csrf: String,
    today: String,
    quality: super::quality::CaseQuality,
}

/// Swedish names of the journal's entries.
fn entry_label(kind: &str) -> String {
    match kind {
        "actualisation_registered" => "Aktualisering registrerad",
        "protection_assessment_recorded" => "Omedelbar skyddsbedömning",
        "preliminary_assessment_decided" => "Beslut i förhandsbedömning",
        "reporter_feedback_given" => "Återkoppling till anmälaren",
        "triage_set" => "Prioritet satt",
        "allocated" => "Ärendet fördelat",
        "first_contact_recorded" => "Första kontakt",
        "investigation_part_recorded" => "Del av utredningen",
        "extension_decided" => "Förlängd utredningstid",
        "investigation_decided" => "Beslut efter utredning",
        "intervention_granted" => "Insats beviljad",
        "intervention_started" => "Insats verkställd",
        "enforcement_delay_recorded" => "Skäl till dröjsmål med verkställighet",
        "intervention_followed_up" => "Uppföljning av insats",
        "intervention_ended" => "Insats avslutad",
        "placement_reviewed" => "Övervägande av placering",
        "custody_transfer_considered" => "Övervägande av vårdnadsöverflyttning",
        "entry_written" => "Journalanteckning",
        "report_joined" => "Anmälan lagd till utredningen",
        other => return other.replace('_', " "),
    }
    .to_owned()
}

/// Swedish names of the fields of the journal's entries (dotted paths keep the last part's
/// name); ids are not shown, the page says what they point at.
fn field_label(path: &str) -> Option<String> {
    let last = path.rsplit('.').next().unwrap_or(path);
    let label = match last {
        "actualisation" | "case" | "child" | "person" | "report_case" | "investigation_case" | "data" => return None,
        "after_hours" => "Efter kontorstid",
        "channel" => "Kanal",
        "kind" if path.starts_with("late_reason") => "Synnerliga skäl",
        "kind" if path.starts_with("outcome") => "Beslut",
        "kind" if path.starts_with("child_view") => "Barnets inställning",
        "kind" => "Typ",
        "reasons" => "Orsaker",
        "received_at" => "Inkom",
        "reporter" | "category" => "Anmälare",
        "name" => "Namn",
        "organisation" => "Organisation",
        "contact" => "Kontakt",
        "text" => "Text",
        "unit" => "Enhet",
        "handler" => "Handläggare",
        "receipt" => "Kvittens",
        "siblings" => "Syskon",
        "assessed_at" => "Bedömd",
        "assessor_name" => "Bedömd av",
        "assessor_title" => "Befattning",
        "facts" => "Faktiska omständigheter",
        "immediate_need" => "Omedelbart skyddsbehov",
        "protection_plan" => "Skyddsplan",
        "decided_on" => "Beslutsdatum",
        "exists" => "Tidigare kännedom finns",
        "description" => "Tidigare kännedom",
        "summary" => "Barnets inställning",
        "reason" => "Skäl",
        "motivation" => "Motivering",
        "heading" => "Rubrik",
        _ => return Some(last.replace('_', " ")),
    };
    Some(label.to_owned())
}

/// Swedish for the values of the intake's choices (as stored, snake_case).
fn value_label(v: &str) -> String {
    let tables: [&[(&str, &str)]; 4] = [KINDS, CHANNELS, REPORTERS, REASONS];
    let extra: &[(&str, &str)] = &[
        ("open", "Inleda utredning"),
        ("not_open", "Inte inleda utredning"),
        ("join_investigation", "Läggs till pågående utredning"),
        ("obtained", "Inhämtad"),
        ("not_obtained", "Inte inhämtad"),
        ("pending_police_interview", "Inväntar polisförhör"),
        ("family_unreachable", "Familjen har inte gått att nå"),
        ("workload", "Arbetsbelastning"),
    ];
    v.split(", ")
        .map(|part| {
            tables
                .iter()
                .chain(std::iter::once(&extra))
                .flat_map(|t| t.iter())
                .find(|(k, _)| *k == part)
                .map(|(_, l)| (*l).to_owned())
                .unwrap_or_else(|| part.to_owned())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The act's content as (field, value) lines (strings, numbers and booleans; nested
/// objects flattened with dotted names).
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value as V;
    match v {
        V::Object(o) => {
            for (k, x) in o {
                let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&name, x, out);
            }
        }
        V::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| match x {
                    V::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.push((prefix.to_owned(), items.join(", ")));
        }
        V::String(s) => out.push((prefix.to_owned(), s.clone())),
        V::Bool(b) => out.push((prefix.to_owned(), if *b { "ja" } else { "nej" }.into())),
        V::Null => {}
        V::Number(n) => out.push((prefix.to_owned(), n.to_string())),
    }
}

fn deadline_row(d: &skyndsam_domain::clock::Deadline) -> DeadlineRow {
    DeadlineRow {
        name: d.name.clone(),
        last_day: d.spec.last_day.to_string(),
        state: d.state.label_sv(),
        state_class: state_class(d.state),
        citation: d.citation.clone(),
        extended_from: d.spec.extended_from.map(|x| x.to_string()),
    }
}

/// Which intake forms the case's state, the caller's role, qualification (3 kap. 3 a § SoL)
/// and delegation allow now; for the preliminary assessment, the outcomes the caller may
/// decide. The domain judges the act again when it is sent.
fn intake_forms(s: &Session, case: CaseId, detail: &CaseDetail) -> (bool, Vec<(&'static str, &'static str)>) {
    use skyndsam_domain::rules::{DecisionType, QualifiedStep};
    let p = s.ctx.app.store.projections();
    let Some(c) = p.case(&case) else { return (false, Vec::new()) };
    let rules = p.rules();
    let actor = &s.ctx.actor;
    let acts = detail.summary.view == "full" || detail.summary.view == "masked";
    let role = matches!(actor.role, Role::Handler | Role::TeamLeader | Role::UnitManager);
    let qualified = |step| actor.qualified || !rules.requires_qualification(step);
    let applies = rules.deadlines.preliminary_assessment.applies_to.contains(&c.kind);
    let ready = acts && role && c.is_open() && applies;
    let protection = ready && c.protection.is_none() && qualified(QualifiedStep::ProtectionAssessment);
    let delegated = |d| rules.delegation_rule(d).is_some_and(|r| !r.board_only && r.roles.contains(&actor.role));
    let outcomes = if ready && c.preliminary.is_none() && qualified(QualifiedStep::PreliminaryAssessment) {
        [
            ("open", "Inleda utredning", DecisionType::OpenInvestigation),
            ("not_open", "Inte inleda utredning", DecisionType::NotOpenInvestigation),
        ]
        .into_iter()
        .filter(|(_, _, d)| delegated(*d))
        .map(|(v, l, _)| (v, l))
        .collect()
    } else {
        Vec::new()
    };
    (protection, outcomes)
}

async fn case_view(
    s: &Session,
    case: CaseId,
    protection_form: Option<FormState>,
    preliminary_form: Option<FormState>,
) -> Result<CasePage, UiError> {
    let detail = read_case(&s.ctx, case).await?;
    let timeline_json: Vec<serde_json::Value> = serde_json::from_str(detail.timeline.0.get())
        .map_err(|e| UiError::from(ApiError::internal(format!("timeline: {e}"))))?;
    let staff_name = |id: &str| -> String {
        let p = s.ctx.app.store.projections();
        p.org.staff.values().find(|x| x.id.as_str() == id).map(|x| x.name.clone()).unwrap_or_else(|| id.to_owned())
    };
    let timeline = timeline_json
        .iter()
        .map(|e| {
            let mut facts = Vec::new();
            if let Some(d) = e.get("data") {
                flatten("", d, &mut facts);
            }
            let facts = facts
                .into_iter()
                .filter_map(|(k, v)| {
                    let label = field_label(&k)?;
                    let v = if k.ends_with("_at") {
                        DateTime::parse_from_rfc3339(&v).map(|t| local_time(t.with_timezone(&Utc))).unwrap_or(v)
                    } else {
                        value_label(&v)
                    };
                    Some((label, v))
                })
                .collect();
            let at = e.get("recorded_at").and_then(|v| v.as_str()).unwrap_or("");
            let when = DateTime::parse_from_rfc3339(at)
                .map(|t| local_time(t.with_timezone(&Utc)))
                .unwrap_or_else(|_| at.to_owned());
            TimelineRow {
                seq: e.get("seq").and_then(|v| v.as_u64()).unwrap_or(0),
                when,
                what: entry_label(e.get("type").and_then(|v| v.as_str()).unwrap_or("")),
                actor: if detail.summary.view == "pseudonymised" {
                    "–".to_owned()
                } else {
                    staff_name(e.get("actor").and_then(|v| v.as_str()).unwrap_or(""))
                },
                corrects: e.get("corrects").and_then(|v| v.as_u64()),
                corrected: e.get("corrected").and_then(|v| v.as_bool()).unwrap_or(false),
                facts,
            }
        })
        .collect();
    let (may_protect, outcomes) = intake_forms(s, case, &detail);
    let preliminary_clock = detail
        .deadlines
        .iter()
        .find(|d| d.spec.kind == DeadlineKind::PreliminaryAssessment && d.spec.met_at.is_none())
        .map(deadline_row);
    let sm = &detail.summary;
    Ok(CasePage {
        chrome: Some(Chrome::of(s)),
        id: case.to_string(),
        version: sm.version,
        child: sm.child.name.clone(),
        masked: sm.child.view == "masked",
        pseudonymised: sm.view == "pseudonymised",
        kind: sm.kind.label_sv(),
        received: local_time(sm.received_at),
        step: sm.step.label_sv(),
        unit: sm.unit.to_string(),
        handler: sm.handler.as_ref().map(|h| staff_name(h.as_str())).unwrap_or_else(|| "Ej fördelat".into()),
        deadlines: detail.deadlines.iter().map(deadline_row).collect(),
        timeline,
        preliminary_clock,
        protection_form: if may_protect { Some(protection_form.unwrap_or_default()) } else { None },
        preliminary_form: if outcomes.is_empty() { None } else { Some(preliminary_form.unwrap_or_default()) },
        outcomes,
        csrf: s.csrf.clone(),
        today: local_date(s.ctx.now).to_string(),
        quality: super::quality::case_section(s, case, sm.view != "pseudonymised"),
    })
}

pub async fn case_page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let page = case_view(&s, case, None, None).await?;
    Ok(render(StatusCode::OK, &page))
}

// ------------------------------------------------------------------ the intake forms

fn parse_date(form: &mut FormState, field: &str, label: &str) -> Option<NaiveDate> {
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

fn parse_time(form: &mut FormState, field: &str) -> Option<NaiveTime> {
    match NaiveTime::parse_from_str(form.value(field).trim(), "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            form.add(field, "Ange klockslag som TT:MM, till exempel 09:30.");
            None
        }
    }
}

fn required(form: &mut FormState, field: &str, message: &str) -> Option<String> {
    let v = form.values.opt(field);
    if v.is_none() {
        form.add(field, message);
    }
    v
}

fn yes_no(form: &mut FormState, field: &str, message: &str) -> Option<bool> {
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
fn form_field(field: Option<&str>, fallback: &str) -> String {
    match field {
        Some("late_reason") => "late_reason-kind".into(),
        Some("assessed_at") => "assessed_date".into(),
        Some("child_view") => "child_view".into(),
        Some("expected_version") => fallback.into(),
        Some(f) if !f.is_empty() => f.replace('.', "-"),
        _ => fallback.into(),
    }
}

/// Sends a command as the API does; a refusal becomes the form's error.
async fn send(
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

fn local_instant(d: NaiveDate, t: NaiveTime) -> Option<DateTime<Utc>> {
    d.and_time(t).and_local_timezone(TZ).earliest().map(|x| x.with_timezone(&Utc))
}

/// Omedelbar skyddsbedömning.
pub async fn protection(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let date = parse_date(&mut form, "assessed_date", "datum för bedömningen");
    let time = parse_time(&mut form, "assessed_time");
    let name = required(&mut form, "assessor_name", "Ange namnet på den som gjort bedömningen.");
    let title = required(&mut form, "assessor_title", "Ange befattning.");
    let facts = required(&mut form, "facts", "Beskriv de faktiska omständigheterna.");
    let need = yes_no(&mut form, "immediate_need", "Ange om barnet har ett omedelbart skyddsbehov.");
    let plan = form.values.opt("protection_plan");
    let assessed_at = match (date, time) {
        (Some(d), Some(t)) => local_instant(d, t),
        _ => None,
    };
    if let (true, Some(at), Some(assessor_name), Some(assessor_title), Some(facts), Some(immediate_need)) =
        (form.errors.is_empty(), assessed_at, name, title, facts, need)
    {
        let cmd = CaseCommand::RecordProtectionAssessment(ProtectionAssessmentRecorded {
            assessed_at: at,
            assessor_name,
            assessor_title,
            facts,
            immediate_need,
            protection_plan: plan,
        });
        if send(&mut form, &s, case, cmd, "facts").await? {
            return Ok(Redirect::to(&format!("/arenden/{case}")).into_response());
        }
    }
    let page = case_view(&s, case, Some(form), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Beslut i förhandsbedömning.
pub async fn preliminary(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let decided_on = parse_date(&mut form, "decided_on", "beslutsdatum");
    let outcome = match form.value("outcome") {
        "open" => Some(PreliminaryOutcome::Open),
        "not_open" => Some(PreliminaryOutcome::NotOpen),
        _ => {
            form.add("outcome", "Välj om utredning ska inledas eller inte.");
            None
        }
    };
    let known = yes_no(&mut form, "earlier_knowledge-exists", "Ange om det finns tidigare kännedom om barnet.");
    let known_text = form.values.opt("earlier_knowledge-description");
    let child_view = match form.value("child_view") {
        "obtained" => required(&mut form, "child_view-summary", "Beskriv barnets inställning.")
            .map(|summary| ChildView::Obtained { summary }),
        "not_obtained" => required(&mut form, "child_view-reason", "Ange varför barnets inställning inte inhämtats.")
            .map(|reason| ChildView::NotObtained { reason }),
        _ => {
            form.add("child_view", "Ange om barnets inställning har inhämtats.");
            None
        }
    };
    let late_reason = match form.value("late_reason-kind") {
        "" => None,
        k => {
            let kind = match k {
                "pending_police_interview" => Some(ExceptionalReasonKind::PendingPoliceInterview),
                "family_unreachable" => Some(ExceptionalReasonKind::FamilyUnreachable),
                "workload" => Some(ExceptionalReasonKind::Workload),
                "other" => Some(ExceptionalReasonKind::Other),
                _ => {
                    form.add("late_reason-kind", "Välj ett av skälen i listan.");
                    None
                }
            };
            kind.map(|kind| LateReason { kind, text: form.value("late_reason-text").trim().to_owned() })
        }
    };
    let motivation = required(&mut form, "motivation", "Skriv beslutets motivering.");
    if let (true, Some(decided_on), Some(outcome), Some(exists), Some(child_view), Some(motivation)) =
        (form.errors.is_empty(), decided_on, outcome, known, child_view, motivation)
    {
        let cmd = CaseCommand::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
            decided_on,
            outcome,
            earlier_knowledge: EarlierKnowledge { exists, description: known_text },
            child_view,
            late_reason,
            motivation,
        });
        if send(&mut form, &s, case, cmd, "motivation").await? {
            return Ok(Redirect::to(&format!("/arenden/{case}")).into_response());
        }
    }
    let page = case_view(&s, case, None, Some(form)).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ------------------------------------------------------------------ Mottagning

const KINDS: &[(&str, &str)] = &[
    ("report", "Anmälan"),
    ("application", "Ansökan"),
    ("notification", "Underrättelse / information på annat sätt"),
    ("own_knowledge", "Egen kännedom"),
];
const CHANNELS: &[(&str, &str)] = &[
    ("e_service", "E-tjänst"),
    ("letter", "Brev"),
    ("phone", "Telefon"),
    ("fax", "Fax"),
    ("visit", "Besök"),
    ("on_call", "Socialjouren (efter kontorstid)"),
];
const REPORTERS: &[(&str, &str)] = &[
    ("school", "Skola"),
    ("preschool", "Förskola"),
    ("health_care", "Hälso- och sjukvård"),
    ("police", "Polis"),
    ("social_services", "Socialtjänst"),
    ("other_authority", "Annan myndighet"),
    ("private_person", "Privatperson"),
    ("anonymous", "Anonym"),
];
const REASONS: &[(&str, &str)] = &[
    ("violence_against_child", "Våld mot barn"),
    ("witnessed_violence", "Bevittnat våld"),
    ("sexual_abuse", "Sexuella övergrepp"),
    ("honour_violence", "Hedersrelaterat våld"),
    ("parental_substance_abuse", "Missbruk hos förälder"),
    ("own_substance_abuse", "Eget missbruk"),
    ("crime", "Kriminalitet"),
    ("serious_crime", "Grov kriminalitet"),
    ("school_absence", "Skolfrånvaro"),
    ("mental_ill_health", "Psykisk ohälsa"),
    ("neglect_of_care", "Brister i omsorg"),
    ("other", "Annat"),
];

pub struct Knowledge {
    pub kind: &'static str,
    pub received_on: String,
    pub step: &'static str,
    pub preliminary: String,
    pub investigated: bool,
}

pub struct Found {
    pub id: String,
    pub name: String,
    pub id_number: String,
    pub knowledge: Vec<Knowledge>,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    chrome: Option<Chrome>,
    csrf: String,
    search: FormState,
    found: Option<Found>,
    form: FormState,
    kinds: &'static [(&'static str, &'static str)],
    channels: &'static [(&'static str, &'static str)],
    reporters: &'static [(&'static str, &'static str)],
    reasons: &'static [(&'static str, &'static str)],
}

impl IntakePage {
    fn has(&self, field: &str, value: &str) -> bool {
        self.form.values.0.iter().any(|(k, v)| k == field && v == value)
    }
}

#[derive(Deserialize, Default)]
pub struct IntakeQuery {
    personnummer: Option<String>,
}

/// The personnummer lookup: the person and the earlier knowledge, or the field's error.
async fn look_up(s: &Session, number: &str, search: &mut FormState) -> Result<Option<Found>, UiError> {
    let n = match skyndsam_domain::personnummer::PersonalIdentityNumber::parse(number.trim()) {
        Ok(n) => n,
        Err(e) => {
            search.add("personnummer", e.message_sv());
            return Ok(None);
        }
    };
    match crate::routes::search_by_id_number(&s.ctx, &n).await {
        Ok(d) => Ok(Some(Found {
            id: d.person.id.clone(),
            name: d.person.name.clone(),
            id_number: d.person.id_number.clone().unwrap_or_default(),
            knowledge: d
                .earlier_knowledge
                .iter()
                .map(|k| Knowledge {
                    kind: k.kind.label_sv(),
                    received_on: k.received_on.to_string(),
                    step: k.step.label_sv(),
                    preliminary: k.preliminary.clone().unwrap_or_default(),
                    investigated: k.investigated,
                })
                .collect(),
        })),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            search.add("personnummer", "Ingen person med det personnumret hittades.");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn intake_page(s: &Session, search: FormState, found: Option<Found>, form: FormState) -> IntakePage {
    IntakePage {
        chrome: Some(Chrome::of(s)),
        csrf: s.csrf.clone(),
        search,
        found,
        form,
        kinds: KINDS,
        channels: CHANNELS,
        reporters: REPORTERS,
        reasons: REASONS,
    }
}

/// Mottagning: look a child up by personnummer (earlier knowledge), then register.
pub async fn intake(s: Session, Query(q): Query<IntakeQuery>) -> Result<Response, UiError> {
    let mut search = FormState::default();
    let mut found = None;
    if let Some(n) = q.personnummer.as_deref() {
        search.values = Fields(vec![("personnummer".into(), n.to_owned())]);
        found = look_up(&s, n, &mut search).await?;
    }
    let status = if search.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut form = FormState::default();
    let now = s.ctx.now.with_timezone(&TZ);
    form.values = Fields(vec![
        ("received_date".into(), now.format("%Y-%m-%d").to_string()),
        ("received_time".into(), now.format("%H:%M").to_string()),
    ]);
    Ok(render(status, &intake_page(&s, search, found, form)))
}

fn choice<T: serde::de::DeserializeOwned>(
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

/// Registers the aktualisering through the API's `register`.
pub async fn register(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let number = form.value("personnummer").to_owned();
    let mut search = FormState { values: Fields(vec![("personnummer".into(), number.clone())]), errors: Vec::new() };
    let found = if number.trim().is_empty() {
        search.add("personnummer", "Sök först fram barnet på personnummer.");
        None
    } else {
        look_up(&s, &number, &mut search).await?
    };
    let kind = choice(&mut form, "kind", KINDS, "Välj typ av aktualisering.");
    let channel = choice(&mut form, "channel", CHANNELS, "Välj hur uppgifterna kom in.");
    let category = choice(&mut form, "reporter_category", REPORTERS, "Välj vem som lämnat uppgifterna.");
    let date = parse_date(&mut form, "received_date", "mottagningsdatum");
    let time = parse_time(&mut form, "received_time");
    let mut reasons = Vec::new();
    for (k, v) in form.values.0.clone() {
        if k == "reasons" {
            match serde_json::from_value(serde_json::Value::String(v)) {
                Ok(r) => reasons.push(r),
                Err(_) => form.add("reasons", "Okänd orsak."),
            }
        }
    }
    if reasons.is_empty() {
        form.add("reasons", "Välj minst en orsak.");
    }
    let text = required(&mut form, "text", "Beskriv vad som kommit in.");
    let received_at = match (date, time) {
        (Some(d), Some(t)) => local_instant(d, t),
        _ => None,
    };
    let child = found.as_ref().and_then(|p| skyndsam_domain::ids::PersonId::parse(&p.id).ok());
    let unit = s.ctx.actor.unit.clone().unwrap_or_else(|| s.ctx.token.unit.clone());
    if let (true, true, Some(child), Some(kind), Some(channel), Some(category), Some(received_at), Some(text)) =
        (form.errors.is_empty(), search.errors.is_empty(), child, kind, channel, category, received_at, text)
    {
        let req = crate::routes::RegisterActualisationRequest {
            children: vec![child],
            kind,
            received_at,
            channel,
            reporter: skyndsam_domain::events::Reporter {
                category,
                name: form.values.opt("reporter_name"),
                organisation: form.values.opt("reporter_organisation"),
                contact: form.values.opt("reporter_contact"),
            },
            reasons,
            text,
            unit,
            receipt: None,
        };
        match crate::routes::register(&s.ctx, req).await {
            Ok(r) => {
                if let Some(c) = r.cases.first() {
                    return Ok(Redirect::to(&format!("/arenden/{}", c.case)).into_response());
                }
            }
            Err(e) if e.status.is_client_error() => {
                let field = form_field(e.field.as_deref(), "text");
                let field = match field.as_str() {
                    "received_at" => "received_date".to_owned(),
                    "reporter-name" => "reporter_name".to_owned(),
                    "reporter-category" => "reporter_category".to_owned(),
                    "reporter-organisation" => "reporter_organisation".to_owned(),
                    "children" => "personnummer".to_owned(),
                    _ => field,
                };
                form.add(&field, e.message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &intake_page(&s, search, found, form)))
}

// ------------------------------------------------------------------ Fördelning

pub struct AllocRow {
    pub case: String,
    pub version: u32,
    pub child: String,
    pub kind: &'static str,
    pub received: String,
    pub unit: String,
    pub error: Option<String>,
    pub selected: String,
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct AllocationPage {
    chrome: Option<Chrome>,
    csrf: String,
    rows: Vec<AllocRow>,
    handlers: Vec<(String, String)>,
}

/// Fördelning: the open cases without a handler in the caller's units, each with a choice
/// of the handlers there. A list: not logged per row.
fn allocation_page(s: &Session, failed: Option<(CaseId, String, String)>) -> AllocationPage {
    let ctx = &s.ctx;
    let p = ctx.app.store.projections();
    let units = ctx.scope.book_units();
    let today = local_date(ctx.now);
    let mut handlers: Vec<(String, String)> =
        p.org
            .staff
            .values()
            .filter(|st| {
                p.org.roles_of(&st.id, today).iter().any(|(r, u)| {
                    matches!(r, Role::Handler | Role::TeamLeader | Role::UnitManager) && units.contains(u)
                })
            })
            .map(|st| (st.id.to_string(), format!("{} ({})", st.name, st.title)))
            .collect();
    handlers.sort_by(|a, b| a.1.cmp(&b.1));
    let rows = ctx
        .scope
        .open_cases(&p)
        .into_iter()
        .filter(|(c, a)| c.handler.is_none() && a.view == crate::scope::View::Full)
        .map(|(c, a)| {
            let child = crate::views::person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms);
            let (error, selected) = match &failed {
                Some((id, msg, sel)) if *id == c.case => (Some(msg.clone()), sel.clone()),
                _ => (None, String::new()),
            };
            AllocRow {
                case: c.case.to_string(),
                version: c.version,
                child: child.name,
                kind: c.kind.label_sv(),
                received: local_time(c.received_at),
                unit: p.org.unit(&c.unit).map(|u| u.name.clone()).unwrap_or_else(|| c.unit.to_string()),
                error,
                selected,
            }
        })
        .collect();
    AllocationPage { chrome: Some(Chrome::of(s)), csrf: s.csrf.clone(), rows, handlers }
}

pub async fn allocation(s: Session) -> Result<Response, UiError> {
    Ok(render(StatusCode::OK, &allocation_page(&s, None)))
}

/// Allocates a case to a handler in its unit (the API's Allocate command).
pub async fn allocate(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let handler = form.values.opt("handler");
    let unit = s.ctx.app.store.projections().case(&case).map(|c| c.unit.clone());
    match (handler.as_deref().map(skyndsam_domain::ids::StaffId::parse), unit) {
        (Some(Ok(h)), Some(unit)) => {
            let cmd = CaseCommand::Allocate(skyndsam_domain::events::Allocated { unit, handler: Some(h) });
            if send(&mut form, &s, case, cmd, "handler").await? {
                return Ok(Redirect::to("/fordelning").into_response());
            }
        }
        _ => form.add("handler", "Välj en handläggare."),
    }
    let message = form.errors.first().map(|e| e.message.clone()).unwrap_or_default();
    let page = allocation_page(&s, Some((case, message, form.value("handler").to_owned())));
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
