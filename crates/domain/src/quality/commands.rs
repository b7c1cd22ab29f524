//! The quality-management system's commands: each is judged against the matter's state,
//! the rule table and the organisation, and turns into events — or a refusal with a stable
//! code, a Swedish message and the field. Pure: the clock, the actor and new ids are
//! parameters.

use chrono::NaiveDate;

use super::model::*;
use super::{Handling, Matter};
use crate::case::CaseState;
use crate::commands::{err, not_future, required, role_in, Context};
use crate::error::{DomainError, ErrorCode};
use crate::events::{EventMeta, NewEvent, Payload};
use crate::ids::{
    CaseId, ComplaintId, ControlPlanId, DeviationId, FileAuditId, LexSarahId, RiskId, StaffId, SurveyId, UnitId,
};
use crate::org::{Organisation, Role};

/// What the store needs to append: the events and, per stream, the version it must be at
/// (`None`: the stream must not exist yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub events: Vec<NewEvent>,
    pub expect: Vec<(String, Option<u32>)>,
}

/// What a command may look up besides its own matter.
pub trait Lookup {
    fn matter(&self, stream: &str) -> Option<&Matter>;
    fn case(&self, id: &CaseId) -> Option<&CaseState>;
}

#[derive(Debug, Clone)]
pub enum QualityCommand {
    ReportDeviation(DeviationReported),
    Deviation(DeviationId, DeviationCommand),
    ReportLexSarah(LexSarahReported),
    LexSarah(LexSarahId, LexSarahCommand),
    ReceiveComplaint(ComplaintReceived),
    Complaint(ComplaintId, ComplaintCommand),
    RegisterRisk(RiskRegistered),
    Risk(RiskId, RiskCommand),
    AdoptControlPlan(ControlPlanAdopted),
    ControlPlan(ControlPlanId, ControlPlanCommand),
    DefineSurvey(SurveyDefined),
    Survey(SurveyId, SurveyCommand),
    /// Aktgranskning: the sample is drawn by `sampler::draw` in the shell and recorded here.
    OpenFileAudit(FileAuditOpened),
    FileAudit(FileAuditId, FileAuditCommand),
}

#[derive(Debug, Clone)]
pub enum FileAuditCommand {
    Answer(FileAuditAnswersRecorded),
    Analyse(FileAuditAnalysed),
    /// A drawn file that turns out not to be auditable, with the reason.
    DropOut(FileAuditDropOutRecorded),
    /// Improvement actions (measures with owner and date), follow-ups, notes.
    Matter(MatterCommand),
    Close(MatterLocked),
}

impl QualityCommand {
    /// The existing matter the command acts on (None for a command that opens one).
    pub fn target_stream(&self) -> Option<String> {
        match self {
            Self::Deviation(id, _) => Some(id.stream()),
            Self::LexSarah(id, _) => Some(id.stream()),
            Self::Complaint(id, _) => Some(id.stream()),
            Self::Risk(id, _) => Some(id.stream()),
            Self::ControlPlan(id, _) => Some(id.stream()),
            Self::Survey(id, _) => Some(id.stream()),
            Self::FileAudit(id, _) => Some(id.stream()),
            Self::ReportDeviation(_)
            | Self::ReportLexSarah(_)
            | Self::ReceiveComplaint(_)
            | Self::RegisterRisk(_)
            | Self::AdoptControlPlan(_)
            | Self::DefineSurvey(_)
            | Self::OpenFileAudit(_) => None,
        }
    }
}

/// Measures, follow-ups and notes: the same on every deviation, lex Sarah and complaint.
#[derive(Debug, Clone)]
pub enum MatterCommand {
    Assign(MatterAssigned),
    /// The measure's number is given by the domain (the next in the matter).
    DecideMeasure(MeasureDecided),
    CompleteMeasure(MeasureCompleted),
    PlanFollowUp(FollowUpPlanned),
    FollowUp(FollowUpRecorded),
    Note(QualityNoteWritten),
}

#[derive(Debug, Clone)]
pub enum DeviationCommand {
    Investigate(DeviationInvestigated),
    Forward(DeviationForwarded),
    ExternalAnswer(ExternalAnswerReceived),
    Feedback(FeedbackGiven),
    Lock(MatterLocked),
    /// Hand the deviation on as lex Sarah: a new lex Sarah matter, this one keeps its history.
    Escalate {
        lex_sarah: LexSarahId,
        reason: String,
        risk: RiskScore,
        assignee: Option<StaffId>,
    },
    Matter(MatterCommand),
}

#[derive(Debug, Clone)]
pub enum LexSarahCommand {
    Investigate(LexSarahInvestigated),
    Classify(LexSarahClassified),
    ReportToIvo(LexSarahReportedToIvo),
    Close(MatterLocked),
    Matter(MatterCommand),
}

#[derive(Debug, Clone)]
pub enum ComplaintCommand {
    Contact(ComplaintContacted),
    Answer(ComplaintAnswered),
    Close(MatterLocked),
    Matter(MatterCommand),
}

#[derive(Debug, Clone)]
pub enum RiskCommand {
    Reassess(RiskReassessed),
    Retire(RiskRetired),
}

#[derive(Debug, Clone)]
pub enum ControlPlanCommand {
    AddMoment(ControlMomentAdded),
    RecordResult(ControlResultRecorded),
    DecideMeasure(MeasureDecided),
    CompleteMeasure(MeasureCompleted),
    SubmitReport(ControlReportSubmitted),
}

#[derive(Debug, Clone)]
pub enum SurveyCommand {
    RecordInvitations(SurveyInvitationsRecorded),
    RecordResponses(SurveyResponsesRecorded),
}

/// Roles that report deviations, lex Sarah and complaints: all staff, not the board,
/// the committee or the auditors (they read).
const REPORTERS: [Role; 9] = [
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::SystemAdministrator,
    Role::System,
];

/// Internal control: the risk register.
const RISK_ROLES: [Role; 4] =
    [Role::QualityDeveloper, Role::HeadOfAdministration, Role::AreaManager, Role::UnitManager];
/// Internal control: the plan and its report to the board.
const PLAN_ROLES: [Role; 2] = [Role::QualityDeveloper, Role::HeadOfAdministration];
/// User surveys: defined by quality staff; responses also entered by unit managers.
const SURVEY_ROLES: [Role; 2] = [Role::QualityDeveloper, Role::UnitManager];

/// Longest list a command accepts (responses in one batch, moments in one plan).
pub const MAX_ITEMS: usize = 10_000;

