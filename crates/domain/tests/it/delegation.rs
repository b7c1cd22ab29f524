//! The delegation order as versioned data, re-delegation (scenario 3), record-and-flag,
//! board-only decisions and the board's list of delegated decisions.

use crate::harness::*;
use skyndsam_domain::commands::{self, CaseCommand as C, Context};
use skyndsam_domain::delegation::{board_list, judge, Verdict};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::rules::{DecisionType, OutsideDelegation, RuleTable, DEFAULT_RULES_TOML};
use skyndsam_domain::ErrorCode;

pub fn not_open(on: chrono::NaiveDate) -> C {
    C::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
        decided_on: on,
        outcome: PreliminaryOutcome::NotOpen,
        earlier_knowledge: EarlierKnowledge { exists: false, description: None },
        child_view: ChildView::Obtained { summary: "Barnet berättar.".into() },
        late_reason: None,
        motivation: "Ingen utredning behövs.".into(),
    })
}

pub fn redelegation(id: &str, from: chrono::NaiveDate, to: chrono::NaiveDate) -> RedelegationDecided {
    RedelegationDecided {
        redelegation: id.into(),
        decisions: vec![DecisionType::NotOpenInvestigation],
        delegates: vec![StaffId::parse("amira").unwrap(), StaffId::parse("lina").unwrap()],
        unit: Some(UnitId::parse("forvaltning").unwrap()),
        from,
        to,
        decided_on: from,
        document: "Beslut om vidaredelegering, dnr SN 2024/77".into(),
        reason: "Teamledare saknas under våren.".into(),
    }
}

/// The förvaltningschef records a written re-delegation through the command.
pub fn redelegate(w: &mut World, r: &RedelegationDecided) {
    let greta = w.actor("greta", Role::HeadOfAdministration);
    let now = skyndsam_domain::calendar::start_of_local_day(r.decided_on) + chrono::Duration::hours(9);
    let ev = {
        let ctx = Context { now, rules: &w.rules, org: &w.org, actor: &greta };
        commands::decide_redelegation(r, &ctx).unwrap()
    };
    w.org_event(ev);
}

