//! Avvikelser: the list, Rapportera avvikelse (from a case page with the case linked, from
//! Att göra, or organisational; internal or external; the risk matrix beside it) and the
//! deviation page with the investigation (the routine's four questions), measures,
//! follow-ups, feedback to the reporter, forwarding of external deviations, the lock,
//! escalation to lex Sarah and later additions.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::ids::CaseId;
use skyndsam_domain::org::Role;
use skyndsam_domain::quality::commands::{DeviationCommand as D, MatterCommand as M};
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::Matter;

use super::*;
use crate::quality::views::MatterKind;
use crate::quality::{Built, ReportDeviationRequest};
use crate::ui::pages::{Chrome, FormState};
use crate::ui::session::{Session, SessionForm, UiError};

const KIND: MatterKind = MatterKind::Deviation;

pub async fn list(s: Session, Query(q): Query<ListQuery>) -> Result<Response, UiError> {
    Ok(list_page(&s, KIND, q))
}

// ------------------------------------------------------------------ Rapportera

#[derive(Template)]
#[template(path = "quality_new.html")]
pub(crate) struct NewPage {
    pub chrome: Option<Chrome>,
    pub csrf: String,
    /// "deviation", "lex_sarah" or "complaint".
    pub matter: &'static str,
    pub title: &'static str,
    pub action: &'static str,
    pub form: FormState,
    /// The case the report is linked to (from its page).
    pub case: Option<String>,
    pub units: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
    pub directions: Vec<(String, String)>,
    pub severities: Vec<(String, String)>,
    pub probabilities: Vec<(String, String)>,
    pub complaint_kinds: Vec<(String, String)>,
    pub sources: Vec<(String, String)>,
    pub subjects: Vec<(String, String)>,
    pub matrix: Matrix,
    /// The risk matrix's advice for the reading sent, if any.
    pub advice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub(crate) arende: Option<String>,
}

/// The case a report starts from: one the caller sees in full (else not found).
pub(crate) async fn linked_case(s: &Session, id: Option<&str>) -> Result<Option<CaseId>, UiError> {
    let Some(id) = id.map(str::trim).filter(|x| !x.is_empty()) else { return Ok(None) };
    let case = CaseId::parse(id).map_err(|_| UiError::not_found())?;
    crate::routes::writable(&s.ctx, case).await.map_err(UiError::from)?;
    Ok(Some(case))
}

pub(crate) fn new_page(s: &Session, kind: &'static str, form: FormState, case: Option<CaseId>) -> NewPage {
    let q = &s.ctx.app.store.rules().quality;
    let (title, action) = match kind {
        "lex_sarah" => ("Rapportera enligt lex Sarah", "/lex-sarah"),
        "complaint" => ("Registrera synpunkt eller klagomål", "/synpunkter"),
        _ => ("Rapportera avvikelse", "/avvikelser"),
    };
    let advice = match (form.value("severity").parse::<u8>(), form.value("probability").parse::<u8>()) {
        (Ok(sv), Ok(p)) if (1..=4).contains(&sv) && (1..=4).contains(&p) => {
            Some(q.risk_matrix.recommend(RiskScore { severity: sv, probability: p }).label_sv().to_owned())
        }
        _ => None,
    };
    NewPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        matter: kind,
        title,
        action,
        form,
        case: case.map(|c| c.to_string()),
        units: unit_options(s),
        categories: q.deviation_categories.iter().map(|c| (c.code.clone(), c.name.clone())).collect(),
        directions: vec![
            ("internal".into(), "Intern: uppmärksammad här, utreds här".into()),
            (
                "external_outgoing".into(),
                "Extern: gäller en annan förvaltning eller aktör, som utreder den (skickas vidare)".into(),
            ),
            ("external_incoming".into(), "Extern: kommer från en annan förvaltning eller aktör, utreds här".into()),
        ],
        severities: severity_options(s),
        probabilities: probability_options(s),
        complaint_kinds: options(
            &[ComplaintKind::Complaint, ComplaintKind::Suggestion, ComplaintKind::Praise],
            ComplaintKind::label_sv,
        ),
        sources: options(&ComplaintSource::ALL, ComplaintSource::label_sv),
        subjects: options(&ComplaintSubject::ALL, ComplaintSubject::label_sv),
        matrix: matrix(s),
        advice,
    }
}

