//! The quality-management system's vocabulary and its events' payloads (SOSFS 2011:9,
//! DOMAIN §5): deviations, lex Sarah, comments and complaints, internal control and user
//! surveys. Each matter is its own journal stream (`deviation/<id>`, `lex-sarah/<id>`,
//! `complaint/<id>`, `risk/<id>`, `control-plan/<id>`, `survey/<id>`) in the one chain.
//! Measures, follow-ups and notes are the same events on every kind of matter.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{
    CaseId, ComplaintId, ControlPlanId, DeviationId, FileAuditId, LexSarahId, RiskId, StaffId, SurveyId, UnitId,
};
use crate::personnummer::Sex;

// ------------------------------------------------------------------ vocabulary

/// Where a deviation was seen and who investigates it (the routine's three cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviationDirection {
    /// Seen here, concerns and is investigated here.
    Internal,
    /// Seen here, concerns another administration or external body, which investigates it.
    ExternalOutgoing,
    /// Seen by another administration or body, concerns and is investigated here.
    ExternalIncoming,
}

impl DeviationDirection {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Internal => "intern",
            Self::ExternalOutgoing => "extern — till annan förvaltning eller aktör",
            Self::ExternalIncoming => "extern — från annan förvaltning eller aktör",
        }
    }
}

/// Deviations the system sees for itself (each switchable in the rule table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DetectionKind {
    /// "Insats pågår utan beslut": an intervention running past its decided end.
    InterventionWithoutDecision,
    /// A preliminary assessment past 14 days without a documented reason.
    PreliminaryLateWithoutReason,
    /// A decision recorded outside delegation (policy "record and flag").
    OutsideDelegation,
    /// A received document (the actualisation) not linked to a handler within the set time.
    UnlinkedDocument,
}

impl DetectionKind {
    pub const ALL: [DetectionKind; 4] = [
        Self::InterventionWithoutDecision,
        Self::PreliminaryLateWithoutReason,
        Self::OutsideDelegation,
        Self::UnlinkedDocument,
    ];
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::InterventionWithoutDecision => "Insats pågår utan beslut",
            Self::PreliminaryLateWithoutReason => "Förhandsbedömning över 14 dagar utan dokumenterat skäl",
            Self::OutsideDelegation => "Beslut utanför delegation",
            Self::UnlinkedDocument => "Handling inte kopplad till handläggare i tid",
        }
    }
}

/// Who made the report: a member of staff, or the system's own detection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeviationSource {
    Staff,
    /// Found by the system (`detect`); `key` makes the detection idempotent.
    System {
        detection: DetectionKind,
        key: String,
    },
}

/// The risk matrix's two axes, 1–4 each (allvarlighetsgrad × sannolikhet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskScore {
    /// Severity / consequence: 1 försumbar, 2 lindrig, 3 kännbar, 4 allvarlig.
    pub severity: u8,
    /// Probability: 1 mycket liten, 2 liten, 3 möjlig, 4 sannolik.
    pub probability: u8,
}

impl RiskScore {
    /// Risk value = severity × probability (1–16).
    pub fn value(self) -> u8 {
        self.severity * self.probability
    }
}

/// The classification a lex Sarah investigation ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LexSarahClassification {
    /// allvarligt missförhållande
    SeriousImpropriety,
    /// påtaglig risk för ett allvarligt missförhållande
    SubstantialRiskOfSerious,
    /// missförhållande
    Impropriety,
    /// risk för missförhållande
    RiskOfImpropriety,
    /// ej missförhållande
    NoImpropriety,
}

impl LexSarahClassification {
    pub const ALL: [Self; 5] = [
        Self::SeriousImpropriety,
        Self::SubstantialRiskOfSerious,
        Self::Impropriety,
        Self::RiskOfImpropriety,
        Self::NoImpropriety,
    ];
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::SeriousImpropriety => "Allvarligt missförhållande",
            Self::SubstantialRiskOfSerious => "Påtaglig risk för allvarligt missförhållande",
            Self::Impropriety => "Missförhållande",
            Self::RiskOfImpropriety => "Risk för missförhållande",
            Self::NoImpropriety => "Ej missförhållande",
        }
    }
    /// Serious ones must be reported to IVO (14 kap. 7 § SoL 2001:453).
    pub fn must_report_to_ivo(self) -> bool {
        matches!(self, Self::SeriousImpropriety | Self::SubstantialRiskOfSerious)
    }
}

