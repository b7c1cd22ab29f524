//! Indicators (styrkort) of DOMAIN §6: definitions as functions of case facts, the rule
//! table and a reporting date passed in — no I/O and no `now()` here.
//!
//! The path of a figure: journal events → [`facts::FactsBuilder`] (each case flattened
//! once) → [`compute::Cube`] (indicator × month × unit × sex × age band, prefix-summed
//! over the unit tree) → [`Report::value`] (a period is a run of months). The cases behind
//! any value come from [`Report::drill_down`] with the same filter. Names, definitions and
//! targets are data ([`catalogue::IndicatorTable`], `indicators/default.toml`).

pub mod catalogue;
pub mod compare;
pub mod compute;
pub mod documents;
pub mod docx;
pub mod dok;
pub mod extract;
pub mod facts;
pub mod file_audit;
pub mod html;
pub mod kolada;
pub mod parquet_file;
pub mod pdf;
pub mod period;
pub mod quality;
pub mod quality_sections;
pub mod render;
pub mod scorecard;
pub mod xlsx;

use chrono::NaiveDate;
use serde::Serialize;

use skyndsam_domain::ids::CaseId;
use skyndsam_domain::rules::RuleTable;

pub use catalogue::{Ind, IndicatorDef, IndicatorTable, Measure};
pub use compute::{AgeFilter, Filter, SexFilter, Tally};
pub use facts::{FactTable, FactsBuilder};
pub use period::{Month, MonthRange, Period};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Table(String),
    #[error("{0}")]
    Period(String),
    #[error("{0}")]
    Unit(String),
}

/// Whether a value could be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueState {
    /// A value (a count may be 0).
    Value,
    /// A share or a mean with no case in the denominator: no value, not 0 %.
    NoCases,
    /// The facts were not read (self-inspection answers not asked for) or the journal does
    /// not hold them.
    NoDataSource,
    /// The indicator is not broken down by sex or age band (deviations are about the
    /// service, not about one child).
    NotBrokenDown,
}

impl ValueState {
    pub fn label_sv(self) -> &'static str {
        match self {
            ValueState::Value => "värde",
            ValueState::NoCases => "inga ärenden",
            ValueState::NoDataSource => "datakälla saknas ännu",
            ValueState::NotBrokenDown => "redovisas inte per kön eller ålder",
        }
    }
}

/// One indicator's value for one period and filter, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorValue {
    pub id: &'static str,
    pub name: String,
    pub definition: String,
    pub numerator_text: String,
    pub denominator_text: String,
    pub period_date: String,
    pub measure: Measure,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// False when the period ends after the reporting date.
    pub complete: bool,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub sex: &'static str,
    pub age: &'static str,
    pub state: ValueState,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    /// Share in % (one decimal), count, or mean days.
    pub value: Option<f64>,
    pub median_days: Option<f64>,
    pub legal_floor: Option<f64>,
    pub long_term_target: Option<f64>,
    pub step_target: Option<f64>,
}

/// Rounds to one decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The engine over one fact table, one rule table, one indicator table and one
/// reporting date (the clock is a parameter: everything after `as_of` is ignored).
pub struct Report<'a> {
    pub facts: &'a FactTable,
    pub rules: &'a RuleTable,
    pub table: &'a IndicatorTable,
    pub as_of: NaiveDate,
    /// Shared, so a server can keep one cube per fact table and reporting date.
    pub cube: std::sync::Arc<compute::Cube>,
    /// The quality matters as of `as_of` (deviations, lex Sarah, complaints, internal
    /// control, surveys).
    pub quality: quality::QualityFacts,
}

impl<'a> Report<'a> {
    pub fn new(facts: &'a FactTable, rules: &'a RuleTable, table: &'a IndicatorTable, as_of: NaiveDate) -> Self {
        let cube = std::sync::Arc::new(compute::Cube::build(facts, rules, as_of));
        let quality = quality::QualityFacts::fold(&facts.quality, &facts.units, rules, as_of);
        Self { facts, rules, table, as_of, cube, quality }
    }

    /// As [`Report::new`] with a cube built before from the same facts, rules and `as_of`.
    pub fn with_cube(
        facts: &'a FactTable,
        rules: &'a RuleTable,
        table: &'a IndicatorTable,
        as_of: NaiveDate,
        cube: std::sync::Arc<compute::Cube>,
    ) -> Self {
        let quality = quality::QualityFacts::fold(&facts.quality, &facts.units, rules, as_of);
        Self { facts, rules, table, as_of, cube, quality }
    }

    /// Whether the facts behind `ind` were read: DOK-* needs the self-inspection answers
    /// (`FactsBuilder::with_self_inspection`); every other indicator has its events.
    pub fn has_source(&self, ind: Ind) -> bool {
        match ind {
            Ind::Dok => self.facts.self_inspection.is_some(),
            _ => true,
        }
    }

