//! The fact table: every case flattened once into the dates and flags the indicators
//! need, with the unit responsible at each act as a small index into the organisation
//! tree in depth-first order (so a unit's subtree is a contiguous index range).
//!
//! Built from journal events (`FactsBuilder::push`), so it sees what the projections do
//! not keep: the unit the case was allocated to when each decision was taken.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use skyndsam_domain::calendar::local_date;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::checks::{self, Questionnaire, Reply, Section};
use skyndsam_domain::events::{
    ActualisationKind, EnforcementDelayReason, InterventionEndReason, InterventionKind, Payload, PreliminaryOutcome,
    Reason, RecordedEvent,
};
use skyndsam_domain::ids::{CaseId, InterventionId, PersonId, UnitId};
use skyndsam_domain::org::Organisation;
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::rules::RuleTable;

/// Sex as a breakdown dimension.
pub const SEX_UNKNOWN: u8 = 0;
pub const SEX_GIRL: u8 = 1;
pub const SEX_BOY: u8 = 2;
pub const SEXES: usize = 3;

/// Age bands (DOMAIN §6): 0–12, 13–17, 18–20; 3 = unknown birth date or older than 20.
pub const AGE_BANDS: usize = 4;
pub const AGE_UNKNOWN: u8 = 3;

/// The age band of a child born on `birth`, at the date `on` (completed years).
pub fn age_band(birth: Option<NaiveDate>, on: NaiveDate) -> u8 {
    let Some(b) = birth else { return AGE_UNKNOWN };
    if on < b {
        return AGE_UNKNOWN;
    }
    let mut years = on.year() - b.year();
    if (on.month(), on.day()) < (b.month(), b.day()) {
        years -= 1;
    }
    match years {
        0..=12 => 0,
        13..=17 => 1,
        18..=20 => 2,
        _ => AGE_UNKNOWN,
    }
}

pub const PRELIM_OPEN: u8 = 0;
pub const PRELIM_NOT_OPEN: u8 = 1;
pub const PRELIM_JOIN: u8 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrelimFact {
    pub decided_on: NaiveDate,
    /// `PRELIM_OPEN`, `PRELIM_NOT_OPEN` or `PRELIM_JOIN`
    pub outcome: u8,
    /// The unit the case was allocated to when the decision was taken.
    pub unit: u16,
    pub feedback_given: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvFact {
    pub opened_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    /// The decided end in force after extensions (förlängning), if extended.
    pub extended_to: Option<NaiveDate>,
    /// The unit at the decision closing the investigation (or the current one while open).
    pub unit: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterventionFact {
    pub kind: InterventionKind,
    /// Why enforcement is late, when recorded (IVO's list).
    pub delay_reason: Option<EnforcementDelayReason>,
    pub foster_home: bool,
    pub decided_on: NaiveDate,
    /// End of the decided period; None = until further notice.
    pub to: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub breakdown: bool,
    /// The unit at the act that ended it (or the current unit).
    pub unit: u16,
    /// The unit when it started (or the current unit).
    pub start_unit: u16,
}

/// One decision, for DELEG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFact {
    pub on: NaiveDate,
    pub unit: u16,
    pub authorised: bool,
}

/// One case (one child, one actualisation), flattened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFact {
    pub case: CaseId,
    /// Index of the child (for unique counts).
    pub child: u32,
    /// The child (for the pseudonymised extract's stable pseudonyms; never printed).
    pub child_id: PersonId,
    pub sex: u8,
    /// Age band at the date of receipt (docs/decisions/0006-indicators.md).
    pub age_band: u8,
    pub kind: ActualisationKind,
    pub received_at: DateTime<Utc>,
    /// Europe/Stockholm date of receipt.
    pub received_on: NaiveDate,
    /// The receiving unit.
    pub unit_received: u16,
    /// (effective date, unit) of every allocation, in journal order.
    pub allocations: Vec<(NaiveDate, u16)>,
    pub violence: bool,
    pub serious_crime: bool,
    pub professional_reporter: bool,
    pub protection_at: Option<DateTime<Utc>>,
    pub prelim: Option<PrelimFact>,
    pub inv: Option<InvFact>,
    pub interventions: Vec<InterventionFact>,
    pub decisions: Vec<DecisionFact>,
    /// Self-inspection answers as of the facts' inspection date, one per question the record
    /// answers (`auto`), in the order of [`FactTable::self_inspection`]'s questions (empty
    /// when the facts were built without it).
    #[serde(default)]
    pub dok: Vec<DokAnswer>,
    /// The unit the case belonged to at the inspection date (the self-inspection's unit).
    #[serde(default)]
    pub dok_unit: u16,
}

