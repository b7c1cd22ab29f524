//! Self-inspection benchmarks on the demo municipality (the `skyndsam demo` defaults:
//! seed 1, 8,900 reports a year; here 2024–2025, as of 2025-12-31).
//!
//! - `unit_summary_year`: every case received in 2024 of the largest unit subtree, and of
//!   the whole administration, inspected (all questions) and summarised — what
//!   `skyndsam audit --unit U --period 2024` computes after reading the journal.
//! - `check_per_append`: the cost the continuous check adds to one append — refold the
//!   case from its events and answer every question (median over the demo's cases of
//!   typical length).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::hint::black_box;

use skyndsam_domain::calendar::local_date;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::checks::{inspect, summarise, Questionnaire};
use skyndsam_domain::events::{RecordedEvent, ORG_STREAM};
use skyndsam_domain::ids::{CaseId, UnitId};
use skyndsam_domain::journal::seal;
use skyndsam_domain::org::Organisation;
use skyndsam_domain::rules::RuleTable;

struct Demo {
    rules: RuleTable,
    org: Organisation,
    cases: Vec<(CaseId, UnitId, NaiveDate, Vec<RecordedEvent>)>,
}

fn demo() -> Demo {
    let rules = RuleTable::defaults().unwrap();
    let cfg = skyndsam_demo::Config {
        seed: 1,
        year: 2024,
        years: 2,
        reports_per_year: 8900,
        as_of: Utc.with_ymd_and_hms(2025, 12, 31, 20, 0, 0).unwrap(),
    };
    let (events, stats) = skyndsam_demo::generate(&cfg, &rules).unwrap();
    eprintln!("demo: {} events, {} reports", stats.events, stats.reports);
    let mut org = Organisation::default();
    let mut versions: HashMap<String, u32> = HashMap::new();
    let mut by_case: HashMap<CaseId, Vec<RecordedEvent>> = HashMap::new();
    for (i, e) in events.into_iter().enumerate() {
        let v = versions.entry(e.stream.clone()).or_default();
        *v += 1;
        let r = seal(e, i as u64 + 1, *v, "0").unwrap();
        if r.stream == ORG_STREAM {
            org.apply(&r);
        } else if let Some(id) = r.stream.strip_prefix("case/").and_then(|s| CaseId::parse(s).ok()) {
            by_case.entry(id).or_default().push(r);
        }
    }
    let mut cases: Vec<_> = by_case
        .into_iter()
        .filter_map(|(id, evs)| {
            let s = CaseState::from_events(evs.iter())?;
            Some((id, s.unit.clone(), local_date(s.received_at), evs))
        })
        .collect();
    cases.sort_by_key(|c| c.0);
    Demo { rules, org, cases }
}

fn benches(c: &mut Criterion) {
    let d = demo();
    let q = Questionnaire::defaults().unwrap();
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();

    // The largest unit (by cases received in 2024), with its subtree.
    let mut count: HashMap<&UnitId, usize> = HashMap::new();
    for (_, u, r, _) in &d.cases {
        if r.year() == 2024 {
            *count.entry(u).or_default() += 1;
        }
    }
    let (largest, _) = count.iter().max_by_key(|(u, n)| (**n, *u)).unwrap();
    let subtree = d.org.subtree(largest);
    let year_cases = |all: bool| -> Vec<&Vec<RecordedEvent>> {
        d.cases.iter().filter(|(_, u, r, _)| r.year() == 2024 && (all || subtree.contains(u))).map(|c| &c.3).collect()
    };
    let (unit_cases, all_cases) = (year_cases(false), year_cases(true));
    eprintln!("unit {largest}: {} cases in 2024; administration: {} cases", unit_cases.len(), all_cases.len());

    let mut g = c.benchmark_group("unit_summary_year");
    g.sample_size(20);
    for (name, set) in [("largest_unit", &unit_cases), ("administration", &all_cases)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let ins: Vec<_> = set.iter().filter_map(|evs| inspect(evs, &d.rules, &d.org, &q, as_of)).collect();
                black_box(summarise(&q, &ins))
            })
        });
    }
    g.finish();

    // One append: a case of median length in the demo (its fold + every answer).
    let mut lens: Vec<(usize, usize)> = d.cases.iter().enumerate().map(|(i, c)| (c.3.len(), i)).collect();
    lens.sort_unstable();
    let median = &d.cases[lens[lens.len() / 2].1].3;
    let longest = &d.cases[lens[lens.len() - 1].1].3;
    eprintln!("median case: {} events; longest: {}", median.len(), longest.len());
    let mut g = c.benchmark_group("check_per_append");
    g.bench_function("median_case", |b| b.iter(|| black_box(inspect(median, &d.rules, &d.org, &q, as_of))));
    g.bench_function("longest_case", |b| b.iter(|| black_box(inspect(longest, &d.rules, &d.org, &q, as_of))));
    g.finish();
}

criterion_group!(self_inspection, benches);
criterion_main!(self_inspection);