pub fn handle(cmd: &QualityCommand, ctx: &Context, look: &dyn Lookup) -> Result<Outcome, DomainError> {
    match cmd {
        QualityCommand::ReportDeviation(r) => report_deviation(r, ctx, look),
        QualityCommand::Deviation(id, c) => match look.matter(&id.stream()) {
            Some(Matter::Deviation(d)) => deviation(d, c, ctx, look),
            _ => Err(not_found("Avvikelsen")),
        },
        QualityCommand::ReportLexSarah(r) => report_lex_sarah(r, ctx, look),
        QualityCommand::LexSarah(id, c) => match look.matter(&id.stream()) {
            Some(Matter::LexSarah(l)) => lex_sarah(l, c, ctx),
            _ => Err(not_found("Lex Sarah-ärendet")),
        },
        QualityCommand::ReceiveComplaint(r) => receive_complaint(r, ctx, look),
        QualityCommand::Complaint(id, c) => match look.matter(&id.stream()) {
            Some(Matter::Complaint(x)) => complaint(x, c, ctx),
            _ => Err(not_found("Synpunkten")),
        },
        QualityCommand::RegisterRisk(r) => register_risk(r, ctx),
        QualityCommand::Risk(id, c) => match look.matter(&id.stream()) {
            Some(Matter::Risk(r)) => risk(r, c, ctx),
            _ => Err(not_found("Risken")),
        },
        QualityCommand::AdoptControlPlan(p) => adopt_plan(p, ctx, look),
        QualityCommand::ControlPlan(id, c) => match look.matter(&id.stream()) {
            Some(Matter::ControlPlan(p)) => control_plan(p, c, ctx, look),
            _ => Err(not_found("Internkontrollplanen")),
        },
        QualityCommand::OpenFileAudit(a) => open_file_audit(a, ctx, look),
        QualityCommand::FileAudit(id, c) => match look.matter(&id.stream()) {
            Some(Matter::FileAudit(a)) => file_audit(a, c, ctx, look),
            _ => Err(not_found("Aktgranskningen")),
        },
        QualityCommand::DefineSurvey(s) => define_survey(s, ctx),
        QualityCommand::Survey(id, c) => match look.matter(&id.stream()) {
            Some(Matter::Survey(s)) => survey(s, c, ctx),
            _ => Err(not_found("Brukarundersökningen")),
        },
    }
}

// ------------------------------------------------------------------ helpers

fn not_found(what: &str) -> DomainError {
    DomainError::new(ErrorCode::NotFound, format!("{what} hittades inte."))
}

fn meta(ctx: &Context, effective_on: NaiveDate) -> EventMeta {
    EventMeta {
        recorded_at: ctx.now,
        effective_on,
        actor: ctx.actor.staff.clone(),
        role: ctx.actor.role,
        unit: ctx.actor.unit.clone(),
        delegation: None,
        corrects: None,
    }
}

fn event(ctx: &Context, stream: &str, on: NaiveDate, payload: Payload) -> NewEvent {
    NewEvent { stream: stream.to_owned(), meta: meta(ctx, on), payload }
}

fn one(ctx: &Context, stream: &str, version: Option<u32>, on: NaiveDate, payload: Payload) -> Outcome {
    Outcome { events: vec![event(ctx, stream, on, payload)], expect: vec![(stream.to_owned(), version)] }
}

fn optional_text(field: &str, v: &Option<String>, what: &str) -> Result<(), DomainError> {
    match v {
        Some(t) if !t.trim().is_empty() => required(field, t, what),
        _ => Ok(()),
    }
}

fn date_between(field: &str, d: NaiveDate, earliest: NaiveDate, ctx: &Context, what: &str) -> Result<(), DomainError> {
    not_future(field, d, ctx)?;
    if d < earliest {
        return Err(err(ErrorCode::DateBeforeReceipt, field, format!("Datumet ligger före {what}.")));
    }
    Ok(())
}

fn check_score(field: &str, s: RiskScore) -> Result<(), DomainError> {
    if !(1..=4).contains(&s.severity) || !(1..=4).contains(&s.probability) {
        return Err(err(ErrorCode::InvalidInput, field, "Allvarlighetsgrad och sannolikhet anges 1–4."));
    }
    Ok(())
}

fn unit_exists(org: &Organisation, unit: &UnitId) -> Result<(), DomainError> {
    if org.unit(unit).is_none() {
        return Err(err(ErrorCode::NotFound, "unit", "Enheten finns inte."));
    }
    Ok(())
}

fn staff_exists(org: &Organisation, staff: &StaffId, field: &str) -> Result<(), DomainError> {
    if !org.staff.contains_key(staff) {
        return Err(err(ErrorCode::NotFound, field, "Medarbetaren finns inte."));
    }
    Ok(())
}

/// Whether `actor_unit` is `unit` or above it in the tree.
pub fn covers(org: &Organisation, actor_unit: Option<&UnitId>, unit: &UnitId) -> bool {
    actor_unit.is_some_and(|a| a == unit || org.ancestors(unit).iter().any(|u| u == a))
}

/// The person who holds one of `roles` (in that order of preference) on `unit` or the
/// nearest unit above it on `on`: the default assignee.
pub fn responsible(org: &Organisation, unit: &UnitId, roles: &[Role], on: NaiveDate) -> Option<StaffId> {
    let mut chain = vec![unit.clone()];
    chain.extend(org.ancestors(unit));
    for role in roles {
        for u in &chain {
            let mut holders: Vec<&StaffId> = org
                .grants
                .iter()
                .filter(|g| g.role == *role && &g.unit == u && g.active_on(on))
                .map(|g| &g.staff)
                .collect();
            holders.sort();
            if let Some(s) = holders.first() {
                return Some((*s).clone());
            }
        }
    }
    None
}

/// The assignee or a role in `roles` over the unit.
fn may_handle(h: &Handling, ctx: &Context, roles: &[Role]) -> bool {
    h.assignee.as_ref() == Some(&ctx.actor.staff)
        || (roles.contains(&ctx.actor.role) && covers(ctx.org, ctx.actor.unit.as_ref(), &h.unit))
}

fn refuse_handle(what: &str) -> DomainError {
    DomainError::new(
        ErrorCode::NotAuthorised,
        format!("Du kan inte {what}. Det görs av den som är ansvarig för utredningen eller en chef över enheten."),
    )
}

fn not_locked(h: &Handling, what: &str) -> Result<(), DomainError> {
    if h.locked_on.is_some() {
        return Err(DomainError::new(
            ErrorCode::Locked,
            format!("{what} är låst. Skriv ett tillägg i stället; det som är låst ändras inte."),
        ));
    }
    Ok(())
}

fn check_case(case: Option<CaseId>, look: &dyn Lookup) -> Result<(), DomainError> {
    if let Some(c) = case {
        if look.case(&c).is_none() {
            return Err(err(ErrorCode::NotFound, "case", "Ärendet hittades inte."));
        }
    }
    Ok(())
}

