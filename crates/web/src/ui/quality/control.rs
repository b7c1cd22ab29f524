//! Internkontroll: the risk register (probability × consequence = risk value, its level),
//! the year's control plan with its moments, owners and dates, the results, measures and
//! the report to the board.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::quality::commands::{ControlPlanCommand as P, RiskCommand as R};
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::Matter;

use super::deviation::{measures, MeasureRow};
use super::*;
use crate::quality::views::{risk_view, MatterKind};
use crate::quality::{AdoptControlPlanRequest, Built, RegisterRiskRequest, PLAN_ROLES, RISK_ROLES};
use crate::ui::pages::{Chrome, FormState};
use crate::ui::session::{Session, SessionForm, UiError};

pub struct RiskRow {
    pub link: String,
    pub title: String,
    pub process: String,
    pub unit: String,
    pub score: String,
    pub value: u8,
    pub level: String,
    pub retired: bool,
}

pub struct PlanRow {
    pub link: String,
    pub year: i32,
    pub adopted_on: String,
    pub reference: String,
    pub moments: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "quality_control.html")]
struct ControlPage {
    chrome: Option<Chrome>,
    csrf: String,
    risks: Vec<RiskRow>,
    plans: Vec<PlanRow>,
    may_register: bool,
    may_adopt: bool,
    risk_form: FormState,
    plan_form: FormState,
    units: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    probabilities: Vec<(String, String)>,
}

fn control_page(s: &Session, risk_form: FormState, plan_form: FormState) -> ControlPage {
    let ctx = &s.ctx;
    let p = ctx.app.store.projections();
    let q = &p.rules().quality;
    let mut risks = Vec::new();
    let mut plans = Vec::new();
    for (m, _) in ctx.scope.matters(&p) {
        match m {
            Matter::Risk(r) => {
                let v = risk_view(r, q);
                risks.push(RiskRow {
                    link: format!("/internkontroll/risker/{}", v.id),
                    title: v.title,
                    process: v.process,
                    unit: v.unit.as_ref().map(|u| unit_name(&p.org, u)).unwrap_or_else(|| "Hela förvaltningen".into()),
                    score: format!("{} × {}", r.score.probability, r.score.severity),
                    value: v.value,
                    level: v.level_sv,
                    retired: r.retired_on.is_some(),
                });
            }
            Matter::ControlPlan(pl) => {
                let done = pl.moments.iter().filter(|x| x.result_on.is_some()).count();
                plans.push(PlanRow {
                    link: format!("/internkontroll/planer/{}", pl.id),
                    year: pl.year,
                    adopted_on: pl.adopted_on.to_string(),
                    reference: pl.board_reference.clone(),
                    moments: format!("{done} av {} med resultat", pl.moments.len()),
                    status: if pl.reported_on.is_some() { "Rapporterad till nämnden" } else { "Pågår" }.into(),
                });
            }
            _ => {}
        }
    }
    risks.sort_by(|a, b| a.retired.cmp(&b.retired).then(b.value.cmp(&a.value)).then_with(|| a.title.cmp(&b.title)));
    plans.sort_by_key(|p| std::cmp::Reverse(p.year));
    drop(p);
    ControlPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        risks,
        plans,
        may_register: RISK_ROLES.contains(&ctx.actor.role),
        may_adopt: PLAN_ROLES.contains(&ctx.actor.role),
        risk_form,
        plan_form,
        units: unit_options(s),
        severities: severity_options(s),
        probabilities: probability_options(s),
    }
}

pub async fn overview(s: Session) -> Result<Response, UiError> {
    let year = chrono::Datelike::year(&local_date(s.ctx.now)).to_string();
    let plan = prefilled(&[("year", year), ("adopted_on", local_date(s.ctx.now).to_string())]);
    Ok(render(StatusCode::OK, &control_page(&s, FormState::default(), plan)))
}

pub async fn register_risk(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = form_of(f.fields);
    let title = required(&mut form, "title", "Ange risken.");
    let description = required(&mut form, "description", "Beskriv risken.");
    let process = required(&mut form, "process", "Ange processen eller området.");
    let unit = match form.value("unit").trim() {
        "" => Some(None),
        _ => super::unit(&mut form, "unit", "Välj en enhet.").map(Some),
    };
    let score = risk(&mut form, true);
    if let (true, Some(title), Some(description), Some(process), Some(unit), Some(Some(score))) =
        (form.errors.is_empty(), title, description, process, unit, score)
    {
        let req = RegisterRiskRequest { title, description, process, unit, score };
        match crate::quality::register_risk(&s.ctx, req).await {
            Ok(c) => return Ok(see_other(&format!("/internkontroll/risker/{}", c.id))),
            Err(e) => refusal(&mut form, e, "title")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &control_page(&s, form, FormState::default())))
}

