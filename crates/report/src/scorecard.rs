//! The scorecard (styrkort): per indicator and year the value, the year's step target
//! (etappmål), the long-term target (målvärde), the legal floor where the law sets the
//! level, and the trend against the year before.

use serde::Serialize;

use crate::catalogue::{Better, Ind, Measure};
use crate::compute::Filter;
use crate::period::Period;
use crate::{Report, ValueState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// förbättring
    Improving,
    /// försämring
    Worsening,
    /// oförändrad (or no direction defined)
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardYear {
    pub year: i32,
    pub state: ValueState,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    /// Etappmål for the year.
    pub step_target: Option<f64>,
    pub meets_step_target: Option<bool>,
    pub meets_legal_floor: Option<bool>,
    /// Change from the year before (percentage points, count or days).
    pub change: Option<f64>,
    pub trend: Option<Trend>,
    /// False when the year ends after the reporting date.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardRow {
    pub id: &'static str,
    pub name: String,
    pub measure: Measure,
    pub legal_floor: Option<f64>,
    pub long_term_target: Option<f64>,
    pub years: Vec<ScorecardYear>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub unit: Option<String>,
    pub rows: Vec<ScorecardRow>,
}

fn meets(better: Better, value: f64, target: f64) -> Option<bool> {
    match better {
        Better::Higher => Some(value >= target),
        Better::Lower => Some(value <= target),
        Better::None => None,
    }
}

/// The scorecard for `years` (inclusive, ascending) and one filter.
pub fn scorecard(report: &Report<'_>, years: std::ops::RangeInclusive<i32>, f: &Filter) -> Scorecard {
    let mut rows = Vec::with_capacity(Ind::COUNT);
    for ind in Ind::ALL {
        let Some(def) = report.table.get(ind) else { continue };
        let mut out: Vec<ScorecardYear> = Vec::new();
        let mut prev: Option<f64> = None;
        for year in years.clone() {
            let v = report.value(ind, &Period::Year { year }, f);
            let step = def.step_target(year);
            let change = match (v.value, prev) {
                (Some(a), Some(b)) => Some(crate::round1(a - b)),
                _ => None,
            };
            let trend = change.map(|c| match def.better {
                _ if c == 0.0 => Trend::Unchanged,
                Better::Higher if c > 0.0 => Trend::Improving,
                Better::Lower if c < 0.0 => Trend::Improving,
                Better::None => Trend::Unchanged,
                _ => Trend::Worsening,
            });
            out.push(ScorecardYear {
                year,
                state: v.state,
                numerator: v.numerator,
                denominator: v.denominator,
                value: v.value,
                step_target: step,
                meets_step_target: v.value.zip(step).and_then(|(x, t)| meets(def.better, x, t)),
                meets_legal_floor: v.value.zip(def.legal_floor).and_then(|(x, t)| meets(def.better, x, t)),
                change,
                trend,
                complete: v.complete,
            });
            prev = v.value;
        }
        rows.push(ScorecardRow {
            id: ind.id(),
            name: def.name.clone(),
            measure: def.measure,
            legal_floor: def.legal_floor,
            long_term_target: def.long_term_target,
            years: out,
        });
    }
    let unit = f.unit.and_then(|u| report.facts.units.get(u)).map(|u| u.id.as_str().to_owned());
    Scorecard { unit, rows }
}
