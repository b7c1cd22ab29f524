#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use skyndsam_domain::rules::{RuleTable, DEFAULT_RULES_TOML};
use skyndsam_report::catalogue::{IndicatorTable, DEFAULT_INDICATORS_TOML};
use skyndsam_report::compute::{AgeFilter, Filter, SexFilter};
use skyndsam_report::scorecard::scorecard;
use skyndsam_report::{FactTable, FactsBuilder, Ind, Period, Report, ValueState};

use crate::fixture::*;

fn facts(rules: &RuleTable) -> FactTable {
    let mut b = FactsBuilder::new(rules);
    for e in journal() {
        b.push(e);
    }
    b.finish()
}

struct Env {
    rules: RuleTable,
    table: IndicatorTable,
    facts: FactTable,
}

fn env() -> Env {
    let rules = RuleTable::defaults().unwrap();
    let facts = facts(&rules);
    Env { rules, table: IndicatorTable::defaults().unwrap(), facts }
}

impl Env {
    fn report(&self) -> Report<'_> {
        Report::new(&self.facts, &self.rules, &self.table, as_of())
    }
}

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

/// (numerator, denominator, value)
fn nd(r: &Report<'_>, ind: Ind, period: &str, f: &Filter) -> (u64, u64, Option<f64>) {
    let v = r.value(ind, &p(period), f);
    (v.numerator.unwrap(), v.denominator.unwrap(), v.value)
}

fn all() -> Filter {
    Filter::all()
}

fn sex(s: SexFilter) -> Filter {
    Filter { sex: s, ..Filter::all() }
}

fn ids(v: &[skyndsam_domain::ids::CaseId]) -> Vec<u128> {
    v.iter().map(|c| c.0.as_u128()).collect()
}

#[test]
fn fb14_counts_decisions_by_decision_date_including_the_14th_day_and_joins() {
    let e = env();
    let r = e.report();
    // A (day 14 exactly), D and the join F in time; B (19 days) and C (17 days) late.
    assert_eq!(nd(&r, Ind::Fb14, "2025", &all()), (3, 5, Some(60.0)));
    assert_eq!(nd(&r, Ind::Fb14, "2025", &sex(SexFilter::Girls)), (3, 3, Some(100.0)));
    assert_eq!(nd(&r, Ind::Fb14, "2025", &sex(SexFilter::Boys)), (0, 2, Some(0.0)));
    // delår 1 = Jan–Apr: D (Jan) and C (Feb); A is decided in May.
    assert_eq!(nd(&r, Ind::Fb14, "2025-T1", &all()), (1, 2, Some(50.0)));
    // delår 2 = Jan–Aug, cumulative.
    assert_eq!(nd(&r, Ind::Fb14, "2025-T2", &all()), (3, 5, Some(60.0)));
    assert_eq!(nd(&r, Ind::Fb14, "2025-05", &all()), (1, 2, Some(50.0)));
    // The legal floor and the year's step target travel with the value.
    let v = r.value(Ind::Fb14, &p("2025"), &all());
    assert_eq!(v.legal_floor, Some(100.0));
    assert_eq!(v.step_target, Some(80.0));
    assert!(v.definition.contains("14 dagar"));
    // Drill-down: the same cases as the figure, in receipt order.
    assert_eq!(ids(&r.drill_down(Ind::Fb14, &p("2025"), &all(), true)), vec![CASE_D, CASE_A, CASE_F]);
    assert_eq!(ids(&r.drill_down(Ind::Fb14, &p("2025"), &all(), false)), vec![CASE_D, CASE_C, CASE_A, CASE_B, CASE_F]);
}

