#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use skyndsam_domain::rules::RuleTable;
use skyndsam_report::{FactsBuilder, Filter, Ind, IndicatorTable, Month, MonthRange, Period, Report};

#[test]
fn the_demo_municipality_lands_near_eskilstuna_2022() {
    let rules = RuleTable::defaults().unwrap();
    // Two years; the second (2023) is a full year whose cases closed in it all have a
    // history (the first year starts from an empty service). Reporting date: end of March
    // 2024, so decisions of 2023 are all in.
    let cfg = skyndsam_demo::Config {
        seed: 1,
        year: 2022,
        years: 2,
        reports_per_year: 2500,
        as_of: Utc.with_ymd_and_hms(2024, 3, 31, 20, 0, 0).unwrap(),
    };
    let (events, stats) = skyndsam_demo::generate(&cfg, &rules).unwrap();
    let mut b = FactsBuilder::new(&rules);
    let mut versions = std::collections::HashMap::<String, u32>::new();
    for (i, e) in events.into_iter().enumerate() {
        let v = versions.entry(e.stream.clone()).or_default();
        *v += 1;
        b.push(skyndsam_domain::events::RecordedEvent {
            seq: i as u64 + 1,
            stream: e.stream,
            version: *v,
            meta: e.meta,
            schema: skyndsam_domain::events::SCHEMA_VERSION,
            payload: e.payload,
            prev_hash: String::new(),
            hash: String::new(),
        });
    }
    let facts = b.finish();
    let table = IndicatorTable::defaults().unwrap();
    let r = Report::new(&facts, &rules, &table, chrono::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap());
    let year = Period::Year { year: 2023 };
    let fb14 = r.value(Ind::Fb14, &year, &Filter::all());
    let u4m = r.value(Ind::U4m, &year, &Filter::all());
    let (fb14, u4m) = (fb14.value.unwrap(), u4m.value.unwrap());
    eprintln!("demo 2023: FB14 {fb14} %, U4M {u4m} %");
    // Eskilstuna 2022: 38 % of preliminary assessments over 14 days (FB14 ≈ 62 %), 29 % of
    // investigations over 4 months (U4M ≈ 71 %).
    assert!((57.0..=67.0).contains(&fb14), "FB14 {fb14}");
    assert!((66.0..=76.0).contains(&u4m), "U4M {u4m}");

    // Over the whole run the engine counts exactly what the generator counted as it went.
    let whole = MonthRange { first: Month::new(2022, 1), last: Month::new(2024, 3) };
    let fb = r.value_in(Ind::Fb14, whole, &Filter::all());
    assert_eq!(fb.denominator, Some(stats.preliminary_decided));
    assert_eq!(fb.denominator.unwrap() - fb.numerator.unwrap(), stats.preliminary_over_14_days);
    let u = r.value_in(Ind::U4m, whole, &Filter::all());
    assert_eq!(u.denominator, Some(stats.investigations_closed));
    assert_eq!(u.denominator.unwrap() - u.numerator.unwrap(), stats.investigations_over_4_months);

    // AVV-6V's fast path is stats::counts for every unit and month, and for the year.
    let mut units: Vec<Option<u16>> = vec![None];
    units.extend((0..facts.units.len() as u16).map(Some));
    let mut months: Vec<MonthRange> =
        (0..27).map(|i| Month(Month::new(2022, 1).0 + i)).map(|m| MonthRange { first: m, last: m }).collect();
    months.push(year.months(r.as_of));
    let mut due_total = 0;
    for u in &units {
        for range in &months {
            let (from, to) = r.quality_window(*range);
            let want = skyndsam_domain::quality::stats::counts(
                r.quality_matters(*u),
                skyndsam_domain::quality::stats::Window { from, to, units: None },
                &rules,
            );
            let got = r.avv_6v(*range, *u);
            assert_eq!(
                got,
                (u64::from(want.deviations_within_6_weeks), u64::from(want.deviations_6_weeks_due)),
                "{u:?} {range:?}"
            );
            due_total += got.1;
        }
    }
    assert!(due_total > 0);
    let deviations = r.quality_counts(year.months(r.as_of), None).deviations_reported;
    eprintln!("demo 2023: {deviations} deviations");
    assert!(deviations > 0);
}
