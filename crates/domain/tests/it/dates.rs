//! Table tests of the deadline arithmetic: month ends, leap years, DST, holidays, a
//! report received 23:59 on a Friday.

use crate::harness::*;
use skyndsam_domain::clock::{deadlines, last_day, DeadlineKind as K, DeadlineState as S};
use skyndsam_domain::commands::CaseCommand as C;
use skyndsam_domain::events::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::rules::{RuleTable, DEFAULT_RULES_TOML};

fn last_day_of(w: &World, case: skyndsam_domain::ids::CaseId, kind: K) -> chrono::NaiveDate {
    deadlines(&w.state(case), &w.rules, at(2030, 1, 1, 0, 0))
        .into_iter()
        .find(|d| d.spec.kind == kind)
        .unwrap()
        .spec
        .last_day
}

#[test]
fn preliminary_assessment_last_day_is_receipt_date_plus_14_in_stockholm_time() {
    let cases = [
        // (received local time, expected last day)
        (at(2026, 1, 30, 23, 59), date(2026, 2, 13)), // Friday 23:59
        (at(2026, 1, 31, 0, 1), date(2026, 2, 14)),   // one minute later: next day
        (at(2026, 12, 31, 16, 0), date(2027, 1, 14)), // year end
        (at(2024, 2, 15, 9, 0), date(2024, 2, 29)),   // leap year
        (at(2025, 2, 15, 9, 0), date(2025, 3, 1)),    // not a leap year
        (at(2026, 3, 28, 23, 30), date(2026, 4, 11)), // the night before spring-forward
        (at(2026, 10, 25, 2, 30), date(2026, 11, 8)), // during fall-back
        (at(2026, 6, 5, 10, 0), date(2026, 6, 19)),   // lands on midsommarafton: a hard stop by default
    ];
    for (received, expected) in cases {
        let mut w = World::new();
        let case = w.register(ActualisationKind::Report, received, vec![Reason::NeglectOfCare], 1)[0];
        assert_eq!(last_day_of(&w, case, K::PreliminaryAssessment), expected, "received {received}");
    }
}

#[test]
fn a_report_at_2359_utc_on_friday_is_saturday_in_stockholm() {
    let received: chrono::DateTime<chrono::Utc> = "2026-01-30T23:59:00Z".parse().unwrap(); // 00:59 Saturday local
    let mut w = World::new();
    let case = w.register(ActualisationKind::Report, received, vec![Reason::NeglectOfCare], 1)[0];
    assert_eq!(last_day_of(&w, case, K::PreliminaryAssessment), date(2026, 2, 14));
}

#[test]
fn the_weekend_and_holiday_rule_is_a_policy_switch_off_by_default() {
    let on = RuleTable::from_toml(
        &DEFAULT_RULES_TOML.replace("weekend_holiday_extension = false", "weekend_holiday_extension = true"),
    )
    .unwrap();
    let off = RuleTable::defaults().unwrap();
    let table = [
        (date(2026, 6, 19), date(2026, 6, 22)),   // midsommarafton → Monday
        (date(2026, 12, 24), date(2026, 12, 28)), // julafton, juldagen, annandag, Sunday
        (date(2026, 4, 3), date(2026, 4, 7)),     // långfredagen → tisdag after annandag påsk
        (date(2026, 2, 14), date(2026, 2, 16)),   // Saturday
        (date(2026, 2, 13), date(2026, 2, 13)),   // a Friday stays
    ];
    for (computed, moved) in table {
        assert_eq!(last_day(computed, &off), computed);
        assert_eq!(last_day(computed, &on), moved, "{computed}");
    }
    // And through a whole case: received 5 June → 19 June (midsommarafton) → 22 June.
    let mut w = World::with_rules(on);
    let case = w.register(ActualisationKind::Report, at(2026, 6, 5, 10, 0), vec![Reason::NeglectOfCare], 1)[0];
    assert_eq!(last_day_of(&w, case, K::PreliminaryAssessment), date(2026, 6, 22));
}

