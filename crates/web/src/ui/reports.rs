//! Styrkort and the reports as pages (issue 7): the scorecard for a period and one of the
//! caller's units, and the delårsrapport, verksamhetsberättelse, IVO's list of ej
//! verkställda beslut and kvalitetsberättelse as the report crate renders them, with .docx
//! and PDF downloads. The kvalitetsberättelse's narrative sections are written here by the
//! quality staff, each an immutable journal event (`ReportNarrativeWritten` in stream
//! `narrative/<report>-<year>`; the latest text per section stands).
//!
//! Figures come from the server's cached fact table ([`crate::reports`]); a unit is only
//! one of the caller's own (their unit's subtree), so a unit manager sees their subtree's
//! figures and nobody else's. The pages hold aggregates and pseudonymous facts only.

use askama::Template;
use axum::extract::Query;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use skyndsam_domain::events::{EventMeta, NewEvent, Payload, ReportNarrativeWritten};
use skyndsam_domain::ids::UnitId;
use skyndsam_domain::org::Role;
use skyndsam_report::documents::{self, Block, Chart, Doc, Narratives, Series, Table};
use skyndsam_report::{html, Filter, Ind, Measure, Period};
use skyndsam_store::AppendRequest;

use super::pages::{local_time, render, Chrome, FormState};
use super::session::{Session, SessionForm, UiError};
use crate::app::Ctx;
use crate::error::ApiError;

/// Who reads the styrkort: managers, quality staff, auditors (aggregates only) and the board.
pub const SCORECARD: &[Role] = &[
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::Auditor,
    Role::Board,
    Role::Committee,
];

/// Who reads the reports: managers (their subtree), quality staff and auditors.
pub const REPORTERS: &[Role] =
    &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper, Role::Auditor];

/// Who writes the kvalitetsberättelse's narrative sections.
pub const NARRATORS: &[Role] = &[Role::QualityDeveloper];

/// The report whose narratives are written in the app.
const QUALITY_REPORT: &str = "kvalitetsberattelse";

/// The narrative sections: key, heading.
pub const SECTIONS: [(&str, &str); 4] = [
    ("introduction", "Inledning"),
    ("prerequisites", "Verksamhetens förutsättningar"),
    ("quality_assessment", "Bedömning av kvalitet"),
    ("improvement_areas", "Utvecklingsområden"),
];

/// Longest narrative section accepted (characters).
const NARRATIVE_MAX: usize = 20_000;

/// The reports: key (as the report crate knows it), name, whether it has a part (tertial or
/// quarter) and what the part is called.
const KINDS: [(&str, &str, Option<&str>); 4] = [
    ("delarsrapport", "Delårsrapport (statistik)", Some("Delår (1 eller 2)")),
    ("verksamhetsberattelse", "Verksamhetsberättelse (statistik)", None),
    ("ivo", "Ej verkställda beslut till IVO", Some("Kvartal (1–4)")),
    ("kvalitetsberattelse", "Kvalitetsberättelse", None),
];

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The units the caller may choose: their own unit's subtree, in the organisation's order.
fn unit_choices(ctx: &Ctx, wanted: Option<&str>) -> Result<(UnitId, Vec<Choice>), UiError> {
    let p = ctx.app.store.projections();
    let own = ctx.scope.unit.clone();
    let subtree = p.org.subtree(&own);
    let chosen = match wanted.map(str::trim).filter(|w| !w.is_empty()) {
        None => own,
        Some(w) => subtree.iter().find(|u| u.as_str() == w).cloned().ok_or_else(|| UiError::Page {
            status: StatusCode::NOT_FOUND,
            message: "Enheten finns inte bland de enheter du följer upp.".into(),
        })?,
    };
    let choices = subtree
        .iter()
        .map(|u| Choice {
            value: u.as_str().to_owned(),
            label: p.org.unit(u).map(|x| x.name.clone()).unwrap_or_else(|| u.to_string()),
            selected: *u == chosen,
        })
        .collect();
    Ok((chosen, choices))
}

