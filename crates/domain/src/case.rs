//! A case's state: the fold of its events. Holds only what rules, deadlines and lists
//! need — dates, flags, ids — never free text, which is read from the journal per case.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

use crate::events::*;
use crate::ids::{ActualisationId, CaseId, InterventionId, PersonId, StaffId, UnitId};
use crate::org::Role;

/// Where the case is in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// received; protection / preliminary assessment pending
    PreliminaryAssessment,
    /// investigation open
    Investigation,
    /// an intervention granted and not ended
    Intervention,
    /// nothing pending
    Closed,
}

impl Step {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::PreliminaryAssessment => "förhandsbedömning",
            Self::Investigation => "utredning",
            Self::Intervention => "insats",
            Self::Closed => "avslutat",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    pub assessed_at: DateTime<Utc>,
    pub immediate_need: bool,
    pub seq: u64,
    pub by: StaffId,
    pub author_named: bool,
    pub facts_given: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preliminary {
    pub decided_on: NaiveDate,
    pub outcome: PreliminaryOutcome,
    pub late_reason: Option<ExceptionalReasonKind>,
    pub earlier_knowledge_exists: bool,
    pub earlier_knowledge_described: bool,
    pub child_view_obtained: bool,
    pub child_view_documented: bool,
    pub decided_by: StaffId,
    pub role: Role,
    pub delegation: Option<String>,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Investigation {
    pub opened_on: NaiveDate,
    pub basis: Option<InvestigationBasis>,
    pub opened_seq: u64,
    pub triage: Option<Triage>,
    pub first_contact_on: Option<NaiveDate>,
    /// Decided extensions' new end dates, in order.
    pub extensions: Vec<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub outcome: Option<&'static str>,
    pub decided_by: Option<(StaffId, Role)>,
    pub board_decision: bool,
    /// Which documented parts exist (InvestigationPart::name()).
    pub parts: Vec<&'static str>,
    pub family_invited: Option<bool>,
    pub child_heard_or_reason: bool,
    pub consent_or_contacts: bool,
    pub police_report_decided: bool,
    pub violence_risk_assessed: bool,
    pub communicated: bool,
    /// Reports that joined this investigation: (case, protection assessed).
    pub joined_reports: Vec<(CaseId, bool)>,
}

impl Investigation {
    pub fn has_part(&self, p: &str) -> bool {
        self.parts.contains(&p)
    }
    /// The decided end in force (last extension), if extended.
    pub fn extended_to(&self) -> Option<NaiveDate> {
        self.extensions.last().copied()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    pub id: InterventionId,
    pub kind: InterventionKind,
    pub decided_on: NaiveDate,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub long_term_care: bool,
    pub started_on: Option<NaiveDate>,
    pub delay_reason: Option<EnforcementDelayReason>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<InterventionEndReason>,
    pub last_followed_up_on: Option<NaiveDate>,
    pub last_review_on: Option<NaiveDate>,
    pub custody_considered_on: Option<NaiveDate>,
}

impl Intervention {
    pub fn is_active(&self) -> bool {
        self.ended_on.is_none()
    }
}

/// The state of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub case: CaseId,
    pub version: u32,
    pub last_seq: u64,
    pub actualisation: ActualisationId,
    pub child: PersonId,
    pub siblings: Vec<PersonId>,
    pub kind: ActualisationKind,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub reporter_category: ReporterCategory,
    pub reporter_identified: bool,
    pub reasons: Vec<Reason>,
    pub after_hours: bool,
    pub unit: UnitId,
    pub handler: Option<StaffId>,
    pub allocated_on: Option<NaiveDate>,
    pub registered_by: StaffId,
    pub protection: Option<Protection>,
    pub preliminary: Option<Preliminary>,
    pub feedback_on: Option<NaiveDate>,
    pub investigation: Option<Investigation>,
    pub interventions: Vec<Intervention>,
    /// Sequence numbers of events superseded by corrections.
    pub corrected: Vec<u64>,
    /// Decisions recorded outside delegation ("record and flag"): the flag event's sequence
    /// number, the decision type and its date. The deviation detection picks them up.
    pub delegation_flags: Vec<(u64, crate::rules::DecisionType, NaiveDate)>,
}

/// A case's events as they stand after corrections, in journal order: a correction is not
/// an act of its own but takes the place of the event it corrects (following a correction
/// of a correction to its end). Every fold of a case's events goes through this.
pub fn effective_events<'a>(events: &[&'a RecordedEvent]) -> Vec<&'a RecordedEvent> {
    // target seq -> the latest event correcting it
    let mut replacement: HashMap<u64, &RecordedEvent> = HashMap::new();
    for e in events {
        if let Some(t) = e.meta.corrects {
            replacement.insert(t, e);
        }
    }
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        if e.meta.corrects.is_some() {
            continue; // applied at the position of the event it corrects
        }
        let mut effective: &RecordedEvent = e;
        let mut hops = 0;
        while let Some(r) = replacement.get(&effective.seq) {
            effective = r;
            hops += 1;
            if hops > events.len() {
                break;
            }
        }
        out.push(effective);
    }
    out
}