/// A new measure checked (text, owner, a due date not in the past) and numbered next after
/// the matter's `existing` ones.
fn new_measure(m: &MeasureDecided, existing: &[super::Measure], ctx: &Context) -> Result<MeasureDecided, DomainError> {
    required("description", &m.description, "Åtgärden")?;
    staff_exists(ctx.org, &m.owner, "owner")?;
    if m.due < ctx.today() {
        return Err(err(ErrorCode::InvalidInput, "due", "Datum för genomförande kan inte ligga bakåt i tiden."));
    }
    let mut m = m.clone();
    m.measure = existing.iter().map(|x| x.measure).max().unwrap_or(0) + 1;
    Ok(m)
}

fn measure(measures: &[super::Measure], no: u32) -> Result<&super::Measure, DomainError> {
    measures.iter().find(|m| m.measure == no).ok_or_else(|| err(ErrorCode::NotFound, "measure", "Åtgärden finns inte."))
}

/// A measure may be marked done once, on a date between its decision and today.
fn completable(m: &super::Measure, c: &MeasureCompleted, ctx: &Context) -> Result<(), DomainError> {
    if m.completed_on.is_some() {
        return Err(err(ErrorCode::WrongState, "measure", "Åtgärden är redan markerad som genomförd."));
    }
    date_between("completed_on", c.completed_on, m.decided_on, ctx, "beslutet om åtgärden")
}

/// Measures, follow-ups, notes and re-assignment on any matter.
fn matter_command(
    h: &Handling,
    cmd: &MatterCommand,
    ctx: &Context,
    investigators: &[Role],
    what: &str,
) -> Result<Outcome, DomainError> {
    let today = ctx.today();
    let v = Some(h.version);
    let s = h.stream.as_str();
    match cmd {
        MatterCommand::Assign(a) => {
            not_locked(h, what)?;
            if !may_handle(h, ctx, investigators) {
                return Err(refuse_handle("flytta ansvaret"));
            }
            staff_exists(ctx.org, &a.assignee, "assignee")?;
            Ok(one(ctx, s, v, today, Payload::MatterAssigned(a.clone())))
        }
        MatterCommand::DecideMeasure(m) => {
            not_locked(h, what)?;
            if !may_handle(h, ctx, investigators) {
                return Err(refuse_handle("besluta om åtgärder"));
            }
            Ok(one(ctx, s, v, today, Payload::MeasureDecided(new_measure(m, &h.measures, ctx)?)))
        }
        MatterCommand::CompleteMeasure(c) => {
            let m = measure(&h.measures, c.measure)?;
            if m.owner != ctx.actor.staff && !may_handle(h, ctx, investigators) {
                return Err(DomainError::new(
                    ErrorCode::NotAuthorised,
                    "Åtgärden markeras som genomförd av den som äger den eller den som utreder.",
                ));
            }
            completable(m, c, ctx)?;
            optional_text("comment", &c.comment, "Kommentaren")?;
            Ok(one(ctx, s, v, today, Payload::MeasureCompleted(c.clone())))
        }
        MatterCommand::PlanFollowUp(p) => {
            if !may_handle(h, ctx, investigators) {
                return Err(refuse_handle("planera uppföljning"));
            }
            if p.due < today {
                return Err(err(ErrorCode::InvalidInput, "due", "Uppföljningen kan inte planeras bakåt i tiden."));
            }
            Ok(one(ctx, s, v, today, Payload::FollowUpPlanned(p.clone())))
        }
        MatterCommand::FollowUp(f) => {
            if !may_handle(h, ctx, investigators) {
                return Err(refuse_handle("följa upp åtgärderna"));
            }
            if h.measures.is_empty() {
                return Err(err(
                    ErrorCode::Incomplete,
                    "text",
                    "Det finns inga beslutade åtgärder att följa upp. Besluta om åtgärder först.",
                ));
            }
            required("text", &f.text, "Uppföljningen")?;
            if f.next_follow_up.is_some_and(|d| d <= today) {
                return Err(err(
                    ErrorCode::InvalidInput,
                    "next_follow_up",
                    "Nästa uppföljning ska ligga framåt i tiden.",
                ));
            }
            Ok(one(ctx, s, v, today, Payload::FollowUpRecorded(f.clone())))
        }
        MatterCommand::Note(n) => {
            let quality = ctx.actor.role == Role::QualityDeveloper;
            if !h.involves(&ctx.actor.staff) && !quality && !may_handle(h, ctx, investigators) {
                return Err(DomainError::new(
                    ErrorCode::NotAuthorised,
                    "Tillägg skrivs av den som rapporterat, den som utreder, en åtgärds ägare eller kvalitetsutvecklare.",
                ));
            }
            required("text", &n.text, "Tillägget")?;
            Ok(one(ctx, s, v, today, Payload::QualityNoteWritten(n.clone())))
        }
    }
}

// ------------------------------------------------------------------ deviations

fn report_deviation(r: &DeviationReported, ctx: &Context, look: &dyn Lookup) -> Result<Outcome, DomainError> {
    role_in(ctx, &REPORTERS, "rapportera en avvikelse")?;
    let q = &ctx.rules.quality;
    let stream = r.deviation.stream();
    if look.matter(&stream).is_some() {
        return Err(DomainError::new(ErrorCode::Conflict, "Avvikelsen är redan rapporterad."));
    }
    unit_exists(ctx.org, &r.unit)?;
    not_future("occurred_on", r.occurred_on, ctx)?;
    if q.category_name(&r.category).is_none() {
        return Err(err(ErrorCode::InvalidInput, "category", "Välj en kategori i listan."));
    }
    required("description", &r.description, "Beskrivningen av vad som hänt")?;
    optional_text("immediate_action", &r.immediate_action, "Det som gjordes direkt")?;
    match r.direction {
        DeviationDirection::Internal => {}
        DeviationDirection::ExternalOutgoing | DeviationDirection::ExternalIncoming => match &r.external_body {
            Some(b) if !b.trim().is_empty() => required("external_body", b, "Förvaltningen eller aktören")?,
            _ => {
                return Err(err(
                    ErrorCode::InvalidInput,
                    "external_body",
                    "Ange vilken förvaltning eller extern aktör avvikelsen gäller eller kommer från.",
                ))
            }
        },
    }
    if let Some(s) = r.risk {
        check_score("risk", s)?;
    }
    if matches!(r.source, DeviationSource::System { .. }) != (ctx.actor.role == Role::System) {
        return Err(err(ErrorCode::InvalidInput, "source", "Bara systemet rapporterar upptäckta avvikelser."));
    }
    check_case(r.case, look)?;
    let mut r = r.clone();
    match &r.assignee {
        Some(a) => staff_exists(ctx.org, a, "assignee")?,
        None => r.assignee = responsible(ctx.org, &r.unit, &[Role::UnitManager], ctx.today()),
    }
    Ok(one(ctx, &stream, None, ctx.today(), Payload::DeviationReported(r)))
}