fn bad(message: impl Into<String>) -> UiError {
    UiError::Page { status: StatusCode::UNPROCESSABLE_ENTITY, message: message.into() }
}

/// The filter of one unit (its subtree) in the built fact table.
fn filter_of(r: &skyndsam_report::Report<'_>, unit: &UnitId) -> Result<Filter, UiError> {
    let mut f = Filter::all();
    f.unit = Some(r.unit(unit.as_str()).map_err(|_| bad("Enheten har inga uppgifter i statistiken ännu."))?);
    Ok(f)
}

/// Who may follow a value to the cases behind it: those whose `Scope` gives cases (the
/// board and its committee read aggregates only). The list is narrowed by the scope.
pub const DRILLERS: &[Role] = crate::routes::READERS;

/// The drill-down page of one indicator in a period and unit (`&` already escaped for HTML).
fn drill_href(kpi: &str, period: &str, unit: &str) -> String {
    format!("/styrkort/arenden?kpi={kpi}&amp;period={period}&amp;enhet={unit}")
}

/// An indicator table (first column "Indikator", second "Värde") with each value that has
/// a numerator linked to the cases behind it; otherwise as `html::table_html`.
fn indicator_table_html(t: &Table, link: &dyn Fn(&str) -> String) -> String {
    let mut h = String::from("<table>\n");
    h.push_str(&format!("<caption>{}</caption>\n<thead><tr>", html::esc(&t.caption)));
    for c in &t.header {
        h.push_str(&format!("<th scope=\"col\">{}</th>", html::esc(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        let id = r.first().and_then(|c| c.split(' ').next()).and_then(Ind::parse);
        let counted = r.get(2).is_some_and(|n| n != "–");
        h.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            match (i, id) {
                (0, _) => h.push_str(&format!("<th scope=\"row\">{}</th>", html::esc(c))),
                (1, Some(ind)) if counted => h.push_str(&format!(
                    "<td><a href=\"{}\">{}<span class=\"osynlig\"> – ärendena bakom värdet för {}</span></a></td>",
                    link(ind.id()),
                    html::esc(c),
                    ind.id()
                )),
                _ => h.push_str(&format!("<td>{}</td>", html::esc(c))),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// Blocks as HTML (the page gives its own heading); charts with their data tables. With
/// `link`, the values of indicator tables link to the cases behind them.
fn blocks_html(blocks: &[Block], link: Option<&dyn Fn(&str) -> String>) -> String {
    let mut h = String::new();
    for b in blocks {
        match b {
            Block::Heading { text } => h.push_str(&format!("<h2>{}</h2>\n", html::esc(text))),
            Block::Paragraph { text } => h.push_str(&format!("<p>{}</p>\n", html::esc(text))),
            Block::Missing { text } => {
                h.push_str(&format!("<p class=\"saknas\"><strong>Uppgifter saknas:</strong> {}</p>\n", html::esc(text)))
            }
            Block::Table(t) => {
                let indicators =
                    t.header.first().is_some_and(|x| x == "Indikator") && t.header.get(1).is_some_and(|x| x == "Värde");
                let table = match link {
                    Some(link) if indicators => indicator_table_html(t, link),
                    _ => html::table_html(t),
                };
                h.push_str(&format!("<div class=\"tabell\">{table}</div>\n"))
            }
            Block::Chart(c) => {
                h.push_str("<figure class=\"diagram\">\n");
                h.push_str(&html::chart_svg(c));
                h.push_str(&html::table_html(&c.data_table()));
                h.push_str("</figure>\n");
            }
        }
    }
    h
}

fn target(t: Option<f64>, m: Measure) -> String {
    match (t, m) {
        (Some(t), Measure::Share) => format!("{} %", documents::num1(t)),
        (Some(t), _) => documents::num1(t),
        (None, _) => "–".into(),
    }
}

/// The styrkort as blocks: the period's values beside the step target, the long-term target
/// and the legal floor; the years up to the period's with a chart per timed indicator.
fn scorecard_blocks(r: &skyndsam_report::Report<'_>, period: &Period, f: &Filter) -> Vec<Block> {
    let label = period.label_sv(r.as_of);
    let rows = r
        .all(period, f)
        .into_iter()
        .map(|v| {
            let value = match (v.value, v.measure) {
                (Some(x), Measure::Share) => format!("{} %", documents::num1(x)),
                (Some(x), Measure::Days) => format!("{} dagar", documents::num1(x)),
                (Some(x), Measure::Count) => format!("{x:.0}"),
                (None, _) => v.state.label_sv().to_owned(),
            };
            let n = |x: Option<u64>| x.map_or_else(|| "–".to_owned(), |x| x.to_string());
            vec![
                format!("{} {}", v.id, v.name),
                value,
                n(v.numerator),
                n(v.denominator),
                target(v.step_target, v.measure),
                target(v.long_term_target, v.measure),
                target(v.legal_floor, v.measure),
            ]
        })
        .collect();
    let mut blocks = vec![Block::Table(Table {
        caption: format!("Styrkortet, {label}"),
        header: ["Indikator", "Värde", "Täljare", "Nämnare", "Etappmål", "Målvärde", "Lagkrav"]
            .map(str::to_owned)
            .to_vec(),
        rows,
    })];
    let year = period.year();
    let first = r.facts.cases.iter().map(|c| c.received_on.year()).min().unwrap_or(year).clamp(year - 4, year);
    let card = skyndsam_report::scorecard::scorecard(r, first..=year, f);
    blocks.push(Block::Heading { text: format!("Över tid, {first}–{year}") });
    for id in ["FB14", "U4M"] {
        let Some(row) = card.rows.iter().find(|x| x.id == id) else { continue };
        let mut series = vec![Series { name: "Utfall".into(), values: row.years.iter().map(|y| y.value).collect() }];
        if row.years.iter().any(|y| y.step_target.is_some()) {
            series.push(Series { name: "Etappmål".into(), values: row.years.iter().map(|y| y.step_target).collect() });
        }
        blocks.push(Block::Chart(Chart {
            title: format!("{} {}, {first}–{year}", row.id, row.name),
            unit: "%".into(),
            labels: row.years.iter().map(|y| y.year.to_string()).collect(),
            series,
            reference: row.legal_floor.map(|v| (v, format!("lagkrav {} %", documents::num1(v)))),
        }));
        if let Some(t) = row.long_term_target {
            blocks.push(Block::Paragraph { text: format!("Målvärde för {}: {} %.", row.id, documents::num1(t)) });
        }
    }
    blocks
}

// ------------------------------------------------------------------ styrkort

#[derive(Debug, Default, Deserialize)]
pub struct ScorecardQuery {
    pub period: Option<String>,
    pub enhet: Option<String>,
}

#[derive(Template)]
#[template(path = "report_scorecard.html")]
struct ScorecardPage {
    chrome: Option<Chrome>,
    period: String,
    units: Vec<Choice>,
    unit_name: String,
    as_at: String,
    body: String,
    error: Option<String>,
}

/// Styrkort: every indicator for a period and one of the caller's units.
pub async fn scorecard(s: Session, Query(q): Query<ScorecardQuery>) -> Result<Response, UiError> {
    let built = crate::reports::current(&s.ctx.app).await?;
    let (unit, units) = unit_choices(&s.ctx, q.enhet.as_deref())?;
    let text = q.period.clone().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| built.as_of.year().to_string());
    let rules = s.ctx.app.store.rules();
    let r = built.report(rules);
    let (body, error, status) = match Period::parse(text.trim()) {
        Ok(period) => {
            let f = filter_of(&r, &unit)?;
            let period_text = text.trim().to_owned();
            let link = |kpi: &str| drill_href(kpi, &period_text, unit.as_str());
            let link: Option<&dyn Fn(&str) -> String> =
                if DRILLERS.contains(&s.ctx.actor.role) { Some(&link) } else { None };
            (blocks_html(&scorecard_blocks(&r, &period, &f), link), None, StatusCode::OK)
        }
        Err(_) => (
            String::new(),
            Some("Perioden kan inte läsas. Skriv till exempel 2025, 2025-T1, 2025-T2 eller 2025-03.".to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let unit_name = units.iter().find(|c| c.selected).map(|c| c.label.clone()).unwrap_or_default();
    let page = ScorecardPage {
        chrome: Some(Chrome::of(&s)),
        period: text,
        units,
        unit_name,
        as_at: local_time(built.at),
        body,
        error,
    };
    Ok(render(status, &page))
}

// ------------------------------------------------------------------ reports

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    pub rapport: Option<String>,
    pub ar: Option<String>,
    pub del: Option<String>,
    pub enhet: Option<String>,
    pub format: Option<String>,
    /// Set after a narrative section was saved.
    pub sparad: Option<String>,
}

/// A report asked for, resolved.
struct Wanted {
    kind: &'static str,
    year: i32,
    part: Option<u32>,
}

fn wanted(q: &ReportQuery, this_year: i32) -> Result<Option<Wanted>, UiError> {
    let Some(kind) = q.rapport.as_deref().filter(|k| !k.is_empty()) else { return Ok(None) };
    let Some((kind, _, part_label)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
        return Err(UiError::not_found());
    };
    let year = match q.ar.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => this_year,
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| bad("Ange ett år, till exempel 2025."))?,
    };
    let part = match (part_label, q.del.as_deref().map(str::trim).filter(|d| !d.is_empty())) {
        (None, _) => None,
        (Some(_), None) => Some(1),
        (Some(_), Some(d)) => Some(d.parse::<u32>().map_err(|_| bad("Ange delår eller kvartal som en siffra."))?),
    };
    Ok(Some(Wanted { kind, year, part }))
}

/// The narratives of a report year as written: the latest text per section.
fn narratives(ctx: &Ctx, year: i32) -> Result<Narratives, ApiError> {
    let events = ctx.app.store.read_stream(&format!("narrative/{QUALITY_REPORT}-{year}"))?;
    let mut n = Narratives::default();
    for e in events {
        if let Payload::ReportNarrativeWritten(w) = e.payload {
            let text = Some(w.text).filter(|t| !t.trim().is_empty());
            match w.section.as_str() {
                "introduction" => n.introduction = text,
                "prerequisites" => n.prerequisites = text,
                "quality_assessment" => n.quality_assessment = text,
                "improvement_areas" => n.improvement_areas = text,
                _ => {}
            }
        }
    }
    Ok(n)
}

fn section_text<'a>(n: &'a Narratives, key: &str) -> &'a str {
    let t = match key {
        "introduction" => &n.introduction,
        "prerequisites" => &n.prerequisites,
        "quality_assessment" => &n.quality_assessment,
        "improvement_areas" => &n.improvement_areas,
        _ => &None,
    };
    t.as_deref().unwrap_or("")
}

/// Builds the wanted report for one of the caller's units.
async fn document(s: &Session, w: &Wanted, enhet: Option<&str>) -> Result<(Doc, String, Narratives), UiError> {
    let built = crate::reports::current(&s.ctx.app).await?;
    let (unit, _) = unit_choices(&s.ctx, enhet)?;
    let text = narratives(&s.ctx, w.year)?;
    let r = built.report(s.ctx.app.store.rules());
    let f = filter_of(&r, &unit)?;
    let doc = documents::build(&r, w.kind, w.year, w.part, &f, &text).map_err(|e| bad(e.to_string()))?;
    Ok((doc, local_time(built.at), text))
}

pub struct NarrativeForm {
    pub key: &'static str,
    pub heading: &'static str,
    pub form: FormState,
}

#[derive(Template)]
#[template(path = "report_page.html")]
struct ReportPage {
    chrome: Option<Chrome>,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
    year: String,
    part: String,
    title: String,
    subtitle: String,
    as_at: String,
    body: String,
    /// The query of the shown report (for the download links), empty when none is shown.
    query: String,
    narratives: Vec<NarrativeForm>,
    saved: bool,
}

fn query_of(w: &Wanted, unit: &str) -> String {
    let mut q = format!("rapport={}&ar={}&enhet={}", w.kind, w.year, unit);
    if let Some(p) = w.part {
        q.push_str(&format!("&del={p}"));
    }
    q
}

/// Rapporter: choose a report, read it as a page, download it as .docx or PDF.
pub async fn page(s: Session, Query(q): Query<ReportQuery>) -> Result<Response, UiError> {
    report_page(s, q, None).await
}

async fn report_page(s: Session, q: ReportQuery, failed: Option<NarrativeForm>) -> Result<Response, UiError> {
    let this_year = skyndsam_domain::calendar::local_date(s.ctx.now).year();
    let w = wanted(&q, this_year)?;
    let (unit, units) = unit_choices(&s.ctx, q.enhet.as_deref())?;
    let kinds = KINDS
        .iter()
        .map(|(k, name, _)| Choice {
            value: (*k).to_owned(),
            label: (*name).to_owned(),
            selected: w.as_ref().is_some_and(|w| w.kind == *k),
        })
        .collect();
    let status = if failed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut page = ReportPage {
        chrome: Some(Chrome::of(&s)),
        kinds,
        units,
        year: w.as_ref().map_or(this_year, |w| w.year).to_string(),
        part: w.as_ref().and_then(|w| w.part).map(|p| p.to_string()).unwrap_or_default(),
        title: "Rapporter".into(),
        subtitle: String::new(),
        as_at: String::new(),
        body: String::new(),
        query: String::new(),
        narratives: Vec::new(),
        saved: q.sparad.is_some(),
    };
    if let Some(w) = &w {
        let (doc, as_at, text) = document(&s, w, Some(unit.as_str())).await?;
        page.title = doc.title.clone();
        page.subtitle = doc.subtitle.clone();
        page.as_at = as_at;
        let period = match (w.kind, w.part) {
            ("delarsrapport", Some(p)) => Some(format!("{}-T{p}", w.year)),
            ("verksamhetsberattelse" | "kvalitetsberattelse", _) => Some(w.year.to_string()),
            _ => None,
        };
        let link = |kpi: &str| drill_href(kpi, period.as_deref().unwrap_or(""), unit.as_str());
        let link: Option<&dyn Fn(&str) -> String> =
            if period.is_some() && DRILLERS.contains(&s.ctx.actor.role) { Some(&link) } else { None };
        page.body = blocks_html(&doc.blocks, link);
        page.query = query_of(w, unit.as_str());
        if w.kind == QUALITY_REPORT && NARRATORS.contains(&s.ctx.actor.role) {
            page.narratives = SECTIONS
                .iter()
                .map(|(key, heading)| {
                    let mut form = FormState::default();
                    form.values.0.push(("text".into(), section_text(&text, key).to_owned()));
                    NarrativeForm { key, heading, form }
                })
                .collect();
            if let Some(f) = failed {
                if let Some(slot) = page.narratives.iter_mut().find(|n| n.key == f.key) {
                    *slot = f;
                }
            }
        }
    }
    Ok(render(status, &page))
}

/// The report as a file: .docx or PDF, as an attachment.
pub async fn download(s: Session, Query(q): Query<ReportQuery>) -> Result<Response, UiError> {
    let this_year = skyndsam_domain::calendar::local_date(s.ctx.now).year();
    let Some(w) = wanted(&q, this_year)? else { return Err(bad("Välj en rapport.")) };
    let format = q.format.clone().unwrap_or_default();
    let (doc, _, _) = document(&s, &w, q.enhet.as_deref()).await?;
    let (bytes, content_type, ext) = match format.as_str() {
        "docx" => (
            skyndsam_report::docx::to_docx(&doc).map_err(|e| UiError::from(ApiError::internal(e.to_string())))?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        "pdf" => (skyndsam_report::pdf::to_pdf(&doc), "application/pdf", "pdf"),
        _ => return Err(bad("Välj format: docx eller pdf.")),
    };
    let name = match w.part {
        Some(p) => format!("{}-{}-{p}.{ext}", w.kind, w.year),
        None => format!("{}-{}.{ext}", w.kind, w.year),
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// A narrative section of the kvalitetsberättelse, written by the quality staff: one event.
pub async fn write_narrative(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let this_year = skyndsam_domain::calendar::local_date(s.ctx.now).year();
    let year = form.value("ar").trim().parse::<i32>().ok().filter(|y| (2000..=this_year + 1).contains(y));
    let section = SECTIONS.iter().find(|(k, _)| *k == form.value("avsnitt"));
    let text = form.value("text").trim().to_owned();
    if text.chars().count() > NARRATIVE_MAX {
        form.add("text", format!("Texten är för lång (högst {NARRATIVE_MAX} tecken)."));
    }
    let (Some(year), Some((key, heading))) = (year, section) else {
        return Err(bad("Formuläret saknar år eller avsnitt. Öppna kvalitetsberättelsen och försök igen."));
    };
    if text.is_empty() {
        form.add("text", "Skriv avsnittets text.");
    }
    if !form.errors.is_empty() {
        let q = ReportQuery { rapport: Some(QUALITY_REPORT.into()), ar: Some(year.to_string()), ..Default::default() };
        return report_page(s, q, Some(NarrativeForm { key, heading, form })).await;
    }
    let ctx = &s.ctx;
    let event = NewEvent {
        stream: format!("narrative/{QUALITY_REPORT}-{year}"),
        meta: EventMeta {
            recorded_at: ctx.now,
            effective_on: skyndsam_domain::calendar::local_date(ctx.now),
            actor: ctx.actor.staff.clone(),
            role: ctx.actor.role,
            unit: ctx.actor.unit.clone(),
            delegation: None,
            corrects: None,
        },
        payload: Payload::ReportNarrativeWritten(ReportNarrativeWritten {
            report: QUALITY_REPORT.into(),
            year,
            section: (*key).to_owned(),
            text,
        }),
    };
    let store = ctx.app.store.clone();
    tokio::task::spawn_blocking(move || store.append(AppendRequest::new(vec![event])))
        .await
        .map_err(|e| UiError::from(ApiError::internal(format!("append: {e}"))))?
        .map_err(|e| UiError::from(ApiError::from(e)))?;
    Ok(Redirect::to(&format!("/rapporter?rapport={QUALITY_REPORT}&ar={year}&sparad=1#avsnitt-{key}")).into_response())
}

// ------------------------------------------------------------------ ärenden bakom värdet

#[derive(Debug, Default, Deserialize)]
pub struct DrillPageQuery {
    pub kpi: Option<String>,
    pub period: Option<String>,
    pub enhet: Option<String>,
    pub kon: Option<String>,
    pub alder: Option<String>,
    /// `taljare`: only the cases in the numerator.
    pub del: Option<String>,
}

pub struct DrillRowView {
    pub case: String,
    pub child: String,
    pub unit: String,
    pub received_on: String,
    pub date: String,
    pub days: String,
    pub numerator: &'static str,
    pub count: u32,
}

#[derive(Template)]
#[template(path = "report_drill.html")]
struct DrillPage {
    chrome: Option<Chrome>,
    kpi: String,
    name: String,
    definition: String,
    numerator_text: String,
    denominator_text: String,
    period_date: String,
    period_label: String,
    unit_name: String,
    breakdown: String,
    value: String,
    numerator: String,
    denominator: String,
    numerator_only: bool,
    /// The page's query without the part (for the two links between the parts).
    base: String,
    back: String,
    caption: String,
    rows: Vec<DrillRowView>,
    deviations: bool,
    has_days: bool,
    counted_more: bool,
    left_out: u64,
    as_at: String,
}

/// Ärenden bakom värdet: the definition, numerator and denominator of one value, and the
/// cases (or deviations) behind it that the caller's scope gives, with links to them.
pub async fn drill_page(s: Session, Query(q): Query<DrillPageQuery>) -> Result<Response, UiError> {
    let numerator_only = q.del.as_deref() == Some("taljare");
    let dq = crate::indicator_api::DrillQuery {
        kpi: q.kpi.clone(),
        period: q.period.clone(),
        unit: q.enhet.clone(),
        sex: q.kon.clone(),
        age: q.alder.clone(),
        part: Some(if numerator_only { "numerator" } else { "denominator" }.to_owned()),
    };
    let d = crate::indicator_api::drill(&s.ctx, &dq).await?;
    let measure = match d.measure.as_str() {
        "share" => Measure::Share,
        "days" => Measure::Days,
        _ => Measure::Count,
    };
    let value = match (d.value, measure) {
        (Some(x), Measure::Share) => format!("{} %", documents::num1(x)),
        (Some(x), Measure::Days) => format!("{} dagar", documents::num1(x)),
        (Some(x), Measure::Count) => format!("{x:.0}"),
        (None, _) => "inget värde".to_owned(),
    };
    let n = |x: Option<u64>| x.map_or_else(|| "–".to_owned(), |x| x.to_string());
    let yes = |b: bool| if b { "Ja" } else { "Nej" };
    let rows: Vec<DrillRowView> = if d.kpi == "AVV-6V" {
        d.deviations
            .iter()
            .map(|x| DrillRowView {
                case: x.deviation.to_string(),
                child: String::new(),
                unit: x.unit.to_string(),
                received_on: x.reported_on.to_string(),
                date: x.reported_on.to_string(),
                days: String::new(),
                numerator: yes(x.numerator),
                count: 1,
            })
            .collect()
    } else {
        d.cases
            .iter()
            .map(|x| DrillRowView {
                case: x.case.to_string(),
                child: x.child.name.clone(),
                unit: x.unit.clone(),
                received_on: x.received_on.to_string(),
                date: x.date.to_string(),
                days: x.days.map(|d| d.to_string()).unwrap_or_default(),
                numerator: yes(x.numerator),
                count: x.count,
            })
            .collect()
    };
    let mut base = format!("kpi={}&period={}&enhet={}", d.kpi, d.period, d.unit);
    if let Some(k) = q.kon.as_deref().filter(|k| !k.is_empty()) {
        base.push_str(&format!("&kon={}", urlencoding(k)));
    }
    if let Some(a) = q.alder.as_deref().filter(|a| !a.is_empty()) {
        base.push_str(&format!("&alder={}", urlencoding(a)));
    }
    let breakdown =
        if d.sex == "totalt" && d.age == "alla åldrar" { String::new() } else { format!("{}, {}", d.sex, d.age) };
    let page = DrillPage {
        chrome: Some(Chrome::of(&s)),
        caption: format!(
            "{} bakom {} {}, {}, {}",
            if d.kpi == "AVV-6V" { "Avvikelser" } else { "Ärenden" },
            if numerator_only { "täljaren för" } else { "värdet" },
            d.kpi,
            d.period_label,
            d.unit_name
        ),
        back: format!("/styrkort?period={}&enhet={}", d.period, d.unit),
        has_days: rows.iter().any(|r| !r.days.is_empty()),
        counted_more: rows.iter().any(|r| r.count > 1),
        deviations: d.kpi == "AVV-6V",
        kpi: d.kpi,
        name: d.name,
        definition: d.definition,
        numerator_text: d.numerator_text,
        denominator_text: d.denominator_text,
        period_date: d.period_date,
        period_label: d.period_label,
        unit_name: d.unit_name,
        breakdown,
        value,
        numerator: n(d.numerator),
        denominator: n(d.denominator),
        numerator_only,
        base,
        rows,
        left_out: d.left_out,
        as_at: local_time(d.as_at),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Percent-encodes a query value (the breakdown's words are letters, digits and '-').
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