impl CaseState {
    /// Folds a case's events (in journal order). Events corrected by a later event are
    /// skipped; the correction takes their place. Returns None when the first effective
    /// event is not an actualisation.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a RecordedEvent>) -> Option<Self> {
        let events: Vec<&RecordedEvent> = events.into_iter().collect();
        let mut state: Option<CaseState> = None;
        let (last_version, last_seq) = events.last().map(|e| (e.version, e.seq)).unwrap_or_default();
        for effective in effective_events(&events) {
            match state.as_mut() {
                None => state = Self::start(effective),
                Some(s) => s.apply(effective),
            }
        }
        if let Some(s) = state.as_mut() {
            s.version = last_version;
            s.last_seq = last_seq;
            s.corrected = events.iter().filter_map(|e| e.meta.corrects).collect();
            s.corrected.sort_unstable();
            s.corrected.dedup();
        }
        state
    }

    /// Starts a state from an actualisation event.
    pub fn start(e: &RecordedEvent) -> Option<Self> {
        let Payload::ActualisationRegistered(a) = &e.payload else { return None };
        let mut s = Self {
            case: a.case,
            version: e.version,
            last_seq: e.seq,
            actualisation: a.actualisation,
            child: a.child,
            siblings: a.siblings.clone(),
            kind: a.kind,
            received_at: a.received_at,
            channel: a.channel,
            reporter_category: a.reporter.category,
            reporter_identified: false,
            reasons: Vec::new(),
            after_hours: a.after_hours,
            unit: a.unit.clone(),
            handler: None,
            allocated_on: None,
            registered_by: e.meta.actor.clone(),
            protection: None,
            preliminary: None,
            feedback_on: None,
            investigation: None,
            interventions: Vec::new(),
            corrected: Vec::new(),
            delegation_flags: Vec::new(),
        };
        s.set_registration(a);
        Some(s)
    }

    /// The registration's facts (also applied when a correction of it is folded in).
    fn set_registration(&mut self, a: &ActualisationRegistered) {
        self.kind = a.kind;
        self.received_at = a.received_at;
        self.channel = a.channel;
        self.reporter_category = a.reporter.category;
        self.reporter_identified = a.reporter.name.as_deref().is_some_and(|n| !n.trim().is_empty());
        self.reasons = a.reasons.clone();
        self.after_hours = a.after_hours;
    }

    /// Applies one more event (not a correction target).
    pub fn apply(&mut self, e: &RecordedEvent) {
        self.version = e.version;
        self.last_seq = e.seq;
        match &e.payload {
            // A correction of the registration (e.g. the kind chosen deliberately).
            Payload::ActualisationRegistered(a) => self.set_registration(a),
            // The first protection assessment counts for timeliness; a correction of it
            // is applied at its position (see `from_events`), so later ones do not replace it.
            Payload::ProtectionAssessmentRecorded(p) if self.protection.is_none() => {
                self.protection = Some(Protection {
                    assessed_at: p.assessed_at,
                    immediate_need: p.immediate_need,
                    seq: e.seq,
                    by: e.meta.actor.clone(),
                    author_named: !p.assessor_name.trim().is_empty() && !p.assessor_title.trim().is_empty(),
                    facts_given: !p.facts.trim().is_empty(),
                })
            }
            Payload::PreliminaryAssessmentDecided(p) => {
                self.preliminary = Some(Preliminary {
                    decided_on: p.decided_on,
                    outcome: p.outcome.clone(),
                    late_reason: p.late_reason.as_ref().map(|r| r.kind),
                    earlier_knowledge_exists: p.earlier_knowledge.exists,
                    earlier_knowledge_described: p
                        .earlier_knowledge
                        .description
                        .as_deref()
                        .is_some_and(|d| !d.trim().is_empty()),
                    child_view_obtained: matches!(p.child_view, ChildView::Obtained { .. }),
                    child_view_documented: match &p.child_view {
                        ChildView::Obtained { summary } => !summary.trim().is_empty(),
                        ChildView::NotObtained { reason } => !reason.trim().is_empty(),
                    },
                    decided_by: e.meta.actor.clone(),
                    role: e.meta.role,
                    delegation: e.meta.delegation.clone(),
                    seq: e.seq,
                })
            }
            Payload::ReporterFeedbackGiven(f) => self.feedback_on = Some(f.given_on),
            Payload::ReportJoined(j) => {
                if let Some(i) = self.investigation.as_mut() {
                    i.joined_reports.push((j.report_case, j.protection_assessed));
                }
            }
            Payload::InvestigationOpened(o) => {
                self.investigation = Some(Investigation {
                    opened_on: o.opened_on,
                    basis: Some(o.basis),
                    opened_seq: e.seq,
                    ..Investigation::default()
                })
            }
            Payload::TriageSet(t) => {
                if let Some(i) = self.investigation.as_mut() {
                    i.triage = Some(t.colour);
                }
            }
            Payload::Allocated(a) => {
                self.unit = a.unit.clone();
                self.handler = a.handler.clone();
                self.allocated_on = Some(e.meta.effective_on);
            }
            Payload::FirstContactRecorded(f) => {
                if let Some(i) = self.investigation.as_mut() {
                    i.first_contact_on.get_or_insert(f.contact_on);
                }
            }
            Payload::InvestigationPartRecorded(p) => {
                if let Some(i) = self.investigation.as_mut() {
                    let name = p.part.name();
                    if !i.parts.contains(&name) {
                        i.parts.push(name);
                    }
                    match &p.part {
                        InvestigationPart::Plan { family_invited, .. } => i.family_invited = Some(*family_invited),
                        InvestigationPart::ChildHeard { heard, reason_not_heard, .. } => {
                            i.child_heard_or_reason =
                                *heard || reason_not_heard.as_deref().is_some_and(|r| !r.trim().is_empty())
                        }
                        InvestigationPart::Consent { consent, contacts } => {
                            i.consent_or_contacts =
                                *consent || contacts.as_deref().is_some_and(|c| !c.trim().is_empty())
                        }
                        InvestigationPart::ViolenceRiskAssessment { .. } => i.violence_risk_assessed = true,
                        InvestigationPart::PoliceReportDecision { .. } => i.police_report_decided = true,
                        InvestigationPart::Communication { .. } => i.communicated = true,
                        _ => {}
                    }
                }
            }
            Payload::ExtensionDecided(x) => {
                if let Some(i) = self.investigation.as_mut() {
                    i.extensions.push(x.new_end);
                }
            }
            Payload::InvestigationDecided(d) => {
                if let Some(i) = self.investigation.as_mut() {
                    i.decided_on = Some(d.decided_on);
                    i.outcome = Some(d.outcome.name());
                    i.decided_by = Some((e.meta.actor.clone(), e.meta.role));
                    i.board_decision = d.board_decision.is_some();
                }
                if let InvestigationOutcome::GrantIntervention { interventions } = &d.outcome {
                    for g in interventions {
                        self.grant(g, d.decided_on);
                    }
                }
            }
            Payload::InterventionGranted(g) => self.grant(&g.granted, g.decided_on),
            Payload::InterventionStarted(s) => {
                if let Some(i) = self.intervention_mut(s.intervention) {
                    i.started_on = Some(s.started_on);
                }
            }
            Payload::EnforcementDelayRecorded(d) => {
                if let Some(i) = self.intervention_mut(d.intervention) {
                    i.delay_reason = Some(d.reason);
                }
            }
            Payload::InterventionFollowedUp(f) => {
                if let Some(i) = self.intervention_mut(f.intervention) {
                    i.last_followed_up_on = Some(f.followed_up_on);
                }
            }
            Payload::InterventionEnded(x) => {
                if let Some(i) = self.intervention_mut(x.intervention) {
                    i.ended_on = Some(x.ended_on);
                    i.end_reason = Some(x.reason);
                }
            }
            Payload::PlacementReviewed(r) => {
                if let Some(i) = self.intervention_mut(r.intervention) {
                    i.last_review_on = Some(r.reviewed_on);
                }
            }
            Payload::CustodyTransferConsidered(c) => {
                if let Some(i) = self.intervention_mut(c.intervention) {
                    i.custody_considered_on = Some(c.considered_on);
                }
            }
            Payload::ProtectionAssessmentRecorded(_)
            | Payload::EntryWritten(_)
            | Payload::UnitCreated(_)
            | Payload::StaffRegistered(_)
            | Payload::StaffQualificationChanged(_)
            | Payload::StaffEmailChanged(_)
            | Payload::RoleGranted(_)
            | Payload::RoleRevoked(_)
            | Payload::RedelegationDecided(_)
            | Payload::RedelegationRevoked(_)
            | Payload::DelegationOrderVersioned(_)
            | Payload::AuditTemplateSet(_)
            | Payload::PersonRegistered(_)
            | Payload::PersonUpdated(_)
            | Payload::WebReportSubmitted(_)
            | Payload::WebReportRegistered(_)
            | Payload::WebReportDismissed(_)
            | Payload::ReportNarrativeWritten(_) => {}
            Payload::DelegationDeviationFlagged(f) => {
                self.delegation_flags.push((e.seq, f.decision, f.decided_on));
            }
            // Quality-management events live in their own streams.
            Payload::DeviationReported(_)
            | Payload::MatterAssigned(_)
            | Payload::DeviationInvestigated(_)
            | Payload::FeedbackGiven(_)
            | Payload::DeviationForwarded(_)
            | Payload::ExternalAnswerReceived(_)
            | Payload::MatterLocked(_)
            | Payload::DeviationEscalated(_)
            | Payload::MeasureDecided(_)
            | Payload::MeasureCompleted(_)
            | Payload::FollowUpPlanned(_)
            | Payload::FollowUpRecorded(_)
            | Payload::QualityNoteWritten(_)
            | Payload::LexSarahReported(_)
            | Payload::LexSarahInvestigated(_)
            | Payload::LexSarahClassified(_)
            | Payload::LexSarahReportedToIvo(_)
            | Payload::ComplaintReceived(_)
            | Payload::ComplaintContacted(_)
            | Payload::ComplaintAnswered(_)
            | Payload::RiskRegistered(_)
            | Payload::RiskReassessed(_)
            | Payload::RiskRetired(_)
            | Payload::ControlPlanAdopted(_)
            | Payload::ControlMomentAdded(_)
            | Payload::ControlResultRecorded(_)
            | Payload::ControlReportSubmitted(_)
            | Payload::SurveyDefined(_)
            | Payload::SurveyInvitationsRecorded(_)
            | Payload::SurveyResponsesRecorded(_)
            | Payload::FileAuditOpened(_)
            | Payload::FileAuditAnswersRecorded(_)
            | Payload::FileAuditAnalysed(_)
            | Payload::FileAuditDropOutRecorded(_) => {}
        }
    }

    fn grant(&mut self, g: &GrantedIntervention, decided_on: NaiveDate) {
        if let Some(existing) = self.intervention_mut(g.intervention) {
            // A new decision for the same intervention (continued insats): new period.
            existing.to = g.to;
            existing.decided_on = decided_on;
            return;
        }
        self.interventions.push(Intervention {
            id: g.intervention,
            kind: g.kind,
            decided_on,
            from: g.from,
            to: g.to,
            long_term_care: g.long_term_care,
            started_on: None,
            delay_reason: None,
            ended_on: None,
            end_reason: None,
            last_followed_up_on: None,
            last_review_on: None,
            custody_considered_on: None,
        });
    }

    pub fn intervention(&self, id: InterventionId) -> Option<&Intervention> {
        self.interventions.iter().find(|i| i.id == id)
    }

    fn intervention_mut(&mut self, id: InterventionId) -> Option<&mut Intervention> {
        self.interventions.iter_mut().find(|i| i.id == id)
    }

    /// Whether the actualisation concerns violence (routine: open without delay; risk assessment).
    pub fn concerns_violence(&self) -> bool {
        self.reasons.iter().any(|r| r.is_violence())
    }

    pub fn step(&self) -> Step {
        if self.interventions.iter().any(|i| i.is_active()) {
            return Step::Intervention;
        }
        if let Some(i) = &self.investigation {
            return if i.decided_on.is_none() { Step::Investigation } else { Step::Closed };
        }
        match &self.preliminary {
            None => Step::PreliminaryAssessment,
            Some(_) => Step::Closed,
        }
    }

    pub fn is_open(&self) -> bool {
        self.step() != Step::Closed
    }

    /// The investigation, if one is open (decided is closed).
    pub fn open_investigation(&self) -> Option<&Investigation> {
        self.investigation.as_ref().filter(|i| i.decided_on.is_none())
    }
}
