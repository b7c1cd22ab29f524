//! The case page's investigation forms: first contact, a documented part of the
//! investigation (BBIC: plan, facts, needs, …) and the decision that ends it — each offered
//! only when the case's state, the role, qualification (3 kap. 3 a § SoL) and the delegation
//! order allow it now; the domain judges each act again when it is sent.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use skyndsam_domain::case::CaseState;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::events::{
    FirstContactRecorded, GrantedIntervention, InterventionKind, InvestigationDecided, InvestigationOutcome,
    InvestigationPart, InvestigationPartRecorded,
};
use skyndsam_domain::ids::InterventionId;
use skyndsam_domain::org::{Actor, Role};
use skyndsam_domain::rules::{DecisionType, QualifiedStep, RuleTable};

use super::case::{case_view_with, Sent};
use super::pages::{parse_date, render, required, send, yes_no, FormState};
use super::session::SessionForm;
use super::session::UiError;
use crate::routes::{parse_case, writable};

/// The documented parts offered (value, label): free text, plus the plan's two answers.
pub const PARTS: &[(&str, &str)] = &[
    ("plan", "Utredningsplan"),
    ("facts", "Faktiska omständigheter"),
    ("needs_assessment", "Bedömning av behov"),
    ("own_capacity_assessment", "Bedömning av den egna förmågan"),
    ("proposed_goals", "Mål för föreslagen insats"),
    ("conduct", "Hur utredningen genomförts"),
];

/// Outcomes of an investigation an official may decide (value, label, decision type). LVU
/// and long-term care are the board's (recorded as the board's decision, not offered here).
const OUTCOMES: &[(&str, &str, DecisionType)] = &[
    ("grant_intervention", "Bevilja insats", DecisionType::GrantIntervention),
    ("grant_placement", "Bevilja placering (ej stadigvarande)", DecisionType::GrantPlacement),
    ("close_without_intervention", "Avsluta utredningen utan insats", DecisionType::CloseWithoutIntervention),
    ("refuse", "Avslag", DecisionType::Refuse),
];

pub const INTERVENTIONS: &[(&str, &str)] = &[
    ("contact_family", "Kontaktfamilj"),
    ("contact_person", "Kontaktperson"),
    ("family_treatment", "Familjebehandling"),
    ("open_care", "Öppenvårdsinsats"),
    ("foster_home", "Familjehem"),
    ("emergency_home", "Jourhem"),
    ("institution", "HVB"),
    ("supported_housing", "Stödboende"),
];

/// The investigation forms the caller may use on this case now.
#[derive(Debug, Default)]
pub struct InvestigationForms {
    pub contact: Option<FormState>,
    pub part: Option<FormState>,
    pub decision: Option<FormState>,
    /// The outcomes the caller may decide (value, label).
    pub outcomes: Vec<(&'static str, &'static str)>,
    pub parts: &'static [(&'static str, &'static str)],
    pub interventions: &'static [(&'static str, &'static str)],
}

/// What the case's state, the role, qualification and the delegation order allow.
pub fn forms(c: &CaseState, rules: &RuleTable, actor: &Actor, full: bool, sent: Option<Sent>) -> InvestigationForms {
    let mut f = InvestigationForms { parts: PARTS, interventions: INTERVENTIONS, ..Default::default() };
    let role = matches!(actor.role, Role::Handler | Role::TeamLeader | Role::UnitManager);
    if !(full && role) || c.open_investigation().is_none() {
        return f;
    }
    let (contact, part, decision) = match sent {
        Some(Sent::Contact(x)) => (Some(x), None, None),
        Some(Sent::Part(x)) => (None, Some(x), None),
        Some(Sent::Decision(x)) => (None, None, Some(x)),
        _ => (None, None, None),
    };
    // A form sent back is always shown, with its errors (also a hand-made post of a form
    // the page does not offer: the refusal must be seen).
    let offer = |offered: bool, sent: Option<FormState>| match sent {
        Some(x) => Some(x),
        None if offered => Some(FormState::default()),
        None => None,
    };
    f.contact = offer(c.open_investigation().is_some_and(|i| i.first_contact_on.is_none()), contact);
    f.part = offer(actor.qualified || !rules.requires_qualification(QualifiedStep::Investigation), part);
    let delegated = |d| rules.delegation_rule(d).is_some_and(|r| !r.board_only && r.roles.contains(&actor.role));
    f.outcomes = OUTCOMES.iter().filter(|(_, _, d)| delegated(*d)).map(|(v, l, _)| (*v, *l)).collect();
    f.decision = offer(!f.outcomes.is_empty(), decision);
    f
}

