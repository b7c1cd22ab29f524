//! Read models built from the journal: open cases per unit and handler, the deadline book,
//! the person index with earlier knowledge. Rebuilt at start, kept current on every append.
//! No free text is held here; it is read per case from the journal.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use skyndsam_domain::case::{CaseState, Step};
use skyndsam_domain::clock::{self, DeadlineKind, DeadlineState};
use skyndsam_domain::events::{ActualisationKind, Payload, PreliminaryOutcome, RecordedEvent};
use skyndsam_domain::ids::{CaseId, PersonId, StaffId, UnitId};
use skyndsam_domain::org::Organisation;
use skyndsam_domain::personnummer::{PersonalIdentityNumber, Sex};
use skyndsam_domain::quality::{self, commands::Lookup, Matter, QualityDeadline};
use skyndsam_domain::rules::RuleTable;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;

/// The maps looked up on every read (a case, a person): hashed with ahash, randomly keyed
/// per process like std's SipHash but several times cheaper for a 16-byte id. Att göra for
/// a unit of 5 000 open cases looks up every case of its deadline book.
type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// A pending deadline in the book, ordered by when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BookKey {
    pub due_at: DateTime<Utc>,
    pub case: CaseId,
    pub kind: DeadlineKind,
    pub last_day: NaiveDate,
    pub hour_based: bool,
}

/// One row of the deadline book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BookRow {
    pub case: CaseId,
    pub kind: DeadlineKind,
    pub last_day: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub state: DeadlineState,
}

#[derive(Debug, Clone)]
pub struct PersonEntry {
    pub id: PersonId,
    pub id_number: Option<PersonalIdentityNumber>,
    pub name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub protected_identity: bool,
}

/// One line of a child's earlier knowledge (tidigare kännedom).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnowledgeRow {
    pub case: CaseId,
    pub kind: ActualisationKind,
    pub received_on: NaiveDate,
    pub step: Step,
    /// "inleda", "inte inleda", "till pågående utredning" when decided
    pub preliminary: Option<&'static str>,
    pub investigated: bool,
    pub investigation_outcome: Option<&'static str>,
    pub interventions: Vec<&'static str>,
}

#[derive(Debug)]
struct CaseEntry {
    state: CaseState,
    /// Where the case sits in the indexes now, so it can be taken out exactly.
    pending: Vec<BookKey>,
    book_unit: Option<UnitId>,
    open_in: Option<(UnitId, Option<StaffId>)>,
}

impl CaseEntry {
    fn new(state: CaseState) -> Self {
        Self { state, pending: Vec::new(), book_unit: None, open_in: None }
    }
}

pub struct Projections {
    rules: Arc<RuleTable>,
    pub org: Organisation,
    cases: FastMap<CaseId, CaseEntry>,
    persons: FastMap<PersonId, PersonEntry>,
    by_id_number: FastMap<String, PersonId>,
    person_cases: FastMap<PersonId, Vec<CaseId>>,
    open_by_unit: HashMap<UnitId, BTreeSet<CaseId>>,
    open_by_handler: HashMap<StaffId, BTreeSet<CaseId>>,
    book: HashMap<UnitId, BTreeSet<BookKey>>,
    /// Last sequence number applied.
    pub last_seq: u64,
    /// Sequence number of the last organisation event applied: anything derived from the
    /// organisation (a caller's units) is current while this is unchanged.
    pub org_revision: u64,
    /// During a rebuild, indexing waits until every event is folded.
    deferred: Option<std::collections::HashSet<CaseId>>,
    /// Quality matters (deviations, lex Sarah, complaints, risks, control plans, surveys)
    /// by stream. Hundreds a year from staff, thousands more where the detection sweep runs:
    /// the quality book and Att göra read the two indexes below, not this whole map.
    quality: BTreeMap<String, Matter>,
    /// The clocks not yet met, per stream of `quality` that has any: the quality book reads
    /// these, not every matter ever reported (most are closed). A clock is met by an event,
    /// never by the passing of time, so this changes only when a matter does.
    quality_pending: BTreeMap<String, Vec<QualityDeadline>>,
    /// The quality streams each member of staff reported or is assigned (their desk).
    quality_desk: HashMap<StaffId, BTreeSet<String>>,
    /// The e-tjänst's submissions (the intake queue).
    pub submissions: crate::submissions::SubmissionQueue,
}

