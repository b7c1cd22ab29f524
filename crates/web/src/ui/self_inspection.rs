//! Självinspektion per enhet (issue 5 item 5) as a page: per unit and period (a year, or one
//! tertial) the share of Ja per question with the Ja / Nej / Ej tillämpligt counts, each count
//! a link to the cases behind it. It reads through the API's function
//! (`self_inspection_api::inspected`): only the cases the caller's scope gives are counted and
//! listed, by case id (no names: the quality developer and the auditors see exactly what a
//! manager sees). Like the deadline book it is a list and not logged per row; opening a case
//! from it is the logged read. The period is a GET form that keeps its input.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::checks::{summarise, Reply, Section};
use skyndsam_domain::ids::UnitId;
use skyndsam_domain::org::Role;
use std::collections::HashMap;

use super::pages::{render, Chrome, FormState};
use super::session::{Fields, Session, UiError};
use crate::self_inspection_api::{inspected, SummaryQuery};

/// Managers, the quality developer and the auditors (the scope narrows to their cases).
pub const SELF_INSPECTORS: &[Role] = &[
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::Auditor,
];

pub struct QuestionRow {
    pub index: usize,
    pub section: &'static str,
    pub text: String,
    pub judgement: bool,
    pub yes: usize,
    pub no: usize,
    pub not_applicable: usize,
    pub share: String,
}

pub struct CaseRow {
    pub case: String,
    pub unit: String,
    pub received_on: String,
    pub rule: String,
    pub seq: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "self_inspection.html")]
struct SummaryPage {
    chrome: Option<Chrome>,
    form: FormState,
    prefix: &'static str,
    units: Vec<(String, String)>,
    tertials: Vec<(String, String)>,
    query: String,
    heading: String,
    as_of: String,
    cases: usize,
    rows: Vec<QuestionRow>,
    shown: bool,
}

#[derive(Template)]
#[template(path = "self_inspection_cases.html")]
struct CasesPage {
    chrome: Option<Chrome>,
    heading: String,
    question: String,
    answer: &'static str,
    back: String,
    rows: Vec<CaseRow>,
}

fn section_sv(s: Section) -> &'static str {
    match s {
        Section::PreliminaryAssessment => "Förhandsbedömning",
        Section::Investigation => "Utredning",
    }
}

/// The period form's fields, checked: (query, errors as a form).
fn period(s: &Session, q: &HashMap<String, String>) -> (SummaryQuery, FormState) {
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let values: Vec<(String, String)> = ["unit", "year", "tertial"].iter().map(|k| ((*k).to_owned(), get(k))).collect();
    let mut form = FormState { values: Fields(values), errors: Vec::new() };
    let unit = match get("unit") {
        u if u.is_empty() => None,
        u => match UnitId::parse(&u) {
            Ok(u) if s.ctx.app.store.projections().org.unit(&u).is_some() => Some(u),
            _ => {
                form.add("unit", "Välj en enhet i listan.");
                None
            }
        },
    };
    let year = match get("year") {
        y if y.is_empty() => Some(local_date(s.ctx.now).year()),
        y => match y.parse::<i32>() {
            Ok(y) if (1900..=9999).contains(&y) => Some(y),
            _ => {
                form.add("year", "Skriv året med fyra siffror, till exempel 2026.");
                None
            }
        },
    };
    let tertial = match get("tertial").as_str() {
        "" => None,
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(3),
        _ => {
            form.add("tertial", "Välj tertial 1, 2 eller 3, eller hela året.");
            None
        }
    };
    (SummaryQuery { unit, year, tertial }, form)
}

