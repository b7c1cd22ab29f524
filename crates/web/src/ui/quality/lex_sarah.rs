//! Lex Sarah: the list, the report form, the matter's page (the investigation structured
//! after SKR's template, the classification, the report to IVO with its clock, measures,
//! closing) and "Anmälan till IVO" as a printable page.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::quality::commands::LexSarahCommand as L;
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::Matter;

use super::deviation::{fallback, initial, linked_case, matter_command, measures, new_page, MeasureRow, NewQuery};
use super::*;
use crate::quality::views::MatterKind;
use crate::quality::{Built, ReportLexSarahRequest};
use crate::ui::pages::{Chrome, FormState};
use crate::ui::session::{Session, SessionForm, UiError};

const KIND: MatterKind = MatterKind::LexSarah;

pub async fn list(s: Session, Query(q): Query<ListQuery>) -> Result<Response, UiError> {
    Ok(list_page(&s, KIND, q))
}

pub async fn new_form(s: Session, Query(q): Query<NewQuery>) -> Result<Response, UiError> {
    let case = linked_case(&s, q.arende.as_deref()).await?;
    let form = initial(&s, case);
    Ok(render(StatusCode::OK, &new_page(&s, "lex_sarah", form, case)))
}

pub async fn report(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let case = linked_case(&s, Some(f.fields.get("case"))).await?;
    let mut form = form_of(f.fields);
    let unit = unit(&mut form, "unit", "Välj den enhet det gäller.");
    let occurred_on = date(&mut form, "occurred_on", "när det inträffade");
    let description = required(&mut form, "description", "Beskriv missförhållandet eller risken.");
    let risk = risk(&mut form, false);
    if let (true, Some(unit), Some(occurred_on), Some(description), Some(risk)) =
        (form.errors.is_empty(), unit, occurred_on, description, risk)
    {
        let req = ReportLexSarahRequest {
            unit,
            assignee: None,
            occurred_on,
            case,
            description,
            immediate_action: form.values.opt("immediate_action"),
            risk,
        };
        match crate::quality::report_lex_sarah(&s.ctx, req).await {
            Ok(c) => return Ok(see_other(&format!("/lex-sarah/{}", c.id))),
            Err(e) => refusal(&mut form, e, "description")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&s, "lex_sarah", form, case)))
}

#[derive(Template)]
#[template(path = "quality_lex_sarah.html")]
struct LexSarahPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    version: u32,
    full: bool,
    facts: Vec<(String, String)>,
    case_link: Option<String>,
    from_deviation: Option<String>,
    ivo_due: Option<String>,
    clocks: Vec<ClockRow>,
    measures: Vec<MeasureRow>,
    timeline: Vec<EntryRow>,
    investigate: bool,
    classify: bool,
    report_ivo: bool,
    close: bool,
    decide: bool,
    follow_up: bool,
    note: bool,
    completable: Vec<(String, String)>,
    active: Option<(String, FormState)>,
    classifications: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    effects: Vec<(String, String)>,
    today: String,
}

impl LexSarahPage {
    fn form(&self, action: &str) -> FormState {
        match &self.active {
            Some((a, f)) if a == action => f.clone(),
            _ => match action {
                "bedomning" => prefilled(&[("decided_on", self.today.clone())]),
                "ivo" => prefilled(&[("sent_on", self.today.clone())]),
                "atgard-klar" => prefilled(&[("completed_on", self.today.clone())]),
                _ => FormState::default(),
            },
        }
    }
}

fn classifications() -> Vec<(String, String)> {
    options(&LexSarahClassification::ALL, LexSarahClassification::label_sv)
}