#[test]
fn a_preliminary_assessment_is_the_receiving_units_even_when_the_case_moves_on() {
    let e = env();
    let r = e.report();
    let unit = |u: &str| Filter { unit: Some(r.unit(u).unwrap()), ..Filter::all() };
    assert_eq!(nd(&r, Ind::Fb14, "2025", &unit("mottagning")), (3, 5, Some(60.0)));
    let v = r.value(Ind::Fb14, &p("2025"), &unit("utredning"));
    assert_eq!((v.state, v.denominator, v.value), (ValueState::NoCases, Some(0), None));
    // The whole administration is the sum of its subtree.
    assert_eq!(nd(&r, Ind::Fb14, "2025", &unit("forvaltning")), (3, 5, Some(60.0)));
    assert!(r.unit("finns-inte").is_err());
}

#[test]
fn receipt_at_2359_on_the_last_day_counts_in_that_period_in_swedish_time() {
    let e = env();
    let r = e.report();
    // A: 30 April 23:59 → April (and delår 1). B: 1 May 00:30 local is 30 April in UTC → May.
    assert_eq!(nd(&r, Ind::NAnm, "2025-04", &all()).0, 1);
    assert_eq!(ids(&r.drill_down(Ind::NAnm, &p("2025-04"), &all(), true)), vec![CASE_A]);
    assert_eq!(ids(&r.drill_down(Ind::NAnm, &p("2025-05"), &all(), true)), vec![CASE_B]);
    assert_eq!(nd(&r, Ind::NAnm, "2025-T1", &all()).0, 3);
    assert_eq!(nd(&r, Ind::NAnm, "2025", &all()).0, 7);
    assert_eq!(nd(&r, Ind::NAnm, "2025", &sex(SexFilter::Girls)).0, 4);
    assert_eq!(nd(&r, Ind::NAnm, "2025", &sex(SexFilter::Boys)).0, 3);
    // Protection within 24 h: A at 23 h 59 min in time, B at 24 h 30 min late, H never.
    assert_eq!(nd(&r, Ind::Skydd24h, "2025-04", &all()), (1, 1, Some(100.0)));
    assert_eq!(nd(&r, Ind::Skydd24h, "2025-05", &all()), (0, 1, Some(0.0)));
    assert_eq!(nd(&r, Ind::Skydd24h, "2025", &all()), (5, 7, Some(71.4)));
}

#[test]
fn unique_children_count_a_child_with_two_reports_once() {
    let e = env();
    let r = e.report();
    // G2 has reports D and F.
    assert_eq!(nd(&r, Ind::NBarn, "2025", &all()), (6, 6, Some(6.0)));
    assert_eq!(nd(&r, Ind::NBarn, "2025", &sex(SexFilter::Girls)).0, 3);
    assert_eq!(nd(&r, Ind::NBarn, "2025", &sex(SexFilter::Boys)).0, 3);
    // Month by month G2 is in January and June: the year is the union, not the sum.
    let months: u64 = (1..=12).map(|m| nd(&r, Ind::NBarn, &format!("2025-{m:02}"), &all()).0).sum();
    assert_eq!(months, 7);
}

#[test]
fn u4m_closed_on_the_four_month_day_is_in_time_and_an_extension_counts_only_for_u4m_legal() {
    let e = env();
    let r = e.report();
    // E (56 days) and C (20 Feb → 20 Jun, exactly 4 months) in time; D (167 days) late.
    assert_eq!(nd(&r, Ind::U4m, "2025", &all()), (2, 3, Some(66.7)));
    assert_eq!(ids(&r.drill_down(Ind::U4m, &p("2025"), &all(), true)), vec![CASE_C, CASE_E]);
    // D's extension to 15 July was decided before 15 May: closed 1 July is within it.
    assert_eq!(nd(&r, Ind::U4mLegal, "2025", &all()), (3, 3, Some(100.0)));
    assert_eq!(nd(&r, Ind::U90, "2025", &all()), (1, 3, Some(33.3)));
    // Mean (56 + 120 + 167) / 3 = 114.3 days, median 120.
    let v = r.value(Ind::Utime, &p("2025"), &all());
    assert_eq!((v.value, v.median_days, v.denominator), (Some(114.3), Some(120.0), Some(3)));
    // Attributed by close date: June holds C only.
    assert_eq!(nd(&r, Ind::U4m, "2025-06", &all()), (1, 1, Some(100.0)));
    assert_eq!(nd(&r, Ind::U4m, "2025-T1", &all()).1, 0);
}

