//! The quality-management system (ledningssystem för systematiskt kvalitetsarbete,
//! SOSFS 2011:9; DOMAIN §5) as pure folds and commands over the journal.
//!
//! - `model`    the vocabulary and the events' payloads
//! - `rules`    `[quality]` in the rule table
//! - `commands` report, investigate, measure, follow up, lock, escalate … → events or a refusal
//! - `detect`   the deviations the system sees for itself in a case
//! - `stats`    the counts the annual quality report and the trend view need
//!
//! Each matter is one journal stream. Its state (this file) holds dates, ids, codes and
//! statuses. Texts about what happened to a person (deviation, lex Sarah and complaint
//! texts) stay in the journal and are read per matter, as for cases; the names of risks,
//! control moments and survey questions — the organisation's own words — are kept.

pub mod commands;
pub mod detect;
pub mod model;
pub mod rules;
pub mod stats;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::calendar::add_days;
use crate::checks::{Reply, Section};
use crate::clock::DeadlineState;
use crate::events::{Payload, RecordedEvent};
use crate::ids::{
    CaseId, ComplaintId, ControlPlanId, DeviationId, FileAuditId, LexSarahId, RiskId, StaffId, SurveyId, UnitId,
};
use crate::org::Role;
use crate::rules::RuleTable;
use model::*;
use std::collections::BTreeMap;

/// A measure (åtgärd) with its owner and due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Measure {
    pub measure: u32,
    pub owner: StaffId,
    pub due: NaiveDate,
    pub decided_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

/// A measure decided (replacing one with the same number) or completed: the same on a
/// deviation, lex Sarah, complaint, file audit and control plan.
fn fold_measure(measures: &mut Vec<Measure>, e: &RecordedEvent) {
    match &e.payload {
        Payload::MeasureDecided(m) => {
            measures.retain(|x| x.measure != m.measure);
            measures.push(Measure {
                measure: m.measure,
                owner: m.owner.clone(),
                due: m.due,
                decided_on: e.meta.effective_on,
                completed_on: None,
            });
        }
        Payload::MeasureCompleted(c) => {
            if let Some(m) = measures.iter_mut().find(|m| m.measure == c.measure) {
                m.completed_on = Some(c.completed_on);
            }
        }
        _ => {}
    }
}

/// What every deviation, lex Sarah and complaint has: who handles it, its measures and
/// follow-ups, and when it was locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Handling {
    pub stream: String,
    pub version: u32,
    pub last_seq: u64,
    pub unit: UnitId,
    pub assignee: Option<StaffId>,
    pub reported_by: StaffId,
    pub reported_role: Role,
    pub reported_at: DateTime<Utc>,
    /// The date of the report (the clock starts here).
    pub reported_on: NaiveDate,
    pub case: Option<CaseId>,
    pub measures: Vec<Measure>,
    /// Follow-ups made: date and effect.
    pub follow_ups: Vec<(NaiveDate, Effect)>,
    pub next_follow_up: Option<NaiveDate>,
    pub locked_on: Option<NaiveDate>,
    pub notes: u32,
}

impl Handling {
    fn new(e: &RecordedEvent, unit: UnitId, assignee: Option<StaffId>, case: Option<CaseId>) -> Self {
        Self {
            stream: e.stream.clone(),
            version: e.version,
            last_seq: e.seq,
            unit,
            assignee,
            reported_by: e.meta.actor.clone(),
            reported_role: e.meta.role,
            reported_at: e.meta.recorded_at,
            reported_on: e.meta.effective_on,
            case,
            measures: Vec::new(),
            follow_ups: Vec::new(),
            next_follow_up: None,
            locked_on: None,
            notes: 0,
        }
    }

    /// The events every matter shares. Returns false for an event it does not know.
    fn apply_common(&mut self, e: &RecordedEvent) -> bool {
        self.version = e.version;
        self.last_seq = e.seq;
        match &e.payload {
            Payload::MatterAssigned(a) => self.assignee = Some(a.assignee.clone()),
            Payload::MeasureDecided(_) | Payload::MeasureCompleted(_) => fold_measure(&mut self.measures, e),
            Payload::FollowUpPlanned(p) => self.next_follow_up = Some(p.due),
            Payload::FollowUpRecorded(f) => {
                self.follow_ups.push((e.meta.effective_on, f.effect));
                self.next_follow_up = f.next_follow_up;
            }
            Payload::QualityNoteWritten(_) => self.notes += 1,
            Payload::MatterLocked(_) => self.locked_on = Some(e.meta.effective_on),
            _ => return false,
        }
        true
    }