/// One self-inspection answer, compact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DokAnswer {
    Yes,
    No,
    NotApplicable,
}

impl From<Reply> for DokAnswer {
    fn from(r: Reply) -> Self {
        match r {
            Reply::Yes => DokAnswer::Yes,
            Reply::No => DokAnswer::No,
            Reply::NotApplicable => DokAnswer::NotApplicable,
        }
    }
}

/// A question of the self-inspection that the record answers (the DOK-* indicators;
/// judgement questions are only pre-filled for the auditor and are not measured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DokQuestion {
    pub section: Section,
    pub id: String,
    pub text: String,
}

impl DokQuestion {
    /// The indicator id: `DOK-FB-<question id>` (förhandsbedömning) or `DOK-UTR-<question id>`
    /// (utredning); the same id may be asked in both parts.
    pub fn indicator_id(&self) -> String {
        match self.section {
            Section::PreliminaryAssessment => format!("DOK-FB-{}", self.id),
            Section::Investigation => format!("DOK-UTR-{}", self.id),
        }
    }
}

/// Which questionnaire the facts' self-inspection answers and as of which date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfInspection {
    pub as_of: NaiveDate,
    pub questions: Vec<DokQuestion>,
}

impl CaseFact {
    /// The unit responsible on `d` (end of that day): the last allocation effective on or
    /// before `d`, else the receiving unit.
    pub fn unit_on(&self, d: NaiveDate) -> u16 {
        self.allocations.iter().rev().find(|(on, _)| *on <= d).map(|(_, u)| *u).unwrap_or(self.unit_received)
    }
}

/// A unit in depth-first order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitEntry {
    pub id: UnitId,
    pub name: String,
    pub depth: u16,
    /// One past the last index of this unit's subtree.
    pub subtree_end: u16,
}

/// The organisation's units in depth-first (preorder) order; units that cases refer to
/// but the organisation does not know are appended as roots ("okänd enhet").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnitIndex {
    pub units: Vec<UnitEntry>,
}

impl UnitIndex {
    pub fn len(&self) -> usize {
        self.units.len()
    }
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
    pub fn find(&self, id: &str) -> Option<u16> {
        self.units.iter().position(|u| u.id.as_str() == id).and_then(|i| u16::try_from(i).ok())
    }
    /// The index range of the unit and everything below it.
    pub fn subtree(&self, u: u16) -> std::ops::Range<usize> {
        let i = usize::from(u);
        match self.units.get(i) {
            Some(e) => i..usize::from(e.subtree_end),
            None => 0..0,
        }
    }
    pub fn get(&self, u: u16) -> Option<&UnitEntry> {
        self.units.get(usize::from(u))
    }
    /// The units directly below `parent` (None: the top units), in tree order.
    pub fn children(&self, parent: Option<u16>) -> Vec<u16> {
        let depth = parent.and_then(|p| self.get(p)).map_or(0, |u| u.depth + 1);
        let range = parent.map_or(0..self.len(), |p| (usize::from(p) + 1)..self.subtree(p).end);
        range
            .filter(|i| self.units.get(*i).is_some_and(|u| u.depth == depth))
            .filter_map(|i| u16::try_from(i).ok())
            .collect()
    }

    fn build(org: &Organisation, extra: &[UnitId]) -> UnitIndex {
        let mut children: HashMap<Option<&UnitId>, Vec<&UnitId>> = HashMap::new();
        for u in org.units.values() {
            // A parent that does not exist makes the unit a root.
            let parent = u.parent.as_ref().filter(|p| org.units.contains_key(*p));
            children.entry(parent).or_default().push(&u.id);
        }
        for v in children.values_mut() {
            v.sort();
        }
        let mut out = UnitIndex::default();
        // Iterative preorder; (unit, depth, entered?)
        let mut stack: Vec<(&UnitId, u16, bool)> =
            children.get(&None).into_iter().flatten().rev().map(|u| (*u, 0u16, false)).collect();
        let mut open: Vec<usize> = Vec::new();
        while let Some((u, depth, entered)) = stack.pop() {
            if entered {
                if let Some(i) = open.pop() {
                    let end = u16::try_from(out.units.len()).unwrap_or(u16::MAX);
                    if let Some(e) = out.units.get_mut(i) {
                        e.subtree_end = end;
                    }
                }
                continue;
            }
            if out.units.iter().any(|e| &e.id == u) {
                continue; // a cycle cannot be made through commands; guard anyway
            }
            let name = org.unit(u).map(|x| x.name.clone()).unwrap_or_default();
            open.push(out.units.len());
            out.units.push(UnitEntry { id: u.clone(), name, depth, subtree_end: 0 });
            stack.push((u, depth, true));
            for c in children.get(&Some(u)).into_iter().flatten().rev() {
                stack.push((*c, depth + 1, false));
            }
        }
        for u in extra {
            if !out.units.iter().any(|e| &e.id == u) {
                let end = u16::try_from(out.units.len() + 1).unwrap_or(u16::MAX);
                out.units.push(UnitEntry { id: u.clone(), name: "okänd enhet".into(), depth: 0, subtree_end: end });
            }
        }
        out
    }
}