/// The report form's first values: today, the case's unit or the reporter's.
pub(crate) fn initial(s: &Session, case: Option<CaseId>) -> FormState {
    let p = s.ctx.app.store.projections();
    let unit = case
        .and_then(|c| p.case(&c).map(|c| c.unit.to_string()))
        .or_else(|| s.ctx.actor.unit.as_ref().map(|u| u.to_string()))
        .unwrap_or_default();
    let today = local_date(s.ctx.now).to_string();
    prefilled(&[
        ("unit", unit),
        ("occurred_on", today.clone()),
        ("received_on", today),
        ("direction", "internal".into()),
        ("case", case.map(|c| c.to_string()).unwrap_or_default()),
    ])
}

pub async fn new_form(s: Session, Query(q): Query<NewQuery>) -> Result<Response, UiError> {
    let case = linked_case(&s, q.arende.as_deref()).await?;
    let form = initial(&s, case);
    Ok(render(StatusCode::OK, &new_page(&s, "deviation", form, case)))
}

pub async fn report(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let case = linked_case(&s, Some(f.fields.get("case"))).await?;
    let mut form = form_of(f.fields);
    let unit = unit(&mut form, "unit", "Välj den enhet avvikelsen gäller.");
    let occurred_on = date(&mut form, "occurred_on", "när det inträffade");
    let category = required(&mut form, "category", "Välj en kategori.");
    let directions = new_page(&s, "deviation", FormState::default(), None).directions;
    let direction: Option<DeviationDirection> =
        choice(&mut form, "direction", &directions, "Välj intern eller extern.");
    let description = required(&mut form, "description", "Beskriv vad som hänt.");
    let risk = risk(&mut form, false);
    if let (true, Some(unit), Some(occurred_on), Some(category), Some(direction), Some(description), Some(risk)) =
        (form.errors.is_empty(), unit, occurred_on, category, direction, description, risk)
    {
        let req = ReportDeviationRequest {
            unit,
            assignee: None,
            occurred_on,
            category,
            direction,
            external_body: form.values.opt("external_body"),
            case,
            description,
            immediate_action: form.values.opt("immediate_action"),
            risk,
        };
        match crate::quality::report_deviation(&s.ctx, req).await {
            Ok(c) => return Ok(see_other(&format!("/avvikelser/{}", c.id))),
            Err(e) => refusal(&mut form, e, "description")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&s, "deviation", form, case)))
}

// ------------------------------------------------------------------ the deviation page

pub struct MeasureRow {
    pub number: u32,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub done: String,
}

/// The measures with their texts (from the timeline: a full view only).
pub(crate) fn measures(s: &Session, read: &Read, list: &[skyndsam_domain::quality::Measure]) -> Vec<MeasureRow> {
    let p = s.ctx.app.store.projections();
    list.iter()
        .map(|m| {
            let text = read
                .detail
                .timeline
                .iter()
                .filter(|e| e.kind == "measure_decided")
                .filter_map(|e| e.data.as_ref())
                .filter(|d| d["measure"].as_u64() == Some(u64::from(m.measure)))
                .filter_map(|d| d["description"].as_str())
                .next_back()
                .unwrap_or("–")
                .to_owned();
            MeasureRow {
                number: m.measure,
                text,
                owner: staff_name(&p.org, &m.owner),
                due: m.due.to_string(),
                done: m.completed_on.map(|d| d.to_string()).unwrap_or_else(|| "Nej".into()),
            }
        })
        .collect()
}

