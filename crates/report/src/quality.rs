//! The quality-management system in the reports (DOMAIN §5, SCENARIOS 9): deviations,
//! lex Sarah, complaints, internal control and user surveys, as they stood on the reporting
//! date, per period and unit (a unit's value covers its subtree, as for the indicators).
//!
//! Every count is `skyndsam_domain::quality::stats` — this module only chooses the matters
//! (the reporting date, the unit's subtree) and the window (the period, cut at the
//! reporting date). AVV-6V is `stats::counts`'s `deviations_within_6_weeks` over
//! `deviations_6_weeks_due`, kept per deviation for the scorecard's speed
//! (docs/decisions/0012-quality-statistics.md).

use chrono::NaiveDate;
use serde::Serialize;

use std::collections::HashMap;

use skyndsam_domain::calendar::{add_days, end_of_local_day};
use skyndsam_domain::events::RecordedEvent;
use skyndsam_domain::ids::{DeviationId, UnitId};
use skyndsam_domain::quality::stats::{self, QualityCounts, SurveyRow, TrendMonth, Window};
use skyndsam_domain::quality::{ControlPlanState, FileAuditState, Matter, MomentState, RiskState, SurveyState};
use skyndsam_domain::rules::RuleTable;

use crate::facts::UnitIndex;
use crate::period::MonthRange;
use crate::Report;

/// The quality matters folded from the journal as of the reporting date.
#[derive(Debug, Clone, Default)]
pub struct QualityFacts {
    /// Every matter, in stream order (as the store's projection lists them).
    pub matters: Vec<Matter>,
    /// The unit index of each matter's unit (None: no unit, e.g. a plan or a survey).
    units: Vec<Option<u16>>,
    /// (report date, position in `matters`) of every deviation, by report date.
    deviations: Vec<(NaiveDate, usize)>,
    /// AVV-6V's dates per deviation, by (unit, report date); see [`Report::avv_6v`].
    clocks: Vec<Clock>,
    /// `clocks[unit_start[u]..unit_start[u + 1]]` are unit `u`'s deviations.
    unit_start: Vec<usize>,
}

/// What AVV-6V needs of one deviation.
#[derive(Debug, Clone, Copy)]
struct Clock {
    unit: u16,
    reported: NaiveDate,
    /// The last day of the six weeks.
    last: NaiveDate,
    /// When the clock stopped (locked, escalated, or sent on when another body investigates).
    met: Option<NaiveDate>,
}

impl QualityFacts {
    /// Folds the quality events recorded up to the end of `as_of` (later entries are not
    /// seen, as in self-inspection), one matter per stream.
    pub fn fold(events: &[RecordedEvent], index: &UnitIndex, rules: &RuleTable, as_of: NaiveDate) -> Self {
        let cut = end_of_local_day(as_of);
        let mut at: HashMap<&str, usize> = HashMap::new();
        let mut folded: Vec<(&str, Matter)> = Vec::new();
        for e in events.iter().filter(|e| e.meta.recorded_at < cut) {
            match at.get(e.stream.as_str()).and_then(|i| folded.get_mut(*i)) {
                Some((_, m)) => m.apply(e),
                None => {
                    if let Some(m) = Matter::start(e) {
                        at.insert(e.stream.as_str(), folded.len());
                        folded.push((e.stream.as_str(), m));
                    }
                }
            }
        }
        folded.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let matters: Vec<Matter> = folded.into_iter().map(|(_, m)| m).collect();
        let units: Vec<Option<u16>> = matters.iter().map(|m| m.unit().and_then(|u| index.find(u.as_str()))).collect();
        let mut deviations: Vec<(NaiveDate, usize)> = matters
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m {
                Matter::Deviation(d) => Some((d.handling.reported_on, i)),
                _ => None,
            })
            .collect();
        deviations.sort_unstable();
        let six_weeks = rules.quality.deviation_investigation_weeks.saturating_mul(7);
        let mut clocks: Vec<Clock> = matters
            .iter()
            .zip(&units)
            .filter_map(|(m, u)| match (m, u) {
                (Matter::Deviation(d), Some(unit)) => Some(Clock {
                    unit: *unit,
                    reported: d.handling.reported_on,
                    last: add_days(d.handling.reported_on, six_weeks),
                    met: d.clock_met_on(),
                }),
                _ => None,
            })
            .collect();
        clocks.sort_unstable_by_key(|c| (c.unit, c.reported));
        let mut unit_start = Vec::with_capacity(index.len() + 1);
        for u in 0..=index.len() {
            let u = u16::try_from(u).unwrap_or(u16::MAX);
            unit_start.push(clocks.partition_point(|c| c.unit < u));
        }
        Self { matters, units, deviations, clocks, unit_start }
    }

    pub fn is_empty(&self) -> bool {
        self.matters.is_empty()
    }

    /// Whether the journal holds any matter of this kind (as of the reporting date).
    pub fn has(&self, kind: MatterKind) -> bool {
        self.matters.iter().any(|m| kind.of(m))
    }
}