/// Rows of the deadline book, soonest first: a merge of the units' ordered books.
pub struct BookIter<'a> {
    iters: Vec<std::collections::btree_set::Iter<'a, BookKey>>,
    heads: BinaryHeap<Reverse<(&'a BookKey, usize)>>,
    rules: &'a RuleTable,
    now: DateTime<Utc>,
    today: NaiveDate,
}

impl<'a> BookIter<'a> {
    fn new(
        mut iters: Vec<std::collections::btree_set::Iter<'a, BookKey>>,
        rules: &'a RuleTable,
        now: DateTime<Utc>,
    ) -> Self {
        let heads = iters.iter_mut().enumerate().filter_map(|(i, it)| it.next().map(|k| Reverse((k, i)))).collect();
        Self { iters, heads, rules, now, today: skyndsam_domain::calendar::local_date(now) }
    }
}

impl Iterator for BookIter<'_> {
    type Item = BookRow;

    fn next(&mut self) -> Option<BookRow> {
        let Reverse((k, i)) = self.heads.pop()?;
        if let Some(next) = self.iters.get_mut(i).and_then(|it| it.next()) {
            self.heads.push(Reverse((next, i)));
        }
        Some(BookRow {
            case: k.case,
            kind: k.kind,
            last_day: k.last_day,
            due_at: k.due_at,
            state: clock::pending_state_on(
                &k.kind,
                k.due_at,
                k.last_day,
                k.hour_based,
                self.rules,
                self.now,
                self.today,
            ),
        })
    }
}

/// What `apply` needs from the caller: a case whose events must be folded anew.
pub struct Refold(pub CaseId);

impl Projections {
    pub fn new(rules: Arc<RuleTable>) -> Self {
        Self {
            rules,
            org: Organisation::default(),
            cases: FastMap::default(),
            persons: FastMap::default(),
            by_id_number: FastMap::default(),
            person_cases: FastMap::default(),
            open_by_unit: HashMap::new(),
            open_by_handler: HashMap::new(),
            book: HashMap::new(),
            last_seq: 0,
            org_revision: 0,
            deferred: None,
            quality: BTreeMap::new(),
            quality_pending: BTreeMap::new(),
            quality_desk: HashMap::new(),
            submissions: Default::default(),
        }
    }

    /// Starts a bulk load: folding continues as usual, indexing waits for `finish_rebuild`.
    pub fn begin_rebuild(&mut self) {
        self.deferred = Some(Default::default());
    }

    pub fn finish_rebuild(&mut self) {
        if let Some(ids) = self.deferred.take() {
            for id in ids {
                self.reindex(id);
            }
        }
    }

    fn touch(&mut self, id: CaseId) {
        match self.deferred.as_mut() {
            Some(set) => {
                set.insert(id);
            }
            None => self.reindex(id),
        }
    }

    pub fn rules(&self) -> &RuleTable {
        &self.rules
    }