/// Every case's facts and the unit index they point into.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FactTable {
    pub units: UnitIndex,
    pub cases: Vec<CaseFact>,
    /// Number of distinct children.
    pub children: u32,
    /// The quality-management system's events (deviations, lex Sarah, complaints, risks,
    /// control plans, surveys) in journal order; folded into matters as of the reporting
    /// date by [`crate::Report::new`].
    #[serde(default)]
    pub quality: Vec<RecordedEvent>,
    /// Present when the facts were built with self-inspection answers (DOK-*).
    #[serde(default)]
    pub self_inspection: Option<SelfInspection>,
}

#[derive(Debug, Clone, Copy, Default)]
struct PersonFacts {
    sex: Option<Sex>,
    birth: Option<NaiveDate>,
}

/// Collects journal events and folds them into a [`FactTable`].
pub struct FactsBuilder<'r> {
    /// The configured table, plus the delegation-order versions the journal records (taken
    /// in as they are read, so DELEG judges a decision as the server did).
    rules: std::borrow::Cow<'r, RuleTable>,
    org: Organisation,
    persons: HashMap<PersonId, PersonFacts>,
    child_index: HashMap<PersonId, u32>,
    pending: HashMap<CaseId, Vec<RecordedEvent>>,
    /// Provisional unit numbering (first seen), remapped to depth-first order at the end.
    unit_ids: Vec<UnitId>,
    unit_of: HashMap<UnitId, u16>,
    cases: Vec<CaseFact>,
    quality: Vec<RecordedEvent>,
    inspection: Option<(Questionnaire, NaiveDate)>,
}

impl<'r> FactsBuilder<'r> {
    pub fn new(rules: &'r RuleTable) -> Self {
        Self {
            rules: std::borrow::Cow::Borrowed(rules),
            org: Organisation::default(),
            persons: HashMap::new(),
            child_index: HashMap::new(),
            pending: HashMap::new(),
            unit_ids: Vec::new(),
            unit_of: HashMap::new(),
            cases: Vec::new(),
            quality: Vec::new(),
            inspection: None,
        }
    }

    /// Also answers every case's self-inspection (`checks::inspect`) as of `as_of`, for the
    /// DOK-* indicators. Costs one inspection per case (about 20 µs), so only the commands
    /// that report DOK ask for it.
    pub fn with_self_inspection(mut self, questions: Questionnaire, as_of: NaiveDate) -> Self {
        self.inspection = Some((questions, as_of));
        self
    }

    /// Takes one event (any stream, journal order).
    pub fn push(&mut self, e: RecordedEvent) {
        match &e.payload {
            p if p.is_organisation() => {
                if let Payload::DelegationOrderVersioned(v) = p {
                    self.rules.to_mut().absorb_delegation_version(v);
                }
                self.org.apply(&e)
            }
            Payload::PersonRegistered(p) => {
                self.persons.insert(
                    p.person,
                    PersonFacts {
                        sex: p.sex.or_else(|| p.id_number.as_ref().and_then(|n| n.sex())),
                        birth: p.birth_date.or_else(|| p.id_number.as_ref().and_then(|n| n.birth_date())),
                    },
                );
            }
            Payload::PersonUpdated(_) => {}
            p if p.is_quality() => self.quality.push(e),
            _ => {
                if let Some(id) = e.stream.strip_prefix("case/").and_then(|s| CaseId::parse(s).ok()) {
                    self.pending.entry(id).or_default().push(e);
                }
            }
        }
    }