fn units(s: &Session) -> Vec<(String, String)> {
    let p = s.ctx.app.store.projections();
    let mut v: Vec<(String, String)> =
        p.org.units.values().map(|u| (u.id.as_str().to_owned(), u.name.clone())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

fn heading(s: &Session, q: &SummaryQuery) -> String {
    let unit = q
        .unit
        .as_ref()
        .and_then(|u| s.ctx.app.store.projections().org.unit(u).map(|x| x.name.clone()))
        .unwrap_or_default();
    let year = q.year.unwrap_or_default();
    match q.tertial {
        Some(t) => format!("{unit}, tertial {t} {year}"),
        None => format!("{unit}, {year}"),
    }
}

fn query_string(q: &SummaryQuery) -> String {
    format!(
        "unit={}&year={}{}",
        q.unit.as_ref().map(|u| u.as_str()).unwrap_or_default(),
        q.year.unwrap_or_default(),
        q.tertial.map(|t| format!("&tertial={t}")).unwrap_or_default()
    )
}

/// GET /egenkontroll: the form and, once a unit is chosen, the summary.
pub async fn page(s: Session, Query(q): Query<HashMap<String, String>>) -> Result<Response, UiError> {
    let (query, mut form) = period(&s, &q);
    if form.values.get("year").is_empty() {
        if let Some(y) = query.year {
            form.values.0.iter_mut().filter(|(k, _)| k == "year").for_each(|(_, v)| *v = y.to_string());
        }
    }
    let mut page = SummaryPage {
        chrome: Some(Chrome::of(&s)),
        form,
        prefix: "period",
        units: units(&s),
        tertials: vec![
            ("1".into(), "Tertial 1 (januari–april)".into()),
            ("2".into(), "Tertial 2 (maj–augusti)".into()),
            ("3".into(), "Tertial 3 (september–december)".into()),
        ],
        query: String::new(),
        heading: String::new(),
        as_of: String::new(),
        cases: 0,
        rows: Vec::new(),
        shown: false,
    };
    let asked = q.contains_key("unit");
    if asked && query.unit.is_none() && page.form.error("unit").is_none() {
        page.form.add("unit", "Välj en enhet.");
    }
    if !page.form.errors.is_empty() {
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if query.unit.is_some() {
        let i = inspected(&s.ctx, &query).await?;
        let summary = summarise(&i.questions, &i.inspections);
        page.rows = summary
            .questions
            .iter()
            .enumerate()
            .map(|(index, r)| QuestionRow {
                index,
                section: section_sv(r.section),
                text: r.text.clone(),
                judgement: !r.auto,
                yes: r.yes,
                no: r.no,
                not_applicable: r.not_applicable,
                share: r.share_yes.map_or_else(|| "–".to_owned(), |x| format!("{:.0} %", x * 100.0)),
            })
            .collect();
        page.cases = summary.cases;
        page.as_of = i.as_of.to_string();
        page.heading = heading(&s, &query);
        page.query = query_string(&query);
        page.shown = true;
    }
    Ok(render(StatusCode::OK, &page))
}

/// GET /egenkontroll/arenden: the cases behind one count (question by its place in the
/// questionnaire, answer ja / nej / ej).
pub async fn cases(s: Session, Query(q): Query<HashMap<String, String>>) -> Result<Response, UiError> {
    let (query, form) = period(&s, &q);
    let bad = |m: &str| UiError::Page { status: StatusCode::UNPROCESSABLE_ENTITY, message: m.to_owned() };
    if !form.errors.is_empty() || query.unit.is_none() {
        return Err(bad("Ange enhet och period."));
    }
    let answer = match q.get("svar").map(String::as_str) {
        Some("ja") => Reply::Yes,
        Some("nej") => Reply::No,
        Some("ej") => Reply::NotApplicable,
        _ => return Err(bad("Ange svaret: ja, nej eller ej.")),
    };
    let i = inspected(&s.ctx, &query).await?;
    let index: usize = q.get("fraga").and_then(|x| x.parse().ok()).unwrap_or(usize::MAX);
    let Some(question) = i.questions.question.get(index) else {
        return Err(bad("Frågan finns inte."));
    };
    let rows = {
        let p = s.ctx.app.store.projections();
        i.inspections
            .iter()
            .filter_map(|c| {
                let a = c.answer(question.applies_to, &question.id)?;
                (a.answer == answer).then(|| CaseRow {
                    case: c.case.to_string(),
                    unit: p.org.unit(&c.unit).map_or_else(|| c.unit.as_str().to_owned(), |u| u.name.clone()),
                    received_on: c.received_on.to_string(),
                    rule: a.evidence.rule.clone(),
                    seq: a.evidence.seq.map(|x| x.to_string()).unwrap_or_default(),
                    note: a.evidence.note.clone(),
                })
            })
            .collect()
    };
    Ok(render(
        StatusCode::OK,
        &CasesPage {
            chrome: Some(Chrome::of(&s)),
            heading: heading(&s, &query),
            question: format!("{}: {}", section_sv(question.applies_to), question.text),
            answer: answer.label_sv(),
            back: query_string(&query),
            rows,
        },
    ))
}