/// Where a comment or complaint came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintSource {
    /// the user (brukare: the child, the young person, the parent as party)
    User,
    Relative,
    Staff,
    OtherBody,
    /// forwarded by IVO
    Ivo,
    Anonymous,
}

impl ComplaintSource {
    pub const ALL: [Self; 6] = [Self::User, Self::Relative, Self::Staff, Self::OtherBody, Self::Ivo, Self::Anonymous];
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::User => "Brukare",
            Self::Relative => "Anhörig/närstående",
            Self::Staff => "Medarbetare",
            Self::OtherBody => "Annan myndighet eller verksamhet",
            Self::Ivo => "IVO",
            Self::Anonymous => "Anonym",
        }
    }
}

/// What a comment or complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintSubject {
    /// handläggning
    Handling,
    /// bemötande
    Treatment,
    /// an insats
    Intervention,
    /// availability, information, other
    Other,
}

impl ComplaintSubject {
    pub const ALL: [Self; 4] = [Self::Handling, Self::Treatment, Self::Intervention, Self::Other];
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Handling => "Handläggning",
            Self::Treatment => "Bemötande",
            Self::Intervention => "Insats",
            Self::Other => "Övrigt",
        }
    }
}

/// A complaint, a suggestion or praise: all are synpunkter, handled alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintKind {
    Complaint,
    Suggestion,
    Praise,
}

impl ComplaintKind {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Complaint => "Klagomål",
            Self::Suggestion => "Förslag",
            Self::Praise => "Beröm",
        }
    }
}

/// What a follow-up found about a measure's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Achieved,
    Partly,
    NotAchieved,
}

impl Effect {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Achieved => "önskad effekt uppnådd",
            Self::Partly => "delvis uppnådd",
            Self::NotAchieved => "inte uppnådd",
        }
    }
}

/// How feedback reached the reporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackChannel {
    /// shown to the reporter in Skyndsam
    InApp,
    /// sent by e-mail (to another administration's contact, or where configured)
    Email,
    /// by letter or in a meeting, recorded here
    Other,
}

// ------------------------------------------------------------------ deviation payloads

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviationReported {
    pub deviation: DeviationId,
    /// The unit concerned: its manager investigates.
    pub unit: UnitId,
    /// The investigating unit manager (the to-do list this lands in).
    pub assignee: Option<StaffId>,
    pub occurred_on: NaiveDate,
    /// A code from the rule table's `quality.deviation_categories`.
    pub category: String,
    pub direction: DeviationDirection,
    /// The other administration or body (external deviations).
    #[serde(default)]
    pub external_body: Option<String>,
    /// Linked to a person's file (a case); None = organisational.
    #[serde(default)]
    pub case: Option<CaseId>,
    /// What happened (free text; focus on what did not go well for the user).
    pub description: String,
    /// What was done at once.
    #[serde(default)]
    pub immediate_action: Option<String>,
    pub source: DeviationSource,
    /// The reporter's reading of the risk matrix, if made.
    #[serde(default)]
    pub risk: Option<RiskScore>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatterAssigned {
    pub assignee: StaffId,
}

/// The deviation's investigation (the routine's four questions). Saved again until locked;
/// the latest stands, the earlier stay in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviationInvestigated {
    /// Händelseförlopp: what happened.
    pub what_happened: String,
    /// Felhändelser: the failures found.
    pub failures: String,
    /// Orsaker: why they happened.
    pub causes: String,
    /// Measures taken and planned (each planned one also as a measure with owner and date).
    pub measures: String,
    /// Is a recurrence prevented?
    pub recurrence_prevented: bool,
    #[serde(default)]
    pub risk: Option<RiskScore>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackGiven {
    pub text: String,
    pub channel: FeedbackChannel,
}

/// An external deviation sent on to the administration or body that investigates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviationForwarded {
    pub to_body: String,
    /// Contact (function mailbox, administrator) it went to.
    pub contact: String,
    pub sent_on: NaiveDate,
}