#[test]
fn the_drill_rows_say_when_and_where_each_case_counted_and_with_how_many_days() {
    let e = env();
    let r = e.report();
    let range = p("2025").months(r.as_of);
    let rows = r.drill_rows(Ind::U4m, range, &all());
    let by = |c: u128| rows.iter().find(|x| x.case.0.as_u128() == c).unwrap();
    // C closed exactly on the four-month day (20 June), in time; D late; E in ungdom.
    assert_eq!(by(CASE_C).on, chrono::NaiveDate::from_ymd_opt(2025, 6, 20).unwrap());
    assert!(by(CASE_C).numerator && by(CASE_E).numerator && !by(CASE_D).numerator);
    assert_eq!(by(CASE_E).unit, r.unit("ungdom").unwrap());
    assert!(rows.iter().all(|x| x.count == 1 && x.days.is_none() && x.received_on <= x.on));
    // UTIME: the days behind the mean (56 + 120 + 167) / 3.
    let mut days: Vec<u32> = r.drill_rows(Ind::Utime, range, &all()).iter().map(|x| x.days.unwrap()).collect();
    days.sort_unstable();
    assert_eq!(days, vec![56, 120, 167]);
    // AVV-6V counts deviations, not cases.
    assert!(r.drill_rows(Ind::Avv6v, range, &all()).is_empty());
}

#[test]
fn a_transferred_investigation_counts_for_the_unit_that_closed_it() {
    let e = env();
    let r = e.report();
    let unit = |u: &str| Filter { unit: Some(r.unit(u).unwrap()), ..Filter::all() };
    // C and D closed in team A (inside utredning); E moved from team A to ungdom.
    assert_eq!(nd(&r, Ind::U4m, "2025", &unit("utredning")), (1, 2, Some(50.0)));
    assert_eq!(nd(&r, Ind::U4m, "2025", &unit("utredning-team-a")), (1, 2, Some(50.0)));
    assert_eq!(nd(&r, Ind::U4m, "2025", &unit("ungdom")), (1, 1, Some(100.0)));
    assert_eq!(ids(&r.drill_down(Ind::U4m, &p("2025"), &unit("ungdom"), false)), vec![CASE_E]);
}

#[test]
fn age_band_is_fixed_at_receipt_so_a_child_turning_13_stays_in_0_12() {
    let e = env();
    let r = e.report();
    let band = |b: u8| Filter { age: AgeFilter::Band(b), ..Filter::all() };
    // C was 12 at receipt and 13 when the investigation closed.
    assert_eq!(nd(&r, Ind::U4m, "2025", &band(0)), (1, 1, Some(100.0)));
    assert_eq!(ids(&r.drill_down(Ind::U4m, &p("2025"), &band(0), false)), vec![CASE_C]);
    // D and E were 16.
    assert_eq!(nd(&r, Ind::U4m, "2025", &band(1)), (1, 2, Some(50.0)));
    assert_eq!(nd(&r, Ind::U4m, "2025", &band(2)).1, 0);
}

#[test]
fn a2u_counts_only_decisions_to_open_and_aterk_only_professional_reporters() {
    let e = env();
    let r = e.report();
    assert_eq!(nd(&r, Ind::A2u, "2025", &all()), (2, 5, Some(40.0)));
    // A (school) and D (health care) got feedback; B (police) and F (school) did not; C is private.
    assert_eq!(nd(&r, Ind::Aterk, "2025", &all()), (2, 4, Some(50.0)));
}

