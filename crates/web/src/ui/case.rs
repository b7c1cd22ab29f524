//! Ärende: the case page (timeline from the journal, deadlines, only the acts the case's
//! state, the role, qualification and delegation allow now) and its forms.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::clock::DeadlineKind;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::events::{
    ChildView, EarlierKnowledge, ExceptionalReasonKind, LateReason, PreliminaryAssessmentDecided, PreliminaryOutcome,
    ProtectionAssessmentRecorded,
};
use skyndsam_domain::ids::CaseId;
use skyndsam_domain::org::Role;

use super::intake::{CHANNELS, KINDS, REASONS, REPORTERS};
use super::pages::{local_instant, local_time, parse_date, parse_time, render, required, send, state_class, yes_no};
use super::pages::{Chrome, FormState};
use super::session::{Session, SessionForm, UiError};
use crate::error::ApiError;
use crate::routes::{parse_case, read_case, writable};
use crate::views::CaseDetail;

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
pub(super) struct CasePage {
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
    /// First contact, a part of the investigation, the decision.
    inv: super::investigation::InvestigationForms,
    /// The case's detections and reporting a deviation linked to it.
    quality: super::quality::CaseQuality,
    /// The self-inspection checklist (ui/checklist.rs).
    checklist: Vec<super::checklist::ChecklistRow>,
}

/// A form sent back with its errors.
pub enum Sent {
    None,
    Protection(FormState),
    Preliminary(FormState),
    Contact(FormState),
    Part(FormState),
    Decision(FormState),
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
        "actualisation" | "case" | "child" | "person" | "report_case" | "investigation_case" | "data"
        | "submission" => return None,
        "after_hours" => "Efter kontorstid",
        "channel" => "Kanal",
        "kind" if path.contains("interventions") || path.starts_with("granted") => "Insats",
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
        "part" => "Del",
        "contact_on" => "Kontaktdatum",
        "with_whom" => "Med vem",
        "colour" => "Triagefärg",
        "opened_on" => "Inledd",
        "basis" => "Grund",
        "family_invited" => "Familjen inbjuden",
        "family_took_part" => "Familjen deltog",
        "from" => "Från",
        "to" => "Till",
        "long_term_care" => "Stadigvarande vård och fostran",
        "started_on" => "Påbörjad",
        "intervention" => return None,
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
        ("grant_intervention", "Bevilja insats"),
        ("close_without_intervention", "Avsluta utan insats"),
        ("refuse", "Avslag"),
        ("lvu_application", "Ansökan om vård enligt LVU"),
        ("transfer_to_municipality", "Överflyttning till annan kommun"),
        ("red", "Röd"),
        ("yellow", "Gul"),
        ("green", "Grön"),
        ("preliminary_assessment", "Förhandsbedömning"),
    ];
    let tables2: [&[(&str, &str)]; 2] = [super::investigation::PARTS, super::investigation::INTERVENTIONS];
    v.split(", ")
        .map(|part| {
            tables
                .iter()
                .chain(tables2.iter())
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
        V::Array(a) if a.iter().any(|x| x.is_object()) => {
            for x in a {
                flatten(prefix, x, out);
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
    let sent = match (protection_form, preliminary_form) {
        (Some(f), _) => Sent::Protection(f),
        (None, Some(f)) => Sent::Preliminary(f),
        (None, None) => Sent::None,
    };
    case_view_with(s, case, sent).await
}

/// The case page as the caller may see it (a logged read), with `sent` shown with its errors.
pub(super) async fn case_view_with(s: &Session, case: CaseId, sent: Sent) -> Result<CasePage, UiError> {
    let (protection_form, preliminary_form, inv_sent) = match sent {
        Sent::Protection(f) => (Some(f), None, None),
        Sent::Preliminary(f) => (None, Some(f), None),
        other @ (Sent::Contact(_) | Sent::Part(_) | Sent::Decision(_)) => (None, None, Some(other)),
        Sent::None => (None, None, None),
    };
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
    let inv = {
        let p = s.ctx.app.store.projections();
        let full = detail.summary.view == "full" || detail.summary.view == "masked";
        match p.case(&case) {
            Some(c) => super::investigation::forms(c, p.rules(), &s.ctx.actor, full, inv_sent),
            None => Default::default(),
        }
    };
    let checklist = super::checklist::checklist(s, case).await;
    let sm = &detail.summary;
    Ok(CasePage {
        inv,
        checklist,
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