    /// Applies one event. A correction of a case event returns `Some(Refold)`: the caller
    /// reads the case's stream and calls `refold`.
    pub fn apply(&mut self, e: &RecordedEvent) -> Option<Refold> {
        self.last_seq = self.last_seq.max(e.seq);
        match &e.payload {
            p if p.is_organisation() => {
                if let Payload::DelegationOrderVersioned(v) = p {
                    // An edited order joins the rule table: judged against by date from now on.
                    Arc::make_mut(&mut self.rules).absorb_delegation_version(v);
                }
                self.org.apply(e);
                self.org_revision = e.seq;
                None
            }
            Payload::PersonRegistered(p) => {
                if let Some(n) = &p.id_number {
                    self.by_id_number.insert(n.as_str().to_owned(), p.person);
                }
                self.persons.insert(
                    p.person,
                    PersonEntry {
                        id: p.person,
                        id_number: p.id_number.clone(),
                        name: p.name.clone(),
                        sex: p.sex.or_else(|| p.id_number.as_ref().and_then(|n| n.sex())),
                        birth_date: p.birth_date.or_else(|| p.id_number.as_ref().and_then(|n| n.birth_date())),
                        protected_identity: p.protected_identity,
                    },
                );
                None
            }
            Payload::PersonUpdated(u) => {
                let id = e.stream.strip_prefix("person/").and_then(|s| PersonId::parse(s).ok());
                if let Some(p) = id.and_then(|id| self.persons.get_mut(&id)) {
                    if let Some(n) = &u.name {
                        p.name = n.clone();
                    }
                    if let Some(pi) = u.protected_identity {
                        p.protected_identity = pi;
                    }
                }
                None
            }
            p if p.is_quality() => {
                let desk = |m: Option<&Matter>| {
                    m.and_then(|m| m.handling())
                        .map(|h| [Some(h.reported_by.clone()), h.assignee.clone()])
                        .unwrap_or_default()
                };
                let before = desk(self.quality.get(&e.stream));
                match self.quality.get_mut(&e.stream) {
                    Some(m) => m.apply(e),
                    None => {
                        if let Some(m) = Matter::start(e) {
                            self.quality.insert(e.stream.clone(), m);
                        }
                    }
                }
                let m = self.quality.get(&e.stream);
                let after = desk(m);
                for staff in before.iter().flatten() {
                    if !after.contains(&Some(staff.clone())) {
                        if let Some(set) = self.quality_desk.get_mut(staff) {
                            set.remove(&e.stream);
                        }
                    }
                }
                for staff in after.into_iter().flatten() {
                    self.quality_desk.entry(staff).or_default().insert(e.stream.clone());
                }
                let pending: Vec<QualityDeadline> = m
                    .map(|m| quality::deadlines(m, &self.rules))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|d| d.met_on.is_none())
                    .collect();
                if pending.is_empty() {
                    self.quality_pending.remove(&e.stream);
                } else {
                    self.quality_pending.insert(e.stream.clone(), pending);
                }
                None
            }
            Payload::WebReportSubmitted(_) | Payload::WebReportRegistered(_) | Payload::WebReportDismissed(_) => {
                self.submissions.apply(e);
                None
            }
            _ => self.apply_case_event(e),
        }
    }

    fn apply_case_event(&mut self, e: &RecordedEvent) -> Option<Refold> {
        let id = CaseId::parse(e.stream.strip_prefix("case/")?).ok()?;
        if e.meta.corrects.is_some() {
            return Some(Refold(id));
        }
        if let Some(entry) = self.cases.get_mut(&id) {
            entry.state.apply(e);
        } else if let Some(state) = CaseState::start(e) {
            self.person_cases.entry(state.child).or_default().push(id);
            self.cases.insert(id, CaseEntry::new(state));
        } else {
            return None;
        }
        self.touch(id);
        None
    }

    /// Replaces a case's state with a fresh fold of its events (after a correction).
    pub fn refold(&mut self, events: &[RecordedEvent]) {
        let Some(state) = CaseState::from_events(events) else { return };
        let id = state.case;
        match self.cases.get_mut(&id) {
            Some(entry) => entry.state = state,
            None => {
                self.person_cases.entry(state.child).or_default().push(id);
                self.cases.insert(id, CaseEntry::new(state));
            }
        }
        self.touch(id);
    }

    /// Takes the case out of the indexes where it sits and puts it where it belongs now.
    fn reindex(&mut self, id: CaseId) {
        let Some(entry) = self.cases.get_mut(&id) else { return };
        if let Some(u) = entry.book_unit.take() {
            if let Some(set) = self.book.get_mut(&u) {
                for k in entry.pending.drain(..) {
                    set.remove(&k);
                }
            }
        }
        if let Some((u, h)) = entry.open_in.take() {
            if let Some(set) = self.open_by_unit.get_mut(&u) {
                set.remove(&id);
            }
            if let Some(set) = h.and_then(|h| self.open_by_handler.get_mut(&h)) {
                set.remove(&id);
            }
        }
        let state = &entry.state;
        if state.is_open() {
            self.open_by_unit.entry(state.unit.clone()).or_default().insert(id);
            if let Some(h) = &state.handler {
                self.open_by_handler.entry(h.clone()).or_default().insert(id);
            }
            entry.open_in = Some((state.unit.clone(), state.handler.clone()));
        }
        // The book is for action: pending deadlines of open cases. What a closed case
        // missed is the self-inspection's business.
        let pending: Vec<BookKey> = clock::specs(state, &self.rules)
            .into_iter()
            .filter(|s| s.met_at.is_none() && state.is_open())
            .map(|s| BookKey {
                due_at: s.due_at,
                case: id,
                kind: s.kind,
                last_day: s.last_day,
                hour_based: s.hour_based,
            })
            .collect();
        if !pending.is_empty() {
            let set = self.book.entry(state.unit.clone()).or_default();
            for k in &pending {
                set.insert(*k);
            }
            entry.book_unit = Some(state.unit.clone());
        }
        entry.pending = pending;
    }

    // ------------------------------------------------------------------ queries

    pub fn case(&self, id: &CaseId) -> Option<&CaseState> {
        self.cases.get(id).map(|e| &e.state)
    }

    pub fn case_count(&self) -> usize {
        self.cases.len()
    }

    pub fn open_cases_in_unit(&self, unit: &UnitId) -> impl Iterator<Item = &CaseState> {
        self.open_by_unit.get(unit).into_iter().flatten().filter_map(|id| self.case(id))
    }

    pub fn open_cases_of_handler(&self, staff: &StaffId) -> impl Iterator<Item = &CaseState> {
        self.open_by_handler.get(staff).into_iter().flatten().filter_map(|id| self.case(id))
    }

    pub fn open_case_count(&self) -> usize {
        self.open_by_unit.values().map(|s| s.len()).sum()
    }

    /// The deadline book: every pending deadline of the cases in `units`, soonest first,
    /// with its state at `now`.
    pub fn deadline_book(&self, units: &[UnitId], now: DateTime<Utc>) -> Vec<BookRow> {
        self.deadline_book_iter(units, now).collect()
    }

    /// The deadline book as it is walked: the same rows in the same order as
    /// `deadline_book`, each computed only when taken (the units' books are merged, not
    /// sorted), so the first N rows cost O(N log units) however many are pending.
    pub fn deadline_book_iter(&self, units: &[UnitId], now: DateTime<Utc>) -> BookIter<'_> {
        let iters: Vec<_> = units.iter().filter_map(|u| self.book.get(u)).map(|s| s.iter()).collect();
        BookIter::new(iters, &self.rules, now)
    }

    pub fn person(&self, id: &PersonId) -> Option<&PersonEntry> {
        self.persons.get(id)
    }

    pub fn person_by_id_number(&self, n: &PersonalIdentityNumber) -> Option<&PersonEntry> {
        self.by_id_number.get(n.as_str()).and_then(|id| self.persons.get(id))
    }

    pub fn persons(&self) -> impl Iterator<Item = &PersonEntry> {
        self.persons.values()
    }

    /// Every case about a person (as the child), oldest first.
    pub fn cases_of_person(&self, person: &PersonId) -> impl Iterator<Item = &CaseState> {
        self.person_cases.get(person).into_iter().flatten().filter_map(|id| self.case(id))
    }

    pub fn all_cases(&self) -> impl Iterator<Item = &CaseState> {
        self.cases.values().map(|e| &e.state)
    }

    /// Earlier knowledge of a child: every case about them, newest first, optionally
    /// excluding one (the case being assessed).
    pub fn earlier_knowledge(&self, person: &PersonId, except: Option<&CaseId>) -> Vec<KnowledgeRow> {
        let mut rows: Vec<KnowledgeRow> = self
            .person_cases
            .get(person)
            .into_iter()
            .flatten()
            .filter(|id| Some(*id) != except)
            .filter_map(|id| self.case(id))
            .map(|c| KnowledgeRow {
                case: c.case,
                kind: c.kind,
                received_on: skyndsam_domain::calendar::local_date(c.received_at),
                step: c.step(),
                preliminary: c.preliminary.as_ref().map(|p| match p.outcome {
                    PreliminaryOutcome::Open => "inleda utredning",
                    PreliminaryOutcome::NotOpen => "inte inleda utredning",
                    PreliminaryOutcome::JoinInvestigation { .. } => "till pågående utredning",
                }),
                investigated: c.investigation.is_some(),
                investigation_outcome: c.investigation.as_ref().and_then(|i| i.outcome),
                interventions: c.interventions.iter().map(|i| i.kind.label_sv()).collect(),
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.received_on));
        rows
    }
}