fn deviation(
    d: &super::DeviationState,
    cmd: &DeviationCommand,
    ctx: &Context,
    look: &dyn Lookup,
) -> Result<Outcome, DomainError> {
    let h = &d.handling;
    let roles = &ctx.rules.quality.deviation_investigator_roles;
    let today = ctx.today();
    let v = Some(h.version);
    let s = h.stream.as_str();
    if d.escalated_to.is_some() && !matches!(cmd, DeviationCommand::Matter(MatterCommand::Note(_))) {
        return Err(DomainError::new(
            ErrorCode::WrongState,
            "Avvikelsen hanteras nu som lex Sarah. Fortsätt i lex Sarah-ärendet; här kan du bara skriva tillägg.",
        ));
    }
    match cmd {
        DeviationCommand::Matter(m) => matter_command(h, m, ctx, roles, "Avvikelsen"),
        DeviationCommand::Investigate(i) => {
            not_locked(h, "Avvikelsen")?;
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("utreda avvikelsen"));
            }
            required("what_happened", &i.what_happened, "Händelseförloppet")?;
            required("failures", &i.failures, "Felhändelserna")?;
            required("causes", &i.causes, "Orsakerna")?;
            required("measures", &i.measures, "Åtgärderna")?;
            if let Some(r) = i.risk {
                check_score("risk", r)?;
            }
            Ok(one(ctx, s, v, today, Payload::DeviationInvestigated(i.clone())))
        }
        DeviationCommand::Forward(f) => {
            not_locked(h, "Avvikelsen")?;
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("skicka avvikelsen vidare"));
            }
            if d.direction != DeviationDirection::ExternalOutgoing {
                return Err(err(
                    ErrorCode::WrongState,
                    "to_body",
                    "Bara en extern avvikelse som ska utredas av annan förvaltning eller aktör skickas vidare.",
                ));
            }
            required("to_body", &f.to_body, "Mottagaren")?;
            required("contact", &f.contact, "Kontaktvägen")?;
            date_between("sent_on", f.sent_on, h.reported_on, ctx, "rapporteringen")?;
            Ok(one(ctx, s, v, today, Payload::DeviationForwarded(f.clone())))
        }
        DeviationCommand::ExternalAnswer(a) => {
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("registrera svaret"));
            }
            let Some(sent) = d.forwarded_on else {
                return Err(err(ErrorCode::Incomplete, "text", "Avvikelsen har inte skickats vidare."));
            };
            required("text", &a.text, "Svaret")?;
            date_between("received_on", a.received_on, sent, ctx, "då avvikelsen skickades")?;
            Ok(one(ctx, s, v, today, Payload::ExternalAnswerReceived(a.clone())))
        }
        DeviationCommand::Feedback(f) => {
            not_locked(h, "Avvikelsen")?;
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("ge återkoppling"));
            }
            required("text", &f.text, "Återkopplingen")?;
            Ok(one(ctx, s, v, today, Payload::FeedbackGiven(f.clone())))
        }
        DeviationCommand::Lock(l) => {
            not_locked(h, "Avvikelsen")?;
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("låsa avvikelsen"));
            }
            if d.direction == DeviationDirection::ExternalOutgoing {
                if d.forwarded_on.is_none() {
                    return Err(err(
                        ErrorCode::Incomplete,
                        "summary",
                        "Skicka avvikelsen vidare till den förvaltning eller aktör som ska utreda den innan den låses.",
                    ));
                }
            } else if d.investigated_on.is_none() {
                return Err(err(
                    ErrorCode::Incomplete,
                    "summary",
                    "Utredningen är inte ifylld. Utred avvikelsen innan den låses.",
                ));
            }
            if d.has_human_reporter() && d.feedback_on.is_none() {
                return Err(err(
                    ErrorCode::Incomplete,
                    "summary",
                    "Den som rapporterade har inte fått återkoppling. Ge återkoppling innan avvikelsen låses.",
                ));
            }
            required("summary", &l.summary, "Sammanfattningen")?;
            Ok(one(ctx, s, v, today, Payload::MatterLocked(l.clone())))
        }
        DeviationCommand::Escalate { lex_sarah, reason, risk, assignee } => {
            not_locked(h, "Avvikelsen")?;
            if !may_handle(h, ctx, roles) && ctx.actor.role != Role::QualityDeveloper {
                return Err(refuse_handle("lyfta avvikelsen till lex Sarah"));
            }
            required("reason", reason, "Skälet")?;
            check_score("risk", *risk)?;
            let ls = lex_sarah.stream();
            if look.matter(&ls).is_some() {
                return Err(DomainError::new(ErrorCode::Conflict, "Lex Sarah-ärendet finns redan."));
            }
            let assignee = match assignee {
                Some(a) => {
                    staff_exists(ctx.org, a, "assignee")?;
                    Some(a.clone())
                }
                None => responsible(ctx.org, &h.unit, &ctx.rules.quality.lex_sarah.investigator_roles, today),
            };
            let escalated = DeviationEscalated { lex_sarah: *lex_sarah, reason: reason.clone(), risk: *risk };
            let reported = LexSarahReported {
                lex_sarah: *lex_sarah,
                unit: h.unit.clone(),
                assignee,
                occurred_on: d.occurred_on,
                case: h.case,
                description: reason.clone(),
                immediate_action: None,
                from_deviation: Some(d.id),
                risk: Some(*risk),
            };
            Ok(Outcome {
                events: vec![
                    event(ctx, s, today, Payload::DeviationEscalated(escalated)),
                    event(ctx, &ls, today, Payload::LexSarahReported(reported)),
                ],
                expect: vec![(s.to_owned(), v), (ls, None)],
            })
        }
    }
}

// ------------------------------------------------------------------ lex Sarah

fn report_lex_sarah(r: &LexSarahReported, ctx: &Context, look: &dyn Lookup) -> Result<Outcome, DomainError> {
    role_in(ctx, &REPORTERS, "rapportera enligt lex Sarah")?;
    let stream = r.lex_sarah.stream();
    if look.matter(&stream).is_some() {
        return Err(DomainError::new(ErrorCode::Conflict, "Rapporten är redan registrerad."));
    }
    if r.from_deviation.is_some() {
        return Err(err(
            ErrorCode::InvalidInput,
            "from_deviation",
            "En avvikelse lyfts till lex Sarah från avvikelsen.",
        ));
    }
    unit_exists(ctx.org, &r.unit)?;
    not_future("occurred_on", r.occurred_on, ctx)?;
    required("description", &r.description, "Beskrivningen av missförhållandet")?;
    optional_text("immediate_action", &r.immediate_action, "Det som gjordes direkt")?;
    if let Some(s) = r.risk {
        check_score("risk", s)?;
    }
    check_case(r.case, look)?;
    let mut r = r.clone();
    match &r.assignee {
        Some(a) => staff_exists(ctx.org, a, "assignee")?,
        None => {
            r.assignee = responsible(ctx.org, &r.unit, &ctx.rules.quality.lex_sarah.investigator_roles, ctx.today())
        }
    }
    Ok(one(ctx, &stream, None, ctx.today(), Payload::LexSarahReported(r)))
}