#[test]
fn open_late_preliminary_assessments_are_a_snapshot_at_period_end() {
    let e = env();
    let r = e.report();
    // 31 Dec: G (41 days) late, H (3 days) not.
    assert_eq!(nd(&r, Ind::FbOpenLate, "2025", &all()), (1, 2, Some(1.0)));
    assert_eq!(nd(&r, Ind::FbOpenLate, "2025-12", &all()), (1, 2, Some(1.0)));
    assert_eq!(ids(&r.drill_down(Ind::FbOpenLate, &p("2025"), &all(), true)), vec![CASE_G]);
    // 30 Nov: G is 10 days old.
    assert_eq!(nd(&r, Ind::FbOpenLate, "2025-11", &all()), (0, 1, Some(0.0)));
    // End of delår 1 (30 April): A, received 23:59 that day, is open and not late.
    assert_eq!(nd(&r, Ind::FbOpenLate, "2025-T1", &all()), (0, 1, Some(0.0)));
}

#[test]
fn interventions_enforcement_and_breakdowns() {
    let e = env();
    let r = e.report();
    // I1 ended 15 Sep within its decided period (to 30 Sep); I2 has no decided end.
    assert_eq!(nd(&r, Ind::InsTid, "2025", &all()), (1, 1, Some(100.0)));
    // I2 started 10 Oct, more than 3 months after 1 Jul; I1 started in time.
    assert_eq!(nd(&r, Ind::EvbSen, "2025", &all()), (1, 2, Some(1.0)));
    assert_eq!(nd(&r, Ind::EvbSen, "2025-Q4", &all()), (1, 1, Some(1.0)));
    // I3 never started: late from October. At 30 Sep, I2 and I3 pending, neither late yet.
    assert_eq!(nd(&r, Ind::EvbEj, "2025", &all()), (1, 1, Some(1.0)));
    assert_eq!(nd(&r, Ind::EvbEj, "2025-Q3", &all()), (0, 2, Some(0.0)));
    assert_eq!(nd(&r, Ind::EvbEj, "2025-10", &all()), (1, 1, Some(1.0)));
    assert_eq!(nd(&r, Ind::EvbAvsl, "2025", &all()), (0, 0, Some(0.0)));
    // I2 (foster home) ended by breakdown on 1 Dec.
    assert_eq!(nd(&r, Ind::Sammanbrott, "2025", &all()), (1, 1, Some(1.0)));
    assert_eq!(nd(&r, Ind::Sammanbrott, "2025-T2", &all()), (0, 0, Some(0.0)));
    // Violence (D): nothing started while the investigation ran. Serious crime (C): I1 started.
    assert_eq!(nd(&r, Ind::ValdIns, "2025", &all()), (0, 1, Some(0.0)));
    assert_eq!(nd(&r, Ind::KrimIns, "2025", &all()), (1, 1, Some(100.0)));
}

#[test]
fn delegation_is_checked_against_the_rule_table_for_every_decision() {
    let e = env();
    let r = e.report();
    // 5 preliminary assessments, 1 extension, 3 investigation decisions; B's "inte inleda"
    // by a handler is outside the delegation order.
    assert_eq!(nd(&r, Ind::Deleg, "2025", &all()), (8, 9, Some(88.9)));
    // The cases behind them: every case with a decision (G and H have none); the case
    // whose decision was outside the delegation order is the one not in the numerator.
    assert_eq!(
        ids(&r.drill_down(Ind::Deleg, &p("2025"), &all(), false)),
        vec![CASE_D, CASE_C, CASE_E, CASE_A, CASE_B, CASE_F]
    );
    let with_unauthorised: Vec<u128> = ids(&r.drill_down(Ind::Deleg, &p("2025"), &all(), true));
    assert!(!with_unauthorised.contains(&CASE_B));
}