    pub fn open_measures(&self) -> impl Iterator<Item = &Measure> {
        self.measures.iter().filter(|m| m.completed_on.is_none())
    }
    /// Whether `staff` has a part in the matter (reporter, assignee or measure owner).
    pub fn involves(&self, staff: &StaffId) -> bool {
        &self.reported_by == staff
            || self.assignee.as_ref() == Some(staff)
            || self.measures.iter().any(|m| &m.owner == staff)
    }
}

// ------------------------------------------------------------------ deviation

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviationStatus {
    /// inrapporterad
    Reported,
    /// under utredning
    UnderInvestigation,
    /// sent on to the body that investigates it
    Forwarded,
    /// utredd och låst
    Locked,
    /// handled further as lex Sarah
    Escalated,
}

impl DeviationStatus {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Reported => "Inrapporterad",
            Self::UnderInvestigation => "Under utredning",
            Self::Forwarded => "Skickad vidare",
            Self::Locked => "Avslutad (låst)",
            Self::Escalated => "Lyft till lex Sarah",
        }
    }
    /// Still on someone's desk (the year-end count's "öppen").
    pub fn is_open(self) -> bool {
        matches!(self, Self::Reported | Self::UnderInvestigation | Self::Forwarded)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DeviationState {
    pub id: DeviationId,
    #[serde(flatten)]
    pub handling: Handling,
    pub occurred_on: NaiveDate,
    pub category: String,
    pub direction: DeviationDirection,
    pub detection: Option<DetectionKind>,
    pub detection_key: Option<String>,
    pub risk: Option<RiskScore>,
    pub investigated_on: Option<NaiveDate>,
    pub recurrence_prevented: Option<bool>,
    pub feedback_on: Option<NaiveDate>,
    pub forwarded_on: Option<NaiveDate>,
    pub external_answer_on: Option<NaiveDate>,
    pub escalated_to: Option<LexSarahId>,
    pub escalated_on: Option<NaiveDate>,
}

impl DeviationState {
    pub fn status(&self) -> DeviationStatus {
        if self.escalated_to.is_some() {
            DeviationStatus::Escalated
        } else if self.handling.locked_on.is_some() {
            DeviationStatus::Locked
        } else if self.forwarded_on.is_some() {
            DeviationStatus::Forwarded
        } else if self.investigated_on.is_some() || !self.handling.measures.is_empty() {
            DeviationStatus::UnderInvestigation
        } else {
            DeviationStatus::Reported
        }
    }
    /// Reported by a person (who is owed feedback), not found by the system.
    pub fn has_human_reporter(&self) -> bool {
        self.detection.is_none() && self.handling.reported_role != Role::System
    }
    /// When the deviation's 6-week clock stopped: locked, escalated, or (outgoing) sent on.
    pub fn clock_met_on(&self) -> Option<NaiveDate> {
        let outgoing = (self.direction == DeviationDirection::ExternalOutgoing).then_some(self.forwarded_on).flatten();
        [self.handling.locked_on, self.escalated_on, outgoing].into_iter().flatten().min()
    }
}

// ------------------------------------------------------------------ lex Sarah

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LexSarahStatus {
    Reported,
    UnderInvestigation,
    Classified,
    ReportedToIvo,
    Closed,
}

impl LexSarahStatus {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Reported => "Rapporterad",
            Self::UnderInvestigation => "Under utredning",
            Self::Classified => "Bedömd",
            Self::ReportedToIvo => "Anmäld till IVO",
            Self::Closed => "Avslutad",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LexSarahState {
    pub id: LexSarahId,
    #[serde(flatten)]
    pub handling: Handling,
    pub occurred_on: NaiveDate,
    pub from_deviation: Option<DeviationId>,
    pub risk: Option<RiskScore>,
    pub investigated_on: Option<NaiveDate>,
    pub classification: Option<LexSarahClassification>,
    pub classified_on: Option<NaiveDate>,
    pub ivo_reported_on: Option<NaiveDate>,
}

impl LexSarahState {
    pub fn status(&self) -> LexSarahStatus {
        if self.handling.locked_on.is_some() {
            LexSarahStatus::Closed
        } else if self.ivo_reported_on.is_some() {
            LexSarahStatus::ReportedToIvo
        } else if self.classification.is_some() {
            LexSarahStatus::Classified
        } else if self.investigated_on.is_some() {
            LexSarahStatus::UnderInvestigation
        } else {
            LexSarahStatus::Reported
        }
    }
    pub fn must_report_to_ivo(&self) -> bool {
        self.classification.is_some_and(|c| c.must_report_to_ivo())
    }
}

// ------------------------------------------------------------------ complaints

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ComplaintState {
    pub id: ComplaintId,
    #[serde(flatten)]
    pub handling: Handling,
    pub kind: ComplaintKind,
    pub source: ComplaintSource,
    pub subject: ComplaintSubject,
    pub received_on: NaiveDate,
    pub anonymous: bool,
    pub contacted_on: Option<NaiveDate>,
    pub answered_on: Option<NaiveDate>,
}

impl ComplaintState {
    pub fn status_sv(&self) -> &'static str {
        if self.handling.locked_on.is_some() {
            "Avslutad"
        } else if self.answered_on.is_some() {
            "Besvarad"
        } else if self.contacted_on.is_some() {
            "Kontakt tagen"
        } else {
            "Mottagen"
        }
    }
}

// ------------------------------------------------------------------ internal control

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RiskState {
    pub id: RiskId,
    pub version: u32,
    pub title: String,
    pub process: String,
    pub unit: Option<UnitId>,
    pub score: RiskScore,
    pub registered_on: NaiveDate,
    pub assessed_on: NaiveDate,
    pub retired_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MomentState {
    #[serde(flatten)]
    pub moment: ControlMoment,
    pub result_on: Option<NaiveDate>,
    pub remarks: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ControlPlanState {
    pub id: ControlPlanId,
    pub version: u32,
    pub year: i32,
    pub adopted_on: NaiveDate,
    pub board_reference: String,
    pub moments: Vec<MomentState>,
    pub measures: Vec<Measure>,
    pub reported_on: Option<NaiveDate>,
    pub adopted_by: StaffId,
}

// ------------------------------------------------------------------ surveys

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SurveyState {
    pub id: SurveyId,
    pub version: u32,
    pub name: String,
    pub units: Vec<UnitId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub scale_max: u8,
    pub questions: Vec<SurveyQuestion>,
    pub invited: Vec<SurveyInvited>,
    pub responses: Vec<SurveyResponse>,
}

// ------------------------------------------------------------------ file audit

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileAuditState {
    pub id: FileAuditId,
    /// The unit's manager owns the analysis and the improvement actions (measures).
    #[serde(flatten)]
    pub handling: Handling,
    pub year: i32,
    pub seed: u64,
    pub method: String,
    pub population: u32,
    pub files: Vec<AuditedFile>,
    pub drop_outs: Vec<AuditDropOut>,
    /// The questions this audit asks (recorded when opened; the default questionnaire for an
    /// audit opened before templates).
    pub questions: crate::checks::Questionnaire,
    /// The standing answer per (file, section, question): reply, automatic answer, overridden.
    #[serde(skip)]
    pub answers: BTreeMap<(CaseId, Section, String), AnswerState>,
    pub analysed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerState {
    pub reply: Reply,
    pub automatic: Option<Reply>,
    /// The auditor's answer differs from the record's automatic one (with a comment).
    pub overridden: bool,
}

impl FileAuditState {
    /// Files actually audited (drawn minus drop-outs).
    pub fn audited(&self) -> impl Iterator<Item = &AuditedFile> {
        self.files.iter().filter(|f| !self.drop_outs.iter().any(|d| d.case == f.case))
    }
}

// ------------------------------------------------------------------ the fold

/// One quality matter, folded from its stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matter {
    Deviation(DeviationState),
    LexSarah(LexSarahState),
    Complaint(ComplaintState),
    Risk(RiskState),
    ControlPlan(ControlPlanState),
    Survey(SurveyState),
    FileAudit(FileAuditState),
}

impl Matter {
    /// Starts a matter from its first event.
    pub fn start(e: &RecordedEvent) -> Option<Self> {
        Some(match &e.payload {
            Payload::DeviationReported(d) => Self::Deviation(DeviationState {
                id: d.deviation,
                handling: Handling::new(e, d.unit.clone(), d.assignee.clone(), d.case),
                occurred_on: d.occurred_on,
                category: d.category.clone(),
                direction: d.direction,
                detection: match &d.source {
                    DeviationSource::System { detection, .. } => Some(*detection),
                    DeviationSource::Staff => None,
                },
                detection_key: match &d.source {
                    DeviationSource::System { key, .. } => Some(key.clone()),
                    DeviationSource::Staff => None,
                },
                risk: d.risk,
                investigated_on: None,
                recurrence_prevented: None,
                feedback_on: None,
                forwarded_on: None,
                external_answer_on: None,
                escalated_to: None,
                escalated_on: None,
            }),
            Payload::LexSarahReported(l) => Self::LexSarah(LexSarahState {
                id: l.lex_sarah,
                handling: Handling::new(e, l.unit.clone(), l.assignee.clone(), l.case),
                occurred_on: l.occurred_on,
                from_deviation: l.from_deviation,
                risk: l.risk,
                investigated_on: None,
                classification: None,
                classified_on: None,
                ivo_reported_on: None,
            }),
            Payload::ComplaintReceived(c) => Self::Complaint(ComplaintState {
                id: c.complaint,
                handling: Handling::new(e, c.unit.clone(), c.assignee.clone(), c.case),
                kind: c.kind,
                source: c.source,
                subject: c.subject,
                received_on: c.received_on,
                anonymous: c.contact.as_deref().is_none_or(|s| s.trim().is_empty()),
                contacted_on: None,
                answered_on: None,
            }),
            Payload::RiskRegistered(r) => Self::Risk(RiskState {
                id: r.risk,
                version: e.version,
                title: r.title.clone(),
                process: r.process.clone(),
                unit: r.unit.clone(),
                score: r.score,
                registered_on: e.meta.effective_on,
                assessed_on: e.meta.effective_on,
                retired_on: None,
            }),
            Payload::ControlPlanAdopted(p) => Self::ControlPlan(ControlPlanState {
                id: p.plan,
                version: e.version,
                year: p.year,
                adopted_on: p.adopted_on,
                board_reference: p.board_reference.clone(),
                moments: p
                    .moments
                    .iter()
                    .map(|m| MomentState { moment: m.clone(), result_on: None, remarks: None })
                    .collect(),
                measures: Vec::new(),
                reported_on: None,
                adopted_by: e.meta.actor.clone(),
            }),
            Payload::SurveyDefined(s) => Self::Survey(SurveyState {
                id: s.survey,
                version: e.version,
                name: s.name.clone(),
                units: s.units.clone(),
                from: s.from,
                to: s.to,
                scale_max: s.scale_max,
                questions: s.questions.clone(),
                invited: Vec::new(),
                responses: Vec::new(),
            }),
            Payload::FileAuditOpened(a) => Self::FileAudit(FileAuditState {
                id: a.audit,
                // Assigned to the unit's manager by the command (the analysis is theirs).
                handling: Handling::new(e, a.unit.clone(), None, None),
                year: a.year,
                seed: a.seed,
                method: a.method.clone(),
                population: a.population,
                files: a.files.clone(),
                drop_outs: a.drop_outs.clone(),
                questions: if a.questions.is_empty() {
                    crate::checks::Questionnaire::defaults()
                        .unwrap_or(crate::checks::Questionnaire { question: Vec::new() })
                } else {
                    crate::checks::Questionnaire { question: a.questions.clone() }
                },
                answers: BTreeMap::new(),
                analysed_on: None,
            }),
            _ => return None,
        })
    }

    /// Folds a stream's events.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a RecordedEvent>) -> Option<Self> {
        let mut m: Option<Self> = None;
        for e in events {
            match m.as_mut() {
                None => m = Self::start(e),
                Some(s) => s.apply(e),
            }
        }
        m
    }

    /// Applies one more event of the matter's stream.
    pub fn apply(&mut self, e: &RecordedEvent) {
        match self {
            Self::Deviation(d) => {
                if d.handling.apply_common(e) {
                    return;
                }
                match &e.payload {
                    Payload::DeviationInvestigated(i) => {
                        d.investigated_on = Some(e.meta.effective_on);
                        d.recurrence_prevented = Some(i.recurrence_prevented);
                        if i.risk.is_some() {
                            d.risk = i.risk;
                        }
                    }
                    Payload::FeedbackGiven(_) => d.feedback_on = Some(e.meta.effective_on),
                    Payload::DeviationForwarded(f) => d.forwarded_on = Some(f.sent_on),
                    Payload::ExternalAnswerReceived(a) => d.external_answer_on = Some(a.received_on),
                    Payload::DeviationEscalated(x) => {
                        d.escalated_to = Some(x.lex_sarah);
                        d.escalated_on = Some(e.meta.effective_on);
                        d.risk = Some(x.risk);
                    }
                    _ => {}
                }
            }
            Self::LexSarah(l) => {
                if l.handling.apply_common(e) {
                    return;
                }
                match &e.payload {
                    Payload::LexSarahInvestigated(_) => l.investigated_on = Some(e.meta.effective_on),
                    Payload::LexSarahClassified(c) => {
                        l.classification = Some(c.classification);
                        l.classified_on = Some(c.decided_on);
                    }
                    Payload::LexSarahReportedToIvo(r) => l.ivo_reported_on = Some(r.sent_on),
                    _ => {}
                }
            }
            Self::Complaint(c) => {
                if c.handling.apply_common(e) {
                    return;
                }
                match &e.payload {
                    Payload::ComplaintContacted(x) => c.contacted_on = Some(x.on),
                    Payload::ComplaintAnswered(x) => c.answered_on = Some(x.on),
                    _ => {}
                }
            }
            Self::Risk(r) => {
                r.version = e.version;
                match &e.payload {
                    Payload::RiskReassessed(x) => {
                        r.score = x.score;
                        r.assessed_on = e.meta.effective_on;
                    }
                    Payload::RiskRetired(_) => r.retired_on = Some(e.meta.effective_on),
                    _ => {}
                }
            }
            Self::ControlPlan(p) => {
                p.version = e.version;
                match &e.payload {
                    Payload::ControlMomentAdded(m) => {
                        p.moments.push(MomentState { moment: m.moment.clone(), result_on: None, remarks: None })
                    }
                    Payload::ControlResultRecorded(r) => {
                        if let Some(m) = p.moments.iter_mut().find(|m| m.moment.moment == r.moment) {
                            m.result_on = Some(r.on);
                            m.remarks = Some(r.remarks);
                        }
                    }
                    Payload::MeasureDecided(_) | Payload::MeasureCompleted(_) => fold_measure(&mut p.measures, e),
                    Payload::ControlReportSubmitted(r) => p.reported_on = Some(r.on),
                    _ => {}
                }
            }
            Self::FileAudit(a) => {
                if a.handling.apply_common(e) {
                    return;
                }
                match &e.payload {
                    Payload::FileAuditAnswersRecorded(r) => {
                        for x in &r.answers {
                            let overridden = x.automatic.is_some_and(|auto| auto != x.reply);
                            a.answers.insert(
                                (x.case, x.section, x.question.clone()),
                                AnswerState { reply: x.reply, automatic: x.automatic, overridden },
                            );
                        }
                    }
                    Payload::FileAuditAnalysed(_) => a.analysed_on = Some(e.meta.effective_on),
                    Payload::FileAuditDropOutRecorded(d) => {
                        a.drop_outs.push(AuditDropOut { case: d.case, reason: d.reason.clone() });
                    }
                    _ => {}
                }
            }
            Self::Survey(s) => {
                s.version = e.version;
                match &e.payload {
                    Payload::SurveyInvitationsRecorded(i) => s.invited.extend(i.invited.iter().cloned()),
                    Payload::SurveyResponsesRecorded(r) => s.responses.extend(r.responses.iter().cloned()),
                    _ => {}
                }
            }
        }
    }

    pub fn stream(&self) -> String {
        match self {
            Self::Deviation(d) => d.id.stream(),
            Self::LexSarah(l) => l.id.stream(),
            Self::Complaint(c) => c.id.stream(),
            Self::Risk(r) => r.id.stream(),
            Self::ControlPlan(p) => p.id.stream(),
            Self::Survey(s) => s.id.stream(),
            Self::FileAudit(a) => a.id.stream(),
        }
    }

    pub fn version(&self) -> u32 {
        match self {
            Self::Deviation(d) => d.handling.version,
            Self::LexSarah(l) => l.handling.version,
            Self::Complaint(c) => c.handling.version,
            Self::Risk(r) => r.version,
            Self::ControlPlan(p) => p.version,
            Self::Survey(s) => s.version,
            Self::FileAudit(a) => a.handling.version,
        }
    }

    pub fn handling(&self) -> Option<&Handling> {
        match self {
            Self::Deviation(d) => Some(&d.handling),
            Self::LexSarah(l) => Some(&l.handling),
            Self::Complaint(c) => Some(&c.handling),
            Self::FileAudit(a) => Some(&a.handling),
            _ => None,
        }
    }

    /// The matter's measures (a deviation's, lex Sarah's, complaint's, file audit's or control
    /// plan's; none for risks and surveys).
    pub fn measures(&self) -> &[Measure] {
        match self {
            Self::ControlPlan(p) => &p.measures,
            _ => self.handling().map_or(&[], |h| &h.measures),
        }
    }

    /// The unit the matter belongs to (for need-to-know), if it has one.
    pub fn unit(&self) -> Option<&UnitId> {
        match self {
            Self::Risk(r) => r.unit.as_ref(),
            Self::ControlPlan(_) | Self::Survey(_) => None,
            _ => self.handling().map(|h| &h.unit),
        }
    }
}

// ------------------------------------------------------------------ the quality clocks

/// A quality deadline: the deviation's six weeks, the report to IVO, a complaint's answer,
/// a measure, a planned follow-up, a control moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum QualityDeadlineKind {
    DeviationInvestigation,
    IvoReport,
    ComplaintAnswer,
    Measure(u32),
    FollowUp,
    ControlMoment(u32),
}

impl QualityDeadlineKind {
    pub fn label_sv(&self) -> String {
        match self {
            Self::DeviationInvestigation => "Utredning av avvikelse".to_owned(),
            Self::IvoReport => "Anmälan till IVO (lex Sarah)".to_owned(),
            Self::ComplaintAnswer => "Svar på synpunkt/klagomål".to_owned(),
            Self::Measure(n) => format!("Åtgärd {n}"),
            Self::FollowUp => "Uppföljning av åtgärder".to_owned(),
            Self::ControlMoment(n) => format!("Kontrollmoment {n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct QualityDeadline {
    /// The matter's stream (`deviation/<id>` …).
    pub stream: String,
    pub kind: QualityDeadlineKind,
    pub last_day: NaiveDate,
    /// Whose to-do list it is on.
    pub owner: Option<StaffId>,
    pub unit: Option<UnitId>,
    pub met_on: Option<NaiveDate>,
    pub citation: String,
}

impl QualityDeadline {
    pub fn state(&self, rules: &RuleTable, today: NaiveDate) -> DeadlineState {
        state_on(self.last_day, self.met_on, rules, today)
    }
}

/// A day-based deadline's state on `today`.
pub fn state_on(last_day: NaiveDate, met_on: Option<NaiveDate>, rules: &RuleTable, today: NaiveDate) -> DeadlineState {
    match met_on {
        Some(m) if m <= last_day => DeadlineState::Met,
        Some(_) => DeadlineState::MetLate,
        None if today > last_day => DeadlineState::Overdue,
        None if today == last_day => DeadlineState::DueToday,
        None if (last_day - today).num_days() <= i64::from(rules.policy.due_soon_days) => DeadlineState::DueSoon,
        None => DeadlineState::Ok,
    }
}

fn deadline(
    stream: &str,
    kind: QualityDeadlineKind,
    last_day: NaiveDate,
    owner: Option<&StaffId>,
    unit: Option<&UnitId>,
    met_on: Option<NaiveDate>,
    citation: &str,
) -> QualityDeadline {
    QualityDeadline {
        stream: stream.to_owned(),
        kind,
        last_day,
        owner: owner.cloned(),
        unit: unit.cloned(),
        met_on,
        citation: citation.to_owned(),
    }
}

/// The measures' due dates and the planned follow-up of a deviation, lex Sarah or complaint.
fn handling_deadlines(h: &Handling, citation: &str, out: &mut Vec<QualityDeadline>) {
    for ms in &h.measures {
        let k = QualityDeadlineKind::Measure(ms.measure);
        out.push(deadline(&h.stream, k, ms.due, Some(&ms.owner), Some(&h.unit), ms.completed_on, citation));
    }
    if let Some(d) = h.next_follow_up {
        out.push(deadline(
            &h.stream,
            QualityDeadlineKind::FollowUp,
            d,
            h.assignee.as_ref(),
            Some(&h.unit),
            None,
            citation,
        ));
    }
}

/// Every clock of the matter (met or pending).
pub fn deadlines(m: &Matter, rules: &RuleTable) -> Vec<QualityDeadline> {
    let q = &rules.quality;
    let mut out = Vec::new();
    match m {
        Matter::Deviation(d) => {
            let h = &d.handling;
            let last = add_days(h.reported_on, q.deviation_investigation_weeks.saturating_mul(7));
            let k = QualityDeadlineKind::DeviationInvestigation;
            let c = &q.deviation_citation;
            out.push(deadline(&h.stream, k, last, h.assignee.as_ref(), Some(&h.unit), d.clock_met_on(), c));
            handling_deadlines(h, c, &mut out);
        }
        Matter::LexSarah(l) => {
            let h = &l.handling;
            let c = &q.lex_sarah.citation_old;
            if let (true, Some(on)) = (l.must_report_to_ivo(), l.classified_on) {
                let last = add_days(on, q.lex_sarah.ivo_report_days);
                let k = QualityDeadlineKind::IvoReport;
                out.push(deadline(&h.stream, k, last, h.assignee.as_ref(), Some(&h.unit), l.ivo_reported_on, c));
            }
            handling_deadlines(h, c, &mut out);
        }
        Matter::Complaint(x) => {
            let h = &x.handling;
            let c = &q.complaint_citation;
            if !x.anonymous {
                let last = add_days(x.received_on, q.complaint_answer_days);
                let met = x.answered_on.or(h.locked_on);
                let k = QualityDeadlineKind::ComplaintAnswer;
                out.push(deadline(&h.stream, k, last, h.assignee.as_ref(), Some(&h.unit), met, c));
            }
            handling_deadlines(h, c, &mut out);
        }
        Matter::ControlPlan(p) => {
            let stream = p.id.stream();
            let c = "Internkontrollplan";
            for mo in &p.moments {
                let k = QualityDeadlineKind::ControlMoment(mo.moment.moment);
                out.push(deadline(&stream, k, mo.moment.due, Some(&mo.moment.owner), None, mo.result_on, c));
            }
            for ms in &p.measures {
                let k = QualityDeadlineKind::Measure(ms.measure);
                out.push(deadline(&stream, k, ms.due, Some(&ms.owner), None, ms.completed_on, c));
            }
        }
        Matter::FileAudit(a) => handling_deadlines(&a.handling, "Rutin för egenkontroll – aktgranskning", &mut out),
        Matter::Risk(_) | Matter::Survey(_) => {}
    }
    out
}

/// The stream prefixes of quality matters.
pub const STREAM_PREFIXES: [&str; 7] = [
    FileAuditId::PREFIX,
    DeviationId::PREFIX,
    LexSarahId::PREFIX,
    ComplaintId::PREFIX,
    RiskId::PREFIX,
    ControlPlanId::PREFIX,
    SurveyId::PREFIX,
];

/// Whether a quality event belongs where it is (for imports): a matter's first event opens
/// its own stream at version 1; every later one follows in a quality stream.
pub fn fits_stream(e: &RecordedEvent) -> bool {
    let (prefix, id) = e.stream.split_once('/').unwrap_or((e.stream.as_str(), ""));
    let opens = |p: &str, own: String| prefix == p && own == id && e.version == 1;
    match &e.payload {
        Payload::DeviationReported(d) => opens(DeviationId::PREFIX, d.deviation.0.to_string()),
        Payload::LexSarahReported(l) => opens(LexSarahId::PREFIX, l.lex_sarah.0.to_string()),
        Payload::ComplaintReceived(c) => opens(ComplaintId::PREFIX, c.complaint.0.to_string()),
        Payload::RiskRegistered(r) => opens(RiskId::PREFIX, r.risk.0.to_string()),
        Payload::ControlPlanAdopted(p) => opens(ControlPlanId::PREFIX, p.plan.0.to_string()),
        Payload::SurveyDefined(s) => opens(SurveyId::PREFIX, s.survey.0.to_string()),
        Payload::FileAuditOpened(a) => opens(FileAuditId::PREFIX, a.audit.0.to_string()),
        p => p.is_quality() && STREAM_PREFIXES.contains(&prefix) && e.version > 1,
    }
}
