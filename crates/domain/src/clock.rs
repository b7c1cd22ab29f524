//! The statutory clock (DOMAIN §2): a pure function of a case's state, the rule table
//! and "now". Each deadline has a last day (Europe/Stockholm) or, for the hour-based
//! protection assessment, a due instant; its state tells the user at a glance where it is.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::calendar::{add_days, add_months_clamped, end_of_local_day, local_date, next_working_day_on_or_after};
use crate::case::{CaseState, Intervention};
use crate::events::InterventionKind;
use crate::ids::InterventionId;
use crate::rules::{Citation, RuleTable};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "intervention", rename_all = "snake_case")]
pub enum DeadlineKind {
    ProtectionAssessment,
    PreliminaryAssessment,
    Investigation,
    FirstContact,
    Enforcement(InterventionId),
    InterventionExpiry(InterventionId),
    PlacementReview(InterventionId),
    CustodyTransfer(InterventionId),
}

impl DeadlineKind {
    pub fn label_sv(&self) -> &'static str {
        match self {
            Self::ProtectionAssessment => "Omedelbar skyddsbedömning",
            Self::PreliminaryAssessment => "Förhandsbedömning",
            Self::Investigation => "Utredning",
            Self::FirstContact => "Första kontakt",
            Self::Enforcement(_) => "Verkställighet",
            Self::InterventionExpiry(_) => "Insatsens beslut löper ut",
            Self::PlacementReview(_) => "Övervägande",
            Self::CustodyTransfer(_) => "Överväga vårdnadsöverflyttning",
        }
    }
    /// Small integer for compact indexes.
    pub fn ordinal(&self) -> u8 {
        match self {
            Self::ProtectionAssessment => 0,
            Self::PreliminaryAssessment => 1,
            Self::Investigation => 2,
            Self::FirstContact => 3,
            Self::Enforcement(_) => 4,
            Self::InterventionExpiry(_) => 5,
            Self::PlacementReview(_) => 6,
            Self::CustodyTransfer(_) => 7,
        }
    }
}

/// What the user sees at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    Overdue,
    DueToday,
    DueSoon,
    Ok,
    MetLate,
    MetLateWithReason,
    Met,
}

impl DeadlineState {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Ok => "i tid",
            Self::DueSoon => "snart",
            Self::DueToday => "i dag",
            Self::Overdue => "försenad",
            Self::Met => "klar i tid",
            Self::MetLate => "klar för sent",
            Self::MetLateWithReason => "klar för sent, skäl dokumenterat",
        }
    }
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Ok | Self::DueSoon | Self::DueToday | Self::Overdue)
    }
}

/// A deadline without its state: what the journal fixes. Pending ones are indexed by the
/// deadline book; the state follows from `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DeadlineSpec {
    pub kind: DeadlineKind,
    /// The last day (Europe/Stockholm).
    pub last_day: NaiveDate,
    /// The first instant after the deadline.
    pub due_at: DateTime<Utc>,
    /// When met, the date (or instant for hour rules) it was met.
    pub met_at: Option<DateTime<Utc>>,
    /// Met late, but with a documented, accepted reason.
    pub reason_documented: bool,
    /// The last day before a decided extension, if extended.
    pub extended_from: Option<NaiveDate>,
    /// For deadlines measured in hours (protection assessment).
    pub hour_based: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Deadline {
    #[serde(flatten)]
    pub spec: DeadlineSpec,
    pub state: DeadlineState,
    pub name: String,
    pub citation: String,
}

/// Every deadline of the case with its state at `now`.
pub fn deadlines(case: &CaseState, rules: &RuleTable, now: DateTime<Utc>) -> Vec<Deadline> {
    specs(case, rules)
        .into_iter()
        .map(|spec| {
            let state = state_of(&spec, rules, now);
            let (name, citation) = describe(&spec.kind, rules);
            Deadline { spec, state, name, citation }
        })
        .collect()
}