#[test]
fn deleg_judges_each_decision_by_the_written_redelegations_in_force_on_its_date() {
    use skyndsam_domain::events::{Payload, RedelegationDecided};
    use skyndsam_domain::ids::StaffId;
    use skyndsam_domain::org::Role;
    use skyndsam_domain::rules::DecisionType;
    let rules = RuleTable::defaults().unwrap();
    let table = IndicatorTable::defaults().unwrap();
    // The förvaltningschef re-delegated "inte inleda" to the fixture's staff for May 2025:
    // B's decision of 20 May is then within delegation (9 of 9); for April only, it is not.
    for (to, want) in [(d(2025, 5, 31), (9, 9)), (d(2025, 4, 30), (8, 9))] {
        let mut events = journal();
        let mut r = events[0].clone();
        r.meta.role = Role::HeadOfAdministration;
        r.meta.actor = StaffId::parse("fc-1").unwrap();
        r.payload = Payload::RedelegationDecided(RedelegationDecided {
            redelegation: "VD-2025-1".into(),
            decisions: vec![DecisionType::NotOpenInvestigation],
            delegates: vec![StaffId::parse("person-1").unwrap()],
            unit: None,
            from: d(2025, 4, 1),
            to,
            decided_on: d(2025, 4, 1),
            document: "Skriftligt beslut".into(),
            reason: "Teamledare saknas".into(),
        });
        events.insert(1, r);
        let mut b = FactsBuilder::new(&rules);
        for e in events {
            b.push(e);
        }
        let facts = b.finish();
        let rep = Report::new(&facts, &rules, &table, as_of());
        let (n, dn, _) = nd(&rep, Ind::Deleg, "2025", &all());
        assert_eq!((n, dn), want);
    }
}

#[test]
fn deleg_judges_each_decision_by_the_delegation_order_version_the_journal_records() {
    use skyndsam_domain::events::Payload;
    use skyndsam_domain::ids::StaffId;
    use skyndsam_domain::org::Role;
    use skyndsam_domain::rules::{DecisionType, DelegationOrderVersion};
    // The configured rule table has only the base order: "inte inleda" is the team leader's.
    let rules = RuleTable::defaults().unwrap();
    let table = IndicatorTable::defaults().unwrap();
    let base = rules.delegation.clone();
    // The administrator recorded a new version (`delegation_order_versioned`, the org stream)
    // that gives "inte inleda" to handlers too. B's decision of 20 May by a handler is then
    // within delegation if the version is in force that day (9 of 9), not if it starts in June.
    for (valid_from, want) in [(d(2025, 5, 1), (9, 9)), (d(2025, 6, 1), (8, 9))] {
        let mut order = base.clone();
        for r in &mut order {
            if r.decision == DecisionType::NotOpenInvestigation {
                r.roles.push(Role::Handler);
            }
        }
        let mut events = journal();
        let mut e = events[0].clone();
        e.meta.role = Role::SystemAdministrator;
        e.meta.actor = StaffId::parse("admin-1").unwrap();
        e.payload = Payload::DelegationOrderVersioned(DelegationOrderVersion {
            version: "SN 2025-04-20 § 40".into(),
            valid_from,
            valid_to: None,
            rules: order,
        });
        events.insert(1, e);
        let mut b = FactsBuilder::new(&rules);
        for e in events {
            b.push(e);
        }
        let facts = b.finish();
        let rep = Report::new(&facts, &rules, &table, as_of());
        let (n, dn, _) = nd(&rep, Ind::Deleg, "2025", &all());
        assert_eq!((n, dn), want, "version from {valid_from}");
    }
}

#[test]
fn dok_without_the_self_inspection_answers_says_so_and_avv_6v_without_deviations_has_no_cases() {
    let e = env();
    let r = e.report();
    // The facts were built without self-inspection: DOK has no source, not zero.
    let v = r.value(Ind::Dok, &p("2025"), &all());
    assert_eq!(v.state, ValueState::NoDataSource);
    assert_eq!((v.numerator, v.denominator, v.value), (None, None, None));
    // The fixture has no deviations: AVV-6V's denominator is empty — no value, not 0 %.
    let v = r.value(Ind::Avv6v, &p("2025"), &all());
    assert_eq!(v.state, ValueState::NoCases);
    assert_eq!((v.numerator, v.denominator, v.value), (Some(0), Some(0), None));
    // Deviations have no sex or age band: a breakdown says so.
    let v = r.value(Ind::Avv6v, &p("2025"), &sex(SexFilter::Girls));
    assert_eq!(v.state, ValueState::NotBrokenDown);
    assert_eq!((v.numerator, v.denominator, v.value), (None, None, None));
    // Every other indicator has a value or "no cases" — never "no source".
    for v in r.all(&p("2025"), &all()) {
        if v.id != "DOK" {
            assert_ne!(v.state, ValueState::NoDataSource, "{}", v.id);
        }
    }
    let text = skyndsam_report::render::table_sv(&r.all(&p("2025"), &all()));
    assert!(text.contains("datakälla saknas ännu"));
    assert!(text.contains("60,0 %"));
}

