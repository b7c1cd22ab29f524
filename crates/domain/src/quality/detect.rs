//! Deviations the system sees for itself (DOMAIN §5, SCENARIOS 6): a pure function of a
//! case's state, the rule table and the date. Each detection has a key; the deviation it
//! opens gets an id derived from that key, so a detection is reported once however often
//! the sweep runs (a second report of the same id is refused by the journal).

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::model::{DetectionKind, DeviationDirection, DeviationReported, DeviationSource};
use crate::calendar::{add_days, local_date};
use crate::case::CaseState;
use crate::clock::{self, DeadlineKind, DeadlineState};
use crate::ids::{CaseId, DeviationId, StaffId, UnitId};
use crate::rules::RuleTable;

/// One thing the system found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub kind: DetectionKind,
    /// Stable key: the same finding always has the same key.
    pub key: String,
    pub case: CaseId,
    pub unit: UnitId,
    /// The first day the deviation existed.
    pub occurred_on: NaiveDate,
    /// Swedish, without personal data.
    pub description: String,
}

impl Detection {
    /// The deviation's id: derived from the key (a name-based UUID, version 8).
    pub fn deviation_id(&self) -> DeviationId {
        let digest = Sha256::digest(format!("skyndsam/detection/{}", self.key).as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&digest[..16]);
        DeviationId(uuid::Builder::from_custom_bytes(b).into_uuid())
    }

    /// The report the system files, assigned to the case unit's manager (`assignee`).
    pub fn report(&self, rules: &RuleTable, assignee: Option<StaffId>) -> DeviationReported {
        DeviationReported {
            deviation: self.deviation_id(),
            unit: self.unit.clone(),
            assignee,
            occurred_on: self.occurred_on,
            category: rules.quality.detection_category(self.kind).to_owned(),
            direction: DeviationDirection::Internal,
            external_body: None,
            case: Some(self.case),
            description: self.description.clone(),
            immediate_action: None,
            source: DeviationSource::System { detection: self.kind, key: self.key.clone() },
            risk: None,
        }
    }
}

/// Everything the enabled detections find in one case at `now`.
pub fn detect(case: &CaseState, rules: &RuleTable, now: DateTime<Utc>) -> Vec<Detection> {
    let q = &rules.quality;
    let today = local_date(now);
    let mut out = Vec::new();
    let mut found = |kind: DetectionKind, key: String, occurred_on: NaiveDate, description: String| {
        if q.detection_enabled(kind) {
            out.push(Detection { kind, key, case: case.case, unit: case.unit.clone(), occurred_on, description });
        }
    };
    for i in &case.interventions {
        let running = i.ended_on.is_none() && i.started_on.is_some();
        if let (true, Some(to)) = (running, i.to) {
            if today > to {
                found(
                    DetectionKind::InterventionWithoutDecision,
                    format!("intervention_without_decision/{}/{}", i.id, to),
                    add_days(to, 1),
                    format!(
                        "Insatsen {} har beslutad tid till och med {} men pågår utan nytt beslut och är inte avslutad.",
                        i.kind.label_sv(),
                        to
                    ),
                );
            }
        }
    }
    for d in clock::deadlines(case, rules, now) {
        if d.spec.kind != DeadlineKind::PreliminaryAssessment {
            continue;
        }
        let late = match d.state {
            DeadlineState::Overdue => "pågår efter",
            DeadlineState::MetLate => "beslutades efter",
            _ => continue,
        };
        found(
            DetectionKind::PreliminaryLateWithoutReason,
            format!("preliminary_late_without_reason/{}", case.case),
            add_days(d.spec.last_day, 1),
            format!(
                "Förhandsbedömningen {late} sista dagen {} ({} dagar) utan dokumenterade synnerliga skäl.",
                d.spec.last_day, rules.deadlines.preliminary_assessment.days
            ),
        );
    }
    for (seq, decision, on) in &case.delegation_flags {
        found(
            DetectionKind::OutsideDelegation,
            format!("outside_delegation/{seq}"),
            *on,
            format!(
                "Beslut ({}) den {on} registrerades av någon utan delegation enligt delegationsordningen (händelse {seq}).",
                decision.as_str()
            ),
        );
    }
    if q.detection.unlinked_document_days > 0 && case.handler.is_none() && case.is_open() {
        let received = local_date(case.received_at);
        let limit = add_days(received, q.detection.unlinked_document_days);
        if today > limit {
            found(
                DetectionKind::UnlinkedDocument,
                format!("unlinked_document/{}", case.case),
                add_days(limit, 1),
                format!(
                    "Handlingen som kom in {received} var inte kopplad till någon handläggare efter {} dagar.",
                    q.detection.unlinked_document_days
                ),
            );
        }
    }
    out
}
