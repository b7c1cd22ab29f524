//! The flow's rules: late reasons, delegation, qualification, board-only decisions, bad
//! input, siblings, joining an open investigation, corrections.

use crate::harness::*;
use skyndsam_domain::clock::{DeadlineKind as K, DeadlineState as S};
use skyndsam_domain::commands::{self, CaseCommand as C, Context, RegisterActualisation};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::ErrorCode;

fn decision(decided_on: chrono::NaiveDate, outcome: PreliminaryOutcome, late: Option<ExceptionalReasonKind>) -> C {
    C::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
        decided_on,
        outcome,
        earlier_knowledge: EarlierKnowledge {
            exists: true,
            description: Some("Två tidigare anmälningar 2021 och 2022.".into()),
        },
        child_view: ChildView::Obtained { summary: "Omar vill inte ha kontakt.".into() },
        late_reason: late.map(|kind| LateReason { kind, text: "Förklaring.".into() }),
        motivation: "Bedömning.".into(),
    })
}

fn protection(at_: chrono::DateTime<chrono::Utc>) -> C {
    C::RecordProtectionAssessment(ProtectionAssessmentRecorded {
        assessed_at: at_,
        assessor_name: "Länsjouren".into(),
        assessor_title: "socialsekreterare".into(),
        facts: "Polisen har hämtat Omar hem.".into(),
        immediate_need: false,
        protection_plan: None,
    })
}

#[test]
fn scenario_2_a_late_preliminary_assessment_needs_an_accepted_reason_and_the_right_delegate() {
    let mut w = World::new();
    // Police notification Friday after hours.
    let case = w.register(ActualisationKind::Report, at(2026, 3, 6, 21, 30), vec![Reason::Crime], 1)[0];
    assert!(w.state(case).after_hours);
    let day17 = at(2026, 3, 23, 10, 0);
    let d17 = date(2026, 3, 23);
    let amira = ("amira", Role::Handler);
    let karin = ("karin", Role::TeamLeader);
    // No reason: refused.
    let e = w.try_cmd(case, karin, day17, decision(d17, PreliminaryOutcome::NotOpen, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::LateReasonRequired);
    assert!(e.message.contains("sista dag 2026-03-20"), "{}", e.message);
    // Workload never counts.
    let e = w
        .try_cmd(case, karin, day17, decision(d17, PreliminaryOutcome::NotOpen, Some(ExceptionalReasonKind::Workload)))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::LateReasonRefused);
    assert!(e.message.contains("Arbetsbelastning räknas aldrig"));
    // A handler may not decide "not open": the message names who may.
    let e = w
        .try_cmd(
            case,
            amira,
            day17,
            decision(d17, PreliminaryOutcome::NotOpen, Some(ExceptionalReasonKind::PendingPoliceInterview)),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutsideDelegation);
    assert!(e.message.contains("teamledare eller enhetschef"), "{}", e.message);
    // The team leader takes it; nothing was written by the refusals.
    assert_eq!(w.state(case).version, 1);
    w.cmd(
        case,
        karin,
        day17,
        decision(d17, PreliminaryOutcome::NotOpen, Some(ExceptionalReasonKind::PendingPoliceInterview)),
    );
    let s = w.state(case);
    assert_eq!(s.preliminary.as_ref().unwrap().delegation.as_deref(), Some("not_open_investigation"));
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, day17), Some(S::MetLateWithReason));
}

#[test]
fn qualified_steps_are_refused_for_unqualified_handlers() {
    let mut w = World::new();
    let received = at(2026, 3, 2, 8, 10);
    let case = w.register(ActualisationKind::Report, received, vec![Reason::NeglectOfCare], 1)[0];
    let e = w.try_cmd(case, ("omar.unq", Role::Handler), received, protection(received)).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotQualified);
    assert!(e.message.contains("socionomexamen"));
    // A registrar cannot assess at all.
    let e = w.try_cmd(case, ("rita", Role::Registrar), received, protection(received)).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotAuthorised);
}

#[test]
fn dates_in_the_future_or_before_receipt_are_refused_naming_the_field() {
    let mut w = World::new();
    let received = at(2026, 3, 2, 8, 10);
    let case = w.register(ActualisationKind::Report, received, vec![Reason::NeglectOfCare], 1)[0];
    let amira = ("amira", Role::Handler);
    let e = w.try_cmd(case, amira, received, protection(received + chrono::Duration::hours(1))).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::DateInFuture, Some("assessed_at")));
    let e = w.try_cmd(case, amira, received, protection(received - chrono::Duration::hours(1))).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::DateBeforeReceipt, Some("assessed_at")));
    let e = w
        .try_cmd(case, amira, at(2026, 3, 3, 8, 0), decision(date(2026, 3, 1), PreliminaryOutcome::Open, None))
        .unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::DateBeforeReceipt, Some("decided_on")));
    // Wrong state: no investigation to decide.
    let e = w
        .try_cmd(
            case,
            ("ulla", Role::UnitManager),
            at(2026, 3, 3, 8, 0),
            C::DecideInvestigation(InvestigationDecided {
                decided_on: date(2026, 3, 3),
                outcome: InvestigationOutcome::Refuse,
                board_decision: None,
                motivation: "x".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongState);
    // Empty required text names its field.
    let e = w
        .try_cmd(
            case,
            amira,
            received,
            C::RecordProtectionAssessment(ProtectionAssessmentRecorded {
                assessed_at: received,
                assessor_name: "Amira".into(),
                assessor_title: "socialsekreterare".into(),
                facts: "   ".into(),
                immediate_need: true,
                protection_plan: None,
            }),
        )
        .unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("facts")));
}