fn lex_sarah(l: &super::LexSarahState, cmd: &LexSarahCommand, ctx: &Context) -> Result<Outcome, DomainError> {
    let h = &l.handling;
    let ls = &ctx.rules.quality.lex_sarah;
    let today = ctx.today();
    let v = Some(h.version);
    let s = h.stream.as_str();
    let decider = ls.decision_roles.contains(&ctx.actor.role) && covers(ctx.org, ctx.actor.unit.as_ref(), &h.unit);
    match cmd {
        LexSarahCommand::Matter(m) => matter_command(h, m, ctx, &ls.investigator_roles, "Lex Sarah-ärendet"),
        LexSarahCommand::Investigate(i) => {
            not_locked(h, "Lex Sarah-ärendet")?;
            if !may_handle(h, ctx, &ls.investigator_roles) {
                return Err(refuse_handle("utreda lex Sarah-rapporten"));
            }
            required("course_of_events", &i.course_of_events, "Händelseförloppet")?;
            required("consequences", &i.consequences, "Konsekvenserna för den enskilde")?;
            required("causes", &i.causes, "Orsakerna")?;
            required("immediate_measures", &i.immediate_measures, "De omedelbara åtgärderna")?;
            required("users_view", &i.users_view, "Den enskildes synpunkter (eller varför de saknas)")?;
            required("staff_view", &i.staff_view, "Personalens synpunkter")?;
            required("analysis", &i.analysis, "Analysen")?;
            Ok(one(ctx, s, v, today, Payload::LexSarahInvestigated(i.clone())))
        }
        LexSarahCommand::Classify(c) => {
            not_locked(h, "Lex Sarah-ärendet")?;
            if !decider {
                return Err(DomainError::new(
                    ErrorCode::NotAuthorised,
                    format!("Bedömningen görs av {} enligt delegationsordningen.", roles_sv(&ls.decision_roles)),
                ));
            }
            if l.investigated_on.is_none() {
                return Err(err(
                    ErrorCode::Incomplete,
                    "classification",
                    "Utredningen är inte ifylld. Utred innan du bedömer.",
                ));
            }
            if l.classification.is_some() && l.ivo_reported_on.is_some() {
                return Err(err(ErrorCode::WrongState, "classification", "Ärendet är redan anmält till IVO."));
            }
            required("motivation", &c.motivation, "Motiveringen")?;
            date_between("decided_on", c.decided_on, h.reported_on, ctx, "rapporten")?;
            Ok(one(ctx, s, v, today, Payload::LexSarahClassified(c.clone())))
        }
        LexSarahCommand::ReportToIvo(r) => {
            not_locked(h, "Lex Sarah-ärendet")?;
            if !decider {
                return Err(DomainError::new(
                    ErrorCode::NotAuthorised,
                    format!("Anmälan till IVO görs av {} enligt delegationsordningen.", roles_sv(&ls.decision_roles)),
                ));
            }
            if l.ivo_reported_on.is_some() {
                return Err(err(ErrorCode::WrongState, "sent_on", "Ärendet är redan anmält till IVO."));
            }
            if l.classification.is_some_and(|c| !c.must_report_to_ivo()) {
                return Err(err(
                    ErrorCode::WrongState,
                    "sent_on",
                    "Bara allvarliga missförhållanden och påtagliga risker för sådana anmäls till IVO.",
                ));
            }
            required("summary", &r.summary, "Anmälans sammanfattning")?;
            optional_text("ivo_reference", &r.ivo_reference, "IVO:s diarienummer")?;
            date_between("sent_on", r.sent_on, h.reported_on, ctx, "rapporten")?;
            Ok(one(ctx, s, v, today, Payload::LexSarahReportedToIvo(r.clone())))
        }
        LexSarahCommand::Close(c) => {
            not_locked(h, "Lex Sarah-ärendet")?;
            if !decider && !may_handle(h, ctx, &ls.investigator_roles) {
                return Err(refuse_handle("avsluta ärendet"));
            }
            if l.classification.is_none() {
                return Err(err(
                    ErrorCode::Incomplete,
                    "summary",
                    "Ärendet är inte bedömt. Bedöm det innan det avslutas.",
                ));
            }
            if l.must_report_to_ivo() && l.ivo_reported_on.is_none() {
                return Err(err(
                    ErrorCode::Incomplete,
                    "summary",
                    "Ärendet är bedömt som allvarligt men inte anmält till IVO. Anmäl innan det avslutas.",
                ));
            }
            required("summary", &c.summary, "Sammanfattningen")?;
            Ok(one(ctx, s, v, today, Payload::MatterLocked(c.clone())))
        }
    }
}

fn roles_sv(roles: &[Role]) -> String {
    roles.iter().map(|r| r.label_sv()).collect::<Vec<_>>().join(" eller ")
}

// ------------------------------------------------------------------ complaints

fn receive_complaint(r: &ComplaintReceived, ctx: &Context, look: &dyn Lookup) -> Result<Outcome, DomainError> {
    role_in(ctx, &REPORTERS, "registrera synpunkter och klagomål")?;
    let stream = r.complaint.stream();
    if look.matter(&stream).is_some() {
        return Err(DomainError::new(ErrorCode::Conflict, "Synpunkten är redan registrerad."));
    }
    unit_exists(ctx.org, &r.unit)?;
    not_future("received_on", r.received_on, ctx)?;
    required("description", &r.description, "Synpunkten")?;
    optional_text("contact", &r.contact, "Kontaktuppgiften")?;
    if r.source == ComplaintSource::Anonymous && r.contact.as_deref().is_some_and(|c| !c.trim().is_empty()) {
        return Err(err(ErrorCode::InvalidInput, "contact", "En anonym synpunkt har ingen kontaktuppgift."));
    }
    check_case(r.case, look)?;
    let mut r = r.clone();
    match &r.assignee {
        Some(a) => staff_exists(ctx.org, a, "assignee")?,
        None => r.assignee = responsible(ctx.org, &r.unit, &[Role::UnitManager], ctx.today()),
    }
    let on = ctx.today();
    Ok(one(ctx, &stream, None, on, Payload::ComplaintReceived(r)))
}