pub async fn adopt_plan(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = form_of(f.fields);
    let year = form.value("year").trim().parse::<i32>().ok();
    if year.is_none() {
        add(&mut form, "year", "Ange planens år, till exempel 2026.");
    }
    let adopted_on = date(&mut form, "adopted_on", "när nämnden antog planen");
    let board_reference = required(&mut form, "board_reference", "Ange nämndens beslut (paragraf).");
    if let (true, Some(year), Some(adopted_on), Some(board_reference)) =
        (form.errors.is_empty(), year, adopted_on, board_reference)
    {
        let req = AdoptControlPlanRequest { year, adopted_on, board_reference, moments: Vec::new() };
        match crate::quality::adopt_plan(&s.ctx, req).await {
            Ok(c) => return Ok(see_other(&format!("/internkontroll/planer/{}", c.id))),
            Err(e) => refusal(&mut form, e, "board_reference")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &control_page(&s, FormState::default(), form)))
}

// ------------------------------------------------------------------ a risk

#[derive(Template)]
#[template(path = "quality_risk.html")]
struct RiskPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    version: u32,
    facts: Vec<(String, String)>,
    timeline: Vec<EntryRow>,
    change: bool,
    active: Option<(String, FormState)>,
    severities: Vec<(String, String)>,
    probabilities: Vec<(String, String)>,
}

impl RiskPage {
    fn form(&self, action: &str) -> FormState {
        match &self.active {
            Some((a, f)) if a == action => f.clone(),
            _ => FormState::default(),
        }
    }
}

async fn risk_of(s: &Session, id: &str, active: Option<(String, FormState)>) -> Result<RiskPage, UiError> {
    let read = read(s, MatterKind::Risk, id).await?;
    let Some(Matter::Risk(r)) = matter_of(s, MatterKind::Risk, id, |m| Some(m.clone())) else {
        return Err(UiError::not_found());
    };
    let p = s.ctx.app.store.projections();
    let q = &p.rules().quality;
    let v = risk_view(&r, q);
    let mut facts = vec![
        ("Risk".to_owned(), v.title),
        ("Process".to_owned(), v.process),
        (
            "Enhet".to_owned(),
            v.unit.as_ref().map(|u| unit_name(&p.org, u)).unwrap_or_else(|| "Hela förvaltningen".into()),
        ),
        (
            "Sannolikhet".to_owned(),
            format!("{} ({})", r.score.probability, q.risk_matrix.probability_label(r.score.probability)),
        ),
        ("Konsekvens".to_owned(), format!("{} ({})", r.score.severity, q.risk_matrix.severity_label(r.score.severity))),
        ("Riskvärde".to_owned(), format!("{} ({})", v.value, v.level_sv)),
        ("Senast bedömd".to_owned(), r.assessed_on.to_string()),
    ];
    if let Some(d) = r.retired_on {
        facts.push(("Avförd".into(), d.to_string()));
    }
    drop(p);
    Ok(RiskPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        id: id.to_owned(),
        version: r.version,
        facts,
        timeline: read.timeline,
        change: r.retired_on.is_none() && RISK_ROLES.contains(&s.ctx.actor.role),
        active,
        severities: severity_options(s),
        probabilities: probability_options(s),
    })
}