#[test]
fn the_reporting_date_is_a_parameter_nothing_after_it_counts() {
    let e = env();
    let r = Report::new(&e.facts, &e.rules, &e.table, d(2025, 5, 31));
    // By 31 May: D, C, A, B decided (F in June not yet).
    assert_eq!(nd(&r, Ind::Fb14, "2025", &all()), (2, 4, Some(50.0)));
    assert!(!r.value(Ind::Fb14, &p("2025"), &all()).complete);
    // C and D are not closed yet by then; only E.
    assert_eq!(nd(&r, Ind::U4m, "2025", &all()), (1, 1, Some(100.0)));
}

#[test]
fn the_cube_and_the_drill_down_agree_for_every_unit_sex_age_and_month() {
    let e = env();
    let r = e.report();
    let per_case =
        [Ind::Fb14, Ind::FbOpenLate, Ind::U4m, Ind::U4mLegal, Ind::U90, Ind::A2u, Ind::NAnm, Ind::Skydd24h, Ind::Aterk];
    let mut units: Vec<Option<u16>> = vec![None];
    units.extend((0..e.facts.units.len() as u16).map(Some));
    for ind in per_case {
        for unit in &units {
            for s in SexFilter::ALL {
                for age in [AgeFilter::All, AgeFilter::Band(0), AgeFilter::Band(1)] {
                    for period in ["2025", "2025-T1", "2025-T2", "2025-06", "2025-Q4", "2025-R12"] {
                        let f = Filter { unit: *unit, sex: s, age };
                        let v = r.value(ind, &p(period), &f);
                        let num = r.drill_down(ind, &p(period), &f, true).len() as u64;
                        let den = r.drill_down(ind, &p(period), &f, false).len() as u64;
                        assert_eq!((v.numerator, v.denominator), (Some(num), Some(den)), "{} {period} {f:?}", v.id);
                    }
                }
            }
        }
    }
}