/// The texts of the entries of one type (full view), newest last: (date, text).
pub(crate) fn texts_of(read: &Read, kind: &str, label: &str) -> Vec<(String, String)> {
    read.detail
        .timeline
        .iter()
        .filter(|e| e.kind == kind)
        .filter_map(|e| {
            e.fields
                .iter()
                .find(|f| f.label == label && f.free_text)
                .map(|f| (e.effective_on.to_string(), f.value.clone()))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "quality_deviation.html")]
pub(crate) struct DeviationPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    version: u32,
    full: bool,
    facts: Vec<(String, String)>,
    case_link: Option<String>,
    escalated_to: Option<String>,
    advice: Option<String>,
    clocks: Vec<ClockRow>,
    measures: Vec<MeasureRow>,
    feedback: Vec<(String, String)>,
    /// The last e-mail notice of feedback (handlers only; none when mail is off).
    notice: Option<String>,
    timeline: Vec<EntryRow>,
    // What the page offers.
    investigate: bool,
    decide: bool,
    follow_up: bool,
    give_feedback: bool,
    forward: bool,
    answer: bool,
    lock: bool,
    escalate: bool,
    note: bool,
    completable: Vec<(String, String)>,
    active: Option<(String, FormState)>,
    staff: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    probabilities: Vec<(String, String)>,
    effects: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    today: String,
}

impl DeviationPage {
    /// The form of `action`: as sent, with its errors, when it was the one sent; otherwise
    /// with its defaults (feedback in the app, today's date).
    fn form(&self, action: &str) -> FormState {
        match &self.active {
            Some((a, f)) if a == action => f.clone(),
            _ => match action {
                "aterkoppling" => prefilled(&[("channel", "in_app".into())]),
                "skicka-vidare" => prefilled(&[("sent_on", self.today.clone())]),
                "atgard-klar" => prefilled(&[("completed_on", self.today.clone())]),
                _ => FormState::default(),
            },
        }
    }
}

pub(crate) fn effects() -> Vec<(String, String)> {
    vec![
        ("achieved".into(), "Önskad effekt uppnådd".into()),
        ("partly".into(), "Delvis uppnådd".into()),
        ("not_achieved".into(), "Inte uppnådd".into()),
    ]
}

async fn page_of(s: &Session, id: &str, active: Option<(String, FormState)>) -> Result<DeviationPage, UiError> {
    let read = read(s, KIND, id).await?;
    let Some(Matter::Deviation(d)) = matter_of(s, KIND, id, |m| Some(m.clone())) else {
        return Err(UiError::not_found());
    };
    let p = s.ctx.app.store.projections();
    let q = &p.rules().quality;
    let h = &d.handling;
    let me = &s.ctx.actor.staff;
    let mut facts = vec![
        ("Status".to_owned(), read.detail.status_sv.clone()),
        ("Enhet".to_owned(), unit_name(&p.org, &h.unit)),
        ("Kategori".to_owned(), q.category_name(&d.category).unwrap_or(&d.category).to_owned()),
        ("Typ".to_owned(), d.direction.label_sv().to_owned()),
        ("Inträffade".to_owned(), d.occurred_on.to_string()),
        ("Rapporterad".to_owned(), format!("{} av {}", h.reported_on, staff_name(&p.org, &h.reported_by))),
        (
            "Utreds av".to_owned(),
            h.assignee.as_ref().map(|a| staff_name(&p.org, a)).unwrap_or_else(|| "Ingen utsedd".into()),
        ),
    ];
    if let Some(k) = d.detection {
        facts.push(("Upptäckt av systemet".into(), k.label_sv().to_owned()));
    }
    if let Some(r) = d.risk {
        facts.push(("Riskbedömning".into(), format!("{} × {} = {}", r.severity, r.probability, r.value())));
    }
    let advice = d.risk.map(|r| q.risk_matrix.recommend(r).label_sv().to_owned());
    let open = h.locked_on.is_none() && d.escalated_to.is_none();
    let full = read.full;
    let handler = full && handles(s, &h.unit, h.assignee.as_ref(), &q.deviation_investigator_roles);
    let completable = h
        .open_measures()
        .filter(|m| full && (&m.owner == me || handler))
        .map(|m| (m.measure.to_string(), format!("Åtgärd {}", m.measure)))
        .collect::<Vec<_>>();
    drop(p);
    let measures = measures(s, &read, &h.measures);
    let feedback = texts_of(&read, "feedback_given", "Återkoppling");
    Ok(DeviationPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        id: id.to_owned(),
        version: h.version,
        full,
        facts,
        case_link: h.case.map(|c| format!("/arenden/{c}")),
        escalated_to: d.escalated_to.map(|l| l.to_string()),
        advice,
        clocks: read.clocks,
        measures,
        feedback,
        notice: s.ctx.app.notices.get(&format!("deviation/{id}")).filter(|_| handler).map(|n| {
            format!("E-post till den som rapporterade {}: {}", crate::ui::pages::local_time(n.at), n.outcome.label_sv())
        }),
        timeline: read.timeline,
        investigate: open && handler,
        decide: open && handler,
        follow_up: open && handler && !h.measures.is_empty(),
        give_feedback: open && handler && d.has_human_reporter(),
        forward: open && handler && d.direction == DeviationDirection::ExternalOutgoing && d.forwarded_on.is_none(),
        answer: d.escalated_to.is_none() && handler && d.forwarded_on.is_some(),
        lock: open && handler,
        escalate: open && full && (handler || s.ctx.actor.role == Role::QualityDeveloper),
        note: full && (h.involves(me) || handler || s.ctx.actor.role == Role::QualityDeveloper),
        completable,
        active,
        staff: staff_options(s),
        severities: severity_options(s),
        probabilities: probability_options(s),
        effects: effects(),
        channels: vec![
            ("in_app".into(), "I Skyndsam (visas för den som rapporterade)".into()),
            ("email".into(), "E-post (skickad utanför Skyndsam)".into()),
            ("other".into(), "På annat sätt (brev, möte)".into()),
        ],
        today: local_date(s.ctx.now).to_string(),
    })
}