/// The other body's answer to a forwarded deviation (the routine notes it rarely comes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalAnswerReceived {
    pub received_on: NaiveDate,
    pub text: String,
}

/// The investigation is complete and locked: later additions are new entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatterLocked {
    pub summary: String,
}

/// The deviation is handled further as lex Sarah (its history stays here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviationEscalated {
    pub lex_sarah: LexSarahId,
    pub reason: String,
    pub risk: RiskScore,
}

// ------------------------------------------------------------------ shared: measures, follow-ups, notes

/// A measure with an owner and a due date (on any quality matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureDecided {
    /// 1, 2, 3 … within the matter.
    pub measure: u32,
    pub description: String,
    pub owner: StaffId,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureCompleted {
    pub measure: u32,
    pub completed_on: NaiveDate,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A follow-up of the measures' effect; another may be planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRecorded {
    pub text: String,
    pub effect: Effect,
    #[serde(default)]
    pub next_follow_up: Option<NaiveDate>,
}

/// A follow-up planned for a date (the routine: "efter avslutad utredning skapas uppföljning direkt").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPlanned {
    pub due: NaiveDate,
}

/// A later addition (tillägg) to a matter, e.g. after it was locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QualityNoteWritten {
    pub text: String,
}

// ------------------------------------------------------------------ lex Sarah payloads

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LexSarahReported {
    pub lex_sarah: LexSarahId,
    pub unit: UnitId,
    /// Who investigates (lex Sarah-ansvarig).
    pub assignee: Option<StaffId>,
    pub occurred_on: NaiveDate,
    #[serde(default)]
    pub case: Option<CaseId>,
    pub description: String,
    #[serde(default)]
    pub immediate_action: Option<String>,
    /// Escalated from this deviation (its history stays in the deviation's stream).
    #[serde(default)]
    pub from_deviation: Option<DeviationId>,
    #[serde(default)]
    pub risk: Option<RiskScore>,
}