#[test]
fn long_term_care_can_only_be_recorded_as_the_committees_decision() {
    let mut w = World::new();
    let case = w.register(ActualisationKind::Application, at(2026, 1, 5, 9, 0), vec![Reason::NeglectOfCare], 1)[0];
    let grant = |board: Option<BoardDecision>| {
        C::DecideInvestigation(InvestigationDecided {
            decided_on: date(2026, 4, 20),
            outcome: InvestigationOutcome::GrantIntervention {
                interventions: vec![GrantedIntervention {
                    intervention: InterventionId::from_u128(9),
                    kind: InterventionKind::FosterHome,
                    from: date(2026, 4, 20),
                    to: None,
                    long_term_care: true,
                }],
            },
            board_decision: board,
            motivation: "Stadigvarande vård och fostran i familjehemmet.".into(),
        })
    };
    let now = at(2026, 4, 21, 9, 0);
    let e = w.try_cmd(case, ("ulla", Role::UnitManager), now, grant(None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::BoardOnly);
    assert!(e.message.contains("sammanträdesdatum och paragraf"));
    w.cmd(
        case,
        ("lina", Role::Handler),
        now,
        grant(Some(BoardDecision { body: Role::Committee, meeting_on: date(2026, 4, 20), paragraph: "§ 47".into() })),
    );
    let evs = &w.streams[&case.stream()];
    assert_eq!(evs.last().unwrap().meta.delegation.as_deref(), Some("biståndsutskott 2026-04-20 § 47"));
}

#[test]
fn a_professional_reporter_cannot_be_anonymous_and_nothing_is_written() {
    let w = World::new();
    let actor = w.actor("rita", Role::Registrar);
    let now = at(2026, 3, 2, 9, 0);
    let ctx = Context { now, rules: &w.rules, org: &w.org, actor: &actor };
    let cmd = RegisterActualisation {
        actualisation: ActualisationId::from_u128(1),
        children: vec![(CaseId::from_u128(1), PersonId::from_u128(1))],
        kind: ActualisationKind::Report,
        received_at: now,
        channel: Channel::Phone,
        reporter: Reporter {
            category: ReporterCategory::School,
            name: None,
            organisation: Some("Skolan".into()),
            contact: None,
        },
        reasons: vec![Reason::SchoolAbsence],
        text: String::new(),
        unit: UnitId::parse("mottagning").unwrap(),
        receipt: None,
    };
    let e = commands::register_actualisation(&cmd, &ctx).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ReporterIdentityRequired, Some("reporter.name")));
    let mut future = cmd.clone();
    future.reporter.name = Some("Lärare".into());
    future.received_at = now + chrono::Duration::minutes(5);
    assert_eq!(commands::register_actualisation(&future, &ctx).unwrap_err().code, ErrorCode::DateInFuture);
}

#[test]
fn siblings_get_a_case_each_and_a_notification_has_no_protection_deadline() {
    let mut w = World::new();
    let now = at(2026, 3, 2, 8, 40);
    let cases = w.register(ActualisationKind::Report, now, vec![Reason::ViolenceAgainstChild], 2);
    assert_eq!(cases.len(), 2);
    let (a, b) = (w.state(cases[0]), w.state(cases[1]));
    assert_eq!(a.actualisation, b.actualisation);
    assert_eq!(a.siblings, vec![b.child]);
    assert!(w.state_of(cases[1], K::ProtectionAssessment, now).is_some());
    let n = w.register(ActualisationKind::Notification, now, vec![Reason::NeglectOfCare], 1)[0];
    assert!(w.state_of(n, K::ProtectionAssessment, now).is_none());
    assert!(w.state_of(n, K::PreliminaryAssessment, now).is_some());
}

#[test]
fn a_new_report_during_an_open_investigation_is_protection_assessed_and_joins_it() {
    let mut w = World::new();
    let amira = ("amira", Role::Handler);
    let first = w.register(ActualisationKind::Report, at(2026, 3, 2, 8, 0), vec![Reason::ViolenceAgainstChild], 1)[0];
    w.cmd(first, amira, at(2026, 3, 2, 10, 0), decision(date(2026, 3, 2), PreliminaryOutcome::Open, None));
    let second = w.register(ActualisationKind::Report, at(2026, 4, 1, 8, 0), vec![Reason::ViolenceAgainstChild], 1)[0];
    w.cmd(second, amira, at(2026, 4, 1, 9, 0), protection(at(2026, 4, 1, 9, 0)));
    let join = decision(date(2026, 4, 1), PreliminaryOutcome::JoinInvestigation { investigation_case: first }, None);
    // Without the investigation's state the domain refuses rather than guessing.
    assert_eq!(w.try_cmd(second, amira, at(2026, 4, 1, 10, 0), join.clone()).unwrap_err().code, ErrorCode::NotFound);
    w.try_cmd_with(second, amira, at(2026, 4, 1, 10, 0), join, Some(first)).unwrap();
    assert_eq!(w.state(first).investigation.as_ref().unwrap().joined_reports, vec![(second, true)]);
    assert_eq!(w.state(second).step(), skyndsam_domain::case::Step::Closed);
}

