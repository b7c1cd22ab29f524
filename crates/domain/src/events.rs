//! The journal's events. Every legally meaningful act is one immutable event: who
//! (actor, role, unit, delegation used), when (recorded time, effective date), what
//! (a typed payload) and where in the chain (sequence, stream version, hashes).
//!
//! Payload structs deny unknown fields so an import line with a misspelt field is refused
//! rather than silently dropped. Free text lives only in payloads; projections never keep it.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{ActualisationId, CaseId, InterventionId, PersonId, StaffId, SubmissionId, UnitId};
use crate::org::{Role, UnitFunction, UnitKind};
use crate::personnummer::{PersonalIdentityNumber, Sex};
pub use crate::quality::model::*;
use crate::rules::DecisionType;

/// Current payload schema version. Bump when a payload changes shape; old events keep
/// the version they were written with and are upcast when read.
pub const SCHEMA_VERSION: u16 = 1;

/// Stream of organisation events (units, staff, roles).
pub const ORG_STREAM: &str = "org";

/// Who did it and when — everything about an event except its payload and chain position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventMeta {
    /// When the system recorded the act (UTC).
    pub recorded_at: DateTime<Utc>,
    /// The date the act legally took effect (e.g. the decision date), Europe/Stockholm.
    pub effective_on: NaiveDate,
    pub actor: StaffId,
    pub role: Role,
    /// The unit the actor acted in.
    pub unit: Option<UnitId>,
    /// The delegation point (or re-delegation, or board decision) the act was taken under.
    pub delegation: Option<String>,
    /// Sequence number of the event this one corrects, if it is a correction.
    pub corrects: Option<u64>,
}

/// An event before it is appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub stream: String,
    pub meta: EventMeta,
    pub payload: Payload,
}