/// The kinds of quality matter, for "is anything registered at all".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatterKind {
    Deviation,
    LexSarah,
    Complaint,
    Risk,
    ControlPlan,
    Survey,
    FileAudit,
}

impl MatterKind {
    fn of(self, m: &Matter) -> bool {
        matches!(
            (self, m),
            (MatterKind::Deviation, Matter::Deviation(_))
                | (MatterKind::LexSarah, Matter::LexSarah(_))
                | (MatterKind::Complaint, Matter::Complaint(_))
                | (MatterKind::Risk, Matter::Risk(_))
                | (MatterKind::ControlPlan, Matter::ControlPlan(_))
                | (MatterKind::Survey, Matter::Survey(_))
                | (MatterKind::FileAudit, Matter::FileAudit(_))
        )
    }
}

/// A risk in the register on the period's last day, with its risk value and level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRow {
    pub title: String,
    pub process: String,
    pub unit: Option<String>,
    pub severity: u8,
    pub probability: u8,
    /// severity × probability (1–16)
    pub value: u8,
    /// "låg", "medel" or "hög" (the rule table's risk matrix)
    pub level: &'static str,
}

/// One survey's results within the unit's subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResult {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<SurveyRow>,
}

impl Report<'_> {
    /// The window of a period for the quality counts: its first day to its last day, cut at
    /// the reporting date (nothing after it counts; "open at the end" is then the state on
    /// the reporting date).
    pub fn quality_window(&self, range: MonthRange) -> (NaiveDate, NaiveDate) {
        (range.start(), range.end().min(self.as_of))
    }

    /// The units of a filter's subtree (None = every unit).
    pub fn subtree_ids(&self, unit: Option<u16>) -> Option<Vec<UnitId>> {
        let u = unit?;
        Some(self.facts.units.subtree(u).filter_map(|i| self.facts.units.units.get(i)).map(|e| e.id.clone()).collect())
    }

    fn in_subtree(&self, unit: Option<u16>, matter_unit: Option<u16>) -> bool {
        match unit {
            None => true,
            Some(u) => matter_unit.is_some_and(|m| self.facts.units.subtree(u).contains(&usize::from(m))),
        }
    }

    /// The matters a unit filter selects: deviations, lex Sarah and complaints of the
    /// subtree, and every matter without a unit (control plans, surveys, risks) — the same
    /// selection as `stats::Window::units`.
    pub fn quality_matters(&self, unit: Option<u16>) -> impl Iterator<Item = &Matter> {
        let q = &self.quality;
        q.matters
            .iter()
            .zip(&q.units)
            .filter(move |(m, u)| m.handling().is_none() || self.in_subtree(unit, **u))
            .map(|(m, _)| m)
    }

    /// `stats::counts` for the period and the unit's subtree.
    pub fn quality_counts(&self, range: MonthRange, unit: Option<u16>) -> QualityCounts {
        let (from, to) = self.quality_window(range);
        stats::counts(self.quality_matters(unit), Window { from, to, units: None }, self.rules)
    }

    /// `stats::trend`, month by month over the period, for the unit's subtree, with the
    /// self-inspection series when the facts carry the answers (`with_self_inspection`).
    pub fn quality_trend(&self, range: MonthRange, unit: Option<u16>) -> Vec<TrendMonth> {
        let (from, to) = self.quality_window(range);
        let w = Window { from, to, units: None };
        let mut months = stats::trend(self.quality_matters(unit), w);
        let sub = unit.map(|u| self.facts.units.subtree(u));
        add_self_inspection(self.facts, &mut months, w, |u| sub.as_ref().is_none_or(|r| r.contains(&usize::from(u))));
        months
    }

    /// The deviations reported in the period in the unit's subtree (by report date).
    fn deviations_in(&self, range: MonthRange, unit: Option<u16>) -> impl Iterator<Item = &Matter> {
        let (from, to) = self.quality_window(range);
        let q = &self.quality;
        let lo = q.deviations.partition_point(|(d, _)| *d < from);
        let hi = q.deviations.partition_point(|(d, _)| *d <= to);
        q.deviations
            .get(lo..hi.max(lo))
            .unwrap_or(&[])
            .iter()
            .filter(move |(_, i)| self.in_subtree(unit, q.units.get(*i).copied().flatten()))
            .filter_map(|(_, i)| q.matters.get(*i))
    }

    /// AVV-6V's (numerator, denominator) for the period and the unit's subtree:
    /// `stats::counts`'s `deviations_within_6_weeks` and `deviations_6_weeks_due`. The
    /// scorecard asks for every unit and month, and `counts` costs some hundred nanoseconds a
    /// deviation, so the three dates it decides by are kept per deviation, by unit and report
    /// date: a unit's month is a few binary searches and a scan of its own deviations. The
    /// rule is `counts`'s, line for line; a test checks the two agree for every unit and month
    /// of the demo municipality.
    pub fn avv_6v(&self, range: MonthRange, unit: Option<u16>) -> (u64, u64) {
        let (from, to) = self.quality_window(range);
        let q = &self.quality;
        let units = match unit {
            Some(u) => self.facts.units.subtree(u),
            None => 0..q.unit_start.len().saturating_sub(1),
        };
        let (mut within, mut due) = (0u64, 0u64);
        for u in units {
            let (Some(&a), Some(&b)) = (q.unit_start.get(u), q.unit_start.get(u + 1)) else { continue };
            let own = q.clocks.get(a..b).unwrap_or(&[]);
            let lo = own.partition_point(|c| c.reported < from);
            let hi = own.partition_point(|c| c.reported <= to);
            for c in own.get(lo..hi.max(lo)).unwrap_or(&[]) {
                // stats::counts: met by the window's end, or the six weeks over before it.
                let met = c.met.filter(|x| *x <= to);
                if met.is_some() || c.last < to {
                    due += 1;
                    if met.is_some_and(|x| x <= c.last) {
                        within += 1;
                    }
                }
            }
        }
        (within, due)
    }

    /// The deviations behind AVV-6V: in the numerator (`numerator_only`) or the denominator.
    pub fn avv_6v_deviations(&self, range: MonthRange, unit: Option<u16>, numerator_only: bool) -> Vec<DeviationId> {
        let (from, to) = self.quality_window(range);
        let w = Window { from, to, units: None };
        self.deviations_in(range, unit)
            .filter_map(|m| {
                let c = stats::counts(std::iter::once(m), w, self.rules);
                let hit = if numerator_only { c.deviations_within_6_weeks > 0 } else { c.deviations_6_weeks_due > 0 };
                match m {
                    Matter::Deviation(d) if hit => Some(d.id),
                    _ => None,
                }
            })
            .collect()
    }

    /// The risk register on the period's last day (cut at the reporting date): risks
    /// registered by then and not retired, of the subtree or of the whole organisation,
    /// highest risk value first.
    pub fn risks(&self, range: MonthRange, unit: Option<u16>) -> Vec<RiskRow> {
        let (_, to) = self.quality_window(range);
        let matrix = &self.rules.quality.risk_matrix;
        let q = &self.quality;
        let mut rows: Vec<RiskRow> = q
            .matters
            .iter()
            .zip(&q.units)
            .filter_map(|(m, u)| match m {
                Matter::Risk(r) if unit.is_none() || r.unit.is_none() || self.in_subtree(unit, *u) => Some(r),
                _ => None,
            })
            .filter(|r: &&RiskState| r.registered_on <= to && r.retired_on.is_none_or(|d| d > to))
            .map(|r| RiskRow {
                title: r.title.clone(),
                process: r.process.clone(),
                unit: r.unit.as_ref().map(|u| u.to_string()),
                severity: r.score.severity,
                probability: r.score.probability,
                value: r.score.value(),
                level: matrix.level_sv(r.score),
            })
            .collect();
        rows.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.title.cmp(&b.title)));
        rows
    }

    /// The internal-control plans for `year`.
    pub fn control_plans(&self, year: i32) -> Vec<&ControlPlanState> {
        self.quality
            .matters
            .iter()
            .filter_map(|m| match m {
                Matter::ControlPlan(p) if p.year == year => Some(p),
                _ => None,
            })
            .collect()
    }

    /// The file audits (aktgranskning) of `year` in the unit's subtree, in tree order.
    pub fn file_audits(&self, year: i32, unit: Option<u16>) -> Vec<(Option<u16>, &FileAuditState)> {
        let q = &self.quality;
        let mut out: Vec<(Option<u16>, &FileAuditState)> = q
            .matters
            .iter()
            .zip(&q.units)
            .filter_map(|(m, u)| match m {
                Matter::FileAudit(a) if a.year == year && self.in_subtree(unit, *u) => Some((*u, a)),
                _ => None,
            })
            .collect();
        out.sort_by_key(|(u, a)| (u.map_or(u16::MAX, |x| x), a.id));
        out
    }

    /// The title of a risk (for a control moment's row).
    pub fn risk_title(&self, m: &MomentState) -> Option<&str> {
        let stream = m.moment.risk.stream();
        self.quality.matters.iter().find_map(|x| match x {
            Matter::Risk(r) if r.id.stream() == stream => Some(r.title.as_str()),
            _ => None,
        })
    }

    /// The surveys whose period overlaps the window, each with response rate and NKI per
    /// unit and sex (`stats::survey_results`) for the units of the subtree.
    pub fn surveys(&self, range: MonthRange, unit: Option<u16>) -> Vec<SurveyResult> {
        let (from, to) = self.quality_window(range);
        let ids = self.subtree_ids(unit);
        let keep = |u: &UnitId| ids.as_ref().is_none_or(|v| v.contains(u));
        self.quality
            .matters
            .iter()
            .filter_map(|m| match m {
                Matter::Survey(s) if s.from <= to && s.to >= from => Some(s),
                _ => None,
            })
            .filter_map(|s| {
                // The survey as if only the subtree's units had been asked.
                let part = SurveyState {
                    units: s.units.iter().filter(|u| keep(u)).cloned().collect(),
                    invited: s.invited.iter().filter(|i| keep(&i.unit)).cloned().collect(),
                    responses: s.responses.iter().filter(|r| keep(&r.unit)).cloned().collect(),
                    ..s.clone()
                };
                (!part.units.is_empty()).then(|| SurveyResult {
                    name: s.name.clone(),
                    from: s.from,
                    to: s.to,
                    rows: stats::survey_results(&part),
                })
            })
            .collect()
    }

    /// A unit's name from its id (the id itself for a unit the index does not know).
    pub fn unit_name(&self, id: &str) -> String {
        self.facts
            .units
            .find(id)
            .and_then(|i| self.facts.units.get(i))
            .map_or_else(|| id.to_owned(), |u| u.name.clone())
    }
}

