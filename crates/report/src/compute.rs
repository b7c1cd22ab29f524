//! The definitions (DOMAIN §6) as one function per case — [`observe`] — and the cube that
//! sums its observations by indicator × month × unit × sex × age band.
//!
//! Every value and every drill-down goes through `observe`, so a figure and the list of
//! cases behind it cannot disagree.

use chrono::{Duration, NaiveDate};

use skyndsam_domain::calendar::{add_days, add_months_clamped};
use skyndsam_domain::clock::last_day;
use skyndsam_domain::rules::RuleTable;

use crate::catalogue::{Aggregation, Ind};
use crate::facts::{CaseFact, DokAnswer, FactTable, AGE_BANDS, PRELIM_OPEN, SEXES, SEX_BOY, SEX_GIRL};
use crate::period::{Month, MonthRange};

/// What one case contributes to one indicator in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Obs {
    pub ind: Ind,
    /// The month the attribution date falls in (for snapshots: the month whose last day,
    /// or the reporting date, the snapshot was taken at).
    pub month: Month,
    pub unit: u16,
    /// In the numerator (always in the denominator).
    pub num: bool,
    /// Days (UTIME only).
    pub days: u32,
    /// The attribution date itself (for snapshots, the day the snapshot was taken).
    pub on: NaiveDate,
}

fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