fn complaint(c: &super::ComplaintState, cmd: &ComplaintCommand, ctx: &Context) -> Result<Outcome, DomainError> {
    let h = &c.handling;
    let roles = &ctx.rules.quality.deviation_investigator_roles;
    let today = ctx.today();
    let v = Some(h.version);
    let s = h.stream.as_str();
    match cmd {
        ComplaintCommand::Matter(m) => matter_command(h, m, ctx, roles, "Synpunkten"),
        ComplaintCommand::Contact(x) => {
            not_locked(h, "Synpunkten")?;
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("registrera kontakten"));
            }
            required("text", &x.text, "Kontakten")?;
            date_between("on", x.on, c.received_on, ctx, "mottagandet")?;
            Ok(one(ctx, s, v, today, Payload::ComplaintContacted(x.clone())))
        }
        ComplaintCommand::Answer(x) => {
            not_locked(h, "Synpunkten")?;
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("besvara synpunkten"));
            }
            if c.anonymous {
                return Err(err(
                    ErrorCode::WrongState,
                    "text",
                    "En anonym synpunkt kan inte besvaras. Avsluta den med en sammanfattning.",
                ));
            }
            required("text", &x.text, "Svaret")?;
            date_between("on", x.on, c.received_on, ctx, "mottagandet")?;
            Ok(one(ctx, s, v, today, Payload::ComplaintAnswered(x.clone())))
        }
        ComplaintCommand::Close(x) => {
            not_locked(h, "Synpunkten")?;
            if !may_handle(h, ctx, roles) {
                return Err(refuse_handle("avsluta synpunkten"));
            }
            if !c.anonymous && c.answered_on.is_none() {
                return Err(err(
                    ErrorCode::Incomplete,
                    "summary",
                    "Synpunkten är inte besvarad. Svara innan du avslutar.",
                ));
            }
            required("summary", &x.summary, "Sammanfattningen")?;
            Ok(one(ctx, s, v, today, Payload::MatterLocked(x.clone())))
        }
    }
}

// ------------------------------------------------------------------ internal control

fn register_risk(r: &RiskRegistered, ctx: &Context) -> Result<Outcome, DomainError> {
    role_in(ctx, &RISK_ROLES, "föra in risker i riskregistret")?;
    required("title", &r.title, "Risken")?;
    required("description", &r.description, "Beskrivningen")?;
    required("process", &r.process, "Processen")?;
    check_score("score", r.score)?;
    if let Some(u) = &r.unit {
        unit_exists(ctx.org, u)?;
    }
    Ok(one(ctx, &r.risk.stream(), None, ctx.today(), Payload::RiskRegistered(r.clone())))
}

fn risk(r: &super::RiskState, cmd: &RiskCommand, ctx: &Context) -> Result<Outcome, DomainError> {
    role_in(ctx, &RISK_ROLES, "ändra riskregistret")?;
    if r.retired_on.is_some() {
        return Err(DomainError::new(ErrorCode::WrongState, "Risken är avförd ur registret."));
    }
    let s = r.id.stream();
    let v = Some(r.version);
    match cmd {
        RiskCommand::Reassess(x) => {
            check_score("score", x.score)?;
            required("comment", &x.comment, "Kommentaren")?;
            Ok(one(ctx, &s, v, ctx.today(), Payload::RiskReassessed(x.clone())))
        }
        RiskCommand::Retire(x) => {
            required("reason", &x.reason, "Skälet")?;
            Ok(one(ctx, &s, v, ctx.today(), Payload::RiskRetired(x.clone())))
        }
    }
}

fn check_moment(m: &ControlMoment, ctx: &Context, look: &dyn Lookup) -> Result<(), DomainError> {
    if !matches!(look.matter(&m.risk.stream()), Some(Matter::Risk(_))) {
        return Err(err(ErrorCode::NotFound, "moments.risk", "Risken finns inte i riskregistret."));
    }
    required("moments.control", &m.control, "Kontrollen")?;
    required("moments.method", &m.method, "Metoden")?;
    staff_exists(ctx.org, &m.owner, "moments.owner")
}