/// An event in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordedEvent {
    /// Position in the one journal, from 1, gap-free.
    pub seq: u64,
    /// `org`, `person/<uuid>` or `case/<uuid>`.
    pub stream: String,
    /// Position within the stream, from 1 (optimistic concurrency).
    pub version: u32,
    pub meta: EventMeta,
    pub schema: u16,
    pub payload: Payload,
    /// SHA-256 (hex) of the previous event; 64 zeros for the first.
    pub prev_hash: String,
    /// SHA-256 (hex) of this event's canonical body (everything above, including `prev_hash`).
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Payload {
    // --- organisation (stream `org`)
    UnitCreated(UnitCreated),
    StaffRegistered(StaffRegistered),
    StaffQualificationChanged(StaffQualificationChanged),
    StaffEmailChanged(StaffEmailChanged),
    RoleGranted(RoleGranted),
    RoleRevoked(RoleRevoked),
    /// vidaredelegering (written, time-limited, by the förvaltningschef)
    RedelegationDecided(RedelegationDecided),
    RedelegationRevoked(RedelegationRevoked),
    /// a new dated version of the delegation order, edited in the app by the administrator
    DelegationOrderVersioned(crate::rules::DelegationOrderVersion),
    /// the file audit's questionnaire for a unit type, set by the quality developer
    AuditTemplateSet(crate::checks::AuditTemplate),
    // --- persons (stream `person/<id>`)
    PersonRegistered(PersonRegistered),
    PersonUpdated(PersonUpdated),
    // --- cases (stream `case/<id>`)
    ActualisationRegistered(ActualisationRegistered),
    ProtectionAssessmentRecorded(ProtectionAssessmentRecorded),
    PreliminaryAssessmentDecided(PreliminaryAssessmentDecided),
    ReporterFeedbackGiven(ReporterFeedbackGiven),
    ReportJoined(ReportJoined),
    InvestigationOpened(InvestigationOpened),
    TriageSet(TriageSet),
    Allocated(Allocated),
    FirstContactRecorded(FirstContactRecorded),
    InvestigationPartRecorded(InvestigationPartRecorded),
    ExtensionDecided(ExtensionDecided),
    InvestigationDecided(InvestigationDecided),
    InterventionGranted(InterventionGranted),
    InterventionStarted(InterventionStarted),
    EnforcementDelayRecorded(EnforcementDelayRecorded),
    InterventionFollowedUp(InterventionFollowedUp),
    InterventionEnded(InterventionEnded),
    PlacementReviewed(PlacementReviewed),
    CustodyTransferConsidered(CustodyTransferConsidered),
    /// A free-text journal entry (journalanteckning).
    EntryWritten(EntryWritten),
    /// A decision recorded outside delegation ("record and flag"): the marker the
    /// deviation module picks up. Follows the decision's event in the same append.
    DelegationDeviationFlagged(DelegationDeviationFlagged),
    // --- quality management (streams `deviation/`, `lex-sarah/`, `complaint/`, `risk/`,
    //     `control-plan/`, `survey/`; see quality::model)
    DeviationReported(DeviationReported),
    MatterAssigned(MatterAssigned),
    DeviationInvestigated(DeviationInvestigated),
    FeedbackGiven(FeedbackGiven),
    DeviationForwarded(DeviationForwarded),
    ExternalAnswerReceived(ExternalAnswerReceived),
    MatterLocked(MatterLocked),
    DeviationEscalated(DeviationEscalated),
    MeasureDecided(MeasureDecided),
    MeasureCompleted(MeasureCompleted),
    FollowUpPlanned(FollowUpPlanned),
    FollowUpRecorded(FollowUpRecorded),
    QualityNoteWritten(QualityNoteWritten),
    LexSarahReported(LexSarahReported),
    LexSarahInvestigated(LexSarahInvestigated),
    LexSarahClassified(LexSarahClassified),
    LexSarahReportedToIvo(LexSarahReportedToIvo),
    ComplaintReceived(ComplaintReceived),
    ComplaintContacted(ComplaintContacted),
    ComplaintAnswered(ComplaintAnswered),
    RiskRegistered(RiskRegistered),
    RiskReassessed(RiskReassessed),
    RiskRetired(RiskRetired),
    ControlPlanAdopted(ControlPlanAdopted),
    ControlMomentAdded(ControlMomentAdded),
    ControlResultRecorded(ControlResultRecorded),
    ControlReportSubmitted(ControlReportSubmitted),
    SurveyDefined(SurveyDefined),
    SurveyInvitationsRecorded(SurveyInvitationsRecorded),
    SurveyResponsesRecorded(SurveyResponsesRecorded),
    FileAuditOpened(FileAuditOpened),
    FileAuditAnswersRecorded(FileAuditAnswersRecorded),
    FileAuditAnalysed(FileAuditAnalysed),
    FileAuditDropOutRecorded(FileAuditDropOutRecorded),
    // --- the public e-tjänst (stream `submission/<id>`)
    /// A report of concern sent through the public e-tjänst, as received.
    WebReportSubmitted(WebReportSubmitted),
    /// The registrar registered it as an aktualisering (it leaves the intake queue).
    WebReportRegistered(WebReportRegistered),
    /// The registrar closed it without registering it (a duplicate, not about a child…).
    WebReportDismissed(WebReportDismissed),
    // --- reports (stream `narrative/<report>-<year>`)
    /// A narrative section of a report (the kvalitetsberättelse's), written in the app by the
    /// quality staff. The latest text per section stands; a correction is a new event.
    ReportNarrativeWritten(ReportNarrativeWritten),
}

impl Payload {
    /// An act on the organisation (the `org` stream, folded by `Organisation::apply`): units,
    /// staff, roles and re-delegations. Every fold that routes events asks this, so a new
    /// organisation event is added here once.
    pub fn is_organisation(&self) -> bool {
        matches!(
            self,
            Self::UnitCreated(_)
                | Self::StaffRegistered(_)
                | Self::StaffQualificationChanged(_)
                | Self::StaffEmailChanged(_)
                | Self::RoleGranted(_)
                | Self::RoleRevoked(_)
                | Self::RedelegationDecided(_)
                | Self::RedelegationRevoked(_)
                | Self::DelegationOrderVersioned(_)
                | Self::AuditTemplateSet(_)
        )
    }