pub async fn page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let page = page_of(&s, &id, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// A measure, a follow-up, a planned follow-up, a completed measure or a note (the same
/// forms on deviations, lex Sarah matters and complaints).
pub(crate) fn matter_command(form: &mut FormState, action: &str) -> Option<Option<M>> {
    Some(match action {
        "atgard" => {
            let description = required(form, "description", "Beskriv åtgärden.");
            let owner = staff(form, "owner", "Välj vem som ansvarar för åtgärden.");
            let due = date(form, "due", "när åtgärden ska vara genomförd");
            match (description, owner, due) {
                (Some(description), Some(owner), Some(due)) => {
                    Some(M::DecideMeasure(MeasureDecided { measure: 0, description, owner, due }))
                }
                _ => None,
            }
        }
        "atgard-klar" => {
            let measure = form.value("measure").parse::<u32>().ok();
            if measure.is_none() {
                add(form, "measure", "Välj åtgärden.");
            }
            let on = date(form, "completed_on", "när åtgärden genomfördes");
            match (measure, on) {
                (Some(measure), Some(completed_on)) => Some(M::CompleteMeasure(MeasureCompleted {
                    measure,
                    completed_on,
                    comment: form.values.opt("comment"),
                })),
                _ => None,
            }
        }
        "planera-uppfoljning" => {
            date(form, "due", "när uppföljningen ska göras").map(|due| M::PlanFollowUp(FollowUpPlanned { due }))
        }
        "uppfoljning" => {
            let text = required(form, "text", "Beskriv uppföljningen.");
            let effect: Option<Effect> = choice(form, "effect", &effects(), "Ange om åtgärderna fått effekt.");
            let next = optional_date(form, "next_follow_up", "nästa uppföljning");
            match (text, effect, next) {
                (Some(text), Some(effect), Some(next_follow_up)) => {
                    Some(M::FollowUp(FollowUpRecorded { text, effect, next_follow_up }))
                }
                _ => None,
            }
        }
        "tillagg" => required(form, "text", "Skriv tillägget.").map(|text| M::Note(QualityNoteWritten { text })),
        _ => return None,
    })
}

/// Every form of the deviation page, at one address: `atgard` names the act.
pub async fn act(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    writable(&s, KIND, &id).await?;
    let mut form = form_of(f.fields);
    let action = form.value("atgard").to_owned();
    let built: Option<D> = if let Some(m) = matter_command(&mut form, &action) {
        m.map(D::Matter)
    } else {
        match action.as_str() {
            "utredning" => {
                let what_happened = required(&mut form, "what_happened", "Beskriv händelseförloppet.");
                let failures = required(&mut form, "failures", "Beskriv felhändelserna.");
                let causes = required(&mut form, "causes", "Beskriv orsakerna.");
                let measures = required(&mut form, "measures", "Beskriv vidtagna och planerade åtgärder.");
                let prevented = yes_no(&mut form, "recurrence_prevented", "Ange om en upprepning förhindras.");
                let risk = risk(&mut form, false);
                match (what_happened, failures, causes, measures, prevented, risk) {
                    (Some(what_happened), Some(failures), Some(causes), Some(measures), Some(r), Some(risk)) => {
                        Some(D::Investigate(DeviationInvestigated {
                            what_happened,
                            failures,
                            causes,
                            measures,
                            recurrence_prevented: r,
                            risk,
                        }))
                    }
                    _ => None,
                }
            }
            "aterkoppling" => {
                let text = required(&mut form, "text", "Skriv återkopplingen.");
                let channels = vec![
                    ("in_app".to_owned(), String::new()),
                    ("email".to_owned(), String::new()),
                    ("other".to_owned(), String::new()),
                ];
                let channel: Option<FeedbackChannel> =
                    choice(&mut form, "channel", &channels, "Välj hur återkopplingen ges.");
                match (text, channel) {
                    (Some(text), Some(channel)) => Some(D::Feedback(FeedbackGiven { text, channel })),
                    _ => None,
                }
            }
            "skicka-vidare" => {
                let to_body = required(&mut form, "to_body", "Ange förvaltningen eller aktören.");
                let contact = required(&mut form, "contact", "Ange kontaktvägen (funktionsbrevlåda, handläggare).");
                let sent_on = date(&mut form, "sent_on", "när avvikelsen skickades");
                match (to_body, contact, sent_on) {
                    (Some(to_body), Some(contact), Some(sent_on)) => {
                        Some(D::Forward(DeviationForwarded { to_body, contact, sent_on }))
                    }
                    _ => None,
                }
            }
            "externt-svar" => {
                let received_on = date(&mut form, "received_on", "när svaret kom");
                let text = required(&mut form, "text", "Skriv in svaret.");
                match (received_on, text) {
                    (Some(received_on), Some(text)) => {
                        Some(D::ExternalAnswer(ExternalAnswerReceived { received_on, text }))
                    }
                    _ => None,
                }
            }
            "las" => required(&mut form, "summary", "Skriv en sammanfattning.")
                .map(|summary| D::Lock(MatterLocked { summary })),
            "lex-sarah" => {
                let reason = required(&mut form, "reason", "Ange varför händelsen kan vara ett missförhållande.");
                let risk = risk(&mut form, true);
                match (reason, risk) {
                    (Some(reason), Some(Some(risk))) => Some(D::Escalate {
                        lex_sarah: skyndsam_domain::ids::LexSarahId(uuid::Uuid::nil()),
                        reason,
                        risk,
                        assignee: None,
                    }),
                    _ => None,
                }
            }
            _ => {
                add(&mut form, "atgard", "Okänd åtgärd. Ladda om sidan och försök igen.");
                None
            }
        }
    };
    if let (true, Some(cmd)) = (form.errors.is_empty(), built) {
        if let Some(r) = send(&s, KIND, &id, &mut form, Built::Deviation(cmd), fallback(&action)).await? {
            let to = match r.created {
                Some(ls) => format!("/lex-sarah/{ls}"),
                None => format!("/avvikelser/{id}#tidslinje"),
            };
            return Ok(see_other(&to));
        }
    }
    let page = page_of(&s, &id, Some((action, form))).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The field a refusal without a field lands at, per form.
pub(crate) fn fallback(action: &str) -> &'static str {
    match action {
        "utredning" => "what_happened",
        "atgard" => "description",
        "atgard-klar" => "measure",
        "planera-uppfoljning" => "due",
        "uppfoljning" | "aterkoppling" | "externt-svar" | "tillagg" => "text",
        "skicka-vidare" => "to_body",
        "las" => "summary",
        "lex-sarah" => "reason",
        _ => "atgard",
    }
}