/// The state of one deadline at `now`.
pub fn state_of(spec: &DeadlineSpec, rules: &RuleTable, now: DateTime<Utc>) -> DeadlineState {
    if let Some(met) = spec.met_at {
        return if met < spec.due_at {
            DeadlineState::Met
        } else if spec.reason_documented {
            DeadlineState::MetLateWithReason
        } else {
            DeadlineState::MetLate
        };
    }
    pending_state(&spec.kind, spec.due_at, spec.last_day, spec.hour_based, rules, now)
}

/// State of a pending deadline; split out so indexes can compute it without a spec.
pub fn pending_state(
    kind: &DeadlineKind,
    due_at: DateTime<Utc>,
    last_day: NaiveDate,
    hour_based: bool,
    rules: &RuleTable,
    now: DateTime<Utc>,
) -> DeadlineState {
    pending_state_on(kind, due_at, last_day, hour_based, rules, now, local_date(now))
}

/// As `pending_state`, with today's Stockholm date computed once by the caller (the
/// deadline book asks this for every row).
pub fn pending_state_on(
    kind: &DeadlineKind,
    due_at: DateTime<Utc>,
    last_day: NaiveDate,
    hour_based: bool,
    rules: &RuleTable,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> DeadlineState {
    if now >= due_at {
        return DeadlineState::Overdue;
    }
    if hour_based {
        return if due_at - now <= Duration::hours(i64::from(rules.policy.due_soon_hours)) {
            DeadlineState::DueSoon
        } else {
            DeadlineState::Ok
        };
    }
    if today == last_day {
        DeadlineState::DueToday
    } else if (last_day - today).num_days() <= i64::from(notice_days(kind, rules)) {
        DeadlineState::DueSoon
    } else {
        DeadlineState::Ok
    }
}

fn describe(kind: &DeadlineKind, rules: &RuleTable) -> (String, String) {
    let d = &rules.deadlines;
    let (name, c): (&str, &Citation) = match kind {
        DeadlineKind::ProtectionAssessment => (&d.protection_assessment.name, &d.protection_assessment.citation),
        DeadlineKind::PreliminaryAssessment => (&d.preliminary_assessment.name, &d.preliminary_assessment.citation),
        DeadlineKind::Investigation => (&d.investigation.name, &d.investigation.citation),
        DeadlineKind::FirstContact => (&d.first_contact.name, &d.first_contact.citation),
        DeadlineKind::Enforcement(_) => (&d.enforcement.name, &d.enforcement.citation),
        DeadlineKind::InterventionExpiry(_) => (&d.intervention_expiry.name, &d.intervention_expiry.citation),
        DeadlineKind::PlacementReview(_) => (&d.placement_review.name, &d.placement_review.citation),
        DeadlineKind::CustodyTransfer(_) => (&d.custody_transfer.name, &d.custody_transfer.citation),
    };
    (name.to_owned(), c.text())
}

/// The last day of a day- or month-based deadline, with the policy's weekend rule.
pub fn last_day(computed: NaiveDate, rules: &RuleTable) -> NaiveDate {
    if rules.policy.weekend_holiday_extension {
        next_working_day_on_or_after(computed)
    } else {
        computed
    }
}

fn day_spec(kind: DeadlineKind, computed: NaiveDate, met_on: Option<NaiveDate>, rules: &RuleTable) -> DeadlineSpec {
    let last = last_day(computed, rules);
    DeadlineSpec {
        kind,
        last_day: last,
        due_at: end_of_local_day(last),
        // A date-based act is met on its date: represent it by the start of that day.
        met_at: met_on.map(crate::calendar::start_of_local_day),
        reason_documented: false,
        extended_from: None,
        hour_based: false,
    }
}

/// The deadlines the journal fixes for this case (independent of "now").
pub fn specs(case: &CaseState, rules: &RuleTable) -> Vec<DeadlineSpec> {
    let d = &rules.deadlines;
    let mut out = Vec::new();
    let received_on = local_date(case.received_at);

    // Omedelbar skyddsbedömning: hours from receipt.
    if d.protection_assessment.applies_to.contains(&case.kind) {
        let due_at = case.received_at + Duration::hours(i64::from(d.protection_assessment.hours));
        out.push(DeadlineSpec {
            kind: DeadlineKind::ProtectionAssessment,
            last_day: local_date(due_at),
            due_at,
            met_at: case.protection.as_ref().map(|p| p.assessed_at),
            reason_documented: false,
            extended_from: None,
            hour_based: true,
        });
    }

    // Förhandsbedömning: receipt date + 14 days. Not needed when the report joins an
    // investigation already open — but the decision to join is itself the assessment.
    if d.preliminary_assessment.applies_to.contains(&case.kind) {
        let computed = add_days(received_on, d.preliminary_assessment.days);
        let met = case.preliminary.as_ref().map(|p| p.decided_on);
        let mut s = day_spec(DeadlineKind::PreliminaryAssessment, computed, met, rules);
        s.reason_documented = case
            .preliminary
            .as_ref()
            .and_then(|p| p.late_reason)
            .is_some_and(|k| rules.exceptional_reasons.accepted.contains(&k));
        out.push(s);
    }

    if let Some(inv) = &case.investigation {
        // Utredning: 4 months from the decision to open; a decided extension moves it.
        let computed = add_months_clamped(inv.opened_on, d.investigation.months);
        let mut s = day_spec(DeadlineKind::Investigation, computed, inv.decided_on, rules);
        if let Some(new_end) = inv.extended_to() {
            s.extended_from = Some(s.last_day);
            s.last_day = last_day(new_end, rules);
            s.due_at = end_of_local_day(s.last_day);
        }
        out.push(s);

        // First contact after allocation, by triage colour, from the opened investigation.
        let computed = add_days(inv.opened_on, d.first_contact.days(inv.triage));
        out.push(day_spec(DeadlineKind::FirstContact, computed, inv.first_contact_on, rules));
    }

    for i in &case.interventions {
        intervention_specs(i, rules, &mut out);
    }

    out
}

fn intervention_specs(i: &Intervention, rules: &RuleTable, out: &mut Vec<DeadlineSpec>) {
    let d = &rules.deadlines;
    // Verkställighet within 3 months of the decision. An intervention that ends without
    // ever starting counts as not enforced: the deadline stays unmet (IVO: closed without start).
    let computed = add_months_clamped(i.decided_on, d.enforcement.months);
    let mut s = day_spec(DeadlineKind::Enforcement(i.id), computed, i.started_on, rules);
    s.reason_documented = i.delay_reason.is_some();
    if !(i.started_on.is_none() && i.ended_on.is_some()) {
        out.push(s);
    }

    // The decided period: pending while the intervention runs; met when it ended by then.
    if let Some(to) = i.to {
        // Announced earlier than other deadlines: see `notice_days`.
        out.push(day_spec(DeadlineKind::InterventionExpiry(i.id), to, i.ended_on, rules));
    }

    if i.kind.is_placement() {
        if let Some(start) = i.started_on {
            // Övervägande at least every 6 months from the start or the last review.
            let base = i.last_review_on.unwrap_or(start);
            let computed = add_months_clamped(base, d.placement_review.months);
            if i.ended_on.is_none_or(|e| e > computed) {
                out.push(day_spec(DeadlineKind::PlacementReview(i.id), computed, None, rules));
            }
            if i.kind == InterventionKind::FosterHome {
                let computed = add_months_clamped(start, d.custody_transfer.months);
                if i.custody_considered_on.is_some() || i.ended_on.is_none_or(|e| e > computed) {
                    out.push(day_spec(DeadlineKind::CustodyTransfer(i.id), computed, i.custody_considered_on, rules));
                }
            }
        }
    }
}

/// Days of notice before a deadline of this kind turns "due soon".
pub fn notice_days(kind: &DeadlineKind, rules: &RuleTable) -> u32 {
    match kind {
        DeadlineKind::InterventionExpiry(_) => rules.policy.intervention_expiry_notice_days,
        _ => rules.policy.due_soon_days,
    }
}