pub async fn risk_page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let page = risk_of(&s, &id, None).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn risk_act(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    writable(&s, MatterKind::Risk, &id).await?;
    let mut form = form_of(f.fields);
    let action = form.value("atgard").to_owned();
    let built = match action.as_str() {
        "omvardering" => {
            let score = risk(&mut form, true);
            let comment = required(&mut form, "comment", "Kommentera omvärderingen.");
            match (score, comment) {
                (Some(Some(score)), Some(comment)) => Some(R::Reassess(RiskReassessed { score, comment })),
                _ => None,
            }
        }
        "avford" => required(&mut form, "reason", "Ange skälet.").map(|reason| R::Retire(RiskRetired { reason })),
        _ => {
            add(&mut form, "atgard", "Okänd åtgärd. Ladda om sidan och försök igen.");
            None
        }
    };
    if let (true, Some(cmd)) = (form.errors.is_empty(), built) {
        let fb = if action == "avford" { "reason" } else { "comment" };
        if send(&s, MatterKind::Risk, &id, &mut form, Built::Risk(cmd), fb).await?.is_some() {
            return Ok(see_other(&format!("/internkontroll/risker/{id}")));
        }
    }
    let page = risk_of(&s, &id, Some((action, form))).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ------------------------------------------------------------------ a control plan

pub struct MomentRow {
    pub number: u32,
    pub risk: String,
    pub control: String,
    pub method: String,
    pub owner: String,
    pub due: String,
    pub result: String,
    pub remarks: String,
}

#[derive(Template)]
#[template(path = "quality_plan.html")]
struct PlanPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    version: u32,
    facts: Vec<(String, String)>,
    moments: Vec<MomentRow>,
    measures: Vec<MeasureRow>,
    clocks: Vec<ClockRow>,
    timeline: Vec<EntryRow>,
    plan: bool,
    recordable: Vec<(String, String)>,
    completable: Vec<(String, String)>,
    report: bool,
    active: Option<(String, FormState)>,
    risks: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    today: String,
}

impl PlanPage {
    fn form(&self, action: &str) -> FormState {
        match &self.active {
            Some((a, f)) if a == action => f.clone(),
            _ => match action {
                "resultat" | "rapport" => prefilled(&[("on", self.today.clone())]),
                "atgard-klar" => prefilled(&[("completed_on", self.today.clone())]),
                _ => FormState::default(),
            },
        }
    }
}

async fn plan_of(s: &Session, id: &str, active: Option<(String, FormState)>) -> Result<PlanPage, UiError> {
    let read = read(s, MatterKind::ControlPlan, id).await?;
    let Some(Matter::ControlPlan(pl)) = matter_of(s, MatterKind::ControlPlan, id, |m| Some(m.clone())) else {
        return Err(UiError::not_found());
    };
    let p = s.ctx.app.store.projections();
    let me = &s.ctx.actor.staff;
    let planner = PLAN_ROLES.contains(&s.ctx.actor.role);
    let risk_title = |r: &skyndsam_domain::ids::RiskId| match p.matter(&r.stream()) {
        Some(Matter::Risk(x)) => x.title.clone(),
        _ => r.to_string(),
    };
    let moments = pl
        .moments
        .iter()
        .map(|m| MomentRow {
            number: m.moment.moment,
            risk: risk_title(&m.moment.risk),
            control: m.moment.control.clone(),
            method: m.moment.method.clone(),
            owner: staff_name(&p.org, &m.moment.owner),
            due: m.moment.due.to_string(),
            result: m.result_on.map(|d| d.to_string()).unwrap_or_else(|| "Inget ännu".into()),
            remarks: match m.remarks {
                Some(true) => "Ja".into(),
                Some(false) => "Nej".into(),
                None => "–".into(),
            },
        })
        .collect();
    let recordable = pl
        .moments
        .iter()
        .filter(|m| planner || &m.moment.owner == me)
        .map(|m| (m.moment.moment.to_string(), format!("Moment {}: {}", m.moment.moment, m.moment.control)))
        .collect();
    let completable = pl
        .measures
        .iter()
        .filter(|m| m.completed_on.is_none() && (planner || &m.owner == me))
        .map(|m| (m.measure.to_string(), format!("Åtgärd {}", m.measure)))
        .collect();
    let mut risks: Vec<(String, String)> = p
        .matters()
        .filter_map(|m| match m {
            Matter::Risk(r) if r.retired_on.is_none() => Some((r.id.to_string(), r.title.clone())),
            _ => None,
        })
        .collect();
    risks.sort_by(|a, b| a.1.cmp(&b.1));
    let facts = vec![
        ("År".to_owned(), pl.year.to_string()),
        ("Antagen".to_owned(), pl.adopted_on.to_string()),
        ("Nämndens beslut".to_owned(), pl.board_reference.clone()),
        ("Rapporterad till nämnden".to_owned(), pl.reported_on.map(|d| d.to_string()).unwrap_or_else(|| "Nej".into())),
    ];
    drop(p);
    let measures = measures(s, &read, &pl.measures);
    let open = pl.reported_on.is_none();
    Ok(PlanPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        id: id.to_owned(),
        version: pl.version,
        facts,
        moments,
        measures,
        clocks: read.clocks,
        timeline: read.timeline,
        plan: planner && open,
        recordable: if open { recordable } else { Vec::new() },
        completable,
        report: planner && open,
        active,
        risks,
        staff: staff_options(s),
        today: local_date(s.ctx.now).to_string(),
    })
}