    /// Folds every case collected so far and drops its events (to bound memory when a
    /// large journal is read in chunks whose cases are complete).
    pub fn flush(&mut self) {
        let mut pending: Vec<(CaseId, Vec<RecordedEvent>)> = std::mem::take(&mut self.pending).into_iter().collect();
        pending.sort_by_key(|(id, _)| *id);
        for (_, events) in pending {
            if let Some(f) = self.fold(&events) {
                self.cases.push(f);
            }
        }
    }

    pub fn finish(mut self) -> FactTable {
        self.flush();
        // Units a quality matter names but the organisation does not know still get an
        // index (as for cases), so a filter can find them.
        let mut quality_units = Vec::new();
        for e in &self.quality {
            if let Some(u) = skyndsam_domain::quality::Matter::start(e).and_then(|m| m.unit().cloned()) {
                quality_units.push(u);
            }
        }
        for u in &quality_units {
            self.unit(u);
        }
        let units = UnitIndex::build(&self.org, &self.unit_ids);
        let remap: Vec<u16> = self.unit_ids.iter().map(|u| units.find(u.as_str()).unwrap_or(0)).collect();
        let m = |u: &mut u16| *u = remap.get(usize::from(*u)).copied().unwrap_or(0);
        for c in &mut self.cases {
            m(&mut c.unit_received);
            for a in &mut c.allocations {
                m(&mut a.1);
            }
            if let Some(p) = c.prelim.as_mut() {
                m(&mut p.unit);
            }
            if let Some(i) = c.inv.as_mut() {
                m(&mut i.unit);
            }
            for i in &mut c.interventions {
                m(&mut i.unit);
                m(&mut i.start_unit);
            }
            for d in &mut c.decisions {
                m(&mut d.unit);
            }
            m(&mut c.dok_unit);
        }
        self.cases.sort_by_key(|c| (c.received_at, c.case));
        let children = u32::try_from(self.child_index.len()).unwrap_or(u32::MAX);
        let self_inspection = self.inspection.map(|(q, as_of)| SelfInspection {
            as_of,
            questions: q
                .question
                .into_iter()
                .filter(|q| q.auto)
                .map(|q| DokQuestion { section: q.applies_to, id: q.id, text: q.text })
                .collect(),
        });
        FactTable { units, cases: self.cases, children, quality: self.quality, self_inspection }
    }

    fn unit(&mut self, id: &UnitId) -> u16 {
        if let Some(u) = self.unit_of.get(id) {
            return *u;
        }
        let u = u16::try_from(self.unit_ids.len()).unwrap_or(u16::MAX);
        self.unit_ids.push(id.clone());
        self.unit_of.insert(id.clone(), u);
        u
    }

