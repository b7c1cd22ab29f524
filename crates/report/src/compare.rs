//! Likställighet: one indicator side by side across the units directly below a unit. Where
//! the municipality supplies a social index per unit (e.g. a socioeconomic index of the
//! area it serves), each unit also gets an *expected* level: the line fitted through the
//! units' values against their index (weighted least squares, weights = denominators), so
//! that a unit is compared with what its population would lead one to expect rather than
//! with the average.

use serde::Serialize;
use std::collections::HashMap;

use crate::catalogue::Ind;
use crate::compute::Filter;
use crate::period::Period;
use crate::{Report, ValueState};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    pub unit: String,
    pub unit_name: String,
    pub state: ValueState,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub social_index: Option<f64>,
    /// The level expected from the social index (None without an index or a fit).
    pub expected: Option<f64>,
    /// value − expected.
    pub deviation: Option<f64>,
}

/// The units directly below `parent` (None: below the top, through single-unit levels), each with the indicator's value
/// for `period`, and its expected level where `social_index` (unit id → index) covers at
/// least three units with values.
pub fn compare(
    report: &Report<'_>,
    ind: Ind,
    period: &Period,
    parent: Option<u16>,
    base: &Filter,
    social_index: &HashMap<String, f64>,
) -> Vec<ComparisonRow> {
    let units = &report.facts.units;
    // Without a unit: below the top of the organisation, going down through levels with a
    // single unit (förvaltning → one verksamhet → its units).
    let mut parent = parent;
    if parent.is_none() {
        while let [only] = units.children(parent).as_slice() {
            parent = Some(*only);
        }
    }
    let mut rows: Vec<ComparisonRow> = units
        .children(parent)
        .into_iter()
        .filter_map(|ix| {
            let u = units.get(ix)?;
            let v = report.value(ind, period, &Filter { unit: Some(ix), ..*base });
            Some(ComparisonRow {
                unit: u.id.as_str().to_owned(),
                unit_name: u.name.clone(),
                state: v.state,
                numerator: v.numerator,
                denominator: v.denominator,
                value: v.value,
                social_index: social_index.get(u.id.as_str()).copied(),
                expected: None,
                deviation: None,
            })
        })
        .collect();
    // Weighted least squares of value on index.
    let points: Vec<(f64, f64, f64)> = rows
        .iter()
        .filter_map(|r| Some((r.social_index?, r.value?, r.denominator.unwrap_or(1).max(1) as f64)))
        .collect();
    if points.len() >= 3 {
        let w: f64 = points.iter().map(|p| p.2).sum();
        let mx = points.iter().map(|p| p.0 * p.2).sum::<f64>() / w;
        let my = points.iter().map(|p| p.1 * p.2).sum::<f64>() / w;
        let sxx: f64 = points.iter().map(|p| p.2 * (p.0 - mx).powi(2)).sum();
        let sxy: f64 = points.iter().map(|p| p.2 * (p.0 - mx) * (p.1 - my)).sum();
        if sxx > 0.0 {
            let slope = sxy / sxx;
            for r in &mut rows {
                if let Some(x) = r.social_index {
                    let e = crate::round1(my + slope * (x - mx));
                    r.expected = Some(e);
                    r.deviation = r.value.map(|v| crate::round1(v - e));
                }
            }
        }
    }
    rows
}