/// The trend's self-inspection series (`stats::add_self_inspection`) from the facts' answers:
/// each case received in the window, in the unit it belonged to at the inspection date
/// (`CaseFact::dok_unit`, as DOK-*), if `keep` keeps that unit. Nothing when the facts were
/// built without self-inspection (the series is then absent, not zero).
pub fn add_self_inspection(facts: &crate::FactTable, months: &mut [TrendMonth], w: Window, keep: impl Fn(u16) -> bool) {
    use crate::facts::DokAnswer;
    use skyndsam_domain::checks::Reply;
    if facts.self_inspection.is_none() {
        return;
    }
    // Only the window's cases are tallied (the facts hold every year).
    let in_window = |d: chrono::NaiveDate| w.from <= d && d <= w.to;
    let cases = facts.cases.iter().filter(|c| in_window(c.received_on) && keep(c.dok_unit)).filter_map(|c| {
        let unit = &facts.units.units.get(usize::from(c.dok_unit))?.id;
        let mut t = stats::Tally::default();
        for a in &c.dok {
            t.add(match a {
                DokAnswer::Yes => Reply::Yes,
                DokAnswer::No => Reply::No,
                DokAnswer::NotApplicable => Reply::NotApplicable,
            });
        }
        Some((c.received_on, unit, t))
    });
    stats::add_self_inspection(months, w, cases);
}
