//! Likställighet: units side by side, with expected levels from a social index.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use skyndsam_domain::rules::RuleTable;
use skyndsam_report::compare::compare;
use skyndsam_report::{FactsBuilder, Filter, Ind, IndicatorTable, Period, Report};

use crate::fixture::*;

#[test]
fn units_side_by_side_with_the_expected_level_from_the_social_index() {
    let rules = RuleTable::defaults().unwrap();
    let mut b = FactsBuilder::new(&rules);
    for e in journal() {
        b.push(e);
    }
    let facts = b.finish();
    let table = IndicatorTable::defaults().unwrap();
    let r = Report::new(&facts, &rules, &table, as_of());
    let year = Period::Year { year: 2025 };
    let top = r.unit("forvaltning").unwrap();

    let plain = compare(&r, Ind::NAnm, &year, Some(top), &Filter::all(), &HashMap::new());
    let names: Vec<&str> = plain.iter().map(|x| x.unit.as_str()).collect();
    assert_eq!(names.len(), 3, "the units directly below the administration: {names:?}");
    for row in &plain {
        // Each figure is the unit's own value (with its subtree), as the indicator gives it.
        let own = r.value(Ind::NAnm, &year, &Filter { unit: Some(r.unit(&row.unit).unwrap()), ..Filter::all() });
        assert_eq!(row.value, own.value);
        assert!(row.expected.is_none(), "no index, no expected level");
    }

    let index: HashMap<String, f64> = names.iter().zip([92.0, 105.0, 118.0]).map(|(u, x)| (u.to_string(), x)).collect();
    let rows = compare(&r, Ind::NAnm, &year, Some(top), &Filter::all(), &index);
    let pts: Vec<(f64, f64, f64, f64)> = rows
        .iter()
        .map(|x| (x.social_index.unwrap(), x.value.unwrap(), x.expected.unwrap(), x.denominator.unwrap().max(1) as f64))
        .collect();
    // The expected levels lie on one line…
    let slope01 = (pts[1].2 - pts[0].2) / (pts[1].0 - pts[0].0);
    let slope02 = (pts[2].2 - pts[0].2) / (pts[2].0 - pts[0].0);
    assert!((slope01 - slope02).abs() < 0.02, "{pts:?}");
    // …fitted so that the weighted deviations cancel (least squares with an intercept).
    let weighted: f64 = pts.iter().map(|p| p.3 * (p.1 - p.2)).sum();
    let total_w: f64 = pts.iter().map(|p| p.3).sum();
    assert!((weighted / total_w).abs() < 0.1, "{pts:?}");
    for x in &rows {
        assert_eq!(x.deviation, Some(((x.value.unwrap() - x.expected.unwrap()) * 10.0).round() / 10.0));
    }

    // Two units with an index are too few to fit a line.
    let two: HashMap<String, f64> = index.iter().take(2).map(|(k, v)| (k.clone(), *v)).collect();
    assert!(compare(&r, Ind::NAnm, &year, Some(top), &Filter::all(), &two).iter().all(|x| x.expected.is_none()));
}