fn open_on(w: &mut World, decided: chrono::NaiveDate) -> skyndsam_domain::ids::CaseId {
    let received =
        at(decided.year_ce().1 as i32, chrono::Datelike::month(&decided), chrono::Datelike::day(&decided), 8, 0);
    let case = w.register(ActualisationKind::Report, received, vec![Reason::NeglectOfCare], 1)[0];
    w.cmd(
        case,
        ("amira", Role::Handler),
        received + chrono::Duration::hours(2),
        C::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
            decided_on: decided,
            outcome: PreliminaryOutcome::Open,
            earlier_knowledge: EarlierKnowledge { exists: false, description: None },
            child_view: ChildView::NotObtained { reason: "Barnet är ett år.".into() },
            late_reason: None,
            motivation: "Utreds.".into(),
        }),
    );
    case
}
use chrono::Datelike;

#[test]
fn four_months_is_the_same_day_number_or_the_months_last_day() {
    let table = [
        (date(2025, 10, 31), date(2026, 2, 28)), // 31 Oct + 4 months
        (date(2023, 10, 31), date(2024, 2, 29)), // leap year
        (date(2026, 6, 30), date(2026, 10, 30)),
        (date(2026, 1, 15), date(2026, 5, 15)),
        (date(2026, 8, 31), date(2026, 12, 31)),
        (date(2026, 10, 29), date(2027, 2, 28)),
    ];
    for (opened, expected) in table {
        let mut w = World::new();
        let case = open_on(&mut w, opened);
        assert_eq!(last_day_of(&w, case, K::Investigation), expected, "opened {opened}");
    }
}

#[test]
fn an_investigation_closed_exactly_on_the_four_month_day_is_in_time_and_the_next_day_is_not() {
    for (decided, expected) in [(date(2026, 2, 28), S::Met), (date(2026, 3, 1), S::MetLate)] {
        let mut w = World::new();
        let case = open_on(&mut w, date(2025, 10, 31));
        w.cmd(
            case,
            ("ulla", Role::UnitManager),
            at(2026, 3, 2, 9, 0),
            C::DecideInvestigation(InvestigationDecided {
                decided_on: decided,
                outcome: InvestigationOutcome::CloseWithoutIntervention,
                board_decision: None,
                motivation: "Inget behov av insats.".into(),
            }),
        );
        assert_eq!(w.state_of(case, K::Investigation, at(2026, 3, 2, 9, 0)), Some(expected));
    }
}

#[test]
fn the_protection_assessment_bound_is_24_real_hours_across_dst() {
    for received in [at(2026, 3, 28, 12, 0), at(2026, 10, 24, 12, 0)] {
        let mut w = World::new();
        let case = w.register(ActualisationKind::Report, received, vec![Reason::NeglectOfCare], 1)[0];
        let d = deadlines(&w.state(case), &w.rules, received)
            .into_iter()
            .find(|d| d.spec.kind == K::ProtectionAssessment)
            .unwrap();
        assert_eq!(d.spec.due_at - received, chrono::Duration::hours(24));
    }
    // Spring forward: 12:00 + 24 h is 13:00 local the next day.
    let received = at(2026, 3, 28, 12, 0);
    assert_eq!(received + chrono::Duration::hours(24), at(2026, 3, 29, 13, 0));
}

#[test]
fn a_decision_on_the_last_day_is_in_time_across_the_dst_change() {
    // Received 15 March: last day 29 March (the spring-forward day, 23 hours long).
    let mut w = World::new();
    let case = w.register(ActualisationKind::Report, at(2026, 3, 15, 9, 0), vec![Reason::NeglectOfCare], 1)[0];
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, at(2026, 3, 29, 23, 59)), Some(S::DueToday));
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, at(2026, 3, 30, 0, 0)), Some(S::Overdue));
}

#[test]
fn enforcement_is_three_months_from_the_decision_with_month_end_clamping() {
    assert_eq!(skyndsam_domain::calendar::add_months_clamped(date(2026, 11, 30), 3), date(2027, 2, 28));
    assert_eq!(skyndsam_domain::calendar::add_months_clamped(date(2027, 11, 30), 3), date(2028, 2, 29));
}
