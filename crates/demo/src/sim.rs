//! The simulation: a discrete-event loop over simulated instants. Every act is a domain
//! command judged by `skyndsam_domain::commands` with a context whose `now` is the
//! instant of the act, so the generated journal is valid by construction. The quality
//! system's acts are in `quality`.

mod quality;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashSet};

use skyndsam_domain::calendar::{add_days, local_date, TZ};
use skyndsam_domain::case::CaseState;
use skyndsam_domain::clock;
use skyndsam_domain::commands::{
    handle, is_after_hours, register_actualisation, register_person, CaseCommand, Context, RegisterActualisation,
};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::{ActualisationId, CaseId, InterventionId, PersonId};
use skyndsam_domain::journal;
use skyndsam_domain::org::{Organisation, Role};
use skyndsam_domain::personnummer::{IdKind, PersonalIdentityNumber, Sex};
use skyndsam_domain::rules::{DecisionType, RuleTable};
use skyndsam_domain::{DomainError, ErrorCode};

use crate::muni::{self, Municipality, MOTTAGNING, OPPENVARD, SYSTEM, UNGDOM, UTREDNING_1, UTREDNING_2, VALD};
use crate::names;
use crate::time::{at, between, local, months, plus, uniform, working, working_on_or_after, working_within};
use crate::{Config, Stats};

// ------------------------------------------------------------------ calibration

/// Share of after-hours receipts (länsjour / e-tjänst).
const AFTER_HOURS: f64 = 0.10;
/// Share of actualisations about a young adult (18–20), youth unit.
const YOUNG_ADULT: f64 = 0.05;
/// Probability that an actualisation concerns a family not seen in the last year.
const NEW_FAMILY: f64 = 0.40;
/// Probability that an actualisation about a family with 2+ children concerns siblings.
const SIBLINGS: f64 = 0.29;
/// Share of preliminary assessments decided after 14 days (Eskilstuna 2022: 38 %). Joins
/// are decided within days, so the share among the others is raised by the join share so far.
const PRELIM_LATE: f64 = 0.38;
/// Protection assessments deliberately late (weekends after hours add some more).
const PROTECTION_LATE: f64 = 0.02;
/// Feedback to professional reporters.
const FEEDBACK: f64 = 0.60;
/// Investigations left unallocated for a while.
const UNALLOCATED: f64 = 0.12;
/// Of investigations over four months, the share with a decided extension.
const EXTENDED: f64 = 0.34;

fn bug(what: &str) -> DomainError {
    DomainError::new(ErrorCode::InvalidInput, format!("Demodata: {what}."))
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.gen::<f64>() < p
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, s: &'a [T]) -> Option<&'a T> {
    if s.is_empty() {
        None
    } else {
        s.get(rng.gen_range(0..s.len()))
    }
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> Option<T> {
    let total: u32 = items.iter().map(|x| x.1).sum();
    if total == 0 {
        return items.first().map(|x| x.0);
    }
    let mut r = rng.gen_range(0..total);
    for &(v, w) in items {
        if r < w {
            return Some(v);
        }
        r -= w;
    }
    items.last().map(|x| x.0)
}

fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

fn reason_sv(r: Reason) -> &'static str {
    match r {
        Reason::ViolenceAgainstChild => "våld mot barn",
        Reason::WitnessedViolence => "bevittnat våld",
        Reason::SexualAbuse => "sexuella övergrepp",
        Reason::HonourViolence => "hedersrelaterat våld",
        Reason::ParentalSubstanceAbuse => "missbruk hos förälder",
        Reason::OwnSubstanceAbuse => "eget missbruk",
        Reason::Crime => "kriminalitet",
        Reason::SeriousCrime => "grov kriminalitet",
        Reason::SchoolAbsence => "skolfrånvaro",
        Reason::MentalIllHealth => "psykisk ohälsa",
        Reason::NeglectOfCare => "brister i omsorg",
        Reason::Other => "annat",
    }
}

const REASONS_CHILD: &[(Reason, u32)] = &[
    (Reason::ViolenceAgainstChild, 11),
    (Reason::WitnessedViolence, 13),
    (Reason::SexualAbuse, 2),
    (Reason::HonourViolence, 1),
    (Reason::NeglectOfCare, 24),
    (Reason::ParentalSubstanceAbuse, 14),
    (Reason::MentalIllHealth, 8),
    (Reason::SchoolAbsence, 5),
    (Reason::Other, 22),
];
const REASONS_TEEN: &[(Reason, u32)] = &[
    (Reason::ViolenceAgainstChild, 8),
    (Reason::WitnessedViolence, 6),
    (Reason::SexualAbuse, 3),
    (Reason::HonourViolence, 3),
    (Reason::Crime, 16),
    (Reason::SeriousCrime, 4),
    (Reason::OwnSubstanceAbuse, 12),
    (Reason::MentalIllHealth, 14),
    (Reason::SchoolAbsence, 10),
    (Reason::NeglectOfCare, 8),
    (Reason::ParentalSubstanceAbuse, 5),
    (Reason::Other, 11),
];
const REASONS_ADULT: &[(Reason, u32)] =
    &[(Reason::OwnSubstanceAbuse, 35), (Reason::Crime, 30), (Reason::MentalIllHealth, 25), (Reason::SeriousCrime, 10)];

const REPORTERS: &[(ReporterCategory, u32)] = &[
    (ReporterCategory::Police, 30),
    (ReporterCategory::School, 20),
    (ReporterCategory::HealthCare, 15),
    (ReporterCategory::SocialServices, 10),
    (ReporterCategory::Preschool, 5),
    (ReporterCategory::OtherAuthority, 5),
    (ReporterCategory::PrivatePerson, 10),
    (ReporterCategory::Anonymous, 5),
];

// ------------------------------------------------------------------ model

struct Family {
    surname: &'static str,
    children: Vec<usize>,
    /// The general investigation unit that handles this family.
    utredning: usize,
}

struct Child {
    person: PersonId,
    pnr: PersonalIdentityNumber,
    birth: NaiveDate,
    sex: Sex,
    name: String,
    protected: bool,
    municipality: Option<String>,
    registered: bool,
    /// Actualisations about the child so far.
    actualisations: u32,
    /// Cases with an open investigation, oldest first.
    open: Vec<usize>,
    family: usize,
}

fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years.max(0)).unwrap_or(0)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Planned {
    Open,
    NotOpen,
    Join,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Grant,
    Close,
    Refuse,
    Lvu,
    Transfer,
}

struct IvSim {
    id: InterventionId,
    kind: InterventionKind,
    /// Who starts and ends it.
    exec: usize,
    /// Who follows it up / reviews it (qualified).
    follow: usize,
}

struct CaseSim {
    state: Option<CaseState>,
    stream: String,
    version: u32,
    prev: String,
    pending: u32,
    child: usize,
    kind: ActualisationKind,
    age: u32,
    violence: bool,
    honour: bool,
    crime_against: bool,
    youth_crime: bool,
    substance: bool,
    professional: bool,
    earlier: u32,
    assessor: usize,
    planned: Planned,
    late_kind: Option<ExceptionalReasonKind>,
    unit: usize,
    handler: usize,
    outcome: Outcome,
    ext_end: Option<NaiveDate>,
    ivs: Vec<IvSim>,
}

#[derive(Debug, Clone, Copy)]
enum Part {
    Plan,
    Consent,
    PoliceReport,
    ViolenceRisk,
    ChildHeard,
    Method,
    Facts,
    Conduct,
    Needs,
    OwnCapacity,
    Goals,
    Communication,
}

#[derive(Debug, Clone, Copy)]
enum CaseAct {
    Protection { by: usize },
    Preliminary,
    Feedback { by: usize },
    Triage { colour: Triage, by: usize },
    Allocate { with_handler: bool, by: usize },
    FirstContact { by: usize },
    Part(Part),
    Extend,
    Decide,
    Entry { by: usize },
    LvuGrant,
    Start(usize),
    Delay(usize),
    FollowUp(usize),
    Continue(usize),
    Review(usize),
    Custody(usize),
    End(usize, InterventionEndReason),
}

struct Registration {
    cmd: RegisterActualisation,
    cases: Vec<usize>,
    by: usize,
}

enum Act {
    Receive,
    Register(Box<Registration>),
    Case(usize, CaseAct),
    Quality(quality::QAct),
}

struct Item {
    at: DateTime<Utc>,
    tick: u64,
    act: Act,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.tick == other.tick
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.tick).cmp(&(other.at, other.tick))
    }
}

// ------------------------------------------------------------------ the simulation

pub struct Sim<'a> {
    cfg: &'a Config,
    rules: &'a RuleTable,
    rng: ChaCha8Rng,
    org: Organisation,
    muni: Municipality,
    org_events: Vec<NewEvent>,
    persons: Vec<NewEvent>,
    events: Vec<NewEvent>,
    seq: u64,
    heap: BinaryHeap<Reverse<Item>>,
    tick: u64,
    now: DateTime<Utc>,
    families: Vec<Family>,
    children: Vec<Child>,
    recent: Vec<usize>,
    recent_pos: usize,
    recent_cap: usize,
    cases: Vec<Option<Box<CaseSim>>>,
    used_pnr: HashSet<String>,
    stats: Stats,
    paragraphs: BTreeMap<i32, u32>,
    receipts: u64,
    /// Preliminary assessments planned so far: (all, joins, late).
    planned: (u64, u64, u64),
    q: quality::QState,
}