async fn back(
    s: &super::session::Session,
    case: skyndsam_domain::ids::CaseId,
    sent: Sent,
) -> Result<Response, UiError> {
    let page = case_view_with(s, case, sent).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Första kontakt (after allocation, by triage colour).
pub async fn first_contact(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let on = parse_date(&mut form, "contact_on", "datum för kontakten");
    let with = required(&mut form, "with_whom", "Ange vem kontakten togs med.");
    if let (true, Some(contact_on), Some(with_whom)) = (form.errors.is_empty(), on, with) {
        let cmd = CaseCommand::RecordFirstContact(FirstContactRecorded { contact_on, with_whom });
        if send(&mut form, &s, case, cmd, "with_whom").await? {
            return Ok(Redirect::to(&format!("/arenden/{case}")).into_response());
        }
    }
    back(&s, case, Sent::Contact(form)).await
}

/// Del av utredningen.
pub async fn part(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let text = required(&mut form, "text", "Skriv utredningens text för delen.");
    let kind = form.value("part").to_owned();
    let part = match (kind.as_str(), text) {
        ("plan", Some(text)) => {
            let invited = yes_no(&mut form, "family_invited", "Ange om familjen har bjudits in till planeringen.");
            let took_part = yes_no(&mut form, "family_took_part", "Ange om familjen deltog.");
            match (invited, took_part) {
                (Some(family_invited), Some(family_took_part)) => {
                    Some(InvestigationPart::Plan { family_invited, family_took_part, text })
                }
                _ => None,
            }
        }
        ("facts", Some(text)) => Some(InvestigationPart::Facts { text }),
        ("needs_assessment", Some(text)) => Some(InvestigationPart::NeedsAssessment { text }),
        ("own_capacity_assessment", Some(text)) => Some(InvestigationPart::OwnCapacityAssessment { text }),
        ("proposed_goals", Some(text)) => Some(InvestigationPart::ProposedGoals { text }),
        ("conduct", Some(text)) => Some(InvestigationPart::Conduct { text }),
        (k, _) => {
            if !PARTS.iter().any(|(v, _)| *v == k) {
                form.add("part", "Välj vilken del av utredningen du dokumenterar.");
            }
            None
        }
    };
    if let (true, Some(part)) = (form.errors.is_empty(), part) {
        let cmd = CaseCommand::RecordInvestigationPart(InvestigationPartRecorded { part });
        if send(&mut form, &s, case, cmd, "text").await? {
            return Ok(Redirect::to(&format!("/arenden/{case}")).into_response());
        }
    }
    back(&s, case, Sent::Part(form)).await
}

/// Beslut efter utredning.
pub async fn decision(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let decided_on = parse_date(&mut form, "decided_on", "beslutsdatum");
    let motivation = required(&mut form, "motivation", "Skriv beslutets motivering.");
    let outcome = match form.value("outcome") {
        v @ ("grant_intervention" | "grant_placement") => {
            let placement = v == "grant_placement";
            let kind = form.value("intervention_kind").to_owned();
            let kind: Option<InterventionKind> = INTERVENTIONS
                .iter()
                .any(|(k, _)| *k == kind)
                .then(|| serde_json::from_value(serde_json::Value::String(kind)).ok())
                .flatten()
                .filter(|k: &InterventionKind| k.is_placement() == placement);
            if kind.is_none() {
                let msg =
                    if placement { "Välj en placeringsform." } else { "Välj en insats som inte är en placering." };
                form.add("intervention_kind", msg);
            }
            let from = parse_date(&mut form, "intervention_from", "insatsens startdatum");
            let to = match form.values.opt("intervention_to") {
                None => None,
                Some(_) => parse_date(&mut form, "intervention_to", "insatsens slutdatum"),
            };
            match (kind, from) {
                (Some(kind), Some(from)) => Some(InvestigationOutcome::GrantIntervention {
                    interventions: vec![GrantedIntervention {
                        intervention: InterventionId(uuid::Uuid::new_v4()),
                        kind,
                        from,
                        to,
                        long_term_care: false,
                    }],
                }),
                _ => None,
            }
        }
        "close_without_intervention" => Some(InvestigationOutcome::CloseWithoutIntervention),
        "refuse" => Some(InvestigationOutcome::Refuse),
        _ => {
            form.add("outcome", "Välj beslut.");
            None
        }
    };
    if let (true, Some(decided_on), Some(outcome), Some(motivation)) =
        (form.errors.is_empty(), decided_on, outcome, motivation)
    {
        let cmd = CaseCommand::DecideInvestigation(InvestigationDecided {
            decided_on,
            outcome,
            board_decision: None,
            motivation,
        });
        if send(&mut form, &s, case, cmd, "outcome").await? {
            return Ok(Redirect::to(&format!("/arenden/{case}")).into_response());
        }
        // The domain's paths of the granted insats, to the form's fields.
        for e in form.errors.iter_mut() {
            e.field = match e.field.as_str() {
                "outcome-interventions-from" => "intervention_from".into(),
                "outcome-interventions-to" => "intervention_to".into(),
                "outcome-interventions" | "outcome-interventions-long_term_care" => "intervention_kind".into(),
                "board_decision" => "outcome".into(),
                other => other.to_owned(),
            };
        }
    }
    back(&s, case, Sent::Decision(form)).await
}