/// Calls `out` with every observation of the case, up to and including `as_of`.
pub fn observe(f: &CaseFact, rules: &RuleTable, as_of: NaiveDate, out: &mut impl FnMut(Obs)) {
    let d = &rules.deadlines;
    let mut emit = |ind: Ind, on: NaiveDate, unit: u16, num: bool, days: u32| {
        if on <= as_of {
            out(Obs { ind, month: Month::of(on), unit, num, days, on });
        }
    };
    let prelim_applies = d.preliminary_assessment.applies_to.contains(&f.kind);
    let prelim_last = last_day(add_days(f.received_on, d.preliminary_assessment.days), rules);
    let is_report = f.kind == skyndsam_domain::events::ActualisationKind::Report;

    // Receipt: N-ANM, N-BARN, SKYDD-24H.
    if is_report {
        emit(Ind::NAnm, f.received_on, f.unit_received, true, 0);
        emit(Ind::NBarn, f.received_on, f.unit_received, true, 0);
    }
    if d.protection_assessment.applies_to.contains(&f.kind) {
        let due = f.received_at + Duration::hours(i64::from(d.protection_assessment.hours));
        let in_time = f.protection_at.is_some_and(|t| t < due && skyndsam_domain::calendar::local_date(t) <= as_of);
        emit(Ind::Skydd24h, f.received_on, f.unit_received, in_time, 0);
    }

    // Preliminary assessment: FB14, A2U, ATERK (decision date, unit at the decision).
    if prelim_applies {
        if let Some(p) = &f.prelim {
            emit(Ind::Fb14, p.decided_on, p.unit, p.decided_on <= prelim_last, 0);
            emit(Ind::A2u, p.decided_on, p.unit, p.outcome == PRELIM_OPEN, 0);
            if is_report && f.professional_reporter {
                emit(Ind::Aterk, p.decided_on, p.unit, p.feedback_given, 0);
            }
        }
        // FB-OPEN-LATE: a snapshot at each month's last day (or the reporting date) while open.
        let decided = f.prelim.as_ref().map(|p| p.decided_on);
        let mut m = Month::of(f.received_on);
        let stop = Month::of(decided.map_or(as_of, |x| x.min(as_of)));
        while m <= stop {
            let at = m.last_day().min(as_of);
            if f.received_on <= at && decided.is_none_or(|x| x > at) {
                emit(Ind::FbOpenLate, at, f.unit_on(at), at > prelim_last, 0);
            }
            m = m.succ();
        }
    }

    // Investigation closed: U4M, U4M-LEGAL, U90, UTIME, VALD-INS, KRIM-INS.
    if let Some(i) = &f.inv {
        if let Some(closed) = i.decided_on {
            let four = last_day(add_months_clamped(i.opened_on, d.investigation.months), rules);
            let legal = i.extended_to.map_or(four, |x| last_day(x, rules).max(four));
            let days = days_between(i.opened_on, closed).max(0);
            emit(Ind::U4m, closed, i.unit, closed <= four, 0);
            emit(Ind::U4mLegal, closed, i.unit, closed <= legal, 0);
            emit(Ind::U90, closed, i.unit, days <= 90, 0);
            emit(Ind::Utime, closed, i.unit, true, u32::try_from(days).unwrap_or(u32::MAX));
            if f.violence {
                let during =
                    f.interventions.iter().any(|iv| iv.started_on.is_some_and(|s| i.opened_on <= s && s <= closed));
                emit(Ind::ValdIns, closed, i.unit, during, 0);
            }
            if f.serious_crime {
                let started = f.interventions.iter().any(|iv| iv.started_on.is_some_and(|s| s <= as_of));
                emit(Ind::KrimIns, closed, i.unit, started, 0);
            }
        }
    }

    // Interventions: INS-TID, EVB-*, SAMMANBROTT.
    for iv in &f.interventions {
        let enforce_last = last_day(add_months_clamped(iv.decided_on, d.enforcement.months), rules);
        if let (Some(start), Some(end), Some(to)) = (iv.started_on, iv.ended_on, iv.to) {
            if start <= end {
                emit(Ind::InsTid, end, iv.unit, end <= to, 0);
            }
        }
        if let Some(start) = iv.started_on {
            emit(Ind::EvbSen, start, iv.start_unit, start > enforce_last, 0);
        }
        if let (None, Some(end)) = (iv.started_on, iv.ended_on) {
            emit(Ind::EvbAvsl, end, iv.unit, end > enforce_last, 0);
        }
        if iv.foster_home {
            if let Some(end) = iv.ended_on {
                emit(Ind::Sammanbrott, end, iv.unit, iv.breakdown, 0);
            }
        }
        // EVB-EJ: a snapshot at each month's end while granted and neither started nor ended.
        let closed = match (iv.started_on, iv.ended_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut m = Month::of(iv.decided_on);
        let stop = Month::of(closed.map_or(as_of, |x| x.min(as_of)));
        while m <= stop {
            let at = m.last_day().min(as_of);
            if iv.decided_on <= at && closed.is_none_or(|x| x > at) {
                emit(Ind::EvbEj, at, f.unit_on(at), at > enforce_last, 0);
            }
            m = m.succ();
        }
    }

    // DELEG: every decision.
    for dec in &f.decisions {
        emit(Ind::Deleg, dec.on, dec.unit, dec.authorised, 0);
    }

    // DOK: every Ja or Nej of the self-inspection (questions the record answers), for the
    // cases received in the period, in the unit the case belonged to at the inspection date.
    for a in &f.dok {
        match a {
            DokAnswer::Yes => emit(Ind::Dok, f.received_on, f.dok_unit, true, 0),
            DokAnswer::No => emit(Ind::Dok, f.received_on, f.dok_unit, false, 0),
            DokAnswer::NotApplicable => {}
        }
    }
}

/// Which children count in a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SexFilter {
    /// totalt (Kolada T) — including children whose sex is unknown
    Total,
    /// flickor (Kolada K)
    Girls,
    /// pojkar (Kolada M)
    Boys,
}

impl SexFilter {
    pub const ALL: [SexFilter; 3] = [SexFilter::Total, SexFilter::Girls, SexFilter::Boys];
    pub fn matches(self, sex: u8) -> bool {
        match self {
            SexFilter::Total => true,
            SexFilter::Girls => sex == SEX_GIRL,
            SexFilter::Boys => sex == SEX_BOY,
        }
    }
    pub fn kolada(self) -> &'static str {
        match self {
            SexFilter::Total => "T",
            SexFilter::Girls => "K",
            SexFilter::Boys => "M",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            SexFilter::Total => "totalt",
            SexFilter::Girls => "flickor",
            SexFilter::Boys => "pojkar",
        }
    }
}