impl<'a> Sim<'a> {
    pub fn new(cfg: &'a Config, rules: &'a RuleTable) -> Result<Self, DomainError> {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let (org_events, org, muni, seq) = muni::build(&mut rng, cfg.year)?;
        let recent_cap = usize::try_from(cfg.reports_per_year.max(1)).unwrap_or(1);
        let staff = muni.staff.iter().enumerate().map(|(i, m)| (m.actor.staff.clone(), i)).collect();
        let q = quality::QState::new(cfg.seed, staff);
        Ok(Self {
            cfg,
            rules,
            rng,
            org,
            muni,
            org_events,
            persons: Vec::new(),
            events: Vec::new(),
            seq,
            heap: BinaryHeap::new(),
            tick: 0,
            now: DateTime::<Utc>::MIN_UTC,
            families: Vec::new(),
            children: Vec::new(),
            recent: Vec::new(),
            recent_pos: 0,
            recent_cap,
            cases: Vec::new(),
            used_pnr: HashSet::new(),
            stats: Stats::default(),
            paragraphs: BTreeMap::new(),
            receipts: 0,
            planned: (0, 0, 0),
            q,
        })
    }

    /// Runs the simulation and returns the journal in order and the statistics.
    pub fn run(mut self) -> Result<(Vec<NewEvent>, Stats), DomainError> {
        for y in 0..self.cfg.years {
            let year = self.cfg.year + i32::try_from(y).map_err(|_| bug("för många år"))?;
            self.schedule_receipts(year)?;
        }
        self.schedule_quality()?;
        while let Some(Reverse(item)) = self.heap.pop() {
            if item.at > self.cfg.as_of {
                break;
            }
            self.now = item.at;
            match item.act {
                Act::Receive => self.receive()?,
                Act::Register(r) => self.register(*r)?,
                Act::Case(idx, act) => {
                    // A refusal here is a bug in the generator: say which act it was.
                    self.case_act(idx, act).map_err(|e| DomainError {
                        message: format!("{} (demo: {act:?} {})", e.message, self.now),
                        ..e
                    })?;
                    self.done(idx);
                }
                Act::Quality(a) => self.quality_act(a)?,
            }
        }
        // Case events in recorded order. The loop produces them in order already; the
        // (stable) sort only runs if not, which spares a large buffer for big runs.
        if !self.events.is_sorted_by_key(|e| e.meta.recorded_at) {
            self.events.sort_by_key(|e| e.meta.recorded_at);
        }
        // Organisation and persons go in front, in place (no second copy of the journal).
        let mut out = self.events;
        let front: Vec<NewEvent> = self.org_events.into_iter().chain(self.persons).collect();
        out.reserve_exact(front.len());
        out.splice(0..0, front);
        self.stats.events = out.len() as u64;
        Ok((out, self.stats))
    }

    // -------------------------------------------------------------- scheduling

    fn push(&mut self, at: DateTime<Utc>, act: Act) {
        let at = at.max(self.now);
        if at > self.cfg.as_of {
            return;
        }
        if let Act::Case(idx, _) = &act {
            if let Some(Some(c)) = self.cases.get_mut(*idx) {
                c.pending += 1;
            }
        }
        self.tick += 1;
        self.heap.push(Reverse(Item { at, tick: self.tick, act }));
    }

    fn push_case(&mut self, idx: usize, at: DateTime<Utc>, act: CaseAct) {
        self.push(at, Act::Case(idx, act));
    }

    fn push_on(&mut self, idx: usize, d: NaiveDate, from: u32, to: u32, act: CaseAct) {
        let t = at(&mut self.rng, d, from, to);
        self.push_case(idx, t, act);
    }

    fn done(&mut self, idx: usize) {
        if let Some(slot) = self.cases.get_mut(idx) {
            let finished = match slot.as_mut() {
                Some(c) => {
                    c.pending = c.pending.saturating_sub(1);
                    c.pending == 0
                }
                None => false,
            };
            if finished {
                *slot = None;
            }
        }
    }