pub async fn plan_page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let page = plan_of(&s, &id, None).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn plan_act(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    writable(&s, MatterKind::ControlPlan, &id).await?;
    let mut form = form_of(f.fields);
    let action = form.value("atgard").to_owned();
    let built = match action.as_str() {
        "moment" => {
            let risk = match skyndsam_domain::ids::RiskId::parse(form.value("risk").trim()) {
                Ok(r) => Some(r),
                Err(_) => {
                    add(&mut form, "risk", "Välj risken i riskregistret.");
                    None
                }
            };
            let control = required(&mut form, "control", "Ange vad som kontrolleras.");
            let method = required(&mut form, "method", "Ange hur (stickprov, genomgång, statistik …).");
            let owner = staff(&mut form, "owner", "Välj vem som ansvarar.");
            let due = date(&mut form, "due", "när kontrollen ska vara gjord");
            match (risk, control, method, owner, due) {
                (Some(risk), Some(control), Some(method), Some(owner), Some(due)) => {
                    Some(P::AddMoment(ControlMomentAdded {
                        moment: ControlMoment { moment: 0, risk, control, method, owner, due },
                    }))
                }
                _ => None,
            }
        }
        "resultat" => {
            let moment = form.value("moment").parse::<u32>().ok();
            if moment.is_none() {
                add(&mut form, "moment", "Välj kontrollmomentet.");
            }
            let on = date(&mut form, "on", "när kontrollen gjordes");
            let result = required(&mut form, "result", "Beskriv resultatet.");
            let remarks = yes_no(&mut form, "remarks", "Ange om kontrollen gav anmärkningar.");
            match (moment, on, result, remarks) {
                (Some(moment), Some(on), Some(result), Some(remarks)) => {
                    Some(P::RecordResult(ControlResultRecorded { moment, on, result, remarks }))
                }
                _ => None,
            }
        }
        "atgard" => {
            let description = required(&mut form, "description", "Beskriv åtgärden.");
            let owner = staff(&mut form, "owner", "Välj vem som ansvarar för åtgärden.");
            let due = date(&mut form, "due", "när åtgärden ska vara genomförd");
            match (description, owner, due) {
                (Some(description), Some(owner), Some(due)) => {
                    Some(P::DecideMeasure(MeasureDecided { measure: 0, description, owner, due }))
                }
                _ => None,
            }
        }
        "atgard-klar" => {
            let measure = form.value("measure").parse::<u32>().ok();
            if measure.is_none() {
                add(&mut form, "measure", "Välj åtgärden.");
            }
            let on = date(&mut form, "completed_on", "när åtgärden genomfördes");
            match (measure, on) {
                (Some(measure), Some(completed_on)) => {
                    Some(P::CompleteMeasure(MeasureCompleted { measure, completed_on, comment: None }))
                }
                _ => None,
            }
        }
        "rapport" => {
            let on = date(&mut form, "on", "datum för rapporten");
            let text = required(&mut form, "text", "Skriv rapporten till nämnden.");
            match (on, text) {
                (Some(on), Some(text)) => Some(P::SubmitReport(ControlReportSubmitted { on, text })),
                _ => None,
            }
        }
        _ => {
            add(&mut form, "atgard", "Okänd åtgärd. Ladda om sidan och försök igen.");
            None
        }
    };
    if let (true, Some(cmd)) = (form.errors.is_empty(), built) {
        let fb = match action.as_str() {
            "moment" => "control",
            "resultat" => "result",
            "atgard" => "description",
            "atgard-klar" => "measure",
            _ => "text",
        };
        if send(&s, MatterKind::ControlPlan, &id, &mut form, Built::ControlPlan(cmd), fb).await?.is_some() {
            return Ok(see_other(&format!("/internkontroll/planer/{id}")));
        }
    }
    let page = plan_of(&s, &id, Some((action, form))).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