fn adopt_plan(p: &ControlPlanAdopted, ctx: &Context, look: &dyn Lookup) -> Result<Outcome, DomainError> {
    role_in(ctx, &PLAN_ROLES, "föra in internkontrollplanen")?;
    required("board_reference", &p.board_reference, "Nämndens beslut (paragraf)")?;
    not_future("adopted_on", p.adopted_on, ctx)?;
    if !(2000..=2100).contains(&p.year) {
        return Err(err(ErrorCode::InvalidInput, "year", "Ange planens år."));
    }
    if p.moments.len() > MAX_ITEMS {
        return Err(err(ErrorCode::InvalidInput, "moments", "För många kontrollmoment."));
    }
    let mut p = p.clone();
    for (i, m) in p.moments.iter_mut().enumerate() {
        check_moment(m, ctx, look)?;
        m.moment = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    Ok(one(ctx, &p.plan.stream(), None, ctx.today(), Payload::ControlPlanAdopted(p.clone())))
}

fn control_plan(
    p: &super::ControlPlanState,
    cmd: &ControlPlanCommand,
    ctx: &Context,
    look: &dyn Lookup,
) -> Result<Outcome, DomainError> {
    let s = p.id.stream();
    let v = Some(p.version);
    let today = ctx.today();
    let planner = PLAN_ROLES.contains(&ctx.actor.role);
    match cmd {
        ControlPlanCommand::AddMoment(a) => {
            role_in(ctx, &PLAN_ROLES, "ändra internkontrollplanen")?;
            check_moment(&a.moment, ctx, look)?;
            let mut a = a.clone();
            a.moment.moment = p.moments.iter().map(|m| m.moment.moment).max().unwrap_or(0) + 1;
            Ok(one(ctx, &s, v, today, Payload::ControlMomentAdded(a)))
        }
        ControlPlanCommand::RecordResult(r) => {
            let Some(m) = p.moments.iter().find(|m| m.moment.moment == r.moment) else {
                return Err(err(ErrorCode::NotFound, "moment", "Kontrollmomentet finns inte."));
            };
            if m.moment.owner != ctx.actor.staff && !planner {
                return Err(DomainError::new(
                    ErrorCode::NotAuthorised,
                    "Resultatet förs in av kontrollmomentets ägare eller kvalitetsutvecklare.",
                ));
            }
            required("result", &r.result, "Resultatet")?;
            date_between("on", r.on, p.adopted_on, ctx, "planens antagande")?;
            Ok(one(ctx, &s, v, today, Payload::ControlResultRecorded(r.clone())))
        }
        ControlPlanCommand::DecideMeasure(m) => {
            role_in(ctx, &PLAN_ROLES, "besluta om åtgärder i internkontrollen")?;
            Ok(one(ctx, &s, v, today, Payload::MeasureDecided(new_measure(m, &p.measures, ctx)?)))
        }
        ControlPlanCommand::CompleteMeasure(c) => {
            let m = measure(&p.measures, c.measure)?;
            if m.owner != ctx.actor.staff && !planner {
                return Err(DomainError::new(
                    ErrorCode::NotAuthorised,
                    "Åtgärden markeras som genomförd av den som äger den.",
                ));
            }
            completable(m, c, ctx)?;
            Ok(one(ctx, &s, v, today, Payload::MeasureCompleted(c.clone())))
        }
        ControlPlanCommand::SubmitReport(r) => {
            role_in(ctx, &PLAN_ROLES, "rapportera internkontrollen till nämnden")?;
            if p.reported_on.is_some() {
                return Err(err(ErrorCode::WrongState, "on", "Uppföljningen är redan rapporterad till nämnden."));
            }
            if let Some(m) = p.moments.iter().find(|m| m.result_on.is_none()) {
                return Err(err(
                    ErrorCode::Incomplete,
                    "on",
                    format!("Kontrollmoment {} saknar resultat. För in alla resultat före rapporten.", m.moment.moment),
                ));
            }
            required("text", &r.text, "Rapporten")?;
            date_between("on", r.on, p.adopted_on, ctx, "planens antagande")?;
            Ok(one(ctx, &s, v, today, Payload::ControlReportSubmitted(r.clone())))
        }
    }
}

// ------------------------------------------------------------------ user surveys

fn define_survey(d: &SurveyDefined, ctx: &Context) -> Result<Outcome, DomainError> {
    role_in(ctx, &[Role::QualityDeveloper], "lägga upp brukarundersökningar")?;
    required("name", &d.name, "Namnet")?;
    if d.units.is_empty() {
        return Err(err(ErrorCode::InvalidInput, "units", "Välj minst en enhet."));
    }
    for u in &d.units {
        unit_exists(ctx.org, u)?;
    }
    if d.to < d.from {
        return Err(err(ErrorCode::InvalidInput, "to", "Perioden slutar före den börjar."));
    }
    if !(2..=10).contains(&d.scale_max) {
        return Err(err(ErrorCode::InvalidInput, "scale_max", "Skalan går från 1 till 2–10."));
    }
    if d.questions.is_empty() || d.questions.len() > 100 {
        return Err(err(ErrorCode::InvalidInput, "questions", "Ange 1–100 frågor."));
    }
    for q in &d.questions {
        required("questions", &q.text, "Frågan")?;
    }
    Ok(one(ctx, &d.survey.stream(), None, ctx.today(), Payload::SurveyDefined(d.clone())))
}

fn survey(s: &super::SurveyState, cmd: &SurveyCommand, ctx: &Context) -> Result<Outcome, DomainError> {
    role_in(ctx, &SURVEY_ROLES, "föra in svar i brukarundersökningar")?;
    let unit_ok = |u: &UnitId| {
        s.units.contains(u) && (ctx.actor.role == Role::QualityDeveloper || covers(ctx.org, ctx.actor.unit.as_ref(), u))
    };
    let stream = s.id.stream();
    let v = Some(s.version);
    match cmd {
        SurveyCommand::RecordInvitations(i) => {
            if i.invited.is_empty() || i.invited.len() > MAX_ITEMS {
                return Err(err(ErrorCode::InvalidInput, "invited", "Ange antalet tillfrågade."));
            }
            if let Some(bad) = i.invited.iter().find(|x| !unit_ok(&x.unit)) {
                return Err(err(
                    ErrorCode::InvalidInput,
                    "invited.unit",
                    format!("Enheten {} ingår inte i undersökningen.", bad.unit),
                ));
            }
            Ok(one(ctx, &stream, v, ctx.today(), Payload::SurveyInvitationsRecorded(i.clone())))
        }
        SurveyCommand::RecordResponses(r) => {
            if r.responses.is_empty() || r.responses.len() > MAX_ITEMS {
                return Err(err(
                    ErrorCode::InvalidInput,
                    "responses",
                    "Inga svar att föra in (högst 10 000 per gång).",
                ));
            }
            required("source", &r.source, "Källan")?;
            for (i, resp) in r.responses.iter().enumerate() {
                let row = i + 1;
                if !unit_ok(&resp.unit) {
                    return Err(err(
                        ErrorCode::InvalidInput,
                        "responses.unit",
                        format!("Svar {row}: enheten ingår inte i undersökningen."),
                    ));
                }
                if resp.answers.len() != s.questions.len() {
                    return Err(err(
                        ErrorCode::InvalidInput,
                        "responses.answers",
                        format!(
                            "Svar {row}: {} svar, men undersökningen har {} frågor.",
                            resp.answers.len(),
                            s.questions.len()
                        ),
                    ));
                }
                if resp.answers.iter().flatten().any(|a| *a < 1 || *a > s.scale_max) {
                    return Err(err(
                        ErrorCode::InvalidInput,
                        "responses.answers",
                        format!("Svar {row}: svaren ska ligga mellan 1 och {}.", s.scale_max),
                    ));
                }
            }
            Ok(one(ctx, &stream, v, ctx.today(), Payload::SurveyResponsesRecorded(r.clone())))
        }
    }
}

// ------------------------------------------------------------------ file audit (aktgranskning)

/// Who opens the year's audit and owns its analysis with the unit's manager.
const AUDIT_OWNERS: [Role; 4] =
    [Role::QualityDeveloper, Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration];
/// Who audits files: the routine has handlers, team leaders and managers audit in pairs.
const AUDITORS: [Role; 6] = [
    Role::QualityDeveloper,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::TeamLeader,
    Role::Handler,
];

fn open_file_audit(a: &FileAuditOpened, ctx: &Context, look: &dyn Lookup) -> Result<Outcome, DomainError> {
    role_in(ctx, &[Role::QualityDeveloper], "öppna årets aktgranskning")?;
    let stream = a.audit.stream();
    if look.matter(&stream).is_some() {
        return Err(DomainError::new(ErrorCode::Conflict, "Aktgranskningen är redan öppnad."));
    }
    unit_exists(ctx.org, &a.unit)?;
    if !(2000..=2100).contains(&a.year) {
        return Err(err(ErrorCode::InvalidInput, "year", "Ange granskningens år."));
    }
    if a.files.is_empty() || a.files.len() > 200 {
        return Err(err(ErrorCode::InvalidInput, "files", "Urvalet ska ha 1–200 akter."));
    }
    required("method", &a.method, "Urvalsmetoden")?;
    let mut seen = std::collections::HashSet::new();
    for f in &a.files {
        if !seen.insert(f.case) {
            return Err(err(ErrorCode::InvalidInput, "files", "Samma akt finns två gånger i urvalet."));
        }
        match look.case(&f.case) {
            Some(c) if covers(ctx.org, Some(&a.unit), &c.unit) => {}
            _ => return Err(err(ErrorCode::NotFound, "files", "En akt i urvalet finns inte i enheten.")),
        }
    }
    for d in &a.drop_outs {
        if !seen.contains(&d.case) {
            return Err(err(ErrorCode::InvalidInput, "drop_outs", "Ett bortfall måste vara en dragen akt."));
        }
        required("drop_outs.reason", &d.reason, "Skälet till bortfallet")?;
    }
    // The questions: the unit type's template as it stands now, recorded with the audit.
    let catalogue = crate::checks::Questionnaire::defaults()?;
    let asked = ctx.org.audit_questions(&a.unit, &catalogue).question;
    if !a.questions.is_empty() && a.questions != asked {
        return Err(err(
            ErrorCode::Conflict,
            "questions",
            "Frågorna stämmer inte med enhetstypens frågemall; mallen har ändrats. Försök igen.",
        ));
    }
    let unit = a.unit.clone();
    let mut a = a.clone();
    a.questions = asked;
    let events = vec![event(ctx, &stream, ctx.today(), Payload::FileAuditOpened(a))];
    let mut out = Outcome { events, expect: vec![(stream.clone(), None)] };
    // The analysis and the improvement actions are the unit manager's.
    if let Some(m) = responsible(ctx.org, &unit, &[Role::UnitManager], ctx.today()) {
        out.events.push(event(ctx, &stream, ctx.today(), Payload::MatterAssigned(MatterAssigned { assignee: m })));
    }
    Ok(out)
}

fn file_audit(
    a: &super::FileAuditState,
    cmd: &FileAuditCommand,
    ctx: &Context,
    _look: &dyn Lookup,
) -> Result<Outcome, DomainError> {
    let h = &a.handling;
    let today = ctx.today();
    let v = Some(h.version);
    let s = h.stream.as_str();
    match cmd {
        FileAuditCommand::Matter(m) => matter_command(h, m, ctx, &AUDIT_OWNERS, "Aktgranskningen"),
        FileAuditCommand::Answer(r) => {
            not_locked(h, "Aktgranskningen")?;
            role_in(ctx, &AUDITORS, "granska akter")?;
            if r.answers.is_empty() || r.answers.len() > MAX_ITEMS {
                return Err(err(ErrorCode::InvalidInput, "answers", "Inga svar att föra in."));
            }
            required("source", &r.source, "Källan")?;
            for (i, x) in r.answers.iter().enumerate() {
                let row = i + 1;
                let Some(file) = a.audited().find(|f| f.case == x.case) else {
                    return Err(err(
                        ErrorCode::InvalidInput,
                        "answers.case",
                        format!("Svar {row}: akten ingår inte i urvalet (eller är ett bortfall)."),
                    ));
                };
                // Nobody audits a file they handle themselves.
                if file.handler.as_ref() == Some(&ctx.actor.staff) {
                    return Err(err(
                        ErrorCode::NotAuthorised,
                        "answers.case",
                        format!("Svar {row}: du granskar inte en akt där du själv är handläggare."),
                    ));
                }
                required("answers.question", &x.question, "Frågan")?;
                if a.questions.get(x.section, &x.question).is_none() {
                    return Err(err(
                        ErrorCode::InvalidInput,
                        "answers.question",
                        format!("Svar {row}: frågan {} ingår inte i granskningens frågelista.", x.question),
                    ));
                }
                let overrides = x.automatic.is_some_and(|auto| auto != x.reply);
                let commented = x.comment.as_deref().is_some_and(|c| !c.trim().is_empty());
                if overrides && !commented {
                    return Err(err(
                        ErrorCode::InvalidInput,
                        "answers.comment",
                        format!("Svar {row}: du ändrar det automatiska svaret — skriv en kommentar om varför."),
                    ));
                }
                optional_text("answers.comment", &x.comment, "Kommentaren")?;
            }
            Ok(one(ctx, s, v, today, Payload::FileAuditAnswersRecorded(r.clone())))
        }
        FileAuditCommand::DropOut(d) => {
            not_locked(h, "Aktgranskningen")?;
            if ctx.actor.role != Role::QualityDeveloper && !may_handle(h, ctx, &AUDIT_OWNERS) {
                return Err(refuse_handle("registrera bortfall"));
            }
            if !a.files.iter().any(|f| f.case == d.case) {
                return Err(err(ErrorCode::InvalidInput, "case", "Akten ingår inte i urvalet."));
            }
            if a.drop_outs.iter().any(|x| x.case == d.case) {
                return Err(err(ErrorCode::InvalidInput, "case", "Akten är redan ett bortfall."));
            }
            if a.answers.keys().any(|(c, _, _)| *c == d.case) {
                return Err(err(
                    ErrorCode::InvalidInput,
                    "case",
                    "Akten är redan granskad och kan inte bli ett bortfall.",
                ));
            }
            required("reason", &d.reason, "Skälet till bortfallet")?;
            Ok(one(ctx, s, v, today, Payload::FileAuditDropOutRecorded(d.clone())))
        }
        FileAuditCommand::Analyse(x) => {
            not_locked(h, "Aktgranskningen")?;
            if !may_handle(h, ctx, &AUDIT_OWNERS) {
                return Err(refuse_handle("skriva enhetens analys"));
            }
            if a.answers.is_empty() {
                return Err(err(ErrorCode::Incomplete, "keep_doing", "Inga akter är granskade ännu."));
            }
            required("keep_doing", &x.keep_doing, "Hur vi behåller goda resultat")?;
            required("improve", &x.improve, "Vad som behöver förbättras")?;
            Ok(one(ctx, s, v, today, Payload::FileAuditAnalysed(x.clone())))
        }
        FileAuditCommand::Close(x) => {
            not_locked(h, "Aktgranskningen")?;
            if !may_handle(h, ctx, &AUDIT_OWNERS) {
                return Err(refuse_handle("avsluta aktgranskningen"));
            }
            if let Some(f) = a.audited().find(|f| !a.answers.keys().any(|(c, _, _)| *c == f.case)) {
                return Err(err(
                    ErrorCode::Incomplete,
                    "summary",
                    format!("Akten {} är inte granskad. Granska alla akter (eller ange bortfall) först.", f.case),
                ));
            }
            if a.analysed_on.is_none() {
                return Err(err(ErrorCode::Incomplete, "summary", "Enhetens analys saknas."));
            }
            required("summary", &x.summary, "Sammanfattningen")?;
            Ok(one(ctx, s, v, today, Payload::MatterLocked(x.clone())))
        }
    }
}