#[test]
fn a_correction_takes_the_place_of_the_entry_it_corrects() {
    let mut w = World::new();
    let received = at(2026, 3, 2, 8, 0);
    let case = w.register(ActualisationKind::Report, received, vec![Reason::NeglectOfCare], 1)[0];
    let amira = ("amira", Role::Handler);
    // Recorded as 2 days late by mistake; corrected to the real time, same day.
    let wrong = at(2026, 3, 4, 9, 0);
    w.cmd(case, amira, wrong, protection(wrong));
    assert_eq!(w.state_of(case, K::ProtectionAssessment, wrong), Some(S::MetLate));
    let target = w.streams[&case.stream()].last().unwrap().seq;
    let actor = w.actor("amira", Role::Handler);
    let events = w.streams[&case.stream()].clone();
    let ctx = Context { now: wrong, rules: &w.rules, org: &w.org, actor: &actor };
    let corr = commands::correct(&events, target, &protection(at(2026, 3, 2, 9, 0)), &ctx, None).unwrap();
    assert_eq!(corr[0].meta.corrects, Some(target));
    // A correction of another kind is refused.
    let bad =
        commands::correct(&events, target, &decision(date(2026, 3, 3), PreliminaryOutcome::Open, None), &ctx, None);
    assert_eq!(bad.unwrap_err().code, ErrorCode::WrongState);
    let stream = w.streams.get_mut(&case.stream()).unwrap();
    let mut e = corr.into_iter().next().unwrap();
    e.stream = case.stream();
    let rec = skyndsam_domain::journal::seal(e, 999, stream.len() as u32 + 1, "x").unwrap();
    stream.push(rec);
    let s = w.state(case);
    assert_eq!(s.corrected, vec![target]);
    assert_eq!(w.state_of(case, K::ProtectionAssessment, wrong), Some(S::Met));
    // The original is still in the journal: corrections never edit.
    assert_eq!(
        w.streams[&case.stream()]
            .iter()
            .filter(|e| matches!(e.payload, Payload::ProtectionAssessmentRecorded(_)))
            .count(),
        2
    );
}

#[test]
fn an_extension_must_be_decided_before_the_deadline_passes() {
    let mut w = World::new();
    let case = w.register(ActualisationKind::Application, at(2026, 1, 5, 9, 0), vec![Reason::NeglectOfCare], 1)[0];
    let e = w
        .try_cmd(
            case,
            ("ulla", Role::UnitManager),
            at(2026, 5, 10, 9, 0),
            C::ExtendInvestigation(ExtensionDecided {
                decided_on: date(2026, 5, 10),
                new_end: date(2026, 6, 5),
                reason: "Skäl.".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongState);
    assert!(e.message.contains("2026-05-05"));
    // A handler has no delegation to extend.
    let e = w
        .try_cmd(
            case,
            ("lina", Role::Handler),
            at(2026, 4, 10, 9, 0),
            C::ExtendInvestigation(ExtensionDecided {
                decided_on: date(2026, 4, 10),
                new_end: date(2026, 6, 5),
                reason: "Skäl.".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutsideDelegation);
}

#[test]
fn payloads_refuse_unknown_fields_and_an_invalid_personnummer() {
    let bad = r#"{"type":"triage_set","data":{"colour":"red","extra":1}}"#;
    assert!(serde_json::from_str::<Payload>(bad).is_err());
    let bad = r#"{"type":"person_registered","data":{"person":"00000000-0000-0000-0000-000000000001","id_number":"19121212-1213","name":"X","sex":null,"birth_date":null,"municipality":null,"protected_identity":false}}"#;
    let err = serde_json::from_str::<Payload>(bad).unwrap_err().to_string();
    assert!(!err.contains("1212"), "the number must not leak into the error: {err}");
    let bad = r#"{"type":"preliminary_assessment_decided","data":{"decided_on":"2026-01-01","outcome":{"kind":"open","x":1},"earlier_knowledge":{"exists":false,"description":null},"child_view":{"kind":"not_obtained","reason":"r"},"late_reason":null,"motivation":"m"}}"#;
    assert!(serde_json::from_str::<Payload>(bad).is_err(), "unknown field inside a tagged enum");
    let good = bad.replace(r#","x":1"#, "");
    assert!(serde_json::from_str::<Payload>(&good).is_ok(), "the same line without the unknown field is fine");
}