    /// Folds one case's events the way `CaseState::from_events` does (a correction takes
    /// the place of the event it corrects), noting the unit in charge at each act.
    fn fold(&mut self, events: &[RecordedEvent]) -> Option<CaseFact> {
        let all: Vec<&RecordedEvent> = events.iter().collect();
        let mut state: Option<CaseState> = None;
        let mut allocations = Vec::new();
        let mut prelim_unit = None;
        let mut inv_unit = None;
        let mut ended_unit: HashMap<InterventionId, UnitId> = HashMap::new();
        let mut started_unit: HashMap<InterventionId, UnitId> = HashMap::new();
        let mut decisions: Vec<(NaiveDate, UnitId, bool)> = Vec::new();
        for eff in skyndsam_domain::case::effective_events(&all) {
            match state.as_mut() {
                None => state = CaseState::start(eff),
                Some(s) => s.apply(eff),
            }
            let Some(s) = state.as_ref() else { continue };
            let unit = s.unit.clone();
            // DELEG: judged against the delegation order in force on the decision's date and the
            // written re-delegations (domain::delegation, shared with the commands and self-inspection).
            let authorised = || {
                skyndsam_domain::delegation::judge_event(&self.rules, &self.org, eff, Some(&unit))
                    .is_some_and(|j| j.authorised())
            };
            match &eff.payload {
                Payload::Allocated(a) => allocations.push((eff.meta.effective_on, a.unit.clone())),
                Payload::PreliminaryAssessmentDecided(p) => {
                    prelim_unit = Some(unit.clone());
                    let ok = authorised();
                    decisions.push((p.decided_on, unit, ok));
                }
                Payload::ExtensionDecided(x) => {
                    let ok = authorised();
                    decisions.push((x.decided_on, unit, ok))
                }
                Payload::InvestigationDecided(d) => {
                    inv_unit = Some(unit.clone());
                    let ok = authorised();
                    decisions.push((d.decided_on, unit, ok));
                }
                Payload::InterventionGranted(g) => {
                    let ok = authorised();
                    decisions.push((g.decided_on, unit, ok))
                }
                Payload::InterventionStarted(x) => {
                    started_unit.insert(x.intervention, unit);
                }
                Payload::InterventionEnded(x) => {
                    ended_unit.insert(x.intervention, unit);
                }
                _ => {}
            }
        }
        let s = state?;
        let received_on = local_date(s.received_at);
        let person = self.persons.get(&s.child).copied().unwrap_or_default();
        let next_child = u32::try_from(self.child_index.len()).unwrap_or(u32::MAX);
        let child = *self.child_index.entry(s.child).or_insert(next_child);
        let current = self.unit(&s.unit);
        let unit_received = {
            // The receiving unit is the unit of the actualisation (before any allocation).
            let first = events.iter().find_map(|e| match &e.payload {
                Payload::ActualisationRegistered(a) => Some(a.unit.clone()),
                _ => None,
            });
            match first {
                Some(u) => self.unit(&u),
                None => current,
            }
        };
        let allocations = allocations.iter().map(|(d, u)| (*d, self.unit(u))).collect();
        let prelim = match &s.preliminary {
            Some(p) => {
                let unit = match &prelim_unit {
                    Some(u) => self.unit(u),
                    None => current,
                };
                Some(PrelimFact {
                    decided_on: p.decided_on,
                    outcome: match p.outcome {
                        PreliminaryOutcome::Open => PRELIM_OPEN,
                        PreliminaryOutcome::NotOpen => PRELIM_NOT_OPEN,
                        PreliminaryOutcome::JoinInvestigation { .. } => PRELIM_JOIN,
                    },
                    unit,
                    feedback_given: s.feedback_on.is_some(),
                })
            }
            None => None,
        };
        let inv = match &s.investigation {
            Some(i) => {
                let unit = match &inv_unit {
                    Some(u) => self.unit(u),
                    None => current,
                };
                Some(InvFact { opened_on: i.opened_on, decided_on: i.decided_on, extended_to: i.extended_to(), unit })
            }
            None => None,
        };
        let mut interventions = Vec::with_capacity(s.interventions.len());
        for i in &s.interventions {
            let unit = match ended_unit.get(&i.id) {
                Some(u) => self.unit(u),
                None => current,
            };
            let start_unit = match started_unit.get(&i.id) {
                Some(u) => self.unit(u),
                None => current,
            };
            interventions.push(InterventionFact {
                kind: i.kind,
                delay_reason: i.delay_reason,
                foster_home: i.kind == InterventionKind::FosterHome,
                decided_on: i.decided_on,
                to: i.to,
                started_on: i.started_on,
                ended_on: i.ended_on,
                breakdown: i.end_reason == Some(InterventionEndReason::Breakdown),
                unit,
                start_unit,
            });
        }
        let decisions =
            decisions.iter().map(|(on, u, ok)| DecisionFact { on: *on, unit: self.unit(u), authorised: *ok }).collect();
        let (dok, dok_unit) = match &self.inspection {
            Some((q, as_of)) => match checks::inspect(events, &self.rules, &self.org, q, *as_of) {
                Some(ins) => {
                    let unit = ins.unit.clone();
                    // Only the questions the record answers (judgement questions are pre-fills).
                    let answers = ins.answers.iter().filter(|a| a.auto).map(|a| DokAnswer::from(a.answer)).collect();
                    (answers, self.unit(&unit))
                }
                // Received after the inspection date: nothing to answer yet.
                None => (Vec::new(), current),
            },
            None => (Vec::new(), current),
        };
        Some(CaseFact {
            case: s.case,
            child,
            child_id: s.child,
            sex: match person.sex {
                Some(Sex::Female) => SEX_GIRL,
                Some(Sex::Male) => SEX_BOY,
                None => SEX_UNKNOWN,
            },
            age_band: age_band(person.birth, received_on),
            kind: s.kind,
            received_at: s.received_at,
            received_on,
            unit_received,
            allocations,
            violence: s.concerns_violence(),
            serious_crime: s.reasons.contains(&Reason::SeriousCrime),
            professional_reporter: s.reporter_category.is_professional(),
            protection_at: s.protection.as_ref().map(|p| p.assessed_at),
            prelim,
            inv,
            interventions,
            decisions,
            dok,
            dok_unit,
        })
    }
}
