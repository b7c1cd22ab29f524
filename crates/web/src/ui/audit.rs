//! Aktgranskning (SCENARIOS 8): the unit's audit as a page — the sample with its seed and
//! method, the drop-outs with their reasons, and the results per question (share Ja) with the
//! same unit's audit of the year before beside them; the unit's sheet as .xlsx.
//! Who sees it is decided by `file_audit_api::audit_view` (as the API).

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

use super::pages::{render, Chrome};
use super::session::{Session, UiError};
use crate::file_audit_api::{audit_view, get_sheet};

/// The roles the audit page's gate lets through (the audit's access narrows further).
pub use crate::file_audit_api::AUDIT_READERS;

pub struct FileRow {
    pub case: String,
    pub stratum: String,
    pub drop_out: Option<String>,
}

pub struct ResultRow {
    pub question: String,
    pub yes: u32,
    pub no: u32,
    pub not_applicable: u32,
    pub overridden: u32,
    pub share: String,
    pub previous: String,
}

#[derive(Template)]
#[template(path = "audit_file_audit.html")]
struct AuditPage {
    chrome: Option<Chrome>,
    id: String,
    unit: String,
    year: i32,
    seed: u64,
    method: String,
    population: u32,
    drawn: usize,
    audited: usize,
    files: Vec<FileRow>,
    results: Vec<ResultRow>,
    previous_year: Option<i32>,
    analysed: bool,
    closed: Option<String>,
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |s| format!("{:.0} %", s * 100.0))
}

pub async fn page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let v = audit_view(&s.ctx, &id).await?;
    let previous: HashMap<String, Option<f64>> = v
        .previous
        .as_ref()
        .map(|p| p.results.iter().map(|r| (r.question.clone(), r.share_yes)).collect())
        .unwrap_or_default();
    let files = v
        .files
        .iter()
        .map(|f| FileRow {
            case: f.case.to_string(),
            stratum: f.stratum.clone(),
            drop_out: v.drop_outs.iter().find(|d| d.case == f.case).map(|d| d.reason.clone()),
        })
        .collect();
    let results = v
        .results
        .iter()
        .map(|r| ResultRow {
            question: r.question.clone(),
            yes: r.yes,
            no: r.no,
            not_applicable: r.not_applicable,
            overridden: r.overridden,
            share: share(r.share_yes),
            previous: previous.get(&r.question).map_or_else(|| "–".to_owned(), |p| share(*p)),
        })
        .collect();
    let page = AuditPage {
        chrome: Some(Chrome::of(&s)),
        id: v.id.to_string(),
        unit: v.unit.to_string(),
        year: v.year,
        seed: v.seed,
        method: v.method.clone(),
        population: v.population,
        drawn: v.files.len(),
        audited: v.audited,
        files,
        results,
        previous_year: v.previous.as_ref().map(|p| p.year),
        analysed: v.analysed_on.is_some(),
        closed: v.locked_on.map(|d| d.to_string()),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The unit's sheet (.xlsx) from the page: the same as the API's, under the session.
pub async fn sheet(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    Ok(get_sheet(s.ctx, Path(id)).await?)
}