/// Age band filter (age at the date of receipt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AgeFilter {
    All,
    /// 0 = 0–12, 1 = 13–17, 2 = 18–20
    Band(u8),
}

impl AgeFilter {
    pub fn matches(self, band: u8) -> bool {
        match self {
            AgeFilter::All => true,
            AgeFilter::Band(b) => b == band,
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            AgeFilter::All => "alla åldrar",
            AgeFilter::Band(0) => "0–12 år",
            AgeFilter::Band(1) => "13–17 år",
            AgeFilter::Band(2) => "18–20 år",
            AgeFilter::Band(_) => "okänd ålder",
        }
    }
}

/// Which cases a value is about: a unit's subtree (None = the whole organisation), sex
/// and age band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    pub unit: Option<u16>,
    pub sex: SexFilter,
    pub age: AgeFilter,
}

impl Filter {
    pub fn all() -> Filter {
        Filter { unit: None, sex: SexFilter::Total, age: AgeFilter::All }
    }

    /// Whether the filter asks for a breakdown: a sex or an age band rather than the total.
    pub fn is_breakdown(&self) -> bool {
        self.sex != SexFilter::Total || self.age != AgeFilter::All
    }
}

/// The sums behind one value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub numerator: u64,
    pub denominator: u64,
    pub sum_days: u64,
    pub median_days: Option<f64>,
}

const SA: usize = SEXES * AGE_BANDS;

thread_local! {
    /// Scratch bitmap for unique counts (one bit per child).
    static SEEN: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    num: u32,
    den: u32,
    sum: u64,
}

/// Observations summed by indicator × month × (sex, age band) × unit, with prefix sums
/// along the unit axis (units are in depth-first order, so a subtree is one range and its
/// sum is two reads). Medians keep their values per cell; unique children keep ids.
pub struct Cube {
    first: Month,
    months: usize,
    units: usize,
    /// len = IND × months × SA × (units + 1), prefix sums over units.
    cells: Vec<Cell>,
    /// UTIME values per (month, sa, unit), raw.
    days: Vec<Vec<u32>>,
    /// N-BARN child ids per (month, sa, unit), raw, sorted and unique.
    kids: Vec<Vec<u32>>,
    /// Number of distinct children (size of the unique-count bitmap).
    children: u32,
    pub as_of: NaiveDate,
}

impl Cube {
    pub fn build(facts: &FactTable, rules: &RuleTable, as_of: NaiveDate) -> Cube {
        let last = Month::of(as_of);
        let first = facts.cases.iter().map(|c| Month::of(c.received_on)).min().unwrap_or(last).min(last);
        let months = usize::try_from(last.0 - first.0 + 1).unwrap_or(1);
        let units = facts.units.len().max(1);
        let stride = units + 1;
        let mut cells = vec![Cell::default(); Ind::COUNT * months * SA * stride];
        let mut days = vec![Vec::new(); months * SA * units];
        let mut kids = vec![Vec::new(); months * SA * units];
        for c in &facts.cases {
            let sa = usize::from(c.sex) * AGE_BANDS + usize::from(c.age_band);
            observe(c, rules, as_of, &mut |o| {
                let Ok(m) = usize::try_from(o.month.0 - first.0) else { return };
                if m >= months || usize::from(o.unit) >= units {
                    return;
                }
                let u = usize::from(o.unit);
                let i = ((o.ind.index() * months + m) * SA + sa) * stride + u + 1;
                if let Some(cell) = cells.get_mut(i) {
                    cell.den += 1;
                    cell.num += u32::from(o.num);
                    cell.sum += u64::from(o.days);
                }
                let j = (m * SA + sa) * units + u;
                match o.ind {
                    Ind::Utime => {
                        if let Some(v) = days.get_mut(j) {
                            v.push(o.days)
                        }
                    }
                    Ind::NBarn => {
                        if let Some(v) = kids.get_mut(j) {
                            v.push(c.child)
                        }
                    }
                    _ => {}
                }
            });
        }
        for row in cells.chunks_mut(stride) {
            let mut acc = Cell::default();
            for cell in row.iter_mut() {
                acc.num += cell.num;
                acc.den += cell.den;
                acc.sum += cell.sum;
                *cell = acc;
            }
        }
        for v in &mut kids {
            v.sort_unstable();
            v.dedup();
        }
        Cube { first, months, units, cells, days, kids, children: facts.children, as_of }
    }