async fn page_of(s: &Session, id: &str, active: Option<(String, FormState)>) -> Result<LexSarahPage, UiError> {
    let read = read(s, KIND, id).await?;
    let Some(Matter::LexSarah(l)) = matter_of(s, KIND, id, |m| Some(m.clone())) else {
        return Err(UiError::not_found());
    };
    let p = s.ctx.app.store.projections();
    let q = &p.rules().quality;
    let h = &l.handling;
    let me = &s.ctx.actor.staff;
    let mut facts = vec![
        ("Status".to_owned(), read.detail.status_sv.clone()),
        ("Enhet".to_owned(), unit_name(&p.org, &h.unit)),
        ("Inträffade".to_owned(), l.occurred_on.to_string()),
        ("Rapporterad".to_owned(), format!("{} av {}", h.reported_on, staff_name(&p.org, &h.reported_by))),
        (
            "Utreds av".to_owned(),
            h.assignee.as_ref().map(|a| staff_name(&p.org, a)).unwrap_or_else(|| "Ingen utsedd".into()),
        ),
        (
            "Bedömning".to_owned(),
            l.classification.map(|c| c.label_sv().to_owned()).unwrap_or_else(|| "Inte bedömd".into()),
        ),
    ];
    if let Some(r) = l.risk {
        facts.push(("Riskbedömning".into(), format!("{} × {} = {}", r.severity, r.probability, r.value())));
    }
    if let Some(d) = l.ivo_reported_on {
        facts.push(("Anmäld till IVO".into(), d.to_string()));
    }
    let open = h.locked_on.is_none();
    let full = read.full;
    let handler = full && handles(s, &h.unit, h.assignee.as_ref(), &q.lex_sarah.investigator_roles);
    let decider = full
        && q.lex_sarah.decision_roles.contains(&s.ctx.actor.role)
        && skyndsam_domain::quality::commands::covers(&p.org, s.ctx.actor.unit.as_ref(), &h.unit);
    let completable = h
        .open_measures()
        .filter(|m| full && (&m.owner == me || handler))
        .map(|m| (m.measure.to_string(), format!("Åtgärd {}", m.measure)))
        .collect();
    let ivo_due = read
        .detail
        .deadlines
        .iter()
        .find(|d| d.kind == skyndsam_domain::quality::QualityDeadlineKind::IvoReport)
        .map(|d| format!("{} ({})", d.last_day, d.state_sv));
    drop(p);
    let measures = measures(s, &read, &h.measures);
    let note = full && (h.involves(me) || handler || s.ctx.actor.role == skyndsam_domain::org::Role::QualityDeveloper);
    Ok(LexSarahPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        id: id.to_owned(),
        version: h.version,
        full,
        facts,
        case_link: h.case.map(|c| format!("/arenden/{c}")),
        from_deviation: l.from_deviation.map(|d| d.to_string()),
        ivo_due,
        clocks: read.clocks,
        measures,
        timeline: read.timeline,
        investigate: open && handler,
        classify: open && decider && l.investigated_on.is_some() && l.ivo_reported_on.is_none(),
        report_ivo: open
            && decider
            && l.ivo_reported_on.is_none()
            && l.classification.is_none_or(|c| c.must_report_to_ivo()),
        close: open && (decider || handler),
        decide: open && handler,
        follow_up: handler && !h.measures.is_empty(),
        note,
        completable,
        active,
        classifications: classifications(),
        staff: staff_options(s),
        effects: super::deviation::effects(),
        today: local_date(s.ctx.now).to_string(),
    })
}

pub async fn page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let page = page_of(&s, &id, None).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn act(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    writable(&s, KIND, &id).await?;
    let mut form = form_of(f.fields);
    let action = form.value("atgard").to_owned();
    let built: Option<L> = if let Some(m) = matter_command(&mut form, &action) {
        m.map(L::Matter)
    } else {
        match action.as_str() {
            "utredning" => {
                let mut get = |f: &str, m: &str| required(&mut form, f, m);
                let course_of_events = get("course_of_events", "Beskriv händelseförloppet.");
                let consequences = get("consequences", "Beskriv konsekvenserna för den enskilde.");
                let causes = get("causes", "Beskriv orsakerna.");
                let immediate_measures = get("immediate_measures", "Beskriv de omedelbara åtgärderna.");
                let users_view = get("users_view", "Beskriv den enskildes synpunkter, eller varför de saknas.");
                let staff_view = get("staff_view", "Beskriv personalens synpunkter.");
                let analysis = get("analysis", "Skriv analysen och bedömningen.");
                match (course_of_events, consequences, causes, immediate_measures, users_view, staff_view, analysis) {
                    (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f), Some(g)) => {
                        Some(L::Investigate(LexSarahInvestigated {
                            course_of_events: a,
                            consequences: b,
                            causes: c,
                            immediate_measures: d,
                            users_view: e,
                            staff_view: f,
                            analysis: g,
                        }))
                    }
                    _ => None,
                }
            }
            "bedomning" => {
                let c: Option<LexSarahClassification> =
                    choice(&mut form, "classification", &classifications(), "Välj en bedömning.");
                let motivation = required(&mut form, "motivation", "Motivera bedömningen.");
                let decided_on = date(&mut form, "decided_on", "beslutsdatum");
                match (c, motivation, decided_on) {
                    (Some(classification), Some(motivation), Some(decided_on)) => {
                        Some(L::Classify(LexSarahClassified { classification, motivation, decided_on }))
                    }
                    _ => None,
                }
            }
            "ivo" => {
                let sent_on = date(&mut form, "sent_on", "när anmälan skickades");
                let summary = required(&mut form, "summary", "Sammanfatta anmälan.");
                match (sent_on, summary) {
                    (Some(sent_on), Some(summary)) => Some(L::ReportToIvo(LexSarahReportedToIvo {
                        sent_on,
                        ivo_reference: form.values.opt("ivo_reference"),
                        summary,
                    })),
                    _ => None,
                }
            }
            "avsluta" => required(&mut form, "summary", "Skriv en sammanfattning.")
                .map(|summary| L::Close(MatterLocked { summary })),
            _ => {
                add(&mut form, "atgard", "Okänd åtgärd. Ladda om sidan och försök igen.");
                None
            }
        }
    };
    if let (true, Some(cmd)) = (form.errors.is_empty(), built) {
        let fb = match action.as_str() {
            "utredning" => "course_of_events",
            "bedomning" => "classification",
            "ivo" => "sent_on",
            "avsluta" => "summary",
            other => fallback(other),
        };
        if send(&s, KIND, &id, &mut form, Built::LexSarah(cmd), fb).await?.is_some() {
            return Ok(see_other(&format!("/lex-sarah/{id}#tidslinje")));
        }
    }
    let page = page_of(&s, &id, Some((action, form))).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ------------------------------------------------------------------ Anmälan till IVO (printable)