    /// An act of the quality-management system (a deviation, lex Sarah, complaint, risk,
    /// control plan or survey stream), folded by `quality::QualityBook`.
    pub fn is_quality(&self) -> bool {
        matches!(
            self,
            Self::DeviationReported(_)
                | Self::MatterAssigned(_)
                | Self::DeviationInvestigated(_)
                | Self::FeedbackGiven(_)
                | Self::DeviationForwarded(_)
                | Self::ExternalAnswerReceived(_)
                | Self::MatterLocked(_)
                | Self::DeviationEscalated(_)
                | Self::MeasureDecided(_)
                | Self::MeasureCompleted(_)
                | Self::FollowUpPlanned(_)
                | Self::FollowUpRecorded(_)
                | Self::QualityNoteWritten(_)
                | Self::LexSarahReported(_)
                | Self::LexSarahInvestigated(_)
                | Self::LexSarahClassified(_)
                | Self::LexSarahReportedToIvo(_)
                | Self::ComplaintReceived(_)
                | Self::ComplaintContacted(_)
                | Self::ComplaintAnswered(_)
                | Self::RiskRegistered(_)
                | Self::RiskReassessed(_)
                | Self::RiskRetired(_)
                | Self::ControlPlanAdopted(_)
                | Self::ControlMomentAdded(_)
                | Self::ControlResultRecorded(_)
                | Self::ControlReportSubmitted(_)
                | Self::SurveyDefined(_)
                | Self::SurveyInvitationsRecorded(_)
                | Self::SurveyResponsesRecorded(_)
                | Self::FileAuditOpened(_)
                | Self::FileAuditAnswersRecorded(_)
                | Self::FileAuditAnalysed(_)
                | Self::FileAuditDropOutRecorded(_)
        )
    }