#[test]
fn periods_parse_and_tertials_are_cumulative_from_january() {
    let m = |s: &str| {
        let r = p(s).months(d(2025, 12, 31));
        (r.start(), r.end())
    };
    assert_eq!(m("2025-T1"), (d(2025, 1, 1), d(2025, 4, 30)));
    assert_eq!(m("2025-T2"), (d(2025, 1, 1), d(2025, 8, 31)));
    assert_eq!(m("2025-Q2"), (d(2025, 4, 1), d(2025, 6, 30)));
    assert_eq!(m("2025-02"), (d(2025, 2, 1), d(2025, 2, 28)));
    assert_eq!(m("2025-03-R12"), (d(2024, 4, 1), d(2025, 3, 31)));
    // YYYY-R12: twelve months ending with the last complete month of the year.
    assert_eq!(p("2025-R12").months(d(2025, 6, 15)).end(), d(2025, 5, 31));
    assert_eq!(m("2025-R12"), (d(2025, 1, 1), d(2025, 12, 31)));
    for bad in ["25", "2025-13", "2025-T3", "2025-Q5", "x"] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn targets_are_data_and_the_scorecard_shows_them_beside_the_legal_floor() {
    let e = env();
    let r = e.report();
    let sc = scorecard(&r, 2024..=2025, &all());
    let fb14 = sc.rows.iter().find(|x| x.id == "FB14").unwrap();
    assert_eq!(fb14.legal_floor, Some(100.0));
    assert_eq!(fb14.long_term_target, Some(95.0));
    let y24 = &fb14.years[0];
    assert_eq!((y24.year, y24.state, y24.value, y24.trend), (2024, ValueState::NoCases, None, None));
    let y25 = &fb14.years[1];
    assert_eq!(
        (y25.value, y25.step_target, y25.meets_step_target, y25.meets_legal_floor),
        (Some(60.0), Some(80.0), Some(false), Some(false))
    );

    // A municipality's own table: another step target, read from TOML.
    let text = DEFAULT_INDICATORS_TOML.replace("{ year = 2025, value = 80.0 }", "{ year = 2025, value = 55.0 }");
    let table = IndicatorTable::from_toml(&text).unwrap();
    let r2 = Report::new(&e.facts, &e.rules, &table, as_of());
    let sc = scorecard(&r2, 2025..=2025, &all());
    let y = &sc.rows.iter().find(|x| x.id == "FB14").unwrap().years[0];
    assert_eq!((y.step_target, y.meets_step_target), (Some(55.0), Some(true)));
    // A table missing an indicator, or with a share target over 100 %, is refused.
    assert!(IndicatorTable::from_toml(&DEFAULT_INDICATORS_TOML.replace("id = \"U90\"", "id = \"U4M\"")).is_err());
    assert!(IndicatorTable::from_toml(
        &DEFAULT_INDICATORS_TOML.replace("long_term_target = 95.0", "long_term_target = 120.0")
    )
    .is_err());
}

#[test]
fn the_weekend_rule_of_the_rule_table_moves_the_limit_when_switched_on() {
    // C's preliminary deadline: 3 Feb + 14 = 17 Feb 2025, a Monday — no change; U4M for
    // D: 15 May 2025 is a Thursday — no change. So switching the policy on changes nothing
    // here, and the engine reads the same rule table as the statutory clock.
    let rules = RuleTable::from_toml(
        &DEFAULT_RULES_TOML.replace("weekend_holiday_extension = false", "weekend_holiday_extension = true"),
    )
    .unwrap();
    let facts = facts(&rules);
    let table = IndicatorTable::defaults().unwrap();
    let r = Report::new(&facts, &rules, &table, as_of());
    assert_eq!(nd(&r, Ind::Fb14, "2025", &all()), (3, 5, Some(60.0)));
    // A 10-day rule table makes A (day 14) late.
    let rules = RuleTable::from_toml(&DEFAULT_RULES_TOML.replace("days = 14", "days = 10")).unwrap();
    let r = Report::new(&facts, &rules, &table, as_of());
    assert_eq!(nd(&r, Ind::Fb14, "2025", &all()), (2, 5, Some(40.0)));
}

#[test]
fn kolada_export_has_the_kolada_shape_with_t_k_m() {
    let e = env();
    let r = e.report();
    let doc = skyndsam_report::kolada::export(&r, &p("2025"), None, "0484");
    let json = serde_json::to_value(&doc).unwrap();
    let fb14 = json["values"].as_array().unwrap().iter().find(|v| v["kpi"] == "FB14").unwrap();
    assert_eq!(fb14["municipality"], "0484");
    assert_eq!(fb14["period"], 2025);
    let vals = fb14["values"].as_array().unwrap();
    let by = |g: &str| vals.iter().find(|v| v["gender"] == g).unwrap().clone();
    assert_eq!(by("T")["value"], 60.0);
    assert_eq!(by("K")["value"], 100.0);
    assert_eq!(by("M")["value"], 0.0);
    assert_eq!(by("T")["count"], 1);
    let dok = json["values"].as_array().unwrap().iter().find(|v| v["kpi"] == "DOK").unwrap();
    assert!(dok["values"][0]["value"].is_null());
    assert_eq!(dok["values"][0]["count"], 0);
    assert_eq!(json["count"], json["values"].as_array().unwrap().len());
}