    fn schedule_receipts(&mut self, year: i32) -> Result<(), DomainError> {
        const MONTH: [f64; 12] = [0.95, 1.05, 1.1, 1.0, 1.1, 0.95, 0.6, 0.9, 1.15, 1.15, 1.1, 0.85];
        const HOURS: &[(u32, u32)] =
            &[(8, 6), (9, 12), (10, 14), (11, 13), (12, 8), (13, 12), (14, 13), (15, 12), (16, 10)];
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| bug("ogiltigt år"))?;
        let mut days = Vec::new();
        let mut work = Vec::new();
        let mut cum = Vec::new();
        let mut total = 0.0;
        let mut d = first;
        while d.year() == year {
            days.push(d);
            if working(d) {
                let wd = match d.weekday() {
                    Weekday::Mon => 1.2,
                    Weekday::Tue => 1.05,
                    Weekday::Fri => 0.85,
                    _ => 1.0,
                };
                total += wd * MONTH.get(d.month0() as usize).copied().unwrap_or(1.0);
                work.push(d);
                cum.push(total);
            }
            d = plus(d, 1);
        }
        let fridays: Vec<NaiveDate> = days.iter().copied().filter(|d| d.weekday() == Weekday::Fri).collect();
        let mut times = Vec::with_capacity(self.cfg.reports_per_year as usize);
        for _ in 0..self.cfg.reports_per_year {
            let t = if chance(&mut self.rng, AFTER_HOURS) {
                if chance(&mut self.rng, 0.03) {
                    let f = pick(&mut self.rng, &fridays).copied().unwrap_or(first);
                    local(f, 23 * 60 + 59)
                } else {
                    let d = pick(&mut self.rng, &days).copied().unwrap_or(first);
                    if working(d) {
                        let m = self.rng.gen_range(0..15 * 60);
                        local(d, if m < 7 * 60 { 17 * 60 + m } else { m - 7 * 60 })
                    } else {
                        local(d, self.rng.gen_range(0..24 * 60))
                    }
                }
            } else {
                let r = self.rng.gen::<f64>() * total;
                let i = cum.partition_point(|&c| c < r).min(work.len().saturating_sub(1));
                let d = work.get(i).copied().unwrap_or(first);
                let h = weighted(&mut self.rng, HOURS).unwrap_or(10);
                local(d, h * 60 + self.rng.gen_range(0..60))
            };
            times.push(t);
        }
        times.sort();
        for t in times {
            self.push(t, Act::Receive);
        }
        Ok(())
    }

    // -------------------------------------------------------------- people

    fn new_child(&mut self, family: usize, birth: NaiveDate) -> Result<usize, DomainError> {
        let surname = self.families.get(family).map(|f| f.surname).ok_or_else(|| bug("familj saknas"))?;
        let sex = if chance(&mut self.rng, 0.5) { Sex::Female } else { Sex::Male };
        let kind = if chance(&mut self.rng, 0.01) { IdKind::Samordningsnummer } else { IdKind::Personnummer };
        let mut pnr = None;
        for _ in 0..50 {
            let parity: u16 = if sex == Sex::Male { 1 } else { 0 };
            let serial = self.rng.gen_range(0..100u16) * 10 + self.rng.gen_range(0..5u16) * 2 + parity;
            let p = PersonalIdentityNumber::from_parts(birth, serial, kind)?;
            if self.used_pnr.insert(p.as_str().to_owned()) {
                pnr = Some(p);
                break;
            }
        }
        let pnr = pnr.ok_or_else(|| bug("inget ledigt personnummer"))?;
        if pnr.sex() != Some(sex) {
            return Err(bug("kön stämmer inte med personnumret"));
        }
        let first = match sex {
            Sex::Female => pick(&mut self.rng, names::GIRLS),
            Sex::Male => pick(&mut self.rng, names::BOYS),
        }
        .copied()
        .unwrap_or("Kim");
        let municipality = if kind == IdKind::Samordningsnummer {
            None
        } else if chance(&mut self.rng, 0.97) {
            Some("Exempelstad".to_owned())
        } else {
            Some("Provköping".to_owned())
        };
        let person = PersonId::from_u128(self.rng.gen());
        let protected = chance(&mut self.rng, 0.005);
        self.children.push(Child {
            person,
            pnr,
            birth,
            sex,
            name: format!("{first} {surname}"),
            protected,
            municipality,
            registered: false,
            actualisations: 0,
            open: Vec::new(),
            family,
        });
        let idx = self.children.len() - 1;
        if let Some(f) = self.families.get_mut(family) {
            f.children.push(idx);
        }
        Ok(idx)
    }

    fn birth_for_age(&mut self, on: NaiveDate, age: u32) -> NaiveDate {
        let days = i64::from(age) * 365 + i64::from(age / 4) + self.rng.gen_range(0..365);
        let b = plus(on, -days);
        if age_on(b, on) == age {
            b
        } else {
            plus(on, -(i64::from(age) * 365 + i64::from(age / 4) + 30))
        }
    }

    fn new_family(&mut self, on: NaiveDate, young_adult: bool) -> Result<usize, DomainError> {
        let surname = pick(&mut self.rng, names::SURNAMES).copied().unwrap_or("Exempelsson");
        let utredning = if chance(&mut self.rng, 0.5) { UTREDNING_1 } else { UTREDNING_2 };
        self.families.push(Family { surname, children: Vec::new(), utredning });
        let f = self.families.len() - 1;
        if young_adult {
            let age = self.rng.gen_range(18..=20);
            let b = self.birth_for_age(on, age);
            self.new_child(f, b)?;
            return Ok(f);
        }
        let size = weighted(&mut self.rng, &[(1u32, 35), (2, 35), (3, 20), (4, 10)]).unwrap_or(1);
        let band = weighted(&mut self.rng, &[((0u32, 5u32), 30), ((6, 12), 35), ((13, 17), 35)]).unwrap_or((0, 17));
        let mut age = i64::from(self.rng.gen_range(band.0..=band.1));
        for _ in 0..size {
            let a = u32::try_from(age).unwrap_or(0);
            let b = self.birth_for_age(on, a);
            self.new_child(f, b)?;
            age -= self.rng.gen_range(1..=4);
            if age < 0 {
                break;
            }
        }
        Ok(f)
    }

    /// The children an actualisation concerns.
    fn pick_children(&mut self, on: NaiveDate, young_adult: bool) -> Result<Vec<usize>, DomainError> {
        let eligible = |s: &Self, f: usize| -> Vec<usize> {
            s.families
                .get(f)
                .map(|fam| {
                    fam.children
                        .iter()
                        .copied()
                        .filter(|&c| {
                            s.children.get(c).is_some_and(|ch| {
                                let a = age_on(ch.birth, on);
                                ch.birth <= on && if young_adult { (18..=20).contains(&a) } else { a <= 17 }
                            })
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut chosen = None;
        if !self.recent.is_empty() && !chance(&mut self.rng, NEW_FAMILY) {
            let f = pick(&mut self.rng, &self.recent).copied().unwrap_or(0);
            let e = eligible(self, f);
            if !e.is_empty() {
                chosen = Some((f, e));
            }
        }
        let (f, mut e) = match chosen {
            Some(x) => x,
            None => {
                let f = self.new_family(on, young_adult)?;
                (f, eligible(self, f))
            }
        };
        if e.is_empty() {
            return Err(bug("familjen saknar barn i rätt ålder"));
        }
        // Remember the family (preferential: often-reported families come back more often).
        if self.recent.len() < self.recent_cap {
            self.recent.push(f);
        } else if let Some(slot) = self.recent.get_mut(self.recent_pos) {
            *slot = f;
            self.recent_pos = (self.recent_pos + 1) % self.recent_cap;
        }
        if e.len() >= 2 && !young_adult && chance(&mut self.rng, SIBLINGS) {
            let n = if e.len() >= 3 && chance(&mut self.rng, 0.35) { 3 } else { 2 };
            // Partial Fisher–Yates for a deterministic choice of n siblings.
            for i in 0..n {
                let j = self.rng.gen_range(i..e.len());
                e.swap(i, j);
            }
            e.truncate(n);
            e.sort_unstable();
            Ok(e)
        } else {
            // The first reported child of a family is reported more often.
            let c = if chance(&mut self.rng, 0.6) { e.first().copied() } else { pick(&mut self.rng, &e).copied() };
            Ok(vec![c.ok_or_else(|| bug("inget barn"))?])
        }
    }

    fn reporter(&mut self, kind: ActualisationKind, family_surname: &str) -> Reporter {
        let category = match kind {
            ActualisationKind::Report => weighted(&mut self.rng, REPORTERS).unwrap_or(ReporterCategory::Police),
            ActualisationKind::Notification => weighted(
                &mut self.rng,
                &[
                    (ReporterCategory::Police, 50),
                    (ReporterCategory::OtherAuthority, 30),
                    (ReporterCategory::HealthCare, 20),
                ],
            )
            .unwrap_or(ReporterCategory::Police),
            ActualisationKind::Application => ReporterCategory::PrivatePerson,
            ActualisationKind::OwnKnowledge => ReporterCategory::SocialServices,
        };
        let adult = pick(&mut self.rng, names::ADULTS).copied().unwrap_or("Kim");
        let surname = pick(&mut self.rng, names::SURNAMES).copied().unwrap_or("Exempelsson");
        let contact = format!(
            "010-{:03} {:02} {:02}",
            self.rng.gen_range(100..1000),
            self.rng.gen_range(10..100),
            self.rng.gen_range(10..100)
        );
        let org_list: &[&str] = match category {
            ReporterCategory::School => names::SCHOOLS,
            ReporterCategory::Preschool => names::PRESCHOOLS,
            ReporterCategory::HealthCare => names::HEALTH,
            ReporterCategory::Police => names::POLICE,
            ReporterCategory::SocialServices => names::SOCIAL,
            ReporterCategory::OtherAuthority => names::AUTHORITIES,
            ReporterCategory::PrivatePerson | ReporterCategory::Anonymous => &[],
        };
        if category.is_professional() {
            let organisation = if kind == ActualisationKind::OwnKnowledge {
                "Socialförvaltningen, barn och unga".to_owned()
            } else {
                pick(&mut self.rng, org_list).copied().unwrap_or("Exempelstads kommun").to_owned()
            };
            return Reporter {
                category,
                name: Some(format!("{adult} {surname}")),
                organisation: Some(organisation),
                contact: Some(contact),
            };
        }
        match category {
            ReporterCategory::PrivatePerson if kind == ActualisationKind::Application => Reporter {
                category,
                name: Some(format!("{adult} {family_surname}")),
                organisation: None,
                contact: Some(contact),
            },
            ReporterCategory::PrivatePerson if chance(&mut self.rng, 0.5) => Reporter {
                category,
                name: Some(format!("{adult} {surname}")),
                organisation: None,
                contact: Some(contact),
            },
            _ => Reporter { category, name: None, organisation: None, contact: None },
        }
    }

    fn reasons(&mut self, age: u32) -> Vec<Reason> {
        let table = if age >= 18 {
            REASONS_ADULT
        } else if age >= 13 {
            REASONS_TEEN
        } else {
            REASONS_CHILD
        };
        let mut out = vec![weighted(&mut self.rng, table).unwrap_or(Reason::Other)];
        if chance(&mut self.rng, 0.3) {
            let second = weighted(&mut self.rng, table).unwrap_or(Reason::Other);
            if !out.contains(&second) {
                out.push(second);
            }
        }
        // Schools rarely report absence of a toddler: keep the reasons plausible for the age.
        if age < 6 {
            for r in out.iter_mut() {
                if *r == Reason::SchoolAbsence {
                    *r = Reason::NeglectOfCare;
                }
            }
            out.dedup();
        }
        out
    }

    // -------------------------------------------------------------- receipt and registration

    fn receive(&mut self) -> Result<(), DomainError> {
        let received_at = self.now;
        let on = local_date(received_at);
        let after = is_after_hours(received_at);
        let young = chance(&mut self.rng, YOUNG_ADULT);
        let kind = if young {
            if chance(&mut self.rng, 0.4) {
                ActualisationKind::Application
            } else {
                ActualisationKind::Report
            }
        } else {
            weighted(
                &mut self.rng,
                &[
                    (ActualisationKind::Report, 85),
                    (ActualisationKind::Notification, 7),
                    (ActualisationKind::Application, 4),
                    (ActualisationKind::OwnKnowledge, 4),
                ],
            )
            .unwrap_or(ActualisationKind::Report)
        };
        let kids = self.pick_children(on, young)?;
        let eldest = kids.iter().filter_map(|&c| self.children.get(c)).map(|c| age_on(c.birth, on)).max().unwrap_or(0);
        let family = kids.first().and_then(|&c| self.children.get(c)).map(|c| c.family).unwrap_or(0);
        let surname = self.families.get(family).map(|f| f.surname).unwrap_or("Exempelsson");
        let reporter = self.reporter(kind, surname);
        let reasons = self.reasons(eldest);
        let channel = if after {
            if matches!(kind, ActualisationKind::Report | ActualisationKind::Notification) && chance(&mut self.rng, 0.8)
            {
                Channel::OnCall
            } else {
                Channel::EService
            }
        } else {
            match kind {
                ActualisationKind::Application => {
                    weighted(&mut self.rng, &[(Channel::Letter, 40), (Channel::EService, 40), (Channel::Visit, 20)])
                }
                ActualisationKind::OwnKnowledge => Some(Channel::Phone),
                _ => weighted(
                    &mut self.rng,
                    &[
                        (Channel::EService, 40),
                        (Channel::Phone, 30),
                        (Channel::Letter, 15),
                        (Channel::Fax, 5),
                        (Channel::Visit, 10),
                    ],
                ),
            }
            .unwrap_or(Channel::Phone)
        };
        let mottagning = self.muni.units.get(MOTTAGNING).ok_or_else(|| bug("mottagningen saknas"))?;
        let on_call = pick(&mut self.rng, &mottagning.qualified).copied().ok_or_else(|| bug("handläggare saknas"))?;
        let registrar = pick(&mut self.rng, &mottagning.registrars).copied().unwrap_or(on_call);
        let assessor = pick(&mut self.rng, &mottagning.qualified).copied().unwrap_or(on_call);
        let (by, reg_at, assessor) = match channel {
            Channel::EService => (SYSTEM, received_at, assessor),
            Channel::OnCall => (on_call, received_at + minutes(self.rng.gen_range(5..=30)), on_call),
            _ => (registrar, received_at + minutes(self.rng.gen_range(10..=120)), assessor),
        };
        let receipt = if channel == Channel::EService {
            self.receipts += 1;
            Some(format!("E-{}-{:06}", on.year(), self.receipts))
        } else {
            None
        };
        let labels: Vec<&str> = reasons.iter().map(|r| reason_sv(*r)).collect();
        let text = format!("{}: oro för {}.", kind.label_sv(), labels.join(", "));
        let violence = reasons.iter().any(|r| r.is_violence());
        let crime_against = reasons.iter().any(|r| r.is_crime_against_child());
        let honour = reasons.contains(&Reason::HonourViolence);
        let substance = reasons.iter().any(|r| matches!(r, Reason::OwnSubstanceAbuse));
        let crime =
            reasons.iter().any(|r| matches!(r, Reason::Crime | Reason::SeriousCrime | Reason::OwnSubstanceAbuse));

        let mut children = Vec::new();
        let mut cases = Vec::new();
        for &c in &kids {
            let case = CaseId::from_u128(self.rng.gen());
            let (person, age, earlier, fam) = {
                let ch = self.children.get_mut(c).ok_or_else(|| bug("barn saknas"))?;
                let earlier = ch.actualisations;
                ch.actualisations += 1;
                (ch.person, age_on(ch.birth, on), earlier, ch.family)
            };
            let youth_crime = crime && age >= 13;
            let unit = if violence {
                VALD
            } else if age >= 18 || youth_crime {
                UNGDOM
            } else {
                self.families.get(fam).map(|f| f.utredning).unwrap_or(UTREDNING_1)
            };
            let handler = {
                let u = self.muni.units.get(unit).ok_or_else(|| bug("enhet saknas"))?;
                pick(&mut self.rng, &u.qualified).copied().ok_or_else(|| bug("handläggare saknas"))?
            };
            children.push((case, person));
            self.cases.push(Some(Box::new(CaseSim {
                state: None,
                stream: case.stream(),
                version: 0,
                prev: journal::GENESIS_HASH.to_owned(),
                pending: 1,
                child: c,
                kind,
                age,
                violence,
                honour,
                crime_against,
                youth_crime,
                substance,
                professional: reporter.category.is_professional(),
                earlier,
                assessor,
                planned: Planned::NotOpen,
                late_kind: None,
                unit,
                handler,
                outcome: Outcome::Close,
                ext_end: None,
                ivs: Vec::new(),
            })));
            cases.push(self.cases.len() - 1);
        }
        let cmd = RegisterActualisation {
            actualisation: ActualisationId::from_u128(self.rng.gen()),
            children,
            kind,
            received_at,
            channel,
            reporter,
            reasons,
            text,
            unit: mottagning.id.clone(),
            receipt,
        };
        self.push(reg_at, Act::Register(Box::new(Registration { cmd, cases, by })));
        Ok(())
    }

    fn ctx_actor(&self, by: usize) -> Result<&skyndsam_domain::org::Actor, DomainError> {
        self.muni.staff.get(by).map(|m| &m.actor).ok_or_else(|| bug("personal saknas"))
    }

    fn register(&mut self, r: Registration) -> Result<(), DomainError> {
        // Persons first (folkbokföring checked at registration).
        for &idx in &r.cases {
            let c =
                self.cases.get(idx).and_then(|c| c.as_ref()).map(|c| c.child).ok_or_else(|| bug("ärende saknas"))?;
            let ch = self.children.get(c).ok_or_else(|| bug("barn saknas"))?;
            if ch.registered {
                continue;
            }
            let p = PersonRegistered {
                person: ch.person,
                id_number: Some(ch.pnr.clone()),
                name: ch.name.clone(),
                sex: Some(ch.sex),
                birth_date: Some(ch.birth),
                municipality: ch.municipality.clone(),
                protected_identity: ch.protected,
            };
            let ev = {
                let ctx = Context { now: self.now, rules: self.rules, org: &self.org, actor: self.ctx_actor(r.by)? };
                register_person(&p, &ctx)?
            };
            self.persons.push(ev);
            self.stats.children += 1;
            if let Some(ch) = self.children.get_mut(c) {
                ch.registered = true;
            }
        }
        let events = {
            let ctx = Context { now: self.now, rules: self.rules, org: &self.org, actor: self.ctx_actor(r.by)? };
            register_actualisation(&r.cmd, &ctx)?
        };
        for ev in events {
            let idx = r
                .cases
                .iter()
                .copied()
                .find(|&i| self.cases.get(i).and_then(|c| c.as_ref()).is_some_and(|c| c.stream == ev.stream))
                .ok_or_else(|| bug("händelse utan ärende"))?;
            self.commit(idx, ev)?;
        }
        self.stats.reports += 1;
        for &idx in &r.cases {
            self.plan_first(idx, r.cmd.channel, r.cmd.received_at)?;
            self.done(idx);
        }
        Ok(())
    }

    // -------------------------------------------------------------- journal

    fn cs(&self, idx: usize) -> Result<&CaseSim, DomainError> {
        self.cases.get(idx).and_then(|c| c.as_deref()).ok_or_else(|| bug("ärende saknas"))
    }

    fn cs_mut(&mut self, idx: usize) -> Result<&mut CaseSim, DomainError> {
        self.cases.get_mut(idx).and_then(|c| c.as_deref_mut()).ok_or_else(|| bug("ärende saknas"))
    }

    fn state(&self, idx: usize) -> Result<&CaseState, DomainError> {
        self.cs(idx)?.state.as_ref().ok_or_else(|| bug("ärendet är inte registrerat"))
    }

    /// Seals one event at its place in the case's stream, folds it and records it.
    fn commit(&mut self, idx: usize, ev: NewEvent) -> Result<(), DomainError> {
        self.seq += 1;
        let seq = self.seq;
        let rules = self.rules;
        let pre_days = i64::from(rules.deadlines.preliminary_assessment.days);
        let inv_months = rules.deadlines.investigation.months;
        let cs = self.cases.get_mut(idx).and_then(|c| c.as_mut()).ok_or_else(|| bug("ärende saknas"))?;
        cs.version += 1;
        let rec = journal::seal(ev, seq, cs.version, &cs.prev)?;
        let mut opened = false;
        let mut decided = false;
        match &rec.payload {
            Payload::PreliminaryAssessmentDecided(p) => {
                let received = cs.state.as_ref().map(|s| local_date(s.received_at)).unwrap_or(p.decided_on);
                self.stats.preliminary_decided += 1;
                if between(received, p.decided_on) > pre_days {
                    self.stats.preliminary_over_14_days += 1;
                }
            }
            Payload::InvestigationOpened(_) => {
                self.stats.investigations_opened += 1;
                opened = true;
            }
            Payload::InvestigationDecided(d) => {
                self.stats.investigations_closed += 1;
                decided = true;
                let opened_on = cs.state.as_ref().and_then(|s| s.investigation.as_ref()).map(|i| i.opened_on);
                if opened_on.is_some_and(|o| d.decided_on > months(o, inv_months)) {
                    self.stats.investigations_over_4_months += 1;
                }
            }
            _ => {}
        }
        match cs.state.as_mut() {
            Some(s) => s.apply(&rec),
            None => {
                cs.state = Some(CaseState::start(&rec).ok_or_else(|| bug("ärendet börjar inte med en aktualisering"))?)
            }
        }
        let child = cs.child;
        let RecordedEvent { stream, meta, payload, hash, .. } = rec;
        cs.prev = hash;
        self.events.push(NewEvent { stream, meta, payload });
        if let Some(ch) = self.children.get_mut(child) {
            if opened {
                ch.open.push(idx);
            }
            if decided {
                ch.open.retain(|&i| i != idx);
            }
        }
        Ok(())
    }

    /// Runs a case command as `by` at the current instant and records its events.
    fn exec(&mut self, idx: usize, by: usize, cmd: &CaseCommand, other: Option<usize>) -> Result<(), DomainError> {
        let events = {
            let state = self.state(idx)?;
            let other_state = match other {
                Some(o) => Some(self.state(o)?),
                None => None,
            };
            let ctx = Context { now: self.now, rules: self.rules, org: &self.org, actor: self.ctx_actor(by)? };
            handle(state, cmd, &ctx, other_state)?
        };
        for ev in events {
            let target = match other {
                Some(o) if ev.stream != self.cs(idx)?.stream => o,
                _ => idx,
            };
            self.commit(target, ev)?;
        }
        Ok(())
    }

    // -------------------------------------------------------------- delegation

    fn unit(&self, u: usize) -> Result<&muni::UnitStaff, DomainError> {
        self.muni.units.get(u).ok_or_else(|| bug("enhet saknas"))
    }

    fn qualified(&self, by: usize) -> bool {
        self.muni.staff.get(by).is_some_and(|m| m.qualified)
    }

    /// Who decides `decision` in unit `u` per the delegation order; None = the committee.
    fn decider(
        &mut self,
        decision: DecisionType,
        u: usize,
        handler: Option<usize>,
    ) -> Result<Option<usize>, DomainError> {
        let rule =
            self.rules.delegation_rule(decision).ok_or_else(|| bug("beslutstypen saknas i delegationsordningen"))?;
        if rule.board_only {
            return Ok(None);
        }
        let roles = rule.roles.clone();
        let unit = self.unit(u)?.clone();
        if let Some(h) = handler {
            if roles.contains(&Role::Handler) && self.qualified(h) {
                return Ok(Some(h));
            }
        }
        let tl = roles.contains(&Role::TeamLeader) && !unit.leaders.is_empty();
        let um = roles.contains(&Role::UnitManager);
        if tl && (!um || chance(&mut self.rng, 0.75)) {
            return pick(&mut self.rng, &unit.leaders).copied().map(Some).ok_or_else(|| bug("teamledare saknas"));
        }
        if um {
            return Ok(Some(unit.manager));
        }
        if roles.contains(&Role::Handler) {
            return pick(&mut self.rng, &unit.qualified).copied().map(Some).ok_or_else(|| bug("handläggare saknas"));
        }
        if roles.contains(&Role::AreaManager) {
            return Ok(Some(self.muni.area_manager));
        }
        if roles.contains(&Role::HeadOfAdministration) {
            return Ok(Some(self.muni.head));
        }
        Err(bug("ingen i demokommunen har delegation för beslutet"))
    }

    fn board(&mut self, on: NaiveDate) -> BoardDecision {
        let n = self.paragraphs.entry(on.year()).or_insert(0);
        *n += 1;
        BoardDecision { body: Role::Committee, meeting_on: on, paragraph: format!("§ {n}") }
    }

    fn leader(&mut self, u: usize) -> Result<usize, DomainError> {
        let unit = self.unit(u)?.clone();
        Ok(pick(&mut self.rng, &unit.leaders).copied().unwrap_or(unit.manager))
    }

    // -------------------------------------------------------------- planning

    /// Protection and preliminary assessment (or, for an application, the investigation).
    fn plan_first(&mut self, idx: usize, channel: Channel, received_at: DateTime<Utc>) -> Result<(), DomainError> {
        let (kind, child, violence, youth_crime, assessor) = {
            let c = self.cs(idx)?;
            (c.kind, c.child, c.violence, c.youth_crime, c.assessor)
        };
        if kind == ActualisationKind::Application {
            return self.plan_investigation(idx);
        }
        let recv_on = local_date(received_at);
        let reg = self.now;
        let mut pa = None;
        if self.rules.deadlines.protection_assessment.applies_to.contains(&kind) {
            let t = if chance(&mut self.rng, PROTECTION_LATE) {
                received_at + minutes(self.rng.gen_range(25 * 60..72 * 60))
            } else if channel == Channel::OnCall {
                reg + minutes(self.rng.gen_range(15..=150))
            } else if is_after_hours(received_at) {
                at(&mut self.rng, working_on_or_after(plus(recv_on, 1)), 8 * 60, 10 * 60)
            } else {
                let t = reg + minutes(self.rng.gen_range(20..=240));
                let lt = t.with_timezone(&TZ);
                if lt.date_naive() != recv_on || lt.hour() >= 17 {
                    at(&mut self.rng, working_on_or_after(plus(recv_on, 1)), 8 * 60, 10 * 60)
                } else {
                    t
                }
            };
            let t = t.max(reg + minutes(5));
            pa = Some(t);
            self.push_case(idx, t, CaseAct::Protection { by: assessor });
        }

        let days = self.rules.deadlines.preliminary_assessment.days;
        let last = clock::last_day(add_days(recv_on, days), self.rules);
        let join = self.children.get(child).is_some_and(|c| !c.open.is_empty());
        let accepted: Vec<ExceptionalReasonKind> = self
            .rules
            .exceptional_reasons
            .accepted
            .iter()
            .copied()
            .filter(|k| *k != ExceptionalReasonKind::Workload)
            .collect();
        let (planned, day, late_kind) = if join {
            let d = working_on_or_after(plus(recv_on, uniform(&mut self.rng, 0, 4)));
            (Planned::Join, d.min(last), None)
        } else {
            let p_open = match kind {
                ActualisationKind::Notification => 0.28,
                ActualisationKind::OwnKnowledge => 0.5,
                _ if violence => 0.56,
                _ if youth_crime => 0.45,
                _ => 0.34,
            };
            let planned = if chance(&mut self.rng, p_open) { Planned::Open } else { Planned::NotOpen };
            let span = between(recv_on, last).max(1);
            // Joins (decided within days) dilute the late share: compensate for the join
            // share planned so far, and steer the planned late share towards the target.
            let so_far = self.planned.0 as f64 + 50.0;
            let join_share = (self.planned.1 as f64 + 10.0) / so_far;
            let late_share = (self.planned.2 as f64 + PRELIM_LATE * 50.0) / so_far;
            let p_late = (PRELIM_LATE / (1.0 - join_share) + 2.0 * (PRELIM_LATE - late_share)).clamp(0.05, 0.9);
            if !accepted.is_empty() && chance(&mut self.rng, p_late) {
                let over = 1 + (26.0 * self.rng.gen::<f64>().powi(2)) as i64;
                let d = working_on_or_after(plus(last, over));
                let preferred = if (violence || youth_crime) && chance(&mut self.rng, 0.55) {
                    ExceptionalReasonKind::PendingPoliceInterview
                } else if chance(&mut self.rng, 0.7) {
                    ExceptionalReasonKind::FamilyUnreachable
                } else {
                    ExceptionalReasonKind::Other
                };
                let k = if accepted.contains(&preferred) { Some(preferred) } else { accepted.first().copied() };
                (planned, d, k)
            } else {
                let off = 1 + ((span as f64) * self.rng.gen::<f64>().powf(0.6)) as i64;
                let d = plus(recv_on, off.min(span));
                (planned, working_within(d, plus(recv_on, 1), last), None)
            }
        };
        self.planned.0 += 1;
        if planned == Planned::Join {
            self.planned.1 += 1;
        }
        if day > last {
            self.planned.2 += 1;
        }
        {
            let c = self.cs_mut(idx)?;
            c.planned = planned;
            c.late_kind = late_kind;
        }
        let mut t = at(&mut self.rng, day, 9 * 60, 16 * 60 + 30);
        if let Some(pa) = pa {
            t = t.max(pa + minutes(30));
        }
        self.push_case(idx, t, CaseAct::Preliminary);
        Ok(())
    }

    fn plan_investigation(&mut self, idx: usize) -> Result<(), DomainError> {
        let opened_on =
            self.state(idx)?.investigation.as_ref().map(|i| i.opened_on).ok_or_else(|| bug("utredningen saknas"))?;
        let (unit, handler, violence, crime_against, kind, age) = {
            let c = self.cs(idx)?;
            (c.unit, c.handler, c.violence, c.crime_against, c.kind, c.age)
        };
        let t0 = self.now;
        let leader = self.leader(unit)?;
        let all_handlers = self.unit(unit)?.handlers.clone();

        // Outcome (decided now so the documentation can fit it).
        let outcome = if kind == ActualisationKind::Application {
            weighted(
                &mut self.rng,
                &[(Outcome::Grant, 65), (Outcome::Refuse, 25), (Outcome::Close, 7), (Outcome::Transfer, 3)],
            )
        } else {
            let lvu = if violence || age >= 13 { 4 } else { 1 };
            weighted(
                &mut self.rng,
                &[
                    (Outcome::Grant, 42),
                    (Outcome::Close, 44),
                    (Outcome::Refuse, 7),
                    (Outcome::Transfer, 3),
                    (Outcome::Lvu, lvu),
                ],
            )
        }
        .unwrap_or(Outcome::Close);

        let colour = if violence {
            weighted(&mut self.rng, &[(Triage::Red, 35), (Triage::Yellow, 45), (Triage::Green, 20)])
        } else {
            weighted(&mut self.rng, &[(Triage::Red, 10), (Triage::Yellow, 45), (Triage::Green, 45)])
        }
        .unwrap_or(Triage::Yellow);
        let limit = i64::from(self.rules.deadlines.first_contact.days(Some(colour)));
        let t = t0 + minutes(self.rng.gen_range(5..=90));
        self.push_case(idx, t, CaseAct::Triage { colour, by: leader });

        let alloc = match colour {
            Triage::Red => opened_on,
            Triage::Yellow => working_on_or_after(plus(opened_on, uniform(&mut self.rng, 0, 2))),
            Triage::Green => working_on_or_after(plus(opened_on, uniform(&mut self.rng, 0, 5))),
        };
        let mut with_handler = alloc;
        if chance(&mut self.rng, UNALLOCATED) {
            self.push_on(idx, alloc, 8 * 60, 9 * 60 + 30, CaseAct::Allocate { with_handler: false, by: leader });
            with_handler = working_on_or_after(plus(alloc, uniform(&mut self.rng, 5, 20)));
        }
        self.push_on(idx, with_handler, 8 * 60, 9 * 60 + 30, CaseAct::Allocate { with_handler: true, by: leader });

        let planned_contact = if chance(&mut self.rng, 0.85) {
            plus(opened_on, uniform(&mut self.rng, 0, limit))
        } else {
            plus(opened_on, limit + uniform(&mut self.rng, 1, 10))
        };
        let contact =
            working_within(planned_contact.max(with_handler), with_handler, plus(planned_contact.max(with_handler), 3));
        let contact_by = if chance(&mut self.rng, 0.1) {
            pick(&mut self.rng, &all_handlers).copied().unwrap_or(handler)
        } else {
            handler
        };
        self.push_on(idx, contact, 9 * 60 + 30, 16 * 60, CaseAct::FirstContact { by: contact_by });

        // Duration: calibrated to ≈ 29 % over four months, mean ≈ 110 days.
        let inv_months = self.rules.deadlines.investigation.months;
        let last4 = clock::last_day(months(opened_on, inv_months), self.rules);
        let (p_long, short_base, short_span, short_pow) = match unit {
            VALD => (0.20, 20.0, 100.0, 0.8),
            UNGDOM => (0.33, 25.0, 95.0, 0.6),
            _ => (0.46, 30.0, 90.0, 0.45),
        };
        let mut extension = None;
        let end = if chance(&mut self.rng, p_long) {
            if chance(&mut self.rng, EXTENDED) {
                let x = working_within(plus(last4, -uniform(&mut self.rng, 3, 20)), plus(contact, 1), last4);
                let new_end = plus(last4, uniform(&mut self.rng, 30, 60));
                if x > contact && x <= last4 {
                    extension = Some((x, new_end));
                }
                let e = plus(last4, uniform(&mut self.rng, 1, between(last4, new_end)));
                working_within(e, plus(last4, 1), new_end)
            } else {
                let over = 1 + (90.0 * self.rng.gen::<f64>().powf(1.6)) as i64;
                working_on_or_after(plus(last4, over))
            }
        } else {
            let d = short_base + short_span * self.rng.gen::<f64>().powf(short_pow);
            let e = plus(opened_on, d as i64).min(last4);
            working_within(e, plus(contact, 1), last4)
        };
        let end = end.max(plus(contact, 7));
        {
            let c = self.cs_mut(idx)?;
            c.outcome = outcome;
            c.ext_end = extension.map(|x| x.1);
        }

        // Documentation: each part with its place in the investigation and how often it is there.
        let span = between(contact, end).max(1) as f64;
        let mut parts: Vec<(f64, f64, f64, Part)> = vec![
            (0.0, 0.1, 0.93, Part::Plan),
            (0.0, 0.15, 0.94, Part::Consent),
            (0.2, 0.6, 0.92, Part::ChildHeard),
            (0.2, 0.6, 0.80, Part::Method),
            (0.3, 0.8, 0.96, Part::Facts),
            (0.6, 0.95, 0.88, Part::Conduct),
            (0.6, 0.9, 0.94, Part::Needs),
            (0.6, 0.9, 0.60, Part::OwnCapacity),
            (0.85, 0.98, 0.90, Part::Communication),
        ];
        if crime_against {
            parts.push((0.0, 0.2, 0.80, Part::PoliceReport));
        }
        if violence {
            parts.push((0.05, 0.35, 0.85, Part::ViolenceRisk));
        }
        if outcome == Outcome::Grant {
            parts.push((0.75, 0.95, 0.88, Part::Goals));
        }
        let mut planned_parts = Vec::new();
        for (lo, hi, p, part) in parts {
            if !chance(&mut self.rng, p) {
                continue;
            }
            let f = lo + (hi - lo) * self.rng.gen::<f64>();
            let d = plus(contact, (span * f) as i64).min(plus(end, -1)).max(contact);
            let d = working_within(d, contact, plus(end, -1).max(contact));
            planned_parts.push((at(&mut self.rng, d, 9 * 60, 15 * 60), part));
        }
        planned_parts.sort_by_key(|x| x.0);
        for (t, part) in planned_parts {
            self.push_case(idx, t, CaseAct::Part(part));
        }
        if chance(&mut self.rng, 0.5) {
            let by = pick(&mut self.rng, &all_handlers).copied().unwrap_or(handler);
            let d = plus(contact, (span * 0.5) as i64);
            self.push_on(idx, d, 9 * 60, 15 * 60, CaseAct::Entry { by });
        }
        if let Some((x, _)) = extension {
            self.push_on(idx, x, 10 * 60, 14 * 60, CaseAct::Extend);
        }
        self.push_on(idx, end, 15 * 60, 16 * 60 + 45, CaseAct::Decide);
        Ok(())
    }

    /// Enforcement, follow-up, reviews and end of one granted intervention.
    fn plan_intervention(
        &mut self,
        idx: usize,
        iv: usize,
        decided: NaiveDate,
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> Result<(), DomainError> {
        let kind = self.cs(idx)?.ivs.get(iv).map(|i| i.kind).ok_or_else(|| bug("insats saknas"))?;
        let placement = kind.is_placement();
        let delay_p = match kind {
            InterventionKind::ContactFamily | InterventionKind::ContactPerson => 0.2,
            InterventionKind::FosterHome => 0.1,
            _ => 0.05,
        };
        let start = if chance(&mut self.rng, delay_p) {
            let d = plus(decided, uniform(&mut self.rng, 60, 88));
            self.push_on(idx, d, 9 * 60, 15 * 60, CaseAct::Delay(iv));
            let r = self.rng.gen::<f64>();
            if r < 0.45 {
                Some(working_on_or_after(plus(decided, uniform(&mut self.rng, 95, 200))))
            } else {
                if r < 0.75 {
                    let d = working_on_or_after(plus(decided, uniform(&mut self.rng, 100, 200)));
                    let reason = if chance(&mut self.rng, 0.6) {
                        InterventionEndReason::Declined
                    } else {
                        InterventionEndReason::Other
                    };
                    self.push_on(idx, d, 13 * 60, 16 * 60, CaseAct::End(iv, reason));
                }
                None
            }
        } else {
            let lag = if placement { uniform(&mut self.rng, 0, 3) } else { uniform(&mut self.rng, 0, 30) };
            Some(working_on_or_after(plus(decided, lag).max(from)))
        };
        let Some(start) = start else { return Ok(()) };
        self.push_on(idx, start, 8 * 60 + 30, 12 * 60, CaseAct::Start(iv));

        if placement {
            let (end, reason) = if chance(&mut self.rng, 0.1) {
                (plus(start, uniform(&mut self.rng, 30, 240)), InterventionEndReason::Breakdown)
            } else {
                match to {
                    Some(t) if chance(&mut self.rng, 0.85) => {
                        (plus(t, -uniform(&mut self.rng, 0, 7)).max(plus(start, 1)), InterventionEndReason::Planned)
                    }
                    Some(t) => (plus(t, uniform(&mut self.rng, 10, 60)), InterventionEndReason::Planned),
                    None => {
                        let r = if chance(&mut self.rng, 0.1) {
                            InterventionEndReason::Moved
                        } else {
                            InterventionEndReason::Planned
                        };
                        (plus(start, uniform(&mut self.rng, 180, 1095)), r)
                    }
                }
            };
            let end = end.max(plus(start, 1));
            let review_months = self.rules.deadlines.placement_review.months;
            let mut r = plus(months(start, review_months), -uniform(&mut self.rng, 0, 20));
            while r < end {
                let when = if chance(&mut self.rng, 0.1) { plus(r, uniform(&mut self.rng, 10, 40)) } else { r };
                if when >= end {
                    break;
                }
                self.push_on(idx, working_on_or_after(when).min(plus(end, -1)), 9 * 60, 12 * 60, CaseAct::Review(iv));
                r = plus(months(when, review_months), -uniform(&mut self.rng, 0, 20));
            }
            if kind == InterventionKind::FosterHome {
                let custody = self.rules.deadlines.custody_transfer.months;
                let c = plus(months(start, custody), -uniform(&mut self.rng, 0, 30));
                if c < end {
                    self.push_on(idx, c, 9 * 60, 12 * 60, CaseAct::Custody(iv));
                }
            }
            self.push_on(idx, working_on_or_after(end), 13 * 60, 16 * 60, CaseAct::End(iv, reason));
            return Ok(());
        }

        let t = to.unwrap_or_else(|| months(start, 6));
        let r = self.rng.gen::<f64>();
        let (end, reason) = if r < 0.08 {
            (plus(start, uniform(&mut self.rng, 30, 120)), InterventionEndReason::Declined)
        } else if r < 0.10 {
            (plus(start, uniform(&mut self.rng, 30, 200)), InterventionEndReason::Moved)
        } else if r < 0.22 {
            // Continued by a new decision before the period runs out.
            let d = plus(t, -uniform(&mut self.rng, 5, 20)).max(plus(start, 1));
            self.push_on(idx, d, 10 * 60, 12 * 60, CaseAct::Continue(iv));
            (plus(months(t, 6), -uniform(&mut self.rng, 0, 14)), InterventionEndReason::Planned)
        } else if r < 0.36 {
            // Runs past its decision ("insats pågår utan beslut").
            (plus(t, uniform(&mut self.rng, 7, 120)), InterventionEndReason::Planned)
        } else {
            (plus(t, -uniform(&mut self.rng, 0, 21)).max(plus(start, 1)), InterventionEndReason::Planned)
        };
        let end = end.max(plus(start, 1));
        let end = working_within(end, plus(start, 1), plus(end, 5));
        let follow = months(start, 3);
        if follow < plus(end, -10) {
            self.push_on(idx, working_on_or_after(follow), 9 * 60, 12 * 60, CaseAct::FollowUp(iv));
        }
        if reason == InterventionEndReason::Planned {
            let f = plus(end, -uniform(&mut self.rng, 0, 10)).max(plus(start, 1));
            self.push_on(idx, f, 9 * 60, 12 * 60, CaseAct::FollowUp(iv));
        }
        self.push_on(idx, end, 13 * 60, 16 * 60, CaseAct::End(iv, reason));
        Ok(())
    }

    // -------------------------------------------------------------- acts

    fn case_act(&mut self, idx: usize, act: CaseAct) -> Result<(), DomainError> {
        let today = local_date(self.now);
        match act {
            CaseAct::Protection { by } => {
                let (violence, age) = {
                    let c = self.cs(idx)?;
                    (c.violence, c.age)
                };
                let member = self.muni.staff.get(by).ok_or_else(|| bug("personal saknas"))?;
                let (name, title) = (member.name.clone(), member.title.clone());
                let immediate = chance(&mut self.rng, if violence { 0.12 } else { 0.03 });
                let cmd = CaseCommand::RecordProtectionAssessment(ProtectionAssessmentRecorded {
                    assessed_at: self.now,
                    assessor_name: name,
                    assessor_title: title,
                    facts: format!("Uppgifter i anmälan och samtal med anmälaren; barnet är {age} år."),
                    immediate_need: immediate,
                    protection_plan: immediate
                        .then(|| "Barnet placeras tillfälligt hos anhörig; polis underrättad.".to_owned()),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::Preliminary => self.preliminary(idx, today),
            CaseAct::Feedback { by } => {
                let cmd = CaseCommand::RecordReporterFeedback(ReporterFeedbackGiven {
                    given_on: today,
                    how: "Brev till anmälaren om beslutet i förhandsbedömningen.".into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::Triage { colour, by } => self.exec(idx, by, &CaseCommand::SetTriage(TriageSet { colour }), None),
            CaseAct::Allocate { with_handler, by } => {
                let (unit, handler) = {
                    let c = self.cs(idx)?;
                    (c.unit, c.handler)
                };
                let unit_id = self.unit(unit)?.id.clone();
                let handler_id = self.ctx_actor(handler)?.staff.clone();
                let cmd =
                    CaseCommand::Allocate(Allocated { unit: unit_id, handler: with_handler.then_some(handler_id) });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::FirstContact { by } => {
                let with_whom = if chance(&mut self.rng, 0.7) {
                    "Vårdnadshavare per telefon"
                } else {
                    "Barnet och vårdnadshavare vid hembesök"
                };
                let cmd = CaseCommand::RecordFirstContact(FirstContactRecorded {
                    contact_on: today,
                    with_whom: with_whom.into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::Part(p) => self.part(idx, p, today),
            CaseAct::Extend => {
                let (new_end, unit) = {
                    let c = self.cs(idx)?;
                    (c.ext_end, c.unit)
                };
                let Some(new_end) = new_end else { return Ok(()) };
                let by = self
                    .decider(DecisionType::ExtendInvestigation, unit, None)?
                    .ok_or_else(|| bug("förlängning är nämndens"))?;
                let cmd = CaseCommand::ExtendInvestigation(ExtensionDecided {
                    decided_on: today,
                    new_end,
                    reason: "Särskilda skäl: inväntar utlåtande från BUP och polisens förundersökning.".into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::Decide => self.decide(idx, today),
            CaseAct::Entry { by } => {
                let cmd = CaseCommand::WriteEntry(EntryWritten {
                    heading: "Telefonsamtal".into(),
                    text: "Samtal med vårdnadshavare om utredningens planering.".into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::LvuGrant => {
                let (unit, age) = {
                    let c = self.cs(idx)?;
                    (c.unit, c.age)
                };
                let kind = if age >= 13 { InterventionKind::Institution } else { InterventionKind::FosterHome };
                let granted = GrantedIntervention {
                    intervention: InterventionId::from_u128(self.rng.gen()),
                    kind,
                    from: today,
                    to: None,
                    long_term_care: false,
                };
                let board = self.board(today);
                let recorder = self.unit(unit)?.manager;
                let cmd = CaseCommand::GrantIntervention(InterventionGranted {
                    decided_on: today,
                    granted: granted.clone(),
                    board_decision: Some(board),
                });
                self.exec(idx, recorder, &cmd, None)?;
                let handler = self.cs(idx)?.handler;
                let c = self.cs_mut(idx)?;
                c.ivs.push(IvSim { id: granted.intervention, kind, exec: handler, follow: handler });
                let iv = c.ivs.len() - 1;
                self.plan_intervention(idx, iv, today, today, None)
            }
            CaseAct::Start(iv) => {
                let (id, by) = self.iv(idx, iv, false)?;
                self.exec(
                    idx,
                    by,
                    &CaseCommand::StartIntervention(InterventionStarted { intervention: id, started_on: today }),
                    None,
                )
            }
            CaseAct::Delay(iv) => {
                let (id, by) = self.iv(idx, iv, false)?;
                let kind = self.cs(idx)?.ivs.get(iv).map(|i| i.kind).ok_or_else(|| bug("insats saknas"))?;
                let (reason, text) = match kind {
                    InterventionKind::ContactFamily => {
                        (EnforcementDelayReason::NoPlacementAvailable, "Ingen lämplig kontaktfamilj har hittats.")
                    }
                    InterventionKind::ContactPerson => {
                        (EnforcementDelayReason::NoStaff, "Ingen kontaktperson tillgänglig.")
                    }
                    k if k.is_placement() => (EnforcementDelayReason::NoPlacementAvailable, "Plats saknas."),
                    _ => (EnforcementDelayReason::Declined, "Familjen har tackat nej tills vidare."),
                };
                let cmd = CaseCommand::RecordEnforcementDelay(EnforcementDelayRecorded {
                    intervention: id,
                    reason,
                    text: text.into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::FollowUp(iv) => {
                let (id, by) = self.iv(idx, iv, true)?;
                let cmd = CaseCommand::FollowUpIntervention(InterventionFollowedUp {
                    intervention: id,
                    followed_up_on: today,
                    goal_attainment: "Målen i genomförandeplanen är delvis uppnådda.".into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::Continue(iv) => {
                let (id, _) = self.iv(idx, iv, true)?;
                let (kind, from, to) = {
                    let i = self.state(idx)?.intervention(id).ok_or_else(|| bug("insats saknas"))?;
                    (i.kind, i.from, i.to)
                };
                let unit = self.cs(idx)?.unit;
                let dt =
                    if kind.is_placement() { DecisionType::GrantPlacement } else { DecisionType::GrantIntervention };
                let decider = self.decider(dt, unit, None)?;
                let (by, board) = match decider {
                    Some(by) => (by, None),
                    None => (self.unit(unit)?.manager, Some(self.board(today))),
                };
                let cmd = CaseCommand::GrantIntervention(InterventionGranted {
                    decided_on: today,
                    granted: GrantedIntervention {
                        intervention: id,
                        kind,
                        from,
                        to: Some(months(to.unwrap_or(today), 6)),
                        long_term_care: false,
                    },
                    board_decision: board,
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::Review(iv) => {
                let (id, by) = self.iv(idx, iv, true)?;
                let cmd = CaseCommand::ReviewPlacement(PlacementReviewed {
                    intervention: id,
                    reviewed_on: today,
                    conclusion: "Fortsatt vård behövs; vården är ändamålsenlig.".into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::Custody(iv) => {
                let (id, by) = self.iv(idx, iv, true)?;
                let cmd = CaseCommand::ConsiderCustodyTransfer(CustodyTransferConsidered {
                    intervention: id,
                    considered_on: today,
                    conclusion: "Vårdnadsöverflyttning bedöms inte vara till barnets bästa i nuläget.".into(),
                });
                self.exec(idx, by, &cmd, None)
            }
            CaseAct::End(iv, reason) => {
                let (id, by) = self.iv(idx, iv, false)?;
                self.exec(
                    idx,
                    by,
                    &CaseCommand::EndIntervention(InterventionEnded { intervention: id, ended_on: today, reason }),
                    None,
                )
            }
        }
    }

    /// The intervention's id and who acts on it (qualified when `qualified`).
    fn iv(&self, idx: usize, iv: usize, qualified: bool) -> Result<(InterventionId, usize), DomainError> {
        let i = self.cs(idx)?.ivs.get(iv).ok_or_else(|| bug("insats saknas"))?;
        Ok((i.id, if qualified { i.follow } else { i.exec }))
    }

    fn preliminary(&mut self, idx: usize, today: NaiveDate) -> Result<(), DomainError> {
        let (child, planned, late_kind, assessor, age, earlier, professional, violence) = {
            let c = self.cs(idx)?;
            (c.child, c.planned, c.late_kind, c.assessor, c.age, c.earlier, c.professional, c.violence)
        };
        // A report about a child with an open investigation joins it.
        let target = self
            .children
            .get(child)
            .map(|c| c.open.clone())
            .unwrap_or_default()
            .into_iter()
            .find(|&i| i != idx && self.state(i).is_ok_and(|s| s.open_investigation().is_some()));
        let outcome = match (target, planned) {
            (Some(t), _) => PreliminaryOutcome::JoinInvestigation { investigation_case: self.cs(t)?.stream_case()? },
            (None, Planned::Join) => {
                if chance(&mut self.rng, if violence { 0.56 } else { 0.35 }) {
                    PreliminaryOutcome::Open
                } else {
                    PreliminaryOutcome::NotOpen
                }
            }
            (None, Planned::Open) => PreliminaryOutcome::Open,
            (None, Planned::NotOpen) => PreliminaryOutcome::NotOpen,
        };
        let decision = match outcome {
            PreliminaryOutcome::Open => DecisionType::OpenInvestigation,
            PreliminaryOutcome::NotOpen => DecisionType::NotOpenInvestigation,
            PreliminaryOutcome::JoinInvestigation { .. } => DecisionType::JoinInvestigation,
        };
        let prefer = match outcome {
            PreliminaryOutcome::NotOpen => None,
            _ if chance(&mut self.rng, 0.7) => Some(assessor),
            _ => None,
        };
        let by = self.decider(decision, MOTTAGNING, prefer)?.ok_or_else(|| bug("förhandsbedömning är nämndens"))?;

        let received_on = local_date(self.state(idx)?.received_at);
        let last = clock::last_day(add_days(received_on, self.rules.deadlines.preliminary_assessment.days), self.rules);
        let late_reason = if today > last {
            let kind = late_kind
                .or_else(|| {
                    self.rules
                        .exceptional_reasons
                        .accepted
                        .iter()
                        .copied()
                        .find(|k| *k != ExceptionalReasonKind::Workload)
                })
                .ok_or_else(|| bug("inga synnerliga skäl godtas"))?;
            let text = match kind {
                ExceptionalReasonKind::PendingPoliceInterview => "Inväntar polisens förhör med barnet.",
                ExceptionalReasonKind::FamilyUnreachable => {
                    "Familjen har inte gått att nå trots brev, samtal och hembesök."
                }
                _ => "Vårdnadshavare vistades utomlands; samtal först efter hemkomst.",
            };
            Some(LateReason { kind, text: text.into() })
        } else {
            None
        };
        let earlier_knowledge = if earlier > 0 {
            EarlierKnowledge {
                exists: true,
                description: chance(&mut self.rng, 0.9).then(|| {
                    format!("Barnet har aktualiserats {earlier} gång(er) tidigare; oron bedöms som återkommande.")
                }),
            }
        } else {
            EarlierKnowledge { exists: false, description: None }
        };
        let child_view = if matches!(outcome, PreliminaryOutcome::JoinInvestigation { .. }) {
            ChildView::NotObtained { reason: "Barnets inställning inhämtas i den pågående utredningen.".into() }
        } else if age < 4 {
            ChildView::NotObtained { reason: format!("Barnet är för ungt för samtal ({age} år).") }
        } else if chance(&mut self.rng, 0.6) {
            ChildView::Obtained { summary: "Barnet har berättat om sin situation vid samtal i skolan.".into() }
        } else {
            ChildView::NotObtained { reason: "Vårdnadshavare har inte medgett samtal med barnet.".into() }
        };
        let motivation = match outcome {
            PreliminaryOutcome::Open => "Oron är sådan att utredning ska inledas.",
            PreliminaryOutcome::NotOpen => "Familjen har redan stöd; oron bedöms inte kräva utredning.",
            PreliminaryOutcome::JoinInvestigation { .. } => "Anmälan läggs till den pågående utredningen.",
        };
        let is_open = outcome == PreliminaryOutcome::Open;
        let cmd = CaseCommand::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
            decided_on: today,
            outcome,
            earlier_knowledge,
            child_view,
            late_reason,
            motivation: motivation.into(),
        });
        self.exec(idx, by, &cmd, target)?;
        if is_open {
            self.plan_investigation(idx)?;
        }
        if professional && chance(&mut self.rng, FEEDBACK) {
            let registrars = self.unit(MOTTAGNING)?.registrars.clone();
            let fb_by = pick(&mut self.rng, &registrars).copied().unwrap_or(by);
            let d = plus(today, uniform(&mut self.rng, 0, 10));
            let t = if d == today {
                self.now + minutes(self.rng.gen_range(30..=180))
            } else {
                at(&mut self.rng, working_on_or_after(d), 9 * 60, 16 * 60)
            };
            self.push_case(idx, t, CaseAct::Feedback { by: fb_by });
        }
        Ok(())
    }

    fn part(&mut self, idx: usize, p: Part, today: NaiveDate) -> Result<(), DomainError> {
        let (by, age, honour, substance, violence) = {
            let c = self.cs(idx)?;
            (c.handler, c.age, c.honour, c.substance, c.violence)
        };
        let rng = &mut self.rng;
        let part = match p {
            Part::Plan => {
                let invited = chance(rng, 0.9);
                InvestigationPart::Plan {
                    family_invited: invited,
                    family_took_part: invited && chance(rng, 0.85),
                    text: "Utredningsplan: samtal med barn och vårdnadshavare, kontakt med skola.".into(),
                }
            }
            Part::Consent => {
                let consent = chance(rng, 0.85);
                InvestigationPart::Consent {
                    consent,
                    contacts: (!consent && chance(rng, 0.8))
                        .then(|| "Kontakter enligt 11 kap. 2 § SoL med skola och BVC.".to_owned()),
                }
            }
            Part::ChildHeard => {
                let heard = age >= 4 && chance(rng, 0.85);
                InvestigationPart::ChildHeard {
                    heard,
                    reason_not_heard: (!heard).then(|| {
                        if age < 4 {
                            format!("Barnet är för ungt för samtal ({age} år); observation vid hembesök.")
                        } else {
                            "Barnet har inte velat delta i samtal.".to_owned()
                        }
                    }),
                    text: "Enskilt samtal med barnet.".into(),
                }
            }
            Part::Method => {
                let m = if honour {
                    "PATRIARK"
                } else if violence {
                    "FREDA"
                } else if substance {
                    "ADAD"
                } else {
                    "BBIC"
                };
                InvestigationPart::AssessmentMethod { methods: vec![m.to_owned()] }
            }
            Part::ViolenceRisk => InvestigationPart::ViolenceRiskAssessment {
                method: if honour { "PATRIARK" } else { "FREDA-farlighetsbedömning" }.into(),
                conclusion: "Förhöjd risk; skyddsplan upprättad med vårdnadshavare.".into(),
            },
            Part::PoliceReport => {
                let reported = chance(rng, 0.55);
                InvestigationPart::PoliceReportDecision {
                    reported,
                    motivation: if reported {
                        "Misstanke om brott mot barnet; polisanmälan gjord."
                    } else {
                        "Polisen har redan upprättat anmälan; ingen ny anmälan."
                    }
                    .into(),
                }
            }
            Part::Facts => {
                InvestigationPart::Facts { text: "Uppgifter från barnet, vårdnadshavare och skola.".into() }
            }
            Part::Conduct => {
                InvestigationPart::Conduct { text: "Tre samtal med barnet, två hembesök, nätverksmöte.".into() }
            }
            Part::Needs => {
                InvestigationPart::NeedsAssessment { text: "Barnets behov av stöd i vardagen bedöms.".into() }
            }
            Part::OwnCapacity => InvestigationPart::OwnCapacityAssessment {
                text: "Föräldrarnas förmåga bedöms tillräcklig med stöd.".into(),
            },
            Part::Goals => {
                InvestigationPart::ProposedGoals { text: "Mål: regelbunden skolgång och trygg hemmiljö.".into() }
            }
            Part::Communication => {
                InvestigationPart::Communication { communicated_on: today, to_whom: "Vårdnadshavare".into() }
            }
        };
        self.exec(idx, by, &CaseCommand::RecordInvestigationPart(InvestigationPartRecorded { part }), None)
    }

    fn decide(&mut self, idx: usize, today: NaiveDate) -> Result<(), DomainError> {
        let (outcome, unit, age, handler) = {
            let c = self.cs(idx)?;
            (c.outcome, c.unit, c.age, c.handler)
        };
        let mut granted = Vec::new();
        let (outcome_ev, decision, motivation) = match outcome {
            Outcome::Grant => {
                let n = if chance(&mut self.rng, 0.2) { 2 } else { 1 };
                for i in 0..n {
                    let kind = if i == 0 && chance(&mut self.rng, 0.085) {
                        let table: &[(InterventionKind, u32)] = if age >= 16 {
                            &[
                                (InterventionKind::Institution, 40),
                                (InterventionKind::FosterHome, 25),
                                (InterventionKind::EmergencyHome, 15),
                                (InterventionKind::SupportedHousing, 20),
                            ]
                        } else if age >= 13 {
                            &[
                                (InterventionKind::Institution, 45),
                                (InterventionKind::FosterHome, 35),
                                (InterventionKind::EmergencyHome, 20),
                            ]
                        } else {
                            &[(InterventionKind::FosterHome, 55), (InterventionKind::EmergencyHome, 45)]
                        };
                        weighted(&mut self.rng, table).unwrap_or(InterventionKind::FosterHome)
                    } else {
                        let contact =
                            if age < 13 { InterventionKind::ContactFamily } else { InterventionKind::ContactPerson };
                        weighted(
                            &mut self.rng,
                            &[(InterventionKind::OpenCare, 32), (InterventionKind::FamilyTreatment, 34), (contact, 34)],
                        )
                        .unwrap_or(InterventionKind::OpenCare)
                    };
                    if granted.iter().any(|g: &GrantedIntervention| g.kind == kind) {
                        continue;
                    }
                    let long_term_care = kind == InterventionKind::FosterHome && chance(&mut self.rng, 0.35);
                    let from = plus(today, if kind.is_placement() { 0 } else { uniform(&mut self.rng, 0, 10) });
                    let to = match kind {
                        _ if long_term_care => None,
                        InterventionKind::EmergencyHome => Some(months(from, 3)),
                        InterventionKind::FosterHome | InterventionKind::Institution => {
                            chance(&mut self.rng, 0.5).then(|| months(from, 6))
                        }
                        InterventionKind::SupportedHousing => Some(months(from, 6)),
                        _ => Some(months(from, self.rng.gen_range(6..=12))),
                    };
                    granted.push(GrantedIntervention {
                        intervention: InterventionId::from_u128(self.rng.gen()),
                        kind,
                        from,
                        to,
                        long_term_care,
                    });
                }
                let decision = if granted.iter().any(|g| g.long_term_care) {
                    DecisionType::LongTermCare
                } else if granted.iter().any(|g| g.kind.is_placement()) {
                    DecisionType::GrantPlacement
                } else {
                    DecisionType::GrantIntervention
                };
                let labels: Vec<&str> = granted.iter().map(|g| g.kind.label_sv()).collect();
                (
                    InvestigationOutcome::GrantIntervention { interventions: granted.clone() },
                    decision,
                    format!("Barnet har behov av {}.", labels.join(" och ")),
                )
            }
            Outcome::Close => (
                InvestigationOutcome::CloseWithoutIntervention,
                DecisionType::CloseWithoutIntervention,
                "Utredningen visar inte behov av insats från socialtjänsten.".to_owned(),
            ),
            Outcome::Refuse => (
                InvestigationOutcome::Refuse,
                DecisionType::Refuse,
                "Behovet kan tillgodoses på annat sätt; ansökan avslås.".to_owned(),
            ),
            Outcome::Lvu => (
                InvestigationOutcome::LvuApplication,
                DecisionType::LvuApplication,
                "Vård behövs och samtycke saknas; ansökan om vård enligt LVU.".to_owned(),
            ),
            Outcome::Transfer => (
                InvestigationOutcome::TransferToMunicipality { municipality: "Provköping".into() },
                DecisionType::TransferToMunicipality,
                "Familjen har flyttat; begäran om överflyttning.".to_owned(),
            ),
        };
        let (by, board) = match self.decider(decision, unit, None)? {
            Some(by) => (by, None),
            None => (self.unit(unit)?.manager, Some(self.board(today))),
        };
        let cmd = CaseCommand::DecideInvestigation(InvestigationDecided {
            decided_on: today,
            outcome: outcome_ev,
            board_decision: board,
            motivation,
        });
        self.exec(idx, by, &cmd, None)?;

        // Who carries out the interventions: öppenvården for open care, the handler for placements.
        let ov = self.unit(OPPENVARD)?.clone();
        for g in granted {
            let (exec, follow) = if g.kind.is_placement() {
                (handler, handler)
            } else {
                let e = pick(&mut self.rng, &ov.handlers).copied().unwrap_or(handler);
                let f =
                    if self.qualified(e) { e } else { pick(&mut self.rng, &ov.qualified).copied().unwrap_or(handler) };
                (e, f)
            };
            let c = self.cs_mut(idx)?;
            c.ivs.push(IvSim { id: g.intervention, kind: g.kind, exec, follow });
            let iv = c.ivs.len() - 1;
            self.plan_intervention(idx, iv, today, g.from, g.to)?;
        }
        if outcome == Outcome::Lvu && chance(&mut self.rng, 0.6) {
            let d = working_on_or_after(plus(today, uniform(&mut self.rng, 10, 40)));
            self.push_on(idx, d, 10 * 60, 14 * 60, CaseAct::LvuGrant);
        }
        Ok(())
    }
}

impl CaseSim {
    fn stream_case(&self) -> Result<CaseId, DomainError> {
        self.state.as_ref().map(|s| s.case).ok_or_else(|| bug("ärendet är inte registrerat"))
    }
}