    /// The payload's type name as stored (the serde tag).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::UnitCreated(_) => "unit_created",
            Self::StaffRegistered(_) => "staff_registered",
            Self::StaffQualificationChanged(_) => "staff_qualification_changed",
            Self::StaffEmailChanged(_) => "staff_email_changed",
            Self::RoleGranted(_) => "role_granted",
            Self::RoleRevoked(_) => "role_revoked",
            Self::RedelegationDecided(_) => "redelegation_decided",
            Self::RedelegationRevoked(_) => "redelegation_revoked",
            Self::DelegationOrderVersioned(_) => "delegation_order_versioned",
            Self::AuditTemplateSet(_) => "audit_template_set",
            Self::PersonRegistered(_) => "person_registered",
            Self::PersonUpdated(_) => "person_updated",
            Self::ActualisationRegistered(_) => "actualisation_registered",
            Self::ProtectionAssessmentRecorded(_) => "protection_assessment_recorded",
            Self::PreliminaryAssessmentDecided(_) => "preliminary_assessment_decided",
            Self::ReporterFeedbackGiven(_) => "reporter_feedback_given",
            Self::ReportJoined(_) => "report_joined",
            Self::InvestigationOpened(_) => "investigation_opened",
            Self::TriageSet(_) => "triage_set",
            Self::Allocated(_) => "allocated",
            Self::FirstContactRecorded(_) => "first_contact_recorded",
            Self::InvestigationPartRecorded(_) => "investigation_part_recorded",
            Self::ExtensionDecided(_) => "extension_decided",
            Self::InvestigationDecided(_) => "investigation_decided",
            Self::InterventionGranted(_) => "intervention_granted",
            Self::InterventionStarted(_) => "intervention_started",
            Self::EnforcementDelayRecorded(_) => "enforcement_delay_recorded",
            Self::InterventionFollowedUp(_) => "intervention_followed_up",
            Self::InterventionEnded(_) => "intervention_ended",
            Self::PlacementReviewed(_) => "placement_reviewed",
            Self::CustodyTransferConsidered(_) => "custody_transfer_considered",
            Self::EntryWritten(_) => "entry_written",
            Self::DelegationDeviationFlagged(_) => "delegation_deviation_flagged",
            Self::DeviationReported(_) => "deviation_reported",
            Self::MatterAssigned(_) => "matter_assigned",
            Self::DeviationInvestigated(_) => "deviation_investigated",
            Self::FeedbackGiven(_) => "feedback_given",
            Self::DeviationForwarded(_) => "deviation_forwarded",
            Self::ExternalAnswerReceived(_) => "external_answer_received",
            Self::MatterLocked(_) => "matter_locked",
            Self::DeviationEscalated(_) => "deviation_escalated",
            Self::MeasureDecided(_) => "measure_decided",
            Self::MeasureCompleted(_) => "measure_completed",
            Self::FollowUpPlanned(_) => "follow_up_planned",
            Self::FollowUpRecorded(_) => "follow_up_recorded",
            Self::QualityNoteWritten(_) => "quality_note_written",
            Self::LexSarahReported(_) => "lex_sarah_reported",
            Self::LexSarahInvestigated(_) => "lex_sarah_investigated",
            Self::LexSarahClassified(_) => "lex_sarah_classified",
            Self::LexSarahReportedToIvo(_) => "lex_sarah_reported_to_ivo",
            Self::ComplaintReceived(_) => "complaint_received",
            Self::ComplaintContacted(_) => "complaint_contacted",
            Self::ComplaintAnswered(_) => "complaint_answered",
            Self::RiskRegistered(_) => "risk_registered",
            Self::RiskReassessed(_) => "risk_reassessed",
            Self::RiskRetired(_) => "risk_retired",
            Self::ControlPlanAdopted(_) => "control_plan_adopted",
            Self::ControlMomentAdded(_) => "control_moment_added",
            Self::ControlResultRecorded(_) => "control_result_recorded",
            Self::ControlReportSubmitted(_) => "control_report_submitted",
            Self::SurveyDefined(_) => "survey_defined",
            Self::SurveyInvitationsRecorded(_) => "survey_invitations_recorded",
            Self::SurveyResponsesRecorded(_) => "survey_responses_recorded",
            Self::FileAuditOpened(_) => "file_audit_opened",
            Self::FileAuditAnswersRecorded(_) => "file_audit_answers_recorded",
            Self::FileAuditAnalysed(_) => "file_audit_analysed",
            Self::FileAuditDropOutRecorded(_) => "file_audit_drop_out_recorded",
            Self::WebReportSubmitted(_) => "web_report_submitted",
            Self::WebReportRegistered(_) => "web_report_registered",
            Self::WebReportDismissed(_) => "web_report_dismissed",
            Self::ReportNarrativeWritten(_) => "report_narrative_written",
        }
    }
}