impl Projections {
    /// A quality matter by its stream (`deviation/<id>` …).
    pub fn matter(&self, stream: &str) -> Option<&Matter> {
        self.quality.get(stream)
    }

    /// The quality matters `staff` reported or is assigned, in stream order.
    pub fn matters_on_desk_of(&self, staff: &StaffId) -> impl Iterator<Item = &Matter> {
        self.quality_desk.get(staff).into_iter().flatten().filter_map(|s| self.quality.get(s))
    }

    /// Every quality matter, in stream order.
    pub fn matters(&self) -> impl Iterator<Item = &Matter> {
        self.quality.values()
    }

    /// The pending quality clocks (deviation investigations, IVO reports, complaint answers,
    /// measures, follow-ups, control moments) that `keep` accepts, soonest first.
    pub fn quality_book(&self, keep: impl Fn(&QualityDeadline) -> bool) -> Vec<QualityDeadline> {
        let mut rows: Vec<QualityDeadline> =
            self.quality_pending.values().flatten().filter(|d| keep(d)).cloned().collect();
        rows.sort_by(|a, b| a.last_day.cmp(&b.last_day).then_with(|| a.stream.cmp(&b.stream)));
        rows
    }
}

impl Lookup for Projections {
    fn matter(&self, stream: &str) -> Option<&Matter> {
        self.quality.get(stream)
    }
    fn case(&self, id: &CaseId) -> Option<&CaseState> {
        Projections::case(self, id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_merged_book_equals_the_sorted_book_and_a_prefix_is_its_first_rows() {
        let mut p = Projections::new(Arc::new(RuleTable::defaults().unwrap()));
        let t0 = Utc.with_ymd_and_hms(2025, 3, 3, 8, 0, 0).unwrap();
        let units: Vec<UnitId> = ["a", "b", "c"].iter().map(|u| UnitId::parse(u).unwrap()).collect();
        let mut n = 0u128;
        for (ui, u) in units.iter().enumerate() {
            let set = p.book.entry(u.clone()).or_default();
            for i in 0..40i64 {
                n += 1;
                // Interleaved due times, with equal ones across units.
                let due_at = t0 + chrono::Duration::hours((i * 7 + ui as i64 * 3) % 50);
                let kind = if i % 3 == 0 { DeadlineKind::Investigation } else { DeadlineKind::PreliminaryAssessment };
                set.insert(BookKey {
                    due_at,
                    case: CaseId::from_u128(n),
                    kind,
                    last_day: due_at.date_naive(),
                    hour_based: false,
                });
            }
        }
        let now = t0 + chrono::Duration::hours(20);
        let today = skyndsam_domain::calendar::local_date(now);
        let asked = vec![units[2].clone(), UnitId::parse("saknas").unwrap(), units[0].clone(), units[1].clone()];
        let mut keys: Vec<&BookKey> = asked.iter().filter_map(|u| p.book.get(u)).flat_map(|s| s.iter()).collect();
        keys.sort_unstable();
        let expected: Vec<BookRow> = keys
            .into_iter()
            .map(|k| BookRow {
                case: k.case,
                kind: k.kind,
                last_day: k.last_day,
                due_at: k.due_at,
                state: clock::pending_state_on(&k.kind, k.due_at, k.last_day, k.hour_based, &p.rules, now, today),
            })
            .collect();
        assert_eq!(expected.len(), 120);
        assert_eq!(p.deadline_book(&asked, now), expected);
        assert_eq!(p.deadline_book_iter(&asked, now).take(17).collect::<Vec<_>>(), expected[..17]);
        assert_eq!(
            p.deadline_book(&units[1..2], now),
            expected.iter().filter(|r| p.book[&units[1]].iter().any(|k| k.case == r.case)).copied().collect::<Vec<_>>()
        );
        assert!(p.deadline_book(&[], now).is_empty());
    }
}