    /// The months of `range` that the cube holds, as indices; for a snapshot only the last.
    fn month_span(&self, ind: Ind, range: MonthRange) -> std::ops::Range<usize> {
        let lo = (range.first.0 - self.first.0).max(0);
        let hi = (range.last.0 - self.first.0).min(self.months as i32 - 1);
        if hi < lo || hi < 0 {
            return 0..0;
        }
        let (lo, hi) = (lo as usize, hi as usize);
        match ind.aggregation() {
            // The period's snapshot is taken at its last month (or the reporting date).
            Aggregation::Snapshot => hi..hi + 1,
            _ => lo..hi + 1,
        }
    }

    /// The unit range (None = everything).
    fn unit_span(&self, unit: Option<u16>, index: &crate::facts::UnitIndex) -> std::ops::Range<usize> {
        match unit {
            None => 0..self.units,
            Some(u) => {
                let r = index.subtree(u);
                r.start.min(self.units)..r.end.min(self.units)
            }
        }
    }

    pub fn tally(&self, ind: Ind, range: MonthRange, f: &Filter, index: &crate::facts::UnitIndex) -> Tally {
        let ms = self.month_span(ind, range);
        let us = self.unit_span(f.unit, index);
        let stride = self.units + 1;
        let mut t = Tally::default();
        if us.is_empty() {
            return t;
        }
        let mut sa_buf = [0usize; SA];
        let mut n_sa = 0;
        for sa in 0..SA {
            if f.sex.matches((sa / AGE_BANDS) as u8) && f.age.matches((sa % AGE_BANDS) as u8) {
                if let Some(slot) = sa_buf.get_mut(n_sa) {
                    *slot = sa;
                    n_sa += 1;
                }
            }
        }
        let sas = sa_buf.get(..n_sa).unwrap_or(&[]);
        for m in ms.clone() {
            for &sa in sas {
                let base = ((ind.index() * self.months + m) * SA + sa) * stride;
                let (Some(a), Some(b)) = (self.cells.get(base + us.start), self.cells.get(base + us.end)) else {
                    continue;
                };
                t.numerator += u64::from(b.num - a.num);
                t.denominator += u64::from(b.den - a.den);
                t.sum_days += b.sum - a.sum;
            }
        }
        match ind {
            Ind::Utime => {
                let mut all: Vec<u32> = Vec::new();
                for m in ms {
                    for &sa in sas {
                        let j = (m * SA + sa) * self.units;
                        for u in us.clone() {
                            if let Some(v) = self.days.get(j + u) {
                                all.extend_from_slice(v);
                            }
                        }
                    }
                }
                t.median_days = median(&mut all);
            }
            Ind::NBarn => {
                // Unique children: mark each id in a bitmap kept per thread, count the new
                // ones, then clear only the bits set (no sort, no full clear).
                SEEN.with(|seen| {
                    let mut seen = seen.borrow_mut();
                    let words = (self.children as usize).div_ceil(64);
                    if seen.len() < words {
                        seen.resize(words, 0);
                    }
                    let mut unique = 0u64;
                    let cells = |m: usize, sa: usize| {
                        let j = (m * SA + sa) * self.units;
                        us.clone().filter_map(move |u| self.kids.get(j + u))
                    };
                    for m in ms.clone() {
                        for &sa in sas {
                            for v in cells(m, sa) {
                                for &k in v {
                                    if let Some(w) = seen.get_mut(k as usize / 64) {
                                        let bit = 1u64 << (k % 64);
                                        unique += u64::from(*w & bit == 0);
                                        *w |= bit;
                                    }
                                }
                            }
                        }
                    }
                    for m in ms {
                        for &sa in sas {
                            for v in cells(m, sa) {
                                for &k in v {
                                    if let Some(w) = seen.get_mut(k as usize / 64) {
                                        *w = 0;
                                    }
                                }
                            }
                        }
                    }
                    t.numerator = unique;
                    t.denominator = unique;
                });
            }
            _ => {}
        }
        t
    }
}