#[test]
fn scenario_3_a_written_redelegation_holds_until_it_expires_and_then_the_system_names_who_may_decide() {
    let mut w = World::new();
    redelegate(&mut w, &redelegation("VD-2024-1", date(2024, 3, 1), date(2024, 5, 31)));
    // Inside the period a handler may decide "not open".
    let c1 = w.register(ActualisationKind::Report, at(2024, 5, 20, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    w.cmd(c1, ("amira", Role::Handler), at(2024, 5, 27, 9, 0), not_open(date(2024, 5, 27)));
    let s = w.state(c1);
    assert_eq!(s.preliminary.unwrap().delegation.as_deref(), Some("vidaredelegering VD-2024-1"));
    // On 2 June it has expired by itself: refused, naming who may decide and the expiry.
    let c2 = w.register(ActualisationKind::Report, at(2024, 5, 28, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    let e = w.try_cmd(c2, ("amira", Role::Handler), at(2024, 6, 2, 9, 0), not_open(date(2024, 6, 2))).unwrap_err();
    assert_eq!(e.code, ErrorCode::OutsideDelegation);
    assert!(e.message.contains("teamledare eller enhetschef"), "{}", e.message);
    assert!(e.message.contains("VD-2024-1 gällde 2024-03-01–2024-05-31"), "{}", e.message);
    // A decision dated inside the period but entered later is judged on its date.
    w.cmd(c2, ("amira", Role::Handler), at(2024, 6, 2, 9, 0), not_open(date(2024, 5, 31)));
}

#[test]
fn only_the_head_of_administration_redelegates_in_writing_time_limited_and_only_redelegable_decisions() {
    let mut w = World::new();
    let tl = w.actor("karin", Role::TeamLeader);
    let r = redelegation("VD-1", date(2024, 3, 1), date(2024, 5, 31));
    let ctx = Context { now: at(2024, 3, 1, 9, 0), rules: &w.rules, org: &w.org, actor: &tl };
    assert_eq!(commands::decide_redelegation(&r, &ctx).unwrap_err().code, ErrorCode::NotAuthorised);
    let greta = w.actor("greta", Role::HeadOfAdministration);
    let ctx = Context { now: at(2024, 3, 1, 9, 0), rules: &w.rules, org: &w.org, actor: &greta };
    let mut bad = r.clone();
    bad.to = date(2025, 6, 1);
    assert!(commands::decide_redelegation(&bad, &ctx).unwrap_err().message.contains("högst 366 dagar"));
    let mut bad = r.clone();
    bad.decisions = vec![DecisionType::LongTermCare];
    assert_eq!(commands::decide_redelegation(&bad, &ctx).unwrap_err().code, ErrorCode::OutsideDelegation);
    let mut bad = r.clone();
    bad.document = " ".into();
    assert_eq!(commands::decide_redelegation(&bad, &ctx).unwrap_err().code, ErrorCode::InvalidInput);
    // Revoked early: no longer in force from the revocation day.
    redelegate(&mut w, &r);
    let greta = w.actor("greta", Role::HeadOfAdministration);
    let ev = {
        let ctx = Context { now: at(2024, 4, 1, 9, 0), rules: &w.rules, org: &w.org, actor: &greta };
        let rv =
            RedelegationRevoked { redelegation: "VD-1".into(), on: date(2024, 4, 1), reason: "Ny teamledare.".into() };
        commands::revoke_redelegation(&rv, &ctx).unwrap()
    };
    w.org_event(ev);
    let j = |w: &World, on| {
        judge(
            &w.rules,
            &w.org,
            &StaffId::parse("amira").unwrap(),
            Role::Handler,
            Some(&UnitId::parse("mottagning").unwrap()),
            DecisionType::NotOpenInvestigation,
            on,
            None,
        )
    };
    assert!(matches!(j(&w, date(2024, 3, 31)).verdict, Verdict::Redelegation { .. }));
    assert_eq!(j(&w, date(2024, 4, 1)).verdict, Verdict::Outside);
}

#[test]
fn a_decision_is_judged_against_the_version_of_the_order_in_force_on_its_date() {
    // From 2024-07-01 the board lets handlers decide "not open" (a new version).
    let text = format!(
        "{DEFAULT_RULES_TOML}\n[[delegation_versions]]\nversion = \"SN 2024-06-12 § 88\"\nvalid_from = \"2024-07-01\"\n\n\
         [[delegation_versions.rules]]\ndecision = \"not_open_investigation\"\nname = \"Inte inleda utredning\"\n\
         roles = [\"handler\", \"team_leader\", \"unit_manager\"]\ncitation_old = \"11 kap. 1 § SoL (2001:453)\"\n"
    );
    let rules = RuleTable::from_toml(&text).unwrap();
    assert_eq!(rules.delegation_order_on(date(2024, 6, 30)).0, "grundversion");
    assert_eq!(rules.delegation_order_on(date(2024, 7, 1)).0, "SN 2024-06-12 § 88");
    let mut w = World::with_rules(rules);
    let c = w.register(ActualisationKind::Report, at(2024, 6, 25, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    let e = w.try_cmd(c, ("amira", Role::Handler), at(2024, 7, 2, 9, 0), not_open(date(2024, 6, 30))).unwrap_err();
    assert_eq!(e.code, ErrorCode::OutsideDelegation);
    w.cmd(c, ("amira", Role::Handler), at(2024, 7, 2, 9, 0), not_open(date(2024, 7, 1)));
    // The order round-trips through its exchange file.
    let file = w.rules.delegation_order_toml().unwrap();
    assert!(file.contains("SN 2024-06-12 § 88"));
    let back = RuleTable::defaults().unwrap().with_delegation_order_toml(&file).unwrap();
    assert_eq!(back.delegation_versions, w.rules.delegation_versions);
    assert_eq!(back.delegation, w.rules.delegation);
    let bad = file.replace("board_only = true", "board_only = true\nredelegable = true");
    assert_eq!(RuleTable::defaults().unwrap().with_delegation_order_toml(&bad).unwrap_err().code, ErrorCode::RuleTable);
}

#[test]
fn record_and_flag_records_the_decision_and_writes_a_flag_for_the_deviation_module() {
    let mut rules = RuleTable::defaults().unwrap();
    rules.policy.outside_delegation = OutsideDelegation::RecordAndFlag;
    let mut w = World::with_rules(rules);
    let c = w.register(ActualisationKind::Report, at(2024, 6, 3, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    w.cmd(c, ("amira", Role::Handler), at(2024, 6, 4, 9, 0), not_open(date(2024, 6, 4)));
    let evs = w.events(c);
    let Payload::DelegationDeviationFlagged(f) = &evs.last().unwrap().payload else { panic!("no flag") };
    assert_eq!(f.decision, DecisionType::NotOpenInvestigation);
    assert_eq!(f.may_decide, vec![Role::TeamLeader, Role::UnitManager]);
    assert!(evs[evs.len() - 2].meta.delegation.is_none());
    // A correction of the flagged decision keeps a flag of its own.
    let target = evs[evs.len() - 2].seq;
    let amira = w.actor("amira", Role::Handler);
    let out = {
        let ctx = Context { now: at(2024, 6, 5, 9, 0), rules: &w.rules, org: &w.org, actor: &amira };
        commands::correct(&evs, target, &not_open(date(2024, 6, 4)), &ctx, None).unwrap()
    };
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].meta.corrects, Some(target));
    assert!(matches!(out[1].payload, Payload::DelegationDeviationFlagged(_)) && out[1].meta.corrects.is_none());
    // Board-only decisions are never recorded as an official's, whatever the policy.
    let c = w.register(ActualisationKind::Application, at(2024, 6, 3, 9, 0), vec![Reason::NeglectOfCare], 1)[0];
    let lvu = C::DecideInvestigation(InvestigationDecided {
        decided_on: date(2024, 6, 20),
        outcome: InvestigationOutcome::LvuApplication,
        board_decision: None,
        motivation: "Vård behövs.".into(),
    });
    let e = w.try_cmd(c, ("ulla", Role::UnitManager), at(2024, 6, 20, 9, 0), lvu).unwrap_err();
    assert_eq!(e.code, ErrorCode::BoardOnly);
    assert!(e.message.contains("sammanträdesdatum och paragraf"));
}

#[test]
fn the_boards_list_shows_delegated_decisions_per_decider_and_the_redelegations_as_csv() {
    let mut w = World::new();
    redelegate(&mut w, &redelegation("VD-2024-1", date(2024, 3, 1), date(2024, 5, 31)));
    let c1 = w.register(ActualisationKind::Report, at(2024, 3, 4, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    w.cmd(c1, ("amira", Role::Handler), at(2024, 3, 5, 9, 0), not_open(date(2024, 3, 5)));
    let c2 = w.register(ActualisationKind::Report, at(2024, 3, 4, 10, 0), vec![Reason::SchoolAbsence], 1)[0];
    w.cmd(c2, ("karin", Role::TeamLeader), at(2024, 3, 6, 9, 0), not_open(date(2024, 3, 6)));
    // An imported legacy decision outside delegation shows as such.
    let c3 = w.register(ActualisationKind::Report, at(2024, 3, 4, 11, 0), vec![Reason::SchoolAbsence], 1)[0];
    let Payload::PreliminaryAssessmentDecided(p) = (match not_open(date(2024, 3, 7)) {
        C::DecidePreliminaryAssessment(p) => Payload::PreliminaryAssessmentDecided(p),
        _ => unreachable!(),
    }) else {
        unreachable!()
    };
    w.push(
        c3.stream(),
        ("omar.unq", Role::Handler),
        at(2024, 3, 7, 9, 0),
        Payload::PreliminaryAssessmentDecided(p),
        None,
    );
    // Outside the period: not listed.
    let c4 = w.register(ActualisationKind::Report, at(2024, 4, 2, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    w.cmd(c4, ("karin", Role::TeamLeader), at(2024, 4, 3, 9, 0), not_open(date(2024, 4, 3)));

    let all: Vec<RecordedEvent> = w.streams.values().flatten().cloned().collect();
    let list = board_list(&w.rules, &w.org, &all, date(2024, 3, 1), date(2024, 3, 31));
    assert_eq!(list.decisions.len(), 3);
    assert_eq!(list.redelegations.len(), 1);
    let by: Vec<(&str, bool)> = list.decisions.iter().map(|d| (d.decider.as_str(), d.authorised)).collect();
    assert_eq!(by, vec![("amira", true), ("karin", true), ("omar.unq", false)]);
    assert_eq!(list.decisions[0].basis, "vidaredelegering VD-2024-1");
    assert_eq!(list.per_decider().len(), 3);
    let csv = list.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("typ;datum;beslut;beslutsfattare"));
    assert!(lines[1].starts_with(
        "delegationsbeslut;2024-03-05;Inte inleda utredning;amira;socialsekreterare;vidaredelegering VD-2024-1;ja"
    ));
    assert!(lines[3].contains(";omar.unq;socialsekreterare;utan delegation (grundversion);nej;"));
    assert!(lines[4].starts_with("vidaredelegering;2024-03-01;VD-2024-1 (not_open_investigation) till amira, lina;greta;förvaltningschef;2024-03-01–2024-05-31"));
}