// ---------------------------------------------------------------- organisation

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitCreated {
    pub unit: UnitId,
    pub name: String,
    pub parent: Option<UnitId>,
    pub kind: UnitKind,
    pub function: UnitFunction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffRegistered {
    pub staff: StaffId,
    pub name: String,
    pub title: String,
    /// socionomexamen or equivalent (3 kap. 3 a § SoL)
    pub qualified: bool,
}

/// A staff member's work e-mail address for notices (feedback on a deviation they reported),
/// set by the municipality through the import; `None` removes it. Notices never carry more
/// than that there is something to read in Skyndsam (decision 0014).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffEmailChanged {
    pub staff: StaffId,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffQualificationChanged {
    pub staff: StaffId,
    pub qualified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleGranted {
    pub staff: StaffId,
    pub role: Role,
    pub unit: UnitId,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRevoked {
    pub staff: StaffId,
    pub role: Role,
    pub unit: UnitId,
    pub on: NaiveDate,
}

/// Vidaredelegering: a written decision by the förvaltningschef that named members of
/// staff may take decisions of the listed types, for cases of a unit (and the units below
/// it), from one date to another. Immutable; ends by itself on `to` or by revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedelegationDecided {
    /// The decision's reference (diarienummer or similar), unique within the organisation.
    pub redelegation: String,
    pub decisions: Vec<DecisionType>,
    pub delegates: Vec<StaffId>,
    /// Scope: cases of this unit and the units below it; None = the whole administration.
    pub unit: Option<UnitId>,
    pub from: NaiveDate,
    /// Last day in force (time-limited: always set).
    pub to: NaiveDate,
    pub decided_on: NaiveDate,
    /// The written decision (where it is filed, its wording).
    pub document: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedelegationRevoked {
    pub redelegation: String,
    /// First day it no longer applies.
    pub on: NaiveDate,
    pub reason: String,
}

// ---------------------------------------------------------------- persons

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRegistered {
    pub person: PersonId,
    /// personnummer, samordningsnummer or reservnummer; None when not (yet) known.
    pub id_number: Option<PersonalIdentityNumber>,
    pub name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    /// folkbokföringskommun
    pub municipality: Option<String>,
    /// skyddad identitet / sekretessmarkering
    pub protected_identity: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonUpdated {
    pub name: Option<String>,
    pub protected_identity: Option<bool>,
    pub municipality: Option<String>,
}

// ---------------------------------------------------------------- actualisation

/// How a matter reaches the service (DOMAIN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActualisationKind {
    /// anmälan (orosanmälan)
    Report,
    /// ansökan
    Application,
    /// underrättelse / information på annat sätt
    Notification,
    /// egen kännedom
    OwnKnowledge,
}

impl ActualisationKind {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Report => "anmälan",
            Self::Application => "ansökan",
            Self::Notification => "underrättelse",
            Self::OwnKnowledge => "egen kännedom",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    EService,
    Letter,
    Phone,
    Fax,
    Visit,
    /// länsjour (after hours)
    OnCall,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReporterCategory {
    School,
    Preschool,
    HealthCare,
    Police,
    SocialServices,
    OtherAuthority,
    PrivatePerson,
    Anonymous,
}

impl ReporterCategory {
    /// Professionals have a duty to report and cannot be anonymous (14 kap. 1 § SoL).
    pub fn is_professional(self) -> bool {
        matches!(
            self,
            Self::School
                | Self::Preschool
                | Self::HealthCare
                | Self::Police
                | Self::SocialServices
                | Self::OtherAuthority
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    pub category: ReporterCategory,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub contact: Option<String>,
}

/// Aktualiseringsorsak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// våld mot barn
    ViolenceAgainstChild,
    /// bevittnat våld
    WitnessedViolence,
    /// sexuella övergrepp
    SexualAbuse,
    /// hedersrelaterat våld
    HonourViolence,
    /// missbruk förälder
    ParentalSubstanceAbuse,
    /// eget missbruk
    OwnSubstanceAbuse,
    /// kriminalitet
    Crime,
    /// grov kriminalitet
    SeriousCrime,
    /// skolfrånvaro
    SchoolAbsence,
    /// psykisk ohälsa
    MentalIllHealth,
    /// brister i omsorg
    NeglectOfCare,
    /// annat
    Other,
}

impl Reason {
    /// Reasons that make "oro för våld" (violence routine, risk assessment, VALD-INS).
    pub fn is_violence(self) -> bool {
        matches!(self, Self::ViolenceAgainstChild | Self::WitnessedViolence | Self::SexualAbuse | Self::HonourViolence)
    }
    /// Reasons that suggest a crime against the child (police-report decision).
    pub fn is_crime_against_child(self) -> bool {
        matches!(self, Self::ViolenceAgainstChild | Self::SexualAbuse | Self::HonourViolence)
    }
}

/// One child's case from one actualisation. An actualisation about siblings is
/// registered as one event per child, sharing the actualisation id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActualisationRegistered {
    pub case: CaseId,
    pub actualisation: ActualisationId,
    pub child: PersonId,
    /// The other children of the same actualisation.
    pub siblings: Vec<PersonId>,
    pub kind: ActualisationKind,
    /// When the service received it — the statutory clock starts here.
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub reporter: Reporter,
    pub reasons: Vec<Reason>,
    pub text: String,
    /// The unit that receives it (mottagning).
    pub unit: UnitId,
    /// Received outside office hours (flag for the länsjour).
    pub after_hours: bool,
    /// Receipt number given to the reporter (e-tjänst).
    pub receipt: Option<String>,
    /// The e-tjänst submission it was registered from (absent in events written before
    /// the e-tjänst existed, and for everything that came in another way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission: Option<SubmissionId>,
}

// ---------------------------------------------------------------- assessments

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtectionAssessmentRecorded {
    pub assessed_at: DateTime<Utc>,
    pub assessor_name: String,
    pub assessor_title: String,
    /// faktiska omständigheter
    pub facts: String,
    /// omedelbart skyddsbehov
    pub immediate_need: bool,
    pub protection_plan: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case", deny_unknown_fields)]
pub enum PreliminaryOutcome {
    /// inleda utredning
    Open,
    /// inte inleda utredning
    NotOpen,
    /// the report joins an investigation already open for the child
    JoinInvestigation { investigation_case: CaseId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EarlierKnowledge {
    /// Whether the service knew the child before.
    pub exists: bool,
    /// How the earlier knowledge was described and weighed (empty = only listed).
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChildView {
    Obtained { summary: String },
    NotObtained { reason: String },
}

/// Kinds of reason for a late preliminary assessment; whether each counts as
/// synnerliga skäl is decided by the rule table, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionalReasonKind {
    /// inväntar polisförhör
    PendingPoliceInterview,
    /// familjen har inte gått att nå trots försök
    FamilyUnreachable,
    /// arbetsbelastning — never counts
    Workload,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LateReason {
    pub kind: ExceptionalReasonKind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreliminaryAssessmentDecided {
    pub decided_on: NaiveDate,
    pub outcome: PreliminaryOutcome,
    pub earlier_knowledge: EarlierKnowledge,
    pub child_view: ChildView,
    /// Required when decided after the 14-day limit (synnerliga skäl).
    pub late_reason: Option<LateReason>,
    /// The decision text / motivation.
    pub motivation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterFeedbackGiven {
    pub given_on: NaiveDate,
    pub how: String,
}

/// Written to an open investigation's case when a new report about the child joins it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportJoined {
    pub report_case: CaseId,
    pub received_at: DateTime<Utc>,
    pub protection_assessed: bool,
}

// ---------------------------------------------------------------- investigation

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvestigationBasis {
    /// decided in the preliminary assessment
    PreliminaryAssessment,
    /// ansökan
    Application,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestigationOpened {
    /// The decision date; the 4 months run from here.
    pub opened_on: NaiveDate,
    pub basis: InvestigationBasis,
}

/// Triage colour, which sets the first-contact deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Triage {
    Red,
    Yellow,
    Green,
}

impl Triage {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Red => "röd",
            Self::Yellow => "gul",
            Self::Green => "grön",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageSet {
    pub colour: Triage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocated {
    pub unit: UnitId,
    /// None: allocated to the unit, no handler yet (visibly unallocated).
    pub handler: Option<StaffId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstContactRecorded {
    pub contact_on: NaiveDate,
    pub with_whom: String,
}

/// The documented parts of a BBIC investigation the auditors look for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "part", rename_all = "snake_case", deny_unknown_fields)]
pub enum InvestigationPart {
    /// utredningsplan
    Plan { family_invited: bool, family_took_part: bool, text: String },
    /// barnet har kommit till tals
    ChildHeard { heard: bool, reason_not_heard: Option<String>, text: String },
    /// samtycke / kontakter enligt 11 kap. 2 § SoL
    Consent { consent: bool, contacts: Option<String> },
    /// strukturerad bedömningsmetod (FREDA, PATRIARK, ASI …)
    AssessmentMethod { methods: Vec<String> },
    /// riskbedömning våld
    ViolenceRiskAssessment { method: String, conclusion: String },
    /// polisanmälan eller ställningstagande att inte anmäla
    PoliceReportDecision { reported: bool, motivation: String },
    /// kommunicering av beslutsunderlag
    Communication { communicated_on: NaiveDate, to_whom: String },
    /// faktiska omständigheter
    Facts { text: String },
    /// bedömning av behov
    NeedsAssessment { text: String },
    /// nämndens bedömning av den egna förmågan
    OwnCapacityAssessment { text: String },
    /// mål för föreslagen insats
    ProposedGoals { text: String },
    /// hur utredningen genomförts
    Conduct { text: String },
}

impl InvestigationPart {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Plan { .. } => "plan",
            Self::ChildHeard { .. } => "child_heard",
            Self::Consent { .. } => "consent",
            Self::AssessmentMethod { .. } => "assessment_method",
            Self::ViolenceRiskAssessment { .. } => "violence_risk_assessment",
            Self::PoliceReportDecision { .. } => "police_report_decision",
            Self::Communication { .. } => "communication",
            Self::Facts { .. } => "facts",
            Self::NeedsAssessment { .. } => "needs_assessment",
            Self::OwnCapacityAssessment { .. } => "own_capacity_assessment",
            Self::ProposedGoals { .. } => "proposed_goals",
            Self::Conduct { .. } => "conduct",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestigationPartRecorded {
    pub part: InvestigationPart,
}

/// Förlängning av utredningstiden (särskilda skäl), decided for a stated time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecided {
    pub decided_on: NaiveDate,
    pub new_end: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    /// kontaktfamilj
    ContactFamily,
    /// kontaktperson
    ContactPerson,
    /// familjebehandling
    FamilyTreatment,
    /// öppenvårdsinsats
    OpenCare,
    /// familjehem
    FosterHome,
    /// jourhem
    EmergencyHome,
    /// HVB
    Institution,
    /// stödboende
    SupportedHousing,
}

impl InterventionKind {
    /// Placements outside the home (övervägande every 6 months).
    pub fn is_placement(self) -> bool {
        matches!(self, Self::FosterHome | Self::EmergencyHome | Self::Institution | Self::SupportedHousing)
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::ContactFamily => "kontaktfamilj",
            Self::ContactPerson => "kontaktperson",
            Self::FamilyTreatment => "familjebehandling",
            Self::OpenCare => "öppenvårdsinsats",
            Self::FosterHome => "familjehem",
            Self::EmergencyHome => "jourhem",
            Self::Institution => "HVB",
            Self::SupportedHousing => "stödboende",
        }
    }
}

/// A decision the law keeps from officials, recorded as the board's or committee's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardDecision {
    /// `board` or `committee`
    pub body: Role,
    pub meeting_on: NaiveDate,
    /// paragraf i protokollet, e.g. "§ 47"
    pub paragraph: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantedIntervention {
    pub intervention: InterventionId,
    pub kind: InterventionKind,
    pub from: NaiveDate,
    /// End of the decided period; None = until further notice.
    pub to: Option<NaiveDate>,
    /// Long-term care and upbringing (stadigvarande vård och fostran): board only.
    pub long_term_care: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case", deny_unknown_fields)]
pub enum InvestigationOutcome {
    /// bevilja insats
    GrantIntervention { interventions: Vec<GrantedIntervention> },
    /// avslag
    Refuse,
    /// avsluta utan insats
    CloseWithoutIntervention,
    /// ansökan om vård enligt LVU
    LvuApplication,
    /// överflyttning till annan kommun
    TransferToMunicipality { municipality: String },
}

impl InvestigationOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            Self::GrantIntervention { .. } => "grant_intervention",
            Self::Refuse => "refuse",
            Self::CloseWithoutIntervention => "close_without_intervention",
            Self::LvuApplication => "lvu_application",
            Self::TransferToMunicipality { .. } => "transfer_to_municipality",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestigationDecided {
    pub decided_on: NaiveDate,
    pub outcome: InvestigationOutcome,
    pub board_decision: Option<BoardDecision>,
    pub motivation: String,
}

/// A decision granting an intervention outside an investigation's decision (e.g. a
/// continued insats after follow-up). Interventions granted by the investigation's
/// decision are listed in its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionGranted {
    pub decided_on: NaiveDate,
    pub granted: GrantedIntervention,
    pub board_decision: Option<BoardDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionStarted {
    pub intervention: InterventionId,
    pub started_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnforcementDelayReason {
    /// plats saknas / ingen lämplig familj
    NoPlacementAvailable,
    /// personal saknas
    NoStaff,
    /// den enskilde har tackat nej
    Declined,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnforcementDelayRecorded {
    pub intervention: InterventionId,
    pub reason: EnforcementDelayReason,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionFollowedUp {
    pub intervention: InterventionId,
    pub followed_up_on: NaiveDate,
    pub goal_attainment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterventionEndReason {
    /// planned end / goals met
    Planned,
    /// sammanbrott (unplanned breakdown of a placement)
    Breakdown,
    /// the family or young person declined to continue
    Declined,
    /// moved to another municipality
    Moved,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionEnded {
    pub intervention: InterventionId,
    pub ended_on: NaiveDate,
    pub reason: InterventionEndReason,
}

/// Övervägande (at least every 6 months for a placement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementReviewed {
    pub intervention: InterventionId,
    pub reviewed_on: NaiveDate,
    pub conclusion: String,
}

/// Consideration of vårdnadsöverflyttning after 2 years in the same family home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustodyTransferConsidered {
    pub intervention: InterventionId,
    pub considered_on: NaiveDate,
    pub conclusion: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryWritten {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationDeviationFlagged {
    pub decision: DecisionType,
    pub decided_on: NaiveDate,
    /// The version of the delegation order the decision was judged against.
    pub order_version: String,
    /// Roles that may take the decision under that version.
    pub may_decide: Vec<Role>,
    /// Why it is outside delegation (Swedish).
    pub message: String,
}

// ---------------------------------------------------------------- the public e-tjänst

/// A report of concern as the public e-tjänst received it: immutable, free text only here.
/// Nothing in it has been checked against the person register (the e-tjänst never looks
/// anything up, so its answer is the same whether or not the child is known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebReportSubmitted {
    pub submission: SubmissionId,
    /// The receipt number shown to the submitter.
    pub receipt: String,
    /// The server's clock when it was received: the statutory clock starts here.
    pub received_at: DateTime<Utc>,
    /// Received outside the intake's office hours (flag for the länsjour).
    pub after_hours: bool,
    /// The receiving unit (mottagning).
    pub unit: UnitId,
    /// Category professional: name, workplace and contact given; anonymous: none.
    pub reporter: Reporter,
    pub child_name: Option<String>,
    /// As given and checked for form (not looked up).
    pub child_id_number: Option<PersonalIdentityNumber>,
    /// Age, address, school — whatever helps find the child.
    pub child_details: Option<String>,
    /// Siblings or other children the report also concerns.
    pub other_children: Option<String>,
    /// What happened, what the submitter is worried about.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebReportRegistered {
    pub actualisation: ActualisationId,
    /// One case per child of the aktualisering.
    pub cases: Vec<CaseId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebReportDismissed {
    /// Why it was not registered (e.g. a duplicate of receipt …, not about a child).
    pub reason: String,
}

// ---------------------------------------------------------------- reports

/// One narrative section of a report as written (stream `narrative/<report>-<year>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportNarrativeWritten {
    /// The report's kind (`kvalitetsberattelse`).
    pub report: String,
    pub year: i32,
    /// The section's key (`introduction`, `prerequisites`, `quality_assessment`,
    /// `improvement_areas`).
    pub section: String,
    pub text: String,
}