/// The median (the mean of the two middle values for an even count).
pub fn median(v: &mut [u32]) -> Option<f64> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    let (_, &mut hi, _) = v.select_nth_unstable(mid);
    if n % 2 == 1 {
        return Some(f64::from(hi));
    }
    let lo = v.get(..mid).and_then(|s| s.iter().max()).copied().unwrap_or(hi);
    Some((f64::from(lo) + f64::from(hi)) / 2.0)
}

/// One case behind a value: when and where it was counted, and whether in the numerator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillRow {
    pub case: skyndsam_domain::ids::CaseId,
    /// Europe/Stockholm date of receipt.
    pub received_on: NaiveDate,
    /// The date that placed the case in the period (the indicator's period date: a decision,
    /// a start, an end; for a snapshot the day it was taken) — the last one in the period.
    pub on: NaiveDate,
    /// The unit the case was counted in on that date.
    pub unit: u16,
    /// In the numerator (at least one of its observations in the period).
    pub numerator: bool,
    /// Observations in the denominator (more than one for indicators counted per decision,
    /// per answer or per intervention).
    pub count: u32,
    /// Days (UTIME: from the opening of the investigation to its closing).
    pub days: Option<u32>,
}

/// The cases behind a value (numerator and denominator), by the same definitions as the
/// cube: each case once, in receipt order.
pub fn drill_rows(
    facts: &FactTable,
    rules: &RuleTable,
    as_of: NaiveDate,
    ind: Ind,
    range: MonthRange,
    f: &Filter,
) -> Vec<DrillRow> {
    let snapshot_month = match ind.aggregation() {
        Aggregation::Snapshot => Some(range.last.min(Month::of(as_of))),
        _ => None,
    };
    let units = match f.unit {
        None => 0..usize::MAX,
        Some(u) => facts.units.subtree(u),
    };
    let mut out = Vec::new();
    for c in &facts.cases {
        if !f.sex.matches(c.sex) || !f.age.matches(c.age_band) {
            continue;
        }
        let mut row: Option<DrillRow> = None;
        observe(c, rules, as_of, &mut |o| {
            if o.ind != ind || !units.contains(&usize::from(o.unit)) {
                return;
            }
            let in_period = match snapshot_month {
                Some(m) => o.month == m,
                None => range.contains(o.month),
            };
            if !in_period {
                return;
            }
            let days = (ind == Ind::Utime).then_some(o.days);
            match &mut row {
                None => {
                    row = Some(DrillRow {
                        case: c.case,
                        received_on: c.received_on,
                        on: o.on,
                        unit: o.unit,
                        numerator: o.num,
                        count: 1,
                        days,
                    })
                }
                Some(r) => {
                    r.numerator |= o.num;
                    r.count += 1;
                    if o.on >= r.on {
                        r.on = o.on;
                        r.unit = o.unit;
                        r.days = days;
                    }
                }
            }
        });
        out.extend(row);
    }
    out
}

/// The cases behind a value, by the same definitions: `numerator_only` gives the cases in
/// the numerator, otherwise every case in the denominator. Each case once, in receipt order.
pub fn drill_down(
    facts: &FactTable,
    rules: &RuleTable,
    as_of: NaiveDate,
    ind: Ind,
    range: MonthRange,
    f: &Filter,
    numerator_only: bool,
) -> Vec<skyndsam_domain::ids::CaseId> {
    drill_rows(facts, rules, as_of, ind, range, f)
        .into_iter()
        .filter(|r| !numerator_only || r.numerator)
        .map(|r| r.case)
        .collect()
}