/// The investigation, structured after SKR's template for lex Sarah investigations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LexSarahInvestigated {
    /// Händelseförlopp.
    pub course_of_events: String,
    /// Konsekvenser eller möjliga konsekvenser för den enskilde.
    pub consequences: String,
    /// Orsaker (brister i rutiner, organisation, kompetens …).
    pub causes: String,
    /// Åtgärder som vidtagits omedelbart.
    pub immediate_measures: String,
    /// Den enskildes (och vårdnadshavares) synpunkter.
    pub users_view: String,
    /// Personalens synpunkter.
    pub staff_view: String,
    /// Analys och bedömning.
    pub analysis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LexSarahClassified {
    pub classification: LexSarahClassification,
    pub motivation: String,
    pub decided_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LexSarahReportedToIvo {
    pub sent_on: NaiveDate,
    /// IVO's reference (diarienummer), when known.
    #[serde(default)]
    pub ivo_reference: Option<String>,
    /// What was reported (the form's summary).
    pub summary: String,
}

// ------------------------------------------------------------------ complaints

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintReceived {
    pub complaint: ComplaintId,
    pub kind: ComplaintKind,
    pub source: ComplaintSource,
    pub subject: ComplaintSubject,
    pub received_on: NaiveDate,
    pub unit: UnitId,
    pub assignee: Option<StaffId>,
    #[serde(default)]
    pub case: Option<CaseId>,
    pub description: String,
    /// How to reach the sender (absent when anonymous).
    #[serde(default)]
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintContacted {
    pub on: NaiveDate,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintAnswered {
    pub on: NaiveDate,
    pub text: String,
}

// ------------------------------------------------------------------ internal control

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRegistered {
    pub risk: RiskId,
    pub title: String,
    pub description: String,
    /// The process or area (e.g. "Förhandsbedömning", "Verkställighet").
    pub process: String,
    #[serde(default)]
    pub unit: Option<UnitId>,
    /// probability × consequence, 1–4 each
    pub score: RiskScore,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskReassessed {
    pub score: RiskScore,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRetired {
    pub reason: String,
}

/// One control moment of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlMoment {
    /// 1, 2, 3 … within the plan.
    pub moment: u32,
    pub risk: RiskId,
    /// What is checked.
    pub control: String,
    /// How (sample, review, statistics …).
    pub method: String,
    pub owner: StaffId,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlPlanAdopted {
    pub plan: ControlPlanId,
    pub year: i32,
    pub adopted_on: NaiveDate,
    /// The board's minute, e.g. "SN 2026-02-18 § 14".
    pub board_reference: String,
    pub moments: Vec<ControlMoment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlMomentAdded {
    pub moment: ControlMoment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlResultRecorded {
    pub moment: u32,
    pub on: NaiveDate,
    pub result: String,
    /// Did the control find deficiencies (anmärkning)?
    pub remarks: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlReportSubmitted {
    pub on: NaiveDate,
    pub text: String,
}

// ------------------------------------------------------------------ user surveys

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestion {
    pub text: String,
    /// Counts towards NKI (nöjd kund-index).
    pub nki: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyDefined {
    pub survey: SurveyId,
    pub name: String,
    /// Units whose users are asked (responses name one of them).
    pub units: Vec<UnitId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Answers are on a scale 1..=scale_max (10 for NKI).
    pub scale_max: u8,
    pub questions: Vec<SurveyQuestion>,
}

/// How many were asked, per unit and sex (for the response rate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyInvited {
    pub unit: UnitId,
    #[serde(default)]
    pub sex: Option<Sex>,
    pub count: u32,
}

/// One anonymous response: no person, only the unit, sex (if given) and the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyResponse {
    pub unit: UnitId,
    #[serde(default)]
    pub sex: Option<Sex>,
    /// One answer per question, None where not answered.
    pub answers: Vec<Option<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyInvitationsRecorded {
    pub invited: Vec<SurveyInvited>,
}

/// A batch of responses, entered or imported from CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyResponsesRecorded {
    pub responses: Vec<SurveyResponse>,
    /// "manuell" or the imported file's name.
    pub source: String,
}

// ------------------------------------------------------------------ file audit (aktgranskning)

/// A drawn file in the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditedFile {
    pub case: CaseId,
    /// "flicka 0–12" …
    pub stratum: String,
    pub handler: Option<StaffId>,
}

/// A drawn file that cannot be audited, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditDropOut {
    pub case: CaseId,
    pub reason: String,
}

/// The quality developer opens a unit's audit with its recorded sample (sampler::draw).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAuditOpened {
    pub audit: FileAuditId,
    pub unit: UnitId,
    pub year: i32,
    pub seed: u64,
    pub method: String,
    /// Files the sample was drawn from.
    pub population: u32,
    pub files: Vec<AuditedFile>,
    pub drop_outs: Vec<AuditDropOut>,
    /// The questions asked, as the unit type's template gave them when the audit was opened
    /// (so the audit can be reproduced after the template changes). Empty in journals from
    /// before templates: the default questionnaire.
    #[serde(default)]
    pub questions: Vec<crate::checks::Question>,
}

/// One answer of an auditor: the automatic answer it started from (if the record answered
/// it) and, when the auditor differs from it, the comment saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditAnswer {
    pub case: CaseId,
    pub section: crate::checks::Section,
    pub question: String,
    pub reply: crate::checks::Reply,
    #[serde(default)]
    pub automatic: Option<crate::checks::Reply>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A batch of answers: entered in the app or imported from the unit's .xlsx sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAuditAnswersRecorded {
    pub answers: Vec<AuditAnswer>,
    /// "manuell" or the imported file's name.
    pub source: String,
}

/// A drawn file found not to be auditable after the audit was opened (e.g. transferred to
/// another municipality): a drop-out with its reason. The audited count falls by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAuditDropOutRecorded {
    pub case: CaseId,
    pub reason: String,
}

/// The unit's analysis: how do we keep good results, what must improve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAuditAnalysed {
    pub keep_doing: String,
    pub improve: String,
}