    /// The unit index of `id` (a unit slug).
    pub fn unit(&self, id: &str) -> Result<u16, ReportError> {
        self.facts.units.find(id).ok_or_else(|| ReportError::Unit(format!("enheten {id} finns inte")))
    }

    /// The sums behind a value (fast path). AVV-6V is counted over the deviations (they
    /// have no sex or age band: a breakdown by either is empty).
    pub fn tally(&self, ind: Ind, range: MonthRange, f: &Filter) -> Tally {
        match ind {
            Ind::Avv6v if !f.is_breakdown() => {
                let (numerator, denominator) = self.avv_6v(range, f.unit);
                Tally { numerator, denominator, ..Tally::default() }
            }
            Ind::Avv6v => Tally::default(),
            _ => self.cube.tally(ind, range, f, &self.facts.units),
        }
    }

    /// One indicator's value with its explanation.
    pub fn value(&self, ind: Ind, period: &Period, f: &Filter) -> IndicatorValue {
        let range = period.months(self.as_of);
        let mut v = self.value_in(ind, range, f);
        v.period = period.label_sv(self.as_of);
        v.step_target = self.table.get(ind).and_then(|d| d.step_target(period.year()));
        v
    }

    /// As [`Report::value`] for a resolved month range.
    pub fn value_in(&self, ind: Ind, range: MonthRange, f: &Filter) -> IndicatorValue {
        let def = self.table.get(ind);
        let text = |g: fn(&IndicatorDef) -> &String| def.map(|d| g(d).clone()).unwrap_or_default();
        let unit = f.unit.and_then(|u| self.facts.units.get(u));
        let mut v = IndicatorValue {
            id: ind.id(),
            name: text(|d| &d.name),
            definition: text(|d| &d.definition),
            numerator_text: text(|d| &d.numerator),
            denominator_text: text(|d| &d.denominator),
            period_date: text(|d| &d.period_date),
            measure: def.map(|d| d.measure).unwrap_or(Measure::Count),
            period: format!("{}–{}", range.first, range.last),
            period_start: range.start(),
            period_end: range.end(),
            complete: range.end() <= self.as_of,
            unit: unit.map(|u| u.id.as_str().to_owned()),
            unit_name: unit.map(|u| u.name.clone()),
            sex: f.sex.label_sv(),
            age: f.age.label_sv(),
            state: ValueState::NoDataSource,
            numerator: None,
            denominator: None,
            value: None,
            median_days: None,
            legal_floor: def.and_then(|d| d.legal_floor),
            long_term_target: def.and_then(|d| d.long_term_target),
            step_target: None,
        };
        if !self.has_source(ind) {
            return v;
        }
        if f.is_breakdown() && !ind.has_breakdown() {
            v.state = ValueState::NotBrokenDown;
            return v;
        }
        let t = self.tally(ind, range, f);
        v.numerator = Some(t.numerator);
        v.denominator = Some(t.denominator);
        let (state, value) = match v.measure {
            Measure::Count => (ValueState::Value, Some(t.numerator as f64)),
            Measure::Share if t.denominator == 0 => (ValueState::NoCases, None),
            Measure::Share => (ValueState::Value, Some(round1(100.0 * t.numerator as f64 / t.denominator as f64))),
            Measure::Days if t.denominator == 0 => (ValueState::NoCases, None),
            Measure::Days => (ValueState::Value, Some(round1(t.sum_days as f64 / t.denominator as f64))),
        };
        v.state = state;
        v.value = value;
        v.median_days = t.median_days;
        v
    }

    /// Every indicator for one period and filter, in table order.
    pub fn all(&self, period: &Period, f: &Filter) -> Vec<IndicatorValue> {
        Ind::ALL.iter().map(|i| self.value(*i, period, f)).collect()
    }

    /// The cases behind a value: in the numerator (`numerator_only`) or the denominator.
    /// For authorised users only — the caller checks access; ids, no personal data.
    /// AVV-6V counts deviations, not cases: see [`Report::avv_6v_deviations`].
    pub fn drill_down(&self, ind: Ind, period: &Period, f: &Filter, numerator_only: bool) -> Vec<CaseId> {
        compute::drill_down(self.facts, self.rules, self.as_of, ind, period.months(self.as_of), f, numerator_only)
    }

    /// As [`Report::drill_down`], both parts at once, with the dates and units that placed each
    /// case in the value. AVV-6V has none (deviations).
    pub fn drill_rows(&self, ind: Ind, range: MonthRange, f: &Filter) -> Vec<compute::DrillRow> {
        if ind == Ind::Avv6v {
            return Vec::new();
        }
        compute::drill_rows(self.facts, self.rules, self.as_of, ind, range, f)
    }
}