#[derive(Template)]
#[template(path = "quality_ivo.html")]
struct IvoPage {
    chrome: Option<Chrome>,
    id: String,
    municipality_unit: String,
    unit: String,
    occurred_on: String,
    reported_on: String,
    contact: String,
    classification: String,
    classified_on: String,
    motivation: String,
    report: Vec<(String, String)>,
    investigation: Vec<(String, String)>,
    measures: Vec<MeasureRow>,
    sent: Option<String>,
    ivo_due: Option<String>,
    citation: String,
}

/// Anmälan till IVO: what the report contains, on one printable page (a read of the matter,
/// logged like the page; the pseudonymised view has no text to print and is refused).
pub async fn ivo(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let read = read(&s, KIND, &id).await?;
    if !read.full {
        return Err(UiError::Page {
            status: StatusCode::FORBIDDEN,
            message: "Du har inte behörighet till den här sidan.".into(),
        });
    }
    let Some(Matter::LexSarah(l)) = matter_of(&s, KIND, &id, |m| Some(m.clone())) else {
        return Err(UiError::not_found());
    };
    let p = s.ctx.app.store.projections();
    let q = &p.rules().quality;
    let root = p.org.units.values().find(|u| u.parent.is_none()).map(|u| u.name.clone()).unwrap_or_default();
    let fields_of = |kind: &str| -> Vec<(String, String)> {
        read.detail
            .timeline
            .iter()
            .rfind(|e| e.kind == kind)
            .map(|e| e.fields.iter().map(|f| (f.label.clone(), f.value.clone())).collect())
            .unwrap_or_default()
    };
    let classified = fields_of("lex_sarah_classified");
    let motivation = classified.iter().find(|(k, _)| k == "Motivering").map(|(_, v)| v.clone()).unwrap_or_default();
    let page = IvoPage {
        chrome: Some(chrome(&s)),
        id: id.clone(),
        municipality_unit: root,
        unit: unit_name(&p.org, &l.handling.unit),
        occurred_on: l.occurred_on.to_string(),
        reported_on: l.handling.reported_on.to_string(),
        contact: l.handling.assignee.as_ref().map(|a| staff_name(&p.org, a)).unwrap_or_default(),
        classification: l.classification.map(|c| c.label_sv().to_owned()).unwrap_or_else(|| "Inte bedömd".into()),
        classified_on: l.classified_on.map(|d| d.to_string()).unwrap_or_default(),
        motivation,
        report: fields_of("lex_sarah_reported"),
        investigation: fields_of("lex_sarah_investigated"),
        measures: Vec::new(),
        sent: l.ivo_reported_on.map(|d| d.to_string()),
        ivo_due: read
            .detail
            .deadlines
            .iter()
            .find(|d| d.kind == skyndsam_domain::quality::QualityDeadlineKind::IvoReport)
            .map(|d| format!("{} ({})", d.last_day, d.state_sv)),
        citation: q.lex_sarah.citation_old.clone(),
    };
    drop(p);
    let page = IvoPage { measures: measures(&s, &read, &l.handling.measures), ..page };
    Ok(render(StatusCode::OK, &page))
}
